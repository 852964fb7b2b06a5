#!/usr/bin/env bash
# Signing benchmark (issue: integrity). Prints ratios, not absolute claims; the machine is noisy.
# Page cache warm; every time is the best of 3 runs (re-sign: best of 5).
#  1. custody sign/verify vs the Python model_signing API (1.1.1, timed inside Python around the
#     API call, so interpreter start-up is not counted against it), files and shards mode;
#     target >= 1.6x faster
#  2. custody sign throughput vs `openssl dgst -sha256` as two parallel processes (the SHA-256
#     limit of a 2-core machine); target >= 0.90 (within 10 %)
#  3. re-sign after changing one small file vs a full sign; target >= 50x faster
#  4. peak RSS (/usr/bin/time -f %M) of custody sign and verify; target < 200 MB
# usage: bench/sign.sh [DIR]   (default target/bench-sign; a ~2.1 GB model is generated once)
# env: CUSTODY_BIN (default: target/release/custody, built), CUSTODY_MS_VENV (default
#      target/pyenv-model-signing, made by scripts/interop-model-signing)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$repo/target/bench-sign}
if [[ -z "${CUSTODY_BIN:-}" ]]; then
  cargo build --release --locked --quiet -p custody
fi
custody=${CUSTODY_BIN:-$repo/target/release/custody}
venv=${CUSTODY_MS_VENV:-$repo/target/pyenv-model-signing}
if ! "$venv/bin/python" -c 'import model_signing' 2> /dev/null; then
  echo "setting up $venv with scripts/interop-model-signing ..." >&2
  CUSTODY_BIN="$custody" CUSTODY_MS_VENV="$venv" "$repo/scripts/interop-model-signing" > /dev/null
fi
py=$venv/bin/python
model=$dir/model
mkdir -p "$dir"

# The model: one 1.1 GB file, five of 200 MB, a few small ones (2.1 GB).
if [[ ! -f "$dir/.complete" ]]; then
  rm -rf "$model"
  mkdir -p "$model/tokenizer"
  head -c 1100000000 /dev/urandom > "$model/model-00001.safetensors"
  for i in 2 3 4 5 6; do head -c 200000000 /dev/urandom > "$model/model-0000$i.safetensors"; done
  echo '{"architectures": ["Demo"], "hidden_size": 4096}' > "$model/config.json"
  echo '# demo model' > "$model/README.md"
  head -c 2000000 /dev/urandom > "$model/tokenizer/tokenizer.json"
  touch "$dir/.complete"
fi
cd "$dir"
mapfile -t files < <(find "$model" -type f ! -name '*.sig' ! -name '*.cache.json' | sort)
bytes=$(cat "${files[@]}" | wc -c)
big=$model/model-00001.safetensors
mapfile -t rest < <(printf '%s\n' "${files[@]}" | grep -v -F "$big")
# Files younger than 2 s are never cached by custody (racy-clean rule); let them age.
sleep 2
cat "${files[@]}" > /dev/null

now() { echo "$EPOCHREALTIME"; }   # bash 5: no process start-up inside the measurement
best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
# time_best N CMD...: best wall time of N runs of CMD (stdout discarded).
time_best() {
  local n=$1; shift
  local ts=()
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(now); "$@" > /dev/null; t1=$(now)
    ts+=("$(echo "$t1 - $t0" | bc -l)")
  done
  best "${ts[@]}"
}
openssl2() {
  openssl dgst -sha256 "$big" > /dev/null &
  openssl dgst -sha256 "${rest[@]}" > /dev/null &
  wait
}

cat > "$dir/ms_bench.py" <<'PY'
import sys, time
from model_signing import hashing, signing, verifying
op, method, model, sig, key = sys.argv[1:6]
hc = hashing.Config()
if method == "shards":
    hc = hc.use_shard_serialization()          # 1 GB shards, the reference default
hc = hc.set_ignored_paths(paths=[sig], ignore_git_paths=True)
times = []
for _ in range(3):
    t0 = time.perf_counter()
    if op == "sign":
        signing.Config().use_elliptic_key_signer(private_key=key).set_hashing_config(hc).sign(model, sig)
    else:
        verifying.Config().use_elliptic_key_verifier(public_key=key).set_hashing_config(hc).verify(model, sig)
    times.append(time.perf_counter() - t0)
print(min(times))
PY

"$custody" keygen --private-key "$dir/key.pem" --public-key "$dir/key.pub" --force -q > /dev/null
sigdir=$dir/sigs
mkdir -p "$sigdir"

t_openssl=$(time_best 3 openssl2)
t_sign_files=$(time_best 3 "$custody" sign "$model" --private-key key.pem --signature "$sigdir/files.sig" --no-cache -q)
t_sign_shards=$(time_best 3 "$custody" sign "$model" --private-key key.pem --signature "$sigdir/shards.sig" --method shards --no-cache -q)
t_verify_files=$(time_best 3 "$custody" verify "$model" --public-key key.pub --signature "$sigdir/files.sig" -q)
t_verify_shards=$(time_best 3 "$custody" verify "$model" --public-key key.pub --signature "$sigdir/shards.sig" -q)
/usr/bin/time -f %M -o "$dir/rss-sign" "$custody" sign "$model" --private-key key.pem --signature "$sigdir/files.sig" --no-cache -q > /dev/null
/usr/bin/time -f %M -o "$dir/rss-shards" "$custody" sign "$model" --private-key key.pem --signature "$sigdir/shards.sig" --method shards --no-cache -q > /dev/null
/usr/bin/time -f %M -o "$dir/rss-verify" "$custody" verify "$model" --public-key key.pub --signature "$sigdir/files.sig" -q > /dev/null
rss=$(sort -n "$dir/rss-sign" "$dir/rss-shards" "$dir/rss-verify" | tail -1)

p_sign_files=$("$py" ms_bench.py sign files "$model" "$sigdir/py-files.sig" key.pem)
p_verify_files=$("$py" ms_bench.py verify files "$model" "$sigdir/py-files.sig" key.pub)
p_sign_shards=$("$py" ms_bench.py sign shards "$model" "$sigdir/py-shards.sig" key.pem)
p_verify_shards=$("$py" ms_bench.py verify shards "$model" "$sigdir/py-shards.sig" key.pub)

# Incremental: a signature with its cache, then one small file changes before each re-sign.
"$custody" sign "$model" --private-key key.pem --signature "$sigdir/incr.sig" -q > /dev/null
resign() {
  date +%s%N >> "$model/README.md"
  "$custody" sign "$model" --private-key key.pem --signature "$sigdir/incr.sig" -q --format json > "$dir/resign.json"
}
t_resign=$(time_best 5 resign)
reused=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["files_reused"], "reused,", d["files_hashed"], "hashed")' "$dir/resign.json")
"$custody" verify "$model" --public-key key.pub --signature "$sigdir/incr.sig" -q > /dev/null

python3 - "$bytes" "$t_openssl" "$t_sign_files" "$t_sign_shards" "$t_verify_files" "$t_verify_shards" \
  "$p_sign_files" "$p_sign_shards" "$p_verify_files" "$p_verify_shards" "$t_resign" "$rss" "$reused" <<'PY'
import sys
b = int(sys.argv[1])
o, sf, ss, vf, vs, psf, pss, pvf, pvs, rs = map(float, sys.argv[2:12])
rss, reused = int(sys.argv[12]), sys.argv[13]
gb = b / 1e9
print(f"model: {gb:.2f} GB in 9 files (one of 1.10 GB); page cache warm; best of 3")
print(f"openssl dgst -sha256, 2 processes:   {o:.3f} s  ({gb / o:.2f} GB/s)")
print(f"custody sign   files / shards 1 GB:  {sf:.3f} s / {ss:.3f} s  ({gb / sf:.2f} / {gb / ss:.2f} GB/s)")
print(f"custody verify files / shards 1 GB:  {vf:.3f} s / {vs:.3f} s")
print(f"python  sign   files / shards 1 GB:  {psf:.3f} s / {pss:.3f} s  (model_signing 1.1.1 API, in-process)")
print(f"python  verify files / shards 1 GB:  {pvf:.3f} s / {pvs:.3f} s")
print(f"custody re-sign, one small file changed: {rs:.3f} s ({reused})")
print(f"RATIO python/custody sign   files: {psf / sf:.2f}x  shards: {pss / ss:.2f}x  (target >= 1.6)")
print(f"RATIO python/custody verify files: {pvf / vf:.2f}x  shards: {pvs / vs:.2f}x  (target >= 1.6)")
print(f"RATIO custody sign throughput / openssl x2: files {o / sf:.2f}  shards {o / ss:.2f}  (target >= 0.90)")
print(f"RATIO full sign / re-sign: {sf / rs:.0f}x  (target >= 50)")
print(f"peak RSS of custody sign/verify: {rss / 1024:.0f} MB  (target < 200 MB)")
PY

#!/usr/bin/env bash
# Side-by-side comparison of `custody scan` with cdxgen's AI inventory (`cdxgen -t ai`, the AI/ML-BOM
# mode of @cyclonedx/cdxgen), on two trees:
#   (a) examples/acme-bank, copied to a temporary directory (no store is written into the repo)
#   (b) the scan benchmark tree target/bench-tree (bench/gen_tree.py: 20 x 110 MiB safetensors,
#       50,000 small .py/.js files); with --small, target/bench-tree-small
#       (--sources 5000 --model-files 2 --model-mb 8)
# For each tree: whole-process wall time of each tool (best of 3, page cache warm, runs interleaved),
# the ratio cdxgen / custody, and what each finds (found by both, only cdxgen, only custody; see
# bench/cdxgen_compare.py for the normalisation).
#
# usage: bench/cdxgen-compare.sh [--small] [--max N] [--extra DIR]...
#   --max N      entries printed per category and list (default 25; every item is in diff.json)
#   --extra DIR  also compare on DIR (repeatable; custody's config and store go to a scratch
#                directory, DIR is not written to)
# Outputs (BOMs, custody JSON, diff.json, cdxgen logs) go to target/cdxgen-compare/<tree>/.
# cdxgen is installed once, pinned, under target/cdxgen (never globally). The custody binary is
# target/release/custody; it is built only when missing.
# cdxgen runs with --no-install-deps (otherwise it would run npm/pip installs inside the tree); its
# npm manifest pass then gives no libraries for a package.json without a lock file or node_modules.
# cdxgen's notices (it warns when run as root) go to target/cdxgen-compare/<tree>/cdxgen-*.log.
set -euo pipefail
export LC_ALL=C

CDXGEN_VERSION=12.8.4   # latest on npm; engines: node ^20 || ^22 || ^24 ...
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/target/cdxgen-compare
cdx_prefix=$repo/target/cdxgen
cdxgen=$cdx_prefix/node_modules/.bin/cdxgen
custody=$repo/target/release/custody
small=0
max=25
extras=()
while [ $# -gt 0 ]; do
  case $1 in
    --small) small=1 ;;
    --max) max=$2; shift ;;
    --extra) extras+=("$(cd "$2" && pwd)"); shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

header() { printf '\n==== %s ====\n' "$*"; }
fsecs() { python3 -c "import sys; print(f'{float(sys.argv[1]):.3f}')" "$1"; }

# ------------------------------------------------------------------------------------------------
header "1. tools"
installed=$(node -e "try{console.log(require('$cdx_prefix/node_modules/@cyclonedx/cdxgen/package.json').version)}catch(e){}" 2>/dev/null || true)
if [ "$installed" = "$CDXGEN_VERSION" ] && [ -x "$cdxgen" ]; then
  echo "cdxgen $CDXGEN_VERSION: reusing $cdx_prefix"
else
  echo "cdxgen $CDXGEN_VERSION: installing under $cdx_prefix (npm, local prefix)"
  mkdir -p "$cdx_prefix"
  npm install --prefix "$cdx_prefix" --no-audit --no-fund --save-exact --loglevel=error \
    "@cyclonedx/cdxgen@$CDXGEN_VERSION" > "$cdx_prefix/npm-install.log" 2>&1 \
    || { tail -20 "$cdx_prefix/npm-install.log" >&2; exit 2; }
fi
if [ ! -x "$custody" ]; then
  echo "custody: $custody missing, building it"
  (cd "$repo" && cargo build --release --locked -p custody)
fi
echo "node $(node --version); cdxgen $(node -p "require('$cdx_prefix/node_modules/@cyclonedx/cdxgen/package.json').version")"
"$custody" --version
echo "machine: $(nproc) CPUs; load average now: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the timings)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cdxgen-compare.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# ------------------------------------------------------------------------------------------------
header "2. trees"
acme=$scratch/acme-bank
cp -R "$repo/examples/acme-bank" "$acme"
rm -rf "$acme/.custody"
(cd "$acme" && "$custody" init --yes --quiet)
echo "acme-bank: copy of examples/acme-bank in $acme (custody init --yes --quiet there)"

if [ "$small" = 1 ]; then
  bench=$repo/target/bench-tree-small
  python3 "$repo/bench/gen_tree.py" "$bench" --sources 5000 --model-files 2 --model-mb 8
  bench_label="bench-tree-small"
else
  bench=$repo/target/bench-tree
  python3 "$repo/bench/gen_tree.py" "$bench"
  bench_label="bench-tree"
fi
bench_cfg=$scratch/bench-cfg
mkdir -p "$bench_cfg"
(cd "$bench_cfg" && "$custody" init --yes --quiet --org bench --role developer)
echo "$bench_label: $bench (custody config and store in $bench_cfg; the tree itself is not written to)"

# ------------------------------------------------------------------------------------------------
# compare LABEL TREE CONFIG_DIR SCAN_ARG: times both tools, then diffs what they found.
summary=()
compare() {
  local label=$1 tree=$2 cfg=$3 scan_arg=$4
  local dir=$out/$label
  rm -rf "$dir"
  mkdir -p "$dir"

  header "3. timing: $label"
  local nfiles nbytes
  nfiles=$(find "$tree" -type f | wc -l)
  nbytes=$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s}')
  echo "tree: $tree ($nfiles files, $(python3 -c "print(f'{$nbytes/1e9:.2f}')") GB)"
  # warm the page cache so both tools read from memory
  find "$tree" -type f -print0 | xargs -0 cat > /dev/null
  echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
  local t0 t1 cdx_times=() cus_times=() rc
  for round in 1 2 3; do
    t0=$EPOCHREALTIME
    rc=0
    (cd "$tree" && "$cdxgen" -t ai --no-install-deps -o "$dir/cdxgen-ai.json" .) \
      > "$dir/cdxgen-ai.log" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" != 0 ] || [ ! -s "$dir/cdxgen-ai.json" ]; then
      echo "cdxgen -t ai failed (exit $rc); last lines of $dir/cdxgen-ai.log:" >&2
      tail -20 "$dir/cdxgen-ai.log" >&2
      exit 2
    fi
    cdx_times+=("$(python3 -c "print($t1 - $t0)")")

    t0=$EPOCHREALTIME
    rc=0
    (cd "$cfg" && "$custody" scan --rehash --quiet --format json ${scan_arg:+"$scan_arg"} \
      > "$dir/custody.json") || rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" != 0 ]; then
      echo "custody scan failed (exit $rc)" >&2
      exit 2
    fi
    cus_times+=("$(python3 -c "print($t1 - $t0)")")
    echo "round $round: cdxgen -t ai $(fsecs "${cdx_times[-1]}") s   custody scan --rehash $(fsecs "${cus_times[-1]}") s"
  done
  # cdxgen -t ai reports no library components; its manifest pass (python + js project types)
  # does. Run once for the diff; timed for information, not part of the ratio.
  t0=$EPOCHREALTIME
  (cd "$tree" && "$cdxgen" -t python -t js --no-install-deps -o "$dir/cdxgen-libs.json" .) \
    > "$dir/cdxgen-libs.log" 2>&1 || { echo "cdxgen manifest pass failed; see $dir/cdxgen-libs.log" >&2; exit 2; }
  t1=$EPOCHREALTIME
  local libs_time
  libs_time=$(python3 -c "print($t1 - $t0)")

  local line
  line=$(python3 - "$label" "$dir/custody.json" "$dir/cdxgen-ai.json" "$libs_time" "${cdx_times[@]}" "${cus_times[@]}" <<'PY'
import json, sys
label, cj, bj, libs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
t = list(map(float, sys.argv[5:]))
cdx, cus = min(t[:3]), min(t[3:])
st = json.load(open(cj))["stats"]
bom = json.load(open(bj))
print(f"best of 3: cdxgen -t ai {cdx:.3f} s, custody scan {cus:.3f} s", file=sys.stderr)
print(f"RATIO cdxgen / custody ({label}): {cdx / cus:.1f}x", file=sys.stderr)
print(f"cdxgen manifest pass (-t python -t js, once, not in the ratio): {libs:.3f} s", file=sys.stderr)
print(f"custody: {st['files']} files, {st['assets']} assets, hashed {st['hashed_bytes'] / 1e9:.2f} GB "
      f"(SHA-256 of every asset byte), {st['code_uses']} code uses", file=sys.stderr)
print(f"cdxgen:  {len(bom.get('components') or [])} components, {len(bom.get('services') or [])} services "
      f"(no hashes)", file=sys.stderr)
print(f"{label}\t{cdx:.3f}\t{cus:.3f}\t{cdx / cus:.1f}")
PY
)
  summary+=("$line")
  echo "caveat: custody reads and SHA-256-hashes every byte of every asset (--rehash); cdxgen $CDXGEN_VERSION"
  echo "        -t ai hashes nothing and parses only GGUF headers and HF metadata files: it does not"
  echo "        open .safetensors/.onnx weights at all, so the ratio compares unequal work."

  header "4. findings: $label"
  python3 "$repo/bench/cdxgen_compare.py" --tree "$tree" --label "$label" --max "$max" \
    --cdxgen-ai "$dir/cdxgen-ai.json" --cdxgen-libs "$dir/cdxgen-libs.json" \
    --custody "$dir/custody.json" --out "$dir/diff.json"
  echo
  echo "all items with evidence: $dir/diff.json"
}

compare acme-bank "$acme" "$acme" ""
compare "$bench_label" "$bench" "$bench_cfg" "$bench"
labels=(acme-bank "$bench_label")
for extra in "${extras[@]}"; do
  label="extra-$(basename "$extra")"
  mkdir -p "$scratch/$label-cfg"
  (cd "$scratch/$label-cfg" && "$custody" init --yes --quiet --org bench --role developer)
  compare "$label" "$extra" "$scratch/$label-cfg" "$extra"
  labels+=("$label")
done

# ------------------------------------------------------------------------------------------------
header "5. summary"
printf '%-18s %14s %16s %8s\n' tree "cdxgen -t ai s" "custody scan s" ratio
for line in "${summary[@]}"; do
  IFS=$'\t' read -r l c u r <<< "$line"
  printf '%-18s %14s %16s %7sx\n' "$l" "$c" "$u" "$r"
done
diffs=()
for l in "${labels[@]}"; do diffs+=("$out/$l/diff.json"); done
python3 - "${diffs[@]}" <<'PY'
import json, sys
for p in sys.argv[1:]:
    d = json.load(open(p))
    print(f"{d['tree']}: {len(d['both'])} found by both, {len(d['only_cdxgen'])} only cdxgen, "
          f"{len(d['only_custody'])} only custody")
    for i in d["only_cdxgen"]:
        print(f"  only cdxgen: {i['category']} {i['key']}  [{'; '.join(i['evidence'][:2])}]")
PY
echo "(ratio = cdxgen wall time / custody wall time, whole process, best of 3, page cache warm;"
echo " custody hashes every model byte, cdxgen does not)"

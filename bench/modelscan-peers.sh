#!/usr/bin/env bash
# Side by side (issue: model-file security scanner): custody against picklescan, modelscan,
# fickling and ModelAudit on the committed corpus (crates/custody-modelsec/tests/corpus).
#  1. a table of which files each tool flags, and per-tool totals over malicious/ and benign/;
#     custody must flag every malicious file any peer flags, and no benign file at high/critical;
#  2. whole-process wall time over the corpus, as ratios peer / custody (targets: >= 10x vs
#     picklescan, >= 50x vs ModelAudit).
# Peers are installed from PyPI, pinned, into a venv under target/ (one that fails to install
# is reported and left out). Nothing here loads a model: every tool scans statically.
#
# How each tool runs and what "flagged" means (symbols in the table):
#   custody     `custody inspect FILE --format json` per file; X = a high/critical finding,
#               u = could not inspect (exit 2, fail closed), m = medium/low findings only
#   picklescan  `picklescan -p FILE` per file; X = exit 1 (dangerous global), s = suspicious only
#   modelscan   `modelscan -p FILE -r json` per file; X = an issue, s = skipped
#   fickling    `fickling --check-safety FILE` per file; X = exit 1
#   ModelAudit  `modelaudit scan DIR --format json` once; X = a critical issue, w = warnings only
#   all         E = the tool crashed or reported an error for the file, - = nothing
# usage: bench/modelscan-peers.sh [--no-build]
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo/crates/custody-modelsec/tests/corpus
venv=$repo/target/peers-venv
if [ "${1:-}" != "--no-build" ]; then
  cargo build --release --locked --quiet -p custody || exit 2
fi
custody=$repo/target/release/custody
[ -x "$custody" ] || { echo "no $custody; build it first" >&2; exit 2; }
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || exit 2
  "$venv/bin/pip" install -q --upgrade pip >/dev/null 2>&1
fi
missing=()
for pkg in picklescan==1.0.5 modelscan==0.8.8 fickling==0.1.12 modelaudit==0.2.54; do
  name=${pkg%%==*}
  if ! "$venv/bin/pip" show -q "$name" >/dev/null 2>&1 || [ "$("$venv/bin/pip" show "$name" 2>/dev/null | sed -n 's/^Version: //p')" != "${pkg##*==}" ]; then
    if ! "$venv/bin/pip" install -q "$pkg" >/dev/null 2>&1; then
      echo "warning: $pkg did not install on $(python3 --version); continuing without it" >&2
      missing+=("$name")
    fi
  fi
done
# ModelAudit sends telemetry unless told not to.
export PROMPTFOO_DISABLE_TELEMETRY=1 NO_ANALYTICS=1 DO_NOT_TRACK=1
"$venv/bin/python" - "$corpus" "$custody" "$venv/bin" "${missing[@]}" <<'PY'
import json, os, subprocess, sys, tempfile, time

corpus, custody, vbin, missing = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4:])
files = []
for kind in ("malicious", "benign", "suspicious"):
    d = os.path.join(corpus, kind)
    files += [(kind, os.path.join(d, f)) for f in sorted(os.listdir(d))]

def run(cmd, timeout=300):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timeout"
    except FileNotFoundError as e:
        return None, "", str(e)

verdict = {}   # tool -> path -> symbol
timing = {}

def per_file(tool, mk, judge):
    t0 = time.perf_counter()
    out = {}
    for _, f in files:
        rc, so, se = run(mk(f))
        out[f] = judge(rc, so, se)
    timing[tool] = time.perf_counter() - t0
    verdict[tool] = out

def custody_judge(rc, so, se):
    try:
        v = json.loads(so)
    except ValueError:
        return "E"
    sev = v.get("max_severity")
    if sev in ("high", "critical"):
        return "X"
    if not v.get("inspected", True):
        return "u"
    return "m" if sev else "-"

per_file("custody", lambda f: [custody, "inspect", f, "--format", "json", "--fail-on", "critical", "--allow-uninspectable"], custody_judge)

if "picklescan" not in missing:
    def ps(rc, so, se):
        if rc == 1 and "dangerous import" in so:
            return "X"
        if "Traceback" in se or rc not in (0, 1):
            return "E"
        return "s" if "suspicious import" in so else "-"
    per_file("picklescan", lambda f: [f"{vbin}/picklescan", "-p", f], ps)

if "fickling" not in missing:
    def fk(rc, so, se):
        if "Traceback" in se or rc is None:
            return "E"
        return "X" if rc == 1 else ("-" if rc == 0 else "E")
    per_file("fickling", lambda f: [f"{vbin}/fickling", "--check-safety", f], fk)

def dir_run(tool, cmd_for, parse):
    out = {f: "-" for _, f in files}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rep = os.path.join(tmp, "report.json")
        for kind in ("malicious", "benign", "suspicious"):
            rc, so, se = run(cmd_for(os.path.join(corpus, kind), rep), timeout=1800)
            try:
                with open(rep) as fh:
                    parse(json.load(fh), os.path.join(corpus, kind), out)
            except (OSError, ValueError):
                for _, f in files:
                    if f.startswith(os.path.join(corpus, kind) + os.sep):
                        out[f] = "E"
            if os.path.exists(rep):
                os.remove(rep)
    timing[tool] = time.perf_counter() - t0
    verdict[tool] = out

def match(path, base, out):
    path = path.split(" (pos")[0]
    for f in out:
        rel = os.path.relpath(f, base)
        if path == f or path == rel or path.startswith(f + ":") or path.startswith(rel + ":") or os.path.basename(path.split(":")[0]) == os.path.basename(f) and f.startswith(base):
            return f
    return None

if "modelscan" not in missing:
    # One process per file: on a directory, one unreadable file aborts modelscan's whole run.
    report = os.path.join(tempfile.mkdtemp(), "modelscan.json")
    def ms(rc, so, se):
        try:
            with open(report) as fh:
                d = json.load(fh)
            os.remove(report)
        except (OSError, ValueError):
            return "E"
        if d.get("issues"):
            return "X"
        if d.get("errors"):
            return "E"
        return "s" if (d.get("summary", {}).get("skipped", {}) or {}).get("total_skipped") else "-"
    per_file("modelscan", lambda f: [f"{vbin}/modelscan", "-p", f, "-r", "json", "-o", report, "--show-skipped"], ms)

if "modelaudit" not in missing:
    def map_(d, base, out):
        for i in d.get("issues", []):
            f = match(i.get("location") or "", base, out)
            if not f:
                continue
            sev = i.get("severity")
            if sev == "critical":
                out[f] = "X"
            elif sev == "warning" and out[f] == "-":
                out[f] = "w"
    dir_run("modelaudit", lambda d, rep: [f"{vbin}/modelaudit", "scan", d, "--format", "json", "-o", rep], map_)

tools = list(verdict)
flag = lambda t, s: s == "X" or (t == "custody" and s == "u")
print(f"{'file':<46} " + " ".join(f"{t[:10]:>10}" for t in tools))
for kind, f in files:
    name = f"{kind[:3]}/{os.path.basename(f)}"[:46]
    print(f"{name:<46} " + " ".join(f"{verdict[t][f]:>10}" for t in tools))
print()
mal = [f for k, f in files if k == "malicious"]
ben = [f for k, f in files if k == "benign"]
print(f"{'tool':<12} {'malicious flagged':>18} {'benign flagged':>15} {'errors':>7} {'wall time':>10} {'vs custody':>11}")
for t in tools:
    m = sum(flag(t, verdict[t][f]) for f in mal)
    b = sum(flag(t, verdict[t][f]) for f in ben)
    e = sum(verdict[t][f] == "E" for _, f in files)
    ratio = timing[t] / timing["custody"] if timing["custody"] > 0 else float("nan")
    print(f"{t:<12} {m:>11} of {len(mal):<4} {b:>8} of {len(ben):<4} {e:>7} {timing[t]:>9.2f}s {ratio:>10.1f}x")
missed = [f for f in mal if not flag("custody", verdict["custody"][f]) and any(flag(t, verdict[t][f]) for t in tools if t != "custody")]
only = [f for f in mal if flag("custody", verdict["custody"][f]) and not any(flag(t, verdict[t][f]) for t in tools if t != "custody")]
print(f"\nmalicious files a peer flags and custody does not: {len(missed)}")
for f in missed:
    print("  " + os.path.relpath(f, corpus))
print(f"malicious files only custody flags: {len(only)}")
bad = [f for f in ben if flag("custody", verdict["custody"][f])]
print(f"benign files custody flags high/critical: {len(bad)}")
for t in ("picklescan", "modelaudit"):
    if t in timing:
        target = 10 if t == "picklescan" else 50
        r = timing[t] / timing["custody"]
        print(f"speed vs {t}: {r:.1f}x (target >= {target}x): {'ok' if r >= target else 'below target'}")
sys.exit(1 if missed or bad else 0)
PY

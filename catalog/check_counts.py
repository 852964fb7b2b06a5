#!/usr/bin/env python3
"""Sanity check for catalog/provisions.toml against the counts in the research note (section 2 and 7).

Usage: python3 catalog/check_counts.py [path/to/provisions.toml]
Prints the counts and exits non-zero if any expectation fails.
"""
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

PATH = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("provisions.toml")

ID_RE = re.compile(r"^5\.[1-5]\.[1-9]-[1-9][0-9]*(\.[1-9][0-9]*)?$")
PHASES = {"design", "development", "deployment", "maintenance", "end-of-life"}
OBLIGED_ROLES = {"developer", "system-operator", "data-custodian", "end-user", "organisation"}
INFORMED_ROLES = {"developer", "system-operator", "data-custodian", "end-user", "affected-entity"}
EVIDENCE_KINDS = {"document", "record", "log", "config", "hash", "test-report"}
PROVISION_KEYS = {"id", "uk", "modality", "obliged", "informed", "summary", "evidence",
                  "evidence_examples", "automation", "conditions"}

# principle number -> (clause, total, shall, should, phase)   (research note section 2)
EXPECTED_PRINCIPLES = {
    1: ("5.1.1", 5, 4, 1, "design"),
    2: ("5.1.2", 9, 8, 1, "design"),
    3: ("5.1.3", 7, 5, 2, "design"),
    4: ("5.1.4", 5, 1, 4, "design"),
    5: ("5.2.1", 7, 6, 1, "development"),
    6: ("5.2.2", 6, 5, 1, "development"),
    7: ("5.2.3", 6, 6, 0, "development"),
    8: ("5.2.4", 6, 3, 3, "development"),
    9: ("5.2.5", 6, 2, 4, "development"),
    10: ("5.3.1", 5, 4, 1, "deployment"),
    11: ("5.4.1", 4, 2, 2, "maintenance"),
    12: ("5.4.2", 4, 1, 3, "maintenance"),
    13: ("5.5.1", 2, 2, 0, "end-of-life"),
}
# role -> (total, shall, should)   (research note section 7, "Obligated" column)
EXPECTED_OBLIGED = {
    "developer": (53, 35, 18),
    "system-operator": (44, 33, 11),
    "data-custodian": (6, 6, 0),
    "end-user": (1, 1, 0),
    "organisation": (6, 4, 2),
}
EXPECTED_PHASES = {"design": 4, "development": 5, "deployment": 1, "maintenance": 2, "end-of-life": 1}

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def id_key(pid):
    clause, rest = pid.split("-", 1)
    return tuple(int(x) for x in clause.split(".")) + tuple(int(x) for x in rest.split("."))


with PATH.open("rb") as f:
    data = tomllib.load(f)

check(data.get("version") == "EN 304 223 V2.1.1", f"version is {data.get('version')!r}")
principles = data.get("principle", [])
provisions = data.get("provision", [])

# --- principles ---
print(f"principles: {len(principles)}")
check(len(principles) == 13, "expected 13 principles")
check([p.get("number") for p in principles] == list(range(1, 14)), "principles not numbered 1..13 in order")
clauses = {}
for p in principles:
    for k in ("number", "clause", "title", "phase", "summary"):
        check(k in p, f"principle {p.get('number')}: missing {k}")
    check(p.get("phase") in PHASES, f"principle {p.get('number')}: bad phase {p.get('phase')!r}")
    exp = EXPECTED_PRINCIPLES.get(p.get("number"))
    if exp:
        check(p.get("clause") == exp[0], f"principle {p['number']}: clause {p.get('clause')} != {exp[0]}")
        check(p.get("phase") == exp[4], f"principle {p['number']}: phase {p.get('phase')} != {exp[4]}")
    clauses[p.get("clause")] = p.get("number")
check(len(clauses) == len(principles), "duplicate principle clauses")
phase_counts = Counter(p.get("phase") for p in principles)
print("phases: " + ", ".join(f"{ph} {phase_counts.get(ph, 0)}" for ph in EXPECTED_PHASES))
check(dict(phase_counts) == EXPECTED_PHASES, f"phase counts {dict(phase_counts)} != {EXPECTED_PHASES}")

# --- provisions ---
ids = [p.get("id") for p in provisions]
modality = Counter(p.get("modality") for p in provisions)
top = sum(1 for i in ids if i and "." not in i.split("-", 1)[1])
sub = len(ids) - top
print(f"provisions: {len(provisions)} (shall {modality['shall']}, should {modality['should']}); "
      f"top-level {top}, sub-provisions {sub}")
check(len(provisions) == 72, "expected 72 provisions")
check(modality["shall"] == 49 and modality["should"] == 23 and len(modality) == 2,
      f"modality counts {dict(modality)} != shall 49 / should 23")
check(top == 51 and sub == 21, "expected 51 top-level and 21 sub-provisions")
check(len(set(ids)) == len(ids), f"duplicate ids: {[i for i, c in Counter(ids).items() if c > 1]}")
check(ids == sorted(ids, key=id_key), "provisions are not in document order")

per_principle = {n: Counter() for n in EXPECTED_PRINCIPLES}
obliged = {r: Counter() for r in EXPECTED_OBLIGED}
informed = Counter()
for p in provisions:
    pid = p.get("id", "?")
    check(set(p) <= PROVISION_KEYS, f"{pid}: unexpected keys {sorted(set(p) - PROVISION_KEYS)}")
    check(bool(ID_RE.match(pid)), f"{pid}: id does not match pattern")
    clause = pid.split("-", 1)[0]
    check(clause in clauses, f"{pid}: clause {clause} has no principle")
    num = clauses.get(clause)
    # UK id: principle number + same n[.m] suffix
    check(p.get("uk") == f"{num}.{pid.split('-', 1)[1]}", f"{pid}: uk id {p.get('uk')!r} does not follow rule")
    m = p.get("modality")
    check(m in ("shall", "should"), f"{pid}: bad modality {m!r}")
    if num in per_principle:
        per_principle[num][m] += 1
    ob, inf = p.get("obliged", []), p.get("informed", [])
    check(len(ob) > 0 and set(ob) <= OBLIGED_ROLES and len(set(ob)) == len(ob), f"{pid}: bad obliged {ob}")
    check(set(inf) <= INFORMED_ROLES and len(set(inf)) == len(inf), f"{pid}: bad informed {inf}")
    check(not (set(ob) & set(inf)), f"{pid}: role both obliged and informed")
    for r in ob:
        if r in obliged:
            obliged[r][m] += 1
    for r in inf:
        informed[r] += 1
    summ = p.get("summary", "")
    check(isinstance(summ, str) and 0 < len(summ) <= 200, f"{pid}: summary length {len(summ)}")
    ev = p.get("evidence", [])
    check(len(ev) > 0 and set(ev) <= EVIDENCE_KINDS, f"{pid}: bad evidence {ev}")
    ex = p.get("evidence_examples", [])
    check(1 <= len(ex) <= 3 and all(isinstance(x, str) and x for x in ex), f"{pid}: need 1-3 evidence_examples")
    check(p.get("automation") == [], f"{pid}: automation must be empty")
    cond = p.get("conditions", {})
    check(all(isinstance(v, str) and v for v in cond.values()), f"{pid}: conditions must be non-empty strings")
    check(set(cond) <= set(ob), f"{pid}: condition keys {sorted(cond)} not among obliged roles")

print("per principle (total shall/should):")
for n, (clause, tot, sh, sd, _) in EXPECTED_PRINCIPLES.items():
    c = per_principle[n]
    got = (c["shall"] + c["should"], c["shall"], c["should"])
    print(f"  {n:>2} {clause}: {got[0]} ({got[1]}/{got[2]})")
    check(got == (tot, sh, sd), f"principle {n}: got {got}, expected {(tot, sh, sd)}")

print("obliged (total shall/should):")
for r, exp in EXPECTED_OBLIGED.items():
    c = obliged[r]
    got = (c["shall"] + c["should"], c["shall"], c["should"])
    print(f"  {r}: {got[0]} ({got[1]}/{got[2]})")
    check(got == exp, f"obliged {r}: got {got}, expected {exp}")
print("informed: " + ", ".join(f"{r} {informed[r]}" for r in sorted(INFORMED_ROLES)))

if errors:
    print(f"\nFAILED ({len(errors)} problem(s)):")
    for e in errors:
        print("  - " + e)
    sys.exit(1)
print("\nOK: all checks passed")

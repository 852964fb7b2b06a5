#!/usr/bin/env python3
"""Independent verifier for custody audit exports (format "custody-audit-export/v1").

Written from the specifications, sharing no code with custody (Rust):
  - RFC 9162 §2.1 Merkle Tree Hash, inclusion (§2.1.3.2) and consistency (§2.1.4.2)
    verification;
  - C2SP signed-note (https://c2sp.org/signed-note) and tlog-checkpoint
    (https://c2sp.org/tlog-checkpoint), Ed25519 via PyNaCl (libsodium);
  - RFC 8785 JCS via the `rfc8785` package (Trail of Bits), to check that every entry is
    canonical.

Usage: interop-audit-proofs.py EXPORT.json
Prints one line per failed check and a summary. Exit 0: everything verifies; 1: something
does not; 2: the file cannot be read as JSON; 3: internal error (a bug in this script).

Checks:
  1. vkey: "<name>+<8 hex key ID>+<base64(0x01 || 32-byte Ed25519 key)>", key ID =
     SHA-256(name || 0x0A || 0x01 || key)[:4].
  2. entries[i]: base64 of UTF-8 JSON that is an object with exactly the members actor, at,
     attachment_sha256, kind, payload, role, seq (seq == i), plus an optional string
     recorded_at (the wall clock when the time was injected), and is byte-for-byte its own
     RFC 8785 canonical form. Leaf hash = SHA-256(0x00 || bytes).
  3. checkpoints: each a signed note with a valid Ed25519 signature by the vkey (after a key
     rotation: by a key of key_history whose from_size..to_size holds its size), a strict
     checkpoint body (origin, size without leading zeros, base64 32-byte root), all with one
     origin, size <= number of entries, root == MTH of the first `size` entries.
  4. inclusion_proofs: leaf_hash == hash of entries[index], root == MTH(first tree_size
     entries) == the root of a verified checkpoint of that size, proof verifies.
  5. consistency_proofs: old_root / new_root == MTH at old_size / new_size == roots of
     verified checkpoints of those sizes, proof verifies.
"""

import base64
import binascii
import hashlib
import json
import sys

try:
    import nacl.exceptions
    import nacl.signing
    import rfc8785
except ImportError as e:  # pragma: no cover
    sys.exit(f"interop-audit-proofs: missing Python package ({e}); run scripts/interop-audit, which installs them")

FORMAT = "custody-audit-export/v1"
ENTRY_KEYS = {"actor", "at", "attachment_sha256", "kind", "payload", "role", "seq"}
EM_DASH_PREFIX = "\u2014 "
MAX_NOTE = 1 << 20


class Failure(Exception):
    pass


# ---- encodings ------------------------------------------------------------------------------


def b64decode(text, what):
    if not isinstance(text, str):
        raise Failure(f"{what}: not a string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise Failure(f"{what}: not base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise Failure(f"{what}: not canonical base64")
    return raw


def hash32(text, what):
    raw = b64decode(text, what)
    if len(raw) != 32:
        raise Failure(f"{what}: {len(raw)} bytes, not 32")
    return raw


# ---- RFC 9162 ---------------------------------------------------------------------------------


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaves, lo, hi):
    """MTH(D[lo:hi]) by the recursive definition (k = largest power of two < n)."""
    n = hi - lo
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[lo]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi))


def roots_at(leaves, sizes):
    """Roots of the first s leaves for every s in sizes, in one pass with a stack of perfect
    subtrees (then cross-checked against the recursive MTH for the full size)."""
    wanted = set(sizes)
    out = {}
    stack = []  # (height, hash)

    def current():
        if not stack:
            return sha256(b"")
        acc = stack[-1][1]
        for _, h in reversed(stack[:-1]):
            acc = node_hash(h, acc)
        return acc

    if 0 in wanted:
        out[0] = current()
    for i, leaf in enumerate(leaves):
        stack.append((0, leaf))
        while len(stack) >= 2 and stack[-1][0] == stack[-2][0]:
            (height, right), (_, left) = stack.pop(), stack.pop()
            stack.append((height + 1, node_hash(left, right)))
        if i + 1 in wanted:
            out[i + 1] = current()
    n = len(leaves)
    if n in out and out[n] != mth(leaves, 0, n):
        raise Failure("internal: incremental and recursive roots differ")
    return out


def verify_inclusion(leaf, index, size, proof, root):
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, root1, root2, proof):
    if second < first or first <= 0:
        return False
    if first == second:
        return not proof and root1 == root2
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [root1] + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


# ---- C2SP signed note and checkpoint ----------------------------------------------------------


def valid_key_name(name):
    return name != "" and "+" not in name and not any(c.isspace() or ord(c) < 0x20 for c in name)


def parse_vkey(text):
    if not isinstance(text, str):
        raise Failure("vkey: not a string")
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise Failure("vkey: not name+keyid+key")
    name, keyid_hex, key64 = parts
    if not valid_key_name(name):
        raise Failure("vkey: invalid key name")
    if len(keyid_hex) != 8 or any(c not in "0123456789abcdefABCDEF" for c in keyid_hex):
        raise Failure("vkey: key ID is not 8 hex digits")
    raw = b64decode(key64, "vkey key")
    if len(raw) != 33 or raw[0] != 0x01:
        raise Failure("vkey: not an Ed25519 key (type 0x01, 32 bytes)")
    keyid = bytes.fromhex(keyid_hex)
    if sha256(name.encode() + b"\n" + raw)[:4] != keyid:
        raise Failure("vkey: key ID does not match the key")
    try:
        verify_key = nacl.signing.VerifyKey(raw[1:])
    except Exception:
        raise Failure("vkey: not an Ed25519 public key") from None
    return name, keyid, verify_key


def open_note(note, vkey):
    """Returns the signed text of a note that carries a valid signature by vkey."""
    name, keyid, verify_key = vkey
    if not isinstance(note, str) or len(note.encode()) > MAX_NOTE:
        raise Failure("not a string of reasonable size")
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise Failure("control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise Failure("no blank line before the signatures")
    text, sigs = note[: split + 1], note[split + 2 :]
    if not sigs.endswith("\n") or sigs == "\n" or sigs == "":
        raise Failure("no signature lines")
    good = 0
    lines = sigs[:-1].split("\n")
    if len(lines) > 100:
        raise Failure("too many signature lines")
    for line in lines:
        if not line.startswith(EM_DASH_PREFIX):
            raise Failure(f"malformed signature line {line!r}")
        rest = line[len(EM_DASH_PREFIX) :]
        if " " not in rest:
            raise Failure("malformed signature line")
        sig_name, sig64 = rest.split(" ", 1)
        if not valid_key_name(sig_name):
            raise Failure("malformed signature line: key name")
        raw = b64decode(sig64, "signature")
        if len(raw) < 5:
            raise Failure("signature too short")
        if sig_name != name or raw[:4] != keyid:
            continue  # another key's signature: ignored
        try:
            verify_key.verify(text.encode("utf-8"), raw[4:])
        except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
            raise Failure("signature does not verify") from None
        good += 1
    if good == 0:
        raise Failure("no signature by the log key")
    return text


def parse_checkpoint(text):
    if not text.endswith("\n"):
        raise Failure("checkpoint text does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise Failure("checkpoint has fewer than 3 lines")
    origin, size_text, root64 = lines[0], lines[1], lines[2]
    if origin == "":
        raise Failure("empty origin")
    if not size_text.isascii() or not size_text.isdigit() or (len(size_text) > 1 and size_text[0] == "0"):
        raise Failure(f"bad size {size_text!r}")
    size = int(size_text)
    if size >= 1 << 64:
        raise Failure("size too large")
    root = hash32(root64, "checkpoint root")
    if any(line == "" for line in lines[3:]):
        raise Failure("empty extension line")
    return origin, size, root


# ---- entries ----------------------------------------------------------------------------------


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Failure(f"duplicate member {k!r}")
        obj[k] = v
    return obj


def _parse_int(text):
    value = int(text)
    # JCS numbers are doubles, and rfc8785 refuses Python ints beyond 2^53 - 1: read those as
    # the double they denote (canonical text of a large double is its shortest digits padded
    # with zeros, e.g. 1e20 -> 100000000000000000000); the canonical-form comparison below
    # then rejects any integer text that is not that double's canonical text.
    if abs(value) > (1 << 53) - 1:
        return float(text)
    return value


def _reject_constant(name):
    raise Failure(f"non-JSON number {name}")


def check_entry(raw, index):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure("not UTF-8") from None
    try:
        obj = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_int=_parse_int, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as e:
        raise Failure(f"not JSON ({e.msg})") from None
    if not isinstance(obj, dict) or set(obj) - {"recorded_at"} != ENTRY_KEYS:
        raise Failure(
            "not an object with exactly the members " + ", ".join(sorted(ENTRY_KEYS)) + " (and optionally recorded_at)"
        )
    if "recorded_at" in obj and not isinstance(obj["recorded_at"], str):
        raise Failure("recorded_at is not a string")
    if type(obj["seq"]) is not int or obj["seq"] != index:
        raise Failure(f"seq is {obj['seq']!r}, expected {index}")
    for key in ("actor", "at", "kind"):
        if not isinstance(obj[key], str):
            raise Failure(f"{key} is not a string")
    for key in ("role", "attachment_sha256"):
        if obj[key] is not None and not isinstance(obj[key], str):
            raise Failure(f"{key} is neither a string nor null")
    try:
        canonical = rfc8785.dumps(obj)
    except Exception as e:
        raise Failure(f"has no RFC 8785 form ({type(e).__name__}: {e})") from None
    if canonical != raw:
        raise Failure("is not in RFC 8785 canonical form")


# ---- the export -------------------------------------------------------------------------------


def verify_export(doc):
    failures = []
    counts = {"entries": 0, "checkpoints": 0, "inclusion": 0, "consistency": 0}

    def fail(msg):
        failures.append(msg)

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise Failure(f"not a {FORMAT} document")
    for key, kind in (
        ("vkey", str),
        ("entries", list),
        ("checkpoints", list),
        ("inclusion_proofs", list),
        ("consistency_proofs", list),
    ):
        if not isinstance(doc.get(key), kind):
            raise Failure(f"member {key!r} missing or not a {kind.__name__}")
    vkey = parse_vkey(doc["vkey"])
    # After a key rotation: which key signs which checkpoint sizes.
    key_ranges = None
    if "key_history" in doc:
        kh = doc["key_history"]
        if not isinstance(kh, list) or not kh:
            raise Failure("key_history is not a non-empty list")
        key_ranges = []
        for j, r in enumerate(kh):
            ok = isinstance(r, dict) and type(r.get("from_size")) is int
            ok = ok and ("to_size" not in r or type(r["to_size"]) is int)
            if not ok:
                raise Failure(f"key_history[{j}] is not {{vkey, from_size, to_size?}}")
            if j > 0 and key_ranges[-1][1] != r["from_size"]:
                raise Failure(f"key_history[{j}] does not start where the previous key stopped")
            key_ranges.append((r["from_size"], r.get("to_size"), parse_vkey(r.get("vkey"))))
        if kh[0]["from_size"] != 0 or "to_size" in kh[-1] or kh[-1].get("vkey") != doc["vkey"]:
            raise Failure("key_history must start at size 0 and end with the current vkey, open-ended")

    def open_checkpoint(note):
        if key_ranges is None:
            return parse_checkpoint(open_note(note, vkey))
        split = note.rfind("\n\n") if isinstance(note, str) else -1
        if split < 0:
            raise Failure("not a signed note")
        size = parse_checkpoint(note[: split + 1])[1]
        errors = []
        for lo, hi, k in key_ranges:
            if size < lo or (hi is not None and size > hi):
                continue
            try:
                return parse_checkpoint(open_note(note, k))
            except Failure as f:
                errors.append(str(f))
        raise Failure(f"no key of the log that may sign size {size} signed it ({'; '.join(errors) or 'none'})")

    entries = []
    for i, e in enumerate(doc["entries"]):
        try:
            raw = b64decode(e, f"entries[{i}]")
            entries.append(raw)
            check_entry(raw, i)
            counts["entries"] += 1
        except Failure as f:
            fail(f"entries[{i}]: {f}")
            if len(entries) == i:
                entries.append(b"\xff<undecodable>")
    leaves = [leaf_hash(e) for e in entries]
    n = len(leaves)

    cps = []  # (index, origin, size, root)
    for i, note in enumerate(doc["checkpoints"]):
        try:
            origin, size, root = open_checkpoint(note)
            cps.append((i, origin, size, root))
        except Failure as f:
            fail(f"checkpoints[{i}]: {f}")

    def proof_sizes():
        for p in doc["inclusion_proofs"]:
            if isinstance(p, dict) and isinstance(p.get("tree_size"), int):
                yield p["tree_size"]
        for p in doc["consistency_proofs"]:
            if isinstance(p, dict):
                for k in ("old_size", "new_size"):
                    if isinstance(p.get(k), int):
                        yield p[k]

    sizes = {c[2] for c in cps if c[2] <= n} | {s for s in proof_sizes() if 0 <= s <= n}
    roots = roots_at(leaves, sizes)

    signed = {}  # size -> root, from checkpoints that verified and match the entries
    origins = {c[1] for c in cps}
    if len(origins) > 1:
        fail(f"checkpoints name {len(origins)} different origins: {sorted(origins)}")
    for i, origin, size, root in cps:
        if size > n:
            fail(f"checkpoints[{i}]: signs {size} entries, the export has {n} (entries removed?)")
        elif roots[size] != root:
            fail(f"checkpoints[{i}]: root of the first {size} entries differs from the signed root")
        else:
            signed[size] = root
            counts["checkpoints"] += 1

    def anchored(size, root, what):
        if size not in signed:
            raise Failure(f"{what} size {size} is not the size of a verified checkpoint")
        if signed[size] != root:
            raise Failure(f"{what} root differs from the signed root")

    for i, p in enumerate(doc["inclusion_proofs"]):
        try:
            if not isinstance(p, dict):
                raise Failure("not an object")
            index, size = p.get("index"), p.get("tree_size")
            if type(index) is not int or type(size) is not int or not 0 <= index < size <= n:
                raise Failure(f"bad index/tree_size {index!r}/{size!r} for {n} entries")
            leaf = hash32(p.get("leaf_hash"), "leaf_hash")
            root = hash32(p.get("root"), "root")
            if not isinstance(p.get("proof"), list):
                raise Failure("proof is not a list")
            proof = [hash32(x, "proof element") for x in p["proof"]]
            if leaf != leaves[index]:
                raise Failure(f"leaf_hash is not the hash of entries[{index}]")
            if root != roots[size]:
                raise Failure(f"root is not the root of the first {size} entries")
            anchored(size, root, "tree")
            if not verify_inclusion(leaf, index, size, proof, root):
                raise Failure("proof does not verify")
            counts["inclusion"] += 1
        except Failure as f:
            fail(f"inclusion_proofs[{i}]: {f}")

    for i, p in enumerate(doc["consistency_proofs"]):
        try:
            if not isinstance(p, dict):
                raise Failure("not an object")
            old, new = p.get("old_size"), p.get("new_size")
            if type(old) is not int or type(new) is not int or not 0 < old <= new <= n:
                raise Failure(f"bad sizes {old!r} -> {new!r} for {n} entries")
            r1 = hash32(p.get("old_root"), "old_root")
            r2 = hash32(p.get("new_root"), "new_root")
            if not isinstance(p.get("proof"), list):
                raise Failure("proof is not a list")
            proof = [hash32(x, "proof element") for x in p["proof"]]
            if r1 != roots[old] or r2 != roots[new]:
                raise Failure("roots are not those of the entries")
            anchored(old, r1, "old tree")
            anchored(new, r2, "new tree")
            if not verify_consistency(old, new, r1, r2, proof):
                raise Failure("proof does not verify")
            counts["consistency"] += 1
        except Failure as f:
            fail(f"consistency_proofs[{i}]: {f}")

    if not cps:
        fail("no checkpoint: nothing in the export is signed")
    unanchored = n - max(signed, default=0)
    return failures, counts, unanchored


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        print(f"interop-audit-proofs: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2
    try:
        failures, counts, unanchored = verify_export(doc)
    except Failure as f:
        print(f"FAIL {argv[1]}: {f}")
        return 1
    except Exception as e:  # a bug here must not pass for a rejection (exit 1)
        print(f"ERROR {argv[1]}: internal error {e!r}", file=sys.stderr)
        return 3
    for msg in failures:
        print(f"FAIL {msg}")
    summary = (
        f"{counts['entries']} entries, {counts['checkpoints']} checkpoints, "
        f"{counts['inclusion']} inclusion proofs, {counts['consistency']} consistency proofs verified"
    )
    if unanchored:
        summary += f"; {unanchored} newest entries not yet covered by a checkpoint"
    if failures:
        print(f"FAIL {argv[1]}: {len(failures)} problem(s); {summary}")
        return 1
    print(f"OK   {argv[1]}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

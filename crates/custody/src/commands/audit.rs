//! `custody audit verify | prove | consistency | export | log`.

use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_audit::{Entry, Export, Hash, Problem, VerifierKey};
use custody_cli::{AuditCommand, Format, GlobalArgs};
use custody_store::Store;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

fn hex(h: &[u8]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn run(g: &GlobalArgs, cmd: &AuditCommand, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store(g, &ws)?;
    match cmd {
        AuditCommand::Verify { format } => verify(store.as_ref(), *format, out),
        AuditCommand::Log { format } => log(store.as_ref(), *format, out),
        AuditCommand::Prove { n } => prove(store.as_ref(), *n, out),
        AuditCommand::Consistency { old, new } => consistency(store.as_ref(), *old, *new, out),
        AuditCommand::Export { out: path } => export(store.as_ref(), path.as_deref(), out),
    }
}

fn vkey(store: &dyn Store) -> Result<VerifierKey, Failure> {
    let text = store
        .audit_vkey()?
        .ok_or_else(|| Failure::with_hint("this store has no audit log key yet", "run `custody init` to create it"))?;
    VerifierKey::parse(&text).map_err(|e| Failure::new(format!("the stored audit verifier key is unusable: {e}")))
}

/// Stored leaf hashes, in order.
fn leaves(entries: &[(Entry, Vec<u8>)]) -> Result<Vec<Hash>, Failure> {
    entries
        .iter()
        .map(|(e, l)| {
            <[u8; 32]>::try_from(l.as_slice())
                .map_err(|_| Failure::new(format!("entry {} has a malformed leaf hash", e.seq)))
        })
        .collect()
}

/// Every check `custody audit verify` makes, as problems in words (empty: all good).
pub fn check(store: &dyn Store) -> Result<(Vec<String>, custody_audit::Report), Failure> {
    let key = vkey(store)?;
    let entries = store.audit_entries()?;
    let mut problems = Vec::new();
    // 1. Each entry still hashes to the leaf logged when it was written.
    for (e, stored) in &entries {
        match e.leaf_hash() {
            Ok(h) if h.as_slice() == stored.as_slice() => {}
            Ok(_) => problems.push(format!(
                "entry {}: its content no longer matches the leaf hash logged when it was written",
                e.seq
            )),
            Err(err) => problems.push(format!("entry {}: no canonical form ({err})", e.seq)),
        }
    }
    // 2. The tree, the sequence and every signed checkpoint.
    let notes: Vec<String> = store.audit_checkpoints()?.into_iter().map(|(_, n)| n).collect();
    let report = custody_audit::verify_log(entries.iter().map(|(e, _)| e.clone()), &notes, &key);
    for p in &report.problems {
        problems.push(match p {
            Problem::BadCheckpoint { checkpoint, error } => format!("checkpoint {checkpoint}: {error}"),
            Problem::OriginMismatch { checkpoint, expected, found } => {
                format!("checkpoint {checkpoint} names log `{found}`, not `{expected}`")
            }
            Problem::Sequence { position, expected, found } => {
                format!("at position {position} the log has entry {found} where {expected} was due: an entry was deleted, inserted or moved")
            }
            Problem::NotCanonical { seq, error } => format!("entry {seq}: no canonical form ({error})"),
            Problem::RootMismatch { checkpoint, size, first_suspect } => format!(
                "checkpoint {checkpoint} signed {size} entries whose tree no longer matches: an entry from {first_suspect} to {} was changed, removed, inserted or reordered",
                size.saturating_sub(1)
            ),
            Problem::Truncated { checkpoint, size, log_size } => {
                format!("checkpoint {checkpoint} signed {size} entries but the log has {log_size}: entries were deleted")
            }
        });
    }
    // Custody signs a checkpoint after every command that appends: entries no checkpoint covers
    // were added behind its back (or a command crashed before sealing).
    if report.unanchored_entries() > 0 {
        problems.push(format!(
            "{} entr{} after the last signed checkpoint ({} entries): appended without custody, or a command was interrupted",
            report.unanchored_entries(),
            if report.unanchored_entries() == 1 { "y" } else { "ies" },
            report.verified_size.unwrap_or(0)
        ));
    }
    // 3. Records and scans agree with what the log says about them.
    let by_seq: HashMap<u64, &Entry> = entries.iter().map(|(e, _)| (e.seq, e)).collect();
    let records = store.all_records()?;
    let logged: HashSet<u64> = records.iter().map(|r| r.audit_seq).collect();
    for r in &records {
        match by_seq.get(&r.audit_seq) {
            None => problems.push(format!(
                "record {} ({} `{}`) points at audit entry {}, which is missing",
                r.id, r.kind, r.key, r.audit_seq
            )),
            Some(e) => {
                let same = e.kind == format!("record.{}", r.kind)
                    && e.payload.get("key").and_then(Value::as_str) == Some(r.key.as_str())
                    && e.payload.get("record") == Some(&r.payload)
                    && e.actor == r.actor
                    && e.at == r.at;
                if !same {
                    problems.push(format!(
                        "record {} ({} `{}`) differs from what audit entry {} logged",
                        r.id, r.kind, r.key, e.seq
                    ));
                }
            }
        }
    }
    for (e, _) in &entries {
        if e.kind.starts_with("record.") && !logged.contains(&e.seq) {
            problems.push(format!("entry {} logged a {} that is no longer in the records", e.seq, e.kind));
        }
        if e.kind == "scan"
            && let Some(id) = e.payload.get("scan").and_then(Value::as_i64)
        {
            let want = e.payload.get("content_sha256").and_then(Value::as_str);
            match store.stored_scan_digest(id)? {
                None => problems.push(format!("scan {id} (logged by entry {}) is missing", e.seq)),
                Some(d) if Some(d.as_str()) != want => {
                    problems.push(format!("scan {id}: its assets or findings differ from what entry {} logged", e.seq))
                }
                Some(_) => {}
            }
        }
    }
    Ok((problems, report))
}

fn verify(store: &dyn Store, format: Format, out: &mut Output) -> CmdResult {
    let (problems, report) = check(store)?;
    match format {
        Format::Json => out.json(&json!({
            "schema": "custody.audit-verify/v1",
            "entries": report.entries,
            "root": hex(&report.root),
            "checkpoints": report.checkpoints,
            "checkpoints_verified": report.checkpoints_verified,
            "verified_size": report.verified_size,
            "unanchored_entries": report.unanchored_entries(),
            "ok": problems.is_empty(),
            "problems": problems,
        }))?,
        Format::Table => {
            out.line(&format!(
                "audit log: {} entries, root {}; {} of {} checkpoints verified{}",
                report.entries,
                hex(&report.root),
                report.checkpoints_verified,
                report.checkpoints,
                report.verified_size.map(|s| format!(" (the latest covers {s} entries)")).unwrap_or_default()
            ))?;
            if problems.is_empty() {
                out.line(&out.paint("OK: every entry, checkpoint, record and scan matches", Style::Bold))?;
            } else {
                out.line(&out.paint(&format!("TAMPERING OR DAMAGE: {} problem(s)", problems.len()), Style::Red))?;
                for p in &problems {
                    out.line(&format!("  - {p}"))?;
                }
            }
        }
    }
    Ok(if problems.is_empty() { Outcome::Ok } else { Outcome::PolicyFailure })
}

fn log(store: &dyn Store, format: Format, out: &mut Output) -> CmdResult {
    let entries = store.audit_entries()?;
    match format {
        Format::Json => out.json(&json!({
            "schema": "custody.audit-log/v1",
            "entries": entries.iter().map(|(e, l)| { let mut v = e.to_value(); v["leaf_hash"] = hex(l).into(); v }).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            for (e, _) in &entries {
                let mut p = e.payload.to_string();
                if p.len() > 100 {
                    p = format!("{}…", p.chars().take(100).collect::<String>());
                }
                out.line(&format!("{:>5}  {}  {:<12} {:<16} {:<22} {p}", e.seq, e.at, e.actor, e.role.as_deref().unwrap_or("-"), e.kind))?;
            }
        }
    }
    Ok(Outcome::Ok)
}

fn latest_checkpoint(store: &dyn Store) -> Result<(u64, String), Failure> {
    store
        .audit_checkpoints()?
        .pop()
        .ok_or_else(|| Failure::with_hint("no signed checkpoint yet", "any command that changes the store signs one"))
}

fn prove(store: &dyn Store, n: u64, out: &mut Output) -> CmdResult {
    let entries = store.audit_entries()?;
    let leaves = leaves(&entries)?;
    let (size, note) = latest_checkpoint(store)?;
    if n >= size {
        return Err(Failure::with_hint(
            format!("entry {n} is not covered by the latest checkpoint ({size} entries)"),
            "entries are checkpointed after each command; pick an entry below the checkpoint size",
        ));
    }
    let prefix = leaves
        .get(..usize::try_from(size).unwrap_or(usize::MAX))
        .ok_or_else(|| Failure::new("the log is shorter than its checkpoint"))?;
    let proof = custody_audit::inclusion_proof(prefix, n).map_err(|e| Failure::new(e.to_string()))?;
    let root = custody_audit::root(prefix);
    let (entry, leaf) = &entries[usize::try_from(n).unwrap_or(0)];
    out.json(&json!({
        "schema": "custody.audit-inclusion/v1",
        "index": n,
        "tree_size": size,
        "entry": entry.to_value(),
        "leaf_hash": hex(leaf),
        "root": hex(&root),
        "proof": proof.iter().map(|h| hex(h)).collect::<Vec<_>>(),
        "checkpoint": note,
    }))?;
    Ok(Outcome::Ok)
}

fn consistency(store: &dyn Store, old: u64, new: u64, out: &mut Output) -> CmdResult {
    let entries = store.audit_entries()?;
    let leaves = leaves(&entries)?;
    if old > new || new > leaves.len() as u64 {
        return Err(Failure::with_hint(
            format!("need OLD <= NEW <= {} (the log size)", leaves.len()),
            "use checkpoint sizes (`custody audit log`)",
        ));
    }
    let newp = &leaves[..usize::try_from(new).unwrap_or(0)];
    let proof = custody_audit::consistency_proof(newp, old).map_err(|e| Failure::new(e.to_string()))?;
    let notes = store.audit_checkpoints()?;
    let note = |s: u64| notes.iter().find(|(size, _)| *size == s).map(|(_, n)| n.clone());
    out.json(&json!({
        "schema": "custody.audit-consistency/v1",
        "old_size": old,
        "new_size": new,
        "old_root": hex(&custody_audit::root(&newp[..usize::try_from(old).unwrap_or(0)])),
        "new_root": hex(&custody_audit::root(newp)),
        "proof": proof.iter().map(|h| hex(h)).collect::<Vec<_>>(),
        "old_checkpoint": note(old),
        "new_checkpoint": note(new),
    }))?;
    Ok(Outcome::Ok)
}

fn export(store: &dyn Store, path: Option<&std::path::Path>, out: &mut Output) -> CmdResult {
    let key = vkey(store)?;
    let entries = store.audit_entries()?;
    let bytes: Vec<Vec<u8>> = entries
        .iter()
        .map(|(e, _)| custody_audit::canonical_bytes(e).map_err(|err| Failure::new(format!("entry {}: {err}", e.seq))))
        .collect::<Result<_, _>>()?;
    let checkpoints = store.audit_checkpoints()?;
    let sizes: Vec<u64> = checkpoints.iter().map(|(s, _)| *s).filter(|s| *s <= bytes.len() as u64).collect();
    let latest = sizes.last().copied().unwrap_or(0);
    let inclusion: Vec<(u64, u64)> = (0..latest).map(|i| (i, latest)).collect();
    let consistency: Vec<(u64, u64)> = sizes.windows(2).map(|w| (w[0], w[1])).collect();
    let notes: Vec<String> = checkpoints.into_iter().map(|(_, n)| n).collect();
    let ex = Export::build(&key, bytes, notes, &inclusion, &consistency).map_err(|e| Failure::new(e.to_string()))?;
    let text = serde_json::to_string_pretty(&ex).map_err(|e| Failure::new(e.to_string()))?;
    match path {
        Some(p) => {
            crate::fsutil::atomic_write(p, text.as_bytes()).map_err(|e| Failure::io("write", p, &e))?;
            out.line(&format!(
                "wrote {} ({} entries, {} proofs)",
                p.display(),
                ex.entries.len(),
                ex.inclusion_proofs.len() + ex.consistency_proofs.len()
            ))?;
        }
        None => out.raw(&(text + "\n"))?,
    }
    Ok(Outcome::Ok)
}

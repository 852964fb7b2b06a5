//! `custody audit verify | prove | consistency | export | log`.

use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_audit::{Export, Hash};
use custody_cli::{AuditCommand, Format, GlobalArgs};
use custody_store::Store;
use serde_json::json;

use custody_core::hex::encode as hex;

pub fn run(g: &GlobalArgs, cmd: &AuditCommand, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    if let AuditCommand::Accept { count, reason } = cmd {
        return accept(g, &ws, *count, reason, out);
    }
    if let AuditCommand::RotateKey { reason } = cmd {
        if reason.trim().is_empty() {
            return Err(Failure::with_hint("--reason is empty", "say why the key is rotated; it goes into the log"));
        }
        let mut store = workspace::open_store(g, &ws)?;
        let location = workspace::store_location(g, &ws.config_path, &ws.config)?;
        let (seq, vkey) = crate::seal::rotate_key(store.as_mut(), &location, reason, &crate::clock::now()?)?;
        out.line(&format!("rotated the audit key (audit entry {seq}); the new verifier key is {vkey}"))?;
        out.note("back up the new audit.key now: the old one was deleted and signs nothing any more");
        return Ok(Outcome::Ok);
    }
    let store = workspace::open_store_read(g, &ws)?;
    match cmd {
        AuditCommand::Verify { format, checkpoint } => {
            // Read before the store's view is taken (in `verify`): outside checkpoints only move
            // forward after a commit, so none can be newer than that view.
            let location = workspace::store_location(g, &ws.config_path, &ws.config)?;
            let outside =
                crate::seal::outside_checkpoints(&location, &workspace::witnesses(&ws, &location), checkpoint)?;
            verify(store.as_ref(), &outside, *format, out)
        }
        AuditCommand::Log { format } => log(store.as_ref(), *format, out),
        AuditCommand::Prove { n } => prove(store.as_ref(), *n, out),
        AuditCommand::Consistency { old, new } => consistency(store.as_ref(), *old, *new, out),
        AuditCommand::Export { out: path } => export(store.as_ref(), path.as_deref(), out),
        AuditCommand::Checkpoint => {
            let (_, note) = latest_checkpoint(store.as_ref())?;
            out.raw(&note)?;
            Ok(Outcome::Ok)
        }
        AuditCommand::Witness => {
            let location = workspace::store_location(g, &ws.config_path, &ws.config)?;
            let witnesses = workspace::witnesses(&ws, &location);
            if witnesses.is_empty() {
                return Err(Failure::with_hint(
                    "no witnesses are configured",
                    "add [audit] witnesses = [\"file:PATH\"] or [\"git:PATH\"] to custody.toml",
                ));
            }
            let warnings = crate::seal::publish(store.as_ref(), &location, &witnesses);
            for w in &warnings {
                out.warn(w);
            }
            if warnings.is_empty() {
                out.line(&format!("sent the latest checkpoint to {} witness(es)", witnesses.len()))?;
                Ok(Outcome::Ok)
            } else {
                Ok(Outcome::PolicyFailure)
            }
        }
        AuditCommand::Accept { .. } | AuditCommand::RotateKey { .. } => Ok(Outcome::Ok),
    }
}

fn accept(g: &GlobalArgs, ws: &workspace::Workspace, count: u64, reason: &str, out: &mut Output) -> CmdResult {
    if reason.trim().is_empty() {
        return Err(Failure::with_hint("--reason is empty", "say why the entries are genuine; it goes into the log"));
    }
    if count == 0 {
        return Err(Failure::with_hint("nothing to accept", "COUNT is the number of unsealed entries verify lists"));
    }
    let store = workspace::open_store(g, ws)?;
    let seq = store.accept_unsealed(count, reason, &crate::clock::now()?)?;
    out.line(&format!(
        "accepted {count} unsealed entr{} (audit entry {seq} says so) and sealed the log",
        plural_y(count)
    ))?;
    Ok(Outcome::Ok)
}

fn plural_y(n: u64) -> &'static str {
    if n == 1 { "y" } else { "ies" }
}

/// Stored leaf hashes, in order.
fn leaves(stored: &[Vec<u8>]) -> Result<Vec<Hash>, Failure> {
    stored
        .iter()
        .enumerate()
        .map(|(i, l)| {
            <[u8; 32]>::try_from(l.as_slice()).map_err(|_| Failure::new(format!("entry {i} has a malformed leaf hash")))
        })
        .collect()
}

fn verify(store: &dyn Store, outside: &[(String, String)], format: Format, out: &mut Output) -> CmdResult {
    let view = store.audit_view()?;
    let custody_store::verify::Checked { problems, warnings, report } =
        custody_store::verify::check(&view, outside).map_err(Failure::new)?;
    match format {
        Format::Json => out.json(&json!({
            "schema": "custody.audit-verify/v1",
            "entries": report.entries,
            "root": hex(&report.root),
            "checkpoints": report.checkpoints,
            "checkpoints_outside": outside.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
            "checkpoints_verified": report.checkpoints_verified,
            "verified_size": report.verified_size,
            "unanchored_entries": report.entries.saturating_sub(report.verified_size.unwrap_or(0)),
            "ok": problems.is_empty(),
            "problems": problems,
            "warnings": warnings,
        }))?,
        Format::Table => {
            out.line(&format!(
                "audit log: {} entries, root {}; {} of {} checkpoints verified ({} kept outside the store){}",
                report.entries,
                hex(&report.root),
                report.checkpoints_verified,
                report.checkpoints,
                outside.len(),
                report.verified_size.map(|s| format!(" (the latest covers {s} entries)")).unwrap_or_default()
            ))?;
            if outside.is_empty() {
                out.note("no checkpoint is kept outside the store: a rollback of the whole database would go unnoticed (docs/audit.md)");
            }
            if problems.is_empty() {
                out.line(&out.paint("OK: every entry, checkpoint, record and scan matches", Style::Bold))?;
            } else {
                out.line(&out.paint(&format!("TAMPERING OR DAMAGE: {} problem(s)", problems.len()), Style::Red))?;
                for p in &problems {
                    out.line(&format!("  - {p}"))?;
                }
            }
            for w in &warnings {
                out.warn(w);
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
    let leaves = leaves(&store.audit_leaves()?)?;
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
    let (entry, leaf) = store.audit_entry(n)?.ok_or_else(|| Failure::new(format!("entry {n} is missing")))?;
    out.json(&json!({
        "schema": "custody.audit-inclusion/v1",
        "index": n,
        "tree_size": size,
        "entry": entry.to_value(),
        "leaf_hash": hex(&leaf),
        "root": hex(&root),
        "proof": proof.iter().map(|h| hex(h)).collect::<Vec<_>>(),
        "checkpoint": note,
    }))?;
    Ok(Outcome::Ok)
}

fn consistency(store: &dyn Store, old: u64, new: u64, out: &mut Output) -> CmdResult {
    let leaves = leaves(&store.audit_leaves()?)?;
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
    let entries = store.audit_entries()?;
    let keys = custody_store::verify::key_schedule(store.audit_vkey()?.as_deref(), &entries).map_err(Failure::new)?;
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
    let ex = Export::build(&keys, bytes, notes, &inclusion, &consistency).map_err(|e| Failure::new(e.to_string()))?;
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

//! `custody release` and `custody decommission`: gather the facts (latest scan and its owners,
//! audit log, release records), let `custody_assess::release` decide the version and the
//! refusals, record and render. Decommissioning lists what must be disposed of (a system's
//! assets as `custody_assess::release::shipped` says) and records the disposal only when it is
//! gone.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace::{self, Workspace};
use custody_assess::release::{self, LoggedIntegrity, Release, ReleaseFacts, ReleaseLog, ReleasedAsset};
use custody_cli::{DecommissionArgs, Format, GlobalArgs, ReleaseArgs};
use custody_core::{IntegrityKind, Role, System};
use custody_store::StoredRecord;
use serde_json::{Value, json};
use std::path::Path;

fn system<'a>(ws: &'a Workspace, name: &str) -> Result<&'a System, Failure> {
    ws.config.systems.iter().find(|s| s.name == name).ok_or_else(|| {
        let known: Vec<&str> = ws.config.systems.iter().map(|s| s.name.as_str()).collect();
        Failure::with_hint(format!("no system `{name}`"), format!("declared systems: {}", known.join(", ")))
    })
}

/// What the audit log and the release records say, for the release rules: the latest entry that
/// logged `scan_id` (or a repeat of it), every integrity event in log order, every release.
pub fn release_log(
    entries: &[(custody_audit::Entry, Vec<u8>)],
    releases: Vec<StoredRecord>,
    scan_id: i64,
) -> ReleaseLog {
    let scan_seq = entries
        .iter()
        .filter(|(e, _)| {
            matches!(e.kind.as_str(), "scan" | "scan.unchanged")
                && e.payload.get("scan").and_then(Value::as_i64) == Some(scan_id)
        })
        .map(|(e, _)| e.seq)
        .max();
    let integrity = entries
        .iter()
        .filter_map(|(e, _)| {
            let kind = IntegrityKind::parse(e.kind.strip_prefix("integrity.")?).ok()?;
            let outcome = custody_core::Outcome::parse(e.payload.get("outcome")?.as_str()?).ok()?;
            let subject = e.payload.get("subject")?.as_str()?.to_string();
            Some(LoggedIntegrity { seq: e.seq, kind, subject, outcome })
        })
        .collect();
    let releases = releases
        .into_iter()
        .filter_map(|r| {
            let p = &r.payload;
            let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
            Some(Release {
                id: r.id,
                system: text("system")?,
                version: text("version"),
                digest: text("digest"),
                assets: p
                    .get("assets")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|x| {
                        let s = |i: usize| x.get(i).and_then(Value::as_str).map(str::to_string);
                        Some(ReleasedAsset { path: s(0)?, sha256: s(1)?, kind: s(2)? })
                    })
                    .collect(),
            })
        })
        .collect();
    ReleaseLog { scan_seq, integrity, releases }
}

fn sha256_file(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::io("read", path, &e))?;
    Ok(custody_store::hex_sha256(&bytes))
}

pub fn nothing_shipped(e: release::NothingShipped) -> Failure {
    Failure::with_hint(e.to_string(), "register its models and data: custody register SYSTEM --asset GLOB")
}

/// Gathers the facts once (latest scan and its owners, audit log, releases), lets
/// `custody_assess::release` decide, renders.
pub fn release(g: &GlobalArgs, a: &ReleaseArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store(g, &ws)?;
    let sys = system(&ws, &a.system)?.clone();
    let Some(scan) = store.latest_scan(None)? else {
        return Err(Failure::with_hint("no scan recorded", "run `custody scan` first: a release needs a clean scan"));
    };
    let now = clock::now()?;
    let assets = super::assess::asset_facts(&ws, &scan);
    let log = release_log(&store.audit_entries()?, store.records("release")?, scan.id);
    let facts = ReleaseFacts { root: &scan.record.root, assets: &assets, findings: &scan.record.findings, log: &log };
    let request = release::Request { evaluated: a.evaluation.is_some(), notice: a.notice.as_deref() };
    let c = release::candidate(&facts, &sys.name, request).map_err(nothing_shipped)?;
    let evaluation = match a.evaluation.as_deref() {
        Some(p) => Some((p.display().to_string(), sha256_file(p)?)),
        None => None,
    };
    let refusals: Vec<String> = c.refusals.iter().map(ToString::to_string).collect();
    let (number, version, major_change, shipped) = (c.number, c.digest, c.major, c.shipped);
    let payload = json!({
        "system": sys.name,
        "version": number,
        "digest": version,
        "major": major_change,
        "assets": shipped.iter().map(|s| json!([s.path, s.sha256, s.kind])).collect::<Vec<_>>(),
        "scan": scan.id,
        "evaluation": evaluation.as_ref().map(|(p, h)| json!({"file": p, "sha256": h})),
        "notice": a.notice,
    });
    let refused = !refusals.is_empty();
    if !refused && !a.dry_run {
        let attachment = evaluation.as_ref().map(|(_, h)| h.clone());
        store.add_record(
            "release",
            custody_store::RecordKey::New(&format!("{}@{number}", sys.name)),
            &payload,
            attachment.as_deref(),
            &now,
        )?;
    }
    match a.format {
        Format::Json => out.json(&json!({"schema": "custody.release/v1", "release": payload, "refused": refused, "reasons": refusals, "recorded": !refused && !a.dry_run}))?,
        Format::Table => {
            let head = format!("{} version {number} ({} assets, digest {})", sys.name, shipped.len(), &version[..12]);
            out.line(&out.paint(&head, Style::Bold))?;
            if refused {
                out.line(&out.paint("REFUSED", Style::Red))?;
                for r in &refusals {
                    out.line(&format!("  - {r}"))?;
                }
            } else if a.dry_run {
                out.line("would be released (dry run: nothing recorded)")?;
            } else {
                out.line(&format!("released{}", if major_change { " (major: users notified)" } else { "" }))?;
            }
        }
    }
    Ok(if refused { Outcome::PolicyFailure } else { Outcome::Ok })
}

pub fn decommission(g: &GlobalArgs, a: &DecommissionArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_for(g, &ws, a.confirm)?;
    let sys = system(&ws, &a.system)?.clone();
    if a.confirm && g.acting_as != Some(Role::DataCustodian) {
        return Err(Failure::with_hint(
            "disposal needs a Data Custodian's sign-off",
            "run it with --as data-custodian (5.5.1-1, 5.5.1-2); nothing was recorded",
        ));
    }
    let scan = store.latest_scan(None)?;
    let root = scan.as_ref().map(|s| s.record.root.clone()).unwrap_or_default();
    let mut items: Vec<(String, String, bool)> = Vec::new(); // (what, where, still there)
    if let Some(s) = &scan {
        let facts = super::assess::asset_facts(&ws, s);
        for asset in release::shipped(&facts, &sys.name) {
            let there = Path::new(&root).join(&asset.path).exists();
            items.push((asset.kind.as_str().to_string(), asset.path.clone(), there));
        }
    }
    for d in store.records("dataset")? {
        let files = d.payload.get("files").and_then(Value::as_array).cloned().unwrap_or_default();
        for f in files {
            let Some(p) = f.get("path").and_then(Value::as_str) else { continue };
            let sha = f.get("sha256").and_then(Value::as_str).unwrap_or("");
            if sys.claims(p, sha) {
                let there = workspace::root_of(&ws.config_path).join(p).exists();
                items.push(("dataset".into(), p.to_string(), there));
            }
        }
    }
    for snap in store.snapshots()? {
        let src = &snap.record.source;
        let belongs = items.iter().any(|(_, p, _)| src.ends_with(p.as_str()));
        if belongs {
            let objects = Path::new(&snap.record.objects_dir);
            let there = objects.exists() && std::fs::read_dir(objects).is_ok_and(|mut d| d.next().is_some());
            items.push(("snapshot".into(), format!("{} ({})", snap.record.name, snap.record.objects_dir), there));
        }
    }
    items.sort();
    items.dedup();
    let remaining: Vec<&(String, String, bool)> = items.iter().filter(|(_, _, t)| *t).collect();
    let mut recorded = false;
    if a.confirm && remaining.is_empty() {
        let payload = json!({
            "system": sys.name,
            "disposed": items.iter().map(|(k, p, _)| json!([k, p])).collect::<Vec<_>>(),
            "verified_absent": true,
        });
        store.add_record("disposal", custody_store::RecordKey::Replace(&sys.name), &payload, None, &clock::now()?)?;
        recorded = true;
    }
    match a.format {
        Format::Json => out.json(&json!({
            "schema": "custody.decommission/v1",
            "system": sys.name,
            "items": items.iter().map(|(k, p, t)| json!({"kind": k, "path": p, "still_present": t})).collect::<Vec<_>>(),
            "recorded": recorded,
        }))?,
        Format::Table => {
            out.line(&out.paint(&format!("decommissioning {}: {} item(s) to dispose of", sys.name, items.len()), Style::Bold))?;
            for (k, p, t) in &items {
                let state = if *t { out.paint("still present", Style::Red) } else { "gone".to_string() };
                out.line(&format!("  {k:<10} {p:<50} {state}"))?;
            }
            if recorded {
                out.line("disposal recorded, signed off by the Data Custodian")?;
            } else if a.confirm {
                out.line("not recorded: delete what is still present (including configuration and snapshots), then run again")?;
            } else {
                out.line("delete these, then record the disposal: custody decommission SYSTEM --confirm --as data-custodian")?;
            }
        }
    }
    Ok(if remaining.is_empty() { Outcome::Ok } else { Outcome::PolicyFailure })
}

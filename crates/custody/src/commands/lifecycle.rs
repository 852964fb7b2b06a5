//! `custody release` and `custody decommission`: a system's version is the set of asset
//! digests it ships (from the latest scan and its registrations); a changed model or training
//! dataset makes a new major version. Release is refused without a clean scan, a verified
//! signature of every model component and a security evaluation of that exact version.
//! Decommissioning lists what must be disposed of and records the disposal only when it is gone.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace::{self, Workspace};
use custody_cli::{DecommissionArgs, Format, GlobalArgs, ReleaseArgs};
use custody_core::{Ownership, Role, Severity, System};
use custody_store::{AssetRow, StoredScan};
use serde_json::{Value, json};
use std::path::Path;

fn system<'a>(ws: &'a Workspace, name: &str) -> Result<&'a System, Failure> {
    ws.config.systems.iter().find(|s| s.name == name).ok_or_else(|| {
        let known: Vec<&str> = ws.config.systems.iter().map(|s| s.name.as_str()).collect();
        Failure::with_hint(format!("no system `{name}`"), format!("declared systems: {}", known.join(", ")))
    })
}

/// The system's top-level assets in a scan (directory assets stand for their files), as the
/// scan's ownership says.
fn assets<'a>(own: &Ownership, sys: &System, scan: &'a StoredScan) -> Vec<&'a AssetRow> {
    scan.record
        .assets
        .iter()
        .filter(|a| own.get(&a.path).is_some_and(|o| o.part_of.is_none() && o.systems.contains(&sys.name)))
        .collect()
}

fn version_digest(assets: &[&AssetRow]) -> String {
    let mut lines: Vec<String> = assets.iter().map(|a| format!("{}  {}", a.sha256, a.path)).collect();
    lines.sort();
    custody_store::hex_sha256(lines.join("\n").as_bytes())
}

fn sha256_file(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::io("read", path, &e))?;
    Ok(custody_store::hex_sha256(&bytes))
}

/// What releasing a system now would ship, its version, and why it would be refused.
pub struct Candidate {
    pub number: String,
    pub digest: String,
    pub major: bool,
    pub previous_digest: Option<String>,
    pub previous_version: Option<String>,
    pub shipped: Vec<AssetRow>,
    pub scan_id: i64,
    pub evaluation: Option<(String, String)>,
    pub refusals: Vec<String>,
}

pub fn candidate(
    store: &dyn custody_store::Store,
    own: &Ownership,
    sys: &System,
    scan: &StoredScan,
    evaluation: Option<&Path>,
    notice: Option<&str>,
) -> Result<Candidate, Failure> {
    let shipped = assets(own, sys, scan);
    if shipped.is_empty() {
        return Err(Failure::with_hint(
            format!("system `{}` registers no asset the latest scan found", sys.name),
            "register its models and data: custody register SYSTEM --asset GLOB",
        ));
    }
    let version = version_digest(&shipped);
    let previous = store
        .records("release")?
        .into_iter()
        .filter(|r| r.payload.get("system").and_then(Value::as_str) == Some(&sys.name))
        .max_by_key(|r| r.id);
    let prev_assets: Vec<(String, String, String)> = previous
        .as_ref()
        .and_then(|r| r.payload.get("assets").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| {
            Some((x.get(0)?.as_str()?.to_string(), x.get(1)?.as_str()?.to_string(), x.get(2)?.as_str()?.to_string()))
        })
        .collect();
    // A changed (or new) model or dataset makes a major version; other changes a minor one.
    let major_change = previous.is_none()
        || shipped.iter().any(|s| {
            matches!(s.kind.as_str(), "model" | "adapter" | "dataset")
                && !prev_assets.iter().any(|(p, h, _)| p == &s.path && h == &s.sha256)
        });
    let (prev_major, prev_minor) = previous
        .as_ref()
        .and_then(|r| r.payload.get("version").and_then(Value::as_str))
        .and_then(|v| v.split_once('.'))
        .map(|(x, y)| (x.parse::<u64>().unwrap_or(0), y.parse::<u64>().unwrap_or(0)))
        .unwrap_or((0, 0));
    let number =
        if previous.as_ref().and_then(|r| r.payload.get("digest").and_then(Value::as_str)) == Some(version.as_str()) {
            format!("{prev_major}.{prev_minor}")
        } else if major_change {
            format!("{}.0", prev_major + 1)
        } else {
            format!("{prev_major}.{}", prev_minor + 1)
        };

    let mut refusals = Vec::new();
    // 1. A clean scan: no critical or high finding on what ships.
    for f in scan.record.findings.iter().filter(|f| f.severity >= Severity::High) {
        if shipped.iter().any(|s| f.location.path == s.path || f.location.path.starts_with(&format!("{}/", s.path))) {
            refusals.push(format!("{} {} on {}: {}", f.severity, f.code, f.location, f.message));
        }
    }
    // 2. Every model component signed and verified at its current content: a successful
    //    `custody verify` logged after the latest scan (order from the audit log, not clocks).
    let entries = store.audit_entries()?;
    let scan_seq = entries
        .iter()
        .filter(|(e, _)| {
            matches!(e.kind.as_str(), "scan" | "scan.unchanged")
                && e.payload.get("scan").and_then(Value::as_i64) == Some(scan.id)
        })
        .map(|(e, _)| e.seq)
        .max()
        .unwrap_or(u64::MAX);
    let root = Path::new(&scan.record.root);
    for m in shipped.iter().filter(|s| matches!(s.kind.as_str(), "model" | "adapter")) {
        let abs = root.join(&m.path);
        let verified = entries.iter().any(|(e, _)| {
            let subject = e.payload.get("subject").and_then(Value::as_str).unwrap_or("");
            e.seq > scan_seq
                && e.kind == "integrity.verify"
                && e.payload.get("outcome").and_then(Value::as_str) == Some("ok")
                && (Path::new(subject) == abs || subject == m.path)
        });
        if !verified {
            refusals.push(format!("{} has no successful `custody verify` since the latest scan", m.path));
        }
    }
    // 3. A security evaluation of this exact version.
    let evaluation = match evaluation {
        Some(p) => Some((p.display().to_string(), sha256_file(p)?)),
        None => None,
    };
    if evaluation.is_none() {
        refusals.push(format!("no security evaluation given for version {number} (--evaluation REPORT)"));
    }
    // 4. Users are told in advance about a new major version.
    if major_change && notice.is_none_or(|n| n.trim().is_empty()) {
        refusals.push(format!("version {number} changes a model or dataset: give the user notice with --notice"));
    }
    Ok(Candidate {
        number,
        digest: version,
        major: major_change,
        previous_digest: previous
            .as_ref()
            .and_then(|r| r.payload.get("digest").and_then(Value::as_str))
            .map(str::to_string),
        previous_version: previous
            .as_ref()
            .and_then(|r| r.payload.get("version").and_then(Value::as_str))
            .map(str::to_string),
        shipped: shipped.into_iter().cloned().collect(),
        scan_id: scan.id,
        evaluation,
        refusals,
    })
}

pub fn release(g: &GlobalArgs, a: &ReleaseArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store(g, &ws)?;
    let sys = system(&ws, &a.system)?.clone();
    let Some(scan) = store.latest_scan(None)? else {
        return Err(Failure::with_hint("no scan recorded", "run `custody scan` first: a release needs a clean scan"));
    };
    let now = clock::now()?;
    let own = super::scan::ownership(&ws, &scan);
    let c = candidate(store.as_ref(), &own, &sys, &scan, a.evaluation.as_deref(), a.notice.as_deref())?;
    let (number, version, major_change, shipped, refusals, evaluation) =
        (c.number, c.digest, c.major, c.shipped, c.refusals, c.evaluation);
    let payload = json!({
        "system": sys.name,
        "version": number,
        "digest": version,
        "major": major_change,
        "assets": shipped.iter().map(|s| json!([s.path, s.sha256, s.kind])).collect::<Vec<_>>(),
        "scan": c.scan_id,
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
        let own = super::scan::ownership(&ws, s);
        for asset in assets(&own, &sys, s) {
            let there = Path::new(&root).join(&asset.path).exists();
            items.push((asset.kind.clone(), asset.path.clone(), there));
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

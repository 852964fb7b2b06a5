//! Accountability records: `custody data add|list`, `custody approve`, `custody evidence add|list`,
//! `custody training add|list`. Each record is validated in `custody_core::records`, stored
//! append-only with its audit entry, and refused when the acting role may not make it.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace::{self, Workspace};
use custody_cli::{ApproveArgs, DataAddArgs, DataCommand, EvidenceCommand, Format, GlobalArgs, TrainingCommand};
use custody_core::records::{self, Approval, DataFile, Dataset, Evidence, Sensitivity, Source, Training};
use custody_core::{Catalog, Exposure};
use custody_store::{RecordKey, Store, StoredRecord};
use serde_json::{Value, json};
use std::path::Path;

fn bad(msg: String) -> Failure {
    Failure::with_hint(msg, "nothing was recorded")
}

/// SHA-256 of a file, streamed.
fn hash_file(path: &Path) -> Result<String, Failure> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Failure::io("read", path, &e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Failure::io("read", path, &e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(custody_core::hex::encode(&h.finalize()))
}

fn rel(ws: &Workspace, p: &Path) -> String {
    let root = std::fs::canonicalize(workspace::root_of(&ws.config_path)).unwrap_or_default();
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    abs.strip_prefix(&root)
        .map(|r| r.to_string_lossy().into_owned())
        .unwrap_or_else(|_| abs.to_string_lossy().into_owned())
}

fn printed(out: &mut Output, format: Format, r: &StoredRecord, summary: &str) -> Result<(), Failure> {
    match format {
        Format::Json => out.json(&record_json(r)),
        Format::Table => out
            .line(&format!("recorded {} `{}` (record {}, audit entry {}){summary}", r.kind, r.key, r.id, r.audit_seq)),
    }
}

fn record_json(r: &StoredRecord) -> Value {
    json!({
        "schema": "custody.record/v1",
        "id": r.id,
        "kind": r.kind,
        "key": r.key,
        "record": r.payload,
        "actor": r.actor,
        "role": r.role,
        "at": r.at,
        "audit_seq": r.audit_seq,
    })
}

pub fn data(g: &GlobalArgs, cmd: &DataCommand, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let mut store = workspace::open_store_for(g, &ws, matches!(cmd, DataCommand::Add(_)))?;
    match cmd {
        DataCommand::Add(a) => data_add(g, &ws, store.as_mut(), a, out),
        DataCommand::List { format } => data_list(&ws, store.as_ref(), *format, out),
    }
}

fn data_add(g: &GlobalArgs, ws: &Workspace, store: &mut dyn Store, a: &DataAddArgs, out: &mut Output) -> CmdResult {
    records::may_record("dataset", g.acting_as).map_err(bad)?;
    let mut ds = Dataset {
        name: a.name.clone(),
        sources: Vec::new(),
        licence: a.licence.clone(),
        sensitivity: Sensitivity::parse(&a.sensitivity).map_err(bad)?,
        owner: a.owner.clone(),
        files: Vec::new(),
        description: a.description.clone(),
    };
    if let Some(card) = &a.from_card {
        import_card(card, &mut ds)?;
    }
    if a.acquired.len() != a.sources.len() || (!a.methods.is_empty() && a.methods.len() != a.sources.len()) {
        return Err(bad(format!(
            "{} --source but {} --acquired and {} --method: give one of each per source, in order",
            a.sources.len(),
            a.acquired.len(),
            a.methods.len()
        )));
    }
    for (i, url) in a.sources.iter().enumerate() {
        let method = a.methods.get(i).cloned().unwrap_or_else(|| "downloaded".into());
        ds.sources.push(Source { url: url.clone(), acquired_at: a.acquired[i].clone(), method });
    }
    for f in &a.files {
        if !f.is_file() {
            return Err(bad(format!("{} is not a file", f.display())));
        }
        ds.files.push(DataFile { path: rel(ws, f), sha256: hash_file(f)? });
    }
    ds.validate().map_err(bad)?;
    let now = clock::now()?;
    for s in &ds.sources {
        custody_core::time::not_in_future(&format!("acquisition time of {}", s.url), &s.acquired_at, &now)
            .map_err(bad)?;
    }
    let payload = serde_json::to_value(&ds).map_err(|e| Failure::new(e.to_string()))?;
    let r = store.add_record("dataset", RecordKey::Replace(&ds.name), &payload, None, &now)?;
    let gaps = ds.gaps();
    let summary = if gaps.is_empty() { String::new() } else { format!("; provenance gaps: {}", gaps.join("; ")) };
    printed(out, a.format, &r, &summary)?;
    Ok(Outcome::Ok)
}

/// Source, licence and dataset ids from a Hugging Face dataset card or a Croissant file.
fn import_card(path: &Path, ds: &mut Dataset) -> Result<(), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::io("read", path, &e))?;
    if text.trim_start().starts_with('{') {
        // Croissant (JSON-LD): url, license, datePublished / dateCreated.
        let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("{}: not JSON: {e}", path.display())))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if ds.licence.is_none() {
            ds.licence = s("license").map(|l| l.rsplit('/').next().unwrap_or(&l).to_string());
        }
        if let (Some(url), Some(when)) = (s("url"), s("dateCreated").or_else(|| s("datePublished"))) {
            let when = if when.len() == 10 { format!("{when}T00:00:00Z") } else { when };
            ds.sources.push(Source { url, acquired_at: when, method: "downloaded".into() });
        }
        return Ok(());
    }
    let meta = custody_formats_card(&text);
    if ds.licence.is_none() {
        ds.licence = meta.0;
    }
    if !meta.1.is_empty() && ds.description.is_empty() {
        ds.description = format!("source datasets: {}", meta.1.join(", "));
    }
    Ok(())
}

/// (licence, source datasets) from a dataset card's front matter.
fn custody_formats_card(text: &str) -> (Option<String>, Vec<String>) {
    let mut licence = None;
    let mut sources = Vec::new();
    let mut in_front = false;
    let mut in_sources = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim() == "---" {
            if i == 0 {
                in_front = true;
                continue;
            }
            break;
        }
        if !in_front {
            break;
        }
        if let Some(v) = line.strip_prefix("license:") {
            licence = Some(v.trim().trim_matches('"').to_string()).filter(|s| !s.is_empty());
        }
        if line.starts_with("source_datasets:") {
            in_sources = true;
            continue;
        }
        if in_sources {
            match line.trim().strip_prefix("- ") {
                Some(v) => sources.push(v.trim().to_string()),
                None => in_sources = false,
            }
        }
    }
    (licence, sources)
}

fn data_list(ws: &Workspace, store: &dyn Store, format: Format, out: &mut Output) -> CmdResult {
    let datasets = store.records("dataset")?;
    let approvals = store.records("approval")?;
    let root = workspace::root_of(&ws.config_path);
    let mut rows = Vec::new();
    for r in &datasets {
        let Ok(ds) = serde_json::from_value::<Dataset>(r.payload.clone()) else { continue };
        let mut conflicts = Vec::new();
        // Systems that use the dataset: those registering one of its files.
        for sys in &ws.config.systems {
            // Dataset files are recorded relative to the project root.
            let uses = ds.files.iter().any(|f| sys.claims(&f.path, &f.sha256));
            if !uses {
                continue;
            }
            let approval = approvals
                .iter()
                .filter_map(|a| serde_json::from_value::<Approval>(a.payload.clone()).ok())
                .find(|a| a.dataset == ds.name && a.system == sys.name);
            if ds.sensitivity.is_personal()
                && sys.exposure != Exposure::Internal
                && !approval.as_ref().is_some_and(|a| a.addresses_sensitive_data)
            {
                conflicts.push(format!(
                    "{} data behind {} system `{}` without an approval that addresses it (5.1.2-5)",
                    ds.sensitivity, sys.exposure, sys.name
                ));
            }
            if approval.is_none() {
                conflicts.push(format!("used by `{}` without a custodian approval", sys.name));
            }
        }
        // Files changed since an approval.
        for a in approvals
            .iter()
            .filter_map(|a| serde_json::from_value::<Approval>(a.payload.clone()).ok())
            .filter(|a| a.dataset == ds.name)
        {
            for f in &a.file_digests {
                let now = hash_file(&root.join(&f.path)).ok();
                if now.as_deref() != Some(f.sha256.as_str()) {
                    conflicts.push(format!("{} changed (or is gone) since it was approved for `{}`", f.path, a.system));
                }
            }
        }
        rows.push((ds, r, conflicts));
    }
    match format {
        Format::Json => out.json(&json!({
            "schema": "custody.datasets/v1",
            "datasets": rows.iter().map(|(ds, r, c)| json!({
                "dataset": ds, "recorded": record_json(r), "gaps": ds.gaps(), "conflicts": c,
            })).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            for (ds, r, conflicts) in &rows {
                out.line(&out.paint(
                    &format!("{}  ({}, recorded {} by {})", ds.name, ds.sensitivity, r.at, r.actor),
                    Style::Bold,
                ))?;
                for s in &ds.sources {
                    out.line(&format!("  source   {}  acquired {}  ({})", s.url, s.acquired_at, s.method))?;
                }
                out.line(&format!("  licence  {}", ds.licence.as_deref().unwrap_or("-")))?;
                for f in &ds.files {
                    out.line(&format!("  file     {}  {}", f.path, &f.sha256[..12]))?;
                }
                for gap in ds.gaps() {
                    out.line(&out.paint(&format!("  gap      {gap}"), Style::Yellow))?;
                }
                for c in conflicts {
                    out.line(&out.paint(&format!("  conflict {c}"), Style::Red))?;
                }
            }
            if rows.is_empty() {
                out.line("no datasets recorded; `custody data add NAME --source URL --acquired TIME …`")?;
            }
        }
    }
    let any_conflict = rows.iter().any(|(_, _, c)| !c.is_empty());
    Ok(if any_conflict { Outcome::PolicyFailure } else { Outcome::Ok })
}

pub fn approve(g: &GlobalArgs, a: &ApproveArgs, out: &mut Output) -> CmdResult {
    records::may_record("approval", g.acting_as).map_err(bad)?;
    let ws = workspace::load(g)?;
    let store = workspace::open_store(g, &ws)?;
    let Some(ds_rec) = store.records("dataset")?.into_iter().find(|r| r.key == a.dataset) else {
        return Err(bad(format!("no dataset `{}`; `custody data list` shows the recorded ones", a.dataset)));
    };
    if !ws.config.systems.iter().any(|s| s.name == a.system) {
        let known: Vec<&str> = ws.config.systems.iter().map(|s| s.name.as_str()).collect();
        return Err(bad(format!("no system `{}`; declared systems: {}", a.system, known.join(", "))));
    }
    if a.scope.trim().is_empty() {
        return Err(bad("--scope is empty: say what the approval allows".into()));
    }
    let ds: Dataset = serde_json::from_value(ds_rec.payload).map_err(|e| Failure::new(e.to_string()))?;
    let approval = Approval {
        dataset: ds.name.clone(),
        system: a.system.clone(),
        scope: a.scope.clone(),
        addresses_sensitive_data: a.addresses_sensitive_data,
        file_digests: ds.files.clone(),
    };
    let payload = serde_json::to_value(&approval).map_err(|e| Failure::new(e.to_string()))?;
    let r = store.add_record(
        "approval",
        RecordKey::Replace(&format!("{}@{}", ds.name, a.system)),
        &payload,
        None,
        &clock::now()?,
    )?;
    printed(out, a.format, &r, "")?;
    Ok(Outcome::Ok)
}

pub fn evidence(g: &GlobalArgs, cmd: &EvidenceCommand, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_for(g, &ws, matches!(cmd, EvidenceCommand::Add { .. }))?;
    match cmd {
        EvidenceCommand::Add { provision, file, url, note, format } => {
            let file = match file {
                Some(f) if f.is_file() => Some(DataFile { path: rel(&ws, f), sha256: hash_file(f)? }),
                Some(f) => return Err(bad(format!("{} is not a file", f.display()))),
                None => None,
            };
            let ev = Evidence { provision: provision.clone(), file, url: url.clone(), note: note.clone() };
            ev.validate(Catalog::embedded()).map_err(bad)?;
            let payload = serde_json::to_value(&ev).map_err(|e| Failure::new(e.to_string()))?;
            let attachment = ev.file.as_ref().map(|f| f.sha256.clone());
            let key = RecordKey::Next(&ev.provision);
            let r = store.add_record("evidence", key, &payload, attachment.as_deref(), &clock::now()?)?;
            printed(out, *format, &r, "")?;
        }
        EvidenceCommand::List { format } => {
            let rs = store.records("evidence")?;
            match format {
                Format::Json => out.json(&json!({"schema": "custody.evidence/v1", "evidence": rs.iter().map(record_json).collect::<Vec<_>>()}))?,
                Format::Table => {
                    for r in &rs {
                        let what = r.payload.get("url").and_then(Value::as_str).map(str::to_string).or_else(|| r.payload.pointer("/file/path").and_then(Value::as_str).map(str::to_string)).unwrap_or_default();
                        out.line(&format!("{:<12} {:<40} {}  ({} {})", r.payload.get("provision").and_then(Value::as_str).unwrap_or(""), what, r.payload.get("note").and_then(Value::as_str).unwrap_or(""), r.actor, r.at))?;
                    }
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

pub fn training(g: &GlobalArgs, cmd: &TrainingCommand, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_for(g, &ws, matches!(cmd, TrainingCommand::Add { .. }))?;
    match cmd {
        TrainingCommand::Add { person, staff_role, module, completed, expires, format } => {
            let t = Training {
                person: person.clone(),
                staff_role: staff_role.clone(),
                module: module.clone(),
                completed: completed.clone(),
                expires: expires.clone(),
            };
            t.validate().map_err(bad)?;
            let payload = serde_json::to_value(&t).map_err(|e| Failure::new(e.to_string()))?;
            let r = store.add_record(
                "training",
                RecordKey::Replace(&format!("{}/{}", t.person, t.module)),
                &payload,
                None,
                &clock::now()?,
            )?;
            printed(out, *format, &r, "")?;
            Ok(Outcome::Ok)
        }
        TrainingCommand::List { format } => {
            let today = clock::now()?.chars().take(10).collect::<String>();
            let mut rows: Vec<(Training, bool)> = store
                .records("training")?
                .into_iter()
                .filter_map(|r| serde_json::from_value::<Training>(r.payload).ok())
                .map(|t| {
                    let o = t.overdue(&today);
                    (t, o)
                })
                .collect();
            rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.person.cmp(&b.0.person)));
            match format {
                Format::Json => out.json(&json!({"schema": "custody.training/v1", "today": today, "training": rows.iter().map(|(t, o)| json!({"record": t, "overdue": o})).collect::<Vec<_>>()}))?,
                Format::Table => {
                    for (t, o) in &rows {
                        let flag = if *o { out.paint("OVERDUE", Style::Red) } else { "ok".into() };
                        out.line(&format!("{:<20} {:<20} {:<30} {} → {}  {flag}", t.person, t.staff_role, t.module, t.completed, t.expires.as_deref().unwrap_or("-")))?;
                    }
                }
            }
            Ok(if rows.iter().any(|(_, o)| *o) { Outcome::PolicyFailure } else { Outcome::Ok })
        }
    }
}

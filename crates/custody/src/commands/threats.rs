//! `custody threats [record]`: threats per system derived from the inventory, configuration and
//! records; treatment records; staleness when what the derivation rests on changes (5.1.3-1.1).

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_cli::{Format, GlobalArgs, ThreatsArgs, ThreatsCommand};
use custody_core::records::Dataset;
use custody_core::threats::{SystemFacts, derive, threat};
use custody_core::{Exposure, Ownership, Role, System};
use custody_store::StoredScan;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Facts about one system, and a digest of what they rest on (its assets' digests, its
/// configuration, the datasets it uses).
/// `scan` comes with its ownership (what the system owns in it: assets it claims and the files
/// of directory assets it claims).
fn facts(
    sys: &System,
    roles: &[Role],
    scan: Option<(&StoredScan, &Ownership)>,
    datasets: &[Dataset],
) -> (SystemFacts, String) {
    let mut f = SystemFacts { exposed: sys.exposure != Exposure::Internal, ..SystemFacts::default() };
    let mut basis = vec![format!("{:?}|{:?}|{:?}", sys.exposure, sys.assets, sys.services)];
    f.uses_llm_service = !sys.services.is_empty();
    if let Some((s, own)) = scan {
        let r = &s.record;
        let mut modalities = BTreeSet::new();
        for a in r.assets.iter().filter(|a| own.owners_of(&a.path).contains(&sys.name)) {
            basis.push(format!("{} {}", a.path, a.sha256));
            let meta: Value = serde_json::from_str(&a.meta_json).unwrap_or(Value::Null);
            match a.kind.as_str() {
                "model" | "adapter" => f.has_models = true,
                "prompt" | "chat-template" => f.has_chat_template_or_prompts = true,
                "vector-store" => f.retrieval = true,
                _ => {}
            }
            if meta.get("chat_template").is_some_and(|c| c.as_bool() == Some(true) || c.is_string()) {
                f.has_chat_template_or_prompts = true;
            }
            if meta.get("base_models").and_then(Value::as_array).is_some_and(|b| {
                b.iter().any(|x| {
                    x.as_str().is_some_and(|s| s.contains('/') && !s.starts_with('.') && !s.starts_with("models/"))
                })
            }) {
                f.third_party_models = true;
            }
            if a.kind == "adapter" || (a.kind == "dataset" && roles.contains(&Role::Developer)) {
                f.trains_models |= roles.contains(&Role::Developer);
            }
            for m in meta.get("modalities").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if m != "text" {
                    modalities.insert(m.to_string());
                }
            }
            if r.findings.iter().any(|x| {
                (x.location.path == a.path || x.location.path.starts_with(&format!("{}/", a.path)))
                    && (x.code.as_str().starts_with("CUS-PKL")
                        || x.code == custody_formats::FmtCode::Uninspectable
                        || x.code.as_str().starts_with("CUS-KER")
                        || x.code.as_str().starts_with("CUS-TF"))
            }) {
                f.unsafe_model_findings = true;
            }
        }
        f.extra_modalities = modalities.into_iter().collect();
        // Organisation-wide signals from code (code is not mapped to systems).
        f.retrieval |= r.uses.iter().any(|u| u.category == "vector-store");
        f.agent_framework = r.uses.iter().any(|u| u.category == "orchestration");
        f.unpinned_downloads = r.findings.iter().any(|x| x.code == custody_scan::TextCode::UnpinnedDownload);
    }
    for d in datasets {
        // Dataset files are recorded relative to the project root.
        if d.files.iter().any(|x| sys.claims(&x.path, &x.sha256)) {
            basis.push(format!("dataset {} {:?}", d.name, d.files));
            f.personal_training_data |= d.sensitivity.is_personal();
            f.trains_models |= roles.contains(&Role::Developer);
        }
    }
    basis.sort();
    (f, custody_store::hex_sha256(basis.join("\n").as_bytes()))
}

type Row = (&'static custody_core::threats::Threat, String, &'static str, Option<Value>, Option<i64>);

/// Every system's derived threats with their state: `treated`, `stale` or `untreated`.
pub fn derive_all(
    ws: &workspace::Workspace,
    store: &dyn custody_store::Store,
    only: Option<&str>,
) -> Result<Vec<(String, Vec<Row>)>, Failure> {
    let scan = store.latest_scan(None)?;
    let own = scan.as_ref().map(|s| super::scan::ownership(ws, s));
    let scan = scan.as_ref().zip(own.as_ref());
    let datasets: Vec<Dataset> =
        store.records("dataset")?.into_iter().filter_map(|r| serde_json::from_value(r.payload).ok()).collect();
    let roles = ws.config.organisation.roles.clone();
    let recorded = store.records("threat")?;
    let mut systems_out = Vec::new();
    for sys in ws.config.systems.iter().filter(|s| only.is_none_or(|n| s.name == n)) {
        let (f, basis) = facts(sys, &roles, scan, &datasets);
        let mut rows = Vec::new();
        for (t, why) in derive(&f) {
            let rec = recorded.iter().find(|r| r.key == format!("{}/{}", sys.name, t.id));
            let state = match rec {
                None => "untreated",
                Some(r) if r.payload.get("basis").and_then(Value::as_str) != Some(basis.as_str()) => "stale",
                Some(_) => "treated",
            };
            rows.push((t, why, state, rec.map(|r| r.payload.clone()), rec.map(|r| r.id)));
        }
        systems_out.push((sys.name.clone(), rows));
    }
    Ok(systems_out)
}

pub fn run(g: &GlobalArgs, args: &ThreatsArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_for(g, &ws, args.record.is_some())?;
    let scan = store.latest_scan(None)?;
    let own = scan.as_ref().map(|s| super::scan::ownership(&ws, s));
    let datasets: Vec<Dataset> =
        store.records("dataset")?.into_iter().filter_map(|r| serde_json::from_value(r.payload).ok()).collect();
    let roles = ws.config.organisation.roles.clone();
    if let Some(ThreatsCommand::Record { threat: id, system, owner, treatment, residual, format }) = &args.record {
        let Some(t) = threat(id) else {
            return Err(Failure::with_hint(format!("no threat `{id}`"), "`custody threats` lists the threat ids"));
        };
        let Some(sys) = ws.config.systems.iter().find(|s| &s.name == system) else {
            return Err(Failure::with_hint(format!("no system `{system}`"), "systems are declared in custody.toml"));
        };
        if !matches!(residual.as_str(), "low" | "medium" | "high") {
            return Err(Failure::with_hint(
                format!("residual risk `{residual}` is not low, medium or high"),
                "nothing was recorded",
            ));
        }
        if owner.trim().is_empty() || treatment.trim().is_empty() {
            return Err(Failure::with_hint("--owner and --treatment must not be empty", "nothing was recorded"));
        }
        let (_, basis) = facts(sys, &roles, scan.as_ref().zip(own.as_ref()), &datasets);
        let payload = json!({ "threat": t.id, "system": system, "owner": owner, "treatment": treatment, "residual": residual, "basis": basis });
        let r = store.add_record(
            "threat",
            custody_store::RecordKey::Replace(&format!("{system}/{}", t.id)),
            &payload,
            None,
            &clock::now()?,
        )?;
        match format {
            Format::Json => out.json(&json!({"schema": "custody.record/v1", "id": r.id, "kind": r.kind, "key": r.key, "record": r.payload, "audit_seq": r.audit_seq}))?,
            Format::Table => out.line(&format!("recorded treatment of {} for `{system}` (audit entry {})", t.id, r.audit_seq))?,
        }
        return Ok(Outcome::Ok);
    }
    let systems_out = derive_all(&ws, store.as_ref(), args.system.as_deref())?;
    let open = systems_out.iter().flat_map(|(_, rows)| rows.iter()).filter(|r| r.2 != "treated").count();
    match args.format {
        Format::Json => out.json(&json!({
            "schema": "custody.threats/v1",
            "systems": systems_out.iter().map(|(name, rows)| json!({
                "system": name,
                "threats": rows.iter().map(|(t, why, state, rec, _)| json!({
                    "id": t.id, "name": t.name, "atlas": t.atlas, "owasp_llm": t.owasp_llm, "why": why, "state": state, "treatment": rec,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            for (name, rows) in &systems_out {
                out.line(&out.paint(&format!("{name}: {} threat(s)", rows.len()), Style::Bold))?;
                for (t, why, state, _, _) in rows {
                    let st = match *state {
                        "treated" => state.to_string(),
                        s => out.paint(s, Style::Red),
                    };
                    out.line(&format!("  {:<26} {:<14} {st:<10} {why}", t.id, t.atlas))?;
                }
            }
            if scan.is_none() {
                out.note("no scan recorded yet: run `custody scan` so threats can be derived from the inventory");
            }
        }
    }
    Ok(if open > 0 { Outcome::PolicyFailure } else { Outcome::Ok })
}

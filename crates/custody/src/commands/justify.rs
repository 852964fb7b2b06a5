//! `custody justify list | add | notice`: third-party models and components with poor
//! documentation (no model card, no licence, no published hash, an unpinned hub revision, a file
//! custody could not inspect) must carry a written justification, compensating controls and a
//! risk assessment (5.2.3-2, 5.2.3-2.1), and end-users are told in an accessible notice (5.2.3-2.2).

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_cli::{Format, GlobalArgs, JustifyCommand};
use custody_store::Store;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A component that needs a justification, and why.
pub struct Weak {
    pub component: String,
    pub reasons: Vec<String>,
}

/// Poorly documented components from the latest scan.
pub fn weak_components(store: &dyn Store) -> Result<Vec<Weak>, Failure> {
    let Some(scan) = store.latest_scan(None)? else { return Ok(Vec::new()) };
    let rec = &scan.record;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let parts: Vec<&str> = rec
        .assets
        .iter()
        .filter(|a| a.format.contains('-') && a.meta_json.contains("\"weights\""))
        .map(|a| a.path.as_str())
        .collect();
    for a in &rec.assets {
        if !matches!(a.kind.as_str(), "model" | "adapter") {
            continue;
        }
        // Files inside a model directory are judged with the directory.
        if parts.iter().any(|d| a.path.starts_with(&format!("{d}/"))) {
            continue;
        }
        let meta: Value = serde_json::from_str(&a.meta_json).unwrap_or(Value::Null);
        let mut why = Vec::new();
        let licence = meta.get("license").and_then(Value::as_str).is_some()
            || meta.pointer("/card/license").and_then(Value::as_str).is_some();
        if !licence {
            why.push("no licence".to_string());
        }
        if meta.get("model_card").and_then(Value::as_bool) == Some(false) {
            why.push("no model card".to_string());
        }
        if !why.is_empty() {
            out.entry(a.path.clone()).or_default().extend(why);
        }
    }
    for u in rec.uses.iter().filter(|u| u.kind == "hub-download" && u.pinned == Some(false)) {
        out.entry(format!("hub:{}", u.name)).or_default().push(format!("revision not pinned ({}:{})", u.path, u.line));
    }
    for f in rec
        .findings
        .iter()
        .filter(|f| f.code == custody_formats::FmtCode::Uninspectable || f.code == custody_formats::FmtCode::Malformed)
    {
        out.entry(f.location.path.clone()).or_default().push(format!("could not be inspected ({})", f.code));
    }
    Ok(out
        .into_iter()
        .map(|(component, mut reasons)| {
            reasons.dedup();
            Weak { component, reasons }
        })
        .collect())
}

pub fn run(g: &GlobalArgs, cmd: &JustifyCommand, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_for(g, &ws, matches!(cmd, JustifyCommand::Add { .. }))?;
    let justified: BTreeMap<String, Value> =
        store.records("justification")?.into_iter().map(|r| (r.key, r.payload)).collect();
    match cmd {
        JustifyCommand::List { format } => {
            let weak = weak_components(store.as_ref())?;
            let open = weak.iter().filter(|w| !justified.contains_key(&w.component)).count();
            match format {
                Format::Json => out.json(&json!({
                    "schema": "custody.justifications/v1",
                    "components": weak.iter().map(|w| json!({
                        "component": w.component, "reasons": w.reasons, "justification": justified.get(&w.component),
                    })).collect::<Vec<_>>(),
                }))?,
                Format::Table => {
                    if weak.is_empty() {
                        out.line("no poorly documented third-party component in the last scan")?;
                    }
                    for w in &weak {
                        let state = if justified.contains_key(&w.component) {
                            out.paint("justified", Style::Bold)
                        } else {
                            out.paint("NEEDS A JUSTIFICATION", Style::Red)
                        };
                        out.line(&format!("{:<48} {state}  ({})", w.component, w.reasons.join("; ")))?;
                    }
                }
            }
            Ok(if open > 0 { Outcome::PolicyFailure } else { Outcome::Ok })
        }
        JustifyCommand::Add { component, why, controls, risk, format } => {
            for (name, v) in [("--why", why), ("--controls", controls), ("--risk", risk)] {
                if v.trim().is_empty() {
                    return Err(Failure::with_hint(
                        format!("{name} is empty"),
                        "a justification needs all three: why, controls, risk",
                    ));
                }
            }
            let known = weak_components(store.as_ref())?.into_iter().any(|w| &w.component == component);
            let payload = json!({ "component": component, "why": why, "controls": controls, "risk": risk, "flagged_by_scan": known });
            let r = store.add_record(
                "justification",
                custody_store::RecordKey::Replace(component),
                &payload,
                None,
                &clock::now()?,
            )?;
            match format {
                Format::Json => out.json(&json!({"schema": "custody.record/v1", "id": r.id, "kind": r.kind, "key": r.key, "record": r.payload, "actor": r.actor, "role": r.role, "at": r.at, "audit_seq": r.audit_seq}))?,
                Format::Table => out.line(&format!("recorded justification for `{component}` (audit entry {})", r.audit_seq))?,
            }
            Ok(Outcome::Ok)
        }
        JustifyCommand::Notice => {
            let mut md = format!(
                "# Notice: third-party AI components used by {}\n\nSome AI components we use come with limited documentation from their suppliers. For each, we record why we use it, what we do to reduce the risk, and our assessment of what remains.\n",
                ws.config.organisation.name
            );
            if justified.is_empty() {
                md.push_str("\nNo such component is in use.\n");
            }
            for (c, p) in &justified {
                let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").replace('\n', " ");
                md.push_str(&format!(
                    "\n## {c}\n\n- Why we use it: {}\n- What we do about it: {}\n- Remaining risk: {}\n",
                    s("why"),
                    s("controls"),
                    s("risk")
                ));
            }
            out.document(&md)?;
            Ok(Outcome::Ok)
        }
    }
}

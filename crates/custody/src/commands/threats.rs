//! `custody threats [record]`: gather the inventory, configuration and records once, let
//! `custody_assess::threats` derive each system's threats and their treatment state (stale when
//! what the derivation rests on changes, 5.1.3-1.1), record treatments, render.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_assess::AssetFact;
use custody_assess::threats::{self, SystemThreats, ThreatScan, ThreatState, Treatment};
use custody_cli::{Format, GlobalArgs, ThreatsArgs, ThreatsCommand};
use custody_core::records::Dataset;
use custody_core::threats::threat;
use custody_core::{Ownership, System};
use custody_store::{StoredRecord, StoredScan};
use serde_json::{Value, json};

/// What the threat derivation reads, gathered once: the latest scan's assets with their owners,
/// the datasets recorded, the treatments recorded.
struct Gathered {
    scan: Option<(StoredScan, Ownership, Vec<AssetFact>)>,
    datasets: Vec<Dataset>,
    treatments: Vec<StoredRecord>,
}

impl Gathered {
    fn read(ws: &workspace::Workspace, store: &dyn custody_store::Store) -> Result<Gathered, Failure> {
        let scan = store.latest_scan(None)?.map(|s| {
            let own = super::scan::ownership(ws, &s);
            let assets = super::assess::asset_facts(ws, &s);
            (s, own, assets)
        });
        let datasets =
            store.records("dataset")?.into_iter().filter_map(|r| serde_json::from_value(r.payload).ok()).collect();
        Ok(Gathered { scan, datasets, treatments: store.records("threat")? })
    }

    fn scan(&self) -> Option<ThreatScan<'_>> {
        self.scan.as_ref().map(|(s, own, assets)| ThreatScan {
            assets,
            findings: &s.record.findings,
            uses: &s.record.uses,
            ownership: own,
        })
    }

    fn treatments(&self) -> Vec<Treatment> {
        self.treatments
            .iter()
            .map(|r| Treatment {
                id: r.id,
                key: r.key.clone(),
                basis: r.payload.get("basis").and_then(Value::as_str).map(str::to_string),
            })
            .collect()
    }
}

/// Every system's derived threats with their state, as `custody_assess::threats` decides.
pub fn derive_all(
    ws: &workspace::Workspace,
    store: &dyn custody_store::Store,
    only: Option<&str>,
) -> Result<Vec<SystemThreats>, Failure> {
    let g = Gathered::read(ws, store)?;
    Ok(derive(ws, &g, only))
}

fn derive(ws: &workspace::Workspace, g: &Gathered, only: Option<&str>) -> Vec<SystemThreats> {
    let systems: Vec<&System> = ws.config.systems.iter().filter(|s| only.is_none_or(|n| s.name == n)).collect();
    threats::derive_all(&systems, &ws.config.organisation.roles, g.scan().as_ref(), &g.datasets, &g.treatments())
}

pub fn run(g: &GlobalArgs, args: &ThreatsArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_for(g, &ws, args.record.is_some())?;
    let g = Gathered::read(&ws, store.as_ref())?;
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
        let (_, basis) = threats::facts(sys, &ws.config.organisation.roles, g.scan().as_ref(), &g.datasets);
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
    let systems_out = derive(&ws, &g, args.system.as_deref());
    let open = systems_out.iter().flat_map(|s| s.rows.iter()).filter(|r| r.state != ThreatState::Treated).count();
    let treatment = |id: Option<i64>| g.treatments.iter().find(|r| Some(r.id) == id).map(|r| &r.payload);
    match args.format {
        Format::Json => out.json(&json!({
            "schema": "custody.threats/v1",
            "systems": systems_out.iter().map(|s| json!({
                "system": s.system,
                "threats": s.rows.iter().map(|r| { let t = r.threat; json!({
                    "id": t.id, "name": t.name, "atlas": t.atlas, "owasp_llm": t.owasp_llm, "why": r.why, "state": r.state, "treatment": treatment(r.record),
                })}).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            for s in &systems_out {
                out.line(&out.paint(&format!("{}: {} threat(s)", s.system, s.rows.len()), Style::Bold))?;
                for r in &s.rows {
                    let st = match r.state {
                        ThreatState::Treated => r.state.to_string(),
                        other => out.paint(other.as_str(), Style::Red),
                    };
                    out.line(&format!("  {:<26} {:<14} {st:<10} {}", r.threat.id, r.threat.atlas, r.why))?;
                }
            }
            if g.scan.is_none() {
                out.note("no scan recorded yet: run `custody scan` so threats can be derived from the inventory");
            }
        }
    }
    Ok(if open > 0 { Outcome::PolicyFailure } else { Outcome::Ok })
}

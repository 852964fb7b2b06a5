//! `custody catalog` and `custody catalog show`.

use super::wrap;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use custody_cli::{CatalogArgs, CatalogCommand, CatalogFormat, FilterArgs};
use custody_core::catalog::Filter;
use custody_core::{Catalog, Modality, Provision};
use serde_json::{Value, json};

pub fn run(args: &CatalogArgs, out: &mut Output) -> CmdResult {
    let c = Catalog::embedded();
    if let Some(CatalogCommand::Show { id, format }) = &args.show {
        return show(c, id, *format, out);
    }
    let f = filter(&args.filter);
    let selected: Vec<&Provision> = c.filter(&f).collect();
    let filtered = f.party.is_some() || f.phase.is_some() || f.principle.is_some() || f.modality.is_some();
    match args.format {
        CatalogFormat::Json => out.json(&json!({
            "schema": "custody.catalog/v1",
            "standard": c.version,
            "count": selected.len(),
            "provisions": selected.iter().map(|p| provision_json(c, p)).collect::<Vec<_>>(),
        }))?,
        CatalogFormat::Markdown => out.document(&custody_report::markdown::catalog(c, &selected))?,
        CatalogFormat::Oscal if filtered => {
            return Err(Failure::with_hint(
                "the OSCAL catalog is always the whole catalogue; filters do not apply to it",
                "drop --role/--phase/--principle/--modality, or use --format json for a filtered list",
            ));
        }
        CatalogFormat::Oscal => out.json(&custody_report::oscal::catalog(c))?,
        CatalogFormat::Table => table(c, &selected, out)?,
    }
    Ok(Outcome::Ok)
}

fn filter(a: &FilterArgs) -> Filter {
    Filter { party: a.role, phase: a.phase, principle: a.principle, modality: a.modality }
}

/// The JSON shape of one provision (documented in docs/json-output.md).
pub fn provision_json(c: &Catalog, p: &Provision) -> Value {
    let pr = c.principle_of(p);
    json!({
        "id": p.id.as_str(),
        "principle": { "number": pr.number, "clause": pr.clause, "title": pr.title },
        "phase": pr.phase.as_str(),
        "modality": p.modality.as_str(),
        "obliged": p.obliged.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "informed": p.informed.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "conditions": p.conditions.iter().map(|(k, v)| (k.as_str().to_string(), Value::from(v.as_str()))).collect::<serde_json::Map<_, _>>(),
        "summary": p.summary,
        "evidence": p.evidence.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "evidence_examples": p.evidence_examples,
        "automation": p.automation,
        "uk_code": p.uk,
    })
}

fn modality_style(m: Modality) -> Style {
    match m {
        Modality::Shall => Style::Bold,
        Modality::Should => Style::Dim,
    }
}

fn table(c: &Catalog, selected: &[&Provision], out: &mut Output) -> Result<(), Failure> {
    let mut current = None;
    for p in selected {
        let pr = c.principle_of(p);
        if current != Some(pr.number) {
            current = Some(pr.number);
            let head = format!(
                "{} {}  ({}, {})",
                pr.clause,
                pr.title,
                pr.phase.title(),
                format_args!("principle {}", pr.number)
            );
            out.line("")?;
            let head = out.paint(&head, Style::Bold);
            out.line(&head)?;
        }
        let roles: Vec<&str> = p.obliged.iter().map(|r| short(r.as_str())).collect();
        let summary = wrap(&p.summary, 72);
        let modality = out.paint(&format!("{:<6}", p.modality.as_str()), modality_style(p.modality));
        out.line(&format!("  {:<11} {modality}  {:<9} {}", p.id.as_str(), roles.join(","), summary[0]))?;
        for l in &summary[1..] {
            out.line(&format!("  {:<11} {:<6}  {:<9} {l}", "", "", ""))?;
        }
    }
    let shall = selected.iter().filter(|p| p.modality == Modality::Shall).count();
    out.line("")?;
    out.line(&format!("{} provisions ({} shall, {} should)", selected.len(), shall, selected.len() - shall))?;
    out.note("roles: D developer, SO system-operator, DC data-custodian, EU end-user, ORG organisation-wide");
    Ok(())
}

/// Short role tags for tables.
pub fn short(party: &str) -> &'static str {
    match party {
        "developer" => "D",
        "system-operator" => "SO",
        "data-custodian" => "DC",
        "end-user" => "EU",
        "affected-entity" => "AE",
        _ => "ORG",
    }
}

fn show(c: &Catalog, id: &str, format: CatalogFormat, out: &mut Output) -> CmdResult {
    let Some(p) = c.provision(id) else {
        let near: Vec<&str> = c
            .provisions
            .iter()
            .map(|p| p.id.as_str())
            .filter(|i| i.starts_with(id.split('-').next().unwrap_or(id)))
            .collect();
        let hint = if near.is_empty() || id.is_empty() {
            "ids look like 5.2.4-1.2; `custody catalog` lists them all".to_string()
        } else {
            format!("provisions in that clause: {}", near.join(", "))
        };
        return Err(Failure::with_hint(format!("no provision `{id}` in ETSI {}", c.version), hint));
    };
    let pr = c.principle_of(p);
    match format {
        CatalogFormat::Json => {
            out.json(&json!({ "schema": "custody.provision/v1", "provision": provision_json(c, p) }))?
        }
        CatalogFormat::Oscal => {
            return Err(Failure::with_hint(
                "a single provision has no OSCAL form of its own",
                "use `custody catalog --format oscal` for the OSCAL catalog",
            ));
        }
        CatalogFormat::Markdown => {
            let mut s = format!("## {} ({})\n\n{}\n\n", p.id, p.modality, p.summary);
            s.push_str(&format!("- Principle {}: {} ({})\n", pr.number, pr.title, pr.phase.title()));
            s.push_str(&format!("- Obliges: {}\n", p.obliged.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")));
            if !p.informed.is_empty() {
                s.push_str(&format!(
                    "- Involves or informs: {}\n",
                    p.informed.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")
                ));
            }
            for (party, cond) in &p.conditions {
                s.push_str(&format!("- Condition for the {}: {}\n", party.title(), cond));
            }
            s.push_str(&format!("- Evidence: {}\n", p.evidence_examples.join("; ")));
            s.push_str(&format!("- UK Code of Practice: {}\n", p.uk));
            out.document(&s)?;
        }
        CatalogFormat::Table => {
            let title = out.paint(&format!("{}  {}", p.id, p.modality.as_str().to_uppercase()), Style::Bold);
            out.line(&title)?;
            for l in wrap(&p.summary, 88) {
                out.line(&format!("  {l}"))?;
            }
            out.line("")?;
            let rows = [
                ("principle", format!("{} {} ({})", pr.clause, pr.title, pr.phase.title())),
                ("obliges", p.obliged.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")),
                ("informs", p.informed.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")),
                ("evidence", p.evidence.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")),
                ("examples", p.evidence_examples.join("; ")),
                ("uk code", p.uk.clone()),
            ];
            for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
                let mut lines = wrap(v, 76).into_iter();
                out.line(&format!("  {:<10} {}", k, lines.next().unwrap_or_default()))?;
                for l in lines {
                    out.line(&format!("  {:<10} {l}", ""))?;
                }
            }
            for (party, cond) in &p.conditions {
                out.line(&format!("  {:<10} {}: {}", "condition", party.title(), cond))?;
            }
        }
    }
    Ok(Outcome::Ok)
}

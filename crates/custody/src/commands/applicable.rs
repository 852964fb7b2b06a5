//! `custody applicable`: what the roles held oblige, per role and phase, and why.

use super::catalog::short;
use super::wrap;
use crate::failure::{CmdResult, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_cli::{ApplicableArgs, ApplicableFormat, GlobalArgs};
use custody_core::{Applicable, Catalog, Modality, Phase, Role, applicable};
use custody_report::markdown::cell;
use serde_json::{Value, json};

pub fn run(g: &GlobalArgs, args: &ApplicableArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let cfg = &ws.config;
    let roles: Vec<Role> = if args.roles.is_empty() { cfg.organisation.roles.clone() } else { args.roles.clone() };
    let c = Catalog::embedded();
    let list: Vec<Applicable> = applicable(c, &roles, &cfg.systems)
        .into_iter()
        .filter(|a| args.phase.is_none_or(|ph| c.principle_of(a.provision).phase == ph))
        .filter(|a| args.modality.is_none_or(|m| a.provision.modality == m))
        .collect();
    let mut held = roles.clone();
    held.sort();
    held.dedup();
    match args.format {
        ApplicableFormat::Json => {
            let mut v = to_json(c, &cfg.organisation.name, &held, &list);
            v["config"] = ws.config_path.display().to_string().into();
            out.json(&v)?
        }
        ApplicableFormat::Markdown => out.document(&to_markdown(c, &cfg.organisation.name, &held, &list))?,
        ApplicableFormat::Table => table(c, &cfg.organisation.name, &held, &list, out)?,
    }
    Ok(Outcome::Ok)
}

/// (shall, should) among `list` brought by `role` (None: organisation-wide) in `phase` (None: all).
fn counts(c: &Catalog, list: &[Applicable], role: Option<Option<Role>>, phase: Option<Phase>) -> (usize, usize) {
    let sel = list.iter().filter(|a| {
        role.is_none_or(|r| a.reasons.iter().any(|x| x.role == r))
            && phase.is_none_or(|ph| c.principle_of(a.provision).phase == ph)
    });
    sel.fold((0, 0), |(s, sh), a| match a.provision.modality {
        Modality::Shall => (s + 1, sh),
        Modality::Should => (s, sh + 1),
    })
}

fn rows(held: &[Role]) -> Vec<(String, Option<Role>)> {
    let mut r: Vec<(String, Option<Role>)> = held.iter().map(|x| (x.title().to_string(), Some(*x))).collect();
    r.push(("Organisation-wide".into(), None));
    r
}

fn to_json(c: &Catalog, org: &str, held: &[Role], list: &[Applicable]) -> Value {
    let (shall, should) = counts(c, list, None, None);
    let by_role: serde_json::Map<String, Value> = rows(held)
        .into_iter()
        .map(|(_, r)| {
            let key = r.map_or("organisation-wide", Role::as_str).to_string();
            let per_phase: serde_json::Map<String, Value> = Phase::ALL
                .iter()
                .map(|ph| {
                    let (s, sh) = counts(c, list, Some(r), Some(*ph));
                    (ph.as_str().to_string(), json!({ "shall": s, "should": sh }))
                })
                .collect();
            let (s, sh) = counts(c, list, Some(r), None);
            (key, json!({ "shall": s, "should": sh, "by_phase": per_phase }))
        })
        .collect();
    json!({
        "schema": "custody.applicable/v1",
        "standard": c.version,
        "organisation": org,
        "roles": held.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "count": list.len(),
        "shall": shall,
        "should": should,
        "by_role": by_role,
        "provisions": list.iter().map(|a| {
            let pr = c.principle_of(a.provision);
            json!({
                "id": a.provision.id.as_str(),
                "principle": pr.number,
                "phase": pr.phase.as_str(),
                "modality": a.provision.modality.as_str(),
                "summary": a.provision.summary,
                "reasons": a.reasons,
                "notes": a.notes,
            })
        }).collect::<Vec<_>>(),
    })
}

fn brought_by(a: &Applicable) -> String {
    let tags: Vec<&str> = a.reasons.iter().map(|r| r.role.map_or("ORG", |x| short(x.as_str()))).collect();
    tags.join(",")
}

fn table(
    c: &Catalog,
    org: &str,
    held: &[Role],
    list: &[Applicable],
    out: &mut Output,
) -> Result<(), crate::failure::Failure> {
    let (shall, should) = counts(c, list, None, None);
    let roles: Vec<&str> = held.iter().map(|r| r.title()).collect();
    let head = format!(
        "{org} holds {}: {} provisions apply ({shall} shall, {should} should)",
        if roles.is_empty() { "no role".to_string() } else { roles.join(" + ") },
        list.len()
    );
    let head = out.paint(&head, Style::Bold);
    out.line(&head)?;
    out.line("")?;
    let mut header = format!("  {:<19}", "shall/should");
    for ph in Phase::ALL {
        header.push_str(&format!("{:>13}", ph.as_str()));
    }
    header.push_str(&format!("{:>10}", "total"));
    out.line(&header)?;
    for (name, r) in rows(held) {
        let mut line = format!("  {name:<19}");
        for ph in Phase::ALL {
            let (s, sh) = counts(c, list, Some(r), Some(ph));
            line.push_str(&format!("{:>13}", format!("{s}/{sh}")));
        }
        let (s, sh) = counts(c, list, Some(r), None);
        line.push_str(&format!("{:>10}", format!("{s}/{sh}")));
        out.line(&line)?;
    }
    for ph in Phase::ALL {
        let in_phase: Vec<&Applicable> = list.iter().filter(|a| c.principle_of(a.provision).phase == ph).collect();
        if in_phase.is_empty() {
            continue;
        }
        out.line("")?;
        let h = out.paint(&format!("{} ({})", ph.title(), in_phase.len()), Style::Bold);
        out.line(&h)?;
        for a in in_phase {
            let p = a.provision;
            let summary = wrap(&p.summary, 68);
            let m = out.paint(
                &format!("{:<6}", p.modality.as_str()),
                if p.modality == Modality::Shall { Style::Bold } else { Style::Dim },
            );
            out.line(&format!("  {:<11} {m}  {:<10} {}", p.id.as_str(), brought_by(a), summary[0]))?;
            for l in &summary[1..] {
                out.line(&format!("  {:<30}{l}", ""))?;
            }
            for r in &a.reasons {
                if let Some(cond) = &r.condition {
                    let who = r.role.map_or("organisation", Role::title);
                    out.line(&format!(
                        "  {:<30}{}",
                        "",
                        out.paint(&format!("condition ({who}): {cond}"), Style::Yellow)
                    ))?;
                }
            }
            for n in &a.notes {
                out.line(&format!("  {:<30}{}", "", out.paint(&format!("note: {n}"), Style::Cyan)))?;
            }
        }
    }
    out.note("brought by: D developer, SO system-operator, DC data-custodian, ORG organisation-wide; --format json gives every reason");
    Ok(())
}

fn to_markdown(c: &Catalog, org: &str, held: &[Role], list: &[Applicable]) -> String {
    let (shall, should) = counts(c, list, None, None);
    let roles: Vec<&str> = held.iter().map(|r| r.title()).collect();
    let mut s = format!("# What ETSI {} asks of {}\n\n", c.version, cell(org));
    s.push_str(&format!(
        "Roles held: {}. {} provisions apply: {shall} shall, {should} should.\n\n",
        roles.join(", "),
        list.len()
    ));
    s.push_str("| Brought by | shall | should |\n|---|---|---|\n");
    for (name, r) in rows(held) {
        let (a, b) = counts(c, list, Some(r), None);
        s.push_str(&format!("| {name} | {a} | {b} |\n"));
    }
    for ph in Phase::ALL {
        let in_phase: Vec<&Applicable> = list.iter().filter(|a| c.principle_of(a.provision).phase == ph).collect();
        if in_phase.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n## {}\n\n| Provision | Modality | Brought by | Summary | Why |\n|---|---|---|---|---|\n",
            ph.title()
        ));
        for a in in_phase {
            let why: Vec<String> = a
                .reasons
                .iter()
                .map(|r| match &r.condition {
                    Some(cond) => format!("{} (only if: {})", r.text, cond),
                    None => r.text.clone(),
                })
                .chain(a.notes.iter().map(|n| format!("note: {n}")))
                .collect();
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                a.provision.id,
                a.provision.modality,
                brought_by(a),
                cell(&a.provision.summary),
                cell(&why.join("; "))
            ));
        }
    }
    s
}

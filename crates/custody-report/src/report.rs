//! The assessment report as JSON (`custody.report/v1`) and as Markdown: the same content as the
//! HTML report (per-principle progress, per-role view, gaps with how to close them, systems,
//! every provision with its evidence, the inventory and the findings).

use custody_assess::{AssessInput, Assessment, Status};
use custody_core::{Catalog, Finding};
use serde_json::{Value, json};

/// Text for a Markdown table cell: pipes, backslashes and newlines escaped, and no raw HTML.
pub fn md(s: &str) -> String {
    crate::markdown::cell(s).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Who made a document.
#[derive(Debug, Clone, Copy)]
pub struct Meta<'a> {
    pub tool: &'a str,
    pub version: &'a str,
}

impl Meta<'_> {
    /// The version without the git revision (`0.1.0 (abc)` → `0.1.0`).
    pub fn short_version(&self) -> &str {
        self.version.split_whitespace().next().unwrap_or(self.version)
    }
}

/// Findings, worst first, then by location.
pub fn findings_sorted(input: &AssessInput) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = input.scan.iter().flat_map(|s| s.findings.iter()).collect();
    v.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then_with(|| a.location.cmp(&b.location)).then_with(|| a.code.cmp(&b.code))
    });
    v
}

/// The inventory part of the report.
pub fn inventory(input: &AssessInput) -> Value {
    let Some(s) = &input.scan else { return Value::Null };
    json!({
        "scan": s.id,
        "root": s.root,
        "started_at": s.started_at,
        "assets": s.assets.iter().filter(|a| a.part_of.is_none()).map(|a| json!({
            "path": a.path, "kind": a.kind, "format": a.format, "size": a.size, "sha256": a.sha256,
            "systems": a.systems, "members": s.assets.iter().filter(|m| m.part_of.as_deref() == Some(a.path.as_str())).count(),
        })).collect::<Vec<_>>(),
        "services": s.services,
        "libraries": s.libraries,
        "shadow": { "assets": s.shadow_assets, "services": s.shadow_services },
        "missing": s.missing.iter().map(|(sys, p)| json!({"system": sys, "pattern": p})).collect::<Vec<_>>(),
        "edges": s.edges,
    })
}

/// `custody.report/v1`.
pub fn json(input: &AssessInput, a: &Assessment, meta: Meta<'_>) -> Value {
    json!({
        "schema": "custody.report/v1",
        "generator": { "name": meta.tool, "version": meta.version },
        "assessment": a,
        "inventory": inventory(input),
        "findings": findings_sorted(input).iter().map(|f| json!({
            "code": f.code, "severity": f.severity, "message": f.message, "location": f.location,
            "evidence": f.evidence, "remediation": f.remediation(),
        })).collect::<Vec<_>>(),
        "records": {
            "datasets": input.datasets.len(),
            "approvals": input.approvals.len(),
            "evidence": input.evidence.len(),
            "training": input.training.len(),
            "signatures": input.integrity.events.iter().filter(|e| e.kind == custody_core::IntegrityKind::Sign).count(),
            "snapshots": input.integrity.snapshots.len(),
        },
        "audit": input.audit,
    })
}

pub fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Met => "✅ met",
        Status::Partial => "🟡 partial",
        Status::Gap => "❌ gap",
        Status::NotApplicable => "➖ n/a",
    }
}

fn roles_text(a: &Assessment) -> String {
    a.roles.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")
}

/// The report in Markdown.
pub fn markdown(c: &Catalog, input: &AssessInput, a: &Assessment, meta: Meta<'_>) -> String {
    let mut o = String::new();
    let t = &a.totals;
    o.push_str(&format!("# ETSI {} assessment: {}\n\n", c.version, md(&a.organisation)));
    o.push_str(&format!(
        "Assessed {} by {} {} for the roles **{}**. {} of the 72 provisions apply ({} bind none of these roles); custody checks {} provisions by itself.\n\n",
        a.assessed_at,
        meta.tool,
        meta.short_version(),
        md(&roles_text(a)),
        t.applicable,
        a.not_binding,
        a.automated_provisions
    ));
    match &a.scan {
        Some(s) => o.push_str(&format!(
            "Latest scan: #{} of `{}` at {}{}; {} assets, {} findings, {} unregistered. Audit log: {}.\n\n",
            s.id,
            md(&s.root),
            s.started_at,
            if s.stale { " (stale)" } else { "" },
            s.assets,
            s.findings,
            s.shadow,
            if a.audit_ok { "verifies" } else { "DOES NOT VERIFY" }
        )),
        None => o.push_str("No scan recorded yet (`custody scan`).\n\n"),
    }
    o.push_str("## Summary\n\n| | Met | Partial | Gap | Not applicable | Shall-gaps | Progress |\n|---|---|---|---|---|---|---|\n");
    o.push_str(&format!(
        "| All | {} | {} | {} | {} | {} | {}% |\n",
        t.met,
        t.partial,
        t.gap,
        t.not_applicable,
        t.shall_gaps,
        t.progress()
    ));
    o.push_str("\n## By principle\n\n| Principle | Phase | Met | Partial | Gap | N/A | Progress |\n|---|---|---|---|---|---|---|\n");
    for p in a.by_principle.iter().filter(|p| p.totals.applicable > 0) {
        let x = &p.totals;
        o.push_str(&format!(
            "| {} {} ({}) | {} | {} | {} | {} | {} | {}% |\n",
            p.number,
            md(&p.title),
            p.clause,
            p.phase.title(),
            x.met,
            x.partial,
            x.gap,
            x.not_applicable,
            x.progress()
        ));
    }
    o.push_str("\n## By role\n\n| Role | Provisions | Met | Partial | Gap | N/A | Shall-gaps | Progress |\n|---|---|---|---|---|---|---|---|\n");
    for r in &a.by_role {
        let x = &r.totals;
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {}% |\n",
            md(&r.title),
            x.applicable,
            x.met,
            x.partial,
            x.gap,
            x.not_applicable,
            x.shall_gaps,
            x.progress()
        ));
    }
    o.push_str("\n## Gaps and how to close them\n\nShall-provisions first.\n\n| Provision | Modality | Status | Why | How to close |\n|---|---|---|---|---|\n");
    for p in a.open_items() {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            p.id,
            p.modality,
            status_mark(p.status),
            md(&p.rationale),
            p.close.as_deref().map(|c| format!("`{}`", md(c).replace('`', "'"))).unwrap_or_default()
        ));
    }
    if !a.systems.is_empty() {
        o.push_str("\n## Systems\n");
        for s in &a.systems {
            let x = &s.totals;
            o.push_str(&format!(
                "\n### {} ({})\n\n{} met, {} partial, {} gap, {} not applicable; {}% progress.\n\n",
                md(&s.name),
                s.exposure,
                x.met,
                x.partial,
                x.gap,
                x.not_applicable,
                x.progress()
            ));
            if !s.own.is_empty() {
                o.push_str("| Provision | Status | Detail |\n|---|---|---|\n");
                for (id, st) in &s.own {
                    o.push_str(&format!("| {id} | {} | {} |\n", status_mark(st.status), md(&st.detail)));
                }
            }
        }
    }
    o.push_str("\n## All applicable provisions\n\n| Provision | Modality | Roles | Status | Basis | Rationale | Evidence |\n|---|---|---|---|---|---|---|\n");
    for p in &a.provisions {
        let roles = if p.roles.is_empty() {
            "organisation".to_string()
        } else {
            p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        };
        let ev: Vec<String> = p
            .evidence
            .iter()
            .take(6)
            .map(|e| format!("{}{} {}", if e.against { "✗ " } else { "" }, e.kind, md(&e.reference)))
            .collect();
        let more = if p.evidence.len() > 6 { format!(" (+{} more)", p.evidence.len() - 6) } else { String::new() };
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}{} |\n",
            p.id,
            p.modality,
            roles,
            status_mark(p.status),
            serde_json::to_value(p.basis).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            md(&p.rationale),
            ev.join("<br>"),
            more
        ));
    }
    if let Some(s) = &input.scan {
        o.push_str(
            "\n## Inventory\n\n| Kind | Path | Format | Size | SHA-256 | Systems |\n|---|---|---|---|---|---|\n",
        );
        for x in s.top_assets() {
            o.push_str(&format!(
                "| {} | {} | {} | {} | `{}` | {} |\n",
                md(x.kind.as_str()),
                md(&x.path),
                md(&x.format),
                x.size,
                x.sha256.get(..12).unwrap_or(&x.sha256),
                if x.systems.is_empty() { "**unregistered**".to_string() } else { md(&x.systems.join(", ")) }
            ));
        }
        if !s.services.is_empty() {
            o.push_str("\n| AI service | Hosts | Models | Systems |\n|---|---|---|---|\n");
            for x in &s.services {
                o.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    md(&x.provider),
                    md(&x.hosts.join(", ")),
                    md(&x.models.join(", ")),
                    if x.systems.is_empty() { "**unregistered**".to_string() } else { md(&x.systems.join(", ")) }
                ));
            }
        }
    }
    let f = findings_sorted(input);
    o.push_str(&format!("\n## Findings ({})\n\n", f.len()));
    if !f.is_empty() {
        o.push_str("| Severity | Code | Location | Message |\n|---|---|---|---|\n");
        for x in f {
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                x.severity,
                x.code,
                md(&x.location.to_string()),
                md(&x.message)
            ));
        }
    }
    o.push_str("\nProvision summaries are custody's own paraphrases, not ETSI text.\n");
    crate::markdown::document(o)
}

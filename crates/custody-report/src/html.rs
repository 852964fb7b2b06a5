//! The assessment as one self-contained HTML file: no script, no external fetch (styles and
//! charts are inline; charts are SVG), readable by someone who is not an engineer. Every piece of
//! text from the input is escaped. Deterministic: the same input gives the same bytes.

use crate::report::{Meta, findings_sorted};
use custody_assess::{AssessInput, Assessment, Status, Totals};
use custody_core::{Catalog, Severity};
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

fn colour(s: Status) -> &'static str {
    match s {
        Status::Met => "#2e7d32",
        Status::Partial => "#e0a100",
        Status::Gap => "#c62828",
        Status::NotApplicable => "#9e9e9e",
    }
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "gap",
        Severity::Medium => "partial",
        Severity::Low | Severity::Info => "na",
    }
}

fn badge(s: Status) -> String {
    let class = match s {
        Status::Met => "met",
        Status::Partial => "partial",
        Status::Gap => "gap",
        Status::NotApplicable => "na",
    };
    format!("<span class=\"badge {class}\">{}</span>", s.title())
}

/// A donut of the status counts, with the progress figure in the middle.
fn donut(t: &Totals) -> String {
    let total = t.applicable.max(1) as f64;
    let mut o = String::from(
        "<svg class=\"donut\" viewBox=\"0 0 42 42\" width=\"180\" height=\"180\" role=\"img\" aria-label=\"Status of the applicable provisions\">\
         <circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"#eee\" stroke-width=\"6\"/>",
    );
    let mut offset = 25.0f64;
    for s in Status::ALL {
        let n = t.count(s);
        if n == 0 {
            continue;
        }
        let pct = n as f64 * 100.0 / total;
        let _ = write!(
            o,
            "<circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"{}\" stroke-width=\"6\" stroke-dasharray=\"{:.3} {:.3}\" stroke-dashoffset=\"{:.3}\"><title>{}: {n}</title></circle>",
            colour(s),
            pct,
            100.0 - pct,
            offset,
            s.title()
        );
        offset -= pct;
    }
    let _ = write!(
        o,
        "<text x=\"21\" y=\"21\" text-anchor=\"middle\" dominant-baseline=\"central\" font-size=\"7\" font-weight=\"bold\">{}%</text></svg>",
        t.progress()
    );
    o
}

/// One horizontal bar split by status.
fn bar(t: &Totals, width: f64) -> String {
    let total = t.applicable.max(1) as f64;
    let mut o = format!(
        "<svg class=\"bar\" viewBox=\"0 0 {width} 14\" width=\"{width}\" height=\"14\" role=\"img\" aria-label=\"{} met, {} partial, {} gap, {} not applicable\">",
        t.met, t.partial, t.gap, t.not_applicable
    );
    let mut x = 0.0f64;
    for s in [Status::Met, Status::Partial, Status::Gap, Status::NotApplicable] {
        let n = t.count(s);
        if n == 0 {
            continue;
        }
        let w = n as f64 * width / total;
        let _ = write!(
            o,
            "<rect x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"14\" fill=\"{}\"><title>{}: {n}</title></rect>",
            colour(s),
            s.title()
        );
        x += w;
    }
    if t.applicable == 0 {
        let _ = write!(o, "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"14\" fill=\"#eee\"/>");
    }
    o.push_str("</svg>");
    o
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fafafa;line-height:1.45}
header{background:#0d3b66;color:#fff;padding:24px 40px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:2px 0;opacity:.9}
main{padding:16px 40px 40px;max-width:1200px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:16px 24px;margin:16px 0}
h2{font-size:20px;margin:4px 0 12px}
h3{font-size:16px;margin:16px 0 8px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f3f5f8;font-weight:600}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#f3f5f8;padding:1px 4px;border-radius:3px;word-break:break-all}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.met{background:#2e7d32}.partial{background:#e0a100}.gap{background:#c62828}.na{background:#9e9e9e}
.summary{display:flex;gap:32px;align-items:center;flex-wrap:wrap}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #e3e3e3;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:24px}
.legend span{margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.muted{color:#666;font-size:13px}
.against{color:#c62828}
details summary{cursor:pointer}
footer{color:#666;font-size:12px;padding:0 40px 24px}
";

/// The report as one HTML document.
pub fn report(c: &Catalog, input: &AssessInput, a: &Assessment, meta: Meta<'_>) -> String {
    let mut o = String::new();
    let t = &a.totals;
    let roles: Vec<&str> = a.roles.iter().map(|r| r.title()).collect();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>ETSI {} assessment: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(meta.tool),
        esc(meta.short_version()),
        esc(&c.version),
        esc(&a.organisation)
    );
    let _ = write!(
        o,
        "<header><h1>ETSI {} assessment</h1><p><b>{}</b>: {}</p><p>Assessed {}. {} of the 72 provisions apply to these roles; custody checks {} provisions by itself.</p></header>\n<main>\n",
        esc(&c.version),
        esc(&a.organisation),
        esc(&roles.join(", ")),
        esc(&a.assessed_at),
        t.applicable,
        a.automated_provisions
    );

    // Summary.
    o.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"summary\">");
    o.push_str(&donut(t));
    o.push_str("<div><div class=\"cards\">");
    for (label, n, class) in [
        ("Met", t.met, "met"),
        ("Partial", t.partial, "partial"),
        ("Gap", t.gap, "gap"),
        ("Not applicable", t.not_applicable, "na"),
    ] {
        let _ = write!(o, "<div class=\"card\"><b>{n}</b><span class=\"badge {class}\">{label}</span></div>");
    }
    let _ = write!(o, "<div class=\"card\"><b>{}</b>shall-provisions with a gap</div>", t.shall_gaps);
    o.push_str("</div>");
    match &a.scan {
        Some(s) => {
            let _ = write!(
                o,
                "<p>Latest scan #{} of <code>{}</code> at {}{}: {} AI assets, {} findings, {} not registered to any system.</p>",
                s.id,
                esc(&s.root),
                esc(&s.started_at),
                if s.stale { " <span class=\"badge partial\">stale</span>" } else { "" },
                s.assets,
                s.findings,
                s.shadow
            );
        }
        None => o.push_str("<p>No scan recorded yet: run <code>custody scan</code>.</p>"),
    }
    let _ = writeln!(
        o,
        "<p>Audit log: {}</p></div></div></section>",
        if a.audit_ok {
            "<span class=\"badge met\">verifies</span>".to_string()
        } else {
            "<span class=\"badge gap\">does not verify</span>".to_string()
        }
    );

    // Per principle.
    o.push_str("<section id=\"principles\"><h2>Progress per principle</h2><div class=\"legend\">");
    for s in [Status::Met, Status::Partial, Status::Gap, Status::NotApplicable] {
        let _ = write!(o, "<span><i style=\"background:{}\"></i>{}</span>", colour(s), s.title());
    }
    o.push_str(
        "</div><table><tr><th>Principle</th><th>Phase</th><th>Status of its provisions</th><th>Progress</th></tr>",
    );
    for p in a.by_principle.iter().filter(|p| p.totals.applicable > 0) {
        let _ = write!(
            o,
            "<tr><td>{}. {} <span class=\"muted\">({})</span></td><td>{}</td><td>{}</td><td>{}%</td></tr>",
            p.number,
            esc(&p.title),
            esc(&p.clause),
            p.phase.title(),
            bar(&p.totals, 320.0),
            p.totals.progress()
        );
    }
    o.push_str("</table></section>\n");

    // Per role.
    o.push_str("<section id=\"roles\"><h2>Per role</h2><table><tr><th>Role</th><th>Provisions</th><th>Status</th><th>Shall-gaps</th><th>Progress</th></tr>");
    for r in &a.by_role {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}%</td></tr>",
            esc(&r.title),
            r.totals.applicable,
            bar(&r.totals, 240.0),
            r.totals.shall_gaps,
            r.totals.progress()
        );
    }
    o.push_str("</table></section>\n");

    // Gaps.
    let open = a.open_items();
    let _ = write!(
        o,
        "<section id=\"gaps\"><h2>Gaps and how to close them ({})</h2><p class=\"muted\">Required (shall) provisions first.</p>",
        open.len()
    );
    if open.is_empty() {
        o.push_str("<p>Nothing open.</p>");
    } else {
        o.push_str("<table><tr><th>Provision</th><th>Status</th><th>What is missing</th><th>How to close it</th></tr>");
        for p in open {
            let _ = write!(
                o,
                "<tr><td><b>{}</b> <span class=\"muted\">{}</span><br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.id),
                p.modality,
                esc(&p.summary),
                badge(p.status),
                esc(&p.rationale),
                p.close.as_deref().map(|c| format!("<code>{}</code>", esc(c))).unwrap_or_default()
            );
        }
        o.push_str("</table>");
    }
    o.push_str("</section>\n");

    // Systems.
    if !a.systems.is_empty() {
        o.push_str("<section id=\"systems\"><h2>Systems</h2>");
        for s in &a.systems {
            let _ = write!(
                o,
                "<h3>{} <span class=\"muted\">({})</span></h3><p>{} {}%</p>",
                esc(&s.name),
                esc(&s.exposure),
                bar(&s.totals, 320.0),
                s.totals.progress()
            );
            if !s.own.is_empty() {
                o.push_str("<table><tr><th>Provision</th><th>Status</th><th>For this system</th></tr>");
                for (id, st) in &s.own {
                    let _ = write!(
                        o,
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(id),
                        badge(st.status),
                        esc(&st.detail)
                    );
                }
                o.push_str("</table>");
            }
        }
        o.push_str("</section>\n");
    }

    // Every provision.
    o.push_str("<section id=\"provisions\"><h2>Every applicable provision</h2><table><tr><th>Provision</th><th>Roles</th><th>Status</th><th>Why, and the evidence</th></tr>");
    for p in &a.provisions {
        let roles = if p.roles.is_empty() {
            "organisation".to_string()
        } else {
            p.roles.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")
        };
        let _ = write!(
            o,
            "<tr><td><b>{}</b> <span class=\"muted\">{}</span></td><td>{}</td><td>{}{}</td><td>{}",
            esc(&p.id),
            p.modality,
            esc(&roles),
            badge(p.status),
            if p.automated { " <span class=\"muted\">auto</span>" } else { "" },
            esc(&p.rationale)
        );
        if !p.evidence.is_empty() {
            let _ = write!(o, "<details><summary>{} piece(s) of evidence</summary><ul>", p.evidence.len());
            for e in &p.evidence {
                let _ = write!(
                    o,
                    "<li{}>{} <code>{}</code> {}{}{}</li>",
                    if e.against { " class=\"against\"" } else { "" },
                    esc(&e.kind),
                    esc(&e.reference),
                    esc(&e.detail),
                    e.sha256
                        .as_deref()
                        .map(|s| format!(" <span class=\"muted\">sha256:{}</span>", esc(s.get(..16).unwrap_or(s))))
                        .unwrap_or_default(),
                    e.audit_seq.map(|s| format!(" <span class=\"muted\">audit entry {s}</span>")).unwrap_or_default()
                );
            }
            o.push_str("</ul></details>");
        }
        o.push_str("</td></tr>");
    }
    o.push_str("</table></section>\n");

    // Inventory.
    o.push_str("<section id=\"inventory\"><h2>AI inventory</h2>");
    match &input.scan {
        None => o.push_str("<p>No scan recorded.</p>"),
        Some(s) => {
            o.push_str("<table><tr><th>Kind</th><th>Path</th><th>Format</th><th>Size</th><th>SHA-256</th><th>Systems</th></tr>");
            for x in s.top_assets() {
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                    esc(x.kind.as_str()),
                    esc(&x.path),
                    esc(&x.format),
                    x.size,
                    esc(x.sha256.get(..16).unwrap_or(&x.sha256)),
                    if x.systems.is_empty() {
                        "<span class=\"badge gap\">unregistered</span>".to_string()
                    } else {
                        esc(&x.systems.join(", "))
                    }
                );
            }
            o.push_str("</table>");
            if !s.services.is_empty() {
                o.push_str("<h3>AI services</h3><table><tr><th>Provider</th><th>Hosts</th><th>Models</th><th>Used in</th><th>Systems</th></tr>");
                for x in &s.services {
                    let files: Vec<String> = x.occurrences.iter().take(3).map(|(p, l)| format!("{p}:{l}")).collect();
                    let _ = write!(
                        o,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                        esc(&x.provider),
                        esc(&x.hosts.join(", ")),
                        esc(&x.models.join(", ")),
                        esc(&files.join(", ")),
                        if x.systems.is_empty() {
                            "<span class=\"badge gap\">unregistered</span>".to_string()
                        } else {
                            esc(&x.systems.join(", "))
                        }
                    );
                }
                o.push_str("</table>");
            }
        }
    }
    o.push_str("</section>\n");

    // Findings.
    let f = findings_sorted(input);
    let _ = write!(o, "<section id=\"findings\"><h2>Findings ({})</h2>", f.len());
    if f.is_empty() {
        o.push_str("<p>None.</p>");
    } else {
        o.push_str("<table><tr><th>Severity</th><th>Code</th><th>Where</th><th>What</th><th>What to do</th></tr>");
        for x in f {
            let _ = write!(
                o,
                "<tr><td><span class=\"badge {}\">{}</span></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                sev_class(x.severity),
                x.severity,
                esc(x.code.as_str()),
                esc(&x.location.to_string()),
                esc(&x.message),
                esc(x.remediation())
            );
        }
        o.push_str("</table>");
    }
    o.push_str("</section>\n</main>\n");
    let _ = write!(
        o,
        "<footer>Generated by {} {}. Provision summaries are custody's own paraphrases, not ETSI text; ETSI EN 304 223 is &copy; ETSI.</footer>\n</body>\n</html>\n",
        esc(meta.tool),
        esc(meta.short_version())
    );
    o
}

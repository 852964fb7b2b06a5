//! Markdown renderings for people: the catalogue grouped by principle.

use custody_core::{Catalog, Provision};

/// Escapes text for a Markdown table cell: backslashes, pipes, newlines (as spaces) and control
/// or bidi characters (in a visible form, `custody_core::text`).
pub fn cell(s: &str) -> String {
    custody_core::text::escape_controls(&s.replace('\\', "\\\\").replace('|', "\\|").replace('\n', " ")).into_owned()
}

/// The last pass over a whole Markdown document: whatever input text reached it unescaped, no
/// control or bidi character leaves it raw (custody's own newlines stay).
pub fn document(s: String) -> String {
    match custody_core::text::escape_controls_keep_newlines(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// The provisions in `selected` (catalogue order), one table per principle.
pub fn catalog(c: &Catalog, selected: &[&Provision]) -> String {
    let mut out = format!("# ETSI {} provisions\n\n", c.version);
    out.push_str(&format!(
        "{} provisions selected. Summaries are custody's own paraphrases, not ETSI text.\n",
        selected.len()
    ));
    for pr in &c.principles {
        let rows: Vec<&&Provision> = selected.iter().filter(|p| p.id.clause() == pr.clause).collect();
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## Principle {}: {} ({}, {})\n\n",
            pr.number,
            cell(&pr.title),
            pr.clause,
            pr.phase.title()
        ));
        out.push_str("| Provision | Modality | Obliges | Summary | Evidence |\n|---|---|---|---|---|\n");
        for p in rows {
            let obliged: Vec<&str> = p.obliged.iter().map(|r| r.title()).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                p.id,
                p.modality,
                obliged.join(", "),
                cell(&p.summary),
                cell(&p.evidence_examples.join("; "))
            ));
        }
    }
    document(out)
}

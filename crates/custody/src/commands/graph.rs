//! `custody graph`: the connections of the latest scan, as Graphviz or JSON.

use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::Output;
use crate::workspace;
use custody_cli::{GlobalArgs, GraphArgs, GraphFormat};
use serde_json::json;
use std::collections::BTreeMap;

pub fn run(g: &GlobalArgs, args: &GraphArgs, out: &mut Output) -> CmdResult {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_read(g, &ws)?;
    let Some(scan) = store.latest_scan(None)? else {
        return Err(Failure::with_hint("no scan recorded yet", "run `custody scan` first"));
    };
    let rec = &scan.record;
    // Every node with its kind: assets by kind, services, hub ids, code files.
    let mut nodes: BTreeMap<String, String> = BTreeMap::new();
    for a in &rec.assets {
        nodes.insert(a.path.clone(), a.kind.as_str().to_string());
    }
    for e in &rec.edges {
        for n in [&e.source, &e.target] {
            let kind = if n.starts_with("service:") {
                "service"
            } else if n.starts_with("hub-dataset:") {
                "hub-dataset"
            } else if n.starts_with("hub:") {
                "hub-model"
            } else {
                "code"
            };
            nodes.entry(n.clone()).or_insert_with(|| kind.to_string());
        }
    }
    match args.format {
        GraphFormat::Json => out.json(&json!({
            "schema": "custody.graph/v1",
            "scan": scan.id,
            "root": rec.root,
            "nodes": nodes.iter().map(|(id, kind)| json!({"id": id, "kind": kind})).collect::<Vec<_>>(),
            "edges": rec.edges.iter().map(|e| json!({"source": e.source, "target": e.target, "kind": e.kind})).collect::<Vec<_>>(),
        }))?,
        GraphFormat::Dot => {
            let mut s = String::from("digraph custody {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
            for (id, kind) in &nodes {
                let shape = match kind.as_str() {
                    "model" | "adapter" => "box3d",
                    "dataset" | "hub-dataset" => "cylinder",
                    "service" => "cloud",
                    "hub-model" => "component",
                    "prompt" | "chat-template" => "note",
                    "vector-store" => "folder",
                    _ => "box",
                };
                s.push_str(&format!("  {} [shape={shape}, label={}];\n", dot_id(id), dot_id(&format!("{id}\n({kind})"))));
            }
            for e in &rec.edges {
                s.push_str(&format!("  {} -> {} [label={}];\n", dot_id(&e.source), dot_id(&e.target), dot_id(&e.kind)));
            }
            s.push_str("}\n");
            out.document(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

/// A DOT quoted id: every `"` and `\` escaped, newlines as `\n`; nothing in it is interpreted.
fn dot_id(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            // Control and bidi characters in a visible form (`\r`, `\e`, `\u{202e}`), its
            // backslash escaped for DOT.
            c if custody_core::text::is_dangerous(c) => {
                o.push_str(&custody_core::text::escape_controls(c.encode_utf8(&mut [0; 4])).replace('\\', "\\\\"))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn dot_ids_are_escaped() {
        assert_eq!(super::dot_id("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\\\x01\"");
        assert_eq!(super::dot_id("w\r\u{1b}[8m\u{202e}"), "\"w\\\\r\\\\e[8m\\\\u{202e}\"");
    }
}

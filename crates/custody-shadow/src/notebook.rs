//! Jupyter notebooks (nbformat 4): code cells are decoded from the JSON, scanned as Python,
//! and every hit is mapped back to its position in the `.ipynb` file.

use crate::Language;
use crate::code;
use crate::hits::Sink;
use crate::json::{self, J, Role, Seg};
use crate::manifest::install_commands;
use crate::text::lines;

#[derive(Default)]
struct Cell {
    kind: Option<String>,
    parts: Vec<usize>,
}

/// Cell magics after which the cell is still Python.
const PYTHON_CELL_MAGICS: &[&str] = &["capture", "time", "timeit", "prun", "debug"];

pub(crate) fn scan(text: &str, sink: &mut Sink) {
    let toks = json::lex(text);
    let mut cells: Vec<Cell> = Vec::new();
    let mut language: Option<String> = None;
    json::walk(text, &toks, |frames, i, role| {
        if role != Role::Value {
            return;
        }
        let Some(t) = toks.get(i) else { return };
        if t.k != J::Str {
            return;
        }
        match frames {
            [top, arr, cell, rest @ ..] if top.key_is("cells") && !arr.obj && cell.obj => {
                let idx = arr.index;
                if cells.len() <= idx {
                    cells.resize_with(idx + 1, Cell::default);
                }
                let Some(c) = cells.get_mut(idx) else { return };
                match rest {
                    [] if cell.key_is("cell_type") => c.kind = Some(json::string(text, t, 64)),
                    [] if cell.key_is("source") => c.parts.push(i),
                    [src] if cell.key_is("source") && !src.obj => c.parts.push(i),
                    _ => {}
                }
            }
            [top, md, inner]
                if top.key_is("metadata")
                    && ((md.key_is("kernelspec") && inner.key_is("language"))
                        || (md.key_is("language_info") && inner.key_is("name"))) =>
            {
                language = Some(json::string(text, t, 64));
            }
            _ => {}
        }
    });
    if language.as_deref().is_some_and(|l| !l.is_empty() && !l.to_ascii_lowercase().contains("python")) {
        return;
    }
    for (n, cell) in cells.iter().enumerate() {
        if cell.kind.as_deref() != Some("code") {
            continue;
        }
        let mut src = String::new();
        let mut segs: Vec<Seg> = Vec::new();
        for &p in &cell.parts {
            if let Some(t) = toks.get(p) {
                json::decode(text, t, &mut src, &mut segs);
            }
        }
        if src.trim().is_empty() {
            continue;
        }
        let note = format!("cell {}", n + 1);
        let cleaned = magics(&src, &segs, &note, sink);
        let mut cell_sink = Sink::default();
        code::scan(Language::Python, &cleaned, &mut cell_sink);
        cell_sink.drain_into(sink, |off| json::map(&segs, off), &note);
    }
}

/// IPython magics and shell escapes (`%pip install x`, `!pip install x`, `%%bash` cells) are not
/// Python: their install commands become `Dependency` hits and the lines are blanked (same
/// length, so offsets stay valid) before the Python scan.
fn magics(src: &str, segs: &[Seg], note: &str, sink: &mut Sink) -> String {
    let first = lines(src).map(|(_, l)| l.trim_start()).find(|l| !l.is_empty()).unwrap_or("");
    let cell_magic = first.strip_prefix("%%").map(|r| r.split_whitespace().next().unwrap_or(""));
    let python = cell_magic.is_none_or(|m| PYTHON_CELL_MAGICS.contains(&m));
    let mut bytes = src.as_bytes().to_vec();
    let mut first_seen = false;
    for (start, line) in lines(src) {
        let t = line.trim_start();
        let is_first = !first_seen && !t.is_empty();
        if is_first {
            first_seen = true;
        }
        let magic = !python || t.starts_with('!') || t.starts_with('%') || (is_first && cell_magic.is_some());
        if !magic {
            continue;
        }
        let mut tmp = Sink::default();
        let _ = install_commands(line, start, "notebook", &mut tmp);
        tmp.drain_into(sink, |off| json::map(segs, off), note);
        for c in bytes.get_mut(start..start + line.len()).unwrap_or(&mut []) {
            *c = b' ';
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

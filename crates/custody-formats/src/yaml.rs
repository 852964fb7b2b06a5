//! A minimal, total reader for the YAML subset that model cards and MLflow `MLmodel` files use:
//! block mappings and sequences by indentation, plain / single-quoted / double-quoted scalars,
//! flow sequences `[a, b]` and flow mappings `{a: b}`, `|` and `>` block scalars, and `#`
//! comments. Anchors, aliases, tags and multiple documents are read as plain text; anything it
//! cannot make sense of is skipped, never an error. Nesting is limited to
//! [`crate::limits::MAX_LITERAL_DEPTH`].

use crate::limits::MAX_LITERAL_DEPTH;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Y {
    Null,
    Str(String),
    List(Vec<Y>),
    Map(Vec<(String, Y)>),
}

impl Y {
    pub(crate) fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::Map(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Y::Str(s) => Some(s),
            _ => None,
        }
    }
    /// A scalar as one string, a list of scalars as strings.
    pub(crate) fn strings(&self) -> Vec<String> {
        match self {
            Y::Str(s) if !s.is_empty() => vec![s.clone()],
            Y::List(l) => l.iter().filter_map(|x| x.as_str().map(str::to_string)).filter(|s| !s.is_empty()).collect(),
            _ => Vec::new(),
        }
    }
}

impl Y {
    fn into_json(self) -> serde_json::Value {
        match self {
            Y::Null => serde_json::Value::Null,
            Y::Str(s) => serde_json::Value::String(s),
            Y::List(l) => serde_json::Value::Array(l.into_iter().map(Y::into_json).collect()),
            // A repeated key: the last one wins, as in [`Y::get`].
            Y::Map(m) => serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, v.into_json())).collect()),
        }
    }
}

/// A document of the subset [`parse`] reads, as a JSON value (every scalar a string).
pub fn to_json(text: &str) -> serde_json::Value {
    parse(text).into_json()
}

#[derive(Debug, Clone)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
    raw: &'a str,
}

/// Parse a document (the top level is normally a mapping).
pub(crate) fn parse(text: &str) -> Y {
    let lines: Vec<Line> = text
        .lines()
        .map(|raw| {
            let indent = raw.len() - raw.trim_start_matches(' ').len();
            Line { indent, text: strip_comment(raw[indent..].trim_end()), raw }
        })
        .collect();
    let mut p = P { lines, i: 0 };
    p.skip_blank();
    let Some(first) = p.lines.get(p.i) else { return Y::Null };
    let indent = first.indent;
    p.block(indent, 0)
}

/// Remove a `#` comment (at the start, or after whitespace, outside quotes).
fn strip_comment(s: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev_ws = true;
    for (i, c) in s.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev_ws => return s[..i].trim_end(),
            _ => {}
        }
        prev_ws = c == ' ' || c == '\t';
    }
    s
}

struct P<'a> {
    lines: Vec<Line<'a>>,
    i: usize,
}

fn is_item(t: &str) -> bool {
    t == "-" || t.starts_with("- ")
}

/// Split `key: value` at the first `:` followed by a space or the end, outside quotes/brackets.
fn split_key(t: &str) -> Option<(String, &str)> {
    if t.starts_with(['[', '{']) {
        return None;
    }
    let (mut single, mut double) = (false, false);
    let b = t.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b':' if !single && !double && (i + 1 == b.len() || b[i + 1] == b' ') => {
                let key = unquote(t[..i].trim());
                return Some((key, t[i + 1..].trim()));
            }
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> String {
    match inline(s, 0) {
        Y::Str(v) => v,
        _ => s.to_string(),
    }
}

impl P<'_> {
    fn skip_blank(&mut self) {
        while self.lines.get(self.i).is_some_and(|l| l.text.is_empty()) {
            self.i += 1;
        }
    }
    fn block(&mut self, indent: usize, depth: u32) -> Y {
        self.skip_blank();
        let Some(l) = self.lines.get(self.i) else { return Y::Null };
        if depth > MAX_LITERAL_DEPTH {
            while self.lines.get(self.i).is_some_and(|l| l.text.is_empty() || l.indent >= indent) {
                self.i += 1;
            }
            return Y::Null;
        }
        if is_item(l.text) { self.seq(indent, depth) } else { self.map(indent, depth) }
    }
    fn map(&mut self, indent: usize, depth: u32) -> Y {
        let mut out = Vec::new();
        loop {
            self.skip_blank();
            let Some(l) = self.lines.get(self.i).cloned() else { break };
            if l.indent < indent || (l.indent == indent && is_item(l.text)) {
                break;
            }
            self.i += 1;
            if l.indent > indent {
                continue; // stray deeper line
            }
            let Some((key, rest)) = split_key(l.text) else { continue };
            let value = self.value(rest, indent, depth);
            out.push((key, value));
        }
        Y::Map(out)
    }
    /// The value after `key:` (or `- `) on a line at `indent`.
    fn value(&mut self, rest: &str, indent: usize, depth: u32) -> Y {
        if rest.starts_with('|') || rest.starts_with('>') {
            return self.block_scalar(indent, rest.starts_with('>'));
        }
        if rest.is_empty() {
            self.skip_blank();
            return match self.lines.get(self.i) {
                Some(n) if n.indent > indent || (n.indent == indent && is_item(n.text)) => {
                    let ni = n.indent;
                    self.block(ni, depth + 1)
                }
                _ => Y::Null,
            };
        }
        // A plain or quoted scalar may continue on more-indented lines.
        let mut text = rest.to_string();
        while let Some(n) = self.lines.get(self.i) {
            if n.text.is_empty() || n.indent <= indent || rest.starts_with(['[', '{']) {
                break;
            }
            text.push(' ');
            text.push_str(n.text);
            self.i += 1;
        }
        inline(&text, depth)
    }
    fn block_scalar(&mut self, indent: usize, folded: bool) -> Y {
        let mut parts: Vec<&str> = Vec::new();
        let mut inner = None;
        while let Some(n) = self.lines.get(self.i) {
            if !n.text.is_empty() && n.indent <= indent {
                break;
            }
            let ind = *inner.get_or_insert(n.indent);
            parts.push(n.raw.get(ind.min(n.raw.len())..).unwrap_or(""));
            self.i += 1;
        }
        while parts.last().is_some_and(|p| p.trim().is_empty()) {
            parts.pop();
        }
        Y::Str(parts.join(if folded { " " } else { "\n" }))
    }
    fn seq(&mut self, indent: usize, depth: u32) -> Y {
        let mut out = Vec::new();
        loop {
            self.skip_blank();
            let Some(l) = self.lines.get(self.i).cloned() else { break };
            if l.indent != indent || !is_item(l.text) {
                break;
            }
            let rest = l.text[1..].trim_start();
            let col = indent + (l.text.len() - rest.len());
            if !rest.is_empty() && split_key(rest).is_some() {
                // `- key: value`: a mapping whose first line is this one, at the content column.
                self.lines[self.i] = Line { indent: col, text: rest, raw: l.raw };
                out.push(self.block(col, depth + 1));
            } else {
                self.i += 1;
                out.push(self.value(rest, indent, depth));
            }
        }
        Y::List(out)
    }
}

/// A flow value on one line.
fn inline(s: &str, depth: u32) -> Y {
    let s = s.trim();
    if depth > MAX_LITERAL_DEPTH {
        return Y::Null;
    }
    if let Some(body) = s.strip_prefix('"') {
        return Y::Str(double_quoted(body));
    }
    if let Some(body) = s.strip_prefix('\'') {
        let end = single_end(body);
        return Y::Str(body[..end].replace("''", "'"));
    }
    if let Some(body) = s.strip_prefix('[') {
        let body = body.strip_suffix(']').unwrap_or(body);
        return Y::List(
            split_flow(body).into_iter().filter(|x| !x.trim().is_empty()).map(|x| inline(x, depth + 1)).collect(),
        );
    }
    if let Some(body) = s.strip_prefix('{') {
        let body = body.strip_suffix('}').unwrap_or(body);
        let items = split_flow(body)
            .into_iter()
            .filter_map(|x| split_key(x.trim()).map(|(k, v)| (k, inline(v, depth + 1))))
            .collect();
        return Y::Map(items);
    }
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Y::Null,
        _ => Y::Str(s.to_string()),
    }
}

fn single_end(body: &str) -> usize {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i;
        }
        i += 1;
    }
    b.len()
}

fn double_quoted(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(ch);
                    }
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

/// Split a flow collection's body at top-level commas.
fn split_flow(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut single, mut double, mut start) = (0i32, false, false, 0);
    for (i, c) in body.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '[' | '{' if !single && !double => depth += 1,
            ']' | '}' if !single && !double => depth -= 1,
            ',' if !single && !double && depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_subset() {
        let y = parse(
            "license: apache-2.0 # comment\nbase_model:\n- meta-llama/Llama-3.1-8B\n- 'other/x'\ndatasets: [a/b, \"c/d\"]\ntags:\n  - x\n  - y\nmodel-index:\n- name: foo\n  results: []\ndescription: |\n  line one\n  line two\npipeline_tag: text-generation\n",
        );
        assert_eq!(y.get("license").and_then(Y::as_str), Some("apache-2.0"));
        assert_eq!(y.get("base_model").unwrap().strings(), vec!["meta-llama/Llama-3.1-8B", "other/x"]);
        assert_eq!(y.get("datasets").unwrap().strings(), vec!["a/b", "c/d"]);
        assert_eq!(y.get("tags").unwrap().strings(), vec!["x", "y"]);
        assert_eq!(y.get("description").and_then(Y::as_str), Some("line one\nline two"));
        assert_eq!(y.get("pipeline_tag").and_then(Y::as_str), Some("text-generation"));
        let mi = y.get("model-index").unwrap();
        assert!(matches!(mi, Y::List(l) if l[0].get("name").and_then(Y::as_str) == Some("foo")));
    }

    #[test]
    fn nested_maps_and_garbage() {
        let y = parse(
            "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n  sklearn:\n    sklearn_version: 1.3.0\nrun_id: abc\n",
        );
        let f = y.get("flavors").unwrap();
        assert_eq!(f.get("sklearn").and_then(|s| s.get("sklearn_version")).and_then(Y::as_str), Some("1.3.0"));
        assert_eq!(y.get("run_id").and_then(Y::as_str), Some("abc"));
        for g in ["- - - -", ":::", "a: [[[[", "\t\tx: y", "a:\n    - b\n  c: d\n e", &"- ".repeat(200)] {
            let _ = parse(g);
        }
    }
}

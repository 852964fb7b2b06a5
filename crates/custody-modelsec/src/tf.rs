//! TensorFlow `saved_model.pb` / frozen `GraphDef`: ops in the graph and in its function
//! library that run Python (`PyFunc` family) or touch files (`ReadFile`, `WriteFile`,
//! `MatchingFiles`, `ImmutableConst`, debug/print ops writing to URLs), and string constants
//! holding absolute or escaping paths used with save/write ops.
//!
//! Read: SavedModel 2 `meta_graphs` → MetaGraphDef 2 `graph_def`; GraphDef 1 `node`, 2
//! `library` → FunctionDefLibrary 1 `function` → FunctionDef 3 `node_def`; NodeDef 1 `name`,
//! 2 `op`, 5 `attr` (map entry 1 key, 2 AttrValue: 2 `s`, 8 `tensor` → TensorProto 8 `string_val`).

use crate::codes;
use crate::ctx::Ctx;
use custody_formats::proto::{Wire, bytes_of, lenient_fields as fields};
use std::collections::BTreeMap;

const PYTHON_OPS: &[&str] = &["PyFunc", "PyFuncStateless", "EagerPyFunc", "PyCall"];
const FILE_OPS: &[&str] = &["ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst", "ShellExecute"];
const SAVE_OPS: &[&str] =
    &["Save", "SaveV2", "SaveSlices", "MergeV2Checkpoints", "RestoreV2", "Restore", "RestoreSlice", "WriteFile"];
const MAX_NODES: u32 = 2_000_000;
const MAX_DEPTH: u32 = 8;

#[derive(Default)]
struct Graph {
    /// op → (first node name, count).
    ops: BTreeMap<String, (String, u64)>,
    /// String constants and string attributes that look like absolute or escaping paths.
    paths: Vec<String>,
    /// URLs in debug/print attributes (`file://...`).
    urls: Vec<String>,
    nodes: u32,
}

fn is_path(s: &str) -> bool {
    if s.starts_with("/job:") || s.starts_with("/device:") || s.starts_with("/replica:") {
        return false;
    }
    s.starts_with('/')
        || s.starts_with("~/")
        || s.starts_with("\\\\")
        || (s.len() > 2 && s.as_bytes()[1] == b':' && (s.as_bytes()[2] == b'\\' || s.as_bytes()[2] == b'/'))
        || s.split(['/', '\\']).any(|c| c == "..")
}

impl Graph {
    fn graph(&mut self, b: &[u8], depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for f in fields(b) {
            let Wire::Bytes(s) = f.val else { continue };
            match f.num {
                1 => self.node(s),
                2 => {
                    for f in bytes_of(s, 1) {
                        for nd in bytes_of(f, 3) {
                            self.node(nd);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn node(&mut self, b: &[u8]) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return;
        }
        let mut name = String::new();
        let mut op = String::new();
        for f in fields(b) {
            let Wire::Bytes(s) = f.val else { continue };
            match f.num {
                1 => name = String::from_utf8_lossy(&s[..s.len().min(256)]).into_owned(),
                2 => op = String::from_utf8_lossy(&s[..s.len().min(256)]).into_owned(),
                5 => self.attr(s),
                _ => {}
            }
        }
        if self.ops.len() < 4096 || self.ops.contains_key(&op) {
            self.ops.entry(op).or_insert((name, 0)).1 += 1;
        }
    }

    fn attr(&mut self, entry: &[u8]) {
        for value in bytes_of(entry, 2) {
            for f in fields(value) {
                let Wire::Bytes(s) = f.val else { continue };
                match f.num {
                    2 => self.string(s),
                    8 => {
                        for sv in bytes_of(s, 8).take(256) {
                            self.string(sv);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn string(&mut self, s: &[u8]) {
        if s.len() > 4096 {
            return;
        }
        let Ok(t) = std::str::from_utf8(s) else { return };
        if t.starts_with("file://") {
            if self.urls.len() < 32 {
                self.urls.push(t.to_string());
            }
        } else if is_path(t) && self.paths.len() < 32 && !self.paths.iter().any(|p| p == t) {
            self.paths.push(t.to_string());
        }
    }
}

pub(crate) fn analyze(ctx: &mut Ctx, b: &[u8], member: Option<&str>) {
    let mut g = Graph::default();
    // A GraphDef starts with node (field 1, bytes); a SavedModel with the schema version (varint).
    match fields(b).next() {
        Some(f) if f.num == 1 && matches!(f.val, Wire::Bytes(_)) => g.graph(b, 0),
        Some(_) => {
            for mg in bytes_of(b, 2) {
                for gd in bytes_of(mg, 2) {
                    g.graph(gd, 0);
                }
            }
        }
        None => return,
    }
    for (op, (node, count)) in &g.ops {
        let (code, why) = if PYTHON_OPS.contains(&op.as_str()) {
            (codes::TF_PYTHON, "runs a Python function when the graph executes")
        } else if FILE_OPS.contains(&op.as_str()) {
            (codes::TF_FILE, "reads, lists or writes files when the graph executes")
        } else if matches!(op.as_str(), "PrintV2" | "DebugIdentity" | "DebugIdentityV2") && !g.urls.is_empty() {
            (codes::TF_FILE, "writes its output to a file URL")
        } else {
            continue;
        };
        ctx.add(
            code,
            None,
            member,
            None,
            format!("TensorFlow graph uses op `{op}`: it {why}"),
            format!("{count} node(s), first `{node}`"),
        );
    }
    let writes: Vec<&str> = g.ops.keys().map(String::as_str).filter(|o| SAVE_OPS.contains(o)).collect();
    if !g.paths.is_empty() && !writes.is_empty() {
        ctx.add(
            codes::TF_PATH,
            None,
            member,
            None,
            format!("TensorFlow graph holds absolute or escaping path constants and uses {}", writes.join(", ")),
            format!("paths: {}", g.paths.iter().map(|p| crate::pickle::preview(p)).collect::<Vec<_>>().join(", ")),
        );
    }
}

//! TensorFlow `saved_model.pb` (SavedModel: 1 `saved_model_schema_version`, 2 `meta_graphs`)
//! or a frozen `GraphDef` (1 `node`, repeated). There is no signature: the extension (or the
//! SavedModel directory layout) decides, and the first field's wire type tells the two apart.
//!
//! Read: MetaGraphDef 1 `meta_info_def` (4 `tags`, 5 `tensorflow_version`), 2 `graph_def`,
//! 5 `signature_def` (map keys); GraphDef 1 `node` (NodeDef 2 `op`), 2 `library`
//! (FunctionDef 3 `node_def`), 4 `versions` (1 producer). The distinct op names are listed in
//! `extra["ops"]`; ops that touch files or run Python (`ReadFile`, `WriteFile`, `PyFunc`, …) in
//! `extra["risky_ops"]`.

use crate::proto::{Field, Fields, ProtoError};
use crate::util::{Sink, off};
use crate::{ModelMeta, limits, meta_string};
use std::collections::BTreeSet;

const RISKY: &[&str] = &[
    "ReadFile",
    "WriteFile",
    "MatchingFiles",
    "PyFunc",
    "PyFuncStateless",
    "EagerPyFunc",
    "Save",
    "SaveV2",
    "SaveSlices",
    "MergeV2Checkpoints",
    "ImmutableConst",
    "PrintV2",
    "DebugIdentity",
];

struct G<'m> {
    meta: &'m mut ModelMeta,
    ops: BTreeSet<String>,
    nodes: u64,
    tags: Vec<String>,
    signatures: Vec<String>,
    deep: bool,
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    let mut g = G { meta, ops: BTreeSet::new(), nodes: 0, tags: Vec::new(), signatures: Vec::new(), deep: false };
    let first = Fields::new(b, 0).next();
    let r = match first {
        Some(Ok(f)) if f.num == 1 && matches!(f.val, crate::proto::Wire::Bytes(_)) => {
            g.meta.set_extra("kind", "graph_def");
            g.graph(b, 0, 1)
        }
        Some(Ok(_)) => {
            g.meta.set_extra("kind", "saved_model");
            g.saved_model(b)
        }
        Some(Err(e)) => Err(e),
        None => Err(ProtoError { message: "empty file".into(), at: 0 }),
    };
    if let Err(e) = r {
        sink.malformed(format!("protobuf: {}", e.message), off(e.at));
    }
    if g.deep {
        sink.limit(
            format!("messages nested deeper than {}; the deeper ones were skipped", limits::MAX_PROTO_DEPTH),
            None,
        );
    }
    let G { meta, ops, nodes, tags, signatures, .. } = g;
    meta.set_extra("nodes", nodes.to_string());
    if !tags.is_empty() {
        meta.set_extra("tags", tags.join(","));
    }
    if !signatures.is_empty() {
        meta.set_extra("signatures", signatures.join(","));
    }
    let risky: Vec<&str> = ops.iter().map(String::as_str).filter(|o| RISKY.contains(o)).collect();
    if !risky.is_empty() {
        meta.set_extra("risky_ops", risky.join(","));
    }
    if !ops.is_empty() {
        meta.set_extra("ops", ops.into_iter().collect::<Vec<_>>().join(","));
    }
}

impl G<'_> {
    fn saved_model(&mut self, b: &[u8]) -> Result<(), ProtoError> {
        for f in Fields::new(b, 0) {
            let f = f?;
            match f.num {
                1 => self.meta.format_version = Some(f.varint("saved_model_schema_version")?.to_string()),
                2 => self.meta_graph(&f)?,
                _ => {}
            }
        }
        Ok(())
    }
    fn meta_graph(&mut self, f: &Field) -> Result<(), ProtoError> {
        for g in Fields::new(f.bytes("meta_graphs")?, f.value_at) {
            let g = g?;
            match g.num {
                1 => {
                    for m in Fields::new(g.bytes("meta_info_def")?, g.value_at) {
                        let m = m?;
                        match m.num {
                            4 if self.tags.len() < 32 => self.tags.push(m.string("tag")?),
                            5 => {
                                self.meta.producer =
                                    Some(meta_string(&format!("tensorflow {}", m.string("tensorflow_version")?)))
                            }
                            _ => {}
                        }
                    }
                }
                2 => self.graph(g.bytes("graph_def")?, g.value_at, 2)?,
                5 => {
                    for e in Fields::new(g.bytes("signature_def")?, g.value_at) {
                        let e = e?;
                        if e.num == 1 && self.signatures.len() < 32 {
                            self.signatures.push(e.string("signature name")?);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
    fn graph(&mut self, b: &[u8], base: usize, depth: u32) -> Result<(), ProtoError> {
        if depth > limits::MAX_PROTO_DEPTH {
            self.deep = true;
            return Ok(());
        }
        for f in Fields::new(b, base) {
            let f = f?;
            match f.num {
                1 => self.node(f.bytes("node")?, f.value_at)?,
                2 => {
                    for func in Fields::new(f.bytes("library")?, f.value_at) {
                        let func = func?;
                        if func.num != 1 {
                            continue;
                        }
                        for n in Fields::new(func.bytes("function")?, func.value_at) {
                            let n = n?;
                            if n.num == 3 {
                                self.node(n.bytes("node_def")?, n.value_at)?;
                            }
                        }
                    }
                }
                4 => {
                    for v in Fields::new(f.bytes("versions")?, f.value_at) {
                        let v = v?;
                        if v.num == 1 {
                            self.meta.set_extra("graph_producer", v.varint("producer")?.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
    fn node(&mut self, b: &[u8], base: usize) -> Result<(), ProtoError> {
        self.nodes += 1;
        for f in Fields::new(b, base) {
            let f = f?;
            if f.num == 2 && self.ops.len() < 1024 {
                self.ops.insert(f.string("op")?);
            }
        }
        Ok(())
    }
}

//! Tests: each format's fixture sniffs and inspects correctly; malformed inputs produce
//! CUS-FMT-001/002 and never panic; the extension table; and a robustness sweep.

use crate::fixtures::{self, GgufValue as V, OnnxGraph, OnnxInitializer, OnnxModel, OnnxNode, ZipMember, pb};
use crate::*;

fn clean(bytes: &[u8], format: Format) -> Inspection {
    let i = inspect(bytes);
    assert_eq!(i.format, Some(format), "{i:#?}");
    assert!(i.issues.is_empty(), "unexpected issues: {:#?}", i.issues);
    i
}

fn codes(i: &Inspection) -> Vec<FmtCode> {
    i.issues.iter().map(|x| x.code).collect()
}

fn has(i: &Inspection, code: FmtCode, needle: &str) -> bool {
    i.issues.iter().any(|x| x.code == code && x.message.contains(needle))
}

#[track_caller]
fn assert_issue(i: &Inspection, code: FmtCode, needle: &str) {
    assert!(has(i, code, needle), "expected {code} containing `{needle}`, got {:#?}", i.issues);
}

fn extra<'a>(i: &'a Inspection, k: &str) -> Option<&'a str> {
    i.meta.extra.get(k).map(String::as_str)
}

#[test]
fn rule_codes_are_documented() {
    custody_core::check_rules(FmtCode::RULES).unwrap();
    assert_eq!((MALFORMED.to_string(), LIMIT.to_string()), ("CUS-FMT-001".into(), "CUS-FMT-002".into()));
    assert!(FmtCode::RULES.iter().all(|r| r.code.starts_with("CUS-FMT-")));
}

#[test]
fn format_names_match_serde_and_are_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for f in Format::ALL {
        assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{}\"", f.as_str()));
        assert!(seen.insert(f.as_str()));
        assert!(!f.extensions().is_empty());
        assert!(
            f.is_model()
                || f.is_dataset()
                || matches!(f, Format::Zip | Format::SevenZip | Format::Gzip | Format::Notebook),
            "{f}"
        );
    }
}

#[test]
fn extensions_are_consistent() {
    for f in Format::ALL {
        for e in f.extensions() {
            assert!(extension_matches(e, f), "{e} / {f}");
            if let Some(claim) = format_for_extension(e) {
                assert!(extension_matches(e, claim), "{e} claims {claim}");
            }
        }
    }
}

#[test]
fn extension_table() {
    use Format::*;
    let table: &[(&str, Format, bool)] = &[
        ("safetensors", Safetensors, true),
        ("safetensors", Pickle, false),
        ("safetensors", Zip, false),
        ("gguf", Gguf, true),
        ("gguf", Zip, false),
        ("pt", PytorchZip, true),
        ("pt", TorchScript, true),
        ("pt", TorchLegacy, true),
        ("pt", Pickle, true),
        ("pt", Zip, true),
        ("pt", SevenZip, false),
        ("pt", Safetensors, false),
        ("pth", PytorchZip, true),
        ("bin", PytorchZip, true),
        ("bin", TorchLegacy, true),
        ("bin", Gguf, true),
        ("bin", SevenZip, false),
        ("ckpt", Pickle, true),
        ("pkl", Pickle, true),
        ("pkl", TorchLegacy, true),
        ("pkl", Safetensors, false),
        ("joblib", Pickle, true),
        ("joblib", Gzip, true),
        ("npy", Npy, true),
        ("npy", Pickle, false),
        ("npz", Npz, true),
        ("npz", Zip, true),
        ("keras", KerasV3, true),
        ("keras", Zip, true),
        ("keras", Hdf5, true),
        ("keras", Pickle, false),
        ("h5", Hdf5, true),
        ("h5", Pickle, false),
        ("onnx", Onnx, true),
        ("onnx", Pickle, false),
        ("feather", ArrowIpc, true),
        ("arrow", ArrowStream, true),
        ("arrow", Parquet, false),
        ("parquet", Parquet, true),
        ("parquet", Zip, false),
        ("tfrecord", TfRecord, true),
        ("7z", SevenZip, true),
        ("zip", PytorchZip, true),
        ("ipynb", Notebook, true),
        ("json", Notebook, true),
        ("json", Pickle, false),
        ("png", Pickle, false),
        ("txt", Zip, false),
        ("pb", TfSavedModelPb, true),
        ("mlmodel", CoreMl, true),
        ("mlmodel", Onnx, false),
        ("xml", OpenVinoIr, true),
        ("llamafile", Llamafile, true),
        ("dat", Pickle, true),
        ("", Gguf, true),
        ("PT", PytorchZip, true),
        (".safetensors", Pickle, false),
    ];
    for (ext, f, want) in table {
        assert_eq!(extension_matches(ext, *f), *want, "{ext} / {f}");
    }
    for (ext, want) in [
        ("bin", None),
        ("pt", None),
        ("pth", None),
        ("ckpt", None),
        ("json", None),
        ("pkl", Some(Pickle)),
        ("joblib", Some(Pickle)),
        ("ipynb", Some(Notebook)),
        ("feather", Some(ArrowIpc)),
        ("pb", Some(TfSavedModelPb)),
        ("mlmodel", Some(CoreMl)),
        ("GGUF", Some(Gguf)),
    ] {
        assert_eq!(format_for_extension(ext), want, "{ext}");
    }
}

// ---------------------------------------------------------------------------------------------
// safetensors

/// A safetensors file from a raw header and `data` zero bytes after it.
fn st_raw(header: &str, data: usize) -> Vec<u8> {
    let mut v = (header.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(header.as_bytes());
    v.resize(v.len() + data, 0);
    v
}

#[test]
fn safetensors_fixture() {
    let f = fixtures::safetensors(
        &[("vision_tower.w", "F16", &[2, 3]), ("lm_head.weight", "F32", &[4]), ("q", "F4", &[3])],
        &[("format", "pt"), ("modelspec.license", "mit")],
    );
    assert_eq!(sniff(&f), Some(Format::Safetensors));
    let i = clean(&f, Format::Safetensors);
    assert_eq!(i.meta.tensor_count, Some(3));
    assert_eq!(i.meta.parameter_count, Some(13));
    assert_eq!(i.meta.dtypes.get("F16"), Some(&1));
    assert_eq!(i.meta.dtypes.get("F32"), Some(&1));
    assert_eq!(i.meta.producer.as_deref(), Some("pt"));
    assert_eq!(i.meta.license.as_deref(), Some("mit"));
    assert_eq!(extra(&i, "metadata.format"), Some("pt"));
    assert!(i.meta.modalities.contains("vision") && i.meta.modalities.contains("text"));
    // Header padded so data is 8-aligned.
    let n = u64::from_le_bytes(f[..8].try_into().unwrap());
    assert_eq!((8 + n) % 8, 0);
    // Empty file of tensors.
    clean(&fixtures::safetensors(&[], &[]), Format::Safetensors);
}

#[test]
fn safetensors_malformed() {
    let ok = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    assert!(inspect(&st_raw(ok, 8)).issues.is_empty());
    // Truncated header / header length past EOF.
    let full = st_raw(ok, 8);
    let i = inspect_as(&full[..20], Format::Safetensors);
    assert_issue(&i, MALFORMED, "past the end");
    let i = inspect_as(&full[..5], Format::Safetensors);
    assert_issue(&i, MALFORMED, "shorter than");
    // Header length over the limit.
    let mut big = full.clone();
    big[..8].copy_from_slice(&200_000_000u64.to_le_bytes());
    assert_issue(&inspect(&big), LIMIT, "exceeds the limit");
    // Overlap, out of bounds, hole, trailing bytes, size mismatch, duplicate key, bad JSON.
    let cases: &[(&str, usize, FmtCode, &str)] = &[
        (
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            12,
            MALFORMED,
            "overlaps",
        ),
        (r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 4, MALFORMED, "outside"),
        (r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, 16, MALFORMED, "hole"),
        (r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 12, MALFORMED, "trailing"),
        (r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, MALFORMED, "expected 12"),
        (r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, 8, MALFORMED, "before begin"),
        (
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            8,
            MALFORMED,
            "duplicate",
        ),
        (r#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, MALFORMED, "shape"),
        (r#"{"__metadata__":{"x":1}}"#, 0, MALFORMED, "not a string"),
        (
            r#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#,
            8,
            MALFORMED,
            "overflows",
        ),
        (r#"{"a": nope}"#, 0, MALFORMED, "not a JSON object"),
    ];
    for (h, data, code, needle) in cases {
        let i = inspect(&st_raw(h, *data));
        assert_eq!(i.format, Some(Format::Safetensors), "{h}");
        assert_issue(&i, *code, needle);
    }
    // Unknown dtypes are accepted and noted.
    let i = inspect(&st_raw(r#"{"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,2]}}"#, 2));
    assert!(i.issues.is_empty(), "{:?}", i.issues);
    assert_eq!(extra(&i, "unknown_dtypes"), Some("Q9"));
}

// ---------------------------------------------------------------------------------------------
// GGUF

fn gguf_example() -> Vec<u8> {
    fixtures::gguf(
        &[
            ("general.architecture", V::str("llama")),
            ("general.name", V::str("Tiny Llama")),
            ("general.license", V::str("apache-2.0")),
            ("general.file_type", V::U32(15)),
            ("general.size_label", V::str("1K")),
            ("general.datasets", V::strings(&["org/data"])),
            ("general.base_model.count", V::U32(1)),
            ("general.base_model.0.name", V::str("Base")),
            ("general.base_model.0.repo_url", V::str("https://huggingface.co/org/base")),
            ("llama.context_length", V::U32(2048)),
            ("llama.rope.freq_base", V::F32(10000.0)),
            ("clip.has_vision_encoder", V::Bool(true)),
            ("tokenizer.ggml.model", V::str("gpt2")),
            ("tokenizer.ggml.tokens", V::strings(&["<s>", "</s>", "a"])),
            ("tokenizer.ggml.scores", V::Array(6, vec![V::F32(0.0), V::F32(1.0), V::F32(2.0)])),
            ("nested", V::Array(9, vec![V::Array(4, vec![V::U32(1), V::U32(2)]), V::Array(4, vec![])])),
            ("misc.i64", V::I64(-5)),
            ("misc.f64", V::F64(0.5)),
            ("misc.i8", V::I8(-1)),
            ("misc.u16", V::U16(7)),
            ("tokenizer.chat_template", V::str("{% for m in messages %}{{ m.content }}{% endfor %}")),
            ("tokenizer.chat_template.tool_use", V::str("{{ tools }}")),
        ],
        &[("token_embd.weight", 0, &[8, 4]), ("blk.0.attn_q.weight", 12, &[256, 2]), ("v.blk.0.w", 1, &[4])],
    )
}

#[test]
fn gguf_fixture() {
    let f = gguf_example();
    assert_eq!(sniff(&f), Some(Format::Gguf));
    let i = clean(&f, Format::Gguf);
    let m = &i.meta;
    assert_eq!(m.format_version.as_deref(), Some("3"));
    assert_eq!(m.architecture.as_deref(), Some("llama"));
    assert_eq!(m.name.as_deref(), Some("Tiny Llama"));
    assert_eq!(m.license.as_deref(), Some("apache-2.0"));
    assert_eq!(m.quantization.as_deref(), Some("Q4_K_M"));
    assert_eq!(m.tensor_count, Some(3));
    assert_eq!(m.parameter_count, Some(32 + 512 + 4));
    assert_eq!(m.dtypes.get("Q4_K"), Some(&1));
    assert_eq!(m.dtypes.get("F32"), Some(&1));
    assert_eq!(m.dtypes.get("F16"), Some(&1));
    assert_eq!(m.chat_template.as_deref(), Some("{% for m in messages %}{{ m.content }}{% endfor %}"));
    assert_eq!(m.base_models, vec!["org/base"]);
    assert_eq!(m.datasets, vec!["org/data"]);
    assert!(m.modalities.contains("text") && m.modalities.contains("vision"));
    assert_eq!(extra(&i, "llama.context_length"), Some("2048"));
    assert_eq!(extra(&i, "general.size_label"), Some("1K"));
    assert_eq!(extra(&i, "chat_template_names"), Some("tool_use"));
    assert_eq!(gguf_file_type_name(15), Some("Q4_K_M"));
    assert_eq!(ggml_type_name(12), Some("Q4_K"));
}

#[test]
fn gguf_versions_and_endianness() {
    let kv = [("general.architecture", V::str("phi")), ("a", V::strings(&["x"]))];
    let t: &[(&str, u32, &[u64])] = &[("w", 0, &[2, 2])];
    for (version, big, label) in [(1, false, "1"), (2, false, "2"), (3, true, "3 (big-endian)")] {
        let f = fixtures::gguf_with(version, big, &kv, t);
        let i = clean(&f, Format::Gguf);
        assert_eq!(i.meta.format_version.as_deref(), Some(label));
        assert_eq!(i.meta.architecture.as_deref(), Some("phi"));
        assert_eq!(i.meta.parameter_count, Some(4));
    }
}

fn gguf_header(tensors: u64, kvs: u64) -> Vec<u8> {
    let mut v = b"GGUF".to_vec();
    v.extend_from_slice(&3u32.to_le_bytes());
    v.extend_from_slice(&tensors.to_le_bytes());
    v.extend_from_slice(&kvs.to_le_bytes());
    v
}

#[test]
fn gguf_malformed() {
    // Absurd counts.
    assert_issue(&inspect(&gguf_header(0, u64::MAX)), LIMIT, "metadata count");
    assert_issue(&inspect(&gguf_header(u64::MAX, 0)), LIMIT, "tensor count");
    assert_issue(&inspect(&gguf_header(0, 1000)), MALFORMED, "cannot fit");
    assert_issue(&inspect(&gguf_header(1000, 0)), MALFORMED, "cannot fit");
    // Absurd string lengths.
    let mut f = gguf_header(0, 1);
    f.extend_from_slice(&(1u64 << 40).to_le_bytes());
    f.extend_from_slice(&[0; 16]);
    assert_issue(&inspect(&f), LIMIT, "string length");
    let mut f = gguf_header(0, 1);
    f.extend_from_slice(&1000u64.to_le_bytes());
    f.extend_from_slice(b"key");
    f.extend_from_slice(&[0; 16]);
    assert_issue(&inspect(&f), MALFORMED, "past the end");
    // Huge array.
    let mut f = gguf_header(0, 1);
    f.extend_from_slice(&1u64.to_le_bytes());
    f.push(b'k');
    f.extend_from_slice(&9u32.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&(u64::MAX / 2).to_le_bytes());
    assert_issue(&inspect(&f), LIMIT, "array length");
    // Nesting deeper than the limit.
    let mut deep = V::Array(4, vec![]);
    for _ in 0..limits::MAX_GGUF_DEPTH + 1 {
        deep = V::Array(9, vec![deep]);
    }
    let f = fixtures::gguf(&[("deep", deep)], &[]);
    assert_issue(&inspect(&f), LIMIT, "nested deeper");
    // Unknown value type, bad bool, bad version.
    let mut f = gguf_header(0, 1);
    f.extend_from_slice(&1u64.to_le_bytes());
    f.push(b'k');
    f.extend_from_slice(&77u32.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    assert_issue(&inspect(&f), MALFORMED, "unknown value type");
    let mut f = gguf_header(0, 1);
    f.extend_from_slice(&1u64.to_le_bytes());
    f.push(b'b');
    f.extend_from_slice(&7u32.to_le_bytes());
    f.push(2);
    f.extend_from_slice(&[0; 16]);
    assert_issue(&inspect(&f), MALFORMED, "bool");
    let mut f = gguf_header(0, 0);
    f[4..8].copy_from_slice(&9u32.to_le_bytes());
    assert_issue(&inspect(&f), MALFORMED, "unsupported GGUF version");
    // Tensor data cut off (a truncated download).
    let full = fixtures::gguf(&[("general.architecture", V::str("x"))], &[("w", 0, &[64, 64])]);
    assert_issue(&inspect(&full[..full.len() - 100]), MALFORMED, "truncated?");
    // Too many dimensions; bad alignment.
    let f = fixtures::gguf(&[], &[("w", 0, &[1, 1, 1, 1, 1])]);
    assert_issue(&inspect(&f), MALFORMED, "dimensions");
    let f = fixtures::gguf(&[("general.alignment", V::U32(3))], &[]);
    assert_issue(&inspect(&f), MALFORMED, "alignment");
    // Row length not a multiple of the block size.
    let f = fixtures::gguf(&[], &[("w", 12, &[100, 1])]);
    assert_issue(&inspect(&f), MALFORMED, "block size");
}

// ---------------------------------------------------------------------------------------------
// ONNX

#[test]
fn onnx_fixture() {
    let f = fixtures::onnx(&OnnxModel::example());
    assert_eq!(sniff(&f), Some(Format::Onnx));
    let i = clean(&f, Format::Onnx);
    let m = &i.meta;
    assert_eq!(m.format_version.as_deref(), Some("9"));
    assert_eq!(m.producer.as_deref(), Some("custody-fixtures 0.1"));
    assert_eq!(m.opsets, vec![(String::new(), 17)]);
    assert_eq!(m.architecture.as_deref(), Some("tiny_matmul"));
    assert_eq!(m.name.as_deref(), Some("tiny_matmul"));
    assert_eq!(m.tensor_count, Some(1));
    assert_eq!(m.parameter_count, Some(8));
    assert_eq!(m.dtypes.get("FLOAT"), Some(&1));
    assert_eq!(m.license.as_deref(), Some("apache-2.0"));
    assert_eq!(extra(&i, "graph.nodes"), Some("1"));
    assert_eq!(extra(&i, "graph.inputs"), Some("x"));
    assert_eq!(extra(&i, "model_version"), Some("1"));
    assert!(m.external_data.is_empty() && m.custom_domains.is_empty());
}

#[test]
fn onnx_external_data_custom_domain_and_subgraphs() {
    let mut model = OnnxModel::example();
    model.domain = "org.example.vision".into();
    model.opsets.push(("com.microsoft".into(), 1));
    model.graph.initializers.push(OnnxInitializer {
        name: "E".into(),
        data_type: 10,
        dims: vec![3, 3],
        external_location: Some("../weights/model.onnx.data".into()),
    });
    model.graph.inputs.push(("pixel_values".into(), 1, vec![1, 3, 4, 4]));
    let body = OnnxGraph {
        name: "body".into(),
        nodes: vec![OnnxNode { op_type: "QuantizeLinear".into(), ..OnnxNode::default() }],
        initializers: vec![OnnxInitializer { name: "S".into(), data_type: 3, dims: vec![5], external_location: None }],
        ..OnnxGraph::default()
    };
    model.graph.nodes.push(OnnxNode {
        op_type: "FusedThing".into(),
        domain: "com.microsoft".into(),
        subgraph: Some(Box::new(body)),
        ..OnnxNode::default()
    });
    let f = fixtures::onnx(&model);
    let i = clean(&f, Format::Onnx);
    let m = &i.meta;
    assert_eq!(m.external_data, vec!["../weights/model.onnx.data"]);
    assert_eq!(m.custom_domains, vec!["com.microsoft"]);
    assert_eq!(m.architecture.as_deref(), Some("org.example.vision"));
    assert_eq!(m.tensor_count, Some(3));
    assert_eq!(m.parameter_count, Some(8 + 9 + 5));
    assert_eq!(m.dtypes.get("FLOAT16"), Some(&1));
    assert_eq!(m.dtypes.get("INT8"), Some(&1));
    assert_eq!(m.quantization.as_deref(), Some("QDQ"));
    assert_eq!(extra(&i, "graph.nodes"), Some("3"));
    assert_eq!(extra(&i, "custom_ops"), Some("com.microsoft::FusedThing"));
    assert!(m.modalities.contains("vision"));
    assert_eq!(m.opsets.len(), 2);
}

/// A graph nested `depth` times through node attributes.
fn nested_graph(depth: u32) -> Vec<u8> {
    let mut g = Vec::new();
    pb::string(&mut g, 2, "leaf");
    for _ in 0..depth {
        let mut outer = Vec::new();
        pb::message(&mut outer, 1, |n| {
            pb::string(n, 4, "If");
            pb::message(n, 5, |a| {
                pb::string(a, 1, "then_branch");
                pb::bytes(a, 6, &g);
            });
        });
        g = outer;
    }
    let mut m = Vec::new();
    pb::uint(&mut m, 1, 8);
    pb::bytes(&mut m, 7, &g);
    m
}

#[test]
fn onnx_malformed() {
    // Truncated varint inside the graph length.
    let i = inspect_as(&[0x08, 0x09, 0x3A, 0x80], Format::Onnx);
    assert_issue(&i, MALFORMED, "truncated varint");
    // Wrong wire type for the graph.
    let i = inspect_as(&[0x08, 0x09, 0x38, 0x01], Format::Onnx);
    assert_issue(&i, MALFORMED, "wire type");
    // Length past the end.
    let full = fixtures::onnx(&OnnxModel::example());
    let i = inspect_as(&full[..full.len() - 30], Format::Onnx);
    assert_issue(&i, MALFORMED, "past the end");
    // Group wire type; no ir_version.
    assert_issue(&inspect_as(&[0x08, 0x09, 0x0B], Format::Onnx), MALFORMED, "wire type");
    assert_issue(&inspect_as(&[0x12, 0x01, b'a'], Format::Onnx), MALFORMED, "ir_version");
    // Excessive nesting (subgraphs in subgraphs).
    let deep = nested_graph(100);
    let i = inspect_as(&deep, Format::Onnx);
    assert_eq!(codes(&i), vec![LIMIT], "{:?}", i.issues);
    assert!(inspect_as(&nested_graph(20), Format::Onnx).issues.is_empty());
    // Negative dimension.
    let mut model = OnnxModel::example();
    model.graph.initializers[0].dims = vec![-1, 2];
    model.graph.initializers[0].external_location = Some("x".into());
    let i = inspect(&fixtures::onnx(&model));
    assert_issue(&i, MALFORMED, "negative dimension");
    assert_eq!(i.meta.parameter_count, None);
}

// ---------------------------------------------------------------------------------------------
// NumPy

#[test]
fn npy_fixtures() {
    let f = fixtures::npy_filled("<f4", &[2, 3]);
    assert_eq!(sniff(&f), Some(Format::Npy));
    let i = clean(&f, Format::Npy);
    assert_eq!(i.meta.format_version.as_deref(), Some("1.0"));
    assert_eq!(i.meta.tensor_count, Some(1));
    assert_eq!(i.meta.parameter_count, Some(6));
    assert_eq!(i.meta.dtypes.get("float32"), Some(&1));
    assert_eq!(extra(&i, "shape"), Some("[2, 3]"));
    assert_eq!(f.len() % 64, 24); // header ends 64-aligned; 24 data bytes follow
    let o = fixtures::npy_object(&[1, 2, 3]);
    let i = clean(&o, Format::Npy);
    assert_eq!(extra(&i, "object_dtype"), Some("true"));
    assert_eq!(i.meta.dtypes.get("object"), Some(&1));
    let scalar = fixtures::npy_filled("<i8", &[]);
    assert_eq!(clean(&scalar, Format::Npy).meta.parameter_count, Some(1));
}

#[test]
fn npy_malformed() {
    let good = fixtures::npy_filled("<f4", &[4]);
    let mut bad = fixtures::npy("<f4", &[4], &[0; 16]);
    bad[10] = b'[';
    assert_issue(&inspect(&bad), MALFORMED, "header");
    assert_issue(&inspect(&good[..30]), MALFORMED, "past the end");
    assert_issue(&inspect(&good[..good.len() - 4]), MALFORMED, "truncated");
    let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
    v2.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_issue(&inspect(&v2), LIMIT, "header length");
    let mut v9 = good.clone();
    v9[6] = 9;
    assert_issue(&inspect(&v9), MALFORMED, "unsupported");
    let no_shape = fixtures::npy("<f4", &[1], &[0; 4]);
    let mut renamed = no_shape.clone();
    let at = renamed.windows(7).position(|w| w == b"'shape'").unwrap();
    renamed[at + 5] = b'x';
    assert_issue(&inspect(&renamed), MALFORMED, "lacks");
}

// ---------------------------------------------------------------------------------------------
// Zip family

#[test]
fn pytorch_zip_fixture() {
    let f = fixtures::pytorch_zip("model", &[("w", &[2, 2]), ("b", &[2])]);
    assert_eq!(sniff(&f), Some(Format::PytorchZip));
    assert_eq!(sniff(&f[..200]), Some(Format::PytorchZip), "from local headers");
    let i = clean(&f, Format::PytorchZip);
    assert_eq!(
        i.meta.members,
        vec!["model/data.pkl", "model/byteorder", "model/data/0", "model/data/1", "model/version"]
    );
    assert_eq!(i.meta.format_version.as_deref(), Some("3"));
    assert_eq!(extra(&i, "byteorder"), Some("little"));
    assert_eq!(extra(&i, "storages"), Some("2"));
    assert_eq!(extra(&i, "pickle_protocol"), Some("2"));
    let z = zip::read(&f).unwrap();
    let pkl = zip::read_member(&f, &z.entries[0], 1 << 20).unwrap();
    assert_eq!(pickle::sniff(&pkl), Some(2));
}

#[test]
fn torchscript_keras_npz_zip_fixtures() {
    let ts = fixtures::torchscript_zip("archive");
    assert_eq!(sniff(&ts), Some(Format::TorchScript));
    let i = clean(&ts, Format::TorchScript);
    assert_eq!(extra(&i, "code_files"), Some("1"));

    for deflate in [false, true] {
        let k = fixtures::keras_v3("Sequential", "3.6.0", &["Dense", "Lambda"], deflate);
        assert_eq!(sniff(&k), Some(Format::KerasV3));
        let i = clean(&k, Format::KerasV3);
        assert_eq!(i.meta.architecture.as_deref(), Some("Sequential"));
        assert_eq!(i.meta.producer.as_deref(), Some("keras 3.6.0"));
        assert_eq!(i.meta.name.as_deref(), Some("tiny"));
        assert_eq!(extra(&i, "lambda_layers"), Some("1"));
        assert_eq!(extra(&i, "layers"), Some("2"));
    }

    for deflate in [false, true] {
        let n =
            fixtures::npz(&[("a", fixtures::npy_filled("<f4", &[2, 2])), ("b", fixtures::npy_object(&[1]))], deflate);
        assert_eq!(sniff(&n), Some(Format::Npz));
        let i = clean(&n, Format::Npz);
        assert_eq!(i.meta.tensor_count, Some(2));
        assert_eq!(i.meta.parameter_count, Some(5));
        assert_eq!(extra(&i, "object_members"), Some("b.npy"));
        assert_eq!(extra(&i, "object_dtype"), Some("true"));
    }

    let z = fixtures::zip_stored(&[("readme.txt", b"hi"), ("../evil.sh", b"x")]);
    let i = clean(&z, Format::Zip);
    assert_eq!(extra(&i, "zip.unsafe_paths"), Some("1"));
    let empty = fixtures::zip_stored(&[]);
    assert_eq!(sniff(&empty), Some(Format::Zip));
    assert!(inspect(&empty).issues.is_empty());
}

#[test]
fn zip_malformed() {
    let f = fixtures::pytorch_zip("m", &[("w", &[2])]);
    // No end record: cut the tail. Local headers still classify it.
    let i = inspect(&f[..f.len() - 30]);
    assert_issue(&i, MALFORMED, "end-of-central-directory");
    assert_eq!(i.format, Some(Format::PytorchZip));
    assert!(!i.meta.members.is_empty());
    // Central directory offset pointing outside the file.
    let mut g = f.clone();
    let eocd = g.len() - 22;
    g[eocd + 16..eocd + 20].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    assert_issue(&inspect(&g), MALFORMED, "points outside");
    // Entry count larger than the directory.
    let mut g = f.clone();
    g[eocd + 10..eocd + 12].copy_from_slice(&60000u16.to_le_bytes());
    assert_issue(&inspect(&g), MALFORMED, "entries declared");
    // Local header name differs from the central directory's (CVE-2025-1944 style).
    let mut g = f.clone();
    g[30] = b'X';
    assert_issue(&inspect(&g), MALFORMED, "local header names it");
    // A local header offset pointing nowhere.
    let cd = u32::from_le_bytes(f[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let mut g = f.clone();
    g[cd + 42..cd + 46].copy_from_slice(&5u32.to_le_bytes());
    assert_issue(&inspect(&g), MALFORMED, "no local header");
    // Overlapping members: the second entry points at the first one's header.
    let two = fixtures::zip_stored(&[("a", b"aaaa"), ("a", b"bbbb")]);
    let e = two.len() - 22;
    let cd = u32::from_le_bytes(two[e + 16..e + 20].try_into().unwrap()) as usize;
    let second = cd + 46 + 1;
    let mut g = two.clone();
    g[second + 42..second + 46].copy_from_slice(&0u32.to_le_bytes());
    let i = inspect(&g);
    assert_issue(&i, MALFORMED, "overlap");
    assert_eq!(extra(&i, "zip.duplicate_names"), Some("1"));
    // A declared bomb: deflated member claiming a huge size.
    let k = fixtures::zip(&[ZipMember { name: "x", data: &[0u8; 4096], deflate: true }]);
    let e = k.len() - 22;
    let cd = u32::from_le_bytes(k[e + 16..e + 20].try_into().unwrap()) as usize;
    let mut g = k.clone();
    g[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_issue(&inspect(&g), LIMIT, "zip bomb");
    // CRC mismatch in a member custody reads.
    let mut keras = fixtures::keras_v3("Functional", "3.1.0", &[], false);
    let z = zip::read(&keras).unwrap();
    let cfg = z.entries.iter().find(|e| e.name == "config.json").unwrap();
    let at = cfg.data_offset.unwrap() as usize + 3;
    keras[at] ^= 0x20;
    assert_issue(&inspect(&keras), MALFORMED, "CRC-32");
    let _ = z;
}

#[test]
fn zip_member_cap() {
    let names: Vec<String> = (0..limits::MAX_MEMBERS + 5).map(|i| format!("f{i}")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let f = fixtures::zip_stored(&members);
    let i = inspect(&f);
    assert_eq!(i.format, Some(Format::Zip));
    assert_eq!(i.meta.members.len(), limits::MAX_MEMBERS + 1);
    assert_eq!(codes(&i), vec![LIMIT]);
}

// ---------------------------------------------------------------------------------------------
// Pickle and legacy torch

#[test]
fn pickle_and_legacy_torch() {
    let [p2, p4, p0] = fixtures::pickles();
    for (p, proto) in [(&p2, "2"), (&p4, "4"), (&p0, "0")] {
        assert_eq!(sniff(p), Some(Format::Pickle));
        let i = clean(p, Format::Pickle);
        assert_eq!(extra(&i, "pickle_protocol"), Some(proto));
    }
    let state = fixtures::torch_state_dict_pickle(&[("w", &[2, 3])], false);
    assert_eq!(pickle::sniff(&state), Some(2));
    let legacy = fixtures::torch_legacy(&[("w", &[2, 3])]);
    assert_eq!(sniff(&legacy), Some(Format::TorchLegacy));
    let i = clean(&legacy, Format::TorchLegacy);
    assert_eq!(i.meta.format_version.as_deref(), Some("1001"));
    let mut bad = pickle::TORCH_LEGACY_MAGIC.to_vec();
    bad.extend_from_slice(b"junk");
    assert_issue(&inspect(&bad), MALFORMED, "1001");
    assert_issue(&inspect_as(b"hello world", Format::Pickle), MALFORMED, "pickle");
    assert_eq!(sniff(b"# README\nplain text\n"), None);
}

// ---------------------------------------------------------------------------------------------
// Everything else

#[test]
fn hdf5_tflite_parquet_arrow() {
    let h = fixtures::hdf5_stub();
    assert_eq!(sniff(&h), Some(Format::Hdf5));
    assert_eq!(clean(&h, Format::Hdf5).meta.format_version.as_deref(), Some("superblock 0"));
    let mut ub = vec![0u8; 512];
    ub.extend_from_slice(&h);
    ub.extend_from_slice(
        br#"model_config {"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}}"#,
    );
    let i = clean(&ub, Format::Hdf5);
    assert_eq!(extra(&i, "user_block_bytes"), Some("512"));
    assert_eq!(i.meta.architecture.as_deref(), Some("Sequential"));
    assert_eq!(extra(&i, "lambda_layers"), Some("1"));

    let t = fixtures::tflite(&[4, 2], Some("MyCustomOp"), "MLIR Converted.");
    assert_eq!(sniff(&t), Some(Format::TfLite));
    let i = clean(&t, Format::TfLite);
    assert_eq!(i.meta.format_version.as_deref(), Some("3"));
    assert_eq!(i.meta.producer.as_deref(), Some("MLIR Converted."));
    assert_eq!(i.meta.tensor_count, Some(1));
    assert_eq!(i.meta.parameter_count, Some(8));
    assert_eq!(i.meta.dtypes.get("FLOAT32"), Some(&1));
    assert_eq!(i.meta.custom_domains, vec!["tflite:MyCustomOp"]);

    let p = fixtures::parquet(&["id", "label"], &[("huggingface", "{}")]);
    assert_eq!(sniff(&p), Some(Format::Parquet));
    let i = clean(&p, Format::Parquet);
    assert_eq!(i.meta.format_version.as_deref(), Some("1"));
    assert_eq!(i.meta.producer.as_deref(), Some("custody-fixtures"));
    assert_eq!(extra(&i, "columns"), Some("2"));
    assert_eq!(extra(&i, "column_names"), Some("id,label"));
    assert_eq!(extra(&i, "num_rows"), Some("0"));
    assert_eq!(extra(&i, "huggingface"), Some("true"));
    assert_issue(&inspect(&p[..p.len() - 3]), MALFORMED, "trailing PAR1");
    let mut bad = p.clone();
    let n = bad.len();
    bad[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_issue(&inspect(&bad), LIMIT, "footer length");
    bad[n - 8..n - 4].copy_from_slice(&1000u32.to_le_bytes());
    assert_issue(&inspect(&bad), MALFORMED, "outside");

    let s = fixtures::arrow_stream(&["a", "b"]);
    assert_eq!(sniff(&s), Some(Format::ArrowStream));
    let i = clean(&s, Format::ArrowStream);
    assert_eq!(extra(&i, "columns"), Some("2"));
    assert_eq!(extra(&i, "column_names"), Some("a,b"));
    assert_eq!(extra(&i, "huggingface"), Some("true"));
    let f = fixtures::arrow_file(&["x"]);
    assert_eq!(sniff(&f), Some(Format::ArrowIpc));
    let i = clean(&f, Format::ArrowIpc);
    assert_eq!(extra(&i, "column_names"), Some("x"));
    assert_issue(&inspect(&f[..f.len() - 2]), MALFORMED, "ARROW1");
}

#[test]
fn tfrecord_faiss_archives_notebook_openvino() {
    let ex = fixtures::tf_example(&["label", "image"]);
    let r = fixtures::tfrecord(&[&ex, b"second"]);
    assert_eq!(sniff(&r), Some(Format::TfRecord));
    let i = clean(&r, Format::TfRecord);
    assert_eq!(extra(&i, "records"), Some("2"));
    assert_eq!(extra(&i, "features"), Some("label,image"));
    let mut bad = r.clone();
    bad[8] ^= 1;
    assert_eq!(sniff(&bad), None);
    assert_issue(&inspect_as(&bad, Format::TfRecord), MALFORMED, "length CRC");
    assert_issue(&inspect(&r[..r.len() - 3]), MALFORMED, "past the end");

    let fa = fixtures::faiss_flat(4, 3);
    assert_eq!(sniff(&fa), Some(Format::Faiss));
    let i = clean(&fa, Format::Faiss);
    assert_eq!(extra(&i, "dimension"), Some("4"));
    assert_eq!(extra(&i, "vectors"), Some("3"));
    assert_eq!(extra(&i, "metric"), Some("l2"));

    let z = fixtures::seven_zip_stub();
    assert_eq!(clean(&z, Format::SevenZip).meta.format_version.as_deref(), Some("0.4"));
    let g = fixtures::gzip("model.pkl", b"\x80\x04K\x01.");
    assert_eq!(extra(&clean(&g, Format::Gzip), "original_name"), Some("model.pkl"));

    let nb = fixtures::notebook();
    assert_eq!(sniff(&nb), Some(Format::Notebook));
    let i = clean(&nb, Format::Notebook);
    assert_eq!(i.meta.format_version.as_deref(), Some("4.5"));
    assert_eq!(extra(&i, "cells"), Some("2"));
    assert_eq!(extra(&i, "code_cells"), Some("1"));
    assert_eq!(extra(&i, "language"), Some("python"));
    assert_eq!(sniff(br#"{"name": "not a notebook", "cells": 3}"#), None);

    let x = fixtures::openvino_xml("tiny", &[4, 2]);
    assert_eq!(sniff(&x), Some(Format::OpenVinoIr));
    let i = clean(&x, Format::OpenVinoIr);
    assert_eq!(i.meta.name.as_deref(), Some("tiny"));
    assert_eq!(i.meta.format_version.as_deref(), Some("11"));
    assert_eq!(i.meta.tensor_count, Some(1));
    assert_eq!(i.meta.parameter_count, Some(8));
    assert_eq!(i.meta.dtypes.get("F32"), Some(&1));
    assert_eq!(i.meta.producer.as_deref(), Some("OpenVINO 2025.1.0"));
    assert_eq!(extra(&i, "layers"), Some("3"));
    assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<project/>"), None);
}

#[test]
fn llamafile_coreml_savedmodel() {
    let g = gguf_example();
    let l = fixtures::llamafile(&g);
    assert_eq!(sniff(&l), Some(Format::Llamafile));
    let i = clean(&l, Format::Llamafile);
    assert_eq!(i.meta.architecture.as_deref(), Some("llama"));
    assert_eq!(i.meta.quantization.as_deref(), Some("Q4_K_M"));
    assert!(i.meta.chat_template.is_some());
    assert_eq!(extra(&i, "weights"), Some("embedded"));
    assert_eq!(extra(&i, "args"), Some("-m model.gguf"));
    assert_eq!(extra(&i, "zip.prefix_bytes"), Some("4096"));
    assert_eq!(i.meta.members, vec![".args", "model.gguf"]);
    let bare = b"MZqFpD='\nno zip here".to_vec();
    assert_eq!(extra(&clean(&bare, Format::Llamafile), "weights"), Some("none"));

    let c = fixtures::coreml(8, "MIT");
    assert_ne!(sniff(&c), Some(Format::CoreMl));
    assert_ne!(sniff(&c), Some(Format::Onnx));
    let i = inspect_as(&c, Format::CoreMl);
    assert!(i.issues.is_empty(), "{:?}", i.issues);
    assert_eq!(i.meta.format_version.as_deref(), Some("8"));
    assert_eq!(i.meta.license.as_deref(), Some("MIT"));
    assert_eq!(i.meta.producer.as_deref(), Some("coremltools 8.0"));
    assert_eq!(i.meta.architecture.as_deref(), Some("neuralNetwork"));
    assert_eq!(extra(&i, "inputs"), Some("1"));

    let s = fixtures::saved_model_pb(&["Placeholder", "ReadFile", "MatMul"]);
    assert_ne!(sniff(&s), Some(Format::Onnx));
    let i = inspect_as(&s, Format::TfSavedModelPb);
    assert!(i.issues.is_empty(), "{:?}", i.issues);
    assert_eq!(i.meta.format_version.as_deref(), Some("1"));
    assert_eq!(i.meta.producer.as_deref(), Some("tensorflow 2.16.1"));
    assert_eq!(extra(&i, "tags"), Some("serve"));
    assert_eq!(extra(&i, "risky_ops"), Some("ReadFile"));
    assert_eq!(extra(&i, "signatures"), Some("serving_default"));
    assert_eq!(extra(&i, "nodes"), Some("3"));
    assert_issue(&inspect_as(b"", Format::TfSavedModelPb), MALFORMED, "empty");
    assert_issue(&inspect_as(b"not proto", Format::CoreMl), MALFORMED, "");
}

// ---------------------------------------------------------------------------------------------
// Side files

#[test]
fn hf_config_adapter_tokenizer_index() {
    let m = hf::parse_config_json(
        r#"{"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava", "torch_dtype": "bfloat16",
            "transformers_version": "4.45.0", "text_config": {"vocab_size": 32000}, "vision_config": {},
            "quantization_config": {"quant_method": "awq", "bits": 4}}"#,
    );
    assert_eq!(m.architecture.as_deref(), Some("LlavaForConditionalGeneration"));
    assert_eq!(m.quantization.as_deref(), Some("awq"));
    assert_eq!(m.producer.as_deref(), Some("transformers 4.45.0"));
    assert_eq!(m.extra.get("torch_dtype").map(String::as_str), Some("bfloat16"));
    assert_eq!(m.extra.get("quant_bits").map(String::as_str), Some("4"));
    assert!(m.modalities.contains("text") && m.modalities.contains("vision"));
    let w = hf::parse_config_json(r#"{"model_type": "whisper", "vocab_size": 51865}"#);
    assert!(w.modalities.contains("audio"));
    assert_eq!(w.architecture.as_deref(), Some("whisper"));
    let mlx = hf::parse_config_json(r#"{"model_type": "llama", "quantization": {"group_size": 64, "bits": 4}}"#);
    assert_eq!(mlx.quantization.as_deref(), Some("4-bit"));
    assert!(hf::parse_config_json("not json").extra.contains_key("parse_error"));
    assert!(hf::parse_config_json("[1]").extra.contains_key("parse_error"));

    let a = hf::parse_adapter_config(
        r#"{"base_model_name_or_path": "meta-llama/Llama-3.1-8B", "peft_type": "LORA", "r": 16, "lora_alpha": 32,
            "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM", "revision": null}"#,
    );
    assert_eq!(a.base_models, vec!["meta-llama/Llama-3.1-8B"]);
    assert_eq!(a.extra.get("peft_type").map(String::as_str), Some("LORA"));
    assert_eq!(a.extra.get("r").map(String::as_str), Some("16"));
    assert_eq!(a.extra.get("target_modules").map(String::as_str), Some("q_proj,v_proj"));
    assert!(!a.extra.contains_key("revision"));

    assert_eq!(hf::parse_tokenizer_config(r#"{"chat_template": "{{ x }}"}"#).as_deref(), Some("{{ x }}"));
    let list = r#"{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}"#;
    assert_eq!(hf::parse_tokenizer_config(list).as_deref(), Some("D"));
    assert_eq!(hf::parse_tokenizer_chat_templates(list).len(), 2);
    assert_eq!(hf::parse_tokenizer_config(r#"{"model_max_length": 1}"#), None);
    assert_eq!(hf::parse_tokenizer_config("{"), None);

    let idx = hf::parse_weights_index(
        r#"{"metadata": {"total_size": 123}, "weight_map": {"a": "model-00002-of-00002.safetensors", "b": "model-00001-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}}"#,
    );
    assert_eq!(idx.tensor_count, Some(3));
    assert_eq!(idx.members, vec!["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]);
    assert_eq!(idx.extra.get("total_size").map(String::as_str), Some("123"));
}

#[test]
fn hf_cards() {
    let card = "---\nlicense: llama3.1\nbase_model:\n  - meta-llama/Llama-3.1-8B-Instruct\ndatasets: [\"org/a\", org/b]\npipeline_tag: image-text-to-text\nlibrary_name: transformers # comment\nlanguage:\n- en\n- de\nmodel-index:\n- name: my-model\n  results: []\n---\n# My model\n";
    let m = hf::parse_card(card);
    assert_eq!(m.license.as_deref(), Some("llama3.1"));
    assert_eq!(m.base_models, vec!["meta-llama/Llama-3.1-8B-Instruct"]);
    assert_eq!(m.datasets, vec!["org/a", "org/b"]);
    assert_eq!(m.extra.get("pipeline_tag").map(String::as_str), Some("image-text-to-text"));
    assert_eq!(m.extra.get("library_name").map(String::as_str), Some("transformers"));
    assert_eq!(m.extra.get("language").map(String::as_str), Some("en,de"));
    assert_eq!(m.name.as_deref(), Some("my-model"));
    assert!(m.modalities.contains("vision") && m.modalities.contains("text"));
    let single = hf::parse_card("---\nbase_model: 'org/x'\nlicense: \"mit\"\n---\n");
    assert_eq!(single.base_models, vec!["org/x"]);
    assert_eq!(single.license.as_deref(), Some("mit"));
    let ds = hf::parse_card("---\npretty_name: Tiny Set\ntask_categories:\n- automatic-speech-recognition\n---\n");
    assert_eq!(ds.name.as_deref(), Some("Tiny Set"));
    assert!(ds.modalities.contains("audio"));
    assert!(hf::parse_card("# just a readme").extra.contains_key("parse_error"));
    let huge = format!("---\n{}", "a: b\n".repeat(100_000));
    assert!(hf::parse_card(&huge).extra.contains_key("parse_error"));
}

#[test]
fn mlflow_and_ollama() {
    let m = mlflow::parse_mlmodel(
        "artifact_path: model\nflavors:\n  python_function:\n    env:\n      conda: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.4\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n    sklearn_version: 1.3.0\nmlflow_version: 2.8.0\nmodel_uuid: 0a1b2c\nrun_id: 9f8e7d\nsignature:\n  inputs: '[]'\n",
    );
    assert_eq!(m.extra.get("flavors").map(String::as_str), Some("python_function,sklearn"));
    assert_eq!(m.extra.get("model_uuid").map(String::as_str), Some("0a1b2c"));
    assert_eq!(m.extra.get("run_id").map(String::as_str), Some("9f8e7d"));
    assert_eq!(m.extra.get("loader_module").map(String::as_str), Some("mlflow.sklearn"));
    assert_eq!(m.extra.get("sklearn.sklearn_version").map(String::as_str), Some("1.3.0"));
    assert_eq!(m.extra.get("signature").map(String::as_str), Some("true"));
    assert_eq!(m.producer.as_deref(), Some("mlflow 2.8.0"));
    assert_eq!(m.architecture.as_deref(), Some("mlflow:sklearn"));

    let o = ollama::parse_modelfile(
        "# comment\nFROM llama3.2:3b\nPARAMETER temperature 0.7\nparameter stop \"<|eot_id|>\"\nTEMPLATE \"\"\"{{ if .System }}<|system|>{{ .System }}{{ end }}\n{{ .Prompt }}\"\"\"\nSYSTEM You are a pirate.\nLICENSE \"\"\"\nMIT License\nCopyright\n\"\"\"\nMESSAGE user hi\nADAPTER ./lora.gguf\n",
    );
    assert_eq!(o.base_models, vec!["llama3.2:3b"]);
    assert_eq!(o.chat_template.as_deref(), Some("{{ if .System }}<|system|>{{ .System }}{{ end }}\n{{ .Prompt }}"));
    assert_eq!(o.extra.get("template").map(String::as_str), Some("present"));
    assert_eq!(o.extra.get("system").map(String::as_str), Some("present"));
    assert_eq!(o.extra.get("parameter.temperature").map(String::as_str), Some("0.7"));
    assert_eq!(o.extra.get("parameter.stop").map(String::as_str), Some("<|eot_id|>"));
    assert_eq!(o.license.as_deref(), Some("MIT License"));
    assert_eq!(o.extra.get("adapter").map(String::as_str), Some("./lora.gguf"));
    assert_eq!(o.extra.get("messages").map(String::as_str), Some("1"));
}

// ---------------------------------------------------------------------------------------------
// Robustness

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn all_fixtures() -> Vec<Vec<u8>> {
    let [p2, p4, p0] = fixtures::pickles();
    let mut onnx_big = OnnxModel::example();
    onnx_big.graph.nodes.push(OnnxNode {
        op_type: "Loop".into(),
        domain: "custom.x".into(),
        subgraph: Some(Box::new(OnnxGraph {
            initializers: vec![OnnxInitializer {
                name: "e".into(),
                data_type: 1,
                dims: vec![2],
                external_location: Some("d.bin".into()),
            }],
            ..OnnxGraph::default()
        })),
        ..OnnxNode::default()
    });
    vec![
        fixtures::safetensors(&[("a", "F16", &[2, 3]), ("b", "I8", &[4])], &[("format", "pt")]),
        gguf_example(),
        fixtures::gguf_with(1, false, &[("k", V::strings(&["a"]))], &[("w", 0, &[2])]),
        fixtures::gguf_with(3, true, &[("k", V::U64(1))], &[("w", 1, &[2])]),
        fixtures::onnx(&OnnxModel::example()),
        fixtures::onnx(&onnx_big),
        fixtures::npy_filled("<f4", &[2, 3]),
        fixtures::npy_object(&[1, 2]),
        fixtures::pytorch_zip("m", &[("w", &[2, 2])]),
        fixtures::torchscript_zip("a"),
        fixtures::keras_v3("Sequential", "3.6.0", &["Dense"], true),
        fixtures::npz(&[("a", fixtures::npy_filled("<i8", &[3]))], true),
        fixtures::torch_legacy(&[("w", &[2])]),
        p2,
        p4,
        p0,
        fixtures::hdf5_stub(),
        fixtures::tflite(&[2, 2], Some("Op"), "d"),
        fixtures::parquet(&["a"], &[("k", "v")]),
        fixtures::arrow_stream(&["a"]),
        fixtures::arrow_file(&["a"]),
        fixtures::tfrecord(&[&fixtures::tf_example(&["f"])]),
        fixtures::faiss_flat(2, 2),
        fixtures::seven_zip_stub(),
        fixtures::gzip("x", b"abc"),
        fixtures::notebook(),
        fixtures::openvino_xml("n", &[2]),
        fixtures::llamafile(&fixtures::gguf(&[("general.architecture", V::str("x"))], &[])),
        fixtures::coreml(4, "x"),
        fixtures::saved_model_pb(&["ReadFile"]),
        nested_graph(3),
    ]
}

fn exercise(b: &[u8]) {
    let i = inspect(b);
    let _ = serde_json::to_string(&i).unwrap();
    let _ = sniff(b);
    for f in [Format::CoreMl, Format::TfSavedModelPb, Format::Onnx, Format::Safetensors, Format::Gguf, Format::Zip] {
        let _ = inspect_as(b, f);
    }
}

#[test]
fn robustness_no_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut cases = 0usize;
    for f in all_fixtures() {
        // Truncation at every length up to 512 bytes (and a few near the end).
        for n in 0..=f.len().min(512) {
            exercise(&f[..n]);
            cases += 1;
        }
        for k in 1..8.min(f.len()) {
            exercise(&f[..f.len() - k]);
            cases += 1;
        }
        // Bit flips, single and multiple.
        for _ in 0..200 {
            let mut g = f.clone();
            for _ in 0..1 + rng.below(3) {
                let p = rng.below(g.len());
                g[p] ^= 1 << rng.below(8);
            }
            exercise(&g);
            cases += 1;
        }
        // Random bytes overwritten, and random tails after the real head.
        for _ in 0..60 {
            let mut g = f.clone();
            for _ in 0..1 + rng.below(16) {
                let p = rng.below(g.len());
                g[p] = rng.next() as u8;
            }
            exercise(&g);
            let keep = rng.below(f.len().min(64));
            let mut h = f[..keep].to_vec();
            for _ in 0..rng.below(300) {
                h.push(rng.next() as u8);
            }
            exercise(&h);
            cases += 2;
        }
    }
    // Pure noise and magic + noise.
    for magic in [
        &b""[..],
        b"GGUF\x03\x00\x00\x00",
        b"PK\x03\x04",
        b"\x93NUMPY\x01\x00",
        b"\x08\x09\x3a",
        b"\x80\x02",
        b"PAR1",
        b"ARROW1\0\0",
        b"\xFF\xFF\xFF\xFF\x10\x00\x00\x00",
        b"MZqFpD='",
    ] {
        for _ in 0..150 {
            let mut g = magic.to_vec();
            for _ in 0..rng.below(600) {
                g.push(rng.next() as u8);
            }
            exercise(&g);
            let text = String::from_utf8_lossy(&g);
            let _ = hf::parse_config_json(&text);
            let _ = hf::parse_card(&format!("---\n{text}\n---\n"));
            let _ = mlflow::parse_mlmodel(&text);
            let _ = ollama::parse_modelfile(&text);
            cases += 1;
        }
    }
    assert!(cases > 15_000, "{cases}");
}

#[test]
fn text_parsers_survive_mutations() {
    let samples = [
        "---\nlicense: mit\nbase_model:\n- a/b\ndatasets: [x, 'y', \"z\"]\ntags:\n  - t\nextra: {a: [b, c]}\ndesc: |\n  multi\n  line\n---\n",
        "artifact_path: model\nflavors:\n  python_function:\n    loader_module: x\n  sklearn:\n    sklearn_version: 1\nrun_id: r\n",
        "FROM x\nTEMPLATE \"\"\"{{ .Prompt }}\"\"\"\nPARAMETER a b\nSYSTEM \"\"\"s\n",
        r#"{"architectures": ["A"], "chat_template": [{"name": "n", "template": "t"}], "vision_config": {}}"#,
    ];
    let mut rng = XorShift(42);
    for s in samples {
        let bytes = s.as_bytes();
        for _ in 0..500 {
            let mut g = bytes.to_vec();
            for _ in 0..1 + rng.below(4) {
                let p = rng.below(g.len());
                let alphabet = b"-:[]{}'\"#| \n\tab";
                g[p] = alphabet[rng.below(alphabet.len())];
            }
            let t = String::from_utf8_lossy(&g);
            let _ = hf::parse_card(&t);
            let _ = hf::parse_config_json(&t);
            let _ = hf::parse_adapter_config(&t);
            let _ = hf::parse_tokenizer_config(&t);
            let _ = mlflow::parse_mlmodel(&t);
            let _ = ollama::parse_modelfile(&t);
        }
    }
}

#[test]
fn fixtures_are_deterministic() {
    assert_eq!(all_fixtures(), all_fixtures());
}

#[test]
fn sniff_on_partial_heads_and_refinement() {
    let st = fixtures::safetensors(&[("a", "F32", &[1000])], &[("format", "pt")]);
    assert_eq!(sniff(&st[..40]), Some(Format::Safetensors));
    assert_eq!(sniff(&gguf_example()[..4]), Some(Format::Gguf));
    let onnx = fixtures::onnx(&OnnxModel::example());
    assert_eq!(sniff(&onnx[..60]), Some(Format::Onnx));
    assert_eq!(sniff(&onnx[..10]), None, "no graph or opset seen yet");
    // A head that is cut inside the first member still classifies from the local header.
    let pt = fixtures::pytorch_zip("m", &[("w", &[64, 64])]);
    assert_eq!(sniff(&pt[..100]), Some(Format::PytorchZip));
    // inspect_as refines a zip from its central directory.
    assert_eq!(inspect_as(&pt, Format::Zip).format, Some(Format::PytorchZip));
    // HDF5 after a user block beyond the sniffing window is still found by inspect.
    let mut h = vec![0u8; 128 * 1024];
    h.extend_from_slice(&fixtures::hdf5_stub());
    assert_eq!(sniff(&h), None);
    assert_eq!(inspect(&h).format, Some(Format::Hdf5));
    // Not-quite formats.
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(b"{\"cells\": 1}"), None);
    assert_eq!(sniff(b"\x08\x00\x00"), None);
    assert_eq!(inspect(b"hello").format, None);
}

#[test]
fn a_prefix_of_a_large_file_inspects_without_false_truncation() {
    let st = fixtures::safetensors(&[("w", "F32", &[1024, 64]), ("b", "F16", &[64])], &[]);
    let cut = &st[..st.len() / 3];
    let whole = inspect_as(&st, Format::Safetensors);
    let part = inspect_prefix_as(cut, Format::Safetensors, st.len() as u64);
    assert!(part.issues.is_empty(), "{:?}", part.issues);
    assert_eq!(part.meta.tensor_count, whole.meta.tensor_count);
    assert_eq!(part.meta.parameter_count, Some(1024 * 64 + 64));
    assert_eq!(part.meta.extra.get("inspected_bytes").map(String::as_str), Some(cut.len().to_string().as_str()));
    // Declaring a file shorter than the tensors still reports truncation.
    let short = inspect_prefix_as(cut, Format::Safetensors, (cut.len() + 10) as u64);
    assert_eq!(short.issues.first().map(|i| i.code), Some(MALFORMED));

    let g = fixtures::gguf(&[("general.architecture", V::str("llama"))], &[("t", 0, &[4096, 16])]);
    let cut = &g[..g.len() / 2];
    let part = inspect_prefix_as(cut, Format::Gguf, g.len() as u64);
    assert!(part.issues.is_empty(), "{:?}", part.issues);
    assert_eq!(part.meta.architecture.as_deref(), Some("llama"));
    let plain = inspect_as(cut, Format::Gguf);
    assert!(!plain.issues.is_empty(), "the same prefix taken as a whole file is truncated");
}

//! Assets: every file asset, plus directories that are one asset (a Hugging Face model or
//! dataset directory, a PEFT adapter, a TensorFlow SavedModel, an MLflow model, a Core ML
//! package, a Chroma or LanceDB store, a WebDataset). A directory asset's digest is the SHA-256 of
//! its manifest, so it is content-addressed like a file.

use crate::hash::sha256_hex;
use crate::{Asset, AssetKind, FileRecord};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn base(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}

/// What a directory is, from its direct children's names and its own name.
fn detect(dir: &str, children: &[&FileRecord]) -> Option<(AssetKind, &'static str)> {
    let names: BTreeSet<&str> = children.iter().map(|r| base(&r.path)).collect();
    let has = |n: &str| names.contains(n);
    let model_child = children.iter().any(|r| r.result.asset.as_ref().is_some_and(|a| a.kind == AssetKind::Model));
    let dname = base(dir);
    if has("adapter_config.json") {
        Some((AssetKind::Adapter, "peft-adapter"))
    } else if has("saved_model.pb") || has("saved_model.pbtxt") {
        Some((AssetKind::Model, "tf-saved-model"))
    } else if has("MLmodel") {
        Some((AssetKind::Model, "mlflow-model"))
    } else if dname.ends_with(".mlpackage") {
        Some((AssetKind::Model, "coreml-package"))
    } else if has("config.json") && model_child {
        Some((AssetKind::Model, "hf-model-dir"))
    } else if has("dataset_info.json")
        || has("dataset_dict.json")
        || (has("state.json") && names.iter().any(|n| n.ends_with(".arrow")))
    {
        Some((AssetKind::Dataset, "hf-dataset-dir"))
    } else if has("chroma.sqlite3") {
        Some((AssetKind::VectorStore, "chroma"))
    } else if dname.ends_with(".lance") {
        Some((AssetKind::VectorStore, "lancedb"))
    } else if names.iter().filter(|n| crate::text::is_webdataset_shard(n)).count() >= 2 {
        Some((AssetKind::Dataset, "webdataset"))
    } else {
        None
    }
}

pub fn assets(records: &[FileRecord]) -> Vec<Asset> {
    let mut out: Vec<Asset> = records
        .iter()
        .filter_map(|r| {
            r.result.asset.as_ref().map(|a| Asset {
                path: r.path.clone(),
                kind: a.kind,
                format: a.format.clone(),
                size: r.size,
                sha256: r.result.sha256.clone().unwrap_or_default(),
                meta: a.meta.clone(),
                members: Vec::new(),
                part_of: None,
            })
        })
        .filter(|a| !a.sha256.is_empty())
        .collect();

    // Direct children of every directory that holds a file (and of their ancestors).
    let mut children: BTreeMap<&str, Vec<&FileRecord>> = BTreeMap::new();
    for r in records {
        children.entry(parent(&r.path)).or_default().push(r);
        let mut d = parent(&r.path);
        while !d.is_empty() {
            let up = parent(d);
            children.entry(up).or_default();
            d = up;
        }
    }
    let mut dir_assets = Vec::new();
    for (dir, kids) in &children {
        let Some((kind, format)) = detect(dir, kids) else { continue };
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let members: Vec<&FileRecord> = records.iter().filter(|r| r.path.starts_with(&prefix)).collect();
        let mut manifest = String::new();
        let mut size = 0u64;
        for m in &members {
            size += m.size;
            let sha = m.result.sha256.as_deref().unwrap_or("-");
            manifest.push_str(&format!("{sha}  {}\n", &m.path[prefix.len()..]));
        }
        let meta = dir_meta(kids, &members, &out);
        dir_assets.push(Asset {
            path: if dir.is_empty() { ".".into() } else { dir.to_string() },
            kind,
            format: format.to_string(),
            size,
            sha256: sha256_hex(manifest.as_bytes()),
            meta,
            members: members.iter().map(|m| m.path.clone()).collect(),
            part_of: None,
        });
    }
    // A file asset belongs to the innermost directory asset holding it.
    for a in &mut out {
        a.part_of = dir_assets
            .iter()
            .filter(|d| d.path == "." || a.path.starts_with(&format!("{}/", d.path)))
            .max_by_key(|d| d.path.len())
            .map(|d| d.path.clone());
    }
    out.extend(dir_assets);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A directory asset's metadata: what its side files say, plus totals over its weights.
fn dir_meta(kids: &[&FileRecord], members: &[&FileRecord], files: &[Asset]) -> Value {
    let mut m = Map::new();
    let aux = |name: &str| kids.iter().find(|r| base(&r.path) == name).and_then(|r| r.result.aux.clone());
    let config = aux("config.json");
    let adapter = aux("adapter_config.json");
    let card = aux("README.md").or_else(|| aux("readme.md"));
    let tokenizer = aux("tokenizer_config.json");
    let mlmodel = aux("MLmodel");
    let strings = |v: &Option<Value>, key: &str| -> Vec<String> {
        v.as_ref()
            .and_then(|v| v.get(key))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let string =
        |v: &Option<Value>, key: &str| v.as_ref().and_then(|v| v.get(key)).and_then(Value::as_str).map(str::to_string);
    let mut base_models: BTreeSet<String> = BTreeSet::new();
    base_models.extend(strings(&adapter, "base_models"));
    base_models.extend(strings(&card, "base_models"));
    let datasets: BTreeSet<String> = strings(&card, "datasets").into_iter().collect();
    if let Some(a) = string(&config, "architecture") {
        m.insert("architecture".into(), a.into());
    }
    if let Some(l) = string(&card, "license") {
        m.insert("license".into(), l.into());
    }
    if !base_models.is_empty() {
        m.insert("base_models".into(), json!(base_models));
    }
    if !datasets.is_empty() {
        m.insert("datasets".into(), json!(datasets));
    }
    let mut modalities: BTreeSet<String> = BTreeSet::new();
    for v in [&config, &adapter] {
        modalities.extend(strings(v, "modalities"));
    }
    let member_paths: BTreeSet<&str> = members.iter().map(|r| r.path.as_str()).collect();
    let weights: Vec<&Asset> = files.iter().filter(|a| member_paths.contains(a.path.as_str())).collect();
    let mut params = 0u64;
    let mut tensors = 0u64;
    let mut chat_template =
        tokenizer.as_ref().and_then(|t| t.get("chat_template")).and_then(Value::as_bool).unwrap_or(false);
    for w in &weights {
        params = params.saturating_add(w.meta.get("parameter_count").and_then(Value::as_u64).unwrap_or(0));
        tensors = tensors.saturating_add(w.meta.get("tensor_count").and_then(Value::as_u64).unwrap_or(0));
        modalities.extend(strings(&Some(w.meta.clone()), "modalities"));
        chat_template |= w.meta.get("chat_template").is_some_and(|c| !c.is_null());
        chat_template |= w.kind == AssetKind::ChatTemplate;
    }
    if params > 0 {
        m.insert("parameter_count".into(), params.into());
    }
    if tensors > 0 {
        m.insert("tensor_count".into(), tensors.into());
    }
    if !modalities.is_empty() {
        m.insert("modalities".into(), json!(modalities));
    }
    m.insert("chat_template".into(), chat_template.into());
    m.insert("model_card".into(), card.is_some().into());
    m.insert("weights".into(), json!(weights.iter().map(|w| w.path.as_str()).collect::<Vec<_>>()));
    for (k, v) in [("config", config), ("adapter", adapter), ("card", card), ("mlflow", mlmodel)] {
        if let Some(v) = v {
            m.insert(k.into(), v);
        }
    }
    Value::Object(m)
}

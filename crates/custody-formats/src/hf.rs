//! Hugging Face side files: `config.json`, `adapter_config.json` (PEFT), `tokenizer_config.json`,
//! `model.safetensors.index.json`, and model/dataset cards (`README.md` YAML front matter).
//!
//! These parsers take text and return a [`ModelMeta`]; they never fail. Input that cannot be
//! read (invalid JSON, over [`limits::MAX_JSON`], an unterminated or oversized front matter)
//! yields `extra["parse_error"]` with the reason. Cards are read with a small YAML-subset reader
//! (scalars, quoted strings, `[a, b]` and `- a` lists; see the `yaml` module); front matter is
//! limited to [`limits::MAX_FRONT_MATTER`].

use crate::yaml::{self, Y};
use crate::{ModelMeta, limits, meta_string};
use serde_json::Value;

fn json(text: &str, meta: &mut ModelMeta) -> Option<Value> {
    if text.len() > limits::MAX_JSON {
        meta.set_extra("parse_error", format!("larger than {} bytes", limits::MAX_JSON));
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) if v.is_object() => Some(v),
        Ok(_) => {
            meta.set_extra("parse_error", "not a JSON object");
            None
        }
        Err(e) => {
            meta.set_extra("parse_error", e.to_string());
            None
        }
    }
}

fn s<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

const AUDIO_TYPES: &[&str] = &[
    "whisper",
    "wav2vec2",
    "hubert",
    "wavlm",
    "speecht5",
    "clap",
    "encodec",
    "musicgen",
    "seamless_m4t",
    "bark",
    "qwen2_audio",
];
const VISION_TYPES: &[&str] = &[
    "vit",
    "clip",
    "siglip",
    "dinov2",
    "convnext",
    "resnet",
    "detr",
    "sam",
    "swin",
    "beit",
    "deit",
    "yolos",
    "llava",
    "llava_next",
    "idefics",
    "idefics2",
    "idefics3",
    "paligemma",
    "qwen2_vl",
    "qwen2_5_vl",
    "mllama",
    "blip",
    "blip-2",
    "pix2struct",
    "donut-swin",
    "segformer",
    "mobilevit",
];

/// `config.json` of a model directory: `architectures[0]`, `model_type`, `torch_dtype`
/// (or `dtype`), `quantization_config.quant_method` (MLX: `quantization.bits`),
/// `transformers_version`, and modalities from `text_config` / `vision_config` /
/// `audio_config` and well-known model types.
pub fn parse_config_json(text: &str) -> ModelMeta {
    let mut meta = ModelMeta::default();
    let Some(v) = json(text, &mut meta) else { return meta };
    let arch = v.get("architectures").and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_str);
    let model_type = s(&v, "model_type");
    meta.architecture = arch.or(model_type).map(meta_string);
    if let Some(t) = model_type {
        meta.set_extra("model_type", t);
    }
    if let Some(d) = s(&v, "torch_dtype").or_else(|| s(&v, "dtype")) {
        meta.set_extra("torch_dtype", d);
    }
    if let Some(n) = s(&v, "_name_or_path") {
        meta.set_extra("name_or_path", n);
    }
    if let Some(t) = s(&v, "transformers_version") {
        meta.producer = Some(meta_string(&format!("transformers {t}")));
    }
    if let Some(q) = v.get("quantization_config") {
        if let Some(m) = s(q, "quant_method") {
            meta.quantization = Some(meta_string(m));
        }
        if let Some(b) = q.get("bits").and_then(scalar) {
            meta.set_extra("quant_bits", b);
        }
    } else if let Some(q) = v.get("quantization").filter(|q| q.is_object())
        && let Some(b) = q.get("bits").and_then(scalar)
    {
        meta.quantization = Some(format!("{b}-bit"));
        if let Some(g) = q.get("group_size").and_then(scalar) {
            meta.set_extra("quant_group_size", g);
        }
    }
    let has = |k: &str| v.get(k).is_some_and(|x| !x.is_null());
    let mt = model_type.unwrap_or("");
    if has("text_config") || has("vocab_size") {
        meta.modalities.insert("text".into());
    }
    if has("vision_config") || has("vision_tower") || has("mm_vision_tower") || VISION_TYPES.contains(&mt) {
        meta.modalities.insert("vision".into());
    }
    if has("audio_config") || AUDIO_TYPES.contains(&mt) {
        meta.modalities.insert("audio".into());
    }
    if let Some(a) = arch
        && ["ForCausalLM", "LMHeadModel", "ForMaskedLM", "ForSeq2SeqLM", "ForQuestionAnswering"]
            .iter()
            .any(|x| a.ends_with(x))
    {
        meta.modalities.insert("text".into());
    }
    meta
}

/// `adapter_config.json` (PEFT): `base_model_name_or_path` → `base_models`; `peft_type`, `r`,
/// `lora_alpha`, `task_type`, `target_modules`, `revision` → `extra`.
pub fn parse_adapter_config(text: &str) -> ModelMeta {
    let mut meta = ModelMeta::default();
    let Some(v) = json(text, &mut meta) else { return meta };
    if let Some(b) = s(&v, "base_model_name_or_path") {
        ModelMeta::push_unique(&mut meta.base_models, b);
    }
    for k in ["peft_type", "r", "lora_alpha", "task_type", "revision", "lora_dropout"] {
        if let Some(x) = v.get(k).and_then(scalar) {
            meta.set_extra(k, x);
        }
    }
    match v.get("target_modules") {
        Some(Value::Array(a)) => {
            let m: Vec<String> = a.iter().filter_map(scalar).take(64).collect();
            meta.set_extra("target_modules", m.join(","));
        }
        Some(Value::String(t)) => meta.set_extra("target_modules", t),
        _ => {}
    }
    if let Some(p) = s(&v, "peft_type") {
        meta.architecture = Some(meta_string(&format!("peft:{p}")));
    }
    meta
}

/// Every chat template of a `tokenizer_config.json`: a string `chat_template` is named
/// `default`; a list of `{name, template}` keeps its names. Each is capped at
/// [`limits::MAX_CHAT_TEMPLATE`].
pub fn parse_tokenizer_chat_templates(text: &str) -> Vec<(String, String)> {
    let mut scratch = ModelMeta::default();
    let Some(v) = json(text, &mut scratch) else { return Vec::new() };
    let cap = |t: &str| crate::util::cap(t, limits::MAX_CHAT_TEMPLATE);
    match v.get("chat_template") {
        Some(Value::String(t)) => vec![("default".to_string(), cap(t))],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| Some((s(i, "name").unwrap_or("").to_string(), cap(s(i, "template")?))))
            .take(limits::MAX_LIST)
            .collect(),
        _ => Vec::new(),
    }
}

/// `tokenizer_config.json`: the chat template (a string, or from a list of `{name, template}`
/// the one named `default`, else the first), capped at [`limits::MAX_CHAT_TEMPLATE`]. Use
/// [`parse_tokenizer_chat_templates`] to get all of them.
pub fn parse_tokenizer_config(text: &str) -> Option<String> {
    let all = parse_tokenizer_chat_templates(text);
    let default = all.iter().position(|(n, _)| n == "default").unwrap_or(0);
    all.into_iter().nth(default).map(|(_, t)| t)
}

/// `model.safetensors.index.json` / `pytorch_model.bin.index.json`: `metadata.total_size` →
/// `extra["total_size"]`, the shard files (sorted, distinct) → `members`, the number of
/// tensors in `weight_map` → `tensor_count`.
pub fn parse_weights_index(text: &str) -> ModelMeta {
    let mut meta = ModelMeta::default();
    let Some(v) = json(text, &mut meta) else { return meta };
    if let Some(t) = v.pointer("/metadata/total_size").and_then(scalar) {
        meta.set_extra("total_size", t);
    }
    if let Some(map) = v.get("weight_map").and_then(Value::as_object) {
        meta.tensor_count = Some(map.len() as u64);
        let files: std::collections::BTreeSet<&str> = map.values().filter_map(Value::as_str).collect();
        meta.members = files.into_iter().take(limits::MAX_MEMBERS).map(meta_string).collect();
    }
    meta
}

/// The YAML front matter of a card: the text between a leading `---` line and the next `---`
/// (or `...`) line. `Err` with a reason when absent, unterminated or too large.
pub fn front_matter(text: &str) -> Result<&str, &'static str> {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    let t = t.trim_start_matches(['\n', '\r']);
    let Some(rest) = t.strip_prefix("---") else { return Err("no front matter") };
    let Some(rest) = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n')) else {
        return Err("no front matter");
    };
    let window = &rest[..crate::util::cap(rest, limits::MAX_FRONT_MATTER + 8).len()];
    let mut pos = 0;
    for line in window.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        if l == "---" || l == "..." {
            return Ok(&rest[..pos]);
        }
        pos += line.len();
        if pos > limits::MAX_FRONT_MATTER {
            break;
        }
    }
    Err("front matter unterminated or larger than the limit")
}

fn modalities_from_task(task: &str, meta: &mut ModelMeta) {
    const TEXT_TASKS: &[&str] = &[
        "summarization",
        "translation",
        "fill-mask",
        "question-answering",
        "token-classification",
        "sentence-similarity",
        "zero-shot-classification",
        "conversational",
        "table-question-answering",
    ];
    if task.contains("text") || TEXT_TASKS.contains(&task) {
        meta.modalities.insert("text".into());
    }
    if ["image", "video", "visual", "object-detection", "depth-estimation", "mask-generation"]
        .iter()
        .any(|x| task.contains(x))
    {
        meta.modalities.insert("vision".into());
    }
    if ["audio", "speech", "voice"].iter().any(|x| task.contains(x)) {
        meta.modalities.insert("audio".into());
    }
}

/// A model or dataset card (`README.md`): from the YAML front matter `license` (and
/// `license_name`, `license_link`), `base_model` (string or list), `datasets`, `pipeline_tag`,
/// `library_name`, `base_model_relation`, `language`, `tags`, `task_categories`,
/// `pretty_name` / `model-index[0].name` → `name`; modalities from the pipeline tag and task
/// categories.
pub fn parse_card(text: &str) -> ModelMeta {
    let mut meta = ModelMeta::default();
    let fm = match front_matter(text) {
        Ok(f) => f,
        Err(e) => {
            meta.set_extra("parse_error", e);
            return meta;
        }
    };
    let y = yaml::parse(fm);
    if !matches!(y, Y::Map(_) | Y::Null) {
        meta.set_extra("parse_error", "front matter is not a mapping");
        return meta;
    }
    let get = |k: &str| y.get(k).map(Y::strings).unwrap_or_default();
    if let Some(l) = get("license").first() {
        meta.license = Some(meta_string(l));
    }
    for b in get("base_model") {
        ModelMeta::push_unique(&mut meta.base_models, &b);
    }
    for d in get("datasets") {
        ModelMeta::push_unique(&mut meta.datasets, &d);
    }
    for k in ["license_name", "license_link", "pipeline_tag", "library_name", "base_model_relation"] {
        if let Some(v) = get(k).first() {
            meta.set_extra(k, v);
        }
    }
    for k in ["language", "tags", "task_categories"] {
        let v = get(k);
        if !v.is_empty() {
            meta.set_extra(k, v.join(","));
        }
    }
    if let Some(n) = get("pretty_name").first() {
        meta.name = Some(meta_string(n));
    } else if let Some(Y::List(mi)) = y.get("model-index") {
        meta.name = mi.first().and_then(|m| m.get("name")).and_then(Y::as_str).map(meta_string);
    }
    for t in get("pipeline_tag").iter().chain(get("task_categories").iter()) {
        modalities_from_task(t, &mut meta);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_edges() {
        assert_eq!(front_matter("---\na: b\n---\n# Title"), Ok("a: b\n"));
        assert_eq!(front_matter("---\r\na: b\r\n---\r\n"), Ok("a: b\r\n"));
        assert!(front_matter("# no front matter").is_err());
        assert!(front_matter("---\na: b\n").is_err());
        let big = format!("---\n{}---\n", "a: b\n".repeat(60_000));
        assert!(front_matter(&big).is_err());
    }
}

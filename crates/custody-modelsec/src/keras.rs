//! Keras: the `config.json` of a `.keras` archive and the `model_config` of a legacy `.h5`.
//!
//! Loading a Keras model deserialises its config: `Lambda` layers carry marshalled Python
//! bytecode, and any object with a `module` outside Keras makes the loader import that module
//! and fetch a name from it (CVE-2025-1550: `safe_mode` did not stop this). Functions inside
//! Keras can be gadgets too (CVE-2025-8747 `get_file`, CVE-2025-9906
//! `enable_unsafe_deserialization`, CVE-2025-49655 `TorchModuleWrapper` → `torch.load`).
//!
//! Legacy `.h5` files are not parsed as HDF5: the JSON config is found by a byte search and
//! read when it parses; findings from it say so (lower confidence).

use crate::codes;
use crate::ctx::Ctx;
use crate::policy::{self, Tier};
use custody_core::Severity;
use serde_json::Value;

/// Module prefixes that belong to Keras (and its official companions).
const KERAS_NS: &[&str] = &["keras", "tf_keras", "tensorflow", "keras_hub", "keras_nlp", "keras_cv"];

/// Functions and classes inside Keras that defeat `safe_mode` or reach the file system / pickle.
const GADGETS: &[&str] = &[
    "enable_unsafe_deserialization",
    "get_file",
    "load_model",
    "load_weights",
    "save_model",
    "TorchModuleWrapper",
    "exec",
    "eval",
];

fn in_keras(m: &str) -> bool {
    KERAS_NS.iter().any(|p| m == *p || m.starts_with(&format!("{p}.")))
}

pub(crate) fn config_bytes(ctx: &mut Ctx, data: &[u8], member: Option<&str>, h5: bool) {
    if data.len() > custody_formats::limits::MAX_INFLATE {
        return;
    }
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        config(ctx, &v, data, member, None, h5);
    }
}

/// Walk a Keras config. `offset`: where it was found (H5 byte search).
fn config(ctx: &mut Ctx, v: &Value, raw: &[u8], member: Option<&str>, offset: Option<u64>, h5: bool) {
    let conf = if h5 { " (found by a byte search in the HDF5 file: lower confidence)" } else { "" };
    if memchr::memmem::find(raw, b"enable_unsafe_deserialization").is_some() {
        ctx.add(
            codes::KER_GADGET,
            None,
            member,
            offset,
            "Keras config refers to enable_unsafe_deserialization",
            format!("turns safe_mode off while the model loads, so later Lambda layers run (CVE-2025-9906){conf}"),
        );
    }
    let mut stack = vec![(v, 0u32)];
    let mut visited = 0u32;
    while let Some((x, depth)) = stack.pop() {
        visited += 1;
        if visited > 1_000_000 || depth > 256 {
            break;
        }
        match x {
            Value::Object(o) => {
                let class_value = x;
                let class = o.get("class_name").and_then(Value::as_str).unwrap_or("");
                let module = o.get("module").and_then(Value::as_str);
                let name = class_value.pointer("/config/name").and_then(Value::as_str).unwrap_or("?");
                let fconf = o.get("config").and_then(Value::as_str);
                if class == "Lambda" {
                    let code_len = class_value
                        .pointer("/config/function/config/code")
                        .or_else(|| class_value.pointer("/config/function/0"))
                        .and_then(Value::as_str)
                        .map_or(0, str::len);
                    let ftype =
                        class_value.pointer("/config/function_type").and_then(Value::as_str).unwrap_or("lambda");
                    ctx.add(
                        if h5 { codes::KER_H5 } else { codes::KER_LAMBDA },
                        None,
                        member,
                        offset,
                        format!("Keras Lambda layer `{name}`: loading it runs Python code stored in the file"),
                        format!("function_type {ftype}, {code_len} characters of serialised code{conf}"),
                    );
                }
                let fname = fconf.unwrap_or(class);
                if GADGETS.contains(&class) || (class == "function" && GADGETS.contains(&fname)) {
                    ctx.add(
                        codes::KER_GADGET,
                        None,
                        member,
                        offset,
                        format!("Keras config deserialises `{}`", policy::full(module.unwrap_or(""), fname)),
                        format!("a Keras-internal function or class that defeats safe_mode or reaches files or pickle (CVE-2025-8747/-9906/-49655 class){conf}"),
                    );
                }
                if let Some(m) = module
                    && !in_keras(m)
                {
                    let target = if class == "function" { fname } else { class };
                    let v = policy::judge(m, target);
                    if v.tier >= Tier::High || (v.tier > Tier::Allowed && class == "function") {
                        ctx.add(
                            codes::KER_MODULE,
                            Some(if v.tier == Tier::Critical { Severity::Critical } else { Severity::High }),
                            member,
                            offset,
                            format!("Keras config makes the loader import `{}`", policy::full(m, target)),
                            format!("module `{m}` is outside Keras ({}); deserialising imports it even with safe_mode (CVE-2025-1550){conf}", v.why),
                        );
                    } else if v.tier > Tier::Allowed {
                        ctx.add(
                            codes::KER_CUSTOM,
                            None,
                            member,
                            offset,
                            format!("Keras config uses custom object `{}`", policy::full(m, target)),
                            format!("loading imports module `{m}` and runs its code{conf}"),
                        );
                    }
                } else if module.is_none()
                    && let Some(r) = o.get("registered_name").and_then(Value::as_str)
                    && r.contains('>')
                {
                    ctx.add(
                        codes::KER_CUSTOM,
                        None,
                        member,
                        offset,
                        format!("Keras config uses registered custom object `{r}`"),
                        format!("the loading program must provide its code{conf}"),
                    );
                }
                stack.extend(o.values().map(|c| (c, depth + 1)));
            }
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, depth + 1))),
            _ => {}
        }
    }
}

/// The end of the JSON object starting at `start` (string- and escape-aware), within `max` bytes.
fn json_object_end(b: &[u8], start: usize, max: usize) -> Option<usize> {
    let mut depth = 0u32;
    let mut in_str = false;
    let mut esc = false;
    for (i, &c) in b.get(start..)?.iter().enumerate().take(max) {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(start + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Legacy HDF5 Keras model: find `model_config` JSON by bytes.
pub(crate) fn h5(ctx: &mut Ctx, b: &[u8], member: Option<&str>) {
    let window = &b[..b.len().min(256 << 20)];
    let keras = memchr::memmem::find(window, b"model_config").is_some()
        || memchr::memmem::find(window, b"keras_version").is_some();
    if !keras {
        return;
    }
    let mut parsed = false;
    let finder = memchr::memmem::Finder::new(b"{\"class_name\"");
    let mut from = 0usize;
    let mut tries = 0;
    while let Some(p) = finder.find(&window[from..]) {
        tries += 1;
        if tries > 64 {
            break;
        }
        let start = from + p;
        if let Some(end) = json_object_end(window, start, 64 << 20)
            && let Ok(v) = serde_json::from_slice::<Value>(&window[start..end])
            && v.get("config").is_some()
        {
            parsed = true;
            config(ctx, &v, &window[start..end], member, Some(start as u64), true);
            from = end;
            continue;
        }
        from = start + 1;
    }
    if !parsed {
        // No parseable config: count Lambda class names directly.
        let lambdas = memchr::memmem::find_iter(window, b"\"class_name\": \"Lambda\"").count()
            + memchr::memmem::find_iter(window, b"\"class_name\":\"Lambda\"").count();
        if lambdas > 0 {
            ctx.add(
                codes::KER_H5,
                None,
                member,
                memchr::memmem::find(window, b"Lambda").map(|p| p as u64),
                format!("{lambdas} Keras Lambda layer(s) referenced in the HDF5 file"),
                "byte-level match (the model config did not parse as JSON): lower confidence",
            );
        }
    }
}

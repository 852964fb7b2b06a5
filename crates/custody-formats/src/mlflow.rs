//! MLflow `MLmodel` files (YAML): `flavors` (names → `extra["flavors"]`; per flavor the
//! `*_version` keys, `python_function.loader_module`, `transformers.source_model_name` →
//! `base_models`), `model_uuid`, `run_id`, `artifact_path`, `utc_time_created`,
//! `model_size_bytes`, `mlflow_version` (→ `producer`), whether a `signature` is present, and
//! scalar `metadata` entries. Read with the crate's YAML-subset reader; input over
//! [`limits::MAX_TEXT`] yields `extra["parse_error"]`.

use crate::yaml::{self, Y};
use crate::{ModelMeta, limits, meta_string};

/// Parse an `MLmodel` file.
pub fn parse_mlmodel(text: &str) -> ModelMeta {
    let mut meta = ModelMeta::default();
    if text.len() > limits::MAX_TEXT {
        meta.set_extra("parse_error", format!("larger than {} bytes", limits::MAX_TEXT));
        return meta;
    }
    let y = yaml::parse(text);
    let scalar = |v: Option<&Y>| v.and_then(Y::as_str).map(str::to_string);
    if let Some(Y::Map(flavors)) = y.get("flavors") {
        let names: Vec<&str> = flavors.iter().map(|(k, _)| k.as_str()).take(64).collect();
        meta.set_extra("flavors", names.join(","));
        for (name, body) in flavors.iter().take(64) {
            if let Y::Map(items) = body {
                for (k, v) in items.iter().take(64) {
                    if k.ends_with("_version")
                        && let Some(s) = v.as_str()
                    {
                        meta.set_extra(format!("{}.{}", crate::util::cap(name, 64), crate::util::cap(k, 64)), s);
                    }
                }
            }
            if name == "python_function"
                && let Some(m) = scalar(body.get("loader_module"))
            {
                meta.set_extra("loader_module", m);
            }
            if name == "transformers" {
                if let Some(m) = scalar(body.get("source_model_name")) {
                    ModelMeta::push_unique(&mut meta.base_models, &m);
                }
                if let Some(t) = scalar(body.get("task")) {
                    meta.set_extra("task", t);
                }
            }
        }
        if let Some((first, _)) = flavors.iter().find(|(k, _)| k != "python_function") {
            meta.architecture = Some(meta_string(&format!("mlflow:{first}")));
        }
    }
    for k in ["model_uuid", "run_id", "artifact_path", "utc_time_created", "model_size_bytes", "mlflow_version"] {
        if let Some(v) = scalar(y.get(k)) {
            meta.set_extra(k, v);
        }
    }
    if let Some(v) = scalar(y.get("mlflow_version")) {
        meta.producer = Some(meta_string(&format!("mlflow {v}")));
    }
    if y.get("signature").is_some_and(|s| *s != Y::Null) {
        meta.set_extra("signature", "true");
    }
    if let Some(Y::Map(md)) = y.get("metadata") {
        for (k, v) in md.iter().take(limits::MAX_EXTRA_ENTRIES) {
            if let Some(s) = v.as_str() {
                meta.set_extra(format!("metadata.{}", crate::util::cap(k, 128)), s);
            }
        }
    }
    meta
}

//! Ollama `Modelfile`: one instruction per line (case-insensitive), arguments either on the
//! line, in `"…"`, or in a `"""…"""` block that may span lines. `FROM` → `base_models`;
//! `TEMPLATE` → `chat_template` (and `extra["template"]`); `SYSTEM` → `extra["system"]` and its
//! length (the text itself is not copied); `ADAPTER`, `REQUIRES` → `extra`; `PARAMETER k v` →
//! `extra["parameter.k"]`; `LICENSE` → `license` (its first line) and `extra["license_text"]`;
//! `MESSAGE` → a count. `#` starts a comment line. Input over [`limits::MAX_TEXT`] yields
//! `extra["parse_error"]`.

use crate::{ModelMeta, limits, meta_string};

/// Split `rest` into this instruction's argument and the text after it.
fn argument(rest: &str) -> (String, &str) {
    let r = rest.trim_start_matches([' ', '\t']);
    if let Some(body) = r.strip_prefix("\"\"\"") {
        return match body.find("\"\"\"") {
            Some(e) => (body[..e].to_string(), &body[e + 3..]),
            None => (body.to_string(), ""),
        };
    }
    let (line, after) = match r.find('\n') {
        Some(i) => (&r[..i], &r[i + 1..]),
        None => (r, ""),
    };
    let line = line.trim_end_matches('\r').trim();
    let unq = line.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(line);
    (unq.to_string(), after)
}

/// Parse a `Modelfile`.
pub fn parse_modelfile(text: &str) -> ModelMeta {
    let mut meta = ModelMeta::default();
    if text.len() > limits::MAX_TEXT {
        meta.set_extra("parse_error", format!("larger than {} bytes", limits::MAX_TEXT));
        return meta;
    }
    let mut rest = text;
    let mut messages = 0u64;
    let mut params = 0usize;
    while !rest.is_empty() {
        let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let trimmed = rest[..line_end].trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            rest = &rest[line_end..];
            continue;
        }
        let word_end = trimmed.find(|c: char| c.is_whitespace()).unwrap_or(trimmed.len());
        let word = trimmed[..word_end].to_ascii_uppercase();
        // The argument starts right after the instruction word (within the remaining text).
        let start = line_end - trimmed.len() + word_end;
        let (arg, after) = argument(&rest[start..]);
        match word.as_str() {
            "FROM" => ModelMeta::push_unique(&mut meta.base_models, arg.trim()),
            "TEMPLATE" => {
                meta.set_chat_template(&arg);
                meta.set_extra("template", "present");
            }
            "SYSTEM" => {
                meta.set_extra("system", "present");
                meta.set_extra("system_chars", arg.chars().count().to_string());
            }
            "ADAPTER" => meta.set_extra("adapter", arg.trim()),
            "REQUIRES" => meta.set_extra("requires", arg.trim()),
            "LICENSE" => {
                if let Some(first) = arg.lines().map(str::trim).find(|l| !l.is_empty()) {
                    meta.license = Some(meta_string(first));
                }
                meta.set_extra("license_text", "present");
            }
            "PARAMETER" => {
                let mut it = arg.splitn(2, char::is_whitespace);
                if let (Some(k), Some(v)) = (it.next(), it.next())
                    && params < limits::MAX_EXTRA_ENTRIES
                {
                    params += 1;
                    let v = v.trim();
                    let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v);
                    meta.set_extra(format!("parameter.{}", crate::util::cap(k, 64)), v);
                }
            }
            "MESSAGE" => messages += 1,
            _ => {}
        }
        rest = after;
    }
    if messages > 0 {
        meta.set_extra("messages", messages.to_string());
    }
    meta
}

//! Name- and text-based classification: which files are code, manifests, configuration,
//! notebooks, prompts, chat templates and text datasets.

use custody_shadow::Language;

/// What to do with a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRole {
    Code(Language),
    Manifest,
    Notebook,
    Config,
}

/// Directories whose code is third-party: AI use there is not the project's own.
const VENDOR_DIRS: &[&str] =
    &["node_modules", "site-packages", "dist-packages", "vendor", ".venv", "venv", "__pycache__", ".tox"];

pub fn in_vendor_dir(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|c| VENDOR_DIRS.contains(&c))
}

pub fn ext_of(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

pub fn text_role(rel: &str, name: &str, ext: &str) -> Option<TextRole> {
    if let Some(l) = custody_shadow::language_of(rel) {
        return Some(TextRole::Code(l));
    }
    if custody_shadow::is_manifest(rel) {
        return Some(TextRole::Manifest);
    }
    if ext == "ipynb" {
        return Some(TextRole::Notebook);
    }
    let lower = name.to_ascii_lowercase();
    let config = lower == ".env"
        || lower.starts_with(".env.")
        || lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || matches!(ext, "yaml" | "yml" | "json" | "toml" | "ini" | "cfg" | "conf" | "properties" | "env")
        // Shell scripts call AI APIs with curl and read their keys from the environment.
        || matches!(ext, "sh" | "bash" | "zsh");
    config.then_some(TextRole::Config)
}

/// Prompt files by name and place (research §5.3.11).
pub fn is_prompt(rel: &str, name: &str, ext: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if ext == "prompt" || ext == "prompty" || lower.ends_with(".prompt.md") || lower.ends_with(".prompt.txt") {
        return true;
    }
    if matches!(lower.as_str(), "agents.md" | "claude.md" | ".cursorrules" | "copilot-instructions.md" | "gemini.md") {
        return true;
    }
    let text_ext = matches!(ext, "md" | "txt" | "json" | "yaml" | "yml" | "toml" | "j2" | "jinja" | "jinja2" | "tmpl");
    if !text_ext || lower == "readme.md" {
        return false;
    }
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
    let named = ["prompt", "system_prompt", "system-prompt", "instruction", "persona"].iter().any(|k| stem.contains(k));
    let in_dir = rel.split('/').rev().skip(1).any(|d| matches!(d.to_ascii_lowercase().as_str(), "prompt" | "prompts"));
    named || in_dir
}

/// Chat templates: `chat_template.jinja` and Jinja files that iterate over messages.
pub fn is_chat_template(name: &str, ext: &str, text: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("chat_template") && matches!(ext, "jinja" | "j2" | "jinja2" | "json") {
        return true;
    }
    matches!(ext, "jinja" | "j2" | "jinja2") && text.contains("{%") && text.contains("message")
}

/// CSV/TSV/JSONL that look like data: at least three records of consistent shape.
pub fn looks_like_data(ext: &str, head: &[u8]) -> Option<&'static str> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A head cut in the middle of a character is still text.
        Err(e) if e.valid_up_to() + 4 >= head.len() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return None,
    };
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(21).collect();
    if head.len() >= 64 << 10 {
        lines.pop(); // the last line may be cut
    }
    if lines.len() < 3 {
        return None;
    }
    match ext {
        "csv" | "tsv" => {
            let sep = if ext == "tsv" { '\t' } else { ',' };
            let n = lines[0].matches(sep).count();
            (n >= 1 && lines.iter().all(|l| l.matches(sep).count() == n)).then_some(if ext == "tsv" {
                "tsv"
            } else {
                "csv"
            })
        }
        "jsonl" | "ndjson" => lines
            .iter()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v.is_object()))
            .then_some("jsonl"),
        _ => None,
    }
}

/// A WebDataset shard: `name-000123.tar`.
pub fn is_webdataset_shard(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".tar") else { return false };
    let digits = stem.chars().rev().take_while(char::is_ascii_digit).count();
    digits >= 4 && stem.len() > digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_by_name_and_place() {
        assert!(is_prompt("x/system.prompt", "system.prompt", "prompt"));
        assert!(is_prompt("prompts/triage.md", "triage.md", "md"));
        assert!(is_prompt("app/system_prompt.txt", "system_prompt.txt", "txt"));
        assert!(is_prompt("AGENTS.md", "AGENTS.md", "md"));
        assert!(!is_prompt("prompts/README.md", "README.md", "md"));
        assert!(!is_prompt("docs/guide.md", "guide.md", "md"));
        assert!(!is_prompt("src/prompt.py", "prompt.py", "py"));
    }

    #[test]
    fn data_needs_consistent_records() {
        assert_eq!(looks_like_data("csv", b"a,b\n1,2\n3,4\n"), Some("csv"));
        assert_eq!(looks_like_data("csv", b"a,b\n1,2,3\n3,4\n"), None);
        assert_eq!(looks_like_data("csv", b"just one line\n"), None);
        assert_eq!(looks_like_data("jsonl", b"{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"), Some("jsonl"));
        assert_eq!(looks_like_data("jsonl", b"{\"a\":1}\n[1]\n{\"a\":3}\n"), None);
        assert_eq!(looks_like_data("csv", &[0xff, 0xfe, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), None);
    }

    #[test]
    fn vendor_dirs_and_shards() {
        assert!(in_vendor_dir("web/node_modules/openai/index.js"));
        assert!(!in_vendor_dir("src/vendor.py"));
        assert!(is_webdataset_shard("train-000001.tar"));
        assert!(!is_webdataset_shard("backup.tar"));
        assert!(!is_webdataset_shard("000001.tar"));
    }
}

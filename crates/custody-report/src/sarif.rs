//! SARIF 2.1.0 for CI and GitHub code scanning (research/formats.md §4): one run, the rules
//! that the findings use (with help text from each finding's rule), one result per finding
//! with a repository-relative location (`region.startLine` ≥ 1 as GitHub requires; the byte
//! offset and the archive member when known) and a stable `partialFingerprints` entry.
//! Pure: same findings, same document.

use custody_core::{Code, Finding, Severity};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// SARIF `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a number as a string: > 9 critical, 7–8.9 high, 4–6.9 medium).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `CUS-PKL-001` + "Pickle imports or calls…" → `PickleImportsOrCalls…` (SARIF `rule.name`).
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn tags(code: &str) -> Vec<&'static str> {
    let family = match code.split('-').nth(1).unwrap_or("") {
        "PKL" => "pickle",
        "ZIP" => "archive",
        "NPY" => "numpy",
        "KER" => "keras",
        "TF" => "tensorflow",
        "ONX" => "onnx",
        "GGUF" => "gguf",
        "JJA" => "chat-template",
        "ST" => "safetensors",
        "FMT" => "format",
        _ => "ai",
    };
    // Codes outside the model-file families fall back to "ai", which is already a tag: SARIF
    // wants tags unique.
    if family == "ai" { vec!["security", "ai", "ml-model"] } else { vec!["security", "ai", "ml-model", family] }
}

/// A repository-relative URI for a path (absolute paths become `file://` URIs).
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let enc: String = p
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            c => c.to_string(),
        })
        .collect();
    if enc.starts_with('/') { format!("file://{enc}") } else { enc.trim_start_matches("./").to_string() }
}

fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.code.as_str().as_bytes());
    h.update([0]);
    h.update(f.location.to_string().as_bytes());
    h.update([0]);
    h.update(f.message.as_bytes());
    let d = h.finalize();
    let hex = custody_core::hex::encode(&d[..d.len().min(8)]);
    format!("{hex}:{}", f.location.line.unwrap_or(1))
}

/// A SARIF 2.1.0 document for `findings`, produced by `tool` at `version`. `category` becomes
/// `automationDetails.id` (`category/`), which keeps several SARIF uploads per commit apart.
pub fn document(tool: &str, version: &str, category: &str, findings: &[Finding]) -> Value {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut codes: Vec<&Code> = findings.iter().map(|f| &f.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let code = c.as_str();
            index.insert(code, i);
            match c.rule() {
                Some(r) => json!({
                    "id": r.code,
                    "name": rule_name(r.title),
                    "shortDescription": { "text": r.title },
                    "fullDescription": { "text": r.why },
                    "help": {
                        "text": format!("{} {}", r.why, r.remediation),
                        "markdown": format!("**Why it matters.** {}\n\n**What to do.** {}", r.why, r.remediation),
                    },
                    "defaultConfiguration": { "level": level(r.severity) },
                    "properties": {
                        "tags": tags(r.code),
                        "precision": "high",
                        "problem.severity": level(r.severity),
                        "security-severity": security_severity(r.severity),
                    },
                }),
                None => json!({
                    "id": code,
                    "shortDescription": { "text": code },
                    "properties": { "tags": tags(code) },
                }),
            }
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut region = json!({ "startLine": f.location.line.unwrap_or(1).max(1) });
            if let Some(c) = f.location.column {
                region["startColumn"] = json!(c.max(1));
            }
            if let Some(o) = f.location.offset {
                region["byteOffset"] = json!(o);
            }
            let u = uri(&f.location.path);
            let artifact = if u.starts_with("file://") {
                json!({ "uri": u })
            } else {
                json!({ "uri": u, "uriBaseId": "%SRCROOT%" })
            };
            let mut location = json!({ "physicalLocation": { "artifactLocation": artifact, "region": region } });
            if let Some(m) = &f.location.member {
                location["logicalLocations"] =
                    json!([{ "fullyQualifiedName": format!("{}!{m}", f.location.path), "name": m, "kind": "resource" }]);
            }
            let text = match &f.evidence {
                Some(e) => format!("{} ({e})", f.message),
                None => f.message.clone(),
            };
            let mut props = json!({ "severity": f.severity.as_str() });
            if let Some(e) = &f.evidence {
                props["evidence"] = json!(e);
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": index.get(f.code.as_str()).copied().unwrap_or(0),
                "level": level(f.severity),
                "kind": "fail",
                "message": { "text": text },
                "locations": [location],
                "partialFingerprints": { "primaryLocationLineHash": fingerprint(f) },
                "properties": props,
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": tool,
                "semanticVersion": version.split_whitespace().next().unwrap_or(version),
                "informationUri": "https://example.invalid/custody",
                "rules": rules,
            }},
            "automationDetails": { "id": format!("{category}/") },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_core::Location;

    #[test]
    fn document_shape() {
        let mut loc = Location::at_offset("models/m.pt", 31);
        loc.member = Some("archive/data.pkl".into());
        let f = Finding::new(custody_scan::codes::ModelCode::PKL_CRITICAL, "pickle imports `os.system`", loc)
            .with_evidence("os.system via STACK_GLOBAL");
        let g = Finding::new(custody_scan::codes::ModelCode::JJA_DUNDER, "dunder", Location::at_line("t.gguf", 3, 7));
        let d = document("custody", "0.1.0 (abc)", "custody/inspect", &[f.clone(), g, f]);
        assert_eq!(d["version"], "2.1.0");
        let run = &d["runs"][0];
        assert_eq!(run["tool"]["driver"]["semanticVersion"], "0.1.0");
        assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(2));
        assert_eq!(run["tool"]["driver"]["rules"][0]["name"], "ChatTemplateReachesPythonInternals");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "CUS-PKL-001");
        assert_eq!(r["ruleIndex"], 1);
        assert_eq!(r["level"], "error");
        assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
        assert_eq!(r["locations"][0]["physicalLocation"]["region"]["byteOffset"], 31);
        assert_eq!(r["locations"][0]["logicalLocations"][0]["name"], "archive/data.pkl");
        assert_eq!(run["results"][1]["locations"][0]["physicalLocation"]["region"]["startColumn"], 7);
        assert_eq!(r["partialFingerprints"], run["results"][2]["partialFingerprints"]);
        assert_eq!(uri("a b/c.pt"), "a%20b/c.pt");
        assert_eq!(uri("/abs/x"), "file:///abs/x");
    }
}

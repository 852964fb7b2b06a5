//! `custody.toml`: the organisation, the roles it holds, its AI systems, where the store lives.
//!
//! Parsing never panics; every error names the file, line, column and problem.

use crate::ownership::AssetRef;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How far an AI system is exposed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Used only inside the organisation.
    #[default]
    Internal,
    /// Offered to outside parties through an API.
    ExternalApi,
    /// Open to the public (for example a public chatbot).
    Public,
}

impl Exposure {
    pub const ALL: [Exposure; 3] = [Exposure::Internal, Exposure::ExternalApi, Exposure::Public];
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Internal => "internal",
            Exposure::ExternalApi => "external-api",
            Exposure::Public => "public",
        }
    }
    pub fn parse(s: &str) -> Result<Exposure, String> {
        Exposure::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| format!("unknown exposure `{s}`; valid: internal, external-api, public"))
    }
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: String,
    /// The roles of ETSI EN 304 223 the organisation holds.
    pub roles: Vec<Role>,
}

/// An AI system the organisation builds or runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub intended_use: String,
    pub exposure: Exposure,
    /// AI assets the system uses: path globs relative to the directory of custody.toml
    /// (`models/fraud/**`), or `sha256:<hex>` digests, parsed once (an invalid glob is a
    /// configuration error). Found assets no system claims are shadow AI; [`System::claims`]
    /// decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<AssetRef>,
    /// External AI services the system calls: provider ids (`openai`) or hostnames
    /// (`api.openai.com`). Services found in code that no system lists are shadow AI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// Where the evidence store lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Path of the SQLite database, relative to the directory holding `custody.toml`.
    pub path: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { path: ".custody/custody.db".into() }
    }
}

/// How old evidence may be before an assessment stops counting it as current (`[evidence]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceConfig {
    /// A scan older than this many days is stale: what it proves downgrades from met to partial.
    #[serde(default = "default_scan_age")]
    pub max_scan_age_days: u32,
    /// Attested evidence, signatures and training older than this many days are stale.
    #[serde(default = "default_evidence_age")]
    pub max_age_days: u32,
}

fn default_scan_age() -> u32 {
    7
}
fn default_evidence_age() -> u32 {
    365
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig { max_scan_age_days: default_scan_age(), max_age_days: default_evidence_age() }
    }
}

/// What `custody gate` fails on (`[gate]`); flags override it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// Fail when a finding is at or above this severity (`info` … `critical`), or `none`.
    #[serde(default = "default_fail_on")]
    pub fail_on: String,
    /// Only these shall-provisions can fail the gate (empty: all that apply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisions: Vec<String>,
    /// Provisions that never fail the gate (accepted risks; say why in an evidence record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Fail when the audit log does not verify.
    #[serde(default = "default_true")]
    pub require_audit: bool,
}

fn default_fail_on() -> String {
    "high".into()
}
fn default_true() -> bool {
    true
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig { fail_on: default_fail_on(), provisions: Vec::new(), ignore: Vec::new(), require_audit: true }
    }
}

impl GateConfig {
    /// The finding threshold; None for `none`.
    pub fn fail_on(&self) -> Option<crate::finding::Severity> {
        crate::finding::Severity::parse(&self.fail_on).ok()
    }
}

/// Where the audit log's checkpoints go besides the store (`[audit]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Witnesses that receive every new checkpoint: `file:PATH` (a file that keeps the latest
    /// checkpoint and refuses to go back), `git:PATH` (a git repository; each checkpoint is a
    /// commit), or `https://…/ key=VKEY` (a C2SP tlog-witness; VKEY is its cosigning key).
    /// Relative paths are relative to the directory holding `custody.toml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<String>,
}

/// A witness of the audit log, parsed from `[audit] witnesses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Witness {
    /// A file holding the latest checkpoint.
    File(String),
    /// A git repository; the checkpoint file is committed.
    Git(String),
    /// A witness speaking the C2SP tlog-witness protocol at this URL prefix, whose cosignatures
    /// verify with `key` (a type 0x04 verifier key).
    Http { url: String, key: String },
}

impl Witness {
    pub fn parse(s: &str) -> Result<Witness, String> {
        if s.starts_with("https://") || s.starts_with("http://") {
            let mut parts = s.split_whitespace();
            let url = parts.next().unwrap_or_default().to_string();
            let key = match (parts.next().and_then(|k| k.strip_prefix("key=")), parts.next()) {
                (Some(k), None) if !k.is_empty() => k.to_string(),
                _ => {
                    return Err(format!(
                        "witness `{s}`: an HTTP witness needs its cosigning key: `URL key=NAME+KEYID+KEY`"
                    ));
                }
            };
            if url.chars().any(char::is_control) || url.contains(['@', '#', '?']) {
                return Err(format!(
                    "witness `{s}`: give the witness's URL prefix without credentials, query or fragment"
                ));
            }
            return Ok(Witness::Http { url, key });
        }
        let (kind, rest) = s.split_once(':').unwrap_or(("", s));
        let rest = rest.trim();
        if rest.is_empty() || rest.chars().any(char::is_control) {
            return Err(format!("witness `{s}`: give a path after the scheme, e.g. file:../witness/audit.checkpoint"));
        }
        match kind {
            "file" => Ok(Witness::File(rest.to_string())),
            "git" => Ok(Witness::Git(rest.to_string())),
            _ => Err(format!("witness `{s}`: use file:PATH, git:PATH or https://URL key=VKEY")),
        }
    }
}

/// The whole `custody.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub organisation: Organisation,
    #[serde(default, rename = "system", skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<System>,
    #[serde(default)]
    pub store: StoreConfig,
    /// Optional `[evidence]`: evidence ages for assessments.
    #[serde(default)]
    pub evidence: EvidenceConfig,
    /// Optional `[gate]`: what `custody gate` fails on.
    #[serde(default)]
    pub gate: GateConfig,
    /// Optional `[audit]`: witnesses of the audit log.
    #[serde(default)]
    pub audit: AuditConfig,
}

/// A configuration problem, located in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Largest `custody.toml` we read; anything bigger is not a hand-written configuration.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

impl Config {
    /// Parses and checks `text`, naming `file` in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let at = |offset: usize, message: String| {
            let (line, column) = line_col(text, offset);
            ConfigError { file: file.to_string(), line, column, message }
        };
        if text.len() > MAX_CONFIG_BYTES {
            return Err(at(0, format!("file is {} bytes; the limit is {MAX_CONFIG_BYTES}", text.len())));
        }
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let message = e.message().trim();
            // A bad `assets` entry: TOML locates the array; point at the entry itself.
            let offset = message
                .strip_prefix("asset `")
                .and_then(|r| r.split_once("`: "))
                .and_then(|(entry, _)| text.get(offset..)?.find(&quote(entry)).map(|o| o + offset))
                .unwrap_or(offset);
            at(offset, message.to_string())
        })?;
        // Semantic checks, located at the first occurrence of the offending key.
        let find = |needle: &str| text.find(needle).unwrap_or(0);
        if cfg.organisation.name.trim().is_empty() {
            return Err(at(find("name"), "organisation.name is empty".into()));
        }
        if cfg.organisation.roles.is_empty() {
            return Err(at(
                find("roles"),
                format!("organisation.roles is empty; give at least one of: {}", Role::valid_list()),
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for s in &cfg.systems {
            if s.name.trim().is_empty() {
                return Err(at(find("[[system]]"), "a [[system]] has an empty name".into()));
            }
            if !names.insert(s.name.as_str()) {
                let first = find(&format!("\"{}\"", s.name));
                let second = text[first + 1..].find(&format!("\"{}\"", s.name)).map(|o| o + first + 1).unwrap_or(first);
                return Err(at(second, format!("system `{}` is declared twice", s.name)));
            }
        }
        if cfg.store.path.trim().is_empty() {
            return Err(at(find("path"), "store.path is empty".into()));
        }
        for w in &cfg.audit.witnesses {
            Witness::parse(w).map_err(|e| at(find("witnesses"), e))?;
        }
        let g = &cfg.gate;
        if g.fail_on != "none" && g.fail_on().is_none() {
            return Err(at(
                find("fail_on"),
                format!("gate.fail_on `{}`: use one of info, low, medium, high, critical, none", g.fail_on),
            ));
        }
        let catalog = crate::catalog::Catalog::embedded();
        for id in g.provisions.iter().chain(g.ignore.iter()) {
            if catalog.provision(id).is_none() {
                return Err(at(
                    find(&format!("\"{id}\"")),
                    format!("gate: no provision `{id}`; ids look like 5.2.4-1.2 (`custody catalog` lists them)"),
                ));
            }
        }
        Ok(cfg)
    }

    /// Renders the configuration as commented TOML that [`Config::parse`] reads back unchanged.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        out.push_str("# custody configuration: who we are for ETSI EN 304 223, and our AI systems.\n");
        out.push_str("# Roles: developer, system-operator, data-custodian (any combination).\n");
        out.push_str("# Exposure of a system: internal, external-api, public.\n\n");
        out.push_str("[organisation]\n");
        out.push_str(&format!("name = {}\n", quote(&self.organisation.name)));
        let roles: Vec<String> = self.organisation.roles.iter().map(|r| quote(r.as_str())).collect();
        out.push_str(&format!("roles = [{}]\n", roles.join(", ")));
        for s in &self.systems {
            out.push_str("\n[[system]]\n");
            out.push_str(&format!("name = {}\n", quote(&s.name)));
            out.push_str(&format!("description = {}\n", quote(&s.description)));
            out.push_str(&format!("intended_use = {}\n", quote(&s.intended_use)));
            out.push_str(&format!("exposure = {}\n", quote(s.exposure.as_str())));
            if !s.assets.is_empty() {
                let items: Vec<String> = s.assets.iter().map(|a| quote(a.as_str())).collect();
                out.push_str(&format!("assets = [{}]\n", items.join(", ")));
            }
            if !s.services.is_empty() {
                let items: Vec<String> = s.services.iter().map(|a| quote(a)).collect();
                out.push_str(&format!("services = [{}]\n", items.join(", ")));
            }
        }
        out.push_str("\n[store]\n");
        out.push_str("# SQLite database, relative to this file.\n");
        out.push_str(&format!("path = {}\n", quote(&self.store.path)));
        if self.evidence != EvidenceConfig::default() {
            out.push_str("\n[evidence]\n");
            out.push_str(&format!("max_scan_age_days = {}\n", self.evidence.max_scan_age_days));
            out.push_str(&format!("max_age_days = {}\n", self.evidence.max_age_days));
        }
        if self.gate != GateConfig::default() {
            let list = |v: &[String]| v.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ");
            out.push_str("\n[gate]\n");
            out.push_str(&format!("fail_on = {}\n", quote(&self.gate.fail_on)));
            out.push_str(&format!("provisions = [{}]\n", list(&self.gate.provisions)));
            out.push_str(&format!("ignore = [{}]\n", list(&self.gate.ignore)));
            out.push_str(&format!("require_audit = {}\n", self.gate.require_audit));
        }
        if self.audit != AuditConfig::default() {
            let list: Vec<String> = self.audit.witnesses.iter().map(|x| quote(x)).collect();
            out.push_str("\n[audit]\n");
            out.push_str(&format!("witnesses = [{}]\n", list.join(", ")));
        }
        out
    }
}

/// A TOML basic string with every character that needs it escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[organisation]
name = "Acme Bank"
roles = ["developer", "system-operator"]

[[system]]
name = "fraud-scoring"
description = "Scores card payments"
intended_use = "Flag likely fraud for human review"
exposure = "internal"
"#;

    #[test]
    fn parses_and_round_trips() {
        let c = Config::parse(GOOD, "custody.toml").expect("valid");
        assert_eq!(c.organisation.roles, vec![Role::Developer, Role::SystemOperator]);
        assert_eq!(c.store.path, ".custody/custody.db");
        let again = Config::parse(&c.to_toml(), "x").expect("round trip");
        assert_eq!(again, c);
    }

    #[test]
    fn hostile_strings_round_trip() {
        let mut c = Config::parse(GOOD, "f").expect("valid");
        c.organisation.name = "Ac\"me\\ \n\t\u{1}\u{7f} Ünïcode ]] [x]".into();
        c.systems[0].description = "'''\"\"\" # not a comment".into();
        c.systems[0].assets = ["models/**", "models/ab\"c \\\\ #", &format!("sha256:{}", "Ab".repeat(32))]
            .map(|a| AssetRef::parse(a).expect("valid"))
            .to_vec();
        c.systems[0].services = vec!["openai".into()];
        assert_eq!(Config::parse(&c.to_toml(), "x").expect("round trip"), c);
    }

    #[test]
    fn unknown_role_names_line_and_lists_valid_roles() {
        let bad = GOOD.replace("\"system-operator\"", "\"operator\"");
        let e = Config::parse(&bad, "custody.toml").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("custody.toml", 4));
        assert!(e.message.contains("developer") && e.message.contains("data-custodian"), "{e}");
        assert!(e.to_string().starts_with("custody.toml:4:"), "{e}");
    }

    #[test]
    fn syntax_errors_and_unknown_keys_are_located() {
        let e = Config::parse("[organisation]\nname = \"x\nroles = []\n", "c.toml").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = Config::parse(&GOOD.replace("exposure = \"internal\"", "exposure = \"internal\"\ncolour = 1"), "c")
            .unwrap_err();
        assert_eq!(e.line, 11, "{e}");
        assert!(e.message.contains("colour"), "{e}");
        let e = Config::parse(&GOOD.replace("internal", "intranet"), "c").unwrap_err();
        assert!(e.message.contains("external-api"), "{e}");
    }

    #[test]
    fn semantic_errors() {
        let e = Config::parse("[organisation]\nname = \"x\"\nroles = []\n", "c").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("system-operator"));
        let dup = format!("{GOOD}\n[[system]]\nname = \"fraud-scoring\"\nexposure = \"public\"\n");
        let e = Config::parse(&dup, "c").unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
        assert_eq!(e.line, 13, "{e}");
        let e = Config::parse("[organisation]\nname = \" \"\nroles = [\"developer\"]\n", "c").unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
    }

    #[test]
    fn optional_evidence_and_gate_tables() {
        let c = Config::parse(GOOD, "c").expect("valid");
        assert_eq!(c.evidence, EvidenceConfig::default());
        assert_eq!(c.gate.fail_on(), Some(crate::finding::Severity::High));
        assert!(!c.to_toml().contains("[gate]"), "defaults are not written");
        let text = format!(
            "{GOOD}\n[evidence]\nmax_scan_age_days = 1\n\n[gate]\nfail_on = \"none\"\nignore = [\"5.2.2-5\"]\nrequire_audit = false\n"
        );
        let c = Config::parse(&text, "c").expect("valid");
        assert_eq!((c.evidence.max_scan_age_days, c.evidence.max_age_days), (1, 365));
        assert_eq!(c.gate.fail_on(), None);
        assert_eq!(c.gate.ignore, vec!["5.2.2-5"]);
        assert!(!c.gate.require_audit);
        assert_eq!(Config::parse(&c.to_toml(), "x").expect("round trip"), c);
        let e = Config::parse(&text.replace("\"none\"", "\"severe\""), "c").unwrap_err();
        assert!(e.message.contains("critical, none"), "{e}");
        assert_eq!(e.line, 16, "{e}");
        let e = Config::parse(&text.replace("5.2.2-5", "5.9.9-9"), "c").unwrap_err();
        assert!(e.message.contains("no provision `5.9.9-9`"), "{e}");
        let e = Config::parse(&format!("{GOOD}\n[gate]\ncolour = 1\n"), "c").unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
    }

    #[test]
    fn invalid_asset_globs_are_located() {
        let text = format!("{GOOD}assets = [\"models/**\",\n  \"data/[.jsonl\"]\n");
        let e = Config::parse(&text, "custody.toml").unwrap_err();
        assert_eq!((e.line, e.column), (12, 3), "{e}");
        assert!(e.message.contains("data/[.jsonl"), "{e}");
        let e = Config::parse(&format!("{GOOD}assets = [\"sha256:abc\"]\n"), "c").unwrap_err();
        assert!(e.message.contains("64 hexadecimal digits") && e.line == 11, "{e}");
    }

    #[test]
    fn garbage_never_panics() {
        for s in ["", "\u{0}", "[[[", "organisation = 5", "[organisation]\nname=1", "\u{feff}x=\"\\u{d800}\""] {
            assert!(Config::parse(s, "c").is_err(), "{s:?}");
        }
        let big = "#".repeat(MAX_CONFIG_BYTES + 1);
        assert!(Config::parse(&big, "c").unwrap_err().message.contains("limit"));
    }
}

/// Adds asset patterns and services to a system in the text of a custody.toml, keeping its
/// comments and layout. Returns the new text and how many entries were added (0 when everything
/// was already registered). The result is checked with [`Config::parse`].
pub fn register(
    text: &str,
    file: &str,
    system: &str,
    assets: &[String],
    services: &[String],
) -> Result<(String, usize), ConfigError> {
    let cfg = Config::parse(text, file)?;
    let err = |message: String| ConfigError { file: file.to_string(), line: 1, column: 1, message };
    if !cfg.systems.iter().any(|s| s.name == system) {
        let known: Vec<&str> = cfg.systems.iter().map(|s| s.name.as_str()).collect();
        return Err(err(format!(
            "no system `{system}`; declared systems: {} (declare one with `custody system add NAME --exposure internal|external-api|public --use TEXT`)",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )));
    }
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| err(e.to_string()))?;
    let tables = doc
        .get_mut("system")
        .and_then(|s| s.as_array_of_tables_mut())
        .ok_or_else(|| err("[[system]] tables are not in array-of-tables form; edit the file by hand".into()))?;
    let table = tables
        .iter_mut()
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(system))
        .ok_or_else(|| err(format!("system `{system}` is not a [[system]] table")))?;
    let mut added = 0;
    for (key, values) in [("assets", assets), ("services", services)] {
        if values.is_empty() {
            continue;
        }
        if table.get(key).is_none() {
            table.insert(key, toml_edit::value(toml_edit::Array::new()));
        }
        let arr = table
            .get_mut(key)
            .and_then(|v| v.as_array_mut())
            .ok_or_else(|| err(format!("`{key}` of system `{system}` is not an array")))?;
        for v in values {
            if !arr.iter().any(|x| x.as_str() == Some(v.as_str())) {
                arr.push(v.as_str());
                added += 1;
            }
        }
    }
    let out = doc.to_string();
    Config::parse(&out, file)?;
    Ok((out, added))
}

/// Appends a `[[system]]` table declaring `system` to the text of a custody.toml, keeping its
/// comments and layout. Refuses a name already declared; the result is checked with
/// [`Config::parse`], so what is written is what every other command reads.
pub fn add_system(text: &str, file: &str, system: &System) -> Result<String, ConfigError> {
    let cfg = Config::parse(text, file)?;
    let err = |message: String| ConfigError { file: file.to_string(), line: 1, column: 1, message };
    if cfg.systems.iter().any(|s| s.name == system.name) {
        return Err(err(format!(
            "system `{}` is already declared; `custody register {}` adds assets and services to it",
            system.name, system.name
        )));
    }
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| err(e.to_string()))?;
    if doc.get("system").is_none() {
        doc.insert("system", toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    }
    let tables = doc
        .get_mut("system")
        .and_then(|s| s.as_array_of_tables_mut())
        .ok_or_else(|| err("`system` is not written as [[system]] tables; edit the file by hand".into()))?;
    let mut table = toml_edit::Table::new();
    table.insert("name", toml_edit::value(system.name.as_str()));
    if !system.description.is_empty() {
        table.insert("description", toml_edit::value(system.description.as_str()));
    }
    table.insert("intended_use", toml_edit::value(system.intended_use.as_str()));
    table.insert("exposure", toml_edit::value(system.exposure.as_str()));
    tables.push(table);
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let parsed = Config::parse(&out, file)?;
    // The parser read back exactly the system we meant to add, and nothing else changed.
    let mut expected = cfg.systems.clone();
    expected.push(system.clone());
    if parsed.systems != expected {
        return Err(err(format!("system `{}` could not be added as declared; edit the file by hand", system.name)));
    }
    Ok(out)
}

#[cfg(test)]
mod register_tests {
    use super::*;

    const TEXT: &str = "# keep me\n[organisation]\nname = \"A\"\nroles = [\"developer\"]\n\n[[system]]\nname = \"s\"\nexposure = \"internal\" # inline\n";

    #[test]
    fn adds_once_and_keeps_comments() {
        let (t, n) = register(TEXT, "c", "s", &["models/**".into()], &["openai".into()]).expect("register");
        assert_eq!(n, 2);
        assert!(t.contains("# keep me") && t.contains("# inline"), "{t}");
        let c = Config::parse(&t, "c").expect("valid");
        assert_eq!(c.systems[0].assets.iter().map(AssetRef::as_str).collect::<Vec<_>>(), ["models/**"]);
        assert_eq!(c.systems[0].services, vec!["openai"]);
        let (t2, n2) = register(&t, "c", "s", &["models/**".into()], &[]).expect("again");
        assert_eq!((t2, n2), (t, 0));
    }

    fn sys(name: &str) -> System {
        System {
            name: name.into(),
            description: "d \"q\"".into(),
            intended_use: "answer questions".into(),
            exposure: Exposure::Public,
            ..System::default()
        }
    }

    #[test]
    fn add_system_appends_keeps_comments_and_refuses_duplicates() {
        let t = add_system(TEXT, "c", &sys("chat")).expect("add");
        assert!(t.starts_with(TEXT.trim_end()) && t.contains("# keep me") && t.contains("# inline"), "{t}");
        let c = Config::parse(&t, "c").expect("valid");
        assert_eq!(c.systems.len(), 2);
        assert_eq!(c.systems[1], sys("chat"));
        let e = add_system(&t, "c", &sys("chat")).unwrap_err();
        assert!(e.message.contains("already declared"), "{e}");
        let e = add_system(&t, "c", &sys("s")).unwrap_err();
        assert!(e.message.contains("already declared"), "{e}");
        // The new system can be registered to at once.
        let (_, n) = register(&t, "c", "chat", &["models/**".into()], &[]).expect("register");
        assert_eq!(n, 1);
    }

    #[test]
    fn add_system_to_a_file_without_systems_and_with_tables_after() {
        let text = "[organisation]\nname = \"A\"\nroles = [\"developer\"]\n\n[gate]\nfail_on = \"none\" # mine\n";
        let t = add_system(text, "c", &sys("first")).expect("add");
        let c = Config::parse(&t, "c").expect("valid");
        assert_eq!((c.systems, c.gate.fail_on.as_str()), (vec![sys("first")], "none"));
        assert!(t.contains("# mine"), "{t}");
        let e = add_system(text, "c", &sys(" ")).unwrap_err();
        assert!(e.message.contains("empty name"), "{e}");
        let inline =
            "system = [{name = \"x\", exposure = \"public\"}]\n[organisation]\nname = \"A\"\nroles = [\"developer\"]\n";
        assert!(Config::parse(inline, "c").is_ok());
        let e = add_system(inline, "c", &sys("y")).unwrap_err();
        assert!(e.message.contains("by hand"), "{e}");
    }

    #[test]
    fn unknown_system_lists_the_declared_ones() {
        let e = register(TEXT, "c", "nope", &["x".into()], &[]).unwrap_err();
        assert!(e.message.contains("declared systems: s"), "{e}");
    }
}

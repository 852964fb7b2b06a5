//! Findings are data: a stable rule code, a severity, where, what was seen, what to do.
//! Every rule code is listed in [`RULES`] with its documentation; tests check codes are unique
//! and that every code used anywhere is listed.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Result<Severity, String> {
        Severity::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown severity `{s}`; valid: info, low, medium, high, critical"))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is: a path relative to the scan root, optionally a member inside an archive,
/// a byte offset, or a line and column (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    pub fn file(path: impl Into<String>) -> Location {
        Location { path: path.into(), ..Location::default() }
    }
    pub fn at_line(path: impl Into<String>, line: u32, column: u32) -> Location {
        Location { path: path.into(), line: Some(line), column: Some(column), ..Location::default() }
    }
    pub fn at_offset(path: impl Into<String>, offset: u64) -> Location {
        Location { path: path.into(), offset: Some(offset), ..Location::default() }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(m) = &self.member {
            write!(f, "!{m}")?;
        }
        match (self.line, self.column, self.offset) {
            (Some(l), Some(c), _) => write!(f, ":{l}:{c}"),
            (Some(l), None, _) => write!(f, ":{l}"),
            (_, _, Some(o)) => write!(f, "@{o}"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code such as `CUS-WALK-002`; see [`RULES`].
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// What was seen (never a secret: credentials are masked before they get here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Finding {
    /// A finding for `code` with the rule's default severity.
    pub fn new(code: &str, message: impl Into<String>, location: Location) -> Finding {
        let severity = rule(code).map_or(Severity::Medium, |r| r.severity);
        Finding { code: code.to_string(), severity, message: message.into(), location, evidence: None }
    }
    pub fn with_evidence(mut self, e: impl Into<String>) -> Finding {
        self.evidence = Some(e.into());
        self
    }
    pub fn with_severity(mut self, s: Severity) -> Finding {
        self.severity = s;
        self
    }
    pub fn remediation(&self) -> &'static str {
        rule(&self.code).map_or("", |r| r.remediation)
    }
}

/// A rule: its code, default severity, one-line title, why it matters and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub why: &'static str,
    pub remediation: &'static str,
}

pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

macro_rules! rules {
    ($( $code:literal, $sev:ident, $title:literal, $why:literal, $fix:literal; )*) => {
        /// Every rule custody knows, in code order.
        pub const RULES: &[Rule] = &[ $( Rule { code: $code, severity: Severity::$sev, title: $title, why: $why, remediation: $fix }, )* ];
    };
}

rules! {
    "CUS-WALK-001", Medium, "File could not be read",
        "An asset custody cannot read cannot be inventoried or checked, so the inventory is incomplete (5.2.1-1).",
        "Give the scanning user read access, or exclude the path deliberately with --exclude.";
    "CUS-WALK-002", Low, "Broken symbolic link",
        "A link whose target is gone often points at a model or dataset that moved; code that loads it will fail or load something else.",
        "Remove the link or restore its target.";
    "CUS-WALK-003", Medium, "Symbolic link leaves the scanned tree",
        "custody never follows links out of the root, so whatever the link points at is not inventoried.",
        "Scan the target directly, or replace the link with the content.";
    "CUS-WALK-004", Low, "Symbolic link loop",
        "A loop makes tools that follow links run forever or fail.",
        "Remove one of the links that form the loop.";
    "CUS-WALK-005", Low, "File vanished or changed during the scan",
        "The inventory entry for this path reflects neither the old nor the new state.",
        "Scan again when the tree is not being written to.";
    "CUS-WALK-006", Low, "File name is not valid UTF-8",
        "Names that are not UTF-8 display differently across tools and can hide files from review.",
        "Rename the file to a UTF-8 name.";
    "CUS-CLS-001", Medium, "File extension does not match its content",
        "A model saved under another format's extension gets loaded by the wrong loader or slips past extension-based checks (for example a pickle named .safetensors).",
        "Rename the file to match its real format, and find out why it was mislabelled.";
    "CUS-FMT-001", Medium, "Malformed or truncated model or data file",
        "A header that does not parse cannot be inventoried, hashed meaningfully per tensor, or trusted; loaders may behave unpredictably on it.",
        "Re-download the file from its source and compare its hash with the published one.";
    "CUS-FMT-002", Medium, "File exceeds a parser limit",
        "custody enforces limits on header sizes, counts and depth so hostile files cannot exhaust memory; what lies beyond the limit was not inspected.",
        "Inspect the file with a dedicated tool; if it is legitimate, report the limit as too low.";
    "CUS-FMT-003", Medium, "Archive or compressed file custody cannot inspect",
        "A model packed in a format custody cannot open (7z, gzip) might hold anything; it is never reported as clean.",
        "Unpack it and scan the content, or get the model in an inspectable format.";
    "CUS-SEC-001", High, "Hard-coded AI service credential",
        "An API key in source code is exposed to everyone with read access to the code and its history.",
        "Revoke the key, load it from a secret store or environment variable, and purge it from history.";
    "CUS-HUB-001", Medium, "Model or dataset downloaded from a hub without a pinned revision",
        "Without a commit hash the content can change under you at any time, including into a malicious version (5.2.3-1).",
        "Pass revision=<commit sha> to from_pretrained / hf_hub_download / load_dataset.";
    "CUS-INV-001", High, "Shadow AI: AI asset or service in use but not registered",
        "Provision 5.2.1-1 asks for a complete inventory; an asset no system declares is one nobody is accountable for.",
        "Register it with a system in custody.toml (or `custody register`), or remove it.";
    "CUS-INV-002", Medium, "Registered AI asset not found",
        "A system declares an asset the scan did not find: the inventory and reality disagree.",
        "Correct the registration, or find out where the asset went.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "duplicate {}", r.code);
            let parts: Vec<&str> = r.code.split('-').collect();
            assert!(parts.len() == 3 && parts[0] == "CUS" && parts[2].len() == 3, "{}", r.code);
            assert!(!r.title.is_empty() && !r.why.is_empty() && !r.remediation.is_empty());
        }
    }

    #[test]
    fn location_display() {
        assert_eq!(Location::at_line("a.py", 3, 7).to_string(), "a.py:3:7");
        assert_eq!(Location::at_offset("m.bin", 9).to_string(), "m.bin@9");
        let mut l = Location::file("x.zip");
        l.member = Some("data.pkl".into());
        assert_eq!(l.to_string(), "x.zip!data.pkl");
    }
}

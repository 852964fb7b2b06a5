//! Findings are data: a stable rule code, a severity, where, what was seen, what to do.
//!
//! A finding is made from a typed code ([`RuleCode`]): each crate that emits findings declares its
//! codes with [`rules!`](crate::rules), which makes an enum and, from the same lines, each code's
//! [`Rule`] (code, default severity, title, why it matters, what to do). A finding with a code
//! nobody documented cannot be made. Which crates emit which codes, and the list of every code
//! (`custody rules`, docs/rules.md), is `custody_scan::RULES`, a [`Registry`] of those tables.
//!
//! At a text boundary (the store's rows, the scan cache's JSON) a code is text again: a
//! [`Registry`] maps it back to its rule, and a code this build does not know stays visible as
//! [`Code::Text`] with the severity it was recorded with.

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

/// A rule: its code, default severity, one-line title, why it matters and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub why: &'static str,
    pub remediation: &'static str,
}

/// A typed rule code: a variant of an enum made by [`rules!`](crate::rules), whose rule is
/// documented where the variant is declared.
pub trait RuleCode: Copy + 'static {
    fn rule(self) -> &'static Rule;
    fn as_str(self) -> &'static str {
        self.rule().code
    }
}

/// A registered rule is its own code: a `&'static Rule` exists only in a crate's rule table (or
/// a [`Registry`] of them), so a finding made from one is as documented as one made from a
/// typed variant (`Finding::new(RULES.get("CUS-FMT-003")?, …)` where the emitting crate is not a
/// dependency).
impl RuleCode for &'static Rule {
    fn rule(self) -> &'static Rule {
        self
    }
}

/// The code of a finding. Compared, hashed, displayed and serialised as its text (`CUS-PKL-001`).
#[derive(Debug, Clone)]
pub enum Code {
    /// A rule of this build.
    Known(&'static Rule),
    /// A code read back from text (a store, a cache) that is no rule of the [`Registry`] it was
    /// looked up in, or was not looked up yet (`Deserialize` cannot know the registry: callers
    /// that deserialise findings resolve them with [`Registry::resolve`]).
    Text(Box<str>),
}

impl Code {
    pub fn as_str(&self) -> &str {
        match self {
            Code::Known(r) => r.code,
            Code::Text(t) => t,
        }
    }
    /// The rule, when the code is one of this build.
    pub fn rule(&self) -> Option<&'static Rule> {
        match self {
            Code::Known(r) => Some(r),
            Code::Text(_) => None,
        }
    }
    /// Whether this is the code `c`.
    pub fn is(&self, c: impl RuleCode) -> bool {
        self.as_str() == c.as_str()
    }
}

impl<C: RuleCode> From<C> for Code {
    fn from(c: C) -> Code {
        Code::Known(c.rule())
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Code {}
impl<C: RuleCode> PartialEq<C> for Code {
    fn eq(&self, other: &C) -> bool {
        self.as_str() == other.as_str()
    }
}
impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}
impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        String::deserialize(d).map(|s| Code::Text(s.into()))
    }
}

/// Every rule of a build: the tables of the crates that emit findings, in documentation order.
#[derive(Debug, Clone, Copy)]
pub struct Registry(pub &'static [&'static [Rule]]);

impl Registry {
    pub fn rules(self) -> impl Iterator<Item = &'static Rule> {
        self.0.iter().flat_map(|t| t.iter())
    }
    pub fn get(self, code: &str) -> Option<&'static Rule> {
        self.rules().find(|r| r.code == code)
    }
    /// The code for `text`: the rule when there is one, else the text itself.
    pub fn code(self, text: &str) -> Code {
        self.get(text).map_or_else(|| Code::Text(text.into()), Code::Known)
    }
    /// `code` matched to its rule when it is text of a known one.
    pub fn resolve(self, code: Code) -> Code {
        match code {
            Code::Text(t) => self.code(&t),
            known => known,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code such as `CUS-WALK-002`.
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// What was seen (never a secret: credentials are masked before they get here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Finding {
    /// A finding for `code` with the rule's default severity.
    pub fn new(code: impl RuleCode, message: impl Into<String>, location: Location) -> Finding {
        let rule = code.rule();
        Finding { code: Code::Known(rule), severity: rule.severity, message: message.into(), location, evidence: None }
    }
    pub fn with_evidence(mut self, e: impl Into<String>) -> Finding {
        self.evidence = Some(e.into());
        self
    }
    pub fn with_severity(mut self, s: Severity) -> Finding {
        self.severity = s;
        self
    }
    /// What to do; empty for a code this build does not know.
    pub fn remediation(&self) -> &'static str {
        self.code.rule().map_or("", |r| r.remediation)
    }
}

/// Declares a crate's rule codes: an enum whose variants are the codes, and each code's [`Rule`]
/// from the same line. `ALL` lists the variants and `RULES` their rules, in declaration order.
///
/// ```
/// custody_core::rules! {
///     /// Codes of an example.
///     pub enum ExampleCode {
///         Broken = "CUS-EXA-001", Low, "Something is broken",
///             "Why it matters.",
///             "What to do.";
///     }
/// }
/// use custody_core::{Finding, Location, RuleCode, Severity};
/// let f = Finding::new(ExampleCode::Broken, "broken", Location::file("x"));
/// assert_eq!((f.code.as_str(), f.severity), ("CUS-EXA-001", Severity::Low));
/// assert_eq!(ExampleCode::Broken.rule().title, "Something is broken");
/// ```
#[macro_export]
macro_rules! rules {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $variant:ident = $code:literal, $sev:ident, $title:literal, $why:literal, $fix:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $( #[doc = $title] $variant, )* }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            /// The rule of every code, in declaration order.
            pub const RULES: &'static [$crate::Rule] = &[ $(
                $crate::Rule {
                    code: $code,
                    severity: $crate::Severity::$sev,
                    title: $title,
                    why: $why,
                    remediation: $fix,
                },
            )* ];
        }

        impl $crate::RuleCode for $name {
            fn rule(self) -> &'static $crate::Rule {
                // Variants and rules are made from the same lines, in the same order.
                &Self::RULES[self as usize]
            }
        }

        impl $name {
            /// The code's text (`CUS-…`).
            pub fn as_str(self) -> &'static str {
                $crate::RuleCode::as_str(self)
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::RuleCode::as_str(*self))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::RuleCode::as_str(*self))
            }
        }
    };
}

/// Checks a crate's table: codes unique, `CUS-FAMILY-NNN`, every text filled in. Each crate that
/// declares codes calls it from a test; the registry test checks uniqueness across crates.
pub fn check_rules(rules: &[Rule]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for r in rules {
        if !seen.insert(r.code) {
            return Err(format!("duplicate {}", r.code));
        }
        let parts: Vec<&str> = r.code.split('-').collect();
        let digits = parts.get(2).is_some_and(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()));
        if !(parts.len() == 3 && parts[0] == "CUS" && digits) {
            return Err(format!("malformed code {}", r.code));
        }
        if r.title.is_empty() || r.why.is_empty() || r.remediation.is_empty() {
            return Err(format!("{} is not documented", r.code));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rules! {
        /// Codes of a test.
        enum TestCode {
            One = "CUS-TST-001", High, "One",
                "Why.",
                "Fix.";
            Two = "CUS-TST-002", Low, "Two",
                "Why two.",
                "Fix two.";
        }
    }

    #[test]
    fn a_finding_takes_its_severity_and_docs_from_its_typed_code() {
        let f = Finding::new(TestCode::Two, "m", Location::file("x"));
        assert_eq!(f.code.as_str(), "CUS-TST-002");
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.remediation(), "Fix two.");
        assert!(f.code.is(TestCode::Two) && !f.code.is(TestCode::One));
        assert_eq!(TestCode::ALL.len(), TestCode::RULES.len());
        assert_eq!(TestCode::One.as_str(), "CUS-TST-001");
        check_rules(TestCode::RULES).unwrap();
    }

    #[test]
    fn codes_cross_text_boundaries_as_text_and_resolve_through_a_registry() {
        let reg = Registry(&[TestCode::RULES]);
        let f = Finding::new(TestCode::One, "m", Location::file("x"));
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains(r#""code":"CUS-TST-001""#), "{json}");
        let back: Finding = serde_json::from_str(&json).unwrap();
        // Equal as text before it is resolved, and typed after.
        assert_eq!(back, f);
        assert!(back.code.rule().is_none());
        assert_eq!(reg.resolve(back.code).rule(), Some(TestCode::One.rule()));
        // A code no rule of the registry has stays visible as text, with no documentation.
        let unknown = reg.code("CUS-NEW-001");
        assert_eq!((unknown.as_str(), unknown.rule()), ("CUS-NEW-001", None));
        assert!(check_rules(&[TestCode::RULES, TestCode::RULES].concat()).is_err());
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

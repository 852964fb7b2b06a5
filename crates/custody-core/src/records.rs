//! Accountability records (issue: tamper-evident records): data provenance, custodian approvals,
//! evidence attachments and training. Pure validation: every constructor checks its input and
//! says exactly what is wrong; the store persists only validated records, each with an audit entry.

use crate::catalog::Catalog;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How sensitive a dataset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitivity {
    Public,
    Internal,
    Confidential,
    Personal,
    SpecialCategory,
}

impl Sensitivity {
    pub const ALL: [Sensitivity; 5] = [
        Sensitivity::Public,
        Sensitivity::Internal,
        Sensitivity::Confidential,
        Sensitivity::Personal,
        Sensitivity::SpecialCategory,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Public => "public",
            Sensitivity::Internal => "internal",
            Sensitivity::Confidential => "confidential",
            Sensitivity::Personal => "personal",
            Sensitivity::SpecialCategory => "special-category",
        }
    }
    pub fn parse(s: &str) -> Result<Sensitivity, String> {
        Sensitivity::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            format!("unknown sensitivity `{s}`; valid: public, internal, confidential, personal, special-category")
        })
    }
    /// Personal or special-category data: its use needs an approval that addresses it.
    pub fn is_personal(self) -> bool {
        matches!(self, Sensitivity::Personal | Sensitivity::SpecialCategory)
    }
}

impl fmt::Display for Sensitivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a dataset (or part of it) came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub url: String,
    /// RFC 3339.
    pub acquired_at: String,
    /// scraped, downloaded, api, purchased, generated, internal, …
    pub method: String,
}

/// A file of a dataset with its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    pub path: String,
    pub sha256: String,
}

/// A dataset's provenance record (5.2.4-2, 5.2.4-2.1, 5.2.1-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub name: String,
    pub sources: Vec<Source>,
    /// SPDX licence expression.
    pub licence: Option<String>,
    pub sensitivity: Sensitivity,
    pub owner: Option<String>,
    pub files: Vec<DataFile>,
    #[serde(default)]
    pub description: String,
}

impl Dataset {
    /// What provenance is missing, in words (empty when complete).
    pub fn gaps(&self) -> Vec<String> {
        let mut g = Vec::new();
        if self.sources.is_empty() {
            g.push("no source URL recorded (5.2.4-2.1)".to_string());
        }
        if self.licence.is_none() {
            g.push("no licence recorded".to_string());
        }
        if self.owner.is_none() {
            g.push("no owner recorded".to_string());
        }
        if self.files.is_empty() {
            g.push("no files with digests recorded (5.2.1-2)".to_string());
        }
        g
    }

    /// Checks every field; the error names the field and the problem.
    pub fn validate(&self) -> Result<(), String> {
        check_name("dataset name", &self.name)?;
        for s in &self.sources {
            check_url(&s.url)?;
            check_time("acquisition time", &s.acquired_at)?;
            if s.method.trim().is_empty() {
                return Err(format!("source {}: say how it was obtained (scraped, downloaded, api, …)", s.url));
            }
        }
        if let Some(l) = &self.licence {
            check_licence(l)?;
        }
        for f in &self.files {
            check_sha256(&f.sha256).map_err(|e| format!("file {}: {e}", f.path))?;
        }
        Ok(())
    }
}

/// A Data Custodian's approval of a dataset for a system's intended use (5.1.2-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub dataset: String,
    pub system: String,
    /// What the approval allows, in the custodian's words.
    pub scope: String,
    /// True when the approval explicitly addresses personal or special-category data.
    pub addresses_sensitive_data: bool,
    /// Digests of the dataset's files at approval: a later change voids it.
    pub file_digests: Vec<DataFile>,
}

/// Something only people can produce (a policy, a contract, a plan), attached to a provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub provision: String,
    pub file: Option<DataFile>,
    pub url: Option<String>,
    pub note: String,
}

impl Evidence {
    pub fn validate(&self, catalog: &Catalog) -> Result<(), String> {
        if catalog.provision(&self.provision).is_none() {
            return Err(format!(
                "no provision `{}`; ids look like 5.2.4-1.2 (`custody catalog` lists them)",
                self.provision
            ));
        }
        if self.file.is_none() && self.url.is_none() {
            return Err("evidence needs --file or --url".into());
        }
        if let Some(u) = &self.url {
            check_url(u)?;
        }
        if let Some(f) = &self.file {
            check_sha256(&f.sha256)?;
        }
        Ok(())
    }
}

/// Someone's completed AI security training (5.1.1-*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub person: String,
    /// The staff role the training was fitted to (5.1.1-1.1), free text such as "ML engineer".
    pub staff_role: String,
    pub module: String,
    /// YYYY-MM-DD.
    pub completed: String,
    /// YYYY-MM-DD; overdue after this date.
    pub expires: Option<String>,
}

impl Training {
    pub fn validate(&self) -> Result<(), String> {
        check_name("person", &self.person)?;
        check_name("module", &self.module)?;
        check_date("completed", &self.completed)?;
        if let Some(e) = &self.expires {
            check_date("expires", e)?;
            if e.as_str() < self.completed.as_str() {
                return Err(format!("expires {e} is before completed {}", self.completed));
            }
        }
        Ok(())
    }
    /// Overdue on `today` (YYYY-MM-DD).
    pub fn overdue(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }
}

/// Which roles may make which record (issue: "who acts").
pub fn may_record(kind: &str, role: Option<Role>) -> Result<(), String> {
    let need: &[Role] = match kind {
        "approval" | "approval-revoked" => &[Role::DataCustodian],
        "dataset" => &[Role::DataCustodian, Role::Developer],
        _ => return Ok(()),
    };
    match role {
        Some(r) if need.contains(&r) => Ok(()),
        Some(r) => Err(format!(
            "acting as {}, you may not record this {kind}; it takes: {}",
            r.title(),
            need.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
        )),
        None => Err(format!(
            "say which role you act in with --as ({}); a {kind} takes: {}",
            Role::valid_list(),
            need.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
        )),
    }
}

fn check_name(what: &str, s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    if s.len() > 256 || s.chars().any(char::is_control) {
        return Err(format!("{what} must be at most 256 characters without control characters"));
    }
    Ok(())
}

/// An absolute URL with a scheme data is fetched from, and a host.
pub fn check_url(u: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`{u}` is not a usable source URL: {why}"));
    let Some((scheme, rest)) = u.split_once("://") else { return bad("it has no scheme (https://…)") };
    if !matches!(scheme, "http" | "https" | "s3" | "gs" | "az" | "hf" | "ftp" | "sftp" | "file") {
        return bad("the scheme is not one of http, https, s3, gs, az, hf, ftp, sftp, file");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((_userinfo, host)) = authority.rsplit_once('@') {
        // The log is append-only: a password recorded there can never be removed. Do not echo it.
        return Err(format!(
            "`{scheme}://***@{host}…` is not a usable source URL: it carries credentials (user:password@); \
             record the URL without them and keep the credentials in a secret store"
        ));
    }
    let host = authority;
    if host.is_empty() && scheme != "file" {
        return bad("it has no host");
    }
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) || u.len() > 2048 {
        return bad("it contains whitespace or control characters, or is longer than 2048");
    }
    Ok(())
}

/// RFC 3339 date-time with an offset, e.g. 2026-10-01T09:00:00Z, calendar-valid
/// ([`crate::time::parse_time`]).
pub fn check_time(what: &str, t: &str) -> Result<(), String> {
    crate::time::parse_time(what, t).map(|_| ())
}

/// A calendar date, e.g. 2026-10-01 ([`crate::time::parse_date`]).
pub fn check_date(what: &str, d: &str) -> Result<(), String> {
    crate::time::parse_date(what, d).map(|_| ())
}

pub fn check_sha256(h: &str) -> Result<(), String> {
    if h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!("`{h}` is not a lowercase hex SHA-256"))
    }
}

/// An SPDX licence expression: identifiers (letters, digits, `.`, `-`, `+`, `LicenseRef-…`)
/// joined by AND / OR / WITH, with parentheses balanced.
pub fn check_licence(l: &str) -> Result<(), String> {
    let mut depth = 0i32;
    let mut expect_id = true;
    for tok in l.replace('(', " ( ").replace(')', " ) ").split_whitespace() {
        match tok {
            "(" if expect_id => depth += 1,
            ")" if !expect_id => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("licence `{l}`: unbalanced parentheses"));
                }
            }
            "AND" | "OR" | "WITH" if !expect_id => expect_id = true,
            id if expect_id
                && !id.is_empty()
                && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':')) =>
            {
                expect_id = false
            }
            _ => return Err(format!("licence `{l}` is not an SPDX expression (e.g. Apache-2.0, CC-BY-4.0 OR MIT)")),
        }
    }
    if expect_id || depth != 0 {
        return Err(format!("licence `{l}` is not a complete SPDX expression"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds() -> Dataset {
        Dataset {
            name: "transactions".into(),
            sources: vec![Source {
                url: "https://data.example/x".into(),
                acquired_at: "2026-10-01T09:00:00Z".into(),
                method: "api".into(),
            }],
            licence: Some("CC-BY-4.0 OR MIT".into()),
            sensitivity: Sensitivity::Personal,
            owner: Some("fraud team".into()),
            files: vec![DataFile { path: "d.jsonl".into(), sha256: "a".repeat(64) }],
            description: String::new(),
        }
    }

    #[test]
    fn complete_datasets_validate_and_have_no_gaps() {
        assert_eq!(ds().validate(), Ok(()));
        assert!(ds().gaps().is_empty());
        let mut d = ds();
        d.sources.clear();
        d.licence = None;
        assert_eq!(d.gaps().len(), 2);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut d = ds();
        d.sources[0].url = "data.example/x".into();
        assert!(d.validate().unwrap_err().contains("scheme"));
        let mut d = ds();
        d.sources[0].acquired_at = "yesterday".into();
        assert!(d.validate().unwrap_err().contains("RFC 3339"));
        let mut d = ds();
        d.sources[0].acquired_at = "2026-13-01T09:00:00Z".into();
        assert!(d.validate().unwrap_err().contains("out-of-range"));
        let mut d = ds();
        d.licence = Some("MIT AND".into());
        assert!(d.validate().is_err());
        let mut d = ds();
        d.files[0].sha256 = "xyz".into();
        assert!(d.validate().unwrap_err().contains("SHA-256"));
    }

    #[test]
    fn urls_with_credentials_are_refused_without_echoing_them() {
        for u in [
            "https://user:hunter2@data.example/x",
            "https://hunter2@data.example/x",
            "s3://AKIA:hunter2@bucket/key",
            "https://user:hunter2@data.example",
        ] {
            let e = check_url(u).unwrap_err();
            assert!(e.contains("credentials") && !e.contains("hunter2"), "{u}: {e}");
        }
        assert!(check_url("https://data.example/a@b").is_ok(), "an @ in the path is not userinfo");
        let mut d = ds();
        d.sources[0].url = "https://u:hunter2@data.example/x".into();
        assert!(d.validate().unwrap_err().contains("credentials"));
        let e = Evidence {
            provision: "5.2.2-4".into(),
            file: None,
            url: Some("https://u:hunter2@acme.example/p".into()),
            note: String::new(),
        };
        assert!(e.validate(Catalog::embedded()).unwrap_err().contains("credentials"));
    }

    #[test]
    fn licences_and_times() {
        for ok in [
            "MIT",
            "Apache-2.0",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "LicenseRef-acme-internal",
        ] {
            assert_eq!(check_licence(ok), Ok(()), "{ok}");
        }
        for bad in ["", "MIT OR", "(MIT", "MIT)", "MIT; rm -rf", "AND MIT"] {
            assert!(check_licence(bad).is_err(), "{bad}");
        }
        assert!(check_time("t", "2026-10-01T09:00:00+02:00").is_ok());
        assert!(check_time("t", "2026-10-01 09:00").is_err());
        for junk in ["", "Z", "2026", "\u{e9}\u{e9}\u{e9}\u{e9}-10-01T09:00:00Z", "2026-10-01T09:00:00"] {
            assert!(check_time("t", junk).is_err(), "{junk}");
        }
        assert!(check_date("d", "2026-02-30").is_err(), "calendar-invalid dates are refused");
        assert!(check_time("t", "2025-02-30T00:00:00Z").is_err());
        assert!(check_time("t", "2026-10-01T09:00:00+24:00").is_err());
        assert!(check_date("d", "2026-1-1").is_err());
    }

    #[test]
    fn roles_that_may_record() {
        assert!(may_record("approval", Some(Role::DataCustodian)).is_ok());
        let e = may_record("approval", Some(Role::Developer)).unwrap_err();
        assert!(e.contains("Developer, you may not") && e.contains("data-custodian"), "{e}");
        assert!(may_record("approval", None).unwrap_err().contains("--as"));
        assert!(may_record("evidence", None).is_ok());
    }

    #[test]
    fn evidence_needs_a_real_provision_and_something_to_show() {
        let c = Catalog::embedded();
        let e = Evidence {
            provision: "5.2.2-4".into(),
            file: None,
            url: Some("https://acme.example/security.txt".into()),
            note: String::new(),
        };
        assert!(e.validate(c).is_ok());
        assert!(Evidence { provision: "9.9.9-9".into(), ..e.clone() }.validate(c).is_err());
        assert!(Evidence { url: None, ..e }.validate(c).is_err());
    }

    #[test]
    fn training_expiry() {
        let t = Training {
            person: "Ana".into(),
            staff_role: "ML engineer".into(),
            module: "AI threats 101".into(),
            completed: "2026-01-10".into(),
            expires: Some("2027-01-10".into()),
        };
        assert!(t.validate().is_ok());
        assert!(!t.overdue("2026-11-30"));
        assert!(t.overdue("2027-02-01"));
        assert!(Training { expires: Some("2025-01-01".into()), ..t }.validate().is_err());
    }
}

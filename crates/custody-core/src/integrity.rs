//! What custody's integrity commands do and how it went: the kinds of integrity events
//! (`custody sign`, `verify`, `snapshot`, `restore`, `diff`) and their outcome, typed from the
//! command through the store to the assessment.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which integrity command an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntegrityKind {
    #[default]
    Sign,
    Verify,
    Snapshot,
    Restore,
    Diff,
}

impl IntegrityKind {
    pub const ALL: [IntegrityKind; 5] = [
        IntegrityKind::Sign,
        IntegrityKind::Verify,
        IntegrityKind::Snapshot,
        IntegrityKind::Restore,
        IntegrityKind::Diff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntegrityKind::Sign => "sign",
            IntegrityKind::Verify => "verify",
            IntegrityKind::Snapshot => "snapshot",
            IntegrityKind::Restore => "restore",
            IntegrityKind::Diff => "diff",
        }
    }

    pub fn parse(s: &str) -> Result<IntegrityKind, String> {
        IntegrityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not an integrity event (sign, verify, snapshot, restore, diff)"))
    }
}

impl fmt::Display for IntegrityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an integrity command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    #[default]
    Ok,
    Failed,
}

impl Outcome {
    pub fn of(ok: bool) -> Outcome {
        if ok { Outcome::Ok } else { Outcome::Failed }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Result<Outcome, String> {
        match s {
            "ok" => Ok(Outcome::Ok),
            "failed" => Ok(Outcome::Failed),
            _ => Err(format!("`{s}` is not an outcome (ok, failed)")),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in IntegrityKind::ALL {
            assert_eq!(IntegrityKind::parse(k.as_str()), Ok(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::json!(k.as_str())));
        }
        assert!(IntegrityKind::parse("delete").is_err());
        for o in [Outcome::Ok, Outcome::Failed] {
            assert_eq!(Outcome::parse(o.as_str()), Ok(o));
            assert_eq!(serde_json::to_value(o).ok(), Some(serde_json::json!(o.as_str())));
        }
    }
}

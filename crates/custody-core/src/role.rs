//! Roles (who an organisation is, for the standard) and parties (whom a provision names).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role an organisation can hold. One organisation often holds several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Builds or adapts (for example fine-tunes) an AI model or system.
    Developer,
    /// Embeds or deploys an AI model or system in its own infrastructure, or runs it.
    SystemOperator,
    /// Decides who may access the data an AI system relies on and answers for its integrity.
    DataCustodian,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Developer, Role::SystemOperator, Role::DataCustodian];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Developer => "developer",
            Role::SystemOperator => "system-operator",
            Role::DataCustodian => "data-custodian",
        }
    }

    /// Human title as the standard spells it.
    pub fn title(self) -> &'static str {
        match self {
            Role::Developer => "Developer",
            Role::SystemOperator => "System Operator",
            Role::DataCustodian => "Data Custodian",
        }
    }

    /// Parses the kebab-case name; the error lists the valid names.
    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`; valid roles: {}", Role::valid_list()))
    }

    pub fn valid_list() -> String {
        Role::ALL.map(Role::as_str).join(", ")
    }

    pub fn party(self) -> Party {
        match self {
            Role::Developer => Party::Developer,
            Role::SystemOperator => Party::SystemOperator,
            Role::DataCustodian => Party::DataCustodian,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Anyone a provision names: the three roles, the people told things, and the organisation as a
/// whole (training and culture provisions bind everyone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    Developer,
    SystemOperator,
    DataCustodian,
    EndUser,
    AffectedEntity,
    Organisation,
}

impl Party {
    pub const ALL: [Party; 6] = [
        Party::Developer,
        Party::SystemOperator,
        Party::DataCustodian,
        Party::EndUser,
        Party::AffectedEntity,
        Party::Organisation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Developer => "developer",
            Party::SystemOperator => "system-operator",
            Party::DataCustodian => "data-custodian",
            Party::EndUser => "end-user",
            Party::AffectedEntity => "affected-entity",
            Party::Organisation => "organisation",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Party::Developer => "Developer",
            Party::SystemOperator => "System Operator",
            Party::DataCustodian => "Data Custodian",
            Party::EndUser => "End-user",
            Party::AffectedEntity => "Affected Entity",
            Party::Organisation => "Organisation",
        }
    }

    /// The organisational role this party is, if it is one.
    pub fn role(self) -> Option<Role> {
        match self {
            Party::Developer => Some(Role::Developer),
            Party::SystemOperator => Some(Role::SystemOperator),
            Party::DataCustodian => Some(Role::DataCustodian),
            _ => None,
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_parse_round_trips_and_lists_valid_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
            assert_eq!(r.party().role(), Some(r));
        }
        let err = Role::parse("operator").unwrap_err();
        assert!(err.contains("developer, system-operator, data-custodian"), "{err}");
    }
}

//! Which provisions the roles an organisation holds oblige it to meet, and why.

use crate::catalog::{Catalog, Provision};
use crate::config::{Exposure, System};
use crate::role::{Party, Role};
use serde::Serialize;

/// Why a provision applies: the role that brings it (or `None` for organisation-wide
/// provisions, which bind every organisation), in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The held role that brings the provision; absent for organisation-wide provisions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    pub text: String,
    /// Set when the provision binds this role only under a condition the catalogue states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A provision that applies, with every reason it applies.
#[derive(Debug, Clone, Serialize)]
pub struct Applicable<'c> {
    pub provision: &'c Provision,
    pub reasons: Vec<Reason>,
    /// Facts from the declared systems that bear on this provision (for example, that no system
    /// is exposed outside the organisation for an API provision).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Applicable<'_> {
    /// The held roles that bring this provision (empty for organisation-wide ones).
    pub fn roles(&self) -> Vec<Role> {
        self.reasons.iter().filter_map(|r| r.role).collect()
    }
}

/// The union of what `roles` oblige, in catalogue order. Each provision carries one reason per
/// held role it obliges; organisation-wide provisions (training, culture) apply whatever the
/// roles, with their own reason.
pub fn applicable<'c>(catalog: &'c Catalog, roles: &[Role], systems: &[System]) -> Vec<Applicable<'c>> {
    let mut held: Vec<Role> = roles.to_vec();
    held.sort();
    held.dedup();
    let mut out = Vec::new();
    for p in &catalog.provisions {
        let mut reasons = Vec::new();
        if p.obliges(Party::Organisation) {
            let condition = p.conditions.get(&Party::Organisation).cloned();
            reasons.push(Reason {
                role: None,
                text: "organisation-wide: binds every organisation whatever roles it holds".into(),
                condition,
            });
        }
        for role in &held {
            if p.obliges(role.party()) {
                let condition = p.conditions.get(&role.party()).cloned();
                reasons.push(Reason {
                    role: Some(*role),
                    text: format!("you hold the {} role, which this provision obliges", role.title()),
                    condition,
                });
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let notes = notes_for(p, systems);
        out.push(Applicable { provision: p, reasons, notes });
    }
    out
}

/// Facts from the declared systems that qualify a provision.
fn notes_for(p: &Provision, systems: &[System]) -> Vec<String> {
    let exposed: Vec<&str> =
        systems.iter().filter(|s| s.exposure != Exposure::Internal).map(|s| s.name.as_str()).collect();
    match p.id.as_str() {
        // Controls on APIs exposed to outside parties.
        "5.2.2-2" if exposed.is_empty() => {
            vec!["no declared system is exposed outside the organisation; this binds once one is".into()]
        }
        "5.2.2-2" => vec![format!("exposed outside the organisation: {}", exposed.join(", "))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Modality;

    fn sys(name: &str, exposure: Exposure) -> System {
        System {
            name: name.into(),
            description: String::new(),
            intended_use: String::new(),
            exposure,
            ..System::default()
        }
    }

    #[test]
    fn developer_and_operator_get_the_union_tagged_by_role() {
        let c = Catalog::embedded();
        let dev = applicable(c, &[Role::Developer], &[]);
        let so = applicable(c, &[Role::SystemOperator], &[]);
        let both = applicable(c, &[Role::SystemOperator, Role::Developer], &[]);
        // 53 developer + 6 organisation-wide.
        assert_eq!(dev.len(), 59);
        assert_eq!(so.len(), 50);
        let union: std::collections::BTreeSet<&str> =
            dev.iter().chain(so.iter()).map(|a| a.provision.id.as_str()).collect();
        assert_eq!(both.len(), union.len());
        let shared = both.iter().find(|a| a.provision.id.as_str() == "5.1.2-2").map(|a| a.roles());
        assert_eq!(shared, Some(vec![Role::Developer, Role::SystemOperator]));
        let dev_only = both.iter().find(|a| a.provision.id.as_str() == "5.2.4-1.2").map(|a| a.roles());
        assert_eq!(dev_only, Some(vec![Role::Developer]));
        let org = both.iter().find(|a| a.provision.id.as_str() == "5.1.1-1").map(|a| a.reasons.clone());
        assert_eq!(org.map(|r| r[0].role), Some(None));
        // Catalogue order is kept.
        let keys: Vec<_> = both.iter().map(|a| a.provision.id.sort_key()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn custodian_alone_gets_its_six_plus_organisation_wide() {
        let c = Catalog::embedded();
        let dc = applicable(c, &[Role::DataCustodian, Role::DataCustodian], &[]);
        assert_eq!(dc.len(), 12);
        let shall = dc.iter().filter(|a| a.provision.modality == Modality::Shall).count();
        assert_eq!(shall, 10);
    }

    #[test]
    fn conditions_are_carried_into_reasons() {
        let c = Catalog::embedded();
        let all = applicable(c, &[Role::Developer], &[]);
        let p = all.iter().find(|a| a.provision.id.as_str() == "5.3.1-1");
        let cond = p.and_then(|a| a.reasons[0].condition.clone());
        assert!(cond.is_some(), "5.3.1-1 binds a developer only when external");
    }

    #[test]
    fn exposure_notes_for_api_controls() {
        let c = Catalog::embedded();
        let internal = applicable(c, &[Role::Developer], &[sys("a", Exposure::Internal)]);
        let api = internal.iter().find(|a| a.provision.id.as_str() == "5.2.2-2").map(|a| a.notes.clone());
        assert!(api.is_some_and(|n| n[0].contains("no declared system")));
        let public = applicable(c, &[Role::Developer], &[sys("chat", Exposure::Public)]);
        let api = public.iter().find(|a| a.provision.id.as_str() == "5.2.2-2").map(|a| a.notes.clone());
        assert!(api.is_some_and(|n| n[0].contains("chat")));
    }

    #[test]
    fn no_roles_means_only_organisation_wide() {
        let c = Catalog::embedded();
        assert_eq!(applicable(c, &[], &[]).len(), 6);
    }
}

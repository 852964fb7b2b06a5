//! OSCAL catalog of the ETSI EN 304 223 provisions: one group per principle, one control per
//! provision. Control ids are NCNames (`p5.2.4-1.2`); the ETSI id is the control's `label`.

use crate::stable_uuid;
use custody_core::{Catalog, Provision};
use serde_json::{Value, json};

/// The OSCAL version we emit.
pub const OSCAL_VERSION: &str = "1.2.1";
/// Namespace of custody's own OSCAL property names.
pub const NS: &str = "https://custody.invalid/ns/oscal/etsi-en-304-223";

/// The OSCAL control id of a provision: `p` + the ETSI id (an NCName: letters, digits, `.`, `-`).
pub fn control_id(p: &Provision) -> String {
    format!("p{}", p.id)
}

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": value })
}

/// The whole catalogue as an OSCAL catalog document. Byte-stable: ids, uuids and
/// `last-modified` come from the catalogue data, not from the clock.
pub fn catalog(c: &Catalog) -> Value {
    let groups: Vec<Value> = c
        .principles
        .iter()
        .map(|pr| {
            let controls: Vec<Value> =
                c.provisions.iter().filter(|p| p.id.clause() == pr.clause).map(control).collect();
            json!({
                "id": format!("principle-{}", pr.number),
                "class": "principle",
                "title": pr.title,
                "props": [
                    { "name": "label", "value": pr.clause },
                    prop("phase", pr.phase.as_str()),
                ],
                "parts": [{ "id": format!("principle-{}_ovw", pr.number), "name": "overview", "prose": pr.summary }],
                "controls": controls,
            })
        })
        .collect();
    json!({
        "catalog": {
            "uuid": stable_uuid(&format!("custody/oscal/catalog/{}", c.version)),
            "metadata": {
                "title": format!("ETSI {}: baseline cyber security requirements for AI models and systems (custody paraphrase)", c.version),
                "last-modified": c.last_modified,
                "version": c.version,
                "oscal-version": OSCAL_VERSION,
                "remarks": "Provision summaries are custody's own paraphrases, not ETSI text. ETSI EN 304 223 is (c) ETSI; read the standard for the normative wording.",
            },
            "groups": groups,
        }
    })
}

fn control(p: &Provision) -> Value {
    let id = control_id(p);
    let mut props = vec![
        json!({ "name": "label", "value": p.id.as_str() }),
        prop("modality", p.modality.as_str()),
        prop("uk-code-equivalent", &p.uk),
    ];
    props.extend(p.obliged.iter().map(|r| prop("obliged-role", r.as_str())));
    props.extend(p.informed.iter().map(|r| prop("informed-role", r.as_str())));
    props.extend(p.evidence.iter().map(|e| prop("evidence-kind", e.as_str())));
    let mut guidance = format!("Evidence that can satisfy this provision: {}.", p.evidence_examples.join("; "));
    for (party, cond) in &p.conditions {
        guidance.push_str(&format!(" For the {}: {}.", party.title(), cond.trim_end_matches('.')));
    }
    json!({
        "id": id,
        "class": "provision",
        "title": format!("{} ({})", p.id, p.modality),
        "props": props,
        "parts": [
            { "id": format!("{id}_smt"), "name": "statement", "prose": p.summary },
            { "id": format!("{id}_gdn"), "name": "guidance", "prose": guidance },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_ncname(s: &str) -> bool {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    }

    #[test]
    fn one_group_per_principle_and_ncname_control_ids() {
        let v = catalog(Catalog::embedded());
        let groups = v["catalog"]["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 13);
        let mut ids = std::collections::BTreeSet::new();
        let mut n = 0;
        for g in groups {
            for ctl in g["controls"].as_array().expect("controls") {
                let id = ctl["id"].as_str().expect("id");
                assert!(is_ncname(id), "{id}");
                assert!(ids.insert(id.to_string()));
                assert_eq!(ctl["props"][0]["name"], "label");
                assert_eq!(format!("p{}", ctl["props"][0]["value"].as_str().expect("label")), id);
                n += 1;
            }
        }
        assert_eq!(n, 72);
        assert!(ids.contains("p5.2.4-1.2"));
    }

    #[test]
    fn output_is_byte_stable() {
        let a = serde_json::to_string(&catalog(Catalog::embedded())).expect("json");
        let b = serde_json::to_string(&catalog(Catalog::embedded())).expect("json");
        assert_eq!(a, b);
        let v: Value = serde_json::from_str(&a).expect("parse");
        assert_eq!(v["catalog"]["metadata"]["oscal-version"], OSCAL_VERSION);
    }
}

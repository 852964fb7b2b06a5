//! Every export of one fixed assessment (the acme-bank sample at a fixed clock): byte-stable,
//! compared with golden files in `tests/golden/` (`UPDATE_GOLDEN=1 cargo test -p custody-report`
//! rewrites them), plus the structural checks the schemas do not make.

use crate::cyclonedx::{self, SpecVersion, check_refs};
use crate::report::Meta;
use crate::{html, oscal_results, report, sarif_assess, spdx};
use custody_assess::fixtures::{NOW, sample};
use custody_assess::{AssessInput, Assessment, Policy, assess};
use custody_core::Catalog;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const META: Meta<'static> = Meta { tool: "custody", version: "0.1.0 (test)" };

fn fixture() -> (AssessInput, Assessment) {
    let i = sample();
    let a = assess(Catalog::embedded(), &i, NOW, &Policy::default());
    (i, a)
}

fn exports() -> Vec<(&'static str, String)> {
    let c = Catalog::embedded();
    let (i, a) = fixture();
    let findings: Vec<custody_core::Finding> = i.scan.iter().flat_map(|s| s.findings.clone()).collect();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    vec![
        ("report.html", html::report(c, &i, &a, META)),
        ("report.md", report::markdown(c, &i, &a, META)),
        ("report.json", pretty(&report::json(&i, &a, META))),
        ("assessment-results.json", pretty(&oscal_results::assessment_results(c, &a, META))),
        ("profile.json", pretty(&oscal_results::profile(c, &a, "catalog.json"))),
        ("bom.cdx.json", pretty(&cyclonedx::bom(c, &i, &a, META, SpecVersion::V1_6))),
        ("bom.spdx.json", pretty(&spdx::document(&i, &a, META))),
        ("report.sarif", pretty(&sarif_assess::assessment(c, &a, &findings, "custody", META.version, "custody.toml"))),
    ]
}

#[test]
fn exports_match_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for (name, text) in exports() {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).expect("golden dir");
            std::fs::write(&path, &text).expect("write golden");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == text => {}
            _ => stale.push(name),
        }
    }
    assert!(
        stale.is_empty(),
        "exports differ from tests/golden ({stale:?}); if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn exports_are_deterministic() {
    assert_eq!(exports(), exports());
}

#[test]
fn html_is_self_contained_and_escaped() {
    let (_, text) = exports().into_iter().next().expect("html");
    assert!(text.starts_with("<!DOCTYPE html>"));
    for banned in ["<script", "<link", "<img", "<iframe", "src=", "@import", "url("] {
        assert!(!text.contains(banned), "{banned} in the report");
    }
    assert!(text.contains("AI threat model &lt;v2&gt;"), "evidence notes are escaped");
    assert!(!text.contains("<v2>"));
    assert!(text.contains("<svg class=\"donut\""));
    for id in ["summary", "principles", "roles", "gaps", "systems", "provisions", "inventory", "findings"] {
        assert!(text.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    let mut hostile = sample();
    hostile.organisation = "<script>alert('x')</script> & co".into();
    let a = assess(Catalog::embedded(), &hostile, NOW, &Policy::default());
    let h = html::report(Catalog::embedded(), &hostile, &a, META);
    assert!(!h.contains("<script"), "organisation name is escaped");
    assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
    let m = report::markdown(Catalog::embedded(), &hostile, &a, META);
    assert!(!m.contains("<script"));
}

#[test]
fn markdown_and_json_carry_the_same_content() {
    let (i, a) = fixture();
    let md = report::markdown(Catalog::embedded(), &i, &a, META);
    let js = report::json(&i, &a, META);
    assert_eq!(js["schema"], "custody.report/v1");
    assert_eq!(js["assessment"]["provisions"].as_array().map(Vec::len), Some(a.provisions.len()));
    for p in &a.provisions {
        assert!(md.contains(&format!("| {} |", p.id)), "{} missing from Markdown", p.id);
    }
    for x in i.scan.iter().flat_map(|s| s.top_assets()) {
        assert!(md.contains(&x.path));
    }
    assert_eq!(js["findings"].as_array().map(Vec::len), Some(2));
}

#[test]
fn cyclonedx_refs_are_unique_and_resolve() {
    let (i, a) = fixture();
    for v in [SpecVersion::V1_6, SpecVersion::V1_7] {
        let bom = cyclonedx::bom(Catalog::embedded(), &i, &a, META, v);
        assert_eq!(check_refs(&bom), Vec::<String>::new(), "{}", v.as_str());
        assert_eq!(bom["specVersion"], v.as_str());
        let serial = bom["serialNumber"].as_str().unwrap_or_default();
        assert!(serial.starts_with("urn:uuid:") && serial == serial.to_lowercase());
        // Every component and service is in the dependency graph.
        let deps: BTreeSet<&str> =
            bom["dependencies"].as_array().into_iter().flatten().filter_map(|d| d["ref"].as_str()).collect();
        for c in
            bom["components"].as_array().into_iter().flatten().chain(bom["services"].as_array().into_iter().flatten())
        {
            let r = c["bom-ref"].as_str().unwrap_or_default();
            assert!(deps.contains(r), "{r} has no dependencies entry");
        }
    }
    let bom = cyclonedx::bom(Catalog::embedded(), &i, &a, META, SpecVersion::V1_6);
    let comps = bom["components"].as_array().cloned().unwrap_or_default();
    let by_ref = |r: &str| comps.iter().find(|c| c["bom-ref"] == r).cloned().unwrap_or(Value::Null);
    let base = by_ref("asset:fraud-scoring/models/base");
    assert_eq!(base["type"], "machine-learning-model");
    assert_eq!(base["modelCard"]["modelParameters"]["datasets"][0]["ref"], "hub-dataset:acme/card-transactions-2026");
    assert_eq!(base["components"][0]["type"], "file", "directory members are nested files");
    assert_eq!(base["hashes"][0]["alg"], "SHA-256");
    assert_eq!(by_ref("asset:fraud-scoring/data/transactions.jsonl")["data"][0]["classification"], "personal");
    assert_eq!(bom["services"][1]["endpoints"][0], "https://api.openai.com");
    assert!(bom["declarations"]["attestations"][0]["map"].as_array().is_some_and(|m| !m.is_empty()));
    // The checker catches what the schema misses.
    let mut broken = bom.clone();
    if let Some(c) = broken["components"].as_array_mut() {
        let dup = c[0].clone();
        c.push(dup);
    }
    broken["dependencies"][0]["dependsOn"] = serde_json::json!(["nowhere"]);
    broken["components"][1]["modelCard"] = serde_json::json!({});
    let problems = check_refs(&broken);
    assert!(problems.iter().any(|p| p.contains("defined 2 times")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("`nowhere`")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("modelCard on a")), "{problems:?}");
}

#[test]
fn spdx_has_the_profile_fields_and_no_dangling_ids() {
    let (i, a) = fixture();
    let doc = spdx::document(&i, &a, META);
    assert_eq!(doc["@context"], spdx::CONTEXT);
    let graph = doc["@graph"].as_array().cloned().unwrap_or_default();
    let ids: BTreeSet<String> =
        graph.iter().filter_map(|n| n["spdxId"].as_str().or(n["@id"].as_str()).map(str::to_string)).collect();
    assert_eq!(ids.len(), graph.len(), "ids are unique");
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let time = |s: &str| s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T';
    for n in &graph {
        let ty = n["type"].as_str().unwrap_or_default().to_string();
        *kinds.entry(ty.clone()).or_default() += 1;
        if ty == "ai_AIPackage" {
            for k in [
                "releaseTime",
                "suppliedBy",
                "software_downloadLocation",
                "software_packageVersion",
                "software_primaryPurpose",
            ] {
                assert!(n.get(k).is_some(), "{k} missing on {}", n["name"]);
            }
            assert!(time(n["releaseTime"].as_str().unwrap_or_default()));
        }
        if ty == "dataset_DatasetPackage" {
            for k in [
                "builtTime",
                "originatedBy",
                "releaseTime",
                "software_downloadLocation",
                "software_primaryPurpose",
                "dataset_datasetType",
            ] {
                assert!(n.get(k).is_some(), "{k} missing on {}", n["name"]);
            }
        }
        for k in ["from", "suppliedBy", "creationInfo"] {
            if let Some(r) = n.get(k).and_then(Value::as_str) {
                assert!(ids.contains(r), "{k} -> {r} dangles");
            }
        }
        for k in ["to", "element", "rootElement", "originatedBy", "createdBy", "createdUsing"] {
            for r in n.get(k).and_then(Value::as_array).into_iter().flatten() {
                assert!(r.as_str().is_some_and(|r| ids.contains(r)), "{k} -> {r} dangles");
            }
        }
    }
    assert_eq!(kinds.get("ai_AIPackage"), Some(&5), "{kinds:?}");
    assert_eq!(kinds.get("dataset_DatasetPackage"), Some(&2), "{kinds:?}");
    assert!(graph.iter().any(|n| n["relationshipType"] == "trainedOn"));
    assert!(graph.iter().any(|n| n["relationshipType"] == "descendantOf"));
}

fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn uuids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(u)) = m.get("uuid") {
                out.push(u.clone());
            }
            m.values().for_each(|x| uuids(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| uuids(x, out)),
        _ => {}
    }
}

#[test]
fn oscal_results_and_profile_are_well_formed() {
    let (_, a) = fixture();
    let c = Catalog::embedded();
    let ar = oscal_results::assessment_results(c, &a, META);
    let mut all = Vec::new();
    uuids(&ar, &mut all);
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "duplicate uuids");
    let result = &ar["assessment-results"]["results"][0];
    let findings = result["findings"].as_array().cloned().unwrap_or_default();
    let na = a.provisions.iter().filter(|p| p.status == custody_assess::Status::NotApplicable).count();
    assert_eq!(findings.len(), a.provisions.len() - na);
    for f in &findings {
        let t = f["target"]["target-id"].as_str().unwrap_or_default();
        assert!(is_ncname(t), "{t}");
        assert!(matches!(f["target"]["status"]["state"].as_str(), Some("satisfied" | "not-satisfied")));
    }
    let obs: BTreeSet<&str> =
        result["observations"].as_array().into_iter().flatten().filter_map(|o| o["uuid"].as_str()).collect();
    for f in &findings {
        assert!(obs.contains(f["related-observations"][0]["observation-uuid"].as_str().unwrap_or_default()));
    }
    let p = oscal_results::profile(c, &a, "catalog.json");
    let ids = p["profile"]["imports"][0]["include-controls"][0]["with-ids"].as_array().cloned().unwrap_or_default();
    assert_eq!(ids.len(), a.provisions.len());
    assert!(ids.iter().all(|i| i.as_str().is_some_and(is_ncname)));
}

#[test]
fn sarif_has_rules_for_every_result() {
    let (i, a) = fixture();
    let findings: Vec<custody_core::Finding> = i.scan.iter().flat_map(|s| s.findings.clone()).collect();
    let doc = sarif_assess::assessment(Catalog::embedded(), &a, &findings, "custody", "0.1.0", "custody.toml");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), findings.len() + a.open_items().len());
    for r in &results {
        let idx = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules.get(idx).map(|x| x["id"].clone()), Some(r["ruleId"].clone()));
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() >= Some(1));
        assert!(matches!(r["level"].as_str(), Some("error" | "warning" | "note")));
    }
    let g = custody_assess::gate(&a, &i, &custody_assess::GatePolicy::default());
    let gd = sarif_assess::gate(Catalog::embedded(), &a, &g, &findings, "custody", "0.1.0", "custody.toml");
    assert_eq!(gd["runs"][0]["results"].as_array().map(Vec::len), Some(g.reasons.len()));
}

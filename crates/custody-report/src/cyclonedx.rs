//! CycloneDX 1.6 (or 1.7) ML-BOM of the AI inventory (research/formats.md §1): models as
//! `machine-learning-model` components with model cards, datasets and prompts as `data`
//! components, directory members as nested `file` components, libraries with evidence
//! occurrences, AI APIs as `services`, the dependency graph, SHA-256 hashes, and the ETSI
//! assessment as a CycloneDX attestation (`definitions.standards` + `declarations`).
//!
//! The JSON schema does not check references; [`check_refs`] does (duplicate `bom-ref`s and
//! references to nothing), and the tests run it on every document.

use crate::report::Meta;
use crate::stable_uuid;
use custody_assess::{AssessInput, Assessment, AssetFact, Basis, Status};
use custody_core::Catalog;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// CycloneDX spec versions custody writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    V1_6,
    V1_7,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn hashes(sha: &str) -> Option<Value> {
    is_sha256(sha).then(|| json!([{ "alg": "SHA-256", "content": sha.to_ascii_lowercase() }]))
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": format!("custody:{name}"), "value": value.into() })
}

fn asset_ref(path: &str) -> String {
    format!("asset:{path}")
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(path)
}

/// The data-component type of an asset kind.
fn data_type(kind: &str) -> &'static str {
    match kind {
        "prompt" | "chat-template" => "configuration",
        _ => "dataset",
    }
}

struct Builder {
    components: Vec<Value>,
    services: Vec<Value>,
    deps: BTreeMap<String, BTreeSet<String>>,
    refs: BTreeSet<String>,
}

impl Builder {
    fn add_ref(&mut self, r: &str) {
        self.refs.insert(r.to_string());
        self.deps.entry(r.to_string()).or_default();
    }
    fn depends(&mut self, from: &str, to: &str) {
        if from != to {
            self.deps.entry(from.to_string()).or_default().insert(to.to_string());
        }
    }
}

fn asset_props(a: &AssetFact) -> Vec<Value> {
    let mut p = vec![
        prop("kind", a.kind.as_str().to_string()),
        prop("format", a.format.clone()),
        prop("size", a.size.to_string()),
    ];
    for key in ["architecture", "quantization", "producer", "name", "format_version"] {
        if let Some(v) = a.meta_str(key) {
            p.push(prop(&format!("meta:{key}"), v));
        }
    }
    if let Some(n) = a.meta.get("parameter_count").and_then(Value::as_u64) {
        p.push(json!({ "name": "cdx:ai-ml:model:parameter:count", "value": n.to_string() }));
    }
    if a.systems.is_empty() {
        p.push(prop("registered", "false"));
    }
    for s in &a.systems {
        p.push(prop("system", s.clone()));
    }
    p
}

/// The ML-BOM.
pub fn bom(c: &Catalog, input: &AssessInput, a: &Assessment, meta: Meta<'_>, version: SpecVersion) -> Value {
    let org_ref = "organisation".to_string();
    let mut b = Builder { components: Vec::new(), services: Vec::new(), deps: BTreeMap::new(), refs: BTreeSet::new() };
    b.add_ref(&org_ref);
    let scan = input.scan.as_ref();
    let assets: Vec<&AssetFact> = scan.map(|s| s.top_assets().collect()).unwrap_or_default();

    // Systems.
    for s in &input.systems {
        let r = format!("system:{}", s.name);
        b.add_ref(&r);
        b.depends(&org_ref, &r);
        let mut comp = json!({
            "type": "application", "bom-ref": r, "name": s.name,
            "properties": [prop("exposure", s.exposure.as_str())],
        });
        if !s.description.is_empty() {
            comp["description"] = json!(s.description);
        }
        if !s.intended_use.is_empty()
            && let Some(p) = comp["properties"].as_array_mut()
        {
            p.push(prop("intended-use", s.intended_use.clone()));
        }
        b.components.push(comp);
    }

    // Datasets recorded in the store, matched to scanned assets where possible.
    let record_of = |x: &AssetFact| input.datasets.iter().find(|d| custody_assess::rules::record_covers(&d.record, x));
    let hub_datasets: BTreeSet<String> = scan
        .map(|s| s.edges.iter().filter_map(|e| e.target.strip_prefix("hub-dataset:").map(str::to_string)).collect())
        .unwrap_or_default();
    let hub_models: BTreeSet<String> = scan
        .map(|s| s.edges.iter().filter_map(|e| e.target.strip_prefix("hub:").map(str::to_string)).collect())
        .unwrap_or_default();
    let mut record_refs: BTreeMap<String, String> = BTreeMap::new();

    // Assets.
    for x in &assets {
        let r = asset_ref(&x.path);
        b.add_ref(&r);
        let members: Vec<&AssetFact> = scan
            .map(|s| s.assets.iter().filter(|m| m.part_of.as_deref() == Some(x.path.as_str())).collect())
            .unwrap_or_default();
        let mut comp = Map::new();
        comp.insert("bom-ref".into(), json!(r));
        comp.insert("name".into(), json!(basename(&x.path)));
        if let Some(h) = hashes(&x.sha256) {
            comp.insert("hashes".into(), h);
        }
        if let Some(l) = x.meta_str("license") {
            comp.insert("licenses".into(), json!([{ "license": { "name": l } }]));
        }
        comp.insert(
            "evidence".into(),
            json!({ "occurrences": [{ "location": x.path }], "identity": [{ "field": "hash", "confidence": 1.0, "concludedValue": x.sha256, "methods": [{ "technique": "hash-comparison", "confidence": 1.0, "value": format!("sha256:{}", x.sha256) }] }] }),
        );
        if x.is_model() {
            comp.insert("type".into(), json!("machine-learning-model"));
            let mut params = Map::new();
            if let Some(arch) = x.meta_str("architecture") {
                params.insert("modelArchitecture".into(), json!(arch));
                params.insert(
                    "architectureFamily".into(),
                    json!(
                        arch.trim_end_matches("ForCausalLM")
                            .trim_end_matches("ForSequenceClassification")
                            .to_lowercase()
                    ),
                );
            }
            let mut datasets = Vec::new();
            if let Some(s) = scan {
                for e in s.edges.iter().filter(|e| e.kind == "trained-on" && e.source == x.path) {
                    let target = match e.target.strip_prefix("hub-dataset:") {
                        Some(h) => format!("hub-dataset:{h}"),
                        None => asset_ref(&e.target),
                    };
                    datasets.push(json!({ "ref": target }));
                }
            }
            if !datasets.is_empty() {
                params.insert("datasets".into(), json!(datasets));
            }
            let uses: Vec<String> = input
                .systems
                .iter()
                .filter(|s| x.systems.contains(&s.name) && !s.intended_use.is_empty())
                .map(|s| s.intended_use.clone())
                .collect();
            let mut card = json!({ "bom-ref": format!("modelcard:{}", x.path) });
            if !params.is_empty() {
                card["modelParameters"] = Value::Object(params);
            }
            if !uses.is_empty() {
                card["considerations"] = json!({ "useCases": uses });
            }
            if let Some(q) = x.meta_str("quantization") {
                card["properties"] = json!([{ "name": "cdx:ai-ml:model:hyperparameter:quantization", "value": q }]);
            }
            comp.insert("modelCard".into(), card);
        } else {
            comp.insert("type".into(), json!("data"));
            let mut d = json!({ "type": data_type(x.kind.as_str()), "name": x.path });
            if x.is_dataset()
                && let Some(rec) = record_of(x)
            {
                record_refs.insert(rec.record.name.clone(), r.clone());
                if let Some(src) = rec.record.sources.first() {
                    d["contents"] = json!({ "url": src.url });
                }
                d["classification"] = json!(rec.record.sensitivity.as_str());
                if let Some(owner) = &rec.record.owner {
                    d["governance"] = json!({ "owners": [{ "organization": { "name": owner } }] });
                }
                if !rec.record.description.is_empty() {
                    d["description"] = json!(rec.record.description);
                }
            }
            comp.insert("data".into(), json!([d]));
        }
        comp.insert("properties".into(), json!(asset_props(x)));
        if !members.is_empty() {
            let nested: Vec<Value> = members
                .iter()
                .map(|m| {
                    let mr = format!("file:{}", m.path);
                    b.add_ref(&mr);
                    b.depends(&r, &mr);
                    let mut f = json!({ "type": "file", "bom-ref": mr, "name": m.path, "properties": [prop("format", m.format.clone()), prop("size", m.size.to_string())] });
                    if let Some(h) = hashes(&m.sha256) {
                        f["hashes"] = h;
                    }
                    f
                })
                .collect();
            comp.insert("components".into(), json!(nested));
        }
        b.components.push(Value::Object(comp));
        if x.systems.is_empty() {
            b.depends(&org_ref, &r);
        }
        for s in &x.systems {
            b.depends(&format!("system:{s}"), &r);
        }
    }

    // Datasets recorded but not found in the scan.
    for d in &input.datasets {
        if record_refs.contains_key(&d.record.name) {
            continue;
        }
        let r = format!("dataset:{}", d.record.name);
        b.add_ref(&r);
        b.depends(&org_ref, &r);
        let mut data =
            json!({ "type": "dataset", "name": d.record.name, "classification": d.record.sensitivity.as_str() });
        if let Some(src) = d.record.sources.first() {
            data["contents"] = json!({ "url": src.url });
        }
        if let Some(owner) = &d.record.owner {
            data["governance"] = json!({ "owners": [{ "organization": { "name": owner } }] });
        }
        let mut comp = json!({ "type": "data", "bom-ref": r, "name": d.record.name, "data": [data], "properties": [prop("record", d.key.clone())] });
        let files: Vec<Value> = d.record.files.iter().map(|f| json!({ "location": f.path })).collect();
        if !files.is_empty() {
            comp["evidence"] = json!({ "occurrences": files });
        }
        if let Some(l) = &d.record.licence {
            comp["licenses"] = json!([{ "expression": l }]);
        }
        b.components.push(comp);
    }

    // Hub models and datasets named in code or cards.
    for h in &hub_models {
        let r = format!("hub:{h}");
        b.add_ref(&r);
        b.components.push(json!({
            "type": "machine-learning-model", "bom-ref": r, "name": h,
            "purl": format!("pkg:huggingface/{h}"),
            "externalReferences": [{ "type": "distribution", "url": format!("https://huggingface.co/{h}") }],
            "properties": [prop("source", "hub")],
        }));
    }
    for h in &hub_datasets {
        let r = format!("hub-dataset:{h}");
        b.add_ref(&r);
        b.components.push(json!({
            "type": "data", "bom-ref": r, "name": h,
            "data": [{ "type": "dataset", "name": h, "contents": { "url": format!("https://huggingface.co/datasets/{h}") } }],
            "externalReferences": [{ "type": "distribution", "url": format!("https://huggingface.co/datasets/{h}") }],
            "properties": [prop("source", "hub")],
        }));
    }

    // Libraries.
    if let Some(s) = scan {
        let mut seen = BTreeSet::new();
        for l in &s.libraries {
            let eco = if l.ecosystem.is_empty() { "generic" } else { l.ecosystem.as_str() };
            let r = format!("lib:{eco}/{}", l.name);
            if !seen.insert(r.clone()) {
                continue;
            }
            b.add_ref(&r);
            b.depends(&org_ref, &r);
            let occ: Vec<Value> =
                l.occurrences.iter().take(50).map(|(p, line)| json!({ "location": p, "line": line })).collect();
            let mut comp =
                json!({ "type": "library", "bom-ref": r, "name": l.name, "purl": format!("pkg:{eco}/{}", l.name) });
            if !occ.is_empty() {
                comp["evidence"] = json!({ "occurrences": occ });
            }
            if let Some(p) = &l.provider {
                comp["properties"] = json!([prop("provider", p.clone())]);
                if s.services.iter().any(|x| &x.provider == p) {
                    b.depends(&r, &format!("service:{p}"));
                }
            }
            b.components.push(comp);
        }
        // Services.
        for x in &s.services {
            let r = format!("service:{}", x.provider);
            b.add_ref(&r);
            let mut props: Vec<Value> = x.models.iter().map(|m| prop("model", m.clone())).collect();
            props.extend(x.occurrences.iter().take(50).map(|(p, l)| prop("occurrence", format!("{p}#L{l}"))));
            if x.systems.is_empty() {
                props.push(prop("registered", "false"));
                b.depends(&org_ref, &r);
            }
            let mut svc = json!({ "bom-ref": r, "name": x.provider, "provider": { "name": x.provider }, "x-trust-boundary": true });
            let endpoints: Vec<String> = x.hosts.iter().map(|h| format!("https://{h}")).collect();
            if !endpoints.is_empty() {
                svc["endpoints"] = json!(endpoints);
            }
            if !props.is_empty() {
                svc["properties"] = json!(props);
            }
            b.services.push(svc);
            for sys in &x.systems {
                b.depends(&format!("system:{sys}"), &r);
            }
        }
        // Model lineage and training data.
        for e in &s.edges {
            let from = asset_ref(&e.source);
            if !b.refs.contains(&from) {
                continue;
            }
            let to = match (e.kind.as_str(), e.target.split_once(':')) {
                ("fine-tuned-from", Some(("hub", h))) => format!("hub:{h}"),
                ("trained-on", Some(("hub-dataset", h))) => format!("hub-dataset:{h}"),
                ("adapts" | "trained-on" | "fine-tuned-from", _) => asset_ref(&e.target),
                _ => continue,
            };
            if b.refs.contains(&to) {
                b.depends(&from, &to);
            }
        }
    }

    let serial =
        stable_uuid(&format!("custody/cyclonedx/{}/{}/{}", a.organisation, a.assessed_at, scan.map_or(0, |s| s.id)));
    let deps: Vec<Value> = b
        .deps
        .iter()
        .map(|(r, on)| {
            if on.is_empty() {
                json!({ "ref": r })
            } else {
                json!({ "ref": r, "dependsOn": on.iter().collect::<Vec<_>>() })
            }
        })
        .collect();
    let mut doc = json!({
        "$schema": format!("http://cyclonedx.org/schema/bom-{}.schema.json", version.as_str()),
        "bomFormat": "CycloneDX",
        "specVersion": version.as_str(),
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": a.assessed_at,
            "lifecycles": [{ "phase": "discovery" }],
            "tools": { "components": [{ "type": "application", "name": meta.tool, "version": meta.short_version() }] },
            "component": { "type": "application", "bom-ref": org_ref, "name": format!("{} AI systems", a.organisation) },
            "properties": a.roles.iter().map(|r| prop("role-held", r.as_str())).collect::<Vec<_>>(),
        },
        "components": b.components,
        "dependencies": deps,
    });
    if !b.services.is_empty() {
        doc["services"] = json!(b.services);
    }
    if a.roles.is_empty()
        && let Some(m) = doc["metadata"].as_object_mut()
    {
        m.remove("properties");
    }
    let (definitions, declarations) = attestation(c, a, &org_ref);
    doc["definitions"] = definitions;
    doc["declarations"] = declarations;
    doc
}

/// The ETSI catalogue as a CycloneDX standard, and the assessment as claims and attestations.
fn attestation(c: &Catalog, a: &Assessment, target: &str) -> (Value, Value) {
    let mut reqs = Vec::new();
    for pr in &c.principles {
        reqs.push(json!({ "bom-ref": format!("req:{}", pr.clause), "identifier": pr.clause, "title": pr.title, "text": pr.summary }));
    }
    for p in &c.provisions {
        reqs.push(json!({
            "bom-ref": format!("req:{}", p.id),
            "identifier": p.id.as_str(),
            "title": format!("{} ({})", p.id, p.modality),
            "text": p.summary,
            "parent": format!("req:{}", p.id.clause()),
            "properties": [prop("modality", p.modality.as_str())],
        }));
    }
    let definitions = json!({ "standards": [{
        "bom-ref": "std:etsi-en-304-223",
        "name": "ETSI EN 304 223",
        "version": c.version,
        "description": "Baseline cyber security requirements for AI models and systems. Requirement texts are custody's paraphrases, not ETSI text.",
        "owner": "ETSI",
        "requirements": reqs,
    }]});
    let mut evidence = Vec::new();
    let mut claims = Vec::new();
    let mut map = Vec::new();
    for p in a.provisions.iter().filter(|p| p.status != Status::NotApplicable) {
        let mut support = Vec::new();
        let mut against = Vec::new();
        for (i, e) in p.evidence.iter().enumerate().take(40) {
            let r = format!("evidence:{}:{i}", p.id);
            let mut d = format!("{} {}: {}", e.kind, e.reference, e.detail);
            if let Some(s) = &e.sha256 {
                d.push_str(&format!(" (sha256:{s})"));
            }
            if let Some(s) = e.audit_seq {
                d.push_str(&format!(" (audit entry {s})"));
            }
            let created =
                e.at.as_deref()
                    .filter(|t| t.len() >= 20 && t.as_bytes().get(10) == Some(&b'T'))
                    .unwrap_or(&a.assessed_at);
            evidence.push(json!({ "bom-ref": r, "propertyName": format!("custody:evidence:{}", e.kind), "description": d, "created": created }));
            if e.against { against.push(r) } else { support.push(r) }
        }
        let claim_ref = format!("claim:{}", p.id);
        let mut claim = json!({
            "bom-ref": claim_ref,
            "target": target,
            "predicate": format!("{} meets ETSI EN 304 223 provision {}", a.organisation, p.id),
            "reasoning": p.rationale,
        });
        if !support.is_empty() {
            claim["evidence"] = json!(support);
        }
        if !against.is_empty() {
            claim["counterEvidence"] = json!(against);
        }
        if let Some(close) = &p.close {
            claim["reasoning"] = json!(format!("{} To close: {close}", p.rationale));
        }
        claims.push(claim);
        let score = match p.status {
            Status::Met => 1.0,
            Status::Partial => 0.5,
            _ => 0.0,
        };
        let (confidence, why) = match p.basis {
            Basis::Automatic => (0.9, "decided by custody from facts it holds"),
            Basis::Attested => (0.6, "attested by people; custody checked its presence and age only"),
            Basis::None => (0.3, "no evidence either way"),
        };
        let mut entry = json!({
            "requirement": format!("req:{}", p.id),
            "conformance": { "score": score, "rationale": format!("{}: {}", p.status, p.rationale) },
            "confidence": { "score": confidence, "rationale": why },
        });
        if p.status == Status::Gap {
            entry["counterClaims"] = json!([claim_ref]);
        } else {
            entry["claims"] = json!([claim_ref]);
        }
        map.push(entry);
    }
    let mut declarations = json!({
        "assessors": [{ "bom-ref": "assessor:custody", "thirdParty": false, "organization": { "name": a.organisation } }],
        "attestations": [{ "summary": format!("custody assessment of {} at {}", a.organisation, a.assessed_at), "assessor": "assessor:custody", "map": map }],
    });
    if !evidence.is_empty() {
        declarations["evidence"] = json!(evidence);
    }
    if !claims.is_empty() {
        declarations["claims"] = json!(claims);
    }
    (definitions, declarations)
}

/// What the CycloneDX schema does not check: every `bom-ref` unique, every reference resolving,
/// model cards only on models and `data` only on data components. Empty when all is well.
pub fn check_refs(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut defined: BTreeMap<String, usize> = BTreeMap::new();
    collect_refs(doc, &mut defined);
    for (r, n) in &defined {
        if *n > 1 {
            problems.push(format!("bom-ref `{r}` is defined {n} times"));
        }
    }
    let mut kinds = Vec::new();
    let mut check = |what: &str, r: Option<&str>| match r {
        Some(r) if defined.contains_key(r) => {}
        Some(r) => problems.push(format!("{what} refers to `{r}`, which no bom-ref defines")),
        None => problems.push(format!("{what} is not a string")),
    };
    for d in doc["dependencies"].as_array().into_iter().flatten() {
        check("dependencies[].ref", d["ref"].as_str());
        for x in d["dependsOn"].as_array().into_iter().flatten().chain(d["provides"].as_array().into_iter().flatten()) {
            check("dependencies[].dependsOn", x.as_str());
        }
    }
    let mut comps = Vec::new();
    flatten_components(doc.get("components"), &mut comps);
    for c in &comps {
        let ty = c["type"].as_str().unwrap_or("");
        if c.get("modelCard").is_some() && ty != "machine-learning-model" {
            kinds.push(format!("modelCard on a `{ty}` component"));
        }
        if c.get("data").is_some() && ty != "data" {
            kinds.push(format!("data on a `{ty}` component"));
        }
        for d in c.pointer("/modelCard/modelParameters/datasets").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = d.get("ref") {
                check("modelCard.modelParameters.datasets[].ref", r.as_str());
            }
        }
    }
    for s in doc.pointer("/definitions/standards").and_then(Value::as_array).into_iter().flatten() {
        for r in s["requirements"].as_array().into_iter().flatten() {
            if let Some(p) = r.get("parent") {
                check("requirements[].parent", p.as_str());
            }
        }
    }
    let decl = &doc["declarations"];
    for c in decl["claims"].as_array().into_iter().flatten() {
        check("claims[].target", c["target"].as_str());
        for e in
            c["evidence"].as_array().into_iter().flatten().chain(c["counterEvidence"].as_array().into_iter().flatten())
        {
            check("claims[].evidence", e.as_str());
        }
    }
    for at in decl["attestations"].as_array().into_iter().flatten() {
        if let Some(x) = at.get("assessor") {
            check("attestations[].assessor", x.as_str());
        }
        for m in at["map"].as_array().into_iter().flatten() {
            check("attestations[].map[].requirement", m["requirement"].as_str());
            for cl in
                m["claims"].as_array().into_iter().flatten().chain(m["counterClaims"].as_array().into_iter().flatten())
            {
                check("attestations[].map[].claims", cl.as_str());
            }
        }
    }
    problems.extend(kinds);
    problems
}

fn collect_refs(v: &Value, out: &mut BTreeMap<String, usize>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("bom-ref") {
                *out.entry(r.clone()).or_default() += 1;
            }
            for x in m.values() {
                collect_refs(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

fn flatten_components<'a>(v: Option<&'a Value>, out: &mut Vec<&'a Value>) {
    for c in v.and_then(Value::as_array).into_iter().flatten() {
        out.push(c);
        flatten_components(c.get("components"), out);
    }
}

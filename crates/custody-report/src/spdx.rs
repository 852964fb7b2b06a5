//! SPDX 3.0.1 JSON-LD with the AI and Dataset profiles (research/formats.md §2): models as
//! `ai_AIPackage`, datasets as `dataset_DatasetPackage`, prompts as `software_File`, systems as
//! `software_Package`, with the relationships between them (`trainedOn`, `descendantOf`,
//! `dependsOn`, `contains`). The profiles' required properties the JSON schema does not enforce
//! (`releaseTime`, `suppliedBy`, `software_downloadLocation`, `software_packageVersion`,
//! `software_primaryPurpose`; `builtTime`, `originatedBy` for datasets) are always present.
//! Where a value is not known, `comment` says what custody put there.

use crate::report::Meta;
use crate::stable_uuid;
use custody_assess::{AssessInput, Assessment, AssetFact, Recorded};
use custody_core::records::{Dataset, Sensitivity};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// `YYYY-MM-DDThh:mm:ssZ`, as SPDX 3 wants every date-time.
pub fn spdx_time(t: &str) -> Option<String> {
    let dt = custody_core::time::parse_time("time", t).ok()?.to_offset(time::UtcOffset::UTC);
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    ))
}

fn dataset_type(format: &str) -> &'static str {
    match format {
        "csv" | "tsv" | "parquet" | "arrow" | "arrow-ipc" | "feather" | "hf-dataset-dir" => "structured",
        "jsonl" | "json" | "txt" | "text" | "md" => "text",
        "npy" | "npz" => "numeric",
        "webdataset" | "tfrecord" => "other",
        _ => "noAssertion",
    }
}

fn confidentiality(s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::Public => "clear",
        Sensitivity::Internal => "green",
        Sensitivity::Confidential | Sensitivity::Personal => "amber",
        Sensitivity::SpecialCategory => "red",
    }
}

struct Graph {
    ns: String,
    nodes: Vec<Value>,
    ids: Vec<String>,
    counter: BTreeMap<&'static str, usize>,
}

impl Graph {
    fn id(&mut self, kind: &'static str) -> String {
        let n = self.counter.entry(kind).or_default();
        *n += 1;
        format!("{}/{kind}-{n}", self.ns)
    }
    fn push(&mut self, mut node: Value) -> String {
        node["creationInfo"] = json!("_:creationinfo");
        let id = node["spdxId"].as_str().unwrap_or_default().to_string();
        self.ids.push(id.clone());
        self.nodes.push(node);
        id
    }
    fn relate(&mut self, from: &str, kind: &str, to: Vec<String>) {
        if to.is_empty() {
            return;
        }
        let id = self.id("relationship");
        self.push(json!({ "type": "Relationship", "spdxId": id, "from": from, "relationshipType": kind, "to": to }));
    }
}

fn sha_hash(sha: &str) -> Option<Value> {
    (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| json!([{ "type": "Hash", "algorithm": "sha256", "hashValue": sha.to_ascii_lowercase() }]))
}

fn file_uri(root: &str, path: &str) -> String {
    let p = format!("{}/{}", root.trim_end_matches('/'), path);
    let enc: String = p.chars().map(|c| if c == ' ' { "%20".to_string() } else { c.to_string() }).collect();
    if enc.starts_with('/') { format!("file://{enc}") } else { format!("file:///{enc}") }
}

/// The SPDX 3.0.1 document.
pub fn document(input: &AssessInput, a: &Assessment, meta: Meta<'_>) -> Value {
    let doc_uuid = stable_uuid(&format!("custody/spdx/{}/{}", a.organisation, a.assessed_at));
    let mut g = Graph {
        ns: format!("https://custody.invalid/spdx/{doc_uuid}"),
        nodes: Vec::new(),
        ids: Vec::new(),
        counter: BTreeMap::new(),
    };
    let created = spdx_time(&a.assessed_at).unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let org = format!("{}/organisation", g.ns);
    let tool = format!("{}/tool", g.ns);
    g.push(json!({ "type": "Organization", "spdxId": org, "name": a.organisation }));
    g.push(json!({ "type": "Tool", "spdxId": tool, "name": format!("{} {}", meta.tool, meta.short_version()) }));
    let scan = input.scan.as_ref();
    let observed = scan.and_then(|s| spdx_time(&s.started_at)).unwrap_or_else(|| created.clone());
    let root = scan.map_or(String::new(), |s| s.root.clone());
    let mut by_path: BTreeMap<String, String> = BTreeMap::new();
    let mut models = Vec::new();
    let mut suppliers: BTreeMap<String, String> = BTreeMap::new();

    let system_uses = |x: &AssetFact| -> Vec<String> {
        input
            .systems
            .iter()
            .filter(|s| x.systems.contains(&s.name) && !s.intended_use.is_empty())
            .map(|s| format!("{}: {}", s.name, s.intended_use))
            .collect()
    };
    let personal_behind = |x: &AssetFact| -> bool {
        input.datasets.iter().any(|d| {
            d.record.sensitivity.is_personal()
                && x.systems.iter().any(|s| {
                    d.record
                        .files
                        .iter()
                        .any(|f| input.systems.iter().any(|sys| &sys.name == s && sys.claims(&f.path, &f.sha256)))
                })
        })
    };

    for x in scan.into_iter().flat_map(|s| s.top_assets()) {
        let version = format!("sha256:{}", x.sha256.get(..12).unwrap_or(&x.sha256));
        if x.is_model() {
            let id = g.id("model");
            let mut n = json!({
                "type": "ai_AIPackage", "spdxId": id, "name": x.path,
                "software_packageVersion": version,
                "software_primaryPurpose": "model",
                "software_downloadLocation": file_uri(&root, &x.path),
                "releaseTime": observed,
                "suppliedBy": org,
                "ai_standardCompliance": ["ETSI EN 304 223"],
                "ai_typeOfModel": [x.meta_str("architecture").unwrap_or(&x.format)],
                "ai_useSensitivePersonalInformation": if personal_behind(x) { "yes" } else { "noAssertion" },
                "comment": "releaseTime is when custody observed the file; supplier is the organisation that holds it.",
            });
            if let Some(h) = sha_hash(&x.sha256) {
                n["verifiedUsing"] = h;
            }
            let uses = system_uses(x);
            if !uses.is_empty() {
                n["ai_informationAboutApplication"] = json!(uses.join("; "));
            }
            let mut hyper = Vec::new();
            for key in ["quantization", "format_version"] {
                if let Some(v) = x.meta_str(key) {
                    hyper.push(json!({ "type": "DictionaryEntry", "key": key, "value": v }));
                }
            }
            if let Some(p) = x.meta.get("parameter_count").and_then(Value::as_u64) {
                hyper.push(json!({ "type": "DictionaryEntry", "key": "parameter_count", "value": p.to_string() }));
            }
            if !hyper.is_empty() {
                n["ai_hyperparameter"] = json!(hyper);
            }
            if let Some(b) =
                x.meta.get("base_models").and_then(Value::as_array).and_then(|v| v.first()).and_then(Value::as_str)
            {
                n["ai_informationAboutTraining"] = json!(format!("fine-tuned from {b}"));
            }
            let id = g.push(n);
            models.push(id.clone());
            by_path.insert(x.path.clone(), id);
        } else if x.is_dataset() || x.kind == custody_core::AssetKind::VectorStore {
            let rec: Option<&Recorded<Dataset>> =
                input.datasets.iter().find(|d| custody_assess::rules::record_covers(&d.record, x));
            let id = g.id("dataset");
            let built = rec
                .and_then(|r| r.record.sources.iter().filter_map(|s| spdx_time(&s.acquired_at)).min())
                .unwrap_or_else(|| observed.clone());
            let mut n = json!({
                "type": "dataset_DatasetPackage", "spdxId": id, "name": x.path,
                "software_packageVersion": version,
                "software_primaryPurpose": "data",
                "software_downloadLocation": rec.and_then(|r| r.record.sources.first()).map_or_else(|| file_uri(&root, &x.path), |s| s.url.clone()),
                "builtTime": built,
                "releaseTime": observed,
                "originatedBy": [org],
                "dataset_datasetType": [dataset_type(&x.format)],
                "dataset_datasetSize": x.size,
            });
            if let Some(h) = sha_hash(&x.sha256) {
                n["verifiedUsing"] = h;
            }
            match rec {
                Some(r) => {
                    let d = &r.record;
                    n["dataset_confidentialityLevel"] = json!(confidentiality(d.sensitivity));
                    n["dataset_hasSensitivePersonalInformation"] =
                        json!(if d.sensitivity.is_personal() { "yes" } else { "no" });
                    let how: Vec<String> =
                        d.sources.iter().map(|s| format!("{} from {} at {}", s.method, s.url, s.acquired_at)).collect();
                    if !how.is_empty() {
                        n["dataset_dataCollectionProcess"] = json!(how.join("; "));
                    }
                    if !d.description.is_empty() {
                        n["summary"] = json!(d.description);
                    }
                    let scopes: Vec<String> = input
                        .approvals
                        .iter()
                        .filter(|ap| ap.record.dataset == d.name)
                        .map(|ap| format!("{}: {}", ap.record.system, ap.record.scope))
                        .collect();
                    if !scopes.is_empty() {
                        n["dataset_intendedUse"] = json!(scopes.join("; "));
                    }
                    n["comment"] = json!(format!(
                        "provenance record `{}` (audit entry {}); releaseTime is when custody observed it",
                        r.key, r.audit_seq
                    ));
                }
                None => {
                    n["dataset_hasSensitivePersonalInformation"] = json!("noAssertion");
                    n["comment"] =
                        json!("no provenance record; builtTime and releaseTime are when custody observed it");
                }
            }
            let id = g.push(n);
            by_path.insert(x.path.clone(), id);
        } else {
            let id = g.id("file");
            let mut n = json!({ "type": "software_File", "spdxId": id, "name": x.path, "software_primaryPurpose": "configuration" });
            if let Some(h) = sha_hash(&x.sha256) {
                n["verifiedUsing"] = h;
            }
            let id = g.push(n);
            by_path.insert(x.path.clone(), id);
        }
    }

    // Hub models and datasets the scan connected to local models.
    if let Some(s) = scan {
        for e in &s.edges {
            let Some(from) = by_path.get(&e.source).cloned() else { continue };
            let (kind, target) = match (e.kind.as_str(), e.target.split_once(':')) {
                ("fine-tuned-from", Some(("hub", h))) => {
                    let key = format!("hub:{h}");
                    let id = match by_path.get(&key) {
                        Some(id) => id.clone(),
                        None => {
                            let owner = h.split('/').next().unwrap_or(h).to_string();
                            let supplier = match suppliers.get(&owner) {
                                Some(s) => s.clone(),
                                None => {
                                    let sid = g.id("supplier");
                                    g.push(json!({ "type": "Organization", "spdxId": sid, "name": owner }));
                                    suppliers.insert(owner, sid.clone());
                                    sid
                                }
                            };
                            let id = g.id("model");
                            g.push(json!({
                                "type": "ai_AIPackage", "spdxId": id, "name": h,
                                "software_packageVersion": "NOASSERTION",
                                "software_primaryPurpose": "model",
                                "software_downloadLocation": format!("https://huggingface.co/{h}"),
                                "software_packageUrl": format!("pkg:huggingface/{h}"),
                                "releaseTime": observed,
                                "suppliedBy": supplier,
                                "comment": "named as a base model; no revision pinned, releaseTime is when custody observed the reference",
                            }));
                            by_path.insert(key, id.clone());
                            id
                        }
                    };
                    ("descendantOf", id)
                }
                ("trained-on", Some(("hub-dataset", h))) => {
                    let key = format!("hub-dataset:{h}");
                    let id = match by_path.get(&key) {
                        Some(id) => id.clone(),
                        None => {
                            let id = g.id("dataset");
                            let rec = input
                                .datasets
                                .iter()
                                .find(|d| d.record.name == h || Some(d.record.name.as_str()) == h.rsplit('/').next());
                            let mut n = json!({
                                "type": "dataset_DatasetPackage", "spdxId": id, "name": h,
                                "software_packageVersion": "NOASSERTION",
                                "software_primaryPurpose": "data",
                                "software_downloadLocation": format!("https://huggingface.co/datasets/{h}"),
                                "builtTime": observed,
                                "releaseTime": observed,
                                "originatedBy": [org],
                                "dataset_datasetType": ["noAssertion"],
                                "comment": "named in a model card as training data",
                            });
                            if let Some(r) = rec {
                                n["dataset_confidentialityLevel"] = json!(confidentiality(r.record.sensitivity));
                                n["dataset_hasSensitivePersonalInformation"] =
                                    json!(if r.record.sensitivity.is_personal() { "yes" } else { "no" });
                                if let Some(t) = r.record.sources.iter().filter_map(|s| spdx_time(&s.acquired_at)).min()
                                {
                                    n["builtTime"] = json!(t);
                                }
                            }
                            g.push(n);
                            by_path.insert(key, id.clone());
                            id
                        }
                    };
                    ("trainedOn", id)
                }
                ("adapts", _) => match by_path.get(&e.target) {
                    Some(t) => ("descendantOf", t.clone()),
                    None => continue,
                },
                ("trained-on", _) => match by_path.get(&e.target) {
                    Some(t) => ("trainedOn", t.clone()),
                    None => continue,
                },
                _ => continue,
            };
            g.relate(&from, kind, vec![target]);
        }
    }

    // Systems, and what they are made of.
    let mut systems = Vec::new();
    for s in &input.systems {
        let id = g.id("system");
        let mut n = json!({ "type": "software_Package", "spdxId": id, "name": s.name, "software_primaryPurpose": "application", "suppliedBy": org });
        if !s.intended_use.is_empty() {
            n["description"] = json!(s.intended_use);
        }
        let id = g.push(n);
        let parts: Vec<String> = scan
            .into_iter()
            .flat_map(|sc| sc.top_assets())
            .filter(|x| x.systems.contains(&s.name))
            .filter_map(|x| by_path.get(&x.path).cloned())
            .collect();
        g.relate(&id, "dependsOn", parts);
        systems.push(id);
    }
    let mut roots = systems.clone();
    if roots.is_empty() {
        roots = models.clone();
    }
    let sbom_elements: Vec<String> = g.ids.iter().filter(|i| *i != &org && *i != &tool).cloned().collect();
    let sbom = format!("{}/sbom", g.ns);
    let mut sbom_node = json!({ "type": "software_Sbom", "spdxId": sbom, "name": format!("AI inventory of {}", a.organisation), "software_sbomType": ["analyzed"] });
    if !roots.is_empty() {
        sbom_node["rootElement"] = json!(roots);
    }
    if !sbom_elements.is_empty() {
        sbom_node["element"] = json!(sbom_elements);
    }
    g.push(sbom_node);
    let mut all = g.ids.clone();
    all.retain(|i| i != &format!("{}/document", g.ns));
    let doc = json!({
        "type": "SpdxDocument", "spdxId": format!("{}/document", g.ns), "name": format!("{} AI BOM ({})", a.organisation, a.assessed_at),
        "profileConformance": ["core", "software", "ai", "dataset"],
        "rootElement": [sbom],
        "element": all,
    });
    g.push(doc);
    let mut graph = vec![json!({
        "type": "CreationInfo", "@id": "_:creationinfo", "created": created,
        "createdBy": [org], "createdUsing": [tool], "specVersion": "3.0.1",
    })];
    graph.extend(g.nodes);
    json!({ "@context": CONTEXT, "@graph": graph })
}

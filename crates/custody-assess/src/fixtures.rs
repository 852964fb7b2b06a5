//! A fixed input modelled on `examples/acme-bank`, for tests of the rules and of the exports.

use crate::input::*;
use custody_core::records::{Approval, DataFile, Dataset, Evidence, Sensitivity, Source, Training};
use custody_core::{Exposure, Finding, Location, Role};
use serde_json::json;

/// The clock the sample is assessed at.
pub const NOW: &str = "2026-12-01T10:00:00Z";

fn sha(c: char) -> String {
    c.to_string().repeat(64)
}

fn asset(path: &str, kind: &str, format: &str, size: u64, c: char, systems: &[&str]) -> AssetFact {
    AssetFact {
        path: path.into(),
        kind: custody_core::AssetKind::parse(kind).unwrap_or_default(),
        format: format.into(),
        size,
        sha256: sha(c),
        meta: json!({}),
        part_of: None,
        systems: systems.iter().map(|s| s.to_string()).collect(),
    }
}

fn rec<T>(id: i64, key: &str, at: &str, seq: u64, record: T) -> Recorded<T> {
    Recorded { id, key: key.into(), at: at.into(), actor: "ana".into(), role: None, audit_seq: seq, record }
}

/// A bank that is Developer, System Operator and Data Custodian, with an internal fraud model
/// and a public support assistant; one shadow model and one shadow service.
pub fn sample() -> AssessInput {
    let mut base = asset("fraud-scoring/models/base", "model", "hf-model-dir", 2100, 'b', &["fraud-scoring"]);
    base.meta = json!({"architecture": "LlamaForSequenceClassification", "parameter_count": 272, "license": "apache-2.0", "base_models": ["TinyLlama/TinyLlama-1.1B-Chat-v1.0"], "chat_template": true});
    let mut member = asset("fraud-scoring/models/base/model.safetensors", "model", "safetensors", 1500, 'c', &[]);
    member.part_of = Some("fraud-scoring/models/base".into());
    let mut gguf = asset("experiments/tinyllama-q4_k_m.gguf", "model", "gguf", 2800, '7', &[]);
    gguf.meta = json!({"architecture": "llama", "quantization": "Q4_K_M", "name": "Tiny <Llama> & \"friends\""});
    let scan = ScanFacts {
        id: 2,
        root: "/srv/acme-bank".into(),
        started_at: "2026-11-30T09:00:00Z".into(),
        audit_seq: Some(9),
        assets: vec![
            gguf,
            asset("fraud-scoring/data/transactions.jsonl", "dataset", "jsonl", 734, 'a', &["fraud-scoring"]),
            base,
            member,
            asset("fraud-scoring/models/fraud-adapter", "adapter", "peft-adapter", 928, 'd', &["fraud-scoring"]),
            asset("fraud-scoring/models/fraud-scorer.onnx", "model", "onnx", 183, 'e', &["fraud-scoring"]),
            asset("support-assistant/prompts/system_prompt.md", "prompt", "md", 249, 'f', &["support-assistant"]),
        ],
        findings: vec![
            Finding::new(
                custody_scan::InvCode::Unregistered,
                "model `experiments/tinyllama-q4_k_m.gguf` (gguf) is not registered to any system",
                Location::file("experiments/tinyllama-q4_k_m.gguf"),
            ),
            Finding::new(
                custody_scan::InvCode::Unregistered,
                "AI service `anthropic` is used in 1 file(s) but not registered to any system",
                Location::file("experiments/try_claude.ipynb"),
            ),
        ],
        services: vec![
            ServiceFact {
                provider: "anthropic".into(),
                hosts: vec![],
                models: vec!["claude-3-5-sonnet-20241022".into()],
                packages: vec!["anthropic".into()],
                occurrences: vec![("experiments/try_claude.ipynb".into(), 3)],
                systems: vec![],
            },
            ServiceFact {
                provider: "openai".into(),
                hosts: vec!["api.openai.com".into()],
                models: vec!["gpt-4o-mini".into()],
                packages: vec!["openai".into()],
                occurrences: vec![("support-assistant/app.py".into(), 2)],
                systems: vec!["support-assistant".into()],
            },
        ],
        libraries: vec![LibraryFact {
            name: "transformers".into(),
            ecosystem: "pypi".into(),
            provider: Some("huggingface".into()),
            occurrences: vec![("fraud-scoring/train.py".into(), 1)],
        }],
        shadow_assets: vec!["experiments/tinyllama-q4_k_m.gguf".into()],
        shadow_services: vec!["anthropic".into()],
        missing: vec![],
        edges: vec![
            EdgeFact {
                source: "experiments/try_claude.ipynb".into(),
                target: "service:anthropic".into(),
                kind: "calls".into(),
            },
            EdgeFact {
                source: "fraud-scoring/models/base".into(),
                target: "hub-dataset:acme/card-transactions-2026".into(),
                kind: "trained-on".into(),
            },
            EdgeFact {
                source: "fraud-scoring/models/base".into(),
                target: "hub:TinyLlama/TinyLlama-1.1B-Chat-v1.0".into(),
                kind: "fine-tuned-from".into(),
            },
            EdgeFact {
                source: "fraud-scoring/models/fraud-adapter".into(),
                target: "fraud-scoring/models/base".into(),
                kind: "adapts".into(),
            },
            EdgeFact {
                source: "fraud-scoring/serve.py".into(),
                target: "fraud-scoring/models/fraud-scorer.onnx".into(),
                kind: "loads".into(),
            },
            EdgeFact {
                source: "fraud-scoring/train.py".into(),
                target: "fraud-scoring/data/transactions.jsonl".into(),
                kind: "loads".into(),
            },
            EdgeFact {
                source: "support-assistant/app.py".into(),
                target: "service:openai".into(),
                kind: "calls".into(),
            },
        ],
    };
    let dataset = Dataset {
        name: "card-transactions-2026".into(),
        sources: vec![Source {
            url: "https://data.acme.example/card-transactions-2026".into(),
            acquired_at: "2026-10-01T09:00:00Z".into(),
            method: "internal".into(),
        }],
        licence: Some("LicenseRef-acme-internal".into()),
        sensitivity: Sensitivity::Personal,
        owner: Some("fraud team".into()),
        files: vec![DataFile { path: "fraud-scoring/data/transactions.jsonl".into(), sha256: sha('a') }],
        description: "card payments labelled fraud / not fraud".into(),
    };
    AssessInput {
        organisation: "Acme Bank".into(),
        roles: vec![Role::Developer, Role::SystemOperator, Role::DataCustodian],
        systems: vec![
            SystemFacts {
                name: "fraud-scoring".into(),
                exposure: Exposure::Internal,
                description: "Fine-tuned classifier that scores card payments".into(),
                intended_use: "Flag likely fraud for review".into(),
                assets: refs(&["fraud-scoring/models/**", "fraud-scoring/data/**"]),
                services: vec![],
            },
            SystemFacts {
                name: "support-assistant".into(),
                exposure: Exposure::Public,
                description: "Chat assistant on the public website".into(),
                intended_use: "Answer product questions".into(),
                assets: refs(&["support-assistant/prompts/**"]),
                services: vec!["openai".into()],
            },
        ],
        scan: Some(scan),
        datasets: vec![rec(1, "card-transactions-2026", "2026-11-01T10:00:00Z", 4, dataset)],
        approvals: vec![rec(
            2,
            "card-transactions-2026@fraud-scoring",
            "2026-11-02T10:00:00Z",
            5,
            Approval {
                dataset: "card-transactions-2026".into(),
                system: "fraud-scoring".into(),
                scope: "training the internal fraud model".into(),
                addresses_sensitive_data: true,
                file_digests: vec![DataFile { path: "fraud-scoring/data/transactions.jsonl".into(), sha256: sha('a') }],
            },
        )],
        evidence: vec![rec(
            3,
            "5.1.3-1#1",
            "2026-11-03T10:00:00Z",
            6,
            Evidence {
                provision: "5.1.3-1".into(),
                file: Some(DataFile { path: "docs/threat-model.md".into(), sha256: sha('9') }),
                url: None,
                note: "AI threat model <v2>".into(),
            },
        )],
        training: vec![rec(
            4,
            "Ana/AI threats 101",
            "2026-11-04T10:00:00Z",
            7,
            Training {
                person: "Ana".into(),
                staff_role: "ML engineer".into(),
                module: "AI threats 101".into(),
                completed: "2026-11-01".into(),
                expires: Some("2027-11-01".into()),
            },
        )],
        integrity: IntegrityFacts {
            events: vec![IntegrityEvent {
                kind: custody_core::IntegrityKind::Sign,
                subject: "fraud-scoring/models/fraud-scorer.onnx".into(),
                outcome: custody_core::Outcome::Ok,
                at: "2026-11-20T10:00:00Z".into(),
                root_digest: Some(sha('1')),
                snapshot: None,
            }],
            snapshots: vec![SnapshotFact {
                name: "scorer-v1".into(),
                created_at: "2026-11-20T11:00:00Z".into(),
                source: "fraud-scoring/models/fraud-scorer.onnx".into(),
                root_digest: sha('1'),
                files: 1,
                total_bytes: 183,
            }],
        },
        audit: AuditFacts {
            available: true,
            ok: true,
            problems: vec![],
            entries: 12,
            checkpoints: 6,
            config_entries: vec![0, 1, 2],
        },
        disclosure: vec![FileFact { path: "SECURITY.md".into(), sha256: sha('5') }],
        components: vec![ComponentFact {
            component: "hub:acme/base".into(),
            reasons: vec!["revision not pinned".into()],
            record: Some(21),
        }],
        threats: vec![
            ThreatFact {
                system: "fraud-scoring".into(),
                threat: "evasion".into(),
                state: crate::threats::ThreatState::Treated,
                record: Some(22),
            },
            ThreatFact {
                system: "support-assistant".into(),
                threat: "prompt-injection".into(),
                state: crate::threats::ThreatState::Treated,
                record: Some(23),
            },
        ],
    }
}

/// Asset references as custody.toml would hold them.
fn refs(entries: &[&str]) -> Vec<custody_core::AssetRef> {
    entries.iter().map(|e| custody_core::AssetRef::parse(e).expect("a valid fixture glob")).collect()
}

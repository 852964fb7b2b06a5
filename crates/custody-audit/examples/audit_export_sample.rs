//! Writes a deterministic sample audit export (the JSON `custody audit export` will produce) for
//! the independent Python verifier: `scripts/interop-audit` runs this, then
//! `scripts/interop-audit-proofs.py` on the result.
//!
//! Usage: `cargo run -p custody-audit --example audit_export_sample [-- OUT.json]`
//! (default `target/audit-export-sample.json`).

use custody_audit::{Entry, Export, Frontier, KeySchedule, SigningKey, canonical_bytes, leaf_hash, verify_log_with};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

const ORIGIN: &str = "custody.example/sample-audit";
const CHECKPOINT_SIZES: [u64; 6] = [1, 2, 5, 8, 13, 20];

fn entries() -> Vec<Entry> {
    // Payloads exercise what JCS has to get right: member order, non-ASCII and astral keys,
    // escapes, floats in exponent form, the largest exact integer, nesting, null and booleans.
    let payloads = [
        json!({"config": "custody.toml", "roles": ["developer", "system-operator"]}),
        json!({"root": "/srv/models", "assets": 17, "findings": 2, "duration_s": 4.25}),
        json!({"dataset": "reviews-2024", "licence": "CC-BY-4.0", "sensitivity": "personal"}),
        json!({"dataset": "reviews-2024", "system": "support-bot", "use": "fine-tuning", "approved": true}),
        json!({"\u{20ac}": 1, "\r": 2, "\u{fb33}": 3, "1": 4, "\u{1f600}": 5, "\u{80}": 6, "\u{f6}": 7}),
        json!({"numbers": [333333333.3333333, 1e30, 4.5, 0.002, 1e-27, 5e-324, 1.7976931348623157e308]}),
        json!({"string": "\u{20ac}$\u{f}\nA'B\"\\\\\"/", "tab": "\t", "nul": "\u{0}", "del": "\u{7f}"}),
        json!({"max_exact": 9007199254740991u64, "min_exact": -9007199254740991i64, "big_float": 1e21}),
        json!({"component": "bert-base", "justification": "no published hash", "controls": ["pinned revision", "scan"]}),
        json!({"threat": "AML.T0051", "owner": "alice", "treatment": "mitigate", "residual": "low"}),
        json!({"nested": {"b": {"d": [1, {"f": null, "e": false}], "c": ""}, "a": []}}),
        json!({"system": "support-bot", "version": "2.0.0", "evaluation": "sec-eval-17"}),
        json!({"people": 4, "module": "secure-ai-basics", "expires": "2026-03-01"}),
        json!({"snapshot": "snap-0007", "objects": 12, "bytes": 123456789}),
        json!({"restored": "snap-0007", "verified": true}),
        json!({"provision": "5.1.2-1", "url": "https://example.invalid/policy.pdf"}),
        json!({"system": "legacy-ocr", "disposal": ["model", "dataset", "snapshots"], "signed_off_by": "carol"}),
        json!({"fraction": 0.1, "sum": 0.30000000000000004, "negative": -0.000001, "tiny": 1e-7}),
        json!({}),
        json!({"note": "last entry", "emoji": "\u{1f512}"}),
    ];
    let kinds = ["init", "scan", "data.add", "data.approve", "evidence.add"];
    payloads
        .into_iter()
        .enumerate()
        .map(|(i, payload)| Entry {
            seq: i as u64,
            actor: ["alice", "bob", "carol"][i % 3].to_owned(),
            role: [Some("developer"), Some("system-operator"), Some("data-custodian"), None][i % 4].map(str::to_owned),
            at: format!("2025-06-{:02}T09:{:02}:00Z", 1 + i / 4, (i * 7) % 60),
            kind: kinds[i % kinds.len()].to_owned(),
            payload,
            attachment_sha256: (i % 5 == 4).then(|| format!("{:064x}", i * 0x1234_5678)),
            recorded_at: (i % 6 == 5).then(|| format!("2026-12-07T10:{:02}:00Z", i % 60)),
        })
        .collect()
}

fn main() -> ExitCode {
    let out = std::env::args_os().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
            let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            crate_dir.ancestors().nth(2).unwrap_or(crate_dir).join("target")
        });
        target.join("audit-export-sample.json")
    });
    match run(&out) {
        Ok(summary) => {
            println!("wrote {} ({summary})", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("audit_export_sample: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(out: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    // A fixed seed: the sample is byte-for-byte reproducible. Real keys use SigningKey::generate.
    let key = SigningKey::from_seed(ORIGIN, &[0x5a; 32])?;
    // The key is rotated at the middle checkpoint: that checkpoint carries both signatures,
    // later ones only the new key's.
    let next = SigningKey::from_seed(ORIGIN, &[0x6b; 32])?;
    let rotation = CHECKPOINT_SIZES[CHECKPOINT_SIZES.len() / 2];
    let keys = KeySchedule::rotated(&key.verifier(), &[(rotation, next.verifier())]);
    let entries = entries();
    let mut canonical = Vec::new();
    let mut checkpoints = Vec::new();
    let mut frontier = Frontier::new();
    for e in &entries {
        let bytes = canonical_bytes(e)?;
        frontier.push(leaf_hash(&bytes));
        canonical.push(bytes);
        let size = frontier.size();
        if CHECKPOINT_SIZES.contains(&size) {
            checkpoints.push(match size.cmp(&rotation) {
                std::cmp::Ordering::Less => key.sign_checkpoint(ORIGIN, size, &frontier.root())?,
                std::cmp::Ordering::Equal => next.cosign(&key.sign_checkpoint(ORIGIN, size, &frontier.root())?)?,
                std::cmp::Ordering::Greater => next.sign_checkpoint(ORIGIN, size, &frontier.root())?,
            });
        }
    }
    let report = verify_log_with(entries.iter().cloned(), &checkpoints, &keys);
    if !report.is_ok() {
        return Err(format!("the sample log does not verify: {:?}", report.problems).into());
    }
    let last = *CHECKPOINT_SIZES.last().ok_or("no checkpoints")?;
    // Every entry in the newest checkpoint, and the newest entry of each checkpoint in its own.
    let mut inclusion: Vec<(u64, u64)> = (0..last).map(|i| (i, last)).collect();
    inclusion.extend(CHECKPOINT_SIZES.iter().filter(|s| **s != last).flat_map(|&s| [(0, s), (s - 1, s)]));
    // Every pair of checkpoints, and one of equal sizes.
    let mut consistency: Vec<(u64, u64)> = Vec::new();
    for (i, &old) in CHECKPOINT_SIZES.iter().enumerate() {
        for &new in &CHECKPOINT_SIZES[i + 1..] {
            consistency.push((old, new));
        }
    }
    consistency.push((last, last));
    let export = Export::build(&keys, canonical, checkpoints, &inclusion, &consistency)?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, serde_json::to_string_pretty(&export)? + "\n")?;
    Ok(format!(
        "{} entries, {} checkpoints, {} inclusion proofs, {} consistency proofs",
        export.entries.len(),
        export.checkpoints.len(),
        export.inclusion_proofs.len(),
        export.consistency_proofs.len()
    ))
}

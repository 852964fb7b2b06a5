//! Every rule has at least one malicious (or suspicious) sample that triggers it and one benign
//! sample of the same format family that does not; every sample gets exactly the verdict its
//! corpus promises.

use custody_core::Severity;
use custody_modelsec::codes;
use custody_modelsec::fixtures::{Kind, samples};
use std::collections::BTreeSet;

fn codes_of(a: &custody_modelsec::Analysis) -> BTreeSet<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn every_sample_gets_its_codes_and_verdict() {
    let mut failures = Vec::new();
    for s in samples() {
        let a = custody_modelsec::analyze(s.name, &s.bytes, s.bytes.len() as u64);
        let found = codes_of(&a);
        for e in s.expect {
            if !found.contains(e.as_str()) {
                failures.push(format!("{}: expected {e}, got {:?}", s.name, a.findings));
            }
        }
        for c in s.clean {
            if found.contains(c.as_str()) {
                failures.push(format!("{}: must not report {c}: {:?}", s.name, a.findings));
            }
        }
        let high = a.max_severity().is_some_and(|x| x >= Severity::High);
        match s.kind {
            Kind::Malicious if !high && a.inspected => {
                failures.push(format!("{}: malicious but no high/critical finding: {:?}", s.name, a.findings))
            }
            Kind::Benign if high => failures.push(format!("{}: benign but flagged high: {:?}", s.name, a.findings)),
            Kind::Benign if !a.inspected => {
                failures.push(format!("{}: benign but not inspected: {:?}", s.name, a.findings))
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_has_a_triggering_and_a_clean_sample() {
    let all = samples();
    for code in codes::ALL {
        assert!(
            all.iter().any(|s| s.kind != Kind::Benign && s.expect.contains(code)),
            "{code}: no malicious or suspicious sample expects it"
        );
        assert!(
            all.iter().any(|s| s.kind == Kind::Benign && s.clean.contains(code)),
            "{code}: no benign sample covers it"
        );
    }
}

#[test]
fn every_code_is_documented() {
    custody_core::check_rules(codes::ModelCode::RULES).unwrap();
    assert_eq!(codes::ALL.len(), codes::ModelCode::RULES.len());
}

#[test]
fn findings_carry_locations_and_evidence() {
    let s = samples().into_iter().find(|s| s.name == "os_system_v4_framed.pkl").expect("sample");
    let a = custody_modelsec::analyze("m/os.pkl", &s.bytes, s.bytes.len() as u64);
    let f = a.findings.iter().find(|f| f.code == codes::PKL_CRITICAL).expect("critical finding");
    assert_eq!(f.location.path, "m/os.pkl");
    assert!(f.location.offset.is_some());
    let ev = f.evidence.as_deref().unwrap_or("");
    assert!(ev.contains("os.system reached through STACK_GLOBAL at offset 0x"), "{ev}");
    assert!(ev.contains("called by REDUCE"), "{ev}");
    let report = a.pickle.expect("pickle report");
    assert!(report.streams[0].imports.iter().any(|i| i.global == "os.system" && i.verdict == "critical"));
    assert!(report.streams[0].calls.iter().any(|c| c.target == "os.system" && c.argument.as_deref() == Some("id")));
}

#[test]
fn zip_members_are_named_in_locations() {
    let s = samples().into_iter().find(|s| s.name == "pytorch_zip_payload.pt").expect("sample");
    let a = custody_modelsec::analyze("model.pt", &s.bytes, s.bytes.len() as u64);
    let f = a.findings.iter().find(|f| f.code == codes::PKL_CRITICAL).expect("critical");
    assert_eq!(f.location.member.as_deref(), Some("archive/data.pkl"));
}

#[test]
fn templates_are_located_by_line_and_column() {
    let s = samples().into_iter().find(|s| s.name == "gguf_ssti.gguf").expect("sample");
    let a = custody_modelsec::analyze("m.gguf", &s.bytes, s.bytes.len() as u64);
    let f = a.findings.iter().find(|f| f.code == codes::JJA_DUNDER).expect("dunder");
    assert_eq!(f.location.member.as_deref(), Some("tokenizer.chat_template"));
    assert_eq!(f.location.line, Some(1));
    assert!(f.location.column.is_some());
}

#[test]
fn prefixes_of_tail_formats_are_not_inspected() {
    let s = samples().into_iter().find(|s| s.name == "pytorch_state_dict.pt").expect("sample");
    let a = custody_modelsec::analyze("m.pt", &s.bytes[..s.bytes.len() / 2], s.bytes.len() as u64 * 10);
    assert!(!a.inspected);
    assert!(a.findings.iter().any(|f| f.code == codes::ZIP_UNINSPECTABLE));
    assert!(a.max_severity() < Some(Severity::High), "{:?}", a.findings);
}

#[test]
fn prefix_of_a_malicious_zip_still_reports_the_payload() {
    let s = samples().into_iter().find(|s| s.name == "pytorch_zip_payload.pt").expect("sample");
    let a = custody_modelsec::analyze("m.pt", &s.bytes, s.bytes.len() as u64 * 10);
    assert!(!a.inspected);
    assert!(a.findings.iter().any(|f| f.code == codes::PKL_CRITICAL), "{:?}", a.findings);
}

#[test]
fn truncated_pickle_prefix_is_incomplete_not_malformed() {
    let s = samples().into_iter().find(|s| s.name == "torch_legacy.pt").expect("sample");
    let a = custody_modelsec::analyze("m.pt", &s.bytes[..40], s.bytes.len() as u64);
    assert!(!a.inspected);
    assert!(!a.findings.iter().any(|f| f.code == codes::PKL_BROKEN), "{:?}", a.findings);
}

#[test]
fn empty_and_unknown_files_are_clean_and_inspected() {
    for b in [&b""[..], b"hello world", &[0u8; 100]] {
        let a = custody_modelsec::analyze("x.bin", b, b.len() as u64);
        assert!(a.findings.is_empty() && a.inspected && a.format.is_none(), "{a:?}");
    }
}

#[test]
fn joblib_arrays_are_followed_to_the_end_of_the_stream() {
    for name in ["sklearn_logreg.joblib", "sklearn_logreg_zlib.joblib", "sklearn_logreg_gzip.joblib"] {
        let s = samples().into_iter().find(|s| s.name == name).expect("sample");
        let a = custody_modelsec::analyze(name, &s.bytes, s.bytes.len() as u64);
        assert_eq!(a.format, Some(custody_formats::Format::Pickle), "{name}");
        let r = a.pickle.expect("report");
        assert_eq!(r.streams.len(), 1, "{name}: {r:?}");
        assert_eq!(r.streams[0].status, "complete", "{name}");
        assert!(r.streams[0].imports.iter().any(|i| i.global == "sklearn.linear_model._logistic.LogisticRegression"));
        assert!(r.streams[0].imports.iter().all(|i| i.verdict == "allowed"), "{name}: {r:?}");
    }
}

#[test]
fn benign_checkpoints_have_no_findings_at_all() {
    for name in [
        "pytorch_state_dict.pt",
        "torch_legacy.pt",
        "training_args.bin",
        "sklearn_logreg.joblib",
        "model.safetensors",
        "chatml.gguf",
        "dense.keras",
        "tokenizer_config.json",
    ] {
        let s = samples().into_iter().find(|s| s.name == name).expect("sample");
        let a = custody_modelsec::analyze(name, &s.bytes, s.bytes.len() as u64);
        assert!(a.findings.is_empty(), "{name}: {:?}", a.findings);
    }
}

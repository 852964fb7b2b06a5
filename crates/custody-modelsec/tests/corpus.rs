//! The committed corpus (tests/corpus) matches the generator, every malicious file gets a high
//! or critical finding (or is reported uninspectable), and no benign file gets one.

use custody_core::Severity;
use custody_modelsec::fixtures::{Kind, samples};
use std::path::Path;

#[test]
fn corpus_matches_generator_and_verdicts_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut count = [0usize; 3];
    for s in samples() {
        let (dir, i) = match s.kind {
            Kind::Malicious => ("malicious", 0),
            Kind::Benign => ("benign", 1),
            Kind::Suspicious => ("suspicious", 2),
        };
        let path = root.join(dir).join(s.name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; regenerate with `cargo run -p custody-modelsec --example make-corpus`", path.display())
        });
        assert_eq!(bytes, s.bytes, "{} differs from the generator; regenerate the corpus", path.display());
        let a = custody_modelsec::analyze(&format!("{dir}/{}", s.name), &bytes, bytes.len() as u64);
        let high = a.max_severity().is_some_and(|x| x >= Severity::High);
        match s.kind {
            Kind::Malicious => assert!(high || !a.inspected, "{}: {:?}", s.name, a.findings),
            Kind::Benign => assert!(!high && a.inspected, "{}: {:?}", s.name, a.findings),
            Kind::Suspicious => {}
        }
        count[i] += 1;
    }
    // No stray files: every file in the corpus comes from the generator.
    for (dir, n) in [("malicious", count[0]), ("benign", count[1]), ("suspicious", count[2])] {
        let on_disk = std::fs::read_dir(root.join(dir)).map(|d| d.count()).unwrap_or(0);
        assert_eq!(on_disk, n, "{dir}: files on disk vs samples");
    }
    assert!(count[0] >= 100 && count[1] >= 20, "{count:?}");
}

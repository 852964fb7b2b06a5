//! Signatures made by the reference Python `model_signing` 1.1.1 (fixtures written once by
//! `scripts/interop-model-signing --write-fixtures crates/custody-attest/tests/fixtures`): a
//! key-signed files manifest, a key-signed manifest in 100-byte shards (with Python's float
//! `shard_size` and component-wise order) and a certificate-signed one with its CA.

use custody_attest::hashing::{self, IgnoreSet};
use custody_attest::verify::{self, Trust};
use custody_attest::{Bundle, Change, HashAlg, Method, PublicKey, Serialization, SignatureStatus, manifest, x509};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn key() -> Trust {
    let pem = std::fs::read(fixtures().join("python-key.pub")).expect("key");
    Trust::PublicKey(PublicKey::from_pem("python-key.pub", &pem).expect("parse key"))
}

fn ca() -> Trust {
    let pem = std::fs::read(fixtures().join("ca.pem")).expect("ca");
    let anchors = x509::load_certificates("ca.pem", &pem).expect("parse ca");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    Trust::Ca { anchors, now }
}

fn check(model: &Path, sig: &str, trust: &Trust) -> custody_attest::VerifyReport {
    let bytes = std::fs::read(fixtures().join(sig)).expect("sig");
    verify::verify(model, sig, &bytes, trust, None, 2).expect("verify runs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls") {
        let e = e.expect("entry");
        let t = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).expect("copy");
        }
    }
}

#[test]
fn python_signatures_verify() {
    let model = fixtures().join("model");
    for (sig, trust) in [("python-files.sig", key()), ("python-shards-100.sig", key()), ("python-cert.sig", ca())] {
        let r = check(&model, sig, &trust);
        assert!(r.ok(), "{sig}: {:?} {:?} {:?}", r.signature, r.manifest_problem, r.differences);
        assert_eq!(r.stats.files, 5, "{sig}");
    }
    let r = check(&model, "python-cert.sig", &ca());
    assert!(
        matches!(&r.signature, SignatureStatus::Valid { signer } if signer.contains("model signer")),
        "{:?}",
        r.signature
    );
}

#[test]
fn python_shard_manifest_is_read_as_python_wrote_it() {
    let bytes = std::fs::read(fixtures().join("python-shards-100.sig")).expect("sig");
    let b = Bundle::parse("s", &bytes).expect("bundle");
    let (m, root, safe) = manifest::parse_statement("s", &b.payload).expect("statement");
    assert!(safe.is_ok());
    assert_eq!(m.serialization.method, Method::Shards { shard_size: 100 });
    assert!(m.resources.iter().all(|r| r.algorithm == "sha256-sharded-100"));
    // Python's order is by path component: a/b/c.txt before a-b. The subject digest is over
    // the predicate's order, whatever it is.
    assert_eq!(m.resources[0].name, "a/b/c.txt:0:6");
    assert_eq!(m.resources[1].name, "a-b:0:3");
    assert_eq!(m.root_digest(), root);
    // custody hashes the same resources, and orders them by code point (a-b first).
    let ser = Serialization {
        method: Method::Shards { shard_size: 100 },
        hash: HashAlg::Sha256,
        allow_symlinks: false,
        ignore_paths: m.serialization.ignore_paths.clone(),
    };
    let model = hashing::enumerate(&fixtures().join("model"), &IgnoreSet::new(&ser.ignore_paths)).expect("enum");
    let (files, _) = hashing::hash_files(&model.files, &ser, 2, &Default::default()).expect("hash");
    let ours = hashing::manifest_of(&model.name, &ser, &files);
    assert_eq!(ours.resources[0].name, "a-b:0:3");
    let mut a: Vec<_> = ours.resources.iter().map(|r| (r.name.clone(), r.digest.clone())).collect();
    let mut b: Vec<_> = m.resources.iter().map(|r| (r.name.clone(), r.digest.clone())).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_ne!(ours.root_digest(), root, "the order differs, so the subject digest differs");
}

#[test]
fn tampering_with_a_python_signed_model_is_reported_per_file_and_shard() {
    let dir = tempfile::tempdir().expect("tmp");
    let model = dir.path().join("model");
    copy_dir(&fixtures().join("model"), &model);
    let mut w = std::fs::read(model.join("weights.bin")).expect("read");
    w[250] ^= 1;
    std::fs::write(model.join("weights.bin"), &w).expect("write");
    std::fs::write(model.join("new.txt"), b"new").expect("write");
    std::fs::remove_file(model.join("config.json")).expect("rm");

    let r = check(&model, "python-shards-100.sig", &key());
    assert!(!r.ok());
    let d: Vec<(&str, Change)> = r.differences.iter().map(|d| (d.path.as_str(), d.change)).collect();
    assert_eq!(d, [("config.json", Change::Removed), ("new.txt", Change::Added), ("weights.bin", Change::Modified)]);
    let shards: Vec<(u64, u64)> = r.differences[2].shards.iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(shards, [(200, 300)]);

    let r = check(&model, "python-files.sig", &key());
    assert_eq!(r.differences.len(), 3);
    assert!(r.failure().is_some_and(|f| f.contains("1 modified, 1 added, 1 removed")), "{:?}", r.failure());
}

#[test]
fn wrong_key_or_wrong_kind_of_trust_fails_the_signature() {
    let model = fixtures().join("model");
    let other = Trust::PublicKey(custody_attest::PrivateKey::generate().public());
    let r = check(&model, "python-files.sig", &other);
    assert!(
        matches!(&r.signature, SignatureStatus::Invalid { reason } if reason.contains("key mismatch")),
        "{:?}",
        r.signature
    );
    assert!(r.manifest.is_none(), "nothing of an unverified payload is used");
    let r = check(&model, "python-files.sig", &ca());
    assert!(matches!(r.signature, SignatureStatus::Invalid { .. }));
    let r = check(&model, "python-cert.sig", &key());
    assert!(matches!(r.signature, SignatureStatus::Invalid { .. }));
    // A CA valid today, checked at a time before it existed, fails.
    let Trust::Ca { anchors, .. } = ca() else { unreachable!() };
    let r = check(&model, "python-cert.sig", &Trust::Ca { anchors, now: 1_000_000_000 });
    assert!(
        matches!(&r.signature, SignatureStatus::Invalid { reason } if reason.contains("not valid yet")),
        "{:?}",
        r.signature
    );
}

#[test]
fn a_signed_manifest_that_escapes_the_directory_is_refused() {
    // A validly signed statement whose resource names leave the model directory.
    let k = custody_attest::PrivateKey::generate();
    for bad in ["../outside", "/etc/passwd", "a/../../x"] {
        let m = custody_attest::Manifest {
            model_name: "m".into(),
            serialization: Serialization {
                method: Method::Files,
                hash: HashAlg::Sha256,
                allow_symlinks: false,
                ignore_paths: vec![],
            },
            resources: vec![custody_attest::Resource {
                name: bad.into(),
                algorithm: "sha256".into(),
                digest: vec![0; 32],
            }],
        };
        let bundle = custody_attest::bundle::sign_statement(&m.statement_json(), &k, None).expect("sign");
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("x"), b"x").expect("w");
        let r = verify::verify(dir.path(), "s", &bundle, &Trust::PublicKey(k.public()), None, 1).expect("runs");
        assert!(!r.ok());
        assert!(
            r.manifest_problem.as_deref().is_some_and(|p| p.contains("refused")),
            "{bad}: {:?}",
            r.manifest_problem
        );
        assert!(r.differences.is_empty(), "nothing was hashed");
    }
}

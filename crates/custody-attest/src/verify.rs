//! Verification: the signature first, then every file and shard, with a report of each file
//! that was added, removed or modified (and which shards) instead of a bare "fail".

use crate::bundle::{Bundle, Material};
use crate::error::{AttestError, Result};
use crate::hashing::{self, HashStats, HashedFile, IgnoreSet};
use crate::keys::PublicKey;
use crate::manifest::{GIT_PATHS, Manifest, Method, UnsafeManifest, parse_statement};
use crate::x509;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use x509_cert::Certificate;

/// What the verifier trusts.
pub enum Trust {
    /// A public key (key-signed bundles).
    PublicKey(PublicKey),
    /// CA certificates (certificate-chain bundles), checked at `now` (Unix seconds).
    Ca { anchors: Vec<Certificate>, now: u64 },
}

/// The outcome of the signature check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    /// Good; `signer` says by whom (key hint or certificate subject).
    Valid {
        signer: String,
    },
    Invalid {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added,
    Removed,
    Modified,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Modified => "modified",
        }
    }
}

/// One shard that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardChange {
    pub start: u64,
    pub end: u64,
    pub change: Change,
}

/// One file that differs from the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub path: String,
    pub change: Change,
    /// For shard manifests: the shards that differ.
    pub shards: Vec<ShardChange>,
    pub detail: Option<String>,
}

/// Everything verification found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub signature: SignatureStatus,
    /// The signed manifest (present once the signature verified and the payload parsed).
    pub manifest: Option<Manifest>,
    /// Why a validly signed manifest was still refused (names escaping the directory, a
    /// subject digest that does not match the resources).
    pub manifest_problem: Option<String>,
    pub differences: Vec<Difference>,
    pub stats: HashStats,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        matches!(self.signature, SignatureStatus::Valid { .. })
            && self.manifest.is_some()
            && self.manifest_problem.is_none()
            && self.differences.is_empty()
    }

    /// One line saying why verification failed, if it did.
    pub fn failure(&self) -> Option<String> {
        if let SignatureStatus::Invalid { reason } = &self.signature {
            return Some(reason.clone());
        }
        if let Some(p) = &self.manifest_problem {
            return Some(p.clone());
        }
        if !self.differences.is_empty() {
            let count = |c: Change| self.differences.iter().filter(|d| d.change == c).count();
            return Some(format!(
                "the model differs from its signature: {} modified, {} added, {} removed",
                count(Change::Modified),
                count(Change::Added),
                count(Change::Removed)
            ));
        }
        None
    }
}

/// Checks the bundle's signature against `trust`. Keyless Sigstore bundles are an error:
/// custody cannot check Fulcio certificates and Rekor entries offline.
pub fn check_signature(bundle: &Bundle, trust: &Trust) -> Result<SignatureStatus> {
    let invalid = |r: String| Ok(SignatureStatus::Invalid { reason: r });
    match (&bundle.material, trust) {
        (Material::Keyless, _) => Err(AttestError::Unsupported(
            "this is a keyless Sigstore bundle (Fulcio certificate and Rekor log entry); custody verifies key-signed and certificate-chain bundles offline, not keyless ones: verify it with `model_signing verify sigstore` or cosign".into(),
        )),
        (Material::PublicKey { hint }, Trust::PublicKey(key)) => {
            let want = key.hint()?;
            if let Some(h) = hint
                && !h.eq_ignore_ascii_case(&want)
            {
                return invalid(format!("key mismatch: the signature was made with another key (hint {h}, given key {want})"));
            }
            if key.verify(&bundle.pae(), &bundle.signature) {
                Ok(SignatureStatus::Valid { signer: format!("public key sha256:{want}") })
            } else {
                invalid("the signature does not verify with the given public key".into())
            }
        }
        (Material::PublicKey { .. }, Trust::Ca { .. }) => {
            invalid("the bundle is signed with a key, not a certificate: verify it with --public-key".into())
        }
        (Material::CertificateChain(chain), Trust::Ca { anchors, now }) => match x509::verify_chain(chain, anchors, *now) {
            Err(reason) => invalid(reason),
            Ok((leaf, subject)) => {
                if leaf.verify(&bundle.pae(), &bundle.signature) {
                    Ok(SignatureStatus::Valid { signer: format!("certificate {subject}") })
                } else {
                    invalid(format!("the signature does not verify with the key of the certificate `{subject}`"))
                }
            }
        },
        (Material::CertificateChain(_), Trust::PublicKey(_)) => {
            invalid("the bundle is signed with a certificate: verify it with --ca CA.pem".into())
        }
    }
}

/// The signature and then the statement: `Ok((status, manifest, problem))`. A bad signature
/// leaves the manifest out (nothing in an unverified payload is looked at).
pub fn verified_manifest(
    what: &str,
    bundle: &Bundle,
    trust: &Trust,
) -> Result<(SignatureStatus, Option<Manifest>, Option<String>)> {
    let status = check_signature(bundle, trust)?;
    if !matches!(status, SignatureStatus::Valid { .. }) {
        return Ok((status, None, None));
    }
    let (manifest, root, safety) = parse_statement(what, &bundle.payload)?;
    let problem = match safety {
        Err(UnsafeManifest(why)) => Some(format!("the signed manifest is refused: {why}")),
        Ok(()) if manifest.root_digest() != root => {
            Some("the signed manifest is inconsistent: its subject digest does not match its resources".into())
        }
        Ok(()) => None,
    };
    Ok((status, Some(manifest), problem))
}

/// The ignore set a verifier applies: what the manifest recorded, the signature file when it
/// lies inside the model, and the git paths unless the manifest covers them (the reference
/// verifier always ignores them).
pub fn verify_ignores(m: &Manifest, signature_rel: Option<&str>) -> IgnoreSet {
    let mut set = IgnoreSet::new(&m.serialization.ignore_paths);
    let files: BTreeSet<&str> = m.files().into_iter().collect();
    for g in GIT_PATHS {
        let covered = files.iter().any(|f| *f == g || f.strip_prefix(g).is_some_and(|r| r.starts_with('/')));
        if !covered {
            set.add(g);
        }
    }
    if let Some(s) = signature_rel {
        set.add(s);
    }
    set
}

/// Verifies `model` against the signature file `bundle_bytes`: signature, then every file.
/// `signature_rel` is the signature's path relative to the model when it lies inside it.
pub fn verify(
    model: &Path,
    what: &str,
    bundle_bytes: &[u8],
    trust: &Trust,
    signature_rel: Option<&str>,
    threads: usize,
) -> Result<VerifyReport> {
    let bundle = Bundle::parse(what, bundle_bytes)?;
    let (signature, manifest, problem) = verified_manifest(what, &bundle, trust)?;
    let mut report = VerifyReport {
        signature,
        manifest: None,
        manifest_problem: problem,
        differences: Vec::new(),
        stats: HashStats::default(),
    };
    let Some(manifest) = manifest else {
        return Ok(report);
    };
    if report.manifest_problem.is_none() {
        let (hashed, stats) = hash_like(model, &manifest, signature_rel, threads)?;
        report.differences = compare(&manifest, &hashed);
        report.stats = stats;
    }
    report.manifest = Some(manifest);
    Ok(report)
}

/// Hashes `model` the way `m` was made.
pub fn hash_like(
    model: &Path,
    m: &Manifest,
    signature_rel: Option<&str>,
    threads: usize,
) -> Result<(Vec<HashedFile>, HashStats)> {
    let ignore = verify_ignores(m, signature_rel);
    let found = hashing::enumerate(model, &ignore)?;
    hashing::hash_files(&found.files, &m.serialization, threads, &Default::default())
}

type Shards = BTreeMap<(u64, u64), Vec<u8>>;

fn by_file<'a>(method: Method, rs: impl Iterator<Item = (&'a str, &'a [u8])>) -> BTreeMap<String, Shards> {
    let mut map: BTreeMap<String, Shards> = BTreeMap::new();
    for (name, digest) in rs {
        if let Some((p, range)) = crate::manifest::split_name(name, method) {
            map.entry(p.to_string()).or_default().insert(range.unwrap_or((0, 0)), digest.to_vec());
        }
    }
    map
}

/// What differs between the signed manifest and the hashed files, file by file. In a shard
/// manifest a file with no bytes has no shards, so an empty file is indistinguishable from a
/// missing one, as in the reference.
pub fn compare(expected: &Manifest, actual: &[HashedFile]) -> Vec<Difference> {
    let method = expected.serialization.method;
    let exp = by_file(method, expected.resources.iter().map(|r| (r.name.as_str(), r.digest.as_slice())));
    let act =
        by_file(method, actual.iter().flat_map(|f| f.resources.iter()).map(|r| (r.name.as_str(), r.digest.as_slice())));
    let paths: BTreeSet<&String> = exp.keys().chain(act.keys()).collect();
    let mut out = Vec::new();
    for p in paths {
        match (exp.get(p), act.get(p)) {
            (Some(_), None) => {
                out.push(Difference { path: p.clone(), change: Change::Removed, shards: vec![], detail: None })
            }
            (None, Some(_)) => {
                out.push(Difference { path: p.clone(), change: Change::Added, shards: vec![], detail: None })
            }
            (Some(e), Some(a)) if e != a => {
                let mut shards = Vec::new();
                if matches!(method, Method::Shards { .. }) {
                    let ranges: BTreeSet<&(u64, u64)> = e.keys().chain(a.keys()).collect();
                    for r in ranges {
                        let change = match (e.get(r), a.get(r)) {
                            (Some(x), Some(y)) if x == y => continue,
                            (Some(_), Some(_)) => Change::Modified,
                            (Some(_), None) => Change::Removed,
                            (None, _) => Change::Added,
                        };
                        shards.push(ShardChange { start: r.0, end: r.1, change });
                    }
                }
                let size = |s: &Shards| s.keys().map(|k| k.1).max().unwrap_or(0);
                let detail = (matches!(method, Method::Shards { .. }) && size(e) != size(a))
                    .then(|| format!("size {} → {} bytes", size(e), size(a)));
                out.push(Difference { path: p.clone(), change: Change::Modified, shards, detail });
            }
            _ => {}
        }
    }
    out
}

//! Signing, with incremental re-signing: the digests of files that did not change since the
//! previous signature (same size, mtime, ctime, inode and device) are taken from that
//! signature's manifest once its signature verifies with the signing key. The stat of each
//! file at hashing time is kept in a sidecar `<signature>.cache.json`; the digests themselves
//! always come from the signed manifest, never from the sidecar.

use crate::bundle::{self, Bundle};
use crate::error::{AttestError, Result};
use crate::fsutil;
use crate::hashing::{self, FileStat, HashStats, HashedFile, IgnoreSet, Model};
use crate::keys::PrivateKey;
use crate::manifest::{HashAlg, Manifest, Method, Resource, Serialization, parse_statement};
use custody_core::hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const CACHE_FORMAT: &str = "custody.sign-cache/v1";
/// Files modified this close to (or after) the start of hashing are not cached: a write in
/// the same timestamp tick would not change the stat (the "racy clean" problem).
const RACY_NS: i64 = 2_000_000_000;
const MAX_CACHE_BYTES: u64 = 512 << 20;

/// How to sign.
#[derive(Debug, Clone)]
pub struct SignOptions {
    pub method: Method,
    pub hash: HashAlg,
    /// Paths relative to the model directory.
    pub ignore: Vec<String>,
    pub ignore_git_paths: bool,
    pub threads: usize,
    /// Reuse digests of unchanged files from the previous signature.
    pub use_cache: bool,
    /// DER certificates (leaf first) to carry instead of a public-key hint.
    pub chain: Option<Vec<Vec<u8>>>,
}

/// What became of the incremental cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    Off,
    /// No previous signature or cache.
    None,
    /// Present but not used, and why.
    Rejected(String),
    Used {
        reused: u64,
    },
}

/// A finished signature.
#[derive(Debug, Clone)]
pub struct Signed {
    pub manifest: Manifest,
    pub bundle: Vec<u8>,
    pub stats: HashStats,
    pub cache: CacheUse,
    pub files: Vec<HashedFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    format: String,
    /// SHA-256 of the signature file this cache belongs to.
    bundle_sha256: String,
    model: String,
    serialization: String,
    files: BTreeMap<String, FileStat>,
}

/// `signature`'s path relative to the model directory, when it lies inside it.
pub fn relative_inside(model: &Path, signature: &Path) -> Option<String> {
    let root = std::fs::canonicalize(model).ok()?;
    if !root.is_dir() {
        return None;
    }
    let parent = std::fs::canonicalize(fsutil::parent_of(signature)).ok()?;
    let full = parent.join(signature.file_name()?);
    let rel = full.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let s = parts?.join("/");
    (!s.is_empty()).then_some(s)
}

/// The sidecar cache of a signature file.
pub fn cache_path(signature: &Path) -> PathBuf {
    let mut s = signature.as_os_str().to_owned();
    s.push(".cache.json");
    PathBuf::from(s)
}

/// The serialization and ignore set of a signing run.
pub fn plan(model: &Path, signature: Option<&Path>, opts: &SignOptions) -> Result<(Serialization, IgnoreSet)> {
    if opts.hash == HashAlg::Blake2b {
        return Err(AttestError::Unsupported(
            "custody verifies BLAKE2b manifests but signs with sha256 or blake3".into(),
        ));
    }
    if let Method::Shards { shard_size: 0 } = opts.method {
        return Err(AttestError::Invalid("the shard size must be at least 1 byte".into()));
    }
    let mut ignore = IgnoreSet::new(&opts.ignore);
    if opts.ignore_git_paths {
        ignore = ignore.with_git_paths();
    }
    if let Some(sig) = signature
        && let Some(rel) = relative_inside(model, sig)
    {
        ignore.add(&rel);
        if let Some(c) = relative_inside(model, &cache_path(sig)) {
            ignore.add(&c);
        }
    }
    let ser = Serialization {
        method: opts.method,
        hash: opts.hash,
        allow_symlinks: false,
        ignore_paths: ignore.paths().to_vec(),
    };
    Ok((ser, ignore))
}

/// Hashes `model` and signs its manifest without writing anything.
pub fn sign_model(
    model: &Model,
    ser: &Serialization,
    key: &PrivateKey,
    opts: &SignOptions,
    reuse: &HashMap<String, Vec<Resource>>,
) -> Result<Signed> {
    if model.files.is_empty() {
        return Err(AttestError::Empty { path: model.root.clone() });
    }
    let (files, stats) = hashing::hash_files(&model.files, ser, opts.threads, reuse)?;
    let manifest = hashing::manifest_of(&model.name, ser, &files);
    let bundle = bundle::sign_statement(&manifest.statement_json(), key, opts.chain.as_deref())?;
    Ok(Signed { manifest, bundle, stats, cache: CacheUse::Off, files })
}

/// Signs `model` and writes the signature to `signature` (and its sidecar cache), atomically.
pub fn sign(model_path: &Path, signature: &Path, key: &PrivateKey, opts: &SignOptions) -> Result<Signed> {
    let (ser, ignore) = plan(model_path, Some(signature), opts)?;
    let model = hashing::enumerate(model_path, &ignore)?;
    let model_key = std::fs::canonicalize(model_path).map_err(|e| AttestError::io("read", model_path, e))?;
    let model_key = model_key.to_string_lossy().into_owned();
    let (reuse, cache_use) = if opts.use_cache {
        match previous(signature, key, &ser, &model_key, &model) {
            Ok(Some(m)) => {
                let n = m.len() as u64;
                (m, CacheUse::Used { reused: n })
            }
            Ok(None) => (HashMap::new(), CacheUse::None),
            Err(why) => (HashMap::new(), CacheUse::Rejected(why)),
        }
    } else {
        (HashMap::new(), CacheUse::Off)
    };
    let started = now_ns();
    let mut signed = sign_model(&model, &ser, key, opts, &reuse)?;
    signed.cache = match cache_use {
        CacheUse::Used { .. } => CacheUse::Used { reused: signed.stats.files_reused },
        other => other,
    };
    fsutil::atomic_write(signature, &signed.bundle, None)?;
    // The cache is an optimisation: without it the next run hashes everything.
    let cutoff = started.saturating_sub(RACY_NS);
    let cache = CacheFile {
        format: CACHE_FORMAT.into(),
        bundle_sha256: hex::encode(&Sha256::digest(&signed.bundle)),
        model: model_key,
        serialization: ser.key(),
        files: signed
            .files
            .iter()
            .filter(|f| f.stat.mtime_ns < cutoff && f.stat.ctime_ns < cutoff)
            .map(|f| (f.rel.clone(), f.stat))
            .collect(),
    };
    let bytes =
        serde_json::to_vec(&cache).map_err(|e| AttestError::Invalid(format!("cannot encode the cache: {e}")))?;
    fsutil::atomic_write(&cache_path(signature), &bytes, None)?;
    Ok(signed)
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The reusable resources of unchanged files, from the previous signature at `signature` once
/// it verifies with `key`. `Ok(None)`: there is nothing to reuse; `Err`: why it was not used.
fn previous(
    signature: &Path,
    key: &PrivateKey,
    ser: &Serialization,
    model_key: &str,
    model: &Model,
) -> std::result::Result<Option<HashMap<String, Vec<Resource>>>, String> {
    let cpath = cache_path(signature);
    if !signature.exists() || !cpath.exists() {
        return Ok(None);
    }
    let prev = fsutil::read_limited(signature, bundle::MAX_BUNDLE_BYTES, "signature").map_err(|e| e.to_string())?;
    let cbytes = fsutil::read_limited(&cpath, MAX_CACHE_BYTES, "cache").map_err(|e| e.to_string())?;
    let cache: CacheFile = serde_json::from_slice(&cbytes).map_err(|e| format!("the cache does not parse: {e}"))?;
    if cache.format != CACHE_FORMAT {
        return Err(format!("unknown cache format {}", cache.format));
    }
    if cache.bundle_sha256 != hex::encode(&Sha256::digest(&prev)) {
        return Err("the cache belongs to another signature file".into());
    }
    if cache.model != model_key || cache.serialization != ser.key() {
        return Err("the previous signature was made for another directory or another serialization".into());
    }
    let what = signature.display().to_string();
    let b = Bundle::parse(&what, &prev).map_err(|e| e.to_string())?;
    if !key.public().verify(&b.pae(), &b.signature) {
        return Err("the previous signature was made with another key".into());
    }
    let (m, root, safe) = parse_statement(&what, &b.payload).map_err(|e| e.to_string())?;
    if safe.is_err() || m.root_digest() != root || m.serialization.key() != ser.key() {
        return Err("the previous manifest is not usable".into());
    }
    let mut by_file: HashMap<&str, Vec<(u64, &Resource)>> = HashMap::new();
    for r in &m.resources {
        if let Some((p, range)) = r.split(m.serialization.method) {
            by_file.entry(p).or_default().push((range.map_or(0, |x| x.0), r));
        }
    }
    let algorithm = ser.resource_algorithm();
    let mut out = HashMap::new();
    for f in &model.files {
        let (Some(c), Some(rs)) = (cache.files.get(&f.rel), by_file.get_mut(f.rel.as_str())) else {
            continue;
        };
        if !c.same_content(&f.stat) {
            continue;
        }
        rs.sort_by_key(|(s, _)| *s);
        let covers = match m.serialization.method {
            Method::Files => rs.len() == 1,
            Method::Shards { .. } => rs
                .last()
                .and_then(|(_, r)| r.split(m.serialization.method))
                .and_then(|(_, x)| x)
                .is_some_and(|x| x.1 == f.stat.size),
        };
        if covers {
            let v = rs.iter().map(|(_, r)| Resource { algorithm: algorithm.clone(), ..(*r).clone() }).collect();
            out.insert(f.rel.clone(), v);
        }
    }
    Ok(Some(out))
}

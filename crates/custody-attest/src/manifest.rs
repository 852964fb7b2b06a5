//! The manifest: one resource per file (or per file shard), the serialization that says how to
//! re-hash, and the in-toto Statement v1 carrying the model-signing v1.0 predicate.

use crate::error::{AttestError, Result};
use custody_core::hex;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// The legacy (model-signing 0.2) predicate: recognised only to say it is not supported.
pub const LEGACY_PREDICATE_TYPE: &str = "https://model_signing/Digests/v0.1";
/// The paths `ignore_git_paths` adds, as the reference implementation records them.
pub const GIT_PATHS: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];
/// The reference implementation's default shard size.
pub const DEFAULT_SHARD_SIZE: u64 = 1_000_000_000;
/// Largest number of resources accepted from a signature (a 500 GB model in 1 MB shards).
pub const MAX_RESOURCES: usize = 1_000_000;

/// A content hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    Sha256,
    Blake3,
    /// BLAKE2b-512: verification of bundles the Python API made; custody does not sign with it.
    Blake2b,
}

impl HashAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Blake3 => "blake3",
            HashAlg::Blake2b => "blake2b",
        }
    }

    pub fn parse(s: &str) -> Option<HashAlg> {
        match s {
            "sha256" => Some(HashAlg::Sha256),
            "blake3" => Some(HashAlg::Blake3),
            "blake2b" | "blake2" => Some(HashAlg::Blake2b),
            _ => None,
        }
    }

    pub fn digest_len(self) -> usize {
        match self {
            HashAlg::Sha256 | HashAlg::Blake3 => 32,
            HashAlg::Blake2b => 64,
        }
    }
}

/// How a model is cut into resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// One resource per file.
    Files,
    /// One resource per `shard_size` bytes of each file; empty files give no resource.
    Shards { shard_size: u64 },
}

/// How the manifest was made: what a verifier needs to re-hash the model the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serialization {
    pub method: Method,
    pub hash: HashAlg,
    pub allow_symlinks: bool,
    /// Relative POSIX paths left out of the manifest (a directory leaves out what is under it).
    pub ignore_paths: Vec<String>,
}

impl Serialization {
    /// The `algorithm` string of a resource. Shards use `<hash>-sharded-<size>` like the Python
    /// reference, which requires it; the spec's schema says plain `<hash>` (verifiers here
    /// accept both).
    pub fn resource_algorithm(&self) -> String {
        match self.method {
            Method::Files => self.hash.as_str().to_string(),
            Method::Shards { shard_size } => format!("{}-sharded-{shard_size}", self.hash.as_str()),
        }
    }

    /// Whether `algorithm` of a resource in a manifest of this serialization is acceptable.
    pub fn accepts_algorithm(&self, algorithm: &str) -> bool {
        algorithm == self.hash.as_str() || algorithm == self.resource_algorithm()
    }

    /// A short stable key: two manifests with the same key hash files the same way.
    pub fn key(&self) -> String {
        match self.method {
            Method::Files => format!("files/{}", self.hash.as_str()),
            Method::Shards { shard_size } => format!("shards/{}/{shard_size}", self.hash.as_str()),
        }
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        match self.method {
            Method::Files => {
                m.insert("method".into(), json!("files"));
                m.insert("hash_type".into(), json!(self.hash.as_str()));
            }
            Method::Shards { shard_size } => {
                m.insert("method".into(), json!("shards"));
                m.insert("hash_type".into(), json!(self.hash.as_str()));
                // An integer: the Python reference writes a float and then cannot read it back.
                m.insert("shard_size".into(), json!(shard_size));
            }
        }
        m.insert("allow_symlinks".into(), json!(self.allow_symlinks));
        if !self.ignore_paths.is_empty() {
            m.insert("ignore_paths".into(), json!(self.ignore_paths));
        }
        Value::Object(m)
    }
}

/// One manifest entry: a file (`name` = relative POSIX path) or a shard (`path:start:end`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub algorithm: String,
    pub digest: Vec<u8>,
}

impl Resource {
    /// The file a resource covers and, for a shard, its byte range.
    pub fn split(&self, method: Method) -> Option<(&str, Option<(u64, u64)>)> {
        split_name(&self.name, method)
    }
}

/// `path` and, for shards, `(start, end)` of a resource name. `None` when a shard name is not
/// `path:start:end` with `start < end`.
pub fn split_name(name: &str, method: Method) -> Option<(&str, Option<(u64, u64)>)> {
    match method {
        Method::Files => Some((name, None)),
        Method::Shards { .. } => {
            // Paths may contain ':'; the last two fields are the range.
            let mut it = name.rsplitn(3, ':');
            let end: u64 = it.next()?.parse().ok()?;
            let start: u64 = it.next()?.parse().ok()?;
            let path = it.next()?;
            (start < end).then_some((path, Some((start, end))))
        }
    }
}

pub fn shard_name(path: &str, start: u64, end: u64) -> String {
    format!("{path}:{start}:{end}")
}

/// The shard ranges of a file of `size` bytes: `[0, s) [s, 2s) … [ks, size)`; none when empty.
pub fn shard_ranges(size: u64, shard_size: u64) -> Vec<(u64, u64)> {
    let mut v = Vec::new();
    let step = shard_size.max(1);
    let mut start = 0;
    while start < size {
        let end = start.saturating_add(step).min(size);
        v.push((start, end));
        start = end;
    }
    v
}

/// A model's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The statement subject's name: the model directory's (or file's) base name.
    pub model_name: String,
    pub serialization: Serialization,
    /// In the order of the predicate. Manifests custody makes are in canonical order.
    pub resources: Vec<Resource>,
}

impl Manifest {
    /// Sorts resources in the canonical order of the spec: by name, Unicode code point order
    /// (the byte order of UTF-8). The Python reference sorts by path components instead;
    /// verifiers do not depend on the order.
    pub fn canonicalize(&mut self) {
        self.resources.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    }

    /// SHA-256 over the concatenated raw digests, in manifest order: the statement subject.
    pub fn root_digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for r in &self.resources {
            h.update(&r.digest);
        }
        h.finalize().into()
    }

    /// The in-toto Statement v1 (compact JSON) that is signed.
    pub fn statement_json(&self) -> Vec<u8> {
        let resources: Vec<Value> = self
            .resources
            .iter()
            .map(|r| json!({"name": r.name, "algorithm": r.algorithm, "digest": hex::encode(&r.digest)}))
            .collect();
        let v = json!({
            "_type": STATEMENT_TYPE,
            "subject": [{"name": self.model_name, "digest": {"sha256": hex::encode(&self.root_digest())}}],
            "predicateType": PREDICATE_TYPE,
            "predicate": {
                "serialization": self.serialization.to_json(),
                "resources": resources,
            },
        });
        serde_json::to_vec(&v).unwrap_or_default()
    }

    /// The files the manifest covers, in manifest order, each once.
    pub fn files(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        let mut v = Vec::new();
        for r in &self.resources {
            if let Some((p, _)) = r.split(self.serialization.method)
                && seen.insert(p)
            {
                v.push(p);
            }
        }
        v
    }
}

/// Why a signed manifest is refused even though its signature is good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeManifest(pub String);

/// Parses a statement's JSON into a manifest. Structural problems are errors (`what` names the
/// signature file); names that are absolute, escape the directory or repeat are returned as
/// [`UnsafeManifest`] in the inner result, a verification failure.
pub fn parse_statement(
    what: &str,
    payload: &[u8],
) -> Result<(Manifest, [u8; 32], std::result::Result<(), UnsafeManifest>)> {
    let bad = |d: String| AttestError::malformed(what, d);
    let v: Value = serde_json::from_slice(payload).map_err(|e| bad(format!("the statement is not JSON: {e}")))?;
    let o = v.as_object().ok_or_else(|| bad("the statement is not a JSON object".into()))?;
    match o.get("_type").and_then(Value::as_str) {
        Some(STATEMENT_TYPE) => {}
        other => return Err(bad(format!("statement _type is {other:?}, expected {STATEMENT_TYPE}"))),
    }
    match o.get("predicateType").and_then(Value::as_str) {
        Some(PREDICATE_TYPE) => {}
        Some(LEGACY_PREDICATE_TYPE) => {
            return Err(AttestError::Unsupported(format!(
                "{what} uses the legacy predicate {LEGACY_PREDICATE_TYPE} (model-signing 0.2); custody verifies v1.0 signatures only"
            )));
        }
        other => return Err(bad(format!("predicateType is {other:?}, expected {PREDICATE_TYPE}"))),
    }
    let subjects = o.get("subject").and_then(Value::as_array).ok_or_else(|| bad("no subject".into()))?;
    let [subject] = subjects.as_slice() else {
        return Err(bad(format!("the statement has {} subjects, expected exactly one", subjects.len())));
    };
    let model_name = subject.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let root_hex = subject
        .get("digest")
        .and_then(|d| d.get("sha256"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad("the subject has no sha256 digest".into()))?;
    let root: [u8; 32] = hex::decode(root_hex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| bad("the subject digest is not 32 bytes of hex".into()))?;
    let pred = o.get("predicate").and_then(Value::as_object).ok_or_else(|| bad("no predicate".into()))?;
    let ser = pred.get("serialization").and_then(Value::as_object).ok_or_else(|| bad("no serialization".into()))?;
    let hash_s = ser.get("hash_type").and_then(Value::as_str).ok_or_else(|| bad("no hash_type".into()))?;
    let hash = HashAlg::parse(hash_s)
        .ok_or_else(|| AttestError::Unsupported(format!("{what}: hash type `{hash_s}` is not supported")))?;
    let method = match ser.get("method").and_then(Value::as_str) {
        Some("files") => Method::Files,
        Some("shards") => {
            let s = ser.get("shard_size").ok_or_else(|| bad("shards without shard_size".into()))?;
            // Python writes an integral float (1000000000.0); accept that and integers.
            let size = s
                .as_u64()
                .or_else(|| s.as_f64().filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f < 9.0e15).map(|f| f as u64))
                .filter(|n| *n > 0)
                .ok_or_else(|| bad(format!("shard_size {s} is not a positive integer")))?;
            Method::Shards { shard_size: size }
        }
        other => {
            return Err(AttestError::Unsupported(format!("{what}: serialization method {other:?} is not supported")));
        }
    };
    let allow_symlinks = ser.get("allow_symlinks").and_then(Value::as_bool).unwrap_or(false);
    let ignore_paths: Vec<String> = match ser.get("ignore_paths") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect(),
        Some(_) => return Err(bad("ignore_paths is not a list".into())),
    };
    let serialization = Serialization { method, hash, allow_symlinks, ignore_paths };
    let rs = pred.get("resources").and_then(Value::as_array).ok_or_else(|| bad("no resources".into()))?;
    if rs.len() > MAX_RESOURCES {
        return Err(bad(format!("{} resources, more than the {MAX_RESOURCES} custody accepts", rs.len())));
    }
    let mut resources = Vec::with_capacity(rs.len());
    for (i, r) in rs.iter().enumerate() {
        let name = r.get("name").and_then(Value::as_str).ok_or_else(|| bad(format!("resource {i} has no name")))?;
        let algorithm =
            r.get("algorithm").and_then(Value::as_str).ok_or_else(|| bad(format!("resource {i} has no algorithm")))?;
        let d = r.get("digest").and_then(Value::as_str).ok_or_else(|| bad(format!("resource {i} has no digest")))?;
        let digest = hex::decode(d).ok_or_else(|| bad(format!("resource {i} digest is not hex")))?;
        resources.push(Resource { name: name.to_string(), algorithm: algorithm.to_string(), digest });
    }
    let manifest = Manifest { model_name, serialization, resources };
    let safety = check_names(&manifest);
    Ok((manifest, root, safety))
}

/// Refuses names that would make a verifier or a restore touch anything outside the model:
/// absolute paths, `..`, empty or `.` components (except the single-file name `.`), NUL,
/// backslashes, and repeated names; and resources whose algorithm or digest length do not fit
/// the serialization.
pub fn check_names(m: &Manifest) -> std::result::Result<(), UnsafeManifest> {
    let mut names = HashSet::with_capacity(m.resources.len());
    let single_file = m.resources.iter().all(|r| r.split(m.serialization.method).is_some_and(|(p, _)| p == "."));
    for r in &m.resources {
        if !names.insert(r.name.as_str()) {
            return Err(UnsafeManifest(format!("the manifest names `{}` twice", r.name)));
        }
        let Some((path, _)) = r.split(m.serialization.method) else {
            return Err(UnsafeManifest(format!("`{}` is not a shard name (path:start:end)", r.name)));
        };
        if !(single_file && path == ".") {
            check_relative_path(path).map_err(UnsafeManifest)?;
        }
        if !m.serialization.accepts_algorithm(&r.algorithm) {
            return Err(UnsafeManifest(format!(
                "`{}` has algorithm `{}`, but the manifest says {}",
                r.name,
                r.algorithm,
                m.serialization.resource_algorithm()
            )));
        }
        if r.digest.len() != m.serialization.hash.digest_len() {
            return Err(UnsafeManifest(format!("`{}` has a digest of {} bytes", r.name, r.digest.len())));
        }
    }
    if let Method::Shards { shard_size } = m.serialization.method {
        // Shards of one file must be the consecutive ranges the shard size gives.
        let mut by_file: std::collections::BTreeMap<&str, Vec<(u64, u64)>> = Default::default();
        for r in &m.resources {
            if let Some((p, Some(range))) = r.split(m.serialization.method) {
                by_file.entry(p).or_default().push(range);
            }
        }
        for (p, mut ranges) in by_file {
            ranges.sort_unstable();
            let mut next = 0;
            for (i, (s, e)) in ranges.iter().enumerate() {
                let last = i + 1 == ranges.len();
                if *s != next || e - s > shard_size || (!last && e - s != shard_size) {
                    return Err(UnsafeManifest(format!(
                        "the shards of `{p}` do not tile the file in {shard_size}-byte steps"
                    )));
                }
                next = *e;
            }
        }
    }
    Ok(())
}

/// A manifest name must be a relative POSIX path that stays inside the model directory.
pub fn check_relative_path(path: &str) -> std::result::Result<(), String> {
    if path.is_empty() {
        return Err("an empty name".into());
    }
    if path.starts_with('/') {
        return Err(format!("`{path}` is an absolute path"));
    }
    if path.contains('\0') || path.contains('\\') {
        return Err(format!("`{}` contains a NUL or a backslash", path.escape_debug()));
    }
    for c in path.split('/') {
        match c {
            ".." => return Err(format!("`{path}` escapes the model directory")),
            "" | "." => return Err(format!("`{path}` is not a normalised relative path")),
            _ => {}
        }
    }
    // A Windows drive prefix is absolute there.
    let b = path.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err(format!("`{path}` is an absolute path"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(name: &str) -> Resource {
        Resource { name: name.into(), algorithm: "sha256".into(), digest: vec![0; 32] }
    }

    fn files(names: &[&str]) -> Manifest {
        Manifest {
            model_name: "m".into(),
            serialization: Serialization {
                method: Method::Files,
                hash: HashAlg::Sha256,
                allow_symlinks: false,
                ignore_paths: vec![],
            },
            resources: names.iter().map(|n| res(n)).collect(),
        }
    }

    #[test]
    fn canonical_order_is_code_point_order() {
        let mut m = files(&["a/b", "a-b", "B", "a.b", "é", "z", "a"]);
        m.canonicalize();
        let names: Vec<&str> = m.resources.iter().map(|r| r.name.as_str()).collect();
        // '-' (0x2d) < '.' (0x2e) < '/' (0x2f); uppercase before lowercase; non-ASCII last.
        assert_eq!(names, ["B", "a", "a-b", "a.b", "a/b", "z", "é"]);
    }

    #[test]
    fn shard_names_sort_as_strings() {
        let mut m = files(&["w:9000000000:10000000000", "w:10000000000:11000000000", "w:0:1000000000"]);
        m.canonicalize();
        let names: Vec<&str> = m.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["w:0:1000000000", "w:10000000000:11000000000", "w:9000000000:10000000000"]);
    }

    #[test]
    fn root_digest_is_sha256_of_raw_digests_in_order() {
        let mut m = files(&["a", "b"]);
        m.resources[0].digest = vec![1; 32];
        m.resources[1].digest = vec![2; 32];
        let mut h = Sha256::new();
        h.update([1u8; 32]);
        h.update([2u8; 32]);
        assert_eq!(m.root_digest(), <[u8; 32]>::from(h.finalize()));
        m.resources.swap(0, 1);
        assert_ne!(m.root_digest(), <[u8; 32]>::from(Sha256::digest([[1u8; 32], [2u8; 32]].concat())));
    }

    #[test]
    fn path_escapes_and_duplicates_are_rejected() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "", "C:/x", "a\\..\\b", "a\0b", "a/.."] {
            assert!(check_names(&files(&["ok", bad])).is_err(), "{bad:?}");
        }
        assert!(check_names(&files(&["a", "a"])).is_err());
        assert!(check_names(&files(&["a/b", "..a", "a..", ".hidden/x"])).is_ok());
        // `.` is the name of a single-file model, and only then.
        assert!(check_names(&files(&["."])).is_ok());
        assert!(check_names(&files(&[".", "a"])).is_err());
    }

    #[test]
    fn shard_names_and_ranges() {
        let m = Method::Shards { shard_size: 10 };
        assert_eq!(split_name("a:b/c:0:10", m), Some(("a:b/c", Some((0, 10)))));
        assert_eq!(split_name("c:10:10", m), None);
        assert_eq!(split_name("c:x:10", m), None);
        assert_eq!(split_name("c10", m), None);
        assert_eq!(shard_ranges(0, 10), vec![]);
        assert_eq!(shard_ranges(1, 10), vec![(0, 1)]);
        assert_eq!(shard_ranges(10, 10), vec![(0, 10)]);
        assert_eq!(shard_ranges(20, 10), vec![(0, 10), (10, 20)]);
        assert_eq!(shard_ranges(21, 10), vec![(0, 10), (10, 20), (20, 21)]);
    }

    #[test]
    fn shards_must_tile_files() {
        let mut m = files(&["w:0:10", "w:10:20", "w:20:25"]);
        m.serialization.method = Method::Shards { shard_size: 10 };
        for r in &mut m.resources {
            r.algorithm = "sha256-sharded-10".into();
        }
        assert!(check_names(&m).is_ok());
        m.resources[2].name = "w:20:31".into();
        assert!(check_names(&m).is_err());
        m.resources[2].name = "w:21:25".into();
        assert!(check_names(&m).is_err());
        m.resources[2].name = "w:20:25".into();
        m.resources[1].algorithm = "sha256".into(); // the spec's spelling is accepted too
        assert!(check_names(&m).is_ok());
        m.resources[1].algorithm = "sha256-sharded-11".into();
        assert!(check_names(&m).is_err());
    }

    #[test]
    fn statement_round_trips() {
        let mut m = files(&["b", "a/x"]);
        m.serialization.ignore_paths = vec![".git".into(), "model.sig".into()];
        m.canonicalize();
        let json = m.statement_json();
        let (back, root, safe) = parse_statement("t", &json).expect("parse");
        assert!(safe.is_ok());
        assert_eq!(back, m);
        assert_eq!(root, m.root_digest());
    }

    #[test]
    fn python_float_shard_size_is_accepted() {
        let j = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}],
          "predicateType":"https://model_signing/signature/v1.0",
          "predicate":{"serialization":{"method":"shards","hash_type":"sha256","shard_size":8.0,"allow_symlinks":false},"resources":[]}}"#;
        let (m, _, _) = parse_statement("t", j).expect("parse");
        assert_eq!(m.serialization.method, Method::Shards { shard_size: 8 });
        let j2 = String::from_utf8_lossy(j).replace("8.0", "8.5");
        assert!(parse_statement("t", j2.as_bytes()).is_err());
    }
}

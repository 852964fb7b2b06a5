//! Hashing a model exactly as OpenSSF model signing does: enumerate regular files (no links),
//! leave out ignored paths, hash each file or each shard with streamed reads, in parallel over
//! files and shards. Memory is bounded by one read buffer per worker, whatever the model size.

use crate::error::{AttestError, Result};
use crate::manifest::{
    GIT_PATHS, HashAlg, Manifest, Method, Resource, Serialization, check_relative_path, shard_name, shard_ranges,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Bytes read per `read` call (the reference reads 1 MiB chunks).
pub const CHUNK: usize = 1 << 20;

/// What identifies a file's content without reading it. A file is taken as unchanged only when
/// all of these are equal; `ctime` changes on every write and cannot be set by a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
    pub dev: u64,
    /// Permission bits (restored by `restore`).
    pub mode: u32,
}

impl FileStat {
    pub fn of(meta: &fs::Metadata) -> FileStat {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileStat {
                size: meta.len(),
                mtime_ns: meta.mtime().saturating_mul(1_000_000_000).saturating_add(meta.mtime_nsec()),
                ctime_ns: meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec()),
                inode: meta.ino(),
                dev: meta.dev(),
                mode: meta.mode() & 0o7777,
            }
        }
        #[cfg(not(unix))]
        {
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
            FileStat { size: meta.len(), mtime_ns, ctime_ns: 0, inode: 0, dev: 0, mode: 0o644 }
        }
    }

    /// Same content, as far as metadata can tell (permissions do not matter).
    pub fn same_content(&self, other: &FileStat) -> bool {
        self.size == other.size
            && self.mtime_ns == other.mtime_ns
            && self.ctime_ns == other.ctime_ns
            && self.inode == other.inode
            && self.dev == other.dev
    }
}

/// One file of a model.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Relative POSIX path (`.` for a single-file model).
    pub rel: String,
    pub path: PathBuf,
    pub stat: FileStat,
}

/// Paths left out of a manifest.
#[derive(Debug, Clone, Default)]
pub struct IgnoreSet {
    paths: Vec<String>,
}

impl IgnoreSet {
    /// From relative POSIX paths; `./a/` becomes `a`. Paths that would leave the model are
    /// dropped (they cannot match anything inside it).
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(paths: I) -> IgnoreSet {
        let mut v: Vec<String> = paths.into_iter().filter_map(|p| normalise(p.as_ref())).collect();
        v.sort();
        v.dedup();
        IgnoreSet { paths: v }
    }

    pub fn with_git_paths(mut self) -> IgnoreSet {
        self.paths.extend(GIT_PATHS.iter().map(|s| s.to_string()));
        self.paths.sort();
        self.paths.dedup();
        self
    }

    pub fn add(&mut self, p: &str) {
        if let Some(n) = normalise(p) {
            self.paths.push(n);
            self.paths.sort();
            self.paths.dedup();
        }
    }

    /// `rel` is ignored when it is an ignored path or lies under one.
    pub fn matches(&self, rel: &str) -> bool {
        self.paths
            .iter()
            .any(|p| rel == p || (rel.starts_with(p.as_str()) && rel.as_bytes().get(p.len()) == Some(&b'/')))
    }

    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

fn normalise(p: &str) -> Option<String> {
    if p.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = p.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    let s = parts.join("/");
    check_relative_path(&s).ok().map(|()| s)
}

/// A model on disk: a directory or one file.
#[derive(Debug, Clone)]
pub struct Model {
    pub root: PathBuf,
    pub is_file: bool,
    /// The statement subject name: the base name of the (resolved) path.
    pub name: String,
    pub files: Vec<FileEntry>,
}

/// Lists the regular files of `root` (a directory or a file), leaving out `ignore`. Links,
/// sockets and devices are refused, as the reference does without `allow_symlinks`.
pub fn enumerate(root: &Path, ignore: &IgnoreSet) -> Result<Model> {
    let meta = fs::symlink_metadata(root).map_err(|e| AttestError::io("read", root, e))?;
    if meta.file_type().is_symlink() {
        return Err(AttestError::Symlink { path: root.to_path_buf() });
    }
    let resolved = fs::canonicalize(root).map_err(|e| AttestError::io("read", root, e))?;
    let name = resolved.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if meta.is_file() {
        let files = vec![FileEntry { rel: ".".into(), path: root.to_path_buf(), stat: FileStat::of(&meta) }];
        return Ok(Model { root: root.to_path_buf(), is_file: true, name, files });
    }
    if !meta.is_dir() {
        return Err(AttestError::Special { path: root.to_path_buf() });
    }
    let mut files = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let rd = fs::read_dir(&dir).map_err(|e| AttestError::io("list", &dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| AttestError::io("list", &dir, e))?;
            let path = entry.path();
            let fname = entry.file_name();
            let fname = fname.to_str().ok_or_else(|| AttestError::NotUtf8 { path: path.clone() })?;
            let rel = if prefix.is_empty() { fname.to_string() } else { format!("{prefix}/{fname}") };
            if ignore.matches(&rel) {
                continue;
            }
            let meta = fs::symlink_metadata(&path).map_err(|e| AttestError::io("read", &path, e))?;
            let ft = meta.file_type();
            if ft.is_symlink() {
                return Err(AttestError::Symlink { path });
            } else if ft.is_dir() {
                stack.push((path, rel));
            } else if ft.is_file() {
                files.push(FileEntry { rel, path, stat: FileStat::of(&meta) });
            } else {
                return Err(AttestError::Special { path });
            }
        }
    }
    files.sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    Ok(Model { root: root.to_path_buf(), is_file: false, name, files })
}

/// A running hash of one of the supported algorithms.
pub enum Hasher {
    Sha256(Sha256),
    Blake3(Box<blake3::Hasher>),
    Blake2b(Box<blake2::Blake2b512>),
}

impl Hasher {
    pub fn new(alg: HashAlg) -> Hasher {
        match alg {
            HashAlg::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlg::Blake3 => Hasher::Blake3(Box::new(blake3::Hasher::new())),
            HashAlg::Blake2b => Hasher::Blake2b(Box::default()),
        }
    }

    pub fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(b),
            Hasher::Blake3(h) => {
                h.update(b);
            }
            Hasher::Blake2b(h) => blake2::Digest::update(h.as_mut(), b),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Blake3(h) => h.finalize().as_bytes().to_vec(),
            Hasher::Blake2b(h) => blake2::Digest::finalize(*h).to_vec(),
        }
    }
}

/// One unit of work: a whole file or one shard of it.
struct Item {
    file: usize,
    start: u64,
    end: u64,
    name: String,
}

/// The resources of one file, in shard order.
#[derive(Debug, Clone)]
pub struct HashedFile {
    pub rel: String,
    pub stat: FileStat,
    pub resources: Vec<Resource>,
    pub from_cache: bool,
}

/// What hashing did.
#[derive(Debug, Clone, Default)]
pub struct HashStats {
    pub files: u64,
    pub bytes: u64,
    pub files_hashed: u64,
    pub bytes_hashed: u64,
    pub files_reused: u64,
}

/// Hashes `files` as `ser` says, on `threads` workers. `reuse` gives the resources of files
/// known to be unchanged (the incremental cache); everything else is read.
pub fn hash_files(
    files: &[FileEntry],
    ser: &Serialization,
    threads: usize,
    reuse: &HashMap<String, Vec<Resource>>,
) -> Result<(Vec<HashedFile>, HashStats)> {
    let algorithm = ser.resource_algorithm();
    let mut items = Vec::new();
    let mut stats = HashStats { files: files.len() as u64, ..HashStats::default() };
    for (i, f) in files.iter().enumerate() {
        stats.bytes += f.stat.size;
        if reuse.contains_key(&f.rel) {
            stats.files_reused += 1;
            continue;
        }
        stats.files_hashed += 1;
        stats.bytes_hashed += f.stat.size;
        match ser.method {
            Method::Files => items.push(Item { file: i, start: 0, end: f.stat.size, name: f.rel.clone() }),
            Method::Shards { shard_size } => {
                for (s, e) in shard_ranges(f.stat.size, shard_size) {
                    items.push(Item { file: i, start: s, end: e, name: shard_name(&f.rel, s, e) });
                }
            }
        }
    }
    // Largest first, so the tail of the run is short work.
    items.sort_by_key(|b| std::cmp::Reverse(b.end - b.start));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| AttestError::Invalid(format!("cannot start worker threads: {e}")))?;
    let digests: Vec<(usize, u64, Resource)> = pool.install(|| {
        items
            .par_iter()
            .map(|it| {
                let f = &files[it.file];
                let digest = hash_range(f, it.start, it.end, ser.hash)?;
                Ok((it.file, it.start, Resource { name: it.name.clone(), algorithm: algorithm.clone(), digest }))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut per_file: Vec<Vec<(u64, Resource)>> = vec![Vec::new(); files.len()];
    for (i, start, r) in digests {
        per_file[i].push((start, r));
    }
    let out = files
        .iter()
        .zip(per_file)
        .map(|(f, mut rs)| match reuse.get(&f.rel) {
            Some(cached) => {
                HashedFile { rel: f.rel.clone(), stat: f.stat, resources: cached.clone(), from_cache: true }
            }
            None => {
                rs.sort_by_key(|(s, _)| *s);
                HashedFile {
                    rel: f.rel.clone(),
                    stat: f.stat,
                    resources: rs.into_iter().map(|(_, r)| r).collect(),
                    from_cache: false,
                }
            }
        })
        .collect();
    Ok((out, stats))
}

/// Hashes bytes `[start, end)` of a file with streamed reads, and checks that the file did not
/// change meanwhile (same size, times and inode before and after, and exactly `end - start`
/// bytes there).
fn hash_range(f: &FileEntry, start: u64, end: u64, alg: HashAlg) -> Result<Vec<u8>> {
    let mut file = File::open(&f.path).map_err(|e| AttestError::io("read", &f.path, e))?;
    if start > 0 {
        file.seek(SeekFrom::Start(start)).map_err(|e| AttestError::io("read", &f.path, e))?;
    }
    let mut h = Hasher::new(alg);
    let len = end - start;
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(CHUNK).clamp(1, CHUNK)];
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = match file.read(&mut buf[..want]) {
            Ok(0) => return Err(AttestError::Changed { path: f.path.clone() }),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(AttestError::io("read", &f.path, e)),
        };
        h.update(&buf[..n]);
        left -= n as u64;
    }
    let after = fs::symlink_metadata(&f.path).map_err(|e| AttestError::io("read", &f.path, e))?;
    if !FileStat::of(&after).same_content(&f.stat) {
        return Err(AttestError::Changed { path: f.path.clone() });
    }
    Ok(h.finish())
}

/// Builds the manifest of hashed files, in canonical order.
pub fn manifest_of(model_name: &str, ser: &Serialization, files: &[HashedFile]) -> Manifest {
    let mut m = Manifest {
        model_name: model_name.to_string(),
        serialization: ser.clone(),
        resources: files.iter().flat_map(|f| f.resources.iter().cloned()).collect(),
    };
    m.canonicalize();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ser(method: Method) -> Serialization {
        Serialization { method, hash: HashAlg::Sha256, allow_symlinks: false, ignore_paths: vec![] }
    }

    #[test]
    fn ignore_set_matches_paths_and_what_is_under_them() {
        let s = IgnoreSet::new(["./a/", "b/c", "../x", "/abs"]).with_git_paths();
        assert!(s.matches("a") && s.matches("a/x/y") && s.matches("b/c") && s.matches("b/c/d"));
        assert!(!s.matches("ab") && !s.matches("b") && !s.matches("b/cd") && !s.matches("x"));
        assert!(s.matches(".git/HEAD") && s.matches(".gitignore") && !s.matches(".gitmodules"));
        assert_eq!(s.paths(), [".git", ".gitattributes", ".github", ".gitignore", "a", "b/c"]);
    }

    #[test]
    fn shards_cover_boundaries_empty_files_and_exact_multiples() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        std::fs::write(d.join("empty"), b"").expect("w");
        std::fs::write(d.join("exact"), vec![7u8; 20]).expect("w");
        std::fs::write(d.join("short"), vec![1u8; 9]).expect("w");
        std::fs::write(d.join("over"), (0..21u8).collect::<Vec<_>>()).expect("w");
        let model = enumerate(d, &IgnoreSet::default()).expect("enum");
        let s = ser(Method::Shards { shard_size: 10 });
        let (hashed, stats) = hash_files(&model.files, &s, 2, &HashMap::new()).expect("hash");
        let m = manifest_of(&model.name, &s, &hashed);
        let names: Vec<&str> = m.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["exact:0:10", "exact:10:20", "over:0:10", "over:10:20", "over:20:21", "short:0:9"]);
        assert_eq!(stats.bytes, 50);
        let over: Vec<u8> = (0..21u8).collect();
        let r = m.resources.iter().find(|r| r.name == "over:20:21").expect("shard");
        assert_eq!(r.digest, Sha256::digest(&over[20..21]).to_vec());
        assert_eq!(r.algorithm, "sha256-sharded-10");
        // Files mode: the empty file is a resource with the digest of no bytes.
        let f = ser(Method::Files);
        let (hashed, _) = hash_files(&model.files, &f, 1, &HashMap::new()).expect("hash");
        let m = manifest_of(&model.name, &f, &hashed);
        let e = m.resources.iter().find(|r| r.name == "empty").expect("empty");
        assert_eq!(e.digest, Sha256::digest(b"").to_vec());
        assert_eq!(m.resources.len(), 4);
    }

    #[test]
    fn single_file_model_is_named_dot() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("w.bin");
        std::fs::write(&p, b"abc").expect("w");
        let model = enumerate(&p, &IgnoreSet::default()).expect("enum");
        assert!(model.is_file);
        assert_eq!(model.name, "w.bin");
        assert_eq!(model.files[0].rel, ".");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("a"), b"x").expect("w");
        std::os::unix::fs::symlink("a", dir.path().join("l")).expect("link");
        assert!(matches!(enumerate(dir.path(), &IgnoreSet::default()), Err(AttestError::Symlink { .. })));
        assert!(enumerate(dir.path(), &IgnoreSet::new(["l"])).is_ok());
    }

    #[test]
    fn a_file_that_changes_is_detected() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("a");
        std::fs::write(&p, b"0123456789").expect("w");
        let model = enumerate(dir.path(), &IgnoreSet::default()).expect("enum");
        std::fs::write(&p, b"01234").expect("w"); // shorter than when listed
        let r = hash_files(&model.files, &ser(Method::Files), 1, &HashMap::new());
        assert!(matches!(r, Err(AttestError::Changed { .. })), "{r:?}");
    }
}

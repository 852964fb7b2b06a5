//! Discovery: find every AI asset under a root (models, datasets, prompts, vector stores), with
//! SHA-256 digests and metadata read without loading weights; find AI use in code (SDKs, API
//! endpoints, model ids, hub downloads, credentials); connect them; and reconcile the result
//! with what systems declare, to expose shadow AI.
//!
//! The crate reads files but never writes, never follows a link out of the root, never executes
//! or loads what it reads, and turns anything it cannot read into a finding. Results are in a
//! stable order (by path), so they can be snapshot-tested.

pub mod cache;
pub mod codes;
mod connect;
mod dirs;
mod file;
pub use file::claim_findings;
mod hash;
mod reconcile;
mod text;
pub mod walk;

pub use codes::{InvCode, RULES, TextCode, WalkCode};
pub use connect::{Service, services};
pub use hash::sha256_hex;
pub use reconcile::{Diff, Reconciliation, diff, reconcile};

use custody_core::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Version of what a cached [`FileResult`] means. Bump it whenever classification, parsing or
/// detection changes, so a re-scan by a newer custody does not reuse an older custody's results.
pub const CACHE_VERSION: u32 = 6;

/// Bytes of a file kept in memory for metadata inspection; beyond this only a prefix is parsed.
pub const INSPECT_LIMIT: u64 = 48 << 20;
/// Files at least this large are scheduled one per task, largest first (see `scan_walked`).
const LARGE_FILE: u64 = 8 << 20;
/// Text files larger than this are not scanned for AI use (minified bundles, data dumps).
pub const TEXT_LIMIT: u64 = 4 << 20;

/// What kind of AI asset (the core domain type).
pub use custody_core::AssetKind;

/// A use of AI found in code or configuration (the core domain type).
pub use custody_core::AiUse as CodeUse;

/// The asset a single file is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileAsset {
    pub kind: AssetKind,
    pub format: String,
    /// Metadata read from the file (see `custody_formats::ModelMeta`).
    pub meta: serde_json::Value,
}

/// Everything a scan learns from one file; cached by path, size, mtime, ctime and inode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<FileAsset>,
    /// Parsed content of a repository side file (config.json, adapter_config.json, a model card,
    /// tokenizer_config.json, MLmodel, …) for directory-level assets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aux: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<CodeUse>,
    /// Codes read back from the cache are matched to their rules ([`RULES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "codes::deserialize_findings")]
    pub findings: Vec<Finding>,
}

/// A regular file seen by the walk, with what was learnt from it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub ctime_ns: i64,
    pub result: Arc<FileResult>,
    /// True when the result came from the cache.
    pub cached: bool,
    /// False when the file changed while being read: the result must not be cached.
    pub cacheable: bool,
}

/// A cached result and the file identity it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedFile {
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    /// `None` for results cached before ctime was recorded: they never match.
    pub ctime_ns: Option<i64>,
    pub result: Arc<FileResult>,
}

impl CachedFile {
    pub fn identity(&self) -> cache::Identity {
        cache::Identity { size: self.size, mtime_ns: self.mtime_ns, inode: self.inode, ctime_ns: self.ctime_ns }
    }
}

/// An AI asset in the inventory: a file, or a directory that is one asset (a Hugging Face
/// model or dataset directory, a PEFT adapter, a SavedModel, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asset {
    pub path: String,
    pub kind: AssetKind,
    pub format: String,
    pub size: u64,
    /// SHA-256 of the file; for a directory, of its manifest (`<sha256>  <relative path>\n` per
    /// member, sorted by path).
    pub sha256: String,
    pub meta: serde_json::Value,
    /// For directory assets: member files, relative to the scan root.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// For a file that belongs to a directory asset: that directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
}

/// A connection between inventory nodes: file paths, `service:<provider>`, `hub:<repo id>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    /// `loads`, `calls`, `downloads`, `adapts`, `fine-tuned-from`, `trained-on`, `part-of`.
    pub kind: String,
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
    pub walking: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn add(&self, bytes: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub root: PathBuf,
    /// Skip what .gitignore / .ignore exclude. Off by default: weights and data usually are.
    pub respect_gitignore: bool,
    /// Globs (relative to the root) to leave out.
    pub excludes: Vec<String>,
    pub threads: usize,
    /// Ignore the cache and read everything again.
    pub rehash: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub assets: u64,
    pub asset_bytes: u64,
    /// Bytes read and hashed in this scan (0 for an unchanged tree with a warm cache).
    pub hashed_bytes: u64,
    pub cached_files: u64,
    pub code_uses: u64,
    pub findings: u64,
}

#[derive(Debug, Clone)]
pub struct ScanOutput {
    pub root: String,
    pub files: Vec<FileRecord>,
    pub assets: Vec<Asset>,
    pub uses: Vec<CodeUse>,
    pub findings: Vec<Finding>,
    pub edges: Vec<Edge>,
    pub stats: Stats,
}

#[derive(Debug)]
pub enum ScanError {
    /// The root itself cannot be scanned.
    Root { path: PathBuf, detail: String },
    /// A bad --exclude glob.
    Glob { glob: String, detail: String },
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Root { path, detail } => write!(f, "cannot scan {}: {detail}", path.display()),
            ScanError::Glob { glob, detail } => write!(f, "bad exclude glob `{glob}`: {detail}"),
        }
    }
}

impl std::error::Error for ScanError {}

/// Scans `opts.root`. `cache` holds results of an earlier scan keyed by relative path; a file
/// whose size, mtime, ctime and inode are unchanged is not read again (unless `opts.rehash`).
/// ctime is what catches a same-size edit in place whose mtime was set back.
pub fn scan(
    opts: &ScanOptions,
    cache: &HashMap<String, CachedFile>,
    progress: &Arc<Progress>,
) -> Result<ScanOutput, ScanError> {
    progress.walking.store(true, Ordering::Relaxed);
    let (root, walked) = walk_root(opts)?;
    progress.walking.store(false, Ordering::Relaxed);
    scan_walked(&root, walked, opts, cache, progress)
}

/// Walks `opts.root` (canonicalised, which is returned): every regular file with its identity,
/// and findings about links and names. Cheap: nothing is read.
pub fn walk_root(opts: &ScanOptions) -> Result<(PathBuf, walk::Walked), ScanError> {
    let root = std::fs::canonicalize(&opts.root)
        .map_err(|e| ScanError::Root { path: opts.root.clone(), detail: e.to_string() })?;
    if !root.is_dir() {
        return Err(ScanError::Root { path: opts.root.clone(), detail: "not a directory".into() });
    }
    let walked = walk::walk(&root, opts)?;
    Ok((root, walked))
}

/// Scans files already walked by [`walk_root`] under `root`.
pub fn scan_walked(
    root: &std::path::Path,
    walked: walk::Walked,
    opts: &ScanOptions,
    cache: &HashMap<String, CachedFile>,
    progress: &Arc<Progress>,
) -> Result<ScanOutput, ScanError> {
    let root = root.to_path_buf();
    progress.files_total.store(walked.files.len() as u64, Ordering::Relaxed);
    progress.bytes_total.store(walked.files.iter().map(|f| f.size).sum(), Ordering::Relaxed);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| ScanError::Root { path: opts.root.clone(), detail: format!("cannot start threads: {e}") })?;
    let files = &walked.files;
    let one = |f: &walk::WalkedFile| {
        let hit = cache.get(&f.rel).filter(|c| !opts.rehash && c.identity().matches(f));
        let rec = match hit {
            Some(c) => FileRecord {
                path: f.rel.clone(),
                size: f.size,
                mtime_ns: f.mtime_ns,
                inode: f.inode,
                ctime_ns: f.ctime_ns,
                result: Arc::clone(&c.result),
                cached: true,
                cacheable: true,
            },
            None => file::process(&root, f),
        };
        progress.add(f.size);
        rec
    };
    // Large files first, largest first, one task each, so they spread over every worker
    // instead of landing in one worker's share of a path-ordered list (a tree's models sit
    // together); then the many small files. The records go back into path order.
    let (mut large, small): (Vec<usize>, Vec<usize>) = (0..files.len()).partition(|&i| files[i].size >= LARGE_FILE);
    large.sort_by_key(|&i| std::cmp::Reverse(files[i].size));
    let mut records: Vec<(usize, FileRecord)> = pool.install(|| {
        use rayon::prelude::*;
        let mut out: Vec<(usize, FileRecord)> =
            large.par_iter().with_max_len(1).map(|&i| (i, one(&files[i]))).collect();
        out.par_extend(small.par_iter().map(|&i| (i, one(&files[i]))));
        out
    });
    records.sort_unstable_by_key(|(i, _)| *i);
    let records: Vec<FileRecord> = records.into_iter().map(|(_, r)| r).collect();
    Ok(assemble(root.to_string_lossy().into_owned(), records, walked.findings))
}

/// Builds the inventory from per-file records: file and directory assets, uses, findings,
/// connections, totals. Pure.
fn assemble(root: String, records: Vec<FileRecord>, mut findings: Vec<Finding>) -> ScanOutput {
    let mut stats = Stats { files: records.len() as u64, ..Stats::default() };
    let mut uses = Vec::new();
    for r in &records {
        stats.bytes += r.size;
        if r.cached {
            stats.cached_files += 1;
        } else if r.result.asset.is_some() || r.result.sha256.is_some() {
            stats.hashed_bytes += r.size;
        }
        uses.extend(r.result.uses.iter().cloned());
        findings.extend(r.result.findings.iter().cloned());
    }
    let assets = dirs::assets(&records);
    stats.assets = assets.iter().filter(|a| a.part_of.is_none()).count() as u64;
    stats.asset_bytes = assets.iter().filter(|a| a.members.is_empty()).map(|a| a.size).sum();
    uses.sort();
    findings.sort_by(|a, b| (&a.location, &a.code, &a.message).cmp(&(&b.location, &b.code, &b.message)));
    let edges = connect::edges(&assets, &uses);
    stats.code_uses = uses.len() as u64;
    stats.findings = findings.len() as u64;
    ScanOutput { root, files: records, assets, uses, findings, edges, stats }
}

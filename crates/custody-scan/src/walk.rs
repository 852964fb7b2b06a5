//! The parallel walk: every regular file under the root, without following links; links,
//! unreadable directories and odd names become findings.

use crate::codes::WalkCode;
use crate::{ScanError, ScanOptions};
use custody_core::{Finding, Location};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Relative to the root, `/`-separated (lossy for non-UTF-8 names).
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    /// Status-change time (`st_ctime`) in nanoseconds: any write moves it, and unlike mtime its
    /// owner cannot set it back, so the cache trusts (size, mtime, ctime, inode) together.
    pub ctime_ns: i64,
}

/// (mtime, ctime) of `m` in nanoseconds.
pub fn times_ns(m: &std::fs::Metadata) -> (i64, i64) {
    (
        m.mtime().saturating_mul(1_000_000_000).saturating_add(m.mtime_nsec()),
        m.ctime().saturating_mul(1_000_000_000).saturating_add(m.ctime_nsec()),
    )
}

pub struct Walked {
    pub files: Vec<WalkedFile>,
    pub findings: Vec<Finding>,
}

/// Directories never descended into: version control and custody's own store.
const SKIP_DIRS: &[&str] = &[".git", ".custody", ".hg", ".svn"];

pub fn rel_of(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

pub fn walk(root: &Path, opts: &ScanOptions) -> Result<Walked, ScanError> {
    if !opts.respect_gitignore {
        return fast_walk(root, opts);
    }
    let respect = opts.respect_gitignore;
    let mut b = WalkBuilder::new(root);
    b.hidden(false)
        .parents(respect)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads.max(1))
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && SKIP_DIRS.iter().any(|s| e.file_name() == *s))
        });
    if !opts.excludes.is_empty() {
        let mut ob = OverrideBuilder::new(root);
        for g in &opts.excludes {
            ob.add(&format!("!{g}")).map_err(|e| ScanError::Glob { glob: g.clone(), detail: e.to_string() })?;
        }
        let ov = ob.build().map_err(|e| ScanError::Glob { glob: opts.excludes.join(", "), detail: e.to_string() })?;
        b.overrides(ov);
    }
    let files = Mutex::new(Vec::new());
    let findings = Mutex::new(Vec::new());
    b.build_parallel().run(|| {
        Box::new(|entry| {
            let mut found = Vec::new();
            match entry {
                Err(e) => found.push(walk_error(root, &e)),
                Ok(e) => {
                    let p = e.path();
                    let rel = rel_of(root, p);
                    if p.to_str().is_none() {
                        found.push(
                            Finding::new(
                                WalkCode::NonUtf8Name,
                                "file name is not valid UTF-8",
                                Location::file(rel.clone()),
                            )
                            .with_evidence(format!("{:?}", p.file_name().unwrap_or_default())),
                        );
                    }
                    match e.file_type() {
                        Some(t) if t.is_symlink() => found.extend(check_link(root, p, &rel)),
                        Some(t) if t.is_file() => match e.metadata() {
                            Ok(m) => {
                                let (mtime_ns, ctime_ns) = times_ns(&m);
                                if let Ok(mut f) = files.lock() {
                                    f.push(WalkedFile {
                                        rel,
                                        abs: p.to_path_buf(),
                                        size: m.len(),
                                        mtime_ns,
                                        inode: m.ino(),
                                        ctime_ns,
                                    });
                                }
                            }
                            Err(err) => found.push(vanished_or_unreadable(&rel, &err.to_string())),
                        },
                        Some(t) if !t.is_dir() => found.push(special_file(&rel, t)),
                        _ => {}
                    }
                }
            }
            if !found.is_empty()
                && let Ok(mut f) = findings.lock()
            {
                f.extend(found);
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let findings = findings.into_inner().unwrap_or_default();
    Ok(Walked { files, findings })
}

/// A FIFO, socket or device: reported, never opened (a FIFO would block the scan).
fn special_file(rel: &str, t: std::fs::FileType) -> Finding {
    use std::os::unix::fs::FileTypeExt;
    let what = if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else {
        "special file"
    };
    Finding::new(WalkCode::SpecialFile, format!("{what}: not a regular file, so it was not read"), Location::file(rel))
}

fn vanished_or_unreadable(rel: &str, detail: &str) -> Finding {
    if detail.contains("No such file") {
        Finding::new(WalkCode::Changed, format!("file vanished during the scan: {detail}"), Location::file(rel))
    } else {
        Finding::new(WalkCode::Unreadable, format!("cannot read: {detail}"), Location::file(rel))
    }
}

fn walk_error(root: &Path, e: &ignore::Error) -> Finding {
    fn path_of(e: &ignore::Error) -> Option<&Path> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    let rel = path_of(e).map(|p| rel_of(root, p)).unwrap_or_default();
    match e {
        ignore::Error::Loop { .. } => Finding::new(WalkCode::LinkLoop, format!("link loop: {e}"), Location::file(rel)),
        _ => vanished_or_unreadable(&rel, &e.to_string()),
    }
}

/// A symbolic link: broken, a loop, leaving the root, or fine (its target is scanned where it is).
fn check_link(root: &Path, p: &Path, rel: &str) -> Option<Finding> {
    let target = std::fs::read_link(p).map(|t| t.display().to_string()).unwrap_or_default();
    match std::fs::canonicalize(p) {
        Ok(real) if real.starts_with(root) => None,
        Ok(real) => Some(
            Finding::new(
                WalkCode::LinkOutside,
                format!("symbolic link points outside the scanned tree, to {}; not followed", real.display()),
                Location::file(rel),
            )
            .with_evidence(format!("-> {target}")),
        ),
        Err(e) if e.raw_os_error() == Some(40) => Some(
            Finding::new(WalkCode::LinkLoop, "symbolic link loop", Location::file(rel))
                .with_evidence(format!("-> {target}")),
        ),
        Err(e) => Some(
            Finding::new(WalkCode::BrokenLink, format!("broken symbolic link: {e}"), Location::file(rel))
                .with_evidence(format!("-> {target}")),
        ),
    }
}

/// The walk without ignore files (the default): directories read in parallel, level by level;
/// each entry's type comes from the directory listing and its metadata from `fstatat` relative
/// to the directory, so nothing is looked up by full path twice.
fn fast_walk(root: &Path, opts: &ScanOptions) -> Result<Walked, ScanError> {
    use rayon::prelude::*;
    let excludes = if opts.excludes.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for g in &opts.excludes {
            let glob = globset::Glob::new(g).map_err(|e| ScanError::Glob { glob: g.clone(), detail: e.to_string() })?;
            b.add(glob);
        }
        Some(b.build().map_err(|e| ScanError::Glob { glob: opts.excludes.join(", "), detail: e.to_string() })?)
    };
    let excluded = |rel: &str| excludes.as_ref().is_some_and(|set| set.is_match(rel));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| ScanError::Root { path: root.to_path_buf(), detail: format!("cannot start threads: {e}") })?;
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let mut level = vec![root.to_path_buf()];
    while !level.is_empty() {
        let results: Vec<(Vec<WalkedFile>, Vec<PathBuf>, Vec<Finding>)> =
            pool.install(|| level.par_iter().map(|dir| read_dir(root, dir, &excluded)).collect());
        level = Vec::new();
        for (f, d, x) in results {
            files.extend(f);
            level.extend(d);
            findings.extend(x);
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(Walked { files, findings })
}

type DirResult = (Vec<WalkedFile>, Vec<PathBuf>, Vec<Finding>);

fn read_dir(root: &Path, dir: &Path, excluded: &dyn Fn(&str) -> bool) -> DirResult {
    let (mut files, mut dirs, mut findings) = (Vec::new(), Vec::new(), Vec::new());
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            findings.push(vanished_or_unreadable(&rel_of(root, dir), &e.to_string()));
            return (files, dirs, findings);
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                findings.push(vanished_or_unreadable(&rel_of(root, dir), &e.to_string()));
                continue;
            }
        };
        let path = entry.path();
        let rel = rel_of(root, &path);
        if excluded(&rel) {
            continue;
        }
        if path.to_str().is_none() {
            findings.push(
                Finding::new(WalkCode::NonUtf8Name, "file name is not valid UTF-8", Location::file(rel.clone()))
                    .with_evidence(format!("{:?}", entry.file_name())),
            );
        }
        let Ok(ft) = entry.file_type() else {
            findings.push(vanished_or_unreadable(&rel, "cannot read the file type"));
            continue;
        };
        if ft.is_symlink() {
            findings.extend(check_link(root, &path, &rel));
        } else if ft.is_dir() {
            if !SKIP_DIRS.iter().any(|s| entry.file_name() == *s) {
                dirs.push(path);
            }
        } else if ft.is_file() {
            match entry.metadata() {
                Ok(m) => {
                    let (mtime_ns, ctime_ns) = times_ns(&m);
                    files.push(WalkedFile { rel, abs: path, size: m.len(), mtime_ns, inode: m.ino(), ctime_ns });
                }
                Err(e) => findings.push(vanished_or_unreadable(&rel, &e.to_string())),
            }
        } else {
            findings.push(special_file(&rel, ft));
        }
    }
    (files, dirs, findings)
}

//! The parallel walk: every regular file under the root, without following links; links,
//! unreadable directories and odd names become findings.

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
                            Finding::new("CUS-WALK-006", "file name is not valid UTF-8", Location::file(rel.clone()))
                                .with_evidence(format!("{:?}", p.file_name().unwrap_or_default())),
                        );
                    }
                    match e.file_type() {
                        Some(t) if t.is_symlink() => found.extend(check_link(root, p, &rel)),
                        Some(t) if t.is_file() => match e.metadata() {
                            Ok(m) => {
                                let mtime_ns = m.mtime().saturating_mul(1_000_000_000).saturating_add(m.mtime_nsec());
                                if let Ok(mut f) = files.lock() {
                                    f.push(WalkedFile {
                                        rel,
                                        abs: p.to_path_buf(),
                                        size: m.len(),
                                        mtime_ns,
                                        inode: m.ino(),
                                    });
                                }
                            }
                            Err(err) => found.push(vanished_or_unreadable(&rel, &err.to_string())),
                        },
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

fn vanished_or_unreadable(rel: &str, detail: &str) -> Finding {
    if detail.contains("No such file") {
        Finding::new("CUS-WALK-005", format!("file vanished during the scan: {detail}"), Location::file(rel))
    } else {
        Finding::new("CUS-WALK-001", format!("cannot read: {detail}"), Location::file(rel))
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
        ignore::Error::Loop { .. } => Finding::new("CUS-WALK-004", format!("link loop: {e}"), Location::file(rel)),
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
                "CUS-WALK-003",
                format!("symbolic link points outside the scanned tree, to {}; not followed", real.display()),
                Location::file(rel),
            )
            .with_evidence(format!("-> {target}")),
        ),
        Err(e) if e.raw_os_error() == Some(40) => Some(
            Finding::new("CUS-WALK-004", "symbolic link loop", Location::file(rel))
                .with_evidence(format!("-> {target}")),
        ),
        Err(e) => Some(
            Finding::new("CUS-WALK-002", format!("broken symbolic link: {e}"), Location::file(rel))
                .with_evidence(format!("-> {target}")),
        ),
    }
}

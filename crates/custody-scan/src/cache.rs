//! The incremental-scan cache decisions: which cached per-file results are reused, how a result
//! is kept (with the [`CACHE_VERSION`] that produced it), and when a re-scan is a repeat of the
//! previous one.
//!
//! What the cache trusts: a file whose size, mtime, ctime (nanoseconds) and inode are all
//! unchanged has unchanged content. mtime alone can be set back by the file's owner; ctime
//! cannot without changing the system clock or raw access to the device. Results cached without
//! ctime never match.

use crate::walk::{Walked, WalkedFile};
use crate::{CACHE_VERSION, FileResult};
use custody_core::System;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The identity of a file a cached result belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    /// `None` for results cached before ctime was recorded: they never match.
    pub ctime_ns: Option<i64>,
}

impl Identity {
    /// The walked file is the one the result was cached for.
    pub fn matches(&self, f: &WalkedFile) -> bool {
        self.size == f.size && self.mtime_ns == f.mtime_ns && self.ctime_ns == Some(f.ctime_ns) && self.inode == f.inode
    }
}

/// True when the walked files are exactly the cached ones (`(path, identity)`), each with the
/// same identity.
pub fn unchanged<'a>(cached: impl IntoIterator<Item = (&'a str, Identity)>, walked: &Walked) -> bool {
    let by_path: HashMap<&str, Identity> = cached.into_iter().collect();
    by_path.len() == walked.files.len()
        && walked.files.iter().all(|f| by_path.get(f.rel.as_str()).is_some_and(|i| i.matches(f)))
}

/// A cached file result with the scanner version that produced it.
#[derive(Deserialize)]
struct Envelope {
    v: u32,
    r: FileResult,
}

#[derive(Serialize)]
struct EnvelopeRef<'a> {
    v: u32,
    r: &'a FileResult,
}

/// A result as the cache keeps it.
pub fn encode(result: &FileResult) -> Option<String> {
    serde_json::to_string(&EnvelopeRef { v: CACHE_VERSION, r: result }).ok()
}

/// A kept result, if this scanner version produced it and it reads.
pub fn decode(kept: &str) -> Option<FileResult> {
    let e: Envelope = serde_json::from_str(kept).ok()?;
    (e.v == CACHE_VERSION).then_some(e.r)
}

/// Scanner version, registrations (and where the scan root lies in the project) and walk
/// findings, hashed: if any differ, a re-scan is not a repeat. `ownership/1`: scans recorded
/// before ownership was kept with them are never repeated, so the first re-scan records it.
pub fn fingerprint(systems: &[System], in_project: Option<&str>, walked: &Walked) -> String {
    let regs: Vec<(&str, Vec<&str>, &[String])> = systems
        .iter()
        .map(|s| (s.name.as_str(), s.assets.iter().map(|a| a.as_str()).collect(), s.services.as_slice()))
        .collect();
    let mut walk: Vec<String> =
        walked.findings.iter().map(|f| format!("{} {} {}", f.code, f.location, f.message)).collect();
    walk.sort();
    let text = serde_json::to_string(&(CACHE_VERSION, "ownership/1", in_project, regs, walk)).unwrap_or_default();
    crate::sha256_hex(text.as_bytes())
}

/// A re-scan may repeat the previous scan (when its files are [`unchanged`]) unless it must
/// read everything again (`--rehash`) or the previous scan's fingerprint differs.
pub fn may_repeat(rehash: bool, previous_fingerprint: &str, fingerprint: &str) -> bool {
    !rehash && previous_fingerprint == fingerprint
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_core::{Finding, Location};
    use std::path::PathBuf;

    fn file(rel: &str, size: u64) -> WalkedFile {
        WalkedFile { rel: rel.into(), abs: PathBuf::from(rel), size, mtime_ns: 10, inode: 7, ctime_ns: 20 }
    }

    fn id(f: &WalkedFile) -> Identity {
        Identity { size: f.size, mtime_ns: f.mtime_ns, inode: f.inode, ctime_ns: Some(f.ctime_ns) }
    }

    fn walked(files: Vec<WalkedFile>) -> Walked {
        Walked { files, findings: Vec::new() }
    }

    #[test]
    fn every_part_of_the_identity_must_match() {
        let f = file("a", 1);
        assert!(id(&f).matches(&f));
        let same = id(&f);
        for changed in [
            Identity { size: 2, ..same },
            Identity { mtime_ns: 11, ..same },
            Identity { inode: 8, ..same },
            Identity { ctime_ns: Some(21), ..same },
            Identity { ctime_ns: None, ..same },
        ] {
            assert!(!changed.matches(&f), "{changed:?}");
        }
    }

    #[test]
    fn unchanged_needs_the_same_set_of_files() {
        let w = walked(vec![file("a", 1), file("b", 2)]);
        let cached: Vec<(&str, Identity)> = w.files.iter().map(|f| (f.rel.as_str(), id(f))).collect();
        assert!(unchanged(cached.iter().copied(), &w));
        assert!(!unchanged(cached[..1].iter().copied(), &w), "a new file");
        let more = walked(vec![file("a", 1)]);
        assert!(!unchanged(cached.iter().copied(), &more), "a removed file");
        let renamed = [("a", cached[0].1), ("c", cached[1].1)];
        assert!(!unchanged(renamed, &w), "a renamed file");
        let edited = [cached[0], ("b", Identity { size: 3, ..cached[1].1 })];
        assert!(!unchanged(edited, &w), "an edited file");
    }

    #[test]
    fn results_of_another_scanner_version_are_not_reused() {
        let r = FileResult::default();
        let kept = encode(&r).expect("a result serialises");
        assert_eq!(decode(&kept), Some(r));
        let older = kept.replacen(&format!("\"v\":{CACHE_VERSION}"), &format!("\"v\":{}", CACHE_VERSION - 1), 1);
        assert_ne!(older, kept);
        assert_eq!(decode(&older), None);
        assert_eq!(decode("not json"), None);
    }

    #[test]
    fn the_fingerprint_sees_registrations_placement_and_walk_findings() {
        let w = walked(vec![file("a", 1)]);
        let base = fingerprint(&[], None, &w);
        assert_eq!(base, fingerprint(&[], None, &walked(vec![file("b", 9)])), "files are compared separately");
        let sys = System { name: "bot".into(), ..System::default() };
        assert_ne!(base, fingerprint(&[sys], None, &w));
        assert_ne!(base, fingerprint(&[], Some("sub"), &w));
        let mut with_finding = walked(vec![file("a", 1)]);
        with_finding.findings.push(Finding::new(crate::WalkCode::Unreadable, "a link", Location::file("l")));
        assert_ne!(base, fingerprint(&[], None, &with_finding));
    }

    #[test]
    fn a_repeat_needs_the_same_fingerprint_and_no_rehash() {
        assert!(may_repeat(false, "f", "f"));
        assert!(!may_repeat(true, "f", "f"));
        assert!(!may_repeat(false, "f", "g"));
    }
}

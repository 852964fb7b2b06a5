//! `custody scan`: inventory AI assets and AI use under a directory, record it, report shadow AI.
//!
//! A re-scan first walks the tree (names and identities only). When every file's size, mtime,
//! ctime and inode match the cache, the set of files is the same, and configuration and walk findings
//! are unchanged (`custody_scan::cache` decides), the tree is unchanged: custody records the scan
//! as a repeat of the previous one and shows its summary without reading or deserialising
//! anything else.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace::{self, Workspace};
use custody_cli::{Format, GlobalArgs, ScanArgs};
use custody_core::ownership::{Found, FoundService, Ownership};
use custody_core::{Finding, Severity};
use custody_scan::walk::Walked;
use custody_scan::{Asset, CachedFile, Progress, Reconciliation, ScanOptions, ScanOutput, Service, cache};
use custody_store::{AssetRow, EdgeRow, FileCacheRow, ScanRecord, Store, StoredScan};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `CUSTODY_TIMINGS=1` prints how long each phase took, on stderr.
struct Timings {
    on: bool,
    t: Instant,
}

impl Timings {
    fn lap(&mut self, what: &str) {
        if self.on {
            eprintln!("timing: {what}: {:.3} s", self.t.elapsed().as_secs_f64());
            self.t = Instant::now();
        }
    }
}

/// Findings shown in the table; `--format json` lists all.
const TOP_FINDINGS: usize = 40;

/// What the table shows, kept with each scan so an unchanged re-scan can show it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    /// Scanner version, registrations and walk findings: if any differ, a re-scan is not a repeat.
    fingerprint: String,
    files: u64,
    bytes: u64,
    hashed_bytes: u64,
    cached_files: u64,
    shadow: Vec<(String, String, String)>,
    assets: Vec<AssetLine>,
    services: Vec<(String, String, usize)>,
    libraries: Vec<String>,
    findings_total: usize,
    by_severity: Vec<(Severity, usize)>,
    top_findings: Vec<Finding>,
    edges: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AssetLine {
    kind: String,
    path: String,
    format: String,
    size: u64,
    sha256: String,
    registered: String,
    meta: String,
}

pub fn run(g: &GlobalArgs, args: &ScanArgs, out: &mut Output) -> CmdResult {
    let mut timing = Timings { on: std::env::var_os("CUSTODY_TIMINGS").is_some(), t: Instant::now() };
    let ws = workspace::load(g)?;
    let store = workspace::open_store(g, &ws)?;
    let config_root = std::fs::canonicalize(workspace::root_of(&ws.config_path))
        .map_err(|e| Failure::io("read", workspace::root_of(&ws.config_path), &e))?;
    let target = args.path.clone().unwrap_or_else(|| config_root.clone());
    let root = std::fs::canonicalize(&target).map_err(|e| Failure::io("scan", &target, &e))?;
    if !root.is_dir() {
        return Err(Failure::with_hint(
            format!("{} is not a directory", target.display()),
            "scan a directory; custody looks at every file under it",
        ));
    }
    let root_key = root.to_string_lossy().into_owned();
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let opts = ScanOptions {
        root: root.clone(),
        respect_gitignore: args.respect_gitignore,
        excludes: args.excludes.clone(),
        threads,
        rehash: args.rehash,
    };
    // Where the scanned directory lies in the project: asset paths are rebased onto the project
    // root before systems' globs (relative to custody.toml) are matched.
    let in_project = relative_to(&root, &config_root);

    let started_at = clock::now()?;
    let t0 = Instant::now();
    let progress = Arc::new(Progress::default());
    let show = !out.quiet && args.format == Format::Table && std::io::stderr().is_terminal();
    let done = Arc::new(AtomicBool::new(false));
    let bar = show.then(|| spawn_progress(Arc::clone(&progress), Arc::clone(&done)));
    progress.walking.store(true, Ordering::Relaxed);
    let walked = custody_scan::walk_root(&opts);
    progress.walking.store(false, Ordering::Relaxed);
    let walked = match walked {
        Ok((_, w)) => w,
        Err(e) => {
            done.store(true, Ordering::Relaxed);
            return Err(Failure::new(e.to_string()));
        }
    };
    timing.lap("walk");
    let fingerprint = cache::fingerprint(&ws.config.systems, in_project.as_deref(), &walked);
    let head = store.scan_head(Some(&root_key))?;
    let previous: Option<(i64, i64, Summary)> = head.and_then(|h| {
        let s: Summary = serde_json::from_str(&h.summary_json).ok()?;
        Some((h.id, h.data_id, s))
    });

    // An unchanged tree: same files, same identities, same configuration. Only the table can
    // be shown from the previous summary.
    if args.format == Format::Table
        && let Some((prev_id, data_id, summary)) =
            previous.as_ref().filter(|(_, _, s)| cache::may_repeat(args.rehash, &s.fingerprint, &fingerprint))
        && unchanged(store.as_ref(), &root_key, &walked)?
    {
        done.store(true, Ordering::Relaxed);
        if let Some(b) = bar {
            let _ = b.join();
        }
        timing.lap("compare with the cache");
        let mut summary = summary.clone();
        summary.hashed_bytes = 0;
        summary.cached_files = summary.files;
        let elapsed = t0.elapsed();
        let stats = json!({ "files": summary.files, "bytes": summary.bytes, "hashed_bytes": 0, "cached_files": summary.files, "unchanged_since": data_id });
        let summary_json = serde_json::to_string(&summary).unwrap_or_default();
        store.record_unchanged_scan(*data_id, &started_at, millis(elapsed), &stats.to_string(), &summary_json)?;
        timing.lap("write store");
        let none = custody_scan::Diff::default();
        table(out, &root_key, &summary, Some(&(*prev_id, none)), elapsed)?;
        return Ok(outcome(args, summary.by_severity.iter().map(|(s, _)| *s).max()));
    }

    let cache: HashMap<String, CachedFile> =
        if args.rehash { HashMap::new() } else { load_cache(store.as_ref(), &root_key)? };
    timing.lap("load cache");
    let result = custody_scan::scan_walked(&root, walked, &opts, &cache, &progress);
    done.store(true, Ordering::Relaxed);
    if let Some(b) = bar {
        let _ = b.join();
    }
    let mut scan = result.map_err(|e| Failure::new(e.to_string()))?;
    let elapsed = t0.elapsed();
    timing.lap("read, hash, classify");

    let services = custody_scan::services(&scan.uses);
    let rec = custody_scan::reconcile(&scan.assets, &services, &ws.config.systems, in_project.as_deref());
    // Every asset, directory assets and their files alike: a changed weight file shows itself
    // and its model directory.
    let changes = match &previous {
        Some((prev_id, data_id, _)) => {
            let before = store.asset_locations(*data_id)?;
            let after: Vec<(String, String)> = scan.assets.iter().map(|a| (a.path.clone(), a.sha256.clone())).collect();
            Some((*prev_id, custody_scan::diff(&before, &after)))
        }
        None => None,
    };
    timing.lap("reconcile and diff");

    let mut findings: Vec<Finding> = std::mem::take(&mut scan.findings);
    findings.extend(rec.findings.iter().cloned());
    let summary = summarise(&scan, &rec, &services, &findings, fingerprint);
    let stats = serde_json::to_value(&scan.stats).unwrap_or_default();
    let record = to_record(&scan, &findings, &started_at, elapsed, &stats, &summary, &rec.ownership);
    drop(cache);
    // The cache for the next scan: every file's result (cached ones re-serialised as they are),
    // produced one row at a time as the store writes it.
    let mut cache_rows = scan.files.iter().filter(|f| f.cacheable).filter_map(|f| {
        Some(FileCacheRow {
            path: f.path.clone(),
            size: f.size,
            mtime_ns: f.mtime_ns,
            inode: f.inode,
            ctime_ns: Some(f.ctime_ns),
            result_json: cache::encode(&f.result)?,
        })
    });
    timing.lap("prepare records");
    let scan_id = store.record_scan(&record, &mut cache_rows)?;
    timing.lap("write store");

    match args.format {
        Format::Json => {
            let report = ScanReport {
                schema: "custody.scan/v1",
                scan_id,
                root: &root_key,
                started_at: &started_at,
                duration_ms: millis(elapsed),
                stats: &scan.stats,
                shadow: json!({
                    "assets": rec.ownership.shadow_assets().collect::<Vec<_>>(),
                    "services": rec.ownership.shadow_services,
                }),
                missing: rec
                    .ownership
                    .missing
                    .iter()
                    .map(|m| json!({"system": m.system, "pattern": m.entry}))
                    .collect(),
                registered: &rec
                    .ownership
                    .assets
                    .iter()
                    .filter(|o| !o.systems.is_empty())
                    .map(|o| (o.path.clone(), o.systems.clone()))
                    .collect(),
                assets: &scan.assets,
                services: &services,
                uses: &scan.uses,
                findings: findings.iter().map(FindingOut).collect(),
                edges: &scan.edges,
                changes: changes.as_ref().map(
                    |(id, d)| json!({"since_scan": id, "new": d.new, "removed": d.removed, "modified": d.modified}),
                ),
            };
            out.json_streamed(&report)?
        }
        Format::Table => table(out, &root_key, &summary, changes.as_ref(), elapsed)?,
    }
    timing.lap("output");
    Ok(outcome(args, findings.iter().map(|f| f.severity).max()))
}

fn outcome(args: &ScanArgs, worst: Option<Severity>) -> Outcome {
    match (args.fail_on, worst) {
        (Some(t), Some(w)) if w >= t => Outcome::PolicyFailure,
        _ => Outcome::Ok,
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn load_cache(store: &dyn Store, root: &str) -> Result<HashMap<String, CachedFile>, Failure> {
    Ok(store
        .file_cache(root)?
        .into_iter()
        .filter_map(|r| {
            let result = Arc::new(cache::decode(&r.result_json)?);
            Some((
                r.path,
                CachedFile { size: r.size, mtime_ns: r.mtime_ns, inode: r.inode, ctime_ns: r.ctime_ns, result },
            ))
        })
        .collect())
}

/// True when the walked files are exactly the cached ones, each with the same identity.
fn unchanged(store: &dyn Store, root: &str, walked: &Walked) -> Result<bool, Failure> {
    let index = store.file_cache_index(root)?;
    let cached = index.iter().map(|i| {
        (i.path.as_str(), cache::Identity { size: i.size, mtime_ns: i.mtime_ns, inode: i.inode, ctime_ns: i.ctime_ns })
    });
    Ok(cache::unchanged(cached, walked))
}

/// `root` relative to `project` (`""` when they are the same), or `None` when it lies outside.
/// Both are canonical paths.
pub fn relative_to(root: &Path, project: &Path) -> Option<String> {
    root.strip_prefix(project).ok().map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// Who owns what `scan` found: as the scan decided it (kept with every scan since store version
/// 7), or, for a scan recorded before, recomputed from its asset rows and the current
/// custody.toml. Directory membership is then inferred from paths (a file is part of the
/// innermost recorded asset whose path is a directory of it), and a directory is claimed
/// through its recorded assets only (the other files under it were not kept).
pub fn ownership(ws: &Workspace, scan: &StoredScan) -> Ownership {
    if let Some(o) = &scan.record.ownership {
        return o.clone();
    }
    let rec = &scan.record;
    let project = std::fs::canonicalize(workspace::root_of(&ws.config_path)).unwrap_or_default();
    let in_project = relative_to(Path::new(&rec.root), &project);
    let paths: std::collections::BTreeSet<&str> = rec.assets.iter().map(|a| a.path.as_str()).collect();
    fn part_of<'p>(p: &'p str, paths: &std::collections::BTreeSet<&str>) -> Option<&'p str> {
        p.rmatch_indices('/').map(|(i, _)| &p[..i]).find(|dir| paths.contains(dir))
    }
    let found: Vec<Found<'_>> = rec
        .assets
        .iter()
        .map(|a| Found { path: &a.path, sha256: &a.sha256, part_of: part_of(&a.path, &paths) })
        .collect();
    let members = |dir: &str| {
        let prefix = format!("{dir}/");
        paths.iter().filter(|p| p.starts_with(&prefix)).map(|p| p.to_string()).collect()
    };
    let services = custody_scan::services(&rec.uses);
    let hosts: Vec<Vec<String>> = services.iter().map(|s| s.hosts.iter().cloned().collect()).collect();
    let found_services: Vec<FoundService<'_>> =
        services.iter().zip(&hosts).map(|(s, hosts)| FoundService { provider: &s.provider, hosts }).collect();
    custody_core::ownership::reconcile(&found, &members, &found_services, in_project.as_deref(), &ws.config.systems)
}

fn summarise(
    scan: &ScanOutput,
    rec: &Reconciliation,
    services: &[Service],
    findings: &[Finding],
    fingerprint: String,
) -> Summary {
    let by_path: BTreeMap<&str, &Asset> = scan.assets.iter().map(|a| (a.path.as_str(), a)).collect();
    let own = &rec.ownership;
    let mut shadow = Vec::new();
    for p in own.shadow_assets() {
        if let Some(a) = by_path.get(p) {
            shadow.push((a.kind.as_str().to_string(), a.path.clone(), format!("{}, {}", a.format, human(a.size))));
        }
    }
    for s in &own.shadow_services {
        let files: Vec<&str> = services
            .iter()
            .filter(|x| &x.provider == s)
            .flat_map(|x| x.files.iter().map(String::as_str))
            .take(3)
            .collect();
        shadow.push(("service".into(), s.clone(), format!("used in {}", files.join(", "))));
    }
    for m in &own.missing {
        shadow.push(("missing".into(), m.entry.clone(), format!("declared by {}, not found", m.system)));
    }
    let assets = scan
        .assets
        .iter()
        .filter(|a| a.part_of.is_none())
        .map(|a| AssetLine {
            kind: a.kind.as_str().to_string(),
            path: a.path.clone(),
            format: a.format.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            registered: match own.systems_of(&a.path) {
                [] => "UNREGISTERED".into(),
                systems => systems.join(","),
            },
            meta: short_meta(a),
        })
        .collect();
    let services_lines = services
        .iter()
        .map(|s| {
            let mut bits = Vec::new();
            for (label, set) in
                [("hosts", &s.hosts), ("packages", &s.packages), ("env", &s.env_vars), ("models", &s.models)]
            {
                if !set.is_empty() {
                    bits.push(format!("{label} {}", set.iter().take(4).cloned().collect::<Vec<_>>().join(", ")));
                }
            }
            (s.provider.clone(), bits.join("; "), s.files.len())
        })
        .collect();
    let mut libs: BTreeMap<&str, ()> = BTreeMap::new();
    for u in &scan.uses {
        if matches!(u.kind.as_str(), "sdk" | "dependency") && u.category != "remote-inference" {
            libs.insert(u.name.as_str(), ());
        }
    }
    let mut sev: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in findings {
        *sev.entry(f.severity).or_default() += 1;
    }
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.location.cmp(&b.location)));
    Summary {
        fingerprint,
        files: scan.stats.files,
        bytes: scan.stats.bytes,
        hashed_bytes: scan.stats.hashed_bytes,
        cached_files: scan.stats.cached_files,
        shadow,
        assets,
        services: services_lines,
        libraries: libs.keys().map(|s| s.to_string()).collect(),
        findings_total: findings.len(),
        by_severity: sev.into_iter().rev().collect(),
        top_findings: sorted.into_iter().take(TOP_FINDINGS).cloned().collect(),
        edges: scan.edges.len(),
    }
}

/// The `custody.scan/v1` document, serialised straight to stdout (a large tree has hundreds of
/// thousands of uses; no intermediate JSON tree is built).
#[derive(Serialize)]
struct ScanReport<'a> {
    schema: &'static str,
    scan_id: i64,
    root: &'a str,
    started_at: &'a str,
    duration_ms: u64,
    stats: &'a custody_scan::Stats,
    shadow: Value,
    missing: Vec<Value>,
    registered: &'a BTreeMap<String, Vec<String>>,
    assets: &'a [Asset],
    services: &'a [Service],
    uses: &'a [custody_scan::CodeUse],
    findings: Vec<FindingOut<'a>>,
    edges: &'a [custody_scan::Edge],
    changes: Option<Value>,
}

/// A finding with its rule's remediation.
struct FindingOut<'a>(&'a Finding);

impl Serialize for FindingOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let f = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", &f.code)?;
        m.serialize_entry("severity", &f.severity)?;
        m.serialize_entry("message", &f.message)?;
        m.serialize_entry("location", &f.location)?;
        if let Some(e) = &f.evidence {
            m.serialize_entry("evidence", e)?;
        }
        m.serialize_entry("remediation", f.remediation())?;
        m.end()
    }
}

fn to_record<'a>(
    scan: &'a ScanOutput,
    findings: &'a [Finding],
    started_at: &str,
    elapsed: Duration,
    stats: &Value,
    summary: &Summary,
    ownership: &Ownership,
) -> ScanRecord<'a> {
    ScanRecord {
        root: scan.root.clone(),
        started_at: started_at.to_string(),
        duration_ms: millis(elapsed),
        stats_json: stats.to_string(),
        summary_json: serde_json::to_string(summary).unwrap_or_default(),
        ownership: Some(ownership.clone()),
        assets: scan
            .assets
            .iter()
            .map(|a| AssetRow {
                path: a.path.clone(),
                sha256: a.sha256.clone(),
                kind: a.kind,
                format: a.format.clone(),
                size: a.size,
                meta_json: a.meta.to_string(),
            })
            .collect(),
        findings: findings.into(),
        uses: scan.uses.as_slice().into(),
        edges: scan
            .edges
            .iter()
            .map(|e| EdgeRow { source: e.source.clone(), target: e.target.clone(), kind: e.kind.clone() })
            .collect(),
    }
}

fn table(
    out: &mut Output,
    root: &str,
    s: &Summary,
    changes: Option<&(i64, custody_scan::Diff)>,
    elapsed: Duration,
) -> Result<(), Failure> {
    out.line(&out.paint(&format!("Scanned {root}"), Style::Bold))?;
    out.line(&format!(
        "  {} files, {} in {:.2} s; {} read and hashed, {} files unchanged since the last scan",
        s.files,
        human(s.bytes),
        elapsed.as_secs_f64(),
        human(s.hashed_bytes),
        s.cached_files
    ))?;
    out.line("")?;
    let n_shadow = s.shadow.iter().filter(|(k, _, _)| k != "missing").count();
    let head = format!("Shadow AI (found, not registered to any system): {n_shadow}");
    out.line(&out.paint(&head, if n_shadow > 0 { Style::Red } else { Style::Bold }))?;
    for (kind, what, detail) in &s.shadow {
        out.line(&format!("  {kind:<13} {what}  ({detail})"))?;
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &s.assets {
        *kinds.entry(a.kind.as_str()).or_default() += 1;
    }
    out.line("")?;
    let counts: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    out.line(&out.paint(&format!("AI assets: {}  ({})", s.assets.len(), counts.join(", ")), Style::Bold))?;
    for a in &s.assets {
        out.line(&format!(
            "  {:<13} {:<40} {:<16} {:>9}  {}  {}",
            a.kind,
            a.path,
            a.format,
            human(a.size),
            &a.sha256[..a.sha256.len().min(12)],
            a.registered
        ))?;
        if !a.meta.is_empty() {
            out.line(&format!("  {:<13} {}", "", out.paint(&a.meta, Style::Dim)))?;
        }
    }
    out.line("")?;
    out.line(&out.paint(&format!("AI services: {}", s.services.len()), Style::Bold))?;
    for (provider, detail, files) in &s.services {
        out.line(&format!("  {provider:<13} {detail}; {files} file(s)"))?;
    }
    if !s.libraries.is_empty() {
        out.line(&format!("  {:<13} {}", "libraries", s.libraries.join(", ")))?;
    }
    out.line("")?;
    let counts: Vec<String> = s.by_severity.iter().map(|(sev, n)| format!("{sev} {n}")).collect();
    out.line(&out.paint(&format!("Findings: {}  ({})", s.findings_total, counts.join(", ")), Style::Bold))?;
    for f in &s.top_findings {
        let style = match f.severity {
            Severity::Critical | Severity::High => Style::Red,
            Severity::Medium => Style::Yellow,
            _ => Style::Dim,
        };
        let ev = f.evidence.as_deref().map(|e| format!("  [{e}]")).unwrap_or_default();
        out.line(&format!(
            "  {} {}  {}  {}{ev}",
            out.paint(&format!("{:<8}", f.severity.as_str()), style),
            f.code,
            f.location,
            f.message
        ))?;
    }
    if s.findings_total > s.top_findings.len() {
        out.line(&format!("  … and {} more (--format json lists them all)", s.findings_total - s.top_findings.len()))?;
    }
    if let Some((id, d)) = changes {
        out.line("")?;
        out.line(&out.paint(
            &format!(
                "Since scan #{id}: {} new, {} removed, {} modified",
                d.new.len(),
                d.removed.len(),
                d.modified.len()
            ),
            Style::Bold,
        ))?;
        for (sign, list) in [("+", &d.new), ("-", &d.removed), ("~", &d.modified)] {
            for p in list {
                out.line(&format!("  {sign} {p}"))?;
            }
        }
    }
    out.note(&format!("recorded in the store; `custody graph` shows {} connections", s.edges));
    Ok(())
}

fn spawn_progress(p: Arc<Progress>, done: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let t0 = Instant::now();
        let mut drawn = false;
        while !done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(120));
            if t0.elapsed() < Duration::from_millis(400) {
                continue; // short scans draw nothing
            }
            let line = if p.walking.load(Ordering::Relaxed) {
                "walking the tree…".to_string()
            } else {
                let (f, ft) = (p.files_done.load(Ordering::Relaxed), p.files_total.load(Ordering::Relaxed));
                let (b, bt) = (p.bytes_done.load(Ordering::Relaxed), p.bytes_total.load(Ordering::Relaxed));
                let rate = b as f64 / t0.elapsed().as_secs_f64().max(0.001);
                format!("scanning: {f}/{ft} files, {} of {}, {}/s", human(b), human(bt), human(rate as u64))
            };
            let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
            drawn = true;
        }
        if drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    })
}

pub fn human(bytes: u64) -> String {
    custody_core::text::size(bytes, custody_core::text::SizeUnits::Decimal, 1)
}

fn short_meta(a: &Asset) -> String {
    let m = &a.meta;
    let mut parts = Vec::new();
    let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(x) = s("architecture") {
        parts.push(x);
    }
    if let Some(p) = m.get("parameter_count").and_then(Value::as_u64) {
        parts.push(format!("{} params", compact(p)));
    }
    if let Some(q) = s("quantization") {
        parts.push(q);
    }
    if let Some(mods) = m.get("modalities").and_then(Value::as_array).filter(|a| !a.is_empty()) {
        parts.push(mods.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("+"));
    }
    if m.get("chat_template").is_some_and(|c| c.as_bool() == Some(true) || c.is_string()) {
        parts.push("chat template".into());
    }
    if let Some(b) = m.get("base_models").and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_str) {
        parts.push(format!("base {b}"));
    }
    if let Some(l) = s("license") {
        parts.push(format!("licence {l}"));
    }
    parts.join(", ")
}

fn compact(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1}B", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1}K", n as f64 / 1e3),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human(999), "999 B");
        assert_eq!(human(1_500_000), "1.5 MB");
    }
}

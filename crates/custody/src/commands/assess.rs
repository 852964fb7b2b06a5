//! `custody assess`, `custody gate`, `custody report`: gather the facts (store, custody.toml, the
//! scanned tree), let `custody-assess` decide each provision, render with `custody-report`.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace::{self, Workspace};
use custody_assess::{
    AssessInput, Assessment, AssetFact, AuditFacts, EdgeFact, FileFact, GatePolicy, IntegrityEvent, IntegrityFacts,
    LibraryFact, Policy, Recorded, ScanFacts, ServiceFact, SnapshotFact, Status, SystemFacts,
};
use custody_cli::{AssessArgs, CyclonedxVersion, Format, GateArgs, GateFormat, GlobalArgs, ReportArgs, ReportFormat};
use custody_core::Ownership;
use custody_core::{Catalog, Modality};
use custody_report::report::Meta;
use custody_store::{AssetRow, Store, StoredRecord, StoredScan};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const META: Meta<'static> = Meta { tool: "custody", version: custody_cli::VERSION };

/// Where vulnerability disclosure policies are conventionally published in a tree.
const DISCLOSURE_FILES: &[&str] = &[
    "SECURITY.md",
    "SECURITY.txt",
    "SECURITY",
    "security.txt",
    ".well-known/security.txt",
    ".github/SECURITY.md",
    "docs/SECURITY.md",
];

/// Everything an assessment needs, gathered once.
struct Gathered {
    ws: Workspace,
    input: AssessInput,
    policy: Policy,
    now: String,
    /// Releases and the audit log's integrity events, for the gate's release reasons.
    releases: custody_assess::release::ReleaseLog,
}

fn sha256_file(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(custody_core::hex::encode(&Sha256::digest(&bytes)))
}

fn records<T: DeserializeOwned>(store: &dyn Store, kind: &str, out: &Output) -> Result<Vec<Recorded<T>>, Failure> {
    let mut v = Vec::new();
    for r in store.records(kind)? {
        let StoredRecord { id, key, payload, actor, role, at, audit_seq, .. } = r;
        match serde_json::from_value::<T>(payload) {
            Ok(record) => v.push(Recorded { id, key, at, actor, role, audit_seq, record }),
            Err(e) => out.warn(&format!("{kind} record `{key}` (record {id}) is not readable and is left out: {e}")),
        }
    }
    Ok(v)
}

/// A path relative to the scan root when it lies under it.
fn relative(p: &str, root: &str) -> String {
    if p == root {
        return ".".into();
    }
    p.strip_prefix(root).and_then(|r| r.strip_prefix('/')).map_or_else(|| p.to_string(), str::to_string)
}

fn ecosystem(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match (name, ext) {
        (_, "py" | "ipynb") | ("requirements.txt" | "pyproject.toml" | "setup.py" | "Pipfile" | "setup.cfg", _) => {
            "pypi"
        }
        (_, "js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx") | ("package.json", _) => "npm",
        (_, "java" | "kt" | "kts") | ("pom.xml" | "build.gradle" | "build.gradle.kts", _) => "maven",
        (_, "go") | ("go.mod", _) => "golang",
        (_, "rs") | ("Cargo.toml", _) => "cargo",
        (_, "cs" | "csproj") => "nuget",
        (_, "rb") | ("Gemfile", _) => "gem",
        _ => "generic",
    }
}

/// The scan's assets as the rules read them: each with the systems that claim it and the
/// directory asset it is part of, as the scan's ownership says.
pub fn asset_facts(ws: &Workspace, scan: &StoredScan) -> Vec<AssetFact> {
    owned_assets(&super::scan::ownership(ws, scan), &scan.record.assets)
}

fn owned_assets(own: &Ownership, rows: &[AssetRow]) -> Vec<AssetFact> {
    rows.iter()
        .map(|a| {
            let (systems, part_of) =
                own.get(&a.path).map_or_else(Default::default, |o| (o.systems.clone(), o.part_of.clone()));
            AssetFact {
                path: a.path.clone(),
                kind: a.kind,
                format: a.format.clone(),
                size: a.size,
                sha256: a.sha256.clone(),
                meta: serde_json::from_str(&a.meta_json).unwrap_or(Value::Null),
                part_of,
                systems,
            }
        })
        .collect()
}

fn scan_facts(
    store: &dyn Store,
    ws: &Workspace,
    audit_entries: &[(custody_audit::Entry, Vec<u8>)],
) -> Result<Option<ScanFacts>, Failure> {
    let Some(stored) = store.latest_scan(None)? else { return Ok(None) };
    // Ownership as the scan decided it (recomputed for a scan recorded before it was kept).
    let own = super::scan::ownership(ws, &stored);
    let rec = stored.record;
    let shadow_assets = own.shadow_assets().map(str::to_string).collect();
    let shadow_services = own.shadow_services.clone();
    let missing = own.missing.iter().map(|m| (m.system.clone(), m.entry.clone())).collect();
    let assets = owned_assets(&own, &rec.assets);
    let uses: &[custody_core::AiUse] = &rec.uses;
    let services = custody_scan::services(uses)
        .into_iter()
        .map(|s| {
            let hosts: Vec<String> = s.hosts.iter().cloned().collect();
            let systems = ws
                .config
                .systems
                .iter()
                .filter(|sys| sys.declares_service(&s.provider, &hosts))
                .map(|sys| sys.name.clone())
                .collect();
            let occurrences = uses
                .iter()
                .filter(|u| {
                    u.provider.as_deref() == Some(s.provider.as_str())
                        && u.category == "remote-inference"
                        && u.kind != "credential"
                })
                .map(|u| (u.path.clone(), u.line))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            ServiceFact {
                provider: s.provider,
                hosts: s.hosts.into_iter().collect(),
                models: s.models.into_iter().collect(),
                packages: s.packages.into_iter().collect(),
                occurrences,
                systems,
            }
        })
        .collect();
    let mut libs: BTreeMap<(String, String), LibraryFact> = BTreeMap::new();
    for u in uses.iter().filter(|u| matches!(u.kind.as_str(), "sdk" | "dependency")) {
        let eco = ecosystem(&u.path).to_string();
        let l = libs.entry((eco.clone(), u.name.clone())).or_insert_with(|| LibraryFact {
            name: u.name.clone(),
            ecosystem: eco,
            provider: u.provider.clone(),
            occurrences: Vec::new(),
        });
        if !l.occurrences.contains(&(u.path.clone(), u.line)) {
            l.occurrences.push((u.path.clone(), u.line));
        }
    }
    let audit_seq = audit_entries
        .iter()
        .rev()
        .find(|(e, _)| e.kind == "scan" && e.payload.get("scan").and_then(Value::as_i64) == Some(stored.id))
        .map(|(e, _)| e.seq);
    Ok(Some(ScanFacts {
        id: stored.id,
        root: rec.root.clone(),
        started_at: rec.started_at.clone(),
        audit_seq,
        assets,
        findings: rec.findings.into_owned(),
        services,
        libraries: libs.into_values().collect(),
        shadow_assets,
        shadow_services,
        missing,
        edges: rec
            .edges
            .iter()
            .map(|e| EdgeFact { source: e.source.clone(), target: e.target.clone(), kind: e.kind.clone() })
            .collect(),
    }))
}

fn gather(g: &GlobalArgs, out: &Output) -> Result<Gathered, Failure> {
    let ws = workspace::load(g)?;
    let store = workspace::open_store_read(g, &ws)?;
    let store = store.as_ref();
    let now = clock::now()?;
    // One consistent view of the log, checked against every checkpoint kept outside the store:
    // writers working meanwhile cannot make the gate see half a change. The outside
    // checkpoints are read first: they only move forward after a commit, so none can be newer
    // than the view taken after them.
    let location = workspace::store_location(g, &ws.config_path, &ws.config)?;
    let outside = crate::seal::outside_checkpoints(&location, &workspace::witnesses(&ws, &location), &[]);
    let view = store.audit_view()?;
    let checked = outside.and_then(|outside| custody_store::verify::check(&view, &outside).map_err(Failure::new));
    let entries = view.entries;
    let audit = match checked {
        Ok(custody_store::verify::Checked { problems, report, .. }) => AuditFacts {
            available: true,
            ok: problems.is_empty(),
            problems,
            entries: report.entries,
            checkpoints: report.checkpoints as u64,
            config_entries: entries
                .iter()
                .filter(|(e, _)| e.kind.starts_with("organisation.") || e.kind.starts_with("config."))
                .map(|(e, _)| e.seq)
                .collect(),
        },
        Err(Failure::Error { message, .. }) => {
            AuditFacts { available: false, problems: vec![message], ..AuditFacts::default() }
        }
        Err(f) => return Err(f),
    };
    let scan = scan_facts(store, &ws, &entries)?;
    let releases = match &scan {
        Some(s) => super::lifecycle::release_log(&entries, store.records("release")?, s.id),
        None => custody_assess::release::ReleaseLog::default(),
    };
    let root = scan
        .as_ref()
        .map(|s| PathBuf::from(&s.root))
        .unwrap_or_else(|| workspace::root_of(&ws.config_path).to_path_buf());
    let disclosure = DISCLOSURE_FILES
        .iter()
        .filter_map(|f| sha256_file(&root.join(f)).map(|sha256| FileFact { path: (*f).to_string(), sha256 }))
        .collect();
    let root_str = scan.as_ref().map(|s| s.root.clone()).unwrap_or_default();
    let integrity = IntegrityFacts {
        events: store
            .attest_events()?
            .into_iter()
            .map(|e| IntegrityEvent {
                subject: relative(&e.subject, &root_str),
                kind: e.kind,
                outcome: e.outcome,
                at: e.at,
                root_digest: e.root_digest,
                snapshot: e.snapshot,
            })
            .collect(),
        snapshots: store
            .snapshots()?
            .into_iter()
            .map(|s| SnapshotFact {
                name: s.record.name,
                created_at: s.record.created_at,
                source: relative(&s.record.source, &root_str),
                root_digest: s.record.root_digest,
                files: s.file_count,
                total_bytes: s.record.total_bytes,
            })
            .collect(),
    };
    let c = &ws.config;
    let input = AssessInput {
        organisation: c.organisation.name.clone(),
        roles: c.organisation.roles.clone(),
        systems: c
            .systems
            .iter()
            .map(|s| SystemFacts {
                name: s.name.clone(),
                exposure: s.exposure,
                description: s.description.clone(),
                intended_use: s.intended_use.clone(),
                assets: s.assets.clone(),
                services: s.services.clone(),
            })
            .collect(),
        scan,
        datasets: records(store, "dataset", out)?,
        approvals: records(store, "approval", out)?,
        evidence: records(store, "evidence", out)?,
        training: records(store, "training", out)?,
        integrity,
        audit,
        disclosure,
        components: {
            let justified: std::collections::BTreeMap<String, i64> =
                store.records("justification")?.into_iter().map(|r| (r.key, r.id)).collect();
            super::justify::weak_components(&ws, store)?
                .into_iter()
                .map(|w| custody_assess::ComponentFact {
                    record: justified.get(&w.component).copied(),
                    component: w.component,
                    reasons: w.reasons,
                })
                .collect()
        },
        threats: super::threats::derive_all(&ws, store, None)?
            .into_iter()
            .flat_map(|s| {
                let system = s.system;
                s.rows.into_iter().map(move |r| custody_assess::ThreatFact {
                    system: system.clone(),
                    threat: r.threat.id.to_string(),
                    state: r.state,
                    record: r.record,
                })
            })
            .collect(),
    };
    let policy =
        Policy { max_scan_age_days: c.evidence.max_scan_age_days, max_evidence_age_days: c.evidence.max_age_days };
    Ok(Gathered { ws, input, policy, now, releases })
}

fn paint_status(out: &Output, s: Status) -> String {
    let (text, style) = match s {
        Status::Met => ("MET", Style::Bold),
        Status::Partial => ("PARTIAL", Style::Yellow),
        Status::Gap => ("GAP", Style::Red),
        Status::NotApplicable => ("N/A", Style::Dim),
    };
    out.paint(&format!("{text:<8}"), style)
}

fn totals_line(label: &str, t: &custody_assess::Totals) -> String {
    let label: String = if label.chars().count() > 28 {
        format!("{}…", label.chars().take(27).collect::<String>())
    } else {
        label.to_string()
    };
    format!(
        "  {label:<28} {:>5} {:>8} {:>5} {:>5} {:>11} {:>8}%",
        t.met,
        t.partial,
        t.gap,
        t.not_applicable,
        t.shall_gaps,
        t.progress()
    )
}

pub fn assess(g: &GlobalArgs, args: &AssessArgs, out: &mut Output) -> CmdResult {
    let gathered = gather(g, out)?;
    let c = Catalog::embedded();
    let a = custody_assess::assess(c, &gathered.input, &gathered.now, &gathered.policy);
    if let Some(sys) = &args.system
        && !a.systems.iter().any(|s| &s.name == sys)
    {
        let known: Vec<&str> = a.systems.iter().map(|s| s.name.as_str()).collect();
        return Err(Failure::with_hint(
            format!("no system `{sys}`"),
            format!("declared systems: {}", if known.is_empty() { "none".into() } else { known.join(", ") }),
        ));
    }
    match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&a).map_err(|e| Failure::new(e.to_string()))?;
            if let Some(sys) = &args.system {
                v["system"] = json!({
                    "name": sys,
                    "provisions": a.provisions.iter().map(|p| json!({
                        "id": p.id, "status": p.status_for(sys),
                        "detail": p.systems.get(sys).map_or(p.rationale.as_str(), |s| s.detail.as_str()),
                    })).collect::<Vec<_>>(),
                });
            }
            out.json(&v)?;
        }
        Format::Table => table(out, &a, args)?,
    }
    Ok(Outcome::Ok)
}

fn table(out: &mut Output, a: &Assessment, args: &AssessArgs) -> Result<(), Failure> {
    let roles: Vec<&str> = a.roles.iter().map(|r| r.title()).collect();
    out.line(
        &out.paint(&format!("{}: ETSI {} assessment at {}", a.organisation, a.standard, a.assessed_at), Style::Bold),
    )?;
    out.line(&format!(
        "roles {}: {} provisions apply ({} bind none of these roles); custody checks {} of {} provisions by itself",
        roles.join(", "),
        a.totals.applicable,
        a.not_binding,
        a.automated_provisions,
        a.totals.applicable + a.not_binding
    ))?;
    let scan = match &a.scan {
        Some(s) => format!(
            "scan #{} of {} ({}{})",
            s.id,
            s.root,
            s.age_days.map_or("age unknown".to_string(), |d| format!("{d} day(s) old")),
            if s.stale { ", STALE" } else { "" }
        ),
        None => "no scan yet (custody scan)".into(),
    };
    out.line(&format!("{scan}; audit log {}", if a.audit_ok { "verifies" } else { "DOES NOT VERIFY" }))?;
    out.line("")?;
    out.line(&out.paint(
        &format!(
            "  {:<28} {:>5} {:>8} {:>5} {:>5} {:>11} {:>9}",
            "", "met", "partial", "gap", "n/a", "shall-gaps", "progress"
        ),
        Style::Bold,
    ))?;
    for r in &a.by_role {
        out.line(&totals_line(&r.title, &r.totals))?;
    }
    out.line(&totals_line("All", &a.totals))?;
    for s in &a.systems {
        out.line(&totals_line(&format!("system {}", s.name), &s.totals))?;
    }
    out.line("")?;
    let system = args.system.as_deref();
    let status_of = |p: &custody_assess::ProvisionResult| system.map_or(p.status, |s| p.status_for(s));
    let mut list: Vec<&custody_assess::ProvisionResult> =
        a.provisions.iter().filter(|p| args.all || matches!(status_of(p), Status::Gap | Status::Partial)).collect();
    list.sort_by_key(|p| (p.modality, status_of(p)));
    let head = match (system, args.all) {
        (Some(s), true) => format!("Every applicable provision, for system {s}:"),
        (Some(s), false) => format!("Open for system {s} (shall first):"),
        (None, true) => "Every applicable provision (shall first):".to_string(),
        (None, false) => "Open provisions, shall-gaps first, with what would close each:".to_string(),
    };
    out.line(&out.paint(&head, Style::Bold))?;
    if list.is_empty() {
        out.line("  nothing open")?;
    }
    for p in list {
        let st = status_of(p);
        let roles = if p.roles.is_empty() {
            "organisation".to_string()
        } else {
            p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
        };
        let modality =
            if p.modality == Modality::Shall { out.paint("shall ", Style::Bold) } else { "should".to_string() };
        out.line(&format!(
            "  {} {:<10} {modality}  {}{}",
            paint_status(out, st),
            p.id,
            roles,
            if p.automated { "  [auto]" } else { "" }
        ))?;
        let why = system.and_then(|s| p.systems.get(s)).map_or(p.rationale.as_str(), |s| s.detail.as_str());
        for (i, l) in super::wrap(why, 92).into_iter().enumerate() {
            out.line(&format!("  {:<8} {:<10} {}{l}", "", "", if i == 0 { "why:   " } else { "       " }))?;
        }
        if let Some(c) = &p.close
            && st != Status::Met
            && st != Status::NotApplicable
        {
            out.line(&format!("  {:<8} {:<10} close: {}", "", "", out.paint(c, Style::Dim)))?;
        }
    }
    out.note("`custody report --format html --out report.html` writes the full report; `custody gate` decides for CI");
    Ok(())
}

fn gate_policy(ws: &Workspace, args: &GateArgs) -> GatePolicy {
    let cfg = &ws.config.gate;
    GatePolicy {
        fail_on: if args.no_findings { None } else { args.fail_on.or_else(|| cfg.fail_on()) },
        provisions: cfg.provisions.clone(),
        ignore: cfg.ignore.clone(),
        require_audit: cfg.require_audit,
    }
}

/// custody.toml as a path relative to the scan root (where SARIF locations are anchored).
fn config_uri(ws: &Workspace, input: &AssessInput) -> String {
    let cfg = std::fs::canonicalize(&ws.config_path).unwrap_or_else(|_| ws.config_path.clone());
    input
        .scan
        .as_ref()
        .and_then(|s| cfg.strip_prefix(&s.root).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
        .unwrap_or_else(|| "custody.toml".into())
}

fn all_findings(input: &AssessInput) -> Vec<custody_core::Finding> {
    input.scan.iter().flat_map(|s| s.findings.clone()).collect()
}

pub fn gate(g: &GlobalArgs, args: &GateArgs, out: &mut Output) -> CmdResult {
    let gathered = gather(g, out)?;
    let c = Catalog::embedded();
    let a = custody_assess::assess(c, &gathered.input, &gathered.now, &gathered.policy);
    let policy = gate_policy(&gathered.ws, args);
    let mut result = custody_assess::gate(&a, &gathered.input, &policy);
    // A system whose shipped assets changed since its last release, and whose new version a
    // release would refuse, fails the gate too.
    if let Some(scan) = &gathered.input.scan {
        let facts = custody_assess::release::ReleaseFacts {
            root: &scan.root,
            assets: &scan.assets,
            findings: &scan.findings,
            log: &gathered.releases,
        };
        result.fail_with(custody_assess::release_reasons(&gathered.input.systems, &facts));
    }
    match args.format {
        GateFormat::Json => out.json(&serde_json::to_value(&result).map_err(|e| Failure::new(e.to_string()))?)?,
        GateFormat::Sarif => out.json(&custody_report::sarif_assess::gate(
            c,
            &a,
            &result,
            &all_findings(&gathered.input),
            META.tool,
            META.version,
            &config_uri(&gathered.ws, &gathered.input),
        ))?,
        GateFormat::Table => {
            let threshold = policy.fail_on.map_or("off".to_string(), |s| s.as_str().to_string());
            if result.pass {
                out.line(&out.paint(
                    &format!("GATE PASSED: no shall-gap in {} provision(s), no finding at or above {threshold}, audit log verifies", result.checked_provisions),
                    Style::Bold,
                ))?;
            } else {
                out.line(&out.paint(&format!("GATE FAILED: {} reason(s)", result.reasons.len()), Style::Red))?;
                let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
                for r in &result.reasons {
                    *by_kind.entry(r.kind.as_str()).or_default() += 1;
                }
                let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
                out.line(&format!(
                    "  ({}; findings threshold {threshold}; {} shall-provision(s) checked)",
                    counts.join(", "),
                    result.checked_provisions
                ))?;
                const SHOWN: usize = 18;
                for r in result.reasons.iter().take(SHOWN) {
                    let mut line = r.message.clone();
                    if line.chars().count() > 150 {
                        line = format!("{}…", line.chars().take(149).collect::<String>());
                    }
                    out.line(&format!("  - {line}"))?;
                }
                if result.reasons.len() > SHOWN {
                    out.line(&format!("  … and {} more (`custody gate --format json` lists all; `custody assess` says how to close each)", result.reasons.len() - SHOWN))?;
                }
            }
        }
    }
    Ok(if result.pass { Outcome::Ok } else { Outcome::PolicyFailure })
}

pub fn report(g: &GlobalArgs, args: &ReportArgs, out: &mut Output) -> CmdResult {
    let gathered = gather(g, out)?;
    let c = Catalog::embedded();
    let input = &gathered.input;
    let a = custody_assess::assess(c, input, &gathered.now, &gathered.policy);
    let pretty = |v: &Value| serde_json::to_string_pretty(v).map(|s| s + "\n").map_err(|e| Failure::new(e.to_string()));
    let text = match args.format {
        ReportFormat::Html => custody_report::html::report(c, input, &a, META),
        ReportFormat::Markdown => custody_report::report::markdown(c, input, &a, META),
        ReportFormat::Json => pretty(&custody_report::report::json(input, &a, META))?,
        ReportFormat::Oscal => pretty(&custody_report::oscal_results::assessment_results(c, &a, META))?,
        ReportFormat::OscalProfile => pretty(&custody_report::oscal_results::profile(c, &a, &args.catalog_href))?,
        ReportFormat::Cyclonedx => {
            let v = match args.cyclonedx_version {
                CyclonedxVersion::V1_6 => custody_report::cyclonedx::SpecVersion::V1_6,
                CyclonedxVersion::V1_7 => custody_report::cyclonedx::SpecVersion::V1_7,
            };
            let bom = custody_report::cyclonedx::bom(c, input, &a, META, v);
            let problems = custody_report::cyclonedx::check_refs(&bom);
            if !problems.is_empty() {
                return Err(Failure::new(format!(
                    "the CycloneDX document has broken references (a custody bug): {}",
                    problems.join("; ")
                )));
            }
            pretty(&bom)?
        }
        ReportFormat::Spdx => pretty(&custody_report::spdx::document(input, &a, META))?,
        ReportFormat::Sarif => pretty(&custody_report::sarif_assess::assessment(
            c,
            &a,
            &all_findings(input),
            META.tool,
            META.version,
            &config_uri(&gathered.ws, input),
        ))?,
    };
    match &args.out {
        Some(p) => {
            crate::fsutil::atomic_write(p, text.as_bytes()).map_err(|e| Failure::io("write", p, &e))?;
            let t = &a.totals;
            out.note(&format!(
                "wrote {} ({} provisions: {} met, {} partial, {} gap, {} not applicable)",
                p.display(),
                t.applicable,
                t.met,
                t.partial,
                t.gap,
                t.not_applicable
            ));
        }
        None if matches!(args.format, ReportFormat::Markdown) => out.document(&text)?,
        None => out.raw(&text)?,
    }
    Ok(Outcome::Ok)
}

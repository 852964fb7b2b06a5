//! The automatic evidence rules: for each provision custody can decide from facts it holds, a
//! function from the input to a status, the evidence behind it and what would close a gap.
//!
//! A rule's result is *hard* when a fact counts against the provision (a critical finding, an
//! audit log that does not verify, personal data behind a public system without approval):
//! attested evidence cannot override it. Otherwise the better of the automatic and the attested
//! status wins.

use crate::clock;
use crate::input::{AssessInput, AssetFact, Policy, Recorded, ScanFacts};
use crate::model::{EvidenceItem, Status, SystemStatus};
use crate::threats::ThreatState;
use custody_core::records::Dataset;
use custody_core::{Capability, Exposure, Role, Severity};
use std::collections::BTreeMap;

/// What a rule decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auto {
    pub status: Status,
    pub rationale: String,
    pub evidence: Vec<EvidenceItem>,
    pub close: Option<String>,
    /// A fact counts against the provision: attested evidence cannot lift the status.
    pub hard: bool,
    pub systems: BTreeMap<String, SystemStatus>,
}

impl Auto {
    fn new(status: Status, rationale: impl Into<String>) -> Auto {
        Auto {
            status,
            rationale: rationale.into(),
            evidence: Vec::new(),
            close: None,
            hard: false,
            systems: BTreeMap::new(),
        }
    }
    fn close(mut self, c: impl Into<String>) -> Auto {
        self.close = Some(c.into());
        self
    }
    fn hard(mut self) -> Auto {
        self.hard = true;
        self
    }
    fn with(mut self, e: Vec<EvidenceItem>) -> Auto {
        self.evidence.extend(e);
        self
    }
}

/// What a rule may look at.
pub struct Ctx<'a> {
    pub input: &'a AssessInput,
    pub now: &'a str,
    pub policy: &'a Policy,
}

impl Ctx<'_> {
    pub fn today(&self) -> &str {
        self.now.get(..10).unwrap_or(self.now)
    }
    /// Days since `t`, when both times parse.
    pub fn age_days(&self, t: &str) -> Option<i64> {
        clock::days_between(t, self.now)
    }
    fn stale(&self, t: &str) -> bool {
        self.age_days(t).is_some_and(|d| d > i64::from(self.policy.max_evidence_age_days))
    }
    fn holds(&self, r: Role) -> bool {
        self.input.roles.contains(&r)
    }
}

/// An automatic rule.
pub struct Rule {
    pub provision: &'static str,
    /// The custody capabilities behind it (the catalogue's `automation` field).
    pub capabilities: &'static [Capability],
    /// Its status depends on the latest scan, so a stale scan downgrades met → partial.
    pub uses_scan: bool,
    /// One line on what it checks.
    pub checks: &'static str,
    pub eval: fn(&Ctx<'_>) -> Auto,
}

use Capability as C;

/// Every automatic rule, in catalogue order.
pub const RULES: &[Rule] = &[
    Rule {
        provision: "5.1.1-1",
        capabilities: &[C::Training],
        uses_scan: false,
        checks: "training records exist, none overdue, one completed within the evidence age",
        eval: training_programme,
    },
    Rule {
        provision: "5.1.1-1.1",
        capabilities: &[C::Training],
        uses_scan: false,
        checks: "every training record names the staff role it was fitted to",
        eval: training_roles,
    },
    Rule {
        provision: "5.1.1-2",
        capabilities: &[C::Training],
        uses_scan: false,
        checks: "staff training is current (none overdue)",
        eval: training_current,
    },
    Rule {
        provision: "5.1.1-2.2",
        capabilities: &[C::Training],
        uses_scan: false,
        checks: "developer staff hold current secure AI development training",
        eval: training_developers,
    },
    Rule {
        provision: "5.1.2-3",
        capabilities: &[C::AuditLog, C::Inventory],
        uses_scan: true,
        checks: "the audit log verifies and logs the latest scan of models, datasets and prompts",
        eval: audit_trail,
    },
    Rule {
        provision: "5.1.2-5",
        capabilities: &[C::Approval],
        uses_scan: false,
        checks: "every dataset a system uses is approved; personal data behind exposed systems by an approval that addresses it",
        eval: approvals,
    },
    Rule {
        provision: "5.1.3-1",
        capabilities: &[C::ThreatModel],
        uses_scan: true,
        checks: "every threat custody derives for each system has a recorded, current treatment",
        eval: threat_model,
    },
    Rule {
        provision: "5.1.3-1.1",
        capabilities: &[C::ThreatModel],
        uses_scan: true,
        checks: "no threat treatment is stale (recorded before the system's configuration, models or data changed)",
        eval: threat_model_current,
    },
    Rule {
        provision: "5.1.3-1.3",
        capabilities: &[C::ThreatModel],
        uses_scan: true,
        checks: "controls (a treatment with residual risk) are recorded for every derived threat",
        eval: threat_model,
    },
    Rule {
        provision: "5.2.1-1",
        capabilities: &[C::Inventory],
        uses_scan: true,
        checks: "a recent scan found no unregistered asset or service and no missing registration",
        eval: inventory,
    },
    Rule {
        provision: "5.2.1-2",
        capabilities: &[C::Inventory, C::AuditLog],
        uses_scan: true,
        checks: "every asset has a SHA-256 digest and the audit log verifies",
        eval: tracked,
    },
    Rule {
        provision: "5.2.1-3.1",
        capabilities: &[C::Snapshot],
        uses_scan: true,
        checks: "every registered model has a known-good snapshot",
        eval: known_good,
    },
    Rule {
        provision: "5.2.2-4",
        capabilities: &[C::Inventory],
        uses_scan: false,
        checks: "a SECURITY.md or security.txt is in the tree (or attested)",
        eval: disclosure,
    },
    Rule {
        provision: "5.2.3-1",
        capabilities: &[C::ModelScan, C::Inventory],
        uses_scan: true,
        checks: "no critical or high model-file finding; hub downloads pinned",
        eval: supply_chain,
    },
    Rule {
        provision: "5.2.3-2",
        capabilities: &[C::Justification, C::Inventory],
        uses_scan: true,
        checks: "every poorly documented third-party component in the inventory carries a written justification",
        eval: justified,
    },
    Rule {
        provision: "5.2.3-2.1",
        capabilities: &[C::Justification],
        uses_scan: true,
        checks: "each of those justifications records compensating controls and a risk assessment",
        eval: justified,
    },
    Rule {
        provision: "5.2.3-2.2",
        capabilities: &[C::Justification],
        uses_scan: true,
        checks: "the end-user notice can be rendered from complete justifications (publishing it is attested)",
        eval: justification_notice,
    },
    Rule {
        provision: "5.2.3-3",
        capabilities: &[C::ModelScan],
        uses_scan: true,
        checks: "every model file passed custody's model-file checks with no critical or high finding",
        eval: model_evaluated,
    },
    Rule {
        provision: "5.2.4-1.2",
        capabilities: &[C::Signing],
        uses_scan: true,
        checks: "every registered model component is signed and its latest verification passed",
        eval: signed,
    },
    Rule {
        provision: "5.2.4-2",
        capabilities: &[C::Provenance],
        uses_scan: true,
        checks: "every training dataset is recorded with how, where from and when it was acquired",
        eval: provenance,
    },
    Rule {
        provision: "5.2.4-2.1",
        capabilities: &[C::Provenance],
        uses_scan: true,
        checks: "every training dataset has a source URL and an acquisition time",
        eval: provenance_minimum,
    },
    Rule {
        provision: "5.2.4-3",
        capabilities: &[C::AuditLog],
        uses_scan: true,
        checks: "prompt and configuration changes are in a verifying audit log",
        eval: prompt_log,
    },
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.provision == id)
}

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

const NO_SCAN: &str = "custody scan";

fn need_scan<'a>(ctx: &Ctx<'a>) -> Result<&'a ScanFacts, Auto> {
    ctx.input
        .scan
        .as_ref()
        .ok_or_else(|| Auto::new(Status::Gap, "no scan has been recorded, so custody knows no assets").close(NO_SCAN))
}

fn scan_item(s: &ScanFacts) -> EvidenceItem {
    let mut e = EvidenceItem::new(
        "scan",
        format!("scan {}", s.id),
        format!(
            "{} assets, {} services, {} connections under {}",
            s.top_assets().count(),
            s.services.len(),
            s.edges.len(),
            s.root
        ),
    )
    .at(&s.started_at);
    e.audit_seq = s.audit_seq;
    e
}

fn asset_item(a: &AssetFact, detail: impl Into<String>) -> EvidenceItem {
    EvidenceItem::new("asset", a.path.clone(), detail).sha(&a.sha256)
}

fn audit_item(ctx: &Ctx<'_>) -> EvidenceItem {
    let a = &ctx.input.audit;
    let state = if a.ok {
        "verifies".to_string()
    } else {
        format!("does not verify: {}", a.problems.first().map_or("", String::as_str))
    };
    let e = EvidenceItem::new(
        "audit-log",
        "audit log",
        format!("{} entries, {} signed checkpoints; {state}", a.entries, a.checkpoints),
    );
    if a.ok { e } else { e.against() }
}

/// Gap (hard) when the audit log is missing or does not verify.
fn need_audit(ctx: &Ctx<'_>) -> Result<(), Auto> {
    let a = &ctx.input.audit;
    if !a.available {
        return Err(Auto::new(Status::Gap, "the store has no audit log")
            .close("custody init (creates the audit log key), then any recording command"));
    }
    if !a.ok {
        return Err(Auto::new(
            Status::Gap,
            format!(
                "the audit log does not verify ({} problem(s)): {}",
                a.problems.len(),
                a.problems.first().map_or("", String::as_str)
            ),
        )
        .with(vec![audit_item(ctx)])
        .close("custody audit verify (lists every problem); restore the store from a backup and investigate")
        .hard());
    }
    Ok(())
}

fn list(items: &[String], max: usize) -> String {
    let mut s = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// Worst over per-system statuses and a base status.
fn worst_of(base: Status, systems: &BTreeMap<String, SystemStatus>) -> Status {
    systems.values().fold(base, |w, s| w.worst(s.status))
}

fn sys(status: Status, detail: impl Into<String>) -> SystemStatus {
    SystemStatus { status, detail: detail.into() }
}

/// Does the integrity subject (a path relative to the scan root) cover this asset path?
fn covers(subject: &str, path: &str) -> bool {
    let s = subject.trim_end_matches('/');
    s == path || path.strip_prefix(s).is_some_and(|r| r.starts_with('/')) || s == "." || s.is_empty()
}

/// Model components registered to a system (the ones provided to operators and users).
fn released_models(scan: &ScanFacts) -> Vec<&AssetFact> {
    scan.top_assets().filter(|a| a.is_model() && !a.systems.is_empty()).collect()
}

// ---------------------------------------------------------------------------------------------
// 5.1.1-*: training
// ---------------------------------------------------------------------------------------------

const TRAINING_CLOSE: &str =
    "custody training add --person NAME --staff-role ROLE --module MODULE --completed YYYY-MM-DD --expires YYYY-MM-DD";

fn training_items(ctx: &Ctx<'_>) -> Vec<EvidenceItem> {
    ctx.input
        .training
        .iter()
        .map(|r| {
            let t = &r.record;
            let overdue = t.overdue(ctx.today());
            let e = EvidenceItem::new(
                "record",
                format!("training {}", r.key),
                format!(
                    "{} ({}) completed {}{}{}",
                    t.person,
                    t.staff_role,
                    t.completed,
                    t.expires.as_deref().map(|e| format!(", expires {e}")).unwrap_or_default(),
                    if overdue { ": OVERDUE" } else { "" }
                ),
            )
            .at(&r.at)
            .seq(r.audit_seq);
            if overdue { e.against() } else { e }
        })
        .collect()
}

fn no_training() -> Auto {
    Auto::new(Status::Gap, "no AI security training is recorded").close(TRAINING_CLOSE)
}

fn overdue_people(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.input.training.iter().filter(|r| r.record.overdue(ctx.today())).map(|r| r.key.clone()).collect()
}

fn training_programme(ctx: &Ctx<'_>) -> Auto {
    if ctx.input.training.is_empty() {
        return no_training();
    }
    let overdue = overdue_people(ctx);
    let newest =
        ctx.input.training.iter().map(|r| format!("{}T00:00:00Z", r.record.completed)).max().unwrap_or_default();
    let items = training_items(ctx);
    if !overdue.is_empty() {
        return Auto::new(
            Status::Partial,
            format!("{} training record(s) overdue: {}", overdue.len(), list(&overdue, 5)),
        )
        .with(items)
        .close(format!("renew the overdue training: {TRAINING_CLOSE}"));
    }
    if ctx.stale(&newest) {
        return Auto::new(
            Status::Partial,
            format!(
                "the newest training completion ({}) is older than {} days: the programme has not been revisited",
                newest.get(..10).unwrap_or(&newest),
                ctx.policy.max_evidence_age_days
            ),
        )
        .with(items)
        .close(TRAINING_CLOSE);
    }
    Auto::new(Status::Met, format!("{} training record(s), none overdue", ctx.input.training.len())).with(items)
}

fn training_roles(ctx: &Ctx<'_>) -> Auto {
    if ctx.input.training.is_empty() {
        return no_training();
    }
    let unfitted: Vec<String> =
        ctx.input.training.iter().filter(|r| r.record.staff_role.trim().is_empty()).map(|r| r.key.clone()).collect();
    let mut roles: Vec<String> =
        ctx.input.training.iter().map(|r| r.record.staff_role.trim().to_string()).filter(|s| !s.is_empty()).collect();
    roles.sort();
    roles.dedup();
    let items = training_items(ctx);
    if !unfitted.is_empty() {
        return Auto::new(Status::Partial, format!("training without a staff role: {}", list(&unfitted, 5)))
            .with(items)
            .close("record the staff role each module is fitted to (--staff-role)");
    }
    Auto::new(Status::Met, format!("training fitted to {} staff role(s): {}", roles.len(), list(&roles, 6))).with(items)
}

fn training_current(ctx: &Ctx<'_>) -> Auto {
    if ctx.input.training.is_empty() {
        return no_training();
    }
    let overdue = overdue_people(ctx);
    let items = training_items(ctx);
    if overdue.is_empty() {
        Auto::new(Status::Met, format!("{} staff training record(s) current", ctx.input.training.len())).with(items)
    } else {
        Auto::new(Status::Partial, format!("{} overdue: {}", overdue.len(), list(&overdue, 5)))
            .with(items)
            .close(format!("renew the overdue training: {TRAINING_CLOSE}"))
    }
}

/// Does a training record concern people who develop AI?
pub fn is_developer_training(staff_role: &str, module: &str) -> bool {
    let text = format!("{staff_role} {module}").to_lowercase();
    ["develop", "engineer", "ml ", "ml-", "machine learning", "data scien", "secure coding", "programm", "mlops"]
        .iter()
        .any(|k| text.contains(k))
        || text.split_whitespace().any(|w| w == "ml")
}

fn training_developers(ctx: &Ctx<'_>) -> Auto {
    if !ctx.holds(Role::Developer) {
        return Auto::new(
            Status::NotApplicable,
            "the organisation holds no Developer role, so it has no AI developer staff in the standard's sense",
        );
    }
    let dev: Vec<&Recorded<custody_core::records::Training>> =
        ctx.input.training.iter().filter(|r| is_developer_training(&r.record.staff_role, &r.record.module)).collect();
    if dev.is_empty() {
        return Auto::new(Status::Gap, "no secure AI development training is recorded for developer staff")
            .close("custody training add --person NAME --staff-role \"ML engineer\" --module \"Secure AI development\" --completed YYYY-MM-DD");
    }
    let overdue: Vec<String> = dev.iter().filter(|r| r.record.overdue(ctx.today())).map(|r| r.key.clone()).collect();
    let items: Vec<EvidenceItem> = training_items(ctx)
        .into_iter()
        .filter(|e| dev.iter().any(|r| e.reference == format!("training {}", r.key)))
        .collect();
    if overdue.is_empty() {
        Auto::new(Status::Met, format!("{} developer training record(s), current", dev.len())).with(items)
    } else {
        Auto::new(Status::Partial, format!("developer training overdue: {}", list(&overdue, 5)))
            .with(items)
            .close(format!("renew the overdue training: {TRAINING_CLOSE}"))
    }
}

// ---------------------------------------------------------------------------------------------
// 5.1.2-3 and 5.2.4-3: the audit trail
// ---------------------------------------------------------------------------------------------

fn audit_trail(ctx: &Ctx<'_>) -> Auto {
    if let Err(a) = need_audit(ctx) {
        return a;
    }
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let mut ev = vec![audit_item(ctx), scan_item(scan)];
    for r in &ctx.input.datasets {
        ev.push(
            EvidenceItem::new("audit-entry", format!("entry {}", r.audit_seq), format!("dataset `{}` recorded", r.key))
                .seq(r.audit_seq)
                .at(&r.at),
        );
    }
    if scan.audit_seq.is_none() {
        return Auto::new(
            Status::Partial,
            format!("scan {} is not in the audit log (recorded before the log existed?)", scan.id),
        )
        .with(ev)
        .close(NO_SCAN);
    }
    if ctx.input.audit.checkpoints == 0 {
        return Auto::new(Status::Partial, "the audit log has no signed checkpoint yet")
            .with(ev)
            .close("run any recording command (custody scan): custody signs a checkpoint after it");
    }
    let n = scan.top_assets().count();
    Auto::new(
        Status::Met,
        format!(
            "the audit log verifies ({} entries, {} checkpoints) and logs scan {} with the digests of {n} assets",
            ctx.input.audit.entries, ctx.input.audit.checkpoints, scan.id
        ),
    )
    .with(ev)
}

fn prompt_log(ctx: &Ctx<'_>) -> Auto {
    if let Err(a) = need_audit(ctx) {
        return a;
    }
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let prompts: Vec<&AssetFact> = scan
        .top_assets()
        .filter(|a| {
            matches!(a.kind.as_str(), "prompt" | "chat-template")
                || a.meta.get("chat_template").is_some_and(|c| c.as_bool() == Some(true) || c.is_string())
        })
        .collect();
    let mut ev = vec![audit_item(ctx), scan_item(scan)];
    ev.extend(prompts.iter().map(|a| asset_item(a, format!("{} hashed in scan {}", a.kind, scan.id))));
    let cfg = &ctx.input.audit.config_entries;
    if !cfg.is_empty() {
        ev.push(EvidenceItem::new(
            "audit-entry",
            format!("entries {}", list(&cfg.iter().map(u64::to_string).collect::<Vec<_>>(), 8)),
            "custody.toml changes logged",
        ));
    }
    if scan.audit_seq.is_none() {
        return Auto::new(Status::Partial, format!("scan {} is not in the audit log", scan.id)).with(ev).close(NO_SCAN);
    }
    Auto::new(
        Status::Met,
        format!("{} prompt/template asset(s) hashed in logged scans and {} configuration change(s) in a verifying audit log", prompts.len(), cfg.len()),
    )
    .with(ev)
}

// ---------------------------------------------------------------------------------------------
// 5.1.2-5: custodian approvals
// ---------------------------------------------------------------------------------------------

/// Does dataset record `d` cover this scanned asset?
pub fn record_covers(d: &Dataset, a: &AssetFact) -> bool {
    d.files.iter().any(|f| f.sha256 == a.sha256 || covers(&a.path, &f.path) || covers(&f.path, &a.path))
}

fn system_uses(s: &crate::input::SystemFacts, d: &Dataset, scan: Option<&ScanFacts>) -> bool {
    // Dataset files are recorded relative to the project root.
    let by_glob = d.files.iter().any(|f| s.claims(&f.path, &f.sha256));
    let by_scan = scan.is_some_and(|sc| sc.top_assets().any(|a| a.systems.contains(&s.name) && record_covers(d, a)));
    by_glob || by_scan
}

fn approvals(ctx: &Ctx<'_>) -> Auto {
    let input = ctx.input;
    let scan = input.scan.as_ref();
    let mut systems: BTreeMap<String, SystemStatus> = BTreeMap::new();
    let mut ev = Vec::new();
    let mut closes = Vec::new();
    let mut any_use = false;
    let mut hard = false;
    for s in &input.systems {
        let mut st = Status::Met;
        let mut notes = Vec::new();
        for d in &input.datasets {
            if !system_uses(s, &d.record, scan) {
                continue;
            }
            any_use = true;
            let approval = input
                .approvals
                .iter()
                .filter(|a| a.record.dataset == d.record.name && a.record.system == s.name)
                .max_by(|a, b| a.at.cmp(&b.at));
            let personal = d.record.sensitivity.is_personal();
            let exposed = s.exposure != Exposure::Internal;
            match approval {
                None if personal && exposed => {
                    st = st.worst(Status::Gap);
                    hard = true;
                    notes.push(format!(
                        "{} data `{}` behind {} system without an approval",
                        d.record.sensitivity, d.record.name, s.exposure
                    ));
                    closes.push(format!(
                        "custody --as data-custodian approve {} --system {} --scope \"…\" --addresses-sensitive-data",
                        d.record.name, s.name
                    ));
                }
                None => {
                    st = st.worst(Status::Partial);
                    notes.push(format!("`{}` used without a custodian approval", d.record.name));
                    closes.push(format!(
                        "custody --as data-custodian approve {} --system {} --scope \"…\"",
                        d.record.name, s.name
                    ));
                }
                Some(a) if personal && exposed && !a.record.addresses_sensitive_data => {
                    st = st.worst(Status::Gap);
                    hard = true;
                    notes.push(format!(
                        "approval of `{}` does not address its {} data, behind a {} system",
                        d.record.name, d.record.sensitivity, s.exposure
                    ));
                    ev.push(
                        EvidenceItem::new("record", format!("approval {}", a.key), "does not address sensitive data")
                            .at(&a.at)
                            .seq(a.audit_seq)
                            .against(),
                    );
                    closes.push(format!(
                        "custody --as data-custodian approve {} --system {} --scope \"…\" --addresses-sensitive-data",
                        d.record.name, s.name
                    ));
                }
                Some(a) => {
                    // Files changed since the approval void it.
                    let changed: Vec<String> = a
                        .record
                        .file_digests
                        .iter()
                        .filter(|f| {
                            scan.is_some_and(|sc| sc.assets.iter().any(|x| x.path == f.path && x.sha256 != f.sha256))
                        })
                        .map(|f| f.path.clone())
                        .collect();
                    if changed.is_empty() {
                        ev.push(
                            EvidenceItem::new(
                                "record",
                                format!("approval {}", a.key),
                                format!("scope: {}", a.record.scope),
                            )
                            .at(&a.at)
                            .seq(a.audit_seq),
                        );
                    } else {
                        st = st.worst(Status::Partial);
                        hard = true;
                        notes.push(format!("{} changed since `{}` was approved", list(&changed, 3), d.record.name));
                        ev.push(
                            EvidenceItem::new(
                                "record",
                                format!("approval {}", a.key),
                                format!("files changed since: {}", list(&changed, 3)),
                            )
                            .at(&a.at)
                            .seq(a.audit_seq)
                            .against(),
                        );
                        closes.push(format!(
                            "review the change, then custody --as data-custodian approve {} --system {} --scope \"…\"",
                            d.record.name, s.name
                        ));
                    }
                }
            }
        }
        // Dataset assets the system registers but nobody recorded.
        if let Some(sc) = scan {
            for a in sc.top_assets().filter(|a| a.is_dataset() && a.systems.contains(&s.name)) {
                if !input.datasets.iter().any(|d| record_covers(&d.record, a)) {
                    any_use = true;
                    st = st.worst(Status::Partial);
                    notes.push(format!("dataset `{}` is not recorded, so its sensitivity is unknown", a.path));
                    closes.push(format!("custody --as data-custodian data add NAME --sensitivity … --file {}", a.path));
                }
            }
        }
        let detail = if notes.is_empty() { "every dataset it uses is approved".to_string() } else { notes.join("; ") };
        systems.insert(s.name.clone(), sys(st, detail));
    }
    if !any_use {
        return Auto::new(Status::NotApplicable, "no declared system uses a recorded or scanned dataset");
    }
    let status = worst_of(Status::Met, &systems);
    let bad: Vec<String> =
        systems.iter().filter(|(_, s)| s.status != Status::Met).map(|(n, s)| format!("{n}: {}", s.detail)).collect();
    let rationale = if bad.is_empty() {
        "every dataset used by a system is approved for it; personal data behind exposed systems by approvals that address it".to_string()
    } else {
        bad.join("; ")
    };
    closes.dedup();
    let mut a = Auto::new(status, rationale).with(ev);
    a.systems = systems;
    a.hard = hard;
    if !closes.is_empty() {
        a.close = Some(closes.into_iter().take(3).collect::<Vec<_>>().join("; "));
    }
    a
}

// ---------------------------------------------------------------------------------------------
// 5.2.1-*: inventory, tracking, known-good state
// ---------------------------------------------------------------------------------------------

fn inventory(ctx: &Ctx<'_>) -> Auto {
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let mut ev = vec![scan_item(scan)];
    for p in &scan.shadow_assets {
        let sha = scan.assets.iter().find(|a| &a.path == p).map(|a| a.sha256.clone());
        let mut e = EvidenceItem::new("asset", p.clone(), "found, not registered to any system (shadow AI)").against();
        e.sha256 = sha;
        ev.push(e);
    }
    for p in &scan.shadow_services {
        ev.push(
            EvidenceItem::new("service", p.clone(), "used in code, not registered to any system (shadow AI)").against(),
        );
    }
    let mut systems = BTreeMap::new();
    for s in &ctx.input.systems {
        let missing: Vec<String> = scan.missing.iter().filter(|(n, _)| n == &s.name).map(|(_, p)| p.clone()).collect();
        let found = scan.top_assets().filter(|a| a.systems.contains(&s.name)).count();
        let st = if missing.is_empty() {
            sys(Status::Met, format!("{found} registered asset(s) found"))
        } else {
            sys(Status::Partial, format!("registered but not found: {}", list(&missing, 3)))
        };
        systems.insert(s.name.clone(), st);
    }
    let mut closes: Vec<String> = Vec::new();
    // With no system declared yet, `register` has nothing to register to: declare one first.
    if ctx.input.systems.is_empty() && (!scan.shadow_assets.is_empty() || !scan.shadow_services.is_empty()) {
        closes.push("custody system add NAME --exposure internal|external-api|public --use TEXT".into());
    }
    closes.extend(scan.shadow_assets.iter().take(2).map(|p| format!("custody register SYSTEM --asset {p}")));
    closes.extend(scan.shadow_services.iter().take(2).map(|p| format!("custody register SYSTEM --service {p}")));
    closes.extend(scan.missing.iter().take(2).map(|(s, p)| format!("fix or drop `{p}` of system {s} in custody.toml")));
    let shadow = scan.shadow_assets.len() + scan.shadow_services.len();
    let mut a = if shadow == 0 && scan.missing.is_empty() {
        Auto::new(
            Status::Met,
            format!(
                "scan {} inventoried {} assets and {} services with {} connections; every one is registered to a system",
                scan.id,
                scan.top_assets().count(),
                scan.services.len(),
                scan.edges.len()
            ),
        )
    } else {
        let mut parts = Vec::new();
        if shadow > 0 {
            let mut names = scan.shadow_assets.clone();
            names.extend(scan.shadow_services.iter().cloned());
            parts.push(format!("{shadow} unregistered (shadow AI): {}", list(&names, 4)));
        }
        if !scan.missing.is_empty() {
            parts.push(format!("{} registration(s) match nothing", scan.missing.len()));
        }
        let mut a = Auto::new(Status::Partial, parts.join("; ")).hard();
        a.close = Some(closes.join("; "));
        a
    };
    a.evidence.extend(ev);
    a.systems = systems;
    a.status = worst_of(a.status, &a.systems);
    a
}

fn tracked(ctx: &Ctx<'_>) -> Auto {
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    if let Err(mut a) = need_audit(ctx) {
        a.evidence.push(scan_item(scan));
        return a;
    }
    let unhashed: Vec<String> = scan
        .assets
        .iter()
        .filter(|a| !(a.sha256.len() == 64 && a.sha256.bytes().all(|b| b.is_ascii_hexdigit())))
        .map(|a| a.path.clone())
        .collect();
    let ev = vec![scan_item(scan), audit_item(ctx)];
    if !unhashed.is_empty() {
        return Auto::new(
            Status::Partial,
            format!("{} asset(s) without a SHA-256 digest: {}", unhashed.len(), list(&unhashed, 4)),
        )
        .with(ev)
        .close("custody scan --rehash");
    }
    Auto::new(
        Status::Met,
        format!("all {} assets (and directory members) carry SHA-256 digests, versioned scan by scan in a verifying audit log", scan.assets.len()),
    )
    .with(ev)
}

fn known_good(ctx: &Ctx<'_>) -> Auto {
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let models = released_models(scan);
    if models.is_empty() {
        return Auto::new(
            Status::NotApplicable,
            "no model is registered to a system, so there is no model state to return to",
        );
    }
    let snaps = &ctx.input.integrity.snapshots;
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in &models {
        let snap = snaps.iter().filter(|s| covers(&s.source, &m.path)).max_by(|a, b| a.created_at.cmp(&b.created_at));
        for s in &m.systems {
            let e = per.entry(s.clone()).or_default();
            e.1 += 1;
            if snap.is_some() {
                e.0 += 1;
            }
        }
        match snap {
            Some(s) => ev.push(
                EvidenceItem::new(
                    "snapshot",
                    s.name.clone(),
                    format!("known-good snapshot of {} ({} files)", m.path, s.files),
                )
                .sha(&s.root_digest)
                .at(&s.created_at),
            ),
            None => missing.push(m.path.clone()),
        }
    }
    for e in ctx.input.integrity.events.iter().filter(|e| e.kind == custody_core::IntegrityKind::Restore && e.ok()) {
        ev.push(
            EvidenceItem::new(
                "restore",
                e.snapshot.clone().unwrap_or_default(),
                format!("restored to {} and verified", e.subject),
            )
            .at(&e.at),
        );
    }
    let mut systems = BTreeMap::new();
    for (name, (have, all)) in per {
        let st = if have == all {
            Status::Met
        } else if have == 0 {
            Status::Gap
        } else {
            Status::Partial
        };
        systems.insert(name, sys(st, format!("{have} of {all} model(s) snapshotted")));
    }
    let n = models.len() - missing.len();
    let status = if missing.is_empty() {
        Status::Met
    } else if n == 0 {
        Status::Gap
    } else {
        Status::Partial
    };
    let mut a = Auto::new(
        status,
        if missing.is_empty() {
            format!("all {} registered model(s) have a known-good snapshot", models.len())
        } else {
            format!(
                "{n} of {} registered model(s) have a known-good snapshot; missing: {}",
                models.len(),
                list(&missing, 4)
            )
        },
    )
    .with(ev);
    if let Some(p) = missing.first() {
        a.close = Some(format!("custody snapshot {p} --name NAME --private-key signing-key.pem"));
    }
    a.systems = systems;
    a
}

// ---------------------------------------------------------------------------------------------
// 5.2.2-4: vulnerability disclosure policy
// ---------------------------------------------------------------------------------------------

fn disclosure(ctx: &Ctx<'_>) -> Auto {
    if ctx.input.disclosure.is_empty() {
        return Auto::new(Status::Gap, "no SECURITY.md or security.txt in the scanned tree and no disclosure policy attested")
            .close("add SECURITY.md (or .well-known/security.txt), or: custody evidence add 5.2.2-4 --url https://…/.well-known/security.txt");
    }
    let ev = ctx
        .input
        .disclosure
        .iter()
        .map(|f| EvidenceItem::new("file", f.path.clone(), "vulnerability disclosure policy").sha(&f.sha256))
        .collect();
    let names: Vec<String> = ctx.input.disclosure.iter().map(|f| f.path.clone()).collect();
    Auto::new(Status::Met, format!("disclosure policy published in {}", list(&names, 3))).with(ev)
}

// ---------------------------------------------------------------------------------------------
// 5.2.3-*: supply chain and model-file checks
// ---------------------------------------------------------------------------------------------

/// Rule-code families of custody's model-file checks.
pub const MODEL_FINDING_FAMILIES: &[&str] =
    &["PKL", "ZIP", "NPY", "KER", "TF", "ONX", "GGUF", "JJA", "ST", "FMT", "CLS"];

pub fn is_model_finding(code: &str) -> bool {
    code.split('-').nth(1).is_some_and(|f| MODEL_FINDING_FAMILIES.contains(&f))
}

fn finding_item(f: &custody_core::Finding) -> EvidenceItem {
    EvidenceItem::new("finding", f.location.to_string(), format!("{} {}: {}", f.severity, f.code, f.message)).against()
}

/// Per-system worst model-finding severity.
fn model_findings_by_system(scan: &ScanFacts) -> BTreeMap<String, Option<Severity>> {
    let mut out: BTreeMap<String, Option<Severity>> = BTreeMap::new();
    for a in scan.top_assets() {
        for s in &a.systems {
            let worst = scan
                .findings
                .iter()
                .filter(|f| is_model_finding(f.code.as_str()) && covers(&a.path, &f.location.path))
                .map(|f| f.severity)
                .max();
            let e = out.entry(s.clone()).or_insert(None);
            *e = (*e).max(worst);
        }
    }
    out
}

fn severity_status(worst: Option<Severity>) -> Status {
    match worst {
        Some(Severity::Critical | Severity::High) => Status::Gap,
        Some(Severity::Medium) => Status::Partial,
        _ => Status::Met,
    }
}

fn supply_chain(ctx: &Ctx<'_>) -> Auto {
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let model_findings: Vec<&custody_core::Finding> =
        scan.findings.iter().filter(|f| is_model_finding(f.code.as_str())).collect();
    let unpinned: Vec<&custody_core::Finding> =
        scan.findings.iter().filter(|f| f.code.as_str() == "CUS-HUB-001").collect();
    let worst = model_findings.iter().map(|f| f.severity).max();
    let mut status = severity_status(worst);
    if status == Status::Met && !unpinned.is_empty() {
        status = Status::Partial;
    }
    let models = scan.assets.iter().filter(|a| a.is_model()).count();
    let mut ev = vec![scan_item(scan)];
    ev.extend(model_findings.iter().filter(|f| f.severity >= Severity::Medium).take(20).map(|f| finding_item(f)));
    ev.extend(unpinned.iter().take(10).map(|f| finding_item(f)));
    let rationale = match status {
        Status::Met => format!(
            "scan {} recorded no model-file finding at medium or above for {models} model file(s), and no unpinned hub download",
            scan.id
        ),
        _ => format!(
            "{} model-file finding(s){}; {} unpinned hub download(s)",
            model_findings.len(),
            worst.map(|w| format!(", worst {w}")).unwrap_or_default(),
            unpinned.len()
        ),
    };
    let mut a = Auto::new(status, rationale).with(ev);
    if status == Status::Gap {
        a.hard = true;
    }
    if status != Status::Met {
        let first = model_findings.iter().max_by_key(|f| f.severity).map(|f| f.location.path.clone());
        a.close = Some(match (first, unpinned.first()) {
            (Some(p), _) if worst >= Some(Severity::Medium) => format!(
                "custody inspect {p}; replace the file with a safe format (safetensors) from a trusted source, or remove it"
            ),
            (_, Some(u)) => format!("pin the hub download in {} to a commit (revision=\"<sha>\")", u.location),
            _ => NO_SCAN.to_string(),
        });
    }
    for (name, w) in model_findings_by_system(scan) {
        let st = severity_status(w);
        a.systems.insert(
            name,
            sys(st, w.map_or("no model-file finding".to_string(), |w| format!("worst model-file finding: {w}"))),
        );
    }
    a
}

fn model_evaluated(ctx: &Ctx<'_>) -> Auto {
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let models: Vec<&AssetFact> = scan.top_assets().filter(|a| a.is_model()).collect();
    if models.is_empty() {
        return Auto::new(
            Status::NotApplicable,
            "no model file was found, so there is no third-party model to evaluate",
        );
    }
    let mut ev = vec![scan_item(scan)];
    let mut bad = Vec::new();
    for m in &models {
        let worst = scan
            .findings
            .iter()
            .filter(|f| is_model_finding(f.code.as_str()) && covers(&m.path, &f.location.path))
            .map(|f| f.severity)
            .max();
        match worst {
            Some(w) if w >= Severity::High => {
                bad.push(m.path.clone());
                ev.push(asset_item(m, format!("model-file check: worst finding {w}")).against());
            }
            Some(w) => ev.push(asset_item(m, format!("model-file check: worst finding {w}"))),
            None => ev.push(asset_item(m, "model-file check: no finding")),
        }
    }
    let mut a = if bad.is_empty() {
        Auto::new(
            Status::Met,
            format!(
                "scan {} recorded no critical or high model-file finding for any of the {} model(s)",
                scan.id,
                models.len()
            ),
        )
        .with(ev)
    } else {
        Auto::new(Status::Gap, format!("{} model(s) with critical or high findings: {}", bad.len(), list(&bad, 4)))
            .with(ev)
            .hard()
            .close(format!("custody inspect {}; do not depend on it until the finding is resolved", bad[0]))
    };
    for (name, w) in model_findings_by_system(scan) {
        let st = if w >= Some(Severity::High) { Status::Gap } else { Status::Met };
        a.systems.insert(
            name,
            sys(st, w.map_or("models checked, no finding".to_string(), |w| format!("worst model-file finding: {w}"))),
        );
    }
    a
}

// ---------------------------------------------------------------------------------------------
// 5.2.4-1.2: published hashes / signatures
// ---------------------------------------------------------------------------------------------

fn signed(ctx: &Ctx<'_>) -> Auto {
    let scan = match need_scan(ctx) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let models = released_models(scan);
    if models.is_empty() {
        return Auto::new(
            Status::NotApplicable,
            "no model component is registered to a system, so none is provided to others",
        );
    }
    let mut ev = Vec::new();
    let mut unsigned = Vec::new();
    let mut stale = Vec::new();
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in &models {
        // The latest signing, verification or snapshot event that covers the model.
        let last = ctx
            .input
            .integrity
            .events
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "sign" | "verify" | "snapshot") && covers(&e.subject, &m.path))
            .max_by(|a, b| a.at.cmp(&b.at));
        let ok = match last {
            Some(e) if e.ok() => {
                if ctx.stale(&e.at) {
                    stale.push(m.path.clone());
                }
                let mut item =
                    EvidenceItem::new("signature", e.subject.clone(), format!("{} {} ({})", e.kind, m.path, e.outcome))
                        .at(&e.at);
                item.sha256 = e.root_digest.clone();
                ev.push(item);
                true
            }
            Some(e) => {
                ev.push(
                    EvidenceItem::new(
                        "signature",
                        e.subject.clone(),
                        format!("latest {} of {} failed", e.kind, m.path),
                    )
                    .at(&e.at)
                    .against(),
                );
                unsigned.push(m.path.clone());
                false
            }
            None => {
                ev.push(asset_item(m, "no signature recorded").against());
                unsigned.push(m.path.clone());
                false
            }
        };
        for s in &m.systems {
            let e = per.entry(s.clone()).or_default();
            e.1 += 1;
            if ok {
                e.0 += 1;
            }
        }
    }
    let n = models.len() - unsigned.len();
    let mut status = if unsigned.is_empty() {
        Status::Met
    } else if n == 0 {
        Status::Gap
    } else {
        Status::Partial
    };
    let mut rationale = if unsigned.is_empty() {
        format!("all {} registered model component(s) are signed and their latest check passed", models.len())
    } else {
        format!(
            "{n} of {} registered model component(s) signed; not signed or failing: {}",
            models.len(),
            list(&unsigned, 4)
        )
    };
    if status == Status::Met && !stale.is_empty() {
        status = Status::Partial;
        rationale.push_str(&format!(
            "; signatures older than {} days: {}",
            ctx.policy.max_evidence_age_days,
            list(&stale, 3)
        ));
    }
    let mut a = Auto::new(status, rationale).with(ev);
    if let Some(p) = unsigned.first().or(stale.first()) {
        a.close = Some(format!("custody keygen (once), then custody sign {p} --private-key signing-key.pem"));
    }
    for (name, (have, all)) in per {
        let st = if have == all {
            Status::Met
        } else if have == 0 {
            Status::Gap
        } else {
            Status::Partial
        };
        a.systems.insert(name, sys(st, format!("{have} of {all} model component(s) signed")));
    }
    a
}

// ---------------------------------------------------------------------------------------------
// 5.2.4-2 / 5.2.4-2.1: data provenance
// ---------------------------------------------------------------------------------------------

/// Training data the scan knows of: dataset assets and hub datasets models were trained on.
fn training_data(scan: Option<&ScanFacts>) -> Vec<(String, Option<&AssetFact>, Vec<String>)> {
    let Some(scan) = scan else { return Vec::new() };
    let mut out: Vec<(String, Option<&AssetFact>, Vec<String>)> =
        scan.top_assets().filter(|a| a.is_dataset()).map(|a| (a.path.clone(), Some(a), a.systems.clone())).collect();
    let mut hub: Vec<&str> = scan
        .edges
        .iter()
        .filter(|e| e.kind == "trained-on")
        .filter_map(|e| e.target.strip_prefix("hub-dataset:"))
        .collect();
    hub.sort_unstable();
    hub.dedup();
    for h in hub {
        let systems: Vec<String> = scan
            .edges
            .iter()
            .filter(|e| e.kind == "trained-on" && e.target == format!("hub-dataset:{h}"))
            .flat_map(|e| scan.assets.iter().filter(|a| a.path == e.source).flat_map(|a| a.systems.clone()))
            .collect();
        out.push((format!("hub-dataset:{h}"), None, systems));
    }
    out
}

fn record_for<'a>(ctx: &'a Ctx<'_>, name: &str, asset: Option<&AssetFact>) -> Option<&'a Recorded<Dataset>> {
    ctx.input.datasets.iter().find(|d| match asset {
        Some(a) => record_covers(&d.record, a),
        None => {
            let id = name.trim_start_matches("hub-dataset:");
            d.record.name == id
                || d.record.name == id.rsplit('/').next().unwrap_or(id)
                || d.record.sources.iter().any(|s| s.url.contains(id))
        }
    })
}

fn provenance_rule(ctx: &Ctx<'_>, minimum: bool) -> Auto {
    let items = training_data(ctx.input.scan.as_ref());
    if items.is_empty() && ctx.input.datasets.is_empty() {
        return match ctx.input.scan {
            None => Auto::new(Status::Gap, "no scan and no dataset recorded").close(NO_SCAN),
            Some(_) => Auto::new(Status::NotApplicable, "the scan found no training data and none is recorded"),
        };
    }
    let mut ev = Vec::new();
    let mut lacking = Vec::new();
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut judged = 0usize;
    let mut complete = 0usize;
    let mut judge = |name: &str,
                     rec: Option<&Recorded<Dataset>>,
                     systems: &[String],
                     ev: &mut Vec<EvidenceItem>,
                     lacking: &mut Vec<String>| {
        judged += 1;
        let ok = match rec {
            Some(r)
                if !r.record.sources.is_empty()
                    && (minimum || !r.record.sources.iter().any(|s| s.method.trim().is_empty())) =>
            {
                let srcs: Vec<String> = r
                    .record
                    .sources
                    .iter()
                    .map(|s| format!("{} acquired {} ({})", s.url, s.acquired_at, s.method))
                    .collect();
                ev.push(
                    EvidenceItem::new("record", format!("dataset {}", r.key), format!("{name}: {}", list(&srcs, 3)))
                        .at(&r.at)
                        .seq(r.audit_seq),
                );
                true
            }
            Some(r) => {
                ev.push(
                    EvidenceItem::new(
                        "record",
                        format!("dataset {}", r.key),
                        format!("{name}: no source URL or acquisition time"),
                    )
                    .at(&r.at)
                    .seq(r.audit_seq)
                    .against(),
                );
                lacking.push(name.to_string());
                false
            }
            None => {
                ev.push(
                    EvidenceItem::new("asset", name.to_string(), "training data without a provenance record").against(),
                );
                lacking.push(name.to_string());
                false
            }
        };
        if ok {
            complete += 1;
        }
        for s in systems {
            let e = per.entry(s.clone()).or_default();
            e.1 += 1;
            if ok {
                e.0 += 1;
            }
        }
    };
    let mut seen: Vec<i64> = Vec::new();
    for (name, asset, systems) in &items {
        let rec = record_for(ctx, name, *asset);
        if let Some(r) = rec {
            seen.push(r.id);
        }
        judge(name, rec, systems, &mut ev, &mut lacking);
    }
    for r in ctx.input.datasets.iter().filter(|r| !seen.contains(&r.id)) {
        judge(&r.record.name, Some(r), &[], &mut ev, &mut lacking);
    }
    let status = if lacking.is_empty() {
        Status::Met
    } else if complete == 0 {
        Status::Gap
    } else {
        Status::Partial
    };
    let what = if minimum { "source URL and acquisition time" } else { "origin, acquisition method and time" };
    let mut a = Auto::new(
        status,
        if lacking.is_empty() {
            format!("all {judged} training dataset(s) recorded with {what}")
        } else {
            format!("{complete} of {judged} training dataset(s) recorded with {what}; missing: {}", list(&lacking, 4))
        },
    )
    .with(ev);
    if let Some(first) = lacking.first() {
        let file = if first.starts_with("hub-dataset:") { String::new() } else { format!(" --file {first}") };
        a.close = Some(format!(
            "custody --as developer data add NAME --source URL --acquired 2026-01-31T00:00:00Z --method downloaded{file}"
        ));
    }
    for (name, (have, all)) in per {
        let st = if have == all {
            Status::Met
        } else if have == 0 {
            Status::Gap
        } else {
            Status::Partial
        };
        a.systems.insert(name, sys(st, format!("{have} of {all} training dataset(s) with provenance")));
    }
    a
}

fn provenance(ctx: &Ctx<'_>) -> Auto {
    provenance_rule(ctx, false)
}

fn provenance_minimum(ctx: &Ctx<'_>) -> Auto {
    provenance_rule(ctx, true)
}

// ---------------------------------------------------------------------------------------------
// 5.1.3-*: threat model; 5.2.3-2*: justifications
// ---------------------------------------------------------------------------------------------

const THREATS_CLOSE: &str =
    "custody threats; then custody threats record THREAT --system S --owner O --treatment T --residual low|medium|high";

fn threat_items(ctx: &Ctx<'_>, pick: impl Fn(ThreatState) -> bool) -> Vec<EvidenceItem> {
    ctx.input
        .threats
        .iter()
        .filter(|t| pick(t.state))
        .map(|t| {
            let detail = match t.record {
                Some(id) => format!("{} (record {id})", t.state),
                None => t.state.to_string(),
            };
            let e = EvidenceItem::new("record", format!("threat {}/{}", t.system, t.threat), detail);
            if t.state == ThreatState::Treated { e } else { e.against() }
        })
        .collect()
}

fn threat_model(ctx: &Ctx<'_>) -> Auto {
    let t = &ctx.input.threats;
    if t.is_empty() {
        return Auto::new(Status::Gap, "no threats derived yet: declare systems, register their assets and scan")
            .close(THREATS_CLOSE);
    }
    let open: Vec<String> =
        t.iter().filter(|x| x.state != ThreatState::Treated).map(|x| format!("{}/{}", x.system, x.threat)).collect();
    let treated = t.len() - open.len();
    let ev = threat_items(ctx, |_| true);
    if open.is_empty() {
        Auto::new(Status::Met, format!("all {} derived threats have a current treatment", t.len())).with(ev)
    } else if treated > 0 {
        // An open derived threat counts against the provision: a threat-model document cannot
        // lift it.
        Auto::new(Status::Partial, format!("{treated} of {} threats treated; open: {}", t.len(), list(&open, 5)))
            .with(ev)
            .close(THREATS_CLOSE)
            .hard()
    } else {
        Auto::new(Status::Gap, format!("none of {} derived threats has a recorded treatment", t.len()))
            .with(ev)
            .close(THREATS_CLOSE)
            .hard()
    }
}

fn threat_model_current(ctx: &Ctx<'_>) -> Auto {
    let t = &ctx.input.threats;
    let recorded: Vec<_> = t.iter().filter(|x| x.record.is_some()).collect();
    if recorded.is_empty() {
        return Auto::new(Status::Gap, "no threat treatment recorded, so none can be kept current")
            .close(THREATS_CLOSE);
    }
    let stale: Vec<String> =
        t.iter().filter(|x| x.state == ThreatState::Stale).map(|x| format!("{}/{}", x.system, x.threat)).collect();
    let ev = threat_items(ctx, |s| s != ThreatState::Untreated);
    if stale.is_empty() {
        Auto::new(
            Status::Met,
            format!("{} treatments recorded after the latest change to their systems", recorded.len()),
        )
        .with(ev)
    } else {
        Auto::new(Status::Partial, format!("stale after a change to the system: {}", list(&stale, 5)))
            .with(ev)
            .close("review them and record the treatment again: custody threats record …")
            .hard()
    }
}

fn justified(ctx: &Ctx<'_>) -> Auto {
    if ctx.input.scan.is_none() {
        return Auto::new(Status::Gap, "no scan: custody cannot tell which components are poorly documented")
            .close(NO_SCAN);
    }
    let c = &ctx.input.components;
    let open: Vec<String> = c.iter().filter(|x| x.record.is_none()).map(|x| x.component.clone()).collect();
    let ev: Vec<EvidenceItem> = c
        .iter()
        .map(|x| match x.record {
            Some(id) => EvidenceItem::new(
                "record",
                format!("justification {}", x.component),
                format!("record {id}; {}", x.reasons.join("; ")),
            ),
            None => {
                EvidenceItem::new("asset", x.component.clone(), format!("no justification: {}", x.reasons.join("; ")))
                    .against()
            }
        })
        .collect();
    if c.is_empty() {
        Auto::new(Status::Met, "no poorly documented third-party component in the inventory")
    } else if open.is_empty() {
        Auto::new(Status::Met, format!("all {} poorly documented components carry a justification", c.len())).with(ev)
    } else {
        Auto::new(Status::Gap, format!("without a justification: {}", list(&open, 5)))
            .with(ev)
            .close("custody justify list; custody justify add COMPONENT --why … --controls … --risk …")
    }
}

fn justification_notice(ctx: &Ctx<'_>) -> Auto {
    let a = justified(ctx);
    if a.status == Status::Met && !ctx.input.components.is_empty() {
        return Auto::new(
            Status::Partial,
            "the notice can be rendered (custody justify notice); record where it is published",
        )
        .with(a.evidence)
        .close("custody justify notice > notice.md, publish it, then: custody evidence add 5.2.3-2.2 --url …");
    }
    a
}

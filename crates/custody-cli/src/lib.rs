//! The command line of custody: clap definitions only. Behaviour lives in the binary and the
//! library crates; keeping the grammar here lets help text, man pages and completions be built
//! and tested without the engine.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use custody_core::config::Exposure;
use custody_core::{Modality, Party, Phase, Role, Severity};
use std::path::PathBuf;

pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("CUSTODY_GIT_REV"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "custody",
    version = VERSION,
    about = "Evidence and machinery for ETSI EN 304 223, the European baseline for AI security",
    long_about = None,
    after_help = "Exit codes: 0 ok, 1 policy failure (gate failed, findings at or above the threshold), 2 error.\nJSON output (--format json) is stable and documented in docs/json-output.md."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only results and errors: no notes, no progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to colour terminal output. NO_COLOR in the environment means never, unless --color always.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
    /// The custody.toml to use [default: $CUSTODY_CONFIG, else ./custody.toml, or the nearest one
    /// in a parent directory]. An empty CUSTODY_CONFIG counts as unset.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The store to use instead of the one custody.toml names: a SQLite path or sqlite:PATH
    /// [default: $CUSTODY_DB; empty counts as unset].
    #[arg(long, global = true, value_name = "LOCATION")]
    pub db: Option<String>,
    /// Who is acting, for the audit log [default: $USER]: at most 128 characters, no control
    /// characters.
    #[arg(long, global = true, env = "CUSTODY_ACTOR", value_name = "NAME", value_parser = actor_parser)]
    pub actor: Option<String>,
    /// The role you act in (some records need one: approvals take data-custodian).
    #[arg(long = "as", global = true, value_name = "ROLE", value_parser = role_parser())]
    pub acting_as: Option<Role>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write custody.toml (organisation, roles, AI systems) and create the store.
    Init(InitArgs),
    /// List, filter and export the 72 provisions of ETSI EN 304 223.
    Catalog(CatalogArgs),
    /// What the roles you hold oblige you to do, per role and phase, and why.
    Applicable(ApplicableArgs),
    /// Find every AI asset under a directory (models, datasets, prompts, vector stores) and AI use
    /// in code, with hashes, metadata and connections; report shadow AI.
    Scan(ScanArgs),
    /// The connections the last scan found: code → models, datasets, prompts and AI services,
    /// adapters → base models, models → training data.
    Graph(GraphArgs),
    /// Declare an AI system in custody.toml (keeping its comments).
    #[command(subcommand)]
    System(SystemCommand),
    /// Declare in custody.toml which assets and services a system uses.
    Register(RegisterArgs),
    /// The rules behind findings: code, severity, why it matters, how to fix it.
    Rules(RulesArgs),
    /// Generate an ECDSA P-256 key pair for signing models (PEM, as OpenSSF model_signing reads them).
    Keygen(KeygenArgs),
    /// Sign a model directory or file: an OpenSSF model-signing signature (Sigstore bundle v0.3).
    Sign(SignArgs),
    /// Verify a model against its signature; report each added, removed or modified file.
    Verify(VerifyArgs),
    /// Verify a model and keep it as a known-good snapshot: the signed manifest and the content.
    Snapshot(SnapshotArgs),
    /// Restore a snapshot byte for byte into a directory; verified before it is put in place.
    Restore(RestoreArgs),
    /// How a model has drifted from a snapshot: added, removed and modified files.
    Diff(DiffArgs),
    /// Look inside one model file for code execution and tampering (pickle imports and calls,
    /// archive tricks, Keras/TensorFlow/ONNX/GGUF/safetensors risks) without loading it.
    Inspect(InspectArgs),
    /// The tamper-evident audit log: verify it, prove entries, export it for an investigator.
    #[command(subcommand, long_about = AUDIT_ABOUT)]
    Audit(AuditCommand),
    /// Datasets and their provenance: source URLs, acquisition times, licence, sensitivity, files.
    #[command(subcommand)]
    Data(DataCommand),
    /// As a Data Custodian, approve a dataset for a system's intended use.
    Approve(ApproveArgs),
    /// Evidence only people can produce (policies, contracts, plans), attached to a provision.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// AI security training records: who, which module, when, until when.
    #[command(subcommand)]
    Training(TrainingCommand),
    /// Poorly documented third-party components: which need a written justification, record one,
    /// and render the notice for end-users (5.2.3-2, 5.2.3-2.1, 5.2.3-2.2).
    #[command(subcommand)]
    Justify(JustifyCommand),
    /// The AI threats that apply to each system, derived from the inventory and configuration;
    /// record owner, treatment and residual risk; see which threat models are stale.
    Threats(ThreatsArgs),
    /// For the roles you hold: the status of every applicable provision (met, partial, gap, not
    /// applicable), the evidence behind it and what would close each gap; shall-gaps first.
    Assess(AssessArgs),
    /// CI gate: exit 1 when a shall-provision for a held role is a gap, a finding is at or above
    /// the threshold, or the audit log does not verify. Configurable in custody.toml `[gate]`.
    Gate(GateArgs),
    /// The assessment and inventory as a report or standard document: HTML, Markdown, JSON,
    /// OSCAL assessment results (or profile), CycloneDX ML-BOM, SPDX 3.0.1, SARIF.
    Report(ReportArgs),
    /// Release a version of a system: refused without a clean scan, a verified signature of
    /// every model component, and a security evaluation of that exact version (5.2.5-1,
    /// 5.4.1-2); records the user-facing change notice (5.2.3-4).
    Release(ReleaseArgs),
    /// End of life: what must be disposed of for a system, and, once it is gone, the disposal
    /// record signed off by a Data Custodian (5.5.1-1, 5.5.1-2).
    Decommission(DecommissionArgs),
}

/// How `custody sign` cuts a model into resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignMethod {
    /// One digest per file (what every model_signing verifier accepts).
    Files,
    /// One digest per --shard-size bytes of each file (hashed in parallel within large files).
    Shards,
}

/// The content hash of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignHash {
    /// SHA-256: interoperable.
    Sha256,
    /// BLAKE3: faster; the Python model_signing CLI cannot verify it.
    Blake3,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "PATH", default_value = "signing-key.pem")]
    pub private_key: PathBuf,
    /// Where to write the public key (SubjectPublicKeyInfo PEM).
    #[arg(long, value_name = "PATH", default_value = "signing-key.pub")]
    pub public_key: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The model: a directory or a single file.
    pub path: PathBuf,
    /// The ECDSA P-256 private key (PEM).
    #[arg(long, value_name = "KEY")]
    pub private_key: PathBuf,
    /// Where to write the signature [default: PATH/model.sig for a directory, PATH.sig for a file].
    #[arg(long, value_name = "FILE")]
    pub signature: Option<PathBuf>,
    /// Sign with a certificate (PEM) for the private key: the bundle carries it instead of a key hint.
    #[arg(long, value_name = "PEM")]
    pub certificate: Option<PathBuf>,
    /// Intermediate certificates (PEM) to carry after --certificate (repeatable).
    #[arg(long = "certificate-chain", value_name = "PEM", requires = "certificate")]
    pub certificate_chain: Vec<PathBuf>,
    /// files: a digest per file; shards: a digest per --shard-size bytes [default: files, or
    /// shards when --shard-size is given].
    #[arg(long, value_enum)]
    pub method: Option<SignMethod>,
    /// Shard size in bytes for --method shards.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub shard_size: Option<u64>,
    #[arg(long, value_enum, default_value_t = SignHash::Sha256)]
    pub hash: SignHash,
    /// Leave a path (relative to the model directory) out of the signature; recorded in it (repeatable).
    #[arg(long = "ignore", value_name = "PATH")]
    pub ignore: Vec<String>,
    /// Sign .git, .gitattributes, .github and .gitignore too (left out by default).
    #[arg(long)]
    pub no_ignore_git_paths: bool,
    /// Hash every file again instead of reusing the digests of unchanged files from the previous signature.
    #[arg(long)]
    pub no_cache: bool,
    /// Worker threads [default: the number of CPUs; at most 4 × the CPUs].
    #[arg(long, value_name = "N", value_parser = threads_parser)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The model: a directory or a single file.
    pub path: PathBuf,
    /// The signature [default: PATH/model.sig for a directory, PATH.sig for a file].
    #[arg(long, value_name = "FILE")]
    pub signature: Option<PathBuf>,
    /// The signer's public key (PEM), for key-signed bundles.
    #[arg(long, value_name = "KEY", required_unless_present = "ca", conflicts_with = "ca")]
    pub public_key: Option<PathBuf>,
    /// CA certificates (PEM) a certificate-signed bundle must chain to (repeatable).
    #[arg(long, value_name = "PEM")]
    pub ca: Vec<PathBuf>,
    /// Worker threads [default: the number of CPUs; at most 4 × the CPUs].
    #[arg(long, value_name = "N", value_parser = threads_parser)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The model: a directory or a single file.
    pub path: PathBuf,
    /// The snapshot's name (used once; `custody restore NAME`).
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The signature to verify first [default: PATH/model.sig for a directory, PATH.sig for a file].
    #[arg(long, value_name = "FILE", conflicts_with = "private_key")]
    pub signature: Option<PathBuf>,
    /// The signer's public key (PEM): the signature is verified before anything is stored.
    #[arg(long, value_name = "KEY", conflicts_with_all = ["ca", "private_key"])]
    pub public_key: Option<PathBuf>,
    /// CA certificates (PEM) for a certificate-signed signature (repeatable).
    #[arg(long, value_name = "PEM", conflicts_with = "private_key")]
    pub ca: Vec<PathBuf>,
    /// Sign the model as it is now with this key instead of verifying an existing signature
    /// (files, SHA-256; nothing is written into the model).
    #[arg(long, value_name = "KEY", required_unless_present_any = ["public_key", "ca"])]
    pub private_key: Option<PathBuf>,
    /// Paths to leave out when signing with --private-key (repeatable).
    #[arg(long = "ignore", value_name = "PATH", requires = "private_key")]
    pub ignore: Vec<String>,
    /// The object store [default: objects/ beside the store, e.g. .custody/objects].
    #[arg(long, value_name = "DIR")]
    pub objects: Option<PathBuf>,
    /// Worker threads [default: the number of CPUs; at most 4 × the CPUs].
    #[arg(long, value_name = "N", value_parser = threads_parser)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The snapshot to restore.
    pub name: String,
    /// Where to restore it: a new or empty directory (a file path for a single-file model).
    pub target: PathBuf,
    /// Replace an existing TARGET (only after the restored copy has verified).
    #[arg(long)]
    pub force: bool,
    /// The object store [default: the one the snapshot was stored in].
    #[arg(long, value_name = "DIR")]
    pub objects: Option<PathBuf>,
    /// Worker threads [default: the number of CPUs; at most 4 × the CPUs].
    #[arg(long, value_name = "N", value_parser = threads_parser)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The snapshot to compare with.
    pub name: String,
    /// The deployed model (directory or file).
    pub path: PathBuf,
    /// Worker threads [default: the number of CPUs; at most 4 × the CPUs].
    #[arg(long, value_name = "N", value_parser = threads_parser)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Show one rule, e.g. CUS-SEC-001.
    pub code: Option<String>,
    #[arg(long, value_enum, default_value_t = ApplicableFormat::Table)]
    pub format: ApplicableFormat,
}

/// Output formats of `custody inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Table,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other CI tools).
    Sarif,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The model file (its content decides the format, not its name).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser(), default_value = "high")]
    pub fail_on: Severity,
    /// Do not exit 2 when part of the file could not be inspected (7z, encrypted members, a
    /// prefix of a very large archive...).
    #[arg(long)]
    pub allow_uninspectable: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory to scan [default: the directory of custody.toml].
    pub path: Option<PathBuf>,
    /// Skip what .gitignore and .ignore exclude (by default custody looks there too: weights
    /// and data are usually git-ignored).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Leave out paths matching this glob, relative to the scanned directory (repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,
    /// Read and hash every file again, ignoring the cache of the previous scan (which otherwise
    /// trusts a file whose size, mtime, ctime and inode are unchanged).
    #[arg(long)]
    pub rehash: bool,
    /// Worker threads [default: the number of CPUs; at most 4 × the CPUs].
    #[arg(long, value_name = "N", value_parser = threads_parser)]
    pub threads: Option<usize>,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser())]
    pub fail_on: Option<Severity>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn severity_parser() -> impl TypedValueParser<Value = Severity> {
    PossibleValuesParser::new(Severity::ALL.map(Severity::as_str)).try_map(|s| Severity::parse(&s))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz.
    Dot,
    Json,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Add a system to custody.toml; refused if the name is already declared.
    Add(SystemAddArgs),
}

#[derive(Debug, Args)]
pub struct SystemAddArgs {
    /// The system's name, unique in custody.toml.
    pub name: String,
    /// How far it is exposed.
    #[arg(long, value_name = "EXPOSURE", value_parser = exposure_parser())]
    pub exposure: Exposure,
    /// What it is for (its intended use).
    #[arg(long = "use", value_name = "TEXT")]
    pub intended_use: String,
    /// A short description.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub description: String,
}

fn exposure_parser() -> impl TypedValueParser<Value = Exposure> {
    PossibleValuesParser::new(Exposure::ALL.map(Exposure::as_str)).try_map(|s| Exposure::parse(&s))
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The system (as named in custody.toml).
    pub system: String,
    /// An asset the system uses: a path glob relative to custody.toml, or sha256:<hex> (repeatable).
    #[arg(long = "asset", value_name = "GLOB")]
    pub assets: Vec<String>,
    /// An AI service the system calls: a provider id such as openai, or a hostname (repeatable).
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
}

/// `--actor` and `CUSTODY_ACTOR`, checked by the one rule in `custody_core::text::check_actor`.
fn actor_parser(s: &str) -> Result<String, String> {
    custody_core::text::check_actor(s).map(|()| s.to_string())
}

/// How many worker threads `--threads` accepts: 4 × the CPUs this process may use, at least 1.
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_mul(4).max(1)
}

/// The one parser of every `--threads`: a whole number from 1 to [`max_threads`]. More threads
/// than that only contend for the same CPUs (and 100000 of them exhaust memory before work
/// starts).
pub fn threads_parser(s: &str) -> Result<usize, String> {
    parse_threads(s, max_threads())
}

fn parse_threads(s: &str, max: usize) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("`{s}` is not a whole number of threads"))?;
    if n == 0 {
        return Err("at least 1 thread is needed; leave --threads out to use one per CPU".into());
    }
    if n > max {
        return Err(format!(
            "{n} threads is more than this machine can use: at most {max} (4 × its CPUs); leave --threads out to use one per CPU"
        ));
    }
    Ok(n)
}

fn role_parser() -> impl TypedValueParser<Value = Role> {
    PossibleValuesParser::new(Role::ALL.map(Role::as_str)).try_map(|s| Role::parse(&s))
}

fn party_parser() -> impl TypedValueParser<Value = Party> {
    PossibleValuesParser::new(Party::ALL.map(Party::as_str))
        .try_map(|s| Party::ALL.into_iter().find(|p| p.as_str() == s).ok_or("unknown party"))
}

fn phase_parser() -> impl TypedValueParser<Value = Phase> {
    PossibleValuesParser::new(Phase::ALL.map(Phase::as_str))
        .try_map(|s| Phase::ALL.into_iter().find(|p| p.as_str() == s).ok_or("unknown phase"))
}

fn modality_parser() -> impl TypedValueParser<Value = Modality> {
    PossibleValuesParser::new(["shall", "should"]).map(
        |s| {
            if s == "shall" { Modality::Shall } else { Modality::Should }
        },
    )
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The organisation's name.
    #[arg(long, value_name = "NAME")]
    pub org: Option<String>,
    /// A role the organisation holds (repeat for several).
    #[arg(long = "role", value_name = "ROLE", value_parser = role_parser())]
    pub roles: Vec<Role>,
    /// An AI system: NAME, or `name=NAME;exposure=internal|external-api|public;use=INTENDED USE;description=TEXT`.
    #[arg(long = "system", value_name = "SPEC")]
    pub systems: Vec<String>,
    /// Do not prompt: take what the flags give and defaults for the rest.
    #[arg(short, long)]
    pub yes: bool,
    /// Overwrite an existing custody.toml (the store is never recreated).
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats every command offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Table,
    Json,
    Markdown,
    /// An OSCAL 1.1 catalog (one group per principle, one control per provision).
    Oscal,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub show: Option<CatalogCommand>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Show one provision in full.
    Show {
        /// Provision id, e.g. 5.2.4-1.2.
        id: String,
        #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
        format: CatalogFormat,
    },
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only provisions that oblige this party.
    #[arg(long, value_name = "ROLE", value_parser = party_parser())]
    pub role: Option<Party>,
    /// Only provisions in this lifecycle phase.
    #[arg(long, value_parser = phase_parser())]
    pub phase: Option<Phase>,
    /// Only provisions of this principle (1-13).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=13))]
    pub principle: Option<u8>,
    /// Only shall (required) or should (recommended) provisions.
    #[arg(long, value_parser = modality_parser())]
    pub modality: Option<Modality>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplicableFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct ApplicableArgs {
    /// Consider these roles instead of the ones custody.toml declares (repeatable).
    #[arg(long = "role", value_name = "ROLE", value_parser = role_parser())]
    pub roles: Vec<Role>,
    /// Only provisions in this lifecycle phase.
    #[arg(long, value_parser = phase_parser())]
    pub phase: Option<Phase>,
    /// Only shall (required) or should (recommended) provisions.
    #[arg(long, value_parser = modality_parser())]
    pub modality: Option<Modality>,
    #[arg(long, value_enum, default_value_t = ApplicableFormat::Table)]
    pub format: ApplicableFormat,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn threads_are_bounded_in_one_place() {
        assert_eq!(parse_threads("3", 8), Ok(3));
        assert_eq!(parse_threads("8", 8), Ok(8));
        let zero = parse_threads("0", 8).unwrap_err();
        assert!(zero.contains("at least 1"), "{zero}");
        let many = parse_threads("100000", 8).unwrap_err();
        assert!(many.contains("at most 8"), "{many}");
        assert!(parse_threads("-1", 8).is_err() && parse_threads("x", 8).is_err());
        assert!(max_threads() >= 4);
        // Every command with --threads uses the parser.
        let huge = "100000000";
        for args in [
            vec!["scan", ".", "--threads", huge],
            vec!["sign", "m", "--private-key", "k", "--threads", huge],
            vec!["verify", "m", "--public-key", "k", "--threads", huge],
            vec!["snapshot", "m", "--name", "n", "--public-key", "k", "--threads", huge],
            vec!["restore", "n", "t", "--threads", huge],
            vec!["diff", "n", "m", "--threads", huge],
            vec!["restore", "n", "t", "--threads", "0"],
        ] {
            let e = Cli::try_parse_from(std::iter::once("custody").chain(args.iter().copied()))
                .expect_err("refused")
                .to_string();
            assert!(e.contains("threads"), "{args:?}: {e}");
        }
        let ok = Cli::try_parse_from(["custody", "restore", "n", "t", "--threads", "1"]).expect("parse");
        assert!(matches!(ok.command, Command::Restore(RestoreArgs { threads: Some(1), .. })));
    }

    #[test]
    fn unknown_role_lists_valid_ones() {
        let e = Cli::try_parse_from(["custody", "init", "--role", "operator"]).unwrap_err().to_string();
        assert!(e.contains("developer") && e.contains("system-operator") && e.contains("data-custodian"), "{e}");
    }

    #[test]
    fn catalog_show_and_filters_parse() {
        let c = Cli::try_parse_from(["custody", "catalog", "show", "5.2.4-1.2", "--format", "json"]).expect("parse");
        assert!(matches!(c.command, Command::Catalog(CatalogArgs { show: Some(CatalogCommand::Show { .. }), .. })));
        let c = Cli::try_parse_from([
            "custody",
            "catalog",
            "--role",
            "end-user",
            "--phase",
            "end-of-life",
            "--principle",
            "13",
        ])
        .expect("parse");
        assert!(matches!(c.command, Command::Catalog(_)));
        assert!(Cli::try_parse_from(["custody", "catalog", "--principle", "14"]).is_err());
    }
}

/// What `custody audit --help` says about what the log can and cannot catch.
const AUDIT_ABOUT: &str = "The tamper-evident audit log: verify it, prove entries, export it for an investigator.

Every change custody makes to the store appends an entry, and the same transaction signs a
checkpoint (a C2SP signed note over the RFC 9162 Merkle tree) with audit.key, kept beside the
store. The latest checkpoint is also kept in audit.checkpoint beside the key, and sent to the
witnesses of [audit] witnesses in custody.toml (file:PATH, git:PATH).

Detected by `custody audit verify`:
  - any edit, deletion, insertion or reordering of entries a checkpoint covers, and any edit of
    records or scans that disagrees with the entries that logged them;
  - entries added without audit.key (custody never signs over them, and refuses to write on top
    of them until someone reviews them: `custody audit accept`);
  - a rollback or truncation of the database, by anyone who cannot also rewrite audit.checkpoint
    (or, with a witness, by anyone who cannot also rewrite the witness); `--checkpoint FILE`
    checks against a checkpoint kept anywhere else;
  - times that go backwards, and entries written with an injected clock (warnings).

Not detectable without a witness: someone who can write the database AND audit.checkpoint can
roll both back together. Not detectable at all: someone who holds audit.key can write entries
as custody does; keep the key readable only by the accounts that run custody, and back it up
(docs/audit.md). A lost key stops all writes until it is restored; `custody audit rotate-key`
replaces a key that may have been exposed.";

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every leaf and the tree, check every checkpoint (in the store, in
    /// audit.checkpoint, at the witnesses and in each --checkpoint FILE), and check records and
    /// scans against what the log says. Exit 1 on any discrepancy; warnings do not fail.
    Verify {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// A checkpoint kept elsewhere (e.g. from `custody audit checkpoint`): the log must still
        /// contain the tree it signed. Repeatable.
        #[arg(long, value_name = "FILE")]
        checkpoint: Vec<PathBuf>,
    },
    /// Seal COUNT entries that were found after the last signed checkpoint, once you have
    /// reviewed them (`custody audit verify` lists them): appends an entry saying who accepted
    /// them and why, and signs over it. Needs audit.key.
    Accept {
        /// How many unsealed entries you reviewed; refused if the log has another number.
        count: u64,
        /// Why they are genuine (e.g. "a scan interrupted by a reboot").
        #[arg(long)]
        reason: String,
    },
    /// Print the latest signed checkpoint, to keep elsewhere for `verify --checkpoint`.
    Checkpoint,
    /// Replace audit.key by a new key: the log records the rotation in an entry whose checkpoint
    /// both keys sign, later checkpoints carry the new key only, and the old key file is deleted.
    RotateKey {
        /// Why (scheduled rotation, a person with access left, suspected exposure …).
        #[arg(long)]
        reason: String,
    },
    /// Send the latest checkpoint to the witnesses configured in [audit] witnesses now.
    Witness,
    /// An inclusion proof for entry N against the latest checkpoint.
    Prove {
        /// Entry number (from 0).
        n: u64,
    },
    /// A consistency proof between two checkpointed sizes.
    Consistency { old: u64, new: u64 },
    /// Entries, checkpoints and proofs as one JSON file an independent verifier can check.
    Export {
        /// Write here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The entries, newest last.
    Log {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Record a dataset's provenance (a new version if the name exists).
    Add(Box<DataAddArgs>),
    /// Datasets with their provenance gaps and approval conflicts.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct DataAddArgs {
    pub name: String,
    /// Where the data came from: URL (repeatable; pairs with --acquired and --method in order).
    #[arg(long = "source", value_name = "URL")]
    pub sources: Vec<String>,
    /// When it was obtained, RFC 3339 (one per --source).
    #[arg(long = "acquired", value_name = "TIME")]
    pub acquired: Vec<String>,
    /// How it was obtained: scraped, downloaded, api, purchased, generated, internal (one per --source).
    #[arg(long = "method", value_name = "HOW")]
    pub methods: Vec<String>,
    /// SPDX licence expression.
    #[arg(long)]
    pub licence: Option<String>,
    /// public, internal, confidential, personal or special-category.
    #[arg(long, default_value = "internal")]
    pub sensitivity: String,
    #[arg(long)]
    pub owner: Option<String>,
    /// A file of the dataset, hashed now (repeatable).
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Import source, licence and datasets from a Hugging Face dataset card (README.md with YAML front matter) or a Croissant JSON-LD file.
    #[arg(long, value_name = "FILE")]
    pub from_card: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The dataset (as recorded with `custody data add`).
    pub dataset: String,
    /// The system whose intended use is approved.
    #[arg(long)]
    pub system: String,
    /// What is approved, in the custodian's words.
    #[arg(long)]
    pub scope: String,
    /// The approval explicitly covers personal or special-category data in this dataset.
    #[arg(long)]
    pub addresses_sensitive_data: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Attach a file (hashed) or a URL to a provision.
    Add {
        /// Provision id, e.g. 5.2.2-4.
        provision: String,
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    /// Record completed AI security training.
    Add {
        #[arg(long)]
        person: String,
        /// The staff role the module was fitted to, e.g. "ML engineer".
        #[arg(long)]
        staff_role: String,
        #[arg(long)]
        module: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        completed: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        expires: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Training records; overdue ones first.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum JustifyCommand {
    /// Components from the last scan that need a justification, and whether they have one.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Record why a poorly documented component is used, the compensating controls and the risk.
    Add {
        /// The component: an asset path from the scan, or a hub id (`hub:org/name`).
        component: String,
        /// Why it is used (e.g. no documented alternative existed).
        #[arg(long)]
        why: String,
        /// Compensating controls in place.
        #[arg(long)]
        controls: String,
        /// The specific risk assessment.
        #[arg(long)]
        risk: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The end-user notice (Markdown) the standard asks to publish.
    Notice,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ThreatsArgs {
    #[command(subcommand)]
    pub record: Option<ThreatsCommand>,
    /// Only this system.
    #[arg(long)]
    pub system: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ThreatsCommand {
    /// Record how a threat to a system is treated.
    Record {
        /// Threat id (see `custody threats`).
        threat: String,
        #[arg(long)]
        system: String,
        #[arg(long)]
        owner: String,
        /// The controls chosen (5.1.3-1.3).
        #[arg(long)]
        treatment: String,
        /// low, medium or high.
        #[arg(long)]
        residual: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Show one system: each provision's status for that system.
    #[arg(long, value_name = "SYSTEM")]
    pub system: Option<String>,
    /// Show every applicable provision, not only the open ones.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats of `custody gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Table,
    Json,
    /// SARIF 2.1.0 of what failed the gate (for code-scanning upload).
    Sarif,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Fail when a finding is at or above this severity [default: custody.toml [gate] fail_on, else high].
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser())]
    pub fail_on: Option<Severity>,
    /// Do not fail on findings, only on shall-gaps and the audit log.
    #[arg(long, conflicts_with = "fail_on")]
    pub no_findings: bool,
    #[arg(long, value_enum, default_value_t = GateFormat::Table)]
    pub format: GateFormat,
}

/// Formats of `custody report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file (no script, no external fetch).
    Html,
    Markdown,
    /// `custody.report/v1`.
    Json,
    /// OSCAL 1.2.1 assessment results.
    Oscal,
    /// OSCAL profile selecting the provisions that bind the roles held.
    OscalProfile,
    /// CycloneDX ML-BOM with the assessment as an attestation.
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.
    Spdx,
    /// SARIF 2.1.0 of findings and open provisions.
    Sarif,
}

/// CycloneDX versions `custody report --format cyclonedx` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CyclonedxVersion {
    #[value(name = "1.6")]
    V1_6,
    #[value(name = "1.7")]
    V1_7,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Write here (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// CycloneDX spec version.
    #[arg(long, value_enum, default_value_t = CyclonedxVersion::V1_6)]
    pub cyclonedx_version: CyclonedxVersion,
    /// For --format oscal-profile: the href of the OSCAL catalog it imports.
    #[arg(long, value_name = "HREF", default_value = "etsi-en-304-223-catalog.json")]
    pub catalog_href: String,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    pub system: String,
    /// The security evaluation report of this version (hashed and kept as evidence).
    #[arg(long, value_name = "FILE")]
    pub evaluation: Option<PathBuf>,
    /// The notice users get about the change (required for a new major version).
    #[arg(long)]
    pub notice: Option<String>,
    /// Only check; record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DecommissionArgs {
    pub system: String,
    /// Record the disposal (needs --as data-custodian); without it, list what must go.
    #[arg(long)]
    pub confirm: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

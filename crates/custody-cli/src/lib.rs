//! The command line of custody: clap definitions only. Behaviour lives in the binary and the
//! library crates; keeping the grammar here lets help text, man pages and completions be built
//! and tested without the engine.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// The custody.toml to use [default: ./custody.toml, or the nearest one in a parent directory].
    #[arg(long, global = true, env = "CUSTODY_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The store to use instead of the one custody.toml names: a SQLite path or sqlite:PATH.
    #[arg(long, global = true, env = "CUSTODY_DB", value_name = "LOCATION")]
    pub db: Option<String>,
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
    /// Declare in custody.toml which assets and services a system uses.
    Register(RegisterArgs),
    /// The rules behind findings: code, severity, why it matters, how to fix it.
    Rules(RulesArgs),
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Show one rule, e.g. CUS-SEC-001.
    pub code: Option<String>,
    #[arg(long, value_enum, default_value_t = ApplicableFormat::Table)]
    pub format: ApplicableFormat,
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
    /// Read and hash every file again, ignoring the cache of the previous scan.
    #[arg(long)]
    pub rehash: bool,
    /// Worker threads [default: the number of CPUs].
    #[arg(long, value_name = "N")]
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

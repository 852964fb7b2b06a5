//! Domain types of custody. No IO, no async, no terminal: everything here is pure data and
//! pure functions over it, so every other crate can depend on it.
//!
//! - [`role`]: the roles of ETSI EN 304 223 and the parties a provision names.
//! - [`catalog`]: the 72 provisions, embedded at build time from `catalog/provisions.toml`.
//! - [`applicability`]: which provisions the roles an organisation holds oblige, and why.
//! - [`config`]: the `custody.toml` model, parsed with file/line/column errors.
//! - [`ownership`]: asset references (digests and the one glob engine), `System::claims`, and
//!   the reconciliation of a scan with what systems declare.
//! - [`finding`]: findings, severities, locations and the registry of rule codes.
//! - [`time`]: the one parser of RFC 3339 times and dates every command uses.
//! - [`text`]: escaping of control characters for human-readable output, byte sizes.
//! - [`hex`]: lowercase hex of digests and ids.

pub mod ai_use;
pub mod applicability;
pub mod asset;
pub mod catalog;
pub mod config;
pub mod finding;
pub mod hex;
pub mod integrity;
pub mod ownership;
pub mod records;
pub mod role;
pub mod text;
pub mod threats;
pub mod time;

pub use ai_use::AiUse;
pub use applicability::{Applicable, Reason, applicable};
pub use asset::AssetKind;
pub use catalog::{Capability, Catalog, EvidenceKind, Modality, Phase, Principle, Provision, ProvisionId};
pub use config::{Config, ConfigError, EvidenceConfig, Exposure, GateConfig, Organisation, System};
pub use finding::{Code, Finding, Location, Registry, Rule, RuleCode, Severity, check_rules};
pub use integrity::{IntegrityKind, Outcome};
pub use ownership::{AssetRef, Ownership};
pub use role::{Party, Role};
#[doc(hidden)]
pub use serde as __serde;

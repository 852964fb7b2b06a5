//! The binary's integration tests, in one test target (one link, one binary to run): each
//! module drives `custody` end to end through `common`; `snapshots` compares whole CLI outputs
//! with committed files (`UPDATE_GOLDEN=1` rewrites them).

mod assess;
mod attest;
mod audit;
mod audit_faults;
mod cli;
mod common;
mod crash;
mod escape;
mod findings;
mod inspect;
mod lifecycle;
mod ownership;
mod records_input;
mod scan;
mod scan_evasion;
mod scan_templates;
mod snapshots;
mod system;

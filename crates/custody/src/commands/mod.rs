//! One module per command. Each turns parsed arguments into calls on the library crates and
//! renders the result; none holds domain logic of its own.

mod applicable;
mod assess;
mod attest;
mod audit;
mod catalog;
mod graph;
mod init;
mod inspect;
mod justify;
mod lifecycle;
mod records;
mod register;
mod rules;
mod scan;
mod system;
mod threats;

use crate::failure::CmdResult;
use crate::output::Output;
use custody_cli::{Cli, Command};

pub fn run(cli: &Cli, out: &mut Output) -> CmdResult {
    let result = dispatch(cli, out);
    if result.is_ok() && changes_store(&cli.command) {
        publish(cli, out);
    }
    result
}

/// Commands that can append to the audit log.
fn changes_store(c: &Command) -> bool {
    matches!(
        c,
        Command::Init(_)
            | Command::Scan(_)
            | Command::System(_)
            | Command::Register(_)
            | Command::Data(_)
            | Command::Approve(_)
            | Command::Evidence(_)
            | Command::Training(_)
            | Command::Justify(_)
            | Command::Threats(_)
            | Command::Release(_)
            | Command::Decommission(_)
            | Command::Sign(_)
            | Command::Verify(_)
            | Command::Snapshot(_)
            | Command::Restore(_)
            | Command::Diff(_)
            | Command::Audit(custody_cli::AuditCommand::Accept { .. } | custody_cli::AuditCommand::RotateKey { .. })
    )
}

/// Keeps the latest checkpoint (which the store signed inside the command's own transactions)
/// beside the key and at the witnesses. Best effort: a command that worked is not turned into a
/// failure, but what could not be kept is said.
fn publish(cli: &Cli, out: &Output) {
    let Ok(ws) = crate::workspace::load(&cli.global) else { return };
    let Ok(location) = crate::workspace::store_location(&cli.global, &ws.config_path, &ws.config) else { return };
    let Ok(store) = custody_store::open_read_only(&location, &crate::workspace::open_options()) else { return };
    for w in crate::seal::publish(store.as_ref(), &location, &crate::workspace::witnesses(&ws, &location)) {
        out.warn(&format!("the audit checkpoint was not kept: {w}"));
    }
}

fn dispatch(cli: &Cli, out: &mut Output) -> CmdResult {
    match &cli.command {
        Command::Init(args) => init::run(&cli.global, args, out),
        Command::Catalog(args) => catalog::run(args, out),
        Command::Applicable(args) => applicable::run(&cli.global, args, out),
        Command::Scan(args) => scan::run(&cli.global, args, out),
        Command::Graph(args) => graph::run(&cli.global, args, out),
        Command::System(cmd) => system::run(&cli.global, cmd, out),
        Command::Register(args) => register::run(&cli.global, args, out),
        Command::Rules(args) => rules::run(args, out),
        Command::Keygen(args) => attest::keygen(args, out),
        Command::Sign(args) => attest::sign(&cli.global, args, out),
        Command::Verify(args) => attest::verify(&cli.global, args, out),
        Command::Snapshot(args) => attest::snapshot(&cli.global, args, out),
        Command::Restore(args) => attest::restore(&cli.global, args, out),
        Command::Diff(args) => attest::diff(&cli.global, args, out),
        Command::Inspect(args) => inspect::run(args, out),
        Command::Audit(cmd) => audit::run(&cli.global, cmd, out),
        Command::Data(cmd) => records::data(&cli.global, cmd, out),
        Command::Approve(args) => records::approve(&cli.global, args, out),
        Command::Evidence(cmd) => records::evidence(&cli.global, cmd, out),
        Command::Training(cmd) => records::training(&cli.global, cmd, out),
        Command::Justify(cmd) => justify::run(&cli.global, cmd, out),
        Command::Threats(args) => threats::run(&cli.global, args, out),
        Command::Release(args) => lifecycle::release(&cli.global, args, out),
        Command::Decommission(args) => lifecycle::decommission(&cli.global, args, out),
        Command::Assess(args) => assess::assess(&cli.global, args, out),
        Command::Gate(args) => assess::gate(&cli.global, args, out),
        Command::Report(args) => assess::report(&cli.global, args, out),
    }
}

/// Splits `text` into lines of at most `width` characters at spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

//! The `custody` binary: parses the command line, runs the command, maps the outcome to an exit
//! code. Only this crate knows the terminal.

mod clock;
mod commands;
mod failure;
mod fsutil;
mod output;
mod prompt;
mod seal;
mod workspace;

use clap::Parser;
use custody_cli::Cli;
use failure::{Failure, Outcome};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut out = output::Output::new(&cli.global);
    match commands::run(&cli, &mut out) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::PolicyFailure) => ExitCode::from(1),
        // The reader went away (`custody catalog | head`): stop quietly, as ripgrep does.
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Error { message, hint }) => {
            out.error(&message, hint.as_deref());
            ExitCode::from(2)
        }
    }
}

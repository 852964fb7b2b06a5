//! One module per command. Each turns parsed arguments into calls on the library crates and
//! renders the result; none holds domain logic of its own.

mod applicable;
mod catalog;
mod graph;
mod init;
mod register;
mod rules;
mod scan;

use crate::failure::CmdResult;
use crate::output::Output;
use custody_cli::{Cli, Command};

pub fn run(cli: &Cli, out: &mut Output) -> CmdResult {
    match &cli.command {
        Command::Init(args) => init::run(&cli.global, args, out),
        Command::Catalog(args) => catalog::run(args, out),
        Command::Applicable(args) => applicable::run(&cli.global, args, out),
        Command::Scan(args) => scan::run(&cli.global, args, out),
        Command::Graph(args) => graph::run(&cli.global, args, out),
        Command::Register(args) => register::run(&cli.global, args, out),
        Command::Rules(args) => rules::run(args, out),
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

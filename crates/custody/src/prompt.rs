//! Questions on a terminal: asked on stderr, answered on stdin.

use crate::failure::Failure;
use std::io::{self, BufRead, Write};

/// Asks `question`; an empty answer takes `default`. End of input is an error, not a loop.
pub fn ask(question: &str, default: Option<&str>) -> Result<String, Failure> {
    let mut err = io::stderr();
    match default {
        Some(d) if !d.is_empty() => write!(err, "{question} [{d}]: "),
        _ => write!(err, "{question}: "),
    }
    .and_then(|_| err.flush())
    .map_err(|e| Failure::new(format!("cannot prompt: {e}")))?;
    let mut line = String::new();
    let n =
        io::stdin().lock().read_line(&mut line).map_err(|e| Failure::new(format!("cannot read the answer: {e}")))?;
    if n == 0 {
        return Err(Failure::with_hint(
            "input ended before every question was answered",
            "pass the answers as flags with --yes",
        ));
    }
    let answer = line.trim();
    Ok(if answer.is_empty() { default.unwrap_or("").to_string() } else { answer.to_string() })
}

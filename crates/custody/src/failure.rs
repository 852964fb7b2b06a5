//! How commands fail: a message that gives the cause, and a hint when custody knows what helps.
//! Every failure exits 2; a policy failure is an outcome, not a failure.

use custody_core::ConfigError;
use custody_store::StoreError;
use std::io;
use std::path::Path;

/// A command's result when it ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Ran fine, but the policy says no (exit 1).
    #[allow(dead_code)]
    PolicyFailure,
}

#[derive(Debug)]
pub enum Failure {
    /// stdout was closed by its reader.
    BrokenPipe,
    Error {
        message: String,
        hint: Option<String>,
    },
}

pub type CmdResult = Result<Outcome, Failure>;

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure::Error { message: message.into(), hint: None }
    }

    pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::Error { message: message.into(), hint: Some(hint.into()) }
    }

    /// An IO error on `path`, with the cause.
    pub fn io(what: &str, path: &Path, e: &io::Error) -> Failure {
        let hint = match e.kind() {
            io::ErrorKind::PermissionDenied => Some("check the file's permissions".to_string()),
            io::ErrorKind::NotFound => Some("check the path".to_string()),
            _ => None,
        };
        Failure::Error { message: format!("cannot {what} {}: {e}", path.display()), hint }
    }
}

/// Writing to stdout: a closed pipe ends the command quietly, anything else is an error.
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::new(format!("cannot write output: {e}"))
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Error { message: e.to_string(), hint: e.hint().map(str::to_string) }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::with_hint(e.to_string(), "fix the file, or run `custody init --force` to write a new one")
    }
}

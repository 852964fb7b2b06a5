//! Terminal output: results to stdout, notes and errors to stderr, colour only when wanted.

use crate::failure::Failure;
use custody_cli::{ColorChoice, GlobalArgs};
use std::io::{self, IsTerminal, Write};

pub struct Output {
    pub quiet: bool,
    color_out: bool,
    color_err: bool,
    stdout: io::StdoutLock<'static>,
}

/// Decides colour for one stream: an explicit choice wins; `auto` means a terminal and no
/// non-empty NO_COLOR.
pub fn use_color(choice: ColorChoice, is_tty: bool, no_color: Option<&str>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_tty && no_color.is_none_or(str::is_empty),
    }
}

#[derive(Clone, Copy)]
pub enum Style {
    Bold,
    Dim,
    Red,
    Yellow,
    Cyan,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "31",
            Style::Yellow => "33",
            Style::Cyan => "36",
        }
    }
}

impl Output {
    pub fn new(g: &GlobalArgs) -> Output {
        let no_color = std::env::var("NO_COLOR").ok();
        Output {
            quiet: g.quiet,
            color_out: use_color(g.color, io::stdout().is_terminal(), no_color.as_deref()),
            color_err: use_color(g.color, io::stderr().is_terminal(), no_color.as_deref()),
            stdout: io::stdout().lock(),
        }
    }

    /// Text for stdout in a style (plain when colour is off).
    pub fn paint(&self, s: &str, style: Style) -> String {
        paint(s, style, self.color_out)
    }

    pub fn line(&mut self, s: &str) -> Result<(), Failure> {
        writeln!(self.stdout, "{s}")?;
        Ok(())
    }

    pub fn raw(&mut self, s: &str) -> Result<(), Failure> {
        self.stdout.write_all(s.as_bytes())?;
        self.stdout.flush()?;
        Ok(())
    }

    /// Pretty JSON with a trailing newline.
    pub fn json(&mut self, v: &serde_json::Value) -> Result<(), Failure> {
        let s = serde_json::to_string_pretty(v).map_err(|e| Failure::new(format!("cannot render JSON: {e}")))?;
        self.raw(&s)?;
        self.raw("\n")
    }

    /// Pretty JSON of any serialisable value, written as it is produced.
    pub fn json_streamed<T: serde::Serialize>(&mut self, v: &T) -> Result<(), Failure> {
        let mut w = io::BufWriter::with_capacity(1 << 16, &mut self.stdout);
        serde_json::to_writer_pretty(&mut w, v).map_err(|e| match e.io_error_kind() {
            Some(io::ErrorKind::BrokenPipe) => Failure::BrokenPipe,
            _ => Failure::new(format!("cannot write JSON: {e}")),
        })?;
        w.write_all(b"\n")?;
        w.flush()?;
        Ok(())
    }

    /// A note for people on stderr; silent with --quiet.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "{}", paint(s, Style::Dim, self.color_err));
        }
    }

    pub fn warn(&self, s: &str) {
        let _ = writeln!(io::stderr(), "{} {s}", paint("warning:", Style::Yellow, self.color_err));
    }

    pub fn error(&self, message: &str, hint: Option<&str>) {
        let mut e = io::stderr().lock();
        let _ = writeln!(e, "{} {message}", paint("error:", Style::Red, self.color_err));
        if let Some(h) = hint {
            let _ = writeln!(e, "  {} {h}", paint("hint:", Style::Cyan, self.color_err));
        }
    }
}

fn paint(s: &str, style: Style, on: bool) -> String {
    if on { format!("\x1b[{}m{s}\x1b[0m", style.code()) } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_decisions() {
        assert!(use_color(ColorChoice::Always, false, Some("1")));
        assert!(!use_color(ColorChoice::Never, true, None));
        assert!(use_color(ColorChoice::Auto, true, None));
        assert!(use_color(ColorChoice::Auto, true, Some("")));
        assert!(!use_color(ColorChoice::Auto, true, Some("1")));
        assert!(!use_color(ColorChoice::Auto, false, None));
    }
}

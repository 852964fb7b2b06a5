//! Terminal output: results to stdout, notes and errors to stderr, colour only when wanted.
//!
//! Every human-readable line goes through one sink ([`Output::line`], `note`, `warn`, `error`,
//! `document`) that shows control and bidi characters in a visible escaped form
//! (`custody_core::text`), so no command can forget to: a file named `weights\r\e[2K\e[8m`
//! cannot wipe or hide its own finding. custody's own colours survive because [`Output::paint`]
//! does not emit escape codes: it emits a per-process unguessable sentinel that the sink turns
//! into the SGR code after escaping everything else (or removes, when colour is off). Machine
//! formats (`json`, `raw`) are written exactly.

use crate::failure::Failure;
use custody_cli::{ColorChoice, GlobalArgs};
use custody_core::text::escape_controls_keep_newlines;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

/// The sentinel that stands for `ESC [` in painted text: private-use characters around 128
/// random bits, drawn once per process (std's `RandomState` is seeded from the OS).
fn sentinel() -> &'static str {
    static S: OnceLock<String> = OnceLock::new();
    S.get_or_init(|| {
        let word = || {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.finish()
        };
        format!("\u{f8f0}{:016x}{:016x}\u{f8f1}", word(), word())
    })
}

/// What the sink writes for `s`: controls escaped, then custody's own colour sentinels made
/// real SGR codes (`colour`) or removed.
fn finish(s: &str, colour: bool) -> String {
    let escaped = escape_controls_keep_newlines(s);
    let t = sentinel();
    if !escaped.contains(t) {
        return escaped.into_owned();
    }
    if colour {
        return escaped.replace(t, "\x1b[");
    }
    // Drop each sentinel with the `NN;NNm` that follows it.
    let mut parts = escaped.split(t);
    let mut o = parts.next().unwrap_or("").to_string();
    for p in parts {
        o.push_str(p.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';').strip_prefix('m').unwrap_or(p));
    }
    o
}

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

    /// One line (or several of custody's own) for people on stdout, escaped.
    pub fn line(&mut self, s: &str) -> Result<(), Failure> {
        let s = finish(s, self.color_out);
        writeln!(self.stdout, "{s}")?;
        Ok(())
    }

    /// A whole text document for people (Markdown, DOT) on stdout, escaped, newlines kept.
    pub fn document(&mut self, s: &str) -> Result<(), Failure> {
        let s = finish(s, self.color_out);
        self.raw(&s)
    }

    /// Exact bytes: machine formats (JSON, SARIF, OSCAL, HTML whose producer escapes).
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
            let _ = writeln!(io::stderr(), "{}", finish(&paint(s, Style::Dim, self.color_err), self.color_err));
        }
    }

    pub fn warn(&self, s: &str) {
        let line = format!("{} {s}", paint("warning:", Style::Yellow, self.color_err));
        let _ = writeln!(io::stderr(), "{}", finish(&line, self.color_err));
    }

    pub fn error(&self, message: &str, hint: Option<&str>) {
        let mut e = io::stderr().lock();
        let line = format!("{} {message}", paint("error:", Style::Red, self.color_err));
        let _ = writeln!(e, "{}", finish(&line, self.color_err));
        if let Some(h) = hint {
            let line = format!("  {} {h}", paint("hint:", Style::Cyan, self.color_err));
            let _ = writeln!(e, "{}", finish(&line, self.color_err));
        }
    }
}

/// `s` in a style, as sentinels the sink turns into SGR codes (plain when `on` is false).
fn paint(s: &str, style: Style, on: bool) -> String {
    if on {
        let t = sentinel();
        format!("{t}{}m{s}{t}0m", style.code())
    } else {
        s.to_string()
    }
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

    #[test]
    fn the_sink_escapes_input_but_keeps_our_colours() {
        let name = "weights\r\x1b[2K\x1b[8m";
        let painted = format!("{} {name}", paint("critical", Style::Red, true));
        assert_eq!(finish(&painted, true), "\x1b[31mcritical\x1b[0m weights\\r\\e[2K\\e[8m");
        assert_eq!(finish(&painted, false), "critical weights\\r\\e[2K\\e[8m");
        assert_eq!(finish("a\nb\u{202e}", false), "a\nb\\u{202e}");
        // A guessed sentinel shape without the secret is just text.
        assert_eq!(finish("\u{f8f0}31m", true), "\u{f8f0}31m");
    }
}

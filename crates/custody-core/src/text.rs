//! Text from input (file names, config strings, record fields, model metadata) made safe to show
//! to people. A terminal obeys control characters: a file named `weights\r\e[2K\e[8m` would
//! wipe the line of its own finding and hide what follows; a right-to-left override reorders
//! what is read. Every human-readable output (tables, notes, Markdown, DOT) shows such characters
//! in a visible escaped form instead; machine formats (JSON) keep the exact text.

use std::borrow::Cow;

/// True for the characters a terminal or a bidi-aware viewer acts on instead of showing: C0
/// controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069).
pub fn is_dangerous(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_dangerous(c) && !(keep_newlines && c == '\n')) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => o.push('\n'),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\0' => o.push_str("\\0"),
            '\x1b' => o.push_str("\\e"),
            c if u32::from(c) < 0x80 && c.is_control() => o.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if is_dangerous(c) => o.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => o.push(c),
        }
    }
    Cow::Owned(o)
}

/// Every dangerous character (newlines too) in a visible form: `\r`, `\e`, `\x7f`, `\u{9b}`,
/// `\u{202e}`. For one value in a line: a file name, a field.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// As [`escape_controls`], but newlines stay: for whole multi-line texts custody composed
/// (a table, a report) where the line breaks are custody's own.
pub fn escape_controls_keep_newlines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// The longest actor name custody records.
pub const MAX_ACTOR_LEN: usize = 128;

/// An actor name (`--actor`, `CUSTODY_ACTOR`): 1 to 128 characters, no control or bidi
/// characters. It goes into every audit entry, which can never be changed afterwards.
pub fn check_actor(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("the actor is empty; give a name such as alice@acme.example".into());
    }
    if s.chars().count() > MAX_ACTOR_LEN {
        return Err(format!("the actor is {} characters long; at most {MAX_ACTOR_LEN} are allowed", s.chars().count()));
    }
    if s.chars().any(is_dangerous) {
        return Err(format!(
            "the actor `{}` contains control or bidi characters; use plain text such as alice@acme.example",
            escape_controls(s)
        ));
    }
    Ok(())
}

/// The units of [`size`]: powers of 1000 (`KB`, `MB`, …) or of 1024 (`KiB`, `MiB`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeUnits {
    Decimal,
    Binary,
}

/// A byte count for people: `999 B`, `1.5 MB`, `1.2 KiB`; whole bytes below the first unit,
/// else `decimals` digits after the point, up to terabytes. The one byte-size formatter.
pub fn size(n: u64, units: SizeUnits, decimals: usize) -> String {
    let (step, names) = match units {
        SizeUnits::Decimal => (1000.0, ["B", "KB", "MB", "GB", "TB"]),
        SizeUnits::Binary => (1024.0, ["B", "KiB", "MiB", "GiB", "TiB"]),
    };
    let mut v = n as f64;
    let mut i = 0;
    while v >= step && i + 1 < names.len() {
        v /= step;
        i += 1;
    }
    if i == 0 { format!("{n} B") } else { format!("{v:.decimals$} {}", names[i]) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        use super::{SizeUnits::*, size};
        assert_eq!(size(999, Decimal, 1), "999 B");
        assert_eq!(size(1_500_000, Decimal, 1), "1.5 MB");
        assert_eq!(size(1_234_567, Decimal, 2), "1.23 MB");
        assert_eq!(size(1536, Binary, 1), "1.5 KiB");
        assert_eq!(size(1023, Binary, 1), "1023 B");
        assert_eq!(size(u64::MAX, Binary, 1), "16777216.0 TiB");
    }

    use super::*;

    #[test]
    fn the_file_name_attack_is_made_visible() {
        assert_eq!(escape_controls("weights\r\x1b[2K\x1b[8m"), "weights\\r\\e[2K\\e[8m");
        assert_eq!(
            escape_controls("a\u{7f}b\u{9b}c\u{202e}d\u{2066}e\tf\0"),
            "a\\x7fb\\u{9b}c\\u{202e}d\\u{2066}e\\tf\\0"
        );
        assert_eq!(escape_controls("x\ny"), "x\\ny");
        assert_eq!(escape_controls_keep_newlines("x\ny\r"), "x\ny\\r");
        assert!(matches!(escape_controls("plain ünïcode ✓"), Cow::Borrowed(_)));
        for c in
            ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
        {
            assert!(is_dangerous(c), "{c:?}");
        }
        assert!(!is_dangerous('\u{2029}') || '\u{2029}'.is_control());
    }

    #[test]
    fn actors() {
        assert!(check_actor("alice@acme.example").is_ok());
        assert!(check_actor(&"a".repeat(128)).is_ok());
        assert!(check_actor(&"a".repeat(129)).unwrap_err().contains("at most 128"));
        assert!(check_actor("").is_err());
        let e = check_actor("eve\x1b[8m").unwrap_err();
        assert!(e.contains("control") && e.contains("\\e[8m") && !e.contains('\x1b'), "{e}");
        assert!(check_actor("eve\u{202e}").is_err());
    }
}

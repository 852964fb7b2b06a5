//! Hard-coded credentials: provider key shapes found anywhere in a text (comments included: a
//! leaked key is a leak wherever it sits), and literal values assigned to credential
//! variables. Hits carry only the masked value.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::HitKind;
use crate::hits::{Raw, Sink};
use crate::tables::{CREDENTIALS, CredShape, Gate, PLACEHOLDER_WORDS, SK_CONTEXT, opt};
use crate::text::{at, entropy, is_ident_byte, sub};

static PREFIXES: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(CREDENTIALS.iter().map(|c| c.prefix)).ok()
});

/// Mask prefixes, longest first.
static MASK_PREFIXES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut v: Vec<&'static str> = CREDENTIALS.iter().map(|c| c.prefix).collect();
    v.push("ASIA");
    v.sort_by_key(|p| std::cmp::Reverse(p.len()));
    v
});

/// See [`crate::mask`].
pub(crate) fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let prefix = MASK_PREFIXES.iter().find(|p| secret.starts_with(**p) && n >= p.len() + 4 + 8).copied();
    let min_hidden = 12; // without a known prefix: show the tail only for long secrets
    let tail: String = if prefix.is_some() || n >= 4 + min_hidden {
        let skip = n.saturating_sub(4);
        secret.chars().skip(skip).collect()
    } else {
        String::new()
    };
    format!("{}\u{2026}{}", prefix.unwrap_or(""), tail)
}

/// Whether a credential-shaped body is a placeholder, a documentation example or otherwise not
/// random enough to be a real secret.
pub(crate) fn placeholder(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let b = body.as_bytes();
    let mut run = 1usize;
    let mut up = 1usize;
    let mut down = 1usize;
    for w in b.windows(2) {
        let (x, y) = (w.first().copied().unwrap_or(0), w.get(1).copied().unwrap_or(0));
        run = if x == y { run + 1 } else { 1 };
        up = if y == x.wrapping_add(1) && x.is_ascii_alphanumeric() { up + 1 } else { 1 };
        down = if x == y.wrapping_add(1) && x.is_ascii_alphanumeric() { down + 1 } else { 1 };
        if run >= 5 || up >= 6 || down >= 6 {
            return true;
        }
    }
    let mut seen = [false; 256];
    for &c in b {
        if let Some(s) = seen.get_mut(usize::from(c)) {
            *s = true;
        }
    }
    let distinct = seen.iter().filter(|s| **s).count();
    distinct < 10.min(b.len() / 2) || entropy(body) < 3.0
}

/// Whether a value assigned to a credential variable looks like a real secret (and not a
/// reference such as `${OPENAI_API_KEY}`, a placeholder or a short word).
pub(crate) fn looks_secret(v: &str) -> bool {
    let len = v.len();
    if !(16..=256).contains(&len) {
        return false;
    }
    if !v.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'+' | b'/' | b'=')) {
        return false;
    }
    let letters = v.bytes().any(|c| c.is_ascii_alphabetic());
    let digits = v.bytes().any(|c| c.is_ascii_digit());
    letters && digits && !placeholder(v) && !v.contains("..")
}

fn mentions(text: &str, word: &str) -> bool {
    let w = word.as_bytes();
    !w.is_empty() && text.as_bytes().windows(w.len()).any(|win| win.eq_ignore_ascii_case(w))
}

/// The line around `pos` (at most 200 bytes either side), lower-cased.
fn context(text: &str, pos: usize) -> String {
    let b = text.as_bytes();
    let mut s = pos;
    while s > 0 && at(b, s - 1) != b'\n' && pos - s < 200 {
        s -= 1;
    }
    let mut e = pos;
    while e < b.len() && at(b, e) != b'\n' && e - pos < 200 {
        e += 1;
    }
    String::from_utf8_lossy(b.get(s..e).unwrap_or(&[])).to_ascii_lowercase()
}

/// Provider key shapes anywhere in `text`; offsets are shifted by `base`.
pub(crate) fn scan(text: &str, base: usize, sink: &mut Sink) {
    let Some(ac) = PREFIXES.as_ref() else { return };
    let b = text.as_bytes();
    let mut gate_cache: Vec<(&'static str, bool)> = Vec::new();
    let mut consumed = 0usize;
    for m in ac.find_iter(text) {
        if sink.full(HitKind::Credential) {
            return;
        }
        let s = m.start();
        if s < consumed {
            continue;
        }
        let Some(shape) = CREDENTIALS.get(m.pattern().as_usize()) else { continue };
        let prev = if s == 0 { 0 } else { at(b, s - 1) };
        let bs = m.end();
        let mut be = bs;
        while be < b.len() && shape.charset.has(at(b, be)) && be - bs <= shape.max {
            be += 1;
        }
        consumed = be;
        if is_ident_byte(prev) || prev == b'-' {
            continue;
        }
        let body_len = be - bs;
        if body_len < shape.min || body_len > shape.max {
            continue;
        }
        let next = at(b, be);
        if is_ident_byte(next) || next == b'-' {
            continue;
        }
        let body = sub(text, bs, be);
        if placeholder(body) {
            continue;
        }
        let (provider, label) = match shape.gate {
            Gate::None => (opt(shape.provider), shape.label.to_string()),
            Gate::FileMentions(word) => {
                let ok = match gate_cache.iter().find(|(w, _)| *w == word) {
                    Some((_, v)) => *v,
                    None => {
                        let v = mentions(text, word);
                        gate_cache.push((word, v));
                        v
                    }
                };
                if !ok {
                    continue;
                }
                (opt(shape.provider), shape.label.to_string())
            }
            Gate::OpenAiLegacy => sk_provider(shape, text, s, body),
        };
        let secret = sub(text, s, be);
        sink.secret(secret);
        sink.push(Raw::new(base + s, HitKind::Credential, provider, shape.cat, mask(secret)).detail(label));
    }
}

fn sk_provider(shape: &CredShape, text: &str, s: usize, body: &str) -> (Option<&'static str>, String) {
    if body.contains("T3BlbkFJ") {
        return (Some("openai"), "OpenAI API key".to_string());
    }
    let ctx = context(text, s);
    if let Some((_, p)) = SK_CONTEXT.iter().find(|(w, _)| ctx.contains(w)) {
        return (Some(p), format!("sk- API key ({p}, from context)"));
    }
    if body.len() == 48 {
        return (opt(shape.provider), "OpenAI API key (classic shape)".to_string());
    }
    (None, "sk- API key (OpenAI-compatible; provider not known)".to_string())
}

/// A literal `value` at `off` assigned to a credential variable of `provider`: report it
/// (masked) if it looks like a real secret.
pub(crate) fn assigned(
    value: &str,
    off: usize,
    provider: Option<&'static str>,
    cat: &'static str,
    var: &str,
    sink: &mut Sink,
) {
    if looks_secret(value) {
        sink.secret(value);
        sink.push(
            Raw::new(off, HitKind::Credential, provider, cat, mask(value)).detail(format!("value assigned to {var}")),
        );
    }
}

//! A small, linear-time tokenizer for the supported languages.
//!
//! It knows exactly enough of each language to tell code from comments and string literals:
//! comments are dropped, string literals become [`K::Str`] tokens with their content range, and
//! everything else becomes identifiers, numbers and single-byte punctuation. Newlines are not
//! tokens; instead each token records whether a newline came before it (`nl`).
//!
//! Every construct is scanned once and every scan either ends at its delimiter, at the end of
//! the line (for single-line literals) or at the end of the input, so the whole pass is linear
//! whatever the input. Unterminated literals simply end there.

use crate::Language;
use crate::text::{at, is_ident_byte};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum K {
    Ident,
    Str,
    Num,
    Punct,
}

/// One token. Offsets are bytes into the input (inputs are capped well below 4 GiB).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub k: K,
    pub s: u32,
    pub e: u32,
    /// For strings: content start and end (without prefix and quotes).
    pub is: u32,
    pub ie: u32,
    /// For strings: the literal interpolates (f-string, template, `$"…"`), so its content may
    /// contain placeholders.
    pub interp: bool,
    /// A newline occurred between the previous token and this one.
    pub nl: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fam {
    Py,
    Js,
    Java,
    Kotlin,
    Go,
    Rust,
    CSharp,
}

fn fam(lang: Language) -> Fam {
    match lang {
        Language::Python => Fam::Py,
        Language::JavaScript | Language::TypeScript => Fam::Js,
        Language::Java => Fam::Java,
        Language::Kotlin => Fam::Kotlin,
        Language::Go => Fam::Go,
        Language::Rust => Fam::Rust,
        Language::CSharp => Fam::CSharp,
    }
}

/// Template literal nesting deeper than this is treated as plain text.
const MAX_TEMPLATE_DEPTH: usize = 64;

struct Lx<'a> {
    b: &'a [u8],
    i: usize,
    f: Fam,
    out: Vec<Tok>,
    nl: bool,
    brace: u32,
    tmpl: Vec<u32>,
}

/// Tokenize `src` as `lang`.
pub(crate) fn lex(lang: Language, src: &str) -> Vec<Tok> {
    let mut lx = Lx { b: src.as_bytes(), i: 0, f: fam(lang), out: Vec::new(), nl: true, brace: 0, tmpl: Vec::new() };
    lx.run();
    lx.out
}

#[inline]
fn u(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

impl Lx<'_> {
    fn c(&self, k: usize) -> u8 {
        at(self.b, self.i + k)
    }

    fn push(&mut self, k: K, s: usize, e: usize) {
        let nl = std::mem::take(&mut self.nl);
        self.out.push(Tok { k, s: u(s), e: u(e), is: u(s), ie: u(e), interp: false, nl });
    }

    fn push_str(&mut self, s: usize, e: usize, is: usize, ie: usize, interp: bool) {
        let nl = std::mem::take(&mut self.nl);
        self.out.push(Tok { k: K::Str, s: u(s), e: u(e), is: u(is), ie: u(ie.max(is)), interp, nl });
    }

    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.c(0) != b'\n' {
            self.i += 1;
        }
    }

    fn skip_block(&mut self, nested: bool) {
        self.i += 2;
        let mut depth = 1u32;
        while self.i < self.b.len() {
            if self.c(0) == b'*' && self.c(1) == b'/' {
                self.i += 2;
                depth -= 1;
                if depth == 0 {
                    return;
                }
            } else if nested && self.c(0) == b'/' && self.c(1) == b'*' {
                self.i += 2;
                depth = depth.saturating_add(1);
            } else {
                if self.c(0) == b'\n' {
                    self.nl = true;
                }
                self.i += 1;
            }
        }
    }

    fn run(&mut self) {
        if self.b.starts_with(b"#!") {
            self.skip_line();
        }
        while self.i < self.b.len() {
            let c = self.c(0);
            let n = self.c(1);
            match c {
                b'\n' => {
                    self.nl = true;
                    self.i += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.i += 1,
                b'\\' if self.f == Fam::Py && (n == b'\n' || (n == b'\r' && self.c(2) == b'\n')) => {
                    self.i += if n == b'\n' { 2 } else { 3 };
                }
                b'#' if self.f == Fam::Py => self.skip_line(),
                b'/' if self.f != Fam::Py && n == b'/' => self.skip_line(),
                b'/' if self.f != Fam::Py && n == b'*' => {
                    let nested = matches!(self.f, Fam::Rust | Fam::Kotlin);
                    self.skip_block(nested);
                }
                b'"' | b'\'' => self.string(self.i, self.i, false),
                b'`' if self.f == Fam::Js => {
                    let s = self.i;
                    self.template(s, s + 1, false);
                }
                b'`' if self.f == Fam::Go => {
                    let s = self.i;
                    let (ie, e) = self.scan_quoted(s + 1, b'`', false, true);
                    self.push_str(s, e, s + 1, ie, false);
                    self.i = e;
                }
                b'/' if self.f == Fam::Js && self.regex_ok() => self.regex(),
                b'@' | b'$' if self.f == Fam::CSharp && self.cs_prefixed() => {}
                b'{' => {
                    self.brace = self.brace.saturating_add(1);
                    self.push(K::Punct, self.i, self.i + 1);
                    self.i += 1;
                }
                b'}' => {
                    if self.f == Fam::Js && self.tmpl.last() == Some(&self.brace) {
                        self.tmpl.pop();
                        self.brace = self.brace.saturating_sub(1);
                        let s = self.i;
                        self.template(s, s + 1, true);
                    } else {
                        self.brace = self.brace.saturating_sub(1);
                        self.push(K::Punct, self.i, self.i + 1);
                        self.i += 1;
                    }
                }
                c if c.is_ascii_digit() => {
                    let s = self.i;
                    while self.i < self.b.len()
                        && (is_ident_byte(self.c(0)) || (self.c(0) == b'.' && self.c(1).is_ascii_digit()))
                    {
                        self.i += 1;
                    }
                    self.push(K::Num, s, self.i);
                }
                c if is_ident_byte(c) || (c == b'$' && matches!(self.f, Fam::Js | Fam::Java)) => self.ident(),
                _ => {
                    self.push(K::Punct, self.i, self.i + 1);
                    self.i += 1;
                }
            }
        }
    }

    fn ident(&mut self) {
        let s = self.i;
        let dollar = matches!(self.f, Fam::Js | Fam::Java);
        while self.i < self.b.len() && (is_ident_byte(self.c(0)) || (dollar && self.c(0) == b'$')) {
            self.i += 1;
        }
        let word = self.b.get(s..self.i).unwrap_or(&[]);
        let q = self.c(0);
        match self.f {
            Fam::Py if (q == b'"' || q == b'\'') && word.len() <= 2 => {
                let lw: Vec<u8> = word.to_ascii_lowercase();
                if lw.iter().all(|c| matches!(c, b'r' | b'u' | b'b' | b'f' | b't')) {
                    let interp = lw.contains(&b'f') || lw.contains(&b't');
                    let q_at = self.i;
                    self.string(s, q_at, interp);
                    return;
                }
            }
            Fam::Rust if matches!(word, b"r" | b"br" | b"cr") && (q == b'"' || q == b'#') => {
                let mut h = self.i;
                while at(self.b, h) == b'#' && h - self.i < 256 {
                    h += 1;
                }
                let hashes = h - self.i;
                if at(self.b, h) == b'"' && hashes < 256 {
                    let (ie, e) = self.scan_rust_raw(h + 1, hashes);
                    self.push_str(s, e, h + 1, ie, false);
                    self.i = e;
                    return;
                }
            }
            Fam::Rust if matches!(word, b"b" | b"c") && q == b'"' => {
                let q_at = self.i;
                self.string(s, q_at, false);
                return;
            }
            Fam::Rust if word == b"b" && q == b'\'' => {
                let q_at = self.i;
                self.string(s, q_at, false);
                return;
            }
            _ => {}
        }
        self.push(K::Ident, s, self.i);
    }

    /// A string literal whose opening quote is at `q_at` (prefix from `s`).
    fn string(&mut self, s: usize, q_at: usize, interp: bool) {
        let q = at(self.b, q_at);
        let triple = at(self.b, q_at + 1) == q && at(self.b, q_at + 2) == q;
        match (self.f, q) {
            (Fam::Py, _) if triple => {
                let (ie, e) = self.scan_triple(q_at + 3, q, true);
                self.push_str(s, e, q_at + 3, ie, interp);
                self.i = e;
            }
            (Fam::Py | Fam::Js, _) | (Fam::Go, b'"' | b'\'') | (Fam::CSharp, b'\'') => {
                let (ie, e) = self.scan_quoted(q_at + 1, q, true, false);
                self.push_str(s, e, q_at + 1, ie, interp);
                self.i = e;
            }
            (Fam::Java, b'"') if triple => {
                let (ie, e) = self.scan_triple(q_at + 3, q, true);
                self.push_str(s, e, q_at + 3, ie, false);
                self.i = e;
            }
            (Fam::Kotlin, b'"') if triple => {
                let (ie, e) = self.scan_triple(q_at + 3, q, false);
                self.push_str(s, e, q_at + 3, ie, true);
                self.i = e;
            }
            (Fam::Java | Fam::Kotlin, _) => {
                let (ie, e) = self.scan_quoted(q_at + 1, q, true, false);
                self.push_str(s, e, q_at + 1, ie, self.f == Fam::Kotlin);
                self.i = e;
            }
            (Fam::CSharp, _) => {
                // `"` here: raw string literal ("""…""") or a regular one
                let mut n = 0usize;
                while at(self.b, q_at + n) == b'"' && n < 256 {
                    n += 1;
                }
                if n >= 3 {
                    let (is, ie, e) = self.scan_cs_raw(q_at, n);
                    self.push_str(s, e, is, ie, interp);
                    self.i = e;
                } else {
                    let (ie, e) = self.scan_quoted(q_at + 1, q, true, false);
                    self.push_str(s, e, q_at + 1, ie, interp);
                    self.i = e;
                }
            }
            (Fam::Rust, b'"') => {
                let (ie, e) = self.scan_quoted(q_at + 1, q, true, true);
                self.push_str(s, e, q_at + 1, ie, false);
                self.i = e;
            }
            (Fam::Rust, _) => self.rust_quote(s, q_at),
            (Fam::Go, _) => {
                self.push(K::Punct, q_at, q_at + 1);
                self.i = q_at + 1;
            }
        }
    }

    /// Rust `'`: a char literal or a lifetime / label.
    fn rust_quote(&mut self, s: usize, q_at: usize) {
        let n = at(self.b, q_at + 1);
        if n == b'\\' {
            for k in 2..14 {
                if at(self.b, q_at + k) == b'\'' {
                    self.push_str(s, q_at + k + 1, q_at + 1, q_at + k, false);
                    self.i = q_at + k + 1;
                    return;
                }
                if at(self.b, q_at + k) == b'\n' {
                    break;
                }
            }
        } else if n != b'\'' && n != 0 {
            let len = match n {
                0xF0..=0xFF => 4,
                0xE0..=0xEF => 3,
                0xC0..=0xDF => 2,
                _ => 1,
            };
            if at(self.b, q_at + 1 + len) == b'\'' {
                self.push_str(s, q_at + 2 + len, q_at + 1, q_at + 1 + len, false);
                self.i = q_at + 2 + len;
                return;
            }
        }
        self.push(K::Punct, q_at, q_at + 1);
        self.i = q_at + 1;
    }

    /// C# `@"…"`, `$"…"`, `$@"…"`, `@$"…"`, `$"""…"""`. Returns false when `@`/`$` is not a
    /// string prefix (the caller then treats it as punctuation).
    fn cs_prefixed(&mut self) -> bool {
        let s = self.i;
        let mut j = s;
        let mut verbatim = false;
        let mut interp = false;
        while j < self.b.len() && j - s < 8 {
            match at(self.b, j) {
                b'@' => verbatim = true,
                b'$' => interp = true,
                _ => break,
            }
            j += 1;
        }
        if at(self.b, j) != b'"' {
            self.push(K::Punct, s, s + 1);
            self.i = s + 1;
            return true;
        }
        if verbatim {
            let (ie, e) = self.scan_verbatim(j + 1);
            self.push_str(s, e, j + 1, ie, interp);
            self.i = e;
        } else {
            self.string(s, j, interp);
        }
        true
    }

    /// Scan to the closing `q`; returns (content end, token end).
    fn scan_quoted(&self, from: usize, q: u8, escapes: bool, multiline: bool) -> (usize, usize) {
        let mut j = from;
        while j < self.b.len() {
            let c = at(self.b, j);
            if escapes && c == b'\\' {
                j += 2;
                continue;
            }
            if c == q {
                return (j, j + 1);
            }
            if c == b'\n' && !multiline {
                return (j, j);
            }
            j += 1;
        }
        (self.b.len(), self.b.len())
    }

    fn scan_triple(&self, from: usize, q: u8, escapes: bool) -> (usize, usize) {
        let mut j = from;
        while j < self.b.len() {
            let c = at(self.b, j);
            if escapes && c == b'\\' {
                j += 2;
                continue;
            }
            if c == q && at(self.b, j + 1) == q && at(self.b, j + 2) == q {
                return (j, j + 3);
            }
            j += 1;
        }
        (self.b.len(), self.b.len())
    }

    fn scan_verbatim(&self, from: usize) -> (usize, usize) {
        let mut j = from;
        while j < self.b.len() {
            if at(self.b, j) == b'"' {
                if at(self.b, j + 1) == b'"' {
                    j += 2;
                    continue;
                }
                return (j, j + 1);
            }
            j += 1;
        }
        (self.b.len(), self.b.len())
    }

    fn scan_rust_raw(&self, from: usize, hashes: usize) -> (usize, usize) {
        let mut j = from;
        while j < self.b.len() {
            if at(self.b, j) == b'"' && (1..=hashes).all(|k| at(self.b, j + k) == b'#') {
                return (j, j + 1 + hashes);
            }
            j += 1;
        }
        (self.b.len(), self.b.len())
    }

    /// C# raw string: `n` opening quotes, closed by a run of at least `n` quotes.
    fn scan_cs_raw(&self, q_at: usize, n: usize) -> (usize, usize, usize) {
        let from = q_at + n;
        let mut j = from;
        while j < self.b.len() {
            if at(self.b, j) == b'"' {
                let rs = j;
                while at(self.b, j) == b'"' {
                    j += 1;
                }
                if j - rs >= n {
                    return (from, rs, j);
                }
                continue;
            }
            j += 1;
        }
        (from, self.b.len(), self.b.len())
    }

    /// JS template literal part starting at `s` (the backtick or the `}` that closes a
    /// substitution), content from `from`.
    fn template(&mut self, s: usize, from: usize, after_subst: bool) {
        let mut j = from;
        while j < self.b.len() {
            match at(self.b, j) {
                b'\\' => j += 2,
                b'`' => {
                    self.push_str(s, j + 1, from, j, after_subst);
                    self.i = j + 1;
                    return;
                }
                b'$' if at(self.b, j + 1) == b'{' && self.tmpl.len() < MAX_TEMPLATE_DEPTH => {
                    self.push_str(s, j + 2, from, j, true);
                    self.brace = self.brace.saturating_add(1);
                    self.tmpl.push(self.brace);
                    self.i = j + 2;
                    return;
                }
                _ => j += 1,
            }
        }
        let end = self.b.len();
        self.push_str(s, end, from, end, after_subst);
        self.i = end;
    }

    /// JS: can a `/` here start a regular expression literal?
    fn regex_ok(&self) -> bool {
        let Some(t) = self.out.last() else { return true };
        match t.k {
            K::Punct => matches!(
                at(self.b, t.s as usize),
                b'(' | b','
                    | b'='
                    | b':'
                    | b'['
                    | b'!'
                    | b'&'
                    | b'|'
                    | b'?'
                    | b'{'
                    | b'}'
                    | b';'
                    | b'+'
                    | b'-'
                    | b'*'
                    | b'%'
                    | b'<'
                    | b'>'
                    | b'~'
                    | b'^'
            ),
            K::Ident => {
                let w = self.b.get(t.s as usize..t.e as usize).unwrap_or(&[]);
                matches!(
                    w,
                    b"return"
                        | b"typeof"
                        | b"instanceof"
                        | b"in"
                        | b"of"
                        | b"new"
                        | b"delete"
                        | b"void"
                        | b"throw"
                        | b"case"
                        | b"do"
                        | b"else"
                        | b"yield"
                        | b"await"
                )
            }
            _ => false,
        }
    }

    /// A regex literal; unterminated ones end at the line end (never re-scanned).
    fn regex(&mut self) {
        let s = self.i;
        let mut j = s + 1;
        let mut class = false;
        while j < self.b.len() {
            match at(self.b, j) {
                b'\\' => {
                    j += 2;
                    continue;
                }
                b'\n' => break,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => {
                    j += 1;
                    while j < self.b.len() && at(self.b, j).is_ascii_alphabetic() {
                        j += 1;
                    }
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let j = j.min(self.b.len());
        // a regex is neither code nor a string we analyse: record it as punctuation-like
        self.push(K::Num, s, j);
        self.i = j.max(s + 1);
    }
}

//! Collecting hits by byte offset and turning them into public [`Hit`]s with line and column.

use crate::{Hit, HitKind, MAX_HITS};

/// A hit before its position is resolved: `off` is a byte offset into the scanned text.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub off: usize,
    pub kind: HitKind,
    pub provider: Option<&'static str>,
    pub category: &'static str,
    pub name: String,
    pub pinned: Option<bool>,
    pub detail: Option<String>,
}

impl Raw {
    pub fn new(off: usize, kind: HitKind, provider: Option<&'static str>, category: &'static str, name: String) -> Raw {
        Raw { off, kind, provider, category, name, pinned: None, detail: None }
    }
    pub fn detail(mut self, d: impl Into<String>) -> Raw {
        self.detail = Some(d.into());
        self
    }
    pub fn pinned(mut self, p: Option<bool>) -> Raw {
        self.pinned = p;
        self
    }
}

/// Where scanners put their hits. Each kind is capped at [`MAX_HITS`] so that one flooded
/// signal cannot crowd out the others before the final sort and cut.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub hits: Vec<Raw>,
    per_kind: [usize; 8],
    /// Raw credential values found in this text, used only to make sure no other hit repeats
    /// one (a safety net; dropped with the sink).
    secrets: Vec<String>,
}

fn kind_index(k: HitKind) -> usize {
    match k {
        HitKind::Sdk => 0,
        HitKind::Dependency => 1,
        HitKind::Endpoint => 2,
        HitKind::EnvVar => 3,
        HitKind::ModelId => 4,
        HitKind::HubDownload => 5,
        HitKind::Credential => 6,
        HitKind::PathLiteral => 7,
    }
}

impl Sink {
    pub fn push(&mut self, r: Raw) {
        let i = kind_index(r.kind);
        if let Some(n) = self.per_kind.get_mut(i)
            && *n < MAX_HITS
        {
            *n += 1;
            self.hits.push(r);
        }
    }

    /// Remember a raw secret so that [`Sink::finish`] can drop any non-credential hit that
    /// would repeat it.
    pub fn secret(&mut self, s: &str) {
        if self.secrets.len() < MAX_HITS {
            self.secrets.push(s.to_string());
        }
    }

    pub fn full(&self, k: HitKind) -> bool {
        self.per_kind.get(kind_index(k)).is_none_or(|n| *n >= MAX_HITS)
    }

    /// Move every hit (and remembered secret) into `other`, mapping offsets and appending
    /// `note` to each detail.
    pub fn drain_into(self, other: &mut Sink, map: impl Fn(usize) -> usize, note: &str) {
        for s in self.secrets {
            other.secret(&s);
        }
        for mut r in self.hits {
            r.off = map(r.off);
            r.detail = Some(match r.detail {
                Some(d) => format!("{d}; {note}"),
                None => note.to_string(),
            });
            other.push(r);
        }
    }

    /// Sort, de-duplicate, cap and resolve offsets in `text` to 1-based line and column.
    pub fn finish(self, text: &str) -> Vec<Hit> {
        let Sink { hits: mut raws, secrets, .. } = self;
        raws.sort_by(|a, b| a.off.cmp(&b.off).then(a.kind.cmp(&b.kind)));
        let guard = if secrets.is_empty() { None } else { aho_corasick::AhoCorasick::new(&secrets).ok() };
        let mut kept: Vec<Raw> = Vec::with_capacity(raws.len().min(MAX_HITS));
        for r in raws {
            if r.kind != HitKind::Credential
                && let Some(g) = &guard
                && (g.is_match(&r.name) || r.detail.as_deref().is_some_and(|d| g.is_match(d)))
            {
                continue;
            }
            let dup = kept.iter().rev().take_while(|k| k.off == r.off).any(|k| {
                k.kind == r.kind && (k.name == r.name || r.kind == HitKind::Credential || r.kind == HitKind::EnvVar)
            });
            if dup {
                continue;
            }
            kept.push(r);
            if kept.len() >= MAX_HITS {
                break;
            }
        }
        resolve(text, kept)
    }
}

/// Offsets are sorted; walk the text once, counting newlines and characters.
fn resolve(text: &str, raws: Vec<Raw>) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(raws.len());
    let mut line: u32 = 1;
    let mut pos = 0usize; // bytes before `pos` are accounted for
    let mut col_chars: u32 = 0; // characters between line_start and pos
    for r in raws {
        let target = r.off.min(b.len());
        while pos < target {
            let c = b.get(pos).copied().unwrap_or(b'\n');
            if c == b'\n' {
                line = line.saturating_add(1);
                col_chars = 0;
            } else if c & 0xC0 != 0x80 {
                col_chars = col_chars.saturating_add(1);
            }
            pos += 1;
        }
        out.push(Hit {
            kind: r.kind,
            provider: r.provider.map(str::to_string),
            category: r.category,
            name: r.name,
            line,
            column: col_chars.saturating_add(1),
            pinned: r.pinned,
            detail: r.detail,
        });
    }
    out
}

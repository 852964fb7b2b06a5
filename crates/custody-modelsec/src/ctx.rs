//! The state of one analysis, shared by the format modules: findings (deduplicated, capped),
//! whether everything was inspected, the pickle report, and the opcode and inflation budgets.
//! What is analysed how is decided in [`crate::dispatch`].

use crate::pickle::{PickleReport, Scanner};
use crate::{Analysis, codes};
use custody_core::{Finding, Location, Severity};
use custody_formats::Format;

/// Findings kept per file; one more says the rest were dropped.
pub const MAX_FINDINGS: usize = 2000;

pub(crate) struct Ctx<'p> {
    pub path: &'p str,
    pub findings: Vec<Finding>,
    pub inspected: bool,
    pub pickle: Option<PickleReport>,
    pub ops_left: u64,
    pub inflate_left: u64,
    dropped: u64,
}

/// `parent!name` for nested members.
pub(crate) fn join(parent: Option<&str>, name: &str) -> String {
    match parent {
        Some(p) => format!("{p}!{name}"),
        None => name.to_string(),
    }
}

impl<'p> Ctx<'p> {
    pub fn new(path: &'p str) -> Ctx<'p> {
        Ctx {
            path,
            findings: Vec::new(),
            inspected: true,
            pickle: None,
            ops_left: crate::MAX_OPCODES,
            inflate_left: crate::MAX_INFLATE_TOTAL,
            dropped: 0,
        }
    }

    pub fn loc(&self, member: Option<&str>, offset: Option<u64>) -> Location {
        Location { path: self.path.to_string(), member: member.map(str::to_string), offset, ..Location::default() }
    }

    pub fn push(&mut self, f: Finding) {
        if self.findings.iter().any(|x| x.code == f.code && x.location == f.location && x.message == f.message) {
            return;
        }
        if self.findings.len() >= MAX_FINDINGS {
            self.dropped += 1;
            return;
        }
        self.findings.push(f);
    }

    /// A finding with the rule's default severity (or `sev`).
    pub fn add(
        &mut self,
        code: crate::codes::ModelCode,
        sev: Option<Severity>,
        member: Option<&str>,
        offset: Option<u64>,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let mut f = Finding::new(code, message, self.loc(member, offset)).with_evidence(evidence);
        if let Some(s) = sev {
            f = f.with_severity(s);
        }
        self.push(f);
    }

    /// Something could not be looked at: a `CUS-ZIP-001` finding, and the file is not "inspected".
    pub fn uninspectable(&mut self, member: Option<&str>, message: impl Into<String>, evidence: impl Into<String>) {
        self.inspected = false;
        self.add(codes::ZIP_UNINSPECTABLE, None, member, None, message, evidence);
    }

    /// Analyse the pickle streams in `b` (at `base` in the file or member).
    pub fn pickles(&mut self, b: &[u8], base: u64, member: Option<&str>, whole: bool, max_streams: usize) {
        let mut s = Scanner::new(b, self.ops_left, whole);
        s.scan_all(max_streams);
        self.ops_left = s.ops_left;
        if !s.complete {
            self.inspected = false;
        }
        for h in std::mem::take(&mut s.hits) {
            let mut f =
                Finding::new(h.code, h.message, self.loc(member, Some(base + h.at as u64))).with_evidence(h.evidence);
            if let Some(sev) = h.severity {
                f = f.with_severity(sev);
            }
            self.push(f);
        }
        let report = self.pickle.get_or_insert_with(PickleReport::default);
        report.streams_omitted += s.streams_omitted;
        for mut st in s.streams {
            if report.streams.len() >= 256 {
                report.streams_omitted += 1;
                continue;
            }
            st.member = member.map(str::to_string);
            st.offset += base;
            if let Some(n) = st.nested_in.as_mut() {
                *n += base;
            }
            for i in st.imports.iter_mut() {
                i.offset += base;
            }
            for c in st.calls.iter_mut() {
                c.offset += base;
            }
            report.streams.push(st);
        }
    }

    pub fn finish(mut self, format: Option<Format>) -> Analysis {
        if self.dropped > 0 {
            let f = Finding::new(
                codes::PKL_LIMIT,
                format!("{} more findings were dropped (limit {MAX_FINDINGS})", self.dropped),
                self.loc(None, None),
            );
            self.findings.push(f);
        }
        Analysis { format, findings: self.findings, inspected: self.inspected, pickle: self.pickle }
    }

    /// Inflate raw deflate (`zlib = false`) or zlib data within the budgets: (bytes, complete).
    pub fn inflate(&mut self, raw: &[u8], zlib: bool) -> Result<(Vec<u8>, bool), String> {
        use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_with_limit, decompress_to_vec_zlib_with_limit};
        let max = crate::MAX_INFLATE_MEMBER.min(usize::try_from(self.inflate_left).unwrap_or(usize::MAX));
        if max == 0 {
            return Err("the per-file inflation budget is used up".into());
        }
        let r = if zlib { decompress_to_vec_zlib_with_limit(raw, max) } else { decompress_to_vec_with_limit(raw, max) };
        let (v, done) = match r {
            Ok(v) => (v, true),
            Err(e) if e.status == TINFLStatus::HasMoreOutput => (e.output, false),
            Err(e) if !e.output.is_empty() && e.status == TINFLStatus::FailedCannotMakeProgress => (e.output, false),
            Err(e) => return Err(format!("corrupt compressed data ({:?})", e.status)),
        };
        self.inflate_left = self.inflate_left.saturating_sub(v.len() as u64);
        Ok((v, done))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn join() {
        assert_eq!(super::join(Some("a.zip"), "b"), "a.zip!b");
        assert_eq!(super::join(None, "b"), "b");
    }
}

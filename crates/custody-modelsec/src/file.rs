//! One model file's findings, merged once: what its format parser reports and what the security
//! analysis reports. `custody inspect FILE` and `custody scan` both call [`examine`], so they
//! report the same findings for the same bytes.

use crate::{Analysis, analyze, codes};
use custody_core::{Finding, Location};
use custody_formats::{FmtCode, Format, Inspection};

/// Formats with no reliable magic: the extension is the claim and the parser checks it.
pub const EXTENSION_ONLY: &[Format] = &[Format::TfSavedModelPb, Format::CoreMl, Format::Onnx, Format::TfRecord];

/// The format a file's parser reads it as (by content; by extension for [`EXTENSION_ONLY`]
/// formats) and the format its extension claims.
pub fn parse_as(path: &str, head: &[u8]) -> (Option<Format>, Option<Format>) {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let claimed = custody_formats::format_for_extension(&ext);
    let content = custody_formats::sniff(&head[..head.len().min(64 << 10)]);
    (content.or(claimed.filter(|c| EXTENSION_ONLY.contains(c))), claimed)
}

/// What [`examine`] found.
#[derive(Debug, Clone)]
pub struct Examined {
    /// The format parser's reading (`None`: not parsed, or a format whose directory is at the
    /// end of a file of which only a prefix was read).
    pub inspection: Option<Inspection>,
    pub analysis: Analysis,
    /// The merged findings, located at `path`.
    pub findings: Vec<Finding>,
}

/// The findings of one model file, `bytes` being the first bytes of a file of `file_len` bytes
/// (at most [`crate::ANALYSIS_LIMIT`] are read by the callers). `parse_as` is the format whose
/// parser reads it (by content, or by an extension for formats without a signature); `claimed`
/// is what its extension says; `name` is how the format is named in evidence.
///
/// - `prior`: what the caller found about the file already (what its name claims against its
///   content), first.
/// - Format issues (`CUS-FMT-001/002`) with the evidence "`name` parser"; a `CUS-FMT-001` without
///   an offset is dropped when the security analysis reads the file as what its name claims (it
///   reads pickles the quick sniff does not: joblib with inline arrays, streams broken after
///   their payload).
/// - `CUS-FMT-004` when the analysis could not read all of a non-empty file.
/// - The analysis's findings, without those already reported at the same place with the same
///   code, and without `CUS-ZIP-001` when `CUS-FMT-003` says the same.
/// - `CUS-FMT-003` for 7z and gzip content (custody cannot look inside).
pub fn examine(
    path: &str,
    bytes: &[u8],
    file_len: u64,
    parse_as: Option<Format>,
    claimed: Option<Format>,
    name: &str,
    prior: Vec<Finding>,
) -> Examined {
    let truncated = (bytes.len() as u64) < file_len;
    let inspection = parse_as.filter(|p| !(truncated && p.directory_at_end())).map(|p| {
        if truncated {
            custody_formats::inspect_prefix_as(bytes, p, file_len)
        } else {
            custody_formats::inspect_as(bytes, p)
        }
    });
    let analysis = analyze(path, bytes, file_len);
    // The zip family is decided by the central directory, not the first header: the refined
    // format names the parser in evidence, as `custody scan` names the asset's format.
    let refined =
        inspection.as_ref().and_then(|i| i.format).filter(|r| parse_as.is_some_and(|p| p != *r && p.as_str() == name));
    let name: &str = match refined {
        Some(r) => r.as_str(),
        None => name,
    };
    let mut findings = prior;
    findings.extend(inspection.iter().flat_map(|i| &i.issues).map(|i| {
        Finding::new(i.code, i.message.clone(), Location { offset: i.offset, ..Location::file(path) })
            .with_evidence(format!("{name} parser"))
    }));
    merge(path, bytes.len(), file_len, claimed, name, &analysis, &mut findings);
    let actual = inspection.as_ref().and_then(|i| i.format).or(parse_as);
    if matches!(actual, Some(Format::SevenZip | Format::Gzip)) {
        findings.push(Finding::new(
            FmtCode::Uninspectable,
            format!(
                "{name} archive under a model extension: custody cannot look inside, so it is not known to be safe"
            ),
            Location::file(path),
        ));
    }
    Examined { inspection, analysis, findings }
}

/// Adds the security analysis to `findings` (the format's and the file's own), as [`examine`]
/// describes.
pub fn merge(
    path: &str,
    read: usize,
    file_len: u64,
    claimed: Option<Format>,
    name: &str,
    analysis: &Analysis,
    findings: &mut Vec<Finding>,
) {
    if analysis.format.is_some() && analysis.format == claimed {
        findings.retain(|x| !(x.code == FmtCode::Malformed && x.location.offset.is_none()));
    }
    let uninspectable = findings.iter().any(|x| x.code == FmtCode::Uninspectable);
    if !analysis.inspected && file_len > 0 {
        // What `custody inspect` refuses as not known to be safe is never silent in a scan.
        let part = if (read as u64) < file_len {
            format!("; only the first {read} bytes were analysed")
        } else {
            String::new()
        };
        findings.push(
            Finding::new(
                FmtCode::NotFullyInspected,
                format!("{name} file not fully inspected, so it is not known to be safe{part}"),
                Location::file(path),
            )
            .with_evidence(format!("{file_len} bytes")),
        );
    }
    for finding in &analysis.findings {
        let dup = findings.iter().any(|x| x.code == finding.code && x.location == finding.location)
            || (uninspectable && finding.code == codes::ZIP_UNINSPECTABLE);
        if !dup {
            findings.push(finding.clone());
        }
    }
}

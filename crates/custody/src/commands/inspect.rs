//! `custody inspect FILE`: one model file in depth, without loading it: its format and
//! metadata (custody-formats), the security findings of custody-modelsec (pickle imports and
//! calls, archive tricks, Keras/TensorFlow/ONNX/GGUF/safetensors risks, chat-template syntax
//! trees), as a table, JSON or SARIF 2.1.0.
//!
//! The findings are those `custody scan` records for the same file (one function,
//! `custody_modelsec::examine`, merges format and security findings for both).
//!
//! Exit codes: 1 when a finding is at or above `--fail-on` (default high); otherwise 2 when part
//! of the file could not be inspected (reported as CUS-FMT-004) (7z, encrypted members, a prefix of a huge archive...)
//! unless `--allow-uninspectable`; else 0. Files larger than [`WHOLE_LIMIT`] are read up to it:
//! formats that keep their directory at the end (zip family) are then not fully inspected.

use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use custody_cli::{InspectArgs, InspectFormat};
use custody_core::{Finding, Severity};
use custody_formats::Format;
use serde_json::json;
use std::io::Read;

/// Files up to this size are read whole; larger ones only this far (as `custody scan` does).
pub const WHOLE_LIMIT: u64 = custody_modelsec::ANALYSIS_LIMIT;

pub fn run(args: &InspectArgs, out: &mut Output) -> CmdResult {
    let path = &args.file;
    let meta = std::fs::metadata(path).map_err(|e| Failure::io("read", path, &e))?;
    if !meta.is_file() {
        return Err(Failure::with_hint(
            format!("{} is not a file", path.display()),
            "`custody inspect` looks at one model file; `custody scan DIR` looks at a directory",
        ));
    }
    let len = meta.len();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(WHOLE_LIMIT).read_to_end(&mut bytes))
        .map_err(|e| Failure::io("read", path, &e))?;
    let shown = path.to_string_lossy().into_owned();
    // The same findings `custody scan` records for this file (custody_modelsec::examine).
    let (parse_as, claimed) = custody_modelsec::parse_as(&shown, &bytes);
    let name = custody_modelsec::format_label(&shown, &bytes, parse_as.or(claimed));
    // What the name claims against what the content is, as a scan reports it.
    let content = custody_formats::sniff(&bytes[..bytes.len().min(64 << 10)]);
    let claims = custody_scan::claim_findings(&shown, content, claimed);
    let custody_modelsec::Examined { inspection: ins, analysis: a, findings } =
        custody_modelsec::examine(&shown, &bytes, len, parse_as, claimed, name, claims);
    let worst = findings.iter().map(|f| f.severity).max();
    // "Not fully inspected" (CUS-FMT-004) is the exit-2 case below, which --allow-uninspectable
    // accepts; the policy threshold judges what was actually found.
    let worst_found =
        findings.iter().filter(|f| !f.code.is(custody_formats::FmtCode::NotFullyInspected)).map(|f| f.severity).max();

    match args.format {
        InspectFormat::Sarif => {
            out.json(&custody_report::sarif::document("custody", custody_cli::VERSION, "custody/inspect", &findings))?
        }
        InspectFormat::Json => out.json(&json!({
            "schema": "custody.inspect/v1",
            "file": shown,
            "size": len,
            "bytes_read": bytes.len(),
            "format": a.format,
            "inspected": a.inspected,
            "metadata": ins.as_ref().map(|i| &i.meta),
            "max_severity": worst,
            "findings": findings,
            "pickle": a.pickle,
        }))?,
        InspectFormat::Table => table(out, &shown, len, bytes.len(), &a, ins.as_ref(), &findings)?,
    }
    if worst_found.is_some_and(|w| w >= args.fail_on) {
        return Ok(Outcome::PolicyFailure);
    }
    if !a.inspected && !args.allow_uninspectable {
        return Err(Failure::with_hint(
            format!("{shown} could not be inspected completely, so it is not known to be safe"),
            "the findings above say why; pass --allow-uninspectable to accept that",
        ));
    }
    Ok(Outcome::Ok)
}

fn style(s: Severity) -> Style {
    match s {
        Severity::Critical | Severity::High => Style::Red,
        Severity::Medium => Style::Yellow,
        Severity::Low | Severity::Info => Style::Dim,
    }
}

fn human(n: u64) -> String {
    custody_core::text::size(n, custody_core::text::SizeUnits::Binary, 1)
}

fn table(
    out: &mut Output,
    shown: &str,
    len: u64,
    read: usize,
    a: &custody_modelsec::Analysis,
    ins: Option<&custody_formats::Inspection>,
    findings: &[Finding],
) -> Result<(), Failure> {
    let fmt = a.format.map_or("unrecognised", Format::as_str);
    out.line(&out.paint(&format!("{shown}  {fmt}, {}", human(len)), Style::Bold))?;
    if (read as u64) < len {
        out.line(&out.paint(&format!("  only the first {} were read", human(read as u64)), Style::Dim))?;
    }
    if let Some(i) = ins {
        let m = &i.meta;
        let mut facts = Vec::new();
        if let Some(v) = &m.format_version {
            facts.push(format!("version {v}"));
        }
        if let Some(v) = &m.architecture {
            facts.push(format!("architecture {v}"));
        }
        if let Some(v) = m.tensor_count {
            facts.push(format!("{v} tensors"));
        }
        if let Some(v) = m.parameter_count {
            facts.push(format!("{v} parameters"));
        }
        if let Some(v) = &m.quantization {
            facts.push(format!("quantization {v}"));
        }
        if let Some(t) = &m.chat_template {
            facts.push(format!("chat template of {} bytes", t.len()));
        }
        if !m.members.is_empty() {
            facts.push(format!("{} archive members", m.members.len()));
        }
        if !facts.is_empty() {
            out.line(&format!("  {}", facts.join(", ")))?;
        }
    }
    if let Some(p) = &a.pickle {
        out.line(&out.paint(&format!("Pickle streams: {}", p.streams.len() as u64 + p.streams_omitted), Style::Bold))?;
        for s in &p.streams {
            let at = match &s.member {
                Some(m) => format!("{m}@{:#x}", s.offset),
                None => format!("@{:#x}", s.offset),
            };
            let proto = s.protocol.map_or_else(|| "protocol 0/1".to_string(), |p| format!("protocol {p}"));
            let nested = s.nested_in.map(|n| format!(", nested in the pickle at {n:#x}")).unwrap_or_default();
            out.line(&format!("  {at}  {proto}, {} opcodes, {}{nested}", s.opcodes, s.status))?;
            for i in &s.imports {
                let line = format!(
                    "    import {:<9} {} via {} @{:#x}{}",
                    i.verdict,
                    i.global,
                    i.via,
                    i.offset,
                    if i.count > 1 { format!(" ×{}", i.count) } else { String::new() }
                );
                let st = match i.verdict {
                    "critical" | "dangerous" => Style::Red,
                    "unknown" => Style::Yellow,
                    _ => Style::Dim,
                };
                out.line(&out.paint(&line, st))?;
            }
            for c in &s.calls {
                out.line(&format!(
                    "    call   {} by {} @{:#x}{}{}",
                    c.target,
                    c.opcode,
                    c.offset,
                    c.argument.as_ref().map(|x| format!(" ('{x}')")).unwrap_or_default(),
                    if c.count > 1 { format!(" ×{}", c.count) } else { String::new() }
                ))?;
            }
        }
    }
    if findings.is_empty() {
        out.line(&out.paint("No findings.", Style::Bold))?;
    } else {
        let mut counts = Vec::new();
        for s in Severity::ALL.iter().rev() {
            let n = findings.iter().filter(|f| f.severity == *s).count();
            if n > 0 {
                counts.push(format!("{n} {s}"));
            }
        }
        out.line(&out.paint(&format!("Findings: {}  ({})", findings.len(), counts.join(", ")), Style::Bold))?;
        let mut sorted: Vec<&Finding> = findings.iter().collect();
        sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in sorted {
            out.line(&format!(
                "  {}  {}  {}",
                out.paint(&format!("{:<8}", f.severity.as_str()), style(f.severity)),
                f.code,
                f.location
            ))?;
            out.line(&format!("            {}", f.message))?;
            if let Some(e) = &f.evidence {
                out.line(&out.paint(&format!("            {e}"), Style::Dim))?;
            }
        }
    }
    if !a.inspected {
        out.line(&out.paint("Not fully inspected: this file is not known to be safe.", Style::Yellow))?;
    }
    Ok(())
}

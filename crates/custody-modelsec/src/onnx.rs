//! ONNX: external-data locations that are absolute or climb out of the model directory (the
//! runtime opens them relative to the model: CVE-2022-25882, CVE-2024-27318), and operators
//! from custom domains (they need a custom-op library, which is native code).

use crate::codes;
use crate::ctx::Ctx;
use custody_core::Severity;
use custody_formats::Format;

/// Domains of ONNX Runtime's own contrib and training ops: custom, but shipped with the runtime.
const RUNTIME_DOMAINS: &[&str] = &[
    "com.microsoft",
    "com.microsoft.nchwc",
    "com.ms.internal.nhwc",
    "ai.onnx.training",
    "ai.onnx.preview.training",
    "com.microsoft.experimental",
];

fn escapes(loc: &str) -> bool {
    loc.starts_with('/')
        || loc.starts_with('\\')
        || loc.starts_with('~')
        || loc.contains("://")
        || (loc.len() >= 2 && loc.as_bytes()[1] == b':')
        || loc.split(['/', '\\']).any(|c| c == "..")
        || loc.contains('\0')
}

pub(crate) fn analyze(ctx: &mut Ctx, b: &[u8], file_len: u64, member: Option<&str>) {
    let ins = custody_formats::inspect_prefix_as(b, Format::Onnx, file_len);
    for loc in &ins.meta.external_data {
        if escapes(loc) {
            ctx.add(
                codes::ONX_PATH,
                None,
                member,
                None,
                format!(
                    "ONNX external data location `{}` is absolute or leaves the model directory",
                    crate::pickle::preview(loc)
                ),
                "the runtime reads (and some tools write) this path when the model is loaded: path traversal",
            );
        }
    }
    for d in &ins.meta.custom_domains {
        let sev = if RUNTIME_DOMAINS.contains(&d.as_str()) { Some(Severity::Low) } else { None };
        ctx.add(
            codes::ONX_DOMAIN,
            sev,
            member,
            None,
            format!("ONNX model uses operators from custom domain `{}`", crate::pickle::preview(d)),
            if sev.is_some() {
                "ONNX Runtime contrib domain: ships with the runtime".to_string()
            } else {
                "running it needs a custom-operator library (native code) registered by the loading program".to_string()
            },
        );
    }
}

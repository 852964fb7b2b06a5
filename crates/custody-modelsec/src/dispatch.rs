//! The dispatch by content: what a buffer is (`custody_formats::detect`) decides which format
//! module analyses it; gzip and zlib content is inflated (within the budgets) and dispatched
//! again, one archive level deeper.

use crate::ctx::{Ctx, join};
use crate::pickle;
use custody_formats::Format;

fn ext_of(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, e)) => e.to_ascii_lowercase(),
        None => String::new(),
    }
}

/// Analyse `b` by what it is. Returns the format.
pub(crate) fn dispatch(
    ctx: &mut Ctx,
    b: &[u8],
    file_len: u64,
    member: Option<&str>,
    depth: u32,
    name: &str,
) -> Option<Format> {
    let whole = b.len() as u64 >= file_len;
    let ext = ext_of(name);
    let fmt = custody_formats::detect(b, &ext);
    match fmt {
        Some(Format::Pickle) => {
            crate::zipsec::pickle_polyglot(ctx, b, member, depth);
            ctx.pickles(b, 0, member, whole, pickle::MAX_STREAMS);
        }
        Some(Format::TorchLegacy) => ctx.pickles(b, 0, member, whole, 5),
        Some(
            f @ (Format::PytorchZip
            | Format::TorchScript
            | Format::Npz
            | Format::KerasV3
            | Format::Zip
            | Format::Llamafile),
        ) => crate::zipsec::analyze(ctx, b, file_len, member, depth, f),
        Some(Format::Npy) => crate::npy::analyze(ctx, b, whole, member),
        Some(Format::Hdf5) => crate::keras::h5(ctx, b, member),
        Some(Format::TfSavedModelPb) => crate::tf::analyze(ctx, b, member),
        Some(Format::Onnx) => crate::onnx::analyze(ctx, b, file_len, member),
        Some(Format::Gguf) => crate::gguf::analyze(ctx, b, file_len, member),
        Some(Format::Safetensors) => crate::safetensors::analyze(ctx, b, file_len, member, depth),
        Some(Format::SevenZip) => ctx.uninspectable(
            member,
            "7z archive: custody cannot look inside, so it is not known to be safe",
            "7z-wrapped PyTorch archives were used to slip pickles past scanners (nullifAI)",
        ),
        Some(Format::Gzip) => return compressed(ctx, b, member, depth, name, false).or(fmt),
        Some(_) => {}
        None => {
            if custody_formats::zlib_header(b) {
                return compressed(ctx, b, member, depth, name, true);
            }
            if let Some(kind) = custody_formats::other_archive(b, &ext) {
                ctx.uninspectable(
                    member,
                    format!("{kind}-compressed or archived content: custody cannot look inside, so it is not known to be safe"),
                    "joblib, tar and other compressors wrap pickles that loaders decompress and run",
                );
            } else if crate::jinja::is_template_source(name, b) {
                crate::jinja::standalone(ctx, b, member, name);
            }
        }
    }
    fmt
}

/// gzip or zlib content: inflate (bounded) and analyse what is inside.
fn compressed(ctx: &mut Ctx, b: &[u8], member: Option<&str>, depth: u32, name: &str, zlib: bool) -> Option<Format> {
    let kind = if zlib { "zlib" } else { "gzip" };
    let body = if zlib { Some(b) } else { custody_formats::gzip_body(b) };
    let inner_member = join(member, &format!("({kind} content)"));
    if depth >= crate::MAX_ARCHIVE_DEPTH {
        ctx.uninspectable(member, format!("{kind} data nested too deep to open"), "archive nesting limit");
        return None;
    }
    let Some(body) = body else {
        ctx.uninspectable(member, format!("{kind} header is truncated"), "nothing to inflate");
        return None;
    };
    match ctx.inflate(body, zlib) {
        Ok((data, done)) => {
            let inner_name = name.strip_suffix(".gz").unwrap_or(name);
            let len = if done { data.len() as u64 } else { data.len() as u64 + 1 };
            let inner = custody_formats::detect(&data, &ext_of(inner_name));
            match inner {
                Some(Format::Pickle | Format::TorchLegacy) | Some(Format::Npy) => {}
                Some(f) if f.is_model() => {}
                _ if zlib => return None,
                _ => {
                    ctx.uninspectable(
                        member,
                        "gzip-compressed content that is not a model format custody opens (a tar archive?)",
                        "custody inflated it but cannot look inside what came out",
                    );
                    return None;
                }
            }
            if !done {
                ctx.uninspectable(
                    Some(&inner_member),
                    format!("{kind} content is larger than {} bytes; only the start was analysed", data.len()),
                    "inflation limit",
                );
            }
            let f = dispatch(ctx, &data, len, Some(&inner_member), depth + 1, inner_name);
            f.or(inner)
        }
        Err(e) => {
            if zlib {
                return None;
            }
            ctx.uninspectable(
                member,
                format!("gzip data could not be inflated: {e}"),
                "corrupt or truncated compressed data",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ext_of() {
        assert_eq!(super::ext_of("x/y.JOBLIB"), "joblib");
        assert_eq!(super::ext_of("data"), "");
    }
}

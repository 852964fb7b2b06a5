//! NumPy `.npy` (also `.npz` members): an object-dtype array's data is a pickle that
//! `numpy.load(..., allow_pickle=True)` runs. The header is read with custody-formats; the
//! payload after it is analysed as pickle streams.

use crate::codes;
use crate::ctx::Ctx;
use custody_formats::Format;

/// Where the data starts: after magic, version, the header length field and the header.
fn data_start(b: &[u8]) -> Option<usize> {
    let major = *b.get(6)?;
    let (len, start) = match major {
        1 => (usize::from(u16::from_le_bytes([*b.get(8)?, *b.get(9)?])), 10usize),
        2 | 3 => (u32::from_le_bytes([*b.get(8)?, *b.get(9)?, *b.get(10)?, *b.get(11)?]) as usize, 12),
        _ => return None,
    };
    start.checked_add(len).filter(|&e| e <= b.len())
}

pub(crate) fn analyze(ctx: &mut Ctx, b: &[u8], whole: bool, member: Option<&str>) {
    let Some(start) = data_start(b) else { return };
    let ins = custody_formats::inspect_as(&b[..start], Format::Npy);
    if ins.meta.extra.get("object_dtype").map(String::as_str) != Some("true") {
        return;
    }
    let descr = ins.meta.extra.get("descr").cloned().unwrap_or_default();
    let payload = &b[start..];
    ctx.add(
        codes::NPY_OBJECT,
        None,
        member,
        Some(start as u64),
        "NumPy object array: its data is a pickle that numpy.load(allow_pickle=True) runs",
        format!("descr {descr}; {} bytes of pickle after the header were analysed", payload.len()),
    );
    ctx.pickles(payload, start as u64, member, whole, crate::pickle::MAX_STREAMS);
}

//! FAISS index files (`faiss/impl/index_read.cpp`): a four-character code at offset 0 names the
//! index type (`IxF2` flat L2, `IxFI` flat inner product, `IwFl` IVF flat, `IHNf` HNSW flat,
//! `IBxF` binary flat, …). Most types then carry the common header `i32 d`, `i64 ntotal`,
//! two `i64` dummies (both `1 << 20`), `u8 is_trained`, `i32 metric_type`; when present it is
//! reported (dimension, vector count, metric).

use crate::ModelMeta;
use crate::util::{Reader, Sink};

const FOURCCS: &[&[u8; 4]] = &[
    b"IxFI", b"IxF2", b"IxFl", b"IxFP", b"IxFp", b"IxHE", b"IxHe", b"IxPQ", b"IxPo", b"IxPq", b"IxRQ", b"IxRq",
    b"IxLS", b"IxPR", b"IxPL", b"ImRQ", b"ILfs", b"IRfs", b"IPRf", b"IPLf", b"IVLf", b"IVRf", b"NPLf", b"NPRf",
    b"IvFl", b"IvFL", b"IwFd", b"IwPn", b"IwP2", b"IwFl", b"IxSQ", b"IxLa", b"IvSQ", b"IwSQ", b"IwSq", b"IwLS",
    b"IwRQ", b"IwPL", b"IwPR", b"IwSh", b"IvPQ", b"IvQR", b"IwPQ", b"IwQR", b"IwIQ", b"IxPT", b"Imiq", b"IxRF",
    b"IxRP", b"IxMp", b"IxM2", b"Ix2L", b"IHNf", b"IHNp", b"IHNs", b"IHN2", b"IHNc", b"IHc2", b"IHfP", b"IPfs",
    b"IwPf", b"INSf", b"INNf", b"IBxF", b"IBwF", b"IBFf", b"IBHf", b"IBHh", b"IBMp", b"IBM2",
];

pub(crate) fn sniff(head: &[u8]) -> bool {
    head.get(..4).is_some_and(|f| FOURCCS.iter().any(|c| &c[..] == f))
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    if !sniff(b) {
        sink.malformed("no known FAISS index type code at offset 0", 0);
        return;
    }
    let code = String::from_utf8_lossy(&b[..4]).into_owned();
    meta.architecture = Some(code.clone());
    meta.set_extra("index_type", &code);
    let mut r = Reader::at(b, 4);
    let header = (|| {
        let d = r.i32()?;
        let ntotal = r.i64()?;
        let (x, y) = (r.i64()?, r.i64()?);
        let _trained = r.u8()?;
        let metric = r.i32()?;
        (x == 1 << 20 && y == 1 << 20 && d > 0 && ntotal >= 0).then_some((d, ntotal, metric))
    })();
    if let Some((d, ntotal, metric)) = header {
        meta.set_extra("dimension", d.to_string());
        meta.set_extra("vectors", ntotal.to_string());
        let m = match metric {
            0 => "inner_product".to_string(),
            1 => "l2".to_string(),
            m => m.to_string(),
        };
        meta.set_extra("metric", m);
    }
}

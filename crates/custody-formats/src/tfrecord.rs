//! TFRecord: a sequence of records `u64 LE length`, `u32 masked_crc32c(length bytes)`, data,
//! `u32 masked_crc32c(data)`, where `masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8`.
//!
//! Sniffing requires the length's CRC to match (and the data CRC when the first record lies
//! in the head). Inspection walks at most [`limits::MAX_TFRECORD_RECORDS`] record headers
//! (checking each length CRC; the data CRC only of the first record, to avoid reading
//! everything) and, when the first record is a `tf.train.Example` protobuf, lists its feature
//! names.

use crate::proto::Fields;
use crate::util::{Sink, le_u32, le_u64, masked_crc32c, off};
use crate::{ModelMeta, limits};

pub(crate) fn sniff(head: &[u8]) -> bool {
    let (Some(len), Some(crc)) = (le_u64(head, 0), le_u32(head, 8)) else { return false };
    if len >= 1 << 40 || masked_crc32c(&head[..8]) != crc {
        return false;
    }
    let data_end = 12 + len as usize;
    match (head.get(12..data_end), le_u32(head, data_end)) {
        (Some(data), Some(dcrc)) => masked_crc32c(data) == dcrc,
        _ => true,
    }
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    let mut pos = 0usize;
    let mut records = 0u64;
    while pos < b.len() {
        if records >= limits::MAX_TFRECORD_RECORDS {
            meta.set_extra("records_at_least", "true");
            break;
        }
        let (Some(len), Some(crc)) = (le_u64(b, pos), le_u32(b, pos + 8)) else {
            sink.malformed("file ends inside a record header", off(pos));
            break;
        };
        if masked_crc32c(&b[pos..pos + 8]) != crc {
            sink.malformed(format!("record {records}: length CRC mismatch"), off(pos));
            break;
        }
        let data_start = pos + 12;
        let end = usize::try_from(len).ok().and_then(|l| data_start.checked_add(l)).and_then(|e| e.checked_add(4));
        let Some(end) = end.filter(|&e| e <= b.len()) else {
            sink.malformed(format!("record {records}: {len} bytes of data run past the end of the file"), off(pos));
            break;
        };
        let data = &b[data_start..end - 4];
        if records == 0 {
            if le_u32(b, end - 4) != Some(masked_crc32c(data)) {
                sink.malformed("record 0: data CRC mismatch", off(end - 4));
            }
            example_features(data, meta);
        }
        records += 1;
        pos = end;
    }
    meta.set_extra("records", records.to_string());
}

/// Feature names of a `tf.train.Example` (1 features → 1 feature map entries, key = 1).
fn example_features(data: &[u8], meta: &mut ModelMeta) {
    let mut names = Vec::new();
    for f in Fields::new(data, 0).flatten() {
        let Ok(features) = f.bytes("features") else { return };
        if f.num != 1 {
            return;
        }
        for e in Fields::new(features, 0).flatten() {
            let Ok(entry) = e.bytes("feature") else { return };
            for k in Fields::new(entry, 0).flatten() {
                if k.num == 1
                    && let Ok(name) = k.string("key")
                    && names.len() < 64
                {
                    names.push(name);
                }
            }
        }
    }
    if !names.is_empty() {
        meta.set_extra("features", names.join(","));
    }
}

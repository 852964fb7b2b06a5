//! Apache Arrow IPC and Feather.
//!
//! - IPC file (Feather v2): `ARROW1\0\0` … footer flatbuffer, `i32` footer length, `ARROW1`.
//!   Footer: 0 `version`, 1 `schema`, 2 `dictionaries`, 3 `recordBatches`.
//! - IPC stream (what Hugging Face `datasets` writes as `.arrow`): messages framed as
//!   `0xFFFFFFFF`, `i32` metadata length (8-aligned), Message flatbuffer (0 `version`,
//!   1 `header_type` (1 = Schema), 2 `header`, 3 `bodyLength`), then the body.
//! - Feather v1: `FEA1` … metadata flatbuffer (CTable: 1 `num_rows`, 2 `columns` (0 `name`),
//!   3 `version`), `u32` length, `FEA1`.
//!
//! Schema: 1 `fields` (Field 0 `name`), 2 `custom_metadata` (KeyValue 0 `key`, 1 `value`): the
//! column count and first names, and the metadata keys (`huggingface` marks a HF dataset).

use crate::flatbuf::Table;
use crate::util::{Sink, le_u32, off};
use crate::{Format, ModelMeta, limits};

pub(crate) fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"ARROW1\0\0") || head.starts_with(b"FEA1") {
        return Some(Format::ArrowIpc);
    }
    if head.starts_with(b"\xFF\xFF\xFF\xFF") {
        let len = le_u32(head, 4)?;
        let root = le_u32(head, 8)?;
        if (8..=limits::MAX_JSON as u32).contains(&len) && len % 8 == 0 && root >= 4 && root < len {
            return Some(Format::ArrowStream);
        }
    }
    None
}

fn schema(s: &Table, meta: &mut ModelMeta) {
    if let Some(fields) = s.vector(1, 4) {
        meta.set_extra("columns", fields.len.to_string());
        let names: Vec<String> = fields.tables().take(32).flatten().filter_map(|f| f.str(0)).collect();
        if !names.is_empty() {
            meta.set_extra("column_names", names.join(","));
        }
    }
    if let Some(kv) = s.vector(2, 4) {
        let keys: Vec<String> = kv.tables().take(32).flatten().filter_map(|k| k.str(0)).collect();
        if keys.iter().any(|k| k == "huggingface") {
            meta.set_extra("huggingface", "true");
        }
        if !keys.is_empty() {
            meta.set_extra("metadata_keys", keys.join(","));
        }
    }
}

pub(crate) fn inspect(b: &[u8], asked: Format, meta: &mut ModelMeta, sink: &mut Sink) -> Format {
    if b.starts_with(b"ARROW1") {
        meta.format_version = Some("ipc-file".into());
        if !b.ends_with(b"ARROW1") || b.len() < 18 {
            sink.malformed("no trailing ARROW1 magic (truncated?)", off(b.len()));
            return Format::ArrowIpc;
        }
        let flen = le_u32(b, b.len() - 10).unwrap_or(u32::MAX) as usize;
        let Some(start) = (b.len() - 10).checked_sub(flen).filter(|&s| s >= 8) else {
            sink.malformed(format!("footer length {flen} points outside the file"), off(b.len() - 10));
            return Format::ArrowIpc;
        };
        let footer = &b[start..b.len() - 10];
        match Table::root(footer, 0) {
            Some(f) => {
                if let Some(s) = f.table(1) {
                    schema(&s, meta);
                }
                if let Some(rb) = f.vector(3, 24) {
                    meta.set_extra("record_batches", rb.len.to_string());
                }
            }
            None => sink.malformed("footer is not a flatbuffer table", off(start)),
        }
        return Format::ArrowIpc;
    }
    if b.starts_with(b"FEA1") {
        meta.format_version = Some("feather-v1".into());
        if !b.ends_with(b"FEA1") || b.len() < 12 {
            sink.malformed("no trailing FEA1 magic (truncated?)", off(b.len()));
            return Format::ArrowIpc;
        }
        let mlen = le_u32(b, b.len() - 8).unwrap_or(u32::MAX) as usize;
        let Some(start) = (b.len() - 8).checked_sub(mlen).filter(|&s| s >= 4) else {
            sink.malformed(format!("metadata length {mlen} points outside the file"), off(b.len() - 8));
            return Format::ArrowIpc;
        };
        match Table::root(&b[start..b.len() - 8], 0) {
            Some(t) => {
                if let Some(n) = t.i64(1) {
                    meta.set_extra("num_rows", n.to_string());
                }
                if let Some(c) = t.vector(2, 4) {
                    meta.set_extra("columns", c.len.to_string());
                }
            }
            None => sink.malformed("metadata is not a flatbuffer table", off(start)),
        }
        return Format::ArrowIpc;
    }
    if b.starts_with(b"\xFF\xFF\xFF\xFF") {
        meta.format_version = Some("ipc-stream".into());
        let len = le_u32(b, 4).unwrap_or(0) as usize;
        let Some(msg) = b.get(8..8usize.saturating_add(len)) else {
            sink.malformed(format!("first message length {len} runs past the end of the file"), 4);
            return Format::ArrowStream;
        };
        match Table::root(msg, 0) {
            Some(m) if m.u8(1) == Some(1) => {
                if let Some(s) = m.table(2) {
                    schema(&s, meta);
                }
            }
            Some(_) => sink.malformed("the stream does not start with a schema message", 8),
            None => sink.malformed("first message is not a flatbuffer table", 8),
        }
        return Format::ArrowStream;
    }
    sink.malformed("no Arrow magic", 0);
    asked
}

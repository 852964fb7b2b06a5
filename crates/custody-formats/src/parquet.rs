//! Apache Parquet: `PAR1` at both ends; before the trailing magic a `u32 LE` footer length and
//! the footer, a Thrift compact-protocol `FileMetaData`: 1 `version`, 2 `schema`
//! (SchemaElement 4 `name`, 5 `num_children`), 3 `num_rows`, 4 `row_groups`,
//! 5 `key_value_metadata` (KeyValue 1 `key`, 2 `value`), 6 `created_by`. An encrypted footer
//! ends in `PARE` and is not read.
//!
//! Limits: footer ≤ [`limits::MAX_PARQUET_FOOTER`]; Thrift nesting ≤
//! [`limits::MAX_LITERAL_DEPTH`]; list sizes checked against the bytes left.

use crate::proto::varint;
use crate::util::{Sink, le_u32, off};
use crate::{ModelMeta, limits, meta_string};

struct T<'a> {
    b: &'a [u8],
    pos: usize,
}

type R<X> = Result<X, String>;

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl<'a> T<'a> {
    fn byte(&mut self) -> R<u8> {
        let v = *self.b.get(self.pos).ok_or("truncated footer")?;
        self.pos += 1;
        Ok(v)
    }
    fn varint(&mut self) -> R<u64> {
        let (v, p) = varint(self.b, self.pos)?;
        self.pos = p;
        Ok(v)
    }
    fn binary(&mut self) -> R<&'a [u8]> {
        let len = self.varint()?;
        let end = usize::try_from(len).ok().and_then(|l| self.pos.checked_add(l)).filter(|&e| e <= self.b.len());
        let end = end.ok_or("string runs past the end of the footer")?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    /// Field header: (id, type); type 0 = stop.
    fn field(&mut self, last: i16) -> R<(i16, u8)> {
        let h = self.byte()?;
        if h == 0 {
            return Ok((0, 0));
        }
        let t = h & 0x0F;
        let delta = h >> 4;
        let id = if delta == 0 { zigzag(self.varint()?) as i16 } else { last.wrapping_add(i16::from(delta)) };
        Ok((id, t))
    }
    fn list_header(&mut self) -> R<(u64, u8)> {
        let h = self.byte()?;
        let n = if h >> 4 == 15 { self.varint()? } else { u64::from(h >> 4) };
        if n > off(self.b.len() - self.pos) {
            return Err(format!("list of {n} elements runs past the end of the footer"));
        }
        Ok((n, h & 0x0F))
    }
    fn skip(&mut self, t: u8, depth: u32) -> R<()> {
        if depth > limits::MAX_LITERAL_DEPTH {
            return Err("footer nested too deeply".into());
        }
        match t {
            1 | 2 => {}
            3 => {
                self.byte()?;
            }
            4..=6 => {
                self.varint()?;
            }
            7 => {
                self.pos = self.pos.checked_add(8).filter(|&p| p <= self.b.len()).ok_or("truncated double")?;
            }
            8 => {
                self.binary()?;
            }
            9 | 10 => {
                let (n, et) = self.list_header()?;
                for _ in 0..n {
                    if et == 1 || et == 2 {
                        self.byte()?;
                    } else {
                        self.skip(et, depth + 1)?;
                    }
                }
            }
            11 => {
                let n = self.varint()?;
                if n > off(self.b.len() - self.pos) {
                    return Err("map runs past the end of the footer".into());
                }
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.skip(kv >> 4, depth + 1)?;
                        self.skip(kv & 0x0F, depth + 1)?;
                    }
                }
            }
            12 => {
                let mut last = 0;
                loop {
                    let (id, ft) = self.field(last)?;
                    if ft == 0 {
                        break;
                    }
                    self.skip(ft, depth + 1)?;
                    last = id;
                }
            }
            _ => return Err(format!("unknown Thrift type {t}")),
        }
        Ok(())
    }
}

#[derive(Default)]
struct Found {
    version: Option<i64>,
    num_rows: Option<i64>,
    row_groups: Option<u64>,
    leaves: u64,
    top_names: Vec<String>,
    keys: Vec<String>,
    created_by: Option<String>,
}

fn file_metadata(t: &mut T, f: &mut Found) -> R<()> {
    let mut last = 0;
    loop {
        let (id, ty) = t.field(last)?;
        if ty == 0 {
            return Ok(());
        }
        match (id, ty) {
            (1, 5) => f.version = Some(zigzag(t.varint()?)),
            (3, 6) => f.num_rows = Some(zigzag(t.varint()?)),
            (6, 8) => f.created_by = Some(crate::util::text(t.binary()?, limits::MAX_META_STRING)),
            (4, 9) => {
                let (n, et) = t.list_header()?;
                f.row_groups = Some(n);
                for _ in 0..n {
                    t.skip(et, 1)?;
                }
            }
            (2, 9) => {
                let (n, _) = t.list_header()?;
                for i in 0..n {
                    let (name, children) = schema_element(t)?;
                    if children.is_none() {
                        f.leaves += 1;
                    }
                    // The first element is the root; the next ones at depth 1 are not tracked
                    // precisely, names of the first few elements are enough.
                    if i > 0 && f.top_names.len() < 32 {
                        f.top_names.push(name);
                    }
                }
            }
            (5, 9) => {
                let (n, _) = t.list_header()?;
                for _ in 0..n {
                    let mut last = 0;
                    loop {
                        let (id, ty) = t.field(last)?;
                        if ty == 0 {
                            break;
                        }
                        if id == 1 && ty == 8 {
                            let k = crate::util::text(t.binary()?, 256);
                            if f.keys.len() < 64 {
                                f.keys.push(k);
                            }
                        } else {
                            t.skip(ty, 2)?;
                        }
                        last = id;
                    }
                }
            }
            _ => t.skip(ty, 1)?,
        }
        last = id;
    }
}

fn schema_element(t: &mut T) -> R<(String, Option<i64>)> {
    let mut last = 0;
    let mut name = String::new();
    let mut children = None;
    loop {
        let (id, ty) = t.field(last)?;
        if ty == 0 {
            return Ok((name, children));
        }
        match (id, ty) {
            (4, 8) => name = crate::util::text(t.binary()?, 256),
            (5, 5) => children = Some(zigzag(t.varint()?)),
            _ => t.skip(ty, 2)?,
        }
        last = id;
    }
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    if !b.starts_with(b"PAR1") {
        sink.malformed("no leading PAR1 magic", 0);
        return;
    }
    if b.len() >= 12 && b.ends_with(b"PARE") {
        meta.set_extra("encrypted_footer", "true");
        return;
    }
    if b.len() < 12 || !b.ends_with(b"PAR1") {
        sink.malformed("no trailing PAR1 magic (truncated?)", off(b.len()));
        return;
    }
    let flen = u64::from(le_u32(b, b.len() - 8).unwrap_or(u32::MAX));
    if flen > limits::MAX_PARQUET_FOOTER {
        sink.limit(
            format!("footer length {flen} exceeds the limit of {}", limits::MAX_PARQUET_FOOTER),
            off(b.len() - 8),
        );
        return;
    }
    let Some(start) = (b.len() - 8).checked_sub(flen as usize).filter(|&s| s >= 4) else {
        sink.malformed(format!("footer length {flen} points outside the file"), off(b.len() - 8));
        return;
    };
    let mut t = T { b: &b[start..b.len() - 8], pos: 0 };
    let mut f = Found::default();
    if let Err(e) = file_metadata(&mut t, &mut f) {
        sink.malformed(format!("footer: {e}"), off(start + t.pos));
    }
    if let Some(v) = f.version {
        meta.format_version = Some(v.to_string());
    }
    meta.producer = f.created_by.map(|c| meta_string(&c));
    if let Some(n) = f.num_rows {
        meta.set_extra("num_rows", n.to_string());
    }
    if let Some(n) = f.row_groups {
        meta.set_extra("row_groups", n.to_string());
    }
    meta.set_extra("columns", f.leaves.to_string());
    if !f.top_names.is_empty() {
        meta.set_extra("column_names", f.top_names.join(","));
    }
    if f.keys.iter().any(|k| k == "huggingface") {
        meta.set_extra("huggingface", "true");
    }
    if !f.keys.is_empty() {
        meta.set_extra("metadata_keys", f.keys.join(","));
    }
}

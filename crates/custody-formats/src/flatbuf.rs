//! A minimal, bounds-checked FlatBuffers reader (TFLite models, Arrow IPC metadata): tables
//! through their vtables, scalars, strings, vectors of scalars and of tables. Every offset is
//! checked; a bad one reads as "absent".

use crate::util::{le_u16, le_u32, le_u64};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vt_len: usize,
}

impl<'a> Table<'a> {
    /// The table at `pos`.
    pub(crate) fn at(buf: &'a [u8], pos: usize) -> Option<Table<'a>> {
        let soff = le_u32(buf, pos)? as i32;
        let vtable = usize::try_from(i64::try_from(pos).ok()? - i64::from(soff)).ok()?;
        let vt_len = usize::from(le_u16(buf, vtable)?);
        if vt_len < 4 || vt_len % 2 != 0 || vtable.checked_add(vt_len)? > buf.len() {
            return None;
        }
        Some(Table { buf, pos, vtable, vt_len })
    }
    /// The root table of a buffer whose root offset is at `at`.
    pub(crate) fn root(buf: &'a [u8], at: usize) -> Option<Table<'a>> {
        let off = le_u32(buf, at)? as usize;
        Table::at(buf, at.checked_add(off)?)
    }
    fn field(&self, i: usize) -> Option<usize> {
        let e = 4 + 2 * i;
        if e + 2 > self.vt_len {
            return None;
        }
        let o = usize::from(le_u16(self.buf, self.vtable + e)?);
        if o == 0 { None } else { self.pos.checked_add(o) }
    }
    pub(crate) fn u8(&self, i: usize) -> Option<u8> {
        self.buf.get(self.field(i)?).copied()
    }
    pub(crate) fn u32(&self, i: usize) -> Option<u32> {
        le_u32(self.buf, self.field(i)?)
    }
    pub(crate) fn i64(&self, i: usize) -> Option<i64> {
        le_u64(self.buf, self.field(i)?).map(|v| v as i64)
    }
    pub(crate) fn u64(&self, i: usize) -> Option<u64> {
        le_u64(self.buf, self.field(i)?)
    }
    fn indirect(&self, i: usize) -> Option<usize> {
        let p = self.field(i)?;
        p.checked_add(le_u32(self.buf, p)? as usize)
    }
    pub(crate) fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        let p = self.indirect(i)?;
        let len = le_u32(self.buf, p)? as usize;
        self.buf.get(p + 4..(p + 4).checked_add(len)?)
    }
    pub(crate) fn str(&self, i: usize) -> Option<String> {
        self.bytes(i).map(|b| crate::util::text(b, crate::limits::MAX_META_STRING))
    }
    pub(crate) fn table(&self, i: usize) -> Option<Table<'a>> {
        Table::at(self.buf, self.indirect(i)?)
    }
    /// A vector: (position of the first element, element count), the count checked against
    /// the buffer for elements of `elem` bytes.
    pub(crate) fn vector(&self, i: usize, elem: usize) -> Option<Vec<'a>> {
        let p = self.indirect(i)?;
        let len = le_u32(self.buf, p)? as usize;
        let start = p + 4;
        if start.checked_add(len.checked_mul(elem)?)? > self.buf.len() {
            return None;
        }
        Some(Vec { buf: self.buf, start, len: len.min(crate::limits::MAX_FLATBUFFER_ITEMS as usize) })
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Vec<'a> {
    buf: &'a [u8],
    start: usize,
    pub(crate) len: usize,
}

impl<'a> Vec<'a> {
    pub(crate) fn table(&self, k: usize) -> Option<Table<'a>> {
        if k >= self.len {
            return None;
        }
        let p = self.start + 4 * k;
        Table::at(self.buf, p.checked_add(le_u32(self.buf, p)? as usize)?)
    }
    pub(crate) fn i32(&self, k: usize) -> Option<i32> {
        if k >= self.len {
            return None;
        }
        le_u32(self.buf, self.start + 4 * k).map(|v| v as i32)
    }
    pub(crate) fn tables(&self) -> impl Iterator<Item = Option<Table<'a>>> + '_ {
        (0..self.len).map(|k| self.table(k))
    }
}

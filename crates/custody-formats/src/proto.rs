//! A minimal protobuf wire-format reader (no code generation): iterate the fields of one
//! message as (field number, wire type, value). Length-delimited values are sub-slices of the
//! input (zero copy: `raw_data` is never read, only stepped over). Groups (wire types 3 and 4)
//! and the undefined wire types 6 and 7 are errors, as are field number 0, varints longer than
//! 10 bytes and lengths past the end of the enclosing message.
//!
//! The one protobuf reader of the workspace: `custody-modelsec` walks TensorFlow graphs with it
//! too, in the loader's [`Fields::lenient`] mode (field number 0 and a tenth varint byte above 1
//! are read on, as protobuf's own parser reads them, so the analysis is not blinded where the
//! loader is not), ending quietly at the first malformed field.

/// A decoded field value.
#[derive(Debug, Clone, Copy)]
pub enum Wire<'a> {
    Varint(u64),
    Fixed64,
    Bytes(&'a [u8]),
    Fixed32,
}

#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub num: u64,
    pub val: Wire<'a>,
    /// Absolute offset of the field's tag.
    pub at: usize,
    /// Absolute offset of a length-delimited value's first byte (else of the value).
    pub value_at: usize,
}

#[derive(Debug, Clone)]
pub struct ProtoError {
    pub message: String,
    pub at: usize,
}

impl<'a> Field<'a> {
    pub fn wire_name(&self) -> &'static str {
        match self.val {
            Wire::Varint(_) => "varint",
            Wire::Fixed64 => "fixed64",
            Wire::Bytes(_) => "length-delimited",
            Wire::Fixed32 => "fixed32",
        }
    }
    fn wrong(&self, what: &str, want: &str) -> ProtoError {
        ProtoError {
            message: format!("{what} (field {}) has wire type {}, expected {want}", self.num, self.wire_name()),
            at: self.at,
        }
    }
    pub fn bytes(&self, what: &str) -> Result<&'a [u8], ProtoError> {
        match self.val {
            Wire::Bytes(b) => Ok(b),
            _ => Err(self.wrong(what, "length-delimited")),
        }
    }
    pub fn varint(&self, what: &str) -> Result<u64, ProtoError> {
        match self.val {
            Wire::Varint(v) => Ok(v),
            _ => Err(self.wrong(what, "varint")),
        }
    }
    pub fn string(&self, what: &str) -> Result<String, ProtoError> {
        let b = self.bytes(what)?;
        Ok(crate::util::text(b, crate::limits::MAX_META_STRING))
    }
}

/// Read a varint at `pos`; returns the value and the position after it.
pub fn varint(buf: &[u8], pos: usize) -> Result<(u64, usize), String> {
    read_varint(buf, pos, true)
}

/// `strict`: a tenth byte above 1 (bits past 64) is an error; else its high bits are dropped.
fn read_varint(buf: &[u8], pos: usize, strict: bool) -> Result<(u64, usize), String> {
    let mut v = 0u64;
    for i in 0..10 {
        let Some(&b) = buf.get(pos + i) else {
            return Err("truncated varint".into());
        };
        if strict && i == 9 && b > 1 {
            return Err("varint longer than 64 bits".into());
        }
        v |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((v, pos + i + 1));
        }
    }
    Err("varint longer than 10 bytes".into())
}

/// The fields of one message. `base` is the message's absolute offset (for issues).
pub struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
    lenient: bool,
}

impl<'a> Fields<'a> {
    pub fn new(buf: &'a [u8], base: usize) -> Fields<'a> {
        Fields { buf, pos: 0, base, done: false, lenient: false }
    }
    /// The fields as the loader reads them: field number 0 and over-long tenth varint bytes
    /// (high bits dropped) are accepted; anything else malformed still ends the walk.
    pub fn lenient(buf: &'a [u8]) -> Fields<'a> {
        Fields { buf, pos: 0, base: 0, done: false, lenient: true }
    }
    fn fail(&mut self, message: String, at: usize) -> Option<Result<Field<'a>, ProtoError>> {
        self.done = true;
        Some(Err(ProtoError { message, at: self.base + at }))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, ProtoError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.buf.len() {
            return None;
        }
        let at = self.pos;
        let strict = !self.lenient;
        let (tag, p) = match read_varint(self.buf, at, strict) {
            Ok(x) => x,
            Err(e) => return self.fail(format!("{e} in a field tag"), at),
        };
        let num = tag >> 3;
        if num == 0 && strict {
            return self.fail("field number 0".into(), at);
        }
        let (val, end, value_at) = match tag & 7 {
            0 => match read_varint(self.buf, p, strict) {
                Ok((v, e)) => (Wire::Varint(v), e, p),
                Err(e) => return self.fail(format!("{e} (field {num})"), p),
            },
            1 => match crate::util::le_u64(self.buf, p) {
                Some(_) => (Wire::Fixed64, p + 8, p),
                None => return self.fail(format!("truncated fixed64 (field {num})"), p),
            },
            5 => match crate::util::le_u32(self.buf, p) {
                Some(_) => (Wire::Fixed32, p + 4, p),
                None => return self.fail(format!("truncated fixed32 (field {num})"), p),
            },
            2 => {
                let (len, q) = match read_varint(self.buf, p, strict) {
                    Ok(x) => x,
                    Err(e) => return self.fail(format!("{e} in a length (field {num})"), p),
                };
                let end = usize::try_from(len).ok().and_then(|l| q.checked_add(l));
                match end.and_then(|e| self.buf.get(q..e).map(|s| (s, e))) {
                    Some((s, e)) => (Wire::Bytes(s), e, q),
                    None => {
                        return self.fail(format!("length {len} of field {num} runs past the end of its message"), p);
                    }
                }
            }
            w => return self.fail(format!("unsupported wire type {w} (field {num})"), at),
        };
        self.pos = end;
        Some(Ok(Field { num, val, at: self.base + at, value_at: self.base + value_at }))
    }
}

/// The fields of a message as the loader reads them ([`Fields::lenient`]), ending at the first
/// malformed one.
pub fn lenient_fields(buf: &[u8]) -> impl Iterator<Item = Field<'_>> {
    Fields::lenient(buf).map_while(Result::ok)
}

/// The bytes of every length-delimited field `num` ([`lenient_fields`]).
pub fn bytes_of(buf: &[u8], num: u64) -> impl Iterator<Item = &[u8]> {
    lenient_fields(buf).filter_map(move |f| match f.val {
        Wire::Bytes(s) if f.num == num => Some(s),
        _ => None,
    })
}

/// Packed or unpacked repeated varints (`dims`): a varint field yields one value, a
/// length-delimited one yields all the varints inside it.
pub fn repeated_varints(f: &Field, out: &mut Vec<u64>, max: usize) -> Result<(), ProtoError> {
    match f.val {
        Wire::Varint(v) => {
            if out.len() < max {
                out.push(v);
            }
            Ok(())
        }
        Wire::Bytes(b) => {
            let mut pos = 0;
            while pos < b.len() {
                let (v, next) = varint(b, pos).map_err(|e| ProtoError {
                    message: format!("{e} in packed field {}", f.num),
                    at: f.value_at + pos,
                })?;
                if out.len() < max {
                    out.push(v);
                }
                pos = next;
            }
            Ok(())
        }
        _ => Err(f.wrong("repeated integer", "varint or packed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_rejects_garbage() {
        let msg = [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i'];
        let fields: Vec<_> = Fields::new(&msg, 0).collect::<Result<_, _>>().unwrap();
        assert_eq!(fields.len(), 2);
        assert!(matches!(fields[0].val, Wire::Varint(150)));
        assert!(matches!(fields[1].val, Wire::Bytes(b"hi")));
        // Truncated varint, wire type 3, length past the end, field 0.
        for bad in [&[0x08, 0x96][..], &[0x0B][..], &[0x12, 0x05, b'a'][..], &[0x00, 0x01][..]] {
            let r: Result<Vec<_>, _> = Fields::new(bad, 0).collect();
            assert!(r.is_err(), "{bad:?}");
        }
        assert!(varint(&[0xFF; 11], 0).is_err());
    }

    #[test]
    fn lenient_reads_on_where_the_loader_does() {
        // Field 0, then a varint whose tenth byte carries bits past 64, then field 2 "hi".
        let mut msg = vec![0x00, 0x01, 0x08];
        msg.extend([0xFF; 9]);
        msg.extend([0x7F, 0x12, 0x02, b'h', b'i']);
        assert!(Fields::new(&msg, 0).any(|f| f.is_err()));
        let nums: Vec<u64> = lenient_fields(&msg).map(|f| f.num).collect();
        assert_eq!(nums, [0, 1, 2]);
        assert_eq!(bytes_of(&msg, 2).collect::<Vec<_>>(), [b"hi"]);
        // Other damage still ends the walk, quietly.
        assert_eq!(lenient_fields(&[0x12, 0x05, b'a']).count(), 0);
        assert_eq!(lenient_fields(&[0x08, 0x01, 0x0B]).count(), 1);
    }
}

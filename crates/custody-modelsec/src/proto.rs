//! A minimal protobuf wire-format walker (enough for TensorFlow graphs): fields of one message,
//! borrowing the input; malformed input ends the walk.

pub(crate) enum Val<'a> {
    Varint,
    Bytes(&'a [u8]),
    Other,
}

pub(crate) struct Fields<'a> {
    b: &'a [u8],
    pos: usize,
}

pub(crate) fn fields(b: &[u8]) -> Fields<'_> {
    Fields { b, pos: 0 }
}

fn varint(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for i in 0..10 {
        let c = *b.get(*pos)?;
        *pos += 1;
        v |= u64::from(c & 0x7F) << (7 * i);
        if c & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u64, Val<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.b.len() {
            return None;
        }
        let key = varint(self.b, &mut self.pos)?;
        let (num, wire) = (key >> 3, key & 7);
        let v = match wire {
            0 => {
                varint(self.b, &mut self.pos)?;
                Val::Varint
            }
            1 => {
                self.pos = self.pos.checked_add(8).filter(|&p| p <= self.b.len())?;
                Val::Other
            }
            2 => {
                let n = usize::try_from(varint(self.b, &mut self.pos)?).ok()?;
                let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len())?;
                let s = &self.b[self.pos..end];
                self.pos = end;
                Val::Bytes(s)
            }
            5 => {
                self.pos = self.pos.checked_add(4).filter(|&p| p <= self.b.len())?;
                Val::Other
            }
            _ => {
                self.pos = self.b.len();
                return None;
            }
        };
        Some((num, v))
    }
}

/// The bytes of every length-delimited field `num`.
pub(crate) fn bytes_of(b: &[u8], num: u64) -> impl Iterator<Item = &[u8]> {
    fields(b).filter_map(move |(n, v)| match v {
        Val::Bytes(s) if n == num => Some(s),
        _ => None,
    })
}

//! A tiny, total reader of Python literals (as NumPy writes its `.npy` header):
//! strings ('…' or "…" with backslash escapes kept verbatim), integers (optional `L`), `True`,
//! `False`, `None`, tuples, lists and dicts. Nesting is limited to
//! [`crate::limits::MAX_LITERAL_DEPTH`]; anything else is an error, never a panic.

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Py {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Py>),
    List(Vec<Py>),
    Dict(Vec<(Py, Py)>),
}

impl Py {
    pub(crate) fn get(&self, key: &str) -> Option<&Py> {
        match self {
            Py::Dict(items) => items.iter().find(|(k, _)| matches!(k, Py::Str(s) if s == key)).map(|(_, v)| v),
            _ => None,
        }
    }
}

pub(crate) fn parse(text: &str) -> Result<Py, String> {
    let mut p = P { s: text.as_bytes(), pos: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(format!("unexpected text at byte {}", p.pos));
    }
    Ok(v)
}

struct P<'a> {
    s: &'a [u8],
    pos: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.s.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    fn value(&mut self, depth: u32) -> Result<Py, String> {
        if depth > crate::limits::MAX_LITERAL_DEPTH {
            return Err("literal nested too deeply".into());
        }
        self.ws();
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => self.string(q),
            Some(b'(') => self.seq(b')', depth).map(Py::Tuple),
            Some(b'[') => self.seq(b']', depth).map(Py::List),
            Some(b'{') => self.dict(depth),
            Some(b) if b == b'-' || b.is_ascii_digit() => self.int(),
            Some(_) => {
                for (word, v) in [("True", Py::Bool(true)), ("False", Py::Bool(false)), ("None", Py::None)] {
                    if self.s[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(v);
                    }
                }
                Err(format!("unexpected character at byte {}", self.pos))
            }
            None => Err("unexpected end of literal".into()),
        }
    }
    fn string(&mut self, q: u8) -> Result<Py, String> {
        let start = self.pos + 1;
        let mut i = start;
        while let Some(&b) = self.s.get(i) {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                self.pos = i + 1;
                let raw = self.s.get(start..i).unwrap_or_default();
                return Ok(Py::Str(String::from_utf8_lossy(raw).into_owned()));
            }
            i += 1;
        }
        Err("unterminated string".into())
    }
    fn int(&mut self) -> Result<Py, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = std::str::from_utf8(&self.s[start..self.pos]).map_err(|e| e.to_string())?;
        if self.peek() == Some(b'L') {
            self.pos += 1;
        }
        digits.parse::<i128>().map(Py::Int).map_err(|_| format!("bad integer `{}`", crate::util::short(digits)))
    }
    fn seq(&mut self, close: u8, depth: u32) -> Result<Vec<Py>, String> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {}
                _ => return Err(format!("expected `,` or `{}` at byte {}", close as char, self.pos)),
            }
        }
    }
    fn dict(&mut self, depth: u32) -> Result<Py, String> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return Ok(Py::Dict(items));
            }
            let k = self.value(depth + 1)?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(format!("expected `:` at byte {}", self.pos));
            }
            self.pos += 1;
            let v = self.value(depth + 1)?;
            items.push((k, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(format!("expected `,` or `}}` at byte {}", self.pos)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_header() {
        let v = parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").unwrap();
        assert_eq!(v.get("descr"), Some(&Py::Str("<f4".into())));
        assert_eq!(v.get("shape"), Some(&Py::Tuple(vec![Py::Int(2), Py::Int(3)])));
        assert!(parse("{'a': (").is_err());
        assert!(parse(&"(".repeat(100)).is_err());
    }
}

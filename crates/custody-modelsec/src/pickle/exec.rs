//! The opcodes' effect on the symbolic machine, one function per family of opcodes.

use super::*;
use custody_formats::pickle::{Arg, Op, le, op_name};

/// The loader's state for one stream: stack, mark stack, memo, and where the current `FRAME`
/// ends.
#[derive(Default)]
pub(super) struct Machine {
    pub(super) stack: Vec<V>,
    pub(super) marks: Vec<usize>,
    pub(super) memo: HashMap<u64, V>,
    pub(super) frame_end: Option<usize>,
}

fn under(at: usize) -> End {
    End::Broken(at, "stack underflow".into())
}

fn malformed(at: usize, name: &str) -> End {
    End::Broken(at, format!("{name} with a malformed argument"))
}

impl Machine {
    /// Where the stack above the innermost MARK begins (values below it cannot be popped).
    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn pop(&mut self, at: usize) -> Result<V, End> {
        if self.stack.len() <= self.fence() {
            return Err(under(at));
        }
        Ok(self.stack.pop().unwrap_or(V::Opaque))
    }

    fn push(&mut self, v: V, at: usize) -> Result<(), End> {
        if self.stack.len() >= MAX_STACK {
            return Err(End::Limit(at, format!("stack deeper than {MAX_STACK}")));
        }
        self.stack.push(v);
        Ok(())
    }

    /// Pop the innermost MARK and everything above it.
    fn pop_mark(&mut self, at: usize, name: &str) -> Result<Vec<V>, End> {
        let Some(m) = self.marks.pop() else { return Err(End::Broken(at, format!("{name} without MARK"))) };
        if m > self.stack.len() {
            return Err(under(at));
        }
        Ok(self.stack.split_off(m))
    }

    fn top(&self, at: usize) -> Result<V, End> {
        if self.stack.len() <= self.fence() {
            return Err(under(at));
        }
        Ok(self.stack.last().cloned().unwrap_or(V::Opaque))
    }
}

impl Scanner<'_> {
    /// Apply one opcode to the machine.
    pub(super) fn exec(&mut self, op: &Op, st: &mut Stream, vm: &mut Machine) -> Result<Flow, End> {
        match op.code {
            0x80 | b'.' | 0x95 | b'(' | b'0' | b'1' | b'2' => self.exec_control(op, st, vm),
            b'N' | 0x88 | 0x89 | b'I' | b'L' | b'J' | b'K' | b'M' | 0x8a | 0x8b | b'F' | b'G' | b'S' | b'V' | b'T'
            | b'U' | b'X' | 0x8c | 0x8d | b'B' | b'C' | 0x8e | 0x96 | 0x97 | 0x98 => self.exec_value(op, st, vm),
            b')' | b'}' | b']' | 0x8f | b't' | 0x85 | 0x86 | 0x87 | b'l' | 0x91 | b'd' | b'a' | b'e' | 0x90 | b's'
            | b'u' => self.exec_container(op, st, vm),
            b'g' | b'h' | b'j' | b'p' | b'q' | b'r' | 0x94 => self.exec_memo(op, st, vm),
            _ => self.exec_call(op, st, vm),
        }
    }

    /// Stream control (PROTO, FRAME, STOP) and the stack and mark opcodes.
    fn exec_control(&mut self, op: &Op, st: &mut Stream, vm: &mut Machine) -> Result<Flow, End> {
        let b = self.b;
        let at = op.at;
        let name = op_name(op.code);
        match (op.code, op.arg) {
            (0x80, Arg::Int(p)) => {
                if p > 5 {
                    return Err(End::Broken(at, format!("unsupported pickle protocol {p}")));
                }
                if st.protocol.is_none() {
                    st.protocol = Some(p as u8);
                }
                if st.ops > 1 {
                    self.hit(
                        crate::codes::PKL_BROKEN,
                        Some(custody_core::Severity::Low),
                        format!("PROTO opcode in the middle of a stream at offset {:#x}", at + self.base),
                        at,
                        "pickler output never does this; hand-assembled stream".into(),
                    );
                }
            }
            (b'.', _) => return Ok(Flow::Stop),
            (0x95, Arg::Int(n)) => {
                let n = n as u64;
                let rest = (b.len() - op.end) as u64;
                if let Some(fe) = vm.frame_end
                    && op.at < fe
                    && !st.frame_reported
                {
                    st.frame_reported = true;
                    self.hit(
                        crate::codes::PKL_FRAME,
                        None,
                        format!("FRAME at offset {:#x} starts before the previous frame ended", at + self.base),
                        at,
                        format!("previous frame ends at {:#x}", fe + self.base),
                    );
                }
                if n > rest {
                    if self.whole {
                        self.hit(
                            crate::codes::PKL_FRAME,
                            None,
                            format!("FRAME at offset {:#x} declares {n} bytes but only {rest} follow", at + self.base),
                            at,
                            "pickle.load stops here with an error; anything before it has run".into(),
                        );
                        return Err(End::Broken(at, "FRAME longer than the data".into()));
                    }
                    return Err(End::Truncated(at));
                }
                vm.frame_end = Some(op.end + n as usize);
            }
            (b'(', _) => {
                if vm.marks.len() >= MAX_MARKS {
                    return Err(End::Limit(at, format!("more than {MAX_MARKS} open MARKs")));
                }
                vm.marks.push(vm.stack.len());
            }
            (b'0', _) => {
                // CPython: POP with a mark on top of the stack pops the mark.
                if vm.marks.last() == Some(&vm.stack.len()) {
                    vm.marks.pop();
                } else {
                    let _ = vm.pop(at)?;
                }
            }
            (b'1', _) => {
                let _ = vm.pop_mark(at, name)?;
            }
            (b'2', _) => {
                let t = vm.top(at)?;
                vm.push(t, at)?;
            }
            _ => return Err(malformed(at, name)),
        }
        Ok(Flow::Next)
    }

    /// Opcodes that push a value: constants, numbers, strings, bytes, buffers.
    fn exec_value(&mut self, op: &Op, st: &mut Stream, vm: &mut Machine) -> Result<Flow, End> {
        let b = self.b;
        let at = op.at;
        match (op.code, op.arg) {
            (b'N', _) => vm.push(V::None, at)?,
            (0x88, _) => vm.push(V::Bool, at)?,
            (0x89, _) => vm.push(V::Bool, at)?,
            (b'I', Arg::Line(l)) => {
                let v = match l {
                    b"01" => V::Bool,
                    b"00" => V::Bool,
                    _ => {
                        std::str::from_utf8(l).ok().and_then(|s| s.trim().parse::<i64>().ok()).map_or(V::Opaque, V::Int)
                    }
                };
                vm.push(v, at)?
            }
            (b'L', Arg::Line(l)) => {
                let s = std::str::from_utf8(l).unwrap_or("").trim().trim_end_matches('L');
                vm.push(s.parse::<i64>().map_or(V::Opaque, V::Int), at)?
            }
            (b'J' | b'K' | b'M', Arg::Int(v)) => vm.push(V::Int(v), at)?,
            (0x8a | 0x8b, Arg::Data(s, n)) => {
                let v = if n == 0 {
                    V::Int(0)
                } else if n <= 8 {
                    let raw = &b[s..s + n];
                    let mut v = le(raw);
                    if n < 8 && raw[n - 1] & 0x80 != 0 {
                        v |= u64::MAX << (8 * n);
                    }
                    V::Int(v as i64)
                } else {
                    V::Opaque
                };
                vm.push(v, at)?
            }
            (b'F', _) | (b'G', _) => vm.push(V::Opaque, at)?,
            (b'S', Arg::Line(l)) => {
                let s = l.as_ptr() as usize - b.as_ptr() as usize;
                vm.push(V::Str { at: s, len: l.len(), enc: Enc::Quoted }, at)?
            }
            (b'V', Arg::Line(l)) => {
                let s = l.as_ptr() as usize - b.as_ptr() as usize;
                vm.push(V::Str { at: s, len: l.len(), enc: Enc::RawEscape }, at)?
            }
            (b'T' | b'U', Arg::Data(s, n)) => {
                if looks_like_pickle(&b[s..s + n]) {
                    st.nested.push((s, n));
                }
                vm.push(V::Str { at: s, len: n, enc: Enc::Latin1 }, at)?
            }
            (b'X' | 0x8c | 0x8d, Arg::Data(s, n)) => vm.push(V::Str { at: s, len: n, enc: Enc::Utf8 }, at)?,
            (b'B' | b'C' | 0x8e | 0x96, Arg::Data(s, n)) => {
                if looks_like_pickle(&b[s..s + n]) && st.nested.len() < 64 {
                    st.nested.push((s, n));
                }
                vm.push(V::Bytes, at)?
            }
            (0x97, _) => return Err(End::Broken(at, "NEXT_BUFFER without out-of-band buffers".into())),
            (0x98, _) => {
                let _ = vm.top(at)?;
            }
            _ => return Err(malformed(at, op_name(op.code))),
        }
        Ok(Flow::Next)
    }

    /// Tuples, lists, dicts and sets, and the opcodes that add to them (which call `append`,
    /// `extend`, `add` or `__setitem__` on anything that is not a plain container).
    fn exec_container(&mut self, op: &Op, st: &mut Stream, vm: &mut Machine) -> Result<Flow, End> {
        let at = op.at;
        let name = op_name(op.code);
        match (op.code, op.arg) {
            (b')', _) => vm.push(tuple(Vec::new()), at)?,
            (b'}', _) => vm.push(V::Dict(Rc::new(DictV { depth: 1, entries: Vec::new() })), at)?,
            (b']', _) => vm.push(V::List, at)?,
            (0x8f, _) => vm.push(V::Set, at)?,
            (b't', _) => {
                let items = vm.pop_mark(at, name)?;
                vm.push(tuple(items), at)?
            }
            (0x85, _) => {
                let a = vm.pop(at)?;
                vm.push(tuple(vec![a]), at)?
            }
            (0x86, _) => {
                let b2 = vm.pop(at)?;
                let a = vm.pop(at)?;
                vm.push(tuple(vec![a, b2]), at)?
            }
            (0x87, _) => {
                let c = vm.pop(at)?;
                let b2 = vm.pop(at)?;
                let a = vm.pop(at)?;
                vm.push(tuple(vec![a, b2, c]), at)?
            }
            (b'l', _) => {
                let _ = vm.pop_mark(at, name)?;
                vm.push(V::List, at)?
            }
            (0x91, _) => {
                let _ = vm.pop_mark(at, name)?;
                vm.push(V::Set, at)?
            }
            (b'd', _) => {
                let items = vm.pop_mark(at, name)?;
                let mut entries = Vec::new();
                let mut depth = 1u8;
                for pair in items.chunks(2) {
                    if let [k, v] = pair
                        && entries.len() < MAX_ITEMS
                    {
                        depth = depth.max(k.depth().max(v.depth()).saturating_add(1));
                        entries.push((k.clone(), v.clone()));
                    }
                }
                vm.push(if depth > MAX_DEPTH { V::Opaque } else { V::Dict(Rc::new(DictV { depth, entries })) }, at)?
            }
            (b'a', _) => {
                let _v = vm.pop(at)?;
                let t = vm.top(at)?;
                self.mutate(st, &t, "append", name, at);
            }
            (b'e', _) => {
                let _items = vm.pop_mark(at, name)?;
                let t = vm.top(at)?;
                self.mutate(st, &t, "extend", name, at);
            }
            (0x90, _) => {
                let _items = vm.pop_mark(at, name)?;
                let t = vm.top(at)?;
                self.mutate(st, &t, "add", name, at);
            }
            (b's' | b'u', _) => {
                let items = if op.code == b's' {
                    let v = vm.pop(at)?;
                    let k = vm.pop(at)?;
                    vec![k, v]
                } else {
                    vm.pop_mark(at, name)?
                };
                if vm.stack.len() <= vm.fence() {
                    return Err(under(at));
                }
                let Some(t) = vm.stack.last_mut() else { return Err(under(at)) };
                match t {
                    V::Dict(d) => {
                        let d = Rc::make_mut(d);
                        for pair in items.chunks(2) {
                            if let [k, v] = pair
                                && d.entries.len() < MAX_ITEMS
                            {
                                let nd = k.depth().max(v.depth()).saturating_add(1);
                                if nd < MAX_DEPTH {
                                    d.depth = d.depth.max(nd);
                                    d.entries.push((k.clone(), v.clone()));
                                }
                            }
                        }
                    }
                    other => {
                        let other = other.clone();
                        self.mutate(st, &other, "__setitem__", name, at);
                    }
                }
            }
            _ => return Err(malformed(at, name)),
        }
        Ok(Flow::Next)
    }

    /// Memo reads and writes (`GET`, `PUT`, `MEMOIZE` and their binary forms).
    fn exec_memo(&mut self, op: &Op, st: &mut Stream, vm: &mut Machine) -> Result<Flow, End> {
        let at = op.at;
        let name = op_name(op.code);
        match (op.code, op.arg) {
            (b'g' | b'h' | b'j', arg) => {
                let idx = match arg {
                    Arg::Int(i) => i as u64,
                    Arg::Line(l) => match std::str::from_utf8(l).ok().and_then(|s| s.trim().parse::<u64>().ok()) {
                        Some(i) => i,
                        None => return Err(End::Broken(at, "GET index is not a number".into())),
                    },
                    _ => 0,
                };
                match vm.memo.get(&idx) {
                    Some(v) => {
                        let v = v.clone();
                        vm.push(v, at)?
                    }
                    None => {
                        self.hit(
                            crate::codes::PKL_MEMO,
                            None,
                            format!("{name} at offset {:#x} reads memo slot {idx}, which was never set", at + self.base),
                            at,
                            "pickle.load fails here with a memo error after running what came before; scanners that guess memo contents can be misled".into(),
                        );
                        return Err(End::Broken(at, format!("memo slot {idx} not set")));
                    }
                }
            }
            (b'p' | b'q' | b'r' | 0x94, arg) => {
                let idx = match arg {
                    Arg::Int(i) => i as u64,
                    Arg::Line(l) => match std::str::from_utf8(l).ok().and_then(|s| s.trim().parse::<u64>().ok()) {
                        Some(i) => i,
                        None => return Err(End::Broken(at, "PUT index is not a number".into())),
                    },
                    _ => vm.memo.len() as u64,
                };
                let t = vm.top(at)?;
                if vm.memo.len() >= MAX_MEMO && !vm.memo.contains_key(&idx) {
                    return Err(End::Limit(at, format!("more than {MAX_MEMO} memo entries")));
                }
                if vm.memo.insert(idx, t).is_some() && !st.memo_overwrite_reported {
                    st.memo_overwrite_reported = true;
                    self.hit(
                        crate::codes::PKL_MEMO,
                        Some(custody_core::Severity::Medium),
                        format!("{name} at offset {:#x} overwrites memo slot {idx}", at + self.base),
                        at,
                        "picklers never reuse memo slots; reuse is how operands of STACK_GLOBAL get swapped behind a scanner's back".into(),
                    );
                }
            }
            _ => return Err(malformed(at, name)),
        }
        Ok(Flow::Next)
    }

    /// Imports and calls: `GLOBAL`, `INST`, `STACK_GLOBAL`, `EXT*`, persistent ids, `REDUCE`,
    /// `NEWOBJ(_EX)`, `OBJ`, `BUILD`.
    fn exec_call(&mut self, op: &Op, st: &mut Stream, vm: &mut Machine) -> Result<Flow, End> {
        let b = self.b;
        let at = op.at;
        let name = op_name(op.code);
        match (op.code, op.arg) {
            (b'c' | b'i', Arg::Lines(m, n)) => {
                let module = String::from_utf8_lossy(&m[..m.len().min(MAX_TEXT)]).into_owned();
                let gname = String::from_utf8_lossy(&n[..n.len().min(MAX_TEXT)]).into_owned();
                let g = self.import(st, module, gname, name, at);
                if op.code == b'c' {
                    vm.push(g, at)?
                } else {
                    let args = vm.pop_mark(at, name)?;
                    let r = self.call(st, g, tuple(args), name, at);
                    vm.push(r, at)?
                }
            }
            (0x93, _) => {
                let n = vm.pop(at)?;
                let m = vm.pop(at)?;
                match (text_of(b, &m), text_of(b, &n)) {
                    (Some(module), Some(gname)) => {
                        let g = self.import(st, module, gname, name, at);
                        vm.push(g, at)?
                    }
                    _ => {
                        self.hit(
                            crate::codes::PKL_MEMO,
                            None,
                            format!("STACK_GLOBAL at offset {:#x} has operands that are not strings", at + self.base),
                            at,
                            "the module and name come from values a static reader cannot turn into text (type confusion through the memo or stack)".into(),
                        );
                        return Err(End::Broken(at, "STACK_GLOBAL operands are not strings".into()));
                    }
                }
            }
            (0x82..=0x84, Arg::Int(code)) => {
                self.hit(
                    crate::codes::PKL_UNKNOWN,
                    None,
                    format!(
                        "{name} at offset {:#x} imports extension code {code} from the copyreg registry",
                        at + self.base
                    ),
                    at,
                    "what the code stands for is decided by the loading process, not the file, so it cannot be checked"
                        .into(),
                );
                vm.push(V::Opaque, at)?
            }
            (b'P', _) => vm.push(V::PersId, at)?,
            (b'Q', _) => {
                let _ = vm.pop(at)?;
                vm.push(V::PersId, at)?
            }
            (b'R', _) => {
                let args = vm.pop(at)?;
                let f = vm.pop(at)?;
                let r = self.call(st, f, args, name, at);
                vm.push(r, at)?
            }
            (0x81, _) => {
                let args = vm.pop(at)?;
                let cls = vm.pop(at)?;
                let r = self.call(st, cls, args, name, at);
                vm.push(r, at)?
            }
            (0x92, _) => {
                let _kw = vm.pop(at)?;
                let args = vm.pop(at)?;
                let cls = vm.pop(at)?;
                let r = self.call(st, cls, args, name, at);
                vm.push(r, at)?
            }
            (b'o', _) => {
                let mut items = vm.pop_mark(at, name)?;
                if items.is_empty() {
                    return Err(under(at));
                }
                let cls = items.remove(0);
                let r = self.call(st, cls, tuple(items), name, at);
                vm.push(r, at)?
            }
            (b'b', _) => {
                let state = vm.pop(at)?;
                let obj = vm.top(at)?;
                return self.build(st, obj, state, at);
            }
            _ => return Err(malformed(at, name)),
        }
        Ok(Flow::Next)
    }

    /// `BUILD`: `obj.__setstate__(state)` or an attribute update; joblib's array wrappers say
    /// how their inline data is laid out.
    fn build(&mut self, st: &mut Stream, obj: V, state: V, at: usize) -> Result<Flow, End> {
        let b = self.b;
        // Dunder keys in the state set special attributes (setattr on the instance).
        let dunder_key = |d: &DictV| {
            d.entries.iter().filter_map(|(k, _)| text_of(b, k)).find(|k| k.starts_with("__") && k.ends_with("__"))
        };
        let mut bad_key = None;
        match &state {
            V::Dict(d) => bad_key = dunder_key(d),
            V::Tuple(t) => {
                for x in &t.v {
                    if let V::Dict(d) = x
                        && bad_key.is_none()
                    {
                        bad_key = dunder_key(d);
                    }
                }
            }
            _ => {}
        }
        match &obj {
            V::Global(g) => {
                let display = policy::full(&g.module, &g.name);
                self.hit(
                    crate::codes::PKL_TAMPER,
                    None,
                    format!("BUILD at offset {:#x} sets attributes on `{display}` itself (a module or class, not an instance)", at + self.base),
                    at,
                    "state applied to an imported module or class replaces its attributes (for example a function an allowlisted loader calls later)".into(),
                );
                return Ok(Flow::Next);
            }
            V::Call(c) => {
                if let Some(k) = &bad_key {
                    self.hit(
                        crate::codes::PKL_TAMPER,
                        None,
                        format!("BUILD at offset {:#x} sets the special attribute `{}`", at + self.base, preview(k)),
                        at,
                        "instance state with dunder keys changes the object's class or method table".into(),
                    );
                }
                if let V::Global(g) = &c.callee {
                    let path = policy::full(&g.module, &g.name);
                    if policy::judge(&g.module, &g.name).tier > Tier::Allowed {
                        let t = Glob { module: g.module.clone(), name: format!("{}.__setstate__", g.name) };
                        self.record_call(st, &t, "BUILD", at, None);
                    }
                    if path == "joblib.numpy_pickle.NumpyArrayWrapper" {
                        return Ok(joblib_array(b, &state));
                    }
                }
            }
            _ => {}
        }
        Ok(Flow::Next)
    }
}

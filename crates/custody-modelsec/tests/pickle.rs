//! The opcode reader and the symbolic machine: every opcode of protocols 0–5, memo
//! indirection, the CPython rules the machine copies.

use custody_modelsec::codes;
use custody_modelsec::fixtures::Pickle;

fn analyze(b: &[u8]) -> custody_modelsec::Analysis {
    custody_modelsec::analyze("t.pkl", b, b.len() as u64)
}

/// A protocol-5 stream that uses every opcode except NEXT_BUFFER.
fn every_opcode() -> Vec<u8> {
    let body = Pickle::default()
        .mark()
        .raw(b"I42\nI01\nF1.5\nL7L\n")
        .op(b'J')
        .raw(&(-5i32).to_le_bytes())
        .raw(b"K\x01M\x02\x01N\x88\x89\x8a\x01\x05\x8b\x01\x00\x00\x00\x05")
        .tuple()
        .pop()
        .raw(b"]q\x00Na(NNe0(K\x01l0")
        .raw(b"}S'k'\nVv\ns(T\x04\x00\x00\x00abcdU\x02xyu0")
        .mark()
        .x("a")
        .raw(b"C\x01b")
        .op(b'd')
        .pop()
        .raw(b"\x8f(K\x01\x900(K\x01\x910")
        .raw(b"\x8c\x01x\x8d\x01\x00\x00\x00\x00\x00\x00\x00y\x8e\x01\x00\x00\x00\x00\x00\x00\x00z\x96\x01\x00\x00\x00\x00\x00\x00\x00w\x980000")
        .raw(b")\x850NN\x860NNN\x870")
        .raw(b"Ppid\n0NQ0")
        .global("collections", "OrderedDict")
        .raw(b")R0")
        .global("collections", "OrderedDict")
        .raw(b")\x810")
        .global("collections", "OrderedDict")
        .raw(b")}\x920(")
        .global("collections", "OrderedDict")
        .raw(b"o0(")
        .inst("collections", "OrderedDict")
        .pop()
        .stack_global("collections", "OrderedDict")
        .raw(b"\x940h\x000j\x00\x00\x00\x000g0\n0Np5\n0Nr\x06\x00\x00\x000")
        .raw(b"\x82\x010\x83\x01\x000\x84\x01\x00\x00\x000")
        .op(b'G')
        .raw(&1.0f64.to_be_bytes())
        .raw(b"0N200(N1}Nb")
        .op(b'.')
        .bytes;
    let mut out = vec![0x80, 5, 0x95];
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn every_opcode_is_read_and_executed() {
    let b = every_opcode();
    let a = analyze(&b);
    let r = a.pickle.expect("report");
    assert_eq!(r.streams.len(), 1, "{r:?}");
    assert_eq!(r.streams[0].status, "complete", "{r:?} {:?}", a.findings);
    assert_eq!(r.streams[0].protocol, Some(5));
    assert!(r.streams[0].opcodes > 100);
    // Only the extension-registry opcodes are findings (they cannot be resolved statically).
    let codes: Vec<&str> = a.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.iter().all(|c| *c == codes::PKL_UNKNOWN.as_str()), "{:?}", a.findings);
    assert!(a.findings.iter().any(|f| f.message.contains("EXT1")));
}

#[test]
fn next_buffer_breaks_the_stream_like_pickle_load() {
    let a = analyze(&[0x80, 5, 0x97, b'.']);
    assert!(a.findings.iter().any(|f| f.code == codes::PKL_BROKEN), "{:?}", a.findings);
}

#[test]
fn pop_with_a_mark_on_top_pops_the_mark() {
    // MARK POP then TUPLE without a mark must break (the mark was consumed by POP).
    let a = analyze(&Pickle::proto(2).mark().pop().tuple().stop());
    assert!(a.findings.iter().any(|f| f.code == codes::PKL_BROKEN), "{:?}", a.findings);
    let a = analyze(&Pickle::proto(2).none().mark().pop().pop().none().stop());
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn memo_indirection_resolves_stack_global_operands() {
    let b = Pickle::proto(4).s("nt").memoize().pop().s("system").memoize().pop().get(0).get(1).op(0x93).stop();
    let a = analyze(&b);
    let f = a.findings.iter().find(|f| f.code == codes::PKL_CRITICAL).expect("critical");
    assert!(f.message.contains("nt.system"), "{f:?}");
}

#[test]
fn protocol0_strings_and_unicode_escapes_are_decoded() {
    let b = b"cposix\nsystem\n(S'i\\x64'\ntR.";
    let a = analyze(b);
    let r = a.pickle.expect("report");
    assert_eq!(r.streams[0].calls[0].argument.as_deref(), Some("id"));
    let b = b"(Vos\nVsystem\n\x93.";
    let a = custody_modelsec::analyze("t.pkl", b, b.len() as u64);
    assert!(a.findings.iter().any(|f| f.code == codes::PKL_CRITICAL), "{:?}", a.findings);
}

#[test]
fn stack_underflow_and_invalid_opcodes_break_with_partial_report() {
    let a = analyze(&Pickle::proto(2).global("os", "system").reduce().stop());
    assert!(a.findings.iter().any(|f| f.code == codes::PKL_CRITICAL));
    assert!(a.findings.iter().any(|f| f.code == codes::PKL_BROKEN));
}

#[test]
fn byte_scan_finds_imports_after_a_break() {
    let b = [&[0x80u8, 2, 0xFF][..], b"garbage cposix\nsystem\n"].concat();
    let a = analyze(&b);
    let f = a.findings.iter().find(|f| f.code == codes::PKL_CRITICAL).expect("recovered import");
    assert!(f.evidence.as_deref().unwrap_or("").contains("byte scan"), "{f:?}");
}

#[test]
fn builtins_outside_the_safe_set_are_high() {
    let a = analyze(&Pickle::proto(2).global("builtins", "print").x("x").tuple1().reduce().stop());
    assert_eq!(a.max_severity(), Some(custody_core::Severity::High));
    let a = analyze(&Pickle::proto(2).global("builtins", "set").empty_tuple().reduce().stop());
    assert!(a.findings.is_empty());
}

/// The message of the one critical finding, or a panic listing what was found.
fn critical_message(b: &[u8]) -> String {
    let a = analyze(b);
    a.findings
        .iter()
        .find(|f| f.code == codes::PKL_CRITICAL)
        .map(|f| f.message.clone())
        .unwrap_or_else(|| panic!("no critical finding: {:?}", a.findings))
}

#[test]
fn module_aliases_are_resolved_through_global_stack_global_and_memo() {
    // STACK_GLOBAL with the dotted name.
    let m = critical_message(&Pickle::proto(4).stack_global("random", "_os.system").s("id").tuple1().reduce().stop());
    assert!(m.contains("`random._os.system` (which is `os.system`)"), "{m}");
    // GLOBAL in a protocol-4 stream (which resolves dotted names too).
    let m = critical_message(&Pickle::proto(4).global("enum", "bltns.exec").x("1").tuple1().reduce().stop());
    assert!(m.contains("(which is `builtins.exec`)"), "{m}");
    // STACK_GLOBAL operands assembled through the memo.
    let b =
        Pickle::proto(4).s("argparse").memoize().pop().s("_os.system").memoize().pop().get(0).get(1).op(0x93).stop();
    let m = critical_message(&b);
    assert!(m.contains("argparse._os.system"), "{m}");
}

#[test]
fn module_aliases_are_followed_through_getattr() {
    // getattr(tempfile._os, 'system'): the module object is already critical, and the
    // attribute the call reaches is reported as its own import.
    let b = Pickle::proto(4)
        .stack_global("builtins", "getattr")
        .stack_global("tempfile", "_os")
        .s("system")
        .tuple2()
        .reduce()
        .s("id")
        .tuple1()
        .reduce()
        .stop();
    let a = analyze(&b);
    let r = a.pickle.expect("report");
    let g: Vec<&str> = r.streams[0].imports.iter().map(|i| i.global.as_str()).collect();
    assert!(g.contains(&"tempfile._os.system"), "{g:?}");
    // The getattr callee itself reached through an alias (enum.bltns.getattr) is followed.
    let b = Pickle::proto(4)
        .stack_global("enum", "bltns.getattr")
        .stack_global("random", "Random")
        .s("__init__")
        .tuple2()
        .reduce()
        .stop();
    let a = analyze(&b);
    let r = a.pickle.expect("report");
    let i = r.streams[0].imports.iter().find(|i| i.global == "random.Random.__init__").expect("followed");
    assert_eq!(i.via, "builtins.getattr");
    assert_eq!(i.verdict, "critical");
}

#[test]
fn aliases_do_not_flag_ordinary_names() {
    for b in [
        Pickle::proto(2).global("collections", "OrderedDict").empty_tuple().reduce().stop(),
        Pickle::proto(4).stack_global("collections", "OrderedDict").empty_tuple().reduce().stop(),
        Pickle::proto(2).global("pathlib", "PosixPath").x("a").tuple1().reduce().stop(),
    ] {
        let a = analyze(&b);
        assert!(a.findings.is_empty(), "{:?}", a.findings);
    }
    // Unknown names in the aliased modules stay unknown (medium), not worse.
    let a = analyze(&Pickle::proto(2).global("random", "Random").empty_tuple().reduce().stop());
    assert_eq!(a.max_severity(), Some(custody_core::Severity::Medium));
}

//! RFC 8785 JSON Canonicalization Scheme (JCS) for `serde_json::Value`.
//!
//! - Object members sorted by their keys as UTF-16 code-unit sequences (RFC 8785 §3.2.3).
//! - No whitespace between tokens.
//! - Strings: `"` and `\` escaped, U+0000..U+001F as `\b \t \n \f \r` or `\u00xx` (lower-case
//!   hex), everything else (including U+007F, U+2028 and all non-ASCII) written as UTF-8.
//! - Numbers: the ECMAScript `Number.prototype.toString` text of the IEEE 754 double
//!   (RFC 8785 §3.2.2.3), e.g. `1e+30`, `0.002`, `333333333.3333333`, `-0` written as `0`.
//!
//! JCS requires I-JSON input (RFC 7493): every number is a double. An integer whose decimal
//! text is not already the canonical text of its double (2^53 + 1, `u64::MAX`, also 2^60, which
//! would print as `1152921504606847000`) is refused with [`CanonicalError::InexactInteger`]
//! rather than rounded: rounding would make two different payloads hash the same. In practice
//! every integer of magnitude below 2^53 is fine; store larger ones (nanosecond timestamps,
//! inode numbers) as strings.

use serde_json::Value;
use std::fmt::Write as _;

/// Nesting depth (arrays and objects) above which a value is refused.
pub const MAX_DEPTH: usize = 128;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("integer {0} is not exactly representable as an IEEE 754 double (I-JSON); store it as a string")]
    InexactInteger(String),
    #[error("number {0} is not finite")]
    NonFinite(String),
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// The canonical (RFC 8785) encoding of `value`.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = String::new();
    write_value(value, 0, &mut out)?;
    Ok(out.into_bytes())
}

fn write_value(value: &Value, depth: usize, out: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out)?,
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(CanonicalError::TooDeep);
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, depth + 1, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            if depth >= MAX_DEPTH {
                return Err(CanonicalError::TooDeep);
            }
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, depth + 1, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(n: &serde_json::Number, out: &mut String) -> Result<(), CanonicalError> {
    // An integer is accepted only if its decimal text is already the canonical text of the
    // double nearest to it: then canonicalisation does not change it, and no two different
    // integers share a canonical form. 2^53 + 1 (no such double) and 2^60 (whose double prints
    // as 1152921504606847000) are refused; 1152921504606847000 itself is fine.
    let exact = n.as_u64().map(|u| (u as f64, u.to_string())).or_else(|| n.as_i64().map(|i| (i as f64, i.to_string())));
    if let Some((f, text)) = exact {
        let mut canonical = String::new();
        write_f64(f, &mut canonical)?;
        if canonical != text {
            return Err(CanonicalError::InexactInteger(text));
        }
        out.push_str(&canonical);
        return Ok(());
    }
    match n.as_f64() {
        Some(f) => write_f64(f, out),
        None => Err(CanonicalError::NonFinite(n.to_string())),
    }
}

/// Appends the ECMAScript `Number.prototype.toString(10)` text of `v` (ECMA-262 §6.1.6.1.20,
/// the shortest digits that read back as `v`, the closest of them, ties to even), which is what
/// RFC 8785 §3.2.2.3 prescribes. `ryu-js` implements exactly that algorithm.
pub(crate) fn write_f64(v: f64, out: &mut String) -> Result<(), CanonicalError> {
    if !v.is_finite() {
        return Err(CanonicalError::NonFinite(v.to_string()));
    }
    if v == 0.0 {
        out.push('0'); // both +0 and -0
        return Ok(());
    }
    out.push_str(ryu_js::Buffer::new().format_finite(v));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(bits: u64) -> String {
        let mut s = String::new();
        write_f64(f64::from_bits(bits), &mut s).map(|()| s).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn rfc8785_appendix_b_numbers() {
        // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for &(bits, want) in cases {
            assert_eq!(num(bits), want, "bits {bits:016x}");
        }
        assert!(num(0x7fffffffffffffff).starts_with("error")); // NaN
        assert!(num(0x7ff0000000000000).starts_with("error")); // Infinity
    }

    #[test]
    fn rfc8785_section_3_2_2_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let want = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\
                    \"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(String::from_utf8(canonicalize(&v).unwrap()).unwrap(), want);
    }

    #[test]
    fn rfc8785_section_3_2_3_sorting() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let got = String::from_utf8(canonicalize(&v).unwrap()).unwrap();
        let want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
                    \"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\
                    \"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(got, want);
    }

    #[test]
    fn rfc8785_appendix_structures() {
        // Nested structures are canonicalised recursively; arrays keep their order.
        let v = json!({"b": [3, {"z": 1, "a": [true, null]}], "a": {"d": 2.0, "c": -0.0}, "": ""});
        let got = String::from_utf8(canonicalize(&v).unwrap()).unwrap();
        assert_eq!(got, r#"{"":"","a":{"c":0,"d":2},"b":[3,{"a":[true,null],"z":1}]}"#);
        // Control characters and the characters JCS leaves alone.
        let v = json!("\u{0}\u{1f}\u{7f}\u{2028}<>&'/\u{e9}");
        assert_eq!(
            String::from_utf8(canonicalize(&v).unwrap()).unwrap(),
            "\"\\u0000\\u001f\u{7f}\u{2028}<>&'/\u{e9}\""
        );
    }

    #[test]
    fn integers() {
        let max_exact = (1u64 << 53) - 1;
        assert_eq!(canonicalize(&json!(max_exact)).unwrap(), b"9007199254740991");
        assert_eq!(canonicalize(&json!(1u64 << 53)).unwrap(), b"9007199254740992");
        assert_eq!(canonicalize(&json!(1_152_921_504_606_847_000u64)).unwrap(), b"1152921504606847000");
        assert_eq!(canonicalize(&json!(-1_152_921_504_606_847_000i64)).unwrap(), b"-1152921504606847000");
        assert_eq!(canonicalize(&json!(10_000_000_000_000_000_000u64)).unwrap(), b"10000000000000000000");
        // The double 2^60 is canonical as 1152921504606847000, so the integer 2^60 would change.
        assert_eq!(canonicalize(&json!((1u64 << 60) as f64)).unwrap(), b"1152921504606847000");
        for bad in [
            json!((1u64 << 53) + 1),
            json!(1u64 << 60),
            json!(-(1i64 << 60)),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(i64::MIN + 1),
            json!(i64::MAX),
        ] {
            assert!(matches!(canonicalize(&bad), Err(CanonicalError::InexactInteger(_))), "{bad}");
        }
    }

    #[test]
    fn depth_limit() {
        let mut v = json!(1);
        for _ in 0..MAX_DEPTH {
            v = json!([v]);
        }
        assert!(canonicalize(&v).is_ok());
        let v = json!({ "x": v });
        assert_eq!(canonicalize(&v), Err(CanonicalError::TooDeep));
    }

    #[test]
    fn canonical_text_reparses_to_the_same_canonical_text() {
        // Random doubles: canonical text → serde_json → canonical text is the identity, which is
        // what lets a store keep the canonical bytes and re-derive the entry from them.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if !f.is_finite() {
                continue;
            }
            let text = canonicalize(&json!(f)).unwrap();
            let back: Value = serde_json::from_slice(&text).unwrap();
            assert_eq!(canonicalize(&back).unwrap(), text, "{f:e}");
            assert_eq!(back.as_f64().map(f64::to_bits), Some(if f == 0.0 { 0 } else { f.to_bits() }), "{f:e}");
        }
    }
}

//! The one parser of times and dates. Every command that reads a time from its input (record
//! fields, `CUSTODY_NOW`, the assessment's age arithmetic) goes through here, so a time custody
//! stores is always a real instant: RFC 3339 shape, a calendar-valid date (no 2025-02-30), a
//! time of day in range and an offset within ±23:59.

use ::time::format_description::well_known::Rfc3339;
use ::time::{Date, Month, OffsetDateTime, UtcOffset};

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |n, d| n.checked_mul(10)?.checked_add(u32::from(d - b'0')))
}

/// A calendar date `YYYY-MM-DD`.
pub fn parse_date(what: &str, d: &str) -> Result<Date, String> {
    let b = d.as_bytes();
    let shape = || format!("{what} `{d}` is not a date such as 2026-10-01");
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(shape());
    }
    let (Some(y), Some(m), Some(day)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10])) else {
        return Err(shape());
    };
    let month = u8::try_from(m).ok().and_then(|m| Month::try_from(m).ok());
    let (Some(month), Ok(y), Ok(day)) = (month, i32::try_from(y), u8::try_from(day)) else {
        return Err(format!("{what} `{d}` has an out-of-range field: month {m:02} does not exist"));
    };
    Date::from_calendar_date(y, month, day)
        .map_err(|_| format!("{what} `{d}` has an out-of-range field: {month} {y} has no day {day}"))
}

/// An RFC 3339 date-time with an offset, e.g. 2026-10-01T09:00:00Z or 2026-10-01T11:00:00+02:00.
pub fn parse_time(what: &str, t: &str) -> Result<OffsetDateTime, String> {
    let b = t.as_bytes();
    let shape = || format!("{what} `{t}` is not an RFC 3339 time such as 2026-10-01T09:00:00Z");
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return Err(shape());
    }
    let date = parse_date(what, &t[..10]).map_err(|e| if e.contains("out-of-range") { e } else { shape() })?;
    let (Some(h), Some(mi), Some(s)) = (digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19])) else {
        return Err(shape());
    };
    if h > 23 || mi > 59 || s > 60 {
        return Err(format!("{what} `{t}` has an out-of-range field: {h:02}:{mi:02}:{s:02} is not a time of day"));
    }
    // Fraction, then the offset.
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(shape());
        }
    }
    let rest = &b[i..];
    let offset = match rest {
        [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (Some(oh), Some(om)) = (digits(&[*h1, *h2]), digits(&[*m1, *m2])) else { return Err(shape()) };
            if oh > 23 || om > 59 {
                return Err(format!(
                    "{what} `{t}` has an out-of-range field: the offset must be within -23:59 and +23:59"
                ));
            }
            let secs = i32::try_from(oh * 3600 + om * 60).unwrap_or(0) * if *sign == b'-' { -1 } else { 1 };
            UtcOffset::from_whole_seconds(secs).map_err(|_| shape())?
        }
        _ => return Err(shape()),
    };
    // The fields are checked; let the time crate assemble the instant (and judge a leap second).
    let parsed = OffsetDateTime::parse(t, &Rfc3339).map_err(|e| format!("{what} `{t}` is not a valid time: {e}"))?;
    if parsed.date() != date || parsed.offset() != offset {
        return Err(shape());
    }
    Ok(parsed)
}

/// A time, or a bare date read as midnight UTC.
pub fn parse_time_or_date(what: &str, t: &str) -> Result<OffsetDateTime, String> {
    if t.len() == 10 { Ok(parse_date(what, t)?.midnight().assume_utc()) } else { parse_time(what, t) }
}

/// UTC, second precision, RFC 3339 (`2026-01-31T12:00:00Z`).
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    })
}

/// Refuses a time later than `now` (both RFC 3339): something cannot have happened yet.
pub fn not_in_future(what: &str, t: &str, now: &str) -> Result<(), String> {
    let at = parse_time_or_date(what, t)?;
    let now = parse_time_or_date("now", now)?;
    if at > now {
        return Err(format!("{what} `{t}` is in the future (now is {})", format_utc(now)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_instants_parse() {
        for ok in [
            "2026-10-01T09:00:00Z",
            "2026-10-01t09:00:00z",
            "2026-10-01T09:00:00.123Z",
            "2026-10-01T11:00:00+02:00",
            "2026-10-01T00:00:00-23:59",
            "2024-02-29T00:00:00Z",
        ] {
            assert!(parse_time("t", ok).is_ok(), "{ok}");
        }
        assert_eq!(format_utc(parse_time("t", "2026-10-01T11:00:00+02:00").unwrap()), "2026-10-01T09:00:00Z");
    }

    #[test]
    fn calendar_invalid_times_and_offsets_are_refused() {
        for bad in [
            "2025-02-30T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-10-00T00:00:00Z",
            "2026-10-01T24:00:00Z",
            "2026-10-01T09:60:00Z",
            "2026-10-01T09:00:00+24:00",
            "2026-10-01T09:00:00-25:00",
            "2026-10-01T09:00:00+05:60",
        ] {
            let e = parse_time("t", bad).unwrap_err();
            assert!(e.contains("out-of-range"), "{bad}: {e}");
        }
        for junk in [
            "",
            "Z",
            "2026",
            "2026-10-01 09:00",
            "2026-10-01T09:00:00",
            "2026-10-01T09:00:00.Z",
            "2026-10-01T09:00:00+0200",
            "\u{e9}\u{e9}\u{e9}\u{e9}-10-01T09:00:00Z",
            "+026-10-01T09:00:00Z",
        ] {
            assert!(parse_time("t", junk).unwrap_err().contains("RFC 3339"), "{junk}");
        }
    }

    #[test]
    fn dates() {
        assert!(parse_date("d", "2024-02-29").is_ok());
        assert!(parse_date("d", "2025-02-30").unwrap_err().contains("no day 30"));
        assert!(parse_date("d", "2026-1-1").is_err());
        assert!(parse_date("d", "2026-01-01T00:00:00Z").is_err());
        assert_eq!(format_utc(parse_time_or_date("d", "2026-01-31").unwrap()), "2026-01-31T00:00:00Z");
    }

    #[test]
    fn the_future_is_refused() {
        let now = "2026-01-31T12:00:00Z";
        assert!(not_in_future("acquired", "2026-01-31T12:00:00Z", now).is_ok());
        assert!(not_in_future("acquired", "2026-01-31T13:00:00+02:00", now).is_ok());
        let e = not_in_future("acquired", "2026-02-01T00:00:00Z", now).unwrap_err();
        assert!(e.contains("in the future"), "{e}");
    }
}

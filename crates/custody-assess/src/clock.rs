//! Time arithmetic on RFC 3339 strings (the caller passes "now"; nothing here reads a clock).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn parse(t: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(t, &Rfc3339).ok().or_else(|| {
        // A bare date (YYYY-MM-DD) is midnight UTC.
        if t.len() == 10 { OffsetDateTime::parse(&format!("{t}T00:00:00Z"), &Rfc3339).ok() } else { None }
    })
}

/// Whole days from `from` to `to` (negative when `from` is later); None if either does not parse.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    Some((parse(to)? - parse(from)?).whole_days())
}

#[cfg(test)]
mod tests {
    #[test]
    fn days() {
        assert_eq!(super::days_between("2026-01-01T00:00:00Z", "2026-01-31T12:00:00Z"), Some(30));
        assert_eq!(super::days_between("2026-01-31", "2026-01-01T00:00:00Z"), Some(-30));
        assert_eq!(super::days_between("yesterday", "2026-01-01T00:00:00Z"), None);
    }
}

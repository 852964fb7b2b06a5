//! Time arithmetic on RFC 3339 strings (the caller passes "now"; nothing here reads a clock).

use time::OffsetDateTime;

/// A time or a bare date (midnight UTC), through the one parser in `custody_core::time`.
fn parse(t: &str) -> Option<OffsetDateTime> {
    custody_core::time::parse_time_or_date("time", t).ok()
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
        assert_eq!(super::days_between("2025-02-30", "2026-01-01T00:00:00Z"), None, "not a calendar date");
    }
}

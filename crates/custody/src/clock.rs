//! The clock. `CUSTODY_NOW` (RFC 3339) fixes it, so outputs can be snapshot-tested.

use crate::failure::Failure;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in UTC, as RFC 3339 with second precision.
pub fn now() -> Result<String, Failure> {
    let t = match std::env::var("CUSTODY_NOW") {
        Ok(s) => OffsetDateTime::parse(&s, &Rfc3339).map_err(|e| {
            Failure::with_hint(
                format!("CUSTODY_NOW `{s}` is not an RFC 3339 time: {e}"),
                "use a time such as 2026-01-31T12:00:00Z, or unset it",
            )
        })?,
        Err(_) => OffsetDateTime::now_utc(),
    };
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).map_err(|e| Failure::new(format!("cannot format the time: {e}")))
}

/// The wall clock when `CUSTODY_NOW` fixes the time, so a backdated audit entry keeps saying
/// when it was really written; `None` when the clock is the wall clock.
pub fn wall_clock_if_injected() -> Option<String> {
    std::env::var_os("CUSTODY_NOW")?;
    let t = OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).ok()
}

//! The clock. `CUSTODY_NOW` (RFC 3339) fixes it, so outputs can be snapshot-tested. It is read
//! with the same parser as every recorded time (`custody_core::time`).

use crate::failure::Failure;
use time::OffsetDateTime;

/// Now, in UTC, as RFC 3339 with second precision.
pub fn now() -> Result<String, Failure> {
    let t = match std::env::var("CUSTODY_NOW") {
        Ok(s) => custody_core::time::parse_time("CUSTODY_NOW", &s)
            .map_err(|e| Failure::with_hint(e, "use a time such as 2026-01-31T12:00:00Z, or unset it"))?,
        Err(_) => OffsetDateTime::now_utc(),
    };
    Ok(custody_core::time::format_utc(t))
}

/// The wall clock when `CUSTODY_NOW` fixes the time, so a backdated audit entry keeps saying
/// when it was really written; `None` when the clock is the wall clock.
pub fn wall_clock_if_injected() -> Option<String> {
    std::env::var_os("CUSTODY_NOW")?;
    Some(custody_core::time::format_utc(OffsetDateTime::now_utc()))
}

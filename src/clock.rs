//! The one place time enters the program.
//!
//! `--now` (RFC 3339 or `YYYY-MM-DD[ HH:MM[:SS]]` in the workspace timezone)
//! wins, then `SOURCE_DATE_EPOCH` (seconds since the Unix epoch, as in
//! reproducible builds), then the wall clock. Everything else takes the
//! instant from here, so identical inputs and `--now` give identical bytes.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The run's recorded instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunTime {
    pub utc: DateTime<Utc>,
    pub tz: Tz,
}

impl RunTime {
    /// Local wall-clock time of the workspace timezone.
    pub fn local(&self) -> NaiveDateTime {
        self.utc.with_timezone(&self.tz).naive_local()
    }
    /// Fixed instant, for tests.
    pub fn fixed(local: NaiveDateTime, tz: Tz) -> RunTime {
        let utc = tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local));
        RunTime { utc, tz }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    #[error("--now \"{0}\" is not a time: write 2026-11-03T10:00:00+08:00 or 2026-11-03 10:00")]
    BadNow(String),
    #[error("SOURCE_DATE_EPOCH \"{0}\" is not a whole number of seconds")]
    BadEpoch(String),
}

/// Resolve the run's instant from `--now`, `SOURCE_DATE_EPOCH` or the wall clock.
pub fn resolve(now: Option<&str>, tz: Tz) -> Result<RunTime, ClockError> {
    if let Some(s) = now {
        return parse_now(s, tz).map(|utc| RunTime { utc, tz });
    }
    if let Ok(s) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = s
            .trim()
            .parse()
            .map_err(|_| ClockError::BadEpoch(s.clone()))?;
        let utc = Utc
            .timestamp_opt(secs, 0)
            .single()
            .ok_or(ClockError::BadEpoch(s))?;
        return Ok(RunTime { utc, tz });
    }
    #[allow(clippy::disallowed_methods)] // the single sanctioned wall-clock read
    let utc = Utc::now();
    Ok(RunTime { utc, tz })
}

fn parse_now(s: &str, tz: Tz) -> Result<DateTime<Utc>, ClockError> {
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(RunTime::fixed(n, tz).utc);
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(RunTime::fixed(d.and_hms_opt(0, 0, 0).expect("midnight"), tz).utc);
    }
    Err(ClockError::BadNow(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_forms() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let a = resolve(Some("2026-11-03 10:00"), tz).unwrap();
        assert_eq!(a.local().to_string(), "2026-11-03 10:00:00");
        assert_eq!(a.utc.to_rfc3339(), "2026-11-03T02:00:00+00:00");
        let b = resolve(Some("2026-11-03T02:00:00Z"), tz).unwrap();
        assert_eq!(a, b);
        assert!(resolve(Some("yesterday"), tz).is_err());
    }
}

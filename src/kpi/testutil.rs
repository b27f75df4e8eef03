//! Test helpers for the KPI engine: a small office-hours `BusinessClock`
//! (Mon–Fri 09:00–18:00, no holidays) so the rules can be tested without the
//! calendar module, and record builders.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::model::calendar::{BusinessClock, CalendarError};

/// `YYYY-MM-DD HH:MM[:SS]`.
pub fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .expect("test literal is a valid date-time")
}

/// Mon–Fri 09:00–18:00, every week, no holidays.
pub struct OfficeHours;

impl OfficeHours {
    fn window(d: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return None;
        }
        let open = d.and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("09:00"));
        let close = d.and_time(NaiveTime::from_hms_opt(18, 0, 0).expect("18:00"));
        Some((open, close))
    }
}

impl BusinessClock for OfficeHours {
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError> {
        let mut total = 0;
        let mut d = from.date();
        while d <= to.date() {
            if let Some((o, c)) = Self::window(d) {
                let a = o.max(from);
                let b = c.min(to);
                if b > a {
                    total += (b - a).num_seconds();
                }
            }
            d = d.succ_opt().expect("date in range");
        }
        Ok(total)
    }

    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError> {
        let mut left = secs.max(0);
        if left == 0 {
            return Ok(from);
        }
        let mut d = from.date();
        loop {
            if let Some((o, c)) = Self::window(d) {
                let a = o.max(from);
                if c > a {
                    let avail = (c - a).num_seconds();
                    if left <= avail {
                        return Ok(a + Duration::seconds(left));
                    }
                    left -= avail;
                }
            }
            d = d.succ_opt().expect("date in range");
        }
    }
}

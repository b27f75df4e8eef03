//! Reporting periods: month `2026-10`, quarter `2026-Q4`, half-year `2026-H2`, year `2026`.
//!
//! Plain data, no dependencies inside the crate. A period covers the local
//! dates `[start_date, end_date]`; as instants it is the half-open interval
//! `[start(), end())` of local wall-clock time.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Frequency {
    Monthly,
    Quarterly,
    SemiAnnual,
    Annual,
}

impl Frequency {
    /// Months in one period of this frequency.
    pub fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::SemiAnnual => 6,
            Frequency::Annual => 12,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::SemiAnnual => "semiannual",
            Frequency::Annual => "annual",
        }
    }
    pub fn parse(s: &str) -> Option<Frequency> {
        match s.trim().to_ascii_lowercase().as_str() {
            "monthly" | "month" | "每月" => Some(Frequency::Monthly),
            "quarterly" | "quarter" | "每季度" => Some(Frequency::Quarterly),
            "semiannual" | "semi-annual" | "half-yearly" | "halfyearly" | "每半年" => {
                Some(Frequency::SemiAnnual)
            }
            "annual" | "yearly" | "每年" => Some(Frequency::Annual),
            _ => None,
        }
    }
}

/// A reporting period. `index` is 1-based within the year: month 1–12,
/// quarter 1–4, half 1–2, and always 1 for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub frequency: Frequency,
    pub year: i32,
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a period: write 2026-10 (month), 2026-Q4 (quarter), 2026-H2 (half-year) or 2026 (year)"
)]
pub struct PeriodParseError(pub String);

impl Period {
    pub fn month(year: i32, month: u32) -> Period {
        Period {
            frequency: Frequency::Monthly,
            year,
            index: month,
        }
    }

    /// Parse `2026-10`, `2026-Q4`, `2026-H2`, `2026` (also `2026-M10`, lower case q/h,
    /// full-width digits are not accepted here: periods are typed by the compiler).
    pub fn parse(s: &str) -> Result<Period, PeriodParseError> {
        let err = || PeriodParseError(s.to_string());
        let t = s.trim();
        let (y, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t, None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let p = match rest {
            None => Period {
                frequency: Frequency::Annual,
                year,
                index: 1,
            },
            Some(r) => {
                let r = r.trim();
                let (freq, num) = match r.as_bytes().first() {
                    Some(b'Q' | b'q') => (Frequency::Quarterly, &r[1..]),
                    Some(b'H' | b'h') => (Frequency::SemiAnnual, &r[1..]),
                    Some(b'M' | b'm') => (Frequency::Monthly, &r[1..]),
                    _ => (Frequency::Monthly, r),
                };
                if num.is_empty() || num.len() > 2 || !num.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                let index: u32 = num.parse().map_err(|_| err())?;
                Period {
                    frequency: freq,
                    year,
                    index,
                }
            }
        };
        let max = 12 / p.frequency.months();
        if p.index == 0 || p.index > max {
            return Err(err());
        }
        Ok(p)
    }

    /// First month (1–12) of the period.
    pub fn first_month(&self) -> u32 {
        (self.index - 1) * self.frequency.months() + 1
    }

    /// First local date of the period.
    pub fn start_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.first_month(), 1).expect("valid period")
    }

    /// First local date *after* the period.
    pub fn end_date_exclusive(&self) -> NaiveDate {
        self.next().start_date()
    }

    /// Last local date of the period.
    pub fn last_date(&self) -> NaiveDate {
        self.end_date_exclusive().pred_opt().expect("valid date")
    }

    /// Period start as a local instant (00:00 of the first day).
    pub fn start(&self) -> NaiveDateTime {
        self.start_date().and_hms_opt(0, 0, 0).expect("midnight")
    }

    /// Period end as a local instant (00:00 of the first day after; exclusive).
    pub fn end(&self) -> NaiveDateTime {
        self.end_date_exclusive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    }

    pub fn contains(&self, t: NaiveDateTime) -> bool {
        t >= self.start() && t < self.end()
    }

    pub fn contains_date(&self, d: NaiveDate) -> bool {
        d >= self.start_date() && d < self.end_date_exclusive()
    }

    /// The period that follows.
    pub fn next(&self) -> Period {
        let max = 12 / self.frequency.months();
        if self.index == max {
            Period {
                index: 1,
                year: self.year + 1,
                ..*self
            }
        } else {
            Period {
                index: self.index + 1,
                ..*self
            }
        }
    }

    /// The period before.
    pub fn prev(&self) -> Period {
        if self.index == 1 {
            Period {
                index: 12 / self.frequency.months(),
                year: self.year - 1,
                ..*self
            }
        } else {
            Period {
                index: self.index - 1,
                ..*self
            }
        }
    }

    /// The `n` periods before this one, oldest first.
    pub fn previous(&self, n: usize) -> Vec<Period> {
        let mut v = Vec::with_capacity(n);
        let mut p = *self;
        for _ in 0..n {
            p = p.prev();
            v.push(p);
        }
        v.reverse();
        v
    }

    /// The months of this period, in order.
    pub fn months(&self) -> Vec<Period> {
        (0..self.frequency.months())
            .map(|i| Period::month(self.year, self.first_month() + i))
            .collect()
    }

    /// The period of frequency `f` that contains this period's first day.
    pub fn enclosing(&self, f: Frequency) -> Period {
        let m = self.first_month();
        Period {
            frequency: f,
            year: self.year,
            index: (m - 1) / f.months() + 1,
        }
    }

    /// True when this period's last month is the last month of its enclosing
    /// `f` period (e.g. 2026-12 ends 2026-Q4, 2026-H2 and 2026).
    pub fn ends(&self, f: Frequency) -> bool {
        let last = self.first_month() + self.frequency.months() - 1;
        last.is_multiple_of(f.months()) && f.months() >= self.frequency.months()
    }

    /// The month period containing a local date.
    pub fn of_date(d: NaiveDate) -> Period {
        Period::month(d.year(), d.month())
    }

    /// The period of frequency `f` containing a local date.
    pub fn containing(d: NaiveDate, f: Frequency) -> Period {
        Period {
            frequency: f,
            year: d.year(),
            index: (d.month() - 1) / f.months() + 1,
        }
    }

    /// Every period of frequency `f` in a year, in order (12 months, 4 quarters, 2 halves, 1 year).
    pub fn all_in_year(f: Frequency, year: i32) -> Vec<Period> {
        (1..=12 / f.months())
            .map(|index| Period {
                frequency: f,
                year,
                index,
            })
            .collect()
    }

    /// Period start as an instant of timezone `tz` (00:00 local of the first
    /// day; if that midnight does not exist in `tz`, the first instant after the gap).
    pub fn start_in<Z: TimeZone>(&self, tz: &Z) -> DateTime<Z> {
        local_instant(tz, self.start())
    }

    /// Period end (exclusive) as an instant of timezone `tz`.
    pub fn end_in<Z: TimeZone>(&self, tz: &Z) -> DateTime<Z> {
        local_instant(tz, self.end())
    }

    /// Chinese label, e.g. `2026年10月`, `2026年第4季度`, `2026年下半年`, `2026年度`.
    pub fn label_zh(&self) -> String {
        match self.frequency {
            Frequency::Monthly => format!("{}年{}月", self.year, self.index),
            Frequency::Quarterly => format!("{}年第{}季度", self.year, self.index),
            Frequency::SemiAnnual => {
                format!(
                    "{}年{}半年",
                    self.year,
                    if self.index == 1 { "上" } else { "下" }
                )
            }
            Frequency::Annual => format!("{}年度", self.year),
        }
    }

    /// English label, e.g. `October 2026`, `Q4 2026`, `H2 2026`, `Year 2026`.
    pub fn label_en(&self) -> String {
        const M: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match self.frequency {
            Frequency::Monthly => format!("{} {}", M[(self.index - 1) as usize], self.year),
            Frequency::Quarterly => format!("Q{} {}", self.index, self.year),
            Frequency::SemiAnnual => format!("H{} {}", self.index, self.year),
            Frequency::Annual => format!("Year {}", self.year),
        }
    }
}

/// The earliest instant of `tz` at local time `t`, or just after a DST gap.
fn local_instant<Z: TimeZone>(tz: &Z, t: NaiveDateTime) -> DateTime<Z> {
    let mut probe = t;
    // A DST gap is at most a few hours; step forward a minute at a time.
    for _ in 0..24 * 60 {
        if let Some(x) = tz.from_local_datetime(&probe).earliest() {
            return x;
        }
        probe += chrono::Duration::minutes(1);
    }
    tz.from_utc_datetime(&t)
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.frequency {
            Frequency::Monthly => write!(f, "{}-{:02}", self.year, self.index),
            Frequency::Quarterly => write!(f, "{}-Q{}", self.year, self.index),
            Frequency::SemiAnnual => write!(f, "{}-H{}", self.year, self.index),
            Frequency::Annual => write!(f, "{}", self.year),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in ["2026-10", "2026-01", "2026-Q4", "2026-H2", "2026"] {
            assert_eq!(Period::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Period::parse("2026-q1").unwrap().to_string(), "2026-Q1");
        for bad in [
            "2026-13", "2026-Q5", "2026-H3", "26-10", "2026-", "2026-00", "x",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds_and_navigation() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!(
            q4.start_date(),
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        assert_eq!(
            q4.last_date(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(q4.next().to_string(), "2027-Q1");
        assert_eq!(
            Period::parse("2026-01").unwrap().prev().to_string(),
            "2025-12"
        );
        let prev: Vec<String> = Period::parse("2026-02")
            .unwrap()
            .previous(3)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(prev, ["2025-11", "2025-12", "2026-01"]);
        assert!(Period::parse("2026-12").unwrap().ends(Frequency::Annual));
        assert!(Period::parse("2026-09").unwrap().ends(Frequency::Quarterly));
        assert!(
            !Period::parse("2026-09")
                .unwrap()
                .ends(Frequency::SemiAnnual)
        );
        assert_eq!(Period::parse("2026-H2").unwrap().months().len(), 6);
    }

    #[test]
    fn containing_all_in_year_and_timezone_bounds() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 31).unwrap();
        assert_eq!(
            Period::containing(d, Frequency::Quarterly).to_string(),
            "2026-Q3"
        );
        assert_eq!(
            Period::containing(d, Frequency::SemiAnnual).to_string(),
            "2026-H2"
        );
        assert_eq!(Period::containing(d, Frequency::Annual).to_string(), "2026");
        assert_eq!(
            Period::containing(d, Frequency::Monthly).to_string(),
            "2026-08"
        );
        let qs: Vec<String> = Period::all_in_year(Frequency::Quarterly, 2026)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(qs, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
        assert_eq!(Period::all_in_year(Frequency::Monthly, 2026).len(), 12);

        let sh: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        let oct = Period::month(2026, 10);
        assert_eq!(oct.start_in(&sh).to_rfc3339(), "2026-10-01T00:00:00+08:00");
        assert_eq!(
            oct.start_in(&sh).with_timezone(&chrono::Utc).to_rfc3339(),
            "2026-09-30T16:00:00+00:00"
        );
        assert_eq!(oct.end_in(&sh).to_rfc3339(), "2026-11-01T00:00:00+08:00");
        // Paraguay's clocks skipped 2023-10-01 00:00 → 01:00: the month starts after the gap.
        let py: chrono_tz::Tz = "America/Asuncion".parse().unwrap();
        let s = Period::month(2023, 10).start_in(&py);
        assert_eq!(s.to_rfc3339(), "2023-10-01T01:00:00-03:00");
    }
}

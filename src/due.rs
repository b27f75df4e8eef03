//! Report and data due dates (spec §4), and which reports fall due in a run.
//!
//! Pure functions over `model` types (periods, the catalogue's report list,
//! holiday sets); no I/O, no clock. Invariants:
//! - the nominal report due date is the 10th (monthly, quarterly), 15th
//!   (semi-annual) or 20th (annual) of the first month after the period;
//! - a nominal date on a non-working day moves to the next working day of the
//!   holiday set, with its adjusted working days (a make-up Saturday such as
//!   2026-10-10 is a working day, so a due date on it does **not** move);
//! - the data due date is exactly 7 calendar days before the (moved) report
//!   due date and is **not** moved itself: the spec moves only the report due
//!   date, and a provider can always deliver earlier than a holiday. It may
//!   therefore fall on a non-working day (2026-09's data are due 2026-10-03);
//! - a date that needs a year the holiday set does not cover is an error
//!   naming that year, never a guess;
//! - the due dates of the report list use the shipped mainland-China set
//!   unless the caller passes another one.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::model::calendar::CalendarError;
use crate::model::catalogue::{Catalogue, ReportSpec};
use crate::model::holidays::HolidaySet;
use crate::model::period::{Frequency, Period};

/// Calendar days between the data due date and the report due date.
pub const DATA_LEAD_DAYS: i64 = 7;

/// Day of the month a report of this frequency is due (spec §4).
pub fn due_day(freq: Frequency) -> u32 {
    match freq {
        Frequency::Monthly | Frequency::Quarterly => 10,
        Frequency::SemiAnnual => 15,
        Frequency::Annual => 20,
    }
}

/// The due date before any move: [`due_day`] of `freq` in the first month
/// after `period` (e.g. monthly 2026-09 → 2026-10-10, 2026-H2 → 2027-01-15).
pub fn nominal_report_due(freq: Frequency, period: Period) -> NaiveDate {
    let next = period.end_date_exclusive();
    next.with_day0(due_day(freq) - 1)
        .expect("days 10, 15 and 20 exist in every month")
}

/// The report due date: the nominal date, moved to the next working day when
/// it is not one.
pub fn report_due(
    freq: Frequency,
    period: Period,
    holidays: &HolidaySet,
) -> Result<NaiveDate, CalendarError> {
    holidays.next_working_day_on_or_after(nominal_report_due(freq, period))
}

/// The data due date: 7 calendar days before [`report_due`] (not moved).
pub fn data_due(
    freq: Frequency,
    period: Period,
    holidays: &HolidaySet,
) -> Result<NaiveDate, CalendarError> {
    Ok(report_due(freq, period, holidays)? - Duration::days(DATA_LEAD_DAYS))
}

/// The reports of the report list that fall due when the batch for
/// `run_period` runs, with the period each one covers, in report-list order
/// (then period order).
///
/// Every report whose frequency is the run period's or longer and whose period
/// ends with it: for a month, the monthly reports and each quarterly,
/// semi-annual or annual report whose period ends with that month (2026-12 →
/// monthly 2026-12, quarterly 2026-Q4, semi-annual 2026-H2, annual 2026); for
/// a quarter, its quarterly reports and the longer ones it closes (2026-Q4 →
/// Q4, H2, 2026); for a year, the annual reports. A longer run never renders
/// the monthly reports of its months: each month has its own run.
pub fn due_for_run(cat: &Catalogue, run_period: Period) -> Vec<(&ReportSpec, Period)> {
    let Some(last) = run_period.months().last().copied() else {
        return Vec::new();
    };
    cat.reports
        .iter()
        .filter(|spec| spec.frequency.months() >= run_period.frequency.months())
        .filter(|spec| last.ends(spec.frequency))
        .map(|spec| (spec, last.enclosing(spec.frequency)))
        .collect()
}

/// The periods of a frequency that belong to a year, in order.
pub fn periods_in_year(freq: Frequency, year: i32) -> Vec<Period> {
    Period::all_in_year(freq, year)
}

/// One period of one report, with its due dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueDates {
    pub period: Period,
    pub doc_number: String,
    /// The rule's date before any move.
    pub nominal_report_due: NaiveDate,
    /// `None` when the holiday data do not cover the dates (see `error`).
    pub report_due: Option<NaiveDate>,
    pub data_due: Option<NaiveDate>,
    /// True when the report due date moved off a non-working day.
    pub moved: bool,
    /// Why the dates are unknown (a year the holiday data do not cover).
    pub error: Option<String>,
}

impl DueDates {
    /// The due dates of `period` under `freq`, with the error kept as text.
    pub fn compute(spec: &ReportSpec, period: Period, holidays: &HolidaySet) -> DueDates {
        let nominal = nominal_report_due(spec.frequency, period);
        let (report, data, error) = match report_due(spec.frequency, period, holidays) {
            Ok(r) => (Some(r), Some(r - Duration::days(DATA_LEAD_DAYS)), None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        DueDates {
            period,
            doc_number: spec.doc_number_for(&period),
            nominal_report_due: nominal,
            report_due: report,
            data_due: data,
            moved: report.is_some_and(|r| r != nominal),
            error,
        }
    }
}

/// One report of the report list with the due dates of its periods in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSchedule {
    pub report: String,
    pub title: String,
    pub frequency: String,
    pub periods: Vec<DueDates>,
}

/// Every report of the report list (in list order) with each of its periods
/// of `year` and their due dates.
pub fn schedule(cat: &Catalogue, year: i32, holidays: &HolidaySet) -> Vec<ReportSchedule> {
    cat.reports
        .iter()
        .map(|spec| ReportSchedule {
            report: spec.id.clone(),
            title: spec.title.clone(),
            frequency: spec.frequency.as_str().to_string(),
            periods: periods_in_year(spec.frequency, year)
                .into_iter()
                .map(|p| DueDates::compute(spec, p, holidays))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::Audience;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn spec(id: &str, freq: Frequency) -> ReportSpec {
        ReportSpec {
            id: id.into(),
            title: format!("{id} 报告"),
            title_en: None,
            audience: Audience::Customer,
            agreements: vec![],
            frequency: freq,
            formats: vec![],
            template: "customer-zh".into(),
            doc_number: format!("SR-{}-{{period}}", id.to_uppercase()),
            compiler: "王敏".into(),
            reviewer: "李强".into(),
            approver: "张伟".into(),
            recipients: vec![],
        }
    }

    #[test]
    fn report_due_table_2026() {
        let cn = HolidaySet::cn();
        use Frequency::*;
        let cases = [
            // (freq, period, nominal, report due, data due) — checked by hand against
            // data/holidays/cn_holidays_2007_2027.csv.
            // 2026-10-10 is a Saturday, but a make-up working day (国庆节): no move.
            (
                Monthly,
                "2026-09",
                d(2026, 10, 10),
                d(2026, 10, 10),
                d(2026, 10, 3),
            ),
            (
                Quarterly,
                "2026-Q3",
                d(2026, 10, 10),
                d(2026, 10, 10),
                d(2026, 10, 3),
            ),
            // 2026-05-10 is an ordinary Sunday → Monday 05-11.
            (
                Monthly,
                "2026-04",
                d(2026, 5, 10),
                d(2026, 5, 11),
                d(2026, 5, 4),
            ),
            // 2026-01-10 is a Saturday → Monday 01-12.
            (
                Monthly,
                "2025-12",
                d(2026, 1, 10),
                d(2026, 1, 12),
                d(2026, 1, 5),
            ),
            // 2024-02-10 is 春节 (Sat, holiday 02-10..17) → make-up Sunday 2024-02-18.
            (
                Monthly,
                "2024-01",
                d(2024, 2, 10),
                d(2024, 2, 18),
                d(2024, 2, 11),
            ),
            // 2025-Q3 → 2025-10-10 (Fri, an ordinary working day after National Day).
            (
                Quarterly,
                "2025-Q3",
                d(2025, 10, 10),
                d(2025, 10, 10),
                d(2025, 10, 3),
            ),
            (
                Monthly,
                "2026-07",
                d(2026, 8, 10),
                d(2026, 8, 10),
                d(2026, 8, 3),
            ),
            (
                SemiAnnual,
                "2026-H1",
                d(2026, 7, 15),
                d(2026, 7, 15),
                d(2026, 7, 8),
            ),
            (
                SemiAnnual,
                "2025-H2",
                d(2026, 1, 15),
                d(2026, 1, 15),
                d(2026, 1, 8),
            ),
            (
                Annual,
                "2025",
                d(2026, 1, 20),
                d(2026, 1, 20),
                d(2026, 1, 13),
            ),
            // 2023 annual: 2024-01-20 is a Saturday → Monday 01-22.
            (
                Annual,
                "2023",
                d(2024, 1, 20),
                d(2024, 1, 22),
                d(2024, 1, 15),
            ),
        ];
        for (f, per, nominal, due, data) in cases {
            let per = p(per);
            assert_eq!(nominal_report_due(f, per), nominal, "{per}");
            assert_eq!(report_due(f, per, &cn).unwrap(), due, "{per}");
            assert_eq!(data_due(f, per, &cn).unwrap(), data, "{per}");
        }
    }

    #[test]
    fn due_dates_in_2027_are_not_guessed() {
        let cn = HolidaySet::cn();
        for (f, per) in [
            (Frequency::Monthly, "2026-12"),
            (Frequency::Quarterly, "2026-Q4"),
            (Frequency::SemiAnnual, "2026-H2"),
            (Frequency::Annual, "2026"),
        ] {
            assert_eq!(
                report_due(f, p(per), &cn),
                Err(CalendarError::YearNotCovered {
                    calendar: "cn".into(),
                    year: 2027
                }),
                "{per}"
            );
        }
    }

    #[test]
    fn due_for_run_by_month_and_longer_periods() {
        let cat = Catalogue {
            reports: vec![
                spec("m", Frequency::Monthly),
                spec("q", Frequency::Quarterly),
                spec("h", Frequency::SemiAnnual),
                spec("a", Frequency::Annual),
            ],
            ..Catalogue::default()
        };
        let show = |run: &str| -> Vec<String> {
            due_for_run(&cat, p(run))
                .into_iter()
                .map(|(s, per)| format!("{} {per}", s.id))
                .collect()
        };
        assert_eq!(
            show("2026-12"),
            ["m 2026-12", "q 2026-Q4", "h 2026-H2", "a 2026"]
        );
        assert_eq!(show("2026-09"), ["m 2026-09", "q 2026-Q3"]);
        assert_eq!(show("2026-06"), ["m 2026-06", "q 2026-Q2", "h 2026-H1"]);
        assert_eq!(show("2026-10"), ["m 2026-10"]);
        // A longer run: its own reports and the longer ones it closes, never the months'.
        assert_eq!(show("2026-Q4"), ["q 2026-Q4", "h 2026-H2", "a 2026"]);
        assert_eq!(show("2026-Q3"), ["q 2026-Q3"]);
        assert_eq!(show("2026-H1"), ["h 2026-H1"]);
        assert_eq!(show("2026"), ["a 2026"]);
    }

    #[test]
    fn schedule_2026() {
        let cat = Catalogue {
            reports: vec![
                spec("m", Frequency::Monthly),
                spec("h", Frequency::SemiAnnual),
            ],
            ..Catalogue::default()
        };
        let s = schedule(&cat, 2026, &HolidaySet::cn());
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].periods.len(), 12);
        let sep = &s[0].periods[8];
        assert_eq!(sep.period, p("2026-09"));
        assert_eq!(sep.doc_number, "SR-M-2026-09");
        assert_eq!(sep.report_due, Some(d(2026, 10, 10)));
        assert!(!sep.moved);
        let apr = &s[0].periods[3];
        assert_eq!(apr.report_due, Some(d(2026, 5, 11)));
        assert!(apr.moved);
        let dec = &s[0].periods[11];
        assert_eq!(dec.report_due, None);
        assert_eq!(dec.nominal_report_due, d(2027, 1, 10));
        assert!(dec.error.as_deref().unwrap().contains("2027"));
        assert_eq!(s[1].periods[0].report_due, Some(d(2026, 7, 15)));
    }
}

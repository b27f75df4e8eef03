//! `svcreport calendar [--year Y]`: every report of the report list with its
//! periods, data-due and report-due dates for a year (text or `--format json`).
//!
//! Orchestration only: loads the workspace and catalogue, takes the default
//! year from the run's time (`clock`), asks `due::schedule` for the dates and
//! formats them. The formatting functions are pure (no I/O) so tests can
//! check them on a catalogue built in the test. Due dates use the shipped
//! mainland-China holiday set; a date the holiday data do not cover is shown
//! as unknown with the reason, never guessed.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{EXIT_OK, Global, OutputKind};
use crate::clock;
use crate::due::{self, DATA_LEAD_DAYS, ReportSchedule};
use crate::model::holidays::{DayStatus, HolidaySet};
use crate::workspace::Workspace;

/// Years the command accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

pub fn run(g: &Global, year: Option<i32>) -> anyhow::Result<u8> {
    let ws = Workspace::load(&g.workspace)?;
    let cat = crate::catalogue::load(&ws)?;
    let year = match year {
        Some(y) => y,
        None => clock::resolve(g.now.as_deref(), ws.timezone)?
            .local()
            .year(),
    };
    if !YEARS.contains(&year) {
        anyhow::bail!(
            "--year {year} is out of range: give a year from {} to {}",
            YEARS.start(),
            YEARS.end()
        );
    }
    let holidays = HolidaySet::of_source(&ws.holidays, &ws.root)?;
    let sched = due::schedule(&cat, year, &holidays);
    let out = match g.format {
        OutputKind::Text => render_text(year, &holidays, &sched),
        OutputKind::Json => render_json(year, &holidays, &sched)?,
    };
    print!("{out}");
    Ok(EXIT_OK)
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn day(d: NaiveDate) -> String {
    format!(
        "{d} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize]
    )
}

/// What is special about a date, e.g. `国庆节 holiday` or `国庆节 make-up working day`.
fn describe(d: NaiveDate, holidays: &HolidaySet) -> Option<String> {
    let name = holidays
        .entry(d)
        .map(|e| format!("{} ", e.name))
        .unwrap_or_default();
    match holidays.status(d).ok()? {
        DayStatus::Holiday => Some(format!("{name}holiday")),
        DayStatus::MakeUpWorkday => Some(format!("{name}make-up working day")),
        DayStatus::Weekend => Some("weekend".into()),
        DayStatus::Weekday | DayStatus::ListedWeekday => None,
    }
}

/// The schedule as a text table, one block per report.
pub fn render_text(year: i32, holidays: &HolidaySet, sched: &[ReportSchedule]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Report due dates for {year} (holiday calendar \"{}\"): a report due on a non-working day moves to the next working day; data are due {DATA_LEAD_DAYS} calendar days before the report.",
        holidays.name()
    );
    if sched.is_empty() {
        let _ = writeln!(s, "\nThe report list is empty.");
        return s;
    }
    for r in sched {
        let _ = writeln!(s, "\n{} · {} · {}", r.report, r.title, r.frequency);
        let docw = r
            .periods
            .iter()
            .map(|p| p.doc_number.chars().count())
            .max()
            .unwrap_or(0)
            .max("document".len());
        let _ = writeln!(
            s,
            "  {:<8} {:<docw$}  {:<14}  {:<14}  note",
            "period", "document", "data due", "report due"
        );
        for p in &r.periods {
            let pad = docw - p.doc_number.chars().count() + p.doc_number.len();
            let (data, report) = match (p.data_due, p.report_due) {
                (Some(a), Some(b)) => (day(a), day(b)),
                _ => ("-".to_string(), "-".to_string()),
            };
            let mut notes = Vec::new();
            if let Some(e) = &p.error {
                notes.push(format!(
                    "unknown (nominal {}): {e}",
                    day(p.nominal_report_due)
                ));
            }
            if p.moved {
                let why = describe(p.nominal_report_due, holidays)
                    .map(|w| format!(", {w}"))
                    .unwrap_or_default();
                notes.push(format!("moved from {}{why}", day(p.nominal_report_due)));
            }
            if let Some(r) = p.report_due
                && let Some(w) = describe(r, holidays)
            {
                notes.push(format!("report due on a {w}"));
            }
            if let Some(d) = p.data_due
                && let Some(w) = describe(d, holidays)
            {
                notes.push(format!("data due on a {w}"));
            }
            let line = format!(
                "  {:<8} {:<pad$}  {:<14}  {:<14}  {}",
                p.period.to_string(),
                p.doc_number,
                data,
                report,
                notes.join("; ")
            );
            let _ = writeln!(s, "{}", line.trim_end());
        }
    }
    s
}

#[derive(Serialize)]
struct JsonOut<'a> {
    year: i32,
    holidays: &'a str,
    data_lead_days: i64,
    reports: &'a [ReportSchedule],
}

/// The schedule as JSON: `{year, holidays, data_lead_days, reports: [{report,
/// title, frequency, periods: [{period, doc_number, nominal_report_due,
/// report_due, data_due, moved, error}]}]}`; dates are `YYYY-MM-DD`, unknown
/// dates `null` with `error` saying why.
pub fn render_json(
    year: i32,
    holidays: &HolidaySet,
    sched: &[ReportSchedule],
) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(&JsonOut {
        year,
        holidays: holidays.name(),
        data_lead_days: DATA_LEAD_DAYS,
        reports: sched,
    })?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::{Audience, Catalogue, OutputFormat, ReportSpec};
    use crate::model::period::Frequency;

    fn spec(id: &str, title: &str, freq: Frequency, doc: &str) -> ReportSpec {
        ReportSpec {
            id: id.into(),
            title: title.into(),
            title_en: None,
            audience: Audience::Customer,
            agreements: vec!["SLA-ACME".into()],
            frequency: freq,
            formats: vec![OutputFormat::Pdf],
            template: "customer-zh".into(),
            doc_number: doc.into(),
            compiler: "王敏".into(),
            reviewer: "李强".into(),
            approver: "张伟".into(),
            recipients: vec![],
        }
    }

    fn cat() -> Catalogue {
        Catalogue {
            reports: vec![
                spec(
                    "acme-monthly",
                    "安科美 IT 服务月度报告",
                    Frequency::Monthly,
                    "SR-ACME-{period}",
                ),
                spec(
                    "internal-q",
                    "内部季度报告",
                    Frequency::Quarterly,
                    "IR-{period}",
                ),
            ],
            ..Catalogue::default()
        }
    }

    #[test]
    fn text_2026_checked_by_hand() {
        let cn = HolidaySet::cn();
        let out = render_text(2026, &cn, &due::schedule(&cat(), 2026, &cn));
        let lines: Vec<&str> = out.lines().collect();
        // Hand-checked against data/holidays: 2026-10-10 is a make-up Saturday
        // (no move), 2026-10-03 is in the National Day holiday, 2026-05-10 is an
        // ordinary Sunday, 2026-05-04 is in the Labour Day holiday.
        for want in [
            "acme-monthly · 安科美 IT 服务月度报告 · monthly",
            "  period   document         data due        report due      note",
            "  2026-01  SR-ACME-2026-01  2026-02-03 Tue  2026-02-10 Tue",
            "  2026-04  SR-ACME-2026-04  2026-05-04 Mon  2026-05-11 Mon  moved from 2026-05-10 Sun, weekend; data due on a 劳动节 holiday",
            "  2026-09  SR-ACME-2026-09  2026-10-03 Sat  2026-10-10 Sat  report due on a 国庆节 make-up working day; data due on a 国庆节 holiday",
            "  2026-11  SR-ACME-2026-11  2026-12-03 Thu  2026-12-10 Thu",
            "internal-q · 内部季度报告 · quarterly",
            "  2026-Q2  IR-2026-Q2  2026-07-03 Fri  2026-07-10 Fri",
            "  2026-Q3  IR-2026-Q3  2026-10-03 Sat  2026-10-10 Sat  report due on a 国庆节 make-up working day; data due on a 国庆节 holiday",
        ] {
            assert!(lines.contains(&want), "missing line {want:?} in\n{out}");
        }
        let dec = lines.iter().find(|l| l.starts_with("  2026-12  ")).unwrap();
        assert!(
            dec.starts_with(
                "  2026-12  SR-ACME-2026-12  -               -               unknown (nominal 2027-01-10 Sun): the holiday calendar \"cn\" has no data for 2027"
            ),
            "{dec}"
        );
        // 12 months + 4 quarters, each on one line.
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("  2026-")).count(),
            16
        );
    }

    #[test]
    fn json_2026() {
        let cn = HolidaySet::cn();
        let out = render_json(2026, &cn, &due::schedule(&cat(), 2026, &cn)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["year"], 2026);
        assert_eq!(v["holidays"], "cn");
        let sep = &v["reports"][0]["periods"][8];
        assert_eq!(sep["period"], "2026-09");
        assert_eq!(sep["report_due"], "2026-10-10");
        assert_eq!(sep["data_due"], "2026-10-03");
        assert_eq!(sep["moved"], false);
        let apr = &v["reports"][0]["periods"][3];
        assert_eq!(apr["nominal_report_due"], "2026-05-10");
        assert_eq!(apr["report_due"], "2026-05-11");
        assert_eq!(apr["moved"], true);
        let dec = &v["reports"][0]["periods"][11];
        assert!(dec["report_due"].is_null() && dec["data_due"].is_null());
        assert!(dec["error"].as_str().unwrap().contains("2027"));
        assert_eq!(v["reports"][1]["periods"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn empty_report_list() {
        let cn = HolidaySet::cn();
        let out = render_text(2026, &cn, &[]);
        assert!(out.ends_with("\nThe report list is empty.\n"), "{out}");
    }
}

//! Deliveries (spec §2.1a): a provider file is one delivery of its datasets for
//! one period, arrived at one time. The period comes from the folder
//! (`inbox/<period>/…`), else from a period in the file name
//! (`incidents-2026-10.xlsx`, `事件_2026年10月.xlsx`, `changes_2026Q4.xlsx`); the
//! folder wins, and a name that says another period is a warning. The arrival
//! is the time the file reached the inbox: its modification time when a run
//! first saw that content (never later than that run), which the ledger keeps,
//! so re-runs and audits give the same answer.
//!
//! Pure functions of the path and the times handed in; no clock.

use chrono::{NaiveDateTime, TimeZone};

use crate::model::period::Period;

/// One delivery's period and arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Delivery {
    /// `None` for a file with no period in its folder or name: it is read, and
    /// counts for the periods its records touch.
    pub period: Option<Period>,
    /// `None` where no time is known (a workbook checked from bytes).
    pub arrived: Option<NaiveDateTime>,
}

/// An instructions sheet (`说明`, `填写说明`, `Instructions`, `README`): read only for
/// the period a provider may declare in it.
pub fn is_instructions_sheet(name: &str) -> bool {
    let n = name.trim().to_lowercase();
    crate::ingest::schema::SKIPPED_SHEETS.contains(&n.as_str())
}

/// Rows of an instructions sheet looked at for a declared period.
pub const DECLARED_PERIOD_ROWS: u32 = 200;

/// The period declared in an instructions sheet: a label cell (`报告期间`,
/// `数据期间`, `统计期间`, `期间`, `Period`, `Reporting period`, `Data period`,
/// with or without a colon) and, in the same row to its right, the period as
/// text (`2026-10`, `2026-Q4`, `2026年10月`). The first one found wins; only the
/// first [`DECLARED_PERIOD_ROWS`] rows are looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Declared {
    label_row: Option<u32>,
    pub found: Option<Period>,
}

impl Declared {
    /// A date cell of the sheet: the value of a label's row declares its month.
    pub fn see_month(&mut self, row: u32, d: chrono::NaiveDate) {
        if self.found.is_none() && self.label_row == Some(row) && row < DECLARED_PERIOD_ROWS {
            self.found = Some(Period::of_date(d));
        }
    }

    /// A text cell of the sheet, in row order.
    pub fn see(&mut self, row: u32, text: &str) {
        if self.found.is_some() || row >= DECLARED_PERIOD_ROWS {
            return;
        }
        let t = text.trim();
        if self.label_row == Some(row) {
            self.found = Period::parse(t).ok().or_else(|| period_in_name(t));
            if self.found.is_some() {
                return;
            }
        }
        let label = t
            .trim_end_matches([':', '：'])
            .trim()
            .to_lowercase()
            .replace(' ', "");
        if [
            "报告期间",
            "数据期间",
            "统计期间",
            "期间",
            "period",
            "reportingperiod",
            "dataperiod",
        ]
        .contains(&label.as_str())
        {
            self.label_row = Some(row);
        }
    }
}

/// The period of a delivery from its workspace-relative path: (the period, the
/// name's other period when folder and name disagree).
pub fn period_of(rel: &str) -> (Option<Period>, Option<Period>) {
    let parts: Vec<&str> = rel.split(['/', '\\']).collect();
    let (dirs, name) = parts.split_at(parts.len().saturating_sub(1));
    let folder = dirs.iter().rev().find_map(|d| Period::parse(d).ok());
    let stem = name
        .first()
        .map(|n| n.rsplit_once('.').map_or(*n, |(a, _)| a))
        .unwrap_or("");
    let named = period_in_name(stem);
    match (folder, named) {
        (Some(f), Some(n)) if f != n => (Some(f), Some(n)),
        (Some(f), _) => (Some(f), None),
        (None, n) => (n, None),
    }
}

/// A period written in a file name: `2026-10`, `2026_10`, `2026.10`, `202610`
/// (six digits only: `20261031` is a date, not a period), `2026-Q4`, `2026Q4`,
/// `2026-H2`, `2026年10月`. The last one in the name wins.
pub fn period_in_name(stem: &str) -> Option<Period> {
    let c: Vec<char> = stem.chars().collect();
    let digit = |i: usize| c.get(i).is_some_and(char::is_ascii_digit);
    let num = |a: usize, b: usize| -> String { c[a..b].iter().collect() };
    let mut found = None;
    let mut i = 0;
    while i < c.len() {
        // A run of four digits that does not continue a longer number.
        if !(digit(i) && digit(i + 1) && digit(i + 2) && digit(i + 3)) || (i > 0 && digit(i - 1)) {
            i += 1;
            continue;
        }
        let year = num(i, i + 4);
        let j = i + 4;
        let p = match c.get(j) {
            Some('-' | '_' | '.') if digit(j + 1) => {
                let mut k = j + 1;
                while digit(k) {
                    k += 1;
                }
                (k - j - 1 <= 2).then(|| format!("{year}-{:0>2}", num(j + 1, k)))
            }
            Some('-' | '_')
                if matches!(c.get(j + 1), Some('Q' | 'q' | 'H' | 'h'))
                    && digit(j + 2)
                    && !digit(j + 3) =>
            {
                Some(format!(
                    "{year}-{}{}",
                    c[j + 1].to_ascii_uppercase(),
                    c[j + 2]
                ))
            }
            Some('Q' | 'q' | 'H' | 'h') if digit(j + 1) && !digit(j + 2) => {
                Some(format!("{year}-{}{}", c[j].to_ascii_uppercase(), c[j + 1]))
            }
            Some('年') => {
                let mut k = j + 1;
                while digit(k) {
                    k += 1;
                }
                (k > j + 1 && k - j - 1 <= 2 && c.get(k) == Some(&'月'))
                    .then(|| format!("{year}-{:0>2}", num(j + 1, k)))
            }
            _ if digit(j) && digit(j + 1) && !digit(j + 2) => {
                Some(format!("{year}-{}", num(j, j + 2)))
            }
            _ => None,
        };
        if let Some(p) = p.and_then(|p| Period::parse(&p).ok()) {
            found = Some(p);
        }
        i = j;
    }
    found
}

/// When a file arrived: the time a run recorded for this content before
/// (`recorded`), else its modification time in `tz`, never later than `now`
/// (the run that first sees it).
pub fn arrival(
    recorded: Option<NaiveDateTime>,
    modified: Option<std::time::SystemTime>,
    tz: chrono_tz::Tz,
    now: Option<NaiveDateTime>,
) -> Option<NaiveDateTime> {
    if recorded.is_some() {
        return recorded;
    }
    let m = modified.map(|t| {
        let utc: chrono::DateTime<chrono::Utc> = t.into();
        tz.from_utc_datetime(&utc.naive_utc()).naive_local()
    });
    match (m, now) {
        (Some(m), Some(n)) => Some(m.min(n)),
        (m, n) => m.or(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_declared_in_the_instructions_sheet() {
        let read = |cells: &[(u32, &str)]| {
            let mut d = Declared::default();
            for (r, t) in cells {
                d.see(*r, t);
            }
            d.found.map(|p| p.to_string())
        };
        assert_eq!(
            read(&[(3, "报告期间："), (3, "2026-10")]).as_deref(),
            Some("2026-10")
        );
        assert_eq!(
            read(&[(0, "Reporting period"), (0, "2026-Q4")]).as_deref(),
            Some("2026-Q4")
        );
        assert_eq!(
            read(&[(5, "数据期间"), (5, "2026年9月")]).as_deref(),
            Some("2026-09")
        );
        // The value must be in the label's row; a label alone declares nothing.
        assert_eq!(read(&[(3, "报告期间"), (4, "2026-10")]), None);
        assert_eq!(read(&[(3, "说明：请按模板填写")]), None);
        // Only the first rows are looked at.
        assert_eq!(
            read(&[
                (DECLARED_PERIOD_ROWS, "期间"),
                (DECLARED_PERIOD_ROWS, "2026-10")
            ]),
            None
        );
        assert!(is_instructions_sheet("说明") && is_instructions_sheet("Instructions"));
        assert!(!is_instructions_sheet("事件"));
    }

    fn p(s: &str) -> Option<Period> {
        Some(Period::parse(s).unwrap())
    }

    #[test]
    fn the_folder_wins_and_a_disagreeing_name_is_said() {
        assert_eq!(
            period_of("inbox/2026-10/incidents.xlsx"),
            (p("2026-10"), None)
        );
        assert_eq!(
            period_of("inbox/2026-10/incidents-2026-09.xlsx"),
            (p("2026-10"), p("2026-09"))
        );
        assert_eq!(
            period_of("inbox/incidents-2026-09.xlsx"),
            (p("2026-09"), None)
        );
        assert_eq!(period_of("inbox/team-a/incidents.xlsx"), (None, None));
        assert_eq!(
            period_of("inbox/2026-Q4/capacity.xlsx"),
            (p("2026-Q4"), None)
        );
    }

    #[test]
    fn periods_in_file_names() {
        for (name, want) in [
            ("incidents-2026-10", "2026-10"),
            ("incidents_2026_3", "2026-03"),
            ("incidents 2026.10", "2026-10"),
            ("incidents202610", "2026-10"),
            ("事件_2026年10月", "2026-10"),
            ("changes_2026Q4", "2026-Q4"),
            ("changes-2026-h2", "2026-H2"),
            ("export 2026-09 rev 2026-10", "2026-10"),
        ] {
            assert_eq!(period_in_name(name), p(want), "{name}");
        }
        for name in [
            "incidents",
            "export20261031",
            "v2026",
            "2026-13",
            "12026-10",
        ] {
            assert_eq!(period_in_name(name), None, "{name}");
        }
    }

    #[test]
    fn arrival_is_recorded_else_modified_never_after_the_run() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let tz = chrono_tz::Asia::Shanghai;
        let m = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_790_000_000);
        // 1 790 000 000 s = 2026-09-21 14:13:20 UTC = 22:13:20 in Shanghai.
        let local = t("2026-09-21 22:13") + chrono::Duration::seconds(20);
        assert_eq!(arrival(None, Some(m), tz, None), Some(local));
        assert_eq!(
            arrival(None, Some(m), tz, Some(t("2026-09-01 00:00"))),
            Some(t("2026-09-01 00:00"))
        );
        assert_eq!(
            arrival(Some(t("2026-08-01 00:00")), Some(m), tz, None),
            Some(t("2026-08-01 00:00"))
        );
        assert_eq!(arrival(None, None, tz, None), None);
    }
}

//! Holiday sets: public holidays and adjusted working days (调休).
//!
//! A [`HolidaySet`] answers "is this date a working day?" for the years it
//! *covers*, and refuses ([`CalendarError::YearNotCovered`], naming the year)
//! for any other date: never a silent guess. Plain data; depends only on
//! `model::calendar` for the error type. No clock, no global state except the
//! lazily parsed, immutable shipped set.
//!
//! Rules (the invariants every caller may rely on):
//! - a date listed as [`DayKind::Holiday`] is a day off, a date listed as
//!   [`DayKind::Workday`] is a working day (a make-up working day when it is a
//!   Saturday or Sunday), any other date is a working day Monday–Friday and a
//!   day off on Saturday and Sunday;
//! - **the shipped mainland-China set** ([`HolidaySet::cn`], data in
//!   `data/holidays/`, see its PROVENANCE.md) follows the State Council's
//!   *notice years*: calendar year Y is covered when the notice for Y is in
//!   the data, and every listed day counts whichever notice lists it. A notice
//!   for Y+1 has sometimes reached back to 29–31 December of Y (2007-12-29,
//!   2018-12-29, 2022-12-31 …): until that notice is in the data, those days
//!   follow the notice for Y (what was published when the report was made),
//!   so a December or annual report can be produced on time; once the next
//!   notice is added, a recomputation picks its days up. The 2027 notice is
//!   empty in the shipped data, so 2027 is not covered (the error names 2027);
//! - **a user file** (CSV `date,kind,name` or TOML `[[day]]`, see
//!   [`HolidaySet::load`]) covers the calendar years of the dates it lists,
//!   plus any years named in a TOML `years = [...]` list (for a year without
//!   special days). Its December days need nothing from the next year: the
//!   file's author states the facts per calendar year;
//! - [`HolidaySet::none`] covers every year and lists nothing (plain Mon–Fri).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate, Weekday};

use super::calendar::CalendarError;

/// The shipped data (see `data/holidays/PROVENANCE.md`).
const CN_CSV: &str = include_str!("../../data/holidays/cn_holidays_2007_2027.csv");

/// The name the shipped set is known by (`holidays = "cn"` in the catalogue).
pub const CN: &str = "cn";

/// What a listed date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off (statutory holiday, or a weekday swapped off).
    Holiday,
    /// A working day; on a Saturday or Sunday a make-up working day (调休补班).
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    /// `holiday`/`off`/`休`/`假` or `workday`/`work`/`班`/`补班` (case-insensitive).
    pub fn parse(s: &str) -> Option<DayKind> {
        match s.trim().to_lowercase().as_str() {
            "holiday" | "off" | "休" | "假" | "休息" | "节假日" => Some(DayKind::Holiday),
            "workday" | "work" | "working" | "班" | "补班" | "上班" | "工作日" => {
                Some(DayKind::Workday)
            }
            _ => None,
        }
    }
}

/// One listed date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayEntry {
    pub kind: DayKind,
    pub name: String,
}

/// What a date is, once coverage is established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// Monday–Friday, not listed.
    Weekday,
    /// Saturday or Sunday, not listed.
    Weekend,
    /// Listed as a day off.
    Holiday,
    /// Listed as a working day on a Saturday or Sunday (调休补班).
    MakeUpWorkday,
    /// Listed as a working day on Monday–Friday (no change in practice).
    ListedWeekday,
}

impl DayStatus {
    pub fn is_working(self) -> bool {
        matches!(
            self,
            DayStatus::Weekday | DayStatus::MakeUpWorkday | DayStatus::ListedWeekday
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Coverage {
    /// Every year (no holiday data at all).
    All,
    /// These calendar years.
    Years(BTreeSet<i32>),
    /// Notice years (the shipped set): Y covered when notice Y is present.
    NoticeYears(BTreeSet<i32>),
}

/// A set of public holidays and adjusted working days with the years it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidaySet {
    name: String,
    days: BTreeMap<NaiveDate, DayEntry>,
    coverage: Coverage,
}

/// A holiday CSV split once: the header (its 1-based line, text and
/// lower-cased column names) and the data lines (1-based line, trimmed text),
/// without blank lines and `#` comments.
struct CsvTable<'a> {
    hline: usize,
    header: &'a str,
    cols: Vec<String>,
    lines: Vec<(usize, &'a str)>,
}

impl<'a> CsvTable<'a> {
    fn parse(name: &str, text: &'a str) -> Result<CsvTable<'a>, CalendarError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        let Some((hline, header)) = lines.next() else {
            return Err(file_err(name, None, "the file is empty".into()));
        };
        let cols = split_csv(header)
            .iter()
            .map(|c| c.trim().to_lowercase())
            .collect();
        Ok(CsvTable {
            hline,
            header,
            cols,
            lines: lines.collect(),
        })
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The shipped mainland-China data as the tool carries it (archived with each
/// run that uses it).
pub fn cn_csv() -> &'static str {
    CN_CSV
}

impl HolidaySet {
    /// The shipped mainland-China set (parsed once, shared).
    pub fn cn() -> Arc<HolidaySet> {
        static CN_SET: OnceLock<Arc<HolidaySet>> = OnceLock::new();
        CN_SET
            .get_or_init(|| {
                Arc::new(
                    CsvTable::parse(CN, CN_CSV)
                        .and_then(|t| HolidaySet::from_notice_table(CN, t))
                        .expect("the embedded holiday data parses (checked by a unit test)"),
                )
            })
            .clone()
    }

    /// No holidays: plain Monday–Friday, every year covered.
    pub fn none() -> HolidaySet {
        HolidaySet {
            name: "none".into(),
            days: BTreeMap::new(),
            coverage: Coverage::All,
        }
    }

    /// A set from explicit entries covering the given calendar years (for
    /// tests and generated data). Every entry's year is covered as well.
    pub fn from_entries(
        name: impl Into<String>,
        entries: impl IntoIterator<Item = (NaiveDate, DayKind, String)>,
        years: impl IntoIterator<Item = i32>,
    ) -> HolidaySet {
        let mut covered: BTreeSet<i32> = years.into_iter().collect();
        let mut days = BTreeMap::new();
        for (d, kind, name) in entries {
            covered.insert(d.year());
            days.insert(d, DayEntry { kind, name });
        }
        HolidaySet {
            name: name.into(),
            days,
            coverage: Coverage::Years(covered),
        }
    }

    /// The set's name: `cn`, `none`, or the file it was read from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Listed dates, in order.
    pub fn entries(&self) -> impl Iterator<Item = (NaiveDate, &DayEntry)> {
        self.days.iter().map(|(d, e)| (*d, e))
    }

    /// Several sets as one, later ones extending earlier ones: a date listed by a
    /// later set takes its entry, and a year is covered when any set covers it
    /// (every year when one of them covers every year).
    pub fn layered(name: &str, sets: &[Arc<HolidaySet>]) -> HolidaySet {
        let mut days = BTreeMap::new();
        let mut years = BTreeSet::new();
        let mut all = false;
        for s in sets {
            days.extend(s.days.iter().map(|(d, e)| (*d, e.clone())));
            match &s.coverage {
                Coverage::All => all = true,
                Coverage::Years(y) | Coverage::NoticeYears(y) => years.extend(y.iter().copied()),
            }
        }
        HolidaySet {
            name: name.to_string(),
            days,
            coverage: if all {
                Coverage::All
            } else {
                Coverage::Years(years)
            },
        }
    }

    /// The set of a source: the shipped one, none, a file (resolved against
    /// `root` when relative) or layers of them.
    pub fn of_source(
        source: &crate::model::catalogue::HolidaySource,
        root: &Path,
    ) -> Result<Arc<HolidaySet>, CalendarError> {
        use crate::model::catalogue::HolidaySource as H;
        Ok(match source {
            H::None => Arc::new(HolidaySet::none()),
            H::Cn => HolidaySet::cn(),
            H::File(p) => {
                let full = if p.is_absolute() {
                    p.clone()
                } else {
                    root.join(p)
                };
                Arc::new(HolidaySet::load(&full)?)
            }
            H::Layers(v) => {
                let sets = v
                    .iter()
                    .map(|s| HolidaySet::of_source(s, root))
                    .collect::<Result<Vec<_>, _>>()?;
                let name = sets
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("+");
                Arc::new(HolidaySet::layered(&name, &sets))
            }
        })
    }

    /// The listed entry of a date, if any (no coverage check).
    pub fn entry(&self, d: NaiveDate) -> Option<&DayEntry> {
        self.days.get(&d)
    }

    /// Calendar years whose every day is covered; `None` when all years are.
    pub fn covered_years(&self) -> Option<Vec<i32>> {
        match &self.coverage {
            Coverage::All => None,
            Coverage::Years(y) => Some(y.iter().copied().collect()),
            Coverage::NoticeYears(y) => Some(
                y.iter()
                    .copied()
                    .filter(|year| y.contains(&(year + 1)))
                    .collect(),
            ),
        }
    }

    /// True when every year is covered (no holiday data, [`HolidaySet::none`]).
    pub fn covers_all_years(&self) -> bool {
        self.coverage == Coverage::All
    }

    /// The first and last year with any data (notice years for the shipped
    /// set); `None` when all years are covered or none is. Years in between
    /// may still be uncovered for user files.
    pub fn year_bounds(&self) -> Option<(i32, i32)> {
        match &self.coverage {
            Coverage::All => None,
            Coverage::Years(y) | Coverage::NoticeYears(y) => Some((*y.first()?, *y.last()?)),
        }
    }

    /// `Ok` when the set knows the date; otherwise the year whose data is missing.
    pub fn check(&self, d: NaiveDate) -> Result<(), CalendarError> {
        let missing = match &self.coverage {
            Coverage::All => None,
            Coverage::Years(y) => (!y.contains(&d.year())).then_some(d.year()),
            Coverage::NoticeYears(y) => (!y.contains(&d.year())).then_some(d.year()),
        };
        match missing {
            None => Ok(()),
            Some(year) => Err(CalendarError::YearNotCovered {
                calendar: self.name.clone(),
                year,
            }),
        }
    }

    /// True when [`check`](Self::check) passes.
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.check(d).is_ok()
    }

    /// What the date is (holiday, make-up working day, plain weekday …).
    pub fn status(&self, d: NaiveDate) -> Result<DayStatus, CalendarError> {
        self.check(d)?;
        Ok(self.status_unchecked(d))
    }

    /// [`status`](Self::status) without the coverage check (for building tables).
    pub(crate) fn status_unchecked(&self, d: NaiveDate) -> DayStatus {
        match self.days.get(&d).map(|e| e.kind) {
            Some(DayKind::Holiday) => DayStatus::Holiday,
            Some(DayKind::Workday) if is_weekend(d) => DayStatus::MakeUpWorkday,
            Some(DayKind::Workday) => DayStatus::ListedWeekday,
            None if is_weekend(d) => DayStatus::Weekend,
            None => DayStatus::Weekday,
        }
    }

    /// Working day: listed workday, or an unlisted Monday–Friday.
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.status(d)?.is_working())
    }

    /// The first working day on or after `d` (the due-date rule of spec §4).
    pub fn next_working_day_on_or_after(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut day = d;
        // Chinese holiday blocks last at most 9 days; 60 is a generous bound
        // that keeps a malformed user file from looping for long.
        for _ in 0..60 {
            if self.is_working_day(day)? {
                return Ok(day);
            }
            day = day.succ_opt().ok_or_else(|| {
                CalendarError::Invalid(format!("no working day after {d} in \"{}\"", self.name))
            })?;
        }
        Err(CalendarError::Invalid(format!(
            "the holiday calendar \"{}\" has no working day in the 60 days from {d}",
            self.name
        )))
    }

    /// Working days in `[from, to)`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut n = 0;
        for d in from.iter_days().take_while(|d| *d < to) {
            n += u32::from(self.is_working_day(d)?);
        }
        Ok(n)
    }

    /// Read a user file: `.csv` or `.toml` (by extension).
    ///
    /// CSV: a header row `date,kind,name` (also `日期,类型,名称`; `name` may be
    /// omitted), then one row per date, `kind` = `holiday` | `workday`
    /// (also `休`/`班`). The shipped `date,name,is_off_day,source_file_year`
    /// layout is accepted too (with notice-year coverage). Blank lines and
    /// lines starting with `#` are skipped.
    ///
    /// TOML: `years = [2027]` (optional) and `[[day]]` tables with `date`
    /// (a TOML date or a `YYYY-MM-DD` string), `kind` and optional `name`.
    pub fn load(path: &Path) -> Result<HolidaySet, CalendarError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CalendarError::File {
            path: shown.clone(),
            message: format!("cannot read the holiday file: {e}"),
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => HolidaySet::parse_csv(&shown, &text),
            Some("toml") => HolidaySet::parse_toml(&shown, &text),
            _ => Err(CalendarError::File {
                path: shown,
                message: "a holiday file must end in .csv or .toml".into(),
            }),
        }
    }

    /// Parse CSV text (see [`load`](Self::load)); `name` names the source in errors.
    pub fn parse_csv(name: &str, text: &str) -> Result<HolidaySet, CalendarError> {
        let CsvTable {
            hline,
            header,
            cols,
            lines,
        } = CsvTable::parse(name, text)?;
        if cols.iter().any(|c| c == "is_off_day") {
            return HolidaySet::from_notice_table(
                name,
                CsvTable {
                    hline,
                    header,
                    cols,
                    lines,
                },
            );
        }
        let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
        let (Some(di), Some(ki)) = (find(&["date", "日期"]), find(&["kind", "type", "类型"]))
        else {
            return Err(file_err(
                name,
                Some(hline),
                format!(
                    "the header must name the columns date,kind,name (found \"{}\")",
                    header
                ),
            ));
        };
        let ni = find(&["name", "名称", "节日"]);
        let mut entries = Vec::new();
        for (line, l) in lines {
            let f = split_csv(l);
            let get = |i: usize| f.get(i).map(|s| s.trim()).unwrap_or("");
            let date = parse_date(get(di)).ok_or_else(|| {
                file_err(
                    name,
                    Some(line),
                    format!("\"{}\" is not a date: write 2027-01-01", get(di)),
                )
            })?;
            let kind = DayKind::parse(get(ki)).ok_or_else(|| {
                file_err(
                    name,
                    Some(line),
                    format!("kind \"{}\" is not holiday or workday", get(ki)),
                )
            })?;
            let dname = ni.map(get).unwrap_or("").to_string();
            entries.push((line, date, kind, dname));
        }
        let mut years = BTreeSet::new();
        let days = collect_days(name, entries, &mut years)?;
        Ok(HolidaySet {
            name: name.to_string(),
            days,
            coverage: Coverage::Years(years),
        })
    }

    /// Parse the shipped layout `date,name,is_off_day,source_file_year`.
    fn from_notice_table(name: &str, table: CsvTable<'_>) -> Result<HolidaySet, CalendarError> {
        let CsvTable {
            hline, cols, lines, ..
        } = table;
        let pos = |n: &str| cols.iter().position(|c| c == n);
        let (Some(di), Some(ni), Some(oi), Some(yi)) = (
            pos("date"),
            pos("name"),
            pos("is_off_day"),
            pos("source_file_year"),
        ) else {
            return Err(file_err(
                name,
                Some(hline),
                "expected the columns date,name,is_off_day,source_file_year".into(),
            ));
        };
        let mut notices = BTreeSet::new();
        let mut entries = Vec::new();
        for (line, l) in lines {
            let f = split_csv(l);
            let get = |i: usize| f.get(i).map(|s| s.trim()).unwrap_or("");
            let date = parse_date(get(di)).ok_or_else(|| {
                file_err(name, Some(line), format!("\"{}\" is not a date", get(di)))
            })?;
            let kind = match get(oi).to_ascii_lowercase().as_str() {
                "true" | "1" => DayKind::Holiday,
                "false" | "0" => DayKind::Workday,
                other => {
                    return Err(file_err(
                        name,
                        Some(line),
                        format!("is_off_day \"{other}\" is not true or false"),
                    ));
                }
            };
            let year: i32 = get(yi).parse().map_err(|_| {
                file_err(
                    name,
                    Some(line),
                    format!("source_file_year \"{}\" is not a year", get(yi)),
                )
            })?;
            notices.insert(year);
            entries.push((line, date, kind, get(ni).to_string()));
        }
        let mut ignored = BTreeSet::new();
        let days = collect_days(name, entries, &mut ignored)?;
        Ok(HolidaySet {
            name: name.to_string(),
            days,
            coverage: Coverage::NoticeYears(notices),
        })
    }

    /// Parse TOML text (see [`load`](Self::load)); `name` names the source in errors.
    pub fn parse_toml(name: &str, text: &str) -> Result<HolidaySet, CalendarError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            years: Vec<i32>,
            #[serde(default)]
            day: Vec<RawDay>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawDay {
            date: toml::Value,
            kind: String,
            #[serde(default)]
            name: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            file_err(name, line, e.message().to_string())
        })?;
        // Line of each `[[day]]` table, for messages.
        let day_lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("[[day]]"))
            .map(|(i, _)| i + 1)
            .collect();
        let mut entries = Vec::new();
        for (i, d) in raw.day.into_iter().enumerate() {
            let line = day_lines.get(i).copied().unwrap_or(0);
            let date_text = match &d.date {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(dt) => dt.to_string(),
                other => other.to_string(),
            };
            let date = parse_date(&date_text).ok_or_else(|| {
                file_err(
                    name,
                    Some(line),
                    format!("date {date_text} is not a date: write date = 2027-01-01"),
                )
            })?;
            let kind = DayKind::parse(&d.kind).ok_or_else(|| {
                file_err(
                    name,
                    Some(line),
                    format!("kind \"{}\" is not holiday or workday", d.kind),
                )
            })?;
            entries.push((line, date, kind, d.name));
        }
        let mut years: BTreeSet<i32> = raw.years.into_iter().collect();
        let days = collect_days(name, entries, &mut years)?;
        Ok(HolidaySet {
            name: name.to_string(),
            days,
            coverage: Coverage::Years(years),
        })
    }
}

fn file_err(name: &str, line: Option<usize>, message: String) -> CalendarError {
    CalendarError::File {
        path: name.to_string(),
        message: match line {
            Some(l) if l > 0 => format!("line {l}: {message}"),
            _ => message,
        },
    }
}

/// Build the date map; a date listed twice with different kinds is an error.
/// Adds each date's calendar year to `years`.
fn collect_days(
    name: &str,
    entries: Vec<(usize, NaiveDate, DayKind, String)>,
    years: &mut BTreeSet<i32>,
) -> Result<BTreeMap<NaiveDate, DayEntry>, CalendarError> {
    let mut days: BTreeMap<NaiveDate, (usize, DayEntry)> = BTreeMap::new();
    for (line, date, kind, dname) in entries {
        years.insert(date.year());
        if let Some((first, prev)) = days.get(&date) {
            if prev.kind != kind {
                return Err(file_err(
                    name,
                    Some(line),
                    format!(
                        "{date} is listed as {} here and as {} on line {first}",
                        kind.as_str(),
                        prev.kind.as_str()
                    ),
                ));
            }
            continue;
        }
        days.insert(date, (line, DayEntry { kind, name: dname }));
    }
    Ok(days.into_iter().map(|(d, (_, e))| (d, e)).collect())
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Split one CSV line; double quotes group (with `""` as an escaped quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn shipped_set_parses_with_published_counts() {
        let cn = HolidaySet::cn();
        assert_eq!(cn.entries().count(), 678);
        // PROVENANCE.md: 2026: 33 off days / 6 make-up working days.
        let y2026: Vec<_> = cn
            .entries()
            .filter(|(d, _)| d.year() == 2026)
            .map(|(_, e)| e.kind)
            .collect();
        assert_eq!(y2026.iter().filter(|k| **k == DayKind::Holiday).count(), 33);
        assert_eq!(y2026.iter().filter(|k| **k == DayKind::Workday).count(), 6);
        assert_eq!(
            cn.covered_years().unwrap(),
            (2007..=2025).collect::<Vec<_>>()
        );
    }

    #[test]
    fn shipped_set_table() {
        let cn = HolidaySet::cn();
        use DayStatus::*;
        let table = [
            (d(2026, 1, 1), Holiday),         // 元旦, Thu
            (d(2026, 1, 4), MakeUpWorkday),   // Sun
            (d(2026, 2, 13), Weekday),        // Fri before 春节
            (d(2026, 2, 14), MakeUpWorkday),  // Sat
            (d(2026, 2, 15), Holiday),        // Sun, listed
            (d(2026, 2, 23), Holiday),        // Mon
            (d(2026, 2, 24), Weekday),        // Tue
            (d(2026, 2, 28), MakeUpWorkday),  // Sat
            (d(2026, 3, 1), Weekend),         // Sun
            (d(2026, 9, 20), MakeUpWorkday),  // Sun
            (d(2026, 9, 25), Holiday),        // 中秋 Fri
            (d(2026, 10, 1), Holiday),        // 国庆 Thu
            (d(2026, 10, 7), Holiday),        // Wed
            (d(2026, 10, 8), Weekday),        // Thu
            (d(2026, 10, 10), MakeUpWorkday), // Sat
            (d(2026, 10, 11), Weekend),       // Sun
            (d(2023, 12, 30), Weekend),       // adjoining weekend, not listed
            (d(2024, 9, 29), MakeUpWorkday),  // Sun
            (d(2022, 12, 31), Holiday),       // listed in the 2023 notice
        ];
        for (date, want) in table {
            assert_eq!(cn.status(date).unwrap(), want, "{date}");
        }
        assert!(cn.is_working_day(d(2026, 10, 10)).unwrap());
        assert!(!cn.is_working_day(d(2026, 10, 5)).unwrap());
    }

    #[test]
    fn shipped_set_coverage_follows_notice_years() {
        let cn = HolidaySet::cn();
        let e = cn.is_working_day(d(2027, 1, 4)).unwrap_err();
        assert_eq!(
            e,
            CalendarError::YearNotCovered {
                calendar: "cn".into(),
                year: 2027
            }
        );
        assert!(e.to_string().contains("2027"), "{e}");
        // 29–31 December 2026 follow the 2026 notice until a 2027 notice says otherwise:
        // Tue 29 and Thu 31 are working days, no error.
        assert!(cn.is_working_day(d(2026, 12, 28)).unwrap());
        assert!(cn.is_working_day(d(2026, 12, 29)).unwrap());
        assert!(cn.is_working_day(d(2026, 12, 31)).unwrap());
        // A later notice's reach-back days count: 2018-12-29 (Sat) is a make-up working day
        // listed in the 2019 notice, 2018-12-31 (Mon) a day off.
        assert!(cn.is_working_day(d(2018, 12, 29)).unwrap());
        assert!(!cn.is_working_day(d(2018, 12, 31)).unwrap());
        assert!(cn.covers(d(2025, 12, 31)));
        assert_eq!(
            cn.check(d(2006, 6, 1)),
            Err(CalendarError::YearNotCovered {
                calendar: "cn".into(),
                year: 2006
            })
        );
    }

    #[test]
    fn next_working_day_moves_over_holidays() {
        let cn = HolidaySet::cn();
        // 2026-10-03 (Sat, National Day) → 10-08 (Thu).
        assert_eq!(
            cn.next_working_day_on_or_after(d(2026, 10, 3)).unwrap(),
            d(2026, 10, 8)
        );
        // A make-up Saturday stays.
        assert_eq!(
            cn.next_working_day_on_or_after(d(2026, 2, 14)).unwrap(),
            d(2026, 2, 14)
        );
        // 2026-02-15 (Sun, Spring Festival) → 02-24 (Tue).
        assert_eq!(
            cn.next_working_day_on_or_after(d(2026, 2, 15)).unwrap(),
            d(2026, 2, 24)
        );
    }

    #[test]
    fn user_csv_and_toml() {
        let csv = "\u{feff}date,kind,name\n# comment\n2027-01-01,holiday,元旦\n2027-02-06,workday,\"春节, 补班\"\n\n";
        let s = HolidaySet::parse_csv("h.csv", csv).unwrap();
        assert_eq!(s.status(d(2027, 1, 1)).unwrap(), DayStatus::Holiday);
        assert_eq!(s.status(d(2027, 2, 6)).unwrap(), DayStatus::MakeUpWorkday);
        assert_eq!(s.entry(d(2027, 2, 6)).unwrap().name, "春节, 补班");
        assert_eq!(s.status(d(2027, 12, 31)).unwrap(), DayStatus::Weekday);
        assert!(matches!(
            s.check(d(2026, 5, 1)),
            Err(CalendarError::YearNotCovered { year: 2026, .. })
        ));

        let toml = "years = [2028]\n[[day]]\ndate = 2027-01-01\nkind = \"holiday\"\nname = \"元旦\"\n[[day]]\ndate = \"2027-02-06\"\nkind = \"班\"\n";
        let t = HolidaySet::parse_toml("h.toml", toml).unwrap();
        assert_eq!(t.status(d(2027, 1, 1)).unwrap(), DayStatus::Holiday);
        assert_eq!(t.status(d(2027, 2, 6)).unwrap(), DayStatus::MakeUpWorkday);
        assert_eq!(t.covered_years().unwrap(), vec![2027, 2028]);
        assert!(t.check(d(2029, 1, 1)).is_err());
    }

    #[test]
    fn user_file_errors_name_file_and_line() {
        let e = HolidaySet::parse_csv(
            "h.csv",
            "date,kind\n2027-01-01,holiday\n2027-13-01,holiday\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "h.csv: line 3: \"2027-13-01\" is not a date: write 2027-01-01"
        );
        let e = HolidaySet::parse_csv("h.csv", "date,kind\n2027-01-01,vacation\n").unwrap_err();
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("vacation"),
            "{e}"
        );
        let e = HolidaySet::parse_csv(
            "h.csv",
            "date,kind\n2027-01-01,holiday\n2027-01-01,workday\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("line 3") && e.to_string().contains("line 2"),
            "{e}"
        );
        let e = HolidaySet::parse_csv("h.csv", "when,what\n").unwrap_err();
        assert!(e.to_string().starts_with("h.csv: line 1:"), "{e}");
        let e = HolidaySet::parse_toml("h.toml", "[[day]]\ndate = 2027-01-01\nkind = \"x\"\n")
            .unwrap_err();
        assert!(e.to_string().starts_with("h.toml: line 1:"), "{e}");
        let e = HolidaySet::parse_toml("h.toml", "[[day]]\ndate = 2027-01-01\nkynd = \"x\"\n")
            .unwrap_err();
        assert!(e.to_string().starts_with("h.toml: line "), "{e}");
        let e = HolidaySet::load(Path::new("/nonexistent/h.csv")).unwrap_err();
        assert!(
            e.to_string().starts_with("/nonexistent/h.csv: cannot read"),
            "{e}"
        );
    }

    #[test]
    fn a_later_layer_extends_the_shipped_set() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("h2027.csv");
        std::fs::write(
            &f,
            "date,kind,name\n2027-01-01,holiday,元旦\n2026-12-31,holiday,元旦\n",
        )
        .unwrap();
        let src = crate::model::catalogue::HolidaySource::Layers(vec![
            crate::model::catalogue::HolidaySource::Cn,
            crate::model::catalogue::HolidaySource::File(f),
        ]);
        let set = HolidaySet::of_source(&src, dir.path()).unwrap();
        // 2026 as shipped, 2027 from the notice, and the notice's reach-back day.
        assert_eq!(set.is_working_day(d(2026, 10, 1)), Ok(false));
        assert_eq!(set.is_working_day(d(2026, 12, 30)), Ok(true));
        assert_eq!(set.is_working_day(d(2026, 12, 31)), Ok(false));
        assert_eq!(set.is_working_day(d(2027, 1, 1)), Ok(false));
        assert_eq!(set.is_working_day(d(2027, 1, 4)), Ok(true));
        assert!(HolidaySet::cn().check(d(2027, 1, 4)).is_err());
        assert!(set.check(d(2028, 1, 3)).is_err());
    }
}

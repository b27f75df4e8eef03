//! Service-hours calendars and business-time arithmetic.
//!
//! Plain data and pure functions; depends only on `model::period`,
//! `model::catalogue` (the calendar definitions) and the holiday sets in
//! `model::holidays`; no clock, no I/O except reading a user holiday file in
//! [`Calendars::from_catalogue`]. All instants are local wall-clock times of
//! the workspace timezone (a DST gap or overlap is counted as wall-clock time).
//! Business time is counted in whole **seconds** (`i64`); minutes are derived
//! for display. Fractions of a second in an instant are ignored.
//!
//! CONTRACT (used by `kpi`): [`BusinessClock`] is the only interface the KPI
//! engine sees. `AlwaysOn` is the 7×24 calendar.
//!
//! # Service calendars ([`ServiceCalendar`])
//! Weekly windows as written in the catalogue: `"mon-fri 09:00-12:00"`,
//! `"sat 09:00-12:00"`, `"mon,wed,fri 08:00-20:00"`, `"daily 00:00-24:00"`,
//! several per day and several ranges per text (`"mon-fri 09:00-12:00
//! 13:30-18:00"`). Day words: `mon`…`sun` (or full names), ranges such as
//! `mon-fri` or `fri-mon` (wrapping), lists with commas, `daily`,
//! `weekdays`, `weekends`. Times are `HH:MM`, `24:00` only as an end; a window
//! may not cross midnight (write two). Overlapping windows are merged.
//!
//! Holiday rules (spec §2.3), for a calendar with a holiday set:
//! - a public holiday ([`DayStatus::Holiday`]) has **no** service hours, even
//!   when it falls on a day of the week that has windows;
//! - an adjusted working day (调休, a Saturday or Sunday listed as a working
//!   day) has the windows of a regular weekday: **Monday's**, or, when the
//!   calendar has no Monday window, those of the first of Tuesday–Friday that
//!   has any (a make-up day stands in for a weekday; which one the notices do
//!   not say, and Mon–Fri windows are normally identical);
//! - any other day has its own weekday's windows.
//!
//! The 7×24 calendar ([`AlwaysOn`], id `7x24`, or a catalogue calendar whose
//! only window is `"7x24"`) ignores holidays. A windowed calendar always
//! follows its holiday set, even `"daily 00:00-24:00"`.
//!
//! # Coverage
//! A computation that needs a day the holiday set does not cover fails with
//! [`CalendarError::YearNotCovered`] naming the year; nothing is guessed. The
//! days *needed* by `business_seconds(from, to)` are those of `[from, to)`;
//! by `add_business_seconds(from, n)` those from `from` to the deadline.
//!
//! # Speed
//! Each calendar precomputes, per day of its covered span, the day's window
//! profile and the cumulative business seconds since the span start, plus a
//! running count of uncovered days. A difference is then two table reads, a
//! deadline a binary search: a million of either take a few tens of
//! milliseconds (`benches/calendar.rs`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

use super::catalogue::{Catalogue, HolidaySource};
use super::holidays::{DayStatus, HolidaySet};
use super::period::Period;

/// A computation needed calendar data for a year that the holiday set does not cover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the holiday calendar \"{calendar}\" has no data for {year}: add that year's holidays and adjusted working days (or use a 7x24 calendar)"
    )]
    YearNotCovered { calendar: String, year: i32 },
    #[error("{0}")]
    Invalid(String),
    /// A holiday file could not be read or parsed (`message` starts with `line N:` when known).
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// A date outside the range business-time tables are built for (calendars
    /// without holiday data span 1990–2100).
    #[error(
        "calendar \"{calendar}\": {date} is outside the supported range {first}-01-01 to {last}-12-31"
    )]
    OutOfRange {
        calendar: String,
        date: chrono::NaiveDate,
        first: i32,
        last: i32,
    },
}

/// Business-time arithmetic on one service-hours calendar.
pub trait BusinessClock: Send + Sync {
    /// Business seconds in `[from, to)`; 0 when `to <= from`.
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError>;

    /// The earliest instant `t >= from` such that `business_seconds(from, t) == secs`
    /// (`secs >= 0`). For `secs == 0` this is `from` itself.
    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError>;
}

/// The 7×24 calendar: every second is a business second; holidays are ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysOn;

impl BusinessClock for AlwaysOn {
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError> {
        Ok((to - from).num_seconds().max(0))
    }

    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError> {
        chrono::Duration::try_seconds(secs.max(0))
            .and_then(|d| from.checked_add_signed(d))
            .ok_or_else(|| {
                CalendarError::Invalid(format!(
                    "{from} + {secs} seconds is beyond the dates this program can represent"
                ))
            })
    }
}

/// The calendars of a catalogue, by id, ready for arithmetic. `7x24` is always present.
///
/// CONTRACT: `kpi` asks `for_service` / `get`; `Calendars::from_catalogue`
/// (built by the calendar work) turns `CalendarDef`s into clocks.
#[derive(Clone)]
pub struct Calendars {
    clocks: std::collections::BTreeMap<String, std::sync::Arc<dyn BusinessClock>>,
    /// Service id → calendar id.
    services: std::collections::BTreeMap<String, String>,
    /// Calendar id → its holiday set (absent for 7×24).
    holidays: std::collections::BTreeMap<String, Arc<HolidaySet>>,
}

impl std::fmt::Debug for Calendars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Calendars")
            .field("calendars", &self.clocks.keys().collect::<Vec<_>>())
            .field("services", &self.services)
            .finish()
    }
}

impl Default for Calendars {
    fn default() -> Self {
        Calendars::new()
    }
}

impl Calendars {
    /// Only the 7×24 calendar.
    pub fn new() -> Calendars {
        let mut clocks: std::collections::BTreeMap<String, std::sync::Arc<dyn BusinessClock>> =
            std::collections::BTreeMap::new();
        clocks.insert(SEVEN_BY_24.to_string(), std::sync::Arc::new(AlwaysOn));
        Calendars {
            clocks,
            services: Default::default(),
            holidays: Default::default(),
        }
    }

    /// One clock per catalogue calendar (`HolidaySource::Cn` → the shipped
    /// set, `File(p)` → `p` relative to `root`, read once per distinct path),
    /// and every service assigned its calendar. Fails on invalid window text,
    /// an unreadable or malformed holiday file, or a service or agreement
    /// naming a calendar that does not exist.
    pub fn from_catalogue(cat: &Catalogue, root: &Path) -> Result<Calendars, CalendarError> {
        let mut cals = Calendars::new();
        let mut files: BTreeMap<std::path::PathBuf, Arc<HolidaySet>> = BTreeMap::new();
        for (id, def) in &cat.calendars {
            if id == SEVEN_BY_24 {
                return Err(CalendarError::Invalid(format!(
                    "calendar \"{SEVEN_BY_24}\" is built in and cannot be redefined"
                )));
            }
            if def.windows.len() == 1 && is_seven_by_24_text(&def.windows[0]) {
                cals.insert(id.clone(), Arc::new(AlwaysOn));
                continue;
            }
            let set = match &def.holidays {
                HolidaySource::None => Arc::new(HolidaySet::none()),
                HolidaySource::Cn => HolidaySet::cn(),
                layers @ HolidaySource::Layers(_) => HolidaySet::of_source(layers, root)?,
                HolidaySource::File(p) => {
                    let full = if p.is_absolute() {
                        p.clone()
                    } else {
                        root.join(p)
                    };
                    match files.get(&full) {
                        Some(s) => s.clone(),
                        None => {
                            let s = Arc::new(HolidaySet::load(&full)?);
                            files.insert(full, s.clone());
                            s
                        }
                    }
                }
            };
            let cal = ServiceCalendar::new(id, &def.windows, set.clone())?;
            cals.holidays.insert(id.clone(), set);
            cals.insert(id.clone(), Arc::new(cal));
        }
        for s in &cat.services {
            if cals.get(&s.calendar).is_none() {
                return Err(CalendarError::Invalid(format!(
                    "service \"{}\" is measured on calendar \"{}\", which is not defined (known: {})",
                    s.id,
                    s.calendar,
                    cals.ids().join(", ")
                )));
            }
            cals.assign(s.id.clone(), s.calendar.clone());
        }
        for a in &cat.agreements {
            if let Some(c) = &a.calendar
                && cals.get(c).is_none()
            {
                return Err(CalendarError::Invalid(format!(
                    "agreement \"{}\" names calendar \"{c}\", which is not defined (known: {})",
                    a.id,
                    cals.ids().join(", ")
                )));
            }
        }
        Ok(cals)
    }

    /// Calendar ids, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.clocks.keys().cloned().collect()
    }

    /// The holiday set of a calendar (`None` for 7×24 calendars).
    pub fn holidays_of(&self, calendar: &str) -> Option<&Arc<HolidaySet>> {
        self.holidays.get(calendar)
    }
    /// Register a calendar under an id.
    pub fn insert(&mut self, id: impl Into<String>, clock: std::sync::Arc<dyn BusinessClock>) {
        self.clocks.insert(id.into(), clock);
    }
    /// Say which calendar a service is measured on.
    pub fn assign(&mut self, service: impl Into<String>, calendar: impl Into<String>) {
        self.services.insert(service.into(), calendar.into());
    }
    /// A calendar by id (`7x24` always exists).
    pub fn get(&self, id: &str) -> Option<&dyn BusinessClock> {
        self.clocks.get(id).map(|c| c.as_ref())
    }
    /// The calendar a service is measured on; 7×24 when the service has none assigned.
    pub fn for_service(&self, service: &str) -> &dyn BusinessClock {
        self.services
            .get(service)
            .and_then(|id| self.get(id))
            .unwrap_or(&AlwaysOn)
    }
    /// The calendar id a service is measured on.
    pub fn calendar_id_of(&self, service: &str) -> &str {
        self.services
            .get(service)
            .map(String::as_str)
            .unwrap_or(SEVEN_BY_24)
    }
}

/// The id of the built-in 7×24 calendar.
pub const SEVEN_BY_24: &str = "7x24";

/// True for the window text that means "7×24, holidays ignored" (`7x24`,
/// `24x7`, `7×24`, `24×7`, any case, spaces around): a calendar whose only
/// window is this text is always on. The catalogue loader and
/// [`Calendars::from_catalogue`] both decide it here.
pub fn is_seven_by_24_text(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "7x24" | "24x7" | "7×24" | "24×7"
    )
}

/// Seconds in a day.
const DAY: u32 = 86_400;

/// Table span of a calendar whose holiday set covers every year.
pub const OPEN_SPAN: (i32, i32) = (1990, 2100);

/// One weekday's service hours: sorted, disjoint `[start, end)` seconds of the day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DayProfile {
    spans: Vec<(u32, u32)>,
    total: u32,
}

impl DayProfile {
    fn new(mut spans: Vec<(u32, u32)>) -> DayProfile {
        spans.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let total = merged.iter().map(|(s, e)| e - s).sum();
        DayProfile {
            spans: merged,
            total,
        }
    }

    /// Business seconds in `[00:00, tod)`.
    fn before(&self, tod: u32) -> u32 {
        let mut n = 0;
        for &(s, e) in &self.spans {
            if tod <= s {
                break;
            }
            n += tod.min(e) - s;
        }
        n
    }

    /// The earliest second of the day at which `before` reaches `rem`
    /// (`0 < rem <= total`).
    fn at(&self, rem: u32) -> u32 {
        let mut left = rem;
        for &(s, e) in &self.spans {
            if left <= e - s {
                return s + left;
            }
            left -= e - s;
        }
        // Unreachable when rem <= total; the end of the day is the safe answer.
        DAY
    }
}

/// A weekly-windowed service-hours calendar with a holiday set (see the module docs).
#[derive(Debug, Clone)]
pub struct ServiceCalendar {
    id: String,
    windows: Vec<String>,
    week: [DayProfile; 7],
    /// Index into `week` used on a make-up working day; `None` if no weekday has windows.
    makeup: Option<u8>,
    holidays: Arc<HolidaySet>,
    /// First and last year of the tables.
    span: (i32, i32),
    /// `num_days_from_ce` of the first table day.
    base: i32,
    /// Per day: index into `week`, or `OFF` for no service hours.
    profile: Vec<u8>,
    /// `cum[i]` = business seconds from the span start to the start of day `i` (len = days + 1).
    cum: Vec<i64>,
    /// `uncovered[i]` = uncovered days before day `i` (len = days + 1).
    uncovered: Vec<u32>,
}

const OFF: u8 = 7;

impl ServiceCalendar {
    /// Build a calendar from window texts and a holiday set; precomputes the tables.
    pub fn new(
        id: &str,
        windows: &[String],
        holidays: Arc<HolidaySet>,
    ) -> Result<ServiceCalendar, CalendarError> {
        if windows.is_empty() {
            return Err(CalendarError::Invalid(format!(
                "calendar \"{id}\" has no windows: write windows = [\"mon-fri 09:00-18:00\"] (or use the 7x24 calendar)"
            )));
        }
        let mut per_day: [Vec<(u32, u32)>; 7] = Default::default();
        for w in windows {
            let (days, ranges) = parse_window(w)?;
            for (i, on) in days.iter().enumerate() {
                if *on {
                    per_day[i].extend(ranges.iter().copied());
                }
            }
        }
        let week: [DayProfile; 7] = per_day.map(DayProfile::new);
        let makeup = (0..5u8).find(|i| week[*i as usize].total > 0);
        let span = match holidays.year_bounds() {
            None if holidays.covers_all_years() => OPEN_SPAN,
            None => (2000, 1999), // no data at all: an empty table, everything uncovered
            Some(b) => b,
        };
        let mut cal = ServiceCalendar {
            id: id.to_string(),
            windows: windows.to_vec(),
            week,
            makeup,
            holidays,
            span,
            base: 0,
            profile: Vec::new(),
            cum: vec![0],
            uncovered: vec![0],
        };
        cal.build_tables();
        Ok(cal)
    }

    fn build_tables(&mut self) {
        let (first, last) = self.span;
        let Some(start) = NaiveDate::from_ymd_opt(first, 1, 1) else {
            return;
        };
        let Some(end) = NaiveDate::from_ymd_opt(last + 1, 1, 1) else {
            return;
        };
        self.base = start.num_days_from_ce();
        let n = usize::try_from((end - start).num_days()).unwrap_or(0);
        self.profile = Vec::with_capacity(n);
        self.cum = Vec::with_capacity(n + 1);
        self.uncovered = Vec::with_capacity(n + 1);
        let (mut acc, mut unc) = (0i64, 0u32);
        self.cum.push(acc);
        self.uncovered.push(unc);
        for d in start.iter_days().take(n) {
            let p = self.profile_of(d);
            self.profile.push(p);
            acc += i64::from(self.week_total(p));
            unc += u32::from(!self.holidays.covers(d));
            self.cum.push(acc);
            self.uncovered.push(unc);
        }
    }

    fn week_total(&self, p: u8) -> u32 {
        self.week.get(p as usize).map_or(0, |w| w.total)
    }

    fn profile_of(&self, d: NaiveDate) -> u8 {
        let own = d.weekday().num_days_from_monday() as u8;
        match self.holidays.status_unchecked(d) {
            DayStatus::Holiday => OFF,
            DayStatus::MakeUpWorkday => self.makeup.unwrap_or(OFF),
            DayStatus::Weekday | DayStatus::Weekend | DayStatus::ListedWeekday => own,
        }
    }

    /// The calendar id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The window texts it was built from.
    pub fn windows(&self) -> &[String] {
        &self.windows
    }

    /// Its holiday set.
    pub fn holidays(&self) -> &Arc<HolidaySet> {
        &self.holidays
    }

    /// Business seconds in one ordinary week (holidays ignored).
    pub fn weekly_seconds(&self) -> i64 {
        self.week.iter().map(|w| i64::from(w.total)).sum()
    }

    /// The service-hour intervals of one date (empty on a holiday).
    pub fn hours_on(
        &self,
        d: NaiveDate,
    ) -> Result<Vec<(NaiveDateTime, NaiveDateTime)>, CalendarError> {
        self.holidays.check(d)?;
        let midnight = d.and_time(chrono::NaiveTime::MIN);
        let p = self.profile_of(d);
        Ok(self
            .week
            .get(p as usize)
            .map(|w| {
                w.spans
                    .iter()
                    .map(|&(s, e)| {
                        (
                            midnight + Duration::seconds(i64::from(s)),
                            midnight + Duration::seconds(i64::from(e)),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    fn date_of(&self, idx: i64) -> Option<NaiveDate> {
        i32::try_from(idx + i64::from(self.base))
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
    }

    fn days(&self) -> i64 {
        self.profile.len() as i64
    }

    /// Day index (may be outside the table) and second of the day.
    fn pos(&self, t: NaiveDateTime) -> (i64, u32) {
        (
            i64::from(t.date().num_days_from_ce()) - i64::from(self.base),
            t.num_seconds_from_midnight().min(DAY - 1),
        )
    }

    /// Business seconds from the span start to `(idx, tod)`; the day must be in
    /// the table, or `idx == days` with `tod == 0`.
    fn cumulative(&self, idx: usize, tod: u32) -> i64 {
        if tod == 0 {
            return self.cum[idx];
        }
        self.cum[idx] + i64::from(self.week_total_before(self.profile[idx], tod))
    }

    fn week_total_before(&self, p: u8, tod: u32) -> u32 {
        self.week.get(p as usize).map_or(0, |w| w.before(tod))
    }

    /// The error for the first day in `[lo, hi]` (day indices) that cannot be used.
    fn coverage_error(&self, lo: i64, hi: i64) -> CalendarError {
        let n = self.days();
        let first_bad = if lo < 0 {
            lo
        } else {
            (lo..=hi.min(n - 1))
                .find(|&i| self.uncovered[i as usize + 1] > self.uncovered[i as usize])
                .unwrap_or(n.max(lo))
        };
        let date = self.date_of(first_bad);
        if let Some(d) = date
            && let Err(e) = self.holidays.check(d)
        {
            return e;
        }
        CalendarError::OutOfRange {
            calendar: self.id.clone(),
            date: date.unwrap_or(NaiveDate::MIN),
            first: self.span.0,
            last: self.span.1,
        }
    }

    /// `Ok` when every day in `[lo, hi]` is in the table and covered.
    fn ensure(&self, lo: i64, hi: i64) -> Result<(), CalendarError> {
        let n = self.days();
        if lo < 0 || hi >= n {
            return Err(self.coverage_error(lo, hi));
        }
        if hi >= lo && self.uncovered[hi as usize + 1] != self.uncovered[lo as usize] {
            return Err(self.coverage_error(lo, hi));
        }
        Ok(())
    }
}

impl BusinessClock for ServiceCalendar {
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let (i0, t0) = self.pos(from);
        let (i1, t1) = self.pos(to);
        // The last day that holds a second of [from, to).
        let last = if t1 == 0 && to.nanosecond() == 0 {
            i1 - 1
        } else {
            i1
        };
        self.ensure(i0, last.max(i0))?;
        let f1 = if last < i1 {
            self.cum[i1 as usize]
        } else {
            self.cumulative(i1 as usize, t1)
        };
        Ok(f1 - self.cumulative(i0 as usize, t0))
    }

    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError> {
        if secs <= 0 {
            return Ok(from);
        }
        let (i0, t0) = self.pos(from);
        self.ensure(i0, i0)?;
        // Saturating: an absurd amount simply runs past the table (an error below).
        let target = self.cumulative(i0 as usize, t0).saturating_add(secs);
        let i0u = i0 as usize;
        // First day j >= i0 whose end reaches the target.
        let k = self.cum[i0u + 1..].partition_point(|&c| c < target);
        let j = i0u + k;
        if j >= self.profile.len() {
            // Past the table: the first uncovered day from `from` on names the year.
            return Err(self.coverage_error(i0, self.days()));
        }
        self.ensure(i0, j as i64)?;
        let rem = u32::try_from(target - self.cum[j])
            .expect("within one day: the remainder is at most 86 400 seconds");
        let tod = self
            .week
            .get(self.profile[j] as usize)
            .map_or(DAY, |w| w.at(rem));
        let date = self.date_of(j as i64).expect("a table day is a valid date");
        Ok(date.and_time(chrono::NaiveTime::MIN) + Duration::seconds(i64::from(tod)))
    }
}

/// One parsed window text: the days it applies to (Monday first) and its
/// `[start, end)` ranges in seconds of the day.
pub type Window = ([bool; 7], Vec<(u32, u32)>);

/// Parse one window text (see the module docs for the grammar).
pub fn parse_window(text: &str) -> Result<Window, CalendarError> {
    let bad = |why: &str| {
        CalendarError::Invalid(format!(
            "calendar window \"{text}\": {why}; write e.g. \"mon-fri 09:00-12:00\", \"sat 09:00-12:00 13:30-18:00\" or \"daily 00:00-24:00\""
        ))
    };
    let t = text.trim();
    let (day_part, rest) = t
        .split_once(char::is_whitespace)
        .ok_or_else(|| bad("expected days then times"))?;
    let mut days = [false; 7];
    for item in day_part.split(',').map(str::trim) {
        let lower = item.to_ascii_lowercase();
        match lower.as_str() {
            "daily" | "everyday" | "all" | "mon-sun" => days = [true; 7],
            "weekdays" => (0..5).for_each(|i| days[i] = true),
            "weekends" | "weekend" => (5..7).for_each(|i| days[i] = true),
            _ => {
                let (a, b) = match lower.split_once('-') {
                    Some((a, b)) => (a, b),
                    None => (lower.as_str(), lower.as_str()),
                };
                let a = weekday_index(a)
                    .ok_or_else(|| bad(&format!("\"{item}\" is not a day of the week")))?;
                let b = weekday_index(b)
                    .ok_or_else(|| bad(&format!("\"{item}\" is not a day of the week")))?;
                let mut i = a;
                loop {
                    days[i] = true;
                    if i == b {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
        }
    }
    let mut ranges = Vec::new();
    for r in rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let (a, b) = r
            .split_once('-')
            .ok_or_else(|| bad(&format!("\"{r}\" is not a time range HH:MM-HH:MM")))?;
        let s = parse_hhmm(a).ok_or_else(|| bad(&format!("\"{a}\" is not a time HH:MM")))?;
        let e = parse_hhmm(b).ok_or_else(|| bad(&format!("\"{b}\" is not a time HH:MM")))?;
        if s >= DAY {
            return Err(bad("24:00 can only end a range"));
        }
        if e <= s {
            return Err(bad(&format!(
                "\"{r}\" ends before it starts; a window past midnight is two windows (… 22:00-24:00 and … 00:00-06:00)"
            )));
        }
        ranges.push((s, e));
    }
    if ranges.is_empty() {
        return Err(bad("no time range"));
    }
    Ok((days, ranges))
}

fn weekday_index(s: &str) -> Option<usize> {
    Some(match s {
        "mon" | "monday" => 0,
        "tue" | "tues" | "tuesday" => 1,
        "wed" | "wednesday" => 2,
        "thu" | "thur" | "thurs" | "thursday" => 3,
        "fri" | "friday" => 4,
        "sat" | "saturday" => 5,
        "sun" | "sunday" => 6,
        _ => return None,
    })
}

/// `H:MM` or `HH:MM` (00:00–24:00) as seconds of the day.
fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 3600 + m * 60)
}

/// A half-open interval `[start, end)` of local instants.
pub type Interval = (NaiveDateTime, NaiveDateTime);

/// Sort, drop empty intervals, and merge overlapping or touching ones, in place.
/// Afterwards the intervals are disjoint, non-empty and in order.
pub fn merge(intervals: &mut Vec<Interval>) {
    intervals.retain(|(s, e)| s < e);
    intervals.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(intervals.len());
    for &(s, e) in intervals.iter() {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    *intervals = out;
}

/// The parts of `intervals` inside `[from, to)`, in input order (empty parts dropped).
pub fn clip(intervals: &[Interval], from: NaiveDateTime, to: NaiveDateTime) -> Vec<Interval> {
    intervals
        .iter()
        .map(|&(s, e)| (s.max(from), e.min(to)))
        .filter(|(s, e)| s < e)
        .collect()
}

/// [`clip`] to a period's `[start, end)`.
pub fn clip_to_period(intervals: &[Interval], p: &Period) -> Vec<Interval> {
    clip(intervals, p.start(), p.end())
}

/// `base` minus `remove`: the merged parts of `base` not covered by `remove`
/// (e.g. service time minus planned outages).
pub fn subtract(base: &[Interval], remove: &[Interval]) -> Vec<Interval> {
    let mut a = base.to_vec();
    merge(&mut a);
    let mut b = remove.to_vec();
    merge(&mut b);
    let mut out = Vec::new();
    let mut j = 0;
    for (s, e) in a {
        let mut cur = s;
        while j < b.len() && b[j].1 <= cur {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].0 < e {
            if b[k].0 > cur {
                out.push((cur, b[k].0));
            }
            cur = cur.max(b[k].1);
            k += 1;
        }
        if cur < e {
            out.push((cur, e));
        }
    }
    out
}

/// Business seconds of the union of `intervals` (overlaps counted once).
pub fn business_seconds_of(
    clock: &dyn BusinessClock,
    intervals: &[Interval],
) -> Result<i64, CalendarError> {
    let mut v = intervals.to_vec();
    merge(&mut v);
    v.iter()
        .try_fold(0i64, |acc, &(s, e)| Ok(acc + clock.business_seconds(s, e)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::{CalendarDef, Service};

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
            .unwrap()
    }

    fn office() -> ServiceCalendar {
        ServiceCalendar::new(
            "office",
            &["mon-fri 09:00-12:00".into(), "mon-fri 13:30-18:00".into()],
            HolidaySet::cn(),
        )
        .unwrap()
    }

    const H: i64 = 3600;

    #[test]
    fn business_seconds_table() {
        let c = office();
        let cases = [
            // lunch break: 11:00-12:00 + 13:30-14:00
            ("2026-03-04 11:00", "2026-03-04 14:00", H + H / 2),
            // inside the break
            ("2026-03-04 12:10", "2026-03-04 13:20", 0),
            // a weekend: Fri 17-18 + Mon 09-10
            ("2026-03-06 17:00", "2026-03-09 10:00", 2 * H),
            // National Day: Wed 09-30 17-18, 10-01..07 off, Thu 10-08 09-10
            ("2026-09-30 17:00", "2026-10-08 10:00", 2 * H),
            // make-up Saturday 2026-02-14 has Monday's hours: Fri 17-18 + Sat 09-10
            ("2026-02-13 17:00", "2026-02-14 10:00", 2 * H),
            // Sat 02-14 17-18, Spring Festival 02-15..23 off, Tue 02-24 09:00-09:30
            ("2026-02-14 17:00", "2026-02-24 09:30", H + H / 2),
            // make-up Sunday 2026-09-20 and make-up Saturday 2026-10-10: whole days
            ("2026-09-20 00:00", "2026-09-21 00:00", 27_000),
            ("2026-10-10 00:00", "2026-10-11 00:00", 27_000),
            // ordinary Saturday
            ("2026-10-17 00:00", "2026-10-18 00:00", 0),
            // February 2026: 16 working days (cn_working_days_per_month) × 7.5 h
            ("2026-02-01 00:00", "2026-03-01 00:00", 16 * 27_000),
            // October 2026: 18 working days
            ("2026-10-01 00:00", "2026-11-01 00:00", 18 * 27_000),
            // reversed and empty
            ("2026-03-04 14:00", "2026-03-04 11:00", 0),
            ("2026-03-04 14:00", "2026-03-04 14:00", 0),
            // seconds
            ("2026-03-04 11:59:59", "2026-03-04 13:30:01", 2),
        ];
        for (a, b, want) in cases {
            assert_eq!(c.business_seconds(t(a), t(b)).unwrap(), want, "{a} → {b}");
        }
    }

    #[test]
    fn deadlines_table() {
        let c = office();
        let cases = [
            // earliest instant: 11:00 + 1h is 12:00, not 13:30
            ("2026-03-04 11:00", H, "2026-03-04 12:00"),
            ("2026-03-04 11:00", H + 1, "2026-03-04 13:30:01"),
            // 0 is the start itself, even outside service hours
            ("2026-03-04 08:00", 0, "2026-03-04 08:00"),
            ("2026-03-04 08:00", 1, "2026-03-04 09:00:01"),
            // over National Day: 16-18 on 09-30, then 09-11 on 10-08
            ("2026-09-30 16:00", 4 * H, "2026-10-08 11:00"),
            // into the make-up Saturday 2026-10-10
            ("2026-10-09 17:00", 2 * H, "2026-10-10 10:00"),
            // Fri 09-18 17:30 + 1h: half an hour, then make-up Sunday 09-20
            ("2026-09-18 17:30", H, "2026-09-20 09:30"),
            // a full day's hours end at 18:00 of the same day
            ("2026-03-04 00:00", 27_000, "2026-03-04 18:00"),
            // over the Spring Festival
            ("2026-02-14 17:00", 2 * H, "2026-02-24 10:00"),
        ];
        for (a, n, want) in cases {
            assert_eq!(
                c.add_business_seconds(t(a), n).unwrap(),
                t(want),
                "{a} + {n}"
            );
        }
    }

    #[test]
    fn holidays_remove_hours_and_makeup_days_take_mondays() {
        let c = ServiceCalendar::new(
            "shop",
            &[
                "mon 08:00-20:00".into(),
                "tue-fri 09:00-18:00".into(),
                "sat 09:00-12:00".into(),
            ],
            HolidaySet::cn(),
        )
        .unwrap();
        // Saturday 2026-02-21 is listed as 春节 holiday: no hours despite the sat window.
        assert_eq!(
            c.business_seconds(t("2026-02-21 00:00"), t("2026-02-22 00:00"))
                .unwrap(),
            0
        );
        // An ordinary Saturday has its own window.
        assert_eq!(
            c.business_seconds(t("2026-03-07 00:00"), t("2026-03-08 00:00"))
                .unwrap(),
            3 * H
        );
        // The make-up Saturday 2026-02-14 has Monday's 12 hours, not Saturday's 3.
        assert_eq!(
            c.business_seconds(t("2026-02-14 00:00"), t("2026-02-15 00:00"))
                .unwrap(),
            12 * H
        );
        assert_eq!(
            c.hours_on(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap())
                .unwrap(),
            vec![(t("2026-02-14 08:00"), t("2026-02-14 20:00"))]
        );
        // Without Monday windows the first weekday with windows stands in.
        let c2 =
            ServiceCalendar::new("x", &["tue-fri 10:00-11:00".into()], HolidaySet::cn()).unwrap();
        assert_eq!(
            c2.business_seconds(t("2026-02-14 00:00"), t("2026-02-15 00:00"))
                .unwrap(),
            H
        );
    }

    #[test]
    fn year_not_covered_is_an_error_naming_the_year() {
        let c = office();
        let want = CalendarError::YearNotCovered {
            calendar: "cn".into(),
            year: 2027,
        };
        assert_eq!(
            c.business_seconds(t("2027-01-04 09:00"), t("2027-01-04 10:00")),
            Err(want.clone())
        );
        assert_eq!(
            c.business_seconds(t("2026-12-28 09:00"), t("2027-01-05 09:00")),
            Err(want.clone())
        );
        // 29–31 December 2026 follow the 2026 notice (no 2027 notice yet): ordinary weekdays.
        assert_eq!(
            c.business_seconds(t("2026-12-29 09:00"), t("2026-12-29 10:00")),
            Ok(H)
        );
        assert_eq!(
            c.add_business_seconds(t("2026-12-28 17:00"), 2 * H),
            Ok(t("2026-12-29 10:00"))
        );
        // 28 December is known too.
        assert_eq!(
            c.add_business_seconds(t("2026-12-28 09:00"), H).unwrap(),
            t("2026-12-28 10:00")
        );
        assert_eq!(
            c.business_seconds(t("2026-12-28 09:00"), t("2026-12-29 00:00"))
                .unwrap(),
            27_000
        );
        // Before the data.
        assert!(matches!(
            c.business_seconds(t("2006-06-01 09:00"), t("2007-01-05 10:00")),
            Err(CalendarError::YearNotCovered { year: 2006, .. })
        ));
        // A calendar without holidays spans 1990–2100.
        let open = ServiceCalendar::new(
            "open",
            &["mon-fri 09:00-18:00".into()],
            Arc::new(HolidaySet::none()),
        )
        .unwrap();
        assert_eq!(
            open.business_seconds(t("2027-01-04 09:00"), t("2027-01-04 10:00"))
                .unwrap(),
            H
        );
        assert!(matches!(
            open.business_seconds(t("2101-01-03 09:00"), t("2101-01-04 10:00")),
            Err(CalendarError::OutOfRange { .. })
        ));
    }

    #[test]
    fn absurd_amounts_are_errors_not_panics() {
        let c = office();
        assert!(matches!(
            c.add_business_seconds(t("2026-03-04 09:00"), i64::MAX),
            Err(CalendarError::YearNotCovered { year: 2027, .. })
        ));
        assert!(matches!(
            AlwaysOn.add_business_seconds(t("2026-03-04 09:00"), i64::MAX),
            Err(CalendarError::Invalid(_))
        ));
        assert_eq!(
            AlwaysOn
                .add_business_seconds(t("2026-03-04 09:00"), -5)
                .unwrap(),
            t("2026-03-04 09:00")
        );
        let open = ServiceCalendar::new(
            "open",
            &["daily 00:00-24:00".into()],
            Arc::new(HolidaySet::none()),
        )
        .unwrap();
        assert!(matches!(
            open.add_business_seconds(t("2026-03-04 09:00"), i64::MAX / 2),
            Err(CalendarError::OutOfRange { .. })
        ));
        assert!(matches!(
            open.business_seconds(NaiveDateTime::MIN, NaiveDateTime::MAX),
            Err(CalendarError::OutOfRange { .. })
        ));
    }

    #[test]
    fn window_parsing() {
        let (d, r) = parse_window("mon,wed,fri 08:00-20:00").unwrap();
        assert_eq!(d, [true, false, true, false, true, false, false]);
        assert_eq!(r, vec![(8 * 3600, 20 * 3600)]);
        let (d, _) = parse_window("fri-mon 09:00-10:00").unwrap();
        assert_eq!(d, [true, false, false, false, true, true, true]);
        let (d, r) = parse_window("Daily 00:00-24:00").unwrap();
        assert_eq!(d, [true; 7]);
        assert_eq!(r, vec![(0, 86_400)]);
        let (_, r) = parse_window("weekdays 09:00-12:00, 13:30-18:00").unwrap();
        assert_eq!(
            r,
            vec![(9 * 3600, 12 * 3600), (13 * 3600 + 1800, 18 * 3600)]
        );
        for bad in [
            "mon-fry 09:00-12:00",
            "mon-fri 9-12",
            "mon-fri 12:00-09:00",
            "mon-fri",
            "mon-fri 24:00-24:00",
            "mon-fri 09:60-10:00",
            "mon-fri 09:00-25:00",
            "",
        ] {
            match parse_window(bad) {
                Err(CalendarError::Invalid(m)) => {
                    assert!(m.contains(&format!("\"{bad}\"")), "{m}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        // Overlapping windows merge: 09-12 ∪ 11-13 = 4 h a day.
        let c = ServiceCalendar::new(
            "o",
            &["mon-fri 09:00-12:00".into(), "mon 11:00-13:00".into()],
            Arc::new(HolidaySet::none()),
        )
        .unwrap();
        assert_eq!(c.weekly_seconds(), 4 * H + 4 * 3 * H);
        assert!(ServiceCalendar::new("e", &[], Arc::new(HolidaySet::none())).is_err());
    }

    #[test]
    fn interval_helpers() {
        let mut v = vec![
            (t("2026-10-01 10:00"), t("2026-10-01 12:00")),
            (t("2026-10-01 09:00"), t("2026-10-01 10:30")),
            (t("2026-10-01 12:00"), t("2026-10-01 13:00")), // touching
            (t("2026-10-01 15:00"), t("2026-10-01 15:00")), // empty
            (t("2026-10-01 16:00"), t("2026-10-01 17:00")),
        ];
        merge(&mut v);
        assert_eq!(
            v,
            vec![
                (t("2026-10-01 09:00"), t("2026-10-01 13:00")),
                (t("2026-10-01 16:00"), t("2026-10-01 17:00")),
            ]
        );
        let c = clip(&v, t("2026-10-01 12:00"), t("2026-10-01 16:30"));
        assert_eq!(
            c,
            vec![
                (t("2026-10-01 12:00"), t("2026-10-01 13:00")),
                (t("2026-10-01 16:00"), t("2026-10-01 16:30")),
            ]
        );
        let p = Period::month(2026, 9);
        let spanning = [(t("2026-08-31 22:00"), t("2026-09-01 02:00"))];
        assert_eq!(
            clip_to_period(&spanning, &p),
            vec![(t("2026-09-01 00:00"), t("2026-09-01 02:00"))]
        );
        let s = subtract(
            &[(t("2026-10-01 00:00"), t("2026-10-02 00:00"))],
            &[
                (t("2026-10-01 02:00"), t("2026-10-01 03:00")),
                (t("2026-10-01 02:30"), t("2026-10-01 04:00")),
                (t("2026-10-01 23:00"), t("2026-10-02 01:00")),
            ],
        );
        assert_eq!(
            s,
            vec![
                (t("2026-10-01 00:00"), t("2026-10-01 02:00")),
                (t("2026-10-01 04:00"), t("2026-10-01 23:00")),
            ]
        );
        // Overlaps count once; on the office calendar only service hours count.
        let outages = [
            (t("2026-03-04 10:00"), t("2026-03-04 14:00")),
            (t("2026-03-04 11:00"), t("2026-03-04 12:30")),
        ];
        assert_eq!(business_seconds_of(&AlwaysOn, &outages).unwrap(), 4 * H);
        assert_eq!(
            business_seconds_of(&office(), &outages).unwrap(),
            2 * H + H / 2
        );
    }

    fn catalogue(cal: CalendarDef) -> Catalogue {
        let mut cat = Catalogue::default();
        cat.calendars.insert(cal.id.clone(), cal);
        cat.services.push(Service {
            id: "email".into(),
            name: "企业邮箱".into(),
            name_en: None,
            calendar: "office".into(),
            customers: vec![],
        });
        cat.services.push(Service {
            id: "web".into(),
            name: "网站".into(),
            name_en: None,
            calendar: "7x24".into(),
            customers: vec![],
        });
        cat
    }

    #[test]
    fn from_catalogue_builds_and_assigns() {
        let cat = catalogue(CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::Cn,
            windows: vec!["mon-fri 09:00-12:00".into(), "mon-fri 13:30-18:00".into()],
        });
        let cals = Calendars::from_catalogue(&cat, Path::new(".")).unwrap();
        assert_eq!(cals.calendar_id_of("email"), "office");
        assert_eq!(
            cals.for_service("email")
                .business_seconds(t("2026-10-01 00:00"), t("2026-11-01 00:00"))
                .unwrap(),
            18 * 27_000
        );
        // 7×24 ignores holidays: all of October.
        assert_eq!(
            cals.for_service("web")
                .business_seconds(t("2026-10-01 00:00"), t("2026-11-01 00:00"))
                .unwrap(),
            31 * 86_400
        );
        assert_eq!(cals.holidays_of("office").unwrap().name(), "cn");

        // A user file, relative to the root.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hol.csv"),
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,workday,补班\n",
        )
        .unwrap();
        let cat = catalogue(CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::File("hol.csv".into()),
            windows: vec!["mon-fri 09:00-17:00".into()],
        });
        let cals = Calendars::from_catalogue(&cat, dir.path()).unwrap();
        // 2027-01-01 (Fri) off, 01-02 (Sat) make-up, 01-04 (Mon) ordinary.
        assert_eq!(
            cals.for_service("email")
                .business_seconds(t("2027-01-01 00:00"), t("2027-01-05 00:00"))
                .unwrap(),
            16 * H
        );

        // A window that means 7×24.
        let cat = catalogue(CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::Cn,
            windows: vec!["7x24".into()],
        });
        let cals = Calendars::from_catalogue(&cat, Path::new(".")).unwrap();
        assert_eq!(
            cals.for_service("email")
                .business_seconds(t("2027-10-01 00:00"), t("2027-10-02 00:00"))
                .unwrap(),
            86_400
        );
    }

    #[test]
    fn from_catalogue_errors() {
        let mut cat = catalogue(CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::Cn,
            windows: vec!["mon-fri 9:00-12".into()],
        });
        let e = Calendars::from_catalogue(&cat, Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("\"mon-fri 9:00-12\""), "{e}");
        cat.calendars.clear();
        let e = Calendars::from_catalogue(&cat, Path::new(".")).unwrap_err();
        assert!(
            e.to_string().contains("service \"email\"") && e.to_string().contains("\"office\""),
            "{e}"
        );
        let cat = catalogue(CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::File("missing.toml".into()),
            windows: vec!["mon-fri 09:00-12:00".into()],
        });
        let e = Calendars::from_catalogue(&cat, Path::new("/nonexistent")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/nonexistent/missing.toml: cannot read"),
            "{e}"
        );
    }
}

//! Cells → typed values: the lenient parsers for what providers actually type.
//!
//! Pure functions over one cell value ([`Raw`]); they know nothing of sheets,
//! rows or the catalogue (those are `ingest::sheet` and `ingest::rows`).
//! Invariants: never panic on any input; an empty or whitespace-only cell is
//! [`Raw::is_blank`]; every failure is a [`CellError`]: a finding's
//! [`Message`] (so its code and text come from the findings tables), boxed so
//! that the good path returns a small `Result` and allocates nothing.
//!
//! Accepted forms: Excel date cells (1900 system, via calamine), numbers that
//! look like Excel serial dates (a date cell that lost its format), text dates
//! `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM[:SS]`, `YYYY年MM月DD日 HH:MM`,
//! ISO 8601 with `T`, seconds, fractions and an offset (`Z`, `+08:00`, `-0500`:
//! converted to the workspace's timezone; a time without one is its wall-clock
//! time already), full-width digits and
//! punctuation anywhere. A date-time column needs a time when typed as text
//! (`2026/7/1` alone is `value.no_time`); an Excel date cell is taken as is.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::sync::OnceLock;

use calamine::{Data, DataRef, ExcelDateTime};
use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use crate::findings::{Code, Found, Message};
use crate::model::period::Period;
use crate::model::records::Priority;

/// One cell's value as read, borrowing shared strings from the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw<'a> {
    Empty,
    Text(Cow<'a, str>),
    Float(f64),
    Int(i64),
    Bool(bool),
    /// An Excel date/time cell (serial, 1900 or 1904 system resolved by calamine).
    DateTime(ExcelDateTime),
    /// ISO 8601 text stored as a date (ODS).
    Iso(Cow<'a, str>),
    /// An error cell such as `#N/A` (as Excel shows it).
    Error(String),
    /// Text beyond Excel's 32,767 characters: not kept, a `value.too_long` where it is read.
    TooLong,
    /// A time an import profile has already read (its declared format) and converted to the
    /// workspace's timezone (`ingest::profile`).
    Local(NaiveDateTime),
    /// A value an import profile could not take (its finding is already made): the row is
    /// rejected, and the value is not judged again.
    Refused,
}

impl<'a> Raw<'a> {
    pub fn from_ref(d: DataRef<'a>) -> Raw<'a> {
        match d {
            DataRef::Empty => Raw::Empty,
            DataRef::SharedString(s) => Raw::Text(Cow::Borrowed(s)),
            DataRef::String(s) => Raw::Text(Cow::Owned(s)),
            DataRef::Float(f) => Raw::Float(f),
            DataRef::Int(i) => Raw::Int(i),
            DataRef::Bool(b) => Raw::Bool(b),
            DataRef::DateTime(d) => Raw::DateTime(d),
            DataRef::DateTimeIso(s) => Raw::Iso(Cow::Owned(s)),
            DataRef::DurationIso(s) => Raw::Text(Cow::Owned(s)),
            DataRef::Error(e) => Raw::Error(e.to_string()),
        }
    }

    pub fn from_data(d: &'a Data) -> Raw<'a> {
        match d {
            Data::Empty => Raw::Empty,
            Data::String(s) => Raw::Text(Cow::Borrowed(s)),
            Data::Float(f) => Raw::Float(*f),
            Data::Int(i) => Raw::Int(*i),
            Data::Bool(b) => Raw::Bool(*b),
            Data::DateTime(d) => Raw::DateTime(*d),
            Data::DateTimeIso(s) => Raw::Iso(Cow::Borrowed(s)),
            Data::DurationIso(s) => Raw::Text(Cow::Borrowed(s)),
            Data::Error(e) => Raw::Error(e.to_string()),
        }
    }

    /// Empty, or text of whitespace only.
    pub fn is_blank(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(s) => trim(s).is_empty(),
            _ => false,
        }
    }

    /// The cell as the provider sees it, for messages (`text "N/A"`, `number 7`).
    pub fn found(&self) -> Found {
        match self {
            Raw::Empty => Found::Empty,
            Raw::Text(s) | Raw::Iso(s) => Found::text(s),
            Raw::Float(f) => Found::Number(*f),
            Raw::Int(i) => Found::Integer(*i),
            Raw::Bool(b) => Found::Bool(*b),
            Raw::DateTime(d) => match d.as_datetime() {
                Some(t) => Found::Date(t),
                None => Found::DateSerial(d.as_f64()),
            },
            Raw::Error(e) => Found::ErrorValue(e.clone()),
            Raw::TooLong => Found::TooLong,
            Raw::Local(t) => Found::Date(*t),
            Raw::Refused => Found::Empty,
        }
    }
}

/// `str::trim`, answering from the first and last character alone in the
/// usual case of text that starts and ends with something visible (every
/// text cell is trimmed at least once, so this is on the hot path).
pub fn trim(s: &str) -> &str {
    match (s.chars().next(), s.chars().next_back()) {
        (Some(a), Some(b)) if !a.is_whitespace() && !b.is_whitespace() => s,
        _ => s.trim(),
    }
}

/// Why a cell could not be read as the column's type: the message of the
/// finding it becomes (boxed: one pointer in the `Result` of the good path).
#[derive(Debug, Clone, PartialEq)]
pub struct CellError(Box<Message>);

impl CellError {
    /// The finding code (`value.not_a_date` …).
    pub fn code(&self) -> Code {
        self.0.code()
    }

    pub fn message(&self) -> &Message {
        &self.0
    }

    pub fn into_message(self) -> Message {
        *self.0
    }
}

fn err(m: Message) -> CellError {
    CellError(Box::new(m))
}

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to their
/// half-width forms. Borrowed when nothing changes.
pub fn to_half_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii()
        || !s
            .chars()
            .any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}')
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect(),
    )
}

/// Key for matching names and choices: half-width, lower case, trimmed,
/// inner whitespace runs collapsed to one space.
pub fn norm(s: &str) -> String {
    let h = to_half_width(s);
    let mut out = String::with_capacity(h.len());
    for w in h.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Excel serial (1900 system) to a local date-time, rounded to the second.
/// Serials ≥ 61 only (the 1900 leap-year bug lies before).
pub fn serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let secs = (serial * 86_400.0).round() as i64;
    base.checked_add_signed(Duration::seconds(secs))
}

/// Numbers that can only be a date that lost its format: 1970-01-01 … 2099-12-31.
fn plausible_serial(f: f64) -> bool {
    (25_569.0..73_051.0).contains(&f)
}

fn parse_num_str(s: &str) -> Option<f64> {
    let h = to_half_width(s.trim());
    let t: String = h.chars().filter(|c| *c != ',' && *c != ' ').collect();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.to_ascii_lowercase().contains("inf") {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A date typed as text, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextDate {
    date: NaiveDate,
    /// The time of day, to the second.
    time: Option<NaiveTime>,
    /// A fraction of a second of .5 or more: the time is one second later
    /// (which may be the next day).
    round_up: bool,
    /// `Z` or `±HH:MM` after the time.
    offset: Option<FixedOffset>,
}

impl TextDate {
    /// The date-time in `tz`: as written when no offset was, else converted.
    fn local_in(&self, tz: chrono_tz::Tz) -> Option<NaiveDateTime> {
        let t = self.date.and_time(self.time?);
        let t = if self.round_up {
            t.checked_add_signed(Duration::seconds(1))?
        } else {
            t
        };
        match self.offset {
            None => Some(t),
            Some(o) => Some(
                o.from_local_datetime(&t)
                    .single()?
                    .with_timezone(&tz)
                    .naive_local(),
            ),
        }
    }
}

/// Split text into a date, an optional time and an optional offset, and parse them;
/// `None` when it is not a date at all.
fn parse_date_text(s: &str) -> Option<TextDate> {
    let h = to_half_width(s.trim());
    let mut t: String = h.replace(['年', '月'], "-").replace(['日', 'T'], " ");
    // A trailing zone: Z, or ±HH:MM / ±HHMM / ±HH after the time (parsed with the time).
    let mut offset = None;
    if let Some(stripped) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        t = stripped.to_string();
        offset = FixedOffset::east_opt(0);
    }
    let t = t.trim();
    let (date_part, time_part) = match t.split_once(' ') {
        Some((d, rest)) => (d, Some(rest.trim())),
        None => (t, None),
    };
    let sep = if date_part.contains('-') {
        '-'
    } else if date_part.contains('/') {
        '/'
    } else if date_part.contains('.') {
        '.'
    } else {
        return None;
    };
    let mut it = date_part.split(sep);
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some()
        || y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || d.is_empty()
        || d.len() > 2
    {
        return None;
    }
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(y) || !all_digits(m) || !all_digits(d) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    let (time, round_up) = match time_part {
        None | Some("") => (None, false),
        Some(tp) => {
            let (time, round_up, o) = parse_time_text(tp)?;
            if o.is_some() {
                if offset.is_some() {
                    return None; // both Z and an offset
                }
                offset = o;
            }
            (Some(time), round_up)
        }
    };
    Some(TextDate {
        date,
        time,
        round_up,
        offset,
    })
}

/// `HH:MM[:SS[.fff]][±HH[:MM]]` → (time, whether the fraction rounds it up, offset).
fn parse_time_text(tp: &str) -> Option<(NaiveTime, bool, Option<FixedOffset>)> {
    let (core, offset) = match tp.find(['+', '-']) {
        Some(i) => (&tp[..i], Some(parse_offset(&tp[i..])?)),
        None => (tp, None),
    };
    let core = core.trim();
    let (hms, frac) = match core.split_once('.') {
        Some((a, f)) if f.bytes().all(|b| b.is_ascii_digit()) => (a, f),
        Some(_) => return None,
        None => (core, ""),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let h: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let s: u32 = match parts.get(2) {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    let t = NaiveTime::from_hms_opt(h, m, s)?;
    // Fractions of a second round to the nearest second (applied to the date-time,
    // so 23:59:59.7 is the next day's 00:00:00, never this day's).
    Some((t, frac.starts_with(['5', '6', '7', '8', '9']), offset))
}

/// `+08:00`, `-0500`, `+08` → the offset; `None` when malformed or beyond ±18 h.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if m >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// A date and time (column type `DateTime`) as a wall-clock time of `tz`: a
/// text time with `Z` or an offset is converted to it. `Ok(None)` for a blank cell.
pub fn datetime(v: &Raw, tz: chrono_tz::Tz) -> Result<Option<NaiveDateTime>, CellError> {
    let not_date = || {
        err(Message::NotADate {
            found: v.found(),
            with_time: true,
        })
    };
    match v {
        Raw::Empty | Raw::Refused => Ok(None),
        Raw::Local(t) => Ok(Some(*t)),
        Raw::DateTime(d) => {
            if d.is_duration() {
                return Err(not_date());
            }
            d.as_datetime().map(Some).ok_or_else(not_date)
        }
        Raw::Float(f) if plausible_serial(*f) => {
            serial_to_datetime(*f).map(Some).ok_or_else(not_date)
        }
        Raw::Int(i) if plausible_serial(*i as f64) => {
            serial_to_datetime(*i as f64).map(Some).ok_or_else(not_date)
        }
        Raw::Text(s) | Raw::Iso(s) => {
            if s.trim().is_empty() {
                return Ok(None);
            }
            if let Some(f) = parse_num_str(s)
                && plausible_serial(f)
            {
                return serial_to_datetime(f).map(Some).ok_or_else(not_date);
            }
            match parse_date_text(s) {
                Some(td) if td.time.is_none() => Err(err(Message::NoTime { found: v.found() })),
                Some(td) => td.local_in(tz).map(Some).ok_or_else(not_date),
                None => Err(not_date()),
            }
        }
        _ => Err(not_date()),
    }
}

/// A calendar date (column type `Date`); a date-time's date is taken.
pub fn date(v: &Raw) -> Result<Option<NaiveDate>, CellError> {
    let not_date = || {
        err(Message::NotADate {
            found: v.found(),
            with_time: false,
        })
    };
    match v {
        Raw::Text(s) | Raw::Iso(s) if !s.trim().is_empty() => {
            if let Some(f) = parse_num_str(s)
                && plausible_serial(f)
            {
                return serial_to_datetime(f)
                    .map(|t| Some(t.date()))
                    .ok_or_else(not_date);
            }
            parse_date_text(s)
                .map(|td| Some(td.date))
                .ok_or_else(not_date)
        }
        // A date cell's date; no offset to apply to a bare date.
        other => match datetime(other, chrono_tz::UTC) {
            Ok(t) => Ok(t.map(|t| t.date())),
            Err(_) => Err(not_date()),
        },
    }
}

/// A number (full-width digits and thousands separators accepted).
pub fn number(v: &Raw) -> Result<Option<f64>, CellError> {
    number_or(v, None)
}

/// [`number`]; `whole`: the column takes whole numbers in this range (for the hint).
fn number_or(v: &Raw, whole: Option<(i64, i64)>) -> Result<Option<f64>, CellError> {
    let nan = || {
        err(Message::NotANumber {
            found: v.found(),
            whole,
        })
    };
    match v {
        Raw::Empty => Ok(None),
        Raw::Float(f) if f.is_finite() => Ok(Some(*f)),
        Raw::Int(i) => Ok(Some(*i as f64)),
        Raw::Text(s) if s.trim().is_empty() => Ok(None),
        Raw::Text(s) => parse_num_str(s).map(Some).ok_or_else(nan),
        _ => Err(nan()),
    }
}

/// A whole number in `[min, max]`.
pub fn int_in(v: &Raw, min: i64, max: i64) -> Result<Option<i64>, CellError> {
    let Some(f) = number_or(v, Some((min, max)))? else {
        return Ok(None);
    };
    if f.fract() != 0.0 {
        return Err(err(Message::NotAnInteger {
            found: v.found(),
            min,
            max,
        }));
    }
    if f < min as f64 || f > max as f64 {
        return Err(err(Message::OutOfRange { value: f, min, max }));
    }
    Ok(Some(f as i64))
}

/// A number as a provider typed it: `12`, not `12.0`.
pub fn fmt_num(f: f64) -> String {
    crate::findings::number_text(f)
}

/// Text, trimmed; numbers become their shortest text (`12345`, not `12345.0`).
pub fn text(v: &Raw) -> Result<Option<String>, CellError> {
    text_cow(v).map(|t| t.map(Cow::into_owned))
}

/// [`text`] borrowing from the cell where it can (the common case: a text
/// cell is trimmed in place, nothing is allocated).
pub fn text_cow<'v>(v: &'v Raw<'_>) -> Result<Option<Cow<'v, str>>, CellError> {
    match v {
        Raw::Empty => Ok(None),
        Raw::Text(s) | Raw::Iso(s) => {
            let t = trim(s);
            Ok((!t.is_empty()).then_some(Cow::Borrowed(t)))
        }
        Raw::Float(f) => Ok(Some(Cow::Owned(fmt_num(*f)))),
        Raw::Int(i) => Ok(Some(Cow::Owned(i.to_string()))),
        Raw::Bool(b) => Ok(Some(Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }))),
        Raw::DateTime(d) => Ok(Some(Cow::Owned(match d.as_datetime() {
            Some(t) if t.time() == NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => fmt_num(d.as_f64()),
        }))),
        Raw::Error(e) => Err(err(Message::ErrorCell { error: e.clone() })),
        Raw::TooLong => Err(err(Message::TooLong {
            limit: super::MAX_CELL_CHARS as u32,
        })),
        Raw::Local(t) if t.time() == NaiveTime::MIN => {
            Ok(Some(Cow::Owned(t.format("%Y-%m-%d").to_string())))
        }
        Raw::Local(t) => Ok(Some(Cow::Owned(t.format("%Y-%m-%d %H:%M:%S").to_string()))),
        Raw::Refused => Ok(None),
    }
}

/// A choice list (`canonical|alias|…` per choice, as the templates' drop-down
/// lists show them) with its lookup table, built once on first use: every
/// spelling as written and normalised (case, width, spaces) → choice index.
pub struct Choices {
    pub list: &'static [&'static str],
    map: OnceLock<HashMap<String, usize>>,
}

impl Choices {
    pub const fn new(list: &'static [&'static str]) -> Choices {
        Choices {
            list,
            map: OnceLock::new(),
        }
    }

    /// The index of the choice `s` names.
    pub fn index(&self, s: &str) -> Option<usize> {
        let map = self.map.get_or_init(|| {
            let mut m = HashMap::default();
            for (i, c) in self.list.iter().enumerate() {
                for alt in c.split('|') {
                    m.entry(alt.to_string()).or_insert(i);
                    m.entry(norm(alt)).or_insert(i);
                }
            }
            m
        });
        let t = trim(s);
        map.get(t).or_else(|| map.get(norm(t).as_str())).copied()
    }
}

/// One of a fixed list (`ColType::Enum`).
pub fn choice(v: &Raw, choices: &Choices) -> Result<Option<usize>, CellError> {
    let Some(s) = text_cow(v)? else {
        return Ok(None);
    };
    choices.index(&s).map(Some).ok_or_else(|| {
        err(Message::NotAChoice {
            value: crate::findings::clip(&s),
            choices: choices.list,
        })
    })
}

/// P1–P4 in every spelling of `schema::PRIORITY_CHOICES`.
pub fn priority(v: &Raw) -> Result<Option<Priority>, CellError> {
    let s = match v {
        Raw::Float(f) if f.fract() == 0.0 => Cow::Owned(fmt_num(*f)),
        _ => match text_cow(v)? {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    match crate::ingest::schema::PRIORITY.index(&s) {
        Some(i) => Ok(Some(Priority::ALL[i])),
        None => Err(err(Message::NotAPriority {
            value: crate::findings::clip(&s),
        })),
    }
}

/// 是/否 · yes/no (and TRUE/FALSE cells, 1/0).
pub fn yes_no(v: &Raw) -> Result<Option<bool>, CellError> {
    if let Raw::Bool(b) = v {
        return Ok(Some(*b));
    }
    let Some(s) = text_cow(v)? else {
        return Ok(None);
    };
    match crate::ingest::schema::YES_NO.index(&s) {
        Some(0) => Ok(Some(true)),
        Some(_) => Ok(Some(false)),
        None => Err(err(Message::NotYesNo { found: v.found() })),
    }
}

/// A month period such as `2026-10` (also a date cell: its month).
pub fn period(v: &Raw) -> Result<Option<Period>, CellError> {
    let bad = || err(Message::NotAPeriod { found: v.found() });
    match v {
        Raw::DateTime(_) | Raw::Iso(_) => match date(v) {
            Ok(Some(d)) => Ok(Some(Period::of_date(d))),
            Ok(None) => Ok(None),
            Err(_) => Err(bad()),
        },
        Raw::Int(i) => Period::parse(&i.to_string()).map(Some).map_err(|_| bad()),
        Raw::Float(f) if f.fract() == 0.0 => {
            Period::parse(&fmt_num(*f)).map(Some).map_err(|_| bad())
        }
        Raw::Text(s) => {
            let h = to_half_width(s.trim());
            if h.is_empty() {
                return Ok(None);
            }
            let t = h.replace('年', "-").replace('月', "").replace('/', "-");
            let t = t.trim_end_matches('-');
            if let Ok(p) = Period::parse(t) {
                return Ok(Some(p));
            }
            // "2026-10-01": a date typed into a period column.
            match parse_date_text(&h) {
                Some(td) => Ok(Some(Period::of_date(td.date))),
                None => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
    use crate::findings::Lang;
    use calamine::ExcelDateTimeType;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }
    fn t(s: &str) -> Raw<'_> {
        Raw::Text(Cow::Borrowed(s))
    }

    proptest::proptest! {
        /// The fast trim is `str::trim`, for any text (ideographic and
        /// no-break spaces, CJK, control characters included).
        #[test]
        fn fast_trim_is_str_trim(s in "[ \\t\\n\u{3000}\u{a0}a-z0-9中文、\u{2028}\u{85}]{0,12}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    /// Every spelling of every list, as written, upper-cased, full-width and
    /// padded, names its own choice; nothing else does.
    #[test]
    fn choice_tables_know_every_spelling() {
        use crate::ingest::schema::*;
        for (set, list) in [
            (&STATUS, STATUS_CHOICES),
            (&CHANGE_TYPE, CHANGE_TYPE_CHOICES),
            (&CHANGE_RESULT, CHANGE_RESULT_CHOICES),
            (&YES_NO, YES_NO_CHOICES),
            (&PRIORITY, PRIORITY_CHOICES),
        ] {
            for (i, c) in list.iter().enumerate() {
                for alt in c.split('|') {
                    let full: String = alt
                        .chars()
                        .map(|ch| match ch {
                            '!'..='~' => char::from_u32(ch as u32 + 0xFEE0).unwrap_or(ch),
                            _ => ch,
                        })
                        .collect();
                    for v in [
                        alt.to_string(),
                        alt.to_uppercase(),
                        format!("  {alt}\u{3000}"),
                        full,
                    ] {
                        assert_eq!(set.index(&v), Some(i), "{v:?} in {list:?}");
                    }
                }
            }
            assert_eq!(set.index("zzz"), None);
            assert_eq!(set.index(""), None);
        }
    }

    #[test]
    fn datetimes_table() {
        let excel =
            |f: f64| Raw::DateTime(ExcelDateTime::new(f, ExcelDateTimeType::DateTime, false));
        let ok: Vec<(Raw, &str)> = vec![
            (excel(46204.0), "2026-07-01 00:00:00"),
            (excel(46204.5), "2026-07-01 12:00:00"),
            (Raw::Float(46204.5), "2026-07-01 12:00:00"),
            (t("46204.25"), "2026-07-01 06:00:00"),
            (t("2026-10-01 08:00"), "2026-10-01 08:00:00"),
            (t("2026/10/01 08:00"), "2026-10-01 08:00:00"),
            (t("2026/7/1 8:05"), "2026-07-01 08:05:00"),
            (t("2026-10-01T08:00:30"), "2026-10-01 08:00:30"),
            // An offset or Z is converted to the workspace's timezone (here +08:00).
            (t("2026-10-01T08:00:30+08:00"), "2026-10-01 08:00:30"),
            (t("2026-10-01T08:00:30.7Z"), "2026-10-01 16:00:31"),
            (t("2026-10-06T01:20:00Z"), "2026-10-06 09:20:00"),
            (t("2026-10-05T20:00:00-05:00"), "2026-10-06 09:00:00"),
            (t("2026-10-05 20:00:00 -0500"), "2026-10-06 09:00:00"),
            (t("2026-10-06T03:00+02"), "2026-10-06 09:00:00"),
            // A fraction that rounds up past 23:59:59 is the next day, never this day's 00:00.
            (t("2026-10-31 23:59:59.6"), "2026-11-01 00:00:00"),
            (t("2026-12-31T15:59:59.5Z"), "2027-01-01 00:00:00"),
            (t("２０２６-１０-０１ ０８:００"), "2026-10-01 08:00:00"),
            (t("２０２６－１０－０１　０８：００"), "2026-10-01 08:00:00"),
            (t("2026年10月1日 08:00"), "2026-10-01 08:00:00"),
            (t("  2026-10-01 08:00:00  "), "2026-10-01 08:00:00"),
        ];
        for (raw, want) in ok {
            assert_eq!(datetime(&raw, SH), Ok(Some(dt(want))), "{raw:?}");
        }
        for blank in [Raw::Empty, t(""), t("   ")] {
            assert_eq!(datetime(&blank, SH), Ok(None));
        }
        let code = |r: Raw| datetime(&r, SH).unwrap_err().code();
        assert_eq!(code(t("N/A")), "value.not_a_date");
        assert_eq!(code(t("2026-13-01 08:00")), "value.not_a_date");
        assert_eq!(code(t("2026-10-01 25:00")), "value.not_a_date");
        assert_eq!(code(t("2026/7/1")), "value.no_time");
        // A malformed offset is no date.
        assert_eq!(code(t("2026-10-06T01:20:00+8")), "value.not_a_date");
        assert_eq!(code(t("2026-10-06T01:20:00+08:99")), "value.not_a_date");
        assert_eq!(code(t("2026-10-06T01:20:00+08:00Z")), "value.not_a_date");
        assert_eq!(code(Raw::Bool(true)), "value.not_a_date");
        assert_eq!(code(Raw::Float(7.0)), "value.not_a_date");
        assert_eq!(code(Raw::Error("#N/A".into())), "value.not_a_date");
        let e = datetime(&t("N/A"), SH).unwrap_err();
        assert_eq!(
            e.message().text(Lang::En),
            "expected a date, found text \"N/A\""
        );
    }

    #[test]
    fn dates_table() {
        let d = |y, m, dd| Some(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        assert_eq!(date(&t("2026/7/1")), Ok(d(2026, 7, 1)));
        assert_eq!(date(&t("2026-10-01 08:00")), Ok(d(2026, 10, 1)));
        assert_eq!(date(&Raw::Float(46204.0)), Ok(d(2026, 7, 1)));
        assert_eq!(date(&t("２０２６/１０/３１")), Ok(d(2026, 10, 31)));
        assert_eq!(
            date(&t("2026-02-30")).unwrap_err().code(),
            "value.not_a_date"
        );
    }

    #[test]
    fn numbers_and_ints() {
        assert_eq!(number(&t("１２.５")), Ok(Some(12.5)));
        assert_eq!(number(&t("1,200")), Ok(Some(1200.0)));
        assert_eq!(number(&Raw::Int(30)), Ok(Some(30.0)));
        assert_eq!(number(&t(" ")), Ok(None));
        assert_eq!(number(&t("N/A")).unwrap_err().code(), "value.not_a_number");
        assert_eq!(number(&t("NaN")).unwrap_err().code(), "value.not_a_number");
        assert_eq!(
            number(&Raw::Error("#DIV/0!".into())).unwrap_err().code(),
            "value.not_a_number"
        );
        assert_eq!(int_in(&t("５"), 1, 5), Ok(Some(5)));
        assert_eq!(int_in(&Raw::Float(4.0), 1, 5), Ok(Some(4)));
        assert_eq!(
            int_in(&Raw::Float(6.0), 1, 5).unwrap_err().code(),
            "value.out_of_range"
        );
        assert_eq!(
            int_in(&Raw::Float(4.5), 1, 5).unwrap_err().code(),
            "value.not_an_integer"
        );
    }

    #[test]
    fn priorities_every_spelling() {
        let cases: Vec<(Raw, Priority)> = vec![
            (t("P1"), Priority::P1),
            (t("p2"), Priority::P2),
            (t("Ｐ３"), Priority::P3),
            (t("1"), Priority::P1),
            (Raw::Float(4.0), Priority::P4),
            (Raw::Int(2), Priority::P2),
            (t("紧急"), Priority::P1),
            (t("高"), Priority::P2),
            (t("中"), Priority::P3),
            (t("低"), Priority::P4),
            (t("Critical"), Priority::P1),
            (t(" HIGH "), Priority::P2),
            (t("medium"), Priority::P3),
            (t("Low"), Priority::P4),
        ];
        for (raw, want) in cases {
            assert_eq!(priority(&raw), Ok(Some(want)), "{raw:?}");
        }
        let e = priority(&t("P7")).unwrap_err();
        assert_eq!(e.code(), Code::ValueNotAPriority);
        assert_eq!(
            e.message().text(Lang::En),
            "priority \"P7\" is not one of P1–P4"
        );
        assert_eq!(
            priority(&Raw::Float(1.5)).unwrap_err().code(),
            "value.not_a_priority"
        );
    }

    #[test]
    fn yes_no_choices_periods_text() {
        assert_eq!(yes_no(&t("是")), Ok(Some(true)));
        assert_eq!(yes_no(&t("No")), Ok(Some(false)));
        assert_eq!(yes_no(&Raw::Bool(true)), Ok(Some(true)));
        assert_eq!(yes_no(&Raw::Float(0.0)), Ok(Some(false)));
        assert_eq!(yes_no(&t("maybe")).unwrap_err().code(), "value.not_yes_no");
        let st = &crate::ingest::schema::STATUS;
        assert_eq!(choice(&t("In Progress"), st), Ok(Some(1)));
        assert_eq!(choice(&t("已关闭"), st), Ok(Some(4)));
        assert_eq!(
            choice(&t("done"), st).unwrap_err().code(),
            "value.not_a_choice"
        );
        let p = |s| Period::parse(s).unwrap();
        assert_eq!(period(&t("2026-10")), Ok(Some(p("2026-10"))));
        assert_eq!(period(&t("２０２６-１０")), Ok(Some(p("2026-10"))));
        assert_eq!(period(&t("2026年10月")), Ok(Some(p("2026-10"))));
        assert_eq!(period(&t("2026-Q4")), Ok(Some(p("2026-Q4"))));
        let excel = Raw::DateTime(ExcelDateTime::new(
            46296.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(period(&excel), Ok(Some(p("2026-10"))));
        assert_eq!(period(&t("Oct")).unwrap_err().code(), "value.not_a_period");
        assert_eq!(text(&Raw::Float(12345.0)), Ok(Some("12345".into())));
        assert_eq!(text(&t("  INC-1 ")), Ok(Some("INC-1".into())));
        assert_eq!(
            text(&Raw::Error("#N/A".into())).unwrap_err().code(),
            "value.error_cell"
        );
    }

    /// A whole-number column's "not a number" names its range in the hint.
    #[test]
    fn whole_number_hints_name_the_range() {
        let e = int_in(&t("many"), 1, 5).unwrap_err();
        assert_eq!(e.code(), Code::ValueNotANumber);
        assert_eq!(
            e.message().hint(Lang::En),
            "type a whole number from 1 to 5"
        );
        assert_eq!(
            number(&t("many")).unwrap_err().message().hint(Lang::En),
            "type digits only, e.g. 30 or 12.5"
        );
    }

    #[test]
    fn normalising() {
        assert_eq!(norm("  Ticket   ID "), "ticket id");
        assert_eq!(norm("挂起时长（分钟）"), "挂起时长(分钟)");
        assert_eq!(norm("ＴＩＣＫＥＴ　ＩＤ"), "ticket id");
    }
}

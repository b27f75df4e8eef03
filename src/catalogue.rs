//! Loading the catalogue (spec §2.2, §2.4) from one or more TOML files into the
//! resolved [`model::catalogue::Catalogue`](crate::model::catalogue::Catalogue).
//!
//! Job: parse every file listed in `svcreport.toml` (`[[customer]]`,
//! `[calendar.<id>]`, `[[service]]`, `[[supplier]]`, `[[team]]`,
//! `[[agreement]]` with `[[agreement.target]]`, `[[process_kpi]]`,
//! `[[person]]`, `[[report]]`), merge them, and validate ids, references, metrics, scopes,
//! thresholds, durations and effective dates.
//!
//! Depends only on `model` and `workspace` (for paths and `closest`); never on
//! ingest, kpi, report or render.
//!
//! Invariants: every problem is reported with `file:line:column` (toml's byte
//! spans, kept with [`toml::Spanned`]); *all* problems are collected and
//! returned together, sorted by file (in the order the workspace lists them)
//! and position; a catalogue that loads is internally consistent (every
//! reference resolves, every `within` is present exactly where the metric needs
//! it, versions of one agreement never overlap), so later stages may look ids
//! up without handling "unknown".
//!
//! `within` durations are written as a sequence of `<n>d`, `<n>h`, `<n>m`
//! (`"15m"`, `"4h"`, `"1h30m"`, `"72h"`, `"2d"`), measured in **business
//! time**: one `d` is 24 business hours, so `"2d"` = `"48h"` of the service's
//! calendar (not "two working days").

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use toml::Spanned;

use crate::model::calendar::{Calendars, SEVEN_BY_24, is_seven_by_24_text, parse_window};
use crate::model::catalogue::{
    Agreement, AgreementKind, Audience, CalendarDef, Catalogue, Customer, HolidaySource, Metric,
    Op, OutputFormat, Person, PersonKey, ProcessKpiTarget, ReportSpec, Service, Supplier, Target,
    Team, Unit,
};
use crate::model::holidays::HolidaySet;
use crate::model::period::Frequency;
use crate::model::records::Priority;
use crate::model::text::line_col;
use crate::workspace::Workspace;
pub use crate::workspace::closest;

/// One problem in the catalogue, at a position of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueIssue {
    /// The file as the workspace names it (relative to the workspace root).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for CatalogueIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Why the catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{path}: cannot read the catalogue: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: the workspace settings list no catalogue file (catalogue = [\"catalogue.toml\"])"
    )]
    NoFiles { path: PathBuf },
    #[error("{path}: the catalogue's calendars cannot be built: {message}")]
    Calendar { path: PathBuf, message: String },
    /// Every problem found, one per line as `file:line:column: message`.
    #[error("{}", issues_text(.0))]
    Invalid(Vec<CatalogueIssue>),
}

impl CatalogueError {
    /// The individual problems (empty for read errors).
    pub fn issues(&self) -> &[CatalogueIssue] {
        match self {
            CatalogueError::Invalid(v) => v,
            _ => &[],
        }
    }
}

fn issues_text(issues: &[CatalogueIssue]) -> String {
    issues
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Read, merge and validate every catalogue file of the workspace.
pub fn load(ws: &Workspace) -> Result<Catalogue, CatalogueError> {
    if ws.catalogue.is_empty() {
        return Err(CatalogueError::NoFiles {
            path: ws.root.join(crate::workspace::FILE_NAME),
        });
    }
    let mut sources = Vec::with_capacity(ws.catalogue.len());
    for rel in &ws.catalogue {
        let path = ws.root.join(rel);
        let text = std::fs::read_to_string(&path).map_err(|source| CatalogueError::Read {
            path: path.clone(),
            source,
        })?;
        sources.push((ws.rel(&path), text));
    }
    let cat = parse_sources(&sources, Some(&ws.root))?;
    // The calendar code builds every clock once more; after the checks above
    // this cannot fail, unless a holiday file changed in between.
    Calendars::from_catalogue(&cat, &ws.root).map_err(|e| CatalogueError::Calendar {
        path: ws.root.join(crate::workspace::FILE_NAME),
        message: e.to_string(),
    })?;
    Ok(cat)
}

/// Parse and validate one catalogue text (`name` is used in messages).
pub fn parse_str(name: &str, text: &str) -> Result<Catalogue, CatalogueError> {
    parse_sources(&[(name.to_string(), text.to_string())], None)
}

/// Parse, merge and validate several catalogue texts `(name, text)`, in order.
/// With `root`, holiday files named by calendars must exist under it.
pub fn parse_sources(
    sources: &[(String, String)],
    root: Option<&Path>,
) -> Result<Catalogue, CatalogueError> {
    let mut cx = Cx {
        sources,
        issues: Vec::new(),
    };
    let mut raws = Vec::with_capacity(sources.len());
    for (i, (_, text)) in sources.iter().enumerate() {
        match toml::from_str::<RawFile>(text) {
            Ok(raw) => raws.push((i, raw)),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                cx.push(i, span, toml_error_message(&e));
            }
        }
    }
    // A file that does not parse would make every reference into it look
    // unknown: report the parse errors alone.
    if !cx.issues.is_empty() {
        return Err(cx.finish());
    }
    let cat = validate(&mut cx, raws, root);
    if cx.issues.is_empty() {
        Ok(cat)
    } else {
        Err(cx.finish())
    }
}

// ---------------------------------------------------------------------------
// The TOML shape (spec §2.4).

type S<T> = Spanned<T>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    customer: Vec<RawCustomer>,
    #[serde(default)]
    calendar: BTreeMap<String, S<RawCalendar>>,
    #[serde(default)]
    service: Vec<RawService>,
    #[serde(default)]
    supplier: Vec<RawParty>,
    #[serde(default)]
    team: Vec<RawParty>,
    #[serde(default)]
    agreement: Vec<RawAgreement>,
    #[serde(default)]
    process_kpi: Vec<RawProcessKpi>,
    #[serde(default)]
    person: Vec<RawPerson>,
    #[serde(default)]
    report: Vec<RawReport>,
    #[serde(default)]
    timeliness: Option<S<RawTimeliness>>,
    #[serde(default)]
    process: Vec<RawProcess>,
    #[serde(default)]
    resource: Vec<RawParty>,
}

/// `[timeliness]`: the on-time shares the reporting process aims at, in percent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeliness {
    #[serde(default)]
    data_on_time: Option<S<f64>>,
    #[serde(default)]
    reports_on_time: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcess {
    id: S<String>,
    name: S<String>,
    #[serde(default)]
    name_en: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    metrics: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    id: S<String>,
    name: S<String>,
    #[serde(default)]
    name_en: Option<String>,
    /// Each a string (`"ssh-ed25519 AAAA…"`) or a table
    /// `{ key = "…", valid_after = 2026-01-01, revoked = 2026-11-01T12:00:00 }`.
    #[serde(default)]
    keys: Vec<S<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    id: S<String>,
    name: S<String>,
    #[serde(default)]
    name_en: Option<String>,
    /// Other names the inbox may use (`aliases = ["安科美", "ACME"]`).
    #[serde(default)]
    aliases: Vec<S<String>>,
    #[serde(default)]
    recipients: Vec<S<String>>,
}

/// `holidays = "cn"` or a list of layers, `holidays = ["cn", "holidays-2027.csv"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum HolidaysRaw {
    One(String),
    Many(Vec<String>),
}

/// One holiday source as written: `cn`, `none` or a file (checked to exist and parse).
fn holiday_source(v: &str, root: Option<&Path>, cx: &mut Cx, at: Loc) -> HolidaySource {
    let v = v.trim();
    match v.to_ascii_lowercase().as_str() {
        "cn" => HolidaySource::Cn,
        "none" => HolidaySource::None,
        "" => {
            cx.at(
                at,
                "holidays is empty: write \"cn\", \"none\" or a file path".into(),
            );
            HolidaySource::None
        }
        _ => {
            let p = PathBuf::from(v);
            if let Some(root) = root {
                let full = root.join(&p);
                if !full.is_file() {
                    cx.at(
                        at,
                        format!(
                            "holiday file \"{v}\" does not exist (paths are relative to the workspace; or write \"cn\" for the shipped mainland-China calendar)"
                        ),
                    );
                } else if let Err(e) = HolidaySet::load(&full) {
                    cx.at(at, format!("holiday file \"{v}\": {e}"));
                }
            }
            HolidaySource::File(p)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    holidays: Option<S<HolidaysRaw>>,
    #[serde(default)]
    windows: Option<S<Vec<S<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: S<String>,
    name: S<String>,
    #[serde(default)]
    name_en: Option<String>,
    /// Other names the inbox may use.
    #[serde(default)]
    aliases: Vec<S<String>>,
    calendar: S<String>,
    #[serde(default)]
    customers: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    id: S<String>,
    name: S<String>,
    #[serde(default)]
    name_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgreement {
    id: S<String>,
    kind: S<String>,
    version: S<String>,
    #[serde(default)]
    title: Option<String>,
    party: S<String>,
    services: S<Vec<S<String>>>,
    effective: S<RawEffective>,
    #[serde(default)]
    calendar: Option<S<String>>,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffective {
    from: S<toml::Value>,
    #[serde(default)]
    to: Option<S<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    metric: S<String>,
    #[serde(default)]
    priority: Option<S<String>>,
    #[serde(default)]
    service: Option<S<String>>,
    #[serde(default)]
    customer: Option<S<String>>,
    #[serde(default)]
    resource: Option<S<String>>,
    #[serde(default)]
    within: Option<S<String>>,
    op: S<String>,
    threshold: S<f64>,
    #[serde(default)]
    unit: Option<S<String>>,
    #[serde(default)]
    at_risk: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcessKpi {
    process: S<String>,
    kpi: S<String>,
    op: S<String>,
    threshold: S<f64>,
    #[serde(default)]
    unit: Option<S<String>>,
    #[serde(default)]
    at_risk: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    id: S<String>,
    title: S<String>,
    #[serde(default)]
    title_en: Option<String>,
    audience: S<String>,
    agreements: S<Vec<S<String>>>,
    frequency: S<String>,
    formats: S<Vec<S<String>>>,
    template: S<String>,
    doc_number: S<String>,
    compiler: S<String>,
    reviewer: S<String>,
    approver: S<String>,
    #[serde(default)]
    recipients: Vec<S<String>>,
}

// ---------------------------------------------------------------------------
// Issue collection.

/// A position: file index and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Loc {
    file: usize,
    offset: usize,
}

struct Cx<'a> {
    sources: &'a [(String, String)],
    issues: Vec<(Loc, String)>,
}

impl Cx<'_> {
    fn push(&mut self, file: usize, span: Range<usize>, message: String) {
        self.issues.push((
            Loc {
                file,
                offset: span.start,
            },
            message,
        ));
    }
    fn at(&mut self, loc: Loc, message: String) {
        self.issues.push((loc, message));
    }
    /// `file:line:column` of a location, for "first defined at" notes.
    fn where_(&self, loc: Loc) -> String {
        let (name, text) = &self.sources[loc.file];
        let (l, c) = line_col(text, loc.offset);
        format!("{name}:{l}:{c}")
    }
    fn finish(&mut self) -> CatalogueError {
        let mut issues = std::mem::take(&mut self.issues);
        issues.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        issues.dedup();
        CatalogueError::Invalid(
            issues
                .into_iter()
                .map(|(loc, message)| {
                    let (name, text) = &self.sources[loc.file];
                    let (line, column) = line_col(text, loc.offset);
                    CatalogueIssue {
                        file: name.clone(),
                        line,
                        column,
                        message,
                    }
                })
                .collect(),
        )
    }
}

fn loc(file: usize, s: &S<impl Sized>) -> Loc {
    Loc {
        file,
        offset: s.span().start,
    }
}

/// A toml/serde error message, with a "did you mean" for unknown keys.
fn toml_error_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    // serde: "unknown field `thresold`, expected one of `metric`, `op`, …"
    //    or: "unknown field `x`, expected `y`" / "…, there are no fields"
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let Some((unknown, tail)) = rest.split_once('`') else {
            return msg;
        };
        let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        let mut out = format!("unknown key \"{unknown}\"");
        out.push_str(&did_you_mean(unknown, expected.iter().copied()));
        if !expected.is_empty() {
            out.push_str(&format!("; valid keys here: {}", expected.join(", ")));
        }
        return out;
    }
    // serde: "missing field `party`"
    if let Some(rest) = msg.strip_prefix("missing field `")
        && let Some((key, _)) = rest.split_once('`')
    {
        return format!("missing key \"{key}\"");
    }
    if msg.starts_with("invalid type:") && msg.ends_with("expected a string") {
        return format!("{msg}: put the value in quotes");
    }
    msg
}

/// ` (did you mean "x"?)` or empty (the rule of [`crate::suggest`]).
fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    crate::suggest::did_you_mean(word, candidates)
}

// ---------------------------------------------------------------------------
// Value parsers (public for the docs and for tests).

/// Parse a per-ticket limit such as `"15m"`, `"4h"`, `"1h30m"`, `"72h"`, `"2d"`
/// into business seconds. `d` = 24 business hours. Units in the order d, h, m,
/// each at most once; the total must be positive.
pub fn parse_within(s: &str) -> Result<i64, String> {
    let t: String = s.trim().to_ascii_lowercase().replace(' ', "");
    let bad = || {
        format!(
            "within \"{s}\" is not a duration: write e.g. \"15m\", \"4h\", \"1h30m\", \"72h\" or \"2d\" (= 48 business hours)"
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut last_rank = 0u8;
    let mut digits = String::new();
    for ch in t.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let (rank, secs) = match ch {
            'd' => (1, 86_400),
            'h' => (2, 3_600),
            'm' => (3, 60),
            _ => return Err(bad()),
        };
        if digits.is_empty() || rank <= last_rank {
            return Err(bad());
        }
        let n: i64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(secs)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        last_rank = rank;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    if total <= 0 {
        return Err(format!("within \"{s}\" must be longer than zero"));
    }
    Ok(total)
}

/// Parse a comparison: `>=`, `<=`, `≥`, `≤`.
pub fn parse_op(s: &str) -> Option<Op> {
    match s.trim() {
        ">=" | "≥" | "=>" => Some(Op::Ge),
        "<=" | "≤" | "=<" => Some(Op::Le),
        _ => None,
    }
}

fn parse_kind(s: &str) -> Option<AgreementKind> {
    match s.trim().to_ascii_uppercase().as_str() {
        "SLA" => Some(AgreementKind::Sla),
        "UC" => Some(AgreementKind::Uc),
        "OLA" => Some(AgreementKind::Ola),
        _ => None,
    }
}

fn parse_audience(s: &str) -> Option<Audience> {
    match s.trim().to_ascii_lowercase().as_str() {
        "customer" => Some(Audience::Customer),
        "internal" => Some(Audience::Internal),
        "supplier" => Some(Audience::Supplier),
        _ => None,
    }
}

fn parse_format(s: &str) -> Option<OutputFormat> {
    match s.trim().to_ascii_lowercase().as_str() {
        "pdf" => Some(OutputFormat::Pdf),
        "xlsx" => Some(OutputFormat::Xlsx),
        _ => None,
    }
}

/// Placeholders a `doc_number` pattern may use.
pub const DOC_NUMBER_PLACEHOLDERS: [&str; 3] = ["{period}", "{year}", "{id}"];

/// Metrics that may be scoped to a priority.
fn metric_has_priority(m: Metric) -> bool {
    matches!(
        m,
        Metric::ResponseCompliance
            | Metric::ResolutionCompliance
            | Metric::Mttr
            | Metric::Backlog
            | Metric::MajorIncidents
            | Metric::UcResponseCompliance
            | Metric::UcRestoreCompliance
    )
}

fn metric_is_capacity(m: Metric) -> bool {
    matches!(m, Metric::CapacityPeak | Metric::CapacityDaysOver)
}

fn metric_is_uc(m: Metric) -> bool {
    matches!(
        m,
        Metric::UcResponseCompliance | Metric::UcRestoreCompliance
    )
}

/// Check a threshold for its unit; `None` when fine.
fn threshold_problem(unit: &Unit, v: f64) -> Option<String> {
    if !v.is_finite() {
        return Some(format!("threshold {v} is not a finite number"));
    }
    match unit {
        Unit::Percent if !(0.0..=100.0).contains(&v) => Some(format!(
            "threshold {v} is not a percentage between 0 and 100"
        )),
        Unit::Score if !(1.0..=5.0).contains(&v) => {
            Some(format!("threshold {v} is not a score between 1 and 5"))
        }
        _ if v < 0.0 => Some(format!("threshold {v} is negative")),
        _ => None,
    }
}

fn at_risk_problem(unit: &Unit, v: f64) -> Option<String> {
    if !v.is_finite() || v < 0.0 {
        return Some(format!("at_risk {v} must be a number ≥ 0"));
    }
    if *unit == Unit::Percent && v > 100.0 {
        return Some(format!("at_risk {v} is more than 100 percentage points"));
    }
    None
}

fn toml_date(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

fn fmt_range(from: NaiveDate, to: Option<NaiveDate>) -> String {
    match to {
        Some(t) => format!("{from} – {t}"),
        None => format!("{from} – open-ended"),
    }
}

// ---------------------------------------------------------------------------
// Validation and resolution.

/// Ids already seen of one kind: id → where first defined.
struct Ids {
    kind: &'static str,
    seen: BTreeMap<String, Loc>,
}

impl Ids {
    fn new(kind: &'static str) -> Ids {
        Ids {
            kind,
            seen: BTreeMap::new(),
        }
    }
    /// Register an id; report empty or duplicate ids. True when newly added.
    fn add(&mut self, cx: &mut Cx, file: usize, id: &S<String>) -> bool {
        let at = loc(file, id);
        let v = id.get_ref();
        if v.trim().is_empty() {
            cx.at(at, format!("{} id is empty", self.kind));
            return false;
        }
        if v.trim() != v {
            cx.at(
                at,
                format!("{} id \"{v}\" has leading or trailing spaces", self.kind),
            );
            return false;
        }
        if let Some(first) = self.seen.get(v) {
            let w = cx.where_(*first);
            cx.at(
                at,
                format!("duplicate {} id \"{v}\" (first defined at {w})", self.kind),
            );
            return false;
        }
        self.seen.insert(v.clone(), at);
        true
    }
    fn contains(&self, id: &str) -> bool {
        self.seen.contains_key(id)
    }
    fn names(&self) -> impl Iterator<Item = &str> {
        self.seen.keys().map(String::as_str)
    }
}

fn non_empty(cx: &mut Cx, file: usize, s: &S<String>, what: &str) -> String {
    if s.get_ref().trim().is_empty() {
        cx.at(loc(file, s), format!("{what} is empty"));
    }
    s.get_ref().trim().to_string()
}

/// The spellings one customer or service goes by (id, name, English name, aliases), each
/// with where it is written (the English name: at the id, it has no place of its own).
struct Spellings {
    id: String,
    list: Vec<(Spelling, String, Loc)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Spelling {
    Id,
    Name,
    NameEn,
    Alias,
}

impl Spelling {
    fn what(self) -> &'static str {
        match self {
            Spelling::Id => "the id",
            Spelling::Name => "the name",
            Spelling::NameEn => "the English name",
            Spelling::Alias => "an alias",
        }
    }
}

impl Spellings {
    fn of(
        file: usize,
        id: &S<String>,
        name: &S<String>,
        name_en: &Option<String>,
        aliases: &[S<String>],
    ) -> Spellings {
        let mut list = vec![
            (Spelling::Id, id.get_ref().clone(), loc(file, id)),
            (Spelling::Name, name.get_ref().clone(), loc(file, name)),
        ];
        if let Some(en) = name_en {
            list.push((Spelling::NameEn, en.clone(), loc(file, id)));
        }
        for a in aliases {
            list.push((Spelling::Alias, a.get_ref().clone(), loc(file, a)));
        }
        Spellings {
            id: id.get_ref().clone(),
            list,
        }
    }
}

/// How the inbox's names are matched at the loosest (`ingest`: a name found ignoring case,
/// full-width forms and spaces is taken, with a note): lower case, half-width, no whitespace.
fn name_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// An alias must name one customer (or service): an alias that another entry of the same
/// kind also goes by (its id, name, English name or an alias), ignoring case, width and
/// spaces, is refused at the alias, naming the other entry and where it is written. The
/// inbox could not tell the two apart.
fn aliases_name_one_entry(cx: &mut Cx, kind: &str, entries: &[Spellings]) {
    // The ids and names first, then the aliases in the order written.
    let mut owner: BTreeMap<String, (usize, Spelling, Loc)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for (what, text, at) in &e.list {
            let k = name_key(text);
            if *what != Spelling::Alias && !k.is_empty() {
                owner.entry(k).or_insert((i, *what, *at));
            }
        }
    }
    for (i, e) in entries.iter().enumerate() {
        for (what, text, at) in &e.list {
            let k = name_key(text);
            if *what != Spelling::Alias || k.is_empty() {
                continue;
            }
            match owner.get(&k) {
                Some((j, other, other_at)) if *j != i => {
                    let w = cx.where_(*other_at);
                    cx.at(
                        *at,
                        format!(
                            "{kind} \"{}\" has the alias \"{}\", which is also {} of {kind} \"{}\" ({w}; case, width and spaces ignored): an alias must name one {kind} only",
                            e.id,
                            text.trim(),
                            other.what(),
                            entries[*j].id,
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    owner.insert(k, (i, Spelling::Alias, *at));
                }
            }
        }
    }
}

fn validate(cx: &mut Cx, raws: Vec<(usize, RawFile)>, root: Option<&Path>) -> Catalogue {
    let mut cat = Catalogue::default();

    // Pass 1: the things others refer to.
    let mut customer_ids = Ids::new("customer");
    let mut supplier_ids = Ids::new("supplier");
    let mut team_ids = Ids::new("team");
    let mut process_ids = Ids::new("process");
    let mut resource_ids = Ids::new("resource");
    let mut service_ids = Ids::new("service");
    let mut calendar_locs: BTreeMap<String, Loc> = BTreeMap::new();
    let mut customer_names: Vec<Spellings> = Vec::new();
    let mut service_names: Vec<Spellings> = Vec::new();

    for (f, raw) in &raws {
        let f = *f;
        for c in &raw.customer {
            if customer_ids.add(cx, f, &c.id) {
                let name = non_empty(cx, f, &c.name, "customer name");
                let aliases: Vec<String> = c
                    .aliases
                    .iter()
                    .map(|a| a.get_ref().trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect();
                if !aliases.is_empty() {
                    cat.customer_aliases.insert(c.id.get_ref().clone(), aliases);
                }
                customer_names.push(Spellings::of(f, &c.id, &c.name, &c.name_en, &c.aliases));
                cat.customers.push(Customer {
                    id: c.id.get_ref().clone(),
                    name,
                    name_en: c.name_en.clone(),
                    recipients: recipients(
                        cx,
                        f,
                        &format!("customer \"{}\"", c.id.get_ref()),
                        &c.recipients,
                    ),
                });
            }
        }
        for s in &raw.supplier {
            if supplier_ids.add(cx, f, &s.id) {
                let name = non_empty(cx, f, &s.name, "supplier name");
                cat.suppliers.push(Supplier {
                    id: s.id.get_ref().clone(),
                    name,
                    name_en: s.name_en.clone(),
                });
            }
        }
        for p in &raw.process {
            if process_ids.add(cx, f, &p.id) {
                let name = non_empty(cx, f, &p.name, "process name");
                let mut metrics = Vec::new();
                for m in &p.metrics {
                    match Metric::parse(m.get_ref()) {
                        Some(x) => metrics.push(x),
                        None => cx.at(
                            loc(f, m),
                            format!(
                                "process \"{}\": unknown metric \"{}\"",
                                p.id.get_ref(),
                                m.get_ref()
                            ),
                        ),
                    }
                }
                cat.processes.push(crate::model::catalogue::Process {
                    id: p.id.get_ref().clone(),
                    name,
                    name_en: p.name_en.clone(),
                    owner: p.owner.clone(),
                    metrics,
                });
            }
        }
        for r in &raw.resource {
            if resource_ids.add(cx, f, &r.id) {
                let name = non_empty(cx, f, &r.name, "resource name");
                cat.resources.push(crate::model::catalogue::Resource {
                    id: r.id.get_ref().clone(),
                    name,
                    name_en: r.name_en.clone(),
                });
            }
        }
        for t in &raw.team {
            if team_ids.add(cx, f, &t.id) {
                let name = non_empty(cx, f, &t.name, "team name");
                cat.teams.push(Team {
                    id: t.id.get_ref().clone(),
                    name,
                    name_en: t.name_en.clone(),
                });
            }
        }
        for (id, c) in &raw.calendar {
            let at = loc(f, c);
            if id == SEVEN_BY_24 {
                cx.at(
                    at,
                    format!("calendar \"{SEVEN_BY_24}\" is built in and cannot be redefined"),
                );
                continue;
            }
            if let Some(first) = calendar_locs.get(id) {
                let w = cx.where_(*first);
                cx.at(
                    at,
                    format!("duplicate calendar id \"{id}\" (first defined at {w})"),
                );
                continue;
            }
            calendar_locs.insert(id.clone(), at);
            let c = c.get_ref();
            let holidays = match &c.holidays {
                None => HolidaySource::None,
                Some(h) => {
                    let one = |v: &str, cx: &mut Cx| -> HolidaySource {
                        holiday_source(v, root, cx, loc(f, h))
                    };
                    match h.get_ref() {
                        HolidaysRaw::One(v) => one(v, cx),
                        HolidaysRaw::Many(list) if list.is_empty() => {
                            cx.at(
                                loc(f, h),
                                "holidays is an empty list: write \"cn\", \"none\", a file path, or a list of them".into(),
                            );
                            HolidaySource::None
                        }
                        HolidaysRaw::Many(list) => {
                            HolidaySource::Layers(list.iter().map(|v| one(v, cx)).collect())
                        }
                    }
                }
            };
            let windows: Vec<String> = match &c.windows {
                Some(w) => {
                    if w.get_ref().is_empty() {
                        cx.at(
                            loc(f, w),
                            format!(
                                "calendar \"{id}\" has no windows: list its service hours, e.g. [\"mon-fri 09:00-18:00\"]"
                            ),
                        );
                    }
                    let all_day =
                        w.get_ref().len() == 1 && is_seven_by_24_text(w.get_ref()[0].get_ref());
                    for one in w.get_ref() {
                        if one.get_ref().trim().is_empty() {
                            cx.at(loc(f, one), "empty calendar window".into());
                        } else if !all_day && let Err(e) = parse_window(one.get_ref()) {
                            cx.at(loc(f, one), e.to_string());
                        }
                    }
                    w.get_ref().iter().map(|s| s.get_ref().clone()).collect()
                }
                None => {
                    cx.at(
                        at,
                        format!(
                            "calendar \"{id}\" has no windows: add windows = [\"mon-fri 09:00-18:00\"]"
                        ),
                    );
                    Vec::new()
                }
            };
            cat.calendars.insert(
                id.clone(),
                CalendarDef {
                    id: id.clone(),
                    holidays,
                    windows,
                },
            );
        }
    }

    let calendar_exists = |id: &str| id == SEVEN_BY_24 || calendar_locs.contains_key(id);
    let calendar_names = || {
        std::iter::once(SEVEN_BY_24)
            .chain(calendar_locs.keys().map(String::as_str))
            .collect::<Vec<_>>()
    };

    // Services (refer to calendars and customers).
    for (f, raw) in &raws {
        let f = *f;
        for s in &raw.service {
            if !service_ids.add(cx, f, &s.id) {
                continue;
            }
            let name = non_empty(cx, f, &s.name, "service name");
            let cal = s.calendar.get_ref().trim().to_string();
            if !calendar_exists(&cal) {
                let hint = did_you_mean(&cal, calendar_names());
                cx.at(
                    loc(f, &s.calendar),
                    format!(
                        "service \"{}\" names unknown calendar \"{cal}\"{hint}; define [calendar.{cal}] or use \"{SEVEN_BY_24}\"",
                        s.id.get_ref()
                    ),
                );
            }
            let mut customers = Vec::new();
            let mut seen = BTreeSet::new();
            for c in &s.customers {
                let v = c.get_ref();
                if !customer_ids.contains(v) {
                    let hint = did_you_mean(v, customer_ids.names());
                    cx.at(
                        loc(f, c),
                        format!(
                            "service \"{}\" names unknown customer \"{v}\"{hint}",
                            s.id.get_ref()
                        ),
                    );
                } else if !seen.insert(v.clone()) {
                    cx.at(loc(f, c), format!("customer \"{v}\" is listed twice"));
                } else {
                    customers.push(v.clone());
                }
            }
            let aliases: Vec<String> = s
                .aliases
                .iter()
                .map(|a| a.get_ref().trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
            if !aliases.is_empty() {
                cat.service_aliases.insert(s.id.get_ref().clone(), aliases);
            }
            service_names.push(Spellings::of(f, &s.id, &s.name, &s.name_en, &s.aliases));
            cat.services.push(Service {
                id: s.id.get_ref().clone(),
                name,
                name_en: s.name_en.clone(),
                calendar: cal,
                customers,
            });
        }
    }

    aliases_name_one_entry(cx, "customer", &customer_names);
    aliases_name_one_entry(cx, "service", &service_names);

    // Agreements.
    let mut versions: Versions = BTreeMap::new();
    for (f, raw) in &raws {
        let f = *f;
        for a in &raw.agreement {
            if let Some(ag) = agreement(
                cx,
                f,
                a,
                &cat,
                &customer_ids,
                &supplier_ids,
                &team_ids,
                &service_ids,
                &calendar_exists,
                &calendar_names(),
            ) {
                let at = loc(f, &a.id);
                let list = versions.entry(ag.id.clone()).or_default();
                // Same id: one kind, distinct versions.
                if let Some((first, kind, ..)) = list.first()
                    && *kind != ag.kind
                {
                    let w = cx.where_(*first);
                    cx.at(
                        loc(f, &a.kind),
                        format!(
                            "agreement \"{}\" is {} here but {} at {w}; versions of one agreement keep their kind",
                            ag.id,
                            ag.kind.as_str(),
                            kind.as_str()
                        ),
                    );
                }
                if let Some((first, ..)) = list.iter().find(|v| v.2 == ag.version) {
                    let w = cx.where_(*first);
                    cx.at(
                        loc(f, &a.version),
                        format!(
                            "duplicate version \"{}\" of agreement \"{}\" (first defined at {w})",
                            ag.version, ag.id
                        ),
                    );
                    continue;
                }
                // Overlapping effective ranges.
                for (other_at, _, other_ver, ofrom, oto) in list.iter() {
                    let overlap = ag.effective_from <= oto.unwrap_or(NaiveDate::MAX)
                        && *ofrom <= ag.effective_to.unwrap_or(NaiveDate::MAX);
                    if overlap {
                        let w = cx.where_(*other_at);
                        cx.at(
                            loc(f, &a.effective),
                            format!(
                                "agreement \"{}\" version \"{}\" ({}) overlaps version \"{other_ver}\" ({}) defined at {w}; end the earlier version before the next begins",
                                ag.id,
                                ag.version,
                                fmt_range(ag.effective_from, ag.effective_to),
                                fmt_range(*ofrom, *oto)
                            ),
                        );
                    }
                }
                list.push((
                    at,
                    ag.kind,
                    ag.version.clone(),
                    ag.effective_from,
                    ag.effective_to,
                ));
                cat.agreements.push(ag);
            }
        }
    }

    // Process KPIs.
    let mut pk_seen: BTreeMap<(String, String), Loc> = BTreeMap::new();
    for (f, raw) in &raws {
        let f = *f;
        for p in &raw.process_kpi {
            let process = non_empty(cx, f, &p.process, "process");
            let kpi = non_empty(cx, f, &p.kpi, "kpi");
            let key = (process.clone(), kpi.clone());
            if let Some(first) = pk_seen.get(&key) {
                let w = cx.where_(*first);
                cx.at(
                    loc(f, &p.process),
                    format!(
                        "duplicate process KPI target ({process}, {kpi}) (first defined at {w})"
                    ),
                );
                continue;
            }
            pk_seen.insert(key, loc(f, &p.process));
            let op = op_of(cx, f, &p.op);
            let unit = p.unit.as_ref().map(|u| Unit::from_text(u.get_ref().trim()));
            let u = unit.as_ref().unwrap_or(&Unit::Unitless);
            if let Some(msg) = threshold_problem(u, *p.threshold.get_ref()) {
                cx.at(loc(f, &p.threshold), msg);
            }
            if let Some(r) = &p.at_risk
                && let Some(msg) = at_risk_problem(u, *r.get_ref())
            {
                cx.at(loc(f, r), msg);
            }
            cat.process_kpis.push(ProcessKpiTarget {
                process,
                kpi,
                op: op.unwrap_or(Op::Ge),
                threshold: *p.threshold.get_ref(),
                unit,
                at_risk: p.at_risk.as_ref().map(|r| *r.get_ref()),
            });
        }
    }

    // People (the report list names them).
    let mut person_ids = Ids::new("person");
    let mut key_locs: BTreeMap<String, (Loc, String)> = BTreeMap::new();
    for (f, raw) in &raws {
        let f = *f;
        for p in &raw.person {
            if !person_ids.add(cx, f, &p.id) {
                continue;
            }
            if let Some(person) = person(cx, f, p, &mut key_locs) {
                cat.persons.push(person);
            }
        }
    }

    // Reports.
    let mut report_ids = Ids::new("report");
    for (f, raw) in &raws {
        let f = *f;
        for r in &raw.report {
            if !report_ids.add(cx, f, &r.id) {
                continue;
            }
            if let Some(rs) = report(cx, f, r, &versions, &cat.persons) {
                cat.reports.push(rs);
            }
        }
    }

    // The timeliness targets (one `[timeliness]` table in all the files).
    let mut timeliness_at: Option<Loc> = None;
    for (f, raw) in &raws {
        let f = *f;
        let Some(t) = &raw.timeliness else { continue };
        if let Some(first) = timeliness_at {
            let w = cx.where_(first);
            cx.at(
                loc(f, t),
                format!("[timeliness] is defined twice (first at {w})"),
            );
            continue;
        }
        timeliness_at = Some(loc(f, t));
        let t = t.get_ref();
        for (v, slot) in [
            (&t.data_on_time, &mut cat.timeliness.data_on_time),
            (&t.reports_on_time, &mut cat.timeliness.reports_on_time),
        ] {
            if let Some(v) = v {
                match threshold_problem(&Unit::Percent, *v.get_ref()) {
                    Some(msg) => cx.at(loc(f, v), format!("[timeliness]: {msg}")),
                    None => *slot = *v.get_ref(),
                }
            }
        }
    }

    cat
}

/// The recipients of `whose` (`customer "acme"`, `report "acme-monthly"`), each a bare e-mail address.
fn recipients(cx: &mut Cx, f: usize, whose: &str, list: &[S<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for r in list {
        let v = r.get_ref().trim();
        if v.is_empty() {
            cx.at(loc(f, r), format!("{whose}: empty recipient"));
        } else if let Some(why) = email_problem(v) {
            cx.at(
                loc(f, r),
                format!("{whose}: recipient \"{v}\" is not an e-mail address: {why}"),
            );
        } else {
            out.push(v.to_string());
        }
    }
    out
}

/// Why `s` is not a bare e-mail address (`local@domain`, RFC 5321 dot-atoms),
/// or `None` when it is one.
pub fn email_problem(s: &str) -> Option<String> {
    if s.contains('<') || s.contains('>') {
        return Some("write the bare address, without a name or <…>".into());
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("it contains a space or a control character".into());
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Some("it has no @".into());
    };
    if domain.contains('@') {
        return Some("it has more than one @".into());
    }
    let atext =
        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii();
    if local.is_empty()
        || local
            .split('.')
            .any(|p| p.is_empty() || !p.chars().all(atext))
    {
        return Some(format!(
            "the part before @ (\"{local}\") is not a valid mailbox name"
        ));
    }
    let label = |p: &str| {
        !p.is_empty()
            && !p.starts_with('-')
            && !p.ends_with('-')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
    };
    if domain.is_empty() || !domain.split('.').all(label) {
        return Some(format!("\"{domain}\" is not a domain name"));
    }
    None
}

fn op_of(cx: &mut Cx, f: usize, op: &S<String>) -> Option<Op> {
    let v = parse_op(op.get_ref());
    if v.is_none() {
        cx.at(
            loc(f, op),
            format!(
                "op \"{}\" is not a comparison: write \">=\" (at least) or \"<=\" (at most)",
                op.get_ref()
            ),
        );
    }
    v
}

#[allow(clippy::too_many_arguments)] // the id tables of pass 1, passed explicitly
fn agreement(
    cx: &mut Cx,
    f: usize,
    a: &RawAgreement,
    cat: &Catalogue,
    customers: &Ids,
    suppliers: &Ids,
    teams: &Ids,
    services: &Ids,
    calendar_exists: &dyn Fn(&str) -> bool,
    calendar_names: &[&str],
) -> Option<Agreement> {
    let id = a.id.get_ref().trim().to_string();
    if id.is_empty() {
        cx.at(loc(f, &a.id), "agreement id is empty".into());
    }
    let version = a.version.get_ref().trim().to_string();
    if version.is_empty() {
        cx.at(loc(f, &a.version), "agreement version is empty".into());
    }
    let Some(kind) = parse_kind(a.kind.get_ref()) else {
        cx.at(
            loc(f, &a.kind),
            format!(
                "agreement kind \"{}\" is not one of SLA, UC, OLA",
                a.kind.get_ref()
            ),
        );
        return None;
    };

    // Party of the right kind.
    let party = a.party.get_ref().trim().to_string();
    let (right, right_name) = match kind {
        AgreementKind::Sla => (customers, "customer"),
        AgreementKind::Uc => (suppliers, "supplier"),
        AgreementKind::Ola => (teams, "team"),
    };
    if !right.contains(&party) {
        let other = [
            (customers, "customer"),
            (suppliers, "supplier"),
            (teams, "team"),
        ]
        .into_iter()
        .find(|(ids, _)| ids.contains(&party))
        .map(|(_, n)| n);
        let msg = match other {
            Some(n) => format!(
                "{} \"{id}\": party \"{party}\" is a {n}, but the party of an {} must be a {right_name}",
                kind.as_str(),
                kind.as_str()
            ),
            None => format!(
                "{} \"{id}\": party names unknown {right_name} \"{party}\"{}",
                kind.as_str(),
                did_you_mean(&party, right.names())
            ),
        };
        cx.at(loc(f, &a.party), msg);
    }

    // Services.
    let mut svc = Vec::new();
    if a.services.get_ref().is_empty() {
        cx.at(
            loc(f, &a.services),
            format!("agreement \"{id}\" covers no services"),
        );
    }
    for s in a.services.get_ref() {
        let v = s.get_ref();
        if !services.contains(v) {
            cx.at(
                loc(f, s),
                format!(
                    "agreement \"{id}\" names unknown service \"{v}\"{}",
                    did_you_mean(v, services.names())
                ),
            );
        } else if svc.contains(v) {
            cx.at(loc(f, s), format!("service \"{v}\" is listed twice"));
        } else {
            if kind == AgreementKind::Sla
                && let Some(service) = cat.service(v)
                && customers.contains(&party)
                && !service.customers.iter().any(|c| c == &party)
            {
                cx.at(
                    loc(f, s),
                    format!(
                        "SLA \"{id}\" covers service \"{v}\", which does not serve customer \"{party}\" (add \"{party}\" to the service's customers)"
                    ),
                );
            }
            svc.push(v.clone());
        }
    }

    // Effective dates.
    let eff = a.effective.get_ref();
    let from = toml_date(eff.from.get_ref());
    if from.is_none() {
        cx.at(
            loc(f, &eff.from),
            "effective.from is not a date: write from = 2026-01-01".into(),
        );
    }
    let to = match &eff.to {
        None => None,
        Some(t) => match toml_date(t.get_ref()) {
            None => {
                cx.at(
                    loc(f, t),
                    "effective.to is not a date: write to = 2026-12-31 (or leave it out for open-ended)"
                        .into(),
                );
                None
            }
            Some(d) => {
                if let Some(fr) = from
                    && d < fr
                {
                    cx.at(
                        loc(f, t),
                        format!("effective.to {d} is before effective.from {fr}"),
                    );
                }
                Some(d)
            }
        },
    };

    // Calendar override.
    let calendar = a.calendar.as_ref().map(|c| {
        let v = c.get_ref().trim().to_string();
        if !calendar_exists(&v) {
            cx.at(
                loc(f, c),
                format!(
                    "agreement \"{id}\" names unknown calendar \"{v}\"{}",
                    did_you_mean(&v, calendar_names.iter().copied())
                ),
            );
        }
        v
    });

    // Targets.
    let mut targets = Vec::new();
    let mut seen: BTreeMap<String, Loc> = BTreeMap::new();
    for t in &a.target {
        if let Some(tg) = target(cx, f, t, kind, &id, &party, &svc, cat) {
            let key = format!(
                "{}|{:?}|{:?}|{:?}|{:?}|{:?}",
                tg.metric.as_str(),
                tg.priority,
                tg.service,
                tg.customer,
                tg.resource,
                tg.within_secs
            );
            if let Some(first) = seen.get(&key) {
                let w = cx.where_(*first);
                cx.at(
                    loc(f, &t.metric),
                    format!(
                        "duplicate target {} with the same scope in agreement \"{id}\" (first defined at {w})",
                        tg.metric.as_str()
                    ),
                );
                continue;
            }
            seen.insert(key, loc(f, &t.metric));
            targets.push(tg);
        }
    }

    let from = from?;
    Some(Agreement {
        id,
        kind,
        version,
        title: a.title.clone(),
        party,
        services: svc,
        effective_from: from,
        effective_to: to,
        calendar,
        targets,
    })
}

#[allow(clippy::too_many_arguments)] // the agreement's resolved parts
fn target(
    cx: &mut Cx,
    f: usize,
    t: &RawTarget,
    kind: AgreementKind,
    ag_id: &str,
    party: &str,
    services: &[String],
    cat: &Catalogue,
) -> Option<Target> {
    let name = t.metric.get_ref().trim();
    let Some(metric) = Metric::parse(name) else {
        let valid: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        cx.at(
            loc(f, &t.metric),
            format!(
                "unknown metric \"{name}\"{}; valid metrics: {}",
                did_you_mean(name, valid.iter().copied()),
                valid.join(", ")
            ),
        );
        return None;
    };
    let m = metric.as_str();
    let mut ok = true;

    if metric_is_uc(metric) && kind != AgreementKind::Uc {
        cx.at(
            loc(f, &t.metric),
            format!(
                "metric {m} measures a supplier and belongs in a UC, not in {} \"{ag_id}\"",
                kind.as_str()
            ),
        );
        ok = false;
    }

    // within: present exactly when the metric needs it.
    let mut within_secs = None;
    match (&t.within, metric.needs_within()) {
        (Some(w), true) => match parse_within(w.get_ref()) {
            Ok(s) => within_secs = Some(s),
            Err(e) => {
                cx.at(loc(f, w), e);
                ok = false;
            }
        },
        (Some(w), false) => {
            cx.at(
                loc(f, w),
                format!("metric {m} takes no per-ticket limit: remove within"),
            );
            ok = false;
        }
        (None, true) => {
            cx.at(
                loc(f, &t.metric),
                format!("metric {m} needs a per-ticket limit: add within = \"4h\" (or similar)"),
            );
            ok = false;
        }
        (None, false) => {}
    }

    // Scope.
    let priority = match &t.priority {
        None => None,
        Some(p) => match Priority::parse_code(p.get_ref()) {
            Some(pr) if metric_has_priority(metric) => Some(pr),
            Some(_) => {
                cx.at(
                    loc(f, p),
                    format!("metric {m} cannot be scoped to a priority"),
                );
                ok = false;
                None
            }
            None => {
                cx.at(
                    loc(f, p),
                    format!("priority \"{}\" is not one of P1, P2, P3, P4", p.get_ref()),
                );
                ok = false;
                None
            }
        },
    };
    let service = t.service.as_ref().map(|s| {
        let v = s.get_ref().trim().to_string();
        if !services.iter().any(|x| x == &v) {
            let known = cat.service(&v).is_some();
            let msg = if known {
                format!(
                    "target names service \"{v}\", which agreement \"{ag_id}\" does not cover (it covers: {})",
                    services.join(", ")
                )
            } else {
                let all = cat.services.iter().map(|s| s.id.as_str());
                format!(
                    "target names unknown service \"{v}\"{}",
                    did_you_mean(&v, services.iter().map(String::as_str).chain(all))
                )
            };
            cx.at(loc(f, s), msg);
        }
        v
    });
    let customer = t.customer.as_ref().map(|c| {
        let v = c.get_ref().trim().to_string();
        let served: BTreeSet<&str> = services
            .iter()
            .filter_map(|s| cat.service(s))
            .flat_map(|s| s.customers.iter().map(String::as_str))
            .collect();
        if cat.customer(&v).is_none() {
            let all = cat.customers.iter().map(|c| c.id.as_str());
            cx.at(
                loc(f, c),
                format!(
                    "target names unknown customer \"{v}\"{}",
                    did_you_mean(&v, all)
                ),
            );
        } else if kind == AgreementKind::Sla && v != party {
            cx.at(
                loc(f, c),
                format!(
                    "target names customer \"{v}\", but SLA \"{ag_id}\" is with \"{party}\""
                ),
            );
        } else if !served.contains(v.as_str()) {
            cx.at(
                loc(f, c),
                format!(
                    "target names customer \"{v}\", which no service of agreement \"{ag_id}\" serves"
                ),
            );
        }
        v
    });
    let resource = t.resource.as_ref().and_then(|r| {
        let v = r.get_ref().trim().to_string();
        if !metric_is_capacity(metric) {
            cx.at(
                loc(f, r),
                format!("metric {m} cannot be scoped to a resource (only capacity_peak and capacity_days_over)"),
            );
            None
        } else if v.is_empty() {
            cx.at(loc(f, r), "resource is empty".into());
            None
        } else {
            Some(v)
        }
    });

    let op = op_of(cx, f, &t.op);
    let unit = match &t.unit {
        None => metric.default_unit(),
        Some(u) => {
            let v = u.get_ref().trim();
            if Unit::from_text(v) != metric.default_unit() {
                cx.at(
                    loc(f, u),
                    format!(
                        "unit \"{v}\" is not the unit of {m} (\"{}\"): write unit = \"{}\" or leave it out",
                        metric.default_unit(),
                        metric.default_unit()
                    ),
                );
            }
            Unit::from_text(v)
        }
    };
    let threshold = *t.threshold.get_ref();
    if let Some(msg) = threshold_problem(&metric.default_unit(), threshold) {
        cx.at(loc(f, &t.threshold), msg);
    }
    let at_risk = t.at_risk.as_ref().map(|r| {
        if let Some(msg) = at_risk_problem(&metric.default_unit(), *r.get_ref()) {
            cx.at(loc(f, r), msg);
        }
        *r.get_ref()
    });

    let op = op?;
    if !ok {
        return None;
    }
    Some(Target {
        metric,
        priority,
        service,
        customer,
        resource,
        within_secs,
        within_text: t.within.as_ref().map(|w| w.get_ref().trim().to_string()),
        op,
        threshold,
        unit,
        at_risk,
    })
}

type Versions = BTreeMap<String, Vec<(Loc, AgreementKind, String, NaiveDate, Option<NaiveDate>)>>;

/// A person id is what `allowed_signers` names as the principal: letters,
/// digits and `.`, `_`, `-`, `@` only (no spaces, commas or quotes).
fn valid_person_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// A TOML local date (midnight) or local date-time.
fn toml_local_time(v: &toml::Value) -> Option<NaiveDateTime> {
    let toml::Value::Datetime(dt) = v else {
        return None;
    };
    if dt.offset.is_some() {
        return None;
    }
    let d = dt.date?;
    let date = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?;
    match dt.time {
        None => date.and_hms_opt(0, 0, 0),
        Some(t) => date.and_hms_opt(u32::from(t.hour), u32::from(t.minute), u32::from(t.second)),
    }
}

/// One `[[person]]`: id, name and public keys, each key checked (an OpenSSH
/// ed25519 public key, listed for one person only, a sane validity window).
fn person(
    cx: &mut Cx,
    f: usize,
    p: &RawPerson,
    key_locs: &mut BTreeMap<String, (Loc, String)>,
) -> Option<Person> {
    let id = p.id.get_ref().clone();
    if !valid_person_id(&id) {
        cx.at(
            loc(f, &p.id),
            format!(
                "person id \"{id}\" may hold only letters, digits and . _ - @ (it names the signer in OpenSSH's allowed_signers); write the name in name = \"…\""
            ),
        );
    }
    let name = non_empty(cx, f, &p.name, "person name");
    let mut keys = Vec::new();
    for (i, k) in p.keys.iter().enumerate() {
        let at = loc(f, k);
        let what = format!("person \"{id}\", key {}", i + 1);
        let (text, after, before) = match k.get_ref() {
            toml::Value::String(t) => (t.clone(), None, None),
            toml::Value::Table(t) => {
                for key in t.keys() {
                    if !matches!(key.as_str(), "key" | "valid_after" | "revoked") {
                        cx.at(
                            at,
                            format!(
                                "{what}: unknown key \"{key}\"; valid keys here: key, valid_after, revoked"
                            ),
                        );
                    }
                }
                let Some(toml::Value::String(text)) = t.get("key") else {
                    cx.at(at, format!("{what}: missing key = \"ssh-ed25519 AAAA…\""));
                    continue;
                };
                let mut time = |field: &str| match t.get(field) {
                    None => None,
                    Some(v) => {
                        let parsed = toml_local_time(v);
                        if parsed.is_none() {
                            cx.at(
                                at,
                                format!(
                                    "{what}: {field} = {v} is not a local date or date-time (write 2026-11-01 or 2026-11-01T12:00:00, in the workspace timezone)"
                                ),
                            );
                        }
                        parsed
                    }
                };
                let after = time("valid_after");
                let before = time("revoked");
                (text.clone(), after, before)
            }
            other => {
                cx.at(
                    at,
                    format!(
                        "{what}: {other} is neither a key (\"ssh-ed25519 AAAA…\") nor a table {{ key = \"…\", revoked = 2026-11-01 }}"
                    ),
                );
                continue;
            }
        };
        let text = text.trim();
        if text.contains("PRIVATE KEY") {
            cx.at(
                at,
                format!(
                    "{what} is a PRIVATE key: never put it in the catalogue; list the public key (the .pub file) and keep the private one with its owner"
                ),
            );
            continue;
        }
        let public = match ssh_key::PublicKey::from_openssh(text) {
            Ok(k) => k,
            Err(e) => {
                cx.at(
                    at,
                    format!(
                        "{what} is not an OpenSSH public key (\"ssh-ed25519 AAAA… comment\", as in a .pub file): {e}"
                    ),
                );
                continue;
            }
        };
        if public.algorithm() != ssh_key::Algorithm::Ed25519 {
            cx.at(
                at,
                format!(
                    "{what}: key type {} is not supported; svcreport signs with ed25519 keys (ssh-keygen -t ed25519)",
                    public.algorithm()
                ),
            );
            continue;
        }
        if let (Some(a), Some(b)) = (after, before)
            && a > b
        {
            cx.at(
                at,
                format!("{what}: valid_after {a} is later than revoked {b}"),
            );
        }
        let fingerprint = public.fingerprint(ssh_key::HashAlg::Sha256).to_string();
        if let Some((first, owner)) = key_locs.get(&fingerprint) {
            let w = cx.where_(*first);
            cx.at(
                at,
                format!(
                    "{what}: the key {fingerprint} is listed for person \"{owner}\" too (at {w}); a key names one signer"
                ),
            );
            continue;
        }
        key_locs.insert(fingerprint.clone(), (at, id.clone()));
        let mut bare = public.clone();
        bare.set_comment("");
        keys.push(PersonKey {
            openssh: bare.to_openssh().unwrap_or_else(|_| text.to_string()),
            fingerprint,
            valid_after: after,
            valid_before: before,
        });
    }
    Some(Person {
        id,
        name,
        name_en: p.name_en.clone(),
        keys,
    })
}

/// Check who the report list names for a role: a person id where the
/// catalogue lists people, else any non-empty name (legacy).
fn named_person(
    cx: &mut Cx,
    f: usize,
    s: &S<String>,
    report: &str,
    role: &str,
    persons: &[Person],
) -> String {
    let v = non_empty(cx, f, s, role);
    if v.is_empty() || persons.is_empty() || persons.iter().any(|p| p.id == v) {
        return v;
    }
    let by_name: Vec<&str> = persons
        .iter()
        .filter(|p| p.name == v)
        .map(|p| p.id.as_str())
        .collect();
    let hint = match by_name.as_slice() {
        [one] => format!(" (write its id: \"{one}\")"),
        [] => did_you_mean(&v, persons.iter().map(|p| p.id.as_str())),
        many => format!(" ({v} is the name of {}: write one id)", many.join(", ")),
    };
    cx.at(
        loc(f, s),
        format!(
            "report \"{report}\": {role} \"{v}\" is not a person id of the catalogue's [[person]] list{hint}"
        ),
    );
    v
}

fn report(
    cx: &mut Cx,
    f: usize,
    r: &RawReport,
    agreements: &Versions,
    persons: &[Person],
) -> Option<ReportSpec> {
    let id = r.id.get_ref().clone();
    let title = non_empty(cx, f, &r.title, "report title");
    let audience = parse_audience(r.audience.get_ref());
    if audience.is_none() {
        cx.at(
            loc(f, &r.audience),
            format!(
                "audience \"{}\" is not one of customer, internal, supplier",
                r.audience.get_ref()
            ),
        );
    }
    let frequency = Frequency::parse(r.frequency.get_ref());
    if frequency.is_none() {
        cx.at(
            loc(f, &r.frequency),
            format!(
                "frequency \"{}\" is not one of monthly, quarterly, semiannual, annual",
                r.frequency.get_ref()
            ),
        );
    }
    let mut ags = Vec::new();
    if r.agreements.get_ref().is_empty() {
        cx.at(
            loc(f, &r.agreements),
            format!("report \"{id}\" covers no agreements"),
        );
    }
    for a in r.agreements.get_ref() {
        let v = a.get_ref();
        if !agreements.contains_key(v) {
            cx.at(
                loc(f, a),
                format!(
                    "report \"{id}\" names unknown agreement \"{v}\"{}",
                    did_you_mean(v, agreements.keys().map(String::as_str))
                ),
            );
        } else if ags.contains(v) {
            cx.at(loc(f, a), format!("agreement \"{v}\" is listed twice"));
        } else {
            ags.push(v.clone());
        }
    }
    let mut formats = Vec::new();
    if r.formats.get_ref().is_empty() {
        cx.at(
            loc(f, &r.formats),
            "formats is empty: write formats = [\"pdf\", \"xlsx\"]".into(),
        );
    }
    for x in r.formats.get_ref() {
        match parse_format(x.get_ref()) {
            Some(fm) if formats.contains(&fm) => cx.at(
                loc(f, x),
                format!("format \"{}\" is listed twice", x.get_ref()),
            ),
            Some(fm) => formats.push(fm),
            None => cx.at(
                loc(f, x),
                format!("format \"{}\" is not one of pdf, xlsx", x.get_ref()),
            ),
        }
    }
    let template = non_empty(cx, f, &r.template, "template");
    let doc_number = r.doc_number.get_ref().trim().to_string();
    if !doc_number.contains("{period}") {
        cx.at(
            loc(f, &r.doc_number),
            format!(
                "doc_number \"{doc_number}\" does not contain {{period}}: every period needs its own number, e.g. \"SR-ACME-{{period}}\""
            ),
        );
    } else {
        let mut rest = doc_number.as_str();
        while let Some(open) = rest.find('{') {
            let after = &rest[open..];
            let Some(close) = after.find('}') else {
                cx.at(
                    loc(f, &r.doc_number),
                    format!("doc_number \"{doc_number}\" has an unclosed {{"),
                );
                break;
            };
            let ph = &after[..=close];
            if !DOC_NUMBER_PLACEHOLDERS.contains(&ph) {
                cx.at(
                    loc(f, &r.doc_number),
                    format!(
                        "doc_number \"{doc_number}\" uses unknown placeholder {ph}; valid: {}",
                        DOC_NUMBER_PLACEHOLDERS.join(", ")
                    ),
                );
            }
            rest = &after[close + 1..];
        }
    }
    let compiler = named_person(cx, f, &r.compiler, &id, "compiler", persons);
    let reviewer = named_person(cx, f, &r.reviewer, &id, "reviewer", persons);
    let approver = named_person(cx, f, &r.approver, &id, "approver", persons);
    let recipients = recipients(cx, f, &format!("report \"{id}\""), &r.recipients);
    Some(ReportSpec {
        id,
        title,
        title_en: r.title_en.clone(),
        audience: audience?,
        agreements: ags,
        frequency: frequency?,
        formats,
        template,
        doc_number,
        compiler,
        reviewer,
        approver,
        recipients,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn within_durations() {
        let ok = [
            ("15m", 15 * 60),
            ("4h", 4 * 3600),
            ("1h30m", 5400),
            ("72h", 72 * 3600),
            ("2d", 48 * 3600),
            ("1d 2h 3m", 86_400 + 7200 + 180),
            (" 4H ", 4 * 3600),
            ("90m", 5400),
        ];
        for (text, secs) in ok {
            assert_eq!(parse_within(text), Ok(secs), "{text}");
        }
        for bad in [
            "", "4", "h", "4x", "30m1h", "1h1h", "-4h", "4.5h", "4 hours",
        ] {
            assert!(parse_within(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            parse_within("0m"),
            Err("within \"0m\" must be longer than zero".to_string())
        );
        assert!(parse_within("99999999999999999d").is_err(), "overflow");
    }

    #[test]
    fn comparisons() {
        assert_eq!(parse_op(">="), Some(Op::Ge));
        assert_eq!(parse_op("≥"), Some(Op::Ge));
        assert_eq!(parse_op(" <= "), Some(Op::Le));
        assert_eq!(parse_op("≤"), Some(Op::Le));
        assert_eq!(parse_op(">"), None);
        assert_eq!(parse_op("=="), None);
    }

    #[test]
    fn thresholds_by_unit() {
        assert_eq!(threshold_problem(&Unit::Percent, 100.0), None);
        assert_eq!(threshold_problem(&Unit::Percent, 0.0), None);
        assert!(threshold_problem(&Unit::Percent, 100.01).is_some());
        assert!(threshold_problem(&Unit::Score, 0.5).is_some());
        assert_eq!(threshold_problem(&Unit::Score, 4.2), None);
        assert!(threshold_problem(&Unit::Hours, -1.0).is_some());
        assert!(threshold_problem(&Unit::Count, f64::NAN).is_some());
        assert!(at_risk_problem(&Unit::Percent, -0.1).is_some());
        assert_eq!(at_risk_problem(&Unit::Percent, 0.05), None);
    }

    #[test]
    fn issues_sort_by_file_then_position() {
        let sources = vec![
            ("b.toml".to_string(), "x\ny\n".to_string()),
            ("a.toml".to_string(), "x\n".to_string()),
        ];
        let mut cx = Cx {
            sources: &sources,
            issues: Vec::new(),
        };
        cx.push(1, 0..1, "second file".into());
        cx.push(0, 2..3, "first file, line 2".into());
        cx.push(0, 0..1, "first file, line 1".into());
        let e = cx.finish();
        assert_eq!(
            e.to_string(),
            "b.toml:1:1: first file, line 1\nb.toml:2:1: first file, line 2\na.toml:1:1: second file"
        );
    }

    proptest! {
        #[test]
        fn within_round_trips(d in 0i64..30, h in 0i64..24, m in 0i64..60) {
            prop_assume!(d + h + m > 0);
            let mut text = String::new();
            if d > 0 { text.push_str(&format!("{d}d")); }
            if h > 0 { text.push_str(&format!("{h}h")); }
            if m > 0 { text.push_str(&format!("{m}m")); }
            prop_assert_eq!(parse_within(&text), Ok(d * 86_400 + h * 3600 + m * 60));
        }
    }
}

//! The catalogue (service level management's inputs): customers, services,
//! suppliers, teams, calendars, agreements with their targets, process-KPI
//! targets and the report list (spec §2.2).
//!
//! These are the *resolved, validated* types every later stage uses. Loading
//! from TOML (with file/line/column errors) is `catalogue::load`.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::period::{Frequency, Period};
use super::records::Priority;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalogue {
    pub customers: Vec<Customer>,
    pub services: Vec<Service>,
    pub suppliers: Vec<Supplier>,
    pub teams: Vec<Team>,
    /// Calendar definitions by id. `7x24` is implicit and never listed here.
    pub calendars: BTreeMap<String, CalendarDef>,
    pub agreements: Vec<Agreement>,
    pub process_kpis: Vec<ProcessKpiTarget>,
    pub reports: Vec<ReportSpec>,
    /// The people who compile, review and approve reports, with the public
    /// keys their signatures are checked against (`[[person]]`). Empty in a
    /// workspace written before people had ids: the report list then names
    /// people by name and approvals are unsigned (legacy).
    pub persons: Vec<Person>,
    /// The on-time shares the reporting process aims at (`[timeliness]`, spec §4).
    pub timeliness: TimelinessTargets,
    /// Other names a customer is known by in the inbox (`aliases = ["安科美", "ACME"]`
    /// under `[[customer]]`), by its id.
    pub customer_aliases: BTreeMap<String, Vec<String>>,
    /// The same for services (`aliases` under `[[service]]`).
    pub service_aliases: BTreeMap<String, Vec<String>>,
    /// The ITSM processes (`[[process]]`): display names in both languages, the owner (the
    /// process manager) and the metrics each owns. Optional: a missing name falls back to
    /// the built-in process name.
    pub processes: Vec<Process>,
    /// Capacity resources (`[[resource]]`) with their display names.
    pub resources: Vec<Resource>,
}

/// Targets for the timeliness KPI of the reporting process (spec §4): the share
/// of data deliveries that arrived by their due date, and of reports
/// distributed by theirs, in percent. A catalogue without `[timeliness]` aims
/// at 100 % for both: the manual's due dates are requirements, not wishes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimelinessTargets {
    pub data_on_time: f64,
    pub reports_on_time: f64,
}

impl Default for TimelinessTargets {
    fn default() -> Self {
        TimelinessTargets {
            data_on_time: 100.0,
            reports_on_time: 100.0,
        }
    }
}

/// An ITSM process that owns metrics (improvement items name it and its manager).
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    /// Stable id (`incident`).
    pub id: String,
    /// Display name (`事件管理`); the built-in owner names of the KPI stage are matched
    /// against it.
    pub name: String,
    pub name_en: Option<String>,
    /// The process manager (a person id or name).
    pub owner: Option<String>,
    /// The metrics this process owns (besides the built-in rule).
    pub metrics: Vec<Metric>,
}

/// A capacity resource (a server, a link, a storage pool).
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
}

/// Someone the report list names (compiler, reviewer, approver).
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Stable id (`zhangwei`): what the report list and the signatures name.
    pub id: String,
    /// Display name (`张伟`), printed on documents; two people may share one.
    pub name: String,
    pub name_en: Option<String>,
    /// Public keys their review and approval signatures are checked against.
    pub keys: Vec<PersonKey>,
}

/// One public key of a person, with the window in which signatures made with
/// it count (OpenSSH `allowed_signers` `valid-after` / `valid-before`: a
/// signature whose claimed time `t` has `valid_after <= t <= valid_before` is
/// accepted). Times are local wall-clock times of the workspace timezone.
#[derive(Debug, Clone, Serialize)]
pub struct PersonKey {
    /// The public key as OpenSSH writes it (`ssh-ed25519 AAAA…`, without its comment).
    pub openssh: String,
    /// `SHA256:…` as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub valid_after: Option<NaiveDateTime>,
    /// The key is revoked from this time on (`revoked = …` in the catalogue).
    pub valid_before: Option<NaiveDateTime>,
}

impl PersonKey {
    /// Whether a signature claiming time `t` may be made with this key
    /// (the same test as `ssh-keygen -Y verify -Overify-time=t`).
    pub fn valid_at(&self, t: NaiveDateTime) -> bool {
        self.valid_after.is_none_or(|a| a <= t) && self.valid_before.is_none_or(|b| t <= b)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    /// Calendar id: `7x24` or a key of [`Catalogue::calendars`].
    pub calendar: String,
    pub customers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Supplier {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
}

/// An internal team (the party of an OLA).
#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
}

/// Where a calendar's holidays come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidaySource {
    /// No holidays: every listed weekday window applies all year.
    None,
    /// The shipped mainland-China calendar (public holidays + adjusted working days).
    Cn,
    /// A user file (CSV or TOML: date, kind = holiday | workday, name), resolved
    /// relative to the workspace.
    File(std::path::PathBuf),
    /// Several sources, later ones extending earlier ones (`["cn", "holidays-2027.csv"]`:
    /// the shipped calendar plus next year's notice). A date listed by a later layer takes
    /// its kind; a year is covered when any layer covers it.
    Layers(Vec<HolidaySource>),
}

impl HolidaySource {
    /// The shipped calendar is among the sources.
    pub fn uses_cn(&self) -> bool {
        match self {
            HolidaySource::Cn => true,
            HolidaySource::Layers(v) => v.iter().any(HolidaySource::uses_cn),
            HolidaySource::None | HolidaySource::File(_) => false,
        }
    }

    /// The same sources with the shipped calendar read from `file` instead (an
    /// archived copy: a rebuild uses the calendar the original run used, even
    /// when a later version of the tool ships other data).
    pub fn with_cn_from(&self, file: &std::path::Path) -> HolidaySource {
        match self {
            HolidaySource::Cn => HolidaySource::File(file.to_path_buf()),
            HolidaySource::Layers(v) => {
                HolidaySource::Layers(v.iter().map(|s| s.with_cn_from(file)).collect())
            }
            other => other.clone(),
        }
    }

    /// The user files among the sources, in order.
    pub fn files(&self) -> Vec<&std::path::Path> {
        match self {
            HolidaySource::File(p) => vec![p.as_path()],
            HolidaySource::Layers(v) => v.iter().flat_map(HolidaySource::files).collect(),
            HolidaySource::None | HolidaySource::Cn => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarDef {
    pub id: String,
    pub holidays: HolidaySource,
    /// Weekly windows as written, e.g. `"mon-fri 09:00-12:00"`.
    pub windows: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgreementKind {
    #[serde(rename = "SLA")]
    Sla,
    #[serde(rename = "UC")]
    Uc,
    #[serde(rename = "OLA")]
    Ola,
}

impl AgreementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementKind::Sla => "SLA",
            AgreementKind::Uc => "UC",
            AgreementKind::Ola => "OLA",
        }
    }
}

impl std::fmt::Display for AgreementKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub id: String,
    pub kind: AgreementKind,
    pub version: String,
    pub title: Option<String>,
    /// Customer id (SLA), supplier id (UC) or team id (OLA).
    pub party: String,
    pub services: Vec<String>,
    pub effective_from: NaiveDate,
    /// Inclusive; `None` = open-ended.
    pub effective_to: Option<NaiveDate>,
    /// Overrides the services' calendars when set.
    pub calendar: Option<String>,
    pub targets: Vec<Target>,
}

impl Agreement {
    /// True when this version is in force on any day of `p`.
    pub fn in_force(&self, p: &Period) -> bool {
        self.effective_from <= p.last_date()
            && self.effective_to.is_none_or(|to| to >= p.start_date())
    }
}

/// The metrics of spec §3. JSON: the name of [`Metric::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Availability,
    ResponseCompliance,
    ResolutionCompliance,
    Mttr,
    Backlog,
    MajorIncidents,
    ChangeSuccess,
    EmergencyChangeShare,
    RequestCompliance,
    Mttf,
    SatisfactionMean,
    SatisfactionShare,
    UcResponseCompliance,
    UcRestoreCompliance,
    CapacityPeak,
    CapacityDaysOver,
}

impl Metric {
    pub const ALL: [Metric; 16] = [
        Metric::Availability,
        Metric::ResponseCompliance,
        Metric::ResolutionCompliance,
        Metric::Mttr,
        Metric::Backlog,
        Metric::MajorIncidents,
        Metric::ChangeSuccess,
        Metric::EmergencyChangeShare,
        Metric::RequestCompliance,
        Metric::Mttf,
        Metric::SatisfactionMean,
        Metric::SatisfactionShare,
        Metric::UcResponseCompliance,
        Metric::UcRestoreCompliance,
        Metric::CapacityPeak,
        Metric::CapacityDaysOver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Availability => "availability",
            Metric::ResponseCompliance => "response_compliance",
            Metric::ResolutionCompliance => "resolution_compliance",
            Metric::Mttr => "mttr",
            Metric::Backlog => "backlog",
            Metric::MajorIncidents => "major_incidents",
            Metric::ChangeSuccess => "change_success",
            Metric::EmergencyChangeShare => "emergency_change_share",
            Metric::RequestCompliance => "request_compliance",
            Metric::Mttf => "mttf",
            Metric::SatisfactionMean => "satisfaction_mean",
            Metric::SatisfactionShare => "satisfaction_share",
            Metric::UcResponseCompliance => "uc_response_compliance",
            Metric::UcRestoreCompliance => "uc_restore_compliance",
            Metric::CapacityPeak => "capacity_peak",
            Metric::CapacityDaysOver => "capacity_days_over",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// The unit the metric is measured in, when the target does not say.
    pub fn default_unit(self) -> Unit {
        match self {
            Metric::Availability
            | Metric::ResponseCompliance
            | Metric::ResolutionCompliance
            | Metric::ChangeSuccess
            | Metric::EmergencyChangeShare
            | Metric::RequestCompliance
            | Metric::SatisfactionShare
            | Metric::UcResponseCompliance
            | Metric::UcRestoreCompliance
            | Metric::CapacityPeak => Unit::Percent,
            Metric::Mttr | Metric::Mttf => Unit::Hours,
            Metric::Backlog | Metric::MajorIncidents | Metric::CapacityDaysOver => Unit::Count,
            Metric::SatisfactionMean => Unit::Score,
        }
    }

    /// True for metrics that need a per-ticket limit (`within`).
    pub fn needs_within(self) -> bool {
        matches!(
            self,
            Metric::ResponseCompliance
                | Metric::ResolutionCompliance
                | Metric::RequestCompliance
                | Metric::UcResponseCompliance
                | Metric::UcRestoreCompliance
        )
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit a target's figure is measured and shown in.
///
/// Catalogue text is read once, by [`Unit::from_text`]; the JSON is that text
/// again (`"%"`, `"h"`, `"count"`, `"score"`, `"min"`, `""`, or a process
/// KPI's own unit as written), so `from_text(u.as_str()) == u`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unit {
    /// `%`: percent (0–100).
    Percent,
    /// `h`: hours.
    Hours,
    /// `count`: a whole number of items.
    Count,
    /// `score`: a satisfaction score (1–5).
    Score,
    /// `min`: minutes (a process KPI's unit).
    Minutes,
    /// `""`: a process KPI that names no unit.
    Unitless,
    /// Any other unit a process KPI names, as written. Never the text of one
    /// of the variants above ([`Unit::from_text`] keeps that so).
    Other(String),
}

impl Unit {
    /// The unit of a text (the catalogue's `unit = "…"`, trimmed by the caller).
    pub fn from_text(s: &str) -> Unit {
        match s {
            "%" => Unit::Percent,
            "h" => Unit::Hours,
            "count" => Unit::Count,
            "score" => Unit::Score,
            "min" => Unit::Minutes,
            "" => Unit::Unitless,
            other => Unit::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Unit::Percent => "%",
            Unit::Hours => "h",
            Unit::Count => "count",
            Unit::Score => "score",
            Unit::Minutes => "min",
            Unit::Unitless => "",
            Unit::Other(s) => s,
        }
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unit, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Unit::from_text(&s))
    }
}

/// A target's comparison. JSON: `">="` | `"<="`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<=")]
    Le,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Le => "<=",
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Le => "≤",
        }
    }
    /// True when `actual` is on the right side of `threshold` (the threshold
    /// itself meets).
    pub fn meets(self, actual: f64, threshold: f64) -> bool {
        match self {
            Op::Ge => actual >= threshold,
            Op::Le => actual <= threshold,
        }
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub metric: Metric,
    /// Scope: a priority, a service, a customer (for multi-customer OLAs) or a
    /// capacity resource; `None` = the whole agreement.
    pub priority: Option<Priority>,
    pub service: Option<String>,
    pub customer: Option<String>,
    pub resource: Option<String>,
    /// Per-ticket limit in business seconds (`within = "4h"`).
    pub within_secs: Option<i64>,
    /// `within` as written, for display.
    pub within_text: Option<String>,
    pub op: Op,
    pub threshold: f64,
    /// Always the metric's [`Metric::default_unit`] (the loader checks it).
    pub unit: Unit,
    /// Met, but within this margin of the threshold = at risk.
    pub at_risk: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessKpiTarget {
    pub process: String,
    pub kpi: String,
    pub op: Op,
    pub threshold: f64,
    pub unit: Option<Unit>,
    pub at_risk: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Customer,
    Internal,
    Supplier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    Pdf,
    Xlsx,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Pdf => "pdf",
            OutputFormat::Xlsx => "xlsx",
        }
    }
}

/// One entry of the report list (报告列表).
#[derive(Debug, Clone, Serialize)]
pub struct ReportSpec {
    pub id: String,
    pub title: String,
    pub title_en: Option<String>,
    pub audience: Audience,
    pub agreements: Vec<String>,
    #[serde(serialize_with = "ser_frequency")]
    pub frequency: Frequency,
    pub formats: Vec<OutputFormat>,
    pub template: String,
    /// Pattern with `{period}` (and optionally `{year}`, `{id}`), e.g. `SR-ACME-{period}`.
    pub doc_number: String,
    /// Who compiles, reviews and approves: person ids when the catalogue
    /// lists `[[person]]`, else names as written (legacy).
    pub compiler: String,
    pub reviewer: String,
    pub approver: String,
    pub recipients: Vec<String>,
}

impl ReportSpec {
    /// The document number for a period, e.g. `SR-ACME-2026-10`.
    pub fn doc_number_for(&self, p: &Period) -> String {
        self.doc_number
            .replace("{period}", &p.to_string())
            .replace("{year}", &p.year.to_string())
            .replace("{id}", &self.id)
    }
}

fn ser_frequency<S: serde::Serializer>(f: &Frequency, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.as_str())
}

impl Catalogue {
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|c| c.id == id)
    }
    pub fn supplier(&self, id: &str) -> Option<&Supplier> {
        self.suppliers.iter().find(|c| c.id == id)
    }
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|c| c.id == id)
    }
    pub fn report(&self, id: &str) -> Option<&ReportSpec> {
        self.reports.iter().find(|r| r.id == id)
    }
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.persons.iter().find(|p| p.id == id)
    }
    /// True when people have ids (`[[person]]`): the report list names them by id.
    pub fn has_persons(&self) -> bool {
        !self.persons.is_empty()
    }
    /// How a document prints someone the report list names: the person's
    /// name for a person id, else the text as written (a legacy name).
    pub fn display_name<'a>(&'a self, who: &'a str) -> &'a str {
        self.person(who).map(|p| p.name.as_str()).unwrap_or(who)
    }
    /// The person holding the key with this fingerprint, and the key.
    pub fn key_owner(&self, fingerprint: &str) -> Option<(&Person, &PersonKey)> {
        self.persons.iter().find_map(|p| {
            p.keys
                .iter()
                .find(|k| k.fingerprint == fingerprint)
                .map(|k| (p, k))
        })
    }
    /// The version of agreement `id` in force in `p` (latest effective_from wins).
    /// A process by its id or its name.
    pub fn process(&self, id_or_name: &str) -> Option<&Process> {
        self.processes
            .iter()
            .find(|p| p.id == id_or_name || p.name == id_or_name)
    }

    /// A capacity resource by id.
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    pub fn agreement_for(&self, id: &str, p: &Period) -> Option<&Agreement> {
        self.agreements
            .iter()
            .filter(|a| a.id == id && a.in_force(p))
            .max_by_key(|a| a.effective_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).expect("serialises")
    }

    /// The JSON of these types is each one's `as_str` text, and reads back to
    /// the same value (KPI results stored by earlier versions keep reading).
    #[test]
    fn serde_names_are_the_text_names() {
        for m in Metric::ALL {
            assert_eq!(json(&m), format!("\"{m}\""));
            assert_eq!(serde_json::from_str::<Metric>(&json(&m)).unwrap(), m);
        }
        for k in [AgreementKind::Sla, AgreementKind::Uc, AgreementKind::Ola] {
            assert_eq!(json(&k), format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<AgreementKind>(&json(&k)).unwrap(), k);
        }
        for o in [Op::Ge, Op::Le] {
            assert_eq!(json(&o), format!("\"{o}\""));
            assert_eq!(serde_json::from_str::<Op>(&json(&o)).unwrap(), o);
        }
        for text in ["%", "h", "count", "score", "min", "", "次", "ms"] {
            let u = Unit::from_text(text);
            assert_eq!(u.as_str(), text);
            assert_eq!(json(&u), json(&text));
            assert_eq!(serde_json::from_str::<Unit>(&json(&u)).unwrap(), u);
        }
        assert_eq!(Unit::from_text("%"), Unit::Percent);
        assert_eq!(Unit::from_text("次"), Unit::Other("次".into()));
    }

    #[test]
    fn op_meets_includes_the_threshold() {
        assert!(Op::Ge.meets(99.9, 99.9) && Op::Ge.meets(100.0, 99.9));
        assert!(!Op::Ge.meets(99.8, 99.9));
        assert!(Op::Le.meets(4.0, 4.0) && Op::Le.meets(3.0, 4.0));
        assert!(!Op::Le.meets(4.1, 4.0));
    }
}

//! Typed, validated records: what `ingest` produces and `kpi` consumes.
//!
//! Plain data. Every timestamp is a *local* wall-clock time of the workspace's
//! timezone (`NaiveDateTime`), exactly as providers type them; the workspace
//! timezone is only used to turn the run's instant (`--now`) into local time.
//! Every record keeps a [`SourceRef`] so a figure can be traced to its cell row.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::period::Period;

/// A shared, immutable string: the repeated values of a dataset (catalogue ids,
/// categories, groups, file and sheet names). One pointer wide; a clone is a
/// reference-count increment, so a million records naming the same customer
/// hold one copy of its id. Reads, compares, hashes and serialises exactly like
/// the `str` it holds.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sym(Arc<String>);

/// A ticket, change or request id: 16 bytes, stored inline up to 15 bytes
/// (`INC0012345`, `CHG-2026-00042`), so a million ids cost no allocation each.
pub type Id = ecow::EcoString;

impl Sym {
    pub fn new(s: &str) -> Sym {
        Sym(Arc::new(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The identity of the shared copy (equal for clones of one `Sym`, different for
    /// separately made ones with equal text), so an encoder can send it once.
    pub fn shared_key(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym(Arc::new(s))
    }
}

impl From<&String> for Sym {
    fn from(s: &String) -> Sym {
        Sym::new(s)
    }
}

impl From<&Sym> for String {
    fn from(s: &Sym) -> String {
        s.0.as_str().to_string()
    }
}

impl From<Sym> for String {
    fn from(s: Sym) -> String {
        Arc::unwrap_or_clone(s.0)
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, o: &str) -> bool {
        self.0.as_str() == o
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, o: &&str) -> bool {
        self.0.as_str() == *o
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, o: &String) -> bool {
        self.0.as_str() == o.as_str()
    }
}

impl PartialEq<Sym> for String {
    fn eq(&self, o: &Sym) -> bool {
        self.as_str() == o.0.as_str()
    }
}

impl PartialEq<Sym> for str {
    fn eq(&self, o: &Sym) -> bool {
        self == o.0.as_str()
    }
}

impl PartialEq<Sym> for &str {
    fn eq(&self, o: &Sym) -> bool {
        *self == o.0.as_str()
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Sym {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        String::deserialize(d).map(Sym::from)
    }
}

/// The file (workspace-relative) and sheet records come from, shared by
/// every record of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub sheet: String,
}

/// Where a record came from: file, sheet and 1-based Excel row (12 bytes: the
/// file and sheet are one shared [`Origin`]). Serialises as
/// `{"file", "sheet", "row"}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct SourceRef {
    origin: Arc<Origin>,
    pub row: u32,
}

impl SourceRef {
    pub fn new(origin: Arc<Origin>, row: u32) -> SourceRef {
        SourceRef { origin, row }
    }
    pub fn file(&self) -> &str {
        &self.origin.file
    }
    pub fn sheet(&self) -> &str {
        &self.origin.sheet
    }
    /// The shared file and sheet.
    pub fn origin(&self) -> &Arc<Origin> {
        &self.origin
    }
}

#[derive(Serialize, Deserialize)]
struct SourceRefRepr {
    file: String,
    sheet: String,
    row: u32,
}

impl Serialize for SourceRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SourceRefRepr {
            file: self.origin.file.clone(),
            sheet: self.origin.sheet.clone(),
            row: self.row,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SourceRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SourceRef, D::Error> {
        let r = SourceRefRepr::deserialize(d)?;
        Ok(SourceRef::new(
            Arc::new(Origin {
                file: r.file,
                sheet: r.sheet,
            }),
            r.row,
        ))
    }
}

/// Incident / ticket priority. Input spellings: `P1`–`P4`, `1`–`4`, 紧急/高/中/低,
/// Critical/High/Medium/Low (parsing lives in `ingest::cell`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }
    /// Exact `P1`..`P4` (case-insensitive); the lenient input parser is in `ingest::cell`.
    pub fn parse_code(s: &str) -> Option<Priority> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P1" => Some(Priority::P1),
            "P2" => Some(Priority::P2),
            "P3" => Some(Priority::P3),
            "P4" => Some(Priority::P4),
            _ => None,
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ticket status (新建/处理中/挂起/已解决/已关闭/已取消). A cancelled ticket is left out of
/// every SLA figure (counted as excluded in the figure's explanation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    InProgress,
    Pending,
    Resolved,
    Closed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: Id,
    /// Catalogue customer id (names are resolved to ids during validation).
    pub customer: Sym,
    /// Catalogue service id.
    pub service: Sym,
    pub priority: Priority,
    pub opened: NaiveDateTime,
    pub responded: Option<NaiveDateTime>,
    pub resolved: Option<NaiveDateTime>,
    pub closed: Option<NaiveDateTime>,
    /// SLA clock stopped (waiting for customer), in seconds (input is minutes).
    pub paused_secs: i64,
    pub status: Option<TicketStatus>,
    pub major: bool,
    /// No Resolved At although resolved or closed: `resolved` is the Closed At
    /// standing in for it (said in the figures' explanations).
    #[serde(default)]
    pub resolved_at_close: bool,
    /// Its opened, responded, resolved and closed times and paused time were derived from an
    /// event log's activities (an import profile's `events`; said in the figures'
    /// explanations).
    #[serde(default)]
    pub from_events: bool,
    // Category, assignee group and summary are validated and left in the (archived)
    // workbook: no figure uses them, and a million incidents are held in memory.
    pub satisfaction: Option<u8>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    pub service: Sym,
    /// `None` = every customer of the service.
    pub customer: Option<Sym>,
    pub start: NaiveDateTime,
    /// `None` = still down (counts to the period's end).
    pub end: Option<NaiveDateTime>,
    pub planned: bool,
    /// Free text (a shared copy: one long text in many rows is held once).
    pub description: Option<Sym>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    Standard,
    Normal,
    Emergency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeResult {
    Successful,
    Failed,
    RolledBack,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: Id,
    pub customer: Option<Sym>,
    pub service: Sym,
    pub kind: ChangeType,
    pub planned_start: Option<NaiveDateTime>,
    pub planned_end: Option<NaiveDateTime>,
    pub actual_end: Option<NaiveDateTime>,
    pub result: Option<ChangeResult>,
    pub caused_incident: bool,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: Id,
    pub customer: Sym,
    pub service: Sym,
    pub opened: NaiveDateTime,
    pub fulfilled: Option<NaiveDateTime>,
    pub paused_secs: i64,
    pub status: Option<TicketStatus>,
    pub satisfaction: Option<u8>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub customer: Sym,
    pub service: Option<Sym>,
    pub date: NaiveDate,
    pub score: u8,
    /// Free text (a shared copy).
    pub comment: Option<Sym>,
    pub src: SourceRef,
}

/// A value an ITSM process reports about itself (targets live in the catalogue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessKpiValue {
    pub process: Sym,
    pub kpi: Sym,
    pub period: Period,
    pub value: f64,
    pub unit: Option<Sym>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierTicket {
    pub supplier: Sym,
    /// UC agreement id.
    pub contract: Sym,
    pub id: Id,
    pub priority: Priority,
    pub reported: NaiveDateTime,
    pub responded: Option<NaiveDateTime>,
    pub restored: Option<NaiveDateTime>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacitySample {
    pub resource: Sym,
    pub service: Option<Sym>,
    pub date: NaiveDate,
    /// Percent, 0–100 (values above 100 are allowed: over-subscription).
    pub utilisation: f64,
    pub threshold: Option<f64>,
    pub src: SourceRef,
}

/// The eight datasets of spec §2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    Incidents,
    Outages,
    Changes,
    Requests,
    Surveys,
    ProcessKpis,
    SupplierTickets,
    Capacity,
}

impl DatasetKind {
    /// All eight, in the order of spec §2.1.
    pub const ALL: [DatasetKind; 8] = [
        DatasetKind::Incidents,
        DatasetKind::Outages,
        DatasetKind::Changes,
        DatasetKind::Requests,
        DatasetKind::Surveys,
        DatasetKind::ProcessKpis,
        DatasetKind::SupplierTickets,
        DatasetKind::Capacity,
    ];

    /// The dataset of a stable name (`incidents`), the inverse of [`DatasetKind::name`].
    pub fn from_name(name: &str) -> Option<DatasetKind> {
        DatasetKind::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The stable name (`incidents`), as in JSON and the provider templates.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Incidents => "incidents",
            DatasetKind::Outages => "outages",
            DatasetKind::Changes => "changes",
            DatasetKind::Requests => "requests",
            DatasetKind::Surveys => "surveys",
            DatasetKind::ProcessKpis => "process_kpis",
            DatasetKind::SupplierTickets => "supplier_tickets",
            DatasetKind::Capacity => "capacity",
        }
    }
}

/// Which datasets were delivered for which periods (spec §2.1a): what the
/// "data missing" rule of the figures reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deliveries {
    /// (the delivery's period — `None` for a file with no period in its folder
    /// or name —, a dataset it holds, even with no rows).
    pub entries: Vec<(Option<crate::model::period::Period>, DatasetKind)>,
}

impl Deliveries {
    /// Anything at all was delivered for a month of `p` (or a file with no period).
    pub fn any_for(&self, p: &crate::model::period::Period) -> bool {
        self.entries
            .iter()
            .any(|(dp, _)| dp.is_none_or(|dp| dp.start() < p.end() && p.start() < dp.end()))
    }

    /// The months of `p` that no delivery of `kind` covers. A file without a
    /// period covers every month (its records say where they belong); a
    /// delivery for a longer period (a quarter) covers each of its months.
    pub fn months_missing(
        &self,
        kind: DatasetKind,
        p: &crate::model::period::Period,
    ) -> Vec<crate::model::period::Period> {
        p.months()
            .into_iter()
            .filter(|m| {
                !self.entries.iter().any(|(dp, k)| {
                    *k == kind && dp.is_none_or(|dp| dp.start() <= m.start() && m.end() <= dp.end())
                })
            })
            .collect()
    }
}

/// Every validated record of a run, per dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub incidents: Vec<Incident>,
    pub outages: Vec<Outage>,
    pub changes: Vec<Change>,
    pub requests: Vec<Request>,
    pub surveys: Vec<Survey>,
    pub process_kpis: Vec<ProcessKpiValue>,
    pub supplier_tickets: Vec<SupplierTicket>,
    pub capacity: Vec<CapacitySample>,
    /// What was delivered for which period; `None` where nobody tracked it (a
    /// dataset built in a test): then no figure is judged "data missing".
    #[serde(default)]
    pub deliveries: Option<Deliveries>,
}

impl Dataset {
    /// Append another dataset (records of one more file).
    pub fn extend(&mut self, other: Dataset) {
        fn add<T>(a: &mut Vec<T>, mut b: Vec<T>) {
            if a.is_empty() && a.capacity() <= b.capacity() {
                *a = b;
            } else {
                a.append(&mut b);
            }
        }
        add(&mut self.incidents, other.incidents);
        add(&mut self.outages, other.outages);
        add(&mut self.changes, other.changes);
        add(&mut self.requests, other.requests);
        add(&mut self.surveys, other.surveys);
        add(&mut self.process_kpis, other.process_kpis);
        add(&mut self.supplier_tickets, other.supplier_tickets);
        add(&mut self.capacity, other.capacity);
    }

    /// Every part's records in order, in vectors allocated once at their final
    /// size (merging a month's files never holds two growing copies).
    pub fn concat(mut parts: Vec<Dataset>) -> Dataset {
        if parts.len() == 1 {
            return parts.pop().unwrap_or_default();
        }
        let mut out = Dataset::default();
        out.incidents
            .reserve_exact(parts.iter().map(|p| p.incidents.len()).sum());
        out.outages
            .reserve_exact(parts.iter().map(|p| p.outages.len()).sum());
        out.changes
            .reserve_exact(parts.iter().map(|p| p.changes.len()).sum());
        out.requests
            .reserve_exact(parts.iter().map(|p| p.requests.len()).sum());
        out.surveys
            .reserve_exact(parts.iter().map(|p| p.surveys.len()).sum());
        out.process_kpis
            .reserve_exact(parts.iter().map(|p| p.process_kpis.len()).sum());
        out.supplier_tickets
            .reserve_exact(parts.iter().map(|p| p.supplier_tickets.len()).sum());
        out.capacity
            .reserve_exact(parts.iter().map(|p| p.capacity.len()).sum());
        // Each part is freed as soon as it is moved, so the peak is the
        // result plus one part, not two copies of everything.
        for mut p in parts {
            out.incidents.append(&mut p.incidents);
            out.outages.append(&mut p.outages);
            out.changes.append(&mut p.changes);
            out.requests.append(&mut p.requests);
            out.surveys.append(&mut p.surveys);
            out.process_kpis.append(&mut p.process_kpis);
            out.supplier_tickets.append(&mut p.supplier_tickets);
            out.capacity.append(&mut p.capacity);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A month of a million incidents is held in memory: an incident stays within 112 bytes
    /// (a field added carelessly would grow every record; see `Incident`).
    #[test]
    fn an_incident_is_compact() {
        assert!(std::mem::size_of::<Incident>() <= 112);
        assert_eq!(std::mem::size_of::<SourceRef>(), 16);
    }
}

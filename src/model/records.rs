//! Typed, validated records: what `ingest` produces and `kpi` consumes.
//!
//! Plain data. Every timestamp is a *local* wall-clock time of the workspace's
//! timezone (`NaiveDateTime`), exactly as providers type them; the workspace
//! timezone is only used to turn the run's instant (`--now`) into local time.
//! Every record keeps a [`SourceRef`] so a figure can be traced to its cell row.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::period::Period;

/// Where a record came from: file (workspace-relative), sheet and 1-based Excel row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct SourceRef {
    pub file: String,
    pub sheet: String,
    pub row: u32,
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

/// Ticket status (新建/处理中/挂起/已解决/已关闭).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    InProgress,
    Pending,
    Resolved,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    /// Catalogue customer id (names are resolved to ids during validation).
    pub customer: String,
    /// Catalogue service id.
    pub service: String,
    pub priority: Priority,
    pub opened: NaiveDateTime,
    pub responded: Option<NaiveDateTime>,
    pub resolved: Option<NaiveDateTime>,
    pub closed: Option<NaiveDateTime>,
    /// SLA clock stopped (waiting for customer), in seconds (input is minutes).
    pub paused_secs: i64,
    pub status: Option<TicketStatus>,
    pub major: bool,
    pub category: Option<String>,
    pub group: Option<String>,
    pub summary: Option<String>,
    pub satisfaction: Option<u8>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    pub service: String,
    /// `None` = every customer of the service.
    pub customer: Option<String>,
    pub start: NaiveDateTime,
    /// `None` = still down (counts to the period's end).
    pub end: Option<NaiveDateTime>,
    pub planned: bool,
    pub description: Option<String>,
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
    pub id: String,
    pub customer: Option<String>,
    pub service: String,
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
    pub id: String,
    pub customer: String,
    pub service: String,
    pub opened: NaiveDateTime,
    pub fulfilled: Option<NaiveDateTime>,
    pub paused_secs: i64,
    pub status: Option<TicketStatus>,
    pub satisfaction: Option<u8>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub customer: String,
    pub service: Option<String>,
    pub date: NaiveDate,
    pub score: u8,
    pub comment: Option<String>,
    pub src: SourceRef,
}

/// A value an ITSM process reports about itself (targets live in the catalogue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessKpiValue {
    pub process: String,
    pub kpi: String,
    pub period: Period,
    pub value: f64,
    pub unit: Option<String>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierTicket {
    pub supplier: String,
    /// UC agreement id.
    pub contract: String,
    pub id: String,
    pub priority: Priority,
    pub reported: NaiveDateTime,
    pub responded: Option<NaiveDateTime>,
    pub restored: Option<NaiveDateTime>,
    pub src: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacitySample {
    pub resource: String,
    pub service: Option<String>,
    pub date: NaiveDate,
    /// Percent, 0–100 (values above 100 are allowed: over-subscription).
    pub utilisation: f64,
    pub threshold: Option<f64>,
    pub src: SourceRef,
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
}

impl Dataset {
    /// Append another dataset (records of one more file).
    pub fn extend(&mut self, other: Dataset) {
        self.incidents.extend(other.incidents);
        self.outages.extend(other.outages);
        self.changes.extend(other.changes);
        self.requests.extend(other.requests);
        self.surveys.extend(other.surveys);
        self.process_kpis.extend(other.process_kpis);
        self.supplier_tickets.extend(other.supplier_tickets);
        self.capacity.extend(other.capacity);
    }
}

//! KPI results: every target computed, judged and explained (spec §3).
//!
//! CONTRACT: this is what `report` builds documents from and what
//! `svcreport compute --format json` prints (schema: `schemas/kpi-results.schema.json`).
//! Values are full precision; rounding happens only in `numfmt`.

use serde::{Deserialize, Serialize};

pub use crate::model::status::Status;

/// The scope a target was computed on.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Scope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// A ticket that missed its target (or an item that breached, e.g. a failed change).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Miss {
    pub id: crate::model::records::Id,
    /// Still open (not answered / resolved) at the period's end.
    pub open: bool,
}

/// One target of one agreement, computed for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    pub agreement: String,
    /// `SLA` | `UC` | `OLA` | `process` (process-KPI targets).
    pub kind: String,
    pub version: String,
    /// Metric name (spec §2.4) or `process:<process>/<kpi>`.
    pub metric: String,
    pub scope: Scope,
    /// `>=` | `<=`.
    pub op: String,
    pub threshold: f64,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_risk_margin: Option<f64>,
    /// `None` = no population (status N/A).
    pub actual: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// What was left out and why, e.g. "planned outage 120 min", "3 tickets still inside their deadline".
    pub exclusions: Vec<String>,
    pub status: Status,
    /// The tickets that missed, sorted by id: all of them from the engine;
    /// a batch run keeps only the first ones (see [`KpiResults::cap_missed`]).
    pub missed: Vec<Miss>,
    /// How many missed in all (`missed` may list fewer).
    #[serde(default)]
    pub missed_total: u64,
    /// Extra figures of the metric (e.g. `median`, `p90` for MTTR, `planned_minutes`).
    pub extra: std::collections::BTreeMap<String, f64>,
    /// The process that owns the metric (for improvement items), e.g. 事件管理.
    pub process: String,
}

/// A point of a trend: the same target in an earlier period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub period: String,
    pub actual: Option<f64>,
    pub status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Better,
    Worse,
    Same,
    /// No comparable previous value.
    Unknown,
}

/// An improvement item: a breached target, or one at risk in two consecutive periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImprovementItem {
    pub agreement: String,
    pub metric: String,
    pub scope: Scope,
    pub process: String,
    pub status: Status,
    pub reason: String,
}

/// Volume figures for tables and charts (not targets): counts per priority etc.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Volumes {
    /// Keyed by customer id (`*` = all); value keyed by priority `P1`..`P4`.
    pub incidents_opened:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    pub incidents_resolved:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    /// Changes with Actual End in the period (all customers), keyed by type:
    /// `standard`, `normal`, `emergency`.
    pub changes: std::collections::BTreeMap<String, u64>,
    /// Requests opened in the period, keyed by customer id (`*` = all).
    pub requests_opened: std::collections::BTreeMap<String, u64>,
}

/// Everything computed for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiResults {
    /// Schema version of this JSON (`svcreport compute --format json`).
    pub schema_version: u32,
    pub period: String,
    pub targets: Vec<TargetResult>,
    /// Same targets (matched by agreement, metric and scope) in earlier periods, oldest first.
    pub trends: Vec<Vec<TrendPoint>>,
    pub directions: Vec<Direction>,
    pub improvements: Vec<ImprovementItem>,
    pub volumes: Volumes,
}

pub const SCHEMA_VERSION: u32 = 1;

impl TargetResult {
    /// How many missed in all (results stored before `missed_total` existed
    /// carry their complete list).
    pub fn missed_count(&self) -> u64 {
        self.missed_total.max(self.missed.len() as u64)
    }
}

impl KpiResults {
    /// Keep at most `n` missed tickets per target (the first by id);
    /// `missed_total` keeps the count. A month of a million tickets can miss
    /// hundreds of thousands: a document lists a bounded number, trends need
    /// none, and the complete list is always one `svcreport compute
    /// --format json` away.
    pub fn cap_missed(&mut self, n: usize) {
        for t in &mut self.targets {
            t.missed_total = t.missed_count();
            t.missed.truncate(n);
            t.missed.shrink_to_fit();
        }
    }
}

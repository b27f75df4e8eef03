//! KPI results: every target computed, judged and explained (spec §3).
//!
//! CONTRACT: this is what `report` builds documents from and what
//! `svcreport compute --format json` prints (schema: `schemas/kpi-results.schema.json`).
//! Values are full precision; rounding happens only in `numfmt`.

use serde::{Deserialize, Serialize};

use crate::model::catalogue::{AgreementKind, Metric, Op, Unit};
pub use crate::model::status::Status;

/// Whose target a result is: an agreement's (of its kind) or a process KPI's.
/// JSON: `"SLA"` | `"UC"` | `"OLA"` | `"process"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Agreement(AgreementKind),
    Process,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Agreement(k) => k.as_str(),
            TargetKind::Process => "process",
        }
    }
}

impl std::fmt::Display for TargetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TargetKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TargetKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TargetKind, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "SLA" => Ok(TargetKind::Agreement(AgreementKind::Sla)),
            "UC" => Ok(TargetKind::Agreement(AgreementKind::Uc)),
            "OLA" => Ok(TargetKind::Agreement(AgreementKind::Ola)),
            "process" => Ok(TargetKind::Process),
            other => Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(other),
                &"SLA, UC, OLA or process",
            )),
        }
    }
}

/// What a target measures: a metric of spec §2.4 (an agreement's target) or
/// a process KPI. JSON: the metric's name, or `process:<process>/<kpi>`
/// (read back by splitting at the first `/`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetMetric {
    Agreement(Metric),
    Process { process: String, kpi: String },
}

impl TargetMetric {
    /// The spec metric, `None` for a process KPI.
    pub fn metric(&self) -> Option<Metric> {
        match self {
            TargetMetric::Agreement(m) => Some(*m),
            TargetMetric::Process { .. } => None,
        }
    }
}

impl std::fmt::Display for TargetMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetMetric::Agreement(m) => f.write_str(m.as_str()),
            TargetMetric::Process { process, kpi } => write!(f, "process:{process}/{kpi}"),
        }
    }
}

impl Serialize for TargetMetric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TargetMetric {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TargetMetric, D::Error> {
        let s = String::deserialize(d)?;
        let bad = |expected: &'static str| -> D::Error {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), &expected)
        };
        if let Some(rest) = s.strip_prefix("process:") {
            let (process, kpi) = rest
                .split_once('/')
                .ok_or_else(|| bad("process:<process>/<kpi>"))?;
            return Ok(TargetMetric::Process {
                process: process.to_string(),
                kpi: kpi.to_string(),
            });
        }
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .map(TargetMetric::Agreement)
            .ok_or_else(|| bad("a metric name of spec §2.4 or process:<process>/<kpi>"))
    }
}

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
/// A ticket of a compliance target carries what a service review needs (issue 15): its
/// service, priority, opened time, the limit, the business time taken (none while open),
/// the overrun (for an open ticket, at the period's end) and the paused time; all in
/// business seconds of the ticket's clock.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Miss {
    pub id: crate::model::records::Id,
    /// Still open (not answered / resolved) at the period's end.
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<crate::model::records::Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened: Option<chrono::NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrun_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_secs: Option<i64>,
}

/// One target of one agreement, computed for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    pub agreement: String,
    pub kind: TargetKind,
    pub version: String,
    pub metric: TargetMetric,
    pub scope: Scope,
    pub op: Op,
    pub threshold: f64,
    /// The metric's unit, or the process KPI's as written (`""` when it names none).
    pub unit: Unit,
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
    pub metric: TargetMetric,
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
    /// Tickets of the approved periods that later deliveries corrected, listed by
    /// the first period that is not approved (see `kpi::corrections`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late_corrections: Vec<crate::kpi::corrections::LateCorrection>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_and_metric_serialise_as_their_text_and_read_back() {
        for (k, text) in [
            (TargetKind::Agreement(AgreementKind::Sla), "SLA"),
            (TargetKind::Agreement(AgreementKind::Uc), "UC"),
            (TargetKind::Agreement(AgreementKind::Ola), "OLA"),
            (TargetKind::Process, "process"),
        ] {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<TargetKind>(&json).unwrap(), k);
        }
        for m in Metric::ALL {
            let t = TargetMetric::Agreement(m);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
            assert_eq!(serde_json::from_str::<TargetMetric>(&json).unwrap(), t);
        }
        let p = TargetMetric::Process {
            process: "事件管理".into(),
            kpi: "首次解决率".into(),
        };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"process:事件管理/首次解决率\"");
        assert_eq!(serde_json::from_str::<TargetMetric>(&json).unwrap(), p);
        for bad in ["\"availabilty\"", "\"process:no-slash\"", "\"\""] {
            assert!(serde_json::from_str::<TargetMetric>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<TargetKind>("\"sla\"").is_err());
    }
}

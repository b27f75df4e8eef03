//! Trends, directions and improvement items (spec §3, §5).
//!
//! Depends on `kpi::result` and the catalogue's `Op` only. A target is matched
//! across periods by (agreement, metric, scope) — not by version, so a renewed
//! agreement keeps its history. Invariants:
//! - `trends[i]` are the points of `targets[i]` in the history, oldest first,
//!   at most the last 12 periods (reports take 3, 6 or 12 from the end); a
//!   period where the target did not exist is left out;
//! - `directions[i]` compares with the immediately previous period (the last
//!   history entry) respecting `op`: for `>=` higher is better, for `<=` lower
//!   is better; `unknown` when either value is missing;
//! - improvement items: every breached target, and every target at risk both
//!   now and in the previous period that has data (a period whose data are
//!   missing, or where the target did not exist, neither continues the streak
//!   nor breaks it); in target order.

use crate::kpi::result::{
    Direction, ImprovementItem, KpiResults, Status, TargetResult, TrendPoint,
};
use crate::model::catalogue::Op;

/// The longest trend kept.
pub const MAX_TREND: usize = 12;

fn same(a: &TargetResult, b: &TargetResult) -> bool {
    a.agreement == b.agreement && a.metric == b.metric && a.scope == b.scope
}

fn find<'a>(r: &'a KpiResults, t: &TargetResult) -> Option<&'a TargetResult> {
    r.targets.iter().find(|x| same(x, t))
}

/// Trend points and directions, one per target.
pub fn trends(
    targets: &[TargetResult],
    history: &[KpiResults],
) -> (Vec<Vec<TrendPoint>>, Vec<Direction>) {
    let recent = &history[history.len().saturating_sub(MAX_TREND)..];
    let trends = targets
        .iter()
        .map(|t| {
            recent
                .iter()
                .filter_map(|r| {
                    find(r, t).map(|x| TrendPoint {
                        period: r.period.clone(),
                        actual: x.actual,
                        status: x.status,
                    })
                })
                .collect()
        })
        .collect();
    let directions = targets
        .iter()
        .map(|t| {
            let prev = history
                .last()
                .and_then(|r| find(r, t))
                .and_then(|x| x.actual);
            direction(t.actual, prev, t.op)
        })
        .collect();
    (trends, directions)
}

/// Direction of `now` against `prev` for comparison `op`.
pub fn direction(now: Option<f64>, prev: Option<f64>, op: Op) -> Direction {
    match (now, prev) {
        (Some(a), Some(b)) if a == b => Direction::Same,
        (Some(a), Some(b)) => {
            let higher_better = op == Op::Ge;
            if (a > b) == higher_better {
                Direction::Better
            } else {
                Direction::Worse
            }
        }
        _ => Direction::Unknown,
    }
}

/// The target's status in the latest history period that has data for it
/// (periods with data missing are skipped: they neither continue nor break a streak).
fn previous_with_data(history: &[KpiResults], t: &TargetResult) -> Option<Status> {
    history
        .iter()
        .rev()
        .filter_map(|r| find(r, t))
        .map(|x| x.status)
        .find(|s| *s != Status::DataMissing)
}

/// Improvement items: breached now, or at risk now and in the previous period
/// that has data.
pub fn improvements(targets: &[TargetResult], history: &[KpiResults]) -> Vec<ImprovementItem> {
    targets
        .iter()
        .filter_map(|t| {
            let reason = match t.status {
                Status::Breached => format!(
                    "breached: target {} {} {} not achieved",
                    t.op, t.threshold, t.unit
                ),
                Status::AtRisk if previous_with_data(history, t) == Some(Status::AtRisk) => {
                    format!(
                        "at risk in two consecutive periods (within {} of the target {} {} {})",
                        t.at_risk_margin.unwrap_or(0.0),
                        t.op,
                        t.threshold,
                        t.unit
                    )
                }
                _ => return None,
            };
            Some(ImprovementItem {
                agreement: t.agreement.clone(),
                metric: t.metric.clone(),
                scope: t.scope.clone(),
                process: t.process.clone(),
                status: t.status,
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_respects_op() {
        assert_eq!(direction(Some(99.0), Some(98.0), Op::Ge), Direction::Better);
        assert_eq!(direction(Some(97.0), Some(98.0), Op::Ge), Direction::Worse);
        assert_eq!(direction(Some(3.0), Some(4.0), Op::Le), Direction::Better);
        assert_eq!(direction(Some(5.0), Some(4.0), Op::Le), Direction::Worse);
        assert_eq!(direction(Some(4.0), Some(4.0), Op::Le), Direction::Same);
        assert_eq!(direction(None, Some(4.0), Op::Le), Direction::Unknown);
        assert_eq!(direction(Some(4.0), None, Op::Ge), Direction::Unknown);
    }

    fn target(status: &str, actual: Option<f64>) -> TargetResult {
        serde_json::from_value(serde_json::json!({
            "agreement": "SLA-ACME", "kind": "SLA", "version": "1", "metric": "availability",
            "scope": {"customer": "acme", "service": "erp"}, "op": ">=", "threshold": 99.9,
            "unit": "%", "at_risk_margin": 0.05, "actual": actual, "numerator": null,
            "denominator": null, "exclusions": [], "status": status, "missed": [],
            "missed_total": 0, "extra": {}, "process": "可用性管理"
        }))
        .unwrap()
    }

    fn period(p: &str, targets: Vec<TargetResult>) -> KpiResults {
        KpiResults {
            schema_version: crate::kpi::result::SCHEMA_VERSION,
            period: p.into(),
            targets,
            trends: vec![],
            directions: vec![],
            improvements: vec![],
            volumes: Default::default(),
            late_corrections: vec![],
        }
    }

    #[test]
    fn at_risk_twice_in_a_row_skips_periods_without_data() {
        let now = [target("at_risk", Some(99.92))];
        let risk = || target("at_risk", Some(99.93));
        let missing = || target("data_missing", None);
        let met = || target("met", Some(99.99));
        // At risk, then data missing, then at risk: the missing month neither breaks
        // nor continues the streak, so this is the second period in a row.
        let h = [
            period("2026-08", vec![risk()]),
            period("2026-09", vec![missing()]),
        ];
        assert_eq!(improvements(&now, &h).len(), 1);
        // A period without the target at all is skipped the same way.
        let h = [period("2026-08", vec![risk()]), period("2026-09", vec![])];
        assert_eq!(improvements(&now, &h).len(), 1);
        // Met in between breaks it.
        let h = [
            period("2026-08", vec![risk()]),
            period("2026-09", vec![met()]),
        ];
        assert!(improvements(&now, &h).is_empty());
        // Only missing months before: no streak.
        let h = [period("2026-09", vec![missing()])];
        assert!(improvements(&now, &h).is_empty());
        // Breached always raises an item, whatever came before.
        let b = [target("breached", Some(99.0))];
        assert_eq!(improvements(&b, &[]).len(), 1);
    }
}

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
//!   now and in the previous period; in target order.

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

/// Improvement items: breached now, or at risk now and in the previous period.
pub fn improvements(targets: &[TargetResult], history: &[KpiResults]) -> Vec<ImprovementItem> {
    let prev = history.last();
    targets
        .iter()
        .filter_map(|t| {
            let reason = match t.status {
                Status::Breached => format!(
                    "breached: target {} {} {} not achieved",
                    t.op, t.threshold, t.unit
                ),
                Status::AtRisk
                    if prev
                        .and_then(|r| find(r, t))
                        .is_some_and(|x| x.status == Status::AtRisk) =>
                {
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
}

//! Process-KPI targets (`[[process_kpi]]`): the values each ITSM process reports
//! about itself, judged against the catalogue's targets.
//!
//! Depends on process-KPI records and the catalogue only. Decisions:
//! - a value whose period equals the computed period is used as is (the last
//!   one in input order when a provider repeated it; validation reports
//!   duplicates);
//! - otherwise, for a quarter/half-year/year, the mean of the monthly values
//!   of its months (`extra.months` says how many were found);
//! - no value is N/A. The owning process is the target's process.

use crate::kpi::result::{Scope, TargetKind, TargetMetric, TargetResult};
use crate::kpi::{Ctx, judge};
use crate::model::catalogue::Unit;
use crate::model::period::Frequency;

pub(crate) fn compute(ctx: &Ctx) -> Vec<TargetResult> {
    ctx.cat
        .process_kpis
        .iter()
        .map(|t| {
            let matching = |p: &crate::model::period::Period| {
                ctx.data
                    .process_kpis
                    .iter()
                    .filter(|v| v.process == t.process && v.kpi == t.kpi && v.period == *p)
                    .map(|v| v.value)
                    .next_back()
            };
            let mut extra = std::collections::BTreeMap::new();
            let mut exclusions = Vec::new();
            let mut num = None;
            let mut den = None;
            let actual = match matching(&ctx.period) {
                Some(v) => Some(v),
                None if ctx.period.frequency != Frequency::Monthly => {
                    let vals: Vec<f64> = ctx.period.months().iter().filter_map(matching).collect();
                    extra.insert("months".to_string(), vals.len() as f64);
                    if vals.is_empty() {
                        None
                    } else {
                        exclusions.push(format!(
                            "mean of {} monthly value(s) of the period",
                            vals.len()
                        ));
                        let s: f64 = vals.iter().sum();
                        num = Some(s);
                        den = Some(vals.len() as f64);
                        Some(s / vals.len() as f64)
                    }
                }
                None => None,
            };
            if actual.is_none() {
                exclusions.push("no value reported for the period".into());
            }
            let r = TargetResult {
                agreement: "process".into(),
                kind: TargetKind::Process,
                version: String::new(),
                metric: TargetMetric::Process {
                    process: t.process.clone(),
                    kpi: t.kpi.clone(),
                },
                scope: Scope::default(),
                op: t.op,
                threshold: t.threshold,
                unit: t.unit.clone().unwrap_or(Unit::Unitless),
                within: None,
                at_risk_margin: t.at_risk,
                actual,
                numerator: num,
                denominator: den,
                exclusions,
                status: judge::judge(actual, t.op, t.threshold, t.at_risk),
                missed: Vec::new(),
                missed_total: 0,
                extra,
                process: t.process.clone(),
            };
            crate::kpi::with_deliveries(ctx, &[crate::model::records::DatasetKind::ProcessKpis], r)
        })
        .collect()
}

//! Capacity metrics: peak and mean utilisation and days over threshold, per
//! resource (spec §3).
//!
//! Depends on capacity samples only. Decisions:
//! - samples dated in the period; a sample naming a service counts when that
//!   service is in scope, one without a service counts only for a target that
//!   names its resource;
//! - a target without a `resource` is expanded into one result per resource in
//!   scope (sorted by resource id); with no sample at all it is one N/A result;
//! - `capacity_peak`: actual = the highest utilisation; `extra.mean`,
//!   `extra.days_over`, `extra.samples`;
//! - `capacity_days_over`: distinct dates with a sample strictly above its
//!   threshold; the threshold is the sample's own, else the threshold of a
//!   `capacity_peak` target of the same agreement (for that resource or
//!   unscoped); samples with neither are excluded and said so.

use std::collections::{BTreeMap, BTreeSet};

use crate::kpi::{Ctx, Figure, Filter};
use crate::model::catalogue::{Agreement, Metric, Target};
use crate::model::records::CapacitySample;

pub(crate) fn compute(ctx: &Ctx, a: &Agreement, f: &Filter, t: &Target) -> Vec<Figure> {
    let mut by_resource: BTreeMap<&str, Vec<&CapacitySample>> = BTreeMap::new();
    for s in &ctx.data.capacity {
        if !ctx.contains_date(s.date) {
            continue;
        }
        if let Some(r) = &t.resource
            && *r != s.resource
        {
            continue;
        }
        let in_scope = match &s.service {
            Some(sv) => f.service_ok(sv),
            None => t.resource.is_some(),
        };
        if in_scope {
            by_resource.entry(&s.resource).or_default().push(s);
        }
    }
    if by_resource.is_empty() {
        let mut fig = Figure {
            resource: t.resource.clone(),
            ..Figure::default()
        };
        fig.exclusions
            .push("no capacity sample in the period".into());
        return vec![fig];
    }
    by_resource
        .into_iter()
        .map(|(res, samples)| figure(a, t, res, &samples))
        .collect()
}

fn fallback_threshold(a: &Agreement, res: &str) -> Option<f64> {
    let peak = |t: &&Target| t.metric == Metric::CapacityPeak;
    a.targets
        .iter()
        .filter(peak)
        .find(|t| t.resource.as_deref() == Some(res))
        .or_else(|| a.targets.iter().filter(peak).find(|t| t.resource.is_none()))
        .map(|t| t.threshold)
}

fn figure(a: &Agreement, t: &Target, res: &str, samples: &[&CapacitySample]) -> Figure {
    let n = samples.len();
    let peak = samples
        .iter()
        .map(|s| s.utilisation)
        .fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = samples.iter().map(|s| s.utilisation).sum();
    let fallback = fallback_threshold(a, res);
    let mut days = BTreeSet::new();
    let mut no_threshold = 0usize;
    for s in samples {
        match s.threshold.or(fallback) {
            Some(th) if s.utilisation > th => {
                days.insert(s.date);
            }
            Some(_) => {}
            None => no_threshold += 1,
        }
    }
    let mut fig = match t.metric {
        Metric::CapacityDaysOver => Figure::count(days.len()),
        _ => Figure {
            actual: Some(peak),
            ..Figure::default()
        },
    };
    fig.resource = Some(res.to_string());
    fig.extra.insert("peak".into(), peak);
    fig.extra.insert("mean".into(), sum / n as f64);
    fig.extra.insert("days_over".into(), days.len() as f64);
    fig.extra.insert("samples".into(), n as f64);
    if no_threshold > 0 {
        fig.exclusions.push(format!(
            "{no_threshold} sample(s) with no threshold (neither in the row nor in a capacity_peak target) not judged for days over"
        ));
    }
    fig
}

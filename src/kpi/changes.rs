//! Change metrics: change success % and emergency-change share (spec §3).
//!
//! Depends on change records only. Decisions:
//! - the population is the changes whose Actual End lies in the period, on the
//!   scope's services; a change with a customer counts only for that customer,
//!   one without a customer for every customer of its service;
//! - success: changes with a result; a change without a result is excluded and
//!   said so; failed and rolled-back changes are listed as misses;
//! - emergency share: emergency changes / all changes of the population;
//! - `extra.caused_incidents` counts changes that caused incidents (both metrics).

use crate::kpi::{Ctx, Figure, Filter, Miss};
use crate::model::records::{Change, ChangeResult, ChangeType};

fn population<'a>(ctx: &Ctx<'a>, f: &Filter<'a>) -> Vec<&'a Change> {
    ctx.data
        .changes
        .iter()
        .filter(|c| {
            c.actual_end.is_some_and(|e| ctx.contains(e))
                && f.service_ok(&c.service)
                && match (f.customer, c.customer.as_deref()) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        })
        .collect()
}

fn common(fig: &mut Figure, pop: &[&Change]) {
    let caused = pop.iter().filter(|c| c.caused_incident).count();
    let emergency = pop
        .iter()
        .filter(|c| c.kind == ChangeType::Emergency)
        .count();
    fig.extra.insert("changes".into(), pop.len() as f64);
    fig.extra.insert("emergency".into(), emergency as f64);
    fig.extra.insert("caused_incidents".into(), caused as f64);
}

pub(crate) fn success(ctx: &Ctx, f: &Filter) -> Figure {
    let pop = population(ctx, f);
    let with_result: Vec<&&Change> = pop.iter().filter(|c| c.result.is_some()).collect();
    let ok = with_result
        .iter()
        .filter(|c| c.result == Some(ChangeResult::Successful))
        .count();
    let mut fig = Figure::percent(ok as f64, with_result.len() as f64);
    let no_result = pop.len() - with_result.len();
    if no_result > 0 {
        fig.exclusions.push(format!(
            "{no_result} change(s) with an actual end but no result left out"
        ));
    }
    let mut missed: Vec<Miss> = with_result
        .iter()
        .filter(|c| c.result != Some(ChangeResult::Successful))
        .map(|c| Miss {
            id: c.id.clone(),
            open: false,
            ..Default::default()
        })
        .collect();
    missed.sort();
    fig.missed = missed;
    common(&mut fig, &pop);
    fig
}

pub(crate) fn emergency_share(ctx: &Ctx, f: &Filter) -> Figure {
    let pop = population(ctx, f);
    let mut em: Vec<Miss> = pop
        .iter()
        .filter(|c| c.kind == ChangeType::Emergency)
        .map(|c| Miss {
            id: c.id.clone(),
            open: false,
            ..Default::default()
        })
        .collect();
    em.sort();
    let mut fig = Figure::percent(em.len() as f64, pop.len() as f64);
    fig.missed = em;
    common(&mut fig, &pop);
    fig
}

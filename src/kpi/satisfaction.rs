//! Satisfaction: mean score and share of scores ≥ 4 (spec §3), from surveys and
//! ticket scores together.
//!
//! Depends on survey, incident and request records only. Which scores count:
//! - surveys dated in the period, of the scope's customer; a survey naming a
//!   service counts only when that service is in scope, one without a service
//!   counts for the customer's agreement as a whole (not for a target scoped to
//!   one service);
//! - the score of an incident resolved in the period and of a request fulfilled
//!   in the period (the score is given at closure of the ticket, so it belongs to
//!   the period of the resolution/fulfilment).
//!
//! No score is N/A. `extra`: `surveys`, `ticket_scores`, `count`.

use crate::kpi::{Ctx, Figure, Filter};
use crate::model::catalogue::Metric;

pub(crate) fn compute(ctx: &Ctx, f: &Filter, metric: Metric) -> Figure {
    let mut scores: Vec<u8> = Vec::new();
    let mut surveys = 0usize;
    for s in &ctx.data.surveys {
        if !ctx.contains_date(s.date) || f.customer.is_some_and(|c| c != s.customer) {
            continue;
        }
        let ok = match s.service.as_deref() {
            Some(sv) => f.service_ok(sv),
            None => !f.service_scoped,
        };
        if ok {
            scores.push(s.score);
            surveys += 1;
        }
    }
    for i in f.incidents(ctx.idx) {
        if let Some(sc) = i.satisfaction
            && ctx.resolved_here(i)
        {
            scores.push(sc);
        }
    }
    for r in f.requests(ctx.idx) {
        if let Some(sc) = r.satisfaction
            && ctx.fulfilled_here(r)
        {
            scores.push(sc);
        }
    }
    let n = scores.len();
    let sum: f64 = scores.iter().map(|s| f64::from(*s)).sum();
    let high = scores.iter().filter(|s| **s >= 4).count();
    let mut fig = match metric {
        Metric::SatisfactionShare => Figure::percent(high as f64, n as f64),
        _ => Figure {
            actual: (n > 0).then(|| sum / n as f64),
            numerator: Some(sum),
            denominator: Some(n as f64),
            ..Figure::default()
        },
    };
    fig.extra.insert("surveys".into(), surveys as f64);
    fig.extra
        .insert("ticket_scores".into(), (n - surveys) as f64);
    fig.extra.insert("count".into(), n as f64);
    fig.extra.insert("scores_4_or_5".into(), high as f64);
    fig.exclusions.push(
        "population: surveys dated in the period and scores of tickets resolved/fulfilled in it"
            .into(),
    );
    fig
}

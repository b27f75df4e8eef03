//! Incident metrics: response and resolution compliance, MTTR (mean, median,
//! P90), backlog at the period's end and major incidents opened in the period.
//!
//! Depends on `kpi::tickets` for the outcome rule and on `BusinessClock`.
//! Decisions:
//! - an incident resolved without a recorded response counts as responded at
//!   its resolution (resolving answers the ticket); one with neither is
//!   unanswered;
//! - MTTR covers incidents resolved in the period: business time from opened
//!   to resolved minus paused time (never below 0), in hours; `extra` holds
//!   `median`, `p90` (nearest rank: the ⌈0.9·n⌉-th smallest) and `count`;
//!   median of an even count is the mean of the two middle values;
//! - backlog and major incidents are counts: zero is a measurement, not N/A.

use crate::kpi::tickets::{Tally, TicketError, TicketView};
use crate::kpi::{Ctx, Figure, Filter, hours};
use crate::model::calendar::CalendarError;
use crate::model::catalogue::{Metric, Target};
use crate::model::records::{Incident, TicketStatus};

pub(crate) fn compliance(ctx: &Ctx, f: &Filter, t: &Target) -> Result<Figure, TicketError> {
    let resolution = t.metric == Metric::ResolutionCompliance;
    let Some(limit) = t.within_secs else {
        let mut fig = Figure::default();
        fig.exclusions
            .push("the target has no per-ticket limit (within)".into());
        return Ok(fig);
    };
    let views = f
        .incidents(ctx.idx)
        .filter(|i| !cancelled(i))
        .map(|i| view(ctx, f, i, resolution));
    let tally = Tally::of(views, limit, ctx.start, ctx.end)?;
    let mut fig = tally.figure("incidents");
    closed_stand_in(ctx, f, &mut fig);
    cancelled_note(ctx, f, &mut fig);
    events_note(ctx, f, &mut fig);
    Ok(fig)
}

/// Say how many of the period's incidents had their times derived from an event log's
/// activities (opened = its first event; responded, resolved, closed = the first event of the
/// activities the import profile lists; paused = from each pause activity to the next event).
fn events_note(ctx: &Ctx, f: &Filter, fig: &mut Figure) {
    let n = f
        .incidents(ctx.idx)
        .filter(|i| {
            i.from_events
                && !cancelled(i)
                && i.opened < ctx.end
                && i.resolved.is_none_or(|r| r >= ctx.start)
        })
        .count();
    if n > 0 {
        fig.exclusions.push(format!(
            "{n} incident(s) with times derived from an event log's activities: opened = first event; responded, resolved, closed = first event of the listed activities; paused = from each pause activity to the next event"
        ));
        fig.extra.insert("from_events".into(), n as f64);
    }
}

fn cancelled(i: &Incident) -> bool {
    i.status == Some(TicketStatus::Cancelled)
}

/// Cancelled incidents are left out of every SLA figure: say how many of the period's
/// were (opened before its end, not resolved before its start), and list them.
fn cancelled_note(ctx: &Ctx, f: &Filter, fig: &mut Figure) {
    let mut ids: Vec<&str> = f
        .incidents(ctx.idx)
        .filter(|i| cancelled(i) && i.opened < ctx.end && i.resolved.is_none_or(|r| r >= ctx.start))
        .map(|i| i.id.as_str())
        .collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_unstable();
    let n = ids.len();
    let shown: Vec<&str> = ids.iter().take(20).copied().collect();
    let more = if n > shown.len() { ", …" } else { "" };
    fig.exclusions.push(format!(
        "{n} cancelled incident(s) left out: {}{more}",
        shown.join(", ")
    ));
    fig.extra.insert("cancelled".into(), n as f64);
}

/// Say how many incidents resolved in the period had no Resolved At, so that their
/// Closed At stood in for it (a later, conservative bound).
fn closed_stand_in(ctx: &Ctx, f: &Filter, fig: &mut Figure) {
    let n = f
        .incidents(ctx.idx)
        .filter(|i| i.resolved_at_close && ctx.resolved_here(i))
        .count();
    if n > 0 {
        fig.exclusions.push(format!(
            "{n} incident(s) resolved in the period had no Resolved At: their Closed At stands in (a later, conservative bound)"
        ));
        fig.extra.insert("resolved_at_close".into(), n as f64);
    }
}

fn view<'a>(ctx: &Ctx<'a>, f: &Filter<'a>, i: &'a Incident, resolution: bool) -> TicketView<'a> {
    TicketView {
        id: &i.id,
        service: Some(&i.service),
        priority: Some(i.priority),
        opened: i.opened,
        event: if resolution {
            i.resolved
        } else {
            i.responded.or(i.resolved)
        },
        paused_secs: if resolution { i.paused_secs } else { 0 },
        clock: f.clock(ctx.cals, &i.service),
        settled: ctx.settled_incident(i, resolution),
    }
}

/// Resolution time of a resolved incident in business seconds (paused time removed).
pub fn resolution_secs(
    clock: &dyn crate::model::calendar::BusinessClock,
    i: &Incident,
) -> Result<Option<i64>, CalendarError> {
    match i.resolved {
        Some(r) => Ok(Some(
            (clock.business_seconds(i.opened, r)? - i.paused_secs.max(0)).max(0),
        )),
        None => Ok(None),
    }
}

pub(crate) fn mttr(ctx: &Ctx, f: &Filter) -> Result<Figure, TicketError> {
    let mut secs = Vec::new();
    for i in f.incidents(ctx.idx).filter(|i| !cancelled(i)) {
        if ctx.resolved_here(i)
            && let Some(s) =
                resolution_secs(f.clock(ctx.cals, &i.service), i).map_err(|error| TicketError {
                    ticket: Some(i.id.to_string()),
                    error,
                })?
        {
            secs.push(s);
        }
    }
    let mut fig = duration_stats(secs, "incidents resolved in the period");
    closed_stand_in(ctx, f, &mut fig);
    cancelled_note(ctx, f, &mut fig);
    events_note(ctx, f, &mut fig);
    Ok(fig)
}

/// Mean (actual), median, P90 of durations in hours; N/A when empty.
pub(crate) fn duration_stats(mut secs: Vec<i64>, what: &str) -> Figure {
    let n = secs.len();
    let mut fig = Figure::default();
    fig.exclusions.push(format!(
        "population: {what}; business time minus paused time"
    ));
    fig.extra.insert("count".into(), n as f64);
    if n == 0 {
        return fig;
    }
    secs.sort_unstable();
    let total: i64 = secs.iter().sum();
    fig.numerator = Some(hours(total));
    fig.denominator = Some(n as f64);
    fig.actual = Some(hours(total) / n as f64);
    let median = if n % 2 == 1 {
        hours(secs[n / 2])
    } else {
        (hours(secs[n / 2 - 1]) + hours(secs[n / 2])) / 2.0
    };
    let rank = (n * 9).div_ceil(10).max(1);
    fig.extra.insert("median".into(), median);
    fig.extra.insert("p90".into(), hours(secs[rank - 1]));
    fig.extra.insert("max".into(), hours(secs[n - 1]));
    fig
}

pub(crate) fn backlog(ctx: &Ctx, f: &Filter) -> Figure {
    let n = f
        .incidents(ctx.idx)
        .filter(|i| !cancelled(i))
        .filter(|i| i.opened < ctx.end && i.resolved.is_none_or(|r| r >= ctx.end))
        .count();
    let mut fig = Figure::count(n);
    fig.exclusions.push(
        "population: incidents opened before the period's end and not resolved before it".into(),
    );
    fig
}

pub(crate) fn major(ctx: &Ctx, f: &Filter) -> Figure {
    let mut ids: Vec<crate::kpi::Miss> = f
        .incidents(ctx.idx)
        .filter(|i| i.major && ctx.contains(i.opened))
        .map(|i| crate::kpi::Miss {
            id: i.id.clone(),
            open: i.resolved.is_none_or(|r| r >= ctx.end),
            ..Default::default()
        })
        .collect();
    ids.sort();
    let mut fig = Figure::count(ids.len());
    fig.missed = ids;
    fig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_stats_mean_median_p90() {
        // Hours 1, 2, 3, 4, 10: mean 20/5 = 4, median 3, P90 rank ⌈4.5⌉ = 5 → 10.
        let f = duration_stats(vec![3600, 7200, 10800, 14400, 36000], "x");
        assert_eq!(f.actual, Some(4.0));
        assert_eq!(f.numerator, Some(20.0));
        assert_eq!(f.denominator, Some(5.0));
        assert_eq!(f.extra["median"], 3.0);
        assert_eq!(f.extra["p90"], 10.0);
        // Even count: 1, 2, 3, 4 h → median 2.5; P90 rank ⌈3.6⌉ = 4 → 4.
        let f = duration_stats(vec![14400, 3600, 10800, 7200], "x");
        assert_eq!(f.extra["median"], 2.5);
        assert_eq!(f.extra["p90"], 4.0);
        // Empty: N/A, not zero.
        let f = duration_stats(vec![], "x");
        assert_eq!(f.actual, None);
        assert_eq!(f.extra["count"], 0.0);
    }
}

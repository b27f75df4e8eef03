//! Service-request metrics: fulfilment compliance (the outcome/deadline rule
//! of `kpi::tickets`, paused minutes extend the deadline) and MTTF (mean time to
//! fulfil of requests fulfilled in the period, business hours minus paused,
//! with median and P90 as for MTTR).
//!
//! Depends on request records, `kpi::tickets` and `BusinessClock` only.
//! Requests have no priority: a target's priority scope is ignored here.

use crate::kpi::incidents::duration_stats;
use crate::kpi::tickets::{Tally, TicketError, TicketView};
use crate::kpi::{Ctx, Figure, Filter};
use crate::model::catalogue::Target;

pub(crate) fn compliance(ctx: &Ctx, f: &Filter, t: &Target) -> Result<Figure, TicketError> {
    let Some(limit) = t.within_secs else {
        let mut fig = Figure::default();
        fig.exclusions
            .push("the target has no per-ticket limit (within)".into());
        return Ok(fig);
    };
    let views = f.requests(ctx.idx).map(|r| TicketView {
        id: &r.id,
        service: Some(&r.service),
        priority: None,
        opened: r.opened,
        event: r.fulfilled,
        paused_secs: r.paused_secs,
        clock: f.clock(ctx.cals, &r.service),
        settled: ctx.settled_request(r),
    });
    Ok(Tally::of(views, limit, ctx.start, ctx.end)?.figure("requests"))
}

pub(crate) fn mttf(ctx: &Ctx, f: &Filter) -> Result<Figure, TicketError> {
    let mut secs = Vec::new();
    for r in f.requests(ctx.idx) {
        if let Some(done) = r.fulfilled.filter(|_| ctx.fulfilled_here(r)) {
            let clock = f.clock(ctx.cals, &r.service);
            let b = clock
                .business_seconds(r.opened, done)
                .map_err(|error| TicketError {
                    ticket: Some(r.id.to_string()),
                    error,
                })?;
            secs.push((b - r.paused_secs.max(0)).max(0));
        }
    }
    Ok(duration_stats(secs, "requests fulfilled in the period"))
}

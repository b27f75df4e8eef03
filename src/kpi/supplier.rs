//! Underpinning-contract metrics: UC response and restore compliance on the
//! supplier tickets of the contract (spec §3: "as for incidents", with the
//! limits of the UC).
//!
//! Depends on supplier-ticket records, `kpi::tickets` and `BusinessClock`.
//! Decisions: the population is the tickets whose contract is the agreement's
//! id (any agreement kind; normally a UC), narrowed by the target's priority;
//! supplier tickets have no paused time; a ticket restored without a recorded
//! response counts as responded at its restoration. Calendar: the agreement's
//! own calendar, else the calendar of its first listed service, else 7×24.

use crate::kpi::tickets::{Tally, TicketError, TicketView};
use crate::kpi::{Ctx, Figure, Filter};
use crate::model::calendar::AlwaysOn;
use crate::model::catalogue::{Agreement, Metric, Target};

pub(crate) fn compliance(
    ctx: &Ctx,
    a: &Agreement,
    f: &Filter,
    t: &Target,
) -> Result<Figure, TicketError> {
    let Some(limit) = t.within_secs else {
        let mut fig = Figure::default();
        fig.exclusions
            .push("the target has no per-ticket limit (within)".into());
        return Ok(fig);
    };
    let clock = match (f.clock_override, a.services.first()) {
        (Some(c), _) => c,
        (None, Some(s)) => ctx.cals.for_service(s),
        (None, None) => &AlwaysOn,
    };
    let restore = t.metric == Metric::UcRestoreCompliance;
    let list = ctx
        .idx
        .supplier_by_contract
        .get(a.id.as_str())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let views = list
        .iter()
        .filter(|s| f.priority_ok(s.priority))
        .map(|s| TicketView {
            id: &s.id,
            service: None,
            priority: Some(s.priority),
            opened: s.reported,
            event: if restore {
                s.restored
            } else {
                s.responded.or(s.restored)
            },
            paused_secs: 0,
            clock,
            settled: ctx.settled_supplier(s, restore),
        });
    Ok(Tally::of(views, limit, ctx.start, ctx.end)?.figure("supplier tickets"))
}

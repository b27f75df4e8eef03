//! Availability % = (AST − DT) / AST × 100 (spec §3).
//!
//! Depends on `BusinessClock` and outage records only. Invariants:
//! - outages are clipped to the period; an open outage (no end) runs to the
//!   period's end;
//! - planned and unplanned intervals of a service are each merged first, so the
//!   same second is never counted twice; a second both planned and unplanned is
//!   planned (removed from AST, not downtime);
//! - only business seconds of the service's calendar count (downtime outside
//!   service hours is not downtime);
//! - an outage with no customer applies to every customer of the service; one
//!   naming another customer is left out of this customer's figure;
//! - several services in scope are pooled: Σ(AST − DT) / Σ AST (each service on
//!   its own calendar); AST = 0 is N/A;
//! - numerator and denominator are in minutes (AST − DT and AST).

use chrono::NaiveDateTime;

use crate::kpi::{Ctx, Figure, Filter, minutes};
use crate::model::calendar::{BusinessClock, CalendarError};

/// A half-open interval `[from, to)` of local time.
pub type Interval = (NaiveDateTime, NaiveDateTime);

/// Sort and merge overlapping or touching intervals; empty ones are dropped.
pub fn merge(mut v: Vec<Interval>) -> Vec<Interval> {
    v.retain(|(a, b)| b > a);
    v.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `a \ b` for two merged (sorted, disjoint) interval lists.
pub fn subtract(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    let mut j = 0;
    for &(mut s, e) in a {
        while j < b.len() && b[j].1 <= s {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].0 < e {
            if b[k].0 > s {
                out.push((s, b[k].0));
            }
            s = s.max(b[k].1);
            if s >= e {
                break;
            }
            k += 1;
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

/// Business seconds covered by merged intervals.
pub fn business_total(clock: &dyn BusinessClock, v: &[Interval]) -> Result<i64, CalendarError> {
    v.iter().map(|&(a, b)| clock.business_seconds(a, b)).sum()
}

/// The availability of one service for one period: (AST, DT, planned) in business seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceTime {
    pub service_secs: i64,
    pub planned_secs: i64,
    pub downtime_secs: i64,
}

impl ServiceTime {
    pub fn ast(&self) -> i64 {
        self.service_secs - self.planned_secs
    }
}

/// Compute AST/DT for one service from its outages (already filtered by customer).
pub fn service_time<'o>(
    clock: &dyn BusinessClock,
    start: NaiveDateTime,
    end: NaiveDateTime,
    outages: impl Iterator<Item = &'o crate::model::records::Outage>,
) -> Result<ServiceTime, CalendarError> {
    let mut planned = Vec::new();
    let mut unplanned = Vec::new();
    for o in outages {
        let a = o.start.max(start);
        let b = o.end.unwrap_or(end).min(end);
        if b > a {
            if o.planned {
                planned.push((a, b));
            } else {
                unplanned.push((a, b));
            }
        }
    }
    let planned = merge(planned);
    let unplanned = subtract(&merge(unplanned), &planned);
    Ok(ServiceTime {
        service_secs: clock.business_seconds(start, end)?,
        planned_secs: business_total(clock, &planned)?,
        downtime_secs: business_total(clock, &unplanned)?,
    })
}

pub(crate) fn compute(ctx: &Ctx, f: &Filter) -> Result<Figure, CalendarError> {
    let mut total = ServiceTime::default();
    let mut records = 0usize;
    let mut other_customer = 0usize;
    for s in &f.services {
        let clock = f.clock(ctx.cals, s);
        let list = ctx
            .idx
            .outages_by_service
            .get(s)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mine = list.iter().copied().filter(|o| {
            let ok = match (f.customer, o.customer.as_deref()) {
                (Some(c), Some(oc)) => c == oc,
                _ => true,
            };
            if !ok {
                other_customer += 1;
            }
            ok
        });
        let mine: Vec<_> = mine.collect();
        records += mine
            .iter()
            .filter(|o| o.start < ctx.end && o.end.is_none_or(|e| e > ctx.start))
            .count();
        let st = service_time(clock, ctx.start, ctx.end, mine.into_iter())?;
        total.service_secs += st.service_secs;
        total.planned_secs += st.planned_secs;
        total.downtime_secs += st.downtime_secs;
    }
    let ast = total.ast();
    let mut fig = Figure::percent(minutes(ast - total.downtime_secs), minutes(ast));
    if ast <= 0 {
        fig.actual = None;
    }
    fig.extra
        .insert("service_minutes".into(), minutes(total.service_secs));
    fig.extra
        .insert("planned_minutes".into(), minutes(total.planned_secs));
    fig.extra
        .insert("downtime_minutes".into(), minutes(total.downtime_secs));
    fig.extra.insert("outage_records".into(), records as f64);
    if total.planned_secs > 0 {
        fig.exclusions.push(format!(
            "planned outages ({} business minutes) removed from the agreed service time",
            minutes(total.planned_secs)
        ));
    }
    if other_customer > 0 {
        fig.exclusions.push(format!(
            "{other_customer} outage record(s) of other customers of the service left out"
        ));
    }
    fig.exclusions
        .push("outage time outside service hours is not counted".to_string());
    Ok(fig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::testutil::{OfficeHours, dt};
    use crate::model::calendar::AlwaysOn;
    use crate::model::records::{Outage, SourceRef};
    use proptest::prelude::*;

    fn outage(start: &str, end: Option<&str>, planned: bool) -> Outage {
        Outage {
            service: "email".into(),
            customer: None,
            start: dt(start),
            end: end.map(dt),
            planned,
            description: None,
            src: SourceRef::default(),
        }
    }

    #[test]
    fn merge_joins_overlaps_and_touching() {
        let v = merge(vec![
            (dt("2026-10-01 10:00"), dt("2026-10-01 11:00")),
            (dt("2026-10-01 10:30"), dt("2026-10-01 12:00")),
            (dt("2026-10-01 12:00"), dt("2026-10-01 12:10")),
            (dt("2026-10-01 14:00"), dt("2026-10-01 14:00")),
            (dt("2026-10-01 13:00"), dt("2026-10-01 13:05")),
        ]);
        assert_eq!(
            v,
            vec![
                (dt("2026-10-01 10:00"), dt("2026-10-01 12:10")),
                (dt("2026-10-01 13:00"), dt("2026-10-01 13:05")),
            ]
        );
    }

    #[test]
    fn subtract_cuts_holes() {
        let a = [(dt("2026-10-01 10:00"), dt("2026-10-01 14:00"))];
        let b = [
            (dt("2026-10-01 09:00"), dt("2026-10-01 10:30")),
            (dt("2026-10-01 11:00"), dt("2026-10-01 12:00")),
            (dt("2026-10-01 13:30"), dt("2026-10-01 15:00")),
        ];
        assert_eq!(
            subtract(&a, &b),
            vec![
                (dt("2026-10-01 10:30"), dt("2026-10-01 11:00")),
                (dt("2026-10-01 12:00"), dt("2026-10-01 13:30")),
            ]
        );
    }

    #[test]
    fn overlapping_planned_and_boundary_outages_on_7x24() {
        // October 2026 on 7x24: 31 d × 1440 = 44 640 min.
        // Unplanned 10:00–11:00 and 10:30–11:30 on Oct 5 merge to 90 min.
        // Planned 02:00–04:00 Oct 10 = 120 min (out of AST).
        // Unplanned from Sep 30 23:00 to Oct 1 00:30: 30 min inside October.
        // Unplanned still open from Oct 31 23:50: 10 min to period end.
        // Unplanned 03:00–05:00 Oct 10 overlaps the planned one: only 04:00–05:00 = 60 min is downtime.
        // AST = 44 640 − 120 = 44 520; DT = 90 + 30 + 10 + 60 = 190.
        let os = [
            outage("2026-10-05 10:00", Some("2026-10-05 11:00"), false),
            outage("2026-10-05 10:30", Some("2026-10-05 11:30"), false),
            outage("2026-10-10 02:00", Some("2026-10-10 04:00"), true),
            outage("2026-09-30 23:00", Some("2026-10-01 00:30"), false),
            outage("2026-10-31 23:50", None, false),
            outage("2026-10-10 03:00", Some("2026-10-10 05:00"), false),
        ];
        let st = service_time(
            &AlwaysOn,
            dt("2026-10-01 00:00"),
            dt("2026-11-01 00:00"),
            os.iter(),
        )
        .unwrap();
        assert_eq!(st.service_secs, 44_640 * 60);
        assert_eq!(st.planned_secs, 120 * 60);
        assert_eq!(st.ast(), 44_520 * 60);
        assert_eq!(st.downtime_secs, 190 * 60);
    }

    #[test]
    fn outage_outside_service_hours_is_not_counted() {
        // Office hours Mon–Fri 09–18. October 2026 has 22 weekdays → 22 × 540 = 11 880 min.
        // Outage Sat Oct 3 all day: 0 business minutes. Outage Mon Oct 5 17:00–20:00: 60 min.
        let os = [
            outage("2026-10-03 00:00", Some("2026-10-04 00:00"), false),
            outage("2026-10-05 17:00", Some("2026-10-05 20:00"), false),
        ];
        let st = service_time(
            &OfficeHours,
            dt("2026-10-01 00:00"),
            dt("2026-11-01 00:00"),
            os.iter(),
        )
        .unwrap();
        assert_eq!(st.service_secs, 11_880 * 60);
        assert_eq!(st.downtime_secs, 60 * 60);
    }

    proptest! {
        #[test]
        fn merged_downtime_never_exceeds_the_period(
            spans in proptest::collection::vec((0i64..50_000, 0i64..5_000, any::<bool>()), 0..20)
        ) {
            let start = dt("2026-10-01 00:00");
            let end = dt("2026-11-01 00:00");
            let os: Vec<Outage> = spans.iter().map(|&(s, len, planned)| Outage {
                service: "email".into(), customer: None,
                start: start + chrono::Duration::minutes(s - 2_000),
                end: Some(start + chrono::Duration::minutes(s - 2_000 + len)),
                planned, description: None, src: SourceRef::default(),
            }).collect();
            let st = service_time(&AlwaysOn, start, end, os.iter()).unwrap();
            prop_assert!(st.planned_secs + st.downtime_secs <= st.service_secs);
            prop_assert!(st.downtime_secs >= 0 && st.planned_secs >= 0);
            let ast = st.ast();
            if ast > 0 {
                let a = (ast - st.downtime_secs) as f64 / ast as f64 * 100.0;
                prop_assert!((0.0..=100.0).contains(&a));
            }
        }
    }
}

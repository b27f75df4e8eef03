//! The KPI engine: every SLA, UC, OLA and process-KPI target computed, judged
//! and explained (spec §3).
//!
//! Sees validated `model` types only — never `ingest`, `report` or `render` —
//! and does no I/O. One file per KPI family; [`tickets`] holds the
//! response/resolution outcome and deadline rule shared by incidents, requests
//! and supplier tickets; [`judge`] decides the status; [`trend`] fills trends,
//! directions and improvement items.
//!
//! Invariants:
//! - Business time comes only from `model::calendar::BusinessClock`
//!   (`Calendars::for_service`, or `Calendars::get(agreement.calendar)` when the
//!   agreement overrides the services' calendars).
//! - Values are full precision; nothing is rounded here (rounding is `numfmt`).
//! - Output order is deterministic: agreements in catalogue order (each id once,
//!   the version in force by `Catalogue::agreement_for`), targets in catalogue
//!   order, then the process-KPI targets; missed ids are sorted.
//! - A target with no population is N/A with `actual = None`, never 100 %.
//!
//! Decisions the spec leaves open (documented here, tested in the family files):
//! - **Scope.** SLA: the tickets of the agreement's customer (the target's
//!   `customer` if set, else the party) on the agreement's services (the
//!   target's `service` if set). OLA: the agreement's services, any customer
//!   unless the target names one. UC: the supplier tickets whose contract is the
//!   agreement id. A target's `priority` narrows further.
//! - **Owning process** (improvement items): availability → 可用性管理;
//!   response/resolution compliance, MTTR, backlog, major incidents → 事件管理;
//!   change success, emergency share → 变更管理; request compliance, MTTF →
//!   服务请求管理; satisfaction → 业务关系管理 (ISO/IEC 20000-1 8.3.2 owns
//!   customer satisfaction); UC compliance → 供应商管理; capacity → 容量管理;
//!   process KPIs → the process named in the catalogue.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::model::calendar::{BusinessClock, CalendarError, Calendars};
use crate::model::catalogue::{Agreement, AgreementKind, Catalogue, Metric, Target};
use crate::model::period::Period;
use crate::model::records::{
    Dataset, DatasetKind, Incident, Outage, Priority, Request, SupplierTicket,
};

pub mod availability;
pub mod capacity;
pub mod changes;
pub mod corrections;
pub mod incidents;
pub mod judge;
pub mod process;
pub mod requests;
pub mod result;
pub mod rows;
pub mod satisfaction;
pub mod supplier;
pub mod tickets;
pub mod trend;

pub use result::*;

/// Everything one computation needs.
#[derive(Debug, Clone, Copy)]
pub struct KpiInput<'a> {
    pub catalogue: &'a Catalogue,
    pub calendars: &'a Calendars,
    pub data: &'a Dataset,
    pub period: Period,
    /// Earlier periods' results, oldest first, for trends; may be empty.
    pub history: &'a [KpiResults],
    /// What the approved documents settled, for a period after the approved ones.
    pub closure: Option<Closure<'a>>,
}

/// The approved periods' data: approved figures never change, so a ticket
/// whose outcome they counted is never counted again, and an outcome that
/// later deliveries place inside an approved period (a late correction)
/// counts in the first period that is not approved (`tickets::Settled`).
#[derive(Debug, Clone, Copy)]
pub struct Closure<'a> {
    /// The end of the last approved period.
    pub at: NaiveDateTime,
    /// The records the last approved documents were computed from.
    pub approved: &'a Dataset,
}

/// The approved records by id, for the periods the closure applies to.
pub(crate) struct ClosureIndex<'a> {
    at: NaiveDateTime,
    incidents: std::collections::HashMap<&'a str, &'a crate::model::records::Incident>,
    requests: std::collections::HashMap<&'a str, &'a crate::model::records::Request>,
    supplier: std::collections::HashMap<(&'a str, &'a str), &'a SupplierTicket>,
}

impl<'a> ClosureIndex<'a> {
    fn build(c: &Closure<'a>) -> ClosureIndex<'a> {
        ClosureIndex {
            at: c.at,
            incidents: c
                .approved
                .incidents
                .iter()
                .map(|i| (i.id.as_str(), i))
                .collect(),
            requests: c
                .approved
                .requests
                .iter()
                .map(|r| (r.id.as_str(), r))
                .collect(),
            supplier: c
                .approved
                .supplier_tickets
                .iter()
                .map(|s| ((s.supplier.as_str(), s.id.as_str()), s))
                .collect(),
        }
    }
}

/// The computation cannot go on (these are catalogue/calendar problems, not data findings).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KpiError {
    /// The calendar's message is part of this one (not a `source`), so
    /// `{:#}` prints it once.
    #[error("agreement {agreement}, metric {metric}, period {period}{}: {error}", ticket.as_deref().map(|t| format!(", ticket {t}")).unwrap_or_default())]
    Calendar {
        agreement: String,
        metric: String,
        period: String,
        /// The ticket whose outcome needed the calendar, when one did.
        ticket: Option<String>,
        /// Boxed: the error travels in every `Result` of the engine.
        error: Box<CalendarError>,
    },
    #[error(
        "agreement {agreement} names calendar \"{calendar}\", which the catalogue does not define"
    )]
    UnknownCalendar { agreement: String, calendar: String },
}

/// Compute, judge and explain every target of every agreement in force in
/// `input.period`, plus the process-KPI targets; fill trends from `input.history`.
pub fn compute(input: &KpiInput) -> Result<KpiResults, KpiError> {
    let index = Index::build(input.data);
    // The closure applies to periods that begin at or after its end.
    let closure = input
        .closure
        .filter(|c| input.period.start() >= c.at)
        .map(|c| ClosureIndex::build(&c));
    let ctx = Ctx {
        closure: closure.as_ref(),
        cat: input.catalogue,
        cals: input.calendars,
        data: input.data,
        period: input.period,
        start: input.period.start(),
        end: input.period.end(),
        idx: &index,
    };

    // (agreement, target) jobs in catalogue order; each agreement id once.
    let mut seen = std::collections::BTreeSet::new();
    let mut jobs: Vec<(&Agreement, &Target)> = Vec::new();
    for a in &input.catalogue.agreements {
        if !seen.insert(a.id.as_str()) {
            continue;
        }
        if let Some(active) = input.catalogue.agreement_for(&a.id, &input.period) {
            jobs.extend(active.targets.iter().map(|t| (active, t)));
        }
    }
    let per_target: Vec<Result<Vec<TargetResult>, KpiError>> = jobs
        .par_iter()
        .map(|(a, t)| compute_target(&ctx, a, t))
        .collect();
    let mut targets = Vec::with_capacity(per_target.len());
    for r in per_target {
        targets.extend(r?);
    }
    targets.extend(process::compute(&ctx));

    let (trends, directions) = trend::trends(&targets, input.history);
    let improvements = trend::improvements(&targets, input.history);
    Ok(KpiResults {
        schema_version: SCHEMA_VERSION,
        period: input.period.to_string(),
        targets,
        trends,
        directions,
        improvements,
        volumes: volumes(&ctx),
        // Listed by the first period after the approved ones (the one that counts them).
        late_corrections: match input.closure {
            Some(c) if input.period.start() == c.at => {
                corrections::late_corrections(input.data, c.approved, c.at)
            }
            _ => Vec::new(),
        },
    })
}

/// The earlier periods a period's trends compare with.
#[derive(Debug, Default)]
pub struct History {
    /// Results of the earlier periods that have them, oldest first.
    pub results: Vec<KpiResults>,
    /// Periods the data cover that could not be computed (e.g. a year the
    /// holiday calendar does not cover), with the reason; never dropped silently.
    pub gaps: Vec<(Period, KpiError)>,
}

/// The `n` periods before `input.period` (same frequency), oldest first: each
/// from `stored` when it holds the period (results recorded when it was
/// reported), else computed from the same data when the data cover it (a
/// period before the first workbook has no figures, never 100 %). A period
/// that cannot be computed is a gap with its error. `input.history` is ignored.
pub fn history(input: &KpiInput, n: usize, stored: &BTreeMap<Period, KpiResults>) -> History {
    let computed: Vec<(Period, Option<Result<KpiResults, KpiError>>)> = input
        .period
        .previous(n)
        .into_par_iter()
        .map(|p| {
            let r = match stored.get(&p) {
                Some(r) => Some(Ok(r.clone())),
                // A period nothing was delivered for has no history (a month before the
                // first delivery is absent, never a made-up point), even where records of
                // later deliveries are dated in it.
                None if data_covers(input.data, &p)
                    && input.data.deliveries.as_ref().is_none_or(|d| d.any_for(&p)) =>
                {
                    Some(compute(&KpiInput {
                        period: p,
                        history: &[],
                        closure: None,
                        ..*input
                    }))
                }
                None => None,
            };
            (p, r)
        })
        .collect();
    let mut h = History::default();
    for (p, r) in computed {
        match r {
            Some(Ok(r)) => h.results.push(r),
            Some(Err(e)) => h.gaps.push((p, e)),
            None => {}
        }
    }
    h
}

/// The period's results with trends over the `n` previous periods computed
/// from the same data (what `compute` needs): the results and the history
/// they were compared with. `input.history` is ignored.
pub fn compute_with_history(input: &KpiInput, n: usize) -> Result<(KpiResults, History), KpiError> {
    let history = history(input, n, &BTreeMap::new());
    let results = compute(&KpiInput {
        history: &history.results,
        ..*input
    })?;
    Ok((results, history))
}

/// True when any input record is dated inside `p` (an incident, request or
/// supplier ticket opened, an outage started, a change ended, a survey, a
/// capacity sample, or a process-KPI value of that period).
///
/// History is only computed for periods the inputs cover: a month before the
/// first workbook has no data, and its availability would otherwise read as a
/// spotless 100 % (spec §3: no population is N/A, never 100 %).
pub fn data_covers(data: &Dataset, p: &Period) -> bool {
    let (start, end) = (p.start(), p.end());
    let within = |t: NaiveDateTime| t >= start && t < end;
    data.incidents.iter().any(|i| within(i.opened))
        || data.outages.iter().any(|o| within(o.start))
        || data
            .changes
            .iter()
            .any(|c| c.actual_end.is_some_and(within))
        || data.requests.iter().any(|r| within(r.opened))
        || data.supplier_tickets.iter().any(|t| within(t.reported))
        || data.surveys.iter().any(|s| p.contains_date(s.date))
        || data.capacity.iter().any(|c| p.contains_date(c.date))
        || data.process_kpis.iter().any(|k| {
            k.period.start_date() >= p.start_date()
                && k.period.end_date_exclusive() <= p.end_date_exclusive()
        })
}

/// Records grouped by customer, then service.
pub(crate) type ByCustomerService<'a, T> = BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a T>>>;

/// The records grouped once per computation, so no target scans everything
/// and no per-record string comparison happens in a target's loop.
pub(crate) struct Index<'a> {
    pub incidents: ByCustomerService<'a, Incident>,
    pub requests: ByCustomerService<'a, Request>,
    pub supplier_by_contract: BTreeMap<&'a str, Vec<&'a SupplierTicket>>,
    pub outages_by_service: BTreeMap<&'a str, Vec<&'a Outage>>,
}

impl<'a> Index<'a> {
    pub fn build(d: &'a Dataset) -> Index<'a> {
        let mut incidents: ByCustomerService<Incident> = BTreeMap::new();
        for i in &d.incidents {
            incidents
                .entry(&i.customer)
                .or_default()
                .entry(&i.service)
                .or_default()
                .push(i);
        }
        let mut requests: ByCustomerService<Request> = BTreeMap::new();
        for r in &d.requests {
            requests
                .entry(&r.customer)
                .or_default()
                .entry(&r.service)
                .or_default()
                .push(r);
        }
        let mut supplier_by_contract: BTreeMap<&str, Vec<&SupplierTicket>> = BTreeMap::new();
        for s in &d.supplier_tickets {
            supplier_by_contract.entry(&s.contract).or_default().push(s);
        }
        let mut outages_by_service: BTreeMap<&str, Vec<&Outage>> = BTreeMap::new();
        for o in &d.outages {
            outages_by_service.entry(&o.service).or_default().push(o);
        }
        Index {
            incidents,
            requests,
            supplier_by_contract,
            outages_by_service,
        }
    }
}

/// One computation's shared view.
pub(crate) struct Ctx<'a> {
    pub cat: &'a Catalogue,
    pub cals: &'a Calendars,
    pub data: &'a Dataset,
    pub period: Period,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub idx: &'a Index<'a>,
    /// The approved records, where the period begins after the approved ones.
    pub closure: Option<&'a ClosureIndex<'a>>,
}

impl Ctx<'_> {
    /// What the approved data settled about an incident (response or resolution).
    pub fn settled_incident(
        &self,
        i: &crate::model::records::Incident,
        resolution: bool,
    ) -> Option<tickets::Settled> {
        let c = self.closure?;
        Some(tickets::Settled {
            at: c.at,
            approved: c.incidents.get(i.id.as_str()).map(|a| tickets::Approved {
                opened: a.opened,
                event: if resolution {
                    a.resolved
                } else {
                    a.responded.or(a.resolved)
                },
                paused_secs: if resolution { a.paused_secs } else { 0 },
            }),
        })
    }

    /// What the approved data settled about a request's fulfilment.
    pub fn settled_request(&self, r: &crate::model::records::Request) -> Option<tickets::Settled> {
        let c = self.closure?;
        Some(tickets::Settled {
            at: c.at,
            approved: c.requests.get(r.id.as_str()).map(|a| tickets::Approved {
                opened: a.opened,
                event: a.fulfilled,
                paused_secs: a.paused_secs,
            }),
        })
    }

    /// What the approved data settled about a supplier ticket (response or restore).
    pub fn settled_supplier(&self, s: &SupplierTicket, restore: bool) -> Option<tickets::Settled> {
        let c = self.closure?;
        Some(tickets::Settled {
            at: c.at,
            approved: c
                .supplier
                .get(&(s.supplier.as_str(), s.id.as_str()))
                .map(|a| tickets::Approved {
                    opened: a.reported,
                    event: if restore {
                        a.restored
                    } else {
                        a.responded.or(a.restored)
                    },
                    paused_secs: 0,
                }),
        })
    }

    /// An incident's resolution counts in this period (MTTR, ticket scores): it
    /// lies in the period, or, after approved periods, the approved data had not
    /// resolved it before their end and later data place the resolution there
    /// (a late correction, counted in the first period not approved); one the
    /// approved data resolved there never counts again.
    pub fn resolved_here(&self, i: &crate::model::records::Incident) -> bool {
        let approved = self
            .closure
            .map(|c| c.incidents.get(i.id.as_str()).and_then(|a| a.resolved));
        self.done_here(i.resolved, approved)
    }

    /// A request's fulfilment counts in this period (as [`Ctx::resolved_here`]).
    pub fn fulfilled_here(&self, r: &crate::model::records::Request) -> bool {
        let approved = self
            .closure
            .map(|c| c.requests.get(r.id.as_str()).and_then(|a| a.fulfilled));
        self.done_here(r.fulfilled, approved)
    }

    /// `approved`: `None` without a closure, else the approved record's instant.
    fn done_here(
        &self,
        done: Option<NaiveDateTime>,
        approved: Option<Option<NaiveDateTime>>,
    ) -> bool {
        let Some(done) = done else { return false };
        match (self.closure, approved) {
            (Some(c), Some(a)) => {
                if a.is_some_and(|a| a < c.at) {
                    false
                } else if done < c.at {
                    self.start == c.at
                } else {
                    self.contains(done)
                }
            }
            _ => self.contains(done),
        }
    }

    /// `t` lies in the period `[start, end)` (cached bounds; `Period::contains` rebuilds them).
    pub fn contains(&self, t: NaiveDateTime) -> bool {
        t >= self.start && t < self.end
    }
    /// The local date `d` lies in the period.
    pub fn contains_date(&self, d: chrono::NaiveDate) -> bool {
        d >= self.start.date() && d < self.end.date()
    }
}

/// Which records a target looks at.
#[derive(Clone)]
pub(crate) struct Filter<'a> {
    /// `None` = any customer.
    pub customer: Option<&'a str>,
    /// Empty = any service.
    pub services: Vec<&'a str>,
    pub priority: Option<Priority>,
    /// The target itself names a service (not just the agreement's list).
    pub service_scoped: bool,
    /// The agreement's calendar override, resolved.
    pub clock_override: Option<&'a dyn BusinessClock>,
}

impl<'a> Filter<'a> {
    pub fn service_ok(&self, s: &str) -> bool {
        self.services.is_empty() || self.services.contains(&s)
    }
    pub fn priority_ok(&self, p: Priority) -> bool {
        self.priority.is_none_or(|q| q == p)
    }
    /// The clock a record of `service` is measured on.
    pub fn clock(&self, cals: &'a Calendars, service: &str) -> &'a dyn BusinessClock {
        match self.clock_override {
            Some(c) => c,
            None => cals.for_service(service),
        }
    }
    /// The record lists of a grouping that are in scope (customer, services).
    fn lists<'c, T>(&'c self, by: &'c ByCustomerService<'a, T>) -> Vec<&'c Vec<&'a T>> {
        let customers: Vec<&'c BTreeMap<&'a str, Vec<&'a T>>> = match self.customer {
            Some(c) => by.get(c).into_iter().collect(),
            None => by.values().collect(),
        };
        let mut out = Vec::new();
        for per_service in customers {
            if self.services.is_empty() {
                out.extend(per_service.values());
            } else {
                out.extend(self.services.iter().filter_map(|s| per_service.get(s)));
            }
        }
        out
    }
    /// Incidents in scope (customer, service, priority).
    pub fn incidents<'c>(&'c self, idx: &'c Index<'a>) -> impl Iterator<Item = &'a Incident> + 'c {
        self.lists(&idx.incidents)
            .into_iter()
            .flat_map(|v| v.iter().copied())
            .filter(move |i| self.priority_ok(i.priority))
    }
    /// Requests in scope (customer, service; requests have no priority).
    pub fn requests<'c>(&'c self, idx: &'c Index<'a>) -> impl Iterator<Item = &'a Request> + 'c {
        self.lists(&idx.requests)
            .into_iter()
            .flat_map(|v| v.iter().copied())
    }
}

/// The owning process of a metric (see the module docs).
pub fn process_of(m: Metric) -> &'static str {
    match m {
        Metric::Availability => "可用性管理",
        Metric::ResponseCompliance
        | Metric::ResolutionCompliance
        | Metric::Mttr
        | Metric::Backlog
        | Metric::MajorIncidents => "事件管理",
        Metric::ChangeSuccess | Metric::EmergencyChangeShare => "变更管理",
        Metric::RequestCompliance | Metric::Mttf => "服务请求管理",
        Metric::SatisfactionMean | Metric::SatisfactionShare => "业务关系管理",
        Metric::UcResponseCompliance | Metric::UcRestoreCompliance => "供应商管理",
        Metric::CapacityPeak | Metric::CapacityDaysOver => "容量管理",
    }
}

/// The figure of one target before judgement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figure {
    pub actual: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub exclusions: Vec<String>,
    pub missed: Vec<Miss>,
    pub extra: BTreeMap<String, f64>,
    /// Overrides the target's resource scope (capacity targets expanded per resource).
    pub resource: Option<String>,
}

impl Figure {
    /// A ratio in percent; N/A when the denominator is zero.
    pub fn percent(num: f64, den: f64) -> Figure {
        Figure {
            actual: (den > 0.0).then(|| num / den * 100.0),
            numerator: Some(num),
            denominator: Some(den),
            ..Figure::default()
        }
    }
    /// A count (always has a value: zero is a measurement, not "no population").
    pub fn count(n: usize) -> Figure {
        Figure {
            actual: Some(n as f64),
            numerator: Some(n as f64),
            ..Figure::default()
        }
    }
}

fn compute_target(ctx: &Ctx, a: &Agreement, t: &Target) -> Result<Vec<TargetResult>, KpiError> {
    let clock_override = match a.calendar.as_deref() {
        Some(id) => Some(ctx.cals.get(id).ok_or_else(|| KpiError::UnknownCalendar {
            agreement: a.id.clone(),
            calendar: id.to_string(),
        })?),
        None => None,
    };
    let customer = match a.kind {
        AgreementKind::Sla => Some(t.customer.as_deref().unwrap_or(a.party.as_str())),
        AgreementKind::Uc | AgreementKind::Ola => t.customer.as_deref(),
    };
    let mut services: Vec<&str> = match &t.service {
        Some(s) => vec![s.as_str()],
        None => a.services.iter().map(String::as_str).collect(),
    };
    // A service listed twice must not count its records twice.
    services.sort_unstable();
    services.dedup();
    let f = Filter {
        customer,
        services,
        priority: t.priority,
        service_scoped: t.service.is_some(),
        clock_override,
    };
    let cal_err = |source: tickets::TicketError| KpiError::Calendar {
        agreement: a.id.clone(),
        metric: t.metric.as_str().to_string(),
        period: ctx.period.to_string(),
        ticket: source.ticket,
        error: Box::new(source.error),
    };
    let figures: Vec<Figure> = match t.metric {
        Metric::Availability => vec![
            availability::compute(ctx, &f)
                .map_err(tickets::TicketError::from)
                .map_err(cal_err)?,
        ],
        Metric::ResponseCompliance | Metric::ResolutionCompliance => {
            vec![incidents::compliance(ctx, &f, t).map_err(cal_err)?]
        }
        Metric::Mttr => vec![incidents::mttr(ctx, &f).map_err(cal_err)?],
        Metric::Backlog => vec![incidents::backlog(ctx, &f)],
        Metric::MajorIncidents => vec![incidents::major(ctx, &f)],
        Metric::ChangeSuccess => vec![changes::success(ctx, &f)],
        Metric::EmergencyChangeShare => vec![changes::emergency_share(ctx, &f)],
        Metric::RequestCompliance => vec![requests::compliance(ctx, &f, t).map_err(cal_err)?],
        Metric::Mttf => vec![requests::mttf(ctx, &f).map_err(cal_err)?],
        Metric::SatisfactionMean | Metric::SatisfactionShare => {
            vec![satisfaction::compute(ctx, &f, t.metric)]
        }
        Metric::UcResponseCompliance | Metric::UcRestoreCompliance => {
            vec![supplier::compliance(ctx, a, &f, t).map_err(cal_err)?]
        }
        Metric::CapacityPeak | Metric::CapacityDaysOver => capacity::compute(ctx, a, &f, t),
    };
    let needs = datasets_of(t.metric);
    Ok(figures
        .into_iter()
        .map(|fig| {
            let status = judge::judge(fig.actual, t.op, t.threshold, t.at_risk);
            let result = TargetResult {
                agreement: a.id.clone(),
                kind: TargetKind::Agreement(a.kind),
                version: a.version.clone(),
                metric: TargetMetric::Agreement(t.metric),
                scope: Scope {
                    customer: f.customer.map(str::to_string),
                    service: t.service.clone(),
                    priority: t.priority.map(|p| p.as_str().to_string()),
                    resource: fig.resource.clone().or_else(|| t.resource.clone()),
                },
                op: t.op,
                threshold: t.threshold,
                unit: t.unit.clone(),
                within: t.within_text.clone(),
                at_risk_margin: t.at_risk,
                actual: fig.actual,
                numerator: fig.numerator,
                denominator: fig.denominator,
                exclusions: fig.exclusions,
                status,
                missed_total: fig.missed.len() as u64,
                missed: fig.missed,
                extra: fig.extra,
                process: process_of(t.metric).to_string(),
            };
            with_deliveries(ctx, needs, result)
        })
        .collect())
}

/// The datasets a metric's figure is computed from (any one of them delivered is enough).
pub fn datasets_of(m: Metric) -> &'static [DatasetKind] {
    use DatasetKind as D;
    match m {
        Metric::Availability => &[D::Outages],
        Metric::ResponseCompliance
        | Metric::ResolutionCompliance
        | Metric::Mttr
        | Metric::Backlog
        | Metric::MajorIncidents => &[D::Incidents],
        Metric::ChangeSuccess | Metric::EmergencyChangeShare => &[D::Changes],
        Metric::RequestCompliance | Metric::Mttf => &[D::Requests],
        // Surveys and the scores of resolved tickets.
        Metric::SatisfactionMean | Metric::SatisfactionShare => {
            &[D::Surveys, D::Incidents, D::Requests]
        }
        Metric::UcResponseCompliance | Metric::UcRestoreCompliance => &[D::SupplierTickets],
        Metric::CapacityPeak | Metric::CapacityDaysOver => &[D::Capacity],
    }
}

/// The datasets a report of `spec` needs for `p` (spec §4: the data a report
/// needs): the one each target of its agreements in force reads first (a
/// satisfaction figure reads the surveys), and the process KPIs for an
/// internal report (it covers every process). Sorted, each once.
pub fn datasets_needed(
    cat: &crate::model::catalogue::Catalogue,
    spec: &crate::model::catalogue::ReportSpec,
    p: &Period,
) -> Vec<DatasetKind> {
    use crate::model::catalogue::Audience;
    let all = spec.audience == Audience::Internal && spec.agreements.is_empty();
    let mut out: Vec<DatasetKind> = cat
        .agreements
        .iter()
        .filter(|a| (all || spec.agreements.contains(&a.id)) && a.in_force(p))
        .flat_map(|a| a.targets.iter())
        .filter_map(|t| datasets_of(t.metric).first().copied())
        .collect();
    if spec.audience == Audience::Internal && !cat.process_kpis.is_empty() {
        out.push(DatasetKind::ProcessKpis);
    }
    out.sort();
    out.dedup();
    out
}

/// The data-missing rule (spec §2.1a): where deliveries are tracked and no month of the
/// period has a delivery of any dataset the figure needs, the target has no figure
/// ([`Status::DataMissing`]); where some months have one, the figure stands on those and
/// its explanation names the months without.
pub(crate) fn with_deliveries(
    ctx: &Ctx,
    needs: &[DatasetKind],
    mut r: TargetResult,
) -> TargetResult {
    let Some(d) = &ctx.data.deliveries else {
        return r;
    };
    let months = ctx.period.months();
    let missing: Vec<Period> = months
        .iter()
        .copied()
        .filter(|m| needs.iter().all(|k| d.months_missing(*k, m).contains(m)))
        .collect();
    if missing.is_empty() {
        return r;
    }
    let names: Vec<&str> = needs.iter().map(|k| k.name()).collect();
    if missing.len() == months.len() {
        r.actual = None;
        r.numerator = None;
        r.denominator = None;
        r.missed.clear();
        r.missed_total = 0;
        r.status = Status::DataMissing;
        r.exclusions = vec![format!(
            "data missing: no {} delivered for {}",
            names.join(" or "),
            ctx.period
        )];
    } else {
        let list: Vec<String> = missing.iter().map(Period::to_string).collect();
        r.exclusions.push(format!(
            "no {} delivered for {}: the figure stands on the other months",
            names.join(" or "),
            list.join(", ")
        ));
    }
    r
}

fn volumes(ctx: &Ctx) -> Volumes {
    let mut v = Volumes::default();
    let bump = |m: &mut BTreeMap<String, BTreeMap<String, u64>>, c: &str, p: Priority| {
        for key in [c, "*"] {
            *m.entry(key.to_string())
                .or_default()
                .entry(p.as_str().to_string())
                .or_default() += 1;
        }
    };
    for i in &ctx.data.incidents {
        if ctx.contains(i.opened) {
            bump(&mut v.incidents_opened, &i.customer, i.priority);
        }
        if i.resolved.is_some_and(|r| ctx.contains(r)) {
            bump(&mut v.incidents_resolved, &i.customer, i.priority);
        }
    }
    for c in &ctx.data.changes {
        if c.actual_end.is_some_and(|e| ctx.contains(e)) {
            let k = match c.kind {
                crate::model::records::ChangeType::Standard => "standard",
                crate::model::records::ChangeType::Normal => "normal",
                crate::model::records::ChangeType::Emergency => "emergency",
            };
            *v.changes.entry(k.to_string()).or_default() += 1;
        }
    }
    for r in &ctx.data.requests {
        if ctx.contains(r.opened) {
            *v.requests_opened.entry(r.customer.to_string()).or_default() += 1;
            *v.requests_opened.entry("*".to_string()).or_default() += 1;
        }
    }
    v
}

/// Seconds → hours.
pub(crate) fn hours(secs: i64) -> f64 {
    secs as f64 / 3600.0
}

/// Seconds → minutes.
pub(crate) fn minutes(secs: i64) -> f64 {
    secs as f64 / 60.0
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn calendar_error_is_said_once_in_the_alternate_chain() {
        let e = KpiError::Calendar {
            agreement: "SLA-ACME".into(),
            metric: "availability".into(),
            period: "2027-01".into(),
            ticket: None,
            error: Box::new(CalendarError::YearNotCovered {
                calendar: "cn".into(),
                year: 2027,
            }),
        };
        let text = format!("{:#}", anyhow::Error::new(e));
        assert_eq!(text.matches("has no data for 2027").count(), 1, "{text}");
        assert!(text.starts_with("agreement SLA-ACME, metric availability, period 2027-01: "));
    }
}

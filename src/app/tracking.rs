//! Where every report of a period stands: the facts of spec §4 gathered from
//! the catalogue (due dates), the ledger (arrivals, versions, approvals,
//! distributions) and the run's time, judged by [`crate::timeliness`].
//!
//! Orchestration (`app`): the rule is the domain module's; this file only
//! gathers the facts and shapes the rows `status`, `run` and the internal
//! report show.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::pipeline;
use super::session::Env;
use crate::ledger::{InputRecord, Ledger};
use crate::model::document::{DocStatus, DocVersion, SignOff};
use crate::model::period::Period;
use crate::model::records::DatasetKind;
use crate::timeliness::{self, Facts, Flag, Progress, State};

/// One row of the timeliness table (status command, internal report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    pub report_id: String,
    pub title: String,
    pub doc_number: String,
    pub period: Period,
    pub data_due: Option<NaiveDate>,
    pub report_due: Option<NaiveDate>,
    /// Latest arrival among the inputs first seen after the period began.
    pub data_arrived: Option<NaiveDateTime>,
    /// When the first version was generated.
    pub generated: Option<NaiveDateTime>,
    pub version: Option<DocVersion>,
    pub status: Option<DocStatus>,
    pub approved: Option<NaiveDateTime>,
    /// How the approval was taken: signed, unsigned (未签名) or legacy.
    pub approval_signing: Option<SignOff>,
    /// First folder copy or e-mail (sent, or outcome unknown) of the approved version.
    pub distributed: Option<NaiveDateTime>,
    pub state: State,
    /// Why the state is what it is.
    pub flags: Vec<Flag>,
}

/// The timeliness of every report of `period` (and the longer periods it
/// closes), or with no period of everything recorded and last month's due
/// reports, from the ledger and the due-date rules.
pub fn status_rows(
    env: &Env,
    ledger: &Ledger,
    period: Option<Period>,
) -> anyhow::Result<Vec<StatusRow>> {
    let arrivals = Arrivals::of(&known_inputs(ledger, &[])?);
    status_rows_with(env, ledger, period, &arrivals)
}

/// [`status_rows`] with the arrivals given (the ledger's inputs, and a batch's own
/// not yet recorded: the same inputs give the same rows before and after they are
/// recorded).
fn status_rows_with(
    env: &Env,
    ledger: &Ledger,
    period: Option<Period>,
    arrivals: &Arrivals,
) -> anyhow::Result<Vec<StatusRow>> {
    let now = env.now();
    let hol = env.due_holidays.clone();
    let mut keys: Vec<(Period, usize)> = Vec::new();
    match period {
        Some(p) => {
            for (i, spec) in env.cat.reports.iter().enumerate() {
                if spec.frequency == p.frequency {
                    keys.push((p, i));
                } else if p.ends(spec.frequency) {
                    keys.push((p.enclosing(spec.frequency), i));
                }
            }
        }
        None => {
            for d in ledger.read().all_documents()? {
                if let Some(i) = env.cat.reports.iter().position(|r| r.id == d.report_id) {
                    keys.push((d.period, i));
                }
            }
            let last_month = Period::of_date(now.date()).prev();
            for j in pipeline::due_jobs(&env.cat, last_month) {
                keys.push((j.period, j.spec));
            }
        }
    }
    keys.sort();
    keys.dedup();
    let mut rows = Vec::new();
    for (p, i) in keys {
        let spec = &env.cat.reports[i];
        let number = spec.doc_number_for(&p);
        let versions = ledger.read().versions(&number)?;
        let latest = versions.last();
        let approved = versions
            .iter()
            .rev()
            .find(|d| d.state.status == DocStatus::Approved);
        // The data are complete when every dataset the report needs has arrived for
        // every month of the period: the last of those first arrivals.
        let needed = crate::kpi::datasets_needed(&env.cat, spec, &p);
        let mut missing = Vec::new();
        let mut last: Option<NaiveDateTime> = None;
        for &d in &needed {
            let mut complete = true;
            for m in p.months() {
                match arrivals.first(d, m) {
                    Some(t) => last = last.max(Some(t)),
                    None => complete = false,
                }
            }
            if !complete {
                missing.push(d);
            }
        }
        let (data_arrived, datasets_missing) = if last.is_none() {
            (None, Vec::new())
        } else {
            (last, missing)
        };
        let distributed = match approved {
            Some(a) => ledger.read().first_delivery(a.id)?,
            None => None,
        };
        let facts = Facts {
            now,
            data_due: crate::due::data_due(p.frequency, p, &hol).ok(),
            report_due: crate::due::report_due(p.frequency, p, &hol).ok(),
            data_arrived,
            datasets_missing: &datasets_missing,
            distributed,
            progress: match (approved, latest) {
                (Some(_), _) => Progress::Approved,
                (None, Some(l)) => Progress::Version {
                    version: l.state.version,
                    status: l.state.status,
                },
                (None, None) => Progress::NotGenerated,
            },
        };
        let (state, flags) = timeliness::assess(&facts);
        rows.push(StatusRow {
            report_id: spec.id.clone(),
            title: spec.title.clone(),
            doc_number: number,
            period: p,
            data_due: facts.data_due,
            report_due: facts.report_due,
            data_arrived,
            generated: versions.first().map(|d| d.created),
            version: latest.map(|d| d.state.version),
            status: latest.map(|d| d.state.status),
            approved: approved.and_then(|d| d.state.approved_at),
            approval_signing: approved.and_then(|d| d.state.approved_how),
            distributed,
            state,
            flags,
        });
    }
    Ok(rows)
}

/// The period a recorded delivery counts for: as recorded, else (inputs recorded
/// before the ledger kept it) from its path.
fn delivery_period(x: &InputRecord) -> Option<Period> {
    x.period
        .or_else(|| crate::ingest::delivery::period_of(&x.path).0)
}

/// Every input the ledger knows, and `arriving` (a batch's own inputs, not yet
/// recorded): an input the ledger knows keeps its recorded arrival.
fn known_inputs(ledger: &Ledger, arriving: &[InputRecord]) -> anyhow::Result<Vec<InputRecord>> {
    let mut inputs = ledger.read().inputs()?;
    for a in arriving {
        if !inputs
            .iter()
            .any(|x| x.sha256 == a.sha256 && x.path == a.path)
        {
            inputs.push(a.clone());
        }
    }
    Ok(inputs)
}

/// When each dataset's data for each month first arrived (spec §4: a
/// delivery's arrival; later deliveries of the same month are corrections and
/// never make the data late).
struct Arrivals {
    /// A delivery with a period (its folder or name) covers each month of it.
    by_month: std::collections::BTreeMap<(DatasetKind, Period), NaiveDateTime>,
    /// Files with no period: they count for a month from the month's start on.
    undated: Vec<(DatasetKind, NaiveDateTime)>,
}

impl Arrivals {
    fn of(inputs: &[InputRecord]) -> Arrivals {
        let mut a = Arrivals {
            by_month: Default::default(),
            undated: Vec::new(),
        };
        for x in inputs {
            let period = delivery_period(x);
            for &d in &x.datasets {
                match period {
                    Some(dp) => {
                        for m in dp.months() {
                            let e = a.by_month.entry((d, m)).or_insert(x.first_seen);
                            *e = (*e).min(x.first_seen);
                        }
                    }
                    None => a.undated.push((d, x.first_seen)),
                }
            }
        }
        a
    }

    /// The first arrival of `d`'s data for the month `m`.
    fn first(&self, d: DatasetKind, m: Period) -> Option<NaiveDateTime> {
        self.by_month.get(&(d, m)).copied().or_else(|| {
            self.undated
                .iter()
                .filter(|(k, t)| *k == d && *t >= m.start())
                .map(|(_, t)| *t)
                .min()
        })
    }
}

/// The data deliveries of the months of `periods`: per month, each dataset a
/// report of the report list needs for a period containing that month, due by
/// the earliest data due date among those reports.
fn delivery_rows(
    env: &Env,
    arrivals: &Arrivals,
    periods: &[Period],
) -> Vec<crate::report::DeliveryRow> {
    let now = env.now();
    let mut due: std::collections::BTreeMap<(Period, DatasetKind), Option<NaiveDate>> =
        Default::default();
    let mut months: Vec<Period> = periods.iter().flat_map(|p| p.months()).collect();
    months.sort();
    months.dedup();
    for m in months {
        for spec in &env.cat.reports {
            let p = m.enclosing(spec.frequency);
            let d = crate::due::data_due(spec.frequency, p, &env.due_holidays).ok();
            for k in crate::kpi::datasets_needed(&env.cat, spec, &p) {
                let e = due.entry((m, k)).or_insert(d);
                // The earliest due date the calendar can tell wins (a longer period's
                // date, which may need next year's holidays, is never the earliest);
                // with none, the delivery is pending the calendar.
                *e = match (*e, d) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    due.into_iter()
        .map(|((m, k), d)| {
            let arrived = arrivals.first(k, m);
            crate::report::DeliveryRow {
                dataset: k,
                period: m,
                due: d,
                arrived,
                state: timeliness::assess_delivery(now, d, arrived),
            }
        })
        .collect()
}

/// The timeliness rows the internal report shows: the three periods before
/// `period` in full, and for `period` itself only its data arrival (its own
/// generation, approval and distribution are still to come, and must not
/// change the content of the report that is being generated). The batch's
/// own inputs (`arriving`) count as arrived whether or not an earlier run of
/// the same batch recorded them, so running a batch again gives the same
/// document.
pub fn timeliness_rows(
    env: &Env,
    ledger: &Ledger,
    period: Period,
    arriving: &[InputRecord],
) -> anyhow::Result<crate::report::Timeliness> {
    let mut reports = Vec::new();
    let inputs = known_inputs(ledger, arriving)?;
    let arrivals = Arrivals::of(&inputs);
    // Periods before the first delivery the workspace knows are before its
    // service began: nothing was due then.
    let first = inputs
        .iter()
        .filter_map(delivery_period)
        .map(|p| p.start())
        .min();
    let mut periods: Vec<Period> = period
        .previous(3)
        .into_iter()
        .filter(|p| first.is_none_or(|f| p.end() > f))
        .collect();
    for p in &periods {
        for r in status_rows_with(env, ledger, Some(*p), &arrivals)? {
            reports.push(to_timeliness(&r, false, env.now()));
        }
    }
    for r in status_rows_with(env, ledger, Some(period), &arrivals)? {
        reports.push(to_timeliness(&r, true, env.now()));
    }
    periods.push(period);
    Ok(crate::report::Timeliness {
        reports,
        deliveries: delivery_rows(env, &arrivals, &periods),
        targets: env.cat.timeliness,
    })
}

fn to_timeliness(
    r: &StatusRow,
    data_only: bool,
    now: NaiveDateTime,
) -> crate::report::TimelinessRow {
    crate::report::TimelinessRow {
        report_id: r.report_id.clone(),
        period: r.period.to_string(),
        data_due: r.data_due,
        report_due: r.report_due,
        // Whether the report went out by its due date (not yet known for the
        // period being reported).
        distribution: (!data_only)
            .then(|| timeliness::assess_delivery(now, r.report_due, r.distributed)),
        data_arrived: r.data_arrived,
        generated: if data_only { None } else { r.generated },
        approved: if data_only { None } else { r.approved },
        distributed: if data_only { None } else { r.distributed },
        late: if data_only {
            r.flags.iter().any(|f| f.is_about_data())
        } else {
            r.state == State::Late
        },
        at_risk: !data_only && r.state == State::AtRisk,
        pending_calendar: r.state == State::PendingCalendar,
    }
}

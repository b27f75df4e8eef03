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
    status_rows_with(env, ledger, period, &[])
}

/// [`status_rows`], counting `arriving` (a batch's own inputs, not yet recorded) as
/// arrived too: the same inputs give the same rows before and after they are recorded.
fn status_rows_with(
    env: &Env,
    ledger: &Ledger,
    period: Option<Period>,
    arriving: &[InputRecord],
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
    let mut inputs = ledger.read().inputs()?;
    // An input the ledger knows keeps its recorded arrival.
    for a in arriving {
        if !inputs
            .iter()
            .any(|x| x.sha256 == a.sha256 && x.path == a.path)
        {
            inputs.push(a.clone());
        }
    }
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
        // The data arrived with the last delivery for the period (a file whose folder or
        // name gives a period inside it); where no input says its period, the last input
        // that arrived after the period began.
        let for_period: Vec<NaiveDateTime> = inputs
            .iter()
            .filter(|x| {
                crate::ingest::delivery::period_of(&x.path)
                    .0
                    .is_some_and(|dp| p.start() <= dp.start() && dp.end() <= p.end())
            })
            .map(|x| x.first_seen)
            .collect();
        let any_period = inputs
            .iter()
            .any(|x| crate::ingest::delivery::period_of(&x.path).0.is_some());
        let data_arrived = if any_period {
            for_period.into_iter().max()
        } else {
            inputs
                .iter()
                .map(|x| x.first_seen)
                .filter(|t| *t >= p.start())
                .max()
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
) -> anyhow::Result<Vec<crate::report::TimelinessRow>> {
    let mut rows = Vec::new();
    for p in period.previous(3) {
        for r in status_rows_with(env, ledger, Some(p), arriving)? {
            rows.extend(to_timeliness(&r, false));
        }
    }
    for r in status_rows_with(env, ledger, Some(period), arriving)? {
        rows.extend(to_timeliness(&r, true));
    }
    Ok(rows)
}

fn to_timeliness(r: &StatusRow, data_only: bool) -> Option<crate::report::TimelinessRow> {
    Some(crate::report::TimelinessRow {
        report_id: r.report_id.clone(),
        period: r.period.to_string(),
        data_due: r.data_due?,
        report_due: r.report_due?,
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
    })
}

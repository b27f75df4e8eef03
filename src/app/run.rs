//! `svcreport run --period P`: the monthly batch — ingest and validate the
//! inbox, compute, build and render every report due for the period (monthly,
//! plus quarterly/half-yearly/yearly at their ends) as drafts, archive and
//! record everything in the ledger, then print a summary (`batch_run`).
//! `--strict` refuses to render when any error finding exists.

use super::session::Session;
use super::{Global, batch_run, pipeline};
use crate::model::period::Period;

pub fn run(g: &Global, period: Option<Period>, strict: bool, reissue: bool) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    // With no period, the last complete month before the run's time.
    let period = period.unwrap_or_else(|| Period::of_date(s.env.now().date()).prev());
    let jobs = pipeline::due_jobs(&s.env.cat, period);
    if jobs.is_empty() {
        anyhow::bail!("no report of the report list is due for {period}");
    }
    batch_run::execute(g, &mut s, "run", period, jobs, (strict, reissue))
}

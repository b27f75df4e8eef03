//! `svcreport render --period P [--report ID] [--as pdf,xlsx]`: build and
//! render reports of one period into the output folder as drafts, versioned
//! and recorded exactly as `run` does (the same batch), without its due-list
//! selection.

use super::session::Session;
use super::{Global, batch_run, pipeline};
use crate::model::catalogue::OutputFormat;
use crate::model::period::Period;

pub fn run(
    g: &Global,
    period: Period,
    report: Option<&str>,
    formats: &[OutputFormat],
) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let jobs = pipeline::render_jobs(&s.env.cat, period, report, formats)?;
    batch_run::execute(g, &mut s, "render", period, jobs, (false, false))
}

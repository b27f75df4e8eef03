//! `svcreport render --period P [--report ID] [--as pdf,xlsx]`: build and
//! render reports of one period into the output folder as drafts, versioned
//! and recorded exactly as `run` does (the same pipeline), without its
//! due-list selection.
use super::Global;
use super::pipeline::{self, Session};
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
    super::run::batch(g, &mut s, "render", period, jobs, false)
}

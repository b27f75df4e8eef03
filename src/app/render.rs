//! `svcreport render --period P`: build and render reports into the output folder.
use super::Global;
use crate::model::catalogue::OutputFormat;
use crate::model::period::Period;
pub fn run(
    _g: &Global,
    _period: Period,
    _report: Option<&str>,
    _formats: &[OutputFormat],
) -> anyhow::Result<u8> {
    anyhow::bail!("`render` is not built yet")
}

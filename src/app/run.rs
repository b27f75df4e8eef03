//! `svcreport run --period P`: the monthly batch.
use super::Global;
use crate::model::period::Period;
pub fn run(_g: &Global, _period: Period, _strict: bool) -> anyhow::Result<u8> {
    anyhow::bail!("`run` is not built yet")
}

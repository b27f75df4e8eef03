//! `svcreport compute --period P`: print every target's figures.
use super::Global;
use crate::model::period::Period;
pub fn run(_g: &Global, _period: Period) -> anyhow::Result<u8> {
    anyhow::bail!("`compute` is not built yet")
}

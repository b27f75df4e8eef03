//! `svcreport check`: validate the inbox (or given files), print findings and the reconciliation.
use super::Global;
use crate::model::period::Period;
use std::path::{Path, PathBuf};
pub fn run(
    _g: &Global,
    _period: Option<Period>,
    _files: &[PathBuf],
    _xlsx: Option<&Path>,
) -> anyhow::Result<u8> {
    anyhow::bail!("`check` is not built yet")
}

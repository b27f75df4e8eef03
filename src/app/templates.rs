//! `svcreport templates --out DIR`: blank provider workbooks and their documentation.
use super::Global;
use std::path::Path;
pub fn run(_g: &Global, _out: &Path) -> anyhow::Result<u8> {
    anyhow::bail!("`templates` is not built yet")
}

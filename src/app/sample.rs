//! `svcreport gen-sample --out DIR` (hidden): the deterministic sample-workspace generator.
use super::Global;
use std::path::Path;
pub fn run(_g: &Global, _out: &Path) -> anyhow::Result<u8> {
    anyhow::bail!("`gen-sample` is not built yet")
}

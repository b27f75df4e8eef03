//! `svcreport calendar [--year Y]`: every report of the report list with its periods and due dates.
use super::Global;
pub fn run(_g: &Global, _year: Option<i32>) -> anyhow::Result<u8> {
    anyhow::bail!("`calendar` is not built yet")
}

//! Review, approval, distribution, status, verification and audit.
use super::Global;
use crate::model::period::Period;
use std::path::Path;
pub fn review(_g: &Global, _doc: &str, _name: &str, _comment: Option<&str>) -> anyhow::Result<u8> {
    anyhow::bail!("`review` is not built yet")
}
pub fn approve(_g: &Global, _doc: &str, _name: &str, _comment: Option<&str>) -> anyhow::Result<u8> {
    anyhow::bail!("`approve` is not built yet")
}
pub fn distribute(_g: &Global, _period: Option<Period>) -> anyhow::Result<u8> {
    anyhow::bail!("`distribute` is not built yet")
}
pub fn status(_g: &Global, _period: Option<Period>) -> anyhow::Result<u8> {
    anyhow::bail!("`status` is not built yet")
}
pub fn verify(_g: &Global, _file: &Path) -> anyhow::Result<u8> {
    anyhow::bail!("`verify` is not built yet")
}
pub fn audit(_g: &Global, _doc: &str) -> anyhow::Result<u8> {
    anyhow::bail!("`audit` is not built yet")
}

//! `svcreport approve DOC --name N [--comment C]`: approve a reviewed version,
//! re-render it as final (已批准, no draft mark), keep it write-once under
//! `.svcreport/documents/`. The rules are in `signoff`.

use super::Global;
use crate::ledger::Step;

pub fn run(g: &Global, doc: &str, name: &str, comment: Option<&str>) -> anyhow::Result<u8> {
    super::signoff::take(g, doc, name, comment, Step::Approve)
}

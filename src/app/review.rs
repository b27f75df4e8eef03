//! `svcreport review DOC --name N [--comment C]`: record the review of the
//! latest version of a document (status 已审核). The rules are in `signoff`.

use super::Global;
use crate::ledger::Step;

pub fn run(g: &Global, doc: &str, name: &str, comment: Option<&str>) -> anyhow::Result<u8> {
    super::signoff::take(g, doc, name, comment, Step::Review)
}

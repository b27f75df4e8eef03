//! `svcreport review DOC (--key PATH | --name N) [--comment C]`: record the
//! review of the latest version of a document (status 已审核), signed with
//! the reviewer's SSH key where the workspace asks for signatures. The rules
//! are in `signoff`.

use super::Global;
use super::signoff::Who;
use crate::ledger::Step;

pub fn run(g: &Global, doc: &str, who: &Who, comment: Option<&str>) -> anyhow::Result<u8> {
    super::signoff::take(g, doc, who, comment, Step::Review)
}

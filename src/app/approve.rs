//! `svcreport approve DOC (--key PATH | --name N) [--comment C]`: approve a
//! reviewed version, re-render it as final (已批准, no draft mark), sign the
//! final files' hashes with the approver's SSH key where the workspace asks
//! for signatures, keep it write-once under `.svcreport/documents/`. The
//! rules are in `signoff`.

use super::Global;
use super::signoff::Who;
use crate::ledger::Step;

pub fn run(g: &Global, doc: &str, who: &Who, comment: Option<&str>) -> anyhow::Result<u8> {
    super::signoff::take(g, doc, who, comment, Step::Approve)
}

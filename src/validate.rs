//! Rules across files: ticket, change and request ids are unique across all
//! the inputs of a run (spec §2.1).
//!
//! Works on the merged output of `ingest` (records in file-path order, then
//! sheet order, then row order) and never reads files itself. Invariants: the
//! first occurrence of an id wins and stays accepted; every later occurrence is
//! removed from the dataset, reported as `row.duplicate_id` naming the first
//! place, and moved from `accepted` to `rejected` in its sheet's count, so
//! `read == accepted + rejected + blank` still holds.

use std::collections::HashMap;

use crate::findings::Finding;
use crate::ingest::cell::a1;
use crate::ingest::{IdColumn, Ingested};
use crate::model::records::SourceRef;

/// Apply the cross-file rules to `ing` in place.
pub fn check(ing: &mut Ingested, id_columns: &[IdColumn]) {
    let mut dups: Vec<(SourceRef, String, SourceRef, &'static str)> = Vec::new();
    fn scan<T>(
        v: &mut Vec<T>,
        key: impl Fn(&T) -> String,
        src: impl Fn(&T) -> &SourceRef,
        label: impl Fn(&T) -> String,
        what: &'static str,
        dups: &mut Vec<(SourceRef, String, SourceRef, &'static str)>,
    ) {
        let mut first: HashMap<String, SourceRef> = HashMap::new();
        v.retain(|r| match first.get(&key(r)) {
            Some(f) => {
                dups.push((src(r).clone(), label(r), f.clone(), what));
                false
            }
            None => {
                first.insert(key(r), src(r).clone());
                true
            }
        });
    }
    let d = &mut ing.dataset;
    scan(
        &mut d.incidents,
        |r| r.id.clone(),
        |r| &r.src,
        |r| r.id.clone(),
        "incidents",
        &mut dups,
    );
    scan(
        &mut d.changes,
        |r| r.id.clone(),
        |r| &r.src,
        |r| r.id.clone(),
        "changes",
        &mut dups,
    );
    scan(
        &mut d.requests,
        |r| r.id.clone(),
        |r| &r.src,
        |r| r.id.clone(),
        "requests",
        &mut dups,
    );
    scan(
        &mut d.supplier_tickets,
        |r| format!("{}\u{0}{}", r.supplier, r.id),
        |r| &r.src,
        |r| r.id.clone(),
        "supplier_tickets",
        &mut dups,
    );
    for (at, id, first, what) in dups {
        let col = |s: &SourceRef| {
            id_columns
                .iter()
                .find(|c| c.file == s.file && c.sheet == s.sheet && c.dataset == what)
        };
        let place = |s: &SourceRef| match col(s) {
            Some(c) => format!("{} '{}'!{}", s.file, s.sheet, a1(s.row - 1, c.col)),
            None => format!("{} '{}' row {}", s.file, s.sheet, s.row),
        };
        let noun = match what {
            "changes" => "change id",
            "requests" => "request id",
            _ => "ticket id",
        };
        let mut f = Finding::error(
            "row.duplicate_id",
            format!(
                "{noun} \"{id}\" already appears in {}; this row is rejected",
                place(&first)
            ),
        )
        .file(&at.file)
        .sheet(&at.sheet)
        .hint("each id may appear once across all the workbooks of a run; delete the repeated row or correct its id");
        match col(&at) {
            Some(c) => {
                f = f.cell(a1(at.row - 1, c.col));
                if !c.header.is_empty() {
                    f = f.column(&c.header);
                }
            }
            None => f = f.cell(at.row.to_string()),
        }
        ing.findings.push(f);
        if let Some(sc) = ing
            .files
            .iter_mut()
            .filter(|fc| fc.file == at.file)
            .flat_map(|fc| fc.sheets.iter_mut())
            .find(|sc| sc.sheet == at.sheet)
            && sc.accepted > 0
        {
            sc.accepted -= 1;
            sc.rejected += 1;
        }
    }
}

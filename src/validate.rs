//! Rules across files: ticket, change and request ids are unique across all
//! the inputs of a run (spec §2.1).
//!
//! Works on the merged output of `ingest` (records in file-path order, then
//! sheet order, then row order) and never reads files itself. Invariants: the
//! first occurrence of an id wins and stays accepted; every later occurrence is
//! removed from the dataset, reported as `row.duplicate_id` naming the first
//! place, and moved from `accepted` to `rejected` in its sheet's count, so
//! `read == accepted + rejected + blank` still holds.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::findings::{CellRef, Finding, IdKind, Message, Place};
use crate::ingest::{IdColumn, Ingested};
use crate::model::records::SourceRef;

/// Apply the cross-file rules to `ing` in place.
pub fn check(ing: &mut Ingested, id_columns: &[IdColumn]) {
    let mut findings = Vec::new();
    let mut dups: Vec<(SourceRef, String, SourceRef, &'static str)> = Vec::new();
    /// Keeps the first record of every key. Works on (hash, index) pairs sorted
    /// once (8 bytes a record, nothing copied from the records); keys are
    /// compared only within a run of equal hashes.
    fn scan<T>(
        v: &mut Vec<T>,
        key: impl Fn(&T) -> (&str, &str),
        src: impl Fn(&T) -> &SourceRef,
        label: impl Fn(&T) -> String,
        what: &'static str,
        dups: &mut Vec<(SourceRef, String, SourceRef, &'static str)>,
    ) {
        // 32 bits of hash: a collision only costs one key comparison.
        let hash = |r: &T| {
            let mut h = DefaultHasher::new();
            key(r).hash(&mut h);
            h.finish() as u32
        };
        let mut order: Vec<(u32, u32)> = v
            .iter()
            .enumerate()
            .map(|(i, r)| (hash(r), i as u32))
            .collect();
        order.sort_unstable();
        // (later index, first index) of every repeated key.
        let mut repeated: Vec<(u32, u32)> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && order[end].0 == order[start].0 {
                end += 1;
            }
            if end - start <= 8 {
                // Within a run indices ascend, so the first equal key is the first occurrence.
                for j in start + 1..end {
                    let kj = key(&v[order[j].1 as usize]);
                    if let Some(f) = order[start..j]
                        .iter()
                        .find(|(_, i)| key(&v[*i as usize]) == kj)
                    {
                        repeated.push((order[j].1, f.1));
                    }
                }
            } else {
                // A long run of one hash (many equal keys, or keys made to collide): sorted
                // by key, then index, so the work stays n log n instead of n².
                let run = &mut order[start..end];
                run.sort_unstable_by(|a, b| {
                    key(&v[a.1 as usize])
                        .cmp(&key(&v[b.1 as usize]))
                        .then(a.1.cmp(&b.1))
                });
                let mut first = run[0].1;
                for w in 1..run.len() {
                    if key(&v[run[w].1 as usize]) == key(&v[run[w - 1].1 as usize]) {
                        repeated.push((run[w].1, first));
                    } else {
                        first = run[w].1;
                    }
                }
            }
            start = end;
        }
        if repeated.is_empty() {
            return;
        }
        repeated.sort_unstable();
        let mut drop = vec![false; v.len()];
        for (later, first) in repeated {
            let (l, f) = (&v[later as usize], &v[first as usize]);
            dups.push((src(l).clone(), label(l), src(f).clone(), what));
            drop[later as usize] = true;
        }
        let mut i = 0;
        v.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }
    let d = &mut ing.dataset;
    scan(
        &mut d.incidents,
        |r| ("", &r.id),
        |r| &r.src,
        |r| r.id.to_string(),
        "incidents",
        &mut dups,
    );
    scan(
        &mut d.changes,
        |r| ("", &r.id),
        |r| &r.src,
        |r| r.id.to_string(),
        "changes",
        &mut dups,
    );
    scan(
        &mut d.requests,
        |r| ("", &r.id),
        |r| &r.src,
        |r| r.id.to_string(),
        "requests",
        &mut dups,
    );
    scan(
        &mut d.supplier_tickets,
        |r| (&r.supplier, &r.id),
        |r| &r.src,
        |r| r.id.to_string(),
        "supplier_tickets",
        &mut dups,
    );
    for (at, id, first, what) in dups {
        let col = |s: &SourceRef| {
            id_columns
                .iter()
                .find(|c| s.file() == c.file && s.sheet() == c.sheet && c.dataset == what)
        };
        // `SourceRef::row` is 1-based, as `CellRef` rows are.
        let cell = |s: &SourceRef| match col(s) {
            Some(c) => CellRef::Cell {
                row: s.row,
                col: c.col,
            },
            None => CellRef::Row { row: s.row },
        };
        let kind = match what {
            "changes" => IdKind::Change,
            "requests" => IdKind::Request,
            _ => IdKind::Ticket,
        };
        let mut f = Finding::new(Message::DuplicateId {
            kind,
            id,
            first: Place {
                file: first.file().to_string(),
                sheet: first.sheet().to_string(),
                cell: cell(&first),
            },
        })
        .file(at.file())
        .sheet(at.sheet())
        .cell(cell(&at));
        if let Some(c) = col(&at)
            && !c.header.is_empty()
        {
            f = f.column(&c.header);
        }
        findings.push(f);
        if let Some(sc) = ing
            .files
            .iter_mut()
            .filter(|fc| at.file() == fc.file)
            .flat_map(|fc| fc.sheets.iter_mut())
            .find(|sc| at.sheet() == sc.sheet)
            && sc.accepted > 0
        {
            sc.accepted -= 1;
            sc.rejected += 1;
        }
    }
    // A million repeated ids are a hundred findings per sheet and a summary.
    ing.findings
        .extend(crate::findings::limit::bound_across(findings));
}

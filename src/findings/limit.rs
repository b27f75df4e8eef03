//! Bounded findings: a hostile (or badly broken) workbook can make a finding on every one of
//! a million cells; the run keeps a bounded list and counts the rest.
//!
//! Per sheet, at most [`PER_CODE_AND_SHEET`] findings of one code are listed; the further
//! ones of that code become one summary finding ([`Message::Suppressed`]) giving their count
//! and the cells from the first to the last of them ([`CellRef::Range`]). Per file, at most
//! [`PER_FILE`] findings are listed in all; once the list is full, every further finding is
//! only counted, one summary per code for the file. So the findings of a file take memory
//! bounded by `PER_FILE` plus one summary per code and sheet, whatever the file holds.
//!
//! Plain data (no I/O). A summary has the code of the findings it stands for (so filtering
//! by code finds it) and counts as all of them in [`super::Summary`].

use std::cell::RefCell;
use std::rc::Rc;

use super::{CellRef, Code, Finding, Message, SuppressedIn};

/// Findings of one code listed per sheet; further ones are counted in a summary.
pub const PER_CODE_AND_SHEET: u32 = 100;

/// Findings listed per file in all; further ones are counted in a summary per code.
pub const PER_FILE: usize = 1_000;

/// The findings of one file not listed because its list was full, by code.
#[derive(Debug, Default)]
struct FileState {
    listed: usize,
    over: Vec<u64>,
}

/// What the sheets of one file share: how many of its findings are listed, and the ones
/// counted because the list was full.
#[derive(Debug, Clone, Default)]
pub struct FileLimit(Rc<RefCell<FileState>>);

impl FileLimit {
    pub fn new() -> FileLimit {
        FileLimit::default()
    }

    /// One summary finding per code counted once the file's list was full (for `file`).
    pub fn summaries(&self, file: &str) -> Vec<Finding> {
        let st = self.0.borrow();
        Code::ALL
            .iter()
            .zip(st.over.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(code, n)| {
                Finding::new(Message::Suppressed {
                    code: *code,
                    count: *n,
                    scope: SuppressedIn::File,
                })
                .file(file)
            })
            .collect()
    }
}

/// Findings of one code in one sheet that were not listed.
#[derive(Debug, Clone, Copy)]
struct Over {
    count: u64,
    first: Option<CellRef>,
    last: Option<CellRef>,
}

/// The findings of one sheet as they are made: listed up to the limits, counted beyond.
#[derive(Debug)]
pub struct Bounded {
    file: FileLimit,
    listed: Vec<Finding>,
    seen: Vec<u32>,
    over: Vec<Option<Over>>,
}

impl Bounded {
    /// The findings of a sheet of the file `file` limits.
    pub fn new(file: &FileLimit) -> Bounded {
        Bounded {
            file: file.clone(),
            listed: Vec::new(),
            seen: vec![0; Code::ALL.len()],
            over: vec![None; Code::ALL.len()],
        }
    }

    /// Add a finding: listed when its code and the file have room, counted otherwise.
    pub fn push(&mut self, f: Finding) {
        let k = f.code as usize;
        let mut file = self.file.0.borrow_mut();
        if self.seen[k] < PER_CODE_AND_SHEET && file.listed < PER_FILE {
            self.seen[k] += 1;
            file.listed += 1;
            self.listed.push(f);
        } else if self.seen[k] < PER_CODE_AND_SHEET {
            // The file's list is full: counted for the file.
            if file.over.is_empty() {
                file.over = vec![0; Code::ALL.len()];
            }
            file.over[k] += 1;
        } else {
            let o = self.over[k].get_or_insert(Over {
                count: 0,
                first: f.cell,
                last: None,
            });
            o.count += 1;
            if f.cell.is_some() {
                o.last = f.cell;
            }
        }
    }

    /// How many findings were made (listed or not).
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.over.iter().all(Option::is_none)
    }

    /// The listed findings, then one summary per code of those counted (placed in `file`
    /// and `sheet`, from the first to the last of their cells).
    pub fn finish(self, file: &str, sheet: &str) -> Vec<Finding> {
        let mut out = self.listed;
        for (code, o) in Code::ALL.iter().zip(self.over) {
            let Some(o) = o else { continue };
            let mut f = Finding::new(Message::Suppressed {
                code: *code,
                count: o.count,
                scope: SuppressedIn::Sheet,
            })
            .file(file)
            .sheet(sheet);
            if let Some(first) = o.first {
                f = f.cell(span(first, o.last.unwrap_or(first)));
            }
            out.push(f);
        }
        out
    }
}

/// The cells from `a` to `b` (both included) as one reference: the cell itself when they
/// are one cell, else the range between their corners (whole rows count as column A).
pub fn span(a: CellRef, b: CellRef) -> CellRef {
    if a == b {
        return a;
    }
    let corner = |c: CellRef| match c {
        CellRef::Cell { row, col } => (row, col),
        CellRef::Range {
            last_row, last_col, ..
        } => (last_row, last_col),
        CellRef::Row { row } => (row, 0),
        CellRef::Line { line, col } => (line, col),
    };
    let start = match a {
        CellRef::Range { row, col, .. } => (row, col),
        other => corner(other),
    };
    let end = corner(b);
    CellRef::Range {
        row: start.0,
        col: start.1,
        last_row: end.0,
        last_col: end.1,
    }
}

/// (file, sheet, code): a place and a kind of finding.
type Key = (Option<String>, Option<String>, Code);

/// The findings of rules across files (`row.duplicate_id`, `row.updated` …), which land in any
/// file and sheet, as they are made: at most [`PER_CODE_AND_SHEET`] of one code are listed per
/// file and sheet, the rest summarised there; the listed ones keep their order.
#[derive(Debug, Default)]
pub struct Across {
    listed: Vec<Finding>,
    seen: std::collections::BTreeMap<Key, (u32, Option<Over>)>,
}

impl Across {
    pub fn new() -> Across {
        Across::default()
    }

    pub fn push(&mut self, f: Finding) {
        let e = self
            .seen
            .entry((f.file.clone(), f.sheet.clone(), f.code))
            .or_insert((0, None));
        if e.0 < PER_CODE_AND_SHEET {
            e.0 += 1;
            self.listed.push(f);
        } else {
            let o = e.1.get_or_insert(Over {
                count: 0,
                first: f.cell,
                last: None,
            });
            o.count += 1;
            if f.cell.is_some() {
                o.last = f.cell;
            }
        }
    }

    /// The listed findings, then one summary per place and code of those counted.
    pub fn finish(self) -> Vec<Finding> {
        let mut out = self.listed;
        for ((file, sheet, code), (_, o)) in self.seen {
            let Some(o) = o else { continue };
            let mut f = Finding::new(Message::Suppressed {
                code,
                count: o.count,
                scope: SuppressedIn::Sheet,
            });
            f.file = file;
            f.sheet = sheet;
            if let Some(first) = o.first {
                f = f.cell(span(first, o.last.unwrap_or(first)));
            }
            out.push(f);
        }
        out
    }
}

/// [`Across`] over a list.
pub fn bound_across(findings: Vec<Finding>) -> Vec<Finding> {
    let mut a = Across::new();
    for f in findings {
        a.push(f);
    }
    a.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Lang;

    fn stray(row0: u32) -> Finding {
        Finding::new(Message::ErrorCell {
            error: "#N/A".into(),
        })
        .file("a.xlsx")
        .sheet("事件")
        .cell(CellRef::at(row0, 3))
    }

    #[test]
    fn a_million_findings_of_one_code_are_a_hundred_and_one_summary() {
        let file = FileLimit::new();
        let mut b = Bounded::new(&file);
        for r in 1..=1_000_000 {
            b.push(stray(r));
        }
        let out = b.finish("a.xlsx", "事件");
        assert_eq!(out.len(), PER_CODE_AND_SHEET as usize + 1);
        let s = out.last().expect("a summary");
        assert_eq!(s.code, Code::ValueErrorCell);
        assert_eq!(s.represents(), 1_000_000 - 100);
        // From the first cell not listed (row 102) to the last (row 1,000,001).
        assert_eq!(
            s.cell.map(|c| c.to_string()).as_deref(),
            Some("D102:D1000001")
        );
        let m = s.message(Lang::En);
        assert!(m.contains("999900"), "{m}");
        assert!(file.summaries("a.xlsx").is_empty());
    }

    #[test]
    fn the_file_list_is_bounded_across_sheets() {
        let file = FileLimit::new();
        let mut all = Vec::new();
        for s in 0..30 {
            let mut b = Bounded::new(&file);
            for r in 1..=50 {
                b.push(stray(r));
            }
            all.extend(b.finish("a.xlsx", &format!("s{s}")));
        }
        all.extend(file.summaries("a.xlsx"));
        assert_eq!(all.len(), PER_FILE + 1);
        let s = all.last().expect("a file summary");
        assert_eq!(s.represents(), 30 * 50 - PER_FILE as u64);
        assert!(s.sheet.is_none() && s.cell.is_none());
    }

    #[test]
    fn across_files_each_place_keeps_a_hundred() {
        let mut v = Vec::new();
        for r in 1..=250 {
            v.push(stray(r));
            v.push(stray(r).file("b.xlsx"));
        }
        let out = bound_across(v);
        assert_eq!(out.len(), 2 * 100 + 2);
        assert_eq!(out.iter().map(Finding::represents).sum::<u64>(), 500);
    }
}

//! Integration tests: what the customer reads (issue 15). Each document says only its own
//! business: a customer's appendix names only the rows its figures use, its version moves only
//! when those rows change, and hashes and paths in the PDF are copyable text. Read back from
//! the rendered documents (pdftotext, calamine) of the sample workspace.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{demo, ok, sv};

use svcreport::ledger::{DocVersion, Ledger};

const NOW_RUN: &str = "2026-11-03 10:00";
const NOW_AGAIN: &str = "2026-11-04 10:00";

/// Every sheet of a workbook as rows of cells.
fn read_book(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

/// Write sheets back (strings, numbers, dates as date cells).
fn write_book(path: &Path, sheets: &[(String, Vec<Vec<Data>>)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    Data::Empty => {}
                    Data::String(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).unwrap();
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    Data::DateTime(d) => {
                        ws.write_number_with_format(r, c, d.as_f64(), &date)
                            .unwrap();
                    }
                    other => panic!("unexpected cell {other:?}"),
                }
            }
        }
    }
    wb.save(path).unwrap();
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The 事件 sheet's rows with a customer column equal to one of `names`.
fn customer_rows(book: &[(String, Vec<Vec<Data>>)], names: &[&str]) -> Vec<usize> {
    let (_, rows) = book.iter().find(|(n, _)| n == "事件").unwrap();
    let col = rows[0]
        .iter()
        .position(|h| cell_text(h).starts_with("客户"))
        .unwrap();
    (1..rows.len())
        .filter(|&r| names.contains(&cell_text(&rows[r][col]).as_str()))
        .collect()
}

fn latest(w: &Path, doc: &str) -> DocVersion {
    Ledger::open(w)
        .unwrap()
        .read()
        .latest(doc)
        .unwrap()
        .unwrap()
        .state
        .version
}

/// The appendix sheet of a rendered workbook: (file, rows used, rejected, digest) per file.
fn xlsx_appendix(path: &Path) -> Vec<Vec<String>> {
    let book = read_book(path);
    let (_, rows) = book
        .iter()
        .find(|(n, _)| n.contains("附录") || n.to_lowercase().contains("appendix"))
        .unwrap_or_else(|| panic!("no appendix sheet in {}", path.display()));
    // The table starts at its header row (the column labels).
    let head = rows
        .iter()
        .position(|r| {
            r.iter()
                .any(|c| cell_text(c) == "文件" || cell_text(c) == "File")
        })
        .expect("appendix header");
    rows[head + 1..]
        .iter()
        .take_while(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|r| r.iter().map(cell_text).collect())
        .filter(|r: &Vec<String>| r.iter().any(|c| c.starts_with("inbox/")))
        .collect()
}

#[test]
fn one_customers_change_leaves_the_other_documents_alone() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    let docs = [
        "SR-ACME-2026-10",
        "SR-HX-2026-10",
        "SR-GLOBEX-2026-10",
        "SR-NETCO-2026-10",
    ];
    let before_appendix =
        xlsx_appendix(&w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx"));
    for d in docs {
        assert_eq!(latest(w, d), DocVersion::FIRST, "{d}");
    }
    // Globex drops one ticket from the shared October workbook (the rows below it move up).
    let path = w.join("inbox/2026-10/incidents.xlsx");
    let mut book = read_book(&path);
    let globex = customer_rows(&book, &["globex", "Globex", "环球贸易（深圳）有限公司"]);
    let acme_before = customer_rows(&book, &["acme", "安科美科技有限公司"]).len();
    assert!(!globex.is_empty() && acme_before > 0);
    let first = globex[0];
    let sheet = book.iter_mut().find(|(n, _)| n == "事件").unwrap();
    sheet.1.remove(first);
    write_book(&path, &book);
    let out = ok(sv(w, NOW_AGAIN, &["run", "--period", "2026-10"]));
    assert_eq!(
        latest(w, "SR-GLOBEX-2026-10"),
        DocVersion { major: 1, minor: 1 },
        "{out}"
    );
    for d in ["SR-ACME-2026-10", "SR-HX-2026-10", "SR-NETCO-2026-10"] {
        assert_eq!(latest(w, d), DocVersion::FIRST, "{d} moved:\n{out}");
    }
    // ACME's appendix is the very same: its rows, its digest.
    let after_appendix =
        xlsx_appendix(&w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx"));
    assert_eq!(before_appendix, after_appendix);
    // The audit recomputes ACME's and Globex's documents (their digests included) from the archive.
    for d in ["SR-ACME-2026-10", "SR-GLOBEX-2026-10"] {
        ok(sv(w, NOW_AGAIN, &["audit", d]));
    }
    // An ACME ticket changed: ACME's digest and version move.
    let mut book = read_book(&path);
    let acme = customer_rows(&book, &["acme", "安科美科技有限公司"]);
    let sheet = book.iter_mut().find(|(n, _)| n == "事件").unwrap();
    sheet.1.remove(acme[0]);
    write_book(&path, &book);
    ok(sv(w, "2026-11-04 11:00", &["run", "--period", "2026-10"]));
    assert_eq!(
        latest(w, "SR-ACME-2026-10"),
        DocVersion { major: 1, minor: 1 }
    );
    assert_eq!(latest(w, "SR-HX-2026-10"), DocVersion::FIRST);
    let changed = xlsx_appendix(&w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.1_draft.xlsx"));
    let inc = |a: &[Vec<String>]| {
        a.iter()
            .find(|r| r[0] == "inbox/2026-10/incidents.xlsx")
            .cloned()
            .unwrap()
    };
    let (b, c) = (inc(&before_appendix), inc(&changed));
    assert_ne!(b.last(), c.last(), "the digest follows the rows");
    assert_eq!(
        b[2].parse::<f64>().unwrap() - 1.0,
        c[2].parse::<f64>().unwrap()
    );
}

#[test]
fn a_customers_appendix_names_only_its_own_rows() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    let acme = xlsx_appendix(&w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx"));
    let internal = xlsx_appendix(&w.join("out/2026-10/SR-INT-2026-10_2026-10_v1.0_draft.xlsx"));
    // The internal report reconciles every file; ACME's names only files with its rows.
    assert!(internal.len() > acme.len(), "{internal:?}\n{acme:?}");
    let october = w.join("inbox/2026-10/incidents.xlsx");
    let book = read_book(&october);
    let acme_rows = customer_rows(&book, &["acme", "安科美科技有限公司"]).len();
    let all_rows = book.iter().find(|(n, _)| n == "事件").unwrap().1.len() - 1;
    let row = acme
        .iter()
        .find(|r| r[0] == "inbox/2026-10/incidents.xlsx")
        .unwrap();
    // Rows used: ACME's own tickets (all on its SLA's services), not the file's.
    assert_eq!(
        row[2].parse::<f64>().unwrap() as usize,
        acme_rows,
        "{row:?}"
    );
    assert!(acme_rows < all_rows);
    // The digest is a digest of those rows, not the file's SHA-256.
    let sha = svcreport::archive::sha256_file(&october).unwrap().0;
    assert!(acme.iter().flatten().all(|c| *c != sha), "{acme:?}");
    assert!(internal.iter().flatten().any(|c| *c == sha), "{internal:?}");
    assert!(
        !acme
            .iter()
            .flatten()
            .any(|c| c.contains("supplier-tickets")),
        "{acme:?}"
    );
}

/// `pdftotext` of a rendered PDF (`None` where it is missing outside CI).
fn pdf_text(path: &Path) -> Option<String> {
    match std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("pdftotext: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            crate::support::tool_missing("pdftotext");
            None
        }
    }
}

#[test]
fn hashes_and_paths_copy_out_of_the_pdf_as_they_are() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    for doc in ["SR-ACME-2026-10", "SR-INT-2026-10", "SR-NETCO-2026-10"] {
        let pdf = w.join(format!("out/2026-10/{doc}_2026-10_v1.0_draft.pdf"));
        let Some(text) = pdf_text(&pdf) else { return };
        // (typst's contents page puts a word joiner, U+2060, before each page number: not in
        // any copied value.)
        let invisible: Vec<char> = text
            .chars()
            .filter(|c| matches!(c, '\u{200B}'..='\u{200D}' | '\u{00AD}' | '\u{FEFF}'))
            .collect();
        assert!(
            invisible.is_empty(),
            "{doc}: {} invisible characters",
            invisible.len()
        );
        // The content hash, whole on one line, as the ledger has it.
        let hash = Ledger::open(w)
            .unwrap()
            .read()
            .latest(doc)
            .unwrap()
            .unwrap()
            .content_hash;
        assert!(
            text.lines().any(|l| l.contains(&hash)),
            "{doc}: {hash} not on one line"
        );
        // Every digest of the appendix is whole on a line: 64 hex digits, never cut.
        let digests = text
            .split(|c: char| !c.is_ascii_hexdigit())
            .filter(|t| t.len() >= 32)
            .count();
        assert!(digests >= 2, "{doc}: {digests} digests");
        for t in text.split(|c: char| !c.is_ascii_hexdigit()) {
            assert!(t.len() < 32 || t.len() == 64, "{doc}: a cut digest {t}");
        }
        // A path reads as itself once the line breaks (only after a `/`) are joined.
        let joined: String = text.split('\n').collect::<Vec<_>>().join("");
        assert!(joined.contains("inbox/2026-10/"), "{doc}");
        for l in text.lines() {
            if let Some(i) = l.find("inbox/") {
                let tail = &l[i..];
                let path: String = tail.chars().take_while(|c| !c.is_whitespace()).collect();
                assert!(
                    path.ends_with('/') || path.ends_with(".xlsx"),
                    "{doc}: a path broken elsewhere than after '/': {path:?}"
                );
            }
        }
    }
}

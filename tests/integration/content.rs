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

/// What a document may print in the other language (issue 15, item 2): the catalogue's ids and
/// names (customers, services, suppliers, teams, people, processes, resources, agreements,
/// reports, process KPIs), the organisation's names, the inputs' file and sheet names, P1–P4,
/// SLA/UC/OLA, units, numbers, ids and digests, and the one command a note names.
struct Allowed {
    /// Lower-case ASCII words.
    words: std::collections::BTreeSet<String>,
    /// Texts in Chinese (names), without spaces.
    names: Vec<String>,
}

fn allowed(w: &Path) -> Allowed {
    let cat: toml::Value =
        toml::from_str(&std::fs::read_to_string(w.join("catalogue.toml")).unwrap()).unwrap();
    let ws: toml::Value =
        toml::from_str(&std::fs::read_to_string(w.join("svcreport.toml")).unwrap()).unwrap();
    let mut texts: Vec<String> = Vec::new();
    for table in [
        "customer",
        "service",
        "supplier",
        "team",
        "person",
        "process",
        "resource",
        "agreement",
        "report",
        "process_kpi",
    ] {
        for e in cat
            .get(table)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            for key in [
                "id", "name", "name_en", "title", "title_en", "process", "kpi", "party",
            ] {
                if let Some(s) = e.get(key).and_then(|v| v.as_str()) {
                    texts.push(s.to_string());
                }
            }
        }
    }
    for key in ["name", "organisation", "organisation_en"] {
        if let Some(s) = ws["workspace"].get(key).and_then(|v| v.as_str()) {
            texts.push(s.to_string());
        }
    }
    // The inputs' sheet names, as the providers named them.
    for e in walk(&w.join("inbox")) {
        if e.extension().is_some_and(|x| x == "xlsx") {
            let wb: Xlsx<_> = open_workbook(&e).unwrap();
            texts.extend(wb.sheet_names());
        }
    }
    let mut words: std::collections::BTreeSet<String> = [
        "p1",
        "p2",
        "p3",
        "p4",
        "sla",
        "uc",
        "ola",
        "sha",
        "h",
        "min",
        "svcreport",
        "compute",
        "format",
        "json",
        "audit",
        "xlsx",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for t in &texts {
        for word in t.split(|c: char| !c.is_ascii_alphanumeric()) {
            if !word.is_empty() {
                words.insert(word.to_ascii_lowercase());
            }
        }
    }
    let mut names: Vec<String> = texts
        .iter()
        .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|t| t.chars().any(is_cjk))
        .collect();
    // Longest first, so a name is removed before a shorter one inside it.
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    Allowed { words, names }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Chinese characters and the full-width punctuation that goes with them.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF5E}')
}

/// The words of `text` in the other language than `zh` says, that `allow` does not excuse.
fn foreign_words(text: &str, zh: bool, allow: &Allowed) -> Vec<String> {
    let mut found = Vec::new();
    if zh {
        let ok = |w: &str| allow.words.contains(&w.to_ascii_lowercase());
        for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_./@".contains(c))) {
            if !token.chars().any(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            // Ids, versions, paths and digests: a digit, a path or a file name inside.
            let file_name = [".xlsx", ".xls", ".xlsb", ".ods", ".csv"]
                .iter()
                .any(|x| token.to_ascii_lowercase().ends_with(x));
            // (An e-mail address of the distribution list is the catalogue's.)
            if token.chars().any(|c| c.is_ascii_digit())
                || token.contains('/')
                || token.contains('@')
                || file_name
            {
                continue;
            }
            let parts: Vec<&str> = token
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect();
            // pdftotext joins a word broken at a line end after a hyphen: two allowed words.
            let joined = |p: &str| (1..p.len()).any(|i| ok(&p[..i]) && ok(&p[i..]));
            if !parts.iter().all(|p| ok(p) || joined(p)) {
                found.push(token.to_string());
            }
        }
    } else {
        let mut dense: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for n in &allow.names {
            dense = dense.replace(n.as_str(), " ");
        }
        for run in dense.split(|c: char| !is_cjk(c)).filter(|r| !r.is_empty()) {
            found.push(run.to_string());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every text of a rendered workbook: sheet names and string cells.
fn xlsx_texts(path: &Path) -> String {
    read_book(path)
        .into_iter()
        .flat_map(|(name, rows)| {
            std::iter::once(name).chain(rows.into_iter().flatten().filter_map(|c| match c {
                Data::String(s) => Some(s),
                _ => None,
            }))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The documents of a run with their language: (file, zh?).
fn documents(w: &Path) -> Vec<(std::path::PathBuf, bool)> {
    walk(&w.join("out/2026-10"))
        .into_iter()
        .map(|p| {
            let zh = !p.to_string_lossy().contains("GLOBEX");
            (p, zh)
        })
        .collect()
}

fn foreign_in(w: &Path) -> Vec<String> {
    let allow = allowed(w);
    let mut bad = Vec::new();
    for (p, zh) in documents(w) {
        let text = match p.extension().and_then(|x| x.to_str()) {
            Some("pdf") => match pdf_text(&p) {
                Some(t) => t,
                None => continue,
            },
            Some("xlsx") => xlsx_texts(&p),
            _ => continue,
        };
        for word in foreign_words(&text, zh, &allow) {
            bad.push(format!(
                "{}: {word}",
                p.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    bad
}

#[test]
fn every_bundled_template_speaks_one_language() {
    // The sample renders every bundled template: customer-zh (ACME, Huaxin), customer-en
    // (Globex), internal and supplier (NetCo), as PDF and xlsx.
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    assert!(documents(w).len() >= 9);
    let bad = foreign_in(w);
    assert!(
        bad.is_empty(),
        "words of the other language:\n{}",
        bad.join("\n")
    );

    // Mutation: an English sentence planted in the Chinese template is found, and so is a
    // Chinese one in the English template.
    let ws = demo();
    let w = ws.path();
    std::fs::create_dir_all(w.join("templates")).unwrap();
    for (name, key, planted) in [
        (
            "customer-zh",
            "sentence_breached",
            "{metric}{scope} is {actual}, below the target of {target}.",
        ),
        (
            "customer-en",
            "appendix_note",
            "本附录只列出本报告所用的数据。",
        ),
    ] {
        let base =
            std::fs::read_to_string(crate::support::repo().join(format!("templates/{name}.toml")))
                .unwrap();
        let line = base
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap();
        let t = base.replace(line, &format!("{key} = \"{planted}\""));
        std::fs::write(w.join(format!("templates/{name}.toml")), t).unwrap();
    }
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    let bad = foreign_in(w);
    assert!(
        bad.iter()
            .any(|b| b.starts_with("SR-ACME") && b.ends_with(".xlsx: below")),
        "{bad:?}"
    );
    if crate::support::have_tool("pdftotext") {
        assert!(
            bad.iter()
                .any(|b| b.starts_with("SR-ACME") && b.ends_with(".pdf: below")),
            "{bad:?}"
        );
    }
    assert!(
        bad.iter()
            .any(|b| b.starts_with("SR-GLOBEX") && b.contains(".xlsx: 本附录只列出")),
        "{bad:?}"
    );
}

/// The rows of a sheet of a rendered workbook, as text.
fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let book = read_book(path);
    let (_, rows) = book
        .into_iter()
        .find(|(n, _)| n == sheet)
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    rows.iter()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

#[test]
fn each_metric_kind_shows_a_basis_that_fits_it_and_the_summary_says_only_what_needs_attention() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    let xlsx = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx");
    let rows = sheet_rows(&xlsx, "服务目标汇总");
    let head = rows
        .iter()
        .position(|r| r.iter().any(|c| c == "统计依据"))
        .unwrap();
    let col = rows[head].iter().position(|c| c == "统计依据").unwrap();
    let basis = |metric: &str| -> Vec<String> {
        rows[head + 1..]
            .iter()
            .filter(|r| r[0] == metric)
            .map(|r| r[col].clone())
            .collect()
    };
    let ratio = |s: &str| {
        let Some(nd) = s.strip_suffix(" 达标") else {
            return false;
        };
        let Some((n, d)) = nd.split_once('/') else {
            return false;
        };
        n.parse::<u64>()
            .is_ok_and(|n| d.parse::<u64>().is_ok_and(|d| n <= d))
    };
    // Compliance: met/total.
    for b in basis("解决及时率").iter().chain(&basis("响应及时率")) {
        assert!(ratio(b), "{b:?}");
    }
    // A mean: its count (MTTR also its median and P90); never a ratio of hours to tickets.
    let mttr = basis("平均解决时间");
    assert_eq!(mttr.len(), 1);
    assert!(
        mttr[0].contains("张工单，中位数 ") && mttr[0].contains("小时，P90 "),
        "{mttr:?}"
    );
    assert!(!mttr[0].contains('/'), "{mttr:?}");
    let mean = basis("满意度平均分");
    assert!(
        mean[0].ends_with(" 份评分") && !mean[0].contains('/'),
        "{mean:?}"
    );
    // A count shows no ratio.
    for m in ["期末未解决事件", "重大事件数", "超阈值天数"] {
        assert!(basis(m).iter().all(String::is_empty), "{m}: {:?}", basis(m));
    }
    // Changes: the ones that caused incidents; capacity: the mean and the days over.
    assert!(
        basis("变更成功率")[0].contains("项引发事件"),
        "{:?}",
        basis("变更成功率")
    );
    let cap = basis("容量峰值使用率");
    assert!(
        cap[0].starts_with("均值 ") && cap[0].contains("超阈值"),
        "{cap:?}"
    );
    // The summary: one sentence of counts, then one for each breached or at-risk target.
    let status_col = rows[head].iter().position(|c| c == "状态").unwrap();
    let attention = rows[head + 1..]
        .iter()
        .filter(|r| r[status_col] == "未达标" || r[status_col] == "有风险")
        .count();
    let sentences: Vec<&String> = rows
        .iter()
        .flatten()
        .filter(|c| c.ends_with('。') && !c.starts_with("本期共"))
        .collect();
    assert_eq!(sentences.len(), attention, "{sentences:?}");
    assert!(
        sentences
            .iter()
            .all(|s| s.contains("低于") || s.contains("高于") || s.contains("有风险"))
    );
    assert!(
        sentences
            .contains(&&"解决及时率（P3） 88.32%，低于 90% 的目标（121/137 达标）。".to_string()),
        "{sentences:?}"
    );
    assert!(rows.iter().flatten().any(|c| c.starts_with("本期共 ")));
}

/// Minutes of a duration as a document prints it (`2 小时 38 分钟`, `30 分钟`, `4 小时`).
fn minutes_of(s: &str) -> Option<i64> {
    let mut total = 0;
    let mut words = s.split_whitespace();
    while let Some(n) = words.next() {
        let n: i64 = n.parse().ok()?;
        total += match words.next()? {
            "小时" => n * 60,
            "分钟" => n,
            _ => return None,
        };
    }
    Some(total)
}

#[test]
fn every_missed_ticket_carries_the_detail_a_service_review_needs() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    let xlsx = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx");
    let rows = sheet_rows(&xlsx, "未达标工单");
    let want = [
        "指标",
        "工单号",
        "服务",
        "优先级",
        "报告时间",
        "时限",
        "用时",
        "超时",
        "挂起",
    ];
    let head = rows
        .iter()
        .position(|r| r.len() >= want.len() && r[..want.len()] == want)
        .unwrap_or_else(|| panic!("{:?}", &rows[..4.min(rows.len())]));
    let tickets: Vec<&Vec<String>> = rows[head + 1..]
        .iter()
        .filter(|r| r[1].starts_with("INC") || r[1].starts_with("REQ"))
        .collect();
    assert!(tickets.len() >= 30, "{}", tickets.len());
    let (mut open, mut paused) = (0, 0);
    for r in &tickets {
        // id, service (its name), priority (incidents), opened, limit, taken or 未解决, overrun.
        assert!(!r[2].is_empty() && !r[2].contains('-'), "{r:?}");
        if r[1].starts_with("INC") {
            assert!(["P1", "P2", "P3", "P4"].contains(&r[3].as_str()), "{r:?}");
        }
        assert!(r[4].starts_with("2026-") && r[4].len() == 16, "{r:?}");
        let limit = minutes_of(&r[5]).unwrap_or_else(|| panic!("{r:?}"));
        let overrun = minutes_of(&r[7]).unwrap_or_else(|| panic!("{r:?}"));
        if r[6] == "未解决" {
            open += 1;
            assert!(overrun > 0, "{r:?}");
        } else {
            // Taken − limit = overrun, to the (rounded-up) minute.
            let taken = minutes_of(&r[6]).unwrap_or_else(|| panic!("{r:?}"));
            assert!((taken - limit - overrun).abs() <= 1, "{r:?}");
            assert!(overrun > 0 || taken > limit, "{r:?}");
        }
        if !r[8].is_empty() {
            paused += 1;
            assert!(minutes_of(&r[8]).is_some_and(|m| m > 0), "{r:?}");
        }
    }
    assert!(open > 0 && paused > 0, "open {open}, paused {paused}");
    // The Excel sheet can be filtered.
    let names = read_book(&xlsx)
        .iter()
        .map(|(n, _)| n.clone())
        .collect::<Vec<_>>();
    let index = names.iter().position(|n| n == "未达标工单").unwrap() + 1;
    let mut z = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut z
            .by_name(&format!("xl/worksheets/sheet{index}.xml"))
            .unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(
        sheet.contains("<autoFilter ref="),
        "no filter on the breaches sheet"
    );
    // The PDF's table repeats its header on every page it spans.
    let pdf = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf");
    let Some(text) = pdf_text(&pdf) else { return };
    let headers = text.matches("报告时间").count();
    assert!(headers >= 2, "{headers} headers");
}

#[test]
fn the_cover_carries_the_classification_and_the_distribution_outside_the_hash() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    let xlsx = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx");
    let cover: Vec<String> = sheet_rows(&xlsx, "封面").into_iter().flatten().collect();
    assert!(cover.iter().any(|c| c == "密级：客户机密"), "{cover:?}");
    assert!(
        cover
            .iter()
            .any(|c| c == "it-director@acme.example, service-desk@acme.example"),
        "{cover:?}"
    );
    if let Some(text) = pdf_text(&w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf")) {
        assert!(text.contains("密级：客户机密") && text.contains("it-director@acme.example"));
    }
    // A new recipient changes the cover, never the content: the version stays.
    let cat = w.join("catalogue.toml");
    let t = std::fs::read_to_string(&cat).unwrap().replace(
        "recipients = [\"it-director@acme.example\"",
        "recipients = [\"cio@acme.example\", \"it-director@acme.example\"",
    );
    std::fs::write(&cat, t).unwrap();
    ok(sv(w, NOW_AGAIN, &["run", "--period", "2026-10"]));
    assert_eq!(latest(w, "SR-ACME-2026-10"), DocVersion::FIRST);
}

/// The register as `improvements --all --format json` lists it.
fn register(w: &Path) -> Vec<serde_json::Value> {
    let o = sv(w, NOW_RUN, &["--format", "json", "improvements", "--all"]);
    crate::support::json(&o).as_array().unwrap().clone()
}

/// The item of `key` (agreement, metric, scope) in the register.
fn item_of<'a>(reg: &'a [serde_json::Value], key: &serde_json::Value) -> &'a serde_json::Value {
    reg.iter()
        .find(|i| &i["key"] == key)
        .unwrap_or_else(|| panic!("no item for {key}"))
}

fn label_of(i: &serde_json::Value) -> String {
    format!("IMP-{:04}", i["id"].as_i64().unwrap())
}

/// The improvements sheet of a rendered workbook, rows below its header.
fn improvement_rows(xlsx: &Path) -> Vec<Vec<String>> {
    let book = read_book(xlsx);
    let (_, rows) = book
        .iter()
        .find(|(n, _)| n == "改进事项" || n == "Improvement items")
        .unwrap_or_else(|| panic!("{}: no improvements sheet", xlsx.display()));
    rows.iter()
        .map(|r| r.iter().map(cell_text).collect::<Vec<String>>())
        .filter(|r| r.first().is_some_and(|c| c.starts_with("IMP-")))
        .collect()
}

#[test]
fn the_improvement_register_lives_across_periods_and_a_closed_item_reopens() {
    let ws = demo();
    let w = ws.path();
    let acme_doc = |p: &str, v: &str| w.join(format!("out/{p}/SR-ACME-{p}_{p}_v{v}_draft.xlsx"));
    ok(sv(w, "2026-09-03 10:00", &["run", "--period", "2026-08"]));
    let reg = register(w);
    assert!(!reg.is_empty(), "August raises items");
    for i in &reg {
        assert_eq!(i["state"], "new", "{i}");
        // A month's item is due by the end of the next month; the owner is the
        // process manager the catalogue names.
        if i["raised"] == "2026-08" {
            assert_eq!(i["due"], "2026-09-30", "{i}");
        }
    }
    assert!(
        reg.iter().any(|i| i["owner"].is_string()),
        "owners from the catalogue"
    );
    // August's ACME workbook lists its own items, and only them.
    let aug = improvement_rows(&acme_doc("2026-08", "1.0"));
    let acme_items: Vec<&serde_json::Value> = reg
        .iter()
        .filter(|i| i["key"]["agreement"] == "SLA-ACME" && i["raised"] == "2026-08")
        .collect();
    assert!(!acme_items.is_empty());
    assert_eq!(aug.len(), acme_items.len(), "{aug:?}");
    for r in &aug {
        let it = reg.iter().find(|i| label_of(i) == r[0]).unwrap();
        assert_eq!(it["key"]["agreement"], "SLA-ACME", "{r:?}");
    }

    // The compiler records an action on one ACME item and closes another.
    let a = acme_items[0];
    let action = "更换 ERP 数据库服务器的电源模块，并增加监控告警";
    ok(sv(
        w,
        "2026-09-05 10:00",
        &[
            "improvements",
            "set",
            &label_of(a),
            "--state",
            "in-progress",
            "--action",
            action,
            "--due",
            "2026-10-15",
            "--note",
            "与供应商确认备件",
        ],
    ));
    // What September and October raise (their figures, before any run of them).
    let raised_in = |p: &str| -> Vec<serde_json::Value> {
        crate::support::json(&sv(
            w,
            NOW_RUN,
            &["--format", "json", "compute", "--period", p],
        ))["improvements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| serde_json::json!({"agreement": i["agreement"], "metric": i["metric"], "scope": i["scope"]}))
            .collect()
    };
    let (sep_raises, oct_raises) = (raised_in("2026-09"), raised_in("2026-10"));
    // Closed now: one item September leaves alone and October breaches again, and one
    // that neither raises.
    let again = reg
        .iter()
        .find(|i| {
            i["id"] != a["id"] && !sep_raises.contains(&i["key"]) && oct_raises.contains(&i["key"])
        })
        .expect("an August item October (not September) raises again");
    let not_again = reg.iter().find(|i| {
        i["id"] != a["id"] && !sep_raises.contains(&i["key"]) && !oct_raises.contains(&i["key"])
    });
    for i in std::iter::once(again).chain(not_again) {
        ok(sv(
            w,
            "2026-09-05 11:00",
            &["improvements", "set", &label_of(i), "--state", "closed"],
        ));
    }

    // September: the action and state travel with the item; closed items are not shown.
    ok(sv(w, "2026-10-09 10:00", &["run", "--period", "2026-09"]));
    let sep = improvement_rows(&acme_doc("2026-09", "1.0"));
    let row = sep
        .iter()
        .find(|r| r[0] == label_of(a))
        .unwrap_or_else(|| panic!("{} not carried over: {sep:?}", label_of(a)));
    assert!(row.iter().any(|c| c == action), "{row:?}");
    assert!(row.iter().any(|c| c == "处理中"), "{row:?}");
    assert!(row.iter().any(|c| c == "2026-10-15"), "{row:?}");
    for i in std::iter::once(again).chain(not_again) {
        assert!(
            !sep.iter().any(|r| r[0] == label_of(i)),
            "closed {} still shown",
            label_of(i)
        );
    }
    // Another customer's document never shows ACME's items.
    let globex = improvement_rows(&w.join("out/2026-09/SR-GLOBEX-2026-09_2026-09_v1.0_draft.xlsx"));
    assert!(!globex.iter().any(|r| r[0] == label_of(a)), "{globex:?}");

    // October breaches the closed target again: the same item reopens (never a
    // duplicate); the one October does not raise stays closed.
    let run = crate::support::json(&sv(
        w,
        NOW_RUN,
        &["--format", "json", "run", "--period", "2026-10"],
    ));
    assert!(
        run["improvements"]["reopened"].as_u64().unwrap() >= 1,
        "{run}"
    );
    let reg = register(w);
    let re = item_of(&reg, &again["key"]);
    assert_eq!(re["id"], again["id"]);
    assert_eq!(re["state"], "new");
    assert_eq!(re["reopened"], 1);
    assert_eq!(re["last"], "2026-10");
    assert_eq!(
        reg.iter().filter(|i| i["key"] == again["key"]).count(),
        1,
        "one item per target"
    );
    if let Some(n) = not_again {
        assert_eq!(item_of(&reg, &n["key"])["state"], "closed");
    }
    // The item still in progress in October: past its due date by the month's end.
    let oct_rows = improvement_rows(&acme_doc("2026-10", "1.0"));
    let row = oct_rows.iter().find(|r| r[0] == label_of(a)).unwrap();
    assert!(row.iter().any(|c| c == "2026-10-15（已逾期）"), "{row:?}");

    // The register exported for the process managers, read back.
    let out = w.join("register.xlsx");
    ok(sv(
        w,
        NOW_RUN,
        &["improvements", "export", "--out", out.to_str().unwrap()],
    ));
    let book = read_book(&out);
    let (_, items) = book.iter().find(|(n, _)| n == "改进登记册").unwrap();
    assert_eq!(items.len(), reg.len() + 1, "a header and one row per item");
    let exported = items
        .iter()
        .find(|r| cell_text(&r[0]) == label_of(a))
        .unwrap();
    assert_eq!(cell_text(&exported[9]), action);
    assert_eq!(cell_text(&exported[11]), "处理中");
    let (_, history) = book.iter().find(|(n, _)| n == "历史").unwrap();
    let events: Vec<String> = history
        .iter()
        .filter(|r| cell_text(&r[0]) == label_of(again))
        .map(|r| cell_text(&r[2]))
        .collect();
    assert_eq!(events, ["提出", "更新", "重新打开"], "{history:?}");
    let edited = history
        .iter()
        .find(|r| cell_text(&r[0]) == label_of(a) && cell_text(&r[2]) == "更新")
        .unwrap();
    assert!(cell_text(&edited[3]).contains("与供应商确认备件"));
    // As a process manager opens it: LibreOffice re-saves it, calamine reads it back.
    if crate::support::have_tool("soffice") {
        let lo = w.join("lo");
        std::fs::create_dir_all(&lo).unwrap();
        let o = std::process::Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}/profile",
                lo.display()
            ))
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsx",
                "--outdir",
            ])
            .arg(&lo)
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let book = read_book(&lo.join("register.xlsx"));
        let (_, items) = book.iter().find(|(n, _)| n == "改进登记册").unwrap();
        let row = items
            .iter()
            .find(|r| cell_text(&r[0]) == label_of(a))
            .unwrap();
        assert_eq!(cell_text(&row[9]), action);
        assert!(
            matches!(row[10], Data::DateTime(_) | Data::DateTimeIso(_)),
            "the due date stays a date: {:?}",
            row[10]
        );
    }

    // Edits are checked before anything is recorded.
    for bad in [
        vec!["improvements", "set", "IMP-9999", "--state", "closed"],
        vec!["improvements", "set", "1", "--state", "finished"],
        vec!["improvements", "set", "1", "--due", "next week"],
        vec!["improvements", "set", "1", "--owner", "nobody"],
        vec!["improvements", "set", "1"],
    ] {
        let o = sv(w, NOW_RUN, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
    assert_eq!(register(w), reg, "a refused edit records nothing");
}

#[test]
fn the_cover_carries_the_revision_history_and_the_approval_comments() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    // `suffix`: `_draft` for a draft, empty for the approved file.
    let cover = |v: &str, suffix: &str| -> Vec<Vec<String>> {
        sheet_rows(
            &w.join(format!(
                "out/2026-10/SR-ACME-2026-10_2026-10_v{v}{suffix}.xlsx"
            )),
            "封面",
        )
    };
    let revisions = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        let at = rows
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "修订记录"))
            .expect("a revision history");
        rows[at + 2..]
            .iter()
            .take_while(|r| r.first().is_some_and(|c| !c.is_empty()))
            .map(|r| r[..3].to_vec())
            .collect()
    };
    assert_eq!(
        revisions(&cover("1.0", "_draft")),
        [["1.0", "2026-11-03", "初版"]]
    );
    // One ACME ticket changes: V1.1 says what changed, by section.
    let path = w.join("inbox/2026-10/incidents.xlsx");
    let mut book = read_book(&path);
    let acme = customer_rows(&book, &["acme", "安科美科技有限公司"]);
    let sheet = book.iter_mut().find(|(n, _)| n == "事件").unwrap();
    sheet.1.remove(acme[0]);
    write_book(&path, &book);
    ok(sv(w, NOW_AGAIN, &["run", "--period", "2026-10"]));
    let revs = revisions(&cover("1.1", "_draft"));
    assert_eq!(revs.len(), 2, "{revs:?}");
    assert_eq!(revs[0], ["1.0", "2026-11-03", "初版"]);
    assert_eq!(revs[1][..2], ["1.1", "2026-11-04"]);
    assert!(
        revs[1][2].starts_with("更新：") && revs[1][2].contains("附录 数据核对"),
        "{revs:?}"
    );
    // An action recorded on one of ACME's improvement items changes that section alone.
    let item = register(w)
        .into_iter()
        .find(|i| i["key"]["agreement"] == "SLA-ACME")
        .expect("an ACME item");
    ok(sv(
        w,
        "2026-11-04 11:00",
        &[
            "improvements",
            "set",
            &label_of(&item),
            "--action",
            "增加二线值班",
        ],
    ));
    ok(sv(w, "2026-11-04 12:00", &["run", "--period", "2026-10"]));
    let revs = revisions(&cover("1.2", "_draft"));
    assert_eq!(revs.len(), 3, "{revs:?}");
    assert_eq!(revs[2], ["1.2", "2026-11-04", "更新：改进事项"]);
    // Review and approval, each with a comment: the approved cover shows both, and the
    // recorded comments are outside the content hash (same version, audit clean).
    let doc = "SR-ACME-2026-10";
    ok(sv(
        w,
        "2026-11-04 15:00",
        &[
            "review",
            doc,
            "--key",
            &crate::support::key(w, "liqiang"),
            "--comment",
            "数据已核对",
        ],
    ));
    ok(sv(
        w,
        "2026-11-05 09:30",
        &[
            "approve",
            doc,
            "--key",
            &crate::support::key(w, "zhangwei"),
            "--comment",
            "同意发布；ERP 可用性的改进请下期说明进展",
        ],
    ));
    let approved = cover("1.2", "");
    let flat: Vec<&String> = approved.iter().flatten().collect();
    assert!(
        approved
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "审核意见")
                && r.get(1).is_some_and(|c| c.starts_with("数据已核对"))),
        "{flat:?}"
    );
    assert!(
        approved
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "批准意见")
                && r.get(1).is_some_and(|c| c.starts_with("同意发布；ERP"))),
        "{flat:?}"
    );
    assert_eq!(latest(w, doc), DocVersion { major: 1, minor: 2 });
    if let Some(text) = pdf_text(&w.join(format!("out/2026-10/{doc}_2026-10_v1.2.pdf"))) {
        for want in [
            "修订记录",
            "初版",
            "数据已核对",
            "同意发布；ERP 可用性的改进请下期说明进展",
        ] {
            assert!(text.contains(want), "{want} not in the PDF");
        }
    }
    ok(sv(w, "2026-11-06 10:00", &["audit", doc]));
}

//! Integration tests: hostile workbooks (issue 16). Each case of the issue has a test here;
//! the `calamine_*` tests are the vendored calamine's patch tests (each fails, by an abort
//! or an assertion, against the unpatched crate); the last test runs every regression case
//! the fuzz harness kept under `tests/hostile/`.
//!
//! Workbooks are built inside the test from raw XML (a few lines each), so each shows
//! exactly the claim it makes; a child process runs `svcreport check` under a memory limit
//! and a timeout where a missed bound would abort or hang the test binary itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use svcreport::findings::{Finding, Message, Severity};
use svcreport::ingest::{self, IngestOptions, Ingested};

use crate::support;

// ---------------------------------------------------------------------------------------
// Raw workbooks

const HEAD: [&str; 6] = ["工单号", "客户", "服务", "优先级", "报告时间", "解决时间"];

/// An xlsx package from raw parts: `sheets` as (name, sheet XML) and the shared strings.
fn raw_xlsx(sheets_xml: &str, sheet: &str, sst: &str) -> Vec<u8> {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let wb_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let wb = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets_xml}</sheets></workbook>"#
    );
    crate::support::zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ])
}

/// The one sheet listed once, named 事件.
const ONE_SHEET: &str = r#"<sheet name="事件" sheetId="1" r:id="rId1"/>"#;

/// Shared strings: the header, `acme`, `email`, `P3`, then `extra`; `unique` as declared.
fn sst(extra: &[&str], unique: Option<u64>) -> String {
    let mut all: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
    all.extend(["acme", "email", "P3"].map(String::from));
    all.extend(extra.iter().map(|s| s.to_string()));
    let n = unique.unwrap_or(all.len() as u64);
    let items: String = all.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{}" uniqueCount="{n}">{items}</sst>"#,
        all.len()
    )
}

fn sheet_xml(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// The header row, cells at `refs` (A1…F1 unless given).
fn header(refs: [&str; 6]) -> String {
    let cells: String = refs
        .iter()
        .enumerate()
        .map(|(i, r)| format!(r#"<c r="{r}" t="s"><v>{i}</v></c>"#))
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

const HEADER_REFS: [&str; 6] = ["A1", "B1", "C1", "D1", "E1", "F1"];

/// A valid incident at row `r` (priority from shared string `pri`).
fn incident(r: u32, pri: u32) -> String {
    format!(
        r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>INC-{r}</t></is></c><c r="B{r}" t="s"><v>6</v></c><c r="C{r}" t="s"><v>7</v></c><c r="D{r}" t="s"><v>{pri}</v></c><c r="E{r}"><v>46296.5</v></c></row>"#
    )
}

fn catalogue() -> svcreport::model::catalogue::Catalogue {
    svcreport::catalogue::parse_str("catalogue.toml", svcreport::sample::demo::CATALOGUE_TOML)
        .expect("the demo catalogue loads")
}

fn read(name: &str, bytes: &[u8]) -> Ingested {
    ingest::read_bytes(name, bytes, &catalogue(), &IngestOptions::default())
}

fn codes(ing: &Ingested) -> Vec<&str> {
    ing.findings.iter().map(|f| f.code.id()).collect()
}

fn count(ing: &Ingested, code: &str) -> u64 {
    ing.findings
        .iter()
        .filter(|f| f.code == code)
        .map(Finding::represents)
        .sum()
}

// ---------------------------------------------------------------------------------------
// A check in a child process, bounded

/// How a bounded child ended.
#[derive(Debug)]
struct Bounded {
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: String,
}

/// `svcreport --workspace WS --format json check FILE` in a child limited to `mib` of data
/// segment and `timeout`, reading in its own process (so a missed bound is an abort here,
/// not a contained worker failure).
fn check_bounded(ws: &Path, file: &Path, mib: u64, timeout: Duration) -> Bounded {
    use std::io::Read;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut cmd = std::process::Command::new(support::BIN);
    cmd.arg("--workspace")
        .arg(ws)
        .args(["--format", "json", "check"])
        .arg(file)
        .env("SVCREPORT_INGEST_WORKERS", "0")
        .env("SVCREPORT_REPORT_PANICS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let limit = mib << 20;
    // SAFETY: only `setrlimit` runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let l = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_DATA, &l) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = String::new();
        let _ = err.read_to_string(&mut b);
        b
    });
    let start = std::time::Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Bounded {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// A workspace for `check FILE` with the demo catalogue (English messages).
fn check_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("svcreport.toml"),
        "[workspace]\nname = \"t\"\nlanguage = \"en\"\ninbox = [\"inbox/**/*.xlsx\"]\ncatalogue = [\"catalogue.toml\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("catalogue.toml"),
        svcreport::sample::demo::CATALOGUE_TOML,
    )
    .unwrap();
    dir
}

/// The check of `bytes` (as `name`) finished within 1 GiB and 60 s with a report.
fn assert_bounded(name: &str, bytes: &[u8]) -> serde_json::Value {
    let ws = check_workspace();
    let file = ws.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let b = check_bounded(ws.path(), &file, 1024, Duration::from_secs(60));
    assert!(!b.timed_out, "{name}: still running after 60 s");
    assert_eq!(b.signal, None, "{name}: killed by a signal\n{}", b.stderr);
    assert!(
        matches!(b.code, Some(0 | 1)),
        "{name}: exit {:?}\n{}",
        b.code,
        b.stderr
    );
    assert!(
        !b.stderr.contains("contained reader panic"),
        "{name}: a reader panicked\n{}",
        b.stderr
    );
    serde_json::from_slice(&b.stdout).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"))
}

// ---------------------------------------------------------------------------------------
// The cases of the issue

/// `<sst uniqueCount="4294967295">` in a 2 KB workbook: calamine reserved 103 GB.
#[test]
fn calamine_sst_unique_count_is_a_claim_not_a_reservation() {
    use calamine::Reader;
    let bytes = raw_xlsx(
        ONE_SHEET,
        &sheet_xml(&format!("{}{}", header(HEADER_REFS), incident(2, 8))),
        &sst(&[], Some(u64::from(u32::MAX))),
    );
    assert!(bytes.len() < 4096);
    let wb: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(&bytes)).expect("opens without reserving");
    assert_eq!(wb.sheet_names(), ["事件"]);
    let ing = read("sst.xlsx", &bytes);
    assert_eq!(ing.dataset.incidents.len(), 1, "{:?}", codes(&ing));
    assert!(!ing.has_errors(), "{:?}", codes(&ing));
}

/// A header cell `r="ZZZZZZZZ1"` (beyond `u32`): the reader says so; a cell within `u32`
/// but right of XFD (`ZZZ1`, `XFE1`) or below row 1,048,576 is `sheet.beyond_limits`, the
/// column index never sizes anything (`SheetState::decide` allocated 39 GB).
#[test]
fn calamine_and_the_reader_bound_cell_references() {
    use calamine::Reader;
    let far = ["A1", "B1", "C1", "ZZZZZZZZ1", "E1", "F1"];
    let bytes = raw_xlsx(
        ONE_SHEET,
        &sheet_xml(&format!("{}{}", header(far), incident(2, 8))),
        &sst(&[], None),
    );
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut rd = wb.worksheet_cells_reader("事件").unwrap();
    let mut seen = Vec::new();
    let err = loop {
        match rd.next_cell() {
            Ok(Some(c)) => seen.push(c.get_position()),
            Ok(None) => panic!("ZZZZZZZZ1 read as a cell: {seen:?}"),
            Err(e) => break e,
        }
    };
    assert!(err.to_string().contains("column number overflow"), "{err}");
    assert_eq!(seen, [(0, 0), (0, 1), (0, 2)]);
    let ing = read("zz.xlsx", &bytes);
    assert!(
        codes(&ing).contains(&"ingest.unreadable"),
        "{:?}",
        codes(&ing)
    );

    // Within u32 but beyond Excel: findings at those cells, the rest read.
    let mut refs = HEADER_REFS;
    refs[5] = "XFE1";
    let rows = format!(
        "{}{}{}",
        header(refs),
        incident(2, 8),
        r#"<row r="3"><c r="ZZZ3" t="s"><v>6</v></c></row><row r="1048577"><c r="A1048577" t="s"><v>6</v></c></row>"#
    );
    let ing = read(
        "xfe.xlsx",
        &raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[], None)),
    );
    let beyond: Vec<String> = ing
        .findings
        .iter()
        .filter(|f| f.code == "sheet.beyond_limits")
        .map(|f| f.cell.map(|c| c.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(beyond, ["XFE1", "ZZZ3", "A1048577"], "{:?}", codes(&ing));
    assert_eq!(ing.dataset.incidents.len(), 1);
}

/// Rows listed out of order: a finding, never a count that underflows.
#[test]
fn rows_out_of_order_are_findings_and_the_counts_reconcile() {
    let rows = format!(
        "{}{}{}{}",
        header(HEADER_REFS),
        incident(5, 8),
        incident(3, 8),
        incident(6, 8)
    );
    let ing = read(
        "order.xlsx",
        &raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[], None)),
    );
    let f = ing
        .findings
        .iter()
        .find(|f| f.code == "sheet.beyond_limits")
        .expect("a finding");
    assert!(matches!(
        f.detail(),
        Message::RowOutOfOrder { row: 3, after: 5 }
    ));
    let s = &ing.files[0].sheets[0];
    assert_eq!(s.read, s.accepted + s.rejected + s.blank);
    assert_eq!(ing.dataset.incidents.len(), 2);
}

/// 200,000 rows each with one stray cell (the issue had a million): a million error
/// findings become 100 per code and one summary, and the summary line still counts them.
#[test]
fn a_sheet_of_stray_cells_gives_bounded_findings() {
    let mut rows = header(HEADER_REFS);
    for r in 2..200_002u32 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="Q{r}" t="s"><v>6</v></c></row>"#
        ));
    }
    let ing = read(
        "stray.xlsx",
        &raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[], None)),
    );
    // 5 required columns empty in each of 200,000 rows.
    assert_eq!(count(&ing, "value.required"), 1_000_000);
    let listed = ing
        .findings
        .iter()
        .filter(|f| f.code == "value.required")
        .count();
    assert_eq!(listed, 101);
    let summary = ing
        .findings
        .iter()
        .find(|f| matches!(f.detail(), Message::Suppressed { .. }))
        .expect("a summary");
    assert_eq!(summary.represents(), 1_000_000 - 100);
    assert_eq!(
        summary.cell.map(|c| c.to_string()).as_deref(),
        Some("A22:E200001")
    );
    let s = svcreport::findings::Summary::of(&ing.findings, &ing.files);
    assert_eq!(s.errors, 1_000_000);
    assert!(ing.findings.len() <= svcreport::findings::limit::PER_FILE + 40);
}

/// One long shared string as every row's priority (the issue: 200 MB × every row ran past
/// 60 s and 800 MB): measured once, each cell refused at once.
#[test]
fn one_long_shared_string_in_every_row_costs_once() {
    let long = "P".repeat(4_000_000);
    let mut rows = header(HEADER_REFS);
    for r in 2..20_002u32 {
        rows.push_str(&incident(r, 9));
    }
    let bytes = raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[&long], None));
    let v = assert_bounded("long.xlsx", &bytes);
    assert_eq!(v["summary"]["rejected"], 20_000);
    let too_long = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "value.too_long")
        .count();
    assert_eq!(too_long, 101, "100 listed and one summary");
    // In process, the same, and no copy of the string per row.
    let ing = read("long.xlsx", &bytes);
    assert_eq!(count(&ing, "value.too_long"), 20_000);
    assert!(ing.dataset.incidents.is_empty());
}

/// A long text kept by a record (a survey comment) repeated on every row is one shared copy.
#[test]
fn a_long_comment_on_every_row_is_held_once() {
    let sst_xml = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>客户</t></si><si><t>日期</t></si><si><t>评分</t></si><si><t>意见</t></si><si><t>acme</t></si><si><t>{}</t></si></sst>"#,
        "很好".repeat(10_000)
    );
    let mut rows = String::from(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
    );
    for r in 2..2002u32 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>4</v></c><c r="B{r}"><v>46296</v></c><c r="C{r}"><v>4</v></c><c r="D{r}" t="s"><v>5</v></c></row>"#
        ));
    }
    let bytes = raw_xlsx(
        r#"<sheet name="满意度" sheetId="1" r:id="rId1"/>"#,
        &sheet_xml(&rows),
        &sst_xml,
    );
    let ing = read("surveys.xlsx", &bytes);
    assert_eq!(ing.dataset.surveys.len(), 2000, "{:?}", codes(&ing));
    let first = ing.dataset.surveys[0].comment.as_ref().unwrap();
    assert!(ing.dataset.surveys.iter().all(|s| {
        s.comment
            .as_ref()
            .is_some_and(|c| c.shared_key() == first.shared_key())
    }));
}

/// The same worksheet listed 2,000 times in `workbook.xml` (parsed 2,000 times, 45 s,
/// 1.4 GB): read once, by calamine and by the reader.
#[test]
fn calamine_reads_a_sheet_listed_2000_times_once() {
    use calamine::Reader;
    let listed: String = (0..2000)
        .map(|i| {
            format!(
                r#"<sheet name="事件{}" sheetId="{}" r:id="rId1"/>"#,
                if i == 0 { String::new() } else { i.to_string() },
                i + 1
            )
        })
        .collect();
    let mut rows = header(HEADER_REFS);
    for r in 2..1002u32 {
        rows.push_str(&incident(r, 8));
    }
    let bytes = raw_xlsx(&listed, &sheet_xml(&rows), &sst(&[], None));
    let wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["事件"]);
    let ing = read("dup.xlsx", &bytes);
    assert_eq!(ing.files[0].sheets.len(), 1);
    assert_eq!(ing.dataset.incidents.len(), 1000);
}

/// An xls whose cell lies at column 65,535 (the BIFF record says so): calamine held every
/// sheet as a dense range of its bounding box, 65,536 × 65,536 cells (137 GB).
#[test]
fn calamine_bounds_the_cells_of_an_xls() {
    let mut xls = std::fs::read(support::repo().join("tests/hostile/seeds/incidents.xls")).unwrap();
    let ok = read("ok.xls", &xls);
    assert_eq!(ok.dataset.incidents.len(), 589, "{:?}", codes(&ok));
    // The first LabelSst record (type 0x00FD, length 10): its column set to 0xFFFF, its
    // row to 0xFFFF.
    let at = xls
        .windows(4)
        .position(|w| w == [0xFD, 0x00, 0x0A, 0x00])
        .expect("a LabelSst record");
    xls[at + 4..at + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let ing = read("far.xls", &xls);
    let f = ing
        .findings
        .iter()
        .find(|f| f.code == "ingest.unreadable")
        .expect("refused");
    let m = f.message(svcreport::findings::Lang::En);
    assert!(m.contains("more than the limit"), "{m}");
    assert_bounded("far.xls", &xls);
}

/// An ods of 20,000 rows, each one cell repeated 16,384 times (a few kilobytes zipped):
/// calamine expanded every repeat into its cell list before any check, 327 M cells (18 GB);
/// a row repeated a million times is refused too.
#[test]
fn calamine_bounds_the_cells_of_an_ods() {
    let row = r#"<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>工单号</text:p></table:table-cell></table:table-row>"#;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="事件">{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        row.repeat(20_000)
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let bytes = crate::support::zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ]);
    assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
    let ing = read("rep.ods", &bytes);
    let m = ing
        .findings
        .iter()
        .find(|f| f.code == "ingest.unreadable")
        .map(|f| f.message(svcreport::findings::Lang::En))
        .expect("refused");
    assert!(m.contains("Cell limit exceeded"), "{m}");
    assert_bounded("rep.ods", &bytes);
    // The seed ods reads as before.
    let ods = std::fs::read(support::repo().join("tests/hostile/seeds/incidents.ods")).unwrap();
    assert_eq!(read("ok.ods", &ods).dataset.incidents.len(), 589);
}

/// An ods cut inside its table, or inside a comment, ended calamine's loop never (the fuzz
/// campaign's one hang); `<text:s text:c="4000000000"/>` asked for four billion spaces.
#[test]
fn calamine_ends_an_ods_cut_short_and_refuses_claimed_spaces() {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="事件">"#;
    let ods = |content: String| {
        crate::support::zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("META-INF/manifest.xml", manifest.as_bytes()),
            ("content.xml", content.as_bytes()),
        ])
    };
    let row = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>工单号</text:p></table:table-cell></table:table-row>"#;
    for (name, content, says) in [
        ("cut.ods", format!("{head}{row}"), "end of xml"),
        (
            "note.ods",
            format!(
                r#"{head}<table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>x</text:p>"#
            ),
            "end of xml",
        ),
        (
            "spaces.ods",
            format!(
                r#"{head}<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/>b</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
            ),
            "Cell limit exceeded",
        ),
    ] {
        let bytes = ods(content);
        let v = assert_bounded(name, &bytes);
        let m = v["findings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            v["findings"][0]["code"] == "ingest.unreadable" && m.contains(says),
            "{name}: {v}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Contained failure: worker processes

fn isolation(mib: u64, timeout: Duration) -> ingest::worker::Isolation {
    ingest::worker::Isolation {
        exe: PathBuf::from(support::BIN),
        memory_limit: mib << 20,
        timeout,
    }
}

fn demo_files() -> (
    tempfile::TempDir,
    svcreport::workspace::Workspace,
    Vec<PathBuf>,
) {
    let dir = support::demo();
    let ws = svcreport::workspace::Workspace::load(dir.path()).unwrap();
    let files = ingest::inbox_files(&ws).unwrap();
    (dir, ws, files)
}

/// Reading in worker processes gives exactly what reading here gives: records, findings,
/// counts, and the shared strings shared again.
#[test]
fn reading_in_workers_changes_nothing() {
    let (_dir, ws, mut files) = demo_files();
    files.push(support::repo().join("samples/demo/examples/incidents-with-mistakes.xlsx"));
    // Times with an offset are converted to the run's timezone, in a worker too.
    let dir = tempfile::tempdir().unwrap();
    let offsets = dir.path().join("offsets.xlsx");
    let rows = format!(
        "{}{}",
        header(HEADER_REFS),
        r#"<row r="2"><c r="A2" t="inlineStr"><is><t>INC-Z</t></is></c><c r="B2" t="s"><v>6</v></c><c r="C2" t="s"><v>7</v></c><c r="D2" t="s"><v>8</v></c><c r="E2" t="inlineStr"><is><t>2026-10-01T08:00:00Z</t></is></c></row>"#
    );
    std::fs::write(
        &offsets,
        raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[], None)),
    )
    .unwrap();
    files.push(offsets);
    let cat = catalogue();
    let local = IngestOptions {
        timezone: chrono_tz::Europe::London,
        ..IngestOptions::default()
    };
    let here = ingest::ingest(&ws, &cat, &files, &local);
    let iso = isolation(1024, Duration::from_secs(120));
    let opts = IngestOptions {
        isolation: Some(&iso),
        ..local
    };
    let there = ingest::ingest(&ws, &cat, &files, &opts);
    let z = there
        .dataset
        .incidents
        .iter()
        .find(|i| i.id == "INC-Z")
        .expect("read");
    assert_eq!(
        z.opened.to_string(),
        "2026-10-01 09:00:00",
        "08:00Z in London (BST)"
    );
    assert_eq!(here.dataset, there.dataset);
    assert_eq!(here.findings, there.findings);
    assert_eq!(here.files, there.files);
    assert!(here.dataset.incidents.len() > 1000);
    // One shared copy of a customer id per file, as when read here.
    let mut keys: std::collections::BTreeMap<&str, std::collections::BTreeSet<usize>> =
        std::collections::BTreeMap::new();
    for i in there
        .dataset
        .incidents
        .iter()
        .filter(|i| i.customer == "acme")
    {
        keys.entry(i.src.file())
            .or_default()
            .insert(i.customer.shared_key());
    }
    assert!(
        keys.len() > 1 && keys.values().all(|k| k.len() == 1),
        "{keys:?}"
    );
}

/// A worker that runs out of memory, or out of time, costs its file only: the file is
/// `ingest.unreadable` with the reason, the other files are read.
#[test]
fn a_worker_out_of_memory_or_time_is_a_finding_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let ws = svcreport::workspace::Workspace::parse(
        dir.path(),
        &dir.path().join("svcreport.toml"),
        "[workspace]\nname = \"t\"\ninbox = [\"*.xlsx\"]\ncatalogue = []\n",
    )
    .unwrap();
    // A workbook that needs some memory: 60,000 rows, 600,000 shared strings.
    let mut rows = header(HEADER_REFS);
    let mut extra = Vec::new();
    for r in 2..60_002u32 {
        rows.push_str(&incident(r, 8));
        for k in 0..10 {
            extra.push(format!("text {r} {k} 某些文字"));
        }
    }
    let refs: Vec<&str> = extra.iter().map(String::as_str).collect();
    let big = dir.path().join("a_big.xlsx");
    std::fs::write(
        &big,
        raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&refs, None)),
    )
    .unwrap();
    let small = dir.path().join("b_small.xlsx");
    let small_rows = format!("{}{}", header(HEADER_REFS), incident(2, 8));
    std::fs::write(
        &small,
        raw_xlsx(ONE_SHEET, &sheet_xml(&small_rows), &sst(&[], None)),
    )
    .unwrap();
    let files = vec![big, small];
    let cat = catalogue();
    let iso = isolation(24, Duration::from_secs(120));
    let opts = IngestOptions {
        isolation: Some(&iso),
        ..IngestOptions::default()
    };
    let ing = ingest::ingest(&ws, &cat, &files, &opts);
    let f = ing
        .findings
        .iter()
        .find(|f| f.file.as_deref() == Some("a_big.xlsx"))
        .expect("the big file's finding");
    assert!(
        matches!(
            f.detail(),
            Message::WorkerFailed {
                failure: svcreport::findings::WorkerFailure::OutOfMemory { limit_mib: 24 }
            }
        ),
        "{f:?}"
    );
    assert_eq!(f.severity, Severity::Error);
    assert!(!ing.files[0].readable && !ing.files[0].sha256.is_empty());
    assert_eq!(ing.dataset.incidents.len(), 1, "the small file is read");
    // Out of time: every file stops at once (a worker cannot answer within 1 ms).
    let iso = isolation(1024, Duration::from_millis(1));
    let opts = IngestOptions {
        isolation: Some(&iso),
        ..IngestOptions::default()
    };
    let ing = ingest::ingest(&ws, &cat, &files[1..], &opts);
    assert!(
        matches!(
            ing.findings[0].detail(),
            Message::WorkerFailed {
                failure: svcreport::findings::WorkerFailure::TimedOut { .. }
            }
        ),
        "{:?}",
        ing.findings
    );
}

/// A worker that is gone when the run writes to it (here: a "worker" that exits at once)
/// costs its files, not the run, even with `SIGPIPE`'s default action, which `main` restores:
/// the test runs itself in a child process that sets it.
#[test]
fn a_worker_gone_before_it_reads_costs_its_file_not_the_run() {
    if std::env::var_os("SVCREPORT_TEST_SIGPIPE_CHILD").is_some() {
        // SAFETY: restoring a signal's default action; this child runs this one test.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
        let dir = tempfile::tempdir().unwrap();
        let ws = svcreport::workspace::Workspace::parse(
            dir.path(),
            &dir.path().join("svcreport.toml"),
            "[workspace]\nname = \"t\"\ninbox = [\"*.xlsx\"]\ncatalogue = []\n",
        )
        .unwrap();
        let mut files = Vec::new();
        for i in 0..4 {
            let p = dir.path().join(format!("f{i}.xlsx"));
            let rows = format!("{}{}", header(HEADER_REFS), incident(2 + i, 8));
            std::fs::write(&p, raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[], None))).unwrap();
            files.push(p);
        }
        let iso = ingest::worker::Isolation {
            exe: PathBuf::from("/bin/true"),
            memory_limit: 1 << 30,
            timeout: Duration::from_secs(60),
        };
        let opts = IngestOptions {
            isolation: Some(&iso),
            ..IngestOptions::default()
        };
        // A small setup: the worker takes it and is gone before it answers (the file is
        // unreadable, with the reason), or is gone before it takes it (no worker: the file
        // is read in this process). Either way every file is accounted for.
        let ing = ingest::ingest(&ws, &catalogue(), &files, &opts);
        assert_eq!(ing.files.len(), 4);
        assert!(ing.findings.iter().all(|f| matches!(
            f.detail(),
            Message::WorkerFailed {
                failure: svcreport::findings::WorkerFailure::Exit { code: 0 }
            }
        )));
        assert_eq!(ing.findings.len() + ing.dataset.incidents.len(), 4);
        // A setup larger than a pipe holds: writing it fails, no worker starts, and the files
        // are read in this process.
        let mut cat = catalogue();
        for i in 0..20_000 {
            cat.customers.push(svcreport::model::catalogue::Customer {
                id: format!("c{i}"),
                name: format!("客户 {i}"),
                name_en: None,
                recipients: vec![],
            });
        }
        let ing = ingest::ingest(&ws, &cat, &files, &opts);
        assert_eq!(ing.dataset.incidents.len(), 4, "{:?}", ing.findings);
        println!("run survived");
        return;
    }
    let o = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hostile::a_worker_gone_before_it_reads_costs_its_file_not_the_run",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SVCREPORT_TEST_SIGPIPE_CHILD", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("run survived"),
        "{:?}\n{out}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

// ---------------------------------------------------------------------------------------
// Text that renders; terminal output

/// Ids with 😀, 𠀀 and U+202E: `check` warns (value.unprintable, value.invisible) and `run`
/// still yields every report, the characters shown as `[U+…]` in both editions.
#[test]
fn an_emoji_id_warns_and_every_report_is_still_made() {
    let dir = support::demo();
    let ws = dir.path();
    let path = ws.join("inbox/2026-10/incidents.xlsx");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..z.len() {
        use std::io::Read;
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        entries.push((f.name().unwrap().to_string(), b));
    }
    let mut changed = 0;
    for (name, b) in &mut entries {
        if name == "xl/sharedStrings.xml" {
            let mut s = String::from_utf8(b.clone()).unwrap();
            // Every ticket id gets the three characters (some of them miss their SLA and
            // are listed in the reports).
            let re_start = "<t>INC";
            while let Some(at) = s[..].find(re_start) {
                let end = s[at..].find("</t>").unwrap() + at;
                let id = s[at + 3..end].to_string();
                s.replace_range(at..end + 4, &format!("<t>X{id}😀𠀀\u{202E}{changed}</t>"));
                changed += 1;
            }
            *b = s.into_bytes();
        }
    }
    assert!(changed > 100, "{changed}");
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    std::fs::write(&path, crate::support::zip_of(&refs)).unwrap();
    let o = support::sv(
        ws,
        "2026-11-03 10:00",
        &["--format", "json", "check", "--period", "2026-10"],
    );
    let v = support::json(&o);
    assert_eq!(o.status.code(), Some(0), "{}", support::text(&o));
    let n = |code: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .count()
    };
    assert!(n("value.unprintable") > 0 && n("value.invisible") > 0);
    let o = support::sv(ws, "2026-11-03 10:00", &["run", "--period", "2026-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", support::text(&o));
    let out = ws.join("out/2026-10");
    let mut docs: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    docs.sort();
    let clean = support::demo();
    let o = support::sv(
        clean.path(),
        "2026-11-03 10:00",
        &["run", "--period", "2026-10"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", support::text(&o));
    let mut want: Vec<String> = std::fs::read_dir(clean.path().join("out/2026-10"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    want.sort();
    assert_eq!(docs, want, "every report of the clean run");
    // The xlsx edition shows the codes where a listed ticket has them.
    use calamine::Reader;
    let mut found = false;
    for d in docs.iter().filter(|d| d.ends_with(".xlsx")) {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join(d)).unwrap();
        for s in wb.sheet_names() {
            let r = wb.worksheet_range(&s).unwrap();
            found |= r
                .used_cells()
                .any(|(_, _, c)| c.to_string().contains("[U+1F600][U+20000][U+202E]"));
            assert!(!r.used_cells().any(|(_, _, c)| c.to_string().contains('😀')));
        }
    }
    assert!(found, "a listed ticket shows its codes");
}

/// File names and cells with a newline, ESC or U+202E: the text output shows them as
/// `<U+…>` (no forged line, no escape sequence); the JSON keeps them as they are.
#[test]
fn terminal_output_escapes_control_characters() {
    let dir = check_workspace();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let rows = format!(
        r#"{}<row r="2"><c r="A2" t="inlineStr"><is><t>INC-1&#x1b;[2J</t></is></c><c r="B2" t="inlineStr"><is><t>nobody&#x1b;[31m</t></is></c><c r="C2" t="s"><v>7</v></c><c r="D2" t="s"><v>8</v></c><c r="E2"><v>46296.5</v></c></row>"#,
        header(HEADER_REFS)
    );
    let name = "a\nerror[ok]: all good\u{202E}.xlsx";
    std::fs::write(
        inbox.join(name),
        raw_xlsx(ONE_SHEET, &sheet_xml(&rows), &sst(&[], None)),
    )
    .unwrap();
    let o = support::sv(dir.path(), "2026-11-03 10:00", &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", support::text(&o));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202E}'),
        "{out:?}"
    );
    assert!(
        !out.lines().any(|l| l.starts_with("error[ok]")),
        "a forged line:\n{out}"
    );
    assert!(
        out.contains("a<U+000A>error[ok]: all good<U+202E>.xlsx"),
        "{out}"
    );
    assert!(out.contains("nobody<U+001B>[31m"), "{out}");
    let o = support::sv(
        dir.path(),
        "2026-11-03 10:00",
        &["--format", "json", "check"],
    );
    let v = support::json(&o);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == format!("inbox/{name}")
                && f["message"].as_str().unwrap().contains("nobody\u{1b}[31m"))
    );
}

// ---------------------------------------------------------------------------------------
// The inbox stays inside the workspace

/// `inbox/x.xlsx -> /etc/passwd` and a folder link to workbooks outside: not read, not
/// archived, one `ingest.symlink` each; with `follow_symlinks = true` a link inside the
/// workspace is read and the ones leading out still are not.
#[test]
fn symlinks_in_the_inbox_are_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = support::demo();
    let ws = dir.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(
        ws.join("inbox/2026-10/incidents.xlsx"),
        outside.path().join("extra.xlsx"),
    )
    .unwrap();
    symlink("/etc/passwd", ws.join("inbox/2026-10/x.xlsx")).unwrap();
    symlink(outside.path(), ws.join("inbox/ext")).unwrap();
    std::fs::create_dir_all(ws.join("other")).unwrap();
    std::fs::copy(
        ws.join("inbox/2026-10/surveys.xlsx"),
        ws.join("other/kept.xlsx"),
    )
    .unwrap();
    symlink(
        "../../other/kept.xlsx",
        ws.join("inbox/2026-10/inside.xlsx"),
    )
    .unwrap();
    symlink("nowhere.xlsx", ws.join("inbox/2026-10/broken.xlsx")).unwrap();
    let o = support::sv(
        ws,
        "2026-11-03 10:00",
        &["--format", "json", "check", "--period", "2026-10"],
    );
    let v = support::json(&o);
    let links = |v: &serde_json::Value| -> Vec<(String, String)> {
        let mut l: Vec<(String, String)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "ingest.symlink")
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        l.sort();
        l
    };
    let l = links(&v);
    let names: Vec<&str> = l.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        names,
        [
            "inbox/2026-10/broken.xlsx",
            "inbox/2026-10/inside.xlsx",
            "inbox/2026-10/x.xlsx",
            "inbox/ext"
        ]
    );
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        !files
            .iter()
            .any(|f| f.contains("x.xlsx") || f.contains("ext/") || f.contains("inside"))
    );
    assert_eq!(o.status.code(), Some(1), "a link not read is an error");
    // The batch archives no link.
    let o = support::sv(ws, "2026-11-03 10:00", &["run", "--period", "2026-10"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        support::text(&o)
    );
    let passwd = std::fs::read("/etc/passwd").unwrap();
    let sha = svcreport::archive::sha256_hex(&passwd);
    let archive = svcreport::archive::Archive::new(ws);
    assert!(!archive.contains(&sha), "/etc/passwd was archived");
    // follow_symlinks = true: the link inside the workspace is read; the others are not.
    let toml = std::fs::read_to_string(ws.join("svcreport.toml")).unwrap();
    std::fs::write(
        ws.join("svcreport.toml"),
        toml.replace(
            "output = \"out\"",
            "output = \"out\"\nfollow_symlinks = true",
        ),
    )
    .unwrap();
    let o = support::sv(
        ws,
        "2026-11-03 10:00",
        &["--format", "json", "check", "--period", "2026-10"],
    );
    let v = support::json(&o);
    let l = links(&v);
    let names: Vec<&str> = l.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        names,
        [
            "inbox/2026-10/broken.xlsx",
            "inbox/2026-10/x.xlsx",
            "inbox/ext"
        ]
    );
    assert!(l[1].1.contains("outside the workspace") && l[2].1.contains("outside the workspace"));
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == "inbox/2026-10/inside.xlsx" && f["readable"] == true)
    );
}

// ---------------------------------------------------------------------------------------
// Every regression case the fuzz harness kept

/// Every failing input the fuzz harness (`examples/fuzz.rs`) kept under `tests/hostile/`,
/// minimised: each is now read within 1 GiB and 60 s, with a report and no reader panic.
#[test]
fn every_fuzz_regression_case_is_read_within_bounds() {
    let dir = support::repo().join("tests/hostile");
    let mut n = 0;
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("xlsx" | "xls" | "xlsb" | "ods")
            )
        })
        .collect();
    cases.sort();
    for p in cases {
        let bytes = std::fs::read(&p).unwrap();
        let name = format!("case.{}", p.extension().unwrap().to_string_lossy());
        let _ = assert_bounded(&name, &bytes);
        n += 1;
    }
    // The harness's own seeds are there too (the test would pass vacuously without cases).
    assert!(dir.join("seeds/incidents.xls").is_file());
    eprintln!("{n} regression cases");
}

//! Integration tests: pdf — `render::pdf::render` on a rich hand-built report, checked with
//! the poppler tools and qpdf (each tool-based check is skipped with a note if the tool is
//! absent; CI installs them).

#[path = "pdf/fixture.rs"]
pub mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use svcreport::render::RenderOptions;
use svcreport::render::pdf::{PdfError, render};
use svcreport::report::doc::{Block, Cell, DocStatus, ReportDoc};

/// The run's time, 2026-11-03 10:05 in Shanghai.
fn created() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-03T10:05:00+08:00").expect("a time")
}

fn opts() -> RenderOptions {
    RenderOptions {
        created: Some(created()),
        template: "customer-zh".into(),
        ..RenderOptions::default()
    }
}

/// The draft fixture rendered once for all tests (debug renders are slow).
fn draft_pdf() -> &'static (tempfile::TempDir, PathBuf, Vec<u8>) {
    static PDF: OnceLock<(tempfile::TempDir, PathBuf, Vec<u8>)> = OnceLock::new();
    PDF.get_or_init(|| {
        let bytes = render(&fixture::report(120), &opts()).expect("the fixture renders");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("draft.pdf");
        std::fs::write(&path, &bytes).expect("write pdf");
        if let Ok(keep) = std::env::var("SVCREPORT_KEEP_PDF") {
            std::fs::write(keep, &bytes).expect("keep pdf");
        }
        (dir, path, bytes)
    })
}

fn approved_doc() -> ReportDoc {
    let mut doc = fixture::report(20);
    doc.meta.status = DocStatus::Approved;
    doc.meta.version = "1.1".into();
    doc.meta.reviewed_at = Some("2026-11-04T09:30:00".into());
    doc.meta.approved_at = Some("2026-11-05T16:20:00".into());
    doc.meta.supersedes = Some("1.0".into());
    doc
}

/// Run `tool args… path`, or `None` (with a note) when the tool is not installed.
fn tool(name: &str, args: &[&str], path: &Path) -> Option<(bool, String)> {
    match Command::new(name).args(args).arg(path).output() {
        Ok(out) => Some((
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )),
        Err(e) => {
            eprintln!("note: `{name}`: {e}");
            crate::support::tool_missing(name);
            None
        }
    }
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            eprintln!("note: pdftotext: {e}");
            crate::support::tool_missing("pdftotext");
            None
        }
    }
}

#[test]
fn pdf_starts_as_pdf_and_is_small() {
    let (_, _, bytes) = draft_pdf();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.ends_with(b"%%EOF\n"));
    assert!(bytes.len() < 300_000, "{} bytes", bytes.len());
}

fn dense_has(text: &str, needle: &str) -> bool {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .contains(needle)
}

/// `Key: value` lines (pdfinfo's layout) as a map of trimmed values.
fn fields(out: &str) -> std::collections::BTreeMap<String, String> {
    out.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn page_count(path: &Path) -> Option<usize> {
    let (_, info) = tool("pdfinfo", &[], path)?;
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
fn extracted_text_has_the_reports_chinese_strings_verbatim() {
    let (_, path, _) = draft_pdf();
    let Some(text) = pdftotext(path) else { return };
    let joined: String = text.chars().filter(|&c| c != '\n').collect();
    for s in [
        fixture::TITLE,
        fixture::PARTY,
        "服务级别汇总",
        "可用性",
        "事件管理",
        "未达标事项与改进",
        "附录：数据核对",
        "未达标",
        "网络专线可用性（供应商）",
        "2026年10月",
    ] {
        assert!(text.contains(s), "{s:?} not in the extracted text");
    }
    // CJK–Latin auto-spacing is off: the model's strings come back unchanged.
    assert!(!text.contains("2026 年 10 月"));
    assert!(
        joined.contains(fixture::ZH_PARAGRAPH),
        "Chinese paragraph not verbatim"
    );
    // Narrow spaces between CJK and digits are not extracted as spaces by pdftotext.
    let dense: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(dense.contains("第1页/共"), "page label");
    // Every one of the 120 rows is there.
    for i in 1..=120 {
        let id = format!("INC-2026-10-{i:04}");
        assert!(text.contains(&id), "{id} missing");
    }
}

#[test]
fn every_page_has_header_footer_and_draft_mark_and_long_tables_repeat_their_header() {
    let (_, path, _) = draft_pdf();
    let Some(pages) = page_count(path) else {
        return;
    };
    assert!(pages >= 6, "the fixture spans several pages, got {pages}");
    let mut header_rows = 0;
    for n in 1..=pages {
        let out = Command::new("pdftotext")
            // -raw: content-stream order, so the rotated draft mark reads as one word.
            .args([
                "-raw",
                "-enc",
                "UTF-8",
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
            ])
            .arg(path)
            .arg("-")
            .output()
            .expect("pdftotext ran before");
        let page = String::from_utf8_lossy(&out.stdout);
        assert!(
            page.contains("SR-HDDW-2026-10"),
            "page {n}: no document number"
        );
        assert!(dense_has(&page, "版本1.0"), "page {n}: no version");
        let dense: String = page.chars().filter(|c| !c.is_whitespace()).collect();
        let label = format!("第{n}页/共{pages}页");
        assert!(dense.contains(&label), "page {n}: no {label:?}");
        assert!(page.contains("DRAFT"), "page {n}: no draft mark");
        if page.contains("INC-2026-10-") && page.contains("事件编号") {
            header_rows += 1;
        }
    }
    assert!(
        header_rows >= 3,
        "incident table header repeated on {header_rows} pages"
    );
}

#[test]
fn approved_reports_carry_no_draft_mark_and_date_from_approval() {
    let bytes = render(&approved_doc(), &opts()).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("approved.pdf");
    std::fs::write(&path, &bytes).expect("write");
    if let Some(text) = pdftotext(&path) {
        assert!(!text.contains("DRAFT"), "approved report shows DRAFT");
        assert!(!text.contains("草稿"), "approved report shows 草稿");
        assert!(text.contains("已批准"), "status label on cover and footer");
        assert!(
            text.contains("2026-11-05 16:20"),
            "approval date in the document block"
        );
    }
    if let Some((_, info)) = tool("pdfinfo", &["-isodates"], &path) {
        assert_eq!(
            fields(&info)["CreationDate"],
            "2026-11-05T16:20:00+08",
            "{info}"
        );
    }
    if let Some((_, custom)) = tool("pdfinfo", &["-custom"], &path) {
        let f = fields(&custom);
        for (k, v) in [
            ("Status", "approved"),
            ("Version", "1.1"),
            ("ApprovedAt", "2026-11-05T16:20:00"),
            ("ReviewedAt", "2026-11-04T09:30:00"),
            ("Supersedes", "1.0"),
        ] {
            assert_eq!(f.get(k).map(String::as_str), Some(v), "{k} in\n{custom}");
        }
    }
}

#[test]
fn pdffonts_shows_every_font_embedded_and_subset() {
    let (_, path, _) = draft_pdf();
    let Some((ok, out)) = tool("pdffonts", &[], path) else {
        return;
    };
    assert!(ok, "{out}");
    let fonts: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(fonts.len() >= 2, "regular and bold expected:\n{out}");
    for line in fonts {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // name type… emb sub uni object ID
        let n = cols.len();
        assert!(n >= 7, "{line}");
        assert_eq!(
            (cols[n - 5], cols[n - 4]),
            ("yes", "yes"),
            "not embedded+subset: {line}"
        );
        let name = cols[0];
        assert!(
            name.len() > 7
                && name.as_bytes()[6] == b'+'
                && name[..6].bytes().all(|b| b.is_ascii_uppercase()),
            "no subset tag: {name}"
        );
        assert!(name.contains("NotoSansCJKsc"), "{name}");
    }
}

#[test]
fn pdfinfo_shows_the_metadata_custom_keys_and_pdfa_xmp() {
    let (_, path, _) = draft_pdf();
    if let Some((ok, info)) = tool("pdfinfo", &["-isodates"], path) {
        assert!(ok, "{info}");
        let f = fields(&info);
        for (k, v) in [
            (
                "Title",
                "服务级别月度报告 2026年10月 Monthly Service Level Report, October 2026",
            ),
            ("Author", "张伟"),
            ("Subject", "华东电网有限公司 · 2026年10月 · 信息运维中心"),
            (
                "Keywords",
                "SR-HDDW-2026-10, customer-monthly, 2026-10, 华东电网有限公司",
            ),
            ("Creator", "svcreport 0.1.0"),
            ("CreationDate", "2026-11-03T10:05:00+08"),
            ("Tagged", "no"),
            ("Page size", "595.276 x 841.89 pts (A4)"),
        ] {
            assert_eq!(f.get(k).map(String::as_str), Some(v), "{k} in\n{info}");
        }
    }
    if let Some((_, custom)) = tool("pdfinfo", &["-custom"], path) {
        let f = fields(&custom);
        for (k, v) in [
            ("DocNumber", "SR-HDDW-2026-10"),
            ("Version", "1.0"),
            ("Status", "draft"),
            ("Compiler", "张伟"),
            ("Reviewer", "李娜"),
            ("Approver", "王建国"),
            ("ReviewedAt", ""),
            ("GeneratedAt", "2026-11-03T10:05:00"),
            (
                "ContentHash",
                "9f2c4a1be07d3c55a8e61f0d2b7c9e4413a5f6d8c0b1e2f3a4b5c6d7e8f90123",
            ),
        ] {
            assert_eq!(f.get(k).map(String::as_str), Some(v), "{k} in\n{custom}");
        }
    }
    if let Some((_, xmp)) = tool("pdfinfo", &["-meta"], path) {
        assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
        assert!(
            xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
            "{xmp}"
        );
        assert!(xmp.contains("服务级别月度报告"), "title in XMP");
        assert!(xmp.contains("2026-11-03T10:05:00"), "date in XMP");
    }
}

#[test]
fn qpdf_check_is_clean() {
    let (_, path, _) = draft_pdf();
    let Some((ok, out)) = tool("qpdf", &["--check"], path) else {
        return;
    };
    assert!(ok, "{out}");
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");
}

#[test]
fn page_one_renders_to_an_image() {
    let (dir, path, _) = draft_pdf();
    let prefix = dir.path().join("page");
    let Some((ok, out)) = tool(
        "pdftoppm",
        &["-png", "-r", "40", "-f", "1", "-l", "1"],
        path,
    )
    .map(|_| {
        let o = Command::new("pdftoppm")
            .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
            .arg(path)
            .arg(&prefix)
            .output()
            .expect("pdftoppm ran before");
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }) else {
        return;
    };
    assert!(ok, "{out}");
    let png = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("page"))
        .expect("a PNG was written");
    let bytes = std::fs::read(png.path()).expect("png");
    assert!(bytes.starts_with(b"\x89PNG"));
    assert!(
        bytes.len() > 5_000,
        "page 1 is not blank ({} bytes)",
        bytes.len()
    );
}

#[test]
fn rendering_twice_gives_identical_bytes_and_the_version_changes_them() {
    let (_, _, first) = draft_pdf();
    let again = render(&fixture::report(120), &opts()).expect("renders");
    assert!(first == &again, "two renders differ");
    let mut doc = fixture::report(120);
    doc.meta.version = "1.1".into();
    let other = render(&doc, &opts()).expect("renders");
    assert_ne!(first, &other);
}

#[test]
fn a_character_no_font_has_is_an_error_naming_it_and_its_cell() {
    let mut doc = fixture::report(10);
    let Block::Table(t) = &mut doc.sections[2].blocks[3] else {
        panic!("fixture: incident table")
    };
    t.rows[6][3] = Cell::Text {
        text: "打印机 \u{10C80} 故障".into(),
    };
    let err = render(&doc, &opts()).expect_err("Old Hungarian is in no font");
    match &err {
        PdfError::MissingGlyph {
            ch,
            codepoint,
            context,
        } => {
            assert_eq!(*ch, '\u{10C80}');
            assert_eq!(*codepoint, 0x10C80);
            assert!(context.contains("`incidents`"), "{context}");
            assert!(context.contains("row 7"), "{context}");
            assert!(context.contains("`summary` (摘要)"), "{context}");
            assert!(context.contains("打印机"), "{context}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("U+10C80"), "{err}");

    let mut doc = fixture::report(10);
    doc.labels
        .map
        .insert("draft_mark".into(), "\u{10FFFD}".into());
    let err = render(&doc, &opts()).expect_err("private use plane");
    assert!(err.to_string().contains("U+10FFFD"), "{err}");
    assert!(err.to_string().contains("label `draft_mark`"), "{err}");
}

/// A word and its box: xMin, yMin, xMax, yMax (points from the top left of the page), text.
type Word = (f64, f64, f64, f64, String);

/// Words of page `page` with their boxes, from `pdftotext -bbox`.
fn words(path: &Path, page: usize) -> Option<Vec<Word>> {
    let n = page.to_string();
    let out = match Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8", "-f", &n, "-l", &n])
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("note: pdftotext: {e}");
            crate::support::tool_missing("pdftotext");
            return None;
        }
    };
    assert!(out.status.success(), "pdftotext -bbox failed");
    let out = String::from_utf8_lossy(&out.stdout);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    Some(
        out.lines()
            .filter(|l| l.trim_start().starts_with("<word "))
            .map(|l| {
                let text = l.split('>').nth(1).unwrap().split('<').next().unwrap();
                (
                    attr(l, "xMin"),
                    attr(l, "yMin"),
                    attr(l, "xMax"),
                    attr(l, "yMax"),
                    text.to_string(),
                )
            })
            .collect(),
    )
}

/// The words of the first line of `page`'s body, below the page header (the header's words sit
/// at about 34–42 pt from the top, the body's first line at about 66 pt).
fn first_body_line(path: &Path, page: usize) -> Option<Vec<String>> {
    let words = words(path, page)?;
    let body: Vec<&Word> = words.iter().filter(|w| w.1 > 50.0).collect();
    let top = body.iter().map(|w| w.1).fold(f64::INFINITY, f64::min);
    Some(
        body.iter()
            .filter(|w| w.1 - top < 3.0)
            .map(|w| w.4.clone())
            .collect(),
    )
}

/// The pages after the contents page whose body starts with chapter heading `title`.
fn chapter_starts(path: &Path, title: &str) -> Option<Vec<usize>> {
    let pages = page_count(path)?;
    let mut out = vec![];
    for n in 3..=pages {
        if first_body_line(path, n)?.iter().any(|w| w == title) {
            out.push(n);
        }
    }
    Some(out)
}

#[test]
fn a_chapter_with_a_long_table_starts_a_page_and_so_does_the_chapter_after_it() {
    // 120 incident rows: more than a page, so chapter 3 and chapter 4 each open a page.
    let (_, long, _) = draft_pdf();
    let Some(incidents) = chapter_starts(long, "事件管理") else {
        return;
    };
    assert_eq!(
        incidents.len(),
        1,
        "chapter 3 opens one page: {incidents:?}"
    );
    let after = chapter_starts(long, "未达标事项与改进").expect("pdftotext ran before");
    assert_eq!(after.len(), 1, "chapter 4 opens one page: {after:?}");
    assert!(after[0] > incidents[0] + 2, "{incidents:?} {after:?}");
    // The chapter before runs on where it is (chapter 1 follows the contents on page 2).
    assert_eq!(chapter_starts(long, "服务级别汇总"), Some(vec![]));

    // 20 rows fit on a page: chapter 3 follows chapter 2 on its page, chapter 4 follows it.
    let bytes = render(&fixture::report(20), &opts()).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let short = dir.path().join("short.pdf");
    std::fs::write(&short, &bytes).expect("write");
    for title in ["事件管理", "未达标事项与改进"] {
        assert_eq!(chapter_starts(&short, title), Some(vec![]), "{title}");
        // (The heading is there, as one word, below other text of its page.)
        let pages = page_count(&short).expect("pdfinfo ran before");
        let found = (3..=pages).any(|n| {
            let words = words(&short, n).expect("pdftotext ran before");
            words.iter().any(|w| w.4 == title)
        });
        assert!(found, "{title} not on a page after the contents");
    }
}

#[test]
fn a_table_of_40_rows_keeps_the_flow_and_one_of_41_starts_its_chapter_on_a_page() {
    let starts = |rows: usize| {
        let bytes = render(&fixture::report(rows), &opts()).expect("renders");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rows.pdf");
        std::fs::write(&path, &bytes).expect("write");
        chapter_starts(&path, "事件管理")
    };
    let Some(forty) = starts(40) else { return };
    assert_eq!(forty, Vec::<usize>::new(), "40 rows");
    assert_eq!(starts(41).map(|p| p.len()), Some(1), "41 rows");
}

#[test]
fn long_chinese_text_wraps_inside_its_narrow_column_and_numbers_align_right() {
    use svcreport::report::doc::{Align, Column, Section, Table};
    const LONG: &str = "这是一段很长的中文说明文字用于检验窄列中的自动换行是否仍然发生在本列之内";
    let col = |key: &str, label: &str, align: Align, width: f32| Column {
        key: key.into(),
        label: label.into(),
        align,
        width,
    };
    let text = |s: &str| Cell::Text { text: s.into() };
    let num = |s: &str| Cell::Number {
        value: 0.0,
        text: s.into(),
        decimals: 2,
        percent: false,
    };
    let mut doc = fixture::report(0);
    doc.sections = vec![Section {
        id: "wrap".into(),
        title: "换行".into(),
        blocks: vec![Block::Table(Table {
            id: "wrap".into(),
            title: None,
            columns: vec![
                col("id", "编号", Align::Left, 1.0),
                col("note", "说明", Align::Left, 0.6),
                col("more", "备注", Align::Left, 3.0),
                col("value", "数值", Align::Right, 1.0),
            ],
            rows: vec![
                vec![text("A-1"), text(LONG), text("短"), num("1.50")],
                vec![text("A-2"), text("短"), text("短"), num("12345.67")],
            ],
        })],
    }];
    let bytes = render(&doc, &opts()).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("wrap.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let Some(words) = words(&path, 2) else { return };
    let find = |t: &str| {
        words
            .iter()
            .find(|w| w.4 == t)
            .unwrap_or_else(|| panic!("{t:?} not on page 2: {words:?}"))
            .clone()
    };
    // The column runs from its header's left edge to the next header's left edge less the
    // two cell paddings (1.5 mm each, 8.5 pt in all).
    let (left, right) = (find("说明").0, find("备注").0 - 8.5);
    let header_bottom = find("说明").3;
    let pieces: Vec<_> = words
        .iter()
        .filter(|w| w.1 > header_bottom && LONG.contains(w.4.as_str()) && w.4 != "短")
        .collect();
    assert_eq!(
        pieces.iter().map(|w| w.4.as_str()).collect::<String>(),
        LONG,
        "the long text, verbatim and in order: {pieces:?}"
    );
    assert!(pieces.len() >= 4, "wrapped onto several lines: {pieces:?}");
    for w in &pieces {
        assert!(
            w.0 >= left - 0.5 && w.2 <= right + 0.5,
            "{w:?} outside its column {left}..{right}"
        );
    }
    // Right-aligned numbers end at the same x, whatever their width.
    let (a, b) = (find("1.50"), find("12345.67"));
    assert!((a.2 - b.2).abs() < 0.5, "{a:?} {b:?}");
    assert!(b.0 > find("备注").0, "{b:?}");
}

fn template_dir(name: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(name), body).expect("write template");
    dir
}

#[test]
fn a_template_file_in_the_workspace_overrides_the_built_in_layout() {
    let dir = template_dir(
        "customer-zh.typ",
        "#import \"report.typ\": report\n#report(json(\"/data.json\"), kind: \"supplier\")\n",
    );
    let o = RenderOptions {
        template_dir: dir.path().to_path_buf(),
        ..opts()
    };
    let bytes = render(&fixture::report(5), &o).expect("override renders");
    let path = dir.path().join("o.pdf");
    std::fs::write(&path, bytes).expect("write");
    if let Some(text) = pdftotext(&path) {
        assert!(
            text.contains("供应商"),
            "the supplier party label of the override"
        );
        assert!(!text.contains("客户\n"), "not the customer label");
    }
}

#[test]
fn typst_warnings_and_errors_fail_the_render_with_their_location() {
    let dir = template_dir(
        "customer-zh.typ",
        "#set text(font: \"No Such Font\")\nHello\n",
    );
    let o = RenderOptions {
        template_dir: dir.path().to_path_buf(),
        ..opts()
    };
    let err = render(&fixture::report(1), &o).expect_err("unknown font is a warning");
    assert!(matches!(err, PdfError::Warnings { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("customer-zh.typ"), "{msg}");
    assert!(msg.contains("/main.typ:1:"), "{msg}");
    assert!(msg.contains("unknown font family"), "{msg}");

    let dir = template_dir("customer.typ", "Hello\n#let x = \n");
    let o = RenderOptions {
        template_dir: dir.path().to_path_buf(),
        ..opts()
    };
    let err = render(&fixture::report(1), &o).expect_err("syntax error");
    assert!(matches!(err, PdfError::Compile { .. }), "{err}");
    assert!(err.to_string().contains("/main.typ:2:"), "{err}");

    // A character the layout itself prints is caught after layout.
    let dir = template_dir("customer.typ", "Hello \u{10C80}\n");
    let o = RenderOptions {
        template_dir: dir.path().to_path_buf(),
        ..opts()
    };
    let err = render(&fixture::report(1), &o).expect_err("template glyph");
    match err {
        PdfError::MissingGlyph { ch, context, .. } => {
            assert_eq!(ch, '\u{10C80}');
            assert!(context.contains("layout"), "{context}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn tagged_pdf_is_an_option() {
    let o = RenderOptions {
        tagged_pdf: true,
        ..opts()
    };
    let bytes = render(&fixture::report(5), &o).expect("tagged renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.pdf");
    std::fs::write(&path, bytes).expect("write");
    if let Some((_, info)) = tool("pdfinfo", &[], &path) {
        assert!(info.contains("Tagged:          yes"), "{info}");
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let mut doc = fixture::report(1);
    doc.meta.generated_at = "yesterday".into();
    let o = RenderOptions {
        created: None,
        ..opts()
    };
    let err = render(&doc, &o).expect_err("no usable date");
    assert!(err.to_string().contains("yesterday"), "{err}");
    // The run's time stands in, with the workspace's true UTC offset (no more a local
    // time marked Z).
    let bytes = render(&doc, &opts()).expect("the run's time is the date");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("created.pdf");
    std::fs::write(&path, bytes).expect("write");
    if let Some((_, info)) = tool("pdfinfo", &["-isodates"], &path) {
        assert_eq!(
            fields(&info)["CreationDate"],
            "2026-11-03T10:05:00+08",
            "{info}"
        );
    }

    let mut doc = fixture::report(1);
    doc.style.met = "green".into();
    let err = render(&doc, &opts()).expect_err("bad colour");
    assert!(err.to_string().contains("style.met"), "{err}");

    let o = RenderOptions {
        fonts: vec![PathBuf::from("/nonexistent/corporate.ttf")],
        ..opts()
    };
    let err = render(&fixture::report(1), &o).expect_err("missing font file");
    assert!(
        err.to_string().contains("/nonexistent/corporate.ttf"),
        "{err}"
    );

    // Ragged rows and an empty table still render.
    let mut doc = fixture::report(3);
    let Block::Table(t) = &mut doc.sections[2].blocks[3] else {
        panic!("fixture: incident table")
    };
    t.rows[0].truncate(2);
    t.rows[1].push(Cell::Text {
        text: "extra".into(),
    });
    doc.sections[4]
        .blocks
        .push(Block::Table(svcreport::report::doc::Table {
            id: "empty".into(),
            title: None,
            columns: vec![],
            rows: vec![],
        }));
    render(&doc, &opts()).expect("ragged rows render");
}

/// The report builder's golden documents (`tests/golden/report/*.json`, real `report::build`
/// output for each built-in template) all render, with their own layout.
#[test]
fn the_report_builders_documents_render_in_every_layout() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/report");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} absent; check skipped", dir.display());
        return;
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for path in names {
        let json = std::fs::read_to_string(&path).expect("golden readable");
        let doc: ReportDoc = serde_json::from_str(&json).expect("golden is a ReportDoc");
        let template = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let o = RenderOptions {
            template: template.clone(),
            ..opts()
        };
        let bytes = render(&doc, &o).unwrap_or_else(|e| panic!("{template}: {e}"));
        let out = std::env::temp_dir().join(format!("svcreport-pdf-golden-{template}.pdf"));
        std::fs::write(&out, &bytes).expect("write");
        if let Some(text) = pdftotext(&out) {
            let dense: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for s in [&doc.meta.title, &doc.meta.party, &doc.meta.doc_number] {
                let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                assert!(dense.contains(&s), "{template}: {s:?} missing");
            }
            for section in &doc.sections {
                let s: String = section
                    .title
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                assert!(dense.contains(&s), "{template}: section {s:?} missing");
            }
        }
    }
}

#[test]
fn an_english_document_gets_english_built_in_labels() {
    let mut doc: ReportDoc =
        serde_json::from_str(include_str!("pdf/minimal-doc.json")).expect("minimal doc");
    doc.meta.language = "en".into();
    doc.meta.title = "Minimal Report".into();
    let bytes = render(&doc, &opts()).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("en.pdf");
    std::fs::write(&path, bytes).expect("write");
    let Some(text) = pdftotext(&path) else { return };
    for s in [
        "Minimal Report",
        "Page 1 of 2",
        "Document control",
        "Contents",
        "Draft",
        "不适用",
    ] {
        assert!(text.contains(s), "{s:?} not in\n{text}");
    }
}

/// A 4×2 PNG (stored zlib block), built here so the test shows its data.
fn tiny_png() -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let (w, h) = (4u32, 2u32);
    // Each row: filter byte 0 (none), then blue/orange RGB pixels.
    let row: Vec<u8> = std::iter::once(0u8)
        .chain((0..w).flat_map(|x| {
            if x % 2 == 0 {
                [0x1F, 0x4E, 0x79]
            } else {
                [0xEF, 0x8C, 0x00]
            }
        }))
        .collect();
    let raw: Vec<u8> = (0..h).flat_map(|_| row.iter().copied()).collect();
    let mut z = vec![0x78, 0x01, 1];
    z.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn the_styles_logo_is_drawn_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, tiny_png()).expect("write logo");
    let mut doc = fixture::report(3);
    doc.style.logo = Some(logo.display().to_string());
    let bytes = render(&doc, &opts()).expect("renders with a logo");
    let path = dir.path().join("logo.pdf");
    std::fs::write(&path, &bytes).expect("write");
    if let Some((ok, out)) = tool("pdfimages", &["-list"], &path) {
        assert!(ok, "{out}");
        assert!(
            out.lines().any(|l| l.contains("  4     2  ")),
            "the 4×2 logo image:\n{out}"
        );
    }
    doc.style.logo = Some(dir.path().join("missing.png").display().to_string());
    let err = render(&doc, &opts()).expect_err("missing logo");
    assert!(err.to_string().contains("missing.png"), "{err}");
    doc.style.logo = Some(dir.path().join("logo.gif").display().to_string());
    let err = render(&doc, &opts()).expect_err("unsupported format");
    assert!(matches!(err, PdfError::LogoFormat { .. }), "{err}");
}

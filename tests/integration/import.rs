//! Integration tests: what ticketing tools export (issue 17): CSV and TSV in their
//! encodings, gzip, places as `line:column`.

use std::io::Write;

use svcreport::findings::{Code, FileCount, Severity};
use svcreport::ingest::{self, IngestOptions, Ingested};
use svcreport::model::catalogue::*;
use svcreport::model::records::Priority;
use svcreport::sample::{Cell, SheetData, workbook_bytes};

fn catalogue() -> Catalogue {
    Catalogue {
        customers: vec![Customer {
            id: "acme".into(),
            name: "安科美科技有限公司".into(),
            name_en: Some("ACME Technology Co., Ltd.".into()),
            recipients: vec![],
        }],
        services: vec![Service {
            id: "erp".into(),
            name: "ERP 系统".into(),
            name_en: None,
            calendar: "7x24".into(),
            customers: vec!["acme".into()],
        }],
        ..Catalogue::default()
    }
}

/// Nothing lost: read == accepted + rejected + blank + superseded, for every sheet.
fn assert_reconciles(files: &[FileCount]) {
    for f in files {
        for s in &f.sheets {
            assert_eq!(
                s.read,
                s.accepted + s.rejected + s.blank + s.superseded,
                "{} '{}': {s:?}",
                f.file,
                s.sheet
            );
        }
    }
}

fn read(name: &str, bytes: &[u8]) -> Ingested {
    let ing = ingest::read_bytes(name, bytes, &catalogue(), &IngestOptions::default());
    assert_reconciles(&ing.files);
    ing
}

/// The incidents of a read, without their source places (file names differ).
fn records(ing: &Ingested) -> Vec<String> {
    ing.dataset
        .incidents
        .iter()
        .map(|i| {
            format!(
                "{} {} {} {:?} {} {:?} {:?} {}",
                i.id,
                i.customer,
                i.service,
                i.priority,
                i.opened,
                i.resolved,
                i.status,
                i.paused_secs
            )
        })
        .collect()
}

const ROWS: &[[&str; 7]] = &[
    [
        "工单号",
        "客户",
        "服务",
        "优先级",
        "报告时间",
        "解决时间",
        "状态",
    ],
    [
        "INC-1",
        "安科美科技有限公司",
        "ERP 系统",
        "P1",
        "2026-10-01 08:00",
        "2026-10-01 09:30",
        "已解决",
    ],
    [
        "INC-2",
        "acme",
        "erp",
        "高",
        "2026-10-02 10:00",
        "2026-10-02 18:00",
        "已关闭",
    ],
    [
        "INC-3",
        "acme",
        "erp",
        "P3",
        "2026-10-03 11:15:20",
        "",
        "处理中",
    ],
];

fn csv_text(delim: char) -> String {
    let mut s = String::new();
    for r in ROWS {
        s.push_str(&r.join(&delim.to_string()));
        s.push_str("\r\n");
    }
    s
}

fn xlsx() -> Vec<u8> {
    let mut sheet = SheetData::zh(&svcreport::ingest::schema::INCIDENTS);
    sheet.headers = ROWS[0].iter().map(|s| s.to_string()).collect();
    for r in &ROWS[1..] {
        sheet.rows.push(
            r.iter()
                .map(|v| {
                    if v.is_empty() {
                        Cell::Blank
                    } else {
                        Cell::text(*v)
                    }
                })
                .collect(),
        );
    }
    workbook_bytes(std::path::Path::new("incidents.xlsx"), &[sheet]).unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// UTF-8 (with and without BOM), GBK, UTF-16 (by BOM), TSV and gzip all give the records
/// the same rows give as a workbook.
#[test]
fn csv_in_every_encoding_reads_like_the_workbook() {
    let want = records(&read("incidents.xlsx", &xlsx()));
    assert_eq!(want.len(), 3, "{want:?}");
    let utf8 = csv_text(',');
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(utf8.as_bytes());
    let (gbk, _, bad) = encoding_rs::GBK.encode(&utf8);
    assert!(!bad);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "GBK bytes are not UTF-8"
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for u in utf8.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let tsv = csv_text('\t');
    let semi = csv_text(';');
    for (name, bytes) in [
        ("incidents.csv", utf8.as_bytes().to_vec()),
        ("incidents.csv", bom),
        ("incidents.csv", gbk.to_vec()),
        ("incidents.csv", utf16),
        ("incidents.tsv", tsv.as_bytes().to_vec()),
        ("incidents.csv", semi.as_bytes().to_vec()),
        ("incidents.csv.gz", gz(gbk.as_ref())),
    ] {
        let ing = read(name, &bytes);
        assert_eq!(records(&ing), want, "{name}: {:#?}", ing.findings);
        assert!(
            ing.findings.iter().all(|f| f.severity != Severity::Error),
            "{name}: {:#?}",
            ing.findings
        );
        let s = &ing.files[0].sheets[0];
        assert_eq!((s.read, s.accepted), (3, 3), "{name}");
        assert_eq!(s.dataset.as_deref(), Some("incidents"));
        assert!(ing.files[0].readable);
    }
}

/// A finding in a text file names `file:line:column`; a quoted field spanning lines is one
/// record (one row read), and the records after it keep their own line numbers.
#[test]
fn csv_findings_name_line_and_column() {
    let text = "工单号,客户,服务,优先级,报告时间,备注\n\
        INC-1,acme,erp,P1,2026-10-01 08:00,\"two\nlines\"\n\
        INC-2,acme,erp,P9,2026-10-01 08:00,x\n\
        \n\
        INC-3,acme,erp,P2,N/A,x\n";
    let ing = read("inbox/incidents.csv", text.as_bytes());
    let places: Vec<(Code, String, Option<String>)> = ing
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            (
                f.code,
                f.cell.map(|c| c.to_string()).unwrap_or_default(),
                f.sheet.clone(),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            (Code::ValueNotAPriority, "4:D".to_string(), None),
            (Code::ValueNotADate, "6:E".to_string(), None),
        ],
        "{:#?}",
        ing.findings
    );
    let shown = svcreport::findings::render_text(&ing.findings, svcreport::findings::Lang::En);
    assert!(shown.contains("--> inbox/incidents.csv:4:D"), "{shown}");
    let s = &ing.files[0].sheets[0];
    assert_eq!((s.read, s.accepted, s.rejected, s.blank), (3, 1, 2, 0));
    // The same without a final line break.
    let ing = read("inbox/incidents.csv", text.trim_end().as_bytes());
    let last = ing.findings.iter().rfind(|f| f.severity == Severity::Error);
    assert_eq!(
        last.and_then(|f| f.cell).map(|c| c.to_string()),
        Some("6:E".into()),
        "{:#?}",
        ing.findings
    );
}

/// Bytes the declared encoding cannot read: one `ingest.encoding` warning at the first
/// record holding one; the rows still read.
#[test]
fn undecodable_bytes_are_one_warning_at_their_record() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(
        "工单号,客户,服务,优先级,报告时间\nINC-1,acme,erp,P1,2026-10-01 08:00\n".as_bytes(),
    );
    bytes.extend(b"INC-2,acme,erp,P1,2026-10-01 08:00,\xff\xfe\n");
    let ing = read("x/incidents.csv", &bytes);
    let enc: Vec<String> = ing
        .findings
        .iter()
        .filter(|f| f.code == Code::IngestEncoding)
        .map(|f| f.cell.map(|c| c.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(enc, vec!["3:F".to_string()], "{:#?}", ing.findings);
    assert_eq!(ing.dataset.incidents.len(), 2);
    assert_eq!(ing.dataset.incidents[1].priority, Priority::P1);
}

/// A gzip file that is not gzip, an empty CSV, and a CSV of no dataset: findings, never a
/// failure of the batch.
#[test]
fn broken_text_files_are_findings() {
    let ing = read("a.csv.gz", b"\x1f\x8bnot really gzip");
    assert!(
        !ing.files[0].readable
            || ing
                .findings
                .iter()
                .any(|f| f.code == Code::IngestUnreadable)
    );
    assert!(
        ing.findings
            .iter()
            .any(|f| f.code == Code::IngestUnreadable),
        "{:#?}",
        ing.findings
    );
    let ing = read("b.csv", b"");
    assert_eq!(ing.findings[0].code, Code::IngestEmpty);
    let ing = read("c.csv", "名称,数量\n苹果,3\n".as_bytes());
    assert!(
        ing.findings
            .iter()
            .any(|f| f.code == Code::SheetUnrecognised),
        "{:#?}",
        ing.findings
    );
    assert!(ing.dataset.incidents.is_empty());
}

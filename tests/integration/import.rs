//! Integration tests: what ticketing tools export (issue 17): CSV and TSV in their
//! encodings, gzip, places as `line:column`.

use std::io::Write;

use svcreport::findings::{Code, FileCount, Lang, Message, Severity};
use svcreport::ingest::profile::Profiles;
use svcreport::ingest::{self, IngestOptions, Ingested};
use svcreport::model::catalogue::*;
use svcreport::model::records::{Priority, TicketStatus};
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

// ---------------------------------------------------------------------------------------
// Import profiles: the built-in ones recognise raw exports by their header; a workspace's
// profile extends one by glob.

fn read_with(name: &str, bytes: &[u8], profiles: &Profiles) -> Ingested {
    let opts = IngestOptions {
        profiles: Some(profiles),
        ..IngestOptions::default()
    };
    let ing = ingest::read_bytes(name, bytes, &catalogue(), &opts);
    assert_reconciles(&ing.files);
    ing
}

fn errors(ing: &Ingested) -> Vec<(Code, String)> {
    ing.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.code, f.cell.map(|c| c.to_string()).unwrap_or_default()))
        .collect()
}

fn chosen(ing: &Ingested) -> Vec<String> {
    ing.findings
        .iter()
        .filter_map(|f| match f.detail() {
            Message::ProfileChosen { profile, .. } => Some(profile.clone()),
            _ => None,
        })
        .collect()
}

fn t(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A ServiceNow list export (CSV, field names as headers, "1 - Critical" priorities, a
/// Canceled state) is recognised by its header and read through the built-in profile.
#[test]
fn servicenow_raw_export_is_recognised_and_mapped() {
    let csv = "number,company,business_service,priority,incident_state,opened_at,resolved_at,closed_at,short_description,sys_id\n\
        INC0010001,ACME Technology Co., Ltd.,ERP 系统,1 - Critical,Resolved,2026-10-01 08:00:00,2026-10-01 10:30:00,2026-10-02 09:00:00,x,abc\n\
        INC0010002,acme,erp,3 - Moderate,Canceled,2026-10-02 09:00:00,,,y,abd\n\
        INC0010003,acme,erp,5 - Planning,Awaiting Vendor,2026-10-03 09:00:00,,,z,abe\n";
    let csv = csv.replace("ACME Technology Co., Ltd.", "\"ACME Technology Co., Ltd.\"");
    let ing = read_with("export.csv", csv.as_bytes(), &Profiles::builtin());
    assert_eq!(chosen(&ing), ["servicenow"], "{:#?}", ing.findings);
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    let inc = &ing.dataset.incidents;
    assert_eq!(inc.len(), 3);
    assert_eq!(
        inc.iter().map(|i| i.priority).collect::<Vec<_>>(),
        [Priority::P1, Priority::P3, Priority::P4]
    );
    assert_eq!(
        inc.iter().map(|i| i.status).collect::<Vec<_>>(),
        [
            Some(TicketStatus::Resolved),
            Some(TicketStatus::Cancelled),
            Some(TicketStatus::Pending)
        ]
    );
    assert_eq!(inc[0].resolved, Some(t("2026-10-01 10:30")));
    assert!(
        inc.iter()
            .all(|i| &*i.customer == "acme" && &*i.service == "erp")
    );
}

/// Jira Service Management CSV ("all fields"): `05/Oct/26 9:15 AM`, Highest, Canceled; the
/// columns from the documented all-fields export (profile `jira`, JI-SAMPLE in
/// ../shared/notes/ticketing-exports.md). An unreadable date is an error naming the profile.
#[test]
fn jira_export_reads_its_dates_and_values() {
    let csv = "Summary,Issue key,Issue id,Issue Type,Status,Priority,Created,Resolved,Custom field (Organizations),Custom field (Request Type),Custom field ([CHART] Date of First Response)\n\
        Mail down,ITSM-7,10007,Incident,Done,Highest,05/Oct/26 9:15 AM,05/Oct/26 11:45 AM,acme,erp,2026-10-05 09:20:11.315\n\
        Slow,ITSM-8,10008,Incident,Canceled,Medium,06/Oct/26 2:00 PM,,acme,erp,\n\
        Typo,ITSM-9,10009,Incident,Open,Low,07.10.2026 08:00,,acme,erp,\n";
    let ing = read_with("jira.csv", csv.as_bytes(), &Profiles::builtin());
    assert_eq!(chosen(&ing), ["jira"]);
    assert_eq!(
        errors(&ing),
        [(Code::ValueNotInFormat, "4:G".to_string())],
        "{:#?}",
        ing.findings
    );
    let inc = &ing.dataset.incidents;
    assert_eq!(inc.len(), 2);
    assert_eq!(
        (inc[0].priority, inc[0].opened),
        (Priority::P1, t("2026-10-05 09:15"))
    );
    assert_eq!(inc[0].resolved, Some(t("2026-10-05 11:45")));
    assert_eq!(
        inc[0].responded.map(|r| r.format("%H:%M:%S").to_string()),
        Some("09:20:11".into())
    );
    assert_eq!(inc[1].status, Some(TicketStatus::Cancelled));
    assert_eq!(inc[1].opened, t("2026-10-06 14:00"));
}

/// GLPI search export (`;`, six priority levels, Solved): "Very high" and "Major" map to P1;
/// a level the profile does not list is an error naming the profile. Columns: GLPI's search
/// options (src/Ticket.php rawSearchOptions), delimiter src/Glpi/Search/Output/Csv.php.
#[test]
fn glpi_export_maps_six_levels_and_names_the_profile_for_others() {
    let csv = "ID;Title;Entity;Category;Priority;Status;Opening date;Resolution date;Closing date\n\
        5732;Printer;acme;erp;Very high;Solved;2026-10-05 16:24;2026-10-05 18:00;2026-10-06 09:00\n\
        5733;VPN;acme;erp;Major;Closed;2026-10-06 08:00;2026-10-06 09:00;2026-10-06 10:00\n\
        5734;Disk;acme;erp;Extreme;New;2026-10-07 08:00;;\n";
    let ing = read_with("glpi.csv", csv.as_bytes(), &Profiles::builtin());
    assert_eq!(chosen(&ing), ["glpi"]);
    assert_eq!(errors(&ing), [(Code::ValueUnmapped, "4:E".to_string())]);
    let f = ing
        .findings
        .iter()
        .find(|f| f.code == Code::ValueUnmapped)
        .unwrap();
    assert!(
        f.message(Lang::En).contains("\"glpi\""),
        "{}",
        f.message(Lang::En)
    );
    let inc = &ing.dataset.incidents;
    assert_eq!(
        inc.iter()
            .map(|i| (i.priority, i.status))
            .collect::<Vec<_>>(),
        [
            (Priority::P1, Some(TicketStatus::Resolved)),
            (Priority::P1, Some(TicketStatus::Closed))
        ]
    );
}

/// iTop UserRequest export with zh_cn labels (编号, 开始日期 …; the dictionaries of
/// itop-request-mgmt-itil): 紧急 and 已解决 read, the assignment date is the response.
#[test]
fn itop_chinese_export_is_recognised() {
    let csv = "编号,标题,组织,服务,优先级,状态,开始日期,分配日期,解决日期,关闭日期,累计待定\n\
        R-000101,邮件无法发送,acme,erp,紧急,已解决,2026-10-08 09:00:00,2026-10-08 09:10:00,2026-10-08 12:00:00,,5400\n\
        R-000102,打印机,acme,erp,Low,已驳回,2026-10-09 09:00:00,,,,\n";
    let ing = read_with("itop.csv", csv.as_bytes(), &Profiles::builtin());
    assert_eq!(chosen(&ing), ["itop"]);
    assert_eq!(errors(&ing), []);
    let inc = &ing.dataset.incidents;
    assert_eq!(inc[0].responded, Some(t("2026-10-08 09:10")));
    // 累计待定 (cumulatedpending) is seconds: 5,400 s paused.
    assert_eq!(inc[0].paused_secs, 5400);
    assert_eq!(inc[0].priority, Priority::P1);
    assert_eq!(inc[1].status, Some(TicketStatus::Cancelled));
}

/// Zammad's xlsx download: a title in row 1, the header in row 3, true date cells, "2
/// normal"; no resolved state, so Closed At stands in (lib/excel_sheet/ticket.rb).
#[test]
fn zammad_xlsx_with_its_title_row_is_recognised() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Tickets").unwrap();
    ws.write_string(0, 0, "Tickets: 2 (2026-10-01 - 2026-10-31)")
        .unwrap();
    let head = [
        "#",
        "Title",
        "State",
        "Priority",
        "Group",
        "Owner",
        "Customer",
        "Organization",
        "Created At",
        "First Response At",
        "Closed At",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let rows = [
        (
            "31001",
            "closed",
            "2 normal",
            "2026-10-10 08:00",
            Some("2026-10-10 08:30"),
            Some("2026-10-10 15:00"),
        ),
        ("31002", "open", "3 high", "2026-10-11 08:00", None, None),
    ];
    for (r, (id, st, pri, created, first, closed)) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 2, *st).unwrap();
        ws.write_string(r, 3, *pri).unwrap();
        ws.write_string(r, 7, "acme").unwrap();
        ws.write_datetime_with_format(r, 8, t(created), &fmt)
            .unwrap();
        if let Some(f) = first {
            ws.write_datetime_with_format(r, 9, t(f), &fmt).unwrap();
        }
        if let Some(c) = closed {
            ws.write_datetime_with_format(r, 10, t(c), &fmt).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    // Zammad has no service: a workspace profile extending the built-in one gives it.
    let user: Vec<(String, svcreport::workspace::ProfileSpec)> = vec![(
        "zammad-acme".into(),
        svcreport::workspace::ProfileSpec {
            extends: Some("zammad".into()),
            files: Some(vec!["zammad-*.xlsx".into()]),
            constants: [("service".to_string(), "erp".to_string())].into(),
            ..Default::default()
        },
    )];
    let ps = Profiles::compile(&user).unwrap();
    let ing = read_with("inbox/zammad-2026-10.xlsx", &bytes, &ps);
    assert_eq!(chosen(&ing), ["zammad-acme"]);
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    let inc = &ing.dataset.incidents;
    assert_eq!(inc.len(), 2);
    assert_eq!(
        (inc[0].priority, inc[1].priority),
        (Priority::P3, Priority::P2)
    );
    assert_eq!(inc[0].responded, Some(t("2026-10-10 08:30")));
    assert!(inc[0].resolved_at_close && inc[0].resolved == Some(t("2026-10-10 15:00")));
    let s = &ing.files[0].sheets[0];
    assert_eq!((s.read, s.accepted), (2, 2));
}

/// A GBK CSV from Excel through a workspace profile (by glob) that extends ServiceNow:
/// its own date format (day first, declared), UTC times converted to the workspace's,
/// a constant customer; a second matching profile is a warning, the more specific wins.
#[test]
fn workspace_profile_by_glob_reads_a_gbk_export_in_utc() {
    let text = "number,priority,opened_at,resolved_at,incident_state,business_service\r\n\
        INC1,2 - High,10/09/2026 01:00,10/09/2026 03:30,已解决,ERP系统\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let settings = r#"
[workspace]
name = "t"
inbox = ["inbox/**/*.csv"]
catalogue = ["catalogue.toml"]

[profiles.sn-any]
extends = "servicenow"
files = ["*.csv"]

[profiles.sn-acme]
extends = "servicenow"
files = ["inbox/**/sn-*.csv"]
encoding = "gbk"
timezone = "UTC"
date_formats = ["%d/%m/%Y %H:%M"]
constants = { customer = "acme" }
values.status = { "已解决" = "resolved" }
values.service = { "ERP系统" = "erp" }
"#;
    let ws = svcreport::workspace::Workspace::parse(
        std::path::Path::new("/ws"),
        std::path::Path::new("/ws/svcreport.toml"),
        settings,
    )
    .expect("settings with profiles");
    let ps = Profiles::of_workspace(&ws).expect("profiles check");
    let ing = read_with("inbox/2026-09/sn-export.csv", &gbk, &ps);
    assert_eq!(chosen(&ing), ["sn-acme"]);
    assert!(
        ing.findings
            .iter()
            .any(|f| f.code == Code::ProfileAmbiguous)
    );
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    let i = &ing.dataset.incidents[0];
    // 10 September (declared d/m), 01:00 UTC = 09:00 in Shanghai.
    assert_eq!(
        (i.opened, i.resolved),
        (t("2026-09-10 09:00"), Some(t("2026-09-10 11:30")))
    );
    assert_eq!(
        (&*i.customer, &*i.service, i.priority),
        ("acme", "erp", Priority::P2)
    );
}

/// `check --explain-profile FILE` says which profile read the file and why, and which
/// column went to which field.
#[test]
fn explain_profile_shows_which_column_went_where() {
    let dir = crate::support::demo();
    let csv = "number,company,business_service,priority,opened_at,resolved_at,incident_state,sys_id\n\
        INC1,acme,erp,1 - Critical,2026-10-01 08:00:00,2026-10-01 09:00:00,Resolved,x\n";
    std::fs::write(dir.path().join("sn.csv"), csv).unwrap();
    let o = crate::support::sv(
        dir.path(),
        "2026-11-03T09:00:00+08:00",
        &[
            "check",
            "--explain-profile",
            &dir.path().join("sn.csv").to_string_lossy(),
        ],
    );
    let out = crate::support::ok(o);
    for want in [
        "sn.csv → incidents",
        "导入配置：servicenow（ServiceNow），根据表头识别",
        "工单号 / Ticket ID ← A \"number\"",
        "优先级 / Priority ← D \"priority\"  （取值或日期按导入配置转换）",
        "未使用的列： H \"sys_id\"",
        "通过：",
    ] {
        assert!(out.contains(want), "{want:?} in\n{out}");
    }
}

/// Never silent: a ServiceNow list export ("Page 1": Number, Priority, Opened, Resolved)
/// read without profiles is a sheet.unrecognised warning naming the closest dataset by its
/// header (incidents, not a dataset whose name looks alike) and the required columns it
/// lacks, and the file's 0 rows are an ingest.no_rows warning. With the built-in profiles
/// the same sheet is recognised as ServiceNow's.
#[test]
fn a_sheet_of_no_dataset_says_why_and_zero_rows_are_never_ok() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Page 1").unwrap();
    for (c, h) in [
        "Number",
        "Priority",
        "Opened",
        "Resolved",
        "Short description",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "INC0010001",
        "1 - Critical",
        "2026-10-01 08:00:00",
        "2026-10-01 09:00:00",
        "x",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let ing = read("sn-export.xlsx", &bytes);
    // The file's warning first (no place), then the sheet's.
    let codes: Vec<Code> = ing.findings.iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        [Code::IngestNoRows, Code::SheetUnrecognised],
        "{:#?}",
        ing.findings
    );
    let hint = ing.findings[1].hint(Lang::En);
    assert!(
        hint.contains("closest to 事件 / Incidents (incidents)")
            && hint.contains("工单号 / Ticket ID")
            && hint.contains("客户 / Customer")
            && !hint.contains("Priority"),
        "{hint}"
    );
    // Through the built-in profiles: recognised, 1 row read (customer and service missing).
    let ing = read_with("sn-export.xlsx", &bytes, &Profiles::builtin());
    assert_eq!(chosen(&ing), ["servicenow"]);
    assert_eq!(ing.files[0].sheets[0].read, 1);
    assert!(!ing.findings.iter().any(|f| f.code == Code::IngestNoRows));
}

/// Names from the catalogue: aliases (`aliases = ["安科美", "ACME"]`), a spelling that
/// differs only in spaces taken with a note, and an unknown one with "did you mean" and the
/// valid values.
#[test]
fn catalogue_aliases_near_matches_and_did_you_mean() {
    let demo = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo/catalogue.toml"),
    )
    .unwrap();
    let text = demo.replacen(
        "name_en = \"ACME Technology Co., Ltd.\"",
        "name_en = \"ACME Technology Co., Ltd.\"\naliases = [\"安科美\", \"ACME\"]",
        1,
    );
    assert_ne!(text, demo);
    let cat = svcreport::catalogue::parse_str("catalogue.toml", &text).expect("catalogue");
    let csv = "工单号,客户,服务,优先级,报告时间\n\
        INC-1,安科美,ERP系统,P1,2026-10-01 08:00\n\
        INC-2,ACME,ERP 系统,P1,2026-10-01 08:00\n\
        INC-3,acm,erp,P1,2026-10-01 08:00\n";
    let ing = ingest::read_bytes(
        "incidents.csv",
        csv.as_bytes(),
        &cat,
        &IngestOptions::default(),
    );
    let found: Vec<(Code, String)> = ing
        .findings
        .iter()
        .map(|f| (f.code, f.cell.map(|c| c.to_string()).unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            (Code::RefNearMatch, "2:C".to_string()),
            (Code::RefUnknownCustomer, "4:B".to_string())
        ],
        "{:#?}",
        ing.findings
    );
    let near = &ing.findings[0];
    assert_eq!(
        near.message(Lang::En),
        "service \"ERP系统\" taken as \"ERP 系统\" (spaces ignored)"
    );
    let hint = ing.findings[1].hint(Lang::En);
    assert!(
        hint.starts_with(
            "did you mean \"acme\"? The catalogue has \"acme\", \"安科美科技有限公司\""
        ),
        "{hint}"
    );
    assert!(hint.contains("\"安科美\""), "{hint}");
    let ids: Vec<(&str, &str)> = ing
        .dataset
        .incidents
        .iter()
        .map(|i| (&*i.customer, &*i.service))
        .collect();
    assert_eq!(ids, [("acme", "erp"), ("acme", "erp")]);
}

/// `samples/servicenow/` runs the month from the raw export: 3,633 rows read, 820
/// incidents, 2,813 superseded, nothing rejected; one report per customer written.
#[test]
fn the_servicenow_sample_runs_a_month_from_the_raw_export() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(
        &crate::support::repo().join("samples/servicenow"),
        dir.path(),
    );
    let now = "2016-05-05T09:00:00+08:00";
    let o = crate::support::sv(
        dir.path(),
        now,
        &["--format", "json", "check", "--period", "2016-04"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", crate::support::text(&o));
    let j = crate::support::json(&o);
    let s = &j["files"][0]["sheets"][0];
    assert_eq!(
        (&s["read"], &s["accepted"], &s["rejected"], &s["superseded"]),
        (&3633.into(), &820.into(), &0.into(), &2813.into()),
        "{s}"
    );
    let out = crate::support::ok(crate::support::sv(
        dir.path(),
        now,
        &["run", "--period", "2016-04"],
    ));
    for c in ["ACME", "HUAXIN", "GLOBEX"] {
        let pdf = dir
            .path()
            .join(format!("out/2016-04/SN-{c}-2016-04_2016-04_v1.0_draft.pdf"));
        assert!(pdf.is_file(), "{pdf:?}\n{out}");
    }
}

// ---------------------------------------------------------------------------------------
// The vendored calamine's compact shared-string table (one buffer and the strings' ends):
// every kind of `<si>` still reads as before, at its own index.

/// A one-sheet (事件) xlsx whose cells are all shared strings: `rows` of string indexes.
fn sst_xlsx(sst: &[&str], rows: &[Vec<usize>]) -> Vec<u8> {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let wb_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let wb = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="事件" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let sst_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{}</sst>"#,
        sst.concat(),
        n = sst.len()
    );
    let mut data = String::new();
    for (r, cells) in rows.iter().enumerate() {
        data.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, i) in cells.iter().enumerate() {
            let col = (b'A' + c as u8) as char;
            data.push_str(&format!(r#"<c r="{col}{}" t="s"><v>{i}</v></c>"#, r + 1));
        }
        data.push_str("</row>");
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
    );
    crate::support::zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", sst_xml.as_bytes()),
    ])
}

/// Rich text (runs joined, phonetic runs left out), entities, `_x000D_`-style escapes,
/// `xml:space="preserve"`, an empty `<si></si>` and CJK text are each read at their own index
/// of the compact table.
#[test]
fn shared_strings_of_every_kind_read_at_their_index() {
    let sst = [
        "<si><t>工单号</t></si>",   // 0
        "<si><t>客户</t></si>",     // 1
        "<si><t>服务</t></si>",     // 2
        "<si><t>优先级</t></si>",   // 3
        "<si><t>报告时间</t></si>", // 4
        "<si></si>",                // 5: empty
        "<si><r><rPr><b/></rPr><t>INC</t></r><r><t>-1</t></r><rPh sb=\"0\" eb=\"1\"><t>ルビ</t></rPh></si>", // 6
        "<si><t>INC&amp;2</t></si>",                         // 7
        "<si><t xml:space=\"preserve\">INC_x0033_</t></si>", // 8: INC3
        "<si><t>acme</t></si>",                              // 9
        "<si><t xml:space=\"preserve\">  erp  </t></si>",    // 10
        "<si><t>P2</t></si>",                                // 11
        "<si><t>2026-10-01 08:00</t></si>",                  // 12
        "<si><t>安科美科技有限公司</t></si>",                // 13
    ];
    let rows = vec![
        vec![0, 1, 2, 3, 4],
        vec![6, 9, 10, 11, 12],
        vec![7, 13, 10, 11, 12],
        vec![8, 9, 10, 11, 12],
    ];
    let ing = read("incidents.xlsx", &sst_xlsx(&sst, &rows));
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    let ids: Vec<String> = ing
        .dataset
        .incidents
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(ids, ["INC-1", "INC&2", "INC3"]);
    assert!(
        ing.dataset
            .incidents
            .iter()
            .all(|i| &*i.customer == "acme" && &*i.service == "erp" && i.priority == Priority::P2)
    );
    // The empty string is a blank cell at its index: a row naming it lacks its id.
    let rows = vec![vec![0, 1, 2, 3, 4], vec![5, 9, 10, 11, 12]];
    let ing = read("incidents.xlsx", &sst_xlsx(&sst, &rows));
    assert_eq!(
        errors(&ing),
        [(Code::ValueRequired, "A2".to_string())],
        "{:#?}",
        ing.findings
    );
}

/// Thousands of shared strings, plain and not, some with whitespace between them, so that
/// strings lie across the reader's buffer edges: each is read whole, at its index.
#[test]
fn many_shared_strings_read_at_their_index_across_buffer_edges() {
    many_shared_strings(3_000, 13);
}

/// Strings enough to fill more than one block of the table (1 MiB each): the strings on
/// either side of a block's edge are whole, at their index.
#[test]
fn shared_strings_across_the_tables_blocks() {
    many_shared_strings(12_000, 200);
}

fn many_shared_strings(n: usize, pad: usize) {
    let head = [
        "<si><t>工单号</t></si>".to_string(),
        "<si><t>客户</t></si>".into(),
        "<si><t>服务</t></si>".into(),
        "<si><t>优先级</t></si>".into(),
        "<si><t>报告时间</t></si>".into(),
        "<si><t>acme</t></si>".into(),
        "<si><t>erp</t></si>".into(),
        "<si><t>P2</t></si>".into(),
        "<si><t>2026-10-01 08:00</t></si>".into(),
    ];
    let mut sst: Vec<String> = head.to_vec();
    let mut want = Vec::new();
    for i in 0..n {
        let id = format!("INC{}{}", "x".repeat(i % pad), i);
        let xml = match i % 6 {
            0 => format!("<si><t>{}</t></si>", id.replace('x', "&amp;")),
            1 => format!("\n  <si><t xml:space=\"preserve\">{id}</t></si>"),
            2 => format!(
                "<si><r><t>{}</t></r><r><t>{}</t></r></si>",
                &id[..3],
                &id[3..]
            ),
            3 => format!("<si><t>  {id}\t</t></si>"),
            4 => format!("<si><t>{}</t></si>", id.replace("INC", "IN_x0043_")),
            _ => format!("<si><t>{id}</t></si>"),
        };
        sst.push(xml);
        want.push(if i % 6 == 0 { id.replace('x', "&") } else { id });
    }
    let refs: Vec<&str> = sst.iter().map(String::as_str).collect();
    let mut rows = vec![vec![0, 1, 2, 3, 4]];
    for i in 0..n {
        rows.push(vec![head.len() + i, 5, 6, 7, 8]);
    }
    let ing = read("incidents.xlsx", &sst_xlsx(&refs, &rows));
    assert_eq!(
        errors(&ing),
        [],
        "{:#?}",
        &ing.findings[..ing.findings.len().min(3)]
    );
    let ids: Vec<String> = ing
        .dataset
        .incidents
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(ids, want);
}

/// A header repeated in an export read through a profile (ServiceNow's `priority` twice): a
/// `column.duplicate` warning at the second, naming both columns and the profile; the first
/// column is read.
#[test]
fn a_repeated_source_header_is_a_warning_naming_both_columns() {
    let csv = "number,company,business_service,priority,incident_state,opened_at,resolved_at,priority\n\
        INC0010001,acme,erp,1 - Critical,Resolved,2026-10-01 08:00:00,2026-10-01 10:30:00,4 - Low\n";
    let ing = read_with("export.csv", csv.as_bytes(), &Profiles::builtin());
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    let dup: Vec<_> = ing
        .findings
        .iter()
        .filter(|f| f.code == Code::ColumnDuplicate)
        .collect();
    assert_eq!(dup.len(), 1, "{:#?}", ing.findings);
    let f = dup[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.cell.map(|c| c.to_string()).as_deref(), Some("1:H"));
    assert_eq!(
        f.message(Lang::En),
        "columns \"priority\" (1:D) and \"priority\" both give Priority under import profile \"servicenow\": the first is read, this one is ignored"
    );
    assert!(
        f.message(Lang::Zh).contains("读取第一列"),
        "{}",
        f.message(Lang::Zh)
    );
    // The first column's value is the record's.
    assert_eq!(ing.dataset.incidents[0].priority, Priority::P1);
}

/// ServiceNow writes CSV in Windows-1252 unless reconfigured (SN-EXP): a file its header
/// matches to the `servicenow` profile (or one extending it), not UTF-8, is read so, with an
/// `ingest.encoding_assumed` note; a profile's own `encoding` wins; a file no ServiceNow
/// profile reads keeps the GB18030 fallback.
#[test]
fn a_servicenow_csv_not_in_utf8_is_read_as_windows_1252() {
    let text = "number,company,business_service,priority,opened_at,short_description\n\
        INCé01,acme,erp,3 - Moderate,2026-10-01 08:00:00,Drucker über Netzwerk\n\
        INCü02,acme,erp,2 - High,2026-10-02 08:00:00,café\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    let ids = |ing: &Ingested| -> Vec<String> {
        ing.dataset
            .incidents
            .iter()
            .map(|i| i.id.to_string())
            .collect()
    };
    let codes = |ing: &Ingested| -> Vec<Code> { ing.findings.iter().map(|f| f.code).collect() };
    // Recognised by its header.
    let ing = read_with("export.csv", &bytes, &Profiles::builtin());
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    assert_eq!(ids(&ing), ["INCé01", "INCü02"]);
    assert!(
        codes(&ing).contains(&Code::IngestEncodingAssumed),
        "{:#?}",
        ing.findings
    );
    assert!(
        !codes(&ing).contains(&Code::IngestEncoding),
        "{:#?}",
        ing.findings
    );
    let note = ing
        .findings
        .iter()
        .find(|f| f.code == Code::IngestEncodingAssumed)
        .unwrap();
    assert_eq!(note.severity, Severity::Info);
    assert!(
        note.message(Lang::En).contains("windows-1252"),
        "{}",
        note.message(Lang::En)
    );
    // Chosen by its name through a profile extending the built-in one: inherited.
    let settings = "[workspace]\nname = \"t\"\ninbox = [\"inbox/**/*.csv\"]\ncatalogue = [\"catalogue.toml\"]\n\n[profiles.sn-acme]\nextends = \"servicenow\"\nfiles = [\"sn-*.csv\"]\n";
    let ws = svcreport::workspace::Workspace::parse(
        std::path::Path::new("/ws"),
        std::path::Path::new("/ws/svcreport.toml"),
        settings,
    )
    .unwrap();
    let ps = Profiles::of_workspace(&ws).unwrap();
    let ing = read_with("inbox/sn-export.csv", &bytes, &ps);
    assert_eq!(chosen(&ing), ["sn-acme"], "chosen by its files glob");
    assert_eq!(ids(&ing), ["INCé01", "INCü02"]);
    // A profile naming the encoding is followed (the same bytes read as GB18030 differ).
    let settings = format!("{settings}encoding = \"gb18030\"\n");
    let ws = svcreport::workspace::Workspace::parse(
        std::path::Path::new("/ws"),
        std::path::Path::new("/ws/svcreport.toml"),
        &settings,
    )
    .unwrap();
    let ps = Profiles::of_workspace(&ws).unwrap();
    let ing = read_with("inbox/sn-export.csv", &bytes, &ps);
    assert!(!codes(&ing).contains(&Code::IngestEncodingAssumed));
    assert_ne!(ids(&ing).first().map(String::as_str), Some("INCé01"));
    // A profile's own fallback_encoding replaces the inherited one: a ServiceNow instance
    // whose glide.export.csv.charset is GBK; a UTF-8 file is still read as UTF-8.
    let gbk_text = "number,company,business_service,priority,opened_at,short_description\n\
        工单0001,acme,erp,3 - Moderate,2026-10-01 08:00:00,打印机无法连接\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(gbk_text);
    let settings = "[workspace]\nname = \"t\"\ninbox = [\"inbox/**/*.csv\"]\ncatalogue = [\"catalogue.toml\"]\n\n[profiles.sn-cn]\nextends = \"servicenow\"\nfiles = [\"sn-*.csv\"]\nfallback_encoding = \"gbk\"\n";
    let ws = svcreport::workspace::Workspace::parse(
        std::path::Path::new("/ws"),
        std::path::Path::new("/ws/svcreport.toml"),
        settings,
    )
    .unwrap();
    let ps = Profiles::of_workspace(&ws).unwrap();
    for bytes in [&gbk[..], gbk_text.as_bytes()] {
        let ing = read_with("inbox/sn-export.csv", bytes, &ps);
        assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
        assert_eq!(ids(&ing), ["工单0001"]);
    }
    // A name that is no encoding is refused with the profile's name.
    let bad = settings.replace("\"gbk\"", "\"klingon\"");
    let ws = svcreport::workspace::Workspace::parse(
        std::path::Path::new("/ws"),
        std::path::Path::new("/ws/svcreport.toml"),
        &bad,
    )
    .unwrap();
    let e = Profiles::of_workspace(&ws).unwrap_err().to_string();
    assert!(e.contains("sn-cn") && e.contains("klingon"), "{e}");
    // A template-headed CSV in the same bytes: no ServiceNow profile, GB18030 as before.
    let (tpl, _, _) = encoding_rs::WINDOWS_1252.encode("工单号,客户\nINCé01,acme\n");
    let ing = read("incidents.csv", &tpl);
    assert!(!codes(&ing).contains(&Code::IngestEncodingAssumed));
}

/// A quoted field of megabytes (with line breaks in it) is not held whole: it is cut at the
/// reader, and the cell is too long, as a workbook's cell over 32,767 characters; the records
/// after it keep their lines.
#[test]
fn a_huge_quoted_field_is_too_long_and_bounded() {
    let huge = "长文本 \"quoted\"\n".repeat(400_000); // ~7.6 MB, 400,000 lines
    let csv = format!(
        "工单号,客户,服务,优先级,报告时间,摘要\n\
         INC-1,acme,erp,P2,2026-10-01 08:00,\"{}\"\n\
         INC-2,acme,erp,P9,2026-10-01 08:00,short\n\
         INC-3,acme,erp,P3,2026-10-01 08:00,\"two\nlines\"\n",
        huge.replace('"', "\"\"")
    );
    assert!(csv.len() > 7_000_000);
    let ing = read("incidents.csv", csv.as_bytes());
    let lines_of_inc1 = 1 + huge.matches('\n').count() as u32;
    assert_eq!(
        errors(&ing),
        [
            (Code::ValueTooLong, "2:F".to_string()),
            (Code::ValueNotAPriority, format!("{}:D", 2 + lines_of_inc1)),
        ],
        "{:#?}",
        ing.findings
    );
    let ids: Vec<String> = ing
        .dataset
        .incidents
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(ids, ["INC-3"]);
    assert_eq!(
        ing.dataset.incidents[0].src.row,
        3 + lines_of_inc1,
        "the record after the cut field keeps its line"
    );
}

/// An event log's rows superseded by a later row of the same ticket are said so, typed
/// (`row.superseded_in_log`, with the rows and tickets), and the reconciliation's line names
/// both kinds of superseding instead of "a later delivery" alone.
#[test]
fn an_event_logs_superseded_rows_are_said_to_be_the_logs() {
    let csv = "number,company,business_service,priority,opened_at,sys_mod_count\n\
        INC1,acme,erp,3 - Moderate,2026-10-01 08:00:00,0\n\
        INC2,acme,erp,4 - Low,2026-10-01 09:00:00,0\n\
        INC1,acme,erp,2 - High,2026-10-01 08:00:00,2\n\
        INC1,acme,erp,1 - Critical,2026-10-01 08:00:00,1\n";
    let settings = "[workspace]\nname = \"t\"\ninbox = [\"*.csv\"]\ncatalogue = [\"catalogue.toml\"]\n\n[profiles.sn-log]\nextends = \"servicenow\"\nfiles = [\"log*.csv\"]\norder_by = [\"sys_mod_count\"]\n";
    let ws = svcreport::workspace::Workspace::parse(
        std::path::Path::new("/ws"),
        std::path::Path::new("/ws/svcreport.toml"),
        settings,
    )
    .unwrap();
    let ps = Profiles::of_workspace(&ws).unwrap();
    let ing = read_with("log.csv", csv.as_bytes(), &ps);
    assert_eq!(errors(&ing), [], "{:#?}", ing.findings);
    let s = &ing.files[0].sheets[0];
    assert_eq!(
        (s.read, s.accepted, s.superseded, s.superseded_in_log),
        (4, 2, 2, 2)
    );
    // The last row by sys_mod_count wins.
    assert_eq!(ing.dataset.incidents[0].priority, Priority::P2);
    let said: Vec<&Message> = ing
        .findings
        .iter()
        .map(|f| f.detail())
        .filter(|m| matches!(m, Message::SupersededInLog { .. }))
        .collect();
    assert_eq!(
        said,
        [&Message::SupersededInLog {
            rows: 2,
            tickets: 2
        }]
    );
    let f = ing
        .findings
        .iter()
        .find(|f| f.code == Code::RowSupersededInLog)
        .unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.message(Lang::En)
            .contains("superseded by a later row of the same ticket"),
        "{}",
        f.message(Lang::En)
    );
    let text = svcreport::findings::render_reconciliation(&ing.files, Lang::En);
    assert!(
        text.contains("+ 2 row(s) superseded: 0 by a later delivery of the same record, 2 in an event log by a later row of the same ticket"),
        "{text}"
    );
}

//! Integration tests: ingest. Every input workbook is built inside the test
//! from a table literal (`book`), so the test shows its data.

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Formula, Workbook};
use svcreport::findings::{FileCount, Finding, Lang, Severity};
use svcreport::ingest::{self, IngestOptions, Ingested};
use svcreport::model::catalogue::*;
use svcreport::model::period::Period;
use svcreport::model::records::Priority;
use svcreport::workspace::Workspace;

/// One cell of a table literal.
#[derive(Clone)]
enum V {
    S(&'static str),
    N(f64),
    /// A real Excel date-time cell.
    D(&'static str),
    B(bool),
    /// A formula with its cached result.
    F(&'static str, &'static str),
    E,
}
use V::*;

struct SheetSpec {
    name: &'static str,
    rows: Vec<Vec<V>>,
    hidden: bool,
    /// Merge A1:<col>1 (a title row) when set.
    merge_title: Option<u16>,
}

fn sheet(name: &'static str, rows: Vec<Vec<V>>) -> SheetSpec {
    SheetSpec {
        name,
        rows,
        hidden: false,
        merge_title: None,
    }
}

fn book(sheets: Vec<SheetSpec>) -> Vec<u8> {
    let mut wb = Workbook::new();
    let fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).unwrap();
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if let Some(last) = s.merge_title
                    && r == 0
                {
                    if c == 0
                        && let S(t) = v
                    {
                        ws.merge_range(0, 0, 0, last, t, &Format::new()).unwrap();
                    }
                    continue;
                }
                match v {
                    S(t) => {
                        ws.write_string(r, c, *t).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    D(t) => {
                        let d = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
                        ws.write_datetime_with_format(r, c, d, &fmt).unwrap();
                    }
                    B(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    F(f, res) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(*res))
                            .unwrap();
                    }
                    E => {}
                }
            }
        }
        if s.hidden {
            ws.set_hidden(true);
        }
    }
    wb.save_to_buffer().unwrap()
}

fn catalogue() -> Catalogue {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    Catalogue {
        customers: vec![
            Customer {
                id: "acme".into(),
                name: "安科美科技有限公司".into(),
                name_en: Some("ACME Technology Co., Ltd.".into()),
                recipients: vec![],
            },
            Customer {
                id: "globex".into(),
                name: "环球电子".into(),
                name_en: Some("Globex".into()),
                recipients: vec![],
            },
        ],
        services: vec![
            Service {
                id: "email".into(),
                name: "企业邮箱".into(),
                name_en: Some("Corporate e-mail".into()),
                calendar: "7x24".into(),
                customers: vec!["acme".into()],
            },
            Service {
                id: "erp".into(),
                name: "ERP 系统".into(),
                name_en: None,
                calendar: "7x24".into(),
                customers: vec!["acme".into(), "globex".into()],
            },
        ],
        suppliers: vec![Supplier {
            id: "netco".into(),
            name: "网联通信".into(),
            name_en: None,
        }],
        agreements: vec![Agreement {
            id: "UC-NETCO".into(),
            kind: AgreementKind::Uc,
            version: "1".into(),
            title: None,
            party: "netco".into(),
            services: vec!["email".into()],
            effective_from: d(2026, 1, 1),
            effective_to: None,
            calendar: None,
            targets: vec![],
        }],
        ..Catalogue::default()
    }
}

fn read(name: &str, bytes: &[u8]) -> Ingested {
    let ing = ingest::read_bytes(name, bytes, &catalogue(), &IngestOptions::default());
    assert_reconciles(&ing.files);
    ing
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
        if f.readable {
            assert_eq!(f.sha256.len(), 64, "{}", f.file);
        }
    }
}

/// (code, cell) of every finding of a severity.
fn codes(ing: &Ingested, sev: Severity) -> Vec<(String, String)> {
    ing.findings
        .iter()
        .filter(|f| f.severity == sev)
        .map(|f| (f.code.id().to_string(), cell(f)))
        .collect()
}

/// The place of a finding as printed (`E14`, `14`), or empty.
fn cell(f: &Finding) -> String {
    f.cell.map(|c| c.to_string()).unwrap_or_default()
}

fn find<'a>(ing: &'a Ingested, code: &str) -> &'a Finding {
    ing.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", ing.findings))
}

const INC_HEAD: [&str; 8] = [
    "工单号",
    "客户",
    "服务",
    "优先级",
    "报告时间",
    "响应时间",
    "解决时间",
    "挂起时长(分钟)",
];

fn head(h: &[&'static str]) -> Vec<V> {
    h.iter().map(|s| S(s)).collect()
}

#[test]
fn clean_incidents_with_bilingual_headers_become_records() {
    let bytes = book(vec![
        sheet("说明", vec![vec![S("填写说明: 每行一个事件")]]),
        sheet(
            "事件",
            vec![
                head(&[
                    "工单号 Ticket ID",
                    "客户/Customer",
                    "服务\nService",
                    "优先级(Priority)",
                    "Opened At",
                    "响应时间（Responded At）",
                    "解决时间",
                    "挂起时长（分钟）",
                    "重大事件 Major",
                ]),
                vec![
                    S("INC-1"),
                    S("acme"),
                    S("企业邮箱"),
                    S("紧急"),
                    D("2026-10-01 08:00"),
                    S("2026/10/01 08:10"),
                    S("２０２６-１０-０１ １０:３０"),
                    N(15.0),
                    S("是"),
                ],
                vec![E, E, E, E, E, E, E, E, E],
                vec![
                    N(20001.0),
                    S("ACME Technology Co., Ltd."),
                    S("Corporate E-Mail"),
                    F("=1+1", "2"),
                    S("2026-10-02T09:00:00"),
                    E,
                    E,
                    E,
                    B(false),
                ],
            ],
        ),
    ]);
    let ing = read("inbox/2026-10/incidents.xlsx", &bytes);
    assert_eq!(
        ing.findings,
        vec![],
        "{}",
        svcreport::findings::render_text(&ing.findings, Lang::En)
    );
    let s = &ing.files[0].sheets;
    assert_eq!(s[0].sheet, "说明");
    assert_eq!(s[0].dataset, None);
    assert_eq!(
        (s[1].read, s[1].accepted, s[1].rejected, s[1].blank),
        (3, 2, 0, 1)
    );
    let inc = &ing.dataset.incidents;
    assert_eq!(inc.len(), 2);
    assert_eq!(inc[0].id, "INC-1");
    assert_eq!(inc[0].customer, "acme");
    assert_eq!(inc[0].service, "email");
    assert_eq!(inc[0].priority, Priority::P1);
    assert_eq!(inc[0].opened.to_string(), "2026-10-01 08:00:00");
    assert_eq!(inc[0].responded.unwrap().to_string(), "2026-10-01 08:10:00");
    assert_eq!(inc[0].resolved.unwrap().to_string(), "2026-10-01 10:30:00");
    assert_eq!(inc[0].paused_secs, 900);
    assert!(inc[0].major);
    assert_eq!(inc[0].src.row, 2);
    assert_eq!(inc[1].id, "20001");
    assert_eq!(inc[1].customer, "acme");
    assert_eq!(inc[1].priority, Priority::P2);
    assert_eq!(inc[1].src.row, 4);
    assert!(!inc[1].major);
}

#[test]
fn every_cell_finding_is_at_its_cell() {
    let bytes = book(vec![sheet(
        "Incidents",
        vec![
            head(&[
                "工单号",
                "客户",
                "服务",
                "优先级",
                "报告时间",
                "响应时间",
                "解决时间",
                "挂起时长(分钟)",
                "满意度",
                "状态",
                "备注",
            ]),
            // row 2: fine
            vec![
                S("A-1"),
                S("acme"),
                S("email"),
                S("P1"),
                D("2026-10-01 08:00"),
                E,
                E,
                E,
                N(5.0),
                S("新建"),
                S("x"),
            ],
            // row 3: resolved "N/A" in G3
            vec![
                S("A-2"),
                S("acme"),
                S("email"),
                S("P2"),
                D("2026-10-01 08:00"),
                E,
                S("N/A"),
                E,
                E,
                E,
                E,
            ],
            // row 4: priority P7 in D4
            vec![
                S("A-3"),
                S("acme"),
                S("email"),
                S("P7"),
                D("2026-10-01 08:00"),
                E,
                E,
                E,
                E,
                E,
                E,
            ],
            // row 5: unknown service in C5, customer missing B5
            vec![
                S("A-4"),
                E,
                S("mail"),
                S("P3"),
                D("2026-10-01 08:00"),
                E,
                E,
                E,
                E,
                E,
                E,
            ],
            // row 6: responded before opened (F6), paused negative (H6), score 6 (I6)
            vec![
                S("A-5"),
                S("acme"),
                S("email"),
                S("P3"),
                D("2026-10-01 08:00"),
                D("2026-10-01 07:00"),
                E,
                N(-5.0),
                N(6.0),
                E,
                E,
            ],
            // row 7: date without time (E7), status not a choice (J7)
            vec![
                S("A-6"),
                S("acme"),
                S("email"),
                S("P4"),
                S("2026/7/1"),
                E,
                E,
                E,
                E,
                S("done"),
                E,
            ],
            // row 8: error cell in the ticket id (A8), a warning only otherwise
            vec![
                F("=NA()", "#N/A"),
                S("globex"),
                S("email"),
                S("P4"),
                D("2026-10-01 08:00"),
                E,
                E,
                E,
                E,
                E,
                E,
            ],
            // row 9: service the customer does not take: warning, accepted
            vec![
                S("A-8"),
                S("globex"),
                S("email"),
                S("P4"),
                D("2026-10-01 08:00"),
                E,
                E,
                E,
                E,
                E,
                E,
            ],
        ],
    )]);
    let ing = read("bad.xlsx", &bytes);
    let errors = codes(&ing, Severity::Error);
    let want: Vec<(String, String)> = [
        ("value.not_a_date", "G3"),
        ("value.not_a_priority", "D4"),
        ("value.required", "B5"),
        ("ref.unknown_service", "C5"),
        ("row.time_order", "F6"),
        ("value.out_of_range", "H6"),
        ("value.out_of_range", "I6"),
        ("value.no_time", "E7"),
        ("value.not_a_choice", "J7"),
        ("value.error_cell", "A8"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(
        errors,
        want,
        "{}",
        svcreport::findings::render_text(&ing.findings, Lang::En)
    );
    let warnings = codes(&ing, Severity::Warning);
    assert!(
        warnings.contains(&("column.unknown".into(), "K1".into())),
        "{warnings:?}"
    );
    assert!(warnings.contains(&("ref.service_not_for_customer".into(), "C8".into())));
    assert!(warnings.contains(&("ref.service_not_for_customer".into(), "C9".into())));
    let s = &ing.files[0].sheets[0];
    assert_eq!((s.read, s.accepted, s.rejected, s.blank), (8, 2, 6, 0));
    let f = find(&ing, "value.not_a_date");
    assert_eq!(f.message(Lang::En), "expected a date, found text \"N/A\"");
    assert_eq!(f.message(Lang::Zh), "应为日期，实为文本 \"N/A\"");
    assert_eq!(f.column.as_deref(), Some("解决时间"));
    assert_eq!(f.sheet.as_deref(), Some("Incidents"));
    let text = svcreport::findings::render_text(&ing.findings, Lang::En);
    assert!(text.contains(
        "error[value.not_a_date]: expected a date, found text \"N/A\"\n  --> bad.xlsx  'Incidents'!G3  (column \"解决时间\")\n  = hint: type the date as 2026-10-01 08:00 or format the cell as a date\n"
    ), "{text}");
    assert_eq!(
        find(&ing, "value.not_a_priority").message(Lang::En),
        "priority \"P7\" is not one of P1–P4"
    );
}

#[test]
fn sheet_recognised_by_header_under_a_merged_title() {
    let mut s = sheet(
        "Sheet1",
        vec![
            vec![S("2026年10月 服务中断记录"), E, E, E],
            vec![E, E, E, E],
            head(&[
                "Service",
                "Start",
                "End",
                "Planned",
                "Description",
                "Description",
            ]),
            vec![
                S("email"),
                D("2026-10-03 01:00"),
                D("2026-10-03 02:30"),
                S("否"),
                S("=HYPERLINK(\"x\")"),
                E,
            ],
            vec![
                S("ERP 系统"),
                D("2026-10-05 01:00"),
                D("2026-10-05 00:30"),
                S("yes"),
                E,
                E,
            ],
            vec![S("合计"), E, E, E, E, E],
        ],
    );
    s.merge_title = Some(4);
    let ing = read("outages.xlsx", &book(vec![s]));
    let sc = &ing.files[0].sheets[0];
    assert_eq!(sc.dataset.as_deref(), Some("outages"));
    // Rows 4..=6 below the header (row 3): 1 accepted, 1 rejected, the total row blank.
    assert_eq!((sc.read, sc.accepted, sc.rejected, sc.blank), (3, 1, 1, 1));
    assert_eq!(
        codes(&ing, Severity::Error),
        vec![("row.time_order".to_string(), "C5".to_string())]
    );
    let w = codes(&ing, Severity::Warning);
    assert_eq!(
        w,
        vec![
            ("column.duplicate".to_string(), "F3".to_string()),
            ("row.total".to_string(), "A6".to_string())
        ]
    );
    let o = &ing.dataset.outages[0];
    assert_eq!(o.service, "email");
    assert!(!o.planned);
    // Input text stays text, even when it looks like a formula.
    assert_eq!(o.description.as_deref(), Some("=HYPERLINK(\"x\")"));
}

#[test]
fn missing_required_column_rejects_the_sheet_and_suggests_the_name() {
    let bytes = book(vec![sheet(
        "事件",
        vec![
            head(&["Ticket ID", "Customer", "Service", "Priorty", "Opened At"]),
            vec![
                S("X-1"),
                S("acme"),
                S("email"),
                S("P1"),
                D("2026-10-01 08:00"),
            ],
            vec![
                S("X-2"),
                S("acme"),
                S("email"),
                S("P1"),
                D("2026-10-01 08:00"),
            ],
        ],
    )]);
    let ing = read("m.xlsx", &bytes);
    let f = find(&ing, "sheet.missing_column");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(cell(f), "1");
    let m = f.message(Lang::En);
    assert!(m.contains("优先级 / Priority"), "{m}");
    assert!(
        m.contains("found: \"Ticket ID\", \"Customer\", \"Service\", \"Priorty\", \"Opened At\""),
        "{m}"
    );
    assert!(f.hint(Lang::En).contains("did you mean \"Priorty\""));
    assert!(f.hint(Lang::Zh).contains("是否应为 \"Priorty\""));
    let s = &ing.files[0].sheets[0];
    assert_eq!((s.read, s.accepted, s.rejected, s.blank), (2, 0, 2, 0));
    assert!(ing.dataset.incidents.is_empty());
}

#[test]
fn unrecognised_and_hidden_sheets() {
    let mut hidden = sheet("lists", vec![head(&["P1", "P2"]), head(&["是", "否"])]);
    hidden.hidden = true;
    let mut hidden_data = sheet(
        "Surveys",
        vec![
            head(&["客户", "日期", "评分"]),
            vec![S("环球电子"), S("2026/10/8"), N(4.0)],
        ],
    );
    hidden_data.hidden = true;
    let bytes = book(vec![
        sheet(
            "Incidnets",
            vec![head(&["编号", "内容"]), head(&["1", "x"])],
        ),
        hidden,
        hidden_data,
        sheet("README", vec![head(&["notes"])]),
    ]);
    let ing = read("u.xlsx", &bytes);
    let f = find(&ing, "sheet.unrecognised");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.sheet.as_deref(), Some("Incidnets"));
    let m = f.message(Lang::En);
    assert!(m.contains("found: \"编号\", \"内容\""), "{m}");
    assert!(
        f.hint(Lang::En)
            .contains("(closest: 事件 / Incidents (incidents))")
    );
    assert_eq!(find(&ing, "sheet.hidden").severity, Severity::Info);
    assert_eq!(ing.findings.len(), 2, "{:#?}", ing.findings);
    assert_eq!(ing.dataset.surveys.len(), 1);
    assert_eq!(ing.dataset.surveys[0].customer, "globex");
    assert_eq!(ing.dataset.surveys[0].score, 4);
}

#[test]
fn other_datasets_parse_and_check_references() {
    let bytes = book(vec![
        sheet(
            "供应商工单",
            vec![
                head(&[
                    "供应商",
                    "合同",
                    "工单号",
                    "优先级",
                    "报告时间",
                    "响应时间",
                    "恢复时间",
                ]),
                vec![
                    S("网联通信"),
                    S("uc-netco"),
                    S("N-1"),
                    S("High"),
                    D("2026-10-01 08:00"),
                    D("2026-10-01 08:20"),
                    D("2026-10-01 12:00"),
                ],
                vec![
                    S("netco"),
                    S("UC-NONE"),
                    S("N-2"),
                    S("P2"),
                    D("2026-10-01 08:00"),
                    E,
                    E,
                ],
                vec![
                    S("nobody"),
                    S("UC-NETCO"),
                    S("N-3"),
                    S("P2"),
                    D("2026-10-01 08:00"),
                    E,
                    E,
                ],
            ],
        ),
        sheet(
            "流程指标",
            vec![
                head(&["流程", "指标", "期间", "数值", "单位"]),
                vec![
                    S("变更管理"),
                    S("变更成功率"),
                    S("2026-10"),
                    S("９８.５"),
                    S("%"),
                ],
                vec![S("变更管理"), S("变更成功率"), S("十月"), N(97.0), E],
            ],
        ),
        sheet(
            "变更",
            vec![
                head(&["变更单号", "服务", "类型", "实际结束", "结果", "引发事件"]),
                vec![
                    S("C-1"),
                    S("erp"),
                    S("紧急"),
                    D("2026-10-09 23:00"),
                    S("成功"),
                    S("否"),
                ],
                vec![S("C-2"), S("erp"), S("normal"), E, S("failed"), E],
            ],
        ),
        sheet(
            "容量",
            vec![
                head(&["资源", "日期", "使用率(%)", "阈值(%)"]),
                vec![S("db-01"), D("2026-10-01 00:00"), N(91.5), N(85.0)],
                vec![S("db-01"), D("2026-10-02 00:00"), N(-1.0), N(85.0)],
            ],
        ),
    ]);
    let ing = read("mix.xlsx", &bytes);
    let errors = codes(&ing, Severity::Error);
    assert_eq!(
        errors,
        vec![
            ("ref.unknown_contract".to_string(), "B3".to_string()),
            ("ref.unknown_supplier".to_string(), "A4".to_string()),
            ("value.not_a_period".to_string(), "C3".to_string()),
            ("value.required".to_string(), "D3".to_string()),
            ("value.out_of_range".to_string(), "C3".to_string()),
        ],
        "{}",
        svcreport::findings::render_text(&ing.findings, Lang::En)
    );
    let st = &ing.dataset.supplier_tickets[0];
    assert_eq!(
        (st.supplier.as_str(), st.contract.as_str(), st.priority),
        ("netco", "UC-NETCO", Priority::P2)
    );
    let k = &ing.dataset.process_kpis[0];
    assert_eq!(
        (k.period, k.value),
        (Period::parse("2026-10").unwrap(), 98.5)
    );
    assert_eq!(ing.dataset.changes.len(), 1);
    assert_eq!(ing.dataset.changes[0].kind, ChangeTypeAlias::Emergency);
    assert_eq!(ing.dataset.capacity[0].utilisation, 91.5);
    let counts: Vec<(u64, u64, u64, u64)> = ing.files[0]
        .sheets
        .iter()
        .map(|s| (s.read, s.accepted, s.rejected, s.blank))
        .collect();
    assert_eq!(
        counts,
        vec![(3, 1, 2, 0), (2, 1, 1, 0), (2, 1, 1, 0), (2, 1, 1, 0)]
    );
}

use svcreport::model::records::ChangeType as ChangeTypeAlias;

fn workspace(dir: &std::path::Path) -> Workspace {
    std::fs::write(
        dir.join("svcreport.toml"),
        "[workspace]\nname = \"t\"\ninbox = [\"inbox/**/*.xlsx\", \"inbox/**/*.csv\"]\ncatalogue = [\"catalogue.toml\"]\n",
    )
    .unwrap();
    Workspace::load(dir).unwrap()
}

/// The same workspace with another `language`.
fn with_language(ws: &Workspace, language: &str) -> Workspace {
    Workspace {
        language: language.to_string(),
        ..ws.clone()
    }
}

fn incidents(rows: Vec<Vec<V>>) -> Vec<u8> {
    let mut all = vec![head(&INC_HEAD)];
    all.extend(rows);
    book(vec![sheet("事件", all)])
}

fn inc(id: &'static str) -> Vec<V> {
    vec![
        S(id),
        S("acme"),
        S("email"),
        S("P3"),
        D("2026-10-01 08:00"),
        E,
        D("2026-10-01 09:00"),
        E,
    ]
}

/// Two files of one period are partitions: an id in both is a warning naming the other
/// file, the later file wins and the older row is superseded (counted, not rejected); an id
/// repeated inside one file is an error naming its first row.
#[test]
fn duplicate_ids_across_two_files_name_the_first_place() {
    let (_dir, ws, inbox) = inbox_workspace("inbox/2026-10");
    std::fs::write(
        inbox.join("a.xlsx"),
        incidents(vec![inc("I-1"), inc("I-2")]),
    )
    .unwrap();
    std::fs::write(
        inbox.join("b.xlsx"),
        incidents(vec![inc("I-3"), inc("I-1"), inc("I-3")]),
    )
    .unwrap();
    std::fs::write(inbox.join("~$a.xlsx"), b"lock").unwrap();
    let files = ingest::inbox_files(&ws).unwrap();
    let names: Vec<String> = files.iter().map(|p| ws.rel(p)).collect();
    assert_eq!(names, ["inbox/2026-10/a.xlsx", "inbox/2026-10/b.xlsx"]);
    let ing = ingest::ingest(&ws, &catalogue(), &files, &IngestOptions::default());
    assert_reconciles(&ing.files);
    let of =
        |code: &str| -> Vec<&Finding> { ing.findings.iter().filter(|f| f.code == code).collect() };
    let dups = of("row.duplicate_id");
    assert_eq!(dups.len(), 1, "{:#?}", ing.findings);
    assert_eq!(dups[0].file.as_deref(), Some("inbox/2026-10/b.xlsx"));
    assert_eq!(cell(dups[0]), "A4");
    assert_eq!(dups[0].column.as_deref(), Some("工单号"));
    assert_eq!(
        dups[0].message(Lang::En),
        "ticket id \"I-3\" already appears in inbox/2026-10/b.xlsx '事件'!A2; this row is rejected"
    );
    assert_eq!(
        dups[0].message(Lang::Zh),
        "工单号 \"I-3\" 已在 inbox/2026-10/b.xlsx '事件'!A2 出现过，本行被拒绝"
    );
    let parts = of("row.partition_duplicate");
    assert_eq!(parts.len(), 1, "{:#?}", ing.findings);
    assert_eq!(parts[0].file.as_deref(), Some("inbox/2026-10/b.xlsx"));
    assert_eq!(cell(parts[0]), "A3");
    assert!(
        parts[0]
            .message(Lang::En)
            .contains("inbox/2026-10/a.xlsx '事件'!A2"),
        "{}",
        parts[0].message(Lang::En)
    );
    // Same values in both: nothing updated.
    assert!(of("row.updated").is_empty());
    let ids: Vec<&str> = ing
        .dataset
        .incidents
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["I-2", "I-3", "I-1"]);
    let a = &ing.files[0].sheets[0];
    assert_eq!((a.read, a.accepted, a.rejected, a.superseded), (2, 1, 0, 1));
    let b = &ing.files[1].sheets[0];
    assert_eq!((b.read, b.accepted, b.rejected, b.blank), (3, 2, 1, 0));
}

/// Monthly snapshots overlap: October's export shows a ticket still open, November's shows
/// it resolved. The newest delivery wins (no duplicate, no stale open ticket), the change is
/// information naming the older file, and a snapshot that goes backwards is a warning.
#[test]
fn a_later_snapshot_updates_a_ticket_and_a_regression_is_a_warning() {
    let (_dir, ws, _) = inbox_workspace("inbox/2026-10");
    let (oct, nov) = (ws.root.join("inbox/2026-10"), ws.root.join("inbox/2026-11"));
    std::fs::create_dir_all(&nov).unwrap();
    let row = |id: &'static str, resolved: V, prio: &'static str| {
        let mut r = inc(id);
        r[3] = S(prio);
        r[4] = D("2026-10-31 20:00");
        r[6] = resolved;
        r
    };
    std::fs::write(
        oct.join("incidents.xlsx"),
        incidents(vec![
            row("P1-OPEN", E, "P1"),
            row("WAS-DONE", D("2026-10-31 21:00"), "P3"),
            row("SAME", D("2026-10-31 21:00"), "P3"),
        ]),
    )
    .unwrap();
    std::fs::write(
        nov.join("incidents.xlsx"),
        incidents(vec![
            row("P1-OPEN", D("2026-10-31 22:00"), "P1"),
            row("WAS-DONE", E, "P2"),
            row("SAME", D("2026-10-31 21:00"), "P3"),
        ]),
    )
    .unwrap();
    let files = ingest::inbox_files(&ws).unwrap();
    // The older file is newer on disk: the delivery's period orders them, not the time.
    std::fs::File::options()
        .append(true)
        .open(oct.join("incidents.xlsx"))
        .unwrap()
        // 2096: later than anything written by this test.
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(4_000_000_000))
        .unwrap();
    let ing = ingest::ingest(&ws, &catalogue(), &files, &IngestOptions::default());
    assert_reconciles(&ing.files);
    assert!(!ing.has_errors(), "{:#?}", ing.findings);
    let by = |id: &str| {
        let v: Vec<_> = ing
            .dataset
            .incidents
            .iter()
            .filter(|i| i.id.as_str() == id)
            .collect();
        assert_eq!(v.len(), 1, "{id} counted once");
        v[0]
    };
    let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    assert_eq!(by("P1-OPEN").resolved, Some(t("2026-10-31 22:00")));
    assert_eq!(by("P1-OPEN").src.file(), "inbox/2026-11/incidents.xlsx");
    assert_eq!(by("WAS-DONE").resolved, None);
    let updated: Vec<&Finding> = ing
        .findings
        .iter()
        .filter(|f| f.code == "row.updated")
        .collect();
    assert_eq!(updated.len(), 1, "{:#?}", ing.findings);
    assert_eq!(
        updated[0].file.as_deref(),
        Some("inbox/2026-11/incidents.xlsx")
    );
    assert_eq!(
        updated[0].message(Lang::En),
        "ticket \"P1-OPEN\" updates inbox/2026-10/incidents.xlsx '事件'!A2: Resolved At (empty) → 2026-10-31 22:00:00"
    );
    let back: Vec<&Finding> = ing
        .findings
        .iter()
        .filter(|f| f.code == "row.regressed")
        .collect();
    assert_eq!(back.len(), 1, "{:#?}", ing.findings);
    let m = back[0].message(Lang::Zh);
    assert!(
        m.contains("WAS-DONE")
            && m.contains("优先级 P3 → P2")
            && m.contains("解决时间 2026-10-31 21:00:00 → （空）"),
        "{m}"
    );
    let counts: Vec<(u64, u64)> = ing
        .files
        .iter()
        .map(|f| (f.accepted(), f.superseded()))
        .collect();
    assert_eq!(counts, [(0, 3), (3, 0)]);
}

fn zip_with(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let e: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    crate::support::zip_of(&e)
}

#[test]
fn hostile_files_are_findings_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let good = incidents(vec![inc("G-1"), inc("G-2")]);
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 504]);
    encrypted.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    encrypted.extend(vec![0u8; 1024]);
    let bomb = zip_with(&[
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        ("xl/workbook.xml", b"<workbook/>".to_vec()),
        ("xl/worksheets/sheet1.xml", vec![b' '; 3 * 1024 * 1024]),
    ]);
    let corrupt_xml = zip_with(&[
        ("[Content_Types].xml", b"<Types".to_vec()),
        ("xl/workbook.xml", b"<workbook><sheets><sheet".to_vec()),
    ]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a_empty.xlsx", vec![], "ingest.empty"),
        (
            "b_truncated.xlsx",
            good[..good.len() / 2].to_vec(),
            "ingest.unreadable",
        ),
        ("c_encrypted.xlsx", encrypted, "ingest.encrypted"),
        (
            "d_report.xlsx",
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(),
            "ingest.not_a_spreadsheet",
        ),
        (
            "e_notes.xlsx",
            "工单号,客户\nINC-1,acme\n".as_bytes().to_vec(),
            "ingest.not_a_spreadsheet",
        ),
        ("f_bomb.xlsx", bomb, "ingest.too_large"),
        (
            "g_zip.xlsx",
            zip_with(&[("readme.txt", b"hi".to_vec())]),
            "ingest.not_a_spreadsheet",
        ),
        ("h_corrupt.xlsx", corrupt_xml, "ingest.unreadable"),
        ("z_good.xlsx", good, ""),
    ];
    let mut files = Vec::new();
    for (n, b, _) in &cases {
        let p = dir.path().join(n);
        std::fs::write(&p, b).unwrap();
        files.push(p);
    }
    files.push(dir.path().join("missing.xlsx"));
    let opts = IngestOptions {
        max_uncompressed_bytes: 1024 * 1024,
        ..IngestOptions::default()
    };
    let ing = ingest::ingest(&ws, &catalogue(), &files, &opts);
    assert_reconciles(&ing.files);
    for (n, _, code) in &cases {
        let got: Vec<&str> = ing
            .findings
            .iter()
            .filter(|f| f.file.as_deref() == Some(*n))
            .map(|f| f.code.id())
            .collect();
        if code.is_empty() {
            assert!(got.is_empty(), "{n}: {got:?}");
        } else {
            assert_eq!(got, vec![*code], "{n}");
            let fc = ing.files.iter().find(|f| f.file == *n).unwrap();
            assert!(!fc.readable || *code == "ingest.unreadable", "{n}");
        }
    }
    assert!(
        ing.findings
            .iter()
            .any(|f| f.file.as_deref() == Some("missing.xlsx") && f.code == "ingest.unreadable")
    );
    let bomb = find(&ing, "ingest.too_large");
    let m = bomb.message(Lang::En);
    assert!(m.contains("xl/worksheets/sheet1.xml"), "{m}");
    assert_eq!(ing.dataset.incidents.len(), 2);
    assert_eq!(ing.files.len(), 10);
    // Sorted by path whatever the thread timing.
    let order: Vec<&str> = ing.files.iter().map(|f| f.file.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn period_marks_records_outside_as_information_only() {
    let bytes = incidents(vec![
        inc("P-1"),
        vec![
            S("P-2"),
            S("acme"),
            S("email"),
            S("P3"),
            D("2026-08-01 08:00"),
            E,
            D("2026-08-01 09:00"),
            E,
        ],
        // Opened before the period, resolved in it: normal, no finding.
        vec![
            S("P-3"),
            S("acme"),
            S("email"),
            S("P3"),
            D("2026-09-30 22:00"),
            E,
            D("2026-10-01 01:00"),
            E,
        ],
    ]);
    let opts = IngestOptions {
        period: Some(Period::parse("2026-10").unwrap()),
        ..IngestOptions::default()
    };
    let ing = ingest::read_bytes("p.xlsx", &bytes, &catalogue(), &opts);
    assert_reconciles(&ing.files);
    assert_eq!(ing.dataset.incidents.len(), 3);
    assert_eq!(ing.findings.len(), 1);
    let f = &ing.findings[0];
    assert_eq!(
        (f.severity, f.code.id()),
        (Severity::Info, "row.outside_period")
    );
    let m = f.message(Lang::En);
    assert!(
        m.starts_with("1 accepted row(s) lie outside 2026-10"),
        "{m}"
    );
    assert!(m.ends_with("(first: row 3)"), "{m}");
}

#[test]
fn check_json_shape_exit_code_and_findings_workbook() {
    let (dir, ws, inbox) = inbox_workspace("inbox");
    let mut bad = inc("J-2");
    bad[3] = S("P9");
    bad[0] = S("=cmd|' /C calc'!A0");
    std::fs::write(inbox.join("x.xlsx"), incidents(vec![inc("J-1"), bad])).unwrap();
    let g = svcreport::app::Global {
        workspace: PathBuf::from(dir.path()),
        now: None,
        quiet: false,
        format: svcreport::app::OutputKind::Json,
    };
    let xlsx = dir.path().join("out/findings.xlsx");
    let mut out = Vec::new();
    let code =
        svcreport::app::check::check(&g, &ws, &catalogue(), None, &[], Some(&xlsx), &mut out)
            .unwrap();
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["files", "findings", "summary"]);
    let f = &v["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["code"], "value.not_a_priority");
    assert_eq!(f["file"], "inbox/x.xlsx");
    assert_eq!(f["sheet"], "事件");
    assert_eq!(f["cell"], "D3");
    assert_eq!(f["column"], "优先级");
    // Both languages, whatever the workspace's.
    assert_eq!(f["message"], "priority \"P9\" is not one of P1–P4");
    assert_eq!(f["message_zh"], "优先级 \"P9\" 不是 P1–P4 之一");
    assert!(
        f["hint_zh"]
            .as_str()
            .unwrap()
            .starts_with("请填写 P1、P2、P3 或 P4")
    );
    let file = &v["files"][0];
    assert_eq!(file["file"], "inbox/x.xlsx");
    assert_eq!(file["readable"], true);
    assert_eq!(file["sheets"][0]["read"], 2);
    assert_eq!(file["sheets"][0]["accepted"], 1);
    assert_eq!(file["sheets"][0]["rejected"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["accepted"], 1);

    // The findings workbook reads back: header, one finding row in the
    // workspace's language (zh-CN by default), text kept as text.
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let r = wb.worksheet_range("Findings").unwrap();
    assert_eq!(r.get_value((0, 1)), Some(&Data::String("code 代码".into())));
    assert_eq!(r.get_value((1, 0)), Some(&Data::String("错误".into())));
    assert_eq!(
        r.get_value((1, 1)),
        Some(&Data::String("value.not_a_priority".into()))
    );
    assert_eq!(r.get_value((1, 4)), Some(&Data::String("D3".into())));
    assert_eq!(
        r.get_value((1, 6)),
        Some(&Data::String("优先级 \"P9\" 不是 P1–P4 之一".into()))
    );
    let rec = wb.worksheet_range("Reconciliation").unwrap();
    assert_eq!(rec.get_value((1, 3)), Some(&Data::Float(2.0)));
    let formulas = wb.worksheet_formula("Findings").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let again = svcreport::findings::xlsx_bytes(&[], &[], Lang::Zh).unwrap();
    assert_eq!(
        again,
        svcreport::findings::xlsx_bytes(&[], &[], Lang::Zh).unwrap()
    );

    // Text mode: findings, the reconciliation table, then the summary line,
    // in the workspace's language: zh-CN (the default) …
    let g = svcreport::app::Global {
        format: svcreport::app::OutputKind::Text,
        ..g
    };
    let text = |ws: &Workspace| {
        let mut out = Vec::new();
        svcreport::app::check::check(&g, ws, &catalogue(), None, &[], None, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(ws.language, "zh-CN");
    let zh = text(&ws);
    assert!(zh.starts_with("错误[value.not_a_priority]：优先级 \"P9\" 不是 P1–P4 之一\n  --> inbox/x.xlsx  '事件'!D3  （列 \"优先级\"）\n  = 建议：请填写 P1、P2、P3 或 P4"), "{zh}");
    assert!(
        zh.contains("\n文件          工作表  数据集     读取  接受  拒绝  空行\ninbox/x.xlsx  事件    incidents     2     1     1     0\n合计                                2     1     1     0\n"),
        "{zh}"
    );
    assert!(
        zh.ends_with(
            "未通过：1 个文件，读取 2 行：接受 1 行，拒绝 1 行，空行 0 行；错误 1 个，警告 0 个\n"
        ),
        "{zh}"
    );
    // … or en.
    let en_ws = with_language(&ws, "en");
    let en = text(&en_ws);
    assert!(en.starts_with("error[value.not_a_priority]: priority \"P9\" is not one of P1–P4\n  --> inbox/x.xlsx  '事件'!D3  (column \"优先级\")\n  = hint: type P1, P2, P3 or P4"), "{en}");
    assert!(
        en.contains("inbox/x.xlsx  事件   incidents     2         1         1      0\n"),
        "{en}"
    );
    assert!(en.ends_with("rejected: 1 file(s), 2 row(s) read: 1 accepted, 1 rejected, 0 blank; 1 error(s), 0 warning(s)\n"), "{en}");

    // Clean: one line; quiet: nothing.
    std::fs::write(inbox.join("x.xlsx"), incidents(vec![inc("J-1")])).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        svcreport::app::check::check(&g, &ws, &catalogue(), None, &[], None, &mut out).unwrap(),
        0
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "通过：1 个文件，读取 1 行：接受 1 行，拒绝 0 行，空行 0 行；错误 0 个，警告 0 个\n"
    );
    assert_eq!(
        text(&en_ws),
        "ok: 1 file(s), 1 row(s) read: 1 accepted, 0 rejected, 0 blank; 0 error(s), 0 warning(s)\n"
    );
    let q = svcreport::app::Global { quiet: true, ..g };
    let mut out = Vec::new();
    svcreport::app::check::check(&q, &ws, &catalogue(), None, &[], None, &mut out).unwrap();
    assert!(out.is_empty());
}

/// Many repeated ids over three files: every later occurrence is rejected, in
/// file and row order, naming the first place; the first occurrences stay.
#[test]
fn many_duplicates_are_found_in_order_and_the_first_stays() {
    let (_dir, ws, inbox) = inbox_workspace("inbox/2026-10");
    const IDS: [&str; 6] = ["D-1", "D-2", "D-3", "D-4", "D-5", "D-6"];
    // a: D-1..D-6; b: D-6..D-1 (all repeated); c: D-1, D-7, D-1.
    std::fs::write(
        inbox.join("a.xlsx"),
        incidents(IDS.iter().map(|i| inc(i)).collect()),
    )
    .unwrap();
    std::fs::write(
        inbox.join("b.xlsx"),
        incidents(IDS.iter().rev().map(|i| inc(i)).collect()),
    )
    .unwrap();
    std::fs::write(
        inbox.join("c.xlsx"),
        incidents(vec![inc("D-1"), inc("D-7"), inc("D-1")]),
    )
    .unwrap();
    let files = ingest::inbox_files(&ws).unwrap();
    let ing = ingest::ingest(&ws, &catalogue(), &files, &IngestOptions::default());
    assert_reconciles(&ing.files);
    let ids: Vec<&str> = ing
        .dataset
        .incidents
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    // Three partitions of one period: the later file wins each id; a's rows are all
    // superseded by b's, b's D-1 by c's.
    assert_eq!(ids, ["D-6", "D-5", "D-4", "D-3", "D-2", "D-1", "D-7"]);
    let dups: Vec<(String, String)> = ing
        .findings
        .iter()
        .filter(|f| f.code == "row.duplicate_id")
        .map(|f| (f.file.clone().unwrap(), cell(f)))
        .collect();
    assert_eq!(
        dups,
        [("inbox/2026-10/c.xlsx".to_string(), "A4".to_string())]
    );
    let parts = ing
        .findings
        .iter()
        .filter(|f| f.code == "row.partition_duplicate")
        .count();
    assert_eq!(parts, 7, "6 ids of b against a, D-1 of c against b");
    let counts: Vec<(u64, u64, u64)> = ing
        .files
        .iter()
        .map(|f| (f.accepted(), f.rejected(), f.superseded()))
        .collect();
    assert_eq!(counts, [(0, 0, 6), (5, 0, 1), (2, 1, 0)]);
}

/// Reading a workbook from its path (the pipeline) and from memory (`check
/// FILE`, tests) gives the same records, findings and counts, hash included.
#[test]
fn a_workbook_reads_the_same_from_disk_and_from_memory() {
    let (_dir, ws, inbox) = inbox_workspace("inbox");
    let mut rows = vec![inc("M-1"), inc("M-2"), inc("M-1")];
    rows.push(vec![
        S("M-3"),
        S("acme"),
        S("nope"),
        S("P9"),
        S("yesterday"),
    ]);
    let bytes = incidents(rows);
    let path = inbox.join("m.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let disk = ingest::ingest(&ws, &catalogue(), &[path], &IngestOptions::default());
    let mem = read("inbox/m.xlsx", &bytes);
    assert_eq!(disk.dataset, mem.dataset);
    assert_eq!(disk.findings, mem.findings);
    assert_eq!(disk.files, mem.files);
    assert_eq!(disk.files[0].bytes, bytes.len() as u64);
    assert_eq!(disk.findings.len(), 4, "{:#?}", disk.findings);
}

/// Repeated values are stored once: every record of a sheet shares its
/// customer and service strings and its file/sheet origin; category, group and
/// summary are validated but not kept (no figure uses them).
#[test]
fn records_share_their_repeated_strings() {
    let mut rows = Vec::new();
    for i in 0..50 {
        let mut r = inc(Box::leak(format!("S-{i}").into_boxed_str()));
        r.extend([E, E, E, S("网络"), S("二线"), S("打印机故障")]);
        rows.push(r);
    }
    let ing = read("s.xlsx", &incidents_with_text_columns(rows));
    assert!(ing.findings.is_empty(), "{:#?}", ing.findings);
    let inc = &ing.dataset.incidents;
    assert_eq!(inc.len(), 50, "{:#?}", ing.findings);
    let (a, b) = (&inc[0], &inc[49]);
    assert!(std::ptr::eq(a.customer.as_str(), b.customer.as_str()));
    assert!(std::ptr::eq(a.service.as_str(), b.service.as_str()));
    assert!(std::ptr::eq(a.src.file(), b.src.file()));
    assert_eq!(
        (a.src.file(), a.src.sheet(), a.src.row),
        ("s.xlsx", "事件", 2)
    );
    // The origin serialises as the plain triple.
    let j = serde_json::to_value(&b.src).unwrap();
    assert_eq!(
        j,
        serde_json::json!({"file": "s.xlsx", "sheet": "事件", "row": 51})
    );
}

fn incidents_with_text_columns(rows: Vec<Vec<V>>) -> Vec<u8> {
    let mut h = head(&INC_HEAD);
    h.extend(head(&[
        "状态",
        "重大事件",
        "满意度",
        "类别",
        "处理组",
        "摘要",
    ]));
    let mut all = vec![h];
    all.extend(rows);
    book(vec![sheet("事件", all)])
}

/// A temporary workspace with an empty inbox folder `sub` (kept alive by the returned dir).
fn inbox_workspace(sub: &str) -> (tempfile::TempDir, Workspace, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let inbox = dir.path().join(sub);
    std::fs::create_dir_all(&inbox).unwrap();
    (dir, ws, inbox)
}

/// Every code of the table is emitted by the reader: one workbook (and a few
/// hostile files) with each kind of problem, read as the pipeline reads them;
/// the codes found are exactly the table's, each with its table severity.
#[test]
fn every_code_of_the_table_is_emitted() {
    use svcreport::findings::Code;
    let (dir, ws, inbox) = inbox_workspace("inbox");
    let mut cat = catalogue();
    cat.suppliers.push(Supplier {
        id: "telco".into(),
        name: "电信".into(),
        name_en: None,
    });
    let good = |id: &'static str| -> Vec<V> {
        vec![
            S(id),
            S("acme"),
            S("email"),
            S("P3"),
            D("2026-10-01 08:00"),
            E,
            D("2026-10-01 09:00"),
            E,
            E,
            E,
            E,
            E,
            E,
        ]
    };
    let with = |id: &'static str, col: usize, v: V| {
        let mut r = good(id);
        r[col] = v;
        r
    };
    let mut head_row = head(&INC_HEAD);
    head_row.extend(head(&["状态", "重大事件", "满意度", "备注", "客户"]));
    let incidents = vec![
        head_row,
        good("E-1"),
        with("E-2", 1, S("nobody")),            // ref.unknown_customer
        with("E-3", 2, S("nope")),              // ref.unknown_service
        with("E-4", 1, S("globex")),            // ref.service_not_for_customer
        with("E-5", 4, S("N/A")),               // value.not_a_date
        with("E-6", 4, S("2026/7/1")),          // value.no_time
        with("E-7", 7, S("abc")),               // value.not_a_number
        with("E-8", 10, N(4.5)),                // value.not_an_integer
        with("E-9", 10, N(6.0)),                // value.out_of_range
        with("E-10", 3, S("P9")),               // value.not_a_priority
        with("E-11", 8, S("done")),             // value.not_a_choice
        with("E-12", 9, S("maybe")),            // value.not_yes_no
        with("E-13", 0, E),                     // value.required
        with("E-14", 0, F("=NA()", "#N/A")),    // value.error_cell
        with("E-15", 5, D("2026-10-01 07:00")), // row.time_order
        good("E-1"),                            // row.duplicate_id
        {
            // row.outside_period: opened and resolved in August
            let mut r = with("E-16", 4, D("2026-08-01 08:00"));
            r[6] = D("2026-08-01 09:00");
            r
        },
        {
            // row.closed_without_resolution: closed, no Resolved At (nor Closed At)
            let mut r = with("E-17", 8, S("已关闭"));
            r[6] = E;
            r
        },
        vec![S("合计")],                                                 // row.total
        with("E-18", 0, S("E-18😀\u{202E}")), // value.unprintable, value.invisible
        with("E-19", 0, S(Box::leak("X".repeat(300).into_boxed_str()))), // value.too_long
        with("E-20", 2, S("ERP系统")),        // ref.near_match (the catalogue has "ERP 系统")
    ];
    let mut hidden = sheet(
        "Surveys",
        vec![
            head(&["客户", "日期", "评分"]),
            vec![S("acme"), S("2026/10/8"), N(4.0)],
        ],
    );
    hidden.hidden = true; // sheet.hidden
    let workbook = book(vec![
        sheet("事件", incidents),
        sheet("Sheet9", vec![head(&["编号", "内容"]), head(&["1", "x"])]), // sheet.unrecognised
        hidden,
        sheet(
            "流程指标",
            vec![
                head(&["流程", "指标", "期间", "数值"]),
                vec![S("变更管理"), S("变更成功率"), S("十月"), N(97.0)], // value.not_a_period
                // catalogue.name_missing: a process the catalogue has no entry for.
                vec![S("变更管理"), S("变更成功率"), S("2026-10"), N(97.0)],
            ],
        ),
        sheet(
            "供应商工单",
            vec![
                head(&["供应商", "合同", "工单号", "优先级", "报告时间"]),
                vec![
                    S("nobody"),
                    S("UC-NETCO"),
                    S("N-1"),
                    S("P2"),
                    D("2026-10-01 08:00"),
                ], // ref.unknown_supplier
                vec![
                    S("netco"),
                    S("UC-NONE"),
                    S("N-2"),
                    S("P2"),
                    D("2026-10-01 08:00"),
                ], // ref.unknown_contract
                vec![
                    S("telco"),
                    S("UC-NETCO"),
                    S("N-3"),
                    S("P2"),
                    D("2026-10-01 08:00"),
                ], // ref.contract_supplier_mismatch
            ],
        ),
        // sheet.missing_column: a change sheet without its type.
        sheet(
            "变更",
            vec![head(&["变更单号", "服务"]), vec![S("C-1"), S("erp")]],
        ),
    ]);
    std::fs::write(inbox.join("all.xlsx"), workbook).unwrap();
    // Later deliveries: delivery.period_conflict (folder 2026-10, name 2026-09), row.updated
    // (E-1 gets a response), row.regressed (E-16's priority), row.partition_duplicate (P-1
    // in two files of 2026-11).
    for d in ["2026-10", "2026-11"] {
        std::fs::create_dir_all(inbox.join(d)).unwrap();
    }
    let mut e1 = good("E-1");
    e1[5] = D("2026-10-01 08:30");
    let mut e16 = good("E-16");
    e16[3] = S("P1");
    e16[4] = D("2026-08-01 08:00");
    e16[6] = D("2026-08-01 09:00");
    let later = book(vec![sheet(
        "事件",
        vec![head(&INC_HEAD), e1[..8].to_vec(), e16[..8].to_vec()],
    )]);
    std::fs::write(inbox.join("2026-10/later-2026-09.xlsx"), later).unwrap();
    for f in ["x.xlsx", "y.xlsx"] {
        let p1 = book(vec![sheet("事件", vec![head(&INC_HEAD), inc("P-1")])]);
        std::fs::write(inbox.join("2026-11").join(f), p1).unwrap();
    }
    // delivery.declared_period_conflict: the 说明 sheet declares 2026-09, the folder 2026-11.
    let declared = book(vec![
        sheet("说明", vec![vec![S("报告期间"), S("2026-09")]]),
        sheet("事件", vec![head(&INC_HEAD), inc("DP-1")]),
    ]);
    std::fs::write(inbox.join("2026-11/declared.xlsx"), declared).unwrap();
    let ok = incidents_workbook_for_hostile_cases();
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 504]);
    encrypted.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let bomb = zip_with(&[
        ("xl/workbook.xml", b"<workbook/>".to_vec()),
        ("xl/worksheets/sheet1.xml", vec![b' '; 2 * 1024 * 1024]),
    ]);
    // sheet.beyond_limits: a cell right of XFD (no writer makes one).
    let beyond = zip_with(&[
        (
            "_rels/.rels",
            br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec(),
        ),
        (
            "xl/workbook.xml",
            br#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_vec(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_vec(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="XFE1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#.to_vec(),
        ),
    ]);
    // ingest.symlink: a link in the inbox.
    std::os::unix::fs::symlink("/etc/passwd", inbox.join("link.xlsx")).unwrap();
    for (name, bytes) in [
        ("beyond.xlsx", beyond),                   // sheet.beyond_limits
        ("empty.xlsx", vec![]),                    // ingest.empty
        ("report.xlsx", b"%PDF-1.7\n".to_vec()),   // ingest.not_a_spreadsheet
        ("locked.xlsx", encrypted),                // ingest.encrypted
        ("bomb.xlsx", bomb),                       // ingest.too_large
        ("cut.xlsx", ok[..ok.len() / 2].to_vec()), // ingest.unreadable
        // ingest.encoding: a UTF-8 byte-order mark, then bytes that are not UTF-8.
        (
            "latin.csv",
            b"\xef\xbb\xbf\xe5\xb7\xa5\xe5\x8d\x95\xe5\x8f\xb7,x\nT-1,caf\xe9\n".to_vec(),
        ),
        // profile.chosen and profile.ambiguous (two profiles' files match), value.unmapped
        // (a priority the Jira profile does not list), value.not_in_format (a date its
        // formats cannot read).
        (
            "jira-2026-10.csv",
            b"Issue key,Issue id,Priority,Created,Custom field (Organizations),Custom field (Request Type)\n\
              IT-1,1,Blocker,05/Oct/26 9:15 AM,acme,email\n\
              IT-2,2,High,yesterday,acme,email\n"
                .to_vec(),
        ),
        // row.superseded_in_log: an event log whose ticket has two rows (the later wins).
        (
            "sn-log.csv",
            b"number,company,business_service,priority,opened_at,sys_mod_count\n\
              INC-L1,acme,email,3 - Moderate,2026-10-01 08:00:00,0\n\
              INC-L1,acme,email,2 - High,2026-10-01 08:00:00,1\n"
                .to_vec(),
        ),
        // ingest.encoding_assumed: a ServiceNow CSV (recognised by its header) in
        // Windows-1252, ServiceNow's default CSV encoding.
        (
            "servicenow.csv",
            b"number,company,business_service,priority,opened_at\nINC\xe901,acme,email,3 - Moderate,2026-10-01 08:00:00\n"
                .to_vec(),
        ),
    ] {
        std::fs::write(inbox.join(name), bytes).unwrap();
    }
    let inbox = ingest::inbox(&ws).unwrap();
    let jira = |files: &str| svcreport::workspace::ProfileSpec {
        extends: Some("jira".into()),
        files: Some(vec![files.into()]),
        ..Default::default()
    };
    let log = svcreport::workspace::ProfileSpec {
        extends: Some("servicenow".into()),
        files: Some(vec!["sn-log.csv".into()]),
        order_by: Some(vec!["sys_mod_count".into()]),
        ..Default::default()
    };
    let profiles = svcreport::ingest::profile::Profiles::compile(&[
        ("jira-ours".into(), jira("jira-*.csv")),
        ("any-jira".into(), jira("*-2026-10.csv")),
        ("sn-log".into(), log),
    ])
    .unwrap();
    let opts = IngestOptions {
        period: Some(Period::parse("2026-10").unwrap()),
        max_uncompressed_bytes: 1024 * 1024,
        profiles: Some(&profiles),
        ..IngestOptions::default()
    };
    let mut ing = ingest::ingest(&ws, &cat, &inbox.files, &opts);
    ing.findings.extend(inbox.refused);
    // catalogue.name_missing: `check` names the processes this catalogue lacks.
    let gaps = svcreport::app::check::name_gaps(&ws, &cat, &ing.dataset);
    ing.findings.extend(gaps);
    assert_reconciles(&ing.files);
    let found: std::collections::BTreeSet<Code> = ing.findings.iter().map(|f| f.code).collect();
    let all: std::collections::BTreeSet<Code> = Code::ALL.iter().copied().collect();
    let missing: Vec<&str> = all.difference(&found).map(|c| c.id()).collect();
    assert!(
        missing.is_empty(),
        "never emitted: {missing:?}\n{}",
        svcreport::findings::render_text(&ing.findings, Lang::En)
    );
    for f in &ing.findings {
        assert_eq!(f.severity, f.code.severity(), "{f:?}");
    }
    drop(dir);
}

fn incidents_workbook_for_hostile_cases() -> Vec<u8> {
    incidents(vec![inc("H-1"), inc("H-2")])
}

/// Times written with `Z` or an offset are converted to the workspace's timezone; a time
/// without one is local already; a fraction rounding past midnight is the next day.
#[test]
fn utc_and_offset_times_become_the_workspaces_local_time() {
    let bytes = book(vec![sheet(
        "事件",
        vec![
            head(&INC_HEAD),
            vec![
                S("INC-Z"),
                S("acme"),
                S("email"),
                S("P2"),
                S("2026-10-06T01:20:00Z"),
                E,
                S("2026-10-06T02:00:00+00:00"),
                E,
            ],
            vec![
                S("INC-L"),
                S("acme"),
                S("email"),
                S("P2"),
                S("2026-10-06 01:20:00"),
                E,
                S("2026-10-06 23:59:59.6"),
                E,
            ],
        ],
    )]);
    let ing = read("utc.xlsx", &bytes);
    let by = |id: &str| {
        ing.dataset
            .incidents
            .iter()
            .find(|i| i.id.as_str() == id)
            .unwrap_or_else(|| panic!("{id}: {:?}", ing.findings))
    };
    let dt = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    // Asia/Shanghai is UTC+8.
    assert_eq!(by("INC-Z").opened, dt("2026-10-06 09:20:00"));
    assert_eq!(by("INC-Z").resolved, Some(dt("2026-10-06 10:00:00")));
    assert_eq!(by("INC-L").opened, dt("2026-10-06 01:20:00"));
    assert_eq!(by("INC-L").resolved, Some(dt("2026-10-07 00:00:00")));
    // Another workspace timezone converts the same cell differently.
    let opts = IngestOptions {
        timezone: chrono_tz::Europe::Rome,
        ..IngestOptions::default()
    };
    let rome = ingest::read_bytes("utc.xlsx", &bytes, &catalogue(), &opts);
    assert_eq!(rome.dataset.incidents[0].opened, dt("2026-10-06 03:20:00"));
}

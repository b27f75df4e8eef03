//! A rich, hand-built `ReportDoc` (about ten A4 pages) for the PDF tests and benchmark:
//! cover, a summary of every target with statuses and trends, charts (line with a target,
//! grouped bars, stacked bars), a 120-row incident table that spans pages, Chinese and
//! English paragraphs, breaches, improvement items and the reconciliation appendix.

use std::collections::BTreeMap;

use svcreport::report::Status;
use svcreport::report::doc::*;

pub const TITLE: &str = "服务级别月度报告 2026年10月";
pub const PARTY: &str = "华东电网有限公司";
pub const ZH_PARAGRAPH: &str = "本月核心业务系统可用性为99.95%，达到服务级别协议约定的99.9%目标。\
    事件管理方面共受理事件412件，其中P1级事件2件，均在4小时内解决；\
    变更成功率为98.6%，低于99%的目标，已列入改进事项并由变更管理流程负责跟踪。";
pub const EN_PARAGRAPH: &str = "Availability of the core business system was 99.95% against a 99.9% target. \
    Two priority-1 incidents were resolved within four hours; the change success rate of 98.6% \
    missed its 99% target and has been raised as an improvement item owned by change management.";

fn text(s: impl Into<String>) -> Cell {
    Cell::Text { text: s.into() }
}

fn num(value: f64, decimals: u8, percent: bool) -> Cell {
    let text = if percent {
        format!("{value:.prec$}%", prec = decimals as usize)
    } else {
        format!("{value:.prec$}", prec = decimals as usize)
    };
    Cell::Number {
        value,
        text,
        decimals,
        percent,
    }
}

pub fn status(s: Status) -> Cell {
    let label = match s {
        Status::Met => "达标",
        Status::AtRisk => "预警",
        Status::Breached => "未达标",
        Status::NotApplicable => "不适用",
        Status::DataMissing => "数据缺失",
    };
    Cell::Status(StatusCell {
        status: s,
        label: label.into(),
    })
}

fn trend(arrow: &str, better: Option<bool>) -> Cell {
    Cell::Trend {
        arrow: arrow.into(),
        better,
    }
}

fn col(key: &str, label: &str, align: Align, width: f32) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        align,
        width,
    }
}

fn labels() -> Labels {
    let map: BTreeMap<String, String> = [
        ("doc_number", "文档编号"),
        ("version", "版本"),
        ("status", "状态"),
        ("compiler", "编制"),
        ("reviewer", "审核"),
        ("approver", "批准"),
        ("period", "报告期间"),
        ("customer", "客户"),
        ("generated_at", "生成时间"),
        ("page", "第 {page} 页 / 共 {total} 页"),
        ("draft_mark", "草稿 DRAFT"),
        ("content_hash", "内容校验值"),
        ("contents", "目录"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Labels { map }
}

/// id, name, actual, target, status, trend arrow, trend better.
type SummaryRow = (
    &'static str,
    &'static str,
    f64,
    &'static str,
    Status,
    &'static str,
    Option<bool>,
);

fn summary_table() -> Table {
    let rows: Vec<SummaryRow> = vec![
        (
            "SLA-01",
            "核心业务系统可用性",
            99.95,
            "≥ 99.9%",
            Status::Met,
            "↑",
            Some(true),
        ),
        (
            "SLA-02",
            "网上营业厅可用性",
            99.87,
            "≥ 99.9%",
            Status::Breached,
            "↓",
            Some(false),
        ),
        (
            "SLA-03",
            "P1事件响应及时率",
            100.0,
            "≥ 95%",
            Status::Met,
            "→",
            None,
        ),
        (
            "SLA-04",
            "P1事件解决及时率",
            100.0,
            "≥ 95%",
            Status::Met,
            "↑",
            Some(true),
        ),
        (
            "SLA-05",
            "P2事件解决及时率",
            96.3,
            "≥ 95%",
            Status::AtRisk,
            "↓",
            Some(false),
        ),
        (
            "SLA-06",
            "P3事件解决及时率",
            97.8,
            "≥ 90%",
            Status::Met,
            "↑",
            Some(true),
        ),
        (
            "SLA-07",
            "服务请求按时完成率",
            98.9,
            "≥ 95%",
            Status::Met,
            "→",
            None,
        ),
        (
            "SLA-08",
            "变更成功率",
            98.6,
            "≥ 99%",
            Status::Breached,
            "↓",
            Some(false),
        ),
        (
            "SLA-09",
            "紧急变更占比",
            3.2,
            "≤ 5%",
            Status::Met,
            "↓",
            Some(true),
        ),
        (
            "SLA-10",
            "客户满意度",
            4.62,
            "≥ 4.5",
            Status::Met,
            "↑",
            Some(true),
        ),
        (
            "OLA-01",
            "二线支持响应时间达标率",
            94.1,
            "≥ 95%",
            Status::AtRisk,
            "↓",
            Some(false),
        ),
        (
            "OLA-02",
            "数据库备份成功率",
            100.0,
            "100%",
            Status::Met,
            "→",
            None,
        ),
        (
            "UC-01",
            "机房供电可用性（供应商）",
            100.0,
            "≥ 99.99%",
            Status::Met,
            "→",
            None,
        ),
        (
            "UC-02",
            "网络专线可用性（供应商）",
            99.92,
            "≥ 99.95%",
            Status::Breached,
            "↓",
            Some(false),
        ),
        (
            "KPI-01",
            "问题管理根因分析完成率",
            0.0,
            "≥ 80%",
            Status::NotApplicable,
            "",
            None,
        ),
    ];
    Table {
        id: "summary".into(),
        title: Some("目标达成汇总".into()),
        columns: vec![
            col("id", "编号", Align::Left, 0.8),
            col("name", "指标", Align::Left, 2.6),
            col("actual", "实际值", Align::Right, 1.0),
            col("target", "目标", Align::Right, 1.0),
            col("status", "状态", Align::Center, 0.9),
            col("trend", "趋势", Align::Center, 0.6),
        ],
        rows: rows
            .into_iter()
            .map(|(id, name, actual, target, st, arrow, better)| {
                let percent = !name.contains("满意度");
                let actual = if st == Status::NotApplicable {
                    text("—")
                } else {
                    num(actual, 2, percent)
                };
                vec![
                    text(id),
                    text(name),
                    actual,
                    text(target),
                    status(st),
                    trend(arrow, better),
                ]
            })
            .collect(),
    }
}

fn incident_table(n: usize) -> Table {
    let services = [
        "核心业务系统",
        "网上营业厅",
        "营销管理系统",
        "财务管控平台",
        "移动作业App",
    ];
    let summaries = [
        "用户登录缓慢，排查为数据库连接池耗尽",
        "报表导出失败（超时）",
        "Printer queue stuck on floor 3",
        "接口调用返回HTTP 502错误，负载均衡节点异常，切换后恢复",
        "密码重置",
    ];
    let rows = (0..n)
        .map(|i| {
            let prio = ["P1", "P2", "P3", "P4"][(i * 7) % 4];
            let minutes = 35.0 + ((i * 37) % 600) as f64 + 0.25;
            let st = if i % 17 == 5 {
                Status::Breached
            } else if i % 11 == 3 {
                Status::AtRisk
            } else {
                Status::Met
            };
            vec![
                text(format!("INC-2026-10-{:04}", i + 1)),
                text(prio),
                text(services[i % services.len()]),
                text(summaries[i % summaries.len()]),
                text(format!(
                    "2026-10-{:02} {:02}:{:02}",
                    1 + i % 31,
                    (i * 5) % 24,
                    (i * 13) % 60
                )),
                num(minutes / 60.0, 2, false),
                status(st),
            ]
        })
        .collect();
    Table {
        id: "incidents".into(),
        title: Some("事件明细（解决时长按服务日历计）".into()),
        columns: vec![
            col("id", "事件编号", Align::Left, 1.35),
            col("priority", "优先级", Align::Center, 0.55),
            col("service", "服务", Align::Left, 1.1),
            col("summary", "摘要", Align::Left, 2.6),
            col("opened", "报告时间", Align::Left, 1.25),
            col("hours", "解决时长(h)", Align::Right, 0.9),
            col("status", "状态", Align::Center, 0.8),
        ],
        rows,
    }
}

fn months() -> Vec<String> {
    (1..=12)
        .map(|m| {
            if m <= 10 {
                format!("2026-{m:02}")
            } else {
                format!("2025-{m:02}")
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .cycle()
        .skip(10)
        .take(12)
        .collect()
}

fn availability_chart() -> Chart {
    let v = [
        99.97, 99.99, 99.93, 99.95, 99.88, 99.96, 99.99, 99.92, 99.97, 99.91, 99.98, 99.95,
    ];
    let mut net = v.map(|x| Some(x - 0.04)).to_vec();
    net[4] = None;
    Chart {
        id: "availability".into(),
        kind: ChartKind::Line,
        title: "可用性月度趋势".into(),
        categories: months(),
        series: vec![
            Series {
                name: "核心业务系统".into(),
                values: v.iter().map(|x| Some(*x)).collect(),
            },
            Series {
                name: "网上营业厅".into(),
                values: net,
            },
        ],
        target: Some(99.9),
        y_label: "可用性 (%)".into(),
        y_min: Some(99.7),
        y_max: Some(100.0),
    }
}

fn compliance_chart() -> Chart {
    Chart {
        id: "compliance".into(),
        kind: ChartKind::Bar,
        title: "事件解决及时率（按优先级）".into(),
        categories: vec!["2026-08".into(), "2026-09".into(), "2026-10".into()],
        series: ["P1", "P2", "P3"]
            .iter()
            .zip([
                [100.0, 100.0, 100.0],
                [97.2, 98.1, 96.3],
                [95.5, 96.9, 97.8],
            ])
            .map(|(n, v)| Series {
                name: (*n).into(),
                values: v.iter().map(|x| Some(*x)).collect(),
            })
            .collect(),
        target: Some(95.0),
        y_label: "及时率 (%)".into(),
        y_min: None,
        y_max: None,
    }
}

fn volume_chart() -> Chart {
    Chart {
        id: "volume".into(),
        kind: ChartKind::StackedBar,
        title: "事件数量（按优先级）".into(),
        categories: vec![
            "2026-05".into(),
            "2026-06".into(),
            "2026-07".into(),
            "2026-08".into(),
            "2026-09".into(),
            "2026-10".into(),
        ],
        series: [
            ("P1", [1.0, 0.0, 3.0, 1.0, 2.0, 2.0]),
            ("P2", [18.0, 22.0, 15.0, 20.0, 25.0, 19.0]),
            ("P3", [160.0, 171.0, 149.0, 188.0, 201.0, 176.0]),
            ("P4", [210.0, 190.0, 230.0, 205.0, 221.0, 215.0]),
        ]
        .iter()
        .map(|(n, v)| Series {
            name: (*n).into(),
            values: v.iter().map(|x| Some(*x)).collect(),
        })
        .collect(),
        target: None,
        y_label: "件数".into(),
        y_min: None,
        y_max: None,
    }
}

/// The fixture: a draft customer report with `incident_rows` incident rows.
pub fn report(incident_rows: usize) -> ReportDoc {
    ReportDoc {
        meta: DocMeta {
            doc_number: "SR-HDDW-2026-10".into(),
            report_id: "customer-monthly".into(),
            title: TITLE.into(),
            title_en: Some("Monthly Service Level Report, October 2026".into()),
            party: PARTY.into(),
            party_en: Some("East China Grid Co., Ltd.".into()),
            organisation: "信息运维中心".into(),
            period: "2026-10".into(),
            period_label: "2026年10月".into(),
            version: "1.0".into(),
            status: DocStatus::Draft,
            compiler: "张伟".into(),
            reviewer: "李娜".into(),
            approver: "王建国".into(),
            compiled_at: "2026-11-03T10:00:00".into(),
            reviewed_at: None,
            approved_at: None,
            generated_at: "2026-11-03T10:05:00".into(),
            tool_version: "0.1.0".into(),
            content_hash: "9f2c4a1be07d3c55a8e61f0d2b7c9e4413a5f6d8c0b1e2f3a4b5c6d7e8f90123".into(),
            supersedes: None,
            language: "zh-CN".into(),
            unsigned: false,
            distribution: vec!["cio@hddw.example".into()],
            revisions: vec![
                RevisionLine {
                    version: "1.0".into(),
                    date: "2026-11-03".into(),
                    change: "初版".into(),
                },
                RevisionLine {
                    version: "1.1".into(),
                    date: "2026-11-04".into(),
                    change: "更新：服务可用性、附录 数据核对".into(),
                },
            ],
            comments: vec![CommentLine {
                label: "批准意见".into(),
                who: "张伟".into(),
                at: "2026-11-05 09:30".into(),
                text: "同意发布；网络可用性的改进措施请在下期报告中说明进展。".into(),
            }],
        },
        labels: labels(),
        style: Style {
            primary: "#1f4e79".into(),
            met: "#2e7d32".into(),
            at_risk: "#ef8c00".into(),
            breached: "#c62828".into(),
            na: "#8a8a8a".into(),
            logo: None,
        },
        sections: vec![
            Section {
                id: "summary".into(),
                title: "服务级别汇总".into(),
                blocks: vec![
                    Block::Paragraph {
                        text: ZH_PARAGRAPH.into(),
                    },
                    Block::KeyValue {
                        pairs: vec![
                            (
                                "统计口径".into(),
                                "按服务日历（工作日 08:30–17:30，节假日除外）计算".into(),
                            ),
                            (
                                "数据来源".into(),
                                "事件、变更、服务请求及可用性记录共 4 个文件".into(),
                            ),
                        ],
                    },
                    Block::Table(summary_table()),
                ],
            },
            Section {
                id: "availability".into(),
                title: "可用性".into(),
                blocks: vec![
                    Block::Paragraph {
                        text: "下图为近12个月可用性趋势，虚线为协议目标。".into(),
                    },
                    Block::Chart(availability_chart()),
                ],
            },
            Section {
                id: "incidents".into(),
                title: "事件管理".into(),
                blocks: vec![
                    Block::Chart(volume_chart()),
                    Block::Chart(compliance_chart()),
                    Block::Heading {
                        text: "事件明细".into(),
                    },
                    Block::Table(incident_table(incident_rows)),
                ],
            },
            Section {
                id: "breaches".into(),
                title: "未达标事项与改进".into(),
                blocks: vec![
                    Block::Paragraph {
                        text: EN_PARAGRAPH.into(),
                    },
                    Block::Table(Table {
                        id: "improvements".into(),
                        title: Some("改进事项".into()),
                        columns: vec![
                            col("id", "编号", Align::Left, 0.8),
                            col("target", "关联目标", Align::Left, 1.4),
                            col("action", "改进措施", Align::Left, 3.0),
                            col("owner", "责任流程", Align::Left, 1.0),
                            col("due", "计划完成", Align::Left, 0.9),
                        ],
                        rows: vec![
                            vec![
                                text("IMP-2026-031"),
                                text("SLA-08 变更成功率"),
                                text("引入变更前自动化回归测试，高风险变更须经CAB评审"),
                                text("变更管理"),
                                text("2026-12-31"),
                            ],
                            vec![
                                text("IMP-2026-032"),
                                text("SLA-02 网上营业厅可用性"),
                                text("负载均衡节点健康检查间隔由30秒缩短为5秒"),
                                text("可用性管理"),
                                text("2026-11-30"),
                            ],
                            vec![
                                text("IMP-2026-033"),
                                text("UC-02 网络专线可用性"),
                                text(
                                    "Escalate to the carrier's service review; request a second diverse route",
                                ),
                                text("供应商管理"),
                                text("2027-01-15"),
                            ],
                        ],
                    }),
                ],
            },
            Section {
                id: "appendix".into(),
                title: "附录：数据核对".into(),
                blocks: vec![Block::Table(Table {
                    id: "reconciliation".into(),
                    title: Some("输入文件".into()),
                    columns: vec![
                        col("file", "文件", Align::Left, 2.0),
                        col("read", "读取", Align::Right, 0.6),
                        col("accepted", "接受", Align::Right, 0.6),
                        col("rejected", "拒绝", Align::Right, 0.6),
                        col("sha", "SHA-256", Align::Left, 3.2),
                    ],
                    rows: [
                        "incidents.xlsx",
                        "changes.xlsx",
                        "requests.xlsx",
                        "availability.xlsx",
                    ]
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        vec![
                            text(format!("inbox/2026-10/{f}")),
                            num((412 + i * 31) as f64, 0, false),
                            num((410 + i * 31) as f64, 0, false),
                            num(2.0, 0, false),
                            text(format!("{:064x}", 0x5eed_u64 * (i as u64 + 1))),
                        ]
                    })
                    .collect(),
                })],
            },
        ],
    }
}

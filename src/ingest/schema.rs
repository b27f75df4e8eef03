//! The provider templates (spec §2.1), as data: datasets, their sheet names,
//! columns (Chinese and English headers), types and required flags.
//!
//! The single definition used by the reader (header matching), the blank
//! templates (`svcreport templates`), the sample generator and the docs, so
//! they cannot drift.

use super::cell::Choices;

pub use crate::model::records::DatasetKind;

/// What a cell must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Text,
    /// Excel date cell or text `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM`, ISO 8601.
    DateTime,
    /// A date (a date-time is accepted and its date taken).
    Date,
    /// A number (full-width digits accepted).
    Number,
    /// A whole number in a range (inclusive).
    Int {
        min: i64,
        max: i64,
    },
    /// P1–P4 in any listed spelling.
    Priority,
    /// 是/否 · yes/no.
    YesNo,
    /// One of a fixed list (the index into `Column::choices`).
    Enum,
    /// A period such as 2026-10.
    Period,
}

/// One column of a dataset.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Stable key used in code (`ticket_id`, `opened_at`, …).
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub ty: ColType,
    pub required: bool,
    /// For `Enum` (and the drop-downs of `YesNo`/`Priority` in templates): accepted
    /// values, each as `canonical|alias|alias…` (canonical first, Chinese then English).
    pub choices: &'static [&'static str],
    /// One line for the template's instructions sheet.
    pub note: &'static str,
    /// The note in Chinese (for the hints of findings).
    pub note_zh: &'static str,
}

impl Column {
    /// The column's names, as findings print them.
    pub const fn name(&self) -> crate::findings::Words {
        crate::findings::Words::new(self.zh, self.en)
    }

    /// The column's note in both languages (empty when it has none).
    pub const fn notes(&self) -> crate::findings::Words {
        crate::findings::Words::new(self.note_zh, self.note)
    }
}

/// One dataset's template.
#[derive(Debug, Clone, Copy)]
pub struct DatasetDef {
    pub kind: DatasetKind,
    /// Stable name (`incidents`), used in JSON, ledgers and file names.
    pub name: &'static str,
    pub sheet_zh: &'static str,
    pub sheet_en: &'static str,
    /// Other sheet names that select this dataset.
    pub sheet_aliases: &'static [&'static str],
    pub columns: &'static [Column],
}

const fn col(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    ty: ColType,
    required: bool,
) -> Column {
    Column {
        key,
        zh,
        en,
        ty,
        required,
        choices: &[],
        note: "",
        note_zh: "",
    }
}
const fn col_n(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    ty: ColType,
    required: bool,
    note: &'static str,
    note_zh: &'static str,
) -> Column {
    Column {
        key,
        zh,
        en,
        ty,
        required,
        choices: &[],
        note,
        note_zh,
    }
}
const fn col_e(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    required: bool,
    choices: &'static [&'static str],
) -> Column {
    Column {
        key,
        zh,
        en,
        ty: ColType::Enum,
        required,
        choices,
        note: "",
        note_zh: "",
    }
}

pub const STATUS_CHOICES: &[&str] = &[
    "新建|new|open",
    "处理中|in progress|in_progress|active|assigned",
    "挂起|pending|on hold|waiting",
    "已解决|resolved",
    "已关闭|closed",
    "已取消|cancelled|canceled|取消",
];
pub const CHANGE_TYPE_CHOICES: &[&str] = &["标准|standard", "常规|normal", "紧急|emergency"];
pub const CHANGE_RESULT_CHOICES: &[&str] = &[
    "成功|successful|success",
    "失败|failed|failure",
    "回退|rolled back|rolled_back|rollback",
];
pub const YES_NO_CHOICES: &[&str] = &["是|yes|y|true|1|√", "否|no|n|false|0|×"];
pub const PRIORITY_CHOICES: &[&str] = &[
    "P1|1|紧急|critical|urgent",
    "P2|2|高|high",
    "P3|3|中|medium|moderate",
    "P4|4|低|low",
];

/// The choice lists with their lookup tables (the reader's side of the lists above).
pub static STATUS: Choices = Choices::new(STATUS_CHOICES);
pub static CHANGE_TYPE: Choices = Choices::new(CHANGE_TYPE_CHOICES);
pub static CHANGE_RESULT: Choices = Choices::new(CHANGE_RESULT_CHOICES);
pub static YES_NO: Choices = Choices::new(YES_NO_CHOICES);
pub static PRIORITY: Choices = Choices::new(PRIORITY_CHOICES);

pub const INCIDENTS: DatasetDef = DatasetDef {
    kind: DatasetKind::Incidents,
    name: "incidents",
    sheet_zh: "事件",
    sheet_en: "Incidents",
    sheet_aliases: &["事件单", "事件工单", "incident"],
    columns: &[
        col_n(
            "ticket_id",
            "工单号",
            "Ticket ID",
            ColType::Text,
            true,
            "unique across the period's inputs",
            "本期所有输入中唯一",
        ),
        col_n(
            "customer",
            "客户",
            "Customer",
            ColType::Text,
            true,
            "customer id or name from the catalogue",
            "目录中的客户编号或名称",
        ),
        col_n(
            "service",
            "服务",
            "Service",
            ColType::Text,
            true,
            "service id or name from the catalogue",
            "目录中的服务编号或名称",
        ),
        col_n(
            "priority",
            "优先级",
            "Priority",
            ColType::Priority,
            true,
            "P1–P4 (also 1–4, 紧急/高/中/低, Critical/High/Medium/Low)",
            "P1–P4（也可写 1–4、紧急/高/中/低、Critical/High/Medium/Low）",
        ),
        col_n(
            "opened_at",
            "报告时间",
            "Opened At",
            ColType::DateTime,
            true,
            "date and time, e.g. 2026-10-01 08:00",
            "日期和时间，例如 2026-10-01 08:00",
        ),
        col_n(
            "responded_at",
            "响应时间",
            "Responded At",
            ColType::DateTime,
            false,
            "not before Opened At",
            "不早于报告时间",
        ),
        col_n(
            "resolved_at",
            "解决时间",
            "Resolved At",
            ColType::DateTime,
            false,
            "not before Opened At; empty while open",
            "不早于报告时间；未解决时留空",
        ),
        col_n(
            "closed_at",
            "关闭时间",
            "Closed At",
            ColType::DateTime,
            false,
            "not before Resolved At",
            "不早于解决时间",
        ),
        col_n(
            "paused_minutes",
            "挂起时长(分钟)",
            "Paused Minutes",
            ColType::Number,
            false,
            "minutes the SLA clock stopped (waiting for customer), ≥ 0",
            "SLA 计时暂停的分钟数（等待客户），≥ 0",
        ),
        col_e("status", "状态", "Status", false, STATUS_CHOICES),
        Column {
            key: "major",
            zh: "重大事件",
            en: "Major",
            ty: ColType::YesNo,
            required: false,
            choices: YES_NO_CHOICES,
            note: "是/否",
            note_zh: "是/否",
        },
        col("category", "类别", "Category", ColType::Text, false),
        col("group", "处理组", "Assignee Group", ColType::Text, false),
        col("summary", "摘要", "Summary", ColType::Text, false),
        col_n(
            "satisfaction",
            "满意度",
            "Satisfaction",
            ColType::Int { min: 1, max: 5 },
            false,
            "1–5, optional",
            "1–5，可不填",
        ),
    ],
};

pub const OUTAGES: DatasetDef = DatasetDef {
    kind: DatasetKind::Outages,
    name: "outages",
    sheet_zh: "服务中断",
    sheet_en: "Outages",
    sheet_aliases: &["中断", "outage"],
    columns: &[
        col_n(
            "service",
            "服务",
            "Service",
            ColType::Text,
            true,
            "service id or name",
            "服务编号或名称",
        ),
        col_n(
            "customer",
            "客户",
            "Customer",
            ColType::Text,
            false,
            "empty = every customer of the service",
            "留空 = 该服务的所有客户",
        ),
        col_n(
            "start",
            "开始时间",
            "Start",
            ColType::DateTime,
            true,
            "date and time",
            "日期和时间",
        ),
        col_n(
            "end",
            "结束时间",
            "End",
            ColType::DateTime,
            false,
            "empty = still down at period end",
            "留空 = 期末仍未恢复",
        ),
        Column {
            key: "planned",
            zh: "计划内",
            en: "Planned",
            ty: ColType::YesNo,
            required: true,
            choices: YES_NO_CHOICES,
            note: "是 = planned maintenance (excluded from agreed service time)",
            note_zh: "是 = 计划内维护（不计入约定服务时间）",
        },
        col("description", "说明", "Description", ColType::Text, false),
    ],
};

pub const CHANGES: DatasetDef = DatasetDef {
    kind: DatasetKind::Changes,
    name: "changes",
    sheet_zh: "变更",
    sheet_en: "Changes",
    sheet_aliases: &["变更单", "change"],
    columns: &[
        col_n(
            "change_id",
            "变更单号",
            "Change ID",
            ColType::Text,
            true,
            "unique across the period's inputs",
            "本期所有输入中唯一",
        ),
        col("customer", "客户", "Customer", ColType::Text, false),
        col("service", "服务", "Service", ColType::Text, true),
        col_e("type", "类型", "Type", true, CHANGE_TYPE_CHOICES),
        col(
            "planned_start",
            "计划开始",
            "Planned Start",
            ColType::DateTime,
            false,
        ),
        col(
            "planned_end",
            "计划结束",
            "Planned End",
            ColType::DateTime,
            false,
        ),
        col_n(
            "actual_end",
            "实际结束",
            "Actual End",
            ColType::DateTime,
            false,
            "required for a closed change (one with a result)",
            "已关闭的变更（已填写结果）必填",
        ),
        col_e("result", "结果", "Result", false, CHANGE_RESULT_CHOICES),
        Column {
            key: "caused_incident",
            zh: "引发事件",
            en: "Caused Incident",
            ty: ColType::YesNo,
            required: false,
            choices: YES_NO_CHOICES,
            note: "是/否",
            note_zh: "是/否",
        },
    ],
};

pub const REQUESTS: DatasetDef = DatasetDef {
    kind: DatasetKind::Requests,
    name: "requests",
    sheet_zh: "服务请求",
    sheet_en: "Requests",
    sheet_aliases: &["请求", "service requests", "request"],
    columns: &[
        col_n(
            "request_id",
            "请求单号",
            "Request ID",
            ColType::Text,
            true,
            "unique across the period's inputs",
            "本期所有输入中唯一",
        ),
        col("customer", "客户", "Customer", ColType::Text, true),
        col("service", "服务", "Service", ColType::Text, true),
        col(
            "opened_at",
            "提交时间",
            "Opened At",
            ColType::DateTime,
            true,
        ),
        col(
            "fulfilled_at",
            "完成时间",
            "Fulfilled At",
            ColType::DateTime,
            false,
        ),
        col_n(
            "paused_minutes",
            "挂起时长(分钟)",
            "Paused Minutes",
            ColType::Number,
            false,
            "≥ 0",
            "≥ 0",
        ),
        col_e("status", "状态", "Status", false, STATUS_CHOICES),
        col(
            "satisfaction",
            "满意度",
            "Satisfaction",
            ColType::Int { min: 1, max: 5 },
            false,
        ),
    ],
};

pub const SURVEYS: DatasetDef = DatasetDef {
    kind: DatasetKind::Surveys,
    name: "surveys",
    sheet_zh: "满意度调查",
    sheet_en: "Surveys",
    sheet_aliases: &["满意度", "survey", "satisfaction"],
    columns: &[
        col("customer", "客户", "Customer", ColType::Text, true),
        col("service", "服务", "Service", ColType::Text, false),
        col("date", "日期", "Date", ColType::Date, true),
        col_n(
            "score",
            "评分",
            "Score",
            ColType::Int { min: 1, max: 5 },
            true,
            "1–5",
            "1–5",
        ),
        col("comment", "意见", "Comment", ColType::Text, false),
    ],
};

pub const PROCESS_KPIS: DatasetDef = DatasetDef {
    kind: DatasetKind::ProcessKpis,
    name: "process_kpis",
    sheet_zh: "流程指标",
    sheet_en: "Process KPIs",
    sheet_aliases: &["process kpi", "kpi", "kpis"],
    columns: &[
        col("process", "流程", "Process", ColType::Text, true),
        col("kpi", "指标", "KPI", ColType::Text, true),
        col_n(
            "period",
            "期间",
            "Period",
            ColType::Period,
            true,
            "e.g. 2026-10",
            "例如 2026-10",
        ),
        col("value", "数值", "Value", ColType::Number, true),
        col("unit", "单位", "Unit", ColType::Text, false),
    ],
};

pub const SUPPLIER_TICKETS: DatasetDef = DatasetDef {
    kind: DatasetKind::SupplierTickets,
    name: "supplier_tickets",
    sheet_zh: "供应商工单",
    sheet_en: "Supplier Tickets",
    sheet_aliases: &["供应商", "supplier ticket", "supplier"],
    columns: &[
        col("supplier", "供应商", "Supplier", ColType::Text, true),
        col_n(
            "contract",
            "合同",
            "Contract",
            ColType::Text,
            true,
            "the UC agreement id",
            "UC 协议的编号",
        ),
        col("ticket_id", "工单号", "Ticket ID", ColType::Text, true),
        col("priority", "优先级", "Priority", ColType::Priority, true),
        col(
            "reported_at",
            "报告时间",
            "Reported At",
            ColType::DateTime,
            true,
        ),
        col(
            "responded_at",
            "响应时间",
            "Responded At",
            ColType::DateTime,
            false,
        ),
        col(
            "restored_at",
            "恢复时间",
            "Restored At",
            ColType::DateTime,
            false,
        ),
    ],
};

pub const CAPACITY: DatasetDef = DatasetDef {
    kind: DatasetKind::Capacity,
    name: "capacity",
    sheet_zh: "容量",
    sheet_en: "Capacity",
    sheet_aliases: &["容量数据", "utilisation", "utilization"],
    columns: &[
        col("resource", "资源", "Resource", ColType::Text, true),
        col("service", "服务", "Service", ColType::Text, false),
        col("date", "日期", "Date", ColType::Date, true),
        col_n(
            "utilisation",
            "使用率(%)",
            "Utilisation %",
            ColType::Number,
            true,
            "percent, 0–100 (more = over-subscribed)",
            "百分比，0–100（超过 100 表示超额使用）",
        ),
        col_n(
            "threshold",
            "阈值(%)",
            "Threshold %",
            ColType::Number,
            false,
            "percent",
            "百分比",
        ),
    ],
};

/// Every dataset, in template order.
pub const DATASETS: [&DatasetDef; 8] = [
    &INCIDENTS,
    &OUTAGES,
    &CHANGES,
    &REQUESTS,
    &SURVEYS,
    &PROCESS_KPIS,
    &SUPPLIER_TICKETS,
    &CAPACITY,
];

/// Sheet names that are instructions, never data.
pub const SKIPPED_SHEETS: &[&str] = &["说明", "instructions", "readme", "填写说明"];

impl DatasetDef {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }
    /// The dataset as findings name it (key and sheet names).
    pub const fn names(&self) -> crate::findings::DatasetName {
        crate::findings::DatasetName {
            key: self.name,
            sheet: crate::findings::Words::new(self.sheet_zh, self.sheet_en),
        }
    }
    /// Bilingual header as written in the blank templates: `工单号 Ticket ID`.
    pub fn template_header(c: &Column) -> String {
        format!("{} {}", c.zh, c.en)
    }
}

pub fn dataset(kind: DatasetKind) -> &'static DatasetDef {
    DATASETS
        .iter()
        .find(|d| d.kind == kind)
        .copied()
        .expect("every kind is listed")
}

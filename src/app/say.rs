//! What the commands print for people, in the workspace's language: one
//! message table (zh-CN and en side by side) for the summaries of `run`,
//! `render`, `status`, `review`, `approve`, `distribute`, `verify` and `audit`.
//! The findings' own table is `findings::Message`.
//!
//! A [`Say`] carries values, never wording; [`Say::text`] words it. Logic never
//! reads these texts (`--format json` carries the typed values).

use chrono::{NaiveDate, NaiveDateTime};

use super::evidence::StepCheck;
use crate::findings::Lang;
use crate::model::document::{DocStatus, DocVersion, SignOff};
use crate::model::period::Period;
use crate::timeliness::{Flag, Progress, State};

/// One line a command prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Say<'a> {
    /// `improvements`: one item of the register.
    RegisterItem(&'a crate::register::Item),
    /// `improvements`: the register has nothing to list.
    RegisterEmpty {
        all: bool,
    },
    /// `improvements set`: an item was changed.
    RegisterUpdated(&'a crate::register::Item),
    /// `run`: what the batch did to the improvement register.
    RegisterRun {
        raised: usize,
        reopened: usize,
    },
    /// `improvements export`: the workbook written.
    RegisterExported {
        path: &'a str,
        items: usize,
    },
    /// `run`: the reconciliation of the inputs.
    RunRows {
        period: Period,
        files: usize,
        read: u64,
        accepted: u64,
        rejected: u64,
        blank: u64,
    },
    /// `run`: the findings' counts.
    RunFindings {
        errors: usize,
        warnings: usize,
        notes: usize,
    },
    /// `run`: the heading of the documents' list.
    Reports,
    /// `run`: one document.
    Report {
        doc_number: &'a str,
        period: Period,
        version: DocVersion,
        status: DocStatus,
        what: crate::app::batch::OutcomeKind,
        supersedes: Option<DocVersion>,
    },
    /// `run`: an earlier period the trends leave out.
    HistoryGap {
        period: Period,
        reason: String,
    },
    /// `run --strict` refused.
    Refused {
        errors: usize,
    },
    /// `run --strict` refused: required data are missing.
    RefusedMissing,
    /// A period's figures have data missing: the datasets not delivered.
    DataMissing {
        period: Period,
        datasets: String,
    },
    LateOrAtRisk,
    DueNext,
    /// `run`: when the next period's data and report are due.
    Due {
        doc_number: &'a str,
        period: Period,
        data: Result<NaiveDate, crate::model::calendar::CalendarError>,
        report: Result<NaiveDate, crate::model::calendar::CalendarError>,
    },
    /// `status`: the time the table is as of.
    AsOf(NaiveDateTime),
    /// `status`: a report and where it stands.
    StatusHead {
        doc_number: &'a str,
        period: Period,
        report_id: &'a str,
        state: State,
    },
    /// `status`: the data's due date and arrival.
    StatusData {
        due: Option<NaiveDate>,
        arrived: Option<NaiveDateTime>,
    },
    /// `status`: the report's due date and first generation.
    StatusReport {
        due: Option<NaiveDate>,
        generated: Option<NaiveDateTime>,
    },
    /// `status`: the latest version, its status, approval (and how it was taken) and distribution.
    StatusDoc {
        version: Option<DocVersion>,
        status: Option<DocStatus>,
        approved: Option<NaiveDateTime>,
        signing: Option<SignOff>,
        distributed: Option<NaiveDateTime>,
    },
    /// `status`: why.
    Flag(Flag),
    NothingDue,
    /// `review`/`approve`: the step recorded.
    Stepped {
        doc_number: &'a str,
        version: DocVersion,
        status: DocStatus,
        name: &'a str,
        at: NaiveDateTime,
    },
    /// `distribute`: one copy made.
    Sent {
        path: &'a str,
        recipient: &'a str,
    },
    AlreadySent(usize),
    /// `audit`: everything matches.
    AuditOk {
        doc_number: &'a str,
        version: DocVersion,
        status: DocStatus,
        inputs: usize,
        content_hash: &'a str,
        files: usize,
        at: NaiveDateTime,
    },
    /// `audit`: something differs (the differences follow).
    AuditDiffers {
        doc_number: &'a str,
        version: DocVersion,
        at: NaiveDateTime,
    },
    /// `review`/`approve`: the signature made, and with what.
    SignedWith {
        fingerprint: &'a str,
        by: String,
    },
    /// `review`/`approve`: taken by name, unsigned.
    TakenByName,
    /// `verify`/`audit`: a review or an approval, and what its signature proves.
    Step(&'a StepCheck),
    /// `verify`/`audit`: a later version exists.
    Superseded {
        version: DocVersion,
        status: DocStatus,
    },
    /// `verify`: no later version.
    Latest {
        doc_number: &'a str,
    },
    /// `verify`: the file is a recorded one.
    Matches {
        file: &'a str,
        doc_number: &'a str,
        version: DocVersion,
        status: DocStatus,
        format: &'a str,
        period: &'a str,
        path: &'a str,
    },
    /// `verify`: the version's status moved on since this file.
    VersionNow {
        now: DocStatus,
        file: DocStatus,
    },
    /// `verify`: the version's content hash.
    ContentHash(&'a str),
    /// `verify`: nobody reviewed or approved the version yet.
    NotSignedOff,
    /// `verify`: the bytes match nothing recorded.
    NoMatch {
        file: &'a str,
        sha256: &'a str,
    },
    /// `verify`: what a file that matches nothing claims to be.
    Claims {
        doc_number: &'a str,
        version: &'a str,
        status: &'a str,
        content_hash: &'a str,
    },
    /// `verify`: the claimed version is recorded with other bytes (the files follow).
    ClaimRecorded,
    /// `verify`: one recorded file of the claimed version.
    RecordedFile {
        format: &'a str,
        status: DocStatus,
        sha256: &'a str,
        path: &'a str,
    },
    /// `verify`: the ledger knows no such version.
    ClaimUnknown,
    /// `verify`: the file names no document.
    NoClaim,
    /// `distribute`: an e-mail accepted by the relay.
    MailSent {
        doc_number: &'a str,
        version: &'a str,
        recipient: &'a str,
        message_id: &'a str,
        response: &'a str,
    },
    /// `distribute`: an e-mail refused or failing after its retries.
    MailFailed {
        doc_number: &'a str,
        version: &'a str,
        recipient: &'a str,
        message_id: &'a str,
        response: &'a str,
        attempts: u32,
    },
    /// `distribute`: sent before; not sent again.
    MailAlready {
        doc_number: &'a str,
        version: &'a str,
        recipient: &'a str,
        message_id: &'a str,
        at: Option<NaiveDateTime>,
    },
    /// `distribute`: the outcome is unknown (the process died mid-transaction); counted as sent.
    MailUnknown {
        doc_number: &'a str,
        version: &'a str,
        recipient: &'a str,
        message_id: &'a str,
        at: Option<NaiveDateTime>,
    },
    /// `distribute --dry-run`: a message that would go (its headers and body follow).
    MailWouldSend {
        doc_number: &'a str,
        version: &'a str,
        recipient: &'a str,
    },
    /// `distribute`: a transient failure, retried.
    MailRetry {
        doc_number: &'a str,
        recipient: &'a str,
        attempt: u32,
        why: &'a str,
    },
}

/// How a review or approval was taken, in `lang`.
pub fn sign_off_word(s: SignOff, lang: Lang) -> &'static str {
    match (s, lang) {
        (SignOff::Signed, Lang::Zh) => "已签名",
        (SignOff::Unsigned, Lang::Zh) => "未签名",
        (SignOff::Legacy, Lang::Zh) => "未签名（旧记录）",
        (SignOff::Signed, Lang::En) => "signed",
        (SignOff::Unsigned, Lang::En) => "unsigned (未签名)",
        (SignOff::Legacy, Lang::En) => "unsigned (未签名, legacy)",
    }
}

fn status_word(s: DocStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.as_str(),
    }
}

/// A register item's state in `lang`.
pub fn item_state(s: crate::register::ItemState, lang: Lang) -> &'static str {
    use crate::register::ItemState;
    match (s, lang) {
        (ItemState::New, Lang::Zh) => "新建",
        (ItemState::InProgress, Lang::Zh) => "处理中",
        (ItemState::Closed, Lang::Zh) => "已关闭",
        (ItemState::New, Lang::En) => "new",
        (ItemState::InProgress, Lang::En) => "in progress",
        (ItemState::Closed, Lang::En) => "closed",
    }
}

/// A target's judgement in `lang`.
pub fn judgement(s: crate::model::status::Status, lang: Lang) -> &'static str {
    use crate::model::status::Status;
    match (s, lang) {
        (Status::Met, Lang::Zh) => "达标",
        (Status::AtRisk, Lang::Zh) => "有风险",
        (Status::Breached, Lang::Zh) => "未达标",
        (Status::NotApplicable, Lang::Zh) => "不适用",
        (Status::DataMissing, Lang::Zh) => "数据缺失",
        (Status::Met, Lang::En) => "met",
        (Status::AtRisk, Lang::En) => "at risk",
        (Status::Breached, Lang::En) => "breached",
        (Status::NotApplicable, Lang::En) => "n/a",
        (Status::DataMissing, Lang::En) => "data missing",
    }
}

/// A target's scope as `customer/service/priority/resource` (the parts it has).
pub fn register_scope(s: &crate::kpi::Scope) -> String {
    [&s.customer, &s.service, &s.priority, &s.resource]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("/")
}

/// The register workbook's column headers (`improvements export`), in `lang`.
pub fn register_headers(lang: Lang) -> [&'static str; 13] {
    match lang {
        Lang::Zh => [
            "编号",
            "协议",
            "指标",
            "范围",
            "责任流程",
            "负责人",
            "提出期间",
            "最近一次",
            "最近判定",
            "改进措施",
            "完成期限",
            "处理状态",
            "重开次数",
        ],
        Lang::En => [
            "Item",
            "Agreement",
            "Metric",
            "Scope",
            "Process",
            "Owner",
            "Raised",
            "Last raised",
            "Last judgement",
            "Action",
            "Due",
            "State",
            "Reopened",
        ],
    }
}

/// The register workbook's history sheet headers, and its sheet names, in `lang`.
pub fn register_history_headers(lang: Lang) -> ([&'static str; 4], [&'static str; 2]) {
    match lang {
        Lang::Zh => (["编号", "时间", "事件", "详情"], ["改进登记册", "历史"]),
        Lang::En => (["Item", "Time", "Event", "Detail"], ["Register", "History"]),
    }
}

/// One event of the register's history as (event, detail), in `lang`.
pub fn register_event(e: &crate::register::Event, lang: Lang) -> (String, String) {
    use crate::register::Event;
    let zh = lang == Lang::Zh;
    match e {
        Event::Raised { period, status } => (
            if zh { "提出" } else { "raised" }.into(),
            format!("{period} {}", judgement(*status, lang)),
        ),
        Event::Recurred { period, status } => (
            if zh { "再次出现" } else { "raised again" }.into(),
            format!("{period} {}", judgement(*status, lang)),
        ),
        Event::Reopened { period, status } => (
            if zh { "重新打开" } else { "reopened" }.into(),
            format!("{period} {}", judgement(*status, lang)),
        ),
        Event::Edited {
            state,
            action,
            due,
            owner,
            note,
        } => {
            let mut parts = Vec::new();
            if let Some(s) = state {
                parts.push(format!(
                    "{}{}",
                    if zh { "状态：" } else { "state: " },
                    item_state(*s, lang)
                ));
            }
            if let Some(a) = action {
                parts.push(format!("{}{a}", if zh { "措施：" } else { "action: " }));
            }
            if let Some(d) = due {
                parts.push(format!("{}{d}", if zh { "期限：" } else { "due: " }));
            }
            if let Some(o) = owner {
                parts.push(format!("{}{o}", if zh { "负责人：" } else { "owner: " }));
            }
            if let Some(n) = note {
                parts.push(format!("{}{n}", if zh { "备注：" } else { "note: " }));
            }
            (
                if zh { "更新" } else { "edited" }.into(),
                parts.join(if zh { "；" } else { "; " }),
            )
        }
    }
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn opt(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "—".into())
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

impl Say<'_> {
    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Say::RegisterItem(i) => {
                let metric = i.key.metric.to_string();
                let scope = register_scope(&i.key.scope);
                let owner = i.owner.as_deref().unwrap_or("—");
                let action = i.action.as_deref().unwrap_or("—");
                if zh {
                    format!(
                        "{}  {}  {} {metric} {scope}  负责人 {owner}  期限 {}  措施：{action}  （{} 提出，最近一次 {} {}）",
                        i.label(),
                        item_state(i.state, lang),
                        i.key.agreement,
                        i.due,
                        i.raised,
                        i.last,
                        judgement(i.last_status, lang)
                    )
                } else {
                    format!(
                        "{}  {}  {} {metric} {scope}  owner {owner}  due {}  action: {action}  (raised {}, last {} {})",
                        i.label(),
                        item_state(i.state, lang),
                        i.key.agreement,
                        i.due,
                        i.raised,
                        i.last,
                        judgement(i.last_status, lang)
                    )
                }
            }
            Say::RegisterEmpty { all } => match (zh, all) {
                (true, false) => "改进登记册中没有未关闭的事项。".to_string(),
                (true, true) => "改进登记册为空。".to_string(),
                (false, false) => "no open item in the improvement register".to_string(),
                (false, true) => "the improvement register is empty".to_string(),
            },
            Say::RegisterUpdated(i) => {
                if zh {
                    format!("已更新 {}：{}", i.label(), item_state(i.state, lang))
                } else {
                    format!("updated {}: {}", i.label(), item_state(i.state, lang))
                }
            }
            Say::RegisterRun { raised, reopened } => {
                if zh {
                    format!(
                        "改进登记册：新增 {raised} 项，重新打开 {reopened} 项（svcreport improvements 查看并记录措施）"
                    )
                } else {
                    format!(
                        "improvement register: {raised} item(s) raised, {reopened} reopened (svcreport improvements to list them and record actions)"
                    )
                }
            }
            Say::RegisterExported { path, items } => {
                if zh {
                    format!("已写出改进登记册：{path}（{items} 项）")
                } else {
                    format!("improvement register written: {path} ({items} item(s))")
                }
            }
            Say::RunRows {
                period,
                files,
                read,
                accepted,
                rejected,
                blank,
            } => {
                if zh {
                    format!(
                        "{period}：{files} 个输入文件；读取 {read} 行 = 接受 {accepted} + 拒绝 {rejected} + 空行 {blank}"
                    )
                } else {
                    format!(
                        "{period}: {files} input file(s); rows read {read} = accepted {accepted} + rejected {rejected} + blank {blank}"
                    )
                }
            }
            Say::RunFindings {
                errors,
                warnings,
                notes,
            } => match (zh, *errors > 0) {
                (true, true) => format!(
                    "问题：错误 {errors} 个，警告 {warnings} 个，提示 {notes} 条 —— 被拒绝的行不参与计算，并列在各报告的附录中"
                ),
                (true, false) => {
                    format!("问题：错误 {errors} 个，警告 {warnings} 个，提示 {notes} 条")
                }
                (false, true) => format!(
                    "findings: {errors} error(s), {warnings} warning(s), {notes} note(s) — rejected rows are excluded and listed in each report's appendix"
                ),
                (false, false) => {
                    format!("findings: {errors} error(s), {warnings} warning(s), {notes} note(s)")
                }
            },
            Say::Reports => if zh { "报告：" } else { "reports:" }.to_string(),
            Say::Report {
                doc_number,
                period,
                version,
                status,
                what,
                supersedes,
            } => {
                use crate::app::batch::OutcomeKind as K;
                let what = if zh {
                    match what {
                        K::New => "新建",
                        K::NewVersion => "新版本",
                        K::Unchanged => "未变",
                        K::Regenerated => "补生成缺失文件",
                        K::ApprovedUnchanged => "已批准，未变",
                    }
                } else {
                    what.as_str()
                };
                let sup = match (supersedes, zh) {
                    (Some(v), true) => format!("，取代 V{v}"),
                    (Some(v), false) => format!(", supersedes V{v}"),
                    (None, _) => String::new(),
                };
                if zh {
                    format!(
                        "  {doc_number} {period} V{version} {}（{what}{sup}）",
                        status.label_zh()
                    )
                } else {
                    // The status stays in Chinese too: it is what the document prints.
                    format!(
                        "  {doc_number} {period} V{version} {} ({what}{sup})",
                        status.label_zh()
                    )
                }
            }
            Say::HistoryGap { period, reason } => {
                if zh {
                    format!("警告：趋势不含 {period}：{reason}")
                } else {
                    format!("warning: the trends leave out {period}: {reason}")
                }
            }
            Say::Refused { errors } => {
                if zh {
                    format!(
                        "已拒绝（--strict）：有 {errors} 个错误，未生成任何报告。请修正输入，或不加 --strict 运行（被拒绝的行不参与计算，并列在附录中）。"
                    )
                } else {
                    format!(
                        "refused (--strict): {errors} error finding(s); nothing was rendered. Fix the inputs or run without --strict (rejected rows are then excluded and listed in the appendix)."
                    )
                }
            }
            Say::RefusedMissing => {
                if zh {
                    "已拒绝（--strict）：所需数据缺失，未生成任何报告。请补交数据，或不加 --strict 运行（缺失数据的指标显示为“数据缺失”）。".to_string()
                } else {
                    "refused (--strict): required data are missing; nothing was rendered. Deliver the data or run without --strict (the targets concerned then show \"data missing\").".to_string()
                }
            }
            Say::DataMissing { period, datasets } => {
                if zh {
                    format!("数据缺失：{period} 未交付 {datasets}；相关指标显示为“数据缺失”")
                } else {
                    format!(
                        "data missing: {datasets} not delivered for {period}; the targets concerned show \"data missing\""
                    )
                }
            }
            Say::LateOrAtRisk => if zh {
                "逾期或有逾期风险："
            } else {
                "late or at risk:"
            }
            .to_string(),
            Say::DueNext => if zh { "下期截止：" } else { "due next:" }.to_string(),
            Say::Due {
                doc_number,
                period,
                data,
                report,
            } => {
                use crate::model::calendar::CalendarError as E;
                // A year the holiday data do not cover: pending, never a made-up date.
                let d = |r: &Result<NaiveDate, E>| match (r, zh) {
                    (Ok(d), _) => d.to_string(),
                    (Err(E::YearNotCovered { calendar, year }), true) => {
                        format!("待节假日数据（{calendar} 尚无 {year} 年数据）")
                    }
                    (Err(E::YearNotCovered { calendar, year }), false) => {
                        format!("pending calendar ({calendar} has no {year} data yet)")
                    }
                    (Err(e), _) => format!("? ({e})"),
                };
                if zh {
                    format!(
                        "  {doc_number} {period}：数据截止 {}，报告截止 {}",
                        d(data),
                        d(report)
                    )
                } else {
                    format!(
                        "  {doc_number} {period}: data by {}, report by {}",
                        d(data),
                        d(report)
                    )
                }
            }
            Say::AsOf(t) => {
                if zh {
                    format!("截至 {}", time(*t))
                } else {
                    format!("as of {}", time(*t))
                }
            }
            Say::StatusHead {
                doc_number,
                period,
                report_id,
                state,
            } => {
                let word = match (state, zh) {
                    (State::OnTime, true) => "按时",
                    (State::AtRisk, true) => "有逾期风险",
                    (State::Late, true) => "逾期",
                    (State::Open, true) => "未到期",
                    (State::OnTime, false) => "on time",
                    (State::AtRisk, false) => "AT RISK",
                    (State::Late, false) => "LATE",
                    (State::Open, false) => "open",
                    (State::PendingCalendar, true) => "待节假日数据",
                    (State::PendingCalendar, false) => "pending calendar",
                };
                format!("{doc_number} {period} ({report_id}) — {word}")
            }
            Say::StatusData { due, arrived } => {
                let (due, arrived) = (day(*due), opt(*arrived));
                if zh {
                    format!("  数据截止     {due}   到达     {arrived}")
                } else {
                    format!("  data due     {due}   arrived   {arrived}")
                }
            }
            Say::StatusReport { due, generated } => {
                let (due, generated) = (day(*due), opt(*generated));
                if zh {
                    format!("  报告截止     {due}   生成     {generated}")
                } else {
                    format!("  report due   {due}   generated {generated}")
                }
            }
            Say::StatusDoc {
                version,
                status,
                approved,
                signing,
                distributed,
            } => {
                let v = version.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
                let st = status.map(|x| status_word(x, lang)).unwrap_or("—");
                let (a, d) = (opt(*approved), opt(*distributed));
                let how = signing
                    .map(|h| {
                        if zh {
                            format!("（{}）", sign_off_word(h, lang))
                        } else {
                            format!(" ({})", sign_off_word(h, lang))
                        }
                    })
                    .unwrap_or_default();
                if zh {
                    format!("  版本         {v}   状态 {st}   批准 {a}{how}   分发 {d}")
                } else {
                    format!(
                        "  version      {v}   status {st}   approved {a}{how}   distributed {d}"
                    )
                }
            }
            Say::Flag(f) => format!("  ! {}", flag(*f, lang)),
            Say::NothingDue => if zh {
                "没有已记录或到期的报告"
            } else {
                "nothing recorded or due"
            }
            .to_string(),
            Say::Stepped {
                doc_number,
                version,
                status,
                name,
                at,
            } => {
                if zh {
                    format!(
                        "{doc_number} V{version} 已由 {name} 于 {} {}",
                        time(*at),
                        match status {
                            DocStatus::Approved => "批准（已批准）",
                            _ => "审核（已审核）",
                        }
                    )
                } else {
                    format!(
                        "{doc_number} V{version} {} by {name} at {}",
                        match status {
                            DocStatus::Approved => "approved (已批准)",
                            _ => "reviewed (已审核)",
                        },
                        at.format("%Y-%m-%dT%H:%M:%S")
                    )
                }
            }
            Say::Sent { path, recipient } => {
                if zh {
                    format!("已分发 {path} 给 {recipient}")
                } else {
                    format!("sent {path} to {recipient}")
                }
            }
            Say::AlreadySent(n) => {
                if zh {
                    format!("{n} 份此前已分发")
                } else {
                    format!("{n} copies were distributed already")
                }
            }
            Say::AuditOk {
                doc_number,
                version,
                status,
                inputs,
                content_hash,
                files,
                at,
            } => {
                if zh {
                    format!(
                        "{doc_number} V{version}（{}）：由 {inputs} 个归档输入重新计算 —— 内容哈希 {content_hash} 与 {files} 个文件哈希一致（审计于 {}）",
                        status_word(*status, lang),
                        time(*at)
                    )
                } else {
                    format!(
                        "{doc_number} V{version} ({}): recomputed from {inputs} archived inputs — content hash {content_hash} and {files} file hash(es) match (audited {})",
                        status.label_zh(),
                        time(*at)
                    )
                }
            }
            Say::AuditDiffers {
                doc_number,
                version,
                at,
            } => {
                if zh {
                    format!("{doc_number} V{version}：不一致（审计于 {}）：", time(*at))
                } else {
                    format!(
                        "{doc_number} V{version}: does NOT match (audited {}):",
                        time(*at)
                    )
                }
            }
            Say::SignedWith { fingerprint, by } => {
                if zh {
                    format!(
                        "  已签名：密钥 {fingerprint}（{by}），命名空间 {}",
                        crate::signing::NAMESPACE
                    )
                } else {
                    format!(
                        "  signed with {fingerprint} ({by}), namespace {}",
                        crate::signing::NAMESPACE
                    )
                }
            }
            Say::TakenByName => if zh {
                "  未签名：按姓名记录"
            } else {
                "  unsigned (未签名): taken by name"
            }
            .to_string(),
            Say::Step(c) => {
                let who = match &c.person {
                    Some(p) => format!("{} ({p})", c.name),
                    None => c.name.clone(),
                };
                let how = match (c.signing, c.valid, zh) {
                    (SignOff::Signed, Some(true), true) => format!(
                        "签名有效，密钥 {}",
                        c.key_fingerprint.as_deref().unwrap_or("?")
                    ),
                    (SignOff::Signed, Some(true), false) => format!(
                        "signature valid, key {}",
                        c.key_fingerprint.as_deref().unwrap_or("?")
                    ),
                    (SignOff::Signed, _, true) => {
                        format!("签名无效：{}", c.problem.as_deref().unwrap_or("?"))
                    }
                    (SignOff::Signed, _, false) => format!(
                        "signature INVALID: {}",
                        c.problem.as_deref().unwrap_or("?")
                    ),
                    (h, _, _) => sign_off_word(h, lang).to_string(),
                };
                let approve = c.step == crate::ledger::Step::Approve;
                if zh {
                    let verb = if approve { "批准" } else { "审核" };
                    format!("  {who} 于 {} {verb}：{how}", time(c.at))
                } else {
                    let verb = if approve { "approved" } else { "reviewed" };
                    format!("  {verb} by {who} at {}: {how}", time(c.at))
                }
            }
            Say::Superseded { version, status } => {
                let pending = *status != DocStatus::Approved;
                if zh {
                    format!(
                        "  已被取代：存在更新的版本 V{version}（{}）{}",
                        status.label_zh(),
                        if pending { "，尚未批准" } else { "" }
                    )
                } else {
                    format!(
                        "  SUPERSEDED: a later version exists, V{version} ({} {}){}",
                        status.label_zh(),
                        status.as_str(),
                        if pending { ", not approved yet" } else { "" }
                    )
                }
            }
            Say::Latest { doc_number } => {
                if zh {
                    format!("  这是 {doc_number} 的最新版本")
                } else {
                    format!("  the latest version of {doc_number}")
                }
            }
            Say::Matches {
                file,
                doc_number,
                version,
                status,
                format,
                period,
                path,
            } => {
                if zh {
                    format!(
                        "{file}：与 {doc_number} V{version}（{} {}，{format} 版）一致，期间 {period}，记录为 {path}",
                        status.label_zh(),
                        status.as_str()
                    )
                } else {
                    format!(
                        "{file}: matches {doc_number} V{version} ({} {}, the {format} edition), period {period}, recorded as {path}",
                        status.label_zh(),
                        status.as_str()
                    )
                }
            }
            Say::VersionNow { now, file } => {
                if zh {
                    format!(
                        "  该版本现为{}；此文件显示为{}",
                        now.label_zh(),
                        file.label_zh()
                    )
                } else {
                    format!(
                        "  the version is {} ({}) now; this file shows it as {}",
                        now.label_zh(),
                        now.as_str(),
                        file.as_str()
                    )
                }
            }
            Say::ContentHash(h) => {
                if zh {
                    format!("  内容哈希 {h}")
                } else {
                    format!("  content hash {h}")
                }
            }
            Say::NotSignedOff => if zh {
                "  尚未审核或批准"
            } else {
                "  not reviewed or approved yet"
            }
            .to_string(),
            Say::NoMatch { file, sha256 } => {
                if zh {
                    format!("{file}：不一致（no match）：此文件（SHA-256 {sha256}）不是本工作区台账中记录的文件")
                } else {
                    format!("{file}: no match: these bytes (SHA-256 {sha256}) are not a file recorded in this workspace's ledger")
                }
            }
            Say::Claims {
                doc_number,
                version,
                status,
                content_hash,
            } => {
                if zh {
                    format!("  其元数据自称是 {doc_number} V{version}（状态 {status}，内容哈希 {content_hash}）")
                } else {
                    format!("  its metadata claims to be {doc_number} V{version} (status {status}, content hash {content_hash})")
                }
            }
            Say::ClaimRecorded => if zh {
                "  台账为该版本记录的是另外的字节：文件已被改动，或并非其所称的文件。记录的文件："
            } else {
                "  the ledger records other bytes for that version: the file was altered or is not what it claims:"
            }
            .to_string(),
            Say::RecordedFile {
                format,
                status,
                sha256,
                path,
            } => format!("    {format} {} sha256 {sha256} ({path})", status.as_str()),
            Say::ClaimUnknown => if zh {
                "  台账中没有这个文档版本"
            } else {
                "  the ledger knows no such document version"
            }
            .to_string(),
            Say::NoClaim => if zh {
                "  其元数据未指明任何 svcreport 文档（PDF Info 或 xlsx 属性中没有 DocNumber）"
            } else {
                "  its metadata names no svcreport document (no DocNumber in the PDF Info or xlsx properties)"
            }
            .to_string(),
            Say::MailSent {
                doc_number,
                version,
                recipient,
                message_id,
                response,
            } => {
                if zh {
                    format!("已发送 {doc_number} V{version} 给 {recipient}  {message_id}  {response}")
                } else {
                    format!("sent {doc_number} V{version} to {recipient}  {message_id}  {response}")
                }
            }
            Say::MailFailed {
                doc_number,
                version,
                recipient,
                message_id,
                response,
                attempts,
            } => {
                if zh {
                    format!("发送失败 {doc_number} V{version} 给 {recipient}：{response}（尝试 {attempts} 次）；{message_id}")
                } else {
                    format!(
                        "FAILED {doc_number} V{version} to {recipient}: {response} ({attempts} attempt{}); {message_id}",
                        if *attempts == 1 { "" } else { "s" }
                    )
                }
            }
            Say::MailAlready {
                doc_number,
                version,
                recipient,
                message_id,
                at,
            } => {
                if zh {
                    format!("此前已发送 {doc_number} V{version} 给 {recipient}（{}，{message_id}）；--resend 可再次发送", opt(*at))
                } else {
                    format!("already sent {doc_number} V{version} to {recipient} at {} ({message_id}); --resend sends it again", opt(*at))
                }
            }
            Say::MailUnknown {
                doc_number,
                version,
                recipient,
                message_id,
                at,
            } => {
                if zh {
                    format!("结果未知，按已发送计：{doc_number} V{version} 给 {recipient}，于 {} 开始发送（{message_id}）但未记录结果；--resend 可再次发送", opt(*at))
                } else {
                    format!("outcome unknown, counted as sent: {doc_number} V{version} to {recipient}, sending began {} ({message_id}) and no result was recorded; --resend sends it again", opt(*at))
                }
            }
            Say::MailWouldSend {
                doc_number,
                version,
                recipient,
            } => {
                if zh {
                    format!("将发送 {doc_number} V{version} 给 {recipient}")
                } else {
                    format!("would send {doc_number} V{version} to {recipient}")
                }
            }
            Say::MailRetry {
                doc_number,
                recipient,
                attempt,
                why,
            } => {
                if zh {
                    format!("  {doc_number} 给 {recipient}：第 {attempt} 次尝试失败（{why}），重试")
                } else {
                    format!("  {doc_number} to {recipient}: attempt {attempt} failed ({why}); retrying")
                }
            }
        }
    }
}

/// A timeliness flag in `lang`.
pub fn flag(f: Flag, lang: Lang) -> String {
    if lang == Lang::En {
        return f.to_string();
    }
    match f {
        Flag::DataLate { arrived, due } => format!("数据逾期：{arrived} 到达，截止日为 {due}"),
        Flag::NoData { due } => format!("尚无数据；截止日为 {due}"),
        Flag::DatasetMissing { dataset, due } => {
            let zh = crate::ingest::schema::DATASETS
                .iter()
                .find(|d| d.kind == dataset)
                .map_or(dataset.name(), |d| d.sheet_zh);
            format!("尚未提交{zh}数据；截止日为 {due}")
        }
        Flag::DistributedLate { at, due } => format!("{at} 分发，晚于报告截止日 {due}"),
        Flag::NotDistributed { due } => format!("尚未分发；报告截止日为 {due}"),
        Flag::DueSoon { due, progress } => {
            let p = match progress {
                Progress::Approved => "已批准，尚未分发".to_string(),
                Progress::Version { version, status } => {
                    format!("V{version} 为{}", status.label_zh())
                }
                Progress::NotGenerated => "尚未生成".to_string(),
            };
            format!("{due} 到期；{p}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_line_has_both_languages() {
        let t = NaiveDateTime::parse_from_str("2026-11-03 10:00", "%Y-%m-%d %H:%M").unwrap();
        let p = Period::parse("2026-10").unwrap();
        let lines = [
            Say::RunRows {
                period: p,
                files: 3,
                read: 10,
                accepted: 8,
                rejected: 1,
                blank: 1,
            },
            Say::RunFindings {
                errors: 1,
                warnings: 0,
                notes: 2,
            },
            Say::Refused { errors: 2 },
            Say::AsOf(t),
            Say::StatusHead {
                doc_number: "SR-ACME-2026-10",
                period: p,
                report_id: "acme-monthly",
                state: State::Late,
            },
            Say::Flag(Flag::NotDistributed {
                due: d("2026-11-10"),
            }),
            Say::NothingDue,
            Say::Sent {
                path: "outbox/a/x.pdf",
                recipient: "a@b.example",
            },
        ];
        for l in &lines {
            let (en, zh) = (l.text(Lang::En), l.text(Lang::Zh));
            assert_ne!(en, zh, "{l:?}");
            // The Chinese line is Chinese: it holds CJK text.
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
        assert_eq!(
            Say::Flag(Flag::NoData {
                due: d("2026-11-03")
            })
            .text(Lang::Zh),
            "  ! 尚无数据；截止日为 2026-11-03"
        );
        // A due date the holiday data cannot tell is pending, in the workspace's language.
        let pending = || crate::model::calendar::CalendarError::YearNotCovered {
            calendar: "cn".into(),
            year: 2027,
        };
        let due = Say::Due {
            doc_number: "SR-ACME-2027-01",
            period: Period::parse("2027-01").unwrap(),
            data: Err(pending()),
            report: Err(pending()),
        };
        assert_eq!(
            due.text(Lang::Zh),
            "  SR-ACME-2027-01 2027-01：数据截止 待节假日数据（cn 尚无 2027 年数据），报告截止 待节假日数据（cn 尚无 2027 年数据）"
        );
        assert!(
            due.text(Lang::En)
                .contains("data by pending calendar (cn has no 2027 data yet)")
        );
    }
}

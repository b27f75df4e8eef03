//! What the commands print for people, in the workspace's language: one
//! message table (zh-CN and en side by side) for the summaries of `run`,
//! `render`, `status`, `review`, `approve`, `distribute`, `verify` and `audit`.
//! The findings' own table is `findings::Message`.
//!
//! A [`Say`] carries values, never wording; [`Say::text`] words it. Logic never
//! reads these texts (`--format json` carries the typed values).

use chrono::{NaiveDate, NaiveDateTime};

use crate::findings::Lang;
use crate::model::document::{DocStatus, DocVersion};
use crate::model::period::Period;
use crate::timeliness::{Flag, Progress, State};

/// One line a command prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Say<'a> {
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
        data: Result<NaiveDate, String>,
        report: Result<NaiveDate, String>,
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
    /// `status`: the latest version, its status, approval and distribution.
    StatusDoc {
        version: Option<DocVersion>,
        status: Option<DocStatus>,
        approved: Option<NaiveDateTime>,
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
}

fn status_word(s: DocStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.as_str(),
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
                let d = |r: &Result<NaiveDate, String>| match r {
                    Ok(d) => d.to_string(),
                    Err(e) => format!("? ({e})"),
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
                distributed,
            } => {
                let v = version.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
                let st = status.map(|x| status_word(x, lang)).unwrap_or("—");
                let (a, d) = (opt(*approved), opt(*distributed));
                if zh {
                    format!("  版本         {v}   状态 {st}   批准 {a}   分发 {d}")
                } else {
                    format!("  version      {v}   status {st}   approved {a}   distributed {d}")
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
    }
}

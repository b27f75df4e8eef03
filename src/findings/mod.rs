//! Findings: problems in a provider's data (spec §2.1, conventions "two kinds
//! of problems"). They are data, collected and never fatal one by one.
//!
//! A [`Finding`] is a [`Message`] (what went wrong, with the values
//! involved) placed in a file, sheet, [`CellRef`] and column. The message
//! decides the [`Code`] and the code the [`Severity`]: no call site chooses
//! either. Text is written only when printed, in the [`Lang`] asked for, from
//! one table in both languages (`message.rs`); the codes and their
//! documentation are one table too (`code.rs`, from which
//! `docs/finding-codes.md` is generated).
//!
//! Also the reconciliation of every input (rows read = accepted + rejected +
//! blank) and the three renderings: compiler-style text ([`render_text`]),
//! JSON ([`CheckReport`]) and the findings workbook a provider can open
//! ([`write_xlsx`]).
//!
//! Plain data plus rendering; depends on nothing of the pipeline except
//! `fsutil` (atomic writes) and the leaf module `chars` (terminal-safe text).
//! Input text is always written as text (never as a formula) and output order
//! is the order of the slice given. Lists are bounded ([`limit`]): at most 100
//! findings of one code per sheet and 1,000 per file, the rest counted in
//! summary findings.
//!
//! Language: text and the workbook follow the language they are given (the
//! workspace's `language`); the severity word is translated (`错误[code]：`),
//! the code never is, so `[value.not_a_date]` finds a finding in either
//! language. JSON is for tools and carries both languages: `message` and
//! `hint` in English, `message_zh` and `hint_zh` in Chinese.

use serde::Serialize;

/// `format!` of one of two templates, by language; both templates use the
/// same named arguments (captured from the scope).
macro_rules! tr {
    ($lang:expr, $en:literal, $zh:literal) => {
        match $lang {
            $crate::findings::Lang::En => format!($en),
            $crate::findings::Lang::Zh => format!($zh),
        }
    };
}

mod cell_ref;
mod code;
pub mod limit;
mod message;
mod workbook;

pub use cell_ref::{
    BadCellRef, CellRef, column_letters, parse_column_letters, write_column_letters,
};
pub use code::{Code, CodeInfo};
pub use message::{
    DatasetName, FileKind, Found, IdKind, LinkProblem, Message, MissingName, NamedKind, Place,
    RefKind, SuppressedIn, TextPlace, Words, WorkerFailure, choices_list, clip, codepoint, intern,
    number_text,
};
pub use workbook::{FindingsXlsxError, write_xlsx, xlsx_bytes};

/// The language findings are printed in (the workspace's `language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    /// Simplified Chinese (`zh-CN`).
    Zh,
}

impl Lang {
    /// The language of a workspace `language` tag: Chinese for `zh-CN` (any
    /// `zh…`), English otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// `en` or `zh-CN`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row or file is rejected.
    Error,
    /// Accepted, but something needs a look (unknown extra column …).
    Warning,
    /// For information only (record outside every metric of the period …).
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`: the stable word of JSON and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The word printed in `lang`: `error` / `错误`, `warning` / `警告`, `info` / `提示`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, s) => s.as_str(),
            (Lang::Zh, Severity::Error) => "错误",
            (Lang::Zh, Severity::Warning) => "警告",
            (Lang::Zh, Severity::Info) => "提示",
        }
    }
}

/// One problem in one place.
///
/// `severity` and `code` follow from the message ([`Finding::new`]); they
/// are fields for the callers that filter on them, and no caller sets them.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    /// Workspace-relative path as the provider knows it.
    pub file: Option<String>,
    pub sheet: Option<String>,
    /// The cell (absolute, as Excel shows it), row or range the finding is about.
    pub cell: Option<CellRef>,
    /// The column header as the provider wrote it.
    pub column: Option<String>,
    message: Message,
}

impl Finding {
    /// A finding of `message`, its code and severity taken from the message.
    pub fn new(message: Message) -> Finding {
        let code = message.code();
        Finding {
            severity: code.severity(),
            code,
            file: None,
            sheet: None,
            cell: None,
            column: None,
            message,
        }
    }
    pub fn file(mut self, f: impl Into<String>) -> Finding {
        self.file = Some(f.into());
        self
    }
    pub fn sheet(mut self, s: impl Into<String>) -> Finding {
        self.sheet = Some(s.into());
        self
    }
    pub fn cell(mut self, c: CellRef) -> Finding {
        self.cell = Some(c);
        self
    }
    pub fn column(mut self, c: impl Into<String>) -> Finding {
        self.column = Some(c.into());
        self
    }

    /// What went wrong, with the values involved.
    pub fn detail(&self) -> &Message {
        &self.message
    }

    /// The message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.message.text(lang)
    }

    /// The hint, in `lang`.
    pub fn hint(&self, lang: Lang) -> String {
        self.message.hint(lang)
    }

    /// How many findings this one stands for: 1, or the count of a summary of findings
    /// not listed one by one ([`limit`]).
    pub fn represents(&self) -> u64 {
        match &self.message {
            Message::Suppressed { count, .. } => *count,
            _ => 1,
        }
    }
}

/// A finding as it travels between the processes of a run (the typed message, not text).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct WireFinding {
    message: Message,
    file: Option<String>,
    sheet: Option<String>,
    cell: Option<CellRef>,
    column: Option<String>,
}

impl From<&Finding> for WireFinding {
    fn from(f: &Finding) -> WireFinding {
        WireFinding {
            message: f.message.clone(),
            file: f.file.clone(),
            sheet: f.sheet.clone(),
            cell: f.cell,
            column: f.column.clone(),
        }
    }
}

impl From<WireFinding> for Finding {
    fn from(w: WireFinding) -> Finding {
        let mut f = Finding::new(w.message);
        f.file = w.file;
        f.sheet = w.sheet;
        f.cell = w.cell;
        f.column = w.column;
        f
    }
}

/// JSON: `severity`, `code`, `file`, `sheet`, `cell` (`"E14"`), `column`,
/// `message` and `hint` in English, `message_zh` and `hint_zh` in Chinese.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Finding", 10)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("sheet", &self.sheet)?;
        st.serialize_field("cell", &self.cell)?;
        st.serialize_field("column", &self.column)?;
        st.serialize_field("message", &self.message(Lang::En))?;
        st.serialize_field("hint", &self.hint(Lang::En))?;
        st.serialize_field("message_zh", &self.message(Lang::Zh))?;
        st.serialize_field("hint_zh", &self.hint(Lang::Zh))?;
        st.end()
    }
}

/// Row accounting of one sheet: `read == accepted + rejected + blank`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SheetCount {
    pub sheet: String,
    /// Dataset name (`incidents`, …) or `None` for a skipped/unrecognised sheet.
    pub dataset: Option<String>,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub blank: u64,
    /// Rows whose record a later delivery holds again (the newest wins): read =
    /// accepted + rejected + blank + superseded.
    #[serde(default)]
    pub superseded: u64,
    /// Of `superseded`, the rows of an event log that a later row of the same ticket
    /// supersedes (the rest: a later delivery holds the record again).
    #[serde(default)]
    pub superseded_in_log: u64,
    /// Rejected rows by the customer (or supplier) id they name, where the catalogue knows
    /// it: a customer's or supplier's appendix shows the rejected rows that name it.
    #[serde(default)]
    pub rejected_parties: std::collections::BTreeMap<String, u64>,
}

/// Reconciliation of one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FileCount {
    /// Workspace-relative path.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// False when the file could not be read at all (see its findings).
    pub readable: bool,
    pub sheets: Vec<SheetCount>,
}

impl FileCount {
    pub fn read(&self) -> u64 {
        self.sheets.iter().map(|s| s.read).sum()
    }
    pub fn accepted(&self) -> u64 {
        self.sheets.iter().map(|s| s.accepted).sum()
    }
    pub fn rejected(&self) -> u64 {
        self.sheets.iter().map(|s| s.rejected).sum()
    }
    pub fn blank(&self) -> u64 {
        self.sheets.iter().map(|s| s.blank).sum()
    }
    pub fn superseded(&self) -> u64 {
        self.sheets.iter().map(|s| s.superseded).sum()
    }

    /// Of [`FileCount::superseded`], the event-log rows a later row of the same ticket supersedes.
    pub fn superseded_in_log(&self) -> u64 {
        self.sheets.iter().map(|s| s.superseded_in_log).sum()
    }
}

/// `'事件'!E14`, `'事件' row 14` (`'事件' 第 14 行`) or `'事件'`: a sheet (quoted
/// as Excel quotes it) and a place in it, appended to `out`.
fn push_sheet_and_cell(out: &mut String, sheet: &str, cell: Option<&CellRef>, lang: Lang) {
    use std::fmt::Write;
    let q = sheet.replace('\'', "''");
    // Writing to a String cannot fail.
    let _ = match cell {
        Some(CellRef::Row { row }) => match lang {
            Lang::En => write!(out, "'{q}' row {row}"),
            Lang::Zh => write!(out, "'{q}' 第 {row} 行"),
        },
        Some(c) => write!(out, "'{q}'!{c}"),
        None => write!(out, "'{q}'"),
    };
}

/// Compiler-style text of findings, one block per finding, in `lang`:
///
/// ```text
/// error[value.not_a_date]: expected a date, found text "N/A"
///   --> inbox/2026-10/incidents.xlsx  '事件'!E14  (column "解决时间")
///   = hint: type the date as 2026-10-01 08:00 or format the cell as a date
///
/// 错误[value.not_a_date]：应为日期，实为文本 "N/A"
///   --> inbox/2026-10/incidents.xlsx  '事件'!E14  （列 "解决时间"）
///   = 建议：请将日期写作 2026-10-01 08:00，或将单元格设为日期格式
/// ```
///
/// A text file's place follows the path: `inbox/x.csv:17:D`.
///
/// For a terminal: names and values are printed with their controls, bidirectional
/// controls and invisible characters shown as `<U+XXXX>` ([`crate::chars::for_terminal`]),
/// so no file name, sheet name or cell can forge a line or move the cursor. The findings
/// themselves (JSON, the findings workbook) keep the values as they are.
pub fn render_text(findings: &[Finding], lang: Lang) -> String {
    use crate::chars::for_terminal as safe;
    use std::fmt::Write;
    let (colon, hint) = match lang {
        Lang::En => (": ", "hint: "),
        Lang::Zh => ("：", "建议："),
    };
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}[{}]{colon}{}",
            f.severity.label(lang),
            f.code,
            safe(&f.message(lang))
        );
        let mut loc = String::new();
        if let Some(file) = &f.file {
            loc.push_str(&safe(file));
        }
        match (&f.sheet, &f.cell) {
            (Some(sheet), cell) => {
                loc.push_str("  ");
                push_sheet_and_cell(&mut loc, &safe(sheet), cell.as_ref(), lang);
            }
            (None, Some(cell)) => {
                let _ = write!(loc, ":{cell}");
            }
            (None, None) => {}
        }
        if let Some(col) = &f.column {
            let col = col.replace('\n', " ");
            let col = safe(&col);
            let _ = match lang {
                Lang::En => write!(loc, "  (column \"{col}\")"),
                Lang::Zh => write!(loc, "  （列 \"{col}\"）"),
            };
        }
        if !loc.is_empty() {
            let _ = writeln!(out, "  --> {loc}");
        }
        let _ = writeln!(out, "  = {hint}{}", safe(&f.hint(lang)));
    }
    out
}

/// Totals of a check, for the one-line summary and the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub unreadable: usize,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub blank: u64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    /// Totals; a summary of findings not listed one by one counts as all of them.
    pub fn of(findings: &[Finding], files: &[FileCount]) -> Summary {
        let n = |s: Severity| {
            findings
                .iter()
                .filter(|f| f.severity == s)
                .map(|f| usize::try_from(f.represents()).unwrap_or(usize::MAX))
                .fold(0usize, usize::saturating_add)
        };
        Summary {
            files: files.len(),
            unreadable: files.iter().filter(|f| !f.readable).count(),
            read: files.iter().map(FileCount::read).sum(),
            accepted: files.iter().map(FileCount::accepted).sum(),
            rejected: files.iter().map(FileCount::rejected).sum(),
            blank: files.iter().map(FileCount::blank).sum(),
            errors: n(Severity::Error),
            warnings: n(Severity::Warning),
            infos: n(Severity::Info),
        }
    }

    /// `3 file(s), 1200 row(s) read: 1190 accepted, 8 rejected, 2 blank; 9 error(s), 1 warning(s)`
    /// (`3 个文件，读取 1200 行：接受 1190 行，拒绝 8 行，空行 2 行；错误 9 个，警告 1 个`).
    pub fn line(&self, lang: Lang) -> String {
        let Summary {
            files,
            read,
            accepted,
            rejected,
            blank,
            errors,
            warnings,
            ..
        } = self;
        tr!(
            lang,
            "{files} file(s), {read} row(s) read: {accepted} accepted, {rejected} rejected, {blank} blank; {errors} error(s), {warnings} warning(s)",
            "{files} 个文件，读取 {read} 行：接受 {accepted} 行，拒绝 {rejected} 行，空行 {blank} 行；错误 {errors} 个，警告 {warnings} 个"
        )
    }
}

/// The JSON document of `svcreport check --format json`: `{findings, files, summary}`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport<'a> {
    pub findings: &'a [Finding],
    pub files: &'a [FileCount],
    pub summary: Summary,
}

impl<'a> CheckReport<'a> {
    pub fn new(findings: &'a [Finding], files: &'a [FileCount]) -> CheckReport<'a> {
        CheckReport {
            findings,
            files,
            summary: Summary::of(findings, files),
        }
    }
}

/// `(unreadable)` / `（无法读取）`: the dataset column of a file that could not be read.
fn unreadable_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "(unreadable)",
        Lang::Zh => "（无法读取）",
    }
}

/// Terminal columns a text takes (CJK and other wide characters take two).
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// The reconciliation as a plain-text table (file, sheet, dataset, read,
/// accepted, rejected, blank), one line per sheet and a total line; the
/// headings in `lang`.
pub fn render_reconciliation(files: &[FileCount], lang: Lang) -> String {
    let head: [&str; 8] = match lang {
        Lang::En => [
            "file", "sheet", "dataset", "read", "accepted", "rejected", "blank", "total",
        ],
        Lang::Zh => [
            "文件",
            "工作表",
            "数据集",
            "读取",
            "接受",
            "拒绝",
            "空行",
            "合计",
        ],
    };
    let mut rows: Vec<[String; 7]> = vec![std::array::from_fn(|i| head[i].to_string())];
    let safe = |s: &str| crate::chars::for_terminal(s).into_owned();
    for f in files {
        if f.sheets.is_empty() {
            rows.push([
                safe(&f.file),
                "-".into(),
                if f.readable {
                    "-"
                } else {
                    unreadable_label(lang)
                }
                .into(),
                "0".into(),
                "0".into(),
                "0".into(),
                "0".into(),
            ]);
        }
        for s in &f.sheets {
            rows.push([
                safe(&f.file),
                safe(&s.sheet),
                s.dataset.clone().unwrap_or_else(|| "-".into()),
                s.read.to_string(),
                s.accepted.to_string(),
                s.rejected.to_string(),
                s.blank.to_string(),
            ]);
        }
    }
    let t = Summary::of(&[], files);
    rows.push([
        head[7].into(),
        String::new(),
        String::new(),
        t.read.to_string(),
        t.accepted.to_string(),
        t.rejected.to_string(),
        t.blank.to_string(),
    ]);
    let mut w = [0usize; 7];
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(display_width(c));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = " ".repeat(w[i] - display_width(c));
            if i >= 3 {
                line.push_str(&pad);
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&pad);
            }
            if i < 6 {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let superseded: u64 = files.iter().map(FileCount::superseded).sum();
    let in_log: u64 = files.iter().map(FileCount::superseded_in_log).sum();
    let by_delivery = superseded.saturating_sub(in_log);
    if superseded > 0 {
        out.push_str(&tr!(
            lang,
            "+ {superseded} row(s) superseded: {by_delivery} by a later delivery of the same record, {in_log} in an event log by a later row of the same ticket (read = accepted + rejected + blank + superseded)\n",
            "+ {superseded} 行被取代：{by_delivery} 行被同一记录的较新交付取代，{in_log} 行在事件日志中被同一工单的较晚行取代（读取 = 接受 + 拒绝 + 空行 + 被取代）\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_a_date() -> Finding {
        Finding::new(Message::NotADate {
            found: Found::text("N/A"),
            with_time: true,
        })
        .file("inbox/2026-10/incidents.xlsx")
        .sheet("事件")
        .cell(CellRef::at(13, 4))
        .column("解决时间")
    }

    #[test]
    fn text_rendering_matches_the_house_style() {
        assert_eq!(
            render_text(&[not_a_date()], Lang::En),
            "error[value.not_a_date]: expected a date, found text \"N/A\"\n  --> inbox/2026-10/incidents.xlsx  '事件'!E14  (column \"解决时间\")\n  = hint: type the date as 2026-10-01 08:00 or format the cell as a date\n"
        );
        assert_eq!(
            render_text(&[not_a_date()], Lang::Zh),
            "错误[value.not_a_date]：应为日期，实为文本 \"N/A\"\n  --> inbox/2026-10/incidents.xlsx  '事件'!E14  （列 \"解决时间\"）\n  = 建议：请将日期写作 2026-10-01 08:00，或将单元格设为日期格式\n"
        );
        let g = Finding::new(Message::MissingColumn {
            column: Words::new("优先级", "Priority"),
            header_row: 3,
            found: vec![],
            closest: None,
        })
        .file("a.xlsx")
        .sheet("It's")
        .cell(CellRef::Row { row: 3 });
        let en = render_text(std::slice::from_ref(&g), Lang::En);
        assert!(en.starts_with("error[sheet.missing_column]: "), "{en}");
        assert!(en.contains("\n  --> a.xlsx  'It''s' row 3\n"), "{en}");
        let zh = render_text(&[g], Lang::Zh);
        assert!(zh.contains("\n  --> a.xlsx  'It''s' 第 3 行\n"), "{zh}");
        // A text file: the place follows the path.
        let csv = Finding::new(Message::NotAPriority { value: "P7".into() })
            .file("inbox/x.csv")
            .cell(CellRef::Line { line: 17, col: 3 });
        assert!(
            render_text(&[csv], Lang::En).contains("\n  --> inbox/x.csv:17:D\n"),
            "text-file place"
        );
    }

    #[test]
    fn severity_and_code_come_from_the_message() {
        let f = Finding::new(Message::TotalRow {
            row: 3,
            label: "合计".into(),
        });
        assert_eq!((f.code, f.severity), (Code::RowTotal, Severity::Warning));
        let f = Finding::new(Message::OutsidePeriod {
            rows: 1,
            period: "2026-10".into(),
            first_row: 2,
        });
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(not_a_date().severity, Severity::Error);
    }

    #[test]
    fn json_keeps_the_string_forms_and_carries_both_languages() {
        let v = serde_json::to_value(not_a_date()).unwrap();
        assert_eq!(v["severity"], "error");
        assert_eq!(v["code"], "value.not_a_date");
        assert_eq!(v["cell"], "E14");
        assert_eq!(v["column"], "解决时间");
        assert_eq!(v["message"], "expected a date, found text \"N/A\"");
        assert_eq!(v["message_zh"], "应为日期，实为文本 \"N/A\"");
        assert_eq!(
            v["hint"],
            "type the date as 2026-10-01 08:00 or format the cell as a date"
        );
        assert_eq!(
            v["hint_zh"],
            "请将日期写作 2026-10-01 08:00，或将单元格设为日期格式"
        );
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 10);
    }

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag(Lang::Zh.tag()), Lang::Zh);
    }

    #[test]
    fn reconciliation_table_aligns_and_totals() {
        let files = vec![FileCount {
            file: "a.xlsx".into(),
            sha256: "x".into(),
            bytes: 1,
            readable: true,
            sheets: vec![SheetCount {
                sheet: "事件".into(),
                dataset: Some("incidents".into()),
                read: 12,
                accepted: 9,
                rejected: 2,
                blank: 1,
                superseded: 0,
                superseded_in_log: 0,
                rejected_parties: Default::default(),
            }],
        }];
        let t = render_reconciliation(&files, Lang::En);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1],
            "a.xlsx  事件   incidents    12         9         2      1"
        );
        assert!(
            lines[2].starts_with("total") && lines[2].ends_with("12         9         2      1")
        );
        let t = render_reconciliation(&files, Lang::Zh);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "文件    工作表  数据集     读取  接受  拒绝  空行"
        );
        assert_eq!(
            lines[1],
            "a.xlsx  事件    incidents    12     9     2     1"
        );
        assert!(lines[2].starts_with("合计"), "{t}");
    }

    #[test]
    fn summary_line_in_both_languages() {
        let s = Summary {
            files: 1,
            read: 2,
            accepted: 1,
            rejected: 1,
            errors: 1,
            ..Summary::default()
        };
        assert_eq!(
            s.line(Lang::En),
            "1 file(s), 2 row(s) read: 1 accepted, 1 rejected, 0 blank; 1 error(s), 0 warning(s)"
        );
        assert_eq!(
            s.line(Lang::Zh),
            "1 个文件，读取 2 行：接受 1 行，拒绝 1 行，空行 0 行；错误 1 个，警告 0 个"
        );
    }
}

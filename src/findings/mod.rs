//! Findings: problems in a provider's data (spec §2.1, conventions "two kinds
//! of problems"). They are data, collected and never fatal one by one.
//!
//! Also the reconciliation of every input (rows read = accepted + rejected +
//! blank), the catalogue of stable finding codes ([`CODES`], from which the
//! docs are generated) and the three renderings: compiler-style text
//! ([`render_text`]), JSON ([`CheckReport`]) and the findings workbook a
//! provider can open ([`write_xlsx`]).
//!
//! Plain data plus rendering; depends on nothing of the pipeline except
//! `fsutil` (atomic writes). Input text is always written as text (never as a
//! formula) and output order is the order of the slice given.

use serde::Serialize;

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
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem in one place. `code` is stable and documented (e.g.
/// `value.not_a_date`, `ref.unknown_service`, `ingest.unreadable`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: String,
    /// Workspace-relative path as the provider knows it.
    pub file: Option<String>,
    pub sheet: Option<String>,
    /// Absolute A1 reference as Excel shows it (`E14`), or a row (`14`) for row rules.
    pub cell: Option<String>,
    /// The column header as the provider wrote it.
    pub column: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            code: code.into(),
            file: None,
            sheet: None,
            cell: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Error, code, message)
    }
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Warning, code, message)
    }
    pub fn info(code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Info, code, message)
    }
    pub fn file(mut self, f: impl Into<String>) -> Finding {
        self.file = Some(f.into());
        self
    }
    pub fn sheet(mut self, s: impl Into<String>) -> Finding {
        self.sheet = Some(s.into());
        self
    }
    pub fn cell(mut self, c: impl Into<String>) -> Finding {
        self.cell = Some(c.into());
        self
    }
    pub fn column(mut self, c: impl Into<String>) -> Finding {
        self.column = Some(c.into());
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Finding {
        self.hint = Some(h.into());
        self
    }
}

/// Row accounting of one sheet: `read == accepted + rejected + blank`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SheetCount {
    pub sheet: String,
    /// Dataset name (`incidents`, …) or `None` for a skipped/unrecognised sheet.
    pub dataset: Option<String>,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub blank: u64,
}

/// Reconciliation of one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
}

/// One documented finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FindingCode {
    pub code: &'static str,
    pub severity: Severity,
    pub meaning: &'static str,
    pub hint: &'static str,
}

const fn code(
    code: &'static str,
    severity: Severity,
    meaning: &'static str,
    hint: &'static str,
) -> FindingCode {
    FindingCode {
        code,
        severity,
        meaning,
        hint,
    }
}

/// Every finding code the tool emits, with its severity, meaning and the usual
/// fix. Stable: codes are never renamed, only added.
pub const CODES: &[FindingCode] = &[
    code(
        "ingest.unreadable",
        Severity::Error,
        "The file is corrupt, truncated or a reader failed on it; nothing of it was used (or, for one sheet, nothing after the failure).",
        "Open the file in Excel and save it again as .xlsx, or send it again.",
    ),
    code(
        "ingest.encrypted",
        Severity::Error,
        "The workbook is password protected (encrypted).",
        "Remove the password and send it again.",
    ),
    code(
        "ingest.empty",
        Severity::Error,
        "The file has 0 bytes.",
        "Send the workbook again.",
    ),
    code(
        "ingest.not_a_spreadsheet",
        Severity::Error,
        "The file is not a workbook (a PDF, text, or another archive renamed .xlsx).",
        "Save the data as .xlsx.",
    ),
    code(
        "ingest.too_large",
        Severity::Error,
        "A part of the workbook declares an uncompressed size above the limit (zip-bomb protection).",
        "Split the data, or raise max_uncompressed_mib in svcreport.toml.",
    ),
    code(
        "sheet.unrecognised",
        Severity::Warning,
        "A sheet is neither a dataset (by name or header row) nor an instructions sheet; it was not read.",
        "Rename it to a dataset name or use the template header; name notes sheets 说明/README.",
    ),
    code(
        "sheet.hidden",
        Severity::Info,
        "A hidden sheet holds a dataset and was read.",
        "Unhide it if reviewers should see it.",
    ),
    code(
        "sheet.missing_column",
        Severity::Error,
        "A required column is missing; every row of the sheet is rejected.",
        "Add the column with its template header (Chinese or English).",
    ),
    code(
        "column.unknown",
        Severity::Warning,
        "A column is not part of the dataset; it is kept out of the computation.",
        "Rename it to a template column or leave it.",
    ),
    code(
        "column.duplicate",
        Severity::Warning,
        "Two columns name the same field; the second is ignored.",
        "Delete or rename one of them.",
    ),
    code(
        "value.required",
        Severity::Error,
        "A required cell is empty.",
        "Fill it in.",
    ),
    code(
        "value.not_a_date",
        Severity::Error,
        "A date cell holds something that is not a date.",
        "Type 2026-10-01 08:00 or format the cell as a date.",
    ),
    code(
        "value.no_time",
        Severity::Error,
        "A date-time column holds a date without a time of day (typed as text).",
        "Add the time, e.g. 2026-10-01 08:00.",
    ),
    code(
        "value.not_a_number",
        Severity::Error,
        "A number cell holds text that is not a number.",
        "Type digits only.",
    ),
    code(
        "value.not_an_integer",
        Severity::Error,
        "A whole-number cell holds a fraction.",
        "Type a whole number.",
    ),
    code(
        "value.out_of_range",
        Severity::Error,
        "A number is outside its allowed range (negative minutes, score outside 1–5 …).",
        "Type a value in the range.",
    ),
    code(
        "value.not_a_priority",
        Severity::Error,
        "A priority is not one of P1–P4 in any accepted spelling.",
        "Type P1–P4, 1–4, 紧急/高/中/低 or Critical/High/Medium/Low.",
    ),
    code(
        "value.not_a_choice",
        Severity::Error,
        "A value is not one of the column's choices (status, change type, result).",
        "Pick from the template's drop-down.",
    ),
    code(
        "value.not_yes_no",
        Severity::Error,
        "A yes/no cell holds something else.",
        "Type 是 or 否 (yes or no).",
    ),
    code(
        "value.not_a_period",
        Severity::Error,
        "A period cell is not a period such as 2026-10.",
        "Type the period as text: 2026-10.",
    ),
    code(
        "value.error_cell",
        Severity::Error,
        "The cell holds an Excel error value (#N/A, #REF! …).",
        "Fix the formula or type the value.",
    ),
    code(
        "ref.unknown_customer",
        Severity::Error,
        "The customer is not in the catalogue (by id, name or English name).",
        "Use a catalogue customer id or name.",
    ),
    code(
        "ref.unknown_service",
        Severity::Error,
        "The service is not in the catalogue (by id, name or English name).",
        "Use a catalogue service id or name.",
    ),
    code(
        "ref.unknown_supplier",
        Severity::Error,
        "The supplier is not in the catalogue.",
        "Use a catalogue supplier id or name.",
    ),
    code(
        "ref.unknown_contract",
        Severity::Error,
        "The contract is not the id of a UC agreement of the catalogue.",
        "Use the UC's id.",
    ),
    code(
        "ref.service_not_for_customer",
        Severity::Warning,
        "The customer does not take the service according to the catalogue.",
        "Check the row, or add the customer to the service.",
    ),
    code(
        "ref.contract_supplier_mismatch",
        Severity::Warning,
        "The UC named is with another supplier.",
        "Check the supplier and contract.",
    ),
    code(
        "row.time_order",
        Severity::Error,
        "Times are out of order (responded/resolved before opened, closed before resolved, end before start).",
        "Correct the times.",
    ),
    code(
        "row.duplicate_id",
        Severity::Error,
        "A ticket, change or request id appears again (in this or another workbook of the run); the later row is rejected.",
        "Delete the repeated row or correct its id.",
    ),
    code(
        "row.total",
        Severity::Warning,
        "A 合计/Total row was found among the data; it is skipped and counted as blank.",
        "Leave totals out of data sheets.",
    ),
    code(
        "row.outside_period",
        Severity::Info,
        "Accepted rows that no figure of the checked period uses (counted, never rejected).",
        "Nothing to do if they belong to another period.",
    ),
];

/// The documentation entry of a code.
pub fn code_info(code: &str) -> Option<&'static FindingCode> {
    CODES.iter().find(|c| c.code == code)
}

/// Compiler-style text of findings, one block per finding:
///
/// ```text
/// error[value.not_a_date]: expected a date, found text "N/A"
///   --> inbox/2026-10/incidents.xlsx  '事件'!E14  (column "解决时间")
///   = hint: type the date as 2026-10-01 08:00 or format the cell as a date
/// ```
pub fn render_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{}[{}]: {}\n",
            f.severity.as_str(),
            f.code,
            f.message
        ));
        let mut loc = String::new();
        if let Some(file) = &f.file {
            loc.push_str(file);
        }
        if let Some(sheet) = &f.sheet {
            let q = sheet.replace('\'', "''");
            match &f.cell {
                Some(c) if c.starts_with(|ch: char| ch.is_ascii_alphabetic()) => {
                    loc.push_str(&format!("  '{q}'!{c}"))
                }
                Some(c) => loc.push_str(&format!("  '{q}' row {c}")),
                None => loc.push_str(&format!("  '{q}'")),
            }
        }
        if let Some(col) = &f.column {
            loc.push_str(&format!("  (column \"{}\")", col.replace('\n', " ")));
        }
        if !loc.is_empty() {
            out.push_str(&format!("  --> {loc}\n"));
        }
        if let Some(h) = &f.hint {
            out.push_str(&format!("  = hint: {h}\n"));
        }
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
    pub fn of(findings: &[Finding], files: &[FileCount]) -> Summary {
        let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
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

    /// `3 files, 1200 rows read: 1190 accepted, 8 rejected, 2 blank; 9 errors, 1 warning`.
    pub fn line(&self) -> String {
        format!(
            "{} file(s), {} row(s) read: {} accepted, {} rejected, {} blank; {} error(s), {} warning(s)",
            self.files,
            self.read,
            self.accepted,
            self.rejected,
            self.blank,
            self.errors,
            self.warnings
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

/// The reconciliation as a plain-text table (file, sheet, dataset, read,
/// accepted, rejected, blank), one line per sheet and a total line.
pub fn render_reconciliation(files: &[FileCount]) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "file".into(),
        "sheet".into(),
        "dataset".into(),
        "read".into(),
        "accepted".into(),
        "rejected".into(),
        "blank".into(),
    ]];
    for f in files {
        if f.sheets.is_empty() {
            rows.push([
                f.file.clone(),
                "-".into(),
                if f.readable { "-" } else { "(unreadable)" }.into(),
                "0".into(),
                "0".into(),
                "0".into(),
                "0".into(),
            ]);
        }
        for s in &f.sheets {
            rows.push([
                f.file.clone(),
                s.sheet.clone(),
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
        "total".into(),
        String::new(),
        String::new(),
        t.read.to_string(),
        t.accepted.to_string(),
        t.rejected.to_string(),
        t.blank.to_string(),
    ]);
    let width = |s: &str| {
        s.chars()
            .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
            .sum::<usize>()
    };
    let mut w = [0usize; 7];
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = w[i] - width(c);
            if i >= 3 {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            }
            if i < 6 {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Failure to write the findings workbook.
#[derive(Debug, thiserror::Error)]
pub enum FindingsXlsxError {
    #[error("{path}: cannot build the findings workbook: {source}")]
    Build {
        path: std::path::PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("{path}: cannot write the findings workbook: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// The findings workbook as bytes: sheet `Findings` (one row per finding,
/// autofilter, frozen header, widths for Chinese text) and sheet
/// `Reconciliation` (per file and sheet: read, accepted, rejected, blank,
/// SHA-256, bytes). Byte-identical for identical input (fixed creation time).
pub fn xlsx_bytes(
    findings: &[Finding],
    files: &[FileCount],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DocProperties, Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    let created = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid constant date");
    wb.set_properties(
        &DocProperties::new()
            .set_title("svcreport findings")
            .set_creation_datetime(&created),
    );
    let head = Format::new()
        .set_bold()
        .set_background_color("D9E1F2")
        .set_align(FormatAlign::Center);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    {
        let ws = wb.add_worksheet();
        ws.set_name("Findings")?;
        let cols = [
            ("severity 级别", 10.0),
            ("code 代码", 24.0),
            ("file 文件", 36.0),
            ("sheet 工作表", 14.0),
            ("cell 单元格", 10.0),
            ("column 列", 18.0),
            ("message 说明", 70.0),
            ("hint 建议", 60.0),
        ];
        for (i, (h, w)) in cols.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &head)?;
            ws.set_column_width(i as u16, *w)?;
        }
        for (r, f) in findings.iter().enumerate() {
            let r = r as u32 + 1;
            let cells = [
                f.severity.as_str(),
                f.code.as_str(),
                f.file.as_deref().unwrap_or(""),
                f.sheet.as_deref().unwrap_or(""),
                f.cell.as_deref().unwrap_or(""),
                f.column.as_deref().unwrap_or(""),
                f.message.as_str(),
                f.hint.as_deref().unwrap_or(""),
            ];
            for (c, v) in cells.iter().enumerate() {
                if c >= 6 {
                    ws.write_string_with_format(r, c as u16, *v, &wrap)?;
                } else {
                    ws.write_string(r, c as u16, *v)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, findings.len() as u32, 7)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Reconciliation")?;
        let cols = [
            ("file 文件", 36.0),
            ("sheet 工作表", 14.0),
            ("dataset 数据集", 16.0),
            ("read 读取", 10.0),
            ("accepted 接受", 10.0),
            ("rejected 拒绝", 10.0),
            ("blank 空行", 10.0),
            ("sha256", 68.0),
            ("bytes 字节", 12.0),
        ];
        for (i, (h, w)) in cols.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &head)?;
            ws.set_column_width(i as u16, *w)?;
        }
        let mut r = 1u32;
        for f in files {
            let sheets: Vec<Option<&SheetCount>> = if f.sheets.is_empty() {
                vec![None]
            } else {
                f.sheets.iter().map(Some).collect()
            };
            for s in sheets {
                ws.write_string(r, 0, &f.file)?;
                match s {
                    Some(s) => {
                        ws.write_string(r, 1, &s.sheet)?;
                        ws.write_string(r, 2, s.dataset.as_deref().unwrap_or("-"))?;
                        ws.write_number(r, 3, s.read as f64)?;
                        ws.write_number(r, 4, s.accepted as f64)?;
                        ws.write_number(r, 5, s.rejected as f64)?;
                        ws.write_number(r, 6, s.blank as f64)?;
                    }
                    None => {
                        ws.write_string(r, 1, "-")?;
                        ws.write_string(r, 2, if f.readable { "-" } else { "(unreadable)" })?;
                        for c in 3..=6 {
                            ws.write_number(r, c, 0.0)?;
                        }
                    }
                }
                ws.write_string(r, 7, &f.sha256)?;
                ws.write_number(r, 8, f.bytes as f64)?;
                r += 1;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, r.saturating_sub(1).max(1), 8)?;
    }
    wb.save_to_buffer()
}

/// Write the findings workbook atomically (`fsutil::write_atomic`).
pub fn write_xlsx(
    path: &std::path::Path,
    findings: &[Finding],
    files: &[FileCount],
) -> Result<(), FindingsXlsxError> {
    let bytes = xlsx_bytes(findings, files).map_err(|source| FindingsXlsxError::Build {
        path: path.to_path_buf(),
        source,
    })?;
    crate::fsutil::write_atomic(path, &bytes).map_err(|source| FindingsXlsxError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The finding codes as a Markdown table (for the generated docs).
pub fn codes_markdown() -> String {
    let mut s =
        String::from("| code | severity | meaning | usual fix |\n| --- | --- | --- | --- |\n");
    for c in CODES {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.code,
            c.severity.as_str(),
            c.meaning,
            c.hint
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rendering_matches_the_house_style() {
        let f = Finding::error("value.not_a_date", "expected a date, found text \"N/A\"")
            .file("inbox/2026-10/incidents.xlsx")
            .sheet("事件")
            .cell("E14")
            .column("解决时间")
            .hint("type the date as 2026-10-01 08:00 or format the cell as a date");
        assert_eq!(
            render_text(&[f]),
            "error[value.not_a_date]: expected a date, found text \"N/A\"\n  --> inbox/2026-10/incidents.xlsx  '事件'!E14  (column \"解决时间\")\n  = hint: type the date as 2026-10-01 08:00 or format the cell as a date\n"
        );
        let g = Finding::warning("sheet.missing_column", "m")
            .file("a.xlsx")
            .sheet("It's")
            .cell("3");
        assert_eq!(
            render_text(&[g]),
            "warning[sheet.missing_column]: m\n  --> a.xlsx  'It''s' row 3\n"
        );
    }

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "duplicate {}", c.code);
            assert!(c.code.contains('.') && !c.meaning.is_empty() && !c.hint.is_empty());
        }
        assert!(codes_markdown().contains("| `value.not_a_date` | error |"));
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
            }],
        }];
        let t = render_reconciliation(&files);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1],
            "a.xlsx  事件   incidents    12         9         2      1"
        );
        assert!(
            lines[2].starts_with("total") && lines[2].ends_with("12         9         2      1")
        );
    }
}

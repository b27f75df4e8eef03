//! The findings workbook: what `check --findings-xlsx` writes for a
//! provider to sort and filter.

use super::{FileCount, Finding, Lang, SheetCount};

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
/// SHA-256, bytes). Headings are in both languages; severities, messages
/// and hints in `lang`. Byte-identical for identical input (fixed creation
/// time).
pub fn xlsx_bytes(
    findings: &[Finding],
    files: &[FileCount],
    lang: Lang,
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
            let cell = f.cell.map(|c| c.to_string()).unwrap_or_default();
            let (message, hint) = (f.message(lang), f.hint(lang));
            let cells = [
                f.severity.label(lang),
                f.code.id(),
                f.file.as_deref().unwrap_or(""),
                f.sheet.as_deref().unwrap_or(""),
                cell.as_str(),
                f.column.as_deref().unwrap_or(""),
                message.as_str(),
                hint.as_str(),
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
                        ws.write_string(
                            r,
                            2,
                            if f.readable {
                                "-"
                            } else {
                                super::unreadable_label(lang)
                            },
                        )?;
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
    lang: Lang,
) -> Result<(), FindingsXlsxError> {
    let bytes = xlsx_bytes(findings, files, lang).map_err(|source| FindingsXlsxError::Build {
        path: path.to_path_buf(),
        source,
    })?;
    crate::fsutil::write_atomic(path, &bytes).map_err(|source| FindingsXlsxError::Write {
        path: path.to_path_buf(),
        source,
    })
}

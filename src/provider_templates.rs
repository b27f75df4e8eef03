//! The blank provider workbooks (`svcreport templates`) and their Markdown
//! documentation, generated from [`ingest::schema::DATASETS`](crate::ingest::schema::DATASETS),
//! the same definition the reader matches headers and parses cells with.
//!
//! Job: for each dataset build one workbook whose data sheet is named like the
//! reader expects (`事件` …) with bilingual headers, required columns marked
//! (orange, bold, a note), drop-down lists for enum / yes-no / priority
//! columns, whole-number checks for bounded integers, date formats on date
//! columns, text format on id/period columns, frozen header and widths that
//! fit Chinese, plus an instructions sheet `说明` that the reader skips.
//!
//! Depends on `ingest::schema` (and `findings` for the code list) only; no
//! I/O, no clock. Invariants: the bytes are a pure function of the schema
//! (the document creation time is the fixed [`CREATED`]), so building twice
//! gives identical files; the templates hold no data rows, so a blank
//! template reads back as zero rows.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};

use crate::findings::{Code, Lang, column_letters};
use crate::ingest::schema::{self, ColType, Column, DATASETS, DatasetDef, SKIPPED_SHEETS};

/// The fixed document creation date of every template (determinism).
pub const CREATED: (u16, u8, u8) = (2026, 1, 1);

/// Rows (below the header) that carry drop-downs and checks.
pub const TEMPLATE_ROWS: u32 = 1000;

/// The instructions sheet (skipped by the reader).
pub const INSTRUCTIONS_SHEET: &str = "说明";

/// Header fill of a required column (orange) and of an optional one (grey).
const REQUIRED_FILL: u32 = 0xF8CBAD;
const OPTIONAL_FILL: u32 = 0xD9D9D9;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot build the {dataset} template: {source}")]
    Xlsx {
        dataset: &'static str,
        source: XlsxError,
    },
}

/// `<name>.xlsx`, e.g. `incidents.xlsx`.
pub fn file_name(def: &DatasetDef) -> String {
    format!("{}.xlsx", def.name)
}

/// The drop-down entries of a column: the first spelling of each choice (the
/// Chinese one where there is one); empty when the column has no list.
pub fn choice_labels(c: &Column) -> Vec<&'static str> {
    let choices: &[&str] = match c.ty {
        ColType::Enum => c.choices,
        ColType::YesNo => schema::YES_NO_CHOICES,
        ColType::Priority => schema::PRIORITY_CHOICES,
        _ => &[],
    };
    choices
        .iter()
        .map(|ch| ch.split('|').next().unwrap_or(ch))
        .collect()
}

/// Every accepted spelling of each choice, `P1 (1, 紧急, critical, urgent); …`.
fn choice_spellings(c: &Column) -> String {
    let choices: &[&str] = match c.ty {
        ColType::Enum => c.choices,
        ColType::YesNo => schema::YES_NO_CHOICES,
        ColType::Priority => schema::PRIORITY_CHOICES,
        _ => &[],
    };
    choices
        .iter()
        .map(|ch| {
            let mut parts = ch.split('|');
            let first = parts.next().unwrap_or(ch);
            let rest: Vec<&str> = parts.collect();
            if rest.is_empty() {
                first.to_string()
            } else {
                format!("{first} ({})", rest.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The type of a column in words, Chinese and English.
pub fn type_label(ty: ColType) -> String {
    match ty {
        ColType::Text => "文本 text".into(),
        ColType::DateTime => "日期时间 date-time".into(),
        ColType::Date => "日期 date".into(),
        ColType::Number => "数字 number".into(),
        ColType::Int { min, max } => format!("整数 {min}–{max} · whole number {min}–{max}"),
        ColType::Priority => "优先级 priority".into(),
        ColType::YesNo => "是/否 yes/no".into(),
        ColType::Enum => "选项 choice".into(),
        ColType::Period => "期间 period".into(),
    }
}

/// What a provider may type in a column.
pub fn accepted(c: &Column) -> String {
    match c.ty {
        ColType::Text => "任意文本 any text".into(),
        ColType::DateTime => "Excel 日期单元格，或文本 2026-10-01 08:00[:00]、2026/10/01 08:00、ISO 8601 (2026-10-01T08:00:00) · an Excel date cell or text in those forms".into(),
        ColType::Date => "Excel 日期单元格，或文本 2026-10-01、2026/10/01（带时间也可，只取日期） · an Excel date cell or text; a time part is ignored".into(),
        ColType::Number => "数字，可用全角数字 · a number (full-width digits accepted)".into(),
        ColType::Int { min, max } => format!("{min} 到 {max} 的整数 · a whole number from {min} to {max}"),
        ColType::Period => "期间，如 2026-10（按文本填写） · a period such as 2026-10 (typed as text)".into(),
        ColType::Priority | ColType::YesNo | ColType::Enum => choice_spellings(c),
    }
}

/// Display width of a string in Excel character units: CJK and full-width
/// characters count 2.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|ch| {
            let c = ch as u32;
            let wide = (0x1100..=0x115F).contains(&c)
                || (0x2E80..=0xA4CF).contains(&c)
                || (0xAC00..=0xD7A3).contains(&c)
                || (0xF900..=0xFAFF).contains(&c)
                || (0xFE30..=0xFE4F).contains(&c)
                || (0xFF00..=0xFF60).contains(&c)
                || (0xFFE0..=0xFFE6).contains(&c);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn column_width(c: &Column) -> f64 {
    let header = display_width(&DatasetDef::template_header(c));
    let content = match c.ty {
        ColType::DateTime => 17,
        ColType::Date => 11,
        ColType::Text if c.key == "summary" || c.key == "description" || c.key == "comment" => 40,
        ColType::Enum | ColType::Priority | ColType::YesNo => {
            choice_labels(c)
                .iter()
                .map(|l| display_width(l))
                .max()
                .unwrap_or(4)
                + 4
        }
        _ => 10,
    };
    // Bold headers need a little more room.
    (header.max(content) + 3) as f64
}

fn header_note(c: &Column) -> String {
    let mut s = String::new();
    if c.required {
        s.push_str("必填 Required\n");
    } else {
        s.push_str("选填 Optional\n");
    }
    s.push_str(&type_label(c.ty));
    if !c.note.is_empty() {
        s.push('\n');
        s.push_str(c.note);
    }
    s
}

/// Excel's data-validation title is at most 32 UTF-16 units.
fn short_title(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if out.encode_utf16().count() + ch.len_utf16() > 32 {
            break;
        }
        out.push(ch);
    }
    out
}

/// Excel's data-validation message is at most 255 UTF-16 units.
fn short_message(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if out.encode_utf16().count() + ch.len_utf16() > 250 {
            out.push('…');
            break;
        }
        out.push(ch);
    }
    out
}

fn validation_for(c: &Column) -> Result<DataValidation, XlsxError> {
    let header = DatasetDef::template_header(c);
    let labels = choice_labels(c);
    let mut v = if !labels.is_empty() {
        // Other spellings are accepted by the reader, so warn rather than stop.
        DataValidation::new()
            .allow_list_strings(&labels)?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title(short_title(&header))?
            .set_error_message(short_message(&format!(
                "请从下拉列表选择。Choose from the list. 可接受 Accepted: {}",
                choice_spellings(c)
            )))?
    } else if let ColType::Int { min, max } = c.ty {
        let lo = i32::try_from(min).unwrap_or(i32::MIN);
        let hi = i32::try_from(max).unwrap_or(i32::MAX);
        DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(lo, hi))
            .set_error_title(short_title(&header))?
            .set_error_message(format!(
                "请填写 {min}–{max} 的整数。Enter a whole number {min}–{max}."
            ))?
    } else {
        DataValidation::new().allow_any_value()
    };
    let mut msg = String::new();
    msg.push_str(if c.required {
        "必填 Required. "
    } else {
        "选填 Optional. "
    });
    msg.push_str(&accepted(c));
    if !c.note.is_empty() {
        msg.push_str(". ");
        msg.push_str(c.note);
    }
    v = v
        .set_input_title(short_title(&header))?
        .set_input_message(short_message(&msg))?;
    Ok(v)
}

fn data_sheet(def: &DatasetDef, rows: &[Vec<&str>]) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(def.sheet_zh)?;
    ws.set_default_note_author("svcreport");
    let base = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let required = base
        .clone()
        .set_background_color(Color::RGB(REQUIRED_FILL))
        .set_font_color(Color::RGB(0x9C0006));
    let optional = base.set_background_color(Color::RGB(OPTIONAL_FILL));
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text = Format::new().set_num_format("@");
    let whole = Format::new().set_num_format("0");

    ws.set_row_height(0, 32)?;
    for (i, c) in def.columns.iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
        let header = DatasetDef::template_header(c);
        ws.write_string_with_format(
            0,
            col,
            &header,
            if c.required { &required } else { &optional },
        )?;
        ws.set_column_width(col, column_width(c))?;
        match c.ty {
            ColType::DateTime => {
                ws.set_column_format(col, &datetime)?;
            }
            ColType::Date => {
                ws.set_column_format(col, &date)?;
            }
            // Ids keep leading zeros and 2026-10 stays text instead of
            // becoming a date.
            ColType::Text | ColType::Period => {
                ws.set_column_format(col, &text)?;
            }
            ColType::Int { .. } => {
                ws.set_column_format(col, &whole)?;
            }
            _ => {}
        }
        let note = Note::new(header_note(c))
            .set_author("svcreport")
            .set_width(220)
            .set_height(90);
        ws.insert_note(0, col, &note)?;
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &validation_for(c)?)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (i, (v, c)) in row.iter().zip(def.columns).enumerate() {
            let col = u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            // As Excel stores what a provider types into the formatted
            // column: dates and numbers as numbers, everything else as text.
            match c.ty {
                ColType::DateTime => {
                    match chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M") {
                        Ok(dt) => ws.write_datetime_with_format(r, col, dt, &datetime)?,
                        Err(_) => ws.write_string(r, col, v)?,
                    };
                }
                ColType::Date => {
                    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                        Ok(d) => ws.write_datetime_with_format(r, col, d, &date)?,
                        Err(_) => ws.write_string(r, col, v)?,
                    };
                }
                ColType::Number | ColType::Int { .. } => {
                    match v.parse::<f64>() {
                        Ok(n) if n.is_finite() => ws.write_number(r, col, n)?,
                        _ => ws.write_string(r, col, v)?,
                    };
                }
                _ => {
                    ws.write_string(r, col, v)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

fn instructions_sheet(def: &DatasetDef) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(INSTRUCTIONS_SHEET)?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(OPTIONAL_FILL))
        .set_text_wrap();
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let req = cell.clone().set_bold().set_font_color(Color::RGB(0x9C0006));

    ws.write_string_with_format(
        0,
        0,
        format!("{} {} — 填写说明 Instructions", def.sheet_zh, def.sheet_en),
        &title,
    )?;
    // Where a provider may declare the delivery's period (the inbox folder or the file
    // name wins when they say one): label, value to fill, and a note without digits.
    ws.write_string_with_format(1, 0, "报告期间", &req)?;
    ws.write_string(
        1,
        2,
        "选填：本文件所属期间，如“年-月”；收件箱文件夹或文件名写明期间时以其为准 / optional: the period this file is for (year-month); the inbox folder or file name wins",
    )?;
    let mut row = 2;
    for line in general_rules(def) {
        ws.write_string(row, 0, line)?;
        row += 1;
    }
    row += 1;
    let headers = [
        "列 Column",
        "中文表头 Chinese header",
        "英文表头 English header",
        "类型 Type",
        "必填 Required",
        "可接受的写法 Accepted values",
        "说明 Note",
    ];
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, &head)?;
    }
    let header_row = row;
    for (i, c) in def.columns.iter().enumerate() {
        row += 1;
        let letter = column_letters(i as u32);
        ws.write_string_with_format(row, 0, &letter, &cell)?;
        ws.write_string_with_format(row, 1, c.zh, &cell)?;
        ws.write_string_with_format(row, 2, c.en, &cell)?;
        ws.write_string_with_format(row, 3, type_label(c.ty), &cell)?;
        if c.required {
            ws.write_string_with_format(row, 4, "必填 required", &req)?;
        } else {
            ws.write_string_with_format(row, 4, "选填 optional", &cell)?;
        }
        ws.write_string_with_format(row, 5, accepted(c), &cell)?;
        ws.write_string_with_format(row, 6, c.note, &cell)?;
    }
    for (col, w) in [8.0, 18.0, 20.0, 22.0, 14.0, 60.0, 40.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(col as u16, w)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    Ok(ws)
}

/// The general rules printed on every instructions sheet and in the docs.
pub fn general_rules(def: &DatasetDef) -> Vec<String> {
    let mut names = vec![def.sheet_zh, def.sheet_en];
    names.extend_from_slice(def.sheet_aliases);
    vec![
        format!(
            "1. 在工作表「{}」中每行填写一条记录，第 1 行是表头。One record per row on sheet \"{}\"; row 1 is the header.",
            def.sheet_zh, def.sheet_zh
        ),
        format!(
            "2. 工作表按名称识别（{}，不区分大小写和全/半角），否则按表头识别。The sheet is recognised by its name ({}), else by its header row.",
            names.join(" / "),
            names.join(" / ")
        ),
        "3. 表头可写中文、英文或中英文，列的顺序不限；多余的列会被列为警告。Headers may be Chinese, English or both, in any order; extra columns are listed as warnings.".into(),
        "4. 橙色表头的列为必填。Columns with an orange header are required.".into(),
        "5. 日期时间写作 2026-10-01 08:00（或设为日期格式的单元格）；时间为工作区时区的当地时间。Date-times as 2026-10-01 08:00 or date cells, in local time.".into(),
        "6. 下拉列表给出标准写法，其他可接受的写法见下表。The drop-downs give the standard spelling; other accepted spellings are listed below.".into(),
        format!(
            "7. 工作表「{}」不会被读取，可以保留。This sheet ({}) is skipped by the reader.",
            INSTRUCTIONS_SHEET,
            SKIPPED_SHEETS.join(" / ")
        ),
        "8. 提交前可运行 svcreport check 文件名 检查。Check the file before dropping it: svcreport check FILE.".into(),
    ]
}

/// The blank template of one dataset, as xlsx bytes.
pub fn workbook(def: &DatasetDef) -> Result<Vec<u8>, TemplateError> {
    workbook_with_rows(def, &[])
}

/// The template with rows filled in the way a provider fills it in Excel
/// (values in column order; `YYYY-MM-DD HH:MM` / `YYYY-MM-DD` in date columns
/// and numbers in number columns are stored as Excel dates and numbers, all
/// else as text, never as a formula). For round-trip tests and examples.
pub fn workbook_with_rows(def: &DatasetDef, rows: &[Vec<&str>]) -> Result<Vec<u8>, TemplateError> {
    build(def, rows).map_err(|source| TemplateError::Xlsx {
        dataset: def.name,
        source,
    })
}

fn build(def: &DatasetDef, rows: &[Vec<&str>]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let (y, m, d) = CREATED;
    let props = DocProperties::new()
        .set_title(format!(
            "{} {} 数据模板 template",
            def.sheet_zh, def.sheet_en
        ))
        .set_author("svcreport")
        .set_company("svcreport")
        .set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?);
    wb.set_properties(&props);
    let mut data = data_sheet(def, rows)?;
    data.set_active(true);
    wb.push_worksheet(data);
    wb.push_worksheet(instructions_sheet(def)?);
    wb.save_to_buffer()
}

/// Every template: `(file name, bytes)`, in `DATASETS` order.
pub fn all() -> Result<Vec<(String, Vec<u8>)>, TemplateError> {
    DATASETS
        .iter()
        .map(|d| Ok((file_name(d), workbook(d)?)))
        .collect()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The templates page (`docs/templates.md`, and the first part of the
/// `README.md` written next to the templates).
pub fn templates_markdown() -> String {
    let mut s = String::new();
    s.push_str("# Provider templates · 数据模板\n\n");
    s.push_str(
        "<!-- Generated from src/ingest/schema.rs by `svcreport templates`; do not edit. -->\n\n",
    );
    s.push_str(
        "`svcreport templates --out DIR` writes one blank workbook per dataset, generated from the same \
         definitions the reader uses. Each has a data sheet (bilingual headers, required columns with an \
         orange header and a note, drop-down lists for choices, date formats, frozen header) and an \
         instructions sheet `说明`, which the reader skips. Check a filled workbook with \
         `svcreport check FILE` before dropping it into the inbox.\n\n",
    );
    s.push_str("General rules:\n\n");
    s.push_str("- One record per row; row 1 is the header. Headers are matched in Chinese or English, ignoring case, spaces and full-/half-width; columns may come in any order. Unknown extra columns are listed as warnings. Blank rows are skipped and counted.\n");
    s.push_str("- A sheet is recognised by its name (the names listed per dataset, case- and width-insensitive) or, failing that, by its header row. Sheets named ");
    s.push_str(
        &SKIPPED_SHEETS
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push_str(" are skipped.\n");
    s.push_str("- Date-times are local times of the workspace timezone. Id and period columns are formatted as text so that `0012` and `2026-10` stay as typed.\n");
    s.push_str("- The drop-downs offer the standard (first) spelling; every spelling listed under *accepted* is read as well.\n\n");
    s.push_str("| file | data sheet | also recognised as |\n| --- | --- | --- |\n");
    for d in DATASETS {
        let mut names = vec![d.sheet_en];
        names.extend_from_slice(d.sheet_aliases);
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            file_name(d),
            d.sheet_zh,
            names.join(", ")
        ));
    }
    s.push_str("\nThe problems `svcreport check` reports are listed with their codes in [finding-codes.md](finding-codes.md) (and after the templates in the generated `README.md`).\n");
    for d in DATASETS {
        s.push_str(&format!(
            "\n## {} — {} ({})\n\nFile `{}`, sheet `{}`.\n\n",
            d.name,
            d.sheet_zh,
            d.sheet_en,
            file_name(d),
            d.sheet_zh
        ));
        s.push_str("| col | header (zh / en) | key | type | required | accepted | note |\n");
        s.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (i, c) in d.columns.iter().enumerate() {
            s.push_str(&format!(
                "| {} | {} / {} | `{}` | {} | {} | {} | {} |\n",
                column_letters(i as u32),
                md_escape(c.zh),
                md_escape(c.en),
                c.key,
                md_escape(&type_label(c.ty)),
                if c.required { "**yes**" } else { "no" },
                md_escape(&accepted(c)),
                md_escape(c.note),
            ));
        }
    }
    s
}

/// The import-profiles page (`docs/import-profiles.md`, and `import-profiles.md` next to the
/// templates): every built-in profile, which source column feeds which field, its value maps,
/// date formats and the documents it was written from.
pub fn profiles_markdown() -> String {
    use crate::ingest::profile::{Profiles, dataset_def};
    let mut s = String::new();
    s.push_str(
        "# Import profiles · 导入配置

",
    );
    s.push_str(
        "<!-- Generated from src/ingest/profiles/*.toml by `svcreport templates`; do not edit. -->

",
    );
    s.push_str(
        "A ticketing tool's export is read through an import profile: the profile maps the tool's \
         columns to a dataset's fields and its values (priorities, states) to ours, and says how its \
         dates are written. A workspace can extend a built-in profile in `svcreport.toml` \
         (`[profiles.NAME]`, `extends = \"servicenow\"`, `files = [\"inbox/**/sn-*.csv\"]`) and override \
         single columns, values, date formats, the timezone or constants; `svcreport check \
         --explain-profile FILE` shows which column went where. A file no profile's `files` matches is \
         recognised by its header row (the fingerprint below). A value a profile's map lacks is kept \
         when it is one of ours (P1–P4, 新建 …) and otherwise an error naming the profile; a date its \
         formats cannot read is an error (day and month are never guessed); a cancelled ticket is left \
         out of every SLA figure and counted as excluded.\n\n",
    );
    s.push_str(
        "工单系统的导出文件通过导入配置读取：导入配置把该系统的列对应到数据集的字段，把取值（优先级、状态）对应到本系统的取值，\
         并说明日期的写法。工作区可在 `svcreport.toml` 中扩展内置配置（`[profiles.名称]`、`extends = \"servicenow\"`），\
         覆盖个别列、取值、日期格式、时区或常量；`svcreport check --explain-profile 文件` 显示各列的对应关系。\n\n",
    );
    for p in Profiles::builtin().list {
        let Some(def) = dataset_def(&p.dataset) else {
            continue;
        };
        s.push_str(&format!("## `{}` — {} ({})\n\n", p.name, p.tool, p.dataset));
        s.push_str(&format!(
            "Recognised by the headers: {}.",
            p.fingerprint
                .iter()
                .map(|f| format!("`{}`", f.replace('|', "` or `")))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if !p.date_formats.is_empty() {
            s.push_str(&format!(
                " Dates: {}.",
                p.date_formats
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(d) = p.delimiter {
            s.push_str(&format!(" CSV delimiter `{}`.", char::from(d)));
        }
        if let Some(e) = &p.fallback_encoding {
            s.push_str(&format!(
                " A text file that is not UTF-8 (and has no byte-order mark) is read as `{e}` (`fallback_encoding`; a profile's `encoding` wins)."
            ));
        }
        s.push_str(
            "\n\n| field · 字段 | source columns · 源列 | values · 取值 |\n| --- | --- | --- |\n",
        );
        for c in def.columns {
            let cols = p
                .columns
                .iter()
                .find(|(k, _)| k == c.key)
                .map(|(_, h)| {
                    h.iter()
                        .map(|x| format!("`{}`", md_escape(x)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let vals = p
                .values
                .iter()
                .find(|(k, _)| k == c.key)
                .map(|(_, m)| {
                    m.iter()
                        .map(|(f, t)| format!("{} → {}", md_escape(f), md_escape(t)))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            if cols.is_empty() && vals.is_empty() {
                continue;
            }
            s.push_str(&format!("| {} · {} | {} | {} |\n", c.zh, c.en, cols, vals));
        }
        s.push_str("\nWritten from:\n\n");
        for src in &p.sources {
            s.push_str(&format!("- {}\n", md_escape(src)));
        }
        s.push('\n');
    }
    s
}

/// The `README.md` written next to the templates: the templates page, then
/// the finding codes.
pub fn readme_markdown() -> String {
    let mut s = templates_markdown();
    s.push('\n');
    // Demote the codes page's title one level under the templates page.
    for line in finding_codes_markdown().lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            s.push_str(&format!("## {rest}\n"));
        } else if let Some(rest) = line.strip_prefix("## ") {
            s.push_str(&format!("### {rest}\n"));
        } else {
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

/// The finding-codes page (`docs/finding-codes.md`), from the code table
/// ([`Code::ALL`], `src/findings/code.rs`), in both languages, grouped by the
/// code's prefix (`ingest`, `sheet`, `column`, `value`, `ref`, `row`) in the
/// table's order.
pub fn finding_codes_markdown() -> String {
    let mut s = String::new();
    s.push_str("# Finding codes · 问题代码\n\n");
    s.push_str(
        "<!-- Generated from src/findings/code.rs (Code) by `svcreport templates`; do not edit. -->\n\n",
    );
    s.push_str(
        "Every problem `svcreport check` finds in a provider workbook carries one of these stable codes \
         (codes are never renamed, only added), a severity, the file, sheet, cell and column header, a \
         message and a hint. `error` rejects the row (or the file); `warning` accepts it but asks for a \
         look; `info` is for information only. Exit code 1 means at least one error. Messages and hints \
         are printed in the workspace's language (`language` in `svcreport.toml`); the code is the same \
         in every language, and `--format json` carries both (`message`, `hint` in English, \
         `message_zh`, `hint_zh` in Chinese).\n\n",
    );
    s.push_str(
        "`svcreport check` 发现的每个问题都带有下表中的一个固定代码（代码只增不改）、级别、文件、工作表、单元格、\
         列标题、说明和建议。`错误`（error）表示该行（或整个文件）被拒绝；`警告`（warning）表示已接受但需要查看；\
         `提示`（info）仅供参考。退出码 1 表示至少有一个错误。说明和建议使用工作区的语言（svcreport.toml 中的 \
         `language`）；代码在各种语言下都相同。\n\n",
    );
    let mut groups: Vec<&str> = Vec::new();
    for c in Code::ALL {
        if !groups.contains(&c.group()) {
            groups.push(c.group());
        }
    }
    for g in groups {
        s.push_str(&format!(
            "## {g}\n\n| code | severity · 级别 | meaning · 含义 | usual fix · 处理方法 |\n| --- | --- | --- | --- |\n"
        ));
        for c in Code::ALL.iter().filter(|c| c.group() == g) {
            let both = |en: &str, zh: &str| format!("{}<br>{}", md_escape(en), md_escape(zh));
            s.push_str(&format!(
                "| `{}` | {} {} | {} | {} |\n",
                c.id(),
                c.severity().as_str(),
                c.severity().label(Lang::Zh),
                both(c.meaning(Lang::En), c.meaning(Lang::Zh)),
                both(c.fix(Lang::En), c.fix(Lang::Zh)),
            ));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_page_lists_every_code_in_both_languages() {
        let page = finding_codes_markdown();
        for c in Code::ALL {
            let row = page
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", c.id())))
                .unwrap_or_else(|| panic!("{} missing", c.id()));
            assert!(row.contains(&md_escape(c.meaning(Lang::Zh))), "{row}");
            assert!(row.contains(&md_escape(c.fix(Lang::En))), "{row}");
        }
        assert!(page.contains("| `value.not_a_date` | error 错误 |"));
        assert!(readme_markdown().contains("\n## Finding codes · 问题代码\n"));
    }

    #[test]
    fn widths_count_chinese_double() {
        assert_eq!(display_width("工单号 Ticket ID"), 6 + 10);
        assert_eq!(display_width("ＡＢ"), 4);
        let c = schema::INCIDENTS.column("paused_minutes").expect("column");
        // "挂起时长(分钟) Paused Minutes": 4×2 + 1 + 2×2 + 1 + 1 + 14 = 29, + 3.
        assert_eq!(column_width(c), 32.0);
    }

    #[test]
    fn drop_down_labels_are_first_spellings() {
        let i = &schema::INCIDENTS;
        let status = i.column("status").expect("status");
        assert_eq!(
            choice_labels(status),
            vec!["新建", "处理中", "挂起", "已解决", "已关闭", "已取消"]
        );
        let major = i.column("major").expect("major");
        assert_eq!(choice_labels(major), vec!["是", "否"]);
        let prio = i.column("priority").expect("priority");
        assert_eq!(choice_labels(prio), vec!["P1", "P2", "P3", "P4"]);
        assert!(choice_labels(i.column("summary").expect("summary")).is_empty());
        assert_eq!(
            accepted(prio),
            "P1 (1, 紧急, critical, urgent); P2 (2, 高, high); P3 (3, 中, medium, moderate); P4 (4, 低, low)"
        );
    }

    #[test]
    fn titles_fit_excel_limits() {
        let long = "挂起时长(分钟) Paused Minutes and a lot more text here";
        let t = short_title(long);
        assert!(t.encode_utf16().count() <= 32);
        assert!(long.starts_with(&t));
        let m = short_message(&"x".repeat(400));
        assert!(m.encode_utf16().count() <= 255);
    }
}

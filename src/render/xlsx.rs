//! The Excel renderer: [`ReportDoc`] → `.xlsx` bytes (rust_xlsxwriter).
//!
//! Layout: a cover sheet with the document block, then one sheet per section
//! in the template's order (the `summary` section is the summary sheet of
//! every target). Tables get a styled header, number formats that reproduce
//! the model's rounded text exactly, a frozen header and an autofilter (the
//! first table of a sheet), conditional status colours, and column widths
//! that count CJK characters as two. Charts are native Excel charts over a
//! data block written next to them. Every sheet prints on A4, fit to width,
//! with the document number and version in the header and page X of Y in the
//! footer; the file carries core and custom document properties.
//!
//! Must not depend on anything but the report model (with `report::numfmt`)
//! and [`RenderOptions`]: no I/O, no clock. Invariants: text is always written
//! with `write_string` (an input starting with `=` stays text); numbers are
//! written as `numfmt::shown_value` — percentages in percent units (99.95
//! with format `0.00"%"`), so the cell value is the figure the PDF prints;
//! the creation time comes from `RenderOptions::created` (or the document's
//! `generated_at`), so the same document gives byte-identical files.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartLineDashType, ChartType, Color, ConditionalFormatCell,
    ConditionalFormatCellRule, DocProperties, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet,
};

use super::RenderOptions;
use crate::report::{
    Align, Block, Cell, ChartKind, DocStatus, ReportDoc, Status, Table, numfmt, parse_doc_time,
};

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error(
        "{doc}: generated_at \"{value}\" is not a local date-time like 2026-11-03T10:00:00 (needed as the creation time)"
    )]
    Time { doc: String, value: String },
    #[error("{doc}: cannot write the workbook: {source}")]
    Write {
        doc: String,
        source: rust_xlsxwriter::XlsxError,
    },
}

/// Most characters Excel keeps in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Longest sheet name Excel accepts.
const MAX_SHEET_NAME: usize = 31;

/// A valid, unique sheet name from a title: `[]:*?/\` replaced, no leading or
/// trailing apostrophe, at most 31 UTF-16 units, unique ignoring case.
pub fn sheet_name(title: &str, taken: &[String]) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned
        .trim_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_string();
    let base = if cleaned.is_empty() {
        "Sheet".to_string()
    } else {
        cleaned
    };
    let fits = |s: &str, room: usize| -> String {
        let mut out = String::new();
        let mut units = 0;
        for c in s.chars() {
            units += c.len_utf16();
            if units > room {
                break;
            }
            out.push(c);
        }
        // Cutting may leave a trailing apostrophe, which Excel refuses.
        let out = out.trim_end_matches(|c: char| c == '\'' || c.is_whitespace());
        if out.is_empty() {
            "Sheet".to_string()
        } else {
            out.to_string()
        }
    };
    let is_taken = |n: &str| taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    let first = fits(&base, MAX_SHEET_NAME);
    if !is_taken(&first) && !first.eq_ignore_ascii_case("history") {
        return first;
    }
    for k in 2.. {
        let suffix = format!(" ({k})");
        let cand = format!("{}{suffix}", fits(&base, MAX_SHEET_NAME - suffix.len()));
        if !is_taken(&cand) {
            return cand;
        }
    }
    unreachable!("some suffix is free")
}

/// Display width of text in Excel character units: CJK and other wide characters count two.
pub fn display_width(s: &str) -> usize {
    s.lines()
        .map(|l| l.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Escape `&` for Excel header/footer strings.
fn hf(s: &str) -> String {
    s.replace('&', "&&")
}

fn color(hex: &str) -> Color {
    u32::from_str_radix(hex.trim_start_matches('#'), 16)
        .map(Color::RGB)
        .unwrap_or(Color::Black)
}

struct Formats {
    title: Format,
    subtitle: Format,
    draft: Format,
    heading: Format,
    table_title: Format,
    header: Format,
    key: Format,
    text: Format,
    para: Format,
    status: Format,
    better: Format,
    worse: Format,
    neutral: Format,
    /// Number formats by Excel format string.
    numbers: BTreeMap<String, Format>,
    fills: BTreeMap<Status, Format>,
}

impl Formats {
    fn new(doc: &ReportDoc) -> Formats {
        let primary = color(&doc.style.primary);
        let font = if doc.meta.language.starts_with("zh") {
            "等线"
        } else {
            "Calibri"
        };
        let base = Format::new().set_font_name(font).set_font_size(10.5);
        let cell = base.clone().set_border(FormatBorder::Thin);
        let fill = |hex: &str| Format::new().set_background_color(color(hex));
        Formats {
            title: base
                .clone()
                .set_bold()
                .set_font_size(18)
                .set_font_color(primary),
            subtitle: base.clone().set_font_size(12).set_font_color(primary),
            draft: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_font_color(Color::RGB(0xC00000)),
            heading: base
                .clone()
                .set_bold()
                .set_font_size(13)
                .set_font_color(primary),
            table_title: base.clone().set_bold().set_font_size(11),
            header: cell
                .clone()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(primary)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            key: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2)),
            text: cell.clone(),
            para: base.clone(),
            status: cell.clone().set_align(FormatAlign::Center),
            better: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_font_color(Color::RGB(0x00B050)),
            worse: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_font_color(Color::RGB(0xC00000)),
            neutral: cell.clone().set_align(FormatAlign::Center),
            numbers: BTreeMap::new(),
            fills: [
                (Status::Met, fill(&doc.style.met)),
                (Status::AtRisk, fill(&doc.style.at_risk)),
                (Status::Breached, fill(&doc.style.breached)),
                (Status::NotApplicable, fill(&doc.style.na)),
                (Status::DataMissing, fill(&doc.style.na)),
            ]
            .into_iter()
            .collect(),
        }
    }

    fn number(&mut self, decimals: u8, text: &str) -> Format {
        let nf = numfmt::excel_format(decimals, text);
        self.numbers
            .entry(nf.clone())
            .or_insert_with(|| {
                self.text
                    .clone()
                    .set_num_format(nf)
                    .set_align(FormatAlign::Right)
            })
            .clone()
    }
}

/// One worksheet being written: the cursor row and the widest text per column.
struct SheetW {
    ws: Worksheet,
    name: String,
    row: u32,
    widths: BTreeMap<u16, usize>,
    /// Columns that hold tables (widths only count those and key-values).
    filtered: bool,
    frozen: bool,
    max_cols: u16,
}

type R<T> = Result<T, rust_xlsxwriter::XlsxError>;

impl SheetW {
    fn new(name: &str) -> R<SheetW> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        Ok(SheetW {
            ws,
            name: name.to_string(),
            row: 0,
            widths: BTreeMap::new(),
            filtered: false,
            frozen: false,
            max_cols: 1,
        })
    }

    fn fit(&mut self, col: u16, text: &str) {
        let w = display_width(text);
        let e = self.widths.entry(col).or_insert(0);
        *e = (*e).max(w);
        self.max_cols = self.max_cols.max(col + 1);
    }

    fn text(&mut self, row: u32, col: u16, s: &str, f: &Format, fit: bool) -> R<()> {
        // Excel holds at most 32,767 characters in a cell: cut, never fail on input.
        let s = if s.chars().count() > MAX_CELL_CHARS {
            s.chars().take(MAX_CELL_CHARS).collect::<String>()
        } else {
            s.to_string()
        };
        let s = s.as_str();
        // write_string: never a formula, even for "=SUM(A1)".
        self.ws.write_string_with_format(row, col, s, f)?;
        if fit {
            self.fit(col, s);
        }
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u16, c: &Cell, align: Align, fm: &mut Formats) -> R<()> {
        match c {
            Cell::Empty => {
                self.ws.write_blank(row, col, &fm.text)?;
            }
            Cell::Text { text } => {
                let f = match align {
                    Align::Center => fm.status.clone(),
                    Align::Right => fm.text.clone().set_align(FormatAlign::Right),
                    Align::Left => fm.text.clone(),
                };
                self.text(row, col, text, &f, true)?;
            }
            Cell::Number { value, text, .. } if !value.is_finite() => {
                let f = fm.text.clone().set_align(FormatAlign::Right);
                self.text(row, col, text, &f, true)?;
            }
            Cell::Number {
                value,
                text,
                decimals,
                ..
            } => {
                let f = fm.number(*decimals, text);
                self.ws.write_number_with_format(
                    row,
                    col,
                    numfmt::shown_value(*value, *decimals),
                    &f,
                )?;
                self.fit(col, text);
            }
            Cell::Status(s) => {
                let f = fm.status.clone();
                self.text(row, col, &s.label, &f, true)?;
            }
            Cell::Trend { arrow, better } => {
                let f = match better {
                    Some(true) => fm.better.clone(),
                    Some(false) => fm.worse.clone(),
                    None => fm.neutral.clone(),
                };
                self.text(row, col, arrow, &f, true)?;
            }
        }
        Ok(())
    }

    fn finish(mut self, doc: &ReportDoc) -> R<Worksheet> {
        for (&col, &w) in &self.widths {
            let w = (w + 2).clamp(8, 70) as f64;
            self.ws.set_column_width(col, w)?;
        }
        print_setup(&mut self.ws, doc, self.max_cols > 6);
        Ok(self.ws)
    }
}

fn print_setup(ws: &mut Worksheet, doc: &ReportDoc, landscape: bool) {
    let m = &doc.meta;
    let label = |k: &str, d: &str| {
        doc.labels
            .map
            .get(k)
            .cloned()
            .unwrap_or_else(|| d.to_string())
    };
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0); // fit to width, as many pages down as needed
    if landscape {
        ws.set_landscape();
    }
    let draft = if m.status == DocStatus::Approved {
        String::new()
    } else {
        format!("&C&\"-,Bold\"&KC00000{}", hf(&label("draft_mark", "草稿")))
    };
    let header = format!(
        "&L{}{}&R{} {}",
        hf(&truncate(&m.doc_number, 60)),
        draft,
        hf(&label("version", "Version")),
        hf(&m.version)
    );
    let page = label("page", "{page} / {total}")
        .replace('&', "&&")
        .replace("{page}", "&P")
        .replace("{total}", "&N");
    let footer = format!("&L{}&R{}", hf(&truncate(&m.title, 80)), page);
    ws.set_header(truncate(&header, 250));
    ws.set_footer(truncate(&footer, 250));
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Render the document as an `.xlsx` workbook.
pub fn render(doc: &ReportDoc, opts: &RenderOptions) -> Result<Vec<u8>, XlsxError> {
    // The core properties' times are UTC (rust_xlsxwriter writes them marked `Z`): the
    // run's instant. Without it, the document's local time stands in, as it is.
    let created = match opts.created {
        Some(t) => t.naive_utc(),
        None => parse_doc_time(&doc.meta.generated_at).ok_or_else(|| XlsxError::Time {
            doc: doc.meta.doc_number.clone(),
            value: doc.meta.generated_at.clone(),
        })?,
    };
    build_workbook(doc, &created).map_err(|source| XlsxError::Write {
        doc: doc.meta.doc_number.clone(),
        source,
    })
}

fn label<'d>(doc: &'d ReportDoc, key: &str, default: &'d str) -> &'d str {
    doc.labels
        .map
        .get(key)
        .map(String::as_str)
        .unwrap_or(default)
}

fn build_workbook(doc: &ReportDoc, created: &NaiveDateTime) -> R<Vec<u8>> {
    let mut wb = Workbook::new();
    let mut fm = Formats::new(doc);
    let mut names: Vec<String> = Vec::new();

    let cover_name = sheet_name(label(doc, "cover", "Cover"), &names);
    names.push(cover_name.clone());
    let mut section_names = Vec::new();
    for s in &doc.sections {
        let n = sheet_name(&s.title, &names);
        names.push(n.clone());
        section_names.push(n);
    }

    let cover = cover_sheet(doc, &cover_name, &section_names, &mut fm)?;
    wb.push_worksheet(cover);
    for (s, name) in doc.sections.iter().zip(&section_names) {
        let mut w = SheetW::new(name)?;
        w.text(0, 0, &s.title, &fm.title.clone(), false)?;
        w.ws.set_row_height(0, 26)?;
        w.row = 2;
        for b in &s.blocks {
            block(&mut w, b, doc, &mut fm)?;
        }
        wb.push_worksheet(w.finish(doc)?);
    }

    wb.set_properties(&properties(doc, created));
    wb.save_to_buffer()
}

/// The custom document properties of an xlsx (`docProps/custom.xml`) as
/// (name, text) pairs, read back without rendering anything: for `verify` of
/// a file that matches nothing in the ledger. `None` when the file is no zip
/// or has no readable custom properties; the part is read up to 1 MiB.
pub fn read_custom_properties(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    use std::io::Read as _;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let part = z.by_name("docProps/custom.xml").ok()?;
    let mut xml = String::new();
    part.take(1 << 20).read_to_string(&mut xml).ok()?;
    let unescape = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    };
    let mut out = Vec::new();
    for prop in xml.split("<property ").skip(1) {
        let Some(name) = prop
            .split_once("name=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(n, _)| unescape(n))
        else {
            continue;
        };
        let value = prop
            .split_once("<vt:lpwstr>")
            .and_then(|(_, r)| r.split_once("</vt:lpwstr>"))
            .map(|(v, _)| unescape(v))
            .unwrap_or_default();
        out.push((name, value));
    }
    Some(out)
}

/// The document status as printed: the template's label, and 未签名 after an unsigned approval.
fn status_text(doc: &ReportDoc) -> String {
    let m = &doc.meta;
    let status = match m.status {
        DocStatus::Draft => label(doc, "doc_status_draft", "Draft"),
        DocStatus::Reviewed => label(doc, "doc_status_reviewed", "Reviewed"),
        DocStatus::Approved => label(doc, "doc_status_approved", "Approved"),
    };
    format!("{status}{}", m.unsigned_mark().unwrap_or(""))
}

fn properties(doc: &ReportDoc, created: &NaiveDateTime) -> DocProperties {
    let m = &doc.meta;
    let zh = m.language.starts_with("zh");
    let status_label = status_text(doc);
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut p = DocProperties::new()
        .set_title(&m.title)
        .set_subject(format!("{} {}", m.party, m.period_label))
        .set_author(&m.compiler)
        .set_manager(&m.approver)
        .set_company(&m.organisation)
        .set_category("service report")
        .set_keywords(format!("{}, {}, {}", m.doc_number, m.report_id, m.period))
        .set_comment(format!("svcreport {}", m.tool_version))
        .set_creation_datetime(created);
    // Stable English names for tools first, then the document language's names.
    p = p
        .set_custom_property("DocNumber", &m.doc_number)
        .set_custom_property("ReportId", &m.report_id)
        .set_custom_property("Period", &m.period)
        .set_custom_property("Version", &m.version)
        .set_custom_property("Status", m.status.as_str())
        .set_custom_property("Compiler", &m.compiler)
        .set_custom_property("Reviewer", &m.reviewer)
        .set_custom_property("Approver", &m.approver)
        .set_custom_property("CompiledAt", &m.compiled_at)
        .set_custom_property("ReviewedAt", opt(&m.reviewed_at))
        .set_custom_property("ApprovedAt", opt(&m.approved_at))
        .set_custom_property("GeneratedAt", &m.generated_at)
        .set_custom_property("ToolVersion", &m.tool_version)
        .set_custom_property("ContentHash", &m.content_hash);
    if let Some(s) = &m.supersedes {
        p = p.set_custom_property("Supersedes", s);
    }
    if m.unsigned {
        p = p.set_custom_property("Signature", "unsigned");
    }
    if zh {
        p = p
            .set_custom_property("文档编号", &m.doc_number)
            .set_custom_property("版本", &m.version)
            .set_custom_property("状态", status_label.as_str())
            .set_custom_property("编制人", &m.compiler)
            .set_custom_property("审核人", &m.reviewer)
            .set_custom_property("批准人", &m.approver)
            .set_custom_property("审核日期", opt(&m.reviewed_at))
            .set_custom_property("批准日期", opt(&m.approved_at));
    }
    p
}

fn cover_sheet(
    doc: &ReportDoc,
    name: &str,
    section_names: &[String],
    fm: &mut Formats,
) -> R<Worksheet> {
    let m = &doc.meta;
    let mut w = SheetW::new(name)?;
    let (title, subtitle, draft) = (fm.title.clone(), fm.subtitle.clone(), fm.draft.clone());
    w.text(0, 0, &m.title, &title, false)?;
    w.ws.set_row_height(0, 28)?;
    let mut row = 1;
    if let Some(en) = &m.title_en {
        w.text(row, 0, en, &subtitle, false)?;
        row += 1;
    }
    w.text(row, 0, &m.period_label, &subtitle, false)?;
    row += 1;
    if let Some(c) = doc.labels.map.get("classification") {
        w.text(row, 0, c, &subtitle, false)?;
        row += 1;
    }
    if m.status != DocStatus::Approved {
        w.text(row, 0, label(doc, "draft_mark", "草稿"), &draft, false)?;
    }
    row += 2;
    let status_label = status_text(doc);
    let party = match &m.party_en {
        Some(en) if !m.language.starts_with("zh") => en.clone(),
        _ => m.party.clone(),
    };
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let pairs: Vec<(&str, String)> = vec![
        ("doc_number", m.doc_number.clone()),
        ("title", m.title.clone()),
        ("party", party),
        ("organisation", m.organisation.clone()),
        ("period", m.period_label.clone()),
        ("version", m.version.clone()),
        ("status", status_label.to_string()),
        ("compiler", m.compiler.clone()),
        ("compiled_at", m.compiled_at.replace('T', " ")),
        ("reviewer", m.reviewer.clone()),
        ("reviewed_at", opt(&m.reviewed_at).replace('T', " ")),
        ("approver", m.approver.clone()),
        ("approved_at", opt(&m.approved_at).replace('T', " ")),
        ("supersedes", opt(&m.supersedes)),
        ("generated_at", m.generated_at.replace('T', " ")),
        ("tool_version", m.tool_version.clone()),
        ("content_hash", m.content_hash.clone()),
        ("distribution", m.distribution.join(", ")),
    ];
    let (key, text) = (fm.key.clone(), fm.text.clone());
    for (k, v) in pairs {
        w.text(row, 0, label(doc, k, k), &key, true)?;
        w.text(row, 1, &v, &text, true)?;
        row += 1;
    }
    // Review and approval comments, then the revision history (from the ledger).
    for c in &m.comments {
        w.text(row, 0, &c.label, &key, true)?;
        w.text(
            row,
            1,
            &format!("{} ({} {})", c.text, c.who, c.at),
            &text,
            true,
        )?;
        row += 1;
    }
    if !m.revisions.is_empty() {
        row += 1;
        let heading = fm.heading.clone();
        w.text(
            row,
            0,
            label(doc, "revisions", "Revisions"),
            &heading,
            false,
        )?;
        row += 1;
        for (col, k) in ["version", "revision_date", "revision_change"]
            .iter()
            .enumerate()
        {
            w.text(row, col as u16, label(doc, k, k), &key, true)?;
        }
        row += 1;
        for r in &m.revisions {
            for (col, v) in [&r.version, &r.date, &r.change].iter().enumerate() {
                w.text(row, col as u16, v, &text, true)?;
            }
            row += 1;
        }
    }
    row += 1;
    let heading = fm.heading.clone();
    w.text(row, 0, label(doc, "contents", "Contents"), &heading, false)?;
    row += 1;
    for (i, n) in section_names.iter().enumerate() {
        w.text(
            row,
            0,
            &format!("{}. {}", i + 1, n),
            &fm.para.clone(),
            false,
        )?;
        row += 1;
    }
    w.row = row;
    w.finish(doc)
}

fn block(w: &mut SheetW, b: &Block, doc: &ReportDoc, fm: &mut Formats) -> R<()> {
    match b {
        Block::Heading { text } => {
            w.row += 1;
            let f = fm.heading.clone();
            w.text(w.row, 0, text, &f, false)?;
            w.row += 1;
        }
        Block::Paragraph { text } => {
            let f = fm.para.clone();
            w.text(w.row, 0, text, &f, false)?;
            w.row += 1;
        }
        Block::KeyValue { pairs } => {
            let (k, v) = (fm.key.clone(), fm.text.clone());
            for (a, b) in pairs {
                w.text(w.row, 0, a, &k, true)?;
                w.text(w.row, 1, b, &v, true)?;
                w.row += 1;
            }
            w.row += 1;
        }
        Block::Table(t) => table(w, t, fm)?,
        Block::Chart(c) => chart(w, c, label(doc, "series_target", "Target"), fm)?,
    }
    Ok(())
}

fn table(w: &mut SheetW, t: &Table, fm: &mut Formats) -> R<()> {
    if let Some(title) = &t.title {
        let f = fm.table_title.clone();
        w.text(w.row, 0, title, &f, false)?;
        w.row += 1;
    }
    let header_row = w.row;
    let hdr = fm.header.clone();
    for (c, col) in t.columns.iter().enumerate() {
        w.text(header_row, c as u16, &col.label, &hdr, true)?;
    }
    w.row += 1;
    let first = w.row;
    for r in &t.rows {
        for (c, cell) in r.iter().enumerate() {
            let align = t.columns.get(c).map(|c| c.align).unwrap_or(Align::Left);
            w.cell(w.row, c as u16, cell, align, fm)?;
        }
        w.row += 1;
    }
    let last = w.row.saturating_sub(1).max(first);
    let ncols = t.columns.len().max(1) as u16;
    if !w.frozen {
        w.ws.set_freeze_panes(header_row + 1, 0)?;
        // Printed pages repeat the header of the sheet's first table.
        w.ws.set_repeat_rows(header_row, header_row)?;
        w.frozen = true;
    }
    if !w.filtered && !t.rows.is_empty() {
        w.ws.autofilter(header_row, 0, last, ncols - 1)?;
        w.filtered = true;
    }
    // Conditional colouring by status on every status column.
    for (c, _) in t.columns.iter().enumerate() {
        let mut seen: BTreeMap<Status, String> = BTreeMap::new();
        for r in &t.rows {
            if let Some(Cell::Status(s)) = r.get(c) {
                seen.entry(s.status).or_insert_with(|| s.label.clone());
            }
        }
        for (status, lbl) in seen {
            let Some(fill) = fm.fills.get(&status) else {
                continue;
            };
            let cf = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::EqualTo(lbl.as_str()))
                .set_format(fill);
            w.ws.add_conditional_format(first, c as u16, last, c as u16, &cf)?;
        }
    }
    w.row += 1;
    Ok(())
}

fn chart(w: &mut SheetW, c: &crate::report::Chart, series_target: &str, fm: &mut Formats) -> R<()> {
    let title = fm.table_title.clone();
    w.text(w.row, 0, &c.title, &title, false)?;
    w.row += 1;
    // The data block: categories in column A, one column per series, then the target.
    let top = w.row;
    let hdr = fm.header.clone();
    let text = fm.text.clone();
    w.text(top, 0, "", &hdr, false)?;
    for (i, s) in c.series.iter().enumerate() {
        w.text(top, 1 + i as u16, &s.name, &hdr, true)?;
    }
    let target_col = 1 + c.series.len() as u16;
    let target_name = series_target;
    if c.target.is_some() {
        w.text(top, target_col, target_name, &hdr, true)?;
    }
    let num = fm.number(2, "0");
    for (k, cat) in c.categories.iter().enumerate() {
        let r = top + 1 + k as u32;
        w.text(r, 0, cat, &text, true)?;
        for (i, s) in c.series.iter().enumerate() {
            match s.values.get(k).copied().flatten() {
                Some(v) => {
                    w.ws.write_number_with_format(
                        r,
                        1 + i as u16,
                        numfmt::shown_value(v, 4),
                        &num,
                    )?;
                }
                None => {
                    w.ws.write_blank(r, 1 + i as u16, &text)?;
                }
            }
        }
        if let Some(t) = c.target {
            w.ws.write_number_with_format(r, target_col, t, &num)?;
        }
    }
    let n = c.categories.len().max(1) as u32;
    let last = top + n;
    let sheet = w.name.clone();
    let chart_type = match c.kind {
        ChartKind::Line => ChartType::Line,
        ChartKind::Bar => ChartType::Column,
        ChartKind::StackedBar => ChartType::ColumnStacked,
    };
    let mut ch = Chart::new(chart_type);
    for i in 0..c.series.len() as u16 {
        ch.add_series()
            .set_categories((sheet.as_str(), top + 1, 0, last, 0))
            .set_values((sheet.as_str(), top + 1, 1 + i, last, 1 + i))
            .set_name((sheet.as_str(), top, 1 + i));
    }
    if c.target.is_some() {
        let mut dashed = ChartFormat::new();
        dashed.set_line(
            ChartLine::new()
                .set_color(Color::RGB(0x404040))
                .set_dash_type(ChartLineDashType::Dash),
        );
        if c.kind == ChartKind::Line {
            ch.add_series()
                .set_categories((sheet.as_str(), top + 1, 0, last, 0))
                .set_values((sheet.as_str(), top + 1, target_col, last, target_col))
                .set_name((sheet.as_str(), top, target_col))
                .set_format(&mut dashed);
        } else {
            let mut line = Chart::new(ChartType::Line);
            line.add_series()
                .set_categories((sheet.as_str(), top + 1, 0, last, 0))
                .set_values((sheet.as_str(), top + 1, target_col, last, target_col))
                .set_name((sheet.as_str(), top, target_col))
                .set_format(&mut dashed);
            ch.combine(&line);
        }
    }
    ch.title().set_name(&c.title);
    ch.y_axis().set_name(&c.y_label);
    if let Some(v) = c.y_min {
        ch.y_axis().set_min(v);
    }
    if let Some(v) = c.y_max {
        ch.y_axis().set_max(v);
    }
    let chart_col = target_col + 2;
    w.ws.insert_chart(top, chart_col, &ch)?;
    // A chart is about 15 rows high: continue below whichever is taller.
    w.row = (last + 2).max(top + 17);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = vec![];
        let a = sheet_name("附录 数据核对: [输入]/文件?", &taken);
        assert_eq!(a, "附录 数据核对_ _输入__文件_");
        taken.push(a);
        let long = "Incident response and resolution by priority and month";
        let b = sheet_name(long, &taken);
        assert_eq!(b.encode_utf16().count(), 31);
        taken.push(b.clone());
        let c = sheet_name(long, &taken);
        assert!(c.ends_with(" (2)") && c.encode_utf16().count() <= 31, "{c}");
        assert_ne!(b, c);
        assert_eq!(sheet_name("'quoted'", &[]), "quoted");
        assert_eq!(sheet_name("  ", &[]), "Sheet");
        assert_eq!(sheet_name("Summary", &["SUMMARY".into()]), "Summary (2)");
    }

    proptest::proptest! {
        #[test]
        fn any_title_gives_a_valid_unique_name(titles in proptest::collection::vec(".{0,40}", 1..8)) {
            let mut taken: Vec<String> = Vec::new();
            for t in &titles {
                let n = sheet_name(t, &taken);
                proptest::prop_assert!(!n.is_empty() && n.encode_utf16().count() <= 31, "{n:?}");
                proptest::prop_assert!(!n.contains(['[', ']', ':', '*', '?', '/', '\\']), "{n:?}");
                proptest::prop_assert!(!n.starts_with('\'') && !n.ends_with('\''), "{n:?}");
                proptest::prop_assert!(!taken.iter().any(|x| x.to_lowercase() == n.to_lowercase()));
                // rust_xlsxwriter accepts it.
                let mut ws = Worksheet::new();
                proptest::prop_assert!(ws.set_name(&n).is_ok(), "{n:?}");
                taken.push(n);
            }
        }
    }

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(display_width("可用性"), 6);
        assert_eq!(display_width("SLA 可用性"), 10);
        assert_eq!(display_width("99.95%"), 6);
        assert_eq!(display_width("ａｂ"), 4);
    }
}

//! PDF renderer: a [`ReportDoc`] to an archival (PDF/A-2b), byte-reproducible PDF.
//!
//! Job: hand the report model as `/data.json` to a typst layout (`templates/*.typ`, embedded in
//! the binary; a file of the same name in `RenderOptions::template_dir` overrides it, so a
//! customer layout is a template file, not Rust), compile it with typst 0.15 through our own
//! [`World`](typst::World), export with typst-pdf, then append the custom Info keys
//! (`DocNumber`, `Version`, `Status`, …) by an incremental update.
//!
//! Must not depend on anything but the report model and the template/font bytes named in
//! [`RenderOptions`]: no catalogue, no clock, no workspace.
//!
//! Invariants:
//! - Every character is checked against the fonts before layout ([`PdfError::MissingGlyph`]
//!   names it and where it came from), and again after layout for glyphs the template itself
//!   printed (typst draws a missing glyph blank, silently).
//! - Any typst warning is an error ([`PdfError::Warnings`]).
//! - Identical documents give identical bytes: the PDF date is the approval time (approved) or
//!   `meta.generated_at`, the trailer ID derives from document number + version, and nothing
//!   reads the wall clock. `cjk-latin-spacing` is off in the layouts, so extracted text equals
//!   the model's strings (`2026年10月`, not `2026 年 10 月`).
//! - Fonts are parsed once per process (bundled Noto Sans CJK SC Regular/Bold).

mod data;
mod fonts;

/// The code points the bundled faces and `extra` font files print (sorted, disjoint,
/// inclusive ranges), for the report model's [`crate::model::glyphs::Coverage`].
pub fn coverage(extra: &[std::path::PathBuf]) -> Result<Vec<(u32, u32)>, PdfError> {
    Ok(fonts::with_extra(extra)?.ranges().to_vec())
}
mod glyphs;
mod info;
mod world;

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDateTime, Timelike};
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::{Frame, FrameItem};
use typst::syntax::DiagSpanKind;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use super::RenderOptions;
use crate::report::doc::ReportDoc;

pub use data::default_labels;
pub use fonts::BUNDLED_FAMILY;
pub use info::read_custom_info;

/// Why a PDF could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "character {ch:?} (U+{codepoint:04X}) in {context} is in none of the fonts; \
         add a font that has it (render option `fonts`) or replace the character"
    )]
    MissingGlyph {
        ch: char,
        codepoint: u32,
        context: String,
    },
    #[error("cannot read font file {}: {source}", path.display())]
    FontRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("font file {} contains no usable font", path.display())]
    FontInvalid { path: PathBuf },
    #[error("cannot read PDF layout {}: {source}", path.display())]
    TemplateRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("PDF layout `{layout}` failed to compile:\n{}", diagnostics.join("\n"))]
    Compile {
        layout: String,
        diagnostics: Vec<String>,
    },
    #[error("PDF layout `{layout}` produced warnings (treated as errors):\n{}", diagnostics.join("\n"))]
    Warnings {
        layout: String,
        diagnostics: Vec<String>,
    },
    #[error("PDF export failed:\n{}", diagnostics.join("\n"))]
    Export { diagnostics: Vec<String> },
    #[error("{field} {value:?} is not an ISO 8601 date-time (needed as the PDF's document date)")]
    BadDate { field: &'static str, value: String },
    #[error("{field} {value:?} is not a colour of the form #rrggbb")]
    BadColour { field: &'static str, value: String },
    #[error("cannot read the logo {}: {source}", path.display())]
    Logo {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("logo {} is not a PNG, JPEG or SVG file (by its extension)", path.display())]
    LogoFormat { path: PathBuf },
    #[error("cannot serialise the report for the PDF layout: {0}")]
    Data(serde_json::Error),
    #[error("cannot add the custom metadata to the PDF: {0}")]
    Info(String),
}

/// The embedded layouts (`templates/*.typ`).
const EMBEDDED: &[(&str, &str)] = &[
    ("report.typ", include_str!("../../templates/report.typ")),
    ("customer.typ", include_str!("../../templates/customer.typ")),
    ("internal.typ", include_str!("../../templates/internal.typ")),
    ("supplier.typ", include_str!("../../templates/supplier.typ")),
];

/// The layout file for a template name: `internal…` → `internal`, `supplier…` → `supplier`,
/// anything else (`customer-zh`, `customer-en`, …) → `customer`.
pub fn layout_for(template: &str) -> &'static str {
    if template.starts_with("internal") {
        "internal"
    } else if template.starts_with("supplier") {
        "supplier"
    } else {
        "customer"
    }
}

fn embedded(name: &str) -> Option<&'static str> {
    EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Read `dir/name` if it exists (an override), else `None`.
fn override_file(dir: &Path, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>, PdfError> {
    if dir.as_os_str().is_empty() {
        return Ok(None);
    }
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read(&path)
        .map(|b| Some((path.clone(), b)))
        .map_err(|source| PdfError::TemplateRead { path, source })
}

/// The main layout: `<template>.typ`, then `<layout>.typ` from the template folder, then the
/// embedded `<layout>.typ`. Returns (name shown in errors, bytes).
fn main_layout(opts: &RenderOptions) -> Result<(String, Vec<u8>), PdfError> {
    let layout = layout_for(&opts.template);
    let mut names = Vec::new();
    if !opts.template.is_empty() && !opts.template.contains(['/', '\\']) {
        names.push(format!("{}.typ", opts.template));
    }
    names.push(format!("{layout}.typ"));
    for name in &names {
        if let Some((path, bytes)) = override_file(&opts.template_dir, name)? {
            return Ok((path.display().to_string(), bytes));
        }
    }
    let name = format!("{layout}.typ");
    let text = embedded(&name).expect("every layout_for() name is embedded");
    Ok((format!("(built-in) {name}"), text.as_bytes().to_vec()))
}

/// Render `doc` as PDF bytes (PDF/A-2b, tagged only if `opts.tagged_pdf`).
pub fn render(doc: &ReportDoc, opts: &RenderOptions) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts::with_extra(&opts.fonts)?;

    // 1. Every string against the fonts, before typst draws blanks.
    let covers = |c: char| fonts.covers(c);
    glyphs::check_doc(doc, &covers)?;
    for (key, value) in data::merged_labels(doc) {
        glyphs::check_str(&value, &covers, || format!("label `{key}`"))?;
    }
    glyphs::check_str(&data::status_label(doc), &covers, || "status label".into())?;
    let s = &doc.style;
    for (field, value) in [
        ("style.primary", &s.primary),
        ("style.met", &s.met),
        ("style.at_risk", &s.at_risk),
        ("style.breached", &s.breached),
        ("style.na", &s.na),
    ] {
        data::check_colour(field, value)?;
    }
    let date = data::document_date(doc, opts.created)?;

    // 2. The virtual files.
    let logo = match &doc.style.logo {
        Some(path) if !path.is_empty() => Some(read_logo(Path::new(path))?),
        _ => None,
    };
    let json = data::to_json(doc, &fonts.families, logo.as_ref().map(|(v, _)| v.as_str()))?;
    let (layout_name, main_bytes) = main_layout(opts)?;
    let lib_bytes = match override_file(&opts.template_dir, "report.typ")? {
        Some((_, b)) => b,
        None => embedded("report.typ")
            .expect("report.typ is embedded")
            .as_bytes()
            .to_vec(),
    };
    // Characters the layout files print themselves (typst drops some missing glyphs without
    // a trace, e.g. right-to-left or complex scripts, so the source is checked too).
    for (name, bytes) in [
        (layout_name.as_str(), &main_bytes),
        ("report.typ", &lib_bytes),
    ] {
        for (n, line) in String::from_utf8_lossy(bytes).lines().enumerate() {
            glyphs::check_str(line, &covers, || {
                format!("PDF layout {name}, line {}", n + 1)
            })?;
        }
    }
    let id = |p: &str| world::file_id(p).expect("fixed virtual paths are valid");
    let main = id("/main.typ");
    let mut files = vec![
        (main, Bytes::new(main_bytes)),
        (id("/report.typ"), Bytes::new(lib_bytes)),
        (id("/data.json"), Bytes::new(json)),
    ];
    if let Some((vpath, bytes)) = logo {
        files.push((id(&vpath), Bytes::new(bytes)));
    }
    let root = (!opts.template_dir.as_os_str().is_empty()).then(|| opts.template_dir.clone());
    let world = world::ReportWorld::new(fonts.clone(), files, main, root, date);

    // 3. Compile; warnings are errors.
    let warned = typst::compile::<PagedDocument>(&world);
    let mut document = match warned.output {
        Ok(d) => d,
        Err(errors) => {
            return Err(PdfError::Compile {
                layout: layout_name,
                diagnostics: describe(&world, &errors),
            });
        }
    };
    if !warned.warnings.is_empty() {
        return Err(PdfError::Warnings {
            layout: layout_name,
            diagnostics: describe(&world, &warned.warnings),
        });
    }
    for page in document.pages() {
        check_frame(&page.frame)?;
    }

    // 4. Metadata from the model (whatever the layout set), then export.
    let m = &doc.meta;
    let info = document.info_mut();
    info.title = Some(match &m.title_en {
        Some(en) if !en.is_empty() && *en != m.title => format!("{} {}", m.title, en).into(),
        _ => m.title.as_str().into(),
    });
    info.author = vec![m.compiler.as_str().into()];
    info.description = Some(
        [
            m.party.as_str(),
            m.period_label.as_str(),
            m.organisation.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
        .into(),
    );
    info.keywords = [&m.doc_number, &m.report_id, &m.period, &m.party]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str().into())
        .collect();
    // The date carries the workspace's UTC offset where the run's time gives it (the offset
    // of the run's instant: the workspace timezone has no DST in the shipped calendars'
    // mainland China); without it, the local time as it is, with no offset.
    let timestamp = match opts.created {
        Some(c) => {
            info.date = Smart::Auto;
            typst_pdf::Timestamp::new_local(to_datetime(date)?, c.offset().local_minus_utc() / 60)
        }
        None => {
            info.date = Smart::Custom(Some(to_datetime(date)?));
            None
        }
    };

    let standards = PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| PdfError::Export {
        diagnostics: vec![e.message().to_string()],
    })?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("{} v{}", m.doc_number, m.version)),
        creator: Smart::Custom(Some(format!("svcreport {}", m.tool_version))),
        timestamp,
        page_ranges: None,
        standards,
        tagged: opts.tagged_pdf,
        pretty: false,
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export {
        diagnostics: describe(&world, &errors),
    })?;
    // Nothing of typst's caches is kept: they serve the layout iterations of one document, the
    // next document shares little with this one, and keeping ten documents' worth (as typst's
    // CLI does) made the next render slower (bench `pdf`: 78 → 68 ms for a new 10-page report).
    // The caches are the process's: with two documents rendering at once, this also empties
    // the other's mid-compile, and it lays out again from nothing; measured on the month
    // bench that still wins (render phase 4.5 s keeping ten, 4.1 s keeping two, 3.7–4.0 s
    // keeping none; peak 422, 316, 282 MiB).
    typst::comemo::evict(0);

    // 5. Custom Info keys.
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut custom: Vec<(&str, String)> = vec![
        ("DocNumber", m.doc_number.clone()),
        ("ReportId", m.report_id.clone()),
        ("Version", m.version.clone()),
        ("Status", m.status.as_str().to_string()),
        ("Party", m.party.clone()),
        ("Period", m.period.clone()),
        ("Compiler", m.compiler.clone()),
        ("CompiledAt", m.compiled_at.clone()),
        ("Reviewer", m.reviewer.clone()),
        ("ReviewedAt", opt(&m.reviewed_at)),
        ("Approver", m.approver.clone()),
        ("ApprovedAt", opt(&m.approved_at)),
        ("GeneratedAt", m.generated_at.clone()),
        ("ToolVersion", m.tool_version.clone()),
        ("ContentHash", m.content_hash.clone()),
        ("Supersedes", opt(&m.supersedes)),
    ];
    if m.unsigned {
        custom.push(("Signature", "unsigned".into()));
    }
    info::append_custom_info(&pdf, &custom).map_err(PdfError::Info)
}

/// The logo's bytes and the virtual path the layout sees it at (`/logo.png` …).
fn read_logo(path: &Path) -> Result<(String, Vec<u8>), PdfError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "svg") {
        return Err(PdfError::LogoFormat {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| PdfError::Logo {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((format!("/logo.{ext}"), bytes))
}

fn to_datetime(dt: NaiveDateTime) -> Result<Datetime, PdfError> {
    Datetime::from_ymd_hms(
        dt.year(),
        dt.month() as u8,
        dt.day() as u8,
        dt.hour() as u8,
        dt.minute() as u8,
        dt.second() as u8,
    )
    .ok_or_else(|| PdfError::BadDate {
        field: "document date",
        value: dt.to_string(),
    })
}

/// Glyph 0 (`.notdef`) in the laid-out pages: a character the template itself printed (or a
/// font fallback failed) that no font has.
fn check_frame(frame: &Frame) -> Result<(), PdfError> {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => check_frame(&g.frame)?,
            FrameItem::Text(t) => {
                if let Some(g) = t.glyphs.iter().find(|g| g.id == 0) {
                    let ch = t
                        .text
                        .get(g.range())
                        .and_then(|s| s.chars().next())
                        .unwrap_or('\u{FFFD}');
                    return Err(PdfError::MissingGlyph {
                        ch,
                        codepoint: ch as u32,
                        context: format!("text printed by the PDF layout: {:?}", t.text.as_str()),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `file:line:col: error: message (hint: …)` for each diagnostic.
fn describe(world: &world::ReportWorld, diags: &[SourceDiagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let id = match d.span.get() {
                DiagSpanKind::Detached => None,
                DiagSpanKind::Number { id, .. } | DiagSpanKind::Range { id, .. } => Some(id),
            };
            let at = id
                .and_then(|id| {
                    let source = world.source_of(id)?;
                    let range = typst::WorldExt::range(world, d.span)?;
                    let (line, col) = source.lines().byte_to_line_column(range.start)?;
                    Some(format!(
                        "{}:{}:{}: ",
                        id.get().vpath().get_with_slash(),
                        line + 1,
                        col + 1
                    ))
                })
                .unwrap_or_default();
            let mut s = format!("{at}{sev}: {}", d.message);
            for hint in &d.hints {
                s.push_str(&format!(" (hint: {})", hint.v));
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(source: &str) -> PagedDocument {
        let id = |p: &str| world::file_id(p).expect("valid");
        let main = id("/main.typ");
        let files = vec![(main, Bytes::new(source.as_bytes().to_vec()))];
        let date = crate::report::parse_doc_time("2026-01-01").expect("date");
        let world = world::ReportWorld::new(fonts::bundled(), files, main, None, date);
        typst::compile::<PagedDocument>(&world)
            .output
            .expect("compiles")
    }

    #[test]
    fn layout_check_finds_a_notdef_glyph_typst_drew_blank() {
        let doc = compile("Hello 服务");
        assert!(check_frame(&doc.pages()[0].frame).is_ok());
        let doc = compile("#box[Hello \u{10FFFD} x]");
        let err = check_frame(&doc.pages()[0].frame).expect_err("tofu");
        match err {
            PdfError::MissingGlyph { ch, context, .. } => {
                assert_eq!(ch, '\u{10FFFD}');
                assert!(context.contains("Hello"), "{context}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn layout_names_map_templates_to_files() {
        assert_eq!(layout_for("customer-zh"), "customer");
        assert_eq!(layout_for("customer-en"), "customer");
        assert_eq!(layout_for("internal"), "internal");
        assert_eq!(layout_for("supplier-uc"), "supplier");
        assert_eq!(layout_for(""), "customer");
        for name in ["customer.typ", "internal.typ", "supplier.typ", "report.typ"] {
            assert!(embedded(name).is_some(), "{name}");
        }
    }

    #[test]
    fn world_serves_no_packages_and_no_files_without_a_template_folder() {
        let doc = typst_error("#import \"@preview/cetz:0.3.0\": canvas\n");
        assert!(doc.contains("packages are not available"), "{doc}");
        let doc = typst_error("#image(\"logo.png\")\n");
        assert!(doc.contains("logo.png"), "{doc}");
    }

    fn typst_error(source: &str) -> String {
        let id = |p: &str| world::file_id(p).expect("valid");
        let main = id("/main.typ");
        let files = vec![(main, Bytes::new(source.as_bytes().to_vec()))];
        let date = crate::report::parse_doc_time("2026-01-01").expect("date");
        let world = world::ReportWorld::new(fonts::bundled(), files, main, None, date);
        match typst::compile::<PagedDocument>(&world).output {
            Ok(_) => panic!("should fail"),
            Err(e) => describe(&world, &e).join("\n"),
        }
    }
}

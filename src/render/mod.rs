//! Renderers: `fn render(&ReportDoc, &RenderOptions) -> Result<Vec<u8>, Error>`.
//!
//! They see only the report model (`report`, which re-exports the judgement
//! `Status` and holds `numfmt`): no I/O beyond the template/font bytes handed
//! in through [`RenderOptions`], no clock, no catalogue.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

pub mod xlsx;

/// What a renderer needs besides the document. Times come from the document
/// (`DocMeta::generated_at`) or from here, never from the wall clock.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// The run's recorded time with its UTC offset: the workbook's creation
    /// date (`None`: the document's `generated_at`), and the PDF's date when
    /// the document's own dates do not parse. Both write its local time.
    pub created: Option<DateTime<FixedOffset>>,
    /// Folder of the workspace's templates (`templates/`), for the PDF layout `.typ` files and logos.
    pub template_dir: PathBuf,
    /// Layout template name (e.g. `customer-zh`); the renderer picks its own file from it.
    pub template: String,
    /// Extra font files (the bundled CJK fonts are always available).
    pub fonts: Vec<PathBuf>,
    /// Tagged PDF (accessibility); off by default (it triples the size).
    pub tagged_pdf: bool,
}

pub mod pdf;

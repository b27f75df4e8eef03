//! The report model and its builder: from KPI results, the catalogue, the
//! report-list entry and a template to a renderer-neutral [`ReportDoc`].
//!
//! Sees `model` and `kpi` results; never `ingest` or any renderer. Numbers are
//! rounded only in [`crate::numfmt`]; the model is identical for the Excel and
//! the PDF edition, so both say the same. Invariant: [`content_hash`] covers
//! the content and identity only, so regenerating unchanged content keeps it.

pub mod build;
pub mod doc;
pub mod escape;
pub mod template;

pub use build::{BuildContext, DocState, ReportError, TimelinessRow, build, content_hash};
pub use doc::*;
pub use template::{Template, TemplateError};

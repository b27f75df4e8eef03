//! The report model and its builder: from KPI results, the catalogue, the
//! report-list entry and a template to a renderer-neutral [`ReportDoc`].
//!
//! Sees `model`, `kpi` results and `findings::FileCount` (the inputs
//! appendix); never `ingest`, `workspace` or any renderer. Numbers are rounded
//! only in [`numfmt`]; the model is identical for the Excel and the PDF
//! edition, so both say the same. Renderers see only this module: the
//! judgement [`Status`] is re-exported here for them. Invariant:
//! [`content_hash`] covers the content and identity only, so regenerating
//! unchanged content keeps it.

pub mod build;
pub mod doc;
pub mod escape;
pub mod numfmt;
pub mod template;

pub use crate::model::status::Status;
pub use build::{
    BuildContext, Change, Comment, DeliveryRow, DocState, FindingCounts, ReportError, Revision,
    Timeliness, TimelinessRow, Trail, build, content_hash,
};
pub use doc::*;
pub use template::{Template, TemplateError};

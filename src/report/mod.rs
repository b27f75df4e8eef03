//! The report model and its builder: from KPI results, the catalogue, the
//! report-list entry and a template to a renderer-neutral [`ReportDoc`].
//!
//! Sees `model` and `kpi` results; never `ingest` or any renderer.

pub mod doc;

pub use doc::*;

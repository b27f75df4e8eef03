//! The KPI engine: every SLA, UC, OLA and process-KPI target computed, judged
//! and explained (spec §3).
//!
//! Sees validated `model` types only, never `ingest`. One file per KPI family.

pub mod result;

pub use result::*;

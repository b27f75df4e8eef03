//! svcreport — the service reporting of an IT service provider run under
//! ISO/IEC 20000-1 (clause 9.4).
//!
//! # Pipeline
//!
//! ```text
//! inbox/*.xlsx → ingest → validate → model::Dataset → kpi → report::ReportDoc → render::{xlsx,pdf} → archive/ledger
//! ```
//!
//! - [`model`]: catalogue, periods, calendars, typed records, the judgement `Status` (plain data).
//! - [`ingest`]: read provider workbooks cell by cell into records and [`findings`].
//! - [`validate`]: rules across files (unique ids, references into the catalogue).
//! - [`kpi`]: every target computed, judged and explained.
//! - [`report`]: the renderer-neutral report model; [`report::numfmt`] rounds once for both renderers.
//! - [`render`]: Excel and PDF from the report model only.
//! - [`ledger`] and [`archive`]: the SQLite record of runs, documents and approvals, and the content-addressed input archive.
//! - [`signing`]: the statements reviewers and approvers sign, SSH signatures (sshsig) and their verification.
//! - [`mail`]: cover notes and e-mail over SMTP for `distribute`.
//! - [`app`]: orchestration, the only module that imports every stage.

pub mod app;
pub mod archive;
pub mod catalogue;
pub mod chars;
pub mod cli;
pub mod clock;
pub mod due;
pub mod findings;
pub mod fsutil;
pub mod ingest;
pub mod kpi;
pub mod ledger;
pub mod mail;
pub mod model;
pub mod provider_templates;
pub mod register;
pub mod render;
pub mod report;
pub mod sample;
pub mod signing;
pub mod suggest;
pub mod timeliness;
pub mod validate;
pub mod workspace;

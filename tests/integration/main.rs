//! The one integration-test binary (one link on 2 cores). One module per area.

mod support;

mod architecture;
mod calendar;
mod catalogue;
mod cli;
mod content;
mod conventions;
mod hostile;
mod import;
mod ingest;
mod kpi;
mod mail;
mod months;
mod pdf;
mod realdata;
mod signing;
mod workflow;
mod xlsx;

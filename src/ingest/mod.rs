//! Ingest: read provider workbooks (calamine) cell by cell into typed records
//! and findings. Never panics on input; an unreadable file is a finding.

pub mod schema;

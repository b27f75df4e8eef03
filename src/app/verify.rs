//! `svcreport verify FILE`: which document and version a file is, by its
//! SHA-256 in the ledger, or "no match" (exit 1).

use std::path::Path;

use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::sha256_file;
use crate::ledger::Ledger;
use crate::model::document::DocStatus;

pub fn run(g: &Global, file: &Path) -> anyhow::Result<u8> {
    let ws = crate::workspace::Workspace::load(&g.workspace)?;
    let ledger = Ledger::open(&ws.root)?;
    let (sha, size) = sha256_file(file)?;
    let hits = ledger.read().find_file(&sha)?;
    if g.format == OutputKind::Json {
        let v: Vec<serde_json::Value> = hits
            .iter()
            .map(|(d, f)| {
                serde_json::json!({
                    "doc_number": d.doc_number, "version": d.state.version,
                    "status": f.status, "format": f.format.extension(), "period": d.period,
                    "report_id": d.report_id, "content_hash": d.content_hash, "path": f.path,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"file": file.display().to_string(), "sha256": sha, "bytes": size, "matches": v})
        );
    } else if hits.is_empty() {
        println!(
            "{}: no match (SHA-256 {sha}); it is not a document recorded in this workspace's ledger",
            file.display()
        );
    } else {
        for (d, f) in &hits {
            println!(
                "{}: matches {} V{} ({}, {} {}), period {}, recorded as {}",
                file.display(),
                d.doc_number,
                d.state.version,
                f.status.label_zh(),
                f.status.as_str(),
                f.format.extension(),
                d.period,
                f.path
            );
            if f.status == DocStatus::Approved {
                println!(
                    "  approved by {} at {}",
                    d.state.approved_by.as_deref().unwrap_or("?"),
                    d.state
                        .approved_at
                        .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                        .unwrap_or_else(|| "?".into())
                );
            }
        }
    }
    Ok(if hits.is_empty() {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

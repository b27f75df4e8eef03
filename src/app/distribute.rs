//! `svcreport distribute [--period P]`: copy the approved documents into
//! `outbox/<sanitised recipient>/` and record each copy in the ledger.
//!
//! Orchestration (`app`). Invariants: only approved files leave, each checked
//! against its recorded SHA-256 first; a copy made before is not made again;
//! every write is one ledger transaction after its files exist. Exit 1 when
//! nothing could be distributed and something was held back.

use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;

use super::session::Session;
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::{sanitize_component, sha256_hex};
use crate::fsutil;
use crate::ledger::DistributionRecord;
use crate::model::document::DocStatus;
use crate::model::period::Period;

/// Why a document was not distributed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
enum Held {
    NotApproved {
        doc_number: String,
        version: String,
        status: DocStatus,
    },
    NoRecipients {
        doc_number: String,
        version: String,
    },
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Held::NotApproved {
                doc_number,
                version,
                status,
            } => write!(
                f,
                "{doc_number} V{version} is {} (not approved): not distributed",
                status.label_en().to_lowercase()
            ),
            Held::NoRecipients {
                doc_number,
                version,
            } => write!(
                f,
                "{doc_number} V{version}: the report list names no recipients"
            ),
        }
    }
}

pub fn run(g: &Global, period: Option<Period>) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let at = s.env.now();
    let docs = s.ledger.read().all_documents()?;
    let mut numbers: Vec<(String, String)> = docs
        .iter()
        .filter(|d| period.is_none_or(|p| d.period == p))
        .map(|d| (d.doc_number.clone(), d.report_id.clone()))
        .collect();
    numbers.sort();
    numbers.dedup();
    let outbox = s.env.ws.root.join("outbox");
    let mut copies: Vec<(i64, DistributionRecord)> = Vec::new();
    let mut held = Vec::new();
    let mut already = 0usize;
    for (number, report_id) in &numbers {
        let Some(d) = s.ledger.read().latest_approved(number)? else {
            if let Some(l) = s.ledger.read().latest(number)? {
                held.push(Held::NotApproved {
                    doc_number: l.doc_number,
                    version: l.state.version.to_string(),
                    status: l.state.status,
                });
            }
            continue;
        };
        let recipients: Vec<String> = match s.env.cat.report(report_id) {
            Some(spec) => spec.recipients.clone(),
            None => Vec::new(),
        };
        if recipients.is_empty() {
            held.push(Held::NoRecipients {
                doc_number: d.doc_number.clone(),
                version: d.state.version.to_string(),
            });
            continue;
        }
        let sent = s.ledger.read().distributions(d.id)?;
        for f in s.ledger.read().files(d.id)? {
            if f.status != DocStatus::Approved {
                continue;
            }
            let src = s.env.ws.root.join(&f.path);
            let bytes = std::fs::read(&src)
                .with_context(|| format!("{}: approved file missing", src.display()))?;
            if sha256_hex(&bytes) != f.sha256 {
                bail!(
                    "{}: the approved file no longer matches its recorded SHA-256 {}; not distributed (run `svcreport audit {}`)",
                    src.display(),
                    f.sha256,
                    d.doc_number
                );
            }
            let fname = Path::new(&f.path)
                .file_name()
                .map(|n| sanitize_component(&n.to_string_lossy()))
                .unwrap_or_else(|| sanitize_component(&d.doc_number));
            for r in &recipients {
                let dest = outbox.join(sanitize_component(r)).join(&fname);
                let done = sent
                    .iter()
                    .any(|x| x.recipient == *r && x.format == f.format && x.sha256 == f.sha256);
                if done && std::fs::read(&dest).is_ok_and(|b| b == bytes) {
                    already += 1;
                    continue;
                }
                fsutil::write_atomic(&dest, &bytes)
                    .with_context(|| format!("{}: cannot write", dest.display()))?;
                copies.push((
                    d.id,
                    DistributionRecord {
                        format: f.format,
                        recipient: r.clone(),
                        path: s.env.ws.rel(&dest),
                        sha256: f.sha256.clone(),
                        at,
                    },
                ));
            }
        }
    }
    let tx = s.ledger.transaction()?;
    for (id, c) in &copies {
        tx.record_distribution(*id, c)?;
    }
    tx.commit()?;
    if g.format == OutputKind::Json {
        let sent: Vec<serde_json::Value> = copies
            .iter()
            .map(|(_, c)| {
                serde_json::json!({
                    "recipient": c.recipient, "path": c.path, "format": c.format.extension(),
                    "sha256": c.sha256, "at": c.at,
                })
            })
            .collect();
        let v = serde_json::json!({"sent": sent, "already_distributed": already, "held": held});
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        if !g.quiet {
            for (_, c) in &copies {
                println!("sent {} to {}", c.path, c.recipient);
            }
            if already > 0 {
                println!("{already} copies were distributed already");
            }
        }
        for h in &held {
            eprintln!("held back: {h}");
        }
    }
    if copies.is_empty() && already == 0 && !held.is_empty() {
        return Ok(EXIT_REJECTED);
    }
    Ok(EXIT_OK)
}

//! `svcreport verify FILE`: everything the workspace knows about a file.
//!
//! A file whose SHA-256 the ledger recorded: which document, version and
//! status it is; who reviewed and approved that version, and whether each
//! signature holds and against which key; whether a later version
//! supersedes it. A file that matches nothing: the document number and
//! version its own metadata claims (PDF Info keys, xlsx custom properties),
//! what the ledger recorded for that version, and that these bytes are not
//! those. Exit 1 for a file that matches nothing or a signature that does
//! not hold.

use std::path::Path;

use serde::Serialize;

use super::evidence::{self, Evidence};
use super::session::Env;
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::sha256_hex;
use crate::ledger::{DocFile, Ledger};
use crate::model::document::{DocStatus, DocVersion};
use crate::render;

/// One ledger entry the file matches.
#[derive(Debug, Serialize)]
struct Match {
    doc_number: String,
    version: DocVersion,
    report_id: String,
    period: String,
    /// The status the file shows, and the version's status now.
    #[serde(rename = "status")]
    file_status: DocStatus,
    version_status: DocStatus,
    format: &'static str,
    path: String,
    content_hash: String,
    #[serde(flatten)]
    evidence: Evidence,
}

/// What a file that matches nothing says it is.
#[derive(Debug, Serialize)]
struct Claim {
    doc_number: Option<String>,
    version: Option<String>,
    status: Option<String>,
    content_hash: Option<String>,
    /// The files the ledger recorded for the claimed version.
    recorded_files: Vec<RecordedFile>,
    /// The claimed document number and version are in the ledger.
    known_version: bool,
}

#[derive(Debug, Serialize)]
struct RecordedFile {
    format: &'static str,
    status: DocStatus,
    sha256: String,
    path: String,
}

/// The document block a file's own metadata carries (PDF Info, xlsx custom properties).
fn claimed(bytes: &[u8]) -> [Option<String>; 4] {
    const KEYS: [&str; 4] = ["DocNumber", "Version", "Status", "ContentHash"];
    if bytes.starts_with(b"%PDF") {
        KEYS.map(|k| render::pdf::read_custom_info(bytes, k).filter(|v| !v.is_empty()))
    } else {
        let props = render::xlsx::read_custom_properties(bytes).unwrap_or_default();
        KEYS.map(|k| {
            props
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        })
    }
}

pub fn run(g: &Global, file: &Path) -> anyhow::Result<u8> {
    let env = Env::load(&g.workspace, g.now.as_deref())?;
    let ledger = Ledger::open(&env.ws.root)?;
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))?;
    let sha = sha256_hex(&bytes);
    let r = ledger.read();
    let mut matches = Vec::new();
    for (d, f) in r.find_file(&sha)? {
        let files = r.files(d.id)?;
        let ev = evidence::gather(&env.cat, &r, &d, &files)?;
        matches.push(Match {
            doc_number: d.doc_number.clone(),
            version: d.state.version,
            report_id: d.report_id.clone(),
            period: d.period.to_string(),
            file_status: f.status,
            version_status: d.state.status,
            format: f.format.extension(),
            path: f.path.clone(),
            content_hash: d.content_hash.clone(),
            evidence: ev,
        });
    }
    let claim = if matches.is_empty() {
        let [doc_number, version, status, content_hash] = claimed(&bytes);
        let mut recorded_files = Vec::new();
        let mut known_version = false;
        if let (Some(n), Some(v)) = (&doc_number, version.as_deref().and_then(DocVersion::parse))
            && let Some(d) = r.versions(n)?.into_iter().find(|d| d.state.version == v)
        {
            known_version = true;
            recorded_files = r
                .files(d.id)?
                .into_iter()
                .map(|f: DocFile| RecordedFile {
                    format: f.format.extension(),
                    status: f.status,
                    sha256: f.sha256,
                    path: f.path,
                })
                .collect();
        }
        Some(Claim {
            doc_number,
            version,
            status,
            content_hash,
            recorded_files,
            known_version,
        })
    } else {
        None
    };
    let invalid = matches
        .iter()
        .any(|m| m.evidence.invalid().next().is_some());
    match g.format {
        OutputKind::Json => {
            let v = serde_json::json!({
                "file": file.display().to_string(),
                "sha256": sha,
                "bytes": bytes.len(),
                "matches": matches,
                "claims": claim,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputKind::Text => print!("{}", text(file, &sha, &matches, claim.as_ref())),
    }
    Ok(if matches.is_empty() || invalid {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

fn text(file: &Path, sha: &str, matches: &[Match], claim: Option<&Claim>) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let f = file.display();
    for m in matches {
        let _ = writeln!(
            s,
            "{f}: matches {} V{} ({} {}, the {} edition), period {}, recorded as {}",
            m.doc_number,
            m.version,
            m.file_status.label_zh(),
            m.file_status.as_str(),
            m.format,
            m.period,
            m.path
        );
        if m.version_status != m.file_status {
            let _ = writeln!(
                s,
                "  the version is {} ({}) now; this file shows it as {}",
                m.version_status.label_zh(),
                m.version_status.as_str(),
                m.file_status.as_str()
            );
        }
        let _ = writeln!(s, "  content hash {}", m.content_hash);
        if m.evidence.steps.is_empty() {
            let _ = writeln!(s, "  not reviewed or approved yet");
        }
        for st in &m.evidence.steps {
            let _ = writeln!(s, "  {}", st.line());
        }
        match m.evidence.superseded_by() {
            Some(l) => {
                let _ = writeln!(
                    s,
                    "  SUPERSEDED: a later version exists, V{} ({} {}){}",
                    l.version,
                    l.status.label_zh(),
                    l.status.as_str(),
                    if l.status == DocStatus::Approved {
                        ""
                    } else {
                        ", not approved yet"
                    }
                );
            }
            None => {
                let _ = writeln!(s, "  the latest version of {}", m.doc_number);
            }
        }
    }
    if let Some(c) = claim {
        let _ = writeln!(
            s,
            "{f}: no match: these bytes (SHA-256 {sha}) are not a file recorded in this workspace's ledger"
        );
        match (&c.doc_number, &c.version) {
            (Some(n), v) => {
                let _ = writeln!(
                    s,
                    "  its metadata claims to be {n} V{} (status {}, content hash {})",
                    v.as_deref().unwrap_or("?"),
                    c.status.as_deref().unwrap_or("?"),
                    c.content_hash.as_deref().unwrap_or("?")
                );
                if c.known_version {
                    let _ = writeln!(
                        s,
                        "  the ledger records other bytes for that version: the file was altered or is not what it claims:"
                    );
                    for r in &c.recorded_files {
                        let _ = writeln!(
                            s,
                            "    {} {} sha256 {} ({})",
                            r.format,
                            r.status.as_str(),
                            r.sha256,
                            r.path
                        );
                    }
                } else {
                    let _ = writeln!(s, "  the ledger knows no such document version");
                }
            }
            (None, _) => {
                let _ = writeln!(
                    s,
                    "  its metadata names no svcreport document (no DocNumber in the PDF Info or xlsx properties)"
                );
            }
        }
    }
    s
}

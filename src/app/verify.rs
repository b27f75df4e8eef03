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
use super::say::Say;
use super::session::Env;
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::sha256_hex;
use crate::findings::Lang;
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
        OutputKind::Text => {
            let lang = Lang::from_tag(&env.ws.language);
            print!("{}", text(file, &sha, &matches, claim.as_ref(), lang));
        }
    }
    Ok(if matches.is_empty() || invalid {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

fn text(file: &Path, sha: &str, matches: &[Match], claim: Option<&Claim>, lang: Lang) -> String {
    let f = file.display().to_string();
    let mut lines: Vec<Say> = Vec::new();
    for m in matches {
        lines.push(Say::Matches {
            file: &f,
            doc_number: &m.doc_number,
            version: m.version,
            status: m.file_status,
            format: m.format,
            period: &m.period,
            path: &m.path,
        });
        if m.version_status != m.file_status {
            lines.push(Say::VersionNow {
                now: m.version_status,
                file: m.file_status,
            });
        }
        lines.push(Say::ContentHash(&m.content_hash));
        if m.evidence.steps.is_empty() {
            lines.push(Say::NotSignedOff);
        }
        lines.extend(m.evidence.steps.iter().map(Say::Step));
        match m.evidence.superseded_by() {
            Some(l) => lines.push(Say::Superseded {
                version: l.version,
                status: l.status,
            }),
            None => lines.push(Say::Latest {
                doc_number: &m.doc_number,
            }),
        }
    }
    if let Some(c) = claim {
        lines.push(Say::NoMatch {
            file: &f,
            sha256: sha,
        });
        match &c.doc_number {
            Some(n) => {
                lines.push(Say::Claims {
                    doc_number: n,
                    version: c.version.as_deref().unwrap_or("?"),
                    status: c.status.as_deref().unwrap_or("?"),
                    content_hash: c.content_hash.as_deref().unwrap_or("?"),
                });
                if c.known_version {
                    lines.push(Say::ClaimRecorded);
                    lines.extend(c.recorded_files.iter().map(|r| Say::RecordedFile {
                        format: r.format,
                        status: r.status,
                        sha256: &r.sha256,
                        path: &r.path,
                    }));
                } else {
                    lines.push(Say::ClaimUnknown);
                }
            }
            None => lines.push(Say::NoClaim),
        }
    }
    lines.iter().map(|l| l.text(lang) + "\n").collect()
}

//! A review or an approval of a document version (spec §5): the shared body of
//! `review` and `approve`.
//!
//! Orchestration (`app`). Invariants: only the person the report list names
//! for the step takes it, and the status moves forward one step at a time
//! (draft → reviewed → approved); an approved version is never changed (a
//! correction is a new major version made by `run`/`render`); the version is
//! rebuilt from its archived sources and refused when its content hash no
//! longer matches the draft; approved files are write-once; every write is one
//! ledger transaction after its files exist.

use anyhow::{Context, bail};
use serde::Serialize;

use super::pipeline::{self};
use super::rebuild::rebuild;
use super::session::Session;
use super::{EXIT_OK, Global, OutputKind};
use crate::archive::sha256_hex;
use crate::fsutil;
use crate::ledger::{DocFile, DocRecord, ReviewRecord, Step};
use crate::model::catalogue::OutputFormat;
use crate::model::document::DocStatus;

/// The latest version of `doc`, or an error listing the documents the ledger knows.
pub fn find_latest(s: &Session, doc: &str) -> anyhow::Result<DocRecord> {
    if let Some(d) = s.ledger.read().latest(doc)? {
        return Ok(d);
    }
    let mut known: Vec<String> = s
        .ledger
        .read()
        .all_documents()?
        .into_iter()
        .map(|d| d.doc_number)
        .collect();
    known.dedup();
    if known.is_empty() {
        bail!(
            "no document \"{doc}\" in the ledger (nothing generated yet: run `svcreport run --period P` first)"
        )
    }
    bail!(
        "no document \"{doc}\" in the ledger (known: {})",
        known.join(", ")
    )
}

/// The formats a version has files in.
pub fn formats_of(files: &[DocFile]) -> Vec<OutputFormat> {
    let mut v: Vec<OutputFormat> = files.iter().map(|f| f.format).collect();
    v.sort();
    v.dedup();
    v
}

/// What a step recorded (printed, or as JSON with `--format json`).
#[derive(Debug, Serialize)]
struct Recorded<'a> {
    doc_number: &'a str,
    version: String,
    step: &'static str,
    status: DocStatus,
    name: &'a str,
    at: chrono::NaiveDateTime,
    comment: Option<&'a str>,
    files: Vec<RecordedFile<'a>>,
}

#[derive(Debug, Serialize)]
struct RecordedFile<'a> {
    format: &'static str,
    path: &'a str,
    sha256: &'a str,
}

/// Take `step` on the latest version of `doc` as `name`.
pub fn take(
    g: &Global,
    doc: &str,
    name: &str,
    comment: Option<&str>,
    step: Step,
) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let d = find_latest(&s, doc)?;
    let name = name.trim();
    if name.is_empty() {
        bail!(
            "--name is empty: say who {}",
            match step {
                Step::Approve => "approves",
                Step::Review => "reviews",
            }
        );
    }
    let to = step.status_after();
    let st = &d.state;
    // Status moves forward only, one step at a time.
    match (st.status, step) {
        (DocStatus::Approved, _) => bail!(
            "{} V{} is approved already (by {} at {}); an approved version is never changed — a correction is regenerated as V{}",
            d.doc_number,
            st.version,
            st.approved_by.as_deref().unwrap_or("?"),
            st.approved_at
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_else(|| "?".into()),
            st.version.next_major()
        ),
        (DocStatus::Reviewed, Step::Review) => bail!(
            "{} V{} is reviewed already (by {}); approve it next",
            d.doc_number,
            st.version,
            st.reviewed_by.as_deref().unwrap_or("?")
        ),
        (DocStatus::Draft, Step::Approve) => bail!(
            "{} V{} is a draft that has not been reviewed: run `svcreport review {}` first",
            d.doc_number,
            st.version,
            d.doc_number
        ),
        _ => {}
    }
    let role = step.role();
    let Some(spec) = s.env.cat.report(&d.report_id) else {
        bail!(
            "report \"{}\" of {} is no longer in the report list; it cannot be {}",
            d.report_id,
            d.doc_number,
            to.as_str()
        )
    };
    let want = match step {
        Step::Approve => &spec.approver,
        Step::Review => &spec.reviewer,
    };
    if want.trim() != name {
        bail!(
            "the report list names {want} as the {} of {} (report {}), not {name}",
            role.as_str(),
            d.doc_number,
            spec.id
        );
    }
    let at = s.env.now();
    let mut state = d.state.clone();
    state.status = to;
    match step {
        Step::Approve => {
            state.approved_by = Some(name.to_string());
            state.approved_at = Some(at);
        }
        Step::Review => {
            state.reviewed_by = Some(name.to_string());
            state.reviewed_at = Some(at);
        }
    }
    let files = s.ledger.read().files(d.id)?;
    let rebuilt = rebuild(&s, &d, &state, &formats_of(&files))?;
    if rebuilt.doc.meta.content_hash != d.content_hash {
        bail!(
            "{} V{}: rebuilt from the archive, its content hash is {} but the draft's is {}; nothing was recorded (run `svcreport audit {}`)",
            d.doc_number,
            st.version,
            rebuilt.doc.meta.content_hash,
            d.content_hash,
            d.doc_number
        );
    }
    let dir = pipeline::period_dir(&s.env, &d.period);
    let mut recorded = Vec::new();
    for (f, bytes) in &rebuilt.files {
        let fname = pipeline::file_name(&d.doc_number, &d.period, st.version, to, *f);
        let out = dir.join(&fname);
        let path = if to == DocStatus::Approved {
            let kept =
                s.archive
                    .keep_approved(&d.doc_number, &st.version.to_string(), &fname, bytes)?;
            // The copy in the output folder is write-once too.
            match std::fs::read(&out) {
                Ok(old) if old == *bytes => {}
                Ok(_) => bail!(
                    "{}: a different file exists under the approved name; it is never overwritten",
                    out.display()
                ),
                Err(_) => fsutil::write_new(&out, bytes)
                    .with_context(|| format!("{}: cannot write", out.display()))?,
            }
            kept
        } else {
            fsutil::write_atomic(&out, bytes)
                .with_context(|| format!("{}: cannot write", out.display()))?;
            out
        };
        recorded.push(DocFile {
            format: *f,
            status: to,
            path: s.env.ws.rel(&path),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        });
    }
    let tx = s.ledger.transaction()?;
    tx.record_step(
        d.id,
        &ReviewRecord {
            step,
            name: name.to_string(),
            role,
            at,
            comment: comment.map(str::to_string),
        },
    )?;
    for f in &recorded {
        tx.record_file(d.id, f)?;
    }
    tx.commit()?;
    let out = Recorded {
        doc_number: &d.doc_number,
        version: st.version.to_string(),
        step: step.as_str(),
        status: to,
        name,
        at,
        comment,
        files: recorded
            .iter()
            .map(|f| RecordedFile {
                format: f.format.extension(),
                path: &f.path,
                sha256: &f.sha256,
            })
            .collect(),
    };
    match g.format {
        OutputKind::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        OutputKind::Text if !g.quiet => {
            println!(
                "{} V{} {} by {name} at {}",
                d.doc_number,
                st.version,
                match step {
                    Step::Approve => "approved (已批准)",
                    Step::Review => "reviewed (已审核)",
                },
                at.format("%Y-%m-%dT%H:%M:%S")
            );
            for f in &recorded {
                println!("  {}  sha256 {}", f.path, f.sha256);
            }
        }
        OutputKind::Text => {}
    }
    Ok(EXIT_OK)
}

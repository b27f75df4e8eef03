//! `svcreport audit DOC[@VERSION]`: rebuild the latest approved (else latest)
//! version, or the one named, from its archived sources, and compare the
//! content hash and every file hash (recomputed and on disk); check every
//! review and approval signature against the catalogue's keys and the
//! version; say which later version supersedes it. Exit 1 on any difference
//! or signature that does not hold, each one named.

use anyhow::Context;
use serde::Serialize;

use super::evidence::{self, Evidence};
use super::rebuild::rebuild;
use super::say::Say;
use super::session::Session;
use super::signoff::{find_latest, formats_of};
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::{sha256_file, sha256_hex};
use crate::findings::Lang;
use crate::ledger::{DocFile, DocVersion};
use crate::report::ReportDoc;

/// The verdict of an audit.
#[derive(Debug, Serialize)]
struct Verdict<'a> {
    doc_number: &'a str,
    version: DocVersion,
    status: crate::model::document::DocStatus,
    content_hash: &'a str,
    inputs: usize,
    files: usize,
    matches: bool,
    differences: &'a [String],
    audited_at: chrono::NaiveDateTime,
    #[serde(flatten)]
    evidence: &'a Evidence,
}

pub fn run(g: &Global, doc: &str) -> anyhow::Result<u8> {
    let s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let (doc, version) = match doc.rsplit_once('@') {
        Some((d, v)) => (
            d,
            Some(
                DocVersion::parse(v)
                    .with_context(|| format!("\"{v}\" after @ is not a version: write {d}@1.0"))?,
            ),
        ),
        None => (doc, None),
    };
    let d = match version {
        Some(v) => s
            .ledger
            .read()
            .versions(doc)?
            .into_iter()
            .find(|d| d.state.version == v)
            .with_context(|| format!("{doc} has no version {v}"))?,
        None => match s.ledger.read().latest_approved(doc)? {
            Some(d) => d,
            None => find_latest(&s, doc)?,
        },
    };
    let files: Vec<DocFile> = s
        .ledger
        .read()
        .files(d.id)?
        .into_iter()
        .filter(|f| f.status == d.state.status)
        .collect();
    let rebuilt = rebuild(&s, &d, &d.state, &formats_of(&files))?;
    let mut diffs = Vec::new();
    if rebuilt.doc.meta.content_hash != d.content_hash {
        diffs.push(format!(
            "content hash: recorded {}, recomputed {}",
            d.content_hash, rebuilt.doc.meta.content_hash
        ));
        if let Some(m) = &rebuilt.archived_model {
            diffs.extend(model_diff(m, &rebuilt.doc));
        }
    }
    for f in &files {
        let ext = f.format.extension();
        match rebuilt.files.iter().find(|(fmt, _)| *fmt == f.format) {
            Some((_, b)) if sha256_hex(b) == f.sha256 => {}
            Some((_, b)) => diffs.push(format!(
                "{ext} file: recorded {}, recomputed {}",
                f.sha256,
                sha256_hex(b)
            )),
            None => diffs.push(format!("{ext} file: could not be recomputed")),
        }
        match sha256_file(&s.env.ws.root.join(&f.path)) {
            Ok((h, _)) if h == f.sha256 => {}
            Ok((h, _)) => diffs.push(format!(
                "{}: altered on disk (SHA-256 now {h}, recorded {})",
                f.path, f.sha256
            )),
            Err(_) => diffs.push(format!("{}: missing on disk", f.path)),
        }
    }
    let all_files = s.ledger.read().files(d.id)?;
    let ev = evidence::gather(&s.env.cat, &s.ledger.read(), &d, &all_files)?;
    for st in ev.invalid() {
        diffs.push(format!(
            "{} signature of {} does not hold: {}",
            st.step,
            st.person.as_deref().unwrap_or(&st.name),
            st.problem.as_deref().unwrap_or("?")
        ));
    }
    let when = s.env.now();
    let lang = Lang::from_tag(&s.env.ws.language);
    let inputs = s.ledger.read().document_inputs(d.id)?.len();
    let code = if diffs.is_empty() {
        EXIT_OK
    } else {
        EXIT_REJECTED
    };
    match g.format {
        OutputKind::Json => {
            let v = Verdict {
                doc_number: &d.doc_number,
                version: d.state.version,
                status: d.state.status,
                content_hash: &d.content_hash,
                inputs,
                files: files.len(),
                matches: diffs.is_empty(),
                differences: &diffs,
                audited_at: when,
                evidence: &ev,
            };
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputKind::Text if diffs.is_empty() => {
            if !g.quiet {
                let l = Say::AuditOk {
                    doc_number: &d.doc_number,
                    version: d.state.version,
                    status: d.state.status,
                    inputs,
                    content_hash: &d.content_hash,
                    files: files.len(),
                    at: when,
                };
                println!("{}", l.text(lang));
                print_evidence(&ev, lang);
            }
        }
        OutputKind::Text => {
            let l = Say::AuditDiffers {
                doc_number: &d.doc_number,
                version: d.state.version,
                at: when,
            };
            println!("{}", l.text(lang));
            for x in &diffs {
                println!("  - {x}");
            }
            print_evidence(&ev, lang);
        }
    }
    Ok(code)
}

fn print_evidence(ev: &Evidence, lang: Lang) {
    for st in &ev.steps {
        println!("{}", Say::Step(st).text(lang));
    }
    if let Some(l) = ev.superseded_by() {
        let s = Say::Superseded {
            version: l.version,
            status: l.status,
        };
        println!("{}", s.text(lang));
    }
}

/// Which parts of two report models differ (meta fields that enter the
/// content, sections by id and their blocks).
pub fn model_diff(a: &ReportDoc, b: &ReportDoc) -> Vec<String> {
    let mut out = Vec::new();
    for s in &a.sections {
        match b.sections.iter().find(|x| x.id == s.id) {
            None => out.push(format!("section \"{}\" ({}) is gone", s.id, s.title)),
            Some(x) if x != s => {
                let n = s
                    .blocks
                    .iter()
                    .zip(&x.blocks)
                    .filter(|(p, q)| p != q)
                    .count()
                    + s.blocks.len().abs_diff(x.blocks.len());
                out.push(format!(
                    "section \"{}\" ({}) differs in {n} block(s)",
                    s.id, s.title
                ));
            }
            _ => {}
        }
    }
    for x in &b.sections {
        if !a.sections.iter().any(|s| s.id == x.id) {
            out.push(format!("section \"{}\" ({}) is new", x.id, x.title));
        }
    }
    if a.meta.title != b.meta.title || a.meta.party != b.meta.party {
        out.push("document title or party differs".into());
    }
    out
}

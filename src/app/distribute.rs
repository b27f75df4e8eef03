//! `svcreport distribute [--period P] [--dry-run] [--resend] [--to-folder]`:
//! e-mail every approved document to the recipients the report list names,
//! over the workspace's `[smtp]` relay, one message per recipient with a
//! cover note and the approved files; or, with `--to-folder`, copy them into
//! `outbox/<sanitised recipient>/`.
//!
//! Orchestration (`app`). Invariants: only approved files leave, each checked
//! against its recorded SHA-256 first. E-mail: every message is recorded in
//! the ledger as "sending" (committed) before its SMTP transaction and its
//! outcome after it, so a process that dies in between leaves an unknown
//! outcome, counted as sent; a recipient who was sent a document (or whose
//! outcome is unknown) is not sent it again unless `--resend`; a failure is
//! reported and the others go on; `--dry-run` sends and records nothing.
//! Folder copies: a copy made before is not made again; every write is one
//! ledger transaction after its files exist. Exit 1 when a message failed, a
//! recipient is no address, or nothing could be distributed and something
//! was held back.

use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;

use super::say::Say;
use super::session::Session;
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::{sanitize_component, sha256_hex};
use crate::findings::Lang;
use crate::fsutil;
use crate::ledger::{
    DistributionRecord, DocFile, DocRecord, MessageRecord, MessageState, NewMessage, SourceKind,
};
use crate::mail::{self, Attached, CoverFacts, Letter, Outcome, Relay};
use crate::model::catalogue::ReportSpec;
use crate::model::document::DocStatus;
use crate::model::period::Period;
use crate::report::DocMeta;

/// How documents leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// E-mail over the `[smtp]` relay.
    Mail,
    /// Copies in `outbox/<recipient>/` (`--to-folder`).
    Folder,
}

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

pub fn run(
    g: &Global,
    period: Option<Period>,
    mode: Mode,
    dry_run: bool,
    resend: bool,
) -> anyhow::Result<u8> {
    match mode {
        Mode::Mail => run_mail(g, period, dry_run, resend),
        Mode::Folder if dry_run || resend => {
            bail!(
                "--dry-run and --resend are for e-mail; --to-folder copies what is not copied yet"
            )
        }
        Mode::Folder => run_folder(g, period),
    }
}

/// Approved document versions with their report id, and what was held back.
type Approved = (Vec<(DocRecord, String)>, Vec<Held>);

/// The approved document of each document number of `period` (or all), and what was held back.
fn approved_documents(s: &Session, period: Option<Period>) -> anyhow::Result<Approved> {
    let docs = s.ledger.read().all_documents()?;
    let mut numbers: Vec<(String, String)> = docs
        .iter()
        .filter(|d| period.is_none_or(|p| d.period == p))
        .map(|d| (d.doc_number.clone(), d.report_id.clone()))
        .collect();
    numbers.sort();
    numbers.dedup();
    let mut out = Vec::new();
    let mut held = Vec::new();
    for (number, report_id) in numbers {
        match s.ledger.read().latest_approved(&number)? {
            Some(d) => out.push((d, report_id)),
            None => {
                if let Some(l) = s.ledger.read().latest(&number)? {
                    held.push(Held::NotApproved {
                        doc_number: l.doc_number,
                        version: l.state.version.to_string(),
                        status: l.state.status,
                    });
                }
            }
        }
    }
    Ok((out, held))
}

/// The approved files of a document version, read and checked against their recorded SHA-256.
fn approved_files(s: &Session, d: &DocRecord) -> anyhow::Result<Vec<(DocFile, Vec<u8>)>> {
    let mut out = Vec::new();
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
        out.push((f, bytes));
    }
    Ok(out)
}

/// The document block as archived when the version was generated (title,
/// party, period label, language), for the cover note.
fn archived_meta(s: &Session, d: &DocRecord) -> anyhow::Result<Option<DocMeta>> {
    #[derive(serde::Deserialize)]
    struct Model {
        meta: DocMeta,
    }
    let Some(src) = s
        .ledger
        .read()
        .document_sources(d.id)?
        .into_iter()
        .find(|x| x.kind == SourceKind::Model)
    else {
        return Ok(None);
    };
    let bytes = s.archive.load(&src.sha256)?;
    let m: Model = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: the archived report model does not read", d.doc_number))?;
    Ok(Some(m.meta))
}

fn cover_facts(s: &Session, d: &DocRecord, spec: &ReportSpec) -> anyhow::Result<CoverFacts> {
    let meta = archived_meta(s, d)?;
    let cat = &s.env.cat;
    Ok(match meta {
        Some(m) => CoverFacts {
            language: m.language,
            title: m.title,
            title_en: m.title_en,
            party: m.party,
            party_en: m.party_en,
            period_label: m.period_label,
            doc_number: d.doc_number.clone(),
            version: d.state.version.to_string(),
            approved_by: d.state.approved_by.clone().unwrap_or_default(),
            approved_at: d.state.approved_at,
            organisation: m.organisation,
        },
        None => CoverFacts {
            language: s.env.ws.language.clone(),
            title: spec.title.clone(),
            title_en: spec.title_en.clone(),
            party: s.env.ws.organisation.clone(),
            party_en: None,
            period_label: d.period.to_string(),
            doc_number: d.doc_number.clone(),
            version: d.state.version.to_string(),
            approved_by: d
                .state
                .approved_by
                .clone()
                .unwrap_or_else(|| cat.display_name(&spec.approver).to_string()),
            approved_at: d.state.approved_at,
            organisation: s.env.ws.organisation.clone(),
        },
    })
}

/// What became of one message in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Fate {
    Sent,
    Failed,
    /// Sent by an earlier run; not sent again.
    AlreadySent,
    /// An earlier run died mid-transaction: counted as sent, not sent again.
    Unknown,
    /// `--dry-run`.
    WouldSend,
}

/// One message as printed and as JSON.
#[derive(Debug, Serialize)]
struct Shown {
    doc_number: String,
    version: String,
    recipient: String,
    message_id: String,
    outcome: Fate,
    response: Option<String>,
    attempts: u32,
    at: Option<chrono::NaiveDateTime>,
    subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    attachments: Vec<ShownFile>,
}

#[derive(Debug, Serialize)]
struct ShownFile {
    name: String,
    content_type: &'static str,
    bytes: usize,
    sha256: String,
}

fn shown_files(a: &[Attached]) -> Vec<ShownFile> {
    a.iter()
        .map(|x| ShownFile {
            name: x.name.clone(),
            content_type: x.content_type(),
            bytes: x.bytes.len(),
            sha256: x.sha256.clone(),
        })
        .collect()
}

/// The Message-ID of the `n`th message of a document to a recipient.
fn message_id(
    d: &DocRecord,
    recipient: &str,
    n: usize,
    at: chrono::NaiveDateTime,
    domain: &str,
) -> String {
    let r = sha256_hex(recipient.as_bytes());
    format!(
        "<{}.v{}.{}.{}.{}@{}>",
        sanitize_component(&d.doc_number),
        d.state.version,
        &r[..12],
        n,
        at.format("%Y%m%d%H%M%S"),
        domain
    )
}

fn run_mail(g: &Global, period: Option<Period>, dry_run: bool, resend: bool) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let Some(smtp) = s.env.ws.smtp.clone() else {
        bail!(
            "{}: no [smtp] relay is configured: add [smtp] server, port, security, from (README, \"Distribution by e-mail\"), or copy into outbox/ with --to-folder",
            s.env.ws.root.join(crate::workspace::FILE_NAME).display()
        );
    };
    let at = s.env.now();
    let date = crate::signing::with_offset(at, s.env.ws.timezone);
    let domain = mail::domain_of(&smtp.from);
    let (docs, mut held) = approved_documents(&s, period)?;
    let mut shown: Vec<Shown> = Vec::new();
    let mut bad_recipients: Vec<String> = Vec::new();
    let mut relay: Option<Relay> = None;
    let quiet_text = g.quiet || g.format == OutputKind::Json;
    let lang = Lang::from_tag(&s.env.ws.language);
    for (d, report_id) in &docs {
        let Some(spec) = s.env.cat.report(report_id).cloned() else {
            held.push(Held::NoRecipients {
                doc_number: d.doc_number.clone(),
                version: d.state.version.to_string(),
            });
            continue;
        };
        if spec.recipients.is_empty() {
            held.push(Held::NoRecipients {
                doc_number: d.doc_number.clone(),
                version: d.state.version.to_string(),
            });
            continue;
        }
        let files: Vec<Attached> = approved_files(&s, d)?
            .into_iter()
            .filter(|(f, _)| spec.formats.contains(&f.format))
            .map(|(f, bytes)| Attached {
                format: f.format,
                name: Path::new(&f.path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| sanitize_component(&d.doc_number)),
                sha256: f.sha256,
                bytes,
            })
            .collect();
        let facts = cover_facts(&s, d, &spec)?;
        let (subject, body) = mail::cover_note(&facts, &files);
        let history = s.ledger.read().messages(d.id)?;
        for r in &spec.recipients {
            if let Err(e) = mail::recipient(&spec.id, r) {
                eprintln!("error: {e}; nothing was sent to it");
                bad_recipients.push(e.to_string());
                continue;
            }
            let mine: Vec<&MessageRecord> = history.iter().filter(|m| m.recipient == *r).collect();
            let base = |outcome: Fate, m: Option<&MessageRecord>| Shown {
                doc_number: d.doc_number.clone(),
                version: d.state.version.to_string(),
                recipient: r.clone(),
                message_id: m.map(|m| m.message_id.clone()).unwrap_or_default(),
                outcome,
                response: m.and_then(|m| m.response.clone()),
                attempts: m.map(|m| m.attempts).unwrap_or(0),
                at: m.map(|m| m.finished.unwrap_or(m.started)),
                subject: subject.clone(),
                from: None,
                date: None,
                body: None,
                attachments: shown_files(&files),
            };
            if !resend {
                if let Some(m) = mine.iter().rev().find(|m| m.state == MessageState::Sent) {
                    shown.push(base(Fate::AlreadySent, Some(m)));
                    continue;
                }
                if let Some(m) = mine.iter().rev().find(|m| m.state == MessageState::Sending) {
                    shown.push(base(Fate::Unknown, Some(m)));
                    continue;
                }
            }
            let letter = Letter {
                from: smtp.from.clone(),
                to: r.clone(),
                subject: subject.clone(),
                message_id: message_id(d, r, mine.len() + 1, at, &domain),
                date,
                body: body.clone(),
                attachments: files.clone(),
            };
            let message = letter.message()?;
            if dry_run {
                let mut x = base(Fate::WouldSend, None);
                x.message_id = letter.message_id.clone();
                x.from = Some(letter.from.clone());
                x.date = Some(date.to_rfc2822());
                x.body = Some(letter.body.clone());
                shown.push(x);
                continue;
            }
            let relay = match &relay {
                Some(r) => r,
                None => relay.insert(Relay::new(&smtp)?),
            };
            let id = s.ledger.begin_message(&NewMessage {
                doc_id: d.id,
                recipient: r.clone(),
                message_id: letter.message_id.clone(),
                subject: subject.clone(),
                attachments: files.iter().map(|f| (f.format, f.sha256.clone())).collect(),
                started: at,
                resend: !mine.is_empty(),
            })?;
            let outcome = relay.send(&message, &mut |attempt, why| {
                if !quiet_text {
                    let l = Say::MailRetry {
                        doc_number: &d.doc_number,
                        recipient: r,
                        attempt,
                        why,
                    };
                    eprintln!("{}", l.text(lang));
                }
            });
            let (state, response, attempts, label) = match outcome {
                Outcome::Sent { response, attempts } => {
                    (MessageState::Sent, response, attempts, Fate::Sent)
                }
                Outcome::Failed {
                    response, attempts, ..
                } => (MessageState::Failed, response, attempts, Fate::Failed),
            };
            s.ledger
                .finish_message(id, state, &response, attempts, at)?;
            let mut x = base(label, None);
            x.message_id = letter.message_id.clone();
            x.response = Some(response);
            x.attempts = attempts;
            x.at = Some(at);
            shown.push(x);
        }
    }
    let failed = shown.iter().filter(|x| x.outcome == Fate::Failed).count();
    match g.format {
        OutputKind::Json => {
            let v = serde_json::json!({
                "dry_run": dry_run,
                "messages": shown,
                "held": held,
                "bad_recipients": bad_recipients,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputKind::Text => {
            for x in &shown {
                print_shown(x, g.quiet, lang);
            }
            for h in &held {
                eprintln!("held back: {h}");
            }
        }
    }
    let went = shown.iter().any(|x| x.outcome != Fate::Failed);
    if failed > 0 || !bad_recipients.is_empty() || (!went && !held.is_empty()) {
        return Ok(EXIT_REJECTED);
    }
    Ok(EXIT_OK)
}

fn print_shown(x: &Shown, quiet: bool, lang: Lang) {
    let (doc_number, version, recipient) = (&x.doc_number, &x.version, &x.recipient);
    let message_id = &x.message_id;
    let resp = x.response.as_deref().unwrap_or("");
    let line = match x.outcome {
        Fate::Failed => {
            let l = Say::MailFailed {
                doc_number,
                version,
                recipient,
                message_id,
                response: resp,
                attempts: x.attempts,
            };
            eprintln!("{}", l.text(lang));
            return;
        }
        _ if quiet => return,
        Fate::Sent => Say::MailSent {
            doc_number,
            version,
            recipient,
            message_id,
            response: resp,
        },
        Fate::AlreadySent => Say::MailAlready {
            doc_number,
            version,
            recipient,
            message_id,
            at: x.at,
        },
        Fate::Unknown => Say::MailUnknown {
            doc_number,
            version,
            recipient,
            message_id,
            at: x.at,
        },
        Fate::WouldSend => Say::MailWouldSend {
            doc_number,
            version,
            recipient,
        },
    };
    println!("{}", line.text(lang));
    if x.outcome == Fate::WouldSend {
        // The message as it would go: its headers (RFC 5322 names) and its body.
        println!("  From: {}", x.from.as_deref().unwrap_or(""));
        println!("  To: {}", x.recipient);
        println!("  Subject: {}", x.subject);
        println!("  Message-ID: {}", x.message_id);
        println!("  Date: {}", x.date.as_deref().unwrap_or(""));
        for a in &x.attachments {
            println!(
                "  Attachment: {} ({}, {} bytes, SHA-256 {})",
                a.name, a.content_type, a.bytes, a.sha256
            );
        }
        for l in x.body.as_deref().unwrap_or("").lines() {
            println!("  | {l}");
        }
    }
}

fn run_folder(g: &Global, period: Option<Period>) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let at = s.env.now();
    let outbox = s.env.ws.root.join("outbox");
    let mut copies: Vec<(i64, DistributionRecord)> = Vec::new();
    let (docs, mut held) = approved_documents(&s, period)?;
    let mut already = 0usize;
    for (d, report_id) in &docs {
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
        for (f, bytes) in approved_files(&s, d)? {
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
            let lang = Lang::from_tag(&s.env.ws.language);
            for (_, c) in &copies {
                let l = Say::Sent {
                    path: &c.path,
                    recipient: &c.recipient,
                };
                println!("{}", l.text(lang));
            }
            if already > 0 {
                println!("{}", Say::AlreadySent(already).text(lang));
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

//! E-mail distribution (spec §1, the compiler "distributes on time"): the
//! cover note of an approved document in the report's language, the message
//! with the approved files attached (lettre's builder), and its sending to
//! one recipient over the workspace's SMTP relay (lettre's blocking
//! transport, rustls) with bounded retries.
//!
//! Depends on `workspace` (the `[smtp]` settings) and `model` types only; it
//! records nothing (the ledger entries around every transaction are the
//! caller's, `app::distribute`). Invariants: the password comes only from the
//! environment variable the settings name; a message is one SMTP transaction
//! to one recipient; a transient failure (4xx reply, connection lost or
//! refused, timeout) is retried at most `retries` times with a doubling
//! wait, a permanent one (5xx, TLS) is never retried; the `Date` header is
//! the run's time (no clock read here).

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};

use crate::model::catalogue::OutputFormat;
use crate::workspace::{SmtpSecurity, SmtpSettings};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "[smtp] user \"{user}\" is set but the environment variable {var} is not: export the password there (it is never read from a file)"
    )]
    NoPassword { user: String, var: String },
    #[error("{path}: cannot read the [smtp] ca_file: {source}")]
    CaFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("[smtp]: {0}")]
    Setup(String),
    #[error("recipient \"{value}\" of report \"{report}\" is not an e-mail address: {message}")]
    Recipient {
        report: String,
        value: String,
        message: String,
    },
    #[error("the message to {to} cannot be built: {message}")]
    Build { to: String, message: String },
}

/// One file attached to a message.
#[derive(Debug, Clone)]
pub struct Attached {
    pub format: OutputFormat,
    pub name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

impl Attached {
    pub fn content_type(&self) -> &'static str {
        match self.format {
            OutputFormat::Pdf => "application/pdf",
            OutputFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// What a cover note says about the document.
#[derive(Debug, Clone)]
pub struct CoverFacts {
    /// `zh-CN` or `en` (the report template's language).
    pub language: String,
    pub title: String,
    pub title_en: Option<String>,
    pub party: String,
    pub party_en: Option<String>,
    pub period_label: String,
    pub doc_number: String,
    pub version: String,
    pub approved_by: String,
    pub approved_at: Option<NaiveDateTime>,
    pub organisation: String,
}

/// Subject and body of the cover note, in the report's language.
pub fn cover_note(f: &CoverFacts, files: &[Attached]) -> (String, String) {
    let zh = f.language.to_ascii_lowercase().starts_with("zh");
    let when = f
        .approved_at
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let list: String = files
        .iter()
        .map(|a| format!("  {}  (SHA-256 {})\n", a.name, a.sha256))
        .collect();
    if zh {
        let subject = format!(
            "【服务报告】{}（{}）{} V{}",
            f.title, f.period_label, f.doc_number, f.version
        );
        let body = format!(
            "您好：\n\n\
             附件是{party}的《{title}》（{period}），文档编号 {doc}，版本 V{ver}，已于 {when} 由 {by} 批准。\n\n\
             附件：\n{list}\n\
             每个文件的 SHA-256 均记录在服务报告台账中，可据此核验文件未被改动。如有疑问，请直接回复本邮件。\n\n\
             {org}\n",
            party = f.party,
            title = f.title,
            period = f.period_label,
            doc = f.doc_number,
            ver = f.version,
            by = f.approved_by,
            org = f.organisation,
        );
        (subject, body)
    } else {
        let title = f.title_en.as_deref().unwrap_or(&f.title);
        let party = f.party_en.as_deref().unwrap_or(&f.party);
        let subject = format!(
            "Service report: {title} ({}) {} V{}",
            f.period_label, f.doc_number, f.version
        );
        let body = format!(
            "Dear {party},\n\n\
             please find attached \"{title}\" for {period}, document {doc} version {ver}, approved by {by} on {when}.\n\n\
             Attached:\n{list}\n\
             The SHA-256 of each file is recorded in our service reporting ledger, so you can check that a file is unaltered. Please reply to this message with any question.\n\n\
             {org}\n",
            period = f.period_label,
            doc = f.doc_number,
            ver = f.version,
            by = f.approved_by,
            org = f.organisation,
        );
        (subject, body)
    }
}

/// A message ready to send (or to show with `--dry-run`).
#[derive(Debug, Clone)]
pub struct Letter {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub date: DateTime<FixedOffset>,
    pub body: String,
    pub attachments: Vec<Attached>,
}

/// A recipient as lettre reads it, or an error naming the report and the value.
pub fn recipient(report: &str, value: &str) -> Result<Mailbox, MailError> {
    value.parse::<Mailbox>().map_err(|e| MailError::Recipient {
        report: report.to_string(),
        value: value.to_string(),
        message: e.to_string(),
    })
}

/// The domain of an address (`provider.example`), for Message-IDs and EHLO.
pub fn domain_of(mailbox: &str) -> String {
    mailbox
        .parse::<Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

impl Letter {
    /// The RFC 5322 message: a text cover note and the files as attachments.
    pub fn message(&self) -> Result<Message, MailError> {
        let build = |message: String| MailError::Build {
            to: self.to.clone(),
            message,
        };
        let from: Mailbox = self.from.parse().map_err(|e| build(format!("from: {e}")))?;
        let to: Mailbox = self.to.parse().map_err(|e| build(format!("to: {e}")))?;
        let mut parts = MultiPart::mixed().singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(self.body.clone()),
        );
        for a in &self.attachments {
            let ct = ContentType::parse(a.content_type()).map_err(|e| build(e.to_string()))?;
            parts = parts.singlepart(Attachment::new(a.name.clone()).body(a.bytes.clone(), ct));
        }
        Message::builder()
            .from(from)
            .to(to)
            .subject(self.subject.clone())
            .message_id(Some(self.message_id.clone()))
            .date(std::time::SystemTime::from(self.date))
            .multipart(parts)
            .map_err(|e| build(e.to_string()))
    }
}

/// How one message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the relay: its reply.
    Sent { response: String, attempts: u32 },
    /// Refused for good (5xx, TLS), or still failing after every retry.
    Failed {
        response: String,
        attempts: u32,
        permanent: bool,
    },
}

/// The relay, configured (nothing is connected until a message is sent).
pub struct Relay {
    transport: SmtpTransport,
    retries: u32,
    delay: Duration,
}

impl Relay {
    /// Build the transport from the settings; the password is read from the environment here.
    pub fn new(s: &SmtpSettings) -> Result<Relay, MailError> {
        let tls_params = || -> Result<TlsParameters, MailError> {
            let mut b = TlsParameters::builder(s.server.clone());
            if let Some(ca) = &s.ca_file {
                let pem = std::fs::read(ca).map_err(|source| MailError::CaFile {
                    path: ca.clone(),
                    source,
                })?;
                let cert = Certificate::from_pem(&pem)
                    .map_err(|e| MailError::Setup(format!("ca_file {}: {e}", ca.display())))?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls()
                .map_err(|e| MailError::Setup(format!("TLS: {e}")))
        };
        let tls = match s.security {
            SmtpSecurity::StartTls => Tls::Required(tls_params()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_params()?),
            SmtpSecurity::None => Tls::None,
        };
        let mut b = SmtpTransport::builder_dangerous(s.server.clone())
            .port(s.port)
            .tls(tls)
            .timeout(Some(s.timeout))
            .hello_name(ClientId::Domain(domain_of(&s.from)));
        if let Some(user) = &s.user {
            let password = std::env::var(&s.password_env).map_err(|_| MailError::NoPassword {
                user: user.clone(),
                var: s.password_env.clone(),
            })?;
            b = b.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Relay {
            transport: b.build(),
            retries: s.retries,
            delay: s.retry_delay,
        })
    }

    /// Send one message: retried on transient failures, never after a permanent one.
    /// `on_retry(attempt, error)` is told before each wait.
    pub fn send(&self, m: &Message, on_retry: &mut dyn FnMut(u32, &str)) -> Outcome {
        let mut attempts = 0;
        let mut wait = self.delay;
        loop {
            attempts += 1;
            match self.transport.send(m) {
                Ok(r) => {
                    return Outcome::Sent {
                        response: response_text(r.code().to_string(), r.message()),
                        attempts,
                    };
                }
                Err(e) => {
                    let text = error_text(&e);
                    let permanent =
                        e.is_permanent() || e.is_tls() || e.is_client() || is_tls_failure(&e);
                    if permanent || attempts > self.retries {
                        return Outcome::Failed {
                            response: text,
                            attempts,
                            permanent,
                        };
                    }
                    on_retry(attempts, &text);
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
            }
        }
    }
}

/// A TLS failure (say, a certificate nobody vouches for) that lettre reports
/// as a network error: retrying cannot mend it.
fn is_tls_failure(e: &lettre::transport::smtp::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cur {
        if c.is::<rustls::Error>() {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return true;
        }
        cur = c.source();
    }
    false
}

fn response_text<'a>(code: String, lines: impl Iterator<Item = &'a str>) -> String {
    let mut s = code;
    for l in lines {
        s.push(' ');
        s.push_str(l);
    }
    s
}

/// An SMTP error with its cause chain, on one line.
fn error_text(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(lang: &str) -> CoverFacts {
        CoverFacts {
            language: lang.into(),
            title: "安科美 IT 服务月度报告".into(),
            title_en: Some("ACME IT service report".into()),
            party: "安科美科技有限公司".into(),
            party_en: Some("ACME Technology Co., Ltd.".into()),
            period_label: "2026年10月".into(),
            doc_number: "SR-ACME-2026-10".into(),
            version: "1.0".into(),
            approved_by: "张伟".into(),
            approved_at: NaiveDateTime::parse_from_str("2026-11-05 16:00", "%Y-%m-%d %H:%M").ok(),
            organisation: "深圳市示例信息技术有限公司".into(),
        }
    }

    #[test]
    fn cover_notes_follow_the_report_language() {
        let a = Attached {
            format: OutputFormat::Pdf,
            name: "SR-ACME-2026-10_2026-10_v1.0.pdf".into(),
            sha256: "ab".repeat(32),
            bytes: b"%PDF".to_vec(),
        };
        let (s, b) = cover_note(&facts("zh-CN"), std::slice::from_ref(&a));
        assert_eq!(
            s,
            "【服务报告】安科美 IT 服务月度报告（2026年10月）SR-ACME-2026-10 V1.0"
        );
        assert!(b.contains("已于 2026-11-05 16:00 由 张伟 批准"), "{b}");
        assert!(b.contains(&a.sha256), "{b}");
        let (s, b) = cover_note(&facts("en"), &[a]);
        assert!(
            s.starts_with("Service report: ACME IT service report"),
            "{s}"
        );
        assert!(b.starts_with("Dear ACME Technology Co., Ltd.,"), "{b}");
    }

    #[test]
    fn a_recipient_that_is_no_address_names_the_report() {
        let e = recipient("acme-monthly", "it-director at acme").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("recipient \"it-director at acme\" of report \"acme-monthly\""),
            "{e}"
        );
        assert!(recipient("acme-monthly", "a@acme.example").is_ok());
        assert_eq!(
            domain_of("服务报告 <reports@provider.example>"),
            "provider.example"
        );
    }
}

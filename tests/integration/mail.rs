//! E-mail distribution against real SMTP servers on 127.0.0.1 started by the
//! tests: aiosmtpd (`smtp_server.py`, Debian's python3-aiosmtpd) for what
//! arrives, a refused recipient, a transient failure and STARTTLS with a
//! self-signed certificate made here (rcgen); a minimal hand-written server
//! for the two cases a real one will not do on purpose: a connection dropped
//! halfway, and a reply that never comes (the process dies mid-transaction).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{BIN, demo, json, key, ok, sv, text};
use svcreport::ledger::{Ledger, MessageState};

const DOC: &str = "SR-ACME-2026-10";
const NOW_RUN: &str = "2026-11-03 10:00";
const NOW_REVIEW: &str = "2026-11-04 09:00";
const NOW_APPROVE: &str = "2026-11-05 16:00";
const NOW_SEND: &str = "2026-11-06 09:00";
const IT: &str = "it-director@acme.example";
const DESK: &str = "service-desk@acme.example";

/// The Python that has aiosmtpd (Debian's, which may not be the first `python3` on PATH);
/// `None` with a note where there is none, a failure when CI=true.
fn python_with_aiosmtpd() -> Option<String> {
    for py in ["/usr/bin/python3", "python3"] {
        let ok = Command::new(py)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(py.to_string());
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no python3 with aiosmtpd, and CI=true: .ci/run must install python3-aiosmtpd"
    );
    eprintln!("note: python3-aiosmtpd not installed; SMTP test skipped (CI installs it)");
    None
}

/// aiosmtpd running as a child process; stopped (stdin closed, killed) on drop.
struct Aiosmtpd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Aiosmtpd {
    fn start(args: &[&str]) -> Option<Aiosmtpd> {
        let py = python_with_aiosmtpd()?;
        let dir = tempfile::tempdir().unwrap();
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/integration/smtp_server.py");
        let mut child = Command::new(py)
            .arg(script)
            .arg("--out")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
        Some(Aiosmtpd { child, port, dir })
    }

    /// Every message received so far, in order.
    fn received(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(3) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A workspace with SR-ACME-2026-10 approved (signed) and `[smtp]` set to `smtp`.
fn approved_workspace(smtp: &str) -> tempfile::TempDir {
    let ws = demo();
    let w = ws.path();
    let settings = w.join("svcreport.toml");
    let mut t = std::fs::read_to_string(&settings).unwrap();
    t.push_str("\n[smtp]\n");
    t.push_str(smtp);
    std::fs::write(&settings, t).unwrap();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    ok(sv(
        w,
        NOW_REVIEW,
        &["review", DOC, "--key", &key(w, "liqiang")],
    ));
    ok(sv(
        w,
        NOW_APPROVE,
        &["approve", DOC, "--key", &key(w, "zhangwei")],
    ));
    ws
}

fn plain(port: u16) -> String {
    format!(
        "server = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"服务报告 <reports@provider.example>\"\nretries = 3\nretry_delay_ms = 50\ntimeout_secs = 20\n"
    )
}

fn distribute(w: &Path, args: &[&str]) -> std::process::Output {
    let mut a = vec!["distribute", "--period", "2026-10"];
    a.extend_from_slice(args);
    sv(w, NOW_SEND, &a)
}

fn messages(w: &Path) -> Vec<svcreport::ledger::MessageRecord> {
    let l = Ledger::open(w).unwrap();
    let d = l.read().latest(DOC).unwrap().unwrap();
    l.read().messages(d.id).unwrap()
}

/// The `status --format json` row of SR-ACME-2026-10.
fn status_row(w: &Path) -> serde_json::Value {
    let st = json(&sv(
        w,
        NOW_SEND,
        &["--format", "json", "status", "--period", "2026-10"],
    ));
    st.as_array()
        .unwrap()
        .iter()
        .find(|r| r["doc_number"] == DOC)
        .cloned()
        .unwrap()
}

fn archived(w: &Path, ext: &str) -> String {
    let p = w
        .join(".svcreport/documents")
        .join(DOC)
        .join("v1.0")
        .join(format!("SR-ACME-2026-10_2026-10_v1.0.{ext}"));
    svcreport::archive::sha256_hex(&std::fs::read(p).unwrap())
}

#[test]
fn approved_documents_arrive_once_byte_exact() {
    let Some(server) = Aiosmtpd::start(&[]) else {
        return;
    };
    let ws = approved_workspace(&plain(server.port));
    let w = ws.path();

    // A dry run shows exactly what would go, and sends and records nothing.
    let o = distribute(w, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let first = format!("将发送 SR-ACME-2026-10 V1.0 给 {IT}");
    for needle in [
        first.as_str(),
        "From: 服务报告 <reports@provider.example>",
        "Subject: 【服务报告】安科美 IT 服务月度报告（2026年10月）SR-ACME-2026-10 V1.0",
        "Attachment: SR-ACME-2026-10_2026-10_v1.0.pdf (application/pdf,",
        "Attachment: SR-ACME-2026-10_2026-10_v1.0.xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,",
        "已于 2026-11-05 16:00 由 张伟 批准",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    // Drafts are held back, and say so.
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not approved"),
        "{}",
        text(&o)
    );
    assert!(server.received().is_empty());
    assert!(messages(w).is_empty());

    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = server.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let recorded = messages(w);
    assert_eq!(recorded.len(), 2);
    let (pdf, xlsx) = (archived(w, "pdf"), archived(w, "xlsx"));
    for (m, rec) in got.iter().zip(&recorded) {
        assert_eq!(m["rcpt_tos"], serde_json::json!([rec.recipient]), "{m}");
        assert_eq!(m["mail_from"], "reports@provider.example");
        assert_eq!(
            m["subject"],
            "【服务报告】安科美 IT 服务月度报告（2026年10月）SR-ACME-2026-10 V1.0"
        );
        let raw = m["raw_subject"].as_str().unwrap().to_ascii_lowercase();
        assert!(
            raw.starts_with("=?utf-8?"),
            "the subject is an encoded word: {raw}"
        );
        assert_eq!(m["message_id"], rec.message_id.as_str());
        assert!(
            rec.message_id.starts_with("<SR-ACME-2026-10.v1.0."),
            "{}",
            rec.message_id
        );
        assert!(
            rec.message_id.ends_with("@provider.example>"),
            "{}",
            rec.message_id
        );
        assert_eq!(
            m["date"], "Fri, 06 Nov 2026 01:00:00 +0000",
            "the run's time"
        );
        let att = m["attachments"].as_array().unwrap();
        assert_eq!(att.len(), 2, "{m}");
        assert_eq!(att[0]["filename"], "SR-ACME-2026-10_2026-10_v1.0.pdf");
        assert_eq!(att[0]["content_type"], "application/pdf");
        assert_eq!(att[0]["sha256"], pdf.as_str(), "the PDF arrives byte-exact");
        assert_eq!(
            att[1]["sha256"],
            xlsx.as_str(),
            "the xlsx arrives byte-exact"
        );
        assert!(m["body"].as_str().unwrap().contains(&pdf), "{m}");
        assert_eq!(rec.state, MessageState::Sent);
        assert_eq!(rec.attempts, 1);
        assert!(
            rec.response
                .as_deref()
                .unwrap()
                .starts_with("250 2.0.0 Ok: queued as"),
            "{rec:?}"
        );
        assert_eq!(
            rec.finished.map(|t| t.to_string()).as_deref(),
            Some("2026-11-06 09:00:00")
        );
    }
    // A re-run sends nothing; status counts the document distributed.
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains(&format!("此前已发送 SR-ACME-2026-10 V1.0 给 {IT}")),
        "{}",
        text(&o)
    );
    assert_eq!(server.received().len(), 2);
    assert_eq!(messages(w).len(), 2);
    let row = status_row(w);
    assert_eq!(row["distributed"], "2026-11-06T09:00:00", "{row}");
    assert_eq!(row["approval_signing"], "signed", "{row}");
    // --resend sends again, on purpose, and says so in the ledger.
    let j = json(&distribute(w, &["--format", "json", "--resend"]));
    assert_eq!(j["messages"].as_array().unwrap().len(), 2, "{j}");
    assert_eq!(server.received().len(), 4);
    let recorded = messages(w);
    assert_eq!(recorded.len(), 4);
    assert!(recorded[2].resend && recorded[3].resend);
    assert_ne!(recorded[0].message_id, recorded[2].message_id);
}

#[test]
fn a_refused_recipient_fails_alone_and_a_transient_failure_is_retried() {
    let Some(server) = Aiosmtpd::start(&["--refuse", DESK, "--tempfail", &format!("{IT}:2")])
    else {
        return;
    };
    let ws = approved_workspace(&plain(server.port));
    let w = ws.path();
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "发送失败 SR-ACME-2026-10 V1.0 给 {DESK}：permanent error (550)"
        )),
        "{err}"
    );
    assert!(
        err.contains("第 1 次尝试失败（transient error (451)"),
        "{err}"
    );
    let got = server.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!([IT]));
    let rec = messages(w);
    let it = rec.iter().find(|m| m.recipient == IT).unwrap();
    assert_eq!((it.state, it.attempts), (MessageState::Sent, 3));
    let desk = rec.iter().find(|m| m.recipient == DESK).unwrap();
    assert_eq!((desk.state, desk.attempts), (MessageState::Failed, 1));
    assert!(
        desk.response
            .as_deref()
            .unwrap()
            .contains("mailbox unavailable"),
        "{desk:?}"
    );
    // A failed message is tried again by the next run; the sent one is not.
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(server.received().len(), 1);
    let rec = messages(w);
    assert_eq!(rec.len(), 3);
    assert_eq!(rec.iter().filter(|m| m.recipient == IT).count(), 1);
}

#[test]
fn starttls_with_a_self_signed_certificate_and_a_password_from_the_environment() {
    // A self-signed CA (a company's private relay CA) and the relay's certificate it signs:
    // rustls will not take a self-signed end-entity certificate as its own root.
    let dir = tempfile::tempdir().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "svcreport test relay CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    leaf.use_authority_key_identifier_extension = true;
    leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let cert = dir.path().join("ca.pem");
    let chain = dir.path().join("relay.pem");
    let keyf = dir.path().join("relay.key");
    std::fs::write(&cert, ca_cert.pem()).unwrap();
    std::fs::write(&chain, leaf_cert.pem()).unwrap();
    std::fs::write(&keyf, leaf_key.serialize_pem()).unwrap();
    let Some(server) = Aiosmtpd::start(&[
        "--starttls",
        chain.to_str().unwrap(),
        keyf.to_str().unwrap(),
        "--auth",
        "reports:p4ss 口令",
    ]) else {
        return;
    };
    let smtp = |ca: bool| {
        format!(
            "server = \"localhost\"\nport = {}\nsecurity = \"starttls\"\nuser = \"reports\"\npassword_env = \"TEST_SMTP_PASSWORD\"\nfrom = \"reports@provider.example\"\nretries = 1\nretry_delay_ms = 50\ntimeout_secs = 20\n{}",
            server.port,
            if ca {
                format!("ca_file = \"{}\"\n", cert.display())
            } else {
                String::new()
            }
        )
    };
    let ws = approved_workspace(&smtp(true));
    let w = ws.path();
    let send = |pw: Option<&str>| {
        let mut c = Command::new(BIN);
        c.arg("--workspace")
            .arg(w)
            .args(["--now", NOW_SEND, "distribute", "--period", "2026-10"])
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("TEST_SMTP_PASSWORD");
        if let Some(p) = pw {
            c.env("TEST_SMTP_PASSWORD", p);
        }
        c.output().unwrap()
    };
    // No password in the environment: nothing is tried, nothing recorded.
    let o = send(None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("TEST_SMTP_PASSWORD is not"),
        "{}",
        text(&o)
    );
    assert!(messages(w).is_empty());
    // A wrong password: refused (535), recorded as failed.
    let o = send(Some("wrong"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("535"),
        "{}",
        text(&o)
    );
    assert!(server.received().is_empty());
    // The right one, over STARTTLS with the certificate the settings trust.
    let o = send(Some("p4ss 口令"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = server.received();
    assert_eq!(got.len(), 2, "{got:?}");
    for m in &got {
        assert_eq!(m["tls"], true, "{m}");
        assert_eq!(m["auth"], "reports", "{m}");
    }
    // A certificate nobody vouched for: the TLS failure is permanent, reported, nothing arrives.
    let ws2 = approved_workspace(&smtp(false));
    let w2 = ws2.path();
    let o = Command::new(BIN)
        .arg("--workspace")
        .arg(w2)
        .args(["--now", NOW_SEND, "distribute", "--period", "2026-10"])
        .env("TEST_SMTP_PASSWORD", "p4ss 口令")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        text(&o)
    );
    let rec = messages(w2);
    assert!(
        rec.iter()
            .all(|m| m.state == MessageState::Failed && m.attempts == 1),
        "{rec:?}"
    );
    assert_eq!(server.received().len(), 2);
}

/// What a hand-written server does with one connection.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Conduct {
    /// Close the connection after DATA's 354, halfway through the message.
    DropInData,
    /// Take the whole message and never answer it (hold the connection).
    NeverAnswer,
    /// A complete, well-behaved conversation.
    Serve,
}

/// A minimal SMTP server: each connection behaves as the next entry of
/// `plan`, then `Serve`. Keeps every message it accepted (answered 250).
struct Minimal {
    port: u16,
    accepted: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Set once a `NeverAnswer` connection has the whole message.
    holding: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Minimal {
    fn start(plan: Vec<Conduct>) -> Minimal {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let holding = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (acc, hold, st) = (accepted.clone(), holding.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            let started = Instant::now();
            // Bounded: the server stops by itself after two minutes.
            while !st.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(120) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let conduct = plan.get(n).copied().unwrap_or(Conduct::Serve);
                        n += 1;
                        let (acc, hold, st) = (acc.clone(), hold.clone(), st.clone());
                        std::thread::spawn(move || {
                            let _ = converse(s, conduct, &acc, &hold, &st);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Minimal {
            port,
            accepted,
            holding,
            stop,
        }
    }
    fn accepted(&self) -> usize {
        self.accepted.lock().unwrap().len()
    }
}

impl Drop for Minimal {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn converse(
    s: TcpStream,
    conduct: Conduct,
    accepted: &Mutex<Vec<Vec<u8>>>,
    holding: &AtomicBool,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    s.set_nonblocking(false)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut w = s.try_clone()?;
    let mut r = BufReader::new(s);
    w.write_all(b"220 minimal.test ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            w.write_all(b"250-minimal.test\r\n250 8BITMIME\r\n")?;
        } else if cmd.starts_with("MAIL")
            || cmd.starts_with("RCPT")
            || cmd.starts_with("RSET")
            || cmd.starts_with("NOOP")
        {
            w.write_all(b"250 OK\r\n")?;
        } else if cmd == "DATA" {
            w.write_all(b"354 go ahead\r\n")?;
            if conduct == Conduct::DropInData {
                let mut some = [0u8; 512];
                let _ = r.read(&mut some)?;
                return Ok(()); // dropped halfway through the message
            }
            let mut msg = Vec::new();
            loop {
                let mut l = Vec::new();
                if r.read_until(b'\n', &mut l)? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" {
                    break;
                }
                msg.extend_from_slice(&l);
            }
            if conduct == Conduct::NeverAnswer {
                holding.store(true, Ordering::Relaxed);
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return Ok(());
            }
            accepted.lock().unwrap().push(msg);
            w.write_all(b"250 2.0.0 queued\r\n")?;
        } else if cmd == "QUIT" {
            w.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            w.write_all(b"502 not implemented\r\n")?;
        }
    }
}

#[test]
fn a_connection_dropped_halfway_is_retried_and_a_dead_server_fails_boundedly() {
    // The first connection drops halfway; the retry goes through. One message per recipient.
    let server = Minimal::start(vec![Conduct::DropInData]);
    let ws = approved_workspace(&plain(server.port));
    let w = ws.path();
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("第 1 次尝试失败"),
        "{}",
        text(&o)
    );
    assert_eq!(server.accepted(), 2);
    let rec = messages(w);
    let it = rec.iter().find(|m| m.recipient == IT).unwrap();
    assert_eq!((it.state, it.attempts), (MessageState::Sent, 2));
    let desk = rec.iter().find(|m| m.recipient == DESK).unwrap();
    assert_eq!((desk.state, desk.attempts), (MessageState::Sent, 1));

    // Every connection drops: 1 + 3 retries each, then failed; exit 1; nothing recorded as sent.
    let dead = Minimal::start(vec![Conduct::DropInData; 100]);
    let ws = approved_workspace(&plain(dead.port));
    let w = ws.path();
    let t = Instant::now();
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "bounded: {:?}",
        t.elapsed()
    );
    let rec = messages(w);
    assert_eq!(rec.len(), 2);
    assert!(
        rec.iter()
            .all(|m| m.state == MessageState::Failed && m.attempts == 4),
        "{rec:?}"
    );
    assert_eq!(dead.accepted(), 0);
}

#[test]
fn an_outcome_unknown_counts_as_sent_until_resend() {
    // The server takes the first message and never answers; the process dies waiting.
    let server = Minimal::start(vec![Conduct::NeverAnswer]);
    let ws = approved_workspace(&plain(server.port));
    let w = ws.path();
    let mut child = Command::new(BIN)
        .arg("--workspace")
        .arg(w)
        .args(["--now", NOW_SEND, "distribute", "--period", "2026-10"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !server.holding.load(Ordering::Relaxed) {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the message never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let rec = messages(w);
    assert_eq!(rec.len(), 1, "{rec:?}");
    assert_eq!(rec[0].state, MessageState::Sending);
    // The next run shows it as sent (unknown), sends the other recipient, not this one again.
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "结果未知，按已发送计：SR-ACME-2026-10 V1.0 给 {}",
            rec[0].recipient
        )),
        "{out}"
    );
    assert_eq!(server.accepted(), 1);
    let o = distribute(w, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(server.accepted(), 1, "a re-run sends nothing");
    let row = status_row(w);
    assert_eq!(row["distributed"], "2026-11-06T09:00:00", "{row}");
    // --resend sends it (and the other one) again.
    let o = distribute(w, &["--resend"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(server.accepted(), 3);
}

#[test]
fn bad_settings_and_recipients_are_clear_errors() {
    let ws = demo();
    let w = ws.path();
    let settings = w.join("svcreport.toml");
    let base = std::fs::read_to_string(&settings).unwrap();
    // A password in the file is refused, naming the line.
    std::fs::write(
        &settings,
        format!("{base}\n[smtp]\nserver = \"x\"\nfrom = \"a@b.example\"\npassword = \"hunter2\"\n"),
    )
    .unwrap();
    let o = sv(w, NOW_SEND, &["distribute"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("svcreport.toml: line"), "{err}");
    assert!(err.contains("never read from a file"), "{err}");
    // No [smtp]: say how to configure it, or use --to-folder.
    std::fs::write(&settings, &base).unwrap();
    let o = sv(w, NOW_SEND, &["distribute"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--to-folder"),
        "{}",
        text(&o)
    );
    // A recipient that is not an address: the catalogue says which and where.
    let cat = w.join("catalogue.toml");
    let t = std::fs::read_to_string(&cat).unwrap().replacen(
        "\"it-director@acme.example\", \"service-desk@acme.example\"]\n\n[[report]]",
        "\"it-director at acme\", \"service-desk@acme.example\"]\n\n[[report]]",
        1,
    );
    std::fs::write(&cat, t).unwrap();
    let o = sv(w, NOW_SEND, &["distribute", "--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("catalogue.toml:"), "{err}");
    assert!(
        err.contains(
            "report \"acme-monthly\": recipient \"it-director at acme\" is not an e-mail address"
        ),
        "{err}"
    );
}

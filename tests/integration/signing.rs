//! Signed reviews and approvals: signatures made with the demo's keys verify
//! with OpenSSH alone (`ssh-keygen -Y verify`), keys of someone else, revoked,
//! public or unreadable keys are refused with nothing recorded, a passphrase
//! is asked on the terminal, ssh-agent signs where SSH_AUTH_SOCK is set,
//! unsigned approval only where the workspace allows it (marked 未签名), and
//! `verify`/`audit` say who signed, whether it holds, and what supersedes a
//! version.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{BIN, demo, have_tool, json, key, ok, run_tool, sv, text};
use svcreport::ledger::{Ledger, SignOff};
use svcreport::model::document::DocStatus;

const DOC: &str = "SR-ACME-2026-10";
const NOW_RUN: &str = "2026-11-03 10:00";
const NOW_REVIEW: &str = "2026-11-04 09:00";
const NOW_APPROVE: &str = "2026-11-05 16:00";

fn ledger(ws: &Path) -> Ledger {
    Ledger::open(ws).unwrap()
}

fn doc_dir(w: &Path) -> PathBuf {
    w.join(".svcreport/documents").join(DOC).join("v1.0")
}

fn run_month(w: &Path) {
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
}

fn review_and_approve(w: &Path) {
    ok(sv(
        w,
        NOW_REVIEW,
        &["review", DOC, "--key", &key(w, "liqiang")],
    ));
    ok(sv(
        w,
        NOW_APPROVE,
        &[
            "approve",
            DOC,
            "--key",
            &key(w, "zhangwei"),
            "--comment",
            "同意发布",
        ],
    ));
}

/// `ssh-keygen -Y verify` of an archived statement with the catalogue's allowed_signers.
fn ssh_keygen_verify(
    allowed: &Path,
    person: &str,
    statement: &Path,
    sig: &Path,
    time: &str,
) -> std::process::Output {
    let mut c = Command::new("ssh-keygen");
    c.args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", person, "-n", "svcreport-approval@v1", "-s"])
        .arg(sig)
        .arg(format!("-Overify-time={time}"))
        .stdin(std::fs::File::open(statement).unwrap());
    run_tool(&mut c)
}

#[test]
fn signatures_verify_with_openssh_alone() {
    let ws = demo();
    let w = ws.path();
    run_month(w);
    review_and_approve(w);
    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.status, DocStatus::Approved);
    assert_eq!(d.state.reviewed_how, Some(SignOff::Signed));
    assert_eq!(d.state.approved_how, Some(SignOff::Signed));
    let steps = l.read().reviews(d.id).unwrap();
    assert_eq!(steps.len(), 2);
    let approval = &steps[1];
    assert_eq!(approval.person_id.as_deref(), Some("zhangwei"));
    let sig = approval.signature.as_ref().expect("a signed approval");
    // The statement names the final files' hashes, as recorded.
    for f in l.read().files(d.id).unwrap() {
        if f.status == DocStatus::Approved {
            assert!(sig.statement.contains(&f.sha256), "{}", sig.statement);
        }
    }
    assert!(sig.statement.contains(&d.content_hash));
    // Archived beside the document, byte for byte the ledger's.
    let dir = doc_dir(w);
    let st = dir.join("SR-ACME-2026-10_2026-10_v1.0.approve.txt");
    assert_eq!(std::fs::read_to_string(&st).unwrap(), sig.statement);
    assert_eq!(
        std::fs::read_to_string(dir.join("SR-ACME-2026-10_2026-10_v1.0.approve.txt.sig")).unwrap(),
        sig.signature
    );
    // The allowed_signers file for OpenSSH.
    let allowed = w.join("allowed_signers");
    ok(sv(
        w,
        NOW_APPROVE,
        &["allowed-signers", "--out", allowed.to_str().unwrap()],
    ));
    let a = std::fs::read_to_string(&allowed).unwrap();
    assert!(
        a.contains("zhangwei namespaces=\"svcreport-approval@v1\",valid-after=\"20241231160000Z\",valid-before=\"20260630100000Z\" ssh-ed25519 "),
        "{a}"
    );
    if !have_tool("ssh-keygen") {
        return;
    }
    // 2026-11-05 16:00 in Shanghai is 08:00 UTC.
    for (step, person, time) in [
        ("approve", "zhangwei", "20261105080000Z"),
        ("review", "liqiang", "20261104010000Z"),
    ] {
        let st = dir.join(format!("SR-ACME-2026-10_2026-10_v1.0.{step}.txt"));
        let sig = dir.join(format!("SR-ACME-2026-10_2026-10_v1.0.{step}.txt.sig"));
        let o = ssh_keygen_verify(&allowed, person, &st, &sig, time);
        assert!(o.status.success(), "{step}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(&format!(
                "Good \"svcreport-approval@v1\" signature for {person}"
            )),
            "{}",
            text(&o)
        );
        // The same signature is not the reviewer's, and not over other bytes.
        let other = if person == "zhangwei" {
            "liqiang"
        } else {
            "zhangwei"
        };
        let o = ssh_keygen_verify(&allowed, other, &st, &sig, time);
        assert!(!o.status.success(), "{}", text(&o));
        let changed = w.join("changed.txt");
        let t = std::fs::read_to_string(&st)
            .unwrap()
            .replace("2026-10", "2026-09");
        std::fs::write(&changed, t).unwrap();
        let o = ssh_keygen_verify(&allowed, person, &changed, &sig, time);
        assert!(!o.status.success(), "{}", text(&o));
    }
}

/// A key revoked at 2026-06-30 18:00 (Shanghai): a signature claiming an
/// earlier time holds, a later one does not — for svcreport and for ssh-keygen alike.
#[test]
fn revocation_follows_openssh_valid_before() {
    let ws = demo();
    let w = ws.path();
    let env = svcreport::app::session::Env::load(w, Some(NOW_APPROVE)).unwrap();
    let old = svcreport::signing::load_key_file(&w.join("keys/zhangwei-2025"), &|_: &Path| {
        Err(std::io::ErrorKind::NotFound.into())
    })
    .unwrap();
    let signer = svcreport::signing::Signer::Key {
        key: old,
        path: w.join("keys/zhangwei-2025"),
    };
    let allowed = w.join("allowed_signers");
    std::fs::write(
        &allowed,
        svcreport::signing::allowed_signers(&env.cat, env.ws.timezone),
    )
    .unwrap();
    let tool = have_tool("ssh-keygen");
    for (local, holds) in [
        ("2026-06-30 17:59:59", true),
        ("2026-06-30 18:00:00", true),
        ("2026-06-30 18:00:01", false),
        ("2024-12-31 23:59:59", false),
    ] {
        let st = svcreport::signing::Statement {
            step: svcreport::ledger::Step::Approve,
            person: "zhangwei".into(),
            name: "张伟".into(),
            doc_number: DOC.into(),
            version: svcreport::ledger::DocVersion::FIRST,
            period: "2026-10".into(),
            content_hash: "ab".repeat(32),
            files: vec![],
            at: svcreport::signing::with_offset(
                chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").unwrap(),
                env.ws.timezone,
            ),
            comment: None,
        };
        let bytes = st.to_bytes();
        let sig = signer.sign(&bytes).unwrap();
        let ours = svcreport::signing::verify(&env.cat, &bytes, &sig);
        assert_eq!(ours.is_ok(), holds, "{local}: {ours:?}");
        if !holds {
            let e = ours.unwrap_err().to_string();
            assert!(e.contains("is not valid at the signature's time"), "{e}");
        }
        if tool {
            let sp = w.join("st.txt");
            let sigp = w.join("st.txt.sig");
            std::fs::write(&sp, &bytes).unwrap();
            std::fs::write(&sigp, &sig).unwrap();
            let o = ssh_keygen_verify(&allowed, "zhangwei", &sp, &sigp, &st.verify_time_arg());
            assert_eq!(o.status.success(), holds, "{local}: {}", text(&o));
        }
    }
}

/// Every refusal says what and where, exits 1, and leaves the ledger and the archive as they were.
#[test]
fn bad_keys_are_refused_and_nothing_is_recorded() {
    let ws = demo();
    let w = ws.path();
    run_month(w);
    let stranger = w.join("stranger");
    let kp = ssh_key::private::Ed25519Keypair::from_seed(&[7u8; 32]);
    let pk = ssh_key::PrivateKey::new(kp.into(), "stranger@example").unwrap();
    std::fs::write(
        &stranger,
        pk.to_openssh(ssh_key::LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let junk = w.join("junk.key");
    std::fs::write(&junk, "this is not a key\n").unwrap();
    let rsa = w.join("rsa.key");
    std::fs::write(
        &rsa,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    let pubkey = key(w, "liqiang.pub");
    let cases: Vec<(&str, Vec<String>, &str, Vec<&str>)> = vec![
        (
            NOW_REVIEW,
            vec![
                "review".into(),
                DOC.into(),
                "--key".into(),
                key(w, "zhangwei"),
            ],
            "someone else's key",
            vec![
                "张伟 (zhangwei)'s key",
                "李强 (liqiang) as the reviewer",
                "nothing was recorded",
            ],
        ),
        (
            NOW_REVIEW,
            vec![
                "review".into(),
                DOC.into(),
                "--key".into(),
                stranger.to_string_lossy().into(),
            ],
            "an unknown key",
            vec!["is not listed for anyone in the catalogue", "SHA256:"],
        ),
        (
            NOW_REVIEW,
            vec!["review".into(), DOC.into(), "--key".into(), pubkey.clone()],
            "a key without its private part",
            vec!["liqiang.pub is a public key", "private key file"],
        ),
        (
            NOW_REVIEW,
            vec![
                "review".into(),
                DOC.into(),
                "--key".into(),
                junk.to_string_lossy().into(),
            ],
            "an unknown key format",
            vec!["junk.key is not an OpenSSH private key"],
        ),
        (
            NOW_REVIEW,
            vec![
                "review".into(),
                DOC.into(),
                "--key".into(),
                rsa.to_string_lossy().into(),
            ],
            "a PEM key",
            vec!["rsa.key is not an OpenSSH private key", "PEM/PKCS"],
        ),
        (
            NOW_REVIEW,
            vec![
                "review".into(),
                DOC.into(),
                "--key".into(),
                w.join("nope").to_string_lossy().into(),
            ],
            "a missing file",
            vec!["nope: cannot read the key"],
        ),
        (
            NOW_REVIEW,
            vec!["review".into(), DOC.into(), "--name".into(), "李强".into()],
            "a name where signatures are required",
            vec!["must sign", "--key PATH", "approval = \"signed\""],
        ),
    ];
    for (now, args, what, needles) in &cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = Command::new(BIN)
            .arg("--workspace")
            .arg(w)
            .args(["--now", now])
            .args(&a)
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("SOURCE_DATE_EPOCH")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        for n in needles {
            assert!(err.contains(n), "{what}: missing {n:?} in {err}");
        }
    }
    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.status, DocStatus::Draft);
    assert!(l.read().reviews(d.id).unwrap().is_empty());
    assert!(!doc_dir(w).exists(), "nothing archived");
    // A revoked key of the right person: refused too.
    ok(sv(
        w,
        NOW_REVIEW,
        &["review", DOC, "--key", &key(w, "liqiang")],
    ));
    let o = sv(
        w,
        NOW_APPROVE,
        &["approve", DOC, "--key", &key(w, "zhangwei-2025")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is not valid at 2026-11-05 16:00:00"), "{err}");
    assert!(err.contains("revoked at 2026-06-30 18:00:00"), "{err}");
    let d = ledger(w).read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.status, DocStatus::Reviewed);
    assert!(
        !w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.pdf")
            .exists()
    );
}

/// An encrypted key asks for its passphrase on the terminal (here a pseudo-terminal made by
/// `script`); without a terminal the refusal says so.
#[test]
fn a_passphrase_is_asked_on_the_terminal() {
    if !have_tool("ssh-keygen") || !have_tool("script") || !have_tool("setsid") {
        return;
    }
    let ws = demo();
    let w = ws.path();
    run_month(w);
    let k = w.join("liqiang-locked");
    std::fs::copy(w.join("keys/liqiang"), &k).unwrap();
    // A fresh checkout has the demo keys 0644; ssh-keygen refuses a key others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let o = run_tool(
        Command::new("ssh-keygen")
            .args(["-q", "-p", "-P", "", "-N", "s3cret 口令", "-f"])
            .arg(&k),
    );
    assert!(o.status.success(), "{}", text(&o));
    let cmd = |pass: &str| {
        let line = format!(
            "{BIN} --workspace '{}' --now '{NOW_REVIEW}' review {DOC} --key '{}'",
            w.display(),
            k.display()
        );
        let mut c = Command::new("script");
        c.args(["-qec", &line, "/dev/null"])
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::{Read, Write};
        // Type the passphrase only once the prompt is there (echo is off by then), as a person would.
        let mut out = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(&seen).contains("Enter passphrase for") {
            let n = out.read(&mut buf).unwrap();
            assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
        // rpassword turns echo off right after writing the prompt: leave it that instant.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{pass}\n").as_bytes()).unwrap();
        out.read_to_end(&mut seen).unwrap();
        drop(stdin);
        let mut o = child.wait_with_output().unwrap();
        o.stdout = seen;
        o
    };
    // No terminal at all: refused, and why.
    let o = run_tool(
        Command::new("setsid")
            .arg(BIN)
            .arg("--workspace")
            .arg(w)
            .args(["--now", NOW_REVIEW, "review", DOC, "--key"])
            .arg(&k)
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::null()),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no terminal to ask for it"),
        "{}",
        text(&o)
    );
    let o = cmd("wrong");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("Enter passphrase for"), "{}", text(&o));
    assert!(out.contains("wrong passphrase"), "{}", text(&o));
    assert_eq!(
        ledger(w).read().latest(DOC).unwrap().unwrap().state.status,
        DocStatus::Draft
    );
    let o = cmd("s3cret 口令");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("V1.0 已由 李强 (liqiang) 于 2026-11-04 09:00 审核（已审核）"),
        "{}",
        text(&o)
    );
    assert!(
        !out.contains("s3cret"),
        "the passphrase is not echoed: {out}"
    );
    let d = ledger(w).read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.reviewed_how, Some(SignOff::Signed));
}

/// Without --key, ssh-agent signs where SSH_AUTH_SOCK is set (OpenSSH's own agent).
#[test]
fn ssh_agent_signs_where_ssh_auth_sock_is_set() {
    if !have_tool("ssh-agent") || !have_tool("ssh-add") {
        return;
    }
    let ws = demo();
    let w = ws.path();
    run_month(w);
    let sock = w.join("agent.sock");
    let agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&sock)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(agent);
    for _ in 0..250 {
        if sock.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let with_agent = |now: &str, args: &[&str]| {
        Command::new(BIN)
            .arg("--workspace")
            .arg(w)
            .args(["--now", now])
            .args(args)
            .env("SSH_AUTH_SOCK", &sock)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap()
    };
    // The agent holds no key of 李强 yet.
    let o = with_agent(NOW_REVIEW, &["review", DOC]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("holds no key of 李强 (liqiang)"),
        "{}",
        text(&o)
    );
    let k = w.join("keys/liqiang");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let o = run_tool(Command::new("ssh-add").arg(&k).env("SSH_AUTH_SOCK", &sock));
    assert!(o.status.success(), "{}", text(&o));
    let o = with_agent(
        NOW_REVIEW,
        &["review", DOC, "--comment", "经 ssh-agent 签名"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("ssh-agent ("),
        "{}",
        text(&o)
    );
    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    let r = l.read().reviews(d.id).unwrap();
    assert_eq!(r[0].how, SignOff::Signed);
    // And it verifies like any other signature.
    let v = json(&sv(
        w,
        NOW_REVIEW,
        &[
            "--format",
            "json",
            "verify",
            w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf")
                .to_str()
                .unwrap(),
        ],
    ));
    assert_eq!(v["matches"][0]["steps"][0]["valid"], true, "{v}");
}

/// Where the workspace says `approval = "name"`, an approval by name is possible and marked
/// 未签名 on the document (PDF Info, xlsx properties, status label) and in `status`; the content
/// hash does not change.
#[test]
fn unsigned_approval_only_where_allowed_and_marked() {
    let ws = demo();
    let w = ws.path();
    run_month(w);
    // Signed mode (the demo's): a name alone is refused (see above); with approval = "name":
    let settings = w.join("svcreport.toml");
    let t = std::fs::read_to_string(&settings)
        .unwrap()
        .replace("approval = \"signed\"", "approval = \"name\"");
    std::fs::write(&settings, t).unwrap();
    ok(sv(
        w,
        NOW_REVIEW,
        &["review", DOC, "--key", &key(w, "liqiang")],
    ));
    let o = sv(w, NOW_APPROVE, &["approve", DOC, "--name", "李强"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = ok(sv(w, NOW_APPROVE, &["approve", DOC, "--name", "zhangwei"]));
    assert!(out.contains("未签名：按姓名记录"), "{out}");
    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.approved_how, Some(SignOff::Unsigned));
    let pdf = std::fs::read(w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.pdf")).unwrap();
    assert_eq!(
        svcreport::render::pdf::read_custom_info(&pdf, "Signature").as_deref(),
        Some("unsigned")
    );
    let xlsx = std::fs::read(w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.xlsx")).unwrap();
    let props = svcreport::render::xlsx::read_custom_properties(&xlsx).unwrap();
    assert!(
        props
            .iter()
            .any(|(n, v)| n == "状态" && v == "已批准（未签名）"),
        "{props:?}"
    );
    let st = ok(sv(w, NOW_APPROVE, &["status", "--period", "2026-10"]));
    assert!(st.contains("批准 2026-11-05 16:00:00（未签名）"), "{st}");
    let v = ok(sv(
        w,
        NOW_APPROVE,
        &[
            "verify",
            w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.pdf")
                .to_str()
                .unwrap(),
        ],
    ));
    assert!(
        v.contains("张伟 (zhangwei) 于 2026-11-05 16:00 批准：未签名"),
        "{v}"
    );
    assert!(
        v.contains("李强 (liqiang) 于 2026-11-04 09:00 审核：签名有效"),
        "{v}"
    );
    // The audit recomputes the very same bytes (the mark comes from the ledger).
    let a = ok(sv(w, "2026-12-01 10:00", &["audit", DOC]));
    assert!(a.contains("一致"), "{a}");
}

/// A workspace written before people had ids (the report list names people, no [[person]])
/// keeps working: review and approval by name, unsigned.
#[test]
fn a_catalogue_without_people_approves_by_name() {
    let ws = demo();
    let w = ws.path();
    let cat = w.join("catalogue.toml");
    let t = std::fs::read_to_string(&cat).unwrap();
    let start = t
        .find("# ================================================================ people")
        .unwrap();
    let end = t
        .find("# ================================================================ report list")
        .unwrap();
    let mut t = format!("{}{}", &t[..start], &t[end..]);
    for (id, name) in [
        ("wangmin", "王敏"),
        ("chenjing", "陈静"),
        ("liqiang", "李强"),
        ("liuyang", "刘洋"),
        ("zhangwei", "张伟"),
    ] {
        t = t.replace(&format!("= \"{id}\""), &format!("= \"{name}\""));
    }
    std::fs::write(&cat, t).unwrap();
    run_month(w);
    let o = sv(w, NOW_REVIEW, &["review", DOC, "--key", &key(w, "liqiang")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("lists no [[person]]"),
        "{}",
        text(&o)
    );
    ok(sv(w, NOW_REVIEW, &["review", DOC, "--name", "李强"]));
    ok(sv(w, NOW_APPROVE, &["approve", DOC, "--name", "张伟"]));
    let d = ledger(w).read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.approved_by.as_deref(), Some("张伟"));
    assert_eq!(d.state.approved_how, Some(SignOff::Unsigned));
}

/// `verify` names the supersession of an approved version, a tampered copy's claimed
/// identity, and a signature over other bytes; `audit` fails on the latter.
#[test]
fn verify_and_audit_say_everything_they_know() {
    let ws = demo();
    let w = ws.path();
    run_month(w);
    review_and_approve(w);
    let v1 = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.pdf");
    let v = ok(sv(w, NOW_APPROVE, &["verify", v1.to_str().unwrap()]));
    assert!(
        v.contains("与 SR-ACME-2026-10 V1.0（已批准 approved，pdf 版）一致"),
        "{v}"
    );
    assert!(
        v.contains("张伟 (zhangwei) 于 2026-11-05 16:00 批准：签名有效，密钥 SHA256:"),
        "{v}"
    );
    assert!(v.contains("这是 SR-ACME-2026-10 的最新版本"), "{v}");

    // A tampered copy: no match, but what it claims to be and that the bytes differ.
    let mut bytes = std::fs::read(&v1).unwrap();
    let mid = bytes.len() / 3;
    bytes[mid] ^= 0x20;
    let bad = w.join("tampered.pdf");
    std::fs::write(&bad, &bytes).unwrap();
    let o = sv(w, NOW_APPROVE, &["verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("不一致（no match）"), "{out}");
    assert!(
        out.contains("其元数据自称是 SR-ACME-2026-10 V1.0（状态 approved"),
        "{out}"
    );
    assert!(out.contains("台账为该版本记录的是另外的字节"), "{out}");
    let mut x = std::fs::read(w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.xlsx")).unwrap();
    x.extend_from_slice(b"\n");
    let badx = w.join("tampered.xlsx");
    std::fs::write(&badx, &x).unwrap();
    let j = json(&sv(
        w,
        NOW_APPROVE,
        &["--format", "json", "verify", badx.to_str().unwrap()],
    ));
    assert_eq!(j["claims"]["doc_number"], DOC, "{j}");
    assert_eq!(j["claims"]["version"], "1.0", "{j}");
    assert_eq!(j["claims"]["known_version"], true, "{j}");
    assert!(j["matches"].as_array().unwrap().is_empty());

    // A correction after approval: V2.0 supersedes V1.0, and verify says so.
    let inbox = w.join("inbox/2026-10");
    let f = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("incident"))
        .expect("an incidents workbook");
    // Without October's incidents the figures change: re-issued, V2.0.
    std::fs::remove_file(&f).unwrap();
    let o = sv(
        w,
        "2026-11-07 10:00",
        &["run", "--period", "2026-10", "--reissue"],
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let l = ledger(w);
    let latest = l.read().latest(DOC).unwrap().unwrap();
    assert_eq!(latest.state.version.to_string(), "2.0");
    let v = ok(sv(w, "2026-11-07 10:00", &["verify", v1.to_str().unwrap()]));
    assert!(
        v.contains("已被取代：存在更新的版本 V2.0（草稿），尚未批准"),
        "{v}"
    );

    // A signature over other bytes (the ledger's statement changed after signing).
    let d1 = l
        .read()
        .versions(DOC)
        .unwrap()
        .into_iter()
        .find(|d| d.state.version.to_string() == "1.0")
        .unwrap();
    drop(l);
    let conn = rusqlite_open(w);
    conn.execute(
        "UPDATE reviews SET statement = replace(statement, '同意发布', '不同意') WHERE doc_id = ?1 AND step = 'approve'",
        [d1.id],
    )
    .unwrap();
    drop(conn);
    let o = sv(w, "2026-11-07 10:00", &["verify", v1.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("签名无效：the signature does not verify over the statement"),
        "{out}"
    );
    let o = sv(
        w,
        "2026-12-01 10:00",
        &["--format", "json", "audit", "SR-ACME-2026-10@1.0"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let a = json(&o);
    assert_eq!(a["matches"], false);
    assert!(
        a["differences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "signature_invalid"
                && d["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("approve signature of zhangwei does not hold")),
        "{a}"
    );
    assert_eq!(a["later_versions"][0]["version"], "2.0", "{a}");
}

fn rusqlite_open(w: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(w.join(".svcreport/ledger.sqlite")).unwrap()
}

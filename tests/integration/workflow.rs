//! Integration tests: the monthly batch and the document workflow, end to end
//! through the binary on a temporary copy of `samples/demo` with `--now` fixed:
//! run → review → approve → distribute → status → verify → audit, version
//! bumps, write-once approved files, path traversal in recipients, a second
//! run at the same time, and runs killed at random points.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{BIN, demo, key, ok, sv, text};

use svcreport::archive::{Archive, ArchiveError, sha256_file};
use svcreport::ledger::{DocVersion, Ledger};
use svcreport::report::DocStatus;

const NOW_RUN: &str = "2026-11-03 10:00";
const NOW_REVIEW: &str = "2026-11-04 09:30";
const NOW_APPROVE: &str = "2026-11-05 16:00";
const NOW_SEND: &str = "2026-11-06 09:00";

fn ledger(ws: &Path) -> Ledger {
    Ledger::open(ws).unwrap()
}

/// Every file under `dir` (relative, sorted), temporaries included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    fn walk(base: &Path, d: &Path, v: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, v);
            } else {
                v.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    walk(dir, dir, &mut v);
    v.sort();
    v
}

const DOC: &str = "SR-ACME-2026-10";

#[test]
fn month_end_to_end() {
    let ws = demo();
    let w = ws.path();
    let out = ok(sv(w, NOW_RUN, &["run", "--period", "2026-10"]));
    assert!(out.contains(DOC), "{out}");
    let pdf = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf");
    let xlsx = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.xlsx");
    assert!(pdf.is_file() && xlsx.is_file(), "{out}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    assert_eq!(
        (d.state.version, d.state.status),
        (DocVersion::FIRST, DocStatus::Draft)
    );
    assert_eq!(d.created.to_string(), "2026-11-03 10:00:00");
    // Every input is recorded with its hash, and archived.
    let inputs = l.read().inputs().unwrap();
    assert!(!inputs.is_empty());
    let arch = Archive::new(w);
    for i in &inputs {
        assert_eq!(i.first_seen.to_string(), "2026-11-03 10:00:00");
        assert_eq!(
            i.rows_read,
            i.rows_accepted + i.rows_rejected + i.rows_blank,
            "{}",
            i.path
        );
        let (sha, _) = sha256_file(&w.join(&i.path)).unwrap();
        assert_eq!(sha, i.sha256);
        assert_eq!(arch.load(&i.sha256).unwrap().len() as u64, i.size);
    }
    assert!(
        l.results_for(&svcreport::model::period::Period::parse("2026-10").unwrap())
            .unwrap()
            .is_some()
    );
    drop(l);

    // Distribute refuses drafts.
    let o = sv(
        w,
        NOW_SEND,
        &["distribute", "--to-folder", "--period", "2026-10"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not approved"),
        "{}",
        text(&o)
    );
    assert!(files_under(&w.join("outbox")).is_empty());

    // Approval needs a review, by the people the report list names.
    let o = sv(
        w,
        NOW_APPROVE,
        &["approve", DOC, "--key", &key(w, "zhangwei")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("review"),
        "{}",
        text(&o)
    );
    // Someone else's key is refused (exit 1), naming who the report list wants.
    let o = sv(
        w,
        NOW_REVIEW,
        &["review", DOC, "--key", &key(w, "zhangwei")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("李强"),
        "{}",
        text(&o)
    );
    ok(sv(
        w,
        NOW_REVIEW,
        &[
            "review",
            DOC,
            "--key",
            &key(w, "liqiang"),
            "--comment",
            "数据已核对",
        ],
    ));
    let reviewed_pdf = std::fs::read(&pdf).unwrap();
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

    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    assert_eq!(d.state.status, DocStatus::Approved);
    assert_eq!(d.state.approved_by.as_deref(), Some("张伟"));
    assert_eq!(
        d.state.approved_at.map(|t| t.to_string()).as_deref(),
        Some("2026-11-05 16:00:00")
    );
    assert_eq!(
        d.state.reviewed_at.map(|t| t.to_string()).as_deref(),
        Some("2026-11-04 09:30:00")
    );
    let steps = l.read().reviews(d.id).unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (steps[0].role.as_str(), steps[1].role.as_str()),
        ("reviewer", "approver")
    );
    assert_eq!(steps[1].comment.as_deref(), Some("同意发布"));
    let approved: Vec<_> = l
        .read()
        .files(d.id)
        .unwrap()
        .into_iter()
        .filter(|f| f.status == DocStatus::Approved)
        .collect();
    assert_eq!(approved.len(), 2, "pdf and xlsx");
    for f in &approved {
        assert!(
            f.path
                .starts_with(".svcreport/documents/SR-ACME-2026-10/v1.0/"),
            "{}",
            f.path
        );
        assert_eq!(sha256_file(&w.join(&f.path)).unwrap().0, f.sha256);
    }
    let final_pdf = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.pdf");
    let final_bytes = std::fs::read(&final_pdf).unwrap();
    assert_ne!(
        final_bytes, reviewed_pdf,
        "the approved edition differs from the draft"
    );
    drop(l);

    // Approving twice is an error; an approved file is never overwritten.
    let o = sv(
        w,
        NOW_APPROVE,
        &["approve", DOC, "--key", &key(w, "zhangwei")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("approved already"),
        "{}",
        text(&o)
    );
    let e = Archive::new(w)
        .keep_approved(DOC, "1.0", "SR-ACME-2026-10_2026-10_v1.0.pdf", b"tampered")
        .unwrap_err();
    assert!(matches!(e, ArchiveError::ApprovedExists { .. }), "{e}");
    assert_eq!(std::fs::read(&final_pdf).unwrap(), final_bytes);

    // Distribution: only the approved document, to each recipient.
    let sent = ok(sv(
        w,
        NOW_SEND,
        &["distribute", "--to-folder", "--period", "2026-10"],
    ));
    assert!(sent.contains("it-director@acme.example"), "{sent}");
    let copy = w.join("outbox/it-director@acme.example/SR-ACME-2026-10_2026-10_v1.0.pdf");
    assert_eq!(std::fs::read(&copy).unwrap(), final_bytes);
    assert!(
        files_under(&w.join("outbox"))
            .iter()
            .all(|p| !p.to_string_lossy().contains("draft"))
    );
    // Distributing again sends nothing new.
    let again = ok(sv(
        w,
        NOW_SEND,
        &["distribute", "--to-folder", "--period", "2026-10"],
    ));
    assert!(again.contains("此前已分发"), "{again}");

    // Status: dates and states from the ledger.
    let js = ok(sv(
        w,
        NOW_SEND,
        &["--format", "json", "status", "--period", "2026-10"],
    ));
    let rows: serde_json::Value = serde_json::from_str(&js).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["doc_number"] == DOC)
        .unwrap_or_else(|| panic!("{js}"));
    assert_eq!(row["report_due"], "2026-11-10");
    assert_eq!(row["data_due"], "2026-11-03");
    assert_eq!(row["data_arrived"], "2026-11-03T10:00:00");
    assert_eq!(row["generated"], "2026-11-03T10:00:00");
    assert_eq!(row["approved"], "2026-11-05T16:00:00");
    assert_eq!(row["distributed"], "2026-11-06T09:00:00");
    assert_eq!(row["state"], "on_time");
    // Reports of the period not yet approved are at risk four days before their due date.
    let other = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["doc_number"] == "SR-HX-2026-10")
        .unwrap();
    assert_eq!(other["state"], "at_risk", "{js}");

    // Verify: the approved file, a distributed copy, the draft, and a stranger.
    let v = ok(sv(w, NOW_SEND, &["verify", final_pdf.to_str().unwrap()]));
    assert!(
        v.contains("SR-ACME-2026-10 V1.0") && v.contains("approved"),
        "{v}"
    );
    let v = ok(sv(w, NOW_SEND, &["verify", copy.to_str().unwrap()]));
    assert!(v.contains("V1.0"), "{v}");
    let stranger = w.join("stranger.pdf");
    std::fs::write(&stranger, b"%PDF-1.7 not ours").unwrap();
    let o = sv(w, NOW_SEND, &["verify", stranger.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no match"));

    // Audit recomputes from the archive even after the inbox is emptied.
    std::fs::remove_dir_all(w.join("inbox")).unwrap();
    let a = ok(sv(w, "2026-12-01 10:00", &["audit", DOC]));
    assert!(a.contains("一致"), "{a}");
    // ...and notices a tampered approved file.
    let kept = w.join(".svcreport/documents/SR-ACME-2026-10/v1.0/SR-ACME-2026-10_2026-10_v1.0.pdf");
    let mut perm = std::fs::metadata(&kept).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)] // the test plays the tamperer
    perm.set_readonly(false);
    std::fs::set_permissions(&kept, perm).unwrap();
    std::fs::write(&kept, b"%PDF tampered").unwrap();
    let o = sv(w, "2026-12-01 10:00", &["audit", DOC]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("磁盘上的文件已被改动"),
        "{}",
        text(&o)
    );
}

/// Same inputs and the same `--now` at every step: byte-identical approved files.
#[test]
fn approved_files_are_reproducible() {
    let mut hashes = Vec::new();
    for _ in 0..2 {
        let ws = demo();
        let w = ws.path();
        ok(sv(
            w,
            NOW_RUN,
            &["render", "--period", "2026-10", "--report", "acme-monthly"],
        ));
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
        let mut h = Vec::new();
        for ext in ["pdf", "xlsx"] {
            let p = w.join(format!("out/2026-10/SR-ACME-2026-10_2026-10_v1.0.{ext}"));
            h.push(sha256_file(&p).unwrap().0);
        }
        hashes.push(h);
    }
    assert_eq!(hashes[0], hashes[1]);
}

#[test]
fn versions_bump_on_change_and_after_approval() {
    let ws = demo();
    let w = ws.path();
    ok(sv(
        w,
        NOW_RUN,
        &["render", "--period", "2026-10", "--report", "acme-monthly"],
    ));
    // Unchanged content: same version, nothing rewritten.
    let o = ok(sv(
        w,
        "2026-11-03 11:00",
        &["render", "--period", "2026-10", "--report", "acme-monthly"],
    ));
    assert!(o.contains("V1.0") && o.contains("（未变）"), "{o}");
    // A missing file is regenerated identically (the version's own time).
    let pdf = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf");
    let before = std::fs::read(&pdf).unwrap();
    std::fs::remove_file(&pdf).unwrap();
    ok(sv(
        w,
        "2026-11-03 12:00",
        &["render", "--period", "2026-10", "--report", "acme-monthly"],
    ));
    assert_eq!(std::fs::read(&pdf).unwrap(), before);

    // Changed input: next minor version.
    let october: Vec<PathBuf> = files_under(&w.join("inbox/2026-10"));
    assert!(october.len() >= 2, "{october:?}");
    let dropped = october
        .iter()
        .find(|p| p.to_string_lossy().contains("incident"))
        .unwrap_or(&october[0]);
    std::fs::remove_file(w.join("inbox/2026-10").join(dropped)).unwrap();
    let o = ok(sv(
        w,
        "2026-11-04 10:00",
        &["render", "--period", "2026-10", "--report", "acme-monthly"],
    ));
    assert!(o.contains("V1.1"), "{o}");
    assert!(
        w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.1_draft.xlsx")
            .is_file()
    );
    let l = ledger(w);
    let v = l.read().versions(DOC).unwrap();
    assert_eq!(
        v.iter()
            .map(|d| d.state.version.to_string())
            .collect::<Vec<_>>(),
        ["1.0", "1.1"]
    );
    assert_ne!(v[0].content_hash, v[1].content_hash);
    drop(l);

    // Approve 1.1. A later change leaves the approved month alone (its figures are final);
    // `--reissue` makes 2.0, superseding 1.1; 1.1 stays approved.
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
    let approved = std::fs::read(w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.1.pdf")).unwrap();
    let left = files_under(&w.join("inbox/2026-10"));
    std::fs::remove_file(w.join("inbox/2026-10").join(&left[0])).unwrap();
    let o = ok(sv(
        w,
        "2026-11-07 10:00",
        &["render", "--period", "2026-10", "--report", "acme-monthly"],
    ));
    assert!(o.contains("V1.1 已批准"), "{o}");
    assert_eq!(ledger(w).read().versions(DOC).unwrap().len(), 2);
    let o = sv(
        w,
        "2026-11-07 10:00",
        &["run", "--period", "2026-10", "--reissue"],
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let o = text(&o);
    assert!(o.contains("V2.0") && o.contains("取代 V1.1"), "{o}");
    let l = ledger(w);
    let v = l.read().versions(DOC).unwrap();
    let last = v.last().unwrap();
    assert_eq!(last.state.version, DocVersion { major: 2, minor: 0 });
    assert_eq!(
        last.state.supersedes,
        Some(DocVersion { major: 1, minor: 1 })
    );
    assert_eq!(last.state.status, DocStatus::Draft);
    assert_eq!(v[1].state.status, DocStatus::Approved);
    assert_eq!(
        std::fs::read(w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.1.pdf")).unwrap(),
        approved
    );
    // The approved 1.1 still audits clean from the archive.
    drop(l);
    let a = ok(sv(w, "2026-11-08 10:00", &["audit", "SR-ACME-2026-10@1.1"]));
    assert!(a.contains("一致"), "{a}");
}

#[test]
fn recipients_cannot_escape_the_outbox() {
    let ws = demo();
    let w = ws.path();
    let cat = w.join("catalogue.toml");
    let text = std::fs::read_to_string(&cat).unwrap();
    let evil = text;
    // Traversal strings are no e-mail addresses: the catalogue refuses them, naming where.
    let marker = "doc_number = \"SR-ACME-{period}\"";
    assert!(evil.contains(marker), "sample catalogue changed shape");
    let at = evil.find(marker).unwrap();
    let rec = evil[at..].find("recipients = [").unwrap() + at + "recipients = [".len();
    let with = |extra: &str| format!("{}{extra}{}", &evil[..rec], &evil[rec..]);
    std::fs::write(
        &cat,
        with("\"../../../evil@example.com\", \"..\\\\win@example.com\", "),
    )
    .unwrap();
    let o = sv(w, NOW_RUN, &["check"]);
    assert_eq!(o.status.code(), Some(2), "{}", crate::support::text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("recipient \"../../../evil@example.com\" is not an e-mail address"),
        "{err}"
    );
    assert!(err.contains("catalogue.toml:"), "{err}");
    // Addresses that are valid but look like paths reach distribution's own sanitising.
    std::fs::write(&cat, with("\"/evil@example.com\", \"a/b@example.com\", ")).unwrap();
    ok(sv(
        w,
        NOW_RUN,
        &[
            "render",
            "--period",
            "2026-10",
            "--report",
            "acme-monthly",
            "--as",
            "pdf",
        ],
    ));
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
    ok(sv(w, NOW_SEND, &["distribute", "--to-folder"]));
    let outbox = w.join("outbox");
    let sent = files_under(&outbox);
    let top = |p: &std::path::PathBuf| {
        p.components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
    };
    for name in ["evil@example.com", "b@example.com"] {
        assert!(
            sent.iter()
                .any(|p| top(p).is_some_and(|t| t.ends_with(name) && !t.contains('/'))),
            "{sent:?}"
        );
    }
    assert!(!std::path::Path::new("/evil@example.com").exists());
    assert!(!w.parent().unwrap().join("evil").exists());
    assert!(!w.join("evil").exists());
    for p in &sent {
        assert_eq!(p.components().count(), 2, "{p:?}");
    }
    let l = ledger(w);
    let d = l.read().latest(DOC).unwrap().unwrap();
    let recorded = l.read().distributions(d.id).unwrap();
    assert!(recorded.iter().any(|r| r.recipient == "/evil@example.com"
        && r.path.starts_with("outbox/")
        && r.path.matches('/').count() == 2));
}

#[test]
fn two_runs_at_once_serialise() {
    let ws = demo();
    let w = ws.path();
    let spawn = || {
        Command::new(BIN)
            .arg("--workspace")
            .arg(w)
            .args([
                "--now",
                NOW_RUN,
                "render",
                "--period",
                "2026-10",
                "--report",
                "huaxin-monthly",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    ok(a.clone());
    ok(b.clone());
    let l = ledger(w);
    assert_eq!(l.integrity_check().unwrap(), "ok");
    assert_eq!(l.read().runs().unwrap().len(), 2);
    let v = l.read().versions("SR-HX-2026-10").unwrap();
    assert_eq!(v.len(), 1, "one version, the second run found it unchanged");
    let both = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    assert!(both.contains("（未变）"), "{both}");
}

/// Kill runs at random points (seeded), then check that the ledger is sound,
/// every recorded document has its files, and no partial file is published.
#[test]
fn killed_runs_leave_no_damage() {
    let ws = demo();
    let w = ws.path();
    // How long a whole run takes here, to spread the kill points over it.
    let t0 = std::time::Instant::now();
    ok(sv(w, NOW_RUN, &["run", "--period", "2026-10", "-q"]));
    let full = t0.elapsed().as_millis().max(50) as u64;
    std::fs::remove_dir_all(w.join(".svcreport")).unwrap();
    std::fs::remove_dir_all(w.join("out")).unwrap();
    let mut seed: u64 = 0x5eed_2026_1103;
    for i in 0..6u64 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = seed % (full + full / 4);
        let now = format!("2026-11-03 1{}:00", i);
        let mut child = Command::new(BIN)
            .arg("--workspace")
            .arg(w)
            .args(["--now", &now, "run", "--period", "2026-10", "-q"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(at));
        let _ = child.kill();
        let _ = child.wait();
        check_consistent(w);
    }
    // A normal run afterwards completes and sweeps what the killed ones left.
    ok(sv(
        w,
        "2026-11-03 18:00",
        &["run", "--period", "2026-10", "-q"],
    ));
    check_consistent(w);
    assert!(
        files_under(&w.join("out")).iter().all(|p| !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with(".tmp")),
        "temporaries swept"
    );
}

fn check_consistent(w: &Path) {
    if !w.join(".svcreport/ledger.sqlite").exists() {
        return;
    }
    let l = ledger(w);
    assert_eq!(l.integrity_check().unwrap(), "ok");
    for d in l.read().all_documents().unwrap() {
        for f in l.read().files(d.id).unwrap() {
            let (sha, _) = sha256_file(&w.join(&f.path))
                .unwrap_or_else(|e| panic!("{} V{}: {e}", d.doc_number, d.state.version));
            assert_eq!(sha, f.sha256, "{}", f.path);
        }
    }
    // Published names only ever hold whole files.
    for p in files_under(&w.join("out")) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".tmp") {
            continue; // a hidden temporary, swept by the next run
        }
        let bytes = std::fs::read(w.join("out").join(&p)).unwrap();
        if name.ends_with(".pdf") {
            let tail =
                String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(64)..]).into_owned();
            assert!(tail.contains("%%EOF"), "{p:?} is cut short");
        } else if name.ends_with(".xlsx") {
            let r = zip::ZipArchive::new(std::io::Cursor::new(bytes));
            assert!(r.is_ok(), "{p:?} is not a whole xlsx");
        }
    }
}

/// The outputs of the sample's months, byte for byte: three monthly batches in a row, then a
/// review and an approval of one report. Each written file's SHA-256 is compared with
/// `tests/golden/sample-run.sha256` (`UPDATE_GOLDEN=1` rewrites it after review). A refactoring
/// must leave every document's bytes as they were; a change of content updates the list in the
/// same commit, with the reason.
#[test]
fn sample_months_give_the_recorded_bytes() {
    let ws = demo();
    let w = ws.path();
    for (period, now) in [
        ("2026-08", "2026-09-03 10:00"),
        ("2026-09", "2026-10-09 10:00"),
        ("2026-10", NOW_RUN),
    ] {
        let o = sv(w, now, &["-q", "run", "--period", period]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "run {period}: {}",
            text(&o)
        );
    }
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
    let mut listing = String::new();
    for rel in files_under(&w.join("out")) {
        let (sha, _) = sha256_file(&w.join("out").join(&rel)).unwrap();
        listing.push_str(&format!("{sha}  {}\n", rel.display()));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample-run.sha256");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &listing).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: UPDATE_GOLDEN=1 writes it", path.display()));
    let differ: Vec<String> = want
        .lines()
        .zip(listing.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  recorded {a}\n  now      {b}"))
        .collect();
    assert!(
        differ.is_empty() && want.lines().count() == listing.lines().count(),
        "the sample's documents changed:\n{}\n(recorded {} files, now {})",
        differ.join("\n"),
        want.lines().count(),
        listing.lines().count()
    );
}

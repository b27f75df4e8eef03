//! The CLI keeps its conventions in every command, checked through the binary
//! as a compiler or an approver meets them: exit codes (0 ok, 1 data rejected
//! or something late/unmatched, 2 failure), help for every argument, output
//! paths never created beyond their last folder, `--format json` wherever data
//! are printed.

use std::process::Command;

use crate::support::{BIN, demo, json, key, ok, repo, sv, text};

const NOW_RUN: &str = "2026-11-03 10:00";

/// The commands `svcreport --help` lists.
fn commands() -> Vec<String> {
    let o = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    let list = help
        .split("Commands:")
        .nth(1)
        .and_then(|t| t.split("Options:").next())
        .expect("a Commands: section");
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_documents_every_argument_in_its_help() {
    let cmds = commands();
    let mut checked = 0;
    for want in [
        "check", "run", "review", "approve", "status", "verify", "audit",
    ] {
        assert!(
            cmds.iter().any(|c| c == want),
            "{want} missing from {cmds:?}"
        );
    }
    for c in &cmds {
        let o = Command::new(BIN).args([c, "--help"]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{c}: {}", text(&o));
        let help = String::from_utf8_lossy(&o.stdout).into_owned();
        // Each entry of the Arguments and Options sections: its first line starts with
        // the name and must carry words after it (or on the next, indented line).
        let lines: Vec<&str> = help.lines().collect();
        let mut in_list = false;
        for (i, l) in lines.iter().enumerate() {
            if l.ends_with(':') && !l.starts_with(' ') {
                in_list = matches!(*l, "Arguments:" | "Options:");
                continue;
            }
            let t = l.trim_start();
            if !in_list || !(t.starts_with('-') || t.starts_with('[') || t.starts_with('<')) {
                continue;
            }
            if l.len() - t.len() > 6 {
                continue; // a wrapped description line, or a possible value
            }
            let rest: String = t
                .split("  ")
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ")
                .trim()
                .to_string();
            let next_is_text = lines.get(i + 1).is_some_and(|n| {
                let nt = n.trim_start();
                n.len() - nt.len() > 6 && !nt.is_empty()
            });
            assert!(
                !rest.is_empty() || next_is_text,
                "`svcreport {c} --help`: \"{t}\" has no description\n{help}"
            );
            checked += 1;
        }
    }
    // Every command has at least its own arguments and the global options.
    assert!(
        checked >= cmds.len() * 5,
        "only {checked} entries were read"
    );
}

#[test]
fn user_output_paths_are_never_created_beyond_their_last_folder() {
    let ws = demo();
    let w = ws.path();
    let missing = w.join("no/such/folder");
    let o = sv(
        w,
        NOW_RUN,
        &[
            "check",
            "--findings-xlsx",
            missing.join("f.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not exist"),
        "{}",
        text(&o)
    );
    assert!(!w.join("no").exists(), "a folder was created");
    let o = sv(
        w,
        NOW_RUN,
        &["templates", "--out", missing.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!w.join("no").exists(), "a folder was created");
    // The last folder itself is created.
    let o = sv(
        w,
        NOW_RUN,
        &[
            "-q",
            "templates",
            "--out",
            w.join("blank").to_str().unwrap(),
        ],
    );
    ok(o);
    assert!(w.join("blank").is_dir());
}

#[test]
fn run_with_rejected_rows_renders_and_exits_1_and_strict_refuses() {
    let ws = demo();
    let w = ws.path();
    std::fs::copy(
        repo().join("samples/demo/examples/incidents-with-mistakes.xlsx"),
        w.join("inbox/2026-10/incidents-with-mistakes.xlsx"),
    )
    .unwrap();
    let o = sv(
        w,
        NOW_RUN,
        &["--format", "json", "run", "--period", "2026-10"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = json(&o);
    assert!(v["errors"].as_u64().unwrap() > 0);
    assert_eq!(v["refused"], false);
    // Rendered all the same, the rejected rows left out.
    assert!(
        w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf")
            .is_file()
    );
    let ws2 = demo();
    let w2 = ws2.path();
    std::fs::copy(
        repo().join("samples/demo/examples/incidents-with-mistakes.xlsx"),
        w2.join("inbox/2026-10/incidents-with-mistakes.xlsx"),
    )
    .unwrap();
    let o = sv(w2, NOW_RUN, &["run", "--period", "2026-10", "--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!w2.join("out/2026-10").exists(), "--strict rendered");
    // A clean month exits 0.
    let ws3 = demo();
    ok(sv(
        ws3.path(),
        NOW_RUN,
        &["-q", "run", "--period", "2026-10"],
    ));
}

#[test]
fn status_exits_1_when_something_is_late() {
    let ws = demo();
    let w = ws.path();
    ok(sv(w, NOW_RUN, &["-q", "run", "--period", "2026-10"]));
    // The day of the run: the report is due on the 10th, nothing is late.
    let o = sv(w, NOW_RUN, &["status", "--period", "2026-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Ten days later nothing has been distributed: late, exit 1, and JSON says why.
    let o = sv(w, "2026-11-20 09:00", &["status", "--period", "2026-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        // The sample workspace is zh-CN: its summaries are Chinese.
        String::from_utf8_lossy(&o.stdout).contains("— 逾期"),
        "{}",
        text(&o)
    );
    let o = sv(
        w,
        "2026-11-20 09:00",
        &["--format", "json", "status", "--period", "2026-10"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let rows = json(&o);
    let acme = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["doc_number"] == "SR-ACME-2026-10")
        .expect("the ACME row");
    assert_eq!(acme["state"], "late");
    assert_eq!(acme["flags"][0]["kind"], "not_distributed");
    assert!(
        acme["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("not distributed"),
        "{acme}"
    );
    assert_eq!(acme["version"], "1.0");
    assert_eq!(acme["generated"], "2026-11-03T10:00:00");
}

#[test]
fn every_command_that_prints_data_speaks_json() {
    let ws = demo();
    let w = ws.path();
    let j = |now: &str, args: &[&str]| {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let o = sv(w, now, &a);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
        json(&o)
    };
    let run = j(NOW_RUN, &["run", "--period", "2026-10"]);
    assert_eq!(run["documents"].as_array().unwrap().len(), 5, "{run}");
    let doc = "SR-ACME-2026-10";
    let r = j(
        "2026-11-04 09:30",
        &["review", doc, "--key", &key(w, "liqiang")],
    );
    assert_eq!(
        (r["step"].as_str(), r["status"].as_str()),
        (Some("review"), Some("reviewed"))
    );
    let a = j(
        "2026-11-05 16:00",
        &[
            "approve",
            doc,
            "--key",
            &key(w, "zhangwei"),
            "--comment",
            "同意发布",
        ],
    );
    assert_eq!(a["status"], "approved");
    assert_eq!(a["comment"], "同意发布");
    let pdf = a["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["format"] == "pdf")
        .expect("an approved PDF")["path"]
        .as_str()
        .unwrap()
        .to_string();
    let v = j(
        "2026-11-05 16:00",
        &["verify", w.join(&pdf).to_str().unwrap()],
    );
    assert_eq!(v["matches"][0]["status"], "approved");
    let au = j("2026-11-05 17:00", &["audit", doc]);
    assert_eq!(au["matches"], true, "{au}");
    assert_eq!(au["version"], "1.0");
    let d = j(
        "2026-11-06 09:00",
        &["distribute", "--to-folder", "--period", "2026-10"],
    );
    assert!(!d["sent"].as_array().unwrap().is_empty(), "{d}");
    let c = j("2026-11-06 09:00", &["compute", "--period", "2026-10"]);
    assert!(c["targets"].as_array().is_some_and(|t| !t.is_empty()));
    let cal = j("2026-11-06 09:00", &["calendar", "--year", "2026"]);
    assert!(cal.is_object() || cal.is_array());
    let ch = j("2026-11-06 09:00", &["check", "--period", "2026-10"]);
    assert!(ch["findings"].is_array(), "{ch}");
}

/// `run` without a period takes the last complete month; a longer period renders its own
/// reports (and the longer ones it closes), never twelve monthly drafts.
#[test]
fn run_takes_the_last_month_or_renders_what_a_longer_period_is_due() {
    let ws = demo();
    let w = ws.path();
    let v = json(&sv(w, NOW_RUN, &["--format", "json", "run"]));
    assert_eq!(v["period"], "2026-10", "{v}");
    let docs: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["doc_number"].as_str().unwrap())
        .collect();
    assert!(docs.iter().all(|d| d.ends_with("2026-10")), "{docs:?}");
    let ws = demo();
    let w = ws.path();
    let v = json(&sv(
        w,
        "2026-10-09 10:00",
        &["--format", "json", "run", "--period", "2026-Q3"],
    ));
    let docs: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["doc_number"].as_str().unwrap())
        .collect();
    assert_eq!(docs, ["SQ-ACME-2026-Q3"], "{v}");
    // The year: the annual report only, on 2026's holiday data (no 2027 needed).
    let o = sv(
        w,
        "2027-01-15 10:00",
        &["--format", "json", "run", "--period", "2026"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&o);
    let docs: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["report_id"].as_str().unwrap())
        .collect();
    assert_eq!(docs, ["annual-review"], "{v}");
}

/// `svcreport compute … | head`: the reader closing the pipe ends the command quietly,
/// never with a panic.
#[test]
fn a_closed_pipe_is_no_panic() {
    use std::io::Read;
    let ws = demo();
    let mut child = Command::new(BIN)
        .arg("--workspace")
        .arg(ws.path())
        .args([
            "--now", NOW_RUN, "--format", "json", "compute", "--period", "2026-10",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the pipe is closed with most of the output unread.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

//! Integration tests: the CLI end to end on a temporary copy of the bundled
//! sample (`samples/demo/`), and the committed sample against its generator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use svcreport::sample::demo::{self, MISTAKES};

use crate::support::{copy_dir, repo};

fn committed_sample() -> PathBuf {
    repo().join("samples/demo")
}

fn svcreport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svcreport"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("the svcreport binary runs")
}

/// Every file under `dir` (relative, `/`-separated), skipping `out/`.
fn tree(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        if e.file_type().unwrap().is_dir() {
            if rel != "out" {
                tree(&e.path(), &format!("{rel}/"), out);
            }
        } else {
            out.push(rel);
        }
    }
}

/// Every JSON object in `v`, depth first.
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a serde_json::Map<String, Value>>) {
    match v {
        Value::Object(m) => {
            out.push(m);
            m.values().for_each(|x| objects(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        _ => {}
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The findings in a JSON document: objects with `severity`, `code` and `message`.
fn findings(v: &Value) -> Vec<&serde_json::Map<String, Value>> {
    let mut all = Vec::new();
    objects(v, &mut all);
    all.into_iter()
        .filter(|m| {
            m.contains_key("severity") && m.contains_key("code") && m.contains_key("message")
        })
        .collect()
}

fn s<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

#[test]
fn committed_sample_is_byte_identical_to_its_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = demo::write(tmp.path()).unwrap();
    let mut committed = Vec::new();
    tree(&committed_sample(), "", &mut committed);
    committed.sort();
    let mut generated: Vec<String> = summary.files.iter().map(|f| f.path.clone()).collect();
    generated.sort();
    assert_eq!(
        committed, generated,
        "samples/demo holds exactly the generated files (regenerate with `svcreport gen-sample --out samples/demo`)"
    );
    for f in &generated {
        let a = std::fs::read(committed_sample().join(f)).unwrap();
        let b = std::fs::read(tmp.path().join(f)).unwrap();
        assert!(
            a == b,
            "{f} drifted from its generator: run `svcreport gen-sample --out samples/demo`"
        );
    }
    // The sample is what the brief asks for: three months × eight datasets.
    let rows = summary.inbox_rows_by_dataset();
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(
        rows["incidents"] > 1_500 && rows["incidents"] < 6_000,
        "{rows:?}"
    );
    for month in ["2026-08", "2026-09", "2026-10"] {
        let n = summary
            .files
            .iter()
            .filter(|f| f.path.starts_with(&format!("inbox/{month}/")))
            .count();
        assert_eq!(n, 8, "{month}");
    }
}

#[test]
fn gen_sample_command_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = svcreport(&["-q", "gen-sample", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "catalogue.toml",
        "inbox/2026-09/incidents.xlsx",
        "examples/incidents-with-mistakes.xlsx",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(committed_sample().join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn check_on_the_sample_inbox_is_clean_with_full_reconciliation() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    copy_dir(&committed_sample(), &ws);
    let o = svcreport(&[
        "--workspace",
        ws.to_str().unwrap(),
        "--format",
        "json",
        "check",
    ]);
    let v = json(&o);
    let errors: Vec<_> = findings(&v)
        .into_iter()
        .filter(|f| s(f, "severity") == "error")
        .collect();
    assert!(
        errors.is_empty(),
        "the sample inbox has error findings: {errors:#?}"
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Reconciliation: every file, every sheet, read = accepted + rejected + blank,
    // and the accepted rows are exactly the rows the generator wrote.
    let expected = demo::write(&tmp.path().join("again")).unwrap();
    let mut all = Vec::new();
    objects(&v, &mut all);
    let counts: Vec<_> = all
        .into_iter()
        .filter(|m| m.contains_key("sheets") && m.contains_key("file"))
        .collect();
    let inbox: Vec<_> = expected
        .files
        .iter()
        .filter(|f| f.path.starts_with("inbox/"))
        .collect();
    assert_eq!(
        counts.len(),
        inbox.len(),
        "one reconciliation per inbox file"
    );
    for f in inbox {
        let c = counts
            .iter()
            .find(|c| s(c, "file").ends_with(&f.path))
            .unwrap_or_else(|| panic!("no reconciliation for {}", f.path));
        let sheets = c["sheets"].as_array().unwrap();
        for (name, dataset, rows) in &f.sheets {
            let Some(sh) = sheets.iter().find(|x| x["sheet"] == name.as_str()) else {
                // An instructions sheet (说明) may be skipped without a count.
                assert!(dataset.is_none(), "{}: sheet {name} missing", f.path);
                continue;
            };
            let n = |k: &str| sh[k].as_u64().unwrap();
            assert_eq!(
                n("read"),
                n("accepted") + n("rejected") + n("blank"),
                "{}",
                f.path
            );
            if dataset.is_some() {
                assert_eq!(n("accepted"), *rows, "{} › {name}", f.path);
                assert_eq!(n("rejected"), 0, "{} › {name}", f.path);
            }
        }
    }
}

#[test]
fn check_on_the_mistakes_example_names_each_deliberate_mistake() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    copy_dir(&committed_sample(), &ws);
    let file = ws.join("examples/incidents-with-mistakes.xlsx");
    let (ws_s, file_s) = (ws.to_str().unwrap(), file.to_str().unwrap());

    let o = svcreport(&["--workspace", ws_s, "--format", "json", "check", file_s]);
    assert_eq!(o.status.code(), Some(1), "data rejected → exit 1");
    let v = json(&o);
    let found = findings(&v);
    for m in &MISTAKES {
        let row = m.cell.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let hit = found.iter().any(|f| {
            let cell = s(f, "cell");
            cell == m.cell
                // a row rule may name the row only, a header problem the column name
                || (m.cell == "A8" && cell == row)
                || (m.cell == "P1" && s(f, "column") == "内部备注")
        });
        assert!(hit, "no finding at {} ({}): {found:#?}", m.cell, m.what);
        assert!(
            found
                .iter()
                .any(|f| s(f, "code") == m.code && (s(f, "cell") == m.cell || s(f, "cell") == row)),
            "no {} finding at {} ({})",
            m.code,
            m.cell,
            m.what
        );
        if m.cell != "P1" {
            assert!(
                found
                    .iter()
                    .any(|f| s(f, "severity") == "error" && s(f, "cell").ends_with(row)),
                "row {row} ({}) is not rejected",
                m.what
            );
        }
    }
    // Rows 2 and 15 are correct: no error there (row 2 only as the first of a duplicate pair).
    assert!(
        !found.iter().any(|f| s(f, "severity") == "error"
            && s(f, "cell").ends_with("15")
            && s(f, "cell").len() <= 3),
        "row 15 is correct"
    );

    // The compiler-style text names the file, the sheet and every cell.
    let o = svcreport(&["--workspace", ws_s, "check", file_s]);
    assert_eq!(o.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("incidents-with-mistakes.xlsx"), "{text}");
    assert!(text.contains("事件"), "{text}");
    for m in MISTAKES.iter().filter(|m| m.cell != "A8" && m.cell != "P1") {
        assert!(text.contains(m.cell), "{} missing in:\n{text}", m.cell);
    }
    assert!(text.contains("P7") && text.contains("N/A"), "{text}");
}

/// `check` prints in the workspace's language: the sample workspace is
/// zh-CN, so messages, hints, the reconciliation and the verdict are Chinese;
/// the same workspace set to `en` prints English. The same findings, in the
/// same order, either way; the codes are ASCII in both.
#[test]
fn check_prints_in_the_workspace_language() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    copy_dir(&committed_sample(), &ws);
    let file = ws.join("examples/incidents-with-mistakes.xlsx");
    let (ws_s, file_s) = (ws.to_str().unwrap(), file.to_str().unwrap());
    let check = || {
        let o = svcreport(&["--workspace", ws_s, "check", file_s]);
        assert_eq!(o.status.code(), Some(1), "data rejected → exit 1");
        String::from_utf8(o.stdout).unwrap()
    };
    // The code of every finding block, in order (block heads start the line).
    let codes = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.split_once('[')?.1.split_once(']'))
            .map(|(c, _)| c.to_string())
            .collect()
    };

    let zh = check();
    for want in [
        "错误[value.not_a_date]：应为日期，实为文本 \"N/A\"\n  --> examples/incidents-with-mistakes.xlsx  '事件'!G4  （列 \"解决时间\"）\n  = 建议：请将日期写作 2026-10-01 08:00，或将单元格设为日期格式\n",
        "错误[value.not_a_priority]：优先级 \"P7\" 不是 P1–P4 之一\n",
        "错误[row.duplicate_id]：工单号 \"INC2610-9001\" 已在 examples/incidents-with-mistakes.xlsx '事件'!A2 出现过，本行被拒绝\n",
        "\n文件  ",
        "\n未通过：1 个文件，读取 14 行：接受 2 行，拒绝 12 行，空行 0 行；",
    ] {
        assert!(zh.contains(want), "{want:?} missing in:\n{zh}");
    }
    let hints: Vec<&str> = zh.lines().filter(|l| l.starts_with("  = ")).collect();
    assert_eq!(hints.len(), codes(&zh).len(), "{zh}");
    for h in hints {
        assert!(h.starts_with("  = 建议："), "{h}");
    }

    let settings = ws.join("svcreport.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    assert!(text.contains("language = \"zh-CN\""));
    std::fs::write(
        &settings,
        text.replace("language = \"zh-CN\"", "language = \"en\""),
    )
    .unwrap();
    let en = check();
    for want in [
        "error[value.not_a_date]: expected a date, found text \"N/A\"\n  --> examples/incidents-with-mistakes.xlsx  '事件'!G4  (column \"解决时间\")\n  = hint: type the date as 2026-10-01 08:00 or format the cell as a date\n",
        "\nfile  ",
        "\nrejected: 1 file(s), 14 row(s) read: 2 accepted, 12 rejected, 0 blank;",
    ] {
        assert!(en.contains(want), "{want:?} missing in:\n{en}");
    }
    for h in en.lines().filter(|l| l.starts_with("  = ")) {
        assert!(h.starts_with("  = hint: "), "{h}");
    }
    assert_eq!(codes(&zh), codes(&en));
    assert!(codes(&en).len() >= 13, "{en}");
}

#[test]
fn sample_catalogue_loads_with_a_target_of_every_metric_kind() {
    use svcreport::model::catalogue::{AgreementKind, Audience, Metric};
    use svcreport::model::period::Frequency;
    let ws = svcreport::workspace::Workspace::load(&committed_sample()).unwrap();
    assert_eq!(ws.name, "示例 IT 服务");
    assert_eq!(ws.timezone, chrono_tz::Asia::Shanghai);
    let cat = svcreport::catalogue::load(&ws).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cat.customers.len(), 3);
    assert_eq!(cat.services.len(), 5);
    assert_eq!(cat.suppliers.len(), 2);
    assert_eq!(cat.teams.len(), 2);
    assert_eq!(
        cat.services
            .iter()
            .filter(|s| s.calendar == "office")
            .count(),
        2
    );
    // Every metric of spec §2.4 has a target in some agreement; every SLA has all
    // but the UC metrics.
    for m in Metric::ALL {
        assert!(
            cat.agreements
                .iter()
                .any(|a| a.targets.iter().any(|t| t.metric == m)),
            "{m:?}"
        );
    }
    for a in cat
        .agreements
        .iter()
        .filter(|a| a.kind == AgreementKind::Sla)
    {
        for m in Metric::ALL.into_iter().filter(|m| {
            !matches!(
                m,
                Metric::UcResponseCompliance | Metric::UcRestoreCompliance
            )
        }) {
            assert!(
                a.targets.iter().any(|t| t.metric == m),
                "{} lacks {m:?}",
                a.id
            );
        }
    }
    let kinds: Vec<AgreementKind> = cat.agreements.iter().map(|a| a.kind).collect();
    assert!(kinds.contains(&AgreementKind::Uc) && kinds.contains(&AgreementKind::Ola));
    assert_eq!(cat.process_kpis.len(), 8);
    // `within = "1h30m"` is 5,400 business seconds.
    let globex = cat
        .agreements
        .iter()
        .find(|a| a.id == "SLA-GLOBEX")
        .unwrap();
    assert!(globex.targets.iter().any(|t| t.within_secs == Some(5_400)));
    // The report list: customer-zh ×2 monthly, customer-en, quarterly, annual, internal, supplier.
    let r = |id: &str| cat.report(id).unwrap_or_else(|| panic!("report {id}"));
    assert_eq!(r("acme-monthly").template, "customer-zh");
    assert_eq!(r("huaxin-monthly").template, "customer-zh");
    assert_eq!(r("globex-monthly").template, "customer-en");
    assert_eq!(r("acme-quarterly").frequency, Frequency::Quarterly);
    assert_eq!(r("annual-review").frequency, Frequency::Annual);
    assert_eq!(r("internal-monthly").audience, Audience::Internal);
    assert_eq!(r("netco-monthly").audience, Audience::Supplier);
    let p = svcreport::model::period::Period::parse("2026-10").unwrap();
    assert_eq!(r("acme-monthly").doc_number_for(&p), "SR-ACME-2026-10");
}

#[test]
fn sample_inbox_ingests_clean_through_the_library() {
    use svcreport::ingest::{self, IngestOptions};
    let ws = svcreport::workspace::Workspace::load(&committed_sample()).unwrap();
    let cat = svcreport::catalogue::load(&ws).unwrap_or_else(|e| panic!("{e}"));
    let files = ingest::inbox_files(&ws).unwrap();
    assert_eq!(
        files.len(),
        24,
        "3 months × 8 datasets; examples/ is outside the pattern"
    );
    let ing = ingest::ingest(&ws, &cat, &files, &IngestOptions::default());
    let errors: Vec<_> = ing
        .findings
        .iter()
        .filter(|f| f.severity == svcreport::findings::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let expected = demo::write(tempfile::tempdir().unwrap().path()).unwrap();
    let rows = expected.inbox_rows_by_dataset();
    let d = &ing.dataset;
    assert_eq!(d.incidents.len() as u64, rows["incidents"]);
    assert_eq!(d.outages.len() as u64, rows["outages"]);
    assert_eq!(d.changes.len() as u64, rows["changes"]);
    assert_eq!(d.requests.len() as u64, rows["requests"]);
    assert_eq!(d.surveys.len() as u64, rows["surveys"]);
    assert_eq!(d.process_kpis.len() as u64, rows["process_kpis"]);
    assert_eq!(d.supplier_tickets.len() as u64, rows["supplier_tickets"]);
    assert_eq!(d.capacity.len() as u64, rows["capacity"]);
    for f in &ing.files {
        assert!(f.readable, "{}", f.file);
        assert_eq!(
            f.read(),
            f.accepted() + f.rejected() + f.blank(),
            "{}",
            f.file
        );
        assert_eq!(f.rejected(), 0, "{}", f.file);
    }
    // Names were resolved to catalogue ids, text-typed dates parsed.
    assert!(
        d.incidents
            .iter()
            .all(|i| cat.customer(&i.customer).is_some())
    );
    assert!(
        d.incidents.iter().any(|i| i.resolved.is_none()),
        "some still open"
    );
    assert!(d.incidents.iter().any(|i| i.major));
    assert!(d.outages.iter().any(|o| o.end.is_none()));
}

#[test]
fn big_month_inbox_is_valid_against_the_demo_catalogue() {
    use svcreport::ingest::{self, IngestOptions};
    use svcreport::sample::big;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("svcreport.toml"), demo::WORKSPACE_TOML).unwrap();
    std::fs::write(tmp.path().join("catalogue.toml"), demo::CATALOGUE_TOML).unwrap();
    let inbox = big::month_inbox(&tmp.path().join("inbox/2026-10"), 3_001, 3, 42).unwrap();
    assert_eq!(inbox.incident_rows, vec![1_001, 1_000, 1_000]);
    let ws = svcreport::workspace::Workspace::load(tmp.path()).unwrap();
    let cat = svcreport::catalogue::load(&ws).unwrap_or_else(|e| panic!("{e}"));
    let files = ingest::inbox_files(&ws).unwrap();
    assert_eq!(files, inbox.files);
    let ing = ingest::ingest(&ws, &cat, &files, &IngestOptions::default());
    let errors: Vec<_> = ing
        .findings
        .iter()
        .filter(|f| f.severity == svcreport::findings::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(ing.dataset.incidents.len(), 3_001);
    let others: u64 = inbox.other_rows.iter().map(|(_, n)| n).sum();
    let accepted: u64 = ing.files.iter().map(|f| f.accepted()).sum();
    assert_eq!(accepted, 3_001 + others);
}

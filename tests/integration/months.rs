//! Month after month (spec §2.1a): deliveries that overlap, deliveries that are missing,
//! year ends. Through the binary on copies of the sample workspace.

use crate::support::{demo, json, sv, text};

const NOW_RUN: &str = "2026-11-03 10:00";

/// A month whose outage workbook was not delivered has no availability figure: "data
/// missing" (数据缺失) in the figures, the run's summary and the document, never 100 %;
/// `--strict` refuses to render.
#[test]
fn a_missing_delivery_is_data_missing_never_a_perfect_figure() {
    let ws = demo();
    let w = ws.path();
    std::fs::remove_file(w.join("inbox/2026-10/outages.xlsx")).unwrap();
    let c = json(&sv(
        w,
        NOW_RUN,
        &["--format", "json", "compute", "--period", "2026-10"],
    ));
    let avail: Vec<&serde_json::Value> = c["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["metric"] == "availability")
        .collect();
    assert!(!avail.is_empty());
    for t in &avail {
        assert_eq!(t["status"], "data_missing", "{t}");
        assert!(t["actual"].is_null(), "{t}");
    }
    // Other targets keep their figures.
    assert!(
        c["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["metric"] == "resolution_compliance" && t["actual"].is_number())
    );
    // --strict refuses and renders nothing.
    let o = sv(w, NOW_RUN, &["run", "--period", "2026-10", "--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("数据缺失：2026-10 未交付 outages"), "{err}");
    assert!(!w.join("out/2026-10").exists());
    // Without --strict the documents say it.
    let o = sv(w, NOW_RUN, &["run", "--period", "2026-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pdf = w.join("out/2026-10/SR-ACME-2026-10_2026-10_v1.0_draft.pdf");
    let t = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output();
    match t {
        Ok(t) => {
            let t = String::from_utf8_lossy(&t.stdout);
            assert!(t.contains("数据缺失"), "{t}");
        }
        Err(e) => assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext is needed in CI: {e}"
        ),
    }
}

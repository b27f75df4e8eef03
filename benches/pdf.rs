//! PDF renderer benchmark (issue 6 target: a ~10-page report in < 100 ms, < 300 KB).
//!
//! `CARGO_TARGET_DIR=/work/targets/release cargo bench --bench pdf`
//!
//! One warm-up render loads the bundled fonts (once per process, as in a batch run); then 10
//! timed renders, each after `comemo::evict(0)` so typst's memoisation cannot replay the
//! previous identical layout (a batch renders different reports). Prints median/min/max and
//! the size; a second series without eviction shows the warm-cache figure for reference.

#[path = "../tests/integration/pdf/fixture.rs"]
#[allow(dead_code)] // the fixture also serves the integration tests
mod fixture;

use std::time::{Duration, Instant};

use svcreport::render::RenderOptions;
use svcreport::render::pdf::render;

fn pages(pdf: &[u8]) -> usize {
    pdf.windows(10)
        .filter(|w| w.starts_with(b"/Type/Page") && w[9] != b's')
        .count()
}

fn series(
    doc: &svcreport::report::doc::ReportDoc,
    opts: &RenderOptions,
    evict: bool,
) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..10 {
        if evict {
            typst::comemo::evict(0);
        }
        let t = Instant::now();
        let pdf = render(doc, opts).expect("bench report renders");
        times.push(t.elapsed());
        std::hint::black_box(pdf);
    }
    times.sort();
    times
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let rows: usize = std::env::var("PDF_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let doc = fixture::report(rows);
    let opts = RenderOptions {
        created: "2026-11-03T10:05:00".into(),
        template: "customer-zh".into(),
        ..RenderOptions::default()
    };
    let t = Instant::now();
    let pdf = render(&doc, &opts).expect("bench report renders");
    let first = t.elapsed();
    println!(
        "pdf: {} pages ({} incident rows), {} bytes ({:.1} KB); first render incl. font load {:.1} ms",
        pages(&pdf),
        rows,
        pdf.len(),
        pdf.len() as f64 / 1024.0,
        ms(first)
    );
    for (label, evict) in [("cold layout cache", true), ("warm layout cache", false)] {
        let t = series(&doc, &opts, evict);
        println!(
            "pdf render ({label}): median {:.1} ms, min {:.1} ms, max {:.1} ms (n=10)",
            ms(t[t.len() / 2]),
            ms(t[0]),
            ms(t[t.len() - 1])
        );
    }
    let ok_size = pdf.len() < 300 * 1024;
    println!(
        "target < 300 KB: {}",
        if ok_size { "met" } else { "MISSED" }
    );
}

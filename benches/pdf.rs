//! PDF renderer benchmark (issue 6 target: a ~10-page report in < 100 ms, < 300 KB).
//!
//! `cargo bench --bench pdf`
//!
//! One warm-up render loads the bundled fonts (once per process, as in a batch run); then 10
//! timed renders, each after `comemo::evict(0)` so typst's memoisation cannot replay the
//! previous identical layout (a batch renders different reports). Prints median/min/max and
//! the size; a second series without eviction shows the warm-cache figure for reference.
//! `PDF_BENCH_ROWS` changes the incident table's rows (220: the fixture is then 10 pages),
//! `PDF_BENCH_N` the renders per series (10); `PDF_BENCH_WARM=0` skips the warm series;
//! `PDF_BENCH_OUT=FILE` keeps the rendered PDF (to look at it); `PDF_BENCH_TEMPLATES=DIR` times
//! the layout files in DIR (as a workspace's `templates/` overrides the built-in ones), to try a
//! layout change without a rebuild.
//!
//! Instructions of one cold render (stable on a busy machine, unlike wall time): typst lays out
//! on rayon's worker threads, so count the whole process, twice, and take the difference:
//! `PDF_BENCH_WARM=0 PDF_BENCH_N=k valgrind --tool=callgrind <bench binary>` for k = 1 and 4,
//! (I(4) − I(1)) / 3.

#[path = "../tests/integration/pdf/fixture.rs"]
#[allow(dead_code)] // the fixture also serves the integration tests
mod fixture;

use std::time::{Duration, Instant};

use svcreport::render::RenderOptions;
use svcreport::render::pdf::render;

/// Page objects (`/Type/Page`, not the `/Type/Pages` tree node).
fn pages(pdf: &[u8]) -> usize {
    pdf.windows(11)
        .filter(|w| w.starts_with(b"/Type/Page") && w[10] != b's')
        .count()
}

/// One render after clearing typst's memoisation caches (a batch renders different reports).
/// Not inlined, so a profiler can attribute it (`valgrind --tool=callgrind
/// --toggle-collect=pdf::cold_render`).
#[inline(never)]
fn cold_render(doc: &svcreport::report::doc::ReportDoc, opts: &RenderOptions) -> Duration {
    typst::comemo::evict(0);
    let t = Instant::now();
    let pdf = render(doc, opts).expect("bench report renders");
    let elapsed = t.elapsed();
    std::hint::black_box(pdf);
    elapsed
}

/// One render with typst's caches as the previous render left them.
#[inline(never)]
fn warm_render(doc: &svcreport::report::doc::ReportDoc, opts: &RenderOptions) -> Duration {
    let t = Instant::now();
    let pdf = render(doc, opts).expect("bench report renders");
    let elapsed = t.elapsed();
    std::hint::black_box(pdf);
    elapsed
}

fn series(
    doc: &svcreport::report::doc::ReportDoc,
    opts: &RenderOptions,
    evict: bool,
    n: usize,
) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            if evict {
                cold_render(doc, opts)
            } else {
                warm_render(doc, opts)
            }
        })
        .collect();
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
        .unwrap_or(220);
    let n: usize = std::env::var("PDF_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(10);
    let doc = fixture::report(rows);
    let opts = RenderOptions {
        created: "2026-11-03T10:05:00".into(),
        template: "customer-zh".into(),
        template_dir: std::env::var_os("PDF_BENCH_TEMPLATES")
            .map(Into::into)
            .unwrap_or_default(),
        ..RenderOptions::default()
    };
    let t = Instant::now();
    let pdf = render(&doc, &opts).expect("bench report renders");
    let first = t.elapsed();
    if let Ok(out) = std::env::var("PDF_BENCH_OUT") {
        std::fs::write(&out, &pdf).expect("write PDF_BENCH_OUT");
    }
    println!(
        "pdf: {} pages ({} incident rows), {} bytes ({:.1} KB); first render incl. font load {:.1} ms",
        pages(&pdf),
        rows,
        pdf.len(),
        pdf.len() as f64 / 1024.0,
        ms(first)
    );
    // `PDF_BENCH_WARM=0`: the cold series only (for instruction counts).
    let warm = std::env::var("PDF_BENCH_WARM").map_or(true, |v| v != "0");
    for (label, evict) in [("cold layout cache", true), ("warm layout cache", false)] {
        if !evict && !warm {
            continue;
        }
        let t = series(&doc, &opts, evict, n);
        println!(
            "pdf render ({label}): median {:.1} ms, min {:.1} ms, max {:.1} ms (n={n})",
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

//! PDF renderer benchmark (issue 6 target: a 10-page report in < 100 ms, < 300 KB).
//!
//! `cargo bench --bench pdf`
//!
//! One warm-up render loads the bundled fonts (once per process, as in a batch run); then two
//! series of 10 timed renders, each printed as median/min/max:
//! - **a new report each time** (the batch case): every render is a report this process has
//!   not rendered before — its own document number, title, ticket ids, times and figures on
//!   every page;
//! - **the same report again**: the fixture itself each time.
//!
//! The renderer empties typst's memoisation caches after every render (`comemo::evict(0)`;
//! keeping them made the next document slower), so both series measure a render from nothing
//! but the loaded fonts and the parsed layout files.
//!
//! `PDF_BENCH_ROWS` changes the incident table's rows (220: the fixture is then 11 pages; 190:
//! 10 pages; the incidents chapter starts a page of its own, as any chapter with over 40 rows),
//! `PDF_BENCH_N` the renders per series (10); `PDF_BENCH_SERIES=new|same` runs one series;
//! `PDF_BENCH_OUT=FILE` keeps the rendered PDF (to look at it); `PDF_BENCH_TEMPLATES=DIR` times
//! the layout files in DIR (as a workspace's `templates/` overrides the built-in ones), to try a
//! layout change without a rebuild.
//!
//! Instructions of one render (stable on a busy machine, unlike wall time): typst lays out on
//! rayon's worker threads, so count the whole process, twice, and take the difference:
//! `RAYON_NUM_THREADS=1 PDF_BENCH_SERIES=same PDF_BENCH_N=k valgrind --tool=callgrind <bench
//! binary>` for k = 1 and 2, I(2) − I(1) (one thread: rayon's idle workers spin a varying
//! number of instructions, which makes multi-threaded counts differ by ±10% between runs).

#[path = "../tests/integration/pdf/fixture.rs"]
#[allow(dead_code)] // the fixture also serves the integration tests
mod fixture;

use std::time::{Duration, Instant};

use svcreport::render::RenderOptions;
use svcreport::render::pdf::render;
use svcreport::report::numfmt;

/// Page objects (`/Type/Page`, not the `/Type/Pages` tree node).
fn pages(pdf: &[u8]) -> usize {
    pdf.windows(11)
        .filter(|w| w.starts_with(b"/Type/Page") && w[10] != b's')
        .count()
}

/// Report `k` of a batch: the fixture with its own document number and title, and every table
/// row made its own (ticket ids and times carry `k`, every figure moves by `k` hundredths), so
/// no row, figure or page header repeats an earlier report's.
fn variant(
    base: &svcreport::report::doc::ReportDoc,
    k: usize,
) -> svcreport::report::doc::ReportDoc {
    use svcreport::report::doc::{Block, Cell};
    let mut doc = base.clone();
    doc.meta.doc_number = format!("SR-B{k:03}-2026-10");
    doc.meta.title = format!("{} ({k})", doc.meta.title);
    for section in &mut doc.sections {
        for block in &mut section.blocks {
            let Block::Table(t) = block else { continue };
            for row in &mut t.rows {
                for cell in row {
                    match cell {
                        // "INC-2026-…": the year part becomes 2026 + k (same width, so rows
                        // wrap as in the fixture).
                        Cell::Text { text } if text.starts_with("INC-2026") => {
                            *text = format!("INC-{:04}{}", 2026 + k, &text[8..]);
                        }
                        // "2026-10-DD HH:MM": the minutes move by k.
                        Cell::Text { text } if text.len() == 16 && text.starts_with("2026-") => {
                            let mm: usize = text[14..].parse().unwrap_or(0);
                            *text = format!("{}{:02}", &text[..14], (mm + k) % 60);
                        }
                        // Printed by the project's one rounding place, suffix kept.
                        Cell::Number {
                            value,
                            text,
                            decimals,
                            ..
                        } => {
                            *value += k as f64 / 100.0;
                            if let Some(digits) = numfmt::round_text(*value, *decimals) {
                                *text = format!("{digits}{}", numfmt::suffix_of(text));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    doc
}

/// One timed render (not inlined, so a profiler can attribute it: `valgrind --tool=callgrind
/// --toggle-collect=pdf::timed_render`).
#[inline(never)]
fn timed_render(doc: &svcreport::report::doc::ReportDoc, opts: &RenderOptions) -> Duration {
    let t = Instant::now();
    let pdf = render(doc, opts).expect("bench report renders");
    let elapsed = t.elapsed();
    std::hint::black_box(pdf);
    elapsed
}

#[derive(Clone, Copy)]
enum Series {
    NewReport,
    SameAgain,
}

fn series(
    doc: &svcreport::report::doc::ReportDoc,
    opts: &RenderOptions,
    kind: Series,
    n: usize,
) -> Vec<Duration> {
    // Built before timing: the model is the renderer's input, not its work.
    let docs: Vec<_> = (0..n)
        .map(|k| match kind {
            Series::NewReport => variant(doc, k + 1),
            Series::SameAgain => doc.clone(),
        })
        .collect();
    let mut times: Vec<Duration> = docs.iter().map(|d| timed_render(d, opts)).collect();
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
        created: chrono::DateTime::parse_from_rfc3339("2026-11-03T10:05:00+08:00").ok(),
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
    // `PDF_BENCH_SERIES=new|same` runs that series alone (for instruction counts: `same`).
    let only = std::env::var("PDF_BENCH_SERIES").unwrap_or_default();
    for (key, label, kind) in [
        ("new", "a new report each time", Series::NewReport),
        ("same", "the same report again", Series::SameAgain),
    ] {
        if !only.is_empty() && only != key {
            continue;
        }
        let t = series(&doc, &opts, kind, n);
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

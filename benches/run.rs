//! Benchmark (issue 7 item 8): a whole-month `run` end to end — ingest and
//! validate 1,000,000 incident rows in 50 workbooks plus one workbook of each
//! other dataset, compute every target, build and render 100 documents (50
//! monthly reports × PDF and Excel), archive and record them in the ledger.
//!
//! Run with `CARGO_TARGET_DIR=/work/targets/release cargo bench --bench run`.
//! Sizes: `BENCH_ROWS` (1000000), `BENCH_BOOKS` (50), `BENCH_REPORTS` (50).
//! Each measured run happens in a child process (this executable with
//! `--child`) so its peak memory (VmHWM) is its own; the same rows are also
//! run split over half as many workbooks, to show that peak memory does not
//! grow with the number of workbooks.
//!
//! The generated inbox uses the demo catalogue's three customers, so the 50
//! report entries cycle over the three demo SLAs with distinct document
//! numbers: every document is built and rendered from real figures.

use std::path::Path;
use std::time::Instant;

use svcreport::app::{Command, Global, OutputKind};
use svcreport::model::period::Period;

fn env_or(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn workspace(dir: &Path, rows: u64, books: usize, reports: u64) {
    std::fs::write(
        dir.join("svcreport.toml"),
        "[workspace]\nname = \"bench\"\norganisation = \"示例\"\ntimezone = \"Asia/Shanghai\"\nlanguage = \"zh-CN\"\ninbox = [\"inbox/**/*.xlsx\"]\ncatalogue = [\"catalogue.toml\"]\noutput = \"out\"\n",
    )
    .expect("write settings");
    // The demo catalogue without its report list, then `reports` monthly reports.
    let demo = svcreport::sample::demo::CATALOGUE_TOML;
    let cut = demo.find("[[report]]").unwrap_or(demo.len());
    let mut cat = demo[..cut].to_string();
    let slas = [
        ("SLA-ACME", "customer-zh"),
        ("SLA-HUAXIN", "customer-zh"),
        ("SLA-GLOBEX", "customer-en"),
    ];
    for i in 0..reports {
        let (sla, tpl) = slas[(i % 3) as usize];
        cat.push_str(&format!(
            "\n[[report]]\nid = \"bench-{i:02}\"\ntitle = \"基准报告 {i:02}\"\naudience = \"customer\"\nagreements = [\"{sla}\"]\nfrequency = \"monthly\"\nformats = [\"pdf\", \"xlsx\"]\ntemplate = \"{tpl}\"\ndoc_number = \"SR-B{i:02}-{{period}}\"\ncompiler = \"wangmin\"\nreviewer = \"liqiang\"\napprover = \"zhangwei\"\nrecipients = [\"r{i}@example.com\"]\n"
        ));
    }
    std::fs::write(dir.join("catalogue.toml"), cat).expect("write catalogue");
    let inbox = dir.join("inbox/2026-10");
    std::fs::create_dir_all(&inbox).expect("inbox");
    svcreport::sample::big::month_inbox(&inbox, rows, books, 7).expect("generate inbox");
}

fn child(dir: &Path) {
    let g = Global {
        workspace: dir.to_path_buf(),
        now: Some("2026-11-03 10:00".into()),
        quiet: true,
        format: OutputKind::Text,
    };
    let t = Instant::now();
    let code = svcreport::app::run(
        &g,
        Command::Run {
            period: Some(Period::parse("2026-10").expect("period")),
            strict: false,
            reissue: false,
        },
    )
    .expect("run");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "RESULT code={code} secs={secs:.2} peak_kib={}",
        svcreport::app::pipeline::peak_memory_kib().unwrap_or(0)
    );
}

fn measure(label: &str, rows: u64, books: usize, reports: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    workspace(dir.path(), rows, books, reports);
    let gen_secs = t.elapsed().as_secs_f64();
    let exe = std::env::current_exe().expect("exe");
    let out = std::process::Command::new(exe)
        .arg("--child")
        .arg(dir.path())
        .env("SVCREPORT_TIMINGS", "1")
        .output()
        .expect("child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT"))
        .unwrap_or("RESULT failed");
    let docs = std::fs::read_dir(dir.path().join("out/2026-10"))
        .map(|d| d.count())
        .unwrap_or(0);
    println!(
        "{label}: {rows} incident rows in {books} workbooks (+7 other workbooks), {reports} reports → {docs} files; generate {gen_secs:.1} s; {line}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        println!("child failed: {stderr}");
    }
    // The phases (`SVCREPORT_TIMINGS`): time and peak memory so far.
    for l in stderr.lines().filter(|l| l.starts_with("svcreport: ")) {
        println!("  {}", &l["svcreport: ".len()..]);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(Path::new(&args[2]));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let rows = env_or("BENCH_ROWS", 1_000_000);
    let books = env_or("BENCH_BOOKS", 50) as usize;
    let reports = env_or("BENCH_REPORTS", 50);
    // `--gen DIR`: only write the workspace (to profile `--child DIR` by hand).
    if args.get(1).map(String::as_str) == Some("--gen") {
        let dir = Path::new(&args[2]);
        std::fs::create_dir_all(dir).expect("dir");
        workspace(dir, rows, books, reports);
        return;
    }
    println!("threads: {}", rayon::current_num_threads());
    measure("month", rows, books, reports);
    measure(
        "same rows, half the workbooks",
        rows,
        (books / 2).max(1),
        reports,
    );
}

//! Ingest benchmark (issue 2 item 11): validated ingest of a generated
//! 200,000-row × 14-column incidents workbook against a bare pass of calamine's
//! streaming `worksheet_cells_reader` over the same file, in the same run
//! (best of 3 each, peak RSS from `/proc/self/status` VmHWM of a child process
//! per measurement); a LibreOffice re-saved copy when `soffice` exists; and a
//! batch of 10 × 20,000-row workbooks on 1 thread vs 2.
//!
//! Both sides read the file from disk as the pipeline does (`ingest::ingest`
//! on the one path: hash, sniff, stream, type, check, resolve, the cross-file
//! id rule); the bare side only walks calamine's cells.
//!
//! The run reads each file in a worker process (`ingest::worker`): the "in a worker" rows
//! measure that path end to end (start the worker, read, send the records back, decode
//! them), the parent's peak memory and the worker's separately.
//!
//! Run: `CARGO_TARGET_DIR=/work/targets/release cargo bench --bench ingest`
//! (`-- --rows N` to change the size).

mod common;
use common::Rng;

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{DataRef, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use rust_xlsxwriter::{Format, Workbook};
use svcreport::ingest::{self, IngestOptions};
use svcreport::model::catalogue::*;

const HEAD: [&str; 14] = [
    "工单号",
    "客户",
    "服务",
    "优先级",
    "报告时间",
    "响应时间",
    "解决时间",
    "关闭时间",
    "挂起时长(分钟)",
    "状态",
    "重大事件",
    "类别",
    "处理组",
    "摘要",
];
const WORDS: [&str; 16] = [
    "邮件",
    "无法",
    "登录",
    "系统",
    "响应",
    "缓慢",
    "打印机",
    "故障",
    "网络",
    "中断",
    "账号",
    "锁定",
    "报表",
    "导出",
    "失败",
    "数据库",
];

fn generate(path: &Path, rows: u32, seed: u64) {
    let mut rng = Rng(seed);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("事件").unwrap();
    let head = Format::new().set_bold();
    let dt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in HEAD.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head).unwrap();
    }
    let base = NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let customers = [
        ("acme", ["email", "erp"]),
        ("安科美科技有限公司", ["企业邮箱", "erp"]),
        ("globex", ["erp", "ERP 系统"]),
    ];
    let cats = [
        "硬件", "软件", "网络", "账号", "数据", "其他", "安全", "咨询",
    ];
    let groups = ["一线", "二线", "网络组", "数据库组", "应用组", "桌面组"];
    for r in 1..=rows {
        let (cust, svcs) = customers[rng.below(3) as usize];
        let svc = svcs[rng.below(2) as usize];
        let p = match rng.below(100) {
            0..5 => "P1",
            5..20 => "P2",
            20..65 => "P3",
            _ => "P4",
        };
        let opened = base + Duration::seconds(rng.below(31 * 86_400) as i64);
        let responded = opened + Duration::seconds(60 + rng.below(7_200) as i64);
        let resolved = responded + Duration::seconds(rng.below(200_000) as i64);
        let open = rng.below(100) < 13;
        let closed = !open && rng.below(2) == 0;
        ws.write_string(r, 0, format!("INC-{seed}-{r:06}")).unwrap();
        ws.write_string(r, 1, cust).unwrap();
        ws.write_string(r, 2, svc).unwrap();
        ws.write_string(r, 3, p).unwrap();
        ws.write_datetime_with_format(r, 4, opened, &dt).unwrap();
        ws.write_datetime_with_format(r, 5, responded, &dt).unwrap();
        if !open {
            ws.write_datetime_with_format(r, 6, resolved, &dt).unwrap();
        }
        if closed {
            ws.write_datetime_with_format(r, 7, resolved + Duration::hours(24), &dt)
                .unwrap();
        }
        ws.write_number(r, 8, rng.below(4) as f64 * 15.0).unwrap();
        ws.write_string(
            r,
            9,
            if open {
                "处理中"
            } else if closed {
                "已关闭"
            } else {
                "已解决"
            },
        )
        .unwrap();
        ws.write_string(
            r,
            10,
            if p == "P1" && rng.below(4) == 0 {
                "是"
            } else {
                "否"
            },
        )
        .unwrap();
        ws.write_string(r, 11, cats[rng.below(8) as usize]).unwrap();
        ws.write_string(r, 12, groups[rng.below(6) as usize])
            .unwrap();
        let n = 5 + rng.below(6);
        let summary: String = (0..n).map(|_| WORDS[rng.below(16) as usize]).collect();
        ws.write_string(r, 13, format!("{summary}{r}")).unwrap();
    }
    wb.save(path).unwrap();
}

fn catalogue() -> Catalogue {
    Catalogue {
        customers: vec![
            Customer {
                id: "acme".into(),
                name: "安科美科技有限公司".into(),
                name_en: None,
                recipients: vec![],
            },
            Customer {
                id: "globex".into(),
                name: "环球电子".into(),
                name_en: None,
                recipients: vec![],
            },
        ],
        services: vec![
            Service {
                id: "email".into(),
                name: "企业邮箱".into(),
                name_en: None,
                calendar: "7x24".into(),
                customers: vec!["acme".into()],
            },
            Service {
                id: "erp".into(),
                name: "ERP 系统".into(),
                name_en: None,
                calendar: "7x24".into(),
                customers: vec!["acme".into(), "globex".into()],
            },
        ],
        ..Catalogue::default()
    }
}

/// CPU time of this process and its finished children so far (user + system, all
/// threads), from
/// `/proc/self/stat` (clock ticks of 10 ms): the figure that stays fair when
/// other work shares the machine.
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after ')'; cutime and
    // cstime (children waited for: the worker processes) 16 and 17.
    (11..15)
        .map(|i| f.get(i).copied().unwrap_or(0))
        .sum::<u64>() as f64
        / 100.0
}

fn bare(file: &Path) -> usize {
    let f = BufReader::with_capacity(64 * 1024, std::fs::File::open(file).unwrap());
    let mut wb: Xlsx<_> = Xlsx::new(f).unwrap();
    let name = wb.sheet_names()[0].clone();
    let mut rd = wb.worksheet_cells_reader(&name).unwrap();
    let mut n = 0;
    while let Some(c) = rd.next_cell().unwrap() {
        if !matches!(c.get_value(), DataRef::Empty) {
            n += 1;
        }
    }
    n
}

fn isolation() -> svcreport::ingest::worker::Isolation {
    svcreport::ingest::worker::Isolation {
        exe: PathBuf::from(env!("CARGO_BIN_EXE_svcreport")),
        memory_limit: 1 << 30,
        timeout: std::time::Duration::from_secs(300),
    }
}

/// Child: `child <bare|validated|worker> FILE` → prints `best_secs peak_kib result cpu worker_peak_kib`.
fn child(mode: &str, file: &Path) {
    let dir = file.parent().unwrap();
    let ws = bench_workspace(dir);
    let cat = catalogue();
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut result = 0usize;
    // `INGEST_BENCH_ITERS=1` for one pass under a profiler (callgrind counts).
    let iters: usize = std::env::var("INGEST_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for _ in 0..iters {
        let t = Instant::now();
        let c = cpu_secs();
        let iso = isolation();
        let opts = IngestOptions {
            isolation: (mode == "worker").then_some(&iso),
            ..IngestOptions::default()
        };
        result = match mode {
            "bare" => bare(file),
            _ => {
                let ing = ingest::ingest(&ws, &cat, &[file.to_path_buf()], &opts);
                assert!(
                    !ing.has_errors(),
                    "{}",
                    svcreport::findings::render_text(
                        &ing.findings[..ing.findings.len().min(5)],
                        svcreport::findings::Lang::En
                    )
                );
                ing.dataset.incidents.len()
            }
        };
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_secs() - c);
    }
    println!(
        "{best} {} {result} {best_cpu} {}",
        svcreport::app::pipeline::peak_memory_kib().unwrap_or(0),
        svcreport::ingest::worker::WORKER_PEAK_KIB.load(std::sync::atomic::Ordering::Relaxed)
    );
}

fn measure(mode: &str, file: &Path) -> (f64, f64, usize, f64, f64) {
    let v = common::child_fields(&[mode], file);
    (
        v[0].parse().unwrap(),
        v[1].parse::<f64>().unwrap() / 1024.0,
        v[2].parse().unwrap(),
        v[3].parse().unwrap(),
        v[4].parse::<f64>().unwrap() / 1024.0,
    )
}

fn bench_workspace(dir: &Path) -> svcreport::workspace::Workspace {
    svcreport::workspace::Workspace::parse(
        dir,
        &dir.join("svcreport.toml"),
        "[workspace]\nname = \"bench\"\ninbox = [\"*.xlsx\"]\ncatalogue = []\n",
    )
    .unwrap()
}

fn batch(dir: &Path, files: &[PathBuf], threads: usize, workers: bool) -> f64 {
    let ws = bench_workspace(dir);
    let cat = catalogue();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let iso = isolation();
    let opts = IngestOptions {
        isolation: workers.then_some(&iso),
        ..IngestOptions::default()
    };
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let ing = pool.install(|| ingest::ingest(&ws, &cat, files, &opts));
        assert_eq!(ing.dataset.incidents.len(), files.len() * 20_000);
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    // `gen FILE ROWS`: only write the workbook (for profiling a child by hand).
    if args.get(1).map(String::as_str) == Some("gen") {
        generate(Path::new(&args[2]), args[3].parse().unwrap(), 42);
        return;
    }
    let rows: u32 = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("incidents.xlsx");
    let t = Instant::now();
    generate(&big, rows, 42);
    eprintln!(
        "generated {rows} rows × 14 columns: {} bytes in {:.1}s",
        std::fs::metadata(&big).unwrap().len(),
        t.elapsed().as_secs_f64()
    );
    let mut inputs = vec![("rust_xlsxwriter", big.clone())];
    let lo_dir = dir.path().join("lo");
    let lo = Command::new("soffice")
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&lo_dir)
        .arg(&big)
        .output();
    match lo {
        Ok(o) if o.status.success() && lo_dir.join("incidents.xlsx").exists() => {
            inputs.push(("LibreOffice re-saved", lo_dir.join("incidents.xlsx")))
        }
        _ => eprintln!("soffice not available or failed: LibreOffice copy skipped"),
    }
    println!(
        "| input | bare cells_reader | validated ingest | ratio (wall) | ratio (CPU) | bare peak | validated peak | rows accepted |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut worker_rows = Vec::new();
    for (label, f) in &inputs {
        let (bt, bm, cells, bc, _) = measure("bare", f);
        let (vt, vm, acc, vc, _) = measure("validated", f);
        let (wt, wm, wacc, _, wpeak) = measure("worker", f);
        assert_eq!(wacc, acc);
        println!(
            "| {label} ({cells} cells) | {bt:.3} s (CPU {bc:.2} s) | {vt:.3} s (CPU {vc:.2} s) | {:.2}× | {:.2}× | {bm:.1} MiB | {vm:.1} MiB | {acc} |",
            vt / bt,
            vc / bc
        );
        worker_rows.push(format!(
            "| {label} | {vt:.3} s | {wt:.3} s | {:+.1}% | {vm:.1} MiB | {wm:.1} MiB | {wpeak:.1} MiB |",
            (wt / vt - 1.0) * 100.0
        ));
    }
    println!();
    println!(
        "| input | validated, in this process | validated, in a worker | worker cost | peak (in process) | peak of the parent | peak of the worker |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in worker_rows {
        println!("{r}");
    }
    let mut files = Vec::new();
    for i in 0..10u64 {
        let p = dir.path().join(format!("t{i}.xlsx"));
        generate(&p, 20_000, 100 + i);
        files.push(p);
    }
    let seq = batch(dir.path(), &files, 1, false);
    let par = batch(dir.path(), &files, 2, false);
    let wseq = batch(dir.path(), &files, 1, true);
    let wpar = batch(dir.path(), &files, 2, true);
    println!();
    println!("| batch 10 × 20,000 rows | 1 thread | 2 threads | speed-up |");
    println!("|---|---:|---:|---:|");
    println!(
        "| ingest::ingest | {seq:.3} s | {par:.3} s | {:.2}× |",
        seq / par
    );
    println!(
        "| ingest::ingest, in workers | {wseq:.3} s | {wpar:.3} s | {:.2}× |",
        wseq / wpar
    );
}

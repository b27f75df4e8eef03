//! Import benchmark (issue 17 item 7): 200,000 incidents as
//! (1) our template workbook (xlsx, date cells), the reference;
//! (2) a ServiceNow-style CSV (raw field names, "3 - Moderate", text dates) read through the
//!     built-in `servicenow` profile (recognised by its header);
//! (3) the same ServiceNow-style data as an xlsx (text cells, as ServiceNow writes them),
//!     through the same profile.
//! Each is validated (`ingest::ingest`, as `check` reads the inbox), best of 3, in a child
//! process per measurement for its peak RSS (`VmHWM`). Targets: (2) at most 0.5× the time of
//! (1); (3) at most 1.1× the time of (1); every peak under 64 MiB. No assertion on time.
//!
//! Run: `cargo bench --bench import` (`-- --rows N` to change the size; `-- --keep DIR` writes
//! the three files to DIR and keeps them, so that one reading can be profiled alone:
//! `valgrind --tool=callgrind BENCH child DIR/servicenow.xlsx`).

mod common;
use common::Rng;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook};
use svcreport::ingest::profile::Profiles;
use svcreport::ingest::{self, IngestOptions};
use svcreport::model::catalogue::*;

/// One generated incident.
struct Row {
    id: String,
    customer: &'static str,
    service: &'static str,
    priority: usize,
    opened: NaiveDateTime,
    resolved: Option<NaiveDateTime>,
    state: usize,
    summary: String,
}

fn rows(n: u32) -> Vec<Row> {
    let mut rng = Rng(42);
    let base = NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (1..=n)
        .map(|r| {
            let opened = base + Duration::seconds(rng.below(31 * 86_400) as i64);
            let open = rng.below(100) < 13;
            let resolved =
                (!open).then(|| opened + Duration::seconds(60 + rng.below(200_000) as i64));
            Row {
                id: format!("INC{r:07}"),
                customer: ["acme", "globex"][rng.below(2) as usize],
                service: ["email", "erp"][rng.below(2) as usize],
                priority: rng.below(4) as usize,
                opened,
                resolved,
                state: if open { 0 } else { 1 + rng.below(2) as usize },
                summary: format!("summary of incident {r} {}", rng.below(1000)),
            }
        })
        .collect()
}

const OUR_PRIORITY: [&str; 4] = ["P1", "P2", "P3", "P4"];
const OUR_STATE: [&str; 3] = ["处理中", "已解决", "已关闭"];
const SN_PRIORITY: [&str; 4] = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"];
const SN_STATE: [&str; 3] = ["In Progress", "Resolved", "Closed"];
const SN_HEAD: [&str; 8] = [
    "number",
    "company",
    "business_service",
    "priority",
    "incident_state",
    "opened_at",
    "resolved_at",
    "short_description",
];

fn template_xlsx(path: &Path, rows: &[Row]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("事件").unwrap();
    let dt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in [
        "工单号",
        "客户",
        "服务",
        "优先级",
        "报告时间",
        "解决时间",
        "状态",
        "摘要",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let i = i as u32 + 1;
        ws.write_string(i, 0, &r.id).unwrap();
        ws.write_string(i, 1, r.customer).unwrap();
        ws.write_string(i, 2, r.service).unwrap();
        ws.write_string(i, 3, OUR_PRIORITY[r.priority]).unwrap();
        ws.write_datetime_with_format(i, 4, r.opened, &dt).unwrap();
        if let Some(t) = r.resolved {
            ws.write_datetime_with_format(i, 5, t, &dt).unwrap();
        }
        ws.write_string(i, 6, OUR_STATE[r.state]).unwrap();
        ws.write_string(i, 7, &r.summary).unwrap();
    }
    wb.save(path).unwrap();
}

fn sn_fields(r: &Row) -> [String; 8] {
    [
        r.id.clone(),
        r.customer.to_string(),
        r.service.to_string(),
        SN_PRIORITY[r.priority].to_string(),
        SN_STATE[r.state].to_string(),
        r.opened.format("%Y-%m-%d %H:%M:%S").to_string(),
        r.resolved
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        r.summary.clone(),
    ]
}

fn servicenow_csv(path: &Path, rows: &[Row]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "{}", SN_HEAD.join(",")).unwrap();
    for r in rows {
        writeln!(f, "{}", sn_fields(r).join(",")).unwrap();
    }
}

fn servicenow_xlsx(path: &Path, rows: &[Row]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Page 1").unwrap();
    for (c, h) in SN_HEAD.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in sn_fields(r).iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(i as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn catalogue() -> Catalogue {
    let customer = |id: &str| Customer {
        id: id.into(),
        name: id.into(),
        name_en: None,
        recipients: vec![],
    };
    let service = |id: &str| Service {
        id: id.into(),
        name: id.into(),
        name_en: None,
        calendar: "7x24".into(),
        customers: vec!["acme".into(), "globex".into()],
    };
    Catalogue {
        customers: vec![customer("acme"), customer("globex")],
        services: vec![service("email"), service("erp")],
        ..Catalogue::default()
    }
}

/// Child: `child FILE` → prints `best_secs peak_kib accepted`.
fn child(file: &Path) {
    let dir = file.parent().unwrap();
    let ws = svcreport::workspace::Workspace::parse(
        dir,
        &dir.join("svcreport.toml"),
        "[workspace]\nname = \"bench\"\ninbox = [\"*\"]\ncatalogue = []\n",
    )
    .unwrap();
    let cat = catalogue();
    let profiles = Profiles::builtin();
    let opts = IngestOptions {
        profiles: Some(&profiles),
        ..IngestOptions::default()
    };
    let mut best = f64::MAX;
    let mut accepted = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let ing = ingest::ingest(&ws, &cat, &[file.to_path_buf()], &opts);
        assert!(
            !ing.has_errors(),
            "{}",
            svcreport::findings::render_text(
                &ing.findings[..ing.findings.len().min(5)],
                svcreport::findings::Lang::En
            )
        );
        accepted = ing.dataset.incidents.len();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{best} {} {accepted}",
        svcreport::app::pipeline::peak_memory_kib().unwrap_or(0)
    );
}

fn measure(file: &Path) -> (f64, f64, usize) {
    let v = common::child_fields(&[], file);
    (
        v[0].parse().unwrap(),
        v[1].parse::<f64>().unwrap() / 1024.0,
        v[2].parse().unwrap(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(Path::new(&args[2]));
        return;
    }
    let n: u32 = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let tmp = tempfile::tempdir().unwrap();
    let keep = args
        .iter()
        .position(|a| a == "--keep")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    if let Some(k) = &keep {
        std::fs::create_dir_all(k).unwrap();
    }
    let dir = keep.as_deref().unwrap_or(tmp.path());
    let data = rows(n);
    let template = dir.join("incidents.xlsx");
    let csv = dir.join("servicenow.csv");
    let sn_xlsx = dir.join("servicenow.xlsx");
    template_xlsx(&template, &data);
    servicenow_csv(&csv, &data);
    servicenow_xlsx(&sn_xlsx, &data);
    let (tt, tm, ta) = measure(&template);
    let (ct, cm, ca) = measure(&csv);
    let (xt, xm, xa) = measure(&sn_xlsx);
    assert_eq!((ta, ca, xa), (n as usize, n as usize, n as usize));
    println!("| {n} incidents, validated | time | vs template xlsx | target | peak RSS |");
    println!("|---|---:|---:|---:|---:|");
    println!("| template xlsx (reference) | {tt:.3} s | 1.00× | | {tm:.1} MiB |");
    println!(
        "| ServiceNow CSV through the profile | {ct:.3} s | {:.2}× | ≤ 0.5× | {cm:.1} MiB |",
        ct / tt
    );
    println!(
        "| ServiceNow xlsx through the profile | {xt:.3} s | {:.2}× | ≤ 1.1× | {xm:.1} MiB |",
        xt / tt
    );
}

//! Big generated inputs for benchmarks: a 200,000-row incidents workbook and
//! a month's inbox of many workbooks (issue 2 item 11, issues 4 and 7).
//!
//! Depends on `ingest::schema` (headers), the demo catalogue's customers and
//! services ([`super::demo`]) and rust_xlsxwriter. Invariants: deterministic
//! for a seed (each workbook has its own derived seed, so a file does not
//! depend on how many others are written); every row is valid against the
//! demo catalogue for period 2026-10 (ids unique across the whole inbox,
//! customers served by their service, opened ≤ responded ≤ resolved ≤ closed);
//! one workbook is held in memory at a time.

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

use super::demo::{self, CUSTOMERS, SERVICES};
use super::{Rng, SampleError, SheetData, creation_time, write_file, write_workbook};
use crate::ingest::schema::INCIDENTS;

/// Columns of the big incidents sheet: the first 14 of the incidents dataset
/// (ticket id … summary; satisfaction left out).
pub const INCIDENT_COLUMNS: usize = 14;

/// A seed derived for one part (workbook `i`) of a generated inbox.
fn part_seed(seed: u64, i: u64) -> u64 {
    let mut r = Rng::new(seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
    r.next_u64()
}

/// Write one incidents workbook (sheet `事件`, Chinese headers, 14 columns) of
/// `rows` data rows opened in October 2026. Ticket ids are `INC-<prefix>-<n>`.
fn incidents_book(path: &Path, rows: u64, seed: u64, prefix: &str) -> Result<u64, SampleError> {
    let xl = |source: XlsxError| SampleError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    if rows > 1_048_575 {
        return Err(SampleError::Invalid(format!(
            "{}: {rows} rows do not fit one sheet (at most 1,048,575 data rows)",
            path.display()
        )));
    }
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_author("svcreport sample generator")
            .set_creation_datetime(&creation_time()),
    );
    let header = Format::new().set_bold();
    let dt_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let ws = wb.add_worksheet();
    ws.set_name(INCIDENTS.sheet_zh).map_err(xl)?;
    for (c, col) in INCIDENTS.columns.iter().take(INCIDENT_COLUMNS).enumerate() {
        ws.write_string_with_format(0, c as u16, col.zh, &header)
            .map_err(xl)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xl)?;

    let mut rng = Rng::new(seed);
    let month_start = NaiveDate::from_ymd_opt(2026, 10, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("2026-10-01 is a valid date");
    let month_secs = 31 * 24 * 3600;
    let weights_c: Vec<f64> = CUSTOMERS.iter().map(|c| c.weight).collect();
    let pri_names = ["P1", "P2", "P3", "P4"];
    let statuses = ["已关闭", "已解决", "处理中", "挂起"];
    for n in 0..rows {
        let r = n as u32 + 1;
        let c = &CUSTOMERS[rng.weighted(&weights_c)];
        let svcs: Vec<&demo::DemoService> = SERVICES
            .iter()
            .filter(|s| s.customers.contains(&c.id))
            .collect();
        let svc = *rng.pick(&svcs);
        let pri = rng.weighted(&[1.5, 9.0, 52.0, 37.5]);
        let opened: NaiveDateTime = month_start + Duration::seconds(rng.range(0, month_secs - 1));
        let responded = opened + Duration::seconds(rng.range(60, 4 * 3600));
        let resolved = responded + Duration::seconds(rng.range(300, 72 * 3600));
        let closed = resolved + Duration::seconds(rng.range(3600, 72 * 3600));
        let state = rng.weighted(&[80.0, 10.0, 7.0, 3.0]);
        let paused = if state == 3 || rng.chance(0.1) {
            rng.range(1, 60) * 10
        } else {
            0
        };
        ws.write_string(r, 0, format!("INC-{prefix}-{:07}", n + 1))
            .map_err(xl)?;
        ws.write_string(r, 1, c.name).map_err(xl)?;
        ws.write_string(r, 2, svc.name).map_err(xl)?;
        ws.write_string(r, 3, pri_names[pri]).map_err(xl)?;
        ws.write_datetime_with_format(r, 4, opened, &dt_fmt)
            .map_err(xl)?;
        ws.write_datetime_with_format(r, 5, responded, &dt_fmt)
            .map_err(xl)?;
        if state <= 1 {
            ws.write_datetime_with_format(r, 6, resolved, &dt_fmt)
                .map_err(xl)?;
        }
        if state == 0 {
            ws.write_datetime_with_format(r, 7, closed, &dt_fmt)
                .map_err(xl)?;
        }
        if paused > 0 {
            ws.write_number(r, 8, paused as f64).map_err(xl)?;
        }
        ws.write_string(r, 9, statuses[state]).map_err(xl)?;
        ws.write_string(
            r,
            10,
            if pri == 0 && rng.chance(0.3) {
                "是"
            } else {
                "否"
            },
        )
        .map_err(xl)?;
        ws.write_string(r, 11, *rng.pick(svc.categories))
            .map_err(xl)?;
        ws.write_string(r, 12, svc.group).map_err(xl)?;
        ws.write_string(r, 13, *rng.pick(svc.summaries))
            .map_err(xl)?;
    }
    let bytes = wb.save_to_buffer().map_err(xl)?;
    drop(wb);
    write_file(path, &bytes)?;
    Ok(bytes.len() as u64)
}

/// Write `path`: one incidents sheet of `rows` × 14 columns (the spec's incidents
/// dataset without satisfaction), customers and services of the demo catalogue,
/// period 2026-10. Returns the file size in bytes.
pub fn incidents_workbook(path: &Path, rows: u64, seed: u64) -> Result<u64, SampleError> {
    incidents_book(path, rows, part_seed(seed, 0), "B00")
}

/// What [`month_inbox`] wrote.
#[derive(Debug, Clone, Default)]
pub struct BigInbox {
    /// Every file written, sorted.
    pub files: Vec<PathBuf>,
    /// Incident rows per incidents workbook (same order as the `incidents-*.xlsx` files).
    pub incident_rows: Vec<u64>,
    /// Data rows of the other datasets' workbooks, by dataset name.
    pub other_rows: Vec<(&'static str, u64)>,
    pub bytes: u64,
}

/// Write a month's inbox (2026-10) into `dir`: `total_incident_rows` incidents
/// spread evenly over `workbooks` files `incidents-NN.xlsx`, plus one workbook
/// of each other dataset (outages, changes, requests, surveys, process KPIs,
/// supplier tickets, capacity) from the demo generators. Valid against the demo
/// catalogue (`demo::CATALOGUE_TOML`). Writes one workbook at a time.
pub fn month_inbox(
    dir: &Path,
    total_incident_rows: u64,
    workbooks: usize,
    seed: u64,
) -> Result<BigInbox, SampleError> {
    if workbooks == 0 {
        return Err(SampleError::Invalid(format!(
            "{}: at least one incidents workbook is needed",
            dir.display()
        )));
    }
    let mut out = BigInbox::default();
    let n = workbooks as u64;
    for w in 0..n {
        let rows = total_incident_rows / n + u64::from(w < total_incident_rows % n);
        let path = dir.join(format!("incidents-{:02}.xlsx", w + 1));
        out.bytes += incidents_book(
            &path,
            rows,
            part_seed(seed, w + 1),
            &format!("B{:02}", w + 1),
        )?;
        out.files.push(path);
        out.incident_rows.push(rows);
    }
    let mut rng = Rng::new(part_seed(seed, u64::MAX));
    let others: Vec<(&'static str, &str, SheetData)> = vec![
        (
            "outages",
            "outages.xlsx",
            demo::gen_outages(&mut rng, 2026, 10),
        ),
        (
            "changes",
            "changes.xlsx",
            demo::gen_changes(&mut rng, 2026, 10),
        ),
        (
            "requests",
            "requests.xlsx",
            demo::requests_sheet(&mut rng, (2026, 10)),
        ),
        (
            "surveys",
            "surveys.xlsx",
            demo::gen_surveys(&mut rng, 2026, 10),
        ),
        (
            "process_kpis",
            "process-kpis.xlsx",
            demo::gen_process_kpis(&mut rng, 2026, 10),
        ),
        (
            "supplier_tickets",
            "supplier-tickets.xlsx",
            demo::gen_supplier_tickets(&mut rng, 2026, 10),
        ),
        (
            "capacity",
            "capacity.xlsx",
            demo::gen_capacity(&mut rng, 2026, 10),
        ),
    ];
    for (ds, name, sheet) in others {
        let path = dir.join(name);
        out.bytes += write_workbook(&path, std::slice::from_ref(&sheet))?;
        out.other_rows.push((ds, sheet.rows.len() as u64));
        out.files.push(path);
    }
    out.files.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, DataType, Reader};

    fn read(path: &Path) -> calamine::Range<Data> {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
        wb.worksheet_range("事件").unwrap()
    }

    #[test]
    fn incidents_workbook_has_the_rows_and_columns_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.xlsx");
        incidents_workbook(&p, 500, 9).unwrap();
        let r = read(&p);
        assert_eq!(r.height(), 501);
        assert_eq!(r.width(), INCIDENT_COLUMNS);
        assert_eq!(r.get_value((0, 0)), Some(&Data::String("工单号".into())));
        assert_eq!(r.get_value((0, 13)), Some(&Data::String("摘要".into())));
        assert_eq!(
            r.get_value((500, 0)),
            Some(&Data::String("INC-B00-0000500".into()))
        );
        // Opened At is a real date cell in October 2026.
        let opened = r.get_value((1, 4)).unwrap().as_datetime().unwrap();
        assert_eq!(opened.date().format("%Y-%m").to_string(), "2026-10");
        // Deterministic: the same seed gives the same bytes, another seed does not.
        let q = dir.path().join("again.xlsx");
        incidents_workbook(&q, 500, 9).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&q).unwrap());
        incidents_workbook(&q, 500, 10).unwrap();
        assert_ne!(std::fs::read(&p).unwrap(), std::fs::read(&q).unwrap());
    }

    /// Peak resident memory of this process (Linux), KiB.
    fn vm_hwm_kib() -> Option<u64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// The benchmark-sized workbook: 200,000 × 14. Slow in a debug build, so
    /// ignored by default: `cargo test --lib big_200k -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn big_200k_workbook_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("incidents-200k.xlsx");
        let t = std::time::Instant::now();
        let bytes = incidents_workbook(&p, 200_000, 2026).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let hwm = vm_hwm_kib().unwrap_or(0);
        eprintln!(
            "200,000 rows: {:.1} MiB written in {secs:.1} s, peak RSS {:.0} MiB",
            bytes as f64 / 1048576.0,
            hwm as f64 / 1024.0
        );
        let r = read(&p);
        assert_eq!((r.height(), r.width()), (200_001, INCIDENT_COLUMNS));
        assert_eq!(
            r.get_value((200_000, 0)),
            Some(&Data::String("INC-B00-0200000".into()))
        );
    }

    #[test]
    fn month_inbox_spreads_rows_and_keeps_ids_unique() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = month_inbox(dir.path(), 1003, 4, 1).unwrap();
        assert_eq!(inbox.incident_rows, vec![251, 251, 251, 250]);
        assert_eq!(inbox.files.len(), 4 + 7);
        let mut ids = Vec::new();
        for i in 1..=4 {
            let r = read(&dir.path().join(format!("incidents-{i:02}.xlsx")));
            for row in r.rows().skip(1) {
                ids.push(row[0].to_string());
            }
        }
        assert_eq!(ids.len(), 1003);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 1003, "ticket ids unique across workbooks");
        assert!(inbox.other_rows.iter().all(|(_, n)| *n > 0));
    }
}

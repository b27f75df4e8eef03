//! Deterministic sample inputs: the bundled demo workspace (`samples/demo/`,
//! [`demo::write`]) and big generated inboxes for benchmarks ([`big`]).
//!
//! Depends only on the shared contracts (`ingest::schema` for the dataset
//! headers, `fsutil` for atomic writes) and rust_xlsxwriter; never on the
//! reader, the validator or the KPI engine, so a generated file is an
//! independent witness of what those must accept.
//!
//! Invariants: no clock and no OS randomness — every byte comes from a seed
//! through [`Rng`] (splitmix64), and every workbook carries the fixed
//! [`CREATION_TIME`], so the same call writes byte-identical files on every
//! run and machine. Text from the generator is always written as text (never
//! as a formula).

pub mod big;
pub mod demo;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{DocProperties, Format, Workbook, Worksheet, XlsxError};

use crate::ingest::schema::DatasetDef;

/// Failures of the generators (an output that cannot be written).
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("{path}: cannot write: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot build the workbook: {source}")]
    Xlsx { path: PathBuf, source: XlsxError },
    #[error("{0}")]
    Invalid(String),
}

/// The creation time written into every generated workbook (so bytes never depend on the clock).
pub fn creation_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("2026-01-01 00:00:00 is a valid date-time")
}

/// `CREATION_TIME` as text, for docs.
pub const CREATION_TIME: &str = "2026-01-01T00:00:00Z";

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[lo, hi)`.
    pub fn range_f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }
    /// Uniform integer in `[lo, hi]` (inclusive); `lo` when `hi < lo`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo + 1) as u64;
        lo + (self.next_u64() % span) as i64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// One element, uniformly. `items` must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = (self.next_u64() % items.len().max(1) as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }
    /// One element, uniformly, by value. `items` must not be empty.
    pub fn pick_copy<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }
    /// An index drawn with the given (non-negative) weights.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// One cell of a generated sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Blank,
    /// Written as a string cell (never a formula, even when it starts with `=`).
    Text(String),
    Num(f64),
    /// A real Excel date-time cell, format `yyyy-mm-dd hh:mm`.
    DateTime(NaiveDateTime),
    /// A real Excel date cell, format `yyyy-mm-dd`.
    Date(NaiveDate),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn opt_dt(t: Option<NaiveDateTime>) -> Cell {
        t.map_or(Cell::Blank, Cell::DateTime)
    }
}

/// One sheet to write: name, header row, data rows.
#[derive(Debug, Clone, Default)]
pub struct SheetData {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl SheetData {
    /// A sheet for dataset `def` with its Chinese sheet name and Chinese headers.
    pub fn zh(def: &DatasetDef) -> SheetData {
        SheetData {
            name: def.sheet_zh.to_string(),
            headers: def.columns.iter().map(|c| c.zh.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    /// A sheet for dataset `def` with its English sheet name and English headers.
    pub fn en(def: &DatasetDef) -> SheetData {
        SheetData {
            name: def.sheet_en.to_string(),
            headers: def.columns.iter().map(|c| c.en.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// Formats shared by one workbook.
struct Formats {
    header: Format,
    datetime: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

fn write_sheet(ws: &mut Worksheet, s: &SheetData, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(&s.name)?;
    for (c, h) in s.headers.iter().enumerate() {
        let col = c as u16;
        ws.write_string_with_format(0, col, h, &f.header)?;
        let width = 8.0 + h.chars().count() as f64 * 1.6;
        ws.set_column_width(col, width.clamp(10.0, 40.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in s.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Blank => {}
                Cell::Text(t) => {
                    ws.write_string(r, c, t)?;
                }
                Cell::Num(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Cell::DateTime(t) => {
                    ws.write_datetime_with_format(r, c, t, &f.datetime)?;
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, c, d, &f.date)?;
                }
            }
        }
    }
    Ok(())
}

/// Build a workbook from sheets (first sheet first) with the fixed creation time.
pub fn workbook_bytes(path: &Path, sheets: &[SheetData]) -> Result<Vec<u8>, SampleError> {
    let xl = |source| SampleError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_author("svcreport sample generator")
        .set_creation_datetime(&creation_time());
    wb.set_properties(&props);
    let f = Formats::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        write_sheet(ws, s, &f).map_err(xl)?;
    }
    wb.save_to_buffer().map_err(xl)
}

/// Build and write a workbook atomically; returns its size in bytes.
pub fn write_workbook(path: &Path, sheets: &[SheetData]) -> Result<u64, SampleError> {
    let bytes = workbook_bytes(path, sheets)?;
    write_file(path, &bytes)?;
    Ok(bytes.len() as u64)
}

/// Write bytes atomically, mapping the error to the path.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SampleError> {
    crate::fsutil::write_atomic(path, bytes).map_err(|source| SampleError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `YYYY-MM-DD HH:MM`, the text form providers type most.
pub fn fmt_dt(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference_values() {
        // Reference outputs of splitmix64 seeded with 0 (Vigna's C implementation).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn ranges_stay_inside_bounds() {
        let mut r = Rng::new(42);
        for _ in 0..10_000 {
            let x = r.range(3, 7);
            assert!((3..=7).contains(&x));
            let f = r.range_f(1.5, 2.5);
            assert!((1.5..2.5).contains(&f));
        }
        assert_eq!(r.range(5, 5), 5);
        assert_eq!(r.range(5, 1), 5);
    }

    #[test]
    fn weighted_follows_weights() {
        let mut r = Rng::new(7);
        let mut n = [0u32; 3];
        for _ in 0..30_000 {
            n[r.weighted(&[1.0, 0.0, 3.0])] += 1;
        }
        assert_eq!(n[1], 0);
        // Expected 7,500 : 22,500; allow 5 %.
        assert!((7_100..7_900).contains(&n[0]), "{n:?}");
    }

    #[test]
    fn same_sheets_give_identical_bytes_and_text_stays_text() {
        let p = Path::new("t.xlsx");
        let s = SheetData {
            name: "事件".into(),
            headers: vec!["工单号".into(), "摘要".into()],
            rows: vec![vec![Cell::text("INC1"), Cell::text("=1+1")]],
        };
        let a = workbook_bytes(p, std::slice::from_ref(&s)).unwrap();
        let b = workbook_bytes(p, std::slice::from_ref(&s)).unwrap();
        assert_eq!(a, b);
        // Read back: the summary is the literal text, not a formula.
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(a)).unwrap();
        let range = calamine::Reader::worksheet_range(&mut wb, "事件").unwrap();
        assert_eq!(
            range.get_value((1, 1)),
            Some(&calamine::Data::String("=1+1".into()))
        );
        let formulas = calamine::Reader::worksheet_formula(&mut wb, "事件").unwrap();
        assert!(formulas.used_cells().next().is_none());
    }
}

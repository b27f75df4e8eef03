//! Ingest: read provider workbooks (calamine) cell by cell into typed records
//! (`model::records`), findings and a row reconciliation per file and sheet.
//!
//! Depends on `model`, `findings`, `validate` and `workspace` only; never on
//! `kpi`, `report` or `render`. Invariants:
//! - never panics on input: an unreadable, encrypted, empty, oversized or
//!   foreign file is one finding (`ingest.*`) and the batch goes on; a reader
//!   panic is caught and becomes `ingest.unreadable`;
//! - nothing lost: per sheet `read == accepted + rejected + blank`, where
//!   `read` counts the rows below the header up to the last non-blank row,
//!   and a rejected row is one with at least one error finding;
//! - deterministic: files are processed in parallel (rayon) but results are
//!   ordered by file path, then sheet order, then row.
//!
//! Decisions (documented for providers):
//! - rows above the header row (merged titles) are not data and are not counted;
//! - a trailing 合计/总计/小计/Total/Sum row is a warning (`row.total`) and is
//!   counted as blank;
//! - hidden sheets are read like visible ones when they hold a dataset (with an
//!   information finding `sheet.hidden`), and skipped silently otherwise (they
//!   are usually the lists behind drop-downs);
//! - xlsx and xlsb are streamed with calamine's cell readers (one row in
//!   memory at a time, plus at most 7 batches of 1,024 cells when an xlsx parse
//!   runs on a thread of its own); `.xls` and `.ods` go through calamine's `Range`
//!   reader (calamine holds those workbooks whole; its vendored copy bounds them).
//!
//! Bounded reading: every count, size or index a file declares is a claim, never an
//! allocation size. Excel's limits bound what is read: a non-blank cell beyond row
//! 1,048,576 or column XFD, a row listed after a later one, or a sheet name over 255
//! characters is a `sheet.beyond_limits` finding; a cell over 32,767 characters (an id,
//! name or typed value over 255) is `value.too_long`, decided in constant time per cell
//! and, for a long shared string, once per string; a sheet listed twice is read once;
//! findings are bounded (`findings::limit`). So the cost of a read is linear in the
//! file's size, however its claims lie. Behind that, the run reads each file in a worker
//! process ([`worker`]) so that a bound missed costs one file, not the batch.

pub mod cell;
pub mod delivery;
pub mod events;
pub mod profile;
pub mod rows;
pub mod schema;
pub mod sheet;
pub mod text;
pub mod wire;
pub mod worker;

use std::borrow::Cow;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calamine::{
    Data, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx, XlsxCellReader,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::findings::limit::{Bounded, FileLimit};
use crate::findings::{CellRef, FileCount, FileKind, Finding, Message, SheetCount, TextPlace};
use crate::model::catalogue::Catalogue;
use crate::model::period::Period;
use crate::model::records::{Dataset, Origin};
use crate::workspace::Workspace;
use cell::{Raw, norm};
use rows::{Refs, RefsData, RowCtx, Texts};
use schema::DatasetDef;
use sheet::SheetName;

/// Excel's rows: a cell below row 1,048,576 is `sheet.beyond_limits`, never a size.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's columns (A–XFD): a cell right of XFD is `sheet.beyond_limits`.
pub const MAX_COLUMNS: u32 = 16_384;
/// Excel's characters per cell: a longer cell is `value.too_long` and not kept.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Characters of an id, a name, a reference or a typed value (`value.too_long` beyond).
pub const MAX_KEY_CHARS: usize = 255;
/// Characters of a sheet name (Excel allows 31; LibreOffice more): a longer one is
/// `sheet.beyond_limits` and the sheet is not read.
pub const MAX_SHEET_NAME_CHARS: usize = 255;

/// Failures of the ingest stage (not findings: the run cannot go on).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{root}: inbox pattern \"{pattern}\" is not a valid glob: {message}")]
    Pattern {
        root: PathBuf,
        pattern: String,
        message: String,
    },
    #[error("{path}: cannot list the inbox: {message}")]
    List { path: PathBuf, message: String },
}

/// Options of one ingest run.
#[derive(Clone, Copy)]
pub struct IngestOptions<'a> {
    /// The period being checked: records no figure of it can use are
    /// mentioned as information (`row.outside_period`), never rejected.
    pub period: Option<Period>,
    /// Largest declared uncompressed size of one zip entry (zip bombs).
    pub max_uncompressed_bytes: u64,
    /// Called with (files done, files total) as files finish.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// The workspace's timezone: a time written with `Z` or an offset is converted to it; a
    /// time without one is taken as local already.
    pub timezone: chrono_tz::Tz,
    /// The run's time: a file never arrived later than the run that first sees it.
    pub now: Option<chrono::NaiveDateTime>,
    /// Arrivals recorded by earlier runs, by (workspace-relative path, SHA-256).
    pub arrivals: Option<&'a std::collections::BTreeMap<(String, String), chrono::NaiveDateTime>>,
    /// Read each file in a worker process ([`worker`]); `None`: in this process.
    pub isolation: Option<&'a worker::Isolation>,
    /// Import profiles (the workspace's and the built-in ones); `None`: none apply.
    pub profiles: Option<&'a profile::Profiles>,
    /// Record how each sheet was mapped ([`FileRead::explained`], `check --explain-profile`).
    pub explain: bool,
}

impl Default for IngestOptions<'_> {
    fn default() -> Self {
        IngestOptions {
            period: None,
            max_uncompressed_bytes: 1024 * 1024 * 1024,
            progress: None,
            timezone: chrono_tz::Asia::Shanghai,
            now: None,
            arrivals: None,
            isolation: None,
            profiles: None,
            explain: false,
        }
    }
}

impl std::fmt::Debug for IngestOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("period", &self.period)
            .field("max_uncompressed_bytes", &self.max_uncompressed_bytes)
            .field("progress", &self.progress.is_some())
            .field("isolation", &self.isolation)
            .field("profiles", &self.profiles.map(|p| p.list.len()))
            .finish()
    }
}

/// Everything one run read: the validated records, every finding (sorted by
/// file, sheet order, row, column) and the reconciliation of every file.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub dataset: Dataset,
    pub findings: Vec<Finding>,
    pub files: Vec<FileCount>,
    /// Each file's delivery (period, arrival), by workspace-relative path.
    pub deliveries: std::collections::BTreeMap<String, delivery::Delivery>,
}

impl Ingested {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == crate::findings::Severity::Error)
    }
}

/// Where the id column of a sheet is (for `row.duplicate_id` findings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdColumn {
    pub file: String,
    pub sheet: String,
    pub dataset: &'static str,
    /// 0-based sheet column.
    pub col: u32,
    pub header: String,
}

/// One file's results before cross-file validation.
#[derive(Debug, Default)]
pub struct FileRead {
    pub dataset: Dataset,
    pub findings: Vec<Finding>,
    pub count: FileCount,
    pub id_columns: Vec<IdColumn>,
    /// The file's period and arrival.
    pub delivery: delivery::Delivery,
    /// The period its instructions sheet (说明) declares, if any.
    pub declared: Option<Period>,
    /// How each data sheet was mapped (only with [`IngestOptions::explain`]).
    pub explained: Vec<profile::SheetExplain>,
}

/// The inbox of a workspace: the workbooks its patterns name, and the entries refused.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Files to read, sorted, without duplicates.
    pub files: Vec<PathBuf>,
    /// `ingest.symlink` for each symbolic link not followed, broken, or leading outside the
    /// workspace (and for files a pattern finds outside it), sorted by path.
    pub refused: Vec<Finding>,
}

/// The inbox files of a workspace (its glob patterns), sorted, without duplicates.
pub fn inbox_files(ws: &Workspace) -> Result<Vec<PathBuf>, IngestError> {
    inbox(ws).map(|i| i.files)
}

/// Deepest folder level the inbox is searched to (a `**` pattern).
const INBOX_DEPTH: usize = 64;

/// The inbox of a workspace: every file its patterns match (a `*` never crosses a `/`;
/// `**` matches any number of folders), found by walking the folders without following
/// symbolic links. A link (to a file or a folder) is not read unless `follow_symlinks`
/// is set, and then only when it leads inside the workspace; each link not followed is an
/// `ingest.symlink` finding. Temporary Office files (`~$…`) are skipped.
pub fn inbox(ws: &Workspace) -> Result<Inbox, IngestError> {
    let root_real = std::fs::canonicalize(&ws.root).unwrap_or_else(|_| ws.root.clone());
    let mut w = Walk {
        ws,
        root_real,
        files: Vec::new(),
        refused: std::collections::BTreeMap::new(),
        visited: std::collections::BTreeSet::new(),
    };
    for pat in &ws.inbox {
        let full = ws.root.join(pat);
        let pattern =
            glob::Pattern::new(&full.to_string_lossy()).map_err(|e| IngestError::Pattern {
                root: ws.root.clone(),
                pattern: pat.clone(),
                message: e.to_string(),
            })?;
        // The folder the pattern starts in: its components before the first wildcard.
        let mut base = PathBuf::new();
        let mut rest = 0usize;
        let mut deep = false;
        for c in full.components() {
            let s = c.as_os_str().to_string_lossy();
            if rest == 0 && !s.contains(['*', '?', '[']) {
                base.push(c);
            } else {
                rest += 1;
                deep |= s == "**";
            }
        }
        if rest == 0 {
            // No wildcard: the pattern names one file.
            let Some(parent) = base.parent().map(Path::to_path_buf) else {
                continue;
            };
            w.entry(&parent, &base, &pattern, 0, 1)?;
            continue;
        }
        let depth = if deep { INBOX_DEPTH } else { rest };
        if let Ok(real) = std::fs::canonicalize(&base)
            && !real.starts_with(&w.root_real)
        {
            // A pattern reaching out of the workspace (`../shared/*.xlsx`).
            w.refused
                .insert(base.clone(), LinkProblem::OutsideWorkspace);
            continue;
        }
        w.dir(&base, &pattern, 1, depth)?;
    }
    let mut files = w.files;
    files.sort();
    files.dedup();
    let refused = w
        .refused
        .into_iter()
        .filter(|(p, _)| !files.contains(p))
        .map(|(p, problem)| Finding::new(Message::Symlink { problem }).file(ws.rel(&p)))
        .collect();
    Ok(Inbox { files, refused })
}

use crate::findings::LinkProblem;

/// The state of one inbox search.
struct Walk<'w> {
    ws: &'w Workspace,
    root_real: PathBuf,
    files: Vec<PathBuf>,
    refused: std::collections::BTreeMap<PathBuf, LinkProblem>,
    /// Folders entered through links (their real paths): a loop is entered once.
    visited: std::collections::BTreeSet<PathBuf>,
}

impl Walk<'_> {
    fn matches(pattern: &glob::Pattern, p: &Path) -> bool {
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        pattern.matches_path_with(p, opts)
    }

    /// Every entry of folder `dir` (at `level` below the pattern's base, of `depth`).
    fn dir(
        &mut self,
        dir: &Path,
        pattern: &glob::Pattern,
        level: usize,
        depth: usize,
    ) -> Result<(), IngestError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(IngestError::List {
                    path: dir.to_path_buf(),
                    message: e.to_string(),
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            self.entry(dir, &p, pattern, level, depth)?;
        }
        Ok(())
    }

    /// One folder entry.
    fn entry(
        &mut self,
        _dir: &Path,
        p: &Path,
        pattern: &glob::Pattern,
        level: usize,
        depth: usize,
    ) -> Result<(), IngestError> {
        let Ok(meta) = std::fs::symlink_metadata(p) else {
            return Ok(());
        };
        let temp = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("~$"));
        if meta.file_type().is_symlink() {
            let here = Self::matches(pattern, p);
            let target = std::fs::metadata(p);
            let below = level < depth;
            match target {
                Err(_) if here => {
                    self.refused.insert(p.to_path_buf(), LinkProblem::Broken);
                }
                Err(_) => {}
                Ok(t) if (t.is_file() && here && !temp) || (t.is_dir() && below) => {
                    if !self.ws.follow_symlinks {
                        self.refused
                            .insert(p.to_path_buf(), LinkProblem::NotFollowed);
                        return Ok(());
                    }
                    let real = match std::fs::canonicalize(p) {
                        Ok(r) if r.starts_with(&self.root_real) => r,
                        _ => {
                            self.refused
                                .insert(p.to_path_buf(), LinkProblem::OutsideWorkspace);
                            return Ok(());
                        }
                    };
                    if t.is_file() {
                        self.files.push(p.to_path_buf());
                    } else if self.visited.insert(real) {
                        self.dir(p, pattern, level + 1, depth)?;
                    }
                }
                Ok(_) => {}
            }
        } else if meta.is_dir() {
            if level < depth {
                self.dir(p, pattern, level + 1, depth)?;
            }
        } else if meta.is_file() && !temp && Self::matches(pattern, p) {
            self.files.push(p.to_path_buf());
        }
        Ok(())
    }
}

/// Read and validate `files` (in parallel), then apply the rules across files
/// (`validate::check`). Never fails: an unreadable file is a finding.
pub fn ingest(
    ws: &Workspace,
    cat: &Catalogue,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> Ingested {
    let refs_data = RefsData::of(cat);
    let refs = Refs::from_data(&refs_data);
    let total = files.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let _quiet = QuietPanics::install();
    let split = split_parse(files.len());
    let named: Vec<(String, PathBuf)> = files.iter().map(|p| (ws.rel(p), p.clone())).collect();
    let reads_in: Vec<FileRead> = match opts.isolation {
        Some(iso) if !named.is_empty() => {
            worker::read_files(&named, &refs, &refs_data, opts, iso, split)
        }
        _ => named
            .par_iter()
            .map(|(name, path)| {
                let r = read_one(name, path, &refs, opts, split);
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if let Some(p) = opts.progress {
                    p(n, total);
                }
                r
            })
            .collect(),
    };
    let mut reads: Vec<(String, FileRead)> = Vec::with_capacity(reads_in.len());
    for ((name, path), mut r) in named.into_iter().zip(reads_in) {
        // When the file arrived: what the ledger recorded, else its modification time (read
        // here, in the run: a worker only reads the workbook).
        let recorded = opts
            .arrivals
            .and_then(|a| a.get(&(name.clone(), r.count.sha256.clone())))
            .copied();
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        r.delivery.arrived = delivery::arrival(recorded, modified, opts.timezone, opts.now);
        reads.push((name, r));
    }
    reads.sort_by(|a, b| a.0.cmp(&b.0));
    finish(reads.into_iter().map(|(_, r)| r).collect())
}

/// Read one file from disk as [`ingest`] does (a file that cannot be opened is one
/// `ingest.unreadable`).
fn read_one(name: &str, path: &Path, refs: &Refs, opts: &IngestOptions, split: bool) -> FileRead {
    match read_path(name, path, refs, opts, split) {
        Ok(r) => r,
        Err(e) => {
            let mut r = FileRead::default();
            r.count.file = name.to_string();
            r.findings.push(
                Finding::new(Message::CannotRead {
                    error: e.to_string(),
                })
                .file(name),
            );
            r
        }
    }
}

/// SHA-256 (hex) and size of a file, in one streaming pass.
fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let len = std::io::copy(&mut file, &mut hasher)?;
    Ok((hex(&hasher.finalize()), len))
}

/// Read one file from disk in this process, recording how each sheet was mapped
/// (`check --explain-profile`).
pub fn read_path_explained(
    name: &str,
    path: &Path,
    cat: &Catalogue,
    opts: &IngestOptions,
) -> std::io::Result<(Ingested, Vec<profile::SheetExplain>)> {
    let refs = Refs::new(cat);
    let _quiet = QuietPanics::install();
    let mut r = read_path(name, path, &refs, opts, split_parse(1))?;
    let explained = std::mem::take(&mut r.explained);
    Ok((finish(vec![r]), explained))
}

/// Read one workbook from bytes (for tests, benches and `check FILE`),
/// including the within-file uniqueness rules.
pub fn read_bytes(
    display_name: &str,
    bytes: &[u8],
    cat: &Catalogue,
    opts: &IngestOptions,
) -> Ingested {
    let refs = Refs::new(cat);
    let _quiet = QuietPanics::install();
    finish(vec![read_file(
        display_name,
        bytes,
        &refs,
        opts,
        split_parse(1),
    )])
}

/// Whether each of `files` workbooks has its XML parsed on a thread of its own
/// ([`stream_sheet`]): when there are fewer files than cores, a core would idle otherwise (one
/// more thread per file being read; a single big workbook then takes about the time of the
/// bare parse). With as many files as cores, the files themselves keep every core busy.
fn split_parse(files: usize) -> bool {
    files < rayon::current_num_threads()
}

fn finish(reads: Vec<FileRead>) -> Ingested {
    let mut ing = Ingested::default();
    let mut ids = Vec::new();
    let mut parts = Vec::with_capacity(reads.len());
    for r in reads {
        let (by_path, other) = delivery::period_of(&r.count.file);
        if let (Some(folder), Some(named)) = (by_path, other) {
            ing.findings.push(
                Finding::new(Message::PeriodConflict {
                    folder: folder.to_string(),
                    named: named.to_string(),
                })
                .file(&r.count.file),
            );
        }
        // The folder, then the name, then the period the 说明 sheet declares.
        if let (Some(used), Some(declared)) = (by_path, r.declared)
            && used != declared
        {
            ing.findings.push(
                Finding::new(Message::DeclaredPeriodConflict {
                    used: used.to_string(),
                    declared: declared.to_string(),
                })
                .file(&r.count.file),
            );
        }
        let period = by_path.or(r.declared);
        ing.deliveries.insert(
            r.count.file.clone(),
            delivery::Delivery {
                period,
                arrived: r.delivery.arrived,
            },
        );
        parts.push(r.dataset);
        ing.findings.extend(r.findings);
        ing.files.push(r.count);
        ids.extend(r.id_columns);
    }
    ing.dataset = Dataset::concat(parts);
    // Never silent: a readable file from which no row was read is a warning.
    for f in &ing.files {
        if f.readable && f.sheets.iter().map(|s| s.read).sum::<u64>() == 0 {
            let datasets = f.sheets.iter().filter_map(|s| s.dataset.clone()).collect();
            ing.findings
                .push(Finding::new(Message::NoRows { datasets }).file(&f.file));
        }
    }
    // What was delivered for which period: every readable dataset sheet, even with no rows
    // (a delivered empty workbook means "nothing to report", a real figure).
    let mut entries = Vec::new();
    for f in &ing.files {
        let period = ing.deliveries.get(&f.file).and_then(|d| d.period);
        for sc in &f.sheets {
            if let Some(def) = sc
                .dataset
                .as_deref()
                .and_then(|n| schema::DATASETS.iter().find(|d| d.name == n))
            {
                entries.push((period, def.kind));
            }
        }
    }
    entries.sort();
    entries.dedup();
    ing.dataset.deliveries = Some(crate::model::records::Deliveries { entries });
    crate::validate::check(&mut ing, &ids);
    sort_findings(&mut ing);
    ing
}

/// Order findings by file (run order), sheet (workbook order), then place
/// ([`CellRef`]'s order: row, then column; a finding without a place first).
fn sort_findings(ing: &mut Ingested) {
    let file_pos = |f: &Finding| {
        ing.files
            .iter()
            .position(|c| Some(&c.file) == f.file.as_ref())
            .unwrap_or(usize::MAX)
    };
    let sheet_pos = |f: &Finding| {
        ing.files
            .iter()
            .find(|c| Some(&c.file) == f.file.as_ref())
            .and_then(|c| {
                c.sheets
                    .iter()
                    .position(|s| Some(&s.sheet) == f.sheet.as_ref())
            })
            .map_or(0, |p| p + 1)
    };
    let mut findings = std::mem::take(&mut ing.findings);
    // Stable: findings at the same place keep the order they were made in.
    findings.sort_by_cached_key(|f| (file_pos(f), sheet_pos(f), f.cell));
    ing.findings = findings;
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Read one file from disk: hashed in one streaming pass, then parsed from the
/// file itself, so a workbook is never held in memory whole (only calamine's
/// shared strings and the records are). `Err` only when the file cannot be
/// opened or read at all. `split`: parse the XML on a second thread ([`stream_sheet`]).
fn read_path(
    name: &str,
    path: &Path,
    refs: &Refs,
    opts: &IngestOptions,
    split: bool,
) -> std::io::Result<FileRead> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let len = std::io::copy(&mut file, &mut hasher)?;
    file.seek(SeekFrom::Start(0))?;
    let sha = hex(&hasher.finalize());
    let src = BufReader::with_capacity(64 * 1024, file);
    Ok(read_source(name, src, len, sha, refs, opts, split))
}

/// Read one workbook held in memory; reader panics are contained.
fn read_file(name: &str, bytes: &[u8], refs: &Refs, opts: &IngestOptions, split: bool) -> FileRead {
    let sha = hex(&Sha256::digest(bytes));
    read_source(
        name,
        Cursor::new(bytes),
        bytes.len() as u64,
        sha,
        refs,
        opts,
        split,
    )
}

fn read_source<RS: Read + Seek + Send>(
    name: &str,
    src: RS,
    len: u64,
    sha256: String,
    refs: &Refs,
    opts: &IngestOptions,
    split: bool,
) -> FileRead {
    let mut r = FileRead::default();
    r.count.file = name.to_string();
    r.count.sha256 = sha256;
    r.count.bytes = len;
    // The file's own name reaches the report's appendix.
    let base = name.rsplit('/').next().unwrap_or(name);
    r.findings
        .extend(unusual_name(base, TextPlace::FileName, name, None));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        IN_READ.with(|f| f.set(true));
        let mut inner = FileRead::default();
        let res = read_workbook(name, src, len, refs, opts, split, &mut inner);
        IN_READ.with(|f| f.set(false));
        (inner, res)
    }));
    match out {
        Ok((inner, res)) => {
            r.dataset = inner.dataset;
            r.findings.extend(inner.findings);
            r.count.sheets = inner.count.sheets;
            r.id_columns = inner.id_columns;
            r.declared = inner.declared;
            r.explained = inner.explained;
            match res {
                Ok(()) => r.count.readable = true,
                Err(f) => r.findings.push(f.file(name)),
            }
        }
        Err(panic) => {
            IN_READ.with(|f| f.set(false));
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            r.findings
                .push(Finding::new(Message::ReaderFailed { cause: msg }).file(name));
        }
    }
    r
}

enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

/// Classify the bytes and refuse hostile files before any reader inflates them.
#[allow(clippy::result_large_err)] // reason: cold path, at most one finding per file
/// What kind of file `src` is (and whether it is safe to open); leaves `src`
/// at its start.
fn sniff<RS: Read + Seek>(src: &mut RS, len: u64, max: u64) -> Result<Format, Finding> {
    let io_err = |e: std::io::Error| {
        Finding::new(Message::FileIo {
            error: e.to_string(),
        })
    };
    let corrupt = |e: zip::result::ZipError| {
        Finding::new(Message::Corrupt {
            error: e.to_string(),
        })
    };
    if len == 0 {
        return Err(Finding::new(Message::Empty));
    }
    let mut head = Vec::with_capacity(512);
    src.by_ref()
        .take(512)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    src.seek(SeekFrom::Start(0)).map_err(io_err)?;
    if head.starts_with(OLE_MAGIC) {
        // Old .xls files are small; the encryption marker may be anywhere.
        let mut bytes = Vec::new();
        src.read_to_end(&mut bytes).map_err(io_err)?;
        src.seek(SeekFrom::Start(0)).map_err(io_err)?;
        let needle: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
            return Err(Finding::new(Message::Encrypted));
        }
        return Ok(Format::Xls);
    }
    if !head.starts_with(b"PK") {
        let kind = if head.starts_with(b"%PDF") {
            FileKind::Pdf
        } else if std::str::from_utf8(&head).is_ok() {
            FileKind::PlainText
        } else {
            FileKind::Other
        };
        return Err(Finding::new(Message::NotASpreadsheet { kind }));
    }
    let mut zip = zip::ZipArchive::new(&mut *src).map_err(corrupt)?;
    let mut kind = None;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(corrupt)?;
        if f.size() > max {
            return Err(Finding::new(Message::TooLarge {
                part: f.name().unwrap_or_default().to_string(),
                bytes: f.size(),
                limit: max,
            }));
        }
        match f.name().as_deref().unwrap_or_default() {
            "xl/workbook.xml" => kind = Some(Format::Xlsx),
            "xl/workbook.bin" => kind = Some(Format::Xlsb),
            "content.xml" if kind.is_none() => kind = Some(Format::Ods),
            _ => {}
        }
    }
    drop(zip);
    src.seek(SeekFrom::Start(0)).map_err(io_err)?;
    kind.ok_or_else(|| {
        Finding::new(Message::NotASpreadsheet {
            kind: FileKind::Zip,
        })
    })
}

#[allow(clippy::result_large_err)] // reason: cold path, at most one finding per file
fn read_workbook<RS: Read + Seek + Send>(
    name: &str,
    mut cur: RS,
    len: u64,
    refs: &Refs,
    opts: &IngestOptions,
    split: bool,
    out: &mut FileRead,
) -> Result<(), Finding> {
    #[cfg(test)]
    if len == tests::PANIC_BYTES.len() as u64 {
        let mut b = Vec::new();
        let _ = cur.read_to_end(&mut b);
        if b == tests::PANIC_BYTES {
            panic!("injected reader failure");
        }
        let _ = cur.seek(SeekFrom::Start(0));
    }
    let choice = profile::for_file(opts.profiles, name);
    if let Some(p) = choice.chosen {
        out.findings.push(
            Finding::new(Message::ProfileChosen {
                profile: p.name.clone(),
                tool: p.tool.clone(),
                glob: choice.glob.clone(),
            })
            .file(name),
        );
        if !choice.also.is_empty() {
            out.findings.push(
                Finding::new(Message::ProfileAmbiguous {
                    chosen: p.name.clone(),
                    others: choice.also.iter().map(|o| o.name.clone()).collect(),
                })
                .file(name),
            );
        }
    }
    if text::is_text_name(name) {
        if len == 0 {
            return Err(Finding::new(Message::Empty));
        }
        return text::read_text(name, cur, refs, opts, choice.chosen, out);
    }
    let fmt = sniff(&mut cur, len, opts.max_uncompressed_bytes)?;
    let open_err = |e: &dyn std::fmt::Display| {
        let m = e.to_string();
        if m.to_ascii_lowercase().contains("password") || m.contains("ncrypt") {
            Finding::new(Message::Protected { detail: m })
        } else {
            Finding::new(Message::CannotOpen { error: m })
        }
    };
    let limit = FileLimit::new();
    let mut file_level = Bounded::new(&limit);
    // What the readers of whole workbooks (ods, xls) share.
    let range_ctx = RangeCtx {
        name,
        refs,
        opts,
        limit: &limit,
        profile: choice.chosen,
    };
    match fmt {
        Format::Xlsx => {
            let mut wb: Xlsx<_> = Xlsx::new(cur).map_err(|e| open_err(&e))?;
            for s in distinct_sheets(wb.sheets_metadata()) {
                let Some(mut st) =
                    SheetState::start(name, &s, refs, opts, &limit, choice.chosen, out)
                else {
                    continue;
                };
                let res = stream_sheet(&mut wb, &s.name, &mut st, split);
                st.finish(out);
                if let Err(e) = res {
                    file_level.push(
                        Finding::new(Message::SheetCutShort {
                            sheet: s.name.clone(),
                            error: e.to_string(),
                        })
                        .file(name)
                        .sheet(&s.name),
                    );
                }
            }
        }
        Format::Xlsb => {
            let mut wb: Xlsb<_> = Xlsb::new(cur).map_err(|e| open_err(&e))?;
            for s in distinct_sheets(wb.sheets_metadata()) {
                let Some(mut st) =
                    SheetState::start(name, &s, refs, opts, &limit, choice.chosen, out)
                else {
                    continue;
                };
                let res = stream_xlsb(&mut wb, &s.name, &mut st);
                st.finish(out);
                if let Err(e) = res {
                    file_level.push(
                        Finding::new(Message::SheetCutShort {
                            sheet: s.name.clone(),
                            error: e.to_string(),
                        })
                        .file(name)
                        .sheet(&s.name),
                    );
                }
            }
        }
        Format::Ods => {
            let wb: Ods<_> = Ods::new(cur).map_err(|e| open_err(&e))?;
            read_ranges(&range_ctx, wb, &mut file_level, out);
        }
        Format::Xls => {
            let wb: Xls<_> = Xls::new(cur).map_err(|e| open_err(&e))?;
            read_ranges(&range_ctx, wb, &mut file_level, out);
        }
    }
    out.findings.extend(file_level.finish(name, ""));
    out.findings.extend(limit.summaries(name));
    Ok(())
}

/// The sheets of a workbook, each name once (a name listed again is the same sheet: reading
/// it again would only repeat its rows and findings).
fn distinct_sheets(sheets: &[calamine::Sheet]) -> Vec<calamine::Sheet> {
    let mut seen = std::collections::HashSet::new();
    sheets
        .iter()
        .filter(|s| seen.insert(s.name.as_str()))
        .cloned()
        .collect()
}

/// Stream one xlsx sheet, one cell at a time, into `st`.
///
/// `split`: calamine parses the sheet's XML on a thread of its own and hands the cells over in
/// batches, while this thread types and checks them (the two halves of the work overlap;
/// parsing is the larger). Cells arrive in the same order either way, so the outcome is the
/// same; a reader error ends the sheet after the cells read before it, as without `split`.
fn stream_sheet<'a, RS: Read + Seek + Send>(
    wb: &'a mut Xlsx<RS>,
    sheet: &str,
    st: &mut SheetState<'a, '_>,
    split: bool,
) -> Result<(), calamine::XlsxError> {
    let mut rd = wb.worksheet_cells_reader(sheet)?;
    let dims = rd.dimensions();
    // Excel's own row limit bounds what a (hostile) declared dimension can reserve.
    st.row_hint = (dims.end.0.saturating_sub(dims.start.0) as usize).min(1 << 20);
    if !split {
        return pump(&mut rd, st);
    }
    /// Cells per hand-over: large enough that the channel costs nothing per cell, small
    /// enough that the batches in existence (at most 7 of 40 KiB) stay under 300 KiB.
    const BATCH: usize = 1024;
    type Batch<'b> = Vec<(u32, u32, Raw<'b>)>;
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch<'a>>(4);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch<'a>>();
        // The reader goes to the thread once it exists: if the system cannot give one, the
        // sheet is read here after all.
        let (reader_tx, reader_rx) = std::sync::mpsc::sync_channel::<XlsxCellReader<'a, RS>>(1);
        let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
            // A reader panic on this thread is a finding too (see `QuietPanics`).
            IN_READ.with(|f| f.set(true));
            let Ok(mut rd) = reader_rx.recv() else {
                return Ok(());
            };
            #[cfg(test)]
            if sheet == tests::PANIC_SHEET {
                panic!("injected parser-thread failure");
            }
            let mut batch = Vec::with_capacity(BATCH);
            let res = loop {
                match rd.next_cell() {
                    Ok(Some(c)) => {
                        let (row, col) = c.get_position();
                        batch.push((row, col, Raw::from_ref(c.get_value().clone())));
                        if batch.len() == BATCH {
                            let next = empty_rx
                                .try_recv()
                                .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                            if full_tx.send(std::mem::replace(&mut batch, next)).is_err() {
                                break Ok(());
                            }
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            if !batch.is_empty() {
                let _ = full_tx.send(batch);
            }
            res
        });
        let Ok(parser) = spawned else {
            return pump(&mut rd, st);
        };
        if let Err(back) = reader_tx.send(rd) {
            // The thread is gone before it started (it cannot be: it waits for the reader).
            let mut rd = back.0;
            return pump(&mut rd, st);
        }
        for mut batch in full_rx {
            for (row, col, v) in batch.drain(..) {
                st.push(row, col, v);
            }
            let _ = empty_tx.send(batch);
        }
        parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Every cell of `rd` into `st`, on this thread.
fn pump<'a, RS: Read + Seek>(
    rd: &mut XlsxCellReader<'a, RS>,
    st: &mut SheetState<'a, '_>,
) -> Result<(), calamine::XlsxError> {
    while let Some(c) = rd.next_cell()? {
        let (row, col) = c.get_position();
        st.push(row, col, Raw::from_ref(c.get_value().clone()));
    }
    Ok(())
}

/// Stream one xlsb sheet, one cell at a time, into `st` (calamine's cell reader: shared
/// strings borrowed, nothing held but the current record).
fn stream_xlsb<'a, RS: Read + Seek>(
    wb: &'a mut Xlsb<RS>,
    sheet: &str,
    st: &mut SheetState<'a, '_>,
) -> Result<(), calamine::XlsbError> {
    let mut rd = wb.worksheet_cells_reader(sheet)?;
    let dims = rd.dimensions();
    st.row_hint = dims.end.0.saturating_sub(dims.start.0) as usize;
    while let Some(c) = rd.next_cell()? {
        let (row, col) = c.get_position();
        st.push(row, col, Raw::from_ref(c.get_value().clone()));
    }
    Ok(())
}

/// What reading the sheets of one workbook shares.
struct RangeCtx<'x> {
    name: &'x str,
    refs: &'x Refs,
    opts: &'x IngestOptions<'x>,
    limit: &'x FileLimit,
    profile: Option<&'x profile::Profile>,
}

/// Formats calamine holds whole (xls, ods): each sheet as a calamine `Range`.
fn read_ranges<RS: Read + Seek, R: Reader<RS>>(
    ctx: &RangeCtx,
    mut wb: R,
    file_level: &mut Bounded,
    out: &mut FileRead,
) where
    R::Error: std::fmt::Display,
{
    let name = ctx.name;
    for s in distinct_sheets(wb.sheets_metadata()) {
        let Some(mut st) =
            SheetState::start(name, &s, ctx.refs, ctx.opts, ctx.limit, ctx.profile, out)
        else {
            continue;
        };
        match wb.worksheet_range(&s.name) {
            Ok(range) => {
                push_range(&mut st, &range);
                st.finish(out);
            }
            Err(e) => {
                st.finish(out);
                file_level.push(
                    Finding::new(Message::SheetUnreadable {
                        sheet: s.name.clone(),
                        error: e.to_string(),
                    })
                    .file(name)
                    .sheet(&s.name),
                );
            }
        }
    }
}

fn push_range<'a>(st: &mut SheetState<'a, '_>, range: &'a Range<Data>) {
    let Some((r0, c0)) = range.start() else {
        return;
    };
    st.row_hint = range.height();
    for (r, c, d) in range.used_cells() {
        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
            continue;
        };
        st.push(
            r0.saturating_add(r),
            c0.saturating_add(c),
            Raw::from_data(d),
        );
    }
}

/// Header rows are looked for among this many first non-blank rows.
const HEADER_SCAN: usize = 10;

/// Header cells longer than this (bytes) name no column: they are not copied or matched.
const HEADER_BYTES: usize = 256;

/// Headers a finding lists (`found: …`).
const FOUND_LISTED: usize = 20;

/// Text cells at least this long (bytes) are bounded and trimmed once ([`SheetState::long`]).
const LONG_TEXT: usize = 256;

enum Phase<'a> {
    /// Buffering the first non-blank rows to find the header.
    Detect(Vec<(u32, Vec<(u32, Raw<'a>)>)>),
    /// Reading data rows of a dataset.
    Data(Box<DataState>),
    /// Not a data sheet: cells are ignored.
    Ignore,
    /// The instructions sheet (说明): looked at for a declared period only.
    Instructions(delivery::Declared),
}

struct DataState {
    def: &'static DatasetDef,
    /// An event log's extra columns (`order_by`, then the event time and activity): the
    /// index of the cell holding each and its source column, when the sheet has it.
    extras: Vec<Option<(usize, u32)>>,
    header_row: u32,
    /// Dataset column index of each sheet column (by sheet column).
    map: Vec<Option<usize>>,
    /// Sheet column of each dataset column.
    cols: Vec<Option<u32>>,
    headers: Vec<String>,
    /// A required column is missing: every non-blank row is rejected.
    sheet_rejected: bool,
    last_row: Option<u32>,
    accepted: u64,
    rejected: u64,
    /// Rejected rows by the party (customer or supplier id) they name.
    rejected_parties: std::collections::BTreeMap<String, u64>,
    outside: u64,
    first_outside: Option<u32>,
}

/// What a long text cell is, decided once per text ([`SheetState::long`]).
#[derive(Clone, Copy)]
enum Long {
    /// Whitespace only.
    Blank,
    /// More than [`MAX_CELL_CHARS`] characters.
    OverLimit,
    /// The byte range of the text without surrounding whitespace.
    Trim(usize, usize),
}

impl Long {
    fn of(s: &str) -> Long {
        if s.len() > 4 * MAX_CELL_CHARS || s.chars().nth(MAX_CELL_CHARS).is_some() {
            return Long::OverLimit;
        }
        let t = s.trim_start();
        let start = s.len() - t.len();
        let t = t.trim_end();
        if t.is_empty() {
            Long::Blank
        } else {
            Long::Trim(start, start + t.len())
        }
    }
}

struct SheetState<'a, 'x> {
    file: &'x str,
    sheet: String,
    /// The file and sheet every record's `SourceRef` shares.
    origin: Arc<Origin>,
    /// Rows the sheet declares (its `dimension`): a claim, used only to bound how far the
    /// record vector grows at once ([`grow`]).
    row_hint: usize,
    hint: SheetName,
    hidden: bool,
    refs: &'x Refs,
    opts: &'x IngestOptions<'x>,
    phase: Phase<'a>,
    cur_row: Option<u32>,
    /// A row already reported as out of order (its further cells are dropped silently).
    out_of_order: Option<u32>,
    /// The current row's cells while the header is being looked for.
    cur: Vec<(u32, Raw<'a>)>,
    /// Non-blank cells of the current data row, and the first of them.
    row_cells: u32,
    first: Option<(u32, Raw<'a>)>,
    /// Reused per data row: cells by dataset column.
    cells: Vec<Raw<'a>>,
    dataset: Dataset,
    findings: Bounded,
    id_column: Option<IdColumn>,
    /// Long texts borrowed from the workbook's shared strings, by address: a string used
    /// in a million cells is measured and trimmed once.
    long: FxHashMap<(usize, usize), Long>,
    /// The kept texts of the sheet, shared.
    texts: Texts<'a>,
    /// A text file: rows are records, places are `line:column` ([`text::LineMap`]).
    lines: Option<text::LineMap>,
    /// The import profile the file's name chose (`files` globs), if any.
    profile: Option<&'x profile::Profile>,
    /// The profile the sheet is read through (the file's, or one its header row was
    /// recognised by), once the header is found.
    applied: Option<profile::Applied<'x>>,
    /// How the sheet was mapped (`check --explain-profile`).
    explained: Option<profile::SheetExplain>,
    /// An event log's tickets (profile `order_by`/`events`), built when the sheet ends.
    log: Option<events::EventLog<'a>>,
}

impl<'a, 'x> SheetState<'a, 'x> {
    /// `None` when the sheet is not read at all (chart sheets, 说明 …).
    fn start(
        file: &'x str,
        s: &calamine::Sheet,
        refs: &'x Refs,
        opts: &'x IngestOptions<'x>,
        limit: &FileLimit,
        profile: Option<&'x profile::Profile>,
        out: &mut FileRead,
    ) -> Option<SheetState<'a, 'x>> {
        if s.typ != SheetType::WorkSheet {
            return None;
        }
        // The profile names the sheet to read: the others are not read (and counted).
        if let Some(want) = profile.and_then(|p| p.sheet.as_deref())
            && norm(want) != norm(&s.name)
            && !s.name.is_empty()
        {
            out.count.sheets.push(SheetCount {
                sheet: s.name.clone(),
                ..SheetCount::default()
            });
            return None;
        }
        let mut findings = Bounded::new(limit);
        if s.name.chars().nth(MAX_SHEET_NAME_CHARS).is_some() {
            findings.push(
                Finding::new(Message::SheetNameTooLong {
                    name: crate::findings::clip(&s.name),
                    chars: s.name.chars().count() as u64,
                })
                .file(file),
            );
            out.findings.extend(findings.finish(file, ""));
            return None;
        }
        let hint = sheet::by_name(&s.name);
        // An instructions sheet is read for the period a provider may declare in it.
        let instructions =
            matches!(hint, SheetName::Skip) && delivery::is_instructions_sheet(&s.name);
        if matches!(hint, SheetName::Skip) && !instructions {
            out.count.sheets.push(SheetCount {
                sheet: s.name.clone(),
                ..SheetCount::default()
            });
            return None;
        }
        for f in unusual_name(&s.name, TextPlace::SheetName, file, Some(&s.name)) {
            findings.push(f);
        }
        Some(SheetState {
            file,
            sheet: s.name.clone(),
            origin: Arc::new(Origin {
                file: file.to_string(),
                sheet: s.name.clone(),
            }),
            row_hint: 0,
            hint,
            hidden: s.visible != SheetVisible::Visible,
            refs,
            opts,
            phase: if instructions {
                Phase::Instructions(delivery::Declared::default())
            } else {
                Phase::Detect(Vec::new())
            },
            cur_row: None,
            out_of_order: None,
            cur: Vec::new(),
            row_cells: 0,
            first: None,
            cells: Vec::new(),
            dataset: Dataset::default(),
            findings,
            id_column: None,
            long: FxHashMap::default(),
            texts: Texts::default(),
            lines: None,
            profile,
            applied: None,
            explained: None,
            log: None,
        })
    }

    /// How the sheet is mapped: the profile, each field's source, the columns left unused.
    fn explanation(
        &self,
        def: &'static DatasetDef,
        header_row: u32,
        header: &[(u32, Raw)],
        cols: &[Option<u32>],
        headers: &[String],
    ) -> profile::SheetExplain {
        let fields = def
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let source = match (cols[i], self.applied.as_ref().and_then(|a| a.constant(i))) {
                    (Some(col), _) => profile::Source::Column {
                        col,
                        header: headers[i].clone(),
                    },
                    (None, Some(k)) => profile::Source::Constant(k.to_string()),
                    (None, None) => profile::Source::None,
                };
                let rewritten = self.applied.as_ref().is_some_and(|a| a.rewrites(i));
                (c.name(), source, rewritten)
            })
            .collect();
        let unused = header
            .iter()
            .filter(|(col, _)| !cols.contains(&Some(*col)))
            .map(|(col, v)| (*col, header_text(v)))
            .filter(|(_, h)| !h.is_empty())
            .collect();
        profile::SheetExplain {
            sheet: self.sheet.clone(),
            dataset: def.name,
            profile: self
                .applied
                .as_ref()
                .map(|a| (a.profile.name.clone(), a.profile.tool.clone())),
            by_glob: self.profile.is_some(),
            header: self.row_ref(header_row),
            fields,
            unused,
        }
    }

    /// The one "sheet" of a text file (`ingest::text`): recognised by the file's stem
    /// (`incidents.csv`), its places given as `line:column`.
    fn start_text(
        file: &'x str,
        s: &calamine::Sheet,
        refs: &'x Refs,
        opts: &'x IngestOptions<'x>,
        limit: &FileLimit,
        profile: Option<&'x profile::Profile>,
        out: &mut FileRead,
    ) -> Option<SheetState<'a, 'x>> {
        let mut st = SheetState::start(file, s, refs, opts, limit, profile, out)?;
        st.hint = sheet::by_name(&text::text_stem(file));
        if matches!(st.hint, SheetName::Skip) {
            st.hint = SheetName::Unknown;
        }
        st.lines = Some(text::LineMap::default());
        Some(st)
    }

    /// The place of a cell (0-based row and column): `E14`, or `17:D` in a text file.
    fn cell_at(&self, row: u32, col: u32) -> CellRef {
        match &self.lines {
            Some(m) => CellRef::Line {
                line: m.line(row),
                col,
            },
            None => CellRef::at(row, col),
        }
    }

    /// The place of a whole row: `14`, or line `17` of a text file.
    fn row_ref(&self, row: u32) -> CellRef {
        match &self.lines {
            Some(m) => CellRef::Row { row: m.line(row) },
            None => CellRef::row_at(row),
        }
    }

    /// The 1-based row (or line) number of a 0-based row, as messages print it.
    fn row_number(&self, row: u32) -> u32 {
        match &self.lines {
            Some(m) => m.line(row),
            None => row.saturating_add(1),
        }
    }

    /// A text file's record `row` starts on `line`.
    fn record_line(&mut self, row: u32, line: u32) {
        if let Some(m) = &mut self.lines {
            m.record(row, line);
        }
    }

    /// A finding of this sheet at a cell.
    fn say_at(&mut self, m: Message, row: u32, col: u32) {
        let f = Finding::new(m).cell(self.cell_at(row, col));
        let f = self.sheet_finding(f);
        self.findings.push(f);
    }

    /// A text field: copied only when the sheet reader keeps it (header detection, a
    /// column of the dataset, a row's first cell for the total-row rule).
    fn push_text(&mut self, row: u32, col: u32, field: &str) {
        if let Phase::Data(ds) = &self.phase
            && self.cur_row == Some(row)
            && self.row_cells > 0
            && !matches!(ds.map.get(col as usize), Some(Some(_)))
        {
            if !cell::trim(field).is_empty() {
                self.row_cells += 1;
            }
            return;
        }
        if field.is_empty() {
            if self.cur_row != Some(row) {
                self.push(row, col, Raw::Empty);
            }
            return;
        }
        self.push(row, col, Raw::Text(Cow::Owned(field.to_string())));
    }

    /// A long text cell bounded: blank, too long, or trimmed (borrowed texts decided once
    /// per text, by address).
    fn long(&mut self, v: Raw<'a>) -> Raw<'a> {
        let apply = |l: Long, s: Cow<'a, str>, iso: bool| -> Raw<'a> {
            match l {
                Long::Blank => Raw::Empty,
                Long::OverLimit => Raw::TooLong,
                Long::Trim(a, b) => {
                    let t = match s {
                        Cow::Borrowed(s) => Cow::Borrowed(&s[a..b]),
                        Cow::Owned(s) => Cow::Owned(s[a..b].to_string()),
                    };
                    if iso { Raw::Iso(t) } else { Raw::Text(t) }
                }
            }
        };
        match v {
            Raw::Text(Cow::Borrowed(s)) => {
                let l = *self
                    .long
                    .entry((s.as_ptr() as usize, s.len()))
                    .or_insert_with(|| Long::of(s));
                apply(l, Cow::Borrowed(s), false)
            }
            Raw::Text(s) => {
                let l = Long::of(&s);
                apply(l, s, false)
            }
            Raw::Iso(s) => {
                let l = Long::of(&s);
                apply(l, s, true)
            }
            other => other,
        }
    }

    fn push(&mut self, row: u32, col: u32, v: Raw<'a>) {
        let v = match &v {
            Raw::Text(s) | Raw::Iso(s) if s.len() >= LONG_TEXT => self.long(v),
            _ => v,
        };
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            if !v.is_blank() {
                let f = Finding::new(Message::CellBeyondLimits).cell(self.cell_at(row, col));
                self.findings.push(self.sheet_finding(f));
            }
            return;
        }
        if self.cur_row != Some(row) {
            if let Some(cur) = self.cur_row
                && row < cur
            {
                // Excel writes rows in order; a row listed again after a later one would
                // make the row counts disagree. Not read.
                if !v.is_blank() && self.out_of_order != Some(row) {
                    self.out_of_order = Some(row);
                    let f = Finding::new(Message::RowOutOfOrder {
                        row: row + 1,
                        after: cur + 1,
                    })
                    .cell(self.row_ref(row));
                    self.findings.push(self.sheet_finding(f));
                }
                return;
            }
            self.flush_row();
            self.cur_row = Some(row);
        }
        if v.is_blank() {
            return;
        }
        if let Phase::Instructions(d) = &mut self.phase {
            match &v {
                Raw::Text(t) | Raw::Iso(t) => d.see(row, t),
                // Excel turns a typed "2026-10" into a date: its month.
                Raw::DateTime(x) => {
                    if let Some(t) = x.as_datetime() {
                        d.see_month(row, t.date());
                    }
                }
                _ => {}
            }
            return;
        }
        match &self.phase {
            Phase::Ignore | Phase::Instructions(_) => {}
            // The hot path: a data cell goes straight to its dataset column.
            Phase::Data(ds) => {
                if self.row_cells == 0 {
                    // Only a text cell can be a total label.
                    self.first = match &v {
                        Raw::Text(t) => Some((col, Raw::Text(t.clone()))),
                        _ => None,
                    };
                }
                self.row_cells += 1;
                if let Some(Some(i)) = ds.map.get(col as usize) {
                    self.cells[*i] = v;
                }
            }
            Phase::Detect(_) => self.cur.push((col, v)),
        }
    }

    fn flush_row(&mut self) {
        let Some(row) = self.cur_row else {
            return;
        };
        match &mut self.phase {
            Phase::Ignore | Phase::Instructions(_) => {}
            Phase::Detect(buf) => {
                if self.cur.is_empty() {
                    return;
                }
                buf.push((row, std::mem::take(&mut self.cur)));
                if buf.len() >= HEADER_SCAN {
                    self.decide();
                }
            }
            Phase::Data(_) => {
                if self.row_cells > 0 {
                    self.row_cells = 0;
                    let first = self.first.take();
                    self.data_row(row, first);
                }
            }
        }
    }

    fn sheet_finding(&self, f: Finding) -> Finding {
        f.file(self.file).sheet(&self.sheet)
    }

    /// Choose the header row and dataset from the buffered rows, then replay
    /// the rows below it as data.
    fn decide(&mut self) {
        let Phase::Detect(buf) = std::mem::replace(&mut self.phase, Phase::Ignore) else {
            return;
        };
        let texts = |cells: &[(u32, Raw)]| -> Vec<String> {
            cells.iter().map(|(_, v)| header_text(v)).collect()
        };
        // An import profile: the file's (by its name), else one the header row is
        // recognised by (its fingerprint); the header row is the one naming most of its fields.
        let mut by_header = None;
        if self.profile.is_none() {
            by_header = buf
                .iter()
                .find_map(|(_, cells)| profile::by_fingerprint(self.opts.profiles, &texts(cells)));
        }
        if let Some(p) = self.profile.or(by_header)
            && let Some(applied) = profile::Applied::new(p, self.opts.timezone)
            && !buf.is_empty()
        {
            let mut best = (0usize, 0usize);
            for (i, (_, cells)) in buf.iter().enumerate() {
                let s = profile::score(p, &texts(cells));
                if s > best.0 {
                    best = (s, i);
                }
            }
            if by_header.is_some() {
                let f = Finding::new(Message::ProfileChosen {
                    profile: p.name.clone(),
                    tool: p.tool.clone(),
                    glob: None,
                })
                .cell(self.row_ref(buf[best.1].0));
                self.findings.push(self.sheet_finding(f));
            }
            let def = applied.def;
            self.applied = Some(applied);
            let (header_row, header_cells) = &buf[best.1];
            let ds = self.setup(def, *header_row, header_cells);
            self.phase = Phase::Data(Box::new(ds));
            for (row, cells) in buf.into_iter().skip(best.1 + 1) {
                self.replay_row(row, cells);
            }
            return;
        }
        let chosen: Option<(&'static DatasetDef, usize)> = match self.hint {
            SheetName::Dataset(d) => {
                let mut best = (0usize, 0usize);
                for (i, (_, cells)) in buf.iter().enumerate() {
                    let s = sheet::score(d, &texts(cells));
                    if s > best.0 {
                        best = (s, i);
                    }
                }
                if buf.is_empty() {
                    None
                } else {
                    Some((d, best.1))
                }
            }
            _ => {
                let mut best: Option<(&'static DatasetDef, usize, usize)> = None;
                for (i, (_, cells)) in buf.iter().enumerate() {
                    if let Some((d, s)) = sheet::best_dataset(&texts(cells))
                        && best.is_none_or(|(_, bs, _)| s > bs)
                    {
                        best = Some((d, s, i));
                    }
                }
                best.map(|(d, _, i)| (d, i))
            }
        };
        let Some((def, hi)) = chosen else {
            if !buf.is_empty() && !self.hidden {
                let first: Vec<String> = texts(&buf[0].1)
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .take(8)
                    .map(|s| crate::findings::clip(&s))
                    .collect();
                // The closest dataset: the one a header row names most columns of, and why it
                // is not that one (its required columns missing); else the closest by name.
                let mut by_header: Option<(&'static DatasetDef, usize, usize)> = None;
                for (i, (_, cells)) in buf.iter().enumerate() {
                    let t = texts(cells);
                    for d in schema::DATASETS {
                        let s = sheet::score(d, &t);
                        if s > 0 && by_header.is_none_or(|(_, bs, _)| s > bs) {
                            by_header = Some((d, s, i));
                        }
                    }
                }
                let shown = if self.lines.is_some() {
                    text::text_stem(self.file)
                } else {
                    self.sheet.clone()
                };
                let (closest, missing) = match by_header {
                    Some((d, _, i)) => {
                        let t = texts(&buf[i].1);
                        let missing = d
                            .columns
                            .iter()
                            .filter(|c| {
                                c.required && !t.iter().any(|h| sheet::header_matches(h, c))
                            })
                            .map(|c| c.name())
                            .collect();
                        (Some(d.names()), missing)
                    }
                    None => (
                        sheet::closest_dataset(&shown).map(DatasetDef::names),
                        Vec::new(),
                    ),
                };
                let f = Finding::new(Message::SheetUnrecognised {
                    sheet: shown,
                    found: first,
                    closest,
                    datasets: schema::DATASETS.iter().map(|d| d.names()).collect(),
                    missing,
                });
                self.findings.push(self.sheet_finding(f));
            }
            return;
        };
        if self.hidden {
            let f = Finding::new(Message::SheetHidden {
                sheet: self.sheet.clone(),
                dataset: def.names(),
            });
            self.findings.push(self.sheet_finding(f));
        }
        let (header_row, header_cells) = &buf[hi];
        let ds = self.setup(def, *header_row, header_cells);
        self.phase = Phase::Data(Box::new(ds));
        for (row, cells) in buf.into_iter().skip(hi + 1) {
            self.replay_row(row, cells);
        }
    }

    fn setup(
        &mut self,
        def: &'static DatasetDef,
        header_row: u32,
        header: &[(u32, Raw)],
    ) -> DataState {
        let n = def.columns.len();
        let mut cols = vec![None; n];
        let mut headers = vec![String::new(); n];
        let mut map: Vec<Option<usize>> = Vec::new();
        let mut found = Vec::new();
        let mut unknown = Vec::new();
        for (col, v) in header {
            let h = header_text(v);
            if h.is_empty() {
                continue;
            }
            if found.len() < FOUND_LISTED {
                found.push(crate::findings::clip(&h));
            }
            let field = match &self.applied {
                // The profile's names first; the template's for fields it does not declare.
                Some(a) => a
                    .field_of(&h)
                    .or_else(|| sheet::match_column(def, &h).filter(|i| !a.declares(*i))),
                None => sheet::match_column(def, &h),
            };
            match field.map(|i| (i, cols[i])) {
                Some((i, None)) => {
                    cols[i] = Some(*col);
                    headers[i] = h;
                    // `col` < MAX_COLUMNS (`push`): the map holds at most 16,384 entries.
                    if map.len() <= *col as usize {
                        map.resize(*col as usize + 1, None);
                    }
                    map[*col as usize] = Some(i);
                }
                // A tool's export repeats headers (Jira), or holds two of a profile's
                // alternative headers: the first column is the field, said once per column.
                Some((i, Some(first))) if let Some(a) = &self.applied => {
                    let f = Finding::new(Message::DuplicateSourceColumn {
                        profile: a.profile.name.clone(),
                        field: def.columns[i].name(),
                        header: h.clone(),
                        first_header: headers[i].clone(),
                        first: self.cell_at(header_row, first),
                    })
                    .cell(self.cell_at(header_row, *col))
                    .column(h);
                    self.findings.push(self.sheet_finding(f));
                }
                Some((_, Some(first))) => {
                    let f = Finding::new(Message::DuplicateColumn {
                        header: h.clone(),
                        first: self.cell_at(header_row, first),
                    })
                    .cell(self.cell_at(header_row, *col))
                    .column(h);
                    self.findings.push(self.sheet_finding(f));
                }
                // A tool's other columns are not ours to judge.
                None if self.applied.is_some() => {}
                None => unknown.push((*col, h)),
            }
        }
        for (col, h) in unknown {
            let f = Finding::new(Message::UnknownColumn {
                header: h.clone(),
                dataset: def.names(),
                closest: sheet::closest_column(def, &h).map(|c| c.name()),
            })
            .cell(self.cell_at(header_row, col))
            .column(h);
            self.findings.push(self.sheet_finding(f));
        }
        let mut sheet_rejected = false;
        for (i, c) in def.columns.iter().enumerate() {
            if !c.required || cols[i].is_some() {
                continue;
            }
            if self
                .applied
                .as_ref()
                .is_some_and(|a| a.constant(i).is_some() || a.derives(c.key))
            {
                continue;
            }
            sheet_rejected = true;
            let unmatched: Vec<&str> = found
                .iter()
                .filter(|h| sheet::match_column(def, h).is_none())
                .map(String::as_str)
                .collect();
            let close = crate::suggest::closest(c.zh, unmatched.iter().copied())
                .or_else(|| crate::suggest::closest(c.en, unmatched.iter().copied()));
            let f = Finding::new(Message::MissingColumn {
                column: c.name(),
                header_row: header_row + 1,
                found: found.clone(),
                closest: close.map(str::to_string),
            })
            .cell(self.row_ref(header_row));
            self.findings.push(self.sheet_finding(f));
        }
        if let Some(key) = rows::id_key(def.kind)
            && let Some(i) = def.columns.iter().position(|c| c.key == key)
            && let Some(col) = cols[i]
        {
            self.id_column = Some(IdColumn {
                file: self.file.to_string(),
                sheet: self.sheet.clone(),
                dataset: def.name,
                col,
                header: headers[i].clone(),
            });
        }
        if self.opts.explain {
            self.explained = Some(self.explanation(def, header_row, header, &cols, &headers));
        }
        // An event log reads its order, time and activity columns besides the fields: in
        // cells after the dataset's own.
        let mut extras = Vec::new();
        let mut width = n;
        if let Some(a) = self.applied.as_ref().filter(|a| a.is_log()) {
            for h in a.log_headers() {
                let k = profile::header_key(h);
                let found = header
                    .iter()
                    .find(|(_, v)| profile::header_key(&header_text(v)) == k)
                    .map(|(c, _)| *c);
                extras.push(
                    found.map(|col| match map.get(col as usize).copied().flatten() {
                        Some(i) => (i, col),
                        None => {
                            if map.len() <= col as usize {
                                map.resize(col as usize + 1, None);
                            }
                            map[col as usize] = Some(width);
                            width += 1;
                            (width - 1, col)
                        }
                    }),
                );
            }
            self.log = Some(events::EventLog::default());
        }
        self.cells = vec![Raw::Empty; width];
        DataState {
            def,
            extras,
            header_row,
            map,
            cols,
            headers,
            sheet_rejected,
            last_row: None,
            accepted: 0,
            rejected: 0,
            rejected_parties: std::collections::BTreeMap::new(),
            outside: 0,
            first_outside: None,
        }
    }

    /// A buffered row (read while looking for the header) below the header.
    fn replay_row(&mut self, row: u32, cells: Vec<(u32, Raw<'a>)>) {
        let Phase::Data(ds) = &self.phase else {
            return;
        };
        let first = cells.first().cloned();
        for (col, v) in cells {
            if let Some(Some(i)) = ds.map.get(col as usize) {
                self.cells[*i] = v;
            }
        }
        self.data_row(row, first);
    }

    /// One non-blank row below the header, its cells already in `self.cells`
    /// (`first`: the row's first non-blank cell, for the total-row rule).
    /// Leaves `self.cells` empty for the next row.
    fn data_row(&mut self, row: u32, first: Option<(u32, Raw<'a>)>) {
        let row_number = self.row_number(row);
        let first_at = first.as_ref().map(|(col, _)| self.cell_at(row, *col));
        let Phase::Data(ds) = &mut self.phase else {
            return;
        };
        ds.last_row = Some(row);
        let skip = if let Some((_, Raw::Text(t))) = &first
            && let Some(at) = first_at
            && is_total(t)
        {
            let f = Finding::new(Message::TotalRow {
                row: row_number,
                label: t.trim().to_string(),
            })
            .file(self.file)
            .sheet(&self.sheet)
            .cell(at);
            self.findings.push(f);
            true
        } else if ds.sheet_rejected {
            ds.rejected += 1;
            if let Some(p) = rows::party_named(ds.def, &self.cells, self.refs) {
                *ds.rejected_parties.entry(p).or_default() += 1;
            }
            true
        } else {
            false
        };
        if skip {
            self.cells.fill(Raw::Empty);
            return;
        }
        if self.log.is_some() {
            self.log_row(row);
            return;
        }
        self.build_row(row, None);
    }

    /// An event log's row: taken into its ticket (the record is built when the sheet ends),
    /// or, without an id, built as it is (and rejected for the missing id).
    fn log_row(&mut self, row: u32) {
        let (Some(a), Phase::Data(ds), Some(log)) = (&self.applied, &mut self.phase, &mut self.log)
        else {
            return;
        };
        let id = a
            .field("ticket_id")
            .or_else(|| a.field("request_id"))
            .or_else(|| a.field("change_id"))
            .and_then(|i| cell::text_cow(&self.cells[i]).ok().flatten())
            .map(|t| t.into_owned());
        let Some(id) = id else {
            self.build_row(row, None);
            return;
        };
        let n_order = a.profile.order_by.len();
        let key: Vec<profile::OrderVal> = ds.extras[..n_order.min(ds.extras.len())]
            .iter()
            .map(|x| {
                x.map_or(profile::OrderVal::Empty, |(c, _)| {
                    a.order_value(&self.cells[c])
                })
            })
            .collect();
        let mut event = None;
        if a.profile.events.is_some()
            && let Some(Some((tc, tcol))) = ds.extras.get(n_order)
        {
            match a.to_time(&self.cells[*tc]) {
                Ok(Some(t)) => {
                    let act = ds
                        .extras
                        .get(n_order + 1)
                        .copied()
                        .flatten()
                        .and_then(|(c, _)| cell::text_cow(&self.cells[c]).ok().flatten())
                        .map(|t| a.activity_bits(&t))
                        .unwrap_or(0);
                    event = Some((t, act));
                }
                Ok(None) => {}
                Err(m) => {
                    // The row's time cannot be read: it is rejected and adds nothing.
                    ds.rejected += 1;
                    let f = Finding::new(*m)
                        .file(self.file)
                        .sheet(&self.sheet)
                        .cell(place(self.lines.as_ref(), row, *tcol));
                    self.findings.push(f);
                    self.cells.fill(Raw::Empty);
                    return;
                }
            }
        }
        log.absorb(&id, key, row, &self.cells, event);
        self.cells.fill(Raw::Empty);
    }

    /// Build the record of a row whose cells are in `self.cells` (an event log's ticket:
    /// its winning row, with the times its activities give).
    fn build_row(&mut self, row: u32, derived: Option<events::Derived>) {
        let Phase::Data(ds) = &mut self.phase else {
            return;
        };
        grow(&mut self.dataset, ds.def.kind, self.row_hint);
        let mut pre_errors = 0;
        if let Some(a) = &self.applied {
            for i in 0..ds.cols.len() {
                let Some(col) = ds.cols[i] else {
                    if let Some(c) = a.constant(i) {
                        self.cells[i] = Raw::Text(Cow::Owned(c.to_string()));
                    }
                    continue;
                };
                if a.is_missing(&self.cells[i]) {
                    self.cells[i] = Raw::Empty;
                    continue;
                }
                if !a.rewrites(i) {
                    continue;
                }
                let raw = std::mem::replace(&mut self.cells[i], Raw::Empty);
                match a.apply(i, raw) {
                    Ok(v) => self.cells[i] = v,
                    Err(m) => {
                        self.cells[i] = Raw::Refused;
                        pre_errors += 1;
                        let mut f = Finding::new(*m)
                            .file(self.file)
                            .sheet(&self.sheet)
                            .cell(place(self.lines.as_ref(), row, col));
                        if !ds.headers[i].is_empty() {
                            f = f.column(&ds.headers[i]);
                        }
                        self.findings.push(f);
                    }
                }
            }
            if let Some(d) = derived {
                let times = [
                    ("opened_at", d.opened),
                    ("responded_at", d.responded),
                    ("resolved_at", d.resolved),
                    ("fulfilled_at", d.resolved),
                    ("closed_at", d.closed),
                ];
                for (key, t) in times {
                    if let Some(i) = a.field(key) {
                        self.cells[i] = t.map_or(Raw::Empty, Raw::Local);
                    }
                }
                if let Some(i) = a.field("paused_minutes") {
                    self.cells[i] = Raw::Float(d.paused_secs as f64 / 60.0);
                }
            }
        }
        let mut ctx = RowCtx {
            def: ds.def,
            cells: &self.cells,
            cols: &ds.cols,
            headers: &ds.headers,
            row,
            file: self.file,
            sheet: &self.sheet,
            origin: &self.origin,
            refs: self.refs,
            timezone: self.opts.timezone,
            lines: self.lines.as_ref(),
            from_events: derived.is_some(),
            findings: &mut self.findings,
            texts: &mut self.texts,
            errors: pre_errors,
        };
        match rows::build(&mut ctx, &mut self.dataset, self.opts.period.as_ref()) {
            Some(in_period) => {
                ds.accepted += 1;
                if !in_period {
                    ds.outside += 1;
                    ds.first_outside.get_or_insert(row);
                }
            }
            None => {
                ds.rejected += 1;
                if let Some(p) = rows::party_named(ds.def, &self.cells, self.refs) {
                    *ds.rejected_parties.entry(p).or_default() += 1;
                }
            }
        }
        self.cells.fill(Raw::Empty);
    }

    fn finish(mut self, out: &mut FileRead) {
        self.flush_row();
        if matches!(self.phase, Phase::Detect(_)) {
            self.decide();
        }
        // An event log: each ticket's record from its winning row (and its activities).
        let mut superseded = 0;
        if let Some(log) = self.log.take() {
            superseded = log.superseded();
            if superseded > 0 {
                // Said, typed, so the reconciliation's "superseded" is not read as deliveries.
                let f = Finding::new(Message::SupersededInLog {
                    rows: superseded,
                    tickets: log.tickets(),
                });
                self.findings.push(self.sheet_finding(f));
            }
            let with_events = self
                .applied
                .as_ref()
                .is_some_and(|a| a.profile.events.is_some());
            for mut t in log.tickets {
                let derived = with_events.then(|| events::derive(&mut t.events));
                self.cells = t.cells;
                self.build_row(t.row, derived);
            }
        }
        let mut count = SheetCount {
            sheet: self.sheet.clone(),
            ..SheetCount::default()
        };
        if let Phase::Data(ds) = &self.phase {
            count.dataset = Some(ds.def.name.to_string());
            // Rows come in increasing order (`push`), so the data rows lie below the header.
            count.read = ds
                .last_row
                .map_or(0, |r| u64::from(r.saturating_sub(ds.header_row)));
            count.accepted = ds.accepted;
            count.rejected = ds.rejected;
            count.superseded = superseded;
            count.superseded_in_log = superseded;
            count.rejected_parties = ds.rejected_parties.clone();
            count.blank = count
                .read
                .saturating_sub(ds.accepted)
                .saturating_sub(ds.rejected)
                .saturating_sub(superseded);
            if ds.outside > 0
                && let Some(p) = self.opts.period
            {
                let f = Finding::new(Message::OutsidePeriod {
                    rows: ds.outside,
                    period: p.to_string(),
                    first_row: ds.first_outside.map_or(0, |r| self.row_number(r)),
                })
                .file(self.file)
                .sheet(&self.sheet);
                self.findings.push(f);
            }
        }
        if let Phase::Instructions(d) = &self.phase {
            out.declared = out.declared.or(d.found);
        }
        out.count.sheets.push(count);
        out.dataset.extend(std::mem::take(&mut self.dataset));
        out.findings
            .extend(self.findings.finish(self.file, &self.sheet));
        if let Some(c) = self.id_column.take() {
            out.id_columns.push(c);
        }
        if let Some(e) = self.explained.take() {
            out.explained.push(e);
        }
    }
}

/// The place of a cell: `E14`, or `17:D` in a text file (`lines`).
fn place(lines: Option<&text::LineMap>, row: u32, col: u32) -> CellRef {
    match lines {
        Some(m) => CellRef::Line {
            line: m.line(row),
            col,
        },
        None => CellRef::at(row, col),
    }
}

/// A header cell's text, or nothing when it is too long to name a column (not copied).
fn header_text(v: &Raw) -> String {
    match cell::text_cow(v) {
        Ok(Some(t)) if t.len() <= HEADER_BYTES => t.into_owned(),
        _ => String::new(),
    }
}

/// `value.unprintable` and `value.invisible` for a file or sheet name (they reach the
/// report's appendix): at most one of each.
fn unusual_name(name: &str, place: TextPlace, file: &str, sheet: Option<&str>) -> Vec<Finding> {
    let (missing, hidden) = crate::model::glyphs::unusual(name);
    let mut out = Vec::new();
    for m in [
        hidden.map(|ch| Message::Invisible { ch, place }),
        missing.map(|ch| Message::Unprintable { ch, place }),
    ]
    .into_iter()
    .flatten()
    {
        let mut f = Finding::new(m).file(file);
        if let Some(s) = sheet {
            f = f.sheet(s);
        }
        out.push(f);
    }
    out
}

/// Room for the next record of one dataset: when the vector is full it grows by its length
/// (at least 4,096), but never past the rows the sheet declares while below them, so a true
/// `dimension` gives a vector of exactly the right size and a false one (a 6 KB file that
/// declares a million rows) reserves no more than twice what is really read.
fn grow(d: &mut Dataset, kind: schema::DatasetKind, declared: usize) {
    fn g<T>(v: &mut Vec<T>, declared: usize) {
        if v.len() < v.capacity() {
            return;
        }
        let step = v.len().max(4096);
        let step = if v.len() < declared {
            step.min(declared - v.len())
        } else {
            step
        };
        v.reserve_exact(step);
    }
    use schema::DatasetKind as K;
    match kind {
        K::Incidents => g(&mut d.incidents, declared),
        K::Outages => g(&mut d.outages, declared),
        K::Changes => g(&mut d.changes, declared),
        K::Requests => g(&mut d.requests, declared),
        K::Surveys => g(&mut d.surveys, declared),
        K::ProcessKpis => g(&mut d.process_kpis, declared),
        K::SupplierTickets => g(&mut d.supplier_tickets, declared),
        K::Capacity => g(&mut d.capacity, declared),
    }
}

fn is_total(t: &str) -> bool {
    // Every data row passes here: ids, dates and numbers (anything with a
    // digit, or long text) are not total labels, without normalising.
    if t.len() > 24 || t.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let k: String = norm(t).chars().filter(|c| *c != ' ').collect();
    matches!(
        k.as_str(),
        "合计" | "总计" | "小计" | "total" | "sum" | "grandtotal" | "合计:" | "总计:"
    )
}

thread_local! {
    static IN_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

type Hook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

static HOOK: std::sync::Mutex<(usize, Option<std::sync::Arc<Hook>>)> =
    std::sync::Mutex::new((0, None));

/// While alive, panics inside a workbook reader print nothing (they become
/// `ingest.unreadable`); other panics go to the previous hook. The previous
/// hook is restored when the last guard drops (guards may nest and overlap
/// across threads).
struct QuietPanics;

impl QuietPanics {
    fn install() -> QuietPanics {
        let mut g = HOOK.lock().unwrap_or_else(|e| e.into_inner());
        if g.0 == 0 {
            let prev: std::sync::Arc<Hook> = std::sync::Arc::new(std::panic::take_hook());
            g.1 = Some(prev.clone());
            // `SVCREPORT_REPORT_PANICS`: say so on standard error (the fuzz harness counts
            // contained reader panics: each is a bug of the reader, even if contained).
            let report = std::env::var_os("SVCREPORT_REPORT_PANICS").is_some();
            std::panic::set_hook(Box::new(move |info| {
                if !IN_READ.with(|f| f.get()) {
                    prev(info);
                } else if report {
                    eprintln!("svcreport: contained reader panic: {info}");
                }
            }));
        }
        g.0 += 1;
        QuietPanics
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let mut g = HOOK.lock().unwrap_or_else(|e| e.into_inner());
        g.0 -= 1;
        if g.0 == 0
            && let Some(prev) = g.1.take()
        {
            let _ = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| prev(info)));
        }
    }
}

/// Paths given on the command line, relative to the workspace when inside it.
pub fn display_name(ws: &Workspace, p: &Path) -> String {
    ws.rel(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test-only bytes that make the reader panic (there is no known input
    /// that panics calamine 0.38, so the containment is proven by injection).
    pub(super) const PANIC_BYTES: &[u8] = b"svcreport: inject a reader panic";

    #[test]
    fn a_reader_panic_becomes_a_finding_and_the_hook_is_restored() {
        let cat = Catalogue::default();
        let ing = read_bytes("boom.xlsx", PANIC_BYTES, &cat, &IngestOptions::default());
        assert_eq!(ing.findings.len(), 1);
        let f = &ing.findings[0];
        assert_eq!(f.code, "ingest.unreadable");
        assert_eq!(f.file.as_deref(), Some("boom.xlsx"));
        let m = f.message(crate::findings::Lang::En);
        assert!(m.contains("injected reader failure"), "{m}");
        assert!(!ing.files[0].readable);
        assert_eq!(ing.files[0].bytes, PANIC_BYTES.len() as u64);
        // Outside a read, panics are not silenced (the flag is off again).
        assert!(!IN_READ.with(|f| f.get()));
    }

    /// A sheet of this name makes the parser thread panic (test-only injection).
    pub(super) const PANIC_SHEET: &str = "svcreport-parser-panic";

    fn demo_refs() -> Catalogue {
        crate::catalogue::parse_str("catalogue.toml", crate::sample::demo::CATALOGUE_TOML)
            .expect("the demo catalogue loads")
    }

    /// Everything a read produced, as text (records, findings, counts).
    fn outcome(r: &FileRead) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            r.dataset, r.findings, r.count, r.id_columns
        )
    }

    #[test]
    fn parsing_on_a_second_thread_changes_nothing() {
        let cat = demo_refs();
        let refs = Refs::new(&cat);
        let opts = IngestOptions {
            period: Period::parse("2026-10").ok(),
            ..IngestOptions::default()
        };
        let mistakes: &[u8] =
            include_bytes!("../../samples/demo/examples/incidents-with-mistakes.xlsx");
        let clean: &[u8] = include_bytes!("../../samples/demo/inbox/2026-10/incidents.xlsx");
        let broken = with_sheet_cut_short(clean);
        for (name, bytes) in [
            ("m.xlsx", mistakes),
            ("c.xlsx", clean),
            ("b.xlsx", &broken[..]),
        ] {
            let one = read_file(name, bytes, &refs, &opts, false);
            let two = read_file(name, bytes, &refs, &opts, true);
            assert_eq!(outcome(&one), outcome(&two), "{name}");
        }
        // What was read, both ways: the mistakes at their cells, every clean row, and the
        // rows before the break (well past one hand-over of 1,024 cells).
        let m = read_file("m.xlsx", mistakes, &refs, &opts, true);
        assert!(m.findings.iter().filter(|f| f.cell.is_some()).count() >= 10);
        let c = read_file("c.xlsx", clean, &refs, &opts, true);
        let rows = c.dataset.incidents.len();
        assert!(rows > 300, "{rows}");
        assert!(
            c.findings
                .iter()
                .all(|f| f.severity != crate::findings::Severity::Error)
        );
        let b = read_file("b.xlsx", &broken, &refs, &opts, true);
        let cut = b.dataset.incidents.len();
        assert!(cut > 1024 / 14 && cut < rows, "{cut} of {rows}");
        assert!(
            b.findings.iter().any(|f| matches!(
                f.detail(),
                crate::findings::Message::SheetCutShort { .. }
            ) && f
                .message(crate::findings::Lang::En)
                .contains("could not be read to its end")),
            "{:?}",
            b.findings
        );
    }

    /// The workbook with its largest sheet's XML cut at two thirds (a valid zip whose sheet
    /// ends inside the data: calamine reports an error after the cells before the cut).
    fn with_sheet_cut_short(xlsx: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut zin = zip::ZipArchive::new(Cursor::new(xlsx)).expect("a zip");
        let mut entries = Vec::new();
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).expect("entry");
            let name = f.name().expect("entry name").to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("inflate");
            entries.push((name, data));
        }
        let data_sheet = entries
            .iter()
            .filter(|(n, _)| n.starts_with("xl/worksheets/"))
            .max_by_key(|(_, d)| d.len())
            .map(|(n, _)| n.clone())
            .expect("a worksheet");
        let mut zout = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, mut data) in entries {
            if name == data_sheet {
                data.truncate(data.len() * 2 / 3);
            }
            zout.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            zout.write_all(&data).expect("write");
        }
        zout.finish().expect("zip").into_inner()
    }

    #[test]
    fn a_panic_on_the_parser_thread_becomes_a_finding() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(PANIC_SHEET).expect("sheet name");
        ws.write_string(0, 0, "工单号").expect("cell");
        let bytes = wb.save_to_buffer().expect("workbook");
        let cat = Catalogue::default();
        let refs = Refs::new(&cat);
        let _quiet = QuietPanics::install();
        let r = read_file("p.xlsx", &bytes, &refs, &IngestOptions::default(), true);
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].code, "ingest.unreadable");
        let m = r.findings[0].message(crate::findings::Lang::En);
        assert!(m.contains("injected parser-thread failure"), "{m}");
        assert!(!r.count.readable);
    }
}

//! The batch pipeline shared by `render`, `run`, `approve` and `audit`:
//! workspace → catalogue → calendars → inbox → ingest → KPIs (with history) →
//! reports due → build → render → publish (files, archive, ledger).
//!
//! This is orchestration (`app`), the one place that imports every stage.
//! Invariants:
//! - the workspace is locked ([`Session::open`]) for every command that writes;
//! - every output goes through `fsutil::write_atomic` (or the write-once
//!   archive), and the ledger is written in one transaction *after* the files
//!   exist, so a killed run leaves no document row without its files and no
//!   partial file under a published name;
//! - everything a document was built from (inputs, settings, catalogue,
//!   templates, holiday files, the KPI history and timeliness rows, and the
//!   report model itself) is archived by content hash, so [`rebuild`] can
//!   produce the same document later from the archive alone;
//! - time comes from `clock` only; identical inputs and `--now` give
//!   identical bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDateTime;

use crate::archive::{Archive, sanitize_component, sha256_hex};
use crate::catalogue;
use crate::clock::{self, RunTime};
use crate::findings::{FileCount, Finding, Severity};
use crate::fsutil::{self, WorkspaceLock};
use crate::ingest;
use crate::kpi::{self, KpiInput, KpiResults};
use crate::ledger::{
    DocFile, DocRecord, DocVersion, InputRecord, Ledger, NewDocument, RunRecord, SourceRecord,
    VersionDecision, decide_version,
};
use crate::model::calendar::Calendars;
use crate::model::catalogue::{Catalogue, HolidaySource, OutputFormat, ReportSpec};
use crate::model::period::Period;
use crate::render::RenderOptions;
use crate::report::{self, DocStatus, ReportDoc};
use crate::workspace::Workspace;

/// How many earlier periods feed trends (the internal report shows 3, 6 and 12).
pub const HISTORY_PERIODS: usize = 12;
/// How long a command waits for another one holding the workspace lock.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);
/// The tool version written into documents and the ledger.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A local date-time as stored in the ledger and shown in documents.
pub fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Parse [`iso`] back.
pub fn parse_iso(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()
}

/// Workspace, catalogue and calendars, loaded and validated.
pub struct Env {
    pub ws: Workspace,
    pub cat: Catalogue,
    pub cals: Calendars,
    pub time: RunTime,
}

impl Env {
    /// Load a workspace folder and resolve the run's time.
    pub fn load(dir: &Path, now: Option<&str>) -> anyhow::Result<Env> {
        let ws = Workspace::load(dir)?;
        Self::from_workspace(ws, now)
    }

    pub fn from_workspace(ws: Workspace, now: Option<&str>) -> anyhow::Result<Env> {
        let time = clock::resolve(now, ws.timezone)?;
        let cat = catalogue::load(&ws)?;
        let cals = Calendars::from_catalogue(&cat, &ws.root)?;
        Ok(Env {
            ws,
            cat,
            cals,
            time,
        })
    }

    pub fn now(&self) -> NaiveDateTime {
        self.time.local()
    }

    pub fn template_dir(&self) -> PathBuf {
        self.ws.root.join("templates")
    }
}

/// A locked workspace with its ledger: what every writing command works in.
pub struct Session {
    pub env: Env,
    pub ledger: Ledger,
    pub archive: Archive,
    _lock: WorkspaceLock,
}

impl Session {
    /// Load the workspace, take its lock (waiting up to [`LOCK_WAIT`], saying
    /// so on stderr), open the ledger and sweep temporaries a killed run left.
    pub fn open(dir: &Path, now: Option<&str>, quiet: bool) -> anyhow::Result<Session> {
        let ws = Workspace::load(dir)?;
        let lock = WorkspaceLock::acquire(&ws.root, LOCK_WAIT, &|p| {
            if !quiet {
                eprintln!(
                    "waiting for another svcreport command on this workspace to finish ({})…",
                    p.display()
                );
            }
        })?;
        let env = Env::from_workspace(ws, now)?;
        fsutil::remove_stale_temps(&env.ws.output).with_context(|| {
            format!("{}: cannot sweep temporary files", env.ws.output.display())
        })?;
        let state = env.ws.root.join(crate::ledger::STATE_DIR);
        fsutil::remove_stale_temps(&state)
            .with_context(|| format!("{}: cannot sweep temporary files", state.display()))?;
        let _ = std::fs::remove_dir_all(state.join("work"));
        let ledger = Ledger::open(&env.ws.root)?;
        let archive = Archive::new(&env.ws.root);
        Ok(Session {
            env,
            ledger,
            archive,
            _lock: lock,
        })
    }
}

/// The inbox read and validated.
pub struct Inputs {
    /// Absolute paths, sorted.
    pub files: Vec<PathBuf>,
    pub ingested: ingest::Ingested,
}

impl Inputs {
    pub fn count(&self, s: Severity) -> usize {
        self.ingested
            .findings
            .iter()
            .filter(|f| f.severity == s)
            .count()
    }
}

/// Read every inbox file (in parallel inside `ingest`).
pub fn read_inbox(
    env: &Env,
    period: Option<Period>,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> anyhow::Result<Inputs> {
    let files = ingest::inbox_files(&env.ws)?;
    let opts = ingest::IngestOptions {
        period,
        max_uncompressed_bytes: env.ws.max_uncompressed_bytes,
        progress,
    };
    let ingested = ingest::ingest(&env.ws, &env.cat, &files, &opts);
    Ok(Inputs { files, ingested })
}

/// KPI results of `period`, with the history its trends come from (earlier
/// periods of the same frequency, oldest first: the ledger's recorded results
/// first, else computed from the data).
pub fn results_with_history(
    env: &Env,
    ledger: Option<&Ledger>,
    data: &crate::model::records::Dataset,
    period: Period,
) -> anyhow::Result<(KpiResults, Vec<KpiResults>)> {
    let mut history = Vec::new();
    for p in period.previous(HISTORY_PERIODS) {
        let stored = match ledger {
            Some(l) => l.results_for(&p.to_string())?,
            None => None,
        };
        let r = match stored {
            Some(r) => Some(r),
            // A period the inputs do not cover has no figures (not 100 %).
            None if !kpi::data_covers(data, &p) => None,
            None => kpi::compute(&KpiInput {
                catalogue: &env.cat,
                calendars: &env.cals,
                data,
                period: p,
                history: &[],
            })
            .ok(),
        };
        history.extend(r.map(|mut r| {
            // Trends need each target's figure and status, not its tickets.
            r.cap_missed(0);
            r
        }));
    }
    // Normalise through JSON so a rebuild from the archived history sees the
    // very same numbers the original build saw.
    let history: Vec<KpiResults> = serde_json::from_slice(&serde_json::to_vec(&history)?)?;
    let mut results = kpi::compute(&KpiInput {
        catalogue: &env.cat,
        calendars: &env.cals,
        data,
        period,
        history: &history,
    })?;
    // What a document can list; the ledger keeps the same.
    results.cap_missed(report::build::BREACH_ROWS);
    Ok((results, history))
}

/// The document state a build is made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub version: DocVersion,
    pub status: DocStatus,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub supersedes: Option<DocVersion>,
}

impl State {
    pub fn draft(version: DocVersion, supersedes: Option<DocVersion>) -> State {
        State {
            version,
            status: DocStatus::Draft,
            reviewed_by: None,
            reviewed_at: None,
            approved_by: None,
            approved_at: None,
            supersedes,
        }
    }

    pub fn of(d: &DocRecord) -> State {
        State {
            version: d.version,
            status: d.status,
            reviewed_by: d.reviewed_by.clone(),
            reviewed_at: d.reviewed_at.clone(),
            approved_by: d.approved_by.clone(),
            approved_at: d.approved_at.clone(),
            supersedes: d.supersedes,
        }
    }

    fn to_report(&self) -> report::DocState {
        report::DocState {
            version: self.version.to_string(),
            status: self.status,
            reviewed_by: self.reviewed_by.clone(),
            reviewed_at: self.reviewed_at.as_deref().and_then(parse_iso),
            approved_by: self.approved_by.clone(),
            approved_at: self.approved_at.as_deref().and_then(parse_iso),
            supersedes: self.supersedes.map(|v| v.to_string()),
        }
    }
}

/// What a document is built from (everything but its state).
pub struct BuildInput<'a> {
    pub env: &'a Env,
    pub spec: &'a ReportSpec,
    pub period: Period,
    pub results: &'a KpiResults,
    pub history: &'a [KpiResults],
    pub inputs: &'a [FileCount],
    pub findings: &'a [Finding],
    pub timeliness: &'a [report::TimelinessRow],
    pub template: &'a report::template::Template,
    pub generated_at: NaiveDateTime,
}

/// Build a document with a state; its `content_hash` is filled in.
pub fn build(b: &BuildInput<'_>, state: &State) -> anyhow::Result<ReportDoc> {
    let count = |s: Severity| b.findings.iter().filter(|f| f.severity == s).count();
    let ctx = report::BuildContext {
        organisation: &b.env.ws.organisation,
        catalogue: &b.env.cat,
        spec: b.spec,
        period: b.period,
        results: b.results,
        history: b.history,
        inputs: b.inputs,
        findings: report::FindingCounts {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
        },
        timeliness: b.timeliness,
        state: state.to_report(),
        generated_at: b.generated_at,
        template: b.template,
    };
    let mut doc =
        report::build(&ctx).with_context(|| format!("report {} for {}", b.spec.id, b.period))?;
    if doc.meta.content_hash.is_empty() {
        doc.meta.content_hash = report::content_hash(&doc);
    }
    Ok(doc)
}

/// Render options of a report; `generated_at` is a local time of the workspace timezone.
pub fn render_options(env: &Env, spec: &ReportSpec, generated_at: NaiveDateTime) -> RenderOptions {
    use chrono::{Offset, TimeZone};
    let tz = env.ws.timezone;
    // The offset in force at that local time, so `created.naive_local()` is `generated_at`
    // itself (a time in a DST gap, which no recorded instant gives, takes the offset of the
    // same wall time read as UTC).
    let offset = match tz.offset_from_local_datetime(&generated_at) {
        chrono::LocalResult::Single(o) | chrono::LocalResult::Ambiguous(o, _) => o.fix(),
        chrono::LocalResult::None => tz.offset_from_utc_datetime(&generated_at).fix(),
    };
    RenderOptions {
        created: offset.from_local_datetime(&generated_at).single(),
        template_dir: env.template_dir(),
        template: spec.template.clone(),
        fonts: env.ws.fonts.clone(),
        tagged_pdf: false,
    }
}

/// Render one format.
pub fn render_one(doc: &ReportDoc, f: OutputFormat, ro: &RenderOptions) -> anyhow::Result<Vec<u8>> {
    Ok(match f {
        OutputFormat::Pdf => crate::render::pdf::render(doc, ro)
            .with_context(|| format!("{}: PDF", doc.meta.doc_number))?,
        OutputFormat::Xlsx => crate::render::xlsx::render(doc, ro)
            .with_context(|| format!("{}: Excel", doc.meta.doc_number))?,
    })
}

/// `doc` rendered in each of `formats`, each with its published name (`name`).
fn render_files(
    doc: &ReportDoc,
    formats: &[OutputFormat],
    ro: &RenderOptions,
    name: impl Fn(OutputFormat) -> String,
) -> anyhow::Result<Vec<(OutputFormat, String, Vec<u8>)>> {
    formats
        .iter()
        .map(|&f| Ok((f, name(f), render_one(doc, f, ro)?)))
        .collect()
}

/// The published file name: `<doc_no>_<period>_v<version>[_draft].<ext>` (ASCII).
pub fn file_name(
    doc_number: &str,
    period: &Period,
    version: DocVersion,
    status: DocStatus,
    f: OutputFormat,
) -> String {
    let draft = if status == DocStatus::Approved {
        ""
    } else {
        "_draft"
    };
    sanitize_component(&format!(
        "{doc_number}_{period}_v{version}{draft}.{}",
        f.extension()
    ))
}

/// The output folder of a period.
pub fn period_dir(env: &Env, period: &Period) -> PathBuf {
    env.ws.output.join(sanitize_component(&period.to_string()))
}

/// The provider of an input: its folder under the inbox when that is not a
/// period folder, else the file stem up to the first `-`/`_`/`.`.
pub fn provider_of(rel: &str) -> String {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts.len() >= 3 {
        let folder = parts[parts.len() - 2];
        if Period::parse(folder).is_err() {
            return folder.to_string();
        }
    }
    let stem = parts.last().copied().unwrap_or(rel);
    let stem = stem.rsplit_once('.').map(|(a, _)| a).unwrap_or(stem);
    stem.split(['-', '_', '.', ' '])
        .find(|s| !s.is_empty())
        .unwrap_or(stem)
        .to_string()
}

/// The settings, catalogue, template and holiday files of the workspace, as
/// (kind, absolute path), sorted and deduplicated.
pub fn source_files(env: &Env) -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = vec![(
        "settings".into(),
        env.ws.root.join(crate::workspace::FILE_NAME),
    )];
    for c in &env.ws.catalogue {
        v.push(("catalogue".into(), env.ws.root.join(c)));
    }
    for cal in env.cat.calendars.values() {
        if let HolidaySource::File(p) = &cal.holidays {
            v.push(("calendar".into(), env.ws.root.join(p)));
        }
    }
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    let mut t = Vec::new();
    walk(&env.template_dir(), &mut t);
    for p in t {
        v.push(("template".into(), p));
    }
    v.sort();
    v.dedup();
    v
}

/// One report to produce for one period.
#[derive(Debug, Clone)]
pub struct Job {
    pub spec: usize,
    pub period: Period,
    pub doc_number: String,
    pub formats: Vec<OutputFormat>,
}

/// What became of one job.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub doc_number: String,
    pub report_id: String,
    pub period: Period,
    pub version: DocVersion,
    pub status: DocStatus,
    /// `new`, `new version`, `unchanged`, `approved unchanged`, `regenerated`.
    pub what: String,
    /// Workspace-relative paths written.
    pub written: Vec<String>,
    pub supersedes: Option<DocVersion>,
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchReport {
    pub outcomes: Vec<Outcome>,
    pub run_id: Option<i64>,
    pub errors: usize,
    pub warnings: usize,
    pub refused: bool,
}

/// Called after each report is built and rendered: (doc number, done, total).
pub type RenderProgress<'a> = dyn Fn(&str, usize, usize) + Sync + 'a;

/// Options of a batch (`run` or `render`).
pub struct BatchOptions<'a> {
    pub command: &'a str,
    pub period: Period,
    pub jobs: Vec<Job>,
    pub strict: bool,
    pub progress: Option<&'a RenderProgress<'a>>,
}

struct Built {
    job: usize,
    decision: VersionDecision,
    state: State,
    doc: Option<ReportDoc>,
    files: Vec<(OutputFormat, String, Vec<u8>)>,
    model_json: Vec<u8>,
}

/// `f(index, item)` for every item, on as many plain threads as rayon has, at most one item
/// per thread at a time; the results in the items' order.
///
/// Not on rayon's own workers: the PDF renderer (typst) hands parts of a document to rayon and
/// waits for them, and a rayon worker that waits runs other queued work meanwhile — another
/// whole document, whose wait runs another… so dozens of documents were in flight at once (a
/// 50-report month peaked at 0.9 GiB). On a plain thread a wait is only a wait.
pub fn map_on_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = rayon::current_num_threads().clamp(1, items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return mine;
            };
            mine.push((i, f(i, item)));
        }
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, work).ok())
            .collect();
        // No thread to be had at all: the work is done here.
        let here = if handles.is_empty() {
            work()
        } else {
            Vec::new()
        };
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .chain(here)
            .collect()
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// The process's peak resident memory so far in KiB (`VmHWM` of `/proc/self/status`; `None`
/// where there is no such file, i.e. off Linux). For the phase timings and the benchmarks.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Phase timings of a batch on standard error, when `SVCREPORT_TIMINGS` is
/// set (for finding where a slow month spends its time and memory; silent
/// otherwise): each phase's time and the process's peak memory so far.
pub struct Laps {
    on: bool,
    last: std::time::Instant,
}

impl Laps {
    pub fn start() -> Laps {
        Laps {
            on: std::env::var_os("SVCREPORT_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    pub fn lap(&mut self, phase: &str) {
        if self.on {
            let now = std::time::Instant::now();
            let peak = peak_memory_kib()
                .map(|kib| format!(" (peak so far {} MiB)", kib / 1024))
                .unwrap_or_default();
            eprintln!(
                "svcreport: {phase}: {:.2} s{peak}",
                (now - self.last).as_secs_f64()
            );
            self.last = now;
        }
    }
}

/// Run a batch: ingest, compute, build, render, publish, record.
pub fn run_batch(
    s: &mut Session,
    inputs: &Inputs,
    o: &BatchOptions<'_>,
) -> anyhow::Result<BatchReport> {
    let mut laps = Laps::start();
    let env = &s.env;
    let started = env.now();
    let findings = &inputs.ingested.findings;
    let mut rep = BatchReport {
        errors: inputs.count(Severity::Error),
        warnings: inputs.count(Severity::Warning),
        ..Default::default()
    };
    rep.refused = o.strict && rep.errors > 0;

    // KPI results per distinct period (with their history).
    let mut periods: BTreeMap<Period, (KpiResults, Vec<KpiResults>)> = BTreeMap::new();
    if !rep.refused {
        let mut need: Vec<Period> = o.jobs.iter().map(|j| j.period).collect();
        need.push(o.period);
        need.sort();
        need.dedup();
        for p in need {
            let r = results_with_history(env, Some(&s.ledger), &inputs.ingested.dataset, p)?;
            periods.insert(p, r);
        }
    }

    laps.lap("figures (every period with its history)");

    // Archive every input and source (write-once, content-addressed).
    let mut input_rows = Vec::new();
    for fc in &inputs.ingested.files {
        let abs = env.ws.root.join(&fc.file);
        let sha = match s.archive.store_file(&abs) {
            Ok((sha, _)) => sha,
            // Gone or unreadable since ingest: record what ingest saw.
            Err(_) => fc.sha256.clone(),
        };
        let mut datasets: Vec<&str> = fc
            .sheets
            .iter()
            .filter_map(|x| x.dataset.as_deref())
            .collect();
        datasets.sort();
        datasets.dedup();
        input_rows.push(InputRecord {
            path: fc.file.clone(),
            sha256: sha,
            size: fc.bytes,
            datasets: datasets.join(","),
            provider: provider_of(&fc.file),
            first_seen: iso(started),
            rows_read: fc.read(),
            rows_accepted: fc.accepted(),
            rows_rejected: fc.rejected(),
            rows_blank: fc.blank(),
        });
    }
    let mut sources = Vec::new();
    if !rep.refused {
        for (kind, p) in source_files(env) {
            let (sha, _) = s.archive.store_file(&p)?;
            let rel = env.ws.rel(&p);
            // A file outside the workspace is archived under `external/`.
            let rel = if Path::new(&rel).is_absolute() {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("external/{}", sanitize_component(&name))
            } else {
                rel
            };
            sources.push(SourceRecord {
                kind,
                path: rel,
                sha256: sha,
            });
        }
    }

    // Timeliness rows as the ledger knows them before this run.
    let timeliness = if rep.refused {
        Vec::new()
    } else {
        super::workflow::timeliness_rows(env, &s.ledger, o.period)?
    };
    let timeliness_json = serde_json::to_vec(&timeliness)?;

    laps.lap("archive inputs, timeliness");

    // Templates, loaded once each.
    let mut templates = BTreeMap::new();
    for j in &o.jobs {
        let spec = &env.cat.reports[j.spec];
        if !templates.contains_key(&spec.template) {
            let t = report::template::Template::load(&env.template_dir(), &spec.template)?;
            templates.insert(spec.template.clone(), t);
        }
    }

    // The latest recorded version of every document (the ledger is not shared across threads).
    let mut latest = BTreeMap::new();
    for j in &o.jobs {
        latest.insert(j.doc_number.clone(), s.ledger.read().latest(&j.doc_number)?);
    }

    let generated_at = env.now();
    let total = o.jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let built: Vec<anyhow::Result<Built>> = if rep.refused {
        Vec::new()
    } else {
        map_on_threads(&o.jobs, |ji, j| {
            let spec = &env.cat.reports[j.spec];
            let (results, history) = &periods[&j.period];
            let b = BuildInput {
                env,
                spec,
                period: j.period,
                results,
                history,
                inputs: &inputs.ingested.files,
                findings,
                timeliness: &timeliness,
                template: &templates[&spec.template],
                generated_at,
            };
            let probe = build(&b, &State::draft(DocVersion::FIRST, None))?;
            let hash = probe.meta.content_hash.clone();
            let prev = latest.get(&j.doc_number).and_then(|d| d.as_ref());
            let decision = decide_version(prev, &hash);
            let state = match (&decision, prev) {
                (VersionDecision::Same { .. } | VersionDecision::Approved { .. }, Some(p)) => {
                    State::of(p)
                }
                _ => State::draft(decision.version(), decision.supersedes()),
            };
            let name = |f| file_name(&j.doc_number, &j.period, state.version, state.status, f);
            let out = match &decision {
                VersionDecision::Approved { .. } => Built {
                    job: ji,
                    decision,
                    state,
                    doc: None,
                    files: Vec::new(),
                    model_json: Vec::new(),
                },
                VersionDecision::Same { .. } => {
                    // Same content: regenerate only missing files, with the
                    // version's own generation time so they come out identical.
                    let dir = period_dir(env, &j.period);
                    let missing: Vec<OutputFormat> = j
                        .formats
                        .iter()
                        .copied()
                        .filter(|f| !dir.join(name(*f)).is_file())
                        .collect();
                    let mut files = Vec::new();
                    if !missing.is_empty() {
                        let at = prev
                            .and_then(|p| parse_iso(&p.generated_at))
                            .unwrap_or(generated_at);
                        let doc = build(
                            &BuildInput {
                                generated_at: at,
                                ..b
                            },
                            &state,
                        )?;
                        let ro = render_options(env, spec, at);
                        files = render_files(&doc, &missing, &ro, name)?;
                    }
                    Built {
                        job: ji,
                        decision,
                        state,
                        doc: None,
                        files,
                        model_json: Vec::new(),
                    }
                }
                _ => {
                    let doc = if state.version == DocVersion::FIRST {
                        probe
                    } else {
                        build(&b, &state)?
                    };
                    let ro = render_options(env, spec, generated_at);
                    let files = render_files(&doc, &j.formats, &ro, name)?;
                    Built {
                        job: ji,
                        decision,
                        state,
                        model_json: serde_json::to_vec(&doc)?,
                        doc: Some(doc),
                        files,
                    }
                }
            };
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = o.progress {
                p(&j.doc_number, n, total);
            }
            Ok(out)
        })
    };
    let mut ok = Vec::with_capacity(built.len());
    for b in built {
        ok.push(b?);
    }
    laps.lap("build and render documents");

    // Publish files (atomically), then archive the build's own records.
    let history_sha: BTreeMap<Period, String> = periods
        .iter()
        .map(|(p, (_, h))| Ok((*p, s.archive.store(&serde_json::to_vec(h)?)?)))
        .collect::<anyhow::Result<_>>()?;
    let timeliness_sha = if rep.refused {
        String::new()
    } else {
        s.archive.store(&timeliness_json)?
    };
    let mut published: Vec<(usize, Vec<DocFile>, Option<String>)> = Vec::new();
    for b in &ok {
        let j = &o.jobs[b.job];
        let dir = period_dir(env, &j.period);
        let mut files = Vec::new();
        for (f, name, bytes) in &b.files {
            let p = dir.join(name);
            fsutil::write_atomic(&p, bytes)
                .with_context(|| format!("{}: cannot write", p.display()))?;
            files.push(DocFile {
                format: f.extension().to_string(),
                status: b.state.status,
                path: env.ws.rel(&p),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            });
        }
        let model_sha = if b.doc.is_some() {
            Some(s.archive.store(&b.model_json)?)
        } else {
            None
        };
        published.push((b.job, files, model_sha));
    }

    laps.lap("publish files, archive models");

    // One transaction for everything this run learnt.
    let finished = env.now();
    let tx = s.ledger.transaction()?;
    for i in &input_rows {
        tx.record_input(i)?;
    }
    let run_id = tx.record_run(&RunRecord {
        period: o.period.to_string(),
        started: iso(started),
        finished: iso(finished),
        command: o.command.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        files: inputs.ingested.files.len() as u64,
        errors: rep.errors as u64,
        warnings: rep.warnings as u64,
        documents: ok.iter().filter(|b| !b.files.is_empty()).count() as u64,
        status: if rep.refused { "rejected" } else { "ok" }.to_string(),
    })?;
    rep.run_id = Some(run_id);
    for i in &input_rows {
        tx.record_run_input(run_id, &i.sha256, &i.path)?;
    }
    for (results, _) in periods.values() {
        tx.record_results(run_id, results)?;
    }
    for ((b, (_, files, model_sha)), j) in ok
        .iter()
        .zip(&published)
        .map(|(b, p)| ((b, p), &o.jobs[b.job]))
    {
        let spec = &env.cat.reports[j.spec];
        let (doc_id, what) = match &b.decision {
            VersionDecision::Approved { id, .. } => (*id, "approved unchanged"),
            VersionDecision::Same { id, .. } => (
                *id,
                if files.is_empty() {
                    "unchanged"
                } else {
                    "regenerated"
                },
            ),
            d => {
                let hash = b
                    .doc
                    .as_ref()
                    .map(|d| d.meta.content_hash.clone())
                    .unwrap_or_default();
                let id = tx.insert_document(&NewDocument {
                    report_id: spec.id.clone(),
                    period: j.period.to_string(),
                    doc_number: j.doc_number.clone(),
                    version: d.version(),
                    content_hash: hash,
                    created: iso(finished),
                    supersedes: d.supersedes(),
                    generated_at: iso(generated_at),
                    run_id: Some(run_id),
                })?;
                (
                    id,
                    match d {
                        VersionDecision::First => "new",
                        _ => "new version",
                    },
                )
            }
        };
        for f in files {
            tx.record_file(doc_id, f)?;
        }
        if matches!(
            b.decision,
            VersionDecision::First
                | VersionDecision::NextMinor { .. }
                | VersionDecision::NextMajor { .. }
        ) {
            for i in &input_rows {
                tx.record_document_input(doc_id, &i.sha256, &i.path)?;
            }
            for src in &sources {
                tx.record_document_source(doc_id, src)?;
            }
            tx.record_document_source(
                doc_id,
                &SourceRecord {
                    kind: "history".into(),
                    path: "history.json".into(),
                    sha256: history_sha[&j.period].clone(),
                },
            )?;
            tx.record_document_source(
                doc_id,
                &SourceRecord {
                    kind: "timeliness".into(),
                    path: "timeliness.json".into(),
                    sha256: timeliness_sha.clone(),
                },
            )?;
            if let Some(m) = model_sha {
                tx.record_document_source(
                    doc_id,
                    &SourceRecord {
                        kind: "model".into(),
                        path: "model.json".into(),
                        sha256: m.clone(),
                    },
                )?;
            }
        }
        rep.outcomes.push(Outcome {
            doc_number: j.doc_number.clone(),
            report_id: spec.id.clone(),
            period: j.period,
            version: b.state.version,
            status: b.state.status,
            what: what.to_string(),
            written: files.iter().map(|f| f.path.clone()).collect(),
            supersedes: b.state.supersedes,
        });
    }
    tx.commit()?;
    laps.lap("ledger");
    Ok(rep)
}

/// The jobs of a monthly run: every report due for `period` (monthly, plus
/// quarterly/half-yearly/yearly at their ends), in its own formats.
pub fn due_jobs(cat: &Catalogue, period: Period) -> Vec<Job> {
    let mut jobs: Vec<Job> = crate::due::due_for_run(cat, period)
        .into_iter()
        .filter_map(|(spec, p)| {
            let i = cat.reports.iter().position(|r| r.id == spec.id)?;
            Some(Job {
                spec: i,
                period: p,
                doc_number: spec.doc_number_for(&p),
                formats: spec.formats.clone(),
            })
        })
        .collect();
    jobs.sort_by(|a, b| (a.period, &a.doc_number).cmp(&(b.period, &b.doc_number)));
    jobs
}

/// The jobs of `render`: reports of the period's frequency (optionally one
/// report), in the given formats or their own.
pub fn render_jobs(
    cat: &Catalogue,
    period: Period,
    report: Option<&str>,
    formats: &[OutputFormat],
) -> anyhow::Result<Vec<Job>> {
    if let Some(id) = report
        && cat.report(id).is_none()
    {
        let known: Vec<&str> = cat.reports.iter().map(|r| r.id.as_str()).collect();
        bail!(
            "no report \"{id}\" in the report list (known: {})",
            known.join(", ")
        );
    }
    let mut jobs = Vec::new();
    for (i, spec) in cat.reports.iter().enumerate() {
        if report.is_some_and(|id| id != spec.id) {
            continue;
        }
        // A monthly period also renders the longer reports it closes.
        let p = if spec.frequency == period.frequency {
            period
        } else if period.ends(spec.frequency) {
            period.enclosing(spec.frequency)
        } else {
            continue;
        };
        jobs.push(Job {
            spec: i,
            period: p,
            doc_number: spec.doc_number_for(&p),
            formats: if formats.is_empty() {
                spec.formats.clone()
            } else {
                formats.to_vec()
            },
        });
    }
    if jobs.is_empty() {
        bail!("no report of the report list is due for {period}");
    }
    Ok(jobs)
}

/// A workspace recreated from the archive for one document version.
pub struct Rebuilt {
    pub doc: ReportDoc,
    /// The report model archived when the version was generated, if any.
    pub archived_model: Option<ReportDoc>,
    /// Rendered files per format, as (format, bytes).
    pub files: Vec<(OutputFormat, Vec<u8>)>,
}

/// Recreate a document version from the archive alone (inputs, settings,
/// catalogue, templates, history, timeliness) in a scratch workspace under
/// `.svcreport/work/`, build it with `state` and render `formats`.
pub fn rebuild(
    s: &Session,
    d: &DocRecord,
    state: &State,
    formats: &[OutputFormat],
) -> anyhow::Result<Rebuilt> {
    let sources = s.ledger.read().document_sources(d.id)?;
    let inputs = s.ledger.read().document_inputs(d.id)?;
    if sources.is_empty() {
        bail!(
            "{} V{}: the ledger lists no archived sources for it; it cannot be rebuilt",
            d.doc_number,
            d.version
        );
    }
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let work = s
        .env
        .ws
        .root
        .join(crate::ledger::STATE_DIR)
        .join("work")
        .join(format!(
            "{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
    let _guard = RemoveOnDrop(work.clone());
    let place = |rel: &str, sha: &str| -> anyhow::Result<PathBuf> {
        let safe = safe_rel(rel).with_context(|| {
            format!(
                "{}: archived path \"{rel}\" is not a plain relative path",
                d.doc_number
            )
        })?;
        let bytes = s.archive.load(sha)?;
        let p = work.join(safe);
        fsutil::write_atomic(&p, &bytes)
            .with_context(|| format!("{}: cannot write", p.display()))?;
        Ok(p)
    };
    let mut history = None;
    let mut timeliness = None;
    let mut model = None;
    let mut catalogue_files = Vec::new();
    for src in &sources {
        match src.kind.as_str() {
            "history" => history = Some(s.archive.load(&src.sha256)?),
            "timeliness" => timeliness = Some(s.archive.load(&src.sha256)?),
            "model" => model = Some(s.archive.load(&src.sha256)?),
            "catalogue" => {
                place(&src.path, &src.sha256)?;
                catalogue_files.push(PathBuf::from(&src.path));
            }
            _ => {
                place(&src.path, &src.sha256)?;
            }
        }
    }
    for (path, sha) in &inputs {
        place(path, sha)?;
    }
    let mut ws = Workspace::load(&work)?;
    ws.catalogue = catalogue_files;
    ws.output = work.join("out");
    ws.fonts = s.env.ws.fonts.clone();
    let generated = parse_iso(&d.generated_at).unwrap_or_else(|| s.env.now());
    let env = Env::from_workspace(ws, Some(&iso(generated)))?;
    let Some(spec_i) = env.cat.reports.iter().position(|r| r.id == d.report_id) else {
        bail!(
            "{}: report \"{}\" is not in the archived report list",
            d.doc_number,
            d.report_id
        );
    };
    let spec = &env.cat.reports[spec_i];
    let period = Period::parse(&d.period)?;
    // Ingest for the same period the original run did (findings depend on it).
    let ingest_period = match s.ledger.read().run_period_of(d.id)? {
        Some(p) => Some(Period::parse(&p)?),
        None => Some(period),
    };
    let inp = read_inbox(&env, ingest_period, None)?;
    let history: Vec<KpiResults> = match history {
        Some(h) => serde_json::from_slice(&h)?,
        None => Vec::new(),
    };
    let timeliness: Vec<report::TimelinessRow> = match timeliness {
        Some(t) => serde_json::from_slice(&t)?,
        None => Vec::new(),
    };
    let archived_model: Option<ReportDoc> = match model {
        Some(m) => Some(serde_json::from_slice(&m)?),
        None => None,
    };
    let mut results = kpi::compute(&KpiInput {
        catalogue: &env.cat,
        calendars: &env.cals,
        data: &inp.ingested.dataset,
        period,
        history: &history,
    })?;
    results.cap_missed(report::build::BREACH_ROWS);
    let template = report::template::Template::load(&env.template_dir(), &spec.template)?;
    let b = BuildInput {
        env: &env,
        spec,
        period,
        results: &results,
        history: &history,
        inputs: &inp.ingested.files,
        findings: &inp.ingested.findings,
        timeliness: &timeliness,
        template: &template,
        generated_at: generated,
    };
    let doc = build(&b, state)?;
    let ro = render_options(&env, spec, generated);
    let files = map_on_threads(formats, |_, f| Ok((*f, render_one(&doc, *f, &ro)?)))
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Rebuilt {
        doc,
        archived_model,
        files,
    })
}

struct RemoveOnDrop(PathBuf);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A relative path made only of normal components (no `..`, no root).
fn safe_rel(rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::Normal(s) => out.push(s),
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_on_threads_keeps_the_order_and_passes_panics_on() {
        let items: Vec<u64> = (0..200).collect();
        let out = map_on_threads(&items, |i, x| {
            // Uneven work, so the threads finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((x % 7) * 50));
            (i, x * 2)
        });
        assert_eq!(
            out,
            (0..200).map(|x| (x as usize, x * 2)).collect::<Vec<_>>()
        );
        assert!(map_on_threads(&[] as &[u8], |_, x| *x).is_empty());
        let caught = std::panic::catch_unwind(|| {
            map_on_threads(&items, |_, x| {
                assert!(*x != 150, "job 150 fails");
                *x
            })
        });
        assert!(caught.is_err());
    }

    #[test]
    fn provider_from_folder_or_stem() {
        assert_eq!(provider_of("inbox/2026-10/incidents-oct.xlsx"), "incidents");
        assert_eq!(provider_of("inbox/change-mgmt/2026-10.xlsx"), "change-mgmt");
        assert_eq!(provider_of("inbox/事件_10月.xlsx"), "事件");
        assert_eq!(provider_of("supplier.xlsx"), "supplier");
    }

    #[test]
    fn file_names_are_ascii_and_marked() {
        let p = Period::parse("2026-10").unwrap();
        let v = DocVersion { major: 1, minor: 1 };
        assert_eq!(
            file_name(
                "SR-ACME-2026-10",
                &p,
                v,
                DocStatus::Draft,
                OutputFormat::Pdf
            ),
            "SR-ACME-2026-10_2026-10_v1.1_draft.pdf"
        );
        assert_eq!(
            file_name(
                "SR-ACME-2026-10",
                &p,
                v,
                DocStatus::Approved,
                OutputFormat::Xlsx
            ),
            "SR-ACME-2026-10_2026-10_v1.1.xlsx"
        );
        assert_eq!(
            file_name(
                "SR/安科美/2026-10",
                &p,
                DocVersion::FIRST,
                DocStatus::Reviewed,
                OutputFormat::Pdf
            ),
            "SR_____2026-10_2026-10_v1.0_draft.pdf"
        );
    }

    #[test]
    fn safe_rel_refuses_escapes() {
        assert_eq!(
            safe_rel("inbox/2026-10/a.xlsx"),
            Some(PathBuf::from("inbox/2026-10/a.xlsx"))
        );
        assert_eq!(safe_rel("../x"), None);
        assert_eq!(safe_rel("/etc/passwd"), None);
        assert_eq!(safe_rel("a/../../x"), None);
        assert_eq!(safe_rel(""), None);
    }
}

//! The building blocks the batch commands share (`run`, `render`, `approve`,
//! `audit`): read the inbox, compute a period's figures with their history,
//! build and render a document, name and place its files, list the jobs of a
//! period, and run work on plain threads.
//!
//! Orchestration (`app`): it composes the stages and holds no domain rule of
//! its own. Time comes from `clock` (through [`Env`]) only; identical inputs
//! and `--now` give identical bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDateTime;

use super::session::Env;
use crate::archive::sanitize_component;
use crate::findings::Severity;
use crate::ingest;
use crate::kpi::{self, KpiError, KpiInput, KpiResults};
use crate::ledger::{Ledger, SourceKind};
use crate::model::catalogue::{Catalogue, OutputFormat, ReportSpec};
use crate::model::document::{DocStatus, DocVersion};
use crate::model::period::Period;
use crate::render::RenderOptions;
use crate::report::{self, ReportDoc};

/// How many earlier periods feed trends (the internal report shows 3, 6 and 12).
pub const HISTORY_PERIODS: usize = 12;

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

    /// The findings by severity, as a report's summary says them.
    pub fn finding_counts(&self) -> report::FindingCounts {
        report::FindingCounts {
            errors: self.count(Severity::Error),
            warnings: self.count(Severity::Warning),
            info: self.count(Severity::Info),
        }
    }
}

/// Read every inbox file (in parallel inside `ingest`).
pub fn read_inbox(
    env: &Env,
    ledger: Option<&Ledger>,
    period: Option<Period>,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> anyhow::Result<Inputs> {
    let inbox = ingest::inbox(&env.ws)?;
    let iso = ingest::worker::isolation_for(&env.ws);
    // A file's arrival is what the ledger recorded when a run first saw it.
    let arrivals = match ledger {
        Some(l) => l.read().arrivals()?,
        None => BTreeMap::new(),
    };
    let profiles = ingest::profile::Profiles::of_workspace(&env.ws)?;
    let opts = ingest::IngestOptions {
        period,
        max_uncompressed_bytes: env.ws.max_uncompressed_bytes,
        progress,
        timezone: env.ws.timezone,
        now: Some(env.now()),
        arrivals: Some(&arrivals),
        isolation: iso.as_ref(),
        profiles: Some(&profiles),
        explain: false,
    };
    let files = inbox.files;
    let mut ingested = ingest::ingest(&env.ws, &env.cat, &files, &opts);
    // Links not followed are no input (never archived): findings only.
    ingested.findings.extend(inbox.refused);
    Ok(Inputs { files, ingested })
}

/// A period's figures and the earlier periods its trends compare with.
pub struct Figures {
    pub results: KpiResults,
    /// Earlier periods, oldest first, without their ticket lists.
    pub history: Vec<KpiResults>,
    /// Earlier periods the data cover that could not be computed, with the reason.
    pub gaps: Vec<(Period, KpiError)>,
}

/// KPI results of `period`, with the history its trends come from (earlier
/// periods of the same frequency, oldest first: the ledger's recorded results
/// first, else computed from the data). A period that cannot be computed is a
/// gap the caller reports, never silently dropped.
pub fn figures(
    env: &Env,
    ledger: Option<&Ledger>,
    data: &crate::model::records::Dataset,
    period: Period,
    closure: Option<kpi::Closure<'_>>,
) -> anyhow::Result<Figures> {
    let mut stored = BTreeMap::new();
    if let Some(l) = ledger {
        for p in period.previous(HISTORY_PERIODS) {
            if let Some(r) = l.results_for(&p)? {
                stored.insert(p, r);
            }
        }
    }
    let input = KpiInput {
        catalogue: &env.cat,
        calendars: &env.cals,
        data,
        period,
        history: &[],
        closure: None,
    };
    let h = kpi::history(&input, HISTORY_PERIODS, &stored);
    let history: Vec<KpiResults> = h
        .results
        .into_iter()
        .map(|mut r| {
            // Trends need each target's figure and status, not its tickets.
            r.cap_missed(0);
            r
        })
        .collect();
    // Normalise through JSON so a rebuild from the archived history sees the
    // very same numbers the original build saw.
    let history: Vec<KpiResults> = serde_json::from_slice(&serde_json::to_vec(&history)?)?;
    let mut results = kpi::compute(&KpiInput {
        history: &history,
        closure,
        ..input
    })?;
    // What a document can list; the ledger keeps the same.
    results.cap_missed(report::build::BREACH_ROWS);
    Ok(Figures {
        results,
        history,
        gaps: h.gaps,
    })
}

/// Build a document; its `content_hash` is filled in.
pub fn build(ctx: &report::BuildContext<'_>) -> anyhow::Result<ReportDoc> {
    let mut doc =
        report::build(ctx).with_context(|| format!("report {} for {}", ctx.spec.id, ctx.period))?;
    if doc.meta.content_hash.is_empty() {
        doc.meta.content_hash = report::content_hash(&doc);
    }
    Ok(doc)
}

/// What a workspace's documents can print: the bundled fonts and its `fonts` (a font file
/// that cannot be read fails at render time with its own error; here it adds nothing).
pub fn coverage(env: &Env) -> crate::model::glyphs::Coverage {
    match crate::render::pdf::coverage(&env.ws.fonts) {
        Ok(r) if !env.ws.fonts.is_empty() => crate::model::glyphs::Coverage::with_extra(r),
        _ => crate::model::glyphs::Coverage::bundled(),
    }
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
pub fn render_files(
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
/// (kind, absolute path), sorted by kind name and path, deduplicated.
pub fn source_files(env: &Env) -> Vec<(SourceKind, PathBuf)> {
    let mut v: Vec<(SourceKind, PathBuf)> = vec![(
        SourceKind::Settings,
        env.ws.root.join(crate::workspace::FILE_NAME),
    )];
    for c in &env.ws.catalogue {
        v.push((SourceKind::Catalogue, env.ws.root.join(c)));
    }
    for cal in env.cat.calendars.values() {
        for p in cal.holidays.files() {
            v.push((SourceKind::Calendar, env.ws.root.join(p)));
        }
    }
    for p in env.ws.holidays.files() {
        v.push((SourceKind::Calendar, env.ws.root.join(p)));
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
        v.push((SourceKind::Template, p));
    }
    v.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
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
/// otherwise): each phase's time and the process's peak memory so far (and the highest
/// peak of an ingest worker process).
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
            let workers =
                crate::ingest::worker::WORKER_PEAK_KIB.load(std::sync::atomic::Ordering::Relaxed);
            let workers = if workers > 0 {
                format!(", of an ingest worker {} MiB", workers / 1024)
            } else {
                String::new()
            };
            let peak = peak_memory_kib()
                .map(|kib| format!(" (peak so far {} MiB{workers})", kib / 1024))
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
}

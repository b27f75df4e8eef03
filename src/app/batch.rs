//! The batch shared by `run` and `render`: for a read inbox and a list of
//! jobs, in named steps —
//! `archive_inputs` → (refused: `record_refused`) → `figures_per_period` →
//! `sync_register` → `archive_sources` → `build_all` → `publish` → `record`
//! (each a function below).
//!
//! Orchestration (`app`). Invariants:
//! - every output goes through `fsutil::write_atomic` (or the write-once
//!   archive), and the ledger is written in one transaction *after* the files
//!   exist, so a killed run leaves no document row without its files and no
//!   partial file under a published name;
//! - everything a document was built from (inputs, settings, catalogue,
//!   templates, holiday files, the KPI history and timeliness rows, and the
//!   report model itself) is archived by content hash, so `rebuild` can
//!   produce the same document later from the archive alone;
//! - a refused run (`--strict` with error findings) archives and records its
//!   inputs and the refusal, and renders nothing;
//! - the improvement register is brought up to date in memory before the
//!   documents are built (they show its open items) and saved in the same
//!   transaction as the documents.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDateTime;

use super::closure;
use super::pipeline::{
    Figures, Inputs, Job, Laps, figures, file_name, map_on_threads, period_dir, provider_of,
    render_files, render_options, source_files,
};
use super::session::{Env, Session, TOOL_VERSION};
use super::tracking;
use super::trail;
use crate::archive::{sanitize_component, sha256_hex};
use crate::findings::Severity;
use crate::fsutil;
use crate::kpi::{KpiError, TargetMetric};
use crate::ledger::{
    DocFile, InputRecord, NewDocument, RunRecord, RunStatus, SourceKind, SourceRecord,
    VersionDecision, decide_version,
};
use crate::model::catalogue::OutputFormat;
use crate::model::document::{DocState, DocStatus, DocVersion};
use crate::model::period::Period;
use crate::model::records::DatasetKind;
use crate::model::status::Status;
use crate::report::{self, ReportDoc};

/// What became of one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    /// The first version of the document.
    New,
    /// Changed content: a new version.
    NewVersion,
    /// Same content as the latest version; its files were all there.
    Unchanged,
    /// Same content; missing files were rendered again.
    Regenerated,
    /// Same content as the approved latest version: nothing to do.
    ApprovedUnchanged,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::New => "new",
            OutcomeKind::NewVersion => "new version",
            OutcomeKind::Unchanged => "unchanged",
            OutcomeKind::Regenerated => "regenerated",
            OutcomeKind::ApprovedUnchanged => "approved unchanged",
        }
    }
}

/// What became of one job.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub doc_number: String,
    pub report_id: String,
    pub period: Period,
    pub version: DocVersion,
    pub status: DocStatus,
    pub what: OutcomeKind,
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
    /// `--strict` and error findings: nothing was rendered.
    pub refused: bool,
    /// Earlier periods the trends had to leave out, with the reason.
    pub history_gaps: Vec<(Period, KpiError)>,
    /// Periods whose figures have data missing: the datasets not delivered (any one of
    /// each list would have done).
    pub missing: BTreeMap<Period, std::collections::BTreeSet<Vec<DatasetKind>>>,
    /// What the run did to the improvement register: items raised and reopened.
    pub register_raised: usize,
    pub register_reopened: usize,
}

/// Called after each report is built and rendered: (doc number, done, total).
pub type RenderProgress<'a> = dyn Fn(&str, usize, usize) + Sync + 'a;

/// Options of a batch (`run` or `render`).
pub struct BatchOptions<'a> {
    /// The command's name, as the ledger records it.
    pub command: &'a str,
    pub period: Period,
    pub jobs: Vec<Job>,
    pub strict: bool,
    /// Re-issue approved documents whose content changed (a new major
    /// version); without it an approved document is final.
    pub reissue: bool,
    pub progress: Option<&'a RenderProgress<'a>>,
}

/// What a period's figures were computed from.
enum Basis {
    /// Every delivery, as they stand.
    Deliveries,
    /// The period has an approved document: the inputs it was approved on.
    Approved(std::sync::Arc<closure::Approved>),
    /// A period after approved ones: every delivery, settled against the
    /// approved data (archived with each document as `closure.json`).
    Settled {
        record: closure::ClosureRecord,
        approved: std::sync::Arc<closure::Approved>,
    },
}

/// The improvement register after the batch's periods were synced into it.
struct RegisterPlan {
    /// The items the sync created or changed (saved with the batch).
    touched: Vec<crate::register::Item>,
    events: Vec<(i64, crate::register::Event)>,
    /// The open items each period's documents show.
    open: BTreeMap<Period, Vec<crate::register::Item>>,
}

/// One job built (and rendered where needed).
struct Built {
    job: usize,
    decision: VersionDecision,
    state: DocState,
    /// What a new version changed (section ids); `None` when unknown or not new.
    changes: Option<Vec<String>>,
    /// The model of a new version (none when the version exists already).
    doc: Option<ReportDoc>,
    /// (format, published name, bytes) of the files to write.
    files: Vec<(OutputFormat, String, Vec<u8>)>,
}

/// The files of one job as published, and its archived model.
struct Published {
    files: Vec<DocFile>,
    model_sha: Option<String>,
}

/// Run a batch: archive, compute, build, render, publish, record.
pub fn run_batch(
    s: &mut Session,
    inputs: &Inputs,
    o: &BatchOptions<'_>,
) -> anyhow::Result<BatchReport> {
    let mut laps = Laps::start();
    let started = s.env.now();
    let mut rep = BatchReport {
        errors: inputs.count(Severity::Error),
        warnings: inputs.count(Severity::Warning),
        ..Default::default()
    };
    let input_rows = archive_inputs(s, inputs, started);
    if o.strict && rep.errors > 0 {
        rep.refused = true;
        rep.run_id = Some(record_refused(s, o, inputs, &rep, &input_rows, started)?);
        return Ok(rep);
    }
    let (mut figures, bases) = figures_per_period(s, inputs, o)?;
    for (p, f) in figures.iter_mut() {
        rep.history_gaps.append(&mut f.gaps);
        for t in f
            .results
            .targets
            .iter()
            .filter(|t| t.status == Status::DataMissing)
        {
            let needs = match t.metric {
                TargetMetric::Agreement(m) => crate::kpi::datasets_of(m).to_vec(),
                TargetMetric::Process { .. } => vec![DatasetKind::ProcessKpis],
            };
            rep.missing.entry(*p).or_default().insert(needs);
        }
    }
    // `--strict` refuses to render while required data are missing, as for errors.
    if o.strict && !rep.missing.is_empty() {
        rep.refused = true;
        rep.run_id = Some(record_refused(s, o, inputs, &rep, &input_rows, started)?);
        return Ok(rep);
    }
    rep.history_gaps.sort_by_key(|(p, _)| *p);
    rep.history_gaps.dedup_by_key(|(p, _)| *p);
    laps.lap("figures (every period with its history)");
    let register = sync_register(s, &figures)?;
    for (_, e) in &register.events {
        match e {
            crate::register::Event::Raised { .. } => rep.register_raised += 1,
            crate::register::Event::Reopened { .. } => rep.register_reopened += 1,
            _ => {}
        }
    }
    let sources = archive_sources(s)?;
    // The timeliness rows as the ledger knows them before this run.
    let timeliness = tracking::timeliness_rows(&s.env, &s.ledger, o.period, &input_rows)?;
    laps.lap("archive inputs, timeliness");
    let built = build_all(s, inputs, o, &figures, &bases, &timeliness, &register.open)?;
    laps.lap("build and render documents");
    let published = publish(s, o, &built)?;
    let records = BuildRecords {
        history: figures
            .iter()
            .map(|(p, f)| Ok((*p, s.archive.store(&serde_json::to_vec(&f.history)?)?)))
            .collect::<anyhow::Result<_>>()?,
        timeliness: s.archive.store(&serde_json::to_vec(&timeliness)?)?,
        sources,
        closure: bases
            .iter()
            .filter_map(|(p, b)| match b {
                Basis::Settled { record, .. } => Some(
                    serde_json::to_vec(record)
                        .map_err(anyhow::Error::from)
                        .and_then(|j| Ok((*p, s.archive.store(&j)?))),
                ),
                _ => None,
            })
            .collect::<anyhow::Result<_>>()?,
        approved_inputs: bases
            .iter()
            .filter_map(|(p, b)| match b {
                Basis::Approved(a) => Some((*p, a.inputs.clone())),
                _ => None,
            })
            .collect(),
        register: register
            .open
            .iter()
            .map(|(p, items)| Ok((*p, s.archive.store(&serde_json::to_vec(items)?)?)))
            .collect::<anyhow::Result<_>>()?,
    };
    laps.lap("publish files, archive models");
    record(
        s,
        o,
        inputs,
        &mut rep,
        started,
        &input_rows,
        &figures,
        &built,
        &published,
        &records,
        &register,
    )?;
    laps.lap("ledger");
    Ok(rep)
}

/// Archive every input (write-once, content-addressed); the ledger rows to record.
fn archive_inputs(s: &Session, inputs: &Inputs, started: NaiveDateTime) -> Vec<InputRecord> {
    inputs
        .ingested
        .files
        .iter()
        .map(|fc| {
            let sha = match s.archive.store_file(&s.env.ws.root.join(&fc.file)) {
                Ok((sha, _)) => sha,
                // Gone or unreadable since ingest: record what ingest saw.
                Err(_) => fc.sha256.clone(),
            };
            let mut datasets: Vec<DatasetKind> = fc
                .sheets
                .iter()
                .filter_map(|x| x.dataset.as_deref().and_then(DatasetKind::from_name))
                .collect();
            datasets.sort();
            datasets.dedup();
            InputRecord {
                path: fc.file.clone(),
                sha256: sha,
                size: fc.bytes,
                datasets,
                provider: provider_of(&fc.file),
                // The delivery's arrival (kept by the ledger from the first run that saw it).
                first_seen: inputs
                    .ingested
                    .deliveries
                    .get(&fc.file)
                    .and_then(|d| d.arrived)
                    .unwrap_or(started),
                rows_read: fc.read(),
                rows_accepted: fc.accepted(),
                rows_rejected: fc.rejected(),
                rows_blank: fc.blank(),
                period: inputs
                    .ingested
                    .deliveries
                    .get(&fc.file)
                    .and_then(|d| d.period),
            }
        })
        .collect()
}

/// The refused run: its inputs and the refusal, in one transaction.
fn record_refused(
    s: &mut Session,
    o: &BatchOptions<'_>,
    inputs: &Inputs,
    rep: &BatchReport,
    input_rows: &[InputRecord],
    started: NaiveDateTime,
) -> anyhow::Result<i64> {
    let finished = s.env.now();
    let tx = s.ledger.transaction()?;
    for i in input_rows {
        tx.record_input(i)?;
    }
    let run_id = tx.record_run(&RunRecord {
        period: o.period,
        started,
        finished,
        command: o.command.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        files: inputs.ingested.files.len() as u64,
        errors: rep.errors as u64,
        warnings: rep.warnings as u64,
        documents: 0,
        status: RunStatus::Rejected,
    })?;
    for i in input_rows {
        tx.record_run_input(run_id, &i.sha256, &i.path)?;
    }
    tx.commit()?;
    Ok(run_id)
}

/// KPI results of every period the jobs need (and the batch's own), each with its
/// history, and what each was computed from: a period with an approved document
/// from the inputs it was approved on; a later one from every delivery, settled
/// against the last approved period's data.
fn figures_per_period(
    s: &Session,
    inputs: &Inputs,
    o: &BatchOptions<'_>,
) -> anyhow::Result<(BTreeMap<Period, Figures>, BTreeMap<Period, Basis>)> {
    let mut need: Vec<Period> = o.jobs.iter().map(|j| j.period).collect();
    need.push(o.period);
    need.sort();
    need.dedup();
    let approved = closure::approved_periods(&s.ledger)?;
    let mut out = BTreeMap::new();
    let mut bases = BTreeMap::new();
    // Each approved document's inputs are read from the archive once per batch, however
    // many of the batch's periods (a month, its quarter) are settled against them.
    let mut read: BTreeMap<i64, std::sync::Arc<closure::Approved>> = BTreeMap::new();
    let mut approved_data = |id: i64| -> anyhow::Result<std::sync::Arc<closure::Approved>> {
        if let Some(a) = read.get(&id) {
            return Ok(a.clone());
        }
        let a = std::sync::Arc::new(closure::approved_data(s, id, Some(o.period))?);
        read.insert(id, a.clone());
        Ok(a)
    };
    for p in need {
        // A re-issue takes every delivery for the approved period itself.
        let basis = if let Some(&id) = approved.get(&p).filter(|_| !o.reissue) {
            Basis::Approved(approved_data(id)?)
        } else if let Some((l, id)) = closure::closure_for(&approved, p) {
            let a = approved_data(id)?;
            Basis::Settled {
                record: closure::ClosureRecord {
                    at: l.end(),
                    inputs: a.inputs.clone(),
                },
                approved: a,
            }
        } else {
            Basis::Deliveries
        };
        let f = match &basis {
            Basis::Deliveries => {
                figures(&s.env, Some(&s.ledger), &inputs.ingested.dataset, p, None)?
            }
            Basis::Approved(a) => {
                figures(&s.env, Some(&s.ledger), &a.read.ingested.dataset, p, None)?
            }
            Basis::Settled { record, approved } => figures(
                &s.env,
                Some(&s.ledger),
                &inputs.ingested.dataset,
                p,
                Some(crate::kpi::Closure {
                    at: record.at,
                    approved: &approved.read.ingested.dataset,
                }),
            )?,
        };
        out.insert(p, f);
        bases.insert(p, basis);
    }
    Ok((out, bases))
}

/// Bring the improvement register up to date with every period's raised items
/// (oldest period first), in memory: the batch's transaction saves it.
fn sync_register(s: &Session, figures: &BTreeMap<Period, Figures>) -> anyhow::Result<RegisterPlan> {
    let mut items = s.ledger.read().improvements()?;
    let before = items.clone();
    let mut next = s.ledger.read().next_improvement_id()?;
    let mut periods: Vec<&Period> = figures.keys().collect();
    // By end; of periods ending together the shortest first (a month before its
    // quarter), so an item is raised by the month it happened in.
    periods.sort_by_key(|p| (p.end(), std::cmp::Reverse(p.start())));
    let mut events = Vec::new();
    for p in periods {
        events.extend(crate::register::sync(
            &mut items,
            &figures[p].results.improvements,
            *p,
            &s.env.cat,
            &mut next,
        ));
    }
    let touched = items
        .iter()
        .filter(|i| !before.contains(i))
        .cloned()
        .collect();
    let open = figures
        .keys()
        .map(|p| (*p, crate::register::open_for(&items, *p)))
        .collect();
    Ok(RegisterPlan {
        touched,
        events,
        open,
    })
}

/// Archive the settings, catalogue, template and holiday files, and the shipped
/// holiday data where a calendar uses it (`builtin/holidays-cn.csv`): a rebuild
/// uses the calendar the run used, even after the tool ships newer data.
fn archive_sources(s: &Session) -> anyhow::Result<Vec<SourceRecord>> {
    let env = &s.env;
    let mut builtin = Vec::new();
    if env.ws.holidays.uses_cn() || env.cat.calendars.values().any(|c| c.holidays.uses_cn()) {
        builtin.push(SourceRecord {
            kind: SourceKind::Calendar,
            path: crate::app::rebuild::BUILTIN_CN.into(),
            sha256: s
                .archive
                .store(crate::model::holidays::cn_csv().as_bytes())?,
        });
    }
    let files: anyhow::Result<Vec<SourceRecord>> = source_files(env)
        .into_iter()
        .map(|(kind, p)| {
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
            Ok(SourceRecord {
                kind,
                path: rel,
                sha256: sha,
            })
        })
        .collect();
    let mut files = files?;
    files.extend(builtin);
    Ok(files)
}

/// What every job of a batch shares.
struct Shared<'a> {
    env: &'a Env,
    inputs: &'a Inputs,
    figures: &'a BTreeMap<Period, Figures>,
    bases: &'a BTreeMap<Period, Basis>,
    reissue: bool,
    timeliness: &'a report::Timeliness,
    templates: BTreeMap<String, report::template::Template>,
    /// Every recorded version of every document, with what each changed, oldest first
    /// (the last is the latest; the ledger is not shared across threads).
    versions: BTreeMap<String, trail::Versions>,
    /// The reviews of each document's latest version, and its archived model.
    latest_reviews: BTreeMap<String, Vec<crate::ledger::ReviewRecord>>,
    latest_model: BTreeMap<String, Option<String>>,
    archive: &'a crate::archive::Archive,
    /// The register's open items per period.
    register: &'a BTreeMap<Period, Vec<crate::register::Item>>,
    /// The rows each customer's or supplier's document uses, by (period, agreements):
    /// computed once for the documents that share them.
    rows_used: BTreeMap<(Period, Vec<String>), Vec<crate::kpi::rows::FileRows>>,
    generated_at: NaiveDateTime,
}

/// Build (and render where needed) every job, on plain threads.
fn build_all(
    s: &Session,
    inputs: &Inputs,
    o: &BatchOptions<'_>,
    figures: &BTreeMap<Period, Figures>,
    bases: &BTreeMap<Period, Basis>,
    timeliness: &report::Timeliness,
    register: &BTreeMap<Period, Vec<crate::register::Item>>,
) -> anyhow::Result<Vec<Built>> {
    let env = &s.env;
    let mut templates = BTreeMap::new();
    for j in &o.jobs {
        let spec = &env.cat.reports[j.spec];
        if !templates.contains_key(&spec.template) {
            let t = report::template::Template::load(&env.template_dir(), &spec.template)?;
            templates.insert(spec.template.clone(), t);
        }
    }
    let mut versions = BTreeMap::new();
    let mut latest_reviews = BTreeMap::new();
    let mut latest_model = BTreeMap::new();
    for j in &o.jobs {
        let v = trail::versions(&s.ledger, &j.doc_number)?;
        if let Some((d, _)) = v.last() {
            latest_reviews.insert(j.doc_number.clone(), s.ledger.read().reviews(d.id)?);
            latest_model.insert(j.doc_number.clone(), trail::model_sha(&s.ledger, d.id)?);
        }
        versions.insert(j.doc_number.clone(), v);
    }
    // The rows each party's documents use (their appendix digests), once per period and
    // set of agreements, on the batch's threads.
    let mut keys: Vec<(Period, Vec<String>)> = o
        .jobs
        .iter()
        .filter(|j| env.cat.reports[j.spec].audience != crate::model::catalogue::Audience::Internal)
        .map(|j| (j.period, env.cat.reports[j.spec].agreements.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let rows_used = map_on_threads(&keys, |_, (p, agreements)| {
        let read = match bases.get(p) {
            Some(Basis::Approved(a)) => &a.read,
            _ => inputs,
        };
        Ok::<_, anyhow::Error>(crate::kpi::rows::rows_used(
            &env.cat,
            &read.ingested.dataset,
            p,
            agreements,
        ))
    })
    .into_iter()
    .zip(keys)
    .map(|(r, k)| r.map(|r| (k, r)))
    .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
    let shared = Shared {
        env,
        inputs,
        figures,
        bases,
        reissue: o.reissue,
        timeliness,
        templates,
        versions,
        latest_reviews,
        latest_model,
        archive: &s.archive,
        register,
        rows_used,
        generated_at: env.now(),
    };
    let total = o.jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    map_on_threads(&o.jobs, |ji, j| {
        let b = build_job(&shared, ji, j)?;
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(p) = o.progress {
            p(&j.doc_number, n, total);
        }
        Ok(b)
    })
    .into_iter()
    .collect()
}

/// One job: build the draft, decide its version against the ledger, and render
/// what has to be written (a new version in full, a same version's missing files).
fn build_job(sh: &Shared<'_>, ji: usize, j: &Job) -> anyhow::Result<Built> {
    let env = sh.env;
    let spec = &env.cat.reports[j.spec];
    let f = &sh.figures[&j.period];
    // A period with an approved document shows the inputs it was approved on.
    let read = match sh.bases.get(&j.period) {
        Some(Basis::Approved(a)) => &a.read,
        _ => sh.inputs,
    };
    let coverage = super::pipeline::coverage(env);
    let ctx = report::BuildContext {
        organisation: &env.ws.organisation,
        organisation_en: env.ws.organisation_en.as_deref(),
        catalogue: &env.cat,
        spec,
        period: j.period,
        results: &f.results,
        history: &f.history,
        inputs: &read.ingested.files,
        data: &read.ingested.dataset,
        findings: read.finding_counts(),
        timeliness: sh.timeliness,
        state: DocState::default(),
        generated_at: sh.generated_at,
        template: &sh.templates[&spec.template],
        coverage: &coverage,
        register: sh.register.get(&j.period).map_or(&[], |v| v.as_slice()),
        trail: &report::Trail::default(),
        rows_used: sh
            .rows_used
            .get(&(j.period, spec.agreements.clone()))
            .map(|v| v.as_slice()),
    };
    let probe = super::pipeline::build(&ctx)?;
    let prev = sh
        .versions
        .get(&j.doc_number)
        .and_then(|v| v.last())
        .map(|(d, _)| d);
    let mut decision = decide_version(prev, &probe.meta.content_hash);
    // An approved document is final unless re-issued: what changed since is a
    // late correction, counted in the first period not approved.
    if let (VersionDecision::NextMajor { .. }, Some(p)) = (&decision, prev)
        && !sh.reissue
    {
        decision = VersionDecision::Approved {
            id: p.id,
            version: p.state.version,
        };
    }
    let state = match (&decision, prev) {
        (VersionDecision::Same { .. } | VersionDecision::Approved { .. }, Some(p)) => {
            p.state.clone()
        }
        _ => DocState::draft(decision.version(), decision.supersedes()),
    };
    let name = |f| file_name(&j.doc_number, &j.period, state.version, state.status, f);
    let no_versions = Vec::new();
    let versions = sh.versions.get(&j.doc_number).unwrap_or(&no_versions);
    let reviews = sh
        .latest_reviews
        .get(&j.doc_number)
        .map_or(&[][..], |v| v.as_slice());
    let mut changes = None;
    let (doc, files) = match (&decision, prev) {
        (VersionDecision::Approved { .. }, _) => (None, Vec::new()),
        (VersionDecision::Same { .. }, _) => {
            // Same content: regenerate only missing files, with the version's
            // own generation time so they come out identical.
            let dir = period_dir(env, &j.period);
            let missing: Vec<OutputFormat> = j
                .formats
                .iter()
                .copied()
                .filter(|f| !dir.join(name(*f)).is_file())
                .collect();
            let mut files = Vec::new();
            if !missing.is_empty() {
                let at = prev.map_or(sh.generated_at, |p| p.generated_at);
                let tr = trail::trail(versions, &state, at, None, reviews, None);
                let doc = report::build::restamp(
                    probe,
                    &report::BuildContext {
                        state: state.clone(),
                        generated_at: at,
                        trail: &tr,
                        ..ctx
                    },
                );
                files = render_files(&doc, &missing, &render_options(env, spec, at), name)?;
            }
            (None, files)
        }
        _ => {
            changes = match decision {
                VersionDecision::First => Some(Vec::new()),
                _ => trail::changed_sections(
                    sh.archive,
                    sh.latest_model
                        .get(&j.doc_number)
                        .and_then(|m| m.as_deref()),
                    &probe,
                ),
            };
            let tr = trail::trail(
                versions,
                &state,
                sh.generated_at,
                changes.clone(),
                &[],
                None,
            );
            let doc = report::build::restamp(
                probe,
                &report::BuildContext {
                    state: state.clone(),
                    trail: &tr,
                    ..ctx
                },
            );
            let ro = render_options(env, spec, sh.generated_at);
            let files = render_files(&doc, &j.formats, &ro, name)?;
            (Some(doc), files)
        }
    };
    Ok(Built {
        job: ji,
        decision,
        state,
        changes,
        doc,
        files,
    })
}

/// Write every rendered file (atomically) and archive each new version's model.
fn publish(s: &Session, o: &BatchOptions<'_>, built: &[Built]) -> anyhow::Result<Vec<Published>> {
    let env = &s.env;
    built
        .iter()
        .map(|b| {
            let j = &o.jobs[b.job];
            let dir = period_dir(env, &j.period);
            let mut files = Vec::new();
            for (f, name, bytes) in &b.files {
                let p = dir.join(name);
                fsutil::write_atomic(&p, bytes)
                    .with_context(|| format!("{}: cannot write", p.display()))?;
                files.push(DocFile {
                    format: *f,
                    status: b.state.status,
                    path: env.ws.rel(&p),
                    sha256: sha256_hex(bytes),
                    size: bytes.len() as u64,
                });
            }
            let model_sha = match &b.doc {
                Some(doc) => Some(s.archive.store(&serde_json::to_vec(doc)?)?),
                None => None,
            };
            Ok(Published { files, model_sha })
        })
        .collect()
}

/// The archived build records every new version lists among its sources.
struct BuildRecords {
    /// `history.json` per period.
    history: BTreeMap<Period, String>,
    /// `timeliness.json`.
    timeliness: String,
    /// Settings, catalogue, template and holiday files.
    sources: Vec<SourceRecord>,
    /// `closure.json` per settled period.
    closure: BTreeMap<Period, String>,
    /// The approved inputs of each period with an approved document.
    approved_inputs: BTreeMap<Period, Vec<(String, String)>>,
    /// `register.json` per period: the register's items its documents show.
    register: BTreeMap<Period, String>,
}

/// One transaction for everything the batch learnt: inputs, the run, the
/// figures, every document version with its files, inputs and sources.
#[expect(
    clippy::too_many_arguments,
    reason = "the named results of the steps before"
)]
fn record(
    s: &mut Session,
    o: &BatchOptions<'_>,
    inputs: &Inputs,
    rep: &mut BatchReport,
    started: NaiveDateTime,
    input_rows: &[InputRecord],
    figures: &BTreeMap<Period, Figures>,
    built: &[Built],
    published: &[Published],
    records: &BuildRecords,
    register: &RegisterPlan,
) -> anyhow::Result<()> {
    let env = &s.env;
    let finished = env.now();
    let generated_at = env.now();
    let tx = s.ledger.transaction()?;
    for i in input_rows {
        tx.record_input(i)?;
    }
    let run_id = tx.record_run(&RunRecord {
        period: o.period,
        started,
        finished,
        command: o.command.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        files: inputs.ingested.files.len() as u64,
        errors: rep.errors as u64,
        warnings: rep.warnings as u64,
        documents: built.iter().filter(|b| !b.files.is_empty()).count() as u64,
        status: RunStatus::Ok,
    })?;
    rep.run_id = Some(run_id);
    for i in input_rows {
        tx.record_run_input(run_id, &i.sha256, &i.path)?;
    }
    for f in figures.values() {
        tx.record_results(run_id, &f.results)?;
    }
    tx.save_register(&register.touched, &register.events, finished)?;
    for (b, p) in built.iter().zip(published) {
        let j = &o.jobs[b.job];
        let spec = &env.cat.reports[j.spec];
        let (doc_id, what) = match &b.decision {
            VersionDecision::Approved { id, .. } => (*id, OutcomeKind::ApprovedUnchanged),
            VersionDecision::Same { id, .. } => (
                *id,
                if p.files.is_empty() {
                    OutcomeKind::Unchanged
                } else {
                    OutcomeKind::Regenerated
                },
            ),
            d => {
                let id = tx.insert_document(&NewDocument {
                    report_id: spec.id.clone(),
                    period: j.period,
                    doc_number: j.doc_number.clone(),
                    version: d.version(),
                    content_hash: b
                        .doc
                        .as_ref()
                        .map(|d| d.meta.content_hash.clone())
                        .unwrap_or_default(),
                    created: finished,
                    supersedes: d.supersedes(),
                    generated_at,
                    run_id: Some(run_id),
                })?;
                let what = match d {
                    VersionDecision::First => OutcomeKind::New,
                    _ => OutcomeKind::NewVersion,
                };
                match records.approved_inputs.get(&j.period) {
                    Some(approved) => {
                        for (path, sha) in approved {
                            tx.record_document_input(id, sha, path)?;
                        }
                    }
                    None => {
                        for i in input_rows {
                            tx.record_document_input(id, &i.sha256, &i.path)?;
                        }
                    }
                }
                for src in &records.sources {
                    tx.record_document_source(id, src)?;
                }
                let mut own = vec![
                    (
                        SourceKind::History,
                        "history.json",
                        &records.history[&j.period],
                    ),
                    (
                        SourceKind::Timeliness,
                        "timeliness.json",
                        &records.timeliness,
                    ),
                ];
                if let Some(m) = &p.model_sha {
                    own.push((SourceKind::Model, "model.json", m));
                }
                if let Some(c) = records.closure.get(&j.period) {
                    own.push((SourceKind::Closure, "closure.json", c));
                }
                if let Some(r) = records.register.get(&j.period) {
                    own.push((SourceKind::Register, "register.json", r));
                }
                if let Some(c) = &b.changes {
                    tx.record_changes(id, c)?;
                }
                for (kind, path, sha) in own {
                    tx.record_document_source(
                        id,
                        &SourceRecord {
                            kind,
                            path: path.into(),
                            sha256: sha.clone(),
                        },
                    )?;
                }
                (id, what)
            }
        };
        for f in &p.files {
            tx.record_file(doc_id, f)?;
        }
        rep.outcomes.push(Outcome {
            doc_number: j.doc_number.clone(),
            report_id: spec.id.clone(),
            period: j.period,
            version: b.state.version,
            status: b.state.status,
            what,
            written: p.files.iter().map(|f| f.path.clone()).collect(),
            supersedes: b.state.supersedes,
        });
    }
    tx.commit()?;
    Ok(())
}

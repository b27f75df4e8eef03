//! Recreate a recorded document version from the archive alone, for
//! `approve` (the final documents) and `audit` (does it still match?).
//!
//! Orchestration (`app`). Invariant: nothing outside the archive and the
//! ledger enters a rebuild — the archived inputs, settings, catalogue,
//! templates and holiday files are placed in a scratch workspace under
//! `.svcreport/work/` (removed afterwards), and the history and timeliness the
//! version was built with are read back from their archived JSON.

use std::path::PathBuf;

use anyhow::{Context, bail};

use super::closure::{ClosureRecord, Scratch, archived_data};
use super::pipeline::{build, map_on_threads, read_inbox, render_one, render_options};
use super::session::{Env, Session};
use crate::clock::RunTime;
use crate::kpi::{self, KpiInput, KpiResults};
use crate::ledger::{DocRecord, SourceKind};
use crate::model::catalogue::OutputFormat;
use crate::model::document::DocState;
use crate::report::{self, ReportDoc};
use crate::workspace::Workspace;

/// A document version made again from the archive.
pub struct Rebuilt {
    pub doc: ReportDoc,
    /// The report model archived when the version was generated, if any.
    pub archived_model: Option<ReportDoc>,
    /// Rendered files per format, as (format, bytes).
    pub files: Vec<(OutputFormat, Vec<u8>)>,
}

/// Where a run archives the shipped holiday data it used (under the tool's own
/// state folder, where no source of the workspace lives).
pub const BUILTIN_CN: &str = ".svcreport/builtin/holidays-cn.csv";

/// Recreate a document version from the archive alone (inputs, settings,
/// catalogue, templates, history, timeliness) in a scratch workspace under
/// `.svcreport/work/`, build it with `state` and render `formats`. The cover's
/// trail comes from the ledger (versions up to this one, its own steps), plus
/// `pending`, the comment of a step being taken now.
pub fn rebuild(
    s: &Session,
    d: &DocRecord,
    state: &DocState,
    formats: &[OutputFormat],
    pending: Option<report::Comment>,
) -> anyhow::Result<Rebuilt> {
    let sources = s.ledger.read().document_sources(d.id)?;
    let inputs = s.ledger.read().document_inputs(d.id)?;
    if sources.is_empty() {
        bail!(
            "{} V{}: the ledger lists no archived sources for it; it cannot be rebuilt",
            d.doc_number,
            d.state.version
        );
    }
    let scratch = Scratch::new(s, "rebuild");
    let work = scratch.path();
    let place = |rel: &str, sha: &str| -> anyhow::Result<PathBuf> {
        scratch
            .place(s, rel, sha)
            .with_context(|| d.doc_number.clone())
    };
    let mut history = None;
    let mut timeliness = None;
    let mut model = None;
    let mut closure = None;
    let mut register = None;
    let mut catalogue_files = Vec::new();
    for src in &sources {
        match src.kind {
            SourceKind::History => history = Some(s.archive.load(&src.sha256)?),
            SourceKind::Timeliness => timeliness = Some(s.archive.load(&src.sha256)?),
            SourceKind::Model => model = Some(s.archive.load(&src.sha256)?),
            SourceKind::Closure => closure = Some(s.archive.load(&src.sha256)?),
            SourceKind::Register => register = Some(s.archive.load(&src.sha256)?),
            SourceKind::Catalogue => {
                place(&src.path, &src.sha256)?;
                catalogue_files.push(PathBuf::from(&src.path));
            }
            SourceKind::Settings | SourceKind::Template | SourceKind::Calendar => {
                place(&src.path, &src.sha256)?;
            }
        }
    }
    for (path, sha) in &inputs {
        place(path, sha)?;
    }
    let mut ws = Workspace::load(work)?;
    ws.catalogue = catalogue_files;
    ws.output = work.join("out");
    ws.fonts = s.env.ws.fonts.clone();
    let generated = d.generated_at;
    // The shipped calendar as the original run had it, where it archived one.
    let cn = sources
        .iter()
        .any(|x| x.kind == SourceKind::Calendar && x.path == BUILTIN_CN)
        .then(|| work.join(BUILTIN_CN));
    let env = Env::at_with_cn(
        ws,
        RunTime::fixed(generated, s.env.ws.timezone),
        cn.as_deref(),
    )?;
    let Some(spec_i) = env.cat.reports.iter().position(|r| r.id == d.report_id) else {
        bail!(
            "{}: report \"{}\" is not in the archived report list",
            d.doc_number,
            d.report_id
        );
    };
    let spec = &env.cat.reports[spec_i];
    let period = d.period;
    // Ingest for the same period the original run did (findings depend on it).
    let ingest_period = Some(s.ledger.read().run_period_of(d.id)?.unwrap_or(period));
    let inp = read_inbox(&env, Some(&s.ledger), ingest_period, None)?;
    let history: Vec<KpiResults> = match history {
        Some(h) => serde_json::from_slice(&h)?,
        None => Vec::new(),
    };
    let timeliness: report::Timeliness = match timeliness {
        Some(t) => report::Timeliness::from_archive(&t)?,
        None => report::Timeliness::default(),
    };
    let archived_model: Option<ReportDoc> = match model {
        Some(m) => Some(serde_json::from_slice(&m)?),
        None => None,
    };
    // Settled against the approved data the original build was settled against.
    let closure: Option<ClosureRecord> = match closure {
        Some(c) => Some(serde_json::from_slice(&c)?),
        None => None,
    };
    let approved = match &closure {
        Some(c) => Some(archived_data(s, &c.inputs)?),
        None => None,
    };
    let mut results = kpi::compute(&KpiInput {
        catalogue: &env.cat,
        calendars: &env.cals,
        data: &inp.ingested.dataset,
        period,
        history: &history,
        closure: closure
            .as_ref()
            .zip(approved.as_ref())
            .map(|(c, a)| kpi::Closure {
                at: c.at,
                approved: a,
            }),
    })?;
    results.cap_missed(report::build::BREACH_ROWS);
    let register: Vec<crate::register::Item> = match register {
        Some(r) => serde_json::from_slice(&r)?,
        None => Vec::new(),
    };
    let versions = super::trail::versions(&s.ledger, &d.doc_number)?;
    let reviews = s.ledger.read().reviews(d.id)?;
    let trail = super::trail::trail(&versions, state, generated, None, &reviews, pending);
    let template = report::template::Template::load(&env.template_dir(), &spec.template)?;
    let coverage = super::pipeline::coverage(&env);
    let doc = build(&report::BuildContext {
        organisation: &env.ws.organisation,
        organisation_en: env.ws.organisation_en.as_deref(),
        catalogue: &env.cat,
        spec,
        period,
        results: &results,
        history: &history,
        inputs: &inp.ingested.files,
        data: &inp.ingested.dataset,
        findings: inp.finding_counts(),
        timeliness: &timeliness,
        state: state.clone(),
        generated_at: generated,
        template: &template,
        coverage: &coverage,
        register: &register,
        trail: &trail,
        rows_used: None,
    })?;
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

//! `svcreport check`: validate the inbox (or the given workbooks) cell by
//! cell; print the findings and the reconciliation; exit 1 when any error
//! finding exists, 0 otherwise (warnings allowed).
//!
//! Orchestration only: loads the workspace and catalogue, calls `ingest`,
//! renders with `findings`. Output: text (compiler-style findings, then the
//! reconciliation table and a one-line summary; only the summary when clean;
//! `-q` prints findings only and nothing when clean) or `--format json`
//! (`{findings, files, summary}`).
//!
//! Language: text and the findings workbook follow the workspace's
//! `language` (`zh-CN` or `en`); JSON carries both languages (see
//! `findings`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::findings::{self, CheckReport, Lang, Severity, Summary};
use crate::ingest::{self, IngestOptions, Ingested};
use crate::model::catalogue::Catalogue;
use crate::model::period::Period;
use crate::workspace::Workspace;

pub fn run(
    g: &Global,
    period: Option<Period>,
    files: &[PathBuf],
    xlsx: Option<&Path>,
) -> anyhow::Result<u8> {
    let ws = Workspace::load(&g.workspace)?;
    let cat = load_catalogue(&ws)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    check(g, &ws, &cat, period, files, xlsx, &mut out)
}

/// `check --explain-profile FILE`: how one file is read (in this process: the file is one
/// the user names), which profile and why, which column went where; then the usual
/// findings and summary of that file.
pub fn explain(g: &Global, period: Option<Period>, file: &Path) -> anyhow::Result<u8> {
    let ws = Workspace::load(&g.workspace)?;
    let cat = load_catalogue(&ws)?;
    let profiles = ingest::profile::Profiles::of_workspace(&ws)?;
    let opts = IngestOptions {
        period,
        max_uncompressed_bytes: ws.max_uncompressed_bytes,
        timezone: ws.timezone,
        profiles: Some(&profiles),
        explain: true,
        ..IngestOptions::default()
    };
    let path = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let name = ingest::display_name(&ws, &path);
    let (ing, explained) = ingest::read_path_explained(&name, &path, &cat, &opts)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let lang = Lang::from_tag(&ws.language);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let text = ingest::profile::render_explanation(&name, &explained, lang);
    out.write_all(text.as_bytes())?;
    writeln!(out)?;
    print(g, &ing, lang, &mut out).context("cannot write the report to standard output")?;
    Ok(if ing.has_errors() {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

fn load_catalogue(ws: &Workspace) -> anyhow::Result<Catalogue> {
    Ok(crate::catalogue::load(ws)?)
}

/// The command on an already loaded workspace and catalogue, writing to `out`.
pub fn check(
    g: &Global,
    ws: &Workspace,
    cat: &Catalogue,
    period: Option<Period>,
    files: &[PathBuf],
    xlsx: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let mut refused = Vec::new();
    let paths: Vec<PathBuf> = if files.is_empty() {
        let inbox = ingest::inbox(ws)?;
        refused = inbox.refused;
        inbox.files
    } else {
        let mut v: Vec<PathBuf> = files
            .iter()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let iso = ingest::worker::isolation_for(ws);
    let profiles = ingest::profile::Profiles::of_workspace(ws)?;
    let opts = IngestOptions {
        period,
        max_uncompressed_bytes: ws.max_uncompressed_bytes,
        progress: None,
        timezone: ws.timezone,
        isolation: iso.as_ref(),
        profiles: Some(&profiles),
        ..IngestOptions::default()
    };
    let mut ing = ingest::ingest(ws, cat, &paths, &opts);
    ing.findings.extend(refused);
    ing.findings.extend(name_gaps(ws, cat, &ing.dataset));
    let lang = Lang::from_tag(&ws.language);
    if let Some(p) = xlsx {
        findings::write_xlsx(p, &ing.findings, &ing.files, lang)?;
    }
    print(g, &ing, lang, out).context("cannot write the report to standard output")?;
    Ok(if ing.has_errors() {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

/// What the documents would name without a display name (`catalogue.name_missing`):
/// the processes owning the catalogue's metrics and the processes of process-KPI rows
/// with no `[[process]]` entry (their id is printed and no manager owns their
/// improvement items), capacity resources of the data with no `[[resource]]`; and,
/// when a report uses an English template, the processes, resources, services,
/// customers and people without `name_en`. Each once, on the first catalogue file.
pub fn name_gaps(
    ws: &Workspace,
    cat: &Catalogue,
    data: &crate::model::records::Dataset,
) -> Vec<findings::Finding> {
    use crate::findings::{Finding, Message, MissingName, NamedKind};
    use std::collections::BTreeSet;
    let file = ws.catalogue.first().map(|p| ws.rel(p));
    let mut out = Vec::new();
    let mut push = |kind: NamedKind, id: &str, missing: MissingName| {
        let mut f = Finding::new(Message::NameMissing {
            kind,
            id: id.to_string(),
            missing,
        });
        if let Some(file) = &file {
            f = f.file(file);
        }
        out.push(f);
    };
    // Processes: the built-in owner of each metric the agreements target, unless a
    // catalogue process lists the metric or carries the name; and process-KPI rows.
    let mut processes: BTreeSet<String> = BTreeSet::new();
    for a in &cat.agreements {
        for t in &a.targets {
            if !cat.processes.iter().any(|p| p.metrics.contains(&t.metric)) {
                processes.insert(crate::kpi::process_of(t.metric).to_string());
            }
        }
    }
    processes.extend(
        data.process_kpis
            .iter()
            .map(|r| r.process.as_str().to_string()),
    );
    for p in &processes {
        if cat.process(p).is_none() {
            push(NamedKind::Process, p, MissingName::Entry);
        }
    }
    let resources: BTreeSet<&str> = data.capacity.iter().map(|c| c.resource.as_str()).collect();
    for r in resources {
        if cat.resource(r).is_none() {
            push(NamedKind::Resource, r, MissingName::Entry);
        }
    }
    // English documents: every name they print needs its English form.
    let english = cat.reports.iter().any(|r| {
        crate::report::Template::load(&ws.root.join("templates"), &r.template)
            .is_ok_and(|t| !t.is_zh())
    });
    if english {
        for p in &cat.processes {
            if p.name_en.is_none() {
                push(NamedKind::Process, &p.id, MissingName::English);
            }
        }
        for r in &cat.resources {
            if r.name_en.is_none() {
                push(NamedKind::Resource, &r.id, MissingName::English);
            }
        }
        for x in &cat.services {
            if x.name_en.is_none() {
                push(NamedKind::Service, &x.id, MissingName::English);
            }
        }
        for x in &cat.customers {
            if x.name_en.is_none() {
                push(NamedKind::Customer, &x.id, MissingName::English);
            }
        }
        for x in &cat.persons {
            if x.name_en.is_none() {
                push(NamedKind::Person, &x.id, MissingName::English);
            }
        }
    }
    out
}

fn print(g: &Global, ing: &Ingested, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    match g.format {
        OutputKind::Json => {
            let report = CheckReport::new(&ing.findings, &ing.files);
            let text = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
            writeln!(out, "{text}")
        }
        OutputKind::Text => {
            let clean = !ing
                .findings
                .iter()
                .any(|f| matches!(f.severity, Severity::Error | Severity::Warning));
            let summary = Summary::of(&ing.findings, &ing.files);
            let verdict = |rejected: bool| match (lang, rejected) {
                (Lang::En, false) => "ok: ",
                (Lang::En, true) => "rejected: ",
                (Lang::Zh, false) => "通过：",
                (Lang::Zh, true) => "未通过：",
            };
            if clean {
                if !g.quiet {
                    writeln!(out, "{}{}", verdict(false), summary.line(lang))?;
                }
                return Ok(());
            }
            out.write_all(findings::render_text(&ing.findings, lang).as_bytes())?;
            if !g.quiet {
                writeln!(out)?;
                out.write_all(findings::render_reconciliation(&ing.files, lang).as_bytes())?;
                writeln!(out, "{}{}", verdict(summary.errors > 0), summary.line(lang))?;
            }
            Ok(())
        }
    }
}

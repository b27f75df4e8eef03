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

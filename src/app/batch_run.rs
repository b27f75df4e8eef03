//! The command-line body `run` and `render` share: read the inbox with a
//! progress bar on a terminal (never with `-q`), run the batch, print the
//! summary (text or `--format json`) and choose the exit code.
//!
//! Exit codes: 1 when data were rejected (error findings) — the batch still
//! renders, leaving the rejected rows out, unless `--strict` refused it — and
//! 0 otherwise (warnings allowed).

use std::io::IsTerminal;

use super::batch::{self, BatchOptions, BatchReport};
use super::pipeline::{self, Inputs, Job};
use super::session::{Env, Session};
use super::tracking;
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::findings::Severity;
use crate::ledger::Ledger;
use crate::model::period::Period;

/// Read, batch, summarise.
pub fn execute(
    g: &Global,
    s: &mut Session,
    command: &str,
    period: Period,
    jobs: Vec<Job>,
    strict: bool,
) -> anyhow::Result<u8> {
    let bar =
        (!g.quiet && g.format == OutputKind::Text && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(0);
            b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            b
        });
    let ingest_progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
            b.set_message("reading the inbox");
        }
    };
    let mut laps = pipeline::Laps::start();
    let inputs = pipeline::read_inbox(&s.env, Some(period), Some(&ingest_progress))?;
    laps.lap("read and validate the inbox");
    if let Some(b) = &bar {
        b.set_position(0);
        b.set_length(jobs.len() as u64);
        b.set_message("building and rendering reports");
    }
    let render_progress = |_doc: &str, done: usize, _total: usize| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    };
    let rep = batch::run_batch(
        s,
        &inputs,
        &BatchOptions {
            command,
            period,
            jobs,
            strict,
            progress: Some(&render_progress),
        },
    )?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    summary(g, &s.env, &s.ledger, period, &inputs, &rep)?;
    Ok(if rep.errors > 0 {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

fn summary(
    g: &Global,
    env: &Env,
    ledger: &Ledger,
    period: Period,
    inputs: &Inputs,
    rep: &BatchReport,
) -> anyhow::Result<()> {
    let findings = &inputs.ingested.findings;
    let gaps: Vec<String> = rep
        .history_gaps
        .iter()
        .map(|(p, e)| format!("the trends leave out {p}: {e}"))
        .collect();
    if g.format == OutputKind::Json {
        let v = serde_json::json!({
            "period": period,
            "refused": rep.refused,
            "errors": rep.errors,
            "warnings": rep.warnings,
            "findings": findings,
            "inputs": inputs.ingested.files,
            "history_gaps": gaps,
            "documents": rep.outcomes.iter().map(|o| serde_json::json!({
                "doc_number": o.doc_number, "report_id": o.report_id, "period": o.period,
                "version": o.version, "status": o.status, "what": o.what.as_str(),
                "files": o.written, "supersedes": o.supersedes,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    // Errors and warnings always print. Information (e.g. rows of other months in the inbox)
    // is only counted here, so a clean month stays quiet; `check --period P` lists it.
    let shown: Vec<_> = findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .cloned()
        .collect();
    let notes = findings.len() - shown.len();
    if !shown.is_empty() {
        eprint!(
            "{}",
            crate::findings::render_text(&shown, crate::findings::Lang::from_tag(&env.ws.language))
        );
    }
    for gap in &gaps {
        eprintln!("warning: {gap}");
    }
    if rep.refused {
        eprintln!(
            "refused (--strict): {} error finding(s); nothing was rendered. Fix the inputs or run without --strict (rejected rows are then excluded and listed in the appendix).",
            rep.errors
        );
        return Ok(());
    }
    if g.quiet {
        return Ok(());
    }
    let files = &inputs.ingested.files;
    let read: u64 = files.iter().map(|f| f.read()).sum();
    let acc: u64 = files.iter().map(|f| f.accepted()).sum();
    let rej: u64 = files.iter().map(|f| f.rejected()).sum();
    let blank: u64 = files.iter().map(|f| f.blank()).sum();
    println!(
        "{period}: {} input file(s); rows read {read} = accepted {acc} + rejected {rej} + blank {blank}",
        files.len()
    );
    println!(
        "findings: {} error(s), {} warning(s), {notes} note(s){}",
        rep.errors,
        rep.warnings,
        if rep.errors > 0 {
            " — rejected rows are excluded and listed in each report's appendix"
        } else {
            ""
        }
    );
    println!("reports:");
    for o in &rep.outcomes {
        let sup = o
            .supersedes
            .map(|v| format!(", supersedes V{v}"))
            .unwrap_or_default();
        println!(
            "  {} {} V{} {} ({}{sup})",
            o.doc_number,
            o.period,
            o.version,
            o.status.label_zh(),
            o.what.as_str()
        );
        for w in &o.written {
            println!("    {w}");
        }
    }
    let rows = tracking::status_rows(env, ledger, Some(period))?;
    let late: Vec<_> = rows.iter().filter(|r| r.state.needs_attention()).collect();
    if !late.is_empty() {
        println!("late or at risk:");
        for r in late {
            for f in &r.flags {
                println!("  {} {}: {f}", r.doc_number, r.period);
            }
        }
    }
    let next = period.next();
    let hol = crate::model::holidays::HolidaySet::cn();
    let mut due: Vec<String> = pipeline::due_jobs(&env.cat, next)
        .iter()
        .map(|j| {
            let p = j.period;
            let dd = crate::due::data_due(p.frequency, p, &hol)
                .map(|d| d.to_string())
                .unwrap_or_else(|e| format!("? ({e})"));
            let rd = crate::due::report_due(p.frequency, p, &hol)
                .map(|d| d.to_string())
                .unwrap_or_else(|e| format!("? ({e})"));
            format!("  {} {}: data by {dd}, report by {rd}", j.doc_number, p)
        })
        .collect();
    due.sort();
    if !due.is_empty() {
        println!("due next:");
        for d in due {
            println!("{d}");
        }
    }
    Ok(())
}

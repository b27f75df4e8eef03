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
use super::say::Say;
use super::session::{Env, Session};
use super::tracking;
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::findings::{Lang, Severity};
use crate::ledger::Ledger;
use crate::model::period::Period;

/// Read, batch, summarise.
pub fn execute(
    g: &Global,
    s: &mut Session,
    command: &str,
    period: Period,
    jobs: Vec<Job>,
    (strict, reissue): (bool, bool),
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
    let inputs = pipeline::read_inbox(
        &s.env,
        Some(&s.ledger),
        Some(period),
        Some(&ingest_progress),
    )?;
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
            reissue,
            progress: Some(&render_progress),
        },
    )?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    summary(g, &s.env, &s.ledger, period, &inputs, &rep)?;
    Ok(if rep.errors > 0 || rep.refused {
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
            "improvements": {"raised": rep.register_raised, "reopened": rep.register_reopened},
            "data_missing": rep.missing.iter().map(|(p, sets)| serde_json::json!({
                "period": p, "datasets": sets,
            })).collect::<Vec<_>>(),
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
    let lang = Lang::from_tag(&env.ws.language);
    let shown: Vec<_> = findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .cloned()
        .collect();
    let notes = findings.len() - shown.len();
    if !shown.is_empty() {
        eprint!("{}", crate::findings::render_text(&shown, lang));
    }
    for (period, e) in &rep.history_gaps {
        eprintln!(
            "{}",
            Say::HistoryGap {
                period: *period,
                reason: e.to_string()
            }
            .text(lang)
        );
    }
    for (period, sets) in &rep.missing {
        let datasets: Vec<String> = sets
            .iter()
            .map(|alts| alts.iter().map(|k| k.name()).collect::<Vec<_>>().join("/"))
            .collect();
        let l = Say::DataMissing {
            period: *period,
            datasets: datasets.join(", "),
        };
        eprintln!("{}", l.text(lang));
    }
    if rep.refused {
        let l = if rep.errors > 0 {
            Say::Refused { errors: rep.errors }
        } else {
            Say::RefusedMissing
        };
        eprintln!("{}", l.text(lang));
        return Ok(());
    }
    if g.quiet {
        return Ok(());
    }
    let files = &inputs.ingested.files;
    let mut out = vec![
        Say::RunRows {
            period,
            files: files.len(),
            read: files.iter().map(|f| f.read()).sum(),
            accepted: files.iter().map(|f| f.accepted()).sum(),
            rejected: files.iter().map(|f| f.rejected()).sum(),
            blank: files.iter().map(|f| f.blank()).sum(),
        }
        .text(lang),
        Say::RunFindings {
            errors: rep.errors,
            warnings: rep.warnings,
            notes,
        }
        .text(lang),
        Say::Reports.text(lang),
    ];
    if rep.register_raised + rep.register_reopened > 0 {
        // Before the documents' list: where the new items are to be worked on.
        let at = out.len() - 1;
        out.insert(
            at,
            Say::RegisterRun {
                raised: rep.register_raised,
                reopened: rep.register_reopened,
            }
            .text(lang),
        );
    }
    for o in &rep.outcomes {
        out.push(
            Say::Report {
                doc_number: &o.doc_number,
                period: o.period,
                version: o.version,
                status: o.status,
                what: o.what,
                supersedes: o.supersedes,
            }
            .text(lang),
        );
        out.extend(o.written.iter().map(|w| format!("    {w}")));
    }
    let rows = tracking::status_rows(env, ledger, Some(period))?;
    let late: Vec<_> = rows.iter().filter(|r| r.state.needs_attention()).collect();
    if !late.is_empty() {
        out.push(Say::LateOrAtRisk.text(lang));
        for r in late {
            for f in &r.flags {
                out.push(format!(
                    "  {} {}: {}",
                    r.doc_number,
                    r.period,
                    super::say::flag(*f, lang)
                ));
            }
        }
    }
    let hol = env.due_holidays.clone();
    let mut due: Vec<String> = pipeline::due_jobs(&env.cat, period.next())
        .iter()
        .map(|j| {
            let p = j.period;
            Say::Due {
                doc_number: &j.doc_number,
                period: p,
                data: crate::due::data_due(p.frequency, p, &hol),
                report: crate::due::report_due(p.frequency, p, &hol),
            }
            .text(lang)
        })
        .collect();
    due.sort();
    if !due.is_empty() {
        out.push(Say::DueNext.text(lang));
        out.extend(due);
    }
    for l in out {
        println!("{l}");
    }
    Ok(())
}

//! `svcreport compute --period P [--format json]`: compute every target of the
//! catalogue for a period (with trends over the 12 previous periods from the
//! same inbox) and print a table, or the JSON of `schemas/kpi-results.schema.json`.
//!
//! Orchestration only (workspace → catalogue → calendars → ingest → kpi); the
//! figures are printed, never judged again here. Numbers are rounded only
//! through `report::numfmt`. Data findings do not change the exit code: a line on
//! stderr says how many rows were rejected (`svcreport check` lists them).

use anyhow::Context;

use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::ingest::{self, IngestOptions};
use crate::kpi::{self, KpiInput, KpiResults, TargetResult};
use crate::model::calendar::Calendars;
use crate::model::catalogue::Unit;
use crate::model::period::Period;
use crate::workspace::Workspace;

pub fn run(g: &Global, period: Period) -> anyhow::Result<u8> {
    let ws = Workspace::load(&g.workspace)?;
    let cat = crate::catalogue::load(&ws)?;
    let cals = Calendars::from_catalogue(&cat, &ws.root)
        .with_context(|| format!("{}: the catalogue's calendars", ws.root.display()))?;
    let inbox = ingest::inbox(&ws)?;
    let iso = ingest::worker::isolation_for(&ws);
    let profiles = ingest::profile::Profiles::of_workspace(&ws)?;
    let opts = IngestOptions {
        period: Some(period),
        max_uncompressed_bytes: ws.max_uncompressed_bytes,
        progress: None,
        timezone: ws.timezone,
        isolation: iso.as_ref(),
        profiles: Some(&profiles),
        ..IngestOptions::default()
    };
    let mut ing = ingest::ingest(&ws, &cat, &inbox.files, &opts);
    ing.findings.extend(inbox.refused);
    let input = KpiInput {
        catalogue: &cat,
        calendars: &cals,
        data: &ing.dataset,
        period,
        history: &[],
        closure: None,
    };
    let (results, history) = kpi::compute_with_history(&input, super::pipeline::HISTORY_PERIODS)?;
    let lang = crate::findings::Lang::from_tag(&ws.language);
    for (p, e) in &history.gaps {
        let gap = super::say::Say::HistoryGap {
            period: *p,
            reason: e.to_string(),
        };
        eprintln!("{}", gap.text(lang));
    }
    let rejected: u64 = ing.files.iter().map(|f| f.rejected()).sum();
    let errors = ing
        .findings
        .iter()
        .filter(|f| f.severity == crate::findings::Severity::Error)
        .count();
    if !g.quiet && (rejected > 0 || errors > 0) {
        eprintln!(
            "note: {rejected} row(s) rejected, {errors} error finding(s) in {} file(s); the figures leave those rows out (see `svcreport check --period {period}`)",
            inbox.files.len()
        );
    }
    match g.format {
        OutputKind::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        OutputKind::Text => print!("{}", table(&results)),
    }
    // Figures were printed all the same, leaving the rejected rows out.
    Ok(if errors > 0 { EXIT_REJECTED } else { EXIT_OK })
}

fn num(v: Option<f64>, decimals: u8) -> String {
    v.and_then(|x| crate::report::numfmt::trimmed_text(x, decimals))
        .map(|(t, _)| t)
        .unwrap_or_else(|| "—".to_string())
}

fn scope_text(t: &TargetResult) -> String {
    let s = &t.scope;
    let parts: Vec<String> = [
        s.customer.as_deref().map(|c| format!("customer={c}")),
        s.service.as_deref().map(|c| format!("service={c}")),
        s.priority.clone(),
        s.resource.as_deref().map(|c| format!("resource={c}")),
        t.within.as_deref().map(|w| format!("within {w}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" ")
    }
}

fn actual_text(t: &TargetResult) -> String {
    match t.actual {
        None => "N/A".into(),
        Some(x) => {
            let d = if t.unit == Unit::Count { 0 } else { 2 };
            match crate::report::numfmt::round_text(x, d) {
                Some(s) if t.unit == Unit::Percent => format!("{s}%"),
                Some(s) if matches!(t.unit, Unit::Count | Unit::Unitless) => s,
                Some(s) => format!("{s} {}", t.unit),
                None => "—".into(),
            }
        }
    }
}

/// The text table of `svcreport compute`: one line per target.
pub fn table(r: &KpiResults) -> String {
    let header = [
        "agreement",
        "metric",
        "scope",
        "actual",
        "target",
        "status",
        "n/d",
    ];
    let mut rows: Vec<[String; 7]> = vec![header.map(str::to_string)];
    for t in &r.targets {
        let agreement = if t.version.is_empty() {
            t.agreement.clone()
        } else {
            format!("{} v{}", t.agreement, t.version)
        };
        let unit = if matches!(t.unit, Unit::Percent | Unit::Unitless) {
            t.unit.to_string()
        } else {
            format!(" {}", t.unit)
        };
        let nd = match (t.numerator, t.denominator) {
            (Some(n), Some(d)) => format!("{}/{}", num(Some(n), 2), num(Some(d), 2)),
            (Some(n), None) => num(Some(n), 2),
            _ => "—".into(),
        };
        rows.push([
            agreement,
            t.metric.to_string(),
            scope_text(t),
            actual_text(t),
            format!("{} {}{unit}", t.op, num(Some(t.threshold), 4)),
            t.status.as_str().to_string(),
            nd,
        ]);
    }
    let width = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let mut w = [0usize; 7];
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    let mut out = format!("KPI results {} ({} targets)\n", r.period, r.targets.len());
    for row in &rows {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            line.push_str(c);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(w[i] - width(c) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let breached = r.improvements.len();
    if breached > 0 {
        out.push_str(&format!("{breached} improvement item(s):\n"));
        for m in &r.improvements {
            out.push_str(&format!(
                "  {} {} [{}] {}\n",
                m.agreement, m.metric, m.process, m.reason
            ));
        }
    }
    out
}

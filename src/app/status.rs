//! `svcreport status [--period P]`: per report, data due and arrived, report
//! due, generated, approved and distributed, and what is late or at risk
//! (spec §4). Exit 1 when something is late or missing (data or report).

use chrono::{NaiveDate, NaiveDateTime};

use super::session::Env;
use super::tracking::{StatusRow, status_rows};
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::ledger::Ledger;
use crate::model::period::Period;
use crate::timeliness::State;

pub fn run(g: &Global, period: Option<Period>) -> anyhow::Result<u8> {
    let env = Env::load(&g.workspace, g.now.as_deref())?;
    let ledger = Ledger::open(&env.ws.root)?;
    let rows = status_rows(&env, &ledger, period)?;
    match g.format {
        OutputKind::Json => {
            let v: Vec<serde_json::Value> = rows.iter().map(json_row).collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputKind::Text => print!("{}", text(env.now(), &rows)),
    }
    Ok(if rows.iter().any(|r| r.state == State::Late) {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

/// A row as JSON: its typed fields, and its flags also as sentences (`notes`).
fn json_row(r: &StatusRow) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "notes".into(),
            r.flags.iter().map(|f| f.to_string()).collect(),
        );
    }
    v
}

fn text(now: NaiveDateTime, rows: &[StatusRow]) -> String {
    use std::fmt::Write as _;
    let opt = |o: &Option<NaiveDateTime>| {
        o.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "—".into())
    };
    let day = |o: &Option<NaiveDate>| o.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let mut s = String::new();
    let _ = writeln!(s, "as of {}", now.format("%Y-%m-%d %H:%M"));
    for r in rows {
        let _ = writeln!(
            s,
            "{} {} ({}) — {}",
            r.doc_number,
            r.period,
            r.report_id,
            match r.state {
                State::OnTime => "on time",
                State::AtRisk => "AT RISK",
                State::Late => "LATE",
                State::Open => "open",
            }
        );
        let _ = writeln!(
            s,
            "  data due     {}   arrived   {}",
            day(&r.data_due),
            opt(&r.data_arrived)
        );
        let _ = writeln!(
            s,
            "  report due   {}   generated {}",
            day(&r.report_due),
            opt(&r.generated)
        );
        let _ = writeln!(
            s,
            "  version      {}   status {}   approved {}   distributed {}",
            r.version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "—".into()),
            r.status.map(|x| x.as_str()).unwrap_or("—"),
            opt(&r.approved),
            opt(&r.distributed)
        );
        for f in &r.flags {
            let _ = writeln!(s, "  ! {f}");
        }
    }
    if rows.is_empty() {
        s.push_str("nothing recorded or due\n");
    }
    s
}

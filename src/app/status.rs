//! `svcreport status [--period P]`: per report, data due and arrived, report
//! due, generated, approved and distributed, and what is late or at risk
//! (spec §4). Exit 1 when something is late or missing (data or report).

use chrono::NaiveDateTime;

use super::say::Say;
use super::session::Env;
use super::tracking::{StatusRow, status_rows};
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::findings::Lang;
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
        OutputKind::Text => print!(
            "{}",
            text(env.now(), &rows, Lang::from_tag(&env.ws.language))
        ),
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

fn text(now: NaiveDateTime, rows: &[StatusRow], lang: Lang) -> String {
    let mut lines = vec![Say::AsOf(now)];
    for r in rows {
        lines.push(Say::StatusHead {
            doc_number: &r.doc_number,
            period: r.period,
            report_id: &r.report_id,
            state: r.state,
        });
        lines.push(Say::StatusData {
            due: r.data_due,
            arrived: r.data_arrived,
        });
        lines.push(Say::StatusReport {
            due: r.report_due,
            generated: r.generated,
        });
        lines.push(Say::StatusDoc {
            version: r.version,
            status: r.status,
            approved: r.approved,
            signing: r.approval_signing,
            distributed: r.distributed,
        });
        lines.extend(r.flags.iter().map(|f| Say::Flag(*f)));
    }
    if rows.is_empty() {
        lines.push(Say::NothingDue);
    }
    lines.iter().map(|l| l.text(lang) + "\n").collect()
}

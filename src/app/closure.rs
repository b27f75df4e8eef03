//! Approved periods stay closed (spec §2.1a, §5): once a period has an approved
//! document, its figures are computed from the inputs that document was
//! approved on, never from later deliveries; a later period is settled against
//! those approved data (`kpi::Closure`): a ticket they counted is never counted
//! again, and an outcome that later deliveries place inside the approved period
//! (a *late correction*) counts in the first period that is not approved.
//!
//! Orchestration (`app`): reads the ledger and the archive, ingests archived
//! inputs in a scratch folder under `.svcreport/work/`, removed afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::pipeline::Inputs;
use super::session::Session;
use crate::fsutil;
use crate::ingest::Ingested;
use crate::ledger::Ledger;
use crate::model::period::Period;
use crate::model::records::Dataset;

/// The approved data of one period: the inputs its latest approved document was
/// computed from, read again from the archive.
pub struct Approved {
    /// The approved document version the inputs are those of.
    pub doc_id: i64,
    /// (workspace-relative path, SHA-256) of each input.
    pub inputs: Vec<(String, String)>,
    /// What reading them gives (records, findings, row accounting).
    pub read: Inputs,
}

/// What a document settled against, archived with it (`closure.json`) so that a
/// rebuild (approval, audit) settles the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureRecord {
    /// The end of the last approved period.
    pub at: NaiveDateTime,
    /// The approved inputs, (workspace-relative path, SHA-256).
    pub inputs: Vec<(String, String)>,
}

/// Every period with an approved document, with that document's id (the latest approved).
pub fn approved_periods(ledger: &Ledger) -> anyhow::Result<BTreeMap<Period, i64>> {
    Ok(ledger.read().approved_periods()?.into_iter().collect())
}

/// The approved period whose end is the latest at or before `p` begins (the
/// closure a batch for `p` is settled against), if any.
pub fn closure_for(approved: &BTreeMap<Period, i64>, p: Period) -> Option<(Period, i64)> {
    approved
        .iter()
        .filter(|(a, _)| a.end() <= p.start())
        .max_by_key(|(a, id)| (a.end(), **id))
        .map(|(a, id)| (*a, *id))
}

/// The data an approved document was computed from, read for `period` (the
/// run's period: findings about records outside it depend on it).
pub fn approved_data(s: &Session, doc_id: i64, period: Option<Period>) -> anyhow::Result<Approved> {
    let inputs = s.ledger.read().document_inputs(doc_id)?;
    let ingested = read_archived(s, &inputs, period)?;
    Ok(Approved {
        doc_id,
        inputs,
        read: Inputs {
            files: Vec::new(),
            ingested,
        },
    })
}

/// The records of archived inputs (see [`read_archived`]).
pub fn archived_data(s: &Session, inputs: &[(String, String)]) -> anyhow::Result<Dataset> {
    Ok(read_archived(s, inputs, None)?.dataset)
}

/// Read archived inputs again, at their recorded paths (a delivery's period
/// comes from its folder or name) and with their recorded arrivals (the newest
/// delivery of a record wins), in a scratch folder removed afterwards.
pub fn read_archived(
    s: &Session,
    inputs: &[(String, String)],
    period: Option<Period>,
) -> anyhow::Result<Ingested> {
    let work = Scratch::new(s, "approved");
    let mut files = Vec::new();
    for (rel, sha) in inputs {
        files.push(work.place(s, rel, sha)?);
    }
    files.sort();
    let mut ws = s.env.ws.clone();
    ws.root = work.path().to_path_buf();
    let arrivals = s.ledger.read().arrivals()?;
    let iso = crate::ingest::worker::isolation_for(&s.env.ws);
    let profiles = crate::ingest::profile::Profiles::of_workspace(&s.env.ws)?;
    let opts = crate::ingest::IngestOptions {
        profiles: Some(&profiles),
        explain: false,
        period,
        max_uncompressed_bytes: s.env.ws.max_uncompressed_bytes,
        progress: None,
        timezone: s.env.ws.timezone,
        now: Some(s.env.now()),
        arrivals: Some(&arrivals),
        isolation: iso.as_ref(),
    };
    Ok(crate::ingest::ingest(&ws, &s.env.cat, &files, &opts))
}

/// A scratch folder under `.svcreport/work/` (rebuilds, archived inputs read
/// again), removed when dropped.
pub(super) struct Scratch(PathBuf);

impl Scratch {
    pub(super) fn new(s: &Session, prefix: &str) -> Scratch {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        Scratch(
            s.env
                .ws
                .root
                .join(crate::ledger::STATE_DIR)
                .join("work")
                .join(format!(
                    "{prefix}-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                )),
        )
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }

    /// Write the archived object `sha` at the workspace-relative path `rel` inside.
    pub(super) fn place(&self, s: &Session, rel: &str, sha: &str) -> anyhow::Result<PathBuf> {
        let safe = safe_rel(rel)
            .with_context(|| format!("archived path \"{rel}\" is not a plain relative path"))?;
        let bytes = s.archive.load(sha)?;
        let p = self.0.join(safe);
        fsutil::write_atomic(&p, &bytes)
            .with_context(|| format!("{}: cannot write", p.display()))?;
        Ok(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A relative path made only of normal components (no `..`, no root).
fn safe_rel(rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::Normal(s) => out.push(s),
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_rel_refuses_escapes() {
        assert_eq!(
            safe_rel("inbox/2026-10/a.xlsx"),
            Some(PathBuf::from("inbox/2026-10/a.xlsx"))
        );
        assert_eq!(safe_rel("../x"), None);
        assert_eq!(safe_rel("/etc/passwd"), None);
        assert_eq!(safe_rel("a/../../x"), None);
        assert_eq!(safe_rel(""), None);
    }

    #[test]
    fn the_closure_is_the_latest_approved_period_before() {
        let p = |s: &str| Period::parse(s).unwrap();
        let approved: BTreeMap<Period, i64> =
            [(p("2026-08"), 3), (p("2026-09"), 7), (p("2026-Q3"), 9)].into();
        // September and Q3 both end on 1 October: the later approval wins.
        assert_eq!(
            closure_for(&approved, p("2026-10")),
            Some((p("2026-Q3"), 9))
        );
        assert_eq!(
            closure_for(&approved, p("2026-09")),
            Some((p("2026-08"), 3))
        );
        assert_eq!(closure_for(&approved, p("2026-08")), None);
        // A quarter that begins before the closure's end is not settled by it.
        assert_eq!(closure_for(&approved, p("2026-Q3")), None);
    }
}

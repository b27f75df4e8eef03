//! Review, approval, distribution, status (timeliness), verification and audit
//! of documents recorded in the ledger (spec §4–§5).
//!
//! Orchestration only: the rules live in `ledger` (versions, status moves),
//! `archive` (write-once approved files, sanitised names) and `pipeline`
//! (rebuilding a version from the archive). Invariants:
//! - only the approver named in the report list approves, and only a reviewed
//!   version; an approved version is never changed (a correction is a new
//!   major version made by `run`/`render`);
//! - `approve` rebuilds the version from its archived sources and refuses when
//!   the content hash no longer matches the reviewed draft;
//! - only approved files leave through `distribute`, into
//!   `outbox/<sanitised recipient>/`, each copy verified and recorded;
//! - every write of a command is one ledger transaction after its files exist.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::pipeline::{self, Env, Session, State, iso, parse_iso};
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::{sanitize_component, sha256_file, sha256_hex};
use crate::fsutil;
use crate::ledger::{DistributionRecord, DocFile, DocRecord, Ledger, ReviewRecord};
use crate::model::catalogue::{Catalogue, OutputFormat};
use crate::model::period::Period;
use crate::report::DocStatus;

fn say(g: &Global, s: impl AsRef<str>) {
    if !g.quiet {
        println!("{}", s.as_ref());
    }
}

fn find_latest(s: &Session, doc: &str) -> anyhow::Result<DocRecord> {
    match s.ledger.read().latest(doc)? {
        Some(d) => Ok(d),
        None => {
            let mut known: Vec<String> = s
                .ledger
                .read()
                .all_documents()?
                .into_iter()
                .map(|d| d.doc_number)
                .collect();
            known.dedup();
            if known.is_empty() {
                bail!(
                    "no document \"{doc}\" in the ledger (nothing generated yet: run `svcreport run --period P` first)"
                )
            }
            bail!(
                "no document \"{doc}\" in the ledger (known: {})",
                known.join(", ")
            )
        }
    }
}

fn formats_of(files: &[DocFile]) -> Vec<OutputFormat> {
    let mut v: Vec<OutputFormat> = files
        .iter()
        .filter_map(|f| match f.format.as_str() {
            "pdf" => Some(OutputFormat::Pdf),
            "xlsx" => Some(OutputFormat::Xlsx),
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// `svcreport review DOC --name N`.
pub fn review(g: &Global, doc: &str, name: &str, comment: Option<&str>) -> anyhow::Result<u8> {
    step(g, doc, name, comment, DocStatus::Reviewed)
}

/// `svcreport approve DOC --name N`.
pub fn approve(g: &Global, doc: &str, name: &str, comment: Option<&str>) -> anyhow::Result<u8> {
    step(g, doc, name, comment, DocStatus::Approved)
}

fn step(
    g: &Global,
    doc: &str,
    name: &str,
    comment: Option<&str>,
    to: DocStatus,
) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let d = find_latest(&s, doc)?;
    let name = name.trim();
    if name.is_empty() {
        bail!(
            "--name is empty: say who {}",
            if to == DocStatus::Approved {
                "approves"
            } else {
                "reviews"
            }
        );
    }
    // Status moves forward only, one step at a time.
    match (d.status, to) {
        (DocStatus::Approved, _) => bail!(
            "{} V{} is approved already (by {} at {}); an approved version is never changed — a correction is regenerated as V{}",
            d.doc_number,
            d.version,
            d.approved_by.as_deref().unwrap_or("?"),
            d.approved_at.as_deref().unwrap_or("?"),
            d.version.next_major()
        ),
        (DocStatus::Reviewed, DocStatus::Reviewed) => bail!(
            "{} V{} is reviewed already (by {}); approve it next",
            d.doc_number,
            d.version,
            d.reviewed_by.as_deref().unwrap_or("?")
        ),
        (DocStatus::Draft, DocStatus::Approved) => bail!(
            "{} V{} is a draft that has not been reviewed: run `svcreport review {}` first",
            d.doc_number,
            d.version,
            d.doc_number
        ),
        _ => {}
    }
    let role = match s.env.cat.report(&d.report_id) {
        Some(spec) => {
            let (want, role) = if to == DocStatus::Approved {
                (&spec.approver, "approver")
            } else {
                (&spec.reviewer, "reviewer")
            };
            if want.trim() != name {
                bail!(
                    "the report list names {want} as the {role} of {} (report {}), not {name}",
                    d.doc_number,
                    spec.id
                );
            }
            role
        }
        None => bail!(
            "report \"{}\" of {} is no longer in the report list; it cannot be {}",
            d.report_id,
            d.doc_number,
            to.as_str()
        ),
    };
    let at = iso(s.env.now());
    let mut state = State::of(&d);
    state.status = to;
    if to == DocStatus::Approved {
        state.approved_by = Some(name.to_string());
        state.approved_at = Some(at.clone());
    } else {
        state.reviewed_by = Some(name.to_string());
        state.reviewed_at = Some(at.clone());
    }
    let files = s.ledger.read().files(d.id)?;
    let formats = formats_of(&files);
    let rebuilt = pipeline::rebuild(&s, &d, &state, &formats)?;
    if rebuilt.doc.meta.content_hash != d.content_hash {
        bail!(
            "{} V{}: rebuilt from the archive, its content hash is {} but the draft's is {}; nothing was recorded (run `svcreport audit {}`)",
            d.doc_number,
            d.version,
            rebuilt.doc.meta.content_hash,
            d.content_hash,
            d.doc_number
        );
    }
    let period = Period::parse(&d.period)?;
    let dir = pipeline::period_dir(&s.env, &period);
    let mut recorded = Vec::new();
    for (f, bytes) in &rebuilt.files {
        let fname = pipeline::file_name(&d.doc_number, &period, d.version, to, *f);
        let out = dir.join(&fname);
        let path = if to == DocStatus::Approved {
            let kept =
                s.archive
                    .keep_approved(&d.doc_number, &d.version.to_string(), &fname, bytes)?;
            // The copy in the output folder is write-once too.
            match std::fs::read(&out) {
                Ok(old) if old == *bytes => {}
                Ok(_) => bail!(
                    "{}: a different file exists under the approved name; it is never overwritten",
                    out.display()
                ),
                Err(_) => fsutil::write_new(&out, bytes)
                    .with_context(|| format!("{}: cannot write", out.display()))?,
            }
            kept
        } else {
            fsutil::write_atomic(&out, bytes)
                .with_context(|| format!("{}: cannot write", out.display()))?;
            out
        };
        recorded.push(DocFile {
            format: f.extension().to_string(),
            status: to,
            path: s.env.ws.rel(&path),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        });
    }
    let tx = s.ledger.transaction()?;
    tx.record_step(
        d.id,
        &ReviewRecord {
            step: if to == DocStatus::Approved {
                "approve"
            } else {
                "review"
            }
            .into(),
            name: name.to_string(),
            role: role.into(),
            at: at.clone(),
            comment: comment.map(str::to_string),
        },
    )?;
    for f in &recorded {
        tx.record_file(d.id, f)?;
    }
    tx.commit()?;
    say(
        g,
        format!(
            "{} V{} {} by {name} at {at}",
            d.doc_number,
            d.version,
            if to == DocStatus::Approved {
                "approved (已批准)"
            } else {
                "reviewed (已审核)"
            }
        ),
    );
    for f in &recorded {
        say(g, format!("  {}  sha256 {}", f.path, f.sha256));
    }
    Ok(EXIT_OK)
}

/// `svcreport distribute [--period P]`.
pub fn distribute(g: &Global, period: Option<Period>) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let at = iso(s.env.now());
    let docs = s.ledger.read().all_documents()?;
    let mut numbers: Vec<(String, String)> = docs
        .iter()
        .filter(|d| period.is_none_or(|p| d.period == p.to_string()))
        .map(|d| (d.doc_number.clone(), d.report_id.clone()))
        .collect();
    numbers.sort();
    numbers.dedup();
    let outbox = s.env.ws.root.join("outbox");
    let mut copies: Vec<(i64, DistributionRecord)> = Vec::new();
    let mut held = Vec::new();
    let mut already = 0usize;
    for (number, report_id) in &numbers {
        let Some(d) = s.ledger.read().latest_approved(number)? else {
            let latest = s.ledger.read().latest(number)?;
            if let Some(l) = latest {
                held.push(format!(
                    "{} V{} is {} (not approved): not distributed",
                    l.doc_number,
                    l.version,
                    l.status.label_en().to_lowercase()
                ));
            }
            continue;
        };
        let recipients: Vec<String> = match s.env.cat.report(report_id) {
            Some(spec) => spec.recipients.clone(),
            None => Vec::new(),
        };
        if recipients.is_empty() {
            held.push(format!(
                "{} V{}: the report list names no recipients",
                d.doc_number, d.version
            ));
            continue;
        }
        let sent = s.ledger.read().distributions(d.id)?;
        for f in s.ledger.read().files(d.id)? {
            if f.status != DocStatus::Approved {
                continue;
            }
            let src = s.env.ws.root.join(&f.path);
            let bytes = std::fs::read(&src)
                .with_context(|| format!("{}: approved file missing", src.display()))?;
            if sha256_hex(&bytes) != f.sha256 {
                bail!(
                    "{}: the approved file no longer matches its recorded SHA-256 {}; not distributed (run `svcreport audit {}`)",
                    src.display(),
                    f.sha256,
                    d.doc_number
                );
            }
            let fname = Path::new(&f.path)
                .file_name()
                .map(|n| sanitize_component(&n.to_string_lossy()))
                .unwrap_or_else(|| sanitize_component(&d.doc_number));
            for r in &recipients {
                let folder = sanitize_component(r);
                let dest = outbox.join(&folder).join(&fname);
                let done = sent
                    .iter()
                    .any(|x| x.recipient == *r && x.format == f.format && x.sha256 == f.sha256);
                if done && std::fs::read(&dest).is_ok_and(|b| b == bytes) {
                    already += 1;
                    continue;
                }
                fsutil::write_atomic(&dest, &bytes)
                    .with_context(|| format!("{}: cannot write", dest.display()))?;
                copies.push((
                    d.id,
                    DistributionRecord {
                        format: f.format.clone(),
                        recipient: r.clone(),
                        path: s.env.ws.rel(&dest),
                        sha256: f.sha256.clone(),
                        at: at.clone(),
                    },
                ));
            }
        }
    }
    let tx = s.ledger.transaction()?;
    for (id, c) in &copies {
        tx.record_distribution(*id, c)?;
    }
    tx.commit()?;
    for (_, c) in &copies {
        say(g, format!("sent {} to {}", c.path, c.recipient));
    }
    if already > 0 {
        say(g, format!("{already} copies were distributed already"));
    }
    for h in &held {
        eprintln!("held back: {h}");
    }
    if copies.is_empty() && already == 0 && !held.is_empty() {
        return Ok(EXIT_REJECTED);
    }
    Ok(EXIT_OK)
}

/// One row of the timeliness table (status command, internal report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    pub report_id: String,
    pub title: String,
    pub doc_number: String,
    pub period: String,
    pub data_due: Option<NaiveDate>,
    pub report_due: Option<NaiveDate>,
    /// Latest arrival among the inputs first seen after the period began.
    pub data_arrived: Option<String>,
    pub generated: Option<String>,
    pub version: Option<String>,
    pub status: Option<String>,
    pub approved: Option<String>,
    pub distributed: Option<String>,
    /// `on_time`, `at_risk`, `late`, `open` (not due yet), `done`.
    pub state: String,
    pub notes: Vec<String>,
}

/// Calendar days before the report due date from which an undistributed report is at risk.
pub const AT_RISK_DAYS: i64 = 5;

fn after_day(t: &str, day: NaiveDate) -> bool {
    parse_iso(t).is_some_and(|t| t.date() > day)
}

/// The timeliness of every report of `period` (and the longer periods it
/// closes), from the ledger and the due-date rules.
pub fn status_rows(
    env: &Env,
    ledger: &Ledger,
    period: Option<Period>,
) -> anyhow::Result<Vec<StatusRow>> {
    let now = env.now();
    let hol = crate::model::holidays::HolidaySet::cn();
    let mut keys: Vec<(Period, usize)> = Vec::new();
    match period {
        Some(p) => {
            for (i, spec) in env.cat.reports.iter().enumerate() {
                if spec.frequency == p.frequency {
                    keys.push((p, i));
                } else if p.ends(spec.frequency) {
                    keys.push((p.enclosing(spec.frequency), i));
                }
            }
        }
        None => {
            for d in ledger.read().all_documents()? {
                if let (Ok(p), Some(i)) = (
                    Period::parse(&d.period),
                    env.cat.reports.iter().position(|r| r.id == d.report_id),
                ) {
                    keys.push((p, i));
                }
            }
            let last_month = Period::of_date(now.date()).prev();
            for j in pipeline::due_jobs(&env.cat, last_month) {
                keys.push((j.period, j.spec));
            }
        }
    }
    keys.sort();
    keys.dedup();
    let inputs = ledger.read().inputs()?;
    let mut rows = Vec::new();
    for (p, i) in keys {
        let spec = &env.cat.reports[i];
        let number = spec.doc_number_for(&p);
        let data_due = crate::due::data_due(p.frequency, p, &hol).ok();
        let report_due = crate::due::report_due(p.frequency, p, &hol).ok();
        let versions = ledger.read().versions(&number)?;
        let first = versions.first();
        let latest = versions.last();
        let approved = versions
            .iter()
            .rev()
            .find(|d| d.status == DocStatus::Approved);
        let start = iso(p.start());
        let arrived = inputs
            .iter()
            .filter(|x| x.first_seen >= start)
            .map(|x| x.first_seen.clone())
            .max();
        let distributed = match approved {
            Some(a) => ledger
                .read()
                .distributions(a.id)?
                .into_iter()
                .map(|x| x.at)
                .min(),
            None => None,
        };
        let mut notes = Vec::new();
        let mut late = false;
        if let (Some(a), Some(due)) = (&arrived, data_due)
            && after_day(a, due)
        {
            late = true;
            notes.push(format!(
                "data late: arrived {} after the data due date {due}",
                &a[..10.min(a.len())]
            ));
        }
        if let Some(due) = data_due
            && arrived.is_none()
            && now.date() > due
        {
            late = true;
            notes.push(format!("no data yet; it was due {due}"));
        }
        let mut state = "open";
        if let Some(due) = report_due {
            match &distributed {
                Some(t) if after_day(t, due) => {
                    late = true;
                    notes.push(format!(
                        "distributed {} after the report due date {due}",
                        &t[..10.min(t.len())]
                    ));
                }
                Some(_) => state = "done",
                None if now.date() > due => {
                    late = true;
                    notes.push(format!("not distributed; the report was due {due}"));
                }
                None if (due - now.date()).num_days() <= AT_RISK_DAYS => {
                    state = "at_risk";
                    notes.push(format!(
                        "due {due}; {}",
                        match (approved, latest) {
                            (Some(_), _) => "approved, not yet distributed".to_string(),
                            (None, Some(l)) => format!("V{} is {}", l.version, l.status.as_str()),
                            (None, None) => "not generated yet".to_string(),
                        }
                    ));
                }
                None => {}
            }
        }
        if late {
            state = "late";
        } else if state == "done" {
            state = "on_time";
        }
        rows.push(StatusRow {
            report_id: spec.id.clone(),
            title: spec.title.clone(),
            doc_number: number,
            period: p.to_string(),
            data_due,
            report_due,
            data_arrived: arrived,
            generated: first.map(|d| d.created.clone()),
            version: latest.map(|d| d.version.to_string()),
            status: latest.map(|d| d.status.as_str().to_string()),
            approved: approved.and_then(|d| d.approved_at.clone()),
            distributed,
            state: state.to_string(),
            notes,
        });
    }
    Ok(rows)
}

/// The timeliness rows the internal report shows: the three periods before
/// `period` in full, and for `period` itself only its data arrival (its own
/// generation, approval and distribution are still to come, and must not
/// change the content of the report that is being generated).
pub fn timeliness_rows(
    env: &Env,
    ledger: &Ledger,
    period: Period,
) -> anyhow::Result<Vec<crate::report::TimelinessRow>> {
    let mut rows = Vec::new();
    for p in period.previous(3) {
        for r in status_rows(env, ledger, Some(p))? {
            rows.extend(to_timeliness(&r, false));
        }
    }
    for r in status_rows(env, ledger, Some(period))? {
        rows.extend(to_timeliness(&r, true));
    }
    Ok(rows)
}

fn to_timeliness(r: &StatusRow, data_only: bool) -> Option<crate::report::TimelinessRow> {
    let t = |o: &Option<String>| o.as_deref().and_then(parse_iso);
    let data_late = r
        .notes
        .iter()
        .any(|n| n.starts_with("data late") || n.starts_with("no data"));
    Some(crate::report::TimelinessRow {
        report_id: r.report_id.clone(),
        period: r.period.clone(),
        data_due: r.data_due?,
        report_due: r.report_due?,
        data_arrived: t(&r.data_arrived),
        generated: if data_only { None } else { t(&r.generated) },
        approved: if data_only { None } else { t(&r.approved) },
        distributed: if data_only { None } else { t(&r.distributed) },
        late: if data_only {
            data_late
        } else {
            r.state == "late"
        },
        at_risk: !data_only && r.state == "at_risk",
    })
}

/// `svcreport status [--period P]`.
pub fn status(g: &Global, period: Option<Period>) -> anyhow::Result<u8> {
    let env = Env::load(&g.workspace, g.now.as_deref())?;
    let ledger = Ledger::open(&env.ws.root)?;
    let rows = status_rows(&env, &ledger, period)?;
    if g.format == OutputKind::Json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(EXIT_OK);
    }
    let opt = |o: &Option<String>| {
        o.as_deref()
            .map(|s| s.replace('T', " "))
            .unwrap_or_else(|| "—".into())
    };
    let day = |o: &Option<NaiveDate>| o.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    println!("as of {}", env.now().format("%Y-%m-%d %H:%M"));
    for r in &rows {
        println!(
            "{} {} ({}) — {}",
            r.doc_number,
            r.period,
            r.report_id,
            match r.state.as_str() {
                "on_time" => "on time",
                "at_risk" => "AT RISK",
                "late" => "LATE",
                _ => "open",
            }
        );
        println!(
            "  data due     {}   arrived   {}",
            day(&r.data_due),
            opt(&r.data_arrived)
        );
        println!(
            "  report due   {}   generated {}",
            day(&r.report_due),
            opt(&r.generated)
        );
        println!(
            "  version      {}   status {}   approved {}   distributed {}",
            r.version.as_deref().unwrap_or("—"),
            r.status.as_deref().unwrap_or("—"),
            opt(&r.approved),
            opt(&r.distributed)
        );
        for n in &r.notes {
            println!("  ! {n}");
        }
    }
    if rows.is_empty() {
        println!("nothing recorded or due");
    }
    Ok(EXIT_OK)
}

/// `svcreport verify FILE`.
pub fn verify(g: &Global, file: &Path) -> anyhow::Result<u8> {
    let ws = crate::workspace::Workspace::load(&g.workspace)?;
    let ledger = Ledger::open(&ws.root)?;
    let (sha, size) = sha256_file(file)?;
    let hits = ledger.read().find_file(&sha)?;
    if g.format == OutputKind::Json {
        let v: Vec<serde_json::Value> = hits
            .iter()
            .map(|(d, f)| {
                serde_json::json!({
                    "doc_number": d.doc_number, "version": d.version.to_string(),
                    "status": f.status.as_str(), "format": f.format, "period": d.period,
                    "report_id": d.report_id, "content_hash": d.content_hash, "path": f.path,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"file": file.display().to_string(), "sha256": sha, "bytes": size, "matches": v})
        );
    } else if hits.is_empty() {
        println!(
            "{}: no match (SHA-256 {sha}); it is not a document recorded in this workspace's ledger",
            file.display()
        );
    } else {
        for (d, f) in &hits {
            println!(
                "{}: matches {} V{} ({}, {} {}), period {}, recorded as {}",
                file.display(),
                d.doc_number,
                d.version,
                f.status.label_zh(),
                f.status.as_str(),
                f.format,
                d.period,
                f.path
            );
            if f.status == DocStatus::Approved {
                println!(
                    "  approved by {} at {}",
                    d.approved_by.as_deref().unwrap_or("?"),
                    d.approved_at.as_deref().unwrap_or("?")
                );
            }
        }
    }
    Ok(if hits.is_empty() {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

/// `svcreport audit DOC`: rebuild the latest approved (else latest) version
/// from its archived sources and compare content and file hashes.
pub fn audit(g: &Global, doc: &str) -> anyhow::Result<u8> {
    let s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let (doc, version) = match doc.rsplit_once('@') {
        Some((d, v)) => (d, crate::ledger::DocVersion::parse(v)),
        None => (doc, None),
    };
    let d = match version {
        Some(v) => s
            .ledger
            .read()
            .versions(doc)?
            .into_iter()
            .find(|d| d.version == v)
            .with_context(|| format!("{doc} has no version {v}"))?,
        None => match s.ledger.read().latest_approved(doc)? {
            Some(d) => d,
            None => find_latest(&s, doc)?,
        },
    };
    let files: Vec<DocFile> = s
        .ledger
        .read()
        .files(d.id)?
        .into_iter()
        .filter(|f| f.status == d.status)
        .collect();
    let formats = formats_of(&files);
    let rebuilt = pipeline::rebuild(&s, &d, &State::of(&d), &formats)?;
    let mut diffs = Vec::new();
    if rebuilt.doc.meta.content_hash != d.content_hash {
        diffs.push(format!(
            "content hash: recorded {}, recomputed {}",
            d.content_hash, rebuilt.doc.meta.content_hash
        ));
        if let Some(m) = &rebuilt.archived_model {
            diffs.extend(model_diff(m, &rebuilt.doc));
        }
    }
    for f in &files {
        let got = rebuilt
            .files
            .iter()
            .find(|(fmt, _)| fmt.extension() == f.format)
            .map(|(_, b)| sha256_hex(b));
        match got {
            Some(h) if h == f.sha256 => {}
            Some(h) => diffs.push(format!(
                "{} file: recorded {}, recomputed {h}",
                f.format, f.sha256
            )),
            None => diffs.push(format!("{} file: could not be recomputed", f.format)),
        }
        let on_disk = s.env.ws.root.join(&f.path);
        match sha256_file(&on_disk) {
            Ok((h, _)) if h == f.sha256 => {}
            Ok((h, _)) => diffs.push(format!(
                "{}: altered on disk (SHA-256 now {h}, recorded {})",
                f.path, f.sha256
            )),
            Err(_) => diffs.push(format!("{}: missing on disk", f.path)),
        }
    }
    let when = now_label(s.env.now());
    if diffs.is_empty() {
        say(
            g,
            format!(
                "{} V{} ({}): recomputed from {} archived inputs — content hash {} and {} file hash(es) match ({when})",
                d.doc_number,
                d.version,
                d.status.label_zh(),
                s.ledger.read().document_inputs(d.id)?.len(),
                d.content_hash,
                files.len()
            ),
        );
        Ok(EXIT_OK)
    } else {
        println!("{} V{}: does NOT match ({when}):", d.doc_number, d.version);
        for x in &diffs {
            println!("  - {x}");
        }
        Ok(EXIT_REJECTED)
    }
}

fn now_label(t: NaiveDateTime) -> String {
    format!("audited {}", t.format("%Y-%m-%d %H:%M"))
}

/// Which parts of two report models differ (meta fields that enter the
/// content, sections by id and their blocks).
pub fn model_diff(a: &crate::report::ReportDoc, b: &crate::report::ReportDoc) -> Vec<String> {
    let mut out = Vec::new();
    for s in &a.sections {
        match b.sections.iter().find(|x| x.id == s.id) {
            None => out.push(format!("section \"{}\" ({}) is gone", s.id, s.title)),
            Some(x) if x != s => {
                let n = s
                    .blocks
                    .iter()
                    .zip(&x.blocks)
                    .filter(|(p, q)| p != q)
                    .count()
                    + s.blocks.len().abs_diff(x.blocks.len());
                out.push(format!(
                    "section \"{}\" ({}) differs in {n} block(s)",
                    s.id, s.title
                ));
            }
            _ => {}
        }
    }
    for x in &b.sections {
        if !a.sections.iter().any(|s| s.id == x.id) {
            out.push(format!("section \"{}\" ({}) is new", x.id, x.title));
        }
    }
    if a.meta.title != b.meta.title || a.meta.party != b.meta.party {
        out.push("document title or party differs".into());
    }
    out
}

/// The catalogue's recipients of a report (used by tests and `distribute`).
pub fn recipients(cat: &Catalogue, report_id: &str) -> Vec<String> {
    cat.report(report_id)
        .map(|r| r.recipients.clone())
        .unwrap_or_default()
}

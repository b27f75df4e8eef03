//! Which input rows a document's figures use (issue 15: "a document's inputs
//! are its own").
//!
//! A row belongs to every document whose figures use it: for each target of the
//! document's agreements, the records in the target's scope (the same customer
//! and service rules as the computation: an outage or a change without a
//! customer belongs to every customer of its service, a survey without a
//! service to its customer's agreement as a whole, a supplier ticket to the UC
//! it names), of the datasets the metric needs ([`super::datasets_of`]), that
//! are live in the period: a ticket opened before the period's end and not
//! resolved (fulfilled, restored) before its start, an outage overlapping it, a
//! change ending in it, a survey or capacity sample dated in it. A ticket closed
//! before the period counted in an earlier period's figures, which the trends
//! show as recorded. A target's priority does not narrow the rows: the volume
//! chart shows every priority.
//!
//! Each used row has a canonical form: the JSON of its typed record without
//! its position (file, sheet, row) and without fields that say nothing (`null`,
//! `false`: a field added later with such a default changes no digest), so that a row moving inside a shared
//! workbook (another customer's row deleted above it) changes nothing. A
//! file's digest is the SHA-256 of its used rows' canonical forms, sorted, one
//! per line (each ending with `\n`): `audit` recomputes it from the archived
//! workbooks. Sees `model` only, no I/O.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::catalogue::{AgreementKind, Catalogue, Metric};
use crate::model::period::Period;
use crate::model::records::{Dataset, DatasetKind, SourceRef};

/// The rows of one file a document uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileRows {
    /// Workspace-relative path.
    pub file: String,
    /// The sheets the rows are on, sorted.
    pub sheets: Vec<String>,
    /// How many rows.
    pub rows: u64,
    /// SHA-256 (hex) of the rows' canonical forms (see the module docs).
    pub digest: String,
}

/// One target's scope as rows see it.
struct Scope<'a> {
    customer: Option<&'a str>,
    /// Empty = any service.
    services: Vec<&'a str>,
    /// The target names a service itself.
    service_scoped: bool,
    /// The target names a capacity resource.
    resource: Option<&'a str>,
    /// UC: the contract (agreement id) supplier tickets name.
    contract: Option<&'a str>,
    datasets: &'static [DatasetKind],
    metric: Metric,
}

impl Scope<'_> {
    fn service_ok(&self, s: &str) -> bool {
        self.services.is_empty() || self.services.contains(&s)
    }
    fn customer_ok(&self, c: &str) -> bool {
        self.customer.is_none_or(|x| x == c)
    }
    /// An optional customer: none = every customer of the service.
    fn customer_opt_ok(&self, c: Option<&str>) -> bool {
        match (self.customer, c) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
    fn needs(&self, d: DatasetKind) -> bool {
        self.datasets.contains(&d)
    }
}

/// The canonical line of a record: its JSON with `src` left out, and fields that
/// say nothing (`null`, `false`) left out too, so that a field a later version
/// adds with such a default leaves every digest as it was.
fn canonical<T: Serialize>(r: &T) -> String {
    let mut v = serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.remove("src");
        o.retain(|_, x| !matches!(x, serde_json::Value::Null | serde_json::Value::Bool(false)));
    }
    v.to_string()
}

/// A used row, by reference until its file's turn comes.
enum Row<'d> {
    Incident(&'d crate::model::records::Incident),
    Request(&'d crate::model::records::Request),
    Outage(&'d crate::model::records::Outage),
    Change(&'d crate::model::records::Change),
    Survey(&'d crate::model::records::Survey),
    SupplierTicket(&'d crate::model::records::SupplierTicket),
    Capacity(&'d crate::model::records::CapacitySample),
}

impl Row<'_> {
    fn canonical(&self) -> String {
        match self {
            Row::Incident(r) => canonical(*r),
            Row::Request(r) => canonical(*r),
            Row::Outage(r) => canonical(*r),
            Row::Change(r) => canonical(*r),
            Row::Survey(r) => canonical(*r),
            Row::SupplierTicket(r) => canonical(*r),
            Row::Capacity(r) => canonical(*r),
        }
    }
}

/// The rows the figures of a document covering `agreements` use, per file
/// (sorted by path).
pub fn rows_used<'d>(
    cat: &Catalogue,
    data: &'d Dataset,
    period: &Period,
    agreements: &[String],
) -> Vec<FileRows> {
    let mut scopes: Vec<Scope> = Vec::new();
    for id in agreements {
        let Some(a) = cat.agreement_for(id, period) else {
            continue;
        };
        for t in &a.targets {
            let customer = match a.kind {
                AgreementKind::Sla => Some(t.customer.as_deref().unwrap_or(a.party.as_str())),
                AgreementKind::Uc | AgreementKind::Ola => t.customer.as_deref(),
            };
            let services = match &t.service {
                Some(s) => vec![s.as_str()],
                None => a.services.iter().map(String::as_str).collect(),
            };
            scopes.push(Scope {
                customer,
                services,
                service_scoped: t.service.is_some(),
                resource: t.resource.as_deref(),
                contract: (a.kind == AgreementKind::Uc).then_some(a.id.as_str()),
                datasets: super::datasets_of(t.metric),
                metric: t.metric,
            });
        }
    }
    let (start, end) = (period.start(), period.end());
    let (start_date, end_date) = (period.start_date(), period.end_date_exclusive());
    let live = |opened: chrono::NaiveDateTime, done: Option<chrono::NaiveDateTime>| {
        opened < end && done.is_none_or(|d| d >= start)
    };
    let dated = |d: chrono::NaiveDate| d >= start_date && d < end_date;
    // (file) → (sheets, the rows used): the canonical lines are made one file at a
    // time below, so at most one file's lines are held at once.
    let mut per_file: BTreeMap<&'d str, (Vec<&'d str>, Vec<Row<'d>>)> = BTreeMap::new();
    let mut add = |src: &'d SourceRef, row: Row<'d>| {
        let e = per_file.entry(src.origin().file.as_str()).or_default();
        let sheet = src.origin().sheet.as_str();
        if !e.0.contains(&sheet) {
            e.0.push(sheet);
        }
        e.1.push(row);
    };
    let any = |f: &dyn Fn(&Scope) -> bool| scopes.iter().any(f);
    for i in &data.incidents {
        if live(i.opened, i.resolved)
            && any(&|s| {
                s.needs(DatasetKind::Incidents)
                    && s.customer_ok(&i.customer)
                    && s.service_ok(&i.service)
            })
        {
            add(&i.src, Row::Incident(i));
        }
    }
    for r in &data.requests {
        if live(r.opened, r.fulfilled)
            && any(&|s| {
                s.needs(DatasetKind::Requests)
                    && s.customer_ok(&r.customer)
                    && s.service_ok(&r.service)
            })
        {
            add(&r.src, Row::Request(r));
        }
    }
    for o in &data.outages {
        if live(o.start, o.end)
            && any(&|s| {
                s.needs(DatasetKind::Outages)
                    && s.service_ok(&o.service)
                    && s.customer_opt_ok(o.customer.as_deref())
            })
        {
            add(&o.src, Row::Outage(o));
        }
    }
    for c in &data.changes {
        if c.actual_end.is_some_and(|e| e >= start && e < end)
            && any(&|s| {
                s.needs(DatasetKind::Changes)
                    && s.service_ok(&c.service)
                    && s.customer_opt_ok(c.customer.as_deref())
            })
        {
            add(&c.src, Row::Change(c));
        }
    }
    for v in &data.surveys {
        if dated(v.date)
            && any(&|s| {
                s.needs(DatasetKind::Surveys)
                    && s.customer_ok(&v.customer)
                    && match v.service.as_deref() {
                        Some(sv) => s.service_ok(sv),
                        None => !s.service_scoped,
                    }
            })
        {
            add(&v.src, Row::Survey(v));
        }
    }
    for t in &data.supplier_tickets {
        if live(t.reported, t.restored)
            && any(&|s| s.needs(DatasetKind::SupplierTickets) && s.contract == Some(&*t.contract))
        {
            add(&t.src, Row::SupplierTicket(t));
        }
    }
    for c in &data.capacity {
        if dated(c.date)
            && any(&|s| {
                s.needs(DatasetKind::Capacity)
                    && matches!(s.metric, Metric::CapacityPeak | Metric::CapacityDaysOver)
                    && s.resource.is_none_or(|r| r == &*c.resource)
                    && match c.service.as_deref() {
                        Some(sv) => s.service_ok(sv),
                        None => s.resource.is_some(),
                    }
            })
        {
            add(&c.src, Row::Capacity(c));
        }
    }
    per_file
        .into_iter()
        .map(|(file, (mut sheets, rows))| {
            sheets.sort_unstable();
            let mut lines: Vec<String> = rows.iter().map(Row::canonical).collect();
            drop(rows);
            lines.sort_unstable();
            let mut h = Sha256::new();
            for l in &lines {
                h.update(l.as_bytes());
                h.update(b"\n");
            }
            FileRows {
                file: file.to_string(),
                sheets: sheets.into_iter().map(str::to_string).collect(),
                rows: lines.len() as u64,
                digest: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_that_says_nothing_is_not_in_the_canonical_line() {
        #[derive(Serialize)]
        struct Old {
            id: &'static str,
            n: i64,
        }
        #[derive(Serialize)]
        struct New {
            id: &'static str,
            n: i64,
            added: bool,
            note: Option<String>,
        }
        let old = canonical(&Old { id: "A", n: 0 });
        let new = canonical(&New {
            id: "A",
            n: 0,
            added: false,
            note: None,
        });
        assert_eq!(old, new);
        let set = canonical(&New {
            id: "A",
            n: 0,
            added: true,
            note: None,
        });
        assert_ne!(old, set);
    }
}

//! Row rules: one data row (its cells already mapped to the dataset's
//! columns) → one typed record of `model::records`, or error findings.
//!
//! Uses `ingest::cell` for values and the catalogue for references; knows
//! nothing of calamine. Invariants: a row is accepted iff it produced no
//! error finding; every finding names the absolute cell (`E14`) and the
//! header as the provider wrote it; a record lying outside the period is
//! never an error (it is only counted for an information finding).

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::cell::{self, CellError, Raw, norm};
use super::schema::{CHANGE_RESULT, CHANGE_TYPE, ColType, DatasetDef, DatasetKind, STATUS};
use crate::findings::limit::Bounded;
use crate::findings::{CellRef, Finding, Message, RefKind, Severity, TextPlace, Words};
use crate::model::catalogue::{AgreementKind, Catalogue};
use crate::model::period::Period;
use crate::model::records::*;

/// Catalogue lookups, built once per run: ids and names (zh/en, any case or
/// width) to ids.
#[derive(Debug, Default)]
pub struct Refs {
    customers: HashMap<String, Sym>,
    services: HashMap<String, Sym>,
    suppliers: HashMap<String, Sym>,
    /// Per kind (customer, service, supplier): every spelling without spaces ([`loose`]) →
    /// (id, the catalogue's spelling), for a match "ignoring spaces" (with a note).
    loose: [HashMap<String, (Sym, String)>; 3],
    /// Per kind: the ids, names and aliases, for "did you mean" and the list of values.
    spellings: [Vec<String>; 3],
    /// service id → customers it serves.
    service_customers: HashMap<String, Vec<String>>,
    /// UC id (as written and normalised) → (UC id, supplier id).
    ucs: HashMap<String, (Sym, Sym)>,
}

/// A spelling without case, width or spaces: "ERP系统" and "ERP 系统" are one.
fn loose(s: &str) -> String {
    norm(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// The loose keys and listed spellings of one catalogue entry (`seen`: the normalised
/// spellings listed so far, so that each is listed once in constant time).
fn add_loose(
    loose_map: &mut HashMap<String, (Sym, String)>,
    listed: &mut Vec<String>,
    seen: &mut rustc_hash::FxHashSet<String>,
    id: &str,
    names: &[&str],
) {
    let sym = Sym::new(id);
    for n in std::iter::once(id).chain(names.iter().copied()) {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        loose_map
            .entry(loose(n))
            .or_insert_with(|| (sym.clone(), n.to_string()));
        // One spelling per name whatever its case or width ("acme" and "ACME").
        if seen.insert(norm(n)) {
            listed.push(n.to_string());
        }
    }
}

/// Keys: the id and the names as written (the common, allocation-free hit) and
/// their normalised forms. Every key maps to one shared copy of the id.
fn add(map: &mut HashMap<String, Sym>, id: &str, names: &[Option<&str>]) {
    let sym = Sym::new(id);
    map.insert(id.to_string(), sym.clone());
    map.insert(norm(id), sym.clone());
    for n in names.iter().flatten() {
        map.entry(n.trim().to_string())
            .or_insert_with(|| sym.clone());
        map.entry(norm(n)).or_insert_with(|| sym.clone());
    }
}

/// The customer (or, for supplier tickets, the supplier) a row names, as a catalogue id,
/// where its cell is text the catalogue knows: for counting a rejected row for its party.
pub fn party_named(def: &DatasetDef, cells: &[Raw<'_>], refs: &Refs) -> Option<String> {
    let (key, map) = match def.kind {
        DatasetKind::SupplierTickets => ("supplier", &refs.suppliers),
        _ => ("customer", &refs.customers),
    };
    let i = def.columns.iter().position(|c| c.key == key)?;
    match cells.get(i)? {
        Raw::Text(t) => look(map, t.trim()).map(|s| s.as_str().to_string()),
        _ => None,
    }
}

fn look<'m, V>(map: &'m HashMap<String, V>, s: &str) -> Option<&'m V> {
    map.get(s).or_else(|| map.get(norm(s).as_str()))
}

/// What the reader needs of the catalogue (ids and names), as plain data an ingest worker
/// process receives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefsData {
    /// (id, name, English name).
    pub customers: Vec<(String, String, Option<String>)>,
    /// (id, name, English name, the customers it serves).
    pub services: Vec<(String, String, Option<String>, Vec<String>)>,
    /// Customer id → its aliases (`aliases` in the catalogue).
    #[serde(default)]
    pub customer_aliases: Vec<(String, Vec<String>)>,
    /// Service id → its aliases.
    #[serde(default)]
    pub service_aliases: Vec<(String, Vec<String>)>,
    /// (id, name, English name).
    pub suppliers: Vec<(String, String, Option<String>)>,
    /// UC agreements: (id, supplier id).
    pub ucs: Vec<(String, String)>,
}

impl RefsData {
    pub fn of(cat: &Catalogue) -> RefsData {
        RefsData {
            customers: cat
                .customers
                .iter()
                .map(|c| (c.id.clone(), c.name.clone(), c.name_en.clone()))
                .collect(),
            services: cat
                .services
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.name.clone(),
                        s.name_en.clone(),
                        s.customers.clone(),
                    )
                })
                .collect(),
            suppliers: cat
                .suppliers
                .iter()
                .map(|s| (s.id.clone(), s.name.clone(), s.name_en.clone()))
                .collect(),
            ucs: cat
                .agreements
                .iter()
                .filter(|a| a.kind == AgreementKind::Uc)
                .map(|a| (a.id.clone(), a.party.clone()))
                .collect(),
            customer_aliases: cat
                .customer_aliases
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            service_aliases: cat
                .service_aliases
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

impl Refs {
    pub fn new(cat: &Catalogue) -> Refs {
        Refs::from_data(&RefsData::of(cat))
    }

    pub fn from_data(d: &RefsData) -> Refs {
        let mut r = Refs::default();
        let mut seen: [rustc_hash::FxHashSet<String>; 3] = Default::default();
        let index = |list: &[(String, Vec<String>)]| -> HashMap<String, Vec<String>> {
            let mut m: HashMap<String, Vec<String>> = HashMap::default();
            for (k, v) in list {
                m.entry(k.clone()).or_default().extend(v.iter().cloned());
            }
            m
        };
        let (customer_aliases, service_aliases) =
            (index(&d.customer_aliases), index(&d.service_aliases));
        let aliases_of = |m: &HashMap<String, Vec<String>>, id: &str| -> Vec<String> {
            m.get(id).cloned().unwrap_or_default()
        };
        for (id, name, en) in &d.customers {
            let al = aliases_of(&customer_aliases, id);
            let mut names: Vec<Option<&str>> = vec![Some(name), en.as_deref()];
            names.extend(al.iter().map(|a| Some(a.as_str())));
            add(&mut r.customers, id, &names);
            let flat: Vec<&str> = names.iter().flatten().copied().collect();
            add_loose(
                &mut r.loose[0],
                &mut r.spellings[0],
                &mut seen[0],
                id,
                &flat,
            );
        }
        for (id, name, en, customers) in &d.services {
            let al = aliases_of(&service_aliases, id);
            let mut names: Vec<Option<&str>> = vec![Some(name), en.as_deref()];
            names.extend(al.iter().map(|a| Some(a.as_str())));
            add(&mut r.services, id, &names);
            let flat: Vec<&str> = names.iter().flatten().copied().collect();
            add_loose(
                &mut r.loose[1],
                &mut r.spellings[1],
                &mut seen[1],
                id,
                &flat,
            );
            r.service_customers.insert(id.clone(), customers.clone());
        }
        for (id, name, en) in &d.suppliers {
            add(&mut r.suppliers, id, &[Some(name), en.as_deref()]);
            let flat: Vec<&str> = [Some(name.as_str()), en.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            add_loose(
                &mut r.loose[2],
                &mut r.spellings[2],
                &mut seen[2],
                id,
                &flat,
            );
        }
        for (id, party) in &d.ucs {
            let v = (Sym::new(id), Sym::new(party));
            r.ucs.insert(id.clone(), v.clone());
            r.ucs.insert(norm(id), v);
        }
        r
    }
}

/// One shared copy of each kept text of a sheet (a process, a resource, a comment …): equal
/// texts are one [`Sym`], so a long comment repeated on every row (one shared string of the
/// workbook) is held once, not once per record. A long text borrowed from the workbook's
/// shared strings is found by its address, so it is hashed once, not once per row.
#[derive(Debug, Default)]
pub struct Texts<'a> {
    by_text: HashMap<Box<str>, Sym>,
    by_address: HashMap<(usize, usize), Sym>,
    _cells: std::marker::PhantomData<&'a str>,
}

/// Valid spellings an unknown reference's finding lists.
const MAX_LISTED: usize = 12;

/// Texts at least this long are found by address when borrowed from the workbook.
const BY_ADDRESS: usize = 64;

impl<'a> Texts<'a> {
    fn get(&mut self, raw: &Raw<'a>, text: &str) -> Sym {
        if let Raw::Text(Cow::Borrowed(s)) = raw
            && s.len() >= BY_ADDRESS
        {
            return self
                .by_address
                .entry((s.as_ptr() as usize, s.len()))
                .or_insert_with(|| Sym::new(text))
                .clone();
        }
        if let Some(s) = self.by_text.get(text) {
            return s.clone();
        }
        let s = Sym::new(text);
        self.by_text.insert(text.into(), s.clone());
        s
    }
}

/// The most characters a column takes: free text Excel's 32,767 (the reader has already
/// refused longer cells), ids, names, references and typed values 255.
fn max_chars(key: &str) -> usize {
    match key {
        "summary" | "description" | "comment" => super::MAX_CELL_CHARS,
        _ => super::MAX_KEY_CHARS,
    }
}

/// Whether the cell holds more than `limit` characters, deciding from the byte length
/// alone unless it lies between `limit` and `4 × limit` bytes (so the cost per cell is
/// bounded, however long the text).
fn over(raw: &Raw, limit: usize) -> bool {
    match raw {
        Raw::TooLong => true,
        Raw::Text(s) | Raw::Iso(s) => {
            s.len() > limit && (s.len() > 4 * limit || s.chars().nth(limit).is_some())
        }
        _ => false,
    }
}

/// One data row being turned into a record.
pub struct RowCtx<'r, 'a> {
    pub def: &'static DatasetDef,
    /// Cells by dataset column index.
    pub cells: &'r [Raw<'a>],
    /// Sheet column (0-based) of each dataset column, `None` when absent.
    pub cols: &'r [Option<u32>],
    /// Header as written, by dataset column index.
    pub headers: &'r [String],
    /// 0-based sheet row.
    pub row: u32,
    pub file: &'r str,
    pub sheet: &'r str,
    /// The shared file and sheet of every record's `SourceRef`.
    pub origin: &'r Arc<Origin>,
    pub refs: &'r Refs,
    /// The workspace's timezone (times with an offset are converted to it).
    pub timezone: chrono_tz::Tz,
    /// A text file's lines (places are `line:column`); `None` for a workbook.
    pub lines: Option<&'r super::text::LineMap>,
    /// The row's times were derived from an event log's activities.
    pub from_events: bool,
    pub findings: &'r mut Bounded,
    /// Kept texts, shared.
    pub texts: &'r mut Texts<'a>,
    pub errors: usize,
}

impl<'r, 'a> RowCtx<'r, 'a> {
    fn idx(&self, key: &str) -> usize {
        self.def
            .columns
            .iter()
            .position(|c| c.key == key)
            .expect("row rules only name columns of their own dataset")
    }

    /// The cell of dataset column `i` in this row (the row when the column is absent).
    fn at(&self, i: usize) -> CellRef {
        match (self.cols[i], self.lines) {
            (Some(c), None) => CellRef::at(self.row, c),
            (None, None) => CellRef::row_at(self.row),
            (Some(col), Some(m)) => CellRef::Line {
                line: m.line(self.row),
                col,
            },
            (None, Some(m)) => CellRef::Row {
                row: m.line(self.row),
            },
        }
    }

    /// A finding at dataset column `i` of this row; an error rejects the row.
    fn push(&mut self, i: usize, m: Message) {
        let mut f = Finding::new(m)
            .file(self.file)
            .sheet(self.sheet)
            .cell(self.at(i));
        if f.severity == Severity::Error {
            self.errors += 1;
        }
        let h = self.headers.get(i).map(String::as_str).unwrap_or("");
        if !h.is_empty() {
            f = f.column(h);
        }
        self.findings.push(f);
    }

    fn cell_err(&mut self, i: usize, e: CellError) {
        self.push(i, e.into_message());
    }

    fn required(&mut self, i: usize) {
        let c = &self.def.columns[i];
        self.push(
            i,
            Message::Required {
                column: c.name(),
                note: c.notes(),
            },
        );
    }

    /// Parse column `key` with `f`; records findings; `None` when blank or bad.
    /// The value may borrow from the row's cells (lifetime `'r`).
    fn get<T>(
        &mut self,
        key: &str,
        f: impl FnOnce(&'r Raw<'a>) -> Result<Option<T>, CellError>,
    ) -> Option<T> {
        let i = self.idx(key);
        let required = self.def.columns[i].required;
        let cells: &'r [Raw<'a>] = self.cells;
        // Already refused by the import profile (its finding made, the row rejected).
        if matches!(cells[i], Raw::Refused) {
            return None;
        }
        // Text longer than an id may be is rare: only then is the column's limit looked up.
        let long = match &cells[i] {
            Raw::TooLong => true,
            Raw::Text(s) | Raw::Iso(s) => s.len() > super::MAX_KEY_CHARS,
            _ => false,
        };
        if long && over(&cells[i], max_chars(key)) {
            let limit = if matches!(cells[i], Raw::TooLong) {
                super::MAX_CELL_CHARS
            } else {
                max_chars(key)
            };
            self.push(
                i,
                Message::TooLong {
                    limit: limit as u32,
                },
            );
            return None;
        }
        match f(&cells[i]) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if required {
                    self.required(i);
                }
                None
            }
            Err(e) => {
                self.cell_err(i, e);
                None
            }
        }
    }

    /// A kept text, shared ([`Texts`]).
    fn sym(&mut self, key: &str) -> Option<Sym> {
        let t = self.text_cow(key)?;
        let i = self.idx(key);
        Some(self.texts.get(&self.cells[i], &t))
    }

    /// A kept name or key that reaches reports (a process, a resource …): shared, and
    /// checked for characters a report cannot print as they are.
    fn name(&mut self, key: &str) -> Option<Sym> {
        let s = self.sym(key)?;
        self.unusual(key, &s);
        Some(s)
    }

    /// Warn about characters no bundled font has, and controls, bidirectional controls or
    /// invisible characters, in an id or a name (`value.unprintable`, `value.invisible`).
    fn unusual(&mut self, key: &str, s: &str) {
        let (missing, hidden) = crate::model::glyphs::unusual(s);
        if missing.is_none() && hidden.is_none() {
            return;
        }
        let i = self.idx(key);
        if let Some(ch) = hidden {
            self.push(
                i,
                Message::Invisible {
                    ch,
                    place: TextPlace::Cell,
                },
            );
        }
        if let Some(ch) = missing {
            self.push(
                i,
                Message::Unprintable {
                    ch,
                    place: TextPlace::Cell,
                },
            );
        }
    }

    /// [`Self::text`] borrowed from the cell where it can be.
    fn text_cow(&mut self, key: &str) -> Option<Cow<'r, str>> {
        self.get(key, cell::text_cow)
    }

    /// A ticket/change/request id (inline up to 15 bytes, see [`Id`]).
    fn id(&mut self, key: &str) -> Option<Id> {
        let t = self.text_cow(key)?;
        self.unusual(key, &t);
        Some(Id::from(&*t))
    }

    /// Validate a text column without keeping its value.
    fn check_text(&mut self, key: &str) {
        self.text_cow(key);
    }
    fn dt(&mut self, key: &str) -> Option<NaiveDateTime> {
        let tz = self.timezone;
        self.get(key, |v| cell::datetime(v, tz))
    }

    /// Non-negative number of minutes → seconds.
    fn minutes(&mut self, key: &str) -> i64 {
        let i = self.idx(key);
        match self.get(key, cell::number) {
            Some(m) if m < 0.0 => {
                self.push(i, Message::NegativeMinutes { value: m });
                0
            }
            Some(m) => (m * 60.0).round() as i64,
            None => 0,
        }
    }

    fn non_negative(&mut self, key: &str, what: Words) -> Option<f64> {
        let i = self.idx(key);
        let v = self.get(key, cell::number)?;
        if v < 0.0 {
            self.push(i, Message::Negative { what, value: v });
            return None;
        }
        Some(v)
    }

    fn int(&mut self, key: &str) -> Option<i64> {
        let i = self.idx(key);
        let (min, max) = match self.def.columns[i].ty {
            ColType::Int { min, max } => (min, max),
            _ => (i64::MIN, i64::MAX),
        };
        self.get(key, |r| cell::int_in(r, min, max))
    }

    fn choice(&mut self, key: &str, choices: &cell::Choices) -> Option<usize> {
        self.get(key, |r| cell::choice(r, choices))
    }

    /// `later` must not be before `earlier` (both present).
    fn order(
        &mut self,
        earlier_key: &str,
        earlier: Option<NaiveDateTime>,
        later_key: &str,
        later: Option<NaiveDateTime>,
    ) {
        if let (Some(a), Some(b)) = (earlier, later)
            && b < a
        {
            let ei = self.idx(earlier_key);
            let li = self.idx(later_key);
            let m = Message::TimeOrder {
                later: self.def.columns[li].name(),
                later_at: b,
                earlier: self.def.columns[ei].name(),
                earlier_at: a,
                earlier_cell: self.at(ei),
            };
            self.push(li, m);
        }
    }

    fn customer(&mut self, key: &str) -> Option<Sym> {
        self.reference(key, RefKind::Customer)
    }

    fn service(&mut self, key: &str) -> Option<Sym> {
        self.reference(key, RefKind::Service)
    }

    /// A catalogue reference: by id, name or alias (any case or width); else the same
    /// ignoring spaces, with a note (`ref.near_match`); else `ref.unknown_*` with the
    /// closest spelling ([`crate::suggest`]) and the valid ones.
    fn reference(&mut self, key: &str, kind: RefKind) -> Option<Sym> {
        let s = self.text_cow(key)?;
        let k = match kind {
            RefKind::Customer => 0,
            RefKind::Service => 1,
            RefKind::Supplier => 2,
        };
        let map = match kind {
            RefKind::Customer => &self.refs.customers,
            RefKind::Service => &self.refs.services,
            RefKind::Supplier => &self.refs.suppliers,
        };
        if let Some(id) = look(map, &s) {
            return Some(id.clone());
        }
        let i = self.idx(key);
        if let Some((id, spelled)) = self.refs.loose[k].get(&loose(&s)).cloned() {
            self.push(
                i,
                Message::NearMatch {
                    kind,
                    value: s.into_owned(),
                    matched: spelled,
                },
            );
            return Some(id);
        }
        let listed = &self.refs.spellings[k];
        let closest =
            crate::suggest::closest(&s, listed.iter().map(String::as_str)).map(str::to_string);
        let valid = listed.iter().take(MAX_LISTED).cloned().collect();
        self.push(
            i,
            Message::UnknownRef {
                kind,
                value: s.into_owned(),
                closest,
                valid,
                more: listed.len().saturating_sub(MAX_LISTED) as u32,
            },
        );
        None
    }

    /// Warn when a service is not one the customer takes.
    fn takes(&mut self, customer: Option<&str>, service: Option<&str>, service_key: &str) {
        if let (Some(c), Some(s)) = (customer, service)
            && let Some(cs) = self.refs.service_customers.get(s)
            && !cs.iter().any(|x| x == c)
        {
            let i = self.idx(service_key);
            self.push(
                i,
                Message::ServiceNotForCustomer {
                    customer: c.to_string(),
                    service: s.to_string(),
                },
            );
        }
    }

    fn supplier(&mut self, key: &str) -> Option<Sym> {
        self.reference(key, RefKind::Supplier)
    }

    fn contract(&mut self, key: &str, supplier: Option<&str>) -> Option<Sym> {
        let s = self.text_cow(key)?;
        let i = self.idx(key);
        let Some((uc, party)) = look(&self.refs.ucs, &s).cloned() else {
            self.push(
                i,
                Message::UnknownContract {
                    value: s.into_owned(),
                },
            );
            return None;
        };
        if let Some(sup) = supplier
            && party != sup
        {
            self.push(
                i,
                Message::ContractSupplierMismatch {
                    contract: s.into_owned(),
                    party: party.to_string(),
                    supplier: sup.to_string(),
                },
            );
        }
        Some(uc)
    }

    /// The record's source: its 1-based row, or the line of a text file's record.
    fn src(&self) -> SourceRef {
        let row = match self.lines {
            Some(m) => m.line(self.row),
            None => self.row + 1,
        };
        SourceRef::new(self.origin.clone(), row)
    }
}

fn status(i: usize) -> TicketStatus {
    [
        TicketStatus::New,
        TicketStatus::InProgress,
        TicketStatus::Pending,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::Cancelled,
    ][i.min(5)]
}

/// Does an interval [from, to) (to `None` = open) touch the period?
fn touches(p: &Period, from: NaiveDateTime, to: Option<NaiveDateTime>) -> bool {
    from < p.end() && to.is_none_or(|t| t >= p.start())
}

/// Build the record of one row into `out`. Returns `Some(in_period)` when
/// accepted (`in_period` is false when no figure of `period` can use it).
pub fn build(r: &mut RowCtx, out: &mut Dataset, period: Option<&Period>) -> Option<bool> {
    let in_p = match r.def.kind {
        DatasetKind::Incidents => {
            let id = r.id("ticket_id");
            let customer = r.customer("customer");
            let service = r.service("service");
            let priority = r.get("priority", cell::priority);
            let opened = r.dt("opened_at");
            let responded = r.dt("responded_at");
            let resolved = r.dt("resolved_at");
            let closed = r.dt("closed_at");
            let paused_secs = r.minutes("paused_minutes");
            let st = r.choice("status", &STATUS).map(status);
            let major = r.get("major", cell::yes_no).unwrap_or(false);
            // Validated, not kept: no figure uses them and the archived workbook holds them.
            r.check_text("category");
            r.check_text("group");
            r.check_text("summary");
            let satisfaction = r.int("satisfaction").map(|v| v as u8);
            r.order("opened_at", opened, "responded_at", responded);
            r.order("opened_at", opened, "resolved_at", resolved);
            r.order("resolved_at", resolved, "closed_at", closed);
            if resolved.is_none() {
                r.order("opened_at", opened, "closed_at", closed);
            }
            r.takes(customer.as_deref(), service.as_deref(), "service");
            if r.errors > 0 {
                return None;
            }
            let (id, customer, service, priority, opened) =
                (id?, customer?, service?, priority?, opened?);
            // Resolved or closed by its status but no Resolved At: Closed At stands in
            // (a later, conservative bound), said on the Resolved At cell.
            let mut resolved = resolved;
            let mut resolved_at_close = false;
            if resolved.is_none()
                && matches!(st, Some(TicketStatus::Resolved | TicketStatus::Closed))
            {
                let i = r.idx("resolved_at");
                r.push(
                    i,
                    Message::ClosedWithoutResolution {
                        id: id.to_string(),
                        stand_in: closed,
                    },
                );
                resolved = closed;
                resolved_at_close = closed.is_some();
            }
            let inp = period.is_none_or(|p| touches(p, opened, resolved));
            out.incidents.push(Incident {
                id,
                customer,
                service,
                priority,
                opened,
                responded,
                resolved,
                closed,
                paused_secs,
                status: st,
                major,
                resolved_at_close,
                from_events: r.from_events,
                satisfaction,
                src: r.src(),
            });
            inp
        }
        DatasetKind::Outages => {
            let service = r.service("service");
            let customer = match r.text_cow("customer") {
                Some(_) => r.customer("customer"),
                None => None,
            };
            let start = r.dt("start");
            let end = r.dt("end");
            let planned = r.get("planned", cell::yes_no);
            let description = r.sym("description");
            r.order("start", start, "end", end);
            r.takes(customer.as_deref(), service.as_deref(), "service");
            if r.errors > 0 {
                return None;
            }
            let (service, start, planned) = (service?, start?, planned?);
            let inp = period.is_none_or(|p| touches(p, start, end));
            out.outages.push(Outage {
                service,
                customer,
                start,
                end,
                planned,
                description,
                src: r.src(),
            });
            inp
        }
        DatasetKind::Changes => {
            let id = r.id("change_id");
            let customer = match r.text_cow("customer") {
                Some(_) => r.customer("customer"),
                None => None,
            };
            let service = r.service("service");
            let kind = r.choice("type", &CHANGE_TYPE).map(|i| {
                [
                    ChangeType::Standard,
                    ChangeType::Normal,
                    ChangeType::Emergency,
                ][i.min(2)]
            });
            let planned_start = r.dt("planned_start");
            let planned_end = r.dt("planned_end");
            let actual_end = r.dt("actual_end");
            let result = r.choice("result", &CHANGE_RESULT).map(|i| {
                [
                    ChangeResult::Successful,
                    ChangeResult::Failed,
                    ChangeResult::RolledBack,
                ][i.min(2)]
            });
            let caused_incident = r.get("caused_incident", cell::yes_no).unwrap_or(false);
            r.order("planned_start", planned_start, "planned_end", planned_end);
            if result.is_some() && actual_end.is_none() {
                let i = r.idx("actual_end");
                if r.cells[i].is_blank() {
                    let column = r.def.columns[i].name();
                    r.push(i, Message::RequiredForClosedChange { column });
                }
            }
            r.takes(customer.as_deref(), service.as_deref(), "service");
            if r.errors > 0 {
                return None;
            }
            let (id, service, kind) = (id?, service?, kind?);
            let inp = period.is_none_or(|p| actual_end.is_none_or(|t| p.contains(t)));
            out.changes.push(Change {
                id,
                customer,
                service,
                kind,
                planned_start,
                planned_end,
                actual_end,
                result,
                caused_incident,
                src: r.src(),
            });
            inp
        }
        DatasetKind::Requests => {
            let id = r.id("request_id");
            let customer = r.customer("customer");
            let service = r.service("service");
            let opened = r.dt("opened_at");
            let fulfilled = r.dt("fulfilled_at");
            let paused_secs = r.minutes("paused_minutes");
            let st = r.choice("status", &STATUS).map(status);
            let satisfaction = r.int("satisfaction").map(|v| v as u8);
            r.order("opened_at", opened, "fulfilled_at", fulfilled);
            r.takes(customer.as_deref(), service.as_deref(), "service");
            if r.errors > 0 {
                return None;
            }
            let (id, customer, service, opened) = (id?, customer?, service?, opened?);
            let inp = period.is_none_or(|p| touches(p, opened, fulfilled));
            out.requests.push(Request {
                id,
                customer,
                service,
                opened,
                fulfilled,
                paused_secs,
                status: st,
                satisfaction,
                src: r.src(),
            });
            inp
        }
        DatasetKind::Surveys => {
            let customer = r.customer("customer");
            let service = match r.text_cow("service") {
                Some(_) => r.service("service"),
                None => None,
            };
            let date = r.get("date", cell::date);
            let score = r.int("score").map(|v| v as u8);
            let comment = r.sym("comment");
            r.takes(customer.as_deref(), service.as_deref(), "service");
            if r.errors > 0 {
                return None;
            }
            let (customer, date, score) = (customer?, date?, score?);
            let inp = period.is_none_or(|p| p.contains_date(date));
            out.surveys.push(Survey {
                customer,
                service,
                date,
                score,
                comment,
                src: r.src(),
            });
            inp
        }
        DatasetKind::ProcessKpis => {
            let process = r.name("process");
            let kpi = r.name("kpi");
            let per = r.get("period", cell::period);
            let value = r.get("value", cell::number);
            let unit = r.name("unit");
            if r.errors > 0 {
                return None;
            }
            let (process, kpi, per, value) = (process?, kpi?, per?, value?);
            let inp = period.is_none_or(|p| per.start() < p.end() && per.end() > p.start());
            out.process_kpis.push(ProcessKpiValue {
                process,
                kpi,
                period: per,
                value,
                unit,
                src: r.src(),
            });
            inp
        }
        DatasetKind::SupplierTickets => {
            let supplier = r.supplier("supplier");
            let contract = r.contract("contract", supplier.as_deref());
            let id = r.id("ticket_id");
            let priority = r.get("priority", cell::priority);
            let reported = r.dt("reported_at");
            let responded = r.dt("responded_at");
            let restored = r.dt("restored_at");
            r.order("reported_at", reported, "responded_at", responded);
            r.order("reported_at", reported, "restored_at", restored);
            if r.errors > 0 {
                return None;
            }
            let (supplier, contract, id, priority, reported) =
                (supplier?, contract?, id?, priority?, reported?);
            let inp = period.is_none_or(|p| touches(p, reported, restored));
            out.supplier_tickets.push(SupplierTicket {
                supplier,
                contract,
                id,
                priority,
                reported,
                responded,
                restored,
                src: r.src(),
            });
            inp
        }
        DatasetKind::Capacity => {
            let resource = r.name("resource");
            let service = match r.text_cow("service") {
                Some(_) => r.service("service"),
                None => None,
            };
            let date = r.get("date", cell::date);
            let utilisation = r.non_negative("utilisation", Words::new("使用率", "utilisation"));
            let threshold = r.non_negative("threshold", Words::new("阈值", "threshold"));
            if r.errors > 0 {
                return None;
            }
            let (resource, date, utilisation) = (resource?, date?, utilisation?);
            let inp = period.is_none_or(|p| p.contains_date(date));
            out.capacity.push(CapacitySample {
                resource,
                service,
                date,
                utilisation,
                threshold,
                src: r.src(),
            });
            inp
        }
    };
    Some(in_p)
}

/// The id column of datasets whose ids must be unique across a run.
pub fn id_key(kind: DatasetKind) -> Option<&'static str> {
    match kind {
        DatasetKind::Incidents | DatasetKind::SupplierTickets => Some("ticket_id"),
        DatasetKind::Changes => Some("change_id"),
        DatasetKind::Requests => Some("request_id"),
        _ => None,
    }
}

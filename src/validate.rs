//! Rules across files (spec §2.1, §2.1a): providers deliver snapshots, so the
//! same ticket, change or request id comes again in later deliveries.
//!
//! Works on the merged output of `ingest` (records in file-path order, then
//! sheet order, then row order) and the files' deliveries; never reads files.
//! For every id (per dataset; supplier tickets per supplier):
//! - **inside one file** an id repeated is an error (`row.duplicate_id`): the
//!   first row stays, the later one is rejected;
//! - **across files** the newest delivery wins, by (period, arrival, path): a
//!   file with no period is older than any with one. The older rows are
//!   *superseded*, moved from `accepted` to `superseded` in their sheet's
//!   count (read = accepted + rejected + blank + superseded). What changed from
//!   one delivery to the next is information (`row.updated`: field, old, new,
//!   the older file); a change that goes backwards (resolved → open, another
//!   opened time or priority) is a warning (`row.regressed`);
//! - two files of the same dataset **and the same period** holding one id are
//!   partitions that overlap: a warning naming both (`row.partition_duplicate`);
//!   the later one still wins.

use std::collections::BTreeMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use chrono::NaiveDateTime;

use crate::findings::{CellRef, Finding, IdKind, Message, Place, Words};
use crate::ingest::delivery::Delivery;
use crate::ingest::schema::{self, DatasetDef};
use crate::ingest::{IdColumn, Ingested};
use crate::model::records::{Change, Incident, Request, SourceRef, SupplierTicket, TicketStatus};

/// A record that later deliveries can bring again: its fields as shown to a
/// provider, and which of their changes go backwards.
trait Snapshot {
    fn src(&self) -> &SourceRef;
    /// (column key, value as text); equal texts mean an unchanged field.
    fn fields(&self) -> Vec<(&'static str, String)>;
    /// The keys of fields whose change from `self` (older) to `newer` goes backwards.
    fn regressions(&self, newer: &Self) -> Vec<&'static str>;
}

fn time(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn status(s: Option<TicketStatus>) -> String {
    s.map(|s| format!("{s:?}")).unwrap_or_default()
}

impl Snapshot for Incident {
    fn src(&self) -> &SourceRef {
        &self.src
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("customer", self.customer.to_string()),
            ("service", self.service.to_string()),
            ("priority", self.priority.as_str().to_string()),
            ("opened_at", time(Some(self.opened))),
            ("responded_at", time(self.responded)),
            ("resolved_at", time(self.resolved)),
            ("closed_at", time(self.closed)),
            ("paused_minutes", (self.paused_secs / 60).to_string()),
            ("status", status(self.status)),
            ("major", self.major.to_string()),
        ]
    }
    fn regressions(&self, newer: &Self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.priority != newer.priority {
            v.push("priority");
        }
        if self.opened != newer.opened {
            v.push("opened_at");
        }
        if self.resolved.is_some() && newer.resolved.is_none() {
            v.push("resolved_at");
        }
        v
    }
}

impl Snapshot for Request {
    fn src(&self) -> &SourceRef {
        &self.src
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("customer", self.customer.to_string()),
            ("service", self.service.to_string()),
            ("opened_at", time(Some(self.opened))),
            ("fulfilled_at", time(self.fulfilled)),
            ("paused_minutes", (self.paused_secs / 60).to_string()),
            ("status", status(self.status)),
        ]
    }
    fn regressions(&self, newer: &Self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.opened != newer.opened {
            v.push("opened_at");
        }
        if self.fulfilled.is_some() && newer.fulfilled.is_none() {
            v.push("fulfilled_at");
        }
        v
    }
}

impl Snapshot for Change {
    fn src(&self) -> &SourceRef {
        &self.src
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "customer",
                self.customer
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            ("service", self.service.to_string()),
            ("type", format!("{:?}", self.kind)),
            ("planned_start", time(self.planned_start)),
            ("planned_end", time(self.planned_end)),
            ("actual_end", time(self.actual_end)),
            (
                "result",
                self.result.map(|r| format!("{r:?}")).unwrap_or_default(),
            ),
            ("caused_incident", self.caused_incident.to_string()),
        ]
    }
    fn regressions(&self, newer: &Self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.actual_end.is_some() && newer.actual_end.is_none() {
            v.push("actual_end");
        }
        v
    }
}

impl Snapshot for SupplierTicket {
    fn src(&self) -> &SourceRef {
        &self.src
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("contract", self.contract.to_string()),
            ("priority", self.priority.as_str().to_string()),
            ("reported_at", time(Some(self.reported))),
            ("responded_at", time(self.responded)),
            ("restored_at", time(self.restored)),
        ]
    }
    fn regressions(&self, newer: &Self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.priority != newer.priority {
            v.push("priority");
        }
        if self.reported != newer.reported {
            v.push("reported_at");
        }
        if self.restored.is_some() && newer.restored.is_none() {
            v.push("restored_at");
        }
        v
    }
}

/// What the scan decided for one row.
enum Fate {
    /// Repeated inside its own file: rejected, naming the first row.
    Duplicate,
    /// A later delivery holds the record again.
    Superseded,
}

/// A finding about a pair of rows, made once the scan is done.
enum Pair {
    Duplicate { at: usize, first: usize },
    Changed { older: usize, newer: usize },
    Partition { at: usize, other: usize },
}

/// The order of deliveries: (period, arrival, path); no period is oldest.
type Rank = (
    Option<crate::model::period::Period>,
    Option<NaiveDateTime>,
    String,
);

struct Ctx<'a> {
    deliveries: &'a BTreeMap<String, Delivery>,
    id_columns: &'a [IdColumn],
}

impl Ctx<'_> {
    fn rank(&self, file: &str) -> Rank {
        let d = self.deliveries.get(file).copied().unwrap_or_default();
        (d.period, d.arrived, file.to_string())
    }

    fn period(&self, file: &str) -> Option<crate::model::period::Period> {
        self.deliveries.get(file).and_then(|d| d.period)
    }

    fn id_column(&self, s: &SourceRef, def: &DatasetDef) -> Option<&IdColumn> {
        self.id_columns
            .iter()
            .find(|c| s.file() == c.file && s.sheet() == c.sheet && c.dataset == def.name)
    }

    /// `SourceRef::row` is 1-based, as `CellRef` rows are.
    /// A text file (its one sheet has the empty name): `line:column`.
    fn cell(&self, s: &SourceRef, def: &DatasetDef) -> CellRef {
        if s.sheet().is_empty() {
            return match self.id_column(s, def) {
                Some(c) => CellRef::Line {
                    line: s.row,
                    col: c.col,
                },
                None => CellRef::Row { row: s.row },
            };
        }
        match self.id_column(s, def) {
            Some(c) => CellRef::Cell {
                row: s.row,
                col: c.col,
            },
            None => CellRef::Row { row: s.row },
        }
    }

    fn place(&self, s: &SourceRef, def: &DatasetDef) -> Place {
        Place {
            file: s.file().to_string(),
            sheet: s.sheet().to_string(),
            cell: self.cell(s, def),
        }
    }

    fn at(&self, m: Message, s: &SourceRef, def: &DatasetDef) -> Finding {
        let mut f = Finding::new(m).file(s.file()).cell(self.cell(s, def));
        if !s.sheet().is_empty() {
            f = f.sheet(s.sheet());
        }
        if let Some(c) = self.id_column(s, def)
            && !c.header.is_empty()
        {
            f = f.column(&c.header);
        }
        f
    }
}

fn words(def: &DatasetDef, key: &str) -> Words {
    def.columns
        .iter()
        .find(|c| c.key == key)
        .map_or(Words::new("?", "?"), |c| Words::new(c.zh, c.en))
}

/// What the merges found: findings, and the rows taken out (`true`: superseded,
/// `false`: a duplicate inside its file, rejected).
#[derive(Default)]
struct Out {
    /// Bounded: at most 100 of one code per file and sheet listed, the rest summarised.
    findings: crate::findings::limit::Across,
    moved: Vec<(SourceRef, bool)>,
}

/// Merge the deliveries of one dataset by key; findings and counts into `ing`.
fn merge<T: Snapshot>(
    v: &mut Vec<T>,
    key: impl Fn(&T) -> (&str, &str),
    id: impl Fn(&T) -> String,
    def: &'static DatasetDef,
    kind: IdKind,
    cx: &Ctx<'_>,
    out: &mut Out,
) {
    let (findings, moved) = (&mut out.findings, &mut out.moved);
    // 32 bits of hash: a collision only costs one key comparison.
    let hash = |r: &T| {
        let mut h = DefaultHasher::new();
        key(r).hash(&mut h);
        h.finish() as u32
    };
    let mut order: Vec<(u32, u32)> = v
        .iter()
        .enumerate()
        .map(|(i, r)| (hash(r), i as u32))
        .collect();
    order.sort_unstable();
    let mut fate: BTreeMap<usize, Fate> = BTreeMap::new();
    let mut pairs: Vec<Pair> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        if end - start > 1 {
            // Split the run of equal hashes into groups of equal keys (indices ascending), by
            // sorting it on the key: n log n even when many distinct keys share one hash (keys
            // made to collide), where splitting off one key at a time would be n².
            let mut run: Vec<usize> = order[start..end].iter().map(|(_, i)| *i as usize).collect();
            run.sort_by(|a, b| key(&v[*a]).cmp(&key(&v[*b])).then(a.cmp(b)));
            let mut g = 0;
            while g < run.len() {
                let k = key(&v[run[g]]);
                let mut h = g + 1;
                while h < run.len() && key(&v[run[h]]) == k {
                    h += 1;
                }
                if h - g > 1 {
                    decide(v, &run[g..h], cx, &mut fate, &mut pairs);
                }
                g = h;
            }
        }
        start = end;
    }
    if fate.is_empty() {
        return;
    }
    for p in pairs {
        match p {
            Pair::Duplicate { at, first } => findings.push(cx.at(
                Message::DuplicateId {
                    kind,
                    id: id(&v[at]),
                    first: cx.place(v[first].src(), def),
                },
                v[at].src(),
                def,
            )),
            Pair::Changed { older, newer } => {
                let (o, n) = (&v[older], &v[newer]);
                let (of, nf) = (o.fields(), n.fields());
                let changes: Vec<(Words, String, String)> = of
                    .into_iter()
                    .zip(nf)
                    .filter(|(a, b)| a.1 != b.1)
                    .map(|((k, a), (_, b))| (words(def, k), a, b))
                    .collect();
                if changes.is_empty() {
                    continue;
                }
                let back = o.regressions(n);
                let older_place = cx.place(o.src(), def);
                let m = if back.is_empty() {
                    Message::Updated {
                        kind,
                        id: id(n),
                        older: older_place,
                        changes,
                    }
                } else {
                    Message::Regressed {
                        kind,
                        id: id(n),
                        older: older_place,
                        changes: changes
                            .into_iter()
                            .filter(|(w, _, _)| back.iter().any(|k| words(def, k) == *w))
                            .collect(),
                    }
                };
                findings.push(cx.at(m, n.src(), def));
            }
            Pair::Partition { at, other } => findings.push(cx.at(
                Message::PartitionDuplicate {
                    kind,
                    id: id(&v[at]),
                    other: cx.place(v[other].src(), def),
                },
                v[at].src(),
                def,
            )),
        }
    }
    for (i, f) in &fate {
        moved.push((v[*i].src().clone(), matches!(f, Fate::Superseded)));
    }
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        !fate.contains_key(&(i - 1))
    });
}

/// One id's rows (indices ascending): duplicates inside a file, then the
/// deliveries in order, the newest winning.
fn decide<T: Snapshot>(
    v: &[T],
    group: &[usize],
    cx: &Ctx<'_>,
    fate: &mut BTreeMap<usize, Fate>,
    pairs: &mut Vec<Pair>,
) {
    // The first row of each file; later rows of the same file are duplicates.
    let mut firsts: Vec<usize> = Vec::new();
    for &i in group {
        match firsts
            .iter()
            .find(|&&f| v[f].src().file() == v[i].src().file())
        {
            Some(&first) => {
                fate.insert(i, Fate::Duplicate);
                pairs.push(Pair::Duplicate { at: i, first });
            }
            None => firsts.push(i),
        }
    }
    if firsts.len() < 2 {
        return;
    }
    firsts.sort_by_cached_key(|&i| cx.rank(v[i].src().file()));
    for w in firsts.windows(2) {
        let (older, newer) = (w[0], w[1]);
        fate.insert(older, Fate::Superseded);
        let (po, pn) = (
            cx.period(v[older].src().file()),
            cx.period(v[newer].src().file()),
        );
        if po.is_some() && po == pn {
            pairs.push(Pair::Partition {
                at: newer,
                other: older,
            });
        }
        pairs.push(Pair::Changed { older, newer });
    }
}

/// Apply the cross-file rules to `ing` in place.
pub fn check(ing: &mut Ingested, id_columns: &[IdColumn]) {
    let deliveries = std::mem::take(&mut ing.deliveries);
    let cx = Ctx {
        deliveries: &deliveries,
        id_columns,
    };
    let mut out = Out::default();
    let d = &mut ing.dataset;
    merge(
        &mut d.incidents,
        |r| ("", &r.id),
        |r| r.id.to_string(),
        &schema::INCIDENTS,
        IdKind::Ticket,
        &cx,
        &mut out,
    );
    merge(
        &mut d.changes,
        |r| ("", &r.id),
        |r| r.id.to_string(),
        &schema::CHANGES,
        IdKind::Change,
        &cx,
        &mut out,
    );
    merge(
        &mut d.requests,
        |r| ("", &r.id),
        |r| r.id.to_string(),
        &schema::REQUESTS,
        IdKind::Request,
        &cx,
        &mut out,
    );
    merge(
        &mut d.supplier_tickets,
        |r| (&r.supplier, &r.id),
        |r| r.id.to_string(),
        &schema::SUPPLIER_TICKETS,
        IdKind::Ticket,
        &cx,
        &mut out,
    );
    // A million repeated ids are a hundred findings per sheet and a summary.
    ing.findings.extend(out.findings.finish());
    for (src, superseded) in out.moved {
        if let Some(sc) = ing
            .files
            .iter_mut()
            .filter(|fc| src.file() == fc.file)
            .flat_map(|fc| fc.sheets.iter_mut())
            .find(|sc| src.sheet() == sc.sheet)
            && sc.accepted > 0
        {
            sc.accepted -= 1;
            if superseded {
                sc.superseded += 1;
            } else {
                sc.rejected += 1;
            }
        }
    }
    ing.deliveries = deliveries;
}

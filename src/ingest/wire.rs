//! The records of one file as bytes: what an ingest worker process sends back to the run
//! ([`super::worker`]), compact enough that the hand-over costs a few percent of the read.
//!
//! Plain functions over `model::records`; no I/O. The format, version [`VERSION`]:
//! little-endian, integers as LEB128 varints (signed ones zigzag), strings as a length and
//! UTF-8 bytes, `Option` as a 0/1 byte before the value, date-times as seconds since
//! 1970-01-01 (local wall-clock, as the records hold them) and nanoseconds. Repeated values
//! are sent once: a shared string ([`Sym`]) or an origin (file and sheet) is written in full
//! the first time and by number afterwards, so the decoded records share them again exactly
//! as the worker's did (a million incidents naming one customer hold one copy of its id).
//!
//! The deliveries of a dataset (which periods it covers) are the run's to compute from the
//! file names, not part of the records sent.
//!
//! Invariants: `decode(encode(d)) == d` for every dataset without deliveries; decoding never panics and never
//! allocates more than the bytes it is given can hold (a truncated or garbled message is an
//! [`WireError`], never a crash of the run).

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use rustc_hash::FxHashMap;

use crate::model::period::Period;
use crate::model::records::*;

/// The format's version; a message of another version is refused.
pub const VERSION: u8 = 1;

/// A message that is not a valid encoding (truncated, garbled, or of another version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid worker message: {0}")]
pub struct WireError(pub &'static str);

/// Writes values; remembers the shared strings and origins already sent.
#[derive(Default)]
pub struct Enc {
    pub buf: Vec<u8>,
    syms: FxHashMap<usize, u32>,
    origins: FxHashMap<usize, u32>,
}

impl Enc {
    pub fn new() -> Enc {
        Enc::default()
    }

    pub fn u64(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7F) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(b);
                return;
            }
            self.buf.push(b | 0x80);
        }
    }

    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    fn opt<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Self, T)) {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                f(self, x);
            }
        }
    }

    fn sym(&mut self, s: &Sym) {
        let key = s.shared_key();
        match self.syms.get(&key) {
            Some(&i) => self.u64(u64::from(i) + 1),
            None => {
                let i = self.syms.len() as u32;
                self.syms.insert(key, i);
                self.u64(0);
                self.str(s);
            }
        }
    }

    fn dt(&mut self, t: NaiveDateTime) {
        let u = t.and_utc();
        self.i64(u.timestamp());
        self.u64(u64::from(u.timestamp_subsec_nanos()));
    }

    fn date(&mut self, d: NaiveDate) {
        self.i64(i64::from(d.num_days_from_ce()));
    }

    fn src(&mut self, s: &SourceRef) {
        let o = s.origin();
        let key = Arc::as_ptr(o) as usize;
        match self.origins.get(&key) {
            Some(&i) => self.u64(u64::from(i) + 1),
            None => {
                let i = self.origins.len() as u32;
                self.origins.insert(key, i);
                self.u64(0);
                self.str(&o.file);
                self.str(&o.sheet);
            }
        }
        self.u64(u64::from(s.row));
    }
}

/// Reads values from a message.
pub struct Dec<'b> {
    buf: &'b [u8],
    syms: Vec<Sym>,
    origins: Vec<Arc<Origin>>,
}

type R<T> = Result<T, WireError>;

impl<'b> Dec<'b> {
    pub fn new(buf: &'b [u8]) -> Dec<'b> {
        Dec {
            buf,
            syms: Vec::new(),
            origins: Vec::new(),
        }
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'b [u8] {
        self.buf
    }

    pub fn u8(&mut self) -> R<u8> {
        let (&b, rest) = self.buf.split_first().ok_or(WireError("truncated"))?;
        self.buf = rest;
        Ok(b)
    }

    pub fn u64(&mut self) -> R<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(WireError("varint too long"))
    }

    pub fn u32(&mut self) -> R<u32> {
        u32::try_from(self.u64()?).map_err(|_| WireError("number out of range"))
    }

    pub fn i64(&mut self) -> R<i64> {
        let u = self.u64()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    pub fn bool(&mut self) -> R<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(WireError("bad boolean")),
        }
    }

    pub fn f64(&mut self) -> R<f64> {
        let (b, rest) = self
            .buf
            .split_first_chunk::<8>()
            .ok_or(WireError("truncated"))?;
        self.buf = rest;
        Ok(f64::from_le_bytes(*b))
    }

    pub fn bytes(&mut self) -> R<&'b [u8]> {
        let n = usize::try_from(self.u64()?).map_err(|_| WireError("length out of range"))?;
        if n > self.buf.len() {
            return Err(WireError("truncated"));
        }
        let (b, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(b)
    }

    pub fn str(&mut self) -> R<&'b str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| WireError("text is not UTF-8"))
    }

    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            1 => f(self).map(Some),
            _ => Err(WireError("bad option tag")),
        }
    }

    fn sym(&mut self) -> R<Sym> {
        match self.u64()? {
            0 => {
                let s = Sym::new(self.str()?);
                self.syms.push(s.clone());
                Ok(s)
            }
            i => self
                .syms
                .get((i - 1) as usize)
                .cloned()
                .ok_or(WireError("unknown shared string")),
        }
    }

    fn dt(&mut self) -> R<NaiveDateTime> {
        let secs = self.i64()?;
        let nanos = self.u32()?;
        DateTime::from_timestamp(secs, nanos)
            .map(|t| t.naive_utc())
            .ok_or(WireError("date-time out of range"))
    }

    fn date(&mut self) -> R<NaiveDate> {
        let d = i32::try_from(self.i64()?).map_err(|_| WireError("date out of range"))?;
        NaiveDate::from_num_days_from_ce_opt(d).ok_or(WireError("date out of range"))
    }

    fn src(&mut self) -> R<SourceRef> {
        let origin = match self.u64()? {
            0 => {
                let o = Arc::new(Origin {
                    file: self.str()?.to_string(),
                    sheet: self.str()?.to_string(),
                });
                self.origins.push(o.clone());
                o
            }
            i => self
                .origins
                .get((i - 1) as usize)
                .cloned()
                .ok_or(WireError("unknown origin"))?,
        };
        Ok(SourceRef::new(origin, self.u32()?))
    }

    /// A count of items that follow, each at least one byte: never more than the bytes left.
    fn count(&mut self) -> R<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| WireError("count out of range"))?;
        if n > self.buf.len() {
            return Err(WireError("count beyond the message"));
        }
        Ok(n)
    }
}

fn priority(p: Priority) -> u8 {
    p as u8
}

fn to_priority(b: u8) -> R<Priority> {
    Priority::ALL
        .get(usize::from(b))
        .copied()
        .ok_or(WireError("bad priority"))
}

const STATUSES: [TicketStatus; 6] = [
    TicketStatus::New,
    TicketStatus::InProgress,
    TicketStatus::Pending,
    TicketStatus::Resolved,
    TicketStatus::Closed,
    TicketStatus::Cancelled,
];

fn to_status(b: u8) -> R<TicketStatus> {
    STATUSES
        .get(usize::from(b))
        .copied()
        .ok_or(WireError("bad status"))
}

const CHANGE_TYPES: [ChangeType; 3] = [
    ChangeType::Standard,
    ChangeType::Normal,
    ChangeType::Emergency,
];
const CHANGE_RESULTS: [ChangeResult; 3] = [
    ChangeResult::Successful,
    ChangeResult::Failed,
    ChangeResult::RolledBack,
];

/// Write every record of `d`.
pub fn encode_dataset(e: &mut Enc, d: &Dataset) {
    e.u8(VERSION);
    e.u64(d.incidents.len() as u64);
    for r in &d.incidents {
        e.str(&r.id);
        e.sym(&r.customer);
        e.sym(&r.service);
        e.u8(priority(r.priority));
        e.dt(r.opened);
        e.opt(r.responded, Enc::dt);
        e.opt(r.resolved, Enc::dt);
        e.opt(r.closed, Enc::dt);
        e.i64(r.paused_secs);
        e.opt(r.status, |e, s| e.u8(s as u8));
        e.bool(r.major);
        e.bool(r.resolved_at_close);
        e.bool(r.from_events);
        e.opt(r.satisfaction, Enc::u8);
        e.src(&r.src);
    }
    e.u64(d.outages.len() as u64);
    for r in &d.outages {
        e.sym(&r.service);
        e.opt(r.customer.as_ref(), Enc::sym);
        e.dt(r.start);
        e.opt(r.end, Enc::dt);
        e.bool(r.planned);
        e.opt(r.description.as_ref(), Enc::sym);
        e.src(&r.src);
    }
    e.u64(d.changes.len() as u64);
    for r in &d.changes {
        e.str(&r.id);
        e.opt(r.customer.as_ref(), Enc::sym);
        e.sym(&r.service);
        e.u8(r.kind as u8);
        e.opt(r.planned_start, Enc::dt);
        e.opt(r.planned_end, Enc::dt);
        e.opt(r.actual_end, Enc::dt);
        e.opt(r.result, |e, x| e.u8(x as u8));
        e.bool(r.caused_incident);
        e.src(&r.src);
    }
    e.u64(d.requests.len() as u64);
    for r in &d.requests {
        e.str(&r.id);
        e.sym(&r.customer);
        e.sym(&r.service);
        e.dt(r.opened);
        e.opt(r.fulfilled, Enc::dt);
        e.i64(r.paused_secs);
        e.opt(r.status, |e, s| e.u8(s as u8));
        e.opt(r.satisfaction, Enc::u8);
        e.src(&r.src);
    }
    e.u64(d.surveys.len() as u64);
    for r in &d.surveys {
        e.sym(&r.customer);
        e.opt(r.service.as_ref(), Enc::sym);
        e.date(r.date);
        e.u8(r.score);
        e.opt(r.comment.as_ref(), Enc::sym);
        e.src(&r.src);
    }
    e.u64(d.process_kpis.len() as u64);
    for r in &d.process_kpis {
        e.sym(&r.process);
        e.sym(&r.kpi);
        e.str(&r.period.to_string());
        e.f64(r.value);
        e.opt(r.unit.as_ref(), Enc::sym);
        e.src(&r.src);
    }
    e.u64(d.supplier_tickets.len() as u64);
    for r in &d.supplier_tickets {
        e.sym(&r.supplier);
        e.sym(&r.contract);
        e.str(&r.id);
        e.u8(priority(r.priority));
        e.dt(r.reported);
        e.opt(r.responded, Enc::dt);
        e.opt(r.restored, Enc::dt);
        e.src(&r.src);
    }
    e.u64(d.capacity.len() as u64);
    for r in &d.capacity {
        e.sym(&r.resource);
        e.opt(r.service.as_ref(), Enc::sym);
        e.date(r.date);
        e.f64(r.utilisation);
        e.opt(r.threshold, Enc::f64);
        e.src(&r.src);
    }
}

/// Read the records [`encode_dataset`] wrote.
pub fn decode_dataset(x: &mut Dec) -> R<Dataset> {
    if x.u8()? != VERSION {
        return Err(WireError("another version of the format"));
    }
    let mut d = Dataset::default();
    let n = x.count()?;
    d.incidents.reserve_exact(n);
    for _ in 0..n {
        d.incidents.push(Incident {
            id: Id::from(x.str()?),
            customer: x.sym()?,
            service: x.sym()?,
            priority: to_priority(x.u8()?)?,
            opened: x.dt()?,
            responded: x.opt(Dec::dt)?,
            resolved: x.opt(Dec::dt)?,
            closed: x.opt(Dec::dt)?,
            paused_secs: x.i64()?,
            status: x.opt(|x| to_status(x.u8()?))?,
            major: x.bool()?,
            resolved_at_close: x.bool()?,
            from_events: x.bool()?,
            satisfaction: x.opt(Dec::u8)?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.outages.reserve_exact(n);
    for _ in 0..n {
        d.outages.push(Outage {
            service: x.sym()?,
            customer: x.opt(Dec::sym)?,
            start: x.dt()?,
            end: x.opt(Dec::dt)?,
            planned: x.bool()?,
            description: x.opt(Dec::sym)?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.changes.reserve_exact(n);
    for _ in 0..n {
        d.changes.push(Change {
            id: Id::from(x.str()?),
            customer: x.opt(Dec::sym)?,
            service: x.sym()?,
            kind: *CHANGE_TYPES
                .get(usize::from(x.u8()?))
                .ok_or(WireError("bad change type"))?,
            planned_start: x.opt(Dec::dt)?,
            planned_end: x.opt(Dec::dt)?,
            actual_end: x.opt(Dec::dt)?,
            result: x.opt(|x| {
                CHANGE_RESULTS
                    .get(usize::from(x.u8()?))
                    .copied()
                    .ok_or(WireError("bad change result"))
            })?,
            caused_incident: x.bool()?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.requests.reserve_exact(n);
    for _ in 0..n {
        d.requests.push(Request {
            id: Id::from(x.str()?),
            customer: x.sym()?,
            service: x.sym()?,
            opened: x.dt()?,
            fulfilled: x.opt(Dec::dt)?,
            paused_secs: x.i64()?,
            status: x.opt(|x| to_status(x.u8()?))?,
            satisfaction: x.opt(Dec::u8)?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.surveys.reserve_exact(n);
    for _ in 0..n {
        d.surveys.push(Survey {
            customer: x.sym()?,
            service: x.opt(Dec::sym)?,
            date: x.date()?,
            score: x.u8()?,
            comment: x.opt(Dec::sym)?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.process_kpis.reserve_exact(n);
    for _ in 0..n {
        d.process_kpis.push(ProcessKpiValue {
            process: x.sym()?,
            kpi: x.sym()?,
            period: Period::parse(x.str()?).map_err(|_| WireError("bad period"))?,
            value: x.f64()?,
            unit: x.opt(Dec::sym)?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.supplier_tickets.reserve_exact(n);
    for _ in 0..n {
        d.supplier_tickets.push(SupplierTicket {
            supplier: x.sym()?,
            contract: x.sym()?,
            id: Id::from(x.str()?),
            priority: to_priority(x.u8()?)?,
            reported: x.dt()?,
            responded: x.opt(Dec::dt)?,
            restored: x.opt(Dec::dt)?,
            src: x.src()?,
        });
    }
    let n = x.count()?;
    d.capacity.reserve_exact(n);
    for _ in 0..n {
        d.capacity.push(CapacitySample {
            resource: x.sym()?,
            service: x.opt(Dec::sym)?,
            date: x.date()?,
            utilisation: x.f64()?,
            threshold: x.opt(Dec::f64)?,
            src: x.src()?,
        });
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("a date-time")
    }

    /// One record of every dataset, with every optional field both set and unset.
    pub(crate) fn sample() -> Dataset {
        let o = Arc::new(Origin {
            file: "inbox/事件.xlsx".into(),
            sheet: "事件".into(),
        });
        let o2 = Arc::new(Origin {
            file: "inbox/b.xlsx".into(),
            sheet: "Sheet 2".into(),
        });
        let acme = Sym::new("acme");
        let mail = Sym::new("企业邮箱");
        let mut d = Dataset::default();
        for (i, full) in [(0u32, true), (1, false)] {
            d.incidents.push(Incident {
                id: Id::from(format!("INC-{i}-with-a-long-id-beyond-15").as_str()),
                customer: acme.clone(),
                service: mail.clone(),
                priority: Priority::ALL[i as usize + 2],
                opened: t("2026-10-01 08:00:00"),
                responded: full.then(|| t("2026-10-01 08:05:00")),
                resolved: full.then(|| t("2026-10-02 08:05:00") + chrono::Duration::nanoseconds(5)),
                closed: None,
                paused_secs: -60 * i64::from(i),
                status: full.then_some(TicketStatus::Closed),
                major: full,
                resolved_at_close: !full,
                from_events: full,
                satisfaction: full.then_some(5),
                src: SourceRef::new(if full { o.clone() } else { o2.clone() }, 2 + i),
            });
            d.outages.push(Outage {
                service: mail.clone(),
                customer: full.then(|| acme.clone()),
                start: t("2026-10-03 01:00:00"),
                end: full.then(|| t("2026-10-03 02:00:00")),
                planned: !full,
                description: full.then(|| Sym::new("机房断电 😀")),
                src: SourceRef::new(o.clone(), 9),
            });
            d.changes.push(Change {
                id: Id::from("CHG-1"),
                customer: full.then(|| acme.clone()),
                service: mail.clone(),
                kind: CHANGE_TYPES[i as usize + 1],
                planned_start: full.then(|| t("2026-10-04 01:00:00")),
                planned_end: None,
                actual_end: full.then(|| t("2026-10-04 03:00:00")),
                result: full.then_some(ChangeResult::RolledBack),
                caused_incident: full,
                src: SourceRef::new(o.clone(), 3),
            });
            d.requests.push(Request {
                id: Id::from("REQ-1"),
                customer: acme.clone(),
                service: mail.clone(),
                opened: t("2026-10-05 09:00:00"),
                fulfilled: full.then(|| t("2026-10-05 10:00:00")),
                paused_secs: i64::MAX,
                status: full.then_some(TicketStatus::New),
                satisfaction: None,
                src: SourceRef::new(o.clone(), u32::MAX),
            });
            d.surveys.push(Survey {
                customer: acme.clone(),
                service: full.then(|| mail.clone()),
                date: NaiveDate::from_ymd_opt(2026, 10, 8).expect("a date"),
                score: 4,
                comment: full.then(|| Sym::new("good")),
                src: SourceRef::new(o.clone(), 4),
            });
            d.process_kpis.push(ProcessKpiValue {
                process: Sym::new("incident"),
                kpi: Sym::new("fcr"),
                period: Period::parse(if full { "2026-10" } else { "2026-Q4" }).expect("period"),
                value: f64::MIN_POSITIVE,
                unit: full.then(|| Sym::new("%")),
                src: SourceRef::new(o.clone(), 5),
            });
            d.supplier_tickets.push(SupplierTicket {
                supplier: Sym::new("telco"),
                contract: Sym::new("UC-1"),
                id: Id::from("T-1"),
                priority: Priority::P1,
                reported: t("2026-10-06 00:00:00"),
                responded: full.then(|| t("2026-10-06 00:10:00")),
                restored: None,
                src: SourceRef::new(o.clone(), 6),
            });
            d.capacity.push(CapacitySample {
                resource: Sym::new("db01"),
                service: full.then(|| mail.clone()),
                date: NaiveDate::from_ymd_opt(2026, 10, 9).expect("a date"),
                utilisation: 101.5,
                threshold: full.then_some(80.0),
                src: SourceRef::new(o.clone(), 7),
            });
        }
        d
    }

    #[test]
    fn every_record_survives_the_round_trip_and_repeats_are_shared() {
        let d = sample();
        let mut e = Enc::new();
        encode_dataset(&mut e, &d);
        let mut x = Dec::new(&e.buf);
        let back = decode_dataset(&mut x).expect("decodes");
        assert!(x.rest().is_empty());
        assert_eq!(back, d);
        // Shared again: one customer id and one origin for every record naming them.
        assert_eq!(
            back.incidents[0].customer.shared_key(),
            back.requests[1].customer.shared_key()
        );
        assert!(Arc::ptr_eq(
            back.outages[0].src.origin(),
            back.changes[1].src.origin()
        ));
    }

    #[test]
    fn truncated_or_garbled_messages_are_errors_not_panics() {
        let mut e = Enc::new();
        encode_dataset(&mut e, &sample());
        for cut in 0..e.buf.len() {
            let r = decode_dataset(&mut Dec::new(&e.buf[..cut]));
            assert!(r.is_err(), "cut at {cut}");
        }
        // A huge claimed count is refused before any reservation.
        let mut h = Enc::new();
        h.u8(VERSION);
        h.u64(u64::MAX);
        assert!(decode_dataset(&mut Dec::new(&h.buf)).is_err());
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            let mut b = e.buf.clone();
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng as usize) % b.len();
            b[i] ^= (rng >> 32) as u8 | 1;
            let _ = decode_dataset(&mut Dec::new(&b));
        }
    }
}

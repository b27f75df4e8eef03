//! Event logs: many rows per ticket (an audit log, a process-mining log), read through an
//! import profile with `order_by` (and, for logs without opened/resolved columns, `events`).
//!
//! Rules (issue 17, documented in README "From your ticketing tool"):
//! - the rows of a ticket (same id) are ordered by the profile's `order_by` columns (numbers,
//!   then times in the profile's formats, else text), then by row; the **last row wins**: it
//!   is the record, checked and accepted or rejected like any row, its findings at its cells;
//! - the ticket's earlier rows count as `superseded` in the reconciliation (they are not
//!   duplicate ids); the repeated-id rule of ordinary deliveries is unchanged;
//! - with `events` (a time and an activity column), the ticket's times come from its
//!   activities: opened = its first event; responded, resolved, closed = the first event of
//!   an activity the profile lists for each; paused = the time from an event of a pause
//!   activity to the next event, before the resolution. A time its profile cannot read
//!   rejects that row (its finding at the cell), which then adds nothing.
//!
//! Memory: one kept row (its cells) per ticket, and each event's time and kind (16 bytes).

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;

use super::cell::Raw;
use super::profile::OrderVal;

/// What an activity says (bits).
pub const RESPONDED: u8 = 1;
pub const RESOLVED: u8 = 2;
pub const CLOSED: u8 = 4;
pub const PAUSE: u8 = 8;

/// One ticket of the log: its winning row so far and its events.
pub struct Ticket<'a> {
    pub key: Vec<OrderVal>,
    pub row: u32,
    pub cells: Vec<Raw<'a>>,
    /// (time, row, activity bits).
    pub events: Vec<(NaiveDateTime, u32, u8)>,
}

/// The tickets of one sheet, in the order their ids first appear.
#[derive(Default)]
pub struct EventLog<'a> {
    by_id: FxHashMap<String, usize>,
    pub tickets: Vec<Ticket<'a>>,
    /// Rows taken into a ticket.
    pub absorbed: u64,
}

impl<'a> EventLog<'a> {
    /// Take a row of ticket `id`: it wins when its key is not before the kept one's.
    pub fn absorb(
        &mut self,
        id: &str,
        key: Vec<OrderVal>,
        row: u32,
        cells: &[Raw<'a>],
        event: Option<(NaiveDateTime, u8)>,
    ) {
        self.absorbed += 1;
        let i = match self.by_id.get(id) {
            Some(i) => *i,
            None => {
                self.by_id.insert(id.to_string(), self.tickets.len());
                self.tickets.push(Ticket {
                    key,
                    row,
                    cells: cells.to_vec(),
                    events: Vec::new(),
                });
                let i = self.tickets.len() - 1;
                if let Some((t, bits)) = event {
                    self.tickets[i].events.push((t, row, bits));
                }
                return;
            }
        };
        let t = &mut self.tickets[i];
        if key >= t.key {
            t.key = key;
            t.row = row;
            t.cells.clear();
            t.cells.extend_from_slice(cells);
        }
        if let Some((time, bits)) = event {
            t.events.push((time, row, bits));
        }
    }

    /// The tickets of the log.
    pub fn tickets(&self) -> u64 {
        self.tickets.len() as u64
    }

    /// Rows taken into tickets that are not the ticket's record.
    pub fn superseded(&self) -> u64 {
        self.absorbed.saturating_sub(self.tickets.len() as u64)
    }
}

/// A ticket's times derived from its activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Derived {
    pub opened: Option<NaiveDateTime>,
    pub responded: Option<NaiveDateTime>,
    pub resolved: Option<NaiveDateTime>,
    pub closed: Option<NaiveDateTime>,
    pub paused_secs: i64,
}

/// The times of a ticket's events (sorted here by time, then row).
pub fn derive(events: &mut [(NaiveDateTime, u32, u8)]) -> Derived {
    events.sort_by_key(|e| (e.0, e.1));
    let first = |bit: u8| events.iter().find(|e| e.2 & bit != 0).map(|e| e.0);
    let resolved = first(RESOLVED);
    let mut paused = 0i64;
    for w in events.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.2 & PAUSE == 0 {
            continue;
        }
        let end = match resolved {
            Some(r) if r < b.0 => r,
            _ => b.0,
        };
        if end > a.0 {
            paused += (end - a.0).num_seconds();
        }
    }
    Derived {
        opened: events.first().map(|e| e.0),
        responded: first(RESPONDED),
        resolved,
        closed: first(CLOSED),
        paused_secs: paused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn times_from_activities() {
        let mut ev = vec![
            (t("2026-10-01 10:00"), 3, RESOLVED),
            (t("2026-10-01 08:00"), 1, 0),
            (t("2026-10-01 08:30"), 2, RESPONDED | PAUSE),
            (t("2026-10-01 09:00"), 4, PAUSE),
            (t("2026-10-02 09:00"), 5, CLOSED),
        ];
        // Sorted: 08:00 open, 08:30 respond+pause → 09:00 (30 min), 09:00 pause → 10:00
        // resolved (60 min), 10:00 resolved, next day closed.
        let d = derive(&mut ev);
        assert_eq!(d.opened, Some(t("2026-10-01 08:00")));
        assert_eq!(d.responded, Some(t("2026-10-01 08:30")));
        assert_eq!(d.resolved, Some(t("2026-10-01 10:00")));
        assert_eq!(d.closed, Some(t("2026-10-02 09:00")));
        assert_eq!(d.paused_secs, 90 * 60);
    }

    #[test]
    fn last_row_wins_by_key_then_row() {
        let mut log = EventLog::default();
        let k = |n: f64| vec![OrderVal::Num(n)];
        log.absorb("A", k(1.0), 1, &[Raw::Int(1)], None);
        log.absorb("A", k(0.0), 2, &[Raw::Int(2)], None);
        log.absorb("B", k(0.0), 3, &[Raw::Int(3)], None);
        log.absorb("A", k(1.0), 4, &[Raw::Int(4)], None);
        assert_eq!(log.tickets.len(), 2);
        assert_eq!(log.tickets[0].row, 4, "equal key: the later row");
        assert_eq!(log.tickets[0].cells, vec![Raw::Int(4)]);
        assert_eq!(log.superseded(), 2);
    }
}

//! Late corrections: what deliveries after an approved period changed about its
//! tickets (spec §2.1a, §5). Listed by the first period that is not approved,
//! the one that counts the tickets whose outcome moved into the approved period
//! (see `tickets::Settled`), so a reader sees why its figures hold tickets
//! opened before it began, and what the approved figures would have said.
//!
//! Pure: the current records, the approved records and the closure instant.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::model::records::{Dataset, DatasetKind, Priority};

/// One ticket a later delivery corrected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LateCorrection {
    pub dataset: DatasetKind,
    pub id: String,
    /// The customer (incidents, requests) or supplier (supplier tickets): who may read it.
    pub party: String,
    pub changes: Vec<FieldChange>,
    pub effect: Effect,
}

/// One field whose value the approved data had otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: Field,
    /// As approved (`None`: empty, or the ticket was not in the approved data).
    pub approved: Option<Value>,
    pub now: Option<Value>,
}

/// The fields a correction can change that figures read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The ticket was not in the approved data at all.
    Reported,
    Opened,
    Priority,
    Responded,
    /// Resolved (incidents), fulfilled (requests), restored (supplier tickets).
    Resolved,
    PausedMinutes,
}

/// A field's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Value {
    Time(NaiveDateTime),
    Priority(Priority),
    Minutes(i64),
}

/// Where the corrected ticket counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Resolved before the closure only in the later data: counted in this period.
    CountedHere,
    /// Resolved before the closure in the approved data: the approved figures
    /// counted it and stand; this period leaves it out.
    StaysApproved,
    /// Not resolved before the closure either way: counted when its outcome is known.
    Unchanged,
}

/// The tickets opened before `at` whose records differ from the approved ones,
/// ordered by dataset and id.
pub fn late_corrections(
    current: &Dataset,
    approved: &Dataset,
    at: NaiveDateTime,
) -> Vec<LateCorrection> {
    let mut out = Vec::new();
    let mut inc: std::collections::HashMap<&str, _> = approved
        .incidents
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    for i in current.incidents.iter().filter(|i| i.opened < at) {
        let a = inc.remove(i.id.as_str());
        let view = |x: &crate::model::records::Incident| Fields {
            opened: x.opened,
            priority: Some(x.priority),
            responded: x.responded,
            resolved: x.resolved,
            paused_secs: x.paused_secs,
        };
        push(
            &mut out,
            DatasetKind::Incidents,
            &i.id,
            &i.customer,
            view(i),
            a.map(view),
            at,
        );
    }
    let mut req: std::collections::HashMap<&str, _> = approved
        .requests
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    for r in current.requests.iter().filter(|r| r.opened < at) {
        let a = req.remove(r.id.as_str());
        let view = |x: &crate::model::records::Request| Fields {
            opened: x.opened,
            priority: None,
            responded: None,
            resolved: x.fulfilled,
            paused_secs: x.paused_secs,
        };
        push(
            &mut out,
            DatasetKind::Requests,
            &r.id,
            &r.customer,
            view(r),
            a.map(view),
            at,
        );
    }
    let mut sup: std::collections::HashMap<(&str, &str), _> = approved
        .supplier_tickets
        .iter()
        .map(|s| ((s.supplier.as_str(), s.id.as_str()), s))
        .collect();
    for s in current.supplier_tickets.iter().filter(|s| s.reported < at) {
        let a = sup.remove(&(s.supplier.as_str(), s.id.as_str()));
        let view = |x: &crate::model::records::SupplierTicket| Fields {
            opened: x.reported,
            priority: Some(x.priority),
            responded: x.responded,
            resolved: x.restored,
            paused_secs: 0,
        };
        push(
            &mut out,
            DatasetKind::SupplierTickets,
            &s.id,
            &s.supplier,
            view(s),
            a.map(view),
            at,
        );
    }
    out.sort_by(|a, b| (a.dataset, &a.id).cmp(&(b.dataset, &b.id)));
    out
}

/// What the figures read of one ticket.
#[derive(Clone, Copy, PartialEq)]
struct Fields {
    opened: NaiveDateTime,
    priority: Option<Priority>,
    responded: Option<NaiveDateTime>,
    resolved: Option<NaiveDateTime>,
    paused_secs: i64,
}

fn push(
    out: &mut Vec<LateCorrection>,
    dataset: DatasetKind,
    id: &str,
    party: &str,
    now: Fields,
    approved: Option<Fields>,
    at: NaiveDateTime,
) {
    if approved == Some(now) {
        return;
    }
    let time = |t: Option<NaiveDateTime>| t.map(Value::Time);
    let changes = match approved {
        None => vec![FieldChange {
            field: Field::Reported,
            approved: None,
            now: Some(Value::Time(now.opened)),
        }],
        Some(a) => {
            let mut c = Vec::new();
            // Only what concerns the approved periods: a time inside them on either
            // side, or another priority or paused time of a ticket resolved inside them.
            let resolved_before = [a.resolved, now.resolved]
                .iter()
                .any(|r| r.is_some_and(|r| r < at));
            let mut add = |field, before: Option<Value>, after: Option<Value>| {
                let concerns = match (&before, &after) {
                    (Some(Value::Time(_)) | None, Some(Value::Time(_)) | None) => [&before, &after]
                        .iter()
                        .any(|v| matches!(v, Some(Value::Time(t)) if *t < at)),
                    _ => resolved_before,
                };
                if before != after && concerns {
                    c.push(FieldChange {
                        field,
                        approved: before,
                        now: after,
                    });
                }
            };
            add(Field::Opened, time(Some(a.opened)), time(Some(now.opened)));
            add(
                Field::Priority,
                a.priority.map(Value::Priority),
                now.priority.map(Value::Priority),
            );
            add(Field::Responded, time(a.responded), time(now.responded));
            add(Field::Resolved, time(a.resolved), time(now.resolved));
            add(
                Field::PausedMinutes,
                Some(Value::Minutes(a.paused_secs / 60)),
                Some(Value::Minutes(now.paused_secs / 60)),
            );
            c
        }
    };
    if changes.is_empty() {
        return;
    }
    let before = |f: Option<Fields>| f.and_then(|f| f.resolved).is_some_and(|r| r < at);
    let effect = if before(approved) {
        Effect::StaysApproved
    } else if before(Some(now)) {
        Effect::CountedHere
    } else {
        Effect::Unchanged
    };
    out.push(LateCorrection {
        dataset,
        id: id.to_string(),
        party: party.to_string(),
        changes,
        effect,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::Incident;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn inc(id: &str, opened: &str, resolved: Option<&str>) -> Incident {
        Incident {
            id: id.into(),
            customer: crate::model::records::Sym::new("acme"),
            service: crate::model::records::Sym::new("email"),
            priority: Priority::P1,
            opened: dt(opened),
            responded: None,
            resolved: resolved.map(dt),
            closed: None,
            paused_secs: 0,
            status: None,
            major: false,
            resolved_at_close: false,
            from_events: false,
            satisfaction: None,
            src: crate::model::records::SourceRef::default(),
        }
    }

    #[test]
    fn changed_new_and_unchanged_tickets() {
        let at = dt("2026-11-01 00:00");
        let approved = Dataset {
            incidents: vec![
                inc("A", "2026-10-31 20:00", None),
                inc("B", "2026-10-10 10:00", Some("2026-10-10 12:00")),
                inc("S", "2026-10-09 10:00", Some("2026-10-09 11:00")),
                inc("E", "2026-10-31 10:00", None),
            ],
            ..Default::default()
        };
        let current = Dataset {
            incidents: vec![
                inc("A", "2026-10-31 20:00", Some("2026-10-31 23:45")),
                inc("B", "2026-10-10 10:00", Some("2026-10-10 18:00")),
                inc("C", "2026-10-30 10:00", Some("2026-10-30 11:00")),
                inc("S", "2026-10-09 10:00", Some("2026-10-09 11:00")),
                // Resolved after the closure: news, not a correction of the approved period.
                inc("E", "2026-10-31 10:00", Some("2026-11-02 09:00")),
                // Opened after the closure: no correction of an approved period.
                inc("N", "2026-11-02 10:00", None),
            ],
            ..Default::default()
        };
        let c = late_corrections(&current, &approved, at);
        let got: Vec<(&str, Effect, Vec<Field>)> = c
            .iter()
            .map(|x| {
                (
                    x.id.as_str(),
                    x.effect,
                    x.changes.iter().map(|f| f.field).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", Effect::CountedHere, vec![Field::Resolved]),
                ("B", Effect::StaysApproved, vec![Field::Resolved]),
                ("C", Effect::CountedHere, vec![Field::Reported]),
            ]
        );
        assert_eq!(c[0].changes[0].approved, None);
        assert_eq!(
            c[0].changes[0].now,
            Some(Value::Time(dt("2026-10-31 23:45")))
        );
    }
}

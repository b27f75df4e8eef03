//! The improvement register (spec §5, issue 15): items that live across periods.
//!
//! The KPI stage proposes an item for every breached target and every target at
//! risk in two consecutive periods with data (`kpi::trend::improvements`). The
//! register keeps one item per target (agreement, metric, scope) with its owner,
//! action, due date and state. Pure domain: the ledger stores it, `app` syncs it
//! after each run and the compiler edits it (`svcreport improvements`).
//!
//! Invariants:
//! - one item per [`ItemKey`]; ids are never reused;
//! - [`sync`] is idempotent: the same period synced twice changes nothing, and a
//!   period that does not start after an item's last occurrence never changes it
//!   (re-running an old month does not reopen what was closed since, and a quarter
//!   that holds the month which raised an item does not raise it again);
//! - a closed item that a later period raises again is reopened (state 新建),
//!   never duplicated;
//! - a report shows the items raised in or before its period that are not
//!   closed ([`open_for`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::kpi::result::{ImprovementItem, Scope, TargetMetric};
use crate::model::catalogue::Catalogue;
use crate::model::period::Period;
use crate::model::status::Status;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// 新建: raised (or reopened), nobody has acted yet.
    New,
    /// 处理中: an action is under way.
    InProgress,
    /// 已关闭.
    Closed,
}

impl ItemState {
    pub const ALL: [ItemState; 3] = [ItemState::New, ItemState::InProgress, ItemState::Closed];

    /// The stable name (ledger, command line, JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::New => "new",
            ItemState::InProgress => "in_progress",
            ItemState::Closed => "closed",
        }
    }

    /// Read a stable name back; the command line also takes `in-progress` and the
    /// Chinese names.
    pub fn parse(s: &str) -> Option<ItemState> {
        match s.trim() {
            "new" | "新建" => Some(ItemState::New),
            "in_progress" | "in-progress" | "处理中" => Some(ItemState::InProgress),
            "closed" | "已关闭" => Some(ItemState::Closed),
            _ => None,
        }
    }

    pub fn is_open(self) -> bool {
        self != ItemState::Closed
    }
}

/// Which target an item is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemKey {
    pub agreement: String,
    pub metric: TargetMetric,
    pub scope: Scope,
}

/// One item of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Never reused; printed as `IMP-0007` ([`Item::label`]).
    pub id: i64,
    pub key: ItemKey,
    /// The owning process as the KPI stage names it (`事件管理`).
    pub process: String,
    /// The process manager (a person id or name), from the catalogue unless set.
    pub owner: Option<String>,
    /// The period that first raised it.
    pub raised: Period,
    /// The latest period that raised it (breached, or at risk again).
    pub last: Period,
    /// Its judgement in that period: breached or at risk.
    pub last_status: Status,
    pub action: Option<String>,
    pub due: NaiveDate,
    pub state: ItemState,
    /// How many times a later breach reopened it after it was closed.
    pub reopened: u32,
}

impl Item {
    /// `IMP-0007`.
    pub fn label(&self) -> String {
        label(self.id)
    }
}

/// `IMP-0007` for id 7.
pub fn label(id: i64) -> String {
    format!("IMP-{id:04}")
}

/// Read `IMP-0007` (or `7`) back to an id.
pub fn parse_label(s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = s
        .strip_prefix("IMP-")
        .or_else(|| s.strip_prefix("imp-"))
        .unwrap_or(s);
    digits.parse().ok().filter(|n: &i64| *n > 0)
}

/// What happened to an item (the register's history, kept by the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// First raised by `period`.
    Raised { period: Period, status: Status },
    /// Raised again by a later period while open.
    Recurred { period: Period, status: Status },
    /// Raised again by a later period after it was closed.
    Reopened { period: Period, status: Status },
    /// The compiler changed it (`svcreport improvements set`).
    Edited {
        state: Option<ItemState>,
        action: Option<String>,
        due: Option<NaiveDate>,
        owner: Option<String>,
        note: Option<String>,
    },
}

/// An event with when it happened and to which item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logged {
    pub item: i64,
    pub at: NaiveDateTime,
    pub event: Event,
}

/// The default due date of an item raised by `period`: the last day of the next
/// period of the same length (a month's item is due by the end of the next month).
pub fn default_due(period: Period) -> NaiveDate {
    period.next().last_date()
}

/// The process manager of the process that owns `metric` (the catalogue's
/// `[[process]] owner`), as the report builder finds the process.
pub fn owner_of(cat: &Catalogue, metric: &TargetMetric, process: &str) -> Option<String> {
    let p = match metric {
        TargetMetric::Agreement(m) => cat.processes.iter().find(|p| p.metrics.contains(m)),
        TargetMetric::Process { .. } => None,
    }
    .or_else(|| cat.process(process))
    .or_else(|| match metric {
        TargetMetric::Process { process, .. } => cat.process(process),
        TargetMetric::Agreement(_) => None,
    })?;
    p.owner.clone()
}

/// Bring the register up to date with the items `period` raises, in place; new
/// items are numbered from `next_id` (which moves on). Returns the events, by item id.
///
/// - a target with no item gets a new one (新建, due [`default_due`], owner from
///   the catalogue);
/// - an open item raised again by a later period records the recurrence;
/// - a closed item raised again by a later period is reopened (新建);
/// - a period that does not start after the item's last occurrence ends changes
///   nothing (an earlier month again, or the quarter of the month that raised it).
pub fn sync(
    items: &mut Vec<Item>,
    raised: &[ImprovementItem],
    period: Period,
    cat: &Catalogue,
    next_id: &mut i64,
) -> Vec<(i64, Event)> {
    let mut events = Vec::new();
    for r in raised {
        let key = ItemKey {
            agreement: r.agreement.clone(),
            metric: r.metric.clone(),
            scope: r.scope.clone(),
        };
        let status = r.status;
        match items.iter_mut().find(|i| i.key == key) {
            None => {
                let id = *next_id;
                *next_id += 1;
                events.push((id, Event::Raised { period, status }));
                items.push(Item {
                    id,
                    owner: owner_of(cat, &key.metric, &r.process),
                    key,
                    process: r.process.clone(),
                    raised: period,
                    last: period,
                    last_status: status,
                    action: None,
                    due: default_due(period),
                    state: ItemState::New,
                    reopened: 0,
                });
            }
            Some(i) if period.start() >= i.last.end() => {
                i.last = period;
                i.last_status = status;
                let event = if i.state == ItemState::Closed {
                    i.state = ItemState::New;
                    i.reopened += 1;
                    i.due = default_due(period);
                    Event::Reopened { period, status }
                } else {
                    Event::Recurred { period, status }
                };
                events.push((i.id, event));
            }
            Some(_) => {}
        }
    }
    events
}

/// The items a report of `period` shows: raised in or before the period, not closed;
/// in id order.
pub fn open_for(items: &[Item], period: Period) -> Vec<Item> {
    let mut v: Vec<Item> = items
        .iter()
        .filter(|i| i.state.is_open() && i.raised.start() < period.end())
        .cloned()
        .collect();
    v.sort_by_key(|i| i.id);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::Metric;

    fn cat() -> Catalogue {
        crate::catalogue::parse_str(
            "test.toml",
            r#"
[[process]]
id = "availability"
name = "可用性管理"
owner = "wangfang"
metrics = ["availability"]
"#,
        )
        .unwrap()
    }

    fn raised(status: Status) -> ImprovementItem {
        ImprovementItem {
            agreement: "SLA-ACME".into(),
            metric: TargetMetric::Agreement(Metric::Availability),
            scope: Scope {
                customer: Some("acme".into()),
                service: Some("erp".into()),
                priority: None,
                resource: None,
            },
            process: "可用性管理".into(),
            status,
            reason: String::new(),
        }
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn an_item_lives_across_periods_and_a_closed_one_reopens() {
        let cat = cat();
        let mut reg = Vec::new();
        let mut next = 1;
        // October breaches: a new item, owned by the process manager, due end of November.
        let ev = sync(
            &mut reg,
            &[raised(Status::Breached)],
            p("2026-10"),
            &cat,
            &mut next,
        );
        assert_eq!(reg.len(), 1);
        assert!(matches!(ev[..], [(1, Event::Raised { .. })]));
        assert_eq!(reg[0].owner.as_deref(), Some("wangfang"));
        assert_eq!(reg[0].due, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        // The same month again changes nothing.
        let before = reg.clone();
        assert!(
            sync(
                &mut reg,
                &[raised(Status::Breached)],
                p("2026-10"),
                &cat,
                &mut next
            )
            .is_empty()
        );
        assert_eq!(reg, before);
        // November meets: nothing raised, the item stays open and is shown in November.
        assert!(sync(&mut reg, &[], p("2026-11"), &cat, &mut next).is_empty());
        assert_eq!(open_for(&reg, p("2026-11")).len(), 1);
        // ...but not in September, before it was raised.
        assert!(open_for(&reg, p("2026-09")).is_empty());
        // Closed by the compiler, December breaches again: reopened, not duplicated.
        reg[0].state = ItemState::Closed;
        assert!(open_for(&reg, p("2026-12")).is_empty());
        let ev = sync(
            &mut reg,
            &[raised(Status::Breached)],
            p("2026-12"),
            &cat,
            &mut next,
        );
        assert!(matches!(ev[..], [(1, Event::Reopened { .. })]));
        assert_eq!(reg.len(), 1);
        assert_eq!(next, 2);
        assert_eq!(reg[0].state, ItemState::New);
        assert_eq!(reg[0].reopened, 1);
        assert_eq!(reg[0].last, p("2026-12"));
        assert_eq!(reg[0].due, NaiveDate::from_ymd_opt(2027, 1, 31).unwrap());
        // Closed again; re-running October (before its last occurrence) does not reopen
        // it, nor does the fourth quarter, which holds December.
        reg[0].state = ItemState::Closed;
        let q4 = sync(
            &mut reg,
            &[raised(Status::Breached)],
            p("2026-Q4"),
            &cat,
            &mut next,
        );
        assert!(q4.is_empty());
        assert!(
            sync(
                &mut reg,
                &[raised(Status::Breached)],
                p("2026-10"),
                &cat,
                &mut next
            )
            .is_empty()
        );
        assert_eq!(reg[0].state, ItemState::Closed);
        // An open item raised again later records the recurrence and keeps its state.
        reg[0].state = ItemState::InProgress;
        let ev = sync(
            &mut reg,
            &[raised(Status::AtRisk)],
            p("2027-01"),
            &cat,
            &mut next,
        );
        assert!(matches!(ev[..], [(1, Event::Recurred { .. })]));
        assert_eq!(reg[0].state, ItemState::InProgress);
        assert_eq!(reg[0].last_status, Status::AtRisk);
    }

    #[test]
    fn labels_and_states_read_back() {
        assert_eq!(label(7), "IMP-0007");
        assert_eq!(parse_label("IMP-0007"), Some(7));
        assert_eq!(parse_label("7"), Some(7));
        assert_eq!(parse_label("IMP-x"), None);
        assert_eq!(parse_label("0"), None);
        for s in ItemState::ALL {
            assert_eq!(ItemState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ItemState::parse("处理中"), Some(ItemState::InProgress));
        assert_eq!(ItemState::parse("in-progress"), Some(ItemState::InProgress));
    }
}

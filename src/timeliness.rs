//! Timeliness (spec §4): whether a report's data arrived and the report was
//! distributed by their due dates, judged from plain facts.
//!
//! A domain rule next to [`crate::due`]: it depends on `model` only and never
//! reads the ledger, the clock or any message text. The caller gathers the
//! [`Facts`] (due dates from `due`, times from the ledger, `now` from `clock`)
//! and prints the typed [`Flag`]s in its own words.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::model::document::{DocStatus, DocVersion};
use crate::model::records::DatasetKind;

/// Calendar days before the report due date from which an undistributed report is at risk.
pub const AT_RISK_DAYS: i64 = 5;

/// Where a report of one period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Nothing is due yet and nothing is late.
    Open,
    /// Distributed by its due date, data on time.
    OnTime,
    /// Not late yet, but not distributed and due within [`AT_RISK_DAYS`].
    AtRisk,
    /// Data or report came (or are still missing) after their due date.
    Late,
    /// The holiday data do not cover the year of the due date: nothing can be
    /// judged late until they do ("pending calendar", never "late").
    PendingCalendar,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::OnTime => "on_time",
            State::AtRisk => "at_risk",
            State::Late => "late",
            State::PendingCalendar => "pending_calendar",
        }
    }

    /// Late or at risk: something a report manager must act on.
    pub fn needs_attention(self) -> bool {
        matches!(self, State::Late | State::AtRisk)
    }
}

/// Where the latest document of a report stands when it is due soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Progress {
    /// Approved, not yet distributed.
    Approved,
    /// The latest version and its status.
    Version {
        version: DocVersion,
        status: DocStatus,
    },
    /// No version generated yet.
    NotGenerated,
}

/// One reason behind a [`State`], typed so that logic never reads its wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Flag {
    /// The data arrived after the data due date.
    DataLate { arrived: NaiveDate, due: NaiveDate },
    /// No data yet, and the data due date has passed.
    NoData { due: NaiveDate },
    /// A dataset the report needs has no delivery for the period, and the data
    /// due date has passed (others may have arrived).
    DatasetMissing {
        dataset: DatasetKind,
        due: NaiveDate,
    },
    /// Distributed after the report due date.
    DistributedLate { at: NaiveDate, due: NaiveDate },
    /// Not distributed, and the report due date has passed.
    NotDistributed { due: NaiveDate },
    /// Not distributed, due within [`AT_RISK_DAYS`].
    DueSoon { due: NaiveDate, progress: Progress },
}

impl Flag {
    /// The flag is about the data (not the report).
    pub fn is_about_data(self) -> bool {
        matches!(
            self,
            Flag::DataLate { .. } | Flag::NoData { .. } | Flag::DatasetMissing { .. }
        )
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Flag::DataLate { arrived, due } => {
                write!(
                    f,
                    "data late: arrived {arrived} after the data due date {due}"
                )
            }
            Flag::NoData { due } => write!(f, "no data yet; it was due {due}"),
            Flag::DatasetMissing { dataset, due } => {
                write!(f, "no delivery of {} yet; it was due {due}", dataset.name())
            }
            Flag::DistributedLate { at, due } => {
                write!(f, "distributed {at} after the report due date {due}")
            }
            Flag::NotDistributed { due } => {
                write!(f, "not distributed; the report was due {due}")
            }
            Flag::DueSoon { due, progress } => {
                write!(f, "due {due}; ")?;
                match progress {
                    Progress::Approved => write!(f, "approved, not yet distributed"),
                    Progress::Version { version, status } => {
                        write!(f, "V{version} is {}", status.as_str())
                    }
                    Progress::NotGenerated => write!(f, "not generated yet"),
                }
            }
        }
    }
}

/// What is known of one report and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<'a> {
    pub now: NaiveDateTime,
    /// `None` where the holiday data cannot tell the date.
    pub data_due: Option<NaiveDate>,
    pub report_due: Option<NaiveDate>,
    pub data_arrived: Option<NaiveDateTime>,
    /// The datasets the report needs that have no delivery for the period
    /// (where some have one; with none at all, `data_arrived` is `None`).
    pub datasets_missing: &'a [DatasetKind],
    /// First distribution of the approved version.
    pub distributed: Option<NaiveDateTime>,
    /// Where the latest document stands (approved, or its version and status).
    pub progress: Progress,
}

/// The state and its reasons.
pub fn assess(f: &Facts) -> (State, Vec<Flag>) {
    let today = f.now.date();
    let mut flags = Vec::new();
    if f.data_due.is_none() || f.report_due.is_none() {
        return (State::PendingCalendar, flags);
    }
    if let Some(due) = f.data_due {
        if today > due {
            flags.extend(
                f.datasets_missing
                    .iter()
                    .map(|&dataset| Flag::DatasetMissing { dataset, due }),
            );
        }
        match f.data_arrived {
            Some(a) if a.date() > due => flags.push(Flag::DataLate {
                arrived: a.date(),
                due,
            }),
            None if today > due => flags.push(Flag::NoData { due }),
            _ => {}
        }
    }
    let mut state = State::Open;
    if let Some(due) = f.report_due {
        match f.distributed {
            Some(t) if t.date() > due => flags.push(Flag::DistributedLate { at: t.date(), due }),
            Some(_) => state = State::OnTime,
            None if today > due => flags.push(Flag::NotDistributed { due }),
            None if (due - today).num_days() <= AT_RISK_DAYS => {
                state = State::AtRisk;
                flags.push(Flag::DueSoon {
                    due,
                    progress: f.progress,
                });
            }
            None => {}
        }
    }
    let late = flags.iter().any(|x| !matches!(x, Flag::DueSoon { .. }));
    (if late { State::Late } else { state }, flags)
}

/// Where one dataset's delivery for one month stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Arrived by the end of its due date.
    OnTime,
    /// Arrived after its due date.
    Late,
    /// Not arrived, and its due date has passed.
    Missing,
    /// Not arrived, not due yet.
    NotDue,
    /// The holiday data cannot tell the due date.
    PendingCalendar,
}

impl Delivery {
    /// Counts in the on-time share (its outcome is known).
    pub fn is_decided(self) -> bool {
        matches!(self, Delivery::OnTime | Delivery::Late | Delivery::Missing)
    }
}

/// One delivery's state: arrival compared with the due date by calendar day.
pub fn assess_delivery(
    now: NaiveDateTime,
    due: Option<NaiveDate>,
    arrived: Option<NaiveDateTime>,
) -> Delivery {
    match (due, arrived) {
        (None, _) => Delivery::PendingCalendar,
        (Some(due), Some(a)) if a.date() <= due => Delivery::OnTime,
        (Some(_), Some(_)) => Delivery::Late,
        (Some(due), None) if now.date() > due => Delivery::Missing,
        (Some(_), None) => Delivery::NotDue,
    }
}

/// An on-time share: of the decided items, how many were on time. With none
/// decided there is no share ("data missing", never 100 %).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub on_time: u32,
    pub decided: u32,
}

impl Share {
    pub fn add(&mut self, on_time: bool) {
        self.decided += 1;
        if on_time {
            self.on_time += 1;
        }
    }

    /// Percent, in full precision; `None` with nothing decided.
    pub fn percent(self) -> Option<f64> {
        (self.decided > 0).then(|| 100.0 * f64::from(self.on_time) / f64::from(self.decided))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }
    fn facts(now: &str) -> Facts<'static> {
        Facts {
            now: t(now),
            data_due: Some(d("2026-11-03")),
            report_due: Some(d("2026-11-08")),
            data_arrived: None,
            datasets_missing: &[],
            distributed: None,
            progress: Progress::NotGenerated,
        }
    }

    #[test]
    fn a_due_date_beyond_the_holiday_data_is_pending_never_late() {
        let mut f = facts("2027-02-01 09:00");
        f.report_due = None;
        assert_eq!(assess(&f), (State::PendingCalendar, vec![]));
        assert_eq!(
            assess_delivery(t("2027-02-01 09:00"), None, None),
            Delivery::PendingCalendar
        );
    }

    #[test]
    fn one_missing_dataset_is_named_once_its_data_are_due() {
        let missing = [DatasetKind::Outages];
        let mut f = facts("2026-11-03 09:00");
        f.data_arrived = Some(t("2026-11-01 10:00"));
        f.datasets_missing = &missing;
        assert_eq!(assess(&f).0, State::AtRisk);
        f.now = t("2026-11-04 09:00");
        let (s, flags) = assess(&f);
        assert_eq!(s, State::Late);
        assert_eq!(
            flags[0],
            Flag::DatasetMissing {
                dataset: DatasetKind::Outages,
                due: d("2026-11-03")
            }
        );
    }

    #[test]
    fn deliveries_are_judged_by_calendar_day() {
        let due = Some(d("2026-11-03"));
        let now = t("2026-11-05 09:00");
        assert_eq!(
            assess_delivery(now, due, Some(t("2026-11-03 23:59"))),
            Delivery::OnTime
        );
        assert_eq!(
            assess_delivery(now, due, Some(t("2026-11-04 00:00"))),
            Delivery::Late
        );
        assert_eq!(assess_delivery(now, due, None), Delivery::Missing);
        assert_eq!(
            assess_delivery(t("2026-11-03 18:00"), due, None),
            Delivery::NotDue
        );
    }

    #[test]
    fn a_share_with_nothing_decided_has_no_figure() {
        let mut s = Share::default();
        assert_eq!(s.percent(), None);
        s.add(true);
        s.add(true);
        s.add(false);
        assert_eq!(s.decided, 3);
        assert!((s.percent().unwrap() - 200.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn nothing_due_yet_is_open() {
        assert_eq!(assess(&facts("2026-11-01 09:00")), (State::Open, vec![]));
    }

    #[test]
    fn missing_data_after_its_due_date_is_late() {
        let (s, flags) = assess(&facts("2026-11-04 09:00"));
        assert_eq!(s, State::Late);
        assert_eq!(
            flags[0],
            Flag::NoData {
                due: d("2026-11-03")
            }
        );
        assert!(flags[0].is_about_data());
        // Due within five days and not distributed: also said, but late wins.
        assert!(matches!(flags[1], Flag::DueSoon { .. }));
    }

    #[test]
    fn data_on_the_due_day_is_on_time_and_a_day_later_is_late() {
        let mut f = facts("2026-11-04 09:00");
        f.data_arrived = Some(t("2026-11-03 23:59"));
        let (s, flags) = assess(&f);
        assert_eq!(s, State::AtRisk);
        assert!(!flags.iter().any(|x| x.is_about_data()));
        f.data_arrived = Some(t("2026-11-04 00:00"));
        assert_eq!(assess(&f).0, State::Late);
    }

    #[test]
    fn distribution_decides_on_time_or_late() {
        let mut f = facts("2026-11-20 09:00");
        f.data_arrived = Some(t("2026-11-02 10:00"));
        f.distributed = Some(t("2026-11-08 18:00"));
        assert_eq!(assess(&f), (State::OnTime, vec![]));
        f.distributed = Some(t("2026-11-09 08:00"));
        let (s, flags) = assess(&f);
        assert_eq!(s, State::Late);
        assert_eq!(
            flags,
            vec![Flag::DistributedLate {
                at: d("2026-11-09"),
                due: d("2026-11-08")
            }]
        );
        assert!(!flags[0].is_about_data());
    }

    #[test]
    fn unknown_due_dates_judge_nothing() {
        let mut f = facts("2027-03-01 09:00");
        f.data_due = None;
        f.report_due = None;
        assert_eq!(assess(&f), (State::PendingCalendar, vec![]));
    }

    #[test]
    fn wording_is_for_people_only() {
        let f = Flag::DueSoon {
            due: d("2026-11-10"),
            progress: Progress::Version {
                version: DocVersion::FIRST,
                status: DocStatus::Draft,
            },
        };
        assert_eq!(f.to_string(), "due 2026-11-10; V1.0 is draft");
    }
}

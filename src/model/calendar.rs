//! Service-hours calendars and business-time arithmetic.
//!
//! Plain data and pure functions; depends only on `model::period` and the
//! holiday sets in `model::holidays`. All instants are local wall-clock times
//! of the workspace timezone. Business time is counted in whole **seconds**
//! (`i64`); minutes are derived for display.
//!
//! CONTRACT (used by `kpi`): [`BusinessClock`] is the only interface the KPI
//! engine sees. `AlwaysOn` is the 7×24 calendar.

use chrono::NaiveDateTime;

/// A computation needed calendar data for a year that the holiday set does not cover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the holiday calendar \"{calendar}\" has no data for {year}: add that year's holidays and adjusted working days (or use a 7x24 calendar)"
    )]
    YearNotCovered { calendar: String, year: i32 },
    #[error("{0}")]
    Invalid(String),
}

/// Business-time arithmetic on one service-hours calendar.
pub trait BusinessClock: Send + Sync {
    /// Business seconds in `[from, to)`; 0 when `to <= from`.
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError>;

    /// The earliest instant `t >= from` such that `business_seconds(from, t) == secs`
    /// (`secs >= 0`). For `secs == 0` this is `from` itself.
    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError>;
}

/// The 7×24 calendar: every second is a business second; holidays are ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysOn;

impl BusinessClock for AlwaysOn {
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError> {
        Ok((to - from).num_seconds().max(0))
    }

    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError> {
        Ok(from + chrono::Duration::seconds(secs.max(0)))
    }
}

/// The calendars of a catalogue, by id, ready for arithmetic. `7x24` is always present.
///
/// CONTRACT: `kpi` asks `for_service` / `get`; `Calendars::from_catalogue`
/// (built by the calendar work) turns `CalendarDef`s into clocks.
#[derive(Clone)]
pub struct Calendars {
    clocks: std::collections::BTreeMap<String, std::sync::Arc<dyn BusinessClock>>,
    /// Service id → calendar id.
    services: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Debug for Calendars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Calendars")
            .field("calendars", &self.clocks.keys().collect::<Vec<_>>())
            .field("services", &self.services)
            .finish()
    }
}

impl Default for Calendars {
    fn default() -> Self {
        Calendars::new()
    }
}

impl Calendars {
    /// Only the 7×24 calendar.
    pub fn new() -> Calendars {
        let mut clocks: std::collections::BTreeMap<String, std::sync::Arc<dyn BusinessClock>> =
            std::collections::BTreeMap::new();
        clocks.insert(SEVEN_BY_24.to_string(), std::sync::Arc::new(AlwaysOn));
        Calendars {
            clocks,
            services: Default::default(),
        }
    }
    /// Register a calendar under an id.
    pub fn insert(&mut self, id: impl Into<String>, clock: std::sync::Arc<dyn BusinessClock>) {
        self.clocks.insert(id.into(), clock);
    }
    /// Say which calendar a service is measured on.
    pub fn assign(&mut self, service: impl Into<String>, calendar: impl Into<String>) {
        self.services.insert(service.into(), calendar.into());
    }
    /// A calendar by id (`7x24` always exists).
    pub fn get(&self, id: &str) -> Option<&dyn BusinessClock> {
        self.clocks.get(id).map(|c| c.as_ref())
    }
    /// The calendar a service is measured on; 7×24 when the service has none assigned.
    pub fn for_service(&self, service: &str) -> &dyn BusinessClock {
        self.services
            .get(service)
            .and_then(|id| self.get(id))
            .unwrap_or(&AlwaysOn)
    }
    /// The calendar id a service is measured on.
    pub fn calendar_id_of(&self, service: &str) -> &str {
        self.services
            .get(service)
            .map(String::as_str)
            .unwrap_or(SEVEN_BY_24)
    }
}

/// The id of the built-in 7×24 calendar.
pub const SEVEN_BY_24: &str = "7x24";

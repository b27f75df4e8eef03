//! The judgement of a figure against its target: met, at risk, breached, N/A.
//!
//! Plain data shared by the stages that decide it (`kpi`), show it (`report`,
//! whose renderers reach it through `report::Status`) and record it (the ledger).

use serde::{Deserialize, Serialize};

/// A target's status (spec §3). JSON: `met`, `at_risk`, `breached`, `not_applicable`,
/// `data_missing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    AtRisk,
    Breached,
    /// No population in the period (never shown as 100 %).
    NotApplicable,
    /// The data the figure needs were not delivered for the period: no figure
    /// (数据缺失), never 100 % and never N/A-as-if-fine.
    DataMissing,
}

impl Status {
    /// The short code of text output and the ledger's `status` column (`n/a`
    /// for [`Status::NotApplicable`], unlike its JSON name).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::AtRisk => "at_risk",
            Status::Breached => "breached",
            Status::NotApplicable => "n/a",
            Status::DataMissing => "data_missing",
        }
    }
}

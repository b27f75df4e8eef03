//! The domain model: catalogue, periods, calendars, typed records, the
//! judgement [`Status`](status::Status) and text positions.
//!
//! Plain data; uses nothing else inside the crate. Every later stage speaks
//! these types.

pub mod calendar;
pub mod catalogue;
pub mod document;
pub mod holidays;
pub mod period;
pub mod records;
pub mod status;
pub mod text;

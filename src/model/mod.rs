//! The domain model: catalogue, periods, calendars, typed records, the
//! judgement [`Status`](status::Status) and text positions.
//!
//! Plain data; uses nothing else inside the crate but the leaf module
//! [`crate::chars`] (character classes). Every later stage speaks these types.

pub mod calendar;
pub mod catalogue;
pub mod document;
pub mod glyphs;
pub mod holidays;
pub mod period;
pub mod records;
pub mod status;
pub mod text;

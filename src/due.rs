//! Report and data due dates (spec §4).

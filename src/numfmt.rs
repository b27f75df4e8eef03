//! Rounding and number formatting: the one place numbers are rounded, for both renderers.

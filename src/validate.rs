//! Rules across files: unique ticket ids across the period, references into the catalogue.

//! Integration tests: catalogue.

//! Integration tests: realdata.

//! Integration tests: xlsx.

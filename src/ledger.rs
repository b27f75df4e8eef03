//! The ledger: an embedded SQLite database recording inputs, runs, results, documents, approvals and distributions.

//! The content-addressed archive of inputs used by documents.

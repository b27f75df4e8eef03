//! Loading the catalogue from TOML with file/line/column errors (spec §2.2).

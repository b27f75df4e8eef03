//! `svcreport gen-sample --out DIR` (hidden, for developers): write the
//! deterministic demo workspace (`sample::demo`) into DIR.
//!
//! Depends only on `sample`; no clock, so the output is byte-identical on every run.

use std::path::Path;

use super::{EXIT_OK, Global};

pub fn run(g: &Global, out: &Path) -> anyhow::Result<u8> {
    let summary = crate::sample::demo::write(out)?;
    if !g.quiet {
        let rows: u64 = summary.files.iter().map(|f| f.rows()).sum();
        println!(
            "wrote {} files ({} data rows) to {}",
            summary.files.len(),
            rows,
            out.display()
        );
    }
    Ok(EXIT_OK)
}

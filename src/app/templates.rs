//! `svcreport templates --out DIR`: the blank provider workbooks and their
//! documentation (`README.md`), written atomically into DIR.
//!
//! Builds everything through `provider_templates` (no workspace is needed:
//! the templates depend only on the schema). Invariants: every file is
//! written with `fsutil::write_atomic`; the same program writes the same
//! bytes.

use std::path::{Path, PathBuf};

use super::{EXIT_OK, Global};
use crate::fsutil::write_atomic;
use crate::provider_templates;

/// Why the templates could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TemplatesError {
    #[error(transparent)]
    Build(#[from] provider_templates::TemplateError),
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Write every template and `README.md` into `out`; returns the paths written,
/// in order (templates in `DATASETS` order, then the README and the import profiles).
pub fn write_all(out: &Path) -> Result<Vec<PathBuf>, TemplatesError> {
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), TemplatesError> {
        let path = out.join(name);
        write_atomic(&path, bytes).map_err(|source| TemplatesError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
        Ok(())
    };
    for (name, bytes) in provider_templates::all()? {
        put(&name, &bytes)?;
    }
    put(
        "README.md",
        provider_templates::readme_markdown().as_bytes(),
    )?;
    put(
        "import-profiles.md",
        provider_templates::profiles_markdown().as_bytes(),
    )?;
    Ok(written)
}

pub fn run(g: &Global, out: &Path) -> anyhow::Result<u8> {
    let written = write_all(out)?;
    if !g.quiet {
        for p in &written {
            println!("wrote {}", p.display());
        }
    }
    Ok(EXIT_OK)
}

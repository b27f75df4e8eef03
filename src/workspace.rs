//! A workspace: a folder with `svcreport.toml` (spec §2.4).
//!
//! Loads the workspace settings and, through `catalogue::load`, the catalogue.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;

/// `[workspace]` of `svcreport.toml`, resolved.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace folder (absolute).
    pub root: PathBuf,
    pub name: String,
    pub organisation: String,
    pub timezone: Tz,
    /// `zh-CN` or `en`.
    pub language: String,
    /// Glob patterns relative to `root`.
    pub inbox: Vec<String>,
    /// Catalogue files relative to `root`.
    pub catalogue: Vec<PathBuf>,
    /// Output folder (absolute).
    pub output: PathBuf,
    /// Largest declared uncompressed size of one workbook part we will inflate.
    pub max_uncompressed_bytes: u64,
    /// Extra font files for the PDF renderer (absolute).
    pub fonts: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{path}: cannot read the workspace settings: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    workspace: RawWorkspace,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default = "default_tz")]
    timezone: String,
    #[serde(default = "default_lang")]
    language: String,
    inbox: Vec<String>,
    catalogue: Vec<PathBuf>,
    #[serde(default = "default_out")]
    output: PathBuf,
    #[serde(default = "default_max_mib")]
    max_uncompressed_mib: u64,
    #[serde(default)]
    fonts: Vec<PathBuf>,
}

fn default_tz() -> String {
    "Asia/Shanghai".into()
}
fn default_lang() -> String {
    "zh-CN".into()
}
fn default_out() -> PathBuf {
    PathBuf::from("out")
}
fn default_max_mib() -> u64 {
    1024
}

pub const FILE_NAME: &str = "svcreport.toml";

impl Workspace {
    /// Load `DIR/svcreport.toml`.
    pub fn load(dir: &Path) -> Result<Workspace, WorkspaceError> {
        let root = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let path = root.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|source| WorkspaceError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&root, &path, &text)
    }

    /// Parse settings text (errors name the file, line and column).
    pub fn parse(root: &Path, path: &Path, text: &str) -> Result<Workspace, WorkspaceError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| WorkspaceError::Parse {
            path: path.to_path_buf(),
            message: toml_message(text, &e),
        })?;
        let w = raw.workspace;
        let timezone: Tz = w.timezone.parse().map_err(|_| WorkspaceError::Parse {
            path: path.to_path_buf(),
            message: format!(
                "timezone \"{}\" is not an IANA zone name such as Asia/Shanghai",
                w.timezone
            ),
        })?;
        if w.language != "zh-CN" && w.language != "en" {
            return Err(WorkspaceError::Parse {
                path: path.to_path_buf(),
                message: format!("language \"{}\" is not one of zh-CN, en", w.language),
            });
        }
        Ok(Workspace {
            root: root.to_path_buf(),
            name: w.name,
            organisation: w.organisation,
            timezone,
            language: w.language,
            inbox: w.inbox,
            catalogue: w.catalogue,
            output: root.join(w.output),
            max_uncompressed_bytes: w.max_uncompressed_mib.saturating_mul(1024 * 1024),
            fonts: w.fonts.into_iter().map(|f| root.join(f)).collect(),
        })
    }

    /// A path relative to the workspace root, with `/` separators, for messages and ledgers.
    pub fn rel(&self, p: &Path) -> String {
        let r = p.strip_prefix(&self.root).unwrap_or(p);
        r.to_string_lossy().replace('\\', "/")
    }
}

/// A toml error as `line L, column C: message`.
pub fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

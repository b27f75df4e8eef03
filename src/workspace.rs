//! A workspace: a folder with `svcreport.toml` (spec §2.4).
//!
//! Job: load and check the workspace settings (name, organisation, inbox
//! patterns, catalogue files, output folder, timezone, language, limits); the
//! catalogue itself is loaded by `catalogue::load`. Depends only on the leaf
//! module `suggest` (did you mean). Invariants: every settings error names the file and, when the
//! text is at fault, the line and column; paths are resolved against the
//! workspace root; the timezone is a valid IANA zone.

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
    /// Follow symbolic links in the inbox (to files inside the workspace only).
    pub follow_symlinks: bool,
    /// Memory (data segment) a worker reading one workbook may use.
    pub worker_memory_bytes: u64,
    /// The longest reading one workbook may take.
    pub worker_timeout: std::time::Duration,
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
    timezone: toml::Spanned<String>,
    #[serde(default = "default_lang")]
    language: toml::Spanned<String>,
    inbox: Vec<String>,
    catalogue: Vec<PathBuf>,
    #[serde(default = "default_out")]
    output: PathBuf,
    #[serde(default = "default_max_mib")]
    max_uncompressed_mib: u64,
    #[serde(default)]
    follow_symlinks: bool,
    #[serde(default = "default_worker_mib")]
    worker_memory_mib: u64,
    #[serde(default = "default_worker_seconds")]
    worker_timeout_seconds: u64,
    #[serde(default)]
    fonts: Vec<PathBuf>,
}

fn default_tz() -> toml::Spanned<String> {
    toml::Spanned::new(0..0, "Asia/Shanghai".into())
}
fn default_lang() -> toml::Spanned<String> {
    toml::Spanned::new(0..0, "zh-CN".into())
}
fn default_out() -> PathBuf {
    PathBuf::from("out")
}
fn default_max_mib() -> u64 {
    1024
}
fn default_worker_mib() -> u64 {
    1024
}
fn default_worker_seconds() -> u64 {
    300
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
        let at = |span: std::ops::Range<usize>| {
            let (l, c) = line_col(text, span.start);
            format!("line {l}, column {c}")
        };
        let timezone: Tz =
            w.timezone
                .get_ref()
                .trim()
                .parse()
                .map_err(|_| WorkspaceError::Parse {
                    path: path.to_path_buf(),
                    message: format!(
                        "{}: timezone \"{}\" is not an IANA zone name such as Asia/Shanghai",
                        at(w.timezone.span()),
                        w.timezone.get_ref()
                    ),
                })?;
        let language = w.language.get_ref().trim().to_string();
        if language != "zh-CN" && language != "en" {
            return Err(WorkspaceError::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "{}: language \"{language}\" is not one of zh-CN, en",
                    at(w.language.span())
                ),
            });
        }
        if w.inbox.is_empty() {
            return Err(WorkspaceError::Parse {
                path: path.to_path_buf(),
                message: "inbox lists no pattern: write inbox = [\"inbox/**/*.xlsx\"]".into(),
            });
        }
        if w.max_uncompressed_mib == 0 {
            return Err(WorkspaceError::Parse {
                path: path.to_path_buf(),
                message: "max_uncompressed_mib must be at least 1".into(),
            });
        }
        if w.worker_memory_mib < 64 {
            return Err(WorkspaceError::Parse {
                path: path.to_path_buf(),
                message: "worker_memory_mib must be at least 64".into(),
            });
        }
        if w.worker_timeout_seconds == 0 {
            return Err(WorkspaceError::Parse {
                path: path.to_path_buf(),
                message: "worker_timeout_seconds must be at least 1".into(),
            });
        }
        Ok(Workspace {
            root: root.to_path_buf(),
            name: w.name,
            organisation: w.organisation,
            timezone,
            language,
            inbox: w.inbox,
            catalogue: w.catalogue,
            output: root.join(w.output),
            max_uncompressed_bytes: w.max_uncompressed_mib.saturating_mul(1024 * 1024),
            follow_symlinks: w.follow_symlinks,
            worker_memory_bytes: w.worker_memory_mib.saturating_mul(1024 * 1024),
            worker_timeout: std::time::Duration::from_secs(w.worker_timeout_seconds),
            fonts: w.fonts.into_iter().map(|f| root.join(f)).collect(),
        })
    }

    /// A path relative to the workspace root, with `/` separators, for messages and ledgers.
    pub fn rel(&self, p: &Path) -> String {
        let r = p.strip_prefix(&self.root).unwrap_or(p);
        r.to_string_lossy().replace('\\', "/")
    }
}

/// A toml error as `line L, column C: message`, with the closest valid key
/// suggested for an unknown one.
pub fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let mut msg = e.message().trim().to_string();
    // serde: "unknown field `outptu`, expected one of `name`, `output`, …"
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some((unknown, tail)) = rest.split_once('`')
    {
        let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        if let Some(best) = closest(unknown, expected.iter().copied()) {
            msg.push_str(&format!(" (did you mean \"{best}\"?)"));
        }
    }
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}

/// The candidate closest to `word`, if close enough to be a plausible typo:
/// the crate's one "did you mean" rule ([`crate::suggest`]).
pub use crate::suggest::closest;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let t = "a = 1\nname = \"示例\" x\n";
        // 'x' is after `name = "示例" ` : 12 characters, so column 13, line 2.
        let off = t.find('x').expect("x");
        assert_eq!(line_col(t, off), (2, 13));
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, t.len() + 10), (3, 1));
    }

    #[test]
    fn closest_suggests_plausible_typos_only() {
        let keys = ["name", "output", "inbox", "catalogue"];
        assert_eq!(closest("outptu", keys), Some("output"));
        assert_eq!(closest("catalog", keys), Some("catalogue"));
        assert_eq!(closest("Inbox", keys), Some("inbox"));
        assert_eq!(closest("zzzzzz", keys), None);
        assert_eq!(closest("emial", ["email", "erp"]), Some("email"));
        assert_eq!(closest("x", ["y"]), None);
    }

    #[test]
    fn defaults_apply_and_language_is_checked() {
        let root = Path::new("/ws");
        let text =
            "[workspace]\nname = \"n\"\ninbox = [\"inbox/*.xlsx\"]\ncatalogue = [\"c.toml\"]\n";
        let ws = Workspace::parse(root, &root.join(FILE_NAME), text).expect("minimal settings");
        assert_eq!(ws.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!(ws.language, "zh-CN");
        assert_eq!(ws.output, PathBuf::from("/ws/out"));
        let bad = format!("{text}language = \"fr\"\n");
        let e = Workspace::parse(root, &root.join(FILE_NAME), &bad).expect_err("fr");
        assert_eq!(
            e.to_string(),
            "/ws/svcreport.toml: line 5, column 12: language \"fr\" is not one of zh-CN, en"
        );
        let empty = text.replace("[\"inbox/*.xlsx\"]", "[]");
        let e = Workspace::parse(root, &root.join(FILE_NAME), &empty).expect_err("no inbox");
        assert!(e.to_string().contains("inbox lists no pattern"), "{e}");
    }
}

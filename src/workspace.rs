//! A workspace: a folder with `svcreport.toml` (spec §2.4).
//!
//! Job: load and check the workspace settings (name, organisation, inbox
//! patterns, catalogue files, output folder, timezone, language, limits, how
//! approvals are taken, the `[smtp]` relay of `distribute`); the catalogue
//! itself is loaded by `catalogue::load`. Depends only on `model`
//! (`model::text::line_col`) and the leaf module `suggest` (did you mean).
//! Invariants: every settings error names the file and, when the text is at
//! fault, the line and column; paths are resolved against the workspace root;
//! the timezone is a valid IANA zone; the SMTP password is never read from the
//! file.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;

use crate::model::text::line_col;

/// `[workspace]` of `svcreport.toml`, resolved.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace folder (absolute).
    pub root: PathBuf,
    pub name: String,
    pub organisation: String,
    /// `organisation_en`: the name English documents print (else `organisation`).
    pub organisation_en: Option<String>,
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
    /// How reviews and approvals are taken (`approval = "signed" | "name"`).
    pub approval: ApprovalMode,
    /// The mail relay `distribute` sends through (`[smtp]`), if any.
    pub smtp: Option<SmtpSettings>,
    /// The holiday calendar of due dates (`holidays = "cn"`, the default, or a list of
    /// layers such as `["cn", "holidays-2027.csv"]`); service calendars keep their own.
    pub holidays: crate::model::catalogue::HolidaySource,
    /// Import profiles as written (`[profiles.NAME]` here and in `profile_files`), by name;
    /// `ingest::profile` checks and merges them.
    pub profiles: Vec<(String, ProfileSpec)>,
}

/// How reviews and approvals are taken where the catalogue lists people
/// (`[[person]]`); a catalogue without people always takes them by name
/// (legacy, unsigned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalMode {
    /// Signed with the person's SSH key (the default).
    Signed,
    /// By name, unsigned (`approval = "name"`): marked 未签名 on the document.
    Name,
}

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required; default port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, default port 465).
    Tls,
    /// No encryption (default port 25): a relay on the same host only.
    None,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }
}

/// `[smtp]` of `svcreport.toml`, resolved. The password is never in the file:
/// it is read from the environment variable `password_env` when sending.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub server: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Login name; none = no authentication.
    pub user: Option<String>,
    /// Name of the environment variable holding the password.
    pub password_env: String,
    /// The sender, `reports@provider.example` or `服务报告 <reports@provider.example>`.
    pub from: String,
    /// An extra trusted root certificate (PEM) for a relay with a private CA (absolute).
    pub ca_file: Option<PathBuf>,
    /// Further attempts after a transient failure (4xx reply, connection lost).
    pub retries: u32,
    /// Wait before the first retry; doubled before each next one.
    pub retry_delay: std::time::Duration,
    /// Connection and reply timeout.
    pub timeout: std::time::Duration,
}

/// The environment variable holding the SMTP password unless `password_env` names another.
pub const DEFAULT_PASSWORD_ENV: &str = "SVCREPORT_SMTP_PASSWORD";

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
    #[serde(default)]
    smtp: Option<RawSmtp>,
    /// Import profiles (`[profiles.NAME]`, see [`ProfileSpec`]).
    #[serde(default)]
    profiles: std::collections::BTreeMap<String, ProfileSpec>,
}

/// A file of import profiles (`profile_files`): `[profiles.NAME]` tables only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfileFile {
    #[serde(default)]
    profiles: std::collections::BTreeMap<String, ProfileSpec>,
}

/// One import profile as written (`[profiles.NAME]`): checked against its dataset and merged
/// with the profile it `extends` by `ingest::profile`. Every key is optional; see README
/// "From your ticketing tool".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// A built-in (`servicenow`, `jira`, `glpi`, `itop`, `zammad`) or another profile.
    #[serde(default)]
    pub extends: Option<String>,
    #[serde(default)]
    pub tool: Option<String>,
    #[serde(default)]
    pub dataset: Option<String>,
    /// Globs of the inbox files it reads (workspace-relative; without `/`: file names).
    #[serde(default)]
    pub files: Option<Vec<String>>,
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub encoding: Option<String>,
    /// The encoding of a text file that has no byte-order mark and is not valid UTF-8
    /// (the built-in `servicenow`: `windows-1252`); `encoding` wins over it.
    #[serde(default)]
    pub fallback_encoding: Option<String>,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub date_formats: Option<Vec<String>>,
    /// Field → source header(s); `""` drops an inherited one.
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, Headers>,
    /// Field → (source value → our value); `""` drops an inherited entry.
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Field → the value of every row.
    #[serde(default)]
    pub constants: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub fingerprint: Option<Vec<String>>,
    #[serde(default)]
    pub order_by: Option<Vec<String>>,
    /// An event log's activities (`[profiles.NAME.events]`).
    #[serde(default)]
    pub events: Option<EventSpec>,
    /// Texts that mean "no value" in the source (`missing = ["?"]`): read as blank cells.
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// The unit of the source's on-hold duration mapped to `paused_minutes`: `seconds`
    /// (iTop's cumulatedpending), `minutes` (the default) or `hours`.
    #[serde(default)]
    pub paused_unit: Option<String>,
    #[serde(default)]
    pub sources: Option<Vec<String>>,
}

/// How a log without opened/resolved columns gives a ticket's times: the event time and
/// activity columns, and the activities that respond, resolve, close, or pause the clock.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    pub time: String,
    pub activity: String,
    #[serde(default)]
    pub responded: Vec<String>,
    #[serde(default)]
    pub resolved: Vec<String>,
    #[serde(default)]
    pub closed: Vec<String>,
    #[serde(default)]
    pub pause: Vec<String>,
}

/// The source header(s) of a field: one name or alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Headers {
    One(String),
    Many(Vec<String>),
}

impl Headers {
    /// Maps to nothing (`""` or `[]`): drops an inherited column.
    pub fn is_empty(&self) -> bool {
        match self {
            Headers::One(s) => s.trim().is_empty(),
            Headers::Many(v) => v.iter().all(|s| s.trim().is_empty()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    server: toml::Spanned<String>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    security: Option<toml::Spanned<String>>,
    #[serde(default)]
    user: Option<String>,
    /// Present only to be refused with a clear message.
    #[serde(default)]
    password: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    password_env: Option<String>,
    from: toml::Spanned<String>,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    #[serde(default)]
    retries: Option<u32>,
    #[serde(default)]
    retry_delay_ms: Option<u64>,
    #[serde(default)]
    timeout_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    name: String,
    #[serde(default)]
    organisation: String,
    /// The organisation's English name, for documents in English.
    #[serde(default)]
    organisation_en: Option<String>,
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
    #[serde(default)]
    approval: Option<toml::Spanned<String>>,
    #[serde(default)]
    holidays: Option<RawHolidays>,
    /// Files of import profiles (`[profiles.NAME]` tables), relative to the workspace.
    #[serde(default)]
    profile_files: Vec<PathBuf>,
}

/// `holidays = "cn"` or `holidays = ["cn", "holidays-2027.csv"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawHolidays {
    One(String),
    Many(Vec<String>),
}

/// One holiday source of the settings: `cn`, `none` or a file that must exist.
fn holiday_source(
    v: &str,
    root: &Path,
    path: &Path,
) -> Result<crate::model::catalogue::HolidaySource, WorkspaceError> {
    use crate::model::catalogue::HolidaySource as H;
    let v = v.trim();
    match v.to_ascii_lowercase().as_str() {
        "cn" => Ok(H::Cn),
        "none" => Ok(H::None),
        _ if root.join(v).is_file() && !v.is_empty() => Ok(H::File(PathBuf::from(v))),
        _ => Err(WorkspaceError::Parse {
            path: path.to_path_buf(),
            message: format!(
                "holidays: \"{v}\" is not \"cn\", \"none\" or a holiday file of the workspace"
            ),
        }),
    }
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
        let bad = |message: String| WorkspaceError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let approval = match &w.approval {
            None => ApprovalMode::Signed,
            Some(a) => match a.get_ref().trim() {
                "signed" => ApprovalMode::Signed,
                "name" => ApprovalMode::Name,
                other => {
                    return Err(bad(format!(
                        "{}: approval \"{other}\" is not one of signed (SSH signatures, the default), name (unsigned, marked 未签名)",
                        at(a.span())
                    )));
                }
            },
        };
        let smtp = match raw.smtp {
            None => None,
            Some(m) => {
                if let Some(p) = &m.password {
                    return Err(bad(format!(
                        "{}: [smtp] password: the SMTP password is never read from a file; remove it and set the environment variable {} (or the one password_env names)",
                        at(p.span()),
                        DEFAULT_PASSWORD_ENV
                    )));
                }
                let security = match m.security.as_ref().map(|x| x.get_ref().trim()) {
                    None | Some("starttls") => SmtpSecurity::StartTls,
                    Some("tls") => SmtpSecurity::Tls,
                    Some("none") => SmtpSecurity::None,
                    Some(other) => {
                        let span = m.security.as_ref().map(|x| x.span()).unwrap_or(0..0);
                        return Err(bad(format!(
                            "{}: [smtp] security \"{other}\" is not one of starttls, tls, none",
                            at(span)
                        )));
                    }
                };
                let server = m.server.get_ref().trim().to_string();
                if server.is_empty() {
                    return Err(bad(format!(
                        "{}: [smtp] server is empty",
                        at(m.server.span())
                    )));
                }
                let from = m.from.get_ref().trim().to_string();
                if from.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(bad(format!(
                        "{}: [smtp] from \"{from}\" is not a mailbox: write reports@provider.example or 服务报告 <reports@provider.example>",
                        at(m.from.span())
                    )));
                }
                let password_env = m
                    .password_env
                    .map(|e| e.trim().to_string())
                    .filter(|e| !e.is_empty())
                    .unwrap_or_else(|| DEFAULT_PASSWORD_ENV.to_string());
                Some(SmtpSettings {
                    server,
                    port: m.port.unwrap_or(match security {
                        SmtpSecurity::StartTls => 587,
                        SmtpSecurity::Tls => 465,
                        SmtpSecurity::None => 25,
                    }),
                    security,
                    user: m
                        .user
                        .map(|u| u.trim().to_string())
                        .filter(|u| !u.is_empty()),
                    password_env,
                    from,
                    ca_file: m.ca_file.map(|c| root.join(c)),
                    retries: m.retries.unwrap_or(3).min(10),
                    retry_delay: std::time::Duration::from_millis(
                        m.retry_delay_ms.unwrap_or(2000).min(600_000),
                    ),
                    timeout: std::time::Duration::from_secs(
                        m.timeout_secs.unwrap_or(60).clamp(1, 600),
                    ),
                })
            }
        };
        use crate::model::catalogue::HolidaySource;
        let holidays = match &w.holidays {
            None => HolidaySource::Cn,
            Some(RawHolidays::One(v)) => holiday_source(v, root, path)?,
            Some(RawHolidays::Many(list)) => HolidaySource::Layers(
                list.iter()
                    .map(|v| holiday_source(v, root, path))
                    .collect::<Result<_, _>>()?,
            ),
        };
        let mut profiles: Vec<(String, ProfileSpec)> = raw.profiles.into_iter().collect();
        for f in &w.profile_files {
            let fp = root.join(f);
            let t = std::fs::read_to_string(&fp).map_err(|source| WorkspaceError::Read {
                path: fp.clone(),
                source,
            })?;
            let pf: RawProfileFile = toml::from_str(&t).map_err(|e| WorkspaceError::Parse {
                path: fp.clone(),
                message: toml_message(&t, &e),
            })?;
            for (name, spec) in pf.profiles {
                if profiles.iter().any(|(n, _)| *n == name) {
                    return Err(WorkspaceError::Parse {
                        path: fp.clone(),
                        message: format!("profile \"{name}\" is defined twice"),
                    });
                }
                profiles.push((name, spec));
            }
        }
        Ok(Workspace {
            root: root.to_path_buf(),
            name: w.name,
            organisation: w.organisation,
            organisation_en: w.organisation_en,
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
            approval,
            smtp,
            holidays,
            profiles,
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

#[cfg(test)]
mod tests {
    use super::*;

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

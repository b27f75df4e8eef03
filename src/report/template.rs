//! Report templates (`templates/<name>.toml`): the language and every fixed
//! string, the sections and their order, the columns of each table and their
//! labels, number decimals, colours, the logo and the PDF layout name.
//!
//! A new customer layout is a new template file, not a Rust change. Loading
//! validates everything a builder or renderer will look up, so a template that
//! loads can never make `report::build` fail on a missing label. Errors name the
//! file and the key with line:column (toml spans). Depends on `model` and the
//! report model only; never on a renderer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::doc::Style;
use crate::model::catalogue::{Audience, Metric};
use crate::model::text::line_col;

/// Columns every target table may show.
pub const TARGET_COLUMNS: &[&str] = &[
    "agreement",
    "metric",
    "scope",
    "within",
    "target",
    "actual",
    "status",
    "trend",
    "count",
];

/// The sections a template may list, with the column keys each accepts.
pub const SECTIONS: &[(&str, &[&str])] = &[
    ("summary", TARGET_COLUMNS),
    ("availability", TARGET_COLUMNS),
    ("incidents", TARGET_COLUMNS),
    ("changes", TARGET_COLUMNS),
    ("requests", TARGET_COLUMNS),
    ("satisfaction", TARGET_COLUMNS),
    ("capacity", TARGET_COLUMNS),
    ("supplier", TARGET_COLUMNS),
    ("processes", TARGET_COLUMNS),
    (
        "breaches",
        &[
            "agreement",
            "metric",
            "scope",
            "ticket",
            "open",
            "service",
            "priority",
            "opened",
            "limit",
            "taken",
            "overrun",
            "paused",
        ],
    ),
    (
        "improvements",
        &[
            "item",
            "agreement",
            "metric",
            "scope",
            "process",
            "owner",
            "status",
            "reason",
            "action",
            "due",
            "state",
            "raised",
        ],
    ),
    (
        "trends",
        &[
            "agreement",
            "metric",
            "scope",
            "actual",
            "avg3",
            "avg6",
            "avg12",
            "trend",
        ],
    ),
    (
        "timeliness",
        &[
            "report",
            "period",
            "data_due",
            "data_arrived",
            "report_due",
            "generated",
            "approved",
            "distributed",
            "status",
        ],
    ),
    ("corrections", &["ticket", "change", "effect"]),
    (
        "appendix",
        &[
            "file", "sheets", "read", "accepted", "rejected", "blank", "sha256", "used", "digest",
        ],
    ),
];

/// Column keys of the tables a section adds on its own (the timeliness
/// section's deliveries table), labelled in `[columns]` like the others.
pub const FIXED_COLUMNS: &[&str] = &["dataset"];

/// Every fixed string a template must define (`[labels]`).
pub const REQUIRED_LABELS: &[&str] = &[
    "cover",
    "doc_number",
    "title",
    "party",
    "organisation",
    "period",
    "version",
    "status",
    "compiler",
    "reviewer",
    "approver",
    "compiled_at",
    "reviewed_at",
    "approved_at",
    "generated_at",
    "tool_version",
    "content_hash",
    "supersedes",
    "page",
    "draft_mark",
    "contents",
    "status_met",
    "status_at_risk",
    "status_breached",
    "status_na",
    "status_data_missing",
    "doc_status_draft",
    "doc_status_reviewed",
    "doc_status_approved",
    "yes",
    "no",
    "open",
    "all",
    "none",
    "no_data",
    "priority_table",
    "other_metrics",
    "sentence_at_risk",
    "sentence_breached",
    "sentence_data_missing",
    "chart_availability",
    "chart_volume",
    "chart_compliance",
    "series_target",
    "series_opened",
    "series_resolved",
    "axis_percent",
    "axis_count",
    "change_types",
    "change_standard",
    "change_normal",
    "change_emergency",
    "total",
    "findings_summary",
    "pending_calendar",
    "timeliness_data_share",
    "timeliness_report_share",
    "delivery_on_time",
    "delivery_late",
    "delivery_not_due",
    "dataset_incidents",
    "dataset_outages",
    "dataset_changes",
    "dataset_requests",
    "dataset_surveys",
    "dataset_process_kpis",
    "dataset_supplier_tickets",
    "dataset_capacity",
    "correction_empty",
    "corrections_more",
    "field_reported",
    "field_opened",
    "field_priority",
    "field_responded",
    "field_resolved",
    "field_paused_minutes",
    "effect_counted_here",
    "effect_stays_approved",
    "effect_unchanged",
    "appendix_note",
    "unit_hours",
    "unit_minutes",
    "breaches_more",
    "reason_breached",
    "reason_at_risk",
    "process_kpi",
    "classification",
    "distribution",
    "unresolved",
    "summary_counts",
    "cmp_below",
    "cmp_above",
    "basis_met",
    "basis_availability",
    "basis_mttr",
    "basis_mttf",
    "basis_scores",
    "basis_share",
    "basis_changes",
    "basis_emergency",
    "basis_capacity",
    "owner_none",
    "action_none",
    "item_state_new",
    "item_state_in_progress",
    "item_state_closed",
    "item_overdue",
    "reason_carried",
    "reason_carried_now",
    "revisions",
    "revision_date",
    "revision_change",
    "revision_first",
    "revision_updated",
    "revision_updated_unknown",
    "revision_reissued",
    "revision_earlier",
    "list_sep",
    "review_comment",
    "approval_comment",
];

/// Decimals of each kind of figure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numbers {
    #[serde(default = "two")]
    pub percent_decimals: u8,
    #[serde(default = "two")]
    pub hours_decimals: u8,
    #[serde(default = "two")]
    pub score_decimals: u8,
    /// Thresholds are shown as written, up to this many places.
    #[serde(default = "three")]
    pub threshold_decimals: u8,
}

fn two() -> u8 {
    2
}
fn three() -> u8 {
    3
}

impl Default for Numbers {
    fn default() -> Self {
        Numbers {
            percent_decimals: 2,
            hours_decimals: 2,
            score_decimals: 2,
            threshold_decimals: 3,
        }
    }
}

/// One section of a template, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    /// One of [`SECTIONS`].
    pub id: String,
    pub title: String,
    /// Column keys of the section's tables, in order.
    pub columns: Vec<String>,
    /// `breaches` only: how many missed tickets the document lists (1 to
    /// `build::BREACH_ROWS`; default `build::DEFAULT_BREACH_ROWS`).
    pub max_rows: Option<usize>,
}

/// A loaded, validated template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub name: String,
    /// The file it came from (`<builtin>/<name>.toml` for a built-in one).
    pub path: PathBuf,
    /// `zh-CN` or `en`.
    pub language: String,
    /// The audience the layout is meant for, when it says.
    pub audience: Option<Audience>,
    /// PDF layout name (the PDF renderer picks its `.typ` from it).
    pub layout: String,
    pub style: Style,
    pub numbers: Numbers,
    pub labels: BTreeMap<String, String>,
    /// Display names of metrics, keyed by metric name (spec §2.4).
    pub metrics: BTreeMap<String, String>,
    /// Column labels keyed by column key.
    pub columns: BTreeMap<String, String>,
    pub sections: Vec<SectionSpec>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: cannot read the template: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "template \"{name}\" not found: no {path} and no built-in template of that name (built-in: customer-zh, customer-en, internal, supplier)"
    )]
    NotFound { name: String, path: PathBuf },
    #[error("template name \"{0}\" is not a plain file name (letters, digits, - and _)")]
    BadName(String),
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: {key}: {message}")]
    Invalid {
        path: PathBuf,
        key: String,
        line: usize,
        column: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    template: RawHead,
    #[serde(default)]
    numbers: Numbers,
    style: RawStyle,
    labels: BTreeMap<String, String>,
    metrics: BTreeMap<String, String>,
    columns: BTreeMap<String, String>,
    section: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    language: toml::Spanned<String>,
    #[serde(default)]
    audience: Option<toml::Spanned<String>>,
    layout: String,
    #[serde(default)]
    logo: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    primary: toml::Spanned<String>,
    met: toml::Spanned<String>,
    at_risk: toml::Spanned<String>,
    breached: toml::Spanned<String>,
    na: toml::Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: toml::Spanned<String>,
    title: String,
    #[serde(default)]
    columns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    max_rows: Option<toml::Spanned<i64>>,
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "customer-zh",
        include_str!("../../templates/customer-zh.toml"),
    ),
    (
        "customer-en",
        include_str!("../../templates/customer-en.toml"),
    ),
    ("internal", include_str!("../../templates/internal.toml")),
    ("supplier", include_str!("../../templates/supplier.toml")),
];

impl Template {
    /// Load `dir/<name>.toml`. When that file does not exist, the built-in
    /// template of the same name (the files shipped in `templates/`) is used,
    /// so a fresh workspace renders without copying templates first.
    pub fn load(dir: &Path, name: &str) -> Result<Template, TemplateError> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(TemplateError::BadName(name.to_string()));
        }
        let path = dir.join(format!("{name}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(name, &path, &text, Some(dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match Self::builtin(name) {
                Some(t) => t,
                None => Err(TemplateError::NotFound {
                    name: name.to_string(),
                    path,
                }),
            },
            Err(source) => Err(TemplateError::Read { path, source }),
        }
    }

    /// A built-in template by name.
    pub fn builtin(name: &str) -> Option<Result<Template, TemplateError>> {
        BUILTIN.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            let path = PathBuf::from(format!("<builtin>/{n}.toml"));
            Self::parse(n, &path, text, None)
        })
    }

    /// The names of the built-in templates.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Parse and validate template text. `dir` resolves a relative logo path.
    pub fn parse(
        name: &str,
        path: &Path,
        text: &str,
        dir: Option<&Path>,
    ) -> Result<Template, TemplateError> {
        let raw: RawTemplate = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            TemplateError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let invalid_at = |key: &str, offset: usize, message: String| {
            let (line, column) = line_col(text, offset);
            TemplateError::Invalid {
                path: path.to_path_buf(),
                key: key.to_string(),
                line,
                column,
                message,
            }
        };
        let invalid_key = |table: &str, key: &str, message: String| {
            let (line, column) = locate_key(text, table, key);
            TemplateError::Invalid {
                path: path.to_path_buf(),
                key: format!("{table}.{key}"),
                line,
                column,
                message,
            }
        };

        let lang = raw.template.language.get_ref().clone();
        if lang != "zh-CN" && lang != "en" {
            return Err(invalid_at(
                "template.language",
                raw.template.language.span().start,
                format!("\"{lang}\" is not one of zh-CN, en"),
            ));
        }
        let audience = match &raw.template.audience {
            None => None,
            Some(a) => Some(match a.get_ref().as_str() {
                "customer" => Audience::Customer,
                "internal" => Audience::Internal,
                "supplier" => Audience::Supplier,
                other => {
                    return Err(invalid_at(
                        "template.audience",
                        a.span().start,
                        format!("\"{other}\" is not one of customer, internal, supplier"),
                    ));
                }
            }),
        };

        // Labels: every required one present, no unknown ones (typos).
        for key in raw.labels.keys() {
            if !REQUIRED_LABELS.contains(&key.as_str()) {
                return Err(invalid_key(
                    "labels",
                    key,
                    format!("unknown label{}", suggest(key, REQUIRED_LABELS)),
                ));
            }
        }
        for key in REQUIRED_LABELS {
            if !raw.labels.contains_key(*key) {
                let (line, column) = locate_table(text, "labels");
                return Err(TemplateError::Invalid {
                    path: path.to_path_buf(),
                    key: format!("labels.{key}"),
                    line,
                    column,
                    message: "missing label".into(),
                });
            }
        }
        // Metric names: known ones only, all of them named.
        for key in raw.metrics.keys() {
            if Metric::parse(key).is_none() {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
                return Err(invalid_key(
                    "metrics",
                    key,
                    format!("unknown metric{}", suggest(key, &names)),
                ));
            }
        }
        for m in Metric::ALL {
            if !raw.metrics.contains_key(m.as_str()) {
                let (line, column) = locate_table(text, "metrics");
                return Err(TemplateError::Invalid {
                    path: path.to_path_buf(),
                    key: format!("metrics.{}", m.as_str()),
                    line,
                    column,
                    message: "missing metric name".into(),
                });
            }
        }
        let all_columns: Vec<&str> = {
            let mut v: Vec<&str> = SECTIONS
                .iter()
                .flat_map(|(_, c)| c.iter().copied())
                .chain(FIXED_COLUMNS.iter().copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for key in raw.columns.keys() {
            if !all_columns.contains(&key.as_str()) {
                return Err(invalid_key(
                    "columns",
                    key,
                    format!("unknown column key{}", suggest(key, &all_columns)),
                ));
            }
        }

        let mut sections = Vec::with_capacity(raw.section.len());
        let mut seen: Vec<String> = Vec::new();
        for s in &raw.section {
            let id = s.id.get_ref();
            let Some((_, allowed)) = SECTIONS.iter().find(|(sid, _)| sid == id) else {
                let ids: Vec<&str> = SECTIONS.iter().map(|(s, _)| *s).collect();
                return Err(invalid_at(
                    "section.id",
                    s.id.span().start,
                    format!(
                        "unknown section id \"{id}\"{}; known: {}",
                        suggest(id, &ids),
                        ids.join(", ")
                    ),
                ));
            };
            if seen.contains(id) {
                return Err(invalid_at(
                    "section.id",
                    s.id.span().start,
                    format!("section \"{id}\" is listed twice"),
                ));
            }
            seen.push(id.clone());
            let mut columns = Vec::new();
            for c in &s.columns {
                let key = c.get_ref();
                if !allowed.contains(&key.as_str()) {
                    return Err(invalid_at(
                        "section.columns",
                        c.span().start,
                        format!(
                            "unknown column key \"{key}\" in section \"{id}\"{}; allowed: {}",
                            suggest(key, allowed),
                            allowed.join(", ")
                        ),
                    ));
                }
                if !raw.columns.contains_key(key) {
                    return Err(invalid_at(
                        "section.columns",
                        c.span().start,
                        format!("column \"{key}\" has no label in [columns]"),
                    ));
                }
                columns.push(key.clone());
            }
            if columns.is_empty() {
                columns = allowed
                    .iter()
                    .filter(|k| raw.columns.contains_key(**k))
                    .map(|k| k.to_string())
                    .collect();
            }
            let max_rows = match &s.max_rows {
                None => None,
                Some(m) if id != "breaches" => {
                    return Err(invalid_at(
                        "section.max_rows",
                        m.span().start,
                        format!("max_rows applies to the breaches section only, not \"{id}\""),
                    ));
                }
                Some(m) => {
                    let max = crate::report::build::BREACH_ROWS;
                    match usize::try_from(*m.get_ref()) {
                        Ok(n) if (1..=max).contains(&n) => Some(n),
                        _ => {
                            return Err(invalid_at(
                                "section.max_rows",
                                m.span().start,
                                format!("max_rows must be from 1 to {max}, not {}", m.get_ref()),
                            ));
                        }
                    }
                }
            };
            sections.push(SectionSpec {
                id: id.clone(),
                title: s.title.clone(),
                columns,
                max_rows,
            });
        }
        if sections.is_empty() {
            return Err(TemplateError::Invalid {
                path: path.to_path_buf(),
                key: "section".into(),
                line: 1,
                column: 1,
                message: "a template lists at least one [[section]]".into(),
            });
        }

        let colour = |key: &str, v: &toml::Spanned<String>| -> Result<String, TemplateError> {
            let s = v.get_ref();
            let ok =
                s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
            if ok {
                Ok(s.to_ascii_uppercase())
            } else {
                Err(invalid_at(
                    &format!("style.{key}"),
                    v.span().start,
                    format!("\"{s}\" is not a colour like #1F4E79"),
                ))
            }
        };
        let logo = raw.template.logo.as_ref().map(|l| match dir {
            Some(d) => d.join(l).to_string_lossy().into_owned(),
            None => l.clone(),
        });
        let style = Style {
            primary: colour("primary", &raw.style.primary)?,
            met: colour("met", &raw.style.met)?,
            at_risk: colour("at_risk", &raw.style.at_risk)?,
            breached: colour("breached", &raw.style.breached)?,
            na: colour("na", &raw.style.na)?,
            logo,
        };
        for (key, d) in [
            ("percent_decimals", raw.numbers.percent_decimals),
            ("hours_decimals", raw.numbers.hours_decimals),
            ("score_decimals", raw.numbers.score_decimals),
            ("threshold_decimals", raw.numbers.threshold_decimals),
        ] {
            if d > 6 {
                return Err(invalid_key(
                    "numbers",
                    key,
                    format!("{d} decimals: at most 6"),
                ));
            }
        }

        Ok(Template {
            name: name.to_string(),
            path: path.to_path_buf(),
            language: lang,
            audience,
            layout: raw.template.layout,
            style,
            numbers: raw.numbers,
            labels: raw.labels,
            metrics: raw.metrics,
            columns: raw.columns,
            sections,
        })
    }

    /// A label (always present once loaded).
    pub fn label<'s>(&'s self, key: &'s str) -> &'s str {
        self.labels.get(key).map(String::as_str).unwrap_or(key)
    }

    /// A column label.
    pub fn column<'s>(&'s self, key: &'s str) -> &'s str {
        self.columns.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn is_zh(&self) -> bool {
        self.language.starts_with("zh")
    }
}

/// ` (did you mean "x"?)` for the closest candidate, or nothing (the rule of
/// [`crate::suggest`]).
fn suggest(key: &str, candidates: &[&str]) -> String {
    crate::suggest::did_you_mean(key, candidates.iter().copied())
}

/// Line and column of `[table]`'s header.
fn locate_table(text: &str, table: &str) -> (usize, usize) {
    let header = format!("[{table}]");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(&header) {
            return line_col(text, offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    (1, 1)
}

/// Line and column of `key = …` inside `[table]` (best effort; (1, 1) if not found).
fn locate_key(text: &str, table: &str, key: &str) -> (usize, usize) {
    let header = format!("[{table}]");
    let mut offset = 0;
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            inside = t.starts_with(&header);
        } else if inside {
            let k = t.split('=').next().unwrap_or("").trim().trim_matches('"');
            if t.contains('=') && k == key {
                return line_col(text, offset + (line.len() - t.len()));
            }
        }
        offset += line.len();
    }
    locate_table(text, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin_text(name: &str) -> &'static str {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .expect("built-in template exists")
    }

    #[test]
    fn every_builtin_template_loads() {
        for name in Template::builtin_names() {
            let t = Template::builtin(name).unwrap().unwrap();
            assert!(!t.sections.is_empty(), "{name}");
            assert_eq!(t.sections[0].id, "summary", "{name}");
        }
        let zh = Template::builtin("customer-zh").unwrap().unwrap();
        assert_eq!(zh.language, "zh-CN");
        assert_eq!(zh.label("status_met"), "达标");
        assert_eq!(zh.label("page"), "第 {page} 页 / 共 {total} 页");
        assert_eq!(zh.label("draft_mark"), "草稿");
        let en = Template::builtin("customer-en").unwrap().unwrap();
        assert_eq!(en.label("status_breached"), "Breached");
        assert_eq!(en.label("status_na"), "N/A");
        assert_eq!(en.label("draft_mark"), "DRAFT");
    }

    fn parse_err(text: &str) -> String {
        Template::parse("t", Path::new("templates/t.toml"), text, None)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_section_id_is_named_with_its_position() {
        let text = builtin_text("customer-zh").replacen("id = \"breaches\"", "id = \"breachs\"", 1);
        let line = text.lines().position(|l| l.contains("breachs")).unwrap() + 1;
        let msg = parse_err(&text);
        assert!(
            msg.starts_with(&format!("templates/t.toml:{line}:6: section.id: unknown section id \"breachs\" (did you mean \"breaches\"?)")),
            "{msg}"
        );
    }

    #[test]
    fn unknown_column_key_is_named() {
        let text = builtin_text("customer-zh").replacen("\"actual\"", "\"actul\"", 1);
        let msg = parse_err(&text);
        assert!(msg.contains("section.columns: unknown column key \"actul\" in section \"summary\" (did you mean \"actual\"?)"), "{msg}");
    }

    #[test]
    fn unknown_and_missing_keys_are_named() {
        // An unknown key in [template] is a toml error with its position.
        let text = builtin_text("customer-en").replacen("layout =", "colour = \"x\"\nlayout =", 1);
        let line = text.lines().position(|l| l.starts_with("colour")).unwrap() + 1;
        let msg = parse_err(&text);
        assert!(
            msg.starts_with(&format!(
                "templates/t.toml:{line}:1: unknown field `colour`"
            )),
            "{msg}"
        );

        let text = builtin_text("customer-en").replacen("status_met =", "status_mett =", 1);
        let line = text
            .lines()
            .position(|l| l.starts_with("status_mett"))
            .unwrap()
            + 1;
        let msg = parse_err(&text);
        assert_eq!(
            msg,
            format!(
                "templates/t.toml:{line}:1: labels.status_mett: unknown label (did you mean \"status_met\"?)"
            )
        );

        let text: String = builtin_text("customer-en")
            .lines()
            .filter(|l| !l.starts_with("draft_mark"))
            .map(|l| format!("{l}\n"))
            .collect();
        let msg = parse_err(&text);
        assert!(msg.contains("labels.draft_mark: missing label"), "{msg}");

        let text = builtin_text("customer-en").replacen("met = \"#", "met = \"#ZZ", 1);
        assert!(
            parse_err(&text).contains("style.met: \"#ZZ"),
            "{}",
            parse_err(&text)
        );

        let text =
            builtin_text("customer-en").replacen("language = \"en\"", "language = \"fr\"", 1);
        assert!(
            parse_err(&text).contains(":5:12: template.language: \"fr\" is not one of zh-CN, en"),
            "{}",
            parse_err(&text)
        );
    }

    #[test]
    fn load_prefers_the_folder_and_falls_back_to_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let t = Template::load(dir.path(), "supplier").unwrap();
        assert!(t.path.starts_with("<builtin>"));
        let own = builtin_text("customer-en").replace("Service Level Summary", "Our Summary");
        std::fs::write(dir.path().join("acme-en.toml"), own).unwrap();
        let t = Template::load(dir.path(), "acme-en").unwrap();
        assert_eq!(t.sections[0].title, "Our Summary");
        assert!(matches!(
            Template::load(dir.path(), "nope"),
            Err(TemplateError::NotFound { .. })
        ));
        assert!(matches!(
            Template::load(dir.path(), "../etc/passwd"),
            Err(TemplateError::BadName(_))
        ));
    }
}

//! Import profiles: how the export of a ticketing tool (ServiceNow, Jira Service Management,
//! GLPI, iTop, Zammad, or a workspace's own) becomes a dataset of ours.
//!
//! A profile maps the source's columns to a dataset's fields and its values to ours
//! (priorities, states, yes/no, customer and service names); it gives the source's date
//! formats (day/month order declared, never guessed: a date its formats cannot read is an
//! error), its timezone (the times are converted to the workspace's), which sheet or text
//! encoding to read, constants for fields the source lacks, and for an event log (many rows
//! per ticket) the order of the rows (`order_by`: the last row of a ticket wins).
//!
//! Profiles are TOML (`[profiles.NAME]` in `svcreport.toml` or in the files its
//! `profile_files` names; the built-in ones are `src/ingest/profiles/*.toml`, each citing the
//! documents its columns come from). `extends = "servicenow"` merges key by key; a user entry
//! mapping to `""` drops the inherited one. A user profile applies to the inbox files its
//! `files` globs match (the most specific glob wins; two matches are a `profile.ambiguous`
//! warning); with none, a profile whose `fingerprint` headers all appear in a sheet's header
//! row is chosen (`profile.recognised` names it).
//!
//! Plain data ([`Profile`]) that crosses to ingest worker processes; pure functions over
//! names and cells, no I/O. Depends on `ingest::{cell, schema, sheet}` and `workspace` (the
//! settings' raw profile tables).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

use super::cell::{self, Raw, norm};
use super::schema::{ColType, DATASETS, DatasetDef};
use crate::findings::Message;
use crate::workspace::{Headers, ProfileSpec};

/// The built-in profiles, as written (TOML).
pub const BUILTIN: &[(&str, &str)] = &[
    ("servicenow", include_str!("profiles/servicenow.toml")),
    ("jira", include_str!("profiles/jira.toml")),
    ("glpi", include_str!("profiles/glpi.toml")),
    ("itop", include_str!("profiles/itop.toml")),
    ("zammad", include_str!("profiles/zammad.toml")),
];

/// A profile ready to apply: `extends` resolved, checked against its dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub builtin: bool,
    /// The tool whose export it reads (`ServiceNow`).
    pub tool: String,
    /// The dataset it gives (`incidents`).
    pub dataset: String,
    /// Globs (workspace-relative; without `/`, matched against the file name).
    pub files: Vec<String>,
    /// The sheet to read (others are skipped); `None`: any sheet whose header fits.
    pub sheet: Option<String>,
    /// A text file's encoding (WHATWG label), when not detected.
    pub encoding: Option<String>,
    /// The encoding of a text file without a byte-order mark that is not valid UTF-8, where
    /// the tool's documents name one (`fallback_encoding`: the built-in `servicenow` says
    /// `windows-1252`; inherited through `extends`); `None`: GB18030, the reader's own fallback.
    pub fallback_encoding: Option<String>,
    pub delimiter: Option<u8>,
    /// The source's timezone (IANA); `None`: the workspace's own.
    pub timezone: Option<String>,
    /// chrono formats of the source's text dates, tried in order.
    pub date_formats: Vec<String>,
    /// Field key → the source headers that hold it (alternatives, first found wins).
    pub columns: Vec<(String, Vec<String>)>,
    /// Fields the profile maps to nothing (an inherited column dropped): not taken from the
    /// template's header names either.
    pub dropped: Vec<String>,
    /// Field key → (source value → our value).
    pub values: Vec<(String, Vec<(String, String)>)>,
    /// Field key → the value of every row (fields the source lacks).
    pub constants: Vec<(String, String)>,
    /// Headers that together recognise this tool's export.
    pub fingerprint: Vec<String>,
    /// Event log: the source columns ordering a ticket's rows (then the row); the last wins.
    pub order_by: Vec<String>,
    /// Event log without opened/resolved columns: times from activities.
    pub events: Option<Events>,
    /// Texts that mean "no value" (read as blank cells).
    pub missing: Vec<String>,
    /// Minutes per unit of the source's on-hold duration (`paused_unit`: seconds 1/60,
    /// minutes 1, hours 60).
    pub paused_per_unit: f64,
    /// The documents the profile was written from.
    pub sources: Vec<String>,
}

/// The fields an event log's activities give (`ingest::events::Derived`).
pub const DERIVED: &[&str] = &[
    "opened_at",
    "responded_at",
    "resolved_at",
    "fulfilled_at",
    "closed_at",
    "paused_minutes",
];

/// An event log's activities (see `ingest::events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Events {
    pub time: String,
    pub activity: String,
    pub responded: Vec<String>,
    pub resolved: Vec<String>,
    pub closed: Vec<String>,
    pub pause: Vec<String>,
}

/// One value a ticket's rows are ordered by: numbers, then times, then text.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderVal {
    Empty,
    Num(f64),
    Time(NaiveDateTime),
    Text(String),
}

impl Eq for OrderVal {}

impl Ord for OrderVal {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        use OrderVal::*;
        let rank = |v: &OrderVal| match v {
            Empty => 0,
            Num(_) => 1,
            Time(_) => 2,
            Text(_) => 3,
        };
        match (self, o) {
            (Num(a), Num(b)) => a.total_cmp(b),
            (Time(a), Time(b)) => a.cmp(b),
            (Text(a), Text(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(o)),
        }
    }
}

impl PartialOrd for OrderVal {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// Every profile of a run: the workspace's (by name), then the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    pub list: Vec<Profile>,
}

/// A profile that cannot be used (the settings are refused, as other settings errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("import profile \"{profile}\": {message}")]
pub struct ProfileError {
    pub profile: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinFile {
    profiles: BTreeMap<String, ProfileSpec>,
}

/// The built-in profiles' specs (they parse: a unit test reads each).
fn builtin_specs() -> Vec<(String, ProfileSpec)> {
    let mut out = Vec::new();
    for (_, text) in BUILTIN {
        if let Ok(f) = toml::from_str::<BuiltinFile>(text) {
            out.extend(f.profiles);
        }
    }
    out
}

impl Profiles {
    /// The built-in profiles alone.
    pub fn builtin() -> Profiles {
        Profiles::compile(&[]).unwrap_or_default()
    }

    /// The workspace's profiles (`extends` resolved) followed by the built-in ones.
    pub fn compile(user: &[(String, ProfileSpec)]) -> Result<Profiles, ProfileError> {
        let builtin = builtin_specs();
        let mut list = Vec::new();
        let mut users: Vec<&(String, ProfileSpec)> = user.iter().collect();
        users.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, _) in &users {
            if builtin.iter().any(|(b, _)| b == name) {
                return Err(ProfileError {
                    profile: name.clone(),
                    message: format!(
                        "\"{name}\" is the name of a built-in profile; name yours otherwise and write extends = \"{name}\""
                    ),
                });
            }
        }
        for (name, _) in &users {
            let spec = resolve(name, user, &builtin, 0)?;
            list.push(finish(name, false, &spec)?);
        }
        for (name, spec) in &builtin {
            list.push(finish(name, true, spec)?);
        }
        Ok(Profiles { list })
    }

    /// The profiles of a workspace's settings, with the built-in ones.
    pub fn of_workspace(ws: &crate::workspace::Workspace) -> Result<Profiles, ProfileError> {
        Profiles::compile(&ws.profiles)
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.list.iter().find(|p| p.name == name)
    }
}

/// `name`'s spec with its `extends` chain merged in.
fn resolve(
    name: &str,
    user: &[(String, ProfileSpec)],
    builtin: &[(String, ProfileSpec)],
    depth: usize,
) -> Result<ProfileSpec, ProfileError> {
    let err = |message: String| ProfileError {
        profile: name.to_string(),
        message,
    };
    if depth > 8 {
        return Err(err("extends goes round in a circle".into()));
    }
    let spec = user
        .iter()
        .chain(builtin)
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = user
                .iter()
                .chain(builtin)
                .map(|(n, _)| n.as_str())
                .collect();
            let hint = crate::suggest::closest(name, names.iter().copied())
                .map(|c| format!(" (did you mean \"{c}\"?)"))
                .unwrap_or_default();
            err(format!(
                "no profile \"{name}\"{hint}; the profiles are {}",
                names.join(", ")
            ))
        })?;
    let Some(parent) = spec.extends.clone() else {
        return Ok(spec);
    };
    let base = resolve(&parent, user, builtin, depth + 1).map_err(|e| ProfileError {
        profile: name.to_string(),
        message: format!("extends = \"{parent}\": {}", e.message),
    })?;
    Ok(merge(base, spec))
}

/// `over` on top of `base`, key by key; `""` drops an inherited entry.
fn merge(base: ProfileSpec, over: ProfileSpec) -> ProfileSpec {
    let mut columns = base.columns;
    for (k, v) in over.columns {
        if v.is_empty() {
            columns.insert(k, Headers::One(String::new()));
        } else {
            columns.insert(k, v);
        }
    }
    let mut values = base.values;
    for (field, map) in over.values {
        let entry = values.entry(field).or_default();
        for (k, v) in map {
            entry.insert(k, v);
        }
    }
    let mut constants = base.constants;
    for (k, v) in over.constants {
        constants.insert(k, v);
    }
    ProfileSpec {
        extends: None,
        tool: over.tool.or(base.tool),
        dataset: over.dataset.or(base.dataset),
        files: over.files.or(base.files),
        sheet: over.sheet.or(base.sheet),
        encoding: over.encoding.or(base.encoding),
        fallback_encoding: over.fallback_encoding.or(base.fallback_encoding),
        delimiter: over.delimiter.or(base.delimiter),
        timezone: over.timezone.or(base.timezone),
        date_formats: over.date_formats.or(base.date_formats),
        columns,
        values,
        constants,
        fingerprint: over.fingerprint.or(base.fingerprint),
        order_by: over.order_by.or(base.order_by),
        events: over.events.or(base.events),
        missing: over.missing.or(base.missing),
        paused_unit: over.paused_unit.or(base.paused_unit),
        sources: over.sources.or(base.sources),
    }
}

/// The dataset a profile names.
pub fn dataset_def(name: &str) -> Option<&'static DatasetDef> {
    DATASETS.iter().copied().find(|d| d.name == name)
}

/// A merged spec checked and made a [`Profile`].
fn finish(name: &str, builtin: bool, s: &ProfileSpec) -> Result<Profile, ProfileError> {
    let err = |message: String| ProfileError {
        profile: name.to_string(),
        message,
    };
    let dataset = s.dataset.clone().unwrap_or_else(|| "incidents".into());
    let def = dataset_def(&dataset).ok_or_else(|| {
        err(format!(
            "dataset \"{dataset}\" is not one of {}",
            DATASETS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let field = |k: &str, what: &str| -> Result<&'static super::schema::Column, ProfileError> {
        def.columns.iter().find(|c| c.key == k).ok_or_else(|| {
            let keys: Vec<&str> = def.columns.iter().map(|c| c.key).collect();
            let hint = crate::suggest::closest(k, keys.iter().copied())
                .map(|c| format!(" (did you mean \"{c}\"?)"))
                .unwrap_or_default();
            err(format!(
                "{what}: \"{k}\" is not a field of {dataset}{hint}; its fields are {}",
                keys.join(", ")
            ))
        })
    };
    let mut columns = Vec::new();
    let mut dropped = Vec::new();
    for (k, h) in &s.columns {
        field(k, "columns")?;
        if h.is_empty() {
            dropped.push(k.clone());
            continue;
        }
        let hs: Vec<String> = match h {
            Headers::One(x) if x.trim().is_empty() => continue,
            Headers::One(x) => vec![x.clone()],
            Headers::Many(v) => v.iter().filter(|x| !x.trim().is_empty()).cloned().collect(),
        };
        if !hs.is_empty() {
            columns.push((k.clone(), hs));
        }
    }
    let mut values = Vec::new();
    for (k, map) in &s.values {
        let c = field(k, "values")?;
        let mut pairs = Vec::new();
        for (from, to) in map {
            if to.trim().is_empty() {
                continue;
            }
            let raw = Raw::Text(std::borrow::Cow::Borrowed(to.as_str()));
            let ok = match c.ty {
                ColType::Priority => cell::priority(&raw).is_ok(),
                ColType::YesNo => cell::yes_no(&raw).is_ok(),
                ColType::Enum => cell::choice(&raw, &super::cell::Choices::new(c.choices)).is_ok(),
                _ => true,
            };
            if !ok {
                return Err(err(format!(
                    "values.{k}: \"{from}\" maps to \"{to}\", which {} does not take (one of {})",
                    c.key,
                    c.choices
                        .iter()
                        .map(|x| x.split('|').next().unwrap_or(x))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            pairs.push((from.clone(), to.clone()));
        }
        if !pairs.is_empty() {
            values.push((k.clone(), pairs));
        }
    }
    let mut constants = Vec::new();
    for (k, v) in &s.constants {
        field(k, "constants")?;
        if !v.trim().is_empty() {
            constants.push((k.clone(), v.clone()));
        }
    }
    if let Some(tz) = &s.timezone
        && tz.trim().parse::<chrono_tz::Tz>().is_err()
    {
        return Err(err(format!(
            "timezone \"{tz}\" is not an IANA zone name such as UTC or Asia/Shanghai"
        )));
    }
    if let Some(e) = s.encoding.as_ref().or(s.fallback_encoding.as_ref())
        && super::text::encoding_for_label(e).is_none()
    {
        return Err(err(format!(
            "encoding \"{e}\" is not an encoding name such as utf-8, gb18030, gbk, utf-16le, windows-1252"
        )));
    }
    let delimiter = match s.delimiter.as_deref() {
        None => None,
        Some("\\t") | Some("tab") => Some(b'\t'),
        Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
        Some(d) => {
            return Err(err(format!(
                "delimiter \"{d}\" is not one ASCII character (write \",\", \";\", \"|\" or \"tab\")"
            )));
        }
    };
    let paused_per_unit = match s.paused_unit.as_deref().map(str::trim) {
        None | Some("minutes") => 1.0,
        Some("seconds") => 1.0 / 60.0,
        Some("hours") => 60.0,
        Some(u) => {
            return Err(err(format!(
                "paused_unit \"{u}\" is not one of seconds, minutes, hours"
            )));
        }
    };
    let date_formats = s.date_formats.clone().unwrap_or_default();
    for f in &date_formats {
        let bad =
            chrono::format::StrftimeItems::new(f).any(|i| matches!(i, chrono::format::Item::Error));
        if bad || f.trim().is_empty() {
            return Err(err(format!(
                "date format \"{f}\" is not a chrono format such as \"%d/%m/%Y %H:%M\""
            )));
        }
    }
    Ok(Profile {
        name: name.to_string(),
        builtin,
        tool: s.tool.clone().unwrap_or_else(|| name.to_string()),
        dataset,
        files: s.files.clone().unwrap_or_default(),
        sheet: s.sheet.clone().filter(|x| !x.trim().is_empty()),
        encoding: s.encoding.clone(),
        fallback_encoding: s.fallback_encoding.clone(),
        delimiter,
        timezone: s.timezone.as_ref().map(|t| t.trim().to_string()),
        date_formats,
        columns,
        dropped,
        values,
        constants,
        fingerprint: s.fingerprint.clone().unwrap_or_default(),
        order_by: s.order_by.clone().unwrap_or_default(),
        events: s.events.as_ref().map(|e| Events {
            time: e.time.clone(),
            activity: e.activity.clone(),
            responded: e.responded.clone(),
            resolved: e.resolved.clone(),
            closed: e.closed.clone(),
            pause: e.pause.clone(),
        }),
        missing: s.missing.clone().unwrap_or_default(),
        paused_per_unit,
        sources: s.sources.clone().unwrap_or_default(),
    })
}

/// Key for comparing headers: [`norm`] without spaces, `_`, `.` and `-`.
pub fn header_key(s: &str) -> String {
    norm(s)
        .chars()
        .filter(|c| !matches!(c, ' ' | '_'))
        .collect()
}

/// How specific a glob is: its characters that are not wildcards.
fn specificity(glob: &str) -> usize {
    glob.chars()
        .filter(|c| !matches!(c, '*' | '?' | '[' | ']'))
        .count()
}

/// Whether `glob` matches the workspace-relative `file` (a glob without `/` matches the
/// file name alone).
fn glob_matches(glob: &str, file: &str) -> bool {
    let Ok(p) = glob::Pattern::new(glob) else {
        return false;
    };
    let opts = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: glob.contains('/'),
        require_literal_leading_dot: false,
    };
    if glob.contains('/') {
        p.matches_with(file, opts)
    } else {
        p.matches_with(file.rsplit('/').next().unwrap_or(file), opts)
    }
}

/// The profile chosen for a file by the globs, and the others that matched it too.
#[derive(Debug, Clone, Default)]
pub struct Choice<'p> {
    pub chosen: Option<&'p Profile>,
    /// The chosen profile's glob that matched.
    pub glob: Option<String>,
    pub also: Vec<&'p Profile>,
}

/// The profile whose glob matches `file` most specifically.
pub fn for_file<'p>(profiles: Option<&'p Profiles>, file: &str) -> Choice<'p> {
    let Some(ps) = profiles else {
        return Choice::default();
    };
    let mut hits: Vec<(usize, &'p String, &'p Profile)> = ps
        .list
        .iter()
        .filter_map(|p| {
            p.files
                .iter()
                .filter(|g| glob_matches(g, file))
                .map(|g| (specificity(g), g))
                .max_by_key(|(s, _)| *s)
                .map(|(s, g)| (s, g, p))
        })
        .collect();
    // Most specific first; ties in the list's order (by name).
    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    let mut it = hits.into_iter();
    let first = it.next();
    Choice {
        chosen: first.map(|h| h.2),
        glob: first.map(|h| h.1.clone()),
        also: it.map(|h| h.2).collect(),
    }
}

/// The profile whose fingerprint headers all appear in `headers` (the longest fingerprint
/// when several do).
pub fn by_fingerprint<'p>(
    profiles: Option<&'p Profiles>,
    headers: &[String],
) -> Option<&'p Profile> {
    let ps = profiles?;
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    ps.list
        .iter()
        .filter(|p| !p.fingerprint.is_empty())
        .filter(|p| {
            // Each entry: one header, or alternatives `number|Number`.
            p.fingerprint.iter().all(|f| {
                f.split('|')
                    .any(|alt| keys.iter().any(|k| *k == header_key(alt)))
            })
        })
        .max_by_key(|p| p.fingerprint.len())
}

/// How many distinct fields of the profile the headers name (to find the header row).
pub fn score(p: &Profile, headers: &[String]) -> usize {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    p.columns
        .iter()
        .filter(|(_, hs)| hs.iter().any(|h| keys.contains(&header_key(h))))
        .count()
}

/// Where a dataset field of a sheet read through a profile comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Source {
    /// A source column (0-based) and its header as written.
    Column { col: u32, header: String },
    /// The profile's constant.
    Constant(String),
    /// Nowhere.
    None,
}

/// How one sheet was mapped (`check --explain-profile`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetExplain {
    /// The sheet (empty for a text file).
    pub sheet: String,
    pub dataset: &'static str,
    /// (profile, tool), when read through one.
    pub profile: Option<(String, String)>,
    /// Chosen by the file's name (`files`), else by the header row.
    pub by_glob: bool,
    pub header: crate::findings::CellRef,
    /// Each field: its names, where it comes from, whether the profile rewrites its values.
    pub fields: Vec<(crate::findings::Words, Source, bool)>,
    /// Source columns no field takes.
    pub unused: Vec<(u32, String)>,
}

/// The explanation as text, in the workspace's language.
pub fn render_explanation(
    file: &str,
    sheets: &[SheetExplain],
    lang: crate::findings::Lang,
) -> String {
    use crate::findings::{Lang, column_letters};
    use std::fmt::Write;
    let en = lang == Lang::En;
    let mut s = String::new();
    if sheets.is_empty() {
        let _ = writeln!(
            s,
            "{file}: {}",
            if en {
                "no sheet was read as a dataset (see the findings below)"
            } else {
                "没有工作表按数据集读取（见下方的问题）"
            }
        );
        return s;
    }
    for e in sheets {
        let place = if e.sheet.is_empty() {
            file.to_string()
        } else {
            format!("{file} '{}'", e.sheet)
        };
        let _ = writeln!(s, "{place} → {}", e.dataset);
        match &e.profile {
            Some((p, tool)) => {
                let why = match (e.by_glob, en) {
                    (true, true) => "chosen by its files pattern",
                    (false, true) => "recognised by the header row",
                    (true, false) => "按文件模式选定",
                    (false, false) => "根据表头识别",
                };
                let _ = if en {
                    writeln!(s, "  profile: {p} ({tool}), {why}")
                } else {
                    writeln!(s, "  导入配置：{p}（{tool}），{why}")
                };
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {}",
                    if en {
                        "no import profile: the template's column names"
                    } else {
                        "未使用导入配置：按模板列名读取"
                    }
                );
            }
        }
        let _ = writeln!(
            s,
            "  {} {}",
            if en { "header:" } else { "表头：" },
            e.header
        );
        for (name, src, rewritten) in &e.fields {
            let field = format!("{} / {}", name.zh, name.en);
            let from = match src {
                Source::Column { col, header } => {
                    format!("{} \"{header}\"", column_letters(*col))
                }
                Source::Constant(v) => {
                    if en {
                        format!("constant \"{v}\"")
                    } else {
                        format!("常量 \"{v}\"")
                    }
                }
                Source::None => "-".to_string(),
            };
            let note = match (rewritten, en) {
                (true, true) => "  (values or dates converted by the profile)",
                (true, false) => "  （取值或日期按导入配置转换）",
                _ => "",
            };
            let _ = writeln!(s, "  {field} ← {from}{note}");
        }
        if !e.unused.is_empty() {
            let list: Vec<String> = e
                .unused
                .iter()
                .map(|(c, h)| format!("{} \"{h}\"", column_letters(*c)))
                .collect();
            let _ = writeln!(
                s,
                "  {} {}",
                if en {
                    "not used:"
                } else {
                    "未使用的列："
                },
                list.join(", ")
            );
        }
    }
    s
}

/// What one field does to its cells under a profile.
#[derive(Debug, Default)]
struct FieldRule {
    /// Source value → our value (`""`: blank): keyed by the normalised spelling and by the
    /// spelling as the profile writes it (mapped to what its normalised key gives), so that a
    /// cell written as in the profile is found without normalising it ([`ValueMap`]).
    values: Option<ValueMap>,
    /// Our values listed in the profile's map, for the hint.
    listed: Vec<String>,
    constant: Option<String>,
    /// A date or date-time field (formats and the timezone apply).
    time: bool,
    ty: Option<ColType>,
    /// The on-hold duration, in another unit than minutes (converted).
    paused_unit: bool,
    /// Whether the profile rewrites the field's cells (values, times, a unit): decided once.
    rewrites: bool,
}

/// A profile's value map for one field, looked up without allocating in the usual cases.
#[derive(Debug, Default)]
struct ValueMap {
    map: rustc_hash::FxHashMap<String, String>,
}

/// Normalised keys of ASCII text up to this many bytes are built on the stack.
const STACK_KEY: usize = 64;

impl ValueMap {
    fn new(pairs: &[(String, String)]) -> ValueMap {
        let mut map: rustc_hash::FxHashMap<String, String> =
            pairs.iter().map(|(f, t)| (norm(f), t.clone())).collect();
        // The spellings as written, each to its normalised key's value (a spelling is either
        // normalised already, and then is that key, or differs from every normalised key).
        for (f, _) in pairs {
            let f = cell::trim(f);
            if let Some(v) = map.get(&norm(f)).cloned() {
                map.entry(f.to_string()).or_insert(v);
            }
        }
        ValueMap { map }
    }

    /// Our value for a (trimmed) source text: `norm(text)` looked up, the text as it is
    /// first, then ASCII text normalised on the stack, else normalised on the heap.
    fn get(&self, t: &str) -> Option<&String> {
        if let Some(v) = self.map.get(t) {
            return Some(v);
        }
        if t.is_ascii() && t.len() <= STACK_KEY {
            let mut buf = [0u8; STACK_KEY];
            let mut n = 0;
            // `char::is_whitespace`, as `norm` splits (it includes U+000B, which
            // `u8::is_ascii_whitespace` does not).
            for w in t
                .split(|c: char| c.is_whitespace())
                .filter(|w| !w.is_empty())
            {
                if n > 0 {
                    buf[n] = b' ';
                    n += 1;
                }
                for b in w.bytes() {
                    buf[n] = b.to_ascii_lowercase();
                    n += 1;
                }
            }
            // ASCII in, ASCII out: always UTF-8.
            let key = std::str::from_utf8(&buf[..n]).ok()?;
            return self.map.get(key);
        }
        self.map.get(&norm(t))
    }
}

/// A date format of a profile, analysed once: whether it carries an offset, and, for the
/// fixed-width numeric formats (`%Y-%m-%d %H:%M:%S` and the like), a reading by hand.
#[derive(Debug)]
struct DateFormat {
    text: String,
    offset: bool,
    fast: Option<Fixed>,
}

/// A fixed-width numeric format: each byte of the text is a digit of a field or a literal.
/// Text of exactly this shape is read by hand; anything else goes to chrono, so what a
/// format reads is chrono's reading either way.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fixed {
    /// Per byte: the literal it must be, or the field its digit belongs to.
    slots: Vec<Slot>,
    /// Whether the format has a time (hour and minute; seconds optional).
    time: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Lit(u8),
    /// Field index: 0 year, 1 month, 2 day, 3 hour, 4 minute, 5 second.
    Digit(u8),
}

impl Fixed {
    /// The fixed shape of a chrono format made only of `%Y %m %d %H %M %S` (each at most
    /// once; year, month and day present; a time with hour and minute, or none) and ASCII
    /// punctuation, letters or spaces; `None` for any other format.
    fn of(format: &str) -> Option<Fixed> {
        let mut slots = Vec::new();
        let mut seen = [false; 6];
        let mut it = format.bytes();
        while let Some(b) = it.next() {
            if b == b'%' {
                let (field, width) = match it.next()? {
                    b'Y' => (0, 4),
                    b'm' => (1, 2),
                    b'd' => (2, 2),
                    b'H' => (3, 2),
                    b'M' => (4, 2),
                    b'S' => (5, 2),
                    _ => return None,
                };
                if std::mem::replace(&mut seen[field as usize], true) {
                    return None;
                }
                slots.extend(std::iter::repeat_n(Slot::Digit(field), width));
            } else if b.is_ascii_graphic() && !b.is_ascii_digit() || b == b' ' {
                slots.push(Slot::Lit(b));
            } else {
                return None;
            }
        }
        let time = match seen[3..] {
            [false, false, false] => false,
            [true, true, _] => true,
            _ => return None,
        };
        (seen[0] && seen[1] && seen[2]).then_some(Fixed { slots, time })
    }

    /// The date-time text of exactly this shape holds, when it is a valid one; `None`
    /// otherwise (chrono then decides).
    fn read(&self, t: &str) -> Option<NaiveDateTime> {
        let b = t.as_bytes();
        if b.len() != self.slots.len() {
            return None;
        }
        let mut v = [0u32; 6];
        for (c, slot) in b.iter().zip(&self.slots) {
            match *slot {
                Slot::Lit(l) if *c == l => {}
                Slot::Digit(f) if c.is_ascii_digit() => {
                    v[f as usize] = v[f as usize] * 10 + u32::from(c - b'0');
                }
                _ => return None,
            }
        }
        let date = NaiveDate::from_ymd_opt(v[0] as i32, v[1], v[2])?;
        if !self.time {
            return Some(date.and_time(chrono::NaiveTime::MIN));
        }
        // Hours 0–23, minutes and seconds 0–59 (a leap second is chrono's to read).
        let time = chrono::NaiveTime::from_hms_opt(v[3], v[4], v[5])?;
        Some(date.and_time(time))
    }
}

impl DateFormat {
    fn new(text: &str) -> DateFormat {
        DateFormat {
            text: text.to_string(),
            offset: text.contains("%z") || text.contains("%:z") || text.contains("%#z"),
            fast: Fixed::of(text),
        }
    }
}

/// A profile applied to one sheet: each field's rule, the source timezone.
#[derive(Debug)]
pub struct Applied<'p> {
    pub profile: &'p Profile,
    pub def: &'static DatasetDef,
    fields: Vec<FieldRule>,
    from_tz: Option<chrono_tz::Tz>,
    to_tz: chrono_tz::Tz,
    /// The profile's date formats, analysed once.
    formats: Vec<DateFormat>,
}

impl<'p> Applied<'p> {
    pub fn new(profile: &'p Profile, to_tz: chrono_tz::Tz) -> Option<Applied<'p>> {
        let def = dataset_def(&profile.dataset)?;
        let mut fields: Vec<FieldRule> = def
            .columns
            .iter()
            .map(|c| {
                let values = profile
                    .values
                    .iter()
                    .find(|(k, _)| k == c.key)
                    .map(|(_, m)| m);
                FieldRule {
                    values: values.map(|m| ValueMap::new(m)),
                    listed: values
                        .map(|m| {
                            let mut v: Vec<String> = m.iter().map(|(f, _)| f.clone()).collect();
                            v.dedup();
                            v
                        })
                        .unwrap_or_default(),
                    constant: profile
                        .constants
                        .iter()
                        .find(|(k, _)| k == c.key)
                        .map(|(_, v)| v.clone()),
                    time: matches!(c.ty, ColType::DateTime | ColType::Date),
                    ty: Some(c.ty),
                    paused_unit: c.key == "paused_minutes" && profile.paused_per_unit != 1.0,
                    rewrites: false,
                }
            })
            .collect();
        let from_tz: Option<chrono_tz::Tz> =
            profile.timezone.as_deref().and_then(|t| t.parse().ok());
        for f in &mut fields {
            f.rewrites = f.values.is_some()
                || (f.time && (!profile.date_formats.is_empty() || from_tz.is_some()))
                || f.paused_unit;
        }
        Some(Applied {
            profile,
            def,
            fields,
            from_tz,
            to_tz,
            formats: profile
                .date_formats
                .iter()
                .map(|f| DateFormat::new(f))
                .collect(),
        })
    }

    /// The dataset field (index) a header names under this profile; `None` when the profile
    /// names no field by it (the template's own names may, for fields it does not declare).
    pub fn field_of(&self, header: &str) -> Option<usize> {
        let k = header_key(header);
        for (field, hs) in &self.profile.columns {
            if hs.iter().any(|h| header_key(h) == k) {
                return self.def.columns.iter().position(|c| c.key == field);
            }
        }
        None
    }

    /// Whether the profile names this field's source — a column, nothing, a constant, or
    /// the event log's activities — so that the template's header names do not.
    pub fn declares(&self, i: usize) -> bool {
        let key = self.def.columns[i].key;
        self.profile.columns.iter().any(|(k, _)| k == key)
            || self.profile.dropped.iter().any(|k| k == key)
            || self.profile.constants.iter().any(|(k, _)| k == key)
            || self.derives(key)
    }

    /// The constant of field `i`, if the profile gives one.
    pub fn constant(&self, i: usize) -> Option<&str> {
        self.fields.get(i)?.constant.as_deref()
    }

    /// Whether field `i` is rewritten by the profile (values, times, or an on-hold duration
    /// in another unit).
    pub fn rewrites(&self, i: usize) -> bool {
        self.fields.get(i).is_some_and(|f| f.rewrites)
    }

    /// Whether a cell holds one of the source's "no value" texts (`missing`).
    pub fn is_missing(&self, raw: &Raw) -> bool {
        if self.profile.missing.is_empty() {
            return false;
        }
        match raw {
            Raw::Text(t) => {
                let t = cell::trim(t);
                self.profile.missing.iter().any(|m| m == t)
            }
            _ => false,
        }
    }

    /// Whether field `key` is derived from an event log's activities (`ingest::events`).
    pub fn derives(&self, key: &str) -> bool {
        self.profile.events.is_some() && DERIVED.contains(&key)
    }

    /// Whether the sheet is an event log (many rows per ticket).
    pub fn is_log(&self) -> bool {
        !self.profile.order_by.is_empty() || self.profile.events.is_some()
    }

    /// The source headers an event log reads besides the fields: `order_by`, then the
    /// event time and activity.
    pub fn log_headers(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.profile.order_by.iter().map(String::as_str).collect();
        if let Some(e) = &self.profile.events {
            v.push(&e.time);
            v.push(&e.activity);
        }
        v
    }

    /// A cell as a time of the workspace (the profile's formats and timezone, else our own
    /// reading); `Ok(None)` when blank.
    pub fn to_time(&self, raw: &Raw) -> Result<Option<NaiveDateTime>, Box<Message>> {
        if raw.is_blank() {
            return Ok(None);
        }
        match self.time(raw.clone())? {
            Raw::Local(t) => Ok(Some(t)),
            _ => Ok(None),
        }
    }

    /// An `order_by` value: a number, else a time, else the text.
    pub fn order_value(&self, raw: &Raw) -> OrderVal {
        if raw.is_blank() {
            return OrderVal::Empty;
        }
        if let Ok(Some(n)) = cell::number(raw) {
            return OrderVal::Num(n);
        }
        if let Ok(Some(t)) = self.to_time(raw) {
            return OrderVal::Time(t);
        }
        OrderVal::Text(
            cell::text_cow(raw)
                .ok()
                .flatten()
                .map(|t| t.into_owned())
                .unwrap_or_default(),
        )
    }

    /// What an activity says (`ingest::events` bits).
    pub fn activity_bits(&self, activity: &str) -> u8 {
        let Some(e) = &self.profile.events else {
            return 0;
        };
        let k = norm(activity);
        let has = |list: &[String]| list.iter().any(|a| norm(a) == k);
        let mut bits = 0;
        if has(&e.responded) {
            bits |= super::events::RESPONDED;
        }
        if has(&e.resolved) {
            bits |= super::events::RESOLVED;
        }
        if has(&e.closed) {
            bits |= super::events::CLOSED;
        }
        if has(&e.pause) {
            bits |= super::events::PAUSE;
        }
        bits
    }

    /// Field `i`'s cell as the dataset takes it, or the finding it is refused with.
    pub fn apply<'a>(&self, i: usize, raw: Raw<'a>) -> Result<Raw<'a>, Box<Message>> {
        let Some(f) = self.fields.get(i) else {
            return Ok(raw);
        };
        if raw.is_blank() {
            return Ok(raw);
        }
        // An on-hold duration in seconds or hours: to minutes (a text that is no number is
        // left to the column's own check).
        if f.paused_unit {
            return Ok(match cell::number(&raw) {
                Ok(Some(n)) => Raw::Float(n * self.profile.paused_per_unit),
                _ => raw,
            });
        }
        if let Some(map) = &f.values {
            // Looked up on the borrowed text; only our value is copied into the cell.
            let found = match cell::text_cow(&raw) {
                Ok(Some(t)) => Some(map.get(&t).map(|ours| (ours.trim().is_empty(), ours))),
                _ => None,
            };
            match found {
                Some(Some((true, _))) => return Ok(Raw::Empty),
                Some(Some((false, ours))) => {
                    return Ok(Raw::Text(std::borrow::Cow::Owned(ours.clone())));
                }
                Some(None) => {
                    // Not in the map: taken when our own vocabulary reads it, else refused
                    // naming the profile (an unmapped priority level, state …).
                    let ours_ok = match f.ty {
                        Some(ColType::Priority) => cell::priority(&raw).is_ok(),
                        Some(ColType::YesNo) => cell::yes_no(&raw).is_ok(),
                        Some(ColType::Enum) => {
                            cell::choice(&raw, &cell::Choices::new(self.def.columns[i].choices))
                                .is_ok()
                        }
                        _ => true,
                    };
                    if !ours_ok {
                        let t = cell::text_cow(&raw).ok().flatten().unwrap_or_default();
                        return Err(Box::new(Message::Unmapped {
                            profile: self.profile.name.clone(),
                            value: crate::findings::clip(&t),
                            listed: f.listed.iter().take(20).cloned().collect(),
                        }));
                    }
                }
                None => {}
            }
            return Ok(raw);
        }
        if f.time && (!self.profile.date_formats.is_empty() || self.from_tz.is_some()) {
            return self.time(raw);
        }
        Ok(raw)
    }

    /// The dataset field index of a key.
    pub fn field(&self, key: &str) -> Option<usize> {
        self.def.columns.iter().position(|c| c.key == key)
    }

    /// A time read with the profile's formats, in its timezone, as the workspace's time.
    fn time<'a>(&self, raw: Raw<'a>) -> Result<Raw<'a>, Box<Message>> {
        let from = self.from_tz.unwrap_or(self.to_tz);
        let refused = |found: crate::findings::Found| {
            Box::new(Message::NotInFormat {
                profile: self.profile.name.clone(),
                formats: self.profile.date_formats.clone(),
                found,
            })
        };
        let naive: NaiveDateTime = match &raw {
            Raw::Text(s) | Raw::Iso(s) if !self.profile.date_formats.is_empty() => {
                let t = cell::trim(s);
                match parse_formats(t, &self.formats, self.to_tz) {
                    Some(Parsed::Local(n)) => n,
                    // Written with its offset: already the workspace's time.
                    Some(Parsed::Converted(n)) => return Ok(Raw::Local(n)),
                    None => return Err(refused(raw.found())),
                }
            }
            Raw::DateTime(d) => match d.as_datetime() {
                Some(n) if !d.is_duration() => n,
                _ => return Err(refused(raw.found())),
            },
            Raw::Local(n) => *n,
            // Text without declared formats, numbers: our own reading, in the source's zone.
            other => match cell::datetime(other, from) {
                Ok(Some(n)) => n,
                Ok(None) => return Ok(Raw::Empty),
                Err(_) => return Err(refused(raw.found())),
            },
        };
        if self.from_tz.is_none() {
            return Ok(Raw::Local(naive));
        }
        match from.from_local_datetime(&naive).earliest() {
            Some(t) => Ok(Raw::Local(t.with_timezone(&self.to_tz).naive_local())),
            None => Err(refused(raw.found())),
        }
    }
}

enum Parsed {
    /// A wall-clock time of the source's timezone.
    Local(NaiveDateTime),
    /// A time with its offset, converted to the workspace's timezone.
    Converted(NaiveDateTime),
}

/// Text read by the first of `formats` that reads all of it (a format without a time gives
/// midnight; one with `%z` an offset, converted to `to`). Text of a fixed-width numeric
/// format's exact shape is read by hand ([`Fixed`]), the rest by chrono: the same reading.
fn parse_formats(t: &str, formats: &[DateFormat], to: chrono_tz::Tz) -> Option<Parsed> {
    for f in formats {
        if f.offset {
            if let Ok(d) = chrono::DateTime::parse_from_str(t, &f.text) {
                return Some(Parsed::Converted(d.with_timezone(&to).naive_local()));
            }
            continue;
        }
        if let Some(n) = f.fast.as_ref().and_then(|x| x.read(t)) {
            return Some(Parsed::Local(n));
        }
        if let Ok(n) = NaiveDateTime::parse_from_str(t, &f.text) {
            return Some(Parsed::Local(n));
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, &f.text) {
            return Some(Parsed::Local(d.and_time(chrono::NaiveTime::MIN)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> Vec<(String, ProfileSpec)> {
        #[derive(Deserialize)]
        struct F {
            profiles: BTreeMap<String, ProfileSpec>,
        }
        toml::from_str::<F>(toml_text)
            .expect("profile toml")
            .profiles
            .into_iter()
            .collect()
    }

    #[test]
    fn every_builtin_parses_and_checks() {
        for (name, text) in BUILTIN {
            let f: BuiltinFile = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(f.profiles.contains_key(*name), "{name}");
        }
        let ps = Profiles::compile(&[]).expect("built-ins check");
        assert_eq!(ps.list.len(), BUILTIN.len());
        for p in &ps.list {
            assert!(
                p.builtin && !p.fingerprint.is_empty() && !p.sources.is_empty(),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn extends_merges_key_by_key_and_empty_drops() {
        let user = spec(
            r#"
[profiles.acme]
extends = "servicenow"
files = ["sn-*.csv"]
columns = { customer = "", service = "u_service" }
values.priority = { "5 - Planning" = "P4", "1 - Critical" = "" }
constants = { customer = "acme" }
"#,
        );
        let ps = Profiles::compile(&user).expect("compiles");
        let p = ps.get("acme").expect("acme");
        let sn = ps.get("servicenow").expect("built-in");
        assert!(!p.builtin && p.tool == sn.tool);
        let cols = |p: &Profile, k: &str| {
            p.columns
                .iter()
                .find(|(f, _)| f == k)
                .map(|(_, h)| h.clone())
        };
        assert_eq!(cols(p, "customer"), None, "dropped");
        assert!(cols(sn, "customer").is_some());
        assert_eq!(cols(p, "service"), Some(vec!["u_service".to_string()]));
        assert_eq!(cols(p, "ticket_id"), cols(sn, "ticket_id"), "inherited");
        let pri = &p.values.iter().find(|(k, _)| k == "priority").unwrap().1;
        assert!(pri.iter().any(|(f, t)| f == "5 - Planning" && t == "P4"));
        assert!(!pri.iter().any(|(f, _)| f == "1 - Critical"), "dropped");
        assert!(
            pri.iter().any(|(f, t)| f == "2 - High" && t == "P2"),
            "inherited"
        );
        assert_eq!(
            p.constants,
            vec![("customer".to_string(), "acme".to_string())]
        );
        assert_eq!(p.date_formats, sn.date_formats);
    }

    #[test]
    fn bad_profiles_are_refused_with_their_name() {
        let e = |t: &str| Profiles::compile(&spec(t)).expect_err(t).to_string();
        assert!(
            e("[profiles.x]\nextends = \"servicenw\"\n").contains("did you mean \"servicenow\"")
        );
        assert!(
            e("[profiles.x]\ncolumns = { priorty = \"p\" }\n")
                .contains("did you mean \"priority\"")
        );
        assert!(e("[profiles.x]\nvalues.priority = { a = \"P7\" }\n").contains("P7"));
        assert!(e("[profiles.x]\ntimezone = \"Mars/Base\"\n").contains("IANA"));
        assert!(e("[profiles.x]\ndate_formats = [\"%Q\"]\n").contains("chrono"));
        assert!(e("[profiles.servicenow]\n").contains("built-in"));
        assert!(
            e("[profiles.a]\nextends = \"b\"\n[profiles.b]\nextends = \"a\"\n").contains("circle")
        );
    }

    #[test]
    fn globs_most_specific_wins() {
        let user = spec(
            r#"
[profiles.any]
extends = "servicenow"
files = ["*.csv"]
[profiles.sn]
extends = "servicenow"
files = ["inbox/**/sn-*.csv"]
"#,
        );
        let ps = Profiles::compile(&user).unwrap();
        let c = for_file(Some(&ps), "inbox/2026-10/sn-export.csv");
        assert_eq!(c.chosen.map(|p| p.name.as_str()), Some("sn"));
        assert_eq!(
            c.also.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["any"]
        );
        let c = for_file(Some(&ps), "inbox/other.csv");
        assert_eq!(c.chosen.map(|p| p.name.as_str()), Some("any"));
        assert!(c.also.is_empty());
        assert!(for_file(Some(&ps), "inbox/x.xlsx").chosen.is_none());
    }

    #[test]
    fn dates_are_read_as_declared_and_converted() {
        let user = spec(
            r#"
[profiles.j]
extends = "jira"
timezone = "UTC"
"#,
        );
        let ps = Profiles::compile(&user).unwrap();
        let a = Applied::new(ps.get("j").unwrap(), chrono_tz::Asia::Shanghai).unwrap();
        let opened = a
            .def
            .columns
            .iter()
            .position(|c| c.key == "opened_at")
            .unwrap();
        let t = |s: &'static str| a.apply(opened, Raw::Text(s.into()));
        let want = NaiveDate::from_ymd_opt(2026, 10, 5)
            .unwrap()
            .and_hms_opt(17, 15, 0)
            .unwrap();
        assert_eq!(t("05/Oct/26 9:15 AM"), Ok(Raw::Local(want)));
        assert!(matches!(
            t("10/05/2026 9:15").map_err(|m| *m),
            Err(Message::NotInFormat { .. })
        ));
        // Day/month order is the profile's: 10/09/2026 under a d/m/Y format is 10 September.
        let user = spec("[profiles.d]\ndate_formats = [\"%d/%m/%Y %H:%M\", \"%d/%m/%Y\"]\n");
        let ps = Profiles::compile(&user).unwrap();
        let a = Applied::new(ps.get("d").unwrap(), chrono_tz::Asia::Shanghai).unwrap();
        let sept = NaiveDate::from_ymd_opt(2026, 9, 10).unwrap();
        assert_eq!(
            a.apply(opened, Raw::Text("10/09/2026".into())),
            Ok(Raw::Local(sept.and_hms_opt(0, 0, 0).unwrap()))
        );
    }

    /// The reading before the fast path: chrono alone, format by format.
    fn chrono_only(t: &str, formats: &[&str], to: chrono_tz::Tz) -> Option<NaiveDateTime> {
        for f in formats {
            if f.contains("%z") || f.contains("%:z") || f.contains("%#z") {
                if let Ok(d) = chrono::DateTime::parse_from_str(t, f) {
                    return Some(d.with_timezone(&to).naive_local());
                }
                continue;
            }
            if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
                return Some(n);
            }
            if let Ok(d) = NaiveDate::parse_from_str(t, f) {
                return Some(d.and_time(chrono::NaiveTime::MIN));
            }
        }
        None
    }

    fn with_fast_path(t: &str, formats: &[&str], to: chrono_tz::Tz) -> Option<NaiveDateTime> {
        let fs: Vec<DateFormat> = formats.iter().map(|f| DateFormat::new(f)).collect();
        parse_formats(t, &fs, to).map(|p| match p {
            Parsed::Local(n) | Parsed::Converted(n) => n,
        })
    }

    const FORMAT_SETS: &[&[&str]] = &[
        &["%Y-%m-%d %H:%M:%S"],
        &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        &["%d/%m/%Y %H:%M", "%d/%m/%Y"],
        &["%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"],
        &["%Y%m%d%H%M%S", "%Y/%m/%d"],
        &["%Y-%m-%dT%H:%M:%S", "%d-%b-%Y %H:%M"],
        &["%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S%.f"],
    ];

    #[test]
    fn fixed_shapes_are_recognised_only_for_plain_numeric_formats() {
        assert!(Fixed::of("%Y-%m-%d %H:%M:%S").is_some_and(|f| f.time && f.slots.len() == 19));
        assert!(Fixed::of("%d/%m/%Y").is_some_and(|f| !f.time));
        for f in [
            "%Y-%m-%d %H",
            "%Y-%m %H:%M",
            "%d-%b-%Y",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%d %I:%M %p",
            "%Y-%m-%d%%",
            "%Y-%m-%d %Y",
            "%Y-%m-%d 1%H:%M",
        ] {
            assert_eq!(Fixed::of(f), None, "{f}");
        }
    }

    /// Hand-picked edges: the fast reading equals chrono's, or leaves the text to it.
    #[test]
    fn the_fast_date_path_reads_as_chrono_does_on_edges() {
        let tz = chrono_tz::Asia::Shanghai;
        let inputs = [
            "2026-10-05 09:15:00",
            "2026-10-05 9:15:00",
            "2026-10-05 09:15",
            "2026-10-05",
            "2026-02-29 00:00:00",
            "2024-02-29 23:59:59",
            "2026-13-01 00:00:00",
            "2026-10-05 24:00:00",
            "2026-10-05 23:60:00",
            "2026-10-05 23:59:60",
            "2026-10-05  09:15:00",
            "2026-10-05T09:15:00",
            "2026-10-05T09:15:00+0200",
            "0000-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "+2026-10-05 09:15:00",
            "05/10/2026 09:15",
            "5/10/2026 09:15",
            "05/10/2026",
            "20261005091500",
            "2026/10/05",
            "05-Oct-2026 09:15",
            "05.10.2026 09:15",
            "2026-10-05 09:15:00.5",
            "２０２６-10-05 09:15:00",
            "",
        ];
        for set in FORMAT_SETS {
            for t in inputs {
                assert_eq!(
                    with_fast_path(t, set, tz),
                    chrono_only(t, set, tz),
                    "{t:?} with {set:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// Text in and near the fixed shapes (digits anywhere, separators changed, a
        /// character dropped or added): the fast path reads what chrono reads.
        #[test]
        fn the_fast_date_path_reads_as_chrono_does(
            set in 0..FORMAT_SETS.len(),
            t in "[0-9]{4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?",
            mangle in 0usize..40,
            ch in "[0-9 :/T.+-]",
        ) {
            let tz = chrono_tz::Asia::Shanghai;
            let set = FORMAT_SETS[set];
            proptest::prop_assert_eq!(with_fast_path(&t, set, tz), chrono_only(&t, set, tz));
            // One character replaced, or inserted.
            let mut cs: Vec<char> = t.chars().collect();
            let at = mangle % (cs.len() + 1);
            let c = ch.chars().next().unwrap_or('0');
            if at < cs.len() && mangle % 2 == 0 {
                cs[at] = c;
            } else {
                cs.insert(at, c);
            }
            let m: String = cs.into_iter().collect();
            proptest::prop_assert_eq!(with_fast_path(&m, set, tz), chrono_only(&m, set, tz));
        }

        /// Swapped day and month positions and other numeric shapes of valid dates.
        #[test]
        fn every_valid_time_reads_the_same(
            days in 0i64..3_000_000,
            secs in 0u32..86_400,
            set in 0..FORMAT_SETS.len(),
            fmt in 0usize..6,
        ) {
            let tz = chrono_tz::Asia::Shanghai;
            let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Duration::days(days);
            let n = d.and_time(chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap());
            let text = n
                .format(["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%Y%m%d%H%M%S", "%d.%m.%Y %H:%M", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S"][fmt])
                .to_string();
            let set = FORMAT_SETS[set];
            proptest::prop_assert_eq!(with_fast_path(&text, set, tz), chrono_only(&text, set, tz));
        }

        /// The value map finds what a lookup of the normalised text finds, for any text
        /// (case, inner and outer spaces, vertical tabs, full-width forms, CJK).
        #[test]
        fn value_map_lookup_is_the_normalised_lookup(
            t in "[ \t\u{b}aAbB1中\u{3000}Ａ-]{0,10}",
        ) {
            let pairs: Vec<(String, String)> = [
                ("a B", "P1"), ("中 a", "P2"), ("ＡB", "P3"), ("b\u{b}1", "P4"), ("1 - A", ""),
                ("  a", "P2"), ("A  b", "P4"),
            ]
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
            let vm = ValueMap::new(&pairs);
            let reference: rustc_hash::FxHashMap<String, String> =
                pairs.iter().map(|(f, t)| (norm(f), t.clone())).collect();
            let t = cell::trim(&t);
            proptest::prop_assert_eq!(vm.get(t), reference.get(&norm(t)));
        }
    }

    #[test]
    fn values_map_and_unmapped_levels_name_the_profile() {
        let ps = Profiles::builtin();
        let a = Applied::new(ps.get("glpi").unwrap(), chrono_tz::Asia::Shanghai).unwrap();
        let pri = a
            .def
            .columns
            .iter()
            .position(|c| c.key == "priority")
            .unwrap();
        assert_eq!(
            a.apply(pri, Raw::Text("Very high".into())),
            Ok(Raw::Text("P1".into()))
        );
        assert_eq!(
            a.apply(pri, Raw::Text("P2".into())),
            Ok(Raw::Text("P2".into()))
        );
        match a.apply(pri, Raw::Text("Extreme".into())).map_err(|m| *m) {
            Err(Message::Unmapped { profile, .. }) => assert_eq!(profile, "glpi"),
            other => panic!("{other:?}"),
        }
    }
}

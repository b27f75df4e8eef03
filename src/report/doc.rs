//! The renderer-neutral report model (`ReportDoc`).
//!
//! CONTRACT: both renderers (`render::xlsx`, `render::pdf`) see only this type.
//! Every number is already formatted once (by `numfmt`) into `Cell::Number::text`;
//! `value` keeps full precision for Excel's native number cells (written rounded
//! to `decimals`, so both editions say the same).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

pub use crate::model::document::{DocStatus, DocVersion};

/// The document block (spec §5): on the cover, in page headers, in file metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    pub doc_number: String,
    pub report_id: String,
    pub title: String,
    pub title_en: Option<String>,
    /// Customer or supplier (or organisation for internal reports), display name.
    pub party: String,
    pub party_en: Option<String>,
    pub organisation: String,
    /// Period code (`2026-10`) and its label in the document's language.
    pub period: String,
    pub period_label: String,
    /// `1.0`, `1.1`, `2.0` …
    pub version: String,
    pub status: DocStatus,
    pub compiler: String,
    pub reviewer: String,
    pub approver: String,
    /// ISO 8601 local date-times (`2026-11-03T10:00:00`), when known.
    pub compiled_at: String,
    pub reviewed_at: Option<String>,
    pub approved_at: Option<String>,
    pub generated_at: String,
    pub tool_version: String,
    /// SHA-256 (hex) of the document's content (see `report::content_hash`).
    pub content_hash: String,
    /// Version this one supersedes (a correction after approval).
    pub supersedes: Option<String>,
    /// `zh-CN` or `en`.
    pub language: String,
    /// Approved without a signature (`approval = "name"`, or a catalogue
    /// without people): the status reads 已批准（未签名）.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsigned: bool,
    /// The distribution list (the report list's recipients), on the cover. Like the
    /// approval block it is outside the content hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<String>,
    /// The revision history (from the ledger), worded in the document's language;
    /// outside the content hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<RevisionLine>,
    /// Review and approval comments, in the approval block; outside the content hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<CommentLine>,
}

/// One row of the cover's revision history, as printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionLine {
    pub version: String,
    pub date: String,
    pub change: String,
}

/// A review or approval comment, as printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentLine {
    /// "审核意见" / "Review comment".
    pub label: String,
    pub who: String,
    /// `2026-11-04 09:00`.
    pub at: String,
    pub text: String,
}

impl DocMeta {
    /// The mark an unsigned approval carries after the status, in the document's language.
    pub fn unsigned_mark(&self) -> Option<&'static str> {
        self.unsigned.then(|| {
            if self.language.to_ascii_lowercase().starts_with("zh") {
                "（未签名）"
            } else {
                " (unsigned)"
            }
        })
    }
}

/// Read a [`DocMeta`] date-time back (`2026-11-03T10:00:00`, as `report::build`
/// writes them; also with a fraction, a space instead of `T`, no seconds, an
/// offset that is dropped (the local time is kept), or a bare date). The one
/// reader both renderers use.
pub fn parse_doc_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_local());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Visual choices a template makes (colours as `#rrggbb`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Style {
    pub primary: String,
    pub met: String,
    pub at_risk: String,
    pub breached: String,
    pub na: String,
    /// Optional logo file (PNG/SVG) resolved by the template loader; bytes are
    /// handed to renderers through `RenderOptions`, not here.
    pub logo: Option<String>,
}

/// Labels the renderers print themselves (cover, header, footer), in the template's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Labels {
    /// Keyed by label id: `doc_number`, `version`, `status`, `compiler`, `reviewer`,
    /// `approver`, `period`, `customer`, `generated_at`, `page` ("第 {page} 页 / 共 {total} 页"),
    /// `draft_mark` ("草稿"), `content_hash`, `contents`, …
    pub map: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDoc {
    pub meta: DocMeta,
    pub labels: Labels,
    pub style: Style,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable id (`summary`, `availability`, `incidents`, `appendix` …); xlsx sheet names derive from `title`.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Heading { text: String },
    Paragraph { text: String },
    KeyValue { pairs: Vec<(String, String)> },
    Table(Table),
    Chart(Chart),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub key: String,
    pub label: String,
    pub align: Align,
    /// Relative width hint (1.0 = normal).
    pub width: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// A status as shown: the judgement plus its label in the document's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCell {
    pub status: crate::model::status::Status,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cell {
    Empty,
    Text {
        text: String,
    },
    /// `text` is the one rounded rendering (`99.95%`), `value` the full-precision
    /// number, `decimals` the places shown, `percent` whether `text` has a `%`.
    Number {
        value: f64,
        text: String,
        decimals: u8,
        percent: bool,
    },
    Status(StatusCell),
    /// Trend arrow against the previous period: `↑` `↓` `→` or empty.
    Trend {
        arrow: String,
        better: Option<bool>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Bar,
    Line,
    StackedBar,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// One value per category; `None` = no data.
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub id: String,
    pub kind: ChartKind,
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Target line (e.g. 99.9 %).
    pub target: Option<f64>,
    pub y_label: String,
    pub y_min: Option<f64>,
    pub y_max: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_times_parse_in_the_forms_the_pipeline_writes() {
        let want = NaiveDate::from_ymd_opt(2026, 11, 3)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("valid");
        for s in [
            "2026-11-03T10:00:00",
            "2026-11-03 10:00:00",
            "2026-11-03T10:00",
            "2026-11-03 10:00",
            "2026-11-03T10:00:00.000",
            "2026-11-03T10:00:00+08:00",
        ] {
            assert_eq!(parse_doc_time(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_doc_time("2026-11-03"),
            want.date().and_hms_opt(0, 0, 0)
        );
        assert!(parse_doc_time("2026-13-01").is_none());
        assert!(parse_doc_time("yesterday").is_none());
    }
}

//! Sheet and header recognition: which dataset a sheet holds, which row is
//! its header and which column is which.
//!
//! Pure functions over names and header texts, driven by `ingest::schema`
//! only (no calamine, no catalogue). Invariants: names are compared after
//! [`super::cell::norm`] (case, surrounding/inner spaces, full-/half-width); a header
//! cell matches a column by its Chinese name, its English name, or the
//! bilingual forms of the blank templates (`工单号 Ticket ID`,
//! `工单号/Ticket ID`, `工单号\nTicket ID`, `工单号(Ticket ID)`, either order).

use super::cell::norm;
use super::schema::{Column, DATASETS, DatasetDef, SKIPPED_SHEETS};

/// What a sheet name says.
#[derive(Debug, Clone, Copy)]
pub enum SheetName {
    Dataset(&'static DatasetDef),
    /// 说明 / Instructions / README.
    Skip,
    Unknown,
}

pub fn by_name(name: &str) -> SheetName {
    let k = norm(name);
    if SKIPPED_SHEETS.iter().any(|s| norm(s) == k) {
        return SheetName::Skip;
    }
    for d in DATASETS {
        if norm(d.sheet_zh) == k
            || norm(d.sheet_en) == k
            || d.sheet_aliases.iter().any(|a| norm(a) == k)
        {
            return SheetName::Dataset(d);
        }
    }
    SheetName::Unknown
}

/// Key for header comparison: `norm` with spaces and `_` removed.
fn hkey(s: &str) -> String {
    norm(s).chars().filter(|c| *c != ' ' && *c != '_').collect()
}

const SEPARATORS: &[char] = &[
    ' ', '/', '\\', '(', ')', '|', '-', ':', '（', '）', '\n', '\r', '\t',
];

/// Does header text `h` name column `c`?
pub fn header_matches(h: &str, c: &Column) -> bool {
    let full = norm(h);
    let k: String = full.chars().filter(|c| *c != ' ' && *c != '_').collect();
    if k.is_empty() {
        return false;
    }
    let zh = hkey(c.zh);
    let en = hkey(c.en);
    if k == zh || k == en {
        return true;
    }
    // Bilingual: zh then en, or en then zh, with separators between.
    let strip = |s: &str| -> String {
        s.trim_matches(|ch: char| SEPARATORS.contains(&ch))
            .to_string()
    };
    if let Some(rest) = k.strip_prefix(zh.as_str()) {
        let r = strip(rest);
        if r == en {
            return true;
        }
    }
    if let Some(rest) = k.strip_prefix(en.as_str()) {
        let r = strip(rest);
        if r == zh {
            return true;
        }
    }
    false
}

/// Index into `def.columns` of the column header `h` names.
pub fn match_column(def: &DatasetDef, h: &str) -> Option<usize> {
    def.columns.iter().position(|c| header_matches(h, c))
}

/// How many of the texts name a distinct column of `def`.
pub fn score(def: &DatasetDef, headers: &[String]) -> usize {
    let mut seen = vec![false; def.columns.len()];
    for h in headers {
        if let Some(i) = match_column(def, h) {
            seen[i] = true;
        }
    }
    seen.iter().filter(|b| **b).count()
}

/// The dataset a header row names best: at least two columns and at least
/// half of the dataset's required columns. Ties go to the dataset with the
/// larger share of its columns matched, then to template order.
pub fn best_dataset(headers: &[String]) -> Option<(&'static DatasetDef, usize)> {
    let mut best: Option<(&'static DatasetDef, usize, f64)> = None;
    for d in DATASETS {
        let s = score(d, headers);
        let req = d.columns.iter().filter(|c| c.required).count();
        let req_hit = d
            .columns
            .iter()
            .filter(|c| c.required && headers.iter().any(|h| header_matches(h, c)))
            .count();
        if s < 2 || req_hit * 2 < req {
            continue;
        }
        let share = s as f64 / d.columns.len() as f64;
        let better = match best {
            None => true,
            Some((_, bs, bshare)) => s > bs || (s == bs && share > bshare),
        };
        if better {
            best = Some((d, s, share));
        }
    }
    best.map(|(d, s, _)| (d, s))
}

/// The column of `def` whose name (zh or en) is closest to a header text,
/// if it is a plausible typo of it (the rule of [`crate::suggest`]).
pub fn closest_column(def: &DatasetDef, h: &str) -> Option<&'static Column> {
    let best = crate::suggest::closest(h, def.columns.iter().flat_map(|c| [c.zh, c.en]))?;
    def.columns.iter().find(|c| c.zh == best || c.en == best)
}

/// The dataset whose sheet name (zh, en or an alias) is closest to `name`,
/// if it is a plausible typo of it (for `sheet.unrecognised`).
pub fn closest_dataset(name: &str) -> Option<&'static DatasetDef> {
    let names = DATASETS.into_iter().flat_map(|d| {
        [d.sheet_zh, d.sheet_en]
            .into_iter()
            .chain(d.sheet_aliases.iter().copied())
    });
    let best = crate::suggest::closest(name, names)?;
    DATASETS
        .into_iter()
        .find(|d| d.sheet_zh == best || d.sheet_en == best || d.sheet_aliases.contains(&best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::schema::{INCIDENTS, OUTAGES, SUPPLIER_TICKETS};

    #[test]
    fn header_variants_match() {
        let c = INCIDENTS.column("ticket_id").unwrap();
        for h in [
            "工单号",
            "Ticket ID",
            "ticket id",
            " TICKET  ID ",
            "ticket_id",
            "ＴＩＣＫＥＴ ＩＤ",
            "工单号 Ticket ID",
            "工单号/Ticket ID",
            "工单号\nTicket ID",
            "工单号(Ticket ID)",
            "工单号（Ticket ID）",
            "Ticket ID 工单号",
        ] {
            assert!(header_matches(h, c), "{h:?}");
        }
        for h in ["工单", "Ticket", "工单号 Ticket", "客户"] {
            assert!(!header_matches(h, c), "{h:?}");
        }
        let p = INCIDENTS.column("paused_minutes").unwrap();
        assert!(header_matches("挂起时长（分钟）", p));
        assert!(header_matches("挂起时长(分钟) Paused Minutes", p));
    }

    #[test]
    fn sheet_names() {
        assert!(matches!(by_name("事件"), SheetName::Dataset(d) if d.name == "incidents"));
        assert!(matches!(by_name(" INCIDENTS "), SheetName::Dataset(d) if d.name == "incidents"));
        assert!(matches!(by_name("Ｏｕｔａｇｅｓ"), SheetName::Dataset(d) if d.name == "outages"));
        assert!(matches!(by_name("说明"), SheetName::Skip));
        assert!(matches!(by_name("ReadMe"), SheetName::Skip));
        assert!(matches!(by_name("Sheet1"), SheetName::Unknown));
        assert_eq!(
            closest_dataset("Incidnets").map(|d| d.name),
            Some("incidents")
        );
        assert_eq!(closest_dataset("事件表").map(|d| d.name), Some("incidents"));
        assert_eq!(closest_dataset("Sheet1").map(|d| d.name), None);
    }

    #[test]
    fn best_dataset_by_headers() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let inc = h(&["工单号", "客户", "服务", "优先级", "报告时间", "解决时间"]);
        assert_eq!(best_dataset(&inc).unwrap().0.name, INCIDENTS.name);
        let sup = h(&["供应商", "合同", "工单号", "优先级", "报告时间", "恢复时间"]);
        assert_eq!(best_dataset(&sup).unwrap().0.name, SUPPLIER_TICKETS.name);
        let out = h(&["Service", "Start", "End", "Planned"]);
        assert_eq!(best_dataset(&out).unwrap().0.name, OUTAGES.name);
        assert!(best_dataset(&h(&["某某季度经营报表", ""])).is_none());
    }

    #[test]
    fn closest_names() {
        let key = |h| closest_column(&INCIDENTS, h).map(|c| c.key);
        assert_eq!(key("Priorty"), Some("priority"));
        assert_eq!(key("解决时"), Some("resolved_at"));
        assert_eq!(key("Resolved_At"), Some("resolved_at"));
        assert_eq!(key("zzzzzzzzzzzz"), None);
    }
}

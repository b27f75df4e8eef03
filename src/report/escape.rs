//! Text that renders: every string of a [`ReportDoc`] with the characters no font of the
//! document can print (an emoji, an ideograph beyond the fonts' sets), controls, and
//! bidirectional or invisible characters shown as a visible code (`[U+1F600]`), and a
//! note in the appendix naming each one and where it first occurs.
//!
//! Done in the model, so the PDF and the Excel edition show the same text and a document
//! is never refused for a character (the PDF renderer's own glyph check then never fires
//! on data). Depends on `model::glyphs` (which characters print) and the report model only.
//! Text without such characters is left untouched: a clean document does not change.

use std::collections::BTreeMap;

use super::doc::{Block, Cell, ReportDoc, Section};
use crate::model::glyphs::Coverage;

/// `[U+1F600]`: how a document shows a character it cannot print as it is.
pub fn code_of(c: char) -> String {
    format!("[U+{:04X}]", c as u32)
}

/// The characters escaped, each with the first text it was found in (escaped, clipped).
type Seen = BTreeMap<char, String>;

fn fix(s: &mut String, cov: &Coverage, seen: &mut Seen) {
    if s.is_ascii()
        && !s
            .bytes()
            .any(|b| b.is_ascii_control() && !matches!(b, b'\n' | b'\t' | b'\r'))
    {
        return;
    }
    if !s.chars().any(|c| cov.escapes(c)) {
        return;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if cov.escapes(c) {
            out.push_str(&code_of(c));
        } else {
            out.push(c);
        }
    }
    for c in s.chars().filter(|c| cov.escapes(*c)) {
        seen.entry(c).or_insert_with(|| clip(&out));
    }
    *s = out;
}

fn clip(s: &str) -> String {
    if s.chars().nth(60).is_some() {
        let t: String = s.chars().take(57).collect();
        format!("{t}…")
    } else {
        s.to_string()
    }
}

fn fix_opt(s: &mut Option<String>, cov: &Coverage, seen: &mut Seen) {
    if let Some(s) = s {
        fix(s, cov, seen);
    }
}

/// The document block's identity (numbers, titles, party, people).
fn fix_identity(m: &mut super::doc::DocMeta, cov: &Coverage, seen: &mut Seen) {
    for s in [
        &mut m.doc_number,
        &mut m.report_id,
        &mut m.title,
        &mut m.party,
        &mut m.organisation,
        &mut m.period,
        &mut m.period_label,
        &mut m.version,
        &mut m.compiler,
        &mut m.reviewer,
        &mut m.approver,
    ] {
        fix(s, cov, seen);
    }
    fix_opt(&mut m.title_en, cov, seen);
    fix_opt(&mut m.party_en, cov, seen);
}

/// A new document block for a model already escaped (`report::build::restamp`): its
/// identity escaped as [`escape_unprintable`] escapes it (whose notes the model's
/// appendix holds already), then the ledger's parts as [`escape_block`] does.
pub fn escape_meta(m: &mut super::doc::DocMeta, cov: &Coverage) {
    fix_identity(m, cov, &mut Seen::new());
    escape_block(m, cov);
}

/// Escape the parts of the document block that come from the ledger and the report
/// list's recipients (distribution, revision history, review and approval comments),
/// noting nothing: they lie outside the content hash, so a comment with an emoji must
/// not add a note to the appendix (which would change the content).
pub fn escape_block(m: &mut super::doc::DocMeta, cov: &Coverage) {
    let mut seen = Seen::new();
    for d in &mut m.distribution {
        fix(d, cov, &mut seen);
    }
    for r in &mut m.revisions {
        fix(&mut r.change, cov, &mut seen);
    }
    for c in &mut m.comments {
        fix(&mut c.who, cov, &mut seen);
        fix(&mut c.text, cov, &mut seen);
    }
}

/// Escape every string of `doc` that holds a character it cannot print as it is, and note
/// each such character in the appendix (the section `appendix`, else a new last section).
/// Returns whether anything changed (the content hash is then stale).
pub fn escape_unprintable(doc: &mut ReportDoc, cov: &Coverage, zh: bool) -> bool {
    let mut seen = Seen::new();
    fix_identity(&mut doc.meta, cov, &mut seen);
    for v in doc.labels.map.values_mut() {
        fix(v, cov, &mut seen);
    }
    for sec in &mut doc.sections {
        fix(&mut sec.title, cov, &mut seen);
        for b in &mut sec.blocks {
            match b {
                Block::Heading { text } | Block::Paragraph { text } => fix(text, cov, &mut seen),
                Block::KeyValue { pairs } => {
                    for (k, v) in pairs {
                        fix(k, cov, &mut seen);
                        fix(v, cov, &mut seen);
                    }
                }
                Block::Table(t) => {
                    fix_opt(&mut t.title, cov, &mut seen);
                    for c in &mut t.columns {
                        fix(&mut c.label, cov, &mut seen);
                    }
                    for row in &mut t.rows {
                        for cell in row {
                            match cell {
                                Cell::Text { text } => fix(text, cov, &mut seen),
                                Cell::Number { text, .. } => fix(text, cov, &mut seen),
                                Cell::Status(s) => fix(&mut s.label, cov, &mut seen),
                                Cell::Trend { arrow, .. } => fix(arrow, cov, &mut seen),
                                Cell::Empty => {}
                            }
                        }
                    }
                }
                Block::Chart(c) => {
                    fix(&mut c.title, cov, &mut seen);
                    fix(&mut c.y_label, cov, &mut seen);
                    for cat in &mut c.categories {
                        fix(cat, cov, &mut seen);
                    }
                    for s in &mut c.series {
                        fix(&mut s.name, cov, &mut seen);
                    }
                }
            }
        }
    }
    if seen.is_empty() {
        return false;
    }
    let list: Vec<String> = seen
        .iter()
        .map(|(c, ctx)| {
            if zh {
                format!("{}（首次出现于“{ctx}”）", code_of(*c))
            } else {
                format!("{} (first in \"{ctx}\")", code_of(*c))
            }
        })
        .collect();
    let note = if zh {
        format!(
            "注意：以下字符无法用文档的字体显示，或是不可见、会改变文字方向的字符，文中以编码表示：{}。",
            list.join("；")
        )
    } else {
        format!(
            "Note: characters the document's fonts cannot print, and invisible or direction-changing characters, are shown by their code: {}.",
            list.join("; ")
        )
    };
    let block = Block::Paragraph { text: note };
    match doc.sections.iter_mut().find(|s| s.id == "appendix") {
        Some(s) => s.blocks.push(block),
        None => doc.sections.push(Section {
            id: "appendix".into(),
            title: if zh {
                "附录".into()
            } else {
                "Appendix".into()
            },
            blocks: vec![block],
        }),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{Align, Column, DocMeta, DocStatus, Labels, Style, Table};

    fn doc(ticket: &str) -> ReportDoc {
        ReportDoc {
            meta: DocMeta {
                doc_number: "SR-1".into(),
                report_id: "r".into(),
                title: "月度报告".into(),
                title_en: None,
                party: "安科美".into(),
                party_en: None,
                organisation: "o".into(),
                period: "2026-10".into(),
                period_label: "2026 年 10 月".into(),
                version: "1.0".into(),
                status: DocStatus::Draft,
                compiler: "c".into(),
                reviewer: "r".into(),
                approver: "a".into(),
                compiled_at: String::new(),
                reviewed_at: None,
                approved_at: None,
                generated_at: String::new(),
                tool_version: String::new(),
                content_hash: String::new(),
                supersedes: None,
                language: "zh-CN".into(),
                unsigned: false,
                distribution: vec![],
                revisions: vec![],
                comments: vec![],
            },
            labels: Labels::default(),
            style: Style {
                primary: "#000000".into(),
                met: "#000000".into(),
                at_risk: "#000000".into(),
                breached: "#000000".into(),
                na: "#000000".into(),
                logo: None,
            },
            sections: vec![Section {
                id: "breaches".into(),
                title: "未达标工单".into(),
                blocks: vec![Block::Table(Table {
                    id: "t".into(),
                    title: None,
                    columns: vec![Column {
                        key: "ticket".into(),
                        label: "工单号".into(),
                        align: Align::Left,
                        width: 1.0,
                    }],
                    rows: vec![vec![Cell::Text {
                        text: ticket.into(),
                    }]],
                })],
            }],
        }
    }

    fn ticket(d: &ReportDoc) -> &str {
        match &d.sections[0].blocks[0] {
            Block::Table(t) => match &t.rows[0][0] {
                Cell::Text { text } => text,
                _ => "",
            },
            _ => "",
        }
    }

    #[test]
    fn unprintable_and_hidden_characters_become_codes_with_a_note() {
        let mut d = doc("INC-😀-𠀀-\u{202E}1");
        assert!(escape_unprintable(&mut d, &Coverage::bundled(), true));
        assert_eq!(ticket(&d), "INC-[U+1F600]-[U+20000]-[U+202E]1");
        let appendix = d.sections.last().expect("an appendix");
        assert_eq!(appendix.id, "appendix");
        let Block::Paragraph { text } = &appendix.blocks[0] else {
            panic!("a note")
        };
        for code in ["[U+1F600]", "[U+20000]", "[U+202E]"] {
            assert!(text.contains(code), "{text}");
        }
        // Clean text is left alone.
        let mut clean = doc("INC-0001 工单");
        let before = clean.clone();
        assert!(!escape_unprintable(&mut clean, &Coverage::bundled(), true));
        assert_eq!(clean, before);
        // A font that has the emoji prints it as it is.
        let mut d = doc("INC-😀");
        let cov = Coverage::with_extra(vec![(0x1F600, 0x1F64F)]);
        assert!(!escape_unprintable(&mut d, &cov, false));
        assert_eq!(ticket(&d), "INC-😀");
    }
}

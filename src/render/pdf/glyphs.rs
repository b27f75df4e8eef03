//! Glyph coverage: every character the PDF will print must be in some font.
//!
//! Job: walk every string of a [`ReportDoc`] (and the extra strings the renderer adds, such as
//! merged labels) and fail on the first character no font maps, naming the character and where
//! it came from. typst draws such a character blank and says nothing, so this check is the
//! only thing between a missing font and a silently wrong report.
//! Must not depend on typst's compiler; it sees the report model and a coverage predicate.
//! Invariant: the walk order is the document order, so the error is deterministic.

use crate::report::doc::{Block, Cell, ReportDoc};

use super::PdfError;

/// Characters that are layout, not ink: never looked up.
fn is_layout(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// Check one string; `context` is only built on failure.
pub fn check_str(
    text: &str,
    covers: &dyn Fn(char) -> bool,
    context: impl FnOnce() -> String,
) -> Result<(), PdfError> {
    match text.chars().find(|&c| !is_layout(c) && !covers(c)) {
        None => Ok(()),
        Some(ch) => Err(PdfError::MissingGlyph {
            ch,
            codepoint: ch as u32,
            context: format!("{}: {:?}", context(), excerpt(text, ch)),
        }),
    }
}

/// Up to 40 characters of `text` around the first `ch`.
fn excerpt(text: &str, ch: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = chars.iter().position(|&c| c == ch).unwrap_or(0);
    let start = at.saturating_sub(20);
    let end = (at + 20).min(chars.len());
    chars[start..end].iter().collect()
}

/// Check every string of `doc` in document order.
pub fn check_doc(doc: &ReportDoc, covers: &dyn Fn(char) -> bool) -> Result<(), PdfError> {
    let m = &doc.meta;
    let meta: [(&str, &str); 17] = [
        ("doc_number", &m.doc_number),
        ("report_id", &m.report_id),
        ("title", &m.title),
        ("title_en", m.title_en.as_deref().unwrap_or("")),
        ("party", &m.party),
        ("party_en", m.party_en.as_deref().unwrap_or("")),
        ("organisation", &m.organisation),
        ("period", &m.period),
        ("period_label", &m.period_label),
        ("version", &m.version),
        ("compiler", &m.compiler),
        ("reviewer", &m.reviewer),
        ("approver", &m.approver),
        ("generated_at", &m.generated_at),
        ("tool_version", &m.tool_version),
        ("content_hash", &m.content_hash),
        ("supersedes", m.supersedes.as_deref().unwrap_or("")),
    ];
    for (field, value) in meta {
        check_str(value, covers, || format!("document block field `{field}`"))?;
    }
    for (key, value) in &doc.labels.map {
        check_str(value, covers, || format!("label `{key}`"))?;
    }
    for (si, section) in doc.sections.iter().enumerate() {
        let at = || format!("section {} `{}` ({})", si + 1, section.id, section.title);
        check_str(&section.title, covers, || format!("{} title", at()))?;
        for (bi, block) in section.blocks.iter().enumerate() {
            let here = || format!("{}, block {}", at(), bi + 1);
            match block {
                Block::Heading { text } | Block::Paragraph { text } => {
                    check_str(text, covers, here)?;
                }
                Block::KeyValue { pairs } => {
                    for (i, (k, v)) in pairs.iter().enumerate() {
                        check_str(k, covers, || format!("{}, key {}", here(), i + 1))?;
                        check_str(v, covers, || format!("{}, value of `{k}`", here()))?;
                    }
                }
                Block::Table(t) => {
                    let tab = || format!("{}, table `{}`", here(), t.id);
                    if let Some(title) = &t.title {
                        check_str(title, covers, || format!("{} title", tab()))?;
                    }
                    for col in &t.columns {
                        check_str(&col.label, covers, || {
                            format!("{}, header of column `{}`", tab(), col.key)
                        })?;
                    }
                    for (ri, row) in t.rows.iter().enumerate() {
                        for (ci, cell) in row.iter().enumerate() {
                            let text = match cell {
                                Cell::Empty => continue,
                                Cell::Text { text } => text.as_str(),
                                Cell::Number { text, .. } => text.as_str(),
                                Cell::Status(s) => s.label.as_str(),
                                Cell::Trend { arrow, .. } => arrow.as_str(),
                            };
                            check_str(text, covers, || {
                                let col = t
                                    .columns
                                    .get(ci)
                                    .map(|c| format!("`{}` ({})", c.key, c.label))
                                    .unwrap_or_else(|| format!("{}", ci + 1));
                                format!("{}, row {}, column {col}", tab(), ri + 1)
                            })?;
                        }
                    }
                }
                Block::Chart(c) => {
                    let ch = || format!("{}, chart `{}`", here(), c.id);
                    check_str(&c.title, covers, || format!("{} title", ch()))?;
                    check_str(&c.y_label, covers, || format!("{} axis label", ch()))?;
                    for (i, cat) in c.categories.iter().enumerate() {
                        check_str(cat, covers, || format!("{} category {}", ch(), i + 1))?;
                    }
                    for s in &c.series {
                        check_str(&s.name, covers, || format!("{} series name", ch()))?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii_only(c: char) -> bool {
        c.is_ascii()
    }

    #[test]
    fn layout_characters_are_not_looked_up() {
        assert!(check_str("a b\tc\nd\u{200B}", &ascii_only, || "x".into()).is_ok());
    }

    #[test]
    fn the_error_names_character_codepoint_context_and_excerpt() {
        let err = check_str("ab服c", &ascii_only, || "table `t`, row 3".into())
            .expect_err("服 is not ASCII");
        match &err {
            PdfError::MissingGlyph {
                ch,
                codepoint,
                context,
            } => {
                assert_eq!(*ch, '服');
                assert_eq!(*codepoint, 0x670D);
                assert_eq!(context, "table `t`, row 3: \"ab服c\"");
            }
            other => panic!("unexpected {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("U+670D"), "{msg}");
        assert!(msg.contains("row 3"), "{msg}");
    }
}

//! Which characters the bundled fonts can print, as a table of code-point ranges generated
//! from `fonts/NotoSansCJKsc-*.otf` (`glyphs/glyph_table.rs`; a test of `render::pdf::fonts` checks
//! it is current and `UPDATE_GOLDEN=1` rewrites it). `check` warns about characters outside
//! it and the report model shows them as `U+XXXX`, without loading a font or depending on
//! the renderer.

#[rustfmt::skip]
mod glyph_table;

/// The code points the bundled faces map, as sorted, disjoint, inclusive ranges.
pub use glyph_table::BUNDLED;

/// The characters a document can print: the bundled fonts' and any extra font files'.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Ranges of extra fonts (`svcreport.toml` `fonts`), sorted and disjoint.
    extra: Vec<(u32, u32)>,
}

fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    let i = ranges.partition_point(|&(_, hi)| hi < c);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= c)
}

impl Coverage {
    /// The bundled fonts only.
    pub fn bundled() -> Coverage {
        Coverage::default()
    }

    /// The bundled fonts and the extra ranges (sorted, disjoint, inclusive).
    pub fn with_extra(extra: Vec<(u32, u32)>) -> Coverage {
        Coverage { extra }
    }

    /// Whether some font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        in_ranges(BUNDLED, c) || in_ranges(&self.extra, c)
    }

    /// Whether a document shows `c` as `U+XXXX` instead: a control other than newline and
    /// tab, a bidirectional control or invisible character (so what is printed is what the
    /// data hold), or a visible character no font has (an emoji, an ideograph beyond the
    /// fonts' sets).
    pub fn escapes(&self, c: char) -> bool {
        if matches!(c, '\n' | '\t' | '\r') {
            return false;
        }
        if crate::chars::is_control(c) || crate::chars::is_invisible(c) {
            return true;
        }
        !c.is_whitespace() && !self.covers(c)
    }
}

/// What `check` says about one text: the first character no bundled font prints, and the
/// first control, bidirectional control or invisible character (each `None` when absent).
pub fn unusual(s: &str) -> (Option<char>, Option<char>) {
    let cov = Coverage::bundled();
    if s.is_ascii() {
        let hidden = s.chars().find(|c| crate::chars::is_control(*c));
        return (None, hidden);
    }
    let mut missing = None;
    let mut hidden = None;
    for c in s.chars() {
        if hidden.is_none() && (crate::chars::is_control(c) || crate::chars::is_invisible(c)) {
            hidden = Some(c);
        } else if missing.is_none() && !c.is_whitespace() && !cov.covers(c) {
            missing = Some(c);
        }
        if missing.is_some() && hidden.is_some() {
            break;
        }
    }
    (missing, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_chinese_and_latin_but_not_emoji_or_extension_b() {
        let c = Coverage::bundled();
        for ch in "工单号INC-0001堃喆（）％↑".chars() {
            assert!(c.covers(ch), "{ch}");
        }
        for ch in ['😀', '𠀀', '\u{10FFFD}'] {
            assert!(!c.covers(ch) && c.escapes(ch), "{ch}");
        }
        assert!(c.escapes('\u{202E}') && c.escapes('\u{1b}') && c.escapes('\u{200B}'));
        assert!(!c.escapes('\n') && !c.escapes(' ') && !c.escapes('A'));
        assert_eq!(unusual("INC-1"), (None, None));
        assert_eq!(unusual("INC-😀-\u{202E}1"), (Some('😀'), Some('\u{202E}')));
        assert_eq!(unusual("a\u{7}b"), (None, Some('\u{7}')));
        let extra = Coverage::with_extra(vec![(0x1F600, 0x1F64F)]);
        assert!(extra.covers('😀') && !extra.escapes('😀'));
    }
}

//! Positions in text: the 1-based line and column every "file:line:column"
//! message of the settings, catalogue and template loaders prints.

/// 1-based line and column (in characters) of a byte offset; an offset past
/// the end is the end, one inside a character is that character.
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
        // Inside the 3 bytes of 示: that character's column.
        let inside = t.find('示').expect("示") + 1;
        assert_eq!(line_col(t, inside), (2, 9));
    }
}

//! Character classes: which characters are controls, bidirectional controls or invisible,
//! and how to show them. A leaf module (depends on nothing): the reader's checks
//! (`ingest`), the report model (`report`) and terminal output (`findings::terminal`) use
//! the one definition, so a character a report escapes is one `check` warned about.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that change the direction of the text after them (U+202E before `123`
/// prints it as `321`): the explicit embeddings, overrides and isolates and the marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that print as nothing (zero-width spaces and joiners, the byte order mark,
/// invisible operators, variation selectors, tags, fillers, soft hyphen), and the
/// bidirectional controls: text holding them reads differently from what it is.
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2065}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// C0 and C1 controls and DEL (a newline, a tab and ESC among them).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// `<U+202E>`: how an escaped character is shown.
pub fn push_escaped(out: &mut String, c: char) {
    // Writing to a String cannot fail.
    let _ = write!(out, "<U+{:04X}>", c as u32);
}

/// `s` with every character `escape` selects shown as `<U+XXXX>` (borrowed when none is).
pub fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.char_indices().find(|(_, c)| escape(*c)).map(|(i, _)| i) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text safe to print on a terminal: controls (ESC, newline, …), bidirectional controls and
/// invisible characters shown as `<U+XXXX>`, so a name or value can neither move the
/// cursor, colour the screen, start a forged line nor read differently from its bytes.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| is_control(c) || is_invisible(c))
}

/// [`for_terminal`] for a message of several lines: its line breaks kept but every line
/// after the first indented by two spaces (so no line of it can pass for a line of its
/// own, such as a forged `error[ok]: …`), every other control shown as `<U+XXXX>`.
pub fn for_terminal_lines(s: &str) -> Cow<'_, str> {
    let escaped = escape_where(s, |c| c != '\n' && (is_control(c) || is_invisible(c)));
    if escaped.contains('\n') {
        Cow::Owned(escaped.replace('\n', "\n  "))
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_shows_controls_and_invisibles_as_code_points() {
        assert!(matches!(for_terminal("INC-1 工单"), Cow::Borrowed(_)));
        assert_eq!(
            for_terminal("a.xlsx\nerror[ok]: all good"),
            "a.xlsx<U+000A>error[ok]: all good"
        );
        assert_eq!(for_terminal("\u{1b}[31mred"), "<U+001B>[31mred");
        assert_eq!(for_terminal("INC\u{202E}321"), "INC<U+202E>321");
        assert_eq!(for_terminal("a\u{200B}b\u{FEFF}"), "a<U+200B>b<U+FEFF>");
        assert_eq!(for_terminal("😀𠀀"), "😀𠀀");
        for c in ['\u{202E}', '\u{2066}', '\u{200F}', '\u{061C}'] {
            assert!(is_bidi_control(c) && is_invisible(c), "{c:?}");
        }
        assert!(!is_invisible('a') && !is_invisible('工') && !is_invisible(' '));
        assert_eq!(
            for_terminal_lines("bad inbox/x\nerror[ok]: all good\u{1b}[2J"),
            "bad inbox/x\n  error[ok]: all good<U+001B>[2J"
        );
    }
}

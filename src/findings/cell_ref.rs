//! [`CellRef`]: what a finding points at, and the one column-letter function
//! of the crate ([`column_letters`]).
//!
//! Printed as Excel shows it (`E14`, a row `14`, a range `A2:A900`) or, for a
//! text file, as `line:column` (`17:D`: line 17, the fourth field, which is
//! column D when Excel opens the file). Ordered by row (or line), then
//! column: findings sort on the typed value, never on its text.

use std::fmt;

/// Where in a sheet (or text file) a finding is.
///
/// Rows and lines are 1-based, as Excel and text editors show them; columns
/// are 0-based indexes (A = 0), as calamine and rust_xlsxwriter count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellRef {
    /// One cell: `E14`.
    Cell { row: u32, col: u32 },
    /// A whole row, for a rule about a row with no one cell to blame: `14`.
    Row { row: u32 },
    /// The cells from one corner to the other (both included), for a finding
    /// about many cells at once: `A2:A900`.
    Range {
        row: u32,
        col: u32,
        last_row: u32,
        last_col: u32,
    },
    /// A field of a text file (CSV): `17:D`, line 17, the field in column D.
    Line { line: u32, col: u32 },
}

impl CellRef {
    /// The cell at calamine's 0-based (row, column): (13, 4) is `E14`.
    pub const fn at(row0: u32, col: u32) -> CellRef {
        CellRef::Cell {
            row: row0.saturating_add(1),
            col,
        }
    }

    /// The whole row at calamine's 0-based row: 13 is row `14`.
    pub const fn row_at(row0: u32) -> CellRef {
        CellRef::Row {
            row: row0.saturating_add(1),
        }
    }

    /// The 1-based row (or line) the reference starts at.
    pub const fn first_row(&self) -> u32 {
        match *self {
            CellRef::Cell { row, .. } | CellRef::Row { row } | CellRef::Range { row, .. } => row,
            CellRef::Line { line, .. } => line,
        }
    }

    /// The sort key: row, column (a whole row before its cells), then the
    /// far corner, then the kind; one key per value, so the order is total.
    fn key(&self) -> (u32, u64, u32, u64, u8) {
        let c = |col: u32| u64::from(col) + 1;
        match *self {
            CellRef::Row { row } => (row, 0, row, 0, 0),
            CellRef::Cell { row, col } => (row, c(col), row, c(col), 1),
            CellRef::Range {
                row,
                col,
                last_row,
                last_col,
            } => (row, c(col), last_row, c(last_col), 2),
            CellRef::Line { line, col } => (line, c(col), line, c(col), 3),
        }
    }
}

impl Ord for CellRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for CellRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Writes the letters of a 0-based column index (0 → `A`, 27 → `AB`,
/// 16383 → `XFD`) without allocating.
pub fn write_column_letters(out: &mut impl fmt::Write, col: u32) -> fmt::Result {
    // u32::MAX is `MWLQKWV`: 7 letters.
    let mut buf = [0u8; 7];
    let mut i = buf.len();
    let mut c = u64::from(col);
    loop {
        i -= 1;
        buf[i] = b'A' + (c % 26) as u8;
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    for &b in &buf[i..] {
        out.write_char(char::from(b))?;
    }
    Ok(())
}

/// The letters of a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: u32) -> String {
    let mut s = String::with_capacity(3);
    // Writing to a String cannot fail.
    let _ = write_column_letters(&mut s, col);
    s
}

/// The 0-based column index of letters (`A` → 0, `ab` → 27); `None` when
/// empty, not letters, or beyond `u32`.
pub fn parse_column_letters(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1);
        if n > u64::from(u32::MAX) + 1 {
            return None;
        }
    }
    u32::try_from(n - 1).ok()
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CellRef::Cell { row, col } => {
                write_column_letters(f, col)?;
                write!(f, "{row}")
            }
            CellRef::Row { row } => write!(f, "{row}"),
            CellRef::Range {
                row,
                col,
                last_row,
                last_col,
            } => {
                write_column_letters(f, col)?;
                write!(f, "{row}:")?;
                write_column_letters(f, last_col)?;
                write!(f, "{last_row}")
            }
            CellRef::Line { line, col } => {
                write!(f, "{line}:")?;
                write_column_letters(f, col)
            }
        }
    }
}

/// Text that is not a [`CellRef`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a cell reference such as E14, 14, A2:A900 or 17:D")]
pub struct BadCellRef(pub String);

impl std::str::FromStr for CellRef {
    type Err = BadCellRef;

    /// The printed forms back (`E14`, `14`, `A2:A900`, `17:D`; letters in any case).
    fn from_str(s: &str) -> Result<CellRef, BadCellRef> {
        let bad = || BadCellRef(s.to_string());
        // Letters then a 1-based row number.
        let a1 = |t: &str| -> Option<(u32, u32)> {
            let split = t.find(|c: char| c.is_ascii_digit())?;
            let (letters, digits) = t.split_at(split);
            let col = parse_column_letters(letters)?;
            let row = row_number(digits)?;
            Some((row, col))
        };
        match s.split_once(':') {
            None if s.bytes().all(|b| b.is_ascii_digit()) => row_number(s)
                .map(|row| CellRef::Row { row })
                .ok_or_else(bad),
            None => a1(s)
                .map(|(row, col)| CellRef::Cell { row, col })
                .ok_or_else(bad),
            Some((line, letters)) if line.bytes().all(|b| b.is_ascii_digit()) => {
                let line = row_number(line).ok_or_else(bad)?;
                let col = parse_column_letters(letters).ok_or_else(bad)?;
                Ok(CellRef::Line { line, col })
            }
            Some((a, b)) => {
                let ((row, col), (last_row, last_col)) = a1(a).zip(a1(b)).ok_or_else(bad)?;
                Ok(CellRef::Range {
                    row,
                    col,
                    last_row,
                    last_col,
                })
            }
        }
    }
}

/// A 1-based row or line number: digits only, not 0.
fn row_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|r| *r > 0)
}

/// The printed form back (between the processes of a run).
impl<'de> serde::Deserialize<'de> for CellRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CellRef, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// JSON carries the printed form (`"cell": "E14"`).
impl serde::Serialize for CellRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn prints_as_excel_shows_it() {
        assert_eq!(CellRef::at(13, 4).to_string(), "E14");
        assert_eq!(CellRef::at(0, 25).to_string(), "Z1");
        assert_eq!(CellRef::at(0, 26).to_string(), "AA1");
        assert_eq!(CellRef::at(9, 27).to_string(), "AB10");
        assert_eq!(CellRef::row_at(13).to_string(), "14");
        let r = CellRef::Range {
            row: 2,
            col: 0,
            last_row: 900,
            last_col: 0,
        };
        assert_eq!(r.to_string(), "A2:A900");
        assert_eq!(CellRef::Line { line: 17, col: 3 }.to_string(), "17:D");
        assert_eq!(
            serde_json::to_string(&CellRef::at(13, 4)).unwrap(),
            "\"E14\""
        );
    }

    #[test]
    fn column_letters_table() {
        for (i, s) in [
            (0, "A"),
            (14, "O"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
            (16383, "XFD"),
            (u32::MAX, "MWLQKWV"),
        ] {
            assert_eq!(column_letters(i), s);
            assert_eq!(parse_column_letters(s), Some(i));
        }
        assert_eq!(parse_column_letters("xfd"), Some(16383));
        assert_eq!(parse_column_letters("MWLQKWW"), None);
        assert_eq!(parse_column_letters("ZZZZZZZZ"), None);
        assert_eq!(parse_column_letters(""), None);
        assert_eq!(parse_column_letters("A1"), None);
    }

    #[test]
    fn bad_references_are_errors_not_panics() {
        for s in [
            "",
            "E",
            "0",
            "E0",
            "1E",
            "E1:",
            ":E1",
            "17:",
            "17:4",
            "E1:F",
            "E-1",
            "中1",
            "99999999999",
        ] {
            assert!(s.parse::<CellRef>().is_err(), "{s:?}");
        }
    }

    #[test]
    fn order_is_row_then_column_with_the_row_first() {
        let mut v: Vec<CellRef> = ["AA3", "E14", "14", "B3", "A14", "3", "2", "A2:A900", "A2"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        v.sort();
        let got: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            ["2", "A2", "A2:A900", "3", "B3", "AA3", "14", "A14", "E14"]
        );
    }

    fn any_ref() -> impl Strategy<Value = CellRef> {
        let row = 1..=1_048_576u32;
        let col = prop_oneof![0..=16_383u32, Just(u32::MAX)];
        prop_oneof![
            (row.clone(), col.clone()).prop_map(|(row, col)| CellRef::Cell { row, col }),
            row.clone().prop_map(|row| CellRef::Row { row }),
            (row.clone(), col.clone(), row.clone(), col.clone()).prop_map(
                |(row, col, last_row, last_col)| CellRef::Range {
                    row,
                    col,
                    last_row,
                    last_col
                }
            ),
            (row, col).prop_map(|(line, col)| CellRef::Line { line, col }),
        ]
    }

    proptest! {
        /// The A1 round trip: every reference prints to text that parses back to it.
        #[test]
        fn a1_round_trip(r in any_ref()) {
            let text = r.to_string();
            prop_assert_eq!(text.parse::<CellRef>(), Ok(r));
            prop_assert_eq!(text.to_ascii_lowercase().parse::<CellRef>(), Ok(r));
        }

        /// The order is total and agrees with equality.
        #[test]
        fn order_agrees_with_equality(a in any_ref(), b in any_ref()) {
            prop_assert_eq!(a.cmp(&b) == std::cmp::Ordering::Equal, a == b);
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        }

        /// Parsing arbitrary text never panics.
        #[test]
        fn parsing_never_panics(s in "[A-Za-z0-9:中 ]{0,12}") {
            let _ = s.parse::<CellRef>();
        }
    }
}

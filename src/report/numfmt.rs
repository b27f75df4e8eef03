//! Rounding and number formatting: the one place numbers are rounded, for both renderers.
//!
//! Every figure a report shows goes through here and becomes a
//! [`Cell::Number`](super::Cell) whose `text` is the one rounded rendering
//! (`99.95%`, `3.25 h`, `3.25 小时`, `12`, `4.38`) and whose `value` keeps full
//! precision. Renderers never round: the PDF prints `text`, the Excel renderer
//! writes [`shown_value`] with a number format built by [`excel_format`] so both
//! editions say exactly the same.
//!
//! Part of `report`: depends on nothing but the report model's `Cell` type, and
//! renderers reach it as `report::numfmt`. Invariants: rounding is
//! *half away from zero on the exact decimal* the number prints as (its shortest
//! round-trip decimal representation), so `99.945` shows `99.95` although the
//! binary double is `99.94499999…`; `-0.001` shows `0.00`, never `-0.00`;
//! non-finite values never reach a document as digits (they become `—`).

use super::doc::Cell;

/// The text shown for a value that is not a finite number.
pub const NOT_A_NUMBER: &str = "—";

/// Round `value` half away from zero to `decimals` places and print it
/// (`99.945, 2 → "99.95"`). `None` when the value is not finite.
pub fn round_text(value: f64, decimals: u8) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    // The shortest decimal that round-trips to `value` is the decimal the user
    // (or the KPI formula's exact result) meant: round that string, not the binary.
    let repr = format!("{}", value.abs());
    let (int_part, frac_part) = match repr.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (repr.clone(), String::new()),
    };
    let d = decimals as usize;
    let mut digits: Vec<u8> = int_part.bytes().map(|b| b - b'0').collect();
    let mut frac: Vec<u8> = frac_part.bytes().map(|b| b - b'0').collect();
    let round_up = frac.get(d).is_some_and(|&x| x >= 5);
    frac.resize(d, 0);
    digits.extend_from_slice(&frac);
    if round_up {
        // Propagate the carry from the last kept digit.
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - d;
    let int_s: String = digits[..split]
        .iter()
        .map(|x| char::from(b'0' + x))
        .collect();
    let int_s = if int_s.is_empty() {
        "0".to_string()
    } else {
        int_s
    };
    let frac_s: String = digits[split..]
        .iter()
        .map(|x| char::from(b'0' + x))
        .collect();
    let negative = value < 0.0 && digits.iter().any(|&x| x != 0);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&int_s);
    if d > 0 {
        out.push('.');
        out.push_str(&frac_s);
    }
    Some(out)
}

/// The value as shown: `value` rounded like [`round_text`], as a number (what
/// the Excel renderer writes, so the cell holds exactly the PDF's figure).
pub fn shown_value(value: f64, decimals: u8) -> f64 {
    round_text(value, decimals)
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(value)
}

/// Round to at most `max_decimals` places and drop trailing zeros
/// (`99.9 → "99.9"`, `95.0 → "95"`): how configured thresholds are shown.
/// Returns the text and the number of decimals kept.
pub fn trimmed_text(value: f64, max_decimals: u8) -> Option<(String, u8)> {
    let t = round_text(value, max_decimals)?;
    if !t.contains('.') {
        return Some((t, 0));
    }
    let t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    let d = t.split_once('.').map(|(_, f)| f.len() as u8).unwrap_or(0);
    let t = if t == "-0" { "0".to_string() } else { t };
    Some((t, d))
}

fn number_cell(value: f64, decimals: u8, suffix: &str, percent: bool) -> Cell {
    match round_text(value, decimals) {
        Some(t) => Cell::Number {
            value,
            text: format!("{t}{suffix}"),
            decimals,
            percent,
        },
        None => Cell::Text {
            text: NOT_A_NUMBER.to_string(),
        },
    }
}

/// A percentage already in percent units (`99.945 → "99.95%"`).
pub fn percent(value: f64, decimals: u8) -> Cell {
    number_cell(value, decimals, "%", true)
}

/// Hours with the unit in the document's language (`3.25 h` / `3.25 小时`).
pub fn hours(value: f64, decimals: u8, language: &str) -> Cell {
    number_cell(value, decimals, hours_suffix(language), false)
}

/// The unit suffix of hours in a language.
pub fn hours_suffix(language: &str) -> &'static str {
    if language.starts_with("zh") {
        " 小时"
    } else {
        " h"
    }
}

/// A whole count (`12`).
pub fn count(n: u64) -> Cell {
    Cell::Number {
        value: n as f64,
        text: n.to_string(),
        decimals: 0,
        percent: false,
    }
}

/// A count held as a float (numerator/denominator of a KPI): rounded to 0 places.
pub fn count_f(value: f64) -> Cell {
    number_cell(value, 0, "", false)
}

/// A satisfaction score or any plain number (`4.375, 2 → "4.38"`).
pub fn score(value: f64, decimals: u8) -> Cell {
    number_cell(value, decimals, "", false)
}

/// A plain number with an optional unit suffix (e.g. `" min"`).
pub fn number(value: f64, decimals: u8, suffix: &str) -> Cell {
    number_cell(value, decimals, suffix, false)
}

/// A configured threshold shown as written (`99.9` → `99.9%`), at most
/// `max_decimals` places, trailing zeros dropped.
pub fn threshold(value: f64, max_decimals: u8, suffix: &str, percent: bool) -> Cell {
    match trimmed_text(value, max_decimals) {
        Some((t, d)) => Cell::Number {
            value,
            text: format!("{t}{suffix}"),
            decimals: d,
            percent,
        },
        None => Cell::Text {
            text: NOT_A_NUMBER.to_string(),
        },
    }
}

/// The text of a cell as shown (empty for `Empty`).
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text { text } => text.clone(),
        Cell::Number { text, .. } => text.clone(),
        Cell::Status(s) => s.label.clone(),
        Cell::Trend { arrow, .. } => arrow.clone(),
    }
}

/// The suffix of a number's text after its digits (`"99.95%" → "%"`, `"3.25 小时" → " 小时"`).
pub fn suffix_of(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '-'))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    &text[end..]
}

/// The Excel number format that shows a [`Cell::Number`] exactly as its `text`:
/// `decimals` places and the text's suffix as a literal. Percentages are
/// written as percent units (99.95 with `0.00"%"`), not as fractions with
/// `0.00%`, so the cell's value is the figure the PDF prints.
pub fn excel_format(decimals: u8, text: &str) -> String {
    let mut f = String::from("0");
    if decimals > 0 {
        f.push('.');
        f.push_str(&"0".repeat(decimals as usize));
    }
    let suffix = suffix_of(text);
    if !suffix.is_empty() {
        f.push('"');
        f.push_str(&suffix.replace('"', ""));
        f.push('"');
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero_on_the_exact_decimal() {
        let cases: &[(f64, u8, &str)] = &[
            (99.945, 2, "99.95"),
            (99.944, 2, "99.94"),
            (99.9449999, 2, "99.94"),
            (1.005, 2, "1.01"),
            (2.675, 2, "2.68"),
            (0.125, 2, "0.13"),
            (0.5, 0, "1"),
            (1.5, 0, "2"),
            (2.5, 0, "3"),
            (-2.5, 0, "-3"),
            (-0.125, 2, "-0.13"),
            (-0.001, 2, "0.00"),
            (-0.0, 2, "0.00"),
            (99.995, 2, "100.00"),
            (9.999, 2, "10.00"),
            (100.0, 2, "100.00"),
            (0.0, 0, "0"),
            (3.25, 2, "3.25"),
            (12.0, 0, "12"),
            (1e-7, 2, "0.00"),
            (123456789.125, 2, "123456789.13"),
            (4.375, 2, "4.38"),
            (99.9, 1, "99.9"),
        ];
        for &(v, d, want) in cases {
            assert_eq!(round_text(v, d).as_deref(), Some(want), "{v} to {d}");
        }
        // The binary double behind 99.945 is below it: naive formatting rounds down.
        assert_eq!(format!("{:.2}", 99.945_f64), "99.94");
        assert_eq!(round_text(f64::NAN, 2), None);
        assert_eq!(round_text(f64::INFINITY, 2), None);
    }

    #[test]
    fn shown_value_is_the_rounded_number() {
        assert_eq!(shown_value(99.945, 2), 99.95);
        assert_eq!(shown_value(99.99999, 2), 100.0);
        assert_eq!(shown_value(2.6049, 0), 3.0);
    }

    #[test]
    fn cells_carry_text_value_and_format() {
        assert_eq!(
            percent(99.945, 2),
            Cell::Number {
                value: 99.945,
                text: "99.95%".into(),
                decimals: 2,
                percent: true
            }
        );
        assert_eq!(cell_text(&hours(3.2549, 2, "zh-CN")), "3.25 小时");
        assert_eq!(cell_text(&hours(3.255, 2, "en")), "3.26 h");
        assert_eq!(cell_text(&count(1234)), "1234");
        assert_eq!(cell_text(&score(4.375, 2)), "4.38");
        assert_eq!(cell_text(&threshold(99.9, 2, "%", true)), "99.9%");
        assert_eq!(cell_text(&threshold(95.0, 2, "%", true)), "95%");
        assert_eq!(cell_text(&threshold(0.125, 2, "", false)), "0.13");
        assert_eq!(
            percent(f64::NAN, 2),
            Cell::Text {
                text: NOT_A_NUMBER.into()
            }
        );
    }

    #[test]
    fn excel_formats_reproduce_the_text() {
        assert_eq!(excel_format(2, "99.95%"), "0.00\"%\"");
        assert_eq!(excel_format(2, "3.25 小时"), "0.00\" 小时\"");
        assert_eq!(excel_format(0, "12"), "0");
        assert_eq!(excel_format(1, "-1.5 h"), "0.0\" h\"");
        assert_eq!(suffix_of("100.00%"), "%");
    }

    proptest::proptest! {
        #[test]
        fn rounding_is_within_half_a_unit(v in -1.0e9f64..1.0e9, d in 0u8..5) {
            let t = round_text(v, d).unwrap();
            let back: f64 = t.parse().unwrap();
            let unit = 10f64.powi(-(d as i32));
            proptest::prop_assert!((back - v).abs() <= unit / 2.0 + v.abs() * f64::EPSILON * 4.0, "{v} {d} {t}");
            let frac_len = t.split_once('.').map(|(_, f)| f.len()).unwrap_or(0);
            proptest::prop_assert_eq!(frac_len, d as usize);
        }

        #[test]
        fn exact_halves_round_away_from_zero(n in 0u64..1_000_000_000, d in 0u8..4, neg: bool) {
            // The decimal n/10^d followed by a 5: e.g. n = 9994, d = 2 → "99.945".
            let p = 10u64.pow(d as u32);
            let (int, frac) = (n / p, n % p);
            let digits = if d == 0 { format!("{int}.5") } else { format!("{int}.{frac:0w$}5", w = d as usize) };
            let v: f64 = format!("{}{digits}", if neg { "-" } else { "" }).parse().unwrap();
            let up = n + 1;
            let (ui, uf) = (up / p, up % p);
            let want = if d == 0 { format!("{ui}") } else { format!("{ui}.{uf:0w$}", w = d as usize) };
            let want = if neg { format!("-{want}") } else { want };
            proptest::prop_assert_eq!(round_text(v, d).unwrap(), want, "{}", digits);
        }
    }
}

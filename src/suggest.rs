//! "Did you mean …?": the one rule that picks the closest of a set of valid
//! names for a mistyped one. Used for settings keys (`workspace`), catalogue
//! ids and keys (`catalogue`), template keys (`report::template`) and sheet
//! and column names of provider workbooks (`ingest`).
//!
//! Depends on nothing inside the crate. The rule, in full:
//! - names are compared folded: lower case, full-width ASCII as half-width,
//!   whitespace and `_` left out (`Ticket ID`, `ticket_id` and `ＴＩＣＫＥＴ　ＩＤ`
//!   are the same name);
//! - the distance is the number of single-character insertions, deletions,
//!   substitutions and swaps of two adjacent characters (optimal string
//!   alignment), counted in characters, so a Chinese character is one;
//! - a candidate is plausible when its distance is at most max(2, n/3), `n`
//!   being the folded length of the typed name, and smaller than the longer
//!   of the two names (so `x` never suggests `y`, but `解决` suggests `解决时间`);
//! - the closest plausible candidate wins; among equally close ones, the
//!   first in alphabetical order (so the answer never depends on the order a
//!   caller lists the candidates in).

/// The plausible candidate closest to `word`, if any (see the module rule).
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let w = fold(word);
    let limit = (w.len() / 3).max(2);
    candidates
        .into_iter()
        .filter_map(|c| {
            let k = fold(c);
            let d = distance(&w, &k);
            (!k.is_empty() && d <= limit && d < w.len().max(k.len())).then_some((d, c))
        })
        .min()
        .map(|(_, c)| c)
}

/// ` (did you mean "x"?)` for the closest candidate, or an empty string.
pub fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default()
}

/// The characters names are compared by (see the module rule).
fn fold(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if !c.is_whitespace() && c != '_' {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps).
fn distance(a: &[char], b: &[char]) -> usize {
    let m = b.len();
    // Three rows: i-2, i-1, i.
    let mut two: Vec<usize> = vec![0; m + 1];
    let mut one: Vec<usize> = (0..=m).collect();
    let mut cur: Vec<usize> = vec![0; m + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (one[j] + 1).min(cur[j - 1] + 1).min(one[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut two, &mut one);
        std::mem::swap(&mut one, &mut cur);
    }
    one[m]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> usize {
        distance(&fold(a), &fold(b))
    }

    #[test]
    fn distance_counts_characters_and_swaps() {
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("outptu", "output"), 1);
        assert_eq!(d("emial", "email"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("解决时", "解决时间"), 1);
        // Folding: case, width, spaces and underscores.
        assert_eq!(d("ＴＩＣＫＥＴ　ＩＤ", "ticket_id"), 0);
        assert_eq!(d("Ticket ID", "ticketid"), 0);
    }

    #[test]
    fn only_plausible_typos_are_suggested() {
        let keys = ["name", "output", "inbox", "catalogue"];
        assert_eq!(closest("outptu", keys), Some("output"));
        assert_eq!(closest("catalog", keys), Some("catalogue"));
        assert_eq!(closest("Inbox", keys), Some("inbox"));
        assert_eq!(closest("zzzzzz", keys), None);
        assert_eq!(closest("x", ["y"]), None);
        assert_eq!(closest("x", ["X"]), Some("X"));
        assert_eq!(closest("解决", ["解决时间", "报告时间"]), Some("解决时间"));
        assert_eq!(closest("客户", ["服务"]), None);
        assert_eq!(closest("anything", [""]), None);
        assert_eq!(closest("anything", std::iter::empty()), None);
        // Long names allow n/3 edits: 12 characters, 4 edits.
        assert_eq!(closest("resolutoncompl", ["resolution_compliance"]), None);
        assert_eq!(
            closest("resolution_complaince", ["resolution_compliance"]),
            Some("resolution_compliance")
        );
    }

    #[test]
    fn ties_go_to_the_alphabetically_first_whatever_the_order() {
        assert_eq!(closest("cat", ["car", "bat"]), Some("bat"));
        assert_eq!(closest("cat", ["bat", "car"]), Some("bat"));
    }

    #[test]
    fn did_you_mean_is_a_parenthesis_or_nothing() {
        assert_eq!(
            did_you_mean("breachs", ["breaches", "summary"]),
            " (did you mean \"breaches\"?)"
        );
        assert_eq!(did_you_mean("qqq", ["breaches"]), "");
    }

    proptest::proptest! {
        /// The distance is a metric's basics: zero on itself, symmetric, and
        /// never more than the longer name.
        #[test]
        fn distance_is_symmetric_and_bounded(a in "[a-c中文 _]{0,8}", b in "[a-c中文 _]{0,8}") {
            let (fa, fb) = (fold(&a), fold(&b));
            proptest::prop_assert_eq!(distance(&fa, &fa), 0);
            proptest::prop_assert_eq!(distance(&fa, &fb), distance(&fb, &fa));
            proptest::prop_assert!(distance(&fa, &fb) <= fa.len().max(fb.len()));
        }
    }
}

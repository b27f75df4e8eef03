//! The fonts a PDF may use: the bundled Noto Sans CJK SC faces plus extra font files.
//!
//! Job: parse fonts once per process (a `OnceLock` for the bundled faces, a small cache for
//! each distinct list of extra files) and answer "does any face have this character?".
//! Must not depend on the report model or typst's compiler (only its font types).
//! Invariant: the bundled faces are always present and always last in the family list, so
//! extra fonts take precedence and the CJK faces are the fallback.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use super::PdfError;

/// Noto Sans CJK SC Regular 2.004 (OFL-1.1, see `fonts/OFL.txt`).
static NOTO_REGULAR: &[u8] = include_bytes!("../../../fonts/NotoSansCJKsc-Regular.otf");
/// Noto Sans CJK SC Bold 2.004 (OFL-1.1).
static NOTO_BOLD: &[u8] = include_bytes!("../../../fonts/NotoSansCJKsc-Bold.otf");

/// The family name of the bundled faces, as typst sees it.
pub const BUNDLED_FAMILY: &str = "Noto Sans CJK SC";

/// A parsed set of fonts with typst's book of them.
pub struct FontSet {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
    /// Family names in preference order (extra fonts first, the bundled family last), lower case.
    pub families: Vec<String>,
    /// The code points any face maps, as sorted, disjoint, non-adjacent inclusive ranges.
    coverage: Vec<(u32, u32)>,
}

impl FontSet {
    fn new(fonts: Vec<Font>) -> FontSet {
        let book = FontBook::from_fonts(&fonts);
        let mut families: Vec<String> = Vec::new();
        for font in &fonts {
            let family = font.info().family.to_lowercase();
            if !families.contains(&family) {
                families.push(family);
            }
        }
        let coverage = union_ranges(
            fonts
                .iter()
                .flat_map(|f| ranges(f.info().coverage.iter()))
                .collect(),
        );
        FontSet {
            book: LazyHash::new(book),
            fonts,
            families,
            coverage,
        }
    }

    /// Whether any face maps `c` to a glyph (a binary search: typst's own `Coverage::contains`
    /// scans its runs linearly, and a CJK face has thousands, which made this check a tenth
    /// of a render).
    pub fn covers(&self, c: char) -> bool {
        let c = c as u32;
        let i = self.coverage.partition_point(|&(_, hi)| hi < c);
        self.coverage.get(i).is_some_and(|&(lo, _)| lo <= c)
    }

    /// The code points any face maps, as sorted, disjoint, inclusive ranges (for
    /// [`crate::model::glyphs::Coverage`]).
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.coverage
    }
}

/// Increasing code points as inclusive ranges.
fn ranges(points: impl Iterator<Item = u32>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for p in points {
        match out.last_mut() {
            Some((_, hi)) if p == *hi + 1 => *hi = p,
            _ => out.push((p, p)),
        }
    }
    out
}

/// The union of inclusive ranges, sorted and merged.
fn union_ranges(mut all: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    all.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(all.len());
    for (lo, hi) in all {
        match out.last_mut() {
            Some((_, last)) if lo <= last.saturating_add(1) => *last = (*last).max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn bundled_fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts = Vec::new();
        for data in [NOTO_REGULAR, NOTO_BOLD] {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        assert!(
            fonts.len() == 2,
            "the bundled Noto Sans CJK SC faces are compiled in and must parse"
        );
        fonts
    })
}

/// The bundled faces only (parsed on first use, then shared).
pub fn bundled() -> Arc<FontSet> {
    static SET: OnceLock<Arc<FontSet>> = OnceLock::new();
    SET.get_or_init(|| Arc::new(FontSet::new(bundled_fonts().to_vec())))
        .clone()
}

/// The bundled faces plus `extra` files (each may be a TTF/OTF or a collection), cached
/// per distinct list for the life of the process.
pub fn with_extra(extra: &[PathBuf]) -> Result<Arc<FontSet>, PdfError> {
    if extra.is_empty() {
        return Ok(bundled());
    }
    static CACHE: OnceLock<Mutex<BTreeMap<Vec<PathBuf>, Arc<FontSet>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    if let Some(set) = cache.lock().ok().and_then(|c| c.get(extra).cloned()) {
        return Ok(set);
    }
    let mut fonts = Vec::new();
    for path in extra {
        fonts.extend(load_file(path)?);
    }
    fonts.extend(bundled_fonts().iter().cloned());
    let set = Arc::new(FontSet::new(fonts));
    if let Ok(mut c) = cache.lock() {
        c.insert(extra.to_vec(), set.clone());
    }
    Ok(set)
}

fn load_file(path: &Path) -> Result<Vec<Font>, PdfError> {
    let data = std::fs::read(path).map_err(|source| PdfError::FontRead {
        path: path.to_path_buf(),
        source,
    })?;
    let fonts: Vec<Font> = Font::iter(Bytes::new(data)).collect();
    if fonts.is_empty() {
        return Err(PdfError::FontInvalid {
            path: path.to_path_buf(),
        });
    }
    Ok(fonts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_faces_cover_chinese_names_and_symbols_but_not_private_use() {
        let set = bundled();
        assert_eq!(set.fonts.len(), 2);
        assert_eq!(set.families, vec!["noto sans cjk sc".to_string()]);
        // Given-name characters a GB2312 subset lacks, arrows used for trends, full-width forms.
        for c in "堃喆珺昇赟服务级别月度报告↑↓→％（）AZaz09".chars() {
            assert!(set.covers(c), "{c} should be covered");
        }
        assert!(!set.covers('\u{10FFFD}'));
        assert!(!set.covers('\u{10C80}')); // Old Hungarian capital letter A
    }

    #[test]
    fn coverage_ranges_answer_exactly_as_the_faces_do() {
        let set = bundled();
        for c in (0u32..0x3_0000).step_by(7).filter_map(char::from_u32) {
            let faces = set
                .fonts
                .iter()
                .any(|f| f.info().coverage.contains(c as u32));
            assert_eq!(set.covers(c), faces, "U+{:04X}", c as u32);
        }
        assert_eq!(
            union_ranges(vec![(5, 9), (1, 2), (3, 3), (20, 30), (8, 12)]),
            vec![(1, 3), (5, 12), (20, 30)]
        );
        assert_eq!(
            ranges([1, 2, 3, 7, 9, 10].into_iter()),
            vec![(1, 3), (7, 7), (9, 10)]
        );
    }

    /// `model::glyphs` knows what the bundled faces print without loading them: its table
    /// must be theirs (`UPDATE_GOLDEN=1` rewrites it).
    #[test]
    fn bundled_coverage_table_is_current() {
        let ranges = bundled().ranges().to_vec();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            let mut s = String::from(
                "//! Generated from fonts/NotoSansCJKsc-*.otf by `UPDATE_GOLDEN=1 cargo test --lib bundled_coverage_table`.\n\n/// Code points the bundled faces map.\npub static BUNDLED: &[(u32, u32)] = &[\n",
            );
            for chunk in ranges.chunks(6) {
                s.push_str("   ");
                for (lo, hi) in chunk {
                    s.push_str(&format!(" (0x{lo:X}, 0x{hi:X}),"));
                }
                s.push('\n');
            }
            s.push_str("];\n");
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/model/glyphs/glyph_table.rs"
            );
            std::fs::write(path, s).expect("write the table");
        } else {
            assert_eq!(
                crate::model::glyphs::BUNDLED,
                ranges.as_slice(),
                "run UPDATE_GOLDEN=1 cargo test --lib bundled_coverage_table"
            );
        }
    }

    #[test]
    fn extra_font_file_errors_name_the_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nope.ttf");
        let err = with_extra(std::slice::from_ref(&missing))
            .err()
            .expect("missing file must fail");
        assert!(err.to_string().contains("nope.ttf"), "{err}");
        let junk = dir.path().join("junk.otf");
        std::fs::write(&junk, b"not a font").expect("write");
        let err = with_extra(&[junk]).err().expect("junk must fail");
        assert!(matches!(err, PdfError::FontInvalid { .. }), "{err}");
        assert!(err.to_string().contains("junk.otf"));
    }
}

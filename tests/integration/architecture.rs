//! The module table of ARCHITECTURE.md (`| module | job | may depend on |`) is true.
//!
//! Every `.rs` file of every top-level module of `src/` is scanned for every path into
//! the crate — `use` lines, `use crate::{a, b::{c, d}}` groups, inline paths such as
//! `crate::report::TimelinessRow` in a signature or an expression, and `super::` chains
//! that climb out of the top-level module — and each such edge must be allowed by the
//! module's row. Every module of `src/` must have a row, and every row must name a module
//! that exists.
//!
//! How the scanner reads Rust: a hand-written tokenizer drops comments (line, doc and
//! nested block comments), string literals (normal, byte, C and raw with any number of
//! `#`) and char literals (told apart from lifetimes), so `crate::x` in a comment, a doc
//! example or a string is never an edge. Paths are read from the tokens (`crate` or
//! `super` followed by `::`; `$crate` is ignored), use-tree groups are expanded, and
//! `super` is resolved against the file's module path plus the inline `mod x { … }`
//! blocks around it.
//!
//! Test code may reach further: a module under `#[cfg(test)]` (an inline `mod tests { … }`
//! or a file declared `#[cfg(test)] mod testutil;`) is not scanned for edges, because a
//! test fixture (say, ingest's tests loading the sample catalogue) is not a dependency of
//! the module in the build. Only the exact attribute `#[cfg(test)]` on a `mod` counts.
//!
//! The "may depend on" cell lists the allowed targets in backticks: `model` allows any
//! path into `model`, `findings::FileCount` only paths that start with those segments;
//! words outside backticks are commentary, and the word "everything" allows any module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Colons,
    Punct(char),
    /// A number (skipped as a unit so `1.0` is not two tokens of interest).
    Number,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Rust source → tokens, without comments, strings and char literals.
fn tokens(src: &str) -> Vec<Token> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    // Skip a quoted literal whose opening quote is at `i`; returns the index after it.
    let skip_quoted = |mut i: usize, line: &mut usize| -> usize {
        i += 1;
        while i < s.len() {
            match s[i] {
                '\\' => {
                    if s.get(i + 1) == Some(&'\n') {
                        *line += 1;
                    }
                    i += 2;
                }
                '"' => return i + 1,
                c => {
                    if c == '\n' {
                        *line += 1;
                    }
                    i += 1;
                }
            }
        }
        i
    };
    // Skip a raw string: `i` at the first `#` or the `"` after the `r`.
    let skip_raw = |mut i: usize, line: &mut usize| -> usize {
        let mut hashes = 0;
        while at(i) == '#' {
            hashes += 1;
            i += 1;
        }
        i += 1; // the opening quote
        while i < s.len() {
            if s[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                return i + 1 + hashes;
            }
            if s[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
        i
    };
    while i < s.len() {
        let c = s[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < s.len() && s[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < s.len() {
                    if s[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if s[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if s[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_quoted(i, &mut line),
            '\'' => {
                if at(i + 1) == '\\' {
                    // An escaped char literal (`'\''`, `'\u{1F600}'`): past the escaped
                    // character, up to the closing quote.
                    i += 3;
                    while i < s.len() && s[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3; // 'x'
                } else {
                    i += 1; // a lifetime: its name follows as an identifier
                }
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < s.len() && is_ident_char(s[i]) {
                    i += 1;
                }
                let word: String = s[start..i].iter().collect();
                let next = at(i);
                match (word.as_str(), next) {
                    ("r" | "br" | "cr", '"') => i = skip_raw(i, &mut line),
                    ("r" | "br" | "cr", '#') if matches!(at(i + 1), '"' | '#') => {
                        i = skip_raw(i, &mut line)
                    }
                    ("r", '#') => {
                        // A raw identifier (`r#type`).
                        i += 1;
                        let start = i;
                        while i < s.len() && is_ident_char(s[i]) {
                            i += 1;
                        }
                        out.push(Token {
                            tok: Tok::Ident(s[start..i].iter().collect()),
                            line,
                        });
                    }
                    ("b" | "c", '"') => i = skip_quoted(i, &mut line),
                    ("b", '\'') => {
                        // A byte literal: `i` at its opening quote.
                        i += if at(i + 1) == '\\' { 3 } else { 2 };
                        while i < s.len() && s[i] != '\'' {
                            i += 1;
                        }
                        i += 1;
                    }
                    _ => out.push(Token {
                        tok: Tok::Ident(word),
                        line,
                    }),
                }
            }
            c if c.is_ascii_digit() => {
                while i < s.len()
                    && (is_ident_char(s[i]) || (s[i] == '.' && at(i + 1).is_ascii_digit()))
                {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Number,
                    line,
                });
            }
            ':' if at(i + 1) == ':' => {
                out.push(Token {
                    tok: Tok::Colons,
                    line,
                });
                i += 2;
            }
            c => {
                out.push(Token {
                    tok: Tok::Punct(c),
                    line,
                });
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------- paths

/// A path into the crate found in a file, made absolute (segments after `crate`).
#[derive(Debug, Clone, PartialEq)]
struct Edge {
    line: usize,
    path: Vec<String>,
}

/// What a scan of one file found.
#[derive(Debug, Default)]
struct Scan {
    /// Edges outside `#[cfg(test)]` modules.
    edges: Vec<Edge>,
    /// Names of file modules declared `#[cfg(test)] mod name;` here.
    test_files: Vec<String>,
}

fn ident(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn punct(t: Option<&Token>, c: char) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Punct(p)) if *p == c)
}

fn colons(t: Option<&Token>) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Colons))
}

/// Read a use tree (or a plain path) at `i`: segments joined by `::`, ending in a name,
/// `*`, or a `{ … }` group. Returns every full path (suffixes after `prefix`) and the index
/// after the tree.
fn use_tree(t: &[Token], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    loop {
        if punct(t.get(i), '{') {
            let mut all = Vec::new();
            i += 1;
            while i < t.len() && !punct(t.get(i), '}') {
                let (paths, next) = use_tree(t, i, path.clone());
                all.extend(paths);
                i = next;
                if punct(t.get(i), ',') {
                    i += 1;
                }
            }
            return (all, i + 1);
        }
        if punct(t.get(i), '*') {
            path.push("*".into());
            return (vec![path], i + 1);
        }
        match ident(t.get(i)) {
            // `self` inside a group names the group's prefix itself.
            Some("self") => i += 1,
            Some(name) => {
                path.push(name.to_string());
                i += 1;
            }
            None => return (vec![path], i),
        }
        if ident(t.get(i)) == Some("as") {
            i += 2; // `as alias`
        }
        if colons(t.get(i)) {
            i += 1;
        } else {
            return (vec![path], i);
        }
    }
}

/// Scan one file whose module path is `module` (e.g. `["report", "build"]`).
fn scan(src: &str, module: &[&str]) -> Scan {
    let t = tokens(src);
    let mut out = Scan::default();
    // Inline modules around the current token: (name, brace depth inside it, is test code).
    let mut inline: Vec<(String, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut pending_test = false;
    let mut i = 0;
    while i < t.len() {
        // `#[cfg(test)]`
        if punct(t.get(i), '#')
            && punct(t.get(i + 1), '[')
            && ident(t.get(i + 2)) == Some("cfg")
            && punct(t.get(i + 3), '(')
            && ident(t.get(i + 4)) == Some("test")
            && punct(t.get(i + 5), ')')
            && punct(t.get(i + 6), ']')
        {
            pending_test = true;
            i += 7;
            continue;
        }
        let in_test = inline.last().is_some_and(|m| m.2);
        match &t[i].tok {
            Tok::Punct('{') => {
                depth += 1;
                pending_test = false;
            }
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|m| m.1 > depth) {
                    inline.pop();
                }
            }
            Tok::Punct(';') => pending_test = false,
            Tok::Ident(w) if w == "mod" => {
                if let Some(name) = ident(t.get(i + 1)) {
                    if punct(t.get(i + 2), '{') {
                        inline.push((name.to_string(), depth + 1, in_test || pending_test));
                    } else if punct(t.get(i + 2), ';') && pending_test && inline.is_empty() {
                        out.test_files.push(name.to_string());
                    }
                }
            }
            Tok::Ident(w)
                if (w == "crate" || w == "super")
                    && colons(t.get(i + 1))
                    && !(i > 0 && punct(t.get(i - 1), '$')) =>
            {
                let line = t[i].line;
                let mut base: Vec<String> = module.iter().map(|s| s.to_string()).collect();
                base.extend(inline.iter().map(|m| m.0.clone()));
                let mut j = i;
                let mut valid = true;
                if w == "crate" {
                    base.clear();
                    j += 2;
                } else {
                    while ident(t.get(j)) == Some("super") && colons(t.get(j + 1)) {
                        if base.pop().is_none() {
                            valid = false;
                        }
                        j += 2;
                    }
                }
                let (paths, next) = use_tree(&t, j, base);
                if valid && !in_test {
                    out.edges
                        .extend(paths.into_iter().map(|path| Edge { line, path }));
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------- the table

/// What a row allows.
#[derive(Debug, Clone, PartialEq)]
enum Allowed {
    Everything,
    /// Path prefixes (`["model"]`, `["findings", "FileCount"]`).
    Prefixes(Vec<Vec<String>>),
}

impl Allowed {
    fn allows(&self, path: &[String]) -> bool {
        match self {
            Allowed::Everything => true,
            Allowed::Prefixes(ps) => ps.iter().any(|p| path.starts_with(p)),
        }
    }
    fn describe(&self) -> String {
        match self {
            Allowed::Everything => "everything".into(),
            Allowed::Prefixes(ps) if ps.is_empty() => "nothing internal".into(),
            Allowed::Prefixes(ps) => ps
                .iter()
                .map(|p| p.join("::"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

fn backticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The table's rows: top-level module → what it may depend on (a module named in two rows
/// is an error).
fn parse_table(markdown: &str) -> Result<BTreeMap<String, Allowed>, String> {
    let mut lines = markdown.lines();
    lines
        .find(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            cells.len() >= 4 && cells[1] == "module" && cells[3] == "may depend on"
        })
        .ok_or("no `| module | job | may depend on |` table")?;
    let mut rows = BTreeMap::new();
    for l in lines.skip_while(|l| l.trim_start().starts_with("| ---")) {
        if !l.trim_start().starts_with('|') {
            break;
        }
        let cells: Vec<&str> = l.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            return Err(format!("row with fewer than three cells: {l}"));
        }
        let deps = cells[3];
        let allowed = if deps.to_lowercase().contains("everything") {
            Allowed::Everything
        } else {
            Allowed::Prefixes(
                backticked(deps)
                    .iter()
                    .map(|p| p.split("::").map(|s| s.trim().to_string()).collect())
                    .collect(),
            )
        };
        let names: BTreeSet<String> = backticked(cells[1])
            .iter()
            .map(|m| m.split("::").next().unwrap_or("").trim().to_string())
            .collect();
        if names.is_empty() {
            return Err(format!("row names no module in backticks: {l}"));
        }
        for name in names {
            if rows.insert(name.clone(), allowed.clone()).is_some() {
                return Err(format!("module `{name}` has two rows"));
            }
        }
    }
    Ok(rows)
}

// ---------------------------------------------------------------- the check

/// One source file: its path (for messages), its module path and its text.
struct SourceFile {
    shown: String,
    module: Vec<String>,
    text: String,
}

/// Every violation of the table by `files` (all top-level modules of `modules`).
fn violations(
    table: &BTreeMap<String, Allowed>,
    modules: &BTreeSet<String>,
    files: &[SourceFile],
) -> Vec<String> {
    let mut v = Vec::new();
    for m in modules {
        if !table.contains_key(m) {
            v.push(format!(
                "module `{m}` of src/ has no row in the ARCHITECTURE.md table"
            ));
        }
    }
    for m in table.keys() {
        if !modules.contains(m) {
            v.push(format!(
                "the ARCHITECTURE.md table has a row for `{m}`, which is not a module of src/"
            ));
        }
    }
    let scans: Vec<(&SourceFile, Scan)> = files
        .iter()
        .map(|f| {
            let module: Vec<&str> = f.module.iter().map(String::as_str).collect();
            (f, scan(&f.text, &module))
        })
        .collect();
    // File modules declared under #[cfg(test)], and everything below them.
    let test_only: Vec<Vec<String>> = scans
        .iter()
        .flat_map(|(f, s)| {
            s.test_files.iter().map(|n| {
                let mut p = f.module.clone();
                p.push(n.clone());
                p
            })
        })
        .collect();
    for (f, s) in &scans {
        if test_only.iter().any(|p| f.module.starts_with(p)) {
            continue;
        }
        let top = &f.module[0];
        let Some(allowed) = table.get(top) else {
            continue; // reported above
        };
        for e in &s.edges {
            let Some(target) = e.path.first() else {
                continue;
            };
            if target == top || allowed.allows(&e.path) {
                continue;
            }
            v.push(format!(
                "{}:{}: `{top}` uses crate::{} — forbidden edge {top} → {target} (the table allows: {})",
                f.shown,
                e.line,
                e.path.join("::"),
                allowed.describe()
            ));
        }
    }
    v
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src/` (`report/build.rs` → report::build,
/// `render/pdf/mod.rs` or `render/pdf.rs` → render::pdf).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// The top-level modules of `src/` and every file of each.
fn crate_sources() -> (BTreeSet<String>, Vec<SourceFile>) {
    let src = root().join("src");
    let mut paths = Vec::new();
    rs_files(&src, &mut paths);
    let mut modules = BTreeSet::new();
    let mut files = Vec::new();
    for p in paths {
        let rel = p.strip_prefix(&src).expect("under src");
        if rel == Path::new("lib.rs") || rel == Path::new("main.rs") {
            continue; // the crate root (module list) and the thin binary
        }
        let module = module_path(rel);
        modules.insert(module[0].clone());
        files.push(SourceFile {
            shown: format!("src/{}", rel.display()),
            module,
            text: std::fs::read_to_string(&p).expect("source readable"),
        });
    }
    (modules, files)
}

// ---------------------------------------------------------------- tests

#[test]
fn the_dependency_table_is_true() {
    let md = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let table = parse_table(&md).expect("the table parses");
    let (modules, files) = crate_sources();
    assert!(modules.len() >= 15, "{modules:?}");
    assert!(files.len() >= 60, "{} files", files.len());
    let v = violations(&table, &modules, &files);
    assert!(
        v.is_empty(),
        "ARCHITECTURE.md's module table is not true:\n{}",
        v.join("\n")
    );
}

/// `kpi` does no I/O and reads no clock (its module docs say so).
#[test]
fn kpi_does_no_io() {
    let (_, files) = crate_sources();
    let mut kpi = 0;
    for f in files.iter().filter(|f| f.module[0] == "kpi") {
        kpi += 1;
        let t = tokens(&f.text);
        for w in t.windows(3) {
            let path = (ident(Some(&w[0])), colons(Some(&w[1])), ident(Some(&w[2])));
            if let (Some(a), true, Some(b)) = path {
                let io = matches!((a, b), ("std", "fs" | "net" | "process" | "env"));
                let clock = matches!(a, "Utc" | "Local" | "SystemTime" | "Instant") && b == "now";
                assert!(
                    !io && !clock,
                    "{}:{}: kpi uses {a}::{b}",
                    f.shown,
                    w[0].line
                );
            }
        }
    }
    assert!(kpi >= 13, "{kpi} kpi files");
}

fn edges(src: &str, module: &[&str]) -> Vec<String> {
    scan(src, module)
        .edges
        .iter()
        .map(|e| format!("{}:{}", e.line, e.path.join("::")))
        .collect()
}

#[test]
fn the_scanner_finds_every_kind_of_path() {
    let src = r##"
//! Docs mention crate::ingest and `use crate::render;` — not edges.
use std::fmt;
use crate::{kpi::{self, Status}, model::catalogue::*};
use super::doc::Cell as C;
/* a block comment /* nested */ crate::app */
fn f<'a>(x: &'a str) -> crate::report::TimelinessRow {
    let s = "crate::ledger::Ledger // not a comment";
    let r = r#"crate::clock "quoted" "#;
    let c = '"';
    let d = '\'';
    let q = b'x';
    let _ = crate::workspace::line_col(x, 0);
    $crate::nothing::here;
    pub(crate) fn g() {}
    super::super::findings::FileCount::default()
}
"##;
    assert_eq!(
        edges(src, &["report", "build"]),
        [
            "4:kpi",
            "4:kpi::Status",
            "4:model::catalogue::*",
            "5:report::doc::Cell",
            "7:report::TimelinessRow",
            "13:workspace::line_col",
            "16:findings::FileCount::default",
        ]
    );
}

#[test]
fn the_scanner_skips_test_modules_and_resolves_super_inside_inline_modules() {
    let src = r#"
use crate::model;
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::schema;
    mod deeper { fn f() { crate::sample::demo(); } }
}
mod inner {
    use super::super::clock;
    fn f() { let _ = { 1 }; crate::fsutil::write_atomic(); }
}
#[cfg(test)]
pub(crate) mod testutil;
mod shown;
fn after() { crate::due::x(); }
"#;
    let s = scan(src, &["kpi"]);
    let got: Vec<String> = s
        .edges
        .iter()
        .map(|e| format!("{}:{}", e.line, e.path.join("::")))
        .collect();
    assert_eq!(
        got,
        [
            "2:model",
            "10:clock",
            "11:fsutil::write_atomic",
            "16:due::x"
        ]
    );
    assert_eq!(s.test_files, ["testutil"]);
}

/// The check fails, naming file, line and edge, for a forbidden path, a module without a
/// row and a row without a module.
#[test]
fn the_check_can_fail() {
    let table = parse_table(
        "| module | job | may depend on |\n| --- | --- | --- |\n\
         | `model` | data | — |\n\
         | `report` (+ `report::numfmt`) | documents | `model`, `findings::FileCount` |\n\
         | `render::{xlsx,pdf}` | files | `report` only |\n\
         | `gone` | a row for a removed module | — |\n",
    )
    .expect("table");
    assert_eq!(
        table["report"],
        Allowed::Prefixes(vec![
            vec!["model".into()],
            vec!["findings".into(), "FileCount".into()]
        ])
    );
    let file = |shown: &str, module: &[&str], text: &str| SourceFile {
        shown: shown.into(),
        module: module.iter().map(|s| s.to_string()).collect(),
        text: text.into(),
    };
    let files = [
        file(
            "src/report/build.rs",
            &["report", "build"],
            "use crate::findings::{FileCount, Finding};\nfn f() -> crate::model::Status {}\n",
        ),
        file(
            "src/render/xlsx.rs",
            &["render", "xlsx"],
            "use crate::report::Cell;\n\nfn f() { crate::kpi::Status::Met; }\n",
        ),
        file("src/model/mod.rs", &["model"], "pub mod status;\n"),
        file("src/extra.rs", &["extra"], "\n"),
    ];
    let modules: BTreeSet<String> = ["model", "report", "render", "extra"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let v = violations(&table, &modules, &files);
    assert_eq!(
        v,
        [
            "module `extra` of src/ has no row in the ARCHITECTURE.md table",
            "the ARCHITECTURE.md table has a row for `gone`, which is not a module of src/",
            "src/report/build.rs:1: `report` uses crate::findings::Finding — forbidden edge report → findings (the table allows: model, findings::FileCount)",
            "src/render/xlsx.rs:3: `render` uses crate::kpi::Status::Met — forbidden edge render → kpi (the table allows: report)",
        ]
    );
}

/// The submodule of `app` a path names (`crate::app::batch::X` or, inside `app`,
/// `super::batch::X`, both resolved by the scanner to `app::batch::…`).
fn app_target(path: &[String]) -> Option<&str> {
    match path {
        [a, m, ..] if a == "app" => Some(m.as_str()),
        _ => None,
    }
}

/// The import graph of `app`'s files: (file module, the app modules it uses).
fn app_graph() -> BTreeMap<String, BTreeSet<String>> {
    let (_, files) = crate_sources();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.module[0] == "app" && f.module.len() >= 2)
    {
        let me = f.module[1].clone();
        let module: Vec<&str> = f.module.iter().map(String::as_str).collect();
        let uses = g.entry(me.clone()).or_default();
        for e in scan(&f.text, &module).edges {
            if let Some(t) = app_target(&e.path)
                && t != me
                // Names `app` itself exports (`Global`, `EXIT_OK` …) are not modules.
                && t.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && !t.starts_with("EXIT")
            {
                uses.insert(t.to_string());
            }
        }
    }
    g
}

/// The modules of `app` that are commands (one file each, dispatched from `app::run`).
const COMMANDS: &[&str] = &[
    "allowed_signers",
    "approve",
    "audit",
    "calendar",
    "check",
    "compute",
    "distribute",
    "improvements",
    "render",
    "review",
    "run",
    "sample",
    "status",
    "templates",
    "verify",
];

/// A cycle in `g`, if any, as the modules along it.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut c = stack[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(n, g, &mut Vec::new(), &mut done))
}

#[test]
fn app_has_no_import_cycle_and_no_command_imports_another() {
    let g = app_graph();
    for c in COMMANDS {
        assert!(g.contains_key(*c), "no file src/app/{c}.rs: {:?}", g.keys());
    }
    assert!(
        g.contains_key("batch") && g.contains_key("session"),
        "{g:?}"
    );
    // The scan sees the edges (an empty graph would pass vacuously).
    assert!(g["run"].contains("batch_run"), "{g:?}");
    assert!(
        g["batch"].contains("pipeline") && g["batch"].contains("tracking"),
        "{g:?}"
    );
    if let Some(c) = cycle(&g) {
        panic!("app has an import cycle: {}", c.join(" → "));
    }
    for (m, uses) in &g {
        for u in uses {
            assert!(
                !COMMANDS.contains(&u.as_str()),
                "src/app/{m}.rs uses the command module `{u}`: shared code belongs in a shared module"
            );
        }
    }
}

#[test]
fn the_cycle_check_can_fail() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("pipeline".into())
        .or_default()
        .insert("workflow".into());
    g.entry("workflow".into())
        .or_default()
        .insert("pipeline".into());
    assert_eq!(
        cycle(&g),
        Some(vec![
            "pipeline".into(),
            "workflow".into(),
            "pipeline".into()
        ])
    );
    g.get_mut("workflow").unwrap().clear();
    assert_eq!(cycle(&g), None);
    // The scanner sees an app module through super:: from inside app.
    let e = scan("use super::batch::run_batch;", &["app", "run"]).edges;
    assert_eq!(app_target(&e[0].path), Some("batch"));
}

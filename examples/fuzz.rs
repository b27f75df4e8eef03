//! A structure-aware fuzzer of the workbook reader, on stable Rust.
//!
//! It mutates the sample workbooks of every format the reader accepts (xlsx, xlsb, xls,
//! ods) — zip entries, sheet XML, shared strings, styles, relationships, binary records —
//! runs `svcreport check` on each variant in a child process under a memory limit
//! (`RLIMIT_DATA`) and a timeout, and keeps every variant that makes it fail, minimised
//! (the smallest set of its mutations that still fails), as a regression case.
//!
//! Failures: the child aborted or crashed (a signal: an allocation failure at the limit is
//! an abort), a panic escaped (exit 101), a reader panic was contained (the run survives
//! it, but it is a bug of the reader: counted and kept too), the run failed (exit 2), it
//! took longer than the timeout, or its peak memory passed the limit. The child reads in
//! its own process (`SVCREPORT_INGEST_WORKERS=0`) so that bounded reading is what is
//! tested: a bound missed shows as an abort instead of being contained by a worker; every
//! 16th input is also read the way a run reads (in worker processes).
//!
//! ```text
//! cargo build --release --bin svcreport --example fuzz
//! target/release/examples/fuzz --seconds 3600 --seed 1 --jobs 2 --out tests/hostile
//! ```
//!
//! Options: `--seconds N` (default 120) or `--inputs N` (stop after N inputs), `--seed N`,
//! `--out DIR` (failing inputs, `summary-seedN.md`, and under `extremes/` the slowest input
//! and the one with the highest peak of each format; default `target/fuzz`), `--exe PATH` (the
//! `svcreport` binary; default next to this example's folder), `--jobs N` (children at once,
//! default 1), `--timeout S` (default 20), `--memory-mib M` (default 1024), `--seeds DIR`
//! (more seed workbooks). Exit code 1 when anything failed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Randomness

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

// ---------------------------------------------------------------------------------------
// Inputs

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Kind {
    fn ext(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Xlsb => "xlsb",
            Kind::Xls => "xls",
            Kind::Ods => "ods",
        }
    }
}

/// A workbook being mutated: a zip's entries, or the bytes of an OLE file.
#[derive(Clone)]
enum Doc {
    Zip(Vec<(String, Vec<u8>)>),
    Raw(Vec<u8>),
}

fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let mut b = Vec::new();
        f.read_to_end(&mut b).ok()?;
        out.push((f.name().ok()?.to_string(), b));
    }
    Some(out)
}

fn zip_bytes(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(false);
        let mut seen = std::collections::HashSet::new();
        for (n, b) in entries {
            if !seen.insert(n.clone()) || z.start_file(n.as_str(), o).is_err() {
                continue;
            }
            let _ = z.write_all(b);
        }
        let _ = z.finish();
    }
    buf.into_inner()
}

impl Doc {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Doc::Zip(e) => zip_bytes(e),
            Doc::Raw(b) => b.clone(),
        }
    }
}

struct Seed {
    name: String,
    kind: Kind,
    doc: Doc,
}

// ---------------------------------------------------------------------------------------
// An xlsb writer (no tool here writes xlsb): records of MS-XLSB from a sheet's cells.

fn rec(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.push((typ & 0x7F) as u8 | 0x80);
        out.push((typ >> 7) as u8);
    }
    let mut n = data.len();
    loop {
        let b = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(data);
}

fn wide(s: &str) -> Vec<u8> {
    let u: Vec<u16> = s.encode_utf16().collect();
    let mut b = (u.len() as u32).to_le_bytes().to_vec();
    for c in u {
        b.extend_from_slice(&c.to_le_bytes());
    }
    b
}

fn xlsb_from(rows: &[(u32, Vec<(u32, calamine::Data)>)], sheet: &str) -> Vec<(String, Vec<u8>)> {
    let mut wb = Vec::new();
    rec(&mut wb, 0x0083, &[]);
    let mut bundle = Vec::new();
    bundle.extend_from_slice(&0u32.to_le_bytes());
    bundle.extend_from_slice(&1u32.to_le_bytes());
    bundle.extend(wide("rId1"));
    bundle.extend(wide(sheet));
    rec(&mut wb, 0x009C, &bundle);
    rec(&mut wb, 0x0090, &[]);
    rec(&mut wb, 0x0084, &[]);
    let mut styles = Vec::new();
    rec(&mut styles, 0x0269, &2u32.to_le_bytes());
    for fmt in [0u16, 22] {
        let mut xf = vec![0u8; 16];
        xf[2..4].copy_from_slice(&fmt.to_le_bytes());
        rec(&mut styles, 0x002F, &xf);
    }
    let (mut last_row, mut last_col) = (0u32, 0u32);
    let mut sh = Vec::new();
    rec(&mut sh, 0x0081, &[]);
    for (r, cells) in rows {
        last_row = last_row.max(*r);
        for (c, _) in cells {
            last_col = last_col.max(*c);
        }
    }
    let mut dim = Vec::new();
    for v in [0, last_row, 0, last_col] {
        dim.extend_from_slice(&v.to_le_bytes());
    }
    rec(&mut sh, 0x0094, &dim);
    rec(&mut sh, 0x0091, &[]);
    for (r, cells) in rows {
        let mut hdr = r.to_le_bytes().to_vec();
        hdr.extend_from_slice(&[0u8; 13]);
        rec(&mut sh, 0x0000, &hdr);
        for (c, v) in cells {
            let mut d = c.to_le_bytes().to_vec();
            match v {
                calamine::Data::String(s) => {
                    d.extend_from_slice(&[0, 0, 0, 0]);
                    d.extend(wide(s));
                    rec(&mut sh, 0x0006, &d);
                }
                calamine::Data::Float(f) => {
                    d.extend_from_slice(&[0, 0, 0, 0]);
                    d.extend_from_slice(&f.to_le_bytes());
                    rec(&mut sh, 0x0005, &d);
                }
                calamine::Data::Int(i) => {
                    d.extend_from_slice(&[0, 0, 0, 0]);
                    d.extend_from_slice(&(*i as f64).to_le_bytes());
                    rec(&mut sh, 0x0005, &d);
                }
                calamine::Data::DateTime(t) => {
                    d.extend_from_slice(&[1, 0, 0, 0]);
                    d.extend_from_slice(&t.as_f64().to_le_bytes());
                    rec(&mut sh, 0x0005, &d);
                }
                calamine::Data::Bool(b) => {
                    d.extend_from_slice(&[0, 0, 0, 0]);
                    d.push(u8::from(*b));
                    rec(&mut sh, 0x0004, &d);
                }
                _ => {}
            }
        }
    }
    rec(&mut sh, 0x0092, &[]);
    rec(&mut sh, 0x0082, &[]);
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>"#;
    vec![
        ("[Content_Types].xml".into(), types.as_bytes().to_vec()),
        ("_rels/.rels".into(), root_rels.as_bytes().to_vec()),
        ("xl/workbook.bin".into(), wb),
        (
            "xl/_rels/workbook.bin.rels".into(),
            rels.as_bytes().to_vec(),
        ),
        ("xl/styles.bin".into(), styles),
        ("xl/worksheets/sheet1.bin".into(), sh),
    ]
}

/// An xlsb of the first sheet of an xlsx.
fn xlsb_of(xlsx: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).ok()?;
    let name = wb.sheet_names().first()?.clone();
    let range = wb.worksheet_range(&name).ok()?;
    let (r0, c0) = range.start()?;
    let mut rows: Vec<(u32, Vec<(u32, calamine::Data)>)> = Vec::new();
    for (r, row) in range.rows().enumerate() {
        let cells: Vec<(u32, calamine::Data)> = row
            .iter()
            .enumerate()
            .filter(|(_, d)| !matches!(d, calamine::Data::Empty))
            .map(|(c, d)| (c0 + c as u32, d.clone()))
            .collect();
        rows.push((r0 + r as u32, cells));
    }
    Some(xlsb_from(&rows, &name))
}

fn load_seeds(repo: &Path, extra: Option<&Path>) -> Vec<Seed> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut walk = |dir: &Path| {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("xlsx" | "xls" | "xlsb" | "ods")
                ) {
                    files.push(p);
                }
            }
        }
    };
    walk(&repo.join("samples/demo/inbox/2026-10"));
    walk(&repo.join("samples/demo/examples"));
    walk(&repo.join("tests/hostile/seeds"));
    if let Some(x) = extra {
        walk(x);
    }
    files.sort();
    let mut seeds = Vec::new();
    for p in files {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let kind = match p.extension().and_then(|e| e.to_str()) {
            Some("xls") => Kind::Xls,
            Some("xlsb") => Kind::Xlsb,
            Some("ods") => Kind::Ods,
            _ => Kind::Xlsx,
        };
        if kind == Kind::Xlsx
            && matches!(name.as_str(), "incidents.xlsx" | "requests.xlsx")
            && let Some(e) = xlsb_of(&bytes)
        {
            seeds.push(Seed {
                name: name.replace(".xlsx", ".xlsb"),
                kind: Kind::Xlsb,
                doc: Doc::Zip(e),
            });
        }
        let doc = match kind {
            Kind::Xls => Doc::Raw(bytes),
            _ => match unzip(&bytes) {
                Some(e) => Doc::Zip(e),
                None => continue,
            },
        };
        seeds.push(Seed { name, kind, doc });
    }
    seeds
}

// ---------------------------------------------------------------------------------------
// Mutations: each a kind and four numbers, applied to the current document (positions are
// taken modulo what is there), so a list of them replays exactly and any subset applies.

#[derive(Debug, Clone, Copy)]
struct Mutation {
    op: u8,
    a: u64,
    b: u64,
    c: u64,
}

const OPS: u8 = 16;

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "65535",
    "65536",
    "1048575",
    "1048576",
    "1048577",
    "16383",
    "16384",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "99999999999999999999",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "0.5",
    "",
    " ",
    "abc",
];
const REFS: &[&str] = &[
    "ZZZZZZZZ1",
    "XFD1048576",
    "XFE1",
    "A1048577",
    "A0",
    "A",
    "1",
    "B2:A1",
    "A1:XFD1048576",
    "MWLQKWV1",
    "A4294967296",
    "$A$1",
    "a1",
    "A-1",
    "ZZZ999999",
];
const TEXTS: &[&str] = &[
    "😀",
    "𠀀",
    "\u{202E}",
    "\u{200B}",
    "\u{1b}[2J",
    "\n",
    "\r\n",
    "\t",
    "\u{7f}",
    "\u{FEFF}",
    "合计",
    "Total",
    "=cmd|' /C calc'!A0",
    "%s%n",
    "P1",
    "P9",
    "2026-10-01 08:00",
    "N/A",
    "是",
    "acme",
    "email",
    "INC-1",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "<",
    "]]>",
    "\u{0}",
];

fn pick<'s>(list: &[&'s str], n: u64) -> &'s str {
    list[(n % list.len() as u64) as usize]
}

/// The value a mutation writes: a number, a cell reference, a text, or a long run.
fn value(n: u64, long: u64) -> String {
    match n % 7 {
        0 | 1 => pick(NUMBERS, n / 7).to_string(),
        2 | 3 => pick(REFS, n / 7).to_string(),
        4 | 5 => pick(TEXTS, n / 7).to_string(),
        _ => {
            let unit = pick(&["x", " ", "工", "😀", "P1", "0"], n / 7);
            let len = [100usize, 32_767, 32_768, 300_000, 2_000_000][(long % 5) as usize];
            unit.repeat(len / unit.len().max(1))
                .chars()
                .take(len)
                .collect()
        }
    }
}

/// Byte ranges of the elements (`<x …/>` or `<x …>…</x>` without nesting of the same name)
/// and of the attribute values and text nodes of an XML document, found by a light scan.
struct Xml<'t> {
    text: &'t [u8],
}

impl<'t> Xml<'t> {
    /// Attribute values: (start, end) of the text between the quotes.
    fn attrs(&self) -> Vec<(usize, usize)> {
        let t = self.text;
        let mut v = Vec::new();
        let mut i = 0;
        while i + 1 < t.len() {
            if t[i] == b'=' && (t[i + 1] == b'"' || t[i + 1] == b'\'') {
                let q = t[i + 1];
                if let Some(end) = t[i + 2..].iter().position(|&c| c == q) {
                    v.push((i + 2, i + 2 + end));
                    i += 2 + end;
                }
            }
            i += 1;
        }
        v
    }

    /// Text nodes: (start, end) of text between `>` and `<`.
    fn texts(&self) -> Vec<(usize, usize)> {
        let t = self.text;
        let mut v = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if t[i] == b'>'
                && let Some(end) = t[i + 1..].iter().position(|&c| c == b'<')
            {
                if end > 0 {
                    v.push((i + 1, i + 1 + end));
                }
                i += end;
            }
            i += 1;
        }
        v
    }

    /// Elements: (start, end) from `<name` to the matching close of the same name.
    fn elements(&self) -> Vec<(usize, usize)> {
        let t = self.text;
        let mut v = Vec::new();
        let mut i = 0;
        while i + 1 < t.len() && v.len() < 100_000 {
            if t[i] == b'<' && t[i + 1].is_ascii_alphabetic() {
                let name_end = t[i + 1..]
                    .iter()
                    .position(|&c| c == b' ' || c == b'>' || c == b'/')
                    .map(|p| i + 1 + p);
                if let Some(ne) = name_end {
                    let name = &t[i + 1..ne];
                    let gt = t[ne..].iter().position(|&c| c == b'>').map(|p| ne + p);
                    if let Some(gt) = gt {
                        if t[gt - 1] == b'/' {
                            v.push((i, gt + 1));
                        } else {
                            let mut close = b"</".to_vec();
                            close.extend_from_slice(name);
                            close.push(b'>');
                            if let Some(p) = find(&t[gt..], &close) {
                                v.push((i, gt + p + close.len()));
                            }
                        }
                    }
                }
            }
            i += 1;
        }
        v
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    h.windows(n.len()).position(|w| w == n)
}

/// Grow no entry past this by duplication.
const MAX_ENTRY: usize = 48 << 20;

fn is_xml(name: &str) -> bool {
    name.ends_with(".xml") || name.ends_with(".rels")
}

fn mutate_xml(data: &mut Vec<u8>, m: &Mutation) {
    let x = Xml { text: data };
    match m.op % 6 {
        // Replace an attribute value.
        0 => {
            let a = x.attrs();
            if a.is_empty() {
                return;
            }
            let (s, e) = a[(m.a % a.len() as u64) as usize];
            let v = value(m.b, m.c);
            data.splice(s..e, v.bytes());
        }
        // Replace or extend a text node.
        1 => {
            let tx = x.texts();
            if tx.is_empty() {
                return;
            }
            let (s, e) = tx[(m.a % tx.len() as u64) as usize];
            let v = value(m.b, m.c);
            if m.c.is_multiple_of(2) {
                data.splice(s..e, v.bytes());
            } else {
                data.splice(e..e, v.bytes());
            }
        }
        // Repeat an element (a sheet listed 2,000 times, a row a thousand times…).
        2 => {
            let el = x.elements();
            if el.is_empty() {
                return;
            }
            let (s, e) = el[(m.a % el.len() as u64) as usize];
            let times = [1usize, 2, 10, 2000, 20_000, 200_000][(m.b % 6) as usize];
            let piece = data[s..e].to_vec();
            let times = times.min(MAX_ENTRY / piece.len().max(1));
            let mut add = Vec::with_capacity(piece.len() * times);
            for _ in 0..times {
                add.extend_from_slice(&piece);
            }
            data.splice(e..e, add);
        }
        // Delete an element.
        3 => {
            let el = x.elements();
            if el.is_empty() {
                return;
            }
            let (s, e) = el[(m.a % el.len() as u64) as usize];
            data.drain(s..e);
        }
        // Move an element elsewhere (out of order rows, sheets before their data…).
        4 => {
            let el = x.elements();
            if el.len() < 2 {
                return;
            }
            let (s, e) = el[(m.a % el.len() as u64) as usize];
            let piece: Vec<u8> = data.drain(s..e).collect();
            let at = (m.b as usize) % (data.len() + 1);
            let at = data[..at]
                .iter()
                .rposition(|&c| c == b'>')
                .map_or(0, |p| p + 1);
            data.splice(at..at, piece);
        }
        // Cut the document short.
        _ => {
            let n = data.len();
            if n > 0 {
                data.truncate((m.a as usize) % n);
            }
        }
    }
}

fn mutate_bytes(data: &mut Vec<u8>, m: &Mutation) {
    let n = data.len();
    if n == 0 {
        return;
    }
    let at = (m.a as usize) % n;
    match m.op % 5 {
        0 => data[at] ^= (m.b as u8) | 1,
        1 => {
            let vals: [u32; 8] = [
                0,
                0xFFFF,
                0xFFFF_FFFF,
                0x7FFF_FFFF,
                0x0010_0000,
                0x4000,
                0x100,
                0x8000_0000,
            ];
            let v = vals[(m.b % 8) as usize].to_le_bytes();
            let w = if m.c.is_multiple_of(2) { 2 } else { 4 };
            for i in 0..w {
                if at + i < n {
                    data[at + i] = v[i];
                }
            }
        }
        2 => {
            let len = ((m.b % 64) as usize + 1).min(n - at);
            let piece = data[at..at + len].to_vec();
            let times = (m.c % 1000) as usize + 1;
            for _ in 0..times {
                data.splice(at..at, piece.iter().copied());
            }
        }
        3 => {
            let len = ((m.b % 256) as usize + 1).min(n - at);
            data.drain(at..at + len);
        }
        _ => data.truncate(at),
    }
}

/// In an OLE (xls) file: overwrite a field of a BIFF record found by its type (cells,
/// dimensions, sheets, shared strings), keeping the file's size.
fn mutate_biff(data: &mut [u8], m: &Mutation) {
    const TYPES: [u16; 8] = [
        0x00FD, 0x0203, 0x0200, 0x0085, 0x00FC, 0x0204, 0x027E, 0x00BD,
    ];
    let typ = TYPES[(m.a % 8) as usize].to_le_bytes();
    let hits: Vec<usize> = data
        .windows(4)
        .enumerate()
        .filter(|(_, w)| {
            w[0] == typ[0] && w[1] == typ[1] && u16::from_le_bytes([w[2], w[3]]) < 9000
        })
        .map(|(i, _)| i)
        .take(10_000)
        .collect();
    if hits.is_empty() {
        return;
    }
    let at = hits[(m.b % hits.len() as u64) as usize] + 4 + (m.c % 12) as usize;
    let vals: [u16; 6] = [0xFFFF, 0x7FFF, 0x4000, 0x0100, 0, 0x00FF];
    let v = vals[((m.c >> 8) % 6) as usize].to_le_bytes();
    for (i, b) in v.iter().enumerate() {
        if let Some(x) = data.get_mut(at + i) {
            *x = *b;
        }
    }
}

fn apply(doc: &mut Doc, m: &Mutation) {
    match doc {
        Doc::Raw(b) => {
            if m.op.is_multiple_of(2) {
                mutate_biff(b, m);
            } else {
                mutate_bytes(b, m);
            }
        }
        Doc::Zip(entries) => {
            if entries.is_empty() {
                return;
            }
            let i = (m.c as usize) % entries.len();
            match m.op {
                // Zip structure: drop, rename, duplicate an entry.
                0 => {
                    entries.remove(i);
                }
                1 => {
                    let n = entries[i].0.clone();
                    entries[i].0 = match m.a % 3 {
                        0 => n.to_uppercase(),
                        1 => format!("{n}.bak"),
                        _ => n.replace("sheet1", "sheet2"),
                    };
                }
                2 => {
                    let (n, b) = entries[i].clone();
                    entries.push((format!("{n}.copy"), b));
                }
                // An entry's content.
                _ => {
                    // Prefer the parts that matter: sheets, shared strings, the workbook.
                    let prefer = entries
                        .iter()
                        .position(|(n, _)| {
                            let keys = [
                                "sheet",
                                "sharedStrings",
                                "workbook",
                                "styles",
                                "content.xml",
                                "rels",
                            ];
                            n.contains(keys[(m.b % keys.len() as u64) as usize])
                        })
                        .filter(|_| !m.a.is_multiple_of(4))
                        .unwrap_or(i);
                    let (name, data) = &mut entries[prefer];
                    if is_xml(name) && m.op < 12 {
                        mutate_xml(data, m);
                    } else if name.ends_with(".bin") && m.op < 12 {
                        mutate_xlsb(data, m);
                    } else {
                        mutate_bytes(data, m);
                    }
                }
            }
        }
    }
}

/// In an xlsb part: duplicate, drop or alter a record (its length too).
fn mutate_xlsb(data: &mut Vec<u8>, m: &Mutation) {
    // Record boundaries.
    let mut recs = Vec::new();
    let mut i = 0usize;
    while i < data.len() && recs.len() < 200_000 {
        let start = i;
        let b = data[i];
        i = (i + if b & 0x80 != 0 { 2 } else { 1 }).min(data.len());
        let len_at = i;
        let mut len = 0usize;
        for k in 0..4 {
            let Some(&b) = data.get(i) else { break };
            i += 1;
            len |= ((b & 0x7F) as usize) << (7 * k);
            if b & 0x80 == 0 {
                break;
            }
        }
        let end = (i + len).min(data.len());
        recs.push((start, len_at, i, end));
        i = end;
    }
    if recs.is_empty() {
        return;
    }
    let (s, len_at, body, e) = recs[(m.a % recs.len() as u64) as usize];
    match m.b % 4 {
        0 => {
            let piece = data[s..e].to_vec();
            let times =
                [1usize, 10, 1000, 100_000][(m.c % 4) as usize].min(MAX_ENTRY / piece.len().max(1));
            let mut add = Vec::new();
            for _ in 0..times {
                add.extend_from_slice(&piece);
            }
            data.splice(e..e, add);
        }
        1 => {
            data.drain(s..e);
        }
        2 => {
            // A claimed length of up to 256 MiB with nothing behind it.
            let claim = [0xFFu8, 0xFF, 0xFF, 0x7F];
            data.splice(len_at..body, claim.iter().copied());
        }
        _ => {
            if body < e {
                let at = body + (m.c as usize) % (e - body);
                let v = [0xFFu8, 0xFF, 0xFF, 0xFF];
                for (k, b) in v.iter().enumerate() {
                    if at + k < e {
                        data[at + k] = *b;
                    }
                }
            }
        }
    }
}

fn random_mutations(rng: &mut Rng, kind: Kind) -> Vec<Mutation> {
    let n = 1 + rng.below(4) as usize;
    (0..n)
        .map(|_| {
            let op = if kind == Kind::Xls {
                rng.below(10) as u8
            } else {
                // Mostly content mutations; zip-structure ones (0–2) now and then.
                let r = rng.below(20) as u8;
                if r < 2 {
                    r
                } else {
                    3 + rng.below((OPS - 3) as u64) as u8
                }
            };
            Mutation {
                op,
                a: rng.next(),
                b: rng.next(),
                c: rng.next(),
            }
        })
        .collect()
}

fn build(seed: &Seed, muts: &[Mutation]) -> Vec<u8> {
    let mut d = seed.doc.clone();
    for m in muts {
        apply(&mut d, m);
    }
    d.bytes()
}

// ---------------------------------------------------------------------------------------
// Running `svcreport check` on one input

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Failure {
    /// Ended by a signal (an abort at the memory limit, a crash).
    Signal(i32),
    /// A panic escaped (exit 101).
    Panic,
    /// A reader panic was caught (the run went on; a bug of the reader all the same).
    ContainedPanic,
    /// The run failed (exit 2 or another code).
    Exit(i32),
    /// Still running at the timeout.
    Hang,
    /// Peak memory over the limit.
    Memory,
    /// The output was not the JSON report.
    BadOutput,
    /// The child could not be started (the harness's environment, not the input).
    Spawn,
}

struct Outcome {
    failure: Option<Failure>,
    peak_kib: u64,
    secs: f64,
}

struct Runner {
    exe: PathBuf,
    ws: PathBuf,
    timeout: Duration,
    memory: u64,
}

impl Runner {
    fn run(&self, file: &Path, workers: bool) -> Outcome {
        use std::os::unix::process::CommandExt;
        let t = Instant::now();
        let mut cmd = std::process::Command::new(&self.exe);
        cmd.arg("--workspace")
            .arg(&self.ws)
            .args(["--format", "json", "check"])
            .arg(file)
            .env("SVCREPORT_REPORT_PANICS", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if !workers {
            cmd.env("SVCREPORT_INGEST_WORKERS", "0");
        }
        let limit = self.memory;
        // SAFETY: between fork and exec only `setrlimit` runs (async-signal-safe).
        unsafe {
            cmd.pre_exec(move || {
                let l = libc::rlimit {
                    rlim_cur: limit as libc::rlim_t,
                    rlim_max: limit as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_DATA, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let Ok(mut child) = cmd.spawn() else {
            return Outcome {
                failure: Some(Failure::Spawn),
                peak_kib: 0,
                secs: 0.0,
            };
        };
        let pid = child.id() as libc::pid_t;
        let mut out = child.stdout.take();
        let mut err = child.stderr.take();
        let reader = std::thread::spawn(move || {
            let mut o = Vec::new();
            if let Some(s) = out.as_mut() {
                let _ = s.read_to_end(&mut o);
            }
            o
        });
        let ereader = std::thread::spawn(move || {
            let mut e = Vec::new();
            if let Some(s) = err.as_mut() {
                let _ = s.take(1 << 20).read_to_end(&mut e);
                let _ = std::io::copy(s, &mut std::io::sink());
            }
            e
        });
        let mut status = 0;
        // SAFETY: plain syscall on our own child; `ru` is written by the kernel.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let mut hung = false;
        loop {
            // SAFETY: as above.
            let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
            if r == pid {
                break;
            }
            if r < 0 {
                break;
            }
            if t.elapsed() > self.timeout && !hung {
                hung = true;
                let _ = child.kill();
            }
            std::thread::sleep(Duration::from_millis(if t.elapsed().as_millis() < 200 {
                2
            } else {
                20
            }));
        }
        let stdout = reader.join().unwrap_or_default();
        let stderr = ereader.join().unwrap_or_default();
        let peak_kib = ru.ru_maxrss as u64;
        let secs = t.elapsed().as_secs_f64();
        let failure = if hung {
            Some(Failure::Hang)
        } else if libc::WIFSIGNALED(status) {
            Some(Failure::Signal(libc::WTERMSIG(status)))
        } else {
            match libc::WEXITSTATUS(status) {
                0 | 1 => {
                    if String::from_utf8_lossy(&stderr)
                        .contains("svcreport: contained reader panic")
                    {
                        Some(Failure::ContainedPanic)
                    } else if serde_json::from_slice::<serde_json::Value>(&stdout)
                        .ok()
                        .and_then(|v| v.get("summary").cloned())
                        .is_none()
                    {
                        Some(Failure::BadOutput)
                    } else if peak_kib * 1024 > self.memory {
                        Some(Failure::Memory)
                    } else {
                        None
                    }
                }
                101 => Some(Failure::Panic),
                c => Some(Failure::Exit(c)),
            }
        };
        Outcome {
            failure,
            peak_kib,
            secs,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The campaign

struct Args {
    seconds: u64,
    inputs: Option<u64>,
    seed: u64,
    out: PathBuf,
    exe: PathBuf,
    jobs: usize,
    timeout: u64,
    memory_mib: u64,
    seeds: Option<PathBuf>,
}

fn args() -> Args {
    let v: Vec<String> = std::env::args().collect();
    let get = |k: &str| {
        v.iter()
            .position(|a| a == k)
            .and_then(|i| v.get(i + 1))
            .cloned()
    };
    let here = std::env::current_exe().unwrap_or_default();
    let default_exe = here
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("svcreport"))
        .unwrap_or_else(|| PathBuf::from("svcreport"));
    Args {
        seconds: get("--seconds").and_then(|s| s.parse().ok()).unwrap_or(120),
        inputs: get("--inputs").and_then(|s| s.parse().ok()),
        seed: get("--seed").and_then(|s| s.parse().ok()).unwrap_or(1),
        out: get("--out")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target/fuzz")),
        exe: get("--exe").map(PathBuf::from).unwrap_or(default_exe),
        jobs: get("--jobs")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1)
            .max(1),
        timeout: get("--timeout").and_then(|s| s.parse().ok()).unwrap_or(20),
        memory_mib: get("--memory-mib")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1024),
        seeds: get("--seeds").map(PathBuf::from),
    }
}

fn workspace(dir: &Path, repo: &Path) {
    let _ = std::fs::create_dir_all(dir.join("inbox"));
    let _ = std::fs::write(
        dir.join("svcreport.toml"),
        "[workspace]\nname = \"fuzz\"\nlanguage = \"en\"\ninbox = [\"inbox/*.xlsx\"]\ncatalogue = [\"catalogue.toml\"]\nmax_uncompressed_mib = 256\n",
    );
    let _ = std::fs::copy(
        repo.join("samples/demo/catalogue.toml"),
        dir.join("catalogue.toml"),
    );
}

#[derive(Default)]
struct Stats {
    tried: AtomicU64,
    by_kind: [AtomicU64; 4],
    with_workers: AtomicU64,
    peak_kib: AtomicU64,
    slowest_ms: AtomicU64,
    /// Inputs the harness itself failed on (a mutator bug, a child that could not start).
    harness_errors: AtomicU64,
    /// The slowest input and the one with the highest peak (file name → what it was).
    extremes: Mutex<Vec<String>>,
}

fn kind_index(k: Kind) -> usize {
    match k {
        Kind::Xlsx => 0,
        Kind::Xlsb => 1,
        Kind::Xls => 2,
        Kind::Ods => 3,
    }
}

/// The smallest subset of `muts` (removing one mutation at a time, to a fixed point) that
/// still fails the same way; at most `budget` of tries.
fn minimise(
    seed: &Seed,
    muts: &[Mutation],
    fail: Failure,
    runner: &Runner,
    tmp: &Path,
    workers: bool,
) -> Vec<Mutation> {
    let mut cur = muts.to_vec();
    let budget = Instant::now() + Duration::from_secs(120);
    let mut changed = true;
    while changed && Instant::now() < budget {
        changed = false;
        let mut i = 0;
        while i < cur.len() && cur.len() > 1 && Instant::now() < budget {
            let mut trial = cur.clone();
            trial.remove(i);
            let bytes = build(seed, &trial);
            let _ = std::fs::write(tmp, &bytes);
            if runner.run(tmp, workers).failure == Some(fail) {
                cur = trial;
                changed = true;
            } else {
                i += 1;
            }
        }
    }
    cur
}

fn main() {
    let a = args();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds = load_seeds(&repo, a.seeds.as_deref());
    assert!(!seeds.is_empty(), "no seed workbooks found");
    if !a.exe.is_file() {
        eprintln!(
            "fuzz: {} is not the svcreport binary (build it, or pass --exe)",
            a.exe.display()
        );
        std::process::exit(2);
    }
    let _ = std::fs::create_dir_all(&a.out);
    let scratch = std::env::temp_dir().join(format!("svcreport-fuzz-{}", std::process::id()));
    let ws = scratch.join("ws");
    workspace(&ws, &repo);
    let runner = Arc::new(Runner {
        exe: a.exe.clone(),
        ws: ws.clone(),
        timeout: Duration::from_secs(a.timeout),
        memory: a.memory_mib << 20,
    });
    // Every seed must pass as it is, else the harness measures nothing.
    for s in &seeds {
        let p = scratch.join(format!("seed.{}", s.kind.ext()));
        let _ = std::fs::write(&p, s.doc.bytes());
        let o = runner.run(&p, false);
        assert!(
            o.failure.is_none(),
            "seed {} fails as it is: {:?}",
            s.name,
            o.failure
        );
    }
    let seeds = Arc::new(seeds);
    let stats = Arc::new(Stats::default());
    let failures: Arc<Mutex<Vec<(Failure, String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for job in 0..a.jobs {
        let (seeds, stats, failures, stop, runner) = (
            seeds.clone(),
            stats.clone(),
            failures.clone(),
            stop.clone(),
            runner.clone(),
        );
        let out = a.out.clone();
        let inputs = a.inputs;
        let campaign_seed = a.seed;
        let tmp_dir = scratch.join(format!("job{job}"));
        let _ = std::fs::create_dir_all(&tmp_dir);
        let mut rng = Rng(a.seed.wrapping_mul(0x9E37_79B9).wrapping_add(job as u64));
        handles.push(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                let n = stats.tried.fetch_add(1, Ordering::SeqCst);
                if inputs.is_some_and(|max| n >= max) {
                    stats.tried.fetch_sub(1, Ordering::SeqCst);
                    break;
                }
                let seed = &seeds[rng.below(seeds.len() as u64) as usize];
                let muts = random_mutations(&mut rng, seed.kind);
                // A bug of the mutator is the harness's, not the reader's: said, and skipped.
                let Ok(bytes) = std::panic::catch_unwind(|| build(seed, &muts)) else {
                    eprintln!("fuzz: the mutator failed on {} with {muts:?}", seed.name);
                    stats.harness_errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let tmp = tmp_dir.join(format!("input.{}", seed.kind.ext()));
                if std::fs::write(&tmp, &bytes).is_err() {
                    // A full disk: the input was not written (its check would test another).
                    stats.harness_errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let workers = n % 16 == 15;
                let o = runner.run(&tmp, workers);
                stats.by_kind[kind_index(seed.kind)].fetch_add(1, Ordering::Relaxed);
                if workers {
                    stats.with_workers.fetch_add(1, Ordering::Relaxed);
                }
                let ms = (o.secs * 1000.0) as u64;
                let prev_peak = stats.peak_kib.fetch_max(o.peak_kib, Ordering::Relaxed);
                let prev_ms = stats.slowest_ms.fetch_max(ms, Ordering::Relaxed);
                // Keep the slowest input and the one with the highest peak, to look at.
                for (name, record) in [
                    ("slowest", ms > prev_ms),
                    ("highest-peak", o.peak_kib > prev_peak),
                ] {
                    if record {
                        let file = format!("{name}.{}", seed.kind.ext());
                        let _ = std::fs::create_dir_all(out.join("extremes"));
                        let _ = std::fs::write(out.join("extremes").join(&file), &bytes);
                        if let Ok(mut x) = stats.extremes.lock() {
                            x.retain(|l| !l.starts_with(&file));
                            x.push(format!(
                                "{file}: {:.2} s, {:.1} MiB: seed {}, mutations {muts:?}",
                                o.secs,
                                o.peak_kib as f64 / 1024.0,
                                seed.name
                            ));
                        }
                    }
                }
                let Some(fail) = o.failure else { continue };
                if fail == Failure::Spawn {
                    stats.harness_errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let small = minimise(seed, &muts, fail, &runner, &tmp, workers);
                let bytes = build(seed, &small);
                let tag = format!("{fail:?}")
                    .to_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                    .trim_matches('-')
                    .to_string();
                let name = format!("{tag}-{:016x}.{}", hash(&bytes), seed.kind.ext());
                let _ = std::fs::write(out.join(&name), &bytes);
                let note = format!(
                    "seed {} (--seed {} input {n}); mutations {:?}; {:.1} s, peak {} MiB{}",
                    seed.name,
                    campaign_seed,
                    small,
                    o.secs,
                    o.peak_kib / 1024,
                    if workers { "; read in workers" } else { "" }
                );
                let _ = std::fs::write(
                    out.join(format!("{name}.txt")),
                    format!("{fail:?}: {note}\n"),
                );
                eprintln!("fuzz: {fail:?} → {}", out.join(&name).display());
                if let Ok(mut f) = failures.lock() {
                    f.push((fail, name, note));
                }
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let f = failures.lock().map(|f| f.clone()).unwrap_or_default();
    let count = |p: fn(&Failure) -> bool| f.iter().filter(|(x, _, _)| p(x)).count();
    let summary = format!(
        "| fuzz campaign | figure |\n|---|---:|\n| seed | {} |\n| seconds | {:.0} |\n| inputs checked | {} |\n| of them xlsx / xlsb / xls / ods | {} / {} / {} / {} |\n| of them read in worker processes | {} |\n| aborts and crashes (signals) | {} |\n| panics (escaped) | {} |\n| reader panics contained | {} |\n| hangs (over {} s) | {} |\n| peaks over {} MiB | {} |\n| other failures | {} |\n| highest peak memory of a check | {:.1} MiB |\n| slowest check | {:.2} s |\n| harness errors (not the reader's) | {} |\n",
        a.seed,
        started.elapsed().as_secs_f64(),
        stats.tried.load(Ordering::SeqCst) - stats.harness_errors.load(Ordering::SeqCst),
        stats.by_kind[0].load(Ordering::SeqCst),
        stats.by_kind[1].load(Ordering::SeqCst),
        stats.by_kind[2].load(Ordering::SeqCst),
        stats.by_kind[3].load(Ordering::SeqCst),
        stats.with_workers.load(Ordering::SeqCst),
        count(|x| matches!(x, Failure::Signal(_))),
        count(|x| matches!(x, Failure::Panic)),
        count(|x| matches!(x, Failure::ContainedPanic)),
        a.timeout,
        count(|x| matches!(x, Failure::Hang)),
        a.memory_mib,
        count(|x| matches!(x, Failure::Memory)),
        count(|x| matches!(x, Failure::Exit(_) | Failure::BadOutput)),
        stats.peak_kib.load(Ordering::SeqCst) as f64 / 1024.0,
        stats.slowest_ms.load(Ordering::SeqCst) as f64 / 1000.0,
        stats.harness_errors.load(Ordering::SeqCst),
    );
    println!("{summary}");
    let extremes = stats
        .extremes
        .lock()
        .map(|x| x.join("\n"))
        .unwrap_or_default();
    println!("{extremes}");
    let _ = std::fs::write(
        a.out.join(format!("summary-seed{}.md", a.seed)),
        format!("{summary}\n{extremes}\n"),
    );
    if !f.is_empty() {
        for (fail, name, note) in &f {
            println!("{fail:?}: {name}: {note}");
        }
        std::process::exit(1);
    }
}

fn hash(b: &[u8]) -> u64 {
    // FNV-1a: names the case after its bytes.
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for x in b {
        h ^= u64::from(*x);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

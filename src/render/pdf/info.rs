//! Custom Info keys by an appended incremental update (PDF 32000-1 §7.5.6).
//!
//! Job: add keys such as `DocNumber` or `ContentHash` to a finished PDF's Info dictionary,
//! which typst's exporter cannot do. The original bytes are kept as they are; a new Info
//! object, a one-entry xref section and a trailer with `/Prev` are appended, so the file
//! stays valid (qpdf) and PDF/A-compatible (incremental updates are allowed; XMP is untouched
//! and keeps describing the standard keys).
//! Must not depend on the report model or typst. Relies on what typst-pdf 0.15 writes: a
//! classic `xref` table with a `trailer` dictionary and an uncompressed Info object; anything
//! else is reported as an error, never guessed around.
//! Invariant: deterministic (same input, same output); existing Info keys are kept.

/// Append `entries` (key without the slash, value as text) to the Info dictionary of `pdf`.
pub fn append_custom_info(pdf: &[u8], entries: &[(&str, String)]) -> Result<Vec<u8>, String> {
    let sx = rfind(pdf, b"startxref").ok_or("no `startxref` in the exported PDF")?;
    let prev_xref = parse_uint(&pdf[sx + b"startxref".len()..])
        .ok_or("unreadable `startxref` offset")?
        .0;
    let tr = rfind(&pdf[..sx], b"trailer").ok_or("no classic `trailer` (xref stream?)")?;
    let trailer = dict_at(pdf, tr + b"trailer".len()).ok_or("unreadable trailer dictionary")?;
    let size = key_uint(trailer, b"/Size").ok_or("trailer has no /Size")?;
    let root = key_ref(trailer, b"/Root").ok_or("trailer has no /Root")?;
    let id = key_array(trailer, b"/ID");

    let (info_num, info_gen, old_body) = match key_ref(trailer, b"/Info") {
        Some((num, generation)) => {
            let off = xref_offset(pdf, prev_xref, num).ok_or("Info object not in the xref")?;
            let dict = dict_at(pdf, off).ok_or("unreadable Info dictionary")?;
            // Inner part of `<< … >>`.
            (num, generation, dict[2..dict.len() - 2].to_vec())
        }
        None => (size, 0, Vec::new()),
    };
    let new_size = size.max(info_num + 1);

    let mut out = Vec::with_capacity(pdf.len() + 1024);
    out.extend_from_slice(pdf);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let obj_off = out.len();
    out.extend_from_slice(format!("{info_num} {info_gen} obj\n<<").as_bytes());
    out.extend_from_slice(&old_body);
    for (key, value) in entries {
        out.extend_from_slice(format!("\n/{} ", name(key)).as_bytes());
        out.extend_from_slice(text_string(value).as_bytes());
    }
    out.extend_from_slice(b"\n>>\nendobj\n");
    let xref_off = out.len();
    out.extend_from_slice(
        format!("xref\n{info_num} 1\n{obj_off:010} {info_gen:05} n\r\ntrailer\n<< /Size {new_size} /Root {} {} R /Info {info_num} {info_gen} R",
            root.0, root.1).as_bytes(),
    );
    if let Some(id) = id {
        out.extend_from_slice(b" /ID ");
        out.extend_from_slice(id);
    }
    out.extend_from_slice(
        format!(" /Prev {prev_xref} >>\nstartxref\n{xref_off}\n%%EOF\n").as_bytes(),
    );
    Ok(out)
}

/// The value of custom Info key `key` as the file's last Info update writes it
/// (the inverse of `append_custom_info` for its literal and UTF-16 hex
/// strings), found in the bytes; `None` when absent or unreadable (a file
/// another tool rewrote, say with compressed object streams). For `verify`
/// of a file that matches nothing in the ledger: what it claims to be.
pub fn read_custom_info(pdf: &[u8], key: &str) -> Option<String> {
    let needle = format!("/{}", name(key));
    let mut end = pdf.len();
    // The last occurrence followed by a string is the current value.
    while let Some(at) = rfind(&pdf[..end], needle.as_bytes()) {
        end = at;
        let after = at + needle.len();
        // A longer name (`/DocNumberX`) is another key.
        if pdf
            .get(after)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            continue;
        }
        let i = skip_ws(pdf, after);
        match pdf.get(i) {
            Some(b'(') => return literal_string(&pdf[i + 1..]),
            Some(b'<') if pdf.get(i + 1) != Some(&b'<') => return hex_string(&pdf[i + 1..]),
            _ => continue,
        }
    }
    None
}

/// A literal string's text after its `(` (escapes and nesting of PDF 32000-1 §7.3.4.2).
fn literal_string(b: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() && out.len() < 4096 {
        match b[i] {
            b'\\' => {
                i += 1;
                match *b.get(i)? {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    c @ b'0'..=b'7' => {
                        let mut v = u32::from(c - b'0');
                        for _ in 0..2 {
                            match b.get(i + 1) {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xff) as u8);
                    }
                    c => out.push(c),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b'(');
            }
            b')' if depth == 0 => return Some(pdf_text(&out)),
            b')' => {
                depth -= 1;
                out.push(b')');
            }
            c => out.push(c),
        }
        i += 1;
    }
    None
}

/// A hex string's text after its `<`.
fn hex_string(b: &[u8]) -> Option<String> {
    let end = b.iter().take(16384).position(|c| *c == b'>')?;
    let digits: Vec<u8> = b[..end]
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let mut bytes = Vec::with_capacity(digits.len() / 2 + 1);
    for pair in digits.chunks(2) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = match pair.get(1) {
            Some(c) => (*c as char).to_digit(16)?,
            None => 0,
        };
        bytes.push((hi * 16 + lo) as u8);
    }
    Some(pdf_text(&bytes))
}

/// Text of a string's bytes: UTF-16BE after a BOM, else PDFDocEncoding (read as Latin-1).
fn pdf_text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(u) => {
            let units: Vec<u16> = u
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|b| *b as char).collect(),
    }
}

/// A PDF name from a key: regular characters kept, others `#xx`-escaped.
fn name(key: &str) -> String {
    let mut s = String::new();
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.' {
            s.push(b as char);
        } else {
            s.push_str(&format!("#{b:02X}"));
        }
    }
    s
}

/// A PDF text string: a literal for printable ASCII, UTF-16BE with a BOM (hex) otherwise.
fn text_string(value: &str) -> String {
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut s = String::from("(");
        for c in value.chars() {
            if matches!(c, '(' | ')' | '\\') {
                s.push('\\');
            }
            s.push(c);
        }
        s.push(')');
        s
    } else {
        let mut s = String::from("<FEFF");
        for unit in value.encode_utf16() {
            s.push_str(&format!("{unit:04X}"));
        }
        s.push('>');
        s
    }
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0') {
        i += 1;
    }
    i
}

/// An unsigned integer after optional white space: (value, index after it).
fn parse_uint(b: &[u8]) -> Option<(usize, usize)> {
    let start = skip_ws(b, 0);
    let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if end == start {
        return None;
    }
    let v = std::str::from_utf8(&b[start..end]).ok()?.parse().ok()?;
    Some((v, end))
}

/// The dictionary `<< … >>` starting at the first `<<` at or after `from` (skipping an
/// `N G obj` prefix), balanced over nested dictionaries, strings and hex strings.
fn dict_at(b: &[u8], from: usize) -> Option<&[u8]> {
    let start = from + find(&b[from..], b"<<")?;
    let mut i = start;
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'<' if b.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.checked_sub(1)?;
                i += 2;
                if depth == 0 {
                    return Some(&b[start..i]);
                }
            }
            b'<' => i += find(&b[i..], b">")? + 1,
            b'(' => {
                let mut nest = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        b'(' => nest += 1,
                        b')' => {
                            nest -= 1;
                            if nest == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Position right after `key` as a whole name in a dictionary's text.
fn key_pos(dict: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = find(&dict[from..], key) {
        let end = from + p + key.len();
        let delimited = dict.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        if delimited {
            return Some(end);
        }
        from = end;
    }
    None
}

fn key_uint(dict: &[u8], key: &[u8]) -> Option<usize> {
    Some(parse_uint(&dict[key_pos(dict, key)?..])?.0)
}

fn key_ref(dict: &[u8], key: &[u8]) -> Option<(usize, usize)> {
    let rest = &dict[key_pos(dict, key)?..];
    let (num, a) = parse_uint(rest)?;
    let (generation, b) = parse_uint(&rest[a..])?;
    let r = skip_ws(rest, a + b);
    (rest.get(r) == Some(&b'R')).then_some((num, generation))
}

fn key_array<'a>(dict: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = key_pos(dict, key)?;
    let open = at + skip_ws(&dict[at..], 0);
    if dict.get(open) != Some(&b'[') {
        return None;
    }
    let close = open + find(&dict[open..], b"]")?;
    Some(&dict[open..=close])
}

/// Byte offset of object `num` from the classic xref table at `xref` (first section only,
/// which is all typst writes).
fn xref_offset(pdf: &[u8], xref: usize, num: usize) -> Option<usize> {
    let b = pdf.get(xref..)?;
    if !b.starts_with(b"xref") {
        return None;
    }
    let mut i = 4;
    loop {
        let (first, a) = parse_uint(&b[i..])?;
        let (count, c) = parse_uint(&b[i + a..])?;
        let entries = skip_ws(b, i + a + c);
        if (first..first + count).contains(&num) {
            let e = entries + (num - first) * 20;
            let entry = b.get(e..e + 18)?;
            if entry[17] != b'n' {
                return None;
            }
            return Some(parse_uint(&entry[..10])?.0);
        }
        i = entries + count * 20;
        if b.get(skip_ws(b, i)..)?.starts_with(b"trailer") {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal classic PDF with an Info dictionary, offsets computed here.
    fn tiny_pdf() -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offs = Vec::new();
        for body in [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [] /Count 0 >>",
            "<< /Title (a >> b \\) c) /Producer <FEFF0041> /X << /Y 1 >> >>",
        ] {
            offs.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", offs.len()).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(b"xref\n0 4\n0000000000 65535 f\r\n");
        for o in offs {
            pdf.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<< /Size 4 /Root 1 0 R /Info 3 0 R /ID [<AB><CD>] >>\nstartxref\n{xref}\n%%EOF")
                .as_bytes(),
        );
        pdf
    }

    #[test]
    fn appends_keys_keeping_old_entries_root_id_and_prev() {
        let pdf = tiny_pdf();
        let out = append_custom_info(
            &pdf,
            &[
                ("DocNumber", "SR-2026-10".into()),
                ("Approver", "王五 (批准)".into()),
            ],
        )
        .expect("update");
        assert!(out.starts_with(&pdf), "original bytes are kept");
        let tail = String::from_utf8_lossy(&out[pdf.len()..]).into_owned();
        assert!(tail.contains("3 0 obj\n<< /Title (a >> b \\) c) /Producer <FEFF0041> /X << /Y 1 >> \n/DocNumber (SR-2026-10)"), "{tail}");
        // 王 U+738B, 五 U+4E94, space, ( U+0028 …
        assert!(tail.contains("/Approver <FEFF738B4E9400200028"), "{tail}");
        let prev = find(&pdf, b"\nxref\n").expect("xref") + 1;
        assert!(
            tail.contains(&format!(
                "/Size 4 /Root 1 0 R /Info 3 0 R /ID [<AB><CD>] /Prev {prev} >>"
            )),
            "{tail}"
        );
        // The new xref entry points at the new object.
        let sx = rfind(&out, b"startxref").expect("startxref");
        let new_xref = parse_uint(&out[sx + 9..]).expect("offset").0;
        let obj = xref_offset(&out, new_xref, 3).expect("entry for 3");
        assert!(out[obj..].starts_with(b"3 0 obj\n<<"));
        // Deterministic.
        let again = append_custom_info(
            &pdf,
            &[
                ("DocNumber", "SR-2026-10".into()),
                ("Approver", "王五 (批准)".into()),
            ],
        )
        .expect("update");
        assert_eq!(out, again);
    }

    #[test]
    fn creates_an_info_object_when_there_is_none_and_rejects_xref_streams() {
        let pdf = tiny_pdf();
        let s = String::from_utf8(pdf)
            .expect("ascii")
            .replace(" /Info 3 0 R", "");
        let out = append_custom_info(s.as_bytes(), &[("Status", "draft".into())]).expect("update");
        let tail = String::from_utf8_lossy(&out[s.len()..]).into_owned();
        assert!(tail.contains("4 0 obj\n<<\n/Status (draft)\n>>"), "{tail}");
        assert!(tail.contains("/Size 5 /Root 1 0 R /Info 4 0 R"), "{tail}");
        let err = append_custom_info(
            b"%PDF-1.7\n1 0 obj<</Type/XRef>>endobj\nstartxref\n9\n%%EOF",
            &[],
        )
        .expect_err("no trailer");
        assert!(err.contains("trailer"), "{err}");
    }

    #[test]
    fn custom_keys_read_back_as_written() {
        let out = append_custom_info(
            &tiny_pdf(),
            &[
                ("DocNumber", "SR-2026-10".into()),
                ("Approver", "王五 (批准)".into()),
                ("Note", r"a(b)\c".into()),
            ],
        )
        .expect("update");
        assert_eq!(
            read_custom_info(&out, "DocNumber").as_deref(),
            Some("SR-2026-10")
        );
        assert_eq!(
            read_custom_info(&out, "Approver").as_deref(),
            Some("王五 (批准)")
        );
        assert_eq!(read_custom_info(&out, "Note").as_deref(), Some(r"a(b)\c"));
        assert_eq!(read_custom_info(&out, "Doc"), None);
        assert_eq!(read_custom_info(&out, "Version"), None);
        // A later update wins.
        let again =
            append_custom_info(&out, &[("DocNumber", "SR-2026-11".into())]).expect("update");
        assert_eq!(
            read_custom_info(&again, "DocNumber").as_deref(),
            Some("SR-2026-11")
        );
    }

    #[test]
    fn names_and_strings_are_escaped() {
        assert_eq!(name("Doc Number"), "Doc#20Number");
        assert_eq!(text_string(r"a(b)\c"), r"(a\(b\)\\c)");
        assert_eq!(text_string("é"), "<FEFF00E9>");
    }
}

//! Text files: CSV and TSV (also gzip-compressed, `.csv.gz`), read record by record into the
//! same sheet reader as workbooks (`SheetState`), so header recognition, profiles, row rules,
//! findings and the reconciliation are the workbooks' own.
//!
//! Decoding (never hand-written: `encoding_rs` decodes, the `csv` crate splits records):
//! the encoding a profile names; else a byte-order mark (UTF-8, UTF-16LE, UTF-16BE); else
//! UTF-8 when every byte of the file is valid UTF-8 (one streaming pass); else the encoding
//! the profile names for that case (`fallback_encoding`: Windows-1252 for ServiceNow, whose
//! CSV export is in it by default; the file's profile, or the one its header row is
//! recognised by); else GB18030 (a superset of GBK and GB2312, what Excel writes for "CSV"
//! on a Chinese Windows). Bytes the
//! encoding cannot read become U+FFFD and one `ingest.encoding` warning at the first record
//! holding one. The delimiter is the one a profile names, else `\t` for `.tsv`/`.tab`, else
//! the one of `,` `;` `\t` `|` the header line holds most of.
//!
//! Places: a finding points at `line:column` (`incidents.csv:17:D`: the record starting on
//! line 17, its fourth field). Rows are records: a record whose quoted field spans lines is
//! one row, and blank lines are not rows; the line of each record is kept where it differs
//! from its row ([`LineMap`]).
//!
//! Bounds: the file is streamed (a 64 KiB input buffer, one record at a time); a gzip file
//! inflates to at most `max_uncompressed_bytes` (`ingest.too_large` beyond); a field over
//! Excel's 32,767 characters is `value.too_long` where it is used, and the reader never holds
//! more than 4 × 32,767 bytes of one field (a longer one is cut before the record reader,
//! `FieldCap`, so a multi-megabyte quoted field costs no more than a long cell); a record of more than
//! [`super::MAX_COLUMNS`] fields has its further fields dropped with a `sheet.beyond_limits`
//! finding, as a workbook cell beyond XFD.

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};

use encoding_rs::{CoderResult, Decoder, Encoding};

use super::cell::Raw;
use super::{FileRead, IngestOptions, Refs, SheetState};
use crate::findings::limit::{Bounded, FileLimit};
use crate::findings::{Finding, Message};

/// Whether a file is read as text: by its name (`.csv`, `.tsv`, `.tab`, `.txt`, each also
/// with `.gz`).
pub fn is_text_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    [".csv", ".tsv", ".tab", ".txt"]
        .iter()
        .any(|e| base.ends_with(e))
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Whether the bytes start as gzip.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(GZIP_MAGIC)
}

/// The text encoding a profile or the file itself declares: a WHATWG label (`utf-8`,
/// `gbk`, `gb18030`, `utf-16le`, `windows-1252` …).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// How a text file was read (for `check --explain-profile` and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextShape {
    pub encoding: &'static Encoding,
    /// Why this encoding: a profile named it, a byte-order mark, all bytes valid UTF-8, or
    /// the fallback.
    pub by: EncodingBy,
    pub delimiter: u8,
    pub gzip: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingBy {
    Profile,
    ByteOrderMark,
    ValidUtf8,
    /// Not UTF-8, and the profile (the file's, or the one its header row is recognised by)
    /// names the tool's encoding for that case (`Profile::fallback_encoding`).
    ProfileFallback,
    Fallback,
}

/// The encoding a file that is not UTF-8 is read in when its profile names one: the file's
/// profile (by its name), else the one a header row among the first bytes is recognised by
/// (`profile::by_fingerprint`; headers are ASCII in every tool that names one).
fn profile_fallback(
    head: &[u8],
    delimiter: Option<u8>,
    file_profile: Option<&super::profile::Profile>,
    opts: &IngestOptions,
) -> Option<(&'static Encoding, String)> {
    let of = |p: &super::profile::Profile| {
        p.fallback_encoding
            .as_deref()
            .and_then(encoding_for_label)
            .map(|e| (e, p.name.clone()))
    };
    if let Some(p) = file_profile {
        return of(p);
    }
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.unwrap_or_else(|| sniff_delimiter(head)))
        .from_reader(head);
    let mut rec = csv::ByteRecord::new();
    for _ in 0..super::HEADER_SCAN {
        if !matches!(rd.read_byte_record(&mut rec), Ok(true)) {
            break;
        }
        let headers: Vec<String> = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if let Some(p) = super::profile::by_fingerprint(opts.profiles, &headers) {
            return of(p);
        }
    }
    None
}

/// The source's bytes: the file itself, or its gzip content, bounded.
fn open<'s, RS: Read + Seek>(
    src: &'s mut RS,
    gzip: bool,
    max: u64,
) -> std::io::Result<Box<dyn Read + 's>> {
    src.seek(SeekFrom::Start(0))?;
    Ok(if gzip {
        // One byte over the limit tells that the content is larger than allowed.
        Box::new(flate2::read::MultiGzDecoder::new(src).take(max.saturating_add(1)))
    } else {
        Box::new(src)
    })
}

/// Whether every byte of `r` is UTF-8 (streamed; decoded by `encoding_rs` into a scratch
/// buffer, nothing kept). Also the content's length.
fn all_utf8(r: &mut dyn Read) -> std::io::Result<(bool, u64)> {
    let mut dec = encoding_rs::UTF_8.new_decoder_without_bom_handling();
    let mut input = vec![0u8; 64 * 1024];
    let mut scratch = vec![0u8; 64 * 1024 + 16];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut input)?;
        total += n as u64;
        let last = n == 0;
        let mut pos = 0;
        loop {
            let (res, read, _) =
                dec.decode_to_utf8_without_replacement(&input[pos..n], &mut scratch, last);
            pos += read;
            match res {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(..) => return Ok((false, total)),
            }
        }
        if last {
            return Ok((true, total));
        }
    }
}

/// A reader of decoded UTF-8 text over a reader of encoded bytes (`encoding_rs`).
struct Decoded<R> {
    inner: R,
    dec: Decoder,
    input: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    eof: bool,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    /// Some bytes could not be decoded (they became U+FFFD).
    replaced: bool,
    /// Decoded bytes handed out.
    total: u64,
    /// The decoder has taken its last input.
    finished: bool,
    /// The last byte handed out.
    last: u8,
}

impl<R: Read> Decoded<R> {
    fn new(inner: R, enc: &'static Encoding) -> Decoded<R> {
        Decoded {
            inner,
            // The BOM (if any) is removed; the encoding is already decided.
            dec: enc.new_decoder_with_bom_removal(),
            input: vec![0u8; 64 * 1024],
            in_pos: 0,
            in_len: 0,
            eof: false,
            out: vec![0u8; 64 * 1024 + 16],
            out_pos: 0,
            out_len: 0,
            replaced: false,
            total: 0,
            finished: false,
            last: 0,
        }
    }

    /// Decode more into `out`; `false` at the end.
    fn fill(&mut self) -> std::io::Result<bool> {
        loop {
            if self.finished {
                return Ok(false);
            }
            if self.in_pos == self.in_len && !self.eof {
                self.in_len = self.inner.read(&mut self.input)?;
                self.in_pos = 0;
                self.eof = self.in_len == 0;
            }
            let (res, read, written, replaced) = self.dec.decode_to_utf8(
                &self.input[self.in_pos..self.in_len],
                &mut self.out,
                self.eof,
            );
            self.in_pos += read;
            self.replaced |= replaced;
            self.out_pos = 0;
            self.out_len = written;
            // The decoder is done once the last input is taken (it must not be called again).
            self.finished = self.eof && res == CoderResult::InputEmpty;
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.out_pos == self.out_len && !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        self.total += n as u64;
        if n > 0 {
            self.last = buf[n - 1];
        }
        Ok(n)
    }
}

/// The most bytes of one field kept for the record reader: one more than four bytes for
/// each of Excel's 32,767 characters, so a field cut here is always a cell too long to read
/// (`Long::of`), as a workbook's cell over the limit.
const FIELD_CAP: usize = 4 * super::MAX_CELL_CHARS + 1;

/// A field the reader cut ([`FieldCap`]): where its cut began in the text handed on, and the
/// line breaks left out of it (for the line numbers of the records after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    offset: u64,
    newlines: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field (or a record).
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: an escaped quote (`""`) or the closing one.
    QuoteInQuoted,
}

/// A reader between the decoded text and the CSV reader that bounds every field and record:
/// it follows the CSV structure as the `csv` crate reads it (the delimiter, `"` quoting with
/// `""` inside quotes, `\r` and `\n` ending records outside quotes) and passes every byte on,
/// except a field's content beyond [`FIELD_CAP`] bytes (cut at a character boundary, the
/// structure around it kept: the cell is then too long to read) and, past
/// [`super::MAX_COLUMNS`] fields of a record (never read), the further fields' content and
/// delimiters. So a multi-megabyte quoted field costs `FIELD_CAP` bytes of the record, and a
/// record at most `MAX_COLUMNS + 2` fields. Text without quotes goes through a chunk at a
/// time, unless a field of it could reach the cap.
struct FieldCap<R> {
    inner: R,
    delimiter: u8,
    /// [`FIELD_CAP`] (smaller in tests).
    cap: usize,
    input: Vec<u8>,
    /// What the last input chunk gave, and how much of it is handed out.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    state: Quoting,
    /// The current field of the record (0-based).
    field: u32,
    /// Content bytes of the current field passed on.
    kept: usize,
    cutting: bool,
    cuts: Vec<Cut>,
    /// Bytes handed out (and those in `out`), and the last handed out.
    total: u64,
    produced: u64,
    last: u8,
}

impl<R: Read> FieldCap<R> {
    fn new(inner: R, delimiter: u8) -> FieldCap<R> {
        FieldCap::with_cap(inner, delimiter, FIELD_CAP)
    }

    fn with_cap(inner: R, delimiter: u8, cap: usize) -> FieldCap<R> {
        FieldCap {
            inner,
            delimiter,
            cap,
            input: vec![0u8; 64 * 1024],
            out: Vec::with_capacity(64 * 1024 + 2),
            out_pos: 0,
            eof: false,
            state: Quoting::Start,
            field: 0,
            kept: 0,
            cutting: false,
            cuts: Vec::new(),
            total: 0,
            produced: 0,
            last: 0,
        }
    }

    /// Fields past the last one read are content of one more field, never kept.
    fn past_columns(&self) -> bool {
        self.field > super::MAX_COLUMNS
    }

    fn next_field(&mut self) {
        self.field = self.field.saturating_add(1);
        self.kept = 0;
        self.cutting = false;
        self.state = Quoting::Start;
    }

    fn end_record(&mut self) {
        self.field = 0;
        self.kept = 0;
        self.cutting = false;
        self.state = Quoting::Start;
    }

    /// Content bytes (`bytes`: one, or an escaped quote's two) of the current field: passed
    /// on below the cap, else left out (from a character's first byte on) and the field
    /// listed as cut.
    fn content(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        // An escaped quote (`""`) is one byte of the field.
        let weight = if bytes == b"\"\"" { 1 } else { bytes.len() };
        let cap = if self.past_columns() { 0 } else { self.cap };
        if !self.cutting && self.kept >= cap && !matches!(bytes[0], 0x80..=0xBF) {
            self.cutting = true;
            self.cuts.push(Cut {
                offset: self.produced + out.len() as u64,
                newlines: 0,
            });
        }
        if self.cutting {
            if let Some(c) = self.cuts.last_mut() {
                c.newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
            }
            return;
        }
        out.extend_from_slice(bytes);
        self.kept += weight;
    }

    /// A run of content bytes (no quote, delimiter or line break outside quotes): what
    /// [`Self::content`] does byte by byte, at once.
    fn content_run(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        if !self.cutting {
            let cap = if self.past_columns() { 0 } else { self.cap };
            let room = cap.saturating_sub(self.kept).min(bytes.len());
            // Below the cap, then the rest of a character begun below it.
            let keep = room
                + bytes[room..]
                    .iter()
                    .take_while(|b| matches!(b, 0x80..=0xBF))
                    .count();
            out.extend_from_slice(&bytes[..keep]);
            self.kept += keep;
            if keep == bytes.len() {
                return;
            }
            self.content(&bytes[keep..keep + 1], out);
            if let Some(c) = self.cuts.last_mut() {
                c.newlines += bytes[keep + 1..].iter().filter(|b| **b == b'\n').count() as u64;
            }
            return;
        }
        if let Some(c) = self.cuts.last_mut() {
            c.newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
        }
    }

    /// One byte of the input, its output appended to `out` (at most two bytes).
    fn step(&mut self, b: u8, out: &mut Vec<u8>) {
        match self.state {
            Quoting::Start => {
                if b == b'"' && !self.past_columns() {
                    out.push(b);
                    self.state = Quoting::Quoted;
                } else {
                    self.state = Quoting::Unquoted;
                    self.unquoted(b, out);
                }
            }
            Quoting::Unquoted => self.unquoted(b, out),
            Quoting::Quoted => {
                if b == b'"' {
                    self.state = Quoting::QuoteInQuoted;
                } else {
                    self.content(&[b], out);
                }
            }
            Quoting::QuoteInQuoted => {
                if b == b'"' {
                    self.content(b"\"\"", out);
                    self.state = Quoting::Quoted;
                } else {
                    // The closing quote; what follows up to the delimiter is content.
                    out.push(b'"');
                    self.state = Quoting::Unquoted;
                    self.unquoted(b, out);
                }
            }
        }
    }

    fn unquoted(&mut self, b: u8, out: &mut Vec<u8>) {
        if b == b'\r' || b == b'\n' {
            out.push(b);
            self.end_record();
        } else if b == self.delimiter && !self.past_columns() {
            out.push(b);
            self.next_field();
        } else {
            self.content(&[b], out);
        }
    }

    /// A chunk without quotes, outside quotes, none of whose fields can reach the cap or
    /// the column limit, goes through as it is: the state after it, `true`; else `false`
    /// and nothing changed.
    fn plain_chunk(&mut self, chunk: &[u8]) -> bool {
        if !matches!(self.state, Quoting::Start | Quoting::Unquoted)
            || self.cutting
            || chunk.len() >= self.cap
            || chunk.contains(&b'"')
        {
            return false;
        }
        let d = self.delimiter;
        let special = |b: &u8| *b == d || *b == b'\r' || *b == b'\n';
        let line_break = |b: &u8| *b == b'\r' || *b == b'\n';
        // The current field's content must stay below the cap (the others are shorter than
        // the chunk, which is shorter than the cap).
        let room = self.cap.saturating_sub(self.kept);
        let first = chunk.iter().take(room).position(special);
        if first.is_none() && chunk.len() >= room {
            return false;
        }
        let delimiters = chunk.iter().filter(|b| **b == d).count();
        if self.field as usize + delimiters >= super::MAX_COLUMNS as usize {
            return false;
        }
        match chunk.iter().rposition(special) {
            None => {
                self.kept += chunk.len();
                if !chunk.is_empty() {
                    self.state = Quoting::Unquoted;
                }
            }
            Some(last) => {
                let tail = chunk.len() - last - 1;
                self.field = match chunk.iter().rposition(line_break) {
                    Some(nl) => chunk[nl + 1..].iter().filter(|b| **b == d).count() as u32,
                    None => self.field + delimiters as u32,
                };
                self.kept = tail;
                self.state = if tail > 0 {
                    Quoting::Unquoted
                } else {
                    Quoting::Start
                };
            }
        }
        true
    }

    /// The next chunk of input through the structure into `out`; `false` at the end.
    fn fill(&mut self) -> std::io::Result<bool> {
        self.produced += self.out.len() as u64;
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        self.out_pos = 0;
        let more = loop {
            if self.eof {
                break false;
            }
            let n = self.inner.read(&mut self.input)?;
            if n == 0 {
                self.eof = true;
                // A quote at the very end closes its field.
                if self.state == Quoting::QuoteInQuoted {
                    out.push(b'"');
                    self.state = Quoting::Unquoted;
                }
                break !out.is_empty();
            }
            let input = std::mem::take(&mut self.input);
            if self.plain_chunk(&input[..n]) {
                out.extend_from_slice(&input[..n]);
            } else {
                let mut i = 0;
                while i < n {
                    // Runs of content go through whole: up to the next byte that may end the
                    // field (unquoted) or the next quote (quoted).
                    let rest = &input[i..n];
                    let run = match self.state {
                        Quoting::Unquoted if !self.past_columns() => {
                            let d = self.delimiter;
                            rest.iter()
                                .position(|b| *b == d || *b == b'\r' || *b == b'\n')
                                .unwrap_or(rest.len())
                        }
                        Quoting::Quoted => {
                            rest.iter().position(|b| *b == b'"').unwrap_or(rest.len())
                        }
                        _ => 0,
                    };
                    if run > 0 {
                        self.content_run(&rest[..run], &mut out);
                        i += run;
                    } else {
                        self.step(input[i], &mut out);
                        i += 1;
                    }
                }
            }
            self.input = input;
            // A chunk wholly inside a cut field gives nothing: read on.
            if !out.is_empty() {
                break true;
            }
        };
        self.out = out;
        Ok(more)
    }
}

impl<R: Read> Read for FieldCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.out_pos == self.out.len() && !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        self.total += n as u64;
        if n > 0 {
            self.last = buf[n - 1];
        }
        Ok(n)
    }
}

/// The delimiter the first line uses most (`,` when it holds none).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    let mut best = (0usize, b',');
    for d in [b',', b';', b'\t', b'|'] {
        let n = line.iter().filter(|b| **b == d).count();
        if n > best.0 {
            best = (n, d);
        }
    }
    best.1
}

/// What a text source is: its encoding and delimiter. Leaves nothing read.
#[allow(clippy::result_large_err)] // reason: cold path, at most one finding per file
fn shape<RS: Read + Seek>(
    name: &str,
    src: &mut RS,
    opts: &IngestOptions,
    wanted: (Option<&'static Encoding>, Option<u8>),
    profile: Option<&super::profile::Profile>,
) -> Result<(TextShape, Option<String>), Finding> {
    let io_err = |e: std::io::Error| {
        Finding::new(Message::FileIo {
            error: e.to_string(),
        })
    };
    let mut head = Vec::with_capacity(4);
    src.seek(SeekFrom::Start(0)).map_err(io_err)?;
    src.by_ref()
        .take(2)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    let gzip = is_gzip(&head);
    let max = opts.max_uncompressed_bytes;
    // The content's first bytes (for a byte-order mark and the delimiter).
    let mut first = Vec::with_capacity(4096);
    {
        let mut r = open(src, gzip, max).map_err(io_err)?;
        r.by_ref()
            .take(4096)
            .read_to_end(&mut first)
            .map_err(|e| corrupt_or_io(e, gzip))?;
    }
    // The profile whose fallback encoding was taken.
    let mut assumed_by = None;
    let (encoding, by) = match (wanted.0, Encoding::for_bom(&first)) {
        (Some(e), _) => (e, EncodingBy::Profile),
        (None, Some((e, _))) => (e, EncodingBy::ByteOrderMark),
        (None, None) => {
            let mut r = open(src, gzip, max).map_err(io_err)?;
            let (utf8, len) = all_utf8(&mut r).map_err(|e| corrupt_or_io(e, gzip))?;
            if gzip && len > max {
                return Err(too_large(name, len, max));
            }
            if utf8 {
                (encoding_rs::UTF_8, EncodingBy::ValidUtf8)
            } else if let Some((e, p)) = profile_fallback(&first, wanted.1, profile, opts) {
                assumed_by = Some(p);
                (e, EncodingBy::ProfileFallback)
            } else {
                (encoding_rs::GB18030, EncodingBy::Fallback)
            }
        }
    };
    let delimiter = match wanted.1 {
        Some(d) => d,
        None => {
            let lower = name.to_ascii_lowercase();
            let base = lower.strip_suffix(".gz").unwrap_or(&lower);
            if base.ends_with(".tsv") || base.ends_with(".tab") {
                b'\t'
            } else {
                // Decode the head (UTF-16 has no ASCII bytes as such).
                let (text, _, _) = encoding.decode(&first);
                sniff_delimiter(text.as_bytes())
            }
        }
    };
    Ok((
        TextShape {
            encoding,
            by,
            delimiter,
            gzip,
        },
        assumed_by,
    ))
}

fn corrupt_or_io(e: std::io::Error, gzip: bool) -> Finding {
    if gzip {
        Finding::new(Message::Corrupt {
            error: format!("gzip: {e}"),
        })
    } else {
        Finding::new(Message::FileIo {
            error: e.to_string(),
        })
    }
}

fn too_large(name: &str, len: u64, max: u64) -> Finding {
    Finding::new(Message::TooLarge {
        part: name.rsplit('/').next().unwrap_or(name).to_string(),
        bytes: len,
        limit: max,
    })
}

/// Read one text file into `out` (its one "sheet" has the empty name; findings carry no
/// sheet, only `line:column`).
#[allow(clippy::result_large_err)] // reason: cold path, at most one finding per file
pub(super) fn read_text<'x, RS: Read + Seek>(
    name: &'x str,
    mut src: RS,
    refs: &'x Refs,
    opts: &'x IngestOptions<'x>,
    profile: Option<&'x super::profile::Profile>,
    out: &mut FileRead,
) -> Result<(), Finding> {
    let wanted = (
        profile
            .and_then(|p| p.encoding.as_deref())
            .and_then(encoding_for_label),
        profile.and_then(|p| p.delimiter),
    );
    let (shape, assumed_by) = shape(name, &mut src, opts, wanted, profile)?;
    let limit = FileLimit::new();
    let mut file_level = Bounded::new(&limit);
    if let Some(profile) = assumed_by {
        file_level.push(
            Finding::new(Message::EncodingAssumed {
                encoding: shape.encoding.name().to_string(),
                profile,
            })
            .file(name),
        );
    }
    let sheet = calamine::Sheet {
        name: String::new(),
        typ: calamine::SheetType::WorkSheet,
        visible: calamine::SheetVisible::Visible,
    };
    let Some(mut st) = SheetState::start_text(name, &sheet, refs, opts, &limit, profile, out)
    else {
        return Ok(());
    };
    let max = opts.max_uncompressed_bytes;
    let res = (|| -> Result<(), Finding> {
        let raw = open(&mut src, shape.gzip, max).map_err(|e| corrupt_or_io(e, shape.gzip))?;
        let dec = Decoded::new(raw, shape.encoding);
        let mut capped = FieldCap::new(dec, shape.delimiter);
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(shape.delimiter)
            .buffer_capacity(64 * 1024)
            .from_reader(&mut capped);
        // The first cut not yet counted, and the line breaks left out of the records before
        // this one.
        let mut next_cut = 0usize;
        let mut lines_cut = 0u64;
        let mut rec = csv::StringRecord::new();
        let mut replaced_said = false;
        let mut beyond_said = false;
        // Rows are records (a quoted field may span lines); findings name the line.
        let mut row: u32 = 0;
        loop {
            match rd.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(match e.into_kind() {
                        csv::ErrorKind::Io(io) => corrupt_or_io(io, shape.gzip),
                        other => Finding::new(Message::Corrupt {
                            error: format!("line {line}: {other:?}"),
                        }),
                    });
                }
            }
            // The line the record starts on, from where the reader stands after it (the
            // record's own position is where the reader began, before any blank lines it
            // skipped): back over the record's inner line breaks and its terminator.
            // Line breaks left out of cut fields count as lines: those of earlier records
            // shift this one's line; this record's own ones are inside it.
            let capped = rd.get_ref();
            let start = rec.position().map_or(0, |p| p.byte());
            while let Some(c) = capped.cuts.get(next_cut)
                && c.offset < start
            {
                lines_cut += c.newlines;
                next_cut += 1;
            }
            let inner = rec.as_slice().bytes().filter(|b| *b == b'\n').count() as u64;
            let end = rd.position().line() + lines_cut;
            let last_unterminated = capped.inner.finished
                && capped.last != b'\n'
                && rd.position().byte() >= capped.total;
            let terminated = u64::from(!last_unterminated);
            let line = end.saturating_sub(inner + terminated).max(1);
            st.record_line(row, u32::try_from(line).unwrap_or(u32::MAX));
            for (col, field) in rec.iter().enumerate() {
                let Ok(col) = u32::try_from(col) else { break };
                if col >= super::MAX_COLUMNS {
                    if !beyond_said && !field.trim().is_empty() {
                        beyond_said = true;
                        st.push(row, col, Raw::Text(Cow::Owned(field.to_string())));
                    }
                    break;
                }
                // A field cut for its length is longer than any cell may be: too long.
                st.push_text(row, col, field);
            }
            if rd.get_ref().inner.replaced
                && !replaced_said
                && rec.iter().any(|f| f.contains('\u{FFFD}'))
            {
                replaced_said = true;
                let col = rec.iter().position(|f| f.contains('\u{FFFD}')).unwrap_or(0) as u32;
                st.say_at(
                    Message::BadEncoding {
                        encoding: shape.encoding.name().to_string(),
                    },
                    row,
                    col,
                );
            }
            row = row.saturating_add(1);
        }
        if shape.gzip && rd.get_ref().inner.total > max {
            return Err(too_large(name, rd.get_ref().inner.total, max));
        }
        Ok(())
    })();
    st.finish(out);
    if let Err(f) = res {
        file_level.push(f.file(name));
    }
    out.findings.extend(file_level.finish(name, ""));
    out.findings.extend(limit.summaries(name));
    for f in &mut out.findings {
        if f.sheet.as_deref() == Some("") {
            f.sheet = None;
        }
    }
    Ok(())
}

/// Record (0-based row) → the line it starts on, kept as the steps where the difference
/// changes (a record spanning lines, a blank line skipped): empty for the usual file.
#[derive(Debug, Default)]
pub struct LineMap {
    steps: Vec<(u32, u32)>,
}

impl LineMap {
    /// Record `row` starts on 1-based `line`.
    pub fn record(&mut self, row: u32, line: u32) {
        let d = line.saturating_sub(row.saturating_add(1));
        if self.steps.last().map_or(0, |s| s.1) != d {
            self.steps.push((row, d));
        }
    }

    /// The 1-based line record `row` starts on.
    pub fn line(&self, row: u32) -> u32 {
        let i = self.steps.partition_point(|s| s.0 <= row);
        let d = if i == 0 { 0 } else { self.steps[i - 1].1 };
        row.saturating_add(1).saturating_add(d)
    }
}

/// The name a text file's one "sheet" is recognised by: the file name without its folder
/// and extensions (`inbox/2026-10/incidents.csv.gz` → `incidents`).
pub fn text_stem(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let mut cut = base.len();
    for ext in [".gz", ".csv", ".tsv", ".tab", ".txt"] {
        if lower[..cut].ends_with(ext) {
            cut -= ext.len();
        }
    }
    base[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_stems() {
        assert!(is_text_name("a/incidents.csv"));
        assert!(is_text_name("a/INCIDENTS.CSV.GZ"));
        assert!(is_text_name("x.tsv"));
        assert!(!is_text_name("x.xlsx"));
        assert!(!is_text_name("x.gz"));
        assert_eq!(text_stem("inbox/2026-10/incidents.csv.gz"), "incidents");
        assert_eq!(text_stem("事件.CSV"), "事件");
    }

    #[test]
    fn line_map() {
        let mut m = LineMap::default();
        for (row, line) in [(0, 1), (1, 2), (2, 3), (3, 6), (4, 7), (5, 9)] {
            m.record(row, line);
        }
        let lines: Vec<u32> = (0..6).map(|r| m.line(r)).collect();
        assert_eq!(lines, [1, 2, 3, 6, 7, 9]);
        assert_eq!(m.steps.len(), 2);
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"a,b"), b',');
        assert_eq!(sniff_delimiter(b"abc"), b',');
    }

    /// Every record and field the `csv` crate reads, as byte strings.
    fn fields(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        rd.byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn through_cap(text: &str, cap: usize, chunk: usize) -> (Vec<u8>, Vec<Cut>) {
        // A reader handing out `chunk` bytes at a time (records across buffer edges).
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut f = FieldCap::with_cap(Chunks(text.as_bytes(), chunk), b',', cap);
        let mut out = Vec::new();
        f.read_to_end(&mut out).unwrap();
        (out, f.cuts)
    }

    proptest::proptest! {
        /// Through the cap, the CSV reader sees the same records and fields, except that a
        /// field longer than the cap is its first bytes (a whole number of characters, at
        /// least the cap) and is listed as cut, with the line breaks left out of it.
        #[test]
        fn the_field_cap_keeps_the_structure(
            text in "[a\",\r\né]{0,60}",
            cap in 1usize..8,
            chunk in 1usize..7,
        ) {
            let (out, cuts) = through_cap(&text, cap, chunk);
            let want = fields(text.as_bytes());
            let got = fields(&out);
            let (mut lost, mut cut) = (0u64, 0usize);
            proptest::prop_assert_eq!(want.len(), got.len(), "{:?} → {:?}", text, String::from_utf8_lossy(&out));
            for (r, (w, g)) in want.iter().zip(&got).enumerate() {
                proptest::prop_assert_eq!(w.len(), g.len());
                for (c, (wf, gf)) in w.iter().zip(g).enumerate() {
                    if wf.len() > cap {
                        // Cut: its first bytes, whole characters, at least the cap.
                        proptest::prop_assert!(gf.len() >= cap && wf.starts_with(gf));
                        proptest::prop_assert!(std::str::from_utf8(gf).is_ok());
                        lost += wf[gf.len()..].iter().filter(|b| **b == b'\n').count() as u64;
                        cut += usize::from(gf.len() < wf.len());
                        let _ = (r, c);
                    } else {
                        proptest::prop_assert_eq!(wf, gf);
                    }
                }
            }
            proptest::prop_assert_eq!(cuts.len(), cut);
            proptest::prop_assert_eq!(cuts.iter().map(|x| x.newlines).sum::<u64>(), lost);
        }
    }

    /// A field of megabytes is handed on as at most the cap (and a character).
    #[test]
    fn a_huge_quoted_field_is_cut() {
        let text = format!("a,\"{}\",b\nc,d\n", "é\n\"\"".repeat(1_000_000));
        let (out, cuts) = through_cap(&text, FIELD_CAP, 65_536);
        // An escaped quote is two bytes of the stream for one of the field.
        assert!(out.len() < 2 * FIELD_CAP + 16, "{}", out.len());
        let f = fields(&out);
        assert_eq!(f.len(), 2);
        assert_eq!(cuts.len(), 1);
        let kept = f[0][1].iter().filter(|b| **b == b'\n').count() as u64;
        assert_eq!(
            kept + cuts[0].newlines,
            1_000_000,
            "every line break kept or counted"
        );
        assert_eq!(f[0][2], b"b");
        assert_eq!(f[1], [b"c".to_vec(), b"d".to_vec()]);
    }

    /// A record of more fields than a sheet has columns: the fields read are kept, the rest
    /// is one more field at most, its content not kept.
    #[test]
    fn fields_past_the_column_limit_are_not_held() {
        let n = super::super::MAX_COLUMNS as usize;
        let mut line: Vec<String> = (0..n + 5_000).map(|i| format!("f{i}")).collect();
        line[n + 10] = "\"quoted, with a comma\"".into();
        let text = format!("{}\nnext,record\n", line.join(","));
        for chunk in [7, 65_536] {
            let (out, _) = through_cap(&text, FIELD_CAP, chunk);
            let f = fields(&out);
            assert_eq!(f.len(), 2);
            assert!(f[0].len() <= n + 2, "{}", f[0].len());
            assert_eq!(f[0][..n + 1], fields(text.as_bytes())[0][..n + 1]);
            assert_eq!(f[1], [b"next".to_vec(), b"record".to_vec()]);
        }
    }

    #[test]
    fn decoding_streams_across_buffer_edges() {
        // GB18030 text longer than the buffers, split at every place.
        let text = "工单号,客户\n".repeat(20_000) + "no final line break";
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let mut d = Decoded::new(std::io::Cursor::new(bytes.to_vec()), encoding_rs::GB18030);
        let mut back = String::new();
        d.read_to_string(&mut back).unwrap();
        assert_eq!(back, text);
        assert!(!d.replaced);
        let (ok, _) = all_utf8(&mut std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert!(!ok, "GBK bytes are not UTF-8");
        let (ok, _) = all_utf8(&mut std::io::Cursor::new(text.into_bytes())).unwrap();
        assert!(ok);
    }
}

//! The message table: every finding's message and hint, in English and
//! Chinese, from the typed arguments a finding carries ([`Message`]).
//!
//! A finding is created with a `Message` (what went wrong, with the values
//! involved) and nothing else: its code and so its severity follow from the
//! message ([`Message::code`]), and its text is written only when printed, in
//! the language asked for. Logic never reads message text.
//!
//! Style: English as the tool always printed it; Chinese written for the
//! Excel users who fill in the provider workbooks. Values from the workbook
//! stay in ASCII double quotes in both languages (they are data: copy them
//! as they are).

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize};

use super::{CellRef, Code, Lang};

/// Static text in both languages: a template's column or sheet name, a
/// column's note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Words {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Words {
    pub const fn new(zh: &'static str, en: &'static str) -> Words {
        Words { zh, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }

    /// `工单号 / Ticket ID`: how findings name a template column in both languages.
    fn both(self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

/// A dataset as findings name it: its key (`incidents`) and sheet names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DatasetName {
    pub key: &'static str,
    pub sheet: Words,
}

impl DatasetName {
    /// `事件 / Incidents (incidents)`, `事件 / Incidents（incidents）`.
    fn text(self, lang: Lang) -> String {
        let (zh, en, key) = (self.sheet.zh, self.sheet.en, self.key);
        tr!(lang, "{zh} / {en} ({key})", "{zh} / {en}（{key}）")
    }
}

/// What a cell held, as the provider sees it (for "expected …, found …").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Found {
    Empty,
    /// Text, clipped to 60 characters.
    Text(String),
    Number(f64),
    Integer(i64),
    Bool(bool),
    Date(NaiveDateTime),
    /// A date cell whose serial is no date (out of range).
    DateSerial(f64),
    /// An Excel error value such as `#N/A`.
    ErrorValue(String),
    /// Text beyond Excel's 32,767 characters (not kept).
    TooLong,
}

impl Found {
    /// Text of a cell, clipped to 60 characters for messages.
    pub fn text(s: &str) -> Found {
        Found::Text(clip(s))
    }

    fn describe(&self, lang: Lang) -> String {
        match self {
            Found::Empty => pick(lang, "an empty cell", "空单元格"),
            Found::Text(s) => tr!(lang, "text \"{s}\"", "文本 \"{s}\""),
            Found::Number(n) => tr!(lang, "number {n}", "数字 {n}"),
            Found::Integer(n) => tr!(lang, "number {n}", "数字 {n}"),
            Found::Bool(b) => {
                let b = if *b { "TRUE" } else { "FALSE" };
                tr!(lang, "boolean {b}", "逻辑值 {b}")
            }
            Found::Date(d) => {
                let d = d.format("%Y-%m-%d %H:%M:%S");
                tr!(lang, "date {d}", "日期 {d}")
            }
            Found::DateSerial(s) => tr!(lang, "date serial {s}", "日期序列号 {s}"),
            Found::ErrorValue(e) => tr!(lang, "the error value {e}", "错误值 {e}"),
            Found::TooLong => pick(
                lang,
                "text of more than 32,767 characters",
                "超过 32,767 个字符的文本",
            ),
        }
    }
}

/// Text clipped to 60 characters (57 and `…`); looks at no more than 61 characters, so
/// clipping a cell of any length costs the same.
pub fn clip(s: &str) -> String {
    if s.chars().nth(60).is_some() {
        let t: String = s.chars().take(57).collect();
        format!("{t}…")
    } else {
        s.to_string()
    }
}

/// A number as a provider typed it: `12`, not `12.0`.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// What a file turned out to be when it is no workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Pdf,
    PlainText,
    /// Binary data of some other kind.
    Other,
    /// A zip archive without a workbook inside.
    Zip,
}

/// The catalogue entities a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefKind {
    Customer,
    Service,
    Supplier,
}

/// What kind of catalogue entry a name is missing for (`catalogue.name_missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamedKind {
    Process,
    Resource,
    Service,
    Customer,
    Person,
}

/// Which name is missing (`catalogue.name_missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingName {
    /// No catalogue entry at all: documents print the id.
    Entry,
    /// No `name_en`, while an English template is in use.
    English,
}

/// Which id repeats (`row.duplicate_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdKind {
    Ticket,
    Change,
    Request,
}

/// A place in another sheet or file (the first occurrence of an id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub file: String,
    pub sheet: String,
    pub cell: CellRef,
}

/// Why an ingest worker process stopped reading a file (`ingest.unreadable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkerFailure {
    /// An allocation failed at the worker's memory limit.
    OutOfMemory { limit_mib: u64 },
    /// Still reading when its time was up; it was stopped.
    TimedOut { seconds: u64 },
    /// Ended by a signal (6: aborted, 9: killed, 11: crashed).
    Signal { signal: i32 },
    /// Exited with another code.
    Exit { code: i32 },
    /// Its answer could not be read.
    Garbled,
}

/// Why an inbox entry that is a symbolic link was not read (`ingest.symlink`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkProblem {
    /// Links are not followed (`follow_symlinks` is off).
    NotFollowed,
    /// The link leads outside the workspace.
    OutsideWorkspace,
    /// The link leads nowhere.
    Broken,
}

/// Where text with an unusual character is (`value.unprintable`, `value.invisible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextPlace {
    /// A cell (the finding names it).
    Cell,
    /// The file's name.
    FileName,
    /// The sheet's name.
    SheetName,
}

/// What a summary of findings not listed one by one stands for (see `findings::limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressedIn {
    /// More than 100 of one code in one sheet.
    Sheet,
    /// The file's list (1,000) was full.
    File,
}

/// `U+1F600`: how reports and messages show a character.
pub fn codepoint(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// What went wrong, with the values involved. One variant per message; each
/// belongs to one [`Code`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Message {
    // ingest.unreadable
    /// The file could not be opened or read from disk.
    CannotRead {
        error: String,
    },
    /// A workbook reader failed (panicked) on the file.
    ReaderFailed {
        cause: String,
    },
    /// Reading the file's first bytes failed.
    FileIo {
        error: String,
    },
    /// The zip container is corrupt or cut short.
    Corrupt {
        error: String,
    },
    /// The workbook reader refused the file.
    CannotOpen {
        error: String,
    },
    /// A sheet failed part way; the rows before the failure are counted.
    SheetCutShort {
        sheet: String,
        error: String,
    },
    /// A sheet could not be read at all.
    SheetUnreadable {
        sheet: String,
        error: String,
    },
    // ingest.empty
    Empty,
    // ingest.no_rows
    /// No row was read from a readable file; `datasets`: the datasets its sheets were read
    /// as (each with 0 rows), empty when none was recognised.
    NoRows {
        datasets: Vec<String>,
    },
    // ingest.encoding
    /// A text file held bytes its encoding (`encoding`, a WHATWG name) cannot read.
    BadEncoding {
        encoding: String,
    },
    /// A text file that is not UTF-8, read in its profile's fallback encoding.
    EncodingAssumed {
        encoding: String,
        profile: String,
    },
    // ingest.encrypted
    /// An encrypted (password-protected) OLE container.
    Encrypted,
    /// The reader reports a protection or password problem.
    Protected {
        detail: String,
    },
    // ingest.not_a_spreadsheet
    NotASpreadsheet {
        kind: FileKind,
    },
    /// A worker process reading the file failed.
    WorkerFailed {
        failure: WorkerFailure,
    },
    // ingest.symlink
    Symlink {
        problem: LinkProblem,
    },
    // ingest.too_large
    TooLarge {
        part: String,
        bytes: u64,
        limit: u64,
    },
    // profile.chosen
    /// Read through import profile `profile` (of `tool`), chosen by the file pattern `glob`
    /// or, when `None`, by the sheet's header row (its fingerprint).
    ProfileChosen {
        profile: String,
        tool: String,
        glob: Option<String>,
    },
    // profile.ambiguous
    /// The file patterns of several profiles match; `chosen` (the most specific) was used.
    ProfileAmbiguous {
        chosen: String,
        others: Vec<String>,
    },
    // sheet.*
    SheetUnrecognised {
        sheet: String,
        /// The first texts of the sheet's first row (up to 8).
        found: Vec<String>,
        closest: Option<DatasetName>,
        /// Every dataset's sheet names, for the hint when none is close.
        datasets: Vec<DatasetName>,
        /// Why the sheet is not `closest` (when the header row named some of its columns):
        /// its required columns the header lacks.
        #[serde(default)]
        missing: Vec<Words>,
    },
    SheetHidden {
        sheet: String,
        dataset: DatasetName,
    },
    // sheet.beyond_limits
    /// A non-blank cell beyond row 1,048,576 or column XFD (the finding is at the cell).
    CellBeyondLimits,
    /// A row listed after a later row (`row`, `after`: 1-based).
    RowOutOfOrder {
        row: u32,
        after: u32,
    },
    /// A sheet name longer than 255 characters (`name` clipped).
    SheetNameTooLong {
        name: String,
        chars: u64,
    },
    MissingColumn {
        column: Words,
        /// 1-based header row.
        header_row: u32,
        found: Vec<String>,
        /// A header of the row that looks like a typo of the column's name.
        closest: Option<String>,
    },
    // column.*
    DuplicateColumn {
        header: String,
        first: CellRef,
    },
    /// An export read through an import profile names one field in two columns (a tool
    /// repeating a header, or two of the profile's alternative headers): the first is read.
    DuplicateSourceColumn {
        profile: String,
        field: Words,
        header: String,
        first_header: String,
        first: CellRef,
    },
    UnknownColumn {
        header: String,
        dataset: DatasetName,
        closest: Option<Words>,
    },
    // value.*
    Required {
        column: Words,
        note: Words,
    },
    /// `actual_end` of a change with a result.
    RequiredForClosedChange {
        column: Words,
    },
    /// `with_time`: the column is a date-time (the hint's example has a time).
    NotADate {
        found: Found,
        with_time: bool,
    },
    NoTime {
        found: Found,
    },
    /// `whole`: the column takes whole numbers in this range.
    NotANumber {
        found: Found,
        whole: Option<(i64, i64)>,
    },
    NotAnInteger {
        found: Found,
        min: i64,
        max: i64,
    },
    OutOfRange {
        value: f64,
        min: i64,
        max: i64,
    },
    NegativeMinutes {
        value: f64,
    },
    Negative {
        what: Words,
        value: f64,
    },
    NotAPriority {
        value: String,
    },
    /// A value the profile's map does not list and our vocabulary does not read.
    Unmapped {
        profile: String,
        value: String,
        /// The source values the profile lists (at most 20).
        listed: Vec<String>,
    },
    /// A date its profile's formats cannot read.
    NotInFormat {
        profile: String,
        formats: Vec<String>,
        found: Found,
    },
    NotAChoice {
        value: String,
        #[serde(deserialize_with = "static_list")]
        choices: &'static [&'static str],
    },
    NotYesNo {
        found: Found,
    },
    NotAPeriod {
        found: Found,
    },
    ErrorCell {
        error: String,
    },
    /// More characters than the column takes (`limit`: 32,767 or 255).
    TooLong {
        limit: u32,
    },
    /// A character no bundled font has.
    Unprintable {
        ch: char,
        place: TextPlace,
    },
    /// A bidirectional control or an invisible character in an id or a name.
    Invisible {
        ch: char,
        place: TextPlace,
    },
    // ref.*
    UnknownRef {
        kind: RefKind,
        value: String,
        /// The closest valid spelling (did you mean), if one is close.
        #[serde(default)]
        closest: Option<String>,
        /// Valid spellings (ids, names, aliases), the first few.
        #[serde(default)]
        valid: Vec<String>,
        /// Valid spellings not listed.
        #[serde(default)]
        more: u32,
    },
    /// A reference matched only ignoring spaces: `value` taken as `matched`.
    NearMatch {
        kind: RefKind,
        value: String,
        matched: String,
    },
    UnknownContract {
        value: String,
    },
    ServiceNotForCustomer {
        customer: String,
        service: String,
    },
    ContractSupplierMismatch {
        contract: String,
        party: String,
        supplier: String,
    },
    // row.*
    TimeOrder {
        later: Words,
        later_at: NaiveDateTime,
        earlier: Words,
        earlier_at: NaiveDateTime,
        earlier_cell: CellRef,
    },
    DuplicateId {
        kind: IdKind,
        id: String,
        first: Place,
    },
    /// Resolved or closed by its status, with no Resolved At; `stand_in` is the Closed At
    /// used instead, if any.
    ClosedWithoutResolution {
        id: String,
        stand_in: Option<NaiveDateTime>,
    },
    /// The newest delivery of a record changed these fields of `older`'s row:
    /// (field, old value, new value).
    Updated {
        kind: IdKind,
        id: String,
        older: Place,
        changes: Vec<(Words, String, String)>,
    },
    /// The newest delivery goes backwards against `older` (resolved → open,
    /// another opened time or priority): (field, old value, new value).
    Regressed {
        kind: IdKind,
        id: String,
        older: Place,
        changes: Vec<(Words, String, String)>,
    },
    /// The folder says period `folder`, the file name `named`.
    PeriodConflict {
        folder: String,
        named: String,
    },
    /// The workbook's instructions sheet declares `declared`; the folder or name says `used`.
    DeclaredPeriodConflict {
        used: String,
        declared: String,
    },
    /// The id is also in `other`, a file of the same dataset and period.
    PartitionDuplicate {
        kind: IdKind,
        id: String,
        other: Place,
    },
    /// `row` 1-based.
    TotalRow {
        row: u32,
        label: String,
    },
    /// An event log's rows superseded by a later row of the same ticket.
    SupersededInLog {
        rows: u64,
        tickets: u64,
    },
    OutsidePeriod {
        rows: u64,
        period: String,
        first_row: u32,
    },
    // catalogue.name_missing
    /// `id` (a process, resource, … the documents name) has no catalogue entry, or no
    /// `name_en` while an English template is in use.
    NameMissing {
        kind: NamedKind,
        id: String,
        missing: MissingName,
    },
    // any code
    /// `count` more findings of `code` not listed one by one (the finding's cell spans
    /// the first to the last of them).
    Suppressed {
        code: Code,
        count: u64,
        scope: SuppressedIn,
    },
}

impl Message {
    /// The code of the message (and so the finding's severity).
    pub fn code(&self) -> Code {
        use Message as M;
        match self {
            M::CannotRead { .. }
            | M::ReaderFailed { .. }
            | M::FileIo { .. }
            | M::Corrupt { .. }
            | M::CannotOpen { .. }
            | M::SheetCutShort { .. }
            | M::SheetUnreadable { .. }
            | M::WorkerFailed { .. } => Code::IngestUnreadable,
            M::Symlink { .. } => Code::IngestSymlink,
            M::CellBeyondLimits | M::RowOutOfOrder { .. } | M::SheetNameTooLong { .. } => {
                Code::SheetBeyondLimits
            }
            M::TooLong { .. } => Code::ValueTooLong,
            M::Unprintable { .. } => Code::ValueUnprintable,
            M::Invisible { .. } => Code::ValueInvisible,
            M::Suppressed { code, .. } => *code,
            M::Empty => Code::IngestEmpty,
            M::BadEncoding { .. } => Code::IngestEncoding,
            M::EncodingAssumed { .. } => Code::IngestEncodingAssumed,
            M::NoRows { .. } => Code::IngestNoRows,
            M::Encrypted | M::Protected { .. } => Code::IngestEncrypted,
            M::NotASpreadsheet { .. } => Code::IngestNotASpreadsheet,
            M::TooLarge { .. } => Code::IngestTooLarge,
            M::SheetUnrecognised { .. } => Code::SheetUnrecognised,
            M::ProfileChosen { .. } => Code::ProfileChosen,
            M::ProfileAmbiguous { .. } => Code::ProfileAmbiguous,
            M::Unmapped { .. } => Code::ValueUnmapped,
            M::NotInFormat { .. } => Code::ValueNotInFormat,
            M::SheetHidden { .. } => Code::SheetHidden,
            M::MissingColumn { .. } => Code::SheetMissingColumn,
            M::DuplicateColumn { .. } | M::DuplicateSourceColumn { .. } => Code::ColumnDuplicate,
            M::UnknownColumn { .. } => Code::ColumnUnknown,
            M::Required { .. } | M::RequiredForClosedChange { .. } => Code::ValueRequired,
            M::NotADate { .. } => Code::ValueNotADate,
            M::NoTime { .. } => Code::ValueNoTime,
            M::NotANumber { .. } => Code::ValueNotANumber,
            M::NotAnInteger { .. } => Code::ValueNotAnInteger,
            M::OutOfRange { .. } | M::NegativeMinutes { .. } | M::Negative { .. } => {
                Code::ValueOutOfRange
            }
            M::NotAPriority { .. } => Code::ValueNotAPriority,
            M::NotAChoice { .. } => Code::ValueNotAChoice,
            M::NotYesNo { .. } => Code::ValueNotYesNo,
            M::NotAPeriod { .. } => Code::ValueNotAPeriod,
            M::ErrorCell { .. } => Code::ValueErrorCell,
            M::UnknownRef { kind, .. } => match kind {
                RefKind::Customer => Code::RefUnknownCustomer,
                RefKind::Service => Code::RefUnknownService,
                RefKind::Supplier => Code::RefUnknownSupplier,
            },
            M::UnknownContract { .. } => Code::RefUnknownContract,
            M::NearMatch { .. } => Code::RefNearMatch,
            M::ServiceNotForCustomer { .. } => Code::RefServiceNotForCustomer,
            M::ContractSupplierMismatch { .. } => Code::RefContractSupplierMismatch,
            M::TimeOrder { .. } => Code::RowTimeOrder,
            M::DuplicateId { .. } => Code::RowDuplicateId,
            M::TotalRow { .. } => Code::RowTotal,
            M::SupersededInLog { .. } => Code::RowSupersededInLog,
            M::Updated { .. } => Code::RowUpdated,
            M::Regressed { .. } => Code::RowRegressed,
            M::PartitionDuplicate { .. } => Code::RowPartitionDuplicate,
            M::PeriodConflict { .. } => Code::DeliveryPeriodConflict,
            M::DeclaredPeriodConflict { .. } => Code::DeliveryDeclaredPeriodConflict,
            M::ClosedWithoutResolution { .. } => Code::RowClosedWithoutResolution,
            M::OutsidePeriod { .. } => Code::RowOutsidePeriod,
            M::NameMissing { .. } => Code::CatalogueNameMissing,
        }
    }

    /// The message, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        use Message as M;
        match self {
            M::CannotRead { error } => {
                tr!(
                    lang,
                    "cannot read the file: {error}",
                    "无法读取文件：{error}"
                )
            }
            M::ReaderFailed { cause } => tr!(
                lang,
                "the workbook could not be read (the reader failed: {cause})",
                "无法读取工作簿（读取程序出错：{cause}）"
            ),
            M::FileIo { error } => {
                tr!(
                    lang,
                    "the file cannot be read: {error}",
                    "无法读取文件：{error}"
                )
            }
            M::Corrupt { error } => tr!(
                lang,
                "the workbook is corrupt or truncated: {error}",
                "工作簿已损坏或不完整：{error}"
            ),
            M::CannotOpen { error } => tr!(
                lang,
                "the workbook cannot be opened: {error}",
                "无法打开工作簿：{error}"
            ),
            M::SheetCutShort { sheet, error } => tr!(
                lang,
                "sheet '{sheet}' could not be read to its end: {error}; rows up to the error are counted",
                "工作表 '{sheet}' 未能读到末尾：{error}；出错之前的行已计入"
            ),
            M::SheetUnreadable { sheet, error } => tr!(
                lang,
                "sheet '{sheet}' could not be read: {error}",
                "无法读取工作表 '{sheet}'：{error}"
            ),
            M::WorkerFailed { failure } => match failure {
                WorkerFailure::OutOfMemory { limit_mib } => tr!(
                    lang,
                    "reading the file needed more than {limit_mib} MiB of memory and was stopped",
                    "读取该文件所需内存超过 {limit_mib} MiB，已停止读取"
                ),
                WorkerFailure::TimedOut { seconds } => tr!(
                    lang,
                    "reading the file took longer than {seconds} s and was stopped",
                    "读取该文件超过 {seconds} 秒，已停止读取"
                ),
                WorkerFailure::Signal { signal } => tr!(
                    lang,
                    "the reader stopped on this file (signal {signal})",
                    "读取程序在该文件上中止（信号 {signal}）"
                ),
                WorkerFailure::Exit { code } => tr!(
                    lang,
                    "the reader stopped on this file (exit code {code})",
                    "读取程序在该文件上中止（退出码 {code}）"
                ),
                WorkerFailure::Garbled => tr!(
                    lang,
                    "the reader's answer for this file could not be understood",
                    "无法理解读取程序对该文件的结果"
                ),
            },
            M::Symlink { problem } => match problem {
                LinkProblem::NotFollowed => tr!(
                    lang,
                    "the inbox entry is a symbolic link (or lies behind one); links are not followed, it was not read",
                    "收件箱中的该条目是符号链接（或位于符号链接之后）；不跟随链接，未读取"
                ),
                LinkProblem::OutsideWorkspace => tr!(
                    lang,
                    "the symbolic link leads outside the workspace; it was not read",
                    "该符号链接指向工作区之外，未读取"
                ),
                LinkProblem::Broken => tr!(
                    lang,
                    "the symbolic link leads to nothing; it was not read",
                    "该符号链接指向的文件不存在，未读取"
                ),
            },
            M::CellBeyondLimits => tr!(
                lang,
                "a cell lies beyond Excel's limits (1,048,576 rows, 16,384 columns); it was not read",
                "单元格超出了 Excel 的范围（1,048,576 行、16,384 列），未读取"
            ),
            M::RowOutOfOrder { row, after } => tr!(
                lang,
                "row {row} comes after row {after} in the file; rows must be in order, it was not read",
                "文件中第 {row} 行排在第 {after} 行之后；行必须按顺序排列，该行未读取"
            ),
            M::SheetNameTooLong { name, chars } => tr!(
                lang,
                "sheet '{name}' has a name of {chars} characters (more than 255); it was not read",
                "工作表 '{name}' 的名称有 {chars} 个字符（超过 255 个），未读取"
            ),
            M::Empty => pick(lang, "the file is empty (0 bytes)", "文件是空的（0 字节）"),
            M::NoRows { datasets } => {
                if datasets.is_empty() {
                    pick(
                        lang,
                        "0 rows read: no sheet of the file was recognised as a dataset",
                        "读取 0 行：文件中没有工作表被识别为数据集",
                    )
                } else {
                    let list = quote_list(datasets, lang);
                    tr!(
                        lang,
                        "0 rows read: the file's datasets ({list}) have no rows below their header",
                        "读取 0 行：文件中的数据集（{list}）表头下方没有数据行"
                    )
                }
            }
            M::BadEncoding { encoding } => tr!(
                lang,
                "bytes that are not {encoding} (first in this record) were read as �",
                "有不符合 {encoding} 编码的字节（首次出现在这一条记录），已读作 �"
            ),
            M::EncodingAssumed { encoding, profile } => tr!(
                lang,
                "the file is not UTF-8: read as {encoding}, the encoding import profile \"{profile}\" names for its tool's text exports",
                "该文件不是 UTF-8：已按导入配置 \"{profile}\" 为该系统文本导出指定的编码 {encoding} 读取"
            ),
            M::Encrypted => tr!(
                lang,
                "the workbook is encrypted (password protected)",
                "工作簿已加密（设有密码）"
            ),
            M::Protected { detail } => tr!(
                lang,
                "the workbook is protected: {detail}",
                "工作簿受保护：{detail}"
            ),
            M::NotASpreadsheet { kind } => match kind {
                FileKind::Pdf => tr!(
                    lang,
                    "the file is a PDF document, not an Excel workbook",
                    "文件是 PDF 文档，不是 Excel 工作簿"
                ),
                FileKind::PlainText => tr!(
                    lang,
                    "the file is plain text, not an Excel workbook",
                    "文件是纯文本，不是 Excel 工作簿"
                ),
                FileKind::Other => tr!(
                    lang,
                    "the file is not a spreadsheet, not an Excel workbook",
                    "文件不是 Excel 工作簿，也不是其他电子表格"
                ),
                FileKind::Zip => tr!(
                    lang,
                    "the file is a zip archive but not an Excel or OpenDocument workbook",
                    "文件是 zip 压缩包，但不是 Excel 或 OpenDocument 工作簿"
                ),
            },
            M::TooLarge { part, bytes, limit } => tr!(
                lang,
                "part \"{part}\" would inflate to {bytes} bytes, above the limit of {limit} bytes",
                "部件 \"{part}\" 解压后将有 {bytes} 字节，超过上限 {limit} 字节"
            ),
            M::SheetUnrecognised { sheet, found, .. } => {
                let found = quote_list(found, lang);
                tr!(
                    lang,
                    "sheet '{sheet}' is not a known dataset and its first rows name no dataset's columns (found: {found}); it was not read",
                    "工作表 '{sheet}' 不是已知的数据集，前几行也没有数据集的列名（找到：{found}），未读取"
                )
            }
            M::SheetHidden { sheet, dataset } => {
                let key = dataset.key;
                let name = dataset.sheet.zh;
                tr!(
                    lang,
                    "sheet '{sheet}' is hidden; it was read as {key}",
                    "工作表 '{sheet}' 是隐藏的，已按数据集「{name}」（{key}）读取"
                )
            }
            M::MissingColumn {
                column,
                header_row,
                found,
                ..
            } => {
                let (zh, en) = (column.zh, column.en);
                let found = quote_list(found, lang);
                tr!(
                    lang,
                    "required column {zh} / {en} is missing from the header row {header_row} (found: {found}); every row of the sheet is rejected",
                    "表头行（第 {header_row} 行）缺少必填列 {zh} / {en}（找到：{found}），该工作表的所有行均被拒绝"
                )
            }
            M::DuplicateColumn { header, first } => tr!(
                lang,
                "column \"{header}\" appears twice (first at {first}); this one is ignored",
                "列 \"{header}\" 出现了两次（第一次在 {first}），此列被忽略"
            ),
            M::DuplicateSourceColumn {
                profile,
                field,
                header,
                first_header,
                first,
            } => {
                let (zh, en) = (field.zh, field.en);
                tr!(
                    lang,
                    "columns \"{first_header}\" ({first}) and \"{header}\" both give {en} under import profile \"{profile}\": the first is read, this one is ignored",
                    "按导入配置 \"{profile}\"，列 \"{first_header}\"（{first}）和 \"{header}\" 都对应 {zh}：读取第一列，此列被忽略"
                )
            }
            M::UnknownColumn {
                header,
                dataset,
                closest,
            } => {
                let key = dataset.key;
                let name = dataset.sheet.zh;
                match closest.map(Words::both) {
                    Some(close) => tr!(
                        lang,
                        "column \"{header}\" is not a column of {key} (closest known column: {close}); it is not used",
                        "列 \"{header}\" 不是数据集「{name}」的列（最接近的已知列：{close}），未使用"
                    ),
                    None => tr!(
                        lang,
                        "column \"{header}\" is not a column of {key}; it is not used",
                        "列 \"{header}\" 不是数据集「{name}」的列，未使用"
                    ),
                }
            }
            M::Required { column, .. } => {
                let name = column.both();
                tr!(
                    lang,
                    "{name} is required but the cell is empty",
                    "{name} 为必填项，但单元格为空"
                )
            }
            M::RequiredForClosedChange { column } => {
                let name = column.both();
                tr!(
                    lang,
                    "{name} is required for a closed change (one with a result)",
                    "已关闭的变更（已填写结果）必须填写 {name}"
                )
            }
            M::NotADate { found, .. } => {
                let found = found.describe(lang);
                tr!(
                    lang,
                    "expected a date, found {found}",
                    "应为日期，实为{found}"
                )
            }
            M::NoTime { found } => {
                let found = found.describe(lang);
                tr!(
                    lang,
                    "expected a date and time, found only a date in {found}",
                    "应为日期和时间，但{found} 只有日期、没有时间"
                )
            }
            M::NotANumber { found, .. } => {
                let found = found.describe(lang);
                tr!(
                    lang,
                    "expected a number, found {found}",
                    "应为数字，实为{found}"
                )
            }
            M::NotAnInteger { found, .. } => {
                let found = found.describe(lang);
                tr!(
                    lang,
                    "expected a whole number, found {found}",
                    "应为整数，实为{found}"
                )
            }
            M::OutOfRange { value, min, max } => {
                let value = number_text(*value);
                tr!(
                    lang,
                    "{value} is outside {min}–{max}",
                    "{value} 超出了 {min}–{max} 的范围"
                )
            }
            M::NegativeMinutes { value } => {
                let value = number_text(*value);
                tr!(lang, "{value} minutes is negative", "分钟数 {value} 是负数")
            }
            M::Negative { what, value } => {
                let value = number_text(*value);
                let what = what.get(lang);
                tr!(lang, "{what} {value} is negative", "{what} {value} 是负数")
            }
            M::ProfileChosen {
                profile,
                tool,
                glob,
            } => match glob {
                Some(g) => tr!(
                    lang,
                    "read as a {tool} export through import profile \"{profile}\" (its files pattern \"{g}\")",
                    "按导入配置 \"{profile}\"（文件模式 \"{g}\"）作为 {tool} 导出文件读取"
                ),
                None => tr!(
                    lang,
                    "recognised by its header row as a {tool} export; read through import profile \"{profile}\"",
                    "根据表头识别为 {tool} 导出文件，已按导入配置 \"{profile}\" 读取"
                ),
            },
            M::ProfileAmbiguous { chosen, others } => {
                let others = quote_list(others, lang);
                tr!(
                    lang,
                    "the file patterns of import profiles {others} match too; \"{chosen}\" (the most specific) was used",
                    "导入配置 {others} 的文件模式也匹配该文件；已使用最具体的 \"{chosen}\""
                )
            }
            M::Unmapped { profile, value, .. } => tr!(
                lang,
                "\"{value}\" is not in the value map of import profile \"{profile}\"",
                "\"{value}\" 不在导入配置 \"{profile}\" 的取值对应表中"
            ),
            M::NotInFormat {
                profile,
                formats,
                found,
            } => {
                let found = found.describe(lang);
                let formats = quote_list(formats, lang);
                tr!(
                    lang,
                    "expected a date in a format of import profile \"{profile}\" ({formats}), found {found}",
                    "应为符合导入配置 \"{profile}\" 日期格式（{formats}）的日期，实为{found}"
                )
            }
            M::NotAPriority { value } => tr!(
                lang,
                "priority \"{value}\" is not one of P1–P4",
                "优先级 \"{value}\" 不是 P1–P4 之一"
            ),
            M::NotAChoice { value, choices } => {
                let list = choices_list(choices, lang);
                tr!(
                    lang,
                    "\"{value}\" is not one of {list}",
                    "\"{value}\" 不是可选值（{list}）之一"
                )
            }
            M::NotYesNo { found } => {
                let found = found.describe(lang);
                tr!(
                    lang,
                    "expected 是/否 (yes/no), found {found}",
                    "应为 是/否，实为{found}"
                )
            }
            M::NotAPeriod { found } => {
                let found = found.describe(lang);
                tr!(
                    lang,
                    "expected a period such as 2026-10, found {found}",
                    "应为期间（如 2026-10），实为{found}"
                )
            }
            M::ErrorCell { error } => tr!(
                lang,
                "the cell holds the error value {error}",
                "单元格是错误值 {error}"
            ),
            M::TooLong { limit } => tr!(
                lang,
                "the cell holds more than {limit} characters",
                "单元格超过 {limit} 个字符"
            ),
            M::Unprintable { ch, place } => {
                let (u, p) = (codepoint(*ch), place_text(*place, lang));
                tr!(
                    lang,
                    "{p} has the character {u}, which no bundled font can print; reports show it as {u}",
                    "{p}含有字符 {u}，内置字体无法显示；报告中将显示为 {u}"
                )
            }
            M::Invisible { ch, place } => {
                let (u, p) = (codepoint(*ch), place_text(*place, lang));
                tr!(
                    lang,
                    "{p} has the invisible or direction-changing character {u}, so it may read differently from what it is; reports show it as {u}",
                    "{p}含有不可见或改变文字方向的字符 {u}，显示出来可能与实际内容不同；报告中将显示为 {u}"
                )
            }
            M::NearMatch {
                kind,
                value,
                matched,
            } => {
                let what = kind_word(*kind, lang);
                tr!(
                    lang,
                    "{what} \"{value}\" taken as \"{matched}\" (spaces ignored)",
                    "{what} \"{value}\" 按 \"{matched}\" 读取（忽略空格）"
                )
            }
            M::UnknownRef { kind, value, .. } => match kind {
                RefKind::Customer => tr!(
                    lang,
                    "customer \"{value}\" is not in the catalogue",
                    "目录中没有客户 \"{value}\""
                ),
                RefKind::Service => tr!(
                    lang,
                    "service \"{value}\" is not in the catalogue",
                    "目录中没有服务 \"{value}\""
                ),
                RefKind::Supplier => tr!(
                    lang,
                    "supplier \"{value}\" is not in the catalogue",
                    "目录中没有供应商 \"{value}\""
                ),
            },
            M::UnknownContract { value } => tr!(
                lang,
                "contract \"{value}\" is not an underpinning contract (UC) of the catalogue",
                "合同 \"{value}\" 不是目录中的支持合同（UC）"
            ),
            M::ServiceNotForCustomer { customer, service } => tr!(
                lang,
                "customer \"{customer}\" does not take service \"{service}\" in the catalogue",
                "按目录，客户 \"{customer}\" 未使用服务 \"{service}\""
            ),
            M::ContractSupplierMismatch {
                contract,
                party,
                supplier,
            } => tr!(
                lang,
                "contract \"{contract}\" is with supplier \"{party}\", not \"{supplier}\"",
                "合同 \"{contract}\" 的供应商是 \"{party}\"，不是 \"{supplier}\""
            ),
            M::TimeOrder {
                later,
                later_at,
                earlier,
                earlier_at,
                earlier_cell,
            } => {
                let (l, e) = (later.zh, earlier.zh);
                let la = later_at.format("%Y-%m-%d %H:%M");
                let ea = earlier_at.format("%Y-%m-%d %H:%M");
                tr!(
                    lang,
                    "{l} {la} is before {e} {ea} ({earlier_cell})",
                    "{l} {la} 早于{e} {ea}（{earlier_cell}）"
                )
            }
            M::DuplicateId { kind, id, first } => {
                let first = place(first, lang);
                match kind {
                    IdKind::Ticket => tr!(
                        lang,
                        "ticket id \"{id}\" already appears in {first}; this row is rejected",
                        "工单号 \"{id}\" 已在 {first} 出现过，本行被拒绝"
                    ),
                    IdKind::Change => tr!(
                        lang,
                        "change id \"{id}\" already appears in {first}; this row is rejected",
                        "变更单号 \"{id}\" 已在 {first} 出现过，本行被拒绝"
                    ),
                    IdKind::Request => tr!(
                        lang,
                        "request id \"{id}\" already appears in {first}; this row is rejected",
                        "请求单号 \"{id}\" 已在 {first} 出现过，本行被拒绝"
                    ),
                }
            }
            M::Updated {
                kind,
                id,
                older,
                changes,
            }
            | M::Regressed {
                kind,
                id,
                older,
                changes,
            } => {
                let older = place(older, lang);
                let what = id_word(*kind, lang);
                let list = change_list(changes, lang);
                if matches!(self, M::Regressed { .. }) {
                    tr!(
                        lang,
                        "{what} \"{id}\" goes backwards against {older}: {list}",
                        "{what} \"{id}\" 相对 {older} 出现倒退：{list}"
                    )
                } else {
                    tr!(
                        lang,
                        "{what} \"{id}\" updates {older}: {list}",
                        "{what} \"{id}\" 更新了 {older}：{list}"
                    )
                }
            }
            M::PeriodConflict { folder, named } => tr!(
                lang,
                "the folder says {folder} but the file name says {named}; the delivery counts for {folder}",
                "文件夹为 {folder}，文件名却写 {named}；本次交付按 {folder} 计"
            ),
            M::DeclaredPeriodConflict { used, declared } => tr!(
                lang,
                "the instructions sheet declares {declared} but the folder or file name says {used}; the delivery counts for {used}",
                "说明页填写的期间为 {declared}，文件夹或文件名却为 {used}；本次交付按 {used} 计"
            ),
            M::PartitionDuplicate { kind, id, other } => {
                let other = place(other, lang);
                let what = id_word(*kind, lang);
                tr!(
                    lang,
                    "{what} \"{id}\" is also in {other}, a file of the same dataset and period; this later file wins",
                    "{what} \"{id}\" 也出现在同一数据集、同一期间的 {other} 中；以本文件（较后）为准"
                )
            }
            M::SupersededInLog { rows, tickets } => tr!(
                lang,
                "{rows} row(s) of this event log are superseded by a later row of the same ticket (the last row of each of its {tickets} ticket(s) is the record), not by a later delivery",
                "该事件日志中有 {rows} 行被同一工单的较晚行取代（其 {tickets} 张工单各以最后一行为记录），而非被较新交付取代"
            ),
            M::TotalRow { row, label } => tr!(
                lang,
                "row {row} looks like a total row (\"{label}\"); it is skipped",
                "第 {row} 行像是合计行（\"{label}\"），已跳过"
            ),
            M::ClosedWithoutResolution { id, stand_in } => match stand_in {
                Some(t) => {
                    let t = t.format("%Y-%m-%d %H:%M");
                    tr!(
                        lang,
                        "ticket \"{id}\" is resolved or closed but has no Resolved At; its Closed At {t} stands in for the resolution",
                        "工单 \"{id}\" 已解决或已关闭，但没有解决时间；以关闭时间 {t} 代替解决时间"
                    )
                }
                None => tr!(
                    lang,
                    "ticket \"{id}\" is resolved or closed but has neither Resolved At nor Closed At; it counts as still open",
                    "工单 \"{id}\" 已解决或已关闭，但既没有解决时间也没有关闭时间；仍按未解决计"
                ),
            },
            M::OutsidePeriod {
                rows,
                period,
                first_row,
            } => tr!(
                lang,
                "{rows} accepted row(s) lie outside {period} and count in none of its figures (first: row {first_row})",
                "{rows} 行已接受的数据不在 {period} 内，不计入该期间的任何指标（第一行：第 {first_row} 行）"
            ),
            M::NameMissing { kind, id, missing } => {
                let what = named_kind_text(*kind, lang);
                match missing {
                    MissingName::Entry => tr!(
                        lang,
                        "{what} \"{id}\" has no catalogue entry: documents print \"{id}\"",
                        "{what}“{id}”在目录中没有条目：文档中显示为“{id}”"
                    ),
                    MissingName::English => tr!(
                        lang,
                        "{what} \"{id}\" has no name_en: English documents print its Chinese name",
                        "{what}“{id}”没有 name_en：英文文档中会显示其中文名称"
                    ),
                }
            }
            M::Suppressed { code, count, scope } => match scope {
                SuppressedIn::Sheet => tr!(
                    lang,
                    "{count} more finding(s) [{code}] in this sheet are not listed one by one (at most 100 of a kind per sheet)",
                    "该工作表中另有 {count} 个 [{code}] 问题未逐一列出（每个工作表同类问题最多列出 100 个）"
                ),
                SuppressedIn::File => tr!(
                    lang,
                    "{count} more finding(s) [{code}] in this file are not listed one by one (at most 1,000 per file)",
                    "该文件中另有 {count} 个 [{code}] 问题未逐一列出（每个文件最多列出 1,000 个）"
                ),
            },
        }
    }

    /// The hint: what the provider should do, in `lang`.
    pub fn hint(&self, lang: Lang) -> String {
        use Message as M;
        const RESAVE_EN: &str = "open the file in Excel and save it again as .xlsx; a truncated copy must be sent again";
        const RESAVE_ZH: &str = "请用 Excel 打开该文件并另存为 .xlsx；文件不完整时请重新发送";
        const XLSX_EN: &str = "save the data as an Excel workbook (.xlsx) and send it again";
        const XLSX_ZH: &str = "请将数据保存为 Excel 工作簿（.xlsx）后重新发送";
        let pick = |en: &str, zh: &str| pick(lang, en, zh);
        match self {
            M::CannotRead { .. } => pick(
                "check that the file exists and is readable",
                "请确认文件存在并且可以读取",
            ),
            M::ReaderFailed { .. } => pick(
                "open the file in Excel and save it again as .xlsx",
                "请用 Excel 打开该文件，另存为 .xlsx 后重新提交",
            ),
            M::FileIo { .. }
            | M::Corrupt { .. }
            | M::CannotOpen { .. }
            | M::SheetCutShort { .. }
            | M::SheetUnreadable { .. } => pick(RESAVE_EN, RESAVE_ZH),
            M::WorkerFailed { failure } => match failure {
                WorkerFailure::OutOfMemory { .. } | WorkerFailure::TimedOut { .. } => pick(
                    "open the file in Excel and save it again as .xlsx; if it is that large, split it into smaller workbooks",
                    "请用 Excel 打开该文件并另存为 .xlsx；如果文件确实很大，请拆分成几个较小的工作簿",
                ),
                _ => pick(RESAVE_EN, RESAVE_ZH),
            },
            M::Symlink { .. } => pick(
                "copy the workbook itself into the inbox (or set follow_symlinks = true in svcreport.toml for links inside the workspace)",
                "请把工作簿本身复制到收件箱（或在 svcreport.toml 中设置 follow_symlinks = true，以读取指向工作区内的链接）",
            ),
            M::CellBeyondLimits | M::RowOutOfOrder { .. } | M::SheetNameTooLong { .. } => {
                pick(RESAVE_EN, RESAVE_ZH)
            }
            M::Empty => pick(
                "send the workbook again; the copy is empty",
                "收到的文件是空的，请重新发送工作簿",
            ),
            M::NoRows { .. } => pick(
                "check that this is the file meant: a dataset's header row with rows below it, or a tool's export an import profile reads",
                "请确认文件是否正确：应有数据集的表头行及其下方的数据行，或为导入配置可读取的工单系统导出文件",
            ),
            M::BadEncoding { .. } => pick(
                "save the file again as UTF-8 (Excel: CSV UTF-8), or name its encoding in the import profile (encoding = \"gb18030\")",
                "请将文件另存为 UTF-8（Excel：CSV UTF-8），或在导入配置中写明其编码（encoding = \"gb18030\"）",
            ),
            M::EncodingAssumed { .. } => pick(
                "nothing to do when the text reads right; otherwise name the file's encoding in the import profile (encoding = \"gb18030\"), or export as UTF-8",
                "文本显示正确则无需处理；否则请在导入配置中写明文件的编码（encoding = \"gb18030\"），或导出为 UTF-8",
            ),
            M::Encrypted => pick(
                "remove the password (File › Info › Protect Workbook) and send it again",
                "请取消密码（文件 › 信息 › 保护工作簿）后重新发送",
            ),
            M::Protected { .. } => pick(
                "remove the password and send it again",
                "请取消密码后重新发送",
            ),
            M::NotASpreadsheet { .. } => pick(XLSX_EN, XLSX_ZH),
            M::TooLarge { .. } => pick(
                "split the data into smaller workbooks, or raise max_uncompressed_mib in svcreport.toml",
                "请把数据拆分成几个较小的工作簿，或在 svcreport.toml 中调高 max_uncompressed_mib",
            ),
            M::SheetUnrecognised {
                closest: Some(d),
                missing,
                ..
            } if !missing.is_empty() => {
                let d = d.text(lang);
                let cols = missing
                    .iter()
                    .map(|w| w.both())
                    .collect::<Vec<_>>()
                    .join(sep(lang));
                tr!(
                    lang,
                    "its header is closest to {d}, but it lacks that dataset's required columns {cols}: add them (template names), or read the tool's export through an import profile (see import-profiles.md)",
                    "其表头最接近 {d}，但缺少该数据集的必填列 {cols}：请补上这些列（按模板列名），或通过导入配置读取该系统的导出文件（见 import-profiles.md）"
                )
            }
            M::SheetUnrecognised {
                closest, datasets, ..
            } => match closest {
                Some(d) => {
                    let d = d.text(lang);
                    tr!(
                        lang,
                        "rename the sheet to a dataset name (closest: {d}) or use the template's header row; name it 说明 or README if it holds notes",
                        "请将工作表改为数据集的名称（最接近的是：{d}），或使用模板的表头行；如果只是说明，请命名为 说明 或 README"
                    )
                }
                None => {
                    let names = datasets
                        .iter()
                        .map(|d| d.sheet.get(lang))
                        .collect::<Vec<_>>()
                        .join(sep(lang));
                    tr!(
                        lang,
                        "rename the sheet to a dataset name ({names}) or use the template's header row; name it 说明 or README if it holds notes",
                        "请将工作表改为数据集的名称（{names}），或使用模板的表头行；如果只是说明，请命名为 说明 或 README"
                    )
                }
            },
            M::SheetHidden { .. } => pick(
                "unhide the sheet if it should be visible to reviewers",
                "如需让审核人看到，请取消隐藏该工作表",
            ),
            M::MissingColumn {
                column, closest, ..
            } => {
                let (zh, en) = (column.zh, column.en);
                match closest {
                    Some(h) => tr!(
                        lang,
                        "did you mean \"{h}\"? name the column {zh} or {en}",
                        "是否应为 \"{h}\"？请将该列命名为 {zh} 或 {en}"
                    ),
                    None => tr!(
                        lang,
                        "add a column headed {zh} or {en}",
                        "请添加标题为 {zh} 或 {en} 的列"
                    ),
                }
            }
            M::DuplicateColumn { .. } => pick(
                "delete or rename one of the two columns",
                "请删除其中一列，或为其改名",
            ),
            M::DuplicateSourceColumn { .. } => pick(
                "nothing to do when the first column holds the field; otherwise leave the other out of the export, or name this one in the profile's columns",
                "若第一列即为该字段则无需处理；否则请在导出时去掉另一列，或在导入配置的 columns 中指定此列",
            ),
            M::UnknownColumn { .. } => pick(
                "rename it to a template column, or leave it: it is kept out of the computation",
                "请改为模板中的列名，或保留不动：该列不参与计算",
            ),
            M::Required { column, note } => {
                let name = column.both();
                let note = note.get(lang);
                if note.is_empty() {
                    tr!(lang, "fill in {name}", "请填写 {name}")
                } else {
                    tr!(lang, "fill in {name}: {note}", "请填写 {name}：{note}")
                }
            }
            M::RequiredForClosedChange { .. } => pick(
                "fill in when the change ended, e.g. 2026-10-01 22:00",
                "请填写变更结束的时间，例如 2026-10-01 22:00",
            ),
            M::NotADate { with_time, .. } => {
                if *with_time {
                    pick(
                        "type the date as 2026-10-01 08:00 or format the cell as a date",
                        "请将日期写作 2026-10-01 08:00，或将单元格设为日期格式",
                    )
                } else {
                    pick(
                        "type the date as 2026-10-01 or format the cell as a date",
                        "请将日期写作 2026-10-01，或将单元格设为日期格式",
                    )
                }
            }
            M::NoTime { .. } => pick(
                "add the time of day, e.g. 2026-10-01 08:00",
                "请补上时间，例如 2026-10-01 08:00",
            ),
            M::NotANumber { whole: None, .. } => pick(
                "type digits only, e.g. 30 or 12.5",
                "请只填数字，例如 30 或 12.5",
            ),
            M::NotANumber {
                whole: Some((min, max)),
                ..
            }
            | M::NotAnInteger { min, max, .. }
            | M::OutOfRange { min, max, .. } => tr!(
                lang,
                "type a whole number from {min} to {max}",
                "请填写 {min} 到 {max} 之间的整数"
            ),
            M::NegativeMinutes { .. } => pick("type 0 or more minutes", "请填写 0 或更大的分钟数"),
            M::Negative { .. } => pick("type a value of 0 or more", "请填写 0 或更大的数值"),
            M::ProfileChosen { .. } => pick(
                "svcreport check --explain-profile FILE shows which column went where",
                "用 svcreport check --explain-profile 文件 可查看各列的对应关系",
            ),
            M::ProfileAmbiguous { .. } => pick(
                "narrow the files patterns of the profiles so that one matches",
                "请收窄各导入配置的 files 模式，使只有一个匹配",
            ),
            M::Unmapped { listed, .. } => {
                let listed = quote_list(listed, lang);
                tr!(
                    lang,
                    "add it to the profile's values table (it lists {listed}), or fix the value",
                    "请在导入配置的取值对应表中补上该值（现有：{listed}），或更正该值"
                )
            }
            M::NotInFormat { .. } => pick(
                "fix the date, or add its format to the profile's date_formats (day and month are never guessed)",
                "请更正日期，或在导入配置的 date_formats 中加入其格式（日、月顺序不会猜测）",
            ),
            M::NotAPriority { .. } => pick(
                "type P1, P2, P3 or P4 (also 1–4, 紧急/高/中/低, Critical/High/Medium/Low)",
                "请填写 P1、P2、P3 或 P4（也可写 1–4、紧急/高/中/低、Critical/High/Medium/Low）",
            ),
            M::NotAChoice { .. } => pick(
                "pick a value from the drop-down list of the template",
                "请从模板的下拉列表中选择",
            ),
            M::NotYesNo { .. } => pick("type 是 or 否 (yes or no)", "请填写 是 或 否"),
            M::NotAPeriod { .. } => pick(
                "type the period as text: 2026-10 (month), 2026-Q4, 2026-H2 or 2026",
                "请以文本填写期间：2026-10（月）、2026-Q4（季度）、2026-H2（半年）或 2026（年）",
            ),
            M::ErrorCell { .. } => pick(
                "fix the formula or type the value itself",
                "请修正公式，或直接填写数值",
            ),
            M::TooLong { .. } => pick(
                "shorten the text; ids, names and values take at most 255 characters, free text 32,767",
                "请缩短文字；编号、名称和取值最多 255 个字符，说明类文字最多 32,767 个字符",
            ),
            M::Unprintable { .. } => pick(
                "replace the character (an emoji or a rare ideograph) with text the fonts have, or leave it: the report shows its code",
                "请把该字符（表情符号或生僻字）换成字体中有的文字，或保留不动：报告中显示其编码",
            ),
            M::Invisible { .. } => pick(
                "delete the character: retype the id or name",
                "请删除该字符：重新输入编号或名称",
            ),
            M::NearMatch { matched, .. } => tr!(
                lang,
                "write \"{matched}\" as the catalogue does, or add this spelling to its aliases",
                "请按目录写作 \"{matched}\"，或在目录中把这种写法加为别名（aliases）"
            ),
            M::UnknownRef {
                closest,
                valid,
                more,
                ..
            } if !valid.is_empty() => {
                let list = quote_list(valid, lang);
                let more = if *more > 0 {
                    tr!(lang, " and {more} more", " 等另外 {more} 个")
                } else {
                    String::new()
                };
                match closest {
                    Some(c) => tr!(
                        lang,
                        "did you mean \"{c}\"? The catalogue has {list}{more}",
                        "是否应为 \"{c}\"？目录中有 {list}{more}"
                    ),
                    None => tr!(
                        lang,
                        "use one the catalogue has: {list}{more} (or add this name to its aliases)",
                        "请使用目录中的名称：{list}{more}（或在目录中把该名称加为别名 aliases）"
                    ),
                }
            }
            M::UnknownRef { kind, .. } => match kind {
                RefKind::Customer => pick(
                    "use a customer id or name from the catalogue (catalogue.toml [[customer]])",
                    "请使用目录中的客户编号或名称（catalogue.toml 的 [[customer]]）",
                ),
                RefKind::Service => pick(
                    "use a service id or name from the catalogue (catalogue.toml [[service]])",
                    "请使用目录中的服务编号或名称（catalogue.toml 的 [[service]]）",
                ),
                RefKind::Supplier => pick(
                    "use a supplier id or name from the catalogue (catalogue.toml [[supplier]])",
                    "请使用目录中的供应商编号或名称（catalogue.toml 的 [[supplier]]）",
                ),
            },
            M::UnknownContract { .. } => pick(
                "use the id of a UC agreement (kind = \"UC\") from the catalogue",
                "请使用目录中 UC 协议（kind = \"UC\"）的编号",
            ),
            M::ServiceNotForCustomer { .. } => pick(
                "check the customer and service, or add the customer to the service's customers",
                "请核对客户和服务，或在目录中把该客户加入该服务的 customers",
            ),
            M::ContractSupplierMismatch { .. } => pick(
                "check the supplier and the contract id",
                "请核对供应商和合同编号",
            ),
            M::TimeOrder { later, earlier, .. } => {
                let (l, e) = (later.both(), earlier.both());
                tr!(lang, "{l} must not be before {e}", "{l} 不能早于 {e}")
            }
            M::DuplicateId { .. } => pick(
                "each id may appear once across all the workbooks of a run; delete the repeated row or correct its id",
                "同一批次的所有工作簿中，每个编号只能出现一次；请删除重复的行或更正编号",
            ),
            M::Updated { .. } => pick(
                "nothing to do: the newest delivery of a record wins; the older row counts as superseded",
                "无需处理：以记录的最新交付为准，较旧的行计为被取代",
            ),
            M::Regressed { .. } => pick(
                "check which export is right; the newest delivery is used",
                "请核对哪一次导出正确；本工具使用最新的交付",
            ),
            M::PeriodConflict { .. } => pick(
                "put the file in the folder of its period, or rename it",
                "请把文件放到其期间的文件夹中，或改名",
            ),
            M::DeclaredPeriodConflict { .. } => pick(
                "correct the period in the 说明 sheet, or move or rename the file",
                "请更正说明页中的期间，或移动文件、改名",
            ),
            M::PartitionDuplicate { .. } => pick(
                "keep each ticket in one file of the period",
                "同一期间的每张工单请只放在一个文件中",
            ),
            M::SupersededInLog { .. } => pick(
                "nothing to do: an event log's earlier rows of a ticket are its history",
                "无需处理：事件日志中工单的较早行是其历史",
            ),
            M::TotalRow { .. } => pick(
                "leave totals out of the data sheet; the tool computes its own",
                "数据表中请不要放合计行，本工具会自行计算",
            ),
            M::ClosedWithoutResolution { .. } => pick(
                "fill in Resolved At from the ticketing tool: Closed At is a later, conservative bound (it can turn a met ticket into a miss, never the reverse)",
                "请从工单系统补填解决时间：关闭时间偏晚，是保守的上界（只会把达标变为未达标，不会相反）",
            ),
            M::OutsidePeriod { .. } => pick(
                "nothing to do if these rows belong to another period",
                "如果这些行属于其他期间，则无需处理",
            ),
            M::NameMissing { missing, .. } => match missing {
                MissingName::Entry => pick(
                    "add its entry to the catalogue with name and name_en ([[process]] also with owner, the process manager)",
                    "请在目录中补充该条目，写明 name 和 name_en（[[process]] 还需写明 owner，即流程经理）",
                ),
                MissingName::English => pick(
                    "add name_en to its catalogue entry",
                    "请在目录中为该条目补充 name_en",
                ),
            },
            M::Suppressed { code, .. } => {
                let fix = code.fix(lang);
                tr!(
                    lang,
                    "{fix} Fix the findings listed first, then check again",
                    "{fix}请先处理列出的问题，然后重新检查"
                )
            }
        }
    }
}

/// `process`, `resource` … (`流程`, `资源` …).
fn named_kind_text(k: NamedKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (NamedKind::Process, Lang::En) => "process",
        (NamedKind::Resource, Lang::En) => "resource",
        (NamedKind::Service, Lang::En) => "service",
        (NamedKind::Customer, Lang::En) => "customer",
        (NamedKind::Person, Lang::En) => "person",
        (NamedKind::Process, Lang::Zh) => "流程",
        (NamedKind::Resource, Lang::Zh) => "资源",
        (NamedKind::Service, Lang::Zh) => "服务",
        (NamedKind::Customer, Lang::Zh) => "客户",
        (NamedKind::Person, Lang::Zh) => "人员",
    }
}

/// `the cell`, `the file name`, `the sheet name` (`单元格`, `文件名`, `工作表名`).
fn place_text(p: TextPlace, lang: Lang) -> &'static str {
    match (p, lang) {
        (TextPlace::Cell, Lang::En) => "the cell",
        (TextPlace::FileName, Lang::En) => "the file name",
        (TextPlace::SheetName, Lang::En) => "the sheet name",
        (TextPlace::Cell, Lang::Zh) => "单元格",
        (TextPlace::FileName, Lang::Zh) => "文件名",
        (TextPlace::SheetName, Lang::Zh) => "工作表名",
    }
}

/// Text of a finding sent between processes, as the `&'static str` the tables hold:
/// the texts a worker sends come from the same tables, so this finds them; an unknown
/// text is kept once (at most 4,096 of them), never per finding.
pub fn intern(s: &str) -> &'static str {
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static SEEN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = seen.get(s) {
        return k;
    }
    if seen.len() >= INTERN_MAX {
        return "?";
    }
    let k: &'static str = Box::leak(s.to_string().into_boxed_str());
    seen.insert(k);
    k
}

/// The most distinct texts [`intern`] keeps.
const INTERN_MAX: usize = 4096;

/// What a reference names: customer, service, supplier.
fn kind_word(kind: RefKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (RefKind::Customer, Lang::En) => "customer",
        (RefKind::Service, Lang::En) => "service",
        (RefKind::Supplier, Lang::En) => "supplier",
        (RefKind::Customer, Lang::Zh) => "客户",
        (RefKind::Service, Lang::Zh) => "服务",
        (RefKind::Supplier, Lang::Zh) => "供应商",
    }
}

fn static_list<'de, D: Deserializer<'de>>(d: D) -> Result<&'static [&'static str], D::Error> {
    use std::sync::Mutex;
    static LISTS: Mutex<Vec<&'static [&'static str]>> = Mutex::new(Vec::new());
    let v: Vec<String> = Vec::deserialize(d)?;
    let items: Vec<&'static str> = v.iter().map(|s| intern(s)).collect();
    let mut lists = LISTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(l) = lists.iter().find(|l| **l == items.as_slice()) {
        return Ok(l);
    }
    if lists.len() >= INTERN_MAX {
        return Ok(&[]);
    }
    let l: &'static [&'static str] = Box::leak(items.into_boxed_slice());
    lists.push(l);
    Ok(l)
}

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Words, D::Error> {
        #[derive(Deserialize)]
        struct W {
            zh: String,
            en: String,
        }
        let w = W::deserialize(d)?;
        Ok(Words::new(intern(&w.zh), intern(&w.en)))
    }
}

impl<'de> Deserialize<'de> for DatasetName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DatasetName, D::Error> {
        #[derive(Deserialize)]
        struct N {
            key: String,
            sheet: Words,
        }
        let n = N::deserialize(d)?;
        Ok(DatasetName {
            key: intern(&n.key),
            sheet: n.sheet,
        })
    }
}

/// `en` or `zh`, owned.
fn pick(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

/// The separator of a list: `, ` or `、`.
fn sep(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    }
}

/// `"a", "b"` (`"a"、"b"`), or `nothing` (`无`).
fn quote_list(v: &[String], lang: Lang) -> String {
    if v.is_empty() {
        return pick(lang, "nothing", "无");
    }
    v.iter()
        .map(|s| format!("\"{}\"", s.replace('\n', " ")))
        .collect::<Vec<_>>()
        .join(sep(lang))
}

/// The canonical spellings of a choice list: `新建/new, 处理中/in progress, …`.
pub fn choices_list(choices: &[&str], lang: Lang) -> String {
    choices
        .iter()
        .map(|c| {
            let mut it = c.split('|');
            let a = it.next().unwrap_or_default();
            match it.next() {
                Some(b) => format!("{a}/{b}"),
                None => a.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(sep(lang))
}

/// `file '事件'!A2` or `file '事件' row 2` (`第 2 行`).
fn id_word(kind: IdKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (IdKind::Ticket, Lang::En) => "ticket",
        (IdKind::Change, Lang::En) => "change",
        (IdKind::Request, Lang::En) => "request",
        (IdKind::Ticket, Lang::Zh) => "工单",
        (IdKind::Change, Lang::Zh) => "变更单",
        (IdKind::Request, Lang::Zh) => "请求单",
    }
}

/// `Resolved At: (empty) → 2026-11-01 10:00; Priority: P3 → P2`.
fn change_list(changes: &[(Words, String, String)], lang: Lang) -> String {
    let empty = match lang {
        Lang::En => "(empty)",
        Lang::Zh => "（空）",
    };
    let show = |s: &String| {
        if s.is_empty() {
            empty.to_string()
        } else {
            s.clone()
        }
    };
    changes
        .iter()
        .map(|(w, a, b)| format!("{} {} → {}", w.get(lang), show(a), show(b)))
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::En => "; ",
            Lang::Zh => "；",
        })
}

fn place(p: &Place, lang: Lang) -> String {
    let mut s = p.file.clone();
    s.push(' ');
    super::push_sheet_and_cell(&mut s, &p.sheet, Some(&p.cell), lang);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message renders in both languages, the Chinese one in Chinese.
    #[test]
    fn every_message_has_both_languages() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("a date");
        let w = Words::new("优先级", "Priority");
        let d = DatasetName {
            key: "incidents",
            sheet: Words::new("事件", "Incidents"),
        };
        let all = vec![
            Message::CannotRead { error: "e".into() },
            Message::ReaderFailed { cause: "e".into() },
            Message::FileIo { error: "e".into() },
            Message::Corrupt { error: "e".into() },
            Message::CannotOpen { error: "e".into() },
            Message::SheetCutShort {
                sheet: "s".into(),
                error: "e".into(),
            },
            Message::SheetUnreadable {
                sheet: "s".into(),
                error: "e".into(),
            },
            Message::Empty,
            Message::BadEncoding {
                encoding: "UTF-8".into(),
            },
            Message::EncodingAssumed {
                encoding: "windows-1252".into(),
                profile: "servicenow".into(),
            },
            Message::NoRows { datasets: vec![] },
            Message::NoRows {
                datasets: vec!["incidents".into()],
            },
            Message::Encrypted,
            Message::Protected { detail: "p".into() },
            Message::NotASpreadsheet {
                kind: FileKind::Pdf,
            },
            Message::NotASpreadsheet {
                kind: FileKind::PlainText,
            },
            Message::NotASpreadsheet {
                kind: FileKind::Other,
            },
            Message::NotASpreadsheet {
                kind: FileKind::Zip,
            },
            Message::TooLarge {
                part: "p".into(),
                bytes: 2,
                limit: 1,
            },
            Message::SheetUnrecognised {
                sheet: "s".into(),
                found: vec![],
                closest: Some(d),
                datasets: vec![d],
                missing: vec![],
            },
            Message::SheetUnrecognised {
                sheet: "Page 1".into(),
                found: vec!["Number".into()],
                closest: Some(d),
                datasets: vec![d],
                missing: vec![w],
            },
            Message::SheetUnrecognised {
                sheet: "s".into(),
                found: vec!["x".into()],
                closest: None,
                datasets: vec![d, d],
                missing: vec![],
            },
            Message::SheetHidden {
                sheet: "s".into(),
                dataset: d,
            },
            Message::ProfileChosen {
                profile: "servicenow".into(),
                tool: "ServiceNow".into(),
                glob: None,
            },
            Message::ProfileChosen {
                profile: "acme".into(),
                tool: "ServiceNow".into(),
                glob: Some("sn-*.csv".into()),
            },
            Message::ProfileAmbiguous {
                chosen: "a".into(),
                others: vec!["b".into()],
            },
            Message::Unmapped {
                profile: "glpi".into(),
                value: "Extreme".into(),
                listed: vec!["Major".into()],
            },
            Message::NotInFormat {
                profile: "jira".into(),
                formats: vec!["%d/%b/%y %I:%M %p".into()],
                found: Found::text("yesterday"),
            },
            Message::MissingColumn {
                column: w,
                header_row: 1,
                found: vec![],
                closest: Some("Priorty".into()),
            },
            Message::MissingColumn {
                column: w,
                header_row: 1,
                found: vec![],
                closest: None,
            },
            Message::DuplicateColumn {
                header: "h".into(),
                first: CellRef::at(0, 1),
            },
            Message::DuplicateSourceColumn {
                profile: "jira".into(),
                field: w,
                header: "Comment".into(),
                first_header: "Comment".into(),
                first: CellRef::at(0, 1),
            },
            Message::UnknownColumn {
                header: "h".into(),
                dataset: d,
                closest: Some(w),
            },
            Message::UnknownColumn {
                header: "h".into(),
                dataset: d,
                closest: None,
            },
            Message::Required {
                column: w,
                note: Words::new("", ""),
            },
            Message::Required {
                column: w,
                note: Words::new("说明", "note"),
            },
            Message::RequiredForClosedChange { column: w },
            Message::NotADate {
                found: Found::Empty,
                with_time: true,
            },
            Message::NotADate {
                found: Found::Bool(true),
                with_time: false,
            },
            Message::NoTime {
                found: Found::text("2026/7/1"),
            },
            Message::NotANumber {
                found: Found::Number(1.5),
                whole: None,
            },
            Message::NotANumber {
                found: Found::Integer(1),
                whole: Some((1, 5)),
            },
            Message::NotAnInteger {
                found: Found::Date(t),
                min: 1,
                max: 5,
            },
            Message::OutOfRange {
                value: 6.0,
                min: 1,
                max: 5,
            },
            Message::NegativeMinutes { value: -5.0 },
            Message::Negative {
                what: Words::new("使用率", "utilisation"),
                value: -1.0,
            },
            Message::NotAPriority { value: "P7".into() },
            Message::NotAChoice {
                value: "x".into(),
                choices: &["新建|new", "已关闭|closed"],
            },
            Message::NotYesNo {
                found: Found::DateSerial(-1.0),
            },
            Message::NotAPeriod {
                found: Found::ErrorValue("#N/A".into()),
            },
            Message::ErrorCell {
                error: "#N/A".into(),
            },
            Message::UnknownRef {
                kind: RefKind::Customer,
                value: "x".into(),
                closest: None,
                valid: vec![],
                more: 0,
            },
            Message::UnknownRef {
                kind: RefKind::Customer,
                value: "安科".into(),
                closest: Some("安科美".into()),
                valid: vec!["acme".into(), "安科美".into()],
                more: 3,
            },
            Message::NearMatch {
                kind: RefKind::Service,
                value: "ERP系统".into(),
                matched: "ERP 系统".into(),
            },
            Message::UnknownRef {
                kind: RefKind::Service,
                value: "x".into(),
                closest: None,
                valid: vec![],
                more: 0,
            },
            Message::UnknownRef {
                kind: RefKind::Supplier,
                value: "x".into(),
                closest: None,
                valid: vec![],
                more: 0,
            },
            Message::UnknownContract { value: "x".into() },
            Message::ServiceNotForCustomer {
                customer: "c".into(),
                service: "s".into(),
            },
            Message::ContractSupplierMismatch {
                contract: "c".into(),
                party: "p".into(),
                supplier: "s".into(),
            },
            Message::TimeOrder {
                later: w,
                later_at: t,
                earlier: w,
                earlier_at: t,
                earlier_cell: CellRef::at(1, 4),
            },
            Message::DuplicateId {
                kind: IdKind::Ticket,
                id: "I-1".into(),
                first: Place {
                    file: "a.xlsx".into(),
                    sheet: "事件".into(),
                    cell: CellRef::at(1, 0),
                },
            },
            Message::DuplicateId {
                kind: IdKind::Change,
                id: "C-1".into(),
                first: Place {
                    file: "a.xlsx".into(),
                    sheet: "变更".into(),
                    cell: CellRef::row_at(1),
                },
            },
            Message::DuplicateId {
                kind: IdKind::Request,
                id: "R-1".into(),
                first: Place {
                    file: "a.xlsx".into(),
                    sheet: "请求".into(),
                    cell: CellRef::row_at(1),
                },
            },
            Message::TotalRow {
                row: 3,
                label: "合计".into(),
            },
            Message::SupersededInLog {
                rows: 2_813,
                tickets: 820,
            },
            Message::OutsidePeriod {
                rows: 2,
                period: "2026-10".into(),
                first_row: 3,
            },
            Message::NameMissing {
                kind: NamedKind::Process,
                id: "问题管理".into(),
                missing: MissingName::Entry,
            },
            Message::NameMissing {
                kind: NamedKind::Resource,
                id: "erp-db-cpu".into(),
                missing: MissingName::English,
            },
            Message::WorkerFailed {
                failure: WorkerFailure::OutOfMemory { limit_mib: 1024 },
            },
            Message::WorkerFailed {
                failure: WorkerFailure::TimedOut { seconds: 300 },
            },
            Message::WorkerFailed {
                failure: WorkerFailure::Signal { signal: 6 },
            },
            Message::WorkerFailed {
                failure: WorkerFailure::Exit { code: 3 },
            },
            Message::WorkerFailed {
                failure: WorkerFailure::Garbled,
            },
            Message::Symlink {
                problem: LinkProblem::NotFollowed,
            },
            Message::Symlink {
                problem: LinkProblem::OutsideWorkspace,
            },
            Message::Symlink {
                problem: LinkProblem::Broken,
            },
            Message::CellBeyondLimits,
            Message::RowOutOfOrder { row: 3, after: 9 },
            Message::SheetNameTooLong {
                name: "s".into(),
                chars: 300,
            },
            Message::TooLong { limit: 255 },
            Message::Unprintable {
                ch: '😀',
                place: TextPlace::Cell,
            },
            Message::Unprintable {
                ch: '𠀀',
                place: TextPlace::FileName,
            },
            Message::Invisible {
                ch: '\u{202E}',
                place: TextPlace::SheetName,
            },
            Message::Suppressed {
                code: Code::ValueNotADate,
                count: 5,
                scope: SuppressedIn::Sheet,
            },
            Message::Suppressed {
                code: Code::RowDuplicateId,
                count: 5,
                scope: SuppressedIn::File,
            },
            Message::ClosedWithoutResolution {
                id: "INC1".into(),
                stand_in: None,
            },
            Message::Updated {
                kind: IdKind::Ticket,
                id: "INC1".into(),
                older: Place {
                    file: "a.xlsx".into(),
                    sheet: "事件".into(),
                    cell: CellRef::row_at(2),
                },
                changes: vec![(
                    Words::new("解决时间", "Resolved At"),
                    String::new(),
                    "2026-11-01 10:00".into(),
                )],
            },
            Message::Regressed {
                kind: IdKind::Ticket,
                id: "INC1".into(),
                older: Place {
                    file: "a.xlsx".into(),
                    sheet: "事件".into(),
                    cell: CellRef::row_at(2),
                },
                changes: vec![(Words::new("优先级", "Priority"), "P3".into(), "P2".into())],
            },
            Message::PeriodConflict {
                folder: "2026-10".into(),
                named: "2026-09".into(),
            },
            Message::DeclaredPeriodConflict {
                used: "2026-10".into(),
                declared: "2026-09".into(),
            },
            Message::PartitionDuplicate {
                kind: IdKind::Ticket,
                id: "INC1".into(),
                other: Place {
                    file: "a.xlsx".into(),
                    sheet: "事件".into(),
                    cell: CellRef::row_at(2),
                },
            },
        ];
        let is_zh = |s: &str| s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
        let mut codes = std::collections::BTreeSet::new();
        for m in &all {
            codes.insert(m.code());
            let (en, zh) = (m.text(Lang::En), m.text(Lang::Zh));
            let (hen, hzh) = (m.hint(Lang::En), m.hint(Lang::Zh));
            assert!(!en.is_empty() && !hen.is_empty(), "{m:?}");
            assert!(is_zh(&zh) && is_zh(&hzh), "{m:?}: {zh} / {hzh}");
            assert_ne!(en, zh, "{m:?}");
            assert_ne!(hen, hzh, "{m:?}");
        }
        // The list above covers every code of the table.
        assert_eq!(codes.len(), Code::ALL.len());
        // Every message crosses between processes as it is (statics interned back).
        for m in &all {
            let b = postcard::to_allocvec(m).expect("serialises");
            let back: Message = postcard::from_bytes(&b).expect("deserialises");
            assert_eq!(&back, m);
            assert_eq!(back.text(Lang::Zh), m.text(Lang::Zh));
        }
    }

    #[test]
    fn found_and_lists_per_language() {
        let m = Message::NotADate {
            found: Found::text("N/A"),
            with_time: true,
        };
        assert_eq!(m.text(Lang::En), "expected a date, found text \"N/A\"");
        assert_eq!(m.text(Lang::Zh), "应为日期，实为文本 \"N/A\"");
        let c = Message::NotAChoice {
            value: "done".into(),
            choices: &["新建|new|open", "已关闭|closed"],
        };
        assert_eq!(
            c.text(Lang::En),
            "\"done\" is not one of 新建/new, 已关闭/closed"
        );
        assert_eq!(
            c.text(Lang::Zh),
            "\"done\" 不是可选值（新建/new、已关闭/closed）之一"
        );
        assert_eq!(
            Found::text(&"x".repeat(70)),
            Found::Text(format!("{}…", "x".repeat(57)))
        );
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(-0.5), "-0.5");
    }
}

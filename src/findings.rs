//! Findings: problems in a provider's data (spec §2.1, conventions "two kinds
//! of problems"). They are data, collected and never fatal one by one.
//!
//! Also the reconciliation of every input (rows read = accepted + rejected +
//! blank). Rendering them (compiler-style text, JSON, findings workbook) lives
//! in `findings::render` (added by the ingest work).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row or file is rejected.
    Error,
    /// Accepted, but something needs a look (unknown extra column …).
    Warning,
    /// For information only (record outside every metric of the period …).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem in one place. `code` is stable and documented (e.g.
/// `value.not_a_date`, `ref.unknown_service`, `ingest.unreadable`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: String,
    /// Workspace-relative path as the provider knows it.
    pub file: Option<String>,
    pub sheet: Option<String>,
    /// Absolute A1 reference as Excel shows it (`E14`), or a row (`14`) for row rules.
    pub cell: Option<String>,
    /// The column header as the provider wrote it.
    pub column: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            code: code.into(),
            file: None,
            sheet: None,
            cell: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Error, code, message)
    }
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Warning, code, message)
    }
    pub fn info(code: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Info, code, message)
    }
    pub fn file(mut self, f: impl Into<String>) -> Finding {
        self.file = Some(f.into());
        self
    }
    pub fn sheet(mut self, s: impl Into<String>) -> Finding {
        self.sheet = Some(s.into());
        self
    }
    pub fn cell(mut self, c: impl Into<String>) -> Finding {
        self.cell = Some(c.into());
        self
    }
    pub fn column(mut self, c: impl Into<String>) -> Finding {
        self.column = Some(c.into());
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Finding {
        self.hint = Some(h.into());
        self
    }
}

/// Row accounting of one sheet: `read == accepted + rejected + blank`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SheetCount {
    pub sheet: String,
    /// Dataset name (`incidents`, …) or `None` for a skipped/unrecognised sheet.
    pub dataset: Option<String>,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub blank: u64,
}

/// Reconciliation of one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileCount {
    /// Workspace-relative path.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// False when the file could not be read at all (see its findings).
    pub readable: bool,
    pub sheets: Vec<SheetCount>,
}

impl FileCount {
    pub fn read(&self) -> u64 {
        self.sheets.iter().map(|s| s.read).sum()
    }
    pub fn accepted(&self) -> u64 {
        self.sheets.iter().map(|s| s.accepted).sum()
    }
    pub fn rejected(&self) -> u64 {
        self.sheets.iter().map(|s| s.rejected).sum()
    }
    pub fn blank(&self) -> u64 {
        self.sheets.iter().map(|s| s.blank).sum()
    }
}

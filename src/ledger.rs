//! The ledger: an embedded SQLite database (`<workspace>/.svcreport/ledger.sqlite`)
//! recording every input, run, KPI result, document version, review, approval
//! and distribution (spec §4–§5).
//!
//! Depends on nothing in the crate but the plain types it stores (`model`'s
//! periods, formats and document states, `kpi::KpiResults`); it never reads
//! workbooks, renders or touches output folders. Records are typed: times,
//! periods, statuses, formats and kinds are converted to and from their stored
//! text here and nowhere else. Invariants:
//! - the schema is versioned with `PRAGMA user_version` and migrated forward
//!   in order, inside one transaction per step; a newer database than this
//!   tool knows is refused, never downgraded;
//! - the database runs in WAL mode with foreign keys on;
//! - every write of one command goes through one [`LedgerTx`] (one SQLite
//!   transaction), so a killed run leaves the ledger as it was before it;
//! - an input is keyed by `(sha256, path)` and keeps the time it was first
//!   seen (its arrival), whatever later runs record;
//! - a document version `(doc_number, major, minor)` is unique; its status only
//!   moves forward (draft → reviewed → approved).
//!
//! # Versions
//! See [`DocVersion`] and [`decide_version`]: first draft V1.0; a regenerated
//! draft whose content hash changed gets the next minor version (1.1), the same
//! content keeps its version; a regeneration with changed content after
//! approval gets the next major version (2.0) as a draft that *supersedes* the
//! approved version; unchanged content after approval creates nothing.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::kpi::KpiResults;
use crate::model::catalogue::OutputFormat;
pub use crate::model::document::DocVersion;
pub use crate::model::document::SignOff;
use crate::model::document::{DocState, DocStatus};
use crate::model::period::Period;
use crate::model::status::Status;
use crate::register::{Event, Item, ItemKey, ItemState, Logged};

/// Folder of the tool's own state inside a workspace.
pub const STATE_DIR: &str = ".svcreport";
/// The ledger file inside [`STATE_DIR`].
pub const LEDGER_FILE: &str = "ledger.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{path}: cannot open the ledger: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: cannot create the state folder: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: the ledger has schema version {found}, newer than this tool knows ({known}); use a newer svcreport"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("{path}: ledger error: {source}")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: stored JSON is unreadable: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// What a regeneration does to a document's versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionDecision {
    /// No earlier version: V1.0 draft.
    First,
    /// Same content as the latest version: keep it (and its status); files are
    /// regenerated only if missing.
    Same { id: i64, version: DocVersion },
    /// Changed content of a draft/reviewed version: next minor, as a draft.
    NextMinor { version: DocVersion },
    /// Changed content after approval: next major draft superseding `supersedes`.
    NextMajor {
        version: DocVersion,
        supersedes: DocVersion,
    },
    /// Same content as the approved latest version: nothing to do.
    Approved { id: i64, version: DocVersion },
}

impl VersionDecision {
    /// The version a (re)generation writes.
    pub fn version(&self) -> DocVersion {
        match self {
            VersionDecision::First => DocVersion::FIRST,
            VersionDecision::Same { version, .. }
            | VersionDecision::NextMinor { version }
            | VersionDecision::NextMajor { version, .. }
            | VersionDecision::Approved { version, .. } => *version,
        }
    }
    /// The version this one supersedes, for a correction after approval.
    pub fn supersedes(&self) -> Option<DocVersion> {
        match self {
            VersionDecision::NextMajor { supersedes, .. } => Some(*supersedes),
            _ => None,
        }
    }
}

/// The versioning rule (see the module docs), from the latest recorded version
/// of a document and the content hash of the regeneration.
pub fn decide_version(latest: Option<&DocRecord>, content_hash: &str) -> VersionDecision {
    let Some(l) = latest else {
        return VersionDecision::First;
    };
    let same = l.content_hash == content_hash;
    match (l.state.status, same) {
        (DocStatus::Approved, true) => VersionDecision::Approved {
            id: l.id,
            version: l.state.version,
        },
        (DocStatus::Approved, false) => VersionDecision::NextMajor {
            version: l.state.version.next_major(),
            supersedes: l.state.version,
        },
        (_, true) => VersionDecision::Same {
            id: l.id,
            version: l.state.version,
        },
        (_, false) => VersionDecision::NextMinor {
            version: l.state.version.next_minor(),
        },
    }
}

/// One input file as first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    /// Workspace-relative path.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// Datasets found in it, sorted (stored by their stable names).
    pub datasets: Vec<crate::model::records::DatasetKind>,
    /// The providing process/team, from the file name or its folder.
    pub provider: String,
    /// The period the delivery counts for (folder, name, or the period its
    /// 说明 sheet declares); `None` for a file that says none.
    pub period: Option<Period>,
    /// Arrival: local time of the first run that saw it.
    pub first_seen: NaiveDateTime,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    pub rows_blank: u64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Ok,
    /// `--strict` and error findings: nothing rendered.
    Rejected,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Rejected => "rejected",
            RunStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Option<RunStatus> {
        [RunStatus::Ok, RunStatus::Rejected, RunStatus::Failed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One run of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub period: Period,
    pub started: NaiveDateTime,
    pub finished: NaiveDateTime,
    /// The command's name (`run`, `render`).
    pub command: String,
    pub tool_version: String,
    pub files: u64,
    pub errors: u64,
    pub warnings: u64,
    pub documents: u64,
    pub status: RunStatus,
}

/// One recorded document version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRecord {
    pub id: i64,
    pub report_id: String,
    pub period: Period,
    pub doc_number: String,
    pub content_hash: String,
    /// When the version was recorded.
    pub created: NaiveDateTime,
    /// The run's recorded time the document was built with.
    pub generated_at: NaiveDateTime,
    /// Version, status, review and approval.
    pub state: DocState,
}

/// A document version with the sections it changed (`None`: not recorded).
pub type VersionChanges = (DocRecord, Option<Vec<String>>);

/// A new document version to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub report_id: String,
    pub period: Period,
    pub doc_number: String,
    pub version: DocVersion,
    pub content_hash: String,
    pub created: NaiveDateTime,
    pub supersedes: Option<DocVersion>,
    pub generated_at: NaiveDateTime,
    pub run_id: Option<i64>,
}

/// One rendered file of a document version (per format and status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFile {
    pub format: OutputFormat,
    /// The status the file shows (a draft file and the approved file differ).
    pub status: DocStatus,
    /// Workspace-relative path.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// A review or an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Review,
    Approve,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Review => "review",
            Step::Approve => "approve",
        }
    }
    /// The status a document has after this step.
    pub fn status_after(self) -> DocStatus {
        match self {
            Step::Review => DocStatus::Reviewed,
            Step::Approve => DocStatus::Approved,
        }
    }
    /// The role the report list names for this step.
    pub fn role(self) -> Role {
        match self {
            Step::Review => Role::Reviewer,
            Step::Approve => Role::Approver,
        }
    }
    fn parse(s: &str) -> Option<Step> {
        [Step::Review, Step::Approve]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Who took a step, as the report list names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Reviewer,
    Approver,
    Other,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::Other => "other",
        }
    }
    fn parse(s: &str) -> Option<Role> {
        [Role::Reviewer, Role::Approver, Role::Other]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A review or an approval of a document version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    pub step: Step,
    /// The name the document prints.
    pub name: String,
    pub role: Role,
    pub at: NaiveDateTime,
    pub comment: Option<String>,
    /// The person's catalogue id (none for a legacy, name-only workspace).
    pub person_id: Option<String>,
    /// How it was taken; [`SignOff::Signed`] exactly when `signature` is there.
    pub how: SignOff,
    pub signature: Option<SignatureRecord>,
}

/// A signed statement (see `signing::Statement`) and its SSH signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRecord {
    /// The statement's canonical bytes (UTF-8 text).
    pub statement: String,
    /// The armored sshsig (`-----BEGIN SSH SIGNATURE-----`).
    pub signature: String,
    /// `SHA256:…` of the key that made it.
    pub fingerprint: String,
}

/// Where an e-mail stands. "Sending" is recorded before the SMTP transaction
/// and replaced by the outcome after it; a message still "sending" when no
/// command runs was interrupted, its outcome unknown (counted as sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    Sending,
    Sent,
    Failed,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Sending => "sending",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Option<MessageState> {
        [
            MessageState::Sending,
            MessageState::Sent,
            MessageState::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One e-mail of a document to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: i64,
    pub doc_id: i64,
    pub recipient: String,
    /// `<…@…>`, as in the message's header.
    pub message_id: String,
    pub subject: String,
    /// The attached files: format and SHA-256.
    pub attachments: Vec<(OutputFormat, String)>,
    pub state: MessageState,
    /// The server's last reply (`250 2.0.0 Ok: queued`) or the error.
    pub response: Option<String>,
    /// SMTP transactions tried.
    pub attempts: u32,
    pub started: NaiveDateTime,
    pub finished: Option<NaiveDateTime>,
    /// Sent again on purpose (`--resend`).
    pub resend: bool,
}

/// A message about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub doc_id: i64,
    pub recipient: String,
    pub message_id: String,
    pub subject: String,
    pub attachments: Vec<(OutputFormat, String)>,
    pub started: NaiveDateTime,
    pub resend: bool,
}

/// One copy of a document handed to a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionRecord {
    pub format: OutputFormat,
    pub recipient: String,
    pub path: String,
    pub sha256: String,
    pub at: NaiveDateTime,
}

/// What an archived source of a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// `svcreport.toml`.
    Settings,
    Catalogue,
    /// A report template (`templates/*.toml|*.typ`, logos).
    Template,
    /// A holiday file of a calendar.
    Calendar,
    /// The earlier periods' results the trends were drawn from (`history.json`).
    History,
    /// The timeliness rows of the internal report (`timeliness.json`).
    Timeliness,
    /// The report model as built (`model.json`).
    Model,
    /// The approved periods' data the figures were settled against
    /// (`closure.json`: where they end and the approved inputs).
    Closure,
    /// The improvement register's items the document showed (`register.json`).
    Register,
}

impl SourceKind {
    pub const ALL: [SourceKind; 9] = [
        SourceKind::Settings,
        SourceKind::Catalogue,
        SourceKind::Template,
        SourceKind::Calendar,
        SourceKind::History,
        SourceKind::Timeliness,
        SourceKind::Model,
        SourceKind::Closure,
        SourceKind::Register,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Settings => "settings",
            SourceKind::Catalogue => "catalogue",
            SourceKind::Template => "template",
            SourceKind::Calendar => "calendar",
            SourceKind::History => "history",
            SourceKind::Timeliness => "timeliness",
            SourceKind::Model => "model",
            SourceKind::Closure => "closure",
            SourceKind::Register => "register",
        }
    }
    fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A catalogue, template or settings file (or a build record) a document was built from (archived).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceRecord {
    pub kind: SourceKind,
    /// Workspace-relative path.
    pub path: String,
    pub sha256: String,
}

/// The migrations, in order; `user_version` = number applied.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE inputs (
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    datasets TEXT NOT NULL,
    provider TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    rows_blank INTEGER NOT NULL,
    PRIMARY KEY (sha256, path)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    command TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    files INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE run_inputs (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (run_id, sha256, path)
);
CREATE TABLE kpi_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    period TEXT NOT NULL,
    agreement TEXT NOT NULL,
    metric TEXT NOT NULL,
    scope TEXT NOT NULL,
    actual REAL,
    numerator REAL,
    denominator REAL,
    status TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX kpi_results_period ON kpi_results(period, run_id);
CREATE TABLE kpi_snapshots (
    period TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    json TEXT NOT NULL
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL,
    period TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'reviewed', 'approved')),
    content_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    supersedes TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    approved_by TEXT,
    approved_at TEXT,
    run_id INTEGER REFERENCES runs(id),
    UNIQUE (doc_number, major, minor)
);
CREATE TABLE document_files (
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    format TEXT NOT NULL,
    status TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (doc_id, format, status)
);
CREATE INDEX document_files_sha ON document_files(sha256);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    step TEXT NOT NULL CHECK (step IN ('review', 'approve')),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL,
    comment TEXT
);
CREATE TABLE distributions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    format TEXT NOT NULL,
    recipient TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE document_inputs (
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (doc_id, sha256, path)
);
CREATE TABLE document_sources (
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (doc_id, kind, path)
);
"#,
    // 2: signed reviews and approvals; e-mail distribution. Steps recorded
    // before stay valid and read as legacy (unsigned, by name).
    r#"
ALTER TABLE documents ADD COLUMN review_signing TEXT;
ALTER TABLE documents ADD COLUMN approval_signing TEXT;
UPDATE documents SET review_signing = 'legacy' WHERE reviewed_by IS NOT NULL;
UPDATE documents SET approval_signing = 'legacy' WHERE approved_by IS NOT NULL;
ALTER TABLE reviews ADD COLUMN signing TEXT NOT NULL DEFAULT 'legacy'
    CHECK (signing IN ('legacy', 'unsigned', 'signed'));
ALTER TABLE reviews ADD COLUMN person_id TEXT;
ALTER TABLE reviews ADD COLUMN statement TEXT;
ALTER TABLE reviews ADD COLUMN signature TEXT;
ALTER TABLE reviews ADD COLUMN key_fingerprint TEXT;
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    attachments TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    response TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    started TEXT NOT NULL,
    finished TEXT,
    resend INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_doc ON messages(doc_id, recipient);
"#,
    // 3: the period a delivery counts for (its folder, name or 说明 sheet); inputs
    // recorded before read it from their path.
    r#"
ALTER TABLE inputs ADD COLUMN period TEXT;
"#,
    // 4: the improvement register and its history (issue 15), and what changed in
    // each document version (the cover's revision history; NULL: not recorded).
    r#"
CREATE TABLE improvements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_key TEXT NOT NULL UNIQUE,
    process TEXT NOT NULL,
    owner TEXT,
    raised TEXT NOT NULL,
    last TEXT NOT NULL,
    last_status TEXT NOT NULL,
    action TEXT,
    due TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('new', 'in_progress', 'closed')),
    reopened INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE improvement_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES improvements(id),
    at TEXT NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX improvement_events_item ON improvement_events(item_id);
ALTER TABLE documents ADD COLUMN changes TEXT;
"#,
];

/// The schema version this tool writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish()
    }
}

impl Ledger {
    /// Open (creating and migrating if needed) the ledger of the workspace at `ws_root`.
    pub fn open(ws_root: &Path) -> Result<Ledger, LedgerError> {
        let dir = ws_root.join(STATE_DIR);
        std::fs::create_dir_all(&dir).map_err(|source| LedgerError::Folder {
            path: dir.clone(),
            source,
        })?;
        Self::open_file(&dir.join(LEDGER_FILE))
    }

    /// Open a ledger file directly (tests, audit copies).
    pub fn open_file(path: &Path) -> Result<Ledger, LedgerError> {
        let open_err = |source| LedgerError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        let mut l = Ledger {
            conn,
            path: path.to_path_buf(),
        };
        l.migrate()?;
        Ok(l)
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> LedgerError + '_ {
        move |source| LedgerError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let sql = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let current: u32 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        if current > SCHEMA_VERSION {
            return Err(LedgerError::TooNew {
                path: self.path.clone(),
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(sql)?;
            // Another process may have migrated while we waited for the lock.
            let now: u32 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(sql)?;
            if now as usize > i {
                continue;
            }
            tx.execute_batch(step).map_err(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The applied schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, LedgerError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.sql())
    }

    /// `PRAGMA integrity_check` (`"ok"` when sound).
    pub fn integrity_check(&self) -> Result<String, LedgerError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(self.sql())
    }

    /// Read access.
    pub fn read(&self) -> Reader<'_> {
        Reader {
            conn: &self.conn,
            path: &self.path,
        }
    }

    /// Begin the one write transaction of a command (taken at once, so two
    /// writers queue instead of failing half-way).
    pub fn transaction(&mut self) -> Result<LedgerTx<'_>, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|source| LedgerError::Sql {
                path: self.path.clone(),
                source,
            })?;
        Ok(LedgerTx {
            tx,
            path: &self.path,
        })
    }

    /// The KPI results last recorded for a period (trends of later periods).
    pub fn results_for(&self, period: &Period) -> Result<Option<KpiResults>, LedgerError> {
        self.read().results_for(period)
    }

    /// Record, durably and at once, that a message is about to be sent
    /// (before the SMTP transaction); returns its id.
    pub fn begin_message(&mut self, m: &NewMessage) -> Result<i64, LedgerError> {
        let tx = self.transaction()?;
        tx.tx
            .execute(
                "INSERT INTO messages (doc_id, recipient, message_id, subject, attachments, state, started, resend) VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6, ?7)",
                params![
                    m.doc_id,
                    m.recipient,
                    m.message_id,
                    m.subject,
                    attachments_text(&m.attachments),
                    time_text(&m.started),
                    i64::from(m.resend)
                ],
            )
            .map_err(|e| tx.sql(e))?;
        let id = tx.tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Record, durably and at once, the outcome of a message (after the SMTP
    /// transaction). Only a message still "sending" takes an outcome.
    pub fn finish_message(
        &mut self,
        id: i64,
        state: MessageState,
        response: &str,
        attempts: u32,
        at: NaiveDateTime,
    ) -> Result<(), LedgerError> {
        let tx = self.transaction()?;
        let n = tx
            .tx
            .execute(
                "UPDATE messages SET state = ?1, response = ?2, attempts = ?3, finished = ?4 WHERE id = ?5 AND state = 'sending'",
                params![state.as_str(), response, attempts, time_text(&at), id],
            )
            .map_err(|e| tx.sql(e))?;
        if n != 1 {
            return Err(LedgerError::Invalid {
                path: tx.path.to_path_buf(),
                message: format!("message {id} is not being sent; its outcome is recorded already"),
            });
        }
        tx.commit()
    }
}

/// Queries, on the ledger or inside a transaction.
pub struct Reader<'c> {
    conn: &'c Connection,
    path: &'c Path,
}

/// SQLite integers are signed; counts and sizes are stored as `i64`.
fn n64(x: u64) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}

fn get_u64(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(i)?;
    Ok(u64::try_from(v).unwrap_or(0))
}

/// `pdf:<sha256>,xlsx:<sha256>` as stored.
fn attachments_text(a: &[(OutputFormat, String)]) -> String {
    a.iter()
        .map(|(f, sha)| format!("{}:{sha}", f.extension()))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_attachments(s: &str) -> Option<Vec<(OutputFormat, String)>> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| {
            let (f, sha) = x.split_once(':')?;
            Some((parse_format(f)?, sha.to_string()))
        })
        .collect()
}

/// Times are stored as local ISO 8601 text without an offset (`2026-11-03T10:00:00`), the
/// workspace's wall-clock time; they are converted here and nowhere else.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

fn time_text(t: &NaiveDateTime) -> String {
    t.format(TIME_FORMAT).to_string()
}

/// A stored text that does not read as what its column holds.
#[derive(Debug)]
struct BadValue {
    what: &'static str,
    value: String,
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\" is not a {}", self.value, self.what)
    }
}

impl std::error::Error for BadValue {}

/// Column `i` read as text and parsed with `parse`; a value it refuses is an error naming it.
fn get_parsed<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    what: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::new(BadValue { what, value: text }),
        )
    })
}

fn get_opt_parsed<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    what: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    let v: Option<String> = r.get(i)?;
    match v {
        None => Ok(None),
        Some(_) => get_parsed(r, i, what, parse).map(Some),
    }
}

fn parse_time(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, TIME_FORMAT).ok()
}

fn get_time(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<NaiveDateTime> {
    get_parsed(r, i, "time", parse_time)
}

fn get_opt_time(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDateTime>> {
    get_opt_parsed(r, i, "time", parse_time)
}

fn get_period(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Period> {
    get_parsed(r, i, "period", |s| Period::parse(s).ok())
}

fn get_status(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DocStatus> {
    get_parsed(r, i, "document status", DocStatus::parse)
}

fn parse_format(s: &str) -> Option<OutputFormat> {
    [OutputFormat::Pdf, OutputFormat::Xlsx]
        .into_iter()
        .find(|f| f.extension() == s)
}

fn get_format(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<OutputFormat> {
    get_parsed(r, i, "file format", parse_format)
}

fn parse_item_state(s: &str) -> Option<ItemState> {
    ItemState::ALL.into_iter().find(|x| x.as_str() == s)
}

fn parse_status(s: &str) -> Option<Status> {
    [
        Status::Met,
        Status::AtRisk,
        Status::Breached,
        Status::NotApplicable,
        Status::DataMissing,
    ]
    .into_iter()
    .find(|x| x.as_str() == s)
}

const DATE_FORMAT: &str = "%Y-%m-%d";

fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    Ok(Item {
        id: r.get(0)?,
        key: get_parsed(r, 1, "register key", |s| {
            serde_json::from_str::<ItemKey>(s).ok()
        })?,
        process: r.get(2)?,
        owner: r.get(3)?,
        raised: get_period(r, 4)?,
        last: get_period(r, 5)?,
        last_status: get_parsed(r, 6, "judgement", parse_status)?,
        action: r.get(7)?,
        due: get_parsed(r, 8, "date", |s| {
            chrono::NaiveDate::parse_from_str(s, DATE_FORMAT).ok()
        })?,
        state: get_parsed(r, 9, "register state", parse_item_state)?,
        reopened: r.get(10)?,
    })
}

const DOC_COLUMNS: &str = "id, report_id, period, doc_number, major, minor, status, content_hash, created, \
     supersedes, reviewed_by, reviewed_at, approved_by, approved_at, generated_at, review_signing, approval_signing";

fn get_opt_signoff(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<SignOff>> {
    get_opt_parsed(r, i, "signing", SignOff::parse)
}

fn doc_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocRecord> {
    Ok(DocRecord {
        id: r.get(0)?,
        report_id: r.get(1)?,
        period: get_period(r, 2)?,
        doc_number: r.get(3)?,
        content_hash: r.get(7)?,
        created: get_time(r, 8)?,
        generated_at: get_time(r, 14)?,
        state: DocState {
            version: DocVersion {
                major: r.get(4)?,
                minor: r.get(5)?,
            },
            status: get_status(r, 6)?,
            supersedes: get_opt_parsed(r, 9, "version", DocVersion::parse)?,
            reviewed_by: r.get(10)?,
            reviewed_at: get_opt_time(r, 11)?,
            approved_by: r.get(12)?,
            approved_at: get_opt_time(r, 13)?,
            reviewed_how: get_opt_signoff(r, 15)?,
            approved_how: get_opt_signoff(r, 16)?,
        },
    })
}

impl Reader<'_> {
    fn sql(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sql {
            path: self.path.to_path_buf(),
            source,
        }
    }

    fn collect<T>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, LedgerError> {
        let mut st = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = st.query_map(p, f).map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The KPI results last recorded for a period.
    pub fn results_for(&self, period: &Period) -> Result<Option<KpiResults>, LedgerError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM kpi_snapshots WHERE period = ?1",
                [period.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|source| LedgerError::Json {
                path: self.path.to_path_buf(),
                source,
            })
        })
        .transpose()
    }

    /// The improvement register, in id order.
    pub fn improvements(&self) -> Result<Vec<Item>, LedgerError> {
        self.collect(
            "SELECT id, item_key, process, owner, raised, last, last_status, action, due, state, reopened FROM improvements ORDER BY id",
            [],
            item_from_row,
        )
    }

    /// The id the next new register item gets (ids are never reused).
    pub fn next_improvement_id(&self) -> Result<i64, LedgerError> {
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM improvements",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// The history of the register (every item, or one), oldest first.
    pub fn improvement_events(&self, item: Option<i64>) -> Result<Vec<Logged>, LedgerError> {
        self.collect(
            "SELECT item_id, at, event FROM improvement_events WHERE ?1 IS NULL OR item_id = ?1 ORDER BY id",
            [item],
            |r| {
                Ok(Logged {
                    item: r.get(0)?,
                    at: get_time(r, 1)?,
                    event: get_parsed(r, 2, "register event", |s| serde_json::from_str(s).ok())?,
                })
            },
        )
    }

    /// Every version of a document, oldest first, each with what it changed (section
    /// ids, as recorded with it; `None` for a version from before schema 4).
    pub fn versions_with_changes(
        &self,
        doc_number: &str,
    ) -> Result<Vec<VersionChanges>, LedgerError> {
        self.collect(
            &format!(
                "SELECT {DOC_COLUMNS}, changes FROM documents WHERE doc_number = ?1 ORDER BY major, minor"
            ),
            [doc_number],
            |r| {
                let changes = get_opt_parsed(r, 17, "list of sections", |s| {
                    serde_json::from_str::<Vec<String>>(s).ok()
                })?;
                Ok((doc_from_row(r)?, changes))
            },
        )
    }

    /// Every version of a document, oldest first.
    pub fn versions(&self, doc_number: &str) -> Result<Vec<DocRecord>, LedgerError> {
        self.collect(
            &format!(
                "SELECT {DOC_COLUMNS} FROM documents WHERE doc_number = ?1 ORDER BY major, minor"
            ),
            [doc_number],
            doc_from_row,
        )
    }

    /// The latest version of a document.
    pub fn latest(&self, doc_number: &str) -> Result<Option<DocRecord>, LedgerError> {
        Ok(self.versions(doc_number)?.pop())
    }

    /// The latest approved version of a document.
    pub fn latest_approved(&self, doc_number: &str) -> Result<Option<DocRecord>, LedgerError> {
        Ok(self
            .versions(doc_number)?
            .into_iter()
            .rev()
            .find(|d| d.state.status == DocStatus::Approved))
    }

    /// Every document version (all reports), ordered by period, number, version.
    pub fn all_documents(&self) -> Result<Vec<DocRecord>, LedgerError> {
        self.collect(
            &format!(
                "SELECT {DOC_COLUMNS} FROM documents ORDER BY period, doc_number, major, minor"
            ),
            [],
            doc_from_row,
        )
    }

    pub fn document(&self, id: i64) -> Result<Option<DocRecord>, LedgerError> {
        self.conn
            .query_row(
                &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"),
                [id],
                doc_from_row,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// The files of a document version, by format then status.
    pub fn files(&self, doc_id: i64) -> Result<Vec<DocFile>, LedgerError> {
        self.collect(
            "SELECT format, status, path, sha256, size FROM document_files WHERE doc_id = ?1 ORDER BY format, status",
            [doc_id],
            |r| {
                Ok(DocFile {
                    format: get_format(r, 0)?,
                    status: get_status(r, 1)?,
                    path: r.get(2)?,
                    sha256: r.get(3)?,
                    size: get_u64(r, 4)?,
                })
            },
        )
    }

    /// Every document file with this SHA-256, with its document version.
    pub fn find_file(&self, sha256: &str) -> Result<Vec<(DocRecord, DocFile)>, LedgerError> {
        let hits: Vec<(i64, DocFile)> = self.collect(
            "SELECT doc_id, format, status, path, sha256, size FROM document_files WHERE sha256 = ?1 ORDER BY doc_id, format, status",
            [sha256],
            |r| {
                Ok((
                    r.get(0)?,
                    DocFile {
                        format: get_format(r, 1)?,
                        status: get_status(r, 2)?,
                        path: r.get(3)?,
                        sha256: r.get(4)?,
                        size: get_u64(r, 5)?,
                    },
                ))
            },
        )?;
        let mut out = Vec::new();
        for (id, f) in hits {
            if let Some(d) = self.document(id)? {
                out.push((d, f));
            }
        }
        Ok(out)
    }

    /// Every recorded input, by path then hash.
    pub fn inputs(&self) -> Result<Vec<InputRecord>, LedgerError> {
        self.collect(
            "SELECT path, sha256, size, datasets, provider, first_seen, rows_read, rows_accepted, rows_rejected, rows_blank, period FROM inputs ORDER BY path, first_seen, sha256",
            [],
            |r| {
                Ok(InputRecord {
                    path: r.get(0)?,
                    sha256: r.get(1)?,
                    size: get_u64(r, 2)?,
                    datasets: get_parsed(r, 3, "dataset list", |d| {
                        d.split(',')
                            .filter(|x| !x.is_empty())
                            .map(crate::model::records::DatasetKind::from_name)
                            .collect::<Option<Vec<_>>>()
                    })?,
                    provider: r.get(4)?,
                    first_seen: get_time(r, 5)?,
                    rows_read: get_u64(r, 6)?,
                    rows_accepted: get_u64(r, 7)?,
                    rows_rejected: get_u64(r, 8)?,
                    rows_blank: get_u64(r, 9)?,
                    period: get_opt_parsed(r, 10, "period", |s| Period::parse(s).ok())?,
                })
            },
        )
    }

    /// The arrival of every input recorded, by (path, SHA-256): when a run first saw it.
    pub fn arrivals(
        &self,
    ) -> Result<std::collections::BTreeMap<(String, String), NaiveDateTime>, LedgerError> {
        Ok(self
            .collect("SELECT path, sha256, first_seen FROM inputs", [], |r| {
                Ok(((r.get(0)?, r.get(1)?), get_time(r, 2)?))
            })?
            .into_iter()
            .collect())
    }

    /// Inputs (path, sha256) a document version was built from, by path.
    /// Every period with an approved document, with the latest approved
    /// version's id (any report): its figures are final.
    pub fn approved_periods(&self) -> Result<Vec<(Period, i64)>, LedgerError> {
        self.collect(
            "SELECT period, MAX(id) FROM documents WHERE status = 'approved' GROUP BY period ORDER BY period",
            [],
            |r| Ok((get_period(r, 0)?, r.get(1)?)),
        )
    }

    pub fn document_inputs(&self, doc_id: i64) -> Result<Vec<(String, String)>, LedgerError> {
        self.collect(
            "SELECT path, sha256 FROM document_inputs WHERE doc_id = ?1 ORDER BY path, sha256",
            [doc_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Settings, catalogue and template files a document version was built from.
    pub fn document_sources(&self, doc_id: i64) -> Result<Vec<SourceRecord>, LedgerError> {
        self.collect(
            "SELECT kind, path, sha256 FROM document_sources WHERE doc_id = ?1 ORDER BY kind, path",
            [doc_id],
            |r| {
                Ok(SourceRecord {
                    kind: get_parsed(r, 0, "source kind", SourceKind::parse)?,
                    path: r.get(1)?,
                    sha256: r.get(2)?,
                })
            },
        )
    }

    pub fn reviews(&self, doc_id: i64) -> Result<Vec<ReviewRecord>, LedgerError> {
        self.collect(
            "SELECT step, name, role, at, comment, signing, person_id, statement, signature, key_fingerprint FROM reviews WHERE doc_id = ?1 ORDER BY id",
            [doc_id],
            |r| {
                let statement: Option<String> = r.get(7)?;
                let signature: Option<String> = r.get(8)?;
                let fingerprint: Option<String> = r.get(9)?;
                Ok(ReviewRecord {
                    step: get_parsed(r, 0, "step", Step::parse)?,
                    name: r.get(1)?,
                    role: get_parsed(r, 2, "role", Role::parse)?,
                    at: get_time(r, 3)?,
                    comment: r.get(4)?,
                    how: get_parsed(r, 5, "signing", SignOff::parse)?,
                    person_id: r.get(6)?,
                    signature: match (statement, signature, fingerprint) {
                        (Some(statement), Some(signature), Some(fingerprint)) => {
                            Some(SignatureRecord {
                                statement,
                                signature,
                                fingerprint,
                            })
                        }
                        _ => None,
                    },
                })
            },
        )
    }

    /// Every e-mail of a document version, oldest first.
    pub fn messages(&self, doc_id: i64) -> Result<Vec<MessageRecord>, LedgerError> {
        self.collect(
            "SELECT id, doc_id, recipient, message_id, subject, attachments, state, response, attempts, started, finished, resend FROM messages WHERE doc_id = ?1 ORDER BY id",
            [doc_id],
            |r| {
                let att: String = r.get(5)?;
                Ok(MessageRecord {
                    id: r.get(0)?,
                    doc_id: r.get(1)?,
                    recipient: r.get(2)?,
                    message_id: r.get(3)?,
                    subject: r.get(4)?,
                    attachments: get_parsed(r, 5, "attachment list", |_| {
                        parse_attachments(&att)
                    })?,
                    state: get_parsed(r, 6, "message state", MessageState::parse)?,
                    response: r.get(7)?,
                    attempts: u32::try_from(get_u64(r, 8)?).unwrap_or(u32::MAX),
                    started: get_time(r, 9)?,
                    finished: get_opt_time(r, 10)?,
                    resend: r.get::<_, i64>(11)? != 0,
                })
            },
        )
    }

    /// When a document version first reached a recipient: its first folder
    /// copy or its first e-mail that was sent (or whose outcome is unknown).
    pub fn first_delivery(&self, doc_id: i64) -> Result<Option<NaiveDateTime>, LedgerError> {
        let copies = self.distributions(doc_id)?.into_iter().map(|d| d.at);
        let mails = self
            .messages(doc_id)?
            .into_iter()
            .filter(|m| m.state != MessageState::Failed)
            .map(|m| m.finished.unwrap_or(m.started));
        Ok(copies.chain(mails).min())
    }

    pub fn distributions(&self, doc_id: i64) -> Result<Vec<DistributionRecord>, LedgerError> {
        self.collect(
            "SELECT format, recipient, path, sha256, at FROM distributions WHERE doc_id = ?1 ORDER BY id",
            [doc_id],
            |r| {
                Ok(DistributionRecord {
                    format: get_format(r, 0)?,
                    recipient: r.get(1)?,
                    path: r.get(2)?,
                    sha256: r.get(3)?,
                    at: get_time(r, 4)?,
                })
            },
        )
    }

    /// All runs, oldest first: (id, record).
    pub fn runs(&self) -> Result<Vec<(i64, RunRecord)>, LedgerError> {
        self.collect(
            "SELECT id, period, started, finished, command, tool_version, files, errors, warnings, documents, status FROM runs ORDER BY id",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    RunRecord {
                        period: get_period(r, 1)?,
                        started: get_time(r, 2)?,
                        finished: get_time(r, 3)?,
                        command: r.get(4)?,
                        tool_version: r.get(5)?,
                        files: get_u64(r, 6)?,
                        errors: get_u64(r, 7)?,
                        warnings: get_u64(r, 8)?,
                        documents: get_u64(r, 9)?,
                        status: get_parsed(r, 10, "run status", RunStatus::parse)?,
                    },
                ))
            },
        )
    }

    /// The period of the run that recorded a document version (the period its
    /// inputs were ingested for), if any.
    pub fn run_period_of(&self, doc_id: i64) -> Result<Option<Period>, LedgerError> {
        self.conn
            .query_row(
                "SELECT r.period FROM documents d JOIN runs r ON r.id = d.run_id WHERE d.id = ?1",
                [doc_id],
                |r| get_period(r, 0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Number of KPI result rows recorded for a period (all runs).
    pub fn result_rows(&self, period: &Period) -> Result<u64, LedgerError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM kpi_results WHERE period = ?1",
                [period.to_string()],
                |r| get_u64(r, 0),
            )
            .map_err(|e| self.sql(e))
    }
}

/// The one write transaction of a command. Dropped without [`LedgerTx::commit`],
/// nothing is written.
pub struct LedgerTx<'l> {
    tx: rusqlite::Transaction<'l>,
    path: &'l Path,
}

impl LedgerTx<'_> {
    fn sql(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sql {
            path: self.path.to_path_buf(),
            source,
        }
    }

    pub fn read(&self) -> Reader<'_> {
        Reader {
            conn: &self.tx,
            path: self.path,
        }
    }

    /// Record an input; an already known `(sha256, path)` keeps its first-seen time.
    pub fn record_input(&self, i: &InputRecord) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO inputs (sha256, path, size, datasets, provider, first_seen, rows_read, rows_accepted, rows_rejected, rows_blank, period) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    i.sha256,
                    i.path,
                    n64(i.size),
                    i.datasets
                        .iter()
                        .map(|d| d.name())
                        .collect::<Vec<_>>()
                        .join(","),
                    i.provider,
                    time_text(&i.first_seen),
                    n64(i.rows_read),
                    n64(i.rows_accepted),
                    n64(i.rows_rejected),
                    n64(i.rows_blank),
                    i.period.map(|p| p.to_string())
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record a run; returns its id.
    pub fn record_run(&self, r: &RunRecord) -> Result<i64, LedgerError> {
        self.tx
            .execute(
                "INSERT INTO runs (period, started, finished, command, tool_version, files, errors, warnings, documents, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    r.period.to_string(),
                    time_text(&r.started),
                    time_text(&r.finished),
                    r.command,
                    r.tool_version,
                    n64(r.files),
                    n64(r.errors),
                    n64(r.warnings),
                    n64(r.documents),
                    r.status.as_str()
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Link an input to a run.
    pub fn record_run_input(
        &self,
        run_id: i64,
        sha256: &str,
        path: &str,
    ) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO run_inputs (run_id, sha256, path) VALUES (?1, ?2, ?3)",
                params![run_id, sha256, path],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record every target of `results` for the run, and make them the
    /// period's snapshot (what [`Reader::results_for`] returns).
    pub fn record_results(&self, run_id: i64, results: &KpiResults) -> Result<(), LedgerError> {
        let json_err = |source| LedgerError::Json {
            path: self.path.to_path_buf(),
            source,
        };
        {
            let mut st = self
                .tx
                .prepare(
                    "INSERT INTO kpi_results (run_id, period, agreement, metric, scope, actual, numerator, denominator, status, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(|e| self.sql(e))?;
            for t in &results.targets {
                let scope = serde_json::to_string(&t.scope).map_err(json_err)?;
                let json = serde_json::to_string(t).map_err(json_err)?;
                st.execute(params![
                    run_id,
                    results.period,
                    t.agreement,
                    t.metric.to_string(),
                    scope,
                    t.actual,
                    t.numerator,
                    t.denominator,
                    t.status.as_str(),
                    json
                ])
                .map_err(|e| self.sql(e))?;
            }
        }
        let json = serde_json::to_string(results).map_err(json_err)?;
        self.tx
            .execute(
                "INSERT INTO kpi_snapshots (period, run_id, json) VALUES (?1, ?2, ?3) ON CONFLICT(period) DO UPDATE SET run_id = excluded.run_id, json = excluded.json",
                params![results.period, run_id, json],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record a new document version (a draft); returns its id.
    pub fn insert_document(&self, d: &NewDocument) -> Result<i64, LedgerError> {
        self.tx
            .execute(
                "INSERT INTO documents (report_id, period, doc_number, major, minor, status, content_hash, created, generated_at, supersedes, run_id) VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9, ?10)",
                params![
                    d.report_id,
                    d.period.to_string(),
                    d.doc_number,
                    d.version.major,
                    d.version.minor,
                    d.content_hash,
                    time_text(&d.created),
                    time_text(&d.generated_at),
                    d.supersedes.map(|v| v.to_string()),
                    d.run_id
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Record (or replace, for a regenerated missing draft) a file of a document version.
    /// An approved file is never replaced.
    pub fn record_file(&self, doc_id: i64, f: &DocFile) -> Result<(), LedgerError> {
        let existing: Option<String> = self
            .tx
            .query_row(
                "SELECT sha256 FROM document_files WHERE doc_id = ?1 AND format = ?2 AND status = ?3",
                params![doc_id, f.format.extension(), f.status.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        if f.status == DocStatus::Approved
            && let Some(old) = existing
            && old != f.sha256
        {
            return Err(LedgerError::Invalid {
                path: self.path.to_path_buf(),
                message: format!(
                    "document {doc_id}: the approved {} file is recorded already and is never replaced",
                    f.format.extension()
                ),
            });
        }
        self.tx
            .execute(
                "INSERT OR REPLACE INTO document_files (doc_id, format, status, path, sha256, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    doc_id,
                    f.format.extension(),
                    f.status.as_str(),
                    f.path,
                    f.sha256,
                    n64(f.size)
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    pub fn record_document_input(
        &self,
        doc_id: i64,
        sha256: &str,
        path: &str,
    ) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO document_inputs (doc_id, sha256, path) VALUES (?1, ?2, ?3)",
                params![doc_id, sha256, path],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    pub fn record_document_source(&self, doc_id: i64, s: &SourceRecord) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO document_sources (doc_id, kind, path, sha256) VALUES (?1, ?2, ?3, ?4)",
                params![doc_id, s.kind.as_str(), s.path, s.sha256],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record a review or approval and move the document's status forward.
    /// Refuses to approve twice, to review an approved version, or to move a
    /// status backwards.
    pub fn record_step(&self, doc_id: i64, r: &ReviewRecord) -> Result<DocRecord, LedgerError> {
        let d = self
            .read()
            .document(doc_id)?
            .ok_or_else(|| LedgerError::Invalid {
                path: self.path.to_path_buf(),
                message: format!("no document with id {doc_id}"),
            })?;
        let invalid = |message: String| LedgerError::Invalid {
            path: self.path.to_path_buf(),
            message,
        };
        let target = r.step.status_after();
        let (col_by, col_at, col_how) = match r.step {
            Step::Review => ("reviewed_by", "reviewed_at", "review_signing"),
            Step::Approve => ("approved_by", "approved_at", "approval_signing"),
        };
        if (r.how == SignOff::Signed) != r.signature.is_some() || r.how == SignOff::Legacy {
            return Err(invalid(format!(
                "{} V{}: a {} is recorded as {} with{} a signature",
                d.doc_number,
                d.state.version,
                r.step.as_str(),
                r.how.as_str(),
                if r.signature.is_some() { "" } else { "out" }
            )));
        }
        if d.state.status == DocStatus::Approved {
            return Err(invalid(format!(
                "{} V{} is approved already ({} {}); an approved version is never changed: regenerate to start V{}",
                d.doc_number,
                d.state.version,
                d.state.approved_by.as_deref().unwrap_or(""),
                d.state
                    .approved_at
                    .as_ref()
                    .map(time_text)
                    .unwrap_or_default(),
                d.state.version.next_major()
            )));
        }
        if d.state.status > target {
            return Err(invalid(format!(
                "{} V{} is {} already",
                d.doc_number,
                d.state.version,
                d.state.status.as_str()
            )));
        }
        self.tx
            .execute(
                "INSERT INTO reviews (doc_id, step, name, role, at, comment, signing, person_id, statement, signature, key_fingerprint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    doc_id,
                    r.step.as_str(),
                    r.name,
                    r.role.as_str(),
                    time_text(&r.at),
                    r.comment,
                    r.how.as_str(),
                    r.person_id,
                    r.signature.as_ref().map(|s| &s.statement),
                    r.signature.as_ref().map(|s| &s.signature),
                    r.signature.as_ref().map(|s| &s.fingerprint),
                ],
            )
            .map_err(|e| self.sql(e))?;
        self.tx
            .execute(
                &format!(
                    "UPDATE documents SET status = ?1, {col_by} = ?2, {col_at} = ?3, {col_how} = ?4 WHERE id = ?5"
                ),
                params![
                    target.as_str(),
                    r.name,
                    time_text(&r.at),
                    r.how.as_str(),
                    doc_id
                ],
            )
            .map_err(|e| self.sql(e))?;
        self.read().document(doc_id)?.ok_or_else(|| {
            invalid(format!(
                "document {doc_id} vanished inside its own transaction"
            ))
        })
    }

    pub fn record_distribution(
        &self,
        doc_id: i64,
        d: &DistributionRecord,
    ) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT INTO distributions (doc_id, format, recipient, path, sha256, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    doc_id,
                    d.format.extension(),
                    d.recipient,
                    d.path,
                    d.sha256,
                    time_text(&d.at)
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Save register items a batch touched (`register::sync`): an id the register does
    /// not hold yet is inserted with that id, the others are updated; then log the
    /// events at `at`.
    pub fn save_register(
        &self,
        items: &[Item],
        events: &[(i64, Event)],
        at: NaiveDateTime,
    ) -> Result<(), LedgerError> {
        for it in items {
            let known: Option<i64> = self
                .tx
                .query_row("SELECT id FROM improvements WHERE id = ?1", [it.id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| self.sql(e))?;
            if known.is_some() {
                self.update_item(it)?;
                continue;
            }
            self.tx
                .execute(
                    "INSERT INTO improvements (id, item_key, process, owner, raised, last, last_status, action, due, state, reopened) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        it.id,
                        self.json(&it.key)?,
                        it.process,
                        it.owner,
                        it.raised.to_string(),
                        it.last.to_string(),
                        it.last_status.as_str(),
                        it.action,
                        it.due.format(DATE_FORMAT).to_string(),
                        it.state.as_str(),
                        it.reopened
                    ],
                )
                .map_err(|e| self.sql(e))?;
        }
        for (id, e) in events {
            self.log_event(*id, at, e)?;
        }
        Ok(())
    }

    /// Write an item's editable fields and judgement back.
    pub fn update_item(&self, it: &Item) -> Result<(), LedgerError> {
        let n = self
            .tx
            .execute(
                "UPDATE improvements SET owner = ?2, last = ?3, last_status = ?4, action = ?5, due = ?6, state = ?7, reopened = ?8 WHERE id = ?1",
                params![
                    it.id,
                    it.owner,
                    it.last.to_string(),
                    it.last_status.as_str(),
                    it.action,
                    it.due.format(DATE_FORMAT).to_string(),
                    it.state.as_str(),
                    it.reopened
                ],
            )
            .map_err(|e| self.sql(e))?;
        if n != 1 {
            return Err(LedgerError::Invalid {
                path: self.path.to_path_buf(),
                message: format!("improvement item {} is not in the register", it.label()),
            });
        }
        Ok(())
    }

    /// Log one event of an item.
    pub fn log_event(&self, item: i64, at: NaiveDateTime, e: &Event) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT INTO improvement_events (item_id, at, event) VALUES (?1, ?2, ?3)",
                params![item, time_text(&at), self.json(e)?],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record what changed in a document version (section ids).
    pub fn record_changes(&self, doc_id: i64, sections: &[String]) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "UPDATE documents SET changes = ?2 WHERE id = ?1",
                params![doc_id, self.json(&sections)?],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    fn json<T: Serialize>(&self, v: &T) -> Result<String, LedgerError> {
        serde_json::to_string(v).map_err(|source| LedgerError::Json {
            path: self.path.to_path_buf(),
            source,
        })
    }

    /// Make every write of this transaction durable at once.
    pub fn commit(self) -> Result<(), LedgerError> {
        let path = self.path.to_path_buf();
        self.tx
            .commit()
            .map_err(|source| LedgerError::Sql { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::DatasetKind;

    fn at(s: &str) -> NaiveDateTime {
        parse_time(s).unwrap()
    }
    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn doc(n: &str, v: DocVersion, hash: &str) -> NewDocument {
        NewDocument {
            report_id: "acme-monthly".into(),
            period: p("2026-10"),
            doc_number: n.into(),
            version: v,
            content_hash: hash.into(),
            created: at("2026-11-03T10:00:00"),
            supersedes: None,
            generated_at: at("2026-11-03T10:00:00"),
            run_id: None,
        }
    }

    fn step(step: Step, name: &str) -> ReviewRecord {
        ReviewRecord {
            step,
            name: name.into(),
            role: step.role(),
            at: at("2026-11-04T09:00:00"),
            comment: Some("看过".into()),
            person_id: None,
            how: SignOff::Unsigned,
            signature: None,
        }
    }

    /// A ledger written by schema 1 (before signatures) migrates forward: its
    /// approvals stay valid and read as legacy; new steps record how they were taken.
    #[test]
    fn schema_1_approvals_read_as_legacy_after_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(
                "INSERT INTO documents (report_id, period, doc_number, major, minor, status, content_hash, created, generated_at, reviewed_by, reviewed_at, approved_by, approved_at)
                 VALUES ('r', '2026-09', 'SR-1', 1, 0, 'approved', 'h', '2026-10-03T10:00:00', '2026-10-03T10:00:00', '李强', '2026-10-04T10:00:00', '张伟', '2026-10-05T10:00:00');
                 INSERT INTO documents (report_id, period, doc_number, major, minor, status, content_hash, created, generated_at)
                 VALUES ('r', '2026-10', 'SR-2', 1, 0, 'draft', 'h2', '2026-11-03T10:00:00', '2026-11-03T10:00:00');
                 INSERT INTO reviews (doc_id, step, name, role, at, comment) VALUES (1, 'approve', '张伟', 'approver', '2026-10-05T10:00:00', NULL);",
            )
            .unwrap();
        }
        let mut l = Ledger::open_file(&path).unwrap();
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        let d = l.read().latest("SR-1").unwrap().unwrap();
        assert_eq!(d.state.status, DocStatus::Approved);
        assert_eq!(d.state.approved_how, Some(SignOff::Legacy));
        assert_eq!(d.state.reviewed_how, Some(SignOff::Legacy));
        let r = l.read().reviews(d.id).unwrap();
        assert_eq!(r[0].how, SignOff::Legacy);
        assert_eq!(r[0].signature, None);
        let draft = l.read().latest("SR-2").unwrap().unwrap();
        assert_eq!(draft.state.reviewed_how, None);
        // A new step must say how it was taken, and a signed one carries its signature.
        let tx = l.transaction().unwrap();
        let mut s = step(Step::Review, "李强");
        s.how = SignOff::Signed;
        let e = tx.record_step(draft.id, &s).unwrap_err();
        assert!(e.to_string().contains("without a signature"), "{e}");
        s.signature = Some(SignatureRecord {
            statement: "st".into(),
            signature: "sig".into(),
            fingerprint: "SHA256:x".into(),
        });
        s.person_id = Some("liqiang".into());
        let d2 = tx.record_step(draft.id, &s).unwrap();
        assert_eq!(d2.state.reviewed_how, Some(SignOff::Signed));
        tx.commit().unwrap();
        let r = l.read().reviews(draft.id).unwrap();
        assert_eq!(
            r[0].signature.as_ref().map(|x| x.fingerprint.as_str()),
            Some("SHA256:x")
        );
        assert_eq!(r[0].person_id.as_deref(), Some("liqiang"));
    }

    #[test]
    fn a_message_is_recorded_before_and_after_sending() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let tx = l.transaction().unwrap();
        let id = tx
            .insert_document(&doc("SR-ACME-2026-10", DocVersion::FIRST, "h1"))
            .unwrap();
        tx.commit().unwrap();
        let m = NewMessage {
            doc_id: id,
            recipient: "a@b.example".into(),
            message_id: "<x@b.example>".into(),
            subject: "主题".into(),
            attachments: vec![
                (OutputFormat::Pdf, "ab".into()),
                (OutputFormat::Xlsx, "cd".into()),
            ],
            started: at("2026-11-06T09:00:00"),
            resend: false,
        };
        let mid = l.begin_message(&m).unwrap();
        let got = l.read().messages(id).unwrap();
        assert_eq!(got[0].state, MessageState::Sending);
        assert_eq!(got[0].attachments, m.attachments);
        // An unknown outcome counts as delivered (at its start).
        assert_eq!(
            l.read().first_delivery(id).unwrap(),
            Some(at("2026-11-06T09:00:00"))
        );
        l.finish_message(
            mid,
            MessageState::Failed,
            "550 no such user",
            1,
            at("2026-11-06T09:00:01"),
        )
        .unwrap();
        assert_eq!(l.read().first_delivery(id).unwrap(), None);
        // An outcome is recorded once; the same Message-ID is never used twice.
        assert!(
            l.finish_message(mid, MessageState::Sent, "250", 1, at("2026-11-06T09:00:02"))
                .is_err()
        );
        assert!(l.begin_message(&m).is_err());
    }

    #[test]
    fn version_parse_display_and_order() {
        assert_eq!(
            DocVersion::parse("V1.1"),
            Some(DocVersion { major: 1, minor: 1 })
        );
        assert_eq!(
            DocVersion::parse("2.0").map(|v| v.to_string()).as_deref(),
            Some("2.0")
        );
        assert_eq!(DocVersion::parse("1"), None);
        assert_eq!(DocVersion::parse("a.b"), None);
        assert!(
            DocVersion {
                major: 1,
                minor: 10
            } > DocVersion { major: 1, minor: 9 }
        );
        assert!(
            DocVersion { major: 2, minor: 0 }
                > DocVersion {
                    major: 1,
                    minor: 10
                }
        );
    }

    #[test]
    fn version_rules() {
        let mut d = DocRecord {
            id: 7,
            report_id: "r".into(),
            period: p("2026-10"),
            doc_number: "SR-1".into(),
            content_hash: "aaa".into(),
            created: at("2026-11-03T10:00:00"),
            generated_at: at("2026-11-03T10:00:00"),
            state: DocState::draft(DocVersion { major: 1, minor: 2 }, None),
        };
        assert_eq!(decide_version(None, "x"), VersionDecision::First);
        assert_eq!(VersionDecision::First.version().to_string(), "1.0");
        assert_eq!(
            decide_version(Some(&d), "aaa"),
            VersionDecision::Same {
                id: 7,
                version: DocVersion { major: 1, minor: 2 }
            }
        );
        assert_eq!(decide_version(Some(&d), "bbb").version().to_string(), "1.3");
        d.state.status = DocStatus::Reviewed;
        assert_eq!(decide_version(Some(&d), "bbb").version().to_string(), "1.3");
        d.state.status = DocStatus::Approved;
        let v = decide_version(Some(&d), "bbb");
        assert_eq!(v.version().to_string(), "2.0");
        assert_eq!(
            v.supersedes().map(|s| s.to_string()).as_deref(),
            Some("1.2")
        );
        assert!(matches!(
            decide_version(Some(&d), "aaa"),
            VersionDecision::Approved { .. }
        ));
    }

    #[test]
    fn migrates_once_and_refuses_newer() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = l
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = l
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        drop(l);
        // Reopening applies nothing twice.
        let l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.integrity_check().unwrap(), "ok");
        l.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(l);
        let err = Ledger::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, LedgerError::TooNew { found: 99, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("ledger.sqlite"), "{err}");
    }

    #[test]
    fn input_keeps_first_seen() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let mut i = InputRecord {
            path: "inbox/2026-10/incidents.xlsx".into(),
            sha256: "ab".repeat(32),
            size: 1234,
            datasets: vec![DatasetKind::Changes, DatasetKind::Incidents],
            provider: "incidents".into(),
            first_seen: at("2026-11-02T09:00:00"),
            rows_read: 10,
            rows_accepted: 8,
            rows_rejected: 1,
            rows_blank: 1,
            period: None,
        };
        let tx = l.transaction().unwrap();
        tx.record_input(&i).unwrap();
        tx.commit().unwrap();
        i.first_seen = at("2026-11-05T09:00:00");
        let tx = l.transaction().unwrap();
        tx.record_input(&i).unwrap();
        tx.commit().unwrap();
        let got = l.read().inputs().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].first_seen, at("2026-11-02T09:00:00"));
        assert_eq!(
            got[0].datasets,
            vec![DatasetKind::Changes, DatasetKind::Incidents]
        );
        assert_eq!(got[0].rows_read, 10);
    }

    #[test]
    fn uncommitted_transaction_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        {
            let tx = l.transaction().unwrap();
            tx.insert_document(&doc("SR-ACME-2026-10", DocVersion::FIRST, "h1"))
                .unwrap();
            // dropped: rolled back
        }
        assert!(l.read().all_documents().unwrap().is_empty());
    }

    #[test]
    fn document_lifecycle_and_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let tx = l.transaction().unwrap();
        let id = tx
            .insert_document(&doc("SR-ACME-2026-10", DocVersion::FIRST, "h1"))
            .unwrap();
        tx.record_file(
            id,
            &DocFile {
                format: OutputFormat::Pdf,
                status: DocStatus::Draft,
                path: "out/2026-10/a.pdf".into(),
                sha256: "f1".into(),
                size: 10,
            },
        )
        .unwrap();
        // Two identical documents numbers/versions are refused.
        assert!(
            tx.insert_document(&doc("SR-ACME-2026-10", DocVersion::FIRST, "h2"))
                .is_err()
        );
        tx.commit().unwrap();

        let tx = l.transaction().unwrap();
        let d = tx.record_step(id, &step(Step::Review, "李强")).unwrap();
        assert_eq!(d.state.status, DocStatus::Reviewed);
        assert_eq!(d.state.reviewed_by.as_deref(), Some("李强"));
        let d = tx.record_step(id, &step(Step::Approve, "张伟")).unwrap();
        assert_eq!(d.state.status, DocStatus::Approved);
        assert_eq!(d.state.approved_at, Some(at("2026-11-04T09:00:00")));
        // Approving twice, or reviewing after approval, is refused.
        let e = tx
            .record_step(id, &step(Step::Approve, "张伟"))
            .unwrap_err();
        assert!(e.to_string().contains("approved already"), "{e}");
        assert!(tx.record_step(id, &step(Step::Review, "李强")).is_err());
        let approved = DocFile {
            format: OutputFormat::Pdf,
            status: DocStatus::Approved,
            path: ".svcreport/documents/SR-ACME-2026-10/v1.0/a.pdf".into(),
            sha256: "f2".into(),
            size: 11,
        };
        tx.record_file(id, &approved).unwrap();
        let e = tx
            .record_file(
                id,
                &DocFile {
                    sha256: "f3".into(),
                    ..approved.clone()
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("never replaced"), "{e}");
        tx.commit().unwrap();

        let r = l.read();
        assert_eq!(r.reviews(id).unwrap().len(), 2);
        let hits = r.find_file("f2").unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0.state.version, DocVersion::FIRST);
        assert_eq!(hits[0].1.status, DocStatus::Approved);
        assert!(r.find_file("nope").unwrap().is_empty());
        assert_eq!(
            r.latest_approved("SR-ACME-2026-10").unwrap().map(|d| d.id),
            Some(id)
        );
        assert_eq!(r.files(id).unwrap().len(), 2);
    }

    #[test]
    fn results_round_trip_and_latest_snapshot_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let mk = |actual: f64| KpiResults {
            schema_version: crate::kpi::SCHEMA_VERSION,
            period: "2026-09".into(),
            targets: vec![crate::kpi::TargetResult {
                agreement: "SLA-ACME".into(),
                kind: crate::kpi::TargetKind::Agreement(
                    crate::model::catalogue::AgreementKind::Sla,
                ),
                version: "2.1".into(),
                metric: crate::kpi::TargetMetric::Agreement(
                    crate::model::catalogue::Metric::Availability,
                ),
                scope: crate::kpi::Scope {
                    service: Some("email".into()),
                    ..Default::default()
                },
                op: crate::model::catalogue::Op::Ge,
                threshold: 99.9,
                unit: crate::model::catalogue::Unit::Percent,
                within: None,
                at_risk_margin: Some(0.05),
                actual: Some(actual),
                numerator: Some(43170.0),
                denominator: Some(43200.0),
                exclusions: vec![],
                status: crate::kpi::Status::Breached,
                missed: vec![],
                missed_total: 0,
                extra: Default::default(),
                process: "可用性管理".into(),
            }],
            trends: vec![],
            directions: vec![],
            improvements: vec![],
            volumes: Default::default(),
            late_corrections: Vec::new(),
        };
        let run = RunRecord {
            period: p("2026-09"),
            started: at("2026-10-03T10:00:00"),
            finished: at("2026-10-03T10:00:05"),
            command: "run".into(),
            tool_version: "0.1.0".into(),
            files: 3,
            errors: 0,
            warnings: 1,
            documents: 2,
            status: RunStatus::Ok,
        };
        for a in [99.93055555555556, 99.5] {
            let tx = l.transaction().unwrap();
            let rid = tx.record_run(&run).unwrap();
            tx.record_results(rid, &mk(a)).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(l.results_for(&p("2026-09")).unwrap(), Some(mk(99.5)));
        assert_eq!(l.results_for(&p("2026-08")).unwrap(), None);
        assert_eq!(l.read().result_rows(&p("2026-09")).unwrap(), 2);
        let runs = l.read().runs().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].1, run);
    }

    #[test]
    fn a_stored_value_that_does_not_read_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let tx = l.transaction().unwrap();
        tx.insert_document(&doc("SR-ACME-2026-10", DocVersion::FIRST, "h1"))
            .unwrap();
        tx.commit().unwrap();
        l.conn
            .execute("UPDATE documents SET created = 'yesterday'", [])
            .unwrap();
        let e = l.read().all_documents().unwrap_err();
        assert!(e.to_string().contains("\"yesterday\" is not a time"), "{e}");
    }
}

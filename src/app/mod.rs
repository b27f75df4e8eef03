//! Orchestration: the only module that imports every stage.
//!
//! `main` turns command-line arguments into a [`Global`] and a [`Command`]
//! (plain types, no clap), and [`run()`] dispatches to one file per command.
//! Commands return the process exit code: 0 ok (warnings allowed), 1 data
//! rejected, 2 failure or usage (failures are `Err` and printed once by `main`).

use std::path::PathBuf;

use crate::model::catalogue::OutputFormat;
use crate::model::period::Period;

// Commands, one file each.
pub mod allowed_signers;
pub mod approve;
pub mod audit;
pub mod calendar;
pub mod check;
pub mod compute;
pub mod distribute;
pub mod improvements;
pub mod render;
pub mod review;
pub mod run;
pub mod sample;
pub mod status;
pub mod templates;
pub mod verify;

// What the commands share (no command imports another command).
pub mod batch;
pub mod batch_run;
pub mod closure;
pub mod evidence;
pub mod pipeline;
pub mod rebuild;
pub mod say;
pub mod session;
pub mod signoff;
pub mod tracking;
pub mod trail;

/// Exit codes (documented in `--help` and the README).
pub const EXIT_OK: u8 = 0;
pub const EXIT_REJECTED: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

/// A refusal of what the user asked, for a reason in the data they gave (a
/// key that is not the named approver's, a revoked key, an unreadable key
/// file): printed once like any error, exit code 1 instead of 2.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The exit code of a command that failed with `err`.
pub fn exit_code_of(err: &anyhow::Error) -> u8 {
    if err.is::<Refused>() {
        EXIT_REJECTED
    } else {
        EXIT_FAILURE
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Text,
    Json,
}

/// Options every command shares.
#[derive(Debug, Clone)]
pub struct Global {
    pub workspace: PathBuf,
    /// `--now`, else `SOURCE_DATE_EPOCH`, else the wall clock (see `clock`).
    pub now: Option<String>,
    pub quiet: bool,
    pub format: OutputKind,
}

#[derive(Debug, Clone)]
pub enum Command {
    Check {
        period: Option<Period>,
        files: Vec<PathBuf>,
        findings_xlsx: Option<PathBuf>,
        /// `--explain-profile FILE`.
        explain_profile: Option<PathBuf>,
    },
    Templates {
        out: PathBuf,
    },
    Calendar {
        year: Option<i32>,
    },
    Compute {
        period: Period,
    },
    Render {
        period: Period,
        report: Option<String>,
        formats: Vec<OutputFormat>,
    },
    Run {
        /// `None`: the last complete month.
        period: Option<Period>,
        strict: bool,
        /// Re-issue approved documents whose content changed.
        reissue: bool,
    },
    Review {
        doc: String,
        who: signoff::Who,
        comment: Option<String>,
    },
    Approve {
        doc: String,
        who: signoff::Who,
        comment: Option<String>,
    },
    Distribute {
        period: Option<Period>,
        mode: distribute::Mode,
        dry_run: bool,
        resend: bool,
    },
    AllowedSigners {
        out: Option<PathBuf>,
    },
    Status {
        period: Option<Period>,
    },
    Improvements {
        action: improvements::Action,
    },
    Verify {
        file: PathBuf,
    },
    Audit {
        doc: String,
    },
    GenSample {
        out: PathBuf,
    },
    /// Serve an ingest run as its worker process (see `ingest::worker`).
    IngestWorker {
        memory_bytes: u64,
    },
}

/// Run one command; `Ok(code)` is the exit code.
pub fn run(g: &Global, cmd: Command) -> anyhow::Result<u8> {
    // Output paths the user gives are checked before any work: their folder must exist.
    match &cmd {
        Command::Check {
            findings_xlsx: Some(p),
            ..
        } => crate::fsutil::check_output_path(p, false)?,
        Command::Templates { out } | Command::GenSample { out } => {
            crate::fsutil::check_output_path(out, true)?
        }
        Command::AllowedSigners { out: Some(p) }
        | Command::Improvements {
            action: improvements::Action::Export { out: Some(p) },
        } => crate::fsutil::check_output_path(p, false)?,
        _ => {}
    }
    match cmd {
        Command::Check {
            explain_profile: Some(file),
            period,
            ..
        } => check::explain(g, period, &file),
        Command::Check {
            period,
            files,
            findings_xlsx,
            explain_profile: None,
        } => check::run(g, period, &files, findings_xlsx.as_deref()),
        Command::Templates { out } => templates::run(g, &out),
        Command::Calendar { year } => calendar::run(g, year),
        Command::Compute { period } => compute::run(g, period),
        Command::Render {
            period,
            report,
            formats,
        } => render::run(g, period, report.as_deref(), &formats),
        Command::Run {
            period,
            strict,
            reissue,
        } => run::run(g, period, strict, reissue),
        Command::Review { doc, who, comment } => review::run(g, &doc, &who, comment.as_deref()),
        Command::Approve { doc, who, comment } => approve::run(g, &doc, &who, comment.as_deref()),
        Command::Distribute {
            period,
            mode,
            dry_run,
            resend,
        } => distribute::run(g, period, mode, dry_run, resend),
        Command::AllowedSigners { out } => allowed_signers::run(g, out.as_deref()),
        Command::Status { period } => status::run(g, period),
        Command::Improvements { action } => improvements::run(g, action),
        Command::Verify { file } => verify::run(g, &file),
        Command::Audit { doc } => audit::run(g, &doc),
        Command::GenSample { out } => sample::run(g, &out),
        Command::IngestWorker { memory_bytes } => Ok(crate::ingest::worker::serve(memory_bytes)),
    }
}

//! Command-line arguments (clap). Converted at once into `app::Global` and
//! `app::Command`, which hold no clap types.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::{Command, Global, OutputKind};
use crate::model::catalogue::OutputFormat;
use crate::model::period::Period;

const AFTER_HELP: &str = "\
Exit codes:
  0  ok (warnings allowed)
  1  data rejected (error findings)
  2  failure or usage error

Periods: 2026-10 (month), 2026-Q4 (quarter), 2026-H2 (half-year), 2026 (year).";

/// Service reporting for ISO/IEC 20000-1 (clause 9.4): validate provider workbooks,
/// compute SLA/UC/OLA targets, render Excel and PDF reports, archive and audit them.
#[derive(Debug, Parser)]
#[command(name = "svcreport", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// The workspace folder (holds svcreport.toml).
    #[arg(
        long,
        short = 'w',
        global = true,
        default_value = ".",
        value_name = "DIR"
    )]
    pub workspace: PathBuf,
    /// Fix the run's time (RFC 3339, or YYYY-MM-DD HH:MM in the workspace timezone); default SOURCE_DATE_EPOCH or the clock.
    #[arg(long, global = true, value_name = "TIME")]
    pub now: Option<String>,
    /// No progress and no summary; findings and errors only.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Output for tools.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DocFormatArg {
    Pdf,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Validate the inbox (or the given workbooks) cell by cell; print findings and the reconciliation.
    Check {
        /// Only consider records relevant to this period.
        #[arg(long, short)]
        period: Option<Period>,
        /// Write the findings as a workbook a provider can open.
        #[arg(long, value_name = "PATH")]
        findings_xlsx: Option<PathBuf>,
        /// Workbooks to check instead of the inbox.
        files: Vec<PathBuf>,
    },
    /// Write a blank provider workbook per dataset and a page documenting them.
    Templates {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print every report of the report list with its periods, data-due and report-due dates.
    Calendar {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Compute every target for a period and print the figures.
    Compute {
        #[arg(long, short)]
        period: Period,
    },
    /// Build and render reports for a period into the output folder (drafts).
    Render {
        #[arg(long, short)]
        period: Period,
        /// Only this report of the report list.
        #[arg(long)]
        report: Option<String>,
        /// Formats (default: each report's own).
        #[arg(long = "as", value_enum, value_delimiter = ',')]
        formats: Vec<DocFormatArg>,
    },
    /// The batch for a period: ingest, validate, compute, render every due report, record it in the ledger.
    Run {
        #[arg(long, short)]
        period: Period,
        /// Refuse to render when any error finding exists.
        #[arg(long)]
        strict: bool,
    },
    /// Record a review of a document (e.g. SR-ACME-2026-10).
    Review {
        doc: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Approve a document: re-render it as final (已批准), archive it, never to be overwritten.
    Approve {
        doc: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Copy approved documents into `outbox/<recipient>/` and record the distribution.
    Distribute {
        #[arg(long, short)]
        period: Option<Period>,
    },
    /// Timeliness: data and report due dates, arrivals, generation, approval, distribution.
    Status {
        #[arg(long, short)]
        period: Option<Period>,
    },
    /// Say whether a PDF or xlsx matches a ledger entry, and which document and version it is.
    Verify { file: PathBuf },
    /// Recompute a document from its archived inputs and say whether it still matches.
    Audit { doc: String },
    /// Generate the deterministic sample workspace (for developers).
    #[command(hide = true)]
    GenSample {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

impl Cli {
    /// Split into the plain configuration types of `app`.
    pub fn into_app(self) -> (Global, Command) {
        let g = Global {
            workspace: self.workspace,
            now: self.now,
            quiet: self.quiet,
            format: match self.format {
                FormatArg::Text => OutputKind::Text,
                FormatArg::Json => OutputKind::Json,
            },
        };
        let cmd = match self.command {
            Cmd::Check {
                period,
                findings_xlsx,
                files,
            } => Command::Check {
                period,
                files,
                findings_xlsx,
            },
            Cmd::Templates { out } => Command::Templates { out },
            Cmd::Calendar { year } => Command::Calendar { year },
            Cmd::Compute { period } => Command::Compute { period },
            Cmd::Render {
                period,
                report,
                formats,
            } => Command::Render {
                period,
                report,
                formats: formats
                    .into_iter()
                    .map(|f| match f {
                        DocFormatArg::Pdf => OutputFormat::Pdf,
                        DocFormatArg::Xlsx => OutputFormat::Xlsx,
                    })
                    .collect(),
            },
            Cmd::Run { period, strict } => Command::Run { period, strict },
            Cmd::Review { doc, name, comment } => Command::Review { doc, name, comment },
            Cmd::Approve { doc, name, comment } => Command::Approve { doc, name, comment },
            Cmd::Distribute { period } => Command::Distribute { period },
            Cmd::Status { period } => Command::Status { period },
            Cmd::Verify { file } => Command::Verify { file },
            Cmd::Audit { doc } => Command::Audit { doc },
            Cmd::GenSample { out } => Command::GenSample { out },
        };
        (g, cmd)
    }
}

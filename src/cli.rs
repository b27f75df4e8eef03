//! Command-line arguments (clap). Converted at once into `app::Global` and
//! `app::Command`, which hold no clap types.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::distribute::Mode as DistributeMode;
use crate::app::improvements::{Action as ImprovementsAction, Edit};
use crate::app::signoff::Who;
use crate::app::{Command, Global, OutputKind};
use crate::model::catalogue::OutputFormat;
use crate::model::period::Period;

const AFTER_HELP: &str = "\
Exit codes (every command):
  0  ok (warnings allowed)
  1  data rejected (error findings; `run` still renders unless --strict), something late or
     missing (`status`), a file that matches nothing, a document that no longer matches or a
     signature that does not verify (`verify`, `audit`), nothing distributable or a message
     refused (`distribute`)
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
    /// Output format of what a command prints: text for people, json for tools.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Text for people.
    Text,
    /// JSON for tools.
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DocFormatArg {
    /// The PDF edition (PDF/A-2b).
    Pdf,
    /// The Excel edition.
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Validate the inbox (or the given workbooks) cell by cell; print findings and the reconciliation.
    Check {
        /// Only consider records relevant to this period (e.g. 2026-10); others are noted.
        #[arg(long, short, value_name = "PERIOD")]
        period: Option<Period>,
        /// Also write the findings as a workbook a provider can open (its folder must exist).
        #[arg(long, value_name = "PATH")]
        findings_xlsx: Option<PathBuf>,
        /// Workbooks to check instead of the inbox.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Show how FILE is read: the import profile chosen and why, and which source column
        /// went to which field (constants, value maps, columns left unused).
        #[arg(long, value_name = "FILE", conflicts_with = "files")]
        explain_profile: Option<PathBuf>,
    },
    /// Write a blank provider workbook per dataset and a page documenting them.
    Templates {
        /// Folder to write into (created if missing; its parent must exist).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print every report of the report list with its periods, data-due and report-due dates.
    Calendar {
        /// The year to list (default: the year of --now or of today).
        #[arg(long, value_name = "YEAR")]
        year: Option<i32>,
    },
    /// Compute every target for a period and print the figures.
    Compute {
        /// The period: 2026-10, 2026-Q4, 2026-H2 or 2026.
        #[arg(long, short, value_name = "PERIOD")]
        period: Period,
    },
    /// Build and render reports for a period into the output folder (drafts).
    Render {
        /// The period: 2026-10, 2026-Q4, 2026-H2 or 2026.
        #[arg(long, short, value_name = "PERIOD")]
        period: Period,
        /// Only this report of the report list (its id, e.g. acme-monthly).
        #[arg(long, value_name = "ID")]
        report: Option<String>,
        /// Formats, comma-separated (default: each report's own).
        #[arg(long = "as", value_enum, value_delimiter = ',', value_name = "FORMAT")]
        formats: Vec<DocFormatArg>,
    },
    /// The batch for a period: ingest, validate, compute, render every due report, record it in the ledger.
    Run {
        /// The period: 2026-10 (with the quarter, half-year and year it closes), 2026-Q4,
        /// 2026-H2 or 2026 (that period's reports and the longer ones it closes); default the
        /// last complete month before --now.
        #[arg(long, short, value_name = "PERIOD")]
        period: Option<Period>,
        /// Refuse to render when any error finding exists.
        #[arg(long)]
        strict: bool,
        /// Re-issue an approved document whose content changed, as a new major version
        /// superseding it (without it an approved document is final, and later deliveries
        /// are late corrections counted in the next period).
        #[arg(long)]
        reissue: bool,
    },
    /// Record a review of a document (e.g. SR-ACME-2026-10).
    Review {
        /// The document number (e.g. SR-ACME-2026-10); its latest version is reviewed.
        #[arg(value_name = "DOC")]
        doc: String,
        /// The reviewer's private SSH key (ed25519) to sign the review with; without it,
        /// ssh-agent is used where SSH_AUTH_SOCK is set.
        #[arg(long, value_name = "PATH")]
        key: Option<PathBuf>,
        /// The reviewer's person id or name: an unsigned review where the workspace allows
        /// it (approval = "name", or a catalogue without person entries); with --key, a check.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The review's comment, recorded in the ledger.
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// Approve a document: re-render it as final (已批准), archive it, never to be overwritten.
    Approve {
        /// The document number (e.g. SR-ACME-2026-10); its latest, reviewed version is approved.
        #[arg(value_name = "DOC")]
        doc: String,
        /// The approver's private SSH key (ed25519) to sign the final files with; without it,
        /// ssh-agent is used where SSH_AUTH_SOCK is set.
        #[arg(long, value_name = "PATH")]
        key: Option<PathBuf>,
        /// The approver's person id or name: an unsigned approval (marked 未签名) where the
        /// workspace allows it (approval = "name", or a catalogue without person entries).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The approval's comment, recorded in the ledger.
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// E-mail approved documents to their recipients over the `[smtp]` relay (or copy them into
    /// `outbox/<recipient>/`), once per recipient, every message recorded in the ledger.
    Distribute {
        /// Only documents of this period (default: every approved document).
        #[arg(long, short, value_name = "PERIOD")]
        period: Option<Period>,
        /// Copy into `outbox/<recipient>/` instead of sending e-mail.
        #[arg(long)]
        to_folder: bool,
        /// Show exactly what would be sent (headers, cover note, attachments); send and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send again to recipients who were sent the document before (or whose outcome is unknown).
        #[arg(long)]
        resend: bool,
    },
    /// Print the catalogue's signing keys as an OpenSSH allowed_signers file (for ssh-keygen -Y verify).
    AllowedSigners {
        /// Write the file here instead of printing it (its folder must exist).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Timeliness: data and report due dates, arrivals, generation, approval, distribution.
    Status {
        /// Only this period and the longer periods it closes (default: everything recorded,
        /// and last month's reports).
        #[arg(long, short, value_name = "PERIOD")]
        period: Option<Period>,
    },
    /// The improvement register: list the open items, record actions and states, export it.
    Improvements {
        /// List every item, closed ones too.
        #[arg(long)]
        all: bool,
        #[command(subcommand)]
        action: Option<ImprovementsCmd>,
    },
    /// Say whether a PDF or xlsx matches a ledger entry, and which document and version it is.
    Verify {
        /// A PDF or xlsx file, wherever it came from.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Recompute a document from its archived inputs and say whether it still matches.
    Audit {
        /// The document number; DOC@1.0 names a version (default: the latest approved, else
        /// the latest).
        #[arg(value_name = "DOC")]
        doc: String,
    },
    /// Generate the deterministic sample workspace (for developers).
    #[command(hide = true)]
    GenSample {
        /// Folder to write the sample workspace into (its parent must exist).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Read workbooks for a run on standard input and output (started by the run itself).
    #[command(hide = true)]
    IngestWorker {
        /// The worker's memory (data segment) limit, bytes.
        #[arg(long, value_name = "BYTES")]
        memory_bytes: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImprovementsCmd {
    /// Record an action, a due date, an owner or a state of an item (kept with its history).
    Set {
        /// The item: IMP-0007 or 7.
        #[arg(value_name = "ITEM")]
        item: String,
        /// new, in-progress or closed (新建, 处理中, 已关闭).
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
        /// What is being done about it.
        #[arg(long, value_name = "TEXT")]
        action: Option<String>,
        /// When it is due (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        due: Option<String>,
        /// Who owns it (a person of the catalogue).
        #[arg(long, value_name = "WHO")]
        owner: Option<String>,
        /// A note kept in the item's history.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Write the register and its history as a workbook for the process managers.
    Export {
        /// The workbook to write (default: the output folder's improvements/improvement-register.xlsx).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
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
                explain_profile,
            } => Command::Check {
                period,
                files,
                findings_xlsx,
                explain_profile,
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
            Cmd::Run {
                period,
                strict,
                reissue,
            } => Command::Run {
                period,
                strict,
                reissue,
            },
            Cmd::Review {
                doc,
                key,
                name,
                comment,
            } => Command::Review {
                doc,
                who: Who { name, key },
                comment,
            },
            Cmd::Approve {
                doc,
                key,
                name,
                comment,
            } => Command::Approve {
                doc,
                who: Who { name, key },
                comment,
            },
            Cmd::Distribute {
                period,
                to_folder,
                dry_run,
                resend,
            } => Command::Distribute {
                period,
                mode: if to_folder {
                    DistributeMode::Folder
                } else {
                    DistributeMode::Mail
                },
                dry_run,
                resend,
            },
            Cmd::AllowedSigners { out } => Command::AllowedSigners { out },
            Cmd::Status { period } => Command::Status { period },
            Cmd::Improvements { all, action } => Command::Improvements {
                action: match action {
                    None => ImprovementsAction::List { all },
                    Some(ImprovementsCmd::Set {
                        item,
                        state,
                        action,
                        due,
                        owner,
                        note,
                    }) => ImprovementsAction::Set {
                        item,
                        edit: Edit {
                            state,
                            action,
                            due,
                            owner,
                            note,
                        },
                    },
                    Some(ImprovementsCmd::Export { out }) => ImprovementsAction::Export { out },
                },
            },
            Cmd::Verify { file } => Command::Verify { file },
            Cmd::Audit { doc } => Command::Audit { doc },
            Cmd::GenSample { out } => Command::GenSample { out },
            Cmd::IngestWorker { memory_bytes } => Command::IngestWorker { memory_bytes },
        };
        (g, cmd)
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every argument of every command (hidden ones too) and every value of an
    /// enumerated argument says what it is.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_about().is_none() && !path.is_empty() {
                missing.push(format!("{path}: the command has no help"));
            }
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if a.get_help().is_none() {
                    missing.push(format!("{path} {id}: no help"));
                }
                let values = if a.get_action().takes_values() {
                    a.get_possible_values()
                } else {
                    Vec::new()
                };
                for v in values {
                    if v.get_help().is_none() {
                        missing.push(format!("{path} {id}={}: no help", v.get_name()));
                    }
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let cmd = Cli::command();
        let mut missing = Vec::new();
        walk(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
        // The walk sees every command: a new one cannot slip past it.
        assert!(cmd.get_subcommands().count() >= 14);
    }

    /// The check above fails on an argument without help.
    #[test]
    fn the_help_check_can_fail() {
        let cmd = clap::Command::new("x").arg(clap::Arg::new("bare").long("bare"));
        let a = cmd.get_arguments().next().unwrap();
        assert!(a.get_help().is_none());
    }
}

//! What every command works in: the loaded workspace ([`Env`]: settings,
//! catalogue, calendars, the run's time) and, for commands that write, the
//! locked workspace with its ledger and archive ([`Session`]).
//!
//! Invariants: a writing command holds the workspace lock for its whole life
//! (another waits up to [`LOCK_WAIT`]); temporaries a killed run left are swept
//! when a session opens; time comes from `clock` only.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDateTime;

use crate::archive::Archive;
use crate::catalogue;
use crate::clock::{self, RunTime};
use crate::fsutil::{self, WorkspaceLock};
use crate::ledger::Ledger;
use crate::model::calendar::Calendars;
use crate::model::catalogue::Catalogue;
use crate::model::holidays::HolidaySet;
use crate::workspace::Workspace;

/// How long a command waits for another one holding the workspace lock.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);
/// The tool version written into documents and the ledger.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Workspace, catalogue and calendars, loaded and validated.
pub struct Env {
    pub ws: Workspace,
    pub cat: Catalogue,
    pub cals: Calendars,
    pub time: RunTime,
    /// The workspace's holiday calendar for due dates (`holidays` in `svcreport.toml`).
    pub due_holidays: std::sync::Arc<HolidaySet>,
}

impl Env {
    /// Load a workspace folder and resolve the run's time.
    pub fn load(dir: &Path, now: Option<&str>) -> anyhow::Result<Env> {
        let ws = Workspace::load(dir)?;
        Self::from_workspace(ws, now)
    }

    /// A loaded workspace, with the run's time from `--now` (or the clock).
    pub fn from_workspace(ws: Workspace, now: Option<&str>) -> anyhow::Result<Env> {
        let time = clock::resolve(now, ws.timezone)?;
        Self::at(ws, time)
    }

    /// A loaded workspace at a given time (a rebuild at its version's recorded time).
    pub fn at(ws: Workspace, time: RunTime) -> anyhow::Result<Env> {
        Self::at_with_cn(ws, time, None)
    }

    /// [`Env::at`], with the shipped holiday calendar read from `cn` (the copy
    /// archived with a run) where given.
    pub fn at_with_cn(mut ws: Workspace, time: RunTime, cn: Option<&Path>) -> anyhow::Result<Env> {
        let mut cat = catalogue::load(&ws)?;
        if let Some(cn) = cn {
            ws.holidays = ws.holidays.with_cn_from(cn);
            for c in cat.calendars.values_mut() {
                c.holidays = c.holidays.with_cn_from(cn);
            }
        }
        let cals = Calendars::from_catalogue(&cat, &ws.root)?;
        let due_holidays = HolidaySet::of_source(&ws.holidays, &ws.root)?;
        Ok(Env {
            ws,
            cat,
            cals,
            time,
            due_holidays,
        })
    }

    /// The run's time, local to the workspace.
    pub fn now(&self) -> NaiveDateTime {
        self.time.local()
    }

    pub fn template_dir(&self) -> PathBuf {
        self.ws.root.join("templates")
    }
}

/// A locked workspace with its ledger: what every writing command works in.
pub struct Session {
    pub env: Env,
    pub ledger: Ledger,
    pub archive: Archive,
    _lock: WorkspaceLock,
}

impl Session {
    /// Load the workspace, take its lock (waiting up to [`LOCK_WAIT`], saying
    /// so on stderr), open the ledger and sweep temporaries a killed run left.
    pub fn open(dir: &Path, now: Option<&str>, quiet: bool) -> anyhow::Result<Session> {
        let ws = Workspace::load(dir)?;
        let lock = WorkspaceLock::acquire(&ws.root, LOCK_WAIT, &|p| {
            if !quiet {
                eprintln!(
                    "waiting for another svcreport command on this workspace to finish ({})…",
                    p.display()
                );
            }
        })?;
        let env = Env::from_workspace(ws, now)?;
        fsutil::remove_stale_temps(&env.ws.output).with_context(|| {
            format!("{}: cannot sweep temporary files", env.ws.output.display())
        })?;
        let state = env.ws.root.join(crate::ledger::STATE_DIR);
        fsutil::remove_stale_temps(&state)
            .with_context(|| format!("{}: cannot sweep temporary files", state.display()))?;
        let _ = std::fs::remove_dir_all(state.join("work"));
        let ledger = Ledger::open(&env.ws.root)?;
        let archive = Archive::new(&env.ws.root);
        Ok(Session {
            env,
            ledger,
            archive,
            _lock: lock,
        })
    }
}

//! `svcreport improvements`: the improvement register (spec §5) the compiler and
//! the process managers work with between runs.
//!
//! - `improvements [--all]` lists the open items (every item with `--all`);
//! - `improvements set ITEM [--state S] [--action TEXT] [--due DATE] [--owner WHO] [--note TEXT]`
//!   records an action, a due date, an owner or a state, with its history;
//! - `improvements export [--out FILE]` writes the register and its history as a
//!   workbook for the process managers (default `<output>/improvements/improvement-register.xlsx`).
//!
//! `run` raises and reopens items (see `register`); this command never does. An
//! edit changes the documents that show the item at their next run (a new draft
//! version); an approved document stays as approved.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

use super::say::{self, Say};
use super::session::{Env, Session};
use super::{EXIT_OK, Global, OutputKind};
use crate::chars;
use crate::findings::Lang;
use crate::ledger::Ledger;
use crate::register::{Event, Item, ItemState, parse_label};

/// The longest action or note recorded (a register cell stays readable, and far
/// below Excel's 32,767 characters).
const MAX_TEXT: usize = 2000;

/// What `improvements` does.
#[derive(Debug, Clone)]
pub enum Action {
    List { all: bool },
    Set { item: String, edit: Edit },
    Export { out: Option<PathBuf> },
}

/// The fields `improvements set` changes (none given: refused).
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub state: Option<String>,
    pub action: Option<String>,
    pub due: Option<String>,
    pub owner: Option<String>,
    pub note: Option<String>,
}

pub fn run(g: &Global, action: Action) -> anyhow::Result<u8> {
    match action {
        Action::List { all } => list(g, all),
        Action::Set { item, edit } => set(g, &item, &edit),
        Action::Export { out } => export(g, out.as_deref()),
    }
}

fn lang(env: &Env) -> Lang {
    Lang::from_tag(&env.ws.language)
}

fn print_lines(lines: &[Say<'_>], lang: Lang) {
    for l in lines {
        println!("{}", chars::for_terminal(&l.text(lang)));
    }
}

fn list(g: &Global, all: bool) -> anyhow::Result<u8> {
    let env = Env::load(&g.workspace, g.now.as_deref())?;
    let ledger = Ledger::open(&env.ws.root)?;
    let items: Vec<Item> = ledger
        .read()
        .improvements()?
        .into_iter()
        .filter(|i| all || i.state.is_open())
        .collect();
    match g.format {
        OutputKind::Json => println!("{}", serde_json::to_string_pretty(&items)?),
        OutputKind::Text => {
            let mut lines: Vec<Say> = items.iter().map(Say::RegisterItem).collect();
            if lines.is_empty() {
                lines.push(Say::RegisterEmpty { all });
            }
            print_lines(&lines, lang(&env));
        }
    }
    Ok(EXIT_OK)
}

/// The owner as the catalogue knows them: a person's id or name, else refused
/// with the known ids.
fn known_owner(env: &Env, who: &str) -> anyhow::Result<String> {
    let who = who.trim();
    if let Some(p) = env
        .cat
        .persons
        .iter()
        .find(|p| p.id == who || p.name == who)
    {
        return Ok(p.id.clone());
    }
    if env.cat.persons.is_empty() {
        // A catalogue without people: the owner is a name as written.
        return Ok(who.to_string());
    }
    let ids: Vec<&str> = env.cat.persons.iter().map(|p| p.id.as_str()).collect();
    bail!(
        "\"{}\" is not a person of the catalogue{}; known: {}",
        chars::for_terminal(who),
        crate::suggest::did_you_mean(who, ids.iter().copied()),
        ids.join(", ")
    )
}

fn set(g: &Global, item: &str, e: &Edit) -> anyhow::Result<u8> {
    let Some(id) = parse_label(item) else {
        bail!(
            "\"{}\" is not an improvement item: write IMP-0007 or 7 (see `svcreport improvements`)",
            chars::for_terminal(item)
        )
    };
    if e.state.is_none()
        && e.action.is_none()
        && e.due.is_none()
        && e.owner.is_none()
        && e.note.is_none()
    {
        bail!("nothing to change: give --state, --action, --due, --owner or --note");
    }
    for (what, text) in [("--action", &e.action), ("--note", &e.note)] {
        if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
            bail!("{what} is longer than {MAX_TEXT} characters; say it shorter");
        }
    }
    let state = match &e.state {
        None => None,
        Some(s) => Some(ItemState::parse(s).with_context(|| {
            format!(
                "\"{}\" is not a state: new, in-progress or closed (新建, 处理中, 已关闭)",
                chars::for_terminal(s)
            )
        })?),
    };
    let due = match &e.due {
        None => None,
        Some(d) => Some(
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").with_context(|| {
                format!(
                    "\"{}\" is not a date: write 2026-12-31",
                    chars::for_terminal(d)
                )
            })?,
        ),
    };
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let owner = match &e.owner {
        None => None,
        Some(o) => Some(known_owner(&s.env, o)?),
    };
    let items = s.ledger.read().improvements()?;
    let Some(mut it) = items.into_iter().find(|i| i.id == id) else {
        bail!(
            "{} is not in the improvement register (see `svcreport improvements --all`)",
            crate::register::label(id)
        )
    };
    let action = e
        .action
        .as_ref()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    if let Some(st) = state {
        it.state = st;
    }
    if let Some(a) = &action {
        it.action = Some(a.clone());
    }
    if let Some(d) = due {
        it.due = d;
    }
    if let Some(o) = &owner {
        it.owner = Some(o.clone());
    }
    let at = s.env.now();
    let tx = s.ledger.transaction()?;
    tx.update_item(&it)?;
    tx.log_event(
        it.id,
        at,
        &Event::Edited {
            state,
            action,
            due,
            owner,
            note: e.note.clone().filter(|n| !n.trim().is_empty()),
        },
    )?;
    tx.commit()?;
    if !g.quiet {
        print_lines(&[Say::RegisterUpdated(&it)], lang(&s.env));
    }
    Ok(EXIT_OK)
}

fn export(g: &Global, out: Option<&Path>) -> anyhow::Result<u8> {
    let env = Env::load(&g.workspace, g.now.as_deref())?;
    let ledger = Ledger::open(&env.ws.root)?;
    let items = ledger.read().improvements()?;
    let events = ledger.read().improvement_events(None)?;
    let lang = lang(&env);
    let bytes = workbook(&items, &events, lang)?;
    let path = match out {
        Some(p) => p.to_path_buf(),
        None => {
            let dir = env.ws.output.join("improvements");
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
            dir.join("improvement-register.xlsx")
        }
    };
    crate::fsutil::write_atomic(&path, &bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    if !g.quiet {
        let shown = env.ws.rel(&path);
        print_lines(
            &[Say::RegisterExported {
                path: &shown,
                items: items.len(),
            }],
            lang,
        );
    }
    Ok(EXIT_OK)
}

/// The register workbook: one sheet of items (filterable, frozen header), one of
/// their history. Every text is written as text, never as a formula.
fn workbook(
    items: &[Item],
    events: &[crate::register::Logged],
    lang: Lang,
) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("DDE6F0");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let (hist_head, names) = say::register_history_headers(lang);
    let headers = say::register_headers(lang);
    {
        let ws = wb.add_worksheet().set_name(names[0])?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
        }
        for (r, i) in items.iter().enumerate() {
            let r = r as u32 + 1;
            let metric = i.key.metric.to_string();
            let texts = [
                (0, i.label()),
                (1, i.key.agreement.clone()),
                (2, metric),
                (3, say::register_scope(&i.key.scope)),
                (4, i.process.clone()),
                (5, i.owner.clone().unwrap_or_default()),
                (6, i.raised.to_string()),
                (7, i.last.to_string()),
                (8, say::judgement(i.last_status, lang).to_string()),
                (9, i.action.clone().unwrap_or_default()),
                (11, say::item_state(i.state, lang).to_string()),
            ];
            for (c, t) in texts {
                ws.write_string(r, c, t)?;
            }
            let due = i.due.and_hms_opt(0, 0, 0).unwrap_or_default();
            ws.write_datetime_with_format(r, 10, due, &date)?;
            ws.write_number(r, 12, i.reopened)?;
        }
        let last = items.len() as u32;
        ws.autofilter(0, 0, last, headers.len() as u16 - 1)?;
        ws.set_freeze_panes(1, 0)?;
        // Printed: A4 landscape, one page wide, the header on every page.
        ws.set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0)
            .set_repeat_rows(0, 0)?;
        for (c, w) in [10, 14, 22, 20, 12, 12, 10, 10, 10, 40, 12, 10, 8]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name(names[1])?;
        for (c, h) in hist_head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
        }
        for (r, e) in events.iter().enumerate() {
            let r = r as u32 + 1;
            let (what, detail) = say::register_event(&e.event, lang);
            ws.write_string(r, 0, crate::register::label(e.item))?;
            ws.write_datetime_with_format(r, 1, e.at, &time)?;
            ws.write_string(r, 2, what)?;
            ws.write_string(r, 3, detail)?;
        }
        ws.autofilter(0, 0, events.len() as u32, 3)?;
        ws.set_freeze_panes(1, 0)?;
        ws.set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0)
            .set_repeat_rows(0, 0)?;
        for (c, w) in [10, 17, 12, 60].iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

//! What the ledger says about a document, for its cover and approval block: the
//! revision history and the review and approval comments (`report::Trail`), and
//! what a new version changed (the sections whose content differs from the
//! version before, recorded with the version).
//!
//! Invariant: a version's trail lists only versions up to itself and only its own
//! steps, so a rebuild (`approve`, `audit`) makes the same trail the version was
//! rendered with.

use chrono::NaiveDateTime;

use crate::archive::Archive;
use crate::ledger::{DocRecord, Ledger, ReviewRecord, SourceKind, Step};
use crate::model::document::DocState;
use crate::report::{Change, Comment, ReportDoc, Revision, Trail};

/// A version's recorded history: every version of the document with what each
/// changed (`None`: not recorded), oldest first.
pub type Versions = Vec<crate::ledger::VersionChanges>;

/// Every version of `doc_number` with what each changed.
pub fn versions(ledger: &Ledger, doc_number: &str) -> anyhow::Result<Versions> {
    Ok(ledger.read().versions_with_changes(doc_number)?)
}

fn change_of(
    first: bool,
    supersedes: Option<crate::model::document::DocVersion>,
    sections: Option<Vec<String>>,
) -> Change {
    match (first, supersedes) {
        (_, Some(v)) => Change::Reissued {
            supersedes: v,
            sections: sections.unwrap_or_default(),
        },
        (true, None) => Change::First,
        (false, None) => Change::Updated {
            sections: sections.unwrap_or_default(),
        },
    }
}

/// The trail of a version in `state`, generated at `generated`: the versions before
/// it from `versions`, then itself (its recorded change, or `new_change` for a
/// version not recorded yet); the comments of its own review and approval
/// (`reviews`, the ledger's for this version) as far as `state` has them, plus
/// `pending` (a step being taken now).
pub fn trail(
    versions: &Versions,
    state: &DocState,
    generated: NaiveDateTime,
    new_change: Option<Vec<String>>,
    reviews: &[ReviewRecord],
    pending: Option<Comment>,
) -> Trail {
    let mut revisions: Vec<Revision> = Vec::new();
    let mut own: Option<&DocRecord> = None;
    for (i, (d, c)) in versions.iter().enumerate() {
        if d.state.version > state.version {
            break;
        }
        let is_self = d.state.version == state.version;
        if is_self {
            own = Some(d);
        }
        revisions.push(Revision {
            version: d.state.version,
            date: d.generated_at.date(),
            status: if is_self {
                state.status
            } else {
                d.state.status
            },
            change: change_of(i == 0, d.state.supersedes, c.clone()),
        });
    }
    if own.is_none() {
        revisions.push(Revision {
            version: state.version,
            date: generated.date(),
            status: state.status,
            change: change_of(revisions.is_empty(), state.supersedes, new_change),
        });
    }
    let mut comments = Vec::new();
    if own.is_some() {
        for r in reviews {
            let shown = match r.step {
                Step::Review => state.reviewed_at.is_some(),
                Step::Approve => state.approved_at.is_some(),
            };
            match &r.comment {
                Some(text) if shown && !text.trim().is_empty() => comments.push(Comment {
                    step: r.step.status_after(),
                    who: r.person_id.clone().unwrap_or_else(|| r.name.clone()),
                    at: r.at,
                    text: text.clone(),
                }),
                _ => {}
            }
        }
    }
    comments.extend(pending.filter(|c| !c.text.trim().is_empty()));
    Trail {
        revisions,
        comments,
    }
}

/// The sections (ids) of `new` whose content differs from the previous version's
/// archived model, in `new`'s order, then those it no longer has; `None` when the
/// previous model cannot be read (then the cover says only "content updated").
pub fn changed_sections(
    archive: &Archive,
    prev_model_sha: Option<&str>,
    new: &ReportDoc,
) -> Option<Vec<String>> {
    let bytes = archive.load(prev_model_sha?).ok()?;
    let old: ReportDoc = serde_json::from_slice(&bytes).ok()?;
    // The new model read back from its JSON, as the old one was: a number parsed from
    // text may differ from the one printed in its last bit, which is no change.
    let new: ReportDoc = serde_json::from_slice(&serde_json::to_vec(new).ok()?).ok()?;
    let new = &new;
    let as_json = |s: &crate::report::Section| serde_json::to_value(s).ok();
    let mut out: Vec<String> = new
        .sections
        .iter()
        .filter(|s| match old.sections.iter().find(|o| o.id == s.id) {
            Some(o) => as_json(o) != as_json(s),
            None => true,
        })
        .map(|s| s.id.clone())
        .collect();
    out.extend(
        old.sections
            .iter()
            .filter(|o| !new.sections.iter().any(|s| s.id == o.id))
            .map(|o| o.id.clone()),
    );
    Some(out)
}

/// The archived model of a recorded version, if any.
pub fn model_sha(ledger: &Ledger, doc_id: i64) -> anyhow::Result<Option<String>> {
    Ok(ledger
        .read()
        .document_sources(doc_id)?
        .into_iter()
        .find(|s| s.kind == SourceKind::Model)
        .map(|s| s.sha256))
}

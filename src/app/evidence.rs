//! What the ledger proves about a document version, for `verify` and
//! `audit`: each review and approval with its signature checked against the
//! catalogue's keys (and against the version it claims to sign), and the
//! versions recorded after it (what supersedes it).
//!
//! Orchestration (`app`). Invariant: a signature counts as valid only when it
//! verifies (`signing::verify`) *and* its statement names this document
//! number, version, content hash, step and person, and exactly the files the
//! ledger recorded for the step (a review: the draft's files; an approval:
//! the final files).

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::ledger::{DocFile, DocRecord, Reader, ReviewRecord, Step};
use crate::model::catalogue::Catalogue;
use crate::model::document::{DocStatus, DocVersion, SignOff};
use crate::signing;

/// A step as its stored text (`review`, `approve`) in JSON.
pub fn step_text<S: serde::Serializer>(step: &Step, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(step.as_str())
}

/// One review or approval, with what its signature proves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepCheck {
    #[serde(serialize_with = "step_text")]
    pub step: Step,
    pub name: String,
    pub person: Option<String>,
    pub at: NaiveDateTime,
    pub comment: Option<String>,
    pub signing: SignOff,
    /// The key that made the signature (`SHA256:…`), when signed.
    pub key_fingerprint: Option<String>,
    /// Signed steps: whether the signature holds; `None` for unsigned ones.
    pub valid: Option<bool>,
    /// Why a signature does not hold.
    pub problem: Option<String>,
    /// For `ssh-keygen -Y verify -Overify-time=…` (UTC).
    pub verify_time: Option<String>,
}

/// A later version of the same document number.
#[derive(Debug, Clone, Serialize)]
pub struct Later {
    pub version: DocVersion,
    pub status: DocStatus,
    pub supersedes: Option<DocVersion>,
}

/// Everything the ledger proves about one version.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub steps: Vec<StepCheck>,
    /// Versions recorded after this one, oldest first.
    pub later_versions: Vec<Later>,
}

impl Evidence {
    /// Any signature that does not hold.
    pub fn invalid(&self) -> impl Iterator<Item = &StepCheck> {
        self.steps.iter().filter(|s| s.valid == Some(false))
    }
    /// The newest later version, if any.
    pub fn superseded_by(&self) -> Option<&Later> {
        self.later_versions.last()
    }
}

/// Gather the evidence of version `d` whose recorded files are `files`.
pub fn gather(
    cat: &Catalogue,
    r: &Reader<'_>,
    d: &DocRecord,
    files: &[DocFile],
) -> anyhow::Result<Evidence> {
    let steps = r
        .reviews(d.id)?
        .into_iter()
        .map(|rec| check_step(cat, d, files, rec))
        .collect();
    let later_versions = r
        .versions(&d.doc_number)?
        .into_iter()
        .filter(|v| v.state.version > d.state.version)
        .map(|v| Later {
            version: v.state.version,
            status: v.state.status,
            supersedes: v.state.supersedes,
        })
        .collect();
    Ok(Evidence {
        steps,
        later_versions,
    })
}

fn check_step(cat: &Catalogue, d: &DocRecord, files: &[DocFile], rec: ReviewRecord) -> StepCheck {
    let mut c = StepCheck {
        step: rec.step,
        name: rec.name.clone(),
        person: rec.person_id.clone(),
        at: rec.at,
        comment: rec.comment.clone(),
        signing: rec.how,
        key_fingerprint: None,
        valid: None,
        problem: None,
        verify_time: None,
    };
    let Some(sig) = &rec.signature else {
        return c;
    };
    c.key_fingerprint = Some(sig.fingerprint.clone());
    match signing::verify(cat, sig.statement.as_bytes(), &sig.signature) {
        Err(e) => {
            c.valid = Some(false);
            c.problem = Some(e.to_string());
        }
        Ok(v) => {
            c.key_fingerprint = Some(v.fingerprint.clone());
            c.verify_time = Some(v.statement.verify_time_arg());
            let problem = mismatch(d, files, &rec, &v.statement);
            c.valid = Some(problem.is_none());
            c.problem = problem;
        }
    }
    c
}

/// How a verified statement differs from the ledger's record, if it does.
fn mismatch(
    d: &DocRecord,
    files: &[DocFile],
    rec: &ReviewRecord,
    st: &signing::Statement,
) -> Option<String> {
    if st.doc_number != d.doc_number || st.version != d.state.version {
        return Some(format!(
            "the signature is for {} V{}, not {} V{}",
            st.doc_number, st.version, d.doc_number, d.state.version
        ));
    }
    if st.content_hash != d.content_hash {
        return Some(format!(
            "the signed content hash {} is not the recorded {}",
            st.content_hash, d.content_hash
        ));
    }
    if st.step != rec.step || rec.person_id.as_deref() != Some(st.person.as_str()) {
        return Some(format!(
            "the signature is a {} by {}, the ledger records a {} by {}",
            st.step.as_str(),
            st.person,
            rec.step.as_str(),
            rec.person_id.as_deref().unwrap_or(&rec.name)
        ));
    }
    let status = match rec.step {
        Step::Review => DocStatus::Draft,
        Step::Approve => DocStatus::Approved,
    };
    let mut recorded: Vec<&str> = files
        .iter()
        .filter(|f| f.status == status)
        .map(|f| f.sha256.as_str())
        .collect();
    let mut signed: Vec<&str> = st.files.iter().map(|f| f.sha256.as_str()).collect();
    recorded.sort();
    signed.sort();
    if recorded != signed {
        return Some(format!(
            "the signed file hashes ({}) are not the recorded {} files ({})",
            signed.join(", "),
            status.as_str(),
            recorded.join(", ")
        ));
    }
    None
}

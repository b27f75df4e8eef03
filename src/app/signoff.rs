//! A review or an approval of a document version (spec §5): the shared body of
//! `review` and `approve`.
//!
//! Orchestration (`app`). Invariants: only the person the report list names
//! for the step takes it — proven by their SSH signature where the catalogue
//! lists people (`[[person]]` with keys), by name only where the workspace
//! says `approval = "name"` or the catalogue names people by name (legacy);
//! every refusal (a key of someone else, revoked, unreadable) comes before
//! anything is written; the status moves forward one step at a time
//! (draft → reviewed → approved); an approved version is never changed (a
//! correction is a new major version made by `run`/`render`); the version is
//! rebuilt from its archived sources and refused when its content hash no
//! longer matches the draft; approved files are write-once; every write is one
//! ledger transaction after its files exist.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;

use super::pipeline::{self};
use super::rebuild::rebuild;
use super::say::Say;
use super::session::Session;
use super::{EXIT_OK, Global, OutputKind};
use crate::archive::sha256_hex;
use crate::findings::Lang;
use crate::fsutil;
use crate::ledger::{DocFile, DocRecord, ReviewRecord, SignatureRecord, Step};
use crate::model::catalogue::{Catalogue, OutputFormat, Person};
use crate::model::document::{DocStatus, SignOff};
use crate::signing::{self, Signer, Statement, StatementFile};
use crate::workspace::ApprovalMode;

/// The latest version of `doc`, or an error listing the documents the ledger knows.
pub fn find_latest(s: &Session, doc: &str) -> anyhow::Result<DocRecord> {
    if let Some(d) = s.ledger.read().latest(doc)? {
        return Ok(d);
    }
    let mut known: Vec<String> = s
        .ledger
        .read()
        .all_documents()?
        .into_iter()
        .map(|d| d.doc_number)
        .collect();
    known.dedup();
    if known.is_empty() {
        bail!(
            "no document \"{doc}\" in the ledger (nothing generated yet: run `svcreport run --period P` first)"
        )
    }
    bail!(
        "no document \"{doc}\" in the ledger (known: {})",
        known.join(", ")
    )
}

/// The formats a version has files in.
pub fn formats_of(files: &[DocFile]) -> Vec<OutputFormat> {
    let mut v: Vec<OutputFormat> = files.iter().map(|f| f.format).collect();
    v.sort();
    v.dedup();
    v
}

/// Who takes a step, as the command line says it.
#[derive(Debug, Clone, Default)]
pub struct Who {
    /// `--name`: a person id or name (legacy: the name the report list writes).
    pub name: Option<String>,
    /// `--key`: the signer's private key file.
    pub key: Option<PathBuf>,
}

/// What a step recorded (printed, or as JSON with `--format json`).
#[derive(Debug, Serialize)]
struct Recorded<'a> {
    doc_number: &'a str,
    version: String,
    step: &'static str,
    status: DocStatus,
    name: &'a str,
    person: Option<&'a str>,
    signing: SignOff,
    key_fingerprint: Option<String>,
    at: chrono::NaiveDateTime,
    comment: Option<&'a str>,
    files: Vec<RecordedFile<'a>>,
    statement: Option<String>,
    signature: Option<String>,
}

#[derive(Debug, Serialize)]
struct RecordedFile<'a> {
    format: &'static str,
    path: &'a str,
    sha256: &'a str,
}

/// The person taking a step and how they prove it.
struct Taker {
    person_id: Option<String>,
    name: String,
    how: SignOff,
    signer: Option<Signer>,
}

fn verb(step: Step) -> &'static str {
    match step {
        Step::Approve => "approves",
        Step::Review => "reviews",
    }
}

/// `张伟 (zhangwei)`.
fn who_is(p: &Person) -> String {
    format!("{} ({})", p.name, p.id)
}

fn fingerprints(p: &Person) -> String {
    if p.keys.is_empty() {
        return "none".into();
    }
    p.keys
        .iter()
        .map(|k| format!("{} ({})", k.fingerprint, signing::window_text(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decide who takes `step` and how: refuse a name or a key that is not the
/// one the report list names, before anything is rendered or written.
fn identify(
    cat: &Catalogue,
    mode: ApprovalMode,
    step: Step,
    want: &str,
    d: &DocRecord,
    who: &Who,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<Taker> {
    let role = step.role().as_str();
    let doc = format!("{} V{}", d.doc_number, d.state.version);
    let given = who.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if who.name.is_some() && given.is_none() {
        bail!("--name is empty: say who {}", verb(step));
    }
    // A catalogue that names people by name: legacy, unsigned.
    if !cat.has_persons() {
        if let Some(k) = &who.key {
            bail!(
                "{}: this workspace's catalogue lists no [[person]] with keys, so reviews and approvals are taken by name (--name); to sign, list each person with their public key (README, \"Signed reviews and approvals\"); nothing was recorded",
                k.display()
            );
        }
        let Some(name) = given else {
            bail!(
                "say who {} {doc}: --name NAME (the report list names {want})",
                verb(step)
            );
        };
        if want.trim() != name {
            bail!(
                "the report list names {want} as the {role} of {} (report {}), not {name}",
                d.doc_number,
                d.report_id
            );
        }
        return Ok(Taker {
            person_id: None,
            name: name.to_string(),
            how: SignOff::Unsigned,
            signer: None,
        });
    }
    let Some(person) = cat.person(want) else {
        bail!(
            "the report list names \"{want}\" as the {role} of {}, who is not in the catalogue's [[person]] list",
            d.doc_number
        );
    };
    if let Some(n) = given
        && n != person.id
        && n != person.name
    {
        bail!(
            "the report list names {} as the {role} of {} (report {}), not {n}; nothing was recorded",
            who_is(person),
            d.doc_number,
            d.report_id
        );
    }
    let signer = match (&who.key, mode) {
        (Some(path), _) => Some(key_signer(cat, person, path, step, &doc, at)?),
        (None, ApprovalMode::Name) => {
            if given.is_none() {
                bail!(
                    "say who {} {doc}: --key PATH to sign, or --name {} (this workspace allows unsigned approval: approval = \"name\")",
                    verb(step),
                    person.id
                );
            }
            None
        }
        (None, ApprovalMode::Signed) => match std::env::var_os("SSH_AUTH_SOCK") {
            Some(sock) if !sock.is_empty() => {
                Some(agent_signer(person, Path::new(&sock), &doc, at)?)
            }
            _ => bail!(
                "{doc}: the {role} {} must sign: give --key PATH (their private key, e.g. ~/.ssh/id_ed25519) or run ssh-agent holding it (SSH_AUTH_SOCK); this workspace takes signed reviews and approvals (svcreport.toml: approval = \"signed\"); nothing was recorded",
                who_is(person)
            ),
        },
    };
    Ok(Taker {
        person_id: Some(person.id.clone()),
        name: person.name.clone(),
        how: if signer.is_some() {
            SignOff::Signed
        } else {
            SignOff::Unsigned
        },
        signer,
    })
}

/// The key file's signer, if the key is `person`'s and valid at `at`.
fn key_signer(
    cat: &Catalogue,
    person: &Person,
    path: &Path,
    step: Step,
    doc: &str,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<Signer> {
    let key = signing::load_key_file(path, &signing::ask_passphrase_on_terminal)
        .map_err(|e| anyhow::anyhow!("{e}; nothing was recorded"))?;
    let signer = Signer::Key {
        key,
        path: path.to_path_buf(),
    };
    check_key(cat, person, &signer, step, doc, at)?;
    Ok(signer)
}

/// The signer of `person`'s first key the agent holds that is valid at `at`.
fn agent_signer(
    person: &Person,
    socket: &Path,
    doc: &str,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<Signer> {
    let keys = signing::agent_keys(socket)?;
    let mine = keys.into_iter().find(|k| {
        let fp = k.fingerprint(ssh_key::HashAlg::Sha256).to_string();
        person
            .keys
            .iter()
            .any(|pk| pk.fingerprint == fp && pk.valid_at(at))
    });
    match mine {
        Some(public) => Ok(Signer::Agent {
            socket: socket.to_path_buf(),
            public,
        }),
        None => bail!(
            "{doc}: ssh-agent ({}) holds no key of {} valid at {at} (the catalogue lists: {}); add it with ssh-add, or give --key PATH; nothing was recorded",
            socket.display(),
            who_is(person),
            fingerprints(person)
        ),
    }
}

/// Refuse a key that is not `person`'s, or not valid at `at`.
fn check_key(
    cat: &Catalogue,
    person: &Person,
    signer: &Signer,
    step: Step,
    doc: &str,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let fp = signer.fingerprint();
    let role = step.role().as_str();
    match cat.key_owner(&fp) {
        None => bail!(
            "{doc}: {} ({fp}) is not listed for anyone in the catalogue; the {role} is {}, whose keys are: {}; nothing was recorded",
            signer.describe(),
            who_is(person),
            fingerprints(person)
        ),
        Some((owner, _)) if owner.id != person.id => bail!(
            "{doc}: {} ({fp}) is {}'s key, but the report list names {} as the {role}; nothing was recorded",
            signer.describe(),
            who_is(owner),
            who_is(person)
        ),
        Some((_, k)) if !k.valid_at(at) => bail!(
            "{doc}: {} ({fp}) of {} is not valid at {at}: {}; nothing was recorded",
            signer.describe(),
            who_is(person),
            signing::window_text(k)
        ),
        Some(_) => Ok(()),
    }
}

/// Take `step` on the latest version of `doc`.
pub fn take(
    g: &Global,
    doc: &str,
    who: &Who,
    comment: Option<&str>,
    step: Step,
) -> anyhow::Result<u8> {
    let mut s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let d = find_latest(&s, doc)?;
    let to = step.status_after();
    let st = &d.state;
    // Status moves forward only, one step at a time.
    match (st.status, step) {
        (DocStatus::Approved, _) => bail!(
            "{} V{} is approved already (by {} at {}); an approved version is never changed — a correction is regenerated as V{}",
            d.doc_number,
            st.version,
            st.approved_by.as_deref().unwrap_or("?"),
            st.approved_at
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_else(|| "?".into()),
            st.version.next_major()
        ),
        (DocStatus::Reviewed, Step::Review) => bail!(
            "{} V{} is reviewed already (by {}); approve it next",
            d.doc_number,
            st.version,
            st.reviewed_by.as_deref().unwrap_or("?")
        ),
        (DocStatus::Draft, Step::Approve) => bail!(
            "{} V{} is a draft that has not been reviewed: run `svcreport review {}` first",
            d.doc_number,
            st.version,
            d.doc_number
        ),
        _ => {}
    }
    let role = step.role();
    let Some(spec) = s.env.cat.report(&d.report_id) else {
        bail!(
            "report \"{}\" of {} is no longer in the report list; it cannot be {}",
            d.report_id,
            d.doc_number,
            to.as_str()
        )
    };
    let want = match step {
        Step::Approve => spec.approver.clone(),
        Step::Review => spec.reviewer.clone(),
    };
    let at = s.env.now();
    let taker = identify(&s.env.cat, s.env.ws.approval, step, &want, &d, who, at)
        .map_err(|e| super::Refused(format!("{e:#}")))?;
    let mut state = d.state.clone();
    state.status = to;
    match step {
        Step::Approve => {
            state.approved_by = Some(taker.name.clone());
            state.approved_at = Some(at);
            state.approved_how = Some(taker.how);
        }
        Step::Review => {
            state.reviewed_by = Some(taker.name.clone());
            state.reviewed_at = Some(at);
            state.reviewed_how = Some(taker.how);
        }
    }
    let files = s.ledger.read().files(d.id)?;
    let pending = comment.map(|c| crate::report::Comment {
        step: to,
        who: taker
            .person_id
            .clone()
            .unwrap_or_else(|| taker.name.clone()),
        at,
        text: c.to_string(),
    });
    let rebuilt = rebuild(&s, &d, &state, &formats_of(&files), pending)?;
    if rebuilt.doc.meta.content_hash != d.content_hash {
        bail!(
            "{} V{}: rebuilt from the archive, its content hash is {} but the draft's is {}; nothing was recorded (run `svcreport audit {}`)",
            d.doc_number,
            st.version,
            rebuilt.doc.meta.content_hash,
            d.content_hash,
            d.doc_number
        );
    }
    let dir = pipeline::period_dir(&s.env, &d.period);
    let names: Vec<(OutputFormat, String, Vec<u8>)> = rebuilt
        .files
        .into_iter()
        .map(|(f, bytes)| {
            (
                f,
                pipeline::file_name(&d.doc_number, &d.period, st.version, to, f),
                bytes,
            )
        })
        .collect();
    // What is signed: a review the draft's recorded files, an approval the final files.
    let signed_files: Vec<StatementFile> = match step {
        Step::Review => files
            .iter()
            .filter(|f| f.status == DocStatus::Draft)
            .map(|f| StatementFile {
                format: f.format,
                status: f.status,
                sha256: f.sha256.clone(),
                name: Path::new(&f.path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            })
            .collect(),
        Step::Approve => names
            .iter()
            .map(|(f, name, bytes)| StatementFile {
                format: *f,
                status: DocStatus::Approved,
                sha256: sha256_hex(bytes),
                name: name.clone(),
            })
            .collect(),
    };
    let signature = match &taker.signer {
        None => None,
        Some(signer) => {
            let statement = Statement {
                step,
                person: taker.person_id.clone().unwrap_or_default(),
                name: taker.name.clone(),
                doc_number: d.doc_number.clone(),
                version: st.version,
                period: d.period.to_string(),
                content_hash: d.content_hash.clone(),
                files: signed_files,
                at: signing::with_offset(at, s.env.ws.timezone),
                comment: comment.map(str::to_string),
            };
            let bytes = statement.to_bytes();
            let armored = signer
                .sign(&bytes)
                .map_err(|e| anyhow::anyhow!("{e}; nothing was recorded"))?;
            // The signature must verify as any later reader will check it.
            let v = signing::verify(&s.env.cat, &bytes, &armored).map_err(|e| {
                anyhow::anyhow!("the new signature does not verify: {e}; nothing was recorded")
            })?;
            Some(SignatureRecord {
                statement: String::from_utf8(bytes).context("a statement is UTF-8 text")?,
                signature: armored,
                fingerprint: v.fingerprint,
            })
        }
    };
    let mut recorded = Vec::new();
    for (f, fname, bytes) in &names {
        let out = dir.join(fname);
        let path = if to == DocStatus::Approved {
            let kept =
                s.archive
                    .keep_approved(&d.doc_number, &st.version.to_string(), fname, bytes)?;
            // The copy in the output folder is write-once too.
            match std::fs::read(&out) {
                Ok(old) if old == *bytes => {}
                Ok(_) => bail!(
                    "{}: a different file exists under the approved name; it is never overwritten",
                    out.display()
                ),
                Err(_) => fsutil::write_new(&out, bytes)
                    .with_context(|| format!("{}: cannot write", out.display()))?,
            }
            kept
        } else {
            fsutil::write_atomic(&out, bytes)
                .with_context(|| format!("{}: cannot write", out.display()))?;
            out
        };
        recorded.push(DocFile {
            format: *f,
            status: to,
            path: s.env.ws.rel(&path),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        });
    }
    // The statement and its signature beside the document, for `ssh-keygen -Y verify`.
    if let Some(sig) = &signature {
        let stem = pipeline::file_name(
            &d.doc_number,
            &d.period,
            st.version,
            DocStatus::Approved,
            OutputFormat::Pdf,
        );
        let stem = stem.trim_end_matches(".pdf");
        let dir = s
            .archive
            .document_dir(&d.doc_number, &st.version.to_string());
        let txt = dir.join(format!("{stem}.{}.txt", step.as_str()));
        let sigp = dir.join(format!("{stem}.{}.txt.sig", step.as_str()));
        for (p, b) in [
            (&txt, sig.statement.as_bytes()),
            (&sigp, sig.signature.as_bytes()),
        ] {
            fsutil::write_atomic(p, b).with_context(|| format!("{}: cannot write", p.display()))?;
        }
    }
    let tx = s.ledger.transaction()?;
    tx.record_step(
        d.id,
        &ReviewRecord {
            step,
            name: taker.name.clone(),
            role,
            at,
            comment: comment.map(str::to_string),
            person_id: taker.person_id.clone(),
            how: taker.how,
            signature: signature.clone(),
        },
    )?;
    for f in &recorded {
        tx.record_file(d.id, f)?;
    }
    tx.commit()?;
    let out = Recorded {
        doc_number: &d.doc_number,
        version: st.version.to_string(),
        step: step.as_str(),
        status: to,
        name: &taker.name,
        person: taker.person_id.as_deref(),
        signing: taker.how,
        key_fingerprint: signature.as_ref().map(|x| x.fingerprint.clone()),
        at,
        comment,
        files: recorded
            .iter()
            .map(|f| RecordedFile {
                format: f.format.extension(),
                path: &f.path,
                sha256: &f.sha256,
            })
            .collect(),
        statement: signature.as_ref().map(|x| x.statement.clone()),
        signature: signature.as_ref().map(|x| x.signature.clone()),
    };
    match g.format {
        OutputKind::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        OutputKind::Text if !g.quiet => {
            let lang = Lang::from_tag(&s.env.ws.language);
            let who = match &taker.person_id {
                Some(p) => format!("{} ({p})", taker.name),
                None => taker.name.clone(),
            };
            println!(
                "{}",
                Say::Stepped {
                    doc_number: &d.doc_number,
                    version: st.version,
                    status: to,
                    name: &who,
                    at,
                }
                .text(lang)
            );
            let how = match (&signature, &taker.signer) {
                (Some(sig), Some(signer)) => Say::SignedWith {
                    fingerprint: &sig.fingerprint,
                    by: signer.location(),
                },
                _ => Say::TakenByName,
            };
            println!("{}", how.text(lang));
            for f in &recorded {
                println!("  {}  sha256 {}", f.path, f.sha256);
            }
        }
        OutputKind::Text => {}
    }
    Ok(EXIT_OK)
}

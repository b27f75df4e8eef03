//! `svcreport audit DOC[@VERSION]`: rebuild the latest approved (else latest)
//! version, or the one named, from its archived sources, and compare the
//! content hash and every file hash (recomputed and on disk); check every
//! review and approval signature against the catalogue's keys and the
//! version; say which later version supersedes it. Exit 1 on any difference
//! or signature that does not hold, each one named.

use anyhow::Context;
use serde::Serialize;

use super::evidence::{self, Evidence};
use super::rebuild::rebuild;
use super::say::Say;
use super::session::Session;
use super::signoff::{find_latest, formats_of};
use super::{EXIT_OK, EXIT_REJECTED, Global, OutputKind};
use crate::archive::{sha256_file, sha256_hex};
use crate::findings::Lang;
use crate::ledger::{DocFile, DocVersion, Step};
use crate::report::ReportDoc;

/// One difference an audit found, typed; worded in the workspace's language only
/// when printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Difference {
    ContentHash {
        recorded: String,
        recomputed: String,
    },
    SectionGone {
        id: String,
        title: String,
    },
    SectionDiffers {
        id: String,
        title: String,
        blocks: usize,
    },
    SectionNew {
        id: String,
        title: String,
    },
    TitleOrParty,
    FileRecomputed {
        format: String,
        recorded: String,
        recomputed: String,
    },
    FileNotRecomputed {
        format: String,
    },
    AlteredOnDisk {
        path: String,
        now: String,
        recorded: String,
    },
    MissingOnDisk {
        path: String,
    },
    SignatureInvalid {
        #[serde(serialize_with = "evidence::step_text")]
        step: Step,
        who: String,
        problem: String,
    },
}

impl Difference {
    /// The difference in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        use Difference as D;
        match self {
            D::ContentHash {
                recorded,
                recomputed,
            } if zh => {
                format!("内容哈希：记录为 {recorded}，重算为 {recomputed}")
            }
            D::ContentHash {
                recorded,
                recomputed,
            } => {
                format!("content hash: recorded {recorded}, recomputed {recomputed}")
            }
            D::SectionGone { id, title } if zh => format!("章节“{title}”（{id}）已不存在"),
            D::SectionGone { id, title } => format!("section \"{id}\" ({title}) is gone"),
            D::SectionDiffers { id, title, blocks } if zh => {
                format!("章节“{title}”（{id}）有 {blocks} 处内容不同")
            }
            D::SectionDiffers { id, title, blocks } => {
                format!("section \"{id}\" ({title}) differs in {blocks} block(s)")
            }
            D::SectionNew { id, title } if zh => format!("章节“{title}”（{id}）为新增"),
            D::SectionNew { id, title } => format!("section \"{id}\" ({title}) is new"),
            D::TitleOrParty if zh => "文档标题或对象不同".into(),
            D::TitleOrParty => "document title or party differs".into(),
            D::FileRecomputed {
                format,
                recorded,
                recomputed,
            } if zh => {
                format!("{format} 文件：记录为 {recorded}，重算为 {recomputed}")
            }
            D::FileRecomputed {
                format,
                recorded,
                recomputed,
            } => {
                format!("{format} file: recorded {recorded}, recomputed {recomputed}")
            }
            D::FileNotRecomputed { format } if zh => format!("{format} 文件：无法重算"),
            D::FileNotRecomputed { format } => format!("{format} file: could not be recomputed"),
            D::AlteredOnDisk {
                path,
                now,
                recorded,
            } if zh => {
                format!("{path}：磁盘上的文件已被改动（现 SHA-256 {now}，记录为 {recorded}）")
            }
            D::AlteredOnDisk {
                path,
                now,
                recorded,
            } => {
                format!("{path}: altered on disk (SHA-256 now {now}, recorded {recorded})")
            }
            D::MissingOnDisk { path } if zh => format!("{path}：磁盘上已不存在"),
            D::MissingOnDisk { path } => format!("{path}: missing on disk"),
            D::SignatureInvalid { step, who, problem } if zh => {
                let step = match step {
                    Step::Review => "审核",
                    Step::Approve => "批准",
                };
                format!("{who} 的{step}签名不成立：{problem}")
            }
            D::SignatureInvalid { step, who, problem } => {
                format!(
                    "{} signature of {who} does not hold: {problem}",
                    step.as_str()
                )
            }
        }
    }
}

/// A difference as JSON: its typed fields and its wording in both languages.
#[derive(Debug, Serialize)]
struct DifferenceJson<'a> {
    #[serde(flatten)]
    difference: &'a Difference,
    text: String,
    text_zh: String,
}

/// The verdict of an audit.
#[derive(Debug, Serialize)]
struct Verdict<'a> {
    doc_number: &'a str,
    version: DocVersion,
    status: crate::model::document::DocStatus,
    content_hash: &'a str,
    inputs: usize,
    files: usize,
    matches: bool,
    differences: Vec<DifferenceJson<'a>>,
    audited_at: chrono::NaiveDateTime,
    #[serde(flatten)]
    evidence: &'a Evidence,
}

pub fn run(g: &Global, doc: &str) -> anyhow::Result<u8> {
    let s = Session::open(&g.workspace, g.now.as_deref(), g.quiet)?;
    let (doc, version) = match doc.rsplit_once('@') {
        Some((d, v)) => (
            d,
            Some(
                DocVersion::parse(v)
                    .with_context(|| format!("\"{v}\" after @ is not a version: write {d}@1.0"))?,
            ),
        ),
        None => (doc, None),
    };
    let d = match version {
        Some(v) => s
            .ledger
            .read()
            .versions(doc)?
            .into_iter()
            .find(|d| d.state.version == v)
            .with_context(|| format!("{doc} has no version {v}"))?,
        None => match s.ledger.read().latest_approved(doc)? {
            Some(d) => d,
            None => find_latest(&s, doc)?,
        },
    };
    let files: Vec<DocFile> = s
        .ledger
        .read()
        .files(d.id)?
        .into_iter()
        .filter(|f| f.status == d.state.status)
        .collect();
    let rebuilt = rebuild(&s, &d, &d.state, &formats_of(&files), None)?;
    let mut diffs = Vec::new();
    if rebuilt.doc.meta.content_hash != d.content_hash {
        diffs.push(Difference::ContentHash {
            recorded: d.content_hash.clone(),
            recomputed: rebuilt.doc.meta.content_hash.clone(),
        });
        if let Some(m) = &rebuilt.archived_model {
            diffs.extend(model_diff(m, &rebuilt.doc));
        }
    }
    for f in &files {
        let ext = f.format.extension();
        match rebuilt.files.iter().find(|(fmt, _)| *fmt == f.format) {
            Some((_, b)) if sha256_hex(b) == f.sha256 => {}
            Some((_, b)) => diffs.push(Difference::FileRecomputed {
                format: ext.to_string(),
                recorded: f.sha256.clone(),
                recomputed: sha256_hex(b),
            }),
            None => diffs.push(Difference::FileNotRecomputed {
                format: ext.to_string(),
            }),
        }
        match sha256_file(&s.env.ws.root.join(&f.path)) {
            Ok((h, _)) if h == f.sha256 => {}
            Ok((h, _)) => diffs.push(Difference::AlteredOnDisk {
                path: f.path.clone(),
                now: h,
                recorded: f.sha256.clone(),
            }),
            Err(_) => diffs.push(Difference::MissingOnDisk {
                path: f.path.clone(),
            }),
        }
    }
    let all_files = s.ledger.read().files(d.id)?;
    let ev = evidence::gather(&s.env.cat, &s.ledger.read(), &d, &all_files)?;
    for st in ev.invalid() {
        diffs.push(Difference::SignatureInvalid {
            step: st.step,
            who: st.person.as_deref().unwrap_or(&st.name).to_string(),
            problem: st.problem.as_deref().unwrap_or("?").to_string(),
        });
    }
    let when = s.env.now();
    let lang = Lang::from_tag(&s.env.ws.language);
    let inputs = s.ledger.read().document_inputs(d.id)?.len();
    let code = if diffs.is_empty() {
        EXIT_OK
    } else {
        EXIT_REJECTED
    };
    match g.format {
        OutputKind::Json => {
            let v = Verdict {
                doc_number: &d.doc_number,
                version: d.state.version,
                status: d.state.status,
                content_hash: &d.content_hash,
                inputs,
                files: files.len(),
                matches: diffs.is_empty(),
                differences: diffs
                    .iter()
                    .map(|x| DifferenceJson {
                        difference: x,
                        text: x.text(Lang::En),
                        text_zh: x.text(Lang::Zh),
                    })
                    .collect(),
                audited_at: when,
                evidence: &ev,
            };
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputKind::Text if diffs.is_empty() => {
            if !g.quiet {
                let l = Say::AuditOk {
                    doc_number: &d.doc_number,
                    version: d.state.version,
                    status: d.state.status,
                    inputs,
                    content_hash: &d.content_hash,
                    files: files.len(),
                    at: when,
                };
                println!("{}", l.text(lang));
                print_evidence(&ev, lang);
            }
        }
        OutputKind::Text => {
            let l = Say::AuditDiffers {
                doc_number: &d.doc_number,
                version: d.state.version,
                at: when,
            };
            println!("{}", l.text(lang));
            for x in &diffs {
                println!("  - {}", x.text(lang));
            }
            print_evidence(&ev, lang);
        }
    }
    Ok(code)
}

fn print_evidence(ev: &Evidence, lang: Lang) {
    for st in &ev.steps {
        println!("{}", Say::Step(st).text(lang));
    }
    if let Some(l) = ev.superseded_by() {
        let s = Say::Superseded {
            version: l.version,
            status: l.status,
        };
        println!("{}", s.text(lang));
    }
}

/// Which parts of two report models differ (meta fields that enter the
/// content, sections by id and their blocks).
pub fn model_diff(a: &ReportDoc, b: &ReportDoc) -> Vec<Difference> {
    let mut out = Vec::new();
    for s in &a.sections {
        match b.sections.iter().find(|x| x.id == s.id) {
            None => out.push(Difference::SectionGone {
                id: s.id.clone(),
                title: s.title.clone(),
            }),
            Some(x) if x != s => {
                let n = s
                    .blocks
                    .iter()
                    .zip(&x.blocks)
                    .filter(|(p, q)| p != q)
                    .count()
                    + s.blocks.len().abs_diff(x.blocks.len());
                out.push(Difference::SectionDiffers {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    blocks: n,
                });
            }
            _ => {}
        }
    }
    for x in &b.sections {
        if !a.sections.iter().any(|s| s.id == x.id) {
            out.push(Difference::SectionNew {
                id: x.id.clone(),
                title: x.title.clone(),
            });
        }
    }
    if a.meta.title != b.meta.title || a.meta.party != b.meta.party {
        out.push(Difference::TitleOrParty);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_difference_is_worded_in_both_languages() {
        let s = |x: &str| x.to_string();
        let all = [
            Difference::ContentHash {
                recorded: s("a"),
                recomputed: s("b"),
            },
            Difference::SectionGone {
                id: s("summary"),
                title: s("汇总"),
            },
            Difference::SectionDiffers {
                id: s("summary"),
                title: s("汇总"),
                blocks: 2,
            },
            Difference::SectionNew {
                id: s("summary"),
                title: s("汇总"),
            },
            Difference::TitleOrParty,
            Difference::FileRecomputed {
                format: s("pdf"),
                recorded: s("a"),
                recomputed: s("b"),
            },
            Difference::FileNotRecomputed { format: s("pdf") },
            Difference::AlteredOnDisk {
                path: s("out/x.pdf"),
                now: s("a"),
                recorded: s("b"),
            },
            Difference::MissingOnDisk {
                path: s("out/x.pdf"),
            },
            Difference::SignatureInvalid {
                step: Step::Approve,
                who: s("zhangwei"),
                problem: s("bad"),
            },
        ];
        for d in &all {
            let (en, zh) = (d.text(Lang::En), d.text(Lang::Zh));
            assert_ne!(en, zh);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
        assert_eq!(all[9].text(Lang::Zh), "zhangwei 的批准签名不成立：bad");
    }
}

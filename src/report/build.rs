//! `report::build`: KPI results + catalogue + report-list entry + template →
//! [`ReportDoc`], for each audience (customer per SLA, internal, supplier per UC).
//!
//! Pure: no I/O, no clock (the generation time comes in through
//! [`BuildContext::generated_at`]). Sees `model`, `kpi` results and the
//! inputs' `findings::FileCount`; the organisation's name and the finding
//! counts come in as plain values, so neither `workspace` nor the findings
//! themselves are needed. Never `ingest` or a renderer. Every number goes
//! through `numfmt`; every output list is in a defined order (the
//! catalogue's, the results', or sorted), never hash-map order.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::doc::*;
use super::numfmt;
use super::template::{SectionSpec, Template};
use crate::findings::FileCount;
use crate::kpi::corrections::{Effect, Field, LateCorrection, Value as CorrectionValue};
use crate::kpi::{Direction, KpiResults, Miss, Scope, TargetKind, TargetMetric, TargetResult};
use crate::model::catalogue::{Audience, Catalogue, Metric, Op, ReportSpec, Unit};
use crate::model::period::Period;
use crate::model::status::Status;
use crate::timeliness::{Delivery, Share};

/// The most missed tickets one document can list (see `breaches`): a batch
/// keeps this many per target (`KpiResults::cap_missed`).
pub const BREACH_ROWS: usize = 1000;

/// How many missed tickets a document lists unless its template's breaches
/// section says `max_rows` (about six PDF pages).
pub const DEFAULT_BREACH_ROWS: usize = 200;

/// The document's life-cycle state, from the ledger (or a fresh draft).
pub use crate::model::document::DocState;

/// The timeliness of the reporting process (spec §4) as the internal report
/// shows it: the data deliveries per dataset and month, the reports, and the
/// on-time shares the catalogue aims at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeliness {
    pub reports: Vec<TimelinessRow>,
    #[serde(default)]
    pub deliveries: Vec<DeliveryRow>,
    #[serde(default)]
    pub targets: crate::model::catalogue::TimelinessTargets,
}

impl Timeliness {
    /// The archived `timeliness.json`: this shape, or the plain list of report
    /// rows that runs before deliveries were tracked archived.
    pub fn from_archive(bytes: &[u8]) -> Result<Timeliness, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Archived {
            Full(Timeliness),
            Rows(Vec<TimelinessRow>),
        }
        Ok(match serde_json::from_slice(bytes)? {
            Archived::Full(t) => t,
            Archived::Rows(reports) => Timeliness {
                reports,
                ..Timeliness::default()
            },
        })
    }

    /// The on-time share of the data deliveries whose outcome is known.
    pub fn data_share(&self) -> Share {
        let mut s = Share::default();
        for d in self.deliveries.iter().filter(|d| d.state.is_decided()) {
            s.add(d.state == Delivery::OnTime);
        }
        s
    }

    /// The on-time share of the reports whose distribution is decided.
    pub fn report_share(&self) -> Share {
        let mut s = Share::default();
        for d in self
            .reports
            .iter()
            .filter_map(|r| r.distribution)
            .filter(|d| d.is_decided())
        {
            s.add(d == Delivery::OnTime);
        }
        s
    }
}

/// One dataset's delivery for one month (spec §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub dataset: crate::model::records::DatasetKind,
    pub period: Period,
    /// `None` where the holiday data cannot tell the due date.
    pub due: Option<NaiveDate>,
    pub arrived: Option<NaiveDateTime>,
    pub state: Delivery,
}

/// Timeliness of one report and period (spec §4), from the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelinessRow {
    pub report_id: String,
    pub period: String,
    /// `None` where the holiday data cannot tell the date ("pending calendar").
    pub data_due: Option<NaiveDate>,
    pub report_due: Option<NaiveDate>,
    /// Whether the report was distributed by its due date; `None` for the
    /// period being reported (its distribution is still to come).
    #[serde(default)]
    pub distribution: Option<Delivery>,
    pub data_arrived: Option<NaiveDateTime>,
    pub generated: Option<NaiveDateTime>,
    pub approved: Option<NaiveDateTime>,
    pub distributed: Option<NaiveDateTime>,
    /// Something arrived or happened after its due date (or is overdue).
    pub late: bool,
    /// Not late yet, but not done and due soon.
    pub at_risk: bool,
    /// A due date beyond the holiday data: nothing is judged yet.
    #[serde(default)]
    pub pending_calendar: bool,
}

/// How many findings of each severity the run's inputs have (the summary's
/// findings sentence).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingCounts {
    pub errors: usize,
    pub warnings: usize,
    /// Findings for information only.
    pub info: usize,
}

impl FindingCounts {
    /// True when there is no finding at all.
    pub fn is_empty(&self) -> bool {
        self.errors == 0 && self.warnings == 0 && self.info == 0
    }
}

/// Everything one document is built from.
pub struct BuildContext<'a> {
    /// The service provider's name (`[workspace] organisation`).
    pub organisation: &'a str,
    /// Its English name (`[workspace] organisation_en`), for English documents.
    pub organisation_en: Option<&'a str>,
    pub catalogue: &'a Catalogue,
    pub spec: &'a ReportSpec,
    pub period: Period,
    pub results: &'a KpiResults,
    /// Earlier periods of the same frequency, oldest first (for charts and trends).
    pub history: &'a [KpiResults],
    pub inputs: &'a [FileCount],
    /// The validated records (a customer's or supplier's appendix lists the rows its
    /// figures use, `kpi::rows::rows_used`).
    pub data: &'a crate::model::records::Dataset,
    pub findings: FindingCounts,
    pub timeliness: &'a Timeliness,
    pub state: DocState,
    pub generated_at: NaiveDateTime,
    pub template: &'a Template,
    /// What the document's fonts print (others are shown as `[U+XXXX]`, see `escape`).
    pub coverage: &'a crate::model::glyphs::Coverage,
    /// The improvement register's items open for the period (`register::open_for`),
    /// every customer's: the builder shows each audience its own.
    pub register: &'a [crate::register::Item],
    /// The document's revision history and review/approval comments, from the
    /// ledger; on the cover, outside the content hash.
    pub trail: &'a Trail,
    /// The rows the document's figures use (`kpi::rows::rows_used` for its
    /// agreements and period), when the caller computed them already (a batch
    /// computes them once for the documents that share agreements); `None`: the
    /// builder computes them.
    pub rows_used: Option<&'a [crate::kpi::rows::FileRows]>,
}

/// What the ledger says about a document (the cover's revision history and the
/// approval block's comments). Outside the content hash: recording a review
/// never makes a new version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    /// Oldest first, up to and including the version being built.
    pub revisions: Vec<Revision>,
    /// The review and approval comments of the version being built, in order.
    pub comments: Vec<Comment>,
}

/// One version in the revision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub version: crate::model::document::DocVersion,
    /// When the version was generated.
    pub date: chrono::NaiveDate,
    pub status: crate::model::document::DocStatus,
    pub change: Change,
}

/// What a version changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    First,
    /// The sections (ids) whose content differs from the version before.
    Updated {
        sections: Vec<String>,
    },
    /// A correction after approval, superseding `supersedes`.
    Reissued {
        supersedes: crate::model::document::DocVersion,
        sections: Vec<String>,
    },
}

/// A review or approval comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// `Reviewed` for a review, `Approved` for an approval.
    pub step: crate::model::document::DocStatus,
    /// Who (a person id or name, as the ledger records it).
    pub who: String,
    pub at: NaiveDateTime,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "report \"{report}\": template {template} is for {template_audience} reports, the report list says {audience}"
    )]
    Audience {
        report: String,
        template: String,
        template_audience: String,
        audience: String,
    },
    #[error(
        "report \"{report}\": KPI results are for period {results}, the report is for {period}"
    )]
    Period {
        report: String,
        results: String,
        period: String,
    },
}

fn audience_str(a: Audience) -> &'static str {
    match a {
        Audience::Customer => "customer",
        Audience::Internal => "internal",
        Audience::Supplier => "supplier",
    }
}

/// SHA-256 (hex) of the document's content: identity (document number,
/// report id, period) and sections, as canonical JSON. Version, status, dates
/// and the hash itself are left out, so an unchanged regeneration keeps its hash.
pub fn content_hash(doc: &ReportDoc) -> String {
    #[derive(Serialize)]
    struct Content<'a> {
        doc_number: &'a str,
        report_id: &'a str,
        period: &'a str,
        sections: &'a [Section],
    }
    let c = Content {
        doc_number: &doc.meta.doc_number,
        report_id: &doc.meta.report_id,
        period: &doc.meta.period,
        sections: &doc.sections,
    };
    // Serialising plain structs, vectors and strings cannot fail.
    let json = serde_json::to_vec(&c).expect("report content serialises to JSON");
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How many versions the cover's revision history lists (the latest ones).
pub const COVER_REVISIONS: usize = 6;

fn iso(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn short(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Build the document.
pub fn build(ctx: &BuildContext) -> Result<ReportDoc, ReportError> {
    let t = ctx.template;
    if let Some(a) = t.audience
        && a != ctx.spec.audience
    {
        return Err(ReportError::Audience {
            report: ctx.spec.id.clone(),
            template: t.path.display().to_string(),
            template_audience: audience_str(a).into(),
            audience: audience_str(ctx.spec.audience).into(),
        });
    }
    if ctx.results.period != ctx.period.to_string() {
        return Err(ReportError::Period {
            report: ctx.spec.id.clone(),
            results: ctx.results.period.clone(),
            period: ctx.period.to_string(),
        });
    }
    let b = Builder { ctx, t };
    // A section that only exists when it has something to say (late corrections)
    // is left out when empty.
    let sections = t
        .sections
        .iter()
        .map(|s| b.section(s))
        .filter(|s| !(s.id == "corrections" && s.blocks.is_empty()))
        .collect();
    let mut doc = ReportDoc {
        meta: b.meta(),
        labels: Labels {
            map: t.labels.clone(),
        },
        style: t.style.clone(),
        sections,
    };
    super::escape::escape_unprintable(&mut doc, ctx.coverage, t.is_zh());
    super::escape::escape_block(&mut doc.meta, ctx.coverage);
    doc.meta.content_hash = content_hash(&doc);
    Ok(doc)
}

/// A built document with the document block of `ctx` instead of its own (its
/// state, times and trail: what lies outside the content hash), its content
/// unchanged. What `build(ctx)` gives, without computing the sections again (a
/// document's appendix digests every row it uses).
pub fn restamp(mut doc: ReportDoc, ctx: &BuildContext) -> ReportDoc {
    let b = Builder {
        ctx,
        t: ctx.template,
    };
    let mut meta = b.meta();
    super::escape::escape_meta(&mut meta, ctx.coverage);
    meta.content_hash = std::mem::take(&mut doc.meta.content_hash);
    doc.meta = meta;
    doc
}

impl Builder<'_, '_> {
    /// The document block of the context (identity, state, times, trail).
    fn meta(&self) -> DocMeta {
        let (ctx, t, b) = (self.ctx, self.t, self);
        // A person by id or name, as the document's language names them.
        let person = |who: &str| b.person_name(who);
        let (party, party_en) = match b.party() {
            // An English document names the party in English (the Chinese name is not repeated).
            (_, Some(en)) if !t.is_zh() => (en, None),
            p => p,
        };
        let st = &ctx.state;
        DocMeta {
            doc_number: ctx.spec.doc_number_for(&ctx.period),
            report_id: ctx.spec.id.clone(),
            // An English document is titled in English where the report list says how.
            title: match &ctx.spec.title_en {
                Some(en) if !t.is_zh() => en.clone(),
                _ => ctx.spec.title.clone(),
            },
            title_en: if t.is_zh() {
                ctx.spec.title_en.clone()
            } else {
                None
            },
            party,
            party_en,
            organisation: match ctx.organisation_en {
                Some(en) if !t.is_zh() => en.to_string(),
                _ => ctx.organisation.to_string(),
            },
            period: ctx.period.to_string(),
            period_label: if t.is_zh() {
                ctx.period.label_zh()
            } else {
                ctx.period.label_en()
            },
            version: st.version.to_string(),
            status: st.status,
            compiler: person(&ctx.spec.compiler),
            reviewer: person(st.reviewed_by.as_deref().unwrap_or(&ctx.spec.reviewer)),
            approver: person(st.approved_by.as_deref().unwrap_or(&ctx.spec.approver)),
            compiled_at: iso(&ctx.generated_at),
            reviewed_at: st.reviewed_at.as_ref().map(iso),
            approved_at: st.approved_at.as_ref().map(iso),
            generated_at: iso(&ctx.generated_at),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            content_hash: String::new(),
            supersedes: st.supersedes.map(|v| v.to_string()),
            language: t.language.clone(),
            unsigned: st.status == crate::model::document::DocStatus::Approved
                && st.approved_how == Some(crate::model::document::SignOff::Unsigned),
            distribution: ctx.spec.recipients.clone(),
            revisions: b.revision_lines(),
            comments: ctx
                .trail
                .comments
                .iter()
                .map(|c| CommentLine {
                    label: b.label(match c.step {
                        crate::model::document::DocStatus::Approved => "approval_comment",
                        _ => "review_comment",
                    }),
                    who: person(&c.who),
                    at: short(&c.at),
                    text: c.text.clone(),
                })
                .collect(),
        }
    }
}

struct Builder<'a, 'b> {
    ctx: &'b BuildContext<'a>,
    t: &'a Template,
}

/// A target of the results with its index (for trends and directions).
type Indexed<'r> = (usize, &'r TargetResult);

fn metric_of(tr: &TargetResult) -> Option<Metric> {
    tr.metric.metric()
}

fn section_metrics(id: &str) -> &'static [Metric] {
    match id {
        "availability" => &[Metric::Availability],
        "incidents" => &[
            Metric::ResponseCompliance,
            Metric::ResolutionCompliance,
            Metric::Mttr,
            Metric::Backlog,
            Metric::MajorIncidents,
        ],
        "changes" => &[Metric::ChangeSuccess, Metric::EmergencyChangeShare],
        "requests" => &[Metric::RequestCompliance, Metric::Mttf],
        "satisfaction" => &[Metric::SatisfactionMean, Metric::SatisfactionShare],
        "capacity" => &[Metric::CapacityPeak, Metric::CapacityDaysOver],
        "supplier" => &[Metric::UcResponseCompliance, Metric::UcRestoreCompliance],
        _ => &[],
    }
}

impl<'a, 'b> Builder<'a, 'b> {
    fn zh(&self) -> bool {
        self.t.is_zh()
    }

    fn label(&self, k: &str) -> String {
        self.t.label(k).to_string()
    }

    /// The revision history as printed: the last [`COVER_REVISIONS`] versions (a
    /// line says how many earlier ones the ledger holds).
    fn revision_lines(&self) -> Vec<RevisionLine> {
        let all = &self.ctx.trail.revisions;
        let skip = all.len().saturating_sub(COVER_REVISIONS);
        let sections = |ids: &[String]| -> String {
            let names: Vec<String> = ids
                .iter()
                .map(|id| {
                    self.t
                        .sections
                        .iter()
                        .find(|s| &s.id == id)
                        .map_or_else(|| id.clone(), |s| s.title.clone())
                })
                .collect();
            names.join(&self.label("list_sep"))
        };
        let mut out: Vec<RevisionLine> = all[skip..]
            .iter()
            .map(|r| RevisionLine {
                version: r.version.to_string(),
                date: r.date.format("%Y-%m-%d").to_string(),
                change: match &r.change {
                    Change::First => self.label("revision_first"),
                    Change::Updated { sections: ids } if ids.is_empty() => {
                        self.label("revision_updated_unknown")
                    }
                    Change::Updated { sections: ids } => self
                        .label("revision_updated")
                        .replace("{sections}", &sections(ids)),
                    Change::Reissued {
                        supersedes,
                        sections: ids,
                    } => self
                        .label("revision_reissued")
                        .replace("{version}", &supersedes.to_string())
                        .replace("{sections}", &sections(ids)),
                },
            })
            .collect();
        if skip > 0 {
            out.insert(
                0,
                RevisionLine {
                    version: String::new(),
                    date: String::new(),
                    change: self
                        .label("revision_earlier")
                        .replace("{n}", &skip.to_string()),
                },
            );
        }
        out
    }

    /// The targets this report covers, in the results' order.
    fn targets(&self) -> Vec<Indexed<'b>> {
        let spec = self.ctx.spec;
        self.ctx
            .results
            .targets
            .iter()
            .enumerate()
            .filter(|(_, tr)| match spec.audience {
                Audience::Internal => {
                    spec.agreements.is_empty()
                        || spec.agreements.contains(&tr.agreement)
                        || tr.kind == TargetKind::Process
                }
                _ => spec.agreements.contains(&tr.agreement),
            })
            .collect()
    }

    fn party(&self) -> (String, Option<String>) {
        let c = self.ctx.catalogue;
        let organisation = self.ctx.organisation;
        if self.ctx.spec.audience == Audience::Internal {
            return (organisation.to_string(), None);
        }
        let ag = self.ctx.spec.agreements.iter().find_map(|id| {
            c.agreement_for(id, &self.ctx.period)
                .or_else(|| c.agreements.iter().find(|a| &a.id == id))
        });
        let Some(ag) = ag else {
            return (organisation.to_string(), None);
        };
        if let Some(cu) = c.customer(&ag.party) {
            (cu.name.clone(), cu.name_en.clone())
        } else if let Some(s) = c.supplier(&ag.party) {
            (s.name.clone(), s.name_en.clone())
        } else if let Some(tm) = c.team(&ag.party) {
            (tm.name.clone(), tm.name_en.clone())
        } else {
            (ag.party.clone(), None)
        }
    }

    fn service_name(&self, id: &str) -> String {
        match self.ctx.catalogue.service(id) {
            Some(s) if !self.zh() => s.name_en.clone().unwrap_or_else(|| s.name.clone()),
            Some(s) => s.name.clone(),
            None => id.to_string(),
        }
    }

    fn customer_name(&self, id: &str) -> String {
        match self.ctx.catalogue.customer(id) {
            Some(c) if !self.zh() => c.name_en.clone().unwrap_or_else(|| c.name.clone()),
            Some(c) => c.name.clone(),
            None => id.to_string(),
        }
    }

    fn metric_name(&self, metric: &TargetMetric) -> String {
        match metric {
            TargetMetric::Process { process, kpi } => format!("{process} · {kpi}"),
            TargetMetric::Agreement(m) => self
                .t
                .metrics
                .get(m.as_str())
                .cloned()
                .unwrap_or_else(|| m.as_str().to_string()),
        }
    }

    fn scope_text(&self, s: &Scope) -> String {
        let mut parts = Vec::new();
        // A customer report is all about one customer: naming it on every row is noise.
        if let Some(c) = &s.customer
            && self.ctx.spec.audience != Audience::Customer
        {
            parts.push(self.customer_name(c));
        }
        if let Some(v) = &s.service {
            parts.push(self.service_name(v));
        }
        if let Some(p) = &s.priority {
            parts.push(p.clone());
        }
        if let Some(r) = &s.resource {
            parts.push(match self.ctx.catalogue.resource(r) {
                Some(x) if !self.zh() => x.name_en.clone().unwrap_or_else(|| x.name.clone()),
                Some(x) => x.name.clone(),
                None => r.clone(),
            });
        }
        if parts.is_empty() {
            self.label("all")
        } else {
            parts.join(" · ")
        }
    }

    /// What a unit label (`unit_hours` = "{n} 小时") puts after the number.
    fn suffix(&self, key: &str) -> String {
        let l = self.t.label(key);
        l.split_once("{n}")
            .map(|(_, s)| s.to_string())
            .unwrap_or_default()
    }

    /// A business-time limit in the document's language (`4 小时`, `15 分钟`,
    /// `1 小时 30 分钟`; `4 h`, `15 min`).
    fn duration_text(&self, secs: i64) -> String {
        let n = |key: &str, v: i64| self.t.label(key).replace("{n}", &v.to_string());
        // Whole minutes, a part minute counted up.
        let mins = (secs.max(0) + 59) / 60;
        let (h, m) = (mins / 60, mins % 60);
        match (h, m) {
            (0, m) => n("unit_minutes", m),
            (h, 0) => n("unit_hours", h),
            (h, m) => format!("{} {}", n("unit_hours", h), n("unit_minutes", m)),
        }
    }

    /// The per-ticket limit of a target, from the catalogue (the result carries it as
    /// written, `4h`, for the JSON).
    fn within_cell(&self, tr: &TargetResult) -> Cell {
        let Some(written) = tr.within.as_deref() else {
            return Cell::Empty;
        };
        let secs = self
            .ctx
            .catalogue
            .agreement_for(&tr.agreement, &self.ctx.period)
            .and_then(|a| {
                a.targets.iter().find(|t| {
                    tr.metric == TargetMetric::Agreement(t.metric)
                        && t.within_text.as_deref() == Some(written)
                        && t.priority.map(|p| p.as_str()) == tr.scope.priority.as_deref()
                        && t.service == tr.scope.service
                })
            })
            .and_then(|t| t.within_secs);
        match secs {
            Some(s) => text(&self.duration_text(s)),
            None => text(written),
        }
    }

    /// The agreement a target belongs to; a process KPI's is the processes' own measures.
    fn agreement_cell(&self, tr: &TargetResult) -> Cell {
        match tr.kind {
            TargetKind::Process => text(&self.label("process_kpi")),
            _ => text(&tr.agreement),
        }
    }

    /// A process's display name: the catalogue's (`name` / `name_en`), else as the KPI
    /// stage names it.
    fn process_name(&self, metric: &TargetMetric, process: &str) -> String {
        let c = self.ctx.catalogue;
        let owner = match metric {
            TargetMetric::Agreement(m) => c.processes.iter().find(|p| p.metrics.contains(m)),
            TargetMetric::Process { .. } => None,
        }
        .or_else(|| c.process(process));
        match owner {
            Some(p) if !self.zh() => p.name_en.clone().unwrap_or_else(|| p.name.clone()),
            Some(p) => p.name.clone(),
            None => process.to_string(),
        }
    }

    /// A value of a target's unit as a cell.
    fn value_cell(&self, tr: &TargetResult, v: f64) -> Cell {
        let n = &self.t.numbers;
        match &tr.unit {
            Unit::Percent => numfmt::percent(v, self.honest_decimals(tr, v, n.percent_decimals)),
            Unit::Hours => numfmt::number(v, n.hours_decimals, &self.suffix("unit_hours")),
            Unit::Count => numfmt::count_f(v),
            Unit::Score | Unit::Unitless => numfmt::score(v, n.score_decimals),
            Unit::Minutes => numfmt::number(v, n.score_decimals, &self.suffix("unit_minutes")),
            Unit::Other(other) => numfmt::number(v, n.score_decimals, &format!(" {other}")),
        }
    }

    /// The decimals to show `v` with so that the shown figure sits on the same
    /// side of the target's threshold as the exact one: 99.8965 % against
    /// ≥ 99.9 % is breached and shows as `99.897%`, never as a "breached
    /// 99.90%". Up to three more decimals than the template's; usually none.
    fn honest_decimals(&self, tr: &TargetResult, v: f64, base: u8) -> u8 {
        let meets = |x: f64| tr.op.meets(x, tr.threshold);
        let exact = meets(v);
        (base..=base.saturating_add(3))
            .find(|&d| meets(numfmt::shown_value(v, d)) == exact)
            .unwrap_or(base.saturating_add(3))
    }

    fn unit_suffix(&self, tr: &TargetResult) -> (String, bool) {
        match &tr.unit {
            Unit::Percent => ("%".into(), true),
            Unit::Hours => (self.suffix("unit_hours"), false),
            Unit::Count | Unit::Score | Unit::Unitless => (String::new(), false),
            Unit::Minutes => (self.suffix("unit_minutes"), false),
            Unit::Other(_) => (format!(" {}", tr.unit), false),
        }
    }

    fn threshold_text(&self, tr: &TargetResult) -> String {
        let (suffix, pct) = self.unit_suffix(tr);
        let c = numfmt::threshold(
            tr.threshold,
            self.t.numbers.threshold_decimals,
            &suffix,
            pct,
        );
        numfmt::cell_text(&c)
    }

    fn target_text(&self, tr: &TargetResult) -> String {
        format!("{} {}", tr.op.symbol(), self.threshold_text(tr))
    }

    fn status_cell(&self, s: Status) -> Cell {
        let key = match s {
            Status::Met => "status_met",
            Status::AtRisk => "status_at_risk",
            Status::Breached => "status_breached",
            Status::NotApplicable => "status_na",
            Status::DataMissing => "status_data_missing",
        };
        Cell::Status(StatusCell {
            status: s,
            label: self.label(key),
        })
    }

    fn actual_cell(&self, tr: &TargetResult) -> Cell {
        match tr.actual {
            Some(v) => self.value_cell(tr, v),
            None => Cell::Text {
                text: self.label("status_na"),
            },
        }
    }

    /// The same target's earlier values, oldest first: `results.trends[i]`
    /// when the KPI stage filled it, else matched in `history`.
    fn points(&self, i: usize, tr: &TargetResult) -> Vec<(String, Option<f64>)> {
        if let Some(tp) = self.ctx.results.trends.get(i)
            && !tp.is_empty()
        {
            return tp.iter().map(|p| (p.period.clone(), p.actual)).collect();
        }
        self.ctx
            .history
            .iter()
            .map(|h| {
                let v = h
                    .targets
                    .iter()
                    .find(|o| {
                        o.agreement == tr.agreement && o.metric == tr.metric && o.scope == tr.scope
                    })
                    .and_then(|o| o.actual);
                (h.period.clone(), v)
            })
            .collect()
    }

    fn trend_cell(&self, i: usize, tr: &TargetResult) -> Cell {
        let prev = self.points(i, tr).last().and_then(|(_, v)| *v);
        let (Some(prev), Some(cur)) = (prev, tr.actual) else {
            return Cell::Trend {
                arrow: String::new(),
                better: None,
            };
        };
        // Compare what is shown: equal at the shown precision = no change.
        let d = self.decimals_of(tr);
        let (a, b) = (numfmt::shown_value(cur, d), numfmt::shown_value(prev, d));
        let arrow = if a > b {
            "↑"
        } else if a < b {
            "↓"
        } else {
            "→"
        };
        let better = match self.ctx.results.directions.get(i) {
            Some(Direction::Better) => Some(true),
            Some(Direction::Worse) => Some(false),
            Some(Direction::Same) => None,
            _ if a == b => None,
            _ => Some((a > b) == (tr.op == Op::Ge)),
        };
        Cell::Trend {
            arrow: arrow.into(),
            better,
        }
    }

    fn decimals_of(&self, tr: &TargetResult) -> u8 {
        let n = &self.t.numbers;
        match tr.unit {
            Unit::Percent => n.percent_decimals,
            Unit::Hours => n.hours_decimals,
            Unit::Count => 0,
            _ => n.score_decimals,
        }
    }

    /// What a figure stands on, in words that fit its metric (the `count` column): a
    /// compliance its met/total, a mean its count (MTTR also median and P90), availability
    /// its service and down minutes, capacity its mean and days over the threshold; a count
    /// nothing (it is its own basis). Empty when there is nothing to say.
    fn basis_text(&self, tr: &TargetResult) -> Option<String> {
        let m = metric_of(tr)?;
        let int = |v: Option<f64>| v.and_then(|v| numfmt::round_text(v, 0));
        let extra = |k: &str| tr.extra.get(k).copied();
        let hours = |v: Option<f64>| {
            v.map(|v| {
                numfmt::cell_text(&numfmt::number(
                    v,
                    self.t.numbers.hours_decimals,
                    &self.suffix("unit_hours"),
                ))
            })
        };
        let key = match m {
            Metric::ResponseCompliance
            | Metric::ResolutionCompliance
            | Metric::RequestCompliance
            | Metric::UcResponseCompliance
            | Metric::UcRestoreCompliance => "basis_met",
            Metric::Availability => "basis_availability",
            Metric::Mttr => "basis_mttr",
            Metric::Mttf => "basis_mttf",
            Metric::SatisfactionMean => "basis_scores",
            Metric::SatisfactionShare => "basis_share",
            Metric::ChangeSuccess => "basis_changes",
            Metric::EmergencyChangeShare => "basis_emergency",
            Metric::CapacityPeak => "basis_capacity",
            Metric::Backlog | Metric::MajorIncidents | Metric::CapacityDaysOver => return None,
        };
        // No population, no basis.
        let d = tr.denominator.filter(|d| *d > 0.0);
        tr.actual?;
        let mut s = self.t.label(key).to_string();
        let fill: [(&str, Option<String>); 8] = [
            ("{n}", int(tr.numerator)),
            ("{d}", int(d)),
            ("{down}", int(extra("downtime_minutes"))),
            ("{median}", hours(extra("median"))),
            ("{p90}", hours(extra("p90"))),
            ("{caused}", int(extra("caused_incidents"))),
            (
                "{mean}",
                extra("mean").and_then(|v| numfmt::round_text(v, self.t.numbers.percent_decimals)),
            ),
            ("{days}", int(extra("days_over"))),
        ];
        for (k, v) in fill {
            if s.contains(k) {
                s = s.replace(k, &v?);
            }
        }
        Some(s)
    }

    fn count_cell(&self, tr: &TargetResult) -> Cell {
        match self.basis_text(tr) {
            Some(t) => text(&t),
            None => Cell::Empty,
        }
    }

    fn target_row(&self, (i, tr): Indexed, columns: &[String]) -> Vec<Cell> {
        columns
            .iter()
            .map(|c| match c.as_str() {
                "agreement" => self.agreement_cell(tr),
                "metric" => text(&self.metric_name(&tr.metric)),
                "scope" => text(&self.scope_text(&tr.scope)),
                "within" => self.within_cell(tr),
                "target" => text(&self.target_text(tr)),
                "actual" => self.actual_cell(tr),
                "status" => self.status_cell(tr.status),
                "trend" => self.trend_cell(i, tr),
                "count" => self.count_cell(tr),
                _ => Cell::Empty,
            })
            .collect()
    }

    /// An untitled table of `rows` under the template's `columns`.
    fn table(&self, id: &str, columns: &[String], rows: Vec<Vec<Cell>>) -> Block {
        Block::Table(Table {
            id: id.into(),
            title: None,
            columns: self.columns(columns),
            rows,
        })
    }

    fn columns(&self, keys: &[String]) -> Vec<Column> {
        keys.iter()
            .map(|k| Column {
                key: k.clone(),
                label: self.t.column(k).to_string(),
                align: match k.as_str() {
                    "actual" | "target" | "count" | "read" | "accepted" | "rejected" | "blank"
                    | "used" | "avg3" | "avg6" | "avg12" => Align::Right,
                    "status" | "trend" | "open" | "priority" => Align::Center,
                    "limit" | "taken" | "overrun" | "paused" => Align::Right,
                    _ => Align::Left,
                },
                width: match k.as_str() {
                    "sha256" | "digest" => 6.0,
                    "reason" | "file" | "action" => 2.5,
                    "item" | "due" => 1.3,
                    "owner" => 0.8,
                    "metric" | "scope" | "count" => 1.6,
                    "trend" | "open" | "priority" => 0.6,
                    "ticket" => 1.3,
                    "opened" => 1.7,
                    "taken" | "overrun" => 1.3,
                    _ => 1.0,
                },
            })
            .collect()
    }

    fn target_table(
        &self,
        id: &str,
        title: Option<String>,
        rows: &[Indexed],
        keys: &[String],
    ) -> Block {
        Block::Table(Table {
            id: id.to_string(),
            title,
            columns: self.columns(keys),
            rows: rows.iter().map(|r| self.target_row(*r, keys)).collect(),
        })
    }

    /// The summary's sentence on a target that is breached, at risk or without its data;
    /// none for a met or N/A one.
    fn sentence(&self, tr: &TargetResult) -> Option<String> {
        let key = match tr.status {
            Status::Met | Status::NotApplicable => return None,
            Status::AtRisk => "sentence_at_risk",
            Status::Breached => "sentence_breached",
            Status::DataMissing => "sentence_data_missing",
        };
        let scope = self.scope_text(&tr.scope);
        let scope = if scope == self.label("all") {
            String::new()
        } else if self.zh() {
            format!("（{scope}）")
        } else {
            format!(" ({scope})")
        };
        let actual = numfmt::cell_text(&self.actual_cell(tr));
        let basis = match self.basis_text(tr) {
            Some(b) if self.zh() => format!("（{b}）"),
            Some(b) => format!(" ({b})"),
            None => String::new(),
        };
        // Below a ≥ target, above a ≤ one.
        let cmp = match tr.op {
            Op::Ge => self.label("cmp_below"),
            Op::Le => self.label("cmp_above"),
        };
        let margin = tr.at_risk_margin.map(|m| {
            let (suffix, pct) = self.unit_suffix(tr);
            numfmt::cell_text(&numfmt::threshold(
                m,
                self.t.numbers.threshold_decimals,
                &suffix,
                pct,
            ))
        });
        Some(
            self.t
                .label(key)
                .replace("{metric}", &self.metric_name(&tr.metric))
                .replace("{scope}", &scope)
                .replace("{actual}", &actual)
                .replace("{target}", &self.threshold_text(tr))
                .replace("{cmp}", &cmp)
                .replace("{basis}", &basis)
                .replace("{margin}", margin.as_deref().unwrap_or("")),
        )
    }

    fn section(&self, spec: &SectionSpec) -> Section {
        let (id, title, columns) = (spec.id.as_str(), spec.title.as_str(), &spec.columns);
        let all = self.targets();
        let blocks = match id {
            "summary" => self.summary(&all, columns),
            "processes" => {
                let rows: Vec<Indexed> = all
                    .iter()
                    .copied()
                    .filter(|(_, tr)| tr.kind == TargetKind::Process)
                    .collect();
                self.simple(id, &rows, columns)
            }
            "incidents" => self.incidents(&all, columns),
            "availability" => self.availability(&all, columns),
            "changes" => {
                let mut b = self.family(id, &all, columns);
                // Change volumes are not kept per customer: internal reports only.
                let ch = &self.ctx.results.volumes.changes;
                if self.ctx.spec.audience == Audience::Internal && !ch.is_empty() {
                    b.push(Block::Heading {
                        text: self.label("change_types"),
                    });
                    let mut pairs = Vec::new();
                    for (key, label) in [
                        ("standard", "change_standard"),
                        ("normal", "change_normal"),
                        ("emergency", "change_emergency"),
                        ("*", "total"),
                    ] {
                        pairs.push((
                            self.label(label),
                            ch.get(key).copied().unwrap_or(0).to_string(),
                        ));
                    }
                    b.push(Block::KeyValue { pairs });
                }
                b
            }
            "breaches" => {
                self.breaches(&all, columns, spec.max_rows.unwrap_or(DEFAULT_BREACH_ROWS))
            }
            "improvements" => self.improvements(columns),
            "trends" => self.trends(&all, columns),
            "timeliness" => self.timeliness(columns),
            "corrections" => self.corrections(columns),
            "appendix" => self.appendix(columns),
            _ => self.family(id, &all, columns),
        };
        Section {
            id: id.to_string(),
            title: title.to_string(),
            blocks,
        }
    }

    fn no_data(&self) -> Block {
        Block::Paragraph {
            text: self.label("no_data"),
        }
    }

    fn simple(&self, id: &str, rows: &[Indexed], columns: &[String]) -> Vec<Block> {
        if rows.is_empty() {
            return vec![self.no_data()];
        }
        vec![self.target_table(id, None, rows, columns)]
    }

    fn family(&self, id: &str, all: &[Indexed], columns: &[String]) -> Vec<Block> {
        let ms = section_metrics(id);
        let rows: Vec<Indexed> = all
            .iter()
            .copied()
            .filter(|(_, tr)| metric_of(tr).is_some_and(|m| ms.contains(&m)))
            .collect();
        self.simple(id, &rows, columns)
    }

    fn summary(&self, all: &[Indexed], columns: &[String]) -> Vec<Block> {
        if all.is_empty() {
            return vec![self.no_data()];
        }
        let mut b = vec![self.target_table("summary", None, all, columns)];
        let n = |s: Status| {
            all.iter()
                .filter(|(_, tr)| tr.status == s)
                .count()
                .to_string()
        };
        b.push(Block::Paragraph {
            text: self
                .t
                .label("summary_counts")
                .replace("{total}", &all.len().to_string())
                .replace("{met}", &n(Status::Met))
                .replace("{at_risk}", &n(Status::AtRisk))
                .replace("{breached}", &n(Status::Breached))
                .replace(
                    "{other}",
                    &(all
                        .iter()
                        .filter(|(_, tr)| {
                            matches!(tr.status, Status::NotApplicable | Status::DataMissing)
                        })
                        .count())
                    .to_string(),
                ),
        });
        // One sentence for each target that needs attention; met ones are in the table.
        for (_, tr) in all {
            if let Some(text) = self.sentence(tr) {
                b.push(Block::Paragraph { text });
            }
        }
        // The run's findings concern every party's files: the internal report's.
        let findings = self.ctx.findings;
        if self.ctx.spec.audience == Audience::Internal
            && (!findings.is_empty() || !self.ctx.inputs.is_empty())
        {
            let (errors, warnings) = (findings.errors, findings.warnings);
            b.push(Block::Paragraph {
                text: self
                    .t
                    .label("findings_summary")
                    .replace("{errors}", &errors.to_string())
                    .replace("{warnings}", &warnings.to_string()),
            });
        }
        b
    }

    /// Category labels of a trend chart: every earlier period any row has a
    /// point for (sorted; same frequency, so text order is time order), then this one.
    fn periods_axis(&self, rows: &[Indexed]) -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .flat_map(|(i, tr)| self.points(*i, tr).into_iter().map(|(p, _)| p))
            .filter(|p| *p != self.ctx.results.period)
            .collect();
        v.sort();
        v.dedup();
        v.push(self.ctx.results.period.clone());
        v
    }

    fn availability(&self, all: &[Indexed], columns: &[String]) -> Vec<Block> {
        let rows: Vec<Indexed> = all
            .iter()
            .copied()
            .filter(|(_, tr)| metric_of(tr) == Some(Metric::Availability))
            .collect();
        let mut b = self.simple("availability", &rows, columns);
        if let Some(chart) = self.trend_chart(
            "availability_trend",
            &self.label("chart_availability"),
            &rows,
            ChartKind::Line,
        ) {
            b.push(Block::Chart(chart));
        }
        b
    }

    /// A line chart of each target's value over the earlier periods and this
    /// one, with the (first) target's threshold as the target line.
    fn trend_chart(
        &self,
        id: &str,
        title: &str,
        rows: &[Indexed],
        kind: ChartKind,
    ) -> Option<Chart> {
        let first = rows.first()?;
        let categories = self.periods_axis(rows);
        let series: Vec<Series> = rows
            .iter()
            .map(|(i, tr)| {
                let pts = self.points(*i, tr);
                // Align on the category periods.
                let mut values: Vec<Option<f64>> = categories[..categories.len() - 1]
                    .iter()
                    .map(|c| pts.iter().find(|(p, _)| p == c).and_then(|(_, v)| *v))
                    .collect();
                values.push(tr.actual);
                let name = match self.scope_text(&tr.scope) {
                    s if s == self.label("all") => self.metric_name(&tr.metric),
                    s => s,
                };
                Series { name, values }
            })
            .collect();
        let lows = series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(std::iter::once(first.1.threshold))
            .fold(f64::INFINITY, f64::min);
        // A readable percent axis: from a round number below the lowest point to 100.
        let y_min = if first.1.unit == Unit::Percent && lows.is_finite() {
            Some((lows - 0.5).floor().max(0.0))
        } else {
            None
        };
        Some(Chart {
            id: id.into(),
            kind,
            title: title.into(),
            categories,
            series,
            target: Some(first.1.threshold),
            y_label: self.label("axis_percent"),
            y_min,
            y_max: if first.1.unit == Unit::Percent {
                Some(100.0)
            } else {
                None
            },
        })
    }

    fn incidents(&self, all: &[Indexed], columns: &[String]) -> Vec<Block> {
        let ms = section_metrics("incidents");
        let rows: Vec<Indexed> = all
            .iter()
            .copied()
            .filter(|(_, tr)| metric_of(tr).is_some_and(|m| ms.contains(&m)))
            .collect();
        let mut b = Vec::new();
        if rows.is_empty() {
            b.push(self.no_data());
        }
        let mut priorities: Vec<String> = rows
            .iter()
            .filter_map(|(_, tr)| tr.scope.priority.clone())
            .collect();
        priorities.sort();
        priorities.dedup();
        for p in &priorities {
            let pr: Vec<Indexed> = rows
                .iter()
                .copied()
                .filter(|(_, tr)| tr.scope.priority.as_ref() == Some(p))
                .collect();
            b.push(self.target_table(
                &format!("incidents_{}", p.to_ascii_lowercase()),
                Some(self.t.label("priority_table").replace("{priority}", p)),
                &pr,
                columns,
            ));
        }
        let other: Vec<Indexed> = rows
            .iter()
            .copied()
            .filter(|(_, tr)| tr.scope.priority.is_none())
            .collect();
        if !other.is_empty() {
            b.push(self.target_table(
                "incidents_other",
                Some(self.label("other_metrics")),
                &other,
                columns,
            ));
        }
        // Volume by priority for this report's customers (all customers for internal).
        let vols = &self.ctx.results.volumes;
        let customers: Vec<String> = match self.ctx.spec.audience {
            Audience::Customer => {
                let mut v: Vec<String> = self
                    .ctx
                    .spec
                    .agreements
                    .iter()
                    .filter_map(|id| {
                        self.ctx
                            .catalogue
                            .agreements
                            .iter()
                            .find(|a| &a.id == id)
                            .map(|a| a.party.clone())
                    })
                    .collect();
                v.sort();
                v.dedup();
                v
            }
            _ => vec!["*".to_string()],
        };
        let sum = |m: &BTreeMap<String, BTreeMap<String, u64>>, p: &str| -> Option<f64> {
            let mut any = false;
            let mut total = 0u64;
            for c in &customers {
                if let Some(n) = m.get(c).and_then(|x| x.get(p)) {
                    any = true;
                    total += n;
                }
            }
            any.then_some(total as f64)
        };
        let cats: Vec<String> = ["P1", "P2", "P3", "P4"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let opened: Vec<Option<f64>> = cats
            .iter()
            .map(|p| sum(&vols.incidents_opened, p))
            .collect();
        let resolved: Vec<Option<f64>> = cats
            .iter()
            .map(|p| sum(&vols.incidents_resolved, p))
            .collect();
        if opened.iter().chain(resolved.iter()).any(Option::is_some) {
            b.push(Block::Chart(Chart {
                id: "incident_volume".into(),
                kind: ChartKind::Bar,
                title: self.label("chart_volume"),
                categories: cats,
                series: vec![
                    Series {
                        name: self.label("series_opened"),
                        values: opened.iter().map(|v| Some(v.unwrap_or(0.0))).collect(),
                    },
                    Series {
                        name: self.label("series_resolved"),
                        values: resolved.iter().map(|v| Some(v.unwrap_or(0.0))).collect(),
                    },
                ],
                target: None,
                y_label: self.label("axis_count"),
                y_min: Some(0.0),
                y_max: None,
            }));
        }
        let comp: Vec<Indexed> = rows
            .iter()
            .copied()
            .filter(|(_, tr)| metric_of(tr) == Some(Metric::ResolutionCompliance))
            .collect();
        if let Some(c) = self.trend_chart(
            "compliance_trend",
            &self.label("chart_compliance"),
            &comp,
            ChartKind::Line,
        ) {
            b.push(Block::Chart(c));
        }
        b
    }

    fn breaches(&self, all: &[Indexed], columns: &[String], max_rows: usize) -> Vec<Block> {
        // A document lists at most `max_rows` tickets (the template's, at most
        // BREACH_ROWS), the first of each target by id, target by target: a
        // customer cannot read tens of thousands of lines, and a table that long
        // costs the PDF layout minutes. The count of the rest is said, and the
        // complete list is one `svcreport compute --format json` away (a batch
        // keeps only BREACH_ROWS per target, see `KpiResults::cap_missed`).
        let max_rows = max_rows.min(BREACH_ROWS);
        let total: u64 = all.iter().map(|(_, tr)| tr.missed_count()).sum();
        let mut rows = Vec::new();
        for (_, tr) in all {
            if tr.missed.is_empty() || rows.len() >= max_rows {
                continue;
            }
            let (metric, scope) = (self.metric_name(&tr.metric), self.scope_text(&tr.scope));
            // The engine's lists are sorted by id; results from elsewhere may not be.
            let mut missed: Vec<&Miss> = tr.missed.iter().collect();
            if !missed.is_sorted() {
                missed.sort();
            }
            for m in missed.into_iter().take(max_rows - rows.len()) {
                rows.push(
                    columns
                        .iter()
                        .map(|c| match c.as_str() {
                            "agreement" => self.agreement_cell(tr),
                            "metric" => text(&metric),
                            "scope" => text(&scope),
                            "ticket" => text(&m.id),
                            "service" => m
                                .service
                                .as_deref()
                                .map(|s| text(&self.service_name(s)))
                                .unwrap_or(Cell::Empty),
                            "priority" => {
                                m.priority.map(|p| text(p.as_str())).unwrap_or(Cell::Empty)
                            }
                            "opened" => m
                                .opened
                                .as_ref()
                                .map(|t| text(&short(t)))
                                .unwrap_or(Cell::Empty),
                            "limit" => m
                                .limit_secs
                                .map(|s| text(&self.duration_text(s)))
                                .unwrap_or(Cell::Empty),
                            "taken" => match (m.taken_secs, m.open) {
                                (_, true) => text(&self.label("unresolved")),
                                (Some(s), false) => text(&self.duration_text(s)),
                                (None, false) => Cell::Empty,
                            },
                            "overrun" => m
                                .overrun_secs
                                .map(|s| text(&self.duration_text(s)))
                                .unwrap_or(Cell::Empty),
                            "paused" => m
                                .paused_secs
                                .map(|s| text(&self.duration_text(s)))
                                .unwrap_or(Cell::Empty),
                            "open" => {
                                if m.open {
                                    text(&self.label("open"))
                                } else {
                                    Cell::Empty
                                }
                            }
                            _ => Cell::Empty,
                        })
                        .collect(),
                );
            }
        }
        if rows.is_empty() {
            return vec![Block::Paragraph {
                text: self.label("none"),
            }];
        }
        let more = total.saturating_sub(rows.len() as u64);
        let mut blocks = vec![self.table("breaches", columns, rows)];
        if more > 0 {
            blocks.push(Block::Paragraph {
                text: self
                    .label("breaches_more")
                    .replace("{more}", &more.to_string()),
            });
        }
        blocks
    }

    /// Late corrections of the approved periods this document's figures count
    /// (or leave out): only the document's own parties' tickets, except in the
    /// internal report. Empty when there are none (the section is then left out).
    fn corrections(&self, columns: &[String]) -> Vec<Block> {
        let spec = self.ctx.spec;
        let parties: Vec<&str> = self
            .ctx
            .catalogue
            .agreements
            .iter()
            .filter(|a| spec.agreements.contains(&a.id))
            .map(|a| a.party.as_str())
            .collect();
        let items: Vec<&LateCorrection> = self
            .ctx
            .results
            .late_corrections
            .iter()
            .filter(|c| spec.audience == Audience::Internal || parties.contains(&c.party.as_str()))
            .collect();
        if items.is_empty() {
            return Vec::new();
        }
        let total = items.len();
        let value = |v: &Option<CorrectionValue>| match v {
            None => self.label("correction_empty"),
            Some(CorrectionValue::Time(t)) => short(t),
            Some(CorrectionValue::Priority(p)) => p.as_str().to_string(),
            Some(CorrectionValue::Minutes(m)) => m.to_string(),
        };
        let colon = if self.t.is_zh() { "：" } else { ": " };
        let rows = items
            .iter()
            .take(DEFAULT_BREACH_ROWS)
            .map(|c| {
                let change = c
                    .changes
                    .iter()
                    .map(|f| {
                        let name = self.label(match f.field {
                            Field::Reported => "field_reported",
                            Field::Opened => "field_opened",
                            Field::Priority => "field_priority",
                            Field::Responded => "field_responded",
                            Field::Resolved => "field_resolved",
                            Field::PausedMinutes => "field_paused_minutes",
                        });
                        format!("{name}{colon}{} → {}", value(&f.approved), value(&f.now))
                    })
                    .collect::<Vec<_>>()
                    .join(if self.t.is_zh() { "；" } else { "; " });
                columns
                    .iter()
                    .map(|k| match k.as_str() {
                        "ticket" => text(&c.id),
                        "change" => text(&change),
                        "effect" => text(&self.label(match c.effect {
                            Effect::CountedHere => "effect_counted_here",
                            Effect::StaysApproved => "effect_stays_approved",
                            Effect::Unchanged => "effect_unchanged",
                        })),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        let mut b = vec![self.table("corrections", columns, rows)];
        if total > DEFAULT_BREACH_ROWS {
            b.push(Block::Paragraph {
                text: self
                    .label("corrections_more")
                    .replace("{n}", &(total - DEFAULT_BREACH_ROWS).to_string()),
            });
        }
        b
    }

    /// The register's items open for the period that this audience may see: a
    /// customer's or supplier's own agreements, every item internally.
    fn improvements(&self, columns: &[String]) -> Vec<Block> {
        let spec = self.ctx.spec;
        let items: Vec<_> = self
            .ctx
            .register
            .iter()
            .filter(|it| {
                spec.audience == Audience::Internal || spec.agreements.contains(&it.key.agreement)
            })
            .collect();
        if items.is_empty() {
            return vec![Block::Paragraph {
                text: self.label("none"),
            }];
        }
        let rows = items
            .iter()
            .map(|it| {
                let k = &it.key;
                let now = self.ctx.results.targets.iter().find(|t| {
                    t.agreement == k.agreement && t.metric == k.metric && t.scope == k.scope
                });
                columns
                    .iter()
                    .map(|c| match c.as_str() {
                        "item" => text(&it.label()),
                        "agreement" => match k.metric {
                            TargetMetric::Process { .. } => text(&self.label("process_kpi")),
                            TargetMetric::Agreement(_) => text(&k.agreement),
                        },
                        "metric" => text(&self.metric_name(&k.metric)),
                        "scope" => text(&self.scope_text(&k.scope)),
                        "process" => text(&self.process_name(&k.metric, &it.process)),
                        "owner" => text(&match &it.owner {
                            Some(o) => self.person_name(o),
                            None => self.label("owner_none"),
                        }),
                        "status" => now.map_or(Cell::Empty, |t| self.status_cell(t.status)),
                        "reason" => text(&self.reason(it, now)),
                        "action" => text(
                            it.action
                                .as_deref()
                                .filter(|a| !a.trim().is_empty())
                                .map_or_else(|| self.label("action_none"), str::to_string)
                                .as_str(),
                        ),
                        // Past due by the period's end (not the clock: the same
                        // inputs give the same document).
                        "due" => text(&if it.due < self.ctx.period.last_date() {
                            self.label("item_overdue")
                                .replace("{date}", &it.due.format("%Y-%m-%d").to_string())
                        } else {
                            it.due.format("%Y-%m-%d").to_string()
                        }),
                        "state" => text(&self.label(match it.state {
                            crate::register::ItemState::New => "item_state_new",
                            crate::register::ItemState::InProgress => "item_state_in_progress",
                            crate::register::ItemState::Closed => "item_state_closed",
                        })),
                        "raised" => text(&self.period_label(it.raised)),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        vec![self.table("improvements", columns, rows)]
    }

    /// A period as the document's language names it.
    fn period_label(&self, p: Period) -> String {
        if self.zh() {
            p.label_zh()
        } else {
            p.label_en()
        }
    }

    /// A person by id or name, as the document's language names them.
    fn person_name(&self, who: &str) -> String {
        match self
            .ctx
            .catalogue
            .persons
            .iter()
            .find(|p| p.id == who || p.name == who)
        {
            Some(p) if !self.zh() => p.name_en.clone().unwrap_or_else(|| p.name.clone()),
            Some(p) => p.name.clone(),
            None => who.to_string(),
        }
    }

    /// Why an item is on the register, in the document's language: this period's
    /// breach or second period at risk, or where it was carried over from.
    fn reason(&self, it: &crate::register::Item, now: Option<&TargetResult>) -> String {
        let raised_now = it.last == self.ctx.period;
        match now {
            Some(tr) if raised_now => {
                let key = match it.last_status {
                    Status::Breached => "reason_breached",
                    _ => "reason_at_risk",
                };
                self.t
                    .label(key)
                    .replace("{actual}", &numfmt::cell_text(&self.actual_cell(tr)))
                    .replace("{target}", &self.target_text(tr))
            }
            _ => {
                let mut s = self
                    .t
                    .label("reason_carried")
                    .replace("{raised}", &self.period_label(it.raised))
                    .replace("{last}", &self.period_label(it.last));
                if let Some(tr) = now {
                    s.push_str(
                        &self
                            .t
                            .label("reason_carried_now")
                            .replace("{actual}", &numfmt::cell_text(&self.actual_cell(tr)))
                            .replace("{target}", &self.target_text(tr)),
                    );
                }
                s
            }
        }
    }

    /// Mean over the last `n` periods (this one and the `n - 1` before it),
    /// periods without a value left out; empty when there is none.
    fn mean_cell(&self, i: usize, tr: &TargetResult, n: usize) -> Cell {
        let window: Vec<String> = self
            .ctx
            .period
            .previous(n.saturating_sub(1))
            .iter()
            .map(|p| p.to_string())
            .collect();
        let mut vals: Vec<f64> = self
            .points(i, tr)
            .into_iter()
            .filter(|(p, _)| window.contains(p))
            .filter_map(|(_, v)| v)
            .collect();
        if let Some(a) = tr.actual {
            vals.push(a);
        }
        if vals.is_empty() {
            return Cell::Empty;
        }
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        self.value_cell(tr, mean)
    }

    fn trends(&self, all: &[Indexed], columns: &[String]) -> Vec<Block> {
        if all.is_empty() {
            return vec![self.no_data()];
        }
        let rows = all
            .iter()
            .map(|&(i, tr)| {
                columns
                    .iter()
                    .map(|c| match c.as_str() {
                        "agreement" => self.agreement_cell(tr),
                        "metric" => text(&self.metric_name(&tr.metric)),
                        "scope" => text(&self.scope_text(&tr.scope)),
                        "actual" => self.actual_cell(tr),
                        "avg3" => self.mean_cell(i, tr, 3),
                        "avg6" => self.mean_cell(i, tr, 6),
                        "avg12" => self.mean_cell(i, tr, 12),
                        "trend" => self.trend_cell(i, tr),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        vec![self.table("trends", columns, rows)]
    }

    fn timeliness(&self, columns: &[String]) -> Vec<Block> {
        let t = self.ctx.timeliness;
        if t.reports.is_empty() && t.deliveries.is_empty() {
            return vec![self.no_data()];
        }
        let mut b = vec![self.timeliness_shares(t)];
        if !t.deliveries.is_empty() {
            b.push(self.deliveries(&t.deliveries));
        }
        let mut rows: Vec<&TimelinessRow> = t.reports.iter().collect();
        rows.sort_by(|a, b| (&a.report_id, &a.period).cmp(&(&b.report_id, &b.period)));
        let opt = |t: &Option<NaiveDateTime>| match t {
            Some(t) => text(&short(t)),
            None => Cell::Empty,
        };
        let day = |d: &Option<NaiveDate>| match d {
            Some(d) => text(&d.to_string()),
            None => text(&self.label("pending_calendar")),
        };
        let rows = rows
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| match c.as_str() {
                        "report" => text(&r.report_id),
                        "period" => text(&r.period),
                        "data_due" => day(&r.data_due),
                        "report_due" => day(&r.report_due),
                        "data_arrived" => opt(&r.data_arrived),
                        "generated" => opt(&r.generated),
                        "approved" => opt(&r.approved),
                        "distributed" => opt(&r.distributed),
                        "status" if r.pending_calendar => Cell::Status(StatusCell {
                            status: Status::NotApplicable,
                            label: self.label("pending_calendar"),
                        }),
                        "status" => self.status_cell(if r.late {
                            Status::Breached
                        } else if r.at_risk {
                            Status::AtRisk
                        } else {
                            Status::Met
                        }),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        b.push(self.table("timeliness", columns, rows));
        b
    }

    /// The two on-time shares against the catalogue's targets (spec §4): a
    /// share with nothing decided has no figure ("data missing").
    fn timeliness_shares(&self, t: &Timeliness) -> Block {
        let keys: Vec<String> = ["metric", "actual", "target", "count", "status"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = [
            (
                "timeliness_data_share",
                t.data_share(),
                t.targets.data_on_time,
            ),
            (
                "timeliness_report_share",
                t.report_share(),
                t.targets.reports_on_time,
            ),
        ]
        .into_iter()
        .map(|(label, share, target)| {
            let status = match share.percent() {
                None => Status::DataMissing,
                Some(p) if p >= target => Status::Met,
                Some(_) => Status::Breached,
            };
            vec![
                text(&self.label(label)),
                match share.percent() {
                    Some(p) => numfmt::percent(p, self.t.numbers.percent_decimals),
                    None => text(&self.label("status_data_missing")),
                },
                text(&format!(
                    "{} {}",
                    Op::Ge.symbol(),
                    numfmt::cell_text(&numfmt::threshold(
                        target,
                        self.t.numbers.threshold_decimals,
                        "%",
                        true
                    ))
                )),
                text(&format!("{}/{}", share.on_time, share.decided)),
                self.status_cell(status),
            ]
        })
        .collect();
        self.table("timeliness_shares", &keys, rows)
    }

    /// Each dataset's delivery per month: due, arrived, on time or not.
    fn deliveries(&self, rows: &[DeliveryRow]) -> Block {
        let keys: Vec<String> = ["dataset", "period", "data_due", "data_arrived", "status"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut rows: Vec<&DeliveryRow> = rows.iter().collect();
        rows.sort_by_key(|r| (r.period, r.dataset));
        let rows = rows
            .iter()
            .map(|r| {
                let (status, label) = match r.state {
                    Delivery::OnTime => (Status::Met, "delivery_on_time"),
                    Delivery::Late => (Status::Breached, "delivery_late"),
                    Delivery::Missing => (Status::DataMissing, "status_data_missing"),
                    Delivery::NotDue => (Status::NotApplicable, "delivery_not_due"),
                    Delivery::PendingCalendar => (Status::NotApplicable, "pending_calendar"),
                };
                vec![
                    text(&self.label(&format!("dataset_{}", r.dataset.name()))),
                    text(&r.period.to_string()),
                    match r.due {
                        Some(d) => text(&d.to_string()),
                        None => text(&self.label("pending_calendar")),
                    },
                    match r.arrived {
                        Some(t) => text(&short(&t)),
                        None => Cell::Empty,
                    },
                    Cell::Status(StatusCell {
                        status,
                        label: self.label(label),
                    }),
                ]
            })
            .collect();
        self.table("deliveries", &keys, rows)
    }

    fn appendix(&self, columns: &[String]) -> Vec<Block> {
        if self.ctx.spec.audience != Audience::Internal {
            return self.own_appendix(columns);
        }
        let mut files: Vec<&FileCount> = self.ctx.inputs.iter().collect();
        files.sort_by(|a, b| a.file.cmp(&b.file));
        let mut b = Vec::new();
        if files.is_empty() {
            b.push(self.no_data());
            return b;
        }
        let rows = files
            .iter()
            .map(|f| {
                columns
                    .iter()
                    .map(|c| match c.as_str() {
                        "file" => text(&f.file),
                        "sheets" => text(
                            &f.sheets
                                .iter()
                                .map(|s| s.sheet.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        "read" => numfmt::count(f.read()),
                        "accepted" | "used" => numfmt::count(f.accepted()),
                        "rejected" => numfmt::count(f.rejected()),
                        "blank" => numfmt::count(f.blank()),
                        "sha256" | "digest" => text(&f.sha256),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        b.push(self.table("inputs", columns, rows));
        b.push(Block::Paragraph {
            text: self.label("appendix_note"),
        });
        b
    }

    /// A customer's or supplier's appendix: only the rows its figures use, per
    /// file, with their digest; never another party's files or volumes, never
    /// a whole file's hash (another party's edit would change it).
    fn own_appendix(&self, columns: &[String]) -> Vec<Block> {
        let computed;
        let used: &[crate::kpi::rows::FileRows] = match self.ctx.rows_used {
            Some(u) => u,
            None => {
                computed = crate::kpi::rows::rows_used(
                    self.ctx.catalogue,
                    self.ctx.data,
                    &self.ctx.period,
                    &self.ctx.spec.agreements,
                );
                &computed
            }
        };
        // The parties of the document's agreements (customers, suppliers).
        let parties: Vec<&str> = self
            .ctx
            .spec
            .agreements
            .iter()
            .filter_map(|id| {
                self.ctx
                    .catalogue
                    .agreement_for(id, &self.ctx.period)
                    .map(|a| a.party.as_str())
            })
            .collect();
        // Per file: (sheets, rows used, rejected rows naming a party, digest).
        type Own<'d> = (Vec<String>, u64, u64, Option<&'d str>);
        let mut files: BTreeMap<&str, Own> = BTreeMap::new();
        for f in used {
            let e = files.entry(f.file.as_str()).or_default();
            e.0.extend(f.sheets.iter().cloned());
            e.1 = f.rows;
            e.3 = Some(f.digest.as_str());
        }
        for fc in self.ctx.inputs {
            for sc in &fc.sheets {
                let n: u64 = parties
                    .iter()
                    .filter_map(|p| sc.rejected_parties.get(*p))
                    .sum();
                if n > 0 {
                    let e = files.entry(fc.file.as_str()).or_default();
                    if !e.0.contains(&sc.sheet) {
                        e.0.push(sc.sheet.clone());
                    }
                    e.2 += n;
                }
            }
        }
        if files.is_empty() {
            return vec![self.no_data()];
        }
        let rows = files
            .iter()
            .map(|(file, (sheets, n, rejected, digest))| {
                let mut sheets = sheets.clone();
                sheets.sort();
                sheets.dedup();
                columns
                    .iter()
                    .map(|c| match c.as_str() {
                        "file" => text(file),
                        "sheets" => text(&sheets.join(", ")),
                        "used" | "accepted" | "read" => numfmt::count(*n),
                        "rejected" => numfmt::count(*rejected),
                        "digest" | "sha256" => digest.map(text).unwrap_or(Cell::Empty),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        vec![
            self.table("inputs", columns, rows),
            Block::Paragraph {
                text: self.label("appendix_note"),
            },
        ]
    }
}

fn text(s: &str) -> Cell {
    Cell::Text {
        text: s.to_string(),
    }
}

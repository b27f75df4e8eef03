//! Integration tests: kpi. Every expectation is computed by hand in the comment
//! next to it (October 2026 = 31 days = 44 640 minutes; 22 weekdays).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use svcreport::kpi::{
    self, Direction, KpiInput, KpiResults, Miss, TargetKind, TargetMetric, TargetResult,
};
use svcreport::model::calendar::{BusinessClock, CalendarError, Calendars};
use svcreport::model::catalogue::*;
use svcreport::model::period::Period;
use svcreport::model::records::*;
use svcreport::model::status::Status;

// ---------------------------------------------------------------- helpers

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}
fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Mon–Fri 09:00–18:00, no holidays (a stand-in office calendar).
struct Office;
impl Office {
    fn window(day: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return None;
        }
        Some((
            day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
            day.and_time(NaiveTime::from_hms_opt(18, 0, 0).unwrap()),
        ))
    }
}
impl BusinessClock for Office {
    fn business_seconds(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, CalendarError> {
        let mut t = 0;
        let mut day = from.date();
        while day <= to.date() {
            if let Some((o, c)) = Self::window(day) {
                let (a, b) = (o.max(from), c.min(to));
                if b > a {
                    t += (b - a).num_seconds();
                }
            }
            day = day.succ_opt().unwrap();
        }
        Ok(t)
    }
    fn add_business_seconds(
        &self,
        from: NaiveDateTime,
        secs: i64,
    ) -> Result<NaiveDateTime, CalendarError> {
        let mut left = secs.max(0);
        if left == 0 {
            return Ok(from);
        }
        let mut day = from.date();
        loop {
            if let Some((o, c)) = Self::window(day) {
                let a = o.max(from);
                if c > a {
                    let avail = (c - a).num_seconds();
                    if left <= avail {
                        return Ok(a + Duration::seconds(left));
                    }
                    left -= avail;
                }
            }
            day = day.succ_opt().unwrap();
        }
    }
}

fn tgt(metric: Metric, op: Op, threshold: f64) -> Target {
    Target {
        metric,
        priority: None,
        service: None,
        customer: None,
        resource: None,
        within_secs: None,
        within_text: None,
        op,
        threshold,
        unit: metric.default_unit(),
        at_risk: None,
    }
}
fn within(mut t: Target, secs: i64, text: &str) -> Target {
    t.within_secs = Some(secs);
    t.within_text = Some(text.to_string());
    t
}
fn prio(mut t: Target, p: Priority) -> Target {
    t.priority = Some(p);
    t
}
fn svc(mut t: Target, s: &str) -> Target {
    t.service = Some(s.to_string());
    t
}

#[allow(clippy::too_many_arguments)] // a table row of the test catalogue
fn agreement(
    id: &str,
    kind: AgreementKind,
    version: &str,
    party: &str,
    services: &[&str],
    from: &str,
    to: Option<&str>,
    targets: Vec<Target>,
) -> Agreement {
    Agreement {
        id: id.into(),
        kind,
        version: version.into(),
        title: None,
        party: party.into(),
        services: services.iter().map(|s| s.to_string()).collect(),
        effective_from: d(from),
        effective_to: to.map(d),
        calendar: None,
        targets,
    }
}

const H: i64 = 3600;
const M: i64 = 60;

fn catalogue() -> Catalogue {
    use Metric::*;
    use Op::*;
    let mut avail_email = svc(tgt(Availability, Ge, 99.9), "email");
    avail_email.at_risk = Some(0.05);
    Catalogue {
        persons: vec![],
        timeliness: Default::default(),
        customer_aliases: Default::default(),
        service_aliases: Default::default(),
        processes: vec![],
        resources: vec![],
        customers: vec![],
        services: vec![],
        suppliers: vec![],
        teams: vec![],
        calendars: BTreeMap::new(),
        agreements: vec![
            agreement(
                "SLA-ACME",
                AgreementKind::Sla,
                "1.0",
                "acme",
                &["email", "erp"],
                "2026-01-01",
                Some("2026-09-30"),
                vec![svc(tgt(Availability, Ge, 99.0), "email")],
            ),
            agreement(
                "SLA-ACME",
                AgreementKind::Sla,
                "2.0",
                "acme",
                &["email", "erp"],
                "2026-10-01",
                None,
                vec![
                    avail_email,                             // 0
                    svc(tgt(Availability, Ge, 99.0), "erp"), // 1
                    prio(
                        within(tgt(ResponseCompliance, Ge, 95.0), 15 * M, "15m"),
                        Priority::P1,
                    ), // 2
                    prio(
                        within(tgt(ResolutionCompliance, Ge, 90.0), 4 * H, "4h"),
                        Priority::P1,
                    ), // 3
                    svc(
                        prio(
                            within(tgt(ResolutionCompliance, Ge, 90.0), 8 * H, "8h"),
                            Priority::P2,
                        ),
                        "erp",
                    ), // 4
                    prio(tgt(Mttr, Le, 4.0), Priority::P1),  // 5
                    tgt(Backlog, Le, 5.0),                   // 6
                    tgt(MajorIncidents, Le, 0.0),            // 7
                    tgt(ChangeSuccess, Ge, 95.0),            // 8
                    tgt(EmergencyChangeShare, Le, 10.0),     // 9
                    within(tgt(RequestCompliance, Ge, 90.0), 24 * H, "24h"), // 10
                    tgt(Mttf, Le, 24.0),                     // 11
                    tgt(SatisfactionMean, Ge, 4.0),          // 12
                    tgt(SatisfactionShare, Ge, 80.0),        // 13
                    tgt(CapacityPeak, Le, 85.0),             // 14, 15 (db01, web01)
                    tgt(CapacityDaysOver, Le, 2.0),          // 16, 17
                    prio(
                        within(tgt(ResolutionCompliance, Ge, 90.0), 24 * H, "24h"),
                        Priority::P3,
                    ), // 18
                ],
            ),
            agreement(
                "SLA-BETA",
                AgreementKind::Sla,
                "1.0",
                "beta",
                &["email"],
                "2026-01-01",
                None,
                vec![tgt(Availability, Ge, 99.9)],
            ),
            agreement(
                "UC-NETCO",
                AgreementKind::Uc,
                "3",
                "netco",
                &["email"],
                "2026-01-01",
                None,
                vec![
                    within(tgt(UcResponseCompliance, Ge, 95.0), 30 * M, "30m"),
                    within(tgt(UcRestoreCompliance, Ge, 90.0), 4 * H, "4h"),
                ],
            ),
        ],
        process_kpis: vec![ProcessKpiTarget {
            process: "变更管理".into(),
            kpi: "变更成功率".into(),
            op: Ge,
            threshold: 95.0,
            unit: Some(Unit::Percent),
            at_risk: Some(1.0),
        }],
        reports: vec![],
    }
}

fn calendars() -> Calendars {
    let mut c = Calendars::new();
    c.insert("office", Arc::new(Office));
    c.assign("email", "7x24");
    c.assign("erp", "office");
    c
}

fn src() -> SourceRef {
    SourceRef::default()
}

#[allow(clippy::too_many_arguments)]
fn inc(
    id: &str,
    cust: &str,
    service: &str,
    p: Priority,
    opened: &str,
    responded: Option<&str>,
    resolved: Option<&str>,
    paused_min: i64,
) -> Incident {
    Incident {
        id: id.into(),
        customer: cust.into(),
        service: service.into(),
        priority: p,
        opened: dt(opened),
        responded: responded.map(dt),
        resolved: resolved.map(dt),
        closed: None,
        paused_secs: paused_min * 60,
        status: None,
        major: false,
        resolved_at_close: false,
        from_events: false,
        satisfaction: None,
        src: src(),
    }
}

fn outage(
    service: &str,
    customer: Option<&str>,
    start: &str,
    end: Option<&str>,
    planned: bool,
) -> Outage {
    Outage {
        service: service.into(),
        customer: customer.map(Sym::from),
        start: dt(start),
        end: end.map(dt),
        planned,
        description: None,
        src: src(),
    }
}

fn change(
    id: &str,
    cust: Option<&str>,
    service: &str,
    kind: ChangeType,
    end: &str,
    result: Option<ChangeResult>,
    caused: bool,
) -> Change {
    Change {
        id: id.into(),
        customer: cust.map(Sym::from),
        service: service.into(),
        kind,
        planned_start: None,
        planned_end: None,
        actual_end: Some(dt(end)),
        result,
        caused_incident: caused,
        src: src(),
    }
}

fn req(
    id: &str,
    opened: &str,
    fulfilled: Option<&str>,
    paused_min: i64,
    score: Option<u8>,
) -> Request {
    Request {
        id: id.into(),
        customer: "acme".into(),
        service: "email".into(),
        opened: dt(opened),
        fulfilled: fulfilled.map(dt),
        paused_secs: paused_min * 60,
        status: None,
        satisfaction: score,
        src: src(),
    }
}

fn survey(cust: &str, service: Option<&str>, date: &str, score: u8) -> Survey {
    Survey {
        customer: cust.into(),
        service: service.map(Sym::from),
        date: d(date),
        score,
        comment: None,
        src: src(),
    }
}

fn st(
    contract: &str,
    id: &str,
    p: Priority,
    reported: &str,
    responded: Option<&str>,
    restored: Option<&str>,
) -> SupplierTicket {
    SupplierTicket {
        supplier: "netco".into(),
        contract: contract.into(),
        id: id.into(),
        priority: p,
        reported: dt(reported),
        responded: responded.map(dt),
        restored: restored.map(dt),
        src: src(),
    }
}

fn cap(
    resource: &str,
    service: &str,
    date: &str,
    util: f64,
    threshold: Option<f64>,
) -> CapacitySample {
    CapacitySample {
        resource: resource.into(),
        service: Some(service.into()),
        date: d(date),
        utilisation: util,
        threshold,
        src: src(),
    }
}

fn pkv(period: &str, value: f64) -> ProcessKpiValue {
    ProcessKpiValue {
        process: "变更管理".into(),
        kpi: "变更成功率".into(),
        period: Period::parse(period).unwrap(),
        value,
        unit: Some("%".into()),
        src: src(),
    }
}

fn dataset() -> Dataset {
    use Priority::*;
    let mut i4 = inc(
        "INC-004",
        "acme",
        "email",
        P1,
        "2026-10-31 22:00",
        Some("2026-10-31 22:05"),
        None,
        0,
    );
    i4.satisfaction = Some(1); // unresolved: its score does not count yet
    let mut i6 = inc(
        "INC-006",
        "acme",
        "email",
        P1,
        "2026-10-20 10:00",
        None,
        None,
        0,
    );
    i6.major = true;
    let mut i1 = inc(
        "INC-001",
        "acme",
        "email",
        P1,
        "2026-10-02 08:00",
        Some("2026-10-02 08:10"),
        Some("2026-10-02 11:00"),
        0,
    );
    i1.satisfaction = Some(5);
    let mut i3 = inc(
        "INC-003",
        "acme",
        "email",
        P1,
        "2026-10-04 09:00",
        Some("2026-10-04 09:05"),
        Some("2026-10-04 14:00"),
        0,
    );
    i3.satisfaction = Some(4);
    Dataset {
        incidents: vec![
            i6,
            i1,
            inc(
                "INC-002",
                "acme",
                "email",
                P1,
                "2026-10-03 09:00",
                Some("2026-10-03 09:20"),
                Some("2026-10-03 14:00"),
                90,
            ),
            i3,
            i4,
            inc(
                "INC-005",
                "acme",
                "email",
                P1,
                "2026-09-29 10:00",
                Some("2026-09-29 10:05"),
                Some("2026-10-02 10:00"),
                0,
            ),
            inc(
                "INC-007",
                "beta",
                "email",
                P1,
                "2026-10-06 10:00",
                Some("2026-10-06 12:00"),
                None,
                0,
            ),
            inc(
                "INC-008",
                "acme",
                "erp",
                P2,
                "2026-10-09 14:00",
                None,
                Some("2026-10-12 12:00"),
                0,
            ),
            inc(
                "INC-009",
                "acme",
                "erp",
                P2,
                "2026-10-30 15:00",
                None,
                None,
                0,
            ),
            inc(
                "INC-010",
                "acme",
                "erp",
                P2,
                "2026-10-15 09:00",
                None,
                Some("2026-10-16 10:00"),
                0,
            ),
        ],
        outages: vec![
            outage(
                "email",
                None,
                "2026-10-05 10:00",
                Some("2026-10-05 11:00"),
                false,
            ),
            outage(
                "email",
                Some("acme"),
                "2026-10-05 10:30",
                Some("2026-10-05 11:30"),
                false,
            ),
            outage(
                "email",
                None,
                "2026-10-10 02:00",
                Some("2026-10-10 04:00"),
                true,
            ),
            outage(
                "email",
                None,
                "2026-09-30 23:00",
                Some("2026-10-01 00:30"),
                false,
            ),
            outage(
                "email",
                Some("beta"),
                "2026-10-20 08:00",
                Some("2026-10-20 09:00"),
                false,
            ),
            outage("email", None, "2026-10-31 23:50", None, false),
            outage(
                "erp",
                None,
                "2026-10-03 10:00",
                Some("2026-10-03 14:00"),
                false,
            ),
            outage(
                "erp",
                None,
                "2026-10-12 17:00",
                Some("2026-10-12 19:00"),
                false,
            ),
        ],
        changes: vec![
            change(
                "CHG-1",
                Some("acme"),
                "email",
                ChangeType::Normal,
                "2026-10-05 10:00",
                Some(ChangeResult::Successful),
                false,
            ),
            change(
                "CHG-2",
                Some("acme"),
                "email",
                ChangeType::Emergency,
                "2026-10-06 10:00",
                Some(ChangeResult::Failed),
                true,
            ),
            change(
                "CHG-3",
                Some("acme"),
                "erp",
                ChangeType::Normal,
                "2026-10-07 10:00",
                Some(ChangeResult::Successful),
                false,
            ),
            change(
                "CHG-4",
                Some("acme"),
                "email",
                ChangeType::Normal,
                "2026-10-08 10:00",
                Some(ChangeResult::RolledBack),
                false,
            ),
            change(
                "CHG-5",
                Some("acme"),
                "email",
                ChangeType::Standard,
                "2026-10-09 10:00",
                None,
                false,
            ),
            change(
                "CHG-6",
                Some("acme"),
                "email",
                ChangeType::Normal,
                "2026-09-30 10:00",
                Some(ChangeResult::Successful),
                false,
            ),
            change(
                "CHG-7",
                Some("beta"),
                "email",
                ChangeType::Normal,
                "2026-10-10 10:00",
                Some(ChangeResult::Failed),
                false,
            ),
            change(
                "CHG-8",
                None,
                "erp",
                ChangeType::Standard,
                "2026-10-11 10:00",
                Some(ChangeResult::Successful),
                false,
            ),
        ],
        requests: vec![
            req(
                "REQ-1",
                "2026-10-01 09:00",
                Some("2026-10-01 17:00"),
                0,
                Some(5),
            ),
            req(
                "REQ-2",
                "2026-10-02 09:00",
                Some("2026-10-03 12:00"),
                240,
                None,
            ),
            req(
                "REQ-3",
                "2026-10-05 09:00",
                Some("2026-10-07 09:00"),
                0,
                Some(2),
            ),
            req("REQ-4", "2026-10-31 12:00", None, 0, None),
            req("REQ-5", "2026-10-10 09:00", None, 0, None),
        ],
        surveys: vec![
            survey("acme", Some("email"), "2026-10-15", 4),
            survey("acme", None, "2026-10-20", 3),
            survey("acme", None, "2026-09-30", 1),
            survey("beta", None, "2026-10-15", 1),
        ],
        process_kpis: vec![pkv("2026-10", 95.5), pkv("2026-09", 95.2)],
        supplier_tickets: vec![
            st(
                "UC-NETCO",
                "ST-1",
                Priority::P1,
                "2026-10-03 10:00",
                Some("2026-10-03 10:20"),
                Some("2026-10-03 12:00"),
            ),
            st(
                "UC-NETCO",
                "ST-2",
                Priority::P1,
                "2026-10-04 10:00",
                Some("2026-10-04 10:45"),
                Some("2026-10-04 16:00"),
            ),
            st(
                "UC-NETCO",
                "ST-3",
                Priority::P2,
                "2026-10-31 23:45",
                None,
                None,
            ),
            st(
                "UC-OTHER",
                "ST-4",
                Priority::P1,
                "2026-10-05 10:00",
                None,
                None,
            ),
        ],
        capacity: vec![
            cap("db01", "email", "2026-10-01", 70.0, None),
            cap("db01", "email", "2026-10-02", 90.0, None),
            cap("db01", "email", "2026-10-03", 88.0, Some(95.0)),
            cap("db01", "email", "2026-10-03", 86.0, None),
            cap("db01", "email", "2026-09-30", 99.0, None),
            cap("web01", "erp", "2026-10-01", 50.0, None),
            cap("web01", "erp", "2026-10-02", 60.0, None),
            cap("x", "other", "2026-10-02", 99.0, None),
        ],
        deliveries: None,
    }
}

struct Run {
    r: KpiResults,
}
impl Run {
    fn get(
        &self,
        agreement: &str,
        metric: &str,
        f: impl Fn(&TargetResult) -> bool,
    ) -> &TargetResult {
        let v: Vec<_> = self
            .r
            .targets
            .iter()
            .filter(|t| t.agreement == agreement && t.metric.to_string() == metric && f(t))
            .collect();
        assert_eq!(v.len(), 1, "{agreement} {metric}: {v:#?}");
        v[0]
    }
}

fn run(period: &str, cat: &Catalogue, data: &Dataset, history: &[KpiResults]) -> Run {
    let cals = calendars();
    let input = KpiInput {
        catalogue: cat,
        calendars: &cals,
        data,
        period: Period::parse(period).unwrap(),
        history,
        closure: None,
    };
    Run {
        r: kpi::compute(&input).unwrap(),
    }
}

fn october() -> Run {
    run("2026-10", &catalogue(), &dataset(), &[])
}

fn ids(m: &[Miss]) -> Vec<(&str, bool)> {
    m.iter().map(|m| (m.id.as_str(), m.open)).collect()
}

fn any(_: &TargetResult) -> bool {
    true
}

// ---------------------------------------------------------------- tests

#[test]
fn availability_merges_clips_and_scopes_by_customer() {
    let o = october();
    // acme/email: 44 640 min; planned 02:00–04:00 = 120 → AST 44 520.
    // Unplanned: 10:00–11:00 (all) ∪ 10:30–11:30 (acme) = 90; Sep 30 23:00–Oct 1 00:30 → 30 in Oct;
    // open from Oct 31 23:50 → 10; beta's 08:00–09:00 not ours. DT = 130.
    let a = o.get("SLA-ACME", "availability", |t| {
        t.scope.service.as_deref() == Some("email")
    });
    assert_eq!(a.version, "2.0");
    assert_eq!(a.numerator, Some(44_390.0));
    assert_eq!(a.denominator, Some(44_520.0));
    assert_eq!(a.actual, Some(44_390.0 / 44_520.0 * 100.0)); // 99.7080 %
    assert_eq!(a.status, Status::Breached);
    assert_eq!(a.extra["planned_minutes"], 120.0);
    assert_eq!(a.extra["downtime_minutes"], 130.0);
    assert_eq!(a.process, "可用性管理");
    // beta/email: 10:00–11:00 (every customer) 60 + 30 + 10 + 60 (its own 08:00–09:00) = 160;
    // acme's own 10:30–11:30 is left out → 44 360 / 44 520.
    let b = o.get("SLA-BETA", "availability", any);
    assert_eq!(b.actual, Some(44_360.0 / 44_520.0 * 100.0));
    assert_eq!(b.extra["downtime_minutes"], 160.0);
    assert_eq!(b.scope.customer.as_deref(), Some("beta"));
    // acme/erp on office hours: 22 weekdays × 540 = 11 880 min. Saturday outage: 0 min;
    // Mon Oct 12 17:00–19:00 → 60 min inside hours. 11 820 / 11 880 = 99.49 % ≥ 99.0 met.
    let e = o.get("SLA-ACME", "availability", |t| {
        t.scope.service.as_deref() == Some("erp")
    });
    assert_eq!(e.denominator, Some(11_880.0));
    assert_eq!(e.numerator, Some(11_820.0));
    assert_eq!(e.status, Status::Met);
}

#[test]
fn response_and_resolution_compliance_follow_the_deadline_rule() {
    let o = october();
    // Response P1, 15 min: INC-001 10 min met; INC-002 20 min missed; INC-003 5 min met;
    // INC-004 5 min met (Oct 31 22:05); INC-005 responded in September (elsewhere);
    // INC-006 never responded → missed at Oct 20 10:15, open. 3 / 5 = 60 %.
    let r = o.get("SLA-ACME", "response_compliance", any);
    assert_eq!((r.numerator, r.denominator), (Some(3.0), Some(5.0)));
    assert_eq!(r.actual, Some(60.0));
    assert_eq!(ids(&r.missed), [("INC-002", false), ("INC-006", true)]);
    assert_eq!(r.status, Status::Breached);
    // Resolution P1, 4 h: INC-001 3 h met; INC-002 5 h − 90 min paused = 3.5 h met;
    // INC-003 5 h missed (known 13:00); INC-004 pending (deadline Nov 1 02:00);
    // INC-005 missed on Sep 29 14:00 → counted in September only although resolved Oct 2;
    // INC-006 open → missed. 2 / 4 = 50 %.
    let r = o.get("SLA-ACME", "resolution_compliance", |t| {
        t.scope.priority.as_deref() == Some("P1")
    });
    assert_eq!((r.numerator, r.denominator), (Some(2.0), Some(4.0)));
    assert_eq!(ids(&r.missed), [("INC-003", false), ("INC-006", true)]);
    assert_eq!(r.extra["pending"], 1.0);
    assert!(
        r.exclusions
            .iter()
            .any(|e| e.starts_with("1 incidents still inside")),
        "{:?}",
        r.exclusions
    );
    assert_eq!(r.within.as_deref(), Some("4h"));
    // The same target in September holds INC-005's miss (opened Sep 29, deadline 14:00),
    // listed as open: at September's end it was not yet resolved.
    let sep = run("2026-09", &catalogue(), &dataset(), &[]);
    // SLA-ACME v1 has no resolution target; compute September against v2's targets instead.
    let mut cat = catalogue();
    cat.agreements[1].effective_from = d("2026-09-01");
    let sep2 = run("2026-09", &cat, &dataset(), &[]);
    let r = sep2.get("SLA-ACME", "resolution_compliance", |t| {
        t.scope.priority.as_deref() == Some("P1")
    });
    assert_eq!(ids(&r.missed), [("INC-005", true)]);
    assert_eq!((r.numerator, r.denominator), (Some(0.0), Some(1.0)));
    assert_eq!(
        sep.r
            .targets
            .iter()
            .filter(|t| t.agreement == "SLA-ACME")
            .count(),
        1
    );
}

#[test]
fn resolution_on_office_hours_and_paused_time() {
    let o = october();
    // P2 erp, 8 business hours. INC-008 Fri 14:00 → Mon 12:00 = 4 h + 3 h = 7 h met.
    // INC-009 Fri Oct 30 15:00 open: 3 h Friday, deadline Mon Nov 2 14:00 → pending.
    // INC-010 Thu 09:00 → Fri 10:00 = 9 h + 1 h = 10 h > 8 → missed, known Thu 17:00.
    let r = o.get("SLA-ACME", "resolution_compliance", |t| {
        t.scope.priority.as_deref() == Some("P2")
    });
    assert_eq!(r.scope.service.as_deref(), Some("erp"));
    assert_eq!((r.numerator, r.denominator), (Some(1.0), Some(2.0)));
    assert_eq!(ids(&r.missed), [("INC-010", false)]);
    assert_eq!(r.extra["pending"], 1.0);
}

#[test]
fn mttr_backlog_major_incidents() {
    let o = october();
    // MTTR P1, resolved in October: INC-001 3 h, INC-002 5 h − 1.5 h = 3.5 h, INC-003 5 h,
    // INC-005 (Sep 29 10:00 → Oct 2 10:00) 72 h. Mean 83.5 / 4 = 20.875; median (3.5 + 5) / 2 = 4.25;
    // P90 = the ⌈3.6⌉ = 4th smallest = 72.
    let m = o.get("SLA-ACME", "mttr", any);
    assert_eq!(m.actual, Some(20.875));
    assert_eq!((m.numerator, m.denominator), (Some(83.5), Some(4.0)));
    assert_eq!(m.extra["median"], 4.25);
    assert_eq!(m.extra["p90"], 72.0);
    assert_eq!(m.status, Status::Breached);
    // Backlog at Nov 1 00:00 (acme, email + erp): INC-004, INC-006, INC-009 → 3 ≤ 5.
    let b = o.get("SLA-ACME", "backlog", any);
    assert_eq!(b.actual, Some(3.0));
    assert_eq!(b.status, Status::Met);
    // Major: INC-006 opened in October, still open → 1 > 0 breached.
    let mj = o.get("SLA-ACME", "major_incidents", any);
    assert_eq!(mj.actual, Some(1.0));
    assert_eq!(ids(&mj.missed), [("INC-006", true)]);
    assert_eq!(mj.status, Status::Breached);
}

#[test]
fn change_success_and_emergency_share() {
    let o = october();
    // acme's October changes: CHG-1 ok, CHG-2 failed (emergency, caused an incident), CHG-3 ok,
    // CHG-4 rolled back, CHG-5 no result, CHG-8 (no customer, erp) ok. CHG-6 is September,
    // CHG-7 is beta's. Success = 3 / 5 (CHG-5 excluded) = 60 %.
    let c = o.get("SLA-ACME", "change_success", any);
    assert_eq!((c.numerator, c.denominator), (Some(3.0), Some(5.0)));
    assert_eq!(ids(&c.missed), [("CHG-2", false), ("CHG-4", false)]);
    assert_eq!(c.extra["caused_incidents"], 1.0);
    assert!(c.exclusions[0].starts_with("1 change(s)"));
    assert_eq!(c.process, "变更管理");
    // Emergency share = 1 / 6 = 16.67 % > 10 → breached.
    let e = o.get("SLA-ACME", "emergency_change_share", any);
    assert_eq!(e.actual, Some(1.0 / 6.0 * 100.0));
    assert_eq!(e.status, Status::Breached);
}

#[test]
fn request_compliance_and_mttf() {
    let o = october();
    // 24 h: REQ-1 8 h met; REQ-2 27 h − 4 h paused = 23 h met; REQ-3 48 h missed;
    // REQ-4 (Oct 31 12:00, open) pending; REQ-5 open past Oct 11 09:00 → missed, open. 2 / 4.
    let r = o.get("SLA-ACME", "request_compliance", any);
    assert_eq!((r.numerator, r.denominator), (Some(2.0), Some(4.0)));
    assert_eq!(ids(&r.missed), [("REQ-3", false), ("REQ-5", true)]);
    // MTTF: 8, 23, 48 → mean 79 / 3, median 23.
    let m = o.get("SLA-ACME", "mttf", any);
    assert_eq!(m.actual, Some(79.0 / 3.0));
    assert_eq!(m.extra["median"], 23.0);
    assert_eq!(m.process, "服务请求管理");
}

#[test]
fn satisfaction_from_surveys_and_ticket_scores() {
    let o = october();
    // Surveys in October for acme: 4 (email), 3 (no service). Tickets resolved/fulfilled in
    // October: INC-001 5, INC-003 4, REQ-1 5, REQ-3 2. INC-004's 1 is unresolved; Sep 30 and
    // beta's surveys excluded. Scores 4, 3, 5, 4, 5, 2: mean 23 / 6; share ≥ 4 = 4 / 6.
    let m = o.get("SLA-ACME", "satisfaction_mean", any);
    assert_eq!(m.actual, Some(23.0 / 6.0));
    assert_eq!(m.extra["surveys"], 2.0);
    assert_eq!(m.extra["ticket_scores"], 4.0);
    let s = o.get("SLA-ACME", "satisfaction_share", any);
    assert_eq!(s.actual, Some(4.0 / 6.0 * 100.0));
    assert_eq!(s.status, Status::Breached);
}

#[test]
fn uc_compliance_on_the_contracts_supplier_tickets() {
    let o = october();
    // Response 30 min: ST-1 20 min met, ST-2 45 min missed, ST-3 (Oct 31 23:45) pending, ST-4 other contract.
    let r = o.get("UC-NETCO", "uc_response_compliance", any);
    assert_eq!(r.kind, TargetKind::Agreement(AgreementKind::Uc));
    assert_eq!((r.numerator, r.denominator), (Some(1.0), Some(2.0)));
    assert_eq!(ids(&r.missed), [("ST-2", false)]);
    assert_eq!(r.scope.customer, None);
    // Restore 4 h: ST-1 2 h met, ST-2 6 h missed.
    let s = o.get("UC-NETCO", "uc_restore_compliance", any);
    assert_eq!((s.numerator, s.denominator), (Some(1.0), Some(2.0)));
    assert_eq!(s.process, "供应商管理");
}

#[test]
fn capacity_per_resource() {
    let o = october();
    // db01 (email) October: 70, 90, 88 (row threshold 95), 86 → peak 90, mean 334 / 4 = 83.5.
    // Days over: the threshold is the row's, else the capacity_peak target's 85:
    // Oct 2 (90 > 85) and Oct 3 (86 > 85; the 88 row is under its own 95) → 2 days.
    let p = o.get("SLA-ACME", "capacity_peak", |t| {
        t.scope.resource.as_deref() == Some("db01")
    });
    assert_eq!(p.actual, Some(90.0));
    assert_eq!(p.extra["mean"], 83.5);
    assert_eq!(p.status, Status::Breached);
    let w = o.get("SLA-ACME", "capacity_peak", |t| {
        t.scope.resource.as_deref() == Some("web01")
    });
    assert_eq!(w.actual, Some(60.0));
    assert_eq!(w.status, Status::Met);
    let dd = o.get("SLA-ACME", "capacity_days_over", |t| {
        t.scope.resource.as_deref() == Some("db01")
    });
    assert_eq!(dd.actual, Some(2.0));
    assert_eq!(dd.status, Status::Met);
    // Resource "x" belongs to a service outside the agreement.
    assert!(
        o.r.targets
            .iter()
            .all(|t| t.scope.resource.as_deref() != Some("x"))
    );
}

#[test]
fn empty_population_is_na_never_100() {
    let o = october();
    let r = o.get("SLA-ACME", "resolution_compliance", |t| {
        t.scope.priority.as_deref() == Some("P3")
    });
    assert_eq!(r.actual, None);
    assert_eq!(r.denominator, Some(0.0));
    assert_eq!(r.status, Status::NotApplicable);
    // An empty dataset: ratios are N/A, counts are 0 (a measurement), availability is 100 %
    // (service time exists, no outage).
    let e = run("2026-10", &catalogue(), &Dataset::default(), &[]);
    for t in &e.r.targets {
        match t.metric.metric() {
            Some(Metric::Availability) => assert_eq!(t.actual, Some(100.0)),
            Some(Metric::Backlog | Metric::MajorIncidents) => assert_eq!(t.actual, Some(0.0)),
            _ => assert_eq!(t.status, Status::NotApplicable, "{}", t.metric),
        }
    }
}

#[test]
fn process_kpi_targets_and_at_risk() {
    let o = october();
    // 95.5 against ≥ 95 with margin 1: in [95, 96) → at risk.
    let p = o.get("process", "process:变更管理/变更成功率", any);
    assert_eq!(p.actual, Some(95.5));
    assert_eq!(p.status, Status::AtRisk);
    assert_eq!(p.process, "变更管理");
    assert_eq!(p.kind, TargetKind::Process);
    assert_eq!(
        p.metric,
        TargetMetric::Process {
            process: "变更管理".into(),
            kpi: "变更成功率".into()
        }
    );
    assert_eq!((p.op, &p.unit), (Op::Ge, &Unit::Percent));
    // Quarter Q4: only October reported → mean of 1 monthly value.
    let q = run("2026-Q4", &catalogue(), &dataset(), &[]);
    let p = q.get("process", "process:变更管理/变更成功率", any);
    assert_eq!(p.actual, Some(95.5));
    assert_eq!(p.extra["months"], 1.0);
}

#[test]
fn agreement_versions_by_effective_date() {
    let sep = run("2026-09", &catalogue(), &dataset(), &[]);
    let a = sep.get("SLA-ACME", "availability", any);
    assert_eq!(a.version, "1.0");
    assert_eq!(a.threshold, 99.0);
    // September: 43 200 min, Sep 30 23:00–24:00 = 60 min down → 43 140 / 43 200.
    assert_eq!(a.actual, Some(43_140.0 / 43_200.0 * 100.0));
    assert_eq!(
        october()
            .get("SLA-ACME", "availability", |t| t.scope.service.as_deref()
                == Some("email"))
            .version,
        "2.0"
    );
}

#[test]
fn history_trends_directions_improvements() {
    let cat = catalogue();
    let data = dataset();
    let cals = calendars();
    let input = KpiInput {
        catalogue: &cat,
        calendars: &cals,
        data: &data,
        period: Period::parse("2026-10").unwrap(),
        history: &[],
        closure: None,
    };
    let hist = kpi::history(&input, 3, &Default::default()).results;
    // History covers only the periods the inputs have records in: the dataset starts in
    // September, so July and August (no data at all) are not "100 %" but absent.
    assert_eq!(
        hist.iter().map(|h| h.period.as_str()).collect::<Vec<_>>(),
        ["2026-09"]
    );
    let o = kpi::compute(&KpiInput {
        history: &hist,
        closure: None,
        ..input
    })
    .unwrap();
    let i = o
        .targets
        .iter()
        .position(|t| {
            t.agreement == "SLA-ACME"
                && t.metric == TargetMetric::Agreement(Metric::Availability)
                && t.scope.service.as_deref() == Some("email")
        })
        .unwrap();
    // Sep: 43 140 / 43 200. October (99.708) is worse than September.
    let pts: Vec<_> = o.trends[i]
        .iter()
        .map(|p| (p.period.as_str(), p.actual))
        .collect();
    assert_eq!(pts, [("2026-09", Some(43_140.0 / 43_200.0 * 100.0))]);
    assert_eq!(o.directions[i], Direction::Worse);
    assert_eq!(o.trends.len(), o.targets.len());
    assert_eq!(o.directions.len(), o.targets.len());
    // Process KPI: September 95.2 at risk, October 95.5 at risk → an improvement item;
    // October 95.5 > 95.2 for ≥ → better.
    let p = o
        .targets
        .iter()
        .position(|t| t.agreement == "process")
        .unwrap();
    assert_eq!(o.directions[p], Direction::Better);
    let item = o
        .improvements
        .iter()
        .find(|m| m.agreement == "process")
        .unwrap();
    assert_eq!(item.status, Status::AtRisk);
    assert_eq!(item.process, "变更管理");
    // Every breached target is an item; met / N/A ones are not.
    let breached = o
        .targets
        .iter()
        .filter(|t| t.status == Status::Breached)
        .count();
    assert_eq!(o.improvements.len(), breached + 1);
    assert!(
        !o.improvements
            .iter()
            .any(|m| m.metric == TargetMetric::Agreement(Metric::Backlog))
    );
}

/// Results as the version before typed kinds, metrics, ops and units wrote them (trimmed
/// from its `compute --format json` of the sample, plus a process KPI with no unit): the
/// ledger keeps such JSON, and it must read back to the same JSON.
const STORED_BEFORE_TYPED: &str = r#"{
  "schema_version": 1,
  "period": "2026-10",
  "targets": [
    {"agreement": "SLA-ACME", "kind": "SLA", "version": "2.1", "metric": "mttr", "scope": {"customer": "acme"}, "op": "<=", "threshold": 24.0, "unit": "h", "at_risk_margin": 2.0, "actual": 24.415444053208137, "numerator": 6933.986111111111, "denominator": 284.0, "exclusions": ["population: incidents resolved in the period; business time minus paused time"], "status": "breached", "missed": [{"id": "INC2610-0007", "open": false}], "missed_total": 31, "extra": {"count": 284.0, "median": 12.976527777777779}, "process": "事件管理"},
    {"agreement": "UC-NETCO", "kind": "UC", "version": "3.0", "metric": "uc_response_compliance", "scope": {"priority": "P1"}, "op": ">=", "threshold": 95.0, "unit": "%", "within": "30m", "actual": 100.0, "numerator": 4.0, "denominator": 4.0, "exclusions": [], "status": "met", "missed": [], "missed_total": 0, "extra": {"met": 4.0}, "process": "供应商管理"},
    {"agreement": "OLA-INFRA", "kind": "OLA", "version": "1.1", "metric": "response_compliance", "scope": {"priority": "P1"}, "op": ">=", "threshold": 98.0, "unit": "%", "within": "10m", "actual": null, "numerator": 0.0, "denominator": 0.0, "exclusions": [], "status": "not_applicable", "missed": [], "missed_total": 0, "extra": {}, "process": "事件管理"},
    {"agreement": "process", "kind": "process", "version": "", "metric": "process:服务级别管理/客户投诉次数", "scope": {}, "op": "<=", "threshold": 2.0, "unit": "次", "actual": 2.0, "numerator": null, "denominator": null, "exclusions": [], "status": "met", "missed": [], "missed_total": 0, "extra": {}, "process": "服务级别管理"},
    {"agreement": "process", "kind": "process", "version": "", "metric": "process:配置管理/CMDB 准确率", "scope": {}, "op": ">=", "threshold": 95.0, "unit": "", "at_risk_margin": 1.0, "actual": 95.5, "numerator": null, "denominator": null, "exclusions": [], "status": "at_risk", "missed": [], "missed_total": 0, "extra": {}, "process": "配置管理"}
  ],
  "trends": [[{"period": "2026-09", "actual": 23.5, "status": "at_risk"}], [], [], [], []],
  "directions": ["worse", "unknown", "unknown", "unknown", "unknown"],
  "improvements": [{"agreement": "SLA-ACME", "metric": "mttr", "scope": {"customer": "acme"}, "process": "事件管理", "status": "breached", "reason": "breached: target <= 24 h not achieved"}],
  "volumes": {"incidents_opened": {"*": {"P1": 3}}, "incidents_resolved": {}, "changes": {"normal": 4}, "requests_opened": {"*": 64}}
}"#;

#[test]
fn results_stored_before_typed_fields_read_back_to_the_same_json() {
    let r: KpiResults = serde_json::from_str(STORED_BEFORE_TYPED).expect("old results read");
    let kinds: Vec<TargetKind> = r.targets.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            TargetKind::Agreement(AgreementKind::Sla),
            TargetKind::Agreement(AgreementKind::Uc),
            TargetKind::Agreement(AgreementKind::Ola),
            TargetKind::Process,
            TargetKind::Process,
        ]
    );
    let t = &r.targets;
    assert_eq!(
        (&t[0].metric, t[0].op, &t[0].unit),
        (&TargetMetric::Agreement(Metric::Mttr), Op::Le, &Unit::Hours)
    );
    assert_eq!(
        t[3].metric,
        TargetMetric::Process {
            process: "服务级别管理".into(),
            kpi: "客户投诉次数".into()
        }
    );
    assert_eq!(
        (&t[3].unit, &t[4].unit),
        (&Unit::Other("次".into()), &Unit::Unitless)
    );
    assert_eq!(
        t[4].metric.to_string(),
        "process:配置管理/CMDB 准确率",
        "a KPI name with a space"
    );
    assert_eq!(
        r.improvements[0].metric,
        TargetMetric::Agreement(Metric::Mttr)
    );
    assert_eq!(t[2].status, Status::NotApplicable);
    // Same JSON out as in, compared as values (the text's key order is the structs' field
    // order, which did not change).
    let want: serde_json::Value = serde_json::from_str(STORED_BEFORE_TYPED).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap(), want);
    let again: KpiResults = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(again, r);
}

#[test]
fn output_is_deterministic_and_json_round_trips() {
    let a = october().r;
    let b = october().r;
    let ja = serde_json::to_string(&a).unwrap();
    assert_eq!(ja, serde_json::to_string(&b).unwrap());
    let back: KpiResults = serde_json::from_str(&ja).unwrap();
    assert_eq!(back.targets.len(), a.targets.len());
    for (x, y) in back.targets.iter().zip(&a.targets) {
        assert_eq!(
            (&x.metric, &x.scope, x.status, &x.missed),
            (&y.metric, &y.scope, y.status, &y.missed)
        );
        // serde_json's default float parser may differ in the last bit.
        assert!(
            x.actual
                .zip(y.actual)
                .is_none_or(|(p, q)| (p - q).abs() <= q.abs() * 1e-15)
        );
    }
    assert_eq!(a.volumes.incidents_opened["acme"]["P1"], 5); // INC-001,002,003,004,006
    assert_eq!(a.volumes.incidents_opened["*"]["P1"], 6); // + beta's INC-007
    // Changes with actual end in October by type: CHG-1, 3, 4, 7 normal; CHG-5, 8 standard; CHG-2 emergency.
    assert_eq!(
        a.volumes
            .changes
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<Vec<_>>(),
        [("emergency", 1), ("normal", 4), ("standard", 2)]
    );
}

// ---------------------------------------------------------------- JSON schema

/// A validator for the subset of JSON Schema the schema file uses:
/// `type` (string or list), `required`, `properties`, `additionalProperties: false`,
/// `items`, `enum`, `$ref` to `#/$defs/…`.
fn validate(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    v: &serde_json::Value,
    path: &str,
    errs: &mut Vec<String>,
) {
    use serde_json::Value;
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("only local $defs refs");
        return validate(root, &root["$defs"][name], v, path, errs);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type in schema at {path}"),
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_u64() || v.is_i64(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => panic!("unknown type {t}"),
        });
        if !ok {
            errs.push(format!("{path}: expected {types:?}, found {v}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{path}: {v} not in {e:?}"));
    }
    if let Some(o) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let k = r.as_str().unwrap();
            if !o.contains_key(k) {
                errs.push(format!("{path}: missing {k}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, val, &format!("{path}/{k}"), errs),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{path}: unexpected {k}")),
                    Some(s @ Value::Object(_)) => {
                        validate(root, s, val, &format!("{path}/{k}"), errs)
                    }
                    _ => {}
                },
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), schema.get("items")) {
        for (i, x) in a.iter().enumerate() {
            validate(root, items, x, &format!("{path}/{i}"), errs);
        }
    }
}

fn schema() -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/kpi-results.schema.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn json_output_validates_against_the_schema() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let cat = catalogue();
    let data = dataset();
    let cals = calendars();
    let input = KpiInput {
        catalogue: &cat,
        calendars: &cals,
        data: &data,
        period: Period::parse("2026-10").unwrap(),
        history: &[],
        closure: None,
    };
    let hist = kpi::history(&input, 3, &Default::default()).results;
    let r = kpi::compute(&KpiInput {
        history: &hist,
        closure: None,
        ..input
    })
    .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    let mut errs = Vec::new();
    validate(&s, &s, &v, "", &mut errs);
    assert!(errs.is_empty(), "{errs:#?}");
    // The validator does fail: a wrong status, a missing field and an extra one are caught.
    let mut bad = v.clone();
    bad["targets"][0]["status"] = "green".into();
    bad["targets"][1]
        .as_object_mut()
        .unwrap()
        .remove("numerator");
    bad["volumes"]["surprise"] = 1.into();
    let mut errs = Vec::new();
    validate(&s, &s, &bad, "", &mut errs);
    assert_eq!(errs.len(), 3, "{errs:#?}");
}

// ---------------------------------------------------------------- real data

/// The UCI ServiceNow incident fixture: 820 incidents opened in April 2016 at three
/// locations. Final record per incident = max sys_mod_count, ties by later
/// sys_updated_at, then later row (PROVENANCE.md).
fn uci_incidents() -> Option<Vec<Incident>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/uci_incident_event_log");
    let text = match std::fs::read_to_string(dir.join("fixture_2016-04_3locations.csv")) {
        Ok(t) => t,
        Err(_) => {
            eprintln!("note: UCI fixture absent, real-data KPI test skipped");
            return None;
        }
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (num, modc, upd, loc, pr, op, res) = (
        col("number"),
        col("sys_mod_count"),
        col("sys_updated_at"),
        col("location"),
        col("priority"),
        col("opened_at"),
        col("resolved_at"),
    );
    let ts = |s: &str| NaiveDateTime::parse_from_str(s, "%d/%m/%Y %H:%M").unwrap();
    type Ranked = ((i64, NaiveDateTime, usize), Vec<String>);
    let mut finals: BTreeMap<String, Ranked> = BTreeMap::new();
    for (row, line) in lines.enumerate() {
        let f: Vec<String> = line.split(',').map(str::to_string).collect();
        let key = (f[modc].parse::<i64>().unwrap(), ts(&f[upd]), row);
        let e = finals.entry(f[num].clone()).or_insert((key, f.clone()));
        if key > e.0 {
            *e = (key, f);
        }
    }
    Some(
        finals
            .into_values()
            .map(|(_, f)| Incident {
                id: f[num].as_str().into(),
                customer: f[loc].as_str().into(),
                service: "itsm".into(),
                priority: match &f[pr][..1] {
                    "1" => Priority::P1,
                    "2" => Priority::P2,
                    "3" => Priority::P3,
                    _ => Priority::P4,
                },
                opened: ts(&f[op]),
                responded: None,
                resolved: (f[res] != "?").then(|| ts(&f[res])),
                closed: None,
                paused_secs: 0,
                status: Some(TicketStatus::Closed),
                major: false,
                resolved_at_close: false,
                from_events: false,
                satisfaction: None,
                src: src(),
            })
            .collect(),
    )
}

#[test]
fn uci_real_data_counts_and_mttr_on_7x24() {
    let Some(incidents) = uci_incidents() else {
        return;
    };
    assert_eq!(incidents.len(), 820);
    let locations = ["Location 188", "Location 43", "Location 51"];
    // An OLA over every location (one MTTR target per priority) and one SLA per location.
    let mttr = |p| prio(tgt(Metric::Mttr, Op::Le, 1000.0), p);
    let mut agreements = vec![agreement(
        "OLA-ALL",
        AgreementKind::Ola,
        "1",
        "desk",
        &["itsm"],
        "2016-01-01",
        None,
        Priority::ALL.map(mttr).to_vec(),
    )];
    for l in locations {
        agreements.push(agreement(
            &format!("SLA-{l}"),
            AgreementKind::Sla,
            "1",
            l,
            &["itsm"],
            "2016-01-01",
            None,
            Priority::ALL.map(mttr).to_vec(),
        ));
    }
    let cat = Catalogue {
        agreements,
        ..Catalogue::default()
    };
    let data = Dataset {
        incidents: incidents.clone(),
        ..Dataset::default()
    };
    let cals = Calendars::new(); // "itsm" unassigned → 7×24
    let compute = |p: &str| {
        kpi::compute(&KpiInput {
            catalogue: &cat,
            calendars: &cals,
            data: &data,
            period: Period::parse(p).unwrap(),
            history: &[],
            closure: None,
        })
        .unwrap()
    };

    // Per-priority counts of incidents opened in April 2016 (reference: 8, 5, 769, 38).
    let april = compute("2016-04");
    let opened = &april.volumes.incidents_opened["*"];
    assert_eq!(
        [opened["P1"], opened["P2"], opened["P3"], opened["P4"]],
        [8, 5, 769, 38]
    );

    // Every resolution happened in 2016, so the year's MTTR covers exactly the incidents
    // with resolved_at: compare with the reference (opened in April, with resolved_at).
    let year = compute("2016");
    let reference = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/data/uci_incident_event_log/fixture_2016-04_3locations_reference_kpis.csv",
    ))
    .unwrap();
    let mut checked = 0;
    for line in reference.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (loc, pr) = (f[1], f[2]);
        if pr == "ALL" {
            continue;
        }
        let p = format!("P{}", &pr[..1]);
        let agreement = if loc == "ALL" {
            "OLA-ALL".to_string()
        } else {
            format!("SLA-{loc}")
        };
        let t = year
            .targets
            .iter()
            .find(|t| t.agreement == agreement && t.scope.priority.as_deref() == Some(p.as_str()))
            .unwrap();
        let with_resolved: f64 = f[7].parse().unwrap();
        let (median, mean): (f64, f64) = (f[8].parse().unwrap(), f[9].parse().unwrap());
        assert_eq!(t.extra["count"], with_resolved, "{loc} {p}");
        assert!(
            // The reference is written with 4 decimals (and its own float summation):
            // agree to one unit in that last place.
            (t.actual.unwrap() - mean).abs() <= 1e-4,
            "{loc} {p}: mean {:?} vs {mean}",
            t.actual
        );
        assert!(
            (t.extra["median"] - median).abs() <= 1e-4,
            "{loc} {p}: median {} vs {median}",
            t.extra["median"]
        );
        checked += 1;
    }
    assert_eq!(checked, 15); // every location × priority row of the reference (4 + 4 + 4 + 3)

    // Independently from the records: P3 wall-clock hours of all resolved incidents.
    let mut h: Vec<f64> = incidents
        .iter()
        .filter(|i| i.priority == Priority::P3)
        .filter_map(|i| {
            i.resolved
                .map(|r| (r - i.opened).num_minutes() as f64 / 60.0)
        })
        .collect();
    h.sort_by(f64::total_cmp);
    let t = year
        .targets
        .iter()
        .find(|t| t.agreement == "OLA-ALL" && t.scope.priority.as_deref() == Some("P3"))
        .unwrap();
    let mean = h.iter().sum::<f64>() / h.len() as f64;
    assert!((t.actual.unwrap() - mean).abs() < 1e-9);
    assert_eq!(t.extra["p90"], h[(h.len() * 9).div_ceil(10) - 1]);
    // April alone: only incidents resolved in April count.
    let apr_p3 = april
        .targets
        .iter()
        .find(|t| t.agreement == "OLA-ALL" && t.scope.priority.as_deref() == Some("P3"))
        .unwrap();
    let resolved_in_april = incidents
        .iter()
        .filter(|i| i.priority == Priority::P3 && i.resolved.is_some_and(|r| r.month() == 4))
        .count();
    assert_eq!(apr_p3.extra["count"], resolved_in_april as f64);
    assert!(resolved_in_april < 741);
}

// ---------------------------------------------------------------- real service calendar

/// The catalogue's own office calendar (mainland-China holidays, 调休) through
/// `Calendars::from_catalogue`, as `svcreport compute` builds it.
fn cn_office_calendars() -> (Catalogue, Calendars) {
    let mut cat = catalogue();
    cat.calendars.insert(
        "office".into(),
        CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::Cn,
            windows: vec!["mon-fri 09:00-12:00".into(), "mon-fri 13:30-18:00".into()],
        },
    );
    for (id, calendar) in [("email", "7x24"), ("erp", "office")] {
        cat.services.push(Service {
            id: id.into(),
            name: id.into(),
            name_en: None,
            calendar: calendar.into(),
            customers: vec!["acme".into(), "beta".into()],
        });
    }
    let cals =
        Calendars::from_catalogue(&cat, std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    (cat, cals)
}

#[test]
fn real_office_calendar_with_national_day_and_adjusted_working_day() {
    let (cat, cals) = cn_office_calendars();
    let data = Dataset {
        outages: vec![
            // Sat Oct 3 is inside the National Day holiday (Oct 1–7): 0 minutes.
            outage(
                "erp",
                None,
                "2026-10-03 10:00",
                Some("2026-10-03 14:00"),
                false,
            ),
            // Sat Oct 10 is an adjusted working day (调休): 10:00–11:00 = 60 minutes.
            outage(
                "erp",
                None,
                "2026-10-10 10:00",
                Some("2026-10-10 11:00"),
                false,
            ),
            // Mon Oct 12 12:00–14:00: lunch 12:00–13:30 is outside service hours → 30 minutes.
            outage(
                "erp",
                None,
                "2026-10-12 12:00",
                Some("2026-10-12 14:00"),
                false,
            ),
        ],
        incidents: vec![
            // P2, 8 business hours, opened Wed Sep 30 17:00: 1 h on Sep 30, Oct 1–7 closed,
            // Thu Oct 8 09:00–12:00 (4 h) and 13:30–17:30 (8 h) → deadline Oct 8 17:30.
            inc(
                "INC-A",
                "acme",
                "erp",
                Priority::P2,
                "2026-09-30 17:00",
                None,
                Some("2026-10-08 17:00"),
                0,
            ),
            inc(
                "INC-B",
                "acme",
                "erp",
                Priority::P2,
                "2026-09-30 17:00",
                None,
                Some("2026-10-09 09:30"),
                0,
            ),
            // Opened Fri Oct 9 17:00: 1 h; Sat Oct 10 (调休) 7.5 h → 8 h at Oct 10 17:30;
            // resolved Oct 10 17:00 → met (7.5 h).
            inc(
                "INC-C",
                "acme",
                "erp",
                Priority::P2,
                "2026-10-09 17:00",
                None,
                Some("2026-10-10 17:00"),
                0,
            ),
        ],
        ..Dataset::default()
    };
    let input = KpiInput {
        catalogue: &cat,
        calendars: &cals,
        data: &data,
        period: Period::parse("2026-10").unwrap(),
        history: &[],
        closure: None,
    };
    let r = kpi::compute(&input).unwrap();
    // October 2026: 18 working days (22 weekdays − 5 holiday weekdays + the Oct 10 make-up day)
    // × 7.5 h = 8 100 minutes; DT = 60 + 30 = 90 → 8 010 / 8 100.
    let a = r
        .targets
        .iter()
        .find(|t| {
            t.agreement == "SLA-ACME"
                && t.metric == TargetMetric::Agreement(Metric::Availability)
                && t.scope.service.as_deref() == Some("erp")
        })
        .unwrap();
    assert_eq!(a.denominator, Some(8_100.0));
    assert_eq!(a.numerator, Some(8_010.0));
    let res = r
        .targets
        .iter()
        .find(|t| {
            t.metric == TargetMetric::Agreement(Metric::ResolutionCompliance)
                && t.scope.priority.as_deref() == Some("P2")
        })
        .unwrap();
    assert_eq!((res.numerator, res.denominator), (Some(2.0), Some(3.0)));
    assert_eq!(ids(&res.missed), [("INC-B", false)]);
    // MTTR is not targeted for P2 here; check the business hours directly through the clock.
    let office = cals.for_service("erp");
    assert_eq!(
        office
            .business_seconds(dt("2026-09-30 17:00"), dt("2026-10-08 17:00"))
            .unwrap(),
        7 * H + 30 * M
    );
    assert_eq!(
        office
            .add_business_seconds(dt("2026-09-30 17:00"), 8 * H)
            .unwrap(),
        dt("2026-10-08 17:30")
    );
}

// ---------------------------------------------------------------- the compute command

fn write_sheet(wb: &mut rust_xlsxwriter::Workbook, name: &str, rows: &[&[&str]]) {
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
}

/// A workspace on disk: catalogue TOML, one inbox workbook with incidents and outages.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("svcreport.toml"),
        "[workspace]\nname = \"测试\"\norganisation = \"示例\"\ntimezone = \"Asia/Shanghai\"\ninbox = [\"inbox/**/*.xlsx\"]\ncatalogue = [\"catalogue.toml\"]\noutput = \"out\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("catalogue.toml"),
        r#"
[[customer]]
id = "acme"
name = "安科美科技有限公司"

[[service]]
id = "email"
name = "企业邮箱"
calendar = "7x24"
customers = ["acme"]

[[agreement]]
id = "SLA-ACME"
kind = "SLA"
version = "2.1"
party = "acme"
services = ["email"]
effective = { from = 2026-01-01, to = 2026-12-31 }

[[agreement.target]]
metric = "availability"
op = ">="
threshold = 99.9
at_risk = 0.05

[[agreement.target]]
metric = "resolution_compliance"
priority = "P1"
within = "4h"
op = ">="
threshold = 90.0

[[agreement.target]]
metric = "resolution_compliance"
priority = "P2"
within = "8h"
op = ">="
threshold = 90.0
"#,
    )
    .unwrap();
    std::fs::create_dir_all(root.join("inbox/2026-10")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    write_sheet(
        &mut wb,
        "事件",
        &[
            &["工单号", "客户", "服务", "优先级", "报告时间", "解决时间"],
            &[
                "INC-1",
                "acme",
                "email",
                "P1",
                "2026-10-02 08:00",
                "2026-10-02 11:00",
            ],
            &[
                "INC-2",
                "acme",
                "email",
                "P1",
                "2026-10-03 08:00",
                "2026-10-03 13:00",
            ],
            &[
                "INC-3",
                "acme",
                "email",
                "P1",
                "2026-10-04 08:00",
                "2026-10-04 09:00",
            ],
            &["INC-4", "acme", "email", "P7", "2026-10-04 08:00", ""],
        ],
    );
    write_sheet(
        &mut wb,
        "服务中断",
        &[
            &["服务", "客户", "开始时间", "结束时间", "计划内"],
            &["email", "", "2026-10-05 10:00", "2026-10-05 10:30", "否"],
        ],
    );
    wb.save(root.join("inbox/2026-10/ops.xlsx")).unwrap();
    dir
}

fn svcreport(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_svcreport"))
        .arg("--workspace")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn compute_command_prints_json_that_validates_and_a_table() {
    let ws = workspace();
    let out = svcreport(
        ws.path(),
        &["compute", "--period", "2026-10", "--format", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // INC-4's priority "P7" is rejected: exit 1 (data rejected), said on stderr, and the
    // figures computed without it.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1 row(s) rejected"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = schema();
    let mut errs = Vec::new();
    validate(&s, &s, &v, "", &mut errs);
    assert!(errs.is_empty(), "{errs:#?}");
    let r: KpiResults = serde_json::from_value(v).unwrap();
    assert_eq!(r.period, "2026-10");
    assert_eq!(r.targets.len(), 3);
    // Availability: 30 min down of 44 640 → 44 610 / 44 640 = 99.9328 %, at risk (< 99.95).
    let a = &r.targets[0];
    assert_eq!(
        (a.numerator, a.denominator),
        (Some(44_610.0), Some(44_640.0))
    );
    assert_eq!(a.status, Status::AtRisk);
    assert_eq!(a.version, "2.1");
    // P1 within 4 h: INC-1 3 h met, INC-2 5 h missed, INC-3 1 h met → 2 / 3.
    let p1 = &r.targets[1];
    assert_eq!((p1.numerator, p1.denominator), (Some(2.0), Some(3.0)));
    assert_eq!(ids(&p1.missed), [("INC-2", false)]);
    // No P2 incident: N/A.
    assert_eq!(r.targets[2].status, Status::NotApplicable);
    // History: only periods the inbox has records in count; this inbox holds October only,
    // so there is no trend point (never a made-up "100 %") and no direction.
    assert!(r.trends[0].is_empty(), "{:?}", r.trends[0]);
    assert_eq!(r.directions[0], Direction::Unknown);

    let out = svcreport(ws.path(), &["compute", "--period", "2026-10"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.contains("availability")).unwrap();
    for part in [
        "SLA-ACME v2.1",
        "customer=acme",
        "99.93%",
        ">= 99.9%",
        "at_risk",
        "44610/44640",
    ] {
        assert!(line.contains(part), "{part} not in {line:?}");
    }
    let line = text.lines().find(|l| l.contains("P2")).unwrap();
    assert!(line.contains("N/A") && line.contains("n/a"), "{line}");
}

#[test]
fn compute_command_fails_cleanly_without_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let out = svcreport(dir.path(), &["compute", "--period", "2026-10"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("svcreport.toml"), "{stderr}");
}

#[test]
fn agreement_calendar_overrides_the_services_calendar() {
    let mut cat = catalogue();
    cat.agreements[2].calendar = Some("office".into()); // SLA-BETA measured on office hours
    let o = run("2026-10", &cat, &dataset(), &[]);
    // Office hours (Mon–Fri 09–18, test clock): 22 × 540 = 11 880 min. Beta's outages on email:
    // Mon Oct 5 10:00–11:00 → 60; Thu Oct 1 00:00–00:30, Tue Oct 20 08:00–09:00,
    // Sat Oct 31 23:50– and the planned Sat Oct 10 02:00–04:00 → 0. 11 820 / 11 880.
    let b = o.get("SLA-BETA", "availability", any);
    assert_eq!(
        (b.numerator, b.denominator),
        (Some(11_820.0), Some(11_880.0))
    );
    assert_eq!(b.extra["planned_minutes"], 0.0);
    // An agreement naming an undefined calendar is a failure that names both.
    cat.agreements[2].calendar = Some("nights".into());
    let cals = calendars();
    let data = dataset();
    let err = kpi::compute(&KpiInput {
        catalogue: &cat,
        calendars: &cals,
        data: &data,
        period: Period::parse("2026-10").unwrap(),
        history: &[],
        closure: None,
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "agreement SLA-BETA names calendar \"nights\", which the catalogue does not define"
    );
}

/// Year ends (spec §6): an outcome is decided with the calendar only up to the instant it
/// became known, so December, Q4, H2 and the year compute on the shipped holiday data,
/// which ends with 2026, although a ticket still open at year end has a deadline in 2027.
/// January 2027 truly needs 2027's calendar: its error names the year and the ticket.
#[test]
fn year_end_needs_no_holidays_of_the_next_year() {
    let mut cals = Calendars::new();
    cals.insert(
        "cn-office",
        Arc::new(
            svcreport::model::calendar::ServiceCalendar::new(
                "cn-office",
                &["mon-fri 09:00-12:00".into(), "mon-fri 13:30-18:00".into()],
                svcreport::model::holidays::HolidaySet::cn(),
            )
            .unwrap(),
        ),
    );
    cals.assign("erp", "cn-office");
    let cat = catalogue();
    let mut data = Dataset::default();
    // P2 within 8 business hours (the catalogue's ERP resolution target), office calendar:
    // opened Thu 31 Dec 16:00 and still open at the year's end: 2 business hours used, pending.
    data.incidents.push(inc(
        "INC-OPEN-YE",
        "acme",
        "erp",
        Priority::P2,
        "2026-12-31 16:00",
        None,
        None,
        0,
    ));
    // Opened Mon 28 Dec 09:00, never resolved: 8 business hours end Mon 18:00, so the miss
    // is known in December, listed as still open.
    data.incidents.push(inc(
        "INC-MISS-DEC",
        "acme",
        "erp",
        Priority::P2,
        "2026-12-28 09:00",
        None,
        None,
        0,
    ));
    // Resolved in January 2027: its outcome belongs to 2027 and needs 2027's calendar.
    data.incidents.push(inc(
        "INC-JAN",
        "acme",
        "erp",
        Priority::P2,
        "2026-12-31 17:00",
        Some("2027-01-04 10:00"),
        Some("2027-01-04 10:00"),
        0,
    ));
    for p in ["2026-12", "2026-Q4", "2026-H2", "2026"] {
        let input = KpiInput {
            catalogue: &cat,
            calendars: &cals,
            data: &data,
            period: Period::parse(p).unwrap(),
            history: &[],
            closure: None,
        };
        let r = kpi::compute(&input).unwrap_or_else(|e| panic!("{p}: {e}"));
        let erp: Vec<&TargetResult> = r
            .targets
            .iter()
            .filter(|t| {
                t.scope.service.as_deref() == Some("erp")
                    && t.metric == TargetMetric::Agreement(Metric::ResolutionCompliance)
            })
            .collect();
        assert!(!erp.is_empty(), "{p}: no ERP resolution target");
        for t in erp {
            if t.scope.priority.as_deref() == Some("P2") {
                assert_eq!(ids(&t.missed), [("INC-MISS-DEC", true)], "{p}");
                assert_eq!(t.extra["pending"], 2.0, "{p}: {t:?}");
            }
        }
    }
    let jan = |cat: &Catalogue| {
        kpi::compute(&KpiInput {
            catalogue: cat,
            calendars: &cals,
            data: &data,
            period: Period::parse("2027-01").unwrap(),
            history: &[],
            closure: None,
        })
        .unwrap_err()
        .to_string()
    };
    // The ERP availability needs 2027's service hours: the error names the year.
    let e = jan(&cat);
    assert!(e.contains("no data for 2027"), "{e}");
    // With only the resolution targets, the error also names the ticket that needed it.
    let mut only = cat.clone();
    for a in &mut only.agreements {
        a.targets
            .retain(|t| t.metric == Metric::ResolutionCompliance && t.service.is_some());
    }
    let e = jan(&only);
    assert!(
        e.contains("no data for 2027") && e.contains("ticket INC-OPEN-YE"),
        "{e}"
    );
}

/// A ticket closed without a Resolved At: its Closed At stands in for the resolution, and
/// the figures of resolution and MTTR say so in their explanation.
#[test]
fn closed_at_standing_in_for_the_resolution_is_explained() {
    let mut data = Dataset::default();
    let mut i = inc(
        "INC-CL",
        "acme",
        "email",
        Priority::P1,
        "2026-10-10 08:00",
        None,
        Some("2026-10-10 13:00"),
        0,
    );
    i.resolved_at_close = true;
    data.incidents.push(i);
    let r = run("2026-10", &catalogue(), &data, &[]);
    let p1 = r.get("SLA-ACME", "resolution_compliance", |t| {
        t.scope.priority.as_deref() == Some("P1") && t.scope.service.is_none()
    });
    // 5 h against 4 h: missed, and the explanation names the stand-in.
    assert_eq!(ids(&p1.missed), [("INC-CL", false)]);
    assert_eq!(p1.extra["resolved_at_close"], 1.0);
    assert!(
        p1.exclusions
            .iter()
            .any(|e| e.contains("Closed At stands in")),
        "{:?}",
        p1.exclusions
    );
    let mttr = r.get("SLA-ACME", "mttr", |_| true);
    assert_eq!(mttr.extra["resolved_at_close"], 1.0);
}

/// A cancelled incident is left out of every SLA figure (compliance, MTTR, backlog) and
/// counted and listed as excluded in the figure's explanation (issue 17).
#[test]
fn cancelled_incidents_are_excluded_and_listed() {
    let base = october();
    let mut data = dataset();
    // INC-002 missed its response; cancel it. A new cancelled P1 ticket, open, too.
    let i = data
        .incidents
        .iter()
        .position(|i| &*i.id == "INC-002")
        .unwrap();
    data.incidents[i].status = Some(TicketStatus::Cancelled);
    let mut extra = data.incidents[i].clone();
    extra.id = "INC-099".into();
    extra.resolved = None;
    extra.responded = None;
    data.incidents.push(extra);
    // INC-001's times came from an event log's activities: said in the explanation.
    let j = data
        .incidents
        .iter()
        .position(|i| &*i.id == "INC-001")
        .unwrap();
    data.incidents[j].from_events = true;
    let o = run("2026-10", &catalogue(), &data, &[]);
    let before = base.get("SLA-ACME", "response_compliance", any);
    let r = o.get("SLA-ACME", "response_compliance", any);
    // 3 / 5 before; INC-002 (a miss) left out: 3 / 4.
    assert_eq!(
        (before.numerator, before.denominator),
        (Some(3.0), Some(5.0))
    );
    assert_eq!((r.numerator, r.denominator), (Some(3.0), Some(4.0)));
    assert_eq!(ids(&r.missed), [("INC-006", true)]);
    assert_eq!(r.extra["cancelled"], 2.0);
    assert_eq!(r.extra["from_events"], 1.0);
    assert!(
        r.exclusions
            .iter()
            .any(|e| e.starts_with("1 incident(s) with times derived from an event log")),
        "{:?}",
        r.exclusions
    );
    assert!(
        r.exclusions
            .iter()
            .any(|e| e == "2 cancelled incident(s) left out: INC-002, INC-099"),
        "{:?}",
        r.exclusions
    );
    // MTTR without INC-002's 3.5 h: (3 + 5 + 72) / 3.
    let m = o.get("SLA-ACME", "mttr", any);
    assert_eq!((m.numerator, m.denominator), (Some(80.0), Some(3.0)));
    assert_eq!(m.extra["cancelled"], 2.0);
    // The open cancelled INC-099 is no backlog.
    assert_eq!(
        o.get("SLA-ACME", "backlog", any).actual,
        base.get("SLA-ACME", "backlog", any).actual
    );
}

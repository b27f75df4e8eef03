//! Benchmark: compute every target of a sample-shaped catalogue over 1,000,000
//! incidents (seeded, in memory) plus outages, changes and requests.
//!
//! Run: `CARGO_TARGET_DIR=/work/targets/release cargo bench --bench kpi`
//! (release profile). Prints wall time per step; no external harness.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use svcreport::kpi::{self, KpiInput};
use svcreport::model::calendar::Calendars;
use svcreport::model::catalogue::*;
use svcreport::model::period::Period;
use svcreport::model::records::*;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CUSTOMERS: [&str; 3] = ["acme", "beta", "gamma"];
const SERVICES: [&str; 4] = ["email", "erp", "network", "desktop"];

fn target(
    metric: Metric,
    op: Op,
    threshold: f64,
    p: Option<Priority>,
    within: Option<i64>,
) -> Target {
    Target {
        metric,
        priority: p,
        service: None,
        customer: None,
        resource: None,
        within_secs: within,
        within_text: within.map(|s| format!("{}m", s / 60)),
        op,
        threshold,
        unit: metric.default_unit(),
        at_risk: Some(1.0),
    }
}

fn catalogue() -> Catalogue {
    let limits = [(15, 4), (30, 8), (60, 24), (240, 72)]; // (response min, resolution h)
    let mut agreements = Vec::new();
    for c in CUSTOMERS {
        let mut targets = vec![
            target(Metric::Availability, Op::Ge, 99.9, None, None),
            target(Metric::Backlog, Op::Le, 100.0, None, None),
            target(Metric::MajorIncidents, Op::Le, 1.0, None, None),
            target(Metric::ChangeSuccess, Op::Ge, 95.0, None, None),
            target(Metric::EmergencyChangeShare, Op::Le, 10.0, None, None),
            target(
                Metric::RequestCompliance,
                Op::Ge,
                90.0,
                None,
                Some(24 * 3600),
            ),
            target(Metric::Mttf, Op::Le, 24.0, None, None),
            target(Metric::SatisfactionMean, Op::Ge, 4.0, None, None),
            target(Metric::SatisfactionShare, Op::Ge, 80.0, None, None),
        ];
        for (p, (resp, res)) in Priority::ALL.into_iter().zip(limits) {
            targets.push(target(
                Metric::ResponseCompliance,
                Op::Ge,
                95.0,
                Some(p),
                Some(resp * 60),
            ));
            targets.push(target(
                Metric::ResolutionCompliance,
                Op::Ge,
                90.0,
                Some(p),
                Some(res * 3600),
            ));
            targets.push(target(Metric::Mttr, Op::Le, res as f64, Some(p), None));
        }
        agreements.push(Agreement {
            id: format!("SLA-{c}"),
            kind: AgreementKind::Sla,
            version: "1".into(),
            title: None,
            party: c.into(),
            services: SERVICES.iter().map(|s| s.to_string()).collect(),
            effective_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            effective_to: None,
            calendar: None,
            targets,
        });
    }
    let mut calendars = BTreeMap::new();
    calendars.insert(
        "office".to_string(),
        CalendarDef {
            id: "office".into(),
            holidays: HolidaySource::Cn,
            windows: vec!["mon-fri 09:00-12:00".into(), "mon-fri 13:30-18:00".into()],
        },
    );
    // email and network on 7x24; erp and desktop on the office calendar with CN holidays.
    let services = SERVICES
        .iter()
        .enumerate()
        .map(|(i, s)| Service {
            id: s.to_string(),
            name: s.to_string(),
            name_en: None,
            calendar: if i % 2 == 0 { "7x24" } else { "office" }.into(),
            customers: CUSTOMERS.iter().map(|c| c.to_string()).collect(),
        })
        .collect();
    Catalogue {
        agreements,
        calendars,
        services,
        ..Catalogue::default()
    }
}

fn dataset(n: usize) -> Dataset {
    let mut r = Rng(0x5EED_2026);
    let base = NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let year_secs = 365 * 86_400;
    let at = |r: &mut Rng| -> NaiveDateTime { base + Duration::seconds(r.below(year_secs) as i64) };
    let mut d = Dataset::default();
    d.incidents.reserve(n);
    for i in 0..n {
        let opened = at(&mut r);
        let p = Priority::ALL[r.below(4) as usize];
        let resolved =
            (r.below(20) != 0).then(|| opened + Duration::minutes(r.below(5 * 24 * 60) as i64 + 1));
        d.incidents.push(Incident {
            id: format!("INC{i:07}").into(),
            customer: CUSTOMERS[r.below(3) as usize].into(),
            service: SERVICES[r.below(4) as usize].into(),
            priority: p,
            opened,
            responded: Some(opened + Duration::minutes(r.below(120) as i64)),
            resolved,
            closed: resolved,
            paused_secs: if r.below(10) == 0 { 3600 } else { 0 },
            status: None,
            major: r.below(5000) == 0,
            resolved_at_close: false,
            from_events: false,
            satisfaction: (r.below(3) == 0).then(|| 1 + r.below(5) as u8),
            src: SourceRef::default(),
        });
    }
    for _ in 0..5_000 {
        let start = at(&mut r);
        d.outages.push(Outage {
            service: SERVICES[r.below(4) as usize].into(),
            customer: (r.below(2) == 0).then(|| CUSTOMERS[r.below(3) as usize].into()),
            start,
            end: Some(start + Duration::minutes(r.below(240) as i64)),
            planned: r.below(4) == 0,
            description: None,
            src: SourceRef::default(),
        });
    }
    for i in 0..20_000 {
        d.changes.push(Change {
            id: format!("CHG{i:06}").into(),
            customer: Some(CUSTOMERS[r.below(3) as usize].into()),
            service: SERVICES[r.below(4) as usize].into(),
            kind: [
                ChangeType::Standard,
                ChangeType::Normal,
                ChangeType::Emergency,
            ][r.below(3) as usize],
            planned_start: None,
            planned_end: None,
            actual_end: Some(at(&mut r)),
            result: Some(if r.below(20) == 0 {
                ChangeResult::Failed
            } else {
                ChangeResult::Successful
            }),
            caused_incident: r.below(50) == 0,
            src: SourceRef::default(),
        });
    }
    for i in 0..100_000 {
        let opened = at(&mut r);
        d.requests.push(Request {
            id: format!("REQ{i:06}").into(),
            customer: CUSTOMERS[r.below(3) as usize].into(),
            service: SERVICES[r.below(4) as usize].into(),
            opened,
            fulfilled: Some(opened + Duration::minutes(r.below(3 * 24 * 60) as i64)),
            paused_secs: 0,
            status: None,
            satisfaction: None,
            src: SourceRef::default(),
        });
    }
    d
}

fn main() {
    let n = std::env::var("KPI_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let data = dataset(n);
    let cat = catalogue();
    // KPI_BENCH_7X24=1 measures every service on 7x24 instead (for comparison).
    let cals = if std::env::var_os("KPI_BENCH_7X24").is_some() {
        println!("calendars: every service on 7x24");
        Calendars::new()
    } else {
        println!(
            "calendars: email, network 7x24; erp, desktop office (mon-fri 09-12, 13:30-18, CN holidays)"
        );
        Calendars::from_catalogue(&cat, std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
            .expect("the shipped CN holiday calendar loads")
    };
    println!(
        "generated {n} incidents + 5000 outages + 20000 changes + 100000 requests in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let input = KpiInput {
        catalogue: &cat,
        calendars: &cals,
        data: &data,
        period: Period::month(2026, 10),
        history: &[],
        closure: None,
    };
    let mut best = f64::MAX;
    let mut targets = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = kpi::compute(&input).expect("bench catalogue is valid");
        best = best.min(t.elapsed().as_secs_f64());
        targets = r.targets.len();
    }
    println!(
        "compute 2026-10: {targets} targets in {best:.3} s (best of 3, {} threads)",
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let hist = kpi::history(&input, 3, &Default::default()).results;
    let r = kpi::compute(&KpiInput {
        history: &hist,
        closure: None,
        ..input
    })
    .expect("valid");
    println!(
        "compute 2026-10 with 3 history periods: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &r.targets {
        *by_status.entry(t.status.as_str()).or_default() += 1;
    }
    println!("statuses: {by_status:?}");
}

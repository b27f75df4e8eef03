//! Business-time arithmetic benchmark: a million differences and a million
//! deadlines on the mainland-China office calendar (issue 3: "well under a
//! second"). Plain `fn main` timing; run with
//! `cargo bench --bench calendar` (release profile). Figures vary with load.

use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use svcreport::model::calendar::{AlwaysOn, BusinessClock, Calendars, ServiceCalendar};
use svcreport::model::holidays::HolidaySet;

const N: usize = 1_000_000;

/// Deterministic pseudo-random numbers (64-bit LCG, top bits).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

fn report(what: &str, n: usize, secs: f64) {
    println!(
        "{what:<48} {n:>9} ops  {:>8.1} ms  {:>7.1} ns/op",
        secs * 1e3,
        secs * 1e9 / n as f64
    );
}

fn main() {
    let base: NaiveDateTime = NaiveDate::from_ymd_opt(2023, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid date");
    let span = (4 * 365 - 70) * 86_400; // 2023-01-01 .. ~2026-10
    let mut rng = Lcg(0x5eed);
    let pairs: Vec<(NaiveDateTime, NaiveDateTime)> = (0..N)
        .map(|_| {
            let a = base + Duration::seconds(rng.next(span) as i64);
            let b = a + Duration::seconds(rng.next(30 * 86_400) as i64);
            (a, b)
        })
        .collect();
    let amounts: Vec<i64> = (0..N).map(|_| rng.next(40 * 3600) as i64).collect();

    let t = Instant::now();
    let cal = ServiceCalendar::new(
        "office",
        &[
            "mon-fri 09:00-12:00".to_string(),
            "mon-fri 13:30-18:00".to_string(),
        ],
        HolidaySet::cn(),
    )
    .expect("valid calendar");
    report(
        "build office calendar tables (2007-2026)",
        1,
        t.elapsed().as_secs_f64(),
    );

    let t = Instant::now();
    let mut total = 0i64;
    for &(a, b) in &pairs {
        total += cal
            .business_seconds(black_box(a), black_box(b))
            .expect("covered");
    }
    report(
        "business_seconds (office, cn holidays)",
        N,
        t.elapsed().as_secs_f64(),
    );
    black_box(total);

    let t = Instant::now();
    let mut last = base;
    for (&(a, _), &n) in pairs.iter().zip(&amounts) {
        last = last.max(
            cal.add_business_seconds(black_box(a), black_box(n))
                .expect("covered"),
        );
    }
    report(
        "add_business_seconds (office, deadline)",
        N,
        t.elapsed().as_secs_f64(),
    );
    black_box(last);

    // Through the trait object, as the KPI engine calls it.
    let mut cals = Calendars::new();
    cals.insert("office", std::sync::Arc::new(cal.clone()));
    cals.assign("email", "office");
    let clock: &dyn BusinessClock = cals.for_service("email");
    let t = Instant::now();
    let mut total = 0i64;
    for &(a, b) in &pairs {
        total += clock
            .business_seconds(black_box(a), black_box(b))
            .expect("covered");
    }
    report(
        "business_seconds via &dyn BusinessClock",
        N,
        t.elapsed().as_secs_f64(),
    );
    black_box(total);

    let t = Instant::now();
    let mut total = 0i64;
    for &(a, b) in &pairs {
        total += AlwaysOn
            .business_seconds(black_box(a), black_box(b))
            .expect("infallible");
    }
    report("business_seconds (7x24)", N, t.elapsed().as_secs_f64());
    black_box(total);

    let cn = HolidaySet::cn();
    let t = Instant::now();
    let mut working = 0u32;
    for &(a, _) in &pairs {
        working += u32::from(cn.is_working_day(black_box(a.date())).expect("covered"));
    }
    report(
        "HolidaySet::is_working_day (BTreeMap lookup)",
        N,
        t.elapsed().as_secs_f64(),
    );
    black_box(working);
}

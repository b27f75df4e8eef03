//! Integration tests: calendar (holiday data, business-time arithmetic, due dates).
//!
//! The shipped holiday set is cross-checked against an independent derivation
//! (`../shared/data/cn_holidays/cn_working_days_per_month_2023_2026.csv`), and
//! the table-driven arithmetic against a brute-force, minute-by-minute oracle
//! that uses only chrono and `HolidaySet::status`.

use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;

use svcreport::model::calendar::{
    AlwaysOn, BusinessClock, CalendarError, ServiceCalendar, business_seconds_of, merge,
};
use svcreport::model::holidays::{DayStatus, HolidaySet};
use svcreport::model::period::Period;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Mon–Fri 09:00–12:00 and 13:30–18:00 on the shipped holidays (built once).
fn office() -> &'static ServiceCalendar {
    static OFFICE: std::sync::OnceLock<ServiceCalendar> = std::sync::OnceLock::new();
    OFFICE.get_or_init(|| {
        ServiceCalendar::new(
            "office",
            &["mon-fri 09:00-12:00".into(), "mon-fri 13:30-18:00".into()],
            HolidaySet::cn(),
        )
        .unwrap()
    })
}

/// `../shared/data/cn_holidays/<name>` beside the repository (also two levels
/// up, for a git worktree under `wt/`); `None`, with a note, when absent.
fn shared_data(name: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        root.join("../shared/data/cn_holidays").join(name),
        root.join("../../shared/data/cn_holidays").join(name),
    ];
    let found = candidates.iter().find(|p| p.exists()).cloned();
    if found.is_none() {
        println!(
            "note: {} is absent; skipping the cross-check",
            candidates[0].display()
        );
    }
    found
}

#[test]
fn shipped_set_matches_working_days_per_month_2023_2026() {
    let Some(path) = shared_data("cn_working_days_per_month_2023_2026.csv") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let cn = HolidaySet::cn();
    let none = HolidaySet::none();
    let cal = office();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let p = Period::parse(f[0]).unwrap();
        let calendar_days: i64 = f[1].parse().unwrap();
        let mon_fri: u32 = f[2].parse().unwrap();
        let working: u32 = f[3].parse().unwrap();
        assert_eq!(
            (p.end_date_exclusive() - p.start_date()).num_days(),
            calendar_days
        );
        assert_eq!(
            none.working_days_between(p.start_date(), p.end_date_exclusive())
                .unwrap(),
            mon_fri,
            "{p}"
        );
        // 2026-12 included: late December follows the 2026 notice until a 2027 one exists.
        assert_eq!(
            cn.working_days_between(p.start_date(), p.end_date_exclusive())
                .unwrap(),
            working,
            "{p}"
        );
        // The windowed calendar agrees: 7.5 business hours per working day.
        assert_eq!(
            cal.business_seconds(p.start(), p.end()).unwrap(),
            i64::from(working) * 27_000,
            "{p}"
        );

        rows += 1;
    }
    assert_eq!(rows, 48);
}

#[test]
fn shipped_set_matches_the_flattened_source_row_by_row() {
    let Some(path) = shared_data("cn_holidays_2007_2027.csv") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let cn = HolidaySet::cn();
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let date = NaiveDate::parse_from_str(f[0], "%Y-%m-%d").unwrap();
        let off = f[2] == "true";
        let e = cn.entry(date).unwrap();
        assert_eq!(e.name, f[1]);
        // Where the date is covered, the status follows the row.
        if cn.covers(date) {
            let st = cn.status(date).unwrap();
            assert_eq!(!st.is_working(), off, "{date}");
        }
        n += 1;
    }
    assert_eq!(n, cn.entries().count());
}

#[test]
fn spring_festival_and_national_day_2026_day_by_day() {
    let cn = HolidaySet::cn();
    // 2026-02-13 (Fri) … 2026-03-01 (Sun): W = working, - = off.
    let feb = "WW---------WWWWW-";
    for (i, c) in feb.chars().enumerate() {
        let day = d(2026, 2, 13) + Duration::days(i as i64);
        assert_eq!(cn.is_working_day(day).unwrap(), c == 'W', "{day}");
    }
    assert_eq!(cn.status(d(2026, 2, 14)).unwrap(), DayStatus::MakeUpWorkday);
    assert_eq!(cn.status(d(2026, 2, 28)).unwrap(), DayStatus::MakeUpWorkday);
    // 2026-09-19 (Sat) … 2026-10-11 (Sun).
    let autumn = "-WWWWW---WWW-------WWW-";
    for (i, c) in autumn.chars().enumerate() {
        let day = d(2026, 9, 19) + Duration::days(i as i64);
        assert_eq!(cn.is_working_day(day).unwrap(), c == 'W', "{day}");
    }
    assert_eq!(cn.status(d(2026, 9, 20)).unwrap(), DayStatus::MakeUpWorkday);
    assert_eq!(
        cn.status(d(2026, 10, 10)).unwrap(),
        DayStatus::MakeUpWorkday
    );
}

#[test]
fn year_2027_is_not_covered() {
    let cn = HolidaySet::cn();
    let want = CalendarError::YearNotCovered {
        calendar: "cn".into(),
        year: 2027,
    };
    assert_eq!(cn.is_working_day(d(2027, 3, 3)), Err(want.clone()));
    let cal = office();
    let t = d(2027, 3, 3).and_hms_opt(9, 0, 0).unwrap();
    assert_eq!(
        cal.business_seconds(t, t + Duration::hours(1)),
        Err(want.clone())
    );
    assert_eq!(cal.add_business_seconds(t, 60), Err(want.clone()));
    // A deadline that would run into 2027 from a covered start: 28–31 December (Mon–Thu,
    // 4 × 7.5 h) are known from the 2026 notice, one second more needs 2027.
    let late = d(2026, 12, 28).and_hms_opt(9, 0, 0).unwrap();
    assert_eq!(
        cal.add_business_seconds(late, 4 * 27_000),
        Ok(d(2026, 12, 31).and_hms_opt(18, 0, 0).unwrap())
    );
    assert_eq!(
        cal.add_business_seconds(late, 4 * 27_000 + 1),
        Err(want.clone())
    );
    assert!(want.to_string().contains("2027"));
    // 7×24 needs no holiday data.
    assert_eq!(
        AlwaysOn.business_seconds(t, t + Duration::hours(1)),
        Ok(3600)
    );
}

#[test]
fn availability_style_union_of_outages_in_a_period() {
    // Two overlapping outages across the National Day week, on the office calendar.
    let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let outages = vec![
        (t("2026-09-30 16:00"), t("2026-10-08 10:00")),
        (t("2026-10-08 09:30"), t("2026-10-08 14:00")),
    ];
    let mut m = outages.clone();
    merge(&mut m);
    assert_eq!(m, vec![(t("2026-09-30 16:00"), t("2026-10-08 14:00"))]);
    // 09-30 16-18 (2 h) + 10-08 09-12 (3 h) + 13:30-14 (0.5 h) = 5.5 h.
    assert_eq!(business_seconds_of(office(), &outages).unwrap(), 19_800);
}

// ---------- property tests ----------

/// Brute force: count whole minutes in [a, b) inside the calendar's hours,
/// using only chrono and the holiday status (not the calendar's tables).
fn oracle_minutes(
    windows: &[[(u32, u32); 2]; 7],
    makeup: Option<usize>,
    set: &HolidaySet,
    a: NaiveDateTime,
    b: NaiveDateTime,
) -> i64 {
    let mut n = 0;
    let mut t = a;
    while t < b {
        let day = t.date();
        let wd = match set.status(day).unwrap() {
            DayStatus::Holiday => None,
            DayStatus::MakeUpWorkday => makeup,
            _ => Some(day.weekday().num_days_from_monday() as usize),
        };
        let m = t.hour() * 60 + t.minute();
        if let Some(w) = wd
            && windows[w].iter().any(|&(s, e)| m >= s && m < e)
        {
            n += 1;
        }
        t += Duration::minutes(1);
    }
    n
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A random calendar: per weekday up to two ranges (minutes), as window texts.
fn arb_week() -> impl Strategy<Value = [[(u32, u32); 2]; 7]> {
    let range = (0u32..=1440, 0u32..=1440).prop_map(|(a, b)| (a.min(b), a.max(b)));
    proptest::array::uniform7(proptest::array::uniform2(range))
}

fn texts(week: &[[(u32, u32); 2]; 7]) -> Vec<String> {
    let mut v = Vec::new();
    for (i, day) in week.iter().enumerate() {
        for &(s, e) in day {
            if s < e {
                v.push(format!("{} {}-{}", DAYS[i], hhmm(s), hhmm(e)));
            }
        }
    }
    if v.is_empty() {
        v.push("mon 09:00-10:00".into());
    }
    v
}

fn base() -> NaiveDateTime {
    d(2023, 1, 1).and_hms_opt(0, 0, 0).unwrap()
}

/// Instants from 2023-01-01 to 2026-12-27, whole seconds.
fn arb_instant() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..(4 * 365 - 5) * 86_400).prop_map(|s| base() + Duration::seconds(s))
}

/// Instants from 2023-01-01 to 2026-10-31 (room for deadlines within the data).
fn arb_start() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..(4 * 365 - 61) * 86_400).prop_map(|s| base() + Duration::seconds(s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn additive_over_any_split(a in arb_instant(), b in arb_instant(), c in arb_instant()) {
        let mut v = [a, b, c];
        v.sort();
        let [a, b, c] = v;
        let cal = office();
        let whole = cal.business_seconds(a, c).unwrap();
        prop_assert_eq!(whole, cal.business_seconds(a, b).unwrap() + cal.business_seconds(b, c).unwrap());
    }

    #[test]
    fn deadline_measures_back_exactly(t in arb_start(), n in 0i64..20 * 27_000) {
        let cal = office();
        let due = cal.add_business_seconds(t, n).unwrap();
        prop_assert!(due >= t);
        prop_assert_eq!(cal.business_seconds(t, due).unwrap(), n);
        // Earliest: one second earlier is one business second short.
        if n > 0 {
            prop_assert_eq!(cal.business_seconds(t, due - Duration::seconds(1)).unwrap(), n - 1);
        }
    }

    #[test]
    fn never_more_than_wall_clock(a in arb_instant(), b in arb_instant()) {
        let cal = office();
        let bs = cal.business_seconds(a, b).unwrap();
        prop_assert!(bs >= 0);
        prop_assert!(bs <= (b - a).num_seconds().max(0));
        prop_assert!(bs <= AlwaysOn.business_seconds(a, b).unwrap());
    }

}

proptest! {
    // Each case builds a calendar's tables (2007–2026): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_calendars_agree_with_the_minute_oracle(
        week in arb_week(),
        start in 0i64..(4 * 365 - 10) * 1440,
        len in 0i64..4 * 1440,
        n in 0i64..3 * 86_400,
    ) {
        let cal = ServiceCalendar::new("r", &texts(&week), HolidaySet::cn()).unwrap();
        // The week as the calendar sees it (`texts` falls back to mon 09-10 when empty).
        let mut w = week;
        if !week.iter().flatten().any(|(s, e)| s < e) {
            w[0][0] = (540, 600);
        }
        // Make-up days take Monday's windows, else the first of Tue–Fri with any.
        let makeup = (0..5).find(|i| w[*i].iter().any(|(s, e)| s < e));
        let a = base() + Duration::minutes(start);
        let b = a + Duration::minutes(len);
        let want = oracle_minutes(&w, makeup, &HolidaySet::cn(), a, b);
        prop_assert_eq!(cal.business_seconds(a, b).unwrap(), want * 60);
        // Deadlines on the same calendar measure back exactly (when inside the data).
        if let Ok(due) = cal.add_business_seconds(a, n) {
            prop_assert_eq!(cal.business_seconds(a, due).unwrap(), n);
        }
    }
}

/// Minute-grid intervals within one week of 2026-10 (start minute, length).
fn arb_intervals() -> impl Strategy<Value = Vec<(NaiveDateTime, NaiveDateTime)>> {
    let one = (0i64..7 * 1440, 0i64..600).prop_map(|(s, l)| {
        let a = d(2026, 10, 5).and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(s);
        (a, a + Duration::minutes(l))
    });
    proptest::collection::vec(one, 0..12)
}

/// Which minutes of the week (plus overhang) the intervals cover.
fn bitmap(v: &[(NaiveDateTime, NaiveDateTime)]) -> Vec<bool> {
    let origin = d(2026, 10, 5).and_hms_opt(0, 0, 0).unwrap();
    let mut bits = vec![false; 8 * 1440];
    for &(a, b) in v {
        let (s, e) = ((a - origin).num_minutes(), (b - origin).num_minutes());
        for m in s.max(0)..e.max(0) {
            bits[m as usize] = true;
        }
    }
    bits
}

proptest! {
    #[test]
    fn merge_clip_subtract_agree_with_a_minute_bitmap(
        v in arb_intervals(),
        w in arb_intervals(),
        lo in 0i64..7 * 1440,
        len in 0i64..3 * 1440,
    ) {
        use svcreport::model::calendar::{clip, subtract};
        let mut m = v.clone();
        merge(&mut m);
        // Sorted, disjoint, non-touching, non-empty; same minutes covered.
        for pair in m.windows(2) {
            prop_assert!(pair[0].1 < pair[1].0);
        }
        prop_assert!(m.iter().all(|(a, b)| a < b));
        prop_assert_eq!(bitmap(&m), bitmap(&v));
        // Union counted once: never more than the sum, and equal to the bitmap count.
        let minutes = bitmap(&v).iter().filter(|b| **b).count() as i64;
        prop_assert_eq!(business_seconds_of(&AlwaysOn, &v).unwrap(), minutes * 60);
        // Clip keeps exactly the minutes inside the window.
        let origin = d(2026, 10, 5).and_hms_opt(0, 0, 0).unwrap();
        let (from, to) = (origin + Duration::minutes(lo), origin + Duration::minutes(lo + len));
        let c = clip(&m, from, to);
        let want: Vec<bool> = bitmap(&m)
            .iter()
            .enumerate()
            .map(|(i, b)| *b && (i as i64) >= lo && (i as i64) < lo + len)
            .collect();
        prop_assert_eq!(bitmap(&c), want);
        // Subtract removes exactly the other set's minutes.
        let s = subtract(&v, &w);
        let want: Vec<bool> = bitmap(&v).iter().zip(bitmap(&w)).map(|(a, b)| *a && !b).collect();
        prop_assert_eq!(bitmap(&s), want);
        for pair in s.windows(2) {
            prop_assert!(pair[0].1 <= pair[1].0);
        }
    }
}

// ---------- the `calendar` command, end to end ----------

const SETTINGS: &str = r#"[workspace]
name = "示例 IT 服务"
organisation = "深圳市示例信息技术有限公司"
timezone = "Asia/Shanghai"
inbox = ["inbox/**/*.xlsx"]
catalogue = ["catalogue.toml"]
output = "out"
"#;

const CATALOGUE: &str = r#"[[customer]]
id = "acme"
name = "安科美科技有限公司"
recipients = ["it-director@acme.example"]

[calendar.office]
holidays = "cn"
windows = ["mon-fri 09:00-12:00", "mon-fri 13:30-18:00"]

[[service]]
id = "email"
name = "企业邮箱"
calendar = "office"
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

[[report]]
id = "acme-monthly"
title = "安科美 IT 服务月度报告"
audience = "customer"
agreements = ["SLA-ACME"]
frequency = "monthly"
formats = ["pdf"]
template = "customer-zh"
doc_number = "SR-ACME-{period}"
compiler = "王敏"
reviewer = "李强"
approver = "张伟"

[[report]]
id = "acme-half"
title = "安科美 IT 服务半年报告"
audience = "customer"
agreements = ["SLA-ACME"]
frequency = "semiannual"
formats = ["pdf"]
template = "customer-zh"
doc_number = "SR-ACME-{period}"
compiler = "王敏"
reviewer = "李强"
approver = "张伟"
"#;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("svcreport.toml"), SETTINGS).unwrap();
    std::fs::write(dir.path().join("catalogue.toml"), CATALOGUE).unwrap();
    dir
}

fn svcreport(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_svcreport"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn calendar_command_prints_2026_text_and_json() {
    let ws = workspace();
    let w = ws.path().to_str().unwrap();
    let (code, out, err) = svcreport(&["-w", w, "calendar", "--year", "2026"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    for want in [
        "acme-monthly · 安科美 IT 服务月度报告 · monthly",
        "  2026-09  SR-ACME-2026-09  2026-10-03 Sat  2026-10-10 Sat  report due on a 国庆节 make-up working day; data due on a 国庆节 holiday",
        "  2026-04  SR-ACME-2026-04  2026-05-04 Mon  2026-05-11 Mon  moved from 2026-05-10 Sun, weekend; data due on a 劳动节 holiday",
        "acme-half · 安科美 IT 服务半年报告 · semiannual",
        "  2026-H1  SR-ACME-2026-H1  2026-07-08 Wed  2026-07-15 Wed",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in\n{out}");
    }
    assert!(
        out.contains("  2026-H2  SR-ACME-2026-H2  -               -               unknown (nominal 2027-01-15 Fri): the holiday calendar \"cn\" has no data for 2027"),
        "{out}"
    );

    let (code, out, err) = svcreport(&["-w", w, "--format", "json", "calendar", "--year", "2026"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reports"][0]["periods"][8]["report_due"], "2026-10-10");
    assert_eq!(v["reports"][1]["periods"][0]["data_due"], "2026-07-08");
    assert!(v["reports"][1]["periods"][1]["report_due"].is_null());
}

#[test]
fn calendar_command_default_year_comes_from_the_run_time() {
    let ws = workspace();
    let w = ws.path().to_str().unwrap();
    let (code, out, err) = svcreport(&["-w", w, "--now", "2025-11-03 10:00", "calendar"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Report due dates for 2025 "), "{out}");
    // 2025-12's report is due 2026-01-10 (Sat) → Monday 2026-01-12.
    assert!(
        out.contains("  2025-12  SR-ACME-2025-12  2026-01-05 Mon  2026-01-12 Mon  moved from 2026-01-10 Sat, weekend"),
        "{out}"
    );
    let (code, _, err) = svcreport(&["-w", w, "calendar", "--year", "123456"]);
    assert_eq!(code, 2);
    assert!(err.contains("--year 123456 is out of range"), "{err}");
}

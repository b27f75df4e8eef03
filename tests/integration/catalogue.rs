//! Integration tests: catalogue (spec §2.2, §2.4), workspace settings and the
//! provider templates.
//!
//! Positions in the expected messages are counted by hand: `BASE` has 32
//! lines, so the k-th line of an appended snippet is line 32 + k; columns are
//! 1-based characters (`service = "emial"` → the value starts at column 11).

use std::path::Path;

use chrono::NaiveDate;
use svcreport::catalogue::{self, CatalogueError};
use svcreport::model::catalogue::{
    AgreementKind, Audience, HolidaySource, Metric, Op, OutputFormat, Unit,
};
use svcreport::model::period::{Frequency, Period};
use svcreport::model::records::Priority;
use svcreport::workspace::Workspace;

/// The catalogue part of spec §2.4, verbatim.
const SPEC_EXAMPLE: &str = r#"[[customer]]
id = "acme"
name = "安科美科技有限公司"
name_en = "ACME Technology Co., Ltd."
recipients = ["it-director@acme.example"]

[calendar.office]                 # 7x24 needs no definition
holidays = "cn"                   # the shipped mainland-China calendar, or a path
windows = ["mon-fri 09:00-12:00", "mon-fri 13:30-18:00"]

[[service]]
id = "email"
name = "企业邮箱"
name_en = "Corporate e-mail"
calendar = "7x24"
customers = ["acme"]

[[supplier]]
id = "netco"
name = "网联通信"

[[agreement]]
id = "SLA-ACME"
kind = "SLA"                      # SLA | UC | OLA
version = "2.1"
party = "acme"                    # customer (SLA), supplier (UC) or internal team (OLA)
services = ["email"]
effective = { from = 2026-01-01, to = 2026-12-31 }

[[agreement.target]]
metric = "availability"           # percent, higher is better
op = ">="
threshold = 99.9
at_risk = 0.05

[[agreement.target]]
metric = "resolution_compliance"
priority = "P1"
within = "4h"                     # per-ticket limit in business time: "15m", "4h", "1h30m", "72h"
op = ">="
threshold = 90.0

[[process_kpi]]
process = "变更管理"
kpi = "变更成功率"
op = ">="
threshold = 95.0

[[report]]
id = "acme-monthly"
title = "安科美 IT 服务月度报告"
audience = "customer"             # customer | internal | supplier
agreements = ["SLA-ACME"]
frequency = "monthly"             # monthly | quarterly | semiannual | annual
formats = ["pdf", "xlsx"]
template = "customer-zh"
doc_number = "SR-ACME-{period}"
compiler = "王敏"
reviewer = "李强"
approver = "张伟"
recipients = ["it-director@acme.example"]
"#;

/// A valid catalogue of 32 lines: two customers, a windowed calendar, two
/// services, a supplier and a team.
const BASE: &str = r#"[[customer]]
id = "acme"
name = "安科美科技有限公司"
recipients = ["it@acme.example"]

[[customer]]
id = "beta"
name = "贝塔"

[calendar.office]
holidays = "cn"
windows = ["mon-fri 09:00-12:00", "mon-fri 13:30-18:00"]

[[service]]
id = "email"
name = "企业邮箱"
calendar = "7x24"
customers = ["acme", "beta"]

[[service]]
id = "erp"
name = "ERP"
calendar = "office"
customers = ["acme"]

[[supplier]]
id = "netco"
name = "网联通信"

[[team]]
id = "ops"
name = "运维组"
"#;

/// BASE + an SLA with acme on email (agreement at line 34, its target table at
/// line 42) whose target lines start at line 43.
fn sla(target: &str) -> String {
    format!(
        "{BASE}
[[agreement]]
id = \"SLA-ACME\"
kind = \"SLA\"
version = \"1.0\"
party = \"acme\"
services = [\"email\"]
effective = {{ from = 2026-01-01, to = 2026-12-31 }}

[[agreement.target]]
{target}"
    )
}

fn errors(text: &str) -> Vec<String> {
    match catalogue::parse_str("catalogue.toml", text) {
        Ok(_) => panic!("expected errors, the catalogue loaded"),
        Err(e) => e.issues().iter().map(|i| i.to_string()).collect(),
    }
}

fn one_error(text: &str) -> String {
    let e = errors(text);
    assert_eq!(e.len(), 1, "expected exactly one error, got {e:#?}");
    e.into_iter().next().unwrap_or_default()
}

#[test]
fn base_has_32_lines_and_loads() {
    assert_eq!(BASE.lines().count(), 32);
    let cat = catalogue::parse_str("catalogue.toml", BASE).expect("BASE is valid");
    assert_eq!(cat.customers.len(), 2);
    assert_eq!(cat.services[1].calendar, "office");
    assert_eq!(cat.teams[0].name, "运维组");
    // And the SLA helper with a valid target loads too.
    let ok = sla("metric = \"availability\"\nop = \">=\"\nthreshold = 99.5\n");
    let cat = catalogue::parse_str("catalogue.toml", &ok).expect("valid");
    assert_eq!(cat.agreements.len(), 1);
}

#[test]
fn spec_example_loads_into_expected_values() {
    let cat = catalogue::parse_str("catalogue.toml", SPEC_EXAMPLE).expect("spec example loads");
    let acme = cat.customer("acme").expect("acme");
    assert_eq!(acme.name, "安科美科技有限公司");
    assert_eq!(acme.name_en.as_deref(), Some("ACME Technology Co., Ltd."));
    assert_eq!(acme.recipients, vec!["it-director@acme.example"]);

    let office = &cat.calendars["office"];
    assert_eq!(office.holidays, HolidaySource::Cn);
    assert_eq!(
        office.windows,
        vec!["mon-fri 09:00-12:00", "mon-fri 13:30-18:00"]
    );

    let email = cat.service("email").expect("email");
    assert_eq!(email.calendar, "7x24");
    assert_eq!(email.customers, vec!["acme"]);
    assert_eq!(
        cat.supplier("netco").map(|s| s.name.as_str()),
        Some("网联通信")
    );

    assert_eq!(cat.agreements.len(), 1);
    let a = &cat.agreements[0];
    assert_eq!(a.kind, AgreementKind::Sla);
    assert_eq!(a.version, "2.1");
    assert_eq!(a.party, "acme");
    assert_eq!(
        a.effective_from,
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    );
    assert_eq!(a.effective_to, NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(a.targets.len(), 2);
    let av = &a.targets[0];
    assert_eq!(av.metric, Metric::Availability);
    assert_eq!(av.op, Op::Ge);
    assert_eq!(av.threshold, 99.9);
    assert_eq!(av.unit, Unit::Percent);
    assert_eq!(av.at_risk, Some(0.05));
    assert_eq!(av.within_secs, None);
    let rc = &a.targets[1];
    assert_eq!(rc.metric, Metric::ResolutionCompliance);
    assert_eq!(rc.priority, Some(Priority::P1));
    assert_eq!(rc.within_secs, Some(4 * 3600));
    assert_eq!(rc.within_text.as_deref(), Some("4h"));
    assert!(
        cat.agreement_for("SLA-ACME", &Period::month(2026, 10))
            .is_some()
    );
    assert!(
        cat.agreement_for("SLA-ACME", &Period::month(2027, 1))
            .is_none()
    );

    assert_eq!(cat.process_kpis.len(), 1);
    assert_eq!(cat.process_kpis[0].process, "变更管理");
    assert_eq!(cat.process_kpis[0].threshold, 95.0);

    let r = cat.report("acme-monthly").expect("report");
    assert_eq!(r.audience, Audience::Customer);
    assert_eq!(r.frequency, Frequency::Monthly);
    assert_eq!(r.formats, vec![OutputFormat::Pdf, OutputFormat::Xlsx]);
    assert_eq!(r.agreements, vec!["SLA-ACME"]);
    assert_eq!(
        (
            r.compiler.as_str(),
            r.reviewer.as_str(),
            r.approver.as_str()
        ),
        ("王敏", "李强", "张伟")
    );
    assert_eq!(
        r.doc_number_for(&Period::month(2026, 10)),
        "SR-ACME-2026-10"
    );
}

#[test]
fn target_unknown_service_with_suggestion() {
    let e = one_error(&sla(
        "metric = \"availability\"\nservice = \"emial\"\nop = \">=\"\nthreshold = 99.9\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:11: target names unknown service \"emial\" (did you mean \"email\"?)"
    );
}

#[test]
fn target_service_not_covered_by_agreement() {
    let e = one_error(&sla(
        "metric = \"availability\"\nservice = \"erp\"\nop = \">=\"\nthreshold = 99.9\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:11: target names service \"erp\", which agreement \"SLA-ACME\" does not cover (it covers: email)"
    );
}

#[test]
fn target_customer_must_be_the_sla_party() {
    let e = one_error(&sla(
        "metric = \"availability\"\ncustomer = \"beta\"\nop = \">=\"\nthreshold = 99.9\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:12: target names customer \"beta\", but SLA \"SLA-ACME\" is with \"acme\""
    );
}

#[test]
fn unknown_metric_lists_valid_names_and_closest() {
    let e = one_error(&sla(
        "metric = \"availabilty\"\nop = \">=\"\nthreshold = 99.9\n",
    ));
    assert!(
        e.starts_with(
            "catalogue.toml:43:10: unknown metric \"availabilty\" (did you mean \"availability\"?); valid metrics: availability, response_compliance, resolution_compliance, mttr,"
        ),
        "{e}"
    );
    assert!(e.ends_with("capacity_peak, capacity_days_over"), "{e}");
}

#[test]
fn op_must_be_a_comparison_and_unicode_is_accepted() {
    let e = one_error(&sla(
        "metric = \"availability\"\nop = \"==\"\nthreshold = 99.9\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:6: op \"==\" is not a comparison: write \">=\" (at least) or \"<=\" (at most)"
    );
    let cat = catalogue::parse_str(
        "catalogue.toml",
        &sla("metric = \"mttr\"\nop = \"≤\"\nthreshold = 4\n"),
    )
    .expect("≤ accepted, integer threshold accepted");
    let t = &cat.agreements[0].targets[0];
    assert_eq!((t.op, t.threshold, &t.unit), (Op::Le, 4.0, &Unit::Hours));
}

#[test]
fn within_required_for_compliance_metrics() {
    let e = one_error(&sla(
        "metric = \"resolution_compliance\"\npriority = \"P2\"\nop = \">=\"\nthreshold = 90\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:43:10: metric resolution_compliance needs a per-ticket limit: add within = \"4h\" (or similar)"
    );
}

#[test]
fn within_rejected_where_not_needed() {
    let e = one_error(&sla(
        "metric = \"availability\"\nwithin = \"4h\"\nop = \">=\"\nthreshold = 99\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:10: metric availability takes no per-ticket limit: remove within"
    );
}

#[test]
fn within_must_parse() {
    let e = one_error(&sla(
        "metric = \"response_compliance\"\nwithin = \"4 hours\"\nop = \">=\"\nthreshold = 95\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:10: within \"4 hours\" is not a duration: write e.g. \"15m\", \"4h\", \"1h30m\", \"72h\" or \"2d\" (= 48 business hours)"
    );
    let cat = catalogue::parse_str(
        "catalogue.toml",
        &sla("metric = \"response_compliance\"\nwithin = \"1h30m\"\nop = \">=\"\nthreshold = 95\n"),
    )
    .expect("1h30m");
    assert_eq!(cat.agreements[0].targets[0].within_secs, Some(5400));
}

#[test]
fn priority_scope_is_p1_to_p4_and_only_for_ticket_metrics() {
    let e = one_error(&sla(
        "metric = \"mttr\"\npriority = \"P5\"\nop = \"<=\"\nthreshold = 8\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:12: priority \"P5\" is not one of P1, P2, P3, P4"
    );
    let e = one_error(&sla(
        "metric = \"availability\"\npriority = \"P1\"\nop = \">=\"\nthreshold = 99\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:44:12: metric availability cannot be scoped to a priority"
    );
}

#[test]
fn percentage_threshold_in_range_and_at_risk_not_negative() {
    let e = errors(&sla(
        "metric = \"availability\"\nop = \">=\"\nthreshold = 120.0\nat_risk = -0.5\n",
    ));
    assert_eq!(
        e,
        vec![
            "catalogue.toml:45:13: threshold 120 is not a percentage between 0 and 100",
            "catalogue.toml:46:11: at_risk -0.5 must be a number ≥ 0",
        ]
    );
}

#[test]
fn unit_must_match_the_metric() {
    let e = one_error(&sla(
        "metric = \"mttr\"\nop = \"<=\"\nthreshold = 240\nunit = \"min\"\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:46:8: unit \"min\" is not the unit of mttr (\"h\"): write unit = \"h\" or leave it out"
    );
}

#[test]
fn uc_metric_only_in_uc() {
    let e = one_error(&sla(
        "metric = \"uc_response_compliance\"\nwithin = \"1h\"\nop = \">=\"\nthreshold = 95\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:43:10: metric uc_response_compliance measures a supplier and belongs in a UC, not in SLA \"SLA-ACME\""
    );
}

#[test]
fn effective_to_before_from() {
    let text = sla("metric = \"availability\"\nop = \">=\"\nthreshold = 99\n")
        .replace("to = 2026-12-31", "to = 2025-12-31");
    assert_eq!(
        one_error(&text),
        "catalogue.toml:40:39: effective.to 2025-12-31 is before effective.from 2026-01-01"
    );
}

#[test]
fn overlapping_versions_of_one_agreement() {
    let text = sla("metric = \"availability\"\nop = \">=\"\nthreshold = 99\n")
        + "
[[agreement]]
id = \"SLA-ACME\"
kind = \"SLA\"
version = \"2.0\"
party = \"acme\"
services = [\"email\"]
effective = { from = 2026-06-01 }
";
    // The second agreement starts at line 47; its effective is line 53.
    assert_eq!(
        one_error(&text),
        "catalogue.toml:53:13: agreement \"SLA-ACME\" version \"2.0\" (2026-06-01 – open-ended) overlaps version \"1.0\" (2026-01-01 – 2026-12-31) defined at catalogue.toml:35:6; end the earlier version before the next begins"
    );
    // Consecutive versions are fine, and agreement_for picks the one in force.
    let ok = text.replace("from = 2026-06-01", "from = 2027-01-01");
    let cat = catalogue::parse_str("catalogue.toml", &ok).expect("consecutive versions");
    assert_eq!(
        cat.agreement_for("SLA-ACME", &Period::month(2027, 3))
            .map(|a| a.version.as_str()),
        Some("2.0")
    );
}

#[test]
fn party_of_the_right_kind() {
    let text = sla("metric = \"availability\"\nop = \">=\"\nthreshold = 99\n")
        .replace("party = \"acme\"", "party = \"netco\"");
    assert_eq!(
        one_error(&text),
        "catalogue.toml:38:9: SLA \"SLA-ACME\": party \"netco\" is a supplier, but the party of an SLA must be a customer"
    );
    let text = format!(
        "{BASE}
[[agreement]]
id = \"UC-NET\"
kind = \"UC\"
version = \"1\"
party = \"netcom\"
services = [\"email\"]
effective = {{ from = 2026-01-01 }}
"
    );
    assert_eq!(
        one_error(&text),
        "catalogue.toml:38:9: UC \"UC-NET\": party names unknown supplier \"netcom\" (did you mean \"netco\"?)"
    );
}

#[test]
fn agreement_services_exist_and_serve_the_sla_customer() {
    let base = sla("metric = \"availability\"\nop = \">=\"\nthreshold = 99\n");
    let e = one_error(&base.replace("services = [\"email\"]", "services = [\"emial\"]"));
    assert_eq!(
        e,
        "catalogue.toml:39:13: agreement \"SLA-ACME\" names unknown service \"emial\" (did you mean \"email\"?)"
    );
    let e = one_error(
        &base
            .replace("party = \"acme\"", "party = \"beta\"")
            .replace("services = [\"email\"]", "services = [\"email\", \"erp\"]"),
    );
    assert_eq!(
        e,
        "catalogue.toml:39:22: SLA \"SLA-ACME\" covers service \"erp\", which does not serve customer \"beta\" (add \"beta\" to the service's customers)"
    );
}

#[test]
fn ola_and_uc_with_scoped_targets_load() {
    let text = format!(
        "{BASE}
[[agreement]]
id = \"OLA-OPS\"
kind = \"OLA\"
version = \"1\"
party = \"ops\"
services = [\"email\", \"erp\"]
effective = {{ from = 2026-01-01 }}
calendar = \"office\"

[[agreement.target]]
metric = \"response_compliance\"
customer = \"beta\"
priority = \"p2\"
within = \"2d\"
op = \"≥\"
threshold = 95

[[agreement]]
id = \"UC-NET\"
kind = \"UC\"
version = \"1\"
party = \"netco\"
services = [\"email\"]
effective = {{ from = 2026-01-01 }}

[[agreement.target]]
metric = \"uc_restore_compliance\"
priority = \"P1\"
within = \"72h\"
op = \">=\"
threshold = 98
"
    );
    let cat = catalogue::parse_str("catalogue.toml", &text).expect("OLA + UC");
    let ola = &cat.agreements[0];
    assert_eq!(ola.kind, AgreementKind::Ola);
    assert_eq!(ola.calendar.as_deref(), Some("office"));
    assert_eq!(ola.effective_to, None);
    let t = &ola.targets[0];
    assert_eq!(t.customer.as_deref(), Some("beta"));
    assert_eq!(t.priority, Some(Priority::P2));
    assert_eq!(t.within_secs, Some(48 * 3600), "2d = 48 business hours");
    let uc = &cat.agreements[1];
    assert_eq!(uc.targets[0].within_secs, Some(72 * 3600));
}

#[test]
fn duplicate_ids_name_the_first_definition() {
    let text = format!("{BASE}\n[[customer]]\nid = \"acme\"\nname = \"again\"\n");
    assert_eq!(
        one_error(&text),
        "catalogue.toml:35:6: duplicate customer id \"acme\" (first defined at catalogue.toml:2:6)"
    );
}

#[test]
fn service_references_calendar_and_customers() {
    let text = format!(
        "{BASE}\n[[service]]\nid = \"crm\"\nname = \"CRM\"\ncalendar = \"ofice\"\ncustomers = [\"acme\", \"gamma\"]\n"
    );
    assert_eq!(
        errors(&text),
        vec![
            "catalogue.toml:37:12: service \"crm\" names unknown calendar \"ofice\" (did you mean \"office\"?); define [calendar.ofice] or use \"7x24\"",
            "catalogue.toml:38:22: service \"crm\" names unknown customer \"gamma\"",
        ]
    );
}

#[test]
fn calendar_needs_windows_and_7x24_is_reserved() {
    let text = format!(
        "{BASE}\n[calendar.7x24]\nwindows = [\"mon-sun 00:00-24:00\"]\n\n[calendar.night]\nholidays = \"none\"\nwindows = []\n"
    );
    assert_eq!(
        errors(&text),
        vec![
            "catalogue.toml:34:1: calendar \"7x24\" is built in and cannot be redefined",
            "catalogue.toml:39:11: calendar \"night\" has no windows: list its service hours, e.g. [\"mon-fri 09:00-18:00\"]",
        ]
    );
}

#[test]
fn calendar_windows_are_checked_where_written() {
    let text = format!(
        "{BASE}\n[calendar.night]\nwindows = [\"mon-fri 18:00-23:00\", \"sun 25:00-26:00\"]\n"
    );
    let e = one_error(&text);
    assert!(
        e.starts_with("catalogue.toml:35:35: calendar window \"sun 25:00-26:00\""),
        "{e}"
    );
    // A single 7x24 window is an always-on calendar.
    let ok = format!("{BASE}\n[calendar.allday]\nwindows = [\"7x24\"]\n");
    let cat = catalogue::parse_str("catalogue.toml", &ok).expect("7x24 window");
    assert_eq!(cat.calendars["allday"].windows, vec!["7x24"]);
}

#[test]
fn report_rules_are_all_collected_in_order() {
    let text = sla("metric = \"availability\"\nop = \">=\"\nthreshold = 99\n")
        + "
[[report]]
id = \"acme-monthly\"
title = \"月报\"
audience = \"customers\"
agreements = [\"SLA-ACM\"]
frequency = \"biweekly\"
formats = [\"pdf\", \"docx\"]
template = \"customer-zh\"
doc_number = \"SR-ACME\"
compiler = \"王敏\"
reviewer = \"李强\"
approver = \"张伟\"
";
    // [[report]] is line 47.
    assert_eq!(
        errors(&text),
        vec![
            "catalogue.toml:50:12: audience \"customers\" is not one of customer, internal, supplier",
            "catalogue.toml:51:15: report \"acme-monthly\" names unknown agreement \"SLA-ACM\" (did you mean \"SLA-ACME\"?)",
            "catalogue.toml:52:13: frequency \"biweekly\" is not one of monthly, quarterly, semiannual, annual",
            "catalogue.toml:53:19: format \"docx\" is not one of pdf, xlsx",
            "catalogue.toml:55:14: doc_number \"SR-ACME\" does not contain {period}: every period needs its own number, e.g. \"SR-ACME-{period}\"",
        ]
    );
}

#[test]
fn process_kpi_rules() {
    let text = format!(
        "{BASE}
[[process_kpi]]
process = \"变更管理\"
kpi = \"变更成功率\"
op = \">\"
threshold = 105
unit = \"%\"

[[process_kpi]]
process = \"变更管理\"
kpi = \"变更成功率\"
op = \">=\"
threshold = 95
"
    );
    assert_eq!(
        errors(&text),
        vec![
            "catalogue.toml:37:6: op \">\" is not a comparison: write \">=\" (at least) or \"<=\" (at most)",
            "catalogue.toml:38:13: threshold 105 is not a percentage between 0 and 100",
            "catalogue.toml:42:11: duplicate process KPI target (变更管理, 变更成功率) (first defined at catalogue.toml:35:11)",
        ]
    );
}

#[test]
fn unknown_key_is_an_error_with_the_closest_key() {
    let e = one_error(&sla(
        "metric = \"availability\"\nop = \">=\"\nthresold = 99\n",
    ));
    assert_eq!(
        e,
        "catalogue.toml:45:1: unknown key \"thresold\" (did you mean \"threshold\"?); valid keys here: metric, priority, service, customer, resource, within, op, threshold, unit, at_risk"
    );
    let e = one_error("[[servce]]\nid = \"x\"\n");
    assert!(
        e.starts_with("catalogue.toml:1:3: unknown key \"servce\" (did you mean \"service\"?)"),
        "{e}"
    );
}

#[test]
fn toml_syntax_error_has_position() {
    let e = one_error("[[customer]]\nid = \"acme\nname = \"x\"\n");
    assert!(e.starts_with("catalogue.toml:2:"), "{e}");
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write test file");
}

const SETTINGS: &str = r#"[workspace]
name = "示例 IT 服务"
organisation = "深圳市示例信息技术有限公司"
timezone = "Asia/Shanghai"
language = "zh-CN"
inbox = ["inbox/**/*.xlsx"]
catalogue = ["catalogue/parties.toml", "catalogue/agreements.toml"]
output = "out"
"#;

#[test]
fn several_files_merge_and_errors_name_their_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "svcreport.toml", SETTINGS);
    write(dir.path(), "catalogue/parties.toml", BASE);
    let agreements = "[[agreement]]
id = \"SLA-ACME\"
kind = \"SLA\"
version = \"1.0\"
party = \"acme\"
services = [\"email\", \"erp\"]
effective = { from = 2026-01-01 }

[[agreement.target]]
metric = \"availability\"
service = \"erp\"
op = \">=\"
threshold = 99.5
";
    write(dir.path(), "catalogue/agreements.toml", agreements);
    let ws = Workspace::load(dir.path()).expect("workspace");
    let cat = catalogue::load(&ws).expect("merged catalogue");
    assert_eq!(cat.customers.len(), 2);
    assert_eq!(cat.agreements[0].services, vec!["email", "erp"]);
    assert_eq!(cat.agreements[0].targets[0].service.as_deref(), Some("erp"));

    // An error in the second file names it; a duplicate across files names the first.
    write(
        dir.path(),
        "catalogue/agreements.toml",
        &(agreements.replace("\"erp\"]", "\"erpp\"]")
            + "\n[[team]]\nid = \"ops\"\nname = \"dup\"\n"),
    );
    let err = catalogue::load(&ws).expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "catalogue/agreements.toml:6:22: agreement \"SLA-ACME\" names unknown service \"erpp\" (did you mean \"erp\"?)\n\
         catalogue/agreements.toml:11:11: target names service \"erp\", which agreement \"SLA-ACME\" does not cover (it covers: email)\n\
         catalogue/agreements.toml:16:6: duplicate team id \"ops\" (first defined at catalogue/parties.toml:31:6)"
    );
}

#[test]
fn missing_catalogue_file_and_holiday_file_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "svcreport.toml", SETTINGS);
    write(dir.path(), "catalogue/parties.toml", BASE);
    let ws = Workspace::load(dir.path()).expect("workspace");
    match catalogue::load(&ws) {
        Err(CatalogueError::Read { path, .. }) => {
            assert!(path.ends_with("catalogue/agreements.toml"), "{path:?}")
        }
        other => panic!("expected a read error, got {other:?}"),
    }
    write(
        dir.path(),
        "catalogue/agreements.toml",
        "[calendar.plant]\nholidays = \"calendars/plant.csv\"\nwindows = [\"mon-sat 08:00-20:00\"]\n",
    );
    let err = catalogue::load(&ws).expect_err("holiday file missing");
    assert_eq!(
        err.to_string(),
        "catalogue/agreements.toml:2:12: holiday file \"calendars/plant.csv\" does not exist (paths are relative to the workspace; or write \"cn\" for the shipped mainland-China calendar)"
    );
    write(
        dir.path(),
        "calendars/plant.csv",
        "date,kind,name\n2027-13-01,holiday,bad\n",
    );
    let err = catalogue::load(&ws).expect_err("malformed holiday file");
    let s = err.to_string();
    assert!(
        s.starts_with("catalogue/agreements.toml:2:12: holiday file \"calendars/plant.csv\": ")
            && s.contains("2027-13-01"),
        "{s}"
    );
    write(
        dir.path(),
        "calendars/plant.csv",
        "date,kind,name\n2027-10-01,holiday,国庆节\n2027-09-26,workday,调休\n",
    );
    let cat = catalogue::load(&ws).expect("holiday file present");
    assert_eq!(
        cat.calendars["plant"].holidays,
        HolidaySource::File("calendars/plant.csv".into())
    );
}

#[test]
fn workspace_settings_of_the_spec_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "svcreport.toml", SETTINGS);
    let ws = Workspace::load(dir.path()).expect("workspace");
    assert_eq!(ws.name, "示例 IT 服务");
    assert_eq!(ws.timezone, chrono_tz::Asia::Shanghai);
    assert_eq!(ws.inbox, vec!["inbox/**/*.xlsx"]);
    assert_eq!(ws.catalogue.len(), 2);
    assert_eq!(ws.output, ws.root.join("out"));
    assert_eq!(ws.max_uncompressed_bytes, 1024 * 1024 * 1024);
    assert_eq!(
        ws.rel(&ws.root.join("inbox").join("a.xlsx")),
        "inbox/a.xlsx"
    );
}

#[test]
fn workspace_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("svcreport.toml");
    let e = Workspace::parse(dir.path(), &path, &SETTINGS.replace("output =", "outptu ="))
        .expect_err("unknown key");
    let s = e.to_string();
    assert!(
        s.contains("svcreport.toml: line 8, column 1: unknown field `outptu`")
            && s.contains("did you mean \"output\"?"),
        "{s}"
    );
    let e = Workspace::parse(
        dir.path(),
        &path,
        &SETTINGS.replace("Asia/Shanghai", "Asia/Beijing"),
    )
    .expect_err("bad zone");
    assert!(
        e.to_string()
            .ends_with("svcreport.toml: line 4, column 12: timezone \"Asia/Beijing\" is not an IANA zone name such as Asia/Shanghai"),
        "{e}"
    );
    match Workspace::load(&dir.path().join("nowhere")) {
        Err(e) => assert!(
            e.to_string()
                .contains("nowhere/svcreport.toml: cannot read"),
            "{e}"
        ),
        Ok(_) => panic!("loaded a workspace that does not exist"),
    }
}

// ---------------------------------------------------------------------------
// Provider templates (`svcreport templates`).

mod templates {
    use std::io::{Cursor, Read};

    use calamine::{Data, Reader, Xlsx};
    use svcreport::ingest::schema::{self, DATASETS, DatasetDef, DatasetKind};
    use svcreport::provider_templates as pt;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("template is a zip");
        let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("part {name}"));
        let mut s = String::new();
        f.read_to_string(&mut s).expect("utf-8 part");
        s
    }

    #[test]
    fn blank_templates_read_back_with_calamine() {
        for def in DATASETS {
            let bytes = pt::workbook(def).expect("template builds");
            let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
            assert_eq!(
                wb.sheet_names(),
                vec![def.sheet_zh.to_string(), "说明".to_string()],
                "{}",
                def.name
            );
            let range = wb.worksheet_range(def.sheet_zh).expect("data sheet");
            // Only the header row: formats and validations create no cells.
            assert_eq!(range.height(), 1, "{}", def.name);
            assert_eq!(range.start(), Some((0, 0)));
            let header: Vec<String> = range
                .rows()
                .next()
                .expect("header row")
                .iter()
                .map(|c| c.to_string())
                .collect();
            let expected: Vec<String> = def
                .columns
                .iter()
                .map(DatasetDef::template_header)
                .collect();
            assert_eq!(header, expected, "{}", def.name);

            // The instructions sheet explains every column, by its Chinese header.
            let info = wb.worksheet_range("说明").expect("instructions");
            let cells: Vec<String> = info
                .cells()
                .filter_map(|(_, _, c)| match c {
                    Data::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            for c in def.columns {
                assert!(
                    cells.iter().any(|s| s == c.zh),
                    "{}: {} explained",
                    def.name,
                    c.zh
                );
                if !c.note.is_empty() {
                    assert!(
                        cells.iter().any(|s| s == c.note),
                        "{}: note of {}",
                        def.name,
                        c.key
                    );
                }
            }
            let required = cells.iter().filter(|s| *s == "必填 required").count();
            assert_eq!(
                required,
                def.columns.iter().filter(|c| c.required).count(),
                "{}",
                def.name
            );
        }
        // The first data header of the incidents template, spelled out.
        assert_eq!(
            DatasetDef::template_header(&svcreport::ingest::schema::INCIDENTS.columns[0]),
            "工单号 Ticket ID"
        );
    }

    #[test]
    fn incidents_template_has_validations_formats_notes_and_frozen_header() {
        let bytes = pt::workbook(&svcreport::ingest::schema::INCIDENTS).expect("builds");
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        // One validation per column (lists, whole numbers, input messages).
        assert_eq!(sheet.matches("<dataValidation ").count(), 15, "{sheet}");
        // Status is column J (10th): a list of the Chinese spellings on rows 2–1001.
        assert!(sheet.contains("sqref=\"J2:J1001\""), "status range");
        assert!(sheet.contains("<formula1>\"新建,处理中,挂起,已解决,已关闭,已取消\"</formula1>"));
        assert!(sheet.contains("<formula1>\"P1,P2,P3,P4\"</formula1>"));
        assert!(sheet.contains("<formula1>\"是,否\"</formula1>"));
        // Satisfaction (O) is a whole number 1–5.
        assert!(
            sheet.contains("type=\"whole\"") && sheet.contains("sqref=\"O2:O1001\""),
            "satisfaction check"
        );
        assert!(
            sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\""),
            "frozen header"
        );
        let styles = part(&bytes, "xl/styles.xml");
        assert!(styles.contains("formatCode=\"yyyy-mm-dd hh:mm\""));
        let notes = part(&bytes, "xl/comments1.xml");
        assert_eq!(
            notes.matches("必填 Required").count(),
            5,
            "five required columns"
        );
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains("2026-01-01T00:00:00Z"), "{core}");
    }

    #[test]
    fn template_bytes_are_deterministic() {
        for def in DATASETS {
            let a = pt::workbook(def).expect("first");
            let b = pt::workbook(def).expect("second");
            assert!(a == b, "{} differs between builds", def.name);
        }
        let d1 = tempfile::tempdir().expect("tempdir");
        let d2 = tempfile::tempdir().expect("tempdir");
        let w1 = svcreport::app::templates::write_all(d1.path()).expect("write");
        let w2 = svcreport::app::templates::write_all(d2.path()).expect("write");
        let names: Vec<String> = w1
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "incidents.xlsx",
                "outages.xlsx",
                "changes.xlsx",
                "requests.xlsx",
                "surveys.xlsx",
                "process_kpis.xlsx",
                "supplier_tickets.xlsx",
                "capacity.xlsx",
                "README.md",
                "import-profiles.md"
            ]
        );
        for (a, b) in w1.iter().zip(&w2) {
            assert!(
                std::fs::read(a).expect("read") == std::fs::read(b).expect("read"),
                "{a:?}"
            );
        }
        let readme = std::fs::read_to_string(d1.path().join("README.md")).expect("readme");
        assert!(readme.starts_with(&pt::templates_markdown()));
    }

    /// A template filled with a few valid rows checks clean through the
    /// reader: every row read is accepted, no finding at all.
    #[test]
    fn filled_templates_round_trip_through_the_reader() {
        let text = format!(
            "{}\n[[agreement]]\nid = \"UC-NET\"\nkind = \"UC\"\nversion = \"1\"\nparty = \"netco\"\nservices = [\"email\"]\neffective = {{ from = 2026-01-01 }}\n",
            super::BASE
        );
        let cat = svcreport::catalogue::parse_str("catalogue.toml", &text).expect("catalogue");
        let rows: [(&DatasetDef, Vec<Vec<&str>>); 8] = [
            (
                &schema::INCIDENTS,
                vec![
                    vec![
                        "INC-0001",
                        "acme",
                        "email",
                        "P1",
                        "2026-10-01 08:00",
                        "2026-10-01 08:10",
                        "2026-10-01 10:00",
                        "2026-10-01 11:00",
                        "0",
                        "已关闭",
                        "否",
                        "网络",
                        "一线",
                        "邮件无法发送",
                        "5",
                    ],
                    vec![
                        "INC-0002",
                        "beta",
                        "email",
                        "P3",
                        "2026-10-02 09:00",
                        "",
                        "",
                        "",
                        "",
                        "处理中",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ],
                ],
            ),
            (
                &schema::OUTAGES,
                vec![
                    vec![
                        "email",
                        "",
                        "2026-10-03 01:00",
                        "2026-10-03 02:30",
                        "否",
                        "故障",
                    ],
                    vec![
                        "email",
                        "acme",
                        "2026-10-10 22:00",
                        "2026-10-10 23:00",
                        "是",
                        "维护",
                    ],
                ],
            ),
            (
                &schema::CHANGES,
                vec![vec![
                    "CHG-01",
                    "acme",
                    "email",
                    "常规",
                    "2026-10-05 20:00",
                    "2026-10-05 22:00",
                    "2026-10-05 21:30",
                    "成功",
                    "否",
                ]],
            ),
            (
                &schema::REQUESTS,
                vec![vec![
                    "REQ-01",
                    "acme",
                    "email",
                    "2026-10-06 09:00",
                    "2026-10-06 15:00",
                    "0",
                    "已关闭",
                    "4",
                ]],
            ),
            (
                &schema::SURVEYS,
                vec![vec!["acme", "email", "2026-10-20", "5", "很好"]],
            ),
            (
                &schema::PROCESS_KPIS,
                vec![vec!["变更管理", "变更成功率", "2026-10", "97.5", "%"]],
            ),
            (
                &schema::SUPPLIER_TICKETS,
                vec![vec![
                    "netco",
                    "UC-NET",
                    "NET-1",
                    "P2",
                    "2026-10-07 10:00",
                    "2026-10-07 10:30",
                    "2026-10-07 14:00",
                ]],
            ),
            (
                &schema::CAPACITY,
                vec![
                    vec!["db-01", "email", "2026-10-15", "72.5", "80"],
                    vec!["db-01", "email", "2026-10-16", "81", ""],
                ],
            ),
        ];
        for (def, rows) in &rows {
            let bytes = pt::workbook_with_rows(def, rows).expect("filled template");
            let opts = svcreport::ingest::IngestOptions {
                period: Some(svcreport::model::period::Period::month(2026, 10)),
                ..Default::default()
            };
            let name = pt::file_name(def);
            let ing = svcreport::ingest::read_bytes(&name, &bytes, &cat, &opts);
            assert!(
                ing.findings.is_empty(),
                "{}: {}",
                def.name,
                svcreport::findings::render_text(&ing.findings, svcreport::findings::Lang::En)
            );
            assert_eq!(ing.files.len(), 1);
            let f = &ing.files[0];
            let n = rows.len() as u64;
            assert_eq!(
                (f.read(), f.accepted(), f.rejected(), f.blank()),
                (n, n, 0, 0),
                "{}",
                def.name
            );
            let d = &ing.dataset;
            let got = match def.kind {
                DatasetKind::Incidents => d.incidents.len(),
                DatasetKind::Outages => d.outages.len(),
                DatasetKind::Changes => d.changes.len(),
                DatasetKind::Requests => d.requests.len(),
                DatasetKind::Surveys => d.surveys.len(),
                DatasetKind::ProcessKpis => d.process_kpis.len(),
                DatasetKind::SupplierTickets => d.supplier_tickets.len(),
                DatasetKind::Capacity => d.capacity.len(),
            };
            assert_eq!(got, rows.len(), "{} records", def.name);
        }
    }

    /// `docs/templates.md` and `docs/finding-codes.md` are generated (the
    /// latter from the typed code table); regenerate with `UPDATE_GOLDEN=1`.
    #[test]
    fn generated_docs_are_up_to_date() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        let pages = [
            ("templates.md", pt::templates_markdown()),
            ("finding-codes.md", pt::finding_codes_markdown()),
            ("import-profiles.md", pt::profiles_markdown()),
        ];
        for (name, text) in pages {
            let path = root.join(name);
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                std::fs::create_dir_all(&root).expect("docs dir");
                std::fs::write(&path, &text).expect("write golden");
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == text,
                "docs/{name} is out of date: run UPDATE_GOLDEN=1 cargo test --test integration catalogue::"
            );
        }
    }
}

/// The bundled sample workspace's catalogue passes every rule.
#[test]
fn sample_workspace_catalogue_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo");
    let ws = Workspace::load(&root).expect("sample workspace settings");
    let cat = match catalogue::load(&ws) {
        Ok(c) => c,
        Err(e) => panic!("sample catalogue rejected:\n{e}"),
    };
    assert!(cat.customers.len() >= 3, "3 customers");
    assert!(cat.services.len() >= 5, "5 services");
    assert!(cat.agreements.iter().any(|a| a.kind == AgreementKind::Uc));
    assert!(cat.agreements.iter().any(|a| a.kind == AgreementKind::Ola));
    assert!(!cat.reports.is_empty());
}

/// `[timeliness]` sets the on-time targets of spec §4 (100 % each without it); a value that
/// is not a percentage is an error at its position.
#[test]
fn timeliness_targets_default_to_100_and_are_checked() {
    let cat = catalogue::parse_str("catalogue.toml", BASE).expect("BASE is valid");
    assert_eq!(cat.timeliness.data_on_time, 100.0);
    assert_eq!(cat.timeliness.reports_on_time, 100.0);
    let with = format!("{BASE}\n[timeliness]\ndata_on_time = 95\n");
    let cat = catalogue::parse_str("catalogue.toml", &with).expect("valid");
    assert_eq!(cat.timeliness.data_on_time, 95.0);
    assert_eq!(cat.timeliness.reports_on_time, 100.0);
    let bad = format!("{BASE}\n[timeliness]\nreports_on_time = 120\n");
    assert_eq!(
        one_error(&bad),
        "catalogue.toml:35:19: [timeliness]: threshold 120 is not a percentage between 0 and 100"
    );
}

/// An alias names one customer (or service): one that is also another entry's id, name or
/// alias (case, width and spaces ignored) is refused where it is written, naming the other
/// entry and its place; an alias repeating the entry's own name is fine.
#[test]
fn an_alias_shared_with_another_entry_is_refused() {
    let text = format!(
        "{BASE}\n[[customer]]\nid = \"gamma\"\nname = \"伽马\"\naliases = [\"ACME\", \"Beta \", \"伽 马\", \"安科美科技有限公司\"]\n"
    );
    assert_eq!(
        errors(&text),
        vec![
            "catalogue.toml:37:12: customer \"gamma\" has the alias \"ACME\", which is also the id of customer \"acme\" (catalogue.toml:2:6; case, width and spaces ignored): an alias must name one customer only",
            "catalogue.toml:37:20: customer \"gamma\" has the alias \"Beta\", which is also the id of customer \"beta\" (catalogue.toml:7:6; case, width and spaces ignored): an alias must name one customer only",
            "catalogue.toml:37:36: customer \"gamma\" has the alias \"安科美科技有限公司\", which is also the name of customer \"acme\" (catalogue.toml:3:8; case, width and spaces ignored): an alias must name one customer only",
        ]
    );
    // Two customers with one alias: the second is refused, naming the first's.
    let text = format!(
        "{BASE}\n[[customer]]\nid = \"c1\"\nname = \"一\"\naliases = [\"ＡＣ\"]\n\n[[customer]]\nid = \"c2\"\nname = \"二\"\naliases = [\"a c\"]\n"
    );
    assert_eq!(
        one_error(&text),
        "catalogue.toml:42:12: customer \"c2\" has the alias \"a c\", which is also an alias of customer \"c1\" (catalogue.toml:37:12; case, width and spaces ignored): an alias must name one customer only"
    );
    // Services: an alias that is another service's name written with a space.
    let text = format!(
        "{BASE}\n[[service]]\nid = \"crm\"\nname = \"CRM\"\ncalendar = \"7x24\"\naliases = [\"企业 邮箱\", \"crm\"]\n"
    );
    let e = one_error(&text);
    assert!(
        e.starts_with("catalogue.toml:38:12: service \"crm\" has the alias \"企业 邮箱\", which is also the name of service \"email\" (catalogue.toml:"),
        "{e}"
    );
    // Aliases of one's own names, and distinct ones, load.
    let text = format!(
        "{BASE}\n[[customer]]\nid = \"gamma\"\nname = \"伽马\"\nname_en = \"Gamma\"\naliases = [\"伽 马\", \"GAMMA\", \"γ\"]\n"
    );
    let cat = catalogue::parse_str("catalogue.toml", &text).expect("own names as aliases load");
    assert_eq!(cat.customer_aliases["gamma"], ["伽 马", "GAMMA", "γ"]);
}

//! Sending habits (issue #8): the shipped rules and their examples through the store, the
//! rule set surviving reopen, re-seed, export and import, a sending log with a bad row, and a
//! reproducible score on a fixture account.

use std::path::Path;

use inboxlens_core::account::AccountInput;
use inboxlens_store::Store;
use inboxlens_tests::{fixture, run_inboxlens as cli};
use serde_json::Value;

fn fixture_account(db: &Path) -> i64 {
    let mut s = Store::open(db).expect("db");
    let id = s
        .create_account(&AccountInput {
            name: "Sender".into(),
            domains: vec!["sender.example".into()],
            sending_ips: vec!["192.0.2.50".into()],
            ..Default::default()
        })
        .expect("account")
        .id;
    let log = s
        .import_sending_log(id, &fixture("logs/sending-log.csv"), &mut |_| {})
        .expect("log");
    assert_eq!((log.rows, log.bad_rows), (8401, 1), "{log:?}");
    assert_eq!(log.errors[0].line, 1501);
    assert!(
        log.errors[0]
            .reason
            .contains("'not-an-address' is not an address"),
        "{:?}",
        log.errors
    );
    s.import_feeds(id, &[fixture("feeds"), fixture("reports")], 2, &mut |_| {
        true
    })
    .expect("feeds");
    id
}

#[test]
fn shipped_rules_are_seeded_valid_and_hold_their_examples() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let store = Store::open(&db).expect("db");
    let rules = store.rules().expect("rules");
    assert!(rules.len() >= 40, "{} rules", rules.len());
    assert!(rules.iter().all(|r| r.builtin && r.error.is_none()));
    drop(store);
    let o = cli(&db, &["rules", "test"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!("{} rules, 0 failing", rules.len())),
        "{text}"
    );
}

#[test]
fn edits_survive_reopen_and_reseed_and_export_import_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).expect("db");
    // Edit a shipped rule, disable another, delete a third, add one of our own.
    let mut edited = s.rule("complaint-rate-critical").expect("rule").toml;
    edited = edited.replace("weight = 30", "weight = 40");
    s.save_rule(&edited).expect("save edit");
    s.set_rule_enabled("volume-spike", false).expect("disable");
    s.delete_rule("dns-mta-sts-missing").expect("delete");
    let own = r#"
id = "own-low-volume"
area = "volume"
severity = "info"
weight = 0
when = "sent < 100"
title = "Very little mail"
why = "Too little volume to build a reputation."
fix = "Nothing to do; reputations need volume."
[[example]]
metrics = { sent = 5 }
fires = true
[[example]]
metrics = { sent = 500 }
fires = false
"#;
    s.save_rule(own).expect("own rule");
    drop(s);
    // Reopen: seeding runs again and must not undo any of it.
    let mut s = Store::open(&db).expect("reopen");
    s.seed_rules().expect("reseed");
    let r = s.rule("complaint-rate-critical").expect("rule");
    assert!(r.user_edited && r.toml.contains("weight = 40"), "{r:?}");
    assert!(!s.rule("volume-spike").expect("rule").enabled);
    assert!(
        s.rule("dns-mta-sts-missing").is_err(),
        "deleted stays deleted"
    );
    assert!(!s.rule("own-low-volume").expect("own").builtin);
    // An invalid rule is refused with its id and position; nothing changes.
    let bad = own.replace("sent < 100", "sent < < 100");
    let e = s.save_rule(&bad).expect_err("invalid");
    let msg = e.to_string();
    assert!(
        msg.starts_with("rule own-low-volume: when line 1 column"),
        "{msg}"
    );
    // An example that disagrees is refused too.
    let wrong = own.replace("fires = true", "fires = false");
    assert!(
        s.save_rule(&wrong)
            .expect_err("example")
            .to_string()
            .contains("example 1")
    );
    // Export, import into a fresh store, export again: identical.
    let exported = s.export_rules().expect("export");
    let db2 = dir.path().join("h2.db");
    let mut s2 = Store::open(&db2).expect("db2");
    for r in s2.rules().expect("rules") {
        if !exported.contains(&format!("id = \"{}\"", r.id)) {
            s2.delete_rule(&r.id).expect("delete");
        }
    }
    s2.import_rules(&exported).expect("import");
    assert_eq!(s2.export_rules().expect("export 2"), exported);
    // Reset brings a shipped rule back.
    s.reset_rule("dns-mta-sts-missing").expect("reset");
    assert!(s.rule("dns-mta-sts-missing").expect("back").enabled);
}

#[test]
fn the_score_is_reproducible_and_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let account = fixture_account(&db);
    let store = Store::open(&db).expect("db");
    let first = store.score_account(account, None, None).expect("score");
    let second = store.score_account(account, None, None).expect("again");
    let (a, invalid, window) = (
        first.report,
        first.invalid_rules,
        (first.since, first.until),
    );
    let (b, window_b) = (second.report, (second.since, second.until));
    assert!(invalid.is_empty(), "{invalid:?}");
    assert_eq!(window, window_b);
    assert_eq!(
        serde_json::to_string(&a).expect("json"),
        serde_json::to_string(&b).expect("json")
    );
    // The window ends with the account's newest data (2026-12-13) and spans 37 days: the
    // 30 trailing days the spike is measured against and the last 7.
    let day = |d: &str| inboxlens_store::day_start(d).expect("day");
    assert_eq!(window, (day("2026-11-07"), day("2026-12-14")));
    let m = &a.metrics;
    // The log starts on 2026-11-04: its first three days (300 rows) are outside.
    assert_eq!(m["sent"], inboxlens_core::habits::MetricValue::Int(8101));
    assert_eq!(
        m["sends_after_hard_bounce"],
        inboxlens_core::habits::MetricValue::Int(1)
    );
    let fired: Vec<&str> = a.fired.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "hygiene-suppression-gap",
        "volume-spike",
        "auth-dmarc-pass-rate-low",
        "dns-tls-failures",
    ] {
        assert!(fired.contains(&id), "{id} not in {fired:?}");
    }
    // Heaviest first; each with the values that fired it.
    assert!(a.fired.windows(2).all(|w| w[0].weight >= w[1].weight));
    let gap = a
        .fired
        .iter()
        .find(|f| f.id == "hygiene-suppression-gap")
        .expect("gap");
    assert_eq!(
        gap.values,
        vec![("sends_after_hard_bounce".to_string(), "1".to_string())]
    );
    let lost: u32 = a.fired.iter().map(|f| f.weight).sum();
    assert_eq!(a.score, 100u32.saturating_sub(lost));
    assert_eq!(
        a.areas.iter().map(|x| x.lost).sum::<u32>(),
        lost,
        "the areas add up"
    );
    // The scorecard judges what it has data for and says unknown otherwise.
    let complaint = a
        .scorecard
        .iter()
        .find(|r| r.provider == "gmail" && r.requirement.starts_with("Spam rate"))
        .expect("row");
    assert_eq!(complaint.status, "met");
    let spf = a
        .scorecard
        .iter()
        .find(|r| r.provider == "gmail" && r.requirement.starts_with("SPF"))
        .expect("row");
    assert_eq!(spf.status, "unknown", "no audit stored");
    // The CLI gives the same score as JSON; exit 1 because error findings fired.
    drop(store);
    let o = cli(&db, &["--format", "json", "score", "--account", "Sender"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["score"], a.score);
    assert_eq!(v["findings"][0]["id"], a.fired[0].id.as_str());
    // The same log again: nothing added.
    let o = cli(
        &db,
        &[
            "--format",
            "json",
            "import",
            "--account",
            "Sender",
            fixture("logs/sending-log.csv").to_str().expect("path"),
        ],
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["logs"][0]["duplicate"], true, "{v}");
}

#[test]
fn a_log_without_required_columns_is_refused_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).expect("db");
    let id = s
        .create_account(&AccountInput {
            name: "A".into(),
            ..Default::default()
        })
        .expect("account")
        .id;
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "time,to\n2026-11-20,a@example.com\n").expect("write");
    let e = s
        .import_sending_log(id, &csv, &mut |_| {})
        .expect_err("no timestamp column");
    assert!(e.to_string().contains("no 'timestamp' column"), "{e}");
    let (rows, imports): (i64, i64) = (
        s.metric_inputs(id, 0, i64::MAX)
            .expect("inputs")
            .sent
            .map_or(0, |n| n as i64),
        0,
    );
    assert_eq!((rows, imports), (0, 0), "nothing half-written");
}

#[test]
fn the_account_report_is_self_contained_escaped_and_redacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let account = fixture_account(&db);
    let store = Store::open(&db).expect("db");
    let expected = store
        .score_account(account, None, None)
        .expect("score")
        .report;
    drop(store);
    let html_path = dir.path().join("report.html");
    let o = cli(
        &db,
        &[
            "report",
            "--account",
            "Sender",
            "--out",
            html_path.to_str().expect("path"),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(&html_path).expect("html");
    assert!(html.contains(&format!(
        "<span class=\"score\" id=\"score\">{}</span>",
        expected.score
    )));
    for f in &expected.fired {
        assert!(
            html.contains(&format!("data-rule=\"{}\"", f.id)),
            "{} missing",
            f.id
        );
    }
    // Each bounce reason comes with what it means and what to do (the engine's guide).
    let guide = inboxlens_core::feeds::record::reason_guide("userunknown").expect("guide");
    assert!(html.contains("<th>what to do</th>"));
    assert!(
        html.contains(&guide.fix.replace('\'', "&#39;")),
        "userunknown fix missing"
    );
    // Personal data: the hard-bounced recipient appears only by its domain.
    assert!(!html.contains("gone@receiver.example"), "recipient leaked");
    assert!(html.contains("[redacted]@receiver.example"));
    // Self-contained: no script, no external resource, a CSP forbidding both.
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(html.contains("default-src 'none'"));
    // With personal data, the address is there; as JSON, the same score.
    let o = cli(
        &db,
        &["report", "--account", "Sender", "--include-personal-data"],
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("gone@receiver.example"));
    let o = cli(&db, &["--format", "json", "report", "--account", "Sender"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["score"]["report"]["score"], expected.score);
    assert_eq!(v["personal_data_included"], false);
    // Hostile names are escaped.
    let mut s = Store::open(&db).expect("db");
    s.create_account(&AccountInput {
        name: "<script>alert(1)</script>".into(),
        ..Default::default()
    })
    .expect("account");
    drop(s);
    let o = cli(&db, &["report", "--account", "<script>alert(1)</script>"]);
    let html = String::from_utf8_lossy(&o.stdout);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
}

#[test]
fn a_bogus_future_date_does_not_move_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).expect("db");
    let id = s
        .create_account(&AccountInput {
            name: "A".into(),
            ..Default::default()
        })
        .expect("account")
        .id;
    // No data at all: the window ends today, not in 1970.
    let empty = s.score_account(id, None, None).expect("score");
    assert!(empty.until > inboxlens_store::day_start("2026-01-01").expect("day"));
    let csv = dir.path().join("log.csv");
    std::fs::write(
        &csv,
        "timestamp,recipient\n2026-11-20T10:00:00Z,a@example.com\n2099-01-01T00:00:00Z,b@example.com\n",
    )
    .expect("write");
    s.import_sending_log(id, &csv, &mut |_| {}).expect("log");
    let scored = s.score_account(id, None, None).expect("score");
    assert_eq!(
        scored.until,
        inboxlens_store::day_start("2026-11-21").expect("day")
    );
}

#[test]
fn a_stored_rule_that_no_longer_compiles_is_skipped_by_name_and_the_rest_still_score() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let account = fixture_account(&db);
    // As if an upgrade renamed a metric an edited rule reads: the stored text is now invalid.
    {
        let conn = rusqlite::Connection::open(&db).expect("sqlite");
        let toml: String = conn
            .query_row(
                "SELECT toml FROM rules WHERE id = 'hygiene-suppression-gap'",
                [],
                |r| r.get(0),
            )
            .expect("rule");
        let broken = toml.replace("sends_after_hard_bounce > 0", "sends_after_bounce > 0");
        assert_ne!(broken, toml);
        conn.execute(
            "UPDATE rules SET toml = ?1, user_edited = 1 WHERE id = 'hygiene-suppression-gap'",
            [broken],
        )
        .expect("update");
    }
    let store = Store::open(&db).expect("db");
    let scored = store.score_account(account, None, None).expect("score");
    assert_eq!(scored.invalid_rules.len(), 1);
    let e = &scored.invalid_rules[0];
    assert_eq!(
        (e.id.as_str(), e.field.as_str()),
        ("hygiene-suppression-gap", "when")
    );
    assert_eq!(e.position, Some((1, 1)));
    assert!(
        e.message.contains("unknown metric 'sends_after_bounce'"),
        "{e}"
    );
    let fired: Vec<&str> = scored.report.fired.iter().map(|f| f.id.as_str()).collect();
    assert!(!fired.contains(&"hygiene-suppression-gap"));
    assert!(fired.contains(&"volume-spike"), "{fired:?}");
    assert_eq!(
        scored.report.rules as usize + 1,
        store.rules().expect("rules").len()
    );
}

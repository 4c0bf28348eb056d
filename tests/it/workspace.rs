//! The account workspace (issue #9): overview, timeline with its annotations, search across
//! accounts and the DNS diff — built from real checks against two loopback DNS servers (the
//! fixture zones, then a copy where the SPF record was edited and an IP got listed) and real
//! feed, report and sending-log imports.

use inboxlens_store::Store;
use inboxlens_tests::run_inboxlens as cli;
use inboxlens_tests::story::story_account;
use serde_json::Value;

#[test]
fn overview_timeline_search_and_diff_tell_one_account_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("w.db");
    let id = story_account(dir.path(), &db, &["192.0.2.10"]);
    let s = Store::open(&db).expect("db");
    // Overview: the newest checks, the listing as an open finding, the volumes.
    let o = s.account_overview(id).expect("overview");
    assert_eq!(o.audits.len(), 1);
    assert!(o.audits[0].checked_at.is_some());
    let ip = o
        .blocklists
        .iter()
        .find(|c| c.target == "192.0.2.10")
        .expect("ip checked");
    assert!(
        ip.listed.iter().any(|l| l == "Test ZEN (zen.dnsbl.test)"),
        "{:?}",
        ip.listed
    );
    assert!(
        o.open_findings.iter().any(|f| f.area == "blocklists"
            && f.target == "192.0.2.10"
            && f.severity == "critical"),
        "{:?}",
        o.open_findings
    );
    assert!(
        o.open_findings
            .windows(2)
            .all(|w| w[0].severity == "critical" || w[1].severity != "critical")
    );
    let summary = s.feed_summary(id).expect("summary");
    assert_eq!(o.feeds.bounces, summary.bounces);
    assert_eq!(o.log_rows, 8401);
    assert!(o.aggregate_reports >= 2 && o.tls_reports >= 1, "{o:?}");
    assert_eq!(
        o.score.report.score,
        s.score_account(id, None, None).expect("score").report.score
    );

    // Timeline: every bounce, complaint, sent message and DMARC message is on some day.
    let t = s.account_timeline(id).expect("timeline");
    assert!(!t.days.is_empty());
    assert!(t.days.windows(2).all(|w| w[0].day < w[1].day));
    assert!(t.reasons.len() <= 7);
    assert!(t.days.iter().all(|d| d.bounces.len() == t.reasons.len()));
    let dated: i64 = s
        .feed_records(
            id,
            &inboxlens_store::FeedFilter {
                kind: Some("bounce".into()),
                limit: Some(100_000),
                ..Default::default()
            },
        )
        .expect("records")
        .iter()
        .filter(|r| r.record.timestamp.is_some())
        .count() as i64;
    let charted: u64 = t.days.iter().flat_map(|d| d.bounces.iter()).sum();
    assert_eq!(charted as i64, dated);
    assert_eq!(t.days.iter().map(|d| d.sent).sum::<u64>(), 8401);
    assert_eq!(
        t.days.iter().map(|d| d.dmarc_messages).sum::<u64>(),
        o.dmarc_messages
    );
    assert_eq!(
        t.days.iter().map(|d| d.dmarc_pass).sum::<u64>(),
        o.dmarc_pass
    );
    // Listings on the day of the checks: the newest state of the IP (and the domain).
    let listed_now = o
        .blocklists
        .iter()
        .map(|c| c.listed.len() as u64)
        .sum::<u64>();
    assert_eq!(
        t.days.iter().rev().find_map(|d| d.listings),
        Some(listed_now)
    );
    // Annotations: the SPF edit (with both records) and the new listing.
    let spf = t
        .events
        .iter()
        .find(|e| e.kind == "dns" && e.title == "SPF record edited")
        .unwrap_or_else(|| panic!("{:#?}", t.events));
    assert_eq!(spf.target, "good.audit.test");
    assert!(
        spf.evidence
            .iter()
            .any(|e| e.starts_with("+ ") && e.contains("192.0.2.0/24"))
    );
    assert!(
        spf.evidence
            .iter()
            .any(|e| e.starts_with("- ") && e.contains("192.0.2.0/25"))
    );
    let listed = t
        .events
        .iter()
        .find(|e| e.kind == "listed" && e.title == "listed on Test ZEN (zen.dnsbl.test)")
        .unwrap_or_else(|| panic!("{:#?}", t.events));
    assert_eq!(listed.target, "192.0.2.10");
    assert!(listed.at >= spf.at - 60, "listing seen in the second round");
    // Nothing changed for lists that listed the IP both times but their first sighting.
    assert_eq!(
        t.events
            .iter()
            .filter(|e| e.title == "listed on Test ZEN (zen.dnsbl.test)")
            .count(),
        1
    );

    // The DNS diff of the two audits names the change too.
    let d = s.audit_diff("good.audit.test", None, None).expect("diff");
    assert_eq!(Some(d.from.id), spf.from_check);
    assert_eq!(Some(d.to.id), spf.to_check);
    assert!(
        d.changes
            .iter()
            .any(|c| c.what == "SPF record" && c.how == "edited")
    );

    // The report to hand over carries the timeline: the chart with a line per change, and the
    // changes themselves with their records (escaped).
    let html = inboxlens_store::render_html(&s.account_report(id, false).expect("report"));
    assert!(html.contains("<svg class=\"trend\""), "no timeline chart");
    assert_eq!(
        html.matches("<line class=\"change\"").count(),
        t.events.len()
    );
    assert!(html.contains("SPF record edited"));
    assert!(html.contains("+ good.audit.test. IN TXT &quot;v=spf1 ip4:192.0.2.0/24"));
    assert!(html.contains("listed on Test ZEN (zen.dnsbl.test)"));

    // Search: by account name, IP, recipient (a bounce), DMARC source IP.
    let kinds = |q: &str| -> Vec<String> {
        s.search(q)
            .expect("search")
            .into_iter()
            .map(|h| h.kind)
            .collect()
    };
    assert_eq!(kinds("send"), vec!["account"]);
    assert!(kinds("192.0.2.10").contains(&"ip".to_string()));
    assert!(kinds("x").is_empty(), "one character finds nothing");
    let some_recipient = s
        .feed_records(
            id,
            &inboxlens_store::FeedFilter {
                kind: Some("bounce".into()),
                limit: Some(1),
                ..Default::default()
            },
        )
        .expect("records")[0]
        .record
        .recipient
        .clone()
        .expect("recipient");
    let hits = s.search(&some_recipient.to_uppercase()).expect("search");
    assert!(
        hits.iter()
            .any(|h| h.kind == "recipient" && h.text == some_recipient && h.view == "feeds"),
        "{hits:?}"
    );
    assert!(s.search("100%").expect("wildcards are literal").is_empty());

    // The CLI shows the same: overview exits 1 with open findings, timeline and search as JSON.
    let out = cli(
        &db,
        &["--format", "json", "overview", "--account", "Sender"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["score"]["report"]["score"], o.score.report.score);
    assert_eq!(
        v["open_findings"].as_array().map(Vec::len),
        Some(o.open_findings.len())
    );
    let out = cli(&db, &["timeline", "--account", "Sender"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("SPF record edited") && text.contains("listed on Test ZEN"),
        "{text}"
    );
    let out = cli(&db, &["--format", "json", "search", "192.0.2.10"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v.as_array()
            .is_some_and(|a| a.iter().any(|h| h["kind"] == "ip")),
        "{v}"
    );
    let out = cli(&db, &["search", "a"]);
    assert_eq!(out.status.code(), Some(2));
}

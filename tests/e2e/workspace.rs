//! The account workspace (issue #9): open an account with fixture data (imports and two rounds
//! of checks that saw an SPF edit and a new listing), read its Overview, re-run every check
//! with progress, see the timeline with its annotations and zoom it, diff two audits, search
//! across accounts from the keyboard, and export the report and check its content.

use inboxlens_core::account::AccountInput;
use inboxlens_store::{FeedFilter, Store};
use inboxlens_tests::DnsFixture;
use inboxlens_tests::story::{story_account, story_zones};

use super::driver::{
    SERIAL, assert_nothing_became_markup, click, fill, texts, wait_for, wait_texts, with_app,
};

/// Runs a script in the page and returns its result.
async fn js(c: &fantoccini::Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.expect("script")
}

/// The `data-from`/`data-to` range the timeline charts show.
async fn chart_range(c: &fantoccini::Client) -> (String, String) {
    let v = js(
        c,
        "const b = document.getElementById('tl-chart-volume'); return [b.dataset.from ?? '', b.dataset.to ?? ''];",
    )
    .await;
    let a: Vec<String> = serde_json::from_value(v).expect("range");
    (a[0].clone(), a[1].clone())
}

fn day(t: i64) -> String {
    inboxlens_core::calendar::day_string(t)
}

#[test]
fn open_an_account_see_its_timeline_diff_audits_and_export_the_report() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    let account = story_account(dir.path(), &db, &["192.0.2.10", "192.0.2.66"]);
    // The re-run from the app asks the "after" zones.
    let (_, after) = story_zones(dir.path());
    let fx = DnsFixture::start_with(&after);
    let (expected, recipient, first_audit, empty) = {
        let mut s = Store::open(&db).expect("db");
        s.set_setting("nameservers", &fx.nameserver())
            .expect("nameserver");
        s.set_setting("timeout", "2").expect("timeout");
        let empty = s
            .create_account(&AccountInput {
                name: "Empty".into(),
                domains: vec!["empty.example".into()],
                ..Default::default()
            })
            .expect("account")
            .id;
        let recipient = s
            .feed_records(
                account,
                &FeedFilter {
                    kind: Some("bounce".into()),
                    hard: Some(true),
                    limit: Some(1),
                    ..FeedFilter::default()
                },
            )
            .expect("records")[0]
            .record
            .recipient
            .clone()
            .expect("recipient");
        let audits = s.checks_of("audit", "good.audit.test", 10).expect("audits");
        (
            s.account_overview(account).expect("overview"),
            recipient,
            audits.last().expect("two audits").id,
            empty,
        )
    };
    with_app(&db, async |c| {
        // Accounts (the first view): "Open" shows the account's Overview.
        click(
            c,
            &format!(".account-row[data-id=\"{account}\"] button[data-action=\"open\"]"),
        )
        .await;
        wait_for(c, "#view[data-view=\"overview\"]").await;
        wait_texts(c, "#ov-score-text", |t| !t.is_empty()).await;
        let chosen = js(c, "return document.getElementById('ov-account').value;").await;
        assert_eq!(chosen, account.to_string());
        let score = wait_texts(c, "#ov-score-text", |t| {
            t.iter().any(|s| s.starts_with("Score"))
        })
        .await;
        assert!(
            score[0].starts_with(&format!("Score {} of 100", expected.score.report.score)),
            "{score:?}"
        );
        // Fix first: the store's open findings, critical first; the hostile blocklist TXT of
        // 192.0.2.66 stays text.
        let ids: Vec<String> = serde_json::from_value(
            js(c, "return Array.from(document.querySelectorAll('#ov-findings-table tbody tr')).map((r) => r.dataset.id);").await,
        )
        .expect("ids");
        let want: Vec<String> = expected
            .open_findings
            .iter()
            .map(|f| f.id.clone())
            .collect();
        assert_eq!(ids, want);
        assert!(ids.contains(&"dnsbl-listed".to_string()), "{ids:?}");
        let rows = texts(c, "#ov-findings-table tbody tr").await;
        assert!(
            rows.iter()
                .any(|r| r.contains("192.0.2.66") && r.contains("<img src=x")),
            "{rows:?}"
        );
        assert_nothing_became_markup(c).await;
        let card = texts(c, "#ov-scorecard-counts").await;
        assert!(
            card[0].contains(" met · ") && card[0].contains("not met"),
            "{card:?}"
        );
        let listed = texts(c, "#ov-blocklists tbody tr").await;
        assert!(
            listed.iter().any(
                |r| r.contains("192.0.2.10") && r.contains("LISTED: Test ZEN (zen.dnsbl.test)")
            ),
            "{listed:?}"
        );
        let volumes = texts(c, "#ov-volumes").await;
        assert!(
            volumes[0].contains(&format!("{} messages", expected.log_rows)),
            "{volumes:?}"
        );

        // Re-run all checks: one audit and three blocklist checks, with progress.
        let audited_before = texts(c, "#ov-audits tbody tr").await;
        click(c, "#ov-rerun").await;
        let done = wait_texts(c, "#ov-progress-text[data-done]", |t| !t.is_empty()).await;
        assert_eq!(done, vec!["4 checks done."], "{done:?}");
        let audited_after =
            wait_texts(c, "#ov-audits tbody tr", |t| t != audited_before.as_slice()).await;
        assert_ne!(audited_after, audited_before);
        assert_eq!(
            Store::open(&db)
                .expect("db")
                .checks_of("audit", "good.audit.test", 10)
                .expect("audits")
                .len(),
            3
        );

        // An account without data says what to import.
        wait_for(c, "#ov-account")
            .await
            .select_by_value(&empty.to_string())
            .await
            .expect("select empty");
        let empty_volumes = wait_texts(c, "#ov-volumes", |t| {
            t.iter().any(|s| s.contains("none imported"))
        })
        .await;
        assert!(
            empty_volumes[0].contains("import bounce mail"),
            "{empty_volumes:?}"
        );
        wait_texts(c, "#ov-findings .empty", |t| {
            t.iter().any(|s| s.contains("Re-run all checks"))
        })
        .await;

        // Timeline (Alt+3, the third view): the empty account first, then the story.
        js(c, "document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '3', altKey: true, bubbles: true }));").await;
        wait_for(c, "#view[data-view=\"timeline\"]").await;
        wait_for(c, "#tl-no-data").await;
        wait_for(c, "#tl-account")
            .await
            .select_by_value(&account.to_string())
            .await
            .expect("select account");
        wait_for(c, "#view[data-ready] #tl-chart-volume canvas").await;
        wait_for(c, "#tl-chart-auth canvas").await;
        let legend = texts(c, "#tl-chart-volume .u-legend th").await;
        assert!(
            legend.iter().any(|l| l.contains("complaints")),
            "{legend:?}"
        );
        let events = texts(c, "#tl-events tbody tr").await;
        assert!(
            events
                .iter()
                .any(|e| e.contains("SPF record edited") && e.contains("good.audit.test")),
            "{events:?}"
        );
        assert!(
            events
                .iter()
                .any(|e| e.contains("listed on Test ZEN (zen.dnsbl.test)")
                    && e.contains("192.0.2.10")),
            "{events:?}"
        );
        let timeline = Store::open(&db)
            .expect("db")
            .account_timeline(account)
            .expect("timeline");
        let first = timeline.days.first().expect("days").day;
        let last_day = timeline.days.last().expect("days").day;
        let all = chart_range(c).await;
        assert_eq!(all.0, day(first));
        // Zoom: the last 7 days; then a change: the days around it; then everything again.
        click(c, "#tl-zoom button[data-zoom=\"7\"]").await;
        let week = chart_range(c).await;
        assert_eq!(week.0, day(last_day + 86_400 - 7 * 86_400), "{week:?}");
        let spf = timeline
            .events
            .iter()
            .position(|e| e.title == "SPF record edited")
            .expect("spf event");
        click(
            c,
            &format!("#tl-events tbody tr:nth-child({}) td.event-title", spf + 1),
        )
        .await;
        let around = chart_range(c).await;
        let at = timeline.events[spf].at;
        assert_eq!(around.0, day((at - 14 * 86_400).max(first)), "{around:?}");
        click(c, "#tl-zoom button[data-zoom=\"all\"]").await;
        assert_eq!(chart_range(c).await, all);

        // DNS history: the first audit against the newest shows the SPF edit.
        click(c, "#nav button[data-view=\"audit\"]").await;
        fill(c, "#dh-domain", "good.audit.test").await;
        click(c, "#dh-load").await;
        wait_for(c, "#dh-picker:not([hidden])").await;
        js(
            c,
            &format!("document.getElementById('dh-from').value = '{first_audit}';"),
        )
        .await;
        click(c, "#dh-compare").await;
        let change = wait_texts(c, ".change[data-what=\"SPF record\"]", |t| !t.is_empty()).await;
        assert!(change[0].contains("edited"), "{change:?}");
        assert!(
            change[0].contains("+ good.audit.test. IN TXT \"v=spf1 ip4:192.0.2.0/24"),
            "{change:?}"
        );
        assert!(
            change[0].contains("- good.audit.test. IN TXT \"v=spf1 ip4:192.0.2.0/25"),
            "{change:?}"
        );
        // An audit against itself: no change.
        wait_texts(c, "#dh-from option", |t| t.len() == 3).await;
        js(c, "const f = document.getElementById('dh-from'); f.value = document.getElementById('dh-to').value;").await;
        click(c, "#dh-compare").await;
        wait_for(c, "#dh-none").await;

        // Search from the keyboard: "/" focuses it, a recipient is found, Enter opens Feeds.
        js(c, "document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));").await;
        let focused = js(
            c,
            "return document.activeElement && document.activeElement.id;",
        )
        .await;
        assert_eq!(focused, "search");
        fill(c, "#search", &recipient).await;
        wait_for(c, "#search-results button.hit[data-kind=\"recipient\"]").await;
        wait_for(c, "#search")
            .await
            .send_keys("\u{E007}")
            .await
            .expect("enter");
        wait_for(c, "#view[data-view=\"feeds\"]").await;
        fill(c, "#search", "192.0.2.66").await;
        click(c, "#search-results button.hit[data-kind=\"ip\"]").await;
        wait_for(c, "#view[data-view=\"overview\"]").await;
        let chosen = js(c, "return document.getElementById('ov-account').value;").await;
        assert_eq!(chosen, account.to_string());

        // The report: HTML with recipients redacted, the same findings as the app.
        let html = dir.path().join("report.html");
        fill(c, "#ov-export-path", &html.display().to_string()).await;
        click(c, "#ov-export").await;
        let written = wait_texts(c, "#ov-export-result", |t| {
            t.iter().any(|s| s.starts_with("Written"))
        })
        .await;
        assert!(
            written[0].contains(&html.display().to_string()),
            "{written:?}"
        );
        let text = std::fs::read_to_string(&html).expect("report");
        assert!(text.starts_with("<!doctype html>"), "{}", &text[..80]);
        assert!(text.contains("default-src 'none'"));
        for f in &expected.open_findings {
            assert!(text.contains(&f.id), "the report lacks {}", f.id);
        }
        assert!(!text.contains(&recipient), "recipient not redacted");
        assert!(text.contains("[redacted]@"));
        assert!(!text.contains("<img") && !text.contains("<script"));
        assert!(text.contains("SPF record edited") && text.contains("<svg class=\"trend\""));
        // A typed path never overwrites a file.
        click(c, "#ov-export").await;
        let banner = wait_texts(c, "#error-banner", |t| {
            t.iter().any(|s| s.contains("already exists"))
        })
        .await;
        assert!(banner[0].contains("(exists)"), "{banner:?}");
        assert_eq!(std::fs::read_to_string(&html).expect("report"), text);
        // JSON with personal data.
        let json = dir.path().join("report.json");
        wait_for(c, "#ov-export-format")
            .await
            .select_by_value("json")
            .await
            .expect("json");
        click(c, "#ov-export-personal").await;
        fill(c, "#ov-export-path", &json.display().to_string()).await;
        click(c, "#ov-export").await;
        wait_texts(c, "#ov-export-result", |t| {
            t.iter().any(|s| s.contains("report.json"))
        })
        .await;
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("json"))
                .expect("valid json");
        assert_eq!(v["personal_data_included"], true);
        assert_eq!(v["account"], "Sender");
        assert!(v.to_string().contains(&recipient));
        assert_nothing_became_markup(c).await;
    });
}

//! Reports view: import DMARC aggregate (XML, .gz, zipped in mail), failure and TLS reports
//! through Feeds, then read them: totals, sources named through reverse DNS (a loopback
//! server), the pass-rate chart, the what-if panel, TLS failures by MX, the reports list;
//! a hostile reporter name and a hostile failure-report subject stay text.

use inboxlens_core::account::AccountInput;
use inboxlens_store::Store;
use inboxlens_tests::DnsFixture;

use super::driver::{
    SERIAL, assert_nothing_became_markup, click, texts, wait_for, wait_texts, with_app,
};

#[test]
fn import_reports_then_read_sources_what_if_and_tls() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    {
        let mut s = Store::open(&db).expect("db");
        s.set_setting("nameservers", &fx.nameserver())
            .expect("nameserver");
        s.set_setting("timeout", "2").expect("timeout");
        s.create_account(&AccountInput {
            name: "Sender".into(),
            domains: vec!["sender.example".into()],
            ..Default::default()
        })
        .expect("account");
    }
    let folder = inboxlens_tests::fixture("reports");
    with_app(&db, async |c| {
        // Before any import the view says what to import.
        click(c, "#nav button[data-view=\"reports\"]").await;
        wait_for(c, "#rp-empty").await;
        click(c, "#nav button[data-view=\"feeds\"]").await;
        wait_for(c, "#fd-summary .empty").await;
        c.execute(
            "document.getElementById('fd-paths').value = arguments[0];",
            vec![serde_json::Value::String(folder.display().to_string())],
        )
        .await
        .expect("paths");
        click(c, "#fd-import").await;
        let progress = wait_texts(c, "#fd-progress", |t| {
            t.iter().any(|s| s.starts_with("Done."))
        })
        .await;
        assert!(progress[0].contains("5 DMARC/TLS reports"), "{progress:?}");
        let failed = texts(c, "#fd-failed-list li").await;
        assert!(
            failed.len() == 1 && failed[0].contains("broken-aggregate.xml"),
            "{failed:?}"
        );

        click(c, "#nav button[data-view=\"reports\"]").await;
        let totals = wait_texts(c, "#rp-totals", |t| !t.is_empty()).await;
        assert!(
            totals[0].contains(
                "3 aggregate, 1 failure and 1 TLS reports; 280 messages reported, 75.0 % pass DMARC"
            ),
            "{totals:?}"
        );
        let sources = texts(c, "#rp-sources tbody tr").await;
        assert!(
            sources[0].starts_with("Amazon SES")
                && sources[0].contains("ptr")
                && sources[0].contains("100.0 %"),
            "{sources:?}"
        );
        assert!(
            sources
                .iter()
                .any(|r| r.starts_with("unknown")
                    && r.contains("192.0.2.51 (mail-spoof.google.com)")),
            "{sources:?}"
        );
        assert!(
            sources
                .iter()
                .any(|r| r.starts_with("SendGrid (Twilio)") && r.contains("dkim")),
            "{sources:?}"
        );
        assert_eq!(texts(c, "#rp-trend g.day").await.len(), 3);
        let whatif = texts(c, "#rp-whatif .whatif[data-policy=\"reject\"] p").await;
        assert!(
            whatif[0].starts_with("70 of 280 messages (25.0 %) fail DMARC and would be refused"),
            "{whatif:?}"
        );
        assert!(
            whatif[1].starts_with("15 come from known sending services"),
            "{whatif:?}"
        );
        let tls = texts(c, "#rp-tls-failures tbody tr").await;
        assert!(
            tls.len() == 1
                && tls[0].contains("mx1.sender.example")
                && tls[0].contains("certificate-expired")
                && tls[0].ends_with('7'),
            "{tls:?}"
        );
        // Hostile content: the reporter's name and the failed message's subject are text.
        let reports = texts(c, "#rp-reports tbody tr").await;
        assert!(
            reports
                .iter()
                .any(|r| r.contains("<img src=x onerror=\"document.title='pwned'\">")),
            "{reports:?}"
        );
        let failures = texts(c, "#rp-failures tbody tr").await;
        assert!(
            failures[0].contains("<script>document.title='pwned'</script> urgent wire transfer"),
            "{failures:?}"
        );
        assert_nothing_became_markup(c).await;
        // Filter to one day.
        c.execute(
            "document.getElementById('rp-since').value = '2026-11-21'; document.getElementById('rp-until').value = '2026-11-21';",
            vec![],
        )
        .await
        .expect("dates");
        click(c, "#rp-apply").await;
        let totals = wait_texts(c, "#rp-totals", |t| {
            t.iter().any(|s| s.contains("100 messages"))
        })
        .await;
        assert!(
            totals[0].starts_with("1 aggregate, 0 failure and 1 TLS reports"),
            "{totals:?}"
        );
    });
}

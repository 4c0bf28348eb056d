//! Feeds view: import a folder of bounces, complaints and an auto-reply with progress; see
//! the counts, the reason chart, filter the table, open a record's original message; the
//! bad file is named; hostile bounce text stays text.

use inboxlens_core::account::AccountInput;
use inboxlens_store::Store;

use super::driver::{
    SERIAL, assert_nothing_became_markup, click, texts, wait_for, wait_texts, with_app,
};

#[test]
fn import_a_folder_then_filter_and_drill_down() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    {
        let mut s = Store::open(&db).expect("db");
        s.create_account(&AccountInput {
            name: "Sender".into(),
            domains: vec!["sender.example".into()],
            ..Default::default()
        })
        .expect("account");
    }
    let folder = inboxlens_tests::fixture("feeds");
    with_app(&db, async |c| {
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
        assert!(
            progress[0].contains("7 messages read: 7 new")
                || progress[0].contains("6 messages read: 6 new"),
            "{progress:?}"
        );
        // The empty file is named, the rest imported.
        let failed = texts(c, "#fd-failed-list li").await;
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(
            failed[0].contains("empty.eml") && failed[0].contains("empty file"),
            "{failed:?}"
        );
        let totals = wait_texts(c, "#fd-totals", |t| !t.is_empty()).await;
        assert!(
            totals[0].contains("3 bounces (1 hard, 2 soft), 1 complaints, 1 auto-replies"),
            "{totals:?}"
        );
        // The reason chart has one bar per reason; clicking one filters the table.
        let bars = texts(c, "#fd-chart .bar-label").await;
        for r in [
            "userunknown",
            "mailboxfull",
            "blocked",
            "feedback",
            "vacation",
        ] {
            assert!(bars.iter().any(|b| b == r), "{r} missing from {bars:?}");
        }
        // What each reason means and what to do: one row per reason of the chart, the
        // engine's own words.
        click(c, "#fd-reason-guide summary").await;
        let guide = wait_texts(c, "#fd-guide-table tbody tr", |t| t.len() == bars.len()).await;
        let feedback = inboxlens_core::feeds::record::reason_guide("feedback").expect("guide");
        assert!(
            guide
                .iter()
                .any(|r| r.starts_with("feedback") && r.contains(feedback.fix.as_str())),
            "{guide:?}"
        );
        let rows = wait_texts(c, "#fd-table tbody tr", |t| t.len() == 5).await;
        assert_eq!(rows.len(), 5, "{rows:?}");
        click(c, "#fd-chart .bar[data-reason=\"mailboxfull\"] rect").await;
        let rows = wait_texts(c, "#fd-table tbody tr", |t| t.len() == 1).await;
        assert!(rows[0].contains("full@receiver.example"), "{rows:?}");
        // Filter form: hard bounces only.
        c.execute("document.getElementById('fd-reason').value = '';", vec![])
            .await
            .expect("reset reason");
        click(c, "#fd-hardness option[value=\"hard\"]").await;
        click(c, "#fd-apply").await;
        let rows = wait_texts(c, "#fd-table tbody tr", |t| {
            t.len() == 1 && t[0].contains("gone@")
        })
        .await;
        assert!(rows[0].contains("userunknown"), "{rows:?}");
        // Drill down: the original message as text.
        click(c, "#fd-table tbody tr .show-message").await;
        let source = wait_texts(c, "#fd-message-text", |t| !t.is_empty()).await;
        assert!(
            source[0].contains("Final-Recipient: rfc822; gone@receiver.example"),
            "{source:?}"
        );
        let facts = texts(c, "#fd-record-facts tbody tr").await;
        let unknown = inboxlens_core::feeds::record::reason_guide("userunknown").expect("guide");
        assert!(
            facts
                .iter()
                .any(|r| r.starts_with("what it means") && r.contains(unknown.meaning.as_str())),
            "{facts:?}"
        );
        // The hostile bounce: its diagnostic and subject stay text.
        click(c, "#fd-hardness option[value=\"\"]").await;
        click(c, "#fd-reason option[value=\"blocked\"]").await;
        click(c, "#fd-apply").await;
        let rows = wait_texts(c, "#fd-table tbody tr", |t| {
            t.len() == 1 && t[0].contains("victim@")
        })
        .await;
        assert!(
            rows[0].contains("<script>document.title='pwned'"),
            "{rows:?}"
        );
        click(c, "#fd-table tbody tr .show-message").await;
        let source = wait_texts(c, "#fd-message-text", |t| {
            t.iter().any(|s| s.contains("victim@"))
        })
        .await;
        assert!(
            source[0].contains("<style>body{display:none}</style>"),
            "{source:?}"
        );
        // The complaint: which feedback loop sent it and which sending IP it is about, in
        // the summary and in the record.
        let reporters = texts(c, "#fd-reporters tbody tr").await;
        assert!(
            reporters.len() == 1 && reporters[0].contains("ReceiverFBL/1.0"),
            "{reporters:?}"
        );
        let ips = texts(c, "#fd-source-ips tbody tr").await;
        assert!(ips.len() == 1 && ips[0].contains("192.0.2.10"), "{ips:?}");
        c.execute("document.getElementById('fd-reason').value = '';", vec![])
            .await
            .expect("reset reason");
        click(c, "#fd-kind option[value=\"complaint\"]").await;
        click(c, "#fd-apply").await;
        let rows = wait_texts(c, "#fd-table tbody tr", |t| {
            t.len() == 1 && t[0].contains("annoyed@")
        })
        .await;
        assert!(rows[0].contains("feedback"), "{rows:?}");
        click(c, "#fd-table tbody tr .show-message").await;
        let facts = wait_texts(c, "#fd-record-facts tbody tr", |t| {
            t.iter().any(|r| r.starts_with("reported by"))
        })
        .await;
        for (field, value) in [
            ("feedback type", "abuse"),
            ("reported by (User-Agent)", "ReceiverFBL/1.0"),
            ("source IP", "192.0.2.10"),
        ] {
            assert!(
                facts
                    .iter()
                    .any(|r| r.starts_with(field) && r.contains(value)),
                "{field}: {facts:?}"
            );
        }
        assert!(
            !facts.iter().any(|r| r.starts_with("hard bounce")),
            "a complaint is not a bounce: {facts:?}"
        );
        assert_nothing_became_markup(c).await;
        // Importing the same folder again adds nothing.
        click(c, "#fd-import").await;
        let progress = wait_texts(c, "#fd-progress", |t| {
            t.iter()
                .any(|s| s.starts_with("Done.") && s.contains(" 0 new"))
        })
        .await;
        assert!(progress[0].contains("0 new"), "{progress:?}");
    });
}

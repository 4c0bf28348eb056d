//! Sending habits and Rules views: import a sending log (with a bad row), bounces and reports
//! through Feeds; the score, its areas, the rules that fired with their values, the
//! scorecard and the trend charts; then edit a rule with live validation, switch one off,
//! export, and see the score move. A hostile rule title stays text.

use inboxlens_core::account::AccountInput;
use inboxlens_store::Store;
use inboxlens_tests::DnsFixture;

use super::driver::{
    SERIAL, assert_nothing_became_markup, click, texts, wait_for, wait_texts, with_app,
};

/// Replaces the rule editor's text and fires the input event the live check listens to.
async fn type_rule(c: &fantoccini::Client, text: &str) {
    c.execute(
        "const t = document.getElementById('ru-text'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
        vec![serde_json::Value::String(text.to_string())],
    )
    .await
    .expect("type");
}

#[test]
fn score_an_account_then_tune_the_rules() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // Report sources are named through reverse DNS after the import: the loopback fixture.
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    let account = {
        let mut s = Store::open(&db).expect("db");
        s.set_setting("nameservers", &fx.nameserver())
            .expect("nameserver");
        s.set_setting("timeout", "2").expect("timeout");
        s.create_account(&AccountInput {
            name: "Sender".into(),
            domains: vec!["sender.example".into()],
            ..Default::default()
        })
        .expect("account")
        .id
    };
    let paths = [
        inboxlens_tests::fixture("logs/sending-log.csv"),
        inboxlens_tests::fixture("feeds"),
        inboxlens_tests::fixture("reports"),
    ]
    .iter()
    .map(|p| p.display().to_string())
    .collect::<Vec<_>>()
    .join("\n");
    with_app(&db, async |c| {
        // Nothing imported yet: the view says what to import.
        click(c, "#nav button[data-view=\"habits\"]").await;
        wait_for(c, "#hb-no-data").await;
        click(c, "#nav button[data-view=\"feeds\"]").await;
        wait_for(c, "#fd-summary .empty").await;
        c.execute(
            "document.getElementById('fd-paths').value = arguments[0];",
            vec![serde_json::Value::String(paths)],
        )
        .await
        .expect("paths");
        click(c, "#fd-import").await;
        wait_texts(c, "#fd-progress", |t| {
            t.iter().any(|s| s.starts_with("Done."))
        })
        .await;
        let failed = texts(c, "#fd-failed-list li").await;
        assert!(
            failed
                .iter()
                .any(|f| f.contains("sending-log.csv:1501") && f.contains("not an address")),
            "{failed:?}"
        );

        // The score, as the store computes it.
        let expected = {
            let s = Store::open(&db).expect("db");
            s.score_account(account, None, None).expect("score").report
        };
        click(c, "#nav button[data-view=\"habits\"]").await;
        let summary = wait_texts(c, "#hb-summary", |t| !t.is_empty()).await;
        assert!(
            summary[0].starts_with(&format!(
                "Score {} of 100 for 2026-11-07 to 2026-12-13",
                expected.score
            )),
            "{summary:?}"
        );
        let fired = texts(c, "#hb-fired details summary").await;
        assert_eq!(fired.len(), expected.fired.len(), "{fired:?}");
        assert!(
            fired
                .iter()
                .any(|f| f.contains("(hygiene-suppression-gap)")),
            "{fired:?}"
        );
        click(
            c,
            "#hb-fired details[data-rule=\"hygiene-suppression-gap\"] summary",
        )
        .await;
        let values = texts(
            c,
            "#hb-fired details[data-rule=\"hygiene-suppression-gap\"] .values",
        )
        .await;
        assert_eq!(values, vec!["sends_after_hard_bounce = 1"]);
        let areas = texts(c, "#hb-areas tbody tr").await;
        assert_eq!(areas.len(), 8, "{areas:?}");
        let card = texts(c, "#hb-scorecard tbody tr").await;
        assert!(
            card.iter()
                .any(|r| r.contains("Spam rate below 0.3 %") && r.contains("met")),
            "{card:?}"
        );
        assert!(card.iter().any(|r| r.contains("unknown")), "{card:?}");
        assert!(texts(c, "#hb-trend-sent g.day").await.len() >= 30);
        assert!(!texts(c, "#hb-trend-dmarc g.day").await.is_empty());
        let before = expected.score;

        // Rules: filter, edit with live validation, switch off, export.
        click(c, "#nav button[data-view=\"rules\"]").await;
        let rows = wait_texts(c, "#ru-table tbody tr", |t| t.len() >= 40).await;
        assert!(rows.len() >= 40, "{} rules", rows.len());
        c.execute(
            "const f = document.getElementById('ru-filter'); f.value = 'complaint-rate'; f.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .expect("filter");
        let rows = wait_texts(c, "#ru-table tbody tr", |t| t.len() == 2).await;
        assert!(
            rows.iter().all(|r| r.contains("complaint-rate")),
            "{rows:?}"
        );
        click(
            c,
            "#ru-table tr[data-rule=\"complaint-rate-critical\"] .rule-open",
        )
        .await;
        wait_for(c, "#ru-valid").await;
        let original = c
            .execute("return document.getElementById('ru-text').value;", vec![])
            .await
            .expect("text");
        let original = original.as_str().unwrap_or_default().to_string();
        type_rule(c, &original.replace(">= 0.003 &&", ">= 0.003 && &&")).await;
        let error = wait_texts(c, "#ru-error", |t| !t.is_empty()).await;
        assert!(error[0].starts_with("when (line 1, column"), "{error:?}");
        // An example that no longer holds is shown as wrong.
        type_rule(c, &original.replace(">= 0.003", ">= 0.005")).await;
        let ex = wait_texts(c, "#ru-examples tbody tr", |t| {
            t.iter().any(|r| r.contains("WRONG"))
        })
        .await;
        assert!(ex[0].contains("fires") && ex[0].contains("WRONG"), "{ex:?}");
        // A valid edit, with a hostile title, saved.
        let edited = original.replace("weight = 30", "weight = 40").replace(
            "title = \"Spam complaint rate at or above 0.3 %\"",
            "title = \"<img src=x onerror=\\\"document.title='pwned'\\\"> complaint rate\"",
        );
        type_rule(c, &edited).await;
        wait_for(c, "#ru-valid").await;
        click(c, "#ru-save").await;
        wait_for(c, "#ru-saved").await;
        let row = wait_texts(
            c,
            "#ru-table tr[data-rule=\"complaint-rate-critical\"]",
            |t| t.iter().any(|r| r.contains("edited")),
        )
        .await;
        assert!(
            row[0].contains("40") && row[0].contains("<img src=x onerror="),
            "{row:?}"
        );
        assert_nothing_became_markup(c).await;
        // Switch the volume spike rule off.
        c.execute(
            "const f = document.getElementById('ru-filter'); f.value = 'volume-spike'; f.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .expect("filter");
        wait_texts(c, "#ru-table tbody tr", |t| t.len() == 2).await;
        click(c, "#ru-table tr[data-rule=\"volume-spike\"] .rule-enabled").await;
        wait_texts(c, "#ru-table tr[data-rule=\"volume-spike\"]", |t| {
            t.iter().any(|r| r.contains("off"))
        })
        .await;
        click(c, "#ru-export").await;
        // The export arrives asynchronously: wait for its text box before reading it.
        wait_for(c, "#ru-export-text").await;
        let text = c
            .execute(
                "return document.getElementById('ru-export-text').value;",
                vec![],
            )
            .await
            .expect("export");
        let text = text.as_str().unwrap_or_default();
        assert!(
            text.contains("weight = 40") && text.contains("enabled = false"),
            "{}",
            &text[..200.min(text.len())]
        );

        // Back to the score: the spike rule no longer counts.
        click(c, "#nav button[data-view=\"habits\"]").await;
        let spike_weight = expected
            .fired
            .iter()
            .find(|f| f.id == "volume-spike")
            .map_or(0, |f| f.weight);
        assert!(spike_weight > 0, "the fixture spikes");
        let summary = wait_texts(c, "#hb-summary", |t| !t.is_empty()).await;
        assert!(
            summary[0].starts_with(&format!("Score {} of 100", before + spike_weight)),
            "{summary:?}"
        );
    });
}

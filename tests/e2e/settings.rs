//! Settings flow: nameservers and timeout saved in the UI persist and are the CLI's settings.

use fantoccini::Locator;

use super::driver::{SERIAL, fill, in_app, runtime, wait_for};

#[test]
fn settings_saved_in_the_ui_persist_and_bad_values_are_refused() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    runtime().block_on(async {
        in_app(&db, async |c| {
            c.find(Locator::Css("#nav button[data-view=\"settings\"]"))
                .await
                .expect("nav")
                .click()
                .await
                .expect("click");
            fill(c, "#settings-nameservers", "resolver.example.net").await;
            c.find(Locator::Css("#settings-save"))
                .await
                .expect("save")
                .click()
                .await
                .expect("click");
            let banner = wait_for(c, "#error-banner:not([hidden])").await;
            let text = banner.text().await.expect("text");
            assert!(
                text.contains("resolver.example.net") && text.contains("IP address"),
                "{text}"
            );

            fill(c, "#settings-nameservers", "127.0.0.1:5353, [::1]:53").await;
            fill(c, "#settings-timeout", "1.5").await;
            c.find(Locator::Css("#settings-save"))
                .await
                .expect("save")
                .click()
                .await
                .expect("click");
            wait_for(c, "#settings-message .banner.ok").await;
            let path = wait_for(c, "#settings-db-path")
                .await
                .text()
                .await
                .expect("text");
            assert_eq!(path, db.display().to_string());
        })
        .await;
        let store = inboxlens_store::Store::open(&db).expect("open");
        let s = store.settings().expect("settings");
        assert_eq!(
            s.get_text("nameservers").expect("ns"),
            "127.0.0.1:5353,[::1]:53"
        );
        assert_eq!(s.dns.timeout_secs, 1.5);
        drop(store);
        in_app(&db, async |c| {
            c.find(Locator::Css("#nav button[data-view=\"settings\"]"))
                .await
                .expect("nav")
                .click()
                .await
                .expect("click");
            let ns = wait_for(c, "#settings-nameservers").await;
            assert_eq!(
                ns.prop("value").await.expect("value").as_deref(),
                Some("127.0.0.1:5353\n[::1]:53")
            );
            let t = wait_for(c, "#settings-timeout").await;
            assert_eq!(
                t.prop("value").await.expect("value").as_deref(),
                Some("1.5")
            );
        })
        .await;
    });
}

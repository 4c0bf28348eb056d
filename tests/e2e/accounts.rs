//! Accounts flow: create in the UI, restart the app, see it listed; errors and hostile text.

use fantoccini::Locator;

use super::driver::{SERIAL, fill, in_app, runtime, texts, wait_for, wait_texts, with_app};

#[test]
fn account_created_in_the_ui_survives_a_restart() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    runtime().block_on(async {
        in_app(&db, async |c| {
            wait_for(c, "#accounts-empty").await;
            fill(c, "#account-name", "Acme Mail").await;
            fill(c, "#account-domains", "acme.example, news.acme.example").await;
            fill(c, "#account-ips", "192.0.2.10, 2001:db8::25").await;
            fill(c, "#account-selectors", "s1, s2").await;
            c.find(Locator::Css("#account-save"))
                .await
                .expect("save")
                .click()
                .await
                .expect("click");
            let names = wait_texts(c, ".account-row .account-name", |t| !t.is_empty()).await;
            assert_eq!(names, vec!["Acme Mail".to_string()]);
            let banner = wait_for(c, "#account-form-message .banner.ok").await;
            assert!(banner.text().await.expect("text").contains("Acme Mail"));
        })
        .await;
        // The app wrote a real SQLite file: the CLI's store sees the same account.
        let store = inboxlens_store::Store::open(&db).expect("open the app's database");
        let a = store
            .account_by_name("acme mail")
            .expect("account in the database");
        assert_eq!(a.domains, vec!["acme.example", "news.acme.example"]);
        assert_eq!(a.sending_ips, vec!["192.0.2.10", "2001:db8::25"]);
        drop(store);
        in_app(&db, async |c| {
            let names = wait_texts(c, ".account-row .account-name", |t| !t.is_empty()).await;
            assert_eq!(names, vec!["Acme Mail".to_string()], "listed after restart");
            let row = texts(c, ".account-row").await.join(" ");
            assert!(
                row.contains("acme.example") && row.contains("2001:db8::25"),
                "{row}"
            );
        })
        .await;
    });
}

#[test]
fn bad_input_is_refused_hostile_names_stay_text_edit_and_delete_work() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    with_app(&db, async |c| {
        wait_for(c, "#accounts-empty").await;

        // A bad IP: the Rust validation error arrives as {code, message} and is shown.
        fill(c, "#account-name", "Broken").await;
        fill(c, "#account-ips", "192.0.2.300").await;
        c.find(Locator::Css("#account-save"))
            .await
            .expect("save")
            .click()
            .await
            .expect("click");
        let banner = wait_for(c, "#error-banner:not([hidden])").await;
        let text = banner.text().await.expect("banner text");
        assert!(
            text.contains("192.0.2.300") && text.contains("invalid-input"),
            "{text}"
        );
        assert_eq!(
            texts(c, ".account-row").await.len(),
            0,
            "nothing was created"
        );

        // Markup in a name is shown as text and never runs.
        let hostile =
            "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
        fill(c, "#account-name", hostile).await;
        fill(c, "#account-ips", "").await;
        c.find(Locator::Css("#account-save"))
            .await
            .expect("save")
            .click()
            .await
            .expect("click");
        let names = wait_texts(c, ".account-row .account-name", |t| !t.is_empty()).await;
        assert_eq!(names, vec![hostile.to_string()]);
        assert_eq!(c.title().await.expect("title"), "Inboxlens");
        let imgs = c
            .find_all(Locator::Css("#view img, #view script"))
            .await
            .expect("find");
        assert!(imgs.is_empty(), "no element was created from the name");

        // Edit: the form fills with the account; saving replaces its fields.
        c.find(Locator::Css(".account-row button[data-action=\"edit\"]"))
            .await
            .expect("edit button")
            .click()
            .await
            .expect("click");
        let name = wait_for(c, "#account-name").await;
        assert_eq!(
            name.prop("value").await.expect("value").as_deref(),
            Some(hostile)
        );
        fill(c, "#account-name", "Renamed Ltd").await;
        fill(c, "#account-domains", "renamed.example").await;
        c.find(Locator::Css("#account-save"))
            .await
            .expect("save")
            .click()
            .await
            .expect("click");
        let names = wait_texts(c, ".account-row .account-name", |t| t == ["Renamed Ltd"]).await;
        assert_eq!(names, vec!["Renamed Ltd".to_string()]);
        let row = texts(c, ".account-row").await.join(" ");
        assert!(row.contains("renamed.example"), "{row}");

        // Delete asks once, then deletes.
        let del = wait_for(c, ".account-row button[data-action=\"delete\"]").await;
        del.click().await.expect("arm");
        del.click().await.expect("confirm");
        wait_for(c, "#accounts-empty").await;
    });
}

#[test]
fn the_navigation_lists_every_view_and_none_is_a_placeholder() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    with_app(&db, async |c| {
        let labels: Vec<String> = texts(c, "#nav button")
            .await
            .iter()
            .map(|l| l.trim().to_string())
            .collect();
        // Every capability has landed: no "not yet" placeholder remains.
        assert_eq!(
            labels,
            vec![
                "Accounts",
                "Overview",
                "Timeline",
                "Domain audit",
                "Blocklists",
                "Message",
                "Feeds",
                "Reports",
                "Sending habits",
                "Rules",
                "Settings",
            ]
        );
    });
}

//! Blocklists view: matrix from the loopback DNS fixture, details as text, catalogue edits.

use fantoccini::{Client, Locator};
use inboxlens_core::account::AccountInput;
use inboxlens_core::blocklist::Catalogue;
use inboxlens_store::Store;
use inboxlens_tests::{DnsFixture, fixture};

use super::driver::{SERIAL, click, fill, texts, wait_for, wait_texts, with_app};

async fn cell_status(c: &Client, target: &str, zone: &str) -> Option<String> {
    let css = format!(".bl-row[data-target=\"{target}\"] button[data-zone=\"{zone}\"]");
    let el = c.find(Locator::Css(&css)).await.ok()?;
    el.attr("data-status").await.ok().flatten()
}

#[test]
fn blocklist_matrix_details_and_catalogue() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    let account_id = {
        let mut s = Store::open(&db).expect("db");
        s.set_setting("nameservers", &fx.nameserver())
            .expect("nameserver");
        s.set_setting("timeout", "2").expect("timeout");
        let text = std::fs::read_to_string(fixture("blocklists/lists.toml")).expect("lists");
        s.replace_blocklists(&Catalogue::from_toml(&text, "lists.toml").expect("valid"))
            .expect("catalogue");
        s.create_account(&AccountInput {
            name: "Acme".into(),
            domains: vec!["spammy.test".into()],
            sending_ips: vec!["192.0.2.10".into()],
            ..AccountInput::default()
        })
        .expect("account")
        .id
    };
    with_app(&db, async |c| {
        click(c, "#nav button[data-view=\"blocklists\"]").await;
        wait_for(c, "#bl-lists tbody tr").await;

        fill(c, "#bl-targets", "192.0.2.10, 192.0.2.66, mail.spammy.test").await;
        click(c, "#bl-check").await;
        let rows = wait_texts(c, ".bl-row td.name", |t| t.len() == 3).await;
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(
            cell_status(c, "192.0.2.10", "zen.dnsbl.test")
                .await
                .as_deref(),
            Some("listed")
        );
        assert_eq!(
            cell_status(c, "192.0.2.10", "refused.dnsbl.test")
                .await
                .as_deref(),
            Some("refused")
        );
        assert_eq!(
            cell_status(c, "192.0.2.10", "everything.dnsbl.test")
                .await
                .as_deref(),
            Some("dead-list")
        );
        assert_eq!(
            cell_status(c, "mail.spammy.test", "dbl.dnsbl.test")
                .await
                .as_deref(),
            Some("listed")
        );
        assert_eq!(
            cell_status(c, "mail.spammy.test", "zen.dnsbl.test").await,
            None,
            "IP lists do not apply"
        );
        let findings = texts(c, "#bl-findings li").await.join("\n");
        assert!(
            findings.contains("critical") && findings.contains("192.0.2.10 is listed on Test ZEN"),
            "{findings}"
        );

        // Details of a listing whose TXT is hostile markup: shown as text, nothing runs.
        click(
            c,
            ".bl-row[data-target=\"192.0.2.66\"] button[data-zone=\"zen.dnsbl.test\"]",
        )
        .await;
        let txt = wait_for(c, "#bl-detail-txt")
            .await
            .text()
            .await
            .expect("txt");
        assert_eq!(
            txt,
            "<img src=x onerror=document.title='pwned'><script>document.title='pwned'</script>"
        );
        assert_eq!(c.title().await.expect("title"), "Inboxlens");
        assert!(
            c.find_all(Locator::Css("#view img, #view script"))
                .await
                .expect("find")
                .is_empty()
        );
        let meaning = wait_for(c, "#bl-detail-meaning")
            .await
            .text()
            .await
            .expect("meaning");
        assert_eq!(meaning, "SBL: direct spam source");

        // Catalogue: untick the DBL; a new check no longer asks it.
        click(c, "input.bl-enabled[data-zone=\"dbl.dnsbl.test\"]").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let dbl_box = wait_for(c, "input.bl-enabled[data-zone=\"dbl.dnsbl.test\"]").await;
        assert_eq!(
            dbl_box.prop("checked").await.expect("checked").as_deref(),
            Some("false")
        );

        // An account's targets, with the typed ones cleared.
        fill(c, "#bl-targets", "").await;
        wait_for(c, "#bl-account")
            .await
            .select_by_value(&account_id.to_string())
            .await
            .expect("select account");
        click(c, "#bl-check").await;
        let rows = wait_texts(c, ".bl-row td.name", |t| t.len() == 2).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(
            c.find_all(Locator::Css("button[data-zone=\"dbl.dnsbl.test\"]"))
                .await
                .expect("find")
                .is_empty()
        );
        assert_eq!(
            cell_status(c, "spammy.test", "uri.dnsbl.test")
                .await
                .as_deref(),
            Some("listed")
        );

        // A broken catalogue edit is refused with the parser's message.
        click(c, "#bl-catalogue details summary").await;
        fill(c, "#bl-toml", "[[list]]\nname = \"Broken\"").await;
        click(c, "#bl-toml-save").await;
        let banner = wait_for(c, "#error-banner:not([hidden])")
            .await
            .text()
            .await
            .expect("banner");
        assert!(banner.contains("invalid-catalogue"), "{banner}");
    });
    let s = Store::open(&db).expect("reopen");
    let cat = s.blocklists().expect("catalogue");
    assert!(
        !cat.lists
            .iter()
            .find(|l| l.zone == "dbl.dnsbl.test")
            .expect("dbl")
            .enabled
    );
    assert_eq!(cat.lists.len(), 9, "the broken edit changed nothing");
    let h = s.history(Some(account_id), 10).expect("history");
    assert_eq!(h.len(), 2, "the account check is in its history");
}

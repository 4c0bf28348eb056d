//! Domain audit view: verdict, sections, the SPF tree with lookup counts, evidence and fix
//! on demand, hostile DNS text shown as text, re-run and history, an account's domains.

use fantoccini::{Client, Locator};
use inboxlens_core::account::AccountInput;
use inboxlens_store::Store;
use inboxlens_tests::DnsFixture;

use super::driver::{SERIAL, click, fill, texts, wait_for, wait_texts, with_app};

async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    wait_for(c, css).await.attr(name).await.ok().flatten()
}

#[test]
fn audit_flow_tree_evidence_history_and_account() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    let account_id = {
        let mut s = Store::open(&db).expect("db");
        s.set_setting("nameservers", &fx.nameserver())
            .expect("nameserver");
        s.set_setting("timeout", "2").expect("timeout");
        // The policy host would be fetched on port 443, which no test server holds.
        s.set_setting("mta_sts_fetch", "off").expect("setting");
        s.create_account(&AccountInput {
            name: "Good".into(),
            domains: vec!["good.audit.test".into()],
            sending_ips: vec!["192.0.2.30".into()],
            ..AccountInput::default()
        })
        .expect("account")
        .id
    };
    with_app(&db, async |c| {
        click(c, "#nav button[data-view=\"audit\"]").await;

        // Over the lookup limit: critical verdict, the budget, the tree, the finding.
        fill(c, "#audit-domain", "spf-many.audit.test").await;
        click(c, "#audit-run").await;
        let verdict = attr(c, ".audit-report .verdict", "data-verdict").await;
        assert_eq!(verdict.as_deref(), Some("critical"));
        let budget = wait_for(c, "#spf-budget")
            .await
            .text()
            .await
            .expect("budget");
        assert_eq!(budget, "11 of 10 DNS lookups");
        let nodes = texts(c, ".spf-node > .spf-domain").await;
        assert!(
            nodes.contains(&"_i3.spf-many.audit.test".to_string()),
            "{nodes:?}"
        );
        let costs = texts(c, ".spf-tree .spf-term .cost").await;
        assert!(
            costs.len() >= 10 && costs.iter().all(|c| c.trim() == "1"),
            "{costs:?}"
        );
        click(
            c,
            "details.finding[data-id=\"spf-too-many-lookups\"] > summary",
        )
        .await;
        let evidence = texts(
            c,
            "details.finding[data-id=\"spf-too-many-lookups\"] pre.evidence",
        )
        .await
        .join("\n");
        assert!(
            evidence.contains("include:_i1.spf-many.audit.test costs 1 lookup"),
            "{evidence}"
        );
        let fix = texts(
            c,
            "details.finding[data-id=\"spf-too-many-lookups\"] .fix-text",
        )
        .await
        .join("");
        assert!(fix.contains("ip4:198.51.100.11"), "{fix}");

        // Re-run: the history shows both runs and that nothing changed.
        click(c, ".audit-rerun").await;
        let runs = wait_texts(c, ".audit-history tbody tr", |t| t.len() == 2).await;
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert!(runs[0].contains("no change"), "{runs:?}");
        assert!(runs[1].contains("first run"), "{runs:?}");

        // Hostile markup in a DNS record stays text and runs nothing.
        fill(c, "#audit-domain", "hostile.audit.test").await;
        click(c, "#audit-run").await;
        wait_for(c, ".audit-report[data-domain=\"hostile.audit.test\"]").await;
        let record = texts(c, "details[data-section=\"spf\"] pre.record")
            .await
            .join("");
        assert!(
            record.contains("<script>document.title='pwned'</script>"),
            "{record}"
        );
        assert_eq!(c.title().await.expect("title"), "Inboxlens");
        assert!(
            c.find_all(Locator::Css("#view img, #view script"))
                .await
                .expect("find")
                .is_empty()
        );

        // An account: its domain and IP, a clean verdict, PTR checked, policy not fetched.
        fill(c, "#audit-domain", "").await;
        wait_for(c, "#audit-account")
            .await
            .select_by_value(&account_id.to_string())
            .await
            .expect("select account");
        click(c, "#audit-run").await;
        wait_for(c, ".audit-report[data-domain=\"good.audit.test\"]").await;
        let verdict = attr(c, ".audit-report .verdict", "data-verdict").await;
        assert_eq!(verdict.as_deref(), Some("pass"));
        // Sections without problems start closed; open the two to read.
        click(c, "details[data-section=\"ptr\"] > summary").await;
        click(c, "details[data-section=\"mta-sts\"] > summary").await;
        let ptr = texts(c, "details[data-section=\"ptr\"] td").await.join(" ");
        assert!(ptr.contains("mx1.good.audit.test"), "{ptr}");
        let sts = texts(c, "details[data-section=\"mta-sts\"] p.hint")
            .await
            .join(" ");
        assert!(sts.contains("not fetched"), "{sts}");
    });
    let s = Store::open(&db).expect("reopen");
    let h = s.history(Some(account_id), 10).expect("history");
    assert_eq!(h.len(), 1, "the account audit is in its history");
    assert_eq!(h[0].kind, "audit");
    assert_eq!(
        s.checks_of("audit", "spf-many.audit.test", 10)
            .expect("runs")
            .len(),
        2
    );
}

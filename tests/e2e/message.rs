//! Message view: a pasted message whose headers carry script, event handlers, a
//! `javascript:` link and CSS is verified and shown as text; nothing runs.

use inboxlens_store::Store;
use inboxlens_tests::DnsFixture;

use super::driver::{SERIAL, assert_nothing_became_markup, click, texts, wait_for, with_app};

const HOSTILE: &str = "Return-Path: <bounce@good.audit.test>\r\n\
Received: from mx1.good.audit.test (mx1.good.audit.test [192.0.2.30])\r\n\tby mx.receiver.example with ESMTPS id abc; Thu, 26 Nov 2026 10:00:05 +0000\r\n\
Authentication-Results: mx.receiver.example; spf=pass smtp.mailfrom=bounce@good.audit.test; dkim=pass header.d=<img src=x onerror=document.title='pwned'>\r\n\
From: \"<script>document.title='pwned'</script>\" <news@good.audit.test>\r\n\
To: user@receiver.example\r\n\
Subject: <img src=x onerror=document.title='pwned'> hello\r\n\
Date: Thu, 26 Nov 2026 09:59:58 +0000\r\n\
Message-ID: <x1@good.audit.test>\r\n\
X-Evil: <a href=\"javascript:document.title='pwned'\">click</a><style>body{display:none}</style>\r\n\
\r\n\
Hello <b>world</b>\r\n";

#[test]
fn hostile_message_is_verified_and_shown_as_text() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e2e.db");
    {
        let mut s = Store::open(&db).expect("db");
        s.set_setting("nameservers", &fx.nameserver())
            .expect("nameserver");
        s.set_setting("timeout", "2").expect("timeout");
    }
    with_app(&db, async |c| {
        click(c, "#nav button[data-view=\"message\"]").await;
        wait_for(c, "#msg-raw").await;
        // Pasted as a user would: the textarea's value (WebDriver typing drops new lines).
        c.execute(
            "document.getElementById('msg-raw').value = arguments[0];",
            vec![serde_json::Value::String(HOSTILE.to_string())],
        )
        .await
        .expect("paste");
        click(c, "#msg-verify").await;
        let verdict = wait_for(c, "#msg-report .verdict")
            .await
            .attr("data-verdict")
            .await
            .expect("attr");
        assert_eq!(
            verdict.as_deref(),
            Some("error"),
            "no DKIM signature: error"
        );
        let subject = texts(c, "#msg-report .verdict-subject").await.join("");
        assert_eq!(subject, "<img src=x onerror=document.title='pwned'> hello");
        let findings = texts(c, "#msg-report details.finding .finding-id").await;
        assert!(
            findings.iter().any(|f| f == "message-dkim-none"),
            "{findings:?}"
        );
        // SPF passed for the envelope in the trace; the receiver's claim of a DKIM pass is
        // shown beside ours.
        let hint = texts(c, "#msg-report .verdict .hint").await.join("");
        assert!(hint.contains("SPF pass"), "{hint}");
        click(c, "details[data-section=\"headers\"] > summary").await;
        click(c, "details[data-section=\"receiver\"] > summary").await;
        let headers = texts(c, "#msg-headers td").await.join("\n");
        assert!(
            headers.contains("<style>body{display:none}</style>"),
            "{headers}"
        );
        assert!(headers.contains("javascript:document.title"), "{headers}");
        // Nothing ran, nothing became markup.
        assert_nothing_became_markup(c).await;
    });
}

//! The message inspector against the loopback DNS fixture: messages from
//! `fixtures/messages/`, signed in the test with mail-auth's signer and the key published at
//! `google._domainkey.good.audit.test`, then altered the way real mail goes wrong.

use std::time::Duration;

use inboxlens_core::finding::Severity;
use inboxlens_core::message::{MessageError, MessageReport, VerifyOptions, verify};
use inboxlens_tests::{DnsFixture, fixture};
use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

const SIGNED: &[&str] = &[
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("messages/{name}"))).expect("fixture")
}

fn key(name: &str) -> RsaKey<Sha256> {
    let der = PrivateKeyDer::from_pem_file(fixture(&format!("dkim/{name}"))).expect("pem");
    RsaKey::<Sha256>::from_key_der(der).expect("rsa key")
}

/// Signs `body` (a message as the sender hands it over) as d=good.audit.test s=google.
fn sign(
    body: &str,
    key_file: &str,
    headers: &[&str],
    length: bool,
    expires: Option<u64>,
) -> String {
    let mut signer = DkimSigner::from_key(key(key_file))
        .domain("good.audit.test")
        .selector("google")
        .headers(headers.iter().copied())
        .body_length(length);
    if let Some(x) = expires {
        signer = signer.expiration(x);
    }
    let sig = signer.sign(body.as_bytes()).expect("sign");
    format!("{}{body}", sig.to_header())
}

/// The message as the receiver stores it: its trace on top of what was sent.
fn delivered(signed: &str) -> String {
    format!("{}{signed}", read("trace-receiver.txt"))
}

fn sent() -> String {
    format!("{}{}", read("trace-sender.txt"), read("newsletter.eml"))
}

struct World {
    dns: DnsFixture,
    rt: tokio::runtime::Runtime,
}

impl World {
    fn new() -> Self {
        World {
            dns: DnsFixture::start(),
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("rt"),
        }
    }

    fn try_verify(&self, raw: &str, opts: &VerifyOptions) -> Result<MessageReport, MessageError> {
        self.rt.block_on(async {
            let resolver = inboxlens_tests::resolver(&self.dns.nameserver(), 1.0);
            verify(&resolver, raw.as_bytes(), opts, Duration::from_secs(20)).await
        })
    }

    fn verify(&self, raw: &str) -> MessageReport {
        self.try_verify(raw, &VerifyOptions::default())
            .expect("verify")
    }
}

fn ids(r: &MessageReport) -> Vec<String> {
    r.findings.iter().map(|f| f.id.clone()).collect()
}

#[test]
fn a_good_newsletter_passes_everything() {
    let w = World::new();
    let r = w.verify(&delivered(&sign(
        &sent(),
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    )));
    assert_eq!(r.envelope.ip.as_deref(), Some("192.0.2.30"));
    assert_eq!(r.envelope.helo.as_deref(), Some("mx1.good.audit.test"));
    assert_eq!(
        r.envelope.mail_from.as_deref(),
        Some("bounce@good.audit.test")
    );
    assert!(
        r.envelope.sources[0].contains("Received header #1"),
        "{:?}",
        r.envelope.sources
    );
    assert_eq!(format!("{:?}", r.spf.result), "Pass");
    assert_eq!(r.dkim.len(), 1);
    assert_eq!(r.dkim[0].result, "pass", "{:?}", r.dkim[0]);
    assert!(r.dkim[0].aligned);
    assert_eq!(r.dkim[0].key_bits, Some(2048));
    assert!(
        r.dkim[0]
            .signed_headers
            .contains(&"list-unsubscribe-post".to_string())
    );
    assert_eq!(r.dmarc.result, "pass");
    assert!(r.dmarc.spf_aligned && r.dmarc.dkim_aligned);
    assert_eq!(r.hops.len(), 2);
    assert_eq!(r.hops[0].delay_secs, Some(5));
    let loud: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| &f.id)
        .collect();
    assert!(loud.is_empty(), "{loud:?}");
    for id in [
        "message-spf-pass",
        "message-dkim-pass",
        "message-dmarc-pass",
    ] {
        assert!(ids(&r).contains(&id.to_string()), "{id}: {:?}", ids(&r));
    }
}

#[test]
fn broken_signatures_are_told_apart() {
    let w = World::new();
    // Signed with a key that is not the published one.
    let r = w.verify(&delivered(&sign(
        &sent(),
        "wrong-key.pem",
        SIGNED,
        false,
        None,
    )));
    assert_eq!(r.dkim[0].result, "fail");
    assert!(
        ids(&r).contains(&"message-dkim-fail".to_string()),
        "{:?}",
        ids(&r)
    );
    // DMARC still passes on aligned SPF.
    assert_eq!(r.dmarc.result, "pass");

    // The body changed after signing (a footer added by a relay).
    let signed = sign(&sent(), "good.audit.test-google.pem", SIGNED, false, None);
    let r = w.verify(&delivered(&format!(
        "{signed}--\r\nSent by a list footer\r\n"
    )));
    assert!(
        ids(&r).contains(&"message-dkim-body-hash".to_string()),
        "{:?}",
        ids(&r)
    );

    // An l= signature survives the appended footer but is flagged.
    let signed = sign(&sent(), "good.audit.test-google.pem", SIGNED, true, None);
    let r = w.verify(&delivered(&format!("{signed}appended after signing\r\n")));
    assert_eq!(r.dkim[0].result, "pass", "{:?}", r.dkim[0]);
    assert!(r.dkim[0].body_length.is_some());
    assert!(
        ids(&r).contains(&"message-dkim-body-length".to_string()),
        "{:?}",
        ids(&r)
    );

    // Expired: x= one second after t=.
    let signed = sign(
        &sent(),
        "good.audit.test-google.pem",
        SIGNED,
        false,
        Some(1),
    );
    std::thread::sleep(Duration::from_millis(2100));
    let r = w.verify(&delivered(&signed));
    assert!(
        ids(&r).contains(&"message-dkim-expired".to_string()),
        "{:?} {:?}",
        ids(&r),
        r.dkim
    );
}

#[test]
fn a_misaligned_from_fails_dmarc() {
    let w = World::new();
    // Signed by good.audit.test, sent with good's envelope, but From good.dmarc.test
    // (another organizational domain, p=reject): neither identifier aligns. (plain.audit.test
    // would align under relaxed alignment: same organizational domain, audit.test.)
    let body = sent().replace("news@good.audit.test", "news@good.dmarc.test");
    let r = w.verify(&delivered(&sign(
        &body,
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    )));
    assert_eq!(r.dkim[0].result, "pass");
    assert!(!r.dkim[0].aligned);
    assert_eq!(r.dmarc.result, "fail");
    assert_eq!(r.dmarc.disposition, "reject");
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "message-dmarc-fail")
        .expect("finding");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.evidence.iter().any(|e| e.contains("not aligned")),
        "{:?}",
        f.evidence
    );
}

#[test]
fn relaxed_and_strict_alignment() {
    let w = World::new();
    // plain.audit.test (p=quarantine, relaxed) shares the organizational domain audit.test.
    let body = sent().replace("news@good.audit.test", "news@plain.audit.test");
    let r = w.verify(&delivered(&sign(
        &body,
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    )));
    assert!(r.dkim[0].aligned);
    assert_eq!(r.dmarc.result, "pass");
    // dmarc-strict.audit.test asks adkim=s; aspf=s: the same signature no longer aligns.
    let body = sent()
        .replace("news@good.audit.test", "news@dmarc-strict.audit.test")
        .replace("bounce@good.audit.test", "bounce@dmarc-strict.audit.test");
    let r = w.verify(&delivered(&sign(
        &body,
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    )));
    assert!(!r.dkim[0].aligned);
    assert_eq!(r.dmarc.result, "fail", "{:?}", r.dmarc);
}

#[test]
fn bulk_sender_header_rules() {
    let w = World::new();
    // One-click header missing.
    let body = sent().replace("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", "");
    let r = w.verify(&delivered(&sign(
        &body,
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    )));
    assert!(
        ids(&r).contains(&"message-one-click-missing".to_string()),
        "{:?}",
        ids(&r)
    );
    // Present but not signed.
    let r = w.verify(&delivered(&sign(
        &sent(),
        "good.audit.test-google.pem",
        &["From", "To", "Subject", "Date", "Message-ID"],
        false,
        None,
    )));
    assert!(
        ids(&r).contains(&"message-one-click-unsigned".to_string()),
        "{:?}",
        ids(&r)
    );
    // A list message without List-Unsubscribe, no Message-ID, two Subjects, a bad Date.
    let body = sent()
        .replace("List-Unsubscribe: <https://good.audit.test/u/123>, <mailto:unsub@good.audit.test?subject=123>\r\n", "")
        .replace("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", "")
        .replace("Message-ID: <nov-2026-1@good.audit.test>\r\n", "Subject: again\r\n")
        .replace("Date: Thu, 26 Nov 2026 09:59:58 +0000", "Date: yesterday");
    let r = w.verify(&delivered(&body));
    for id in [
        "message-list-unsubscribe-missing",
        "message-id-missing",
        "message-header-repeated",
        "message-date-invalid",
        "message-dkim-none",
    ] {
        assert!(ids(&r).contains(&id.to_string()), "{id}: {:?}", ids(&r));
    }
}

#[test]
fn receiver_verdicts_and_slow_hops() {
    let w = World::new();
    let signed = sign(&sent(), "good.audit.test-google.pem", SIGNED, false, None);
    let ar = "Authentication-Results: mx.receiver.example; dkim=fail (bad signature) header.d=good.audit.test; spf=pass smtp.mailfrom=bounce@good.audit.test\r\n";
    let raw = format!("{ar}{}", delivered(&signed)).replace("10:00:05 +0000", "12:30:05 +0000");
    let r = w.verify(&raw);
    assert_eq!(r.receiver.len(), 2);
    let d = r
        .findings
        .iter()
        .find(|f| f.id == "message-receiver-disagrees")
        .expect("disagreement");
    assert!(
        d.title.contains("dkim=fail") && d.title.contains("pass"),
        "{}",
        d.title
    );
    assert!(
        ids(&r).contains(&"message-slow-hop".to_string()),
        "{:?}",
        ids(&r)
    );
}

#[test]
fn envelope_overrides_and_unknown_envelopes() {
    let w = World::new();
    let signed = sign(&sent(), "good.audit.test-google.pem", SIGNED, false, None);
    // Headers only (no trace): SPF is not checked, and says why.
    let r = w.verify(&signed.replace(&read("trace-sender.txt"), ""));
    assert!(
        ids(&r).contains(&"message-envelope-unknown".to_string()),
        "{:?}",
        ids(&r)
    );
    // With --ip / --mail-from given: an unauthorized IP fails SPF.
    let opts = VerifyOptions {
        ip: Some("203.0.113.9".parse().expect("ip")),
        helo: None,
        mail_from: Some("bounce@good.audit.test".into()),
    };
    let r = w.try_verify(&signed, &opts).expect("verify");
    assert_eq!(format!("{:?}", r.spf.result), "Fail");
    assert!(r.envelope.sources.iter().any(|s| s.contains("--ip")));
    assert!(ids(&r).contains(&"message-spf-fail".to_string()));
    // DKIM alone keeps DMARC passing.
    assert_eq!(r.dmarc.result, "pass");
}

#[test]
fn malformed_input_is_an_error_or_findings_never_a_panic() {
    let w = World::new();
    assert!(matches!(
        w.try_verify("", &VerifyOptions::default()),
        Err(MessageError::NoHeaders)
    ));
    assert!(matches!(
        w.try_verify("\r\n\r\njust a body", &VerifyOptions::default()),
        Err(MessageError::NoHeaders)
    ));
    let full = delivered(&sign(
        &sent(),
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    ));
    // Cut at every 37th byte: truncated headers, half a signature, no body.
    for cut in (1..full.len()).step_by(37) {
        let part = &full[..cut];
        if let Ok(r) = w.try_verify(part, &VerifyOptions::default()) {
            assert!(!r.findings.is_empty());
        }
    }
    // Binary junk and a header line over 998 characters.
    let junk: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 256) as u8).collect();
    let _ = w.rt.block_on(async {
        let resolver = inboxlens_tests::resolver(&w.dns.nameserver(), 1.0);
        verify(
            &resolver,
            &junk,
            &VerifyOptions::default(),
            Duration::from_secs(5),
        )
        .await
    });
    // Thousands of header fields (a mail loop): a clear error, not a slow parse.
    let many = format!(
        "{}{full}",
        "Received: from a by b; Thu, 26 Nov 2026 10:00:00 +0000\r\n".repeat(1500)
    );
    assert!(matches!(
        w.try_verify(&many, &VerifyOptions::default()),
        Err(MessageError::TooManyHeaders(n)) if n > 1500
    ));
    let long = format!("X-Long: {}\r\n{}", "a".repeat(1200), full);
    let r = w.verify(&long);
    assert!(ids(&r).contains(&"message-line-too-long".to_string()));
}

#[test]
fn cli_verify_json_text_and_errors() {
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let eml = dir.path().join("good.eml");
    std::fs::write(
        &eml,
        delivered(&sign(
            &sent(),
            "good.audit.test-google.pem",
            SIGNED,
            false,
            None,
        )),
    )
    .expect("write");
    let run = |args: &[&str]| {
        std::process::Command::new(inboxlens_tests::target_bin("inboxlens"))
            .arg("--db")
            .arg(&db)
            .arg("--nameserver")
            .arg(fx.nameserver())
            .args(args)
            .env_remove("INBOXLENS_NAMESERVER")
            .env_remove("INBOXLENS_DB")
            .output()
            .expect("run")
    };
    let path = eml.to_str().expect("utf-8");
    let o = run(&["--format", "json", "verify", path]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    for key in ["spf", "dkim", "dmarc", "arc", "headers", "findings"] {
        assert!(!v[key].is_null(), "missing {key}");
    }
    assert_eq!(v["dmarc"]["result"], "pass");
    assert_eq!(v["spf"]["result"], "pass");
    // An unauthorized --ip: SPF fails, DMARC still passes on DKIM; error finding → exit 1.
    let o = run(&["verify", path, "--ip", "203.0.113.9"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("message-spf-fail") && text.contains("fix: "),
        "{text}"
    );
    // Not a message, a missing file, a bad --ip: exit 2 naming the input.
    let junk = dir.path().join("junk.eml");
    std::fs::write(&junk, "\r\n\r\nno headers here").expect("write");
    let o = run(&["verify", junk.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("junk.eml"));
    let o = run(&["verify", "/nonexistent/x.eml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["verify", path, "--ip", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Seals `raw` as a forwarder would (ARC set i=N by d=good.audit.test s=google).
fn arc_seal(w: &World, raw: &str) -> String {
    use mail_auth::AuthenticatedMessage;
    use mail_auth::AuthenticationResults;
    use mail_auth::arc::ArcSealer;
    w.rt.block_on(async {
        let resolver = inboxlens_tests::resolver(&w.dns.nameserver(), 1.0);
        let auth = resolver.message_authenticator();
        let msg = AuthenticatedMessage::parse(raw.as_bytes()).expect("parse");
        let dkim = auth.verify_dkim(&msg).await;
        let arc = auth.verify_arc(&msg).await;
        let results = AuthenticationResults::new("forwarder.good.audit.test")
            .with_dkim_results(&dkim, "good.audit.test");
        let set = ArcSealer::from_key(key("good.audit.test-google.pem"))
            .domain("good.audit.test")
            .selector("google")
            .headers(["From", "To", "Subject", "DKIM-Signature"])
            .seal(&msg, &results, &arc)
            .expect("seal");
        format!("{}{}{raw}", set.to_header(), results.to_header())
    })
}

#[test]
fn arc_chains_pass_and_break() {
    let w = World::new();
    let signed = delivered(&sign(
        &sent(),
        "good.audit.test-google.pem",
        SIGNED,
        false,
        None,
    ));
    let sealed = arc_seal(&w, &signed);
    let r = w.verify(&sealed);
    assert_eq!(r.arc.result, "pass", "{:?}", r.arc);
    assert_eq!(r.arc.hops.len(), 1);
    assert_eq!(r.arc.hops[0].domain, "good.audit.test");
    assert!(ids(&r).contains(&"message-arc-pass".to_string()));
    // A relay after the forwarder rewrites the body: the seal no longer holds.
    let r = w.verify(&format!("{sealed}-- rewritten by a later relay\r\n"));
    assert_ne!(r.arc.result, "pass", "{:?}", r.arc);
    assert!(
        ids(&r).contains(&"message-arc-fail".to_string()),
        "{:?}",
        ids(&r)
    );
}

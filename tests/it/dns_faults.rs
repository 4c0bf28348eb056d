//! DNS faults (issue #10): servers that answer SERVFAIL or REFUSED, that truncate every UDP
//! answer and send an oversized TXT over TCP, and a CNAME loop. Verdicts follow the RFCs
//! (temperror, not "no record"), and nothing hangs.

use std::time::{Duration, Instant};

use inboxlens_core::audit::{AuditOptions, AuditReport, FetchOptions, audit_domain};
use inboxlens_core::auth::spf::{SpfInput, SpfResult, check_host};
use inboxlens_core::dns::DnsJob;
use inboxlens_core::finding::Severity;
use inboxlens_tests::{DnsFixture, Fault, FaultServer};

fn job(ns: &str, deadline: Duration) -> DnsJob {
    let resolver = inboxlens_tests::resolver(ns, 0.5);
    DnsJob::new(resolver, deadline)
}

fn audit(ns: &str, domain: &str) -> AuditReport {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let opts = AuditOptions {
            discover_selectors: true,
            mta_sts: FetchOptions {
                enabled: false,
                ..FetchOptions::default()
            },
            ..AuditOptions::default()
        };
        audit_domain(&job(ns, Duration::from_secs(5)), domain, &opts).await
    })
}

fn ids(r: &AuditReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.id.as_str()).collect()
}

#[test]
fn servfail_and_refused_are_temporary_errors_everywhere() {
    for fault in [Fault::ServFail, Fault::Refused] {
        let srv = FaultServer::start(fault);
        let started = Instant::now();
        let r = audit(&srv.nameserver(), "broken.example");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{fault:?} took too long"
        );
        for id in [
            "spf-dns-error",
            "dmarc-dns-error",
            "mx-dns-error",
            "dkim-dns-error",
        ] {
            assert!(
                ids(&r).contains(&id),
                "{fault:?}: {id} missing in {:?}",
                ids(&r)
            );
        }
        assert!(
            !ids(&r).contains(&"spf-missing"),
            "an error is not 'no record'"
        );
        assert!(!ids(&r).contains(&"dmarc-missing"));
        assert_eq!(r.spf.result_for_unlisted, SpfResult::Temperror);
        let code = if fault == Fault::ServFail {
            "SERVFAIL"
        } else {
            "REFUSED"
        };
        let f = r
            .findings
            .iter()
            .find(|f| f.id == "spf-dns-error")
            .expect("spf");
        assert!(f.evidence.join(" ").contains(code), "{:?}", f.evidence);
        assert!(f.severity >= Severity::Error);
        // check_host() itself: temperror (RFC 7208 §4.4).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let e = rt.block_on(async {
            check_host(
                &job(&srv.nameserver(), Duration::from_secs(5)),
                &SpfInput {
                    ip: "192.0.2.1".parse().expect("ip"),
                    domain: "broken.example",
                    sender: "a@broken.example",
                    helo: "broken.example",
                },
            )
            .await
        });
        assert_eq!(e.result, SpfResult::Temperror, "{fault:?}");
    }
}

#[test]
fn truncated_answers_fall_back_to_tcp_for_an_oversized_txt() {
    let srv = FaultServer::start(Fault::TruncateThenTxt(20_000));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let a = rt.block_on(async {
        job(&srv.nameserver(), Duration::from_secs(5))
            .txt("big.example")
            .await
            .expect("answer over TCP")
    });
    let txt = a.txt();
    assert_eq!(txt.len(), 1);
    assert!(txt[0].len() > 19_000, "{}", txt[0].len());
    // The audit sees the whole record: a valid but far too long SPF policy.
    let r = audit(&srv.nameserver(), "big.example");
    assert!(ids(&r).contains(&"spf-record-too-long"), "{:?}", ids(&r));
}

#[test]
fn a_cname_loop_ends_without_a_hang() {
    let fx = DnsFixture::start();
    let started = Instant::now();
    let r = audit(&fx.nameserver(), "loop1.audit.test");
    assert!(started.elapsed() < Duration::from_secs(15));
    // Whatever the server makes of the loop, no TXT record is found through it.
    assert!(r.spf.records.is_empty());
    assert!(
        ids(&r).contains(&"spf-missing") || ids(&r).contains(&"spf-dns-error"),
        "{:?}",
        ids(&r)
    );
}

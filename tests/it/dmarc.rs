//! DMARC discovery (RFC 9989 tree walk) against the loopback DNS fixture.

use std::time::Duration;

use inboxlens_core::auth::dmarc::{Discovery, StepOutcome, discover, discovery_findings};
use inboxlens_core::dns::{DnsJob, DnsSettings, Nameserver, Resolver};
use inboxlens_core::finding::Severity;
use inboxlens_tests::{Blackhole, DnsFixture};

fn run(ns: &str, domain: &str) -> Discovery {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let resolver = Resolver::from_settings(&DnsSettings {
            nameservers: vec![Nameserver::parse(ns).expect("ns")],
            timeout_secs: 0.5,
            attempts: 1,
        })
        .expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        discover(&job, domain).await
    })
}

fn ids(d: &Discovery) -> Vec<String> {
    discovery_findings(d).into_iter().map(|f| f.id).collect()
}

#[test]
fn exact_record_ignores_other_txt() {
    let fx = DnsFixture::start();
    let d = run(&fx.nameserver(), "good.dmarc.test");
    assert_eq!(d.policy_domain.as_deref(), Some("good.dmarc.test"));
    assert!(!d.inherited);
    assert_eq!(d.steps.len(), 1);
    assert!(ids(&d).is_empty(), "{:?}", ids(&d));
}

#[test]
fn tree_walk_finds_the_parent_and_stops_there() {
    let fx = DnsFixture::start();
    let d = run(&fx.nameserver(), "mail.news.org.dmarc.test");
    assert_eq!(d.policy_domain.as_deref(), Some("org.dmarc.test"));
    assert!(d.inherited);
    let names: Vec<&str> = d.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "_dmarc.mail.news.org.dmarc.test",
            "_dmarc.news.org.dmarc.test",
            "_dmarc.org.dmarc.test"
        ]
    );
    let found = ids(&d);
    assert!(found.contains(&"dmarc-inherited".to_string()));
    assert!(
        found.contains(&"dmarc-subdomain-weaker".to_string()),
        "{found:?}"
    );
}

#[test]
fn missing_multiple_invalid_and_dns_errors() {
    let fx = DnsFixture::start();
    let none = run(&fx.nameserver(), "nothing.dmarc.test");
    assert_eq!(none.policy_domain, None);
    // The walk went all the way up: nothing, dmarc.test, test (NXDOMAIN from the SOA-only parent).
    assert_eq!(none.steps.len(), 3);
    assert!(none.steps.iter().all(|s| s.outcome == StepOutcome::None));
    let f = discovery_findings(&none);
    assert_eq!(f[0].id, "dmarc-missing");
    assert_eq!(f[0].severity, Severity::Critical);

    let two = run(&fx.nameserver(), "two.dmarc.test");
    assert_eq!(ids(&two), vec!["dmarc-multiple-records"]);
    assert_eq!(two.policy_domain, None);

    let broken = run(&fx.nameserver(), "broken.dmarc.test");
    assert_eq!(ids(&broken), vec!["dmarc-syntax-error"]);

    let hole = Blackhole::start();
    let failed = run(&hole.nameserver(), "good.dmarc.test");
    assert!(failed.failed().is_some());
    assert_eq!(ids(&failed), vec!["dmarc-dns-error"]);
}

#[test]
fn a_refused_public_suffix_does_not_hide_a_missing_record() {
    let fx = DnsFixture::start();
    let d = run(&fx.nameserver(), "orphan.example");
    assert_eq!(d.steps.len(), 2, "{:?}", d.steps);
    assert!(matches!(d.steps[0].outcome, StepOutcome::None));
    assert!(
        matches!(&d.steps[1].outcome, StepOutcome::SuffixError { message } if message.contains("REFUSED")),
        "{:?}",
        d.steps[1]
    );
    assert!(d.failed().is_none());
    let f = discovery_findings(&d);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, "dmarc-missing");
    assert!(
        f[0].evidence
            .iter()
            .any(|e| e.contains("public suffix: treated as no record"))
    );
    // A failure at the domain itself still stops the walk as a DNS error.
    let d = run(&fx.nameserver(), "sub.unserved.example");
    assert!(d.failed().is_some());
    assert_eq!(ids(&d), vec!["dmarc-dns-error"]);
}

//! DNSBL checks against fake lists served by the loopback DNS fixture.

use std::time::Duration;

use inboxlens_core::blocklist::{Catalogue, CheckOptions, ListStatus, Target, TargetReport, check};
use inboxlens_core::dns::{DnsSettings, Nameserver, Resolver};
use inboxlens_core::finding::Severity;
use inboxlens_tests::{Blackhole, DnsFixture, fixture};

fn catalogue() -> Catalogue {
    let path = fixture("blocklists/lists.toml");
    let text = std::fs::read_to_string(&path).expect("test catalogue");
    Catalogue::from_toml(&text, &path.display().to_string()).expect("valid test catalogue")
}

fn run(ns: &str, timeout: f64, targets: &[&str], key: Option<&str>) -> Vec<TargetReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let targets: Vec<Target> = targets
        .iter()
        .map(|t| Target::parse(t).expect("target"))
        .collect();
    rt.block_on(async {
        let resolver = Resolver::from_settings(&DnsSettings {
            nameservers: vec![Nameserver::parse(ns).expect("ns")],
            timeout_secs: timeout,
            attempts: 1,
        })
        .expect("resolver");
        let opts = CheckOptions {
            key: key.map(str::to_string),
            deadline: Duration::from_secs(20),
            ..CheckOptions::default()
        };
        check(&resolver, &catalogue(), &targets, &opts).await
    })
}

fn status<'a>(r: &'a TargetReport, zone: &str) -> &'a inboxlens_core::blocklist::ListResult {
    r.results
        .iter()
        .find(|x| x.zone == zone)
        .unwrap_or_else(|| panic!("no result for {zone} in {:?}", r.results))
}

#[test]
fn listed_clean_refused_and_dead_lists_for_an_ipv4_target() {
    let fx = DnsFixture::start();
    let reports = run(&fx.nameserver(), 2.0, &["192.0.2.10", "192.0.2.11"], None);
    assert_eq!(reports.len(), 2);
    let listed = &reports[0];
    assert_eq!(listed.target, "192.0.2.10");

    let zen = status(listed, "zen.dnsbl.test");
    assert_eq!(zen.status, ListStatus::Listed);
    assert_eq!(zen.codes, vec!["127.0.0.4", "127.0.0.10"]);
    assert!(
        zen.meaning.contains("XBL") && zen.meaning.contains("PBL"),
        "{}",
        zen.meaning
    );
    assert_eq!(
        zen.txt.as_deref(),
        Some("Listed for malware activity, see https://zen.dnsbl.test/lookup")
    );

    let refused = status(listed, "refused.dnsbl.test");
    assert_eq!(refused.status, ListStatus::Refused);
    assert!(
        refused.meaning.contains("public or open resolver"),
        "{}",
        refused.meaning
    );

    for dead in [
        "everything.dnsbl.test",
        "empty.dnsbl.test",
        "parked.dnsbl.test",
    ] {
        let r = status(listed, dead);
        assert_eq!(r.status, ListStatus::DeadList, "{dead}: {r:?}");
    }
    assert!(
        status(listed, "everything.dnsbl.test")
            .meaning
            .contains("127.0.0.1")
    );
    assert!(
        status(listed, "empty.dnsbl.test")
            .meaning
            .contains("127.0.0.2")
    );
    assert!(
        status(listed, "parked.dnsbl.test")
            .meaning
            .contains("198.51.100.80")
    );

    // Disabled and key-only lists are not queried; domain lists do not apply to IPs.
    for absent in [
        "disabled.dnsbl.test",
        "keyed.dnsbl.test",
        "dbl.dnsbl.test",
        "uri.dnsbl.test",
    ] {
        assert!(
            listed.results.iter().all(|r| r.zone != absent),
            "{absent} queried"
        );
    }

    let ids: Vec<&str> = listed.findings.iter().map(|f| f.id.as_str()).collect();
    assert!(ids.contains(&"dnsbl-listed") && ids.contains(&"dnsbl-refused"));
    assert!(ids.contains(&"dnsbl-dead-list") && ids.contains(&"dnsbl-needs-key"));
    let f = listed
        .findings
        .iter()
        .find(|f| f.id == "dnsbl-listed")
        .expect("listed finding");
    assert_eq!(f.severity, Severity::Critical, "weight 10 list");
    assert!(f.fix.contains("https://zen.dnsbl.test/lookup"));
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("10.2.0.192.zen.dnsbl.test.") && e.contains("127.0.0.4"))
    );

    let clean = &reports[1];
    assert_eq!(status(clean, "zen.dnsbl.test").status, ListStatus::Clean);
    assert!(
        clean
            .findings
            .iter()
            .any(|f| f.id == "dnsbl-not-listed" && f.severity == Severity::Pass)
    );
    assert!(!clean.findings.iter().any(|f| f.id == "dnsbl-listed"));
}

#[test]
fn ipv6_targets_use_nibble_queries_on_lists_that_take_them() {
    let fx = DnsFixture::start();
    let reports = run(
        &fx.nameserver(),
        2.0,
        &["2001:db8::25", "2001:db8::26"],
        None,
    );
    let zen = status(&reports[0], "zen.dnsbl.test");
    assert_eq!(zen.status, ListStatus::Listed);
    assert_eq!(zen.codes, vec!["127.0.0.3"]);
    assert_eq!(
        status(&reports[1], "zen.dnsbl.test").status,
        ListStatus::Clean
    );
    // ip4-only lists are not asked about IPv6 addresses.
    assert_eq!(reports[0].results.len(), 1);
}

#[test]
fn domains_are_checked_by_registered_domain_with_codes_and_bitmasks() {
    let fx = DnsFixture::start();
    let reports = run(
        &fx.nameserver(),
        2.0,
        &["mail.news.spammy.test", "abused.test", "clean.test"],
        None,
    );
    let spammy = &reports[0];
    assert_eq!(spammy.queried_as.as_deref(), Some("spammy.test"));
    let dbl = status(spammy, "dbl.dnsbl.test");
    assert_eq!(dbl.status, ListStatus::Listed);
    assert_eq!(dbl.meaning, "spam domain");
    assert!(
        dbl.txt
            .as_deref()
            .is_some_and(|t| t.contains("Spam domain"))
    );
    let uri = status(spammy, "uri.dnsbl.test");
    assert_eq!(uri.status, ListStatus::Listed);
    assert_eq!(uri.meaning, "black; red");
    // IP lists do not apply to domains.
    assert!(spammy.results.iter().all(|r| r.zone != "zen.dnsbl.test"));

    assert_eq!(
        status(&reports[1], "dbl.dnsbl.test").meaning,
        "abused legitimate domain used in spam"
    );
    assert_eq!(
        status(&reports[2], "dbl.dnsbl.test").status,
        ListStatus::Clean
    );
    assert_eq!(
        status(&reports[2], "uri.dnsbl.test").status,
        ListStatus::Clean
    );
}

#[test]
fn a_key_enables_key_only_lists_and_never_appears_in_results() {
    let fx = DnsFixture::start();
    let key = "s3cretkey0123";
    let reports = run(&fx.nameserver(), 2.0, &["192.0.2.10"], Some(key));
    let keyed = status(&reports[0], "keyed.dnsbl.test");
    // The fixture does not serve s3cretkey0123.keyed.dnsbl.test: the parent zone says NXDOMAIN
    // for the test entry, so the list is reported dead rather than trusted.
    assert_eq!(keyed.status, ListStatus::DeadList);
    let json = serde_json::to_string(&reports).expect("json");
    assert!(!json.contains(key), "the key leaked into the report");
}

#[test]
fn a_silent_resolver_gives_timeouts_not_clean_results() {
    let hole = Blackhole::start();
    let started = std::time::Instant::now();
    let reports = run(&hole.nameserver(), 0.3, &["192.0.2.10"], None);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let zen = status(&reports[0], "zen.dnsbl.test");
    assert_eq!(zen.status, ListStatus::Timeout, "{zen:?}");
    assert!(
        reports[0]
            .results
            .iter()
            .all(|r| r.status == ListStatus::Timeout)
    );
    assert!(
        !reports[0]
            .findings
            .iter()
            .any(|f| f.id == "dnsbl-not-listed")
    );
    assert!(reports[0].findings.iter().any(|f| f.id == "dnsbl-timeout"));
}

#[test]
fn per_list_rate_limit_spaces_the_queries() {
    let fx = DnsFixture::start();
    // One list at 20 queries per second: 2 liveness probes + 18 targets = 20 queries, so the
    // run cannot finish in less than 19 intervals of 50 ms.
    let text = "[[list]]\nname = \"Slow\"\nzone = \"zen.dnsbl.test\"\nkind = \"ip4\"\nrate = 20\ncodes = { \"127.0.0.2\" = \"listed\" }\n";
    let catalogue = Catalogue::from_toml(text, "inline").expect("catalogue");
    let targets: Vec<Target> = (1..=18)
        .map(|i| Target::parse(&format!("198.51.100.{i}")).expect("ip"))
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let started = std::time::Instant::now();
    let reports = rt.block_on(async {
        let resolver = Resolver::from_settings(&DnsSettings {
            nameservers: vec![Nameserver::parse(&fx.nameserver()).expect("ns")],
            timeout_secs: 2.0,
            attempts: 1,
        })
        .expect("resolver");
        check(&resolver, &catalogue, &targets, &CheckOptions::default()).await
    });
    assert!(
        started.elapsed() >= Duration::from_millis(19 * 50),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(reports.len(), 18);
    assert!(
        reports
            .iter()
            .all(|r| r.results[0].status == ListStatus::Clean)
    );
}

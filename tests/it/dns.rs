//! The DNS layer against the in-process authoritative fixture on 127.0.0.1.

use std::time::{Duration, Instant};

use inboxlens_core::dns::{
    AnswerStatus, DnsError, DnsJob, DnsSettings, Nameserver, RecordData, RecordKind, Resolver,
};
use inboxlens_tests::{Blackhole, DnsFixture};

fn settings(ns: &str, timeout: f64) -> DnsSettings {
    DnsSettings {
        nameservers: vec![Nameserver::parse(ns).expect("nameserver")],
        timeout_secs: timeout,
        attempts: 1,
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn smoke_resolves_txt_a_mx_through_the_real_resolver() {
    let fx = DnsFixture::start();
    assert!(fx.zones().iter().any(|z| z == "example.test."));
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        assert_eq!(
            resolver.describe(),
            format!("{} (udp+tcp)", fx.nameserver())
        );
        let job = DnsJob::new(resolver, Duration::from_secs(10));

        let txt = job.txt("example.test").await.expect("txt");
        assert_eq!(txt.status, AnswerStatus::Records);
        let mut values = txt.txt();
        values.sort();
        assert_eq!(
            values,
            vec![
                "google-site-verification=abc123".to_string(),
                "v=spf1 ip4:192.0.2.0/24 include:_spf.example.test -all".to_string(),
            ]
        );
        assert!(
            txt.records
                .iter()
                .all(|r| r.ttl == 3600 && r.name == "example.test.")
        );

        let a = job.lookup("example.test.", RecordKind::A).await.expect("a");
        assert_eq!(
            a.ips(),
            vec!["192.0.2.10".parse::<std::net::IpAddr>().expect("ip")]
        );
        let aaaa = job
            .lookup("example.test", RecordKind::Aaaa)
            .await
            .expect("aaaa");
        assert_eq!(
            aaaa.ips(),
            vec!["2001:db8::10".parse::<std::net::IpAddr>().expect("ip")]
        );

        let mx = job
            .lookup("example.test", RecordKind::Mx)
            .await
            .expect("mx");
        let mut pairs = mx.mx();
        pairs.sort();
        assert_eq!(
            pairs,
            vec![
                (10, "mx1.example.test.".to_string()),
                (20, "mx2.example.test.".to_string())
            ]
        );

        let ptr = job
            .lookup("10.2.0.192.in-addr.arpa", RecordKind::Ptr)
            .await
            .expect("ptr");
        assert_eq!(ptr.targets(), vec!["example.test.".to_string()]);

        let stats = job.stats();
        assert_eq!(stats.queries, 5);
        assert_eq!(stats.cache_hits, 0);
    });
}

#[test]
fn no_record_is_an_answer_not_an_error() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        let nx = job
            .txt("_dmarc.nowhere.example.test")
            .await
            .expect("nxdomain is an answer");
        assert_eq!(nx.status, AnswerStatus::NxDomain);
        assert!(nx.records.is_empty());
        let nodata = job
            .txt("nodata.example.test")
            .await
            .expect("nodata is an answer");
        assert_eq!(nodata.status, AnswerStatus::NoData);
        // The SOA-only parent zone answers NXDOMAIN for names outside the child zones.
        let parent = job.txt("_dmarc.test").await.expect("parent nxdomain");
        assert_eq!(parent.status, AnswerStatus::NxDomain);
    });
}

#[test]
fn txt_strings_join_per_record_and_records_stay_apart() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        let split = job.txt("split.example.test").await.expect("split");
        assert_eq!(
            split.txt(),
            vec!["v=spf1 ip4:198.51.100.0/24 -all".to_string()]
        );
        match &split.records[0].data {
            RecordData::Txt { strings } => assert_eq!(strings.len(), 2),
            other => panic!("expected TXT, got {other:?}"),
        }
        let two = job.txt("twospf.example.test").await.expect("two");
        let mut v = two.txt();
        v.sort();
        assert_eq!(
            v,
            vec!["v=spf1 +all".to_string(), "v=spf1 -all".to_string()]
        );
    });
}

#[test]
fn cname_chain_is_followed_and_shown() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        let a = job
            .lookup("alias.example.test", RecordKind::A)
            .await
            .expect("a");
        assert_eq!(
            a.ips(),
            vec!["192.0.2.10".parse::<std::net::IpAddr>().expect("ip")]
        );
        assert_eq!(
            a.cname_chain(),
            vec![
                (
                    "alias.example.test.".to_string(),
                    "www.example.test.".to_string()
                ),
                ("www.example.test.".to_string(), "example.test.".to_string()),
            ]
        );
    });
}

#[test]
fn large_txt_answer_falls_back_to_tcp() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        let big = job
            .txt("big._domainkey.example.test")
            .await
            .expect("big txt");
        let value = big.txt();
        assert_eq!(value.len(), 1);
        assert_eq!(value[0].len(), "v=DKIM1; k=rsa; p=".len() + 1900);
        assert!(value[0].ends_with(&"A".repeat(100)));
    });
}

#[test]
fn cache_answers_repeats_and_counts_queries() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = std::sync::Arc::new(DnsJob::new(resolver, Duration::from_secs(10)));
        let first = job.txt("example.test").await.expect("first");
        let again = job.txt("EXAMPLE.test.").await.expect("again");
        assert_eq!(first, again);
        // Concurrent lookups of one name share a single query.
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let j = job.clone();
            tasks.push(tokio::spawn(async move {
                j.lookup("example.test", RecordKind::Mx).await
            }));
        }
        for t in tasks {
            t.await.expect("join").expect("mx");
        }
        let s = job.stats();
        assert_eq!(s.queries, 2, "one TXT and one MX query");
        assert_eq!(s.cache_hits, 8);
    });
}

#[test]
fn refused_is_an_error_with_its_code() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        // The fixture is not authoritative for example.com and does not recurse.
        let err = job.txt("example.com").await.expect_err("refused");
        assert_eq!(err.code(), "refused", "{err}");
    });
}

#[test]
fn silent_server_times_out_per_query() {
    let hole = Blackhole::start();
    rt().block_on(async {
        let resolver =
            Resolver::from_settings(&settings(&hole.nameserver(), 0.3)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(20));
        let started = Instant::now();
        let err = job.txt("example.test").await.expect_err("timeout");
        assert!(matches!(err, DnsError::Timeout { .. }), "{err:?}");
        // Bounded: well under the 20 s job deadline (generous for a loaded CI machine).
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        // The error is cached for the rest of the job: the same view of the DNS.
        let again = job.txt("example.test").await.expect_err("cached");
        assert_eq!(err, again);
        assert_eq!(job.stats().queries, 1);
    });
}

#[test]
fn job_deadline_stops_a_slow_job() {
    let hole = Blackhole::start();
    rt().block_on(async {
        let mut s = settings(&hole.nameserver(), 30.0);
        s.attempts = 5;
        let resolver = Resolver::from_settings(&s).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_millis(400));
        let started = Instant::now();
        let err = job.txt("example.test").await.expect_err("deadline");
        assert!(
            matches!(
                err,
                DnsError::DeadlineExceeded {
                    deadline_ms: 400,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        // Later lookups of the job fail at once.
        let t = Instant::now();
        let err2 = job
            .txt("other.example.test")
            .await
            .expect_err("past deadline");
        assert_eq!(err2.code(), "deadline");
        assert!(t.elapsed() < Duration::from_secs(2));
    });
}

#[test]
fn invalid_names_are_rejected_before_any_query() {
    let fx = DnsFixture::start();
    rt().block_on(async {
        let resolver = Resolver::from_settings(&settings(&fx.nameserver(), 2.0)).expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(10));
        let err = job.txt("a..example.test").await.expect_err("empty label");
        assert_eq!(err.code(), "invalid-name");
        assert_eq!(job.stats().queries, 0);
    });
}

//! SPF check_host() (RFC 7208) against the loopback DNS fixture.

use std::time::Duration;

use inboxlens_core::auth::spf::{SpfEvaluation, SpfInput, SpfResult, check_host};
use inboxlens_core::dns::{DnsJob, DnsSettings, Nameserver, Resolver};
use inboxlens_tests::DnsFixture;

fn spf(fx: &DnsFixture, domain: &str, ip: &str) -> SpfEvaluation {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let resolver = Resolver::from_settings(&DnsSettings {
            nameservers: vec![Nameserver::parse(&fx.nameserver()).expect("ns")],
            timeout_secs: 2.0,
            attempts: 1,
        })
        .expect("resolver");
        let job = DnsJob::new(resolver, Duration::from_secs(20));
        let sender = format!("bounce@{domain}");
        check_host(
            &job,
            &SpfInput {
                ip: ip.parse().expect("ip"),
                domain,
                sender: &sender,
                helo: "mail.client.test",
            },
        )
        .await
    })
}

#[test]
fn results_of_a_typical_record() {
    let fx = DnsFixture::start();
    let own = spf(&fx, "acme.spf.test", "192.0.2.5");
    assert_eq!(own.result, SpfResult::Pass);
    assert_eq!(own.matched.as_deref(), Some("ip4:192.0.2.0/28"));
    assert_eq!(own.lookups, 0);

    let esp = spf(&fx, "acme.spf.test", "198.51.100.77");
    assert_eq!(esp.result, SpfResult::Pass);
    assert_eq!(esp.matched.as_deref(), Some("include:_spf.esp.spf.test"));
    assert_eq!(esp.lookups, 1);
    let inc = &esp.tree.terms[1];
    assert!(inc.matched);
    assert_eq!(
        inc.child.as_ref().map(|c| c.record.clone()),
        Some(Some(
            "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:e5b::/48 ~all".into()
        ))
    );

    let esp6 = spf(&fx, "acme.spf.test", "2001:db8:e5f::1");
    assert_eq!(
        esp6.result,
        SpfResult::Fail,
        "2001:db8:e5f:: is outside the ESP's /48"
    );

    let web = spf(&fx, "acme.spf.test", "203.0.113.80");
    assert_eq!(web.result, SpfResult::Pass);
    assert_eq!(web.matched.as_deref(), Some("a:web.spf.test"));
    assert_eq!(web.lookups, 2);

    let mx = spf(&fx, "acme.spf.test", "2001:db8::25");
    assert_eq!(mx.result, SpfResult::Pass);
    assert_eq!(mx.matched.as_deref(), Some("mx"));
    assert_eq!(mx.lookups, 3, "include, a and mx each cost one lookup");

    let other = spf(&fx, "acme.spf.test", "203.0.113.99");
    assert_eq!(other.result, SpfResult::Fail);
    assert_eq!(other.matched.as_deref(), Some("-all"));
    assert_eq!(other.tree.terms.len(), 5);
    assert!(other.tree.terms[..4].iter().all(|t| !t.matched));
}

#[test]
fn qualifiers_defaults_and_missing_records() {
    let fx = DnsFixture::start();
    assert_eq!(
        spf(&fx, "soft.spf.test", "203.0.113.1").result,
        SpfResult::Softfail
    );
    assert_eq!(
        spf(&fx, "neutral.spf.test", "203.0.113.1").result,
        SpfResult::Neutral
    );
    assert_eq!(
        spf(&fx, "noall.spf.test", "203.0.113.1").result,
        SpfResult::Neutral
    );
    assert_eq!(
        spf(&fx, "nospf.spf.test", "203.0.113.1").result,
        SpfResult::None
    );
    assert_eq!(
        spf(&fx, "missing.spf.test", "203.0.113.1").result,
        SpfResult::None
    );
    assert_eq!(spf(&fx, "bad..name", "203.0.113.1").result, SpfResult::None);
}

#[test]
fn permerrors_say_why() {
    let fx = DnsFixture::start();
    let two = spf(&fx, "twospf.spf.test", "192.0.2.1");
    assert_eq!(two.result, SpfResult::Permerror);
    assert!(
        two.error
            .as_deref()
            .is_some_and(|e| e.contains("2 SPF records")),
        "{:?}",
        two.error
    );

    let bad = spf(&fx, "badsyntax.spf.test", "192.0.2.1");
    assert_eq!(bad.result, SpfResult::Permerror);
    assert!(
        bad.error
            .as_deref()
            .is_some_and(|e| e.contains("position 7")),
        "{:?}",
        bad.error
    );

    let chain = spf(&fx, "c0.spf.test", "192.0.2.1");
    assert_eq!(chain.result, SpfResult::Permerror);
    assert_eq!(chain.lookups, 11);
    assert!(
        chain
            .error
            .as_deref()
            .is_some_and(|e| e.contains("more than 10")),
        "{:?}",
        chain.error
    );

    let looped = spf(&fx, "loop1.spf.test", "192.0.2.1");
    assert_eq!(
        looped.result,
        SpfResult::Permerror,
        "an include loop ends at the lookup limit"
    );

    let voids = spf(&fx, "voids.spf.test", "192.0.2.1");
    assert_eq!(voids.result, SpfResult::Permerror);
    assert_eq!(voids.void_lookups, 3);
    assert!(
        voids.error.as_deref().is_some_and(|e| e.contains("void")),
        "{:?}",
        voids.error
    );

    assert_eq!(
        spf(&fx, "redirnone.spf.test", "192.0.2.1").result,
        SpfResult::Permerror
    );
    assert_eq!(
        spf(&fx, "incnone.spf.test", "192.0.2.1").result,
        SpfResult::Permerror
    );
}

#[test]
fn redirect_temperror_macros_exp_and_ptr() {
    let fx = DnsFixture::start();
    let r = spf(&fx, "redir.spf.test", "198.51.100.1");
    assert_eq!(r.result, SpfResult::Pass);
    assert_eq!(r.lookups, 2, "redirect and the include behind it");
    assert_eq!(
        spf(&fx, "redir.spf.test", "203.0.113.99").result,
        SpfResult::Fail
    );

    let t = spf(&fx, "refusedinc.spf.test", "192.0.2.1");
    assert_eq!(t.result, SpfResult::Temperror, "{:?}", t.error);

    let allowed = spf(&fx, "macro.spf.test", "192.0.2.1");
    assert_eq!(allowed.result, SpfResult::Pass);
    let denied = spf(&fx, "macro.spf.test", "192.0.2.2");
    assert_eq!(denied.result, SpfResult::Fail);
    assert_eq!(
        denied.explanation.as_deref(),
        Some("192.0.2.2 is not allowed to send for macro.spf.test")
    );

    assert_eq!(
        spf(&fx, "ptr.spf.test", "192.0.2.7").result,
        SpfResult::Pass
    );
    assert_eq!(
        spf(&fx, "ptr.spf.test", "192.0.2.10").result,
        SpfResult::Fail,
        "192.0.2.10's PTR is outside spf.test"
    );
}

//! The domain audit against the loopback DNS fixture (`fixtures/zones/audit.test.zone`: one
//! name per finding) and the loopback HTTPS server for MTA-STS policies. Every finding id
//! the audit can emit is expected by at least one case (checked against the source).

use std::collections::BTreeSet;
use std::time::Duration;

use inboxlens_core::audit::{AuditOptions, AuditReport, FetchOptions, audit_domain};
use inboxlens_core::auth::spf::SpfResult;
use inboxlens_core::dns::DnsJob;
use inboxlens_core::finding::Severity;
use inboxlens_tests::{DnsFixture, HttpsFixture, workspace_root};

struct World {
    dns: DnsFixture,
    https: HttpsFixture,
    rt: tokio::runtime::Runtime,
}

impl World {
    fn start() -> Self {
        World {
            dns: DnsFixture::start(),
            https: HttpsFixture::start(),
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("rt"),
        }
    }

    fn audit(&self, domain: &str, selectors: &[&str], ips: &[&str]) -> AuditReport {
        let opts = AuditOptions {
            selectors: selectors.iter().map(|s| s.to_string()).collect(),
            ips: ips.iter().map(|i| i.parse().expect("ip")).collect(),
            discover_selectors: true,
            mta_sts: FetchOptions {
                enabled: true,
                port: self.https.port(),
                extra_roots_pem: HttpsFixture::ca_pem(),
                timeout: Duration::from_secs(5),
            },
        };
        self.rt.block_on(async {
            let resolver = inboxlens_tests::resolver(&self.dns.nameserver(), 1.0);
            let job = DnsJob::new(resolver, Duration::from_secs(20));
            audit_domain(&job, domain, &opts).await
        })
    }
}

fn ids(r: &AuditReport) -> BTreeSet<String> {
    r.findings.iter().map(|f| f.id.clone()).collect()
}

/// (domain, selectors, ips, ids that must be among the findings)
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const CASES: &[Case] = &[
    // Clean domains (also checked for having nothing at warning or above).
    (
        "good.audit.test",
        &[],
        &["192.0.2.30"],
        &[
            "spf-ok",
            "spf-ip-authorized",
            "dkim-ok",
            "dmarc-ok",
            "mx-ok",
            "mta-sts-ok",
            "tlsrpt-ok",
            "bimi-ok",
            "ptr-ok",
        ],
    ),
    (
        "plain.audit.test",
        &[],
        &[],
        &[
            "spf-ok",
            "dkim-key-delegated",
            "dmarc-ok",
            "mx-ok",
            "mta-sts-missing",
            "tlsrpt-missing",
            "bimi-missing",
        ],
    ),
    // SPF
    (
        "good.audit.test",
        &[],
        &["203.0.113.9"],
        &["spf-ip-not-authorized", "ptr-dns-error"],
    ),
    ("nospf.audit.test", &[], &[], &["spf-missing"]),
    ("spf-multi.audit.test", &[], &[], &["spf-multiple-records"]),
    ("spf-syntax.audit.test", &[], &[], &["spf-syntax-error"]),
    ("spf-joined.audit.test", &[], &[], &["spf-strings-joined"]),
    ("spf-passall.audit.test", &[], &[], &["spf-pass-all"]),
    ("spf-neutral.audit.test", &[], &[], &["spf-neutral-all"]),
    ("spf-softfail.audit.test", &[], &[], &["spf-softfail-all"]),
    ("spf-noall.audit.test", &[], &[], &["spf-no-all"]),
    ("spf-ptr.audit.test", &[], &[], &["spf-ptr"]),
    (
        "spf-afterall.audit.test",
        &[],
        &[],
        &["spf-terms-after-all"],
    ),
    (
        "spf-redirall.audit.test",
        &[],
        &[],
        &["spf-redirect-ignored"],
    ),
    ("spf-hostbits.audit.test", &[], &[], &["spf-ip-host-bits"]),
    ("spf-wide.audit.test", &[], &[], &["spf-wide-range"]),
    ("spf-long.audit.test", &[], &[], &["spf-record-too-long"]),
    ("spf-many.audit.test", &[], &[], &["spf-too-many-lookups"]),
    ("spf-nine.audit.test", &[], &[], &["spf-lookups-near-limit"]),
    ("spf-voids.audit.test", &[], &[], &["spf-void-lookups"]),
    ("spf-void.audit.test", &[], &[], &["spf-void-lookup"]),
    ("spf-loop.audit.test", &[], &[], &["spf-include-loop"]),
    (
        "spf-incmissing.audit.test",
        &[],
        &[],
        &["spf-include-missing"],
    ),
    ("spf-incbad.audit.test", &[], &[], &["spf-include-invalid"]),
    (
        "spf-incpass.audit.test",
        &[],
        &[],
        &["spf-include-pass-all"],
    ),
    ("spf-dnserr.audit.test", &[], &[], &["spf-dns-error"]),
    // DKIM
    (
        "dkim-short.audit.test",
        &["sel"],
        &[],
        &["dkim-key-too-short"],
    ),
    ("dkim-weak.audit.test", &["sel"], &[], &["dkim-key-weak"]),
    (
        "dkim-testing.audit.test",
        &["sel"],
        &[],
        &["dkim-testing-mode"],
    ),
    (
        "dkim-revoked.audit.test",
        &["sel"],
        &[],
        &["dkim-key-revoked"],
    ),
    (
        "dkim-syntax.audit.test",
        &["sel"],
        &[],
        &["dkim-syntax-error"],
    ),
    (
        "dkim-keytype.audit.test",
        &["sel"],
        &[],
        &["dkim-unknown-key-type"],
    ),
    ("dkim-sha1.audit.test", &["sel"], &[], &["dkim-sha1-only"]),
    (
        "dkim-service.audit.test",
        &["sel"],
        &[],
        &["dkim-service-not-email"],
    ),
    (
        "dkim-multi.audit.test",
        &["sel"],
        &[],
        &["dkim-multiple-records"],
    ),
    (
        "dkim-badkey.audit.test",
        &["sel"],
        &[],
        &["dkim-key-invalid"],
    ),
    (
        "dkim-missing.audit.test",
        &["sel"],
        &[],
        &["dkim-selector-missing"],
    ),
    ("dkim-nokeys.audit.test", &[], &[], &["dkim-no-keys"]),
    // DMARC
    ("reports.test", &[], &[], &["dmarc-missing", "mx-null"]),
    (
        "dmarc-multi.audit.test",
        &[],
        &[],
        &["dmarc-multiple-records"],
    ),
    ("dmarc-syntax.audit.test", &[], &[], &["dmarc-syntax-error"]),
    ("dmarc-nop.audit.test", &[], &[], &["dmarc-missing-policy"]),
    ("dmarc-none.audit.test", &[], &[], &["dmarc-policy-none"]),
    ("dmarc-pct.audit.test", &[], &[], &["dmarc-partial-pct"]),
    (
        "dmarc-spweak.audit.test",
        &[],
        &[],
        &["dmarc-subdomain-weaker"],
    ),
    (
        "dmarc-strict.audit.test",
        &[],
        &[],
        &["dmarc-strict-alignment"],
    ),
    ("dmarc-testing.audit.test", &[], &[], &["dmarc-testing"]),
    ("dmarc-unknown.audit.test", &[], &[], &["dmarc-unknown-tag"]),
    (
        "dmarc-obsolete.audit.test",
        &[],
        &[],
        &["dmarc-obsolete-tag"],
    ),
    ("dmarc-norua.audit.test", &[], &[], &["dmarc-no-rua"]),
    (
        "dmarc-ext.audit.test",
        &[],
        &[],
        &["dmarc-rua-unauthorized", "dmarc-ruf-unauthorized"],
    ),
    (
        "dmarc-extdns.audit.test",
        &[],
        &[],
        &["dmarc-report-auth-dns-error"],
    ),
    (
        "child.dmarc-parent.audit.test",
        &[],
        &[],
        &["dmarc-inherited"],
    ),
    // MX
    ("doesnotexist.audit.test", &[], &[], &["mx-nxdomain"]),
    ("mx-missing.audit.test", &[], &[], &["mx-missing"]),
    ("mx-implicit.audit.test", &[], &[], &["mx-implicit"]),
    ("mx-null.audit.test", &[], &[], &["mx-null"]),
    ("mx-nullmixed.audit.test", &[], &[], &["mx-null-mixed"]),
    ("mx-nullsender.audit.test", &[], &[], &["mx-null-sender"]),
    ("mx-literal.audit.test", &[], &[], &["mx-ip-literal"]),
    ("mx-cname.audit.test", &[], &[], &["mx-cname"]),
    (
        "mx-unresolvable.audit.test",
        &[],
        &[],
        &["mx-host-unresolvable"],
    ),
    // MTA-STS
    (
        "sts-multi.audit.test",
        &[],
        &[],
        &["mta-sts-multiple-records"],
    ),
    ("sts-syntax.audit.test", &[], &[], &["mta-sts-syntax-error"]),
    (
        "sts-nohost.audit.test",
        &[],
        &[],
        &["mta-sts-policy-unavailable"],
    ),
    (
        "sts-invalid.audit.test",
        &[],
        &[],
        &["mta-sts-policy-invalid"],
    ),
    ("sts-testing.audit.test", &[], &[], &["mta-sts-testing"]),
    ("sts-none.audit.test", &[], &[], &["mta-sts-mode-none"]),
    (
        "sts-mismatch.audit.test",
        &[],
        &[],
        &["mta-sts-mx-mismatch"],
    ),
    ("sts-short.audit.test", &[], &[], &["mta-sts-max-age-short"]),
    // TLS-RPT
    (
        "tls-multi.audit.test",
        &[],
        &[],
        &["tlsrpt-multiple-records"],
    ),
    ("tls-syntax.audit.test", &[], &[], &["tlsrpt-syntax-error"]),
    ("tls-badrua.audit.test", &[], &[], &["tlsrpt-bad-rua"]),
    // BIMI
    (
        "bimi-multi.audit.test",
        &[],
        &[],
        &["bimi-multiple-records"],
    ),
    ("bimi-syntax.audit.test", &[], &[], &["bimi-syntax-error"]),
    ("bimi-declined.audit.test", &[], &[], &["bimi-declined"]),
    (
        "bimi-http.audit.test",
        &[],
        &[],
        &["bimi-logo-not-https", "bimi-certificate-not-https"],
    ),
    ("bimi-novmc.audit.test", &[], &[], &["bimi-no-certificate"]),
    (
        "bimi-weak.audit.test",
        &[],
        &[],
        &["bimi-dmarc-not-enforced"],
    ),
    // PTR
    (
        "good.audit.test",
        &[],
        &["192.0.2.31", "192.0.2.32", "192.0.2.33"],
        &["ptr-mismatch", "ptr-generic", "ptr-missing"],
    ),
    // Every area's DNS failure: a domain no fixture zone serves (REFUSED).
    (
        "dnserr.unserved.example",
        &[],
        &[],
        &[
            "spf-dns-error",
            "dkim-dns-error",
            "dmarc-dns-error",
            "mx-dns-error",
            "mta-sts-dns-error",
            "tlsrpt-dns-error",
            "bimi-dns-error",
        ],
    ),
];

#[test]
fn every_case_finds_what_it_should() {
    let w = World::start();
    let mut failures = Vec::new();
    for (domain, selectors, ips, expected) in CASES {
        let r = w.audit(domain, selectors, ips);
        let got = ids(&r);
        for id in *expected {
            if !got.contains(*id) {
                failures.push(format!("{domain}: expected {id}, got {got:?}"));
            }
        }
        for f in &r.findings {
            assert!(!f.title.is_empty(), "{domain} {}: empty title", f.id);
            assert!(!f.evidence.is_empty(), "{domain} {}: no evidence", f.id);
            assert!(!f.references.is_empty(), "{domain} {}: no reference", f.id);
            if f.severity >= Severity::Warning {
                assert!(!f.fix.is_empty(), "{domain} {}: no fix", f.id);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn clean_domains_raise_nothing() {
    let w = World::start();
    for (domain, ips) in [
        ("good.audit.test", &["192.0.2.30"][..]),
        ("plain.audit.test", &[][..]),
    ] {
        let r = w.audit(domain, &[], ips);
        let loud: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| format!("{}: {}", f.id, f.title))
            .collect();
        assert!(loud.is_empty(), "{domain}: {loud:#?}");
    }
}

#[test]
fn good_domain_sections_hold_the_facts() {
    let w = World::start();
    let r = w.audit("good.audit.test", &[], &["192.0.2.30"]);
    assert_eq!(r.verdict, Severity::Pass, "{:#?}", r.findings);
    assert_eq!(r.spf.records.len(), 1);
    assert_eq!(r.spf.lookups, 1);
    assert_eq!(r.spf.result_for_unlisted, SpfResult::Fail);
    assert_eq!(
        r.spf.result_for_ip.get("192.0.2.30"),
        Some(&SpfResult::Pass)
    );
    let tree = r.spf.tree.as_ref().expect("tree");
    assert_eq!(tree.terms[1].lookups, 1);
    assert!(tree.terms[1].child.is_some());
    let google = r.dkim.iter().find(|k| k.selector == "google").expect("key");
    assert_eq!(google.bits, Some(2048));
    assert!(google.discovered);
    assert_eq!(r.mx.len(), 2);
    assert_eq!(r.mx[0].exchange, "mx1.good.audit.test");
    assert!(r.dmarc.external.iter().all(|x| x.authorized == Some(true)));
    assert_eq!(r.tls_rpt.rua.len(), 2);
    assert_eq!(r.ptr[0].confirmed, vec!["mx1.good.audit.test"]);
    assert!(r.dns.queries > 40, "{:?}", r.dns);
}

#[test]
fn too_many_lookups_shows_where_the_budget_goes_and_a_flattened_record() {
    let w = World::start();
    let r = w.audit("spf-many.audit.test", &[], &[]);
    assert_eq!(r.spf.result_for_unlisted, SpfResult::Permerror);
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "spf-too-many-lookups")
        .expect("finding");
    assert!(
        f.evidence
            .iter()
            .any(|e| e == "include:_i1.spf-many.audit.test costs 1 lookup"),
        "{:?}",
        f.evidence
    );
    let flat = r.spf.flattened.as_ref().expect("flattened");
    assert_eq!(flat.len(), 1, "{flat:?}");
    // Every include, also the one past the limit, is resolved into its range.
    for i in 1..=11 {
        assert!(
            flat[0].contains(&format!("ip4:198.51.100.{i} ")) && !flat[0].contains("include:"),
            "{i}: {flat:?}"
        );
    }
    assert!(flat[0].ends_with("-all\""), "{flat:?}");
    assert!(f.fix.contains("flattened"), "{}", f.fix);
}

#[test]
fn policy_fetch_off_reports_the_txt_only() {
    let w = World::start();
    let opts = AuditOptions {
        discover_selectors: false,
        mta_sts: FetchOptions {
            enabled: false,
            ..FetchOptions::default()
        },
        ..AuditOptions::default()
    };
    let r = w.rt.block_on(async {
        let resolver = inboxlens_tests::resolver(&w.dns.nameserver(), 1.0);
        let job = DnsJob::new(resolver, Duration::from_secs(20));
        audit_domain(&job, "sts-invalid.audit.test", &opts).await
    });
    assert_eq!(r.mta_sts.id.as_deref(), Some("1"));
    assert!(
        !ids(&r).iter().any(|i| i.starts_with("mta-sts-")),
        "{:?}",
        ids(&r)
    );
    let json = serde_json::to_value(&r.mta_sts).expect("json");
    assert_eq!(json["policy"]["status"], "not-fetched");
}

#[test]
fn an_untrusted_certificate_makes_the_policy_unavailable() {
    let w = World::start();
    let opts = AuditOptions {
        mta_sts: FetchOptions {
            enabled: true,
            port: w.https.port(),
            extra_roots_pem: Vec::new(),
            timeout: Duration::from_secs(5),
        },
        ..AuditOptions::default()
    };
    let r = w.rt.block_on(async {
        let resolver = inboxlens_tests::resolver(&w.dns.nameserver(), 1.0);
        audit_domain(
            &DnsJob::new(resolver, Duration::from_secs(20)),
            "good.audit.test",
            &opts,
        )
        .await
    });
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "mta-sts-policy-unavailable")
        .expect("unavailable");
    assert!(f.detail.contains("TLS"), "{}", f.detail);
}

/// Every finding id in the audit's source is expected by some case above (or by the
/// clean-domain checks), so no finding ships untested.
#[test]
fn every_finding_id_is_covered() {
    let root = workspace_root();
    let mut sources = Vec::new();
    for dir in [
        "crates/core/src/audit",
        "crates/core/src/auth/spf",
        "crates/core/src/auth/dmarc",
    ] {
        for e in std::fs::read_dir(root.join(dir)).expect("dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "rs") {
                sources.push(std::fs::read_to_string(&p).expect("read"));
            }
        }
    }
    let prefixes = [
        "spf-", "dkim-", "dmarc-", "mx-", "mta-sts-", "tlsrpt-", "bimi-", "ptr-",
    ];
    let mut ids = BTreeSet::new();
    for s in &sources {
        for piece in s.split('"').skip(1).step_by(2) {
            if prefixes.iter().any(|p| piece.starts_with(p))
                && piece.len() < 40
                && piece
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !piece.ends_with('-')
            {
                ids.insert(piece.to_string());
            }
        }
    }
    let expected: BTreeSet<&str> = CASES.iter().flat_map(|c| c.3.iter().copied()).collect();
    let missing: Vec<&String> = ids
        .iter()
        .filter(|i| !expected.contains(i.as_str()))
        .collect();
    assert!(ids.len() > 80, "found only {} ids: {ids:?}", ids.len());
    assert!(
        missing.is_empty(),
        "finding ids without a fixture case: {missing:?}"
    );
}

/// DNS history (issue #9): every audit keeps the answers it saw with their TTLs; two audits of a
/// domain whose zone changed in between are compared record by record.
#[test]
fn audit_diff_shows_what_changed_between_two_audits() {
    let run = inboxlens_tests::run_inboxlens;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.db");
    // The same zones, then a copy where the SPF record changed and a TTL went down.
    let zones = inboxlens_tests::fixture("zones");
    let changed = dir.path().join("zones");
    std::fs::create_dir(&changed).expect("mkdir");
    for e in std::fs::read_dir(&zones).expect("zones").flatten() {
        let mut text = std::fs::read_to_string(e.path()).expect("zone");
        if e.file_name() == "audit.test.zone" {
            text = text
                .replace(
                    "good              IN TXT \"v=spf1 ip4:192.0.2.0/25 include:_spf.good.audit.test -all\"",
                    "good              IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.good.audit.test -all\"",
                )
                .replace(
                    "good              IN MX 20 mx2.good.audit.test.",
                    "good         60   IN MX 20 mx2.good.audit.test.",
                );
        }
        std::fs::write(changed.join(e.file_name()), text).expect("write");
    }
    for fx in [DnsFixture::start(), DnsFixture::start_with(&changed)] {
        let ns = fx.nameserver();
        let o = run(
            &db,
            &[
                "--nameserver",
                &ns,
                "--timeout",
                "1",
                "--format",
                "json",
                "audit",
                "good.audit.test",
                "--no-mta-sts-fetch",
                "--no-discover",
            ],
        );
        assert!(
            o.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = run(&db, &["--format", "json", "audit-diff", "good.audit.test"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let d = &v["diff"];
    assert_eq!(d["records_compared"], true);
    assert_eq!(
        d["added"],
        serde_json::json!([
            "good.audit.test. IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.good.audit.test -all\""
        ])
    );
    assert_eq!(
        d["removed"],
        serde_json::json!([
            "good.audit.test. IN TXT \"v=spf1 ip4:192.0.2.0/25 include:_spf.good.audit.test -all\""
        ])
    );
    let ttl = d["ttl_changed"].as_array().expect("ttl");
    assert!(
        ttl.iter()
            .any(|t| t[0] == "good.audit.test. IN MX 20 mx2.good.audit.test." && t[2] == 60),
        "{ttl:?}"
    );
    // With one audit only, the command says two are needed.
    let o = run(&db, &["audit-diff", "plain.audit.test"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("two are needed"));
}

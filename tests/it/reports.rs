//! DMARC aggregate/failure and SMTP TLS reports (issue #7): every container, sources named
//! through a real DNS server on loopback, idempotent import, the aggregations, bad input.

use std::io::Write;
use std::process::Output;

use inboxlens_core::account::AccountInput;
use inboxlens_core::feeds::batch::decode_one;
use inboxlens_core::feeds::report::{ReportError, ReportLimits, parse_report};
use inboxlens_core::feeds::{Decoded, Keep, Report};
use inboxlens_store::{ReportFilter, Store};
use inboxlens_tests::{DnsFixture, fixture, run_inboxlens as cli};
use serde_json::Value;

fn lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn read(name: &str) -> Report {
    let path = fixture("reports").join(name);
    let data = std::fs::read(&path).expect("fixture");
    match decode_one(name.into(), data, Keep::Records) {
        Decoded::Message {
            report: Some(r), ..
        } => *r,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_container_is_read() {
    let Report::Aggregate(a) = read("google-20261120.xml") else {
        panic!("not aggregate")
    };
    assert_eq!((a.org_name.as_str(), a.records.len()), ("google.com", 4));
    assert_eq!(a.records.iter().map(|r| r.count).sum::<u64>(), 170);
    assert_eq!(a.records[3].reasons[0].kind, "mailing_list");
    let Report::Aggregate(y) = read("yahoo-20261121.xml.gz") else {
        panic!("gzip")
    };
    assert_eq!(y.report_id, "y-20261121");
    let Report::Aggregate(h) = read("hostile-report-mail.eml") else {
        panic!("zip in mail")
    };
    assert_eq!(h.org_name, "<img src=x onerror=\"document.title='pwned'\">");
    let Report::Failure(f) = read("ruf-auth-failure.eml") else {
        panic!("ruf")
    };
    assert_eq!(f.source_ip.as_deref(), Some("192.0.2.51"));
    assert_eq!(f.header_from.as_deref(), Some("ceo@sender.example"));
    assert_eq!(f.delivery_result.as_deref(), Some("reject"));
    assert!(f.headers_only);
    let Report::Tls(t) = read("tlsrpt-20261121.json.gz") else {
        panic!("tls")
    };
    assert_eq!((t.policies[0].successful, t.policies[0].failed), (100, 7));
    assert_eq!(
        t.policies[0].failures[0].receiving_mx_hostname.as_deref(),
        Some("mx1.sender.example")
    );
}

#[test]
fn bombs_deep_xml_and_broken_archives_get_clear_errors() {
    // A gzip that inflates past the cap.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&vec![b' '; 4 * 1024 * 1024]).expect("gzip");
    let bomb = gz.finish().expect("gzip");
    let small = ReportLimits {
        max_inflated: 1024 * 1024,
    };
    assert_eq!(
        parse_report(&bomb, small),
        Err(ReportError::TooLarge(1024 * 1024))
    );
    // The same inside a zip, whatever size the entry claims.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "report.xml",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .expect("zip");
    zip.write_all(&vec![b' '; 4 * 1024 * 1024]).expect("zip");
    let zipped = zip.finish().expect("zip").into_inner();
    assert_eq!(
        parse_report(&zipped, small),
        Err(ReportError::TooLarge(1024 * 1024))
    );
    // XML nested beyond the cap: an error, not a stack overflow.
    let deep = format!("<feedback>{}", "<x>".repeat(100_000));
    let e = parse_report(deep.as_bytes(), ReportLimits::default()).expect_err("too deep");
    assert!(e.to_string().contains("nested deeper"), "{e}");
    // An external entity is never fetched nor expanded.
    let xxe = b"<?xml version=\"1.0\"?><!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feedback><report_metadata><org_name>&x;</org_name><report_id>1</report_id></report_metadata><policy_published><domain>a.example</domain></policy_published></feedback>";
    let Ok(Some(Report::Aggregate(a))) = parse_report(xxe, ReportLimits::default()) else {
        panic!("read")
    };
    assert_eq!(a.org_name, "&x;");
    // A zip that is not one, and a report missing its policy.
    let e = parse_report(b"PK\x03\x04garbage", ReportLimits::default()).expect_err("zip");
    assert!(e.to_string().starts_with("unreadable zip archive"), "{e}");
    let broken = std::fs::read(fixture("reports").join("broken-aggregate.xml")).expect("fixture");
    let e = parse_report(&broken, ReportLimits::default()).expect_err("broken");
    assert_eq!(
        e.to_string(),
        "DMARC aggregate report without <policy_published>"
    );
    // Truncated at every 13th byte: never a panic.
    for name in [
        "google-20261120.xml",
        "hostile-report-mail.eml",
        "ruf-auth-failure.eml",
    ] {
        let data = std::fs::read(fixture("reports").join(name)).expect("fixture");
        for cut in (0..data.len()).step_by(13) {
            let _ = decode_one(name.into(), data[..cut].to_vec(), Keep::Records);
        }
    }
}

#[test]
fn reports_cli_names_sources_through_dns_and_names_the_bad_file() {
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let folder = fixture("reports");
    let folder = folder.to_str().expect("utf-8 path");
    let o = cli(
        &db,
        &[
            "--nameserver",
            &fx.nameserver(),
            "--format",
            "jsonl",
            "reports",
            folder,
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("broken-aggregate.xml: DMARC aggregate report without <policy_published>"),
        "{stderr}"
    );
    let out = lines(&o);
    assert_eq!(out.len(), 5, "{out:?}");
    let google = out
        .iter()
        .find(|v| v["org_name"] == "google.com")
        .expect("google report");
    let source = |ip: &str| {
        google["records"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["source_ip"] == ip))
            .map(|r| r["source"].clone())
            .expect("record")
    };
    let ses = source("192.0.2.50");
    assert_eq!(ses["org"], "Amazon SES");
    assert_eq!(ses["via"], "ptr");
    assert_eq!(ses["reverse_dns_confirmed"], true);
    // A PTR claiming Google that its forward zone does not confirm names nobody.
    let spoof = source("192.0.2.51");
    assert_eq!(spoof["org"], "unknown");
    assert_eq!(spoof["reverse_dns"], "mail-spoof.google.com");
    assert_eq!(spoof["reverse_dns_confirmed"], false);
    // Signed by the ESP's own domain: named from DKIM.
    let sg = source("198.51.100.9");
    assert_eq!(
        (sg["org"].as_str(), sg["via"].as_str()),
        (Some("SendGrid (Twilio)"), Some("dkim"))
    );
    // --offline asks no DNS at all (no nameserver is reachable here).
    let o = cli(
        &db,
        &[
            "--nameserver",
            "127.0.0.1:9",
            "--format",
            "jsonl",
            "reports",
            "--offline",
            folder,
        ],
    );
    let out = lines(&o);
    let g = out
        .iter()
        .find(|v| v["org_name"] == "google.com")
        .expect("google");
    assert_eq!(
        g["records"][0]["source"]["reverse_dns_status"],
        "not looked up"
    );
}

#[test]
fn import_is_idempotent_and_adds_up_sources_days_what_if_and_tls() {
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    {
        let mut s = Store::open(&db).expect("db");
        s.create_account(&AccountInput {
            name: "Sender".into(),
            domains: vec!["sender.example".into()],
            ..Default::default()
        })
        .expect("account");
    }
    let folder = fixture("reports");
    let folder = folder.to_str().expect("utf-8 path");
    let ns = fx.nameserver();
    let o = cli(
        &db,
        &[
            "--nameserver",
            &ns,
            "--format",
            "json",
            "import",
            "--account",
            "Sender",
            folder,
        ],
    );
    let summary: Value = serde_json::from_slice(&o.stdout).expect("summary");
    assert_eq!(summary["reports"], 5, "{summary}");
    assert_eq!(
        summary["records"], 0,
        "a failure report is not a complaint: {summary}"
    );
    assert_eq!(summary["failed"].as_array().map(Vec::len), Some(1));
    // Again: nothing new. The same report in another file: a duplicate report.
    let o = cli(
        &db,
        &[
            "--format",
            "json",
            "import",
            "--offline",
            "--account",
            "Sender",
            folder,
        ],
    );
    let again: Value = serde_json::from_slice(&o.stdout).expect("summary");
    assert_eq!(
        (again["new_messages"].as_u64(), again["reports"].as_u64()),
        (Some(0), Some(0))
    );
    let copy = dir.path().join("copy.xml");
    let mut xml = std::fs::read(fixture("reports").join("google-20261120.xml")).expect("read");
    xml.extend_from_slice(b"\n<!-- resent -->\n");
    std::fs::write(&copy, xml).expect("write");
    let o = cli(
        &db,
        &[
            "--format",
            "json",
            "import",
            "--offline",
            "--account",
            "Sender",
            copy.to_str().expect("path"),
        ],
    );
    let dup: Value = serde_json::from_slice(&o.stdout).expect("summary");
    assert_eq!(
        (
            dup["new_messages"].as_u64(),
            dup["duplicate_reports"].as_u64()
        ),
        (Some(1), Some(1))
    );

    let store = Store::open(&db).expect("db");
    let account = store.account_by_name("Sender").expect("account").id;
    let o = store
        .report_overview(account, &ReportFilter::default())
        .expect("overview");
    assert_eq!(
        (o.aggregate_reports, o.failure_reports, o.tls_reports),
        (3, 1, 1)
    );
    // 170 (Google) + 100 (Yahoo) + 10 (hostile reporter) messages; 120 + 80 + 10 pass.
    assert_eq!((o.messages, o.dmarc_pass), (280, 210));
    let ses = o
        .sources
        .iter()
        .find(|s| s.org == "Amazon SES")
        .expect("SES");
    assert_eq!(
        (ses.messages, ses.dmarc_pass, ses.via.as_str()),
        (210, 210, "ptr")
    );
    let unknown = o
        .sources
        .iter()
        .find(|s| s.org == "unknown")
        .expect("unknown");
    assert_eq!(
        (unknown.messages, unknown.dmarc_pass, unknown.ip_count),
        (55, 0, 2)
    );
    assert!(
        unknown
            .top_ips
            .iter()
            .any(|ip| ip == "192.0.2.51 (mail-spoof.google.com)"),
        "{:?}",
        unknown.top_ips
    );
    assert_eq!(o.days.len(), 3);
    assert_eq!((o.days[1].messages, o.days[1].dmarc_pass), (100, 80));
    let q = &o.what_if[0];
    assert_eq!(q.policy, "quarantine");
    assert_eq!(
        (
            q.affected,
            q.from_known_services,
            q.forwarded,
            q.from_unknown,
            q.newly_affected
        ),
        (70, 15, 5, 55, 70)
    );
    assert_eq!(q.services, vec![("SendGrid (Twilio)".to_string(), 15)]);
    assert!((q.share - 70.0 / 280.0).abs() < 1e-9);
    assert_eq!(o.tls_policies[0].successful, 100);
    assert_eq!(
        (
            o.tls_failures[0].mx.as_str(),
            o.tls_failures[0].result_type.as_str(),
            o.tls_failures[0].sessions
        ),
        ("mx1.sender.example", "certificate-expired", 7)
    );
    assert_eq!(o.failures[0].source_ip.as_deref(), Some("192.0.2.51"));
    assert_eq!(o.unresolved_ips, 0);
    assert_eq!(o.reports.len(), 5);
    let google = o
        .reports
        .iter()
        .find(|r| r.org == "google.com")
        .expect("listed");
    assert_eq!((google.volume, google.kind.as_str()), (170, "aggregate"));
    // Filters: one day, one domain.
    let day = inboxlens_store::day_start("2026-11-21").expect("day");
    let one = store
        .report_overview(
            account,
            &ReportFilter {
                since: Some(day),
                until: Some(day + 86_400),
                domain: Some("sender.example".into()),
            },
        )
        .expect("overview");
    assert_eq!(
        (one.messages, one.aggregate_reports, one.tls_reports),
        (100, 1, 1)
    );
    assert_eq!(store.integrity_check().expect("check"), "ok");
    // The CLI prints the same overview.
    drop(store);
    let o = cli(&db, &["--format", "json", "reports", "--account", "Sender"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("overview JSON");
    assert_eq!(v["messages"], 280);
}

//! The `inboxlens` binary end to end: arguments, JSON output, exit codes (DESIGN.md §3).

use std::process::Output;

use inboxlens_tests::{Blackhole, DnsFixture, run_inboxlens as run};
use serde_json::Value;

fn json(o: &Output) -> Value {
    assert!(
        o.status.code().is_some(),
        "killed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn accounts_add_list_show_rm_with_json_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let o = run(
        &db,
        &[
            "--format",
            "json",
            "accounts",
            "add",
            "Acme",
            "--domain",
            "acme.example,news.acme.example",
            "--ip",
            "192.0.2.1",
            "--selector",
            "s1",
            "--notes",
            "VIP",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let a = json(&o);
    assert_eq!(a["name"], "Acme");
    assert_eq!(
        a["domains"],
        serde_json::json!(["acme.example", "news.acme.example"])
    );

    let o = run(&db, &["accounts", "add", "acme"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));

    let o = run(&db, &["accounts", "add", "Beta", "--ip", "192.0.2.999"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("sending_ips") && err.contains("192.0.2.999"),
        "{err}"
    );

    let o = run(&db, &["--format", "json", "accounts", "list"]);
    assert_eq!(o.status.code(), Some(0));
    let list = json(&o);
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    let o = run(&db, &["--format", "jsonl", "accounts", "list"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1);

    let o = run(&db, &["--format", "json", "accounts", "show", "ACME"]);
    assert_eq!(json(&o)["notes"], "VIP");

    let o = run(
        &db,
        &[
            "--format",
            "json",
            "accounts",
            "edit",
            "Acme",
            "--ip",
            "198.51.100.7",
        ],
    );
    assert_eq!(json(&o)["sending_ips"], serde_json::json!(["198.51.100.7"]));

    let o = run(&db, &["accounts", "rm", "Acme"]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&db, &["accounts", "show", "Acme"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no account named 'Acme'"));
}

#[test]
fn settings_get_set_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let o = run(&db, &["settings", "set", "nameservers", "127.0.0.1:5353"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&db, &["settings", "set", "timeout", "2.5"]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&db, &["--format", "json", "settings", "get"]);
    let s = json(&o);
    assert_eq!(
        s["dns"]["nameservers"],
        serde_json::json!(["127.0.0.1:5353"])
    );
    assert_eq!(s["dns"]["timeout_secs"], 2.5);
    let o = run(&db, &["settings", "get", "timeout"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2.5");
    let o = run(&db, &["settings", "set", "timeout", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("timeout"));
    let o = run(&db, &["settings", "set", "nameservers", ""]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&db, &["settings", "get", "nameservers"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "");
}

#[test]
fn usage_and_bad_database_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bad.db");
    std::fs::write(&db, "not a database").expect("write");
    let o = run(&db, &["accounts", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.db"));
    let o = run(&dir.path().join("ok.db"), &["accounts", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        &dir.path().join("ok.db"),
        &["--nameserver", "dns.example", "lookup", "x.test"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--nameserver"));
}

#[test]
fn lookup_resolves_against_the_fixture_and_records_history() {
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    run(
        &db,
        &["accounts", "add", "Acme", "--domain", "example.test"],
    );
    let o = run(
        &db,
        &[
            "--nameserver",
            &fx.nameserver(),
            "--format",
            "json",
            "lookup",
            "example.test",
            "--type",
            "mx",
            "--account",
            "Acme",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["status"], "records");
    assert_eq!(v["records"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["resolver"], format!("{} (udp+tcp)", fx.nameserver()));

    let o = run(
        &db,
        &[
            "--nameserver",
            &fx.nameserver(),
            "--format",
            "json",
            "lookup",
            "192.0.2.25",
            "-t",
            "PTR",
        ],
    );
    let v = json(&o);
    assert_eq!(v["name"], "25.2.0.192.in-addr.arpa.");
    assert_eq!(v["records"][0]["data"]["target"], "mx1.example.test.");

    let o = run(
        &db,
        &[
            "--nameserver",
            &fx.nameserver(),
            "--format",
            "json",
            "lookup",
            "missing.example.test",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "NXDOMAIN is a result");
    assert_eq!(json(&o)["status"], "nxdomain");

    let o = run(&db, &["--format", "json", "history", "--account", "Acme"]);
    let h = json(&o);
    assert_eq!(h.as_array().map(Vec::len), Some(1));
    assert_eq!(h[0]["target"], "example.test MX");
    assert_eq!(h[0]["result"]["records"].as_array().map(Vec::len), Some(2));
    let o = run(&db, &["--format", "json", "history"]);
    assert_eq!(json(&o).as_array().map(Vec::len), Some(3));
}

#[test]
fn lookup_against_a_silent_server_ends_with_exit_1() {
    let hole = Blackhole::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let started = std::time::Instant::now();
    let o = run(
        &db,
        &[
            "--nameserver",
            &hole.nameserver(),
            "--timeout",
            "0.3",
            "--format",
            "json",
            "lookup",
            "example.test",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["error"]["code"], "timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn blocklist_checks_targets_accounts_and_files_with_exit_codes() {
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let lists = inboxlens_tests::fixture("blocklists/lists.toml");
    let lists = lists.to_str().expect("utf-8 path");
    let ns = fx.nameserver();

    // A listed IP on a weight-10 list: critical finding, exit 1.
    let o = run(
        &db,
        &[
            "--nameserver",
            &ns,
            "--format",
            "json",
            "blocklist",
            "192.0.2.10",
            "--lists",
            lists,
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["target"], "192.0.2.10");
    let zen = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["zone"] == "zen.dnsbl.test")
        .expect("zen")
        .clone();
    assert_eq!(zen["status"], "listed");
    assert_eq!(zen["codes"], serde_json::json!(["127.0.0.4", "127.0.0.10"]));
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == "dnsbl-listed" && f["severity"] == "critical")
    );

    // A clean IP: only warnings (refused and dead lists), exit 0.
    let o = run(
        &db,
        &[
            "--nameserver",
            &ns,
            "blocklist",
            "192.0.2.11",
            "--lists",
            lists,
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("clean") && text.contains("dead-list") && text.contains("refused"),
        "{text}"
    );

    // Targets from a file: comments skipped, a bad line named by file and line, the rest checked.
    let file = dir.path().join("targets.txt");
    std::fs::write(
        &file,
        "# sending IPs\n192.0.2.11\nnot a target\nspammy.test  # domain\n",
    )
    .expect("write");
    let o = run(
        &db,
        &[
            "--nameserver",
            &ns,
            "--format",
            "jsonl",
            "blocklist",
            "--from",
            file.to_str().expect("path"),
            "--lists",
            lists,
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("targets.txt:3") && err.contains("not a target"),
        "{err}"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["target"], "spammy.test");
    assert_eq!(
        o.status.code(),
        Some(1),
        "spammy.test is on a weight-10 domain list"
    );

    // An account's IPs and domains, recorded in its history.
    run(
        &db,
        &[
            "accounts",
            "add",
            "Acme",
            "--ip",
            "192.0.2.11",
            "--domain",
            "clean.test",
        ],
    );
    let o = run(
        &db,
        &[
            "--nameserver",
            &ns,
            "--format",
            "json",
            "blocklist",
            "--account",
            "Acme",
            "--lists",
            lists,
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(json(&o).as_array().map(Vec::len), Some(2));
    let o = run(&db, &["--format", "json", "history", "--account", "Acme"]);
    let h = json(&o);
    assert_eq!(h.as_array().map(Vec::len), Some(2));
    assert!(
        h.as_array()
            .expect("history")
            .iter()
            .all(|e| e["kind"] == "blocklist")
    );

    // Bad catalogue file: exit 2 naming the file.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[list]]\nname = \"X\"\nzone = \"x.test\"\nkind = \"ipv9\"\n",
    )
    .expect("write");
    let o = run(
        &db,
        &[
            "--nameserver",
            &ns,
            "blocklist",
            "192.0.2.11",
            "--lists",
            bad.to_str().expect("path"),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.toml"));
    let o = run(&db, &["blocklist"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn audit_single_many_from_file_and_account_with_history() {
    let fx = DnsFixture::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let ns = fx.nameserver();
    let base = ["--nameserver", ns.as_str(), "--timeout", "1"];

    // One clean domain: JSON object per DESIGN §3, exit 0. The MTA-STS policy cannot be
    // fetched here (no HTTPS server), so fetching is turned off for this run.
    let mut args = base.to_vec();
    args.extend([
        "--format",
        "json",
        "audit",
        "plain.audit.test",
        "--ip",
        "192.0.2.40",
        "--no-mta-sts-fetch",
    ]);
    let o = run(&db, &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let v = json(&o);
    assert_eq!(v["domain"], "plain.audit.test");
    for key in [
        "spf", "dkim", "dmarc", "mx", "mta_sts", "tls_rpt", "bimi", "findings",
    ] {
        assert!(!v[key].is_null(), "missing {key}");
    }
    assert_eq!(v["spf"]["result_for_ip"]["192.0.2.40"], "pass");
    assert_eq!(v["spf"]["lookups"], 1);
    assert!(v["spf"]["tree"]["terms"].is_array());
    assert_eq!(v["mx"][0]["exchange"], "mail.plain.audit.test");

    // Many domains from a file (with a bad line) as jsonl: one line each, in order; a
    // critical finding makes the exit status 1.
    let list = dir.path().join("domains.txt");
    std::fs::write(
        &list,
        "# customers\nspf-many.audit.test\nnot a domain\nplain.audit.test  # ok\n",
    )
    .expect("write");
    let mut args = base.to_vec();
    args.extend([
        "--format",
        "jsonl",
        "audit",
        "--from",
        list.to_str().expect("utf-8"),
        "--no-mta-sts-fetch",
        "--concurrency",
        "2",
    ]);
    let o = run(&db, &args);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("domains.txt:3"), "{stderr}");
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["domain"], "spf-many.audit.test");
    assert!(
        lines[0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == "spf-too-many-lookups" && f["severity"] == "critical")
    );

    // An account's domains, selectors and IPs; results land in its history.
    let o = run(
        &db,
        &[
            "accounts",
            "add",
            "Dkim",
            "--domain",
            "dkim-weak.audit.test",
            "--selector",
            "sel",
            "--ip",
            "192.0.2.33",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let mut args = base.to_vec();
    args.extend(["audit", "--account", "Dkim", "--no-mta-sts-fetch"]);
    let o = run(&db, &args);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("dkim-key-weak"), "{text}");
    assert!(text.contains("ptr-missing"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    let o = run(&db, &["--format", "json", "history", "--account", "Dkim"]);
    let h = json(&o);
    let h = h.as_array().expect("history");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["kind"], "audit");
    assert_eq!(h[0]["target"], "dkim-weak.audit.test");

    // Usage errors exit 2 and say what is wrong.
    let o = run(&db, &["audit"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&db, &["audit", "bad_domain!"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad_domain!"));
    let o = run(&db, &["audit", "x.example", "--ip", "300.1.1.1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn audit_of_a_hanging_server_ends_with_dns_errors_not_a_hang() {
    let hole = Blackhole::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let started = std::time::Instant::now();
    let o = run(
        &db,
        &[
            "--nameserver",
            &hole.nameserver(),
            "--timeout",
            "0.3",
            "--format",
            "json",
            "audit",
            "slow.example",
            "--deadline",
            "2",
        ],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    for id in ["spf-dns-error", "dmarc-dns-error", "mx-dns-error"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    assert_eq!(v["spf"]["result_for_unlisted"], "temperror");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_in_every_format() {
    // `inboxlens … | head`: the reader is gone before the output is written. Each command
    // and format stops without an error message or a panic and exits 0, and the command
    // returns (a stopped batch once left its reader blocked for ever).
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let folder = dir.path().join("mail");
    std::fs::create_dir(&folder).expect("mkdir");
    let raw =
        std::fs::read(inboxlens_tests::fixture("feeds/postfix-userunknown.eml")).expect("fixture");
    for i in 0..400 {
        let mut mail = format!("X-Seq: {i}\n").into_bytes();
        mail.extend_from_slice(&raw);
        std::fs::write(folder.join(format!("{i:03}.eml")), mail).expect("write");
    }
    let folder = folder.to_str().expect("utf-8 path");
    let o = run(
        &db,
        &["accounts", "add", "Sender", "--domain", "sender.example"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&db, &["import", "--account", "Sender", folder]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let commands: [&[&str]; 4] = [
        &["bounces", folder],
        &["feeds", "--account", "Sender"],
        &["accounts", "list"],
        &["rules", "list"],
    ];
    for command in commands {
        for format in ["json", "jsonl", "text"] {
            let mut child = std::process::Command::new(inboxlens_tests::target_bin("inboxlens"))
                .arg("--db")
                .arg(&db)
                .args(["--format", format])
                .args(command)
                .env_remove("INBOXLENS_DB")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn");
            drop(child.stdout.take());
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while child.try_wait().expect("try_wait").is_none() {
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("{command:?} {format}: still running 60 s after its reader went away");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let o = child.wait_with_output().expect("output");
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(0), "{command:?} {format}: {stderr}");
            assert!(o.stderr.is_empty(), "{command:?} {format}: {stderr}");
        }
    }
}

#[test]
fn bounces_import_and_feeds_speak_json_and_name_bad_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let folder = inboxlens_tests::fixture("feeds");
    let folder = folder.to_str().expect("utf-8 path");
    // bounces: one JSON line per record; the empty file named on stderr; exit 2 after the batch.
    let o = run(&db, &["--format", "jsonl", "bounces", folder]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("empty.eml: empty file"), "{stderr}");
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 5);
    let gone = lines
        .iter()
        .find(|l| l["recipient"] == "gone@receiver.example")
        .expect("postfix record");
    for field in [
        "file",
        "recipient",
        "addresser",
        "reason",
        "status",
        "replycode",
        "hardbounce",
        "action",
        "diagnosticcode",
        "diagnostictype",
        "feedbacktype",
        "command",
        "rhost",
        "lhost",
        "timestamp",
        "messageid",
        "listid",
        "decodedby",
    ] {
        assert!(gone.get(field).is_some(), "missing {field}");
    }
    assert_eq!(gone["reason"], "userunknown");
    assert_eq!(gone["hardbounce"], true);
    // A path that does not exist is a usage error before anything runs.
    let o = run(&db, &["bounces", "/nonexistent/inboxlens"]);
    assert_eq!(o.status.code(), Some(2));
    // import: a summary object; the account must exist.
    let o = run(&db, &["import", "--account", "Nobody", folder]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Nobody"));
    let o = run(
        &db,
        &["accounts", "add", "Sender", "--domain", "sender.example"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let summary = json(&run(
        &db,
        &["--format", "json", "import", "--account", "Sender", folder],
    ));
    assert_eq!(summary["new_messages"], 6);
    assert_eq!(summary["records"], 5);
    assert_eq!(summary["failed"][0]["reason"], "empty file");
    let again = json(&run(
        &db,
        &["--format", "json", "import", "--account", "Sender", folder],
    ));
    assert_eq!(
        (again["new_messages"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(6))
    );
    let s = json(&run(
        &db,
        &[
            "--format",
            "json",
            "feeds",
            "--account",
            "Sender",
            "--summary",
        ],
    ));
    assert_eq!(
        (
            s["bounces"].as_u64(),
            s["hard"].as_u64(),
            s["complaints"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    let rows = json(&run(
        &db,
        &[
            "--format",
            "json",
            "feeds",
            "--account",
            "Sender",
            "--reason",
            "mailboxfull",
        ],
    ));
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    assert_eq!(rows[0]["record"]["recipient"], "full@receiver.example");
    let o = run(
        &db,
        &["feeds", "--account", "Sender", "--reason", "nonsense"],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        &db,
        &["feeds", "--account", "Sender", "--since", "2026-13-01"],
    );
    assert_eq!(o.status.code(), Some(2));
}

//! An account with a story, for the workspace tests: a sending log, bounces, complaints and
//! reports imported, and two rounds of real checks against two loopback DNS servers — the
//! fixture zones with 192.0.2.10 not yet on Test ZEN, then the zones with the SPF record of
//! `good.audit.test` edited and the IP listed.

use std::path::{Path, PathBuf};

use inboxlens_core::account::AccountInput;
use inboxlens_store::Store;

use crate::{DnsFixture, fixture, run_inboxlens};

/// The fixture zones with `edit(file name, text)` applied, in `dir/name`.
pub fn zones_with(dir: &Path, name: &str, edit: impl Fn(&str, String) -> String) -> PathBuf {
    let out = dir.join(name);
    std::fs::create_dir_all(&out).expect("mkdir");
    for e in std::fs::read_dir(fixture("zones"))
        .expect("zones")
        .flatten()
    {
        let file = e.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(e.path()).expect("zone");
        std::fs::write(out.join(&file), edit(&file, text)).expect("write");
    }
    out
}

/// The zones before (192.0.2.10 not on Test ZEN) and after (SPF of good.audit.test edited,
/// 192.0.2.10 listed), under `dir`.
pub fn story_zones(dir: &Path) -> (PathBuf, PathBuf) {
    let before = zones_with(dir, "zones-before", |file, text| {
        if file == "zen.dnsbl.test.zone" {
            text.lines()
                .filter(|l| !l.starts_with("10.2.0.192"))
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        } else {
            text
        }
    });
    let after = zones_with(dir, "zones-after", |file, text| {
        if file == "audit.test.zone" {
            text.replace(
                "good              IN TXT \"v=spf1 ip4:192.0.2.0/25 include:_spf.good.audit.test -all\"",
                "good              IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.good.audit.test -all\"",
            )
        } else {
            text
        }
    });
    (before, after)
}

/// Creates account `Sender` (domain good.audit.test, IPs `ips`) in `db` with the log, feeds
/// and reports imported and two rounds of audits and blocklist checks through the CLI (the
/// catalogue `fixtures/blocklists/lists.toml` is saved in the database); returns its id.
pub fn story_account(dir: &Path, db: &Path, ips: &[&str]) -> i64 {
    let id = {
        let mut s = Store::open(db).expect("db");
        let id = s
            .create_account(&AccountInput {
                name: "Sender".into(),
                domains: vec!["good.audit.test".into()],
                sending_ips: ips.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            })
            .expect("account")
            .id;
        s.import_sending_log(id, &fixture("logs/sending-log.csv"), &mut |_| {})
            .expect("log");
        s.import_feeds(id, &[fixture("feeds"), fixture("reports")], 2, &mut |_| {
            true
        })
        .expect("feeds");
        let lists = std::fs::read_to_string(fixture("blocklists/lists.toml")).expect("lists");
        let catalogue = inboxlens_core::blocklist::Catalogue::from_toml(&lists, "lists.toml")
            .expect("catalogue");
        s.replace_blocklists(&catalogue).expect("save lists");
        id
    };
    let (before, after) = story_zones(dir);
    for zones in [&before, &after] {
        let fx = DnsFixture::start_with(zones);
        let ns = fx.nameserver();
        for args in [
            &[
                "audit",
                "good.audit.test",
                "--no-mta-sts-fetch",
                "--no-discover",
                "--account",
                "Sender",
            ][..],
            &["blocklist", "--account", "Sender"][..],
        ] {
            let mut all = vec!["--nameserver", &ns, "--timeout", "1", "--format", "json"];
            all.extend_from_slice(args);
            let o = run_inboxlens(db, &all);
            assert!(
                o.status.code().is_some_and(|c| c <= 1),
                "{all:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    id
}

//! The SQLite store against real files in temporary folders.

use inboxlens_core::account::AccountInput;
use inboxlens_store::{APPLICATION_ID, NewCheck, SCHEMA_VERSION, Store, StoreError};

fn acme() -> AccountInput {
    AccountInput {
        name: "Acme".into(),
        domains: vec!["acme.example".into(), "news.acme.example".into()],
        sending_ips: vec!["192.0.2.1".into(), "2001:db8::1".into()],
        dkim_selectors: vec!["s1".into()],
        notes: "Gold plan".into(),
    }
}

fn sha(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

#[test]
fn accounts_persist_across_reopen_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/folder/inboxlens.db");
    {
        let mut s = Store::open(&path).expect("open new");
        let a = s.create_account(&acme()).expect("create");
        assert_eq!(a.domains, vec!["acme.example", "news.acme.example"]);
        let mut b = acme();
        b.name = "beta".into();
        b.domains = vec!["beta.example".into()];
        s.create_account(&b).expect("create b");
    }
    let s = Store::open(&path).expect("reopen");
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
    let names: Vec<String> = s
        .list_accounts()
        .expect("list")
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, vec!["Acme", "beta"]);
    let a = s.account_by_name("ACME").expect("case-insensitive lookup");
    assert_eq!(a.sending_ips, vec!["192.0.2.1", "2001:db8::1"]);
    assert_eq!(a.notes, "Gold plan");
}

#[test]
fn pragmas_wal_foreign_keys_and_application_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    drop(Store::open(&path).expect("open"));
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .expect("app");
    assert_eq!(app, APPLICATION_ID);
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("v");
    assert_eq!(v, SCHEMA_VERSION);
}

#[test]
fn update_replaces_lists_and_delete_cascades_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = Store::open(&dir.path().join("db")).expect("open");
    let a = s.create_account(&acme()).expect("create");
    let mut edit = acme();
    edit.domains = vec!["other.example".into()];
    edit.sending_ips = vec![];
    let b = s.update_account(a.id, &edit).expect("update");
    assert_eq!(b.domains, vec!["other.example"]);
    assert!(b.sending_ips.is_empty());
    let result = serde_json::json!({"status": "records"}).to_string();
    s.record_check(&NewCheck {
        account_id: Some(a.id),
        kind: "lookup",
        target: "other.example TXT",
        resolver: "127.0.0.1:53 (udp+tcp)",
        result: &result,
    })
    .expect("record");
    s.record_check(&NewCheck {
        account_id: None,
        kind: "lookup",
        target: "unrelated.example TXT",
        resolver: "system (127.0.0.53)",
        result: &result,
    })
    .expect("record");
    let h = s.history(Some(a.id), 10).expect("history");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].result, serde_json::json!({"status": "records"}));
    assert_eq!(h[0].resolver, "127.0.0.1:53 (udp+tcp)");
    s.delete_account(a.id).expect("delete");
    assert!(matches!(s.account(a.id), Err(StoreError::NotFound { .. })));
    let all = s.history(None, 10).expect("history");
    assert_eq!(
        all.len(),
        1,
        "the account's history went with it, the other stayed"
    );
    assert!(matches!(
        s.delete_account(a.id),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn duplicate_and_invalid_accounts_are_rejected_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = Store::open(&dir.path().join("db")).expect("open");
    s.create_account(&acme()).expect("create");
    let mut dup = acme();
    dup.name = "ACME".into();
    let e = s.create_account(&dup).expect_err("duplicate");
    assert_eq!(e.code(), "duplicate");
    let mut bad = acme();
    bad.name = "Other".into();
    bad.sending_ips.push("300.0.0.1".into());
    let e = s.create_account(&bad).expect_err("invalid");
    assert_eq!(e.code(), "invalid-input");
    assert!(e.to_string().contains("300.0.0.1"), "{e}");
    assert_eq!(s.list_accounts().expect("list").len(), 1);
}

#[test]
fn settings_round_trip_and_validate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    {
        let mut s = Store::open(&path).expect("open");
        let d = s.settings().expect("defaults");
        assert!(d.dns.nameservers.is_empty());
        s.set_setting("nameservers", "127.0.0.1:5353, [::1]:53")
            .expect("set ns");
        s.set_setting("timeout", "1.5").expect("set timeout");
        s.set_setting("dqs_key", "abcdefghij0123456789abcdef")
            .expect("set key");
        assert!(s.set_setting("timeout", "900").is_err());
        assert!(s.set_setting("nameservers", "dns.example.com").is_err());
        assert!(s.set_setting("dqs_key", "has space").is_err());
        assert!(s.set_setting("colour", "blue").is_err());
    }
    let s = Store::open(&path).expect("reopen");
    let v = s.settings().expect("settings");
    assert_eq!(
        v.get_text("nameservers").expect("ns"),
        "127.0.0.1:5353,[::1]:53"
    );
    assert_eq!(v.dns.timeout_secs, 1.5);
    assert_eq!(v.dqs_key.as_deref(), Some("abcdefghij0123456789abcdef"));
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    drop(Store::open(&path).expect("create"));
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 7)
            .expect("bump");
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("no wal");
    }
    let before = sha(&path);
    let e = Store::open(&path).expect_err("newer");
    assert_eq!(e.code(), "db-newer-schema");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains(&format!("{}", SCHEMA_VERSION + 7)), "{msg}");
    assert_eq!(before, sha(&path), "file must not change");
}

#[test]
fn garbage_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.db");
    std::fs::write(&path, b"Dear diary, today I learned about DMARC.\n").expect("write");
    let before = sha(&path);
    let e = Store::open(&path).expect_err("corrupt");
    assert_eq!(e.code(), "db-corrupt");
    assert!(e.to_string().contains("notes.db"));
    assert_eq!(before, sha(&path));
    assert!(!dir.path().join("notes.db-wal").exists());
}

#[test]
fn damaged_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    {
        let mut s = Store::open(&path).expect("create");
        for i in 0..200 {
            let mut a = acme();
            a.name = format!("account {i}");
            a.notes = "x".repeat(500);
            s.create_account(&a).expect("fill");
        }
    }
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("checkpoint, no wal");
    }
    // Overwrite the middle of the file (b-tree pages) with garbage, keep the header.
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 16 * 4096, "database is big enough to damage");
    for b in &mut bytes[4096 * 3..4096 * 6] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("damage");
    let e = Store::open(&path).expect_err("damaged");
    assert_eq!(e.code(), "db-corrupt", "{e}");
    assert!(e.to_string().contains(&path.display().to_string()));
    assert_eq!(bytes, sha(&path));
}

#[test]
fn other_applications_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("firefox-places.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.execute_batch("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);")
            .expect("foreign schema");
    }
    let before = sha(&path);
    let e = Store::open(&path).expect_err("foreign");
    assert_eq!(e.code(), "db-foreign");
    assert_eq!(before, sha(&path));
}

#[test]
fn a_directory_is_reported_as_unreadable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = Store::open(dir.path()).expect_err("dir");
    assert_eq!(e.code(), "db-unreadable");
    assert!(e.to_string().contains("directory"));
}

#[test]
fn blocklist_catalogue_is_seeded_and_user_edits_survive_upgrades() {
    use inboxlens_core::blocklist::Catalogue;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let builtin = Catalogue::builtin();
    let mut s = Store::open(&path).expect("open");
    let stored = s.blocklists().expect("catalogue");
    assert_eq!(
        stored, builtin,
        "seeded with the built-in catalogue, in order"
    );

    // The user disables ZEN and deletes SpamCop.
    let mut edited = stored.clone();
    edited.lists[0].enabled = false;
    edited.lists.retain(|l| l.zone != "bl.spamcop.net");
    s.replace_blocklists(&edited).expect("save");

    // An upgrade ships changed entries for ZEN and Barracuda, SpamCop again, and a new list.
    let mut upgraded = builtin.clone();
    upgraded.lists[0].weight = 9;
    let barracuda = upgraded
        .lists
        .iter_mut()
        .find(|l| l.zone == "b.barracudacentral.org")
        .expect("barracuda");
    barracuda.weight = 7;
    let mut new_list = upgraded.lists[1].clone();
    new_list.zone = "new.dnsbl.example".into();
    new_list.name = "New list".into();
    upgraded.lists.push(new_list);
    s.seed_blocklists(&upgraded).expect("reseed");
    let now = s.blocklists().expect("catalogue");
    let zen = now
        .lists
        .iter()
        .find(|l| l.zone == "zen.spamhaus.org")
        .expect("zen");
    assert!(!zen.enabled, "the user's edit survives");
    assert_eq!(zen.weight, 10, "and the upgrade did not overwrite it");
    let b = now
        .lists
        .iter()
        .find(|l| l.zone == "b.barracudacentral.org")
        .expect("b");
    assert_eq!(b.weight, 7, "unedited built-in lists follow the upgrade");
    assert!(
        now.lists.iter().all(|l| l.zone != "bl.spamcop.net"),
        "deleted stays deleted"
    );
    assert_eq!(
        now.lists.last().map(|l| l.zone.as_str()),
        Some("new.dnsbl.example")
    );
    drop(s);

    // Reopening seeds with this build's catalogue: the user's edits still stand.
    let s = Store::open(&path).expect("reopen");
    let again = s.blocklists().expect("catalogue");
    let zen = again
        .lists
        .iter()
        .find(|l| l.zone == "zen.spamhaus.org")
        .expect("zen");
    assert!(!zen.enabled);
    assert!(again.lists.iter().all(|l| l.zone != "bl.spamcop.net"));
}

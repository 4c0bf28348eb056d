//! Feeds: bounce/complaint/auto-reply decoding on our own fixtures, the containers they come
//! in (mbox, Maildir, gzip), idempotent import, one bad file in a batch, hostile and broken
//! input, and an import killed with SIGKILL mid-way.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use inboxlens_core::account::AccountInput;
use inboxlens_core::feeds::{
    BounceRecord, DecodeError, Decoded, Keep, Limits, decode, decode_paths,
};
use inboxlens_store::Store;
use inboxlens_tests::{fixture, target_bin};

fn records_of(name: &str) -> Vec<BounceRecord> {
    let path = fixture(&format!("feeds/{name}"));
    let raw = std::fs::read(&path).expect("fixture");
    decode(&raw, name, Limits::default()).expect("decodes")
}

fn one(name: &str) -> BounceRecord {
    let mut r = records_of(name);
    assert_eq!(r.len(), 1, "{name}: {r:?}");
    r.remove(0)
}

#[test]
fn dsn_is_read_per_recipient_with_the_original_message() {
    let r = one("postfix-userunknown.eml");
    assert_eq!(r.recipient.as_deref(), Some("gone@receiver.example"));
    assert_eq!(r.addresser.as_deref(), Some("news@sender.example"));
    assert_eq!(r.reason, "userunknown");
    assert!(r.hardbounce);
    assert_eq!((r.status.as_str(), r.replycode.as_str()), ("5.1.1", "550"));
    assert_eq!((r.action.as_str(), r.command.as_str()), ("failed", "RCPT"));
    assert_eq!(r.rhost, "mx1.receiver.example");
    assert_eq!(r.lhost, "mx.sender.example");
    assert_eq!(r.diagnostictype, "SMTP");
    assert_eq!(r.messageid, "offer-1107@sender.example");
    assert_eq!(r.listid, "Offers <offers.sender.example>");
    assert_eq!(r.decodedby, "RFC3464");
    // Last-Attempt-Date is absent: Arrival-Date (RFC 3464 §2.2.5) dates it.
    assert_eq!(r.timestamp, Some(1_794_301_958));
}

#[test]
fn vendor_text_bounce_is_read_from_its_error_text() {
    let r = one("qmail-mailboxfull.eml");
    assert_eq!(r.recipient.as_deref(), Some("full@receiver.example"));
    assert_eq!(r.reason, "mailboxfull");
    assert!(!r.hardbounce, "a full mailbox is a soft bounce");
    assert_eq!(r.status, "5.2.2");
    assert_eq!(r.rhost, "198.51.100.26");
    assert_eq!(r.messageid, "offer-1108@sender.example");
    let r = one("hostile-bounce.eml");
    assert_eq!(r.recipient.as_deref(), Some("victim@receiver.example"));
    assert_eq!(
        r.reason, "blocked",
        "a blocklist rejection: {}",
        r.diagnosticcode
    );
    assert!(
        r.diagnosticcode.contains("<script>"),
        "kept verbatim as text"
    );
}

#[test]
fn arf_complaint_and_auto_reply_and_non_bounce() {
    let r = one("arf-abuse.eml");
    assert_eq!(r.reason, "feedback");
    assert_eq!(r.feedbacktype, "abuse");
    assert_eq!(r.useragent, "ReceiverFBL/1.0");
    assert_eq!(r.recipient.as_deref(), Some("annoyed@receiver.example"));
    assert_eq!(r.addresser.as_deref(), Some("news@sender.example"));
    assert_eq!(r.rhost, "192.0.2.10");
    assert_eq!(r.listid, "Offers <offers.sender.example>");
    let r = one("vacation.eml");
    assert_eq!(r.reason, "vacation");
    assert_eq!(r.recipient.as_deref(), Some("pat@receiver.example"));
    assert!(records_of("not-a-bounce.eml").is_empty());
}

fn mbox_of(files: &[&str], out: &Path) {
    let mut mbox = Vec::new();
    for f in files {
        mbox.extend_from_slice(b"From MAILER-DAEMON Thu Nov 26 00:00:00 2026\n");
        let raw = std::fs::read(fixture(&format!("feeds/{f}"))).expect("fixture");
        for line in raw.split_inclusive(|b| *b == b'\n') {
            // mboxrd: a body line starting "From " is quoted.
            if line.starts_with(b"From ") || line.starts_with(b">From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line);
        }
        mbox.extend_from_slice(b"\n");
    }
    std::fs::write(out, mbox).expect("write mbox");
}

/// (message name, its records) for each message read.
type Decodedlist = Vec<(String, Vec<BounceRecord>)>;

/// Decodes `paths`: the messages read, and (name, reason) of what could not be.
fn decode_all(paths: &[PathBuf]) -> (Decodedlist, Vec<(String, String)>) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    decode_paths(paths, 2, Keep::Records, &mut |d| {
        match d {
            Decoded::Message { name, records, .. } => ok.push((name, records)),
            Decoded::Failed { name, reason } => failed.push((name, reason)),
        }
        true
    });
    (ok, failed)
}

#[test]
fn mbox_gzip_and_maildir_inputs_give_the_same_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        "postfix-userunknown.eml",
        "qmail-mailboxfull.eml",
        "arf-abuse.eml",
    ];
    let mbox = dir.path().join("feeds.mbox");
    mbox_of(&files, &mbox);
    let gz = dir.path().join("feeds.mbox.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&std::fs::read(&mbox).expect("mbox"))
        .expect("gz");
    std::fs::write(&gz, enc.finish().expect("gz")).expect("write gz");
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("mkdir");
    }
    for (i, f) in files.iter().enumerate() {
        std::fs::copy(
            fixture(&format!("feeds/{f}")),
            maildir.join("cur").join(format!("{i}.eml")),
        )
        .expect("copy");
    }
    std::fs::write(maildir.join("tmp").join("partial"), b"From: half").expect("tmp");

    let reasons = |out: &[(String, Vec<BounceRecord>)]| -> Vec<String> {
        out.iter()
            .flat_map(|(_, r)| r.iter().map(|r| r.reason.clone()))
            .collect()
    };
    let (from_mbox, failed) = decode_all(std::slice::from_ref(&mbox));
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(
        reasons(&from_mbox),
        ["userunknown", "mailboxfull", "feedback"]
    );
    assert!(
        from_mbox[1].0.ends_with("feeds.mbox#2"),
        "{}",
        from_mbox[1].0
    );
    let (from_gz, _) = decode_all(&[gz]);
    assert_eq!(reasons(&from_gz), reasons(&from_mbox));
    let (from_maildir, failed) = decode_all(&[maildir]);
    assert!(failed.is_empty(), "tmp/ is skipped: {failed:?}");
    assert_eq!(reasons(&from_maildir), reasons(&from_mbox));
}

fn store_with_account(db: &Path) -> (Store, i64) {
    let mut s = Store::open(db).expect("db");
    let a = s
        .create_account(&AccountInput {
            name: "Sender".into(),
            domains: vec!["sender.example".into()],
            ..Default::default()
        })
        .expect("account");
    (s, a.id)
}

/// Runs `job` on a thread of its own and fails (instead of hanging the test run) when it has
/// not returned within a minute.
fn returns_in_time<T: Send + 'static>(what: &str, job: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(job());
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} did not return within 60 s"))
}

#[test]
fn a_batch_stopped_early_ends_its_reader_and_workers() {
    // A consumer that stops (stdout closed under `inboxlens bounces | head`, a failed
    // transaction in an import) while the reader still has thousands of messages to hand
    // over: the reader must not wait for ever on the full work queue.
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox = dir.path().join("many.mbox");
    big_mbox(&mbox, 3000);
    let seen = returns_in_time("decode_paths after the consumer stopped", move || {
        let mut seen = 0;
        decode_paths(&[mbox], 2, Keep::Bounces, &mut |_| {
            seen += 1;
            false
        });
        seen
    });
    assert_eq!(
        seen, 1,
        "the consumer is not called again once it said stop"
    );
}

#[test]
fn an_import_stopped_after_a_batch_keeps_that_batch_and_returns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox = dir.path().join("many.mbox");
    big_mbox(&mbox, 3000);
    let db = dir.path().join("feeds.db");
    let (summary, stored) =
        returns_in_time("an import stopped by its progress callback", move || {
            let (mut store, account) = store_with_account(&db);
            let summary = store
                .import_feeds(account, &[mbox], 2, &mut |_| false)
                .expect("import");
            drop(store);
            let stored: i64 = rusqlite::Connection::open(&db)
                .expect("db")
                .query_row("SELECT COUNT(*) FROM feed_messages", [], |r| r.get(0))
                .expect("count");
            (summary, stored)
        });
    // The first batch (one transaction) is kept, nothing after it was read into the store.
    assert!(
        summary.messages > 0 && summary.messages < 3000,
        "{summary:?}"
    );
    assert_eq!(summary.new_messages, summary.messages);
    assert_eq!(stored as u64, summary.new_messages);
}

#[test]
fn import_is_idempotent_and_names_the_bad_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("feeds.db");
    let (mut store, account) = store_with_account(&db);
    let folder = fixture("feeds");
    let first = store
        .import_feeds(account, std::slice::from_ref(&folder), 2, &mut |_| true)
        .expect("import");
    assert_eq!(first.messages, 6, "{first:?}");
    assert_eq!((first.new_messages, first.duplicates), (6, 0));
    assert_eq!(first.records, 5);
    assert_eq!(
        (
            first.bounces,
            first.complaints,
            first.autoreplies,
            first.others
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(first.failed.len(), 1);
    assert!(
        first.failed[0].name.ends_with("empty.eml"),
        "{:?}",
        first.failed
    );
    let again = store
        .import_feeds(account, &[folder], 2, &mut |_| true)
        .expect("import again");
    assert_eq!(
        (again.new_messages, again.duplicates, again.records),
        (0, 6, 0)
    );
    drop(store);
    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.feed_counts(account).expect("counts"), (6, 5));
    let summary = store.feed_summary(account).expect("summary");
    assert_eq!(
        (summary.bounces, summary.hard, summary.complaints),
        (3, 1, 1)
    );
    // Which feedback loop complained, and about which sending IP.
    let named = |c: &[inboxlens_store::Count]| -> Vec<(String, u64)> {
        c.iter().map(|c| (c.name.clone(), c.count)).collect()
    };
    assert_eq!(
        named(&summary.by_reporter),
        [("ReceiverFBL/1.0".to_string(), 1)]
    );
    assert_eq!(
        named(&summary.by_source_ip),
        [("192.0.2.10".to_string(), 1)]
    );
    let hard = store
        .feed_records(
            account,
            &inboxlens_store::FeedFilter {
                hard: Some(true),
                ..Default::default()
            },
        )
        .expect("records");
    assert_eq!(hard.len(), 1);
    assert_eq!(
        hard[0].record.recipient.as_deref(),
        Some("gone@receiver.example")
    );
    let msg = store
        .feed_message(account, hard[0].message)
        .expect("message")
        .expect("stored");
    assert!(
        msg.text
            .contains("Final-Recipient: rfc822; gone@receiver.example")
    );
}

#[test]
fn truncated_misencoded_and_deeply_nested_mail_never_panics() {
    for name in [
        "postfix-userunknown.eml",
        "qmail-mailboxfull.eml",
        "arf-abuse.eml",
        "hostile-bounce.eml",
    ] {
        let raw = std::fs::read(fixture(&format!("feeds/{name}"))).expect("fixture");
        for cut in (0..raw.len()).step_by(7) {
            let _ = decode(&raw[..cut], name, Limits::default());
        }
        // Mis-encoded: every byte flipped into the high half, and a bogus charset.
        let flipped: Vec<u8> = raw
            .iter()
            .map(|b| {
                if b.is_ascii_alphabetic() {
                    b | 0x80
                } else {
                    *b
                }
            })
            .collect();
        let _ = decode(&flipped, name, Limits::default());
        let bogus = String::from_utf8_lossy(&raw).replace("us-ascii", "x-no-such-charset\u{0}");
        let _ = decode(bogus.as_bytes(), name, Limits::default());
    }
    // 200 nested multiparts: a clear error, not a stack overflow.
    let mut deep = String::from(
        "From: MAILER-DAEMON@x.example\nSubject: Undelivered\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n",
    );
    for i in 1..200 {
        deep.push_str(&format!(
            "--b{}\nContent-Type: multipart/mixed; boundary=\"b{i}\"\n\n",
            i - 1
        ));
    }
    deep.push_str("--b199\nContent-Type: text/plain\n\n<a@b.example>: 550 user unknown\n");
    match decode(deep.as_bytes(), "deep", Limits::default()) {
        Err(DecodeError::TooDeep { max, .. }) => assert_eq!(max, 20),
        other => panic!("expected TooDeep, got {other:?}"),
    }
    // Over the size limit: refused before parsing.
    let big = vec![b'a'; 2048];
    assert!(matches!(
        decode(&big, "big", Limits { max_bytes: 1024 }),
        Err(DecodeError::TooLarge { .. })
    ));
}

/// An mbox of `n` distinct bounces (the fixture with a numbered recipient).
fn big_mbox(path: &Path, n: usize) {
    let template =
        std::fs::read_to_string(fixture("feeds/qmail-mailboxfull.eml")).expect("fixture");
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for i in 0..n {
        let msg = template.replace(
            "full@receiver.example",
            &format!("full{i}@receiver.example"),
        );
        writeln!(f, "From MAILER-DAEMON Thu Nov 26 00:00:00 2026").expect("w");
        f.write_all(msg.as_bytes()).expect("w");
        writeln!(f).expect("w");
    }
}

#[test]
fn import_killed_mid_way_leaves_a_consistent_store_and_a_rerun_completes() {
    const N: usize = 6000;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crash.db");
    let (store, account) = store_with_account(&db);
    drop(store);
    let mbox = dir.path().join("big.mbox");
    big_mbox(&mbox, N);
    let import = || {
        Command::new(target_bin("inboxlens"))
            .arg("--db")
            .arg(&db)
            .args(["--format", "json", "import", "--account", "Sender"])
            .arg(&mbox)
            .env_remove("INBOXLENS_DB")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn import")
    };
    // Kill it at different points (SIGKILL: no chance to clean up): once the store holds at
    // least `after` messages, plus a jitter so the kill lands anywhere inside a batch.
    let stored = || -> u64 {
        let conn =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("read-only");
        conn.query_row("SELECT count(*) FROM feed_messages", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or(0) as u64
    };
    let mut mid_way = 0;
    for after in [1u64, 1500, 3500] {
        let mut child = import();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while stored() < after
            && child.try_wait().expect("try_wait").is_none()
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let jitter = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() % 40);
        std::thread::sleep(std::time::Duration::from_millis(u64::from(jitter)));
        let _ = child.kill();
        let _ = child.wait();
        let store = Store::open(&db).expect("reopen after kill");
        let ok = store.integrity_check().expect("integrity_check");
        assert_eq!(ok, "ok");
        assert_eq!(
            store.feed_inconsistencies(account).expect("check"),
            0,
            "a torn message after a kill past {after}"
        );
        let (messages, records) = store.feed_counts(account).expect("counts");
        assert_eq!(
            messages, records,
            "one record per message, whole batches only"
        );
        assert_eq!(messages % 500, 0, "whole batches of 500 only: {messages}");
        if messages > 0 && messages < N as u64 {
            mid_way += 1;
        }
    }
    assert!(mid_way > 0, "no kill landed while the import was writing");
    let status = import().wait().expect("re-run");
    assert!(status.success());
    let store = Store::open(&db).expect("reopen");
    assert_eq!(
        store.feed_counts(account).expect("counts"),
        (N as u64, N as u64),
        "nothing missing, no duplicates"
    );
}

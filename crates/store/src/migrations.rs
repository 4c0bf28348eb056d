//! Numbered schema migrations. Append only: a released migration is never edited.

use rusqlite::Connection;

/// One schema step.
struct Migration {
    version: i64,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE account_domains (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    domain      TEXT NOT NULL,
    PRIMARY KEY (account_id, domain)
) WITHOUT ROWID;
CREATE INDEX account_domains_by_domain ON account_domains(domain);
CREATE TABLE account_ips (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    ip          TEXT NOT NULL,
    PRIMARY KEY (account_id, ip)
) WITHOUT ROWID;
CREATE TABLE account_selectors (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    selector    TEXT NOT NULL,
    PRIMARY KEY (account_id, selector)
) WITHOUT ROWID;
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL CHECK (json_valid(value))
) WITHOUT ROWID;
CREATE TABLE check_history (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    target      TEXT NOT NULL,
    checked_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    resolver    TEXT NOT NULL,
    result      TEXT NOT NULL CHECK (json_valid(result))
);
CREATE INDEX check_history_by_account ON check_history(account_id, checked_at);
CREATE INDEX check_history_by_target ON check_history(kind, target, checked_at);
"#,
    },
    Migration {
        version: 2,
        sql: r#"
-- The DNSBL catalogue (issue #4): seeded from rules/blocklists.toml, editable by the user.
CREATE TABLE blocklists (
    zone          TEXT PRIMARY KEY,
    position      INTEGER NOT NULL,
    spec          TEXT NOT NULL CHECK (json_valid(spec)),
    -- Hash of the built-in entry this row was seeded from; NULL for lists the user added.
    builtin_hash  TEXT,
    -- 1 once the user changed the row: upgrades of the built-in catalogue leave it alone.
    user_edited   INTEGER NOT NULL DEFAULT 0,
    -- 1 when the user deleted a built-in list: seeding must not bring it back.
    deleted       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"#,
    },
    Migration {
        version: 3,
        sql: r#"
-- Feeds (issue #6): every imported message once per account, keyed by its SHA-256, and the
-- records decoded from it. A message and its records are written in one transaction.
CREATE TABLE feed_messages (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hash         TEXT NOT NULL,
    source       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    -- bounce | complaint | autoreply | delivery | other (no record)
    kind         TEXT NOT NULL,
    records      INTEGER NOT NULL,
    imported_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    raw          BLOB NOT NULL,
    UNIQUE (account_id, hash)
);
CREATE TABLE feed_records (
    id                INTEGER PRIMARY KEY,
    message_id        INTEGER NOT NULL REFERENCES feed_messages(id) ON DELETE CASCADE,
    account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    recipient         TEXT,
    recipient_domain  TEXT,
    reason            TEXT NOT NULL,
    hard              INTEGER NOT NULL,
    timestamp         INTEGER,
    record            TEXT NOT NULL CHECK (json_valid(record)),
    UNIQUE (message_id, position)
);
CREATE INDEX feed_records_by_time ON feed_records(account_id, timestamp);
CREATE INDEX feed_records_by_reason ON feed_records(account_id, reason);
CREATE INDEX feed_records_by_domain ON feed_records(account_id, recipient_domain);
"#,
    },
    Migration {
        version: 4,
        sql: r#"
-- DMARC aggregate/failure and SMTP TLS reports (issue #7). A report is stored once per
-- account (reporter + report id; a failure report is keyed by its message hash), with the
-- message or file it came from; its rows are written in the same transaction.
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id   INTEGER NOT NULL REFERENCES feed_messages(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('aggregate', 'failure', 'tls')),
    org          TEXT NOT NULL,
    report_id    TEXT NOT NULL,
    domain       TEXT NOT NULL,
    begin        INTEGER,
    end          INTEGER,
    -- The parsed report (an aggregate report without its records, which are rows below).
    report       TEXT NOT NULL CHECK (json_valid(report)),
    UNIQUE (account_id, kind, org, report_id)
);
CREATE INDEX reports_by_account ON reports(account_id, kind, begin);
CREATE TABLE dmarc_rows (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- UTC day (Unix seconds at midnight) of the report's period start.
    day            INTEGER NOT NULL,
    source_ip      TEXT NOT NULL,
    count          INTEGER NOT NULL,
    disposition    TEXT NOT NULL,
    dkim_aligned   INTEGER NOT NULL,
    spf_aligned    INTEGER NOT NULL,
    header_from    TEXT NOT NULL,
    envelope_from  TEXT,
    -- DKIM domains that passed (space-separated), for naming the source.
    dkim_domains   TEXT NOT NULL,
    -- policy_evaluated reasons (space-separated types).
    overrides      TEXT NOT NULL
);
CREATE INDEX dmarc_rows_by_account ON dmarc_rows(account_id, day);
CREATE TABLE tls_policies (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    policy_domain  TEXT NOT NULL,
    policy_type    TEXT NOT NULL,
    successful     INTEGER NOT NULL,
    failed         INTEGER NOT NULL
);
CREATE TABLE tls_failures (
    id             INTEGER PRIMARY KEY,
    policy_id      INTEGER NOT NULL REFERENCES tls_policies(id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mx             TEXT NOT NULL,
    result_type    TEXT NOT NULL,
    sessions       INTEGER NOT NULL
);
-- Reverse DNS of report source IPs, shared by all accounts (a cache with its age).
CREATE TABLE ip_names (
    ip           TEXT PRIMARY KEY,
    ptr          TEXT,
    confirmed    INTEGER NOT NULL,
    status       TEXT NOT NULL,
    resolved_at  INTEGER NOT NULL
);
"#,
    },
    Migration {
        version: 5,
        sql: r#"
-- Sending habits (issue #8). The rule set: shipped rules follow their shipped text (hash)
-- until the user edits or deletes them; user rules are theirs.
CREATE TABLE rules (
    id            TEXT PRIMARY KEY,
    toml          TEXT NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    builtin_hash  TEXT,
    user_edited   INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Sending logs: one row per message sent; each file once per account (SHA-256).
CREATE TABLE log_imports (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hash         TEXT NOT NULL,
    source       TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    bad_rows     INTEGER NOT NULL,
    imported_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, hash)
);
CREATE TABLE sending_log (
    id          INTEGER PRIMARY KEY,
    import_id   INTEGER NOT NULL REFERENCES log_imports(id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    ts          INTEGER NOT NULL,
    recipient   TEXT NOT NULL,
    domain      TEXT NOT NULL,
    role        INTEGER NOT NULL,
    campaign    TEXT,
    status      TEXT NOT NULL,
    message_id  TEXT,
    ip          TEXT,
    extra       TEXT
);
CREATE INDEX sending_log_by_time ON sending_log(account_id, ts);
"#,
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 5;

/// Applies every migration above `current`, each in its own transaction together with
/// the `user_version` bump, so a crash leaves the file at a whole version.
pub(crate) fn apply(conn: &mut Connection, current: i64) -> rusqlite::Result<()> {
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql)?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_contiguous_and_end_at_schema_version() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(SCHEMA_VERSION));
    }
}

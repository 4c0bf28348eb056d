//! Imported feed messages (bounces, complaints, auto-replies) and their records.
//!
//! Import is idempotent: a message is keyed by the SHA-256 of its bytes per account, so the
//! same mail imported twice (or a re-run after a crash) adds nothing. Messages are written in
//! batches, each batch one transaction holding the messages and all their records, so a
//! killed import leaves whole messages only.

use std::path::PathBuf;

use inboxlens_core::feeds::{BounceRecord, Decoded, Keep, Report, decode_paths};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::open::Store;

/// Messages per transaction during an import.
const BATCH: usize = 500;

/// A decoded message waiting for its batch: hash, source, raw, records, report.
type Pending = (
    String,
    String,
    Vec<u8>,
    Vec<BounceRecord>,
    Option<Box<Report>>,
);

/// What kind of feed message a set of records makes.
pub fn message_kind(records: &[BounceRecord]) -> &'static str {
    match records.first().map(|r| r.reason.as_str()) {
        None => "other",
        Some("feedback") => "complaint",
        Some("vacation") => "autoreply",
        Some("delivered") => "delivery",
        Some(_) => "bounce",
    }
}

fn record_kind(r: &BounceRecord) -> &'static str {
    message_kind(std::slice::from_ref(r))
}

/// One decoded message to store.
#[derive(Debug)]
pub struct FeedMessage<'a> {
    /// SHA-256 of `raw`, hex.
    pub hash: &'a str,
    /// Where it came from (`path` or `path#N`).
    pub source: &'a str,
    /// The message.
    pub raw: &'a [u8],
    /// Its records.
    pub records: &'a [BounceRecord],
    /// The DMARC/TLS report it holds (stored as a report, not as feed records).
    pub report: Option<&'a Report>,
}

/// Progress and outcome of an import.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportSummary {
    /// Messages read (new and already known).
    pub messages: u64,
    /// Messages stored for the first time.
    pub new_messages: u64,
    /// Messages already in the store (skipped).
    pub duplicates: u64,
    /// Records stored (from new messages).
    pub records: u64,
    /// New bounces, complaints, auto-replies, delivery reports, others.
    pub bounces: u64,
    /// New complaint messages.
    pub complaints: u64,
    /// New auto-replies.
    pub autoreplies: u64,
    /// Messages that were neither (stored, no record).
    pub others: u64,
    /// New DMARC aggregate, DMARC failure and TLS reports.
    pub reports: u64,
    /// Reports already stored (the same report id from the same reporter, in another mail).
    pub duplicate_reports: u64,
    /// Sending-log rows imported (CSV files in the same import).
    pub log_rows: u64,
    /// Files or messages that could not be read: (name, reason).
    pub failed: Vec<FailedInput>,
    /// The message being worked on (progress only).
    pub current: String,
}

/// A file or message an import skipped.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FailedInput {
    /// `path` or `path#N`.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// The start of day `YYYY-MM-DD` (UTC) in Unix seconds, for [`FeedFilter`]'s `since` and
/// `until`; `None` when `value` is not such a date.
pub fn day_start(value: &str) -> Option<i64> {
    let nums: Option<Vec<i64>> = value.split('-').map(|p| p.parse().ok()).collect();
    match nums.as_deref() {
        Some([y, m, d]) if (1..=12).contains(m) && (1..=31).contains(d) => {
            Some(inboxlens_core::calendar::days_from_civil(*y, *m, *d) * 86_400)
        }
        _ => None,
    }
}

/// Filter for [`Store::feed_records`].
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// `bounce`, `complaint`, `autoreply`, `delivery`.
    pub kind: Option<String>,
    /// A reason of the taxonomy.
    pub reason: Option<String>,
    /// Only hard (`Some(true)`) or soft (`Some(false)`) bounces.
    pub hard: Option<bool>,
    /// Recipient domain (exact, case-insensitive).
    pub domain: Option<String>,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
    /// Most rows returned (newest first).
    pub limit: Option<u32>,
}

/// A stored record with the message it came from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredRecord {
    /// Row id of the message (for [`Store::feed_message`]).
    pub message: i64,
    /// `bounce`, `complaint`, `autoreply`, `delivery`.
    pub kind: String,
    /// The decoded record.
    pub record: BounceRecord,
}

/// Counts for one account's feeds.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedSummary {
    /// Messages imported.
    pub messages: u64,
    /// Bounce records.
    pub bounces: u64,
    /// Of which hard.
    pub hard: u64,
    /// Complaint records.
    pub complaints: u64,
    /// Auto-reply records.
    pub autoreplies: u64,
    /// Records per reason, most first.
    pub by_reason: Vec<Count>,
    /// What each reason of `by_reason` means and what to do about it, in the same order.
    pub reason_guide: Vec<ReasonNote>,
    /// Bounce records per recipient domain, most first (top 20).
    pub by_domain: Vec<Count>,
    /// Complaint records per feedback type.
    pub by_feedback_type: Vec<Count>,
    /// Complaint records per feedback loop (the ARF `User-Agent` that wrote them), most
    /// first (top 20; an empty name when the report gave none or was imported before the
    /// field was kept).
    pub by_reporter: Vec<Count>,
    /// Complaint records per source IP (the sending IP the complaint is about, ARF
    /// `Source-IP`), most first (top 20; an empty name when the report gave none).
    pub by_source_ip: Vec<Count>,
    /// Earliest and latest record time (Unix seconds).
    pub first: Option<i64>,
    /// Latest record time.
    pub last: Option<i64>,
}

/// A reason with its plain-words meaning and fix.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReasonNote {
    /// The reason (one of the 35).
    pub name: String,
    /// What happened.
    pub meaning: String,
    /// What the sender should do.
    pub fix: String,
}

impl ReasonNote {
    /// The note for `reason`; `None` for a name outside the taxonomy.
    pub fn of(reason: &str) -> Option<Self> {
        inboxlens_core::feeds::record::reason_guide(reason).map(|g| ReasonNote {
            name: reason.to_string(),
            meaning: g.meaning.clone(),
            fix: g.fix.clone(),
        })
    }
}

/// A name and how often it occurs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Count {
    /// The name.
    pub name: String,
    /// How often.
    pub count: u64,
}

/// A stored message for drill-down.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredMessage {
    /// Where it came from.
    pub source: String,
    /// SHA-256, hex.
    pub hash: String,
    /// When it was imported.
    pub imported_at: String,
    /// The message as text (invalid UTF-8 replaced).
    pub text: String,
}

impl Store {
    /// Stores a batch of decoded messages in one transaction; messages already present (same
    /// hash for the account) are skipped. Returns (new messages, duplicates, records).
    pub fn import_feed_batch(
        &mut self,
        account_id: i64,
        batch: &[FeedMessage<'_>],
        summary: &mut ImportSummary,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert_message = tx.prepare_cached(
                "INSERT INTO feed_messages (account_id, hash, source, size, kind, records, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (account_id, hash) DO NOTHING",
            )?;
            let mut insert_record = tx.prepare_cached(
                "INSERT INTO feed_records (message_id, account_id, position, kind, recipient,
                     recipient_domain, reason, hard, timestamp, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for m in batch {
                let kind = if m.report.is_some() {
                    "report"
                } else {
                    message_kind(m.records)
                };
                let changed = insert_message.execute(params![
                    account_id,
                    m.hash,
                    m.source,
                    m.raw.len() as i64,
                    kind,
                    if m.report.is_some() {
                        0
                    } else {
                        m.records.len() as i64
                    },
                    m.raw
                ])?;
                summary.messages += 1;
                if changed == 0 {
                    summary.duplicates += 1;
                    continue;
                }
                summary.new_messages += 1;
                match kind {
                    "bounce" | "delivery" => summary.bounces += 1,
                    "complaint" => summary.complaints += 1,
                    "autoreply" => summary.autoreplies += 1,
                    "report" => {}
                    _ => summary.others += 1,
                }
                let message_id = tx.last_insert_rowid();
                if let Some(report) = m.report {
                    if crate::reports::insert_report(&tx, account_id, message_id, m.hash, report)? {
                        summary.reports += 1;
                    } else {
                        summary.duplicate_reports += 1;
                    }
                    continue;
                }
                for (i, r) in m.records.iter().enumerate() {
                    let domain = r
                        .recipient
                        .as_deref()
                        .and_then(|a| a.rsplit_once('@'))
                        .map(|(_, d)| d.to_ascii_lowercase());
                    insert_record.execute(params![
                        message_id,
                        account_id,
                        i as i64,
                        record_kind(r),
                        r.recipient,
                        domain,
                        r.reason,
                        r.hardbounce,
                        r.timestamp,
                        serde_json::to_string(r)?
                    ])?;
                    summary.records += 1;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Imports every message under `paths` into the account: decodes with `threads` workers,
    /// stores in batches (one transaction each), reports progress through `progress` after
    /// every batch (and returning `false` from it stops after that batch). One unreadable
    /// file is listed in the summary and the import goes on.
    pub fn import_feeds(
        &mut self,
        account_id: i64,
        paths: &[PathBuf],
        threads: usize,
        progress: &mut dyn FnMut(&ImportSummary) -> bool,
    ) -> Result<ImportSummary, StoreError> {
        self.account(account_id)?;
        let mut summary = ImportSummary::default();
        let mut pending: Vec<Pending> = Vec::new();
        let mut error: Option<StoreError> = None;
        let mut stop = false;
        let flush = |store: &mut Store,
                     pending: &mut Vec<Pending>,
                     summary: &mut ImportSummary|
         -> Result<(), StoreError> {
            let batch: Vec<FeedMessage<'_>> = pending
                .iter()
                .map(|(hash, source, raw, records, report)| FeedMessage {
                    hash,
                    source,
                    raw,
                    records,
                    report: report.as_deref(),
                })
                .collect();
            store.import_feed_batch(account_id, &batch, summary)?;
            pending.clear();
            Ok(())
        };
        decode_paths(paths, threads, Keep::Message, &mut |d| {
            match d {
                Decoded::Message {
                    name,
                    hash,
                    records,
                    raw,
                    report,
                    ..
                } => {
                    summary.current = name.clone();
                    pending.push((hash, name, raw, records, report));
                }
                Decoded::Failed { name, reason } => {
                    summary.failed.push(FailedInput { name, reason });
                }
            }
            if pending.len() >= BATCH {
                if let Err(e) = flush(self, &mut pending, &mut summary) {
                    error = Some(e);
                    return false;
                }
                if !progress(&summary) {
                    stop = true;
                    return false;
                }
            }
            true
        });
        if let Some(e) = error {
            return Err(e);
        }
        if !stop && !pending.is_empty() {
            flush(self, &mut pending, &mut summary)?;
        }
        summary.current.clear();
        progress(&summary);
        Ok(summary)
    }

    /// Records of the account matching `filter`, newest first.
    pub fn feed_records(
        &self,
        account_id: i64,
        filter: &FeedFilter,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let mut sql =
            String::from("SELECT message_id, kind, record FROM feed_records WHERE account_id = ?1");
        let mut args: Vec<rusqlite::types::Value> = vec![account_id.into()];
        let mut push = |clause: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        };
        if let Some(k) = &filter.kind {
            push("kind =", k.clone().into());
        }
        if let Some(r) = &filter.reason {
            push("reason =", r.clone().into());
        }
        if let Some(h) = filter.hard {
            push("hard =", i64::from(h).into());
        }
        if let Some(d) = &filter.domain {
            push("recipient_domain =", d.to_ascii_lowercase().into());
        }
        if let Some(s) = filter.since {
            push("timestamp >=", s.into());
        }
        if let Some(u) = filter.until {
            push("timestamp <", u.into());
        }
        sql.push_str(" ORDER BY timestamp DESC, id DESC");
        if let Some(l) = filter.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (message, kind, json) = row?;
            out.push(StoredRecord {
                message,
                kind,
                record: serde_json::from_str(&json)?,
            });
        }
        Ok(out)
    }

    /// Counts over the account's feeds.
    pub fn feed_summary(&self, account_id: i64) -> Result<FeedSummary, StoreError> {
        let c = &self.conn;
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(c.query_row(sql, [account_id], |r| r.get::<_, i64>(0))? as u64)
        };
        let counts = |sql: &str| -> Result<Vec<Count>, StoreError> {
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([account_id], |r| {
                Ok(Count {
                    name: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    count: r.get::<_, i64>(1)? as u64,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        };
        let (first, last) = c.query_row(
            "SELECT min(timestamp), max(timestamp) FROM feed_records WHERE account_id = ?1",
            [account_id],
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
        )?;
        let by_reason = counts(
            "SELECT reason, count(*) AS n FROM feed_records WHERE account_id = ?1
             GROUP BY reason ORDER BY n DESC, reason",
        )?;
        let reason_guide = by_reason
            .iter()
            .filter_map(|c| ReasonNote::of(&c.name))
            .collect();
        Ok(FeedSummary {
            messages: count("SELECT count(*) FROM feed_messages WHERE account_id = ?1")?,
            bounces: count(
                "SELECT count(*) FROM feed_records WHERE account_id = ?1 AND kind = 'bounce'",
            )?,
            hard: count(
                "SELECT count(*) FROM feed_records WHERE account_id = ?1 AND kind = 'bounce' AND hard = 1",
            )?,
            complaints: count(
                "SELECT count(*) FROM feed_records WHERE account_id = ?1 AND kind = 'complaint'",
            )?,
            autoreplies: count(
                "SELECT count(*) FROM feed_records WHERE account_id = ?1 AND kind = 'autoreply'",
            )?,
            by_reason,
            reason_guide,
            by_domain: counts(
                "SELECT recipient_domain, count(*) AS n FROM feed_records
                 WHERE account_id = ?1 AND kind = 'bounce' AND recipient_domain IS NOT NULL
                 GROUP BY recipient_domain ORDER BY n DESC, recipient_domain LIMIT 20",
            )?,
            by_feedback_type: counts(
                "SELECT json_extract(record, '$.feedbacktype'), count(*) AS n FROM feed_records
                 WHERE account_id = ?1 AND kind = 'complaint' GROUP BY 1 ORDER BY n DESC",
            )?,
            by_reporter: counts(
                "SELECT COALESCE(json_extract(record, '$.useragent'), ''), count(*) AS n FROM feed_records
                 WHERE account_id = ?1 AND kind = 'complaint' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 20",
            )?,
            by_source_ip: counts(
                "SELECT json_extract(record, '$.rhost'), count(*) AS n FROM feed_records
                 WHERE account_id = ?1 AND kind = 'complaint' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 20",
            )?,
            first,
            last,
        })
    }

    /// The stored message `message` (a row id from [`StoredRecord::message`]) of the account.
    pub fn feed_message(
        &self,
        account_id: i64,
        message: i64,
    ) -> Result<Option<StoredMessage>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT source, hash, imported_at, raw FROM feed_messages
                 WHERE account_id = ?1 AND id = ?2",
                params![account_id, message],
                |r| {
                    Ok(StoredMessage {
                        source: r.get(0)?,
                        hash: r.get(1)?,
                        imported_at: r.get(2)?,
                        text: String::from_utf8_lossy(&r.get::<_, Vec<u8>>(3)?).into_owned(),
                    })
                },
            )
            .optional()?)
    }

    /// SQLite's `PRAGMA integrity_check` over the whole file: `ok`, or what is damaged.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines.join("\n"))
    }

    /// (messages, records) stored for the account: what a consistency check compares.
    pub fn feed_counts(&self, account_id: i64) -> Result<(u64, u64), StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM feed_messages WHERE account_id = ?1),
                    (SELECT count(*) FROM feed_records WHERE account_id = ?1)",
            [account_id],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?)
    }

    /// Messages whose stored record count differs from the records present (a torn
    /// import would show here; a whole-transaction import never does).
    pub fn feed_inconsistencies(&self, account_id: i64) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM feed_messages m WHERE m.account_id = ?1 AND m.records !=
               (SELECT count(*) FROM feed_records r WHERE r.message_id = m.id)",
            [account_id],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::day_start;

    #[test]
    fn day_start_is_utc_midnight() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2000-02-29"), Some(951_782_400));
        assert_eq!(day_start("2026-11-10"), Some(1_794_268_800));
        assert_eq!(day_start("2026-13-01"), None);
        assert_eq!(day_start("2026-11"), None);
        assert_eq!(day_start(" 2026-11-10"), None);
    }
}

//! Sending habits (issue #8): the rule set (seeded from `rules/`, edited by users), sending
//! logs, the metric inputs gathered from everything an account holds, and the score.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use inboxlens_core::habits::metrics::{is_role_address, provider};
use inboxlens_core::habits::sending_log::{LogRow, RowError, read_log};
use inboxlens_core::habits::{
    CompiledRule, MetricInputs, Rule, RuleError, ScoreReport, compile, compute, parse_rule, score,
};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::history::finding_ids;
use crate::open::Store;

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// How often (rows) a sending-log import reports progress.
const PROGRESS_EVERY: u64 = 50_000;

fn hash_text(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The shipped rules, parsed and in canonical TOML (the text the store keeps and hashes).
pub fn shipped_rules() -> Vec<Result<(Rule, String), RuleError>> {
    DEFAULT_RULES
        .iter()
        .map(|(path, text)| {
            let rule = parse_rule(text, path)?;
            let canonical = canonical(&rule)?;
            Ok((rule, canonical))
        })
        .collect()
}

fn canonical(rule: &Rule) -> Result<String, RuleError> {
    toml::to_string(rule).map_err(|e| RuleError {
        id: rule.id.clone(),
        field: "toml".into(),
        position: None,
        message: e.to_string(),
    })
}

/// A rule as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredRule {
    /// Its id.
    pub id: String,
    /// The rule (TOML, canonical form).
    pub toml: String,
    /// Evaluated or not.
    pub enabled: bool,
    /// Shipped with Inboxlens (else the user's own).
    pub builtin: bool,
    /// A shipped rule the user changed (it no longer follows upgrades).
    pub user_edited: bool,
    /// The parsed rule; `None` when the stored text no longer parses (see `error`).
    pub rule: Option<Rule>,
    /// Why the rule cannot run, if it cannot.
    pub error: Option<RuleError>,
}

/// Outcome of a sending-log import.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogImportSummary {
    /// The file.
    pub source: String,
    /// Rows stored.
    pub rows: u64,
    /// Rows skipped as unreadable (line and reason of the first 100 in `errors`).
    pub bad_rows: u64,
    /// The first 100 bad rows.
    pub errors: Vec<LogRowError>,
    /// The same file was imported before (nothing was added).
    pub duplicate: bool,
}

/// A bad row of a sending log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogRowError {
    /// 1-based line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

impl From<RowError> for LogRowError {
    fn from(e: RowError) -> Self {
        Self {
            line: e.line,
            reason: e.reason,
        }
    }
}

impl Store {
    /// Brings the stored rule set up to date with the shipped one: new rules are added,
    /// shipped rules the user has not changed follow the shipped text, rules the user edited
    /// or deleted are left alone, shipped rules no longer shipped (and not edited) go.
    pub fn seed_rules(&mut self) -> Result<(), StoreError> {
        let shipped: Vec<(Rule, String)> =
            shipped_rules().into_iter().filter_map(Result::ok).collect();
        let tx = self.conn.transaction()?;
        for (rule, text) in &shipped {
            let hash = hash_text(text);
            let row: Option<(Option<String>, bool)> = tx
                .query_row(
                    "SELECT builtin_hash, user_edited OR deleted FROM rules WHERE id = ?1",
                    [&rule.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match row {
                None => {
                    tx.execute(
                        "INSERT INTO rules (id, toml, enabled, builtin_hash) VALUES (?1, ?2, ?3, ?4)",
                        params![rule.id, text, rule.enabled, hash],
                    )?;
                }
                Some((old, false)) if old.as_deref() != Some(hash.as_str()) => {
                    tx.execute(
                        "UPDATE rules SET toml = ?2, builtin_hash = ?3, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
                        params![rule.id, text, hash],
                    )?;
                }
                _ => {}
            }
        }
        let ids: Vec<&str> = shipped.iter().map(|(r, _)| r.id.as_str()).collect();
        let stale: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT id FROM rules WHERE builtin_hash IS NOT NULL AND user_edited = 0",
            )?;
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|id| !ids.contains(&id.as_str()))
                .collect()
        };
        for id in stale {
            tx.execute("DELETE FROM rules WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every rule not deleted, by area then id.
    pub fn rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, toml, enabled, builtin_hash IS NOT NULL, user_edited FROM rules
             WHERE deleted = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, toml, enabled, builtin, user_edited) = row?;
            let parsed = parse_rule(&toml, &id).and_then(|r| compile(r).map(|c| c.rule));
            let (rule, error) = match parsed {
                Ok(r) => (Some(r), None),
                Err(e) => (None, Some(e)),
            };
            out.push(StoredRule {
                id,
                toml,
                enabled,
                builtin,
                user_edited,
                rule,
                error,
            });
        }
        out.sort_by(|a, b| {
            let area = |r: &StoredRule| r.rule.as_ref().map(|x| x.area.clone()).unwrap_or_default();
            area(a).cmp(&area(b)).then(a.id.cmp(&b.id))
        });
        Ok(out)
    }

    /// The enabled rules that compile, ready to evaluate, and the errors of those that do not.
    pub fn compiled_rules(&self) -> Result<(Vec<CompiledRule>, Vec<RuleError>), StoreError> {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for r in self.rules()? {
            if !r.enabled {
                continue;
            }
            match parse_rule(&r.toml, &r.id).and_then(compile) {
                Ok(c) => ok.push(c),
                Err(e) => bad.push(e),
            }
        }
        Ok((ok, bad))
    }

    /// Saves a rule from TOML (new, or replacing the rule with its id); it must compile and
    /// its examples must hold. A shipped rule saved this way no longer follows upgrades.
    pub fn save_rule(&mut self, text: &str) -> Result<StoredRule, StoreError> {
        let rule = parse_rule(text, "rule")?;
        let compiled = compile(rule)?;
        if let Some((n, expected, got)) = compiled.failing_examples().into_iter().next() {
            return Err(RuleError {
                id: compiled.rule.id.clone(),
                field: format!("example {n}"),
                position: None,
                message: format!(
                    "expected the rule to {} but it {}",
                    if expected { "fire" } else { "pass" },
                    match got {
                        inboxlens_core::habits::Outcome::Fired => "fired".to_string(),
                        inboxlens_core::habits::Outcome::Passed => "passed".to_string(),
                        inboxlens_core::habits::Outcome::Unknown { missing } =>
                            format!("had no value for {}", missing.join(", ")),
                        inboxlens_core::habits::Outcome::Error { message } =>
                            format!("failed: {message}"),
                    }
                ),
            }
            .into());
        }
        let rule = compiled.rule;
        let text = canonical(&rule)?;
        let changed = self.conn.execute(
            "UPDATE rules SET toml = ?2, enabled = ?3, deleted = 0,
                 user_edited = CASE WHEN builtin_hash IS NULL THEN 0 ELSE ?2 IS NOT toml OR user_edited END,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![rule.id, text, rule.enabled],
        )?;
        if changed == 0 {
            self.conn.execute(
                "INSERT INTO rules (id, toml, enabled) VALUES (?1, ?2, ?3)",
                params![rule.id, text, rule.enabled],
            )?;
        }
        self.rule(&rule.id)
    }

    /// One rule.
    pub fn rule(&self, id: &str) -> Result<StoredRule, StoreError> {
        self.rules()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| StoreError::NotFound {
                what: "rule",
                name: id.to_string(),
            })
    }

    /// Switches a rule on or off (kept in its TOML too, so export carries it).
    pub fn set_rule_enabled(&mut self, id: &str, enabled: bool) -> Result<StoredRule, StoreError> {
        let current = self.rule(id)?;
        let mut rule = parse_rule(&current.toml, id)?;
        rule.enabled = enabled;
        let text = canonical(&rule)?;
        self.conn.execute(
            "UPDATE rules SET toml = ?2, enabled = ?3,
                 user_edited = CASE WHEN builtin_hash IS NULL THEN 0 ELSE 1 END,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
            params![id, text, enabled],
        )?;
        self.rule(id)
    }

    /// Deletes a rule (a shipped rule stays deleted across upgrades).
    pub fn delete_rule(&mut self, id: &str) -> Result<(), StoreError> {
        self.rule(id)?;
        self.conn.execute(
            "UPDATE rules SET deleted = 1 WHERE id = ?1 AND builtin_hash IS NOT NULL",
            [id],
        )?;
        self.conn.execute(
            "DELETE FROM rules WHERE id = ?1 AND builtin_hash IS NULL",
            [id],
        )?;
        Ok(())
    }

    /// Puts a shipped rule back to its shipped text (undoing edits and deletion).
    pub fn reset_rule(&mut self, id: &str) -> Result<(), StoreError> {
        let shipped = shipped_rules()
            .into_iter()
            .filter_map(Result::ok)
            .find(|(r, _)| r.id == id)
            .ok_or_else(|| StoreError::NotFound {
                what: "shipped rule",
                name: id.to_string(),
            })?;
        self.conn.execute(
            "UPDATE rules SET toml = ?2, enabled = ?3, builtin_hash = ?4, user_edited = 0, deleted = 0,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
            params![id, shipped.1, shipped.0.enabled, hash_text(&shipped.1)],
        )?;
        Ok(())
    }

    /// The rule set as one TOML document (`[[rule]]` tables), every rule with its state.
    pub fn export_rules(&self) -> Result<String, StoreError> {
        #[derive(Serialize)]
        struct Doc<'a> {
            rule: Vec<&'a Rule>,
        }
        let rules = self.rules()?;
        let doc = Doc {
            rule: rules.iter().filter_map(|r| r.rule.as_ref()).collect(),
        };
        toml::to_string(&doc).map_err(|e| {
            StoreError::Rule(RuleError {
                id: "export".into(),
                field: "toml".into(),
                position: None,
                message: e.to_string(),
            })
        })
    }

    /// Imports rules from a `[[rule]]` document (as exported) or a single rule. Every rule is
    /// checked first; nothing is saved unless all are valid. Returns the ids saved.
    pub fn import_rules(&mut self, text: &str) -> Result<Vec<String>, StoreError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| RuleError {
            id: "import".into(),
            field: "toml".into(),
            position: e.span().map(|s| {
                let before = &text[..s.start.min(text.len())];
                (
                    before.matches('\n').count() as u32 + 1,
                    before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1,
                )
            }),
            message: e.message().to_string(),
        })?;
        let docs: Vec<String> = match table.get("rule").and_then(|r| r.as_array()) {
            Some(list) => list
                .iter()
                .map(|r| toml::to_string(r).unwrap_or_default())
                .collect(),
            None => vec![text.to_string()],
        };
        let mut checked = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let rule = parse_rule(d, &format!("rule {}", i + 1))?;
            compile(rule.clone())?;
            checked.push(d.clone());
        }
        let tx_ids: Vec<String> = {
            let mut ids = Vec::new();
            for d in &checked {
                ids.push(self.save_rule(d)?.id);
            }
            ids
        };
        Ok(tx_ids)
    }

    /// Imports a sending log (CSV, DESIGN.md §4) into the account, streamed, in one
    /// transaction: a crash leaves nothing of the file, and a re-run imports it whole. The same
    /// file (SHA-256) is imported once; bad rows are skipped, counted and the first 100
    /// returned with their line numbers.
    pub fn import_sending_log(
        &mut self,
        account_id: i64,
        path: &Path,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LogImportSummary, StoreError> {
        self.account(account_id)?;
        let source = path.display().to_string();
        let unreadable = |e: std::io::Error| StoreError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let hash = {
            let mut f = std::fs::File::open(path).map_err(unreadable)?;
            let mut h = Sha256::new();
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = f.read(&mut buf).map_err(unreadable)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
            }
            h.finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let mut summary = LogImportSummary {
            source: source.clone(),
            ..Default::default()
        };
        let known: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM log_imports WHERE account_id = ?1 AND hash = ?2",
                params![account_id, hash],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_some() {
            summary.duplicate = true;
            return Ok(summary);
        }
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO log_imports (account_id, hash, source, rows, bad_rows) VALUES (?1, ?2, ?3, 0, 0)",
            params![account_id, hash, source],
        )?;
        let import_id = tx.last_insert_rowid();
        let mut error: Option<StoreError> = None;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO sending_log (import_id, account_id, ts, recipient, domain, role, campaign, status, message_id, ip, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            let mut store_row = |row: &LogRow| -> Result<(), StoreError> {
                let domain = row.recipient.rsplit_once('@').map_or("", |(_, d)| d);
                let extra = if row.extra.is_empty() {
                    None
                } else {
                    let map: BTreeMap<&str, &str> = row
                        .extra
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    Some(serde_json::to_string(&map)?)
                };
                insert.execute(params![
                    import_id,
                    account_id,
                    row.timestamp,
                    row.recipient,
                    domain,
                    is_role_address(&row.recipient),
                    row.campaign,
                    row.status,
                    row.message_id,
                    row.ip,
                    extra
                ])?;
                Ok(())
            };
            read_log(std::io::BufReader::with_capacity(1 << 20, file), &mut |r| {
                match r {
                    Ok(row) => {
                        if let Err(e) = store_row(&row) {
                            error = Some(e);
                            return false;
                        }
                        summary.rows += 1;
                        if summary.rows.is_multiple_of(PROGRESS_EVERY) {
                            progress(summary.rows);
                        }
                    }
                    Err(e) => {
                        summary.bad_rows += 1;
                        if summary.errors.len() < 100 {
                            summary.errors.push(e.into());
                        }
                    }
                }
                true
            })?;
        }
        if let Some(e) = error {
            return Err(e);
        }
        tx.execute(
            "UPDATE log_imports SET rows = ?2, bad_rows = ?3 WHERE id = ?1",
            params![import_id, summary.rows as i64, summary.bad_rows as i64],
        )?;
        tx.commit()?;
        progress(summary.rows);
        Ok(summary)
    }

    /// The end of the account's data (newest sending-log row, feed record or report), for a
    /// window that does not move with the clock: the same data gives the same score.
    pub fn data_end(&self, account_id: i64) -> Result<Option<i64>, StoreError> {
        // Times more than 60 days ahead of the clock (a bounce with a bogus Date in 2099) are
        // ignored, or one bad record would move the window past all the real data.
        Ok(self.conn.query_row(
            "WITH lim(t) AS (SELECT CAST(strftime('%s', 'now') AS INTEGER) + 60 * 86400)
             SELECT MAX(t) FROM (
                 SELECT MAX(ts) AS t FROM sending_log WHERE account_id = ?1 AND ts <= (SELECT t FROM lim)
                 UNION ALL SELECT MAX(timestamp) FROM feed_records
                     WHERE account_id = ?1 AND timestamp <= (SELECT t FROM lim)
                 UNION ALL SELECT MAX(end) FROM reports WHERE account_id = ?1 AND end <= (SELECT t FROM lim))",
            [account_id],
            |r| r.get(0),
        )?)
    }

    /// Gathers the metric inputs of the account over `[since, until)` (Unix seconds).
    pub fn metric_inputs(
        &self,
        account_id: i64,
        since: i64,
        until: i64,
    ) -> Result<MetricInputs, StoreError> {
        let account = self.account(account_id)?;
        let mut i = MetricInputs::default();
        let w = params![account_id, since, until];
        let logs: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM log_imports WHERE account_id = ?1",
            [account_id],
            |r| r.get(0),
        )?;
        if logs > 0 {
            let (sent, bounced, role): (i64, i64, i64) = self.conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(status = 'bounced'), 0), COALESCE(SUM(role), 0)
                 FROM sending_log WHERE account_id = ?1 AND ts >= ?2 AND ts < ?3",
                w,
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            i.sent = Some(sent as u64);
            i.log_bounced = bounced as u64;
            i.role_sent = role as u64;
            let mut stmt = self.conn.prepare(
                "SELECT ts / 86400 * 86400 AS d, COUNT(*) FROM sending_log
                 WHERE account_id = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY d ORDER BY d",
            )?;
            i.daily = stmt
                .query_map(w, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as u64)))?
                .collect::<Result<_, _>>()?;
            let mut stmt = self.conn.prepare(
                "SELECT domain, COUNT(*) FROM sending_log
                 WHERE account_id = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY domain",
            )?;
            let rows = stmt.query_map(w, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (domain, n) = row?;
                if let Some(p) = provider(&domain) {
                    *i.sent_by_provider.entry(p.to_string()).or_default() += n as u64;
                }
            }
            let mut stmt = self.conn.prepare(
                "SELECT ts / 86400, domain, COUNT(*) FROM sending_log
                 WHERE account_id = ?1 AND ts >= ?2 AND ts < ?3
                   AND domain IN ('gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'aol.com', 'rocketmail.com')
                 GROUP BY 1, 2",
            )?;
            let mut per_day: BTreeMap<i64, u64> = BTreeMap::new();
            for row in stmt.query_map(w, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(2)?)))? {
                let (d, n) = row?;
                *per_day.entry(d).or_default() += n as u64;
            }
            i.max_daily_gmail_yahoo = per_day.values().copied().max().unwrap_or(0);
            i.sends_after_hard_bounce = self.conn.query_row(
                "SELECT COUNT(*) FROM sending_log s
                 JOIN (SELECT lower(recipient) AS rcpt, MIN(timestamp) AS t FROM feed_records
                       WHERE account_id = ?1 AND kind = 'bounce' AND hard = 1
                         AND recipient IS NOT NULL AND timestamp IS NOT NULL GROUP BY 1) h
                   ON h.rcpt = s.recipient
                 WHERE s.account_id = ?1 AND s.ts >= ?2 AND s.ts < ?3 AND s.ts > h.t",
                w,
                |r| r.get::<_, i64>(0),
            )? as u64;
        }
        i.feed_messages = self.conn.query_row(
            "SELECT COUNT(*) FROM feed_messages WHERE account_id = ?1 AND kind <> 'report'",
            [account_id],
            |r| r.get::<_, i64>(0),
        )? as u64;
        if i.feed_messages > 0 {
            let (b, h, u, c): (i64, i64, i64, i64) = self.conn.query_row(
                "SELECT COALESCE(SUM(kind = 'bounce'), 0), COALESCE(SUM(kind = 'bounce' AND hard), 0),
                        COALESCE(SUM(kind = 'bounce' AND reason = 'userunknown'), 0),
                        COALESCE(SUM(kind = 'complaint' AND json_extract(record, '$.feedbacktype') IN ('abuse', '')), 0)
                 FROM feed_records WHERE account_id = ?1 AND timestamp >= ?2 AND timestamp < ?3",
                w,
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            (i.bounces, i.hard_bounces, i.unknown_user, i.complaints) =
                (b as u64, h as u64, u as u64, c as u64);
            let mut stmt = self.conn.prepare(
                "SELECT recipient_domain, COUNT(*) FROM feed_records
                 WHERE account_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 AND kind = 'bounce'
                   AND recipient_domain IS NOT NULL GROUP BY 1",
            )?;
            for row in stmt.query_map(w, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                let (domain, n) = row?;
                if let Some(p) = provider(&domain) {
                    *i.bounces_by_provider.entry(p.to_string()).or_default() += n as u64;
                }
            }
        }
        let overview = self.report_overview(
            account_id,
            &crate::ReportFilter {
                domain: None,
                since: Some(since),
                until: Some(until),
            },
        )?;
        if overview.aggregate_reports > 0 {
            let q = overview.what_if.first();
            i.dmarc = Some((
                overview.messages,
                overview.dmarc_pass,
                q.map_or(0, |q| q.from_unknown),
                q.map_or(0, |q| q.from_known_services),
            ));
        }
        if overview.tls_reports > 0 {
            let ok: u64 = overview.tls_policies.iter().map(|p| p.successful).sum();
            let failed: u64 = overview.tls_policies.iter().map(|p| p.failed).sum();
            i.tls = Some((ok, failed));
        }
        // The latest audit of each account domain, and the latest blocklist check of each IP
        // and domain (whenever they ran: posture is a state, not a window).
        for domain in &account.domains {
            if let Some(entry) = self.checks_of("audit", domain, 1)?.into_iter().next() {
                let v = &entry.result;
                let findings = finding_ids(&v["findings"]);
                let policy = v["dmarc"]["effective_policy"]
                    .as_str()
                    .map(|p| p.to_ascii_lowercase());
                i.audits.push((domain.clone(), findings, policy));
            }
        }
        for target in account.sending_ips.iter().chain(&account.domains) {
            if let Some(entry) = self.checks_of("blocklist", target, 1)?.into_iter().next() {
                let v = &entry.result;
                let zones: Vec<String> = v["results"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .filter(|x| x["status"] == "listed")
                            .filter_map(|x| x["zone"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                i.blocklists.push((target.clone(), zones));
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT result FROM check_history WHERE account_id = ?1 AND kind = 'verify'
             ORDER BY checked_at DESC, id DESC LIMIT 20",
        )?;
        for row in stmt.query_map([account_id], |r| r.get::<_, String>(0))? {
            let v: serde_json::Value = serde_json::from_str(&row?).unwrap_or_default();
            i.messages.push(finding_ids(&v["findings"]));
        }
        Ok(i)
    }

    /// Scores the account over the 30 days ending at `until` (default: the end of its data)
    /// or from `since`.
    pub fn score_account(
        &self,
        account_id: i64,
        since: Option<i64>,
        until: Option<i64>,
    ) -> Result<AccountScore, StoreError> {
        let end = match until {
            Some(u) => u,
            None => {
                // The end of the account's data; with no data at all, today.
                let last = match self.data_end(account_id)? {
                    Some(t) => t,
                    None => self.conn.query_row(
                        "SELECT CAST(strftime('%s', 'now') AS INTEGER)",
                        [],
                        |r| r.get(0),
                    )?,
                };
                last.div_euclid(86_400) * 86_400 + 86_400
            }
        };
        let start = since.unwrap_or(end - 30 * 86_400 - 7 * 86_400);
        let inputs = self.metric_inputs(account_id, start, end)?;
        let (rules, bad) = self.compiled_rules()?;
        Ok(AccountScore {
            report: score(&rules, compute(&inputs)),
            invalid_rules: bad,
            since: start,
            until: end,
        })
    }
}

/// An account's score over a window.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountScore {
    /// Score, metrics, areas, firing rules, scorecard.
    pub report: ScoreReport,
    /// Rules that do not compile (skipped).
    pub invalid_rules: Vec<RuleError>,
    /// Window start (Unix seconds).
    pub since: i64,
    /// Window end (exclusive).
    pub until: i64,
}

/// One day of an account's sending picture, for trend charts.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayTrend {
    /// UTC midnight, Unix seconds.
    pub day: i64,
    /// Messages in the sending logs.
    pub sent: u64,
    /// Bounce records.
    pub bounces: u64,
    /// Complaint records.
    pub complaints: u64,
    /// Messages in DMARC aggregate reports.
    pub dmarc_messages: u64,
    /// Of which passing DMARC.
    pub dmarc_pass: u64,
}

impl Store {
    /// Per-day counts over `[since, until)`, days with any data only.
    pub fn habit_trends(
        &self,
        account_id: i64,
        since: i64,
        until: i64,
    ) -> Result<Vec<DayTrend>, StoreError> {
        let mut days: BTreeMap<i64, DayTrend> = BTreeMap::new();
        let w = params![account_id, since, until];
        let mut stmt = self.conn.prepare(
            "SELECT ts / 86400 * 86400, COUNT(*) FROM sending_log
             WHERE account_id = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY 1",
        )?;
        for row in stmt.query_map(w, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (d, n) = row?;
            days.entry(d).or_default().sent = n as u64;
        }
        let mut stmt = self.conn.prepare(
            "SELECT timestamp / 86400 * 86400, SUM(kind = 'bounce'), SUM(kind = 'complaint')
             FROM feed_records WHERE account_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 GROUP BY 1",
        )?;
        for row in stmt.query_map(w, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (d, b, c) = row?;
            let e = days.entry(d).or_default();
            e.bounces = b as u64;
            e.complaints = c as u64;
        }
        let mut stmt = self.conn.prepare(
            "SELECT day, SUM(count), SUM(CASE WHEN spf_aligned OR dkim_aligned THEN count ELSE 0 END)
             FROM dmarc_rows WHERE account_id = ?1 AND day >= ?2 AND day < ?3 GROUP BY day",
        )?;
        for row in stmt.query_map(w, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (d, m, p) = row?;
            let e = days.entry(d).or_default();
            e.dmarc_messages = m as u64;
            e.dmarc_pass = p as u64;
        }
        Ok(days
            .into_iter()
            .map(|(day, mut t)| {
                t.day = day;
                t
            })
            .collect())
    }
}

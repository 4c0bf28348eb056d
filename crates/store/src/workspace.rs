//! The account workspace (issue #9): one account's overview (score, scorecard, open findings
//! from every area, the last audit and blocklist check of each target, feed volumes), its
//! timeline (per-day bounces by reason, complaints, DMARC pass rate, sending volume and
//! blocklist listings, annotated where DNS records or listings changed) and a search across
//! accounts.

use std::collections::{BTreeMap, BTreeSet};

use inboxlens_core::ValidationError;
use inboxlens_core::audit::history::{AuditDiff, Change, changes, diff};
use rusqlite::params;
use serde::Serialize;
use serde_json::Value;

use crate::error::StoreError;
use crate::open::Store;
use crate::{AccountScore, FeedSummary};

/// A finding that needs attention (severity critical or error), from any area.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpenFinding {
    /// `audit`, `blocklists`, `habits` or `message`: the view that shows it.
    pub area: String,
    /// The domain, IP or sample it is about (the account itself for habit rules).
    pub target: String,
    /// Stable finding or rule id.
    pub id: String,
    /// `critical` or `error`.
    pub severity: String,
    /// One line.
    pub title: String,
    /// What to change.
    pub fix: String,
    /// The records or values behind it.
    pub evidence: Vec<String>,
}

/// The newest check of one target, in brief.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastCheck {
    /// The domain or IP.
    pub target: String,
    /// History id (none: never checked).
    pub check_id: Option<i64>,
    /// RFC 3339 UTC time (none: never checked).
    pub checked_at: Option<String>,
    /// Worst severity among its findings (`pass` when none above it).
    pub verdict: Option<String>,
    /// Findings above `pass`.
    pub findings: u32,
    /// For blocklist checks: the lists it is on (`name (zone)`).
    pub listed: Vec<String>,
}

/// Everything stored for one account, in brief: the Overview page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountOverview {
    /// Account id.
    pub account_id: i64,
    /// Its name.
    pub account: String,
    /// Its domains.
    pub domains: Vec<String>,
    /// Its sending IPs.
    pub sending_ips: Vec<String>,
    /// Habit score, areas, fired rules and the bulk-sender scorecard.
    pub score: AccountScore,
    /// Critical and error findings from the latest audits, blocklist checks, the habit
    /// rules and the newest verified sample; critical first.
    pub open_findings: Vec<OpenFinding>,
    /// The newest audit of each domain.
    pub audits: Vec<LastCheck>,
    /// The newest blocklist check of each IP and domain.
    pub blocklists: Vec<LastCheck>,
    /// Bounces, complaints, auto-replies.
    pub feeds: FeedSummary,
    /// DMARC aggregate reports stored.
    pub aggregate_reports: u64,
    /// DMARC failure reports stored.
    pub failure_reports: u64,
    /// TLS reports stored.
    pub tls_reports: u64,
    /// Messages counted by the aggregate reports.
    pub dmarc_messages: u64,
    /// Of which passing DMARC.
    pub dmarc_pass: u64,
    /// Sending-log rows.
    pub log_rows: u64,
    /// Verified sample messages kept.
    pub samples: u64,
}

/// One day on the timeline.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineDay {
    /// Unix seconds at midnight UTC.
    pub day: i64,
    /// Messages in the sending log.
    pub sent: u64,
    /// Bounces per reason, in the order of [`Timeline::reasons`].
    pub bounces: Vec<u64>,
    /// Complaints.
    pub complaints: u64,
    /// Messages in DMARC aggregate reports.
    pub dmarc_messages: u64,
    /// Of which passing DMARC.
    pub dmarc_pass: u64,
    /// Listings (target × list) at the day's last blocklist check; none when nothing was
    /// checked that day.
    pub listings: Option<u64>,
}

/// Something that changed, pinned to the moment it was seen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineEvent {
    /// Unix seconds (the check that saw it).
    pub at: i64,
    /// `dns` (records changed between two audits), `finding` (findings came or went),
    /// `listed` or `delisted`.
    pub kind: String,
    /// The domain or IP.
    pub target: String,
    /// One line: `SPF record edited`, `listed on Spamhaus ZEN`.
    pub title: String,
    /// The records, ids or list answers behind it.
    pub evidence: Vec<String>,
    /// The two audits compared (history ids), for DNS changes.
    pub from_check: Option<i64>,
    /// The newer audit.
    pub to_check: Option<i64>,
}

/// An account over time.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Timeline {
    /// The bounce reasons charted, most frequent first (the rest are `other`).
    pub reasons: Vec<String>,
    /// Days with any data, oldest first.
    pub days: Vec<TimelineDay>,
    /// Changes, oldest first.
    pub events: Vec<TimelineEvent>,
}

/// A search hit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    /// The account it belongs to.
    pub account_id: i64,
    /// Its name.
    pub account: String,
    /// `account`, `domain`, `ip`, `selector`, `recipient` (a bounce or complaint),
    /// `source` (an IP in DMARC reports).
    pub kind: String,
    /// What matched.
    pub text: String,
    /// Context: a bounce's reason and date, a source's message count.
    pub detail: String,
    /// The view to open.
    pub view: String,
}

/// One stored audit, named.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditRef {
    /// History id.
    pub id: i64,
    /// RFC 3339 UTC time.
    pub checked_at: String,
    /// The resolver that answered.
    pub resolver: String,
}

/// Two stored audits of a domain compared ("what changed since the last ticket").
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredAuditDiff {
    /// The domain.
    pub domain: String,
    /// The older audit.
    pub from: AuditRef,
    /// The newer audit.
    pub to: AuditRef,
    /// Records, TTLs, outcomes and findings compared.
    pub diff: AuditDiff,
    /// The record changes grouped by what they are (SPF, DMARC, each DKIM selector, …).
    pub changes: Vec<Change>,
}

/// Bounce reasons charted one by one; the rest add up as `other`.
const TIMELINE_REASONS: usize = 6;
/// Hits returned per kind.
const SEARCH_LIMIT: u32 = 20;

/// One stored check, read for the timeline.
struct CheckRow {
    id: i64,
    target: String,
    at: i64,
    result: Value,
}

fn worst(findings: &Value) -> (Option<String>, u32) {
    const ORDER: [&str; 5] = ["critical", "error", "warning", "info", "pass"];
    let mut best = 4usize;
    let mut n = 0;
    for f in findings.as_array().into_iter().flatten() {
        let sev = f["severity"].as_str().unwrap_or("pass");
        if sev != "pass" {
            n += 1;
        }
        if let Some(i) = ORDER.iter().position(|s| *s == sev) {
            best = best.min(i);
        }
    }
    (Some(ORDER[best].to_string()), n)
}

/// The lists a stored blocklist result is on, as `name (zone)`.
fn listed_on(result: &Value) -> Vec<String> {
    result["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] == "listed")
        .map(|r| {
            format!(
                "{} ({})",
                r["list"].as_str().unwrap_or(""),
                r["zone"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn open_findings(area: &str, target: &str, findings: &Value, out: &mut Vec<OpenFinding>) {
    for f in findings.as_array().into_iter().flatten() {
        let severity = f["severity"].as_str().unwrap_or("");
        if severity == "critical" || severity == "error" {
            out.push(OpenFinding {
                area: area.into(),
                target: target.into(),
                id: f["id"].as_str().unwrap_or("").into(),
                severity: severity.into(),
                title: f["title"].as_str().unwrap_or("").into(),
                fix: f["fix"].as_str().unwrap_or("").into(),
                evidence: strings(&f["evidence"]),
            });
        }
    }
}

impl Store {
    /// The newest check of `kind` on `target`, in brief; its critical/error findings go to
    /// `found` under `area`.
    fn last_check(
        &self,
        kind: &str,
        area: &str,
        target: &str,
        found: &mut Vec<OpenFinding>,
    ) -> Result<LastCheck, StoreError> {
        let last = self.checks_of(kind, target, 1)?.into_iter().next();
        if let Some(e) = &last {
            open_findings(area, target, &e.result["findings"], found);
        }
        Ok(match last {
            None => LastCheck {
                target: target.into(),
                check_id: None,
                checked_at: None,
                verdict: None,
                findings: 0,
                listed: Vec::new(),
            },
            Some(e) => {
                let (verdict, findings) = worst(&e.result["findings"]);
                LastCheck {
                    target: target.into(),
                    check_id: Some(e.id),
                    checked_at: Some(e.checked_at),
                    verdict,
                    findings,
                    listed: if kind == "blocklist" {
                        listed_on(&e.result)
                    } else {
                        Vec::new()
                    },
                }
            }
        })
    }

    /// The Overview page of an account (see [`AccountOverview`]).
    pub fn account_overview(&self, account_id: i64) -> Result<AccountOverview, StoreError> {
        let account = self.account(account_id)?;
        let score = self.score_account(account_id, None, None)?;
        let mut found = Vec::new();
        let mut audits = Vec::new();
        for d in &account.domains {
            audits.push(self.last_check("audit", "audit", d, &mut found)?);
        }
        let mut blocklists = Vec::new();
        for t in account.sending_ips.iter().chain(&account.domains) {
            blocklists.push(self.last_check("blocklist", "blocklists", t, &mut found)?);
        }
        for r in &score.report.fired {
            if r.severity == "critical" || r.severity == "error" {
                found.push(OpenFinding {
                    area: "habits".into(),
                    target: account.name.clone(),
                    id: r.id.clone(),
                    severity: r.severity.clone(),
                    title: r.title.clone(),
                    fix: r.fix.clone(),
                    evidence: r.values.iter().map(|(k, v)| format!("{k} = {v}")).collect(),
                });
            }
        }
        let sample: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT target, result FROM check_history WHERE account_id = ?1 AND kind = 'verify'
                 ORDER BY checked_at DESC, id DESC LIMIT 1",
                [account_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        if let Some((target, json)) = sample {
            let v: Value = serde_json::from_str(&json)?;
            open_findings("message", &target, &v["findings"], &mut found);
        }
        found.sort_by_key(|f| f.severity != "critical");
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(self
                .conn
                .query_row(sql, [account_id], |r| r.get::<_, i64>(0))? as u64)
        };
        let report_count = |kind: &str| -> Result<u64, StoreError> {
            Ok(self.conn.query_row(
                "SELECT COUNT(*) FROM reports WHERE account_id = ?1 AND kind = ?2",
                params![account_id, kind],
                |r| r.get::<_, i64>(0),
            )? as u64)
        };
        let (dmarc_messages, dmarc_pass) = self.conn.query_row(
            "SELECT COALESCE(SUM(count), 0),
                    COALESCE(SUM(CASE WHEN spf_aligned OR dkim_aligned THEN count ELSE 0 END), 0)
             FROM dmarc_rows WHERE account_id = ?1",
            [account_id],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?;
        Ok(AccountOverview {
            account_id,
            account: account.name,
            domains: account.domains.clone(),
            sending_ips: account.sending_ips.clone(),
            score,
            open_findings: found,
            audits,
            blocklists,
            feeds: self.feed_summary(account_id)?,
            aggregate_reports: report_count("aggregate")?,
            failure_reports: report_count("failure")?,
            tls_reports: report_count("tls")?,
            dmarc_messages,
            dmarc_pass,
            log_rows: count("SELECT COUNT(*) FROM sending_log WHERE account_id = ?1")?,
            samples: count(
                "SELECT COUNT(*) FROM check_history WHERE account_id = ?1 AND kind = 'verify'",
            )?,
        })
    }

    /// Every check of `kind` on `target`, oldest first, with its time in Unix seconds.
    fn checks_in_order(&self, kind: &str, target: &str) -> Result<Vec<CheckRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, CAST(strftime('%s', checked_at) AS INTEGER), result FROM check_history
             WHERE kind = ?1 AND target = ?2 ORDER BY checked_at, id",
        )?;
        let rows = stmt.query_map(params![kind, target], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, json) = row?;
            // A row that no longer parses (written by an older version) is skipped.
            if let (Some(at), Ok(result)) = (at, serde_json::from_str(&json)) {
                out.push(CheckRow {
                    id,
                    target: target.to_string(),
                    at,
                    result,
                });
            }
        }
        Ok(out)
    }

    /// The account over time (see [`Timeline`]): every day with data, and every change seen
    /// between consecutive audits of its domains and blocklist checks of its targets.
    pub fn account_timeline(&self, account_id: i64) -> Result<Timeline, StoreError> {
        let account = self.account(account_id)?;
        let mut days: BTreeMap<i64, TimelineDay> = BTreeMap::new();
        let reasons: Vec<String> = self
            .conn
            .prepare(
                "SELECT reason FROM feed_records WHERE account_id = ?1 AND kind = 'bounce'
                 GROUP BY reason ORDER BY COUNT(*) DESC, reason LIMIT ?2",
            )?
            .query_map(params![account_id, TIMELINE_REASONS as i64 + 1], |r| {
                r.get(0)
            })?
            .collect::<Result<_, _>>()?;
        // Six named, and `other` when there are more.
        let reasons: Vec<String> = if reasons.len() > TIMELINE_REASONS {
            let mut r = reasons[..TIMELINE_REASONS].to_vec();
            r.push("other".into());
            r
        } else {
            reasons
        };
        let slots = reasons.len();
        // Sent, complaints and DMARC per day as the habit trends count them; bounces by reason.
        for t in self.habit_trends(account_id, i64::MIN, i64::MAX)? {
            let e = days.entry(t.day).or_default();
            e.sent = t.sent;
            e.complaints = t.complaints;
            e.dmarc_messages = t.dmarc_messages;
            e.dmarc_pass = t.dmarc_pass;
        }
        let mut stmt = self.conn.prepare(
            "SELECT timestamp / 86400 * 86400, reason, COUNT(*) FROM feed_records
             WHERE account_id = ?1 AND timestamp IS NOT NULL AND kind = 'bounce'
             GROUP BY 1, 2",
        )?;
        for row in stmt.query_map([account_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)? as u64,
            ))
        })? {
            let (day, reason, n) = row?;
            let e = days.entry(day).or_default();
            e.bounces.resize(slots, 0);
            let slot = reasons
                .iter()
                .position(|r| *r == reason)
                .unwrap_or(slots.saturating_sub(1));
            if let Some(b) = e.bounces.get_mut(slot) {
                *b += n;
            }
        }

        let mut events = Vec::new();
        for d in &account.domains {
            let audits = self.checks_in_order("audit", d)?;
            for pair in audits.windows(2) {
                let (old, new) = (&pair[0], &pair[1]);
                let dd = diff(&old.result, &new.result);
                for c in changes(d, &dd) {
                    events.push(TimelineEvent {
                        at: new.at,
                        kind: "dns".into(),
                        target: d.clone(),
                        title: format!("{} {}", c.what, c.how),
                        evidence: c.evidence,
                        from_check: Some(old.id),
                        to_check: Some(new.id),
                    });
                }
                let mut ids = Vec::new();
                ids.extend(dd.findings_added.iter().map(|f| format!("+ {f}")));
                ids.extend(dd.findings_removed.iter().map(|f| format!("- {f}")));
                if !ids.is_empty() {
                    let title = match (dd.findings_added.len(), dd.findings_removed.len()) {
                        (a, 0) => format!("{a} new finding{}", if a == 1 { "" } else { "s" }),
                        (0, r) => format!("{r} finding{} resolved", if r == 1 { "" } else { "s" }),
                        (a, r) => format!("{a} new, {r} resolved findings"),
                    };
                    events.push(TimelineEvent {
                        at: new.at,
                        kind: "finding".into(),
                        target: d.clone(),
                        title,
                        evidence: ids,
                        from_check: Some(old.id),
                        to_check: Some(new.id),
                    });
                }
            }
        }
        // Listings per target at each day's last check; changes between consecutive checks.
        let mut per_day: BTreeMap<i64, BTreeMap<String, u64>> = BTreeMap::new();
        for t in account.sending_ips.iter().chain(&account.domains) {
            let checks = self.checks_in_order("blocklist", t)?;
            let mut before: BTreeSet<String> = BTreeSet::new();
            for c in &checks {
                let now: BTreeSet<String> = listed_on(&c.result).into_iter().collect();
                per_day
                    .entry(c.at / 86_400 * 86_400)
                    .or_default()
                    .insert(c.target.clone(), now.len() as u64);
                for (kind, set, other) in [("listed", &now, &before), ("delisted", &before, &now)] {
                    for list in set.difference(other) {
                        events.push(TimelineEvent {
                            at: c.at,
                            kind: kind.into(),
                            target: t.clone(),
                            title: format!(
                                "{} {list}",
                                if kind == "listed" {
                                    "listed on"
                                } else {
                                    "no longer on"
                                }
                            ),
                            evidence: if kind == "listed" {
                                c.result["results"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter(|r| {
                                        r["status"] == "listed"
                                            && list.ends_with(&format!(
                                                "({})",
                                                r["zone"].as_str().unwrap_or("")
                                            ))
                                    })
                                    .map(|r| {
                                        format!(
                                            "{} {}",
                                            strings(&r["codes"]).join(", "),
                                            r["meaning"].as_str().unwrap_or("")
                                        )
                                        .trim()
                                        .to_string()
                                    })
                                    .collect()
                            } else {
                                Vec::new()
                            },
                            from_check: None,
                            to_check: Some(c.id),
                        });
                    }
                }
                before = now;
            }
        }
        // A target not checked on a day keeps its last known state for that day.
        let mut known: BTreeMap<String, u64> = BTreeMap::new();
        for (day, targets) in per_day {
            known.extend(targets);
            days.entry(day).or_default().listings = Some(known.values().sum());
        }
        events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.target.cmp(&b.target)));
        Ok(Timeline {
            reasons,
            days: days
                .into_iter()
                .map(|(day, mut d)| {
                    d.day = day;
                    d.bounces.resize(slots, 0);
                    d
                })
                .collect(),
            events,
        })
    }

    /// Compares two stored audits of `domain` (history ids; by default the newest two).
    pub fn audit_diff(
        &self,
        domain: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<StoredAuditDiff, StoreError> {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let audits = self.checks_of("audit", &domain, 1000)?;
        let pick = |id: Option<i64>, default: usize| match id {
            Some(id) => audits.iter().find(|e| e.id == id).ok_or_else(|| {
                ValidationError::new("audit", format!("no stored audit {id} of {domain}"))
            }),
            None => audits.get(default).ok_or_else(|| {
                ValidationError::new(
                    "audit",
                    format!(
                        "{domain} has {} stored audit(s); two are needed (audit it again)",
                        audits.len()
                    ),
                )
            }),
        };
        let newer = pick(to, 0)?;
        let older = pick(from, 1)?;
        let d = diff(&older.result, &newer.result);
        let named = |e: &crate::HistoryEntry| AuditRef {
            id: e.id,
            checked_at: e.checked_at.clone(),
            resolver: e.resolver.clone(),
        };
        Ok(StoredAuditDiff {
            changes: changes(&domain, &d),
            from: named(older),
            to: named(newer),
            domain,
            diff: d,
        })
    }

    /// Accounts whose name, domains, IPs or selectors contain `query`, bounces and complaints
    /// whose recipient contains it, and DMARC report sources whose IP starts with it; at most
    /// 20 of each kind. Case-insensitive; a query under two characters finds nothing.
    pub fn search(&self, query: &str) -> Result<Vec<SearchHit>, StoreError> {
        let q = query.trim().to_lowercase();
        if q.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let mut hits = Vec::new();
        for a in self.list_accounts()? {
            let mut push = |kind: &str, text: &str, view: &str| {
                hits.push(SearchHit {
                    account_id: a.id,
                    account: a.name.clone(),
                    kind: kind.into(),
                    text: text.into(),
                    detail: String::new(),
                    view: view.into(),
                })
            };
            if a.name.to_lowercase().contains(&q) {
                push("account", &a.name, "overview");
            }
            for d in a.domains.iter().filter(|d| d.contains(&q)) {
                push("domain", d, "overview");
            }
            for ip in a.sending_ips.iter().filter(|i| i.contains(&q)) {
                push("ip", ip, "overview");
            }
            for s in a.dkim_selectors.iter().filter(|s| s.contains(&q)) {
                push("selector", s, "overview");
            }
        }
        // LIKE with the wildcards in the query escaped.
        let like: String = q
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let mut stmt = self.conn.prepare(
            "SELECT f.account_id, a.name, f.kind, f.recipient, f.reason, f.timestamp
             FROM feed_records f JOIN accounts a ON a.id = f.account_id
             WHERE lower(f.recipient) LIKE '%' || ?1 || '%' ESCAPE '\\'
             ORDER BY f.timestamp DESC LIMIT ?2",
        )?;
        for row in stmt.query_map(params![like, SEARCH_LIMIT], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })? {
            let (account_id, account, kind, recipient, reason, ts) = row?;
            hits.push(SearchHit {
                account_id,
                account,
                kind: "recipient".into(),
                text: recipient.unwrap_or_default(),
                detail: format!(
                    "{kind}, {reason}{}",
                    ts.map(|t| format!(", {}", inboxlens_core::calendar::day_string(t)))
                        .unwrap_or_default()
                ),
                view: "feeds".into(),
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT d.account_id, a.name, d.source_ip, SUM(d.count)
             FROM dmarc_rows d JOIN accounts a ON a.id = d.account_id
             WHERE d.source_ip LIKE ?1 || '%' ESCAPE '\\'
             GROUP BY d.account_id, d.source_ip ORDER BY 4 DESC LIMIT ?2",
        )?;
        for row in stmt.query_map(params![like, SEARCH_LIMIT], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })? {
            let (account_id, account, ip, n) = row?;
            hits.push(SearchHit {
                account_id,
                account,
                kind: "source".into(),
                text: ip,
                detail: format!("{n} messages in DMARC reports"),
                view: "reports".into(),
            });
        }
        Ok(hits)
    }
}

//! Imported DMARC aggregate/failure and SMTP TLS reports, and what they add up to: who sends
//! as the customer's domains and whether it passes, by source and by day; what a stricter
//! DMARC policy would do to that mail; TLS failures by MX host.

use std::collections::{BTreeMap, HashMap};

use inboxlens_core::feeds::Report;
use inboxlens_core::feeds::source::{ReverseName, identify};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::open::Store;

/// Stores one report (and its rows) for the account; `false` when the account already has it.
pub(crate) fn insert_report(
    tx: &Transaction<'_>,
    account_id: i64,
    message_id: i64,
    hash: &str,
    report: &Report,
) -> Result<bool, StoreError> {
    let (org, report_id, domain, begin, end) = match report {
        Report::Aggregate(a) => (
            a.org_name.clone(),
            a.report_id.clone(),
            a.policy.domain.clone(),
            Some(a.begin),
            Some(a.end),
        ),
        Report::Failure(f) => (
            f.reporter.clone(),
            hash.to_string(),
            f.reported_domain.clone().unwrap_or_default(),
            f.arrival,
            f.arrival,
        ),
        Report::Tls(t) => (
            t.organization_name.clone(),
            t.report_id.clone(),
            t.policies
                .first()
                .map(|p| p.policy_domain.clone())
                .unwrap_or_default(),
            Some(t.begin),
            Some(t.end),
        ),
    };
    let mut json = serde_json::to_value(report)?;
    if let Some(obj) = json.as_object_mut() {
        obj.remove("records");
    }
    let changed = tx
        .prepare_cached(
            "INSERT INTO reports (account_id, message_id, kind, org, report_id, domain, begin, end, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (account_id, kind, org, report_id) DO NOTHING",
        )?
        .execute(params![
            account_id,
            message_id,
            report.kind(),
            org,
            report_id,
            domain,
            begin,
            end,
            json.to_string()
        ])?;
    if changed == 0 {
        return Ok(false);
    }
    let id = tx.last_insert_rowid();
    match report {
        Report::Aggregate(a) => {
            let day = a.begin.div_euclid(86_400) * 86_400;
            let mut row = tx.prepare_cached(
                "INSERT INTO dmarc_rows (report_id, account_id, day, source_ip, count, disposition,
                     dkim_aligned, spf_aligned, header_from, envelope_from, dkim_domains, overrides)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for r in &a.records {
                let dkim: Vec<&str> = r
                    .dkim_results
                    .iter()
                    .filter(|d| d.result == "pass")
                    .map(|d| d.domain.as_str())
                    .collect();
                let overrides: Vec<&str> = r.reasons.iter().map(|o| o.kind.as_str()).collect();
                row.execute(params![
                    id,
                    account_id,
                    day,
                    r.source_ip.trim(),
                    r.count as i64,
                    r.disposition,
                    r.dkim == "pass",
                    r.spf == "pass",
                    r.header_from,
                    r.envelope_from,
                    dkim.join(" "),
                    overrides.join(" ")
                ])?;
            }
        }
        Report::Tls(t) => {
            let mut policy = tx.prepare_cached(
                "INSERT INTO tls_policies (report_id, account_id, policy_domain, policy_type, successful, failed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut failure = tx.prepare_cached(
                "INSERT INTO tls_failures (policy_id, account_id, mx, result_type, sessions)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for p in &t.policies {
                policy.execute(params![
                    id,
                    account_id,
                    p.policy_domain,
                    p.policy_type,
                    p.successful as i64,
                    p.failed as i64
                ])?;
                let pid = tx.last_insert_rowid();
                for f in &p.failures {
                    let mx = f
                        .receiving_mx_hostname
                        .clone()
                        .or_else(|| f.receiving_ip.clone())
                        .unwrap_or_else(|| "(not given)".into());
                    failure.execute(params![
                        pid,
                        account_id,
                        mx,
                        f.result_type,
                        f.failed_sessions as i64
                    ])?;
                }
            }
        }
        Report::Failure(_) => {}
    }
    Ok(true)
}

/// Filter for [`Store::report_overview`].
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Only this policy domain (exact, lower-case).
    pub domain: Option<String>,
    /// Unix seconds, inclusive (report period start).
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

/// Everything the Reports view shows for an account.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportOverview {
    /// DMARC aggregate reports.
    pub aggregate_reports: u64,
    /// DMARC failure reports.
    pub failure_reports: u64,
    /// TLS reports.
    pub tls_reports: u64,
    /// Messages the aggregate reports cover.
    pub messages: u64,
    /// Of which passed DMARC (aligned DKIM or SPF pass).
    pub dmarc_pass: u64,
    /// Policy domains reported on.
    pub domains: Vec<String>,
    /// The policy most recently reported as published (`none`/`quarantine`/`reject`).
    pub published_policy: Option<String>,
    /// Sources (sending services), most mail first.
    pub sources: Vec<SourceSummary>,
    /// Messages and DMARC passes per UTC day.
    pub days: Vec<DaySummary>,
    /// What `p=quarantine` and `p=reject` would do.
    pub what_if: Vec<WhatIf>,
    /// TLS sessions per policy domain.
    pub tls_policies: Vec<TlsPolicySummary>,
    /// TLS failures by MX host and result type.
    pub tls_failures: Vec<TlsFailureSummary>,
    /// The newest failure reports (at most 200).
    pub failures: Vec<FailureSummary>,
    /// The newest reports of every kind (at most 200): who reported what, when.
    pub reports: Vec<ReportSummary>,
    /// Source IPs whose reverse DNS has not been looked up yet.
    pub unresolved_ips: u64,
}

/// One sending source (a service, or `unknown`).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceSummary {
    /// The service, or `unknown`.
    pub org: String,
    /// Its category (`esp`, `mailbox-provider`, …) or `unknown`.
    pub category: String,
    /// How it was named: `ptr`, `dkim`, `envelope-from`, `none`.
    pub via: String,
    /// Messages.
    pub messages: u64,
    /// With aligned SPF pass.
    pub spf_aligned: u64,
    /// With aligned DKIM pass.
    pub dkim_aligned: u64,
    /// Passing DMARC.
    pub dmarc_pass: u64,
    /// Quarantined or rejected by receivers.
    pub enforced: u64,
    /// Distinct source IPs.
    pub ip_count: u64,
    /// Up to 10 IPs with most mail, with reverse DNS where known (`ip (name)`).
    pub top_ips: Vec<String>,
}

/// One day.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DaySummary {
    /// UTC midnight, Unix seconds.
    pub day: i64,
    /// Messages.
    pub messages: u64,
    /// Passing DMARC.
    pub dmarc_pass: u64,
}

/// The effect of a stricter policy on the reported mail.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WhatIf {
    /// `quarantine` or `reject`.
    pub policy: String,
    /// Messages that fail DMARC and would be quarantined/rejected (RFC 7489 §6.6.4).
    pub affected: u64,
    /// Of those, messages receivers delivered normally today (disposition `none`, or
    /// `quarantine` for the reject case): what the change would newly hit.
    pub newly_affected: u64,
    /// Of those, from known sending services: probably the customer's own mail whose DKIM or
    /// SPF is not aligned yet.
    pub from_known_services: u64,
    /// Of those, forwarded or mailing-list mail receivers may spare (reported override).
    pub forwarded: u64,
    /// Of those, from unidentified sources (spoofing, or a sender still to identify).
    pub from_unknown: u64,
    /// Share of all reported messages affected (0–1).
    pub share: f64,
    /// Known services that would lose mail, most first: (name, messages).
    pub services: Vec<(String, u64)>,
}

/// TLS sessions of one policy domain.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsPolicySummary {
    /// The policy domain.
    pub domain: String,
    /// `sts`, `tlsa`, `no-policy-found`.
    pub policy_type: String,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
}

/// TLS failures of one kind at one MX.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsFailureSummary {
    /// The receiving MX host (or IP).
    pub mx: String,
    /// RFC 8460 §4.3 result type.
    pub result_type: String,
    /// Failed sessions.
    pub sessions: u64,
}

/// One stored report.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportSummary {
    /// `aggregate`, `failure`, `tls`.
    pub kind: String,
    /// The reporter.
    pub org: String,
    /// Its report id (the message hash for a failure report).
    pub report_id: String,
    /// The domain reported on.
    pub domain: String,
    /// Period start (arrival for a failure report), Unix seconds.
    pub begin: Option<i64>,
    /// Period end.
    pub end: Option<i64>,
    /// Messages (aggregate) or sessions (TLS) covered.
    pub volume: u64,
}

/// One failure report.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FailureSummary {
    /// Arrival, Unix seconds.
    pub arrival: Option<i64>,
    /// The reporter.
    pub reporter: String,
    /// The reported domain.
    pub domain: String,
    /// Source IP.
    pub source_ip: Option<String>,
    /// Auth-Failure values.
    pub auth_failure: Vec<String>,
    /// The failed message's From.
    pub header_from: Option<String>,
    /// Its subject.
    pub subject: Option<String>,
}

/// Age after which a cached reverse DNS name is looked up again (7 days).
pub const IP_NAME_TTL: i64 = 7 * 86_400;

struct Group {
    ip: String,
    envelope_from: Option<String>,
    dkim: String,
    messages: u64,
    spf: u64,
    dkim_ok: u64,
    pass: u64,
    enforced: u64,
    forwarded_fail: u64,
    fail_none: u64,
    fail_quarantine: u64,
}

impl Store {
    /// Source IPs of the account's aggregate reports with no reverse DNS name cached (or an
    /// older one than [`IP_NAME_TTL`] at `now`).
    pub fn unresolved_ips(&self, account_id: i64, now: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT r.source_ip FROM dmarc_rows r
             LEFT JOIN ip_names n ON n.ip = r.source_ip
             WHERE r.account_id = ?1 AND (n.ip IS NULL OR n.resolved_at < ?2)
             ORDER BY r.source_ip",
        )?;
        let ips = stmt
            .query_map(params![account_id, now - IP_NAME_TTL], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ips)
    }

    /// Names the account's report source IPs that have no fresh cached name: `lookup` (the
    /// caller's resolver) answers them and the answers are cached. Lookups the deadline cut
    /// short are not cached, so they are tried again next time.
    pub fn refresh_ip_names<E: From<StoreError>>(
        &mut self,
        account_id: i64,
        lookup: impl FnOnce(&[String]) -> Result<Vec<ReverseName>, E>,
    ) -> Result<(), E> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let ips = self.unresolved_ips(account_id, now)?;
        if ips.is_empty() {
            return Ok(());
        }
        let names: Vec<ReverseName> = lookup(&ips)?
            .into_iter()
            .filter(|n| n.status != "deadline")
            .collect();
        self.save_ip_names(&names, now)?;
        Ok(())
    }

    /// Caches reverse DNS results (one transaction).
    pub fn save_ip_names(&mut self, names: &[ReverseName], now: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO ip_names (ip, ptr, confirmed, status, resolved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (ip) DO UPDATE SET ptr = excluded.ptr, confirmed = excluded.confirmed,
                     status = excluded.status, resolved_at = excluded.resolved_at",
            )?;
            for n in names {
                stmt.execute(params![n.ip, n.ptr, n.confirmed, n.status, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The account's reports added up (see [`ReportOverview`]).
    pub fn report_overview(
        &self,
        account_id: i64,
        filter: &ReportFilter,
    ) -> Result<ReportOverview, StoreError> {
        self.account(account_id)?;
        let mut o = ReportOverview::default();
        let since = filter.since.unwrap_or(i64::MIN);
        let until = filter.until.unwrap_or(i64::MAX);
        let domain = filter.domain.clone().map(|d| d.to_ascii_lowercase());
        let in_range =
            "r.account_id = ?1 AND COALESCE(r.begin, 0) >= ?2 AND COALESCE(r.begin, 0) < ?3
                        AND (?4 IS NULL OR r.domain = ?4)";
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT kind, COUNT(*) FROM reports r WHERE {in_range} GROUP BY kind"
            ))?;
            let rows = stmt.query_map(params![account_id, since, until, domain], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            for row in rows {
                let (kind, n) = row?;
                match kind.as_str() {
                    "aggregate" => o.aggregate_reports = n,
                    "failure" => o.failure_reports = n,
                    _ => o.tls_reports = n,
                }
            }
            let mut stmt = self.conn.prepare(&format!(
                "SELECT DISTINCT domain FROM reports r WHERE {in_range} AND domain <> '' ORDER BY domain"
            ))?;
            o.domains = stmt
                .query_map(params![account_id, since, until, domain], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            o.published_policy = self
                .conn
                .query_row(
                    &format!(
                        "SELECT json_extract(report, '$.policy.p') FROM reports r
                         WHERE {in_range} AND kind = 'aggregate' ORDER BY begin DESC LIMIT 1"
                    ),
                    params![account_id, since, until, domain],
                    |r| r.get::<_, Option<String>>(0),
                )
                .optional()?
                .flatten();
        }
        // Rows grouped by what names a source.
        let names: HashMap<String, (Option<String>, bool)> = {
            let mut stmt = self.conn.prepare(
                "SELECT DISTINCT n.ip, n.ptr, n.confirmed FROM ip_names n
                 JOIN dmarc_rows d ON d.source_ip = n.ip WHERE d.account_id = ?1",
            )?;
            stmt.query_map([account_id], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get::<_, bool>(2)?)))
            })?
            .collect::<Result<_, _>>()?
        };
        let mut groups: Vec<Group> = Vec::new();
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT d.source_ip, d.envelope_from, d.dkim_domains,
                        SUM(d.count),
                        SUM(CASE WHEN d.spf_aligned THEN d.count ELSE 0 END),
                        SUM(CASE WHEN d.dkim_aligned THEN d.count ELSE 0 END),
                        SUM(CASE WHEN d.spf_aligned OR d.dkim_aligned THEN d.count ELSE 0 END),
                        SUM(CASE WHEN d.disposition IN ('quarantine', 'reject') THEN d.count ELSE 0 END),
                        SUM(CASE WHEN NOT (d.spf_aligned OR d.dkim_aligned)
                                  AND (d.overrides LIKE '%forwarded%' OR d.overrides LIKE '%mailing_list%'
                                       OR d.overrides LIKE '%trusted_forwarder%')
                                 THEN d.count ELSE 0 END),
                        SUM(CASE WHEN NOT (d.spf_aligned OR d.dkim_aligned) AND d.disposition NOT IN ('quarantine', 'reject')
                                 THEN d.count ELSE 0 END),
                        SUM(CASE WHEN NOT (d.spf_aligned OR d.dkim_aligned) AND d.disposition = 'quarantine'
                                 THEN d.count ELSE 0 END)
                 FROM dmarc_rows d JOIN reports r ON r.id = d.report_id
                 WHERE {in_range}
                 GROUP BY d.source_ip, d.envelope_from, d.dkim_domains"
            ))?;
            let rows = stmt.query_map(params![account_id, since, until, domain], |r| {
                Ok(Group {
                    ip: r.get(0)?,
                    envelope_from: r.get(1)?,
                    dkim: r.get(2)?,
                    messages: r.get::<_, i64>(3)? as u64,
                    spf: r.get::<_, i64>(4)? as u64,
                    dkim_ok: r.get::<_, i64>(5)? as u64,
                    pass: r.get::<_, i64>(6)? as u64,
                    enforced: r.get::<_, i64>(7)? as u64,
                    forwarded_fail: r.get::<_, i64>(8)? as u64,
                    fail_none: r.get::<_, i64>(9)? as u64,
                    fail_quarantine: r.get::<_, i64>(10)? as u64,
                })
            })?;
            for g in rows {
                groups.push(g?);
            }
        }
        let mut sources: BTreeMap<String, (SourceSummary, BTreeMap<String, u64>)> = BTreeMap::new();
        let mut quarantine = WhatIf {
            policy: "quarantine".into(),
            ..WhatIf::default()
        };
        let mut services: BTreeMap<String, u64> = BTreeMap::new();
        let mut newly_rejected = 0u64;
        for g in &groups {
            let ptr = names
                .get(&g.ip)
                .filter(|(_, confirmed)| *confirmed)
                .and_then(|(p, _)| p.as_deref());
            let dkim: Vec<&str> = g.dkim.split_whitespace().collect();
            let name = identify(ptr, &dkim, g.envelope_from.as_deref());
            let known = name.org != "unknown";
            let entry = sources.entry(name.org.clone()).or_insert_with(|| {
                (
                    SourceSummary {
                        org: name.org.clone(),
                        category: name.category.clone(),
                        via: name.via.clone(),
                        ..SourceSummary::default()
                    },
                    BTreeMap::new(),
                )
            });
            let s = &mut entry.0;
            s.messages += g.messages;
            s.spf_aligned += g.spf;
            s.dkim_aligned += g.dkim_ok;
            s.dmarc_pass += g.pass;
            s.enforced += g.enforced;
            *entry.1.entry(g.ip.clone()).or_default() += g.messages;
            o.messages += g.messages;
            o.dmarc_pass += g.pass;
            let failing = g.messages - g.pass;
            quarantine.affected += failing;
            quarantine.newly_affected += g.fail_none;
            newly_rejected += g.fail_none + g.fail_quarantine;
            quarantine.forwarded += g.forwarded_fail;
            if known {
                quarantine.from_known_services += failing;
                if failing > 0 {
                    *services.entry(name.org.clone()).or_default() += failing;
                }
            } else {
                quarantine.from_unknown += failing;
            }
        }
        let mut list: Vec<SourceSummary> = sources
            .into_values()
            .map(|(mut s, ips)| {
                s.ip_count = ips.len() as u64;
                let mut ips: Vec<(String, u64)> = ips.into_iter().collect();
                ips.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                s.top_ips = ips
                    .into_iter()
                    .take(10)
                    .map(
                        |(ip, _)| match names.get(&ip).and_then(|(p, _)| p.clone()) {
                            Some(p) => format!("{ip} ({p})"),
                            None => ip,
                        },
                    )
                    .collect();
                s
            })
            .collect();
        list.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.org.cmp(&b.org)));
        o.sources = list;
        quarantine.share = if o.messages == 0 {
            0.0
        } else {
            quarantine.affected as f64 / o.messages as f64
        };
        let mut services: Vec<(String, u64)> = services.into_iter().collect();
        services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        quarantine.services = services;
        // RFC 7489 §6.3: reject and quarantine apply to the same failing mail; they differ
        // in what happens to it (refused in SMTP vs delivered to spam).
        let reject = WhatIf {
            policy: "reject".into(),
            newly_affected: newly_rejected,
            ..quarantine.clone()
        };
        o.what_if = vec![quarantine, reject];
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT d.day, SUM(d.count),
                        SUM(CASE WHEN d.spf_aligned OR d.dkim_aligned THEN d.count ELSE 0 END)
                 FROM dmarc_rows d JOIN reports r ON r.id = d.report_id
                 WHERE {in_range} GROUP BY d.day ORDER BY d.day"
            ))?;
            o.days = stmt
                .query_map(params![account_id, since, until, domain], |r| {
                    Ok(DaySummary {
                        day: r.get(0)?,
                        messages: r.get::<_, i64>(1)? as u64,
                        dmarc_pass: r.get::<_, i64>(2)? as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT p.policy_domain, p.policy_type, SUM(p.successful), SUM(p.failed)
                 FROM tls_policies p JOIN reports r ON r.id = p.report_id
                 WHERE {in_range} GROUP BY p.policy_domain, p.policy_type
                 ORDER BY p.policy_domain, p.policy_type"
            ))?;
            o.tls_policies = stmt
                .query_map(params![account_id, since, until, domain], |r| {
                    Ok(TlsPolicySummary {
                        domain: r.get(0)?,
                        policy_type: r.get(1)?,
                        successful: r.get::<_, i64>(2)? as u64,
                        failed: r.get::<_, i64>(3)? as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let mut stmt = self.conn.prepare(&format!(
                "SELECT f.mx, f.result_type, SUM(f.sessions)
                 FROM tls_failures f JOIN tls_policies p ON p.id = f.policy_id
                 JOIN reports r ON r.id = p.report_id
                 WHERE {in_range} GROUP BY f.mx, f.result_type
                 ORDER BY SUM(f.sessions) DESC, f.mx, f.result_type"
            ))?;
            o.tls_failures = stmt
                .query_map(params![account_id, since, until, domain], |r| {
                    Ok(TlsFailureSummary {
                        mx: r.get(0)?,
                        result_type: r.get(1)?,
                        sessions: r.get::<_, i64>(2)? as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT r.begin, r.org, r.domain, r.report FROM reports r
                 WHERE {in_range} AND r.kind = 'failure' ORDER BY r.begin DESC LIMIT 200"
            ))?;
            o.failures = stmt
                .query_map(params![account_id, since, until, domain], |r| {
                    let json: String = r.get(3)?;
                    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
                    let s = |k: &str| v[k].as_str().map(str::to_string);
                    Ok(FailureSummary {
                        arrival: r.get(0)?,
                        reporter: r.get(1)?,
                        domain: r.get(2)?,
                        source_ip: s("source_ip"),
                        auth_failure: v["auth_failure"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        header_from: s("header_from"),
                        subject: s("subject"),
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT r.kind, r.org, r.report_id, r.domain, r.begin, r.end,
                        COALESCE((SELECT SUM(count) FROM dmarc_rows d WHERE d.report_id = r.id), 0)
                        + COALESCE((SELECT SUM(successful + failed) FROM tls_policies p WHERE p.report_id = r.id), 0)
                 FROM reports r WHERE {in_range} ORDER BY r.begin DESC, r.id DESC LIMIT 200"
            ))?;
            o.reports = stmt
                .query_map(params![account_id, since, until, domain], |r| {
                    Ok(ReportSummary {
                        kind: r.get(0)?,
                        org: r.get(1)?,
                        report_id: r.get(2)?,
                        domain: r.get(3)?,
                        begin: r.get(4)?,
                        end: r.get(5)?,
                        volume: r.get::<_, i64>(6)? as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        o.unresolved_ips = groups
            .iter()
            .map(|g| g.ip.as_str())
            .filter(|ip| !names.contains_key(*ip))
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        Ok(o)
    }
}

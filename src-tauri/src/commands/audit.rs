//! Domain audit commands: run an audit, read earlier runs of a domain.

use std::net::IpAddr;
use std::time::Duration;

use inboxlens_core::account::{normalize_domain, normalize_selector};
use inboxlens_core::audit::{AuditOptions, AuditReport, FetchOptions, audit};
use inboxlens_core::dns::Resolver;
use inboxlens_store::NewCheck;
use tauri::State;

use crate::dto::AuditRunDto;
use crate::error::ApiError;
use crate::state::AppState;

/// Each domain's DNS work must finish within this.
const DEADLINE: Duration = Duration::from_secs(30);
/// Domains audited at once (an account rarely has more).
const CONCURRENCY: usize = 8;

/// Audits `domains` (or, when empty, account `account_id`'s domains), with the given DKIM
/// selectors and sending IPs plus the account's; records each run in the history. The
/// store is not held while DNS runs.
#[tauri::command]
pub async fn run_audit(
    state: State<'_, AppState>,
    domains: Vec<String>,
    account_id: Option<i64>,
    selectors: Vec<String>,
    ips: Vec<String>,
) -> Result<Vec<AuditReport>, ApiError> {
    let (settings, account) = state.with_store(|s| {
        let account = match account_id {
            Some(id) => Some(s.account(id)?),
            None => None,
        };
        Ok((s.settings()?, account))
    })?;
    let invalid = |m: String| ApiError::new("invalid-input", m);
    let mut names = Vec::new();
    for d in domains.iter().filter(|d| !d.trim().is_empty()) {
        let d = normalize_domain(d).map_err(|e| invalid(format!("domain {e}")))?;
        if !names.contains(&d) {
            names.push(d);
        }
    }
    let mut sels = Vec::new();
    for s in selectors.iter().filter(|s| !s.trim().is_empty()) {
        sels.push(normalize_selector(s).map_err(|e| invalid(format!("selector {e}")))?);
    }
    let mut addrs: Vec<IpAddr> = Vec::new();
    for ip in ips.iter().filter(|i| !i.trim().is_empty()) {
        addrs.push(
            ip.trim()
                .parse()
                .map_err(|_| invalid(format!("'{ip}' is not an IPv4 or IPv6 address")))?,
        );
    }
    if let Some(a) = &account {
        if names.is_empty() {
            names.extend(a.domains.iter().cloned());
        }
        sels.extend(
            a.dkim_selectors
                .iter()
                .filter(|s| !sels.contains(s))
                .cloned()
                .collect::<Vec<_>>(),
        );
        for ip in &a.sending_ips {
            if let Ok(ip) = ip.parse()
                && !addrs.contains(&ip)
            {
                addrs.push(ip);
            }
        }
    }
    if names.is_empty() {
        return Err(invalid(
            "nothing to audit: type a domain, or choose an account that has domains".into(),
        ));
    }
    let resolver = Resolver::from_settings(&settings.dns)
        .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    let opts = AuditOptions {
        selectors: sels,
        ips: addrs,
        discover_selectors: true,
        mta_sts: FetchOptions {
            enabled: settings.mta_sts_fetch,
            ..FetchOptions::default()
        },
    };
    // Owned tasks (not a stream of borrowing futures): the command future must be Send
    // for every lifetime, which borrowed closures cannot promise.
    let opts = std::sync::Arc::new(opts);
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, d) in names.iter().enumerate() {
        let (resolver, opts, gate, d) = (resolver.clone(), opts.clone(), gate.clone(), d.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            (i, audit(&resolver, &d, &opts, DEADLINE).await)
        });
    }
    let mut done: Vec<(usize, AuditReport)> = Vec::new();
    while let Some(r) = tasks.join_next().await {
        done.push(r.map_err(|e| ApiError::new("internal", format!("audit task failed: {e}")))?);
    }
    done.sort_by_key(|(i, _)| *i);
    let reports: Vec<AuditReport> = done.into_iter().map(|(_, r)| r).collect();
    let values = reports
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    let checks: Vec<NewCheck<'_>> = reports
        .iter()
        .zip(&values)
        .map(|(r, v)| NewCheck {
            account_id: account.as_ref().map(|a| a.id),
            kind: "audit",
            target: &r.domain,
            resolver: resolver.describe(),
            result: v,
        })
        .collect();
    state.with_store(|s| Ok(s.record_checks(&checks)?))?;
    Ok(reports)
}

/// Earlier audits of `domain`, newest first (at most `limit`, 1–100).
#[tauri::command(async)]
pub fn audit_history(
    state: State<'_, AppState>,
    domain: String,
    limit: u32,
) -> Result<Vec<AuditRunDto>, ApiError> {
    let domain = normalize_domain(&domain).map_err(|e| ApiError::new("invalid-input", e))?;
    let entries =
        state.with_store(|s| Ok(s.checks_of("audit", &domain, limit.clamp(1, 100))?))?;
    let mut out = Vec::new();
    for e in entries {
        // Rows written by an older version that no longer parse are skipped, not fatal.
        if let Ok(report) = serde_json::from_value::<serde_json::Value>(e.result.clone()) {
            out.push(AuditRunDto {
                id: e.id,
                checked_at: e.checked_at,
                resolver: e.resolver,
                verdict: report["verdict"].as_str().unwrap_or("").to_string(),
                critical: report["summary"]["critical"].as_u64().unwrap_or(0) as u32,
                error: report["summary"]["error"].as_u64().unwrap_or(0) as u32,
                warning: report["summary"]["warning"].as_u64().unwrap_or(0) as u32,
                finding_ids: inboxlens_store::finding_ids(&report["findings"]),
            });
        }
    }
    Ok(out)
}

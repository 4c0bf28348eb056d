//! Running the checks: liveness probes, then every target on every applicable list.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Mutex, Semaphore};

use super::catalogue::{Catalogue, ListSpec};
use super::interpret::{Interpretation, interpret};
use super::target::Target;
use crate::dns::{AnswerStatus, DnsError, DnsJob, RecordKind, Resolver};
use crate::finding::Finding;

/// How a list answered for one target (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListStatus {
    /// The target is on the list.
    Listed,
    /// NXDOMAIN (or no A record): not listed.
    Clean,
    /// The list refused to answer (error code such as 127.255.255.254, or REFUSED).
    Refused,
    /// No answer in time.
    Timeout,
    /// Any other failure, or an answer that is not a DNSBL answer.
    Error,
    /// The list failed its RFC 5782 §5 liveness test; its answers are not used.
    DeadList,
}

/// One list's answer for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListResult {
    /// List name.
    pub list: String,
    /// Zone as configured (the DQS zone is not shown: it contains the key).
    pub zone: String,
    /// Outcome.
    pub status: ListStatus,
    /// The A records answered.
    pub codes: Vec<String>,
    /// What they mean, or why the status is what it is.
    pub meaning: String,
    /// The list's TXT reason, when listed and published.
    pub txt: Option<String>,
    /// Where to request removal.
    pub delist_url: String,
    /// The list's weight (1–10).
    pub weight: u8,
}

/// The liveness of a list (RFC 5782 §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Liveness {
    /// Lists its test entry and not its must-not entry.
    Alive,
    /// Fails the test: its answers are not trusted.
    Dead {
        /// What it answered.
        reason: String,
    },
    /// Refuses our resolver: nothing can be learned from it.
    Refused {
        /// Why.
        reason: String,
    },
    /// Could not be tested (timeout, SERVFAIL): targets are still queried.
    Unknown {
        /// Why.
        reason: String,
    },
}

/// Everything learned about one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReport {
    /// The target as given (normalized).
    pub target: String,
    /// For domains: the registered domain that was queried.
    pub queried_as: Option<String>,
    /// One result per applicable list, in catalogue order.
    pub results: Vec<ListResult>,
    /// Findings (DESIGN.md §2).
    pub findings: Vec<Finding>,
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// DNS queries in flight at most.
    pub concurrency: usize,
    /// Spamhaus DQS key (and key for `needs_key` lists).
    pub key: Option<String>,
    /// Deadline for each target (and for the liveness probes).
    pub deadline: Duration,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            concurrency: 32,
            key: None,
            deadline: Duration::from_secs(30),
        }
    }
}

/// A list ready to query: its spec, the zone to use and its rate limiter.
struct Prepared {
    spec: ListSpec,
    query_zone: String,
    /// `query_zone` with the key replaced, for messages that end up in reports and history.
    shown_zone: String,
    /// Next moment a query may be sent.
    next_slot: Mutex<Instant>,
    interval: Duration,
}

impl Prepared {
    async fn wait_turn(&self) {
        let wait = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// Checks `targets` against the enabled lists of `catalogue` that apply to them.
///
/// Lists that need a key are skipped without one (said in each report's findings). Each
/// list's liveness is probed once per run before its answers are used.
pub async fn check(
    resolver: &Resolver,
    catalogue: &Catalogue,
    targets: &[Target],
    opts: &CheckOptions,
) -> Vec<TargetReport> {
    let key = opts.key.as_deref().filter(|k| !k.is_empty());
    let mut skipped = Vec::new();
    let mut prepared = Vec::new();
    for spec in catalogue.lists.iter().filter(|l| l.enabled) {
        if !targets.iter().any(|t| spec.accepts(t)) {
            continue;
        }
        let query_zone = match (key, &spec.dqs_zone, spec.needs_key) {
            (Some(k), Some(dqs), _) => format!("{k}.{dqs}"),
            (Some(k), None, true) => format!("{k}.{}", spec.zone),
            (None, _, true) => {
                skipped.push(spec.clone());
                continue;
            }
            _ => spec.zone.clone(),
        };
        let shown_zone = match key {
            Some(k) => query_zone.replace(k, "<key>"),
            None => query_zone.clone(),
        };
        prepared.push(Arc::new(Prepared {
            spec: spec.clone(),
            query_zone,
            shown_zone,
            next_slot: Mutex::new(Instant::now()),
            interval: Duration::from_secs_f64(1.0 / f64::from(spec.rate.max(1))),
        }));
    }
    let permits = Arc::new(Semaphore::new(opts.concurrency.max(1)));

    // RFC 5782 §5 liveness, all lists in parallel.
    let probe_job = Arc::new(DnsJob::new(resolver.clone(), opts.deadline));
    let mut probes = Vec::new();
    for p in &prepared {
        let (p, job, permits) = (p.clone(), probe_job.clone(), permits.clone());
        probes.push(tokio::spawn(
            async move { liveness(&p, &job, &permits).await },
        ));
    }
    let mut live: HashMap<String, Liveness> = HashMap::new();
    for (p, probe) in prepared.iter().zip(probes) {
        let l = probe.await.unwrap_or_else(|e| Liveness::Unknown {
            reason: format!("probe task failed: {e}"),
        });
        live.insert(p.spec.zone.clone(), l);
    }
    let live = Arc::new(live);

    let mut tasks = Vec::new();
    for target in targets {
        let job = Arc::new(DnsJob::new(resolver.clone(), opts.deadline));
        let mut per_list = Vec::new();
        for p in prepared.iter().filter(|p| p.spec.accepts(target)) {
            let (p, job, permits, live, target) = (
                p.clone(),
                job.clone(),
                permits.clone(),
                live.clone(),
                target.clone(),
            );
            per_list.push(tokio::spawn(async move {
                query_one(&p, &job, &permits, &live, &target).await
            }));
        }
        tasks.push((target.clone(), per_list));
    }
    let mut reports = Vec::new();
    for (target, per_list) in tasks {
        let mut results = Vec::new();
        for t in per_list {
            if let Ok(r) = t.await {
                results.push(r);
            }
        }
        let applicable_skipped: Vec<&ListSpec> =
            skipped.iter().filter(|s| s.accepts(&target)).collect();
        let findings = super::findings::findings_for(&target, &results, &applicable_skipped);
        reports.push(TargetReport {
            target: target.to_string(),
            queried_as: target.registered_domain().map(str::to_string),
            results,
            findings,
        });
    }
    reports
}

async fn a_lookup(
    p: &Prepared,
    job: &DnsJob,
    permits: &Semaphore,
    name: &str,
) -> Result<(AnswerStatus, Vec<std::net::IpAddr>), DnsError> {
    let _permit = permits.acquire().await.expect("semaphore is never closed");
    p.wait_turn().await;
    let answer = job.lookup(name, RecordKind::A).await?;
    Ok((answer.status, answer.ips()))
}

async fn liveness(p: &Prepared, job: &DnsJob, permits: &Semaphore) -> Liveness {
    let probe = |entry: String| async move {
        let target = Target::parse(&entry);
        let name = match target {
            Ok(t) => t.query_name(&p.query_zone),
            Err(_) => format!("{entry}.{}.", p.query_zone),
        };
        a_lookup(p, job, permits, &name).await.map(|r| (entry, r))
    };
    let (listed, unlisted) =
        tokio::join!(probe(p.spec.test_listed()), probe(p.spec.test_unlisted()));
    for r in [&listed, &unlisted] {
        if let Err(e) = r {
            return match e {
                DnsError::ResponseCode { rcode, .. } if rcode == "REFUSED" => Liveness::Refused {
                    reason: format!(
                        "the resolver answered REFUSED for the test entry: {}",
                        e.to_string().replace(&p.query_zone, &p.shown_zone)
                    ),
                },
                _ => Liveness::Unknown {
                    reason: format!(
                        "test entry not answered: {}",
                        e.to_string().replace(&p.query_zone, &p.shown_zone)
                    ),
                },
            };
        }
    }
    let (Ok((listed_entry, (_, listed_ips))), Ok((unlisted_entry, (_, unlisted_ips)))) =
        (listed, unlisted)
    else {
        unreachable!("errors returned above");
    };
    for ips in [&listed_ips, &unlisted_ips] {
        if let Interpretation::Refused { meaning, codes } = interpret(&p.spec, ips) {
            return Liveness::Refused {
                reason: format!(
                    "the list answered {} for its test entry: {meaning}",
                    codes.join(", ")
                ),
            };
        }
    }
    if listed_ips.is_empty() {
        return Liveness::Dead {
            reason: format!(
                "does not list its test entry {listed_entry} (RFC 5782 §5 requires it)"
            ),
        };
    }
    if let Interpretation::Unexpected { codes } = interpret(&p.spec, &listed_ips) {
        return Liveness::Dead {
            reason: format!(
                "answers {} for {listed_entry}, outside 127.0.0.0/8: the zone is parked or no longer a DNSBL",
                codes.join(", ")
            ),
        };
    }
    if !unlisted_ips.is_empty() {
        let codes: Vec<String> = unlisted_ips.iter().map(|i| i.to_string()).collect();
        return Liveness::Dead {
            reason: format!(
                "lists {unlisted_entry}, which must never be listed (RFC 5782 §5): answered {}; it may be listing everything",
                codes.join(", ")
            ),
        };
    }
    Liveness::Alive
}

async fn query_one(
    p: &Prepared,
    job: &DnsJob,
    permits: &Semaphore,
    live: &HashMap<String, Liveness>,
    target: &Target,
) -> ListResult {
    let mut r = ListResult {
        list: p.spec.name.clone(),
        zone: p.spec.zone.clone(),
        status: ListStatus::Clean,
        codes: Vec::new(),
        meaning: String::new(),
        txt: None,
        delist_url: p.spec.delist_url.clone(),
        weight: p.spec.weight,
    };
    match live.get(&p.spec.zone) {
        Some(Liveness::Dead { reason }) => {
            r.status = ListStatus::DeadList;
            r.meaning = format!("not queried: the list failed its liveness test — it {reason}");
            return r;
        }
        Some(Liveness::Refused { reason }) => {
            r.status = ListStatus::Refused;
            r.meaning = format!("not queried: {reason}");
            return r;
        }
        _ => {}
    }
    let name = target.query_name(&p.query_zone);
    match a_lookup(p, job, permits, &name).await {
        Ok((_, ips)) if ips.is_empty() => {
            r.status = ListStatus::Clean;
            r.meaning = "not listed".into();
        }
        Ok((_, ips)) => match interpret(&p.spec, &ips) {
            Interpretation::Listed { codes, meaning } => {
                r.status = ListStatus::Listed;
                r.codes = codes;
                r.meaning = meaning;
                // RFC 5782 §2.1: a TXT record at the same name may say why.
                let _permit = permits.acquire().await.expect("semaphore is never closed");
                p.wait_turn().await;
                if let Ok(txt) = job.txt(&name).await {
                    let t = txt.txt();
                    if !t.is_empty() {
                        r.txt = Some(t.join(" | "));
                    }
                }
            }
            Interpretation::Refused { codes, meaning } => {
                r.status = ListStatus::Refused;
                r.codes = codes;
                r.meaning = meaning;
            }
            Interpretation::Unexpected { codes } => {
                r.status = ListStatus::Error;
                r.meaning = format!(
                    "answered {}, outside 127.0.0.0/8: not a DNSBL answer",
                    codes.join(", ")
                );
                r.codes = codes;
            }
        },
        Err(e) => {
            r.status = match &e {
                DnsError::Timeout { .. } | DnsError::DeadlineExceeded { .. } => ListStatus::Timeout,
                DnsError::ResponseCode { rcode, .. } if rcode == "REFUSED" => ListStatus::Refused,
                _ => ListStatus::Error,
            };
            r.meaning = e.to_string().replace(&p.query_zone, &p.shown_zone);
        }
    }
    r
}

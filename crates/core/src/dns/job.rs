//! One DNS job: a deadline and a cache that counts what it asked.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::Name;
use serde::Serialize;
use tokio::sync::OnceCell;

use super::error::DnsError;
use super::record::{Answer, AnswerStatus, DnsRecord, RecordKind};
use super::resolver::Resolver;
use super::transport::TransportError;

type Slot = Arc<OnceCell<Result<Arc<Answer>, DnsError>>>;

/// What a job asked and how long it took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DnsStats {
    /// Queries sent to the resolver (cache misses).
    pub queries: u64,
    /// Lookups answered from the job's cache.
    pub cache_hits: u64,
    /// Milliseconds since the job started.
    pub elapsed_ms: u64,
}

/// One answer an audit saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeenAnswer {
    /// Owner name (no trailing dot).
    pub name: String,
    /// Record type (`TXT`, `MX`, …).
    pub kind: String,
    /// `records`, `nodata`, `nxdomain`, or a DNS error code.
    pub status: String,
    /// The records of that type, each with its TTL.
    pub records: Vec<SeenRecord>,
}

/// One record as seen, with its TTL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeenRecord {
    /// Seconds.
    pub ttl: u32,
    /// Presentation form without the TTL (`name IN TYPE data`).
    pub text: String,
}

/// A unit of DNS work with its own deadline and cache.
///
/// Concurrent lookups of the same name and type within a job share one query. Errors are
/// cached too: within one job a name that timed out stays timed out, so a verdict never
/// rests on two different views of the DNS.
pub struct DnsJob {
    resolver: Resolver,
    started: Instant,
    deadline: Instant,
    budget: Duration,
    cache: Mutex<HashMap<(String, RecordKind), Slot>>,
    queries: AtomicU64,
    hits: AtomicU64,
}

impl DnsJob {
    /// Starts a job that must finish within `budget`.
    pub fn new(resolver: Resolver, budget: Duration) -> Self {
        let started = Instant::now();
        Self {
            resolver,
            started,
            deadline: started + budget,
            budget,
            cache: Mutex::new(HashMap::new()),
            queries: AtomicU64::new(0),
            hits: AtomicU64::new(0),
        }
    }

    /// The resolver this job asks.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// Counts so far.
    pub fn stats(&self) -> DnsStats {
        DnsStats {
            queries: self.queries.load(Ordering::Relaxed),
            cache_hits: self.hits.load(Ordering::Relaxed),
            elapsed_ms: self.started.elapsed().as_millis() as u64,
        }
    }

    /// Every answer the job got so far (cache contents), sorted by name and type: what an
    /// audit saw, kept with the audit so two audits can be compared ("DNS history").
    pub fn snapshot(&self) -> Vec<SeenAnswer> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<SeenAnswer> = cache
            .iter()
            .filter_map(|((name, kind), slot)| {
                let result = slot.get()?;
                Some(match result {
                    Ok(a) => SeenAnswer {
                        name: name.trim_end_matches('.').to_string(),
                        kind: kind.as_str().to_string(),
                        status: match a.status {
                            AnswerStatus::Records => "records",
                            AnswerStatus::NoData => "nodata",
                            AnswerStatus::NxDomain => "nxdomain",
                        }
                        .to_string(),
                        records: a
                            .matching()
                            .map(|r| SeenRecord {
                                ttl: r.ttl,
                                text: r.presentation().replacen(
                                    &format!(" {} IN ", r.ttl),
                                    " IN ",
                                    1,
                                ),
                            })
                            .collect(),
                    },
                    Err(e) => SeenAnswer {
                        name: name.trim_end_matches('.').to_string(),
                        kind: kind.as_str().to_string(),
                        status: e.code().to_string(),
                        records: Vec::new(),
                    },
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.kind.cmp(&b.kind)));
        out
    }

    /// Looks up `name` (with or without trailing dot; always treated as fully qualified).
    pub async fn lookup(&self, name: &str, kind: RecordKind) -> Result<Arc<Answer>, DnsError> {
        let fqdn = to_fqdn(name)?;
        let key = (fqdn.to_ascii_lowercase(), kind);
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache.entry(key).or_default().clone()
        };
        let mut sent = false;
        let result = slot
            .get_or_init(|| {
                sent = true;
                self.queries.fetch_add(1, Ordering::Relaxed);
                self.query(fqdn.clone(), kind)
            })
            .await
            .clone();
        if !sent {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    /// TXT lookup; see [`Answer::txt`].
    pub async fn txt(&self, name: &str) -> Result<Arc<Answer>, DnsError> {
        self.lookup(name, RecordKind::Txt).await
    }

    async fn query(&self, fqdn: String, kind: RecordKind) -> Result<Arc<Answer>, DnsError> {
        let rtype = kind.as_str().to_string();
        // Labels as raw bytes: names built from macros or test data may hold characters
        // (':', '/', '%') that presentation-format parsing rejects but DNS carries fine.
        let mut name = Name::from_labels(fqdn.trim_end_matches('.').split('.').map(str::as_bytes))
            .map_err(|e| DnsError::InvalidName {
                name: fqdn.clone(),
                reason: e.to_string(),
            })?;
        name.set_fqdn(true);
        let fut = self.resolver.transport().query(&name, kind.to_hickory());
        let outcome = match tokio::time::timeout_at(self.deadline.into(), fut).await {
            Ok(r) => r,
            Err(_) => {
                return Err(DnsError::DeadlineExceeded {
                    name: fqdn,
                    rtype,
                    deadline_ms: self.budget.as_millis() as u64,
                });
            }
        };
        let message = match outcome {
            Ok(m) => m,
            Err(TransportError::Timeout) => return Err(DnsError::Timeout { name: fqdn, rtype }),
            Err(TransportError::Network(reason)) => {
                return Err(DnsError::Network {
                    name: fqdn,
                    rtype,
                    reason,
                });
            }
        };
        let status = match message.metadata.response_code {
            ResponseCode::NoError => AnswerStatus::Records,
            ResponseCode::NXDomain => AnswerStatus::NxDomain,
            other => {
                return Err(DnsError::ResponseCode {
                    name: fqdn,
                    rtype,
                    rcode: rcode_name(other),
                });
            }
        };
        let mut answer = Answer {
            name: fqdn,
            kind,
            status,
            records: message
                .answers
                .iter()
                .map(DnsRecord::from_hickory)
                .collect(),
        };
        if answer.status == AnswerStatus::Records && answer.matching().next().is_none() {
            answer.status = AnswerStatus::NoData;
        }
        Ok(Arc::new(answer))
    }
}

fn rcode_name(rc: ResponseCode) -> String {
    match rc {
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        other => other.to_string().to_ascii_uppercase(),
    }
}

/// Makes `name` absolute and checks its length limits (RFC 1035 §2.3.4).
fn to_fqdn(name: &str) -> Result<String, DnsError> {
    let trimmed = name.trim();
    let bad = |reason: &str| DnsError::InvalidName {
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if trimmed.is_empty() || trimmed == "." {
        return Err(bad("empty name"));
    }
    let fqdn = if trimmed.ends_with('.') {
        trimmed.to_string()
    } else {
        format!("{trimmed}.")
    };
    if fqdn.len() > 254 {
        return Err(bad("longer than 253 characters"));
    }
    if fqdn[..fqdn.len() - 1].split('.').any(|l| l.is_empty()) {
        return Err(bad("has an empty label"));
    }
    if fqdn.split('.').any(|l| l.len() > 63) {
        return Err(bad("has a label longer than 63 characters"));
    }
    Ok(fqdn)
}

#[cfg(test)]
mod tests {
    use super::to_fqdn;

    #[test]
    fn fqdn_checks() {
        assert_eq!(to_fqdn("example.com").expect("ok"), "example.com.");
        assert_eq!(to_fqdn("example.com.").expect("ok"), "example.com.");
        assert!(to_fqdn("a..b").is_err());
        assert!(to_fqdn("").is_err());
        assert!(to_fqdn(&format!("{}.com", "x".repeat(64))).is_err());
        assert!(to_fqdn(&"a.".repeat(130)).is_err());
    }
}

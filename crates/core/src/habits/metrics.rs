//! The metrics rules read (DESIGN.md §4), computed from what the store holds for an account:
//! sending logs, bounces and complaints, DMARC and TLS reports, the latest audit of each
//! domain and blocklist check of each target. A metric without data is absent (a rule that
//! reads it is "unknown"), never zero: "no complaints imported" is not "no complaints".

use std::collections::BTreeMap;

use serde::Serialize;

/// A metric's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MetricValue {
    /// A count.
    Int(i64),
    /// A rate (0–1) or factor.
    Float(f64),
    /// A yes/no fact.
    Bool(bool),
    /// A name (a policy, a provider).
    Text(String),
    /// Names (finding ids, blocklist zones).
    List(Vec<String>),
}

impl MetricValue {
    /// From a TOML value of a rule example.
    pub fn from_toml(v: &toml::Value) -> Option<Self> {
        Some(match v {
            toml::Value::Integer(i) => MetricValue::Int(*i),
            toml::Value::Float(f) => MetricValue::Float(*f),
            toml::Value::Boolean(b) => MetricValue::Bool(*b),
            toml::Value::String(s) => MetricValue::Text(s.clone()),
            toml::Value::Array(a) => MetricValue::List(
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ),
            _ => return None,
        })
    }

    /// As a number, for display and comparison.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetricValue::Int(i) => Some(*i as f64),
            MetricValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}

/// Named metric values.
pub type Metrics = BTreeMap<String, MetricValue>;

/// One metric of the catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MetricDef {
    /// Name used in rules.
    pub name: &'static str,
    /// `int`, `rate`, `factor`, `bool`, `text`, `list`.
    pub kind: &'static str,
    /// What it measures and where it comes from.
    pub description: &'static str,
}

const fn m(name: &'static str, kind: &'static str, description: &'static str) -> MetricDef {
    MetricDef {
        name,
        kind,
        description,
    }
}

/// Every metric a rule may read.
pub const METRICS: &[MetricDef] = &[
    m(
        "sent",
        "int",
        "Messages in the sending logs within the window.",
    ),
    m(
        "delivered",
        "int",
        "Sent minus bounced (sending-log status, else bounce records).",
    ),
    m(
        "bulk_sender",
        "bool",
        "More than 5,000 messages on some day to Gmail or Yahoo addresses (their bulk-sender threshold).",
    ),
    m(
        "sending_days",
        "int",
        "Days with any message sent in the window.",
    ),
    m(
        "daily_volume_avg",
        "factor",
        "Average messages per sending day over the 30 days before the last 7.",
    ),
    m(
        "daily_volume_max_7d",
        "int",
        "Most messages sent on one day in the last 7 days of the window.",
    ),
    m(
        "spike_factor",
        "factor",
        "daily_volume_max_7d divided by daily_volume_avg.",
    ),
    m(
        "bounces",
        "int",
        "Bounce records (hard and soft) in the window.",
    ),
    m(
        "hard_bounces",
        "int",
        "Hard bounce records (unknown user, unknown host, moved, permanent refusal).",
    ),
    m("soft_bounces", "int", "Soft bounce records."),
    m("bounce_rate", "rate", "bounces / sent."),
    m("hard_bounce_rate", "rate", "hard_bounces / sent."),
    m(
        "unknown_user_rate",
        "rate",
        "Bounces for unknown users / sent.",
    ),
    m(
        "max_provider_bounce_rate",
        "rate",
        "Highest bounce rate among mailbox providers with at least 100 messages sent.",
    ),
    m(
        "worst_provider",
        "text",
        "The mailbox provider with max_provider_bounce_rate.",
    ),
    m(
        "complaints",
        "int",
        "Abuse complaints (ARF feedback type abuse) in the window.",
    ),
    m(
        "complaint_rate",
        "rate",
        "complaints / delivered (the rate Gmail and Yahoo hold to 0.3 %).",
    ),
    m(
        "sends_after_hard_bounce",
        "int",
        "Messages sent to an address after it hard-bounced (suppression gap).",
    ),
    m(
        "suppression_gap_rate",
        "rate",
        "sends_after_hard_bounce / sent.",
    ),
    m(
        "role_address_share",
        "rate",
        "Share of messages sent to role addresses (info@, sales@, postmaster@ …).",
    ),
    m(
        "audited_domains",
        "int",
        "Account domains with at least one stored audit.",
    ),
    m(
        "audit_findings",
        "list",
        "Finding ids (above pass) of the latest audit of each account domain.",
    ),
    m(
        "dmarc_policy",
        "text",
        "Weakest published DMARC policy among the audited domains: missing, none, quarantine, reject.",
    ),
    m(
        "dmarc_messages",
        "int",
        "Messages covered by the imported DMARC aggregate reports.",
    ),
    m(
        "dmarc_pass_rate",
        "rate",
        "Share of those messages passing DMARC (aligned SPF or DKIM).",
    ),
    m(
        "dmarc_unauthorized_messages",
        "int",
        "Messages failing DMARC from sources that are no known sending service.",
    ),
    m(
        "dmarc_unauthorized_share",
        "rate",
        "dmarc_unauthorized_messages / dmarc_messages.",
    ),
    m(
        "dmarc_known_failing",
        "int",
        "Messages failing DMARC from known sending services (likely the customer's own mail, misconfigured).",
    ),
    m(
        "tls_sessions",
        "int",
        "SMTP sessions covered by imported TLS reports.",
    ),
    m(
        "tls_failure_rate",
        "rate",
        "Failed TLS sessions / tls_sessions.",
    ),
    m(
        "blocklist_targets",
        "int",
        "Account IPs and domains with a stored blocklist check.",
    ),
    m(
        "blocklisted_targets",
        "int",
        "Of those, listed on at least one list in their latest check.",
    ),
    m(
        "blocklisted_zones",
        "list",
        "Zones listing any target in its latest check.",
    ),
    m(
        "messages_checked",
        "int",
        "Sample messages verified for the account (`verify --account`).",
    ),
    m(
        "message_findings",
        "list",
        "Finding ids (above pass) of the account's latest verified messages.",
    ),
];

/// What the store gathered for an account (counts over the window).
#[derive(Debug, Clone, Default)]
pub struct MetricInputs {
    /// Sending-log rows in the window (`None`: no sending log imported).
    pub sent: Option<u64>,
    /// Rows with status `bounced`.
    pub log_bounced: u64,
    /// Messages per UTC day (day start, count), ascending, for the window.
    pub daily: Vec<(i64, u64)>,
    /// Most messages on one day to Gmail or Yahoo addresses.
    pub max_daily_gmail_yahoo: u64,
    /// Sent per mailbox provider.
    pub sent_by_provider: BTreeMap<String, u64>,
    /// Sent to role addresses.
    pub role_sent: u64,
    /// Sends to an address after its hard bounce.
    pub sends_after_hard_bounce: u64,
    /// Bounce messages imported at all (feeds present).
    pub feed_messages: u64,
    /// Bounce records in the window.
    pub bounces: u64,
    /// Hard ones.
    pub hard_bounces: u64,
    /// Reason `userunknown`.
    pub unknown_user: u64,
    /// Bounces per mailbox provider.
    pub bounces_by_provider: BTreeMap<String, u64>,
    /// ARF abuse complaints.
    pub complaints: u64,
    /// DMARC aggregate data, when imported: (messages, pass, failing from unknown sources,
    /// failing from known services).
    pub dmarc: Option<(u64, u64, u64, u64)>,
    /// TLS sessions, when imported: (successful, failed).
    pub tls: Option<(u64, u64)>,
    /// Latest audit per domain: (domain, finding ids above pass, published DMARC policy).
    pub audits: Vec<(String, Vec<String>, Option<String>)>,
    /// Latest blocklist check per target: (target, zones listing it).
    pub blocklists: Vec<(String, Vec<String>)>,
    /// Latest verified sample messages: finding ids of each.
    pub messages: Vec<Vec<String>>,
}

/// Mailbox provider of a recipient domain, for per-provider rates.
pub fn provider(domain: &str) -> Option<&'static str> {
    let d = domain.to_ascii_lowercase();
    let d = d.trim_end_matches('.');
    Some(match d {
        "gmail.com" | "googlemail.com" => "gmail",
        "yahoo.com" | "ymail.com" | "rocketmail.com" | "aol.com" | "yahoo.co.uk" | "yahoo.fr"
        | "yahoo.de" | "yahoo.co.jp" | "yahoo.com.br" => "yahoo",
        "outlook.com" | "hotmail.com" | "live.com" | "msn.com" | "hotmail.co.uk" | "hotmail.fr"
        | "outlook.fr" | "live.co.uk" => "microsoft",
        "icloud.com" | "me.com" | "mac.com" => "apple",
        "gmx.de" | "gmx.net" | "web.de" | "gmx.com" => "gmx-webde",
        "mail.ru" | "bk.ru" | "inbox.ru" | "list.ru" => "mailru",
        "yandex.ru" | "yandex.com" | "ya.ru" => "yandex",
        "comcast.net" => "comcast",
        "orange.fr" | "wanadoo.fr" => "orange",
        "t-online.de" => "t-online",
        "qq.com" | "163.com" | "126.com" => "china-webmail",
        _ => return None,
    })
}

/// Role local parts (RFC 2142 and common team addresses).
pub const ROLE_LOCAL_PARTS: &[&str] = &[
    "abuse",
    "admin",
    "administrator",
    "billing",
    "contact",
    "help",
    "hostmaster",
    "info",
    "marketing",
    "noc",
    "no-reply",
    "noreply",
    "office",
    "postmaster",
    "sales",
    "security",
    "support",
    "team",
    "webmaster",
    "hr",
    "jobs",
    "careers",
    "enquiries",
    "accounts",
    "finance",
];

/// Whether an address is a role address.
pub fn is_role_address(address: &str) -> bool {
    address
        .rsplit_once('@')
        .map(|(local, _)| local.to_ascii_lowercase())
        .is_some_and(|l| ROLE_LOCAL_PARTS.contains(&l.as_str()))
}

fn rate(n: u64, d: u64) -> Option<MetricValue> {
    (d > 0).then(|| MetricValue::Float(n as f64 / d as f64))
}

/// Computes the metrics (see [`METRICS`]) from the gathered inputs.
pub fn compute(i: &MetricInputs) -> Metrics {
    let mut out = Metrics::new();
    let mut put = |name: &str, v: Option<MetricValue>| {
        if let Some(v) = v {
            out.insert(name.to_string(), v);
        }
    };
    let int = |v: u64| Some(MetricValue::Int(v as i64));
    let feeds = i.feed_messages > 0;
    let bounced = if i.log_bounced > 0 {
        i.log_bounced
    } else {
        i.bounces
    };
    if let Some(sent) = i.sent {
        put("sent", int(sent));
        put("delivered", int(sent.saturating_sub(bounced)));
        put(
            "bulk_sender",
            Some(MetricValue::Bool(i.max_daily_gmail_yahoo > 5000)),
        );
        put("sending_days", int(i.daily.len() as u64));
        if let Some(&(last_day, _)) = i.daily.last() {
            let recent_from = last_day - 6 * 86_400;
            let trailing_from = recent_from - 30 * 86_400;
            let recent_max = i
                .daily
                .iter()
                .filter(|(d, _)| *d >= recent_from)
                .map(|(_, n)| *n)
                .max()
                .unwrap_or(0);
            let trailing: Vec<u64> = i
                .daily
                .iter()
                .filter(|(d, _)| *d >= trailing_from && *d < recent_from)
                .map(|(_, n)| *n)
                .collect();
            put("daily_volume_max_7d", int(recent_max));
            if !trailing.is_empty() {
                let avg = trailing.iter().sum::<u64>() as f64 / trailing.len() as f64;
                put("daily_volume_avg", Some(MetricValue::Float(avg)));
                if avg > 0.0 {
                    put(
                        "spike_factor",
                        Some(MetricValue::Float(recent_max as f64 / avg)),
                    );
                }
            }
        }
        put("role_address_share", rate(i.role_sent, sent));
        put("sends_after_hard_bounce", int(i.sends_after_hard_bounce));
        put(
            "suppression_gap_rate",
            rate(i.sends_after_hard_bounce, sent),
        );
        if feeds {
            put("bounce_rate", rate(i.bounces, sent));
            put("hard_bounce_rate", rate(i.hard_bounces, sent));
            put("unknown_user_rate", rate(i.unknown_user, sent));
            put(
                "complaint_rate",
                rate(i.complaints, sent.saturating_sub(bounced)),
            );
            let worst = i
                .sent_by_provider
                .iter()
                .filter(|(_, n)| **n >= 100)
                .map(|(p, n)| {
                    let b = i.bounces_by_provider.get(p).copied().unwrap_or(0);
                    (p.clone(), b as f64 / *n as f64)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((p, r)) = worst {
                put("max_provider_bounce_rate", Some(MetricValue::Float(r)));
                put("worst_provider", Some(MetricValue::Text(p)));
            }
        }
    }
    if feeds {
        put("bounces", int(i.bounces));
        put("hard_bounces", int(i.hard_bounces));
        put(
            "soft_bounces",
            int(i.bounces - i.hard_bounces.min(i.bounces)),
        );
        put("complaints", int(i.complaints));
    }
    if !i.audits.is_empty() {
        put("audited_domains", int(i.audits.len() as u64));
        let mut ids: Vec<String> = i.audits.iter().flat_map(|(_, f, _)| f.clone()).collect();
        ids.sort();
        ids.dedup();
        put("audit_findings", Some(MetricValue::List(ids)));
        let rank = |p: &str| match p {
            "reject" => 3,
            "quarantine" => 2,
            "none" => 1,
            _ => 0,
        };
        let weakest = i
            .audits
            .iter()
            .map(|(_, _, p)| p.clone().unwrap_or_else(|| "missing".into()))
            .min_by_key(|p| rank(p));
        put("dmarc_policy", weakest.map(MetricValue::Text));
    }
    if let Some((messages, pass, unknown, known)) = i.dmarc {
        put("dmarc_messages", int(messages));
        put("dmarc_pass_rate", rate(pass, messages));
        put("dmarc_unauthorized_messages", int(unknown));
        put("dmarc_unauthorized_share", rate(unknown, messages));
        put("dmarc_known_failing", int(known));
    }
    if let Some((ok, failed)) = i.tls {
        put("tls_sessions", int(ok + failed));
        put("tls_failure_rate", rate(failed, ok + failed));
    }
    if !i.blocklists.is_empty() {
        put("blocklist_targets", int(i.blocklists.len() as u64));
        put(
            "blocklisted_targets",
            int(i.blocklists.iter().filter(|(_, z)| !z.is_empty()).count() as u64),
        );
        let mut zones: Vec<String> = i.blocklists.iter().flat_map(|(_, z)| z.clone()).collect();
        zones.sort();
        zones.dedup();
        put("blocklisted_zones", Some(MetricValue::List(zones)));
    }
    if !i.messages.is_empty() {
        put("messages_checked", int(i.messages.len() as u64));
        let mut ids: Vec<String> = i.messages.iter().flatten().cloned().collect();
        ids.sort();
        ids.dedup();
        put("message_findings", Some(MetricValue::List(ids)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_data_is_no_metric_and_rates_follow_their_definitions() {
        assert!(compute(&MetricInputs::default()).is_empty());
        let day = 86_400;
        let mut daily: Vec<(i64, u64)> = (0..30).map(|d| (d * day, 1000)).collect();
        daily.extend((30..37).map(|d| (d * day, if d == 35 { 5000 } else { 1000 })));
        let i = MetricInputs {
            sent: Some(37_000 + 4000),
            daily,
            feed_messages: 10,
            bounces: 820,
            hard_bounces: 410,
            complaints: 40,
            ..Default::default()
        };
        let m = compute(&i);
        assert_eq!(m["delivered"], MetricValue::Int(41_000 - 820));
        assert_eq!(m["hard_bounce_rate"], MetricValue::Float(0.01));
        assert_eq!(m["spike_factor"], MetricValue::Float(5.0));
        assert_eq!(m["daily_volume_max_7d"], MetricValue::Int(5000));
        assert_eq!(m["complaint_rate"], MetricValue::Float(40.0 / 40_180.0));
        assert!(!m.contains_key("dmarc_pass_rate"));
    }

    #[test]
    fn every_metric_is_described_once() {
        let mut names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
        assert!(is_role_address("Postmaster@example.com"));
        assert_eq!(provider("GMAIL.com"), Some("gmail"));
    }
}

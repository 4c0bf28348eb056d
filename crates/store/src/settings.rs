//! User settings: resolver and blocklist keys. Stored as JSON values by key.

use inboxlens_core::ValidationError;
use inboxlens_core::dns::{DnsSettings, Nameserver};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::open::Store;

/// The setting keys, with what each holds.
pub const SETTING_KEYS: &[(&str, &str)] = &[
    (
        "nameservers",
        "resolvers to ask, as IP[:PORT] separated by commas or spaces; empty = system resolver",
    ),
    ("timeout", "per-query DNS timeout in seconds (0.1–60)"),
    ("attempts", "attempts per DNS query (1–5)"),
    (
        "dqs_key",
        "Spamhaus Data Query Service key (used instead of the public mirrors); empty = none",
    ),
    (
        "mta_sts_fetch",
        "audits fetch the MTA-STS policy over HTTPS (on/off; default on)",
    ),
];

/// Every setting with its current value (defaults where unset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Resolver settings.
    pub dns: DnsSettings,
    /// Spamhaus DQS key, if any.
    pub dqs_key: Option<String>,
    /// Whether audits fetch the MTA-STS policy over HTTPS (RFC 8461 §3.3); on by default.
    #[serde(default = "default_true")]
    pub mta_sts_fetch: bool,
}

fn default_true() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dns: DnsSettings::default(),
            dqs_key: None,
            mta_sts_fetch: true,
        }
    }
}

impl Settings {
    /// The value of `key` as text, as `settings get` prints it.
    pub fn get_text(&self, key: &str) -> Result<String, ValidationError> {
        Ok(match key {
            "nameservers" => self
                .dns
                .nameservers
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(","),
            "timeout" => self.dns.timeout_secs.to_string(),
            "attempts" => self.dns.attempts.to_string(),
            "dqs_key" => self.dqs_key.clone().unwrap_or_default(),
            "mta_sts_fetch" => if self.mta_sts_fetch { "on" } else { "off" }.to_string(),
            other => return Err(unknown_key(other)),
        })
    }

    /// Sets `key` from text after validating it.
    pub fn set_text(&mut self, key: &str, value: &str) -> Result<(), ValidationError> {
        match key {
            "nameservers" => {
                self.dns.nameservers = parse_nameservers(value)?;
            }
            "timeout" => self.dns.timeout_secs = DnsSettings::parse_timeout(value)?,
            "attempts" => {
                let a: u32 = value.trim().parse().map_err(|_| {
                    ValidationError::new("attempts", format!("'{value}' is not a whole number"))
                })?;
                self.dns = DnsSettings {
                    attempts: a,
                    ..self.dns.clone()
                }
                .validate()?;
            }
            "dqs_key" => self.dqs_key = parse_dqs_key(value)?,
            "mta_sts_fetch" => {
                self.mta_sts_fetch = match value.trim().to_ascii_lowercase().as_str() {
                    "on" | "true" | "yes" | "1" => true,
                    "off" | "false" | "no" | "0" => false,
                    _ => {
                        return Err(ValidationError::new(
                            "mta_sts_fetch",
                            format!("'{value}' is not on or off"),
                        ));
                    }
                }
            }
            other => return Err(unknown_key(other)),
        }
        Ok(())
    }
}

/// Parses a list of nameservers separated by commas or white space (empty = system).
pub fn parse_nameservers(value: &str) -> Result<Vec<Nameserver>, ValidationError> {
    let mut out = Vec::new();
    for part in value
        .split([',', ' ', '\t', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        let ns = Nameserver::parse(part)?;
        if !out.contains(&ns) {
            out.push(ns);
        }
    }
    Ok(out)
}

fn parse_dqs_key(value: &str) -> Result<Option<String>, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    // The key becomes a DNS label: <key>.zen.dq.spamhaus.net.
    if v.len() > 63 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ValidationError::new(
            "dqs_key",
            "a Spamhaus DQS key is letters and digits only, at most 63 characters",
        ));
    }
    Ok(Some(v.to_ascii_lowercase()))
}

fn unknown_key(key: &str) -> ValidationError {
    let known: Vec<&str> = SETTING_KEYS.iter().map(|(k, _)| *k).collect();
    ValidationError::new(
        "key",
        format!("unknown setting '{key}'; known: {}", known.join(", ")),
    )
}

impl Store {
    /// Current settings, defaults filled in.
    pub fn settings(&self) -> Result<Settings, StoreError> {
        let mut s = Settings::default();
        if let Some(v) = self.raw_setting("nameservers")? {
            s.dns.nameservers = serde_json::from_value(v)?;
        }
        if let Some(v) = self.raw_setting("timeout")? {
            s.dns.timeout_secs = serde_json::from_value(v)?;
        }
        if let Some(v) = self.raw_setting("attempts")? {
            s.dns.attempts = serde_json::from_value(v)?;
        }
        if let Some(v) = self.raw_setting("dqs_key")? {
            s.dqs_key = serde_json::from_value(v)?;
        }
        if let Some(v) = self.raw_setting("mta_sts_fetch")? {
            s.mta_sts_fetch = serde_json::from_value(v)?;
        }
        Ok(s)
    }

    /// Validates and saves all settings at once (one transaction).
    pub fn save_settings(&mut self, s: &Settings) -> Result<(), StoreError> {
        let dns = s.dns.clone().validate()?;
        if let Some(k) = &s.dqs_key {
            parse_dqs_key(k)?;
        }
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?;
            stmt.execute(params![
                "nameservers",
                serde_json::to_string(&dns.nameservers)?
            ])?;
            stmt.execute(params![
                "timeout",
                serde_json::to_string(&dns.timeout_secs)?
            ])?;
            stmt.execute(params!["attempts", serde_json::to_string(&dns.attempts)?])?;
            stmt.execute(params!["dqs_key", serde_json::to_string(&s.dqs_key)?])?;
            stmt.execute(params![
                "mta_sts_fetch",
                serde_json::to_string(&s.mta_sts_fetch)?
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Sets one setting from text (`settings set KEY VALUE`).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<Settings, StoreError> {
        let mut s = self.settings()?;
        s.set_text(key, value)?;
        self.save_settings(&s)?;
        Ok(s)
    }

    fn raw_setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(match text {
            Some(t) => Some(serde_json::from_str(&t)?),
            None => None,
        })
    }
}

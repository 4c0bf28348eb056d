//! A customer account: the domains, sending IPs and DKIM selectors a specialist inspects.
//!
//! The model lives here (not in the store) so the CLI, the app and every check validate
//! input the same way before anything is written.

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// What a user submits to create or edit an account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInput {
    /// Unique display name (1–100 characters, no control characters).
    pub name: String,
    /// Sending domains (normalized to lowercase, no trailing dot).
    pub domains: Vec<String>,
    /// Sending IPs, v4 or v6.
    pub sending_ips: Vec<String>,
    /// DKIM selectors in use.
    pub dkim_selectors: Vec<String>,
    /// Free-form notes.
    pub notes: String,
}

/// An account input that passed validation, in normalized form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidAccount {
    /// Trimmed name.
    pub name: String,
    /// Lowercase domains without trailing dot, deduplicated, in input order.
    pub domains: Vec<String>,
    /// IPs in canonical text form, deduplicated.
    pub sending_ips: Vec<IpAddr>,
    /// Selectors, lowercase, deduplicated.
    pub dkim_selectors: Vec<String>,
    /// Notes as given.
    pub notes: String,
}

/// Longest notes accepted, in bytes.
pub const MAX_NOTES: usize = 64 * 1024;

impl AccountInput {
    /// Checks every field and returns the normalized account, or the first problem.
    pub fn validate(&self) -> Result<ValidAccount, ValidationError> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(ValidationError::new("name", "the account name is empty"));
        }
        if name.chars().count() > 100 {
            return Err(ValidationError::new(
                "name",
                "the account name is longer than 100 characters",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "name",
                "the account name contains control characters",
            ));
        }
        let mut seen = BTreeSet::new();
        let mut domains = Vec::new();
        for raw in &self.domains {
            let d = normalize_domain(raw).map_err(|r| ValidationError::new("domains", r))?;
            if seen.insert(d.clone()) {
                domains.push(d);
            }
        }
        let mut sending_ips = Vec::new();
        for raw in &self.sending_ips {
            let ip: IpAddr = raw.trim().parse().map_err(|_| {
                ValidationError::new(
                    "sending_ips",
                    format!("'{raw}' is not an IPv4 or IPv6 address"),
                )
            })?;
            if !sending_ips.contains(&ip) {
                sending_ips.push(ip);
            }
        }
        let mut dkim_selectors = Vec::new();
        for raw in &self.dkim_selectors {
            let s =
                normalize_selector(raw).map_err(|r| ValidationError::new("dkim_selectors", r))?;
            if !dkim_selectors.contains(&s) {
                dkim_selectors.push(s);
            }
        }
        if self.notes.len() > MAX_NOTES {
            return Err(ValidationError::new(
                "notes",
                format!("notes are longer than {MAX_NOTES} bytes"),
            ));
        }
        Ok(ValidAccount {
            name,
            domains,
            sending_ips,
            dkim_selectors,
            notes: self.notes.clone(),
        })
    }
}

/// Normalizes a domain name: lowercase, no trailing dot, LDH labels of 1–63 octets,
/// 253 octets at most (RFC 1035 §2.3.4, RFC 5890 A-labels). Returns the reason on failure.
pub fn normalize_domain(raw: &str) -> Result<String, String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() {
        return Err(format!("'{raw}' is empty"));
    }
    if !d.is_ascii() {
        return Err(format!(
            "'{raw}' has non-ASCII characters; enter the A-label (xn--…) form"
        ));
    }
    if d.len() > 253 {
        return Err(format!("'{raw}' is longer than 253 characters"));
    }
    if !d.contains('.') {
        return Err(format!("'{raw}' is not a fully qualified domain name"));
    }
    for label in d.split('.') {
        check_label(label).map_err(|why| format!("'{raw}': {why}"))?;
    }
    Ok(d)
}

fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("has an empty label".into());
    }
    if label.len() > 63 {
        return Err(format!("label '{label}' is longer than 63 characters"));
    }
    // Underscore is allowed: service labels (_dmarc, _domainkey) are legitimate in DNS names.
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "label '{label}' has characters other than letters, digits, '-' and '_'"
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!("label '{label}' starts or ends with '-'"));
    }
    Ok(())
}

/// Normalizes a DKIM selector (RFC 6376 §3.1: `sub-domain *( "." sub-domain )`).
pub fn normalize_selector(raw: &str) -> Result<String, String> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(format!("selector '{raw}' is empty"));
    }
    for label in s.split('.') {
        check_label(label).map_err(|why| format!("selector '{raw}': {why}"))?;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            name: "  Acme Corp ".into(),
            domains: vec![
                "Example.COM.".into(),
                "example.com".into(),
                "mail.example.org".into(),
            ],
            sending_ips: vec![
                "192.0.2.1".into(),
                " 2001:db8::1".into(),
                "192.0.2.1".into(),
            ],
            dkim_selectors: vec!["S1".into(), "google".into()],
            notes: "ticket 42".into(),
        }
    }

    #[test]
    fn normalizes_and_deduplicates() {
        let v = input().validate().expect("valid");
        assert_eq!(v.name, "Acme Corp");
        assert_eq!(v.domains, vec!["example.com", "mail.example.org"]);
        assert_eq!(v.sending_ips.len(), 2);
        assert_eq!(v.dkim_selectors, vec!["s1", "google"]);
    }

    #[test]
    fn rejects_bad_fields_naming_them() {
        let mut i = input();
        i.sending_ips.push("999.1.1.1".into());
        let e = i.validate().expect_err("bad ip");
        assert_eq!(e.field, "sending_ips");
        assert!(e.reason.contains("999.1.1.1"));

        let mut i = input();
        i.domains.push("exa mple.com".into());
        assert_eq!(i.validate().expect_err("bad domain").field, "domains");

        let mut i = input();
        i.domains = vec!["localhost".into()];
        assert!(
            i.validate()
                .expect_err("not fqdn")
                .reason
                .contains("fully qualified")
        );

        let mut i = input();
        i.name = " ".into();
        assert_eq!(i.validate().expect_err("empty").field, "name");

        let mut i = input();
        i.domains = vec![format!("{}.com", "a".repeat(64))];
        assert!(i.validate().expect_err("long label").reason.contains("63"));

        let mut i = input();
        i.dkim_selectors = vec!["bad selector".into()];
        assert_eq!(i.validate().expect_err("sel").field, "dkim_selectors");
    }
}

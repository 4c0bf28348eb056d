//! The DNSBL catalogue: lists as data.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::account::normalize_domain;

/// The catalogue Inboxlens ships (`rules/blocklists.toml`).
pub const DEFAULT_CATALOGUE: &str = include_str!("../../../../rules/blocklists.toml");

/// What a list is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// IPv4 addresses (and IPv6 when `ipv6 = true`).
    Ip,
    /// IPv4 addresses only.
    Ip4,
    /// IPv6 addresses only.
    Ip6,
    /// Domain names (queried with the registered domain).
    Domain,
}

fn default_true() -> bool {
    true
}
fn default_weight() -> u8 {
    5
}
fn default_rate() -> u32 {
    50
}

/// One list, as written in the catalogue file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// Display name.
    pub name: String,
    /// DNS zone queried.
    pub zone: String,
    /// What it lists.
    pub kind: ListKind,
    /// For `ip` lists: whether IPv6 (nibble) queries are answered.
    #[serde(default)]
    pub ipv6: bool,
    /// Answer → meaning (for bitmask lists: bit value → meaning).
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
    /// Answers that mean the query was refused, not a listing.
    #[serde(default)]
    pub errors: BTreeMap<String, String>,
    /// Where to look up and request removal.
    #[serde(default)]
    pub delist_url: String,
    /// Only answers with a subscription key (`<key>.<zone>`).
    #[serde(default)]
    pub needs_key: bool,
    /// Spamhaus DQS zone used instead of `zone` when a DQS key is set.
    #[serde(default)]
    pub dqs_zone: Option<String>,
    /// Checked by default.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// 1–10: how much receivers rely on it.
    #[serde(default = "default_weight")]
    pub weight: u8,
    /// Codes are bits of the last octet.
    #[serde(default)]
    pub bitmask: bool,
    /// Entry that must be listed (RFC 5782 §5).
    #[serde(default)]
    pub test_listed: Option<String>,
    /// Entry that must not be listed (RFC 5782 §5).
    #[serde(default)]
    pub test_unlisted: Option<String>,
    /// Queries per second at most.
    #[serde(default = "default_rate")]
    pub rate: u32,
}

impl ListSpec {
    /// The RFC 5782 §5 entry that must be listed.
    pub fn test_listed(&self) -> String {
        self.test_listed.clone().unwrap_or_else(|| match self.kind {
            ListKind::Domain => "test".into(),
            ListKind::Ip6 => "::ffff:127.0.0.2".into(),
            _ => "127.0.0.2".into(),
        })
    }

    /// The RFC 5782 §5 entry that must not be listed.
    pub fn test_unlisted(&self) -> String {
        self.test_unlisted
            .clone()
            .unwrap_or_else(|| match self.kind {
                ListKind::Domain => "invalid".into(),
                ListKind::Ip6 => "::ffff:127.0.0.1".into(),
                _ => "127.0.0.1".into(),
            })
    }

    /// Whether this list answers for IPv4 addresses / IPv6 addresses / domains.
    pub fn accepts(&self, target: &super::Target) -> bool {
        match (target, self.kind) {
            (super::Target::Ip(IpAddr::V4(_)), ListKind::Ip | ListKind::Ip4) => true,
            (super::Target::Ip(IpAddr::V6(_)), ListKind::Ip6) => true,
            (super::Target::Ip(IpAddr::V6(_)), ListKind::Ip) => self.ipv6,
            (super::Target::Domain(_), ListKind::Domain) => true,
            _ => false,
        }
    }

    fn validate(&mut self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("name is empty".into());
        }
        self.zone = normalize_domain(&self.zone).map_err(|e| format!("zone {e}"))?;
        if let Some(z) = &self.dqs_zone {
            self.dqs_zone = Some(normalize_domain(z).map_err(|e| format!("dqs_zone {e}"))?);
        }
        if !(1..=10).contains(&self.weight) {
            return Err(format!("weight {} is outside 1–10", self.weight));
        }
        if !(1..=10_000).contains(&self.rate) {
            return Err(format!(
                "rate {} is outside 1–10000 queries per second",
                self.rate
            ));
        }
        for key in self.codes.keys() {
            if self.bitmask {
                let bit: u8 = key
                    .parse()
                    .map_err(|_| format!("codes: '{key}' is not a bit value (1–255)"))?;
                if bit == 0 || !bit.is_power_of_two() {
                    return Err(format!(
                        "codes: '{key}' is not a single bit (1, 2, 4, … 128)"
                    ));
                }
            } else {
                check_loopback_answer("codes", key)?;
            }
        }
        for key in self.errors.keys() {
            check_loopback_answer("errors", key)?;
        }
        let url = &self.delist_url;
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(format!("delist_url '{url}' is not an http(s) URL"));
        }
        Ok(())
    }
}

/// RFC 5782 §2.3: answers are A records in 127.0.0.0/8.
fn check_loopback_answer(field: &str, key: &str) -> Result<(), String> {
    let ip: Ipv4Addr = key
        .parse()
        .map_err(|_| format!("{field}: '{key}' is not an IPv4 address"))?;
    if ip.octets()[0] != 127 {
        return Err(format!(
            "{field}: '{key}' is outside 127.0.0.0/8 (RFC 5782 §2.3)"
        ));
    }
    Ok(())
}

/// A catalogue file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    /// Not valid TOML, or a field of the wrong type or name.
    #[error("{source_name}: {message}")]
    Syntax {
        /// File name (or "built-in catalogue").
        source_name: String,
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// A list with an unusable value.
    #[error("{source_name}: list '{list}': {reason}")]
    Invalid {
        /// File name.
        source_name: String,
        /// The list's name (or zone).
        list: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    list: Vec<ListSpec>,
}

/// A validated set of lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    /// The lists, in file order.
    pub lists: Vec<ListSpec>,
}

impl Catalogue {
    /// Parses and validates a catalogue; `source_name` names it in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self, CatalogueError> {
        let file: CatalogueFile = toml::from_str(text).map_err(|e| CatalogueError::Syntax {
            source_name: source_name.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut lists = file.list;
        let mut zones = std::collections::BTreeSet::new();
        for l in &mut lists {
            let label = if l.name.is_empty() {
                l.zone.clone()
            } else {
                l.name.clone()
            };
            l.validate().map_err(|reason| CatalogueError::Invalid {
                source_name: source_name.to_string(),
                list: label.clone(),
                reason,
            })?;
            if !zones.insert(l.zone.clone()) {
                return Err(CatalogueError::Invalid {
                    source_name: source_name.to_string(),
                    list: label,
                    reason: format!("zone {} appears twice", l.zone),
                });
            }
        }
        if lists.is_empty() {
            return Err(CatalogueError::Invalid {
                source_name: source_name.to_string(),
                list: "-".into(),
                reason: "the file defines no [[list]]".into(),
            });
        }
        Ok(Self { lists })
    }

    /// The built-in catalogue.
    pub fn builtin() -> Self {
        Self::from_toml(DEFAULT_CATALOGUE, "rules/blocklists.toml")
            .expect("the built-in catalogue is validated by a unit test")
    }

    /// Writes the catalogue back as TOML (the same format it was read from).
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            list: &'a [ListSpec],
        }
        toml::to_string(&Out { list: &self.lists }).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_valid_and_has_the_major_lists() {
        let c = Catalogue::from_toml(DEFAULT_CATALOGUE, "builtin").expect("valid");
        let zones: Vec<&str> = c.lists.iter().map(|l| l.zone.as_str()).collect();
        for z in [
            "zen.spamhaus.org",
            "dbl.spamhaus.org",
            "b.barracudacentral.org",
            "bl.spamcop.net",
            "dnsbl-1.uceprotect.net",
            "dnsbl-2.uceprotect.net",
            "dnsbl-3.uceprotect.net",
            "psbl.surriel.com",
            "bl.mailspike.net",
            "multi.surbl.org",
            "multi.uribl.com",
        ] {
            assert!(zones.contains(&z), "missing {z}");
        }
        assert!(
            !zones.iter().any(|z| z.contains("sorbs")),
            "SORBS closed in 2024"
        );
        let zen = &c.lists[0];
        assert_eq!(zen.test_listed(), "127.0.0.2");
        assert_eq!(zen.test_unlisted(), "127.0.0.1");
        assert!(zen.errors.contains_key("127.255.255.254"));
        // Round trip through the same format.
        let again = Catalogue::from_toml(&c.to_toml(), "roundtrip").expect("round trip");
        assert_eq!(again, c);
    }

    #[test]
    fn errors_name_the_file_list_and_problem() {
        let e = Catalogue::from_toml(
            "[[list]]\nname = \"X\"\nzone = \"x.example\"\nkind = \"ipv9\"\n",
            "my.toml",
        )
        .expect_err("bad kind");
        assert!(e.to_string().starts_with("my.toml:"), "{e}");
        assert!(e.to_string().contains("ipv9"), "{e}");
        let e = Catalogue::from_toml(
            "[[list]]\nname = \"X\"\nzone = \"x.example\"\nkind = \"ip\"\ncodes = { \"10.0.0.2\" = \"no\" }\n",
            "my.toml",
        )
        .expect_err("bad code");
        assert!(
            e.to_string().contains("list 'X'") && e.to_string().contains("127.0.0.0/8"),
            "{e}"
        );
        let e = Catalogue::from_toml(
            "[[list]]\nname = \"U\"\nzone = \"u.example\"\nkind = \"domain\"\nbitmask = true\ncodes = { \"6\" = \"two bits\" }\n",
            "f",
        )
        .expect_err("not a bit");
        assert!(e.to_string().contains("single bit"), "{e}");
        let e = Catalogue::from_toml(
            "[[list]]\nname = \"X\"\nzone = \"x.example\"\nkind = \"ip\"\nzonee = 1\n",
            "f",
        )
        .expect_err("unknown field");
        assert!(e.to_string().contains("zonee"), "{e}");
        assert!(Catalogue::from_toml("", "empty.toml").is_err());
    }
}

//! Answers in a form the checks, the store and the UI can all use.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use serde::{Deserialize, Serialize};

/// The record types the engine asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordKind {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Mail exchanger.
    Mx,
    /// Text (SPF, DKIM, DMARC, MTA-STS, TLS-RPT, BIMI).
    Txt,
    /// Reverse pointer.
    Ptr,
    /// Canonical name.
    Cname,
    /// Name servers.
    Ns,
    /// Start of authority.
    Soa,
}

impl RecordKind {
    pub(crate) fn to_hickory(self) -> RecordType {
        match self {
            RecordKind::A => RecordType::A,
            RecordKind::Aaaa => RecordType::AAAA,
            RecordKind::Mx => RecordType::MX,
            RecordKind::Txt => RecordType::TXT,
            RecordKind::Ptr => RecordType::PTR,
            RecordKind::Cname => RecordType::CNAME,
            RecordKind::Ns => RecordType::NS,
            RecordKind::Soa => RecordType::SOA,
        }
    }

    /// The type mnemonic (`TXT`, `AAAA`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::A => "A",
            RecordKind::Aaaa => "AAAA",
            RecordKind::Mx => "MX",
            RecordKind::Txt => "TXT",
            RecordKind::Ptr => "PTR",
            RecordKind::Cname => "CNAME",
            RecordKind::Ns => "NS",
            RecordKind::Soa => "SOA",
        }
    }
}

/// Record data, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum RecordData {
    /// IPv4 address.
    A {
        /// The address.
        address: Ipv4Addr,
    },
    /// IPv6 address.
    Aaaa {
        /// The address.
        address: Ipv6Addr,
    },
    /// Mail exchanger.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// Host name, fully qualified with trailing dot (`.` alone is a null MX, RFC 7505).
        exchange: String,
    },
    /// Text record: its character-strings as they came, each lossily decoded as UTF-8.
    Txt {
        /// The character-strings (each at most 255 octets on the wire).
        strings: Vec<String>,
    },
    /// Reverse pointer.
    Ptr {
        /// Target name with trailing dot.
        target: String,
    },
    /// Canonical name.
    Cname {
        /// Target name with trailing dot.
        target: String,
    },
    /// Name server.
    Ns {
        /// Server name with trailing dot.
        target: String,
    },
    /// Anything else, in presentation format.
    Other {
        /// Type mnemonic.
        rtype: String,
        /// Presentation format.
        text: String,
    },
}

/// One resource record of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecord {
    /// Owner name with trailing dot.
    pub name: String,
    /// Time to live in seconds, as served.
    pub ttl: u32,
    /// Decoded data.
    pub data: RecordData,
}

/// A name as text with its labels verbatim (no presentation-format escaping, so a label
/// such as `foo:bar/baz` can be queried again as it came), with a trailing dot.
fn name_text(n: &Name) -> String {
    if n.is_root() {
        return ".".into();
    }
    let mut s = String::new();
    for label in n.iter() {
        s.push_str(&String::from_utf8_lossy(label));
        s.push('.');
    }
    s
}

impl DnsRecord {
    pub(crate) fn from_hickory(r: &Record) -> Self {
        let data = match &r.data {
            RData::A(a) => RecordData::A { address: a.0 },
            RData::AAAA(a) => RecordData::Aaaa { address: a.0 },
            RData::MX(mx) => RecordData::Mx {
                preference: mx.preference,
                exchange: name_text(&mx.exchange),
            },
            RData::TXT(txt) => RecordData::Txt {
                strings: txt
                    .txt_data
                    .iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect(),
            },
            RData::PTR(p) => RecordData::Ptr {
                target: name_text(&p.0),
            },
            RData::CNAME(c) => RecordData::Cname {
                target: name_text(&c.0),
            },
            RData::NS(n) => RecordData::Ns {
                target: name_text(&n.0),
            },
            other => RecordData::Other {
                rtype: other.record_type().to_string(),
                text: other.to_string(),
            },
        };
        DnsRecord {
            name: name_text(&r.name),
            ttl: r.ttl,
            data,
        }
    }

    /// The record in zone-file presentation form, for evidence lines.
    pub fn presentation(&self) -> String {
        let (t, v) = match &self.data {
            RecordData::A { address } => ("A", address.to_string()),
            RecordData::Aaaa { address } => ("AAAA", address.to_string()),
            RecordData::Mx {
                preference,
                exchange,
            } => ("MX", format!("{preference} {exchange}")),
            RecordData::Txt { strings } => (
                "TXT",
                strings
                    .iter()
                    .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            RecordData::Ptr { target } => ("PTR", target.clone()),
            RecordData::Cname { target } => ("CNAME", target.clone()),
            RecordData::Ns { target } => ("NS", target.clone()),
            RecordData::Other { rtype, text } => (rtype.as_str(), text.clone()),
        };
        format!("{} {} IN {} {}", self.name, self.ttl, t, v)
    }
}

/// Whether the name had records of the type asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerStatus {
    /// At least one record of the type asked for.
    Records,
    /// The name exists but has no record of this type (NOERROR, empty answer).
    NoData,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
}

impl AnswerStatus {
    /// For evidence lines: "records", "no records (NODATA)", "name does not exist (NXDOMAIN)".
    pub fn describe(self) -> &'static str {
        match self {
            AnswerStatus::Records => "records",
            AnswerStatus::NoData => "no records (NODATA)",
            AnswerStatus::NxDomain => "name does not exist (NXDOMAIN)",
        }
    }
}

/// The answer to one query. NXDOMAIN and NODATA are answers, not errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The name asked for, fully qualified with trailing dot.
    pub name: String,
    /// The type asked for.
    pub kind: RecordKind,
    /// Records, NODATA or NXDOMAIN.
    pub status: AnswerStatus,
    /// The answer section: records of the asked type, preceded by any CNAMEs followed.
    pub records: Vec<DnsRecord>,
}

impl Answer {
    /// Records of the type asked for (CNAMEs followed on the way are left out).
    pub fn matching(&self) -> impl Iterator<Item = &DnsRecord> {
        let kind = self.kind;
        self.records.iter().filter(move |r| match (&r.data, kind) {
            (RecordData::A { .. }, RecordKind::A)
            | (RecordData::Aaaa { .. }, RecordKind::Aaaa)
            | (RecordData::Mx { .. }, RecordKind::Mx)
            | (RecordData::Txt { .. }, RecordKind::Txt)
            | (RecordData::Ptr { .. }, RecordKind::Ptr)
            | (RecordData::Cname { .. }, RecordKind::Cname)
            | (RecordData::Ns { .. }, RecordKind::Ns) => true,
            (RecordData::Other { rtype, .. }, k) => rtype == k.as_str(),
            _ => false,
        })
    }

    /// Each TXT record's character-strings joined without separators, one entry per
    /// record (RFC 7208 §3.3, RFC 6376 §3.6.2.2). Records are never merged with each
    /// other: "two SPF records" must stay visible as two.
    pub fn txt(&self) -> Vec<String> {
        self.matching()
            .filter_map(|r| match &r.data {
                RecordData::Txt { strings } => Some(strings.concat()),
                _ => None,
            })
            .collect()
    }

    /// The addresses of an A or AAAA answer.
    pub fn ips(&self) -> Vec<std::net::IpAddr> {
        self.matching()
            .filter_map(|r| match &r.data {
                RecordData::A { address } => Some((*address).into()),
                RecordData::Aaaa { address } => Some((*address).into()),
                _ => None,
            })
            .collect()
    }

    /// `(preference, exchange)` pairs of an MX answer, in served order.
    pub fn mx(&self) -> Vec<(u16, String)> {
        self.matching()
            .filter_map(|r| match &r.data {
                RecordData::Mx {
                    preference,
                    exchange,
                } => Some((*preference, exchange.clone())),
                _ => None,
            })
            .collect()
    }

    /// Names of PTR, CNAME or NS answers.
    pub fn targets(&self) -> Vec<String> {
        self.matching()
            .filter_map(|r| match &r.data {
                RecordData::Ptr { target }
                | RecordData::Cname { target }
                | RecordData::Ns { target } => Some(target.clone()),
                _ => None,
            })
            .collect()
    }

    /// CNAMEs the resolver followed to get here, as `(owner, target)`.
    pub fn cname_chain(&self) -> Vec<(String, String)> {
        if self.kind == RecordKind::Cname {
            return Vec::new();
        }
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RecordData::Cname { target } => Some((r.name.clone(), target.clone())),
                _ => None,
            })
            .collect()
    }
}

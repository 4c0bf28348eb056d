//! The DMARC record: `v=DMARC1; p=…; …` (RFC 7489 §6.3 and §6.4 ABNF; RFC 9989 tags).

use serde::Serialize;
use thiserror::Error;

/// A syntax error with its byte position (0-based) in the record.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("at position {position}: {message}")]
pub struct DmarcError {
    /// Byte offset of the offending tag.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

/// `p=`, `sp=`, `np=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Monitor only.
    None,
    /// Treat failing mail as suspicious (spam folder).
    Quarantine,
    /// Reject failing mail.
    Reject,
}

/// `adkim=` / `aspf=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    /// Organizational domains must match.
    Relaxed,
    /// Exact domains must match.
    Strict,
}

/// One `rua=`/`ruf=` destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportUri {
    /// The URI as written (`mailto:dmarc@example.com`).
    pub uri: String,
    /// The address's domain for mailto: URIs (for the external-destination check).
    pub domain: Option<String>,
    /// `!10m`-style size limit, if any.
    pub max_size: Option<String>,
}

/// A parsed DMARC record. Tags that were absent hold their RFC defaults where one exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DmarcRecord {
    /// The record as published.
    pub text: String,
    /// `p=`, if valid and present.
    pub p: Option<Policy>,
    /// `sp=`, if present.
    pub sp: Option<Policy>,
    /// `np=` (RFC 9989), if present.
    pub np: Option<Policy>,
    /// `adkim=` (default relaxed).
    pub adkim: Alignment,
    /// `aspf=` (default relaxed).
    pub aspf: Alignment,
    /// `pct=` (RFC 7489; default 100; removed by RFC 9989).
    pub pct: Option<u8>,
    /// `t=y` (RFC 9989 testing mode).
    pub testing: bool,
    /// `psd=` (RFC 9989): `y`, `n` or `u`.
    pub psd: Option<char>,
    /// Aggregate report destinations.
    pub rua: Vec<ReportUri>,
    /// Failure report destinations.
    pub ruf: Vec<ReportUri>,
    /// `fo=` options as written.
    pub fo: Option<String>,
    /// `rf=` / `ri=` (RFC 7489 only) as written.
    pub deprecated: Vec<String>,
    /// Tags this parser does not know (ignored by receivers).
    pub unknown: Vec<String>,
}

fn policy(v: &str) -> Option<Policy> {
    match v.to_ascii_lowercase().as_str() {
        "none" => Some(Policy::None),
        "quarantine" => Some(Policy::Quarantine),
        "reject" => Some(Policy::Reject),
        _ => None,
    }
}

fn uris(v: &str, pos: usize, tag: &str) -> Result<Vec<ReportUri>, DmarcError> {
    let mut out = Vec::new();
    for raw in v.split(',') {
        let u = raw.trim();
        let err = |m: String| DmarcError {
            position: pos,
            message: format!("{tag}: {m}"),
        };
        if u.is_empty() {
            return Err(err("empty URI in the list".into()));
        }
        // RFC 7489 §6.2: URI [ "!" size [unit] ]; '!' is not allowed in the URI itself.
        let (uri, size) = match u.rsplit_once('!') {
            Some((a, s)) => {
                let digits = s.trim_end_matches(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(format!("'{s}' is not a size limit (e.g. !10m)")));
                }
                (a, Some(s.to_string()))
            }
            None => (u, None),
        };
        let Some((scheme, rest)) = uri.split_once(':') else {
            return Err(err(format!(
                "'{uri}' is not a URI (expected mailto:address)"
            )));
        };
        let domain = if scheme.eq_ignore_ascii_case("mailto") {
            let addr = rest.split('?').next().unwrap_or("");
            match addr.rsplit_once('@') {
                Some((l, d)) if !l.is_empty() && d.contains('.') => {
                    Some(d.trim_end_matches('.').to_ascii_lowercase())
                }
                _ => return Err(err(format!("'{uri}' is not a mailto: address"))),
            }
        } else {
            None
        };
        out.push(ReportUri {
            uri: uri.to_string(),
            domain,
            max_size: size,
        });
    }
    Ok(out)
}

/// Parses a DMARC record strictly. `v=DMARC1` must come first (RFC 7489 §6.3); unknown tags
/// are kept and ignored; a tag given twice is an error.
pub fn parse(text: &str) -> Result<DmarcRecord, DmarcError> {
    let mut rec = DmarcRecord {
        text: text.to_string(),
        p: None,
        sp: None,
        np: None,
        adkim: Alignment::Relaxed,
        aspf: Alignment::Relaxed,
        pct: None,
        testing: false,
        psd: None,
        rua: Vec::new(),
        ruf: Vec::new(),
        fo: None,
        deprecated: Vec::new(),
        unknown: Vec::new(),
    };
    let mut seen: Vec<String> = Vec::new();
    let mut pos = 0;
    for (i, part) in text.split(';').enumerate() {
        let start = pos + (part.len() - part.trim_start().len());
        pos += part.len() + 1;
        let part = part.trim();
        if part.is_empty() {
            if i == 0 {
                return Err(DmarcError {
                    position: 0,
                    message: "the record must start with v=DMARC1".into(),
                });
            }
            continue;
        }
        let err = |m: String| DmarcError {
            position: start,
            message: m,
        };
        let (tag, value) = part
            .split_once('=')
            .map(|(t, v)| (t.trim(), v.trim()))
            .ok_or_else(|| err(format!("'{part}' is not tag=value")))?;
        let tag_l = tag.to_ascii_lowercase();
        if i == 0 {
            if tag != "v" || value != "DMARC1" {
                return Err(err(
                    "the record must start with exactly \"v=DMARC1\" (RFC 7489 §6.3)".into(),
                ));
            }
            seen.push(tag_l);
            continue;
        }
        if seen.contains(&tag_l) {
            return Err(err(format!("tag '{tag}' appears twice")));
        }
        seen.push(tag_l.clone());
        match tag_l.as_str() {
            "v" => return Err(err("v= must be the first tag".into())),
            "p" => {
                rec.p = Some(policy(value).ok_or_else(|| {
                    err(format!("p={value}: expected none, quarantine or reject"))
                })?)
            }
            "sp" => {
                rec.sp = Some(policy(value).ok_or_else(|| {
                    err(format!("sp={value}: expected none, quarantine or reject"))
                })?)
            }
            "np" => {
                rec.np = Some(policy(value).ok_or_else(|| {
                    err(format!("np={value}: expected none, quarantine or reject"))
                })?)
            }
            "adkim" | "aspf" => {
                let a = match value.to_ascii_lowercase().as_str() {
                    "r" => Alignment::Relaxed,
                    "s" => Alignment::Strict,
                    _ => return Err(err(format!("{tag}={value}: expected r or s"))),
                };
                if tag_l == "adkim" {
                    rec.adkim = a;
                } else {
                    rec.aspf = a;
                }
            }
            "pct" => {
                let n: u8 =
                    value.parse().ok().filter(|n| *n <= 100).ok_or_else(|| {
                        err(format!("pct={value}: expected a whole number 0–100"))
                    })?;
                rec.pct = Some(n);
            }
            "t" => {
                rec.testing = match value.to_ascii_lowercase().as_str() {
                    "y" => true,
                    "n" => false,
                    _ => return Err(err(format!("t={value}: expected y or n (RFC 9989)"))),
                }
            }
            "psd" => {
                let c = value.to_ascii_lowercase();
                if !matches!(c.as_str(), "y" | "n" | "u") {
                    return Err(err(format!("psd={value}: expected y, n or u (RFC 9989)")));
                }
                rec.psd = c.chars().next();
            }
            "rua" => rec.rua = uris(value, start, "rua")?,
            "ruf" => rec.ruf = uris(value, start, "ruf")?,
            "fo" => {
                if !value
                    .split(':')
                    .all(|o| matches!(o.trim(), "0" | "1" | "d" | "s"))
                {
                    return Err(err(format!(
                        "fo={value}: expected 0, 1, d or s, separated by ':'"
                    )));
                }
                rec.fo = Some(value.to_string());
            }
            "rf" | "ri" => rec.deprecated.push(format!("{tag}={value}")),
            _ => rec.unknown.push(format!("{tag}={value}")),
        }
    }
    if seen.is_empty() {
        return Err(DmarcError {
            position: 0,
            message: "empty record".into(),
        });
    }
    Ok(rec)
}

/// Whether a TXT record is a DMARC record candidate (starts with `v=DMARC1`, RFC 7489 §6.6.3).
pub fn is_dmarc(txt: &str) -> bool {
    let t = txt.trim_start();
    t.starts_with("v=DMARC1") && t[8..].trim_start().chars().next().is_none_or(|c| c == ';')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_with_defaults() {
        let r = parse("v=DMARC1; p=quarantine; sp=reject; adkim=s; pct=50; rua=mailto:d@rep.example.net!10m,mailto:x@example.com; fo=1:d; foo=bar").expect("valid");
        assert_eq!(r.p, Some(Policy::Quarantine));
        assert_eq!(r.sp, Some(Policy::Reject));
        assert_eq!(r.adkim, Alignment::Strict);
        assert_eq!(r.aspf, Alignment::Relaxed);
        assert_eq!(r.pct, Some(50));
        assert_eq!(r.rua.len(), 2);
        assert_eq!(r.rua[0].domain.as_deref(), Some("rep.example.net"));
        assert_eq!(r.rua[0].max_size.as_deref(), Some("10m"));
        assert_eq!(r.unknown, vec!["foo=bar"]);
        assert!(
            is_dmarc("v=DMARC1; p=none")
                && is_dmarc("v=DMARC1")
                && !is_dmarc("v=DMARC10; p=none")
                && !is_dmarc("v=spf1 -all")
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("p=none; v=DMARC1", 0, "start"),
            ("v=dmarc1; p=none", 0, "start"),
            ("v=DMARC1; p=block", 10, "expected none"),
            ("v=DMARC1; p=none; p=reject", 18, "twice"),
            ("v=DMARC1; p=none; pct=150", 18, "0–100"),
            ("v=DMARC1; p=none; rua=dmarc@example.com", 18, "not a URI"),
            ("v=DMARC1; p=none; rua=mailto:nobody", 18, "mailto"),
            ("v=DMARC1; p=none; adkim=x", 18, "r or s"),
            ("v=DMARC1; p=none; t=maybe", 18, "y or n"),
            ("v=DMARC1; p=none; fo=2", 18, "fo="),
            ("v=DMARC1; pnone", 10, "tag=value"),
        ];
        for (rec, pos, needle) in cases {
            let e = parse(rec).expect_err(rec);
            assert_eq!(e.position, pos, "{rec}: {e}");
            assert!(e.message.contains(needle), "{rec}: {e}");
        }
    }
}

//! The SPF record grammar of RFC 7208 §4.5, §5, §6 and §7.1 (macros), parsed strictly.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use thiserror::Error;

/// A syntax error with its byte position in the record (0-based), RFC 7208 §4.6: any
/// syntax error makes the result "permerror".
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("at position {position}: {message}")]
pub struct SpfError {
    /// Byte offset into the record text where the offending term starts.
    pub position: usize,
    /// The offending term.
    pub term: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// `+`, `-`, `~`, `?` (RFC 7208 §4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Qualifier {
    /// `+` (default): pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

/// A mechanism (RFC 7208 §5) with its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Mechanism {
    /// `all`.
    All,
    /// `include:<domain-spec>`.
    Include {
        /// Target (may hold macros).
        domain: String,
    },
    /// `a[:<domain-spec>][/<v4>][//<v6>]`.
    A {
        /// Target, if given.
        domain: Option<String>,
        /// IPv4 prefix length.
        v4: Option<u8>,
        /// IPv6 prefix length.
        v6: Option<u8>,
    },
    /// `mx[:<domain-spec>][/<v4>][//<v6>]`.
    Mx {
        /// Target, if given.
        domain: Option<String>,
        /// IPv4 prefix length.
        v4: Option<u8>,
        /// IPv6 prefix length.
        v6: Option<u8>,
    },
    /// `ptr[:<domain-spec>]` (deprecated, RFC 7208 §5.5).
    Ptr {
        /// Target, if given.
        domain: Option<String>,
    },
    /// `ip4:<network>[/<len>]`.
    Ip4 {
        /// Network address as written.
        addr: Ipv4Addr,
        /// Prefix length (32 when absent).
        len: u8,
    },
    /// `ip6:<network>[/<len>]`.
    Ip6 {
        /// Network address as written.
        addr: Ipv6Addr,
        /// Prefix length (128 when absent).
        len: u8,
    },
    /// `exists:<domain-spec>`.
    Exists {
        /// Target (usually with macros).
        domain: String,
    },
}

impl Mechanism {
    /// Whether evaluating it costs a DNS lookup against the limit of 10 (RFC 7208 §4.6.4).
    pub fn counts_lookup(&self) -> bool {
        matches!(
            self,
            Mechanism::Include { .. }
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr { .. }
                | Mechanism::Exists { .. }
        )
    }
}

/// A directive: qualifier and mechanism.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Qualifier (`+` when not written).
    pub qualifier: Qualifier,
    /// Mechanism.
    pub mechanism: Mechanism,
}

/// A modifier (RFC 7208 §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Modifier {
    /// `redirect=<domain-spec>`.
    Redirect {
        /// Target.
        domain: String,
    },
    /// `exp=<domain-spec>`.
    Exp {
        /// Where the explanation TXT lives.
        domain: String,
    },
    /// Any other `name=value`: ignored by receivers (RFC 7208 §6).
    Unknown {
        /// Name.
        name: String,
        /// Value.
        value: String,
    },
}

/// One term of the record with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The term as written.
    pub text: String,
    /// Byte offset in the record.
    pub position: usize,
    /// What it is.
    pub kind: TermKind,
}

/// Directive or modifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "term", rename_all = "lowercase")]
pub enum TermKind {
    /// A directive.
    Directive(Directive),
    /// A modifier.
    Modifier(Modifier),
}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfRecord {
    /// The record as published.
    pub text: String,
    /// Its terms in order.
    pub terms: Vec<Term>,
}

impl SpfRecord {
    /// The directives in order.
    pub fn directives(&self) -> impl Iterator<Item = (&Term, &Directive)> {
        self.terms.iter().filter_map(|t| match &t.kind {
            TermKind::Directive(d) => Some((t, d)),
            TermKind::Modifier(_) => None,
        })
    }

    /// The `redirect=` modifier, if any.
    pub fn redirect(&self) -> Option<&str> {
        self.terms.iter().find_map(|t| match &t.kind {
            TermKind::Modifier(Modifier::Redirect { domain }) => Some(domain.as_str()),
            _ => None,
        })
    }

    /// The `exp=` modifier, if any.
    pub fn exp(&self) -> Option<&str> {
        self.terms.iter().find_map(|t| match &t.kind {
            TermKind::Modifier(Modifier::Exp { domain }) => Some(domain.as_str()),
            _ => None,
        })
    }
}

/// Whether `txt` is an SPF record at all: `v=spf1` followed by a space or the end
/// (RFC 7208 §4.5; case-insensitive). Other TXT records at the name are not SPF.
pub fn is_spf(txt: &str) -> bool {
    let lower = txt.get(..6).map(str::to_ascii_lowercase);
    lower.as_deref() == Some("v=spf1") && (txt.len() == 6 || txt.as_bytes()[6] == b' ')
}

/// Parses an SPF record strictly (RFC 7208 §4.5, §12 ABNF).
pub fn parse(text: &str) -> Result<SpfRecord, SpfError> {
    let err = |position: usize, term: &str, message: String| SpfError {
        position,
        term: term.to_string(),
        message,
    };
    if !is_spf(text) {
        return Err(err(
            0,
            text.get(..6).unwrap_or(text),
            "the record does not start with \"v=spf1\" followed by a space".into(),
        ));
    }
    if let Some(p) = text.find(|c: char| !(c == ' ' || c.is_ascii_graphic())) {
        return Err(err(
            p,
            &text[p..p + text[p..].chars().next().map_or(1, char::len_utf8)],
            "only printable ASCII and spaces are allowed (RFC 7208 §3.1, §12)".into(),
        ));
    }
    let mut terms = Vec::new();
    let mut seen_redirect = false;
    let mut seen_exp = false;
    let mut pos = 6;
    for raw in text[6..].split(' ') {
        let start = pos;
        pos += raw.len() + 1;
        if raw.is_empty() {
            continue;
        }
        let kind = parse_term(raw).map_err(|m| err(start, raw, m))?;
        if let TermKind::Modifier(m) = &kind {
            let (seen, name) = match m {
                Modifier::Redirect { .. } => (&mut seen_redirect, "redirect"),
                Modifier::Exp { .. } => (&mut seen_exp, "exp"),
                Modifier::Unknown { .. } => (&mut false, ""),
            };
            if *seen {
                return Err(err(
                    start,
                    raw,
                    format!("\"{name}=\" appears twice (RFC 7208 §6: at most once)"),
                ));
            }
            *seen = true;
        }
        terms.push(Term {
            text: raw.to_string(),
            position: start,
            kind,
        });
    }
    Ok(SpfRecord {
        text: text.to_string(),
        terms,
    })
}

fn parse_term(raw: &str) -> Result<TermKind, String> {
    // Modifier: name "=" value, where name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    let name_end = raw
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(raw.len());
    if raw[name_end..].starts_with('=') && raw.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let name = raw[..name_end].to_ascii_lowercase();
        let value = &raw[name_end + 1..];
        return Ok(TermKind::Modifier(match name.as_str() {
            "redirect" => Modifier::Redirect {
                domain: domain_spec(value, false).map_err(|e| format!("redirect: {e}"))?,
            },
            "exp" => Modifier::Exp {
                domain: domain_spec(value, false).map_err(|e| format!("exp: {e}"))?,
            },
            _ => {
                macro_string(value, false).map_err(|e| format!("modifier {name}: {e}"))?;
                Modifier::Unknown {
                    name,
                    value: value.to_string(),
                }
            }
        }));
    }
    let (qualifier, rest) = match raw.as_bytes()[0] {
        b'+' => (Qualifier::Pass, &raw[1..]),
        b'-' => (Qualifier::Fail, &raw[1..]),
        b'~' => (Qualifier::SoftFail, &raw[1..]),
        b'?' => (Qualifier::Neutral, &raw[1..]),
        _ => (Qualifier::Pass, raw),
    };
    let split = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, args) = (rest[..split].to_ascii_lowercase(), &rest[split..]);
    let mechanism = match name.as_str() {
        "all" => {
            no_args(&name, args)?;
            Mechanism::All
        }
        "include" => Mechanism::Include {
            domain: required_domain(&name, args)?,
        },
        "exists" => Mechanism::Exists {
            domain: required_domain(&name, args)?,
        },
        "a" | "mx" => {
            let (domain, cidr) = optional_domain_and_cidr(args)?;
            let (v4, v6) = dual_cidr(cidr)?;
            if name == "a" {
                Mechanism::A { domain, v4, v6 }
            } else {
                Mechanism::Mx { domain, v4, v6 }
            }
        }
        "ptr" => {
            let (domain, cidr) = optional_domain_and_cidr(args)?;
            if !cidr.is_empty() {
                return Err("ptr takes no prefix length".into());
            }
            Mechanism::Ptr { domain }
        }
        "ip4" => {
            let value = args.strip_prefix(':').ok_or("ip4 needs \":address\"")?;
            let (addr, len) = match value.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (value, None),
            };
            let addr: Ipv4Addr = addr
                .parse()
                .map_err(|_| format!("'{addr}' is not an IPv4 address (four numbers 0–255)"))?;
            Mechanism::Ip4 {
                addr,
                len: cidr_len(len, 32)?,
            }
        }
        "ip6" => {
            let value = args.strip_prefix(':').ok_or("ip6 needs \":address\"")?;
            let (addr, len) = match value.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (value, None),
            };
            let addr: Ipv6Addr = addr
                .parse()
                .map_err(|_| format!("'{addr}' is not an IPv6 address"))?;
            Mechanism::Ip6 {
                addr,
                len: cidr_len(len, 128)?,
            }
        }
        "" => return Err("empty mechanism".into()),
        other => {
            return Err(format!(
                "unknown mechanism \"{other}\" (RFC 7208 §5: all, include, a, mx, ptr, ip4, ip6, exists)"
            ));
        }
    };
    Ok(TermKind::Directive(Directive {
        qualifier,
        mechanism,
    }))
}

fn no_args(name: &str, args: &str) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!("{name} takes no argument"))
    }
}

fn required_domain(name: &str, args: &str) -> Result<String, String> {
    let value = args
        .strip_prefix(':')
        .ok_or_else(|| format!("{name} needs \":domain\""))?;
    domain_spec(value, false).map_err(|e| format!("{name}: {e}"))
}

/// `[":" domain-spec] [dual-cidr]`: the prefix lengths are taken from the end of the term,
/// so a domain-spec may itself contain '/' or ':' (RFC 7208 §12 ABNF; `a:foo:bar/baz.example.com`).
fn optional_domain_and_cidr(args: &str) -> Result<(Option<String>, &str), String> {
    match args.strip_prefix(':') {
        None => Ok((None, args)),
        Some(rest) => {
            let (domain, cidr) = split_cidr(rest);
            Ok((Some(domain_spec(domain, false)?), cidr))
        }
    }
}

/// Splits a trailing `/N`, `//N` or `/N//M` off `s`.
fn split_cidr(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let trailing_digits = |end: usize| {
        s[..end]
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len()
    };
    let d = trailing_digits(s.len());
    if d == s.len() || d == 0 || b[d - 1] != b'/' {
        return (s, "");
    }
    let mut cut = d - 1;
    if cut > 0 && b[cut - 1] == b'/' {
        cut -= 1;
        let d2 = trailing_digits(cut);
        if d2 < cut && d2 > 0 && b[d2 - 1] == b'/' {
            cut = d2 - 1;
        }
    }
    (&s[..cut], &s[cut..])
}

/// `[ "/" v4 ] [ "//" v6 ]`.
fn dual_cidr(cidr: &str) -> Result<(Option<u8>, Option<u8>), String> {
    if cidr.is_empty() {
        return Ok((None, None));
    }
    if let Some(v6) = cidr.strip_prefix("//") {
        return Ok((None, Some(cidr_len(Some(v6), 128)?)));
    }
    let body = cidr.strip_prefix('/').ok_or("bad prefix length")?;
    match body.split_once("//") {
        Some((v4, v6)) => Ok((
            Some(cidr_len(Some(v4), 32)?),
            Some(cidr_len(Some(v6), 128)?),
        )),
        None => Ok((Some(cidr_len(Some(body), 32)?), None)),
    }
}

/// A prefix length: no leading zeros (RFC 7208 §12 ABNF), at most `max`.
fn cidr_len(text: Option<&str>, max: u8) -> Result<u8, String> {
    let Some(t) = text else { return Ok(max) };
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || (t.len() > 1 && t.starts_with('0'))
    {
        return Err(format!("'/{t}' is not a prefix length"));
    }
    let v: u32 = t
        .parse()
        .map_err(|_| format!("'/{t}' is not a prefix length"))?;
    if v > u32::from(max) {
        return Err(format!("prefix length /{v} is larger than {max}"));
    }
    Ok(v as u8)
}

/// `domain-spec = macro-string domain-end` (RFC 7208 §7.1).
fn domain_spec(value: &str, exp: bool) -> Result<String, String> {
    if value.is_empty() {
        return Err("empty domain".into());
    }
    macro_string(value, exp)?;
    // domain-end: ends in a macro expansion, or a top label that is not all digits.
    if !value.ends_with('}') {
        let trimmed = value.trim_end_matches('.');
        let top = trimmed.rsplit('.').next().unwrap_or("");
        if !trimmed.contains('.') && !value.contains('%') {
            return Err(format!("'{value}' is not a fully qualified domain name"));
        }
        if top.is_empty()
            || top.bytes().all(|b| b.is_ascii_digit())
            || !top.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || top.starts_with('-')
            || top.ends_with('-')
        {
            return Err(format!("'{value}' does not end in a valid top-level label"));
        }
    }
    if value.len() > 253 && !value.contains('%') {
        return Err(format!("'{value}' is longer than 253 characters"));
    }
    Ok(value.to_string())
}

/// Whether one space-separated word of an explanation string (the TXT behind `exp=`) is a
/// valid macro-string, the exp-only letters allowed (RFC 7208 §6.2).
pub fn valid_explanation(text: &str) -> bool {
    macro_string(text, true).is_ok()
}

/// Validates macros (RFC 7208 §7.1): `%{letter digits? r? delimiters*}`, `%%`, `%_`, `%-`.
fn macro_string(value: &str, exp: bool) -> Result<(), String> {
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            if !(0x21..=0x7e).contains(&b[i]) {
                return Err(format!("invalid character in '{value}'"));
            }
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'%' | b'_' | b'-') => i += 2,
            Some(b'{') => {
                let close = value[i..]
                    .find('}')
                    .ok_or_else(|| format!("unclosed macro in '{value}'"))?
                    + i;
                let body = &value[i + 2..close];
                let mut chars = body.chars();
                let letter = chars
                    .next()
                    .ok_or_else(|| format!("empty macro in '{value}'"))?;
                let allowed = if exp {
                    "slodiphcrtvSLODIPHCRTV"
                } else {
                    "slodiphvSLODIPHV"
                };
                if !allowed.contains(letter) {
                    return Err(format!(
                        "macro letter '{letter}' is not allowed here (RFC 7208 §7.2{})",
                        if "crtCRT".contains(letter) {
                            ": c, r and t only in exp"
                        } else {
                            ""
                        }
                    ));
                }
                let rest: String = chars.collect();
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let mut tail = &rest[digits..];
                if digits > 0 && rest[..digits].parse::<u32>().map_or(true, |n| n == 0) {
                    return Err(format!(
                        "macro transformer '{}' must be a number from 1 (RFC 7208 §7.3)",
                        &rest[..digits]
                    ));
                }
                if let Some(t) = tail.strip_prefix(['r', 'R']) {
                    tail = t;
                }
                if !tail
                    .bytes()
                    .all(|c| matches!(c, b'.' | b'-' | b'+' | b',' | b'/' | b'_' | b'='))
                {
                    return Err(format!("invalid macro delimiter in '%{{{body}}}'"));
                }
                i = close + 1;
            }
            _ => {
                return Err(format!(
                    "'%' must be followed by '{{', '%', '_' or '-' in '{value}' (RFC 7208 §7.1)"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_typical_record() {
        let r = parse("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/28//64 include:_spf.google.com ~all").expect("valid");
        assert_eq!(r.terms.len(), 6);
        assert_eq!(r.terms[0].position, 7);
        let kinds: Vec<&Mechanism> = r.directives().map(|(_, d)| &d.mechanism).collect();
        assert_eq!(
            kinds[0],
            &Mechanism::Ip4 {
                addr: "192.0.2.0".parse().expect("ip"),
                len: 24
            }
        );
        assert_eq!(
            kinds[3],
            &Mechanism::Mx {
                domain: Some("mail.example.com".into()),
                v4: Some(28),
                v6: Some(64)
            }
        );
        assert_eq!(
            r.directives().last().map(|(_, d)| d.qualifier),
            Some(Qualifier::SoftFail)
        );
        assert_eq!(
            r.directives()
                .filter(|(_, d)| d.mechanism.counts_lookup())
                .count(),
            3
        );
    }

    #[test]
    fn modifiers_and_macros() {
        let r = parse("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com exp=explain._spf.%{d} foo=bar").expect("valid");
        assert_eq!(r.redirect(), Some("_spf.example.com"));
        assert_eq!(r.exp(), Some("explain._spf.%{d}"));
        assert!(matches!(
            r.terms[3].kind,
            TermKind::Modifier(Modifier::Unknown { .. })
        ));
        assert!(
            is_spf("V=SPF1 -all")
                && is_spf("v=spf1")
                && !is_spf("v=spf10 -all")
                && !is_spf("v=DMARC1")
        );
    }

    #[test]
    fn errors_carry_positions() {
        let cases = [
            ("v=spf1 ip4:192.0.2.300 -all", 7, "IPv4"),
            ("v=spf1 a -alll", 9, "unknown mechanism"),
            ("v=spf1 ip4:192.0.2.0/33", 7, "larger than 32"),
            ("v=spf1 ip6:2001:db8::/129", 7, "larger than 128"),
            ("v=spf1 include -all", 7, "needs"),
            ("v=spf1 redirect=a.example redirect=b.example", 26, "twice"),
            ("v=spf1 exists:%{c}.example.com", 7, "only in exp"),
            ("v=spf1 include:%{x}.example.com", 7, "not allowed"),
            ("v=spf1 a:example.123", 7, "top-level"),
            ("v=spf1 a/024", 7, "prefix length"),
            ("v=spf1 all:foo", 7, "no argument"),
            ("v=spf1 include:50%.example.com", 7, "'%'"),
            ("spf1 -all", 0, "v=spf1"),
            ("v=spf1 ptr/24", 7, "ptr takes no"),
        ];
        for (record, position, needle) in cases {
            let e = parse(record).expect_err(record);
            assert_eq!(e.position, position, "{record}: {e}");
            assert!(e.message.contains(needle), "{record}: {e}");
        }
    }

    #[test]
    fn a_and_mx_prefix_forms() {
        let r = parse("v=spf1 a/24 a//64 mx/24//48 a:%{d}/30 a:foo:bar/baz.example.com")
            .expect("valid");
        let m: Vec<&Mechanism> = r.directives().map(|(_, d)| &d.mechanism).collect();
        assert_eq!(
            m[0],
            &Mechanism::A {
                domain: None,
                v4: Some(24),
                v6: None
            }
        );
        assert_eq!(
            m[1],
            &Mechanism::A {
                domain: None,
                v4: None,
                v6: Some(64)
            }
        );
        assert_eq!(
            m[2],
            &Mechanism::Mx {
                domain: None,
                v4: Some(24),
                v6: Some(48)
            }
        );
        assert_eq!(
            m[3],
            &Mechanism::A {
                domain: Some("%{d}".into()),
                v4: Some(30),
                v6: None
            }
        );
    }
}

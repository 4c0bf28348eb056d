//! SPF macro expansion (RFC 7208 §7).

use std::net::IpAddr;

/// What macros expand from.
#[derive(Debug, Clone)]
pub struct MacroContext<'a> {
    /// `<sender>`: the MAIL FROM (or `postmaster@<helo>`).
    pub sender: &'a str,
    /// `<domain>`: the domain being evaluated.
    pub domain: &'a str,
    /// `<ip>`: the SMTP client.
    pub ip: IpAddr,
    /// HELO/EHLO identity.
    pub helo: &'a str,
    /// Receiving host (`r`, exp only).
    pub receiver: &'a str,
    /// Seconds since the epoch (`t`, exp only).
    pub now: u64,
    /// The validated domain name of `ip` (`p`), or "unknown".
    pub validated: &'a str,
}

fn local_part(sender: &str) -> &str {
    match sender.rsplit_once('@') {
        Some((l, _)) if !l.is_empty() => l,
        _ => "postmaster",
    }
}

fn sender_domain<'a>(sender: &'a str, fallback: &'a str) -> &'a str {
    match sender.rsplit_once('@') {
        Some((_, d)) if !d.is_empty() => d,
        _ => fallback,
    }
}

/// `i`: dotted IPv4, or dot-separated nibbles for IPv6 (§7.3).
fn ip_macro(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .flat_map(|b| [b >> 4, b & 0xf])
            .map(|n| format!("{n:x}"))
            .collect::<Vec<_>>()
            .join("."),
    }
}

/// RFC 3986 unreserved characters stay; everything else is %-encoded (§7.3, uppercase macros).
fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Expands `spec`. Syntax was validated by the parser; anything unexpected expands to
/// nothing rather than panicking.
pub fn expand(spec: &str, cx: &MacroContext<'_>) -> String {
    let b = spec.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            let next = spec[i..].find('%').map_or(spec.len(), |n| n + i);
            out.push_str(&spec[i..next]);
            i = next;
            continue;
        }
        match b.get(i + 1) {
            Some(b'%') => {
                out.push('%');
                i += 2;
            }
            Some(b'_') => {
                out.push(' ');
                i += 2;
            }
            Some(b'-') => {
                out.push_str("%20");
                i += 2;
            }
            Some(b'{') => {
                let Some(close) = spec[i..].find('}').map(|c| c + i) else {
                    break;
                };
                out.push_str(&expand_one(&spec[i + 2..close], cx));
                i = close + 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn expand_one(body: &str, cx: &MacroContext<'_>) -> String {
    let mut chars = body.chars();
    let Some(letter) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    let value = match letter.to_ascii_lowercase() {
        's' => cx.sender.to_string(),
        'l' => local_part(cx.sender).to_string(),
        'o' => sender_domain(cx.sender, cx.helo).to_string(),
        'd' => cx.domain.to_string(),
        'i' => ip_macro(cx.ip),
        'p' => cx.validated.to_string(),
        'v' => if cx.ip.is_ipv4() { "in-addr" } else { "ip6" }.to_string(),
        'h' => cx.helo.to_string(),
        'c' => cx.ip.to_string(),
        'r' => cx.receiver.to_string(),
        't' => cx.now.to_string(),
        _ => String::new(),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let mut tail = &rest[digits.len()..];
    let reverse = tail.starts_with(['r', 'R']);
    if reverse {
        tail = &tail[1..];
    }
    let delimiters: Vec<char> = if tail.is_empty() {
        vec!['.']
    } else {
        tail.chars().collect()
    };
    let mut parts: Vec<&str> = value.split(|c| delimiters.contains(&c)).collect();
    if reverse {
        parts.reverse();
    }
    if let Ok(n) = digits.parse::<usize>()
        && n > 0
        && n < parts.len()
    {
        parts = parts.split_off(parts.len() - n);
    }
    let joined = parts.join(".");
    if letter.is_ascii_uppercase() {
        url_escape(&joined)
    } else {
        joined
    }
}

/// Truncates an expanded domain to 253 octets by dropping labels from the left (§7.3).
pub fn truncate_domain(mut d: String) -> String {
    while d.len() > 253 {
        match d.find('.') {
            Some(dot) => d = d[dot + 1..].to_string(),
            None => break,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(ip: &str) -> MacroContext<'static> {
        MacroContext {
            sender: "strong-bad@email.example.com",
            domain: "email.example.com",
            ip: ip.parse().expect("ip"),
            helo: "mx.example.org",
            receiver: "mx.receiver.example",
            now: 1_700_000_000,
            validated: "unknown",
        }
    }

    #[test]
    fn rfc_7208_section_7_4_examples() {
        let c = cx("192.0.2.3");
        assert_eq!(expand("%{s}", &c), "strong-bad@email.example.com");
        assert_eq!(expand("%{o}", &c), "email.example.com");
        assert_eq!(expand("%{d}", &c), "email.example.com");
        assert_eq!(expand("%{d4}", &c), "email.example.com");
        assert_eq!(expand("%{d3}", &c), "email.example.com");
        assert_eq!(expand("%{d2}", &c), "example.com");
        assert_eq!(expand("%{d1}", &c), "com");
        assert_eq!(expand("%{dr}", &c), "com.example.email");
        assert_eq!(expand("%{d2r}", &c), "example.email");
        assert_eq!(expand("%{l}", &c), "strong-bad");
        assert_eq!(expand("%{l-}", &c), "strong.bad");
        assert_eq!(expand("%{lr}", &c), "strong-bad");
        assert_eq!(expand("%{lr-}", &c), "bad.strong");
        assert_eq!(expand("%{l1r-}", &c), "strong");
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", &c),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            expand("%{lr-}.lp._spf.%{d2}", &c),
            "bad.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", &c),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", &c),
            "3.2.0.192.in-addr.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{d2}.trusted-domains.example.net", &c),
            "example.com.trusted-domains.example.net"
        );
        let c6 = cx("2001:db8::cb01");
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", &c6),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
        assert_eq!(expand("%%%_%-", &c), "% %20");
        assert_eq!(expand("%{S}", &c), "strong-bad%40email.example.com");
    }
}

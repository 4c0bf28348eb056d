//! The receiver's own verdicts: `Authentication-Results` and `ARC-Authentication-Results`
//! (RFC 8601 §2.2) and `Received-SPF` (RFC 7208 §9.1).

use serde::Serialize;

/// One method result a receiver recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiverResult {
    /// The header it came from (`Authentication-Results`, `ARC-Authentication-Results`,
    /// `Received-SPF`).
    pub header: String,
    /// Who recorded it (the authserv-id; for Received-SPF the receiver is not named).
    pub authserv_id: String,
    /// `spf`, `dkim`, `dmarc`, `arc`, …
    pub method: String,
    /// `pass`, `fail`, …
    pub result: String,
    /// `ptype.property=value` pairs (`header.d=example.com`, `smtp.mailfrom=…`).
    pub properties: Vec<(String, String)>,
}

/// Removes RFC 5322 comments (nested parentheses), keeping quoted strings intact.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            if depth == 0 {
                out.push(c);
            }
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn unquote(v: &str) -> String {
    v.trim().trim_matches('"').to_string()
}

/// Parses an `Authentication-Results` value (RFC 8601 §2.2).
pub fn parse_authentication_results(header: &str, value: &str) -> Vec<ReceiverResult> {
    let clean = strip_comments(value);
    let mut parts = clean.split(';');
    let authserv_id = parts
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let mut out = Vec::new();
    for part in parts {
        let mut tokens = part.split_whitespace();
        let Some(first) = tokens.next() else { continue };
        let Some((method, result)) = first.split_once('=') else {
            continue; // "none" (no results) or garbage
        };
        let method = method
            .split('/')
            .next()
            .unwrap_or(method)
            .to_ascii_lowercase();
        let mut properties = Vec::new();
        for t in tokens {
            if let Some((k, v)) = t.split_once('=') {
                properties.push((k.to_ascii_lowercase(), unquote(v)));
            }
        }
        out.push(ReceiverResult {
            header: header.to_string(),
            authserv_id: authserv_id.clone(),
            method,
            result: result.to_ascii_lowercase(),
            properties,
        });
    }
    out
}

/// Parses an `ARC-Authentication-Results` value: `i=N; authserv-id; results…`.
pub fn parse_arc_authentication_results(value: &str) -> Vec<ReceiverResult> {
    let clean = strip_comments(value);
    let rest = match clean.split_once(';') {
        Some((first, rest)) if first.trim().starts_with("i=") => rest,
        _ => clean.as_str(),
    };
    parse_authentication_results("ARC-Authentication-Results", rest)
}

/// Parses a `Received-SPF` value (RFC 7208 §9.1): `result (comment) key=value; …`.
pub fn parse_received_spf(value: &str) -> Option<ReceiverResult> {
    let clean = strip_comments(value);
    let mut it = clean.split_whitespace();
    let result = it.next()?.to_ascii_lowercase();
    let rest: String = it.collect::<Vec<_>>().join(" ");
    let properties = rest
        .split(';')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), unquote(v)))
        .collect();
    Some(ReceiverResult {
        header: "Received-SPF".into(),
        authserv_id: String::new(),
        method: "spf".into(),
        result,
        properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_8601_examples() {
        let r = parse_authentication_results(
            "Authentication-Results",
            "mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=abc; spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.com; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com",
        );
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].authserv_id, "mx.google.com");
        assert_eq!(r[0].method, "dkim");
        assert_eq!(r[0].result, "pass");
        assert!(r[0].properties.contains(&("header.s".into(), "s1".into())));
        assert_eq!(r[1].method, "spf");
        assert!(
            r[1].properties
                .contains(&("smtp.mailfrom".into(), "a@example.com".into()))
        );
        assert_eq!(r[2].result, "pass");
        assert!(parse_authentication_results("A-R", "example.org 1; none").is_empty());
        let s = parse_received_spf("fail (example.org: domain of x@example.com does not designate 192.0.2.1) client-ip=192.0.2.1; envelope-from=\"x@example.com\"").expect("spf");
        assert_eq!(s.result, "fail");
        assert!(
            s.properties
                .contains(&("envelope-from".into(), "x@example.com".into()))
        );
        let a = parse_arc_authentication_results(
            "i=1; mx.example.net; spf=pass smtp.mailfrom=example.com",
        );
        assert_eq!(a[0].authserv_id, "mx.example.net");
    }
}

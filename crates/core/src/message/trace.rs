//! The relay path of a message from its `Received:` headers (RFC 5321 §4.4), and the
//! envelope the receiver saw: the connecting IP and HELO from the topmost `Received:` that
//! names one (added by the receiving server, the one header of the chain it vouches for),
//! the MAIL FROM from `Return-Path:`.

use std::net::IpAddr;

use mail_parser::{Header, HeaderName, HeaderValue, Host};
use serde::Serialize;

/// One hop, newest first (as the headers are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Hop {
    /// Position among the `Received:` headers, 1 = topmost (newest).
    pub index: usize,
    /// The HELO/EHLO name the client gave.
    pub helo: Option<String>,
    /// The client's address as the server recorded it.
    pub ip: Option<String>,
    /// The client's reverse DNS name as the server recorded it.
    pub rdns: Option<String>,
    /// The server that added the header.
    pub by: Option<String>,
    /// Protocol (`ESMTPS`, …).
    pub with: Option<String>,
    /// When the server received the message (RFC 3339), if the date parses.
    pub date: Option<String>,
    /// Seconds since the previous (older) hop, when both dates parse.
    pub delay_secs: Option<i64>,
    /// The header as written (unfolded).
    pub raw: String,
}

/// The envelope used for SPF and where each part came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Envelope {
    /// Connecting client address.
    pub ip: Option<String>,
    /// HELO/EHLO name.
    pub helo: Option<String>,
    /// MAIL FROM address (empty for a null sender `<>`).
    pub mail_from: Option<String>,
    /// Where each value came from, in plain words.
    pub sources: Vec<String>,
}

fn host(h: &Option<Host<'_>>) -> Option<String> {
    match h {
        Some(Host::Name(n)) => Some(n.to_string()),
        Some(Host::IpAddr(ip)) => Some(ip.to_string()),
        None => None,
    }
}

/// The hops, newest first, with the delay each hop added.
pub fn hops(headers: &[Header<'_>], raw: &[u8]) -> Vec<Hop> {
    let mut out = Vec::new();
    for h in headers {
        if h.name != HeaderName::Received {
            continue;
        }
        let text = raw
            .get(h.offset_start as usize..h.offset_end as usize)
            .map(|b| {
                String::from_utf8_lossy(b)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let mut hop = Hop {
            index: out.len() + 1,
            helo: None,
            ip: None,
            rdns: None,
            by: None,
            with: None,
            date: None,
            delay_secs: None,
            raw: text,
        };
        if let HeaderValue::Received(r) = &h.value {
            hop.helo = host(&r.helo).or_else(|| host(&r.from));
            hop.ip = r
                .from_ip
                .map(|ip| ip.to_string())
                .or_else(|| match &r.from {
                    Some(Host::IpAddr(ip)) => Some(ip.to_string()),
                    _ => None,
                });
            hop.rdns = r.from_iprev.as_ref().map(|s| s.to_string());
            hop.by = host(&r.by);
            hop.with = r.with.map(|w| format!("{w:?}").to_uppercase());
            hop.date = r.date.map(|d| d.to_rfc3339());
        }
        out.push(hop);
    }
    // Delay of each hop: its date minus the next-older hop's date.
    let stamps: Vec<Option<i64>> = headers
        .iter()
        .filter(|h| h.name == HeaderName::Received)
        .map(|h| match &h.value {
            HeaderValue::Received(r) => r.date.map(|d| d.to_timestamp()),
            _ => None,
        })
        .collect();
    for i in 0..out.len() {
        if let (Some(now), Some(Some(before))) = (stamps[i], stamps.get(i + 1)) {
            out[i].delay_secs = Some(now - before);
        }
    }
    out
}

/// The envelope from the headers, overridden by what the user gave.
pub fn envelope(
    hops: &[Hop],
    return_path: Option<&str>,
    ip: Option<IpAddr>,
    helo: Option<&str>,
    mail_from: Option<&str>,
) -> Envelope {
    let mut env = Envelope {
        ip: None,
        helo: None,
        mail_from: None,
        sources: Vec::new(),
    };
    let first = hops.iter().find(|h| h.ip.is_some());
    match (ip, first) {
        (Some(ip), _) => {
            env.ip = Some(ip.to_string());
            env.sources.push("IP: given (--ip)".into());
        }
        (None, Some(h)) => {
            env.ip = h.ip.clone();
            env.sources.push(format!(
                "IP: Received header #{} (the topmost one naming a client address): {}",
                h.index, h.raw
            ));
        }
        (None, None) => env
            .sources
            .push("IP: no Received header names a client address; give --ip".into()),
    }
    match (helo, first) {
        (Some(h), _) => {
            env.helo = Some(h.to_string());
            env.sources.push("HELO: given (--helo)".into());
        }
        (None, Some(h)) if h.helo.is_some() => {
            env.helo = h.helo.clone();
            env.sources
                .push(format!("HELO: Received header #{}", h.index));
        }
        _ => env.sources.push("HELO: unknown".into()),
    }
    match (mail_from, return_path) {
        (Some(m), _) => {
            env.mail_from = Some(m.to_string());
            env.sources.push("MAIL FROM: given (--mail-from)".into());
        }
        (None, Some(rp)) => {
            env.mail_from = Some(rp.to_string());
            env.sources.push(format!("MAIL FROM: Return-Path: <{rp}>"));
        }
        (None, None) => env
            .sources
            .push("MAIL FROM: no Return-Path header; give --mail-from".into()),
    }
    env
}

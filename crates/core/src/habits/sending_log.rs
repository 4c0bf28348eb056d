//! Sending logs (DESIGN.md §4): CSV with a header row; required columns `timestamp` and
//! `recipient`; optional `campaign`, `status` (`sent`, `delivered`, `bounced`, `deferred`),
//! `message_id`, `ip`; other columns are kept. Read as a stream (one row in memory); a bad row
//! is reported with its line number and the rest is read.

use std::io::Read;

use serde::Serialize;

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRow {
    /// Unix seconds (UTC).
    pub timestamp: i64,
    /// The recipient address, lower-cased.
    pub recipient: String,
    /// Campaign, if given.
    pub campaign: Option<String>,
    /// `sent` (default), `delivered`, `bounced`, `deferred`.
    pub status: String,
    /// Message-ID, if given.
    pub message_id: Option<String>,
    /// Sending IP, if given.
    pub ip: Option<String>,
    /// Other columns: (header, value), non-empty values only.
    pub extra: Vec<(String, String)>,
}

/// Why the log as a whole cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// The header row lacks a required column.
    #[error("the header row has no '{0}' column (required: timestamp, recipient)")]
    MissingColumn(&'static str),
    /// No header row.
    #[error("the file has no header row: {0}")]
    NoHeader(String),
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line number in the file.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

const STATUSES: [&str; 4] = ["sent", "delivered", "bounced", "deferred"];

/// Reads `input` and hands each row (or its error) to `f`; returning `false` stops.
pub fn read_log(
    input: impl Read,
    f: &mut dyn FnMut(Result<LogRow, RowError>) -> bool,
) -> Result<(), LogError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| LogError::NoHeader(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let ts_col = col("timestamp").ok_or(LogError::MissingColumn("timestamp"))?;
    let rcpt_col = col("recipient").ok_or(LogError::MissingColumn("recipient"))?;
    let campaign_col = col("campaign");
    let status_col = col("status");
    let mid_col = col("message_id");
    let ip_col = col("ip");
    let known = [
        Some(ts_col),
        Some(rcpt_col),
        campaign_col,
        status_col,
        mid_col,
        ip_col,
    ];
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                if !f(Err(RowError {
                    line,
                    reason: e.to_string(),
                })) {
                    return Ok(());
                }
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).filter(|v| !v.is_empty());
        let row = (|| {
            let ts_text = get(Some(ts_col)).ok_or("empty timestamp")?;
            let timestamp = parse_time(ts_text)
                .ok_or_else(|| format!("timestamp '{ts_text}' is not a date and time"))?;
            let recipient = get(Some(rcpt_col)).ok_or("empty recipient")?;
            let recipient = recipient.trim_matches(['<', '>']).to_ascii_lowercase();
            match recipient.rsplit_once('@') {
                Some((l, d)) if !l.is_empty() && d.contains('.') => {}
                _ => return Err(format!("recipient '{recipient}' is not an address")),
            }
            let status =
                get(status_col).map_or_else(|| "sent".to_string(), |s| s.to_ascii_lowercase());
            if !STATUSES.contains(&status.as_str()) {
                return Err(format!(
                    "status '{status}' is not one of sent, delivered, bounced, deferred"
                ));
            }
            let extra = record
                .iter()
                .enumerate()
                .filter(|(i, v)| !v.is_empty() && !known.contains(&Some(*i)))
                .map(|(i, v)| {
                    (
                        headers
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("column{}", i + 1)),
                        v.to_string(),
                    )
                })
                .collect();
            Ok(LogRow {
                timestamp,
                recipient,
                campaign: get(campaign_col).map(str::to_string),
                status,
                message_id: get(mid_col).map(str::to_string),
                ip: get(ip_col).map(str::to_string),
                extra,
            })
        })()
        .map_err(|reason: String| RowError { line, reason });
        if !f(row) {
            return Ok(());
        }
    }
}

/// Unix seconds, RFC 3339 (`2026-11-20T10:00:00Z`, offsets), `YYYY-MM-DD HH:MM[:SS]` (UTC),
/// `YYYY-MM-DD`, or a Unix time in seconds or milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().ok()?;
        return Some(if n > 100_000_000_000 { n / 1000 } else { n });
    }
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let (mut h, mut mi, mut s, mut offset) = (0, 0, 0, 0i64);
    if b.len() > 10 {
        if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
            return None;
        }
        h = num(11..13)?;
        mi = num(14..16)?;
        let mut rest = &t[16..];
        if let Some(r) = rest.strip_prefix(':') {
            s = r.get(..2)?.parse().ok()?;
            rest = &r[2..];
        }
        if let Some(r) = rest.strip_prefix('.') {
            rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        match rest {
            "" | "Z" | "z" => {}
            _ => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let r = rest[1..].replace(':', "");
                if r.len() != 4 {
                    return None;
                }
                let oh: i64 = r[..2].parse().ok()?;
                let om: i64 = r[2..].parse().ok()?;
                offset = sign * (oh * 3600 + om * 60);
            }
        }
        if h > 23 || mi > 59 || s > 60 {
            return None;
        }
    }
    let days = crate::calendar::days_from_civil(y, mo, d);
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_accepted_shape() {
        assert_eq!(parse_time("2026-11-20T10:00:00Z"), Some(1_795_168_800));
        assert_eq!(parse_time("2026-11-20 10:00:00"), Some(1_795_168_800));
        assert_eq!(parse_time("2026-11-20T12:00:00+02:00"), Some(1_795_168_800));
        assert_eq!(parse_time("2026-11-20T10:00:00.123Z"), Some(1_795_168_800));
        assert_eq!(parse_time("1795168800"), Some(1_795_168_800));
        assert_eq!(parse_time("1795168800000"), Some(1_795_168_800));
        assert_eq!(parse_time("2026-11-20"), Some(1_795_132_800));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-11-20T25:00",
            "2026/11/20",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_rows_are_named_by_line_and_the_rest_is_read() {
        let csv = "timestamp,recipient,status,Campaign,list\n\
                   2026-11-20T10:00:00Z,A@Example.com,sent,c1,news\n\
                   not-a-date,b@example.com,sent,c1,news\n\
                   2026-11-20T10:00:01Z,nobody,sent,c1,news\n\
                   2026-11-20T10:00:02Z,c@example.com,lost,c1,news\n\
                   2026-11-20T10:00:03Z,\"d@example.com\",bounced,,\n";
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        read_log(csv.as_bytes(), &mut |r| {
            match r {
                Ok(row) => ok.push(row),
                Err(e) => bad.push(e),
            }
            true
        })
        .expect("readable");
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].recipient, "a@example.com");
        assert_eq!(ok[0].extra, vec![("list".to_string(), "news".to_string())]);
        assert_eq!(ok[0].campaign.as_deref(), Some("c1"));
        assert_eq!(ok[1].status, "bounced");
        let lines: Vec<u64> = bad.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(bad[2].reason.contains("'lost'"), "{bad:?}");
        assert_eq!(
            read_log("when,to\n1,a@b.c\n".as_bytes(), &mut |_| true),
            Err(LogError::MissingColumn("timestamp"))
        );
    }
}

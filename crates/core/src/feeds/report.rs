//! Report intake: what a file or message holds — a DMARC aggregate report (XML, gzip, zip,
//! or mail carrying one), a DMARC failure report (RFC 6591), an SMTP TLS report (RFC 8460
//! JSON, gzip, or mail) — or nothing report-like (`Ok(None)`: a bounce, a complaint).
//!
//! Containers are unpacked with a cap on the bytes inflated from each one
//! ([`ReportLimits::max_inflated`]) whatever size the archive claims, so a gzip or zip bomb
//! ends in [`ReportError::TooLarge`]. Archives inside archives are followed at most
//! [`MAX_NESTING`] deep.

use std::io::{Cursor, Read};

use mail_parser::{MessageParser, MimeHeaders, PartType};
use serde::Serialize;

use super::dmarc_report::{AggregateError, AggregateReport, parse_aggregate};
use super::failure_report::{self, FailureReport};
use super::tls_report::{TlsReport, TlsReportError, parse_tls};

/// How many containers deep (mail → zip → gzip …) a report is looked for.
pub const MAX_NESTING: usize = 4;

/// Caps for reading reports.
#[derive(Debug, Clone, Copy)]
pub struct ReportLimits {
    /// Most bytes inflated from one gzip stream or zip entry.
    pub max_inflated: u64,
}

impl Default for ReportLimits {
    fn default() -> Self {
        Self {
            max_inflated: 100 * 1024 * 1024,
        }
    }
}

/// A report of any kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Report {
    /// DMARC aggregate (rua).
    Aggregate(AggregateReport),
    /// DMARC failure (ruf).
    Failure(FailureReport),
    /// SMTP TLS report.
    Tls(TlsReport),
}

impl Report {
    /// `aggregate`, `failure` or `tls`.
    pub fn kind(&self) -> &'static str {
        match self {
            Report::Aggregate(_) => "aggregate",
            Report::Failure(_) => "failure",
            Report::Tls(_) => "tls",
        }
    }
}

/// Why something that looked like a report could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A DMARC aggregate report that could not be read.
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
    /// A TLS report that could not be read.
    #[error(transparent)]
    Tls(#[from] TlsReportError),
    /// A compressed report inflates beyond the cap.
    #[error("compressed report inflates beyond {0} bytes (a compression bomb?)")]
    TooLarge(u64),
    /// A broken archive.
    #[error("unreadable {kind} archive: {detail}")]
    Archive {
        /// `gzip` or `zip`.
        kind: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// Archives nested deeper than [`MAX_NESTING`].
    #[error("archives nested more than {MAX_NESTING} deep")]
    TooDeep,
    /// An archive or report mail with nothing readable in it.
    #[error("{0} holds no DMARC or TLS report")]
    Empty(&'static str),
}

/// What kind of data a buffer starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Gzip,
    Zip,
    Xml,
    Json,
    Other,
}

fn shape(data: &[u8]) -> Shape {
    if data.starts_with(&[0x1f, 0x8b]) {
        return Shape::Gzip;
    }
    if data.starts_with(b"PK\x03\x04") {
        return Shape::Zip;
    }
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Shape::Xml,
        Some(b'{') => Shape::Json,
        _ => Shape::Other,
    }
}

/// True when `data` is a bare report or archive (not mail): it never goes to the bounce
/// decoder.
pub fn is_bare_report(data: &[u8]) -> bool {
    shape(data) != Shape::Other
}

/// Reads the report in `data` (see the module docs). Mail is only parsed in full when its
/// text mentions a report format, so ordinary bounces cost one scan.
pub fn parse_report(data: &[u8], limits: ReportLimits) -> Result<Option<Report>, ReportError> {
    parse_at(data, limits, 0)
}

fn parse_at(
    data: &[u8],
    limits: ReportLimits,
    depth: usize,
) -> Result<Option<Report>, ReportError> {
    if depth > MAX_NESTING {
        return Err(ReportError::TooDeep);
    }
    match shape(data) {
        Shape::Gzip => {
            // Some senders write a gzip stream without its trailer (or cut short): what
            // inflated before the break is still read, with a warning on the report.
            let mut inflated = Vec::new();
            let broken = read_capped(
                flate2::read::MultiGzDecoder::new(data),
                limits,
                &mut inflated,
            )?;
            let parsed = parse_at(&inflated, limits, depth + 1);
            match (parsed, broken) {
                (Ok(Some(mut report)), Some(e)) => {
                    if let Report::Aggregate(a) = &mut report {
                        a.warnings.push(format!(
                            "gzip stream is damaged ({e}); read up to the damage"
                        ));
                    }
                    Ok(Some(report))
                }
                (Ok(Some(report)), None) => Ok(Some(report)),
                (_, Some(e)) => Err(ReportError::Archive {
                    kind: "gzip",
                    detail: e,
                }),
                (Ok(None), None) => Err(ReportError::Empty("gzip archive")),
                (Err(e), None) => Err(e),
            }
        }
        Shape::Zip => {
            let mut archive =
                zip::ZipArchive::new(Cursor::new(data)).map_err(|e| ReportError::Archive {
                    kind: "zip",
                    detail: e.to_string(),
                })?;
            let mut last: Option<ReportError> = None;
            for i in 0..archive.len() {
                let entry = archive.by_index(i).map_err(|e| ReportError::Archive {
                    kind: "zip",
                    detail: e.to_string(),
                })?;
                if entry.is_dir() {
                    continue;
                }
                // The declared size is not trusted: the read itself is capped.
                let inner = inflate_capped(entry, limits, "zip")?;
                match parse_at(&inner, limits, depth + 1) {
                    Ok(Some(report)) => return Ok(Some(report)),
                    Ok(None) => {}
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or(ReportError::Empty("zip archive")))
        }
        Shape::Xml => Ok(Some(Report::Aggregate(parse_aggregate(data)?))),
        Shape::Json => Ok(Some(Report::Tls(parse_tls(data)?))),
        Shape::Other => parse_mail(data, limits, depth),
    }
}

/// Reads all of `reader` (an archive member) into memory, refusing more than the cap.
fn inflate_capped(
    reader: impl Read,
    limits: ReportLimits,
    kind: &'static str,
) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    match read_capped(reader, limits, &mut out)? {
        None => Ok(out),
        Some(detail) => Err(ReportError::Archive { kind, detail }),
    }
}

/// Reads `reader` into `out` up to the cap; `Ok(Some(reason))` when the stream broke after
/// `out` was filled with what came before the break.
fn read_capped(
    reader: impl Read,
    limits: ReportLimits,
    out: &mut Vec<u8>,
) -> Result<Option<String>, ReportError> {
    let result = reader.take(limits.max_inflated + 1).read_to_end(out);
    if out.len() as u64 > limits.max_inflated {
        return Err(ReportError::TooLarge(limits.max_inflated));
    }
    Ok(result.err().map(|e| e.to_string()))
}

/// Words that make a message worth a full MIME parse for a report.
fn mentions_report(data: &[u8]) -> bool {
    static HINTS: std::sync::LazyLock<Option<regex::bytes::Regex>> = std::sync::LazyLock::new(
        || {
            regex::bytes::Regex::new(
                r"(?i)auth-failure|feedback-report|tlsrpt|application/(?:x-)?(?:gzip|zip|xml|json|x-zip-compressed|octet-stream)|text/xml|\.xml\.gz|\.xml\.zip|sender ip address:",
            )
            .ok()
        },
    );
    HINTS.as_ref().is_some_and(|re| re.is_match(data))
}

fn parse_mail(
    data: &[u8],
    limits: ReportLimits,
    depth: usize,
) -> Result<Option<Report>, ReportError> {
    if !mentions_report(data) {
        return Ok(None);
    }
    let Some(message) = MessageParser::default().parse(data) else {
        return Ok(None);
    };
    if let Some(failure) = failure_report::from_message(&message) {
        return Ok(Some(Report::Failure(failure)));
    }
    let mut last: Option<ReportError> = None;
    let mut candidates = 0usize;
    for part in &message.parts {
        if matches!(part.body, PartType::Message(_) | PartType::Multipart(_)) {
            continue;
        }
        let ct = part.content_type();
        let sub = ct
            .and_then(|c| c.subtype())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let name = part
            .attachment_name()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let by_type = matches!(
            sub.as_str(),
            "gzip"
                | "x-gzip"
                | "zip"
                | "x-zip"
                | "x-zip-compressed"
                | "xml"
                | "tlsrpt+json"
                | "tlsrpt+gzip"
                | "tlsrpt"
                | "json"
        );
        let by_name = [".xml", ".gz", ".zip", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if !by_type && !by_name {
            continue;
        }
        candidates += 1;
        let contents = part.contents();
        match parse_at(contents, limits, depth + 1) {
            Ok(Some(report)) => return Ok(Some(report)),
            Ok(None) => {}
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) => Err(e),
        None if candidates > 0 => Err(ReportError::Empty("report mail")),
        None => Ok(None),
    }
}

//! The parts of a report message that matter: the human-readable text, the machine-readable
//! status blocks (RFC 3464 `message/delivery-status`, RFC 5965 `message/feedback-report`) and
//! the headers of the returned original message.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// What a report message is made of.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    /// Text parts of the report itself (not of the returned message), in order; HTML-only
    /// parts are reduced to their text.
    pub human: Vec<String>,
    /// `message/delivery-status` (and `message/global-delivery-status`) blocks.
    pub delivery_status: Vec<String>,
    /// A `message/feedback-report` block.
    pub feedback: Option<String>,
    /// Headers of the returned original message (`message/rfc822` or `text/rfc822-headers`).
    pub original: Option<Original>,
    /// The report's own `report-type` parameter, lower-cased.
    pub report_type: String,
    /// Nested MIME depth seen.
    pub depth: usize,
    /// The first embedded message, raw (a forwarded bounce is decoded from it).
    pub nested: Option<Vec<u8>>,
}

/// The fields of the returned message a record reports.
#[derive(Debug, Default, Clone)]
pub(crate) struct Original {
    pub from: Option<String>,
    pub to: Vec<String>,
    pub return_path: Option<String>,
    pub message_id: String,
    pub list_id: String,
    pub subject: String,
}

impl Original {
    pub(crate) fn from_message(m: &Message<'_>) -> Self {
        let addr = |a: Option<&mail_parser::Address<'_>>| -> Vec<String> {
            a.map(|a| {
                a.iter()
                    .filter_map(|x| x.address.as_deref())
                    .filter(|a| a.contains('@'))
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default()
        };
        let return_path = m
            .header_raw("Return-Path")
            .and_then(|v| crate::feeds::bounce::text::addresses(v).into_iter().next());
        Original {
            from: addr(m.from()).into_iter().next(),
            to: addr(m.to()),
            return_path,
            message_id: m.message_id().unwrap_or_default().to_string(),
            list_id: m
                .header_raw("List-Id")
                .map(|v| v.trim().to_string())
                .unwrap_or_default(),
            subject: m.subject().unwrap_or_default().to_string(),
        }
    }

    /// Parses a block of header lines (from `text/rfc822-headers` or text after a marker).
    pub(crate) fn from_header_text(text: &str) -> Option<Self> {
        let mut block = text.trim_start().to_string();
        block.push_str("\n\n");
        let m = MessageParser::default().parse_headers(block.as_bytes())?;
        let original = Self::from_message(&m);
        (original.from.is_some() || !original.to.is_empty() || !original.message_id.is_empty())
            .then_some(original)
    }

    /// The original sender: Return-Path, else From.
    pub(crate) fn sender(&self) -> Option<String> {
        self.return_path.clone().or_else(|| self.from.clone())
    }
}

/// Deepest MIME nesting accepted (multiparts and embedded messages together).
pub(crate) const MAX_DEPTH: usize = 20;

/// Splits `m` into [`Parts`]. Returns `Err(depth)` when the nesting is deeper than [`MAX_DEPTH`].
pub(crate) fn split(m: &Message<'_>) -> Result<Parts, usize> {
    let mut parts = Parts {
        report_type: m
            .content_type()
            .and_then(|ct| ct.attribute("report-type"))
            .unwrap_or_default()
            .to_ascii_lowercase(),
        ..Default::default()
    };
    walk(m, 0, 1, &mut parts, &mut Vec::new())?;
    Ok(parts)
}

fn walk(
    m: &Message<'_>,
    part_id: u32,
    depth: usize,
    out: &mut Parts,
    seen: &mut Vec<u32>,
) -> Result<(), usize> {
    if depth > MAX_DEPTH {
        return Err(depth);
    }
    out.depth = out.depth.max(depth);
    if seen.contains(&part_id) {
        return Ok(());
    }
    seen.push(part_id);
    let Some(part) = m.part(part_id) else {
        return Ok(());
    };
    let (ctype, subtype) = part
        .content_type()
        .map(|ct| {
            (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or_default().to_ascii_lowercase(),
            )
        })
        .unwrap_or_else(|| ("text".into(), "plain".into()));
    match &part.body {
        PartType::Multipart(children) => {
            for child in children.clone() {
                walk(m, child, depth + 1, out, seen)?;
            }
        }
        PartType::Message(nested) => {
            if out.original.is_none() {
                out.original = Some(Original::from_message(nested));
            }
            if out.nested.is_none() {
                out.nested = Some(nested.raw_message().to_vec());
            }
        }
        PartType::Text(text) if subtype == "rfc822-headers" => {
            if out.original.is_none() {
                out.original = Original::from_header_text(text);
            }
        }
        PartType::Text(text) | PartType::Html(text) if ctype == "message" => {
            classify_message_part(&subtype, text, out);
        }
        PartType::Text(text) => out.human.push(text.to_string()),
        PartType::Html(html) => out.human.push(html_to_text(html)),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            if ctype == "message" {
                classify_message_part(&subtype, &text, out);
            }
        }
    }
    Ok(())
}

fn classify_message_part(subtype: &str, text: &str, out: &mut Parts) {
    match subtype {
        "delivery-status" | "global-delivery-status" => out.delivery_status.push(text.to_string()),
        "feedback-report" => out.feedback = Some(text.to_string()),
        // Headers-only copies labelled message/rfc822 that mail-parser did not nest.
        "rfc822" | "global" | "rfc822-headers" | "global-headers" => {
            if out.original.is_none() {
                out.original = Original::from_header_text(text);
            }
        }
        _ => {}
    }
}

/// Text of an HTML part: tags dropped, block elements as line breaks, entities decoded for the
/// few that appear in bounces. Used only to read error text, never shown as HTML.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[1..gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "table" | "pre"
        ) {
            out.push('\n');
        } else if matches!(name.as_str(), "td" | "th") {
            out.push(' ');
        }
        rest = &after[gt + 1..];
        if name == "style" || name == "script" || name == "head" {
            if let Some(end) = rest.to_ascii_lowercase().find(&format!("</{name}")) {
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The body of `raw` as text with MIME boundary lines and the part headers after them
/// removed: the fallback when MIME parsing finds no readable part.
pub(crate) fn raw_body_text(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let body = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .map(|(_, b)| b)
        .unwrap_or("");
    let mut out = String::with_capacity(body.len());
    let mut in_part_headers = false;
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("--") && line.len() > 10 && !line.contains(' ') {
            in_part_headers = true;
            continue;
        }
        if in_part_headers {
            if line.trim().is_empty() {
                in_part_headers = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

//! The parts of a report message that matter: the human-readable text, the machine-readable
//! status blocks (RFC 3464 `message/delivery-status`, RFC 5965 `message/feedback-report`) and
//! the headers of the returned original message.
//!
//! A bounce is walked with a small MIME splitter of our own (RFC 2045/2046: boundaries,
//! transfer encodings, charsets through mail-parser's decoders) rather than a full parse:
//! only the few header fields a record needs are read ([`super::head`]), so the trace fields
//! of the bounce and of the returned message (dozens of Received headers) are never parsed.
//! That is most of the cost of reading a bounce.

use super::head::{Field, Head, ORIGINAL_FIELDS, REPORT_FIELDS};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use memchr::memmem::Finder;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What a report message is made of.
#[derive(Debug, Default)]
pub(crate) struct Parts<'a> {
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
    /// The first embedded message, raw (a forwarded bounce is decoded from it); borrowed
    /// from the report unless a transfer encoding had to be undone.
    pub nested: Option<std::borrow::Cow<'a, [u8]>>,
    /// Some text part's words are not in the raw message as they read (a transfer encoding
    /// or a charset that is not ASCII-compatible was undone): a search of the raw message
    /// for a word does not stand for a search of `human`.
    pub human_recoded: bool,
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

/// Splits a message into its header section and body (at the first empty line).
pub(crate) fn split_head_body(raw: &[u8]) -> (&[u8], &[u8]) {
    if raw.starts_with(b"\n") {
        return (&[], &raw[1..]);
    }
    if raw.starts_with(b"\r\n") {
        return (&[], &raw[2..]);
    }
    // Searchers built once: setting one up costs more than running it over most headers.
    static LF2: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\n\n"));
    static CRLF2: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\n\r\n"));
    // The first "\n\n" or "\n\r\n": whichever comes first.
    let lf = LF2.find(raw).map(|i| (i + 1, i + 2));
    // Only a "\n\r\n" before the first "\n\n" can come first.
    let before = lf.map_or(raw.len(), |(h, _)| h);
    let crlf = CRLF2.find(&raw[..before]).map(|i| (i + 1, i + 3));
    match (lf, crlf) {
        (Some(a), Some(b)) => {
            let (h, b) = if a.0 <= b.0 { a } else { b };
            (&raw[..h], &raw[b..])
        }
        (Some((h, b)), None) | (None, Some((h, b))) => (&raw[..h], &raw[b..]),
        (None, None) => (raw, &[]),
    }
}

/// The report's own header fields (see [`REPORT_FIELDS`]) and the value of its first
/// Received field with its continuation lines (read here, not by mail-parser, whose Received
/// parser is slow and not needed: only the "by" host is read, token by token).
pub(crate) fn report_headers(head: &[u8]) -> (Head, Option<String>) {
    let mut received = Vec::new();
    let fields = Head::read(head, REPORT_FIELDS, Some(&mut received));
    let text = super::text::lossy(&received);
    let value = text
        .split_once(':')
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    (fields, value)
}

impl Original {
    pub(crate) fn from_head(h: &Head) -> Self {
        // A group name ("undisclosed recipients:;") is no address.
        let addr = |f: Field| -> Vec<String> {
            h.addresses(f)
                .into_iter()
                .filter(|a| a.contains('@'))
                .collect()
        };
        let return_path = h
            .raw(Field::ReturnPath)
            .and_then(|v| crate::feeds::bounce::text::addresses(v).into_iter().next());
        Original {
            from: addr(Field::From).into_iter().next(),
            to: addr(Field::To),
            return_path,
            message_id: h.id(Field::MessageId).unwrap_or_default(),
            list_id: h
                .raw(Field::ListId)
                .map(|v| v.trim().to_string())
                .unwrap_or_default(),
            subject: h.text(Field::Subject).unwrap_or_default(),
        }
    }

    /// Parses a block of header lines (from `text/rfc822-headers`, a message/rfc822 part,
    /// or text after a marker); `None` when it names no sender, recipient or Message-ID.
    pub(crate) fn from_header_text(text: &[u8]) -> Option<Self> {
        let start = text
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(text.len());
        let (head, _) = split_head_body(&text[start..]);
        let fields = Head::read(head, ORIGINAL_FIELDS, None);
        if fields.is_empty() {
            return None;
        }
        let original = Self::from_head(&fields);
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

/// A MIME part's content type and transfer encoding.
#[derive(Debug, Default)]
struct PartType {
    ctype: Cow<'static, str>,
    subtype: Cow<'static, str>,
    boundary: Option<String>,
    charset: Cow<'static, str>,
    report_type: Cow<'static, str>,
    encoding: Cow<'static, str>,
}

/// `value` lower-cased: one of `known` (no allocation: nearly every part's type, encoding
/// and charset is one of a few), else a lower-cased copy.
fn lower(value: &str, known: &[&'static str]) -> Cow<'static, str> {
    match known.iter().find(|k| k.eq_ignore_ascii_case(value)) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(value.to_ascii_lowercase()),
    }
}

const TYPES: [&str; 4] = ["text", "multipart", "message", "application"];
const SUBTYPES: [&str; 14] = [
    "plain",
    "html",
    "mixed",
    "alternative",
    "related",
    "report",
    "rfc822",
    "delivery-status",
    "rfc822-headers",
    "feedback-report",
    "global",
    "global-headers",
    "global-delivery-status",
    "octet-stream",
];
const ENCODINGS: [&str; 5] = ["7bit", "8bit", "base64", "quoted-printable", "binary"];
const CHARSETS: [&str; 6] = [
    "us-ascii",
    "utf-8",
    "iso-2022-jp",
    "iso-8859-1",
    "windows-1252",
    "shift_jis",
];
const REPORT_TYPES: [&str; 2] = ["delivery-status", "feedback-report"];

impl PartType {
    fn from_fields(content_type: Option<&str>, encoding: Option<&str>) -> Self {
        let mut t = PartType {
            ctype: Cow::Borrowed("text"),
            subtype: Cow::Borrowed("plain"),
            encoding: encoding
                .map(|e| lower(e.trim(), &ENCODINGS))
                .unwrap_or_default(),
            ..Default::default()
        };
        let Some(value) = content_type else {
            return t;
        };
        let mut pieces = split_params(value).into_iter();
        if let Some(main) = pieces.next()
            && let Some((a, b)) = super::text::split_once_ascii(&main, b'/')
        {
            t.ctype = lower(a.trim(), &TYPES);
            t.subtype = lower(b.trim(), &SUBTYPES);
        }
        for p in pieces {
            let Some((k, v)) = super::text::split_once_ascii(&p, b'=') else {
                continue;
            };
            let v = v.trim().trim_matches('"');
            let k = k.trim();
            if k.eq_ignore_ascii_case("boundary") {
                t.boundary = Some(v.to_string());
            } else if k.eq_ignore_ascii_case("charset") {
                t.charset = lower(v, &CHARSETS);
            } else if k.eq_ignore_ascii_case("report-type") {
                t.report_type = lower(v, &REPORT_TYPES);
            }
        }
        t
    }
}

/// `a/b; k=v; k2="v;2"` → ["a/b", "k=v", "k2=\"v;2\""] (trimmed; line breaks inside a piece
/// read as spaces).
fn split_params(value: &str) -> Vec<std::borrow::Cow<'_, str>> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    fn piece(s: &str) -> std::borrow::Cow<'_, str> {
        let s = s.trim();
        if s.contains(['\r', '\n']) {
            std::borrow::Cow::Owned(s.replace(['\r', '\n'], " ").trim().to_string())
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }
    for (i, b) in value.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                out.push(piece(&value[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(piece(&value[start..]));
    out
}

/// Unfolded value of field `name` in a part's raw header section.
fn field<'a>(head: &'a [u8], name: &str) -> Option<Cow<'a, str>> {
    let mut lines = super::text::byte_lines_inclusive(head).peekable();
    while let Some(line) = lines.next() {
        if line.len() > name.len()
            && line[name.len()] == b':'
            && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            let first = super::text::lossy(&line[name.len() + 1..]);
            // A line that is folded, or holds no colon, continues the value.
            let continues = |next: &&[u8]| {
                next.first().is_some_and(|b| *b == b' ' || *b == b'\t') || !next.contains(&b':')
            };
            if !lines.peek().is_some_and(continues) {
                // One line: borrowed when it is UTF-8.
                return Some(match first {
                    Cow::Borrowed(v) => Cow::Borrowed(v.trim()),
                    Cow::Owned(v) => Cow::Owned(v.trim().to_string()),
                });
            }
            let mut value = first.into_owned();
            while let Some(next) = lines.next_if(continues) {
                value.push(' ');
                value.push_str(super::text::lossy(next).trim());
            }
            return Some(Cow::Owned(value.trim().to_string()));
        }
    }
    None
}

/// Splits the body of the report (whose own header fields are `top`) into [`Parts`].
/// Returns `Err(depth)` when the nesting is deeper than [`MAX_DEPTH`].
pub(crate) fn split<'a>(top: &Head, body: &'a [u8]) -> Result<Parts<'a>, usize> {
    let t = PartType::from_fields(
        top.raw(Field::ContentType),
        top.raw(Field::ContentTransferEncoding),
    );
    let mut parts = Parts {
        report_type: t.report_type.to_string(),
        ..Default::default()
    };
    walk(&t, body, 1, &mut parts)?;
    Ok(parts)
}

fn walk<'a>(t: &PartType, body: &'a [u8], depth: usize, out: &mut Parts<'a>) -> Result<(), usize> {
    if depth > MAX_DEPTH {
        return Err(depth);
    }
    if t.ctype == "multipart" {
        let Some(boundary) = t.boundary.as_deref().filter(|b| !b.is_empty()) else {
            // A multipart without a boundary: read it as text.
            out.human_recoded |= recodes(t);
            out.human.push(decode_text(t, body));
            return Ok(());
        };
        let parts: Vec<(PartType, &[u8])> = multipart(body, boundary.as_bytes())
            .into_iter()
            .map(|part| {
                let (head, content) = split_head_body(part);
                let pt = PartType::from_fields(
                    field(head, "content-type").as_deref(),
                    field(head, "content-transfer-encoding").as_deref(),
                );
                (pt, content)
            })
            .collect();
        // RFC 2046 §5.1.4: the parts of multipart/alternative are the same content in
        // different forms; the plain-text one is read (not also its HTML rendering).
        let plain = (t.subtype == "alternative")
            .then(|| {
                parts.iter().position(|(pt, c)| {
                    pt.ctype == "text" && pt.subtype == "plain" && !c.trim_ascii().is_empty()
                })
            })
            .flatten();
        for (i, (pt, content)) in parts.iter().enumerate() {
            if plain.is_none_or(|p| p == i) {
                walk(pt, content, depth + 1, out)?;
            }
        }
        return Ok(());
    }
    match (&*t.ctype, &*t.subtype) {
        ("message", "rfc822" | "global" | "partial") => {
            let bytes = transfer_decode(&t.encoding, body);
            if out.original.is_none() {
                out.original = Original::from_header_text(&bytes);
            }
            if out.nested.is_none() {
                out.nested = Some(bytes);
            }
        }
        ("text" | "message", "rfc822-headers" | "global-headers") if out.original.is_none() => {
            out.original = Original::from_header_text(&transfer_decode(&t.encoding, body));
        }
        ("text" | "message", "rfc822-headers" | "global-headers") => {}
        ("message", "delivery-status" | "global-delivery-status") => {
            out.delivery_status.push(decode_text(t, body));
        }
        ("message", "feedback-report") => out.feedback = Some(decode_text(t, body)),
        ("text", "html") => {
            // (Character references are undone too.)
            out.human_recoded = true;
            out.human.push(html_to_text(&decode_text(t, body)));
        }
        ("text", _) => {
            out.human_recoded |= recodes(t);
            out.human.push(decode_text(t, body));
        }
        _ => {}
    }
    Ok(())
}

/// The parts of a multipart body (RFC 2046 §5.1.1): between `--boundary` lines, up to
/// `--boundary--` or the end. The line break before a delimiter belongs to it.
fn multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    for d in delimiters(body, boundary) {
        if let Some(s) = start {
            let mut e = d.at;
            if e > s && body[e - 1] == b'\n' {
                e -= 1;
                if e > s && body[e - 1] == b'\r' {
                    e -= 1;
                }
            }
            parts.push(&body[s..e]);
        }
        if d.closing {
            return parts;
        }
        start = Some(d.line_end);
    }
    if let Some(s) = start {
        parts.push(&body[s.min(body.len())..]);
    }
    parts
}

/// A delimiter line of a multipart body.
#[derive(Debug, PartialEq)]
struct Delimiter {
    /// Where its `--` starts.
    at: usize,
    /// Just past its line break (or the body's end).
    line_end: usize,
    /// `--boundary--`: the last one.
    closing: bool,
}

/// The delimiter lines of `body`, in order, up to the closing one: lines that start with
/// `--boundary` (`--boundary--` for the closing one) and hold nothing else but white space.
fn delimiters<'a>(body: &'a [u8], boundary: &'a [u8]) -> impl Iterator<Item = Delimiter> + 'a {
    // A delimiter starts a line: candidates are the body's start and every "\n--" (one
    // searcher built once, rather than one per boundary: setting up a searcher for a
    // 40-byte boundary costs more than the search).
    static LINE_DASHES: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\n--"));
    let is_delimiter =
        move |i: usize| body[i..].starts_with(b"--") && body[i + 2..].starts_with(boundary);
    let mut from: usize = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        while !done {
            let i = if from == 0 && is_delimiter(0) {
                0
            } else {
                match LINE_DASHES.find(&body[from.saturating_sub(1)..]) {
                    Some(j) => from.saturating_sub(1) + j + 1,
                    None => break,
                }
            };
            from = i + 2;
            if !is_delimiter(i) {
                continue;
            }
            from = i + 2 + boundary.len();
            let line_end =
                memchr::memchr(b'\n', &body[from..]).map_or(body.len(), |j| from + j + 1);
            let rest = &body[from..line_end];
            let closing = rest.starts_with(b"--");
            let rest = if closing { &rest[2..] } else { rest };
            if !rest.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            from = line_end;
            done = closing;
            return Some(Delimiter {
                at: i,
                line_end,
                closing,
            });
        }
        None
    })
}

fn transfer_decode<'a>(encoding: &str, body: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    match encoding {
        "base64" => base64_decode(body)
            .map(std::borrow::Cow::Owned)
            .unwrap_or(std::borrow::Cow::Borrowed(body)),
        "quoted-printable" => quoted_printable(body)
            .map(std::borrow::Cow::Owned)
            .unwrap_or(std::borrow::Cow::Borrowed(body)),
        _ => std::borrow::Cow::Borrowed(body),
    }
}

/// Decodes a quoted-printable body (RFC 2045 §6.7): `=XX` octets, `=` line ends as soft
/// breaks, white space before a line end dropped, line ends as the body writes them (CRLF
/// once a CR is seen). `None` for a malformed sequence (`==`, `=` before a non-hex
/// character), so the caller reads the body as it is. Plain runs are copied whole.
fn quoted_printable(bytes: &[u8]) -> Option<Vec<u8>> {
    #[derive(PartialEq)]
    enum State {
        Plain,
        Eq,
        Hex1(u8),
    }
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut buf = Vec::with_capacity(bytes.len());
    let mut state = State::Plain;
    let mut ws_count = 0usize;
    let mut crlf: &[u8] = b"\n";
    let mut i = 0;
    while i < bytes.len() {
        if state == State::Plain {
            let end =
                memchr::memchr3(b'=', b'\n', b'\r', &bytes[i..]).map_or(bytes.len(), |j| i + j);
            if end > i {
                let run = &bytes[i..end];
                let trailing = run
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
                ws_count = if trailing == run.len() {
                    ws_count + trailing
                } else {
                    trailing
                };
                buf.extend_from_slice(run);
                i = end;
                continue;
            }
        }
        let ch = bytes[i];
        i += 1;
        match ch {
            b'=' if state == State::Plain => state = State::Eq,
            b'=' => return None,
            b'\n' => {
                if state == State::Eq {
                    state = State::Plain;
                } else {
                    buf.truncate(buf.len() - ws_count);
                    buf.extend_from_slice(crlf);
                }
                ws_count = 0;
            }
            b'\r' => crlf = b"\r\n",
            _ => match state {
                // (Plain runs are copied above; kept for completeness.)
                State::Plain => {
                    ws_count = if ch.is_ascii_whitespace() {
                        ws_count + 1
                    } else {
                        0
                    };
                    buf.push(ch);
                }
                State::Eq => match hex(ch) {
                    Some(h) => state = State::Hex1(h),
                    None if ch.is_ascii_whitespace() => {}
                    None => return None,
                },
                State::Hex1(h1) => {
                    state = State::Plain;
                    buf.push((h1 << 4) | hex(ch)?);
                    ws_count = 0;
                }
            },
        }
    }
    Some(buf)
}

/// Whether [`decode_text`] may change the ASCII words of the part: a transfer encoding to
/// undo, or a charset that is not known to keep ASCII as it is (UTF-16, UTF-7, EBCDIC …).
fn recodes(t: &PartType) -> bool {
    !matches!(&*t.encoding, "" | "7bit" | "8bit" | "binary")
        || !(is_utf8(&t.charset) || t.charset == "iso-2022-jp" || extends_ascii(&t.charset))
}

/// Whether `charset` (lower case; empty: none declared) is read as UTF-8 (ASCII included).
fn is_utf8(charset: &str) -> bool {
    matches!(charset, "" | "utf-8" | "utf8" | "us-ascii" | "ascii")
}

fn decode_text(t: &PartType, body: &[u8]) -> String {
    let bytes = transfer_decode(&t.encoding, body);
    // Japanese MTAs write ISO-2022-JP into parts that declare no charset (status blocks
    // above all): its escape sequences give it away.
    let iso2022jp = || {
        memchr::memchr_iter(0x1b, &bytes)
            .any(|i| matches!(bytes.get(i + 1..i + 3), Some(b"$B" | b"$@")))
    };
    let charset = if t.charset.is_empty() && iso2022jp() {
        "iso-2022-jp"
    } else if t.charset == "unicode-1-1-utf-7" {
        // Exchange's name for UTF-7 (RFC 1642), which the decoder table lacks.
        "utf-7"
    } else {
        &*t.charset
    };
    if charset.starts_with("iso-2022-jp") {
        if !bytes.is_ascii() {
            return mislabelled_japanese(bytes);
        }
        // ISO-2022-JP starts in ASCII and leaves it only by an escape sequence (RFC 1468):
        // without one, its text is ASCII as it stands (the decoder reads the shift bytes SO
        // and SI as errors, so text with those still goes to it).
        if memchr::memchr3(0x1b, 0x0e, 0x0f, &bytes).is_none() {
            return utf8_text(bytes);
        }
    }
    match charset {
        cs if is_utf8(cs) => utf8_text(bytes),
        // Text that is all ASCII reads the same in every charset that extends ASCII (the
        // ISO 8859 and Windows code pages, the EUC, Shift_JIS, GB and Big5 families): no
        // decoder needed. Not in UTF-7/16/32, ISO-2022 or HZ, which give ASCII bytes other
        // meanings (or none), nor in EBCDIC.
        cs if extends_ascii(cs) && bytes.is_ascii() => utf8_text(bytes),
        cs => match charset_decoder(cs.as_bytes()) {
            Some(decode) => decode(&bytes),
            None => utf8_text(bytes),
        },
    }
}

/// Text labelled ISO-2022-JP that holds 8-bit bytes, which that 7-bit charset never does
/// (RFC 1468): Japanese carriers' reports label EUC-JP or Shift_JIS text so. Read as UTF-8
/// when valid, else in whichever of EUC-JP and Shift_JIS decodes with fewer errors.
fn mislabelled_japanese(bytes: std::borrow::Cow<'_, [u8]>) -> String {
    if std::str::from_utf8(&bytes).is_ok() {
        return utf8_text(bytes);
    }
    let errors = |t: &str| {
        t.chars()
            .filter(|c| *c == char::REPLACEMENT_CHARACTER)
            .count()
    };
    let decoded: Vec<String> = ["euc-jp", "shift_jis"]
        .iter()
        .filter_map(|cs| charset_decoder(cs.as_bytes()).map(|decode| decode(&bytes)))
        .collect();
    decoded
        .into_iter()
        .min_by_key(|t| errors(t))
        .unwrap_or_else(|| utf8_text(bytes))
}

/// Whether `charset` (lower case) maps each ASCII byte to the same character.
fn extends_ascii(charset: &str) -> bool {
    const FAMILIES: [&str; 18] = [
        "iso-8859-",
        "iso8859-",
        "iso_8859-",
        "windows-125",
        "cp125",
        "latin",
        "koi8-",
        "shift_jis",
        "shift-jis",
        "sjis",
        "x-sjis",
        "euc-",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "ks_c_5601",
        "tis-620",
    ];
    FAMILIES.iter().any(|f| charset.starts_with(f))
}

/// Bytes as UTF-8 text, invalid sequences replaced (U+FFFD); valid text (nearly all) is
/// checked by the fast validator and, when already owned, not copied.
fn utf8_text(bytes: std::borrow::Cow<'_, [u8]>) -> String {
    match bytes {
        std::borrow::Cow::Owned(v) => String::from_utf8(v)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        std::borrow::Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(s) => s.to_string(),
            Err(_) => String::from_utf8_lossy(b).into_owned(),
        },
    }
}

/// Text of an HTML part: tags dropped, block elements as line breaks, entities decoded for the
/// few that appear in bounces. Used only to read error text, never shown as HTML.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // (Bytes found by `memchr`: '<' and '>' are ASCII, so every index is a boundary.)
    while let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        // A '<' that opens no tag ("1 < 2") is text (HTML's tag open state).
        let opens_tag = after
            .as_bytes()
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        if !opens_tag {
            out.push('<');
            rest = &after[1..];
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', after.as_bytes()) else {
            rest = "";
            break;
        };
        let tag = after[1..gt].trim_start_matches('/');
        let name_len = tag.bytes().take_while(u8::is_ascii_alphanumeric).count();
        // Lower-cased into a small buffer: the names that matter are short.
        let mut buf = [0u8; 8];
        let name = if name_len <= buf.len() {
            buf[..name_len].copy_from_slice(&tag.as_bytes()[..name_len]);
            buf[..name_len].make_ascii_lowercase();
            std::str::from_utf8(&buf[..name_len]).unwrap_or("")
        } else {
            ""
        };
        if matches!(
            name,
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "table" | "pre"
        ) {
            out.push('\n');
        } else if matches!(name, "td" | "th") {
            out.push(' ');
        }
        rest = &after[gt + 1..];
        if matches!(name, "style" | "script" | "head")
            && let Some(end) = closing_tag(rest, name)
        {
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    if !out.contains('&') {
        return out;
    }
    decode_entities(&out)
}

/// Where `</name` (any case) starts in `html`; `name` is lower-case ASCII.
fn closing_tag(html: &str, name: &str) -> Option<usize> {
    static CLOSE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"</"));
    let b = html.as_bytes();
    CLOSE.find_iter(b).find(|&i| {
        b.get(i + 2..i + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
    })
}

/// The few character references bounce pages use, decoded in one pass. References hold no
/// `&` or `;` inside, so they never overlap, and none decodes to a character another is
/// made of: the result is that of replacing each in turn with `&amp;` last.
fn decode_entities(text: &str) -> String {
    const REFS: [(&str, &str); 6] = [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match REFS.iter().find(|(r, _)| tail.starts_with(r)) {
            Some((r, c)) => {
                out.push_str(c);
                rest = &tail[r.len()..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The body of `raw` as text with MIME boundary lines and the part headers after them
/// removed: the fallback when MIME parsing finds no readable part.
pub(crate) fn raw_body_text(raw: &[u8]) -> String {
    let text = super::text::lossy(raw);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_less_than_sign_that_opens_no_tag_is_text() {
        // It used to end the text: everything after "1 <" was lost.
        assert_eq!(html_to_text("1 < 2\nthree"), "1 < 2\nthree");
        assert_eq!(html_to_text("<p>a<2 b</p>"), "\na<2 b\n");
        assert_eq!(html_to_text("a <b>c</b> d <unclosed"), "a c d ");
    }

    #[test]
    fn ascii_text_skips_the_decoder_only_where_the_decoder_would_not_change_it() {
        // Every ASCII byte but NUL, as the charsets' decoders read it.
        let ascii: Vec<u8> = (1u8..0x80).collect();
        for cs in [
            "iso-8859-1",
            "iso-8859-15",
            "windows-1251",
            "windows-1252",
            "koi8-r",
            "shift_jis",
            "euc-jp",
            "euc-kr",
            "gb2312",
            "gbk",
            "gb18030",
            "big5",
            "ks_c_5601-1987",
            "tis-620",
        ] {
            assert!(extends_ascii(cs), "{cs}");
            let decode = charset_decoder(cs.as_bytes()).expect(cs);
            assert_eq!(decode(&ascii).as_bytes(), &ascii[..], "{cs}");
        }
        for cs in [
            "utf-7",
            "unicode-1-1-utf-7",
            "utf-16",
            "utf-16le",
            "iso-2022-jp",
            "hz-gb-2312",
            "ibm037",
        ] {
            assert!(!extends_ascii(cs), "{cs}");
        }
        // UTF-7 spells non-ASCII in ASCII: still decoded.
        for cs in ["utf-7", "unicode-1-1-utf-7"] {
            let t = PartType {
                charset: cs.into(),
                ..PartType::default()
            };
            assert_eq!(decode_text(&t, b"Gr+APw-n"), "Gr\u{fc}n", "{cs}");
        }
    }

    #[test]
    fn eight_bit_text_labelled_iso_2022_jp_is_read_as_what_it_is() {
        let text = "送信先メールアドレスが見つかりませんでした。";
        let label = |cs: &str| PartType {
            charset: cs.to_string().into(),
            ..PartType::default()
        };
        for (bytes, what) in [
            (encoding_rs::EUC_JP.encode(text).0, "EUC-JP"),
            (encoding_rs::SHIFT_JIS.encode(text).0, "Shift_JIS"),
            (text.as_bytes().into(), "UTF-8"),
        ] {
            assert_eq!(decode_text(&label("iso-2022-jp"), &bytes), text, "{what}");
        }
        // ASCII without an escape sequence reads as the decoder would read it.
        let decoder = charset_decoder(b"iso-2022-jp").expect("a decoder");
        for ascii in [
            &b"plain ~ \\ text\r\n"[..],
            b"",
            b"shift \x0e in \x0f",
            b"\x7f\x00",
        ] {
            assert_eq!(decode_text(&label("iso-2022-jp"), ascii), decoder(ascii));
        }
        // Real ISO-2022-JP (7-bit, escape sequences) is decoded as labelled.
        let jis = encoding_rs::ISO_2022_JP.encode(text).0;
        assert!(jis.is_ascii());
        assert_eq!(decode_text(&label("iso-2022-jp"), &jis), text);
    }

    #[test]
    fn part_fields_unfold_and_trim() {
        let head = b"Content-Type: text/plain; \r\n\tcharset=utf-8\r\nX-A: b\r\n";
        // The first line keeps its line end; `split_params` reads line breaks as spaces.
        assert_eq!(
            field(head, "content-type").as_deref(),
            Some("text/plain; \r\n charset=utf-8")
        );
        assert!(matches!(
            field(
                b"Content-Transfer-Encoding:  7bit \nX: y\n",
                "content-transfer-encoding"
            ),
            Some(std::borrow::Cow::Borrowed("7bit"))
        ));
        // A line without a colon continues the value (a parameter not indented).
        assert_eq!(
            field(
                b"content-type: multipart/mixed;\nboundary=\"b\"\n",
                "Content-Type"
            )
            .as_deref(),
            Some("multipart/mixed;\n boundary=\"b\"")
        );
        assert_eq!(
            field(b"Content-Type: text/plain; name=\"\xff\"", "content-type").as_deref(),
            Some("text/plain; name=\"\u{fffd}\"")
        );
        assert_eq!(field(b"Subject: x\n", "content-type"), None);
    }

    #[test]
    fn entities_decode_as_replacing_each_in_turn() {
        let chained = |t: &str| {
            t.replace("&nbsp;", " ")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        };
        for t in [
            "",
            "&",
            "&&",
            "a &amp;lt; b",
            "&amp;amp;",
            "&lt;&gt;&quot;&#39;&nbsp;&amp;",
            "&nbsp",
            "x &copy; y &",
            "é&amp;ü",
            "&&lt;;",
        ] {
            assert_eq!(decode_entities(t), chained(t), "{t:?}");
        }
    }

    #[test]
    fn closing_tags_are_found_in_any_case() {
        for (html, name) in [
            ("a { } </style> x", "style"),
            ("</STYLE>", "style"),
            ("</Sty", "style"),
            ("<// </head>", "head"),
            ("no end", "script"),
            ("é </SCRIPT>", "script"),
        ] {
            assert_eq!(
                closing_tag(html, name),
                html.to_ascii_lowercase().find(&format!("</{name}")),
                "{html:?}"
            );
        }
    }

    #[test]
    fn multipart_parts_and_unindented_parameters() {
        let body = b"preamble\n--b1\nContent-Type: text/plain\n\nhello\n--b1\nContent-Type: multipart/alternative;\nboundary=\"b2\"\n\n--b2\nContent-Type: text/plain\n\ninner\n--b2--\n--b1--\nepilogue\n";
        let parts = multipart(body, b"b1");
        assert_eq!(parts.len(), 2);
        let (head, content) = split_head_body(parts[1]);
        let t = PartType::from_fields(field(head, "content-type").as_deref(), None);
        assert_eq!(t.boundary.as_deref(), Some("b2"));
        assert_eq!(
            multipart(content, b"b2"),
            vec![&b"Content-Type: text/plain\n\ninner"[..]]
        );
    }

    /// The delimiter lines found by reading the body line by line.
    fn delimiters_line_by_line(body: &[u8], boundary: &[u8]) -> Vec<Delimiter> {
        let mut out = Vec::new();
        let mut at = 0;
        for line in body.split_inclusive(|b| *b == b'\n') {
            let line_end = at + line.len();
            if let Some(rest) = line
                .strip_prefix(b"--")
                .and_then(|r| r.strip_prefix(boundary))
            {
                let closing = rest.starts_with(b"--");
                let tail = if closing { &rest[2..] } else { rest };
                if tail.iter().all(u8::is_ascii_whitespace) {
                    out.push(Delimiter {
                        at,
                        line_end,
                        closing,
                    });
                    if closing {
                        break;
                    }
                }
            }
            at = line_end;
        }
        out
    }

    #[test]
    fn delimiters_are_the_lines_a_line_by_line_reading_finds() {
        // Bodies built from pieces that put delimiters at the start, mid-line, with text
        // after them, as prefixes of longer dashes, with CR LF, closing or not.
        const PIECES: [&[u8]; 12] = [
            b"--b", b"--b--", b"\n", b"\r\n", b"text", b"-", b"--", b" ", b"--bb", b"\n--",
            b"x--b", b"\t",
        ];
        let mut next = super::super::test_numbers(0x5eed_0fb0_d1e5);
        for _ in 0..100_000 {
            let n = (next() % 12) as usize;
            let body: Vec<u8> = (0..n)
                .flat_map(|_| PIECES[(next() % 12) as usize].iter().copied())
                .collect();
            for boundary in [&b"b"[..], b"bb", b"-"] {
                assert_eq!(
                    delimiters(&body, boundary).collect::<Vec<_>>(),
                    delimiters_line_by_line(&body, boundary),
                    "{:?} / {:?}",
                    String::from_utf8_lossy(&body),
                    String::from_utf8_lossy(boundary)
                );
            }
        }
    }

    #[test]
    fn an_unindented_parameter_continues_its_field_whatever_follows() {
        let head =
            b"Content-Type: multipart/mixed;\nboundary=\"x\"\nContent-Transfer-Encoding: 7bit\n";
        assert_eq!(
            field(head, "content-type").as_deref(),
            Some("multipart/mixed;\n boundary=\"x\"")
        );
        assert_eq!(
            field(head, "content-transfer-encoding").as_deref(),
            Some("7bit")
        );
    }

    #[test]
    fn report_headers_keep_the_first_received_value() {
        let head = b"Received: one\n\tby a\nReceived: two\nSubject: hi\n there\nX-Other: no\n";
        let (fields, value) = report_headers(head);
        assert_eq!(fields.block(), b"Subject: hi\n there\n");
        assert_eq!(value.as_deref(), Some("one\n\tby a"));
    }
}

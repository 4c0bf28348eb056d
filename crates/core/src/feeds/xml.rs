//! A small, forgiving XML reader for DMARC aggregate reports.
//!
//! Reports come from hundreds of generators and not all of them write well-formed XML (bare
//! `<` and `&` in values, invalid UTF-8, stray bytes before the prolog). A strict parser
//! would reject whole reports over one bad value, so this reader recovers the way a person
//! reading the file would: a `<` that does not start a tag is text, an unknown entity is kept
//! as written, invalid UTF-8 is replaced. It is also safe by construction: DTDs are skipped
//! and never interpreted, so there are no external entities and no entity expansion (no
//! "billion laughs"), and nesting deeper than [`MAX_DEPTH`] is an error.

/// Deepest element nesting accepted (a DMARC report needs 5).
pub const MAX_DEPTH: usize = 64;

use std::borrow::Cow;

/// One event of the document. Names are borrowed from the input, namespace prefix removed,
/// in their original case (compare with `eq_ignore_ascii_case`).
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// `<name …>`; `empty` for `<name/>`.
    Start {
        /// Local name.
        name: &'a [u8],
        /// The raw attribute text.
        attrs: &'a [u8],
        /// Self-closing.
        empty: bool,
    },
    /// `</name>` (local name).
    End(&'a [u8]),
    /// Character data with entities decoded (may be whitespace); borrowed when nothing had
    /// to be decoded or replaced.
    Text(Cow<'a, str>),
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("XML nested deeper than {MAX_DEPTH} elements at byte {0}")]
    TooDeep(usize),
}

/// Reads events from a byte buffer.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `data` (a UTF-8 BOM is skipped).
    pub fn new(data: &'a [u8]) -> Self {
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        Self {
            data,
            pos: 0,
            depth: 0,
        }
    }

    /// Current nesting depth.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The next event, `Ok(None)` at the end of the data.
    pub fn next_event(&mut self) -> Result<Option<Event<'a>>, XmlError> {
        loop {
            if self.pos >= self.data.len() {
                return Ok(None);
            }
            let rest = &self.data[self.pos..];
            if rest[0] != b'<' {
                let end = memchr::memchr(b'<', rest).unwrap_or(rest.len());
                let (text, used) = self.text_until(self.pos, self.pos + end);
                self.pos = used;
                return Ok(Some(Event::Text(text)));
            }
            if rest.starts_with(b"<!--") {
                self.pos += find(&rest[4..], b"-->").map_or(rest.len(), |i| i + 7);
                continue;
            }
            if rest.starts_with(b"<![CDATA[") {
                let body = &rest[9..];
                let end = find(body, b"]]>").unwrap_or(body.len());
                self.pos += 9 + end + 3.min(body.len() - end);
                return Ok(Some(Event::Text(String::from_utf8_lossy(&body[..end]))));
            }
            if rest.starts_with(b"<?") {
                self.pos += find(rest, b"?>").map_or(rest.len(), |i| i + 2);
                continue;
            }
            if rest.starts_with(b"<!") {
                // DOCTYPE (with an internal subset in brackets) and other declarations: skipped,
                // never interpreted.
                self.pos += skip_declaration(rest);
                continue;
            }
            if let Some((event, used)) = tag(rest) {
                match &event {
                    Event::Start { empty: false, .. } => {
                        self.depth += 1;
                        if self.depth > MAX_DEPTH {
                            return Err(XmlError::TooDeep(self.pos));
                        }
                    }
                    Event::End(_) => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
                self.pos += used;
                return Ok(Some(event));
            }
            // A '<' that starts no tag is text (recovery from an unescaped '<').
            let next = memchr::memchr(b'<', &rest[1..]).map_or(rest.len(), |i| i + 1);
            let (text, used) = self.text_until(self.pos, self.pos + next);
            self.pos = used;
            return Ok(Some(Event::Text(text)));
        }
    }

    /// Decodes `data[from..to]` as text, returning it and `to`.
    fn text_until(&self, from: usize, to: usize) -> (Cow<'a, str>, usize) {
        (decode_text(&self.data[from..to]), to)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Length of a `<!…>` declaration, counting a bracketed internal subset.
fn skip_declaration(rest: &[u8]) -> usize {
    let mut bracket = 0usize;
    for (i, b) in rest.iter().enumerate() {
        match b {
            b'[' => bracket += 1,
            b']' => bracket = bracket.saturating_sub(1),
            b'>' if bracket == 0 => return i + 1,
            _ => {}
        }
    }
    rest.len()
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name_char(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || b == b'-' || b == b'.'
}

/// Parses a start or end tag at the start of `rest` (which begins with `<`). `None` when the
/// bytes are not a tag (so they are text).
fn tag(rest: &[u8]) -> Option<(Event<'_>, usize)> {
    let closing = rest.get(1) == Some(&b'/');
    let start = if closing { 2 } else { 1 };
    let first = *rest.get(start)?;
    if !is_name_start(first) {
        return None;
    }
    let mut i = start;
    while i < rest.len() && is_name_char(rest[i]) {
        i += 1;
    }
    let raw_name = &rest[start..i];
    // After the name: '>', '/>', or whitespace then attributes. Anything else (another '<',
    // '@', a quote) means this was not a tag.
    match rest.get(i) {
        Some(b'>') | Some(b'/') => {}
        Some(b) if b.is_ascii_whitespace() => {}
        _ => return None,
    }
    // Find the closing '>' outside quotes, refusing a '<' before it.
    let mut j = i;
    let mut quote: Option<u8> = None;
    while j < rest.len() {
        let b = rest[j];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'<' => return None,
            None if b == b'>' => break,
            None => {}
        }
        j += 1;
    }
    if j >= rest.len() {
        return None;
    }
    let local = match raw_name.iter().rposition(|&b| b == b':') {
        Some(p) => &raw_name[p + 1..],
        None => raw_name,
    };
    let name = local;
    if closing {
        return Some((Event::End(name), j + 1));
    }
    let empty = j > i && rest[j - 1] == b'/';
    let attrs_end = if empty { j - 1 } else { j };
    Some((
        Event::Start {
            name,
            attrs: &rest[i..attrs_end],
            empty,
        },
        j + 1,
    ))
}

/// Character data with the predefined and numeric entities decoded; anything else after `&`
/// is kept as written. Invalid UTF-8 is replaced.
pub fn decode_text(raw: &[u8]) -> Cow<'_, str> {
    let text = String::from_utf8_lossy(raw);
    if !text.contains('&') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &after[..semi];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "apos" => Some('\''),
                "quot" => Some('"'),
                _ => {
                    let num = entity.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(data: &[u8]) -> Vec<Event<'_>> {
        let mut r = Reader::new(data);
        let mut out = Vec::new();
        while let Some(e) = r.next_event().expect("no error") {
            if !matches!(&e, Event::Text(t) if t.trim().is_empty()) {
                out.push(e);
            }
        }
        out
    }

    #[test]
    fn reads_tags_text_and_entities() {
        let ev = events(b"<?xml version=\"1.0\"?><a:feedback x='1'><b>x &amp; &#65;&#x42; &bogus;</b><c/></a:feedback>");
        assert_eq!(
            ev,
            vec![
                Event::Start {
                    name: b"feedback",
                    attrs: b" x='1'",
                    empty: false
                },
                Event::Start {
                    name: b"b",
                    attrs: b"",
                    empty: false
                },
                Event::Text("x & AB &bogus;".into()),
                Event::End(b"b"),
                Event::Start {
                    name: b"c",
                    attrs: b"",
                    empty: true
                },
                Event::End(b"feedback"),
            ]
        );
    }

    #[test]
    fn a_stray_less_than_is_text() {
        let ev = events(b"<h>bad<xml.net</h><e><bad@x.net></e>");
        assert_eq!(ev[1], Event::Text("bad".into()));
        assert_eq!(ev[2], Event::Text("<xml.net".into()));
        assert_eq!(ev[3], Event::End(b"h"));
        assert_eq!(ev[5], Event::Text("<bad@x.net>".into()));
    }

    #[test]
    fn doctype_entities_are_never_expanded() {
        let doc = b"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\"><!ENTITY y \"yy\">]><r>&x;&y;</r>";
        let ev = events(doc);
        assert_eq!(ev[1], Event::Text("&x;&y;".into()));
    }

    #[test]
    fn nesting_is_capped() {
        let doc = "<a>".repeat(MAX_DEPTH + 1);
        let mut r = Reader::new(doc.as_bytes());
        let mut result = Ok(None);
        for _ in 0..=MAX_DEPTH {
            result = r.next_event();
            if result.is_err() {
                break;
            }
        }
        assert!(matches!(result, Err(XmlError::TooDeep(_))));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_cdata_kept() {
        let ev = events(b"<a>bad\xff</a><b><![CDATA[<x>]]></b>");
        assert_eq!(ev[1], Event::Text("bad\u{fffd}".into()));
        assert_eq!(ev[4], Event::Text("<x>".into()));
    }
}

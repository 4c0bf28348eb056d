//! The few header fields of a message that a record reads, found in one pass.
//!
//! A bounce carries dozens of trace fields (Received, DKIM-Signature, ARC-*) that nothing
//! reads. One pass over the header section keeps the named fields (with their continuation
//! lines) and notes where each value lies; a typed value (addresses, unstructured text, a
//! date, a Message-ID) is then read by mail-parser's field parser from that value alone, so
//! the result is the one mail-parser gives for the field, without it parsing every field's
//! name and value into a `Message` first. (Bare addresses and IDs, and dates in the common
//! form, are read directly; tests compare those readings with mail-parser's.)

use std::ops::Range;

use mail_parser::HeaderValue;
use mail_parser::parsers::MessageStream;

/// A header field a record reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    From,
    To,
    Subject,
    Date,
    MessageId,
    ContentType,
    ContentTransferEncoding,
    XFailedRecipients,
    AutoSubmitted,
    XAutoreply,
    XAutorespond,
    XAutoResponseSuppress,
    Precedence,
    XNaiHeader,
    XAhmailid,
    XMailer,
    XAppleUnsubscribe,
    ReturnPath,
    ListId,
    XMlserver,
    XMlServer,
}

/// Every [`Field`], in declaration order (`Field as usize` indexes it).
const ALL: [Field; 21] = [
    Field::From,
    Field::To,
    Field::Subject,
    Field::Date,
    Field::MessageId,
    Field::ContentType,
    Field::ContentTransferEncoding,
    Field::XFailedRecipients,
    Field::AutoSubmitted,
    Field::XAutoreply,
    Field::XAutorespond,
    Field::XAutoResponseSuppress,
    Field::Precedence,
    Field::XNaiHeader,
    Field::XAhmailid,
    Field::XMailer,
    Field::XAppleUnsubscribe,
    Field::ReturnPath,
    Field::ListId,
    Field::XMlserver,
    Field::XMlServer,
];

impl Field {
    /// The field's name, lower-case.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::From => "from",
            Field::To => "to",
            Field::Subject => "subject",
            Field::Date => "date",
            Field::MessageId => "message-id",
            Field::ContentType => "content-type",
            Field::ContentTransferEncoding => "content-transfer-encoding",
            Field::XFailedRecipients => "x-failed-recipients",
            Field::AutoSubmitted => "auto-submitted",
            Field::XAutoreply => "x-autoreply",
            Field::XAutorespond => "x-autorespond",
            Field::XAutoResponseSuppress => "x-auto-response-suppress",
            Field::Precedence => "precedence",
            Field::XNaiHeader => "x-nai-header",
            Field::XAhmailid => "x-ahmailid",
            Field::XMailer => "x-mailer",
            Field::XAppleUnsubscribe => "x-apple-unsubscribe",
            Field::ReturnPath => "return-path",
            Field::ListId => "list-id",
            Field::XMlserver => "x-mlserver",
            Field::XMlServer => "x-ml-server",
        }
    }

    /// The field named `name` (any case), found among the fields of its length.
    fn from_name(name: &[u8]) -> Option<Field> {
        let same_length: &[Field] = match name.len() {
            2 => &[Field::To],
            4 => &[Field::From, Field::Date],
            7 => &[Field::Subject, Field::ListId],
            8 => &[Field::XMailer],
            10 => &[
                Field::MessageId,
                Field::Precedence,
                Field::XAhmailid,
                Field::XMlserver,
            ],
            11 => &[Field::XAutoreply, Field::ReturnPath, Field::XMlServer],
            12 => &[Field::ContentType, Field::XNaiHeader],
            13 => &[Field::XAutorespond],
            14 => &[Field::AutoSubmitted],
            19 => &[Field::XFailedRecipients, Field::XAppleUnsubscribe],
            24 => &[Field::XAutoResponseSuppress],
            25 => &[Field::ContentTransferEncoding],
            _ => return None,
        };
        same_length
            .iter()
            .copied()
            .find(|f| name.eq_ignore_ascii_case(f.name().as_bytes()))
    }
}

/// Header fields a record reads from the report itself.
pub(crate) const REPORT_FIELDS: &[Field] = &ALL;

/// Header fields a record reads from the returned message.
pub(crate) const ORIGINAL_FIELDS: &[Field] = &[
    Field::From,
    Field::To,
    Field::Subject,
    Field::MessageId,
    Field::ListId,
    Field::ReturnPath,
];

/// The kept fields of one header section.
pub(crate) struct Head {
    /// The kept fields' lines, in order (a line that continues none is joined to the field
    /// above it with a space, as a folded line).
    block: Vec<u8>,
    /// Each kept field and its value's bytes in `block` (from after the colon through the
    /// line end of its last line).
    fields: Vec<(Field, Range<usize>)>,
    /// For each field (`Field as usize`), its last occurrence's index in `fields`
    /// (`usize::MAX`: none).
    last: [usize; ALL.len()],
}

impl Head {
    /// Reads the fields of `head` (a header section) named in `keep`. A line that is neither
    /// a field nor a continuation (a parameter someone forgot to indent) is kept with the
    /// field before it. When `received` is given, the first Received field (with its
    /// continuation lines, cut by the same rules) is copied there.
    pub(crate) fn read(head: &[u8], keep: &[Field], mut received: Option<&mut Vec<u8>>) -> Head {
        let mut block = Vec::with_capacity(1024);
        let mut fields: Vec<(Field, Range<usize>)> = Vec::new();
        // Where the current field's lines go: nowhere, `block`, or `received`.
        #[derive(PartialEq)]
        enum Target {
            Drop,
            Keep,
            Received,
        }
        let mut into = Target::Drop;
        let mut received_seen = false;
        for line in super::text::byte_lines_inclusive(head) {
            let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
            let target = if continuation {
                None
            } else {
                // A field name is printable ASCII up to the colon (RFC 5322 §2.2); no name
                // is longer than a line's first few dozen bytes. The names read here are
                // printable by construction, so only a line that would continue a kept
                // field needs its name checked byte by byte: any other line is dropped
                // whether or not it is a field.
                let limit = line.len().min(100);
                let colon = memchr::memchr(b':', &line[..limit]).filter(|n| *n > 0);
                let named = colon.and_then(|n| {
                    let name = &line[..n];
                    match Field::from_name(name).filter(|f| keep.contains(f)) {
                        Some(k) => Some((n, Some(k))),
                        None => name.eq_ignore_ascii_case(b"received").then_some((n, None)),
                    }
                });
                match named {
                    Some(found) => Some(found),
                    None if into == Target::Drop => continue,
                    // Another field ends the kept one; a line that is no field goes on
                    // with it.
                    None => colon
                        .filter(|n| line[..*n].iter().all(u8::is_ascii_graphic))
                        .map(|n| (n, None)),
                }
            };
            let Some((colon, kept)) = target else {
                let target = match into {
                    Target::Drop => continue,
                    Target::Keep => &mut block,
                    Target::Received => match received.as_deref_mut() {
                        Some(r) => r,
                        None => continue,
                    },
                };
                if !continuation {
                    target.push(b' ');
                }
                target.extend_from_slice(line);
                continue;
            };
            let name = &line[..colon];
            // The field before ends here.
            if into == Target::Keep
                && let Some((_, value)) = fields.last_mut()
            {
                value.end = block.len();
            }
            into = if let Some(k) = kept {
                let start = block.len() + colon + 1;
                fields.push((k, start..start));
                Target::Keep
            } else if name.eq_ignore_ascii_case(b"received") {
                let first = !received_seen;
                received_seen = true;
                if first && received.is_some() {
                    Target::Received
                } else {
                    Target::Drop
                }
            } else {
                Target::Drop
            };
            match into {
                Target::Keep => block.extend_from_slice(line),
                Target::Received => {
                    if let Some(r) = received.as_deref_mut() {
                        r.extend_from_slice(line);
                    }
                }
                Target::Drop => {}
            }
        }
        // Every field ends with a line end, the last one too.
        if !block.is_empty() && !block.ends_with(b"\n") {
            block.push(b'\n');
        }
        if into == Target::Keep
            && let Some((_, value)) = fields.last_mut()
        {
            value.end = block.len();
        }
        let mut last = [usize::MAX; ALL.len()];
        for (i, (k, _)) in fields.iter().enumerate() {
            last[*k as usize] = i;
        }
        Head {
            block,
            fields,
            last,
        }
    }

    /// Whether no field was kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The kept lines, one field after another.
    #[cfg(test)]
    pub(crate) fn block(&self) -> &[u8] {
        &self.block
    }

    /// The values of every `field`, in order.
    fn values(&self, field: Field) -> impl Iterator<Item = &[u8]> {
        self.fields
            .iter()
            .filter(move |(f, _)| *f == field)
            .map(|(_, r)| &self.block[r.clone()])
    }

    /// The value of the last `field`: the one a reader of the header takes.
    fn last(&self, field: Field) -> Option<&[u8]> {
        let (_, r) = self.fields.get(self.last[field as usize])?;
        Some(&self.block[r.clone()])
    }

    /// The raw value of the last `field` (through its line end), if it is UTF-8.
    pub(crate) fn raw(&self, field: Field) -> Option<&str> {
        self.last(field).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every `field`'s value as text (white space at the ends removed).
    pub(crate) fn texts(&self, field: Field) -> Vec<String> {
        self.values(field)
            .filter_map(|v| match MessageStream::new(v).parse_raw() {
                HeaderValue::Text(t) => Some(t.into_owned()),
                _ => None,
            })
            .collect()
    }

    /// The addresses of the last `field` (From, To), lower-cased, in order; group
    /// names included as mail-parser gives them.
    pub(crate) fn addresses(&self, field: Field) -> Vec<String> {
        let Some(v) = self.last(field) else {
            return Vec::new();
        };
        if let Some(a) = plain_address(v) {
            return vec![a];
        }
        parsed_addresses(v)
    }

    /// The last `field` as unstructured text (RFC 2047 encoded words decoded).
    pub(crate) fn text(&self, field: Field) -> Option<String> {
        as_text(MessageStream::new(self.last(field)?).parse_unstructured())
    }

    /// The (last) identifier of the last `field` (Message-ID), without angle brackets.
    pub(crate) fn id(&self, field: Field) -> Option<String> {
        let v = self.last(field)?;
        plain_id(v).or_else(|| as_text(MessageStream::new(v).parse_id()))
    }

    /// The last `field` (Date) as seconds since the epoch.
    pub(crate) fn timestamp(&self, field: Field) -> Option<i64> {
        timestamp(self.last(field)?)
    }
}

/// Seconds since the epoch of an RFC 5322 §3.3 date-time, as mail-parser's date parser reads
/// it (`None`: not a date).
pub(crate) fn timestamp(value: &[u8]) -> Option<i64> {
    quick_timestamp(value).or_else(|| match MessageStream::new(value).parse_date() {
        HeaderValue::DateTime(d) => Some(d.to_timestamp()),
        _ => None,
    })
}

/// The common form of a date-time, "Thu, 29 Apr 2016 23:45:56 +0900 (JST)" (day name,
/// seconds and a trailing comment optional; RFC 5322 §3.3), read directly: `None` for any
/// other form or an out-of-range part, which mail-parser then reads (it also reads the
/// obsolete forms). Where this reads a date, it gives what mail-parser gives (a test
/// compares them).
fn quick_timestamp(value: &[u8]) -> Option<i64> {
    let mut rest = value.trim_ascii();
    // Reads `n` digits (exactly) as a number.
    fn digits(rest: &mut &[u8], n: usize) -> Option<i64> {
        let (d, tail) = rest.split_at_checked(n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *rest = tail;
        Some(d.iter().fold(0, |v, b| v * 10 + i64::from(b - b'0')))
    }
    // Skips one or more spaces.
    fn spaces(rest: &mut &[u8]) -> Option<()> {
        let n = rest.iter().take_while(|b| **b == b' ').count();
        *rest = &rest[n..];
        (n > 0).then_some(())
    }
    if rest.len() > 4 && rest[..3].iter().all(u8::is_ascii_alphabetic) && rest[3] == b',' {
        rest = &rest[4..];
        spaces(&mut rest)?;
    }
    let day = if rest.get(1).is_some_and(u8::is_ascii_digit) {
        digits(&mut rest, 2)?
    } else {
        digits(&mut rest, 1)?
    };
    spaces(&mut rest)?;
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let (name, tail) = rest.split_at_checked(3)?;
    let month = MONTHS.iter().position(|m| name.eq_ignore_ascii_case(*m))? as i64 + 1;
    rest = tail;
    spaces(&mut rest)?;
    let year = digits(&mut rest, 4)?;
    spaces(&mut rest)?;
    let hour = digits(&mut rest, 2)?;
    rest = rest.strip_prefix(b":")?;
    let minute = digits(&mut rest, 2)?;
    let second = match rest.strip_prefix(b":") {
        Some(mut tail) => {
            let s = digits(&mut tail, 2)?;
            rest = tail;
            s
        }
        None => 0,
    };
    spaces(&mut rest)?;
    let sign = match rest.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    rest = &rest[1..];
    let zone = digits(&mut rest, 4)?;
    let (zone_hour, zone_minute) = (zone / 100, zone % 100);
    if !rest.is_empty() {
        spaces(&mut rest)?;
        let comment = rest.strip_prefix(b"(")?.strip_suffix(b")")?;
        if comment
            .iter()
            .any(|b| matches!(b, b'(' | b')' | b'\\' | b';' | b'\r' | b'\n'))
        {
            return None;
        }
    }
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1900..=9999).contains(&year)
        || !(1..=days_in_month).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || zone_hour > 23
        || zone_minute > 59
    {
        return None;
    }
    // Days from 1970-01-01 to the date (the proleptic Gregorian calendar, counted from
    // March so that the leap day comes last).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(
        days * 86_400 + hour * 3600 + minute * 60 + second
            - sign * (zone_hour * 3600 + zone_minute * 60),
    )
}

/// The addresses mail-parser reads in an address field's value, lower-cased.
fn parsed_addresses(v: &[u8]) -> Vec<String> {
    match MessageStream::new(v).parse_address() {
        HeaderValue::Address(a) => a
            .iter()
            .filter_map(|x| x.address.as_deref())
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// A value that is one bare address (`a@b.example` or `<a@b.example>`, white space around
/// it, maybe a display name of plain words before the bracket: `Kijitora Cat <a@b.example>`)
/// of letters, digits and `.-_+=`, lower-cased: what mail-parser reads there, without its
/// general parser (a unit test compares the two).
fn plain_address(v: &[u8]) -> Option<String> {
    let v = v.trim_ascii();
    let name_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b' ';
    let v = match (memchr::memchr(b'<', v), v.last()) {
        (Some(open), Some(b'>')) if v[..open].iter().all(name_char) => &v[open + 1..v.len() - 1],
        _ => v,
    };
    let at = memchr::memchr(b'@', v)?;
    let plain = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+' | b'=');
    (at > 0 && at + 1 < v.len() && v[..at].iter().all(plain) && v[at + 1..].iter().all(plain))
        .then(|| super::text::lossy(v).to_ascii_lowercase())
}

/// A value that is one `<id>` (white space around it) of printable ASCII other than
/// brackets, quotes, parentheses and backslash: the id, what mail-parser reads there without
/// its general parser (a unit test compares the two).
fn plain_id(v: &[u8]) -> Option<String> {
    let v = v.trim_ascii();
    let inner = v.strip_prefix(b"<")?.strip_suffix(b">")?;
    let plain =
        |b: &u8| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'(' | b')' | b'\\');
    (!inner.is_empty() && inner.iter().all(plain)).then(|| super::text::lossy(inner).into_owned())
}

/// Text as mail-parser's `HeaderValue::as_text` reads it: a text, or a list's last item.
fn as_text(v: HeaderValue<'_>) -> Option<String> {
    match v {
        HeaderValue::Text(t) => Some(t.into_owned()),
        HeaderValue::TextList(mut l) => l.pop().map(|t| t.into_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::{HeaderName, MessageParser};

    /// Pieces of header values around the edges of the shortcuts below (a field's value
    /// continues on lines that start with white space: line breaks only as folds).
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "0",
        ".",
        "..",
        "-",
        "_",
        "+",
        "=",
        "@",
        "<",
        ">",
        " ",
        "\t",
        "\r\n ",
        "\n\t",
        "kijitora",
        "example.jp",
        "MAILER-DAEMON",
        "x.y",
        "(c)",
        "\"",
        ",",
        ";",
        ":",
        "!",
        "/",
        "%",
        "'",
        "$",
        "\\",
        "é",
        "[",
        "]",
    ];

    /// Dates read directly give what mail-parser's date parser gives, and the direct reader
    /// takes the common forms: generated from pieces of the common form, near misses and the
    /// obsolete forms.
    #[test]
    fn dates_read_as_mail_parser_reads_them() {
        let mut next = super::super::test_numbers(0x9e37_79b9_7f4a_7c15);
        let pick = |n: u64, list: &[&'static str]| list[(n % list.len() as u64) as usize];
        let (mut quick, mut total) = (0, 0);
        for _ in 0..20_000 {
            let day_name = pick(next(), &["", "Thu, ", "thu,  ", "Thu ", "Thu,"]);
            let day = pick(
                next(),
                &["1", "01", "29", "31", "30", "0", "32", "123", " 7"],
            );
            let month = pick(next(), &["Apr", "feb", "FEB", "Dec", "Sept", "Ap", "xyz"]);
            let year = pick(
                next(),
                &["2016", "1999", "2000", "2024", "99", "16", "0049", "1899"],
            );
            let time = pick(
                next(),
                &[
                    "23:45:56", "00:00", "9:05:00", "23:59:60", "24:00:00", "12:60:00", "07:08:09",
                ],
            );
            let zone = pick(
                next(),
                &[
                    "+0900", "-0500", "+0000", "-0000", "+0530", "+2400", "+0960", "JST", "GMT",
                    "+09",
                ],
            );
            let tail = pick(
                next(),
                &["", " (JST)", "  (PDT)", " (a (b))", " x", "\n", ";"],
            );
            let spaces = pick(next(), &[" ", "  ", "\t"]);
            let value = format!("{day_name}{day}{spaces}{month} {year} {time}{spaces}{zone}{tail}");
            let expected = match MessageStream::new(value.as_bytes()).parse_date() {
                HeaderValue::DateTime(d) => Some(d.to_timestamp()),
                _ => None,
            };
            total += 1;
            if let Some(t) = quick_timestamp(value.as_bytes()) {
                quick += 1;
                assert_eq!(Some(t), expected, "{value:?}");
            }
            assert_eq!(timestamp(value.as_bytes()), expected, "{value:?}");
        }
        // The well-formed ones (about one in a hundred of these) take the direct path.
        assert!(quick * 200 > total, "{quick} of {total}");
        assert_eq!(
            quick_timestamp(b"Thu, 29 Apr 2016 23:45:56 +0900"),
            Some(1_461_941_156)
        );
        assert_eq!(quick_timestamp(b"1 Jan 1970 00:00 -0100"), Some(3600));
    }

    /// Every field is found by its name in any case, and nothing else is.
    #[test]
    fn fields_are_found_by_name_in_any_case() {
        for f in ALL {
            let name = f.name();
            assert_eq!(Field::from_name(name.as_bytes()), Some(f));
            assert_eq!(Field::from_name(name.to_uppercase().as_bytes()), Some(f));
            assert_eq!(Field::from_name(format!("{name}s").as_bytes()), None);
            assert_eq!(Field::from_name(&name.as_bytes()[1..]), None);
        }
        for other in ["received", "dkim-signature", "x-mailers", "", "tx"] {
            assert_eq!(Field::from_name(other.as_bytes()), None, "{other}");
        }
    }

    /// The shortcut for a bare address gives what mail-parser's address parser gives, on
    /// values built from the characters around the shortcut's edges.
    #[test]
    fn plain_addresses_read_as_mail_parser_reads_them() {
        let mut next = super::super::test_numbers(0x2545_f491_4f6c_dd1d);
        let mut shortcut = 0;
        for _ in 0..100_000 {
            let mut pick = |n: u64| {
                let mut out = String::new();
                for _ in 0..1 + next() % n {
                    out.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                }
                out
            };
            // Mostly address-shaped: [space][<]local@domain[>][space], each part from pieces.
            let (lead, local, domain, trail) = (pick(2), pick(3), pick(3), pick(2));
            let bracket = local.len() % 2 == 0;
            let mut v = String::new();
            v.push_str(if lead.len() % 3 == 0 { " " } else { "" });
            // A display name (from the same pieces) before a bracket, half the time.
            if bracket && trail.len() % 2 == 1 {
                v.push_str(&pick(4));
            }
            v.push_str(if bracket { "<" } else { "" });
            v.push_str(&local);
            v.push('@');
            v.push_str(&domain);
            v.push_str(if bracket && domain.len() % 5 != 0 {
                ">"
            } else {
                ""
            });
            v.push_str(if trail.len() % 2 == 0 { " \r" } else { "" });
            v.push('\n');
            let Some(a) = plain_address(v.as_bytes()) else {
                continue;
            };
            shortcut += 1;
            assert_eq!(vec![a], parsed_addresses(v.as_bytes()), "{v:?}");
        }
        assert!(shortcut > 1_000, "{shortcut}");
        for v in [
            &b"Kijitora Cat <Kijitora@Example.jp>"[..],
            b" Neko<neko@example.org> \r\n",
        ] {
            let a = plain_address(v).expect("a display name and an address");
            assert_eq!(vec![a], parsed_addresses(v));
        }
    }

    /// The shortcut for a plain `<id>` gives what mail-parser's id parser gives.
    #[test]
    fn plain_ids_read_as_mail_parser_reads_them() {
        let mut next = super::super::test_numbers(0x01d5_0fca_7500);
        let mut shortcut = 0;
        for _ in 0..100_000 {
            let mut v = String::new();
            if next().is_multiple_of(3) {
                v.push(' ');
            }
            if !next().is_multiple_of(8) {
                v.push('<');
            }
            for _ in 0..1 + next() % 5 {
                v.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            if !next().is_multiple_of(8) {
                v.push('>');
            }
            if next().is_multiple_of(2) {
                v.push_str(" \r");
            }
            v.push('\n');
            let Some(id) = plain_id(v.as_bytes()) else {
                continue;
            };
            shortcut += 1;
            assert_eq!(
                Some(id),
                as_text(MessageStream::new(v.as_bytes()).parse_id()),
                "{v:?}"
            );
        }
        assert!(shortcut > 1_000, "{shortcut}");
    }

    #[test]
    fn kept_names_are_lower_case() {
        for (i, f) in ALL.iter().enumerate() {
            assert_eq!(f.name(), f.name().to_ascii_lowercase());
            assert_eq!(*f as usize, i);
        }
    }

    #[test]
    fn folded_fields_and_first_received() {
        let head = b"Received: one\n\tby a\nReceived: two\nSubject: hi\n there\nX-Other: no\n";
        let mut received = Vec::new();
        let h = Head::read(head, &[Field::Subject], Some(&mut received));
        assert_eq!(h.block(), b"Subject: hi\n there\n");
        assert_eq!(received, b"Received: one\n\tby a\n");
        assert_eq!(h.raw(Field::Subject), Some(" hi\n there\n"));
        assert_eq!(h.text(Field::Subject).as_deref(), Some("hi there"));
        assert!(Head::read(b"X-Other: no\n", &[Field::Subject], None).is_empty());
    }

    /// Each value read here is the one mail-parser gives when it parses the kept fields as a
    /// message: last field wins, raw values through the line end, typed values by the same
    /// field parsers.
    #[test]
    fn values_are_those_mail_parser_reads() {
        let parser = MessageParser::new()
            .header_address(HeaderName::From)
            .header_address(HeaderName::To)
            .header_text(HeaderName::Subject)
            .header_date(HeaderName::Date)
            .header_id(HeaderName::MessageId);
        let heads: [&[u8]; 8] = [
            b"From: \"Neko, K.\" <Neko@Example.JP>\nTo: a@b.example, \"C\" <c@d.example>\nSubject: =?UTF-8?B?w6nDqQ==?= x\nDate: Thu, 29 Apr 2016 23:45:56 +0900\nMessage-ID: <id@x.example>\n",
            b"To: first@example.jp\nTo: second@example.jp\nSubject: one\nsubject: two\n",
            b"From: MAILER-DAEMON (Mail Delivery System)\nTo: undisclosed-recipients:;\nMessage-Id: <a@b> <c@d>\n",
            b"Subject: folded\n\tover\n  lines\nX-Failed-Recipients: a@b.example,\n c@d.example\nX-Failed-Recipients: e@f.example\n",
            b"Date: not a date\nMessage-ID: no-brackets@x\nContent-Type: multipart/report;\nboundary=\"b\"\n",
            b"From: kijitora@example.com <neko@example.net>\r\nTo: <a@b.example>\r\nSubject: crlf\r\n",
            b"Subject: no line end",
            b"Received: x\nAuto-Submitted: auto-replied\nPrecedence: bulk\nList-Id: <l.example>\nReturn-Path: <>\n",
        ];
        for head in heads {
            let h = Head::read(head, REPORT_FIELDS, None);
            let mut block = h.block().to_vec();
            block.push(b'\n');
            let m = parser.parse_headers(&block[..]).expect("parses");
            let list = |a: Option<&mail_parser::Address<'_>>| -> Vec<String> {
                a.map(|a| {
                    a.iter()
                        .filter_map(|x| x.address.as_deref())
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
                .unwrap_or_default()
            };
            let ctx = String::from_utf8_lossy(head);
            assert_eq!(h.addresses(Field::From), list(m.from()), "{ctx}");
            assert_eq!(h.addresses(Field::To), list(m.to()), "{ctx}");
            assert_eq!(h.text(Field::Subject).as_deref(), m.subject(), "{ctx}");
            assert_eq!(h.id(Field::MessageId).as_deref(), m.message_id(), "{ctx}");
            assert_eq!(
                h.timestamp(Field::Date),
                m.date().map(|d| d.to_timestamp()),
                "{ctx}"
            );
            for f in REPORT_FIELDS {
                assert_eq!(h.raw(*f), m.header_raw(f.name()), "{f:?} in {ctx}");
            }
            let texts: Vec<String> = m
                .header_values("X-Failed-Recipients")
                .filter_map(|v| v.as_text())
                .map(str::to_string)
                .collect();
            assert_eq!(h.texts(Field::XFailedRecipients), texts, "{ctx}");
        }
    }
}

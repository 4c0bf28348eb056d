//! Every occurrence of many literals (each at least three bytes long) in a short text,
//! overlapping occurrences included.
//!
//! The reason index asks this of every error text (a few hundred bytes, with a few hits
//! among ~1,000 literals). An Aho-Corasick automaton answers it, but its overlapping search
//! follows failure links at every byte (~45 instructions a byte here), and a DFA that would
//! not costs ~30 ms to build. This scan anchors each literal on one of its four-byte pieces,
//! the one fewest other literals share (three-byte literals on themselves): at each position
//! of the text, a bit per hashed piece says whether any literal is anchored on the piece
//! there (few positions pass), and only then are the literals anchored on it compared.

/// Bits of each piece filter (2^16 bits: 8 KiB, in L1 cache).
const FILTER_BITS: u32 = 16;
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);

/// Multiplicative hash of a piece (its bytes as a little-endian number) to `bits` bits.
fn hash(key: u32, bits: u32) -> usize {
    (key.wrapping_mul(0x9e37_79b1) >> (32 - bits)) as usize
}

/// One piece in a lookup table: the literals anchored on it are `anchors[start..end]`; a
/// slot with `start == end` is free.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u32,
    start: u32,
    end: u32,
}

/// A literal anchored on a piece: its id and the piece's offset in it.
#[derive(Clone, Copy)]
struct Anchor {
    id: u32,
    offset: u32,
}

/// The pieces of one length and the literals anchored on them.
struct Pieces {
    filter: Box<[u64; FILTER_WORDS]>,
    slots: Box<[Slot]>,
    slot_bits: u32,
    anchors: Box<[Anchor]>,
}

impl Pieces {
    fn new(mut keyed: Vec<(u32, Anchor)>) -> Self {
        keyed.sort_unstable_by_key(|(key, a)| (*key, a.id));
        let distinct = keyed.chunk_by(|a, b| a.0 == b.0).count();
        // At most half full, so a probe ends after one or two slots.
        let slot_bits = (distinct.max(1) * 2).next_power_of_two().trailing_zeros();
        let mut slots = vec![Slot::default(); 1 << slot_bits];
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        let mut start = 0u32;
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            let key = group[0].0;
            let end = start + group.len() as u32;
            let f = hash(key, FILTER_BITS);
            filter[f >> 6] |= 1 << (f & 63);
            let mut at = hash(key, slot_bits);
            while slots[at].start != slots[at].end {
                at = (at + 1) & (slots.len() - 1);
            }
            slots[at] = Slot { key, start, end };
            start = end;
        }
        Pieces {
            filter,
            slots: slots.into_boxed_slice(),
            slot_bits,
            anchors: keyed.into_iter().map(|(_, a)| a).collect(),
        }
    }

    /// Whether some literal may be anchored on the piece `key` (no false "no").
    #[inline(always)]
    fn may_hold(&self, key: u32) -> bool {
        // `hash` gives FILTER_BITS bits: the word index is below FILTER_WORDS.
        let f = hash(key, FILTER_BITS);
        self.filter[(f >> 6) & (FILTER_WORDS - 1)] & (1 << (f & 63)) != 0
    }

    /// The literals anchored on the piece `key`.
    fn anchored_on(&self, key: u32) -> &[Anchor] {
        let mut at = hash(key, self.slot_bits);
        loop {
            let slot = self.slots[at];
            if slot.start == slot.end {
                return &[];
            }
            if slot.key == key {
                return &self.anchors[slot.start as usize..slot.end as usize];
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }
}

/// A piece of `bytes` (3 or 4 bytes) as a little-endian number.
fn piece(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .rev()
        .fold(0u32, |key, &b| (key << 8) | u32::from(b))
}

/// Up to this many three-byte literals are each looked for with their own (vectorized)
/// search: fewer than a filter test at every position costs.
const SEARCHED_ONE_BY_ONE: usize = 8;

/// How the three-byte literals are found.
enum Three {
    /// Each with its own search (few of them); with their ids.
    OneByOne(Vec<(memchr::memmem::Finder<'static>, u32)>),
    /// Anchored on themselves in a piece index.
    Pieces(Pieces),
}

/// The literals and their piece index (see the module docs).
pub(crate) struct LiteralScan {
    /// Literals of three bytes.
    three: Three,
    /// Longer literals, anchored on one four-byte piece each.
    four: Pieces,
    literals: Vec<Box<[u8]>>,
}

impl LiteralScan {
    /// The index of `literals` (a literal's id is its position); `None` when one is shorter
    /// than three bytes.
    #[cfg(test)]
    pub(crate) fn new(literals: &[Vec<u8>]) -> Option<Self> {
        let offsets = super::pattern_literals::anchor_offsets(literals);
        Self::with_anchors(literals, &offsets)
    }

    /// The index of `literals`, each keyed on its four-byte piece at `offsets[id]` (three-byte
    /// literals on themselves); `None` when one is shorter than three bytes or an offset does
    /// not leave four bytes.
    pub(crate) fn with_anchors<L: AsRef<[u8]>>(literals: &[L], offsets: &[u32]) -> Option<Self> {
        if literals.len() != offsets.len() || literals.iter().any(|l| l.as_ref().len() < 3) {
            return None;
        }
        let mut three = Vec::new();
        let mut four = Vec::new();
        for (id, (l, &offset)) in literals.iter().zip(offsets).enumerate() {
            let (l, id) = (l.as_ref(), id as u32);
            if l.len() == 3 {
                three.push((piece(l), Anchor { id, offset: 0 }));
                continue;
            }
            let at = offset as usize;
            four.push((piece(l.get(at..at + 4)?), Anchor { id, offset }));
        }
        let three = if three.len() <= SEARCHED_ONE_BY_ONE {
            Three::OneByOne(
                three
                    .iter()
                    .map(|(_, a)| {
                        let l = literals[a.id as usize].as_ref();
                        (memchr::memmem::Finder::new(l).into_owned(), a.id)
                    })
                    .collect(),
            )
        } else {
            Three::Pieces(Pieces::new(three))
        };
        Some(LiteralScan {
            three,
            four: Pieces::new(four),
            literals: literals.iter().map(|l| l.as_ref().into()).collect(),
        })
    }

    /// Calls `f` for each literal of `anchors` that occurs in `text` with its piece at `at`
    /// (out of the scan's loop: few positions get here).
    #[inline(never)]
    fn check(
        &self,
        anchors: &[Anchor],
        text: &[u8],
        at: usize,
        f: &mut impl FnMut(usize, usize, u32),
    ) {
        for a in anchors {
            let literal = &self.literals[a.id as usize];
            let Some(start) = at.checked_sub(a.offset as usize) else {
                continue;
            };
            if text[start..].starts_with(literal) {
                f(start, start + literal.len(), a.id);
            }
        }
    }

    /// Calls `f(start, end, literal id)` for every occurrence of every literal in `text`
    /// (in no particular order).
    pub(crate) fn for_each(&self, text: &[u8], mut f: impl FnMut(usize, usize, u32)) {
        let mut check = |anchors: &[Anchor], at: usize| self.check(anchors, text, at, &mut f);
        match &self.three {
            Three::OneByOne(finders) => {
                for w in text.windows(4).enumerate() {
                    self.four_at(w, &mut check);
                }
                for (finder, id) in finders {
                    // Every occurrence, overlapping ones too: each search starts one byte
                    // after the last occurrence's start.
                    let mut from = 0;
                    while let Some(i) = text.get(from..).and_then(|t| finder.find(t)) {
                        f(from + i, from + i + 3, *id);
                        from += i + 1;
                    }
                }
            }
            Three::Pieces(three) => {
                for (at, w) in text.windows(4).enumerate() {
                    let key = self.four_at((at, w), &mut check);
                    let key = key & 0x00ff_ffff;
                    if three.may_hold(key) {
                        check(three.anchored_on(key), at);
                    }
                }
                // The last three bytes (no four-byte piece starts there).
                if let Some(at) = text.len().checked_sub(3) {
                    let key = piece(&text[at..]);
                    if three.may_hold(key) {
                        check(three.anchored_on(key), at);
                    }
                }
            }
        }
    }

    /// Checks the literals anchored on the four-byte piece `w` at `at`; returns its key.
    #[inline(always)]
    fn four_at(&self, (at, w): (usize, &[u8]), check: &mut impl FnMut(&[Anchor], usize)) -> u32 {
        let key = u32::from_le_bytes(w.try_into().unwrap_or([0; 4]));
        if self.four.may_hold(key) {
            check(self.four.anchored_on(key), at);
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    /// Start, end and literal id.
    type Occurrence = (usize, usize, u32);

    /// The occurrences, sorted, as the scan finds them and as an Aho-Corasick automaton's
    /// overlapping search finds them.
    fn both(literals: &[Vec<u8>], text: &[u8]) -> (Vec<Occurrence>, Vec<Occurrence>) {
        let scan = LiteralScan::new(literals).expect("literals of 3+ bytes");
        let mut got = Vec::new();
        scan.for_each(text, |s, e, id| got.push((s, e, id)));
        got.sort_unstable();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(literals)
            .expect("builds");
        let mut want: Vec<Occurrence> = ac
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize() as u32))
            .collect();
        want.sort_unstable();
        (got, want)
    }

    #[test]
    fn finds_what_an_overlapping_automaton_finds() {
        let words: Vec<Vec<u8>> = [
            "user unknown",
            "unknown",
            "user",
            "use",
            "mailbox full",
            "box",
            "full",
            "no such user",
            "such",
            "550",
            "5.1.1",
            "5.1.10",
            "aaa",
            "aaaa",
            "é's",
            "ééé",
            "over quota",
            "quota exceeded",
            "spam",
            "spamhaus",
            "ham",
            "blocked",
            "lock",
        ]
        .iter()
        .map(|w| w.as_bytes().to_vec())
        .collect();
        // Five three-byte literals: each searched on its own.
        let scan = LiteralScan::new(&words).expect("builds");
        assert!(matches!(scan.three, Three::OneByOne(_)));
        let pieces: Vec<&[u8]> = vec![
            b"user",
            b" unknown",
            b"un",
            b"known",
            b" ",
            b"mail",
            b"box full",
            b"aa",
            b"a",
            b"5.1.1",
            b"0",
            b"550-",
            b"no such ",
            b"spam",
            b"haus",
            b"quota",
            b" exceeded",
            b"over ",
            b"\xc3\xa9",
            b"'s",
            b"bl",
            b"ocked",
            b"\n",
            b"x",
        ];
        let mut next = super::super::test_numbers(0x11e7_a15c);
        for _ in 0..20_000 {
            let n = (next() % 12) as usize;
            let text: Vec<u8> = (0..n)
                .flat_map(|_| {
                    pieces[(next() % pieces.len() as u64) as usize]
                        .iter()
                        .copied()
                })
                .collect();
            let (got, want) = both(&words, &text);
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&text));
        }
        // Texts shorter than a literal, and literals at both ends.
        for text in [&b""[..], b"a", b"us", b"use", b"user", b"fulluser"] {
            let (got, want) = both(&words, text);
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn many_literals_share_prefixes_and_slots() {
        // 3,000 literals over a small alphabet: most prefixes are shared and the filter and
        // the table see collisions.
        let mut next = super::super::test_numbers(0xfeed_f00d);
        let literals: Vec<Vec<u8>> = (0..3_000)
            .map(|_| {
                (0..3 + next() % 6)
                    .map(|_| b"abcdef "[(next() % 7) as usize])
                    .collect()
            })
            .collect();
        let scan = LiteralScan::new(&literals).expect("builds");
        assert!(matches!(scan.three, Three::Pieces(_)));
        for _ in 0..300 {
            let text: Vec<u8> = (0..next() % 400)
                .map(|_| b"abcdefg "[(next() % 8) as usize])
                .collect();
            let (got, want) = both(&literals, &text);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn a_literal_shorter_than_three_bytes_is_refused() {
        assert!(LiteralScan::new(&[b"ab".to_vec()]).is_none());
        assert!(LiteralScan::new(&[]).is_some());
    }
}

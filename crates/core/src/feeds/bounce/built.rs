//! The automata `crates/core/build.rs` compiled with the crate and wrote to `OUT_DIR`, and how
//! they are read back.

use regex_automata::dfa::dense::DFA;

/// A serialized DFA (or several), 4-byte aligned as [`DFA::from_bytes`] needs.
#[repr(C)]
pub(crate) struct Aligned<B: ?Sized> {
    pub(crate) _align: [u32; 0],
    pub(crate) bytes: B,
}

/// A DFA `build.rs` wrote (an [`Aligned`] file's bytes, or a piece of them at a multiple of
/// four bytes), checked as it is read (`from_bytes` validates every transition). The unit
/// tests assert that each one reads back, so `None` (never a match) cannot ship.
pub(crate) fn read_dfa(bytes: &'static [u8]) -> Option<DFA<&'static [u32]>> {
    DFA::from_bytes(bytes).ok().map(|(dfa, _)| dfa)
}

/// The file `build.rs` wrote to `OUT_DIR` under this name (its parts run together), aligned.
macro_rules! built_dfa {
    ($($file:literal),+) => {
        &$crate::feeds::bounce::built::Aligned {
            _align: [],
            bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/", $($file),+)),
        }
    };
}
pub(crate) use built_dfa;

//! SPF records (RFC 7208): a strict parser that reports the position of every error, and a
//! linter that turns a parsed record into findings. mail-auth's SPF parser is too lenient for
//! an audit (DESIGN.md §5: unknown mechanisms dropped, bad ip4 values clamped, no positions).

mod lint;
mod record;

pub use lint::lint;
pub use record::{
    Directive, Mechanism, Modifier, Qualifier, SpfError, SpfRecord, Term, TermKind, is_spf, parse,
};

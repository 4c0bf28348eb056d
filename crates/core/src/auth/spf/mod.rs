//! SPF records (RFC 7208): a strict parser that reports the position of every error, and a
//! linter that turns a parsed record into findings. mail-auth's SPF parser is too lenient for
//! an audit (DESIGN.md §5: unknown mechanisms dropped, bad ip4 values clamped, no positions).

mod eval;
mod lint;
mod macros;
mod record;

pub use eval::{
    LOOKUP_LIMIT, SpfEvaluation, SpfInput, SpfNode, SpfResult, TermTrace, VOID_LIMIT, check_host,
    walk,
};
pub use lint::lint;
pub use macros::{MacroContext, expand};
pub use record::{
    Directive, Mechanism, Modifier, Qualifier, SpfError, SpfRecord, Term, TermKind, is_spf, parse,
};

//! DNS blocklist checks (RFC 5782): which lists an IP or domain is on, what the listing
//! means, and whether a list can be trusted at all.
//!
//! * [`Catalogue`]: the lists as data (`rules/blocklists.toml`, or a user file).
//! * [`Target`]: an IPv4/IPv6 address or a domain, and its query name in a list's zone
//!   (reversed octets, RFC 5782 §2.1; nibbles, §2.4; the registered domain, §3).
//! * [`check`]: probes every list's test entries first (RFC 5782 §5) — a list that does
//!   not list its "must be listed" entry or lists its "must not be listed" entry is
//!   `dead-list` and its answers are not used — then queries every target on every list
//!   that applies, with bounded concurrency and a per-list rate limit.

mod catalogue;
mod check;
mod findings;
mod interpret;
mod target;

pub use catalogue::{Catalogue, CatalogueError, DEFAULT_CATALOGUE, ListKind, ListSpec};
pub use check::{CheckOptions, ListResult, ListStatus, Liveness, TargetReport, check};
pub use findings::findings_for;
pub use interpret::{Interpretation, interpret};
pub use target::Target;

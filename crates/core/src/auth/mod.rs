//! Authentication records: SPF ([`spf`]: parser, linter, macros, `check_host()` with its
//! trace), DMARC ([`dmarc`]: parser, linter, RFC 9989 discovery) and DKIM keys ([`dkim`]).
//! The domain audit ([`crate::audit`]) puts them together with MX, MTA-STS, TLS-RPT, BIMI
//! and PTR.

pub mod dkim;
pub mod dmarc;
pub mod spf;

//! Authentication posture checks (issue #3). Landed so far: SPF ([`spf`]: parser, linter,
//! macros, `check_host()` with its trace) and the DMARC record parser and linter
//! ([`dmarc`]); DMARC discovery, DKIM, MX, MTA-STS, TLS-RPT, BIMI and PTR follow.

pub mod dmarc;
pub mod spf;

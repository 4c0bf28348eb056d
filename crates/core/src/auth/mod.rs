//! Authentication posture checks (issue #3). Landed so far: the SPF record parser and
//! linter ([`spf`]); the evaluator with its lookup tree, DMARC, DKIM, MX, MTA-STS, TLS-RPT,
//! BIMI and PTR follow.

pub mod spf;

//! Report intake: sniffing, gzip and zip unpacking (with small caps), report mail (MIME,
//! attachments, ARF auth-failure and plain-text failure reports), aggregate XML and TLS JSON.
#![no_main]
use inboxlens_core::feeds::report::{ReportLimits, parse_report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_report(data, ReportLimits { max_inflated: 1 << 20 });
});

//! The forgiving XML reader and the DMARC aggregate report parser on their own.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = inboxlens_core::feeds::dmarc_report::parse_aggregate(data);
});

//! Message header checks, Received-trace parsing and Authentication-Results parsing on
//! arbitrary bytes (everything `inboxlens verify` does before it asks the DNS).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = inboxlens_core::message::headers::check(
        data,
        &inboxlens_core::message::headers::split_headers(data),
        &["from".to_string()],
    );
    if let Some(m) = mail_parser_headers(data) {
        let hops = inboxlens_core::message::trace::hops(m.headers(), data);
        let _ = inboxlens_core::message::trace::envelope(&hops, None, None, None, None);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = inboxlens_core::message::auth_results::parse_authentication_results("A-R", text);
        let _ = inboxlens_core::message::auth_results::parse_arc_authentication_results(text);
        let _ = inboxlens_core::message::auth_results::parse_received_spf(text);
    }
});

fn mail_parser_headers(data: &[u8]) -> Option<inboxlens_core::message::ParsedHeaders<'_>> {
    inboxlens_core::message::parse_headers(data)
}

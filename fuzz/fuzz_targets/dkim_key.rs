//! DKIM key record parser and the DER reader behind the key size.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(k) = inboxlens_core::auth::dkim::parse(text) {
            let _ = inboxlens_core::auth::dkim::key_bits(&k);
        }
    }
    // The raw bytes as a public key, to reach the DER reader directly.
    use base64_like::encode;
    let rec = format!("v=DKIM1; k=rsa; p={}", encode(data));
    if let Ok(k) = inboxlens_core::auth::dkim::parse(&rec) {
        let _ = inboxlens_core::auth::dkim::key_bits(&k);
    }
});

mod base64_like {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    pub fn encode(data: &[u8]) -> String {
        let mut out = String::new();
        for c in data.chunks(3) {
            let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= c.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

//! Names derived from IP addresses: reverse-lookup names and DNSBL keys.

use std::net::IpAddr;

/// The address as reversed labels: `2.0.0.127` for 127.0.0.2 (RFC 1035 §3.5), 32 reversed
/// nibbles for IPv6 (RFC 3596 §2.5). The key of PTR lookups and of DNSBLs (RFC 5782 §2).
pub fn reversed_labels(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .rev()
            .map(|b| format!("{:x}.{:x}", b & 0xf, b >> 4))
            .collect::<Vec<_>>()
            .join("."),
    }
}

/// The PTR name of `ip`, fully qualified: `…in-addr.arpa.` or `…ip6.arpa.`.
pub fn reverse_name(ip: IpAddr) -> String {
    let suffix = if ip.is_ipv4() {
        "in-addr.arpa."
    } else {
        "ip6.arpa."
    };
    format!("{}.{suffix}", reversed_labels(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_v4_and_v6() {
        assert_eq!(
            reverse_name("192.0.2.1".parse().expect("ip")),
            "1.2.0.192.in-addr.arpa."
        );
        assert_eq!(
            reverse_name("2001:db8::1".parse().expect("ip")),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
        );
    }
}

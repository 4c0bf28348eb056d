//! Reading a list's answer: listed, refused or unexpected (RFC 5782 §2.3).

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use super::catalogue::ListSpec;

/// What the A records of a positive answer mean for one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Interpretation {
    /// Listed, with the codes and their meanings.
    Listed {
        /// The answers (e.g. `127.0.0.4`).
        codes: Vec<String>,
        /// Meanings joined with "; " (unknown codes say so).
        meaning: String,
    },
    /// An error answer: the list refused to answer (e.g. Spamhaus 127.255.255.254).
    Refused {
        /// The answers.
        codes: Vec<String>,
        /// Why, from the catalogue.
        meaning: String,
    },
    /// Answers outside 127.0.0.0/8: not a DNSBL answer (parked or hijacked zone).
    Unexpected {
        /// The answers.
        codes: Vec<String>,
    },
}

/// Interprets the A records returned for a query in `list`'s zone.
pub fn interpret(list: &ListSpec, answers: &[IpAddr]) -> Interpretation {
    let codes: Vec<String> = answers.iter().map(|a| a.to_string()).collect();
    let v4: Vec<Ipv4Addr> = answers
        .iter()
        .filter_map(|a| match a {
            IpAddr::V4(v) => Some(*v),
            IpAddr::V6(_) => None,
        })
        .collect();
    if v4.is_empty() || v4.len() != answers.len() || v4.iter().any(|a| a.octets()[0] != 127) {
        return Interpretation::Unexpected { codes };
    }
    let errors: Vec<&str> = codes
        .iter()
        .filter_map(|c| list.errors.get(c).map(String::as_str))
        .collect();
    if !errors.is_empty() {
        return Interpretation::Refused {
            codes,
            meaning: errors.join("; "),
        };
    }
    let mut meanings = Vec::new();
    for a in &v4 {
        if list.bitmask {
            let last = a.octets()[3];
            let mut known = 0u8;
            for (bit, meaning) in &list.codes {
                if let Ok(b) = bit.parse::<u8>()
                    && last & b != 0
                {
                    known |= b;
                    meanings.push(meaning.clone());
                }
            }
            let unknown = last & !known & !1;
            if unknown != 0 {
                meanings.push(format!("unknown bits {unknown:#04x} in {a}"));
            }
        } else {
            match list.codes.get(&a.to_string()) {
                Some(m) => meanings.push(m.clone()),
                None => meanings.push(format!("listed with code {a} (not described by the list)")),
            }
        }
    }
    meanings.dedup();
    Interpretation::Listed {
        codes,
        meaning: meanings.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocklist::Catalogue;

    fn ips(s: &[&str]) -> Vec<IpAddr> {
        s.iter().map(|a| a.parse().expect("ip")).collect()
    }

    #[test]
    fn spamhaus_codes_errors_and_unknowns() {
        let c = Catalogue::builtin();
        let zen = c
            .lists
            .iter()
            .find(|l| l.zone == "zen.spamhaus.org")
            .expect("zen");
        match interpret(zen, &ips(&["127.0.0.4", "127.0.0.10"])) {
            Interpretation::Listed { codes, meaning } => {
                assert_eq!(codes, vec!["127.0.0.4", "127.0.0.10"]);
                assert!(
                    meaning.contains("XBL") && meaning.contains("PBL"),
                    "{meaning}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            interpret(zen, &ips(&["127.255.255.254"])),
            Interpretation::Refused { .. }
        ));
        match interpret(zen, &ips(&["127.0.0.77"])) {
            Interpretation::Listed { meaning, .. } => assert!(meaning.contains("127.0.0.77")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            interpret(zen, &ips(&["198.51.100.1"])),
            Interpretation::Unexpected { .. }
        ));
    }

    #[test]
    fn bitmask_lists_decode_each_bit() {
        let c = Catalogue::builtin();
        let uribl = c
            .lists
            .iter()
            .find(|l| l.zone == "multi.uribl.com")
            .expect("uribl");
        match interpret(uribl, &ips(&["127.0.0.10"])) {
            Interpretation::Listed { meaning, .. } => {
                assert!(
                    meaning.contains("black")
                        && meaning.contains("red")
                        && !meaning.contains("grey"),
                    "{meaning}"
                );
            }
            other => panic!("{other:?}"),
        }
        // URIBL answers 127.0.0.1 when it refuses the resolver.
        assert!(matches!(
            interpret(uribl, &ips(&["127.0.0.1"])),
            Interpretation::Refused { .. }
        ));
    }
}

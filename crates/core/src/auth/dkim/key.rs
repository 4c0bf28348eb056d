//! The DKIM key record (RFC 6376 §3.6.1; ed25519 from RFC 8463): a strict tag-list parser
//! with error positions, and the key size read from the public key itself.

use base64::Engine;
use serde::Serialize;
use thiserror::Error;

/// A syntax error with its byte position in the record.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("at position {position}: {message}")]
pub struct KeyError {
    /// Byte offset of the offending tag.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

/// The public key algorithm (`k=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// `rsa` (the default).
    Rsa,
    /// `ed25519` (RFC 8463).
    Ed25519,
    /// Anything else: verifiers ignore the key.
    Unknown(String),
}

/// A parsed key record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// `v=`, if present (must be `DKIM1` and first).
    pub version: Option<String>,
    /// `k=`.
    pub key_type: KeyType,
    /// `h=` acceptable hash algorithms (empty = all).
    pub hashes: Vec<String>,
    /// `s=` service types (empty = all).
    pub services: Vec<String>,
    /// `t=` flags (`y` testing, `s` no subdomains).
    pub flags: Vec<String>,
    /// `n=` notes.
    pub notes: Option<String>,
    /// `p=` with whitespace removed; empty means revoked.
    pub public_key: String,
}

impl KeyRecord {
    /// `p=` is empty: the key has been revoked (RFC 6376 §3.6.1).
    pub fn revoked(&self) -> bool {
        self.public_key.is_empty()
    }

    /// `t=y`: the domain is testing DKIM (RFC 6376 §3.6.1).
    pub fn testing(&self) -> bool {
        self.flags.iter().any(|f| f.eq_ignore_ascii_case("y"))
    }
}

/// Whether a TXT record looks like a DKIM key (so stray TXT at a selector name is not
/// mistaken for one): it has `v=DKIM1`, or a `p=` tag.
pub fn looks_like_key(txt: &str) -> bool {
    txt.split(';').any(|t| {
        let t = t.trim().to_ascii_lowercase();
        t.starts_with("v=dkim1")
            || t.starts_with("p=")
            || (t.starts_with('p') && t[1..].trim_start().starts_with('='))
    })
}

/// Parses a key record.
pub fn parse(text: &str) -> Result<KeyRecord, KeyError> {
    let mut rec = KeyRecord {
        version: None,
        key_type: KeyType::Rsa,
        hashes: Vec::new(),
        services: Vec::new(),
        flags: Vec::new(),
        notes: None,
        public_key: String::new(),
    };
    let mut seen: Vec<String> = Vec::new();
    let mut have_p = false;
    let mut pos = 0usize;
    for (i, part) in text.split(';').enumerate() {
        let start = pos;
        pos += part.len() + 1;
        let trimmed = part.trim();
        if trimmed.is_empty() {
            continue;
        }
        let at = start + (part.len() - part.trim_start().len());
        let err = |message: String| KeyError {
            position: at,
            message,
        };
        let Some((name, value)) = trimmed.split_once('=') else {
            return Err(err(format!("\"{trimmed}\" is not a tag=value pair")));
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(format!("\"{name}\" is not a valid tag name")));
        }
        if seen.contains(&name) {
            // RFC 6376 §3.2: a tag appearing twice invalidates the whole list.
            return Err(err(format!("tag \"{name}\" appears more than once")));
        }
        seen.push(name.clone());
        let list = |v: &str| -> Vec<String> {
            v.split(':')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        };
        match name.as_str() {
            "v" => {
                if i != 0 || seen.len() != 1 {
                    return Err(err("v= must be the first tag".into()));
                }
                if value != "DKIM1" {
                    return Err(err(format!("v={value}: the only version is DKIM1")));
                }
                rec.version = Some(value.to_string());
            }
            "k" => {
                rec.key_type = match value.to_ascii_lowercase().as_str() {
                    "rsa" => KeyType::Rsa,
                    "ed25519" => KeyType::Ed25519,
                    other => KeyType::Unknown(other.to_string()),
                }
            }
            "h" => rec.hashes = list(value),
            "s" => rec.services = list(value),
            "t" => rec.flags = list(value),
            "n" => rec.notes = Some(value.to_string()),
            "p" => {
                have_p = true;
                let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                if !compact
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=')
                {
                    return Err(err("p= holds characters that are not base64".into()));
                }
                rec.public_key = compact;
            }
            _ => {} // Unknown tags are ignored (RFC 6376 §3.6.1).
        }
    }
    if !have_p {
        return Err(KeyError {
            position: text.len(),
            message: "the required p= tag is missing".into(),
        });
    }
    Ok(rec)
}

/// The key size in bits: RSA modulus length from SubjectPublicKeyInfo (or a bare PKCS#1
/// RSAPublicKey), 256 for a 32-byte ed25519 key. `Err` says why the key cannot be read.
pub fn key_bits(rec: &KeyRecord) -> Result<u32, String> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(&rec.public_key)
        .map_err(|e| format!("p= is not valid base64: {e}"))?;
    match rec.key_type {
        KeyType::Ed25519 => {
            if der.len() == 32 {
                Ok(256)
            } else {
                Err(format!(
                    "an ed25519 key is 32 bytes; p= decodes to {} bytes",
                    der.len()
                ))
            }
        }
        KeyType::Rsa => rsa_modulus_bits(&der),
        KeyType::Unknown(_) => Err("unknown key type".into()),
    }
}

/// One DER element: (tag, content, rest).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const RSA_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn rsa_modulus_bits(der_bytes: &[u8]) -> Result<u32, String> {
    let bad =
        || "p= is not an RSA public key (neither SubjectPublicKeyInfo nor PKCS#1)".to_string();
    let (tag, seq, _) = der(der_bytes).ok_or_else(bad)?;
    if tag != 0x30 {
        return Err(bad());
    }
    let (first_tag, first, rest) = der(seq).ok_or_else(bad)?;
    let rsa_key: &[u8] = if first_tag == 0x30 {
        // SubjectPublicKeyInfo: AlgorithmIdentifier, then a BIT STRING holding RSAPublicKey.
        let (oid_tag, oid, _) = der(first).ok_or_else(bad)?;
        if oid_tag != 0x06 || oid != RSA_OID {
            return Err("p= holds a public key that is not RSA".into());
        }
        let (bit_tag, bits, _) = der(rest).ok_or_else(bad)?;
        if bit_tag != 0x03 || bits.is_empty() {
            return Err(bad());
        }
        let (t, inner, _) = der(&bits[1..]).ok_or_else(bad)?;
        if t != 0x30 {
            return Err(bad());
        }
        inner
    } else if first_tag == 0x02 {
        seq
    } else {
        return Err(bad());
    };
    let (t, modulus, _) = der(rsa_key).ok_or_else(bad)?;
    if t != 0x02 {
        return Err(bad());
    }
    let m: &[u8] = {
        let mut m = modulus;
        while let [0, rest @ ..] = m {
            m = rest;
        }
        m
    };
    let Some(&top) = m.first() else {
        return Err(bad());
    };
    Ok((m.len() as u32 - 1) * 8 + (8 - top.leading_zeros()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spki(modulus_bytes: usize) -> String {
        // A syntactically valid SubjectPublicKeyInfo with a modulus of the given size.
        let mut n = vec![0x00, 0xc3];
        n.extend(std::iter::repeat_n(0x55, modulus_bytes - 1));
        let e = [0x01, 0x00, 0x01];
        let int = |b: &[u8]| {
            let mut v = vec![0x02];
            v.extend(len(b.len()));
            v.extend(b);
            v
        };
        let mut rsa = int(&n);
        rsa.extend(int(&e));
        let rsa = wrap(0x30, &rsa);
        let mut bit = vec![0x00];
        bit.extend(rsa);
        let mut alg = wrap(0x06, &RSA_OID);
        alg.extend([0x05, 0x00]);
        let mut body = wrap(0x30, &alg);
        body.extend(wrap(0x03, &bit));
        base64::engine::general_purpose::STANDARD.encode(wrap(0x30, &body))
    }

    fn len(n: usize) -> Vec<u8> {
        if n < 0x80 {
            vec![n as u8]
        } else if n < 0x100 {
            vec![0x81, n as u8]
        } else {
            vec![0x82, (n >> 8) as u8, n as u8]
        }
    }

    fn wrap(tag: u8, b: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        v.extend(len(b.len()));
        v.extend(b);
        v
    }

    #[test]
    fn key_sizes_are_read_from_the_key() {
        for bytes in [64, 128, 256, 512] {
            let r = parse(&format!("v=DKIM1; k=rsa; p={}", spki(bytes))).expect("parse");
            assert_eq!(key_bits(&r), Ok(bytes as u32 * 8));
        }
        let ed = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let r = parse(&format!("v=DKIM1; k=ed25519; p={ed}")).expect("parse");
        assert_eq!(key_bits(&r), Ok(256));
        let r = parse("v=DKIM1; p=AAAA").expect("parse");
        assert!(key_bits(&r).is_err());
    }

    #[test]
    fn tag_list_rules() {
        let r = parse("v=DKIM1; t=y:s; h=sha256; p=").expect("parse");
        assert!(r.revoked() && r.testing());
        assert_eq!(r.hashes, vec!["sha256"]);
        assert_eq!(
            parse("k=rsa; v=DKIM1; p=").expect_err("v first").position,
            7
        );
        assert!(parse("v=DKIM2; p=").is_err());
        assert!(parse("v=DKIM1; k=rsa").is_err());
        assert!(parse("v=DKIM1; p=a; p=b").is_err());
        assert!(parse("v=DKIM1; p=ab$c").is_err());
        assert!(parse("v=DKIM1; junk; p=").is_err());
        assert_eq!(
            parse("v=DKIM1; k=dsa; p=").expect("parse").key_type,
            KeyType::Unknown("dsa".into())
        );
        assert!(looks_like_key("v=DKIM1; p=abc"));
        assert!(looks_like_key("k=rsa; p=abc"));
        assert!(!looks_like_key("v=spf1 -all"));
    }
}

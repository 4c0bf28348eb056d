//! RFC 8617 checks that mail-auth 0.13.3 does not make, applied on top of its ARC result:
//! the tag-list syntax of every ARC header (RFC 6376 §3.2: case-sensitive names, no
//! duplicates, no empty tag-spec but a final one), the required tags, SHA-256 algorithms only
//! (RFC 8617 §4.1, RFC 8301 §3.1), no ARC-Seal in an AMS `h=` (§4.1.2), and a chain that has
//! ARC headers but no AMS (mail-auth reports "none" for it) is a broken chain (§5.2).

/// Why the chain must fail, if it must.
pub fn violation(headers: &[(String, String, String)]) -> Option<String> {
    let arc: Vec<&(String, String, String)> = headers
        .iter()
        .filter(|h| h.0.to_ascii_lowercase().starts_with("arc-"))
        .collect();
    if arc.is_empty() {
        return None;
    }
    let ams: Vec<_> = arc
        .iter()
        .filter(|h| h.0.eq_ignore_ascii_case("arc-message-signature"))
        .collect();
    let seals: Vec<_> = arc
        .iter()
        .filter(|h| h.0.eq_ignore_ascii_case("arc-seal"))
        .collect();
    if ams.is_empty() {
        return Some(
            "ARC headers without an ARC-Message-Signature: the chain is broken (RFC 8617 §5.2)"
                .into(),
        );
    }
    if seals.is_empty() {
        return Some("ARC headers without an ARC-Seal: the chain is broken (RFC 8617 §5.2)".into());
    }
    for (h, required) in ams
        .iter()
        .map(|h| (h, &["i", "a", "b", "bh", "d", "s", "h"][..]))
        .chain(
            seals
                .iter()
                .map(|h| (h, &["i", "a", "b", "cv", "d", "s"][..])),
        )
    {
        let tags = match tag_list(&h.1) {
            Ok(t) => t,
            Err(e) => return Some(format!("{}: {e} (RFC 6376 §3.2)", h.0)),
        };
        for r in required {
            if !tags.iter().any(|(k, _)| k == r) {
                return Some(format!(
                    "{}: the required tag {r}= is missing (RFC 8617 §4.1)",
                    h.0
                ));
            }
        }
        let a = tags
            .iter()
            .find(|(k, _)| k == "a")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        // RFC 8617 §4.1: ARC uses DKIM's algorithms; SHA-1 is not acceptable (RFC 8301 §3.1).
        if !(a.eq_ignore_ascii_case("rsa-sha256") || a.eq_ignore_ascii_case("ed25519-sha256")) {
            return Some(format!(
                "{}: a={a}; only rsa-sha256 and ed25519-sha256 (RFC 8463) are acceptable (RFC 8617 §4.1, RFC 8301 §3.1)",
                h.0
            ));
        }
        if h.0.eq_ignore_ascii_case("arc-message-signature")
            && let Some((_, list)) = tags.iter().find(|(k, _)| k == "h")
            && list
                .split(':')
                .any(|x| x.trim().eq_ignore_ascii_case("arc-seal"))
        {
            return Some(format!(
                "{}: h= signs ARC-Seal, which an AMS must not (RFC 8617 §4.1.2)",
                h.0
            ));
        }
    }
    None
}

/// Splits a tag-list strictly (RFC 6376 §3.2).
fn tag_list(value: &str) -> Result<Vec<(String, String)>, String> {
    let parts: Vec<&str> = value.split(';').collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let p = part.trim();
        if p.is_empty() {
            if i + 1 == parts.len() {
                continue; // one trailing ";" is allowed
            }
            return Err("an empty tag-spec (\";;\")".into());
        }
        let Some((k, v)) = p.split_once('=') else {
            return Err(format!("\"{p}\" is not tag=value"));
        };
        let k = k.trim();
        let mut chars = k.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(format!("\"{k}\" is not a valid tag name"));
        }
        if out.iter().any(|(x, _)| x == k) {
            return Err(format!("tag \"{k}\" appears twice"));
        }
        out.push((k.to_string(), v.split_whitespace().collect::<String>()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::tag_list;

    #[test]
    fn tag_lists() {
        assert!(tag_list("a=1; b=2;").is_ok());
        assert!(tag_list("a=1;; b=2").is_err());
        assert!(tag_list("a=1; b=2;;").is_err());
        assert!(tag_list("a=1; _=2").is_err());
        assert!(tag_list("a=1; a=2").is_err());
        assert_eq!(tag_list("S=x").expect("ok")[0].0, "S");
    }
}

//! Shared helpers for the small `v=…; tag=value` TXT policies (MTA-STS, TLS-RPT, BIMI):
//! collect the records of a version, split tags with positions.

use crate::dns::{DnsError, DnsJob};

/// The records at a name that start with `version` (case-sensitive, as RFC 8460/8461 and
/// the BIMI draft define it), and every TXT at the name for evidence.
pub struct Found {
    /// Records of this version.
    pub records: Vec<String>,
    /// Evidence lines: every TXT at the name, or what the answer said.
    pub evidence: Vec<String>,
}

/// Looks up `name` and keeps the records beginning with `prefix` (e.g. `v=STSv1`).
pub async fn find(job: &DnsJob, name: &str, prefix: &str) -> Result<Found, DnsError> {
    let a = job.txt(name).await?;
    let all = a.txt();
    let records = all
        .iter()
        .filter(|t| {
            let t = t.trim_start();
            t.starts_with(prefix) && t[prefix.len()..].trim_start().is_empty_or_sep()
        })
        .cloned()
        .collect();
    let mut evidence: Vec<String> = all.iter().map(|t| format!("{name} TXT \"{t}\"")).collect();
    if evidence.is_empty() {
        evidence.push(format!("{name} TXT: {}", a.status.describe()));
    }
    Ok(Found { records, evidence })
}

trait SepExt {
    fn is_empty_or_sep(&self) -> bool;
}

impl SepExt for str {
    fn is_empty_or_sep(&self) -> bool {
        self.is_empty() || self.starts_with(';')
    }
}

/// One `name=value` tag with the byte offset of its name.
pub struct Tag {
    /// Lowercased name.
    pub name: String,
    /// Value, trimmed.
    pub value: String,
    /// Byte offset.
    pub position: usize,
}

/// Splits `a=b; c=d` into tags. `Err((position, message))` for a part that is not `name=value`.
pub fn tags(text: &str) -> Result<Vec<Tag>, (usize, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for part in text.split(';') {
        let start = pos;
        pos += part.len() + 1;
        if part.trim().is_empty() {
            continue;
        }
        let at = start + (part.len() - part.trim_start().len());
        let Some((n, v)) = part.split_once('=') else {
            return Err((at, format!("\"{}\" is not a tag=value pair", part.trim())));
        };
        let name = n.trim().to_ascii_lowercase();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            return Err((at, format!("\"{}\" is not a valid tag name", n.trim())));
        }
        if out.iter().any(|t: &Tag| t.name == name) {
            return Err((at, format!("tag \"{name}\" appears more than once")));
        }
        out.push(Tag {
            name,
            value: v.trim().to_string(),
            position: at,
        });
    }
    Ok(out)
}

/// A pointer line (`   ^`) under position `at`, for evidence.
pub fn pointer(at: usize) -> String {
    format!("{}^", " ".repeat(at))
}

#[cfg(test)]
mod tests {
    use super::tags;

    #[test]
    fn tags_with_positions() {
        let t = tags("v=STSv1; id=20240101;").expect("tags");
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].name, "id");
        assert_eq!(t[1].position, 9);
        assert_eq!(tags("v=STSv1; junk").err().map(|e| e.0), Some(9));
        assert!(tags("v=a; v=b").is_err());
    }
}

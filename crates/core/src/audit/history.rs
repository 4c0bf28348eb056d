//! DNS history: what changed between two stored audits of a domain — records added and
//! removed, TTLs changed, names that started or stopped answering, findings that appeared or
//! went away. Works on the stored JSON, so audits kept before snapshots existed still compare
//! by their findings.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// The difference between two audits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditDiff {
    /// Records in the newer audit only (`name IN TYPE data`).
    pub added: Vec<String>,
    /// Records in the older audit only.
    pub removed: Vec<String>,
    /// Records in both with another TTL: (record, old TTL, new TTL).
    pub ttl_changed: Vec<(String, u32, u32)>,
    /// Lookups whose outcome changed (`_dmarc.example.com TXT: records → nxdomain`).
    pub status_changed: Vec<String>,
    /// Finding ids (above pass) new in the newer audit.
    pub findings_added: Vec<String>,
    /// Finding ids gone since the older audit.
    pub findings_removed: Vec<String>,
    /// Both audits carry a DNS snapshot (else only findings were compared).
    pub records_compared: bool,
}

impl AuditDiff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.ttl_changed.is_empty()
            && self.status_changed.is_empty()
            && self.findings_added.is_empty()
            && self.findings_removed.is_empty()
    }
}

type Snapshot = (BTreeMap<String, u32>, BTreeMap<String, String>);

fn snapshot(audit: &Value) -> Option<Snapshot> {
    let answers = audit.get("records")?.as_array()?;
    let mut records = BTreeMap::new();
    let mut status = BTreeMap::new();
    for a in answers {
        let key = format!(
            "{} {}",
            a["name"].as_str().unwrap_or(""),
            a["kind"].as_str().unwrap_or("")
        );
        status.insert(key, a["status"].as_str().unwrap_or("").to_string());
        for r in a["records"].as_array().into_iter().flatten() {
            if let Some(text) = r["text"].as_str() {
                records.insert(text.to_string(), r["ttl"].as_u64().unwrap_or(0) as u32);
            }
        }
    }
    Some((records, status))
}

/// Finding ids above `pass` in a stored result's JSON `findings` array (an audit, a blocklist
/// check, a verified message), in their order.
pub fn finding_ids(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|x| x["severity"] != "pass")
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn findings(audit: &Value) -> Vec<String> {
    let mut ids = finding_ids(&audit["findings"]);
    ids.sort();
    ids.dedup();
    ids
}

/// Compares an older and a newer stored audit (their JSON).
pub fn diff(older: &Value, newer: &Value) -> AuditDiff {
    let mut d = AuditDiff::default();
    if let (Some((old_r, old_s)), Some((new_r, new_s))) = (snapshot(older), snapshot(newer)) {
        d.records_compared = true;
        for (text, ttl) in &new_r {
            match old_r.get(text) {
                None => d.added.push(text.clone()),
                Some(old_ttl) if old_ttl != ttl => {
                    d.ttl_changed.push((text.clone(), *old_ttl, *ttl))
                }
                Some(_) => {}
            }
        }
        d.removed = old_r
            .keys()
            .filter(|t| !new_r.contains_key(*t))
            .cloned()
            .collect();
        for (key, s) in &new_s {
            if let Some(old) = old_s.get(key)
                && old != s
            {
                d.status_changed.push(format!("{key}: {old} → {s}"));
            }
        }
    }
    let (old_f, new_f) = (findings(older), findings(newer));
    d.findings_added = new_f
        .iter()
        .filter(|f| !old_f.contains(f))
        .cloned()
        .collect();
    d.findings_removed = old_f
        .iter()
        .filter(|f| !new_f.contains(f))
        .cloned()
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_ttls_statuses_and_findings_are_compared() {
        let old = serde_json::json!({
            "records": [
                {"name": "a.example", "kind": "TXT", "status": "records", "records": [
                    {"ttl": 300, "text": "a.example IN TXT \"v=spf1 -all\""},
                    {"ttl": 300, "text": "a.example IN TXT \"keep\""}]},
                {"name": "_dmarc.a.example", "kind": "TXT", "status": "records", "records": [
                    {"ttl": 300, "text": "_dmarc.a.example IN TXT \"v=DMARC1; p=none\""}]}
            ],
            "findings": [{"id": "dmarc-policy-none", "severity": "warning"}, {"id": "spf-ok", "severity": "pass"}]
        });
        let new = serde_json::json!({
            "records": [
                {"name": "a.example", "kind": "TXT", "status": "records", "records": [
                    {"ttl": 300, "text": "a.example IN TXT \"v=spf1 include:x.example -all\""},
                    {"ttl": 60, "text": "a.example IN TXT \"keep\""}]},
                {"name": "_dmarc.a.example", "kind": "TXT", "status": "nxdomain", "records": []}
            ],
            "findings": [{"id": "dmarc-missing", "severity": "critical"}]
        });
        let d = diff(&old, &new);
        assert!(d.records_compared);
        assert_eq!(
            d.added,
            vec!["a.example IN TXT \"v=spf1 include:x.example -all\""]
        );
        assert_eq!(d.removed.len(), 2);
        assert_eq!(
            d.ttl_changed,
            vec![("a.example IN TXT \"keep\"".to_string(), 300, 60)]
        );
        assert_eq!(
            d.status_changed,
            vec!["_dmarc.a.example TXT: records → nxdomain"]
        );
        assert_eq!(d.findings_added, vec!["dmarc-missing"]);
        assert_eq!(d.findings_removed, vec!["dmarc-policy-none"]);
        assert!(diff(&new, &new).is_empty());
        // Audits stored before snapshots: findings only.
        let bare = serde_json::json!({"findings": []});
        assert!(!diff(&bare, &new).records_compared);
    }
}

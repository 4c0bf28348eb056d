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

/// One change between two audits, named as a specialist says it ("SPF record edited", "DKIM
/// selector s2 added"), with the records behind it: what a timeline annotates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    /// What changed: `SPF record`, `DMARC record`, `DKIM selector s1`, `MX`, `MTA-STS
    /// record`, `TLS-RPT record`, `BIMI record`, `reverse DNS`, `address`, `other TXT`, …
    pub what: String,
    /// `added`, `removed` or `edited`.
    pub how: String,
    /// The records: `+ record` (new), `- record` (gone), `name TYPE: old → new` (outcome).
    pub evidence: Vec<String>,
}

/// Splits a record's presentation form (`name IN TYPE data`) into name, type and data.
fn split_record(text: &str) -> (&str, &str, &str) {
    let mut parts = text.splitn(4, ' ');
    let name = parts.next().unwrap_or("");
    let _class = parts.next();
    let kind = parts.next().unwrap_or("");
    (name, kind, parts.next().unwrap_or(""))
}

/// What a record (or a looked-up name) is, for the account's `domain`.
fn classify(domain: &str, name: &str, kind: &str, data: &str) -> String {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    if let Some(sel) = name.strip_suffix(&format!("._domainkey.{domain}")) {
        return format!("DKIM selector {sel}");
    }
    if name.contains("._domainkey.") {
        return "DKIM key".into();
    }
    if name.starts_with("_dmarc.") {
        return "DMARC record".into();
    }
    if name.starts_with("_mta-sts.") {
        return "MTA-STS record".into();
    }
    if name.starts_with("_smtp._tls.") {
        return "TLS-RPT record".into();
    }
    if name.contains("._bimi.") {
        return "BIMI record".into();
    }
    match kind {
        "MX" => "MX".into(),
        "PTR" => "reverse DNS".into(),
        "A" | "AAAA" => format!("address of {name}"),
        // RFC 7208 §4.5: the SPF record is the TXT record at the domain starting `v=spf1`
        // (the query itself tells us it is SPF when the data is gone, so look at both).
        "TXT"
            if data
                .trim_start_matches('"')
                .to_ascii_lowercase()
                .starts_with("v=spf1") =>
        {
            if name == domain {
                "SPF record".into()
            } else {
                format!("SPF record of {name}")
            }
        }
        "TXT" => format!("TXT of {name}"),
        other => format!("{other} of {name}"),
    }
}

/// Groups a diff's record and outcome changes by what they are (SPF, DMARC, each DKIM
/// selector, MX, …); TTL-only changes are left out (they change nothing a receiver decides).
pub fn changes(domain: &str, d: &AuditDiff) -> Vec<Change> {
    let mut groups: BTreeMap<String, (bool, bool, Vec<String>)> = BTreeMap::new();
    for (sign, list) in [('+', &d.added), ('-', &d.removed)] {
        for text in list.iter() {
            let (name, kind, data) = split_record(text);
            let g = groups
                .entry(classify(domain, name, kind, data))
                .or_default();
            if sign == '+' {
                g.0 = true;
            } else {
                g.1 = true;
            }
            g.2.push(format!("{sign} {text}"));
        }
    }
    for s in &d.status_changed {
        // `name TYPE: old → new`
        let mut it = s.split([' ', ':']);
        let (name, kind) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
        // The audit's TXT lookup at the domain itself is its SPF lookup (RFC 7208 §4.4).
        let apex = name
            .trim_end_matches('.')
            .eq_ignore_ascii_case(domain.trim_end_matches('.'));
        let hint = if kind == "TXT" && apex { "v=spf1" } else { "" };
        let what = classify(domain, name, kind, hint);
        let g = groups.entry(what).or_default();
        if s.ends_with("→ records") {
            g.0 = true;
        } else {
            g.1 = true;
        }
        g.2.push(s.clone());
    }
    groups
        .into_iter()
        .map(|(what, (added, removed, evidence))| Change {
            what,
            how: match (added, removed) {
                (true, true) => "edited",
                (true, false) => "added",
                _ => "removed",
            }
            .into(),
            evidence,
        })
        .collect()
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

    #[test]
    fn changes_are_named_by_what_they_are() {
        let d = AuditDiff {
            added: vec![
                "a.example. IN TXT \"v=spf1 include:x.example -all\"".into(),
                "s2._domainkey.a.example. IN TXT \"v=DKIM1; p=MIIB\"".into(),
            ],
            removed: vec!["a.example. IN TXT \"v=spf1 -all\"".into()],
            ttl_changed: vec![("a.example. IN MX 10 mx.a.example.".into(), 300, 60)],
            status_changed: vec!["_dmarc.a.example. TXT: records → nxdomain".into()],
            ..AuditDiff::default()
        };
        let c = changes("a.example", &d);
        let named: Vec<(String, String)> =
            c.iter().map(|c| (c.what.clone(), c.how.clone())).collect();
        assert_eq!(
            named,
            vec![
                ("DKIM selector s2".to_string(), "added".to_string()),
                ("DMARC record".to_string(), "removed".to_string()),
                ("SPF record".to_string(), "edited".to_string()),
            ]
        );
        let spf = &c[2];
        assert_eq!(spf.evidence.len(), 2);
        assert!(spf.evidence[0].starts_with("+ a.example."));
        assert!(spf.evidence[1].starts_with("- a.example."));
        // An apex TXT lookup that starts answering is the SPF record appearing.
        let appeared = AuditDiff {
            status_changed: vec!["a.example. TXT: nxdomain → records".into()],
            ..AuditDiff::default()
        };
        assert_eq!(changes("a.example", &appeared)[0].what, "SPF record");
        assert_eq!(changes("a.example", &appeared)[0].how, "added");
        assert!(changes("a.example", &AuditDiff::default()).is_empty());
    }
}

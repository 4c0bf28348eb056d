//! BIMI assertion record at `default._bimi.<domain>` (draft-brand-indicators-for-message-
//! identification; the record format is `v=BIMI1; l=<https SVG>; a=<https PEM>`). Mailbox
//! providers show the logo only for mail that passes DMARC under an enforced policy.

use serde::Serialize;

use super::txt_policy::{self, pointer};
use crate::auth::dmarc::{DmarcRecord, Policy};
use crate::dns::DnsJob;
use crate::finding::{Finding, Severity};

/// The BIMI section of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BimiSection {
    /// The name queried.
    pub name: String,
    /// `v=BIMI1` records found.
    pub records: Vec<String>,
    /// The logo URL (`l=`).
    pub logo: Option<String>,
    /// The mark certificate URL (`a=`).
    pub authority: Option<String>,
}

fn https(uri: &str) -> bool {
    uri.to_ascii_lowercase().starts_with("https://") && uri.len() > 8
}

/// Audits the BIMI record of `domain`. `dmarc` is the DMARC record that applies and
/// whether it was inherited from a parent (then `sp=` governs).
pub async fn audit(
    job: &DnsJob,
    domain: &str,
    dmarc: Option<(&DmarcRecord, bool)>,
) -> (BimiSection, Vec<Finding>) {
    let name = format!("default._bimi.{domain}");
    let mut s = BimiSection {
        name: name.clone(),
        records: Vec::new(),
        logo: None,
        authority: None,
    };
    let found = match txt_policy::find(job, &name, "v=BIMI1").await {
        Ok(f) => f,
        Err(e) => {
            return (
                s,
                vec![
                    Finding::new(
                        "bimi-dns-error",
                        Severity::Warning,
                        format!("The BIMI lookup for {domain} failed"),
                    )
                    .detail(format!(
                        "{e}. Mailbox providers that see this show no logo."
                    ))
                    .evidence(vec![format!("{name} TXT: {e}")])
                    .fix("Make the nameservers answer TXT queries for _bimi names reliably.")
                    .refs(&["BIMI draft §4"]),
                ],
            );
        }
    };
    s.records = found.records.clone();
    let ev = found.evidence;
    match found.records.len() {
        0 => {
            return (s, vec![Finding::new("bimi-missing", Severity::Info, format!("{domain} publishes no BIMI record"))
                .detail("BIMI lets Gmail, Yahoo and Apple Mail show the brand's logo next to authenticated mail. Optional; it needs DMARC at p=quarantine or p=reject first.")
                .evidence(ev)
                .fix(format!("Once DMARC is enforced, publish at {name}: TXT \"v=BIMI1; l=https://…/logo.svg; a=https://…/vmc.pem\"."))
                .refs(&["BIMI draft §4"])]);
        }
        1 => {}
        n => {
            return (
                s,
                vec![
                    Finding::new(
                        "bimi-multiple-records",
                        Severity::Error,
                        format!("{domain} publishes {n} BIMI records"),
                    )
                    .detail(
                        "With more than one v=BIMI1 record at the name, providers ignore them all.",
                    )
                    .evidence(ev)
                    .fix(format!("Keep exactly one record at {name}."))
                    .refs(&["BIMI draft §4.2"]),
                ],
            );
        }
    }
    let text = found.records[0].clone();
    let line = format!("{name} TXT \"{text}\"");
    let bad = |at: usize, msg: String| {
        Finding::new(
            "bimi-syntax-error",
            Severity::Error,
            format!("The BIMI record of {domain} is invalid"),
        )
        .detail(format!(
            "At position {at}: {msg}. Providers ignore an invalid record."
        ))
        .evidence(vec![line.clone(), text.clone(), pointer(at)])
        .fix("Publish \"v=BIMI1; l=https://…/logo.svg; a=https://…/vmc.pem\".")
        .refs(&["BIMI draft §4.2"])
    };
    let tags = match txt_policy::tags(&text) {
        Ok(t) => t,
        Err((at, msg)) => return (s, vec![bad(at, msg)]),
    };
    if tags
        .first()
        .is_none_or(|t| t.name != "v" || t.value != "BIMI1")
    {
        return (s, vec![bad(0, "the record must start with v=BIMI1".into())]);
    }
    s.logo = tags
        .iter()
        .find(|t| t.name == "l")
        .map(|t| t.value.clone())
        .filter(|v| !v.is_empty());
    s.authority = tags
        .iter()
        .find(|t| t.name == "a")
        .map(|t| t.value.clone())
        .filter(|v| !v.is_empty());
    let mut out = Vec::new();
    if s.logo.is_none() && s.authority.is_none() {
        out.push(
            Finding::new(
                "bimi-declined",
                Severity::Info,
                format!("{domain} declines BIMI"),
            )
            .detail("Empty l= and a= say the domain chooses not to show a logo.")
            .evidence(vec![line.clone()])
            .refs(&["BIMI draft §4.3"]),
        );
        return (s, out);
    }
    if let Some(l) = &s.logo
        && !https(l)
    {
        out.push(Finding::new("bimi-logo-not-https", Severity::Error, format!("The BIMI logo of {domain} is not an https URL"))
            .detail(format!("l={l}: the logo must be an SVG Tiny PS served over https; providers ignore anything else."))
            .evidence(vec![line.clone()])
            .fix("Host the SVG Tiny PS logo at an https:// URL and put it in l=.")
            .refs(&["BIMI draft §4.2"]));
    }
    if let Some(a) = &s.authority
        && !https(a)
    {
        out.push(
            Finding::new(
                "bimi-certificate-not-https",
                Severity::Error,
                format!("The BIMI certificate URL of {domain} is not https"),
            )
            .detail(format!(
                "a={a}: the mark certificate (VMC/CMC) must be served over https."
            ))
            .evidence(vec![line.clone()])
            .fix("Host the certificate PEM at an https:// URL and put it in a=.")
            .refs(&["BIMI draft §4.2"]),
        );
    }
    if s.authority.is_none() {
        out.push(Finding::new("bimi-no-certificate", Severity::Info, format!("The BIMI record of {domain} has no mark certificate (a=)"))
            .detail("Gmail and Apple Mail show BIMI logos only with a Verified Mark Certificate or Common Mark Certificate; Yahoo shows some without.")
            .evidence(vec![line.clone()])
            .fix("Obtain a VMC or CMC for the logo and add a=https://…/certificate.pem.")
            .refs(&["BIMI draft §4.2", "Gmail BIMI requirements"]));
    }
    // The logo is shown only under an enforced DMARC policy: p=quarantine (at 100 %) or
    // p=reject, and not sp=none for the domain.
    let enforced = match dmarc {
        None => Err("no DMARC record applies".to_string()),
        Some((r, inherited)) => {
            let p = if inherited { r.sp.or(r.p) } else { r.p };
            match p {
                Some(Policy::Reject) => Ok(()),
                Some(Policy::Quarantine) if r.pct.is_none_or(|x| x == 100) => Ok(()),
                Some(Policy::Quarantine) => Err(format!(
                    "p=quarantine applies to only pct={}",
                    r.pct.unwrap_or(100)
                )),
                Some(Policy::None) => Err("the policy that applies is none".to_string()),
                None => Err("the DMARC record has no valid policy".to_string()),
            }
            .and_then(|_| match (inherited, r.sp) {
                (false, Some(Policy::None)) => Err("sp=none leaves subdomains unenforced".into()),
                _ => Ok(()),
            })
            .map_err(|e| format!("{e} (_dmarc record: \"{}\")", r.text))
        }
    };
    if let Err(why) = enforced {
        out.push(Finding::new("bimi-dmarc-not-enforced", Severity::Error, format!("{domain} publishes BIMI but its DMARC policy is not enforced"))
            .detail(format!("Providers show BIMI logos only for domains at p=quarantine (pct=100) or p=reject, with no sp=none: {why}."))
            .evidence(vec![line.clone(), why.clone()])
            .fix("Move DMARC to p=quarantine or p=reject (without pct below 100 or sp=none) once every legitimate source passes.")
            .refs(&["BIMI draft §3", "RFC 7489 §6.3"]));
    }
    if !out.iter().any(|f| f.severity >= Severity::Warning) {
        out.push(
            Finding::new(
                "bimi-ok",
                Severity::Pass,
                format!("{domain} is set up for BIMI"),
            )
            .detail("A valid record and an enforced DMARC policy.")
            .evidence(vec![line])
            .refs(&["BIMI draft"]),
        );
    }
    (s, out)
}

//! The account report to hand over (issue #9): everything the store knows about one account —
//! its habit score and the rules that fired, the latest audit of each domain, the latest
//! blocklist check of each target, bounces and complaints, DMARC and TLS reports — as JSON or
//! as one self-contained HTML file (inline CSS and SVG, no script, no external resource, a CSP
//! that forbids both). Recipient addresses are personal data: redacted unless asked for.

use std::fmt::Write;

use serde::Serialize;

use crate::error::StoreError;
use crate::open::Store;
use crate::{AccountScore, FeedFilter, FeedSummary, ReportFilter, ReportOverview, Timeline};

/// One stored check (audit or blocklist) in the report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSnapshot {
    /// The domain or IP.
    pub target: String,
    /// When it ran.
    pub checked_at: String,
    /// Its findings above `pass` (id, severity, title, detail, evidence, fix, references).
    pub findings: Vec<serde_json::Value>,
}

/// A bounce or complaint in the report.
#[derive(Debug, Clone, Serialize)]
pub struct RecentRecord {
    /// Unix seconds.
    pub timestamp: Option<i64>,
    /// `bounce` or `complaint`.
    pub kind: String,
    /// The recipient (redacted to its domain unless personal data is included).
    pub recipient: String,
    /// Reason.
    pub reason: String,
    /// Status code.
    pub status: String,
    /// The diagnostic (addresses redacted unless personal data is included).
    pub diagnostic: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct AccountReport {
    /// The account's name.
    pub account: String,
    /// Its domains.
    pub domains: Vec<String>,
    /// Its sending IPs.
    pub sending_ips: Vec<String>,
    /// When the report was made (UTC).
    pub generated_at: String,
    /// Whether recipient addresses are shown.
    pub personal_data_included: bool,
    /// The habit score over its window.
    pub score: AccountScore,
    /// Latest audit per domain.
    pub audits: Vec<CheckSnapshot>,
    /// Latest blocklist check per IP and domain.
    pub blocklists: Vec<CheckSnapshot>,
    /// Bounce and complaint counts.
    pub feeds: FeedSummary,
    /// The newest 25 hard bounces and complaints.
    pub recent: Vec<RecentRecord>,
    /// DMARC and TLS reports added up.
    pub reports: ReportOverview,
    /// The account over time: per-day series and the DNS and listing changes seen.
    pub timeline: Timeline,
}

/// Where a report goes when the user names no file: the Downloads folder, else the home
/// folder; the file is named for the account and the day (`inboxlens-acme-2026-11-26.html`).
pub fn default_report_path(
    account: &str,
    day: &str,
    extension: &str,
) -> Option<std::path::PathBuf> {
    let dirs = directories::UserDirs::new()?;
    let dir = dirs
        .download_dir()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| dirs.home_dir())
        .to_path_buf();
    let slug: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { "account" } else { slug };
    Some(dir.join(format!("inboxlens-{slug}-{day}.{extension}")))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// crash or a full disk never leaves a half-written report under the final name.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path names a folder, not a file"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces the local part of every address in `text` (keeps the domain).
pub fn redact_addresses(text: &str) -> String {
    static ADDR: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[A-Za-z0-9._%+=!#$&'*/?^`{|}~-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
            .ok()
    });
    match ADDR.as_ref() {
        Some(re) => re.replace_all(text, "[redacted]@$1").into_owned(),
        None => text.to_string(),
    }
}

impl Store {
    /// Gathers the account report (see the module docs).
    pub fn account_report(
        &self,
        account_id: i64,
        include_personal_data: bool,
    ) -> Result<AccountReport, StoreError> {
        let account = self.account(account_id)?;
        let score = self.score_account(account_id, None, None)?;
        let snapshot = |kind: &str, target: &str| -> Result<Option<CheckSnapshot>, StoreError> {
            Ok(self
                .checks_of(kind, target, 1)?
                .into_iter()
                .next()
                .map(|e| CheckSnapshot {
                    target: target.to_string(),
                    checked_at: e.checked_at,
                    findings: e.result["findings"]
                        .as_array()
                        .map(|f| {
                            f.iter()
                                .filter(|x| x["severity"] != "pass")
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default(),
                }))
        };
        let mut audits = Vec::new();
        for d in &account.domains {
            audits.extend(snapshot("audit", d)?);
        }
        let mut blocklists = Vec::new();
        for t in account.sending_ips.iter().chain(&account.domains) {
            blocklists.extend(snapshot("blocklist", t)?);
        }
        let mut recent = Vec::new();
        for (kind, hard) in [("bounce", Some(true)), ("complaint", None)] {
            let filter = FeedFilter {
                kind: Some(kind.into()),
                hard,
                limit: Some(25),
                ..FeedFilter::default()
            };
            for r in self.feed_records(account_id, &filter)? {
                let rec = r.record;
                let recipient = rec.recipient.unwrap_or_default();
                recent.push(RecentRecord {
                    timestamp: rec.timestamp,
                    kind: r.kind,
                    recipient: if include_personal_data {
                        recipient
                    } else {
                        redact_addresses(&recipient)
                    },
                    reason: rec.reason,
                    status: rec.status,
                    diagnostic: if include_personal_data {
                        rec.diagnosticcode
                    } else {
                        redact_addresses(&rec.diagnosticcode)
                    },
                });
            }
        }
        recent.sort_by_key(|r| std::cmp::Reverse(r.timestamp));
        recent.truncate(25);
        let mut reports = self.report_overview(account_id, &ReportFilter::default())?;
        if !include_personal_data {
            for f in &mut reports.failures {
                f.subject = f.subject.as_deref().map(redact_addresses);
            }
        }
        let generated_at: String =
            self.conn
                .query_row("SELECT strftime('%Y-%m-%d %H:%M UTC', 'now')", [], |r| {
                    r.get(0)
                })?;
        Ok(AccountReport {
            account: account.name,
            domains: account.domains,
            sending_ips: account.sending_ips,
            generated_at,
            personal_data_included: include_personal_data,
            score,
            audits,
            blocklists,
            feeds: self.feed_summary(account_id)?,
            recent,
            reports,
            timeline: self.account_timeline(account_id)?,
        })
    }
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

use inboxlens_core::calendar::day_string as day;

fn pct(n: u64, d: u64) -> String {
    if d == 0 {
        "—".into()
    } else {
        format!("{:.1} %", 100.0 * n as f64 / d as f64)
    }
}

/// A table from rows of already-escaped cells.
fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// Horizontal bars as inline SVG (labels and values escaped).
fn bars(out: &mut String, items: &[(String, u64)]) {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let _ = write!(
        out,
        r#"<svg class="bars" width="640" height="{}" role="img">"#,
        items.len() * 22 + 4
    );
    for (i, (name, n)) in items.iter().enumerate() {
        let y = i * 22 + 2;
        let w = ((*n as f64 / max as f64) * 440.0).round().max(2.0) as u64;
        let _ = write!(
            out,
            r#"<text x="0" y="{}">{}</text><rect x="150" y="{y}" width="{w}" height="16" rx="3"/><text x="{}" y="{}">{n}</text>"#,
            y + 13,
            esc(name),
            156 + w,
            y + 13
        );
    }
    out.push_str("</svg>");
}

/// Days charted in the report: the newest this many.
const REPORT_DAYS: usize = 120;

/// The account over time as inline SVG: bounces (blue) and complaints (red) per day as
/// stacked bars, the DMARC pass rate as a green line on its own 0–100 % scale, and a dashed,
/// numbered line at every change (numbers as in the table that follows).
fn timeline_svg(out: &mut String, t: &Timeline) {
    const DAY: i64 = 86_400;
    let days = || {
        t.days
            .iter()
            .map(|d| d.day)
            .chain(t.events.iter().map(|e| e.at / DAY * DAY))
    };
    let (Some(first_data), Some(last)) = (days().min(), days().max()) else {
        return;
    };
    let first = first_data.max(last - (REPORT_DAYS as i64 - 1) * DAY);
    let n = ((last - first) / DAY + 1) as usize;
    let by_day: std::collections::HashMap<i64, &crate::TimelineDay> =
        t.days.iter().map(|d| (d.day, d)).collect();
    let (w, h, left, top) = (880.0_f64, 170.0_f64, 44.0_f64, 10.0_f64);
    let step = (w - left - 40.0) / n as f64;
    let count = |d: &crate::TimelineDay| d.bounces.iter().sum::<u64>() + d.complaints;
    let max = by_day.values().map(|d| count(d)).max().unwrap_or(0).max(1);
    let _ = write!(
        out,
        r#"<svg class="trend" width="{w}" height="{}" role="img" aria-label="bounces, complaints and DMARC pass rate per day">"#,
        h + 40.0
    );
    let _ = write!(
        out,
        r##"<text x="0" y="{}">{max}</text><text x="0" y="{}">0</text><text x="{}" y="{}">100 %</text>"##,
        top + 10.0,
        top + h,
        w - 36.0,
        top + 10.0
    );
    let mut line = String::new();
    for i in 0..n {
        let day = first + i as i64 * DAY;
        let x = left + i as f64 * step;
        let Some(d) = by_day.get(&day) else { continue };
        let b = d.bounces.iter().sum::<u64>() as f64;
        let c = d.complaints as f64;
        let bh = b / max as f64 * h;
        let ch = c / max as f64 * h;
        if b > 0.0 {
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}"><title>{}: {} bounces</title></rect>"##,
                top + h - bh,
                (step - 1.0).max(1.0),
                inboxlens_core::calendar::day_string(day),
                b
            );
        }
        if c > 0.0 {
            let _ = write!(
                out,
                r##"<rect class="complaints" x="{x:.1}" y="{:.1}" width="{:.1}" height="{ch:.1}"><title>{}: {} complaints</title></rect>"##,
                top + h - bh - ch,
                (step - 1.0).max(1.0),
                inboxlens_core::calendar::day_string(day),
                c
            );
        }
        if d.dmarc_messages > 0 {
            let rate = d.dmarc_pass as f64 / d.dmarc_messages as f64;
            let _ = write!(
                line,
                "{}{:.1},{:.1}",
                if line.is_empty() { "" } else { " " },
                x + step / 2.0,
                top + h - rate * h
            );
        }
    }
    if !line.is_empty() {
        let _ = write!(out, r#"<polyline class="dmarc" points="{line}"/>"#);
    }
    for (i, e) in t.events.iter().enumerate() {
        if e.at < first {
            continue;
        }
        let x = left + (e.at - first) as f64 / DAY as f64 * step;
        let _ = write!(
            out,
            r##"<line class="change" x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{}"/><text x="{:.1}" y="{:.1}">{}</text>"##,
            top + h,
            x + 2.0,
            top + 12.0 * (1 + i % 3) as f64,
            i + 1
        );
    }
    let _ = write!(
        out,
        r#"<text x="{left}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text></svg>"#,
        top + h + 16.0,
        inboxlens_core::calendar::day_string(first),
        w - 40.0,
        top + h + 16.0,
        inboxlens_core::calendar::day_string(last)
    );
}

/// Renders the report as one self-contained HTML document.
pub fn render_html(r: &AccountReport) -> String {
    let s = &r.score.report;
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inboxlens report: {name}</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d2330;padding:0 16px}}
h1{{font-size:22px}} h2{{font-size:17px;margin-top:28px;border-bottom:1px solid #d5dae3;padding-bottom:4px}}
table{{border-collapse:collapse;width:100%;margin:8px 0}} th,td{{text-align:left;padding:4px 6px;border-bottom:1px solid #e4e7ee;vertical-align:top;overflow-wrap:anywhere}}
th{{font-size:12px;color:#5a6273}} .sev{{font-weight:700;text-transform:uppercase;font-size:11px}}
.critical,.error{{color:#b3261e}} .warning{{color:#8a5300}} .muted{{color:#5a6273;font-size:12px}}
.score{{font-size:40px;font-weight:700}} svg text{{font-size:12px;fill:#1d2330}} svg rect{{fill:#3b6fd8}}
svg rect.complaints{{fill:#c0392b}} svg polyline.dmarc{{fill:none;stroke:#1a7f37;stroke-width:2}} svg line.change{{stroke:#7c3aed;stroke-dasharray:5 3;stroke-width:1.5}}
.fired{{border-left:4px solid #d5dae3;padding:4px 10px;margin:10px 0}} .fired.critical,.fired.error{{border-color:#b3261e}} .fired.warning{{border-color:#d9a441}}
</style></head><body>
"#,
        name = esc(&r.account)
    );
    let _ = write!(
        o,
        "<h1>Deliverability report: {}</h1><p class=\"muted\">Domains: {} · sending IPs: {} · generated {} by Inboxlens{}</p>",
        esc(&r.account),
        esc(&r.domains.join(", ")),
        esc(&if r.sending_ips.is_empty() {
            "—".into()
        } else {
            r.sending_ips.join(", ")
        }),
        esc(&r.generated_at),
        if r.personal_data_included {
            " · recipient addresses included"
        } else {
            " · recipient addresses redacted"
        }
    );
    // Summary.
    let _ = write!(
        o,
        "<h2>Summary</h2><p><span class=\"score\" id=\"score\">{}</span> / 100 for {} to {}: {} of {} rules fired, {} without data.</p>",
        s.score,
        day(r.score.since),
        day(r.score.until - 1),
        s.fired.len(),
        s.rules,
        s.unjudged.len()
    );
    let area_rows: Vec<Vec<String>> = s
        .areas
        .iter()
        .map(|a| {
            vec![
                esc(&a.area),
                if a.lost > 0 {
                    format!("−{}", a.lost)
                } else {
                    "0".into()
                },
                a.fired.to_string(),
                a.passed.to_string(),
                a.unknown.to_string(),
            ]
        })
        .collect();
    table(
        &mut o,
        &["area", "points lost", "fired", "passed", "no data"],
        &area_rows,
    );
    // What to fix.
    o.push_str("<h2>What to fix</h2>");
    if s.fired.is_empty() {
        o.push_str("<p>No rule fired.</p>");
    }
    for f in &s.fired {
        let values: Vec<String> = f.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let _ = write!(
            o,
            "<div class=\"fired {sev}\" data-rule=\"{id}\"><p><span class=\"sev {sev}\">{sev}</span> −{w} <strong>{title}</strong> <span class=\"muted\">({id})</span></p><p>{values}</p><p><strong>Why:</strong> {why}</p><p><strong>Fix:</strong> {fix}</p><p class=\"muted\">{refs}</p></div>",
            sev = esc(&f.severity),
            id = esc(&f.id),
            w = f.weight,
            title = esc(&f.title),
            values = esc(&values.join("; ")),
            why = esc(&f.why),
            fix = esc(&f.fix),
            refs = esc(&f.references.join("; "))
        );
    }
    o.push_str("<h2>Mailbox-provider requirements</h2>");
    let card: Vec<Vec<String>> = s
        .scorecard
        .iter()
        .map(|q| {
            vec![
                esc(&q.provider),
                esc(&q.requirement),
                format!(
                    "<span class=\"{}\">{}</span>",
                    if q.status == "not-met" { "error" } else { "" },
                    esc(&q.status)
                ),
                esc(&q.evidence.join("; ")),
            ]
        })
        .collect();
    table(
        &mut o,
        &["provider", "requirement", "status", "evidence"],
        &card,
    );
    // Over time.
    let t = &r.timeline;
    o.push_str("<h2>Over time</h2>");
    if t.days.is_empty() && t.events.is_empty() {
        o.push_str("<p class=\"muted\">No dated data and no changes recorded yet.</p>");
    } else {
        o.push_str("<p class=\"muted\">Bounces (blue) and complaints (red) per day, DMARC pass rate (green line, 0–100 %), and a numbered line at each change below.</p>");
        timeline_svg(&mut o, t);
        if t.events.is_empty() {
            o.push_str("<p>No DNS or blocklist change was seen between the stored checks.</p>");
        } else {
            let rows: Vec<Vec<String>> = t
                .events
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    vec![
                        (i + 1).to_string(),
                        esc(&inboxlens_core::calendar::day_string(e.at)),
                        esc(&e.title),
                        esc(&e.target),
                        esc(&e.evidence.join("\n")).replace('\n', "<br>"),
                    ]
                })
                .collect();
            table(&mut o, &["#", "day", "change", "about", "evidence"], &rows);
        }
    }
    // DNS posture.
    o.push_str("<h2>DNS and authentication</h2>");
    if r.audits.is_empty() {
        o.push_str("<p class=\"muted\">No audit stored for the account's domains.</p>");
    }
    for a in &r.audits {
        let _ = write!(
            o,
            "<h3>{} <span class=\"muted\">audited {}</span></h3>",
            esc(&a.target),
            esc(&a.checked_at)
        );
        findings_table(&mut o, &a.findings);
    }
    o.push_str("<h2>Blocklists</h2>");
    if r.blocklists.is_empty() {
        o.push_str(
            "<p class=\"muted\">No blocklist check stored for the account's IPs and domains.</p>",
        );
    }
    for b in &r.blocklists {
        let _ = write!(
            o,
            "<h3>{} <span class=\"muted\">checked {}</span></h3>",
            esc(&b.target),
            esc(&b.checked_at)
        );
        findings_table(&mut o, &b.findings);
    }
    // Feeds.
    let f = &r.feeds;
    let _ = write!(
        o,
        "<h2>Bounces and complaints</h2><p>{} messages imported: {} bounces ({} hard), {} complaints, {} auto-replies.</p>",
        f.messages, f.bounces, f.hard, f.complaints, f.autoreplies
    );
    if !f.by_reason.is_empty() {
        let items: Vec<(String, u64)> = f
            .by_reason
            .iter()
            .map(|c| (c.name.clone(), c.count))
            .collect();
        bars(&mut o, &items);
        let rows: Vec<Vec<String>> = f
            .reason_guide
            .iter()
            .map(|g| vec![esc(&g.name), esc(&g.meaning), esc(&g.fix)])
            .collect();
        table(&mut o, &["reason", "what it means", "what to do"], &rows);
    }
    if !r.recent.is_empty() {
        let rows: Vec<Vec<String>> = r
            .recent
            .iter()
            .map(|x| {
                vec![
                    x.timestamp.map(day).unwrap_or_else(|| "—".into()),
                    esc(&x.kind),
                    esc(&x.recipient),
                    esc(&x.reason),
                    esc(&x.status),
                    esc(&x.diagnostic.chars().take(200).collect::<String>()),
                ]
            })
            .collect();
        o.push_str("<h3>Latest hard bounces and complaints</h3>");
        table(
            &mut o,
            &["day", "kind", "recipient", "reason", "status", "diagnostic"],
            &rows,
        );
    }
    // DMARC and TLS.
    let rp = &r.reports;
    let _ = write!(
        o,
        "<h2>DMARC and TLS reports</h2><p>{} aggregate, {} failure and {} TLS reports; {} messages reported, {} pass DMARC; published policy {}.</p>",
        rp.aggregate_reports,
        rp.failure_reports,
        rp.tls_reports,
        rp.messages,
        pct(rp.dmarc_pass, rp.messages),
        esc(rp.published_policy.as_deref().unwrap_or("unknown"))
    );
    if !rp.sources.is_empty() {
        let rows: Vec<Vec<String>> = rp
            .sources
            .iter()
            .map(|x| {
                vec![
                    esc(&x.org),
                    esc(&x.category),
                    x.messages.to_string(),
                    pct(x.spf_aligned, x.messages),
                    pct(x.dkim_aligned, x.messages),
                    pct(x.dmarc_pass, x.messages),
                    esc(&x.top_ips.join(", ")),
                ]
            })
            .collect();
        table(
            &mut o,
            &[
                "source",
                "kind",
                "messages",
                "SPF aligned",
                "DKIM aligned",
                "DMARC pass",
                "busiest IPs",
            ],
            &rows,
        );
    }
    for w in &rp.what_if {
        let _ = write!(
            o,
            "<p><strong>p={}</strong>: {} messages ({:.1} %) fail DMARC, {} of them delivered today; {} from known services, {} forwarded, {} from unidentified sources.</p>",
            esc(&w.policy),
            w.affected,
            100.0 * w.share,
            w.newly_affected,
            w.from_known_services,
            w.forwarded,
            w.from_unknown
        );
    }
    if !rp.tls_failures.is_empty() {
        let rows: Vec<Vec<String>> = rp
            .tls_failures
            .iter()
            .map(|t| vec![esc(&t.mx), esc(&t.result_type), t.sessions.to_string()])
            .collect();
        table(&mut o, &["MX host", "TLS failure", "sessions"], &rows);
    }
    o.push_str("<p class=\"muted\">Made by Inboxlens from the account's own data; every finding names the rule or check it comes from.</p></body></html>\n");
    o
}

fn findings_table(o: &mut String, findings: &[serde_json::Value]) {
    if findings.is_empty() {
        o.push_str("<p>No problem found.</p>");
        return;
    }
    let text = |v: &serde_json::Value| esc(v.as_str().unwrap_or(""));
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let evidence: Vec<String> = f["evidence"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            vec![
                format!("<span class=\"sev {0}\">{0}</span>", text(&f["severity"])),
                format!(
                    "{}<br><span class=\"muted\">{}</span>",
                    text(&f["title"]),
                    text(&f["id"])
                ),
                esc(&evidence.join("\n")),
                text(&f["fix"]),
            ]
        })
        .collect();
    table(o, &["severity", "finding", "evidence", "fix"], &rows);
}

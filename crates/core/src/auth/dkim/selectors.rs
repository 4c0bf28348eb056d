//! Selectors tried when discovering DKIM keys. A selector is any label the signer chose, so
//! discovery can only guess; these are the defaults of the mailbox providers and sending
//! services customers use most, as their setup guides publish them. Keys on other selectors
//! (Amazon SES's per-domain tokens, for instance) are found only when the user names them
//! with `--selector` or on the account.

/// Common selectors, grouped by who uses them.
pub const COMMON_SELECTORS: &[&str] = &[
    // Google Workspace
    "google",
    // Microsoft 365 / Exchange Online
    "selector1",
    "selector2",
    // Mailchimp / Mandrill
    "k1",
    "k2",
    "k3",
    "mandrill",
    "mte1",
    // SendGrid (Twilio)
    "s1",
    "s2",
    "smtpapi",
    // Mailgun
    "mailo",
    "krs",
    "pic",
    "mx",
    // Postmark
    "pm",
    // Zoho Mail
    "zoho",
    "zmail",
    // Fastmail
    "fm1",
    "fm2",
    "fm3",
    // Proton Mail
    "protonmail",
    "protonmail2",
    "protonmail3",
    // Apple iCloud custom domains
    "sig1",
    // HubSpot
    "hs1",
    "hs2",
    // Salesforce Marketing Cloud, Campaign Monitor, Brevo
    "200608",
    "cm",
    "mail",
    // Generic defaults of MTAs and control panels (OpenDKIM, cPanel, Plesk, Postfix setups)
    "default",
    "dkim",
    "smtp",
    "key1",
    "key2",
    "email",
    "selector",
];

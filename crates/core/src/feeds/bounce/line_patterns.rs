// The line expressions of the error-text reader (`text::error_block`). build.rs includes
// this file too and compiles each to a full DFA, so it holds items only (no inner
// attributes or `//!` comments) and nothing but the standard library. The crate itself
// reads the compiled DFAs; its tests compare them with these expressions as regexes.

/// Lines that announce the copy of the returned message (the error text ends above them).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const BOUNDARY: &str = r"(?ix)^[\s\-=*_\#>|]*(?:
        original\ message(?:\ headers?)?\ *(?:follows|below|is\ attached|:)?
      | (?:this\ is\ )?(?:a\ )?copy\ of\ (?:the|your)\ (?:original\ )?message.*
      | below\ this\ line\ is\ a\ copy.*
      | below\ is\ a\ copy\ of\ (?:the|your)\ (?:original\ )?message.*
      | (?:the\ )?(?:original\ )?message\ headers?\ follow.*
      | below\ the\ next\ line\ is\ a\ copy.*
      | mensaje\ original\ adjunto.*
      | no\ message\ was\ collected
      | original\ mail\ info
      | en-t(?:ê|e)tes\ de\ message\ d'origine
      | intestazioni\ originali\ del\ messaggio
      | ursprungshuvuden
      | the\ attachment\ contains\ the\ original\ mail\ headers
      | (?:the\ )?headers?\ of\ (?:the\ |your\ )?(?:original\ )?message.*
      | (?:the\ )?header\ of\ the\ original\ message.*
      | original\ message\ headers:?
      | (?:undelivered|unsent|returned|original)\ message(?:\ below|\ follows|\ text)?:?
      | your\ message(?:\ below|\ follows|\ text):?
      | (?:text|content|body)\ of\ (?:the\ )?(?:original\ |returned\ |your\ )?message.*
      | forwarded\ message.*
      | original\ e-?mail.*
      | original\ mail(?:\ as)?\ (?:follows|below)
      | message\ details
      | \#+\ ?original.*
      | included\ is\ (?:a\ copy|the\ original).*
      | received-headers?\ of\ the\ original.*
      | bounced\ e-?mail:?
    )[\s\-=*_\#:.]*$";

/// A header field of the returned message.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const HEADER_LINE: &str = r"(?i)^(received|return-path|from|to|cc|subject|date|message-id|mime-version|content-type|content-transfer-encoding|x-[a-z0-9-]+|dkim-signature|delivered-to|reply-to|sender|list-id|list-unsubscribe|authentication-results|references|in-reply-to|user-agent):[ \t]?\S";

/// Fields that open the returned message's header block.
pub(crate) const START_FIELDS: [&str; 6] = [
    "received",
    "return-path",
    "message-id",
    "dkim-signature",
    "mime-version",
    "delivered-to",
];

/// The expression of a line that opens the returned message's header block.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn start_header() -> String {
    format!(r"(?i)^({}):[ \t]?\S", START_FIELDS.join("|"))
}

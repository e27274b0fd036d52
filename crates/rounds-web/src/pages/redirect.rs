//! Where a form's answer goes, and what it says there.
//!
//! A form may name the page to return to (`back`); that target is a [`ReturnPath`], a
//! path on this site, read before anything is written, so a bad one costs a 422 and
//! never a half-done request (a touch saved, then a 500 and a retry that logs it twice).
//!
//! The message of the page returned to (the flash: "Logged call with …") travels in a
//! short-lived cookie that only the server sets, never in the URL: a link that anyone
//! can send must not make a page say something in the site's own voice.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::Fields;
use crate::AppState;
use crate::auth;
use crate::error::ApiError;

pub const FLASH_COOKIE: &str = "rounds_flash";
/// Long enough for a redirect to be followed on a slow phone, short enough that a
/// message never greets a later visit.
const FLASH_MAX_AGE_S: i64 = 60;
/// Characters of a message kept; URL-encoded, even 9-byte escapes stay within the
/// 4 KiB every browser allows a cookie.
const MAX_FLASH_CHARS: usize = 300;
/// Longer targets are not something a page of ours links to.
const MAX_PATH_BYTES: usize = 2048;

/// A same-site absolute path (`/contacts/12?tab=x#channels`): it starts with one `/`
/// (never `//` or `/\`, which browsers read as another host), and holds only the
/// characters RFC 3986 allows in a path, query and fragment, with well-formed `%`
/// escapes. Anything else (spaces, tabs, CR, LF, NUL, backslashes, quotes, non-ASCII) is
/// refused rather than cleaned, since browsers drop or rewrite such characters in ways
/// that differ from the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPath(String);

impl ReturnPath {
    pub fn parse(s: &str) -> Result<ReturnPath, String> {
        const HINT: &str = "give a path on this site, such as /today";
        let b = s.as_bytes();
        if b.first() != Some(&b'/') {
            return Err(format!("the return address must start with `/`; {HINT}"));
        }
        if matches!(b.get(1), Some(b'/' | b'\\')) {
            return Err(format!("the return address points to another site; {HINT}"));
        }
        if b.len() > MAX_PATH_BYTES {
            return Err(format!(
                "the return address is longer than {MAX_PATH_BYTES} bytes; {HINT}"
            ));
        }
        let allowed = |c: u8| c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%#".contains(&c);
        if let Some(c) = s.chars().find(|c| !c.is_ascii() || !allowed(*c as u8)) {
            return Err(format!(
                "the return address holds a character a path may not (U+{:04X}); {HINT}",
                u32::from(c)
            ));
        }
        let mut i = 0;
        while let Some(p) = b[i..].iter().position(|c| *c == b'%') {
            let at = i + p;
            if !b
                .get(at + 1..at + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            {
                return Err(format!(
                    "the return address has a `%` not followed by two hex digits; {HINT}"
                ));
            }
            i = at + 3;
        }
        Ok(ReturnPath(s.to_string()))
    }

    /// The form's `back` field as sent (not trimmed: the whole value is checked), or
    /// `default` when the form has none. A bad value is a 422 on `back`.
    pub fn from_form(f: &Fields, default: &str) -> Result<ReturnPath, ApiError> {
        match f.0.iter().find(|(k, _)| k == "back").map(|(_, v)| v) {
            None => Ok(ReturnPath(default.to_string())),
            Some(v) if v.is_empty() => Ok(ReturnPath(default.to_string())),
            Some(v) => ReturnPath::parse(v).map_err(|m| ApiError::field("back", m)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A 303 to `to` (a [`ReturnPath`], or a path of ours with every value URL-encoded)
/// that carries `message` to the next page.
pub fn with_flash(state: &AppState, to: &str, message: &str) -> Response {
    let text: String = message.chars().take(MAX_FLASH_CHARS).collect();
    let value: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    let cookie = flash_cookie(&value, FLASH_MAX_AGE_S, state.config().secure_cookies);
    ([(SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

/// SameSite=Strict: only a navigation from this site's own pages carries the message.
fn flash_cookie(value: &str, max_age: i64, secure: bool) -> String {
    let mut c =
        format!("{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The message a redirect left for this page, if any. A page that shows it answers
/// through [`Flash::shown`], which clears the cookie, so the message is said once.
#[derive(Debug, Default)]
pub struct Flash(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Flash, Infallible> {
        let message = auth::cookie(&parts.headers, FLASH_COOKIE).and_then(|v| {
            let pair = format!("m={v}");
            let (_, text) = form_urlencoded::parse(pair.as_bytes()).next()?;
            let text: String = text.chars().take(MAX_FLASH_CHARS).collect();
            (!text.trim().is_empty()).then_some(text)
        });
        Ok(Flash(message))
    }
}

impl Flash {
    pub fn message(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// `page`, clearing the message it showed.
    pub fn shown(&self, state: &AppState, page: impl IntoResponse) -> Response {
        let mut res = page.into_response();
        if self.0.is_some()
            && let Ok(v) = flash_cookie("", 0, state.config().secure_cookies).parse()
        {
            res.headers_mut().append(SET_COOKIE, v);
        }
        res
    }
}

/// The answer to a form's action, on the page `to`: its message when done; a refusal the
/// user can act on there (a wrong value, 422; someone acted first, 409) said as "Not
/// changed — field: why"; anything else (a missing record, a failure) as its error page.
pub fn action_answer(state: &AppState, to: &str, done: Result<String, ApiError>) -> Response {
    use axum::http::StatusCode;
    match done {
        Ok(message) => with_flash(state, to, &message),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let field = e
                .field
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            with_flash(state, to, &format!("Not changed — {field}{}", e.message))
        }
        Err(e) => super::error_page(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_are_same_site_absolute_paths_only() {
        for ok in [
            "/today",
            "/contacts/12",
            "/today?rep=3&date=2026-11-26",
            "/contacts/12#channels",
            "/accounts?q=Lake%20side",
        ] {
            assert_eq!(ReturnPath::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "today",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/today\r\nSet-Cookie: a=b",
            "/today\n",
            "/to\0day",
            "/to day",
            "/today\\x",
            "/caf\u{e9}",
            "/today%",
            "/today%2",
            "/today%zz",
            "/\"><script>",
        ] {
            assert!(ReturnPath::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(ReturnPath::parse(&format!("/{}", "a".repeat(MAX_PATH_BYTES))).is_err());
    }
}

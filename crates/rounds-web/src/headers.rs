//! What every answer tells the browser about itself: a content security policy (no
//! script at all, styles and images from this site only, forms posting only here, no
//! framing), `nosniff`, no referrer beyond this site, and `no-store` unless the handler
//! chose a cache policy (only the stylesheet does), so a signed-in page is never kept
//! in a shared or back-button cache.
//!
//! Pages carry the session's CSRF token next to text the user typed, so HTML is never
//! compressed (BREACH: the compressed size would reveal the token a guess at a time).
//! Masking the token per response would keep the compression, but every form, the
//! sign-in cookie and the `X-CSRF-Token` check would change with it; pages are a few
//! tens of kilobytes, and the API's large JSON lists, which carry no token, stay
//! compressed.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

/// `default-src 'none'` refuses everything not allowed after it: no script, no
/// fetches, no plugins. `data:` images are the page's empty icon.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every answer, pages, API and assets alike.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    // For browsers that predate `frame-ancestors`.
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// What the compression layer compresses: its defaults, except HTML.
pub fn compress_when() -> impl Predicate {
    DefaultPredicate::new().and(NotForContentType::const_new("text/html"))
}

//! Who is asking: passwords (argon2id), session cookies, CSRF tokens, API tokens and the
//! sign-in rate limit. Secrets are random 256-bit values shown to the client once;
//! the store keeps only their SHA-256.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::request::Parts;
use rounds_core::model::{OrgId, User};
use rounds_store::Store;

use crate::AppState;

/// Idle sessions end after 30 minutes, every session after 12 hours.
pub const IDLE_TIMEOUT_S: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_S: i64 = 12 * 60 * 60;
/// A session's last-seen time and a token's last use are written at most this often,
/// so that a page or a script full of requests costs one write, not one each.
const SEEN_RESOLUTION_S: i64 = 60;

pub const SESSION_COOKIE: &str = "rounds_session";
pub const LOGIN_CSRF_COOKIE: &str = "rounds_login";

/// Hashing and secrets are shared with the command line: one implementation in rounds-app.
pub use rounds_app::auth::{
    PasswordError, hash_password, new_secret, same_secret, secret_hash, verify_password,
};

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub org: OrgId,
    pub user: User,
    /// Present for a browser session: the session's key and its CSRF token.
    pub session: Option<SessionKey>,
}

#[derive(Debug, Clone)]
pub struct SessionKey {
    pub hash: String,
    pub csrf: String,
}

/// Who a request comes from, or why it is nobody.
#[derive(Debug, Clone)]
pub enum Authenticated {
    /// The caller, and every user of their organisation (for their scope).
    Caller(Caller, Vec<User>),
    /// Neither a bearer token nor a live session.
    Nobody,
    /// A bearer token that is unknown, revoked, or whose user may not sign in.
    BadToken,
    /// A bearer token past its expiry: said apart so a script's owner knows to renew it.
    ExpiredToken(jiff::Timestamp),
}

/// Finds the caller from a bearer token or the session cookie (unknown, expired, or
/// the user disabled: not a caller). A token's last use is recorded at most once a
/// minute, like a session's.
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
) -> Result<Authenticated, rounds_store::StoreError> {
    let store = state.store();
    let now = state.now().as_second();
    if let Some(auth) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let Some(token) = auth.strip_prefix("Bearer ").map(str::trim) else {
            return Ok(Authenticated::BadToken);
        };
        let hash = secret_hash(token);
        // The token, its user and their organisation's users in one query: every API
        // request pays for it.
        let Some((found, everyone)) = store.api_token_with_users(&hash).await? else {
            return Ok(Authenticated::BadToken);
        };
        if found.expired(now) {
            let at = found
                .expires_at
                .and_then(|at| jiff::Timestamp::from_second(at).ok())
                .unwrap_or_default();
            return Ok(Authenticated::ExpiredToken(at));
        }
        if found
            .last_used_at
            .is_none_or(|used| now - used >= SEEN_RESOLUTION_S)
        {
            store.touch_api_token(&hash, now).await?;
        }
        let Some(user) = everyone.iter().find(|u| u.id == found.user).cloned() else {
            return Ok(Authenticated::BadToken);
        };
        return Ok(Authenticated::Caller(
            Caller {
                org: found.org,
                user,
                session: None,
            },
            everyone,
        ));
    }
    let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(Authenticated::Nobody);
    };
    let hash = secret_hash(value);
    let Some(session) = store.session(&hash).await? else {
        return Ok(Authenticated::Nobody);
    };
    if now - session.seen_at > IDLE_TIMEOUT_S || now - session.created_at > ABSOLUTE_TIMEOUT_S {
        store.delete_session(&hash).await?;
        return Ok(Authenticated::Nobody);
    }
    if now - session.seen_at >= SEEN_RESOLUTION_S {
        store.touch_session(&hash, now).await?;
    }
    let everyone = store.users(session.org).await?;
    let Some(user) = everyone.iter().find(|u| u.id == session.user).cloned() else {
        return Ok(Authenticated::Nobody);
    };
    Ok(Authenticated::Caller(
        Caller {
            org: session.org,
            user,
            session: Some(SessionKey {
                hash,
                csrf: session.csrf,
            }),
        },
        everyone,
    ))
}

/// The 401 answer to an API request without a caller, with the `WWW-Authenticate`
/// challenge of RFC 6750: `invalid_token` for a token that does not work, and a
/// description and message saying so when it has expired.
pub fn unauthorized(why: &Authenticated) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (challenge, message) = match why {
        Authenticated::ExpiredToken(at) => (
            r#"Bearer realm="rounds", error="invalid_token", error_description="The API token expired""#,
            format!(
                "the API token expired at {at}; make a new one (`rounds token add`, POST /api/v1/tokens, or the Tokens page)"
            ),
        ),
        Authenticated::BadToken => (
            r#"Bearer realm="rounds", error="invalid_token", error_description="The API token is unknown or revoked""#,
            "the API token is unknown or revoked, or its user may not sign in".to_string(),
        ),
        Authenticated::Nobody | Authenticated::Caller(..) => (
            r#"Bearer realm="rounds""#,
            crate::ApiError::unauthorized().message,
        ),
    };
    let mut response =
        crate::ApiError::new(axum::http::StatusCode::UNAUTHORIZED, message).into_response();
    response.headers_mut().insert(
        axum::http::header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static(challenge),
    );
    response
}

/// Sign-in attempts per login name and per client address in a sliding window. Kept in
/// memory: it protects this process, and a restart forgets at most one window.
///
/// An attempt is counted before its password is checked and taken back only when it
/// succeeds, in one step under the lock, so parallel guesses cannot all pass the check
/// before the first failure is recorded.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    attempts: Mutex<HashMap<String, Vec<i64>>>,
}

pub const LOGIN_WINDOW_S: i64 = 15 * 60;
pub const MAX_FAILURES_PER_LOGIN: usize = 5;
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
/// Names and addresses kept before the ones outside the window are dropped.
const MAX_TRACKED: usize = 10_000;

fn login_key(login: &str) -> String {
    format!("login:{}", login.to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

impl LoginLimiter {
    /// Counts an attempt for this login and address, or, if either has used up its
    /// failures in the window, refuses it with the seconds until the next is allowed.
    pub fn attempt(&self, login: &str, address: &str, now: i64) -> Result<(), i64> {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, max) in [
            (login_key(login), MAX_FAILURES_PER_LOGIN),
            (address_key(address), MAX_FAILURES_PER_ADDRESS),
        ] {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now - t < LOGIN_WINDOW_S);
                if times.len() >= max {
                    let until = times[times.len() - max] + LOGIN_WINDOW_S;
                    wait = Some(wait.unwrap_or(0).max(until - now));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        // Names that were tried once and never again would otherwise stay for good.
        if map.len() >= MAX_TRACKED {
            map.retain(|_, times| times.iter().any(|t| now - t < LOGIN_WINDOW_S));
        }
        for key in [login_key(login), address_key(address)] {
            map.entry(key).or_default().push(now);
        }
        Ok(())
    }

    /// The attempt made at `now` succeeded: the login starts afresh and the address
    /// gets that attempt back.
    pub fn succeeded(&self, login: &str, address: &str, now: i64) {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&login_key(login));
        let key = address_key(address);
        if let Some(times) = map.get_mut(&key) {
            if let Some(i) = times.iter().rposition(|t| *t == now) {
                times.remove(i);
            }
            if times.is_empty() {
                map.remove(&key);
            }
        }
    }
}

/// The client's address, for the per-address limit: the peer's, unless the peer is a
/// trusted proxy, in which case the one the proxies forwarded. "unknown" when the
/// router runs without connection info (handler tests).
pub fn client_address(parts: &Parts, trusted: &[ipnet::IpNet]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
    else {
        return "unknown".into();
    };
    forwarded_client(&parts.headers, peer, trusted).to_string()
}

/// Walks the forwarded chain from the nearest hop outwards and stops at the first
/// address that is not a trusted proxy: hops further out were written by the client
/// and may be forged. `X-Forwarded-For` is read if present (what nginx and Caddy set),
/// else `Forwarded` (RFC 7239); a hop that does not parse as an address ends the walk.
pub fn forwarded_client(
    headers: &HeaderMap,
    peer: std::net::IpAddr,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let values = |name: axum::http::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_string())
            .collect()
    };
    let xff = values(axum::http::HeaderName::from_static("x-forwarded-for"));
    let hops: Vec<String> = if !xff.is_empty() {
        xff
    } else {
        values(axum::http::header::FORWARDED)
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| k.eq_ignore_ascii_case("for"))
                    .map(|(_, v)| v.trim_matches('"').to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_node(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:443`.
fn parse_node(node: &str) -> Option<std::net::IpAddr> {
    let node = node.trim();
    if let Ok(ip) = node.parse::<std::net::IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_blocks_a_login_after_five_failures_and_an_address_after_twenty() {
        let l = LoginLimiter::default();
        for i in 0..5 {
            assert_eq!(l.attempt("ann@x", "1.2.3.4", 100 + i), Ok(()));
        }
        assert_eq!(l.attempt("ANN@x", "5.6.7.8", 110), Err(LOGIN_WINDOW_S - 10));
        assert_eq!(l.attempt("ann@x", "5.6.7.8", 100 + LOGIN_WINDOW_S), Ok(()));
        for i in 0..15 {
            assert_eq!(l.attempt(&format!("u{i}@x"), "1.2.3.4", 200), Ok(()));
        }
        assert!(l.attempt("new@x", "1.2.3.4", 201).is_err());
        assert_eq!(l.attempt("new@x", "9.9.9.9", 201), Ok(()));
    }

    #[test]
    fn a_success_gives_its_attempt_back() {
        let l = LoginLimiter::default();
        for i in 0..4 {
            l.attempt("ann@x", "1.2.3.4", 100 + i).unwrap();
        }
        l.attempt("ann@x", "1.2.3.4", 110).unwrap();
        l.succeeded("ann@x", "1.2.3.4", 110);
        for i in 0..5 {
            assert_eq!(l.attempt("ann@x", "1.2.3.4", 120 + i), Ok(()));
        }
        for i in 0..11 {
            assert_eq!(l.attempt(&format!("u{i}@x"), "1.2.3.4", 130), Ok(()));
        }
        assert!(
            l.attempt("v@x", "1.2.3.4", 131).is_err(),
            "20 failures in all"
        );
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> =
            vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let check = |h: &[(&str, &str)], peer: &str, want: &str| {
            assert_eq!(
                forwarded_client(&headers(h), ip(peer), &trusted),
                ip(want),
                "{h:?} from {peer}"
            );
        };
        // An untrusted peer's headers are ignored.
        check(
            &[("x-forwarded-for", "198.51.100.1")],
            "203.0.113.5",
            "203.0.113.5",
        );
        // A trusted proxy names the client; hops the client wrote itself are skipped.
        check(
            &[("x-forwarded-for", "198.51.100.1")],
            "10.1.2.3",
            "198.51.100.1",
        );
        check(
            &[("x-forwarded-for", "6.6.6.6, 198.51.100.1, 10.9.9.9")],
            "10.1.2.3",
            "198.51.100.1",
        );
        check(
            &[
                ("x-forwarded-for", "6.6.6.6"),
                ("x-forwarded-for", "198.51.100.1"),
            ],
            "10.1.2.3",
            "198.51.100.1",
        );
        check(
            &[("x-forwarded-for", "198.51.100.1:4711")],
            "::1",
            "198.51.100.1",
        );
        // Forwarded (RFC 7239), when there is no X-Forwarded-For.
        check(
            &[(
                "forwarded",
                r#"for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https"#,
            )],
            "10.1.2.3",
            "2001:db8:cafe::17",
        );
        check(
            &[("forwarded", "for=198.51.100.2;proto=https;by=10.1.2.3")],
            "::ffff:10.1.2.3",
            "198.51.100.2",
        );
        // A hop that is not an address ends the walk at the last address read.
        check(&[("forwarded", "for=_hidden")], "10.1.2.3", "10.1.2.3");
        check(
            &[("x-forwarded-for", "unknown, 10.2.2.2")],
            "10.1.2.3",
            "10.2.2.2",
        );
        // No header: the proxy itself.
        check(&[], "10.1.2.3", "10.1.2.3");
    }
}

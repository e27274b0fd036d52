//! What one client may take of the server: sign-in attempts (counted before the
//! password is checked, per name and per client address, through trusted proxies),
//! CPU (a bounded blocking pool, the playbook check capped), and connections (header
//! and body timeouts, caps in all and per address, a bounded graceful shutdown), on
//! SQLite and PostgreSQL. Socket tests start the server on a loopback port with short
//! timeouts; none asserts a duration, only what happens once a limit is passed.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::*;
use rounds_core::model::UserId;
use rounds_core::playbook::{DEFAULT_TOML, Playbook};
use rounds_web::{AppState, Config, FixedClock, Limits};

on_both_backends!(
    parallel_wrong_passwords_for_one_name_are_checked_at_most_five_times,
    sign_ins_for_sixty_names_from_one_address_are_checked_at_most_twenty_times,
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit,
    the_settings_check_refuses_a_playbook_over_the_api_cap,
    a_half_sent_request_head_is_closed_after_the_header_timeout,
    a_half_sent_body_is_answered_408_after_the_body_timeout,
    connections_over_the_cap_wait_until_one_closes,
    one_address_cannot_hold_more_than_its_share_of_connections,
    shutdown_cuts_off_a_half_open_request_after_the_grace_period,
);

fn state_with(db: &TestDb, config: Config) -> AppState {
    AppState::new(
        db.store.clone(),
        Playbook::default(),
        DEFAULT_TOML.to_string(),
        FixedClock(now()),
        Config {
            fixed_date: Some(DAY),
            ..config
        },
    )
}

/// The sign-in form's CSRF cookie, then the form posted from `peer` (if given) with
/// extra headers.
async fn login_from(
    app: &axum::Router,
    email: &str,
    password: &str,
    peer: Option<SocketAddr>,
    headers: &[(&str, &str)],
) -> StatusCode {
    let page = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let cookie = page.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("email", email), ("password", password), ("csrf", &csrf)])
        .finish();
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    if let Some(peer) = peer {
        req.extensions_mut().insert(ConnectInfo(peer));
    }
    send(app, req).await.status
}

/// Sends every sign-in at once; how many were answered with each status.
async fn at_once(app: &axum::Router, attempts: Vec<(String, &'static str)>) -> (usize, usize) {
    let tasks: Vec<_> = attempts
        .into_iter()
        .map(|(email, password)| {
            let app = app.clone();
            tokio::spawn(async move { login_from(&app, &email, password, None, &[]).await })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (checked, refused)
}

async fn parallel_wrong_passwords_for_one_name_are_checked_at_most_five_times(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let attempts = (0..40)
        .map(|_| {
            (
                "priya.raman@keystone-demo.example".to_string(),
                "guess guess",
            )
        })
        .collect();
    assert_eq!(at_once(&app, attempts).await, (5, 35));
}

async fn sign_ins_for_sixty_names_from_one_address_are_checked_at_most_twenty_times(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let attempts = (0..60)
        .map(|i| (format!("name{i}@keystone-demo.example"), "guess guess"))
        .collect();
    assert_eq!(at_once(&app, attempts).await, (20, 40));
}

async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state_with(
        db,
        Config {
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            ..Config::default()
        },
    ));
    let proxy: SocketAddr = "10.0.0.5:40000".parse().unwrap();
    let stranger: SocketAddr = "203.0.113.7:40000".parse().unwrap();
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    for i in 0..20 {
        let email = format!("guess{i}@keystone-demo.example");
        let s = login_from(
            &app,
            &email,
            "guess guess",
            Some(proxy),
            &from("198.51.100.1"),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let blocked = login_from(
        &app,
        "x@keystone-demo.example",
        "guess guess",
        Some(proxy),
        &from("198.51.100.1"),
    )
    .await;
    assert_eq!(
        blocked,
        StatusCode::TOO_MANY_REQUESTS,
        "that client used its 20"
    );
    let other = login_from(
        &app,
        "tom.castellano@keystone-demo.example",
        PASSWORD,
        Some(proxy),
        &from("198.51.100.2"),
    )
    .await;
    assert_eq!(
        other,
        StatusCode::SEE_OTHER,
        "another client behind the proxy"
    );
    // A peer that is not a trusted proxy cannot choose its address by the header.
    for i in 0..20 {
        let email = format!("again{i}@keystone-demo.example");
        let forged = format!("192.0.2.{i}");
        let forged = [("x-forwarded-for", forged.as_str())];
        let s = login_from(&app, &email, "guess guess", Some(stranger), &forged).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let s = login_from(
        &app,
        "last@keystone-demo.example",
        "guess guess",
        Some(stranger),
        &from("192.0.2.99"),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

async fn the_settings_check_refuses_a_playbook_over_the_api_cap(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let (cookie, csrf) = session_for(&db.store, UserId(1)).await;
    // Comments only: a valid playbook, just too long to be worth reading.
    let long = "# a comment line of forty characters..\n".repeat(1000);
    assert!(long.len() > 32 * 1024);
    let a = form(
        &app,
        &cookie,
        "/settings/playbook/check",
        &[("csrf", csrf.as_str()), ("toml", long.as_str())],
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body.contains("at most 32768 characters"),
        "{}",
        &a.body[..a.body.len().min(300)]
    );
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/playbook/check",
        Some(serde_json::json!({ "toml": long })),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["error"]["field"], "toml");
}

#[tokio::test(flavor = "current_thread")]
async fn sqlite_a_playbook_check_waits_for_a_cpu_slot_while_health_answers() {
    a_playbook_check_waits_for_a_cpu_slot_while_health_answers(&sqlite().await).await;
}

#[tokio::test(flavor = "current_thread")]
async fn postgres_a_playbook_check_waits_for_a_cpu_slot_while_health_answers() {
    if let Some(db) = postgres().await {
        a_playbook_check_waits_for_a_cpu_slot_while_health_answers(&db).await;
    }
}

/// On a single async worker: with the one CPU slot taken, a playbook check waits for
/// it without holding the worker, so `/healthz` still answers; freed, the check runs.
async fn a_playbook_check_waits_for_a_cpu_slot_while_health_answers(db: &TestDb) {
    seed_demo(&db.store).await;
    let state = state_with(
        db,
        Config {
            limits: Limits {
                cpu_slots: 1,
                ..Limits::default()
            },
            ..Config::default()
        },
    );
    let app = rounds_web::router(state.clone());
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let (started, is_started) = tokio::sync::oneshot::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let holder = tokio::spawn({
        let state = state.clone();
        async move {
            state
                .run_blocking(move || {
                    started.send(()).unwrap();
                    released.recv().unwrap();
                })
                .await
                .unwrap();
        }
    });
    is_started.await.unwrap();
    let check = tokio::spawn({
        let app = app.clone();
        let token = token.clone();
        async move {
            api(
                &app,
                &token,
                "POST",
                "/api/v1/playbook/check",
                Some(serde_json::json!({ "toml": DEFAULT_TOML })),
            )
            .await
        }
    });
    let health = send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(!check.is_finished(), "the check waits for the CPU slot");
    release.send(()).unwrap();
    holder.await.unwrap();
    let checked = check.await.unwrap();
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert_eq!(checked.json()["ok"], true);
}

/// The server on a free loopback port with these limits; stopped by `stop`.
struct Server {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start_with(db: &TestDb, limits: Limits) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = state_with(
        db,
        Config {
            limits,
            ..Config::default()
        },
    );
    let task = tokio::spawn(rounds_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Server { addr, stop, task }
}

impl Server {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

/// Far longer than any limit a test sets: reaching it means the server kept the
/// connection open.
const PATIENCE: Duration = Duration::from_secs(30);

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s
}

/// From a second loopback address (Linux routes all of 127/8 to the host).
fn connect_from(local: &str, addr: SocketAddr) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind(format!("{local}:0").parse().unwrap()).unwrap();
        s.connect(addr).await.unwrap()
    });
    let std = stream.into_std().unwrap();
    std.set_nonblocking(false).unwrap();
    std.set_read_timeout(Some(PATIENCE)).unwrap();
    std
}

/// Everything the server sends until it closes the connection. Panics if it is
/// still open after [`PATIENCE`].
fn until_closed(mut s: TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "the connection is still open ({e}); got {:?}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn get_health(addr: SocketAddr) -> String {
    let mut s = connect(addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    until_closed(s)
}

fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

async fn a_half_sent_request_head_is_closed_after_the_header_timeout(db: &TestDb) {
    let server = start_with(
        db,
        Limits {
            header_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
    )
    .await;
    let addr = server.addr;
    let (half, idle) = blocking(move || {
        let mut half = connect(addr);
        half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .unwrap();
        let idle = connect(addr);
        (until_closed(half), until_closed(idle))
    })
    .await
    .unwrap();
    assert!(!half.contains("200 OK"), "{half}");
    assert!(!idle.contains("200 OK"), "{idle}");
    // The server still answers whoever sends a request in time.
    let ok = blocking(move || get_health(addr)).await.unwrap();
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    server.stop().await;
}

async fn a_half_sent_body_is_answered_408_after_the_body_timeout(db: &TestDb) {
    seed_demo(&db.store).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let server = start_with(
        db,
        Limits {
            body_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
    )
    .await;
    let addr = server.addr;
    let answer = blocking(move || {
        let mut s = connect(addr);
        let head = format!(
            "POST /api/v1/playbook/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"toml\": \""
        );
        s.write_all(head.as_bytes()).unwrap();
        until_closed(s)
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    server.stop().await;
}

async fn connections_over_the_cap_wait_until_one_closes(db: &TestDb) {
    let server = start_with(
        db,
        Limits {
            max_connections: 2,
            header_timeout: Duration::from_secs(60),
            ..Limits::default()
        },
    )
    .await;
    let addr = server.addr;
    let answer = blocking(move || {
        let first = connect(addr);
        let _second = connect(addr);
        let mut third = connect(addr);
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        // The listen queue holds the third in order behind the first two, so it is not
        // served while both stay open.
        third
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut buf = [0u8; 64];
        let waited = third.read(&mut buf);
        assert!(
            matches!(&waited, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
            "answered over the cap: {waited:?}"
        );
        drop(first);
        third.set_read_timeout(Some(PATIENCE)).unwrap();
        until_closed(third)
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.stop().await;
}

async fn one_address_cannot_hold_more_than_its_share_of_connections(db: &TestDb) {
    let server = start_with(
        db,
        Limits {
            max_connections_per_address: 2,
            header_timeout: Duration::from_secs(60),
            ..Limits::default()
        },
    )
    .await;
    let addr = server.addr;
    let (refused, other) = blocking(move || {
        let _first = connect_from("127.0.0.1", addr);
        let _second = connect_from("127.0.0.1", addr);
        let mut third = connect_from("127.0.0.1", addr);
        // The request may or may not reach the socket before it is closed.
        let _ = third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let refused = until_closed(third);
        let mut other = connect_from("127.0.0.2", addr);
        other
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        (refused, until_closed(other))
    })
    .await
    .unwrap();
    assert_eq!(refused, "", "closed unanswered");
    assert!(other.starts_with("HTTP/1.1 200"), "{other}");
    server.stop().await;
}

async fn shutdown_cuts_off_a_half_open_request_after_the_grace_period(db: &TestDb) {
    let server = start_with(
        db,
        Limits {
            header_timeout: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(1),
            ..Limits::default()
        },
    )
    .await;
    let addr = server.addr;
    let half = blocking(move || {
        let mut s = connect(addr);
        s.write_all(b"POST /api/v1/touches HTTP/1.1\r\nHost: x\r\nContent-Le")
            .unwrap();
        s
    })
    .await
    .unwrap();
    // Wait until the server holds the connection, by one full exchange after it.
    let ok = blocking(move || get_health(addr)).await.unwrap();
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    tokio::time::timeout(PATIENCE, server.stop())
        .await
        .expect("serve returns once the grace period is over");
    let rest = blocking(move || until_closed(half)).await.unwrap();
    assert!(!rest.contains("200"), "{rest}");
}

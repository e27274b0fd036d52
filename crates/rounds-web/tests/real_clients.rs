//! The server over a real socket, driven by real clients: a raw HTTP/1.1 exchange, a
//! headless Chromium (through `e2e/today.mjs` and `e2e/steps.mjs`), and schemathesis
//! against the served OpenAPI document, each on SQLite and PostgreSQL.
//!
//! Chromium, Node's playwright-core and schemathesis are installed by `.ci/tools.sh`.
//! Where they are missing these tests print a notice and pass, except under `CI`, where
//! they fail.

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

use common::*;
use rounds_core::model::UserId;

on_both_backends!(
    a_real_socket_serves_the_api_and_shuts_down_gracefully,
    a_browser_signs_in_logs_a_touch_from_today_and_signs_out,
    p33_a_browser_completes_reschedules_and_skips_steps_on_today,
    p42_a_browser_sees_each_written_items_draft_and_checks_it_with_the_coach,
    p26_a_browser_sees_the_days_route_in_driving_order,
    schemathesis_finds_nothing_against_the_openapi_document,
);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Starts the server on a free loopback port; dropping the guard shuts it down.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

async fn start(db: &TestDb) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = state(db.store.clone());
    let task = tokio::spawn(rounds_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        stop: Some(stop),
        task: Some(task),
    }
}

impl Server {
    async fn shutdown(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

/// One HTTP/1.1 request on a fresh connection; the raw answer.
fn raw_http(addr: SocketAddr, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    // A compressed body is not text; the head still is.
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether an external tool is present; if not, a notice (or, under CI, a failure).
fn tool_ready(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing and CI is set; `bash .ci/tools.sh` installs it");
    }
    eprintln!("notice: {what} is missing; skipping (run `bash .ci/tools.sh`)");
    false
}

async fn a_real_socket_serves_the_api_and_shuts_down_gracefully(db: &TestDb) {
    seed_demo(&db.store).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let account = rounds_store::Store::accounts(&db.store, ORG, Some(UserId(1)))
        .await
        .unwrap()[0]
        .id;
    let contact = rounds_store::Store::contacts(&db.store, ORG, Some(account))
        .await
        .unwrap()[0]
        .id
        .0;
    let server = start(db).await;
    let addr = server.addr;
    let answers = tokio::task::spawn_blocking(move || {
        let health = raw_http(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let body = format!(r#"{{"contact": {contact}, "channel": "call", "outcome": "conversation"}}"#);
        let post = raw_http(
            addr,
            &format!(
                "POST /api/v1/touches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        let gzip = raw_http(
            addr,
            "GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
        );
        (health, post, gzip)
    })
    .await
    .unwrap();
    assert!(answers.0.starts_with("HTTP/1.1 200"), "{}", answers.0);
    assert!(answers.0.ends_with(r#"{"status":"ok"}"#));
    assert!(
        answers.1.starts_with("HTTP/1.1 201"),
        "{}",
        &answers.1[..answers.1.len().min(300)]
    );
    assert!(answers.1.contains("content-type: application/json"));
    assert!(
        answers.2.contains("content-encoding: gzip"),
        "responses are compressed"
    );
    server.shutdown().await;
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port is closed after shutdown"
    );
}

async fn a_browser_signs_in_logs_a_touch_from_today_and_signs_out(db: &TestDb) {
    let root = repo();
    let script = root.join("e2e/today.mjs");
    let ready = tool_ready(
        "Chromium (/usr/bin/chromium)",
        std::path::Path::new("/usr/bin/chromium").exists(),
    ) && tool_ready(
        "node",
        Command::new("node").arg("--version").output().is_ok(),
    ) && tool_ready(
        "e2e/node_modules (playwright-core)",
        root.join("e2e/node_modules/playwright-core").exists(),
    );
    if !ready {
        return;
    }
    seed_demo(&db.store).await;
    // A new user, given rep 2's territory, signs in for the first time.
    let nina = rounds_core::model::User {
        id: UserId(20),
        name: "Nina Park".into(),
        email: "nina@clinic.example".into(),
        role: rounds_core::model::Role::Rep,
        team: Some("Field".into()),
    };
    rounds_store::Store::save_user(&db.store, ORG, &nina)
        .await
        .unwrap();
    rounds_store::Store::reassign_accounts(&db.store, ORG, UserId(2), nina.id)
        .await
        .unwrap();
    rounds_store::Store::set_password(&db.store, ORG, nina.id, &nina.email, &PASSWORD_HASH)
        .await
        .unwrap();
    let server = start(db).await;
    let backend = db.url.split(':').next().unwrap().to_string();
    let shots = root.join("target/screenshots").join(&backend);
    let base = format!("http://{}", server.addr);
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(&base)
            .arg(&nina.email)
            .env("ROUNDS_PASSWORD", PASSWORD)
            .env("SCREENSHOTS_DIR", &shots)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{text}");
    assert!(output.status.success(), "the browser test failed:\n{text}");
    assert!(text.contains("PASS"), "{text}");
    server.shutdown().await;
}

/// Whether Chromium, node and playwright-core are there (or, under CI, a failure).
fn browser_ready(root: &std::path::Path) -> bool {
    tool_ready(
        "Chromium (/usr/bin/chromium)",
        std::path::Path::new("/usr/bin/chromium").exists(),
    ) && tool_ready(
        "node",
        Command::new("node").arg("--version").output().is_ok(),
    ) && tool_ready(
        "e2e/node_modules (playwright-core)",
        root.join("e2e/node_modules/playwright-core").exists(),
    )
}

/// At a 390-px phone viewport, every written item of the rep's Today carries its draft
/// and the coach's verdict (P47); a reproach added to one draft and checked comes back
/// as a P42 guilt finding with its words marked; an e-mail draft handed to the manager
/// shows as in review on Today and on the Mail page (`e2e/drafts.mjs`).
async fn p42_a_browser_sees_each_written_items_draft_and_checks_it_with_the_coach(db: &TestDb) {
    run_phone_script(db, "drafts").await;
}

/// At a 390-px phone viewport, the route page lists the day's visits numbered in
/// driving order with rising visit times, arrival and leave-by times, what the left-out
/// visits get instead, a map with one mark per stop and a maps-app link
/// (`e2e/route.mjs`).
async fn p26_a_browser_sees_the_days_route_in_driving_order(db: &TestDb) {
    run_phone_script(db, "route").await;
}

/// Runs `e2e/NAME.mjs` against a server on the demo, signed in as its first rep.
async fn run_phone_script(db: &TestDb, name: &str) {
    let root = repo();
    if !browser_ready(&root) {
        return;
    }
    seed_demo(&db.store).await;
    let rep = rounds_store::Store::users(&db.store, ORG)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.role == rounds_core::model::Role::Rep)
        .unwrap();
    let server = start(db).await;
    let backend = db.url.split(':').next().unwrap().to_string();
    let shots = root.join("target/screenshots").join(name).join(&backend);
    let base = format!("http://{}", server.addr);
    let script = root.join(format!("e2e/{name}.mjs"));
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .env("BASE_URL", &base)
            .env("ROUNDS_EMAIL", &rep.email)
            .env("ROUNDS_PASSWORD", PASSWORD)
            .env("SCREENSHOTS_DIR", &shots)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{text}");
    assert!(output.status.success(), "the browser test failed:\n{text}");
    assert!(text.contains(&format!("PASS e2e/{name}.mjs")), "{text}");
    server.shutdown().await;
}

/// At a 390-px phone viewport, the rep completes one next step, reschedules another (date
/// and reason) and skips a third (reason) from the Today page; the store then holds
/// exactly those updates, attributed to the rep.
async fn p33_a_browser_completes_reschedules_and_skips_steps_on_today(db: &TestDb) {
    let root = repo();
    if !browser_ready(&root) {
        return;
    }
    seed_demo(&db.store).await;
    let rep = rounds_store::Store::users(&db.store, ORG)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.role == rounds_core::model::Role::Rep)
        .unwrap();
    let server = start(db).await;
    let backend = db.url.split(':').next().unwrap().to_string();
    let shots = root.join("target/screenshots/steps").join(&backend);
    let base = format!("http://{}", server.addr);
    let script = root.join("e2e/steps.mjs");
    let email = rep.email.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(&base)
            .arg(&email)
            .env("ROUNDS_PASSWORD", PASSWORD)
            .env("SCREENSHOTS_DIR", &shots)
            .env("RESCHEDULE_TO", "2026-12-01")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{text}");
    assert!(output.status.success(), "the browser test failed:\n{text}");
    assert!(text.contains("PASS"), "{text}");
    let ids = text
        .lines()
        .find_map(|l| l.strip_prefix("STEPS "))
        .expect("the script names the steps it changed");
    let id = |name: &str| -> i64 {
        ids.split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {ids}"))
    };
    use rounds_core::model::{StepAction, TouchId};
    let updates = |step: i64| {
        let store = db.store.clone();
        async move {
            rounds_store::Store::step_updates(&store, ORG, TouchId(step))
                .await
                .unwrap()
        }
    };
    let done = updates(id("complete")).await;
    assert_eq!(done.len(), 1);
    assert_eq!(
        (done[0].action.clone(), done[0].by),
        (StepAction::Complete, rep.id)
    );
    let moved = updates(id("reschedule")).await;
    assert_eq!(
        moved.iter().map(|u| u.action.clone()).collect::<Vec<_>>(),
        [StepAction::Reschedule {
            due: jiff::civil::date(2026, 12, 1),
            reason: "The office manager is away this week".into()
        }]
    );
    let skipped = updates(id("skip")).await;
    assert_eq!(
        skipped.iter().map(|u| u.action.clone()).collect::<Vec<_>>(),
        [StepAction::Skip {
            reason: "They now order direct from the manufacturer".into()
        }]
    );
    server.shutdown().await;
}

async fn schemathesis_finds_nothing_against_the_openapi_document(db: &TestDb) {
    let root = repo();
    if !tool_ready(
        "schemathesis (.ci/venv/bin/st)",
        root.join(".ci/venv/bin/st").exists(),
    ) {
        return;
    }
    seed_demo(&db.store).await;
    // An administrator, so that every operation is reachable.
    let token = token_for(&db.store, ORG, UserId(6)).await;
    let server = start(db).await;
    let base = format!("http://{}", server.addr);
    let backend = db.url.split(':').next().unwrap().to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg(root.join("tests/api/schemathesis.sh"))
            .arg(&base)
            .env("ROUNDS_TOKEN", &token)
            .env("ST_MAX_EXAMPLES", "100")
            .env(
                "ST_REPORT_DIR",
                root.join("target/schemathesis").join(backend),
            )
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: String = text
        .lines()
        .filter(|l| {
            l.contains("generated")
                || l.contains("passed")
                || l.contains("failure")
                || l.contains("ST")
        })
        .collect::<Vec<_>>()
        .join("\n");
    println!("{summary}");
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{}",
        &text[text.len().saturating_sub(6000)..]
    );
    server.shutdown().await;
}

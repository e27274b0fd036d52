//! The Team page and the reports on the organisation scenario, through the server's own
//! router in process (no network): before, what the Team page did per request (read and
//! plan its 25 reps); after, the pages and the API answering from the stored summaries
//! the worker pass left.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::civil::Date;
use rounds_core::model::{Role, UserId};
use rounds_core::planner::plan;
use rounds_core::playbook::{DEFAULT_TOML, Playbook};
use rounds_demo as demo;
use rounds_store::{ApiToken, Session, SqlStore, Store};
use tower::ServiceExt;

use crate::{Args, median, ms};

/// Reps on one Team page (the page's own constant).
const PER_PAGE: usize = 25;

pub(crate) async fn org_pages(
    a: &Args,
    pb: &Playbook,
    store: &SqlStore,
    today: Date,
) -> Result<()> {
    let users = store.users(demo::ORG_ID).await?;
    let admin = users
        .iter()
        .find(|u| u.role == Role::Admin)
        .context("the demo organisation has an administrator")?;
    let mut reps: Vec<&rounds_core::model::User> =
        users.iter().filter(|u| u.role == Role::Rep).collect();
    reps.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let first_page: Vec<UserId> = reps.iter().take(PER_PAGE).map(|u| u.id).collect();

    // Before: each Team request read and planned the reps of its page.
    let mut before = vec![];
    for _ in 0..a.runs.clamp(1, 5) {
        let s = Instant::now();
        for rep in &first_page {
            let t = store.territory(demo::ORG_ID, *rep).await?;
            let _ = plan(&t, pb, *rep, today);
        }
        before.push(s.elapsed());
    }
    println!(
        "\n  Team page before (read + plan its {PER_PAGE} reps per request)   median {}",
        ms(median(before.clone()))
    );

    let now = today
        .at(12, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)?
        .timestamp();
    let state = rounds_web::AppState::new(
        store.clone(),
        pb.clone(),
        DEFAULT_TOML.to_string(),
        rounds_web::FixedClock(now),
        rounds_web::Config {
            fixed_date: Some(today),
            ..rounds_web::Config::default()
        },
    );
    let app = rounds_web::router(state);
    // Only a user who may sign in has a session.
    let hash = rounds_web::hash_password("a benchmark passphrase")?;
    store
        .set_password(demo::ORG_ID, admin.id, &admin.email, &hash)
        .await?;
    let cookie = rounds_web::new_secret();
    store
        .create_session(
            &rounds_web::secret_hash(&cookie),
            &Session {
                org: demo::ORG_ID,
                user: admin.id,
                csrf: rounds_web::new_secret(),
                created_at: now.as_second(),
                seen_at: now.as_second(),
            },
        )
        .await?;
    let token = rounds_web::new_secret();
    let hash = rounds_web::secret_hash(&token);
    store
        .create_api_token(
            &hash,
            &ApiToken {
                id: hash[..8].to_string(),
                org: demo::ORG_ID,
                user: admin.id,
                name: "bench".into(),
                created_at: now.as_second(),
                expires_at: None,
                last_used_at: None,
            },
        )
        .await?;
    let pages = reps.len().div_ceil(PER_PAGE).max(1);
    let targets = [
        ("/team".to_string(), false),
        (format!("/team?page={pages}"), false),
        ("/reports".to_string(), false),
        ("/reports/referrers.csv".to_string(), false),
        ("/api/v1/reports/funnel".to_string(), true),
        ("/api/v1/reports/referrers".to_string(), true),
        ("/api/v1/reports/coverage".to_string(), true),
    ];
    println!(
        "  after (from the stored summaries, {} reps, admin's view):",
        reps.len()
    );
    for (path, bearer) in targets {
        let mut times: Vec<Duration> = vec![];
        let mut bytes = 0;
        for _ in 0..a.runs.max(3) {
            let req = Request::get(path.as_str());
            let req = if bearer {
                req.header(header::AUTHORIZATION, format!("Bearer {token}"))
            } else {
                req.header(header::COOKIE, format!("rounds_session={cookie}"))
            };
            let s = Instant::now();
            let answer = app.clone().oneshot(req.body(Body::empty())?).await?;
            let status = answer.status();
            let body = axum::body::to_bytes(answer.into_body(), usize::MAX).await?;
            times.push(s.elapsed());
            if status != StatusCode::OK {
                bail!("{path}: {status}: {}", String::from_utf8_lossy(&body));
            }
            bytes = body.len();
        }
        let m = median(times);
        println!(
            "    GET {path:<32} median {:>10}   {:>8} bytes   goal < 300 ms",
            ms(m),
            bytes
        );
    }
    println!(
        "  ratio Team page before / after: {:.0}×",
        median(before).as_secs_f64() / team_after(&app, &cookie).await?.as_secs_f64()
    );
    Ok(())
}

async fn team_after(app: &axum::Router, cookie: &str) -> Result<Duration> {
    let mut times = vec![];
    for _ in 0..5 {
        let req = Request::get("/team")
            .header(header::COOKIE, format!("rounds_session={cookie}"))
            .body(Body::empty())?;
        let s = Instant::now();
        let answer = app.clone().oneshot(req).await?;
        let _ = axum::body::to_bytes(answer.into_body(), usize::MAX).await?;
        times.push(s.elapsed());
    }
    Ok(median(times))
}

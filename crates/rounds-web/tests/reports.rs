//! The reports and the Team page from stored rep summaries, on SQLite and PostgreSQL:
//! a summary stored for the day is what the pages show (nobody is planned again), a
//! missing one is computed once and kept; the Reports page, its CSV downloads and the
//! API give the same tables; a rep sees only their own figures.

mod common;

use axum::http::{StatusCode, header};
use common::*;
use rounds_core::model::{Role, UserId};
use rounds_store::{Store, Summaries};

on_both_backends!(
    p20_the_team_page_shows_stored_summaries_and_computes_only_the_missing_once,
    p20_the_reports_page_its_csv_and_the_api_give_the_same_tables,
    p9_a_rep_sees_only_their_own_report,
);

async fn reps(db: &TestDb) -> Vec<UserId> {
    let mut reps: Vec<UserId> = db
        .store
        .users(ORG)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Rep)
        .map(|u| u.id)
        .collect();
    reps.sort();
    reps
}

async fn p20_the_team_page_shows_stored_summaries_and_computes_only_the_missing_once(db: &TestDb) {
    seed_demo(&db.store).await;
    let reps = reps(db).await;
    // A figure no plan would give: if the page shows it, the page read the stored row.
    let pb = rounds_core::playbook::Playbook::default();
    let t = db.store.territory(ORG, reps[0]).await.unwrap();
    let day = rounds_core::planner::plan(&t, &pb, reps[0], DAY);
    let mut stored = rounds_core::reports::summarise(&t, &pb, reps[0], DAY, &day);
    stored.planned = 4242;
    db.store.put_summaries(ORG, &[stored], now()).await.unwrap();
    let app = rounds_web::router(state(db.store.clone()));
    let (cookie, _) = session_for(&db.store, user_with(&db.store, Role::Admin).await).await;
    let page = get_page(&app, &cookie, "/team").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("4242 planned today"), "{}", page.body);
    assert!(page.body.contains("id=\"computed\""), "the page says when");
    // The others were computed on this first request and kept for the day.
    let kept = db.store.summaries(ORG, DAY, &reps).await.unwrap();
    assert_eq!(kept.len(), reps.len());
    let again = get_page(&app, &cookie, "/team").await;
    assert_eq!(
        again.body, page.body,
        "the second request reads the same rows"
    );
}

async fn p20_the_reports_page_its_csv_and_the_api_give_the_same_tables(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let manager = user_with(&db.store, Role::Manager).await;
    let (cookie, _) = session_for(&db.store, manager).await;
    let page = get_page(&app, &cookie, "/reports").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for section in [
        "funnel",
        "seed",
        "promises",
        "coverage",
        "referrals",
        "drops",
        "losses",
    ] {
        assert!(
            page.body.contains(&format!("id=\"{section}\"")),
            "section {section}"
        );
    }
    assert!(
        page.body
            .contains("48% of reps give up after the first attempt")
    );
    assert!(page.body.matches("<svg").count() >= 3, "charts drawn");

    let token = token_for(&db.store, ORG, manager).await;
    for report in [
        "funnel",
        "seed",
        "promises",
        "coverage",
        "liaisons",
        "referrers",
        "losses",
    ] {
        let csv = get_page(&app, &cookie, &format!("/reports/{report}.csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{report}");
        assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let json = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/reports/{report}"),
            None,
        )
        .await;
        assert_eq!(json.status, StatusCode::OK, "{report}: {}", json.body);
        let v = json.json();
        let columns: Vec<String> = v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        let mut lines = csv.body.lines();
        assert_eq!(lines.next().unwrap(), columns.join(","), "{report}");
        assert_eq!(
            lines.count(),
            v["rows"].as_array().unwrap().len(),
            "{report}: rows"
        );
        let as_csv = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/reports/{report}?format=csv"),
            None,
        )
        .await;
        assert_eq!(
            as_csv.body, csv.body,
            "{report}: the API's CSV is the page's"
        );
    }
    // The manager's team: every rep has a row, then the total.
    let funnel = api(&app, &token, "GET", "/api/v1/reports/funnel", None)
        .await
        .json();
    let me = db
        .store
        .users(ORG)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == manager);
    let team = rounds_app::Actor::load(&db.store, ORG, me).await.unwrap();
    let team_size = team.scope.reps().count();
    assert_eq!(funnel["reps"], team_size);
    assert_eq!(funnel["rows"].as_array().unwrap().len(), team_size + 1);
    assert_eq!(funnel["rows"][team_size][1], "total");
    let attempted: i64 = (0..team_size)
        .map(|i| funnel["rows"][i][2].as_i64().unwrap())
        .sum();
    assert_eq!(funnel["rows"][team_size][2], attempted);
    assert!(attempted > 0, "the demo's reps have worked contacts");

    let unknown = api(&app, &token, "GET", "/api/v1/reports/pipeline", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = api(
        &app,
        &token,
        "GET",
        "/api/v1/reports/funnel?format=xml",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("format"), "{}", bad.body);
    assert_eq!(
        get_page(&app, &cookie, "/reports/pipeline.csv")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn p9_a_rep_sees_only_their_own_report(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let rep = user_with(&db.store, Role::Rep).await;
    let token = token_for(&db.store, ORG, rep).await;
    let referrers = api(&app, &token, "GET", "/api/v1/reports/liaisons", None)
        .await
        .json();
    assert_eq!(referrers["reps"], 1);
    assert_eq!(referrers["rows"][0][0], rep.0);
    let (cookie, _) = session_for(&db.store, rep).await;
    let page = get_page(&app, &cookie, "/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1 rep "), "{}", page.body);
    assert_eq!(
        get_page(&app, &cookie, "/team").await.status,
        StatusCode::NOT_FOUND
    );
}

//! The web's side of rounds-app: the [`Actor`] of a request, [`AppError`] as an
//! [`ApiError`] (which the API answers as JSON and a form page shows beside its field),
//! and the two things a server does differently from the command line: planning and
//! password hashing run off the async workers.
//!
//! Every use case (log a touch, add an account, …) is rounds-app's; the API handlers and
//! the page handlers only turn their request into its input and its answer into theirs.

use jiff::civil::Date;
use rounds_app::{Actor, AppError};
use rounds_core::model::UserId;
use rounds_core::planner;
use rounds_core::playbook::Playbook;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Ctx;

impl Ctx {
    /// Who performs a use case: the signed-in caller, with their scope.
    pub(crate) fn actor(&self) -> Actor {
        Actor {
            org: self.caller.org,
            user: Some(self.caller.user.clone()),
            scope: self.scope.clone(),
        }
    }
}

/// The first 50 problems of a file and how many more, as one 422 message.
fn problem_list(problems: &[impl std::fmt::Display], total: usize) -> ApiError {
    let mut said: Vec<String> = problems.iter().take(50).map(|p| p.to_string()).collect();
    if total > said.len() {
        said.push(format!("and {} more", total - said.len()));
    }
    ApiError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        said.join("; "),
    )
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        use axum::http::StatusCode;
        match e {
            AppError::Invalid { field, message } => ApiError::field(field, message),
            AppError::Import { problems, total } => problem_list(&problems, total),
            AppError::Book { problems, total } => problem_list(&problems, total),
            AppError::NotFound { what, .. } => ApiError::not_found(what),
            AppError::Forbidden(message) => ApiError::forbidden(message),
            AppError::Conflict { field, message } => ApiError {
                status: StatusCode::CONFLICT,
                field: Some(field),
                message,
            },
            AppError::Store(e) => e.into(),
        }
    }
}

/// A rep's plan for a day, if the rep is in the caller's scope. Planning (with the
/// route search) is CPU work of tens of milliseconds, so it runs on a blocking thread.
pub(crate) async fn plan_for(
    state: &AppState,
    ctx: &Ctx,
    rep: UserId,
    date: Date,
) -> Result<planner::DayPlan, ApiError> {
    let territory = rounds_app::territory_for(state.store(), &ctx.actor(), rep).await?;
    let playbook = state.playbook().clone();
    state
        .run_blocking(move || planner::plan(&territory, &playbook, rep, date))
        .await
}

/// argon2 takes tens of milliseconds of CPU on purpose; keep it off the async workers.
pub(crate) async fn hash_in_background(
    state: &AppState,
    password: String,
) -> Result<String, ApiError> {
    state
        .run_blocking(move || crate::auth::hash_password(&password))
        .await?
        .map_err(|e| match e {
            crate::auth::PasswordError::Hash(_) => ApiError::internal(e),
            other => ApiError::field("password", other.to_string()),
        })
}

/// Every problem in a playbook file; none means it reads. (Checking a playbook reads
/// and writes nothing, so it is rounds-core's alone.)
#[derive(Debug, Clone)]
pub(crate) struct PlaybookReport {
    pub problems: Vec<String>,
}

impl PlaybookReport {
    pub(crate) fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The core's cap, within the body limit even if every character arrives as a six-byte
/// JSON escape.
pub(crate) use rounds_core::playbook::MAX_PLAYBOOK_CHARS;

/// Checks a playbook text for the API and the Settings page alike: over
/// [`MAX_PLAYBOOK_CHARS`] it is refused (field `toml`) unread; otherwise it is read
/// on the blocking pool, since a large file is milliseconds of CPU.
pub(crate) async fn check_playbook(
    state: &AppState,
    toml: String,
) -> Result<PlaybookReport, ApiError> {
    if toml.chars().count() > MAX_PLAYBOOK_CHARS {
        return Err(ApiError::field(
            "toml",
            format!("a playbook is at most {MAX_PLAYBOOK_CHARS} characters"),
        ));
    }
    state.run_blocking(move || check_playbook_text(&toml)).await
}

fn check_playbook_text(toml: &str) -> PlaybookReport {
    match Playbook::from_toml(toml) {
        Ok(_) => PlaybookReport { problems: vec![] },
        Err(e) => PlaybookReport {
            problems: e.0.iter().map(|p| p.to_string()).collect(),
        },
    }
}

/// A rep's plan for a day with a draft for each written item (P47), planned and drafted
/// on a blocking thread like [`plan_for`].
pub(crate) async fn plan_with_drafts(
    state: &AppState,
    ctx: &Ctx,
    rep: UserId,
    date: Date,
) -> Result<
    (
        planner::DayPlan,
        Vec<Option<rounds_core::outreach::ItemDraft>>,
    ),
    ApiError,
> {
    let actor = ctx.actor();
    let territory = rounds_app::territory_for(state.store(), &actor, rep).await?;
    let templates = rounds_app::templates_in_use(state.store(), &actor).await?;
    let Some(rep_user) = ctx.scope.user(rep).cloned() else {
        return Err(ApiError::not_found("rep"));
    };
    let playbook = state.playbook().clone();
    state
        .run_blocking(move || {
            let plan = planner::plan(&territory, &playbook, rep, date);
            let drafts =
                rounds_app::drafts_for_plan(&territory, &plan, &playbook, &rep_user, &templates);
            (plan, drafts)
        })
        .await
}

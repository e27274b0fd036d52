//! The topic library (P1, P25): what reps talk about, tied to pain points. Every user
//! reads it; managers and administrators add to it.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, html};
use rounds_core::catalogue;
use rounds_core::model::{ContactRole, Segment, Specialty};

use super::Fields;
use super::accounts::join;
use super::layout::{Nav, csrf, page};
use super::redirect::{Flash, with_flash};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/topics", get(list).post(add))
}

async fn list(State(state): State<AppState>, PageCtx(ctx): PageCtx, flash: Flash) -> Response {
    match render(&state, &ctx, &Fields(vec![]), None).await {
        Ok(body) => {
            let shown = page("Topics", Some(&ctx), Nav::Topics, flash.message(), body);
            flash.shown(&state, shown)
        }
        Err(e) => super::error_page(e),
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    values: &Fields,
    error: Option<&ApiError>,
) -> ApiResult<Markup> {
    let topics = rounds_app::list_topics(state.store(), &ctx.actor(), None).await?;
    let pain = |key: &str| {
        catalogue::pain_point(key)
            .map(|p| p.title)
            .unwrap_or_else(|| key.to_string())
    };
    let picked = |name: &str, value: &str| values.all(name).any(|x| x == value);
    Ok(html! {
        h1 { "Topics " small { (topics.len()) " in the library" } }
        @if ctx.scope.is_lead() {
            details #add-topic open[error.is_some()] {
                summary { "Add a topic" }
                @if let Some(e) = error {
                    p.error role="alert" { @if let Some(f) = &e.field { "Check " code { (f) } ": " } (e.message) }
                }
                form method="post" action="/topics" {
                    input type="hidden" name="csrf" value=(csrf(ctx));
                    label { "Title" input type="text" name="title" required maxlength="200" value=(values.text("title")); }
                    fieldset {
                        legend { "Pain points it answers (P25)" }
                        @for p in catalogue::pain_points() {
                            label.check { input type="checkbox" name="pain_points" value=(p.key) checked[picked("pain_points", &p.key)]; " " (p.title) " " small { "(" (p.segment) ")" } }
                        }
                    }
                    label { "Specialties " small { "(comma-separated, e.g. pain-management, orthopedics; empty for all)" }
                        input type="text" name="specialties" value=(values.text("specialties")); }
                    fieldset {
                        legend { "Segments (none ticked: all)" }
                        @for s in Segment::ALL { label.check { input type="checkbox" name="segments" value=(s.as_str()) checked[picked("segments", s.as_str())]; " " (s.as_str()) } }
                    }
                    fieldset {
                        legend { "Roles (none ticked: all)" }
                        @for r in ContactRole::ALL { label.check { input type="checkbox" name="roles" value=(r.as_str()) checked[picked("roles", r.as_str())]; " " (r.as_str()) } }
                    }
                    label { "Available from " small { "(new content is news for a while; empty: now)" }
                        input type="date" name="available_from" value=(values.text("available_from")); }
                    button type="submit" { "Add topic" }
                }
            }
        }
        ul.cards #topics {
            @for t in &topics {
                li.card {
                    strong { (t.title) }
                    @if let Some(d) = t.available_from { " " small { "from " (d) } }
                    @if !t.pain_points.is_empty() {
                        div.small { "Pain points: " (t.pain_points.iter().map(|p| pain(p)).collect::<Vec<_>>().join("; ")) }
                    }
                    div.small { "Specialties: "
                        @if t.specialties.is_empty() { "all" } @else { (join(t.specialties.iter().map(|s| s.as_str()))) } }
                    div.small { "Roles: "
                        @if t.roles.is_empty() { "all" } @else { (join(t.roles.iter().map(|r| r.as_str()))) }
                        @if !t.segments.is_empty() { " · segments: " (join(t.segments.iter().map(|s| s.as_str()))) } }
                }
            }
        }
    })
}

async fn add(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let fields = match form {
        Ok(FormBody(pairs)) => Fields(pairs),
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, fields.one("csrf").unwrap_or("")) {
        return refused;
    }
    let input = match read(&fields) {
        Ok(input) => input,
        Err(e) => return invalid(&state, &ctx, &fields, e).await,
    };
    match rounds_app::create_topic(&ctx.store, &ctx.actor(), input).await {
        Ok(t) => with_flash(&state, "/topics", &format!("Added topic “{}”", t.title)),
        Err(e @ rounds_app::AppError::Invalid { .. }) => {
            invalid(&state, &ctx, &fields, e.into()).await
        }
        Err(e) => super::error_page(e.into()),
    }
}

/// The form again, with the field at fault named.
async fn invalid(state: &AppState, ctx: &Ctx, fields: &Fields, e: ApiError) -> Response {
    match render(state, ctx, fields, Some(&e)).await {
        Ok(body) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page("Topics", Some(ctx), Nav::Topics, None, body),
        )
            .into_response(),
        Err(e) => super::error_page(e),
    }
}

/// The form as rounds-app's topic input. Only the form's own syntax is read here (lists,
/// dates, specialty slugs); every rule about a topic is `rounds_app::create_topic`'s,
/// the same as for the API.
fn read(f: &Fields) -> ApiResult<rounds_app::TopicInput> {
    let specialties: Vec<Specialty> = f
        .text("specialties")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|e: rounds_core::model::InvalidValue| ApiError::field("specialties", e.0))
        })
        .collect::<ApiResult<_>>()?;
    let available_from: Option<Date> = f.parse_opt("available_from")?;
    Ok(rounds_app::TopicInput {
        title: f.text("title"),
        pain_points: f.all("pain_points").map(str::to_string).collect(),
        specialties,
        segments: f.parse_all("segments")?,
        roles: f.parse_all("roles")?,
        related: vec![],
        available_from,
    })
}

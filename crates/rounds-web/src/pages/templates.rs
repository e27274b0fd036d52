//! Message templates (P47): every kind's template in use, and for managers and
//! administrators the form that replaces it with the organisation's own or brings the
//! built-in one back. Every rule is rounds-app's.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use rounds_core::outreach::{Template, TemplateKind};

use super::Fields;
use super::layout::{Nav, csrf, page};
use super::redirect::{Flash, with_flash};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list))
        .route("/templates/{kind}", post(save))
        .route("/templates/{kind}/reset", post(reset))
}

const PLACEHOLDERS: &str = "contact.name, contact.first_name, contact.last_name, contact.role, \
    account.name, account.city, topic.title, topic.pain_point, next_step.what, next_step.due \
    (next_step may be none: {% if next_step %}…{% endif %}), rep.name, rep.first_name, rep.email";

async fn list(State(state): State<AppState>, PageCtx(ctx): PageCtx, flash: Flash) -> Response {
    match render(&state, &ctx, None).await {
        Ok(body) => {
            let shown = page(
                "Templates",
                Some(&ctx),
                Nav::Settings,
                flash.message(),
                body,
            );
            flash.shown(&state, shown)
        }
        Err(e) => super::error_page(e),
    }
}

/// The page; `failed` is a refused edit to show again with its error.
async fn render(
    state: &AppState,
    ctx: &Ctx,
    failed: Option<(&Template, &ApiError)>,
) -> ApiResult<Markup> {
    let all = rounds_app::list_templates(state.store(), &ctx.actor()).await?;
    Ok(html! {
        h1 { "Templates" }
        p.muted { "One per kind of written touch [P47]. Drafts on Today are filled from them. Placeholders: " code { (PLACEHOLDERS) } }
        @for v in &all {
            @let shown = failed.filter(|(t, _)| t.kind == v.template.kind).map(|(t, _)| t).unwrap_or(&v.template);
            @let error = failed.filter(|(t, _)| t.kind == v.template.kind).map(|(_, e)| e);
            section.template id=(v.template.kind) {
                h2 { (v.template.kind) " " small { @if v.custom { "your own" } @else { "built-in" } } }
                @if ctx.scope.is_lead() {
                    @if let Some(e) = error {
                        p.error role="alert" { @if let Some(f) = &e.field { "Check " code { (f) } ": " } (e.message) }
                    }
                    form.template-edit method="post" action={"/templates/" (v.template.kind)} {
                        input type="hidden" name="csrf" value=(csrf(ctx));
                        label { "Subject " small { "(e-mails, letters)" } input type="text" name="subject" maxlength="300" value=(shown.subject); }
                        label { "Body " small { "(e-mails, letters, notes)" } textarea name="body" rows="10" maxlength="8000" { (shown.body) } }
                        label { "Short form " small { "(texts, LinkedIn)" } textarea name="short" rows="3" maxlength="1000" { (shown.short) } }
                        button type="submit" { "Save" }
                    }
                    @if v.custom {
                        form.template-reset method="post" action={"/templates/" (v.template.kind) "/reset"} {
                            input type="hidden" name="csrf" value=(csrf(ctx));
                            button type="submit" { "Bring the built-in one back" }
                        }
                    }
                } @else {
                    p { "Subject: " strong { (v.template.subject) } }
                    pre.message { (v.template.body) }
                    p.small { "Short form: " (v.template.short) }
                }
            }
        }
    })
}

/// A template form's fields and kind, once its CSRF token is checked (before any other
/// field is judged); otherwise the page that answers instead.
fn checked_form(
    ctx: &Ctx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
    kind: &str,
) -> Result<(Fields, TemplateKind), Box<Response>> {
    let f = super::checked_fields(ctx, form)?;
    match kind.parse::<TemplateKind>() {
        Ok(k) => Ok((f, k)),
        Err(_) => Err(Box::new(super::not_found_page())),
    }
}

async fn save(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(kind): Path<String>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let (f, kind) = match checked_form(&ctx, form, &kind) {
        Ok(read) => read,
        Err(refused) => return *refused,
    };
    let raw = |name: &str| {
        f.0.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default()
    };
    let template = Template {
        kind,
        subject: raw("subject").trim().to_string(),
        body: raw("body"),
        short: raw("short").trim().to_string(),
    };
    match rounds_app::save_template(&ctx.store, &ctx.actor(), template.clone(), state.now()).await {
        Ok(_) => with_flash(
            &state,
            &format!("/templates#{kind}"),
            &format!("Saved your own {kind} template"),
        ),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status == axum::http::StatusCode::FORBIDDEN {
                return super::error_page(e);
            }
            match render(&state, &ctx, Some((&template, &e))).await {
                Ok(body) => {
                    let mut res = axum::response::IntoResponse::into_response(page(
                        "Templates",
                        Some(&ctx),
                        Nav::Settings,
                        None,
                        body,
                    ));
                    *res.status_mut() = e.status;
                    res
                }
                Err(e) => super::error_page(e),
            }
        }
    }
}

async fn reset(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(kind): Path<String>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let (_, kind) = match checked_form(&ctx, form, &kind) {
        Ok(read) => read,
        Err(refused) => return *refused,
    };
    match rounds_app::reset_template(&ctx.store, &ctx.actor(), kind).await {
        Ok(_) => with_flash(
            &state,
            &format!("/templates#{kind}"),
            &format!("The built-in {kind} template is in use again"),
        ),
        Err(e) => super::error_page(e.into()),
    }
}

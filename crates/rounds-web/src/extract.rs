//! Extractors: the signed-in caller (API and pages differ only in how they refuse a
//! stranger) and request bodies whose errors name the field at fault.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rounds_store::{AuditActor, SqlStore};
use serde::de::DeserializeOwned;

use crate::auth::{self, Authenticated, Caller};
use crate::error::ApiError;
use crate::{AppState, Scope};

/// The caller, what they may see, and the store as they write to it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Caller,
    pub scope: Scope,
    /// The shared store bound to this caller and this request's clock reading, so
    /// every change the request makes is logged as theirs. Writes go through it.
    pub store: SqlStore,
}

async fn context(state: &AppState, parts: &Parts) -> Result<Result<Ctx, Authenticated>, ApiError> {
    let (caller, everyone) = match auth::authenticate(state, parts).await? {
        Authenticated::Caller(caller, everyone) => (caller, everyone),
        refused => return Ok(Err(refused)),
    };
    let scope = Scope::for_user(&caller.user, everyone);
    let store = state
        .store()
        .acting_as(AuditActor::User(caller.user.id), state.now());
    Ok(Ok(Ctx {
        caller,
        scope,
        store,
    }))
}

/// An API caller: a bearer token, or a browser session that sends its CSRF token in
/// `X-CSRF-Token` on anything but a read.
#[derive(Debug, Clone)]
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = context(state, parts)
            .await
            .map_err(IntoResponse::into_response)?
            .map_err(|refused| auth::unauthorized(&refused))?;
        if let Some(session) = &ctx.caller.session
            && !matches!(parts.method, Method::GET | Method::HEAD)
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !auth::same_secret(sent, &session.csrf) {
                return Err(ApiError::forbidden(
                    "a browser session must send its CSRF token in X-CSRF-Token",
                )
                .into_response());
            }
        }
        Ok(ApiCtx(ctx))
    }
}

/// A page's caller; strangers are sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct PageCtx(pub Ctx);

pub enum PageRejection {
    SignIn,
    Failed(ApiError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::SignIn => Redirect::to("/login").into_response(),
            PageRejection::Failed(e) => crate::pages::error_page(e),
        }
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PageRejection> {
        // Pages never accept bearer tokens: a token is for scripts, and a page's forms
        // rely on the session's CSRF token.
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return Err(PageRejection::SignIn);
        }
        match context(state, parts).await {
            Ok(Ok(ctx)) if ctx.caller.session.is_some() => Ok(PageCtx(ctx)),
            Ok(_) => Err(PageRejection::SignIn),
            Err(e) => Err(PageRejection::Failed(e)),
        }
    }
}

/// A JSON body read through `serde_path_to_error`, so a bad value is answered with the
/// path of the field (`next_step.due`) and the reason, as a 4xx.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub async fn read_body<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the body: {e}"),
                )
            }
        })
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("the body is not valid JSON: {inner}"),
            );
        }
        let field = if path == "." { None } else { Some(path) };
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field,
            message: clean_serde_message(&inner.to_string()),
        }
    })
}

/// serde's messages end with " at line 1 column 57", which means nothing to a caller who
/// has just been told the field.
fn clean_serde_message(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

/// A form body whose errors name the field, like [`JsonBody`].
#[derive(Debug)]
pub struct FormBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = read_body(req, state).await?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        serde_path_to_error::deserialize(de)
            .map(FormBody)
            .map_err(|e| {
                let path = e.path().to_string();
                ApiError::field(path, clean_serde_message(&e.into_inner().to_string()))
            })
    }
}

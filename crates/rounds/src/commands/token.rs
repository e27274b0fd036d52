//! `rounds token add|list|revoke`: API tokens for scripts. A token is printed once, when
//! made; lists show its id (the first 8 hex digits of its hash), never the secret.

use anyhow::{Context, Result, anyhow};
use jiff::Timestamp;
use rounds_app::{AppError, TokenInput, TokenLifetime, TokenRow};

use super::user::find_user;
use super::{Cx, cli_error};
use crate::cli::{TokenAddArgs, TokenCommand, TokenListArgs};
use crate::print_json;

pub(crate) async fn run(cx: &Cx<'_>, c: TokenCommand) -> Result<()> {
    match c {
        TokenCommand::Add(a) => add(cx, a).await,
        TokenCommand::List(a) => list(cx, a).await,
        TokenCommand::Revoke(a) => {
            let row = rounds_app::revoke_token(cx.store, cx.actor, &a.id)
                .await
                .map_err(|e| match e {
                    AppError::NotFound { id, .. } => anyhow!(
                        "no API token with id {id}\nhint: `rounds token list` shows the ids"
                    ),
                    other => cli_error(other),
                })?;
            outln!(
                "Revoked API token {} `{}` of {}; it no longer works.",
                row.token.id,
                row.token.name,
                row.user.email
            )?;
            Ok(())
        }
    }
}

async fn add(cx: &Cx<'_>, a: TokenAddArgs) -> Result<()> {
    let user = find_user(cx, &a.user)?;
    let lifetime = if a.no_expiry {
        TokenLifetime::Never
    } else {
        TokenLifetime::parse(a.expires_in.as_deref().unwrap_or(""))
            .map_err(|e| anyhow!("--expires-in: {}", message_of(e)))?
    };
    let input = TokenInput {
        user: user.id,
        name: a.name.clone(),
        lifetime,
    };
    let made = rounds_app::add_token(cx.store, cx.actor, input, cx.s.now)
        .await
        .map_err(|e| match e {
            AppError::Conflict { message, .. } => anyhow!(
                "{message}\nhint: `rounds user passwd {} --password-stdin` first",
                user.email
            ),
            AppError::Invalid { field, message } if field == "expires_in" => {
                anyhow!("--expires-in: {message}")
            }
            other => cli_error(other),
        })?;
    // Only the token on stdout, so `TOKEN=$(rounds token add …)` works.
    outln!("{}", made.secret)?;
    let row = &made.made;
    eprintln!(
        "API token {} `{}` for {} made, {}; it is shown this once.",
        row.token.id,
        row.token.name,
        row.user.email,
        match row.expires_at() {
            Some(at) => format!("expires {}", minute(at)),
            None => "never expires".to_string(),
        }
    );
    Ok(())
}

fn message_of(e: AppError) -> String {
    match e {
        AppError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

/// An instant to the minute, in UTC like every time the server stores.
fn minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%MZ").to_string()
}

async fn list(cx: &Cx<'_>, a: TokenListArgs) -> Result<()> {
    let user = match &a.user {
        Some(w) => Some(find_user(cx, w).context("--user")?.id),
        None => None,
    };
    let rows = rounds_app::list_tokens(cx.store, cx.actor, user)
        .await
        .map_err(cli_error)?;
    let now = cx.s.now;
    if a.json {
        let rows: Vec<serde_json::Value> = rows.iter().map(|r| json_of(r, now)).collect();
        return print_json(&rows);
    }
    if rows.is_empty() {
        eprintln!("No API tokens.\nhint: `rounds token add --user USER --name NAME` makes one");
        return Ok(());
    }
    let rows = rows
        .iter()
        .map(|r| {
            let expires = match r.expires_at() {
                None => "never".to_string(),
                Some(at) if r.expired(now) => format!("expired {}", minute(at)),
                Some(at) => minute(at),
            };
            vec![
                r.token.id.clone(),
                r.user.email.clone(),
                r.token.name.clone(),
                minute(r.created_at()),
                expires,
                r.last_used_at()
                    .map(minute)
                    .unwrap_or_else(|| "never".into()),
            ]
        })
        .collect();
    out!(
        "{}",
        crate::render::table(
            &["id", "user", "name", "created", "expires", "last used"],
            rows
        )
    )?;
    Ok(())
}

fn json_of(r: &TokenRow, now: Timestamp) -> serde_json::Value {
    serde_json::json!({
        "id": r.token.id,
        "user": { "id": r.user.id, "email": r.user.email },
        "name": r.token.name,
        "created_at": r.created_at(),
        "expires_at": r.expires_at(),
        "last_used_at": r.last_used_at(),
        "expired": r.expired(now),
    })
}

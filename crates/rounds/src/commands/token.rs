//! `rounds token add`: an API token for a user, printed once.

use anyhow::{Result, anyhow};
use rounds_app::AppError;

use super::user::find_user;
use super::{Cx, cli_error};
use crate::cli::TokenAddArgs;

pub(crate) async fn add(cx: &Cx<'_>, a: TokenAddArgs) -> Result<()> {
    let user = find_user(cx, &a.user)?;
    let made = rounds_app::add_token(cx.store, cx.actor, user.id, &a.name, cx.s.now)
        .await
        .map_err(|e| match e {
            AppError::Conflict { message, .. } => anyhow!(
                "{message}\nhint: `rounds user passwd {} --password-stdin` first",
                user.email
            ),
            other => cli_error(other),
        })?;
    // Only the token on stdout, so `TOKEN=$(rounds token add …)` works.
    outln!("{}", made.token)?;
    eprintln!(
        "API token `{}` for {} made; it is shown this once.",
        made.name, made.user.email
    );
    Ok(())
}

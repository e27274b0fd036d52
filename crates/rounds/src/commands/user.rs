//! `rounds user add|list|passwd|disable`: users and their sign-ins.

use std::io::BufRead;

use anyhow::{Context, Result, anyhow, bail};
use rounds_app::{AppError, UserInput};
use rounds_core::model::User;

use super::{Cx, cli_error};
use crate::cli::{UserAddArgs, UserCommand, UserListArgs};
use crate::print_json;

pub(crate) async fn run(cx: &Cx<'_>, c: UserCommand) -> Result<()> {
    match c {
        UserCommand::Add(a) => add(cx, a).await,
        UserCommand::List(a) => list(cx, a).await,
        UserCommand::Passwd(a) => {
            let user = find_user(cx, &a.user)?;
            let hash = read_password(a.password_stdin)?;
            let (_, revoked) = rounds_app::set_password(cx.store, cx.actor, user.id, &hash)
                .await
                .map_err(cli_error)?;
            outln!(
                "Password set for {} <{}>; their sessions have ended and {revoked} API token(s) were revoked.",
                user.name,
                user.email
            )?;
            Ok(())
        }
        UserCommand::Disable(a) => {
            let user = find_user(cx, &a.user)?;
            rounds_app::set_disabled(cx.store, cx.actor, user.id, !a.enable)
                .await
                .map_err(|e| match e {
                    AppError::Conflict { message, .. } => anyhow!(
                        "{message}\nhint: `rounds user passwd {}` gives them one",
                        user.email
                    ),
                    other => cli_error(other),
                })?;
            if a.enable {
                outln!("{} <{}> can sign in again.", user.name, user.email)?;
            } else {
                outln!(
                    "{} <{}> is disabled: sessions ended, API tokens deleted.",
                    user.name,
                    user.email
                )?;
            }
            Ok(())
        }
    }
}

/// A user by id or e-mail, with the command line's hint when there is none.
pub(crate) fn find_user(cx: &Cx<'_>, wanted: &str) -> Result<User> {
    rounds_app::find_user(cx.actor, wanted).map_err(|_| {
        anyhow!(
            "no user `{}` in organisation {}\nhint: `rounds user list` shows them",
            wanted.trim(),
            cx.s.org
        )
    })
}

/// Reads a new password from standard input's first line (or `ROUNDS_PASSWORD`) and
/// hashes it.
fn read_password(from_stdin: bool) -> Result<String> {
    let password = match std::env::var("ROUNDS_PASSWORD") {
        Ok(p) if !from_stdin => p,
        _ => {
            if !from_stdin {
                bail!(
                    "give the password on standard input with --password-stdin (or in ROUNDS_PASSWORD)\nexample: read -rs PW && echo \"$PW\" | rounds user passwd USER --password-stdin"
                );
            }
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    rounds_app::auth::hash_password(&password).map_err(|e| anyhow!("password: {e}"))
}

async fn add(cx: &Cx<'_>, a: UserAddArgs) -> Result<()> {
    let from = match &a.territory_from {
        Some(w) => Some(find_user(cx, w).context("--territory-from")?),
        None => None,
    };
    // Read and check the password before anything is written.
    let hash = if a.password_stdin || std::env::var_os("ROUNDS_PASSWORD").is_some() {
        Some(read_password(a.password_stdin)?)
    } else {
        None
    };
    let input = UserInput {
        name: a.name.clone(),
        email: a.email.clone(),
        role: a.role,
        team: a.team.clone(),
        password_hash: hash.clone(),
        territory_from: from.as_ref().map(|u| u.id),
    };
    let (user, moved) = rounds_app::add_user(cx.store, cx.actor, input)
        .await
        .map_err(|e| match e {
            AppError::NotFound {
                what: "organisation",
                id,
            } => anyhow!(
                "organisation {id} does not exist\nhint: run `rounds demo`, or `rounds import FILE`, first"
            ),
            AppError::Conflict { field, message } if field == "email" => {
                let email = a.email.trim().to_lowercase();
                anyhow!(
                    "--email: {message}\nhint: `rounds user passwd {email}` sets their password"
                )
            }
            other => cli_error(other),
        })?;
    outln!(
        "Added user {} {} <{}> ({}).",
        user.id,
        user.name,
        user.email,
        user.role
    )?;
    if let (Some(from), Some(moved)) = (from, moved) {
        outln!(
            "Handed {moved} account(s) of {} to {}.",
            from.name,
            user.name
        )?;
    }
    if hash.is_none() {
        outln!(
            "hint: they cannot sign in until `rounds user passwd {} --password-stdin`",
            user.email
        )?;
    }
    Ok(())
}

async fn list(cx: &Cx<'_>, a: UserListArgs) -> Result<()> {
    let rows = rounds_app::list_users(cx.store, cx.actor)
        .await
        .map_err(cli_error)?;
    if a.json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::json!({ "user": r.user, "sign_in": r.sign_in.as_str() }))
            .collect();
        return print_json(&rows);
    }
    let rows = rows
        .iter()
        .map(|r| {
            let u = &r.user;
            vec![
                u.id.to_string(),
                u.name.clone(),
                u.email.clone(),
                u.role.to_string(),
                u.team.clone().unwrap_or_default(),
                r.sign_in.as_str().to_string(),
            ]
        })
        .collect();
    out!(
        "{}",
        crate::render::table(&["id", "name", "email", "role", "team", "sign-in"], rows)
    )?;
    Ok(())
}

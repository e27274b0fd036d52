//! `rounds user …`, `rounds token add` and `rounds serve`: the commands that run or
//! administer the multi-user service.

use std::io::BufRead;

use anyhow::{Context, Result, anyhow, bail};
use rounds_core::model::{OrgId, User, UserId};
use rounds_store::{ApiToken, IdKind, SqlStore, Store};

use crate::cli::{LogFormat, ServeArgs, TokenAddArgs, UserAddArgs, UserCommand, UserListArgs};
use crate::{Settings, clock_now, print_json};

pub async fn user_cmd(store: &SqlStore, s: &Settings, c: UserCommand) -> Result<()> {
    match c {
        UserCommand::Add(a) => user_add(store, s.org, a).await,
        UserCommand::List(a) => user_list(store, s.org, a).await,
        UserCommand::Passwd(a) => {
            let user = find_user(store, s.org, &a.user).await?;
            let hash = read_password(a.password_stdin)?;
            store
                .set_password(s.org, user.id, &user.email, &hash)
                .await?;
            println!(
                "Password set for {} <{}>; their sessions have ended.",
                user.name, user.email
            );
            Ok(())
        }
        UserCommand::Disable(a) => {
            let user = find_user(store, s.org, &a.user).await?;
            store
                .set_disabled(s.org, user.id, !a.enable)
                .await
                .map_err(|e| match e {
                    rounds_store::StoreError::NotFound { .. } => anyhow!(
                        "{} has no password, so cannot sign in anyway\nhint: `rounds user passwd {}` gives them one",
                        user.email,
                        user.email
                    ),
                    other => other.into(),
                })?;
            if a.enable {
                println!("{} <{}> can sign in again.", user.name, user.email);
            } else {
                println!(
                    "{} <{}> is disabled: sessions ended, API tokens deleted.",
                    user.name, user.email
                );
            }
            Ok(())
        }
    }
}

async fn find_user(store: &SqlStore, org: OrgId, wanted: &str) -> Result<User> {
    let wanted = wanted.trim();
    let users = store.users(org).await?;
    users
        .into_iter()
        .find(|u| u.id.0.to_string() == wanted || u.email.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            anyhow!("no user `{wanted}` in organisation {org}\nhint: `rounds user list` shows them")
        })
}

/// Reads a new password from standard input's first line and hashes it.
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
    rounds_web::hash_password(&password).map_err(|e| anyhow!("password: {e}"))
}

async fn user_add(store: &SqlStore, org: OrgId, a: UserAddArgs) -> Result<()> {
    let email = a.email.trim().to_lowercase();
    if !rounds_web::api::valid_email(&email) {
        bail!("--email: `{}` is not an e-mail address", a.email);
    }
    let name = a.name.trim();
    if name.is_empty() {
        bail!("--name: give the user's name");
    }
    if store.organisations().await?.iter().all(|o| o.id != org) {
        bail!(
            "organisation {org} does not exist\nhint: run `rounds demo`, or `rounds import FILE`, first"
        );
    }
    let users = store.users(org).await?;
    if users.iter().any(|u| u.email.eq_ignore_ascii_case(&email))
        || store.credentials_by_login(&email).await?.is_some()
    {
        bail!(
            "--email: a user with e-mail {email} already exists\nhint: `rounds user passwd {email}` sets their password"
        );
    }
    let from = match &a.territory_from {
        Some(w) => Some(find_user(store, org, w).await.context("--territory-from")?),
        None => None,
    };
    // Read and check the password before anything is written.
    let hash = if a.password_stdin || std::env::var_os("ROUNDS_PASSWORD").is_some() {
        Some(read_password(a.password_stdin)?)
    } else {
        None
    };
    let user = User {
        id: UserId(store.next_id(org, IdKind::User).await?),
        name: name.to_string(),
        email: email.clone(),
        role: a.role,
        team: a
            .team
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
    };
    store.save_user(org, &user).await?;
    if let Some(hash) = &hash {
        store.set_password(org, user.id, &email, hash).await?;
    }
    println!(
        "Added user {} {} <{}> ({}).",
        user.id, user.name, user.email, user.role
    );
    if let Some(from) = from {
        let moved = store.reassign_accounts(org, from.id, user.id).await?;
        println!(
            "Handed {moved} account(s) of {} to {}.",
            from.name, user.name
        );
    }
    if hash.is_none() {
        println!("hint: they cannot sign in until `rounds user passwd {email} --password-stdin`");
    }
    Ok(())
}

async fn user_list(store: &SqlStore, org: OrgId, a: UserListArgs) -> Result<()> {
    let users = store.users(org).await?;
    let credentials = store.credentials(org).await?;
    let sign_in = |id: UserId| match credentials.iter().find(|c| c.user == id) {
        None => "no password",
        Some(c) if c.disabled => "disabled",
        Some(_) => "yes",
    };
    if a.json {
        let rows: Vec<serde_json::Value> = users
            .iter()
            .map(|u| serde_json::json!({ "user": u, "sign_in": sign_in(u.id) }))
            .collect();
        return print_json(&rows);
    }
    let rows = users
        .iter()
        .map(|u| {
            vec![
                u.id.to_string(),
                u.name.clone(),
                u.email.clone(),
                u.role.to_string(),
                u.team.clone().unwrap_or_default(),
                sign_in(u.id).to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        crate::render::table(&["id", "name", "email", "role", "team", "sign-in"], rows)
    );
    Ok(())
}

pub async fn token_add(store: &SqlStore, s: &Settings, a: TokenAddArgs) -> Result<()> {
    let user = find_user(store, s.org, &a.user).await?;
    let name = a.name.trim();
    if name.is_empty() {
        bail!("--name: say what the token is for");
    }
    let signs_in = store
        .credentials(s.org)
        .await?
        .iter()
        .any(|c| c.user == user.id && !c.disabled);
    if !signs_in {
        bail!(
            "{} cannot sign in (no password, or disabled), so a token would not work\nhint: `rounds user passwd {} --password-stdin` first",
            user.email,
            user.email
        );
    }
    let token = rounds_web::new_secret();
    let record = ApiToken {
        org: s.org,
        user: user.id,
        name: name.to_string(),
        created_at: clock_now().as_second(),
    };
    store
        .create_api_token(&rounds_web::secret_hash(&token), &record)
        .await?;
    // Only the token on stdout, so `TOKEN=$(rounds token add …)` works.
    println!("{token}");
    eprintln!(
        "API token `{name}` for {} made; it is shown this once.",
        user.email
    );
    Ok(())
}

/// The system clock, for the server; the only other place the time is read.
struct SystemClock;

impl rounds_web::Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        clock_now()
    }
}

pub async fn serve_cmd(store: SqlStore, s: &Settings, toml: String, a: ServeArgs) -> Result<()> {
    init_logs(a.log_format);
    let listener = tokio::net::TcpListener::bind(&a.listen)
        .await
        .with_context(|| format!("--listen: cannot listen on {}", a.listen))?;
    let address = listener.local_addr()?;
    let config = rounds_web::Config {
        fixed_date: a.date,
        zone: jiff::tz::TimeZone::system(),
        secure_cookies: a.secure_cookies,
    };
    let state =
        rounds_web::AppState::new(store.clone(), s.playbook.clone(), toml, SystemClock, config);
    // The address goes to stdout, so scripts that start on port 0 can read it.
    println!("Rounds is serving on http://{address} (Ctrl-C to stop)");
    use std::io::Write;
    std::io::stdout().flush().ok();
    rounds_web::serve(listener, state, shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    store.close().await;
    eprintln!("Rounds stopped.");
    Ok(())
}

fn init_logs(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ROUNDS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Resolves on Ctrl-C or SIGTERM, so that requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

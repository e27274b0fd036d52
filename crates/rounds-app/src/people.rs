//! Users and passwords (API tokens are in `tokens`). Administrators (and the local
//! operator) add and disable users; a user may set their own password, which revokes
//! their API tokens and ends their sessions. Passwords arrive already hashed
//! (`auth::hash_password`), because hashing is deliberately slow and a server runs it
//! off its async workers.

use rounds_core::model::{Role, User, UserId};
use rounds_core::values::{EmailAddress, Name};
use rounds_store::{IdKind, Store, StoreError};

use crate::{Actor, AppError, Result};

/// A user to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub name: String,
    /// Also the sign-in name (stored lower-cased).
    pub email: String,
    pub role: Role,
    pub team: Option<String>,
    /// An argon2id PHC string from `auth::hash_password`; without one the user cannot
    /// sign in until a password is set.
    pub password_hash: Option<String>,
    /// Hand every account of this user to the new one (a territory changing hands).
    pub territory_from: Option<UserId>,
}

/// Whether a user can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    NoPassword,
    Disabled,
    Yes,
}

impl SignIn {
    pub fn as_str(self) -> &'static str {
        match self {
            SignIn::NoPassword => "no password",
            SignIn::Disabled => "disabled",
            SignIn::Yes => "yes",
        }
    }
}

/// A user as listed: with whether they can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user: User,
    pub sign_in: SignIn,
}

fn admins_only(actor: &Actor, what: &str) -> Result<()> {
    if actor.scope.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only administrators may {what}"
        )))
    }
}

/// A user in the actor's scope; anyone else answers like a missing user.
fn user_in_scope(actor: &Actor, user: UserId) -> Result<User> {
    actor
        .scope
        .user(user)
        .cloned()
        .ok_or_else(|| AppError::not_found("user", user))
}

/// The user, when the actor is that user or an administrator who may `what`.
pub(crate) fn self_or_admin(actor: &Actor, user: UserId, what: &str) -> Result<User> {
    if actor.user.as_ref().is_none_or(|u| u.id != user) {
        admins_only(actor, what)?;
    }
    user_in_scope(actor, user)
}

/// The users the actor can see (a rep themselves, a manager their team, administrators
/// and the operator everyone), by id, with their sign-in state.
pub async fn list_users<S: Store + Sync>(store: &S, actor: &Actor) -> Result<Vec<UserRow>> {
    let credentials = store.credentials(actor.org).await?;
    Ok(actor
        .scope
        .users
        .iter()
        .map(|u| UserRow {
            user: u.clone(),
            sign_in: match credentials.iter().find(|c| c.user == u.id) {
                None => SignIn::NoPassword,
                Some(c) if c.disabled => SignIn::Disabled,
                Some(_) => SignIn::Yes,
            },
        })
        .collect())
}

/// The users an administrator (or the operator) manages: every user of the
/// organisation with their sign-in state. `Forbidden` for anyone else.
pub async fn administered_users<S: Store + Sync>(store: &S, actor: &Actor) -> Result<Vec<UserRow>> {
    admins_only(actor, "manage users")?;
    list_users(store, actor).await
}

/// A user in the actor's scope, by id or e-mail address (any case).
pub fn find_user(actor: &Actor, wanted: &str) -> Result<User> {
    let wanted = wanted.trim();
    actor
        .scope
        .users
        .iter()
        .find(|u| u.id.0.to_string() == wanted || u.email.eq_ignore_ascii_case(wanted))
        .cloned()
        .ok_or_else(|| AppError::not_found("user", wanted))
}

/// `wanted` (id or e-mail), or else the first rep of the scope by id.
pub fn rep_or_default(actor: &Actor, wanted: Option<&str>) -> Result<User> {
    match wanted {
        Some(w) => find_user(actor, w),
        None => actor
            .scope
            .reps()
            .min_by_key(|u| u.id)
            .cloned()
            .ok_or_else(|| AppError::invalid("rep", "the organisation has no rep")),
    }
}

/// Adds a user (administrators and the operator), optionally with a password and the
/// accounts of another user. Returns the user and how many accounts moved.
pub async fn add_user<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: UserInput,
) -> Result<(User, Option<u64>)> {
    admins_only(actor, "add users")?;
    let name = Name::parse(&input.name).map_err(|e| AppError::invalid("name", e.0))?;
    let email = EmailAddress::parse(&input.email)
        .map_err(|e| AppError::invalid("email", e.0))?
        .login();
    let team = input
        .team
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if store
        .organisations()
        .await?
        .iter()
        .all(|o| o.id != actor.org)
    {
        return Err(AppError::not_found("organisation", actor.org));
    }
    let users = store.users(actor.org).await?;
    if users.iter().any(|u| u.email.eq_ignore_ascii_case(&email))
        || store.credentials_by_login(&email).await?.is_some()
    {
        return Err(AppError::Conflict {
            field: "email".into(),
            message: format!("a user with e-mail {email} already exists"),
        });
    }
    if let Some(from) = input.territory_from
        && actor.scope.user(from).is_none()
    {
        return Err(AppError::invalid(
            "territory_from",
            format!("no user {from} in your territories"),
        ));
    }
    let draft = User {
        id: UserId(0),
        name: name.into_string(),
        email: email.clone(),
        role: input.role,
        team,
    };
    crate::error::first_problem(draft.validate())?;
    let user = User {
        id: UserId(store.next_id(actor.org, IdKind::User).await?),
        ..draft
    };
    store.save_user(actor.org, &user).await?;
    if let Some(hash) = &input.password_hash {
        store.set_password(actor.org, user.id, &email, hash).await?;
    }
    let moved = match input.territory_from {
        Some(from) => Some(store.reassign_accounts(actor.org, from, user.id).await?),
        None => None,
    };
    Ok((user, moved))
}

/// Sets a user's password (administrators, or the user themself); their sessions end
/// and their API tokens are revoked. Returns the user and how many tokens were revoked.
pub async fn set_password<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    user: UserId,
    password_hash: &str,
) -> Result<(User, u64)> {
    let target = self_or_admin(actor, user, "set another user's password")?;
    let revoked = store
        .set_password(
            actor.org,
            target.id,
            &target.email.to_lowercase(),
            password_hash,
        )
        .await?;
    Ok((target, revoked))
}

/// Disables (sessions end, API tokens are deleted) or re-enables a user's sign-in.
pub async fn set_disabled<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    user: UserId,
    disabled: bool,
) -> Result<User> {
    admins_only(actor, "disable users")?;
    let target = user_in_scope(actor, user)?;
    store
        .set_disabled(actor.org, target.id, disabled)
        .await
        .map_err(|e| match e {
            StoreError::NotFound { .. } => AppError::Conflict {
                field: "user".into(),
                message: format!("{} has no password, so cannot sign in anyway", target.email),
            },
            other => other.into(),
        })?;
    Ok(target)
}

//! API tokens: made for a user who can sign in, shown once, stored as their SHA-256
//! only; each expires (90 days unless asked otherwise, never only for administrators),
//! is listed with its last use, and can be revoked. A user manages their own tokens;
//! administrators (and the operator) every token of the organisation. A token outside
//! the actor's reach answers `NotFound`, like one that does not exist.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use rounds_core::model::{User, UserId};
use rounds_core::values::Name;
use rounds_store::{ApiToken, Store, StoreError};

use crate::people::self_or_admin;
use crate::{Actor, AppError, Result};

/// How long a token lives when nobody says: long enough that scripts are not renewed
/// every month, short enough that a forgotten token stops working on its own.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// The shortest and longest life that may be asked for.
const MIN_LIFE_S: i64 = 60 * 60;
const MAX_LIFE_S: i64 = 366 * 24 * 60 * 60;

/// How long a new token works.
#[derive(Debug, Clone, Copy)]
pub enum TokenLifetime {
    /// [`DEFAULT_TOKEN_DAYS`].
    Default,
    /// For this long from its creation: an hour to a year.
    For(Span),
    /// Until revoked; administrators and the operator only.
    Never,
}

impl TokenLifetime {
    /// Reads a lifetime as typed: a duration such as `30d`, `12h`, `2w` or `P30D`, or
    /// `never`; empty text is the default. Errors name the field `expires_in`.
    pub fn parse(text: &str) -> Result<TokenLifetime> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(TokenLifetime::Default);
        }
        if text.eq_ignore_ascii_case("never") {
            return Ok(TokenLifetime::Never);
        }
        text.parse::<Span>().map(TokenLifetime::For).map_err(|_| {
            AppError::invalid(
                "expires_in",
                format!("`{text}` is not a duration; write e.g. 30d, 12h or 2w (or never)"),
            )
        })
    }

    /// The instant a token made at `now` stops working, if it ever does.
    fn expires_at(self, now: Timestamp) -> Result<Option<Timestamp>> {
        let span = match self {
            TokenLifetime::Never => return Ok(None),
            TokenLifetime::Default => Span::new().days(DEFAULT_TOKEN_DAYS),
            TokenLifetime::For(span) => span,
        };
        let out_of_range =
            || AppError::invalid("expires_in", "a token may live from an hour to a year");
        // Calendar units (months, years) need a calendar: UTC's, as every stored time.
        let at = now
            .to_zoned(TimeZone::UTC)
            .checked_add(span)
            .map_err(|_| out_of_range())?
            .timestamp();
        let life = at.as_second() - now.as_second();
        if !(MIN_LIFE_S..=MAX_LIFE_S).contains(&life) {
            return Err(out_of_range());
        }
        Ok(Some(at))
    }
}

/// A token to make.
#[derive(Debug, Clone)]
pub struct TokenInput {
    /// The user the token acts as.
    pub user: UserId,
    /// What it is for (1 to 200 characters).
    pub name: String,
    pub lifetime: TokenLifetime,
}

/// A token as listed: its record and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub token: ApiToken,
    pub user: User,
}

impl TokenRow {
    pub fn created_at(&self) -> Timestamp {
        instant(self.token.created_at)
    }

    pub fn expires_at(&self) -> Option<Timestamp> {
        self.token.expires_at.map(instant)
    }

    pub fn last_used_at(&self) -> Option<Timestamp> {
        self.token.last_used_at.map(instant)
    }

    /// Whether the token no longer works at `now`.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.token.expired(now.as_second())
    }
}

fn instant(epoch_seconds: i64) -> Timestamp {
    Timestamp::from_second(epoch_seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A new API token: the secret is shown this once and stored only as its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub secret: String,
    pub made: TokenRow,
}

/// How often a new secret is drawn when its id (the first 8 hex digits of its hash) is
/// taken; with 32 bits of id, a second clash in a row means something else is wrong.
const ID_ATTEMPTS: usize = 4;

/// Makes an API token for a user who can sign in (administrators, or the user
/// themself). `now` is its creation time.
pub async fn add_token<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: TokenInput,
    now: Timestamp,
) -> Result<NewToken> {
    let target = self_or_admin(actor, input.user, "make tokens for other users")?;
    let name = Name::parse(&input.name)
        .map_err(|_| AppError::invalid("name", "say what the token is for (1 to 200 characters)"))?
        .into_string();
    if matches!(input.lifetime, TokenLifetime::Never) && !actor.scope.is_admin() {
        return Err(AppError::Forbidden(
            "only administrators may make tokens that never expire".into(),
        ));
    }
    let expires_at = input.lifetime.expires_at(now)?;
    let signs_in = store
        .credentials(actor.org)
        .await?
        .iter()
        .any(|c| c.user == target.id && !c.disabled);
    if !signs_in {
        return Err(AppError::Conflict {
            field: "user".into(),
            message: format!(
                "{} cannot sign in (no password, or disabled), so a token would not work",
                target.email
            ),
        });
    }
    let mut attempts = 0;
    loop {
        attempts += 1;
        let secret = crate::auth::new_secret();
        let hash = crate::auth::secret_hash(&secret);
        let token = ApiToken {
            id: hash[..8].to_string(),
            org: actor.org,
            user: target.id,
            name: name.clone(),
            created_at: now.as_second(),
            expires_at: expires_at.map(|t| t.as_second()),
            last_used_at: None,
        };
        match store.create_api_token(&hash, &token).await {
            Ok(()) => {
                return Ok(NewToken {
                    secret,
                    made: TokenRow {
                        token,
                        user: target,
                    },
                });
            }
            Err(StoreError::Duplicate { .. }) if attempts < ID_ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The tokens the actor manages: a user their own, administrators and the operator
/// every token of the organisation; `user` narrows to one user's (another user's, for
/// anyone else, answers `NotFound`).
pub async fn list_tokens<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    user: Option<UserId>,
) -> Result<Vec<TokenRow>> {
    let of = match (user, actor.scope.is_admin()) {
        (Some(u), _) => Some(self_or_admin(actor, u, "list other users' tokens").map_err(
            // Another user's tokens are not a forbidden list but an unknown one.
            |_| AppError::not_found("user", u),
        )?),
        (None, true) => None,
        (None, false) => match &actor.user {
            Some(me) => Some(me.clone()),
            None => return Ok(Vec::new()),
        },
    };
    let tokens = store
        .api_tokens(actor.org, of.as_ref().map(|u| u.id))
        .await?;
    Ok(tokens
        .into_iter()
        .filter_map(|token| {
            let user = actor.scope.user(token.user)?.clone();
            Some(TokenRow { token, user })
        })
        .collect())
}

/// Revokes a token by its id: the actor's own, or any of the organisation's for
/// administrators and the operator. Returns what was revoked.
pub async fn revoke_token<S: Store + Sync>(store: &S, actor: &Actor, id: &str) -> Result<TokenRow> {
    let id = id.trim().to_ascii_lowercase();
    let row = list_tokens(store, actor, None)
        .await?
        .into_iter()
        .find(|r| r.token.id == id)
        .ok_or_else(|| AppError::not_found("API token", &id))?;
    if !store.delete_api_token(actor.org, &id).await? {
        return Err(AppError::not_found("API token", &id));
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn lifetimes_read_as_typed_and_stay_between_an_hour_and_a_year() {
        let now = at("2026-11-24T14:30:00Z");
        let expiry = |text: &str| TokenLifetime::parse(text).and_then(|l| l.expires_at(now));
        assert_eq!(expiry("").unwrap(), Some(at("2027-02-22T14:30:00Z")));
        assert_eq!(expiry("30d").unwrap(), Some(at("2026-12-24T14:30:00Z")));
        assert_eq!(expiry("2w").unwrap(), Some(at("2026-12-08T14:30:00Z")));
        assert_eq!(expiry("12h").unwrap(), Some(at("2026-11-25T02:30:00Z")));
        assert_eq!(expiry("P1Y").unwrap(), Some(at("2027-11-24T14:30:00Z")));
        assert_eq!(expiry("never").unwrap(), None);
        for bad in ["soon", "10m", "-5d", "400d", "2y"] {
            let err = expiry(bad).unwrap_err();
            assert_eq!(err.field(), Some("expires_in"), "{bad}: {err}");
        }
    }
}

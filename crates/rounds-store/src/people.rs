//! Sign-in, sessions, API tokens and id counters on [`SqlStore`]: the queries behind the
//! people half of the [`Store`](crate::Store) trait, kept apart from the territory
//! queries they share nothing with.

use rounds_core::model::{OrgId, TouchId, User, UserId};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use rounds_core::audit::{Change, body_digest};

use crate::audit::{self, sign_in_body};
use crate::sql::{SqlStore, commit};
use crate::{ApiToken, Backend, Credentials, IdKind, Session, StoreError};

fn credentials_of(row: &AnyRow) -> Result<Credentials, sqlx::Error> {
    Ok(Credentials {
        org: OrgId(row.try_get(0)?),
        user: UserId(row.try_get(1)?),
        login: row.try_get(2)?,
        password_hash: row.try_get(3)?,
        disabled: row.try_get::<i64, _>(4)? != 0,
    })
}

fn session_of(row: &AnyRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        org: OrgId(row.try_get(0)?),
        user: UserId(row.try_get(1)?),
        csrf: row.try_get(2)?,
        created_at: row.try_get(3)?,
        seen_at: row.try_get(4)?,
    })
}

const CREDENTIAL_COLUMNS: &str = "org_id, user_id, login, password_hash, disabled";

/// The columns [`api_token_of`] reads, with `t` the `api_tokens` table.
const TOKEN_COLUMNS: &str =
    "t.public_id, t.org_id, t.user_id, t.name, t.created_at, t.expires_at, t.last_used_at";

fn api_token_of(row: &AnyRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: row.try_get(0)?,
        org: OrgId(row.try_get(1)?),
        user: UserId(row.try_get(2)?),
        name: row.try_get(3)?,
        created_at: row.try_get(4)?,
        expires_at: row.try_get(5)?,
        last_used_at: row.try_get(6)?,
    })
}

impl SqlStore {
    pub(crate) async fn q_credentials_by_login(
        &self,
        login: &str,
    ) -> Result<Option<Credentials>, StoreError> {
        // No stored login holds a control character (addresses refuse them), and
        // PostgreSQL would fail on a NUL in the parameter rather than find nothing.
        if login.chars().any(char::is_control) {
            return Ok(None);
        }
        let mut conn = self.conn().await?;
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE login = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(login.to_lowercase())
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.as_ref().map(credentials_of).transpose())
            .map_err(StoreError::db("looking up a sign-in"))
    }

    pub(crate) async fn q_credentials(&self, org: OrgId) -> Result<Vec<Credentials>, StoreError> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE org_id = $1 ORDER BY user_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::db("reading sign-ins"))?;
        rows.iter()
            .map(credentials_of)
            .collect::<Result<_, _>>()
            .map_err(StoreError::db("reading sign-ins"))
    }

    pub(crate) async fn q_set_password(
        &self,
        org: OrgId,
        user: UserId,
        login: &str,
        password_hash: &str,
    ) -> Result<u64, StoreError> {
        let login = login.to_lowercase();
        let mut tx = self.write_tx().await?;
        crate::sql::require(&mut tx, org, "user", "users", user.0).await?;
        let taken: Option<(i64, i64)> =
            sqlx::query("SELECT org_id, user_id FROM credentials WHERE login = $1")
                .bind(login.as_str())
                .fetch_optional(&mut *tx)
                .await
                .and_then(|r| r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose())
                .map_err(StoreError::db("checking a sign-in name"))?;
        if taken.is_some_and(|t| t != (org.0, user.0)) {
            return Err(StoreError::Duplicate {
                what: "sign-in",
                id: login,
            });
        }
        let before = sign_in_body(&mut tx, org, user).await?;
        sqlx::query(
            "INSERT INTO credentials (org_id, user_id, login, password_hash, disabled) \
             VALUES ($1, $2, $3, $4, 0) ON CONFLICT (org_id, user_id) \
             DO UPDATE SET login = excluded.login, password_hash = excluded.password_hash",
        )
        .bind(org.0)
        .bind(user.0)
        .bind(login.as_str())
        .bind(password_hash)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db(format!(
            "setting the password of user {user}"
        )))?;
        // A new password signs the user out everywhere: whoever knew the old one keeps
        // no session and no token made with it.
        sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND user_id = $2")
            .bind(org.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("ending sessions"))?;
        let revoked = sqlx::query("DELETE FROM api_tokens WHERE org_id = $1 AND user_id = $2")
            .bind(org.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("revoking API tokens"))?
            .rows_affected();
        let after = sign_in_body(&mut tx, org, user).await?;
        let change = Change::write(
            "sign-in",
            user,
            before.as_deref().map(body_digest),
            after.as_deref().map(body_digest),
        )
        .named("password")
        .with_detail(format!("api-tokens-revoked={revoked}"));
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "credentials").await?;
        Ok(revoked)
    }

    pub(crate) async fn q_set_disabled(
        &self,
        org: OrgId,
        user: UserId,
        disabled: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let before = sign_in_body(&mut tx, org, user).await?;
        let changed =
            sqlx::query("UPDATE credentials SET disabled = $3 WHERE org_id = $1 AND user_id = $2")
                .bind(org.0)
                .bind(user.0)
                .bind(i64::from(disabled))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::db(format!("disabling user {user}")))?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "sign-in of user",
                id: user.0,
            });
        }
        if disabled {
            for table in ["sessions", "api_tokens"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE org_id = $1 AND user_id = $2"
                )))
                .bind(org.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::db(format!("clearing {table} of user {user}")))?;
            }
        }
        let after = sign_in_body(&mut tx, org, user).await?;
        let change = Change::write(
            "sign-in",
            user,
            before.as_deref().map(body_digest),
            after.as_deref().map(body_digest),
        )
        .named(if disabled { "disable" } else { "enable" });
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "credentials").await
    }

    pub(crate) async fn q_create_session(
        &self,
        token_hash: &str,
        session: &Session,
    ) -> Result<(), StoreError> {
        let mut conn = self.write_conn().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, org_id, user_id, csrf, created_at, seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(session.org.0)
        .bind(session.user.0)
        .bind(session.csrf.as_str())
        .bind(session.created_at)
        .bind(session.seen_at)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::db("starting a session"))?;
        Ok(())
    }

    pub(crate) async fn q_session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query(
            "SELECT s.org_id, s.user_id, s.csrf, s.created_at, s.seen_at FROM sessions s \
             JOIN credentials c ON c.org_id = s.org_id AND c.user_id = s.user_id \
             WHERE s.token_hash = $1 AND c.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await
        .and_then(|row| row.as_ref().map(session_of).transpose())
        .map_err(StoreError::db("looking up a session"))
    }

    pub(crate) async fn q_touch_session(
        &self,
        token_hash: &str,
        seen_at: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.write_conn().await?;
        sqlx::query("UPDATE sessions SET seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(seen_at)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::db("refreshing a session"))?;
        Ok(())
    }

    pub(crate) async fn q_delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut conn = self.write_conn().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::db("ending a session"))?;
        Ok(())
    }

    pub(crate) async fn q_delete_stale_sessions(
        &self,
        seen_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError> {
        let mut conn = self.write_conn().await?;
        sqlx::query("DELETE FROM sessions WHERE seen_at < $1 OR created_at < $2")
            .bind(seen_before)
            .bind(created_before)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::db("removing stale sessions"))
    }

    pub(crate) async fn q_create_api_token(
        &self,
        token_hash: &str,
        token: &ApiToken,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        crate::sql::require(&mut tx, token.org, "user", "users", token.user.0).await?;
        // Checked first so a taken id is a `Duplicate` the caller can act on, not a
        // driver error; the unique index still guards concurrent writers.
        let taken = sqlx::query("SELECT 1 FROM api_tokens WHERE public_id = $1")
            .bind(token.id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::db("checking an API token id"))?;
        if taken.is_some() {
            return Err(StoreError::Duplicate {
                what: "API token",
                id: token.id.clone(),
            });
        }
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, public_id, org_id, user_id, name, created_at, \
             expires_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash)
        .bind(token.id.as_str())
        .bind(token.org.0)
        .bind(token.user.0)
        .bind(token.name.as_str())
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(token.last_used_at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("storing an API token"))?;
        // Named by the first 8 hex digits of its hash: enough to tell tokens apart in
        // the log, nothing that could be used to sign in.
        let digest = body_digest(&format!(
            "{}\t{}\t{}",
            token.user, token.name, token.created_at
        ));
        let short = token_hash.get(..8).unwrap_or(token_hash);
        let change = Change::write("api-token", short, None, Some(digest))
            .with_detail(format!("user {}", token.user));
        audit::append(&mut tx, token.org, self.acting(), vec![change]).await?;
        commit(tx, "api_tokens").await
    }

    pub(crate) async fn q_api_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        let mut conn = self.conn().await?;
        // A token works only while its user may sign in: a disabled user's tokens are
        // deleted, and a user without credentials never had a password to lose.
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t \
             JOIN credentials c ON c.org_id = t.org_id AND c.user_id = t.user_id \
             WHERE t.token_hash = $1 AND c.disabled = 0"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.as_ref().map(api_token_of).transpose())
            .map_err(StoreError::db("looking up an API token"))
    }

    /// One row per user of the token's organisation, each carrying the token's columns
    /// (the users' bodies from column 7): the caller and their scope in one round trip.
    pub(crate) async fn q_api_token_with_users(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Vec<User>)>, StoreError> {
        let mut conn = self.conn().await?;
        // The same conditions as `q_api_token`.
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, u.id, u.body FROM api_tokens t \
             JOIN credentials c ON c.org_id = t.org_id AND c.user_id = t.user_id \
             JOIN users u ON u.org_id = t.org_id \
             WHERE t.token_hash = $1 AND c.disabled = 0 ORDER BY u.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::db("looking up an API token"))?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let token = api_token_of(first).map_err(StoreError::db("looking up an API token"))?;
        let users = rows
            .iter()
            .map(|row| crate::tables::decode_at("users", row, 7))
            .collect::<Result<Vec<User>, _>>()?;
        Ok(Some((token, users)))
    }

    pub(crate) async fn q_api_tokens(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        let mut conn = self.conn().await?;
        let of_user = if user.is_some() {
            " AND t.user_id = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.org_id = $1{of_user} \
             ORDER BY t.created_at, t.public_id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.0);
        if let Some(user) = user {
            query = query.bind(user.0);
        }
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::db("listing API tokens"))?;
        rows.iter()
            .map(api_token_of)
            .collect::<Result<_, _>>()
            .map_err(StoreError::db("listing API tokens"))
    }

    pub(crate) async fn q_touch_api_token(
        &self,
        token_hash: &str,
        used_at: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.write_conn().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(used_at)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::db("recording the use of an API token"))?;
        Ok(())
    }

    pub(crate) async fn q_delete_api_token(
        &self,
        org: OrgId,
        id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone: Option<(i64, String, i64)> = sqlx::query_as(
            "DELETE FROM api_tokens WHERE org_id = $1 AND public_id = $2 \
             RETURNING user_id, name, created_at",
        )
        .bind(org.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::db(format!("revoking API token {id}")))?;
        let Some((user, name, created_at)) = gone else {
            return Ok(false);
        };
        // The same digest as the token's creation row, so the pair reads as one token.
        let digest = body_digest(&format!("{user}\t{name}\t{created_at}"));
        let change = Change::write("api-token", id, Some(digest), None)
            .named("revoke")
            .with_detail(format!("user {user}"));
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "api_tokens").await?;
        Ok(true)
    }

    pub(crate) async fn q_next_id(&self, org: OrgId, kind: IdKind) -> Result<i64, StoreError> {
        let mut conn = self.write_conn().await?;
        next_id_in(&mut conn, self.backend(), org, kind).await
    }

    pub(crate) async fn q_reassign_accounts(
        &self,
        org: OrgId,
        from: UserId,
        to: UserId,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        crate::sql::require(&mut tx, org, "user", "users", to.0).await?;
        let moved =
            crate::sql::reassign_in(&mut tx, self.backend(), self.acting(), org, from, to).await?;
        commit(tx, "accounts").await?;
        Ok(moved)
    }

    /// Deletes the touch and the updates of the step it set: a touch logged by mistake
    /// took its promise with it.
    pub(crate) async fn q_delete_touch(&self, org: OrgId, id: TouchId) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(touch) = sqlx::query("SELECT body FROM touches WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .and_then(|r| r.map(|r| r.try_get::<String, _>(0)).transpose())
            .map_err(StoreError::db(format!("reading touch {id}")))?
        else {
            return Ok(false);
        };
        let updates: Vec<(i64, String)> = sqlx::query(
            "SELECT seq, body FROM step_updates WHERE org_id = $1 AND touch_id = $2 ORDER BY seq",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })
        .map_err(StoreError::db(format!(
            "reading the step updates of touch {id}"
        )))?;
        sqlx::query("DELETE FROM step_updates WHERE org_id = $1 AND touch_id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db(format!(
                "deleting the step updates of touch {id}"
            )))?;
        let deleted = sqlx::query("DELETE FROM touches WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map(|r| r.rows_affected() > 0)
            .map_err(StoreError::db(format!("deleting touch {id}")))?;
        let mut changes: Vec<Change> = updates
            .iter()
            .map(|(seq, body)| {
                Change::write(
                    "step-update",
                    format!("{id}/{seq}"),
                    Some(body_digest(body)),
                    None,
                )
            })
            .collect();
        changes.push(Change::write("touch", id, Some(body_digest(&touch)), None));
        audit::append(&mut tx, org, self.acting(), changes).await?;
        crate::sql::commit(tx, "touches").await?;
        Ok(deleted)
    }
}

/// Reserves the next id of a kind on `conn` ([`crate::Store::next_id`]); inside a
/// transaction the counter's row stays locked until it ends.
pub(crate) async fn next_id_in(
    conn: &mut AnyConnection,
    backend: Backend,
    org: OrgId,
    kind: IdKind,
) -> Result<i64, StoreError> {
    let table = match kind {
        IdKind::User => "users",
        IdKind::Account => "accounts",
        IdKind::Contact => "contacts",
        IdKind::Topic => "topics",
        IdKind::Touch => "touches",
        IdKind::TimeOff => "time_off",
        IdKind::Outbox => "outbox",
        IdKind::CaptureReview => "capture_review",
        IdKind::Transfer => "transfers",
    };
    let greatest = match backend {
        Backend::Sqlite => "MAX",
        Backend::Postgres => "GREATEST",
    };
    // One statement, so concurrent callers are serialised by the row lock on the
    // counter and each gets its own id; the MAX over the table keeps the counter
    // above ids that arrived by import.
    let sql = format!(
        "INSERT INTO id_counters (org_id, kind, last_id) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(id), 0) + 1 FROM {table} WHERE org_id = $1)) \
         ON CONFLICT (org_id, kind) DO UPDATE SET \
         last_id = {greatest}(id_counters.last_id + 1, excluded.last_id) RETURNING last_id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .bind(table)
        .fetch_one(conn)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(StoreError::db(format!("finding the next {kind:?} id")))
}

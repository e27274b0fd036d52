//! What can go wrong in the store, said so that the binary can show the user the
//! operation that failed and the database's own reason below it (the `source` chain).

use std::borrow::Cow;

use crate::sql::Backend;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend Rounds supports. Only the scheme is kept, so that a
    /// password in the URL can never reach a message or a log.
    #[error(
        "unsupported database URL scheme `{scheme}`; use `sqlite:PATH` or `postgres://USER@HOST/DB`"
    )]
    UnsupportedUrl { scheme: String },

    /// `url` has any password replaced, for the same reason.
    #[error("could not connect to {url}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("could not bring the {backend} database schema up to date")]
    Migrate {
        backend: Backend,
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    #[error(
        "a PostgreSQL database is backed up with its own tools: pg_dump --format=custom DBNAME > rounds.dump (restore with pg_restore)"
    )]
    BackupUnsupported,

    #[error("the backup path must be valid UTF-8")]
    BackupPath,

    /// A query failed; `doing` says what the store was doing, the source says why.
    #[error("database error while {doing}")]
    Database {
        doing: Cow<'static, str>,
        #[source]
        source: sqlx::Error,
    },

    /// A stored record body no longer parses as the model type: the database was edited
    /// by hand or written by an incompatible version. `id` is the row's id, or for a
    /// table keyed by another record (referral counts, lost and no-fit records) that
    /// record's; 0 if the row could not be found again.
    #[error("stored {table} row {id} is corrupt")]
    Corrupt {
        table: &'static str,
        id: i64,
        #[source]
        source: BodyError,
    },

    /// A record could not be turned into JSON (e.g. a coordinate that is not a number).
    #[error("{what} {id} cannot be stored")]
    Encode {
        what: &'static str,
        id: String,
        #[source]
        source: serde_json::Error,
    },

    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },

    /// The same key twice in one write, or an insert of a key already stored.
    #[error("{what} {id} appears twice")]
    Duplicate { what: &'static str, id: String },

    /// A chunked write whose chunks name different organisations.
    #[error("a chunk of organisation {found} inside the write of organisation {writing}")]
    MixedChunks { writing: i64, found: i64 },

    /// An imported record named a new record of the same import that was never written.
    #[error("an imported record refers to {kind} {id}, which this import did not add")]
    UnknownProvisional { kind: &'static str, id: i64 },

    #[error("contact {contact} belongs to account {belongs_to}, not to account {claimed}")]
    AccountMismatch {
        contact: i64,
        belongs_to: i64,
        claimed: i64,
    },
}

/// Why a stored body did not parse: as JSON, or in the text form of touches and referral
/// counts, where the field at fault is named; or its format version is one this build
/// does not know (a body written by a newer build).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error(transparent)]
    Json(serde_json::Error),
    #[error(
        "format version `{found}` is not known; this build reads versions 0 (bodies without a version) and 1"
    )]
    Version { found: String },
    #[error("field `{field}`: {problem}")]
    Field {
        field: &'static str,
        problem: String,
    },
}

impl StoreError {
    /// A closure for `map_err` that records what was being done.
    pub(crate) fn db(
        doing: impl Into<Cow<'static, str>>,
    ) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Database {
            doing: doing.into(),
            source,
        }
    }
}

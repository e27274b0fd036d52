//! What a use case answers when it cannot do what was asked, said so a user can act on
//! it. Adapters map the variants: `Invalid` → a field error (422 / `--flag: why`),
//! `NotFound` → 404 / "no … with id", `Forbidden` → 403, `Conflict` → 409.

use rounds_core::export::Problem;
use rounds_core::values::FieldProblem;
use rounds_store::StoreError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// One field of the input is wrong; `field` is its path as in the JSON.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },

    /// An import file has problems, by line and field: the first ones (in file order)
    /// and how many in all. Nothing was written.
    #[error("{total} problem(s); nothing was imported")]
    Import {
        problems: Vec<Problem>,
        total: usize,
    },

    /// Files from another system (CSV, a workbook, a mapping) have problems, by file,
    /// row and column: the first ones and how many in all. Nothing was written.
    #[error("{total} problem(s); nothing was imported")]
    Book {
        problems: Vec<rounds_core::book::BookProblem>,
        total: usize,
    },

    /// No such record, or one outside the actor's scope (the two are never told apart).
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },

    /// The actor's role may not do this at all.
    #[error("{0}")]
    Forbidden(String),

    /// The input clashes with what is stored (an e-mail address already in use, a
    /// demo that would replace real data).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },

    /// The store failed; the chain says why.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: impl ToString) -> AppError {
        AppError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// The field at fault, if the error names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<FieldProblem> for AppError {
    fn from(p: FieldProblem) -> AppError {
        AppError::Invalid {
            field: p.field,
            message: p.message,
        }
    }
}

/// The first problem of a record's validation as an error; a form shows one at a time.
pub(crate) fn first_problem(problems: Vec<FieldProblem>) -> Result<()> {
    match problems.into_iter().next() {
        None => Ok(()),
        Some(p) => Err(p.into()),
    }
}

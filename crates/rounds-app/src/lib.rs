//! Rounds' application layer: one function per use case (log a touch, add an account,
//! record a loss, import a file, …), shared by every adapter — the `rounds` command
//! line, the JSON API and the web pages — so that a rule is written once.
//!
//! Each use case takes the store, an [`Actor`] (who asks, and the [`Scope`] of what they
//! may see), a plain input struct and, where time matters, `now`/`today` as arguments:
//! this crate reads no clock and no environment. It knows no HTTP and no flags; the
//! adapters turn requests and flags into inputs and [`AppError`]s into answers.
//!
//! Architecture invariant: no axum, no clap, no clock below this line. Everything
//! outside the actor's scope answers [`AppError::NotFound`], exactly like a record that
//! does not exist.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod book;
pub mod calendar;
pub mod capture;
mod error;
pub mod feed;
pub mod ledger;
pub mod outbox;
pub mod outreach;
pub mod people;
pub mod plan;
pub mod records;
pub mod reports;
mod scope;
pub mod simulate;
pub mod steps;
pub mod tokens;
pub mod topics;
pub mod touches;
pub mod transfer;

pub use error::{AppError, Result};
pub use scope::{Actor, Scope, ScopeKind};

pub use accounts::{
    AccountFilter, AccountInput, ContactFilter, ContactInput, accounts_with_contacts,
    create_account, create_contact, get_account, get_contact, list_accounts, list_contacts,
    update_account, update_contact,
};
pub use audit::{AuditFilter, audit_log, verify_audit};
pub use book::{BookImport, BookSummary, VcardImport, import_book, import_vcards};
pub use calendar::{
    TimeOffInput, WorkWeekInput, add_time_off, calendar_of, list_time_off, remove_time_off,
    set_work_week,
};
pub use capture::{
    CaptureSummary, assign_review, capture_mail, dismiss_review, get_review, list_review,
};
pub use feed::{
    BusyImport, BusyInput, NewFeed, calendar_feed_of, calendar_text, clear_busy, export_calendar,
    feed_path, feed_territory, import_busy, list_busy, new_calendar_feed, revoke_calendar_feed,
};
pub use ledger::{
    AttendeeInput, LedgerFilter, Recorded, TransferInput, get_transfer, ledger_year,
    list_transfers, record_transfer, void_transfer,
};
pub use outreach::{
    TemplateView, coach_draft, coach_text, drafts_for_plan, get_template, list_templates,
    reset_template, save_template, templates_in_use,
};
pub use people::{
    SignIn, UserInput, UserRow, add_user, administered_users, find_user, list_users,
    rep_or_default, set_disabled, set_password,
};
pub use plan::{
    NextForContact, next_for_contact, plan_for, team_territories, territories_in_scope,
    territory_for,
};
pub use records::{
    LostInput, NoFitInput, ReferralImport, ReferralInput, add_referral, add_referrals,
    import_referrals, list_lost, list_referrals, record_loss, record_no_fit,
};
pub use simulate::{SimulationInput, SimulationReport, simulate};
pub use steps::{
    StepFilter, complete_step, edit_step, get_step, list_steps, reschedule_step, skip_step,
};
pub use tokens::{
    NewToken, TokenInput, TokenLifetime, TokenRow, add_token, list_tokens, revoke_token,
};
pub use topics::{TopicInput, create_topic, get_topic, list_topics, update_topic};
pub use touches::{
    TouchFilter, TouchInput, delete_touch, find_contact, get_touch, list_touches, log_touch,
};
pub use transfer::{
    IMPORT_CHUNK_RECORDS, ImportSummary, export, import, import_lines, parse_import, write_demo,
};

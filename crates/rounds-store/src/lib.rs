//! Rounds' storage: the [`Store`] trait the rest of the program talks to, and
//! [`SqlStore`], its one implementation, which runs the same dialect-neutral SQL on
//! SQLite (a local file) and on PostgreSQL (a server), chosen once from the URL.
//!
//! Why one implementation rather than one per backend: through sqlx's `Any` driver with
//! runtime queries and `$1…$N` placeholders, every query in this crate is valid on both
//! databases, so each is written once and the conformance suite
//! (`tests/conformance.rs`) runs unchanged against both. Only the connection set-up, the
//! `BEGIN` statements, the migration files (SQLite clusters touches by account) and the
//! placeholders of the generated bulk `INSERT`s (see `tables::insert_sql` for why)
//! differ per dialect. Record bodies are the same on both (see `body`).
//!
//! Architecture invariant: every row belongs to an organisation and every method takes
//! the [`OrgId`] it works on; nothing here reads or writes across organisations.

mod audit;
mod body;
mod capture;
mod error;
mod external;
mod feeds;
mod ledger;
mod outbox;
mod people;
mod sql;
mod summaries;
mod tables;
mod templates;
mod warm;

use std::future::Future;

use jiff::Timestamp;
use rounds_core::book::{ExternalChunk, ExternalCounts, ExternalId, ExternalKind};
use rounds_core::export::OrgData;
use rounds_core::model::{
    Account, AccountId, BusyTime, Contact, ContactId, LostAccount, NoFit, OrgId, Organisation,
    ReferralCount, RepCalendar, StepUpdate, Territory, TimeOff, TimeOffId, Topic, TopicId, Touch,
    TouchId, User, UserId, WorkWeek,
};

pub use audit::{Acting, AuditPage, AuditQuery};
pub use error::{BodyError, StoreError};
pub use ledger::{Ledger, TransferQuery};
pub use outbox::{Outbox, UnsubscribeTarget};
pub use rounds_core::audit::{AuditActor, AuditBreak, AuditEntry, AuditReport};
pub use sql::{Backend, SqlStore};
pub use summaries::{StoredSummary, Summaries};
pub use warm::WarmCounts;

/// How [`Store::write_org`] treats what is already stored for the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Delete every row of the organisation, then insert the data: the store ends up
    /// holding exactly what was written.
    Replace,
    /// Insert or update each record by its key and leave everything else alone, so
    /// writing the same data twice changes nothing and empty lists touch nothing.
    Merge,
}

/// Said by the input of [`Store::write_org_chunks`] when it turns out bad part-way: the
/// write is rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollback;

/// The kinds of record whose ids [`Store::next_id`] hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    User,
    Account,
    Contact,
    Topic,
    Touch,
    TimeOff,
    /// A message of the outbox.
    Outbox,
    CaptureReview,
    /// A transfer of value in the ledger (P14).
    Transfer,
}

/// One captured message's write (see [`Store::write_capture`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureWrite {
    pub message_id: String,
    /// When it was captured.
    pub at: Timestamp,
    /// The touches it logs, their ids taken from the counters.
    pub touches: Vec<Touch>,
    /// The steps those touches complete.
    pub steps: Vec<StepUpdate>,
    pub review: Vec<NewReview>,
}

/// A party of a captured message for the review list; `id` from the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    pub id: i64,
    /// The user the mail came from or went to: who sees the item.
    pub user: Option<UserId>,
    pub entry: rounds_core::capture::ReviewEntry,
    pub reason: rounds_core::capture::ReviewReason,
}

/// An item of the capture review list, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub id: i64,
    pub received_at: Timestamp,
    pub message_id: String,
    pub user: Option<UserId>,
    pub entry: rounds_core::capture::ReviewEntry,
    pub reason: rounds_core::capture::ReviewReason,
    pub state: rounds_core::capture::ReviewState,
    /// Set once assigned: the contact chosen and the touch logged.
    pub contact: Option<ContactId>,
    pub touch: Option<TouchId>,
}

/// What becomes of an open review item.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewResolution {
    /// Logged as `touch`, completing `step` if any.
    Assign {
        touch: Box<Touch>,
        step: Option<StepUpdate>,
    },
    Dismiss,
}

/// How many rows an organisation has in each table; for status output and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub users: u64,
    pub accounts: u64,
    pub contacts: u64,
    pub topics: u64,
    pub touches: u64,
    pub referrals: u64,
    pub lost: u64,
    pub no_fits: u64,
}

/// A user's sign-in: the name they sign in with and their password's argon2id PHC
/// string. Users without one cannot sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub org: OrgId,
    pub user: UserId,
    /// The lower-cased e-mail address, unique across organisations.
    pub login: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// A signed-in browser. Stored under the SHA-256 of the cookie's value, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub org: OrgId,
    pub user: UserId,
    /// The token every form of this session must carry back.
    pub csrf: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// Epoch seconds of the last request.
    pub seen_at: i64,
}

/// A user's calendar feed: the plan as an iCalendar address their calendar subscribes
/// to. Stored under the SHA-256 of the secret in the address, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub org: OrgId,
    pub user: UserId,
    /// Epoch seconds.
    pub created_at: i64,
}

/// A message template the organisation wrote in place of a built-in one (P47).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub template: rounds_core::outreach::Template,
    /// Epoch seconds.
    pub updated_at: i64,
    /// `None` when the local command line saved it.
    pub updated_by: Option<UserId>,
}

/// What replacing a calendar's busy times did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusyChange {
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// A token for scripts. Stored under the SHA-256 of the token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The name lists and revocation use: the first 8 hex digits of the token's hash,
    /// unique across organisations.
    pub id: String,
    pub org: OrgId,
    pub user: UserId,
    pub name: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// Epoch seconds from which the token no longer works; `None`: it never expires.
    pub expires_at: Option<i64>,
    /// Epoch seconds of the last request made with it (written at most once a minute).
    pub last_used_at: Option<i64>,
}

impl ApiToken {
    /// Whether the token has stopped working at `now` (epoch seconds).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// Everything the program stores and loads. Lists come back sorted (by id unless a
/// method says otherwise) so that output built from them is deterministic.
///
/// Every write method appends the audit rows of what it changed in its own transaction
/// (see `audit.rs`): one row per record written, created or deleted, and one summary
/// row per [`Store::write_org`] (counts and a digest of every body written), naming the
/// actor and time the handle was bound to with [`SqlStore::acting_as`].
///
/// The methods return `Send` futures so a web server can hold a store in shared state.
pub trait Store {
    /// Every organisation, by id.
    fn organisations(&self) -> impl Future<Output = Result<Vec<Organisation>, StoreError>> + Send;

    /// Writes a whole organisation (or, with [`WriteMode::Merge`], a part of one) in one
    /// transaction: on any error nothing at all is written. Input with two records of
    /// the same key is refused before anything is written.
    fn write_org(
        &self,
        data: &OrgData,
        mode: WriteMode,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes an organisation that arrives in chunks (a large import, read while it is
    /// written) in one transaction, as [`Store::write_org`] would write them together:
    /// memory holds one chunk at a time. Every chunk names the same organisation and
    /// refers only to records in itself or in earlier chunks. An `Err(Rollback)` from
    /// `chunks` rolls everything back and answers `Ok(false)`; `Ok(true)` means written.
    fn write_org_chunks<I>(
        &self,
        mode: WriteMode,
        chunks: &mut I,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send
    where
        I: Iterator<Item = Result<OrgData, Rollback>> + Send;

    /// The links of one kind of record imported from `source`, by external id.
    fn external_ids(
        &self,
        org: OrgId,
        source: &str,
        kind: ExternalKind,
    ) -> impl Future<Output = Result<Vec<ExternalId>, StoreError>> + Send;

    /// Writes an import from another system in one transaction: each record whose link
    /// (`source`, kind, external id) is stored with the same digest is left alone, one
    /// with another digest is updated under its Rounds id, an unlinked one with a positive id
    /// (matched by the importer to a stored record) is updated and linked, a new one gets the next ids
    /// of the organisation's counters (records that name it by its provisional negative
    /// id are given the real one). `dry_run` decides and counts the same, then rolls
    /// back. An `Err(Rollback)` from `chunks` rolls everything back and answers `None`.
    /// One audit row sums up a run that changed something. Each external id of a kind
    /// comes at most once per run (the caller refuses repeats): the store looks up only
    /// the links stored before the run.
    fn write_external<I>(
        &self,
        org: OrgId,
        source: &str,
        dry_run: bool,
        chunks: &mut I,
    ) -> impl Future<Output = Result<Option<ExternalCounts>, StoreError>> + Send
    where
        I: Iterator<Item = Result<ExternalChunk, Rollback>> + Send;

    /// The whole organisation, every list sorted by its key (touches by id), read from
    /// one consistent snapshot.
    fn export(&self, org: OrgId) -> impl Future<Output = Result<OrgData, StoreError>> + Send;

    /// Rows per table, for status output.
    fn row_counts(&self, org: OrgId) -> impl Future<Output = Result<RowCounts, StoreError>> + Send;

    fn users(&self, org: OrgId) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;

    /// Inserts or updates a user; the organisation must exist.
    fn save_user(
        &self,
        org: OrgId,
        user: &User,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// What one rep's plan is computed from: the accounts whose rep this is, their
    /// contacts, the touches on those accounts (by whoever logged them), the referral
    /// counts of those contacts, the lost and no-fit records of those accounts and every
    /// topic of the organisation. Touches are sorted by (at, id), referrals by (contact,
    /// day), lost and no-fit records by account, the rest by id.
    fn territory(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<Territory, StoreError>> + Send;

    /// The rows of [`Store::territory`], shared rather than copied: a store may keep
    /// territories between calls and bring a kept one up to date instead of reading it
    /// again (`SqlStore` does, checked against the audit chain on every call). For
    /// whoever plans a rep again and again, as a server does.
    fn shared_territory(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<std::sync::Arc<Territory>, StoreError>> + Send;

    /// Every territory of the organisation at once, from one scan of each table, by user
    /// id. Every user with the rep role appears, with an empty territory if they hold no
    /// accounts; a user of another role appears only if accounts are assigned to them.
    fn all_territories(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<Vec<(UserId, Territory)>, StoreError>> + Send;

    /// The organisation's accounts, or only those of one rep.
    fn accounts(
        &self,
        org: OrgId,
        rep: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<Account>, StoreError>> + Send;

    fn account(
        &self,
        org: OrgId,
        id: AccountId,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Inserts or updates an account; its rep must be a user of the organisation.
    fn save_account(
        &self,
        org: OrgId,
        account: &Account,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The organisation's contacts, or only those of one account.
    fn contacts(
        &self,
        org: OrgId,
        account: Option<AccountId>,
    ) -> impl Future<Output = Result<Vec<Contact>, StoreError>> + Send;

    fn contact(
        &self,
        org: OrgId,
        id: ContactId,
    ) -> impl Future<Output = Result<Option<Contact>, StoreError>> + Send;

    /// Inserts or updates a contact; its account must exist.
    fn save_contact(
        &self,
        org: OrgId,
        contact: &Contact,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn topics(&self, org: OrgId) -> impl Future<Output = Result<Vec<Topic>, StoreError>> + Send;

    fn topic(
        &self,
        org: OrgId,
        id: TopicId,
    ) -> impl Future<Output = Result<Option<Topic>, StoreError>> + Send;

    /// Inserts or updates a topic; the organisation must exist.
    fn save_topic(
        &self,
        org: OrgId,
        topic: &Topic,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Logs a new touch. Its contact and rep must exist and the contact must belong to
    /// the touch's account; a touch id already used is refused.
    fn add_touch(
        &self,
        org: OrgId,
        touch: &Touch,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Logs a new touch as [`Store::add_touch`] does, under the next touch id (see
    /// [`Store::next_id`]) reserved inside the same transaction, and answers that id;
    /// `touch.id` is ignored. One transaction where `next_id` then `add_touch` take two.
    fn add_new_touch(
        &self,
        org: OrgId,
        touch: &Touch,
    ) -> impl Future<Output = Result<TouchId, StoreError>> + Send;

    /// Appends an update to the next step set by `update.touch`. The touch must exist in
    /// `update.account` (else `NotFound` touch) and the user who made it must exist; an
    /// update number already used for that step is refused (`Duplicate`), so two
    /// writers who read the same history cannot both append unnoticed.
    fn add_step_update(
        &self,
        org: OrgId,
        update: &StepUpdate,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The updates of the step set by `touch`, oldest (lowest `seq`) first.
    fn step_updates(
        &self,
        org: OrgId,
        touch: TouchId,
    ) -> impl Future<Output = Result<Vec<StepUpdate>, StoreError>> + Send;

    /// One contact's touches, sorted by (at, id).
    fn touches_for_contact(
        &self,
        org: OrgId,
        contact: ContactId,
    ) -> impl Future<Output = Result<Vec<Touch>, StoreError>> + Send;

    /// Stores the referral count of a contact on a day, replacing any earlier count for
    /// that contact and day.
    fn add_referral(
        &self,
        org: OrgId,
        referral: &ReferralCount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The referral counts of these contacts, every day, by contact then day: what a
    /// bulk import compares with, without reading the organisation's touches.
    fn referral_counts(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> impl Future<Output = Result<Vec<ReferralCount>, StoreError>> + Send;

    /// Adds `add` referrals to a contact's count on `day` (a day without a count starts
    /// at 0), atomically: two liaisons adding at once both count. Refused, with nothing
    /// written, when the day's total would pass `most` (`Err` holds the day's count).
    fn add_to_referral(
        &self,
        org: OrgId,
        contact: ContactId,
        day: jiff::civil::Date,
        add: u32,
        most: u32,
    ) -> impl Future<Output = Result<Result<ReferralCount, u32>, StoreError>> + Send;

    /// The loss recorded for one account, if any (with its earlier losses).
    fn lost(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> impl Future<Output = Result<Option<LostAccount>, StoreError>> + Send;

    /// Stores why an account was lost and sets its status to lost, together.
    fn record_lost(
        &self,
        org: OrgId,
        lost: &LostAccount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores why an account is no fit and sets its status to no-fit, together.
    fn record_no_fit(
        &self,
        org: OrgId,
        no_fit: &NoFit,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One rep's own week and time off (time off by start day), as the planner reads
    /// them in [`Store::territory`].
    fn calendar(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<RepCalendar, StoreError>> + Send;

    /// Sets a rep's own week, replacing the one before; the rep must exist.
    fn save_work_week(
        &self,
        org: OrgId,
        week: &WorkWeek,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Inserts or updates a period of time off; the rep must exist.
    fn save_time_off(
        &self,
        org: OrgId,
        time_off: &TimeOff,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Time off of the organisation, or of one rep, by start day then id.
    fn time_off(
        &self,
        org: OrgId,
        rep: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<TimeOff>, StoreError>> + Send;

    /// Deletes a period of time off; false if there was none with that id.
    fn delete_time_off(
        &self,
        org: OrgId,
        id: TimeOffId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Reserves the next id of a kind: above every id in use and above every id handed
    /// out before (1 for none). Concurrent callers always get different ids; an id
    /// reserved and never used leaves a gap.
    fn next_id(
        &self,
        org: OrgId,
        kind: IdKind,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// One account, if it exists and its rep is one of `reps` (`None`: any rep).
    ///
    /// The scoped reads answer a missing record and one outside `reps` alike, with one
    /// query that filters by rep in SQL, so neither the answer nor the work done (and so
    /// the time taken) tells a caller whether an id outside their scope exists.
    fn scoped_account(
        &self,
        org: OrgId,
        id: AccountId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// One contact with its account, if the account's rep is one of `reps` (`None`: any
    /// rep); one query, like [`Store::scoped_account`].
    fn scoped_contact(
        &self,
        org: OrgId,
        id: ContactId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<(Contact, Account)>, StoreError>> + Send;

    /// One touch with its contact and account, if the account's rep is one of `reps`
    /// (`None`: any rep); one query, like [`Store::scoped_account`].
    fn scoped_touch(
        &self,
        org: OrgId,
        id: TouchId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<(Touch, Contact, Account)>, StoreError>> + Send;

    /// One touch, by id.
    fn touch(
        &self,
        org: OrgId,
        id: TouchId,
    ) -> impl Future<Output = Result<Option<Touch>, StoreError>> + Send;

    /// One account's touches, sorted by (at, id).
    fn touches_for_account(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> impl Future<Output = Result<Vec<Touch>, StoreError>> + Send;

    /// Deletes a touch logged by mistake, with the updates of its step; false if there
    /// was none with that id.
    fn delete_touch(
        &self,
        org: OrgId,
        id: TouchId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Hands every account of `from` to `to` in one transaction (a territory changing
    /// hands); returns how many moved.
    fn reassign_accounts(
        &self,
        org: OrgId,
        from: UserId,
        to: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The sign-in whose login is `login` (compared lower-cased), in any organisation.
    fn credentials_by_login(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<Option<Credentials>, StoreError>> + Send;

    /// Every sign-in of the organisation, by user id.
    fn credentials(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<Vec<Credentials>, StoreError>> + Send;

    /// Sets (or first creates) a user's password and login, keeping the disabled flag,
    /// ends the user's sessions and revokes their API tokens, together; returns how many
    /// tokens were revoked. A login used by another user is refused.
    fn set_password(
        &self,
        org: OrgId,
        user: UserId,
        login: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Disables or re-enables a sign-in; disabling also ends the user's sessions and
    /// deletes their API tokens.
    fn set_disabled(
        &self,
        org: OrgId,
        user: UserId,
        disabled: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn create_session(
        &self,
        token_hash: &str,
        session: &Session,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The session stored under `token_hash`, unless its user is disabled.
    fn session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// Records a request on the session, for the idle timeout.
    fn touch_session(
        &self,
        token_hash: &str,
        seen_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn delete_session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes sessions idle since before `seen_before` or started before
    /// `created_before`; returns how many.
    fn delete_stale_sessions(
        &self,
        seen_before: i64,
        created_before: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Stores a new API token; its user must exist. A `token.id` already used (by any
    /// organisation) is refused with `Duplicate`, so the caller can make another token.
    fn create_api_token(
        &self,
        token_hash: &str,
        token: &ApiToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The API token stored under `token_hash`, expired or not, unless its user is
    /// disabled or has no sign-in.
    fn api_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<ApiToken>, StoreError>> + Send;

    /// What [`Store::api_token`] answers, with every user of the token's organisation
    /// (its own user among them) by id, in one query: what a request needs to know its
    /// caller and the caller's scope.
    fn api_token_with_users(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<(ApiToken, Vec<User>)>, StoreError>> + Send;

    /// Rows of the organisation's audit log, newest first, with how many match.
    fn audit_log(
        &self,
        org: OrgId,
        query: &AuditQuery,
    ) -> impl Future<Output = Result<AuditPage, StoreError>> + Send;

    /// Walks the organisation's audit chain and rechecks the records it describes: every
    /// altered, missing or renumbered row, and every record changed without a row.
    fn audit_verify(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<AuditReport, StoreError>> + Send;

    /// The organisation's API tokens, or one user's, expired ones included, by creation
    /// time then id.
    fn api_tokens(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<ApiToken>, StoreError>> + Send;

    /// Records a request made with the token stored under `token_hash`.
    fn touch_api_token(
        &self,
        token_hash: &str,
        used_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes the organisation's API token `id`; false if it has none by that id.
    fn delete_api_token(
        &self,
        org: OrgId,
        id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Makes `user`'s calendar feed, stored under `token_hash`, replacing the one before
    /// (whose address stops working); the user must exist.
    fn save_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        created_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The feed stored under `token_hash`, in any organisation, while its user may sign
    /// in (or has no sign-in at all).
    fn calendar_feed(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<CalendarFeed>, StoreError>> + Send;

    /// `user`'s feed, if they have one.
    fn calendar_feed_of(
        &self,
        org: OrgId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<CalendarFeed>, StoreError>> + Send;

    /// Deletes `user`'s feed (its address stops working); false if there was none.
    fn delete_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Makes `busy` what the calendar `source` of `rep` holds between `from` and `to`:
    /// rows of that source overlapping the window and not in `busy` go, rows of `busy`
    /// not yet stored come, the rest stay untouched (so the same file twice changes
    /// nothing). The rep must exist.
    fn replace_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: &str,
        window: (Timestamp, Timestamp),
        busy: &[BusyTime],
    ) -> impl Future<Output = Result<BusyChange, StoreError>> + Send;

    /// One rep's busy times, by start.
    fn busy_times(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<Vec<BusyTime>, StoreError>> + Send;

    /// The organisation's own templates (the kinds it replaced), by kind.
    fn templates(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<Vec<StoredTemplate>, StoreError>> + Send;

    /// Stores the organisation's own template of its kind, replacing the one before;
    /// `by`, if any, must be a user of the organisation.
    fn save_template(
        &self,
        org: OrgId,
        template: &rounds_core::outreach::Template,
        at: i64,
        by: Option<UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes the organisation's own template of `kind` (the built-in one applies
    /// again); false if it had none.
    fn delete_template(
        &self,
        org: OrgId,
        kind: rounds_core::outreach::TemplateKind,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes one rep's busy times, of one source or all; how many went.
    fn clear_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: Option<&str>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The touches logged from the message `message_id` (empty if it was captured but
    /// logged none), or `None` if it was never captured.
    fn captured_mail(
        &self,
        org: OrgId,
        message_id: &str,
    ) -> impl Future<Output = Result<Option<Vec<TouchId>>, StoreError>> + Send;

    /// Writes one captured message in one transaction: its Message-ID, its touches (each
    /// checked like [`Store::add_touch`]), the steps they complete and its review items,
    /// with their audit rows. False, and nothing written, if the Message-ID was captured
    /// before.
    fn write_capture(
        &self,
        org: OrgId,
        capture: &CaptureWrite,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The capture review list, in one state or all, oldest first.
    fn review_items(
        &self,
        org: OrgId,
        state: Option<rounds_core::capture::ReviewState>,
    ) -> impl Future<Output = Result<Vec<ReviewItem>, StoreError>> + Send;

    fn review_item(
        &self,
        org: OrgId,
        id: i64,
    ) -> impl Future<Output = Result<Option<ReviewItem>, StoreError>> + Send;

    /// Assigns or dismisses an open review item in one transaction (an assignment writes
    /// its touch and step and links the touch to the message); false if the item is not
    /// open (or missing).
    fn resolve_review(
        &self,
        org: OrgId,
        id: i64,
        resolution: &ReviewResolution,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

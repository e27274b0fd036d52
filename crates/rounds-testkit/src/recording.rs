//! A store that notes every call a use case makes, for tests that compare the work two
//! requests cause (an id outside the caller's scope must cost what a missing id costs:
//! the same calls, in the same order).

use std::future::Future;
use std::sync::Mutex;

use jiff::Timestamp;
use rounds_core::export::OrgData;
use rounds_core::model::{
    Account, AccountId, BusyTime, Contact, ContactId, LostAccount, NoFit, OrgId, Organisation,
    ReferralCount, RepCalendar, StepUpdate, Territory, TimeOff, TimeOffId, Topic, TopicId, Touch,
    TouchId, User, UserId, WorkWeek,
};
use rounds_store::{
    ApiToken, AuditPage, AuditQuery, AuditReport, BusyChange, CalendarFeed, CaptureWrite,
    Credentials, IdKind, ReviewItem, ReviewResolution, Rollback, RowCounts, Session, SqlStore,
    Store, StoreError, WriteMode,
};

/// [`SqlStore`] with a log of the methods called on it, by name.
#[derive(Debug)]
pub struct Recording<'a> {
    inner: &'a SqlStore,
    calls: Mutex<Vec<&'static str>>,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a SqlStore) -> Recording<'a> {
        Recording {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The calls so far, and a fresh log.
    pub fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn note(&self, call: &'static str) {
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(call);
    }
}

impl Store for Recording<'_> {
    fn organisations(&self) -> impl Future<Output = Result<Vec<Organisation>, StoreError>> + Send {
        self.note("organisations");
        self.inner.organisations()
    }

    fn write_org(
        &self,
        data: &OrgData,
        mode: WriteMode,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("write_org");
        self.inner.write_org(data, mode)
    }

    fn write_org_chunks<I>(
        &self,
        mode: WriteMode,
        chunks: &mut I,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send
    where
        I: Iterator<Item = Result<OrgData, Rollback>> + Send,
    {
        self.note("write_org_chunks");
        self.inner.write_org_chunks(mode, chunks)
    }

    fn external_ids(
        &self,
        org: OrgId,
        source: &str,
        kind: rounds_core::book::ExternalKind,
    ) -> impl Future<Output = Result<Vec<rounds_core::book::ExternalId>, StoreError>> + Send {
        self.note("external_ids");
        self.inner.external_ids(org, source, kind)
    }

    fn write_external<I>(
        &self,
        org: OrgId,
        source: &str,
        dry_run: bool,
        chunks: &mut I,
    ) -> impl Future<Output = Result<Option<rounds_core::book::ExternalCounts>, StoreError>> + Send
    where
        I: Iterator<Item = Result<rounds_core::book::ExternalChunk, Rollback>> + Send,
    {
        self.note("write_external");
        self.inner.write_external(org, source, dry_run, chunks)
    }

    fn audit_log(
        &self,
        org: OrgId,
        query: &AuditQuery,
    ) -> impl Future<Output = Result<AuditPage, StoreError>> + Send {
        self.note("audit_log");
        self.inner.audit_log(org, query)
    }

    fn audit_verify(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<AuditReport, StoreError>> + Send {
        self.note("audit_verify");
        self.inner.audit_verify(org)
    }

    fn api_tokens(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<ApiToken>, StoreError>> + Send {
        self.note("api_tokens");
        self.inner.api_tokens(org, user)
    }

    fn touch_api_token(
        &self,
        token_hash: &str,
        used_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("touch_api_token");
        self.inner.touch_api_token(token_hash, used_at)
    }

    fn delete_api_token(
        &self,
        org: OrgId,
        id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("delete_api_token");
        self.inner.delete_api_token(org, id)
    }

    fn save_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        created_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_calendar_feed");
        self.inner
            .save_calendar_feed(org, user, token_hash, created_at)
    }

    fn calendar_feed(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<CalendarFeed>, StoreError>> + Send {
        self.note("calendar_feed");
        self.inner.calendar_feed(token_hash)
    }

    fn calendar_feed_of(
        &self,
        org: OrgId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<CalendarFeed>, StoreError>> + Send {
        self.note("calendar_feed_of");
        self.inner.calendar_feed_of(org, user)
    }

    fn delete_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("delete_calendar_feed");
        self.inner.delete_calendar_feed(org, user)
    }

    fn templates(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<Vec<rounds_store::StoredTemplate>, StoreError>> + Send {
        self.note("templates");
        self.inner.templates(org)
    }

    fn save_template(
        &self,
        org: OrgId,
        template: &rounds_core::outreach::Template,
        at: i64,
        by: Option<UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_template");
        self.inner.save_template(org, template, at, by)
    }

    fn delete_template(
        &self,
        org: OrgId,
        kind: rounds_core::outreach::TemplateKind,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("delete_template");
        self.inner.delete_template(org, kind)
    }

    fn replace_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: &str,
        window: (Timestamp, Timestamp),
        busy: &[BusyTime],
    ) -> impl Future<Output = Result<BusyChange, StoreError>> + Send {
        self.note("replace_busy_times");
        self.inner
            .replace_busy_times(org, rep, source, window, busy)
    }

    fn busy_times(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<Vec<BusyTime>, StoreError>> + Send {
        self.note("busy_times");
        self.inner.busy_times(org, rep)
    }

    fn clear_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: Option<&str>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        self.note("clear_busy_times");
        self.inner.clear_busy_times(org, rep, source)
    }

    fn export(&self, org: OrgId) -> impl Future<Output = Result<OrgData, StoreError>> + Send {
        self.note("export");
        self.inner.export(org)
    }

    fn row_counts(&self, org: OrgId) -> impl Future<Output = Result<RowCounts, StoreError>> + Send {
        self.note("row_counts");
        self.inner.row_counts(org)
    }

    fn users(&self, org: OrgId) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send {
        self.note("users");
        self.inner.users(org)
    }

    fn save_user(
        &self,
        org: OrgId,
        user: &User,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_user");
        self.inner.save_user(org, user)
    }

    fn territory(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<Territory, StoreError>> + Send {
        self.note("territory");
        self.inner.territory(org, rep)
    }

    fn shared_territory(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<std::sync::Arc<Territory>, StoreError>> + Send {
        self.note("territory");
        self.inner.shared_territory(org, rep)
    }

    fn all_territories(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<Vec<(UserId, Territory)>, StoreError>> + Send {
        self.note("all_territories");
        self.inner.all_territories(org)
    }

    fn accounts(
        &self,
        org: OrgId,
        rep: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<Account>, StoreError>> + Send {
        self.note("accounts");
        self.inner.accounts(org, rep)
    }

    fn account(
        &self,
        org: OrgId,
        id: AccountId,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send {
        self.note("account");
        self.inner.account(org, id)
    }

    fn save_account(
        &self,
        org: OrgId,
        account: &Account,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_account");
        self.inner.save_account(org, account)
    }

    fn contacts(
        &self,
        org: OrgId,
        account: Option<AccountId>,
    ) -> impl Future<Output = Result<Vec<Contact>, StoreError>> + Send {
        self.note("contacts");
        self.inner.contacts(org, account)
    }

    fn contact(
        &self,
        org: OrgId,
        id: ContactId,
    ) -> impl Future<Output = Result<Option<Contact>, StoreError>> + Send {
        self.note("contact");
        self.inner.contact(org, id)
    }

    fn save_contact(
        &self,
        org: OrgId,
        contact: &Contact,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_contact");
        self.inner.save_contact(org, contact)
    }

    fn topics(&self, org: OrgId) -> impl Future<Output = Result<Vec<Topic>, StoreError>> + Send {
        self.note("topics");
        self.inner.topics(org)
    }

    fn topic(
        &self,
        org: OrgId,
        id: TopicId,
    ) -> impl Future<Output = Result<Option<Topic>, StoreError>> + Send {
        self.note("topic");
        self.inner.topic(org, id)
    }

    fn save_topic(
        &self,
        org: OrgId,
        topic: &Topic,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_topic");
        self.inner.save_topic(org, topic)
    }

    fn add_new_touch(
        &self,
        org: OrgId,
        touch: &Touch,
    ) -> impl Future<Output = Result<TouchId, StoreError>> + Send {
        self.note("add_new_touch");
        self.inner.add_new_touch(org, touch)
    }

    fn api_token_with_users(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<(ApiToken, Vec<User>)>, StoreError>> + Send {
        self.note("api_token_with_users");
        self.inner.api_token_with_users(token_hash)
    }

    fn add_touch(
        &self,
        org: OrgId,
        touch: &Touch,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("add_touch");
        self.inner.add_touch(org, touch)
    }

    fn add_step_update(
        &self,
        org: OrgId,
        update: &StepUpdate,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("add_step_update");
        self.inner.add_step_update(org, update)
    }

    fn step_updates(
        &self,
        org: OrgId,
        touch: TouchId,
    ) -> impl Future<Output = Result<Vec<StepUpdate>, StoreError>> + Send {
        self.note("step_updates");
        self.inner.step_updates(org, touch)
    }

    fn touches_for_contact(
        &self,
        org: OrgId,
        contact: ContactId,
    ) -> impl Future<Output = Result<Vec<Touch>, StoreError>> + Send {
        self.note("touches_for_contact");
        self.inner.touches_for_contact(org, contact)
    }

    fn add_referral(
        &self,
        org: OrgId,
        referral: &ReferralCount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("add_referral");
        self.inner.add_referral(org, referral)
    }

    fn referral_counts(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> impl Future<Output = Result<Vec<ReferralCount>, StoreError>> + Send {
        self.note("referral_counts");
        self.inner.referral_counts(org, contacts)
    }

    fn add_to_referral(
        &self,
        org: OrgId,
        contact: ContactId,
        day: jiff::civil::Date,
        add: u32,
        most: u32,
    ) -> impl Future<Output = Result<Result<ReferralCount, u32>, StoreError>> + Send {
        self.note("add_to_referral");
        self.inner.add_to_referral(org, contact, day, add, most)
    }

    fn lost(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> impl Future<Output = Result<Option<LostAccount>, StoreError>> + Send {
        self.note("lost");
        self.inner.lost(org, account)
    }

    fn record_lost(
        &self,
        org: OrgId,
        lost: &LostAccount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("record_lost");
        self.inner.record_lost(org, lost)
    }

    fn record_no_fit(
        &self,
        org: OrgId,
        no_fit: &NoFit,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("record_no_fit");
        self.inner.record_no_fit(org, no_fit)
    }

    fn calendar(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> impl Future<Output = Result<RepCalendar, StoreError>> + Send {
        self.note("calendar");
        self.inner.calendar(org, rep)
    }

    fn save_work_week(
        &self,
        org: OrgId,
        week: &WorkWeek,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_work_week");
        self.inner.save_work_week(org, week)
    }

    fn save_time_off(
        &self,
        org: OrgId,
        time_off: &TimeOff,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("save_time_off");
        self.inner.save_time_off(org, time_off)
    }

    fn time_off(
        &self,
        org: OrgId,
        rep: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<TimeOff>, StoreError>> + Send {
        self.note("time_off");
        self.inner.time_off(org, rep)
    }

    fn delete_time_off(
        &self,
        org: OrgId,
        id: TimeOffId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("delete_time_off");
        self.inner.delete_time_off(org, id)
    }

    fn next_id(
        &self,
        org: OrgId,
        kind: IdKind,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send {
        self.note("next_id");
        self.inner.next_id(org, kind)
    }

    fn scoped_account(
        &self,
        org: OrgId,
        id: AccountId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send {
        self.note("scoped_account");
        self.inner.scoped_account(org, id, reps)
    }

    fn scoped_contact(
        &self,
        org: OrgId,
        id: ContactId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<(Contact, Account)>, StoreError>> + Send {
        self.note("scoped_contact");
        self.inner.scoped_contact(org, id, reps)
    }

    fn scoped_touch(
        &self,
        org: OrgId,
        id: TouchId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<(Touch, Contact, Account)>, StoreError>> + Send {
        self.note("scoped_touch");
        self.inner.scoped_touch(org, id, reps)
    }

    fn touch(
        &self,
        org: OrgId,
        id: TouchId,
    ) -> impl Future<Output = Result<Option<Touch>, StoreError>> + Send {
        self.note("touch");
        self.inner.touch(org, id)
    }

    fn touches_for_account(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> impl Future<Output = Result<Vec<Touch>, StoreError>> + Send {
        self.note("touches_for_account");
        self.inner.touches_for_account(org, account)
    }

    fn delete_touch(
        &self,
        org: OrgId,
        id: TouchId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("delete_touch");
        self.inner.delete_touch(org, id)
    }

    fn reassign_accounts(
        &self,
        org: OrgId,
        from: UserId,
        to: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        self.note("reassign_accounts");
        self.inner.reassign_accounts(org, from, to)
    }

    fn credentials_by_login(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<Option<Credentials>, StoreError>> + Send {
        self.note("credentials_by_login");
        self.inner.credentials_by_login(login)
    }

    fn credentials(
        &self,
        org: OrgId,
    ) -> impl Future<Output = Result<Vec<Credentials>, StoreError>> + Send {
        self.note("credentials");
        self.inner.credentials(org)
    }

    fn set_password(
        &self,
        org: OrgId,
        user: UserId,
        login: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        self.note("set_password");
        self.inner.set_password(org, user, login, password_hash)
    }

    fn set_disabled(
        &self,
        org: OrgId,
        user: UserId,
        disabled: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("set_disabled");
        self.inner.set_disabled(org, user, disabled)
    }

    fn create_session(
        &self,
        token_hash: &str,
        session: &Session,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("create_session");
        self.inner.create_session(token_hash, session)
    }

    fn session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send {
        self.note("session");
        self.inner.session(token_hash)
    }

    fn touch_session(
        &self,
        token_hash: &str,
        seen_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("touch_session");
        self.inner.touch_session(token_hash, seen_at)
    }

    fn delete_session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("delete_session");
        self.inner.delete_session(token_hash)
    }

    fn delete_stale_sessions(
        &self,
        seen_before: i64,
        created_before: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        self.note("delete_stale_sessions");
        self.inner
            .delete_stale_sessions(seen_before, created_before)
    }

    fn create_api_token(
        &self,
        token_hash: &str,
        token: &ApiToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.note("create_api_token");
        self.inner.create_api_token(token_hash, token)
    }

    fn api_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<ApiToken>, StoreError>> + Send {
        self.note("api_token");
        self.inner.api_token(token_hash)
    }

    fn captured_mail(
        &self,
        org: OrgId,
        message_id: &str,
    ) -> impl Future<Output = Result<Option<Vec<TouchId>>, StoreError>> + Send {
        self.note("captured_mail");
        self.inner.captured_mail(org, message_id)
    }

    fn write_capture(
        &self,
        org: OrgId,
        capture: &CaptureWrite,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("write_capture");
        self.inner.write_capture(org, capture)
    }

    fn review_items(
        &self,
        org: OrgId,
        state: Option<rounds_core::capture::ReviewState>,
    ) -> impl Future<Output = Result<Vec<ReviewItem>, StoreError>> + Send {
        self.note("review_items");
        self.inner.review_items(org, state)
    }

    fn review_item(
        &self,
        org: OrgId,
        id: i64,
    ) -> impl Future<Output = Result<Option<ReviewItem>, StoreError>> + Send {
        self.note("review_item");
        self.inner.review_item(org, id)
    }

    fn resolve_review(
        &self,
        org: OrgId,
        id: i64,
        resolution: &ReviewResolution,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.note("resolve_review");
        self.inner.resolve_review(org, id, resolution)
    }
}

//! What to generate: [`DemoSpec`], the demo organisation's id and each rep's id ranges.

use jiff::civil::Date;
use rounds_core::model::{InvalidValue, OrgId, UserId};

/// The demo organisation is always the first one, so `rounds demo` can find and replace it.
pub const ORG_ID: OrgId = OrgId(1);
/// Rep `r`'s accounts are numbered from `r * ACCOUNT_ID_STRIDE + 1`.
pub const ACCOUNT_ID_STRIDE: i64 = 1_000_000;
/// Rep `r`'s contacts are numbered from `r * CONTACT_ID_STRIDE + 1`.
pub const CONTACT_ID_STRIDE: i64 = 1_000_000;
/// Rep `r`'s touches are numbered from `r * TOUCH_ID_STRIDE + 1`, in time order.
pub const TOUCH_ID_STRIDE: i64 = 10_000_000;

/// Twelve months of history: enough for a referral baseline and a full cadence cycle.
pub(crate) const HISTORY_DAYS: i64 = 365;
/// Business days are precomputed this far ahead so due dates need no calendar arithmetic.
pub(crate) const FUTURE_DAYS: i64 = 70;

/// What to generate. `today` is an input so the demo is reproducible on any date.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSpec {
    pub seed: u64,
    pub reps: usize,
    /// Total across reps; split as evenly as possible.
    pub accounts: usize,
    /// Average number of contacts per account.
    pub contacts_per_account: f64,
    /// Average number of touches per contact over the twelve months before `today`.
    pub touches_per_contact: f64,
    pub today: Date,
}

impl DemoSpec {
    /// The quick-start territory: 4 reps, 320 accounts, ~1,100 contacts.
    pub fn new(seed: u64, today: Date) -> Self {
        DemoSpec {
            seed,
            reps: 4,
            accounts: 320,
            contacts_per_account: 3.5,
            touches_per_contact: 8.0,
            today,
        }
    }

    /// The benchmark rep, alone: 500 accounts, 4 contacts each, 25 touches per contact
    /// (about 50,000), the size the planner's and the store's benchmarks measure.
    pub fn benchmark_rep(seed: u64, today: Date) -> Self {
        DemoSpec {
            reps: 1,
            accounts: 500,
            contacts_per_account: 4.0,
            touches_per_contact: 25.0,
            ..DemoSpec::new(seed, today)
        }
    }

    /// How many accounts rep `rep_index` holds; zero for a rep the spec does not have.
    pub fn accounts_for(&self, rep_index: usize) -> usize {
        if rep_index >= self.reps {
            return 0;
        }
        self.accounts / self.reps + usize::from(rep_index < self.accounts % self.reps)
    }

    /// Rejects specs whose ids would collide or whose averages make no sense, so a CLI
    /// can report the bad field instead of producing a broken territory.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        if self.reps == 0 {
            return Err(InvalidValue("reps: at least one rep is needed".into()));
        }
        if !(self.contacts_per_account > 0.0 && self.contacts_per_account <= 50.0) {
            return Err(InvalidValue(format!(
                "contacts_per_account: {} is not between 0 and 50",
                self.contacts_per_account
            )));
        }
        if !(self.touches_per_contact >= 0.0 && self.touches_per_contact <= 200.0) {
            return Err(InvalidValue(format!(
                "touches_per_contact: {} is not between 0 and 200",
                self.touches_per_contact
            )));
        }
        let per_rep = self.accounts_for(0) as f64;
        let contacts = per_rep * self.contacts_per_account * 1.1 + per_rep;
        if per_rep >= ACCOUNT_ID_STRIDE as f64
            || contacts >= CONTACT_ID_STRIDE as f64
            || contacts * self.touches_per_contact * 1.1 >= TOUCH_ID_STRIDE as f64
        {
            return Err(InvalidValue(
                "accounts: too many per rep for the demo's id ranges (add reps)".into(),
            ));
        }
        Ok(())
    }
}

/// The user id of rep `rep_index`; reps come first so rep 0 is user 1.
pub fn rep_user_id(rep_index: usize) -> UserId {
    UserId(rep_index as i64 + 1)
}

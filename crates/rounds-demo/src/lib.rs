//! The demo territory: a made-up but believable book of business for a team of field
//! reps who sell a workers'-compensation pharmacy service into medical practices and
//! law firms.
//!
//! It exists for two audiences. A first-time user runs `rounds demo` and should see the
//! planner at work on day one, so every rep's territory (rep 0's above all, because the
//! quick start shows it) contains something for each playbook rule to act on: callbacks
//! agreed for today, a referral meeting that still needs its confirmation, providers whose
//! referrals dropped, dead-end contacts, a fresh loss that wants a feedback call, and so
//! on. The benchmarks use the same generator at scale (10 million touches), which is why
//! one rep's part can be produced on its own, quickly, and without the others in memory.
//!
//! The generator is a pure function of a [`DemoSpec`]: the seed and `today` are inputs,
//! nothing reads a clock or the global random generator, so the same spec gives
//! byte-identical data and a problem seen in a demo can be reproduced from its seed.
//! Each rep draws from its own random stream and owns its own id range, so
//! [`generate_rep`] for one rep does not depend on which other reps were generated, and
//! [`generate`] is exactly [`generate_shared`] followed by every rep's part.

pub mod crm;
mod data;
mod rep;
mod spec;
#[cfg(test)]
mod tests;
mod tiny;

use rounds_core::export::OrgData;
use rounds_core::model::{Organisation, Topic, User};

pub use rep::generate_rep;
pub use spec::{
    ACCOUNT_ID_STRIDE, CONTACT_ID_STRIDE, DemoSpec, ORG_ID, TOUCH_ID_STRIDE, rep_user_id,
};
pub use tiny::tiny;

/// The whole organisation: the shared part followed by every rep's part, in rep order.
pub fn generate(spec: &DemoSpec) -> OrgData {
    let (organisation, users, topics) = generate_shared(spec);
    let mut data = OrgData {
        users,
        topics,
        ..OrgData::empty(organisation)
    };
    for rep_index in 0..spec.reps {
        let part = generate_rep(spec, rep_index);
        data.accounts.extend(part.accounts);
        data.contacts.extend(part.contacts);
        data.touches.extend(part.touches);
        data.referrals.extend(part.referrals);
        data.lost.extend(part.lost);
        data.no_fits.extend(part.no_fits);
        data.step_updates.extend(part.step_updates);
        data.work_weeks.extend(part.work_weeks);
        data.time_off.extend(part.time_off);
    }
    data
}

/// The organisation, its users (every rep, one manager, one administrator) and the topic
/// library. Reps are users `1..=reps`, the manager `reps + 1`, the administrator `reps + 2`.
pub fn generate_shared(spec: &DemoSpec) -> (Organisation, Vec<User>, Vec<Topic>) {
    (
        data::organisation(),
        data::users(spec),
        data::topics(spec.today),
    )
}

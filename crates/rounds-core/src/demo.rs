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

use std::collections::{BTreeMap, HashSet};

use fastrand::Rng;
use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};

use crate::catalogue;
use crate::export::OrgData;
use crate::model::{
    AccessPolicy, Account, AccountId, AccountKind, AccountStatus, Address, Channel, Contact,
    ContactChannels, ContactId, ContactRole, Direction, Influence, InvalidValue, LossReason,
    LostAccount, NextStep, NoFit, OrgId, Organisation, Outcome, ReferralCount, Role, Segment,
    Specialty, TimeRange, Topic, TopicId, Touch, TouchId, TouchKind, TzName, User, UserId,
    WeekHours,
};

/// The demo organisation is always the first one, so `rounds demo` can find and replace it.
pub const ORG_ID: OrgId = OrgId(1);
/// Rep `r`'s accounts are numbered from `r * ACCOUNT_ID_STRIDE + 1`.
pub const ACCOUNT_ID_STRIDE: i64 = 1_000_000;
/// Rep `r`'s contacts are numbered from `r * CONTACT_ID_STRIDE + 1`.
pub const CONTACT_ID_STRIDE: i64 = 1_000_000;
/// Rep `r`'s touches are numbered from `r * TOUCH_ID_STRIDE + 1`, in time order.
pub const TOUCH_ID_STRIDE: i64 = 10_000_000;

/// Twelve months of history: enough for a referral baseline and a full cadence cycle.
const HISTORY_DAYS: i64 = 365;
/// Business days are precomputed this far ahead so due dates need no calendar arithmetic.
const FUTURE_DAYS: i64 = 70;

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

/// The whole organisation: the shared part followed by every rep's part, in rep order.
pub fn generate(spec: &DemoSpec) -> OrgData {
    let (organisation, users, topics) = generate_shared(spec);
    let mut data = OrgData {
        organisation,
        users,
        accounts: vec![],
        contacts: vec![],
        topics,
        touches: vec![],
        referrals: vec![],
        lost: vec![],
        no_fits: vec![],
    };
    for rep_index in 0..spec.reps {
        let part = generate_rep(spec, rep_index);
        data.accounts.extend(part.accounts);
        data.contacts.extend(part.contacts);
        data.touches.extend(part.touches);
        data.referrals.extend(part.referrals);
        data.lost.extend(part.lost);
        data.no_fits.extend(part.no_fits);
    }
    data
}

/// The organisation, its users (every rep, one manager, one administrator) and the topic
/// library. Reps are users `1..=reps`, the manager `reps + 1`, the administrator `reps + 2`.
pub fn generate_shared(spec: &DemoSpec) -> (Organisation, Vec<User>, Vec<Topic>) {
    (organisation(), users(spec), topics(spec.today))
}

/// One rep's accounts, contacts, touches, referral counts, losses and no-fit decisions.
/// `users` and `topics` are empty; they belong to [`generate_shared`]. A `rep_index` the
/// spec does not have yields an empty part.
pub fn generate_rep(spec: &DemoSpec, rep_index: usize) -> OrgData {
    let mut g = RepGen::new(spec, rep_index);
    g.build_accounts();
    g.build_contacts();
    g.choose_referral_trends();
    g.choose_scenarios();
    g.assign_budgets();
    for ci in 0..g.contacts.len() {
        g.contact_touches(ci);
    }
    g.finish()
}

fn organisation() -> Organisation {
    Organisation {
        id: ORG_ID,
        name: "Keystone Care Pharmacy (demo)".into(),
        demo: true,
    }
}

const REP_NAMES: &[(&str, &str)] = &[
    ("Dana", "Whitfield"),
    ("Marcus", "Oyelaran"),
    ("Priya", "Raman"),
    ("Tom", "Castellano"),
    ("Elena", "Sokolova"),
    ("Jamal", "Brooks"),
    ("Hannah", "Lindgren"),
    ("Luis", "Ortega"),
    ("Grace", "Okoye"),
    ("Ben", "Hartley"),
    ("Mei", "Tanaka"),
    ("Sam", "Delacroix"),
    ("Nora", "Fitzpatrick"),
    ("Kofi", "Asante"),
    ("Rachel", "Stein"),
    ("Victor", "Ames"),
];

const STAFF_DOMAIN: &str = "keystone-demo.example";

fn users(spec: &DemoSpec) -> Vec<User> {
    let mut users = Vec::with_capacity(spec.reps + 2);
    for i in 0..spec.reps {
        let (first, last) = if i < REP_NAMES.len() {
            REP_NAMES[i]
        } else {
            // Beyond the named reps, walk the name lists with co-prime steps; the number
            // in the e-mail keeps addresses unique however many reps there are.
            (
                FIRST_NAMES[(i * 7) % FIRST_NAMES.len()],
                SURNAMES[(i * 11 + i / 3) % SURNAMES.len()],
            )
        };
        let email = if i < REP_NAMES.len() {
            format!("{}.{}@{STAFF_DOMAIN}", slug(first), slug(last))
        } else {
            format!("{}.{}{}@{STAFF_DOMAIN}", slug(first), slug(last), i + 1)
        };
        users.push(User {
            id: rep_user_id(i),
            name: format!("{first} {last}"),
            email,
            role: Role::Rep,
            team: Some("Field".into()),
        });
    }
    users.push(User {
        id: UserId(spec.reps as i64 + 1),
        name: "Carla Benedetti".into(),
        email: format!("carla.benedetti@{STAFF_DOMAIN}"),
        role: Role::Manager,
        team: Some("Field".into()),
    });
    users.push(User {
        id: UserId(spec.reps as i64 + 2),
        name: "Ian Mercer".into(),
        email: format!("ian.mercer@{STAFF_DOMAIN}"),
        role: Role::Admin,
        team: None,
    });
    users
}

// ---------------------------------------------------------------------------------------
// Topics

/// Specialty slugs the demo uses; their position is the bit in a specialty mask.
const SPECIALTIES: [&str; 7] = [
    "orthopaedics",
    "pain-management",
    "primary-care",
    "occupational-medicine",
    "neurology",
    "physical-therapy",
    "workers-compensation",
];
const PHYSICAL_THERAPY: usize = 5;
const WORKERS_COMP: usize = 6;
/// Human spelling for departments and notes.
const SPECIALTY_TITLES: [&str; 7] = [
    "Orthopaedics",
    "Pain management",
    "Primary care",
    "Occupational medicine",
    "Neurology",
    "Physical therapy",
    "Workers' compensation",
];

struct TopicDef {
    title: &'static str,
    pains: &'static [&'static str],
    segments: &'static [Segment],
    specialties: &'static [&'static str],
    roles: &'static [ContactRole],
    /// 1-based positions in [`TOPICS`], which are also the topic ids.
    related: &'static [i64],
    /// New content: available this many days after `today` (negative: already out).
    new_in_days: Option<i64>,
}

const fn topic(
    title: &'static str,
    pains: &'static [&'static str],
    segments: &'static [Segment],
    specialties: &'static [&'static str],
    roles: &'static [ContactRole],
    related: &'static [i64],
) -> TopicDef {
    TopicDef {
        title,
        pains,
        segments,
        specialties,
        roles,
        related,
        new_in_days: None,
    }
}

impl TopicDef {
    const fn fresh(self, days: i64) -> TopicDef {
        TopicDef {
            new_in_days: Some(days),
            ..self
        }
    }
}

const MED: &[Segment] = &[Segment::MedicalProvider];
const LAW: &[Segment] = &[Segment::LawFirm];
const ANY: &[ContactRole] = &[];
const NONE: &[&str] = &[];
use ContactRole::{
    Attorney, CaseManager, FrontDesk, HeadNurse, OfficeManager, Paralegal, Physician,
    PracticeAdministrator,
};

const TOPICS: &[TopicDef] = &[
    topic(
        "Prior-authorisation turnaround: our 24-hour desk",
        &["prior-auths"],
        MED,
        NONE,
        ANY,
        &[2, 31, 45],
    ),
    topic(
        "When is a prior authorisation really needed? A one-page guide",
        &["prior-auth-when", "prior-auths"],
        MED,
        NONE,
        &[OfficeManager, PracticeAdministrator, FrontDesk, HeadNurse],
        &[1],
    ),
    topic(
        "Medication adherence packaging for post-op patients",
        &["medication-adherence", "non-compliance-outcomes"],
        MED,
        &["orthopaedics", "pain-management"],
        ANY,
        &[4, 27],
    ),
    topic(
        "Refill reminders that cut missed doses",
        &["medication-adherence"],
        MED,
        NONE,
        ANY,
        &[3],
    ),
    topic(
        "Cutting pharmacy phone calls for your front office",
        &["pharmacy-phone-calls"],
        MED,
        NONE,
        &[OfficeManager, HeadNurse, FrontDesk],
        &[6, 31],
    ),
    topic(
        "Fewer patient calls about refills: our patient line",
        &["patient-phone-calls"],
        MED,
        NONE,
        &[OfficeManager, HeadNurse, FrontDesk, PracticeAdministrator],
        &[5],
    ),
    topic(
        "Workers' compensation basics for new staff (lunch-and-learn)",
        &["wc-knowledge", "staff-education"],
        MED,
        NONE,
        &[OfficeManager, HeadNurse, PracticeAdministrator, FrontDesk],
        &[8, 34],
    ),
    topic(
        "Which medications workers' comp carriers cover: a formulary cheat sheet",
        &["wc-meds-knowledge"],
        MED,
        &[
            "occupational-medicine",
            "orthopaedics",
            "pain-management",
            "primary-care",
        ],
        ANY,
        &[7, 34, 46],
    ),
    topic(
        "Zero out-of-pocket for injured workers on accepted claims",
        &["patient-funds-for-meds"],
        MED,
        NONE,
        ANY,
        &[20],
    ),
    topic(
        "We handle the insurance-carrier calls for you",
        &["insurance-carrier-calls"],
        MED,
        NONE,
        &[OfficeManager, PracticeAdministrator, HeadNurse],
        &[23],
    ),
    topic(
        "Opioid stewardship: the PDMP check we run on every fill",
        &["doctor-shopping", "regulatory-requirements"],
        MED,
        &["pain-management", "primary-care", "orthopaedics"],
        &[Physician, HeadNurse],
        &[32],
    ),
    topic(
        "Drug-shortage alerts and therapeutic alternatives",
        &["drug-shortages"],
        MED,
        NONE,
        &[Physician, HeadNurse],
        &[],
    ),
    topic(
        "Keeping up with state workers' comp rules: a quarterly brief",
        &["regulatory-requirements"],
        MED,
        NONE,
        &[PracticeAdministrator, OfficeManager],
        &[46],
    ),
    topic(
        "Topical compounds for post-injury pain: what the evidence says",
        &["consistency-of-care"],
        MED,
        &["pain-management", "orthopaedics", "occupational-medicine"],
        &[Physician],
        &[33],
    ),
    topic(
        "Neuropathic pain regimens that patients actually stick to",
        &["medication-adherence", "non-compliance-outcomes"],
        MED,
        &["neurology", "pain-management"],
        &[Physician, HeadNurse],
        &[16],
    ),
    topic(
        "Migraine prevention therapy: approvals in days, not weeks",
        &["prior-auths"],
        MED,
        &["neurology"],
        ANY,
        &[1, 15],
    ),
    topic(
        "Pairing home-exercise plans with medication timing",
        &["non-compliance-outcomes"],
        MED,
        &["physical-therapy"],
        ANY,
        &[30],
    ),
    topic(
        "Injured-worker referrals from the attorneys and employers we work with",
        &["need-new-patients"],
        MED,
        &[
            "occupational-medicine",
            "orthopaedics",
            "physical-therapy",
            "pain-management",
        ],
        &[Physician, PracticeAdministrator, OfficeManager],
        &[19],
    ),
    topic(
        "Growing your workers' comp patient base with local employers",
        &["need-new-patients", "patient-demand"],
        MED,
        NONE,
        &[PracticeAdministrator, Physician],
        &[18],
    ),
    topic(
        "Same-day delivery to the patient's door",
        &["patient-demand", "medication-adherence"],
        MED,
        NONE,
        ANY,
        &[9, 4],
    ),
    topic(
        "Free continuing-education sessions for your nurses",
        &["staff-education", "staff-morale"],
        MED,
        NONE,
        &[HeadNurse],
        &[34],
    ),
    topic(
        "E-prescribing straight to us: less paperwork for your staff",
        &["staff-morale", "pharmacy-phone-calls"],
        MED,
        NONE,
        &[OfficeManager, PracticeAdministrator],
        &[5],
    ),
    topic(
        "Our intake team works like an extra staffer",
        &["need-more-staff"],
        MED,
        NONE,
        &[OfficeManager, PracticeAdministrator],
        &[10],
    ),
    topic(
        "An onboarding kit for new front-desk hires",
        &["staff-turnover", "staff-education"],
        MED,
        NONE,
        &[OfficeManager, FrontDesk],
        &[7],
    ),
    topic(
        "Workers' comp fee schedules: benchmarks for your payer talks",
        &["payer-contracts"],
        MED,
        NONE,
        &[PracticeAdministrator],
        &[],
    ),
    topic(
        "One pharmacy partner across all your locations",
        &["consistency-of-care"],
        MED,
        NONE,
        &[PracticeAdministrator, Physician],
        &[],
    ),
    topic(
        "Anticoagulant adherence after joint replacement",
        &["non-compliance-outcomes", "medication-adherence"],
        MED,
        &["orthopaedics"],
        &[Physician, HeadNurse],
        &[3],
    ),
    topic(
        "Medication reconciliation for injured workers in primary care",
        &["consistency-of-care"],
        MED,
        &["primary-care"],
        ANY,
        &[4],
    ),
    topic(
        "Medication lists before contrast studies: a hand-off checklist",
        &["consistency-of-care"],
        MED,
        &["neurology", "orthopaedics"],
        ANY,
        &[],
    ),
    topic(
        "Return-to-work timelines: where medication management helps",
        &["consistency-of-care", "non-compliance-outcomes"],
        MED,
        &["occupational-medicine", "physical-therapy"],
        ANY,
        &[17],
    ),
    topic(
        "Prior-auth status straight into your EHR inbox",
        &["prior-auths", "pharmacy-phone-calls"],
        MED,
        NONE,
        &[OfficeManager, HeadNurse],
        &[1, 5],
    ),
    topic(
        "Spotting doctor shopping: shared dispensing history",
        &["doctor-shopping"],
        MED,
        &["pain-management", "primary-care"],
        &[Physician],
        &[11],
    ),
    topic(
        "Muscle-relaxant tapering protocols",
        &["consistency-of-care"],
        MED,
        &["orthopaedics", "occupational-medicine", "primary-care"],
        &[Physician],
        &[14],
    ),
    topic(
        "Lunch-and-learn: workers' comp medications for the clinical team",
        &["wc-meds-knowledge", "staff-education"],
        MED,
        NONE,
        &[HeadNurse, Physician, OfficeManager],
        &[7, 8, 21],
    ),
    topic(
        "One invoice for all your clients' medications",
        &["multi-pharmacy-invoices", "medication-invoices"],
        LAW,
        NONE,
        ANY,
        &[39],
    ),
    topic(
        "Fewer client calls about prescriptions: our client hotline",
        &["client-phone-calls"],
        LAW,
        NONE,
        ANY,
        &[38],
    ),
    topic(
        "Medication status reports for every open case",
        &["client-care-visibility", "high-case-loads"],
        LAW,
        NONE,
        &[Attorney, CaseManager],
        &[44, 47],
    ),
    topic(
        "We chase the carriers, you bill the hours",
        &["non-billable-time"],
        LAW,
        NONE,
        &[Attorney, Paralegal],
        &[43],
    ),
    topic(
        "Invoice chasing, handled: a paralegal's checklist",
        &["medication-invoices"],
        LAW,
        NONE,
        &[Paralegal, CaseManager],
        &[35],
    ),
    topic(
        "Treating physicians who take workers' comp cases near your clients",
        &["need-new-clients"],
        LAW,
        NONE,
        &[Attorney],
        &[],
    ),
    topic(
        "Case-load triage: medication flags that predict delays",
        &["high-case-loads"],
        LAW,
        NONE,
        &[CaseManager, Attorney],
        &[37],
    ),
    topic(
        "Keeping case managers: a lighter admin load",
        &["staff-switching-jobs", "employee-satisfaction"],
        LAW,
        NONE,
        &[Attorney],
        &[],
    ),
    topic(
        "Evenings back: fewer pharmacy e-mails for attorneys",
        &["attorney-work-life", "non-billable-time"],
        LAW,
        NONE,
        &[Attorney],
        &[38],
    ),
    topic(
        "Your client's care timeline at a glance",
        &["client-care-visibility"],
        LAW,
        NONE,
        &[CaseManager, Paralegal],
        &[37],
    ),
    topic(
        "New: a prior-auth tracker for practices",
        &["prior-auths", "prior-auth-when"],
        MED,
        NONE,
        ANY,
        &[1, 2],
    )
    .fresh(-6),
    topic(
        "New: this quarter's state formulary changes",
        &["wc-meds-knowledge", "regulatory-requirements"],
        MED,
        NONE,
        ANY,
        &[8, 13],
    )
    .fresh(4),
    topic(
        "New: a case-status portal for law firms",
        &["client-care-visibility"],
        LAW,
        NONE,
        ANY,
        &[37, 44],
    )
    .fresh(-2),
];

fn specialty(slug: &str) -> Specialty {
    slug.parse().expect("the demo's specialty slugs are valid")
}

fn topics(today: Date) -> Vec<Topic> {
    TOPICS
        .iter()
        .enumerate()
        .map(|(i, d)| Topic {
            id: TopicId(i as i64 + 1),
            title: d.title.into(),
            pain_points: d.pains.iter().map(|p| (*p).to_string()).collect(),
            specialties: d.specialties.iter().map(|s| specialty(s)).collect(),
            segments: d.segments.to_vec(),
            roles: d.roles.to_vec(),
            related: d.related.iter().map(|r| TopicId(*r)).collect(),
            available_from: d.new_in_days.map(|n| today.saturating_add(n.days())),
        })
        .collect()
}

/// A topic's applicability as bit masks, so matching 50 topics against thousands of
/// contacts stays cheap.
#[derive(Clone, Copy)]
struct TopicMask {
    segments: u8,
    specialties: u8,
    roles: u16,
    pains: u64,
    is_new: bool,
}

fn segment_bit(s: Segment) -> u8 {
    1 << Segment::ALL.iter().position(|x| *x == s).unwrap_or(0)
}
fn role_bit(r: ContactRole) -> u16 {
    1 << ContactRole::ALL.iter().position(|x| *x == r).unwrap_or(0)
}
fn specialty_bit(slug: &str) -> u8 {
    SPECIALTIES
        .iter()
        .position(|s| *s == slug)
        .map_or(0, |i| 1 << i)
}

fn topic_masks(pain_keys: &[String]) -> Vec<TopicMask> {
    TOPICS
        .iter()
        .map(|d| TopicMask {
            segments: d.segments.iter().fold(0, |m, s| m | segment_bit(*s)),
            specialties: d.specialties.iter().fold(0, |m, s| m | specialty_bit(s)),
            roles: d.roles.iter().fold(0, |m, r| m | role_bit(*r)),
            pains: d.pains.iter().fold(0, |m, p| m | pain_bit(pain_keys, p)),
            is_new: d.new_in_days.is_some(),
        })
        .collect()
}

fn pain_bit(keys: &[String], key: &str) -> u64 {
    keys.iter().position(|k| k == key).map_or(0, |i| 1 << i)
}

// ---------------------------------------------------------------------------------------
// Places, names and office patterns

struct Metro {
    city: &'static str,
    region: &'static str,
    tz: &'static str,
    area_code: &'static str,
    zip3: &'static str,
    lat: f64,
    lon: f64,
    /// Nearby towns: name, ZIP prefix, latitude, longitude.
    suburbs: &'static [(&'static str, &'static str, f64, f64)],
}

/// Reps cycle through these home cities; each carries its own IANA zone.
#[rustfmt::skip]
const METROS: &[Metro] = &[
    Metro { city: "Chicago", region: "IL", tz: "America/Chicago", area_code: "312", zip3: "606",
        lat: 41.8781, lon: -87.6298, suburbs: &[
            ("Evanston", "602", 42.0451, -87.6877), ("Oak Park", "603", 41.8850, -87.7845), ("Naperville", "605", 41.7508, -88.1535),
            ("Skokie", "600", 42.0324, -87.7416), ("Cicero", "608", 41.8456, -87.7539),
        ] },
    Metro { city: "Dallas", region: "TX", tz: "America/Chicago", area_code: "214", zip3: "752",
        lat: 32.7767, lon: -96.7970, suburbs: &[
            ("Plano", "750", 33.0198, -96.6989), ("Irving", "750", 32.8140, -96.9489), ("Garland", "750", 32.9126, -96.6389),
            ("Mesquite", "751", 32.7668, -96.5992), ("Richardson", "750", 32.9483, -96.7299),
        ] },
    Metro { city: "Denver", region: "CO", tz: "America/Denver", area_code: "303", zip3: "802",
        lat: 39.7392, lon: -104.9903, suburbs: &[
            ("Aurora", "800", 39.7294, -104.8319), ("Lakewood", "802", 39.7047, -105.0814), ("Englewood", "801", 39.6478, -104.9878),
            ("Westminster", "800", 39.8367, -105.0372), ("Littleton", "801", 39.6133, -105.0166),
        ] },
    Metro { city: "Atlanta", region: "GA", tz: "America/New_York", area_code: "404", zip3: "303",
        lat: 33.7490, lon: -84.3880, suburbs: &[
            ("Decatur", "300", 33.7748, -84.2963), ("Marietta", "300", 33.9526, -84.5499), ("Sandy Springs", "303", 33.9304, -84.3733),
            ("Smyrna", "300", 33.8840, -84.5144), ("East Point", "303", 33.6796, -84.4394),
        ] },
    Metro { city: "Phoenix", region: "AZ", tz: "America/Phoenix", area_code: "602", zip3: "850",
        lat: 33.4484, lon: -112.0740, suburbs: &[
            ("Tempe", "852", 33.4255, -111.9400), ("Mesa", "852", 33.4152, -111.8315), ("Scottsdale", "852", 33.4942, -111.9261),
            ("Glendale", "853", 33.5387, -112.1860), ("Chandler", "852", 33.3062, -111.8413),
        ] },
    Metro { city: "Seattle", region: "WA", tz: "America/Los_Angeles", area_code: "206", zip3: "981",
        lat: 47.6062, lon: -122.3321, suburbs: &[
            ("Bellevue", "980", 47.6101, -122.2015), ("Renton", "980", 47.4829, -122.2171), ("Kent", "980", 47.3809, -122.2348),
            ("Redmond", "980", 47.6740, -122.1215), ("Everett", "982", 47.9790, -122.2021),
        ] },
    Metro { city: "Boston", region: "MA", tz: "America/New_York", area_code: "617", zip3: "021",
        lat: 42.3601, lon: -71.0589, suburbs: &[
            ("Cambridge", "021", 42.3736, -71.1097), ("Quincy", "021", 42.2529, -71.0023), ("Newton", "024", 42.3370, -71.2092),
            ("Somerville", "021", 42.3876, -71.0995), ("Waltham", "024", 42.3765, -71.2356),
        ] },
    Metro { city: "Detroit", region: "MI", tz: "America/Detroit", area_code: "313", zip3: "482",
        lat: 42.3314, lon: -83.0458, suburbs: &[
            ("Dearborn", "481", 42.3223, -83.1763), ("Southfield", "480", 42.4734, -83.2219), ("Troy", "480", 42.6064, -83.1498),
            ("Livonia", "481", 42.3684, -83.3527), ("Warren", "480", 42.5145, -83.0147),
        ] },
    Metro { city: "Indianapolis", region: "IN", tz: "America/Indiana/Indianapolis", area_code: "317", zip3: "462",
        lat: 39.7684, lon: -86.1581, suburbs: &[
            ("Carmel", "460", 39.9784, -86.1180), ("Fishers", "460", 39.9568, -86.0134), ("Greenwood", "461", 39.6137, -86.1067),
            ("Lawrence", "462", 39.8387, -85.9992), ("Avon", "461", 39.7628, -86.3997),
        ] },
    Metro { city: "Los Angeles", region: "CA", tz: "America/Los_Angeles", area_code: "213", zip3: "900",
        lat: 34.0522, lon: -118.2437, suburbs: &[
            ("Pasadena", "911", 34.1478, -118.1445), ("Long Beach", "908", 33.7701, -118.1937), ("Torrance", "905", 33.8358, -118.3406),
            ("Glendale", "912", 34.1425, -118.2551), ("Santa Monica", "904", 34.0195, -118.4912),
        ] },
    Metro { city: "Boise", region: "ID", tz: "America/Boise", area_code: "208", zip3: "837",
        lat: 43.6150, lon: -116.2023, suburbs: &[
            ("Meridian", "836", 43.6121, -116.3915), ("Nampa", "836", 43.5407, -116.5635), ("Eagle", "836", 43.6955, -116.3540),
            ("Kuna", "836", 43.4918, -116.4201), ("Caldwell", "836", 43.6629, -116.6874),
        ] },
    Metro { city: "Louisville", region: "KY", tz: "America/Kentucky/Louisville", area_code: "502", zip3: "402",
        lat: 38.2527, lon: -85.7585, suburbs: &[
            ("Jeffersontown", "402", 38.1942, -85.5644), ("St. Matthews", "402", 38.2529, -85.6558), ("Shively", "402", 38.2001, -85.8228),
            ("Middletown", "402", 38.2451, -85.5389), ("Valley Station", "402", 38.1109, -85.8702),
        ] },
    Metro { city: "Honolulu", region: "HI", tz: "Pacific/Honolulu", area_code: "808", zip3: "968",
        lat: 21.3069, lon: -157.8583, suburbs: &[
            ("Pearl City", "967", 21.3972, -157.9752), ("Kailua", "967", 21.4022, -157.7394),
            ("Kaneohe", "967", 21.4180, -157.8036), ("Aiea", "967", 21.3822, -157.9336),
        ] },
];

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "William",
    "Elizabeth", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
    "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Angela", "Steven", "Sandra", "Andrew",
    "Ashley", "Kevin", "Emily", "Brian", "Michelle", "Priya", "Wei", "Hiroshi", "Fatima",
    "Aisha", "Carlos", "Sofia", "Diego", "Olga", "Ivan", "Nnamdi", "Chioma", "Mei", "Arjun",
    "Leila", "Omar", "Grace", "Samuel", "Hannah", "Jorge", "Lucia", "Tomas", "Ingrid", "Kwame",
    "Ana", "Raj", "Yuki", "Elena",
];

#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Shah", "Kim", "Chen",
    "Okafor", "Moreno", "Hale", "Novak", "Kowalski", "Schmidt", "Rossi", "Haddad", "Yamamoto",
    "Singh", "Brennan", "O'Neill", "Fitzgerald", "Ostrowski", "Lindqvist", "Abara", "Mensah",
    "Delgado", "Castillo", "Park", "Tran", "Sorensen", "Bishop", "Reyes",
];

#[rustfmt::skip]
const PLACES: &[&str] = &[
    "Riverside", "Lakeshore", "Northside", "Westfield", "Cedar Valley", "Summit", "Parkview",
    "Brookhaven", "Pinecrest", "Meadowbrook", "Fairview", "Highland", "Oak Hill", "Stonebridge",
    "Willow Creek", "Crossroads", "Harbor", "Eastgate", "Metro", "Heritage", "Kingsbridge",
    "Valley", "Ridgeway", "Bayside", "Sunrise", "Maple Grove", "Prairie", "Granite",
    "Silver Lake", "Clearwater",
];

#[rustfmt::skip]
const SAINTS: &[&str] = &[
    "St. Luke's", "Mercy", "Good Samaritan", "Providence", "St. Joseph's", "Sacred Heart",
    "Baptist", "Methodist", "Presbyterian",
];

#[rustfmt::skip]
const STREETS: &[&str] = &[
    "Oak", "Maple", "Lake", "Washington", "Park", "Cedar", "Elm", "Main", "Madison",
    "Jefferson", "Lincoln", "Hillcrest", "Meadow", "Ridge", "Sunset", "Church", "Market",
    "Franklin", "Highland", "Grand", "Medical Center", "Commerce", "Spring", "Walnut",
];
const STREET_SUFFIXES: &[&str] = &["Ave", "St", "Blvd", "Rd", "Dr", "Pkwy", "Ln", "Way"];

/// Name templates by kind of office; `{place}`, `{city}`, `{saint}`, `{s1}`…`{s3}` and
/// `{first}` are filled in per account.
fn name_templates(kind: AccountKind, spec: usize) -> &'static [&'static str] {
    match kind {
        AccountKind::Hospital => &[
            "{place} Regional Medical Center",
            "{saint} Hospital",
            "{place} Community Hospital",
            "{city} General Hospital",
        ],
        AccountKind::ImagingCentre => &[
            "{place} Imaging Center",
            "{place} MRI & Diagnostic Imaging",
            "{city} Open MRI",
        ],
        AccountKind::TherapyPractice => &[
            "{place} Physical Therapy",
            "{place} Rehab & Sports Therapy",
            "{s1} PT & Wellness",
            "{place} Hand & Upper Body Therapy",
        ],
        AccountKind::LawFirm => &[
            "{s1} & {s2}, Attorneys at Law",
            "{s1} {s2} & {s3} LLP",
            "Law Offices of {first} {s1}",
            "{s1} Workers' Comp Law",
            "{s1} & Associates",
            "{s1} & {s2} Injury Lawyers",
        ],
        AccountKind::Clinic => match spec {
            0 => &[
                "{place} Orthopaedic & Fracture Clinic",
                "{place} Bone & Joint Clinic",
            ],
            1 => &["{place} Pain Clinic", "{place} Interventional Pain Center"],
            2 => &[
                "{place} Community Health Clinic",
                "{place} Urgent & Primary Care",
            ],
            3 => &[
                "{place} Occupational Health",
                "{place} WorkCare Clinic",
                "{city} Industrial Medicine Clinic",
            ],
            _ => &["{place} Neurology Clinic"],
        },
        _ => match spec {
            0 => &[
                "{place} Orthopaedic Associates",
                "{place} Bone & Joint",
                "{s1} Orthopaedics & Sports Medicine",
                "{place} Spine & Orthopaedics",
            ],
            1 => &[
                "{place} Pain Management",
                "{s1} Pain & Spine",
                "{place} Pain Specialists",
            ],
            2 => &[
                "{place} Family Medicine",
                "{s1} Family Practice",
                "{place} Internal Medicine Group",
                "{place} Primary Care",
            ],
            3 => &[
                "{s1} Occupational Medicine",
                "{place} Occupational Medicine",
            ],
            _ => &[
                "{place} Neurology Associates",
                "{s1} Neurology",
                "{place} Headache & Neurology Center",
            ],
        },
    }
}

type Hm = (i8, i8, i8, i8);

/// A kind of office week: weekday ranges, an optional Saturday, and when reps are welcome.
struct Hours {
    week: &'static [Hm],
    saturday: &'static [Hm],
    visit: &'static [Hm],
}

const HOURS_LUNCH_GAP: Hours = Hours {
    week: &[(8, 0, 12, 0), (13, 0, 17, 0)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (16, 30, 17, 0)],
};
const HOURS_EARLY: Hours = Hours {
    week: &[(7, 30, 16, 30)],
    saturday: &[],
    visit: &[(11, 30, 12, 30), (16, 0, 16, 30)],
};
const HOURS_LATE_GAP: Hours = Hours {
    week: &[(8, 30, 12, 30), (13, 30, 17, 30)],
    saturday: &[],
    visit: &[(12, 30, 13, 30), (17, 0, 17, 30)],
};
const HOURS_SATURDAY: Hours = Hours {
    week: &[(9, 0, 12, 0), (13, 0, 18, 0)],
    saturday: &[(8, 0, 12, 0)],
    visit: &[(12, 0, 13, 0), (17, 30, 18, 0)],
};
const HOURS_HOSPITAL: Hours = Hours {
    week: &[(7, 0, 17, 0)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (16, 30, 17, 0)],
};
const HOURS_LAW: Hours = Hours {
    week: &[(8, 30, 17, 30)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (17, 0, 17, 30)],
};
const HOURS_LAW_SHORT: Hours = Hours {
    week: &[(9, 0, 17, 0)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (16, 30, 17, 0)],
};

fn ranges(hm: &[Hm]) -> Vec<TimeRange> {
    hm.iter()
        .map(|&(a, b, c, d)| TimeRange::hm(a, b, c, d))
        .collect()
}
fn mins(h: i8, m: i8) -> u16 {
    (h as u16) * 60 + m as u16
}

const COMPETITORS: &[&str] = &[
    "Meridian Specialty Rx",
    "Apex Workers' Comp Pharmacy",
    "ClearPath Pharmacy Services",
    "Summit Rx Network",
    "BlueLine Pharmacy Solutions",
];

const NO_FIT_REASONS: &[&str] = &[
    "Sends every workers' comp prescription through the hospital system's own pharmacy",
    "No longer sees workers' compensation patients",
    "Closed-formulary contract with a national PBM; no room for a second pharmacy",
    "Firm stopped taking workers' comp cases",
];

const NEXT_STEPS_MEDICAL: &[&str] = &[
    "Send the one-page summary",
    "Drop off the prior-auth checklist",
    "Book a lunch-and-learn for the clinical team",
    "E-mail the formulary cheat sheet",
    "Introduce our intake team lead",
    "Bring adherence packaging samples",
    "Confirm the e-prescribing set-up with the office manager",
    "Call back with the carrier's answer",
    "Leave patient-line flyers for the front desk",
    "Schedule a 15-minute follow-up visit",
    "Send turnaround figures from a similar practice",
];
const NEXT_STEPS_LAW: &[&str] = &[
    "Send a sample medication status report",
    "Set up the consolidated monthly invoice",
    "Walk the paralegals through the invoice checklist",
    "Introduce two treating physicians near their clients",
    "Schedule a 15-minute call with the managing attorney",
    "Send the client hotline card for new cases",
];
const NOTES_MEDICAL: &[&str] = &[
    "Interested; wants numbers from a similar practice",
    "Short but friendly; clinic running behind",
    "Office manager joined for the last five minutes",
    "Asked how refills are handled after discharge",
    "Mentioned delivery delays with their current pharmacy",
    "Good questions about turnaround times",
    "Wants the nurses to hear this too",
    "Prefers e-mail for anything with figures",
];
const NOTES_LAW: &[&str] = &[
    "Paralegal handles every pharmacy invoice",
    "Attorney wants a monthly medication status per case",
    "Case managers are overloaded this quarter",
    "Asked which physicians near their clients take workers' comp",
    "Open to a short lunch meeting with the case team",
];

fn no_response_note(channel: Channel) -> &'static str {
    match channel {
        Channel::Call => "No answer",
        Channel::Voicemail => "Left a voicemail",
        Channel::Visit => "Not available; left materials at the front desk",
        Channel::Linkedin => "Sent a connection note",
        Channel::HandwrittenNote => "Mailed a handwritten note",
        Channel::Letter => "Sent a letter",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------
// Randomness helpers

/// SplitMix64: turns (seed, stream) into well-spread independent seeds, so rep 7's data
/// is the same whether or not reps 0..7 were generated first.
fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}
fn below(rng: &mut Rng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.usize(..n) }
}
fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}
fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.u32(..total.max(1));
    for &(item, w) in items {
        if x < w {
            return item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}
fn jitter(rng: &mut Rng, scale: f64) -> f64 {
    (rng.f64() + rng.f64() + rng.f64() - 1.5) * scale
}
fn round5(x: f64) -> f64 {
    (x * 100_000.0).round() / 100_000.0
}

/// Draws without replacement, refilling when empty: the mix of a rep's accounts follows
/// the intended shares even in a small territory.
struct Deck<T> {
    cards: Vec<T>,
    next: usize,
}
impl<T: Copy> Deck<T> {
    fn new(cards: Vec<T>) -> Self {
        let next = cards.len();
        Deck { cards, next }
    }
    fn draw(&mut self, rng: &mut Rng) -> T {
        if self.next >= self.cards.len() {
            rng.shuffle(&mut self.cards);
            self.next = 0;
        }
        self.next += 1;
        self.cards[self.next - 1]
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn domain_of(name: &str) -> String {
    const SKIP: &[&str] = &["and", "of", "at", "the", "law", "llp", "offices", "st"];
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .filter(|w| !SKIP.contains(&w.as_str()))
        .take(2)
        .collect();
    format!("{}.example", words.join("-"))
}

// ---------------------------------------------------------------------------------------
// One rep's territory

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    None,
    /// A call where the contact asked to be called back today at this local time (P35).
    CallbackToday {
        hour: i8,
        minute: i8,
    },
    /// A callback agreed for a business day next week (P35).
    CallbackSoon,
    /// Referral meeting on the last business day: the confirmation is due (P37).
    MeetingYesterday,
    /// Referral meeting logged without a next step (P12).
    MeetingWithoutNextStep,
    /// Referral meeting 30–60 days ago and no referral since (P8).
    SilentAfterMeeting,
    /// A referral or an order in the last few days, no thank-you yet (P34).
    ThankYouDue {
        order: bool,
    },
    /// Three to five unanswered attempts in a row, still open (P29, P44).
    DeadEnd,
    /// Eight unanswered attempts: the cadence is over (P20, P31, P32).
    CadenceOver {
        breakup: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trend {
    Steady,
    /// Referrals fall to a fraction of the baseline from `change` on (P9).
    Drop,
    /// No referrals at all from `change` on (P9).
    Silent,
    /// The account was lost; referrals stop at the loss.
    Ended,
}

struct Referring {
    rate: f64,
    trend: Trend,
    /// Business-day index where the trend starts.
    change: usize,
}

struct AccountPlan {
    hours: &'static Hours,
    spec_mask: u8,
    /// Index into `SPECIALTIES` of the main specialty.
    main_spec: usize,
    pains: u64,
    no_staff: bool,
    phone: String,
    domain: String,
    completeness: f64,
    /// Business day of the loss, with its reason (P15).
    lost: Option<(usize, LossReason)>,
    competitor: Option<&'static str>,
    no_fit: Option<usize>,
    contacts: std::ops::Range<usize>,
}

struct ContactPlan {
    account: usize,
    /// Relevant topics, those matching the account's pain points first (P1, P25).
    topics: Vec<TopicId>,
    cursor: usize,
    referring: Option<Referring>,
    scenario: Scenario,
    budget: usize,
    has_met: bool,
    channels: [(Channel, u32); 8],
    channel_count: usize,
}

struct RepGen<'a> {
    spec: &'a DemoSpec,
    rep_index: usize,
    rep: UserId,
    metro: &'static Metro,
    tz_name: TzName,
    rng: Rng,
    /// Business days from a year before `today` to a few weeks after.
    days: Vec<Date>,
    /// Calendar days from each business day to `today` (negative in the future).
    ago: Vec<i64>,
    /// UTC second of local midnight at the day's daytime offset: a touch's timestamp is
    /// this plus its local minute, correct for every office hour even on DST days.
    base: Vec<i64>,
    /// Number of business days before `today`; `past - 1` is the last one.
    past: usize,
    pain_keys: Vec<String>,
    /// Catalogue positions of the medical and the law-firm pain points.
    pain_pools: [Vec<usize>; 2],
    masks: Vec<TopicMask>,
    specialties: Vec<Specialty>,
    names: HashSet<String>,
    accounts: Vec<Account>,
    aplans: Vec<AccountPlan>,
    contacts: Vec<Contact>,
    cplans: Vec<ContactPlan>,
    touches: Vec<Touch>,
    forced_referrals: Vec<(usize, usize)>,
}

impl<'a> RepGen<'a> {
    fn new(spec: &'a DemoSpec, rep_index: usize) -> Self {
        let metro = &METROS[rep_index % METROS.len()];
        let tz_name: TzName = metro
            .tz
            .parse()
            .expect("the demo's zones are in the bundled database");
        let tz = tz_name.zone();
        let start = spec.today.saturating_sub(HISTORY_DAYS.days());
        let (mut days, mut ago, mut base) = (Vec::new(), Vec::new(), Vec::new());
        for (k, d) in start
            .series(1.day())
            .take((HISTORY_DAYS + FUTURE_DAYS) as usize)
            .enumerate()
        {
            if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
                continue;
            }
            let noon = d
                .at(12, 0, 0, 0)
                .to_zoned(tz.clone())
                .expect("demo dates are in range");
            days.push(d);
            ago.push(HISTORY_DAYS - k as i64);
            base.push(noon.timestamp().as_second() - 12 * 3600);
        }
        let past = ago.iter().take_while(|a| **a > 0).count();
        let catalogue = catalogue::pain_points();
        let pain_keys: Vec<String> = catalogue.iter().map(|p| p.key.clone()).collect();
        let pool = |segment| {
            (0..catalogue.len())
                .filter(|&i| catalogue[i].segment == segment)
                .collect()
        };
        let pain_pools = [pool(Segment::MedicalProvider), pool(Segment::LawFirm)];
        let masks = topic_masks(&pain_keys);
        RepGen {
            spec,
            rep_index,
            rep: rep_user_id(rep_index),
            metro,
            tz_name,
            rng: Rng::with_seed(mix(spec.seed, rep_index as u64 + 1)),
            days,
            ago,
            base,
            past,
            pain_keys,
            pain_pools,
            masks,
            specialties: SPECIALTIES.iter().map(|s| specialty(s)).collect(),
            names: HashSet::new(),
            accounts: Vec::new(),
            aplans: Vec::new(),
            contacts: Vec::new(),
            cplans: Vec::new(),
            touches: Vec::new(),
            forced_referrals: Vec::new(),
        }
    }

    fn last_day(&self) -> usize {
        self.past.saturating_sub(1)
    }

    /// A random business day between `lo` and `hi` calendar days ago (inclusive).
    fn day_ago(&mut self, lo: i64, hi: i64) -> usize {
        let first = self.ago.partition_point(|a| *a > hi);
        let end = self.ago.partition_point(|a| *a >= lo).min(self.past);
        if end > first {
            first + below(&mut self.rng, end - first)
        } else {
            first.min(self.last_day())
        }
    }

    fn at(&self, day: usize, minute: u16) -> Timestamp {
        Timestamp::from_second(self.base[day] + i64::from(minute) * 60)
            .expect("demo times are in range")
    }

    /// An agreed local time converted through the account's zone, as a user would enter it.
    fn local(&self, date: Date, hour: i8, minute: i8) -> Timestamp {
        date.at(hour, minute, 0, 0)
            .to_zoned(self.tz_name.zone())
            .expect("demo dates are in range")
            .timestamp()
    }

    // ---- accounts ------------------------------------------------------------------

    fn build_accounts(&mut self) {
        let n = self.spec.accounts_for(self.rep_index);
        let mut law_deck = Deck::new((0..20).map(|i| i < 3).collect());
        let mut spec_deck = Deck::new((0..6).collect::<Vec<usize>>());
        for i in 0..n {
            let law = law_deck.draw(&mut self.rng);
            let main = if law {
                WORKERS_COMP
            } else {
                spec_deck.draw(&mut self.rng)
            };
            self.push_account(i, main);
        }
        self.choose_losses();
        // Every territory has at least one office that will not see vendors (P6).
        let no_see = self
            .accounts
            .iter()
            .any(|a| a.access == AccessPolicy::NoVendorContact);
        if !no_see && n >= 10 {
            let open: Vec<usize> = (0..n)
                .filter(|&i| self.accounts[i].status == AccountStatus::Prospect)
                .collect();
            if !open.is_empty() {
                let i = open[below(&mut self.rng, open.len())];
                self.accounts[i].access = AccessPolicy::NoVendorContact;
            }
        }
        // At least one referring customer practice with no staff relationship (P11).
        let flagged = self
            .aplans
            .iter()
            .zip(&self.accounts)
            .any(|(p, a)| p.no_staff && a.status == AccountStatus::Customer);
        if !flagged {
            let candidates: Vec<usize> = (0..n)
                .filter(|&i| {
                    let a = &self.accounts[i];
                    a.status == AccountStatus::Customer
                        && matches!(a.kind, AccountKind::Practice | AccountKind::Clinic)
                })
                .collect();
            if !candidates.is_empty() {
                let i = candidates[below(&mut self.rng, candidates.len())];
                self.aplans[i].no_staff = true;
            }
        }
    }

    fn push_account(&mut self, n: usize, main: usize) {
        let rng = &mut self.rng;
        let law = main == WORKERS_COMP;
        let kind = if law {
            AccountKind::LawFirm
        } else {
            use AccountKind::*;
            match main {
                0 => weighted(
                    rng,
                    &[
                        (Practice, 60),
                        (Clinic, 15),
                        (ImagingCentre, 15),
                        (Hospital, 10),
                    ],
                ),
                1 => weighted(rng, &[(Practice, 60), (Clinic, 30), (Hospital, 10)]),
                2 => weighted(rng, &[(Practice, 55), (Clinic, 35), (Hospital, 10)]),
                3 => weighted(rng, &[(Clinic, 70), (Practice, 20), (Hospital, 10)]),
                4 => weighted(rng, &[(Practice, 60), (ImagingCentre, 25), (Hospital, 15)]),
                _ => TherapyPractice,
            }
        };
        let segment = if law {
            Segment::LawFirm
        } else {
            Segment::MedicalProvider
        };
        let mut specs = vec![main];
        if kind == AccountKind::Hospital {
            for _ in 0..1 + below(rng, 2) {
                let extra = below(rng, PHYSICAL_THERAPY + 1);
                if !specs.contains(&extra) {
                    specs.push(extra);
                }
            }
        }
        let spec_mask = specs.iter().fold(0u8, |m, s| m | 1 << s);

        let metro = self.metro;
        let (city, zip3, lat, lon, spread) = if chance(rng, 0.35) {
            (metro.city, metro.zip3, metro.lat, metro.lon, 0.09)
        } else {
            let s = pick(rng, metro.suburbs);
            (s.0, s.1, s.2, s.3, 0.035)
        };
        let suite = if chance(rng, 0.45) {
            format!(", Suite {}", 100 + below(rng, 400))
        } else {
            String::new()
        };
        let address = Address {
            street: format!(
                "{} {} {}{suite}",
                100 + below(rng, 9800),
                pick(rng, STREETS),
                pick(rng, STREET_SUFFIXES)
            ),
            city: city.into(),
            region: metro.region.into(),
            postal_code: format!("{zip3}{:02}", below(rng, 100)),
            lat: round5(lat + jitter(rng, spread)),
            lon: round5(lon + jitter(rng, spread * 1.3)),
        };

        let hours: &'static Hours = match kind {
            AccountKind::LawFirm => {
                if chance(rng, 0.6) {
                    &HOURS_LAW
                } else {
                    &HOURS_LAW_SHORT
                }
            }
            AccountKind::Hospital => &HOURS_HOSPITAL,
            _ => match weighted(rng, &[(0, 55), (1, 20), (2, 15), (3, 10)]) {
                0 => &HOURS_LUNCH_GAP,
                1 => &HOURS_EARLY,
                2 => &HOURS_LATE_GAP,
                _ => &HOURS_SATURDAY,
            },
        };
        let mut office_hours = WeekHours::weekdays(&ranges(hours.week));
        if !hours.saturday.is_empty() {
            office_hours.set(Weekday::Saturday, ranges(hours.saturday));
        }

        let access = weighted(
            rng,
            &[
                (AccessPolicy::Open, 75),
                (AccessPolicy::AppointmentOnly, 17),
                (AccessPolicy::NoVendorContact, 8),
            ],
        );
        let status = if chance(rng, 0.56) {
            AccountStatus::Customer
        } else {
            AccountStatus::Prospect
        };
        let front_desk_blocks = !law && chance(rng, 0.2);
        let no_staff = !law
            && matches!(kind, AccountKind::Practice | AccountKind::Clinic)
            && chance(rng, 0.12);

        // Pain points from the account's own segment (P25).
        let mut pool = self.pain_pools[usize::from(law)].clone();
        rng.shuffle(&mut pool);
        pool.truncate(2 + below(rng, 3));
        pool.sort_unstable();
        let pain_points: Vec<String> = pool.iter().map(|&i| self.pain_keys[i].clone()).collect();
        let pains = pool.iter().fold(0u64, |m, &i| m | 1 << i);

        // Some offices are well known, some barely: profile completeness varies (P24).
        let completeness = rng.f64() * 0.9;
        let mut profile = BTreeMap::new();
        let fill = |rng: &mut Rng| chance(rng, completeness);
        if fill(rng) {
            let v = if law {
                *pick(rng, &["Clio", "Filevine", "CASEpeer", "MyCase"])
            } else if main == PHYSICAL_THERAPY {
                *pick(rng, &["WebPT", "Raintree", "Epic"])
            } else {
                *pick(
                    rng,
                    &[
                        "Epic",
                        "athenahealth",
                        "eClinicalWorks",
                        "NextGen",
                        "Cerner",
                        "ModMed",
                    ],
                )
            };
            profile.insert(
                if law { "case-management" } else { "ehr" }.to_string(),
                v.to_string(),
            );
        }
        if fill(rng) {
            let v = if law {
                *pick(
                    rng,
                    &[
                        "Paralegal e-mails pharmacy referrals",
                        "Case manager phones them in",
                    ],
                )
            } else {
                *pick(
                    rng,
                    &[
                        "E-prescribes to the patient's pharmacy of choice",
                        "Faxes scripts; the MA phones them in",
                        "E-prescribes; the nurse handles refills",
                        "Hospital system routes to its own pharmacy first",
                    ],
                )
            };
            profile.insert("ordering-process".into(), v.into());
        }
        if fill(rng) {
            let v = *pick(
                rng,
                &[
                    "Lunch-and-learns on Tuesdays and Thursdays",
                    "No vendor lunches",
                    "Sign-up sheet at the front desk, two weeks out",
                    "Lunch only with the office manager's OK",
                ],
            );
            profile.insert("lunch-policy".into(), v.into());
        }
        if fill(rng) {
            let v = *pick(
                rng,
                &[
                    "Right after lunch",
                    "Last half hour before closing",
                    "Before the first appointment",
                    "Tuesday afternoons",
                ],
            );
            profile.insert("best-visit-time".into(), v.into());
        }
        if fill(rng) {
            if law {
                profile.insert(
                    "active-wc-cases".into(),
                    format!("about {}", 20 + below(rng, 180)),
                );
            } else {
                profile.insert(
                    "patient-volume".into(),
                    format!("about {} patients a week", 60 + 10 * below(rng, 35)),
                );
            }
        }

        let name = self.account_name(kind, main, city);
        let phone = format!(
            "({}) 555-01{:02}",
            self.metro.area_code,
            below(&mut self.rng, 100)
        );
        let domain = domain_of(&name);
        self.accounts.push(Account {
            id: AccountId(self.rep_index as i64 * ACCOUNT_ID_STRIDE + n as i64 + 1),
            name,
            rep: self.rep,
            kind,
            segment,
            specialties: specs.iter().map(|&s| self.specialties[s].clone()).collect(),
            address,
            tz: self.tz_name.clone(),
            office_hours,
            visit_windows: ranges(hours.visit),
            front_desk_blocks,
            access,
            status,
            profile,
            pain_points,
        });
        self.aplans.push(AccountPlan {
            hours,
            spec_mask,
            main_spec: main,
            pains,
            no_staff,
            phone,
            domain,
            completeness,
            lost: None,
            competitor: None,
            no_fit: None,
            contacts: 0..0,
        });
    }

    fn account_name(&mut self, kind: AccountKind, main: usize, city: &str) -> String {
        for attempt in 0..8 {
            let template = *pick(&mut self.rng, name_templates(kind, main));
            let base = self.fill_template(template, city);
            let name = if attempt < 5 {
                base
            } else {
                format!("{base} ({city})")
            };
            if self.names.insert(name.clone()) {
                return name;
            }
        }
        // Only a very crowded territory gets here; the number keeps names distinct.
        let template = *pick(&mut self.rng, name_templates(kind, main));
        let name = format!(
            "{} #{}",
            self.fill_template(template, city),
            self.accounts.len() + 1
        );
        self.names.insert(name.clone());
        name
    }

    fn fill_template(&mut self, template: &str, city: &str) -> String {
        let rng = &mut self.rng;
        let mut s = template.to_string();
        if s.contains("{place}") {
            let place = if chance(rng, 0.3) {
                city
            } else {
                *pick(rng, PLACES)
            };
            s = s.replace("{place}", place);
        }
        s = s.replace("{city}", city);
        if s.contains("{saint}") {
            let saint = *pick(rng, SAINTS);
            s = s.replace("{saint}", saint);
        }
        let first = *pick(rng, FIRST_NAMES);
        let s1 = *pick(rng, SURNAMES);
        let mut s2 = *pick(rng, SURNAMES);
        while s2 == s1 {
            s2 = *pick(rng, SURNAMES);
        }
        let mut s3 = *pick(rng, SURNAMES);
        while s3 == s1 || s3 == s2 {
            s3 = *pick(rng, SURNAMES);
        }
        s.replace("{s1}", s1)
            .replace("{s2}", s2)
            .replace("{s3}", s3)
            .replace("{first}", first)
    }

    /// Lost accounts (P15–P17) and abandoned pursuits (P31): a handful per territory, the
    /// first loss recent enough that the feedback call is still due (P16).
    fn choose_losses(&mut self) {
        let n = self.accounts.len();
        if n < 8 {
            return;
        }
        let lost = 2 + n * 2 / 100;
        let no_fit = 1 + n / 100;
        let mut order: Vec<usize> = (0..n).collect();
        self.rng.shuffle(&mut order);
        for (k, &i) in order.iter().take(lost).enumerate() {
            // The second loss is old enough to have had its feedback call and some nurture.
            let day = match k {
                0 => self.day_ago(5, 12),
                1 => self.day_ago(60, 200),
                _ => self.day_ago(15, 200),
            };
            let reason = weighted(
                &mut self.rng,
                &[
                    (LossReason::Pricing, 25),
                    (LossReason::CompetitorWonContract, 25),
                    (LossReason::LostContract, 15),
                    (LossReason::CustomerService, 15),
                    (LossReason::ProductQuality, 10),
                    (LossReason::Other, 10),
                ],
            );
            // Most losses to a named rival are known by name; some are not.
            let named = match reason {
                LossReason::CompetitorWonContract | LossReason::Pricing => 0.9,
                LossReason::CustomerService | LossReason::ProductQuality => 0.4,
                _ => 0.0,
            };
            if chance(&mut self.rng, named) {
                self.aplans[i].competitor = Some(*pick(&mut self.rng, COMPETITORS));
            }
            self.accounts[i].status = AccountStatus::Lost;
            self.aplans[i].lost = Some((day, reason));
        }
        for &i in order.iter().skip(lost).take(no_fit) {
            let day = self.day_ago(20, 150);
            self.accounts[i].status = AccountStatus::NoFit;
            self.aplans[i].no_fit = Some(day);
        }
    }

    // ---- contacts ------------------------------------------------------------------

    fn build_contacts(&mut self) {
        let n = self.accounts.len();
        let weights: Vec<f64> = (0..n)
            .map(|i| {
                let k = match self.accounts[i].kind {
                    AccountKind::Hospital => 1.8,
                    AccountKind::Clinic => 1.15,
                    AccountKind::TherapyPractice | AccountKind::ImagingCentre => 0.8,
                    AccountKind::LawFirm => 0.85,
                    _ => 1.0,
                };
                k * (0.7 + 0.6 * self.rng.f64())
            })
            .collect();
        let sum: f64 = weights.iter().sum();
        let total = n as f64 * self.spec.contacts_per_account;
        // Systematic rounding: the territory gets the requested total, each account its share.
        let mut acc = self.rng.f64();
        for (ai, w) in weights.iter().enumerate() {
            let before = acc.floor();
            acc += w / sum * total;
            let count = ((acc.floor() - before) as usize).max(1);
            let start = self.contacts.len();
            for role in self.roles_for(ai, count) {
                self.push_contact(ai, role);
            }
            self.aplans[ai].contacts = start..self.contacts.len();
            self.name_decision_maker(ai);
        }
    }

    /// The people at one office, in the order a rep would meet them. Law firms have
    /// attorneys, paralegals and case managers; practices a physician and an office
    /// manager first, then a mix of front desk, nurses, more physicians and an
    /// administrator. Offices flagged `no_staff` have physicians and a front desk only,
    /// so P11 has practices to flag.
    fn roles_for(&mut self, ai: usize, count: usize) -> Vec<ContactRole> {
        let a = &self.accounts[ai];
        if a.segment == Segment::LawFirm {
            const LAW_ROLES: [ContactRole; 6] = [
                Attorney,
                Paralegal,
                CaseManager,
                Attorney,
                CaseManager,
                Paralegal,
            ];
            return (0..count).map(|j| LAW_ROLES[j % LAW_ROLES.len()]).collect();
        }
        if self.aplans[ai].no_staff {
            const NO_STAFF: [ContactRole; 3] = [Physician, FrontDesk, Physician];
            return (0..count).map(|j| NO_STAFF[j % NO_STAFF.len()]).collect();
        }
        let large = matches!(
            a.kind,
            AccountKind::Hospital | AccountKind::Clinic | AccountKind::ImagingCentre
        );
        let mut bag = vec![
            FrontDesk,
            HeadNurse,
            Physician,
            if large {
                PracticeAdministrator
            } else {
                HeadNurse
            },
        ];
        self.rng.shuffle(&mut bag);
        const LATER: [ContactRole; 4] = [Physician, HeadNurse, FrontDesk, Physician];
        [Physician, OfficeManager]
            .into_iter()
            .chain(bag)
            .chain((0..).map(|j| LATER[j % LATER.len()]))
            .take(count)
            .collect()
    }

    fn push_contact(&mut self, ai: usize, role: ContactRole) {
        let plan = &self.aplans[ai];
        let account = &self.accounts[ai];
        let rng = &mut self.rng;
        let first = *pick(rng, FIRST_NAMES);
        let last = *pick(rng, SURNAMES);
        let influence = match role {
            Physician => {
                if chance(rng, 0.55) {
                    Influence::DecisionMaker
                } else {
                    Influence::Influencer
                }
            }
            Attorney => {
                if chance(rng, 0.7) {
                    Influence::DecisionMaker
                } else {
                    Influence::Influencer
                }
            }
            OfficeManager => {
                if chance(rng, 0.2) {
                    Influence::DecisionMaker
                } else {
                    Influence::Influencer
                }
            }
            PracticeAdministrator => {
                if chance(rng, 0.6) {
                    Influence::DecisionMaker
                } else {
                    Influence::Influencer
                }
            }
            HeadNurse | CaseManager => {
                if chance(rng, 0.55) {
                    Influence::Influencer
                } else {
                    Influence::User
                }
            }
            Paralegal => {
                if chance(rng, 0.7) {
                    Influence::User
                } else {
                    Influence::Gatekeeper
                }
            }
            _ => Influence::Gatekeeper,
        };
        // Physicians at a multi-specialty hospital practise one of its specialties.
        let spec_index = match role {
            Physician => {
                let options: Vec<usize> = (0..SPECIALTIES.len())
                    .filter(|s| plan.spec_mask & (1 << s) != 0)
                    .collect();
                Some(options[below(rng, options.len())])
            }
            Attorney => Some(WORKERS_COMP),
            _ => None,
        };
        let name = match (role, spec_index) {
            (Physician, Some(PHYSICAL_THERAPY)) => format!("{first} {last}, DPT"),
            (Physician, _) => format!(
                "{first} {last}, {}",
                if chance(rng, 0.15) { "DO" } else { "MD" }
            ),
            _ => format!("{first} {last}"),
        };
        let department = if account.kind == AccountKind::Hospital {
            Some(match role {
                Physician => SPECIALTY_TITLES[spec_index.unwrap_or(plan.main_spec)].to_string(),
                HeadNurse => "Nursing".into(),
                FrontDesk => "Front office".into(),
                _ => "Administration".into(),
            })
        } else if account.segment == Segment::LawFirm {
            Some("Workers' compensation".into())
        } else {
            None
        };
        let email = if role == FrontDesk && chance(rng, 0.5) {
            Some(format!("frontdesk@{}", plan.domain))
        } else if chance(rng, 0.92) {
            Some(format!("{}.{}@{}", slug(first), slug(last), plan.domain))
        } else {
            None
        };
        let office_phone = chance(rng, 0.95).then(|| plan.phone.clone());
        let extension = (office_phone.is_some() && role != FrontDesk && chance(rng, 0.8))
            .then(|| format!("{}", 100 + below(rng, 400)));
        let cell_p = match role {
            FrontDesk => 0.1,
            Physician | Attorney => 0.4,
            _ => 0.5,
        };
        let cell = chance(rng, cell_p)
            .then(|| format!("({}) 555-01{:02}", self.metro.area_code, below(rng, 100)));
        let linkedin_p = match role {
            FrontDesk | Paralegal => 0.1,
            Physician | Attorney | PracticeAdministrator => 0.4,
            _ => 0.3,
        };
        let linkedin = chance(rng, linkedin_p).then(|| {
            format!(
                "https://www.linkedin.com/in/demo-{}-{}",
                slug(first),
                slug(last)
            )
        });
        let channels = ContactChannels {
            cell,
            email,
            office_phone,
            extension,
            linkedin,
        };
        let mut contact = Contact {
            id: ContactId(
                self.rep_index as i64 * CONTACT_ID_STRIDE + self.contacts.len() as i64 + 1,
            ),
            account: account.id,
            name,
            role,
            influence,
            department,
            specialty: spec_index.map(|s| self.specialties[s].clone()),
            channels,
            preferred_channel: None,
            opt_outs: vec![],
        };
        if chance(rng, 0.05) {
            let out = if contact.channels.cell.is_some() {
                Channel::Text
            } else {
                Channel::Email
            };
            contact.opt_outs.push(out);
        }
        if chance(rng, 0.3) {
            let options: Vec<Channel> = [
                Channel::Email,
                Channel::Call,
                Channel::Text,
                Channel::Visit,
                Channel::Linkedin,
            ]
            .into_iter()
            .filter(|c| contact.can_use(*c))
            .collect();
            contact.preferred_channel = options.get(below(rng, options.len())).copied();
        }
        let topics = self.relevant_topics(ai, role, spec_index);
        let (channels, channel_count) = Self::channel_table(self.accounts[ai].access, &contact);
        self.contacts.push(contact);
        self.cplans.push(ContactPlan {
            account: ai,
            topics,
            cursor: 0,
            referring: None,
            scenario: Scenario::None,
            budget: 0,
            has_met: false,
            channels,
            channel_count,
        });
    }

    fn relevant_topics(
        &self,
        ai: usize,
        role: ContactRole,
        spec_index: Option<usize>,
    ) -> Vec<TopicId> {
        let plan = &self.aplans[ai];
        let seg = segment_bit(self.accounts[ai].segment);
        let spec_mask = spec_index.map_or(plan.spec_mask, |s| 1 << s);
        let rb = role_bit(role);
        let mut matching = Vec::new();
        let mut others = Vec::new();
        for (i, m) in self.masks.iter().enumerate() {
            // New content has never been discussed: that is what makes it a reason (P3).
            if m.is_new
                || m.segments & seg == 0
                || (m.specialties != 0 && m.specialties & spec_mask == 0)
                || (m.roles != 0 && m.roles & rb == 0)
            {
                continue;
            }
            let id = TopicId(i as i64 + 1);
            if m.pains & plan.pains != 0 {
                matching.push(id)
            } else {
                others.push(id)
            }
        }
        matching.extend(others);
        matching
    }

    fn name_decision_maker(&mut self, ai: usize) {
        let plan = &self.aplans[ai];
        if !chance(&mut self.rng, plan.completeness) {
            return;
        }
        let dm = self.contacts[plan.contacts.clone()]
            .iter()
            .find(|c| c.influence == Influence::DecisionMaker);
        if let Some(c) = dm {
            let name = c.name.clone();
            self.accounts[ai]
                .profile
                .insert("decision-maker".into(), name);
        }
    }

    // ---- referral trends and scenarios ---------------------------------------------

    fn choose_referral_trends(&mut self) {
        let mut customers = Vec::new();
        for ci in 0..self.contacts.len() {
            let ai = self.cplans[ci].account;
            let a = &self.accounts[ai];
            if a.segment != Segment::MedicalProvider || self.contacts[ci].role != Physician {
                continue;
            }
            // Between one referral a month and two a week per business day's chance.
            let rate = 0.05 + 0.4 * self.rng.f64();
            match (a.status, self.aplans[ai].lost) {
                (AccountStatus::Customer, _) => {
                    customers.push(ci);
                    self.cplans[ci].referring = Some(Referring {
                        rate,
                        trend: Trend::Steady,
                        change: self.past,
                    });
                }
                (AccountStatus::Lost, Some((day, _))) => {
                    self.cplans[ci].referring = Some(Referring {
                        rate,
                        trend: Trend::Ended,
                        change: day,
                    });
                }
                _ => {}
            }
        }
        self.rng.shuffle(&mut customers);
        let drops = if customers.len() >= 5 {
            (customers.len() * 12 / 100).max(2)
        } else {
            0
        };
        let silent = if customers.len() >= 5 {
            (customers.len() * 5 / 100).max(1)
        } else {
            0
        };
        let drop_from = self.ago.partition_point(|a| *a > 30);
        for (k, &ci) in customers.iter().take(drops + silent).enumerate() {
            let (trend, change) = if k < drops {
                (Trend::Drop, drop_from)
            } else {
                (Trend::Silent, self.day_ago(30, 45))
            };
            // Busy referrers, so that the drop stands out against their own baseline (P9).
            let rate = 0.35 + 0.45 * self.rng.f64();
            self.cplans[ci].referring = Some(Referring {
                rate,
                trend,
                change,
            });
        }
    }

    fn choose_scenarios(&mut self) {
        let n = self.accounts.len();
        if n == 0 {
            return;
        }
        let active = |g: &Self, ci: usize| {
            let a = &g.accounts[g.cplans[ci].account];
            matches!(a.status, AccountStatus::Customer | AccountStatus::Prospect)
                && a.access != AccessPolicy::NoVendorContact
        };
        let phone = |g: &Self, ci: usize| {
            g.contacts[ci].can_use(Channel::Call) && g.contacts[ci].role != FrontDesk
        };
        let medical = |g: &Self, ci: usize| {
            g.accounts[g.cplans[ci].account].segment == Segment::MedicalProvider
        };
        let status = |g: &Self, ci: usize| g.accounts[g.cplans[ci].account].status;
        let referrer = |g: &Self, ci: usize| {
            matches!(
                g.contacts[ci].role,
                Physician | OfficeManager | PracticeAdministrator
            )
        };
        let steady = |g: &Self, ci: usize| {
            g.cplans[ci]
                .referring
                .as_ref()
                .is_some_and(|r| r.trend == Trend::Steady)
        };
        let colleagues = |g: &Self, ci: usize| g.aplans[g.cplans[ci].account].contacts.len() >= 2;

        self.choose(
            1,
            Scenario::CallbackToday {
                hour: 14,
                minute: 30,
            },
            |g, ci| active(g, ci) && phone(g, ci) && status(g, ci) == AccountStatus::Customer,
        );
        if n >= 40 {
            self.choose(
                1,
                Scenario::CallbackToday {
                    hour: 10,
                    minute: 30,
                },
                |g, ci| active(g, ci) && phone(g, ci),
            );
        }
        self.choose(1 + n / 50, Scenario::CallbackSoon, |g, ci| {
            active(g, ci) && phone(g, ci)
        });
        self.choose(1, Scenario::MeetingYesterday, |g, ci| {
            active(g, ci)
                && medical(g, ci)
                && referrer(g, ci)
                && status(g, ci) == AccountStatus::Customer
        });
        self.choose(1 + n / 60, Scenario::MeetingWithoutNextStep, |g, ci| {
            active(g, ci) && medical(g, ci) && referrer(g, ci)
        });
        self.choose(1 + n / 50, Scenario::SilentAfterMeeting, |g, ci| {
            active(g, ci)
                && medical(g, ci)
                && g.contacts[ci].role == Physician
                && status(g, ci) == AccountStatus::Prospect
        });
        self.choose(
            1 + n / 120,
            Scenario::ThankYouDue { order: false },
            |g, ci| active(g, ci) && steady(g, ci),
        );
        self.choose(
            1 + n / 120,
            Scenario::ThankYouDue { order: true },
            |g, ci| {
                active(g, ci)
                    && status(g, ci) == AccountStatus::Customer
                    && g.cplans[ci].referring.is_none()
            },
        );
        self.choose(2 + n / 40, Scenario::DeadEnd, |g, ci| {
            active(g, ci) && status(g, ci) == AccountStatus::Prospect && colleagues(g, ci)
        });
        self.choose(1, Scenario::CadenceOver { breakup: true }, |g, ci| {
            active(g, ci)
                && status(g, ci) == AccountStatus::Prospect
                && g.contacts[ci].can_use(Channel::Email)
        });
        self.choose(
            1 + n / 80,
            Scenario::CadenceOver { breakup: false },
            |g, ci| active(g, ci) && status(g, ci) == AccountStatus::Prospect,
        );
    }

    fn choose(&mut self, want: usize, scenario: Scenario, ok: impl Fn(&Self, usize) -> bool) {
        let mut candidates: Vec<usize> = (0..self.contacts.len())
            .filter(|&ci| self.cplans[ci].scenario == Scenario::None && ok(self, ci))
            .collect();
        for k in 0..want.min(candidates.len()) {
            let j = k + below(&mut self.rng, candidates.len() - k);
            candidates.swap(k, j);
            self.cplans[candidates[k]].scenario = scenario;
        }
    }

    /// Shares the requested number of touches among contacts: customers and people who
    /// can move an account get more attention, and a few prospects none yet.
    fn assign_budgets(&mut self) {
        let n = self.contacts.len();
        if n == 0 {
            return;
        }
        let mut weights = Vec::with_capacity(n);
        for ci in 0..n {
            let a = &self.accounts[self.cplans[ci].account];
            let status = match a.status {
                AccountStatus::Customer => 1.25,
                AccountStatus::Prospect => 0.85,
                AccountStatus::Lost => 0.8,
                AccountStatus::NoFit => 0.5,
            };
            let role = match self.contacts[ci].role {
                Physician | Attorney => 1.2,
                OfficeManager => 1.1,
                CaseManager => 1.0,
                PracticeAdministrator => 0.9,
                HeadNurse => 0.8,
                Paralegal => 0.7,
                FrontDesk => 0.5,
                _ => 0.6,
            };
            let access = match a.access {
                AccessPolicy::Open => 1.0,
                AccessPolicy::AppointmentOnly => 0.85,
                AccessPolicy::NoVendorContact => 0.45,
            };
            let untouched = a.status == AccountStatus::Prospect
                && self.cplans[ci].scenario == Scenario::None
                && chance(&mut self.rng, 0.06);
            let noise = 0.5 + self.rng.f64();
            weights.push(if untouched {
                0.0
            } else {
                status * role * access * noise
            });
        }
        let sum: f64 = weights.iter().sum();
        let total = (n as f64 * self.spec.touches_per_contact).round();
        if sum <= 0.0 {
            return;
        }
        // Staged tails add a little on top of the budgets; growing a vector of large touches
        // by doubling would copy them several times.
        self.touches
            .reserve(total as usize + total as usize / 10 + 64);
        let mut acc = self.rng.f64();
        for (ci, w) in weights.iter().enumerate() {
            let before = acc.floor();
            acc += w / sum * total;
            self.cplans[ci].budget = (acc.floor() - before) as usize;
        }
    }

    // ---- touches -------------------------------------------------------------------

    fn blank(
        &self,
        ci: usize,
        day: usize,
        minute: u16,
        channel: Channel,
        outcome: Outcome,
        kind: TouchKind,
    ) -> Touch {
        let c = &self.contacts[ci];
        Touch {
            id: TouchId(0),
            at: self.at(day, minute),
            rep: self.rep,
            contact: c.id,
            account: c.account,
            channel,
            direction: Direction::Outbound,
            outcome,
            kind,
            primary_topic: None,
            topics: vec![],
            explain_better: vec![],
            next_step: None,
            callback_at: None,
            note: String::new(),
        }
    }

    /// The topic this contact is due to hear about next.
    fn planned_topic(&self, ci: usize) -> Option<TopicId> {
        let p = &self.cplans[ci];
        (!p.topics.is_empty()).then(|| p.topics[p.cursor % p.topics.len()])
    }

    /// Records what came up in a conversation: the planned topic, sometimes one more the
    /// contact raised (P4), sometimes a topic to explain better next time (P3).
    fn discuss(&mut self, ci: usize, t: &mut Touch) {
        let rng = &mut self.rng;
        let p = &mut self.cplans[ci];
        if p.topics.is_empty() {
            return;
        }
        let len = p.topics.len();
        let primary = p.topics[p.cursor % len];
        t.primary_topic = Some(primary);
        t.topics = vec![primary];
        let mut step = 1;
        if len > 1 && chance(rng, 0.2) {
            t.topics.push(p.topics[(p.cursor + 1) % len]);
            step = 2;
        }
        if chance(rng, 0.07) {
            t.explain_better = vec![primary];
            step -= 1;
        }
        p.cursor += step;
    }

    fn next_step(&mut self, ci: usize, day: usize, lo: usize, hi: usize) -> NextStep {
        let law = self.accounts[self.cplans[ci].account].segment == Segment::LawFirm;
        let what = *pick(
            &mut self.rng,
            if law {
                NEXT_STEPS_LAW
            } else {
                NEXT_STEPS_MEDICAL
            },
        );
        let due = (day + lo + below(&mut self.rng, hi - lo + 1)).min(self.days.len() - 1);
        NextStep {
            what: what.into(),
            due: self.days[due],
        }
    }

    fn note(&mut self, ci: usize) -> String {
        let law = self.accounts[self.cplans[ci].account].segment == Segment::LawFirm;
        (*pick(&mut self.rng, if law { NOTES_LAW } else { NOTES_MEDICAL })).to_string()
    }

    /// A local minute inside office hours that suits the channel: e-mails mostly in the
    /// P39 windows, visits mostly in the visit windows (always there if the front desk
    /// blocks), leaving room for a short visit before a range closes.
    fn minute_for(&mut self, ai: usize, channel: Channel) -> u16 {
        let hours = self.aplans[ai].hours;
        let rng = &mut self.rng;
        let inside = |m: u16, room: u16| {
            hours
                .week
                .iter()
                .any(|&(a, b, c, d)| m >= mins(a, b) && m + room <= mins(c, d))
        };
        match channel {
            Channel::Email if chance(rng, 0.6) => {
                let m = (if chance(rng, 0.6) { 600 } else { 780 }) + rng.u16(..55);
                if inside(m, 5) {
                    return m;
                }
            }
            Channel::Visit => {
                let p = if self.accounts[ai].front_desk_blocks {
                    0.9
                } else {
                    0.4
                };
                if chance(rng, p) {
                    let shift = below(rng, hours.visit.len());
                    for k in 0..hours.visit.len() {
                        let (a, b, c, d) = hours.visit[(k + shift) % hours.visit.len()];
                        for &(oa, ob, oc, od) in hours.week {
                            let lo = mins(a, b).max(mins(oa, ob));
                            let hi = mins(c, d).min(mins(oc, od));
                            if hi >= lo + 20 {
                                return lo + rng.u16(..(hi - lo - 15));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        let room: u16 = if channel == Channel::Visit { 20 } else { 5 };
        let total: u16 = hours
            .week
            .iter()
            .map(|&(a, b, c, d)| mins(c, d) - mins(a, b) - room)
            .sum();
        let mut x = rng.u16(..total);
        for &(a, b, c, d) in hours.week {
            let span = mins(c, d) - mins(a, b) - room;
            if x < span {
                return mins(a, b) + x;
            }
            x -= span;
        }
        mins(hours.week[0].0, hours.week[0].1)
    }

    fn pick_channel(&mut self, ci: usize) -> Channel {
        let p = &self.cplans[ci];
        if p.channel_count == 0 {
            return Channel::Letter;
        }
        weighted(&mut self.rng, &p.channels[..p.channel_count])
    }

    /// The channel mix for one contact: what the office's access policy allows, limited to
    /// the channels the contact can be reached on. Computed once per contact.
    fn channel_table(access: AccessPolicy, c: &Contact) -> ([(Channel, u32); 8], usize) {
        use Channel::*;
        let table: &[(Channel, u32)] = match access {
            AccessPolicy::Open => &[
                (Visit, 30),
                (Call, 20),
                (Voicemail, 10),
                (Email, 22),
                (Text, 6),
                (Linkedin, 5),
                (HandwrittenNote, 3),
                (VirtualMeeting, 2),
            ],
            AccessPolicy::AppointmentOnly => &[
                (Visit, 12),
                (Call, 22),
                (Voicemail, 12),
                (Email, 30),
                (Text, 4),
                (Linkedin, 6),
                (HandwrittenNote, 4),
                (VirtualMeeting, 10),
            ],
            // No drop-ins, no cold calls (P6): written requests for a meeting instead.
            AccessPolicy::NoVendorContact => &[
                (Email, 50),
                (Letter, 15),
                (Linkedin, 20),
                (HandwrittenNote, 15),
            ],
        };
        let mut usable = [(Visit, 0u32); 8];
        let mut k = 0;
        for &(ch, w) in table {
            if c.can_use(ch) {
                usable[k] = (ch, w);
                k += 1;
            }
        }
        (usable, k)
    }

    fn contact_touches(&mut self, ci: usize) {
        let ai = self.cplans[ci].account;
        let plan = &self.aplans[ai];
        let first_contact = plan.contacts.start == ci;
        let second = plan.contacts.start + 1 == ci;
        let stop = plan
            .lost
            .map(|(d, _)| d)
            .or(plan.no_fit)
            .unwrap_or(self.past);
        let (lost, no_fit) = (plan.lost, plan.no_fit);
        let status = self.accounts[ai].status;

        let mut tail = self.scenario_tail(ci);
        if let Some((day, reason)) = lost {
            tail.extend(self.lost_tail(ci, day, reason, first_contact, second));
        }
        if let (Some(day), true) = (no_fit, first_contact) {
            let minute = self.minute_for(ai, Channel::Call);
            let channel = if self.accounts[ai].access == AccessPolicy::NoVendorContact {
                Channel::Email
            } else {
                Channel::Call
            };
            let mut t = self.blank(
                ci,
                day,
                minute,
                channel,
                Outcome::Negative,
                TouchKind::Routine,
            );
            self.discuss(ci, &mut t);
            t.next_step = Some(NextStep {
                what: "Close the pursuit: not a fit".into(),
                due: self.days[day],
            });
            t.note = "Not a fit for us; stopping the cadence".into();
            tail.push(t);
        }
        let tail_start = tail.iter().map(|t| t.at).min();
        let end = match tail_start {
            // Scenario tails are the contact's latest history; the random part ends before.
            Some(ts) if self.cplans[ci].scenario != Scenario::None => self
                .base
                .partition_point(|b| *b + 86_400 <= ts.as_second())
                .min(stop),
            _ => stop,
        };
        let mut n = self.cplans[ci].budget.saturating_sub(tail.len());
        if matches!(self.cplans[ci].scenario, Scenario::CadenceOver { .. }) {
            n = 0;
        }
        let start = match status {
            AccountStatus::Customer | AccountStatus::Lost if chance(&mut self.rng, 0.8) => 0,
            AccountStatus::Customer | AccountStatus::Lost => below(&mut self.rng, end * 3 / 10 + 1),
            _ => below(&mut self.rng, end * 3 / 4 + 1),
        };
        self.random_part(ci, start, end, n);
        self.touches.extend(tail);
    }

    /// `n` touches spread over business days `start..end`, one per stratum so the rhythm
    /// looks like a rep's cadence rather than a uniform scatter.
    fn random_part(&mut self, ci: usize, start: usize, end: usize, n: usize) {
        if end <= start || n == 0 {
            return;
        }
        let n = n.min(end - start);
        let width = (end - start) as f64 / n as f64;
        let mut prev: Option<usize> = None;
        let mut follow: Option<(TouchKind, Option<TopicId>)> = None;
        for k in 0..n {
            let mut day = start + ((k as f64 + self.rng.f64()) * width) as usize;
            if let Some(p) = prev {
                day = day.max(p + 1);
                if follow.is_some() {
                    // Confirmations and thank-yous go out the next business day (P34, P37).
                    day = p + 1;
                }
            }
            if day >= end {
                break;
            }
            prev = Some(day);
            let t = match follow.take() {
                Some((kind, topic)) => self.follow_up(ci, day, kind, topic),
                None => {
                    let (t, next) = self.random_touch(ci, day);
                    follow = next;
                    t
                }
            };
            self.touches.push(t);
        }
    }

    fn random_touch(
        &mut self,
        ci: usize,
        day: usize,
    ) -> (Touch, Option<(TouchKind, Option<TopicId>)>) {
        let ai = self.cplans[ci].account;
        let channel = self.pick_channel(ci);
        let minute = self.minute_for(ai, channel);
        let a = &self.accounts[ai];
        let (status, access, segment) = (a.status, a.access, a.segment);
        let role = self.contacts[ci].role;
        let base: f64 = match status {
            AccountStatus::Customer => 0.72,
            AccountStatus::Lost => 0.6,
            _ => 0.38,
        };
        let factor = match channel {
            Channel::Visit => 1.2,
            Channel::VirtualMeeting => 1.25,
            Channel::Call => 0.85,
            Channel::Text => 0.9,
            Channel::Email => 0.7,
            Channel::Linkedin => 0.45,
            Channel::Letter => 0.2,
            Channel::HandwrittenNote => 0.15,
            Channel::Voicemail => 0.0,
        };
        let no_see = access == AccessPolicy::NoVendorContact;
        let p = (base * factor * if no_see { 0.4 } else { 1.0 }).min(0.95);
        let answered = chance(&mut self.rng, p);
        let written_request = no_see
            && matches!(channel, Channel::Email | Channel::Letter)
            && chance(&mut self.rng, 0.6);

        if !answered {
            let kind = if written_request {
                TouchKind::MeetingRequest
            } else {
                TouchKind::Routine
            };
            let mut t = self.blank(ci, day, minute, channel, Outcome::NoResponse, kind);
            t.primary_topic = self.planned_topic(ci);
            t.note = no_response_note(channel).into();
            return (t, None);
        }

        let refers_now = self.cplans[ci]
            .referring
            .as_ref()
            .is_some_and(|r| r.trend == Trend::Steady || day < r.change);
        let live = matches!(
            channel,
            Channel::Visit | Channel::Call | Channel::VirtualMeeting
        );
        let customer = matches!(status, AccountStatus::Customer | AccountStatus::Lost);
        let (conversation, positive, negative) = if customer { (50, 35, 5) } else { (60, 25, 12) };
        let referral = if refers_now && live { 8 } else { 0 };
        let order = if customer && live && role != Physician {
            5
        } else {
            0
        };
        let outcomes = [
            (Outcome::Conversation, conversation),
            (Outcome::Positive, positive),
            (Outcome::Negative, negative),
            (Outcome::Referral, referral),
            (Outcome::Order, order),
        ];
        let outcome = weighted(&mut self.rng, &outcomes);
        let medical = segment == Segment::MedicalProvider;
        let kind = if written_request {
            TouchKind::MeetingRequest
        } else if channel == Channel::Visit
            && status == AccountStatus::Prospect
            && !self.cplans[ci].has_met
        {
            TouchKind::FirstMeeting
        } else if channel == Channel::Visit
            && medical
            && matches!(role, Physician | OfficeManager | PracticeAdministrator)
            && chance(&mut self.rng, 0.12)
        {
            TouchKind::ReferralMeeting
        } else if customer
            && channel == Channel::Visit
            && outcome == Outcome::Positive
            && chance(&mut self.rng, 0.1)
        {
            TouchKind::ReferralAsk
        } else if refers_now && channel == Channel::Call && chance(&mut self.rng, 0.05) {
            TouchKind::RecordsCheck
        } else {
            TouchKind::Routine
        };
        if channel == Channel::Visit {
            self.cplans[ci].has_met = true;
        }
        let mut t = self.blank(ci, day, minute, channel, outcome, kind);
        if chance(&mut self.rng, 0.1)
            && matches!(channel, Channel::Call | Channel::Email | Channel::Text)
        {
            t.direction = Direction::Inbound;
        }
        self.discuss(ci, &mut t);
        // Most conversations end with a next step; some are left without one (P33). A
        // referral meeting in the ordinary history always has one (P12 cases are staged).
        if kind == TouchKind::ReferralMeeting || chance(&mut self.rng, 0.85) {
            t.next_step = Some(self.next_step(ci, day, 2, 15));
        }
        if chance(&mut self.rng, 0.5) {
            t.note = self.note(ci);
        }
        if outcome == Outcome::Referral {
            self.forced_referrals.push((ci, day));
        }
        let follow = if kind == TouchKind::ReferralMeeting && chance(&mut self.rng, 0.85) {
            Some((TouchKind::Confirmation, t.primary_topic))
        } else if matches!(outcome, Outcome::Referral | Outcome::Order)
            && chance(&mut self.rng, 0.8)
        {
            Some((TouchKind::ThankYou, t.primary_topic))
        } else {
            None
        };
        (t, follow)
    }

    fn follow_up(
        &mut self,
        ci: usize,
        day: usize,
        kind: TouchKind,
        topic: Option<TopicId>,
    ) -> Touch {
        let ai = self.cplans[ci].account;
        let c = &self.contacts[ci];
        let channel = if kind == TouchKind::ThankYou && chance(&mut self.rng, 0.6) {
            Channel::HandwrittenNote
        } else if c.can_use(Channel::Email) {
            Channel::Email
        } else {
            Channel::HandwrittenNote
        };
        let minute = self.minute_for(ai, channel);
        let replied = channel == Channel::Email && chance(&mut self.rng, 0.35);
        let outcome = if replied {
            Outcome::Conversation
        } else {
            Outcome::NoResponse
        };
        let mut t = self.blank(ci, day, minute, channel, outcome, kind);
        t.primary_topic = topic;
        if replied {
            t.topics = topic.into_iter().collect();
            t.next_step = Some(self.next_step(ci, day, 3, 15));
        }
        t.note = match kind {
            TouchKind::Confirmation => "Confirmed how they will use us and the next steps".into(),
            _ => "Thank-you for the referral".into(),
        };
        t
    }

    fn scenario_tail(&mut self, ci: usize) -> Vec<Touch> {
        let ai = self.cplans[ci].account;
        let last = self.last_day();
        let today = self.spec.today;
        match self.cplans[ci].scenario {
            Scenario::None => vec![],
            Scenario::CallbackToday { hour, minute } => {
                let day = last.saturating_sub(below(&mut self.rng, 3));
                let m = self.minute_for(ai, Channel::Call);
                let mut t = self.blank(
                    ci,
                    day,
                    m,
                    Channel::Call,
                    Outcome::Conversation,
                    TouchKind::Routine,
                );
                self.discuss(ci, &mut t);
                t.next_step = Some(NextStep {
                    what: "Call back at the agreed time".into(),
                    due: today,
                });
                t.callback_at = Some(self.local(today, hour, minute));
                t.note = "Between patients; asked for a call back at a set time".into();
                vec![t]
            }
            Scenario::CallbackSoon => {
                let day = last.saturating_sub(below(&mut self.rng, 4));
                let mut when = self.past + below(&mut self.rng, 5);
                if self.days[when] == today {
                    when += 1;
                }
                let date = self.days[when];
                let slot = self.minute_for(ai, Channel::Call) / 15 * 15;
                let m = self.minute_for(ai, Channel::Call);
                let mut t = self.blank(
                    ci,
                    day,
                    m,
                    Channel::Call,
                    Outcome::Positive,
                    TouchKind::Routine,
                );
                self.discuss(ci, &mut t);
                t.next_step = Some(NextStep {
                    what: "Call back at the agreed time".into(),
                    due: date,
                });
                t.callback_at = Some(self.local(date, (slot / 60) as i8, (slot % 60) as i8));
                t.note = "Wants to talk it through properly; agreed a time for a call back".into();
                vec![t]
            }
            Scenario::MeetingYesterday => {
                let m = self.minute_for(ai, Channel::Visit);
                let mut t = self.blank(
                    ci,
                    last,
                    m,
                    Channel::Visit,
                    Outcome::Positive,
                    TouchKind::ReferralMeeting,
                );
                self.discuss(ci, &mut t);
                t.next_step = Some(NextStep {
                    what: "Send the confirmation with the referral steps".into(),
                    due: self.days[self.past],
                });
                t.note =
                    "Referral meeting went well; they will start sending post-op patients".into();
                vec![t]
            }
            Scenario::MeetingWithoutNextStep => {
                let day = last.saturating_sub(2 + below(&mut self.rng, 10));
                let m = self.minute_for(ai, Channel::Visit);
                let mut t = self.blank(
                    ci,
                    day,
                    m,
                    Channel::Visit,
                    Outcome::Conversation,
                    TouchKind::ReferralMeeting,
                );
                self.discuss(ci, &mut t);
                t.note = "Good referral meeting; left without booking the next one".into();
                vec![t]
            }
            Scenario::SilentAfterMeeting => {
                let day = self.day_ago(31, 58);
                let m = self.minute_for(ai, Channel::Visit);
                let mut t = self.blank(
                    ci,
                    day,
                    m,
                    Channel::Visit,
                    Outcome::Positive,
                    TouchKind::ReferralMeeting,
                );
                self.discuss(ci, &mut t);
                t.next_step = Some(NextStep {
                    what: "Send referral forms and the fax cover sheet".into(),
                    due: self.days[day + 3],
                });
                t.note = "Agreed to refer injured workers who need meds on day one".into();
                let topic = t.primary_topic;
                let mut confirm = self.follow_up(ci, day + 1, TouchKind::Confirmation, topic);
                confirm.outcome = Outcome::NoResponse;
                confirm.topics.clear();
                confirm.next_step = None;
                vec![t, confirm]
            }
            Scenario::ThankYouDue { order } => {
                let day = last.saturating_sub(below(&mut self.rng, 3));
                let channel = if chance(&mut self.rng, 0.6) {
                    Channel::Visit
                } else {
                    Channel::Call
                };
                let m = self.minute_for(ai, channel);
                let outcome = if order {
                    Outcome::Order
                } else {
                    Outcome::Referral
                };
                let mut t = self.blank(ci, day, m, channel, outcome, TouchKind::Routine);
                self.discuss(ci, &mut t);
                t.next_step = Some(NextStep {
                    what: "Check the first fill reached the patient".into(),
                    due: self.days[day + 3],
                });
                t.note = if order {
                    "Moving their post-op prescriptions to us from next week".into()
                } else {
                    "Sent over a new injured-worker patient today".into()
                };
                if !order {
                    self.forced_referrals.push((ci, day));
                }
                vec![t]
            }
            Scenario::DeadEnd => {
                let count = 3 + below(&mut self.rng, 3);
                let end = last.saturating_sub(1 + below(&mut self.rng, 10));
                self.unanswered_run(ci, count, end, 2, 5, false)
            }
            Scenario::CadenceOver { breakup } => {
                let end = last.saturating_sub(3 + below(&mut self.rng, 17));
                self.unanswered_run(ci, 8, end, 3, 6, breakup)
            }
        }
    }

    /// `count` unanswered attempts ending on business day `end`, changing channel each
    /// time as P21 asks, optionally closing with a breakup e-mail (P32).
    fn unanswered_run(
        &mut self,
        ci: usize,
        count: usize,
        end: usize,
        gap_lo: usize,
        gap_hi: usize,
        breakup: bool,
    ) -> Vec<Touch> {
        use Channel::*;
        let ai = self.cplans[ci].account;
        let usable: Vec<Channel> = [Call, Email, Voicemail, Text, Linkedin, Visit]
            .into_iter()
            .filter(|c| self.contacts[ci].can_use(*c))
            .collect();
        let mut days = Vec::with_capacity(count);
        let mut d = end;
        for _ in 0..count {
            days.push(d);
            d = d.saturating_sub(gap_lo + below(&mut self.rng, gap_hi - gap_lo + 1));
        }
        days.reverse();
        days.dedup();
        let offset = below(&mut self.rng, usable.len());
        let topic = self.planned_topic(ci);
        let mut out = Vec::with_capacity(days.len());
        for (k, &day) in days.iter().enumerate() {
            let last = k + 1 == days.len();
            let (channel, kind) = if last && breakup {
                let written = if self.contacts[ci].can_use(Email) {
                    Email
                } else {
                    Letter
                };
                (written, TouchKind::Breakup)
            } else {
                (usable[(offset + k) % usable.len()], TouchKind::Routine)
            };
            let m = self.minute_for(ai, channel);
            let mut t = self.blank(ci, day, m, channel, Outcome::NoResponse, kind);
            t.primary_topic = topic;
            t.note = if kind == TouchKind::Breakup {
                "Closing the loop politely; happy to help if things change".into()
            } else {
                no_response_note(channel).into()
            };
            out.push(t);
        }
        out
    }

    /// After a loss: the day they told us, the feedback call once it has been made (P16),
    /// then a quiet nurture every 30–45 days (P17).
    fn lost_tail(
        &mut self,
        ci: usize,
        day: usize,
        reason: LossReason,
        first: bool,
        second: bool,
    ) -> Vec<Touch> {
        let ai = self.cplans[ci].account;
        let no_see = self.accounts[ai].access == AccessPolicy::NoVendorContact;
        let mut out = Vec::new();
        let mut nurture_from = None;
        if first {
            let channel = if no_see {
                Channel::Email
            } else {
                Channel::Call
            };
            let m = self.minute_for(ai, channel);
            let mut t = self.blank(ci, day, m, channel, Outcome::Negative, TouchKind::Routine);
            self.discuss(ci, &mut t);
            t.next_step = Some(NextStep {
                what: "Ask for feedback on the decision".into(),
                due: self.days[day + 6],
            });
            t.note = format!("Told us they are moving on ({reason})");
            out.push(t);
            if self.ago[day] > 14 {
                let fb = (day + 3 + below(&mut self.rng, 6)).min(self.last_day());
                let m = self.minute_for(ai, channel);
                let mut t = self.blank(
                    ci,
                    fb,
                    m,
                    channel,
                    Outcome::Conversation,
                    TouchKind::Feedback,
                );
                t.next_step = Some(NextStep {
                    what: "Send a useful article in about a month".into(),
                    due: self.days[fb + 22],
                });
                t.note =
                    "Feedback call: thanked them and asked what we could have done better".into();
                out.push(t);
                nurture_from = Some(fb);
            }
        } else if second && self.ago[day] > 45 && chance(&mut self.rng, 0.5) {
            nurture_from = Some(day);
        }
        if let Some(mut d) = nurture_from {
            let channels: Vec<Channel> =
                [Channel::Email, Channel::Linkedin, Channel::HandwrittenNote]
                    .into_iter()
                    .filter(|c| self.contacts[ci].can_use(*c))
                    .collect();
            let mut k = below(&mut self.rng, channels.len());
            loop {
                d += 22 + below(&mut self.rng, 10);
                if d >= self.past {
                    break;
                }
                let channel = channels[k % channels.len()];
                k += 1;
                let m = self.minute_for(ai, channel);
                let replied = channel != Channel::HandwrittenNote && chance(&mut self.rng, 0.2);
                let outcome = if replied {
                    Outcome::Conversation
                } else {
                    Outcome::NoResponse
                };
                let mut t = self.blank(ci, d, m, channel, outcome, TouchKind::Nurture);
                t.primary_topic = self.planned_topic(ci);
                if replied {
                    self.discuss(ci, &mut t);
                    t.next_step = Some(self.next_step(ci, d, 20, 30));
                }
                t.note = "Stay-in-touch: shared a newsletter article".into();
                out.push(t);
            }
        }
        out
    }

    // ---- assembly ------------------------------------------------------------------

    fn finish(mut self) -> OrgData {
        self.order_touches();
        let referrals = self.referral_counts();
        let mut lost = Vec::new();
        let mut no_fits = Vec::new();
        for (ai, plan) in self.aplans.iter().enumerate() {
            let account = &self.accounts[ai];
            if let Some((day, reason)) = plan.lost {
                let ci = plan.contacts.clone();
                let stakeholders = self.contacts[ci]
                    .iter()
                    .take(3)
                    .map(|c| format!("{} ({})", c.name, c.role))
                    .collect();
                let competitor = plan.competitor;
                let note = match reason {
                    LossReason::Pricing => "Competitor undercut our dispensing fee",
                    LossReason::CompetitorWonContract => {
                        "Health system signed an exclusive pharmacy contract"
                    }
                    LossReason::LostContract => "Their employer-clinic contract ended",
                    LossReason::CustomerService => "Two late deliveries in one month",
                    LossReason::ProductQuality => "Packaging errors on compounded topicals",
                    LossReason::Other => "New practice owner brought their own vendors",
                };
                lost.push(LostAccount {
                    account: account.id,
                    lost_on: self.days[day],
                    reason,
                    competitor: competitor.map(str::to_string),
                    stakeholders,
                    note: note.into(),
                });
            }
            if let Some(day) = plan.no_fit {
                let reason = NO_FIT_REASONS[if account.segment == Segment::LawFirm {
                    3
                } else {
                    ai % 3
                }];
                no_fits.push(NoFit {
                    account: account.id,
                    decided_on: self.days[day],
                    reason: reason.into(),
                });
            }
        }
        OrgData {
            organisation: organisation(),
            users: vec![],
            accounts: self.accounts,
            contacts: self.contacts,
            topics: vec![],
            touches: self.touches,
            referrals,
            lost,
            no_fits,
        }
    }

    /// Puts touches in time order and numbers them, so a later touch always has a larger
    /// id within a rep. Touches fall on whole minutes of at most a few hundred days, so a
    /// two-pass radix sort on the minute is exact; being stable, it leaves simultaneous
    /// touches in generation order, which is contact order.
    fn order_touches(&mut self) {
        let origin = self.base[0];
        let n = self.touches.len();
        let mut keys: Vec<(u32, u32)> = self
            .touches
            .iter()
            .enumerate()
            .map(|(i, t)| (((t.at.as_second() - origin) / 60) as u32, i as u32))
            .collect();
        let mut spare = vec![(0u32, 0u32); n];
        for shift in [0u32, 11] {
            let mut counts = vec![0usize; 2049];
            for &(k, _) in &keys {
                counts[((k >> shift) & 2047) as usize + 1] += 1;
            }
            for b in 1..counts.len() {
                counts[b] += counts[b - 1];
            }
            for &(k, i) in &keys {
                let b = ((k >> shift) & 2047) as usize;
                spare[counts[b]] = (k, i);
                counts[b] += 1;
            }
            std::mem::swap(&mut keys, &mut spare);
        }
        let mut slots: Vec<Option<Touch>> = std::mem::take(&mut self.touches)
            .into_iter()
            .map(Some)
            .collect();
        let base = self.rep_index as i64 * TOUCH_ID_STRIDE;
        self.touches = Vec::with_capacity(n);
        for (k, &(_, i)) in keys.iter().enumerate() {
            if let Some(mut t) = slots[i as usize].take() {
                t.id = TouchId(base + k as i64 + 1);
                self.touches.push(t);
            }
        }
    }

    /// Daily referral counts per referring physician: a steady Poisson baseline, with the
    /// staged drops and silences of P9, and at least one on every day a touch logged one.
    fn referral_counts(&mut self) -> Vec<ReferralCount> {
        self.forced_referrals.sort_unstable();
        let mut forced = self.forced_referrals.iter().peekable();
        let mut out = Vec::new();
        for ci in 0..self.contacts.len() {
            let Some(r) = &self.cplans[ci].referring else {
                continue;
            };
            let (rate, trend, change) = (r.rate, r.trend, r.change);
            let after = match trend {
                Trend::Steady => rate,
                Trend::Drop => rate * 0.12,
                Trend::Silent | Trend::Ended => 0.0,
            };
            let stop = if trend == Trend::Ended {
                change
            } else {
                self.past
            };
            let (before, later) = (poisson_thresholds(rate), poisson_thresholds(after));
            let contact = self.contacts[ci].id;
            while forced.peek().is_some_and(|f| f.0 < ci) {
                forced.next();
            }
            for day in 0..stop {
                let thresholds = if day >= change { &later } else { &before };
                let u = self.rng.u32(..);
                let mut count = thresholds.iter().filter(|t| u >= **t).count() as u32;
                while forced.peek().is_some_and(|f| f.0 == ci && f.1 < day) {
                    forced.next();
                }
                if forced.peek().is_some_and(|f| f.0 == ci && f.1 == day) {
                    count = count.max(1);
                }
                if count > 0 {
                    out.push(ReferralCount {
                        contact,
                        day: self.days[day],
                        count,
                    });
                }
            }
        }
        out
    }
}

/// Cumulative Poisson probabilities for 0..=4 events, scaled to `u32`: a day's count is
/// how many thresholds one uniform draw reaches. One draw a day keeps a 10-million-touch
/// organisation's referral history cheap; five a day is the cap, far above the rates used.
fn poisson_thresholds(rate: f64) -> [u32; 5] {
    let mut p = (-rate).exp();
    let mut cumulative = 0.0;
    let mut out = [u32::MAX; 5];
    for (k, slot) in out.iter_mut().enumerate() {
        cumulative += p;
        *slot = (cumulative * f64::from(u32::MAX)).min(f64::from(u32::MAX)) as u32;
        p *= rate / (k as f64 + 1.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;
    use std::collections::{BTreeSet, HashMap};
    use std::time::Instant;

    fn today() -> Date {
        Date::constant(2025, 3, 12)
    }

    fn spec() -> DemoSpec {
        DemoSpec::new(42, today())
    }

    #[test]
    fn same_spec_gives_identical_output() {
        let a = generate(&spec());
        let b = generate(&spec());
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let c = generate(&DemoSpec::new(43, today()));
        assert_ne!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
    }

    #[test]
    fn generate_is_shared_plus_every_rep_part() {
        let s = spec();
        let whole = generate(&s);
        let (organisation, users, topics) = generate_shared(&s);
        let mut joined = OrgData {
            organisation,
            users,
            accounts: vec![],
            contacts: vec![],
            topics,
            touches: vec![],
            referrals: vec![],
            lost: vec![],
            no_fits: vec![],
        };
        // Generating reps in reverse order must not change any of them.
        let mut parts: Vec<OrgData> = (0..s.reps).rev().map(|r| generate_rep(&s, r)).collect();
        parts.reverse();
        for part in parts {
            assert_eq!(part.organisation, joined.organisation);
            assert!(part.users.is_empty() && part.topics.is_empty());
            joined.accounts.extend(part.accounts);
            joined.contacts.extend(part.contacts);
            joined.touches.extend(part.touches);
            joined.referrals.extend(part.referrals);
            joined.lost.extend(part.lost);
            joined.no_fits.extend(part.no_fits);
        }
        assert_eq!(whole, joined);
        assert!(generate_rep(&s, s.reps).accounts.is_empty());
    }

    #[test]
    fn ids_come_from_each_reps_own_range() {
        let s = spec();
        for r in [0usize, 3] {
            let part = generate_rep(&s, r);
            let r = r as i64;
            assert_eq!(part.accounts[0].id, AccountId(r * ACCOUNT_ID_STRIDE + 1));
            assert_eq!(part.contacts[0].id, ContactId(r * CONTACT_ID_STRIDE + 1));
            assert_eq!(part.touches[0].id, TouchId(r * TOUCH_ID_STRIDE + 1));
            assert!(part.accounts.iter().all(|a| a.rep == UserId(r + 1)));
        }
    }

    #[test]
    fn default_spec_meets_the_minimums() {
        let s = spec();
        assert!(s.validate().is_ok());
        let d = generate(&s);
        assert!(d.organisation.demo && d.organisation.id == ORG_ID);
        assert_eq!(d.users.iter().filter(|u| u.role == Role::Rep).count(), 4);
        assert_eq!(
            d.users.iter().filter(|u| u.role == Role::Manager).count(),
            1
        );
        assert_eq!(d.users.iter().filter(|u| u.role == Role::Admin).count(), 1);
        assert!(d.accounts.len() >= 300, "{} accounts", d.accounts.len());
        assert!(d.contacts.len() >= 1000, "{} contacts", d.contacts.len());
        assert!(d.topics.len() >= 40);
        assert!(d.contacts.len() as f64 / d.accounts.len() as f64 >= 3.0);
        let first = d.touches.iter().map(|t| t.at).min().unwrap();
        let last = d.touches.iter().map(|t| t.at).max().unwrap();
        let tz = TimeZone::get("America/Chicago").unwrap();
        assert!(first.to_zoned(tz.clone()).date() <= today().saturating_sub(330.days()));
        assert!(last.to_zoned(tz).date() < today());
        for s in SPECIALTIES {
            assert!(
                d.accounts
                    .iter()
                    .any(|a| a.specialties.iter().any(|x| x.as_str() == s)),
                "no account in {s}"
            );
        }
        let law = d
            .accounts
            .iter()
            .filter(|a| a.segment == Segment::LawFirm)
            .count();
        let share = law as f64 / d.accounts.len() as f64;
        assert!((0.1..0.2).contains(&share), "law firms {share}");
        assert!(
            d.accounts
                .iter()
                .all(|a| a.segment != Segment::LawFirm || a.kind == AccountKind::LawFirm)
        );
        for kind in [
            AccountKind::Practice,
            AccountKind::Clinic,
            AccountKind::TherapyPractice,
            AccountKind::ImagingCentre,
            AccountKind::Hospital,
        ] {
            assert!(d.accounts.iter().any(|a| a.kind == kind), "no {kind}");
        }
        let count = |st| d.accounts.iter().filter(|a| a.status == st).count();
        assert!(count(AccountStatus::Customer) > count(AccountStatus::Prospect));
        assert_eq!(count(AccountStatus::Lost), d.lost.len());
        assert_eq!(count(AccountStatus::NoFit), d.no_fits.len());
        assert!(!d.lost.is_empty() && !d.no_fits.is_empty());
        assert!(
            d.accounts
                .iter()
                .any(|a| a.access == AccessPolicy::NoVendorContact)
        );
        assert!(
            d.accounts
                .iter()
                .any(|a| a.access == AccessPolicy::AppointmentOnly)
        );
        assert!(!d.referrals.is_empty());
        // Topics tie into the catalogue and to each other; some content is new.
        let keys: BTreeSet<String> = catalogue::pain_points()
            .into_iter()
            .map(|p| p.key)
            .collect();
        let ids: BTreeSet<TopicId> = d.topics.iter().map(|t| t.id).collect();
        for t in &d.topics {
            assert!(
                !t.pain_points.is_empty() && t.pain_points.iter().all(|p| keys.contains(p)),
                "{}",
                t.title
            );
            assert!(
                t.related.iter().all(|r| ids.contains(r) && *r != t.id),
                "{}",
                t.title
            );
        }
        let fresh = d
            .topics
            .iter()
            .filter(|t| {
                t.available_from.is_some_and(|f| {
                    f >= today().saturating_sub(10.days()) && f <= today().saturating_add(7.days())
                })
            })
            .count();
        assert!((2..=3).contains(&fresh));
        assert!(d.topics.iter().any(
            |t| !t.roles.is_empty() && t.roles.iter().all(|r| r.is_staff() || *r == FrontDesk)
        ));
    }

    #[test]
    fn references_are_consistent() {
        let d = generate(&spec());
        let accounts: HashMap<AccountId, &Account> = d.accounts.iter().map(|a| (a.id, a)).collect();
        let contacts: HashMap<ContactId, &Contact> = d.contacts.iter().map(|c| (c.id, c)).collect();
        let topics: BTreeSet<TopicId> = d.topics.iter().map(|t| t.id).collect();
        assert_eq!(accounts.len(), d.accounts.len());
        assert_eq!(contacts.len(), d.contacts.len());
        assert_eq!(
            d.touches
                .iter()
                .map(|t| t.id)
                .collect::<BTreeSet<_>>()
                .len(),
            d.touches.len()
        );
        for t in &d.touches {
            let c = contacts[&t.contact];
            assert_eq!(c.account, t.account);
            assert_eq!(accounts[&t.account].rep, t.rep);
            for topic in t
                .topics
                .iter()
                .chain(&t.primary_topic)
                .chain(&t.explain_better)
            {
                assert!(topics.contains(topic));
            }
            if let Some(p) = t.primary_topic {
                assert!(t.topics.is_empty() || t.topics.contains(&p));
            }
            assert!(t.outcome.answered() || t.topics.is_empty());
            if t.channel == Channel::Text {
                assert!(c.channels.cell.is_some() && !c.opt_outs.contains(&Channel::Text));
            }
            // No cold reach where vendors are not welcome (P6).
            if accounts[&t.account].access == AccessPolicy::NoVendorContact {
                assert!(!t.channel.is_cold_reach(), "{t:?}");
            }
        }
        for r in &d.referrals {
            let c = contacts[&r.contact];
            assert_eq!(c.role, Physician);
            assert!(r.count > 0 && r.day < today());
        }
        for l in &d.lost {
            let days = (today() - l.lost_on).get_days();
            assert!((5..=200).contains(&days));
            assert_eq!(accounts[&l.account].status, AccountStatus::Lost);
            assert!(!l.stakeholders.is_empty());
        }
        for c in &d.contacts {
            let a = accounts[&c.account];
            match a.segment {
                Segment::LawFirm => assert!(matches!(c.role, Attorney | CaseManager | Paralegal)),
                _ => assert!(!matches!(c.role, Attorney | CaseManager | Paralegal)),
            }
        }
        for a in &d.accounts {
            assert!((2..=4).contains(&a.pain_points.len()));
            let seg = catalogue::pain_points();
            assert!(
                a.pain_points
                    .iter()
                    .all(|k| seg.iter().any(|p| &p.key == k && p.segment == a.segment))
            );
        }
        assert!(OrgData::from_jsonl(&d.to_jsonl()).is_ok());
    }

    #[test]
    fn touches_fall_on_weekdays_inside_office_hours() {
        let d = generate(&spec());
        let accounts: HashMap<AccountId, &Account> = d.accounts.iter().map(|a| (a.id, a)).collect();
        for t in &d.touches {
            let a = accounts[&t.account];
            let local = t.at.to_zoned(a.tz.zone());
            let day = local.date().weekday();
            assert!(!matches!(day, Weekday::Saturday | Weekday::Sunday), "{t:?}");
            let time = local.time();
            assert!(
                a.office_hours.on(day).iter().any(|r| r.contains(time)),
                "{time} at {}",
                a.name
            );
            assert!(local.date() < today());
        }
    }

    #[test]
    fn export_round_trips() {
        let d = generate(&spec());
        let text = d.to_jsonl();
        let back =
            OrgData::from_jsonl(&text).unwrap_or_else(|p| panic!("{:?}", &p[..p.len().min(5)]));
        assert_eq!(back, d);
    }

    /// Counts of each staged pattern in one rep's part; the quick start shows rep 0.
    #[derive(Debug, Default)]
    struct Patterns {
        callbacks_today: usize,
        callbacks_next_week: usize,
        meeting_last_business_day: usize,
        meetings_without_next_step: usize,
        silent_after_meeting: usize,
        recent_referral_or_order: usize,
        dead_ends: usize,
        cadences_over: usize,
        breakups: usize,
        conversations_without_next_step: usize,
        explain_better: usize,
        referral_drops: usize,
        referral_silent: usize,
        recent_losses: usize,
        losses: usize,
        no_fits: usize,
        no_see_accounts: usize,
        appointment_only: usize,
        no_staff_referring_practices: usize,
        nurture_touches: usize,
        feedback_touches: usize,
        first_meetings: usize,
        referral_meetings: usize,
    }

    fn patterns(d: &OrgData, today: Date) -> Patterns {
        let mut p = Patterns::default();
        let accounts: HashMap<AccountId, &Account> = d.accounts.iter().map(|a| (a.id, a)).collect();
        let mut by_contact: HashMap<ContactId, Vec<&Touch>> = HashMap::new();
        for t in &d.touches {
            by_contact.entry(t.contact).or_default().push(t);
        }
        let last_bd = {
            let mut x = today.yesterday().unwrap();
            while matches!(x.weekday(), Weekday::Saturday | Weekday::Sunday) {
                x = x.yesterday().unwrap();
            }
            x
        };
        let local_date = |t: &Timestamp, a: AccountId| t.to_zoned(accounts[&a].tz.zone()).date();
        let ago = |d: Date| (today - d).get_days();
        for t in &d.touches {
            let day = local_date(&t.at, t.account);
            if let Some(cb) = t.callback_at {
                let local = cb.to_zoned(accounts[&t.account].tz.zone());
                if local.date() == today {
                    p.callbacks_today += 1;
                } else if local.date() > today && ago(local.date()) >= -7 {
                    p.callbacks_next_week += 1;
                }
            }
            if t.kind == TouchKind::ReferralMeeting {
                p.referral_meetings += 1;
                if t.next_step.is_none() {
                    p.meetings_without_next_step += 1;
                }
                if day == last_bd {
                    p.meeting_last_business_day += 1;
                }
            }
            if t.outcome.answered() && t.next_step.is_none() {
                p.conversations_without_next_step += 1;
            }
            if matches!(t.outcome, Outcome::Referral | Outcome::Order) && ago(day) <= 5 {
                p.recent_referral_or_order += 1;
            }
            p.explain_better += usize::from(!t.explain_better.is_empty());
            p.nurture_touches += usize::from(t.kind == TouchKind::Nurture);
            p.feedback_touches += usize::from(t.kind == TouchKind::Feedback);
            p.first_meetings += usize::from(t.kind == TouchKind::FirstMeeting);
            p.breakups += usize::from(t.kind == TouchKind::Breakup);
        }
        let mut refs: HashMap<ContactId, Vec<&ReferralCount>> = HashMap::new();
        for r in &d.referrals {
            refs.entry(r.contact).or_default().push(r);
        }
        for (contact, ts) in &by_contact {
            let a = accounts[&ts[0].account];
            let trailing = ts
                .iter()
                .rev()
                .take_while(|t| !t.outcome.answered())
                .count();
            if a.status == AccountStatus::Prospect && (3..8).contains(&trailing) {
                p.dead_ends += 1;
            }
            if trailing >= 8 {
                p.cadences_over += 1;
            }
            let meetings: Vec<&&Touch> = ts
                .iter()
                .filter(|t| t.kind == TouchKind::ReferralMeeting)
                .collect();
            if let Some(m) = meetings.last() {
                let day = local_date(&m.at, m.account);
                let since = refs
                    .get(contact)
                    .map_or(0, |v| v.iter().filter(|r| r.day > day).count());
                if (30..=60).contains(&ago(day)) && since == 0 {
                    p.silent_after_meeting += 1;
                }
            }
        }
        for v in refs.values() {
            let recent: u32 = v.iter().filter(|r| ago(r.day) <= 30).map(|r| r.count).sum();
            let before: u32 = v.iter().filter(|r| ago(r.day) > 30).map(|r| r.count).sum();
            let expected = f64::from(before) / 335.0 * 30.0;
            if expected >= 4.0 && recent == 0 {
                p.referral_silent += 1;
            } else if expected >= 4.0 && f64::from(recent) <= expected * 0.4 {
                p.referral_drops += 1;
            }
        }
        let staffed: BTreeSet<AccountId> = d
            .contacts
            .iter()
            .filter(|c| c.role.is_staff())
            .map(|c| c.account)
            .collect();
        let referring: BTreeSet<AccountId> = d
            .contacts
            .iter()
            .filter(|c| c.role == Physician)
            .map(|c| c.account)
            .collect();
        p.no_staff_referring_practices = d
            .accounts
            .iter()
            .filter(|a| {
                a.status == AccountStatus::Customer
                    && referring.contains(&a.id)
                    && !staffed.contains(&a.id)
            })
            .count();
        p.losses = d.lost.len();
        p.recent_losses = d.lost.iter().filter(|l| ago(l.lost_on) <= 14).count();
        p.no_fits = d.no_fits.len();
        p.no_see_accounts = d
            .accounts
            .iter()
            .filter(|a| a.access == AccessPolicy::NoVendorContact)
            .count();
        p.appointment_only = d
            .accounts
            .iter()
            .filter(|a| a.access == AccessPolicy::AppointmentOnly)
            .count();
        p
    }

    #[test]
    fn rep_zero_has_every_pattern() {
        // Several dates, so weekday effects (today on a Monday or a Saturday) are covered.
        for (seed, today) in [
            (42, today()),
            (7, Date::constant(2025, 6, 16)),
            (1, Date::constant(2024, 11, 2)),
        ] {
            let s = DemoSpec::new(seed, today);
            let d = generate_rep(&s, 0);
            let p = patterns(&d, today);
            println!("seed {seed}, today {today}: {p:#?}");
            assert!(p.callbacks_today >= 1, "{p:?}");
            assert!(p.callbacks_next_week >= 1, "{p:?}");
            assert!(p.meeting_last_business_day >= 1, "{p:?}");
            assert!(p.meetings_without_next_step >= 1, "{p:?}");
            assert!(p.silent_after_meeting >= 1, "{p:?}");
            assert!(p.recent_referral_or_order >= 1, "{p:?}");
            assert!(p.dead_ends >= 2, "{p:?}");
            assert!(p.cadences_over >= 1 && p.breakups >= 1, "{p:?}");
            assert!(p.conversations_without_next_step >= 1, "{p:?}");
            assert!(p.explain_better >= 1, "{p:?}");
            assert!(p.referral_drops >= 1 && p.referral_silent >= 1, "{p:?}");
            assert!(
                p.recent_losses >= 1 && p.losses >= 2 && p.no_fits >= 1,
                "{p:?}"
            );
            assert!(p.no_see_accounts >= 1 && p.appointment_only >= 1, "{p:?}");
            assert!(p.no_staff_referring_practices >= 1, "{p:?}");
            assert!(p.nurture_touches >= 1 && p.feedback_touches >= 1, "{p:?}");
            assert!(p.first_meetings >= 1, "{p:?}");
        }
    }

    #[test]
    fn callback_today_is_at_the_agreed_local_time() {
        let d = generate_rep(&spec(), 0);
        let zone = d.accounts[0].tz.zone();
        let agreed = d
            .touches
            .iter()
            .filter_map(|t| t.callback_at)
            .map(|cb| cb.to_zoned(zone.clone()))
            .find(|z| z.date() == today() && z.hour() == 14 && z.minute() == 30);
        let agreed = agreed.expect("a callback at 14:30 local today");
        // 14:30 in Chicago in March (CDT) is 19:30 UTC.
        assert_eq!(agreed.timestamp().to_string(), "2025-03-12T19:30:00Z");
    }

    #[test]
    fn contacts_have_plausible_roles_and_channels() {
        let d = generate(&spec());
        let n = d.contacts.len() as f64;
        let share =
            |f: &dyn Fn(&Contact) -> bool| d.contacts.iter().filter(|c| f(c)).count() as f64 / n;
        assert!(share(&|c| c.channels.email.is_some()) > 0.8);
        assert!(share(&|c| c.channels.office_phone.is_some()) > 0.85);
        assert!((0.3..0.5).contains(&share(&|c| c.channels.cell.is_some())));
        assert!((0.2..0.4).contains(&share(&|c| c.channels.linkedin.is_some())));
        assert!(share(&|c| c.preferred_channel.is_some()) > 0.15);
        assert!(share(&|c| !c.opt_outs.is_empty()) > 0.0);
        assert!(
            d.contacts
                .iter()
                .all(|c| c.role != FrontDesk || c.influence == Influence::Gatekeeper)
        );
        assert!(
            d.contacts
                .iter()
                .filter(|c| c.role == Physician)
                .all(|c| c.specialty.is_some())
        );
        for role in [
            Physician,
            OfficeManager,
            HeadNurse,
            FrontDesk,
            PracticeAdministrator,
            Attorney,
            CaseManager,
            Paralegal,
        ] {
            assert!(d.contacts.iter().any(|c| c.role == role), "no {role}");
        }
    }

    #[test]
    fn benchmark_sized_rep_reports_its_time() {
        let s = DemoSpec {
            reps: 1,
            accounts: 500,
            contacts_per_account: 4.0,
            touches_per_contact: 25.0,
            ..DemoSpec::new(9, today())
        };
        assert!(s.validate().is_ok());
        let started = Instant::now();
        let d = generate_rep(&s, 0);
        let elapsed = started.elapsed();
        // A figure for the report, never an assertion on time.
        println!(
            "generate_rep: {} accounts, {} contacts, {} touches, {} referral rows in {:?}",
            d.accounts.len(),
            d.contacts.len(),
            d.touches.len(),
            d.referrals.len(),
            elapsed
        );
        assert_eq!(d.accounts.len(), 500);
        assert!(
            (1_950..=2_050).contains(&d.contacts.len()),
            "{}",
            d.contacts.len()
        );
        assert!(
            (47_500..=52_500).contains(&d.touches.len()),
            "{}",
            d.touches.len()
        );
        // The benchmark's 200-rep organisation streams parts; the last rep's ids still fit.
        let big = DemoSpec {
            reps: 200,
            accounts: 100_000,
            ..s
        };
        assert!(big.validate().is_ok());
        assert!(generate_rep(&big, 199).touches.last().unwrap().id.0 < 200 * TOUCH_ID_STRIDE);
    }

    #[test]
    fn odd_specs_still_give_consistent_data() {
        let odd = [
            DemoSpec {
                reps: 3,
                accounts: 2,
                contacts_per_account: 0.5,
                touches_per_contact: 0.0,
                ..spec()
            },
            DemoSpec {
                reps: 1,
                accounts: 7,
                contacts_per_account: 1.0,
                touches_per_contact: 60.0,
                ..spec()
            },
            DemoSpec {
                reps: 15,
                accounts: 150,
                ..DemoSpec::new(5, Date::constant(2024, 2, 29))
            },
            DemoSpec {
                reps: 2,
                accounts: 0,
                ..spec()
            },
        ];
        for s in odd {
            let d = generate(&s);
            assert_eq!(d.accounts.len(), s.accounts);
            assert!(d.contacts.len() >= d.accounts.len());
            assert_eq!(d.users.len(), s.reps + 2);
            assert!(OrgData::from_jsonl(&d.to_jsonl()).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn validate_rejects_specs_that_would_collide() {
        let mut s = spec();
        s.reps = 0;
        assert!(s.validate().is_err());
        let s = DemoSpec {
            reps: 1,
            accounts: 3_000_000,
            ..spec()
        };
        assert!(s.validate().is_err());
        let s = DemoSpec {
            contacts_per_account: f64::NAN,
            ..spec()
        };
        assert!(s.validate().is_err());
    }
}

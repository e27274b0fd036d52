//! The fixed tables the demo draws from (staff names, topics, metros, office names and
//! hours, notes) and the shared part built from them: the organisation, its users and the
//! topic library.

use jiff::ToSpan;
use jiff::civil::Date;
use rounds_core::model::{
    AccountKind, Channel, ContactRole, Organisation, Role, Segment, Specialty, TimeRange, Topic,
    TopicId, User, UserId,
};

use crate::rep::slug;
use crate::spec::{DemoSpec, ORG_ID, rep_user_id};

pub(crate) fn organisation() -> Organisation {
    Organisation {
        id: ORG_ID,
        name: "Keystone Care Pharmacy (demo)".into(),
        demo: true,
    }
}

pub(crate) const REP_NAMES: &[(&str, &str)] = &[
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

pub(crate) const STAFF_DOMAIN: &str = "keystone-demo.example";

pub(crate) fn users(spec: &DemoSpec) -> Vec<User> {
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
pub(crate) const SPECIALTIES: [&str; 7] = [
    "orthopaedics",
    "pain-management",
    "primary-care",
    "occupational-medicine",
    "neurology",
    "physical-therapy",
    "workers-compensation",
];
pub(crate) const PHYSICAL_THERAPY: usize = 5;
pub(crate) const WORKERS_COMP: usize = 6;
/// Human spelling for departments and notes.
pub(crate) const SPECIALTY_TITLES: [&str; 7] = [
    "Orthopaedics",
    "Pain management",
    "Primary care",
    "Occupational medicine",
    "Neurology",
    "Physical therapy",
    "Workers' compensation",
];

pub(crate) struct TopicDef {
    pub(crate) title: &'static str,
    pub(crate) pains: &'static [&'static str],
    pub(crate) segments: &'static [Segment],
    pub(crate) specialties: &'static [&'static str],
    pub(crate) roles: &'static [ContactRole],
    /// 1-based positions in [`TOPICS`], which are also the topic ids.
    pub(crate) related: &'static [i64],
    /// New content: available this many days after `today` (negative: already out).
    pub(crate) new_in_days: Option<i64>,
}

pub(crate) const fn topic(
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

pub(crate) const MED: &[Segment] = &[Segment::MedicalProvider];
pub(crate) const LAW: &[Segment] = &[Segment::LawFirm];
pub(crate) const ANY: &[ContactRole] = &[];
pub(crate) const NONE: &[&str] = &[];
use ContactRole::{
    Attorney, CaseManager, FrontDesk, HeadNurse, OfficeManager, Paralegal, Physician,
    PracticeAdministrator,
};

pub(crate) const TOPICS: &[TopicDef] = &[
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

pub(crate) fn specialty(slug: &str) -> Specialty {
    slug.parse().expect("the demo's specialty slugs are valid")
}

pub(crate) fn topics(today: Date) -> Vec<Topic> {
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
pub(crate) struct TopicMask {
    pub(crate) segments: u8,
    pub(crate) specialties: u8,
    pub(crate) roles: u16,
    pub(crate) pains: u64,
    pub(crate) is_new: bool,
}

pub(crate) fn segment_bit(s: Segment) -> u8 {
    1 << Segment::ALL.iter().position(|x| *x == s).unwrap_or(0)
}
pub(crate) fn role_bit(r: ContactRole) -> u16 {
    1 << ContactRole::ALL.iter().position(|x| *x == r).unwrap_or(0)
}
pub(crate) fn specialty_bit(slug: &str) -> u8 {
    SPECIALTIES
        .iter()
        .position(|s| *s == slug)
        .map_or(0, |i| 1 << i)
}

pub(crate) fn topic_masks(pain_keys: &[String]) -> Vec<TopicMask> {
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

pub(crate) fn pain_bit(keys: &[String], key: &str) -> u64 {
    keys.iter().position(|k| k == key).map_or(0, |i| 1 << i)
}

// ---------------------------------------------------------------------------------------
// Places, names and office patterns

pub(crate) struct Metro {
    pub(crate) city: &'static str,
    pub(crate) region: &'static str,
    pub(crate) tz: &'static str,
    pub(crate) area_code: &'static str,
    pub(crate) zip3: &'static str,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    /// Nearby towns: name, ZIP prefix, latitude, longitude.
    pub(crate) suburbs: &'static [(&'static str, &'static str, f64, f64)],
}

/// Reps cycle through these home cities; each carries its own IANA zone.
#[rustfmt::skip]
pub(crate) const METROS: &[Metro] = &[
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
pub(crate) const FIRST_NAMES: &[&str] = &[
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "William",
    "Elizabeth", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
    "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Angela", "Steven", "Sandra", "Andrew",
    "Ashley", "Kevin", "Emily", "Brian", "Michelle", "Priya", "Wei", "Hiroshi", "Fatima",
    "Aisha", "Carlos", "Sofia", "Diego", "Olga", "Ivan", "Nnamdi", "Chioma", "Mei", "Arjun",
    "Leila", "Omar", "Grace", "Samuel", "Hannah", "Jorge", "Lucia", "Tomas", "Ingrid", "Kwame",
    "Ana", "Raj", "Yuki", "Elena",
];

#[rustfmt::skip]
pub(crate) const SURNAMES: &[&str] = &[
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
pub(crate) const PLACES: &[&str] = &[
    "Riverside", "Lakeshore", "Northside", "Westfield", "Cedar Valley", "Summit", "Parkview",
    "Brookhaven", "Pinecrest", "Meadowbrook", "Fairview", "Highland", "Oak Hill", "Stonebridge",
    "Willow Creek", "Crossroads", "Harbor", "Eastgate", "Metro", "Heritage", "Kingsbridge",
    "Valley", "Ridgeway", "Bayside", "Sunrise", "Maple Grove", "Prairie", "Granite",
    "Silver Lake", "Clearwater",
];

#[rustfmt::skip]
pub(crate) const SAINTS: &[&str] = &[
    "St. Luke's", "Mercy", "Good Samaritan", "Providence", "St. Joseph's", "Sacred Heart",
    "Baptist", "Methodist", "Presbyterian",
];

#[rustfmt::skip]
pub(crate) const STREETS: &[&str] = &[
    "Oak", "Maple", "Lake", "Washington", "Park", "Cedar", "Elm", "Main", "Madison",
    "Jefferson", "Lincoln", "Hillcrest", "Meadow", "Ridge", "Sunset", "Church", "Market",
    "Franklin", "Highland", "Grand", "Medical Center", "Commerce", "Spring", "Walnut",
];
pub(crate) const STREET_SUFFIXES: &[&str] = &["Ave", "St", "Blvd", "Rd", "Dr", "Pkwy", "Ln", "Way"];

/// Name templates by kind of office; `{place}`, `{city}`, `{saint}`, `{s1}`…`{s3}` and
/// `{first}` are filled in per account.
pub(crate) fn name_templates(kind: AccountKind, spec: usize) -> &'static [&'static str] {
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

pub(crate) type Hm = (i8, i8, i8, i8);

/// A kind of office week: weekday ranges, an optional Saturday, and when reps are welcome.
pub(crate) struct Hours {
    pub(crate) week: &'static [Hm],
    pub(crate) saturday: &'static [Hm],
    pub(crate) visit: &'static [Hm],
}

pub(crate) const HOURS_LUNCH_GAP: Hours = Hours {
    week: &[(8, 0, 12, 0), (13, 0, 17, 0)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (16, 30, 17, 0)],
};
pub(crate) const HOURS_EARLY: Hours = Hours {
    week: &[(7, 30, 16, 30)],
    saturday: &[],
    visit: &[(11, 30, 12, 30), (16, 0, 16, 30)],
};
pub(crate) const HOURS_LATE_GAP: Hours = Hours {
    week: &[(8, 30, 12, 30), (13, 30, 17, 30)],
    saturday: &[],
    visit: &[(12, 30, 13, 30), (17, 0, 17, 30)],
};
pub(crate) const HOURS_SATURDAY: Hours = Hours {
    week: &[(9, 0, 12, 0), (13, 0, 18, 0)],
    saturday: &[(8, 0, 12, 0)],
    visit: &[(12, 0, 13, 0), (17, 30, 18, 0)],
};
pub(crate) const HOURS_HOSPITAL: Hours = Hours {
    week: &[(7, 0, 17, 0)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (16, 30, 17, 0)],
};
pub(crate) const HOURS_LAW: Hours = Hours {
    week: &[(8, 30, 17, 30)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (17, 0, 17, 30)],
};
pub(crate) const HOURS_LAW_SHORT: Hours = Hours {
    week: &[(9, 0, 17, 0)],
    saturday: &[],
    visit: &[(12, 0, 13, 0), (16, 30, 17, 0)],
};

pub(crate) fn ranges(hm: &[Hm]) -> Vec<TimeRange> {
    hm.iter()
        .map(|&(a, b, c, d)| TimeRange::hm(a, b, c, d))
        .collect()
}
pub(crate) fn mins(h: i8, m: i8) -> u16 {
    (h as u16) * 60 + m as u16
}

pub(crate) const COMPETITORS: &[&str] = &[
    "Meridian Specialty Rx",
    "Apex Workers' Comp Pharmacy",
    "ClearPath Pharmacy Services",
    "Summit Rx Network",
    "BlueLine Pharmacy Solutions",
];

pub(crate) const NO_FIT_REASONS: &[&str] = &[
    "Sends every workers' comp prescription through the hospital system's own pharmacy",
    "No longer sees workers' compensation patients",
    "Closed-formulary contract with a national PBM; no room for a second pharmacy",
    "Firm stopped taking workers' comp cases",
];

pub(crate) const NEXT_STEPS_MEDICAL: &[&str] = &[
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
pub(crate) const NEXT_STEPS_LAW: &[&str] = &[
    "Send a sample medication status report",
    "Set up the consolidated monthly invoice",
    "Walk the paralegals through the invoice checklist",
    "Introduce two treating physicians near their clients",
    "Schedule a 15-minute call with the managing attorney",
    "Send the client hotline card for new cases",
];
pub(crate) const NOTES_MEDICAL: &[&str] = &[
    "Interested; wants numbers from a similar practice",
    "Short but friendly; clinic running behind",
    "Office manager joined for the last five minutes",
    "Asked how refills are handled after discharge",
    "Mentioned delivery delays with their current pharmacy",
    "Good questions about turnaround times",
    "Wants the nurses to hear this too",
    "Prefers e-mail for anything with figures",
];
pub(crate) const NOTES_LAW: &[&str] = &[
    "Paralegal handles every pharmacy invoice",
    "Attorney wants a monthly medication status per case",
    "Case managers are overloaded this quarter",
    "Asked which physicians near their clients take workers' comp",
    "Open to a short lunch meeting with the case team",
];

pub(crate) fn no_response_note(channel: Channel) -> &'static str {
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

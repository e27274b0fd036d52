//! One rep's part of the territory: accounts, contacts, touches, referral counts, losses
//! and no-fit decisions, drawn from the rep's own random stream.

use std::collections::{BTreeMap, HashSet};

use fastrand::Rng;
use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};
use rounds_core::catalogue;
use rounds_core::export::OrgData;
use rounds_core::model::{
    AccessPolicy, Account, AccountId, AccountKind, AccountStatus, Address, Channel, Consent,
    Contact, ContactChannels, ContactId, ContactRole, Direction, Influence, LossReason,
    LostAccount, NextStep, NoFit, Outcome, ReferralCount, Segment, Specialty, TopicId, Touch,
    TouchId, TouchKind, TzName, UserId, WeekHours,
};

use crate::data::*;
use crate::spec::*;
use ContactRole::{
    Attorney, CaseManager, FrontDesk, HeadNurse, OfficeManager, Paralegal, Physician,
    PracticeAdministrator,
};

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

// ---------------------------------------------------------------------------------------
// Randomness helpers

/// SplitMix64: turns (seed, stream) into well-spread independent seeds, so rep 7's data
/// is the same whether or not reps 0..7 were generated first.
pub(crate) fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}
pub(crate) fn below(rng: &mut Rng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.usize(..n) }
}
pub(crate) fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}
pub(crate) fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
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
pub(crate) fn jitter(rng: &mut Rng, scale: f64) -> f64 {
    (rng.f64() + rng.f64() + rng.f64() - 1.5) * scale
}
pub(crate) fn round5(x: f64) -> f64 {
    (x * 100_000.0).round() / 100_000.0
}

/// Draws without replacement, refilling when empty: the mix of a rep's accounts follows
/// the intended shares even in a small territory.
pub(crate) struct Deck<T> {
    pub(crate) cards: Vec<T>,
    pub(crate) next: usize,
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

pub(crate) fn slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(crate) fn domain_of(name: &str) -> String {
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
pub(crate) enum Scenario {
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
pub(crate) enum Trend {
    Steady,
    /// Referrals fall to a fraction of the baseline from `change` on (P9).
    Drop,
    /// No referrals at all from `change` on (P9).
    Silent,
    /// The account was lost; referrals stop at the loss.
    Ended,
}

pub(crate) struct Referring {
    pub(crate) rate: f64,
    pub(crate) trend: Trend,
    /// Business-day index where the trend starts.
    pub(crate) change: usize,
}

pub(crate) struct AccountPlan {
    pub(crate) hours: &'static Hours,
    pub(crate) spec_mask: u8,
    /// Index into `SPECIALTIES` of the main specialty.
    pub(crate) main_spec: usize,
    pub(crate) pains: u64,
    pub(crate) no_staff: bool,
    pub(crate) phone: String,
    pub(crate) domain: String,
    pub(crate) completeness: f64,
    /// Business day of the loss, with its reason (P15).
    pub(crate) lost: Option<(usize, LossReason)>,
    pub(crate) competitor: Option<&'static str>,
    pub(crate) no_fit: Option<usize>,
    pub(crate) contacts: std::ops::Range<usize>,
}

pub(crate) struct ContactPlan {
    pub(crate) account: usize,
    /// Relevant topics, those matching the account's pain points first (P1, P25).
    pub(crate) topics: Vec<TopicId>,
    pub(crate) cursor: usize,
    pub(crate) referring: Option<Referring>,
    pub(crate) scenario: Scenario,
    pub(crate) budget: usize,
    pub(crate) has_met: bool,
    pub(crate) channels: [(Channel, u32); 8],
    pub(crate) channel_count: usize,
}

pub(crate) struct RepGen<'a> {
    pub(crate) spec: &'a DemoSpec,
    pub(crate) rep_index: usize,
    pub(crate) rep: UserId,
    pub(crate) metro: &'static Metro,
    pub(crate) tz_name: TzName,
    pub(crate) rng: Rng,
    /// Working days (of the built-in playbook) from a year before `today` to a few weeks after.
    pub(crate) days: Vec<Date>,
    /// Calendar days from each business day to `today` (negative in the future).
    pub(crate) ago: Vec<i64>,
    /// UTC second of local midnight at the day's daytime offset: a touch's timestamp is
    /// this plus its local minute, correct for every office hour even on DST days.
    pub(crate) base: Vec<i64>,
    /// Number of business days before `today`; `past - 1` is the last one.
    pub(crate) past: usize,
    pub(crate) pain_keys: Vec<String>,
    /// Catalogue positions of the medical and the law-firm pain points.
    pub(crate) pain_pools: [Vec<usize>; 2],
    pub(crate) masks: Vec<TopicMask>,
    pub(crate) specialties: Vec<Specialty>,
    pub(crate) names: HashSet<String>,
    pub(crate) accounts: Vec<Account>,
    pub(crate) aplans: Vec<AccountPlan>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) cplans: Vec<ContactPlan>,
    pub(crate) touches: Vec<Touch>,
    pub(crate) forced_referrals: Vec<(usize, usize)>,
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
        // The built-in playbook's working days (no weekends, no US federal holidays): a
        // rep works on none other, so no touch or agreed callback falls on one.
        let playbook = rounds_core::playbook::Playbook::default();
        let (mut days, mut ago, mut base) = (Vec::new(), Vec::new(), Vec::new());
        for (k, d) in start
            .series(1.day())
            .take((HISTORY_DAYS + FUTURE_DAYS) as usize)
            .enumerate()
        {
            if !playbook.is_working_day(d) {
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
            text_consent: None,
        };
        // Seven in ten cell holders have a consent to texts on record (P43), signed with
        // the intake form a year ago, so the demo still plans texts where they are allowed.
        // Chosen from the id, not the random stream, so the rest of the demo is unchanged.
        if contact.channels.cell.is_some() && contact.id.0 % 10 < 7 {
            contact.text_consent = Some(Consent {
                on: self.days[0],
                source: "signed-form".into(),
            });
        }
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
            no_referral: None,
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
                    earlier: vec![],
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
            step_updates: vec![],
            work_weeks: vec![],
            time_off: vec![],
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
pub(crate) fn poisson_thresholds(rate: f64) -> [u32; 5] {
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

//! Made-up books of business as other CRMs export them — Salesforce's data export and
//! Veeva CRM's objects — for the import's tests and benchmarks at any size. Seeded and
//! pure like the demo: the same spec writes the same bytes, to whatever writers the
//! caller hands in.

use std::io::{self, Write};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::data::{FIRST_NAMES, METROS, SURNAMES};

/// How large a book to write.
#[derive(Debug, Clone)]
pub struct CrmSpec {
    pub seed: u64,
    /// The reps' e-mail addresses: each owns an equal share of the accounts.
    pub owners: Vec<String>,
    pub accounts: usize,
    pub contacts: usize,
    pub activities: usize,
    /// Activities fall on weekdays in the year before this day.
    pub today: Date,
}

/// The files of a Salesforce data export.
#[derive(Debug)]
pub struct SalesforceFiles<W> {
    pub users: W,
    pub accounts: W,
    pub contacts: W,
    pub tasks: W,
}

/// The files of a Veeva CRM export.
#[derive(Debug)]
pub struct VeevaFiles<W> {
    pub accounts: W,
    pub addresses: W,
    pub calls: W,
}

const PRACTICE_KINDS: &[&str] = &[
    "Family Practice",
    "Orthopaedics",
    "Pain Center",
    "Physical Therapy",
    "Imaging Center",
    "Neurology Clinic",
    "Urgent Care",
];
const TITLES: &[&str] = &[
    "Physician",
    "Office Manager",
    "Charge Nurse, RN",
    "Front Desk",
    "Practice Administrator",
    "Billing",
];
const DISPOSITIONS: &[&str] = &[
    "Connected",
    "Left Voicemail",
    "No Answer",
    "",
    "Meeting Set",
    "Not Interested",
];
const PRODUCTS: &[&str] = &["Cardiozen", "Vasclear", "Osteoflex", "Painaway"];

/// An 18-character id of a Salesforce object (`prefix` names the object).
fn sf_id(prefix: &str, n: usize) -> String {
    format!("{prefix}{:012}AAA", n)
}

fn weekday_before(today: Date, days_back: i64) -> Date {
    let mut d = today - days_back.days();
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d -= 1.day();
    }
    d
}

/// Writes a Salesforce export: `User`, `Account`, `Contact` and `Task` files.
pub fn write_salesforce<W: Write>(spec: &CrmSpec, files: SalesforceFiles<W>) -> io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let csv_err = |e: csv::Error| io::Error::other(e);
    let mut users = csv::Writer::from_writer(files.users);
    users
        .write_record([
            "Id",
            "Username",
            "Email",
            "FirstName",
            "LastName",
            "IsActive",
        ])
        .map_err(csv_err)?;
    for (i, email) in spec.owners.iter().enumerate() {
        let (first, last) = email.split_once('@').unwrap_or((email, ""));
        users
            .write_record([
                &sf_id("005", i + 1),
                &format!("{email}.sf"),
                email,
                first,
                last,
                "true",
            ])
            .map_err(csv_err)?;
    }
    users.flush()?;

    let mut accounts = csv::Writer::from_writer(files.accounts);
    accounts
        .write_record([
            "Id",
            "Name",
            "Type",
            "BillingStreet",
            "BillingCity",
            "BillingState",
            "BillingPostalCode",
            "BillingLatitude",
            "BillingLongitude",
            "Phone",
            "Industry",
            "OwnerId",
        ])
        .map_err(csv_err)?;
    for a in 0..spec.accounts {
        let metro = &METROS[a % METROS.len()];
        let name = format!(
            "{} {}",
            SURNAMES[rng.usize(..SURNAMES.len())],
            PRACTICE_KINDS[rng.usize(..PRACTICE_KINDS.len())]
        );
        let kind = if rng.u8(..10) < 3 {
            "Customer - Direct"
        } else {
            "Prospect"
        };
        accounts
            .write_record([
                sf_id("001", a + 1),
                name,
                kind.to_string(),
                format!("{} Main St", 100 + a),
                metro.city.to_string(),
                metro.region.to_string(),
                format!("{}{:02}", metro.zip3, a % 100),
                format!("{:.4}", metro.lat + rng.f64() * 0.2 - 0.1),
                format!("{:.4}", metro.lon + rng.f64() * 0.2 - 0.1),
                format!("({}) 555-{:04}", metro.area_code, a % 10_000),
                "Healthcare".to_string(),
                sf_id("005", a % spec.owners.len().max(1) + 1),
            ])
            .map_err(csv_err)?;
    }
    accounts.flush()?;

    let mut contacts = csv::Writer::from_writer(files.contacts);
    contacts
        .write_record([
            "Id",
            "AccountId",
            "Salutation",
            "FirstName",
            "LastName",
            "Title",
            "Department",
            "Email",
            "Phone",
            "MobilePhone",
            "HasOptedOutOfEmail",
            "DoNotCall",
        ])
        .map_err(csv_err)?;
    for c in 0..spec.contacts {
        let account = c % spec.accounts.max(1);
        let first = FIRST_NAMES[rng.usize(..FIRST_NAMES.len())];
        let last = SURNAMES[rng.usize(..SURNAMES.len())];
        let title = TITLES[rng.usize(..TITLES.len())];
        contacts
            .write_record([
                sf_id("003", c + 1),
                sf_id("001", account + 1),
                if title == "Physician" { "Dr." } else { "" }.to_string(),
                first.to_string(),
                last.to_string(),
                title.to_string(),
                String::new(),
                format!(
                    "{}.{}{}@practice{}.example",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    c,
                    account
                ),
                format!("(312) 555-{:04}", c % 10_000),
                if rng.bool() {
                    format!("(312) 556-{:04}", c % 10_000)
                } else {
                    String::new()
                },
                if rng.u8(..20) == 0 { "true" } else { "false" }.to_string(),
                "false".to_string(),
            ])
            .map_err(csv_err)?;
    }
    contacts.flush()?;

    let mut tasks = csv::Writer::from_writer(files.tasks);
    tasks
        .write_record([
            "Id",
            "WhoId",
            "WhatId",
            "Subject",
            "ActivityDate",
            "Status",
            "TaskSubtype",
            "CallDisposition",
            "Description",
        ])
        .map_err(csv_err)?;
    for t in 0..spec.activities {
        let contact = t % spec.contacts.max(1);
        let account = contact % spec.accounts.max(1);
        let email = rng.u8(..4) == 0;
        let day = weekday_before(spec.today, 1 + rng.i64(0..360));
        tasks
            .write_record([
                sf_id("00T", t + 1),
                sf_id("003", contact + 1),
                sf_id("001", account + 1),
                if email { "Email: follow-up" } else { "Call" }.to_string(),
                day.to_string(),
                "Completed".to_string(),
                if email { "Email" } else { "Call" }.to_string(),
                if email {
                    ""
                } else {
                    DISPOSITIONS[rng.usize(..DISPOSITIONS.len())]
                }
                .to_string(),
                format!(
                    "Talked about {} and the next delivery.",
                    PRODUCTS[t % PRODUCTS.len()]
                ),
            ])
            .map_err(csv_err)?;
    }
    tasks.flush()
}

/// Writes a Veeva export: `Account` (one organisation per `accounts`, professionals as
/// person accounts, most with a parent, some at an address of their own),
/// `Address_vod__c` and `Call2_vod__c`. Every account is owned by the first owner's id
/// `005000000000001AAA`, so a run maps it with `--rep` or a users file.
pub fn write_veeva<W: Write>(spec: &CrmSpec, files: VeevaFiles<W>) -> io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(spec.seed ^ 0x5eed);
    let csv_err = |e: csv::Error| io::Error::other(e);
    let mut accounts = csv::Writer::from_writer(files.accounts);
    let mut addresses = csv::Writer::from_writer(files.addresses);
    accounts
        .write_record([
            "Id",
            "Name",
            "IsPersonAccount",
            "FirstName",
            "LastName",
            "Salutation",
            "Credentials_vod__c",
            "Specialty_1_vod__c",
            "PersonEmail",
            "Phone",
            "Primary_Parent_vod__c",
            "OwnerId",
        ])
        .map_err(csv_err)?;
    addresses
        .write_record([
            "Id",
            "Account_vod__c",
            "Name",
            "City_vod__c",
            "State_vod__c",
            "Zip_vod__c",
            "Primary_vod__c",
        ])
        .map_err(csv_err)?;
    let owner = sf_id("005", 1);
    let mut address_n = 0;
    let mut address = |w: &mut csv::Writer<W>, account: &str, n: usize| -> io::Result<()> {
        address_n += 1;
        let metro = &METROS[n % METROS.len()];
        w.write_record([
            format!("a0A{address_n:012}"),
            account.to_string(),
            format!("{} Clinic Way", 10 + n),
            metro.city.to_string(),
            metro.region.to_string(),
            format!("{}{:02}", metro.zip3, n % 100),
            "true".to_string(),
        ])
        .map_err(csv_err)
    };
    for a in 0..spec.accounts {
        let id = format!("0V1{:012}HCO", a + 1);
        accounts
            .write_record([
                id.as_str(),
                &format!(
                    "{} {}",
                    SURNAMES[rng.usize(..SURNAMES.len())],
                    PRACTICE_KINDS[a % PRACTICE_KINDS.len()]
                ),
                "false",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                &owner,
            ])
            .map_err(csv_err)?;
        address(&mut addresses, &id, a)?;
    }
    let specialties = ["Cardiology", "Internal Medicine", "Ob/Gyn", "Orthopaedics"];
    for p in 0..spec.contacts {
        let id = format!("0V1{:012}HCP", p + 1);
        let first = FIRST_NAMES[rng.usize(..FIRST_NAMES.len())];
        let last = SURNAMES[rng.usize(..SURNAMES.len())];
        // One in ten practises at an address of their own, without a parent.
        let parent = if p % 10 == 9 {
            String::new()
        } else {
            format!("0V1{:012}HCO", p % spec.accounts.max(1) + 1)
        };
        accounts
            .write_record([
                id.as_str(),
                &format!("{first} {last}"),
                "true",
                first,
                last,
                "Dr.",
                if p % 7 == 0 { "NP" } else { "MD" },
                specialties[p % specialties.len()],
                &format!(
                    "{}.{}{p}@hcp.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                "",
                &parent,
                &owner,
            ])
            .map_err(csv_err)?;
        if parent.is_empty() {
            address(&mut addresses, &id, spec.accounts + p)?;
        }
    }
    accounts.flush()?;
    addresses.flush()?;
    let mut calls = csv::Writer::from_writer(files.calls);
    calls
        .write_record([
            "Id",
            "Account_vod__c",
            "Call_Date_vod__c",
            "Call_Type_vod__c",
            "Status_vod__c",
            "Detailed_Products_vod__c",
            "Call_Channel_vod__c",
        ])
        .map_err(csv_err)?;
    let channels = [
        "Face_to_face_vod",
        "Face_to_face_vod",
        "Phone_vod",
        "Video_vod",
        "Email_vod",
    ];
    for c in 0..spec.activities {
        let person = c % spec.contacts.max(1);
        let day = weekday_before(spec.today, 1 + rng.i64(0..360));
        calls
            .write_record([
                format!("a0B{:012}", c + 1),
                format!("0V1{:012}HCP", person + 1),
                day.to_string(),
                "Detail Only".to_string(),
                "Submitted_vod".to_string(),
                format!("{}, {}", PRODUCTS[c % 4], PRODUCTS[(c + 1) % 4]),
                channels[rng.usize(..channels.len())].to_string(),
            ])
            .map_err(csv_err)?;
    }
    calls.flush()
}

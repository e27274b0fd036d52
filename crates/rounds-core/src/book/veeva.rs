//! Veeva CRM's exports: `Account` (organisations and, as person accounts, the
//! professionals), `Address_vod__c` (an account's addresses, one marked primary) and
//! `Call2_vod__c` (the calls). A professional becomes a contact of the organisation
//! named by `Primary_Parent_vod__c`; one with no parent becomes a contact of an office
//! at their primary address, shared with the others practising there.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::salesforce::{blank_account, blank_contact, blank_touch, number, required, when_of};
use super::{
    BookContext, BookProblem, Columns, Draft, FileKind, Item, Origin, Refs, RowView, Sheet,
    TouchDraft, When, channel_from, kind_from_name, note_of, zone_for,
};
use crate::model::{Account, Channel, Contact, ContactRole, Outcome, Specialty};

/// An organisation from the Account file.
#[derive(Debug, Clone)]
pub struct Business {
    pub origin: Origin,
    pub external_id: String,
    pub name: String,
    pub owner: Option<String>,
}

/// A professional (a person account).
#[derive(Debug, Clone)]
pub struct Person {
    pub origin: Origin,
    pub external_id: String,
    pub parent: Option<String>,
    pub name: String,
    pub credentials: Option<String>,
    pub specialty: Option<Specialty>,
    pub email: Option<String>,
    pub cell: Option<String>,
    pub phone: Option<String>,
    pub owner: Option<String>,
    pub no_email: bool,
}

/// An address of an account.
#[derive(Debug, Clone)]
pub struct Address {
    pub origin: Origin,
    pub account: String,
    pub street: String,
    pub city: String,
    pub state: Option<String>,
    pub zip: String,
    pub phone: Option<String>,
    pub primary: bool,
    pub lat: f64,
    pub lon: f64,
}

pub fn columns(kind: FileKind, sheet: &Sheet) -> Columns {
    let pairs: &[(&str, &str)] = match kind {
        FileKind::VeevaAccount => &[
            ("name", "Name"),
            ("channels.email", "PersonEmail"),
            ("channels.cell", "PersonMobilePhone"),
            ("channels.office_phone", "Phone"),
        ],
        FileKind::VeevaAddress => &[
            ("address.street", "Name"),
            ("address.city", "City_vod__c"),
            ("address.region", "State_vod__c"),
            ("address.postal_code", "Zip_vod__c"),
            ("address.lat", "Latitude_vod__c"),
            ("address.lon", "Longitude_vod__c"),
            ("profile.phone", "Phone_vod__c"),
        ],
        _ => &[("note", "Call_Comments_vod__c")],
    };
    Origin::columns(pairs, sheet)
}

/// A lowercase slug for a specialty as Veeva spells it (`Ob/Gyn` → `ob-gyn`).
pub fn specialty_slug(text: &str) -> Option<Specialty> {
    let mut slug = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').parse().ok()
}

pub fn row(
    kind: FileKind,
    v: &RowView,
    cx: &BookContext,
    columns: &Columns,
) -> Result<Item, Vec<BookProblem>> {
    let origin = Origin::of(v, columns);
    match kind {
        FileKind::VeevaAccount => account(v, origin),
        FileKind::VeevaAddress => address(v, origin),
        FileKind::VeevaCall => call(v, cx, origin),
        _ => Err(vec![BookProblem::at(
            &v.sheet.file,
            v.line(),
            "",
            "not a Veeva file",
        )]),
    }
}

fn account(v: &RowView, origin: Origin) -> Result<Item, Vec<BookProblem>> {
    let id = required(v, "Id")?.to_string();
    let person = match v.get("IsPersonAccount") {
        Some(flag) => {
            super::cells::flag(Some(flag)).map_err(|m| vec![v.problem("IsPersonAccount", m)])?
        }
        None => v.get("LastName").is_some(),
    };
    let owner = v.get("OwnerId").map(str::to_string);
    if !person {
        let name = required(v, "Name")?.to_string();
        return Ok(Item::Business(Box::new(Business {
            origin,
            external_id: id,
            name,
            owner,
        })));
    }
    let name = match (v.get("FirstName"), v.get("LastName")) {
        (first, Some(last)) => [v.get("Salutation"), first, Some(last)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        (_, None) => required(v, "Name")?.to_string(),
    };
    let specialty = match v.get("Specialty_1_vod__c") {
        None => None,
        Some(s) => Some(specialty_slug(s).ok_or_else(|| {
            vec![v.problem(
                "Specialty_1_vod__c",
                format!("`{s}` has no letters or digits to name a specialty"),
            )]
        })?),
    };
    let no_email = super::cells::flag(v.get("PersonHasOptedOutOfEmail"))
        .map_err(|m| vec![v.problem("PersonHasOptedOutOfEmail", m)])?;
    Ok(Item::Person(Box::new(Person {
        origin,
        external_id: id,
        parent: v.get("Primary_Parent_vod__c").map(str::to_string),
        name,
        credentials: v.get("Credentials_vod__c").map(str::to_string),
        specialty,
        email: v.get("PersonEmail").map(str::to_string),
        cell: v.get("PersonMobilePhone").map(str::to_string),
        phone: v.get("Phone").map(str::to_string),
        owner,
        no_email,
    })))
}

fn address(v: &RowView, origin: Origin) -> Result<Item, Vec<BookProblem>> {
    let account = required(v, "Account_vod__c")?.to_string();
    let mut problems = Vec::new();
    let mut num = |c: &str| {
        number(v, c).unwrap_or_else(|p| {
            problems.push(p);
            0.0
        })
    };
    let (lat, lon) = (num("Latitude_vod__c"), num("Longitude_vod__c"));
    let primary = super::cells::flag(v.get("Primary_vod__c")).unwrap_or_else(|m| {
        problems.push(v.problem("Primary_vod__c", m));
        false
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let street = [v.get("Name"), v.get("Address_line_2_vod__c")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Item::Address(Box::new(Address {
        origin,
        account,
        street,
        city: v.get("City_vod__c").unwrap_or("").to_string(),
        state: v.get("State_vod__c").map(str::to_string),
        zip: v.get("Zip_vod__c").unwrap_or("").to_string(),
        phone: v.get("Phone_vod__c").map(str::to_string),
        primary,
        lat,
        lon,
    })))
}

fn call(v: &RowView, cx: &BookContext, origin: Origin) -> Result<Item, Vec<BookProblem>> {
    let id = required(v, "Id")?;
    let Some(who) = v.get("Account_vod__c") else {
        return Ok(Item::LeftOut("calls with no account"));
    };
    if let Some(status) = v.get("Status_vod__c")
        && status.to_ascii_lowercase().starts_with("planned")
    {
        return Ok(Item::LeftOut("planned calls (not done yet)"));
    }
    let channel = [v.get("Call_Channel_vod__c"), v.get("Call_Type_vod__c")]
        .into_iter()
        .flatten()
        .find_map(channel_from)
        .unwrap_or(Channel::Visit);
    let when = when_of(v, &["Call_Datetime_vod__c"], "Call_Date_vod__c")?;
    let day = match when {
        When::At(t) => t.to_zoned(jiff::tz::TimeZone::UTC).date(),
        When::Local(dt) => dt.date(),
    };
    if day > cx.today {
        return Ok(Item::LeftOut("calls dated after today"));
    }
    let outcome = match channel {
        Channel::Email | Channel::Text => Outcome::NoResponse,
        _ => Outcome::Conversation,
    };
    let products: Vec<String> = v
        .get("Detailed_Products_vod__c")
        .map(|p| {
            p.split([',', ';'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| format!("product:{p}"))
                .collect()
        })
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    let products = products
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect();
    let note = note_of(
        v.get("Call_Type_vod__c"),
        v.get("Call_Comments_vod__c")
            .or(v.get("Pre_Call_Notes_vod__c")),
    );
    Ok(Item::Touch(Box::new(TouchDraft {
        draft: Draft {
            origin,
            external_id: id.to_string(),
            refs: Refs {
                contact: Some(who.to_string()),
                topics: products,
                ..Refs::default()
            },
            record: blank_touch(channel, outcome, note),
        },
        when,
    })))
}

/// An office made for persons without a parent, keyed by its address: the persons'
/// names, where the first was read, its owner and the address.
type Office = (Vec<String>, Origin, Option<String>, Option<Address>);

/// The accounts and contacts of a Veeva import, once every organisation, person and
/// address is read: addresses go to their accounts (the primary one, else the first),
/// persons to their parent or to the office at their address.
pub fn assemble(
    businesses: Vec<Business>,
    persons: Vec<Person>,
    addresses: Vec<Address>,
    cx: &BookContext,
) -> (Vec<Draft<Account>>, Vec<Draft<Contact>>, Vec<BookProblem>) {
    let mut address_of: HashMap<String, Address> = HashMap::new();
    for a in addresses {
        match address_of.get(&a.account) {
            Some(kept) if kept.primary || !a.primary => {}
            _ => {
                address_of.insert(a.account.clone(), a);
            }
        }
    }
    let mut problems = Vec::new();
    let mut accounts = Vec::new();
    let mut specialties: BTreeMap<String, BTreeSet<Specialty>> = BTreeMap::new();
    let mut contacts = Vec::new();
    let mut offices: BTreeMap<String, Office> = BTreeMap::new();
    for p in persons {
        let account_id = match &p.parent {
            Some(parent) => parent.clone(),
            None => {
                let address = address_of.get(&p.external_id).cloned();
                let key = match &address {
                    Some(a) => format!(
                        "office:{}|{}|{}",
                        a.street.to_lowercase(),
                        a.city.to_lowercase(),
                        a.zip
                    ),
                    None => format!("office-of:{}", p.external_id),
                };
                let office = offices
                    .entry(key.clone())
                    .or_insert_with(|| (vec![], p.origin.clone(), p.owner.clone(), address));
                office.0.push(p.name.clone());
                key
            }
        };
        if let Some(s) = &p.specialty {
            specialties
                .entry(account_id.clone())
                .or_default()
                .insert(s.clone());
        }
        let role = match p
            .credentials
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("RN" | "LPN") => ContactRole::HeadNurse,
            Some("NP" | "PA" | "PA-C" | "PHARMD" | "RPH") => ContactRole::Other,
            _ => ContactRole::Physician,
        };
        let mut c = blank_contact(p.name.clone(), role);
        c.specialty = p.specialty.clone();
        c.channels.email = p.email.clone();
        c.channels.cell = p.cell.clone();
        c.channels.office_phone = p.phone.clone();
        if p.no_email {
            c.opt_outs.push(Channel::Email);
        }
        contacts.push(Draft {
            origin: p.origin,
            external_id: p.external_id,
            refs: Refs {
                account: Some(account_id),
                ..Refs::default()
            },
            record: c,
        });
    }
    let mut place = |name: &str,
                     external_id: String,
                     origin: Origin,
                     owner: Option<String>,
                     address: Option<&Address>| {
        let state = address.and_then(|a| a.state.as_deref());
        let tz = match zone_for(state, cx) {
            Ok(tz) => tz,
            Err(m) => {
                let at = address.map_or(&origin, |a| &a.origin);
                problems.push(at.problem("address.region", m));
                return;
            }
        };
        let mut account = blank_account(name, tz);
        let (kind, segment) = kind_from_name(name);
        account.kind = kind;
        account.segment = segment;
        if let Some(a) = address {
            account.address.street = a.street.clone();
            account.address.city = a.city.clone();
            account.address.region = a.state.clone().unwrap_or_default();
            account.address.postal_code = a.zip.clone();
            account.address.lat = a.lat;
            account.address.lon = a.lon;
            if let Some(phone) = &a.phone {
                account.profile.insert("phone".into(), phone.clone());
            }
        }
        account.specialties = specialties
            .get(&external_id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        accounts.push(Draft {
            origin,
            external_id,
            refs: Refs {
                owner,
                ..Refs::default()
            },
            record: account,
        });
    };
    for b in businesses {
        let address = address_of.get(&b.external_id);
        place(&b.name, b.external_id.clone(), b.origin, b.owner, address);
    }
    for (key, (names, origin, owner, address)) in offices {
        let name = match (names.as_slice(), &address) {
            ([one], _) => format!("Office of {one}"),
            (_, Some(a)) if !a.street.is_empty() => format!("{}, {}", a.street, a.city),
            _ => format!("Office of {}", names.join(", ")),
        };
        place(&name, key, origin, owner, address.as_ref());
    }
    (accounts, contacts, problems)
}

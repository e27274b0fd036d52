//! Moving in from another system: a book of business exported by Salesforce or Veeva
//! CRM, or any spreadsheet with a mapping, imported in one transaction. Records keep
//! the other system's ids (`source`, external id), so importing the same files again
//! changes nothing and an updated file updates only what changed; a dry run decides
//! and counts the same and writes nothing.
//!
//! Accounts and contacts are read whole first (they are few); activities are read while
//! they are written, a chunk at a time, so memory does not grow with the file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use jiff::civil::Date;
use rounds_core::book::{
    BookContext, BookProblem, Columns, Draft, ExternalChunk, ExternalCounts, ExternalKind,
    FileKind, Imported, Item, Sheet, TouchDraft, When, digest, mapping::MappedRecord,
    mapping::Mapping, salesforce, veeva,
};
use rounds_core::model::{
    Account, AccountId, AccountStatus, Contact, ContactId, Role, Topic, TopicId, TzName, UserId,
};
use rounds_store::{Rollback, Store};

use crate::{Actor, AppError, Result};

/// Problems kept to show; the rest are counted.
pub const MAX_BOOK_PROBLEMS: usize = 1_000;

/// Touches handed to the store at a time.
pub const BOOK_CHUNK: usize = 5_000;

/// What to import and how.
#[derive(Debug)]
pub struct BookImport {
    pub sheets: Vec<Sheet>,
    /// Every sheet is read through this mapping instead of being recognised.
    pub mapping: Option<Mapping>,
    /// The other system's owners (ids or e-mail addresses) → Rounds reps (ids or e-mail
    /// addresses), before `User.csv` and e-mail matching are tried.
    pub owner_map: Vec<(String, String)>,
    /// Every account goes to this rep, whatever the files say.
    pub rep: Option<UserId>,
    /// The zone of accounts whose state does not give one.
    pub zone: Option<TzName>,
    pub dry_run: bool,
    /// Activities after this day are left out.
    pub today: Date,
}

/// What an import did, or would do when dry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookSummary {
    pub source: String,
    pub dry_run: bool,
    pub counts: ExternalCounts,
    /// Rows that are not something Rounds keeps, by why.
    pub left_out: BTreeMap<&'static str, u64>,
    /// Each file, what it was read as, and its rows.
    pub files: Vec<(String, &'static str, u64)>,
}

/// Problems in file order, capped.
#[derive(Default)]
struct Problems {
    kept: Vec<BookProblem>,
    total: usize,
}

impl Problems {
    fn add(&mut self, p: BookProblem) {
        self.total += 1;
        if self.kept.len() < MAX_BOOK_PROBLEMS {
            self.kept.push(p);
        }
    }
    fn extend(&mut self, ps: impl IntoIterator<Item = BookProblem>) {
        for p in ps {
            self.add(p);
        }
    }
    fn is_empty(&self) -> bool {
        self.total == 0
    }
    fn into_error(self) -> AppError {
        AppError::Book {
            problems: self.kept,
            total: self.total,
        }
    }
}

/// How a sheet is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Known(FileKind),
    Mapped(MappedRecord),
}

impl Reading {
    fn is_activity(self) -> bool {
        match self {
            Reading::Known(k) => k.is_activity(),
            Reading::Mapped(r) => r == MappedRecord::Touch,
        }
    }
    /// Owners, then places and people, then activities.
    fn order(self) -> (u8, u8) {
        match self {
            Reading::Known(FileKind::SalesforceUser) => (0, 0),
            Reading::Mapped(MappedRecord::Account) => (1, 0),
            Reading::Mapped(MappedRecord::Contact) => (2, 0),
            Reading::Mapped(MappedRecord::Touch) => (3, 0),
            Reading::Known(k) => (if k.is_activity() { 3 } else { 1 }, k as u8),
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Reading::Known(k) => k.describe(),
            Reading::Mapped(MappedRecord::Account) => "mapped accounts",
            Reading::Mapped(MappedRecord::Contact) => "mapped contacts",
            Reading::Mapped(MappedRecord::Touch) => "mapped touches",
        }
    }
}

fn read_row(
    reading: Reading,
    mapping: Option<&Mapping>,
    sheet: &Sheet,
    row: &rounds_core::book::Row,
    cx: &BookContext,
    columns: &Columns,
) -> std::result::Result<Item, Vec<BookProblem>> {
    let v = sheet.view(row);
    match (reading, mapping) {
        (Reading::Mapped(_), Some(m)) => m.row(&v, cx, columns),
        (Reading::Known(k), _) if k.source() == "veeva" => veeva::row(k, &v, cx, columns),
        (Reading::Known(k), _) => salesforce::row(k, &v, cx, columns),
        (Reading::Mapped(_), None) => unreachable!("a mapped reading always has its mapping"),
    }
}

fn columns_of(reading: Reading, mapping: Option<&Mapping>, sheet: &Sheet) -> Columns {
    match (reading, mapping) {
        (Reading::Mapped(_), Some(m)) => m.columns(sheet),
        (Reading::Known(k), _) if k.source() == "veeva" => veeva::columns(k, sheet),
        (Reading::Known(k), _) => salesforce::columns(k, sheet),
        (Reading::Mapped(_), None) => unreachable!("a mapped reading always has its mapping"),
    }
}

/// Imports the files into the actor's organisation (administrators only), calling
/// `on_rows` with each row read (for a progress bar).
pub async fn import_book<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: BookImport,
    on_rows: &(dyn Fn(u64) + Sync),
) -> Result<BookSummary> {
    if !actor.scope.is_admin() {
        return Err(AppError::Forbidden(
            "only administrators may import".to_string(),
        ));
    }
    let org = actor.org;
    let cx = BookContext {
        zone: input.zone.clone(),
        today: input.today,
    };
    let mut problems = Problems::default();
    let mut summary = BookSummary {
        dry_run: input.dry_run,
        ..BookSummary::default()
    };

    // What each sheet is, and one source for the run.
    let mut sheets: Vec<(Reading, Sheet)> = Vec::new();
    for sheet in input.sheets {
        let reading = match &input.mapping {
            Some(m) => {
                problems.extend(m.check_header(&sheet));
                Reading::Mapped(m.record)
            }
            None => match FileKind::detect(&sheet) {
                Some(k) => Reading::Known(k),
                None => {
                    problems.add(BookProblem::file(
                        &sheet.file,
                        format!(
                            "is not a Salesforce or Veeva export Rounds recognises (its columns: {}); describe it with a mapping: rounds import --mapping-template {}",
                            sheet.header.join(", "),
                            sheet.file
                        ),
                    ));
                    continue;
                }
            },
        };
        sheets.push((reading, sheet));
    }
    let source = match &input.mapping {
        Some(m) => m.source.clone(),
        None => {
            let sources: std::collections::BTreeSet<&str> = sheets
                .iter()
                .filter_map(|(r, _)| match r {
                    // Veeva runs on Salesforce: its users export is Salesforce's.
                    Reading::Known(FileKind::SalesforceUser) => None,
                    Reading::Known(k) => Some(k.source()),
                    Reading::Mapped(_) => None,
                })
                .collect();
            if sources.len() > 1 {
                problems.add(BookProblem::file(
                    &sheets[0].1.file,
                    "the files come from both Salesforce and Veeva; import each system's files in a run of its own",
                ));
            }
            sources
                .into_iter()
                .next()
                .unwrap_or("salesforce")
                .to_string()
        }
    };
    summary.source = source.clone();
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    sheets.sort_by_key(|(r, _)| r.order());

    // Owners, accounts and contacts: read whole.
    let mut owners: HashMap<String, String> = HashMap::new();
    let mut accounts: Vec<Draft<Account>> = Vec::new();
    let mut contacts: Vec<Draft<Contact>> = Vec::new();
    let (mut businesses, mut persons, mut addresses) = (Vec::new(), Vec::new(), Vec::new());
    let mut activities = Vec::new();
    for (reading, mut sheet) in sheets {
        if reading.is_activity() {
            activities.push((reading, sheet));
            continue;
        }
        let columns = columns_of(reading, input.mapping.as_ref(), &sheet);
        let mut rows = 0u64;
        while let Some(row) = sheet.next_row() {
            rows += 1;
            let row = match row {
                Ok(row) => row,
                Err(p) => {
                    problems.add(p);
                    continue;
                }
            };
            match read_row(reading, input.mapping.as_ref(), &sheet, &row, &cx, &columns) {
                Err(ps) => problems.extend(ps),
                Ok(Item::Owner { external_id, email }) => {
                    owners.insert(external_id, email);
                }
                Ok(Item::Account(a)) => accounts.push(*a),
                Ok(Item::Contact(c)) => contacts.push(*c),
                Ok(Item::Business(b)) => businesses.push(*b),
                Ok(Item::Person(p)) => persons.push(*p),
                Ok(Item::Address(a)) => addresses.push(*a),
                Ok(Item::LeftOut(why)) => *summary.left_out.entry(why).or_default() += 1,
                Ok(Item::Topic(_) | Item::Touch(_)) => {}
            }
            on_rows(1);
        }
        summary
            .files
            .push((sheet.file.to_string(), reading.describe(), rows));
    }
    if !businesses.is_empty() || !persons.is_empty() || !addresses.is_empty() {
        let (a, c, ps) = veeva::assemble(businesses, persons, addresses, &cx);
        accounts.extend(a);
        contacts.extend(c);
        problems.extend(ps);
    }
    let id_column = input
        .mapping
        .as_ref()
        .and_then(|m| m.column_of("external_id"))
        .unwrap_or("Id")
        .to_string();
    duplicates(&accounts, "account", &id_column, &mut problems);
    duplicates(&contacts, "contact", &id_column, &mut problems);

    // Who owns what.
    let users = store.users(org).await?;
    let reps = Reps::new(&users, &owners, &input.owner_map, input.rep);

    // Links of earlier imports from this source, and the records they point at.
    let account_links = links(store, org, &source, ExternalKind::Account).await?;
    let contact_links = links(store, org, &source, ExternalKind::Contact).await?;
    let topic_links = links(store, org, &source, ExternalKind::Topic).await?;
    let stored_accounts: HashMap<AccountId, Account> = store
        .accounts(org, None)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let stored_contacts: HashMap<ContactId, Contact> = store
        .contacts(org, None)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();

    let mut provisional = 0i64;
    let mut next_provisional = || {
        provisional -= 1;
        provisional
    };

    // Accounts: their owner, their id (the linked one, else a provisional one), the
    // stored record's own fields kept.
    let mut first = ExternalChunk::default();
    // Accounts of earlier runs first, so activities on them are recognised too.
    let mut account_ids: HashMap<String, AccountId> = account_links
        .iter()
        .map(|(ext, (local, _))| (ext.clone(), AccountId(*local)))
        .filter(|(_, id)| stored_accounts.contains_key(id))
        .collect();
    let mut places: HashMap<AccountId, (TzName, UserId)> = stored_accounts
        .values()
        .map(|a| (a.id, (a.tz.clone(), a.rep)))
        .collect();
    let mut unresolved_owners: BTreeMap<String, (BookProblem, u64)> = BTreeMap::new();
    // Accounts already reported, whose contacts are not reported again.
    let mut failed_accounts: HashSet<String> = HashSet::new();
    for d in accounts {
        let mut record = d.record;
        match reps.owner_of(d.refs.owner.as_deref()) {
            Ok(rep) => record.rep = rep,
            Err(message) => {
                let key = d.refs.owner.clone().unwrap_or_default();
                let column = input
                    .mapping
                    .as_ref()
                    .map_or("OwnerId", |m| m.column_of("owner").unwrap_or("owner"));
                failed_accounts.insert(d.external_id.clone());
                let entry = unresolved_owners.entry(key).or_insert_with(|| {
                    (
                        BookProblem::at(&d.origin.file, d.origin.line, column, message),
                        0,
                    )
                });
                entry.1 += 1;
                continue;
            }
        }
        for p in record.validate() {
            problems.add(d.origin.problem(&p.field, p.message));
        }
        let digest = digest(&record, &d.refs);
        let id = match account_links.get(&d.external_id) {
            Some((local, _)) => {
                let id = AccountId(*local);
                if let Some(stored) = stored_accounts.get(&id) {
                    record = overlay_account(stored, record);
                }
                id
            }
            None => AccountId(next_provisional()),
        };
        record.id = id;
        places.insert(id, (record.tz.clone(), record.rep));
        account_ids.insert(d.external_id.clone(), id);
        first.accounts.push(Imported {
            external_id: d.external_id,
            digest,
            record,
        });
    }
    for (_, (mut p, rows)) in unresolved_owners {
        if rows > 1 {
            p.message = format!("{} ({rows} rows name this owner)", p.message);
        }
        problems.add(p);
    }

    // Contacts: under their account, of this import or of an earlier one.
    let mut contact_ids: HashMap<String, (ContactId, AccountId)> = contact_links
        .iter()
        .filter_map(|(ext, (local, _))| {
            let c = stored_contacts.get(&ContactId(*local))?;
            Some((ext.clone(), (c.id, c.account)))
        })
        .collect();
    for d in contacts {
        let account_ext = d.refs.account.clone().unwrap_or_default();
        let account = account_ids.get(&account_ext).copied();
        let Some(account) = account else {
            if failed_accounts.contains(&account_ext) {
                continue;
            }
            let column = match source.as_str() {
                "salesforce" => "AccountId".to_string(),
                "veeva" => "Primary_Parent_vod__c".to_string(),
                _ => "account".to_string(),
            };
            problems.add(BookProblem::at(
                &d.origin.file,
                d.origin.line,
                &column,
                format!(
                    "`{account_ext}` is not an account of this import nor of an earlier one from {source}"
                ),
            ));
            continue;
        };
        let mut record = d.record;
        for p in record.validate() {
            problems.add(d.origin.problem(&p.field, p.message));
        }
        let digest = digest(&record, &d.refs);
        let id = match contact_links.get(&d.external_id) {
            Some((local, _)) => {
                let id = ContactId(*local);
                if let Some(stored) = stored_contacts.get(&id) {
                    record = overlay_contact(stored, record);
                }
                id
            }
            None => ContactId(next_provisional()),
        };
        record.id = id;
        record.account = account;
        contact_ids.insert(d.external_id.clone(), (id, account));
        first.contacts.push(Imported {
            external_id: d.external_id,
            digest,
            record,
        });
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }

    // Activities: read while the store writes them.
    // Activities are read on a thread of their own while the store writes the chunk
    // before: reading and writing take about as long as each other, and the machine has
    // a core for each. The channel holds one chunk, so memory stays at two chunks.
    let rows_read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let reader = Activities {
        sheets: activities,
        current: None,
        mapping: input.mapping.clone(),
        cx: cx.clone(),
        account_ids,
        contact_ids,
        places,
        topic_ids: topic_links
            .into_iter()
            .map(|(k, (local, _))| (k, TopicId(local)))
            .collect(),
        provisional,
        seen: HashSet::new(),
        hasher: std::collections::hash_map::RandomState::new(),
        problems,
        left_out: BTreeMap::new(),
        files: Vec::new(),
        rows_read: rows_read.clone(),
        source: source.clone(),
        id_column,
        done: false,
    };
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    let reading = std::thread::spawn(move || {
        let mut reader = reader;
        for chunk in reader.by_ref() {
            // The store stopped pulling (it failed, or rolled back): stop reading.
            if sender.send(chunk).is_err() {
                break;
            }
        }
        reader
    });
    let mut chunks = Pipe {
        first: Some(first),
        receiver,
        rows_read,
        reported: 0,
        on_rows,
    };
    let written = store
        .write_external(org, &source, input.dry_run, &mut chunks)
        .await;
    drop(chunks);
    let reader = reading
        .join()
        .map_err(|_| AppError::invalid("files", "the import's reader stopped unexpectedly"))?;
    for (why, n) in reader.left_out {
        *summary.left_out.entry(why).or_default() += n;
    }
    summary.files.extend(reader.files);
    match written? {
        Some(counts) => {
            summary.counts = counts;
            Ok(summary)
        }
        None => Err(reader.problems.into_error()),
    }
}

/// The chunks the store pulls: the accounts and contacts, then what the reader thread
/// sends, reporting the rows read as they go.
struct Pipe<'a> {
    first: Option<ExternalChunk>,
    receiver: std::sync::mpsc::Receiver<std::result::Result<ExternalChunk, Rollback>>,
    rows_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    reported: u64,
    on_rows: &'a (dyn Fn(u64) + Sync),
}

impl Iterator for Pipe<'_> {
    type Item = std::result::Result<ExternalChunk, Rollback>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = match self.first.take() {
            Some(first) => Some(Ok(first)),
            None => self.receiver.recv().ok(),
        };
        let read = self.rows_read.load(std::sync::atomic::Ordering::Relaxed);
        if read > self.reported {
            (self.on_rows)(read - self.reported);
            self.reported = read;
        }
        next
    }
}

/// The links of earlier imports from `source`: external id → (Rounds id, digest).
async fn links<S: Store + Sync>(
    store: &S,
    org: rounds_core::model::OrgId,
    source: &str,
    kind: ExternalKind,
) -> Result<HashMap<String, (i64, String)>> {
    Ok(store
        .external_ids(org, source, kind)
        .await?
        .into_iter()
        .map(|l| (l.external_id, (l.local, l.digest)))
        .collect())
}

fn duplicates<T>(drafts: &[Draft<T>], what: &str, column: &str, problems: &mut Problems) {
    let mut first: HashMap<&str, (&str, usize)> = HashMap::new();
    for d in drafts {
        if let Some((file, line)) = first.get(d.external_id.as_str()) {
            problems.add(BookProblem::at(
                &d.origin.file,
                d.origin.line,
                column,
                format!(
                    "the {what} `{}` appears twice (first at {file}:{line})",
                    d.external_id
                ),
            ));
        } else {
            first.insert(&d.external_id, (&d.origin.file, d.origin.line));
        }
    }
}

/// Finds the Rounds rep of an owner named by the other system.
struct Reps {
    forced: Option<UserId>,
    by_email: HashMap<String, UserId>,
    ids: HashSet<UserId>,
    /// The other system's owner ids and e-mail addresses → the rep named for them.
    mapped: HashMap<String, std::result::Result<UserId, String>>,
    /// The other system's user ids → their e-mail addresses (`User.csv`).
    owners: HashMap<String, String>,
    /// The only rep of the organisation, for files that name no owner.
    only_rep: Option<UserId>,
}

impl Reps {
    fn new(
        users: &[rounds_core::model::User],
        owners: &HashMap<String, String>,
        owner_map: &[(String, String)],
        forced: Option<UserId>,
    ) -> Reps {
        let by_email: HashMap<String, UserId> = users
            .iter()
            .map(|u| (u.email.to_lowercase(), u.id))
            .collect();
        let ids: HashSet<UserId> = users.iter().map(|u| u.id).collect();
        let reps: Vec<UserId> = users
            .iter()
            .filter(|u| u.role == Role::Rep)
            .map(|u| u.id)
            .collect();
        let find = |who: &str| -> std::result::Result<UserId, String> {
            let w = who.trim();
            if let Some(id) = by_email.get(&w.to_lowercase()) {
                return Ok(*id);
            }
            if let Ok(n) = w.parse::<i64>()
                && ids.contains(&UserId(n))
            {
                return Ok(UserId(n));
            }
            Err(format!(
                "the owner map names `{w}`, who is not a Rounds user (rounds user list)"
            ))
        };
        let mapped = owner_map
            .iter()
            .map(|(from, to)| (from.trim().to_lowercase(), find(to)))
            .collect();
        Reps {
            forced,
            by_email,
            ids,
            mapped,
            owners: owners
                .iter()
                .map(|(k, v)| (k.to_lowercase(), v.to_lowercase()))
                .collect(),
            only_rep: (reps.len() == 1).then(|| reps[0]),
        }
    }

    fn owner_of(&self, owner: Option<&str>) -> std::result::Result<UserId, String> {
        if let Some(rep) = self.forced {
            return Ok(rep);
        }
        let Some(owner) = owner.map(str::trim).filter(|o| !o.is_empty()) else {
            return self.only_rep.ok_or_else(|| {
                "is empty and the organisation has more than one rep; give --rep, or an owner column".to_string()
            });
        };
        let key = owner.to_lowercase();
        if let Some(found) = self.mapped.get(&key) {
            return found.clone();
        }
        let email = self.owners.get(&key).cloned();
        if let Some(email) = &email {
            if let Some(found) = self.mapped.get(email) {
                return found.clone();
            }
            if let Some(id) = self.by_email.get(email) {
                return Ok(*id);
            }
        }
        if let Some(id) = self.by_email.get(&key) {
            return Ok(*id);
        }
        if let Ok(n) = owner.parse::<i64>()
            && self.ids.contains(&UserId(n))
        {
            return Ok(UserId(n));
        }
        Err(match email {
            Some(email) => format!(
                "`{owner}` ({email}) is not a Rounds user: add them (rounds user add --email {email} …), map them with --owner-map, or give --rep"
            ),
            None => format!(
                "`{owner}` is not a Rounds user: include the other system's User file, map them with --owner-map, or give --rep"
            ),
        })
    }
}

/// The stored account with the imported fields laid over it: what Rounds alone knows
/// (office hours, visit windows, access, pain points, a lost or no-fit status) stays.
fn overlay_account(stored: &Account, imported: Account) -> Account {
    let mut a = stored.clone();
    a.name = imported.name;
    a.rep = imported.rep;
    let (lat, lon) = (a.address.lat, a.address.lon);
    a.address = imported.address;
    if a.address.lat == 0.0 && a.address.lon == 0.0 {
        a.address.lat = lat;
        a.address.lon = lon;
    }
    a.tz = imported.tz;
    if !imported.specialties.is_empty() {
        a.specialties = imported.specialties;
    }
    if !matches!(stored.status, AccountStatus::Lost | AccountStatus::NoFit) {
        a.status = imported.status;
    }
    a.profile.extend(imported.profile);
    a
}

/// The stored contact with the imported fields laid over it: a channel the file leaves
/// empty keeps the stored one, and an opt-out is never dropped.
fn overlay_contact(stored: &Contact, imported: Contact) -> Contact {
    let mut c = stored.clone();
    c.name = imported.name;
    if imported.role != rounds_core::model::ContactRole::Other {
        c.role = imported.role;
        c.influence = imported.influence;
    }
    c.department = imported.department.or(c.department);
    c.specialty = imported.specialty.or(c.specialty);
    let ch = imported.channels;
    c.channels.email = ch.email.or(c.channels.email);
    c.channels.office_phone = ch.office_phone.or(c.channels.office_phone);
    c.channels.cell = ch.cell.or(c.channels.cell);
    c.channels.extension = ch.extension.or(c.channels.extension);
    c.channels.linkedin = ch.linkedin.or(c.channels.linkedin);
    for o in imported.opt_outs {
        if !c.opt_outs.contains(&o) {
            c.opt_outs.push(o);
        }
    }
    if c.preferred_channel.is_some_and(|p| c.opt_outs.contains(&p)) {
        c.preferred_channel = None;
    }
    c
}

/// The import's chunks: first the accounts and contacts, then the activities, read
/// from their sheets as the store asks.
struct Activities {
    sheets: Vec<(Reading, Sheet)>,
    current: Option<(Reading, Sheet, Columns, u64)>,
    mapping: Option<Mapping>,
    cx: BookContext,
    account_ids: HashMap<String, AccountId>,
    contact_ids: HashMap<String, (ContactId, AccountId)>,
    places: HashMap<AccountId, (TzName, UserId)>,
    topic_ids: HashMap<String, TopicId>,
    provisional: i64,
    /// Hashes of the activity ids seen, to refuse a repeated one without keeping every id.
    seen: HashSet<u64>,
    hasher: std::collections::hash_map::RandomState,
    problems: Problems,
    /// Rows left out, by why, and each activity file read: merged into the summary.
    left_out: BTreeMap<&'static str, u64>,
    files: Vec<(String, &'static str, u64)>,
    rows_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    source: String,
    id_column: String,
    /// A rollback was handed out: nothing follows it.
    done: bool,
}

impl Activities {
    /// The column an activity names its contact in, for problems.
    fn contact_column(&self, reading: Reading) -> String {
        match reading {
            Reading::Known(FileKind::VeevaCall) => "Account_vod__c".to_string(),
            Reading::Known(_) => "WhoId".to_string(),
            Reading::Mapped(_) => self
                .mapping
                .as_ref()
                .and_then(|m| m.column_of("contact"))
                .unwrap_or("contact")
                .to_string(),
        }
    }

    /// One activity row into the chunk, or a problem.
    fn take(&mut self, t: TouchDraft, chunk: &mut ExternalChunk, reading: Reading) {
        let TouchDraft { draft, when } = t;
        let mut h = self.hasher.build_hasher();
        draft.external_id.hash(&mut h);
        if !self.seen.insert(std::hash::Hasher::finish(&h)) {
            self.problems.add(BookProblem::at(
                &draft.origin.file,
                draft.origin.line,
                &self.id_column,
                format!(
                    "the activity `{}` appears more than once",
                    draft.external_id
                ),
            ));
            return;
        }
        let who = draft.refs.contact.clone().unwrap_or_default();
        let Some(&(contact, account)) = self.contact_ids.get(&who) else {
            if self.account_ids.contains_key(&who) {
                *self
                    .left_out
                    .entry("activities on an organisation, not a person")
                    .or_default() += 1;
                return;
            }
            self.problems.add(BookProblem::at(
                &draft.origin.file,
                draft.origin.line,
                &self.contact_column(reading),
                format!(
                    "`{who}` is not a contact of this import nor of an earlier one from {}",
                    self.source
                ),
            ));
            return;
        };
        let Some((tz, rep)) = self.places.get(&account) else {
            return;
        };
        let mut touch = draft.record;
        touch.at = match when {
            When::At(ts) => ts,
            When::Local(dt) => match dt.to_zoned(tz.zone()) {
                Ok(z) => z.timestamp(),
                Err(e) => {
                    self.problems.add(draft.origin.problem("at", e.to_string()));
                    return;
                }
            },
        };
        touch.rep = *rep;
        for p in touch.validate() {
            self.problems.add(draft.origin.problem(&p.field, p.message));
        }
        let digest = digest(&touch, &draft.refs);
        let mut topics = Vec::new();
        for ext in &draft.refs.topics {
            let id = match self.topic_ids.get(ext) {
                Some(id) => *id,
                None => {
                    self.provisional -= 1;
                    let id = TopicId(self.provisional);
                    let title = ext.strip_prefix("product:").unwrap_or(ext).to_string();
                    let topic = Topic {
                        id,
                        title,
                        pain_points: vec![],
                        specialties: vec![],
                        segments: vec![],
                        roles: vec![],
                        related: vec![],
                        available_from: None,
                    };
                    for p in topic.validate() {
                        self.problems.add(draft.origin.problem("topics", p.message));
                    }
                    self.topic_ids.insert(ext.clone(), id);
                    chunk.topics.push(Imported {
                        external_id: ext.clone(),
                        digest: digest_of_title(&topic.title),
                        record: topic,
                    });
                    id
                }
            };
            topics.push(id);
        }
        touch.primary_topic = topics.first().copied();
        touch.topics = topics;
        touch.contact = contact;
        touch.account = account;
        if self.problems.is_empty() {
            chunk.touches.push(Imported {
                external_id: draft.external_id,
                digest,
                record: touch,
            });
        }
    }
}

fn digest_of_title(title: &str) -> String {
    digest(&title, &rounds_core::book::Refs::default())
}

impl Iterator for Activities {
    type Item = std::result::Result<ExternalChunk, Rollback>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut chunk = ExternalChunk::default();
        loop {
            if self.current.is_none() {
                if self.sheets.is_empty() {
                    break;
                }
                let (reading, sheet) = self.sheets.remove(0);
                let columns = columns_of(reading, self.mapping.as_ref(), &sheet);
                self.current = Some((reading, sheet, columns, 0));
            }
            let Some((reading, sheet, columns, rows)) = self.current.as_mut() else {
                break;
            };
            let row = match sheet.next_row() {
                None => {
                    let (reading, sheet, _, rows) = self.current.take().expect("current sheet");
                    self.files
                        .push((sheet.file.to_string(), reading.describe(), rows));
                    continue;
                }
                Some(Err(p)) => {
                    *rows += 1;
                    self.problems.add(p);
                    continue;
                }
                Some(Ok(row)) => row,
            };
            *rows += 1;
            self.rows_read
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let reading = *reading;
            let item = read_row(
                reading,
                self.mapping.as_ref(),
                sheet,
                &row,
                &self.cx,
                columns,
            );
            match item {
                Err(ps) => self.problems.extend(ps),
                Ok(Item::Touch(t)) => self.take(*t, &mut chunk, reading),
                Ok(Item::LeftOut(why)) => *self.left_out.entry(why).or_default() += 1,
                Ok(_) => {}
            }
            if chunk.touches.len() >= BOOK_CHUNK && self.problems.is_empty() {
                return Some(Ok(chunk));
            }
        }
        if !self.problems.is_empty() {
            self.done = true;
            return Some(Err(Rollback));
        }
        if chunk.is_empty() {
            None
        } else {
            Some(Ok(chunk))
        }
    }
}

/// A `.vcf` file of contacts from a phone.
#[derive(Debug)]
pub struct VcardImport {
    /// The file's name, for problems.
    pub file: String,
    pub text: String,
    /// Every card goes under this account; otherwise each card's organisation (`ORG`)
    /// must be the name of an account in the actor's territories.
    pub account: Option<AccountId>,
    pub dry_run: bool,
}

/// Imports the cards as contacts, kept by their `UID` (source `vcard`), so importing the
/// same file again changes nothing. Anyone may import cards into the accounts they see.
pub async fn import_vcards<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: VcardImport,
) -> Result<BookSummary> {
    const SOURCE: &str = "vcard";
    let drafts = rounds_core::book::vcard::read(&input.file, &input.text).map_err(|ps| {
        let mut problems = Problems::default();
        problems.extend(ps);
        problems.into_error()
    })?;
    let accounts = crate::list_accounts(store, actor, &crate::AccountFilter::default()).await?;
    let forced = match input.account {
        Some(id) => Some(
            accounts
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.id)
                .ok_or_else(|| AppError::invalid("account", format!("no account with id {id}")))?,
        ),
        None => None,
    };
    let by_name: HashMap<String, AccountId> = accounts
        .iter()
        .map(|a| (a.name.to_lowercase(), a.id))
        .collect();
    let links = links(store, actor.org, SOURCE, ExternalKind::Contact).await?;
    let stored: HashMap<ContactId, Contact> = store
        .contacts(actor.org, None)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut problems = Problems::default();
    duplicates(&drafts, "card", "UID", &mut problems);
    let mut chunk = ExternalChunk::default();
    let mut provisional = 0;
    for d in drafts {
        let named = d.refs.account.as_deref();
        let account =
            forced.or_else(|| named.and_then(|n| by_name.get(&n.to_lowercase()).copied()));
        let Some(account) = account else {
            problems.add(BookProblem::at(
                &d.origin.file,
                d.origin.line,
                "ORG",
                match named {
                    Some(n) => format!("`{n}` is not the name of an account you can see; add the account first, or give --account"),
                    None => "the card names no organisation; give --account to put the cards under one".to_string(),
                },
            ));
            continue;
        };
        let mut record = d.record;
        for p in record.validate() {
            problems.add(d.origin.problem(&p.field, p.message));
        }
        record.account = account;
        let digest = digest(&record, &d.refs);
        record.id = match links.get(&d.external_id) {
            Some((local, _)) => {
                let id = ContactId(*local);
                if let Some(s) = stored.get(&id) {
                    record = overlay_contact(s, record);
                }
                id
            }
            // A card of someone already in Rounds (by e-mail, else by name, in the same
            // account) updates that contact rather than adding a twin.
            None => match stored.values().find(|s| {
                s.account == record.account
                    && match (&s.channels.email, &record.channels.email) {
                        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                        _ => s.name.eq_ignore_ascii_case(&record.name),
                    }
            }) {
                Some(s) => {
                    let id = s.id;
                    record = overlay_contact(s, record);
                    id
                }
                None => {
                    provisional -= 1;
                    ContactId(provisional)
                }
            },
        };
        chunk.contacts.push(Imported {
            external_id: d.external_id,
            digest,
            record,
        });
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    let rows = chunk.contacts.len() as u64;
    let counts = store
        .write_external(
            actor.org,
            SOURCE,
            input.dry_run,
            &mut std::iter::once(Ok(chunk)),
        )
        .await?
        .unwrap_or_default();
    Ok(BookSummary {
        source: SOURCE.to_string(),
        dry_run: input.dry_run,
        counts,
        left_out: BTreeMap::new(),
        files: vec![(input.file, "vCards", rows)],
    })
}

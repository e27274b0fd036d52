//! The audit log's chain, pure: how a row is hashed, and how a chain read back is
//! judged. The store appends rows and reads them; everything that decides whether a
//! chain is whole lives here, so it is tested without a database.
//!
//! Each organisation has its own chain, numbered 1, 2, 3… (`seq`). A row's `hash` is
//! the SHA-256 of [`canonical`] — every other field of the row, its `prev_hash` (the
//! hash of the row before, [`GENESIS`] for the first) included — so changing any field
//! of a row, removing a row or renumbering one breaks the chain where it happened. The
//! store also keeps the chain's head (last seq and hash) beside it, so removing the
//! newest rows is seen too.
//!
//! Record digests (`before`, `after`) are [`body_digest`]s of the record as stored, or
//! empty when the record did not exist, so `verify` can also recheck that each record's
//! stored body is still the one its last row describes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::model::{OrgId, UserId};

/// The `prev_hash` of a chain's first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AuditActor {
    /// A signed-in user (the web pages or the API).
    User(UserId),
    /// The local command line, run by whoever holds the database.
    Operator,
    /// Nobody in particular: a store used without saying who acts (tests, benchmarks).
    System,
}

impl fmt::Display for AuditActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditActor::User(id) => write!(f, "user:{id}"),
            AuditActor::Operator => f.write_str("operator"),
            AuditActor::System => f.write_str("system"),
        }
    }
}

impl FromStr for AuditActor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "operator" => Ok(AuditActor::Operator),
            "system" => Ok(AuditActor::System),
            _ => s
                .strip_prefix("user:")
                .and_then(|id| id.parse().ok())
                .map(|id| AuditActor::User(UserId(id)))
                .ok_or_else(|| format!("`{s}` is not an actor (user:ID, operator or system)")),
        }
    }
}

/// The kinds of record the log names, in the spelling stored in `entity`.
pub const ENTITIES: &[&str] = &[
    "organisation",
    "user",
    "sign-in",
    "api-token",
    "account",
    "contact",
    "topic",
    "touch",
    "step-update",
    "referral",
    "lost",
    "no-fit",
    "work-week",
    "time-off",
    "calendar-feed",
    "busy-times",
    "template",
    "outbox",
    "capture-review",
    "transfer",
];

/// The actions of bulk writes (`write_org`): one summary row per run, for the whole
/// organisation, rather than one per record.
pub const BULK_ACTIONS: &[&str] = &["replace", "merge", "import"];

/// One row of the log, as stored. Fields are plain text because a row read back may
/// have been edited by hand: judging it is [`verify`]'s job, not the parser's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub org: OrgId,
    pub seq: i64,
    /// Epoch seconds, from the clock of whoever made the change.
    pub at: i64,
    /// An [`AuditActor`] as text.
    pub actor: String,
    /// One of [`ENTITIES`].
    pub entity: String,
    /// The record's key: its id, or `contact/day` for a referral count and
    /// `touch/seq` for a step update.
    pub entity_id: String,
    /// create, update, delete, password, disable, enable, or a bulk action.
    pub action: String,
    /// [`body_digest`] of the record before the change; empty if it did not exist.
    pub before: String,
    /// [`body_digest`] of the record after the change; empty if it no longer exists.
    pub after: String,
    /// Free text that belongs to the change (a bulk write's counts).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this row should carry, from its other fields.
    pub fn expected_hash(&self) -> String {
        hash_hex(&canonical(self, self.seq))
    }

    fn hash_at(&self, seq: i64) -> String {
        hash_hex(&canonical(self, seq))
    }
}

/// The bytes a row's hash covers: a version tag, then every field but `hash` as a
/// length-prefixed string (`len:value,`), so no two rows encode alike however their
/// text is split. `seq` is passed separately so a renumbered row can be recognised.
pub fn canonical(e: &AuditEntry, seq: i64) -> String {
    let fields = [
        "rounds-audit-v1".to_string(),
        e.org.0.to_string(),
        seq.to_string(),
        e.at.to_string(),
        e.actor.clone(),
        e.entity.clone(),
        e.entity_id.clone(),
        e.action.clone(),
        e.before.clone(),
        e.after.clone(),
        e.detail.clone(),
        e.prev_hash.clone(),
    ];
    let mut out = String::new();
    for f in fields {
        out.push_str(&f.len().to_string());
        out.push(':');
        out.push_str(&f);
        out.push(',');
    }
    out
}

fn hash_hex(bytes: &str) -> String {
    hex(&Sha256::digest(bytes.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The digest of a stored record body: SHA-256 of the body followed by a newline. A
/// bulk write's digest is the same function over its bodies one after another (no body
/// holds a raw newline), so one hasher serves both.
pub fn body_digest(body: &str) -> String {
    let mut h = BodyHasher::default();
    h.add(body);
    h.finish()
}

/// Digests bodies one after another, as [`body_digest`] does for one.
#[derive(Debug, Clone, Default)]
pub struct BodyHasher(Sha256);

impl BodyHasher {
    pub fn add(&mut self, body: &str) {
        self.0.update(body.as_bytes());
        self.0.update(b"\n");
    }

    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// A change about to be appended: what the store knows before the chain fields exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub entity: &'static str,
    pub entity_id: String,
    pub action: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: String,
}

impl Change {
    /// A record written (created if it had no body before, else updated).
    pub fn write(
        entity: &'static str,
        entity_id: impl ToString,
        before: Option<String>,
        after: Option<String>,
    ) -> Change {
        let action = match (&before, &after) {
            (None, _) => "create",
            (Some(_), None) => "delete",
            (Some(_), Some(_)) => "update",
        };
        Change {
            entity,
            entity_id: entity_id.to_string(),
            action,
            before,
            after,
            detail: String::new(),
        }
    }

    /// The same change under another action name (password, disable, enable).
    pub fn named(mut self, action: &'static str) -> Change {
        self.action = action;
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Change {
        self.detail = detail.into();
        self
    }
}

/// Chains `changes` after the row (`head_seq`, `head_hash`): each gets the next seq,
/// the previous row's hash and its own.
pub fn chain(
    org: OrgId,
    at: i64,
    actor: AuditActor,
    head_seq: i64,
    head_hash: &str,
    changes: Vec<Change>,
) -> Vec<AuditEntry> {
    let mut prev = head_hash.to_string();
    changes
        .into_iter()
        .zip(head_seq + 1..)
        .map(|(c, seq)| {
            let mut e = AuditEntry {
                org,
                seq,
                at,
                actor: actor.to_string(),
                entity: c.entity.to_string(),
                entity_id: c.entity_id,
                action: c.action.to_string(),
                before: c.before.unwrap_or_default(),
                after: c.after.unwrap_or_default(),
                detail: c.detail,
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = e.expected_hash();
            prev = e.hash.clone();
            e
        })
        .collect()
}

/// What is wrong with a chain, at which row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AuditBreak {
    /// The row's fields no longer give its hash: it was edited.
    Altered { seq: i64 },
    /// The row is intact but numbered `seq`; its hash says it was written as `belongs_at`.
    OutOfOrder { seq: i64, belongs_at: i64 },
    /// Rows `from..=to` are gone.
    Missing { from: i64, to: i64 },
    /// The row is intact but does not follow the row before it (that row was rewritten
    /// with a fresh hash, or a row was put in between).
    BrokenLink { seq: i64 },
    /// The row lies beyond the chain's recorded head: appended behind the store's back.
    BeyondHead { seq: i64 },
    /// The recorded head (last seq and hash) does not match the chain's last row.
    Head { head_seq: i64 },
    /// The record's stored body is not the one its last row (`seq`) describes.
    Record {
        seq: i64,
        entity: String,
        entity_id: String,
    },
}

impl AuditBreak {
    /// The row where the break shows, for ordering and reports.
    pub fn seq(&self) -> i64 {
        match self {
            AuditBreak::Altered { seq }
            | AuditBreak::OutOfOrder { seq, .. }
            | AuditBreak::BrokenLink { seq }
            | AuditBreak::BeyondHead { seq }
            | AuditBreak::Record { seq, .. } => *seq,
            AuditBreak::Missing { from, .. } => *from,
            AuditBreak::Head { head_seq } => *head_seq,
        }
    }

    /// One word for the kind of break: altered, out-of-order, missing, broken-link,
    /// beyond-head, head, record.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditBreak::Altered { .. } => "altered",
            AuditBreak::OutOfOrder { .. } => "out-of-order",
            AuditBreak::Missing { .. } => "missing",
            AuditBreak::BrokenLink { .. } => "broken-link",
            AuditBreak::BeyondHead { .. } => "beyond-head",
            AuditBreak::Head { .. } => "head",
            AuditBreak::Record { .. } => "record",
        }
    }
}

impl fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditBreak::Altered { seq } => {
                write!(
                    f,
                    "row {seq} was altered: its fields no longer give its hash"
                )
            }
            AuditBreak::OutOfOrder { seq, belongs_at } => write!(
                f,
                "row {seq} is out of order: it was written as row {belongs_at}"
            ),
            AuditBreak::Missing { from, to } if from == to => write!(f, "row {from} is missing"),
            AuditBreak::Missing { from, to } => write!(f, "rows {from} to {to} are missing"),
            AuditBreak::BrokenLink { seq } => write!(
                f,
                "row {seq} does not follow the row before it (that row was rewritten, or a row was inserted)"
            ),
            AuditBreak::BeyondHead { seq } => {
                write!(f, "row {seq} lies beyond the chain's recorded head")
            }
            AuditBreak::Head { head_seq } => write!(
                f,
                "the chain's recorded head (row {head_seq}) does not match its last row"
            ),
            AuditBreak::Record {
                seq,
                entity,
                entity_id,
            } => write!(
                f,
                "{entity} {entity_id} was changed without a row: its stored body is not the one row {seq} describes"
            ),
        }
    }
}

/// The chain's head as the store records it: the last seq and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The verdict on a chain: how many rows were read, its head, and every break found,
/// by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub rows: u64,
    pub head: Option<Head>,
    pub breaks: Vec<AuditBreak>,
}

impl AuditReport {
    pub fn is_whole(&self) -> bool {
        self.breaks.is_empty()
    }
}

/// Judges a chain read back by seq, against its recorded head. Every break is
/// reported, not only the first: a renumbered row is told from an edited one by
/// finding the seq its hash was written under, and a missing row from a broken link by
/// the gap in the numbering.
pub fn verify(entries: &[AuditEntry], head: Option<&Head>) -> Vec<AuditBreak> {
    // The seq each intact row was written under; `None` for an altered row.
    let mut written: Vec<Option<i64>> = entries
        .iter()
        .map(|e| (e.expected_hash() == e.hash).then_some(e.seq))
        .collect();
    let mut seq_of_hash: HashMap<&str, i64> = entries
        .iter()
        .zip(&written)
        .filter_map(|(e, w)| w.map(|w| (e.hash.as_str(), w)))
        .collect();
    // A row whose hash fits another seq was renumbered: it was written right after the
    // row its link names. Each pass places the rows that follow a placed one.
    loop {
        let mut placed = false;
        for (e, w) in entries.iter().zip(written.iter_mut()) {
            if w.is_some() {
                continue;
            }
            let before = if e.prev_hash == GENESIS {
                Some(0)
            } else {
                seq_of_hash.get(e.prev_hash.as_str()).copied()
            };
            if let Some(before) = before
                && e.hash_at(before + 1) == e.hash
            {
                *w = Some(before + 1);
                seq_of_hash.insert(e.hash.as_str(), before + 1);
                placed = true;
            }
        }
        if !placed {
            break;
        }
    }

    let mut breaks = Vec::new();
    // Which seqs are accounted for: an intact row by the seq it was written as, an
    // altered one (whose true seq cannot be known) by where it stands.
    let mut by_written: BTreeMap<i64, &AuditEntry> = BTreeMap::new();
    let mut occupied: BTreeSet<i64> = BTreeSet::new();
    for (e, w) in entries.iter().zip(&written) {
        match w {
            None => {
                breaks.push(AuditBreak::Altered { seq: e.seq });
                occupied.insert(e.seq);
            }
            Some(w) => {
                if *w != e.seq {
                    breaks.push(AuditBreak::OutOfOrder {
                        seq: e.seq,
                        belongs_at: *w,
                    });
                }
                by_written.insert(*w, e);
                occupied.insert(*w);
            }
        }
    }
    let last = occupied
        .last()
        .copied()
        .unwrap_or(0)
        .max(head.map_or(0, |h| h.seq));
    let mut gap: Option<i64> = None;
    for seq in 1..=last + 1 {
        let present = seq > last || occupied.contains(&seq);
        match (present, gap) {
            (false, None) => gap = Some(seq),
            (true, Some(from)) => {
                breaks.push(AuditBreak::Missing { from, to: seq - 1 });
                gap = None;
            }
            _ => {}
        }
    }
    for (&seq, e) in &by_written {
        let expected = if seq == 1 {
            Some(GENESIS)
        } else {
            by_written.get(&(seq - 1)).map(|p| p.hash.as_str())
        };
        // A row after a missing or altered one is already reported through that row.
        if let Some(expected) = expected
            && e.prev_hash != expected
        {
            breaks.push(AuditBreak::BrokenLink { seq: e.seq });
        }
    }
    match head {
        Some(h) => {
            for &seq in occupied.iter().filter(|&&s| s > h.seq) {
                breaks.push(AuditBreak::BeyondHead { seq });
            }
            let head_row = by_written.get(&h.seq);
            if h.seq > 0 && head_row.is_some_and(|e| e.hash != h.hash) {
                breaks.push(AuditBreak::Head { head_seq: h.seq });
            }
        }
        None if !entries.is_empty() => breaks.push(AuditBreak::Head { head_seq: 0 }),
        None => {}
    }
    breaks.sort();
    breaks.sort_by_key(AuditBreak::seq);
    breaks
}

/// The records whose stored bodies `verify` can recheck, with the row that last
/// described each: every record changed one at a time since the last bulk write (an
/// import or a demo, whose summary row holds no per-record digest).
pub fn last_rows(entries: &[AuditEntry]) -> BTreeMap<(String, String), &AuditEntry> {
    let since = entries
        .iter()
        .rposition(|e| BULK_ACTIONS.contains(&e.action.as_str()))
        .map_or(0, |i| i + 1);
    let mut last = BTreeMap::new();
    for e in &entries[since..] {
        // These rows describe what has no single stored body: a secret's digest, a
        // calendar's set of busy times, or a review item's state.
        if !matches!(
            e.entity.as_str(),
            "organisation" | "api-token" | "calendar-feed" | "busy-times" | "capture-review"
        ) {
            last.insert((e.entity.clone(), e.entity_id.clone()), e);
        }
    }
    last
}

/// The record breaks: each record of [`last_rows`] whose current digest (`None`: the
/// record no longer exists) differs from its last row's `after`.
pub fn check_records(
    last: &BTreeMap<(String, String), &AuditEntry>,
    current: &BTreeMap<(String, String), Option<String>>,
) -> Vec<AuditBreak> {
    last.iter()
        .filter_map(|(key, e)| {
            let now = current.get(key).cloned().flatten().unwrap_or_default();
            (now != e.after).then(|| AuditBreak::Record {
                seq: e.seq,
                entity: e.entity.clone(),
                entity_id: e.entity_id.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> (Vec<AuditEntry>, Head) {
        let changes = (0..n)
            .map(|i| {
                Change::write(
                    "account",
                    i,
                    (i % 2 == 1).then(|| body_digest("old")),
                    Some(body_digest(&format!("body {i}"))),
                )
            })
            .collect();
        let rows = chain(
            OrgId(1),
            1_800_000_000,
            AuditActor::User(UserId(3)),
            0,
            GENESIS,
            changes,
        );
        let last = rows.last().unwrap();
        let head = Head {
            seq: last.seq,
            hash: last.hash.clone(),
        };
        (rows, head)
    }

    #[test]
    fn a_chain_as_written_is_whole() {
        let (rows, head) = sample(12);
        assert_eq!(verify(&rows, Some(&head)), []);
        assert_eq!(verify(&[], None), []);
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let (rows, head) = sample(12);
        let mut altered = rows.clone();
        altered[4].actor = "operator".into();
        assert_eq!(
            verify(&altered, Some(&head)),
            [AuditBreak::Altered { seq: 5 }]
        );

        let mut rehashed = rows.clone();
        rehashed[4].detail = "x".into();
        rehashed[4].hash = rehashed[4].expected_hash();
        assert_eq!(
            verify(&rehashed, Some(&head)),
            [AuditBreak::BrokenLink { seq: 6 }]
        );

        let mut gone = rows.clone();
        gone.remove(6);
        assert_eq!(
            verify(&gone, Some(&head)),
            [AuditBreak::Missing { from: 7, to: 7 }]
        );
        let mut tail = rows.clone();
        tail.pop();
        assert_eq!(
            verify(&tail, Some(&head)),
            [AuditBreak::Missing { from: 12, to: 12 }]
        );

        let mut swapped = rows.clone();
        swapped[2].seq = 4;
        swapped[3].seq = 3;
        swapped.sort_by_key(|e| e.seq);
        assert_eq!(
            verify(&swapped, Some(&head)),
            [
                AuditBreak::OutOfOrder {
                    seq: 3,
                    belongs_at: 4
                },
                AuditBreak::OutOfOrder {
                    seq: 4,
                    belongs_at: 3
                }
            ]
        );

        let mut extra = rows.clone();
        let mut more = chain(
            OrgId(1),
            1,
            AuditActor::System,
            12,
            &head.hash,
            vec![Change::write("topic", 1, None, Some(body_digest("t")))],
        );
        extra.append(&mut more);
        assert_eq!(
            verify(&extra, Some(&head)),
            [AuditBreak::BeyondHead { seq: 13 }]
        );
        assert_eq!(verify(&rows, None), [AuditBreak::Head { head_seq: 0 }]);
    }

    #[test]
    fn actors_read_back_as_written() {
        for a in [
            AuditActor::User(UserId(42)),
            AuditActor::Operator,
            AuditActor::System,
        ] {
            assert_eq!(a.to_string().parse::<AuditActor>(), Ok(a));
        }
        assert!("user:x".parse::<AuditActor>().is_err());
    }

    #[test]
    fn records_are_checked_from_the_last_bulk_write_on() {
        let (mut rows, _) = sample(3);
        let bulk = chain(
            OrgId(1),
            1,
            AuditActor::Operator,
            3,
            &rows[2].hash,
            vec![Change::write("organisation", 1, None, Some(body_digest("all"))).named("merge")],
        );
        rows.extend(bulk);
        let more = chain(
            OrgId(1),
            1,
            AuditActor::Operator,
            4,
            &rows[3].hash,
            vec![Change::write("account", 9, None, Some(body_digest("nine")))],
        );
        rows.extend(more);
        let last = last_rows(&rows);
        assert_eq!(
            last.keys().cloned().collect::<Vec<_>>(),
            [("account".to_string(), "9".to_string())]
        );
        let mut current = BTreeMap::new();
        current.insert(
            ("account".to_string(), "9".to_string()),
            Some(body_digest("nine")),
        );
        assert_eq!(check_records(&last, &current), []);
        current.insert(
            ("account".to_string(), "9".to_string()),
            Some(body_digest("edited")),
        );
        assert_eq!(check_records(&last, &current).len(), 1);
    }
}

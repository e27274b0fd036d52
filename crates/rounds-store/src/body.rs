//! Record bodies: how each model record is written into its table's `body` column and
//! parsed back, the only way records are read.
//!
//! Most records are JSON of the model type, which is readable in the database and lets a
//! field be added without a migration. The two high-volume records, [`Touch`] (about a
//! hundred per contact) and [`ReferralCount`], use a compact text form instead, because
//! parsing JSON bodies was the largest part of reading a territory: tab-separated fields
//! in a fixed order, with no field names and no quoting. A touch parses in about 2.5
//! times fewer instructions than from JSON (allocation included) and takes a little over
//! a third of the space; the model types and the export format (which is JSON of the
//! model types) are unaffected.
//!
//! The text form, per field: integers in decimal; vocabulary values in their one
//! kebab-case spelling; dates as ISO `YYYY-MM-DD`; timestamps as two fields, epoch
//! seconds and the signed sub-second nanoseconds (as the `at`/`at_nanos` columns);
//! lists of ids comma-separated; an absent optional value, or an empty list, as an empty
//! field. Free text escapes `\` as `\\`, tab as `\t`, newline as `\n` and NUL as `\0`, so
//! a body never holds a raw tab inside a field (fields split unambiguously), a raw
//! newline (the separator of packed reads, see `sql::ACCOUNT_ROWS`) or a NUL (which
//! PostgreSQL text cannot hold). Parsing is strict: a missing, extra or malformed field
//! is an error naming the field. To add a field, append it and have the parser accept
//! its absence; never reorder fields.
//!
//! # Format versions
//!
//! Every body carries its format version, so that a build meeting a body written by a
//! newer build refuses it with a clear message (`format version `2` is not known`)
//! instead of misreading it, and so that a later change of layout can be told apart from
//! the rows already stored without a migration rewriting them:
//!
//! - text bodies start with a field `v1`: `v1\t7\t1709649015\t…`. Bodies written before
//!   versions existed start with a digit or `-` (their first field is an id), never with
//!   `v`, so they read as version 0, whose fields are exactly version 1's. The check is
//!   one three-byte prefix comparison, a handful of instructions beside the hundreds
//!   of a parse (callgrind, debug build: 300,000 touch bodies with the version took
//!   0.04% more instructions than the same bodies without).
//! - JSON bodies are an envelope, `{"v":1,"record":{…}}`, with the record exactly the
//!   model's JSON (as in the export format). An envelope rather than a `"v"` key inside
//!   the record keeps the record free of a name the model might one day want, and keeps
//!   reading at one parse: the version is checked on the fixed prefix, and the record is
//!   the slice after it, deserialized directly. Bodies written before versions existed
//!   are the bare record, whose first key is never `v`: version 0.
//!
//! A parser accepts exactly the versions it knows (0 and 1) and names any other
//! ([`BodyError::Version`]). Rows keep the version they were written with until they are
//! rewritten (a merge import rewrites a row whose body differs, so an old row takes the
//! current version the next time it is written). A layout change that old parsers could
//! not read takes the next version number, and the parser dispatches on it.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{
    Account, AccountId, Contact, ContactId, LostAccount, NextStep, NoFit, NoReferral, Organisation,
    ReferralCount, StepUpdate, TimeOff, Topic, TopicId, Touch, TouchId, User, UserId, WorkWeek,
};
use rounds_core::outreach::Template;
use serde::Deserialize;
use serde::de::value::{Error as ValueError, StrDeserializer};

use crate::error::BodyError;

/// A record that is stored as one `body` text.
pub(crate) trait Body: Sized {
    fn to_body(&self) -> Result<String, serde_json::Error>;
    fn from_body(body: &str) -> Result<Self, BodyError>;
}

/// The first field of every text body written now.
const TEXT_VERSION: &str = "v1";
/// What every JSON body written now starts with; the record follows, then a closing `}`.
const JSON_ENVELOPE: &str = "{\"v\":1,\"record\":";
/// How a JSON body starts when it carries a version (any version).
const JSON_VERSIONED: &str = "{\"v\":";

/// The record's JSON inside a JSON body: the envelope's contents for version 1, the whole
/// body for version 0 (written before bodies carried a version).
fn json_record(body: &str) -> Result<&str, BodyError> {
    let Some(versioned) = body.strip_prefix(JSON_VERSIONED) else {
        return Ok(body);
    };
    if let Some(record) = body
        .strip_prefix(JSON_ENVELOPE)
        .and_then(|rest| rest.strip_suffix('}'))
    {
        return Ok(record);
    }
    let found = versioned
        .split([',', '}'])
        .next()
        .unwrap_or(versioned)
        .trim();
    if found == "1" {
        return Err(bad(
            "record",
            "a version 1 body is `{\"v\":1,\"record\":…}`",
        ));
    }
    Err(BodyError::Version {
        found: found.to_string(),
    })
}

/// The fields of a text body after its version: the body after `v1\t` for version 1,
/// the whole body for version 0 (written before bodies carried a version, same fields).
fn text_fields(body: &str) -> Result<&str, BodyError> {
    if let Some(fields) = body
        .strip_prefix(TEXT_VERSION)
        .and_then(|rest| rest.strip_prefix('\t'))
    {
        return Ok(fields);
    }
    match body.strip_prefix('v') {
        None => Ok(body),
        Some(version) => Err(BodyError::Version {
            found: version.split('\t').next().unwrap_or(version).to_string(),
        }),
    }
}

macro_rules! json_body {
    ($($t:ty),* $(,)?) => {$(
        impl Body for $t {
            fn to_body(&self) -> Result<String, serde_json::Error> {
                let mut out = Vec::with_capacity(256);
                out.extend_from_slice(JSON_ENVELOPE.as_bytes());
                serde_json::to_writer(&mut out, self)?;
                out.push(b'}');
                Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
            }
            fn from_body(body: &str) -> Result<Self, BodyError> {
                serde_json::from_str(json_record(body)?).map_err(BodyError::Json)
            }
        }
    )*};
}

json_body!(
    Organisation,
    User,
    Account,
    Contact,
    Topic,
    LostAccount,
    NoFit,
    WorkWeek,
    TimeOff,
    StepUpdate,
    Template,
    rounds_core::sending::OutboxMessage,
    rounds_core::ledger::Transfer
);

impl Body for Touch {
    fn to_body(&self) -> Result<String, serde_json::Error> {
        // Most touches need about a hundred bytes; the free text decides the rest.
        let text = self.note.len() + self.next_step.as_ref().map_or(0, |s| s.what.len());
        let mut w = Writer::new(96 + text);
        w.int(self.id.0);
        w.timestamp(self.at);
        w.int(self.rep.0);
        w.int(self.contact.0);
        w.int(self.account.0);
        w.word(self.channel.as_str());
        w.word(self.direction.as_str());
        w.word(self.outcome.as_str());
        w.word(self.kind.as_str());
        w.opt_int(self.primary_topic.map(|t| t.0));
        w.ids(&self.topics);
        w.ids(&self.explain_better);
        match &self.next_step {
            Some(step) => {
                w.date(step.due);
                w.text(&step.what);
            }
            None => {
                w.empty();
                w.empty();
            }
        }
        match self.callback_at {
            Some(at) => w.timestamp(at),
            None => {
                w.empty();
                w.empty();
            }
        }
        w.text(&self.note);
        // Appended only when there is one (P10), so every other touch keeps its body.
        if let Some(nr) = &self.no_referral {
            w.word(nr.reason.as_str());
            w.text(&nr.text);
        }
        Ok(w.0)
    }

    fn from_body(body: &str) -> Result<Self, BodyError> {
        let mut r = Reader::new(text_fields(body)?);
        let touch = Touch {
            id: TouchId(r.int("id")?),
            at: r.timestamp("at")?,
            rep: UserId(r.int("rep")?),
            contact: ContactId(r.int("contact")?),
            account: AccountId(r.int("account")?),
            channel: r.word("channel")?,
            direction: r.word("direction")?,
            outcome: r.word("outcome")?,
            kind: r.word("kind")?,
            primary_topic: r.opt_int("primary_topic")?.map(TopicId),
            topics: r.ids("topics")?,
            explain_better: r.ids("explain_better")?,
            next_step: match r.field("next_step.due")? {
                "" => {
                    r.empty("next_step.what")?;
                    None
                }
                due => Some(NextStep {
                    due: parse_date("next_step.due", due)?,
                    what: r.text("next_step.what")?,
                }),
            },
            callback_at: r.opt_timestamp("callback_at")?,
            note: r.text("note")?,
            no_referral: None,
        };
        let touch = if r.done {
            touch
        } else {
            Touch {
                no_referral: Some(NoReferral {
                    reason: r.word("no_referral.reason")?,
                    text: r.text("no_referral.text")?,
                }),
                ..touch
            }
        };
        r.end()?;
        Ok(touch)
    }
}

impl Body for ReferralCount {
    fn to_body(&self) -> Result<String, serde_json::Error> {
        let mut w = Writer::new(24);
        w.int(self.contact.0);
        w.date(self.day);
        w.int(i64::from(self.count));
        Ok(w.0)
    }

    fn from_body(body: &str) -> Result<Self, BodyError> {
        let mut r = Reader::new(text_fields(body)?);
        let referral = ReferralCount {
            contact: ContactId(r.int("contact")?),
            day: r.date("day")?,
            count: r.small_int("count")?,
        };
        r.end()?;
        Ok(referral)
    }
}

/// Builds a text body: the version, then a tab before every field.
struct Writer(String);

impl Writer {
    fn new(capacity: usize) -> Self {
        let mut body = String::with_capacity(TEXT_VERSION.len() + capacity);
        body.push_str(TEXT_VERSION);
        Writer(body)
    }
    fn start_field(&mut self) {
        self.0.push('\t');
    }
    fn empty(&mut self) {
        self.start_field();
    }
    fn int(&mut self, n: i64) {
        self.start_field();
        let _ = write!(self.0, "{n}");
    }
    fn opt_int(&mut self, n: Option<i64>) {
        match n {
            Some(n) => self.int(n),
            None => self.empty(),
        }
    }
    fn ids(&mut self, ids: &[TopicId]) {
        self.start_field();
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            let _ = write!(self.0, "{id}");
        }
    }
    fn word(&mut self, word: &str) {
        self.start_field();
        self.0.push_str(word);
    }
    fn date(&mut self, date: Date) {
        self.start_field();
        let _ = write!(self.0, "{date}");
    }
    fn timestamp(&mut self, at: Timestamp) {
        self.int(at.as_second());
        self.int(i64::from(at.subsec_nanosecond()));
    }
    fn text(&mut self, text: &str) {
        self.start_field();
        if !text.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | 0)) {
            self.0.push_str(text);
            return;
        }
        for c in text.chars() {
            match c {
                '\\' => self.0.push_str("\\\\"),
                '\t' => self.0.push_str("\\t"),
                '\n' => self.0.push_str("\\n"),
                '\0' => self.0.push_str("\\0"),
                c => self.0.push(c),
            }
        }
    }
}

/// Reads a text body field by field; every error names the field.
struct Reader<'a> {
    rest: &'a str,
    /// The last field has been read.
    done: bool,
}

impl<'a> Reader<'a> {
    fn new(body: &'a str) -> Self {
        Reader {
            rest: body,
            done: false,
        }
    }

    fn field(&mut self, name: &'static str) -> Result<&'a str, BodyError> {
        if self.done {
            return Err(bad(name, "missing"));
        }
        match find_tab(self.rest.as_bytes()) {
            Some(i) => {
                let field = &self.rest[..i];
                self.rest = &self.rest[i + 1..];
                Ok(field)
            }
            None => {
                self.done = true;
                Ok(self.rest)
            }
        }
    }

    fn end(&self) -> Result<(), BodyError> {
        if self.done {
            Ok(())
        } else {
            Err(bad("end", format!("unexpected fields `{}`", self.rest)))
        }
    }

    /// An integer that must fit `T`.
    fn small_int<T: TryFrom<i64>>(&mut self, name: &'static str) -> Result<T, BodyError> {
        let field = self.field(name)?;
        T::try_from(parse_int(name, field)?)
            .map_err(|_| bad(name, format!("`{field}` is out of range")))
    }

    fn int(&mut self, name: &'static str) -> Result<i64, BodyError> {
        let field = self.field(name)?;
        parse_int(name, field)
    }

    fn opt_int(&mut self, name: &'static str) -> Result<Option<i64>, BodyError> {
        match self.field(name)? {
            "" => Ok(None),
            field => parse_int(name, field).map(Some),
        }
    }

    fn empty(&mut self, name: &'static str) -> Result<(), BodyError> {
        match self.field(name)? {
            "" => Ok(()),
            field => Err(bad(name, format!("`{field}` where nothing was expected"))),
        }
    }

    fn ids(&mut self, name: &'static str) -> Result<Vec<TopicId>, BodyError> {
        let field = self.field(name)?;
        let mut ids = Vec::new();
        if !field.is_empty() {
            for id in field.split(',') {
                ids.push(TopicId(parse_int(name, id)?));
            }
        }
        Ok(ids)
    }

    /// A vocabulary value, matched by its serde spelling (one `match` on the string,
    /// no allocation).
    fn word<T: Deserialize<'a>>(&mut self, name: &'static str) -> Result<T, BodyError> {
        let field = self.field(name)?;
        T::deserialize(StrDeserializer::<ValueError>::new(field))
            .map_err(|e| bad(name, e.to_string()))
    }

    fn date(&mut self, name: &'static str) -> Result<Date, BodyError> {
        let field = self.field(name)?;
        parse_date(name, field)
    }

    fn timestamp(&mut self, name: &'static str) -> Result<Timestamp, BodyError> {
        let seconds = self.int(name)?;
        let nanos = self.small_int(name)?;
        Timestamp::new(seconds, nanos).map_err(|e| bad(name, e.to_string()))
    }

    fn opt_timestamp(&mut self, name: &'static str) -> Result<Option<Timestamp>, BodyError> {
        match self.field(name)? {
            "" => {
                self.empty(name)?;
                Ok(None)
            }
            seconds => {
                let seconds = parse_int(name, seconds)?;
                let nanos = self.small_int(name)?;
                Timestamp::new(seconds, nanos)
                    .map(Some)
                    .map_err(|e| bad(name, e.to_string()))
            }
        }
    }

    fn text(&mut self, name: &'static str) -> Result<String, BodyError> {
        let field = self.field(name)?;
        if !field.contains('\\') {
            return Ok(field.to_string());
        }
        let mut out = String::with_capacity(field.len());
        let mut chars = field.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            out.push(match chars.next() {
                Some('\\') => '\\',
                Some('t') => '\t',
                Some('n') => '\n',
                Some('0') => '\0',
                other => {
                    return Err(bad(
                        name,
                        format!("bad escape `\\{}`", other.unwrap_or(' ')),
                    ));
                }
            });
        }
        Ok(out)
    }
}

fn bad(field: &'static str, problem: impl Into<String>) -> BodyError {
    BodyError::Field {
        field,
        problem: problem.into(),
    }
}

/// The first tab in `bytes`, eight bytes at a time: fields are short, too short for a
/// vectorised search to pay for its set-up, but a plain byte loop was the largest cost
/// of parsing a touch.
fn find_tab(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const TABS: u64 = u64::from_ne_bytes([b'\t'; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        // A zero byte where `chunk` holds a tab; the lowest flagged byte is exact.
        let x = u64::from_le_bytes(word) ^ TABS;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\t')
        .map(|i| at + i)
}

/// A decimal `i64`, by hand: `str::parse` is general (signs, radix checks) and was a
/// tenth of the cost of parsing a touch. Up to 18 digits cannot overflow, so only longer
/// numbers take the checked path.
fn parse_int(name: &'static str, field: &str) -> Result<i64, BodyError> {
    let (negative, digits) = match field.as_bytes() {
        [b'-', digits @ ..] => (true, digits),
        digits => (false, digits),
    };
    let bad_int = || bad(name, format!("`{field}` is not a whole number"));
    if digits.is_empty() {
        return Err(bad_int());
    }
    if digits.len() <= 18 {
        let mut n: i64 = 0;
        for &d in digits {
            let d = d.wrapping_sub(b'0');
            if d > 9 {
                return Err(bad_int());
            }
            n = n * 10 + i64::from(d);
        }
        return Ok(if negative { -n } else { n });
    }
    // Accumulated negatively, so that `i64::MIN` fits.
    let mut n: i64 = 0;
    for &d in digits {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return Err(bad_int());
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_sub(i64::from(d)))
            .ok_or_else(bad_int)?;
    }
    if negative {
        Ok(n)
    } else {
        n.checked_neg().ok_or_else(bad_int)
    }
}

/// `YYYY-MM-DD` by hand, which is most dates; anything else (years before 0 or after
/// 9999) through jiff's parser.
fn parse_date(name: &'static str, field: &str) -> Result<Date, BodyError> {
    let b = field.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0i16, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i16::from(d - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        // Two digits always fit an i8.
        return Date::new(y, m as i8, d as i8).map_err(|e| bad(name, e.to_string()));
    }
    field
        .parse()
        .map_err(|_| bad(name, format!("`{field}` is not a date")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rounds_core::model::{Channel, Direction, NoReferralReason, Outcome, TouchKind};

    fn touch() -> Touch {
        Touch {
            id: TouchId(7),
            at: "2024-03-05T14:30:15.123456789Z".parse().unwrap(),
            rep: UserId(1),
            contact: ContactId(101),
            account: AccountId(10),
            channel: Channel::VirtualMeeting,
            direction: Direction::Inbound,
            outcome: Outcome::NoResponse,
            kind: TouchKind::ReferralAsk,
            primary_topic: Some(TopicId(3)),
            topics: vec![TopicId(3), TopicId(12)],
            explain_better: vec![TopicId(12)],
            next_step: Some(NextStep {
                what: "bring samples".into(),
                due: date(2024, 3, 12),
            }),
            callback_at: Some("1969-12-31T23:59:58.5Z".parse().unwrap()),
            note: "tab\there, newline\nthere, back\\slash, nul\0, ünïcode ✓".into(),
            no_referral: None,
        }
    }

    #[track_caller]
    fn round_trips<T: Body + PartialEq + std::fmt::Debug>(record: &T) -> String {
        let body = record.to_body().unwrap();
        assert!(!body.contains(['\n', '\0']), "{body:?}");
        assert_eq!(&T::from_body(&body).unwrap(), record, "{body:?}");
        body
    }

    #[test]
    fn touches_round_trip() {
        let full = touch();
        let body = round_trips(&full);
        assert_eq!(
            body,
            "v1\t7\t1709649015\t123456789\t1\t101\t10\tvirtual-meeting\tinbound\tno-response\t\
             referral-ask\t3\t3,12\t12\t2024-03-12\tbring samples\t-1\t-500000000\t\
             tab\\there, newline\\nthere, back\\\\slash, nul\\0, ünïcode ✓"
        );
        let bare = Touch {
            primary_topic: None,
            topics: vec![],
            explain_better: vec![],
            next_step: None,
            callback_at: None,
            note: String::new(),
            ..touch()
        };
        let body = round_trips(&bare);
        assert!(body.ends_with("referral-ask\t\t\t\t\t\t\t\t"), "{body:?}");
        for at in [Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH] {
            round_trips(&Touch {
                at,
                callback_at: Some(at),
                ..touch()
            });
        }
        round_trips(&Touch {
            next_step: Some(NextStep {
                what: String::new(),
                due: Date::MIN,
            }),
            ..touch()
        });
        round_trips(&Touch {
            next_step: Some(NextStep {
                what: "\\t is not a tab".into(),
                due: Date::MAX,
            }),
            ..touch()
        });
    }

    #[test]
    fn p10_a_no_referral_reason_is_two_fields_appended_after_the_note() {
        let said = Touch {
            outcome: Outcome::Conversation,
            no_referral: Some(NoReferral {
                reason: NoReferralReason::Vague,
                text: "busy\tlately, \"we'll see\"".into(),
            }),
            ..touch()
        };
        let body = round_trips(&said);
        let plain = touch()
            .to_body()
            .unwrap()
            .replace("no-response", "conversation");
        assert_eq!(
            body,
            format!("{plain}\tvague\tbusy\\tlately, \"we'll see\""),
            "the body of the same touch without a reason, then the two fields"
        );
        let no_text = Touch {
            no_referral: Some(NoReferral {
                reason: NoReferralReason::NoFittingPatients,
                text: String::new(),
            }),
            ..said.clone()
        };
        assert!(round_trips(&no_text).ends_with("\tno-fitting-patients\t"));
        for damaged in [
            format!("{plain}\tvague"),
            format!("{plain}\tshrug\twhatever"),
            format!("{plain}\tvague\ttext\textra"),
        ] {
            assert!(Touch::from_body(&damaged).is_err(), "{damaged:?} parsed");
        }
    }

    #[test]
    fn referral_counts_round_trip() {
        let r = ReferralCount {
            contact: ContactId(751),
            day: date(2025, 11, 24),
            count: u32::MAX,
        };
        assert_eq!(round_trips(&r), "v1\t751\t2025-11-24\t4294967295");
        round_trips(&ReferralCount {
            day: Date::MIN,
            ..r.clone()
        });
    }

    #[test]
    fn damaged_bodies_are_refused() {
        let good = touch().to_body().unwrap();
        let fields: Vec<&str> = good.split('\t').collect();
        let with = |i: usize, value: &str| {
            let mut f = fields.clone();
            f[i] = value;
            f.join("\t")
        };
        let cases = [
            "{\"id\": 1003".to_string(),
            String::new(),
            good[..good.len() / 2].to_string(),
            format!("{good}\textra"),
            with(0, "v"),
            with(0, "V1"),
            with(1, "x"),
            with(3, "1000000000"),
            with(7, "pigeon"),
            with(12, "3,,12"),
            with(14, "2024-02-30"),
            with(14, "2024-3-12"),
            with(15, "bad \\q escape"),
            with(16, ""),
        ];
        for body in &cases {
            assert!(Touch::from_body(body).is_err(), "{body:?} parsed");
        }
        assert!(ReferralCount::from_body("v1\t1\t2024-01-01\t-1").is_err());
        assert!(ReferralCount::from_body("v1\t1\t2024-01-01").is_err());
        assert!(ReferralCount::from_body("1\t2024-01-01").is_err());
    }

    /// Every record of the tiny territory, as its table would store it.
    fn stored_bodies() -> Vec<(&'static str, String)> {
        let d = rounds_demo::tiny();
        let mut out = vec![("organisations", d.organisation.to_body().unwrap())];
        let mut add = |table, bodies: Vec<String>| {
            out.extend(bodies.into_iter().map(|b| (table, b)));
        };
        fn all<T: Body>(records: &[T]) -> Vec<String> {
            records.iter().map(|r| r.to_body().unwrap()).collect()
        }
        add("users", all(&d.users));
        add("topics", all(&d.topics));
        add("accounts", all(&d.accounts));
        add("contacts", all(&d.contacts));
        add("touches", all(&d.touches));
        add("referral_counts", all(&d.referrals));
        add("lost_accounts", all(&d.lost));
        add("no_fits", all(&d.no_fits));
        add("work_weeks", all(&d.work_weeks));
        add("time_off", all(&d.time_off));
        add("step_updates", all(&d.step_updates));
        out
    }

    /// The stored form of every record type (JSON envelopes and text bodies): a change
    /// of any of them is a change of what databases hold, and shows here as a diff.
    #[test]
    fn stored_bodies_v1_are_pinned() {
        let text: String = stored_bodies()
            .iter()
            .map(|(table, body)| match body.starts_with('{') {
                // JSON holds no raw tab or newline; text bodies are quoted, tabs shown.
                true => format!("{table}: {body}\n"),
                false => format!("{table}: {body:?}\n"),
            })
            .collect();
        insta::assert_snapshot!(text);
    }

    /// A transfer of value's stored form (P14): the ledger is evidence, so its shape is
    /// pinned like every other record's.
    #[test]
    fn stored_transfer_body_v1_is_pinned() {
        let mut t = rounds_testkit::world::transfer(
            7,
            10,
            1,
            jiff::civil::date(2026, 3, 10),
            20_000,
            &[(100, true), (101, false)],
            6,
        );
        let open = t.to_body().unwrap();
        t.void = Some(rounds_core::ledger::Void {
            on: jiff::civil::date(2026, 3, 11),
            reason: "entered twice".into(),
        });
        let voided = t.to_body().unwrap();
        assert_eq!(
            rounds_core::ledger::Transfer::from_body(&voided).unwrap(),
            t
        );
        insta::assert_snapshot!(format!("transfers: {open}\ntransfers: {voided}\n"));
    }

    /// Bodies written before bodies carried a version (the bare JSON record, the text
    /// fields without `v1`) read as version 0, field for field as version 1.
    #[test]
    fn bodies_without_a_version_read_as_version_0() {
        let d = rounds_demo::tiny();
        #[track_caller]
        fn legacy_reads<T: Body + PartialEq + std::fmt::Debug + serde::Serialize>(record: &T) {
            let body = record.to_body().unwrap();
            let legacy = match body.strip_prefix("v1\t") {
                Some(fields) => fields.to_string(),
                None => {
                    let bare = serde_json::to_string(record).unwrap();
                    assert_eq!(body, format!("{{\"v\":1,\"record\":{bare}}}"));
                    bare
                }
            };
            assert_eq!(&T::from_body(&legacy).unwrap(), record, "{legacy:?}");
        }
        legacy_reads(&d.organisation);
        d.users.iter().for_each(legacy_reads);
        d.topics.iter().for_each(legacy_reads);
        d.accounts.iter().for_each(legacy_reads);
        d.contacts.iter().for_each(legacy_reads);
        d.touches.iter().for_each(legacy_reads);
        d.referrals.iter().for_each(legacy_reads);
        d.lost.iter().for_each(legacy_reads);
        d.no_fits.iter().for_each(legacy_reads);
        d.work_weeks.iter().for_each(legacy_reads);
        d.time_off.iter().for_each(legacy_reads);
        d.step_updates.iter().for_each(legacy_reads);
        // Verbatim bodies as the previous build wrote them.
        let old_touch = "7\t1709649015\t123456789\t1\t101\t10\tvirtual-meeting\tinbound\t\
            no-response\treferral-ask\t3\t3,12\t12\t2024-03-12\tbring samples\t-1\t-500000000\t\
            tab\\there, newline\\nthere, back\\\\slash, nul\\0, ünïcode ✓";
        assert_eq!(Touch::from_body(old_touch).unwrap(), touch());
        let old_referral = "751\t2025-11-24\t4294967295";
        assert_eq!(
            ReferralCount::from_body(old_referral).unwrap().count,
            u32::MAX
        );
        let old_user =
            r#"{"id":3,"name":"Ann","email":"ann@x.example","role":"manager","team":null}"#;
        assert_eq!(
            User::from_body(old_user).unwrap().role,
            rounds_core::model::Role::Manager
        );
    }

    /// A body of a version this build does not know is refused, naming the version;
    /// it is never read as if it were one this build knows.
    #[test]
    fn unknown_body_versions_are_named() {
        let version = |e: BodyError| match e {
            BodyError::Version { found } => found,
            other => panic!("not a version error: {other}"),
        };
        let touch = touch().to_body().unwrap().replacen("v1", "v2", 1);
        let e = Touch::from_body(&touch).unwrap_err();
        assert_eq!(
            e.to_string(),
            "format version `2` is not known; this build reads versions 0 (bodies without a version) and 1"
        );
        assert_eq!(version(e), "2");
        assert_eq!(
            version(ReferralCount::from_body("v10\t1\t2024-01-01\t2").unwrap_err()),
            "10"
        );
        assert_eq!(version(ReferralCount::from_body("v").unwrap_err()), "");
        let user = r#"{"id":3,"name":"Ann","email":"ann@x.example","role":"manager"}"#;
        assert_eq!(
            version(User::from_body(&format!(r#"{{"v":2,"record":{user}}}"#)).unwrap_err()),
            "2"
        );
        assert_eq!(
            version(User::from_body(&format!(r#"{{"v":"1","record":{user}}}"#)).unwrap_err()),
            "\"1\""
        );
        // Version 1 with a damaged envelope is refused, not read as another version.
        let damaged = format!(r#"{{"v":1,"rec":{user}}}"#);
        let e = User::from_body(&damaged).unwrap_err();
        assert!(
            matches!(
                e,
                BodyError::Field {
                    field: "record",
                    ..
                }
            ),
            "{damaged}: {e}"
        );
        let unclosed = format!(r#"{{"v":1,"record":{user}"#);
        assert!(matches!(
            User::from_body(&unclosed),
            Err(BodyError::Json(_))
        ));
    }
}

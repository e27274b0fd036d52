//! Whole organisations in and out: the export file, its import (every problem reported,
//! nothing written unless the whole file is good), and the demo territory.

use rounds_core::export::{JsonlReader, OrgData, Problems};
use rounds_core::model::OrgId;
use rounds_store::{Rollback, Store, WriteMode};

use crate::{Actor, AppError, Result};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub users: usize,
    pub accounts: usize,
    pub contacts: usize,
    pub topics: usize,
    pub touches: usize,
    pub referrals: usize,
    pub lost: usize,
    pub no_fits: usize,
}

fn operators_only(actor: &Actor, what: &str) -> Result<()> {
    if actor.scope.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only administrators may {what}"
        )))
    }
}

/// Reads an export file: every record through its own validation and the references
/// between records. Touches no storage.
pub fn parse_import(text: &str) -> Result<OrgData> {
    OrgData::from_jsonl(text).map_err(|problems| AppError::Import {
        total: problems.len(),
        problems,
    })
}

/// Imports an export file into the actor's organisation, in one transaction, as
/// upserts: a repeated import changes nothing, and on any problem nothing is written.
pub async fn import<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    text: &str,
) -> Result<ImportSummary> {
    import_lines(store, actor, text.lines().map(|l| Ok(l.to_string()))).await
}

/// Records handed to the store at a time: large enough for quick bulk inserts, small
/// enough that an import's memory does not grow with the file.
pub const IMPORT_CHUNK_RECORDS: usize = 5_000;

/// [`import`] of a file read line by line while it is written, in memory bounded by a
/// chunk plus the ids seen: the whole file is still one transaction, every problem is
/// still reported (the first [`rounds_core::export::MAX_KEPT_PROBLEMS`], and how many in all), and on any
/// problem nothing is written. A line that cannot be read (not UTF-8) is a problem of
/// that line; a byte-order mark at the start is ignored.
pub async fn import_lines<S, L>(store: &S, actor: &Actor, lines: L) -> Result<ImportSummary>
where
    S: Store + Sync,
    L: Iterator<Item = std::io::Result<String>> + Send,
{
    operators_only(actor, "import")?;
    let mut chunks = ImportChunks {
        reader: Some(JsonlReader::new(IMPORT_CHUNK_RECORDS)),
        lines,
        line: 0,
        lines_done: false,
        org: actor.org,
        rest: Vec::new(),
        problems: None,
        summary: ImportSummary::default(),
    };
    if store
        .write_org_chunks(WriteMode::Merge, &mut chunks)
        .await?
    {
        return Ok(chunks.summary);
    }
    let problems = chunks.problems.unwrap_or(Problems {
        listed: vec![],
        total: 0,
    });
    Err(AppError::Import {
        problems: problems.listed,
        total: problems.total,
    })
}

/// The import's chunks, read from the lines as the store asks for them.
struct ImportChunks<L> {
    reader: Option<JsonlReader>,
    lines: L,
    line: usize,
    lines_done: bool,
    org: OrgId,
    /// The chunks left when the file ended, in order.
    rest: Vec<OrgData>,
    problems: Option<Problems>,
    summary: ImportSummary,
}

impl<L: Iterator<Item = std::io::Result<String>>> ImportChunks<L> {
    fn hand_out(&mut self, mut chunk: OrgData) -> Option<std::result::Result<OrgData, Rollback>> {
        chunk.organisation.id = self.org;
        let s = &mut self.summary;
        s.users += chunk.users.len();
        s.accounts += chunk.accounts.len();
        s.contacts += chunk.contacts.len();
        s.topics += chunk.topics.len();
        s.touches += chunk.touches.len();
        s.referrals += chunk.referrals.len();
        s.lost += chunk.lost.len();
        s.no_fits += chunk.no_fits.len();
        Some(Ok(chunk))
    }
}

impl<L: Iterator<Item = std::io::Result<String>>> Iterator for ImportChunks<L> {
    type Item = std::result::Result<OrgData, Rollback>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(reader) = self.reader.as_mut() else {
                if self.rest.is_empty() {
                    return None;
                }
                let chunk = self.rest.remove(0);
                return self.hand_out(chunk);
            };
            if let Some(chunk) = reader.take_ready() {
                return self.hand_out(chunk);
            }
            let next = if self.lines_done {
                None
            } else {
                self.lines.next()
            };
            match next {
                Some(Ok(text)) => {
                    self.line += 1;
                    let text = match self.line {
                        1 => text.strip_prefix('\u{feff}').unwrap_or(&text),
                        _ => &text,
                    };
                    reader.line(self.line, text);
                }
                Some(Err(e)) => {
                    self.line += 1;
                    reader.unreadable(self.line, &e.to_string());
                    // Bytes that are not UTF-8 spoil one line; any other read error
                    // may repeat forever, so the file ends there (and is refused).
                    if e.kind() != std::io::ErrorKind::InvalidData {
                        self.lines_done = true;
                    }
                }
                None => {
                    let reader = self.reader.take()?;
                    match reader.finish() {
                        Ok(rest) => self.rest = rest.collect(),
                        Err(problems) => {
                            self.problems = Some(problems);
                            return Some(Err(Rollback));
                        }
                    }
                }
            }
        }
    }
}

/// The whole organisation, as the export file holds it.
pub async fn export<S: Store + Sync>(store: &S, actor: &Actor) -> Result<OrgData> {
    operators_only(actor, "export")?;
    Ok(store.export(actor.org).await?)
}

/// Replaces the actor's organisation with a generated demo territory. An organisation
/// that is not a demo is only replaced when `replace` says so.
pub async fn write_demo<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    mut data: OrgData,
    replace: bool,
) -> Result<OrgData> {
    operators_only(actor, "write a demo territory")?;
    let existing = store.organisations().await?;
    if let Some(org) = existing.iter().find(|o| o.id == actor.org)
        && !org.demo
        && !replace
    {
        return Err(AppError::Conflict {
            field: "organisation".into(),
            message: format!(
                "organisation {} ({}) in this database is not a demo; refusing to replace it",
                org.id, org.name
            ),
        });
    }
    data.organisation.id = actor.org;
    store.write_org(&data, WriteMode::Replace).await?;
    Ok(data)
}

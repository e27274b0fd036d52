//! Settings, resolved once before any command runs: flags override `ROUNDS_*`
//! environment variables (clap reads both), which override the defaults here. The clock
//! is read here, once; every command takes `now`/`today` from the settings.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rounds_core::model::OrgId;
use rounds_core::playbook::Playbook;

use crate::cli::Cli;

pub(crate) struct Settings {
    pub(crate) database_url: String,
    pub(crate) playbook: Playbook,
    pub(crate) org: OrgId,
    /// The instant the command started, and its date on this machine.
    pub(crate) now: Timestamp,
    pub(crate) today: Date,
    /// `--now`: the instant every reading of the clock gives (the worker's too).
    pub(crate) pinned_now: Option<Timestamp>,
}

impl Settings {
    pub(crate) fn resolve(cli: &Cli) -> Result<Settings> {
        let now = cli.now.unwrap_or_else(clock_now);
        Ok(Settings {
            database_url: match cli.database_url.clone() {
                Some(url) => url,
                None => default_database_url()?,
            },
            playbook: load_playbook(cli.playbook.as_deref())?,
            org: OrgId(cli.org),
            now,
            today: now.to_zoned(TimeZone::system()).date(),
            pinned_now: cli.now,
        })
    }
}

/// The one place the command line reads the clock (besides timing the route solver);
/// everything below takes the instant as input.
#[allow(clippy::disallowed_methods)]
pub(crate) fn clock_now() -> Timestamp {
    Timestamp::now()
}

fn default_database_url() -> Result<String> {
    let dir = dirs::data_dir()
        .or_else(|| std::env::current_dir().ok())
        .context("cannot find a data directory; pass --database-url")?
        .join("rounds");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        dir.join("rounds.db").display()
    ))
}

/// Reads a playbook file, refusing one larger than any playbook can be before reading
/// it whole (a stray multi-gigabyte file must not fill the memory to be refused).
pub(crate) fn read_playbook(path: &Path) -> Result<String> {
    use rounds_core::playbook::MAX_PLAYBOOK_CHARS;
    use std::io::Read;
    // A character is at most four bytes.
    let limit = (MAX_PLAYBOOK_CHARS * 4) as u64;
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the playbook {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the playbook {}", path.display()))?;
    if bytes.len() as u64 > limit {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(limit + 1);
        bail!(
            "{}: {size} bytes; a playbook is at most {MAX_PLAYBOOK_CHARS} characters (the default file has {})",
            path.display(),
            rounds_core::playbook::DEFAULT_TOML.chars().count()
        );
    }
    String::from_utf8(bytes)
        .with_context(|| format!("the playbook {} is not UTF-8 text", path.display()))
}

fn load_playbook(path: Option<&Path>) -> Result<Playbook> {
    let Some(path) = path else {
        return Ok(Playbook::default());
    };
    let text = read_playbook(path)?;
    Playbook::from_toml(&text).map_err(|e| {
        anyhow!(
            "{}: {e}\nhint: `rounds playbook check {}` lists every problem",
            path.display(),
            path.display()
        )
    })
}

/// Database URLs may carry passwords; they never reach the terminal or a log.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

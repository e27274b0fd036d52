//! `rounds playbook show|check`: the playbook file, without a database.

use std::path::Path;

use anyhow::{Result, bail};
use rounds_core::playbook::{DEFAULT_TOML, Playbook};

pub(crate) fn show() -> Result<()> {
    out!("{DEFAULT_TOML}")?;
    Ok(())
}

pub(crate) fn check(file: &Path) -> Result<()> {
    let text = crate::settings::read_playbook(file)?;
    match Playbook::from_toml(&text) {
        Ok(_) => {
            outln!("{}: the playbook is valid", file.display())?;
            Ok(())
        }
        Err(e) => {
            for p in &e.0 {
                outln!("{}: {} = {}: {}", file.display(), p.key, p.value, p.why)?;
            }
            bail!(
                "{}: {} problem(s) in the playbook",
                file.display(),
                e.0.len()
            )
        }
    }
}

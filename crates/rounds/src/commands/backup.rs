//! `rounds backup FILE`: a consistent, self-contained copy of the SQLite database.

use anyhow::{Context, Result, bail};

use super::Cx;
use crate::cli::BackupArgs;

pub(crate) async fn run(cx: &Cx<'_>, a: BackupArgs) -> Result<()> {
    if a.file.exists() {
        bail!(
            "{} already exists; a backup never overwrites a file (choose a new name)",
            a.file.display()
        );
    }
    cx.store
        .backup(&a.file)
        .await
        .with_context(|| format!("cannot back up to {}", a.file.display()))?;
    let bytes = std::fs::metadata(&a.file).map(|m| m.len()).unwrap_or(0);
    outln!(
        "Backed up the database to {} ({} KiB)",
        a.file.display(),
        bytes.div_ceil(1024)
    )?;
    Ok(())
}

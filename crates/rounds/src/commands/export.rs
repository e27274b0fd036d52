//! `rounds export`: the whole organisation as JSON Lines.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{Cx, cli_error};
use crate::cli::ExportArgs;

pub(crate) async fn run(cx: &Cx<'_>, a: ExportArgs) -> Result<()> {
    let data = rounds_app::export(cx.store, cx.actor)
        .await
        .map_err(cli_error)?;
    let text = data.to_jsonl();
    match a.output {
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
        Some(path) => {
            // Write beside the target and rename, so a crash never leaves half a file.
            let tmp = PathBuf::from(format!("{}.partial", path.display()));
            std::fs::write(&tmp, &text)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Exported {} records to {}",
                text.lines().count(),
                path.display()
            );
        }
    }
    Ok(())
}

//! `rounds export`: the whole organisation as JSON Lines, or a book of business as six
//! CSV files (the rows and their escaping are `rounds_core::csv_out`'s; the files are
//! written here, each beside its name and renamed into place).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rounds_core::csv_out::CsvTable;
use rounds_core::export::OrgData;

use super::{Cx, cli_error};
use crate::cli::{ExportArgs, ExportFormat};
use crate::progress::Progress;

pub(crate) async fn run(cx: &Cx<'_>, a: ExportArgs) -> Result<()> {
    match (a.format, a.dir) {
        (ExportFormat::Csv, Some(dir)) => {
            refuse_existing(&dir, a.force)?;
            let data = rounds_app::export(cx.store, cx.actor)
                .await
                .map_err(cli_error)?;
            write_csv(&data, &dir, a.quiet)
        }
        // clap requires --dir with --format csv.
        (ExportFormat::Csv, None) => bail!("--dir: give the directory for the CSV files"),
        (ExportFormat::Jsonl, Some(_)) => {
            bail!("--dir: only for --format csv; JSON Lines go to --output or standard output")
        }
        (ExportFormat::Jsonl, None) => {
            let data = rounds_app::export(cx.store, cx.actor)
                .await
                .map_err(cli_error)?;
            write_jsonl(&data, a.output, a.quiet)
        }
    }
}

fn write_jsonl(data: &OrgData, output: Option<PathBuf>, quiet: bool) -> Result<()> {
    let text = data.to_jsonl();
    match output {
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
        Some(path) => {
            // Write beside the target and rename, so a crash never leaves half a file.
            let tmp = partial(&path);
            std::fs::write(&tmp, &text)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            if !quiet {
                eprintln!(
                    "Exported {} records to {}",
                    text.lines().count(),
                    path.display()
                );
            }
        }
    }
    Ok(())
}

fn partial(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", path.display()))
}

/// Refuses a directory that already holds one of the export's files, unless `force`:
/// a second export must not silently mix with, or replace, an earlier one.
fn refuse_existing(dir: &Path, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let present: Vec<&str> = CsvTable::ALL
        .iter()
        .map(|t| t.file_name())
        .filter(|name| dir.join(name).exists())
        .collect();
    if !present.is_empty() {
        bail!(
            "{} already holds {}\nhint: add --force to replace them, or choose another --dir",
            dir.display(),
            present.join(", ")
        );
    }
    Ok(())
}

fn write_csv(data: &OrgData, dir: &Path, quiet: bool) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let total: usize = CsvTable::ALL.iter().map(|t| t.rows(data)).sum();
    let progress = Progress::new(
        total as u64,
        "{msg:>20} {wide_bar} {pos}/{len} rows ({eta})",
        quiet,
    );
    for table in CsvTable::ALL {
        let path = dir.join(table.file_name());
        let tmp = partial(&path);
        let written = write_file(data, table, &tmp, &progress).and_then(|rows| {
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(rows)
        });
        let rows = match written {
            Ok(rows) => rows,
            Err(e) => {
                progress.bar.finish_and_clear();
                // The half-written file is of no use; the error says what went wrong.
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        if !quiet {
            let line = format!("Wrote {} ({rows} rows)", path.display());
            progress.bar.suspend(|| eprintln!("{line}"));
        }
    }
    progress.bar.finish_and_clear();
    Ok(())
}

/// Writes one table to `tmp`, flushed to disk before it is renamed into place.
fn write_file(data: &OrgData, table: CsvTable, tmp: &Path, progress: &Progress) -> Result<usize> {
    let file = File::create(tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut out = BufWriter::new(file);
    progress.bar.set_message(table.file_name());
    let rows = table
        .write(data, &mut out, || progress.add(1))
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    progress.flush();
    let file = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    Ok(rows)
}

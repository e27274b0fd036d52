//! `rounds import`: a Rounds export (JSON Lines), or a book of business from Salesforce,
//! Veeva or any spreadsheet (CSV or .xlsx). All or nothing: every problem is listed as
//! `file:line: field: why` (the first 50), and nothing is written.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use rounds_app::{AppError, BookImport};
use rounds_core::book::mapping::{Mapping, template};
use rounds_core::book::{BookProblem, FileKind, Sheet};
use rounds_core::model::TzName;
use rounds_store::Store;

use super::user::find_user;
use super::{Cx, cli_error};
use crate::cli::{ImportArgs, ImportSource};
use crate::progress::Progress;

/// Problems listed before "… and N more".
const MAX_LISTED: usize = 50;

pub(crate) async fn run(cx: &Cx<'_>, a: ImportArgs) -> Result<()> {
    if let Some(path) = &a.mapping_template {
        let sheet = open_sheet(path, a.sheet.as_deref(), None).map_err(|p| anyhow!("{p}"))?;
        out!("{}", template(&sheet.file, &sheet.header))?;
        return Ok(());
    }
    let files = expand(&a.files)?;
    let jsonl = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
    };
    let rounds_export = a.from == Some(ImportSource::Rounds) || files.iter().all(jsonl);
    if rounds_export {
        let [file] = files.as_slice() else {
            bail!("a Rounds export is one file; import one at a time");
        };
        if a.dry_run || a.mapping.is_some() {
            bail!("--dry-run and --mapping are for CSV and Excel files, not a Rounds export");
        }
        return import_export(cx, file).await;
    }
    let vcf = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("vcf") || e.eq_ignore_ascii_case("vcard"))
    };
    if files.iter().any(vcf) {
        if !files.iter().all(vcf) {
            bail!("vCard files (.vcf) are imported in a run of their own");
        }
        for f in &files {
            import_cards(cx, &a, f).await?;
        }
        return Ok(());
    }
    if let Some(f) = files.iter().find(|p| jsonl(p)) {
        bail!(
            "{} is a Rounds export; import it in a run of its own",
            f.display()
        );
    }
    import_book(cx, a, files).await
}

/// The files named, with each directory replaced by the CSV and Excel files in it.
fn expand(named: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in named {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|e| {
                        ["csv", "xlsx", "xlsm", "tsv", "txt"]
                            .iter()
                            .any(|x| e.eq_ignore_ascii_case(x))
                    })
                })
                .collect();
            inside.sort();
            if inside.is_empty() {
                bail!("{} holds no .csv or .xlsx file", path.display());
            }
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Counts the bytes read through it, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn is_workbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// A CSV file or a workbook's sheet; problems name the file as the user typed it.
fn open_sheet(
    path: &Path,
    sheet: Option<&str>,
    read: Option<Arc<AtomicU64>>,
) -> Result<Sheet, BookProblem> {
    let name = path.display().to_string();
    if is_workbook(path) {
        return workbook_sheet(path, &name, sheet);
    }
    let file =
        File::open(path).map_err(|e| BookProblem::file(&name, format!("cannot be read: {e}")))?;
    let counting = Counting {
        inner: file,
        read: read.unwrap_or_default(),
    };
    Sheet::from_csv(&name, BufReader::with_capacity(1 << 20, counting))
}

/// The first sheet of a workbook (or the one named): cells as text, dates as
/// `YYYY-MM-DD` (with the time when there is one).
fn workbook_sheet(path: &Path, name: &str, wanted: Option<&str>) -> Result<Sheet, BookProblem> {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path)
        .map_err(|e| BookProblem::file(name, format!("is not a workbook Rounds can read: {e}")))?;
    let names = book.sheet_names();
    let sheet = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .cloned()
            .ok_or_else(|| {
                BookProblem::file(
                    name,
                    format!("has no sheet `{w}` (it has: {})", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| BookProblem::file(name, "has no sheet"))?,
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| BookProblem::file(name, format!("sheet `{sheet}` cannot be read: {e}")))?;
    let first_line = range.start().map_or(1, |(r, _)| r as usize + 1);
    let text = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => excel_date(d.as_f64()),
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(text).collect())
        .ok_or_else(|| BookProblem::file(name, format!("sheet `{sheet}` is empty")))?;
    let body: Vec<(usize, Vec<String>)> = rows
        .enumerate()
        .map(|(i, r)| (first_line + 1 + i, r.iter().map(text).collect::<Vec<_>>()))
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(Sheet::from_rows(name, header, body.into_iter()))
}

/// An Excel serial day (days since 1899-12-30, the fraction the time of day).
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let Ok(date) = jiff::civil::date(1899, 12, 30).checked_add(jiff::Span::new().days(days)) else {
        return serial.to_string();
    };
    if seconds == 0 {
        date.to_string()
    } else {
        let time = jiff::civil::Time::midnight()
            .wrapping_add(jiff::Span::new().seconds(seconds.min(86_399)));
        format!("{date}T{}", time.strftime("%H:%M:%S"))
    }
}

fn print_problems(problems: &[impl std::fmt::Display], total: usize) {
    for p in problems.iter().take(MAX_LISTED) {
        eprintln!("{p}");
    }
    if total > MAX_LISTED {
        eprintln!("… and {} more", total - MAX_LISTED);
    }
}

async fn import_book(cx: &Cx<'_>, a: ImportArgs, files: Vec<PathBuf>) -> Result<()> {
    let mapping = match &a.mapping {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            match Mapping::from_toml(&text) {
                Ok(m) => Some(m),
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{}: {p}", path.display());
                    }
                    bail!(
                        "{}: {} problem(s) in the mapping; nothing was imported",
                        path.display(),
                        problems.len()
                    );
                }
            }
        }
    };
    let owner_map = match &a.owner_map {
        None => vec![],
        Some(path) => read_owner_map(path)?,
    };
    let rep = match &a.rep {
        None => None,
        Some(r) => Some(find_user(cx, r)?.id),
    };
    let zone = match &a.tz {
        None => None,
        Some(z) => Some(z.parse::<TzName>().map_err(|e| anyhow!("--tz: {}", e.0))?),
    };
    let read = Arc::new(AtomicU64::new(0));
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let mut sheets = Vec::new();
    let mut problems = Vec::new();
    for f in &files {
        match open_sheet(f, a.sheet.as_deref(), Some(read.clone())) {
            Ok(sheet) => sheets.push(sheet),
            Err(p) => problems.push(p),
        }
    }
    if let Some(from) = a.from {
        let wanted = match from {
            ImportSource::Salesforce => "salesforce",
            _ => "veeva",
        };
        for s in &sheets {
            if let Some(kind) = FileKind::detect(s)
                && kind.source() != wanted
            {
                problems.push(BookProblem::file(
                    &s.file,
                    format!(
                        "looks like {} (its header row), not a {wanted} file",
                        kind.describe()
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        print_problems(&problems, problems.len());
        bail!("{} problem(s); nothing was imported", problems.len());
    }
    let progress = Progress::new(
        total,
        "{msg:>12} {wide_bar} {bytes}/{total_bytes} ({eta})",
        a.quiet,
    );
    progress.bar.set_message("importing");
    let input = BookImport {
        sheets,
        mapping,
        owner_map,
        rep,
        zone,
        dry_run: a.dry_run,
        today: a.as_of.unwrap_or(cx.s.today),
    };
    let rows = AtomicU64::new(0);
    let on_rows = |n: u64| {
        if rows.fetch_add(n, Ordering::Relaxed).is_multiple_of(4_096) {
            progress.set(read.load(Ordering::Relaxed));
        }
    };
    let result = rounds_app::import_book(cx.store, cx.actor, input, &on_rows).await;
    progress.bar.finish_and_clear();
    let summary = match result {
        Ok(s) => s,
        Err(AppError::Book { problems, total }) => {
            print_problems(&problems, total);
            bail!("{total} problem(s); nothing was imported");
        }
        Err(AppError::Store(e)) => {
            return Err(
                anyhow::Error::from(e).context("the import was rolled back; nothing was written")
            );
        }
        Err(other) => return Err(cli_error(other)),
    };
    let title = match summary.source.as_str() {
        "salesforce" => "Salesforce".to_string(),
        "veeva" => "Veeva CRM".to_string(),
        other => format!("`{other}`"),
    };
    if summary.dry_run {
        outln!("Dry run of the import from {title}: nothing was written.")?;
    } else {
        outln!("Imported from {title}.")?;
    }
    for (file, what, rows) in &summary.files {
        outln!("  {file}: {rows} rows ({what})")?;
    }
    let (verb_add, verb_change) = verbs(summary.dry_run);
    outln!(
        "  {:<10} {:>10} {:>12} {:>10}",
        "",
        verb_add,
        verb_change,
        "unchanged"
    )?;
    let c = &summary.counts;
    for (what, t) in [
        ("accounts", c.accounts),
        ("contacts", c.contacts),
        ("topics", c.topics),
        ("touches", c.touches),
    ] {
        outln!(
            "  {:<10} {:>10} {:>12} {:>10}",
            what,
            t.added,
            t.changed,
            t.unchanged
        )?;
    }
    for (why, n) in &summary.left_out {
        outln!("  left out: {n} {why}")?;
    }
    let held = cx.store.row_counts(cx.actor.org).await?;
    outln!(
        "The organisation holds {} accounts, {} contacts, {} topics and {} touches.",
        held.accounts,
        held.contacts,
        held.topics,
        held.touches
    )?;
    Ok(())
}

/// A `.vcf` file of contacts, each under its organisation's account or `--account`.
async fn import_cards(cx: &Cx<'_>, a: &ImportArgs, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{}: is not UTF-8 text (byte {} is not); export the contacts again as vCard 3.0 or 4.0",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let input = rounds_app::VcardImport {
        file: path.display().to_string(),
        text,
        account: a.account.map(rounds_core::model::AccountId),
        dry_run: a.dry_run,
    };
    let summary = match rounds_app::import_vcards(cx.store, cx.actor, input).await {
        Ok(s) => s,
        Err(AppError::Book { problems, total }) => {
            print_problems(&problems, total);
            bail!("{total} problem(s); nothing was imported");
        }
        Err(other) => return Err(cli_error(other)),
    };
    let t = summary.counts.contacts;
    let (add, change) = verbs(summary.dry_run);
    outln!(
        "{}{}: {} contacts {add}, {} {change}, {} unchanged.",
        if summary.dry_run { "Dry run: " } else { "" },
        path.display(),
        t.added,
        t.changed,
        t.unchanged
    )?;
    Ok(())
}

/// What a summary says was done, or would be on a dry run.
fn verbs(dry_run: bool) -> (&'static str, &'static str) {
    if dry_run {
        ("would add", "would change")
    } else {
        ("added", "changed")
    }
}

/// `owner,rep` rows: the other system's owner (id or e-mail) and the Rounds rep (id or
/// e-mail). A first row naming the columns is skipped.
fn read_owner_map(path: &Path) -> Result<Vec<(String, String)>> {
    let name = path.display().to_string();
    let file = File::open(path).with_context(|| format!("cannot read {name}"))?;
    let mut sheet = Sheet::from_csv(&name, BufReader::new(file)).map_err(|p| anyhow!("{p}"))?;
    let mut pairs = Vec::new();
    let header = sheet.header.clone();
    let is_header = header.len() >= 2
        && header[0].eq_ignore_ascii_case("owner")
        && header[1].eq_ignore_ascii_case("rep");
    if !is_header {
        if header.len() < 2 {
            bail!(
                "{name}:1: give two columns, the other system's owner and the Rounds rep (e.g. 005xx0000012345,nina@clinic.example)"
            );
        }
        pairs.push((header[0].clone(), header[1].clone()));
    }
    while let Some(row) = sheet.next_row() {
        let row = row.map_err(|p| anyhow!("{p}"))?;
        match row.cells.as_slice() {
            [owner, rep, ..] if !owner.is_empty() && !rep.is_empty() => {
                pairs.push((owner.clone(), rep.clone()))
            }
            _ => bail!(
                "{name}:{}: give two columns, the other system's owner and the Rounds rep",
                row.line
            ),
        }
    }
    Ok(pairs)
}

/// A Rounds export, read line by line while it is written: memory stays flat however
/// large the file.
async fn import_export(cx: &Cx<'_>, path: &Path) -> Result<()> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let lines = BufReader::with_capacity(1 << 20, file).lines();
    let summary = match rounds_app::import_lines(cx.store, cx.actor, lines).await {
        Ok(s) => s,
        Err(AppError::Import { problems, total }) => {
            let located: Vec<String> = problems
                .iter()
                .map(|p| format!("{}:{}: {}: {}", path.display(), p.line, p.field, p.message))
                .collect();
            print_problems(&located, total);
            bail!(
                "{}: {} problem(s); nothing was imported",
                path.display(),
                total
            );
        }
        Err(AppError::Store(e)) => {
            return Err(
                anyhow::Error::from(e).context("the import was rolled back; nothing was written")
            );
        }
        Err(other) => return Err(cli_error(other)),
    };
    outln!(
        "Imported {}: {} users, {} accounts, {} contacts, {} topics, {} touches, {} referral days, {} lost, {} no-fit",
        path.display(),
        summary.users,
        summary.accounts,
        summary.contacts,
        summary.topics,
        summary.touches,
        summary.referrals,
        summary.lost,
        summary.no_fits
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_serial_days_are_dates_and_their_fraction_the_time() {
        assert_eq!(super::excel_date(46000.0), "2025-12-09");
        assert_eq!(super::excel_date(46000.5), "2025-12-09T12:00:00");
    }
}

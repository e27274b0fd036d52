//! A spreadsheet read row by row: the header, each row's line number and cells, and the
//! checks every cell of every shape goes through (text encoding, formulas).

use std::io::{BufRead, Read};
use std::sync::Arc;

use super::BookProblem;

/// One data row: the line of the file it starts on (the header is line 1) and its cells,
/// already checked (UTF-8, no formula) and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// The rows of a sheet, as a CSV or a workbook's sheet yields them.
pub type Rows = Box<dyn Iterator<Item = Result<Row, BookProblem>> + Send>;

/// A sheet: its file name, its header and its rows, read on demand.
pub struct Sheet {
    pub file: Arc<str>,
    pub header: Vec<String>,
    rows: Rows,
}

impl std::fmt::Debug for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sheet")
            .field("file", &self.file)
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// How to fix a file that is not UTF-8, as the spreadsheet user does it.
const UTF8_HINT: &str = "save the file as \"CSV UTF-8\" (Excel: File › Save As › CSV UTF-8)";

impl Sheet {
    /// A sheet from rows someone else read (a workbook): cells go through the same
    /// checks as a CSV's.
    pub fn from_rows(
        file: &str,
        header: Vec<String>,
        rows: impl Iterator<Item = (usize, Vec<String>)> + Send + 'static,
    ) -> Sheet {
        let file: Arc<str> = Arc::from(file);
        let header: Vec<String> = header.iter().map(|h| clean_header(h)).collect();
        let names = header.clone();
        let f = file.clone();
        let rows = rows.map(move |(line, cells)| checked_row(&f, &names, line, cells));
        Sheet::new(file, header, Box::new(rows))
    }

    /// A CSV file: UTF-8 (a byte-order mark is dropped), the separator found from the
    /// header line (`,`, `;` as a European Excel writes, or tab), quotes as RFC 4180.
    pub fn from_csv<R: BufRead + Send + 'static>(
        file: &str,
        mut input: R,
    ) -> Result<Sheet, BookProblem> {
        let file: Arc<str> = Arc::from(file);
        let mut first = Vec::new();
        input
            .read_until(b'\n', &mut first)
            .map_err(|e| BookProblem::file(&file, format!("cannot be read: {e}")))?;
        if first.starts_with(b"\xEF\xBB\xBF") {
            first.drain(..3);
        }
        if first.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(BookProblem::file(
                &file,
                "is empty: the first line must name the columns",
            ));
        }
        if first.starts_with(b"\xFF\xFE") || first.starts_with(b"\xFE\xFF") {
            return Err(BookProblem::file(
                &file,
                format!("is UTF-16 text; {UTF8_HINT}"),
            ));
        }
        let delimiter = sniff_delimiter(&first);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            // Rows end at `\n`, a `\r` before it is trimmed with the cell: with CRLF as
            // the terminator the reader dates each row from the line before it.
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Cursor::new(first).chain(input));
        let mut header_record = csv::ByteRecord::new();
        reader.read_byte_record(&mut header_record).map_err(|e| {
            BookProblem::at(&file, 1, "", format!("the header row cannot be read: {e}"))
        })?;
        let mut header = Vec::with_capacity(header_record.len());
        for (i, cell) in header_record.iter().enumerate() {
            let text = std::str::from_utf8(cell).map_err(|_| {
                BookProblem::at(
                    &file,
                    1,
                    &format!("column {}", i + 1),
                    format!("the header is not UTF-8 text; {UTF8_HINT}"),
                )
            })?;
            header.push(clean_header(text));
        }
        let names = header.clone();
        let f = file.clone();
        let rows = CsvRows {
            reader,
            record: csv::ByteRecord::new(),
            file: f,
            names,
            done: false,
        };
        Ok(Sheet::new(file, header, Box::new(rows)))
    }

    fn new(file: Arc<str>, header: Vec<String>, rows: Rows) -> Sheet {
        Sheet { file, header, rows }
    }

    /// Whether the header has this column (any case).
    pub fn has(&self, column: &str) -> bool {
        self.column(column).is_some()
    }

    /// The position of a column (any case). A scan, not a map: a header has a few dozen
    /// columns at most, and this runs for every cell read, so it must not allocate.
    pub fn column(&self, column: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
    }

    /// The header's spelling of a column asked for in any case.
    pub fn spelled(&self, column: &str) -> String {
        self.column(column)
            .map(|i| self.header[i].clone())
            .unwrap_or_else(|| column.to_string())
    }

    /// The next row; `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<Result<Row, BookProblem>> {
        self.rows.next()
    }

    /// A view of `row` that reads cells by column name.
    pub fn view<'a>(&'a self, row: &'a Row) -> RowView<'a> {
        RowView { sheet: self, row }
    }
}

/// One row read by column name.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    pub sheet: &'a Sheet,
    pub row: &'a Row,
}

impl<'a> RowView<'a> {
    /// The cell of `column`: `None` when the column is absent or the cell empty.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let i = self.sheet.column(column)?;
        self.row
            .cells
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The first non-empty cell of these columns.
    pub fn first(&self, columns: &[&str]) -> Option<(&'a str, String)> {
        columns
            .iter()
            .find_map(|c| self.get(c).map(|v| (v, self.sheet.spelled(c))))
    }

    pub fn line(&self) -> usize {
        self.row.line
    }

    /// A problem with this row's `column`.
    pub fn problem(&self, column: &str, message: impl Into<String>) -> BookProblem {
        BookProblem::at(
            &self.sheet.file,
            self.row.line,
            &self.sheet.spelled(column),
            message,
        )
    }
}

struct CsvRows<R> {
    reader: csv::Reader<R>,
    record: csv::ByteRecord,
    file: Arc<str>,
    names: Vec<String>,
    done: bool,
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<Row, BookProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    // A broken quote or an unreadable file: the rest cannot be trusted.
                    self.done = true;
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    return Some(Err(BookProblem::at(
                        &self.file,
                        line,
                        "",
                        format!("the file cannot be read past here: {e}"),
                    )));
                }
                Ok(true) => {}
            }
            let line = self.record.position().map_or(0, |p| p.line() as usize);
            if self
                .record
                .iter()
                .all(|c| c.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let mut cells = Vec::with_capacity(self.record.len());
            for (i, cell) in self.record.iter().enumerate() {
                match std::str::from_utf8(cell) {
                    Ok(text) => cells.push(text.to_string()),
                    Err(e) => {
                        let bad = cell[e.valid_up_to()];
                        return Some(Err(BookProblem::at(
                            &self.file,
                            line,
                            &column_name(&self.names, i),
                            format!("is not UTF-8 text (byte 0x{bad:02X}); {UTF8_HINT}"),
                        )));
                    }
                }
            }
            return Some(checked_row(&self.file, &self.names, line, cells));
        }
    }
}

fn column_name(names: &[String], i: usize) -> String {
    names
        .get(i)
        .filter(|n| !n.is_empty())
        .cloned()
        .unwrap_or_else(|| format!("column {}", i + 1))
}

fn clean_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').trim().to_string()
}

/// Trims every cell, drops the one quote a spreadsheet export puts before a cell that
/// would otherwise run as a formula, and refuses a formula: Rounds stores text, and a
/// formula copied into a name would run in the next spreadsheet that opens an export.
fn checked_row(
    file: &Arc<str>,
    names: &[String],
    line: usize,
    mut cells: Vec<String>,
) -> Result<Row, BookProblem> {
    for (i, cell) in cells.iter_mut().enumerate() {
        let trimmed = cell.trim();
        if let Some(rest) = trimmed.strip_prefix('\'')
            && rest.starts_with(['=', '+', '-', '@', '\'', '\t', '\r'])
        {
            *cell = rest.to_string();
            continue;
        }
        if looks_like_formula(trimmed) {
            return Err(BookProblem::at(
                file,
                line,
                &column_name(names, i),
                format!(
                    "`{}` is a spreadsheet formula; give its value (or put a ' before it to keep the text)",
                    super::shorten(trimmed, 40)
                ),
            ));
        }
        if trimmed.len() != cell.len() {
            *cell = trimmed.to_string();
        }
    }
    Ok(Row { line, cells })
}

/// `=…` always; `+`, `-` or `@` followed by a letter and a call, as in `@SUM(A1)` or
/// `+cmd|' /C calc'!A0`. A phone number (`+1 555…`) or a dash of a note is not one.
pub fn looks_like_formula(cell: &str) -> bool {
    let mut chars = cell.chars();
    match chars.next() {
        Some('=') => cell.len() > 1,
        Some('+' | '-' | '@') => {
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && (cell.contains('(') || cell.contains('!') || cell.contains('|'))
        }
        _ => false,
    }
}

/// `;` or tab when the header line has more of them than commas (outside quotes).
fn sniff_delimiter(line: &[u8]) -> u8 {
    let (mut comma, mut semicolon, mut tab, mut quoted) = (0, 0, 0, false);
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => comma += 1,
            b';' if !quoted => semicolon += 1,
            b'\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma {
        b'\t'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &[u8]) -> Result<Sheet, BookProblem> {
        Sheet::from_csv("t.csv", std::io::Cursor::new(text.to_vec()))
    }

    #[test]
    fn a_semicolon_file_with_a_bom_reads_its_first_column_by_name() {
        let mut s = sheet(b"\xEF\xBB\xBFId;Name\r\n7;\"A; B\"\r\n").unwrap();
        assert_eq!(s.header, ["Id", "Name"]);
        let row = s.next_row().unwrap().unwrap();
        assert_eq!(s.view(&row).get("id"), Some("7"));
        assert_eq!(s.view(&row).get("NAME"), Some("A; B"));
        assert_eq!(row.line, 2);
    }

    #[test]
    fn a_latin1_cell_names_its_line_and_column() {
        let mut s = sheet(b"Id,Name\n1,Jos\xE9\n").unwrap();
        let p = s.next_row().unwrap().unwrap_err();
        assert_eq!(
            p.to_string().split(" (byte").next().unwrap(),
            "t.csv:2: Name: is not UTF-8 text"
        );
    }

    #[test]
    fn formulas_are_refused_and_an_escaped_one_is_text() {
        let mut s = sheet(b"A,B\n=1+2,x\n'=1+2,+1 555 0100\n@SUM(A1),y\n").unwrap();
        assert!(
            s.next_row()
                .unwrap()
                .unwrap_err()
                .to_string()
                .starts_with("t.csv:2: A: `=1+2` is a spreadsheet formula")
        );
        assert_eq!(
            s.next_row().unwrap().unwrap().cells,
            ["=1+2", "+1 555 0100"]
        );
        assert!(s.next_row().unwrap().is_err());
    }

    #[test]
    fn a_quoted_cell_over_two_lines_counts_its_lines() {
        let mut s = sheet(b"A,B\n1,\"two\nlines\"\n2,x\n").unwrap();
        assert_eq!(s.next_row().unwrap().unwrap().line, 2);
        assert_eq!(s.next_row().unwrap().unwrap().line, 4);
    }
}

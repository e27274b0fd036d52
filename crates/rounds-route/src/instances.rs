//! Parsers for the published benchmark formats, from text to a [`Problem`]: Solomon
//! VRPTW files (read as a one-rep orienteering day) and LKH-3 TSPTW files.
//!
//! Pure (the caller reads the file) and total: any input gives a `Problem` or a
//! [`ParseError`] naming the line and what was wrong, never a panic. The exact
//! derivations are those of `bench/route/README.md`.

use crate::problem::{Candidate, Endpoint, Problem, TravelMatrix, VALUE_LIMIT};
use std::fmt;

/// Largest TSPTW dimension accepted, so a hostile header cannot demand gigabytes.
pub const MAX_DIMENSION: usize = 2000;

/// A bad instance file: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line; for something missing at the end, the line after the last one.
    pub line: usize,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

/// What was wrong with an instance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A required part of the file is absent.
    Missing(&'static str),
    /// A row has the wrong number of fields.
    FieldCount {
        /// Fields wanted.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A field is not a number of the right kind.
    NotANumber {
        /// Which field.
        field: &'static str,
        /// The text found.
        found: String,
    },
    /// A number is outside what the field allows.
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The text found.
        found: String,
    },
    /// Rows must be numbered 0, 1, 2… (Solomon) or name a node once (TSPTW).
    BadRowNumber {
        /// What was expected.
        expected: String,
        /// The text found.
        found: String,
    },
    /// A time window closes before it opens.
    WindowReversed {
        /// Opening.
        ready: i64,
        /// Closing.
        due: i64,
    },
    /// Fewer customers than asked for.
    NotEnoughCustomers {
        /// Asked for.
        wanted: usize,
        /// In the file.
        found: usize,
    },
    /// A keyword this reader does not know, or a value it does not support.
    Unsupported {
        /// The keyword or `keyword: value`.
        found: String,
    },
    /// Something appears twice.
    Duplicate {
        /// What.
        what: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            ParseErrorKind::Missing(what) => write!(f, "missing {what}"),
            ParseErrorKind::FieldCount { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            ParseErrorKind::NotANumber { field, found } => {
                write!(f, "{field} `{found}` is not a number")
            }
            ParseErrorKind::OutOfRange { field, found } => {
                write!(f, "{field} `{found}` is out of range")
            }
            ParseErrorKind::BadRowNumber { expected, found } => {
                write!(f, "expected row number {expected}, found `{found}`")
            }
            ParseErrorKind::WindowReversed { ready, due } => {
                write!(f, "time window closes ({due}) before it opens ({ready})")
            }
            ParseErrorKind::NotEnoughCustomers { wanted, found } => {
                write!(f, "asked for {wanted} customers but the file has {found}")
            }
            ParseErrorKind::Unsupported { found } => write!(f, "unsupported `{found}`"),
            ParseErrorKind::Duplicate { what } => write!(f, "{what} given twice"),
        }
    }
}

impl std::error::Error for ParseError {}

fn err<T>(line: usize, kind: ParseErrorKind) -> Result<T, ParseError> {
    Err(ParseError { line, kind })
}

/// A Solomon number ×10, floored; integers are scaled exactly.
fn scaled(line: usize, field: &'static str, text: &str) -> Result<i64, ParseError> {
    let out_of_range = || ParseError {
        line,
        kind: ParseErrorKind::OutOfRange {
            field,
            found: text.into(),
        },
    };
    if let Ok(v) = text.parse::<i64>() {
        return v
            .checked_mul(10)
            .filter(|v| v.abs() <= VALUE_LIMIT)
            .ok_or_else(out_of_range);
    }
    let v: f64 = text.parse().map_err(|_| ParseError {
        line,
        kind: ParseErrorKind::NotANumber {
            field,
            found: text.into(),
        },
    })?;
    let v = (v * 10.0).floor();
    if !v.is_finite() || v.abs() > VALUE_LIMIT as f64 {
        return Err(out_of_range());
    }
    Ok(v as i64)
}

/// One customer row of a Solomon file, times already ×10.
#[derive(Debug)]
struct SolomonRow {
    x: f64,
    y: f64,
    demand: i64,
    ready: i64,
    due: i64,
    service: i64,
}

/// Reads a Solomon VRPTW file as a one-rep day over the depot and the first `n`
/// customers: travel time = distance = ⌊10 × Euclidean⌋, windows and service ×10
/// floored, leave the depot at its ready time, back by its due time, prize = demand,
/// every customer optional. Candidate ids are the customer numbers.
pub fn solomon_optw(text: &str, n: usize) -> Result<Problem, ParseError> {
    let rows = solomon_rows(text)?;
    let customers = rows.len() - 1;
    if customers < n {
        let last = text.lines().count() + 1;
        return err(
            last,
            ParseErrorKind::NotEnoughCustomers {
                wanted: n,
                found: customers,
            },
        );
    }
    let rows = &rows[..=n];
    let size = rows.len();
    let mut matrix = vec![vec![0i64; size]; size];
    for (i, a) in rows.iter().enumerate() {
        for (j, b) in rows.iter().enumerate() {
            let e = (10.0 * (a.1.x - b.1.x).hypot(a.1.y - b.1.y)).floor();
            if !(e.is_finite() && e <= VALUE_LIMIT as f64) {
                return err(
                    b.0,
                    ParseErrorKind::OutOfRange {
                        field: "coordinate",
                        found: format!("{}", b.1.x),
                    },
                );
            }
            matrix[i][j] = e as i64;
        }
    }
    let matrix = TravelMatrix::from_rows(&matrix).map_err(|e| ParseError {
        line: rows[0].0,
        kind: ParseErrorKind::Unsupported {
            found: e.to_string(),
        },
    })?;
    let depot = &rows[0].1;
    let candidates = rows[1..]
        .iter()
        .enumerate()
        .map(|(k, (_, r))| Candidate {
            id: k as i64 + 1,
            location: k + 1,
            prize: r.demand,
            service: r.service,
            windows: vec![(r.ready, r.due)],
            mandatory: None,
            required: false,
        })
        .collect();
    Ok(Problem {
        start: Endpoint {
            location: 0,
            time: depot.ready,
        },
        end: Endpoint {
            location: 0,
            time: depot.due,
        },
        candidates,
        matrix,
    })
}

/// All customer rows (depot first) with their line numbers.
fn solomon_rows(text: &str) -> Result<Vec<(usize, SolomonRow)>, ParseError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    // The column header (`CUST NO.  XCOORD. …`), not the `CUSTOMER` section title.
    let header = lines.by_ref().find(|(_, l)| {
        let words: Vec<String> = l
            .split_whitespace()
            .take(2)
            .map(str::to_ascii_uppercase)
            .collect();
        words.len() == 2 && words[0] == "CUST" && words[1].starts_with("NO")
    });
    if header.is_none() {
        return err(
            text.lines().count() + 1,
            ParseErrorKind::Missing("the `CUST NO.` header line"),
        );
    }
    let mut rows = Vec::new();
    for (line, l) in lines {
        let fields: Vec<&str> = l.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        if fields.len() != 7 {
            return err(
                line,
                ParseErrorKind::FieldCount {
                    expected: 7,
                    found: fields.len(),
                },
            );
        }
        let expected = rows.len();
        if fields[0].parse::<usize>().ok() != Some(expected) {
            return err(
                line,
                ParseErrorKind::BadRowNumber {
                    expected: expected.to_string(),
                    found: fields[0].into(),
                },
            );
        }
        let coordinate = |field: &'static str, text: &str| -> Result<f64, ParseError> {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() <= 1e9 => Ok(v),
                Ok(_) => err(
                    line,
                    ParseErrorKind::OutOfRange {
                        field,
                        found: text.into(),
                    },
                ),
                Err(_) => err(
                    line,
                    ParseErrorKind::NotANumber {
                        field,
                        found: text.into(),
                    },
                ),
            }
        };
        let demand = match fields[3].parse::<i64>() {
            Ok(v) if (0..=VALUE_LIMIT).contains(&v) => v,
            Ok(_) => {
                return err(
                    line,
                    ParseErrorKind::OutOfRange {
                        field: "demand",
                        found: fields[3].into(),
                    },
                );
            }
            Err(_) => {
                return err(
                    line,
                    ParseErrorKind::NotANumber {
                        field: "demand",
                        found: fields[3].into(),
                    },
                );
            }
        };
        let row = SolomonRow {
            x: coordinate("x coordinate", fields[1])?,
            y: coordinate("y coordinate", fields[2])?,
            demand,
            ready: scaled(line, "ready time", fields[4])?,
            due: scaled(line, "due date", fields[5])?,
            service: scaled(line, "service time", fields[6])?,
        };
        if row.ready > row.due {
            return err(
                line,
                ParseErrorKind::WindowReversed {
                    ready: row.ready,
                    due: row.due,
                },
            );
        }
        if row.service < 0 {
            return err(
                line,
                ParseErrorKind::OutOfRange {
                    field: "service time",
                    found: fields[6].into(),
                },
            );
        }
        rows.push((line, row));
    }
    if rows.is_empty() {
        return err(
            text.lines().count() + 1,
            ParseErrorKind::Missing("the depot row"),
        );
    }
    Ok(rows)
}

/// Reads an LKH-3 TSPTW file (`EXPLICIT` / `FULL_MATRIX`): every node but the depot
/// is a required candidate (id = node number, prize 0, no service: the matrix folds
/// it in), the route starts and ends at the depot inside the depot's window.
pub fn lkh_tsptw(text: &str) -> Result<Problem, ParseError> {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let after_last = lines.len() + 1;
    let mut dimension: Option<usize> = None;
    let mut matrix: Option<Vec<Vec<i64>>> = None;
    let mut windows: Option<Vec<(i64, i64)>> = None;
    let mut depot: Option<usize> = None;
    let mut at = 0;
    while at < lines.len() {
        let (line, raw) = lines[at];
        at += 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let (key, value) = match trimmed.split_once(':') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim()),
            None => (trimmed.to_ascii_uppercase(), ""),
        };
        let unsupported = || ParseError {
            line,
            kind: ParseErrorKind::Unsupported {
                found: format!("{key}: {value}"),
            },
        };
        match key.as_str() {
            "NAME" | "COMMENT" => {}
            "TYPE" if value.eq_ignore_ascii_case("TSPTW") => {}
            "EDGE_WEIGHT_TYPE" if value.eq_ignore_ascii_case("EXPLICIT") => {}
            "EDGE_WEIGHT_FORMAT" if value.eq_ignore_ascii_case("FULL_MATRIX") => {}
            "TYPE" | "EDGE_WEIGHT_TYPE" | "EDGE_WEIGHT_FORMAT" => return Err(unsupported()),
            "DIMENSION" => {
                if dimension.is_some() {
                    return err(
                        line,
                        ParseErrorKind::Duplicate {
                            what: "DIMENSION".into(),
                        },
                    );
                }
                match value.parse::<usize>() {
                    Ok(d) if (2..=MAX_DIMENSION).contains(&d) => dimension = Some(d),
                    Ok(_) => {
                        return err(
                            line,
                            ParseErrorKind::OutOfRange {
                                field: "DIMENSION",
                                found: value.into(),
                            },
                        );
                    }
                    Err(_) => {
                        return err(
                            line,
                            ParseErrorKind::NotANumber {
                                field: "DIMENSION",
                                found: value.into(),
                            },
                        );
                    }
                }
            }
            "EDGE_WEIGHT_SECTION" => {
                let dim = dimension.ok_or(ParseError {
                    line,
                    kind: ParseErrorKind::Missing("DIMENSION before the matrix"),
                })?;
                if matrix.is_some() {
                    return err(
                        line,
                        ParseErrorKind::Duplicate {
                            what: "EDGE_WEIGHT_SECTION".into(),
                        },
                    );
                }
                let mut entries = Vec::with_capacity(dim * dim);
                while entries.len() < dim * dim {
                    let Some(&(line, raw)) = lines.get(at) else {
                        return err(after_last, ParseErrorKind::Missing("matrix entries"));
                    };
                    at += 1;
                    for token in raw.split_whitespace() {
                        let v = match token.parse::<i64>() {
                            Ok(v) if (0..=VALUE_LIMIT).contains(&v) => v,
                            Ok(_) => {
                                return err(
                                    line,
                                    ParseErrorKind::OutOfRange {
                                        field: "matrix entry",
                                        found: token.into(),
                                    },
                                );
                            }
                            Err(_) => {
                                return err(
                                    line,
                                    ParseErrorKind::NotANumber {
                                        field: "matrix entry",
                                        found: token.into(),
                                    },
                                );
                            }
                        };
                        if entries.len() == dim * dim {
                            return err(
                                line,
                                ParseErrorKind::FieldCount {
                                    expected: dim * dim,
                                    found: dim * dim + 1,
                                },
                            );
                        }
                        entries.push(v);
                    }
                }
                matrix = Some(entries.chunks(dim).map(<[i64]>::to_vec).collect());
            }
            "TIME_WINDOW_SECTION" => {
                let dim = dimension.ok_or(ParseError {
                    line,
                    kind: ParseErrorKind::Missing("DIMENSION before the time windows"),
                })?;
                if windows.is_some() {
                    return err(
                        line,
                        ParseErrorKind::Duplicate {
                            what: "TIME_WINDOW_SECTION".into(),
                        },
                    );
                }
                let mut found: Vec<Option<(i64, i64)>> = vec![None; dim];
                let mut read = 0;
                while read < dim {
                    let Some(&(line, raw)) = lines.get(at) else {
                        return err(after_last, ParseErrorKind::Missing("time window rows"));
                    };
                    at += 1;
                    let fields: Vec<&str> = raw.split_whitespace().collect();
                    if fields.is_empty() {
                        continue;
                    }
                    if fields.len() != 3 {
                        return err(
                            line,
                            ParseErrorKind::FieldCount {
                                expected: 3,
                                found: fields.len(),
                            },
                        );
                    }
                    let node = fields[0]
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=dim).contains(n))
                        .ok_or_else(|| ParseError {
                            line,
                            kind: ParseErrorKind::BadRowNumber {
                                expected: format!("a node 1..={dim}"),
                                found: fields[0].into(),
                            },
                        })?;
                    let time = |field: &'static str, text: &str| match text.parse::<i64>() {
                        Ok(v) if v.abs() <= VALUE_LIMIT => Ok(v),
                        Ok(_) => err(
                            line,
                            ParseErrorKind::OutOfRange {
                                field,
                                found: text.into(),
                            },
                        ),
                        Err(_) => err(
                            line,
                            ParseErrorKind::NotANumber {
                                field,
                                found: text.into(),
                            },
                        ),
                    };
                    let (ready, due) = (
                        time("window opening", fields[1])?,
                        time("window closing", fields[2])?,
                    );
                    if ready > due {
                        return err(line, ParseErrorKind::WindowReversed { ready, due });
                    }
                    if found[node - 1].replace((ready, due)).is_some() {
                        return err(
                            line,
                            ParseErrorKind::Duplicate {
                                what: format!("the window of node {node}"),
                            },
                        );
                    }
                    read += 1;
                }
                windows = Some(found.into_iter().map(|w| w.unwrap_or((0, 0))).collect());
            }
            "DEPOT_SECTION" => {
                let dim = dimension.ok_or(ParseError {
                    line,
                    kind: ParseErrorKind::Missing("DIMENSION before the depot"),
                })?;
                loop {
                    let Some(&(line, raw)) = lines.get(at) else {
                        return err(
                            after_last,
                            ParseErrorKind::Missing("-1 closing DEPOT_SECTION"),
                        );
                    };
                    at += 1;
                    let mut done = false;
                    for token in raw.split_whitespace() {
                        if done {
                            return err(
                                line,
                                ParseErrorKind::Unsupported {
                                    found: token.into(),
                                },
                            );
                        }
                        match token.parse::<i64>() {
                            Ok(-1) => done = true,
                            Ok(d) if d >= 1 && (d as usize) <= dim => {
                                if depot.replace(d as usize).is_some() {
                                    return err(
                                        line,
                                        ParseErrorKind::Unsupported {
                                            found: "more than one depot".into(),
                                        },
                                    );
                                }
                            }
                            Ok(_) => {
                                return err(
                                    line,
                                    ParseErrorKind::OutOfRange {
                                        field: "depot",
                                        found: token.into(),
                                    },
                                );
                            }
                            Err(_) => {
                                return err(
                                    line,
                                    ParseErrorKind::NotANumber {
                                        field: "depot",
                                        found: token.into(),
                                    },
                                );
                            }
                        }
                    }
                    if done {
                        break;
                    }
                }
            }
            "EOF" => break,
            _ => {
                return err(line, ParseErrorKind::Unsupported { found: key });
            }
        }
    }
    let matrix = matrix.ok_or(ParseError {
        line: after_last,
        kind: ParseErrorKind::Missing("EDGE_WEIGHT_SECTION"),
    })?;
    let windows = windows.ok_or(ParseError {
        line: after_last,
        kind: ParseErrorKind::Missing("TIME_WINDOW_SECTION"),
    })?;
    // LKH-3 takes node 1 as the depot when the section is absent.
    let depot = depot.unwrap_or(1) - 1;
    let matrix = TravelMatrix::from_rows(&matrix).map_err(|e| ParseError {
        line: after_last,
        kind: ParseErrorKind::Unsupported {
            found: e.to_string(),
        },
    })?;
    let candidates = (0..windows.len())
        .filter(|&v| v != depot)
        .map(|v| Candidate {
            id: v as i64 + 1,
            location: v,
            prize: 0,
            service: 0,
            windows: vec![windows[v]],
            mandatory: None,
            required: true,
        })
        .collect();
    Ok(Problem {
        start: Endpoint {
            location: depot,
            time: windows[depot].0,
        },
        end: Endpoint {
            location: depot,
            time: windows[depot].1,
        },
        candidates,
        matrix,
    })
}

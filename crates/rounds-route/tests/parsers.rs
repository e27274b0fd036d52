//! Bad instance files give an error naming the line, and no input makes a parser panic.

use proptest::prelude::*;
use rounds_route::instances::{ParseError, ParseErrorKind, lkh_tsptw, solomon_optw};

const C101: &str = include_str!("../../../bench/route/instances/solomon/C101.txt");
const N20W20_001: &str = include_str!("../../../bench/route/instances/tsptw/n20w20.001.tsptw");

/// Replaces line `line` (1-based) of `text`.
fn with_line(text: &str, line: usize, replacement: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { replacement } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_of(result: Result<rounds_route::Problem, ParseError>) -> (usize, ParseErrorKind) {
    let e = result.unwrap_err();
    assert!(
        e.to_string().starts_with(&format!("line {}: ", e.line)),
        "{e}"
    );
    (e.line, e.kind)
}

#[test]
fn solomon_errors_name_the_line() {
    // Line 11 is customer 1.
    let cases: &[(&str, ParseErrorKind)] = &[
        (
            "    1      45         68         10        912        967",
            ParseErrorKind::FieldCount {
                expected: 7,
                found: 6,
            },
        ),
        (
            "    1      45         sixty      10        912        967         90",
            ParseErrorKind::NotANumber {
                field: "y coordinate",
                found: "sixty".into(),
            },
        ),
        (
            "    1      45         68         -3        912        967         90",
            ParseErrorKind::OutOfRange {
                field: "demand",
                found: "-3".into(),
            },
        ),
        (
            "    1      45         68         10        967        912         90",
            ParseErrorKind::WindowReversed {
                ready: 9670,
                due: 9120,
            },
        ),
        (
            "    7      45         68         10        912        967         90",
            ParseErrorKind::BadRowNumber {
                expected: "1".into(),
                found: "7".into(),
            },
        ),
    ];
    for (row, kind) in cases {
        assert_eq!(
            line_of(solomon_optw(&with_line(C101, 11, row), 25)),
            (11, kind.clone()),
            "{row}"
        );
    }
}

#[test]
fn solomon_without_header_or_with_too_few_customers() {
    let (_, kind) = line_of(solomon_optw("C101\n\nVEHICLE\n", 25));
    assert_eq!(kind, ParseErrorKind::Missing("the `CUST NO.` header line"));
    let (_, kind) = line_of(solomon_optw(C101, 101));
    assert_eq!(
        kind,
        ParseErrorKind::NotEnoughCustomers {
            wanted: 101,
            found: 100
        }
    );
}

#[test]
fn tsptw_errors_name_the_line() {
    // Line 3 is DIMENSION, 9 the third matrix row, 30 the window of node 2, 51 the depot.
    let cases: &[(usize, &str, ParseErrorKind)] = &[
        (
            2,
            "TYPE : CVRP",
            ParseErrorKind::Unsupported {
                found: "TYPE: CVRP".into(),
            },
        ),
        (
            3,
            "DIMENSION : many",
            ParseErrorKind::NotANumber {
                field: "DIMENSION",
                found: "many".into(),
            },
        ),
        (
            3,
            "DIMENSION : 1",
            ParseErrorKind::OutOfRange {
                field: "DIMENSION",
                found: "1".into(),
            },
        ),
        (
            9,
            "19 0 10 x",
            ParseErrorKind::NotANumber {
                field: "matrix entry",
                found: "x".into(),
            },
        ),
        (
            9,
            "19 0 -10",
            ParseErrorKind::OutOfRange {
                field: "matrix entry",
                found: "-10".into(),
            },
        ),
        (
            30,
            "2 68 62",
            ParseErrorKind::WindowReversed { ready: 68, due: 62 },
        ),
        (
            30,
            "2 62",
            ParseErrorKind::FieldCount {
                expected: 3,
                found: 2,
            },
        ),
        (
            30,
            "1 62 68",
            ParseErrorKind::Duplicate {
                what: "the window of node 1".into(),
            },
        ),
        (
            30,
            "99 62 68",
            ParseErrorKind::BadRowNumber {
                expected: "a node 1..=21".into(),
                found: "99".into(),
            },
        ),
        (
            51,
            "0",
            ParseErrorKind::OutOfRange {
                field: "depot",
                found: "0".into(),
            },
        ),
    ];
    for (line, text, kind) in cases {
        let got = line_of(lkh_tsptw(&with_line(N20W20_001, *line, text)));
        // A short matrix row makes the matrix run into the next section: the error is
        // where the surplus or the bad token is found, which the cases above avoid.
        assert_eq!(got, (*line, kind.clone()), "{text}");
    }
}

#[test]
fn tsptw_missing_parts_point_past_the_end() {
    let cut: String = N20W20_001.lines().take(20).collect::<Vec<_>>().join("\n");
    let (line, kind) = line_of(lkh_tsptw(&cut));
    assert_eq!(
        (line, kind),
        (21, ParseErrorKind::Missing("matrix entries"))
    );
    let (_, kind) = line_of(lkh_tsptw("NAME : x\nTYPE : TSPTW\nDIMENSION : 3\n"));
    assert_eq!(kind, ParseErrorKind::Missing("EDGE_WEIGHT_SECTION"));
    let (line, kind) = line_of(lkh_tsptw("EDGE_WEIGHT_SECTION\n0 1\n"));
    assert_eq!(
        (line, kind),
        (1, ParseErrorKind::Missing("DIMENSION before the matrix"))
    );
}

/// Mutations of a valid file: a byte replaced, a line dropped or repeated, a cut.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    (0usize..base.len(), any::<u8>(), 0u8..4).prop_map(move |(at, byte, how)| {
        let mut bytes = base.as_bytes().to_vec();
        match how {
            0 => bytes[at] = byte,
            1 => bytes.truncate(at),
            2 => bytes.insert(at, byte),
            _ => {
                let lines: Vec<&str> = base.lines().collect();
                let k = at % lines.len();
                let mut l = lines.clone();
                if byte % 2 == 0 {
                    l.remove(k);
                } else {
                    l.insert(k, lines[k]);
                }
                bytes = l.join("\n").into_bytes();
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in ".{0,400}", n in 0usize..120) {
        let _ = solomon_optw(&text, n);
        let _ = lkh_tsptw(&text);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = solomon_optw(&text, 25);
        let _ = lkh_tsptw(&text);
    }

    #[test]
    fn parsers_never_panic_on_mutated_solomon(text in mutated(C101), n in 0usize..110) {
        if let Ok(p) = solomon_optw(&text, n) {
            prop_assert_eq!(p.candidates.len(), n);
            prop_assert!(p.validate().is_ok());
        }
    }

    #[test]
    fn parsers_never_panic_on_mutated_tsptw(text in mutated(N20W20_001)) {
        if let Ok(p) = lkh_tsptw(&text) {
            prop_assert!(p.validate().is_ok());
            let solution = rounds_route::solve(&p, &rounds_route::SolveOptions { seed: 1, max_iterations: 50 });
            prop_assert!(solution.is_ok());
        }
    }
}

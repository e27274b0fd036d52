//! Server-side SVG charts (plotters' SVG backend), embedded in pages as inline markup.
//!
//! Every chart is drawn at a fixed size with a `viewBox`, so the stylesheet scales it to
//! the screen (no horizontal scrolling at 390 px), and carries a `<title>`, a `<desc>`
//! and `role="img"` so a screen reader announces what it shows. Pages put the same
//! figures in a table beside it: a chart is never the only place a number appears.
//!
//! Bars with a value of zero are not drawn (an empty rectangle only adds noise to the
//! markup); the axis still has room for them.

use jiff::civil::Date;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The colour of "now" bars (recent counts, referrals per week): the link colour of the
/// stylesheet, so charts and pages read as one.
pub const RECENT: RGBColor = RGBColor(0x0b, 0x5c, 0xad);
/// The colour of baseline bars: a neutral grey, so the recent figure stands out.
pub const BASELINE: RGBColor = RGBColor(0xa0, 0xa8, 0xb8);
/// One colour per loss reason, in `LossReason::ALL` order; told apart by lightness as well
/// as hue, for readers who do not see every colour.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x0b, 0x5c, 0xad),
    RGBColor(0xd9, 0x7b, 0x1a),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0x8e, 0x3b, 0x9e),
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x7f, 0x8c, 0x8d),
];

/// Narrow on purpose: the page scales the chart to the screen, so a phone shrinks a
/// narrow chart less and its labels stay readable.
const WIDTH: u32 = 400;
/// Axis and legend text, in chart pixels (plotters writes 1/1.24 of it as the SVG font
/// size): about 12 px on a 390 px phone once the chart is scaled to fit.
const LABEL_PX: u32 = 18;

#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> ChartError {
        ChartError(e.to_string())
    }
}

/// A colour as CSS writes it, for legends drawn in HTML beside a chart.
pub fn css(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// A referring contact's (or an account's) referrals per week: one bar per week, oldest
/// first. `weeks` holds each week's first day and its count (P9's counts per day, summed).
pub fn weekly_referrals(title: &str, weeks: &[(Date, u32)]) -> Result<String, ChartError> {
    let total: u32 = weeks.iter().map(|w| w.1).sum();
    let desc = format!(
        "{} referrals over {} weeks{}",
        total,
        weeks.len(),
        weeks
            .iter()
            .max_by_key(|w| w.1)
            .filter(|w| w.1 > 0)
            .map(|w| format!("; the most, {}, in the week of {}", w.1, w.0))
            .unwrap_or_default()
    );
    let n = weeks.len().max(1) as f64;
    let top = f64::from(weeks.iter().map(|w| w.1).max().unwrap_or(0).max(1));
    draw(title, &desc, (WIDTH, 240), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..n, 0f64..top * 1.1)?;
        let label = |x: &f64| {
            if x.fract() != 0.0 {
                return String::new();
            }
            weeks
                .get(*x as usize)
                .map(|w| w.0.strftime("%-d %b").to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .label_style(("sans-serif", LABEL_PX))
            .light_line_style(TRANSPARENT)
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| whole(*y))
            .draw()?;
        chart.draw_series(
            weeks
                .iter()
                .enumerate()
                .filter(|(_, w)| w.1 > 0)
                .map(|(i, w)| {
                    let x = i as f64;
                    Rectangle::new(
                        [(x + 0.15, 0.0), (x + 0.85, f64::from(w.1))],
                        RECENT.filled(),
                    )
                }),
        )?;
        Ok(())
    })
}

/// One referring contact in the droppers chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DropBar {
    pub label: String,
    /// Referrals in the recent window.
    pub recent: f64,
    /// The contact's baseline, scaled to one recent window.
    pub baseline: f64,
}

/// Referring contacts whose referrals fell (P8, P9): for each, a grey bar for the baseline
/// and a blue one for the recent window, side by side, the first row on top.
pub fn referral_drops(
    title: &str,
    recent_days: i64,
    rows: &[DropBar],
) -> Result<String, ChartError> {
    let desc = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} in the last {recent_days} days against a baseline of {:.1}",
                r.label, r.recent, r.baseline
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let n = rows.len().max(1);
    let top = rows
        .iter()
        .map(|r| r.recent.max(r.baseline))
        .fold(1.0, f64::max);
    let height = 80 + 40 * n as u32;
    draw(title, &desc, (WIDTH, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(26)
            .y_label_area_size(150)
            // Rows sit on whole numbers, so the axis's whole-number ticks fall on their middles.
            .build_cartesian_2d(0f64..top * 1.1, -0.5f64..n as f64 - 0.5)?;
        let label = |y: &f64| {
            if y.fract() != 0.0 || *y < 0.0 {
                return String::new();
            }
            let row = n - 1 - (*y as usize).min(n - 1);
            rows.get(row)
                .map(|r| short(&r.label, 18))
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .label_style(("sans-serif", LABEL_PX))
            .light_line_style(TRANSPARENT)
            .y_labels(n)
            .x_labels(5)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| whole(*x))
            .draw()?;
        let y_of = |i: usize| (n - 1 - i) as f64;
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| r.baseline > 0.0)
                    .map(|(i, r)| {
                        let y = y_of(i);
                        Rectangle::new([(0.0, y + 0.02), (r.baseline, y + 0.38)], BASELINE.filled())
                    }),
            )?
            .label(format!("Baseline per {recent_days} days"))
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BASELINE.filled()));
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| r.recent > 0.0)
                    .map(|(i, r)| {
                        let y = y_of(i);
                        Rectangle::new([(0.0, y - 0.38), (r.recent, y - 0.02)], RECENT.filled())
                    }),
            )?
            .label(format!("Last {recent_days} days"))
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], RECENT.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", LABEL_PX))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        Ok(())
    })
}

/// Counts per label as stacked bars, one colour per series (`PALETTE`, in the order of
/// `series`): loss reasons per quarter (P18), contacts reached or given up per attempt,
/// customers covered or silent per segment. Each series holds one count per label.
pub fn stacked_bars(
    title: &str,
    quarters: &[String],
    series: &[(String, Vec<u32>)],
) -> Result<String, ChartError> {
    let totals: Vec<u32> = (0..quarters.len())
        .map(|q| {
            series
                .iter()
                .map(|s| s.1.get(q).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let desc = quarters
        .iter()
        .zip(&totals)
        .map(|(q, t)| {
            let parts: Vec<String> = series
                .iter()
                .filter_map(|(name, counts)| {
                    counts
                        .get(quarters.iter().position(|x| x == q)?)
                        .filter(|c| **c > 0)
                        .map(|c| format!("{c} {name}"))
                })
                .collect();
            if parts.is_empty() {
                format!("{q}: none")
            } else {
                format!("{q}: {t} ({})", parts.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let n = quarters.len().max(1);
    let top = f64::from(totals.iter().copied().max().unwrap_or(0).max(1));
    draw(title, &desc, (WIDTH, 260), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top * 1.1)?;
        let label = |x: &f64| {
            if x.fract() != 0.0 || *x < 0.0 {
                return String::new();
            }
            quarters.get(*x as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .label_style(("sans-serif", LABEL_PX))
            .light_line_style(TRANSPARENT)
            .x_labels(n)
            .y_labels(5)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| whole(*y))
            .draw()?;
        let mut base = vec![0u32; quarters.len()];
        for (k, (_, counts)) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let mut bars = Vec::new();
            for (q, from) in base.iter_mut().enumerate() {
                let c = counts.get(q).copied().unwrap_or(0);
                if c > 0 {
                    let x = q as f64;
                    bars.push(Rectangle::new(
                        [
                            (x - 0.35, f64::from(*from)),
                            (x + 0.35, f64::from(*from + c)),
                        ],
                        colour.filled(),
                    ));
                }
                *from += c;
            }
            chart.draw_series(bars)?;
        }
        Ok(())
    })
}

/// Draws into a string and makes the result accessible.
/// The day's route as a map without tiles: the base (a square), the stops numbered in
/// driving order, and the legs between them, drawn from the coordinates alone. East is
/// right and north up; longitudes are shrunk by the cosine of the latitude so distances
/// look as driven (an equirectangular view, true enough across one territory).
pub fn route_map(
    title: &str,
    base: (f64, f64),
    stops: &[(f64, f64)],
) -> Result<String, ChartError> {
    let desc = format!(
        "{} stops in driving order, leaving from the base and back",
        stops.len()
    );
    let mid_lat = stops.iter().map(|s| s.0).chain([base.0]).sum::<f64>() / (stops.len() + 1) as f64;
    let shrink = mid_lat.to_radians().cos().max(0.1);
    let project = |(lat, lon): (f64, f64)| (lon * shrink, lat);
    let points: Vec<(f64, f64)> = stops.iter().copied().map(project).collect();
    let home = project(base);
    let all = || points.iter().chain(std::iter::once(&home));
    let (mut x0, mut x1, mut y0, mut y1) = all().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), p| (a.min(p.0), b.max(p.0), c.min(p.1), d.max(p.1)),
    );
    // Equal scales on both axes, with a margin, so the map is not stretched.
    let (w, h) = (WIDTH, 300u32);
    let span = ((x1 - x0) / f64::from(w))
        .max((y1 - y0) / f64::from(h))
        .max(1e-4)
        * 1.15;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    (x0, x1) = (
        cx - span * f64::from(w) / 2.0,
        cx + span * f64::from(w) / 2.0,
    );
    (y0, y1) = (
        cy - span * f64::from(h) / 2.0,
        cy + span * f64::from(h) / 2.0,
    );
    draw(title, &desc, (w, h), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(4)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let path: Vec<(f64, f64)> = std::iter::once(home)
            .chain(points.iter().copied())
            .chain(std::iter::once(home))
            .collect();
        chart.draw_series(LineSeries::new(path, BASELINE.stroke_width(3)))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [
                (home.0 - span * 7.0, home.1 - span * 7.0),
                (home.0 + span * 7.0, home.1 + span * 7.0),
            ],
            BLACK.filled(),
        )))?;
        chart.draw_series(points.iter().enumerate().map(|(i, p)| {
            EmptyElement::at(*p)
                + Circle::new((0, 0), 11, RECENT.filled())
                + Text::new(
                    (i + 1).to_string(),
                    (if i + 1 < 10 { -5 } else { -10 }, -8),
                    ("sans-serif", LABEL_PX).into_font().color(&WHITE),
                )
        }))?;
        Ok(())
    })
}

fn draw(
    title: &str,
    desc: &str,
    size: (u32, u32),
    body: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        body(&root)?;
        root.present()?;
    }
    Ok(accessible(svg, title, desc))
}

/// Adds `role`, `aria-label`, `<title>` and `<desc>` to plotters' `<svg>` element.
fn accessible(svg: String, title: &str, desc: &str) -> String {
    let title = xml_escape(title);
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let (open, rest) = svg.split_at(open_end);
    let open = open.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{title}\" "),
        1,
    );
    format!(
        "{open}><title>{title}</title><desc>{}</desc>{}",
        xml_escape(desc),
        &rest[1..]
    )
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Axis labels for counts: whole numbers only, so a fractional tick does not suggest
/// half a referral.
fn whole(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The SVG is one element whose tags nest and close properly.
    fn assert_well_formed(svg: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find('<') {
            let end = rest[i..].find('>').expect("a tag is closed") + i;
            let tag = &rest[i + 1..end];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name.trim()), "in {svg}");
            } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
                let name = tag.split_whitespace().next().unwrap_or("");
                stack.push(name.to_string());
            }
            rest = &rest[end + 1..];
            if stack.is_empty() {
                assert!(rest.trim().is_empty(), "text after the root element");
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert!(svg.trim_start().starts_with("<svg"));
    }

    fn fills(svg: &str, c: RGBColor) -> usize {
        svg.matches(&format!("fill=\"{}\"", css(c))).count()
    }

    #[test]
    fn p9_weekly_referrals_chart_has_one_bar_per_week_with_referrals() {
        let start = date(2026, 5, 26);
        let weeks: Vec<(Date, u32)> = (0..26)
            .map(|i| {
                let d = start.checked_add(jiff::Span::new().days(7 * i)).unwrap();
                (d, if i % 5 == 0 { 0 } else { (i % 4 + 1) as u32 })
            })
            .collect();
        let with_referrals = weeks.iter().filter(|w| w.1 > 0).count();
        let svg = weekly_referrals("Referrals per week & more", &weeks).unwrap();
        assert_well_formed(&svg);
        assert_eq!(fills(&svg, RECENT), with_referrals);
        assert!(svg.contains("<title>Referrals per week &amp; more</title>"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("26 May"), "the first week is labelled");
    }

    #[test]
    fn p8_p9_dropping_referrers_chart_pairs_baseline_and_recent_bars() {
        let rows = vec![
            DropBar {
                label: "Dr Ada Okafor".into(),
                recent: 0.0,
                baseline: 6.5,
            },
            DropBar {
                label: "Dr Ben <Smith>".into(),
                recent: 2.0,
                baseline: 8.0,
            },
            DropBar {
                label: "A very long name that will not fit on the axis".into(),
                recent: 1.0,
                baseline: 4.0,
            },
        ];
        let svg = referral_drops("Dropping referrers", 30, &rows).unwrap();
        assert_well_formed(&svg);
        // One bar per non-zero figure, plus one legend swatch per series.
        assert_eq!(fills(&svg, BASELINE), 3 + 1);
        assert_eq!(fills(&svg, RECENT), 2 + 1);
        assert!(svg.contains("Dr Ben &lt;Smith&gt;"));
        assert!(svg.contains("Last 30 days"));
        assert!(svg.contains("A very long name …"));
    }

    #[test]
    fn p18_loss_reasons_chart_stacks_reasons_per_quarter() {
        let quarters: Vec<String> = ["2026 Q1", "2026 Q2", "2026 Q3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let series = vec![
            ("pricing".to_string(), vec![2, 0, 1]),
            ("competitor-won-contract".to_string(), vec![1, 3, 0]),
        ];
        let svg = stacked_bars("Loss reasons per quarter", &quarters, &series).unwrap();
        assert_well_formed(&svg);
        assert_eq!(fills(&svg, PALETTE[0]), 2);
        assert_eq!(fills(&svg, PALETTE[1]), 2);
        for q in &quarters {
            assert!(svg.contains(q.as_str()), "{q} labelled");
        }
        assert!(svg.contains("2026 Q2: 3 (3 competitor-won-contract)"));
    }

    #[test]
    fn charts_without_data_are_still_valid_svg() {
        assert_well_formed(&weekly_referrals("none", &[]).unwrap());
        assert_well_formed(&referral_drops("none", 30, &[]).unwrap());
        assert_well_formed(&stacked_bars("none", &[], &[]).unwrap());
    }
}

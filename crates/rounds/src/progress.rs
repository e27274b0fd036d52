//! The progress bar of long imports and exports: drawn on stderr only once the work has
//! run for a second (a quick one shows none), never with `--quiet` or when stderr is not
//! a terminal (a script, a log file). Shared by reference, so a callback can feed it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(crate) struct Progress {
    pub bar: ProgressBar,
    started: Instant,
    /// Units since the bar last heard, so the clock is read once per batch, not per row.
    pending: AtomicU64,
    /// Whether the bar may ever be drawn.
    may_show: bool,
}

/// Units counted between two looks at the clock.
const UNITS_PER_TICK: u64 = 4_096;

impl Progress {
    /// `unit` follows the count: "rows", "bytes".
    pub fn new(total: u64, template: &str, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress {
            bar,
            started: Instant::now(),
            pending: AtomicU64::new(0),
            may_show: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Hands the units counted so far to the bar.
    pub fn flush(&self) {
        self.bar.inc(self.pending.swap(0, Ordering::Relaxed));
    }

    /// Counts `n` units; every few thousand, moves the bar and shows it if the work has
    /// taken over a second.
    pub fn add(&self, n: u64) {
        let pending = self.pending.fetch_add(n, Ordering::Relaxed) + n;
        if pending < UNITS_PER_TICK {
            return;
        }
        self.flush();
        self.show_if_slow();
    }

    /// Sets the bar's position (for a count kept elsewhere, such as bytes read).
    pub fn set(&self, position: u64) {
        self.bar.set_position(position);
        self.show_if_slow();
    }

    fn show_if_slow(&self) {
        if self.may_show && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

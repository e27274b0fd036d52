//! Slow clients against a running `rounds serve`: `--idle-sockets` connections from
//! one address (`--attacker-address`), half of them sending nothing, half a request
//! head they never finish, each re-opened `--reopen-ms` after the server closes it;
//! meanwhile a second client (from the default loopback address) sends `--requests`
//! `GET /healthz`, each on a new connection, one after another and at most one per
//! `--interval-ms` (so the run spans the server's timeout cycles), and its latencies are
//! reported (p50, p90, p99, max) with the requests that failed or took over 30 s.
//! `bench/slowloris/run` starts the server and raises the open-file limit.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;

/// What the attacking sockets saw.
#[derive(Debug, Default)]
struct Attack {
    open: AtomicUsize,
    most_open: AtomicUsize,
    closed_by_server: AtomicUsize,
    connect_errors: AtomicUsize,
}

pub(crate) struct Options {
    pub target: SocketAddr,
    pub idle_sockets: usize,
    pub requests: usize,
    pub attacker: std::net::IpAddr,
    pub reopen: Duration,
    pub interval: Duration,
}

pub(crate) async fn run(o: Options) -> Result<()> {
    let attack = Arc::new(Attack::default());
    for i in 0..o.idle_sockets {
        let attack = attack.clone();
        let (target, from, reopen) = (o.target, o.attacker, o.reopen);
        tokio::spawn(async move { hold(i, target, from, reopen, &attack).await });
    }
    // Let the sockets open before measuring.
    let settle = Instant::now();
    while attack.open.load(Ordering::Relaxed) + attack.connect_errors.load(Ordering::Relaxed)
        < o.idle_sockets
        && settle.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let open_at_start = attack.open.load(Ordering::Relaxed);
    let (target, requests, interval) = (o.target, o.requests, o.interval);
    let started = Instant::now();
    let measured = tokio::task::spawn_blocking(move || measure(target, requests, interval))
        .await
        .context("the measuring client panicked")?;
    let wall = started.elapsed();
    // A failed request counts as slower than any answered one.
    let mut all: Vec<Duration> = measured.ok.clone();
    all.extend(std::iter::repeat_n(Duration::MAX, measured.failed));
    all.sort();
    let pct = |p: f64| -> String {
        if all.is_empty() {
            return "n/a".into();
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        match all[i] {
            Duration::MAX => "failed".into(),
            d => format!("{:.2} ms", d.as_secs_f64() * 1000.0),
        }
    };
    println!(
        "slow clients: {} sockets from {} (connected at once: {open_at_start} when \
         measuring started, {} at most; closed by the server: {}; connect errors: {})",
        o.idle_sockets,
        o.attacker,
        attack.most_open.load(Ordering::Relaxed),
        attack.closed_by_server.load(Ordering::Relaxed),
        attack.connect_errors.load(Ordering::Relaxed),
    );
    println!(
        "second client: {} × GET /healthz, one connection each, one every {} ms at most, \
         in {:.1} s: {} answered 200, {} failed or over 30 s",
        requests,
        o.interval.as_millis(),
        wall.as_secs_f64(),
        measured.ok.len(),
        measured.failed
    );
    println!(
        "latency (failures count as slowest): p50 {}  p90 {}  p99 {}  max {}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}

/// One attacking socket, re-opened after the server closes it.
async fn hold(i: usize, target: SocketAddr, from: std::net::IpAddr, reopen: Duration, a: &Attack) {
    loop {
        let socket = match from {
            std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        };
        let stream = match socket.and_then(|s| s.bind(SocketAddr::new(from, 0)).map(|()| s)) {
            Ok(s) => s.connect(target).await,
            Err(e) => Err(e),
        };
        let mut stream = match stream {
            Ok(s) => s,
            Err(_) => {
                a.connect_errors.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(reopen).await;
                continue;
            }
        };
        let now_open = a.open.fetch_add(1, Ordering::Relaxed) + 1;
        a.most_open.fetch_max(now_open, Ordering::Relaxed);
        if i % 2 == 1 {
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .await;
        }
        let mut buf = [0u8; 512];
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        a.open.fetch_sub(1, Ordering::Relaxed);
        a.closed_by_server.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(reopen).await;
    }
}

struct Measured {
    ok: Vec<Duration>,
    failed: usize,
}

/// Requests one after another, the i-th not before `i × interval` (so that the run
/// spans several of the server's timeout cycles); a late one goes at once.
fn measure(target: SocketAddr, requests: usize, interval: Duration) -> Measured {
    let mut ok = Vec::with_capacity(requests);
    let mut failed = 0;
    let begin = Instant::now();
    for i in 0..requests {
        let due = begin + interval * u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let start = Instant::now();
        match health(target) {
            Ok(true) => ok.push(start.elapsed()),
            _ => failed += 1,
        }
    }
    Measured { ok, failed }
}

fn health(target: SocketAddr) -> std::io::Result<bool> {
    let limit = Duration::from_secs(30);
    let mut s = std::net::TcpStream::connect_timeout(&target, limit)?;
    s.set_read_timeout(Some(limit))?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)?;
    Ok(answer.starts_with(b"HTTP/1.1 200"))
}

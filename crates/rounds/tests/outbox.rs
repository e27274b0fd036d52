//! Sending e-mail end to end: the `rounds` executable (`mail …`, `worker --once`, a
//! worker killed with SIGKILL) against a real SMTP server process (Python's aiosmtpd,
//! `fixtures/smtp_sink.py`, from `.ci/venv`), and the review rules (P42) through the use
//! cases on both backends. Clocks are pinned with `--now`; nothing asserts a duration.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::Rounds;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The SMTP server: one aiosmtpd process writing each mail it receives to a file.
struct Sink {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Sink {
    /// `None` (with a notice) when `.ci/venv` lacks Python outside CI; under CI a
    /// missing venv fails the test.
    fn start() -> Option<Sink> {
        let python = repo().join(".ci/venv/bin/python");
        if !python.exists() {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{} is missing and CI is set; `bash .ci/tools.sh` installs aiosmtpd there",
                    python.display()
                );
            }
            eprintln!(
                "notice: .ci/venv/bin/python (aiosmtpd) is missing; skipping (run `bash .ci/tools.sh`)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python)
            .arg(repo().join("crates/rounds/tests/fixtures/smtp_sink.py"))
            .arg(dir.path().join("mail"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the sink printed `{line}`, not its port"));
        Some(Sink { child, dir, port })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far, in order of arrival.
    fn mails(&self) -> Vec<String> {
        let dir = self.dir.path().join("mail");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        names.sort();
        names
            .iter()
            .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
            .collect()
    }

    /// The envelope recipients of every mail received.
    fn recipients(&self) -> Vec<String> {
        let dir = self.dir.path().join("mail");
        let mut out = Vec::new();
        for e in std::fs::read_dir(&dir).into_iter().flatten() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "rcpt") {
                out.extend(
                    std::fs::read_to_string(p)
                        .unwrap()
                        .lines()
                        .map(String::from),
                );
            }
        }
        out
    }

    fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("mail"))
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
                })
                .count()
            })
            .unwrap_or(0)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One header of a raw mail (unfolded), if present.
fn header(mail: &str, name: &str) -> Option<String> {
    let head = mail.split("\r\n\r\n").next().unwrap_or(mail);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

fn header_names(mail: &str) -> Vec<String> {
    let head = mail.split("\r\n\r\n").next().unwrap_or(mail);
    head.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('\t'))
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_ascii_lowercase()))
        .collect()
}

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Max Manager","email":"max@example.org","role":"manager","team":"north"}
"#;

/// A rep (1) and her manager (2), one account in Chicago open weekdays 8–12 and 13–17,
/// and the contacts given as (name, e-mail, opted out of e-mail).
fn territory(r: &Rounds, contacts: &[(&str, &str, bool)]) {
    let file = r.path("seed.jsonl");
    std::fs::write(&file, SEED).unwrap();
    r.ok(&["import", file.to_str().unwrap()]);
    r.ok(&[
        "account",
        "add",
        "--name",
        "Lakeside Orthopaedics",
        "--rep",
        "1",
        "--tz",
        "America/Chicago",
        "--hours",
        "mon-fri 08:00-12:00,13:00-17:00",
    ]);
    r.ok(&["topic", "add", "--title", "Prior-authorisation turnaround"]);
    for (name, email, opted_out) in contacts {
        let mut args = vec![
            "contact",
            "add",
            "--account",
            "1",
            "--name",
            name,
            "--role",
            "office-manager",
            "--email",
            email,
        ];
        if *opted_out {
            args.extend(["--opt-out", "email"]);
        }
        r.ok(&args);
    }
}

fn worker_env(sink: &Sink) -> Vec<(String, String)> {
    vec![
        ("ROUNDS_SMTP_URL".into(), sink.url()),
        ("ROUNDS_MAIL_FROM_DOMAIN".into(), "rounds.test".into()),
        ("ROUNDS_PUBLIC_URL".into(), "https://rounds.test".into()),
        ("ROUNDS_WORKER_ID".into(), "test-worker".into()),
    ]
}

fn run_env(r: &Rounds, args: &[&str], env: &[(String, String)]) -> std::process::Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    r.run_with(args, &env)
}

fn ok_env(r: &Rounds, args: &[&str], env: &[(String, String)]) -> String {
    let out = run_env(r, args, env);
    assert!(
        out.status.success(),
        "rounds {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Drafts a mail to `contact` at `now` and queues it; its id.
fn queue(r: &Rounds, contact: &str, subject: &str, now: &str) -> i64 {
    let m = r.json(&[
        "mail",
        "draft",
        "--contact",
        contact,
        "--subject",
        subject,
        "--body",
        "Would a shorter prior-authorisation form help your front desk?",
        "--topic",
        "1",
        "--now",
        now,
        "--json",
    ]);
    let id = m["id"].as_i64().unwrap();
    r.ok(&["mail", "send", &id.to_string(), "--now", now]);
    id
}

fn outbox(r: &Rounds) -> Vec<Value> {
    r.json(&["mail", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

fn email_touches(r: &Rounds) -> Vec<Value> {
    r.export()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["record"] == "touch" && v["channel"] == "email")
        .collect()
}

// 2026-11-17 is a Tuesday; Thursday the 19th is the next plain e-mail day (P38).
const TUE_15: &str = "2026-11-17T15:00:00-06:00";
const TUE_16: &str = "2026-11-17T16:00:00-06:00";
const THU_0959: &str = "2026-11-19T09:59:00-06:00";
const THU_10: &str = "2026-11-19T10:00:00-06:00";

#[test]
fn p39_mail_approved_at_16_leaves_at_next_window_start() {
    let Some(sink) = Sink::start() else { return };
    let r = Rounds::new();
    territory(&r, &[("Dana Diaz", "dana@lakeside.example", false)]);
    let env = worker_env(&sink);
    let m = r.json(&[
        "mail",
        "draft",
        "--contact",
        "1",
        "--subject",
        "A shorter prior-auth form",
        "--body",
        "Dana, would a one-page form help?",
        "--topic",
        "1",
        "--now",
        TUE_15,
        "--json",
    ]);
    assert_eq!(m["state"], "draft");
    r.ok(&["mail", "review", "1", "--now", TUE_15]);
    // Approved (and so queued) at 16:00 on Tuesday: past both windows of the day.
    let m = r.json(&[
        "mail", "approve", "1", "--as", "2", "--now", TUE_16, "--json",
    ]);
    assert_eq!(m["state"], "queued");
    assert_eq!(
        m["not_before"], "2026-11-19T16:00:00Z",
        "Thursday 10:00 in Chicago"
    );
    assert_eq!(m["review"]["by"], 2);

    let before = ok_env(&r, &["worker", "--once", "--now", THU_0959], &env);
    assert!(before.contains("Sent 0"), "{before}");
    assert_eq!(sink.count(), 0, "nothing leaves before the window");

    let at = ok_env(&r, &["worker", "--once", "--now", THU_10], &env);
    assert!(at.contains("Sent 1"), "{at}");
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(sink.recipients(), vec!["dana@lakeside.example"]);
    assert!(
        header(mail, "From").unwrap().contains("<rita@example.org>"),
        "{mail}"
    );
    assert!(header(mail, "From").unwrap().contains("Rita Rep"));
    assert_eq!(
        header(mail, "Subject").unwrap(),
        "A shorter prior-auth form"
    );
    let id = header(mail, "Message-ID").unwrap();
    assert!(
        id.starts_with("<outbox-1-1.") && id.ends_with("@rounds.test>"),
        "{id}"
    );
    let unsubscribe = header(mail, "List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<https://rounds.test/unsubscribe/"),
        "{unsubscribe}"
    );
    assert_eq!(
        header(mail, "List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let link = unsubscribe.trim_matches(['<', '>']);
    assert!(mail.contains(link), "the body carries the link too");

    let sent = &outbox(&r)[0];
    assert_eq!(sent["state"], "sent");
    assert_eq!(sent["message_id"].as_str().unwrap(), id);
    let touches = email_touches(&r);
    assert_eq!(touches.len(), 1);
    let t = &touches[0];
    assert_eq!(t["id"], sent["touch"]);
    assert_eq!(t["direction"], "outbound");
    assert_eq!(t["outcome"], "no-response");
    assert_eq!(t["primary_topic"], 1);
    assert_eq!(t["note"], "A shorter prior-auth form");
    assert_eq!(t["at"], "2026-11-19T16:00:00Z");

    // A second pass finds nothing to do.
    let again = ok_env(&r, &["worker", "--once", "--now", THU_10], &env);
    assert!(again.contains("Sent 0"), "{again}");
    assert_eq!(sink.count(), 1);
}

#[test]
fn headers_carry_no_cr_lf_from_user_input() {
    let Some(sink) = Sink::start() else { return };
    let r = Rounds::new();
    territory(&r, &[("Dana Diaz", "dana@lakeside.example", false)]);
    let evil = "Hello\r\nBcc: x@evil.example";
    // At the boundary: subjects, contact names and user names with a line break.
    let e = r.fails(&[
        "mail",
        "draft",
        "--contact",
        "1",
        "--subject",
        evil,
        "--body",
        "Hi",
        "--now",
        TUE_15,
    ]);
    assert!(e.contains("--subject"), "{e}");
    let e = r.fails(&[
        "contact",
        "add",
        "--account",
        "1",
        "--name",
        "Eve\r\nBcc: x@evil.example",
    ]);
    assert!(e.contains("--name"), "{e}");
    assert!(outbox(&r).is_empty(), "nothing was stored");

    // Text that got into the database by another way: the worker builds no header from
    // it (it refuses to send), and nothing reaches the evil address.
    let id = queue(&r, "1", "Plain subject", THU_10);
    let db = r.dir.path().join("t.db");
    sqlite_exec(
        &db,
        &format!(
            "UPDATE outbox SET body = replace(body, 'Plain subject', 'Plain subject\\r\\nBcc: x@evil.example') WHERE id = {id}"
        ),
    );
    sqlite_exec(
        &db,
        "UPDATE users SET body = replace(body, 'Rita Rep', 'Rita\\r\\nBcc: x@evil.example') WHERE id = 1",
    );
    let out = ok_env(
        &r,
        &["worker", "--once", "--now", THU_10],
        &worker_env(&sink),
    );
    assert!(out.contains("refused 1"), "{out}");
    assert_eq!(sink.count(), 0);
    let m = &outbox(&r)[0];
    assert_eq!(m["state"], "failed");
    assert!(m["failure"].as_str().unwrap().contains("not sent"), "{m}");
    assert!(!sink.recipients().iter().any(|r| r.contains("evil")));
}

/// Runs one statement on the SQLite file behind the program's back.
fn sqlite_exec(db: &Path, sql: &str) {
    let url = format!("sqlite://{}", db.display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        // JSON bodies hold escapes as text: `\r\n` inside a JSON string is CR LF.
        let n = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap()
            .rows_affected();
        assert_eq!(n, 1, "{sql}");
        conn.close().await.unwrap();
    });
}

#[test]
fn opted_out_addresses_are_never_sent_to() {
    let Some(sink) = Sink::start() else { return };
    let r = Rounds::new();
    territory(
        &r,
        &[
            ("Olive Out", "olive@lakeside.example", true),
            ("Lena Later", "lena@lakeside.example", false),
            ("Cara Click", "cara@lakeside.example", false),
        ],
    );
    let env = worker_env(&sink);
    // Opted out before: the mail is refused when queued.
    r.ok(&[
        "mail",
        "draft",
        "--contact",
        "1",
        "--subject",
        "Hello",
        "--body",
        "Hi",
        "--now",
        THU_10,
    ]);
    let e = r.fails(&["mail", "send", "1", "--now", THU_10]);
    assert!(e.contains("--contact") && e.contains("opted out"), "{e}");

    // Opted out after it was queued: the worker reads the opt-out again and refuses.
    let later = queue(&r, "2", "Hello Lena", TUE_16);
    r.ok(&["contact", "edit", "2", "--opt-out", "email"]);
    let out = ok_env(&r, &["worker", "--once", "--now", THU_10], &env);
    assert!(out.contains("Sent 0") && out.contains("refused 1"), "{out}");
    let m = outbox(&r).into_iter().find(|m| m["id"] == later).unwrap();
    assert_eq!(m["state"], "failed");

    // Through the link of a mail: the unsubscribe POST records the opt-out.
    queue(&r, "3", "Hello Cara", THU_10);
    let out = ok_env(&r, &["worker", "--once", "--now", THU_10], &env);
    assert!(out.contains("Sent 1"), "{out}");
    let mail = sink.mails().pop().unwrap();
    let link = header(&mail, "List-Unsubscribe").unwrap();
    let path = link
        .trim_matches(['<', '>'])
        .strip_prefix("https://rounds.test")
        .unwrap()
        .to_string();
    let server = Server::start(&r);
    let page = server.request("GET", &path);
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("cara@lakeside.example"));
    assert!(
        server
            .request("GET", "/unsubscribe/00")
            .starts_with("HTTP/1.1 404")
    );
    let done = server.request("POST", &path);
    assert!(done.starts_with("HTTP/1.1 200"), "{done}");
    drop(server);
    let cara = r.json(&["contact", "show", "3", "--json"]);
    let opt_outs = cara["contact"]["opt_outs"]
        .as_array()
        .or(cara["opt_outs"].as_array())
        .cloned()
        .unwrap_or_default();
    assert!(opt_outs.iter().any(|c| c == "email"), "{cara}");
    r.ok(&[
        "mail",
        "draft",
        "--contact",
        "3",
        "--subject",
        "Again",
        "--body",
        "Hi",
        "--now",
        THU_10,
    ]);
    let e = r.fails(&["mail", "send", "4", "--now", THU_10]);
    assert!(e.contains("opted out"), "{e}");

    assert_eq!(sink.recipients(), vec!["cara@lakeside.example"]);
}

/// `rounds serve` on a free loopback port, spoken to with plain HTTP/1.1.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(r: &Rounds) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rounds"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("ROUNDS_DATABASE_URL", &r.url)
            .env_remove("ROUNDS_SMTP_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in `{line}`"))
            .to_string();
        Server { child, address }
    }

    fn request(&self, method: &str, path: &str) -> String {
        let mut s = std::net::TcpStream::connect(&self.address).unwrap();
        let body = if method == "POST" {
            "List-Unsubscribe=One-Click"
        } else {
            ""
        };
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// splitmix64: a seeded generator, so the kill points are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn worker_killed_during_sending_sends_and_logs_each_mail_once() {
    const N: usize = 30;
    const TRIALS: usize = 20;
    if Sink::start().is_none() {
        return;
    }
    // One organisation with N queued mails, copied for every trial.
    let template = Rounds::new();
    let contacts: Vec<(String, String)> = (1..=N)
        .map(|i| (format!("Contact {i:02}"), format!("c{i}@lakeside.example")))
        .collect();
    let list: Vec<(&str, &str, bool)> = contacts
        .iter()
        .map(|(n, e)| (n.as_str(), e.as_str(), false))
        .collect();
    territory(&template, &list);
    for i in 1..=N {
        queue(&template, &i.to_string(), &format!("Note {i}"), THU_10);
    }
    let seeded = template.dir.path().join("t.db");

    let mut rng = Rng(0x5EED_0F0B);
    let mut duplicates = Vec::new();
    for trial in 0..TRIALS {
        let sink = Sink::start().unwrap();
        let r = Rounds::new();
        std::fs::copy(&seeded, r.dir.path().join("t.db")).unwrap();
        let env = worker_env(&sink);
        // Kill after a random number of deliveries (0 = before the first), so the kill
        // lands while mail is going out.
        let kill_after = rng.below(N as u64) as usize;
        let mut child = Command::new(env!("CARGO_BIN_EXE_rounds"))
            .args(["worker", "--once", "--now", THU_10])
            .env("ROUNDS_DATABASE_URL", &r.url)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let give_up = Instant::now() + Duration::from_secs(60);
        while sink.count() < kill_after && Instant::now() < give_up {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        // SIGKILL: no chance to clean up or release the lease.
        let _ = child.kill();
        let _ = child.wait();
        // The restarted worker (same name, so it takes its lease back) drains the rest.
        ok_env(&r, &["worker", "--once", "--now", THU_10], &env);

        let mails = sink.mails();
        let ids: Vec<String> = mails
            .iter()
            .map(|m| header(m, "Message-ID").expect("a Message-ID"))
            .collect();
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), N, "trial {trial}: every mail arrived");
        let rows = outbox(&r);
        assert!(rows.iter().all(|m| m["state"] == "sent"), "trial {trial}");
        for m in &rows {
            let id = m["message_id"].as_str().unwrap().to_string();
            assert!(distinct.contains(&id), "trial {trial}: {id} arrived");
        }
        let touches = email_touches(&r);
        assert_eq!(touches.len(), N, "trial {trial}: one touch per mail");
        let mut per_contact: BTreeMap<i64, usize> = BTreeMap::new();
        for t in &touches {
            *per_contact
                .entry(t["contact"].as_i64().unwrap())
                .or_default() += 1;
        }
        assert!(per_contact.values().all(|n| *n == 1), "trial {trial}");
        for name in header_names(&mails[0]) {
            assert_ne!(name, "bcc");
        }
        duplicates.push(mails.len() - N);
    }
    println!(
        "kill -9 during sending, {TRIALS} trials of {N} mails: duplicate deliveries per trial {duplicates:?} (total {})",
        duplicates.iter().sum::<usize>()
    );
}

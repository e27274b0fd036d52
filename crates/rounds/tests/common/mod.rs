//! The `rounds` executable driven from tests: a temporary directory, the database URL it
//! runs against, and the ways to run it and read what it printed.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

pub struct Rounds {
    /// Keeps the temporary directory (and a SQLite file in it) alive.
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl Rounds {
    pub fn new() -> Rounds {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        Rounds { dir, url }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rounds"))
            .args(args)
            .env("ROUNDS_DATABASE_URL", &self.url)
            .env_remove("ROUNDS_PLAYBOOK")
            .env_remove("ROUNDS_REP")
            .env_remove("ROUNDS_PASSWORD")
            .env_remove("ROUNDS_BASE_URL")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "rounds {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "rounds {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("valid JSON")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn export(&self) -> String {
        self.ok(&["export"])
    }

    /// An organisation with one rep, one customer account, topics, and the given contacts.
    pub fn small_territory(&self, status: &str, contacts: &[(&str, &str, &[&str])]) {
        let header = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}"#;
        let file = self.path("seed.jsonl");
        std::fs::write(&file, format!("{header}\n")).unwrap();
        self.ok(&["import", file.to_str().unwrap()]);
        self.ok(&[
            "account",
            "add",
            "--name",
            "Lakeside Orthopaedics",
            "--rep",
            "1",
            "--tz",
            "America/Chicago",
            "--specialty",
            "orthopaedics",
            "--hours",
            "mon-fri 08:00-12:00,13:00-17:00",
            "--visit-window",
            "09:00-11:00",
        ]);
        if status != "prospect" {
            self.ok(&["account", "edit", "1", "--status", status]);
        }
        self.ok(&[
            "topic",
            "add",
            "--title",
            "Prior-authorisation turnaround",
            "--pain-point",
            "prior-auths",
        ]);
        for (name, role, extra) in contacts {
            let mut args = vec![
                "contact",
                "add",
                "--account",
                "1",
                "--name",
                name,
                "--role",
                role,
            ];
            args.extend_from_slice(extra);
            self.ok(&args);
        }
    }
}

impl Rounds {
    /// The executable against another database (a PostgreSQL test database), with a
    /// temporary directory for its files.
    pub fn on(url: &str) -> Rounds {
        Rounds {
            dir: tempfile::tempdir().unwrap(),
            url: url.to_string(),
        }
    }
}

//! The command line as typed: raw flags only. `main` resolves them into settings and
//! validated values before any command runs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use rounds_core::ledger::Nature;
use rounds_core::model::{
    AccessPolicy, AccountKind, AccountStatus, Channel, ContactRole, Direction, Influence,
    LossReason, NoReferralReason, Outcome, Segment, TouchKind,
};

#[derive(Debug, Parser)]
#[command(
    name = "rounds",
    version,
    about = "Follow-up planner and light CRM for people who sell into healthcare in the field",
    long_about = "Rounds tells a rep each morning whom to contact, how, when, about what and why, \
                  following the follow-up playbook; it makes logging a touch one line.",
    after_help = "Examples:\n  rounds demo                      # a demo territory and today's plan\n  rounds today --rep 1             # today's plan for rep 1\n  rounds log --contact 1 --channel call --outcome conversation --topics 3 --next \"send samples\" --next-date 2026-12-01\n\nSettings: flags override ROUNDS_* environment variables, which override the defaults."
)]
pub struct Cli {
    /// Database URL: sqlite://PATH or postgres://… [default: a SQLite file in your data directory]
    #[arg(
        long,
        global = true,
        env = "ROUNDS_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// A playbook TOML file with your organisation's rules [default: the built-in playbook]
    #[arg(long, global = true, env = "ROUNDS_PLAYBOOK", value_name = "FILE")]
    pub playbook: Option<PathBuf>,

    /// The organisation to work in
    #[arg(
        long,
        global = true,
        env = "ROUNDS_ORG",
        default_value_t = 1,
        value_name = "ID"
    )]
    pub org: i64,

    /// Act as if it were this instant (RFC 3339, e.g. 2026-11-24T16:00:00Z): replays and tests
    #[arg(long, global = true, env = "ROUNDS_NOW", value_name = "INSTANT", value_parser = parse_instant)]
    pub now: Option<jiff::Timestamp>,

    #[command(subcommand)]
    pub command: Command,
}

/// An instant for `--now`.
pub fn parse_instant(s: &str) -> Result<jiff::Timestamp, String> {
    s.trim().parse::<jiff::Timestamp>().map_err(|_| {
        format!("`{s}` is not an instant; write it like 2026-11-24T16:00:00Z or 2026-11-24T10:00:00-06:00")
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a realistic demo territory and print today's plan
    #[command(
        after_help = "Examples:\n  rounds demo\n  rounds demo --seed 7 --reps 6 --accounts 600\n  rounds demo --date 2026-11-24"
    )]
    Demo(DemoArgs),
    /// Today's plan: whom to contact, how, when, about what, and why
    #[command(
        after_help = "Examples:\n  rounds today\n  rounds today --rep dana.whitfield@demo.rounds --date 2026-11-24\n  rounds today --date 2026-11-26 --next-working-day   # Thanksgiving: Friday's plan\n  rounds today --json | jq '.items[0]'"
    )]
    Today(TodayArgs),
    /// Record a touch in one line; prints what the plan now proposes for that contact
    #[command(
        after_help = "Examples:\n  rounds log --contact 1 --channel visit --outcome positive --topics 3,7 --next \"bring adherence samples\" --next-date 2026-12-01\n  rounds log --contact \"Dr. Reyes\" --channel call --outcome no-response\n  rounds log --contact 1 --channel call --outcome conversation --callback \"2026-11-25 14:30\" --next \"call back\" --next-date 2026-11-25\n  rounds log --contact 82 --channel email --outcome no-response --kind confirmation --done\n  rounds log --contact 1 --channel call --outcome conversation --kind records-check --no-referral-reason vague --reason-text \"been busy, we'll see\"\n  rounds log --contact 7 --channel email --outcome positive --kind meeting-request --next \"first meeting: prior-auth turnaround\" --next-date 2026-12-03\n  rounds log --contact 12 --channel visit --outcome referral --count 2   # adds 2 to today's referral count"
    )]
    Log(LogArgs),
    /// Next steps agreed with contacts (P33): list, complete, reschedule, skip, edit
    #[command(subcommand)]
    Step(StepCommand),
    /// Accounts: practices, clinics, law firms
    #[command(subcommand)]
    Account(AccountCommand),
    /// Contacts at accounts
    #[command(subcommand)]
    Contact(ContactCommand),
    /// The topic library
    #[command(subcommand)]
    Topic(TopicCommand),
    /// Referral counts (counts per provider and day, never patient data)
    #[command(subcommand)]
    Referral(ReferralCommand),
    /// Record a lost account with its reason (P15)
    #[command(
        after_help = "Examples:\n  rounds lost --account 12 --reason competitor-won-contract --competitor \"Acme Rx\" --stakeholder \"Dr. Reyes\"\n  rounds lost --account 12 --reason pricing --replace   # a second loss; the first is kept as history"
    )]
    Lost(LostArgs),
    /// Mark a pursuit as no fit: every cadence on it stops (P31)
    #[command(
        after_help = "Example:\n  rounds nofit --account 40 --reason \"closed-formulary hospital group\""
    )]
    Nofit(NoFitArgs),
    /// The transfer-of-value ledger: meals and items given to providers, the Open Payments export (P14)
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Managers' reports: persistence against the seed's figures, promises, coverage, referral trends, losses
    #[command(subcommand)]
    Report(ReportCommand),
    /// Show or check the playbook file
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// Solve published route instances (Solomon, LKH-3 TSPTW) with the day-route solver
    #[command(subcommand)]
    Route(RouteCommand),
    /// Write the whole organisation to a JSON Lines file (lossless), or a book of business as CSV files
    #[command(
        after_help = "Examples:\n  rounds export --output territory.jsonl\n  rounds export > territory.jsonl\n  rounds export --format csv --dir book/            # six CSV files, one line each on stderr\n  rounds export --format csv --dir book/ --force --quiet\n\nIn the CSV files a cell that begins with = + - @, a tab or a carriage return (or a quote) is written \
                      with a single quote before it, so a spreadsheet shows it as text rather than running it."
    )]
    Export(ExportArgs),
    /// Read a Rounds export, or a book of business from Salesforce, Veeva or a spreadsheet; all or nothing, and safe to repeat
    #[command(
        after_help = "Examples:\n  rounds import territory.jsonl\n  rounds import sf-export/ --dry-run                  # User.csv, Account.csv, Contact.csv, Task.csv, Event.csv\n  rounds import sf-export/                            # then for real\n  rounds import Account.csv Contact.csv Task.csv --owner-map owners.csv\n  rounds import veeva/ --rep nina@clinic.example --tz America/Chicago\n  rounds import --mapping-template practices.xlsx > practices.toml\n  rounds import --mapping practices.toml practices.xlsx --dry-run\n  rounds import phone-contacts.vcf --account 12        # vCards from a phone\n\n\
Files are recognised by their header row. Records keep the other system's ids, so importing the same \
files again changes nothing and an updated file updates only what changed. Every problem is listed as \
file:row: column: why, and then nothing is written."
    )]
    Import(ImportArgs),
    /// Copy the whole SQLite database to a new file while it stays in use
    #[command(
        after_help = "The copy is consistent and self-contained (one file, no -wal beside it) and \
                      can be opened as it is: rounds --database-url sqlite://rounds-backup.db today\n\
                      A PostgreSQL database is backed up with pg_dump:\n  \
                      pg_dump --format=custom DBNAME > rounds.dump   (restore: pg_restore -d DBNAME rounds.dump)\n\n\
                      Example:\n  rounds backup rounds-$(date +%F).db"
    )]
    Backup(BackupArgs),
    /// Follow the plan for N days on a copy of the organisation and measure the result
    #[command(
        after_help = "Every planned touch is logged with a seeded outcome (in the shares given) on a \
                      temporary copy of the database; your data is never touched. Prints the \
                      violations per rule, coverage, promises kept, silence and the channel mix.\n\n\
                      Examples:\n  rounds simulate                                   # 90 days from today, seed 1\n  rounds simulate --days 30 --seed 2 --rep 3\n  rounds simulate --from 2026-11-24 --no-response 0.7 --next-step 0.1\n  rounds simulate --json | jq '.measurements.rules'\n  rounds simulate --keep sim.db && rounds --database-url sqlite://sim.db contact show 82"
    )]
    Simulate(SimulateArgs),
    /// Serve the web application and the JSON API
    #[command(
        after_help = "Examples:\n  rounds serve                                  # http://127.0.0.1:8080\n  rounds serve --secure-cookies --trusted-proxy 127.0.0.1   # behind a TLS proxy on this host\n  ROUNDS_DATABASE_URL=postgres://rounds@db/rounds rounds serve --log-format json\n\nSign-in needs a user with a password: `rounds user add` or `rounds user passwd`.\nThe API is described at /api/openapi.json."
    )]
    Serve(ServeArgs),
    /// Users, their roles and sign-ins
    #[command(subcommand)]
    User(UserCommand),
    /// A rep's own field week and hours (nothing is planned on their days off)
    #[command(subcommand)]
    Rep(RepCommand),
    /// A rep's time off (vacation, training…): nothing is planned on those days
    #[command(subcommand)]
    Timeoff(TimeoffCommand),
    /// API tokens for scripts
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit log of every change: list it, verify its hash chain
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The plan in your calendar: export it, a live feed, and your busy times
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Read a draft message and say what a customer would mind, rule by rule (P5, P41, P42)
    #[command(
        after_help = "The file is the message as you would send it. A first line `Subject: …` is the subject \
                      (an e-mail or letter); without one, the whole file is the body (a text, a \
                      LinkedIn message or a note). `-` reads the standard input.\n\n\
                      Each finding is printed as FILE:LINE:COLUMN: RULE KIND: why, with the words \
                      underlined. Exits 0 when the draft passes, 1 when the coach has findings.\n\
                      The word limit is `[email] max_words`, the phrase lists `[coach]` in the playbook.\n\n\
                      Examples:\n  rounds coach draft.txt\n  printf 'Subject: Following up\\n\\nAre you ready yet?' | rounds coach -\n  rounds coach draft.txt --json | jq '.findings[].kind'"
    )]
    Coach(CoachArgs),
    /// Message templates (P47): list, show, replace with your own, reset to the built-in one
    #[command(subcommand)]
    Template(TemplateCommand),
    /// E-mail from Rounds: drafts, the manager's review (P42), sending inside the windows (P38, P39)
    #[command(subcommand)]
    Mail(MailCommand),
    /// Send the queued mail: one worker per organisation database, safe to restart
    #[command(
        after_help = "Examples:\n  rounds worker --smtp-url smtp://rounds:secret@mail.example:587?tls=required \\\n      --mail-from-domain clinic-sales.example --public-url https://rounds.clinic-sales.example\n  rounds worker --once        # send what is due now, then exit (cron)\n\n\
A mail leaves only inside its window (P38, P39) in the recipient's time zone, never to an \
opted-out address. Each mail is logged as a touch once; a worker killed while sending sends \
the mail again under the same Message-ID when it restarts."
    )]
    Worker(WorkerArgs),
    /// Log e-mail as touches: BCC'd, forwarded or replied mail from a file, stdin or an IMAP mailbox
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Each message becomes a touch (channel email) on every contact it was with: \
                      mail a user sent (the capture address in BCC) is outbound to the contacts in \
                      To/Cc; a mail a user forwarded is logged on the original's party, in the \
                      original's direction; mail from a contact is a reply, which ends its \
                      prospecting cadence and completes the open next step it answers. Contacts \
                      are matched by address, then by a name only one contact has; anything else \
                      goes to the review list. Only the subject is kept as the note, never the \
                      body. A Message-ID captured before is ignored (exit 0).\n\n\
                      Examples:\n  rounds capture sent.eml\n  rounds capture archive.mbox --json\n  \
                      rounds capture - < message.eml     # e.g. piped by a mail server\n  \
                      rounds capture --imap-url imaps://capture%40example.com:secret@mail.example.com/INBOX\n  \
                      rounds capture --imap-url imap://capture:secret@127.0.0.1:1143/INBOX --once\n  \
                      rounds capture review list\n  rounds capture review assign 3 --contact 12\n  \
                      rounds capture review dismiss 4"
    )]
    Capture(CaptureArgs),
}

#[derive(Debug, Args)]
pub struct CoachArgs {
    /// The draft: a text file, or `-` for the standard input
    pub file: std::path::PathBuf,
    /// Print the verdict as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Every kind of template, marked `own` where the organisation replaced the built-in one
    #[command(after_help = "Example:\n  rounds template list")]
    List,
    /// One template: its subject, body and short form (texts, LinkedIn)
    #[command(
        after_help = "Examples:\n  rounds template show breakup\n  rounds template show breakup --toml > breakup.toml   # edit, then: rounds template set breakup.toml"
    )]
    Show {
        /// follow-up, forgot-to-mention, records-check, confirmation, breakup, meeting-request, top-officer-letter, thank-you, loss-feedback, nurture, referral-ask
        kind: String,
        /// Print it as the TOML file `rounds template set` reads
        #[arg(long)]
        toml: bool,
    },
    /// Replace a template with your own, from a TOML file with kind, subject, body and short
    #[command(
        after_help = "The file is what `rounds template show KIND --toml` prints. Placeholders are Jinja: \
                      {{ contact.first_name }}, {{ account.name }}, {{ topic.title }}, {{ topic.pain_point }}, \
                      {{ next_step.what }}, {{ rep.name }} … (the full list is in `rounds template show \
                      follow-up --toml`). The template is checked against sample values first: an unknown \
                      placeholder or a syntax error is refused with its part and line.\n\n\
                      Example:\n  rounds template show breakup --toml > breakup.toml && $EDITOR breakup.toml && rounds template set breakup.toml"
    )]
    Set {
        /// The TOML file
        file: std::path::PathBuf,
    },
    /// Bring the built-in template of a kind back
    #[command(after_help = "Example:\n  rounds template reset breakup")]
    Reset {
        /// The kind, as in `rounds template list`
        kind: String,
    },
}

/// Where mail goes out, shared by `rounds serve` and `rounds worker`.
#[derive(Debug, Clone, Args)]
pub struct SmtpArgs {
    /// The organisation's SMTP server: smtp://USER:PASS@HOST:PORT (add ?tls=required for STARTTLS) or smtps://USER:PASS@HOST:465
    #[arg(
        long,
        env = "ROUNDS_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The domain of the Message-IDs of mail Rounds sends (your organisation's)
    #[arg(long, env = "ROUNDS_MAIL_FROM_DOMAIN", value_name = "DOMAIN")]
    pub mail_from_domain: Option<String>,
    /// The address people reach this server at, for the unsubscribe link (https://rounds.example)
    #[arg(long, env = "ROUNDS_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Seconds between two looks at the queue
    #[arg(
        long,
        value_name = "SECONDS",
        env = "ROUNDS_WORKER_INTERVAL",
        default_value_t = 30
    )]
    pub worker_interval: u64,
    /// This worker's name in the sending lease; a worker restarted under the same name takes its lease back at once [default: HOST-PID]
    #[arg(long, env = "ROUNDS_WORKER_ID", value_name = "NAME")]
    pub worker_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub smtp: SmtpArgs,
    /// Send what is due now and exit (cron, tests)
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Write a draft, or change one (--id)
    #[command(
        after_help = "Examples:\n  rounds mail draft --contact 82 --subject \"Fewer denied claims at Oak Clinic\" --body-file note.txt --topic 3\n  echo \"Dr. Reyes, …\" | rounds mail draft --contact \"Dr. Reyes\" --subject \"A shorter prior-auth\" --body-file -\n  rounds mail draft --id 4 --contact 82 --subject \"New subject\" --body \"New text\""
    )]
    Draft(MailDraftArgs),
    /// Hand a draft to the manager for review (P42)
    #[command(after_help = "Example:\n  rounds mail review 4")]
    Review(MailIdArgs),
    /// Approve a draft in review, as its manager or an administrator; it is queued unless --hold
    #[command(
        after_help = "Examples:\n  rounds mail approve 4 --as maria.lopez@clinic.example\n  rounds mail approve 4 --as 3 --comment \"Good question at the end\" --hold"
    )]
    Approve(MailApproveArgs),
    /// Return a draft in review with a comment saying what to change
    #[command(
        after_help = "Example:\n  rounds mail return 4 --as 3 --comment \"One topic only, please\""
    )]
    Return(MailReturnArgs),
    /// Send: queue the mail for its next window (P38, P39)
    #[command(after_help = "Example:\n  rounds mail send 4        # prints when it will leave")]
    Send(MailIdArgs),
    /// Withdraw a mail that has not left
    #[command(after_help = "Example:\n  rounds mail cancel 4")]
    Cancel(MailIdArgs),
    /// The outbox, newest last
    #[command(
        after_help = "Examples:\n  rounds mail list\n  rounds mail list --state queued --state in-review\n  rounds mail list --json | jq '.[] | select(.state == \"failed\")'"
    )]
    List(MailListArgs),
}

#[derive(Debug, Args)]
pub struct MailDraftArgs {
    /// The draft to change (still a draft, or returned)
    #[arg(long)]
    pub id: Option<i64>,
    /// The recipient, by id or a unique part of the name
    #[arg(long)]
    pub contact: String,
    /// One line, at most 200 characters
    #[arg(long)]
    pub subject: String,
    /// The text of the mail
    #[arg(
        long,
        conflicts_with = "body_file",
        required_unless_present = "body_file"
    )]
    pub body: Option<String>,
    /// Read the text from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<std::path::PathBuf>,
    /// The topic it is about; the touch logged when it is sent carries it
    #[arg(long)]
    pub topic: Option<i64>,
    /// What kind of touch it is (records-check, confirmation, breakup, …)
    #[arg(long, default_value = "routine")]
    pub kind: String,
    /// Urgent: Monday, Wednesday and Friday allowed too (P38)
    #[arg(long)]
    pub urgent: bool,
    /// Print the message as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MailIdArgs {
    /// The message's id (`rounds mail list`)
    pub id: i64,
    /// Print the message as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MailApproveArgs {
    pub id: i64,
    /// The reviewer, by id or e-mail: a manager of the author's team, or an administrator
    #[arg(long = "as", value_name = "USER")]
    pub reviewer: String,
    /// A word for the author
    #[arg(long, default_value = "")]
    pub comment: String,
    /// Approve only; the author sends it with `rounds mail send`
    #[arg(long)]
    pub hold: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MailReturnArgs {
    pub id: i64,
    /// The reviewer, by id or e-mail: a manager of the author's team, or an administrator
    #[arg(long = "as", value_name = "USER")]
    pub reviewer: String,
    /// What to change
    #[arg(long)]
    pub comment: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MailListArgs {
    /// Only messages in this state (draft, in-review, returned, approved, queued, sending, sent, failed, cancelled); repeatable
    #[arg(long)]
    pub state: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    #[command(subcommand)]
    pub review: Option<CaptureCommand>,
    /// A message (.eml), an mbox file, or - for standard input
    #[arg(value_name = "FILE", conflicts_with = "imap_url")]
    pub file: Option<PathBuf>,
    /// Poll this IMAP mailbox: imaps://USER:PASSWORD@HOST[:PORT]/MAILBOX (plain imap:// only on
    /// loopback); each unseen message is captured, then marked seen
    #[arg(
        long,
        env = "ROUNDS_CAPTURE_IMAP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub imap_url: Option<String>,
    /// With --imap-url: capture what is there once and stop, instead of polling
    #[arg(long, requires = "imap_url")]
    pub once: bool,
    /// With --imap-url: seconds between polls
    #[arg(
        long,
        default_value_t = 60,
        value_name = "SECONDS",
        requires = "imap_url"
    )]
    pub every: u64,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CaptureCommand {
    /// The review list: captured mail no contact (or several) matched
    #[command(subcommand)]
    Review(ReviewCommand),
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The open items (or every item with --all)
    #[command(
        after_help = "Examples:\n  rounds capture review list\n  rounds capture review list --all --json"
    )]
    List(ReviewListArgs),
    /// Put an item on a contact: its touch is logged as the capture would have
    #[command(
        after_help = "Example:\n  rounds capture review assign 3 --contact 12\n  rounds capture review assign 3 --contact \"Jane Roe\""
    )]
    Assign(ReviewAssignArgs),
    /// Drop an item: not a contact's mail, or not worth a touch
    #[command(after_help = "Example:\n  rounds capture review dismiss 4")]
    Dismiss(ReviewDismissArgs),
}

#[derive(Debug, Args)]
pub struct ReviewListArgs {
    /// Every item, assigned and dismissed too
    #[arg(long)]
    pub all: bool,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewAssignArgs {
    /// The review item's id
    pub id: i64,
    /// The contact, by id or by a part of the name only one contact has
    #[arg(long)]
    pub contact: String,
}

#[derive(Debug, Args)]
pub struct ReviewDismissArgs {
    /// The review item's id
    pub id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, env = "ROUNDS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Plan this day instead of today (demos and tests)
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Mark cookies Secure; use when users reach the server over HTTPS
    #[arg(long, env = "ROUNDS_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Request logs as human-readable text or one JSON object per line
    #[arg(long, value_enum, env = "ROUNDS_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// A reverse proxy (address or CIDR block) whose X-Forwarded-For / Forwarded header
    /// names the client; repeat for several, or separate with commas in the environment
    #[arg(long = "trusted-proxy", value_name = "CIDR", env = "ROUNDS_TRUSTED_PROXY",
          value_delimiter = ',', value_parser = parse_cidr)]
    pub trusted_proxies: Vec<rounds_web::IpNet>,
    /// Seconds a client has to send a request's head (new or idle keep-alive connection)
    #[arg(long, value_name = "SECONDS", env = "ROUNDS_HEADER_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body, from its head
    #[arg(long, value_name = "SECONDS", env = "ROUNDS_BODY_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,
    /// Open connections at most (keep it below `ulimit -n` less the database pool)
    #[arg(long, value_name = "N", env = "ROUNDS_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Open connections from one client address at most (trusted proxies are exempt)
    #[arg(long, value_name = "N", env = "ROUNDS_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections_per_address: u64,
    /// Seconds requests in flight get to finish after Ctrl-C or SIGTERM
    #[arg(
        long,
        value_name = "SECONDS",
        env = "ROUNDS_SHUTDOWN_GRACE",
        default_value_t = 10
    )]
    pub shutdown_grace: u64,
    /// Sending mail: with --smtp-url the server runs the outbox worker too
    #[command(flatten)]
    pub smtp: SmtpArgs,
}

/// A proxy's address or block: `10.0.0.0/8`, `2001:db8::/32`, or one address.
pub fn parse_cidr(s: &str) -> Result<rounds_web::IpNet, String> {
    let s = s.trim();
    s.parse::<rounds_web::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(rounds_web::IpNet::from))
        .map_err(|_| format!("`{s}` is not an address or CIDR block (e.g. 10.0.0.0/8)"))
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; with a password they can sign in at once
    #[command(
        after_help = "Examples:\n  read -rs PW && echo \"$PW\" | rounds user add --email ian@clinic.example --name \"Ian Mercer\" --role admin --password-stdin\n  rounds user add --email nina@clinic.example --name \"Nina Park\" --role rep --team Field --territory-from 3\n\nThe first administrator is made this way; later ones too, or through the API."
    )]
    Add(UserAddArgs),
    /// List users with their role, team and whether they can sign in
    #[command(after_help = "Examples:\n  rounds user list\n  rounds user list --json")]
    List(UserListArgs),
    /// Set a user's password (ends their sessions and revokes their API tokens)
    #[command(
        after_help = "Example:\n  echo 'a long passphrase' | rounds user passwd nina@clinic.example --password-stdin"
    )]
    Passwd(UserPasswdArgs),
    /// Stop a user from signing in: ends their sessions and deletes their API tokens
    #[command(
        after_help = "Examples:\n  rounds user disable nina@clinic.example\n  rounds user disable nina@clinic.example --enable"
    )]
    Disable(UserDisableArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// E-mail address; also the sign-in name
    #[arg(long)]
    pub email: String,
    /// Full name
    #[arg(long)]
    pub name: String,
    /// rep (own territory), manager (the team's territories) or admin (everything)
    #[arg(long)]
    pub role: rounds_core::model::Role,
    /// Team; a manager sees the territories of their team's reps
    #[arg(long)]
    pub team: Option<String>,
    /// Hand every account of this user (id or e-mail) to the new user
    #[arg(long, value_name = "USER")]
    pub territory_from: Option<String>,
    /// Read the password from the first line of standard input (at least 10 characters)
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UserPasswdArgs {
    /// The user, by id or e-mail
    pub user: String,
    /// Read the password from the first line of standard input (at least 10 characters)
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserDisableArgs {
    /// The user, by id or e-mail
    pub user: String,
    /// Allow the user to sign in again
    #[arg(long)]
    pub enable: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an API token for a user and print it (shown once; only its hash is stored)
    #[command(
        visible_alias = "create",
        after_help = "A token expires after 90 days unless --expires-in says otherwise (an hour to a year);\n--no-expiry makes one that works until revoked. A new password revokes the user's tokens.\n\nExamples:\n  TOKEN=$(rounds token add --user ian@clinic.example --name nightly-import)\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/plan\n  rounds token add --user ian@clinic.example --name quarter-report --expires-in 30d"
    )]
    Add(TokenAddArgs),
    /// List API tokens: id, user, name, created, expires, last used
    #[command(
        after_help = "Examples:\n  rounds token list\n  rounds token list --user ian@clinic.example\n  rounds token list --json | jq '.[] | select(.expired)'"
    )]
    List(TokenListArgs),
    /// Revoke an API token by its id (from `rounds token list`): it stops working at once
    #[command(after_help = "Example:\n  rounds token revoke 3f9a1c07")]
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenAddArgs {
    /// The user the token acts as, by id or e-mail; they must be able to sign in
    #[arg(long)]
    pub user: String,
    /// What the token is for
    #[arg(long)]
    pub name: String,
    /// How long the token works: 30d, 12h, 2w, P1M… (an hour to a year) [default: 90d]
    #[arg(long, value_name = "DURATION", conflicts_with = "no_expiry")]
    pub expires_in: Option<String>,
    /// The token works until revoked
    #[arg(long)]
    pub no_expiry: bool,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Only this user's tokens, by id or e-mail
    #[arg(long)]
    pub user: Option<String>,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id, as `rounds token list` shows it
    pub id: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain: exit 0 with the row count if whole, 1 with every break
    #[command(
        after_help = "Finds rows altered, removed or renumbered, and records changed without a row.\n\nExamples:\n  rounds audit verify\n  rounds audit verify --json"
    )]
    Verify(AuditVerifyArgs),
    /// The changes, newest first: who, when, which record, digests before and after
    #[command(
        after_help = "Examples:\n  rounds audit list --limit 20\n  rounds audit list --entity account/12\n  rounds audit list --entity touch --since 2026-11-24 --json"
    )]
    List(AuditListArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// Only changes of this kind of record, or of one record: `account`, `account/12`,
    /// `referral/7/2026-11-02`
    #[arg(long)]
    pub entity: Option<String>,
    /// Only changes at or after this day (midnight UTC) or instant (RFC 3339)
    #[arg(long, value_parser = parse_since)]
    pub since: Option<jiff::Timestamp>,
    /// At most this many rows
    #[arg(long)]
    pub limit: Option<u64>,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// A day (midnight UTC) or an RFC 3339 instant.
pub fn parse_since(s: &str) -> Result<jiff::Timestamp, String> {
    let s = s.trim();
    s.parse::<jiff::Timestamp>()
        .ok()
        .or_else(|| {
            s.parse::<Date>()
                .ok()
                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
                .map(|z| z.timestamp())
        })
        .ok_or_else(|| {
            format!("`{s}` is neither a day (2026-11-24) nor an instant (2026-11-24T14:30:00Z)")
        })
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed and date give the same territory
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of reps
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub reps: u16,
    /// Number of accounts across all reps
    #[arg(long, default_value_t = 320, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub accounts: u32,
    /// The day the territory leads up to [default: today]
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Replace an organisation that is not a demo
    #[arg(long)]
    pub replace: bool,
    /// Print the plan as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// How many days to follow the plan
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// The seed of the outcomes; the same seed gives the same report
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Follow this rep's plan (id or email); repeat for several [default: every rep]
    #[arg(long)]
    pub rep: Vec<String>,
    /// The first day (YYYY-MM-DD) [default: today]
    #[arg(long, value_parser = parse_date)]
    pub from: Option<Date>,
    /// Share of touches with no response [default: 0.55]
    #[arg(long, value_name = "SHARE")]
    pub no_response: Option<f64>,
    /// Share of conversations with nothing agreed [default: 0.15]
    #[arg(long, value_name = "SHARE")]
    pub conversation: Option<f64>,
    /// Share of conversations with a next step due in 2–14 days [default: 0.14]
    #[arg(long, value_name = "SHARE")]
    pub next_step: Option<f64>,
    /// Share of positive outcomes [default: 0.07]
    #[arg(long, value_name = "SHARE")]
    pub positive: Option<f64>,
    /// Share of callbacks agreed for a time 1–5 business days later [default: 0.05]
    #[arg(long, value_name = "SHARE")]
    pub callback: Option<f64>,
    /// Share of referrals [default: 0.03]
    #[arg(long, value_name = "SHARE")]
    pub referral: Option<f64>,
    /// Share of touches that lose a customer account [default: 0.01]
    #[arg(long, value_name = "SHARE")]
    pub loss: Option<f64>,
    /// Keep the simulated copy in this new SQLite file, to look at its plans and histories
    #[arg(long, value_name = "FILE")]
    pub keep: Option<std::path::PathBuf>,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TodayArgs {
    /// The rep, by id or email [default: ROUNDS_REP, else the first rep]
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
    /// Plan this day instead of today (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Print the plan as JSON
    #[arg(long)]
    pub json: bool,
    /// List every flag, not only the first ten
    #[arg(long)]
    pub all_flags: bool,
    /// On a day off, plan the rep's next working day instead
    #[arg(long)]
    pub next_working_day: bool,
    /// Under each written item (e-mail, text, LinkedIn, note, letter), its draft and the coach's verdict
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Subcommand)]
pub enum RepCommand {
    /// Set the weekdays a rep works and, optionally, their field hours
    #[command(
        after_help = "Days outside the playbook's `[day] working_days` stay off; the playbook's holidays stay off too.\n\nExamples:\n  rounds rep hours --rep 2 --days mon-thu --hours 08:00-16:00\n  rounds rep hours --rep nina@clinic.example --days mon,wed,fri"
    )]
    Hours(RepHoursArgs),
    /// Show a rep's own week and time off
    #[command(
        after_help = "Examples:\n  rounds rep calendar --rep 2\n  rounds rep calendar --rep 2 --json"
    )]
    Calendar(RepCalendarArgs),
}

#[derive(Debug, Args)]
pub struct RepHoursArgs {
    /// The rep, by id or e-mail
    #[arg(long)]
    pub rep: String,
    /// The weekdays worked: a range `mon-thu`, a list `mon,wed,fri`, or both
    #[arg(long)]
    pub days: String,
    /// Field hours, local time, `HH:MM-HH:MM` [default: the playbook's `[route]` day]
    #[arg(long)]
    pub hours: Option<String>,
}

#[derive(Debug, Args)]
pub struct RepCalendarArgs {
    /// The rep, by id or e-mail
    #[arg(long)]
    pub rep: String,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TimeoffCommand {
    /// Record time off, from one day to another inclusive
    #[command(
        after_help = "Examples:\n  rounds timeoff add --rep 2 --from 2026-12-21 --to 2026-12-31 --reason vacation\n  rounds timeoff add --rep 2 --from 2026-11-30 --reason training   # one day"
    )]
    Add(TimeoffAddArgs),
    /// List time off, by start day
    #[command(
        after_help = "Examples:\n  rounds timeoff list\n  rounds timeoff list --rep 2 --json"
    )]
    List(TimeoffListArgs),
    /// Delete a period of time off; its days become working days again
    #[command(after_help = "Example:\n  rounds timeoff remove 4")]
    Remove(TimeoffRemoveArgs),
}

#[derive(Debug, Args)]
pub struct TimeoffAddArgs {
    /// The rep, by id or e-mail
    #[arg(long)]
    pub rep: String,
    /// The first day off (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub from: Date,
    /// The last day off, inclusive [default: --from]
    #[arg(long, value_parser = parse_date)]
    pub to: Option<Date>,
    /// Why: vacation, training, sick leave…
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct TimeoffListArgs {
    /// Only this rep's (id or e-mail)
    #[arg(long)]
    pub rep: Option<String>,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TimeoffRemoveArgs {
    /// The time off's id (`rounds timeoff list`)
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The contact, by id or by a unique part of the name
    #[arg(long, short)]
    pub contact: String,
    /// How: visit, call, voicemail, email, text, linkedin, handwritten-note, letter, virtual-meeting
    #[arg(long, short = 'C', default_value = "call")]
    pub channel: Channel,
    /// What came of it: no-response, conversation, positive, negative, referral, order
    #[arg(long, short, default_value = "conversation")]
    pub outcome: Outcome,
    /// Every topic discussed, by id, comma-separated; the first is the primary (P4)
    #[arg(long, short, value_delimiter = ',')]
    pub topics: Vec<i64>,
    /// Topics to explain better next time, by id (P3)
    #[arg(long, value_delimiter = ',')]
    pub explain_better: Vec<i64>,
    /// The next step agreed (P33)
    #[arg(long, short)]
    pub next: Option<String>,
    /// When the next step is due (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub next_date: Option<Date>,
    /// A callback agreed for an exact local time, "YYYY-MM-DD HH:MM" (P35)
    #[arg(long)]
    pub callback: Option<String>,
    /// What the touch was for
    #[arg(long, short, default_value = "routine")]
    pub kind: TouchKind,
    /// Who started it
    #[arg(long, default_value = "outbound")]
    pub direction: Direction,
    /// When it happened, local to the account, "YYYY-MM-DD HH:MM" [default: now]
    #[arg(long)]
    pub at: Option<String>,
    /// A free note
    #[arg(long, default_value = "")]
    pub note: String,
    /// This touch did what the contact's open next step promised: complete that step (P33)
    #[arg(long)]
    pub done: bool,
    /// With --outcome referral: how many referrals came with it, added to the contact's
    /// count for the day [default: 1]
    #[arg(long)]
    pub count: Option<u64>,
    /// They said they have not referred, and why (P10): no-fitting-patients, referring-elsewhere, forgot, bad-experience, insurance, other, vague (no clear reason: marks a possible competing relationship)
    #[arg(long, value_name = "REASON")]
    pub no_referral_reason: Option<NoReferralReason>,
    /// What they said about not referring, in their words (with --no-referral-reason; needed with `other`)
    #[arg(long, value_name = "TEXT")]
    pub reason_text: Option<String>,
    /// Print the logged touch and the next proposal as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum StepCommand {
    /// List the open next steps, by due date (a step's id is the touch that set it)
    #[command(
        after_help = "Examples:\n  rounds step list\n  rounds step list --rep 2 --overdue\n  rounds step list --json | jq '.[] | select(.triage)'"
    )]
    List(StepListArgs),
    /// Mark a next step done
    #[command(after_help = "Example:\n  rounds step complete 1207")]
    Complete(StepIdArgs),
    /// Move a next step to a new date, saying why
    #[command(
        after_help = "Example:\n  rounds step reschedule 1207 --to 2026-12-03 --reason \"the office manager is away until Thursday\""
    )]
    Reschedule(StepRescheduleArgs),
    /// Drop a next step, saying why
    #[command(
        after_help = "Example:\n  rounds step skip 1207 --reason \"they now order direct from the manufacturer\""
    )]
    Skip(StepSkipArgs),
    /// Reword a next step, move it, or both
    #[command(
        after_help = "Examples:\n  rounds step edit 1207 --what \"bring the blister-pack samples\"\n  rounds step edit 1207 --due 2026-12-02"
    )]
    Edit(StepEditArgs),
}

#[derive(Debug, Args)]
pub struct StepListArgs {
    /// Only this rep's steps, by id or email [default: every territory you see]
    #[arg(long)]
    pub rep: Option<String>,
    /// Only the steps past their due date
    #[arg(long)]
    pub overdue: bool,
    /// Count lateness to this day instead of today (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Print the steps as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StepIdArgs {
    /// The step: the id of the touch that set it (`rounds step list`)
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct StepRescheduleArgs {
    /// The step: the id of the touch that set it (`rounds step list`)
    pub id: i64,
    /// The new due date (YYYY-MM-DD), not before the day the step was agreed
    #[arg(long, value_parser = parse_date)]
    pub to: Date,
    /// Why it moves (1-500 characters)
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct StepSkipArgs {
    /// The step: the id of the touch that set it (`rounds step list`)
    pub id: i64,
    /// Why it is dropped (1-500 characters)
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct StepEditArgs {
    /// The step: the id of the touch that set it (`rounds step list`)
    pub id: i64,
    /// What the step becomes
    #[arg(long)]
    pub what: Option<String>,
    /// Its new due date (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub due: Option<Date>,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account
    #[command(
        after_help = "Example:\n  rounds account add --name \"Lakeside Pain Clinic\" --rep 1 --tz America/Chicago --specialty pain-management --hours \"mon-fri 08:00-12:00,13:00-17:00\" --visit-window 12:00-13:00"
    )]
    Add(AccountFields),
    /// List accounts
    #[command(
        after_help = "Examples:\n  rounds account list --rep 1 --status customer\n  rounds account list --search ortho --json"
    )]
    List(AccountListArgs),
    /// Show one account with its contacts
    #[command(after_help = "Examples:\n  rounds account show 3\n  rounds account show 3 --json")]
    Show(ShowArgs),
    /// Change fields of an account
    #[command(
        after_help = "Example:\n  rounds account edit 3 --access appointment-only --front-desk-blocks true"
    )]
    Edit(EditAccountArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The id (see the list command)
    pub id: i64,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AccountListArgs {
    /// Only this rep's accounts (id or email)
    #[arg(long)]
    pub rep: Option<String>,
    #[arg(long)]
    pub status: Option<AccountStatus>,
    /// Part of the name
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditAccountArgs {
    pub id: i64,
    #[command(flatten)]
    pub fields: AccountFields,
}

#[derive(Debug, Args, Default)]
pub struct AccountFields {
    #[arg(long)]
    pub name: Option<String>,
    /// The rep whose territory holds it (id or email)
    #[arg(long)]
    pub rep: Option<String>,
    #[arg(long)]
    pub kind: Option<AccountKind>,
    #[arg(long)]
    pub segment: Option<Segment>,
    /// Specialties, comma-separated (e.g. orthopaedics,pain-management)
    #[arg(long, value_delimiter = ',')]
    pub specialty: Vec<String>,
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub postal_code: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub lat: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// IANA time zone, e.g. America/Chicago
    #[arg(long)]
    pub tz: Option<String>,
    /// Office hours, e.g. "mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00"
    #[arg(long)]
    pub hours: Option<String>,
    /// Best visiting windows, comma-separated, e.g. 12:00-13:00,16:30-17:00
    #[arg(long, value_delimiter = ',')]
    pub visit_window: Vec<String>,
    /// The front desk keeps reps out (visits go to lunch or after the last patient)
    #[arg(long)]
    pub front_desk_blocks: Option<bool>,
    #[arg(long)]
    pub access: Option<AccessPolicy>,
    #[arg(long)]
    pub status: Option<AccountStatus>,
    /// A profile fact, key=value (repeatable)
    #[arg(long)]
    pub fact: Vec<String>,
    /// Pain-point keys from the catalogue, comma-separated
    #[arg(long, value_delimiter = ',')]
    pub pain_point: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a contact
    #[command(
        after_help = "Examples:\n  rounds contact add --account 3 --name \"Maria Lopez\" --role office-manager --influence influencer --email maria@lakeside.example --phone \"+1 312 555 0142\" --extension 12\n  rounds contact add --account 3 --name \"Dr. Reyes\" --cell \"+1 312 555 0199\" --text-consent 2026-11-02:signed-form"
    )]
    Add(ContactFields),
    /// List contacts
    #[command(
        after_help = "Examples:\n  rounds contact list --account 3\n  rounds contact list --search lopez --json"
    )]
    List(ContactListArgs),
    /// Show one contact with its touches
    #[command(after_help = "Examples:\n  rounds contact show 10\n  rounds contact show 10 --json")]
    Show(ShowArgs),
    /// Change fields of a contact
    #[command(
        after_help = "Examples:\n  rounds contact edit 10 --preferred text --opt-out email\n  rounds contact edit 10 --text-consent 2026-11-02:text-reply\n  rounds contact edit 10 --no-text-consent"
    )]
    Edit(EditContactArgs),
}

#[derive(Debug, Args)]
pub struct ContactListArgs {
    #[arg(long)]
    pub account: Option<i64>,
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditContactArgs {
    pub id: i64,
    #[command(flatten)]
    pub fields: ContactFields,
}

#[derive(Debug, Args, Default)]
pub struct ContactFields {
    #[arg(long)]
    pub account: Option<i64>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub role: Option<ContactRole>,
    #[arg(long)]
    pub influence: Option<Influence>,
    #[arg(long)]
    pub department: Option<String>,
    #[arg(long)]
    pub specialty: Option<String>,
    #[arg(long)]
    pub cell: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub extension: Option<String>,
    #[arg(long)]
    pub linkedin: Option<String>,
    /// The channel the contact prefers (P43)
    #[arg(long)]
    pub preferred: Option<Channel>,
    /// A channel the contact refuses (repeatable)
    #[arg(long)]
    pub opt_out: Vec<Channel>,
    /// Allow a channel again (repeatable)
    #[arg(long)]
    pub opt_in: Vec<Channel>,
    /// Consent to text messages on record, `DAY:SOURCE` (P43: no text without it)
    #[arg(long, value_name = "DAY:SOURCE")]
    pub text_consent: Option<String>,
    /// Remove the consent to text messages on record
    #[arg(long, conflicts_with = "text_consent")]
    pub no_text_consent: bool,
}

#[derive(Debug, Subcommand)]
pub enum TopicCommand {
    /// Add a topic
    #[command(
        after_help = "Example:\n  rounds topic add --title \"Same-day prior authorisations\" --pain-point prior-auths --segment medical-provider --specialty orthopaedics"
    )]
    Add(TopicFields),
    /// List topics
    #[command(
        after_help = "Examples:\n  rounds topic list\n  rounds topic list --search prior --json"
    )]
    List(TopicListArgs),
    /// Show one topic (as JSON)
    #[command(after_help = "Example:\n  rounds topic show 12")]
    Show(ShowArgs),
    /// List the pain-point catalogue that topics are tied to (P25)
    #[command(
        after_help = "Examples:\n  rounds topic pain-points\n  rounds topic pain-points --json"
    )]
    PainPoints {
        #[arg(long)]
        json: bool,
    },
    /// Change fields of a topic
    #[command(
        after_help = "Example:\n  rounds topic edit 12 --role office-manager,head-nurse --available-from 2026-12-01"
    )]
    Edit(EditTopicArgs),
}

#[derive(Debug, Args)]
pub struct TopicListArgs {
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditTopicArgs {
    pub id: i64,
    #[command(flatten)]
    pub fields: TopicFields,
}

#[derive(Debug, Args, Default)]
pub struct TopicFields {
    #[arg(long)]
    pub title: Option<String>,
    /// Pain-point keys, comma-separated (see `rounds topic pain-points`)
    #[arg(long, value_delimiter = ',')]
    pub pain_point: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub specialty: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub segment: Vec<Segment>,
    /// Roles the topic is for (empty: everyone)
    #[arg(long, value_delimiter = ',')]
    pub role: Vec<ContactRole>,
    #[arg(long, value_delimiter = ',')]
    pub related: Vec<i64>,
    /// First day the content may be used (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub available_from: Option<Date>,
}

#[derive(Debug, Subcommand)]
pub enum ReferralCommand {
    /// Record the referral count of one referring contact on one day (replaces that day's count)
    #[command(
        after_help = "Example:\n  rounds referral add --contact 1 --date 2026-11-20 --count 2"
    )]
    Add(ReferralArgs),
    /// Set many counts from a CSV with the columns contact (id or e-mail), day, count; all or nothing, safe to repeat
    #[command(
        after_help = "Example:\n  rounds referral import november.csv\n\nThe file:\n  contact,day,count\n  12,2026-11-20,2\n  dr.reyes@lakeside.example,2026-11-20,1\n\nAny other column (a patient's name, a date of birth) is refused: Rounds keeps counts, never patient data (P9)."
    )]
    Import(ReferralImportArgs),
}

#[derive(Debug, Args)]
pub struct ReferralImportArgs {
    /// The CSV file, or - for standard input
    pub file: String,
}

#[derive(Debug, Args)]
pub struct ReferralArgs {
    #[arg(long, short)]
    pub contact: String,
    /// The day [default: today]
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Referrals that day (0 to 1,000)
    #[arg(long, default_value_t = 1)]
    pub count: u64,
}

#[derive(Debug, Args)]
pub struct LostArgs {
    #[arg(long)]
    pub account: i64,
    /// pricing, lost-contract, competitor-won-contract, product-quality, customer-service, other
    #[arg(long)]
    pub reason: LossReason,
    #[arg(long)]
    pub competitor: Option<String>,
    /// A stakeholder consulted (repeatable)
    #[arg(long)]
    pub stakeholder: Vec<String>,
    /// The day it was lost [default: today]
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    #[arg(long, default_value = "")]
    pub note: String,
    /// Replace a loss already recorded for the account; the earlier one is kept as history
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct NoFitArgs {
    #[arg(long)]
    pub account: i64,
    #[arg(long)]
    pub reason: String,
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Summarise today every rep not summarised yet (what `rounds serve` and `rounds worker` do in the background)
    #[command(
        after_help = "Examples:\n  rounds report refresh\n  rounds report refresh --now 2026-11-24T13:00:00Z\n\n\
Each rep's day is planned once and summed up (plan size, coverage, persistence funnel, promises, \
coverage by segment, referral trends, losses); the Team page and the reports read these summaries. \
Reps already summarised for the day are left alone."
    )]
    Refresh,
    /// Print one report as a table, or as CSV with --csv
    #[command(
        after_help = "Examples:\n  rounds report show funnel\n  rounds report show seed\n  \
rounds report show referrers --csv > referrers.csv\n\n\
Reports: funnel (contacts reached on each attempt, given up after each number, P20), seed (the team \
against the seed's figures), promises (next steps of the last 90 days kept, P33), coverage (customer \
accounts by segment and kind, P23), liaisons (referrals per month per rep), referrers (per referring \
contact with the P9 drop and the P10 flag), losses (per quarter by reason, competitor and rep, P18)."
    )]
    Show(ReportShowArgs),
}

#[derive(Debug, Args)]
pub struct ReportShowArgs {
    /// funnel, seed, promises, coverage, liaisons, referrers or losses
    pub report: String,
    /// CSV on stdout instead of a table
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Record a meal, an item or education given at an account: split among everyone present, reported for the covered recipients
    #[command(after_help = "Examples:\n  \
rounds ledger add --account 12 --nature meal --amount 200 --description \"Lunch for the office\" \\\n      \
--attendee 31 --attendee 32 --attendee 33 --attendee 34 --attendee 35 --others 3\n  \
rounds ledger add --account 12 --date 2026-11-20 --nature item --amount 89.50 \\\n      \
--description \"Anatomy atlas\" --attendee \"Dr. Reyes\" --attendee 36:not-covered\n\n\
The total is divided by everyone present (the attendees and --others); only the covered recipients' \
shares are reported. A contact is a covered recipient when a physician (role) or a physician assistant, \
nurse practitioner, nurse anesthetist or nurse-midwife (specialty); write ID:covered or ID:not-covered \
to say otherwise. A transfer offering value per referral is refused (P14). A recipient over the \
yearly cap ([compliance] yearly_cap_cents) gets a warning on stderr.")]
    Add(LedgerAddArgs),
    /// List transfers of value, by date
    #[command(
        after_help = "Examples:\n  rounds ledger list --year 2026\n  rounds ledger list --account 12 --void --json"
    )]
    List(LedgerListArgs),
    /// Write the year's Open Payments–style CSV: one row per covered recipient per transfer, with the recipient's yearly total
    #[command(
        after_help = "Examples:\n  rounds ledger export --year 2026 > open-payments-2026.csv\n  \
rounds ledger export --year 2026 --out open-payments-2026.csv\n\n\
Amounts are dollars with two decimals, dates MM/DD/YYYY, the form of payment \"In-kind items and \
services\", the nature \"Food and Beverage\" for meals, \"Education\", or \"Gift\". Voided transfers \
are left out. Recipients over the yearly cap are listed on stderr."
    )]
    Export(LedgerExportArgs),
    /// Void a transfer recorded in error; it stays in the ledger and counts nowhere
    #[command(after_help = "Example:\n  rounds ledger void 7 --reason \"entered twice\"")]
    Void(LedgerVoidArgs),
}

#[derive(Debug, Args)]
pub struct LedgerAddArgs {
    /// The account where it was given
    #[arg(long)]
    pub account: i64,
    /// The day it was given [default: today]
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// meal, item, education, other
    #[arg(long)]
    pub nature: Nature,
    /// The total spent, in dollars (200, 187.50)
    #[arg(long)]
    pub amount: String,
    /// What was given
    #[arg(long)]
    pub description: String,
    /// A contact present, by id or unique name, optionally ID:covered or ID:not-covered (repeatable)
    #[arg(long)]
    pub attendee: Vec<String>,
    /// People present who are not contacts (staff, guests): they take a share nobody reports
    #[arg(long, default_value_t = 0)]
    pub others: u32,
    /// Print the transfer as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LedgerListArgs {
    /// Only transfers dated in this year
    #[arg(long)]
    pub year: Option<i16>,
    /// Only this account's
    #[arg(long)]
    pub account: Option<i64>,
    /// Voided transfers too
    #[arg(long)]
    pub void: bool,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LedgerExportArgs {
    /// The calendar year
    #[arg(long)]
    pub year: i16,
    /// Write to this file rather than standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LedgerVoidArgs {
    /// The transfer's id (`rounds ledger list`)
    pub id: i64,
    /// Why it is voided
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// Print the built-in playbook file, ready to copy and edit
    #[command(after_help = "Example:\n  rounds playbook show > playbook.toml")]
    Show,
    /// Check a playbook file and list every problem (key, value, why)
    #[command(after_help = "Example:\n  rounds playbook check playbook.toml")]
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// Solve one instance file and print the prize, distance, visit order and solve time as JSON
    #[command(
        after_help = "Examples:\n  rounds route solve bench/route/instances/solomon/C101.txt --format solomon --customers 25\n  rounds route solve bench/route/instances/tsptw/n20w20.001.tsptw --format tsptw"
    )]
    Solve(RouteSolveArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RouteFormat {
    /// Solomon VRPTW file read as a one-rep day: depot plus the first N customers, prize = demand
    Solomon,
    /// LKH-3 TSPTW file: every customer required, minimise distance
    Tsptw,
}

#[derive(Debug, Args)]
pub struct RouteSolveArgs {
    pub file: PathBuf,
    #[arg(long, value_enum)]
    pub format: RouteFormat,
    /// Customers to keep from a Solomon file (the first N)
    #[arg(long, default_value_t = 100)]
    pub customers: usize,
    /// Seed of the solver's search
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Search iterations per start, 1.5× on days of more than 128 candidates (the search is bounded by work, not by time)
    #[arg(long, default_value_t = 3000)]
    pub iterations: u32,
    /// Independent starts (seeds seed, seed+1, …), run on all cores; the best route is kept
    #[arg(long, default_value_t = 4)]
    pub starts: u32,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// jsonl: the whole organisation, lossless; csv: six spreadsheet files in --dir
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Write the JSON Lines here instead of standard output
    #[arg(long, short, conflicts_with = "dir")]
    pub output: Option<PathBuf>,
    /// The directory the CSV files go to (made if missing)
    #[arg(long, value_name = "DIR", required_if_eq("format", "csv"))]
    pub dir: Option<PathBuf>,
    /// Replace CSV files already in --dir
    #[arg(long, requires = "dir")]
    pub force: bool,
    /// No progress bar and no summary on standard error (for scripts)
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// JSON Lines, one record a line: what `rounds import` reads
    Jsonl,
    /// accounts.csv, contacts.csv, touches.csv, next_steps.csv, referral_counts.csv, lost_accounts.csv
    Csv,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (refused if it exists)
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A Rounds export (.jsonl); or CSV / Excel (.xlsx) files exported by Salesforce or
    /// Veeva CRM, or a directory holding them; or any sheet with --mapping
    #[arg(required_unless_present = "mapping_template")]
    pub files: Vec<PathBuf>,
    /// Where the files come from; checked against their header rows [default: recognised]
    #[arg(long, value_enum, conflicts_with = "mapping")]
    pub from: Option<ImportSource>,
    /// A mapping file (TOML) saying which column holds which field, for any sheet
    #[arg(long, value_name = "MAPPING.toml")]
    pub mapping: Option<PathBuf>,
    /// Print a commented starter mapping for this sheet's header row, and import nothing
    #[arg(long, value_name = "SHEET", conflicts_with_all = ["files", "mapping", "dry_run"])]
    pub mapping_template: Option<PathBuf>,
    /// A CSV of two columns, the other system's owner (id or e-mail) and the Rounds rep
    /// (id or e-mail), for owners whose e-mail differs
    #[arg(long, value_name = "OWNERS.csv")]
    pub owner_map: Option<PathBuf>,
    /// vCard files (.vcf): put every card under this account (id) instead of the account
    /// named by the card's organisation
    #[arg(long)]
    pub account: Option<i64>,
    /// Give every imported account to this rep (id or e-mail), whatever the files say
    #[arg(long)]
    pub rep: Option<String>,
    /// The time zone of accounts whose state is not a US state, e.g. America/Chicago
    #[arg(long)]
    pub tz: Option<String>,
    /// Decide and count what would be added, changed and left alone; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Activities after this day are left out as not yet done [default: today]
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<Date>,
    /// The sheet of an Excel workbook to read [default: the first]
    #[arg(long)]
    pub sheet: Option<String>,
    /// No progress bar and no per-file lines on standard error (for scripts)
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportSource {
    /// A Rounds export (JSON Lines)
    Rounds,
    /// Salesforce's data export: User, Account, Contact, Task, Event
    Salesforce,
    /// Veeva CRM: Account, Address_vod__c, Call2_vod__c
    Veeva,
}

pub fn parse_date(s: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD, e.g. 2026-11-24"))
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print the coming working days' plans as an iCalendar (.ics) file
    #[command(
        after_help = "Visits and agreed calls or meetings become events at their local times in the \
                      account's time zone; each day's other remote touches become one all-day summary \
                      event. Days off are skipped; the first day's events are confirmed, later ones \
                      tentative (a forecast that assumes each day goes as planned).\n\n\
                      Examples:\n  rounds calendar export > plan.ics\n  rounds calendar export --rep 2 --days 5 > week.ics\n  rounds calendar export --from 2026-11-30 --days 14 > plan.ics"
    )]
    Export(CalendarExportArgs),
    /// A secret calendar address your calendar app subscribes to; make or revoke it
    #[command(subcommand)]
    Feed(CalendarFeedCommand),
    /// Busy times from your own calendar, which the planner keeps free
    #[command(subcommand)]
    Busy(CalendarBusyCommand),
}

#[derive(Debug, Args)]
pub struct CalendarExportArgs {
    /// The rep, by id or e-mail [default: the only rep, or ROUNDS_REP]
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
    /// How many working days (days off are skipped), 1 to 60
    #[arg(long, default_value_t = 14)]
    pub days: usize,
    /// The first day (YYYY-MM-DD) [default: today]
    #[arg(long, value_parser = parse_date)]
    pub from: Option<Date>,
}

#[derive(Debug, Subcommand)]
pub enum CalendarFeedCommand {
    /// Make the rep's feed address, replacing the one before; it is shown only once
    #[command(
        after_help = "Subscribe to the address in Outlook (Add calendar > From internet), Google \
                      Calendar (Other calendars > From URL) or Apple Calendar (File > New Calendar \
                      Subscription). Anyone with the address can read the plan: keep it private, and \
                      make a new one (or revoke it) if it leaks.\n\n\
                      Examples:\n  rounds calendar feed new --rep 2\n  rounds calendar feed new --rep dana.whitfield@demo.rounds --base-url https://rounds.example.com"
    )]
    New(CalendarFeedArgs),
    /// Revoke the rep's feed: its address stops working at once
    #[command(after_help = "Example:\n  rounds calendar feed revoke --rep 2")]
    Revoke(CalendarFeedRevokeArgs),
}

#[derive(Debug, Args)]
pub struct CalendarFeedArgs {
    /// The rep (or any user), by id or e-mail
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
    /// Where users reach the web server, to print the whole address
    #[arg(long, env = "ROUNDS_BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
}

#[derive(Debug, Args)]
pub struct CalendarFeedRevokeArgs {
    /// The rep (or any user), by id or e-mail
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CalendarBusyCommand {
    /// Read busy times from a calendar export (.ics); no plan goes into them
    #[command(
        after_help = "Export your calendar from Outlook (File > Save Calendar) or Google Calendar \
                      (Settings > Import & export) and import the .ics file. Events marked free, \
                      cancelled events and Rounds' own plan events are skipped; an all-day event keeps \
                      the whole day free of visits; repeating events are expanded over the next 120 \
                      days. Importing the same file again replaces what it held and changes nothing \
                      if it has not changed. A file with a problem is refused whole, each problem \
                      named by line.\n\n\
                      Examples:\n  rounds calendar busy import outlook.ics --rep 2\n  rounds calendar busy import work.ics --rep 2 --tz America/Chicago --from 2026-11-30"
    )]
    Import(CalendarBusyImportArgs),
    /// List a rep's busy times, by start
    #[command(
        after_help = "Examples:\n  rounds calendar busy list --rep 2\n  rounds calendar busy list --rep 2 --json"
    )]
    List(CalendarBusyListArgs),
    /// Forget a rep's busy times, of one calendar file or all
    #[command(
        after_help = "Examples:\n  rounds calendar busy clear --rep 2\n  rounds calendar busy clear --rep 2 --source outlook.ics"
    )]
    Clear(CalendarBusyClearArgs),
}

#[derive(Debug, Args)]
pub struct CalendarBusyImportArgs {
    /// The calendar file (.ics)
    pub file: PathBuf,
    /// The rep, by id or e-mail
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
    /// The zone of times the file gives without one (and of all-day events)
    /// [default: the zone of most of the rep's accounts]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The first day read (YYYY-MM-DD) [default: today]
    #[arg(long, value_parser = parse_date)]
    pub from: Option<Date>,
}

#[derive(Debug, Args)]
pub struct CalendarBusyListArgs {
    /// The rep, by id or e-mail
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
    /// JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CalendarBusyClearArgs {
    /// The rep, by id or e-mail
    #[arg(long, env = "ROUNDS_REP")]
    pub rep: Option<String>,
    /// Only the busy times read from this file (its name as imported)
    #[arg(long)]
    pub source: Option<String>,
}

//! The IMAP side of `rounds capture --imap-url`: reads the URL, connects (TLS through
//! rustls for `imaps://`; plain `imap://` only to a loopback address, where no password
//! crosses a network), and hands each unseen message of the mailbox to the capture,
//! marking it seen only once the capture has committed, so a crash or a refused message
//! leaves it for the next poll.

use std::fmt;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use async_imap::{Client, Session};
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// Where to poll, from `imap[s]://USER:PASSWORD@HOST[:PORT]/MAILBOX`.
#[derive(Clone)]
pub(crate) struct ImapUrl {
    pub(crate) tls: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) mailbox: String,
}

// Never print the password, whoever formats the value.
impl fmt::Debug for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "imaps" } else { "imap" };
        write!(
            f,
            "{scheme}://{}@{}:{}/{}",
            self.user, self.host, self.port, self.mailbox
        )
    }
}

fn decode(part: &str, what: &str) -> Result<String> {
    url::form_urlencoded::parse(format!("x={}", part.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| anyhow!("--imap-url: the {what} is not valid"))
}

impl ImapUrl {
    pub(crate) fn parse(text: &str) -> Result<ImapUrl> {
        let url = url::Url::parse(text).map_err(|e| anyhow!("--imap-url: {e}"))?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            other => bail!(
                "--imap-url: `{other}://` is not IMAP; use imaps://USER:PASSWORD@HOST/MAILBOX"
            ),
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => bail!("--imap-url: no host"),
        };
        if !tls && !is_loopback(&host) {
            bail!(
                "--imap-url: plain imap:// would send the password unencrypted to {host}; use imaps:// \
                 (plain IMAP is allowed only to a loopback address)"
            );
        }
        if url.username().is_empty() {
            bail!("--imap-url: no user; write imaps://USER:PASSWORD@{host}/MAILBOX");
        }
        let user = decode(url.username(), "user")?;
        let password = decode(url.password().unwrap_or(""), "password")?;
        let mailbox = decode(url.path().trim_start_matches('/'), "mailbox")?;
        Ok(ImapUrl {
            tls,
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            host,
            user,
            password,
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What one poll did.
#[derive(Debug)]
pub(crate) struct Poll<R> {
    /// What the capture answered for each message it took (each now seen).
    pub(crate) captured: Vec<R>,
    /// Messages the capture refused (left unseen, with why).
    pub(crate) refused: Vec<(u32, String)>,
}

/// Captures every unseen message of the mailbox with `capture`, marking each seen after
/// `capture` returned Ok (its write committed). A message `capture` refuses stays unseen
/// and is reported.
pub(crate) async fn poll<F, Fut, R>(target: &ImapUrl, capture: F) -> Result<Poll<R>>
where
    F: FnMut(u32, Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<R>>,
{
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .with_context(|| format!("cannot reach {}:{}", target.host, target.port))?;
    if target.tls {
        let stream = tls(&target.host, tcp).await?;
        run(Client::new(stream), target, capture).await
    } else {
        run(Client::new(tcp), target, capture).await
    }
}

async fn tls(host: &str, tcp: TcpStream) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("setting up TLS")?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| anyhow!("--imap-url: {host} is not a name TLS can check: {e}"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .with_context(|| format!("TLS with {host} failed"))
}

/// Logs in and selects the mailbox.
pub(crate) async fn open<T>(mut client: Client<T>, target: &ImapUrl) -> Result<Session<T>>
where
    T: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
{
    client
        .read_response()
        .await
        .context("reading the IMAP server's greeting")?
        .ok_or_else(|| anyhow!("the IMAP server closed the connection before greeting"))?;
    let mut session = client
        .login(&target.user, &target.password)
        .await
        .map_err(|(e, _)| anyhow!("IMAP login as {} failed: {e}", target.user))?;
    session
        .select(&target.mailbox)
        .await
        .with_context(|| format!("cannot open the mailbox {}", target.mailbox))?;
    Ok(session)
}

async fn run<T, F, Fut, R>(client: Client<T>, target: &ImapUrl, mut capture: F) -> Result<Poll<R>>
where
    T: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
    F: FnMut(u32, Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<R>>,
{
    let mut session = open(client, target).await?;
    let mut uids: Vec<u32> = session
        .uid_search("UNSEEN")
        .await
        .context("searching the mailbox for unseen messages")?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut done = Poll {
        captured: Vec::new(),
        refused: Vec::new(),
    };
    for uid in uids {
        // BODY.PEEK leaves \Seen alone: only a committed capture sets it.
        let fetched: Vec<_> = session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await
            .with_context(|| format!("fetching message {uid}"))?
            .try_collect()
            .await
            .with_context(|| format!("fetching message {uid}"))?;
        let Some(bytes) = fetched.iter().find_map(|f| f.body()).map(<[u8]>::to_vec) else {
            continue;
        };
        match capture(uid, bytes).await {
            Ok(answer) => {
                let mut stored = session
                    .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                    .await
                    .with_context(|| format!("marking message {uid} seen"))?;
                while let Some(r) = stored.next().await {
                    r.with_context(|| format!("marking message {uid} seen"))?;
                }
                done.captured.push(answer);
            }
            Err(e) => done.refused.push((uid, format!("{e:#}"))),
        }
    }
    session.logout().await.ok();
    Ok(done)
}

//! The SMTP side of the outbox: lettre's async client over rustls, and the mail built
//! from an `OutgoingMail` with lettre's typed headers only. lettre encodes any header
//! text holding a CR or LF (RFC 2047), so stored text can never start a header of its
//! own; the use cases refuse such text before it is stored anyway.

use anyhow::{Context, Result};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rounds_app::outbox::{MailTransport, OutgoingMail, SendFailure};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `List-Unsubscribe: <URL>` (RFC 2369), with the one-click form below (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, BoxError> {
        Ok(ListUnsubscribe(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .into(),
        ))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, BoxError> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// The mail as it goes on the wire.
pub(crate) fn build(mail: &OutgoingMail) -> Result<Message, String> {
    // lettre's display-name encoder fails (and its `to_string` panics) on a control
    // character, so a name holding one never reaches it; the worker refuses such text
    // before, this keeps the transport safe on its own.
    for (what, text) in [
        ("sender's name", &mail.from_name),
        ("recipient's name", &mail.to_name),
    ] {
        if !rounds_core::sending::header_safe(text) {
            return Err(format!(
                "the {what} contains a line break or another control character"
            ));
        }
    }
    let from = Mailbox::new(
        Some(mail.from_name.clone()),
        mail.from_address
            .parse()
            .map_err(|e| format!("the sender's address: {e}"))?,
    );
    let to = Mailbox::new(
        Some(mail.to_name.clone()),
        mail.to_address
            .parse()
            .map_err(|e| format!("the recipient's address: {e}"))?,
    );
    Message::builder()
        .message_id(Some(mail.message_id.clone()))
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .header(ListUnsubscribe(mail.unsubscribe_url.clone()))
        .header(ListUnsubscribePost)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| format!("the mail cannot be built: {e}"))
}

/// An SMTP server reached through `smtp://user:pass@host:port` (STARTTLS when the URL
/// asks with `?tls=required`) or `smtps://…` (TLS from the start).
pub(crate) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Smtp {
    pub(crate) fn from_url(url: &str) -> Result<Smtp> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .with_context(|| {
                format!(
                    "--smtp-url: `{}` is not an SMTP address like smtp://user:pass@host:587 or smtps://user:pass@host:465",
                    redact(url)
                )
            })?
            .build();
        Ok(Smtp { transport })
    }
}

impl MailTransport for Smtp {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendFailure> {
        let message = build(mail).map_err(SendFailure::Permanent)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendFailure::Permanent(format!(
                "the SMTP server refused it: {e}"
            ))),
            Err(e) => Err(SendFailure::Temporary(e.to_string())),
        }
    }
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    crate::settings::redact(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Should text with a line break ever reach the transport (the use cases and the
    /// worker refuse it before), lettre's typed headers encode it: no header of its own.
    #[test]
    fn typed_headers_encode_injected_line_breaks() {
        let evil = "Hi\r\nBcc: x@evil.example";
        let mut mail = OutgoingMail {
            message_id: "<outbox-1-1.abc@rounds.test>".into(),
            from_name: "Rita Rep".into(),
            from_address: "rita@example.org".into(),
            to_name: "Dana Diaz".into(),
            to_address: "dana@lakeside.example".into(),
            subject: evil.into(),
            body: "Hello".into(),
            unsubscribe_url: "https://rounds.test/unsubscribe/00".into(),
        };
        let wire = String::from_utf8(build(&mail).unwrap().formatted()).unwrap();
        let head = wire.split("\r\n\r\n").next().unwrap();
        for line in head.split("\r\n") {
            assert!(!line.to_ascii_lowercase().starts_with("bcc:"), "{wire}");
        }
        assert!(head.contains("List-Unsubscribe: <https://rounds.test/unsubscribe/00>"));
        assert!(head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        // Names are refused outright (lettre's encoder would fail on them).
        mail.from_name = evil.into();
        assert!(build(&mail).is_err());
        mail.from_name = "Rita Rep".into();
        mail.to_name = evil.into();
        assert!(build(&mail).is_err());
    }
}

//! The connection side of the server: the accept loop with its caps (connections in
//! all and per client address), the header and body timeouts, and the bounded
//! graceful shutdown. A slow or greedy client holds at most its share of connections,
//! each for at most a timeout, so it cannot use up the process's open files or workers.
//!
//! `axum::serve` has none of these knobs, so connections are served by hyper's HTTP/1
//! builder directly (its header read timeout) and watched by hyper-util's graceful
//! shutdown; the router is the same.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::{ApiError, AppState};

pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config().limits.clone();
    let trusted = state.config().trusted_proxies.clone();
    let app = crate::router(state);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = AddressCounts::default();
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        // At the cap, stop accepting: new connections wait in the kernel's queue
        // rather than each taking an open file.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of open files, most likely: wait for some to close.
                        tracing::error!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let exempt = trusted
            .iter()
            .any(|net| net.contains(&peer.ip().to_canonical()));
        let held = if exempt {
            None
        } else {
            match per_address.take(peer.ip(), limits.max_connections_per_address) {
                Some(held) => Some(held),
                None => {
                    tracing::debug!(%peer, "too many connections from one address; closed");
                    continue;
                }
            }
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(app.clone(), req.map(Body::new))
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop((slot, held));
        });
    }
    drop(listener);
    let open = connections.len();
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open,
            grace_s = limits.shutdown_grace.as_secs_f64(),
            "requests still open after the grace period are cut off"
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// Errors of one connection, not of the listener: accept the next one at once.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Open connections per client address, shared by the accept loop and the connections.
#[derive(Debug, Default, Clone)]
struct AddressCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One connection's share of its address's count, given back when dropped.
struct AddressHeld {
    counts: AddressCounts,
    key: IpAddr,
}

impl AddressCounts {
    fn take(&self, ip: IpAddr, max: usize) -> Option<AddressHeld> {
        let key = address_key(ip);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = map.entry(key).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressHeld {
            counts: self.clone(),
            key,
        })
    }
}

impl Drop for AddressHeld {
    fn drop(&mut self) {
        let mut map = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// One client is one IPv4 address or one IPv6 /64, the block a single host is given.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u64::MAX as u128))),
        v4 => v4,
    }
}

/// Gives the request body [`crate::Limits::body_timeout`] from the head's arrival; a
/// body still incomplete then fails to read, and the request is answered 408 with the
/// connection closed, whatever the handler made of the failed read.
pub(crate) async fn body_deadline(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // Nothing to wait for (most GETs): no timer.
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let timeout = state.config().limits.body_timeout;
    let expired = Arc::new(AtomicBool::new(false));
    let api = req.uri().path().starts_with("/api/");
    let req = req.map(|inner| {
        Body::new(DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            expired: expired.clone(),
        })
    });
    let response = next.run(req).await;
    if !expired.load(Ordering::Acquire) {
        return response;
    }
    let e = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "the request body did not arrive within {} s",
            timeout.as_secs()
        ),
    );
    let mut response = if api {
        e.into_response()
    } else {
        crate::pages::error_page(e)
    };
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// A body that fails once its deadline has passed (one deadline for the whole body,
/// unlike tower-http's, which restarts at every frame and so lets a trickle through).
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::BoxError>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(BodyTimedOut.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_it_back_on_close() {
        let counts = AddressCounts::default();
        let a: IpAddr = "203.0.113.9".parse().unwrap();
        let first = counts.take(a, 2).unwrap();
        let _second = counts.take(a, 2).unwrap();
        assert!(counts.take(a, 2).is_none());
        assert!(counts.take("203.0.113.10".parse().unwrap(), 2).is_some());
        drop(first);
        assert!(counts.take(a, 2).is_some());
    }

    #[test]
    fn one_ipv6_host_is_its_slash_64() {
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            address_key("2001:db8:1:2:bbbb::2".parse().unwrap())
        );
        assert_ne!(
            address_key("2001:db8:1:2::1".parse().unwrap()),
            address_key("2001:db8:1:3::1".parse().unwrap())
        );
        assert_eq!(
            address_key("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }
}

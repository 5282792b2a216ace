//! An instrumented HTTP server on `127.0.0.1`, for tests that must not touch
//! the internet.
//!
//! Each path is scripted with a [`Reply`]: how long to wait, which status and
//! body to answer with, whether to send the body in slow pieces or cut it
//! short, or whether to never answer or to drop the connection. The server
//! counts the requests in flight (from arrival until the last byte of the
//! body is sent, or the client goes away) and records the highest count it
//! ever saw, exactly, so a test can prove that a client never had more than
//! `limit` requests open at once, *and* that it really used that much
//! concurrency.
//!
//! The server runs on a thread of its own with its own single-threaded tokio
//! runtime, so it works the same under a test's multi-threaded runtime, a
//! paused clock, or no runtime at all. It starts in about a millisecond and,
//! when the [`TestServer`] is dropped, it stops and joins its thread: it
//! never outlives the test (the leak checks would notice).
//!
//! ```
//! use std::time::Duration;
//! use test_kit::server::{Reply, TestServer};
//!
//! let server = TestServer::builder()
//!     .route("/hello", Reply::ok("hi").after(Duration::from_millis(10)))
//!     .route("/broken", Reply::status(503, "try later"))
//!     .route("/hang", Reply::never_answers())
//!     .start();
//! assert!(server.url("/hello").starts_with("http://127.0.0.1:"));
//! assert_eq!(server.peak_in_flight(), 0);
//! ```

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::{Notify, oneshot};
use tower::ServiceExt;

/// What the server does with a request for one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    body: String,
    delay: Duration,
    /// Hold the request until this many are in flight (or the time is up).
    hold: Option<(usize, Duration)>,
    behavior: Behavior,
    /// How the body is sent once the answer starts.
    body_shape: BodyShape,
}

/// How a [`Reply`]'s body goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyShape {
    /// All at once.
    Whole,
    /// In this many pieces, with a pause between two pieces.
    Chunks(usize, Duration),
    /// The headers promise the whole body (`Content-Length`), but only the
    /// first half is sent before the connection is closed.
    CutShort,
}

/// What happens once a [`Reply`]'s delay is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Send the status and the body.
    Respond,
    /// Never send anything; the request stays open until the client gives up
    /// (its own timeout, or dropping the request) or the server stops.
    NeverAnswer,
    /// Close the connection without a response: the client sees a
    /// connection error, as when a server crashes mid-request.
    DropConnection,
}

impl Reply {
    /// `200 OK` with `body`, at once.
    pub fn ok(body: impl Into<String>) -> Reply {
        Reply::status(200, body)
    }

    /// Any status code with `body`, at once.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status code (100 to 999).
    pub fn status(status: u16, body: impl Into<String>) -> Reply {
        assert!(
            StatusCode::from_u16(status).is_ok(),
            "{status} is not an HTTP status code"
        );
        Reply {
            status,
            body: body.into(),
            delay: Duration::ZERO,
            hold: None,
            behavior: Behavior::Respond,
            body_shape: BodyShape::Whole,
        }
    }

    /// A request that is never answered.
    pub fn never_answers() -> Reply {
        Reply {
            behavior: Behavior::NeverAnswer,
            ..Reply::ok("")
        }
    }

    /// A connection closed without a response.
    pub fn drops_connection() -> Reply {
        Reply {
            behavior: Behavior::DropConnection,
            ..Reply::ok("")
        }
    }

    /// The same reply, given only after `delay` (the server's latency).
    pub fn after(self, delay: Duration) -> Reply {
        Reply { delay, ..self }
    }

    /// The same reply, but each request first waits until `in_flight`
    /// requests are in flight at once (counting itself), or `at_most` has
    /// passed, whichever comes first; then the delay starts.
    ///
    /// This takes the luck out of "the client reached its limit": a client
    /// that keeps `limit` requests open does reach `limit` in flight however
    /// slowly the machine runs, because the first requests wait for the
    /// last; a client that never opens that many waits `at_most` per request.
    pub fn hold_until_in_flight(self, in_flight: usize, at_most: Duration) -> Reply {
        Reply {
            hold: Some((in_flight, at_most)),
            ..self
        }
    }

    /// The same reply, with its body sent in `chunks` pieces and a pause of
    /// `every` between two pieces (the headers go out at once).
    ///
    /// A request counts as in flight until its last byte is sent, so a
    /// client that stops counting a download once the headers arrive, while
    /// the body still trickles in, is seen with more requests in flight than
    /// it admits to.
    ///
    /// # Panics
    ///
    /// If `chunks` is 0.
    pub fn body_in_chunks(self, chunks: usize, every: Duration) -> Reply {
        assert!(chunks > 0, "a body is sent in at least one chunk");
        Reply {
            body_shape: BodyShape::Chunks(chunks, every),
            ..self
        }
    }

    /// The same reply, cut short: the headers announce the whole body
    /// (`Content-Length`), the first half of it is sent, and then the
    /// connection is closed. A client that reads the body must see an
    /// error, not a shorter page.
    pub fn cut_short(self) -> Reply {
        Reply {
            body_shape: BodyShape::CutShort,
            ..self
        }
    }
}

/// How a request ended, as the server saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Still being handled.
    InFlight,
    /// Answered with this status code.
    Answered(u16),
    /// The server dropped the connection, as scripted.
    Dropped,
    /// The server sent the headers and part of the body, then closed the
    /// connection, as scripted ([`Reply::cut_short`]).
    CutShort,
    /// The client went away (closed the connection) before the answer.
    Abandoned,
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The path and query, as requested.
    pub path: String,
    /// When it arrived, measured from the server's start.
    pub arrived: Duration,
    /// When it ended (its last byte sent, or the connection closed),
    /// measured from the server's start; `None` while in flight.
    pub ended: Option<Duration>,
    /// How it ended.
    pub outcome: Outcome,
}

/// What the server shares between its connections and the test.
struct Shared {
    routes: HashMap<String, Reply>,
    fallback: Reply,
    started: Instant,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    /// Woken whenever the in-flight count changes.
    in_flight_changed: tokio::sync::Notify,
    log: Mutex<Vec<RequestRecord>>,
}

impl Shared {
    fn log(&self) -> std::sync::MutexGuard<'_, Vec<RequestRecord>> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

// ANCHOR: in_flight
/// Counts one request as in flight for as long as it lives.
///
/// It is created when a handler starts and dropped when the handler ends,
/// whether it answered or its future was dropped because the client went
/// away, so the count can never drift.
struct InFlight {
    shared: Arc<Shared>,
    index: usize,
    outcome: Outcome,
}

impl InFlight {
    fn enter(shared: &Arc<Shared>, path: String) -> InFlight {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        // `fetch_max` makes the peak exact: no other request can slip in
        // between reading the old peak and writing the new one.
        shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        shared.in_flight_changed.notify_waiters();
        let mut log = shared.log();
        log.push(RequestRecord {
            path,
            arrived: shared.started.elapsed(),
            ended: None,
            outcome: Outcome::InFlight,
        });
        InFlight {
            shared: Arc::clone(shared),
            index: log.len() - 1,
            outcome: Outcome::Abandoned,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut log = self.shared.log();
        log[self.index].ended = Some(self.shared.started.elapsed());
        log[self.index].outcome = self.outcome;
        self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.shared.in_flight_changed.notify_waiters();
    }
}
// ANCHOR_END: in_flight

/// Scripts the paths of a [`TestServer`] before starting it.
#[derive(Debug, Clone)]
pub struct Builder {
    routes: HashMap<String, Reply>,
    fallback: Option<Reply>,
}

impl Builder {
    /// Answers requests for exactly `path` (query strings are ignored when
    /// matching) with `reply`.
    pub fn route(mut self, path: impl Into<String>, reply: Reply) -> Builder {
        self.routes.insert(path.into(), reply);
        self
    }

    /// Answers every path without a route of its own with `reply`. Without a
    /// fallback, those paths get `404 Not Found`.
    pub fn fallback(mut self, reply: Reply) -> Builder {
        self.fallback = Some(reply);
        self
    }

    /// Binds `127.0.0.1` on a free port and starts serving.
    ///
    /// # Panics
    ///
    /// If the port cannot be bound or the server thread cannot start.
    pub fn start(self) -> TestServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = listener.local_addr().expect("the listener's address");
        let shared = Arc::new(Shared {
            routes: self.routes,
            fallback: self.fallback.unwrap_or(Reply::status(404, "no such path")),
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
            in_flight_changed: tokio::sync::Notify::new(),
            log: Mutex::new(Vec::new()),
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("test-kit-server".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || serve(listener, shared, stop_rx)
            })
            .expect("start the server thread");
        TestServer {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

/// A running loopback server. Dropping it stops the server and joins its
/// thread; requests still open are cut off.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Sending on (or dropping) this tells the server to stop.
    stop: Option<oneshot::Sender<()>>,
    /// The server's thread, joined on drop.
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// A server to script with [`Builder::route`].
    pub fn builder() -> Builder {
        Builder {
            routes: HashMap::new(),
            fallback: None,
        }
    }

    /// The address the server listens on (`127.0.0.1` and a free port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The full URL of `path` on this server, for example
    /// `http://127.0.0.1:38121/slow`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Requests being handled right now.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// The largest number of requests that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log().clone()
    }

    /// The requests so far as a small text picture, for a test's failure
    /// message: see [`timeline`].
    pub fn timeline(&self, limit: usize) -> String {
        timeline(&self.requests(), limit)
    }

    /// How many requests have arrived so far.
    pub fn request_count(&self) -> usize {
        self.shared.log().len()
    }

    /// Waits (polling, up to `timeout`) until `condition` holds for this
    /// server; returns whether it did. Handy to act at a known moment, for
    /// example "once 3 requests are in flight, cancel the client".
    pub fn wait_until(&self, timeout: Duration, condition: impl Fn(&TestServer) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if condition(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread is a bug in the kit, not in the
            // code under test; do not turn it into a second panic here.
            let _ = thread.join();
        }
    }
}

/// The server thread: accept connections until told to stop.
fn serve(listener: std::net::TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build the server's runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("register the listener");
        let router = Router::new().fallback(handle).with_state(shared);
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut stop => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        // Dropping the set aborts every open connection, including requests
        // that were never going to be answered.
        drop(connections);
    });
    // Dropping the runtime here, on its own thread, frees everything before
    // the thread ends and `TestServer::drop` returns from `join`.
}

/// Lets a handler close the connection it arrived on.
#[derive(Clone)]
struct DropSwitch(Arc<Notify>);

async fn serve_connection(stream: tokio::net::TcpStream, router: Router) {
    let switch = DropSwitch(Arc::new(Notify::new()));
    let service = {
        let switch = switch.clone();
        hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(switch.clone());
            let router = router.clone();
            async move {
                Ok::<_, Infallible>(
                    router
                        .oneshot(request.map(axum::body::Body::new))
                        .await
                        .into_response(),
                )
            }
        })
    };
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        // Dropping the connection future closes the socket mid-request.
        () = switch.0.notified() => {}
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let full_path = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let reply = shared.routes.get(&path).unwrap_or(&shared.fallback).clone();
    let mut in_flight = InFlight::enter(&shared, full_path);
    if let Some((wanted, at_most)) = reply.hold {
        let enough = async {
            loop {
                let changed = shared.in_flight_changed.notified();
                if shared.in_flight.load(Ordering::SeqCst) >= wanted {
                    return;
                }
                changed.await;
            }
        };
        let _ = tokio::time::timeout(at_most, enough).await;
    }
    tokio::time::sleep(reply.delay).await;
    match reply.behavior {
        Behavior::Respond => {
            let status = StatusCode::from_u16(reply.status).expect("checked in Reply::status");
            // The request stays in flight until its body is out: the guard
            // travels with the body, and hyper drops the body when it has
            // sent the last byte or when the client goes away.
            let body = ScriptedBody::new(
                reply.body.into_bytes(),
                reply.body_shape,
                in_flight,
                reply.status,
            );
            (status, axum::body::Body::new(body)).into_response()
        }
        Behavior::NeverAnswer => std::future::pending().await,
        Behavior::DropConnection => {
            in_flight.outcome = Outcome::Dropped;
            if let Some(switch) = request.extensions().get::<DropSwitch>() {
                switch.0.notify_one();
            }
            std::future::pending().await
        }
    }
}

/// How long a body cut short waits, after its part, before the connection
/// is closed.
const CUT_AFTER: Duration = Duration::from_millis(20);

/// A response body sent as a [`Reply`] scripts it, which owns the request's
/// [`InFlight`] guard until the body is over.
struct ScriptedBody {
    /// What is left to send, in order.
    chunks: std::collections::VecDeque<Bytes>,
    /// The pause between two chunks.
    every: Duration,
    /// The pause running now, if any.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The length the headers announce.
    length: u64,
    /// Whether the body ends in an error (the connection closed early)
    /// instead of at its end.
    cut_short: bool,
    /// Counts the request in flight; dropped when the body is over.
    in_flight: Option<InFlight>,
    /// The status, for the request log.
    status: u16,
}

impl ScriptedBody {
    fn new(body: Vec<u8>, shape: BodyShape, in_flight: InFlight, status: u16) -> ScriptedBody {
        let body = Bytes::from(body);
        let length = body.len() as u64;
        let (chunks, every, cut_short) = match shape {
            BodyShape::Whole => (vec![body], Duration::ZERO, false),
            BodyShape::Chunks(n, every) => {
                let size = body.len().div_ceil(n).max(1);
                let chunks = (0..body.len())
                    .step_by(size)
                    .map(|at| body.slice(at..(at + size).min(body.len())))
                    .collect();
                (chunks, every, false)
            }
            BodyShape::CutShort => (vec![body.slice(..body.len() / 2)], Duration::ZERO, true),
        };
        let chunks: std::collections::VecDeque<Bytes> = chunks
            .into_iter()
            .filter(|chunk| !chunk.is_empty())
            .collect();
        let mut in_flight = Some(in_flight);
        if chunks.is_empty() && !cut_short {
            // Nothing to send: the answer is complete with its headers.
            if let Some(mut in_flight) = in_flight.take() {
                in_flight.outcome = Outcome::Answered(status);
            }
        }
        ScriptedBody {
            chunks,
            every,
            pause: None,
            length,
            cut_short,
            in_flight,
            status,
        }
    }

    /// Ends the request in the log with `outcome`.
    fn finish(&mut self, outcome: Outcome) {
        if let Some(mut in_flight) = self.in_flight.take() {
            in_flight.outcome = outcome;
        }
    }
}

impl hyper::body::Body for ScriptedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        use std::task::Poll;
        if let Some(pause) = self.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        if let Some(chunk) = self.chunks.pop_front() {
            if !self.chunks.is_empty() && !self.every.is_zero() {
                self.pause = Some(Box::pin(tokio::time::sleep(self.every)));
            } else if self.chunks.is_empty() {
                if self.cut_short {
                    // Give hyper a moment to put the headers and this part
                    // on the wire before the connection is cut.
                    self.pause = Some(Box::pin(tokio::time::sleep(CUT_AFTER)));
                } else {
                    // The last byte: hyper knows the length and may drop
                    // the body without asking for more, so the request
                    // ends here.
                    let status = self.status;
                    self.finish(Outcome::Answered(status));
                }
            }
            return Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk))));
        }
        if self.cut_short {
            self.finish(Outcome::CutShort);
            // An error from the body makes hyper close the connection
            // without sending the rest that Content-Length promised.
            return Poll::Ready(Some(Err(std::io::Error::other("cut short, as scripted"))));
        }
        let status = self.status;
        self.finish(Outcome::Answered(status));
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && self.pause.is_none() && !self.cut_short
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.length)
    }
}

/// How many columns of time a [`timeline`] has.
const TIMELINE_COLUMNS: usize = 48;

/// How many requests a [`timeline`] draws a row for; the rest are counted.
const TIMELINE_ROWS: usize = 8;

/// Draws `requests` (a [`TestServer`]'s log) as a text timeline: first a
/// row with how many were in flight in each column of time, against
/// `limit`; then one row per request in order of arrival (the first
/// eight), time across, `█` where the request was in flight. Batches, one
/// at a time and all at once look different:
///
/// ```
/// use std::time::Duration;
/// use test_kit::server::{Outcome, RequestRecord, timeline};
///
/// // Two batches of two: /page/1 is slower, and the next batch waits for it.
/// let request = |path: &str, from: u64, to: u64| RequestRecord {
///     path: path.to_owned(),
///     arrived: Duration::from_millis(from),
///     ended: Some(Duration::from_millis(to)),
///     outcome: Outcome::Answered(200),
/// };
/// let log = [
///     request("/page/0", 0, 40),
///     request("/page/1", 0, 60),
///     request("/page/2", 61, 100),
///     request("/page/3", 61, 120),
/// ];
/// assert_eq!(
///     timeline(&log, 2),
///     "The requests as the test server saw them (time across, 0 to 120 ms; █ in flight):
///   in flight  222222222222222211111111222222222222222211111111  (peak 2, limit 2)
///   /page/0    ████████████████
///   /page/1    ████████████████████████
///   /page/2                            ████████████████
///   /page/3                            ████████████████████████
/// "
/// );
/// ```
///
/// A request still in flight runs to the right edge. Columns are whole
/// slices of the span, so two requests that follow each other closely can
/// share a column: the in-flight row counts the most at any one instant of
/// the column, never the sum.
pub fn timeline(requests: &[RequestRecord], limit: usize) -> String {
    if requests.is_empty() {
        return "The test server received no request.\n".to_owned();
    }
    let end = requests
        .iter()
        .map(|r| r.ended.unwrap_or(r.arrived).max(r.arrived))
        .max()
        .unwrap_or_default()
        .max(Duration::from_millis(1));
    let span = end.as_nanos();
    let column_of = |t: Duration| {
        let c = t.as_nanos() * TIMELINE_COLUMNS as u128 / span;
        (c as usize).min(TIMELINE_COLUMNS - 1)
    };
    let width = requests
        .iter()
        .take(TIMELINE_ROWS)
        .map(|r| shown_path(&r.path).chars().count())
        .max()
        .unwrap_or(0)
        .max("in flight".len());
    let mut rows = String::new();
    for r in requests.iter().take(TIMELINE_ROWS) {
        let from = column_of(r.arrived);
        // Up to, not including, its end: a request that ends where a column
        // begins is not drawn in it.
        let to = r.ended.map_or(TIMELINE_COLUMNS - 1, |ended| {
            column_of(ended.saturating_sub(Duration::from_nanos(1)).max(r.arrived))
        });
        let row: String = (0..TIMELINE_COLUMNS)
            .map(|c| if (from..=to).contains(&c) { '█' } else { ' ' })
            .collect();
        rows.push_str(&format!(
            "  {:<width$}  {}\n",
            shown_path(&r.path),
            row.trim_end()
        ));
    }
    if requests.len() > TIMELINE_ROWS {
        let more = requests.len() - TIMELINE_ROWS;
        rows.push_str(&format!(
            "  … and {more} more request{}\n",
            if more == 1 { "" } else { "s" }
        ));
    }
    // The most in flight at any instant of each column: requests change
    // the count only where they start and end, so look at those instants.
    let mut events: Vec<(Duration, bool)> = Vec::new();
    for r in requests {
        events.push((r.arrived, true));
        if let Some(ended) = r.ended {
            events.push((ended.max(r.arrived), false));
        }
    }
    // Ends before starts at the same instant: a slot handed on is not two.
    events.sort_by_key(|&(t, start)| (t, start));
    let mut most = [0usize; TIMELINE_COLUMNS];
    let mut now = 0usize;
    let mut next = 0;
    let apply = |now: &mut usize, start: bool| {
        if start {
            *now += 1;
        } else {
            *now = now.saturating_sub(1);
        }
    };
    for (c, most_here) in most.iter_mut().enumerate() {
        // A request is in flight from its arrival up to, not including, its
        // end: at the column's first instant, count what is in flight then.
        let column_start = span * c as u128 / TIMELINE_COLUMNS as u128;
        let column_end = span * (c as u128 + 1) / TIMELINE_COLUMNS as u128;
        while next < events.len() && events[next].0.as_nanos() <= column_start {
            apply(&mut now, events[next].1);
            next += 1;
        }
        *most_here = now;
        while next < events.len() && events[next].0.as_nanos() < column_end {
            apply(&mut now, events[next].1);
            *most_here = (*most_here).max(now);
            next += 1;
        }
    }
    let counts: String = most
        .iter()
        .map(|&n| match n {
            0..=9 => char::from(b'0' + n as u8),
            _ => '+',
        })
        .collect();
    let peak = most.iter().copied().max().unwrap_or(0);
    format!(
        "The requests as the test server saw them (time across, 0 to {} ms; █ in flight):\n  \
         {:<width$}  {counts}  (peak {peak}, limit {limit})\n{rows}",
        end.as_millis(),
        "in flight"
    )
}

/// A path short enough for a row label.
fn shown_path(path: &str) -> String {
    if path.chars().count() <= 20 {
        path.to_owned()
    } else {
        let head: String = path.chars().take(19).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod timeline_tests {
    use super::*;

    fn record(path: &str, from_ms: u64, to_ms: Option<u64>) -> RequestRecord {
        RequestRecord {
            path: path.to_owned(),
            arrived: Duration::from_millis(from_ms),
            ended: to_ms.map(Duration::from_millis),
            outcome: to_ms.map_or(Outcome::InFlight, |_| Outcome::Answered(200)),
        }
    }

    fn rows(picture: &str) -> Vec<&str> {
        picture.lines().skip(1).collect()
    }

    #[test]
    fn batches_one_at_a_time_and_all_at_once_look_different() {
        // Two batches of two.
        let batches = timeline(
            &[
                record("/a", 0, Some(48)),
                record("/b", 0, Some(60)),
                record("/c", 61, Some(100)),
                record("/d", 61, Some(120)),
            ],
            2,
        );
        let counts = rows(&batches)[0];
        assert!(counts.contains("(peak 2, limit 2)"), "{batches}");
        // The gap while /b finishes alone shows as 1s between the 2s.
        let digits: String = counts.chars().filter(char::is_ascii_digit).collect();
        let gap = digits.find("21").expect("the first batch thins out");
        assert!(
            digits.starts_with("22") && digits[gap..].contains("12"),
            "{batches}"
        );
        // One at a time: never more than one.
        let serial = timeline(
            &[
                record("/a", 0, Some(30)),
                record("/b", 30, Some(60)),
                record("/c", 60, Some(90)),
            ],
            3,
        );
        assert!(rows(&serial)[0].contains("(peak 1, limit 3)"), "{serial}");
        assert!(
            !rows(&serial)[0].contains('2'),
            "a hand-over is not two: {serial}"
        );
        // All at once: every row starts in the first column.
        let flood = timeline(
            &[
                record("/a", 0, Some(50)),
                record("/b", 0, Some(50)),
                record("/c", 0, Some(50)),
            ],
            1,
        );
        for row in &rows(&flood)[1..] {
            assert!(row.ends_with('█') && row.contains("  █"), "{flood}");
        }
        assert!(rows(&flood)[0].contains("(peak 3, limit 1)"), "{flood}");
    }

    #[test]
    fn a_request_in_flight_runs_to_the_edge_and_long_logs_are_cut() {
        let mut log = vec![record("/hang", 0, None)];
        log.extend((0..20).map(|i| record(&format!("/page/{i}"), i * 10, Some(i * 10 + 5))));
        let picture = timeline(&log, 4);
        let hang = rows(&picture)[1];
        assert_eq!(
            hang.chars().filter(|&c| c == '█').count(),
            TIMELINE_COLUMNS,
            "{picture}"
        );
        assert!(picture.contains("… and 13 more requests"), "{picture}");
        assert_eq!(timeline(&[], 1), "The test server received no request.\n");
    }
}

//! The loopback server answers as scripted and counts requests in flight
//! exactly. Every test runs inside the kit's own checks, so the server is also
//! shown to stop without leaving a thread behind.

use std::time::Duration;

use futures::future::join_all;
use test_kit::server::{Outcome, Reply, TestServer};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap()
}

#[test]
fn the_peak_in_flight_count_is_exact_under_a_known_load() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .fallback(Reply::ok("slow").after(Duration::from_millis(300)))
            .start();
        let client = client();
        let requests = (0..7).map(|i| client.get(server.url(&format!("/page/{i}"))).send());
        let responses = join_all(requests).await;
        assert!(
            responses
                .iter()
                .all(|r| r.as_ref().unwrap().status() == 200)
        );
        assert_eq!(server.peak_in_flight(), 7);
        assert_eq!(server.in_flight(), 0);
        assert_eq!(server.request_count(), 7);

        // One at a time never gets above one.
        let server = TestServer::builder()
            .fallback(Reply::ok("slow").after(Duration::from_millis(20)))
            .start();
        for i in 0..3 {
            client
                .get(server.url(&format!("/{i}")))
                .send()
                .await
                .unwrap();
        }
        assert_eq!(server.peak_in_flight(), 1);
    });
}

#[test]
fn paths_answer_with_their_scripted_status_and_body() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route("/ok", Reply::ok("hello"))
            .route("/missing", Reply::status(404, "gone"))
            .route("/error", Reply::status(500, "boom"))
            .start();
        let client = client();
        for (path, status, body) in [
            ("/ok", 200, "hello"),
            ("/missing", 404, "gone"),
            ("/error", 500, "boom"),
            ("/unscripted?x=1", 404, "no such path"),
        ] {
            let response = client.get(server.url(path)).send().await.unwrap();
            assert_eq!(response.status().as_u16(), status, "{path}");
            assert_eq!(response.text().await.unwrap(), body, "{path}");
        }
        let log = server.requests();
        let paths: Vec<_> = log.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/ok", "/missing", "/error", "/unscripted?x=1"]);
        assert_eq!(log[2].outcome, Outcome::Answered(500));
        assert!(log.iter().all(|r| r.ended.is_some()));
    });
}

#[test]
fn latency_is_applied_before_the_answer() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route("/slow", Reply::ok("late").after(Duration::from_millis(100)))
            .start();
        let start = std::time::Instant::now();
        client().get(server.url("/slow")).send().await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(100));
        let record = &server.requests()[0];
        assert!(record.ended.unwrap() - record.arrived >= Duration::from_millis(100));
    });
}

#[test]
fn a_path_that_never_answers_runs_into_the_client_timeout() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route("/hang", Reply::never_answers())
            .start();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let error = client.get(server.url("/hang")).send().await.unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        // The client hung up, so the server stops counting the request.
        assert!(server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 0));
        assert_eq!(server.requests()[0].outcome, Outcome::Abandoned);
    });
}

#[test]
fn a_dropped_connection_is_a_connection_error_for_the_client() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route(
                "/crash",
                Reply::drops_connection().after(Duration::from_millis(10)),
            )
            .start();
        let error = client().get(server.url("/crash")).send().await.unwrap_err();
        assert!(!error.is_timeout() && !error.is_status(), "{error:?}");
        assert!(server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 0));
        assert_eq!(server.requests()[0].outcome, Outcome::Dropped);
    });
}

#[test]
fn a_request_the_client_drops_is_no_longer_in_flight() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route("/slow", Reply::ok("late").after(Duration::from_secs(60)))
            .start();
        let client = client();
        let request = tokio::spawn(client.get(server.url("/slow")).send());
        assert!(server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 1));
        request.abort();
        assert!(server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 0));
        assert_eq!(server.requests()[0].outcome, Outcome::Abandoned);
    });
}

#[test]
fn the_server_works_without_any_runtime_in_the_test() {
    // Synchronous test, plain std: the server brings its own runtime and
    // thread, and `run` checks that dropping it joins that thread.
    test_kit::run(|| {
        let server = TestServer::builder().route("/", Reply::ok("plain")).start();
        let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
        use std::io::{Read, Write};
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert!(answer.ends_with("plain"));
    });
}

#[test]
fn a_held_request_waits_for_the_others_or_for_its_time_limit() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route(
                "/together",
                Reply::ok("x").hold_until_in_flight(3, Duration::from_secs(4)),
            )
            .route(
                "/alone",
                Reply::ok("x").hold_until_in_flight(2, Duration::from_millis(150)),
            )
            .start();
        let client = client();
        // Three at once release each other at once: well before the 4s limit.
        let started = std::time::Instant::now();
        let together = (0..3).map(|_| client.get(server.url("/together")).send());
        assert!(join_all(together).await.iter().all(|r| r.is_ok()));
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(server.peak_in_flight(), 3);
        // Alone, a request waits out its limit, then is answered.
        let started = std::time::Instant::now();
        client.get(server.url("/alone")).send().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));
    });
}

#[test]
fn a_request_is_in_flight_until_its_last_body_byte_is_sent() {
    test_kit::run_async(|| async {
        let body: String = (0..50).map(|i| format!("line {i}\n")).collect();
        let server = TestServer::builder()
            .route(
                "/trickle",
                Reply::ok(body.clone()).body_in_chunks(5, Duration::from_millis(60)),
            )
            .start();
        let response = client().get(server.url("/trickle")).send().await.unwrap();
        // The headers are here, but four pauses of 60 ms are still to come.
        assert_eq!(
            server.in_flight(),
            1,
            "a request whose body is still being sent counts as in flight"
        );
        assert_eq!(
            response.text().await.unwrap(),
            body,
            "every chunk arrives, in order"
        );
        assert!(server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 0));
        let record = &server.requests()[0];
        assert_eq!(record.outcome, Outcome::Answered(200));
        assert!(
            record.ended.unwrap() - record.arrived >= Duration::from_millis(4 * 60),
            "the request ended when its body was out, not when its headers were: {record:?}"
        );
    });
}

#[test]
fn a_client_that_stops_reading_a_trickled_body_abandons_the_request() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route(
                "/trickle",
                Reply::ok("x".repeat(1000)).body_in_chunks(10, Duration::from_millis(200)),
            )
            .start();
        let response = client().get(server.url("/trickle")).send().await.unwrap();
        drop(response);
        assert!(
            server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 0),
            "dropping the response closes the connection, which ends the request"
        );
        assert_eq!(server.requests()[0].outcome, Outcome::Abandoned);
    });
}

#[test]
fn a_body_cut_short_is_an_error_for_a_client_that_reads_it() {
    test_kit::run_async(|| async {
        let server = TestServer::builder()
            .route("/cut", Reply::ok("a whole page of text").cut_short())
            .start();
        let response = client().get(server.url("/cut")).send().await.unwrap();
        assert_eq!(response.status(), 200, "the headers arrive as usual");
        assert_eq!(
            response.content_length(),
            Some(20),
            "the headers announce the whole body"
        );
        let error = response
            .text()
            .await
            .expect_err("half a body, then a closed connection, is an error, not a shorter page");
        assert!(error.is_body() || error.is_decode(), "{error:?}");
        assert!(server.wait_until(Duration::from_secs(2), |s| s.in_flight() == 0));
        assert_eq!(server.requests()[0].outcome, Outcome::CutShort);
    });
}

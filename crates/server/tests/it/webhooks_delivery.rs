//! Webhook delivery under failure: a receiver that is down, a server restarted in the middle
//! of a retry schedule, several dispatchers on one database, refused addresses, redirects,
//! the 15 s timeout, and a consumer disabled after 5 days of failures. The dispatcher's clock
//! is moved forward instead of waiting.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ledgerbridge::Application;
use ledgerbridge_domain::Timestamp;
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::outbox::MessageRow;
use ledgerbridge_store::webhooks::WebhookConsumerRow;
use ledgerbridge_webhooks::{Dispatcher, DispatcherConfig, ManualClock};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, test_config};
use crate::webhooks::subscribe;
use crate::webhooks_receiver::Receiver;

/// Polls the consumer's messages until `done` holds (at most 60 s).
async fn wait_messages(
    store: &Store,
    consumer: &str,
    what: &str,
    done: impl Fn(&[MessageRow]) -> bool,
) -> Vec<MessageRow> {
    let id: uuid::Uuid = consumer.parse().expect("uuid");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let msgs = store.list_messages(id).await.expect("messages");
        if done(&msgs) {
            return msgs;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {msgs:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn attempts(msgs: &[MessageRow]) -> Vec<u32> {
    msgs.iter().map(|m| m.attempts).collect()
}

fn idle(msgs: &[MessageRow], n: u32) -> bool {
    !msgs.is_empty() && msgs.iter().all(|m| m.attempts == n && !m.leased)
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_every_message_with_the_same_webhook_id() {
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let clock = ManualClock::new();
    let app =
        TestApp::spawn_with_clock(|c| c.webhooks_allow_private = true, Arc::new(clock.clone()))
            .await;
    let id = subscribe(
        &app,
        &receiver,
        "down",
        json!({"eventTypes": ["company.created"]}),
    )
    .await;
    for name in ["A", "B", "C"] {
        app.create_company(json!({"name": name})).await;
    }
    let store = app.store().await;
    // The first attempt and the immediate retry fail; the next waits 5 s.
    let msgs = wait_messages(&store, &id, "two failed attempts each", |m| {
        m.len() == 3 && idle(m, 2)
    })
    .await;
    assert!(msgs.iter().all(|m| m.status == "Pending"));
    let (_, log) = app
        .get(&format!("/webhooks/{id}/attempts?pageSize=50"))
        .await;
    assert_eq!(log["totalResults"], 6);
    assert_eq!(log["results"][0]["statusCode"], 503);
    assert_eq!(
        log["results"][0]["error"],
        "The endpoint answered 503 Service Unavailable."
    );
    assert_eq!(log["results"][0]["delivered"], false);

    receiver.answer(200);
    clock.advance(Duration::from_secs(6));
    let msgs = wait_messages(&store, &id, "delivery", |m| {
        m.iter().all(|m| m.status == "Delivered")
    })
    .await;
    assert_eq!(attempts(&msgs), [3, 3, 3]);
    let got = receiver.received_by("down");
    assert_eq!(got.len(), 9);
    assert_eq!(receiver.unverified(), 0);
    for m in &msgs {
        let webhook_id = format!("msg_{}", m.event_id.replace('-', ""));
        let same: Vec<_> = got.iter().filter(|r| r.webhook_id == webhook_id).collect();
        assert_eq!(
            same.len(),
            3,
            "every attempt of a message carries its webhook-id"
        );
        assert!(
            same.iter().all(|r| r.body == same[0].body),
            "the same body each time"
        );
        assert_eq!(
            same.iter().map(|r| r.answered).collect::<Vec<_>>(),
            [503, 503, 200]
        );
    }
}

#[tokio::test]
async fn a_restart_in_the_middle_of_the_schedule_keeps_it() {
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let clock = ManualClock::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(&dir).await;
    config.webhooks_allow_private = true;
    let start = |config: ledgerbridge::Config, clock: ManualClock| async move {
        let app = Application::build_with(
            config,
            ledgerbridge::Seams {
                clock: Arc::new(clock),
                ..Default::default()
            },
        )
        .await
        .expect("builds");
        let base = format!("http://{}", app.local_addr());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        (base, stop, running)
    };
    let (base, stop, running) = start(config.clone(), clock.clone()).await;
    let app = TestApp::attach(&base, &config.database_url);
    let id = subscribe(
        &app,
        &receiver,
        "restart",
        json!({"eventTypes": ["company.created"]}),
    )
    .await;
    app.create_company(json!({"name": "A"})).await;
    let store = app.store().await;
    wait_messages(&store, &id, "two attempts", |m| idle(m, 2)).await;
    clock.advance(Duration::from_secs(6));
    let before = wait_messages(&store, &id, "three attempts", |m| idle(m, 3)).await;
    // Third failure: the next attempt is 5 minutes later.
    let wait = before[0].next_attempt_at.as_datetime() - clock_now(&clock).as_datetime();
    assert!((250..=300).contains(&wait.num_seconds()), "{wait}");

    let _ = stop.send(());
    running.await.expect("joins").expect("stops cleanly");
    let (_base, stop, running) = start(config.clone(), clock.clone()).await;
    let after = store
        .list_messages(id.parse().expect("uuid"))
        .await
        .expect("messages");
    assert_eq!(
        (
            after[0].attempts,
            after[0].next_attempt_at,
            after[0].status.as_str()
        ),
        (3, before[0].next_attempt_at, "Pending"),
        "the schedule survived the restart"
    );
    // Not due yet: the restarted dispatcher leaves it alone while the clock is before it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received_by("restart").len(), 3);
    receiver.answer(200);
    clock.advance(Duration::from_secs(301));
    let done = wait_messages(&store, &id, "delivery after the restart", |m| {
        m.iter().all(|m| m.status == "Delivered")
    })
    .await;
    assert_eq!(done[0].attempts, 4);
    let got = receiver.received_by("restart");
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|r| r.webhook_id == got[0].webhook_id));
    assert_eq!(receiver.unverified(), 0);
    let _ = stop.send(());
    running.await.expect("joins").expect("stops cleanly");
}

fn clock_now(clock: &ManualClock) -> Timestamp {
    ledgerbridge_webhooks::Clock::now(clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_dispatchers_never_send_a_message_twice_at_once() {
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_millis(5));
    receiver.fail_first_attempts();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = ledgerbridge_store::testing::fresh_database_url(dir.path()).await;
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let secrets = SecretBox::new(&SecretBox::generate_key());
    let mut consumers = Vec::new();
    for name in ["d0", "d1", "d2", "d3"] {
        let row = WebhookConsumerRow {
            id: uuid::Uuid::now_v7(),
            url: receiver.url(name),
            disabled: false,
            event_types: vec!["company.created".into()],
            company_tags: None,
            created: Timestamp::now(),
            failing_since: None,
        };
        let secret = ledgerbridge_webhooks::signing::generate_secret();
        store
            .insert_webhook_consumer(&row, &secret, &secrets)
            .await
            .expect("consumer");
        receiver.expect_secret(name, &secret);
        consumers.push(row.id);
    }
    const COMPANIES: usize = 60;
    for i in 0..COMPANIES {
        let c = ledgerbridge_store::companies::CompanyRow {
            id: ledgerbridge_domain::CompanyId::new(),
            name: format!("C{i}"),
            description: None,
            tags: Default::default(),
            platform: String::new(),
            created: Timestamp::now(),
            last_sync: None,
        };
        store.insert_company(&c, None).await.expect("company");
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut running = Vec::new();
    for _ in 0..4 {
        let mut config = DispatcherConfig::new("http://ledgerbridge.invalid", true);
        config.per_consumer = 4;
        config.poll_interval = Duration::from_millis(10);
        let d = Dispatcher::new(
            store.clone(),
            secrets.clone(),
            config,
            Arc::new(ManualClock::new()),
        )
        .expect("dispatcher");
        running.push(tokio::spawn(d.run(stopped.clone())));
    }
    let total = COMPANIES * consumers.len();
    receiver
        .wait_for("every message", |g| {
            g.iter().filter(|r| r.answered == 200).count() == total
        })
        .await;
    let _ = stop.send(true);
    for r in running {
        r.await.expect("dispatcher stops");
    }
    assert_eq!(
        receiver.overlaps(),
        0,
        "a message was in flight twice at once"
    );
    assert_eq!(receiver.unverified(), 0);
    let got = receiver.received();
    // Exactly the failed first attempt and the retry of each: nothing sent twice otherwise.
    assert_eq!(got.len(), 2 * total);
    let mut per_id: std::collections::HashMap<&str, Vec<u16>> = Default::default();
    for r in &got {
        per_id
            .entry(r.webhook_id.as_str())
            .or_default()
            .push(r.answered);
    }
    assert_eq!(
        per_id.len(),
        COMPANIES,
        "one webhook id per event, shared by its consumers"
    );
    for (id, answers) in per_id {
        assert_eq!(
            answers.iter().filter(|a| **a == 200).count(),
            consumers.len(),
            "{id}"
        );
    }
    for c in consumers {
        let msgs = store.list_messages(c).await.expect("messages");
        assert!(
            msgs.iter()
                .all(|m| m.status == "Delivered" && m.attempts == 2 && !m.leased)
        );
    }
}

/// A server with a known secret-sealing key, so consumers can be stored behind the API's
/// back, and that key.
async fn app_with_key(allow_private: bool, clock: ManualClock) -> (TestApp, SecretBox) {
    use base64::Engine;
    let key = SecretBox::generate_key();
    let encoded = base64::engine::general_purpose::STANDARD.encode(key);
    let app = TestApp::spawn_with_clock(
        |c| {
            c.secret_key = Some(encoded);
            c.webhooks_allow_private = allow_private;
        },
        Arc::new(clock),
    )
    .await;
    (app, SecretBox::new(&key))
}

/// Stores a consumer directly (no URL checks) and registers its secret at the receiver.
async fn store_consumer(
    store: &Store,
    secrets: &SecretBox,
    receiver: &Receiver,
    name: &str,
    url: String,
) -> String {
    let row = WebhookConsumerRow {
        id: uuid::Uuid::now_v7(),
        url,
        disabled: false,
        event_types: vec!["company.created".into()],
        company_tags: None,
        created: Timestamp::now(),
        failing_since: None,
    };
    let secret = ledgerbridge_webhooks::signing::generate_secret();
    store
        .insert_webhook_consumer(&row, &secret, secrets)
        .await
        .expect("consumer");
    receiver.expect_secret(name, &secret);
    row.id.to_string()
}

async fn attempt_log(app: &TestApp, consumer: &str) -> serde_json::Value {
    let (s, log) = app
        .get(&format!("/webhooks/{consumer}/attempts?pageSize=100"))
        .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log
}

#[tokio::test]
async fn private_addresses_are_refused_at_delivery_unless_allowed() {
    let receiver = Receiver::start().await;
    let (app, secrets) = app_with_key(false, ManualClock::new()).await;
    let store = app.store().await;
    let port = receiver.base.rsplit(':').next().expect("port").to_string();
    // The API refuses such URLs up front.
    for url in [
        format!("http://127.0.0.1:{port}/hook/x"),
        format!("http://localhost:{port}/hook/x"),
    ] {
        let (s, err) = app
            .post(
                "/webhooks",
                json!({"url": url, "eventTypes": ["company.created"]}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    }
    // Stored behind its back (as a name that comes to resolve privately would be), the
    // dispatcher refuses them at delivery: an IP literal, and a name resolving to loopback.
    let literal = store_consumer(
        &store,
        &secrets,
        &receiver,
        "literal",
        format!("http://127.0.0.1:{port}/hook/literal"),
    )
    .await;
    let named = store_consumer(
        &store,
        &secrets,
        &receiver,
        "named",
        format!("http://localhost:{port}/hook/named"),
    )
    .await;
    app.create_company(json!({"name": "A"})).await;
    for consumer in [&literal, &named] {
        wait_messages(&store, consumer, "refused attempts", |m| idle(m, 2)).await;
        let log = attempt_log(&app, consumer).await;
        for a in log["results"].as_array().expect("results") {
            let error = a["error"].as_str().unwrap_or_default();
            assert!(
                error.contains("loopback") && error.contains("LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE"),
                "{a}"
            );
            assert!(a.get("statusCode").is_none(), "{a}");
        }
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the private address"
    );

    // Allowed, the same receiver gets its message.
    let allowed = TestApp::spawn_with(|c| c.webhooks_allow_private = true).await;
    subscribe(
        &allowed,
        &receiver,
        "allowed",
        json!({"eventTypes": ["company.created"]}),
    )
    .await;
    allowed.create_company(json!({"name": "A"})).await;
    receiver
        .wait_for("the allowed delivery", |g| g.len() == 1)
        .await;
    assert_eq!(receiver.unverified(), 0);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let receiver = Receiver::start().await;
    let (app, secrets) = app_with_key(true, ManualClock::new()).await;
    let store = app.store().await;
    let id = store_consumer(
        &store,
        &secrets,
        &receiver,
        "redirected",
        format!("{}/redirect", receiver.base),
    )
    .await;
    app.create_company(json!({"name": "A"})).await;
    wait_messages(&store, &id, "two attempts", |m| idle(m, 2)).await;
    let log = attempt_log(&app, &id).await;
    let first = &log["results"][0];
    assert_eq!(first["statusCode"], 302, "{first}");
    assert_eq!(first["delivered"], false);
    assert!(
        first["error"]
            .as_str()
            .unwrap_or_default()
            .contains("redirects are not followed")
    );
    assert!(
        receiver.received_by("redirected").is_empty(),
        "the redirect target got nothing"
    );
}

#[tokio::test]
async fn an_endpoint_that_does_not_answer_in_15_seconds_failed() {
    let receiver = Receiver::start().await;
    let (app, secrets) = app_with_key(true, ManualClock::new()).await;
    let store = app.store().await;
    let id = store_consumer(
        &store,
        &secrets,
        &receiver,
        "slow",
        format!("{}/slow", receiver.base),
    )
    .await;
    app.create_company(json!({"name": "A"})).await;
    wait_messages(&store, &id, "a timed-out attempt", |m| {
        m.iter().all(|m| m.attempts >= 1)
    })
    .await;
    let log = attempt_log(&app, &id).await;
    let first = &log["results"]
        .as_array()
        .expect("results")
        .last()
        .cloned()
        .unwrap_or_default();
    assert_eq!(first["error"], "No answer within 15 s.", "{first}");
    assert!(first.get("statusCode").is_none());
    assert!(
        first["durationMs"].as_u64().unwrap_or(0) >= 15_000,
        "{first}"
    );
}

#[tokio::test]
async fn a_consumer_failing_everything_for_five_days_is_disabled() {
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let clock = ManualClock::new();
    let app =
        TestApp::spawn_with_clock(|c| c.webhooks_allow_private = true, Arc::new(clock.clone()))
            .await;
    let id = subscribe(
        &app,
        &receiver,
        "failing",
        json!({"eventTypes": ["company.created"]}),
    )
    .await;
    app.create_company(json!({"name": "A"})).await;
    let store = app.store().await;
    // Walk the whole schedule: 9 attempts over about 28 hours, all failing. Whenever the
    // message waits for its next attempt, move the clock past it.
    let consumer: uuid::Uuid = id.parse().expect("uuid");
    let deadline = Instant::now() + Duration::from_secs(60);
    let msgs = loop {
        let msgs = store.list_messages(consumer).await.expect("messages");
        if msgs.len() == 1 && msgs[0].status == "Failed" {
            break msgs;
        }
        assert!(
            Instant::now() < deadline,
            "the schedule did not end: {msgs:?}"
        );
        if let Some(m) = msgs.first()
            && !m.leased
            && m.attempts > 0
            && m.next_attempt_at.as_datetime() > clock_now(&clock).as_datetime()
        {
            let wait = (m.next_attempt_at.as_datetime() - clock_now(&clock).as_datetime())
                .to_std()
                .unwrap_or_default();
            clock.advance(wait + Duration::from_secs(1));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(attempts(&msgs), [9]);
    let (_, list) = app.get("/webhooks").await;
    assert_eq!(
        list["results"][0]["disabled"], false,
        "failing for less than 5 days"
    );

    // Days later, still failing: the next failure disables it.
    clock.advance(Duration::from_secs(4 * 24 * 3600));
    app.create_company(json!({"name": "B"})).await;
    wait_messages(&store, &id, "the failure after 5 days", |m| {
        m.len() == 2 && m[1].attempts >= 1
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, list) = app.get("/webhooks").await;
        if list["results"][0]["disabled"] == true {
            break;
        }
        assert!(Instant::now() < deadline, "not disabled: {list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = receiver.received_by("failing").len();
    app.create_company(json!({"name": "C"})).await;
    let msgs = store
        .list_messages(id.parse().expect("uuid"))
        .await
        .expect("messages");
    assert_eq!(msgs.len(), 2, "a disabled consumer is sent nothing new");
    // Its pending retry is not attempted either.
    clock.advance(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received_by("failing").len(), before);
    assert_eq!(receiver.unverified(), 0);
}

#[tokio::test]
async fn https_consumers_are_reached_over_tls_and_their_certificate_is_checked() {
    // A listener that records the first bytes a client sends and then hangs up: a TLS
    // client opens with a handshake record (0x16, 0x03, ..), a plain HTTP one with "POST".
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (first_bytes_tx, first_bytes) = tokio::sync::oneshot::channel::<Vec<u8>>();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 3];
            let _ = socket.read_exact(&mut buf).await;
            let _ = first_bytes_tx.send(buf);
        }
    });
    let app = TestApp::spawn_with(|c| c.webhooks_allow_private = true).await;
    let (s, consumer) = app
        .post(
            "/webhooks",
            json!({"url": format!("https://127.0.0.1:{port}/hook"), "eventTypes": ["company.created"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{consumer}");
    let id = consumer["id"].as_str().expect("id").to_string();
    app.create_company(json!({"name": "Platypus Properties"}))
        .await;
    let bytes = tokio::time::timeout(Duration::from_secs(30), first_bytes)
        .await
        .expect("the dispatcher connected")
        .expect("bytes read");
    assert_eq!(&bytes[..2], &[0x16, 0x03], "a TLS handshake, got {bytes:?}");
    // The listener is no TLS server: the attempt fails and says so.
    let store = app.store().await;
    let msgs = wait_messages(&store, &id, "a failed attempt", |m| {
        m.iter().any(|m| m.attempts >= 1 && !m.leased)
    })
    .await;
    assert_eq!(msgs[0].status, "Pending", "retried later");
    let (_, log) = app
        .get(&format!("/webhooks/{id}/attempts?pageSize=50"))
        .await;
    let first = &log["results"][0];
    assert_eq!(first["delivered"], false, "{log}");
    assert!(first["error"].is_string(), "{log}");
}

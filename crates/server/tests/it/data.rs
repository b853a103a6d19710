//! Queueing syncs, data status and pull history.

use ledgerbridge_domain::platform::ConnectionStatus;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};

/// A company with a Sandbox connection in `status` (set directly in the database: linking
/// goes through the Link pages).
async fn company_with_connection(app: &TestApp, status: ConnectionStatus) -> (String, String) {
    let (company, conn) = app.create_sandbox_company("Acme").await;
    if status != ConnectionStatus::PendingAuth {
        let store = app.store().await;
        store
            .transition_connection(
                company.parse().expect("uuid"),
                conn.parse().expect("uuid"),
                &[ConnectionStatus::PendingAuth],
                status,
            )
            .await
            .expect("transition");
    }
    (company, conn)
}

#[tokio::test]
async fn queue_status_history_and_conflict() {
    let app = TestApp::spawn().await;
    let (company, conn) = company_with_connection(&app, ConnectionStatus::Linked).await;

    let (s, status) = app.get(&format!("/companies/{company}/dataStatus")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(status, json!({}), "nothing queued yet: no entries");

    let (s, op) = app
        .post(
            &format!("/companies/{company}/data/queue/invoices"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{op}");
    assert_eq!(op["status"], "Queued");
    assert_eq!(op["dataType"], "invoices");
    assert_eq!(op["connectionId"], conn.as_str());
    assert_eq!(
        (
            op["isCompleted"].clone(),
            op["isErrored"].clone(),
            op["progress"].clone()
        ),
        (json!(false), json!(false), json!(0))
    );
    assert!(op.get("completed").is_none());
    let id = op["id"].as_str().expect("id").to_string();

    let (s, body) = app
        .post(
            &format!("/companies/{company}/data/queue/invoices"),
            json!({}),
        )
        .await;
    let msg = assert_error(s, &body, StatusCode::CONFLICT);
    assert_eq!(
        msg,
        format!(
            "DatasetAlreadyInProgressException: Cannot queue invoices sync for {company} as previous sync {id} is still in progress"
        )
    );

    let (_, status) = app.get(&format!("/companies/{company}/dataStatus")).await;
    assert_eq!(
        status["invoices"],
        json!({"dataType": "invoices", "currentStatus": "Queued", "latestSyncId": id})
    );

    let (s, one) = app
        .get(&format!("/companies/{company}/data/history/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one, op);
    let (s, history) = app
        .get(&format!(
            "/companies/{company}/data/history?query=status%3DQueued&orderBy=-requested"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{history}");
    assert_eq!(history["totalResults"], 1);
    assert_eq!(history["results"][0], op);
    let (s, body) = app
        .get(&format!(
            "/companies/{company}/data/history?query=isCompleted%3Dtrue"
        ))
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::BAD_REQUEST),
        "Error parsing query - Could not resolve property isCompleted on Dataset"
    );

    // `/data/all` queues every fetch-on-first-link type the platform supports, leaving the
    // running one alone; `/data/queue/all` is the same.
    let (s, body) = app
        .post(&format!("/companies/{company}/data/all"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let (_, history) = app
        .get(&format!("/companies/{company}/data/history?pageSize=100"))
        .await;
    assert_eq!(
        history["totalResults"], 27,
        "every Sandbox data type, invoices once"
    );
    let (s, _) = app
        .post(&format!("/companies/{company}/data/queue/all"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, history) = app
        .get(&format!("/companies/{company}/data/history?pageSize=100"))
        .await;
    assert_eq!(history["totalResults"], 27, "nothing queued twice");
}

#[tokio::test]
async fn unlinked_connections_and_bad_requests() {
    let app = TestApp::spawn().await;
    let (company, conn) = company_with_connection(&app, ConnectionStatus::PendingAuth).await;

    // A connection that is not linked cannot sync: the dataset ends in AuthError at once.
    let (s, op) = app
        .post(
            &format!("/companies/{company}/data/queue/bills?connectionId={conn}"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{op}");
    assert_eq!(op["status"], "AuthError");
    assert_eq!(op["isErrored"], true);
    assert!(
        op["errorMessage"]
            .as_str()
            .expect("message")
            .contains("PendingAuth")
    );
    let (s, again) = app
        .post(&format!("/companies/{company}/data/queue/bills"), json!({}))
        .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a finished dataset does not block the next: {again}"
    );
    let (_, status) = app.get(&format!("/companies/{company}/dataStatus")).await;
    assert_eq!(status["bills"]["currentStatus"], "AuthError");
    assert_eq!(status["bills"]["latestSyncId"], again["id"]);
    assert!(status["bills"].get("lastSuccessfulSync").is_none());

    // `/data/all` with no linked connection queues nothing.
    let (s, _) = app
        .post(&format!("/companies/{company}/data/all"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, history) = app.get(&format!("/companies/{company}/data/history")).await;
    assert_eq!(history["totalResults"], 2);

    // A data type the platform does not serve.
    let (s, op) = app
        .post(
            &format!("/companies/{company}/data/queue/banking-accounts"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(op["status"], "NotSupported");
    assert_eq!(
        op["errorMessage"],
        "Datatype banking-accounts not supported by platform(s) Sandbox"
    );

    let (s, body) = app
        .post(
            &format!("/companies/{company}/data/queue/nonsense"),
            json!({}),
        )
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let missing = uuid::Uuid::new_v4();
    let (s, body) = app
        .post(
            &format!("/companies/{company}/data/queue/bills?connectionId={missing}"),
            json!({}),
        )
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app
        .post(&format!("/companies/{missing}/data/queue/bills"), json!({}))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app.get(&format!("/companies/{missing}/dataStatus")).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app
        .get(&format!("/companies/{company}/data/history/{missing}"))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);

    let bare = app.create_company(json!({"name": "No connections"})).await;
    let (s, body) = app
        .post(
            &format!(
                "/companies/{}/data/queue/bills",
                bare["id"].as_str().expect("id")
            ),
            json!({}),
        )
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let _: Value = body;
}

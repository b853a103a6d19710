//! Every accounting read endpoint, over HTTP on Sandbox data, answers with a body that
//! validates against the 200 response schema Codat's own OpenAPI files give the operation:
//! each list (a page with `orderBy` and `query`, and a page past the end), each get-by-id,
//! each single document, and the aged reports with their availability checks.

use ledgerbridge_domain::accounting::{Level, Shape, endpoints};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::spec::{assert_matches_spec, operation};

/// GETs `url` and validates the 200 body against `template`'s schema.
async fn checked(app: &TestApp, url: &str, template: &str) -> Value {
    let (s, body) = app.get(url).await;
    assert_eq!(s, StatusCode::OK, "GET {url}: {body}");
    assert_matches_spec(template, &body);
    body
}

#[tokio::test]
async fn every_accounting_read_matches_codats_response_schema() {
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 4).await;
    let (company, conn) = app.link_small_sandbox("Quokka Quarries", "7").await;
    app.wait_for_syncs(&company).await;

    let fill = |template: &str, account: &str| {
        template
            .replace("{companyId}", &company)
            .replace("{connectionId}", &conn)
            .replace("{accountId}", account)
    };
    // Bank transactions are listed per bank account: take one that has some.
    let bank_accounts = checked(
        &app,
        &fill(
            "/companies/{companyId}/connections/{connectionId}/data/bankAccounts?pageSize=100",
            "",
        ),
        "/companies/{companyId}/connections/{connectionId}/data/bankAccounts",
    )
    .await;
    let mut account = None;
    for candidate in bank_accounts["results"].as_array().expect("results") {
        let id = candidate["id"].as_str().expect("bank account id");
        let (s, page) = app
            .get(&fill(
                "/companies/{companyId}/connections/{connectionId}/data/bankAccounts/{accountId}/bankTransactions?pageSize=1",
                id,
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        if page["totalResults"].as_u64() > Some(0) {
            account = Some(id.to_string());
            break;
        }
    }
    let account = account.expect("a Sandbox bank account with transactions");

    let mut checked_operations = Vec::new();
    for (data_type, endpoint) in endpoints() {
        let template = match endpoint.level {
            Level::Company => format!("/companies/{{companyId}}/data/{}", endpoint.path),
            Level::Connection => format!(
                "/companies/{{companyId}}/connections/{{connectionId}}/data/{}",
                endpoint.path
            ),
        };
        assert!(
            operation(&template).is_some(),
            "{data_type}: no Codat spec documents GET {template}"
        );
        let url = fill(&template, &account);
        match endpoint.shape {
            Shape::Document => {
                let query = if endpoint.path.starts_with("financials/") {
                    "?periodLength=1&periodsToCompare=3"
                } else {
                    ""
                };
                checked(&app, &format!("{url}{query}"), &template).await;
            }
            Shape::List { get_by_id } => {
                let page = checked(&app, &format!("{url}?page=1&pageSize=3"), &template).await;
                let first = page["results"][0].clone();
                assert!(
                    first.is_object(),
                    "{data_type}: the Sandbox served no records, so nothing was validated"
                );
                // Sorted and filtered pages, and a page past the end (empty results).
                checked(
                    &app,
                    &format!("{url}?pageSize=5&orderBy=-modifiedDate&query=id%21%3Dnone"),
                    &template,
                )
                .await;
                // The response schema caps `pageSize` at 2000 although requests may ask for
                // 5000 (a contradiction inside Codat's spec, CONTRACT.md §2.1).
                let total = page["totalResults"].as_u64().expect("totalResults");
                let past = checked(
                    &app,
                    &format!("{url}?page={}&pageSize=2000", total / 2000 + 2),
                    &template,
                )
                .await;
                assert_eq!(past["results"], json!([]), "{data_type}: {past}");
                if get_by_id {
                    let id = first["id"].as_str().expect("record id");
                    let one_template = format!("{template}/{{id}}");
                    let encoded: String = percent_encoding::utf8_percent_encode(
                        id,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string();
                    let mut one = checked(&app, &format!("{url}/{encoded}"), &one_template).await;
                    // A tracking category by id is a tree: the record plus `subCategories`.
                    if let Some(object) = one.as_object_mut() {
                        object.remove("subCategories");
                    }
                    assert_eq!(one, first, "{data_type}: get-by-id differs from the list");
                    checked_operations.push(one_template);
                }
            }
        }
        checked_operations.push(template);
    }

    for report in ["agedDebtor", "agedCreditor"] {
        let template = format!("/companies/{{companyId}}/reports/{report}");
        let available = checked(
            &app,
            &fill(&format!("{template}/available"), ""),
            &format!("{template}/available"),
        )
        .await;
        assert_eq!(available, json!(true), "{report}");
        checked(
            &app,
            &fill(
                &format!("{template}?reportDate=2024-06-30&numberOfPeriods=4&periodLengthDays=30"),
                "",
            ),
            &template,
        )
        .await;
        checked(&app, &fill(&template, ""), &template).await;
        checked_operations.push(template);
    }
    // 27 data types plus their get-by-ids and the two reports: a shrinking list is a
    // regression, not a pass.
    assert!(
        checked_operations.len() >= 50,
        "only {} operations checked: {checked_operations:#?}",
        checked_operations.len()
    );
}

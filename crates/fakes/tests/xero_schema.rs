//! The simulator's answers validate against Xero's official OpenAPI schemas
//! (`xero_accounting.yaml`, `xero-identity.yaml` in `shared/reference/platforms`, beside the
//! repository; `LEDGERBRIDGE_PLATFORMS_REFERENCE` points elsewhere), and hold no field the
//! schemas do not declare. Without the files this test fails rather than passing vacuously.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine;
use ledgerbridge_fakes::xero::{SimHandle, SimOptions, TenantOptions, XeroSim};
use ledgerbridge_sandbox::Size;
use serde_json::{Map, Value, json};
use sha2::Digest;

fn reference_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LEDGERBRIDGE_PLATFORMS_REFERENCE") {
        return PathBuf::from(dir);
    }
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|dir| dir.join("shared/reference/platforms"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| crate_dir.join("../../../shared/reference/platforms"))
}

fn normalise(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(ty)) = object.get("type").cloned()
            {
                object.insert("type".into(), json!([ty, "null"]));
            }
            object.values_mut().for_each(normalise);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

fn load(file: &str) -> Value {
    let path = reference_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; set LEDGERBRIDGE_PLATFORMS_REFERENCE",
            path.display()
        )
    });
    let mut doc: Value = serde_norway::from_str(&text).expect("yaml");
    let mut schemas = doc["components"]["schemas"].take();
    normalise(&mut schemas);
    json!({ "components": { "schemas": schemas } })
}

fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(pointer) = schema.get("$ref").and_then(Value::as_str) {
        schema = pointer
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .unwrap_or_else(|| panic!("unresolvable $ref {pointer}"));
    }
    schema
}

/// Fields present in `instance` that the schema does not declare.
fn undeclared(doc: &Value, schema: &Value, instance: &Value, path: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    match instance {
        Value::Object(o) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in o {
                    match props.get(k) {
                        Some(sub) => undeclared(doc, sub, v, &format!("{path}.{k}"), out),
                        None => out.push(format!("{path}.{k}")),
                    }
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = schema.get("items") {
                for (i, v) in a.iter().enumerate() {
                    undeclared(doc, items, v, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn check(doc: &Value, name: &str, instance: &Value) {
    let mut root: Map<String, Value> = doc.as_object().cloned().unwrap_or_default();
    root.insert("$ref".into(), json!(format!("#/components/schemas/{name}")));
    let validator = jsonschema::draft202012::options()
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("compiling {name}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    let mut extra = Vec::new();
    undeclared(
        doc,
        &json!({"$ref": format!("#/components/schemas/{name}")}),
        instance,
        name,
        &mut extra,
    );
    // Fields real answers carry that the schemas leave out, as the spec's own examples and
    // the recorded fixtures show: the envelope, and the ISO twins of MS dates.
    const ON_THE_WIRE: &[&str] = &[
        "Id",
        "Status",
        "ProviderName",
        "DateTimeUTC",
        "DateString",
        "DueDateString",
        "DeliveryDateString",
    ];
    let mut extra: Vec<String> = extra
        .into_iter()
        .filter(|p| !ON_THE_WIRE.contains(&p.rsplit('.').next().unwrap_or("")))
        .map(|p| {
            let mut out = String::new();
            let mut skip = false;
            for c in p.chars() {
                match c {
                    '[' => skip = true,
                    ']' => skip = false,
                    c if !skip => out.push(c),
                    _ => {}
                }
            }
            out
        })
        .collect();
    extra.sort();
    extra.dedup();
    assert!(extra.is_empty(), "not in Xero's schema: {extra:?}");
}

/// Authorizes through the consent endpoint and exchanges the code with PKCE, by hand.
async fn access_token(sim: &SimHandle, http: &reqwest::Client) -> String {
    let verifier = "x".repeat(43);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let url = format!(
        "{}?response_type=code&client_id={}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&scope=offline_access%20accounting.settings.read%20accounting.contacts.read%20accounting.invoices.read%20accounting.payments.read%20accounting.banktransactions.read%20accounting.manualjournals.read%20accounting.journals.read%20accounting.reports.balancesheet.read%20accounting.reports.profitandloss.read&state=s&code_challenge={challenge}&code_challenge_method=S256",
        sim.authorize_url(),
        sim.client_id()
    );
    let callback = sim.approve(&url, &[]).expect("approved");
    let query: BTreeMap<String, String> = form_urlencoded::parse(
        callback
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .as_bytes(),
    )
    .into_owned()
    .collect();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &query["code"])
        .append_pair("redirect_uri", "http://127.0.0.1:9/cb")
        .append_pair("code_verifier", &verifier)
        .append_pair("client_id", sim.client_id())
        .finish();
    let token: Value = http
        .post(sim.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 1800);
    token["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

#[tokio::test]
async fn every_answer_validates_against_xeros_openapi() {
    let accounting = load("xero_accounting.yaml");
    let identity = load("xero-identity.yaml");
    let sim = XeroSim::start(SimOptions {
        tenants: vec![
            TenantOptions::new(9, Size::Medium),
            TenantOptions::new(10, Size::Small),
        ],
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let http = reqwest::Client::new();
    let token = access_token(&sim, &http).await;

    let connections: Value = http
        .get(format!("{}/connections", sim.api_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("connections")
        .json()
        .await
        .expect("json");
    let list = connections.as_array().expect("array");
    assert_eq!(list.len(), 2);
    for c in list {
        check(&identity, "Connection", c);
        let created = c["createdDateUtc"].as_str().expect("date");
        assert_eq!(created.len(), 27, "7 fractional digits, no zone: {created}");
    }
    let tenant = list[0]["tenantId"].as_str().expect("tenant").to_string();

    for (path, schema, key) in [
        ("Invoices?page=1&pageSize=1000", "Invoices", "Invoices"),
        ("Invoices", "Invoices", "Invoices"),
        (
            "Contacts?page=1&includeArchived=true",
            "Contacts",
            "Contacts",
        ),
        ("Accounts", "Accounts", "Accounts"),
        ("Payments?page=1", "Payments", "Payments"),
        ("CreditNotes?page=1", "CreditNotes", "CreditNotes"),
        ("ManualJournals?page=1", "ManualJournals", "ManualJournals"),
        ("Journals?offset=0", "Journals", "Journals"),
        (
            "BankTransactions?page=1",
            "BankTransactions",
            "BankTransactions",
        ),
        ("BankTransfers", "BankTransfers", "BankTransfers"),
        ("Items", "Items", "Items"),
        ("TaxRates", "TaxRates", "TaxRates"),
        ("Organisation", "Organisations", "Organisations"),
        (
            "TrackingCategories",
            "TrackingCategories",
            "TrackingCategories",
        ),
        ("PurchaseOrders?page=1", "PurchaseOrders", "PurchaseOrders"),
        (
            "Reports/BalanceSheet?date=2025-06-30",
            "ReportWithRows",
            "Reports",
        ),
        (
            "Reports/ProfitAndLoss?fromDate=2025-06-01&toDate=2025-06-30",
            "ReportWithRows",
            "Reports",
        ),
    ] {
        let response = http
            .get(format!("{}/api.xro/2.0/{path}", sim.api_url()))
            .bearer_auth(&token)
            .header("xero-tenant-id", &tenant)
            .header("accept", "application/json")
            .send()
            .await
            .expect("call");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        for h in [
            "x-minlimit-remaining",
            "x-daylimit-remaining",
            "x-appminlimit-remaining",
        ] {
            assert!(response.headers().contains_key(h), "{path}: no {h}");
        }
        let text = response.text().await.expect("body");
        assert!(
            text.contains("\"\\/Date("),
            "{path}: dates are written \\/Date(...)\\/"
        );
        let body: Value = serde_json::from_str(&text).expect("json");
        let list = body[key]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: no {key}"));
        assert!(!list.is_empty(), "{path}: empty");
        check(&accounting, schema, &body);
    }

    // Errors: an unknown tenant is 403, no token 401, an unknown endpoint 404.
    let r = http
        .get(format!("{}/api.xro/2.0/Invoices", sim.api_url()))
        .bearer_auth(&token)
        .header("xero-tenant-id", "00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .expect("call");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        r.json::<Value>().await.expect("json")["Detail"],
        "AuthenticationUnsuccessful"
    );
    let r = http
        .get(format!("{}/api.xro/2.0/Invoices", sim.api_url()))
        .send()
        .await
        .expect("call");
    assert_eq!(r.status().as_u16(), 401);
    let r = http
        .get(format!("{}/api.xro/2.0/Quotes", sim.api_url()))
        .bearer_auth(&token)
        .header("xero-tenant-id", &tenant)
        .send()
        .await
        .expect("call");
    assert_eq!(r.status().as_u16(), 404);
}

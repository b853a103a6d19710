//! The JSON a consumer receives: Codat's envelope `{id, eventType, generatedDate, payload}`,
//! with the payload's URLs (company `redirect`, connection `linkUrl`) built from the public
//! base URL, exactly as the API shows them.

use ledgerbridge_store::outbox::ClaimedMessage;
use serde_json::{Value, json};

/// The `webhook-id` of every attempt of a message: the event id, `msg_`-prefixed as Svix
/// does. The same for every retry and replay, so consumers can deduplicate on it.
pub fn webhook_id(event_id: &str) -> String {
    format!("msg_{}", event_id.replace('-', ""))
}

/// The request body for a claimed message.
pub fn body(message: &ClaimedMessage, public_url: &str) -> Vec<u8> {
    let mut payload: Value = serde_json::from_str(&message.payload)
        .unwrap_or_else(|_| Value::Object(Default::default()));
    add_links(&message.event_type, &mut payload, public_url);
    let envelope = json!({
        "id": message.event_id,
        "eventType": message.event_type,
        "generatedDate": message.generated,
        "payload": payload,
    });
    envelope.to_string().into_bytes()
}

fn add_links(event_type: &str, payload: &mut Value, public_url: &str) {
    if event_type.starts_with("company.") {
        if let Some(id) = payload.get("id").and_then(Value::as_str) {
            let redirect = format!("{public_url}/link/company/{id}");
            payload["redirect"] = json!(redirect);
        }
        return;
    }
    let company = payload
        .pointer("/referenceCompany/id")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let (Some(company), Some(conn)) = (company, payload.get_mut("connection"))
        && let Some(id) = conn.get("id").and_then(Value::as_str)
    {
        let link = format!("{public_url}/link/companies/{company}/connections/{id}/start");
        conn["linkUrl"] = json!(link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledgerbridge_domain::Timestamp;

    fn message(event_type: &str, payload: Value) -> ClaimedMessage {
        ClaimedMessage {
            seq: 1,
            event_id: "0190c3c2-6a4e-7c4e-8f00-000000000001".into(),
            event_type: event_type.into(),
            generated: Timestamp::now(),
            payload: payload.to_string(),
            consumer_id: "c".into(),
            url: "http://x".into(),
            attempts: 0,
        }
    }

    #[test]
    fn adds_urls() {
        let m = message("company.created", json!({"id": "abc", "name": "A"}));
        let v: Value = serde_json::from_slice(&body(&m, "http://h")).expect("json");
        assert_eq!(v["payload"]["redirect"], "http://h/link/company/abc");
        assert_eq!(v["eventType"], "company.created");
        assert_eq!(v["id"], m.event_id);
        let m = message(
            "connection.created",
            json!({"referenceCompany": {"id": "abc"}, "connection": {"id": "k"}}),
        );
        let v: Value = serde_json::from_slice(&body(&m, "http://h")).expect("json");
        assert_eq!(
            v["payload"]["connection"]["linkUrl"],
            "http://h/link/companies/abc/connections/k/start"
        );
        assert_eq!(
            webhook_id(&m.event_id),
            "msg_0190c3c26a4e7c4e8f00000000000001"
        );
    }
}

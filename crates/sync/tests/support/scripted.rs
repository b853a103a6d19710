//! A scripted platform: serves fixed pages and fails on the calls its script says. Shared by
//! the worker tests and the server's sync-engine tests (`#[path]`-included).
#![allow(dead_code, clippy::self_named_constructors)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use ledgerbridge_connectors::{
    BoxFuture, ConnectionContext, Connector, ConnectorError, FetchPage, FetchRequest, SourceRecord,
};

/// Serves `pages` in order (one per call). Each call first takes the next step of the script:
/// `Some(fault)` fails that call, `None` (or an empty script) serves the page asked for.
pub struct Scripted {
    pub pages: Vec<FetchPage>,
    pub script: Mutex<VecDeque<Option<ConnectorError>>>,
    /// The request of every fetch's first page.
    pub seen: Mutex<Vec<FetchRequest>>,
}

impl Scripted {
    /// Fails the first calls with `faults`, then serves.
    pub fn new(pages: Vec<FetchPage>, faults: Vec<ConnectorError>) -> Arc<Self> {
        Self::scripted(pages, faults.into_iter().map(Some).collect())
    }

    /// Follows `script` call by call, then serves.
    pub fn scripted(pages: Vec<FetchPage>, script: Vec<Option<ConnectorError>>) -> Arc<Self> {
        Arc::new(Self {
            pages,
            script: Mutex::new(script.into()),
            seen: Mutex::new(Vec::new()),
        })
    }

    /// The `since` of every fetch so far.
    pub fn seen_since(&self) -> Vec<Option<String>> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .map(|r| r.since.clone())
            .collect()
    }
}

impl Connector for Scripted {
    fn platform_key(&self) -> &'static str {
        "mqjo"
    }

    fn fetch_page<'a>(
        &'a self,
        _connection: &'a ConnectionContext,
        request: &'a FetchRequest,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<FetchPage, ConnectorError>> {
        Box::pin(async move {
            if let Some(Some(fault)) = self.script.lock().expect("lock").pop_front() {
                return Err(fault);
            }
            if cursor.is_none() {
                self.seen.lock().expect("lock").push(request.clone());
            }
            let i: usize = cursor
                .map_or(Ok(0), str::parse)
                .map_err(|_| ConnectorError::Malformed("cursor".into()))?;
            let mut page = self
                .pages
                .get(i)
                .cloned()
                .ok_or_else(|| ConnectorError::Malformed("no such page".into()))?;
            page.next_cursor = (i + 1 < self.pages.len()).then(|| (i + 1).to_string());
            Ok(page)
        })
    }
}

/// An invoice of `amount` (a JSON number's text).
pub fn invoice(id: u32, amount: &str) -> SourceRecord {
    let doc: serde_json::Value = serde_json::from_str(&format!(
        r#"{{"id":"inv-{id}","issueDate":"2024-01-0{d}","status":"Submitted","totalAmount":{amount},"amountDue":{amount},"totalTaxAmount":0,"currency":"GBP"}}"#,
        d = id % 9 + 1
    ))
    .expect("json");
    SourceRecord {
        id: format!("inv-{id}"),
        doc: doc.to_string(),
    }
}

/// Two pages of five invoices, `amount` each, the last with watermark `w1`.
pub fn invoice_pages(amount: &str) -> Vec<FetchPage> {
    vec![
        FetchPage {
            records: (0..3).map(|i| invoice(i, amount)).collect(),
            estimated_total: Some(5),
            ..Default::default()
        },
        FetchPage {
            records: (3..5).map(|i| invoice(i, amount)).collect(),
            watermark: Some("w1".into()),
            ..Default::default()
        },
    ]
}

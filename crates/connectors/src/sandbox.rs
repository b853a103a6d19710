//! The Sandbox connector (`mqjo`): serves the generated books of `ledgerbridge-sandbox` like a
//! platform would, page by page.
//!
//! A connection's credentials say which books: `{"dataset": "small|medium|large", "seed":
//! "..."}` (the seed defaults to the connection id, so every company gets its own books). Each
//! sync sees the next snapshot of the evolving books: the watermark of a completed sync is
//! `sync:{n}`, and the next one reads snapshot `n + 1`: only the records changed since sync
//! `n`'s cut-off, and the ones deleted since.
//!
//! Pages come from a generator thread per running fetch, through a bounded channel, so a
//! large data type is never in memory whole and each page costs only its own generation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ledgerbridge_domain::{ConnectionId, DataType};
use ledgerbridge_sandbox::codat::{self, Codat};
use ledgerbridge_sandbox::{Books, Config, Record, Seed, Size};
use tokio::sync::mpsc;

use crate::connector::{
    BoxFuture, ConnectionContext, Connector, ConnectorError, FetchPage, FetchRequest, SourceRecord,
};

/// Records per page.
pub const PAGE_SIZE: usize = 1000;
/// Pages generated ahead of the consumer.
const PAGES_AHEAD: usize = 2;

/// Which books a Sandbox connection serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxChoice {
    pub size: Size,
    pub seed: Seed,
}

impl SandboxChoice {
    /// Reads `{"dataset": ..., "seed": ...}`; `None` (with the reason) when it is not valid.
    pub fn from_credentials(
        credentials: &serde_json::Value,
        connection: ConnectionId,
    ) -> Result<Self, String> {
        let size = match credentials.get("dataset").and_then(|v| v.as_str()) {
            None => Size::Small,
            Some(s) => s
                .parse()
                .map_err(|_| format!("`dataset` must be small, medium or large; `{s}` is not."))?,
        };
        let seed = match credentials.get("seed") {
            None => Seed::from_text(&connection.to_string()),
            Some(serde_json::Value::String(s)) if !s.is_empty() => Seed::from_text(s),
            Some(_) => return Err("`seed` must be a non-empty string.".into()),
        };
        Ok(Self { size, seed })
    }
}

struct Stream {
    /// The next page index the channel will yield.
    next_page: u64,
    pages: mpsc::Receiver<Result<FetchPage, ConnectorError>>,
}

/// The Sandbox connector.
#[derive(Default)]
pub struct SandboxConnector {
    streams: Mutex<HashMap<(ConnectionId, DataType, u32), Stream>>,
}

impl SandboxConnector {
    /// A connector with no fetch in progress.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

fn sync_number(since: Option<&str>) -> Result<u32, ConnectorError> {
    match since {
        None => Ok(0),
        Some(w) => w
            .strip_prefix("sync:")
            .and_then(|n| n.parse::<u32>().ok())
            .map(|n| n + 1)
            .ok_or_else(|| ConnectorError::Malformed(format!("unknown Sandbox watermark `{w}`"))),
    }
}

/// Starts a generator thread that sends the pages of one data type of one snapshot.
fn spawn_generator(
    choice: SandboxChoice,
    data_type: DataType,
    sync: u32,
    skip_pages: u64,
) -> mpsc::Receiver<Result<FetchPage, ConnectorError>> {
    let (tx, rx) = mpsc::channel(PAGES_AHEAD);
    std::thread::spawn(move || {
        let books = match Books::new(Config::new(choice.seed, choice.size)) {
            Ok(b) => b,
            Err(e) => {
                let _ = tx.blocking_send(Err(ConnectorError::Malformed(e.to_string())));
                return;
            }
        };
        let codat = Codat::new(&books);
        let snapshot = books.at_sync(sync);
        let key = data_type.key();
        // An incremental sync (any after the first) reads only what changed since the cut-off
        // of the sync its watermark came from, like a platform's modified-since filter.
        let since = sync
            .checked_sub(1)
            .map(|previous| books.cutoff(previous).and_time(chrono::NaiveTime::MIN));
        let changed = |r: &Record| match (since, r) {
            (None, _) => true,
            (Some(since), Record::Deleted(d)) => d.at >= since,
            (Some(since), r) => r.modified().is_none_or(|m| m >= since),
        };
        let mut page = FetchPage::default();
        let mut index = 0u64;
        let send = |page: FetchPage, index: &mut u64| -> bool {
            let keep_going = *index < skip_pages || tx.blocking_send(Ok(page)).is_ok();
            *index += 1;
            keep_going
        };
        for record in snapshot
            .records()
            .filter(|r| codat::data_type(r) == key && changed(r))
        {
            if let Record::Deleted(d) = &record {
                page.deleted.push(codat.deleted(d).1);
            } else if let Some(mapped) = codat.map(&record) {
                let id = mapped
                    .id()
                    .map(str::to_string)
                    .unwrap_or_else(|| statement_id(&mapped));
                match mapped
                    .to_json()
                    .map_err(|e| e.to_string())
                    .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
                {
                    Ok(doc) => page.records.push(SourceRecord { id, doc }),
                    Err(reason) => page.unmappable.push((id, reason)),
                }
            }
            if page.records.len() + page.deleted.len() >= PAGE_SIZE {
                page.next_cursor = Some((index + 1).to_string());
                if !send(std::mem::take(&mut page), &mut index) {
                    return;
                }
            }
        }
        page.next_cursor = None;
        page.watermark = Some(format!("sync:{sync}"));
        send(page, &mut index);
    });
    rx
}

/// Company info and monthly statements have no record id: the company is `company`, a
/// statement period is keyed by the month it starts.
fn statement_id(record: &ledgerbridge_sandbox::codat::CodatRecord) -> String {
    use ledgerbridge_sandbox::codat::CodatRecord as R;
    let from = |d: &Option<ledgerbridge_domain::accounting::CodatDateTime>| {
        d.as_ref().map(|d| d.as_str().to_string())
    };
    match record {
        R::BalanceSheet(p) => from(&p.date).unwrap_or_default(),
        R::ProfitAndLoss(p) => from(&p.from_date).unwrap_or_default(),
        R::CashFlowStatement(p) => from(&p.from_date).unwrap_or_default(),
        _ => "company".to_string(),
    }
}

impl Connector for SandboxConnector {
    fn platform_key(&self) -> &'static str {
        "mqjo"
    }

    fn fetch_page<'a>(
        &'a self,
        connection: &'a ConnectionContext,
        request: &'a FetchRequest,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<FetchPage, ConnectorError>> {
        Box::pin(async move {
            let choice =
                SandboxChoice::from_credentials(&connection.credentials, connection.connection_id)
                    .map_err(ConnectorError::PermissionDenied)?;
            let sync = sync_number(request.since.as_deref())?;
            let page_index: u64 = match cursor {
                None => 0,
                Some(c) => c
                    .parse()
                    .map_err(|_| ConnectorError::Malformed(format!("bad cursor `{c}`")))?,
            };
            let key = (connection.connection_id, request.data_type, sync);
            let taken = self
                .streams
                .lock()
                .map_err(|_| ConnectorError::Transient("connector state poisoned".into()))?
                .remove(&key);
            let mut stream = match taken {
                Some(s) if s.next_page == page_index => s,
                // A fresh fetch, or a resumed one (another worker, a restart): regenerate and
                // skip to the page asked for.
                _ => Stream {
                    next_page: page_index,
                    pages: spawn_generator(choice, request.data_type, sync, page_index),
                },
            };
            let page = stream.pages.recv().await.ok_or_else(|| {
                ConnectorError::Transient("the Sandbox generator stopped".into())
            })??;
            if page.next_cursor.is_some() {
                stream.next_page += 1;
                if let Ok(mut streams) = self.streams.lock() {
                    streams.insert(key, stream);
                }
            }
            Ok(page)
        })
    }
}

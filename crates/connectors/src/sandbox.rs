//! The Sandbox connector (`mqjo`): serves the generated books of `ledgerbridge-sandbox` like a
//! platform would, page by page.
//!
//! A connection's credentials say which books: `{"dataset": "small|medium|large", "seed":
//! "...", "frozen": false}` (the seed defaults to the connection id, so every company gets its
//! own books). Each sync sees the next snapshot of the evolving books: the watermark of a
//! completed sync is `sync:{n}`, and the next one reads snapshot `n + 1`: only the records
//! changed since sync `n`'s cut-off, and the ones deleted since. With `"frozen": true` the
//! books never move on: every sync reads snapshot 0, so a later sync finds nothing changed
//! (what a benchmark of an unchanged re-sync needs).
//!
//! # One generation per sync, not one per data type
//!
//! The books are one stream in which every data type is interleaved, so reading one type
//! means generating them all. The first fetch of a sync (of a connection, at a snapshot)
//! starts one *pass* on a thread of its own: the type asked for is sent page by page through
//! a bounded channel, and every other type's records, already mapped to Codat's JSON, go to a
//! *spool* of their own, an unnamed temporary file (unlinked as soon as it is created, so
//! nothing is left behind even if the process is killed). The later fetches of that sync read
//! their spool instead of generating the books again. Neither a large data type nor the whole
//! book is ever in memory: a pass holds a page, the generator's running state and a write
//! buffer per type.
//!
//! A fetch with no spool to read (another type of the same sync is still generating, a fetch
//! resumed in a new process, a spool already read) generates the books again and keeps only
//! its own type, as a platform recomputing a report would. Spools nobody read are dropped
//! after [`SPOOL_TTL`].

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
/// How long the spools of a pass wait to be read.
pub const SPOOL_TTL: Duration = Duration::from_secs(30 * 60);

/// Which books a Sandbox connection serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxChoice {
    pub size: Size,
    pub seed: Seed,
    /// The books never move on: every sync reads the first snapshot.
    pub frozen: bool,
}

impl SandboxChoice {
    /// Reads `{"dataset": ..., "seed": ..., "frozen": ...}`; `Err` (with the reason) when it
    /// is not valid.
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
        let frozen = match credentials.get("frozen") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            // `PUT .../authorization` takes string values.
            Some(serde_json::Value::String(s)) if s == "true" => true,
            Some(serde_json::Value::String(s)) if s == "false" => false,
            Some(_) => return Err("`frozen` must be true or false.".into()),
        };
        Ok(Self { size, seed, frozen })
    }
}

/// What one sync reads: the snapshot, and the sync whose cut-off its changes start from
/// (`None`: everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Pass {
    snapshot: u32,
    since: Option<u32>,
}

impl Pass {
    fn for_request(since: Option<&str>, frozen: bool) -> Result<Self, ConnectorError> {
        let previous = match since {
            None => None,
            Some(w) => Some(
                w.strip_prefix("sync:")
                    .and_then(|n| n.parse::<u32>().ok())
                    .ok_or_else(|| {
                        ConnectorError::Malformed(format!("unknown Sandbox watermark `{w}`"))
                    })?,
            ),
        };
        Ok(match (previous, frozen) {
            (None, _) => Self {
                snapshot: 0,
                since: None,
            },
            (Some(_), true) => Self {
                snapshot: 0,
                since: Some(0),
            },
            (Some(n), false) => Self {
                snapshot: n.saturating_add(1),
                since: Some(n),
            },
        })
    }
}

type Pages = mpsc::Receiver<Result<FetchPage, ConnectorError>>;

/// A fetch in progress: the page its channel yields next.
struct Stream {
    next_page: u64,
    pages: Pages,
}

/// One data type's records of a finished pass, in a temporary file.
struct Spool {
    file: File,
    items: u64,
}

/// The spools a pass left for the other data types of its sync.
struct Spools {
    made: Instant,
    by_type: HashMap<&'static str, Spool>,
}

#[derive(Default)]
struct State {
    streams: HashMap<(ConnectionId, DataType, Pass), Stream>,
    spools: HashMap<(ConnectionId, Pass), Spools>,
    /// Passes still generating (their spools are not readable yet).
    generating: std::collections::HashSet<(ConnectionId, Pass)>,
}

/// The Sandbox connector.
#[derive(Default)]
pub struct SandboxConnector {
    state: Arc<Mutex<State>>,
}

impl SandboxConnector {
    /// A connector with no fetch in progress.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

fn poisoned<T>(_: T) -> ConnectorError {
    ConnectorError::Transient("Sandbox connector state poisoned".into())
}

/// A Codat-shaped record (or the reason it could not be mapped) of one data type.
enum Item {
    Record(String, String),
    Deleted(String),
    Unmappable(String, String),
}

/// Maps one record of the books; `None` for records Codat has no shape for.
fn item_of(codat: &Codat, record: &Record) -> Option<Item> {
    if let Record::Deleted(d) = record {
        return Some(Item::Deleted(codat.deleted(d).1));
    }
    let mapped = codat.map(record)?;
    let id = mapped
        .id()
        .map(str::to_string)
        .unwrap_or_else(|| statement_id(&mapped));
    Some(match mapped.to_json() {
        Ok(text) => Item::Record(id, text),
        Err(e) => Item::Unmappable(id, e.to_string()),
    })
}

/// Collects items into pages and sends them, skipping the first `skip` pages.
struct Pager {
    tx: mpsc::Sender<Result<FetchPage, ConnectorError>>,
    page: FetchPage,
    index: u64,
    skip: u64,
    estimated_total: Option<u64>,
    /// The consumer went away: stop sending.
    closed: bool,
}

impl Pager {
    fn new(tx: mpsc::Sender<Result<FetchPage, ConnectorError>>, skip: u64) -> Self {
        Self {
            tx,
            page: FetchPage::default(),
            index: 0,
            skip,
            estimated_total: None,
            closed: false,
        }
    }

    fn push(&mut self, item: Item) {
        if self.closed {
            return;
        }
        // Pages skipped on a resume are counted, not kept.
        let skipping = self.index < self.skip;
        match item {
            Item::Record(id, text) => {
                if skipping {
                    self.page.deleted.push(String::new());
                } else {
                    // Already Codat's compact JSON text (`Codat::to_json`): handed over as is.
                    self.page.records.push(SourceRecord { id, doc: text });
                }
            }
            Item::Deleted(id) => self.page.deleted.push(id),
            Item::Unmappable(id, reason) => self.page.unmappable.push((id, reason)),
        }
        if self.page.records.len() + self.page.deleted.len() >= PAGE_SIZE {
            self.page.next_cursor = Some((self.index + 1).to_string());
            self.send();
        }
    }

    fn send(&mut self) {
        let mut page = std::mem::take(&mut self.page);
        page.estimated_total = self.estimated_total;
        if self.index >= self.skip && self.tx.blocking_send(Ok(page)).is_err() {
            self.closed = true;
        }
        self.index += 1;
    }

    /// Sends the last page with the watermark.
    fn finish(mut self, watermark: String) {
        if self.closed {
            return;
        }
        self.page.next_cursor = None;
        self.page.watermark = Some(watermark);
        self.send();
    }

    fn fail(&self, error: ConnectorError) {
        let _ = self.tx.blocking_send(Err(error));
    }
}

/// Length-prefixed items in a spool: a tag byte, then the id and the payload.
fn write_item(out: &mut impl Write, item: &Item) -> std::io::Result<()> {
    let (tag, id, payload) = match item {
        Item::Record(id, text) => (b'R', id, text.as_str()),
        Item::Deleted(id) => (b'D', id, ""),
        Item::Unmappable(id, reason) => (b'U', id, reason.as_str()),
    };
    out.write_all(&[tag])?;
    for part in [id.as_bytes(), payload.as_bytes()] {
        let len = u32::try_from(part.len())
            .map_err(|_| std::io::Error::other("spooled item over 4 GiB"))?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(part)?;
    }
    Ok(())
}

fn read_item(input: &mut impl Read) -> std::io::Result<Option<Item>> {
    let mut tag = [0u8; 1];
    match input.read_exact(&mut tag) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut part = || -> std::io::Result<String> {
        let mut len = [0u8; 4];
        input.read_exact(&mut len)?;
        let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
        input.read_exact(&mut bytes)?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    };
    let id = part()?;
    let payload = part()?;
    Ok(Some(match tag[0] {
        b'R' => Item::Record(id, payload),
        b'D' => Item::Deleted(id),
        b'U' => Item::Unmappable(id, payload),
        other => {
            return Err(std::io::Error::other(format!("unknown spool tag {other}")));
        }
    }))
}

/// An unnamed temporary file: created, then unlinked at once, so it disappears with its last
/// handle (or the process).
fn anonymous_file() -> std::io::Result<File> {
    let path = std::env::temp_dir().join(format!(
        "ledgerbridge-sandbox-{}.spool",
        uuid::Uuid::new_v4().simple()
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

/// A spool being written.
struct SpoolWriter {
    out: BufWriter<File>,
    items: u64,
}

/// Runs a pass over the books: `data_type`'s items go to `pager`; with `spool`, every other
/// type's items go to spools, handed to `state` at the end.
fn run_pass(
    choice: SandboxChoice,
    data_type: DataType,
    pass: Pass,
    mut pager: Pager,
    spool: Option<(Arc<Mutex<State>>, ConnectionId)>,
) {
    let books = match Books::new(Config::new(choice.seed, choice.size)) {
        Ok(b) => b,
        Err(e) => {
            pager.fail(ConnectorError::Malformed(e.to_string()));
            return;
        }
    };
    let codat = Codat::new(&books);
    let snapshot = books.at_sync(pass.snapshot);
    let key = data_type.key();
    // An incremental sync (any after the first) reads only what changed since the cut-off of
    // the sync its watermark came from, like a platform's modified-since filter.
    let since = pass
        .since
        .map(|previous| books.cutoff(previous).and_time(chrono::NaiveTime::MIN));
    let changed = |r: &Record| match (since, r) {
        (None, _) => true,
        (Some(since), Record::Deleted(d)) => d.at >= since,
        (Some(since), r) => r.modified().is_none_or(|m| m >= since),
    };
    let mut writers: HashMap<&'static str, SpoolWriter> = HashMap::new();
    let mut spool_failed = spool.is_none();
    for record in snapshot.records() {
        let record_key = codat::data_type(&record);
        if record_key != key && spool_failed {
            continue;
        }
        if !changed(&record) {
            continue;
        }
        let Some(item) = item_of(&codat, &record) else {
            continue;
        };
        if record_key == key {
            pager.push(item);
            if pager.closed && spool_failed {
                return;
            }
            continue;
        }
        let written = match writers.entry(record_key) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(e) => anonymous_file().map(|f| {
                e.insert(SpoolWriter {
                    out: BufWriter::with_capacity(64 * 1024, f),
                    items: 0,
                })
            }),
        }
        .and_then(|w| {
            w.items += 1;
            write_item(&mut w.out, &item)
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, "Sandbox spool unavailable; later data types regenerate the books");
            spool_failed = true;
            writers.clear();
        }
    }
    pager.finish(format!("sync:{}", pass.snapshot));
    let Some((state, connection)) = spool else {
        return;
    };
    let mut by_type = HashMap::new();
    if !spool_failed {
        for (key, w) in writers {
            let finished = w
                .out
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|mut f| {
                    f.seek(SeekFrom::Start(0))?;
                    Ok(f)
                });
            match finished {
                Ok(file) => {
                    by_type.insert(
                        key,
                        Spool {
                            file,
                            items: w.items,
                        },
                    );
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Sandbox spool unavailable; later data types regenerate the books");
                    by_type.clear();
                    break;
                }
            }
        }
    }
    if let Ok(mut state) = state.lock() {
        state.generating.remove(&(connection, pass));
        // Types this sync had nothing for still get an (empty) spool, so their fetch need not
        // generate the books to learn that.
        if !spool_failed {
            for dt in DataType::ALL {
                let k = dt.key();
                if k != key
                    && !by_type.contains_key(k)
                    && let Ok(file) = anonymous_file()
                {
                    by_type.insert(k, Spool { file, items: 0 });
                }
            }
            state.spools.insert(
                (connection, pass),
                Spools {
                    made: Instant::now(),
                    by_type,
                },
            );
        }
    }
}

/// Reads a spool into pages, skipping the first `skip`.
fn read_spool(
    spool: Spool,
    pass: Pass,
    skip: u64,
    tx: mpsc::Sender<Result<FetchPage, ConnectorError>>,
) {
    let mut pager = Pager::new(tx, skip);
    pager.estimated_total = Some(spool.items);
    let mut input = BufReader::with_capacity(64 * 1024, spool.file);
    loop {
        match read_item(&mut input) {
            Ok(Some(item)) => {
                pager.push(item);
                if pager.closed {
                    return;
                }
            }
            Ok(None) => break,
            Err(e) => {
                pager.fail(ConnectorError::Transient(format!(
                    "the Sandbox could not read its spool: {e}"
                )));
                return;
            }
        }
    }
    pager.finish(format!("sync:{}", pass.snapshot));
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

impl SandboxConnector {
    /// The channel of `data_type`'s pages from `page_index` on: the stream in progress, a
    /// spool, or a new pass over the books.
    fn open(
        &self,
        choice: SandboxChoice,
        connection: ConnectionId,
        data_type: DataType,
        pass: Pass,
        page_index: u64,
    ) -> Result<Stream, ConnectorError> {
        let mut state = self.state.lock().map_err(poisoned)?;
        if let Some(s) = state.streams.remove(&(connection, data_type, pass))
            && s.next_page == page_index
        {
            return Ok(s);
        }
        state.spools.retain(|_, s| s.made.elapsed() < SPOOL_TTL);
        let (tx, rx) = mpsc::channel(PAGES_AHEAD);
        let stream = Stream {
            next_page: page_index,
            pages: rx,
        };
        let spooled = state
            .spools
            .get_mut(&(connection, pass))
            .and_then(|s| s.by_type.remove(data_type.key()));
        if let Some(spool) = spooled {
            if state
                .spools
                .get(&(connection, pass))
                .is_some_and(|s| s.by_type.is_empty())
            {
                state.spools.remove(&(connection, pass));
            }
            std::thread::spawn(move || read_spool(spool, pass, page_index, tx));
            return Ok(stream);
        }
        // A new pass writes spools for the other types, unless one is already generating
        // them (or has: a second read of a type regenerates only that type).
        let spool = (page_index == 0
            && !state.generating.contains(&(connection, pass))
            && !state.spools.contains_key(&(connection, pass)))
        .then(|| (self.state.clone(), connection));
        if spool.is_some() {
            state.generating.insert((connection, pass));
        }
        drop(state);
        let pager = Pager::new(tx, page_index);
        std::thread::spawn(move || run_pass(choice, data_type, pass, pager, spool));
        Ok(stream)
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
            let pass = Pass::for_request(request.since.as_deref(), choice.frozen)?;
            let page_index: u64 = match cursor {
                None => 0,
                Some(c) => c
                    .parse()
                    .map_err(|_| ConnectorError::Malformed(format!("bad cursor `{c}`")))?,
            };
            let mut stream = self.open(
                choice,
                connection.connection_id,
                request.data_type,
                pass,
                page_index,
            )?;
            let page = stream.pages.recv().await.ok_or_else(|| {
                ConnectorError::Transient("the Sandbox generator stopped".into())
            })??;
            if page.next_cursor.is_some() {
                stream.next_page += 1;
                if let Ok(mut state) = self.state.lock() {
                    state
                        .streams
                        .insert((connection.connection_id, request.data_type, pass), stream);
                }
            }
            Ok(page)
        })
    }
}

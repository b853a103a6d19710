//! The QuickBooks Online connector (`qhyg`): reads a company's books through Intuit's
//! Accounting API v3 and maps them to Codat's model, and the platform half of the OAuth Link
//! flow (one grant covers one company, whose `realmId` arrives on the callback).
//!
//! - A full read counts the entity (`SELECT COUNT(*)`), then pages through it oldest change
//!   first with `STARTPOSITION` and Intuit's largest `MAXRESULTS` (1,000): a full sync costs
//!   `ceil(records / 1000) + 1` calls per entity. The lines of payments hold the amounts
//!   applied to each invoice or bill (Codat's `paymentAllocations` amounts and dates): a full
//!   read of invoices (bills) also reads every `Payment` (`BillPayment`) once, a page of
//!   1,000 at a time when its first page is mapped, and keeps them for its later pages
//!   (`ceil(payments / 1000)` calls, one more when that divides exactly); an incremental
//!   sync looks up, with one `Id IN (...)` query per 1,000, only the payments the changed
//!   documents link.
//! - Transactions (what a sync reads by the thousand) are read into typed records that
//!   borrow from the answer ([`wire`]); lists, reports and payments as records of their own
//!   as `serde_json::Value`.
//! - The watermark is when the read began (less a minute for clock skew). An incremental
//!   sync asks change data capture (`/cdc`) for everything changed since, deletions
//!   included, in one call while fewer than 1,000 objects changed. CDC looks back 30 days:
//!   an older watermark falls back to a full read, a complete snapshot
//!   ([`FetchPage::complete_snapshot`]) from which the sync engine marks deleted whatever it
//!   did not return. Tax rates are not in CDC and are always read whole, in one call (no
//!   count first). Statements read one report a month; the next sync in the same month reads
//!   them again only if change data capture shows a change to the books since
//!   ([`crate::statements`]).
//! - Calls are paced per realm (500 a minute, reports 200 a minute) and per app (40 at
//!   once); a throttle (429, or a `ThrottleExceeded` fault) waits 60 s, as Intuit asks.
//! - The one-hour access token is refreshed ahead of expiry; the refresh token Intuit may
//!   rotate is saved through the connection's [`crate::CredentialStore`] before it is used.

mod client;
pub mod map;
pub mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use ledgerbridge_domain::{ConnectionId, DataType};
use serde_json::Value;

use client::{Client, GrantError};
pub use client::{Fault, MINOR_VERSION, RateLimits, Tokens};
use map::PaymentLookup;

use crate::connector::{
    BoxFuture, ConnectionContext, Connector, ConnectorError, FetchPage, FetchRequest, SourceRecord,
    record_text,
};
use crate::oauth::{AuthorizeRequest, LinkedTenant, OAuthApp, OAuthError, OAuthLink};
use crate::statements;

/// Intuit's consent page.
pub const AUTHORIZE_URL: &str = "https://appcenter.intuit.com/connect/oauth2";
/// Intuit's token endpoint.
pub const TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// QuickBooks Online's API host.
pub const API_URL: &str = "https://quickbooks.api.intuit.com";
/// The scope asked for by default.
pub const DEFAULT_SCOPES: &[&str] = &["com.intuit.quickbooks.accounting"];
/// The largest `MAXRESULTS` Intuit honours.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// How far back change data capture looks.
pub const CDC_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);
/// Most objects one change data capture answer holds.
pub const CDC_MAX: usize = 1000;
/// Payment ids one lookup of the payments a page of invoices or bills links asks for (as
/// many as one answer holds).
const LINKED_PER_QUERY: usize = MAX_PAGE_SIZE as usize;
/// Subtracted from a watermark so that a clock running behind Intuit's loses nothing.
const SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// How the connector talks to QuickBooks.
#[derive(Clone, Debug)]
pub struct QuickBooksConfig {
    /// The app registration and Intuit's URLs.
    pub app: OAuthApp,
    /// The rate budgets it paces itself against.
    pub limits: RateLimits,
    /// Refresh the access token when it has less than this left.
    pub refresh_margin: Duration,
    /// Records per page.
    pub page_size: u32,
    /// One HTTP call's timeout.
    pub timeout: Duration,
    /// Most objects one change data capture answer holds: a full answer means more changes
    /// may wait (Intuit: 1,000).
    pub cdc_max: usize,
}

impl QuickBooksConfig {
    /// Intuit's defaults for an app.
    pub fn new(app: OAuthApp) -> Self {
        Self {
            app,
            limits: RateLimits::default(),
            refresh_margin: Duration::from_secs(300),
            page_size: MAX_PAGE_SIZE,
            timeout: Duration::from_secs(120),
            cdc_max: CDC_MAX,
        }
    }

    /// An app with Intuit's real URLs and the accounting scope.
    pub fn intuit(client_id: &str, client_secret: &str) -> Self {
        Self::new(OAuthApp {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            authorize_url: AUTHORIZE_URL.to_string(),
            token_url: TOKEN_URL.to_string(),
            api_url: API_URL.to_string(),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
        })
    }
}

/// How long a company's home currency stays cached.
const HOME_TTL: Duration = Duration::from_secs(600);
/// How long the payments of a full read are kept for its later pages (a read abandoned
/// half-way leaves them behind).
const PAYMENTS_TTL: Duration = Duration::from_secs(3600);

/// The QuickBooks Online connector.
pub struct QuickBooksConnector {
    client: Client,
    page_size: u32,
    cdc_max: usize,
    /// Home currency by connection, read from `Preferences` when a record lacks `CurrencyRef`.
    homes: Mutex<HashMap<ConnectionId, (Instant, String)>>,
    /// The payments of the full reads under way (see [`QuickBooksConnector::payments_of_read`]).
    payments: Mutex<HashMap<ReadOf, (Instant, Arc<PaymentLookup>)>>,
}

/// A full read: its connection, the payment entity it reads for its documents, and when it
/// began.
type ReadOf = (ConnectionId, &'static str, DateTime<Utc>);

/// What mapping a transaction may look up besides the transaction itself.
struct Context<'c> {
    /// The company's home currency, for a transaction without `CurrencyRef`.
    home: &'c str,
    /// The payments the transactions link.
    payments: &'c PaymentLookup,
}

/// How a data type's records are read from an answer and mapped; `keep` says which of the
/// records read are the data type's (a full read's filter, applied again to what change data
/// capture returns).
#[derive(Clone, Copy)]
enum Mapping {
    /// Typed transactions ([`wire::Transaction`]).
    Transaction {
        keep: fn(&wire::Transaction<'_>) -> bool,
        map: fn(&wire::Transaction<'_>, &Context<'_>) -> Option<String>,
    },
    /// `serde_json::Value`s, mapped given the home currency.
    Value {
        keep: fn(&Value) -> bool,
        map: fn(&Value, &str) -> Option<String>,
    },
}

/// Keeps every transaction, mapped as `map`.
const fn transaction(map: fn(&wire::Transaction<'_>, &Context<'_>) -> Option<String>) -> Mapping {
    Mapping::Transaction {
        keep: |_| true,
        map,
    }
}

/// Keeps every record, mapped as `map`.
const fn value(map: fn(&Value, &str) -> Option<String>) -> Mapping {
    Mapping::Value {
        keep: |_| true,
        map,
    }
}

/// What one data type reads: its entities (queried in turn), how each maps, and whether
/// change data capture covers them.
struct Source {
    entities: &'static [&'static str],
    /// A `WHERE` clause a full read adds.
    filter: Option<&'static str>,
    mapping: Mapping,
    cdc: bool,
}

impl Source {
    /// Whether the mapping falls back on the home currency (lists carry none).
    fn uses_home(&self) -> bool {
        !matches!(
            self.entities.first().copied(),
            Some("Customer" | "Vendor" | "Item" | "TaxRate" | "Class")
        )
    }
}

const ACTIVE_TOO: &str = "Active IN (true, false)";

fn s(
    entities: &'static [&'static str],
    filter: Option<&'static str>,
    mapping: Mapping,
    cdc: bool,
) -> Source {
    Source {
        entities,
        filter,
        mapping,
        cdc,
    }
}

fn source(data_type: DataType) -> Option<Source> {
    use DataType as D;
    Some(match data_type {
        D::Invoices => s(
            &["Invoice"],
            None,
            transaction(|t, c| {
                record_text(map::invoice(t, c.home).map(|mut i| {
                    if let Some(a) = &mut i.payment_allocations {
                        c.payments.complete(a, &i.id);
                    }
                    i
                }))
            }),
            true,
        ),
        D::Bills => s(
            &["Bill"],
            None,
            transaction(|t, c| {
                record_text(map::bill(t, c.home).map(|mut b| {
                    if let Some(a) = &mut b.payment_allocations {
                        c.payments.complete(a, &b.id);
                    }
                    b
                }))
            }),
            true,
        ),
        D::CreditNotes => s(
            &["CreditMemo"],
            None,
            transaction(|t, c| record_text(map::credit_note(t, c.home))),
            true,
        ),
        D::BillCreditNotes => s(
            &["VendorCredit"],
            None,
            transaction(|t, c| record_text(map::bill_credit_note(t, c.home))),
            true,
        ),
        D::Payments => s(
            &["Payment"],
            None,
            value(|v, h| record_text(map::payment(v, h))),
            true,
        ),
        D::BillPayments => s(
            &["BillPayment"],
            None,
            value(|v, h| record_text(map::bill_payment(v, h))),
            true,
        ),
        D::Customers => s(
            &["Customer"],
            Some(ACTIVE_TOO),
            value(|v, _| record_text(map::customer(v))),
            true,
        ),
        D::Suppliers => s(
            &["Vendor"],
            Some(ACTIVE_TOO),
            value(|v, _| record_text(map::supplier(v))),
            true,
        ),
        D::ChartOfAccounts => s(
            &["Account"],
            Some(ACTIVE_TOO),
            value(|v, h| record_text(map::account(v, h))),
            true,
        ),
        D::BankAccounts => s(
            &["Account"],
            Some("AccountType IN ('Bank', 'Credit Card') AND Active IN (true, false)"),
            Mapping::Value {
                keep: map::is_bank,
                map: |v, h| record_text(map::bank_account(v, h)),
            },
            true,
        ),
        D::Items => s(
            &["Item"],
            Some(ACTIVE_TOO),
            value(|v, _| record_text(map::item(v))),
            true,
        ),
        D::TaxRates => s(
            &["TaxRate"],
            None,
            value(|v, _| record_text(map::tax_rate(v))),
            false,
        ),
        D::TrackingCategories => s(
            &["Class", "Department"],
            Some(ACTIVE_TOO),
            value(|v, _| {
                // Both lists share one mapping; a department says so by its field.
                let department = map::get(v, "SubDepartment").is_some();
                record_text(map::tracking_category(v, department))
            }),
            true,
        ),
        D::JournalEntries => s(
            &["JournalEntry"],
            None,
            value(|v, h| record_text(map::journal_entry(v, h))),
            true,
        ),
        D::Transfers => s(
            &["Transfer"],
            None,
            value(|v, h| record_text(map::transfer(v, h))),
            true,
        ),
        D::PurchaseOrders => s(
            &["PurchaseOrder"],
            None,
            transaction(|t, c| record_text(map::purchase_order(t, c.home))),
            true,
        ),
        // Codat reads sales receipts and bank deposits of income as direct incomes.
        D::DirectIncomes => s(
            &["SalesReceipt", "Deposit"],
            None,
            Mapping::Transaction {
                keep: map::is_income_deposit,
                map: |t, c| record_text(map::direct_income(t, c.home)),
            },
            true,
        ),
        D::DirectCosts => s(
            &["Purchase"],
            None,
            transaction(|t, c| record_text(map::direct_cost(t, c.home))),
            true,
        ),
        _ => return None,
    })
}

/// What reading a page needs of a record, whether typed or a `Value`.
trait Listed {
    /// QuickBooks' `Id`.
    fn id(&self) -> String;
    /// Whether change data capture reports it deleted.
    fn is_deleted(&self) -> bool;
    /// Whether it lacks a currency of its own (the home currency is then its own).
    fn lacks_currency(&self) -> bool;
    /// `MetaData.LastUpdatedTime`.
    fn updated(&self) -> Option<NaiveDateTime>;
}

impl Listed for Value {
    fn id(&self) -> String {
        map::text(self, "Id").unwrap_or_default()
    }

    fn is_deleted(&self) -> bool {
        map::text(self, "status").is_some_and(|st| st.eq_ignore_ascii_case("Deleted"))
    }

    fn lacks_currency(&self) -> bool {
        map::get(self, "CurrencyRef").is_none()
    }

    fn updated(&self) -> Option<NaiveDateTime> {
        map::last_updated(self)
    }
}

impl Listed for wire::Transaction<'_> {
    fn id(&self) -> String {
        crate::wire::owned(&self.id).unwrap_or_default()
    }

    fn is_deleted(&self) -> bool {
        map::is_deleted(self)
    }

    fn lacks_currency(&self) -> bool {
        map::lacks_currency(self)
    }

    fn updated(&self) -> Option<NaiveDateTime> {
        map::transaction_updated(self)
    }
}

/// The payment entity whose lines complete `entity`'s allocations, and the `LinkedTxn`
/// types that name its records.
fn paid_by(entity: &str) -> Option<(&'static str, &'static [&'static str])> {
    match entity {
        "Invoice" => Some(("Payment", &["Payment"])),
        "Bill" => Some((
            "BillPayment",
            &["BillPaymentCheck", "BillPaymentCreditCard", "BillPayment"],
        )),
        _ => None,
    }
}

/// The record id a data type stores for an entity's `Id`.
fn record_id(entity: &str, id: &str) -> String {
    match entity {
        "Class" => map::class_id(id),
        "Department" => map::department_id(id),
        _ => id.to_string(),
    }
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `cdc:<RFC 3339>`: changes from this instant on are still to be read.
fn parse_watermark(since: Option<&str>) -> Option<DateTime<Utc>> {
    let w = since?.strip_prefix("cdc:")?;
    DateTime::parse_from_rfc3339(w)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn watermark(at: DateTime<Utc>) -> String {
    format!("cdc:{}", stamp(at))
}

/// Where a full read is: `f:<entity>:<start position>:<total>:<began, RFC 3339>`.
struct FullCursor {
    entity: usize,
    start: u64,
    total: Option<u64>,
    began: DateTime<Utc>,
}

impl FullCursor {
    fn parse(c: &str) -> Option<Self> {
        let mut parts = c.strip_prefix("f:")?.splitn(4, ':');
        let entity = parts.next()?.parse().ok()?;
        let start = parts.next()?.parse().ok()?;
        let total = parts.next()?.parse().ok();
        let began = DateTime::parse_from_rfc3339(parts.next()?)
            .ok()?
            .with_timezone(&Utc);
        Some(Self {
            entity,
            start,
            total,
            began,
        })
    }

    fn render(&self) -> String {
        format!(
            "f:{}:{}:{}:{}",
            self.entity,
            self.start,
            self.total.map(|t| t.to_string()).unwrap_or_default(),
            stamp(self.began)
        )
    }
}

/// The path of a query: `query?query=<statement>`.
fn query_path(statement: &str) -> String {
    format!("query?query={}", encode(statement))
}

/// A query answer's `QueryResponse`, read typed; `entity` names the query in errors.
fn read_lists<'b>(body: &'b [u8], entity: &str) -> Result<wire::Lists<'b>, ConnectorError> {
    let answer: wire::QueryAnswer<'b> = serde_json::from_slice(body).map_err(|e| {
        ConnectorError::Malformed(format!(
            "QuickBooks' answer to a {entity} query cannot be read: {e}"
        ))
    })?;
    answer.query_response.ok_or_else(|| {
        ConnectorError::Malformed(format!(
            "QuickBooks' answer to a {entity} query has no QueryResponse"
        ))
    })
}

/// A query answer's list of `entity` records, as `Value`s (keys matched case-insensitively).
fn read_values(body: &[u8], entity: &str) -> Result<Vec<Value>, ConnectorError> {
    let mut body: Value = serde_json::from_slice(body).map_err(|e| {
        ConnectorError::Malformed(format!(
            "QuickBooks' answer to a {entity} query is not JSON: {e}"
        ))
    })?;
    let mut response = map::take(&mut body, "QueryResponse").ok_or_else(|| {
        ConnectorError::Malformed(format!(
            "QuickBooks' answer to a {entity} query has no QueryResponse"
        ))
    })?;
    match map::take(&mut response, entity) {
        Some(Value::Array(a)) => Ok(a),
        None => Ok(Vec::new()),
        Some(_) => Err(ConnectorError::Malformed(format!(
            "QuickBooks' {entity} list is not a list"
        ))),
    }
}

/// The latest of `latest` and the changes of `records`.
fn latest_change<T: Listed>(latest: Option<DateTime<Utc>>, records: &[T]) -> Option<DateTime<Utc>> {
    records
        .iter()
        .filter_map(|r| r.updated())
        .map(|at| at.and_utc())
        .fold(latest, |l, at| Some(l.map_or(at, |l| l.max(at))))
}

/// Maps `records` of `entity` into `out`: deletions as deleted ids, the records `keep`
/// keeps as `map` maps them, the rest left out; one `map` cannot read is reported.
fn map_into<T: Listed>(
    out: &mut FetchPage,
    entity: &str,
    records: &[T],
    keep: fn(&T) -> bool,
    map: impl Fn(&T) -> Option<String>,
) {
    out.records.reserve(records.len());
    for r in records {
        let id = record_id(entity, &r.id());
        if r.is_deleted() {
            out.deleted.push(id);
            continue;
        }
        if !keep(r) {
            continue;
        }
        match map(r) {
            Some(doc) => out.records.push(SourceRecord { id, doc }),
            None => out.unmappable.push((
                id,
                format!("QuickBooks {entity} record lacks its id or date"),
            )),
        }
    }
}

impl QuickBooksConnector {
    /// A connector for one Intuit app.
    pub fn new(config: QuickBooksConfig) -> Arc<Self> {
        Arc::new(Self {
            client: Client::new(
                config.app,
                config.limits,
                config.refresh_margin,
                config.timeout,
            ),
            page_size: config.page_size.clamp(1, MAX_PAGE_SIZE),
            cdc_max: config.cdc_max.max(1),
            homes: Mutex::new(HashMap::new()),
            payments: Mutex::new(HashMap::new()),
        })
    }

    /// The company's home currency, for records without a `CurrencyRef` (cached for ten
    /// minutes per connection).
    async fn home_currency(&self, ctx: &ConnectionContext) -> Result<String, ConnectorError> {
        if let Some((at, home)) = self
            .homes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&ctx.connection_id)
            && at.elapsed() < HOME_TTL
        {
            return Ok(home.clone());
        }
        let body = self
            .client
            .get(ctx, &query_path("SELECT * FROM Preferences"))
            .await?;
        let home = map::get(&body, "QueryResponse")
            .and_then(|q| map::get(q, "Preferences"))
            .and_then(|p| p.get(0))
            .and_then(|p| map::get(p, "CurrencyPrefs"))
            .and_then(|c| map::get(c, "HomeCurrency"))
            .and_then(|h| map::text(h, "value"))
            .unwrap_or_default();
        self.homes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(ctx.connection_id, (Instant::now(), home.clone()));
        Ok(home)
    }

    /// The home currency when a mapping needs it: `s` falls back on it and one of `records`
    /// (not deleted) lacks a currency of its own; else empty, without a call.
    async fn home_for<T: Listed>(
        &self,
        ctx: &ConnectionContext,
        s: &Source,
        records: &[T],
    ) -> Result<String, ConnectorError> {
        if s.uses_home()
            && records
                .iter()
                .any(|r| r.lacks_currency() && !r.is_deleted())
        {
            self.home_currency(ctx).await
        } else {
            Ok(String::new())
        }
    }

    /// The payments a full read of `entity` completes its documents' allocations from: every
    /// record of the entity that pays them (`Payment` for invoices, `BillPayment` for
    /// bills), read once per read (`began` names it), a page at a time, and kept until the
    /// read's last page (or [`PAYMENTS_TTL`]). Empty for other entities.
    async fn payments_of_read(
        &self,
        ctx: &ConnectionContext,
        entity: &str,
        began: DateTime<Utc>,
    ) -> Result<Arc<PaymentLookup>, ConnectorError> {
        let Some((target, _)) = paid_by(entity) else {
            return Ok(Arc::default());
        };
        let key = (ctx.connection_id, target, began);
        {
            let mut held = self.payments.lock().unwrap_or_else(|e| e.into_inner());
            held.retain(|_, (at, _)| at.elapsed() < PAYMENTS_TTL);
            if let Some((_, lookup)) = held.get(&key) {
                return Ok(lookup.clone());
            }
        }
        let mut lookup = PaymentLookup::default();
        let mut start = 1usize;
        loop {
            let statement = format!(
                "SELECT * FROM {target} ORDERBY Metadata.LastUpdatedTime STARTPOSITION {start} MAXRESULTS {}",
                self.page_size
            );
            let body = self.client.get_bytes(ctx, &query_path(&statement)).await?;
            let found = read_lists(&body, target)?
                .take_payments(target)
                .unwrap_or_default();
            found.iter().for_each(|p| lookup.add(p));
            if found.len() < self.page_size as usize {
                break;
            }
            start += found.len();
        }
        let lookup = Arc::new(lookup);
        self.payments
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (Instant::now(), lookup.clone()));
        Ok(lookup)
    }

    /// The payments that `records` (invoices or bills that changed) link, read with `SELECT *
    /// FROM <entity> WHERE Id IN (...)` (POSTed: the list is long), [`LINKED_PER_QUERY`] ids a
    /// call. Empty for other entities and when nothing is linked.
    async fn linked_payments(
        &self,
        ctx: &ConnectionContext,
        entity: &str,
        records: &[wire::Transaction<'_>],
    ) -> Result<PaymentLookup, ConnectorError> {
        let mut lookup = PaymentLookup::default();
        let Some((target, types)) = paid_by(entity) else {
            return Ok(lookup);
        };
        let ids: std::collections::BTreeSet<&str> = records
            .iter()
            .flat_map(|r| map::linked_ids(r, types))
            .collect();
        let ids: Vec<&str> = ids.into_iter().collect();
        for chunk in ids.chunks(LINKED_PER_QUERY) {
            let list: Vec<String> = chunk.iter().map(|id| format!("'{id}'")).collect();
            let statement = format!(
                "SELECT * FROM {target} WHERE Id IN ({}) MAXRESULTS {MAX_PAGE_SIZE}",
                list.join(", ")
            );
            let body = self.client.post_query(ctx, &statement).await?;
            let found = read_lists(&body, target)?
                .take_payments(target)
                .unwrap_or_default();
            found.iter().for_each(|p| lookup.add(p));
        }
        Ok(lookup)
    }

    async fn fetch_full(
        &self,
        ctx: &ConnectionContext,
        request: &FetchRequest,
        cursor: Option<FullCursor>,
        s: &Source,
    ) -> Result<FetchPage, ConnectorError> {
        let mut at = cursor.unwrap_or(FullCursor {
            entity: 0,
            start: 1,
            total: None,
            // To the second, as the cursor keeps it: the read's later pages name it alike.
            began: (Utc::now() - SKEW).trunc_subsecs(0),
        });
        let entity = *s.entities.get(at.entity).ok_or_else(|| {
            ConnectorError::Malformed("a QuickBooks cursor names an unknown entity".into())
        })?;
        let mut clauses: Vec<String> = s.filter.iter().map(|f| f.to_string()).collect();
        if let Some(from) = &request.sync_from {
            clauses.push(format!(
                "Metadata.LastUpdatedTime >= '{}'",
                stamp(from.as_datetime())
            ));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        // Nothing filtered out by the sync settings: this read is all QuickBooks holds, and
        // whatever it does not return was deleted (how deletions older than change data
        // capture's window are found).
        let mut out = FetchPage {
            complete_snapshot: request.sync_from.is_none(),
            ..FetchPage::default()
        };
        let total = match at.total {
            Some(t) => Some(t),
            // A list outside change data capture (tax rates) is small and read whole on
            // every sync: no count first, so reading it again costs one call.
            None if !s.cdc => None,
            None => {
                let body = self
                    .client
                    .get(
                        ctx,
                        &query_path(&format!("SELECT COUNT(*) FROM {entity}{filter}")),
                    )
                    .await?;
                let t = map::get(&body, "QueryResponse")
                    .and_then(|q| map::get(q, "totalCount"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                at.total = Some(t);
                Some(t)
            }
        };
        let mut got = 0u64;
        if total.is_none_or(|t| at.start <= t) {
            let statement = format!(
                "SELECT * FROM {entity}{filter} ORDERBY Metadata.LastUpdatedTime STARTPOSITION {} MAXRESULTS {}",
                at.start, self.page_size
            );
            let body = self.client.get_bytes(ctx, &query_path(&statement)).await?;
            got = match s.mapping {
                Mapping::Transaction { keep, map } => {
                    let records = read_lists(&body, entity)?.take(entity).unwrap_or_default();
                    let home = self.home_for(ctx, s, &records).await?;
                    let payments = if records.is_empty() {
                        Arc::default()
                    } else {
                        self.payments_of_read(ctx, entity, at.began).await?
                    };
                    let context = Context {
                        home: &home,
                        payments: &payments,
                    };
                    map_into(&mut out, entity, &records, keep, |t| map(t, &context));
                    records.len()
                }
                Mapping::Value { keep, map } => {
                    let records = read_values(&body, entity)?;
                    let home = self.home_for(ctx, s, &records).await?;
                    map_into(&mut out, entity, &records, keep, |v| map(v, &home));
                    records.len()
                }
            } as u64;
        }
        let next_start = at.start + got;
        out.estimated_total = Some(total.unwrap_or(next_start - 1));
        if got >= u64::from(self.page_size) && total.is_none_or(|t| next_start <= t) {
            at.start = next_start;
            out.next_cursor = Some(at.render());
            return Ok(out);
        }
        // The entity is read: its payments are no longer needed.
        if let Some((target, _)) = paid_by(entity) {
            self.payments
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&(ctx.connection_id, target, at.began));
        }
        if at.entity + 1 < s.entities.len() {
            out.next_cursor = Some(
                FullCursor {
                    entity: at.entity + 1,
                    start: 1,
                    total: None,
                    began: at.began,
                }
                .render(),
            );
        } else {
            out.watermark = Some(if s.cdc {
                watermark(at.began)
            } else {
                "full".into()
            });
        }
        Ok(out)
    }

    async fn fetch_changes(
        &self,
        ctx: &ConnectionContext,
        since: DateTime<Utc>,
        s: &Source,
    ) -> Result<FetchPage, ConnectorError> {
        let began = Utc::now() - SKEW;
        let body = self
            .client
            .get_bytes(ctx, &cdc_path(s.entities, since))
            .await?;
        let mut out = FetchPage::default();
        let mut seen = 0usize;
        let mut latest: Option<DateTime<Utc>> = None;
        match s.mapping {
            Mapping::Transaction { keep, map } => {
                let answer: wire::CdcAnswer<'_> = serde_json::from_slice(&body).map_err(|e| {
                    ConnectorError::Malformed(format!(
                        "QuickBooks' change data capture answer cannot be read: {e}"
                    ))
                })?;
                let responses = answer
                    .cdc_response
                    .and_then(|r| r.into_iter().next())
                    .and_then(|r| r.query_response)
                    .ok_or_else(no_cdc)?;
                for mut lists in responses {
                    for entity in s.entities {
                        let Some(records) = lists.take(entity) else {
                            continue;
                        };
                        seen += records.len();
                        latest = latest_change(latest, &records);
                        let home = self.home_for(ctx, s, &records).await?;
                        let payments = self.linked_payments(ctx, entity, &records).await?;
                        let context = Context {
                            home: &home,
                            payments: &payments,
                        };
                        map_into(&mut out, entity, &records, keep, |t| map(t, &context));
                    }
                }
            }
            Mapping::Value { keep, map } => {
                let body: Value = serde_json::from_slice(&body).map_err(|e| {
                    ConnectorError::Malformed(format!(
                        "QuickBooks' change data capture answer is not JSON: {e}"
                    ))
                })?;
                for response in cdc_lists(&body)? {
                    for entity in s.entities {
                        let Some(Value::Array(records)) = map::get(response, entity) else {
                            continue;
                        };
                        seen += records.len();
                        latest = latest_change(latest, records);
                        let home = self.home_for(ctx, s, records).await?;
                        map_into(&mut out, entity, records, keep, |v| map(v, &home));
                    }
                }
            }
        }
        out.estimated_total = Some(seen as u64);
        match latest {
            // Saturated: ask again from the latest change seen.
            Some(l) if seen >= self.cdc_max && l > since => {
                out.next_cursor = Some(format!("c:{}", stamp(l)));
            }
            // Saturated within one instant: only a full read can be sure to see it all.
            Some(_) if seen >= self.cdc_max => {
                out.next_cursor = Some(
                    FullCursor {
                        entity: 0,
                        start: 1,
                        total: None,
                        began,
                    }
                    .render(),
                );
            }
            _ => out.watermark = Some(watermark(began.max(since))),
        }
        Ok(out)
    }

    async fn fetch_source(
        &self,
        ctx: &ConnectionContext,
        request: &FetchRequest,
        cursor: Option<&str>,
        s: &Source,
    ) -> Result<FetchPage, ConnectorError> {
        if let Some(c) = cursor {
            if let Some(full) = FullCursor::parse(c) {
                return self.fetch_full(ctx, request, Some(full), s).await;
            }
            let since = c
                .strip_prefix("c:")
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .ok_or_else(|| {
                    ConnectorError::Malformed(format!("unknown QuickBooks cursor `{c}`"))
                })?;
            return self.fetch_changes(ctx, since.with_timezone(&Utc), s).await;
        }
        let window = chrono::Duration::from_std(CDC_WINDOW).unwrap_or_default() - SKEW;
        match parse_watermark(request.since.as_deref()) {
            Some(since) if s.cdc && Utc::now() - since < window => {
                self.fetch_changes(ctx, since, s).await
            }
            // No watermark, or one older than change data capture reaches: read everything.
            _ => self.fetch_full(ctx, request, None, s).await,
        }
    }

    async fn fetch_company(&self, ctx: &ConnectionContext) -> Result<FetchPage, ConnectorError> {
        let realm = Tokens::from_credentials(&ctx.credentials)?.realm_id;
        let body = self
            .client
            .get(ctx, &format!("companyinfo/{realm}"))
            .await?;
        let info = map::get(&body, "CompanyInfo").cloned().ok_or_else(|| {
            ConnectorError::Malformed("QuickBooks' companyinfo answer holds no CompanyInfo".into())
        })?;
        let home = self.home_currency(ctx).await?;
        let home = (!home.is_empty()).then_some(home);
        let mut out = FetchPage::default();
        match record_text(map::company(&info, home, Utc::now().date_naive())) {
            Some(doc) => out.records.push(SourceRecord {
                id: "company".into(),
                doc,
            }),
            None => out.unmappable.push((
                "company".into(),
                "the company info could not be read".into(),
            )),
        }
        out.watermark = Some("full".into());
        Ok(out)
    }

    async fn fetch_statement(
        &self,
        ctx: &ConnectionContext,
        request: &FetchRequest,
        cursor: Option<&str>,
    ) -> Result<FetchPage, ConnectorError> {
        let months = request.months_to_sync.unwrap_or(24).clamp(1, 120);
        let today = Utc::now().date_naive();
        let (k, began) = match cursor {
            Some(c) => statements::parse_cursor("QuickBooks", c)?,
            None => {
                let began = Utc::now() - SKEW;
                let window = chrono::Duration::from_std(CDC_WINDOW).unwrap_or_default() - SKEW;
                if let Some(mark) =
                    statements::Mark::current(request.since.as_deref(), today, months)
                        .filter(|m| Utc::now() - m.began < window)
                    && !self.books_changed_since(ctx, mark.began).await?
                {
                    // Nothing changed since the last read: every month is as stored.
                    return Ok(statements::unchanged(today, months, began));
                }
                (0, Some(began))
            }
        };
        let (from, to) = statements::month(today, k);
        let balance = request.data_type == DataType::BalanceSheet;
        let name = if balance {
            "BalanceSheet"
        } else {
            "ProfitAndLoss"
        };
        let body = self
            .client
            .get(
                ctx,
                &format!(
                    "reports/{name}?start_date={from}&end_date={to}&accounting_method=Accrual"
                ),
            )
            .await?;
        let mut out = FetchPage {
            estimated_total: Some(u64::from(months)),
            ..FetchPage::default()
        };
        if map::report_has_rows(&body) {
            let record = if balance {
                let p = map::balance_sheet(&body, to);
                let id = p
                    .date
                    .as_ref()
                    .map(|d| d.as_str().to_string())
                    .unwrap_or_default();
                record_text(Some(p)).map(|doc| SourceRecord { id, doc })
            } else {
                let p = map::profit_and_loss(&body, from, to);
                let id = p
                    .from_date
                    .as_ref()
                    .map(|d| d.as_str().to_string())
                    .unwrap_or_default();
                record_text(Some(p)).map(|doc| SourceRecord { id, doc })
            };
            out.records.extend(record);
        }
        if k + 1 < months {
            out.next_cursor = Some(statements::cursor(k + 1, began));
        } else {
            out.watermark = Some(statements::watermark(today, months, began));
        }
        Ok(out)
    }

    /// Whether any transaction or account changed since `at` (one change data capture call
    /// over [`LEDGER_ENTITIES`]).
    async fn books_changed_since(
        &self,
        ctx: &ConnectionContext,
        at: DateTime<Utc>,
    ) -> Result<bool, ConnectorError> {
        let body = self.client.get(ctx, &cdc_path(LEDGER_ENTITIES, at)).await?;
        Ok(cdc_lists(&body)?.iter().any(|r| {
            LEDGER_ENTITIES.iter().any(|e| {
                map::get(r, e)
                    .and_then(Value::as_array)
                    .is_some_and(|l| !l.is_empty())
            })
        }))
    }
}

/// The change data capture call for `entities` changed since `since`.
fn cdc_path(entities: &[&str], since: DateTime<Utc>) -> String {
    format!(
        "cdc?entities={}&changedSince={}",
        entities.join(","),
        encode(&stamp(since))
    )
}

fn no_cdc() -> ConnectorError {
    ConnectorError::Malformed("QuickBooks' change data capture answer has no CDCResponse".into())
}

/// The lists of a change data capture answer read as JSON: its `QueryResponse`, one object
/// per entity asked for.
fn cdc_lists(body: &Value) -> Result<&[Value], ConnectorError> {
    map::get(body, "CDCResponse")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|r| map::get(r, "QueryResponse"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(no_cdc)
}

/// What a statement is made of: the entities that post to the ledger, and the accounts.
const LEDGER_ENTITIES: &[&str] = &[
    "Account",
    "Invoice",
    "CreditMemo",
    "SalesReceipt",
    "RefundReceipt",
    "Payment",
    "Deposit",
    "Bill",
    "VendorCredit",
    "BillPayment",
    "Purchase",
    "JournalEntry",
    "Transfer",
];

impl Connector for QuickBooksConnector {
    fn platform_key(&self) -> &'static str {
        "qhyg"
    }

    fn fetch_page<'a>(
        &'a self,
        connection: &'a ConnectionContext,
        request: &'a FetchRequest,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<FetchPage, ConnectorError>> {
        Box::pin(async move {
            match request.data_type {
                DataType::Company => self.fetch_company(connection).await,
                DataType::BalanceSheet | DataType::ProfitAndLoss => {
                    self.fetch_statement(connection, request, cursor).await
                }
                other => match source(other) {
                    Some(s) => self.fetch_source(connection, request, cursor, &s).await,
                    None => Err(ConnectorError::NotSupported),
                },
            }
        })
    }
}

impl OAuthLink for QuickBooksConnector {
    fn platform_key(&self) -> &'static str {
        "qhyg"
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> String {
        let app = &self.client.app;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &app.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", &app.scopes.join(" "))
            .append_pair("redirect_uri", request.redirect_uri)
            .append_pair("state", request.state)
            .append_pair("code_challenge", request.code_challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        let sep = if app.authorize_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{query}", app.authorize_url)
    }

    fn complete<'a>(
        &'a self,
        query: &'a BTreeMap<String, String>,
        code_verifier: &'a str,
        redirect_uri: &'a str,
    ) -> BoxFuture<'a, Result<Vec<LinkedTenant>, OAuthError>> {
        Box::pin(async move {
            if let Some(error) = query.get("error") {
                return Err(if error == "access_denied" {
                    OAuthError::Denied
                } else {
                    OAuthError::Exchange(format!("Intuit refused the authorization ({error})"))
                });
            }
            let code = query
                .get("code")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| OAuthError::Exchange("Intuit's callback carries no code".into()))?;
            let realm = query
                .get("realmId")
                .filter(|r| !r.is_empty())
                .ok_or(OAuthError::NoTenant)?;
            let granted = self
                .client
                .token_request(&[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", redirect_uri),
                    ("code_verifier", code_verifier),
                ])
                .await
                .map_err(|e| match e {
                    GrantError::Invalid(m) | GrantError::Other(m, _) => OAuthError::Exchange(m),
                })?;
            let refresh_token = granted.refresh_token.ok_or_else(|| {
                OAuthError::Exchange(
                    "Intuit's token endpoint answered without a refresh token".into(),
                )
            })?;
            // The company's name, for Link and the connection; the realm id if it cannot
            // be read now (the grant is good either way).
            let company_name = self
                .client
                .company_name(&granted.access_token, realm)
                .await
                .unwrap_or_else(|| format!("QuickBooks company {realm}"));
            let tokens = Tokens {
                access_token: granted.access_token,
                refresh_token,
                expires_at: Utc::now() + chrono::Duration::seconds(granted.expires_in),
                realm_id: realm.clone(),
                company_name: company_name.clone(),
            };
            Ok(vec![LinkedTenant {
                tenant_id: realm.clone(),
                tenant_name: company_name,
                credentials: tokens.to_credentials(),
            }])
        })
    }
}

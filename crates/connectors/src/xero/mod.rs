//! The Xero connector (`gbol`): reads an organisation's books through Xero's Accounting API
//! and maps them to Codat's model, and the platform half of the OAuth Link flow.
//!
//! - Paged types (invoices, bills, credit notes, payments, contacts, purchase orders, bank
//!   transactions) are read with `page` and Xero's largest `pageSize` (1,000), oldest change
//!   first; journals with `offset`; the rest in one call.
//! - Documents (invoices, bills, credit notes, purchase orders: what a sync reads by the
//!   thousand) are read into typed records that borrow from the answer ([`wire`]); the other
//!   lists, journals, reports and the organisation as `serde_json::Value`.
//! - Incremental syncs send `If-Modified-Since` from the watermark (the latest
//!   `UpdatedDateUTC` seen); journals continue from the last `JournalNumber`. Tax rates,
//!   tracking categories and the organisation have no such filter and are read whole.
//!   Statements read one report a month; the next sync in the same month reads them again
//!   only if `Journals` with `If-Modified-Since` shows a journal posted since
//!   ([`crate::statements`]).
//! - Calls are paced per tenant from Xero's limit headers (60 a minute, 5 at once, 5,000 a
//!   day): a sync never meets a minute-limit 429 it could have avoided, and a spent day
//!   stops the dataset with [`ConnectorError::RateLimited`].
//! - The 30-minute access token is refreshed ahead of expiry, once per grant however many
//!   datasets run; the rotated refresh token is saved through the connection's
//!   [`crate::CredentialStore`] before it is used.

mod client;
pub mod map;
pub mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use ledgerbridge_domain::{ConnectionId, DataType};
use serde_json::Value;

use client::{Client, GrantError};
pub use client::{RateLimits, Tokens};
use map::Lookups;

use crate::connector::{
    BoxFuture, ConnectionContext, Connector, ConnectorError, FetchPage, FetchRequest, SourceRecord,
    record_text,
};
use crate::oauth::{AuthorizeRequest, LinkedTenant, OAuthApp, OAuthError, OAuthLink};
use crate::statements;

/// Xero's consent page.
pub const AUTHORIZE_URL: &str = "https://login.xero.com/identity/connect/authorize";
/// Xero's token endpoint.
pub const TOKEN_URL: &str = "https://identity.xero.com/connect/token";
/// Xero's API host (`/connections`, `/api.xro/2.0`).
pub const API_URL: &str = "https://api.xero.com";
/// The scopes asked for by default: the granular read scopes Xero requires of apps created
/// from March 2026, and `offline_access` for a refresh token.
pub const DEFAULT_SCOPES: &[&str] = &[
    "offline_access",
    "accounting.settings.read",
    "accounting.contacts.read",
    "accounting.invoices.read",
    "accounting.payments.read",
    "accounting.banktransactions.read",
    "accounting.manualjournals.read",
    "accounting.journals.read",
    "accounting.reports.balancesheet.read",
    "accounting.reports.profitandloss.read",
];
/// The largest `pageSize` Xero accepts.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Journals come 100 at a time.
const JOURNALS_PER_CALL: usize = 100;
/// How far a statement read's watermark is set back from our clock, for Xero's clock.
const STATEMENT_SKEW: chrono::Duration = chrono::Duration::seconds(60);
/// How long the accounts, tax rates and base currency the mapping looks up stay cached.
const LOOKUPS_TTL: Duration = Duration::from_secs(600);

/// How the connector talks to Xero.
#[derive(Clone, Debug)]
pub struct XeroConfig {
    /// The app registration and Xero's URLs.
    pub app: OAuthApp,
    /// The rate budget it paces itself against.
    pub limits: RateLimits,
    /// Refresh the access token when it has less than this left.
    pub refresh_margin: Duration,
    /// Records per page.
    pub page_size: u32,
    /// One HTTP call's timeout.
    pub timeout: Duration,
}

impl XeroConfig {
    /// Xero's defaults for an app.
    pub fn new(app: OAuthApp) -> Self {
        Self {
            app,
            limits: RateLimits::default(),
            refresh_margin: Duration::from_secs(300),
            page_size: MAX_PAGE_SIZE,
            timeout: Duration::from_secs(60),
        }
    }

    /// An app with Xero's real URLs and default scopes.
    pub fn xero(client_id: &str, client_secret: &str) -> Self {
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

/// The Xero connector.
pub struct XeroConnector {
    client: Client,
    page_size: u32,
    lookups: Mutex<HashMap<ConnectionId, (Instant, Arc<Lookups>)>>,
}

impl XeroConnector {
    /// A connector for one Xero app.
    pub fn new(config: XeroConfig) -> Arc<Self> {
        let client = Client::new(config.app, config.limits, config.refresh_margin)
            .with_timeout(config.timeout);
        Arc::new(Self {
            client,
            page_size: config.page_size.clamp(1, MAX_PAGE_SIZE),
            lookups: Mutex::new(HashMap::new()),
        })
    }

    async fn lookups(&self, ctx: &ConnectionContext) -> Result<Arc<Lookups>, ConnectorError> {
        if let Some((at, l)) = self
            .lookups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&ctx.connection_id)
            && at.elapsed() < LOOKUPS_TTL
        {
            return Ok(l.clone());
        }
        let mut l = Lookups::default();
        let org = self.client.get(ctx, "Organisation", None).await?;
        l.base_currency = org["Organisations"]
            .get(0)
            .and_then(|o| map::text(o, "BaseCurrency"));
        let accounts = self.client.get(ctx, "Accounts", None).await?;
        for a in accounts["Accounts"].as_array().into_iter().flatten() {
            if let Some(id) = map::text(a, "AccountID") {
                if let Some(code) = map::text(a, "Code") {
                    l.accounts_by_code.insert(code, id.clone());
                }
                l.accounts_by_id.insert(
                    id.to_ascii_lowercase(),
                    (
                        map::text(a, "Name").unwrap_or_default(),
                        map::text(a, "CurrencyCode"),
                    ),
                );
            }
        }
        // A grant without the settings scope still maps documents, without tax rate names.
        if let Ok(rates) = self.client.get(ctx, "TaxRates", None).await {
            for t in rates["TaxRates"].as_array().into_iter().flatten() {
                if let Some(code) = map::text(t, "TaxType") {
                    l.tax_rates.insert(
                        code,
                        (
                            map::text(t, "Name").unwrap_or_default(),
                            map::money(t, "EffectiveRate"),
                        ),
                    );
                }
            }
        }
        let l = Arc::new(l);
        self.lookups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(ctx.connection_id, (Instant::now(), l.clone()));
        Ok(l)
    }
}

/// `ims:<RFC 3339>`: the latest `UpdatedDateUTC` a fetch saw.
fn parse_watermark(since: Option<&str>) -> Option<NaiveDateTime> {
    let w = since?.strip_prefix("ims:")?;
    chrono::DateTime::parse_from_rfc3339(w)
        .ok()
        .map(|d| d.naive_utc())
}

fn watermark(at: NaiveDateTime) -> String {
    format!("ims:{}", at.and_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// The `If-Modified-Since` value for a fetch: the watermark (to the second, so a record
/// changed in the same second is read again rather than missed), else `syncFrom`.
fn modified_since(request: &FetchRequest) -> Option<String> {
    let at = parse_watermark(request.since.as_deref()).or_else(|| {
        request
            .sync_from
            .as_ref()
            .map(|t| t.as_datetime().naive_utc())
    })?;
    Some(at.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// How a data type's records are read from the answer and mapped.
#[derive(Clone, Copy)]
enum Mapping {
    /// Typed documents ([`wire::Document`]).
    Document(fn(&wire::Document<'_>, &Lookups) -> Option<String>),
    /// `serde_json::Value`s, of which `keep` says which are the data type's.
    Value {
        keep: fn(&Value) -> bool,
        map: fn(&Value, &Lookups) -> Option<String>,
    },
}

/// Maps every record of a list as `map`.
const fn each(map: fn(&Value, &Lookups) -> Option<String>) -> Mapping {
    Mapping::Value {
        keep: |_| true,
        map,
    }
}

/// What one paged or single-call data type reads.
struct Source {
    endpoint: &'static str,
    key: &'static str,
    id_field: &'static str,
    filter: Option<&'static str>,
    extra: &'static str,
    paged: bool,
    modified_since: bool,
    needs_lookups: bool,
    mapping: Mapping,
}

const AR_PAYMENTS: &str = "PaymentType==\"ACCRECPAYMENT\" OR PaymentType==\"ARCREDITPAYMENT\" OR PaymentType==\"AROVERPAYMENTPAYMENT\" OR PaymentType==\"ARPREPAYMENTPAYMENT\"";
const AP_PAYMENTS: &str = "PaymentType==\"ACCPAYPAYMENT\" OR PaymentType==\"APCREDITPAYMENT\" OR PaymentType==\"APOVERPAYMENTPAYMENT\" OR PaymentType==\"APPREPAYMENTPAYMENT\"";

#[allow(clippy::too_many_arguments)]
const fn src(
    endpoint: &'static str,
    key: &'static str,
    id_field: &'static str,
    filter: Option<&'static str>,
    extra: &'static str,
    paged: bool,
    modified_since: bool,
    needs_lookups: bool,
    mapping: Mapping,
) -> Source {
    Source {
        endpoint,
        key,
        id_field,
        filter,
        extra,
        paged,
        modified_since,
        needs_lookups,
        mapping,
    }
}

fn source(data_type: DataType) -> Option<Source> {
    use DataType as D;
    Some(match data_type {
        D::Invoices => src(
            "Invoices",
            "Invoices",
            "InvoiceID",
            Some("Type==\"ACCREC\""),
            "",
            true,
            true,
            true,
            Mapping::Document(|d, l| record_text(map::invoice(d, l))),
        ),
        D::Bills => src(
            "Invoices",
            "Invoices",
            "InvoiceID",
            Some("Type==\"ACCPAY\""),
            "",
            true,
            true,
            true,
            Mapping::Document(|d, l| record_text(map::bill(d, l))),
        ),
        D::CreditNotes => src(
            "CreditNotes",
            "CreditNotes",
            "CreditNoteID",
            Some("Type==\"ACCRECCREDIT\""),
            "",
            true,
            true,
            true,
            Mapping::Document(|d, l| record_text(map::credit_note(d, l))),
        ),
        D::BillCreditNotes => src(
            "CreditNotes",
            "CreditNotes",
            "CreditNoteID",
            Some("Type==\"ACCPAYCREDIT\""),
            "",
            true,
            true,
            true,
            Mapping::Document(|d, l| record_text(map::bill_credit_note(d, l))),
        ),
        D::Payments => src(
            "Payments",
            "Payments",
            "PaymentID",
            Some(AR_PAYMENTS),
            "",
            true,
            true,
            true,
            Mapping::Value {
                keep: map::is_receivable_payment,
                map: |v, l| record_text(map::payment(v, l)),
            },
        ),
        D::BillPayments => src(
            "Payments",
            "Payments",
            "PaymentID",
            Some(AP_PAYMENTS),
            "",
            true,
            true,
            true,
            Mapping::Value {
                keep: |v| !map::is_receivable_payment(v),
                map: |v, l| record_text(map::bill_payment(v, l)),
            },
        ),
        D::Customers => src(
            "Contacts",
            "Contacts",
            "ContactID",
            Some("IsCustomer==true"),
            "&includeArchived=true",
            true,
            true,
            false,
            each(|v, _| record_text(map::customer(v))),
        ),
        D::Suppliers => src(
            "Contacts",
            "Contacts",
            "ContactID",
            Some("IsSupplier==true"),
            "&includeArchived=true",
            true,
            true,
            false,
            each(|v, _| record_text(map::supplier(v))),
        ),
        D::PurchaseOrders => src(
            "PurchaseOrders",
            "PurchaseOrders",
            "PurchaseOrderID",
            None,
            "",
            true,
            true,
            true,
            Mapping::Document(|d, l| record_text(map::purchase_order(d, l))),
        ),
        D::BankTransactions => src(
            "BankTransactions",
            "BankTransactions",
            "BankTransactionID",
            None,
            "",
            true,
            true,
            false,
            each(|v, _| record_text(map::bank_transaction(v))),
        ),
        D::ChartOfAccounts => src(
            "Accounts",
            "Accounts",
            "AccountID",
            None,
            "",
            false,
            true,
            true,
            each(|v, l| record_text(map::account(v, l))),
        ),
        D::BankAccounts => src(
            "Accounts",
            "Accounts",
            "AccountID",
            Some("Type==\"BANK\""),
            "",
            false,
            true,
            true,
            each(|v, l| record_text(map::bank_account(v, l))),
        ),
        D::Items => src(
            "Items",
            "Items",
            "ItemID",
            None,
            "",
            false,
            true,
            true,
            each(|v, l| record_text(map::item(v, l))),
        ),
        D::Transfers => src(
            "BankTransfers",
            "BankTransfers",
            "BankTransferID",
            None,
            "",
            false,
            true,
            true,
            each(|v, l| record_text(map::transfer(v, l))),
        ),
        D::TaxRates => src(
            "TaxRates",
            "TaxRates",
            "TaxType",
            None,
            "",
            false,
            false,
            false,
            each(|v, _| record_text(map::tax_rate(v))),
        ),
        _ => return None,
    })
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// What the paged read needs of a record, whether typed or a `Value`.
trait Listed {
    /// The record's id (`id_field` names it in a `Value`).
    fn id(&self, id_field: &str) -> String;
    /// When the record last changed.
    fn updated(&self) -> Option<NaiveDateTime>;
    /// Whether Xero reports it deleted.
    fn is_deleted(&self) -> bool;
}

impl Listed for Value {
    fn id(&self, id_field: &str) -> String {
        self.get(id_field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    fn updated(&self) -> Option<NaiveDateTime> {
        self.get("UpdatedDateUTC")
            .or_else(|| self.get("CreatedDateUTC"))
            .and_then(Value::as_str)
            .and_then(map::parse_date)
    }

    fn is_deleted(&self) -> bool {
        map::is_deleted(self)
    }
}

impl Listed for wire::Document<'_> {
    fn id(&self, _: &str) -> String {
        wire::Document::id(self).unwrap_or_default().to_string()
    }

    fn updated(&self) -> Option<NaiveDateTime> {
        map::document_updated(self)
    }

    fn is_deleted(&self) -> bool {
        map::document_is_deleted(self)
    }
}

/// Where a paged read is: the page to read, and the latest change seen before it.
struct PageAt {
    page: u32,
    latest: Option<NaiveDateTime>,
}

/// `p:<page>:<latest UpdatedDateUTC so far, ms>`.
fn parse_page_cursor(cursor: Option<&str>) -> Result<PageAt, ConnectorError> {
    let Some(c) = cursor else {
        return Ok(PageAt {
            page: 1,
            latest: None,
        });
    };
    let bad = || ConnectorError::Malformed(format!("unknown Xero cursor `{c}`"));
    let rest = c.strip_prefix("p:").ok_or_else(bad)?;
    let (page, max) = rest.split_once(':').unwrap_or((rest, ""));
    let page = page.parse().map_err(|_| bad())?;
    let max = max
        .parse::<i64>()
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|d| d.naive_utc());
    Ok(PageAt { page, latest: max })
}

impl XeroConnector {
    async fn fetch_source(
        &self,
        ctx: &ConnectionContext,
        request: &FetchRequest,
        cursor: Option<&str>,
        s: &Source,
    ) -> Result<FetchPage, ConnectorError> {
        let at = parse_page_cursor(cursor)?;
        let mut query = s.endpoint.to_string();
        let mut params = Vec::new();
        if s.paged {
            params.push(format!("page={}&pageSize={}", at.page, self.page_size));
        }
        if s.modified_since {
            params.push(format!("order={}", encode("UpdatedDateUTC ASC")));
        }
        if let Some(f) = s.filter {
            params.push(format!("where={}", encode(f)));
        }
        if !params.is_empty() || !s.extra.is_empty() {
            query.push('?');
            query.push_str(&params.join("&"));
            if params.is_empty() {
                query.push_str(s.extra.trim_start_matches('&'));
            } else {
                query.push_str(s.extra);
            }
        }
        let ims = if s.modified_since {
            modified_since(request)
        } else {
            None
        };
        let body = self.client.get_bytes(ctx, &query, ims.as_deref()).await?;
        let not_json = |e: serde_json::Error| {
            ConnectorError::Malformed(format!("Xero's answer to {} is not JSON: {e}", s.endpoint))
        };
        let no_list = || {
            ConnectorError::Malformed(format!(
                "Xero's {} answer has no `{}` list",
                s.endpoint, s.key
            ))
        };
        match s.mapping {
            Mapping::Document(map) => {
                let mut answer: wire::Documents<'_> =
                    serde_json::from_slice(&body).map_err(not_json)?;
                let total = answer.pagination.as_ref().and_then(|p| p.item_count);
                let records = answer.take(s.key).ok_or_else(no_list)?;
                self.map_page(ctx, request, s, at, total, &records, |_| true, map)
                    .await
            }
            Mapping::Value { keep, map } => {
                let mut answer: Value = serde_json::from_slice(&body).map_err(not_json)?;
                let total = answer
                    .get("pagination")
                    .and_then(|p| p.get("itemCount"))
                    .and_then(Value::as_u64);
                let records = match answer.get_mut(s.key).map(Value::take) {
                    Some(Value::Array(a)) => a,
                    _ => return Err(no_list()),
                };
                self.map_page(ctx, request, s, at, total, &records, keep, map)
                    .await
            }
        }
    }

    /// Maps one page of `s`'s list (`total` records in all, as Xero counts them) and says
    /// where the read goes next.
    #[allow(clippy::too_many_arguments)]
    async fn map_page<T: Listed + Sync>(
        &self,
        ctx: &ConnectionContext,
        request: &FetchRequest,
        s: &Source,
        at: PageAt,
        total: Option<u64>,
        records: &[T],
        keep: fn(&T) -> bool,
        map: fn(&T, &Lookups) -> Option<String>,
    ) -> Result<FetchPage, ConnectorError> {
        let PageAt { page, mut latest } = at;
        let lookups = if s.needs_lookups && !records.is_empty() {
            self.lookups(ctx).await?
        } else {
            Arc::new(Lookups::default())
        };
        let mut out = FetchPage::default();
        out.records.reserve(records.len());
        for r in records {
            let id = r.id(s.id_field);
            if let Some(at) = r.updated() {
                latest = Some(latest.map_or(at, |l| l.max(at)));
            }
            if r.is_deleted() && s.endpoint != "PurchaseOrders" {
                out.deleted.push(id);
                continue;
            }
            // Contacts can be both customer and supplier; payments are filtered by type.
            if !keep(r) {
                continue;
            }
            match map(r, &lookups) {
                Some(doc) => out.records.push(SourceRecord { id, doc }),
                None => out.unmappable.push((
                    id,
                    format!("Xero {} record lacks its id or date", s.endpoint),
                )),
            }
        }
        out.estimated_total = total.or(Some(records.len() as u64));
        let more = s.paged && records.len() >= self.page_size as usize;
        if more {
            out.next_cursor = Some(format!(
                "p:{}:{}",
                page + 1,
                latest
                    .map(|l| l.and_utc().timestamp_millis())
                    .unwrap_or_default()
            ));
        } else if s.modified_since {
            out.watermark = latest
                .map(watermark)
                .or_else(|| request.since.clone())
                .or_else(|| Some(watermark(NaiveDateTime::MIN)));
        } else {
            out.watermark = Some("full".into());
        }
        Ok(out)
    }

    async fn fetch_tracking(&self, ctx: &ConnectionContext) -> Result<FetchPage, ConnectorError> {
        let body = self
            .client
            .get(ctx, "TrackingCategories?includeArchived=true", None)
            .await?;
        let mut out = FetchPage::default();
        for c in body["TrackingCategories"].as_array().into_iter().flatten() {
            for t in map::tracking_categories(c) {
                if let Some(doc) = record_text(Some(&t)) {
                    out.records.push(SourceRecord {
                        id: t.id.clone(),
                        doc,
                    });
                }
            }
        }
        out.watermark = Some("full".into());
        Ok(out)
    }

    async fn fetch_company(&self, ctx: &ConnectionContext) -> Result<FetchPage, ConnectorError> {
        let body = self.client.get(ctx, "Organisation", None).await?;
        let org = body["Organisations"].get(0).ok_or_else(|| {
            ConnectorError::Malformed("Xero's Organisation answer lists no organisation".into())
        })?;
        let mut out = FetchPage::default();
        match record_text(map::company(org, Utc::now().date_naive())) {
            Some(doc) => out.records.push(SourceRecord {
                id: "company".into(),
                doc,
            }),
            None => out.unmappable.push((
                "company".into(),
                "the organisation could not be read".into(),
            )),
        }
        out.watermark = Some("full".into());
        Ok(out)
    }

    async fn fetch_journals(
        &self,
        ctx: &ConnectionContext,
        request: &FetchRequest,
        cursor: Option<&str>,
    ) -> Result<FetchPage, ConnectorError> {
        let offset: u64 = match cursor {
            Some(c) => c
                .strip_prefix("o:")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| ConnectorError::Malformed(format!("unknown Xero cursor `{c}`")))?,
            None => request
                .since
                .as_deref()
                .and_then(|w| w.strip_prefix("journal:"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        };
        let body = self
            .client
            .get(ctx, &format!("Journals?offset={offset}"), None)
            .await?;
        let journals = body["Journals"].as_array().cloned().unwrap_or_default();
        let lookups = if journals.is_empty() {
            Arc::new(Lookups::default())
        } else {
            self.lookups(ctx).await?
        };
        let mut out = FetchPage::default();
        let mut last = offset;
        for j in &journals {
            last = last.max(j["JournalNumber"].as_u64().unwrap_or(0));
            let id = map::text(j, "JournalID").unwrap_or_default();
            match record_text(map::journal_entry(j, &lookups)) {
                Some(doc) => out.records.push(SourceRecord { id, doc }),
                None => out
                    .unmappable
                    .push((id, "Xero journal lacks its id".into())),
            }
        }
        if journals.len() >= JOURNALS_PER_CALL {
            out.next_cursor = Some(format!("o:{last}"));
        } else {
            out.watermark = Some(format!("journal:{last}"));
        }
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
            Some(c) => statements::parse_cursor("Xero", c)?,
            None => {
                let began = Utc::now() - STATEMENT_SKEW;
                if let Some(mark) =
                    statements::Mark::current(request.since.as_deref(), today, months)
                    && !self.journals_since(ctx, mark.began).await?
                {
                    // Nothing posted since the last read: every month is as stored.
                    return Ok(statements::unchanged(today, months, began));
                }
                (0, Some(began))
            }
        };
        let (from, to) = statements::month(today, k);
        let balance = request.data_type == DataType::BalanceSheet;
        let path = if balance {
            format!("Reports/BalanceSheet?date={to}")
        } else {
            format!("Reports/ProfitAndLoss?fromDate={from}&toDate={to}")
        };
        let body = self.client.get(ctx, &path, None).await?;
        let report = body["Reports"].get(0).cloned().unwrap_or(Value::Null);
        let mut out = FetchPage {
            estimated_total: Some(u64::from(months)),
            ..FetchPage::default()
        };
        let has_rows = report["Rows"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r["RowType"] == "Section"));
        if has_rows {
            let record = if balance {
                let p = map::balance_sheet(&report, to);
                let id = p
                    .date
                    .as_ref()
                    .map(|d| d.as_str().to_string())
                    .unwrap_or_default();
                record_text(Some(p)).map(|doc| SourceRecord { id, doc })
            } else {
                let p = map::profit_and_loss(&report, from, to);
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

    /// Whether any journal was posted since `at`: every change to the books that moves an
    /// amount posts one (Xero's `Journals` with `If-Modified-Since`, one call).
    async fn journals_since(
        &self,
        ctx: &ConnectionContext,
        at: chrono::DateTime<Utc>,
    ) -> Result<bool, ConnectorError> {
        let since = at.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string();
        let body = self.client.get(ctx, "Journals", Some(&since)).await?;
        Ok(body["Journals"]
            .as_array()
            .is_some_and(|journals| !journals.is_empty()))
    }
}

impl Connector for XeroConnector {
    fn platform_key(&self) -> &'static str {
        "gbol"
    }

    fn fetch_page<'a>(
        &'a self,
        connection: &'a ConnectionContext,
        request: &'a FetchRequest,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<FetchPage, ConnectorError>> {
        Box::pin(async move {
            match request.data_type {
                DataType::TrackingCategories => self.fetch_tracking(connection).await,
                DataType::Company => self.fetch_company(connection).await,
                DataType::JournalEntries => self.fetch_journals(connection, request, cursor).await,
                DataType::BalanceSheet | DataType::ProfitAndLoss => {
                    self.fetch_statement(connection, request, cursor).await
                }
                other => match source(other) {
                    Some(s) => self.fetch_source(connection, request, cursor, &s).await,
                    // Xero has no books of original entry (Codat `journals`), sales orders,
                    // direct costs as such, ...
                    None => Err(ConnectorError::NotSupported),
                },
            }
        })
    }
}

impl OAuthLink for XeroConnector {
    fn platform_key(&self) -> &'static str {
        "gbol"
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> String {
        let app = &self.client.app;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &app.client_id)
            .append_pair("redirect_uri", request.redirect_uri)
            .append_pair("scope", &app.scopes.join(" "))
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
                    OAuthError::Exchange(format!("Xero refused the authorization ({error})"))
                });
            }
            let code = query
                .get("code")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| OAuthError::Exchange("Xero's callback carries no code".into()))?;
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
            let connections = self
                .client
                .connections(&granted.access_token)
                .await
                .map_err(OAuthError::Exchange)?;
            let grant_id = uuid::Uuid::new_v4().to_string();
            let expires_at = Utc::now() + chrono::Duration::seconds(granted.expires_in);
            let tenants: Vec<LinkedTenant> = connections
                .iter()
                .filter(|c| {
                    c.get("tenantType")
                        .and_then(Value::as_str)
                        .is_none_or(|t| t == "ORGANISATION")
                })
                .filter_map(|c| {
                    let tenant_id = map::text(c, "tenantId")?;
                    let tenant_name = map::text(c, "tenantName").unwrap_or_default();
                    let tokens = Tokens {
                        access_token: granted.access_token.clone(),
                        refresh_token: granted.refresh_token.clone(),
                        expires_at,
                        tenant_id: tenant_id.clone(),
                        tenant_name: tenant_name.clone(),
                        scope: granted.scope.clone(),
                        grant_id: grant_id.clone(),
                    };
                    Some(LinkedTenant {
                        tenant_id,
                        tenant_name,
                        credentials: tokens.to_credentials(),
                    })
                })
                .collect();
            if tenants.is_empty() {
                return Err(OAuthError::NoTenant);
            }
            Ok(tenants)
        })
    }
}

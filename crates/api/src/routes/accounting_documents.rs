//! Codat's single-document accounting reads, computed from the cache the sync engine fills:
//! the company profile (`/data/info`), the financial statements
//! (`/data/financials/{balanceSheet|profitAndLoss|cashFlowStatement}`, assembled from the
//! stored monthly periods into `periodLength`-month periods) and the aged debtor and
//! creditor reports (`/reports/agedDebtor|agedCreditor`, bucketed from the stored invoices
//! and bills as their payments and credit notes left them, less unallocated credit) with
//! their `/available` checks.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use ledgerbridge_domain::DataType;
use ledgerbridge_domain::accounting::{
    AgedCreditor, AgedCreditorReport, AgedCurrencyOutstanding, AgedDebtor, AgedDebtorReport,
    AgedOutstandingAmount, AgedOutstandingAmountDetail, BalanceSheet, BalanceSheetPeriod, Bill,
    BillCreditNote, BillStatus, CashFlowPeriod, CashFlowStatement, CodatDateTime, CreditNote,
    CreditNoteStatus, Invoice, InvoiceStatus, Money, PaymentAllocation, ProfitAndLoss,
    ProfitAndLossPeriod, ReportBasis, ReportInput, ReportLine,
};
use ledgerbridge_domain::paging::PageRequest;
use ledgerbridge_query::{
    Comparison, Filter, Operator, Path as QueryPath, ScalarType, Segment, Value as QueryValue,
};
use ledgerbridge_store::ListRequest;
use ledgerbridge_store::records::RecordScope;
use serde::de::DeserializeOwned;

use super::accounting::{json_response, readable_scope};
use super::companies::company_id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The most periods a financial statement compares (Codat's own limit is not in its spec;
/// this keeps a response bounded).
const MAX_PERIODS_TO_COMPARE: u32 = 120;
/// The most buckets an aged report has, and the longest bucket in days.
const MAX_NUMBER_OF_PERIODS: u32 = 120;
const MAX_PERIOD_LENGTH_DAYS: u32 = 3660;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/companies/{companyId}/data/info", get(get_company_info))
        .route(
            "/companies/{companyId}/data/financials/balanceSheet",
            get(get_balance_sheet),
        )
        .route(
            "/companies/{companyId}/data/financials/profitAndLoss",
            get(get_profit_and_loss),
        )
        .route(
            "/companies/{companyId}/data/financials/cashFlowStatement",
            get(get_cash_flow_statement),
        )
        .route(
            "/companies/{companyId}/reports/agedDebtor",
            get(get_aged_debtor),
        )
        .route(
            "/companies/{companyId}/reports/agedDebtor/available",
            get(aged_debtor_available),
        )
        .route(
            "/companies/{companyId}/reports/agedCreditor",
            get(get_aged_creditor),
        )
        .route(
            "/companies/{companyId}/reports/agedCreditor/available",
            get(aged_creditor_available),
        )
}

/// The query string as a map by lower-cased name, as the list parameters are read (the last
/// value of a repeated name wins).
fn query_map(raw: Option<String>) -> HashMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect()
}

/// An integer parameter in `min..=max`; `default` when absent (`None`: required).
fn int_param(
    query: &HashMap<String, String>,
    name: &str,
    default: Option<u32>,
    min: u32,
    max: u32,
) -> ApiResult<u32> {
    let Some(text) = query
        .get(&name.to_ascii_lowercase())
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    else {
        return default.ok_or_else(|| {
            ApiError::bad_request(format!(
                "The {name} parameter is required: a whole number from {min} to {max}."
            ))
        });
    };
    match text.parse::<i64>() {
        Ok(n) if (i64::from(min)..=i64::from(max)).contains(&n) => Ok(n as u32),
        _ => Err(ApiError::bad_request(format!(
            "The {name} parameter must be a whole number from {min} to {max}; got `{text}`."
        ))),
    }
}

/// A date parameter: `YYYY-MM-DD`, any of Codat's date-time forms, `YYYY-MM` (the first of
/// the month) or `DD-MM-YYYY`.
fn date_param(query: &HashMap<String, String>, name: &str) -> ApiResult<Option<NaiveDate>> {
    let Some(text) = query
        .get(&name.to_ascii_lowercase())
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| CodatDateTime::parse(text).ok().map(|d| d.date()))
        .or_else(|| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%d-%m-%Y").ok());
    parsed.map(Some).ok_or_else(|| {
        ApiError::bad_request(format!(
            "The {name} parameter must be a date such as 2024-03-31 or 2024-03-31T00:00:00; \
             got `{text}`."
        ))
    })
}

/// `metadata.isDeleted != true`, built as a tree.
fn not_deleted() -> Filter {
    Filter::Compare(Comparison {
        path: QueryPath {
            segments: vec![Segment::Field("metadata"), Segment::Field("isDeleted")],
            ty: ScalarType::Boolean,
        },
        op: Operator::Ne,
        value: QueryValue::Boolean(true),
    })
}

/// Every stored record of a type in the scope that the platform has not deleted,
/// deserialised.
pub(super) async fn all_records<T: DeserializeOwned>(
    state: &AppState,
    scope: RecordScope,
    data_type: DataType,
) -> ApiResult<Vec<T>> {
    const PAGE_SIZE: u32 = 5000;
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let req = ListRequest {
            filter: Some(not_deleted()),
            order: None,
            tags: None,
            page: PageRequest {
                page,
                page_size: PAGE_SIZE,
            },
        };
        let got = state.store.list_records(scope, data_type, &req).await?;
        let n = got.results.len();
        for doc in got.results {
            let value = serde_json::from_str(&doc).map_err(|e| {
                ApiError::internal(format!("stored {data_type} record does not read: {e}"))
            })?;
            out.push(value);
        }
        if n < PAGE_SIZE as usize || out.len() as u64 >= got.total {
            return Ok(out);
        }
        page += 1;
    }
}

/// Like [`all_records`] for a type a report only refines (credit notes in the aged
/// reports): none when it was never synced or the platform lacks it.
async fn records_if_synced<T: DeserializeOwned>(
    state: &AppState,
    company: &str,
    data_type: DataType,
) -> ApiResult<Vec<T>> {
    match readable_scope(state, data_type, company, None).await {
        Ok(scope) => all_records(state, scope, data_type).await,
        Err(e) if e.status.is_client_error() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The company's base currency from its stored profile, if any.
async fn base_currency(state: &AppState, scope: RecordScope) -> Option<String> {
    let doc = state
        .store
        .get_record(scope, DataType::Company, "company")
        .await
        .ok()??;
    let value: serde_json::Value = serde_json::from_str(&doc).ok()?;
    value["baseCurrency"].as_str().map(str::to_string)
}

// ---------------------------------------------------------------------------------------
// Company info

async fn get_company_info(
    State(state): State<AppState>,
    Path(company): Path<String>,
) -> ApiResult<Response> {
    let scope = readable_scope(&state, DataType::Company, &company, None).await?;
    match state
        .store
        .get_record(scope, DataType::Company, "company")
        .await?
    {
        // The store stamps every document with its `modifiedDate`; Codat's company info has
        // none (CONTRACT.md §7.9).
        Some(doc) => {
            let mut info: serde_json::Value = serde_json::from_str(&doc).map_err(|e| {
                ApiError::internal(format!("stored company info does not read: {e}"))
            })?;
            if let Some(object) = info.as_object_mut() {
                object.remove("modifiedDate");
            }
            Ok(json_response(
                serde_json::to_vec(&info).map_err(ApiError::internal)?,
            ))
        }
        None => Err(ApiError::not_found(format!(
            "No data available for info for company {company}"
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Financial statements

/// A month as a running number (`year * 12 + month0`).
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// `periodLength`, `periodsToCompare` and `startMonth` (as a month index; `None`: the most
/// recent available month).
struct StatementParams {
    length: i64,
    count: i64,
    start: Option<i64>,
}

fn statement_params(raw: Option<String>) -> ApiResult<StatementParams> {
    let query = query_map(raw);
    let length = int_param(&query, "periodLength", None, 1, 12)?;
    let count = int_param(&query, "periodsToCompare", None, 1, MAX_PERIODS_TO_COMPARE)?;
    let start = date_param(&query, "startMonth")?.map(month_index);
    Ok(StatementParams {
        length: i64::from(length),
        count: i64::from(count),
        start,
    })
}

/// Groups the monthly periods (by month index) into the requested periods, newest first:
/// each a non-empty list of months, oldest first. Periods without any stored month are left
/// out.
fn group_periods<T>(months: BTreeMap<i64, T>, p: &StatementParams) -> Vec<Vec<T>> {
    let Some(start) = p.start.or_else(|| months.keys().next_back().copied()) else {
        return Vec::new();
    };
    let mut months = months;
    let mut out = Vec::new();
    for i in 0..p.count {
        let end = start - i * p.length;
        let first = end - p.length + 1;
        let keys: Vec<i64> = months.range(first..=end).map(|(k, _)| *k).collect();
        let group: Vec<T> = keys.iter().filter_map(|k| months.remove(k)).collect();
        if !group.is_empty() {
            out.push(group);
        }
    }
    out
}

fn add(a: &Money, b: &Money) -> ApiResult<Money> {
    a.checked_add(b)
        .ok_or_else(|| ApiError::internal(format!("{a} + {b} overflows")))
}

/// Adds `other` into `acc`: the values, and the items line by line (matched by account id
/// and name; lines only in `other` are appended).
fn add_line(acc: &mut ReportLine, other: &ReportLine) -> ApiResult<()> {
    acc.value = add(&acc.value, &other.value)?;
    if let Some(items) = &other.items {
        let mine = acc.items.get_or_insert_with(Vec::new);
        for item in items {
            match mine
                .iter_mut()
                .find(|m| m.account_id == item.account_id && m.name == item.name)
            {
                Some(m) => add_line(m, item)?,
                None => mine.push(item.clone()),
            }
        }
    }
    Ok(())
}

fn add_opt_line(acc: &mut Option<ReportLine>, other: &Option<ReportLine>) -> ApiResult<()> {
    match (acc.as_mut(), other) {
        (Some(a), Some(o)) => add_line(a, o),
        (None, Some(o)) => {
            *acc = Some(o.clone());
            Ok(())
        }
        (_, None) => Ok(()),
    }
}

async fn statement_months<T: DeserializeOwned>(
    state: &AppState,
    data_type: DataType,
    company: &str,
    month_of: impl Fn(&T) -> Option<NaiveDate>,
) -> ApiResult<(RecordScope, BTreeMap<i64, T>)> {
    let scope = readable_scope(state, data_type, company, None).await?;
    let mut months = BTreeMap::new();
    for period in all_records::<T>(state, scope, data_type).await? {
        if let Some(date) = month_of(&period) {
            months.insert(month_index(date), period);
        }
    }
    Ok((scope, months))
}

fn first_of_month(index: Option<i64>) -> Option<CodatDateTime> {
    let index = index?;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, 1).map(CodatDateTime::from_date)
}

async fn get_balance_sheet(
    State(state): State<AppState>,
    Path(company): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<BalanceSheet>> {
    let params = statement_params(raw)?;
    let (scope, months) =
        statement_months::<BalanceSheetPeriod>(&state, DataType::BalanceSheet, &company, |p| {
            p.date.as_ref().map(|d| d.date())
        })
        .await?;
    let newest = months.values().next_back().and_then(|p| p.date.clone());
    let earliest = months.values().next().and_then(|p| p.date.clone());
    // A balance sheet is a position: each period reports its last stored month.
    let reports = group_periods(months, &params)
        .into_iter()
        .filter_map(|group| group.into_iter().next_back())
        .collect();
    Ok(Json(BalanceSheet {
        currency: base_currency(&state, scope).await,
        reports,
        most_recent_available_month: newest,
        earliest_available_month: earliest,
    }))
}

async fn get_profit_and_loss(
    State(state): State<AppState>,
    Path(company): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ProfitAndLoss>> {
    let params = statement_params(raw)?;
    let (scope, months) =
        statement_months::<ProfitAndLossPeriod>(&state, DataType::ProfitAndLoss, &company, |p| {
            p.from_date.as_ref().map(|d| d.date())
        })
        .await?;
    let newest = first_of_month(months.keys().next_back().copied());
    let earliest = first_of_month(months.keys().next().copied());
    let mut reports = Vec::new();
    for group in group_periods(months, &params) {
        let mut iter = group.into_iter();
        let Some(mut acc) = iter.next() else { continue };
        for m in iter {
            acc.to_date = m.to_date.clone().or(acc.to_date);
            add_opt_line(&mut acc.income, &m.income)?;
            add_opt_line(&mut acc.cost_of_sales, &m.cost_of_sales)?;
            acc.gross_profit = add(&acc.gross_profit, &m.gross_profit)?;
            add_opt_line(&mut acc.expenses, &m.expenses)?;
            acc.net_operating_profit = add(&acc.net_operating_profit, &m.net_operating_profit)?;
            add_opt_line(&mut acc.other_expenses, &m.other_expenses)?;
            add_opt_line(&mut acc.other_income, &m.other_income)?;
            acc.net_other_income = add(&acc.net_other_income, &m.net_other_income)?;
            acc.net_profit = add(&acc.net_profit, &m.net_profit)?;
        }
        reports.push(acc);
    }
    Ok(Json(ProfitAndLoss {
        reports,
        report_basis: ReportBasis::Accrual,
        currency: base_currency(&state, scope).await,
        most_recent_available_month: newest,
        earliest_available_month: earliest,
    }))
}

async fn get_cash_flow_statement(
    State(state): State<AppState>,
    Path(company): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<CashFlowStatement>> {
    let params = statement_params(raw)?;
    let (scope, months) =
        statement_months::<CashFlowPeriod>(&state, DataType::CashFlowStatement, &company, |p| {
            p.from_date.as_ref().map(|d| d.date())
        })
        .await?;
    let newest = first_of_month(months.keys().next_back().copied());
    let earliest = first_of_month(months.keys().next().copied());
    let mut reports = Vec::new();
    for group in group_periods(months, &params) {
        let mut iter = group.into_iter();
        let Some(mut acc) = iter.next() else { continue };
        for m in iter {
            acc.to_date = m.to_date.clone().or(acc.to_date);
            add_opt_line(&mut acc.cash_receipts, &m.cash_receipts)?;
            add_opt_line(&mut acc.cash_payments, &m.cash_payments)?;
        }
        reports.push(acc);
    }
    Ok(Json(CashFlowStatement {
        reports,
        report_basis: ReportBasis::Accrual,
        report_input: ReportInput::Direct,
        currency: base_currency(&state, scope).await,
        most_recent_available_month: newest,
        earliest_available_month: earliest,
    }))
}

// ---------------------------------------------------------------------------------------
// Aged reports

struct AgedParams {
    report_date: NaiveDate,
    periods: u32,
    length_days: u32,
}

fn aged_params(raw: Option<String>) -> ApiResult<AgedParams> {
    let query = query_map(raw);
    let report_date = date_param(&query, "reportDate")?.unwrap_or_else(|| Utc::now().date_naive());
    let periods = int_param(&query, "numberOfPeriods", Some(4), 1, MAX_NUMBER_OF_PERIODS)?;
    let length_days = int_param(
        &query,
        "periodLengthDays",
        Some(30),
        1,
        MAX_PERIOD_LENGTH_DAYS,
    )?;
    Ok(AgedParams {
        report_date,
        periods,
        length_days,
    })
}

/// One outstanding document: who owes (or is owed), in which currency, how much, and since
/// when it is due.
struct Outstanding {
    contact_id: String,
    contact_name: Option<String>,
    currency: Option<String>,
    /// Negative for credit not yet allocated.
    amount: Money,
    due: NaiveDate,
    /// The data type the amount comes from (`Invoices`, `CreditNotes`, ...), reported in the
    /// bucket's `details`.
    detail: &'static str,
}

/// One bucket: its total and what each data type contributed, in the order first seen.
#[derive(Clone, Default)]
struct Bucket {
    total: Money,
    details: Vec<(&'static str, Money)>,
}

impl Bucket {
    fn add(&mut self, detail: &'static str, amount: &Money) -> ApiResult<()> {
        self.total = add(&self.total, amount)?;
        match self.details.iter_mut().find(|(name, _)| *name == detail) {
            Some((_, sum)) => *sum = add(sum, amount)?,
            None => self.details.push((detail, amount.clone())),
        }
        Ok(())
    }
}

/// Per contact (by id), per currency, the amounts in each bucket. Bucket `k` holds what is
/// `k * len` to `(k + 1) * len - 1` days overdue at the report date, i.e. due after
/// `reportDate - (k + 1) * len` and on or before `reportDate - k * len` (bucket 0 also holds
/// what is not yet due; the last one everything older). A document without a due date ages
/// from its issue date.
type Buckets = BTreeMap<String, (Option<String>, BTreeMap<String, Vec<Bucket>>)>;

fn bucket(items: Vec<Outstanding>, p: &AgedParams) -> ApiResult<Buckets> {
    let mut out: Buckets = BTreeMap::new();
    let n = p.periods as usize;
    for item in items {
        let overdue = (p.report_date - item.due).num_days().max(0);
        let k = usize::try_from(overdue / i64::from(p.length_days))
            .unwrap_or(usize::MAX)
            .min(n - 1);
        let entry = out
            .entry(item.contact_id)
            .or_insert_with(|| (item.contact_name.clone(), BTreeMap::new()));
        if entry.0.is_none() {
            entry.0 = item.contact_name;
        }
        let buckets = entry
            .1
            .entry(item.currency.unwrap_or_default())
            .or_insert_with(|| vec![Bucket::default(); n]);
        buckets[k].add(item.detail, &item.amount)?;
    }
    Ok(out)
}

/// The buckets in Codat's form: consecutive `periodLengthDays` spans back from the report
/// date (`fromDate` of one is `toDate` of the next, as Codat writes them; the last starts at
/// `0001-01-01`), each with what each data type contributed under `details` (`Invoices` or
/// `Bills`, then `CreditNotes` or `BillCreditNotes`; an empty bucket shows the documents'
/// type with 0).
fn currency_outstanding(
    by_currency: BTreeMap<String, Vec<Bucket>>,
    p: &AgedParams,
    documents: &'static str,
) -> Vec<AgedCurrencyOutstanding> {
    let len = i64::from(p.length_days);
    let last = p.periods as usize;
    by_currency
        .into_iter()
        .map(|(currency, amounts)| AgedCurrencyOutstanding {
            currency: (!currency.is_empty()).then_some(currency),
            aged_outstanding_amounts: Some(
                amounts
                    .into_iter()
                    .enumerate()
                    .map(|(k, bucket)| {
                        let k = k as i64;
                        let to = p.report_date - Duration::days(k * len);
                        let from = if k as usize + 1 < last {
                            p.report_date - Duration::days((k + 1) * len)
                        } else {
                            NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
                        };
                        let mut details = bucket.details;
                        if details.is_empty() {
                            details.push((documents, Money::zero()));
                        }
                        AgedOutstandingAmount {
                            from_date: Some(CodatDateTime::from_date(from)),
                            to_date: Some(CodatDateTime::from_date(to)),
                            amount: Some(bucket.total),
                            details: Some(
                                details
                                    .into_iter()
                                    .map(|(name, amount)| AgedOutstandingAmountDetail {
                                        name: Some(name.to_string()),
                                        amount: Some(amount),
                                    })
                                    .collect(),
                            ),
                        }
                    })
                    .collect(),
            ),
        })
        .collect()
}

/// An invoice, bill or credit note as the aged reports read it.
struct OpenDocument<'a> {
    /// Void and draft documents owe nothing.
    excluded: bool,
    issue_date: &'a CodatDateTime,
    due_date: Option<&'a CodatDateTime>,
    /// Due on an invoice or bill; credit left on a credit note.
    amount_due: &'a Money,
    /// `true` for credit notes: what is left reduces what the contact owes (or is owed).
    credit: bool,
    detail: &'static str,
    allocations: Option<&'a [PaymentAllocation]>,
    contact_id: String,
    contact_name: Option<String>,
    currency: Option<String>,
}

/// What `doc` still owed at the report date, or `None` when it is excluded, issued after
/// that date, or settled by then.
fn outstanding_at(doc: OpenDocument<'_>, p: &AgedParams) -> ApiResult<Option<Outstanding>> {
    if doc.excluded || doc.issue_date.date() > p.report_date {
        return Ok(None);
    }
    let mut amount = due_at(doc.amount_due, doc.allocations, p)?;
    if amount.is_zero() {
        return Ok(None);
    }
    if doc.credit {
        amount = Money::zero()
            .checked_sub(&amount)
            .ok_or_else(|| ApiError::internal("credit amount out of range"))?;
    }
    Ok(Some(Outstanding {
        contact_id: doc.contact_id,
        contact_name: doc.contact_name,
        currency: doc.currency,
        amount,
        due: doc.due_date.unwrap_or(doc.issue_date).date(),
        detail: doc.detail,
    }))
}

/// What was still due on a document at the report date: the amount due now plus whatever
/// was allocated to it (payments, credit notes) after the report date.
fn due_at(
    amount_due: &Money,
    allocations: Option<&[PaymentAllocation]>,
    p: &AgedParams,
) -> ApiResult<Money> {
    let mut due = amount_due.clone();
    for a in allocations.unwrap_or_default() {
        let on = a
            .allocation
            .allocated_on_date
            .as_ref()
            .or(a.payment.paid_on_date.as_ref())
            .map(|d| d.date());
        if let (Some(on), Some(amount)) = (on, &a.allocation.total_amount)
            && on > p.report_date
        {
            due = add(&due, amount)?;
        }
    }
    Ok(due)
}

async fn get_aged_debtor(
    State(state): State<AppState>,
    Path(company): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<AgedDebtorReport>> {
    let params = aged_params(raw)?;
    let scope = readable_scope(&state, DataType::Invoices, &company, None).await?;
    let invoices: Vec<Invoice> = all_records(&state, scope, DataType::Invoices).await?;
    let mut items = Vec::new();
    for i in &invoices {
        let customer = i.customer_ref.as_ref();
        let open = OpenDocument {
            excluded: matches!(i.status, InvoiceStatus::Void | InvoiceStatus::Draft),
            issue_date: &i.issue_date,
            due_date: i.due_date.as_ref(),
            amount_due: &i.amount_due,
            credit: false,
            detail: "Invoices",
            allocations: i.payment_allocations.as_deref(),
            contact_id: customer.map(|c| c.id.clone()).unwrap_or_default(),
            contact_name: customer.and_then(|c| c.company_name.clone()),
            currency: i.currency.clone(),
        };
        items.extend(outstanding_at(open, &params)?);
    }
    let credit_notes: Vec<CreditNote> =
        records_if_synced(&state, &company, DataType::CreditNotes).await?;
    for n in &credit_notes {
        let Some(issue_date) = &n.issue_date else {
            continue;
        };
        let customer = n.customer_ref.as_ref();
        let open = OpenDocument {
            excluded: matches!(n.status, CreditNoteStatus::Void | CreditNoteStatus::Draft),
            issue_date,
            due_date: None,
            amount_due: &n.remaining_credit,
            credit: true,
            detail: "CreditNotes",
            allocations: n.payment_allocations.as_deref(),
            contact_id: customer.map(|c| c.id.clone()).unwrap_or_default(),
            contact_name: customer.and_then(|c| c.company_name.clone()),
            currency: n.currency.clone(),
        };
        items.extend(outstanding_at(open, &params)?);
    }
    let data = bucket(items, &params)?
        .into_iter()
        .map(|(id, (name, by_currency))| AgedDebtor {
            customer_id: Some(id),
            customer_name: name,
            aged_currency_outstanding: Some(currency_outstanding(by_currency, &params, "Invoices")),
        })
        .collect();
    Ok(Json(AgedDebtorReport {
        generated: Some(CodatDateTime::from_utc(Utc::now())),
        report_date: Some(CodatDateTime::from_date(params.report_date)),
        data: Some(data),
    }))
}

async fn get_aged_creditor(
    State(state): State<AppState>,
    Path(company): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<AgedCreditorReport>> {
    let params = aged_params(raw)?;
    let scope = readable_scope(&state, DataType::Bills, &company, None).await?;
    let bills: Vec<Bill> = all_records(&state, scope, DataType::Bills).await?;
    let mut items = Vec::new();
    for b in &bills {
        let Some(amount_due) = &b.amount_due else {
            continue;
        };
        let supplier = b.supplier_ref.as_ref();
        let open = OpenDocument {
            excluded: matches!(b.status, BillStatus::Void | BillStatus::Draft),
            issue_date: &b.issue_date,
            due_date: b.due_date.as_ref(),
            amount_due,
            credit: false,
            detail: "Bills",
            allocations: b.payment_allocations.as_deref(),
            contact_id: supplier.map(|c| c.id.clone()).unwrap_or_default(),
            contact_name: supplier.and_then(|c| c.supplier_name.clone()),
            currency: b.currency.clone(),
        };
        items.extend(outstanding_at(open, &params)?);
    }
    let credit_notes: Vec<BillCreditNote> =
        records_if_synced(&state, &company, DataType::BillCreditNotes).await?;
    for n in &credit_notes {
        let (Some(issue_date), Some(remaining)) = (&n.issue_date, &n.remaining_credit) else {
            continue;
        };
        let supplier = n.supplier_ref.as_ref();
        let open = OpenDocument {
            excluded: matches!(n.status, CreditNoteStatus::Void | CreditNoteStatus::Draft),
            issue_date,
            due_date: None,
            amount_due: remaining,
            credit: true,
            detail: "BillCreditNotes",
            allocations: n.payment_allocations.as_deref(),
            contact_id: supplier.map(|c| c.id.clone()).unwrap_or_default(),
            contact_name: supplier.and_then(|c| c.supplier_name.clone()),
            currency: n.currency.clone(),
        };
        items.extend(outstanding_at(open, &params)?);
    }
    let data = bucket(items, &params)?
        .into_iter()
        .map(|(id, (name, by_currency))| AgedCreditor {
            supplier_id: Some(id),
            supplier_name: name,
            aged_currency_outstanding: Some(currency_outstanding(by_currency, &params, "Bills")),
        })
        .collect();
    Ok(Json(AgedCreditorReport {
        generated: Some(CodatDateTime::from_utc(Utc::now())),
        report_date: Some(CodatDateTime::from_date(params.report_date)),
        data: Some(data),
    }))
}

/// Whether every one of `needed` has been synced successfully at least once (404 for an
/// unknown company).
async fn synced(state: &AppState, company: &str, needed: &[DataType]) -> ApiResult<Json<bool>> {
    let company = company_id(company)?;
    state
        .store
        .get_company_with_connections(company)
        .await?
        .ok_or_else(|| ApiError::company_not_found(company))?;
    let status = state.store.data_status(company).await?;
    Ok(Json(needed.iter().all(|t| {
        status
            .iter()
            .any(|s| s.data_type == *t && s.last_success.is_some())
    })))
}

async fn aged_debtor_available(
    State(state): State<AppState>,
    Path(company): Path<String>,
) -> ApiResult<Json<bool>> {
    synced(&state, &company, &[DataType::Invoices, DataType::Customers]).await
}

async fn aged_creditor_available(
    State(state): State<AppState>,
    Path(company): Path<String>,
) -> ApiResult<Json<bool>> {
    synced(&state, &company, &[DataType::Bills, DataType::Suppliers]).await
}

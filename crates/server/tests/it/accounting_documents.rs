//! The single-document accounting reads on the Sandbox: company info, the financial
//! statements in `periodLength`-month periods, and the aged debtor and creditor reports,
//! each checked against the operation's 200 response schema in Codat's `Codat-Lending.yaml`.

use chrono::NaiveDate;

use ledgerbridge_domain::accounting::{
    AgedCreditorReport, AgedDebtorReport, AgedOutstandingAmount, BalanceSheet, Bill,
    BillCreditNote, BillStatus, CashFlowStatement, CodatDateTime, CompanyInfo, CreditNote,
    CreditNoteStatus, Invoice, InvoiceStatus, Money, PaymentAllocation, ProfitAndLoss,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::spec::assert_matches_spec;

/// GETs `url`, expects 200, checks the body against `spec_path`'s schema and reads it as `T`.
async fn read<T: DeserializeOwned>(app: &TestApp, url: &str, spec_path: &str) -> (Value, T) {
    let (s, body) = app.get(url).await;
    assert_eq!(s, StatusCode::OK, "{url}: {body}");
    assert_matches_spec(spec_path, &body);
    let typed = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{url} does not read as the domain type: {e}\n{body}"));
    (body, typed)
}

/// Every record of a list endpoint, as raw JSON.
async fn all(app: &TestApp, url: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let (s, body) = app.get(&format!("{url}?pageSize=5000&page={page}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let results = body["results"].as_array().cloned().unwrap_or_default();
        let n = results.len();
        out.extend(results);
        if n < 5000 {
            break;
        }
    }
    out
}

/// Every record of a list endpoint that the platform has not deleted, typed.
async fn live<T: DeserializeOwned>(app: &TestApp, url: &str) -> Vec<T> {
    all(app, url)
        .await
        .into_iter()
        .filter(|v| v["metadata"]["isDeleted"] != json!(true))
        .map(|v| serde_json::from_value(v).expect("record reads as its domain type"))
        .collect()
}

/// What the data type `name` contributed to a bucket (zero when it is not listed), after
/// checking that the details add up to the bucket.
fn detail(bucket: &AgedOutstandingAmount, name: &str) -> Money {
    let details = bucket.details.as_deref().unwrap_or_default();
    let all: Vec<Money> = details.iter().filter_map(|d| d.amount.clone()).collect();
    assert_eq!(
        sum(&all).to_decimal(),
        bucket.amount.clone().expect("amount").to_decimal(),
        "details add up to the bucket"
    );
    let of: Vec<Money> = details
        .iter()
        .filter(|d| d.name.as_deref() == Some(name))
        .filter_map(|d| d.amount.clone())
        .collect();
    sum(&of)
}

fn sum<'a>(values: impl IntoIterator<Item = &'a Money>) -> Money {
    values
        .into_iter()
        .fold(Money::zero(), |a, b| a.checked_add(b).expect("sum fits"))
}

/// What a document still had due at `date`: its total less what was allocated to it on or
/// before that date.
fn due_at(total: &Money, allocations: Option<&[PaymentAllocation]>, date: NaiveDate) -> Money {
    let paid: Vec<Money> = allocations
        .unwrap_or_default()
        .iter()
        .filter(|a| {
            a.allocation
                .allocated_on_date
                .as_ref()
                .is_some_and(|d| d.date() <= date)
        })
        .filter_map(|a| a.allocation.total_amount.clone())
        .collect();
    total.checked_sub(&sum(&paid)).expect("fits")
}

const INFO: &str = "/companies/{companyId}/data/info";
const BALANCE_SHEET: &str = "/companies/{companyId}/data/financials/balanceSheet";
const PROFIT_AND_LOSS: &str = "/companies/{companyId}/data/financials/profitAndLoss";
const CASH_FLOW: &str = "/companies/{companyId}/data/financials/cashFlowStatement";
const AGED_DEBTOR: &str = "/companies/{companyId}/reports/agedDebtor";
const AGED_CREDITOR: &str = "/companies/{companyId}/reports/agedCreditor";

#[tokio::test]
async fn documents_statements_and_aged_reports_on_the_sandbox() {
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 4).await;
    let (company, conn) = app.create_sandbox_company("Wombat Wholesale").await;
    let base = format!("/companies/{company}");

    // Before any sync: 409 on the reads, `false` on the availability checks.
    for url in [
        format!("{base}/data/info"),
        format!("{base}/data/financials/balanceSheet?periodLength=1&periodsToCompare=1"),
        format!("{base}/data/financials/profitAndLoss?periodLength=1&periodsToCompare=1"),
        format!("{base}/data/financials/cashFlowStatement?periodLength=1&periodsToCompare=1"),
        format!("{base}/reports/agedDebtor"),
        format!("{base}/reports/agedCreditor"),
    ] {
        let (s, body) = app.get(&url).await;
        assert_error(s, &body, StatusCode::CONFLICT);
    }
    for which in ["agedDebtor", "agedCreditor"] {
        let (s, body) = app.get(&format!("{base}/reports/{which}/available")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body, json!(false));
        assert_matches_spec(
            &format!("/companies/{{companyId}}/reports/{which}/available"),
            &body,
        );
    }
    let (s, body) = app
        .get("/companies/00000000-0000-0000-0000-000000000000/reports/agedDebtor/available")
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);

    let (s, linked) = app
        .call(
            Method::PUT,
            &format!("{base}/connections/{conn}/authorization"),
            Some(json!({"dataset": "small", "seed": "42"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{linked}");
    app.wait_for_syncs(&company).await;

    // Company info.
    let (info, _): (Value, CompanyInfo) = read(&app, &format!("{base}/data/info"), INFO).await;
    assert!(info["companyName"].is_string(), "{info}");

    // Balance sheet: each period balances, and a quarter reports its last month's position.
    let (_, months): (_, BalanceSheet) = read(
        &app,
        &format!("{base}/data/financials/balanceSheet?periodLength=1&periodsToCompare=6"),
        BALANCE_SHEET,
    )
    .await;
    assert_eq!(months.reports.len(), 6, "the small books span six months");
    for p in &months.reports {
        let assets = &p.assets.as_ref().expect("assets").value;
        let liabilities = &p.liabilities.as_ref().expect("liabilities").value;
        let equity = &p.equity.as_ref().expect("equity").value;
        assert_eq!(
            assets.checked_sub(liabilities).expect("fits").to_decimal(),
            p.net_assets.to_decimal(),
            "netAssets = assets - liabilities on {:?}",
            p.date
        );
        assert_eq!(
            equity.to_decimal(),
            p.net_assets.to_decimal(),
            "assets = liabilities + equity on {:?}",
            p.date
        );
    }
    let dates: Vec<_> = months.reports.iter().map(|p| p.date.clone()).collect();
    let days: Vec<_> = dates.iter().map(|d| d.as_ref().map(|d| d.date())).collect();
    assert!(
        days.windows(2).all(|w| w[0] > w[1]),
        "newest first: {dates:?}"
    );
    assert_eq!(months.most_recent_available_month, dates[0]);
    let (_, quarters): (_, BalanceSheet) = read(
        &app,
        &format!("{base}/data/financials/balanceSheet?periodLength=3&periodsToCompare=2"),
        BALANCE_SHEET,
    )
    .await;
    assert_eq!(quarters.reports.len(), 2);
    assert_eq!(quarters.reports[0], months.reports[0]);
    assert_eq!(quarters.reports[1], months.reports[3]);

    // Profit and loss: a quarter is the exact sum of its months.
    let (_, pl_months): (_, ProfitAndLoss) = read(
        &app,
        &format!("{base}/data/financials/profitAndLoss?periodLength=1&periodsToCompare=6"),
        PROFIT_AND_LOSS,
    )
    .await;
    assert_eq!(pl_months.reports.len(), 6);
    let (_, pl_quarters): (_, ProfitAndLoss) = read(
        &app,
        &format!("{base}/data/financials/profitAndLoss?periodLength=3&periodsToCompare=2"),
        PROFIT_AND_LOSS,
    )
    .await;
    assert_eq!(pl_quarters.reports.len(), 2);
    for (q, quarter) in pl_quarters.reports.iter().enumerate() {
        let ms = &pl_months.reports[q * 3..q * 3 + 3];
        assert_eq!(quarter.to_date, ms[0].to_date);
        assert_eq!(quarter.from_date, ms[2].from_date);
        assert_eq!(
            quarter.net_profit.to_decimal(),
            sum(ms.iter().map(|m| &m.net_profit)).to_decimal()
        );
        assert_eq!(
            quarter.gross_profit.to_decimal(),
            sum(ms.iter().map(|m| &m.gross_profit)).to_decimal()
        );
        let income = |p: &ledgerbridge_domain::accounting::ProfitAndLossPeriod| {
            p.income.as_ref().expect("income").value.clone()
        };
        let monthly_income: Vec<Money> = ms.iter().map(income).collect();
        assert_eq!(
            income(quarter).to_decimal(),
            sum(&monthly_income).to_decimal()
        );
    }
    // startMonth picks the newest month of the report.
    let start = pl_months.reports[1]
        .from_date
        .as_ref()
        .expect("from")
        .as_str()
        .to_string();
    let (_, shifted): (_, ProfitAndLoss) = read(
        &app,
        &format!(
            "{base}/data/financials/profitAndLoss?periodLength=1&periodsToCompare=2&startMonth={}",
            &start[..10]
        ),
        PROFIT_AND_LOSS,
    )
    .await;
    assert_eq!(shifted.reports, pl_months.reports[1..3]);

    // Cash flow: a quarter's receipts and payments are the sums of its months'.
    let (_, cf_months): (_, CashFlowStatement) = read(
        &app,
        &format!("{base}/data/financials/cashFlowStatement?periodLength=1&periodsToCompare=6"),
        CASH_FLOW,
    )
    .await;
    let (_, cf_quarters): (_, CashFlowStatement) = read(
        &app,
        &format!("{base}/data/financials/cashFlowStatement?periodLength=3&periodsToCompare=2"),
        CASH_FLOW,
    )
    .await;
    assert_eq!(cf_quarters.reports.len(), 2);
    for (q, quarter) in cf_quarters.reports.iter().enumerate() {
        let ms = &cf_months.reports[q * 3..q * 3 + 3];
        let receipts: Vec<Money> = ms
            .iter()
            .map(|m| m.cash_receipts.as_ref().expect("receipts").value.clone())
            .collect();
        let payments: Vec<Money> = ms
            .iter()
            .map(|m| m.cash_payments.as_ref().expect("payments").value.clone())
            .collect();
        assert_eq!(
            quarter
                .cash_receipts
                .as_ref()
                .expect("receipts")
                .value
                .to_decimal(),
            sum(&receipts).to_decimal()
        );
        assert_eq!(
            quarter
                .cash_payments
                .as_ref()
                .expect("payments")
                .value
                .to_decimal(),
            sum(&payments).to_decimal()
        );
    }

    // Aged debtors: the buckets add up to what the invoices issued by the report date still
    // have due, less the credit notes' credit left unallocated by then.
    let invoices: Vec<Invoice> = live(&app, &format!("{base}/data/invoices")).await;
    let bills: Vec<Bill> = live(&app, &format!("{base}/data/bills")).await;
    let credit_notes: Vec<CreditNote> = live(&app, &format!("{base}/data/creditNotes")).await;
    let bill_credit_notes: Vec<BillCreditNote> =
        live(&app, &format!("{base}/data/billCreditNotes")).await;
    // Credit still unallocated at `cutoff`, of credit notes issued by then.
    let credit_left = |cutoff: NaiveDate| -> Money {
        let left: Vec<Money> = credit_notes
            .iter()
            .filter(|n| {
                !matches!(n.status, CreditNoteStatus::Void | CreditNoteStatus::Draft)
                    && n.issue_date.as_ref().is_some_and(|d| d.date() <= cutoff)
            })
            .map(|n| due_at(&n.total_amount, n.payment_allocations.as_deref(), cutoff))
            .collect();
        sum(&left)
    };
    let bill_credit_left = |cutoff: NaiveDate| -> Money {
        let left: Vec<Money> = bill_credit_notes
            .iter()
            .filter(|n| {
                !matches!(n.status, CreditNoteStatus::Void | CreditNoteStatus::Draft)
                    && n.issue_date.as_ref().is_some_and(|d| d.date() <= cutoff)
            })
            .map(|n| due_at(&n.total_amount, n.payment_allocations.as_deref(), cutoff))
            .collect();
        sum(&left)
    };
    // A report date in the middle of the books: documents paid since then were still due.
    let issued: Vec<chrono::NaiveDate> = invoices.iter().map(|i| i.issue_date.date()).collect();
    let (first, last) = (
        *issued.iter().min().expect("invoices"),
        *issued.iter().max().expect("invoices"),
    );
    let mid = first + (last - first) / 2;
    for i in &invoices {
        if !matches!(i.status, InvoiceStatus::Void | InvoiceStatus::Draft) {
            assert_eq!(
                due_at(
                    &i.total_amount,
                    i.payment_allocations.as_deref(),
                    NaiveDate::MAX
                )
                .to_decimal(),
                i.amount_due.to_decimal(),
                "amountDue is the total less the allocations: {:?}",
                i.id
            );
        }
    }
    for report_date in [None, Some(mid)] {
        let suffix = report_date.map_or(String::new(), |d| {
            format!("?reportDate={d}&numberOfPeriods=3&periodLengthDays=15")
        });
        let buckets = if report_date.is_some() { 3 } else { 4 };
        let cutoff = report_date.unwrap_or_else(|| chrono::Utc::now().date_naive());

        let (_, debtors): (_, AgedDebtorReport) = read(
            &app,
            &format!("{base}/reports/agedDebtor{suffix}"),
            AGED_DEBTOR,
        )
        .await;
        let mut amounts = Vec::new();
        let mut per_bucket: Vec<Vec<Money>> = vec![Vec::new(); buckets];
        let mut credited = Vec::new();
        let mut spans = Vec::new();
        for d in debtors.data.as_deref().unwrap_or_default() {
            for c in d.aged_currency_outstanding.as_deref().unwrap_or_default() {
                let b = c.aged_outstanding_amounts.as_deref().unwrap_or_default();
                assert_eq!(b.len(), buckets);
                for (k, a) in b.iter().enumerate() {
                    amounts.push(a.amount.clone().expect("amount"));
                    per_bucket[k].push(detail(a, "Invoices"));
                    credited.push(detail(a, "CreditNotes"));
                }
                spans = b
                    .iter()
                    .map(|a| {
                        let day =
                            |d: &Option<CodatDateTime>| d.as_ref().expect("bucket date").date();
                        (day(&a.from_date), day(&a.to_date))
                    })
                    .collect();
            }
        }
        assert_eq!(spans.first().map(|s| s.1), Some(cutoff), "{spans:?}");
        assert_eq!(
            spans.last().map(|s| s.0.to_string()).as_deref(),
            Some("0001-01-01"),
            "{spans:?}"
        );
        let outstanding: Vec<&Invoice> = invoices
            .iter()
            .filter(|i| {
                !matches!(i.status, InvoiceStatus::Void | InvoiceStatus::Draft)
                    && i.issue_date.date() <= cutoff
            })
            .collect();
        // Each invoice lands in the bucket whose (fromDate, toDate] holds its due date; the
        // first also takes what is not yet due.
        for (k, (from, to)) in spans.iter().enumerate() {
            let in_bucket: Vec<Money> = outstanding
                .iter()
                .filter(|i| {
                    let due = i.due_date.as_ref().unwrap_or(&i.issue_date).date();
                    (due > *from || k + 1 == buckets) && (due <= *to || k == 0)
                })
                .map(|i| due_at(&i.total_amount, i.payment_allocations.as_deref(), cutoff))
                .collect();
            assert_eq!(
                sum(&per_bucket[k]).to_decimal(),
                sum(&in_bucket).to_decimal(),
                "bucket {k} ({from}, {to}] at {cutoff}"
            );
        }
        let expected: Vec<Money> = outstanding
            .iter()
            .map(|i| due_at(&i.total_amount, i.payment_allocations.as_deref(), cutoff))
            .collect();
        assert!(
            !sum(&expected).is_zero(),
            "invoices outstanding at {cutoff}"
        );
        assert_eq!(
            sum(&credited).to_decimal(),
            Money::zero()
                .checked_sub(&credit_left(cutoff))
                .expect("fits")
                .to_decimal(),
            "unallocated credit at {cutoff}"
        );
        assert_eq!(
            sum(&amounts).to_decimal(),
            sum(&expected)
                .checked_sub(&credit_left(cutoff))
                .expect("fits")
                .to_decimal(),
            "aged debtors at {cutoff}"
        );

        let (_, creditors): (_, AgedCreditorReport) = read(
            &app,
            &format!("{base}/reports/agedCreditor{suffix}"),
            AGED_CREDITOR,
        )
        .await;
        let mut amounts = Vec::new();
        for d in creditors.data.as_deref().unwrap_or_default() {
            for c in d.aged_currency_outstanding.as_deref().unwrap_or_default() {
                let b = c.aged_outstanding_amounts.as_deref().unwrap_or_default();
                assert_eq!(b.len(), buckets);
                amounts.extend(b.iter().filter_map(|a| a.amount.clone()));
            }
        }
        let expected: Vec<Money> = bills
            .iter()
            .filter(|b| {
                !matches!(b.status, BillStatus::Void | BillStatus::Draft)
                    && b.issue_date.date() <= cutoff
            })
            .map(|b| due_at(&b.total_amount, b.payment_allocations.as_deref(), cutoff))
            .collect();
        assert_eq!(
            sum(&amounts).to_decimal(),
            sum(&expected)
                .checked_sub(&bill_credit_left(cutoff))
                .expect("fits")
                .to_decimal(),
            "aged creditors at {cutoff}"
        );
    }
    for which in ["agedDebtor", "agedCreditor"] {
        let (s, body) = app.get(&format!("{base}/reports/{which}/available")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body, json!(true));
    }

    // Bad parameters: 400 with a message naming the parameter.
    for (query, name) in [
        ("financials/balanceSheet?periodsToCompare=1", "periodLength"),
        (
            "financials/balanceSheet?periodLength=0&periodsToCompare=1",
            "periodLength",
        ),
        (
            "financials/profitAndLoss?periodLength=13&periodsToCompare=1",
            "periodLength",
        ),
        (
            "financials/profitAndLoss?periodLength=1",
            "periodsToCompare",
        ),
        (
            "financials/cashFlowStatement?periodLength=1&periodsToCompare=0",
            "periodsToCompare",
        ),
        (
            "financials/cashFlowStatement?periodLength=x&periodsToCompare=1",
            "periodLength",
        ),
        (
            "financials/profitAndLoss?periodLength=1&periodsToCompare=1&startMonth=soon",
            "startMonth",
        ),
    ] {
        let (s, body) = app.get(&format!("{base}/data/{query}")).await;
        let message = assert_error(s, &body, StatusCode::BAD_REQUEST);
        assert!(message.contains(name), "{query}: {message}");
    }
    for (query, name) in [
        ("agedDebtor?reportDate=yesterday", "reportDate"),
        ("agedDebtor?numberOfPeriods=0", "numberOfPeriods"),
        ("agedCreditor?periodLengthDays=-5", "periodLengthDays"),
    ] {
        let (s, body) = app.get(&format!("{base}/reports/{query}")).await;
        let message = assert_error(s, &body, StatusCode::BAD_REQUEST);
        assert!(message.contains(name), "{query}: {message}");
    }
}

//! The query language end to end: Codat's documented examples, malformed input, the evaluator.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use ledgerbridge_domain::platform::{COMPANY_SCHEMA, INTEGRATION_SCHEMA};
use ledgerbridge_domain::schema::{FieldType, Schema, field};
use ledgerbridge_query::{
    Decimal, Filter, Operator, QueryError, ScalarType, Segment, Value, compare, matches,
    matches_tags, parse_filter, parse_order_by, parse_tags_filter,
};
use serde_json::json;

static CUSTOMER_REF: Schema = Schema {
    type_name: "CustomerRef",
    fields: &[
        field("id", FieldType::String),
        field("companyName", FieldType::String),
    ],
};
static SUPPLIER_REF: Schema = Schema {
    type_name: "SupplierRef",
    fields: &[
        field("id", FieldType::String),
        field("supplierName", FieldType::String),
    ],
};
static METADATA: Schema = Schema {
    type_name: "Metadata",
    fields: &[field("isDeleted", FieldType::Boolean)],
};
static LINE_ITEM: Schema = Schema {
    type_name: "LineItem",
    fields: &[
        field("unitAmount", FieldType::Number),
        field("description", FieldType::String),
    ],
};
static INVOICE_STATUS: [&str; 6] = [
    "Unknown",
    "Draft",
    "Submitted",
    "PartiallyPaid",
    "Paid",
    "Void",
];

/// Shaped like Codat's `Invoice`.
static INVOICE: Schema = Schema {
    type_name: "Invoice",
    fields: &[
        field("id", FieldType::String),
        field("amountDue", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("currency", FieldType::String),
        field("customerRef", FieldType::Object(&CUSTOMER_REF)),
        field("dueDate", FieldType::DateTime),
        field("issueDate", FieldType::DateTime),
        field("status", FieldType::Enum(&INVOICE_STATUS)),
        field("metadata", FieldType::Object(&METADATA)),
        field(
            "lineItems",
            FieldType::Array {
                item: &LINE_ITEM,
                queryable: false,
            },
        ),
        field("note", FieldType::String),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

static ACCOUNT_STATUS: [&str; 4] = ["Unknown", "Active", "Archived", "Pending"];
static ACCOUNT_TYPE: [&str; 6] = [
    "Unknown",
    "Asset",
    "Expense",
    "Income",
    "Liability",
    "Equity",
];
static ACCOUNT: Schema = Schema {
    type_name: "Account",
    fields: &[
        field("name", FieldType::String),
        field("isBankAccount", FieldType::Boolean),
        field("status", FieldType::Enum(&ACCOUNT_STATUS)),
        field("type", FieldType::Enum(&ACCOUNT_TYPE)),
        field("modifiedDate", FieldType::DateTime),
    ],
};
static BILL: Schema = Schema {
    type_name: "Bill",
    fields: &[
        field("amountDue", FieldType::Number),
        field("dueDate", FieldType::DateTime),
        field("supplierRef", FieldType::Object(&SUPPLIER_REF)),
    ],
};
static PAYMENT: Schema = Schema {
    type_name: "Payment",
    fields: &[field("date", FieldType::DateTime)],
};
static DATASET: Schema = Schema {
    type_name: "PullOperation",
    fields: &[field("id", FieldType::String)],
};

fn ok(q: &str, schema: &'static Schema) -> Filter {
    parse_filter(q, schema).unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

fn unknown(property: &str, type_name: &'static str) -> QueryError {
    QueryError::UnknownProperty {
        property: property.into(),
        type_name,
    }
}

fn compare_of(f: &Filter) -> (&str, Operator, &Value) {
    match f {
        Filter::Compare(c) => (
            c.path.segments.last().map_or("", |s| match s {
                Segment::Field(n) | Segment::Each(n) => n,
                Segment::MapKey { key, .. } => key.as_str(),
            }),
            c.op,
            &c.value,
        ),
        other => panic!("not a comparison: {other:?}"),
    }
}

fn num(s: &str) -> Value {
    Value::Number(Decimal::parse_json(s).expect("number"))
}

#[test]
fn error_messages_are_codats() {
    assert_eq!(
        QueryError::Malformed.to_string(),
        "Error parsing query - Malformed query."
    );
    assert_eq!(
        unknown("lineItems.unitAmount", "Invoice").to_string(),
        "Error parsing query - Could not resolve property lineItems.unitAmount on Invoice"
    );
}

#[test]
fn querying_md_examples() {
    let f = ok("amountDue > 0", &INVOICE);
    assert_eq!(compare_of(&f), ("amountDue", Operator::Gt, &num("0")));
    assert_eq!(
        ok("amountDue%3e0".replace("%3e", ">").as_str(), &INVOICE),
        f
    );

    let f = ok("currency = GBP", &INVOICE);
    assert_eq!(
        compare_of(&f),
        ("currency", Operator::Eq, &Value::String("GBP".into()))
    );

    let f = ok("customerRef.id = 61", &INVOICE);
    let Filter::Compare(c) = &f else { panic!() };
    assert_eq!(
        c.path.segments,
        vec![Segment::Field("customerRef"), Segment::Field("id")]
    );
    assert_eq!(c.path.ty, ScalarType::String);
    assert_eq!(c.value, Value::String("61".into()));

    let Filter::And(parts) = ok("amountDue > 0 && totalAmount < 1000", &INVOICE) else {
        panic!()
    };
    assert_eq!(
        compare_of(&parts[1]),
        ("totalAmount", Operator::Lt, &num("1000"))
    );
    assert_eq!(
        ok("amountDue>0&&totalAmount<1000", &INVOICE),
        Filter::And(parts)
    );

    let f = ok("dueDate > 2021-01-28", &INVOICE);
    let expected = ledgerbridge_query::datetime::parse_query("2021-01-28T00:00:00Z").expect("date");
    assert_eq!(
        compare_of(&f),
        ("dueDate", Operator::Gt, &Value::DateTime(expected))
    );

    let f = ok("metadata.isDeleted!=true", &INVOICE);
    assert_eq!(
        compare_of(&f),
        ("isDeleted", Operator::Ne, &Value::Boolean(true))
    );

    let f = ok("dataConnections.status=PendingAuth", &COMPANY_SCHEMA);
    let Filter::Compare(c) = &f else { panic!() };
    assert_eq!(
        c.path.segments,
        vec![Segment::Each("dataConnections"), Segment::Field("status")]
    );
    assert_eq!(c.value, Value::Enum("PendingAuth"));

    let Filter::And(parts) = ok(
        "dataConnections.status!=PendingAuth&&dataConnections.status!=Linked&&dataConnections.status!=Deauthorized&&dataConnections.status!=Unlinked",
        &COMPANY_SCHEMA,
    ) else {
        panic!()
    };
    assert_eq!(parts.len(), 4);

    ok(
        "customerRef.id=ef6f54c1-eb45-4956-b8cd-1be82ad665f2",
        &INVOICE,
    );
    assert_eq!(
        parse_filter("lineItems.unitAmount=700", &INVOICE),
        Err(unknown("lineItems.unitAmount", "Invoice"))
    );

    // "Other doc examples".
    ok("modifiedDate>=2022-08-23", &ACCOUNT);
    ok(
        "issueDate<2021-06-01&&sourceModifiedDate>=2022-05-01",
        &INVOICE,
    );
    ok("customerRef.companyName=NewCo", &INVOICE);
    let f = ok("name~sales", &ACCOUNT);
    assert_eq!(
        compare_of(&f),
        ("name", Operator::Contains, &Value::String("sales".into()))
    );
    assert_eq!(
        compare_of(&ok("isBankAccount=true", &ACCOUNT)).2,
        &Value::Boolean(true)
    );
    ok("supplierRef.supplierName=acme", &BILL);
    let Filter::And(parts) = ok("status=active&&type=income", &ACCOUNT) else {
        panic!()
    };
    assert_eq!(compare_of(&parts[0]).2, &Value::Enum("Active"));
    assert_eq!(compare_of(&parts[1]).2, &Value::Enum("Income"));
    assert_eq!(
        compare_of(&ok("type=liability", &ACCOUNT)).2,
        &Value::Enum("Liability")
    );
    ok("sourceType=accounting&&enabled=true", &INTEGRATION_SCHEMA);
    ok(
        "date>=2021-09-03T12:00:00.000Z&&date<=2021-09-17T23:59:59.999",
        &PAYMENT,
    );
    ok("amountDue>0", &BILL);

    let Filter::And(parts) = ok(
        "{totalAmount > 100 || totalAmount < 50} && status != paid",
        &INVOICE,
    ) else {
        panic!()
    };
    assert!(matches!(&parts[0], Filter::Or(v) if v.len() == 2));
    assert_eq!(
        compare_of(&parts[1]),
        ("status", Operator::Ne, &Value::Enum("Paid"))
    );

    // The single-item example keeps its (sic) trailing dot as part of the value.
    assert_eq!(
        compare_of(&ok("id=81be41e9-5c2c-4064-829c-bca43b5e6f59.", &INVOICE)).2,
        &Value::String("81be41e9-5c2c-4064-829c-bca43b5e6f59.".into())
    );
    assert_eq!(
        parse_filter("isCompleted=true", &DATASET),
        Err(unknown("isCompleted", "PullOperation"))
    );
}

#[test]
fn property_names_are_case_insensitive_and_canonicalised() {
    let f = ok("CUSTOMERREF.ID=1", &INVOICE);
    let Filter::Compare(c) = &f else { panic!() };
    assert_eq!(c.path.dotted(), "customerRef.id");
    assert_eq!(
        parse_filter("customerRef.nope=1", &INVOICE),
        Err(unknown("customerRef.nope", "Invoice"))
    );
    assert_eq!(
        parse_filter("Nope.id=1", &INVOICE),
        Err(unknown("Nope.id", "Invoice"))
    );
    // Objects, arrays and maps are not scalars.
    assert_eq!(
        parse_filter("customerRef=1", &INVOICE),
        Err(unknown("customerRef", "Invoice"))
    );
    assert_eq!(
        parse_filter("lineItems=1", &INVOICE),
        Err(unknown("lineItems", "Invoice"))
    );
    assert_eq!(
        parse_filter("dataConnections=1", &COMPANY_SCHEMA),
        Err(unknown("dataConnections", "Company"))
    );
    assert_eq!(
        parse_filter("tags=1", &COMPANY_SCHEMA),
        Err(unknown("tags", "Company"))
    );
    assert_eq!(
        parse_filter("name.first=1", &COMPANY_SCHEMA),
        Err(unknown("name.first", "Company"))
    );
    assert_eq!(
        parse_filter("dataConnections.nope=1", &COMPANY_SCHEMA),
        Err(unknown("dataConnections.nope", "Company"))
    );
    // Maps: the rest of the path is the key, exactly as written.
    let f = ok("tags.Region.EU = uk", &COMPANY_SCHEMA);
    let Filter::Compare(c) = &f else { panic!() };
    assert_eq!(
        c.path.segments,
        vec![Segment::MapKey {
            field: "tags",
            key: "Region.EU".into()
        }]
    );
}

#[test]
fn malformed_queries() {
    let cases = [
        "",
        "   ",
        "amountDue",
        "amountDue>",
        "amountDue>abc",
        "amountDue>1e3",
        "amountDue>0x10",
        "amountDue~1",
        "amountDue>0 && totalAmount<1 || currency=GBP",
        "amountDue>0 || totalAmount<1 && currency=GBP",
        "{amountDue>0",
        "amountDue>0}",
        "{}",
        "currency>GBP",
        "currency<=GBP",
        "status=Overdue",
        "status~Pai",
        "status>Paid",
        "metadata.isDeleted=maybe",
        "metadata.isDeleted=1",
        "metadata.isDeleted>false",
        "metadata.isDeleted~true",
        "dueDate~2021",
        "dueDate>2021-02-30",
        "dueDate>2021-01-28T25:00:00",
        "dueDate>28/01/2021",
        "currency=null",
        "currency=NULL",
        "amountDue=null",
        "currency=GB\0P",
        "customerRef..id=1",
        ".id=1",
        "amountDue>0 &&",
    ];
    for q in cases {
        assert_eq!(
            parse_filter(q, &INVOICE),
            Err(QueryError::Malformed),
            "{q:?}"
        );
    }
}

#[test]
fn parentheses_are_not_grouping() {
    assert_eq!(
        parse_filter("(amountDue>0)", &INVOICE),
        Err(unknown("(amountDue", "Invoice"))
    );
}

#[test]
fn length_limit() {
    let value = "x".repeat(2047 - "currency=".len());
    let q = format!("currency={value}");
    assert_eq!(q.chars().count(), 2047);
    assert!(parse_filter(&q, &INVOICE).is_ok());
    let q = format!("currency={value}y");
    assert_eq!(parse_filter(&q, &INVOICE), Err(QueryError::Malformed));
    // Characters, not bytes.
    let q = format!("currency={}", "é".repeat(2000));
    assert!(parse_filter(&q, &INVOICE).is_ok());
}

#[test]
fn order_by() {
    let o = parse_order_by("issueDate", &INVOICE).expect("ok");
    assert!(!o.descending);
    assert_eq!(o.path.dotted(), "issueDate");
    let o = parse_order_by("-issueDate", &INVOICE).expect("ok");
    assert!(o.descending);
    assert!(
        parse_order_by("-modifiedDate", &INVOICE)
            .expect("ok")
            .descending
    );
    assert_eq!(
        parse_order_by("dueDate", &BILL).expect("ok").path.ty,
        ScalarType::DateTime
    );
    assert_eq!(
        parse_order_by(" customerref.ID ", &INVOICE)
            .expect("ok")
            .path
            .dotted(),
        "customerRef.id"
    );
    assert_eq!(parse_order_by("", &INVOICE), Err(QueryError::Malformed));
    assert_eq!(parse_order_by("-", &INVOICE), Err(QueryError::Malformed));
    assert_eq!(
        parse_order_by("amountDue>0", &INVOICE),
        Err(QueryError::Malformed)
    );
    assert_eq!(
        parse_order_by("nope", &INVOICE),
        Err(unknown("nope", "Invoice"))
    );
    assert_eq!(
        parse_order_by("-nope", &INVOICE),
        Err(unknown("nope", "Invoice"))
    );
    assert_eq!(
        parse_order_by("customerRef", &INVOICE),
        Err(unknown("customerRef", "Invoice"))
    );
    assert_eq!(
        parse_order_by("lineItems.unitAmount", &INVOICE),
        Err(unknown("lineItems.unitAmount", "Invoice"))
    );
    assert_eq!(
        parse_order_by("dataConnections.status", &COMPANY_SCHEMA),
        Err(unknown("dataConnections.status", "Company"))
    );
    assert_eq!(
        parse_order_by("tags.region", &COMPANY_SCHEMA),
        Err(unknown("tags.region", "Company"))
    );
}

#[test]
fn tags_filter() {
    let f = parse_tags_filter("uid = 123").expect("ok");
    assert_eq!(f.conditions.len(), 1);
    assert_eq!(f.conditions[0].key, "uid");
    let f = parse_tags_filter("region = uk && owningTeam = invoice-finance").expect("ok");
    assert_eq!(f.conditions.len(), 2);
    let f = parse_tags_filter("region=uk && team=invoice-finance").expect("ok");
    assert_eq!(f.conditions[1].value, "invoice-finance");
    parse_tags_filter("region != uk").expect("ok");
    parse_tags_filter("region ~ u").expect("ok");
    for bad in [
        "region=uk || region=us",
        "n>1",
        "n<1",
        "n>=1",
        "n<=1",
        "",
        "region",
        "region=",
        "region=null",
        "{region=uk",
    ] {
        assert_eq!(
            parse_tags_filter(bad),
            Err(QueryError::Malformed),
            "{bad:?}"
        );
    }

    let mut tags = BTreeMap::new();
    tags.insert("region".to_string(), "UK".to_string());
    tags.insert("team".to_string(), "invoice-finance".to_string());
    let m = |q: &str| matches_tags(&parse_tags_filter(q).expect("ok"), &tags);
    assert!(m("region=uk"));
    assert!(m("region=uk && team~FINANCE"));
    assert!(!m("region!=uk"));
    assert!(m("missing!=x"));
    assert!(!m("missing=x"));
    assert!(!m("missing~x"));
    assert!(!m("Region=uk"), "keys are exact");
    // The same conditions as a filter over the `tags` map agree.
    let tf = parse_tags_filter("region=uk && missing!=x").expect("ok");
    let doc = json!({ "tags": { "region": "UK", "team": "invoice-finance" } });
    assert!(matches(&tf.to_filter("tags"), &doc));
}

#[test]
fn evaluator_semantics() {
    let doc = json!({
        "id": "1",
        "amountDue": 1234567890.123456,
        "totalAmount": 0.10,
        "currency": "gbp",
        "customerRef": { "id": "C-1", "companyName": "Ärzte GmbH" },
        "dueDate": "2021-01-28T10:00:00+01:00",
        "issueDate": "2021-01-01",
        "status": "PAID",
        "metadata": { "isDeleted": false },
        "note": null,
    });
    let m = |q: &str| matches(&ok(q, &INVOICE), &doc);
    assert!(m("totalAmount=0.1"));
    assert!(m("totalAmount=0.1000"));
    assert!(!m("totalAmount>0.1"));
    assert!(m("amountDue>1234567890.123455"));
    assert!(m("amountDue=1234567890.123456"));
    assert!(m("currency=GBP"));
    assert!(m("status=paid"));
    assert!(m("status!=draft"));
    assert!(m("customerRef.companyName~gmbh"));
    assert!(m("customerRef.companyName~Ärzte"));
    assert!(
        !m("customerRef.companyName~ärzte"),
        "only ASCII letters fold"
    );
    assert!(m("dueDate=2021-01-28T09:00:00Z"));
    assert!(m("dueDate=2021-01-28T09:00:00.0009Z"));
    assert!(!m("dueDate=2021-01-28T09:00:00.001Z"));
    assert!(m("dueDate>2021-01-28"));
    assert!(m("issueDate=2021-01-01T00:00:00"));
    assert!(m("metadata.isDeleted!=true"));
    assert!(m("metadata.isDeleted=FALSE"));
    // Null and missing fields: only `!=` holds.
    for q in [
        "note=x",
        "note~x",
        "modifiedDate>2000-01-01",
        "modifiedDate<2100-01-01",
        "modifiedDate=2000-01-01",
    ] {
        assert!(!m(q), "{q}");
    }
    assert!(m("note!=x"));
    assert!(m("modifiedDate!=2000-01-01"));
    assert!(m("{note=x || currency=gbp} && amountDue>0"));
    assert!(!m("note=x || currency=usd"));
}

#[test]
fn queryable_arrays_mean_some_element() {
    let linked =
        json!({ "dataConnections": [ { "status": "Linked" }, { "status": "PendingAuth" } ] });
    let none = json!({ "dataConnections": [] });
    let missing = json!({});
    let f = |q: &str| ok(q, &COMPANY_SCHEMA);
    assert!(matches(&f("dataConnections.status=linked"), &linked));
    assert!(matches(&f("dataConnections.status=PendingAuth"), &linked));
    assert!(!matches(&f("dataConnections.status!=Linked"), &linked));
    assert!(matches(&f("dataConnections.status!=Unlinked"), &linked));
    assert!(matches(&f("dataConnections.status!=Linked"), &none));
    assert!(matches(&f("dataConnections.status!=Linked"), &missing));
    assert!(!matches(&f("dataConnections.status=Linked"), &none));
    let no_connections = f(
        "dataConnections.status!=PendingAuth&&dataConnections.status!=Linked&&dataConnections.status!=Deauthorized&&dataConnections.status!=Unlinked",
    );
    assert!(matches(&no_connections, &none));
    assert!(!matches(&no_connections, &linked));
}

#[test]
fn ordering() {
    let docs = [
        json!({ "id": "a", "amountDue": 10, "note": "b" }),
        json!({ "id": "b", "amountDue": -2.5, "note": "B" }),
        json!({ "id": "c", "note": "a" }),
        json!({ "id": "d", "amountDue": 10.000, "note": null }),
        json!({ "id": "e", "amountDue": 9.99, "note": "Z" }),
    ];
    let sorted = |o: &str| {
        let order = parse_order_by(o, &INVOICE).expect("ok");
        let mut v: Vec<&serde_json::Value> = docs.iter().collect();
        v.sort_by(|a, b| {
            compare(&order, a, b).then_with(|| a["id"].as_str().cmp(&b["id"].as_str()))
        });
        v.iter()
            .map(|d| d["id"].as_str().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("")
    };
    assert_eq!(sorted("amountDue"), "cbead");
    assert_eq!(sorted("-amountDue"), "adebc");
    assert_eq!(sorted("note"), "dcabe");
    assert_eq!(sorted("-note"), "eabcd", "b and B tie, broken by id");
    let order = parse_order_by("amountDue", &INVOICE).expect("ok");
    assert_eq!(compare(&order, &docs[0], &docs[3]), Ordering::Equal);
}

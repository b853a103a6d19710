//! Any input to the three parsers yields Ok or one of the two Codat errors, never a panic, and
//! whatever parses can be evaluated.
#![no_main]

use ledgerbridge_domain::platform::{COMPANY_SCHEMA, INTEGRATION_SCHEMA};
use ledgerbridge_query::{
    QueryError, compare, matches, parse_filter, parse_order_by, parse_tags_filter,
};
use libfuzzer_sys::fuzz_target;

fn check<T>(r: &Result<T, QueryError>) {
    if let Err(e) = r {
        let msg = e.to_string();
        assert!(msg.starts_with("Error parsing query - "), "{msg}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let doc = serde_json::json!({
        "id": "1", "name": "Acme", "created": "2022-10-23T00:00:00Z", "tags": { "region": "uk" },
        "dataConnections": [ { "status": "Linked", "created": "2022-10-23" } ],
    });
    for schema in [&COMPANY_SCHEMA, &INTEGRATION_SCHEMA] {
        let f = parse_filter(input, schema);
        check(&f);
        if let Ok(f) = f {
            let _ = matches(&f, &doc);
        }
        let o = parse_order_by(input, schema);
        check(&o);
        if let Ok(o) = o {
            let _ = compare(&o, &doc, &serde_json::json!({}));
        }
    }
    let t = parse_tags_filter(input);
    check(&t);
});

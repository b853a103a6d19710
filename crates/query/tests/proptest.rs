//! Arbitrary input never panics and only ever yields one of the two errors.

use ledgerbridge_domain::platform::COMPANY_SCHEMA;
use ledgerbridge_query::{QueryError, matches, parse_filter, parse_order_by, parse_tags_filter};
use proptest::prelude::*;

fn acceptable<T>(r: &Result<T, QueryError>) -> bool {
    matches!(
        r,
        Ok(_) | Err(QueryError::Malformed) | Err(QueryError::UnknownProperty { .. })
    )
}

/// Pieces that make the parser work hard: operators, braces, known names, dates, numbers.
fn tokens() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("&&".to_string()),
        Just("||".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("=".to_string()),
        Just("!=".to_string()),
        Just("~".to_string()),
        Just(">=".to_string()),
        Just("<".to_string()),
        Just(" ".to_string()),
        Just(".".to_string()),
        Just("-".to_string()),
        Just("name".to_string()),
        Just("created".to_string()),
        Just("tags".to_string()),
        Just("dataConnections".to_string()),
        Just("status".to_string()),
        Just("Linked".to_string()),
        Just("2021-01-01T00:00:00.1234+01:00".to_string()),
        Just("null".to_string()),
        "[a-zA-Z0-9 ._:+-]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(s in any::<String>()) {
        prop_assert!(acceptable(&parse_filter(&s, &COMPANY_SCHEMA)));
        prop_assert!(acceptable(&parse_order_by(&s, &COMPANY_SCHEMA)));
        prop_assert!(acceptable(&parse_tags_filter(&s)));
    }

    #[test]
    fn token_soup(s in tokens()) {
        let r = parse_filter(&s, &COMPANY_SCHEMA);
        prop_assert!(acceptable(&r));
        if let Ok(f) = r {
            // Whatever parses can be evaluated.
            let doc = serde_json::json!({ "name": "x", "tags": { "a": "b" }, "dataConnections": [ { "status": "Linked" } ] });
            let _ = matches(&f, &doc);
        }
        prop_assert!(acceptable(&parse_order_by(&s, &COMPANY_SCHEMA)));
        prop_assert!(acceptable(&parse_tags_filter(&s)));
    }
}

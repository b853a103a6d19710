//! Shared by the platform connector tests: a fetched record with its text parsed, once the
//! text is checked to be what [`SourceRecord::doc`] promises.

use ledgerbridge_connectors::SourceRecord;
use serde_json::Value;

/// A fetched record, its Codat JSON parsed.
#[derive(Clone, Debug)]
pub struct Record {
    pub id: String,
    pub doc: Value,
}

/// Parses a record's text, asserting that it is one compact JSON object (as
/// `serde_json::to_string` writes it) without `modifiedDate`.
pub fn parsed(r: SourceRecord) -> Record {
    let doc: Value = serde_json::from_str(&r.doc)
        .unwrap_or_else(|e| panic!("record {} is not JSON ({e}): {}", r.id, r.doc));
    let object = doc
        .as_object()
        .unwrap_or_else(|| panic!("record {} is not an object: {}", r.id, r.doc));
    assert!(
        !object.contains_key("modifiedDate"),
        "record {} carries modifiedDate",
        r.id
    );
    // Written again, the object has the same members (perhaps in another order) and so the
    // same length only when the text had no whitespace outside strings.
    let compact = serde_json::to_string(&doc).expect("json");
    assert_eq!(
        compact.len(),
        r.doc.len(),
        "record {} is not compact JSON text: {}",
        r.id,
        r.doc
    );
    Record { id: r.id, doc }
}

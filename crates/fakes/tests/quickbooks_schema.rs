//! The QuickBooks simulator speaks Intuit's V3 model: every field of every entity it serves
//! (and of their lines and metadata) is an element or attribute the V3 XSD files
//! (`shared/reference/platforms/quickbooks-online-v3-xsd`) define for that entity's type or
//! one it extends.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ledgerbridge_fakes::quickbooks::{Size, TenantOptions, build_companies};
use serde_json::Value;

fn xsd_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LEDGERBRIDGE_PLATFORMS_REFERENCE") {
        return PathBuf::from(dir).join("quickbooks-online-v3-xsd");
    }
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|dir| dir.join("shared/reference/platforms/quickbooks-online-v3-xsd"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| {
            crate_dir.join("../../../shared/reference/platforms/quickbooks-online-v3-xsd")
        })
}

/// Named complex types: their own elements and attributes, and the types they extend.
struct Types(BTreeMap<String, (BTreeSet<String>, Vec<String>)>);

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!("{name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

fn unprefixed(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

impl Types {
    fn load() -> Self {
        let mut types = BTreeMap::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(xsd_dir())
            .expect("the V3 XSD files")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xsd"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("xsd");
            // Walk the tags, keeping the stack of named complex types open.
            let mut stack: Vec<Option<String>> = Vec::new();
            for raw in text.split('<').skip(1) {
                let tag = raw.split('>').next().unwrap_or("");
                if tag.starts_with("xs:complexType") {
                    let name = attr(tag, "name").map(str::to_string);
                    if let Some(n) = &name {
                        types
                            .entry(n.clone())
                            .or_insert((BTreeSet::new(), Vec::new()));
                    }
                    if !tag.ends_with('/') {
                        stack.push(name);
                    }
                } else if tag.starts_with("/xs:complexType") {
                    stack.pop();
                } else if let Some(Some(current)) = stack.iter().rev().find(|s| s.is_some()) {
                    let entry = types.entry(current.clone()).or_default();
                    let field = tag.starts_with("xs:element") || tag.starts_with("xs:attribute ");
                    if field && let Some(n) = attr(tag, "name") {
                        entry.0.insert(n.to_string());
                    } else if tag.starts_with("xs:extension")
                        && let Some(b) = attr(tag, "base")
                    {
                        entry.1.push(unprefixed(b));
                    }
                }
            }
        }
        Types(types)
    }

    fn fields(&self, name: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo = vec![name.to_string()];
        while let Some(t) = todo.pop() {
            if let Some((own, bases)) = self.0.get(&t) {
                out.extend(own.iter().cloned());
                todo.extend(bases.iter().cloned());
            }
        }
        out
    }
}

fn check(types: &Types, type_name: &str, value: &Value, path: &str, bad: &mut BTreeSet<String>) {
    let Some(o) = value.as_object() else { return };
    let fields = types.fields(type_name);
    assert!(!fields.is_empty(), "{type_name} is not an XSD type");
    for k in o.keys() {
        // A reference's text content is written as `value`.
        let content = type_name == "ReferenceType" && k == "value";
        if !content && !fields.contains(k) {
            bad.insert(format!("{path}.{k} (not in {type_name})"));
        }
    }
}

#[test]
fn every_field_the_simulator_serves_is_in_the_v3_xsd() {
    let types = Types::load();
    let companies = build_companies(&[TenantOptions::new(3, Size::Small)], 0);
    let company = &companies[0];
    let mut bad = BTreeSet::new();
    let mut seen = 0;
    for (entity, entries) in &company.entities {
        for e in entries {
            seen += 1;
            check(&types, entity, e.value(), entity, &mut bad);
            check(
                &types,
                "ModificationMetaData",
                &e.value()["MetaData"],
                &format!("{entity}.MetaData"),
                &mut bad,
            );
            for line in e.value()["Line"].as_array().into_iter().flatten() {
                check(&types, "Line", line, &format!("{entity}.Line"), &mut bad);
                if let Some(kind) = line["DetailType"].as_str()
                    && let Some(detail) = line.get(kind)
                {
                    check(
                        &types,
                        kind,
                        detail,
                        &format!("{entity}.Line.{kind}"),
                        &mut bad,
                    );
                }
            }
            for key in [
                "CustomerRef",
                "VendorRef",
                "CurrencyRef",
                "AccountRef",
                "DepositToAccountRef",
            ] {
                if let Some(r) = e.value().get(key) {
                    check(
                        &types,
                        "ReferenceType",
                        r,
                        &format!("{entity}.{key}"),
                        &mut bad,
                    );
                }
            }
            for key in ["BillAddr", "ShipAddr", "CompanyAddr"] {
                if let Some(a) = e.value().get(key) {
                    check(
                        &types,
                        "PhysicalAddress",
                        a,
                        &format!("{entity}.{key}"),
                        &mut bad,
                    );
                }
            }
        }
    }
    assert!(seen > 300, "{seen} entities checked");
    assert!(
        bad.is_empty(),
        "fields the V3 XSD does not define:\n{}",
        bad.into_iter().collect::<Vec<_>>().join("\n")
    );
}

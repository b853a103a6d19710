//! The paging envelope every list endpoint returns, and the `page`/`pageSize` rules.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Default `pageSize` when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Largest `pageSize` a caller may ask for.
pub const MAX_PAGE_SIZE: u32 = 5000;

/// A relative link (`href` is a URI reference).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HalRef {
    pub href: String,
}

/// `_links` of a page: `self` and `current` always; `next`/`previous` only when they exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: HalRef,
    pub current: HalRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<HalRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<HalRef>,
}

/// One page of results in Codat's envelope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub results: Vec<T>,
    pub page_number: u32,
    pub page_size: u32,
    pub total_results: u64,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// A validated `page` / `pageSize` pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

impl PageRequest {
    /// Rows to skip before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// Builds the `_links` of a page: `self` is the bare path, `current`/`next`/`previous` carry
/// `page` and `pageSize` first and then `extra` (the caller's `query`, `orderBy`, ...),
/// URL-encoded.
pub fn links(path: &str, req: PageRequest, total: u64, extra: &[(&str, &str)]) -> Links {
    let href = |page: u32| {
        let mut q = form_encode(&[
            ("page", &page.to_string()),
            ("pageSize", &req.page_size.to_string()),
        ]);
        for (k, v) in extra {
            q.push('&');
            q.push_str(&form_encode(&[(k, v)]));
        }
        HalRef {
            href: format!("{path}?{q}"),
        }
    };
    let last_page = total.div_ceil(u64::from(req.page_size));
    Links {
        self_: HalRef {
            href: path.to_string(),
        },
        current: href(req.page),
        next: (u64::from(req.page) < last_page).then(|| href(req.page + 1)),
        previous: (req.page > 1).then(|| href(req.page - 1)),
    }
}

/// Percent-encodes `key=value` pairs the way Codat's links show them (`%3D`, `%26`, spaces as `%20`).
fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_page_has_previous_but_no_next() {
        let l = links(
            "/companies",
            PageRequest {
                page: 5,
                page_size: 20,
            },
            90,
            &[],
        );
        assert_eq!(l.current.href, "/companies?page=5&pageSize=20");
        assert_eq!(
            l.previous.map(|h| h.href).as_deref(),
            Some("/companies?page=4&pageSize=20")
        );
        assert!(l.next.is_none());
        assert_eq!(l.self_.href, "/companies");
    }

    #[test]
    fn echoes_query_encoded() {
        let l = links(
            "/x",
            PageRequest {
                page: 1,
                page_size: 20,
            },
            1,
            &[("query", "metadata.isDeleted!=true")],
        );
        assert_eq!(
            l.current.href,
            "/x?page=1&pageSize=20&query=metadata.isDeleted%21%3Dtrue"
        );
        assert!(l.next.is_none() && l.previous.is_none());
    }

    #[test]
    fn past_the_end_keeps_previous() {
        let l = links(
            "/x",
            PageRequest {
                page: 9,
                page_size: 10,
            },
            15,
            &[],
        );
        assert!(l.next.is_none());
        assert_eq!(
            l.previous.map(|h| h.href).as_deref(),
            Some("/x?page=8&pageSize=10")
        );
    }
}

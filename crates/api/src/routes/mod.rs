//! One module per resource; handlers are `verb_noun`.

pub mod accounting;
pub mod accounting_documents;
pub mod api_keys;
pub mod companies;
pub mod connections;
pub mod data;
pub mod docs;
pub mod health;
pub mod integrations;
pub mod settings;
pub mod webhooks;

use axum::Json;
use ledgerbridge_domain::paging::{Page, links};

use crate::extract::ListParams;

/// Wraps one page of results in Codat's envelope; `path` is the resource path (`self`).
pub(crate) fn page<T>(
    path: &str,
    params: &ListParams,
    results: Vec<T>,
    total: u64,
) -> Json<Page<T>> {
    Json(Page {
        results,
        page_number: params.page.page,
        page_size: params.page.page_size,
        total_results: total,
        links: links(path, params.page, total, &params.link_extras()),
    })
}

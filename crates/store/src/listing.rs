//! What a list endpoint asks of the store: a filter, an ordering and a page.

use ledgerbridge_domain::paging::PageRequest;
use ledgerbridge_query::{Filter, OrderBy, TagFilter};

/// A filtered, ordered page request. Ties in the ordering are always broken by id.
#[derive(Clone, Debug, Default)]
pub struct ListRequest {
    pub filter: Option<Filter>,
    pub order: Option<OrderBy>,
    pub tags: Option<TagFilter>,
    pub page: PageRequest,
}

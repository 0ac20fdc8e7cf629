//! Page requests and pages, shared by every list port.

/// Which page of a list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumber {
    /// 1-based page number.
    Number(u64),
    /// The last page (`page=last`).
    Last,
}

/// A page of `size` items (1 … 300, enforced by the HTTP layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Which page.
    pub number: PageNumber,
    /// Items per page.
    pub size: u64,
}

/// One page of results and the number of items on all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of the page, in order.
    pub items: Vec<T>,
    /// Items matching the filters on all pages.
    pub total: u64,
    /// The 1-based number of the page returned.
    pub number: u64,
}

impl PageRequest {
    /// The number of the last page for `total` items (1 for an empty list).
    pub fn last_page(&self, total: u64) -> u64 {
        total.div_ceil(self.size.max(1)).max(1)
    }
}

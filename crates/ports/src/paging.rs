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

    /// Where this page lies among `total` items: its number (`last` resolved), and the
    /// row offset and limit to read — `None` when the page is past the end, so the
    /// adapter can answer an empty page without a second query.
    pub fn window(&self, total: u64) -> (u64, Option<(i64, i64)>) {
        let number = match self.number {
            PageNumber::Number(n) => n,
            PageNumber::Last => self.last_page(total),
        };
        let offset = number.saturating_sub(1).saturating_mul(self.size);
        if offset >= total {
            return (number, None);
        }
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        (number, Some((clamp(offset), clamp(self.size))))
    }
}

impl<T> Page<T> {
    /// A page with no items (past the end of `total`).
    pub fn empty(total: u64, number: u64) -> Self {
        Self {
            items: Vec::new(),
            total,
            number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_resolve_last_and_stop_past_the_end() {
        let page = |number| PageRequest { number, size: 10 };
        assert_eq!(page(PageNumber::Number(1)).window(25), (1, Some((0, 10))));
        assert_eq!(page(PageNumber::Last).window(25), (3, Some((20, 10))));
        assert_eq!(page(PageNumber::Number(4)).window(25), (4, None));
        assert_eq!(page(PageNumber::Last).window(0), (1, None));
    }
}

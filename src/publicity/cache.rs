//! The public list pages. The reading room is read far more than it changes: pages are kept
//! for a few seconds (`http::pages::Shelf`) and dropped at once when this process publishes,
//! withdraws or takes anything down. Other instances see a change within the time to live.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::web::Bytes;

use crate::http::pages::{Shelf, FRESH, TTL};

pub struct PublicCache {
    generation: AtomicU64,
    pages: Shelf<String, u64>,
}

impl Default for PublicCache {
    fn default() -> Self {
        Self::new(FRESH, TTL)
    }
}

impl PublicCache {
    pub fn new(fresh: Duration, ttl: Duration) -> Self {
        Self {
            generation: AtomicU64::new(0),
            pages: Shelf::new(fresh, ttl),
        }
    }

    /// Forgets every page: something public changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The generation to store a page under; read it before computing the page, so a change
    /// during the computation is not hidden.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The page to serve, or `None`: compute it and `put` it.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        self.pages.get(key, self.generation())
    }

    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        self.pages.put(key, generation, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_or_the_time_to_live_ends_a_page() {
        let cache = PublicCache::default();
        let g = cache.generation();
        cache.put("a".into(), g, Bytes::from_static(b"page"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"page"[..]));
        cache.invalidate();
        assert_eq!(cache.get("a"), None);
        // A page computed before a change is never served after it.
        cache.put("b".into(), g, Bytes::from_static(b"old"));
        assert_eq!(cache.get("b"), None);
    }
}

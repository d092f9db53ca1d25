//! A small cache of public list pages. The reading room is read far more than it changes:
//! pages are kept for a few seconds and dropped at once when this process publishes,
//! withdraws or takes anything down. Other instances see a change within the time to live.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;

/// How long a page may be served from memory.
pub const TTL: Duration = Duration::from_secs(2);
/// Pages kept at most; past it the cache starts over.
const CAPACITY: usize = 1024;

#[derive(Default)]
pub struct PublicCache {
    generation: AtomicU64,
    pages: Mutex<HashMap<String, (u64, Instant, Bytes)>>,
}

impl PublicCache {
    /// Forgets every page: something public changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The generation to store a page under; read it before computing the page, so a change
    /// during the computation is not hidden.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let (generation, stored, body) = pages.get(key)?;
        (*generation == self.generation() && stored.elapsed() < TTL).then(|| body.clone())
    }

    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= CAPACITY {
            pages.clear();
        }
        pages.insert(key, (generation, Instant::now(), body));
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

//! A small cache of public list pages. The reading room is read far more than it changes:
//! pages are kept for a few seconds and dropped at once when this process publishes,
//! withdraws or takes anything down. Other instances see a change within the time to live.
//! When a page grows stale, the first reader rebuilds it while the others are still served the
//! old copy (until the time to live), so a popular page is never rebuilt by every waiting
//! client at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;

/// How long a page may be served from memory.
pub const TTL: Duration = Duration::from_secs(2);
/// How long a page is served before the first reader is asked to rebuild it.
pub const FRESH: Duration = Duration::from_secs(1);
/// Pages kept at most; past it the cache starts over.
const CAPACITY: usize = 1024;

pub struct PublicCache {
    generation: AtomicU64,
    pages: Mutex<HashMap<String, Page>>,
    fresh: Duration,
    ttl: Duration,
}

struct Page {
    generation: u64,
    stored: Instant,
    body: Bytes,
    /// Since when a reader has been rebuilding this page.
    rebuilding: Option<Instant>,
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
            pages: Mutex::new(HashMap::new()),
            fresh,
            ttl,
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

    /// The page to serve, or `None`: compute it and `put` it. Past `fresh`, the first caller
    /// gets `None` and the others the old copy while it rebuilds (never past `ttl`, never
    /// after a change).
    pub fn get(&self, key: &str) -> Option<Bytes> {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let page = pages.get_mut(key)?;
        let age = page.stored.elapsed();
        if page.generation != self.generation() || age >= self.ttl {
            return None;
        }
        if age < self.fresh {
            return Some(page.body.clone());
        }
        match page.rebuilding {
            Some(since) if since.elapsed() < self.ttl - self.fresh => Some(page.body.clone()),
            _ => {
                page.rebuilding = Some(Instant::now());
                None
            }
        }
    }

    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= CAPACITY {
            pages.clear();
        }
        let page = Page {
            generation,
            stored: Instant::now(),
            body,
            rebuilding: None,
        };
        pages.insert(key, page);
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

    #[test]
    fn a_stale_page_is_rebuilt_by_one_reader_while_the_others_get_the_old_copy() {
        let cache = PublicCache::new(Duration::from_millis(100), Duration::from_millis(400));
        cache.put("a".into(), cache.generation(), Bytes::from_static(b"old"));
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(cache.get("a"), None, "the first reader after `fresh` rebuilds");
        assert_eq!(
            cache.get("a").as_deref(),
            Some(&b"old"[..]),
            "the others wait on nothing"
        );
        assert_eq!(cache.get("a").as_deref(), Some(&b"old"[..]));
        cache.put("a".into(), cache.generation(), Bytes::from_static(b"new"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"new"[..]));
        // A change ends the old copy even while it is being rebuilt.
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(cache.get("a"), None);
        cache.invalidate();
        assert_eq!(cache.get("a"), None);
        // Never past the time to live, rebuilt or not.
        cache.put("b".into(), cache.generation(), Bytes::from_static(b"b"));
        std::thread::sleep(Duration::from_millis(450));
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.get("b"), None);
    }
}

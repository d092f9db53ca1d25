//! The public list pages. The reading room is read far more than it changes: pages are kept
//! for a few seconds (`http::pages::Shelf`) and dropped at once when this process publishes,
//! withdraws or takes anything down. Other instances see a change within the time to live:
//! these pages are not versioned by the audit log, so their life stays short.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::HttpResponse;
use serde::Serialize;

use crate::http::pages::Shelf;
use crate::http::AppError;

pub struct PublicCache {
    generation: AtomicU64,
    pages: Shelf<String, u64>,
}

/// How long a page may be served from memory.
const TTL: Duration = Duration::from_secs(2);
/// How long a page is served before the first reader is asked to rebuild it.
const FRESH: Duration = Duration::from_secs(1);

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

    /// The JSON page kept under `key`, else `compute`d, kept and answered. The generation is
    /// read before computing, so a change during the computation is not hidden.
    pub async fn serve<T: Serialize>(
        &self,
        key: String,
        compute: impl Future<Output = Result<T, AppError>>,
    ) -> Result<HttpResponse, AppError> {
        let generation = self.generation.load(Ordering::SeqCst);
        self.pages.serve(key, generation, compute).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn page(cache: &PublicCache, key: &str, compute: impl Future<Output = Result<&str, AppError>>) -> String {
        let res = cache.serve(key.to_owned(), compute).await.unwrap();
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    #[actix_web::test]
    async fn a_change_or_the_time_to_live_ends_a_page() {
        let cache = PublicCache::default();
        assert_eq!(page(&cache, "a", async { Ok("page") }).await, "page");
        assert_eq!(page(&cache, "a", async { Ok("other") }).await, "page");
        cache.invalidate();
        assert_eq!(page(&cache, "a", async { Ok("new") }).await, "new");
        // A page computed before a change is never served after it.
        let old = async {
            cache.invalidate();
            Ok("old")
        };
        assert_eq!(page(&cache, "b", old).await, "old");
        assert_eq!(page(&cache, "b", async { Ok("fresh") }).await, "fresh");
    }
}

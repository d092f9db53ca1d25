//! Authenticated read pages kept in memory, per session, for as long as nothing was written.
//!
//! Every change of the registers appends to the audit log in its own transaction, one appender
//! at a time (`db::one_writer_at_a_time`), so the log's head is a commit-ordered version of
//! the stored data, in every instance that shares the database; this process also counts its
//! own commits (`Db::commits`), audited or not. The `Caller` extractor reads both, with the
//! session, before the handler reads anything: a page stored at a `Version` is served again
//! only while the version is unchanged. A change committed while the page was being computed
//! moves the version on, so the page is never served again: a reader never gets an answer
//! older than a write it could have seen. The short time to live bounds what depends on the
//! clock (today's date, deadlines running out) and anything written outside the API.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::auth::Caller;
use super::AppError;

/// How long a page may be served from memory.
pub const TTL: Duration = Duration::from_secs(1);
/// Pages kept at most, and their bytes at most; past either the cache starts over.
const CAPACITY: usize = 4096;
const CAPACITY_BYTES: usize = 64 << 20;

/// A session's view of one address.
type Key = (i64, String);

/// What a request's reads are at least as new as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Version {
    /// Write transactions this process had committed.
    pub commits: u64,
    /// The audit log's newest entry.
    pub audit_head: i64,
}

pub struct PageCache {
    pages: Mutex<Pages>,
    ttl: Duration,
}

#[derive(Default)]
struct Pages {
    map: HashMap<Key, Page>,
    bytes: usize,
}

struct Page {
    /// What the page was computed at (or after).
    version: Version,
    stored: Instant,
    body: Bytes,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new(TTL)
    }
}

impl PageCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            pages: Mutex::new(Pages::default()),
            ttl,
        }
    }

    /// The caller's page of this request's address: from memory while nothing was written since
    /// it was computed, else `compute`d, kept and answered.
    pub async fn serve<T: Serialize>(
        &self,
        caller: &Caller,
        req: &HttpRequest,
        compute: impl Future<Output = Result<T, AppError>>,
    ) -> Result<HttpResponse, AppError> {
        let key = (caller.session_id, req.uri().to_string());
        if let Some(body) = self.get(&key, caller.version) {
            return Ok(json(body));
        }
        let page = compute.await?;
        let body = Bytes::from(serde_json::to_vec(&page).map_err(|e| AppError::Internal(e.to_string()))?);
        self.put(key, caller.version, body.clone());
        Ok(json(body))
    }

    fn get(&self, key: &Key, version: Version) -> Option<Bytes> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let page = pages.map.get(key)?;
        (page.version == version && page.stored.elapsed() < self.ttl).then(|| page.body.clone())
    }

    fn put(&self, key: Key, version: Version, body: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.map.len() >= CAPACITY || pages.bytes + body.len() > CAPACITY_BYTES {
            *pages = Pages::default();
        }
        pages.bytes += body.len();
        let page = Page {
            version,
            stored: Instant::now(),
            body,
        };
        if let Some(old) = pages.map.insert(key, page) {
            pages.bytes -= old.body.len();
        }
    }
}

fn json(body: Bytes) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    fn at(commits: u64, audit_head: i64) -> Version {
        Version { commits, audit_head }
    }

    #[test]
    fn a_page_is_served_only_at_the_version_it_was_computed_at() {
        let cache = PageCache::default();
        let key = (7, "/api/v1/acts".to_owned());
        cache.put(key.clone(), at(3, 10), body("[1]"));
        assert_eq!(cache.get(&key, at(3, 10)), Some(body("[1]")));
        assert_eq!(cache.get(&key, at(3, 11)), None, "an audited write since: recompute");
        assert_eq!(cache.get(&key, at(4, 10)), None, "a write of this process since");
        assert_eq!(
            cache.get(&(8, key.1.clone()), at(3, 10)),
            None,
            "another session's page"
        );
    }

    #[test]
    fn a_page_expires_after_its_time_to_live() {
        let cache = PageCache::new(Duration::from_millis(30));
        let key = (7, "/api/v1/acts".to_owned());
        cache.put(key.clone(), at(0, 10), body("[1]"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&key, at(0, 10)), None);
    }

    #[test]
    fn the_cache_counts_its_bytes_and_starts_over_when_full() {
        let cache = PageCache::default();
        for i in 1..CAPACITY as i64 {
            cache.put((i, String::new()), at(0, 1), body("xy"));
        }
        cache.put((1, String::new()), at(0, 1), body("xyz"));
        cache.put((0, String::new()), at(0, 1), body("x"));
        assert_eq!(
            cache.pages.lock().unwrap().bytes,
            (CAPACITY - 1) * 2 + 2,
            "a replaced page's bytes are given back"
        );
        cache.put((-1, String::new()), at(0, 1), body("x"));
        let pages = cache.pages.lock().unwrap();
        assert_eq!((pages.map.len(), pages.bytes), (1, 1));
    }
}

//! Authenticated read pages kept in memory, per session, for as long as nothing was written.
//!
//! Every change of the registers appends to the audit log in its own transaction, one appender
//! at a time (`db::one_writer_at_a_time`), so the log's head is a commit-ordered version of
//! the stored data, in every instance that shares the database; this process also counts its
//! own commits (`Db::commits`), audited or not. The `Caller` extractor reads both, with the
//! session, before the handler reads anything: a page stored at a `Version` is served again
//! only while the version is unchanged. A change committed while the page was being computed
//! moves the version on, so the page is never served again: a reader never gets an answer
//! older than a write it could have seen. What the pages compute from the clock is by the day
//! (deadlines running out, certificates lapsing, the current year), and the day is part of the
//! version too. The time to live only bounds what was written outside the API (by hand, in
//! SQL). The public reading room keeps its pages on the same kind of `Shelf`
//! (`publicity::cache`), with a short life: it is not versioned by other instances' writes.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use tokio::sync::watch;

use super::auth::Caller;
use super::AppError;

/// How long a page may be served from memory: its version covers every write made through
/// the API, so this only bounds how long a change made behind its back can go unseen.
pub const TTL: Duration = Duration::from_secs(60);
/// How long a page is served before the first reader is asked to rebuild it. Each rebuild of
/// the larger pages (hours, scores) takes a core for milliseconds: rebuilt every second, they
/// lifted the p99 of every read at a steady rate (issue #9's benchmark) to 2–4× its baseline.
pub const FRESH: Duration = Duration::from_secs(30);
/// Pages kept at most, and their bytes at most; past either a shelf starts over.
const CAPACITY: usize = 4096;
const CAPACITY_BYTES: usize = 64 << 20;

/// Answers kept under a key and the version of the data they were computed at. A page is
/// served only at that version. When it grows stale (past `fresh`), the first reader rebuilds
/// it while the others are still served the old copy (until the time to live): a popular page
/// is never rebuilt by every waiting client at once.
pub struct Shelf<K, V> {
    pages: Mutex<Pages<K, V>>,
    fresh: Duration,
    ttl: Duration,
}

struct Pages<K, V> {
    map: HashMap<K, Page<V>>,
    bytes: usize,
    /// Pages being computed where none could be served: readers of the same key and version
    /// wait for the one computing it rather than all computing it at once (after every write,
    /// each waiting reader of a popular page would otherwise compute it again).
    flights: HashMap<K, Flight<V>>,
}

impl<K: Hash + Eq, V: Eq> Pages<K, V> {
    /// Ends the flight of `key` at `version`, if any.
    fn land(&mut self, key: &K, version: V) {
        if self.flights.get(key).is_some_and(|f| f.version == version) {
            self.flights.remove(key);
        }
    }
}

struct Flight<V> {
    version: V,
    /// `Some(body)` once computed; closed without it when the computation failed or was
    /// dropped (its client went away): the waiters then compute it themselves.
    done: watch::Receiver<Option<Bytes>>,
}

/// What a reader does for a page.
enum Lookup {
    Serve(Bytes),
    /// Compute it, and tell the readers who wait through this.
    Compute(Option<watch::Sender<Option<Bytes>>>),
    Wait(watch::Receiver<Option<Bytes>>),
}

struct Page<V> {
    /// What the page was computed at (or after).
    version: V,
    stored: Instant,
    body: Bytes,
    /// Since when a reader has been rebuilding this page.
    rebuilding: Option<Instant>,
}

impl<K: Hash + Eq + Clone, V: Copy + Eq> Shelf<K, V> {
    pub fn new(fresh: Duration, ttl: Duration) -> Self {
        Self {
            pages: Mutex::new(Pages {
                map: HashMap::new(),
                bytes: 0,
                flights: HashMap::new(),
            }),
            fresh,
            ttl,
        }
    }

    /// The JSON page kept under `key` at `version`, else `compute`d, kept and answered.
    pub async fn serve<T: Serialize>(
        &self,
        key: K,
        version: V,
        compute: impl Future<Output = Result<T, AppError>>,
    ) -> Result<HttpResponse, AppError> {
        let waiters = match self.lookup(&key, version) {
            Lookup::Serve(body) => return Ok(json(body)),
            Lookup::Wait(mut done) => match done.wait_for(Option::is_some).await {
                Ok(body) => return Ok(json(body.clone().unwrap_or_default())),
                Err(_) => None,
            },
            Lookup::Compute(waiters) => waiters,
        };
        let page = match compute.await {
            Ok(page) => page,
            Err(e) => {
                if waiters.is_some() {
                    // Its waiters compute it themselves; nothing of this flight stays.
                    self.pages.lock().unwrap_or_else(|p| p.into_inner()).land(&key, version);
                }
                return Err(e);
            }
        };
        let body = Bytes::from(serde_json::to_vec(&page).map_err(|e| AppError::Internal(e.to_string()))?);
        self.put(key, version, body.clone());
        if let Some(waiters) = waiters {
            let _ = waiters.send(Some(body.clone()));
        }
        Ok(json(body))
    }

    /// Serve the kept page, wait for the reader computing it, or compute it (announcing that
    /// when no page of this version was kept, so that the next readers wait for this one).
    fn lookup(&self, key: &K, version: V) -> Lookup {
        if let Some(body) = self.get(key, version) {
            return Lookup::Serve(body);
        }
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = pages.flights.get(key) {
            // A closed flight's reader failed or went away; one of another version is not ours.
            if f.version == version && f.done.has_changed().is_ok() {
                return Lookup::Wait(f.done.clone());
            }
        }
        if pages.map.get(key).is_some_and(|p| p.version == version) {
            // Kept but stale: the others are served the old copy meanwhile (`get`).
            return Lookup::Compute(None);
        }
        let (tx, done) = watch::channel(None);
        pages.flights.insert(key.clone(), Flight { version, done });
        Lookup::Compute(Some(tx))
    }

    /// The page to serve at `version`, or `None`: compute it and `put` it.
    fn get(&self, key: &K, version: V) -> Option<Bytes> {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let page = pages.map.get_mut(key)?;
        let age = page.stored.elapsed();
        if page.version != version || age >= self.ttl {
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

    fn put(&self, key: K, version: V, body: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.map.len() >= CAPACITY || pages.bytes + body.len() > CAPACITY_BYTES {
            pages.map.clear();
            pages.bytes = 0;
            // Flights left by readers that went away mid-computation go too.
            pages.flights.retain(|_, f| f.done.has_changed().is_ok());
        }
        pages.bytes += body.len();
        let page = Page {
            version,
            stored: Instant::now(),
            body,
            rebuilding: None,
        };
        pages.land(&key, version);
        if let Some(old) = pages.map.insert(key, page) {
            pages.bytes -= old.body.len();
        }
    }
}

/// What a request's reads are at least as new as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Version {
    /// Write transactions this process had committed.
    pub commits: u64,
    /// The audit log's newest entry.
    pub audit_head: i64,
    /// The day in China (UTC+8): what a page computes from the clock changes with it.
    pub today: NaiveDate,
}

/// Each session's pages, by address.
pub struct PageCache(Shelf<(i64, String), Version>);

impl Default for PageCache {
    fn default() -> Self {
        Self::new(FRESH, TTL)
    }
}

impl PageCache {
    pub fn new(fresh: Duration, ttl: Duration) -> Self {
        Self(Shelf::new(fresh, ttl))
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
        self.0.serve(key, caller.version, compute).await
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
        Version {
            commits,
            audit_head,
            today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        }
    }

    #[test]
    fn a_page_is_served_only_at_the_version_it_was_computed_at() {
        let shelf = Shelf::new(FRESH, TTL);
        let key = (7, "/api/v1/acts".to_owned());
        shelf.put(key.clone(), at(3, 10), body("[1]"));
        assert_eq!(shelf.get(&key, at(3, 10)), Some(body("[1]")));
        assert_eq!(shelf.get(&key, at(3, 11)), None, "an audited write since: recompute");
        assert_eq!(shelf.get(&key, at(4, 10)), None, "a write of this process since");
        let tomorrow = Version {
            today: at(3, 10).today.succ_opt().unwrap(),
            ..at(3, 10)
        };
        assert_eq!(
            shelf.get(&key, tomorrow),
            None,
            "computed yesterday: deadlines moved on"
        );
        assert_eq!(
            shelf.get(&(8, key.1.clone()), at(3, 10)),
            None,
            "another session's page"
        );
    }

    #[test]
    fn a_stale_page_is_rebuilt_by_one_reader_while_the_others_get_the_old_copy() {
        let shelf = Shelf::new(Duration::from_millis(100), Duration::from_millis(400));
        shelf.put("a", 1, body("old"));
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(shelf.get(&"a", 1), None, "the first reader after `fresh` rebuilds");
        assert_eq!(shelf.get(&"a", 1), Some(body("old")), "the others wait on nothing");
        assert_eq!(shelf.get(&"a", 1), Some(body("old")));
        assert_eq!(shelf.get(&"a", 2), None, "never at another version, even while rebuilt");
        shelf.put("a", 1, body("new"));
        assert_eq!(shelf.get(&"a", 1), Some(body("new")));
        // Never past the time to live, rebuilt or not.
        shelf.put("b", 1, body("b"));
        std::thread::sleep(Duration::from_millis(450));
        assert_eq!(shelf.get(&"b", 1), None);
        assert_eq!(shelf.get(&"b", 1), None);
    }

    #[actix_web::test]
    async fn readers_of_a_page_not_kept_wait_for_the_one_computing_it() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let shelf: Shelf<&str, u64> = Shelf::new(FRESH, TTL);
        let calls = AtomicUsize::new(0);
        // The first computation of version 2 fails: its waiters compute it themselves.
        let calls = &calls;
        let compute = |version: u64| async move {
            let call = calls.fetch_add(1, Ordering::SeqCst);
            actix_web::rt::time::sleep(Duration::from_millis(30)).await;
            match (version, call) {
                (2, 1) => Err(AppError::Internal("failed".into())),
                _ => Ok(format!("v{version}")),
            }
        };
        let bodies = |answers: Vec<Result<HttpResponse, AppError>>| async move {
            let mut out = Vec::new();
            for a in answers {
                out.push(match a {
                    Ok(r) => {
                        String::from_utf8(actix_web::body::to_bytes(r.into_body()).await.unwrap().to_vec()).unwrap()
                    }
                    Err(_) => "error".to_owned(),
                });
            }
            out
        };
        let first = futures_util::future::join_all((0..8).map(|_| shelf.serve("k", 1, compute(1)))).await;
        assert_eq!(bodies(first).await, vec!["\"v1\""; 8]);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "computed once for eight readers");
        let second = futures_util::future::join_all((0..4).map(|_| shelf.serve("k", 2, compute(2)))).await;
        let second = bodies(second).await;
        assert_eq!(second[0], "error");
        assert_eq!(second[1..], vec!["\"v2\""; 3]);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1 + 4,
            "after the failure each waiter computed"
        );
        assert!(shelf.pages.lock().unwrap().flights.is_empty(), "no flight stays");
    }

    #[test]
    fn a_shelf_counts_its_bytes_and_starts_over_when_full() {
        let shelf = Shelf::new(FRESH, TTL);
        for i in 1..CAPACITY as i64 {
            shelf.put(i, 0, body("xy"));
        }
        shelf.put(1, 0, body("xyz"));
        shelf.put(0, 0, body("x"));
        assert_eq!(
            shelf.pages.lock().unwrap().bytes,
            (CAPACITY - 1) * 2 + 2,
            "a replaced page's bytes are given back"
        );
        shelf.put(-1, 0, body("x"));
        let pages = shelf.pages.lock().unwrap();
        assert_eq!((pages.map.len(), pages.bytes), (1, 1));
    }
}

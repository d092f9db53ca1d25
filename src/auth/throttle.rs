//! Failed-login throttling, per client address and per (username, client address).
//!
//! Keying the username counter by client as well means an attacker hammering one account
//! cannot lock its owner out from another client. Counters live in this process: with several
//! instances behind a balancer each keeps its own (documented in the README).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures tolerated per (username, client) within the window.
pub const MAX_FAILURES_PER_ACCOUNT: usize = 5;
/// Failures tolerated per client address within the window, across usernames.
pub const MAX_FAILURES_PER_CLIENT: usize = 20;
/// The sliding window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Bound on tracked keys; past it, stale keys are pruned.
const MAX_KEYS: usize = 100_000;

#[derive(Clone, Default)]
pub struct LoginThrottle {
    failures: Arc<Mutex<HashMap<String, VecDeque<Instant>>>>,
}

impl LoginThrottle {
    fn keys(username: &str, client: &str) -> [(String, usize); 2] {
        [
            (
                format!("account:{client}:{}", username.to_lowercase()),
                MAX_FAILURES_PER_ACCOUNT,
            ),
            (format!("client:{client}"), MAX_FAILURES_PER_CLIENT),
        ]
    }

    /// `Some(seconds)` to wait when this attempt must be refused.
    pub fn retry_after(&self, username: &str, client: &str, now: Instant) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(username, client)
            .into_iter()
            .filter_map(|(key, max)| {
                let q = map.get_mut(&key)?;
                prune(q, now);
                (q.len() >= max).then(|| {
                    let oldest = q[q.len() - max];
                    WINDOW.saturating_sub(now - oldest).as_secs().max(1)
                })
            })
            .max()
    }

    pub fn record_failure(&self, username: &str, client: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, q| {
                prune(q, now);
                !q.is_empty()
            });
        }
        for (key, _) in Self::keys(username, client) {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// A correct login clears the account's counter for that client.
    pub fn record_success(&self, username: &str, client: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [(account, _), _] = Self::keys(username, client);
        map.remove(&account);
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_locks_that_account_for_that_client_only() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT - 1 {
            t.record_failure("alice", "10.0.0.1", now);
        }
        assert_eq!(t.retry_after("alice", "10.0.0.1", now), None);
        t.record_failure("alice", "10.0.0.1", now);
        let wait = t.retry_after("alice", "10.0.0.1", now).unwrap();
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert_eq!(t.retry_after("alice", "10.0.0.2", now), None);
        assert_eq!(t.retry_after("bob", "10.0.0.1", now), None);
    }

    #[test]
    fn failures_expire_after_the_window() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            t.record_failure("alice", "c", start);
        }
        assert!(t
            .retry_after("alice", "c", start + WINDOW - Duration::from_secs(1))
            .is_some());
        assert_eq!(t.retry_after("alice", "c", start + WINDOW), None);
    }

    #[test]
    fn one_client_trying_many_accounts_is_locked_too() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_FAILURES_PER_CLIENT {
            t.record_failure(&format!("user{i}"), "c", now);
        }
        assert!(t.retry_after("someone-else", "c", now).is_some());
        assert_eq!(t.retry_after("someone-else", "d", now), None);
    }
}

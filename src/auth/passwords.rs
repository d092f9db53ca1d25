//! argon2id password hashing. Verification of unknown usernames runs against a dummy hash so
//! that it costs the same time as a wrong password.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Hashes a password to a PHC string (`$argon2id$v=19$...`).
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// True when `password` matches the PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// A hash of a random password, computed once per process, to verify against when the
/// username is unknown.
pub fn dummy_hash() -> String {
    hash(&super::tokens::random_token()).unwrap_or_default()
}

/// Password checks cost a core for a while by design. The per-address throttle does not stop
/// a sign-in flood from many addresses, so this gate bounds it: at most `running` checks at
/// once (one core fewer than the machine has, at least one), at most `queued` more waiting;
/// the rest are turned away at once, and everything else keeps a core to itself.
pub struct CheckGate {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    queued: usize,
}

impl CheckGate {
    pub fn new(running: usize, queued: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(running.max(1))),
            waiting: AtomicUsize::new(0),
            queued,
        }
    }

    /// A slot to check one password in (held until the check ends, even if the client has
    /// gone), or `None` when the queue is full.
    pub async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Some(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queued {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let permit = self.slots.clone().acquire_owned().await.ok();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit
    }
}

impl Default for CheckGate {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let running = cores.saturating_sub(1).max(1);
        Self::new(running, 8 * running)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn the_gate_runs_its_slots_queues_a_few_and_turns_the_rest_away() {
        let gate = Arc::new(CheckGate::new(1, 1));
        let running = gate.enter().await.expect("a free slot");
        let waiter = {
            let gate = gate.clone();
            actix_web::rt::spawn(async move { gate.enter().await.is_some() })
        };
        actix_web::rt::task::yield_now().await;
        assert!(gate.enter().await.is_none(), "the queue of one is full");
        drop(running);
        assert!(waiter.await.unwrap(), "the waiter gets the freed slot");
        assert!(gate.enter().await.is_some());
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a phc string"));
    }
}

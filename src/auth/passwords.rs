//! argon2id password hashing. Verification of unknown usernames runs against a dummy hash so
//! that it costs the same time as a wrong password.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use tokio::sync::oneshot;

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

/// Password checks, off the request path. They cost a core for tens of milliseconds by design,
/// and the per-address throttle does not stop a sign-in flood from many addresses, so they run
/// on their own threads (one fewer than the machine's cores, at least one) at the lowest CPU
/// priority — reads get the CPU first — behind a short queue, and each thread rests after
/// every check (`REST_PER_CHECK`). A sign-in takes its `Place` before anything else (even the
/// account lookup): past the queue's room the answer is `None` at once (the caller answers 429).
pub struct Checker {
    jobs: SyncSender<Job>,
    room: Arc<AtomicUsize>,
}

/// A place in the queue, from before the account lookup until the check is answered.
pub struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

type Job = (Place, String, String, oneshot::Sender<bool>);

/// How long a checking thread rests after each check, in multiples of the time the check took:
/// 2 keeps the checks to a third of a core. A thread always ready to hash, even at the lowest
/// priority, stalled PostgreSQL's work during a sign-in flood (paced reads' p99 2.6 → 260 ms on
/// 2 cores); resting twice as long as it hashed brought that to 1.5× (bench/RESULTS.md). That
/// still checks some 12–25 sign-ins a second on such a machine, far above a bureau's needs.
pub const REST_PER_CHECK: u32 = 2;

impl Checker {
    /// `workers` threads resting `rest` times each check's time after it, room for `queued`
    /// checks waiting.
    pub fn start(workers: usize, queued: usize, rest: u32) -> Self {
        let workers = workers.max(1);
        // Room for every check queued or running: a job sent with a place always fits.
        let (jobs, inbox) = sync_channel::<Job>(queued + workers);
        let inbox = Arc::new(Mutex::new(inbox));
        for n in 0..workers {
            let inbox = inbox.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || work(&inbox, rest));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-check thread");
            }
        }
        Self {
            jobs,
            room: Arc::new(AtomicUsize::new(queued + workers)),
        }
    }

    /// A place in the queue; `None` when it is full.
    pub fn place(&self) -> Option<Place> {
        self.room
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |room| room.checked_sub(1))
            .ok()
            .map(|_| Place(self.room.clone()))
    }

    /// Whether `password` matches the PHC string, checked in `place`.
    pub async fn verify(&self, place: Place, password: String, phc: String) -> Option<bool> {
        let (answer, answered) = oneshot::channel();
        self.jobs.try_send((place, password, phc, answer)).ok()?;
        answered.await.ok()
    }
}

impl Default for Checker {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores.saturating_sub(1).max(1);
        Self::start(workers, 8 * workers, REST_PER_CHECK)
    }
}

/// One checking thread: lowest priority, then jobs until the `Checker` is dropped.
fn work(inbox: &Mutex<Receiver<Job>>, rest: u32) {
    lowest_priority();
    loop {
        let job = match inbox.lock() {
            Ok(inbox) => inbox.recv(),
            Err(_) => return,
        };
        let Ok((place, password, phc, answer)) = job else {
            return;
        };
        let started = Instant::now();
        let matches = verify(&password, &phc);
        let took = started.elapsed();
        // The place is free before the caller hears the answer.
        drop(place);
        // The caller may have gone; its answer is then dropped.
        let _ = answer.send(matches);
        std::thread::sleep(took * rest);
    }
}

/// Nice 19 for the calling thread (Linux: the priority is per thread).
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread's own id; no memory is shared.
        let outcome = unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, 19)
        };
        if outcome != 0 {
            tracing::warn!("could not lower the priority of a password-check thread");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn checks_run_on_their_own_threads_and_a_full_queue_is_refused_at_once() {
        let h = hash("correct horse battery").unwrap();
        let checker = Checker::start(1, 1, 0);
        let place = checker.place().unwrap();
        assert_eq!(
            checker.verify(place, "correct horse battery".into(), h.clone()).await,
            Some(true)
        );
        let place = checker.place().unwrap();
        assert_eq!(checker.verify(place, "wrong".into(), h.clone()).await, Some(false));
        // Room for one check running and one queued: a third place is refused until one is given back.
        let (first, second) = (checker.place().unwrap(), checker.place().unwrap());
        assert!(checker.place().is_none());
        drop(first);
        assert!(checker.place().is_some());
        drop(second);
        // Many sent at once: some are refused, the others answered.
        let checker = Arc::new(checker);
        let many: Vec<_> = (0..6)
            .map(|_| {
                let (checker, h) = (checker.clone(), h.clone());
                actix_web::rt::spawn(async move {
                    let place = checker.place()?;
                    checker.verify(place, "wrong".into(), h).await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for one in many {
            answers.push(one.await.unwrap());
        }
        assert!(answers.contains(&None), "{answers:?}");
        assert!(answers.contains(&Some(false)), "{answers:?}");
    }

    #[actix_web::test]
    async fn a_checking_thread_rests_after_each_check() {
        let h = hash("correct horse battery").unwrap();
        let quickest = || {
            (0..3)
                .map(|_| {
                    let started = Instant::now();
                    verify("wrong", &h);
                    started.elapsed()
                })
                .min()
                .unwrap()
        };
        let before = quickest();
        let checker = Arc::new(Checker::start(1, 3, 4));
        let started = Instant::now();
        let three: Vec<_> = (0..3)
            .map(|_| {
                let (checker, h) = (checker.clone(), h.clone());
                let place = checker.place().unwrap();
                actix_web::rt::spawn(async move { checker.verify(place, "wrong".into(), h).await })
            })
            .collect();
        for one in three {
            assert_eq!(one.await.unwrap(), Some(false));
        }
        let took = started.elapsed();
        // Three checks and the two rests between them (4 × each check) take some 11 checks'
        // time, without rests some 3. The bound is 6 of the quickest check seen here, before
        // or after: other tests load the machine, so a check measured here may be slower than
        // one on the checking thread by more than a little.
        let check = before.min(quickest());
        assert!(took >= check * 6, "{took:?} for three checks of at least {check:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_checking_thread_runs_at_the_lowest_priority() {
        let nice = std::thread::spawn(|| {
            lowest_priority();
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            // Field 19 (nice) counts from the first field after the parenthesised name.
            let after = &stat[stat.rfind(')').unwrap() + 2..];
            after.split(' ').nth(16).unwrap().to_owned()
        })
        .join()
        .unwrap();
        assert_eq!(nice, "19");
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

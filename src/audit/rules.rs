//! The chain itself, pure: `hash = SHA-256(prev_hash ‖ canonical entry)`.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// The hash that the first entry links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in account.
    User(i64),
    /// The service itself or an operator's command (`demo-seed`, `cli`).
    System(&'static str),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{id}"),
            Self::System(what) => write!(f, "system:{what}"),
        }
    }
}

/// The fields of an entry that its hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub change: String,
    pub change_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One line per field, so no field can bleed into the next.
fn canonical(e: &Entry) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}",
        e.seq,
        e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.change_digest
    )
}

/// The hash an entry must carry, given the hash it links to.
pub fn entry_hash(prev_hash: &str, e: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(e).as_bytes());
    hex::encode(h.finalize())
}

/// Fills in digest, link and hash of a new entry that follows `prev` (`None` for the first).
pub fn seal(mut e: Entry, prev: Option<(i64, String)>) -> Entry {
    let (prev_seq, prev_hash) = prev.unwrap_or((0, GENESIS.to_owned()));
    e.seq = prev_seq + 1;
    e.change_digest = sha256_hex(e.change.as_bytes());
    e.prev_hash = prev_hash;
    e.hash = entry_hash(&e.prev_hash, &e);
    e
}

/// Why the chain breaks at an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Break {
    /// A sequence number is missing or repeated: an entry was removed or inserted.
    Sequence { expected: i64 },
    /// The entry does not link to the hash of the one before it.
    Link,
    /// The stored change no longer matches its digest.
    Digest,
    /// The entry's content no longer matches its hash.
    Hash,
}

/// Checks `e` as the successor of `prev` (`None`: `e` must be the first entry).
pub fn check(prev: Option<(i64, &str)>, e: &Entry) -> Result<(), Break> {
    let (prev_seq, prev_hash) = prev.unwrap_or((0, GENESIS));
    if e.seq != prev_seq + 1 {
        return Err(Break::Sequence { expected: prev_seq + 1 });
    }
    if e.prev_hash != prev_hash {
        return Err(Break::Link);
    }
    if e.change_digest != sha256_hex(e.change.as_bytes()) {
        return Err(Break::Digest);
    }
    if e.hash != entry_hash(&e.prev_hash, e) {
        return Err(Break::Hash);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> Entry {
        Entry {
            seq: 0,
            at: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_000)
                .unwrap()
                .naive_utc(),
            actor: "user:1".into(),
            action: action.into(),
            entity: "department".into(),
            entity_id: "1".into(),
            change: r#"{"name":"综合处"}"#.into(),
            change_digest: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn chain(n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.seq, e.hash.clone()));
            out.push(seal(entry(&format!("a{i}")), prev));
        }
        out
    }

    fn first_bad(entries: &[Entry]) -> Option<i64> {
        let mut prev: Option<(i64, &str)> = None;
        for e in entries {
            if let Err(b) = check(prev, e) {
                return Some(match b {
                    Break::Sequence { expected } => expected.min(e.seq),
                    _ => e.seq,
                });
            }
            prev = Some((e.seq, &e.hash));
        }
        None
    }

    #[test]
    fn a_sealed_chain_verifies() {
        let c = chain(5);
        assert_eq!(c[0].prev_hash, GENESIS);
        assert_eq!(c[4].seq, 5);
        assert_eq!(first_bad(&c), None);
    }

    #[test]
    fn any_edit_is_found_at_its_entry() {
        let mut c = chain(5);
        c[2].action = "forged".into();
        assert_eq!(first_bad(&c), Some(3));
        let mut c = chain(5);
        c[1].change = "{}".into();
        assert_eq!(first_bad(&c), Some(2));
    }

    proptest::proptest! {
        /// Whatever single field of whichever entry is changed, the check names that entry.
        #[test]
        fn any_single_edit_is_named(len in 1usize..12, pick in 0usize..12, field in 0usize..6, text in "[a-z0-9]{1,8}") {
            let mut c = chain(len);
            let i = pick % len;
            let e = &mut c[i];
            let edit = |v: &mut String| v.push_str(&text);
            match field {
                0 => edit(&mut e.actor),
                1 => edit(&mut e.action),
                2 => edit(&mut e.entity_id),
                3 => edit(&mut e.change),
                4 => edit(&mut e.change_digest),
                _ => e.at += chrono::TimeDelta::microseconds(1),
            }
            proptest::prop_assert_eq!(first_bad(&c), Some(i as i64 + 1));
        }
    }

    #[test]
    fn removal_and_swap_are_found() {
        let mut c = chain(5);
        c.remove(2);
        assert_eq!(first_bad(&c), Some(3));
        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(first_bad(&c), Some(2));
    }
}

//! Signing deliveries, and when to try again.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `X-Safeguards-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub const SIGNATURE_HEADER: &str = "x-safeguards-signature";
pub const EVENT_HEADER: &str = "x-safeguards-event";
pub const DELIVERY_HEADER: &str = "x-safeguards-delivery";

/// The hex HMAC-SHA256 of `"{timestamp}.{body}"` under the subscription's secret.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

/// How deliveries are retried.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The first retry waits about this long; each further one twice as long.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A subscription is disabled after this many failures in a row.
    pub max_failures: u32,
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(3600),
            max_failures: 10,
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(1),
        }
    }
}

/// The wait after the `failures`-th failure in a row: `base · 2^(failures-1)`, capped, then
/// scaled by `jitter` ∈ [0, 1) into its upper half so that receivers coming back are not hit
/// by every sender at once.
pub fn backoff(s: &Settings, failures: u32, jitter: f64) -> Duration {
    let exp = s
        .base_delay
        .saturating_mul(1u32.checked_shl(failures.saturating_sub(1).min(30)).unwrap_or(u32::MAX));
    let capped = exp.min(s.max_delay);
    capped.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_signature() {
        // HMAC-SHA256("key", "1.{}") computed independently with Python's hmac module.
        assert_eq!(
            sign("key", 1, b"{}"),
            "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        assert_eq!(
            signature_header("key", 1, b"{}"),
            format!("t=1,v1={}", sign("key", 1, b"{}"))
        );
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_in_the_upper_half() {
        let s = Settings::default();
        assert!(backoff(&s, 1, 0.999) < Duration::from_secs(2), "just under 2 s");
        assert_eq!(backoff(&s, 1, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(&s, 3, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(&s, 40, 0.0), Duration::from_secs(1800));
        assert!(backoff(&s, 2, 0.999) < Duration::from_secs(4));
    }
}

//! Signing deliveries, when to try again, and where deliveries may not go.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hmac::{Hmac, Mac};
use ipnet::IpNet;
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
    pub destinations: Destinations,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(3600),
            max_failures: 10,
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            destinations: Destinations::default(),
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

/// Instance metadata services outside the link-local range: Alibaba Cloud's, and AWS's IPv6
/// one. (AWS's, Huawei Cloud's, Tencent Cloud's and Azure's IPv4 ones are link-local.)
const METADATA: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// Why deliveries may not go to `ip`, if they may not: a cloud instance's metadata service
/// hands out the machine's credentials to whoever asks from it, and an address that names no
/// single host is no receiver. Loopback and private addresses stay allowed: the legal office's
/// receivers are on private networks.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    let ip = ip.to_canonical();
    let link_local = match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_unicast_link_local(),
    };
    let no_single_host = match ip {
        IpAddr::V4(v4) => v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast(),
        IpAddr::V6(v6) => v6.is_unspecified() || v6.is_multicast(),
    };
    if link_local {
        Some("a link-local address, where cloud metadata services answer")
    } else if METADATA.contains(&ip) {
        Some("a cloud metadata service")
    } else if no_single_host {
        Some("an address of no single host")
    } else {
        None
    }
}

/// What a refused address is told, wherever it is refused (subscribing, delivering, resolving).
pub fn refusal(why: &str) -> String {
    format!("deliveries may not go to {why}")
}

/// Where deliveries may go: any address but the `forbidden` ones or, where the operator lists
/// networks (`SAFEGUARDS_WEBHOOK_NETWORKS`), only addresses within them, so that a subscriber
/// cannot make the service POST to a host inside the bureau's network it was not meant to reach.
#[derive(Clone, Debug, Default)]
pub struct Destinations {
    /// Empty: no list, any address not forbidden.
    networks: Vec<IpNet>,
}

impl Destinations {
    pub fn within(networks: Vec<IpNet>) -> Self {
        Self { networks }
    }

    /// Why deliveries may not go to `ip`, if they may not.
    pub fn refused(&self, ip: IpAddr) -> Option<String> {
        if let Some(why) = forbidden(ip) {
            return Some(refusal(why));
        }
        let ip = ip.to_canonical();
        let listed = self.networks.is_empty() || self.networks.iter().any(|n| n.contains(&ip));
        (!listed).then(|| {
            refusal(&format!(
                "{ip}, outside the networks listed in SAFEGUARDS_WEBHOOK_NETWORKS"
            ))
        })
    }

    /// Why deliveries may not go to `url`, when its host is an IP address they may not go to
    /// (in any form a URL may write it: `0xa9.0xfe.0xa9.0xfe` is 169.254.169.254). Names are
    /// checked once resolved, by the delivering client.
    pub fn refused_url(&self, url: &url::Url) -> Option<String> {
        match url.host()? {
            url::Host::Ipv4(v4) => self.refused(IpAddr::V4(v4)),
            url::Host::Ipv6(v6) => self.refused(IpAddr::V6(v6)),
            url::Host::Domain(_) => None,
        }
    }

    /// The resolved addresses deliveries may go to; when there is none, why.
    pub fn allowed(&self, found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, String> {
        let (allowed, refused): (Vec<_>, Vec<_>) = found.into_iter().partition(|a| self.refused(a.ip()).is_none());
        match (allowed.is_empty(), refused.first()) {
            (false, _) => Ok(allowed),
            (true, Some(a)) => Err(self.refused(a.ip()).unwrap_or_default()),
            (true, None) => Err("the name resolves to no address".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_services_and_addresses_of_no_single_host_are_forbidden() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for (address, why) in [
            ("169.254.169.254", "link-local"),
            ("169.254.0.23", "link-local"),
            ("fe80::1", "link-local"),
            ("::ffff:169.254.169.254", "link-local"),
            ("100.100.100.200", "metadata"),
            ("fd00:ec2::254", "metadata"),
            ("0.0.0.0", "no single host"),
            ("255.255.255.255", "no single host"),
            ("224.0.0.1", "no single host"),
            ("::", "no single host"),
            ("ff02::1", "no single host"),
        ] {
            let reason = forbidden(ip(address)).unwrap_or_else(|| panic!("{address} allowed"));
            assert!(reason.contains(why), "{address}: {reason}");
        }
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.20",
            "172.16.0.9",
            "100.100.100.201",
            "::1",
            "fd00::1",
            "203.0.113.7",
        ] {
            assert_eq!(forbidden(ip(address)), None, "{address}");
        }
    }

    #[test]
    fn a_url_is_judged_by_the_address_it_writes_in_any_form() {
        let anywhere = Destinations::default();
        let judged = |s: &str| anywhere.refused_url(&url::Url::parse(s).unwrap());
        assert!(judged("http://0xa9.0xfe.0xa9.0xfe/latest").is_some());
        assert!(judged("http://2852039166/").is_some());
        assert!(judged("http://[::ffff:a9fe:a9fe]/").is_some());
        assert!(judged("https://100.100.100.200/latest/meta-data").is_some());
        assert_eq!(judged("http://127.0.0.1:8080/hook"), None);
        assert_eq!(judged("https://fzb.example.gov.cn/hooks"), None);
    }

    #[test]
    fn resolved_addresses_are_kept_only_where_deliveries_may_go() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        let anywhere = Destinations::default();
        assert_eq!(
            anywhere.allowed(vec![at("169.254.169.254:80"), at("10.0.0.5:80")]),
            Ok(vec![at("10.0.0.5:80")])
        );
        let refused = anywhere.allowed(vec![at("169.254.169.254:80")]).unwrap_err();
        assert!(refused.contains("link-local"), "{refused}");
        assert!(anywhere.allowed(Vec::new()).is_err());
    }

    #[test]
    fn listed_networks_are_the_only_destinations_and_never_a_forbidden_one() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        let net = |s: &str| s.parse::<IpNet>().unwrap();
        let listed = Destinations::within(vec![net("10.20.0.0/16"), net("203.0.113.7/32"), net("169.254.0.0/16")]);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(listed.refused(ip("10.20.3.4")), None);
        assert_eq!(listed.refused(ip("203.0.113.7")), None);
        assert_eq!(listed.refused(ip("::ffff:10.20.3.4")), None, "IPv4-mapped");
        for outside in ["10.21.0.1", "203.0.113.8", "127.0.0.1", "::1"] {
            let why = listed
                .refused(ip(outside))
                .unwrap_or_else(|| panic!("{outside} allowed"));
            assert!(why.contains("SAFEGUARDS_WEBHOOK_NETWORKS"), "{why}");
        }
        let metadata = listed.refused(ip("169.254.169.254")).unwrap();
        assert!(
            metadata.contains("link-local"),
            "listing it does not open it: {metadata}"
        );
        assert_eq!(
            listed.allowed(vec![at("127.0.0.1:80"), at("10.20.0.9:443")]),
            Ok(vec![at("10.20.0.9:443")])
        );
        let url = url::Url::parse("http://127.0.0.1:9000/hook").unwrap();
        assert!(listed.refused_url(&url).is_some());
    }

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

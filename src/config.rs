//! Configuration from the environment, validated once at start.
//!
//! Every problem is reported as one line naming the variable; `main` exits with code 2.

use std::net::SocketAddr;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The validated configuration of one process.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub jwt_secret: JwtSecret,
    pub log_format: LogFormat,
    pub pool_size: u32,
    /// The prefix of supervision document numbers (SUP-10).
    pub document_prefix: String,
    /// The only networks webhook deliveries may go to; empty: any address not forbidden.
    pub webhook_networks: Vec<ipnet::IpNet>,
}

/// The HS256 signing secret; never printed by `Debug`.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    pub const MIN_LEN: usize = 32;

    pub fn new(bytes: Vec<u8>) -> Result<Self, ConfigError> {
        if bytes.len() < Self::MIN_LEN {
            return Err(ConfigError::new(
                "SAFEGUARDS_JWT_SECRET",
                format!("must be at least {} bytes long", Self::MIN_LEN),
            ));
        }
        Ok(Self(bytes))
    }

    /// A fresh random secret, for `serve --demo` and tests.
    pub fn generate() -> Self {
        Self(crate::auth::tokens::random_token().into_bytes())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(..)")
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {variable} {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self {
            variable,
            message: message.into(),
        }
    }
}

/// `SAFEGUARDS_WEBHOOK_NETWORKS`: comma-separated networks (`10.20.0.0/16`) or addresses.
fn networks(value: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let parsed: Result<Vec<ipnet::IpNet>, _> = value
        .split(',')
        .map(str::trim)
        .map(|n| {
            n.parse()
                .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        })
        .collect();
    match parsed {
        Ok(list) if !list.is_empty() => Ok(list),
        _ => Err(ConfigError::new(
            "SAFEGUARDS_WEBHOOK_NETWORKS",
            "must list networks or addresses separated by commas, like 10.20.0.0/16,192.0.2.7",
        )),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/safeguards.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DOCUMENT_PREFIX: &str = "高新安监督";
const DEFAULT_POOL_SIZE: u32 = 10;

/// Where the JWT secret comes from when the environment has none.
pub enum SecretSource {
    /// Required from the environment.
    Environment,
    /// Generated for this process (`serve --demo`).
    GenerateIfMissing,
}

impl Config {
    /// Reads and validates the environment through `lookup` (so tests need not touch the
    /// process environment).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        secret_source: SecretSource,
    ) -> Result<(Self, bool), ConfigError> {
        let database_url = lookup("SAFEGUARDS_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        crate::db::Backend::from_url(&database_url).map_err(|m| ConfigError::new("SAFEGUARDS_DATABASE_URL", m))?;
        let bind = lookup("SAFEGUARDS_BIND")
            .unwrap_or_else(|| DEFAULT_BIND.into())
            .parse()
            .map_err(|_| ConfigError::new("SAFEGUARDS_BIND", "must be an address like 127.0.0.1:8080"))?;
        let log_format = match lookup("SAFEGUARDS_LOG").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(ConfigError::new("SAFEGUARDS_LOG", "must be `pretty` or `json`")),
        };
        let pool_size = match lookup("SAFEGUARDS_POOL_SIZE") {
            None => DEFAULT_POOL_SIZE,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| ConfigError::new("SAFEGUARDS_POOL_SIZE", "must be a whole number from 1 to 256"))?,
        };
        let document_prefix = lookup("SAFEGUARDS_DOCUMENT_PREFIX").unwrap_or_else(|| DEFAULT_DOCUMENT_PREFIX.into());
        let n = document_prefix.chars().count();
        if n == 0 || n > 32 || document_prefix.chars().any(char::is_control) {
            return Err(ConfigError::new(
                "SAFEGUARDS_DOCUMENT_PREFIX",
                "must be 1 to 32 printable characters",
            ));
        }
        let webhook_networks = match lookup("SAFEGUARDS_WEBHOOK_NETWORKS") {
            None => Vec::new(),
            Some(v) => networks(&v)?,
        };
        let (jwt_secret, generated) = match (lookup("SAFEGUARDS_JWT_SECRET"), secret_source) {
            (Some(s), _) => (JwtSecret::new(s.into_bytes())?, false),
            (None, SecretSource::GenerateIfMissing) => (JwtSecret::generate(), true),
            (None, SecretSource::Environment) => {
                return Err(ConfigError::new(
                    "SAFEGUARDS_JWT_SECRET",
                    "is required (at least 32 bytes); only `serve --demo` generates one",
                ))
            }
        };
        Ok((
            Self {
                database_url,
                bind,
                jwt_secret,
                log_format,
                pool_size,
                document_prefix,
                webhook_networks,
            },
            generated,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)], source: SecretSource) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()), source).map(|(c, _)| c)
    }

    #[test]
    fn defaults_apply_when_the_environment_is_empty_in_demo_mode() {
        let c = read(&[], SecretSource::GenerateIfMissing).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind.to_string(), DEFAULT_BIND);
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(c.jwt_secret.as_bytes().len() >= JwtSecret::MIN_LEN);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let secret = ("SAFEGUARDS_JWT_SECRET", "0123456789abcdef0123456789abcdef");
        for (var, value) in [
            ("SAFEGUARDS_DATABASE_URL", "mysql://x"),
            ("SAFEGUARDS_BIND", "nowhere"),
            ("SAFEGUARDS_LOG", "xml"),
            ("SAFEGUARDS_POOL_SIZE", "0"),
            ("SAFEGUARDS_JWT_SECRET", "short"),
            ("SAFEGUARDS_DOCUMENT_PREFIX", ""),
            ("SAFEGUARDS_WEBHOOK_NETWORKS", "10.0.0.0/33"),
            ("SAFEGUARDS_WEBHOOK_NETWORKS", "10.0.0.0/8,,"),
            ("SAFEGUARDS_WEBHOOK_NETWORKS", "intranet"),
        ] {
            let vars = if var == secret.0 {
                vec![(var, value)]
            } else {
                vec![secret, (var, value)]
            };
            let err = read(&vars, SecretSource::Environment).unwrap_err();
            assert_eq!(err.variable, var);
        }
    }

    #[test]
    fn webhook_networks_take_networks_and_single_addresses() {
        let c = read(&[], SecretSource::GenerateIfMissing).unwrap();
        assert!(c.webhook_networks.is_empty(), "no list: any address not forbidden");
        let vars = [("SAFEGUARDS_WEBHOOK_NETWORKS", "10.20.0.0/16, 192.0.2.7,fd00:1::/64")];
        let c = read(&vars, SecretSource::GenerateIfMissing).unwrap();
        let listed: Vec<String> = c.webhook_networks.iter().map(ToString::to_string).collect();
        assert_eq!(listed, ["10.20.0.0/16", "192.0.2.7/32", "fd00:1::/64"]);
    }

    #[test]
    fn the_secret_is_required_outside_demo_mode() {
        let err = read(&[], SecretSource::Environment).unwrap_err();
        assert_eq!(err.variable, "SAFEGUARDS_JWT_SECRET");
    }
}

//! Access tokens (HS256 JWT, algorithm pinned) and opaque refresh tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Role;
use crate::config::JwtSecret;

pub const ISSUER: &str = "safeguards";
pub const AUDIENCE: &str = "safeguards-api";
/// Access tokens live 15 minutes.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Refresh tokens live 14 days (each use rotates them).
pub const REFRESH_TTL_SECS: i64 = 14 * 24 * 3600;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The login session (refresh-token family) this token belongs to.
    pub sid: i64,
    /// A service account's scopes, space-separated (for the client's information: every
    /// request checks the scopes stored now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl Claims {
    pub fn new(user_id: i64, role: Role, department_id: Option<i64>, session_id: i64, now: DateTime<Utc>) -> Self {
        let iat = now.timestamp();
        Self {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.to_string(),
            role,
            department_id,
            iat,
            nbf: iat,
            exp: iat + ACCESS_TTL_SECS,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session_id,
            scope: None,
        }
    }
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Tokens whose signature and claims already checked out: a client sends the same token
    /// with every request for 15 minutes, and decoding it again was a tenth of a cached
    /// read's time. Only the clock can turn such a token invalid, and it is checked each time.
    verified: Arc<Mutex<HashMap<String, Claims>>>,
}

/// Verified tokens kept at most; past it the memory starts over.
const VERIFIED_CAPACITY: usize = 4096;

impl TokenKeys {
    pub fn new(secret: &JwtSecret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            verified: Arc::default(),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// The claims of a valid token; the reason it is not valid otherwise.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(claims) = verified.get(token) {
            if Utc::now().timestamp() <= claims.exp + LEEWAY_SECS as i64 {
                return Ok(claims.clone());
            }
            verified.remove(token);
        }
        drop(verified);
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| e.to_string())?;
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        if verified.len() >= VERIFIED_CAPACITY {
            verified.clear();
        }
        verified.insert(token.to_owned(), claims.clone());
        Ok(claims)
    }
}

/// 256 random bits, hex-encoded: refresh tokens and generated secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Refresh tokens are stored only as their SHA-256.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&JwtSecret::generate())
    }

    #[test]
    fn a_signed_token_verifies_with_its_claims() {
        let keys = keys();
        let claims = Claims::new(7, Role::Staff, Some(2), 9, Utc::now());
        let token = keys.sign(&claims).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims);
    }

    #[test]
    fn a_token_verified_before_is_refused_once_it_expires() {
        let keys = keys();
        let mut claims = Claims::new(7, Role::Staff, Some(2), 9, Utc::now());
        claims.exp = Utc::now().timestamp() + 1;
        let token = keys.sign(&claims).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims);
        assert_eq!(keys.verify(&token).unwrap(), claims, "from memory");
        std::thread::sleep(std::time::Duration::from_secs(LEEWAY_SECS + 2));
        assert!(keys.verify(&token).unwrap_err().contains("Expired"));
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn another_secret_refuses_the_token() {
        let token = keys().sign(&Claims::new(7, Role::Staff, None, 1, Utc::now())).unwrap();
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn random_tokens_differ_and_digest_is_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
        assert_eq!(digest("x"), digest("x"));
    }
}

//! Optimistic concurrency: `ETag` on reads, `If-Match` required on updates.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AppError;

/// The strong ETag of a representation: a digest of its JSON.
pub fn of(representation: &impl Serialize) -> String {
    let json = serde_json::to_vec(representation).unwrap_or_default();
    format!("\"{}\"", &hex::encode(Sha256::digest(&json))[..32])
}

/// The request's `If-Match` header, if any.
#[derive(Clone, Debug)]
pub struct IfMatch(Option<String>);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().map(str::to_owned));
        ready(match value {
            None => Ok(Self(None)),
            Some(Ok(v)) => Ok(Self(Some(v))),
            Some(Err(_)) => Err(AppError::BadRequest("the If-Match header is not readable".into())),
        })
    }
}

impl IfMatch {
    /// 428 without the header, 412 unless it names `current` (or is `*`).
    pub fn check(&self, current: &str) -> Result<(), AppError> {
        let value = self.0.as_deref().ok_or(AppError::PreconditionRequired)?;
        let matches = value.split(',').map(str::trim).any(|tag| tag == "*" || tag == current);
        if matches {
            Ok(())
        } else {
            Err(AppError::PreconditionFailed)
        }
    }
}

/// A JSON response carrying the representation's ETag.
pub fn json_with_etag(status: actix_web::http::StatusCode, body: &impl Serialize) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((header::ETAG, of(body)))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_the_current_tag_or_star_only() {
        let tag = of(&serde_json::json!({"a": 1}));
        assert!(IfMatch(Some(tag.clone())).check(&tag).is_ok());
        assert!(IfMatch(Some(format!("\"x\", {tag}"))).check(&tag).is_ok());
        assert!(IfMatch(Some("*".into())).check(&tag).is_ok());
        assert!(matches!(
            IfMatch(Some("\"stale\"".into())).check(&tag),
            Err(AppError::PreconditionFailed)
        ));
        assert!(matches!(
            IfMatch(Some(format!("W/{tag}"))).check(&tag),
            Err(AppError::PreconditionFailed)
        ));
        assert!(matches!(IfMatch(None).check(&tag), Err(AppError::PreconditionRequired)));
    }
}

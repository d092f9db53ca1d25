//! Request extractors whose failures wait for the handler, so that authorisation always
//! answers first: no token 401, wrong role 403, and only then a malformed body, query or
//! path 400. (actix polls a handler's extractors together; a body that fails to parse would
//! otherwise beat the `Caller`, which waits for the database.)

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::AppError;

/// The outcome of the inner extractor `T`, to be taken with `get()` after the `Caller`.
pub struct Checked<T>(Result<T, AppError>);

impl<T> Checked<T> {
    pub fn get(self) -> Result<T, AppError> {
        self.0
    }
}

fn app_error(e: actix_web::Error) -> AppError {
    // Our extractor configs turn every failure into an `AppError`; anything else is a 400.
    e.as_error::<AppError>()
        .cloned()
        .unwrap_or_else(|| AppError::BadRequest(e.to_string()))
}

impl<T> FromRequest for Checked<T>
where
    T: FromRequest + 'static,
    T::Error: Into<actix_web::Error>,
{
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let inner = T::from_request(req, payload);
        Box::pin(async move { Ok(Checked(inner.await.map_err(|e| app_error(e.into())))) })
    }
}

/// A JSON body, checked after authorisation.
pub type Json<T> = Checked<web::Json<T>>;
/// Path parameters, checked after authorisation.
pub type Path<T> = Checked<web::Path<T>>;
/// Query parameters, checked after authorisation.
pub type Query<T> = Checked<web::Query<T>>;

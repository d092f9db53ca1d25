//! Request extractors whose failures wait for the handler, so that authorisation always
//! answers first: no token 401, wrong role 403, and only then a malformed body, query or
//! path 400. (actix polls a handler's extractors together; a body that fails to parse would
//! otherwise beat the `Caller`, which waits for the database.)

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::validate::{is_stray_control, Check};
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

/// A JSON body, checked after authorisation, whose strings hold no control characters
/// other than tab and line breaks (PostgreSQL cannot store NUL; the rest is invisible).
pub type Json<T> = Checked<CleanJson<T>>;

/// A JSON body parsed first as a `Value`, so that every string in it is checked, with the
/// path of each offending one named, before it becomes a `T`.
pub struct CleanJson<T>(T);

impl<T> CleanJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for CleanJson<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CleanJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await.map_err(app_error)?.into_inner();
            let mut check = Check::default();
            refuse_control_characters(&value, &mut String::new(), &mut check);
            check.finish()?;
            T::deserialize(super::strict::Strict(value))
                .map(CleanJson)
                .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))
        })
    }
}

/// Walks `value`, failing each string (or object key) with a forbidden character at its
/// JSON path (`items[2].note`).
fn refuse_control_characters(value: &Value, path: &mut String, check: &mut Check) {
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(s) if s.chars().any(is_stray_control) => check.fail(
            &field(path),
            "must not contain control characters other than tab and line breaks",
        ),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            refuse_control_characters(item, path, check);
            path.truncate(len);
        }),
        Value::Object(map) => map.iter().for_each(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            if key.chars().any(is_stray_control) {
                check.fail(&field(path), "a key must not contain control characters");
            }
            refuse_control_characters(item, path, check);
            path.truncate(len);
        }),
        _ => {}
    }
}
/// Path parameters, checked after authorisation.
pub type Path<T> = Checked<web::Path<T>>;
/// Query parameters, checked after authorisation; no value holds a control character.
pub type Query<T> = Checked<CleanQuery<T>>;

/// Query parameters whose decoded values are checked for control characters (a NUL would
/// reach PostgreSQL as a bound text and fail there) before they become a `T`.
pub struct CleanQuery<T>(web::Query<T>);

impl<T> CleanQuery<T> {
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CleanQuery<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string());
        if let Ok(pairs) = pairs {
            if let Some((name, _)) = pairs.iter().find(|(_, v)| v.chars().any(char::is_control)) {
                return std::future::ready(Err(AppError::BadRequest(format!(
                    "invalid query string: {name} must not contain control characters"
                ))));
            }
        }
        let inner = web::Query::<T>::from_request(req, payload).into_inner();
        std::future::ready(inner.map(CleanQuery).map_err(app_error))
    }
}

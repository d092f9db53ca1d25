//! Keyset pagination: `?limit=&after=`, and `{items, next}` on every list.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// The query of a list that takes nothing but its page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Result<PageRequest, AppError> {
        PageRequest::parse(self.limit, self.after.as_deref())
    }
}

/// A validated page request: up to `limit` items whose key is greater than `after`.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<i64>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, after: Option<&str>) -> Result<Self, AppError> {
        // An export (`?format=csv`) takes pages of up to EXPORT_PAGE rows.
        let (default, max) = if super::export::exporting() {
            (super::export::EXPORT_PAGE, super::export::EXPORT_PAGE)
        } else {
            (DEFAULT_LIMIT, MAX_LIMIT)
        };
        let limit = limit.unwrap_or(default);
        if !(1..=max).contains(&limit) {
            return Err(AppError::BadRequest(format!("limit must be from 1 to {max}")));
        }
        let after = after
            .map(|c| {
                c.parse::<i64>()
                    .map_err(|_| AppError::BadRequest("after is not a cursor returned by this list".into()))
            })
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// How many rows to fetch: one more than the page, to learn whether a next page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// Builds the page from up to `limit + 1` rows ordered by `key`.
    pub fn from_rows(mut rows: Vec<T>, req: PageRequest, key: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() as i64 > req.limit;
        rows.truncate(req.limit as usize);
        let next = if more {
            rows.last().map(|r| key(r).to_string())
        } else {
            None
        };
        Self { items: rows, next }
    }
}

//! Storage of rule-set versions and of the working-day calendar.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::calendar::{self, Calendar, DayKind};
use super::ruleset::{self, RuleValues, RuleVersion};
use crate::audit::{self, Actor};
use crate::db::schema::calendar_days::dsl as cd;
use crate::db::schema::calendar_years::dsl as cy;
use crate::db::schema::rule_revision::dsl as rr;
use crate::db::schema::rule_versions::dsl as rv;
use crate::db::{DbConn, StoreError};

/// A stored version with when and by whom it was made.
#[derive(Clone, Debug)]
pub struct StoredVersion {
    pub rule: RuleVersion,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl AsRef<RuleVersion> for StoredVersion {
    fn as_ref(&self) -> &RuleVersion {
        &self.rule
    }
}

type VersionRow = (i64, NaiveDate, String, Option<i64>, NaiveDateTime);

fn parse(row: VersionRow) -> Result<StoredVersion, StoreError> {
    let values: RuleValues = serde_json::from_str(&row.2)
        .map_err(|e| StoreError::Other(format!("rule version {} unreadable: {e}", row.0)))?;
    Ok(StoredVersion {
        rule: RuleVersion {
            version: row.0,
            effective_from: row.1,
            values,
        },
        created_by: row.3,
        created_at: row.4,
    })
}

const COLUMNS: (
    rv::version,
    rv::effective_from,
    rv::rule_values,
    rv::created_by,
    rv::created_at,
) = (
    rv::version,
    rv::effective_from,
    rv::rule_values,
    rv::created_by,
    rv::created_at,
);

/// Every version, oldest first.
pub fn versions(conn: &mut DbConn) -> Result<Vec<StoredVersion>, StoreError> {
    let rows: Vec<VersionRow> = rv::rule_versions.select(COLUMNS).order(rv::version.asc()).load(conn)?;
    rows.into_iter().map(parse).collect()
}

/// Every rule version and the whole calendar as of one revision tag of the database.
pub struct RuleBook {
    tag: String,
    pub versions: Vec<StoredVersion>,
    pub calendar: Calendar,
}

impl RuleBook {
    /// The version in force on `on`.
    pub fn in_force(&self, on: NaiveDate) -> Result<&StoredVersion, StoreError> {
        ruleset::in_force(&self.versions, on).ok_or(StoreError::NotFound)
    }

    /// Counts `n` working days after `from`.
    pub fn due_date(&self, from: NaiveDate, n: u32) -> calendar::DueDate {
        calendar::add_working_days(&self.calendar, from, n)
    }

    /// A deadline of working days after `from`, as many as `days` reads from the rules in
    /// force on `from`.
    pub fn deadline(&self, from: NaiveDate, days: impl FnOnce(&RuleValues) -> u32) -> Result<Deadline, StoreError> {
        let rule = &self.in_force(from)?.rule;
        let due = self.due_date(from, days(&rule.values));
        Ok(Deadline {
            due_on: due.due_on,
            rule_version: rule.version,
            years_without_schedule: due.years_without_schedule,
        })
    }
}

/// A deadline as counted, with the rule version that set its length.
pub struct Deadline {
    pub due_on: NaiveDate,
    pub rule_version: i64,
    /// Years the count crossed with no holiday schedule loaded.
    pub years_without_schedule: Vec<i32>,
}

/// The book this process read last. The tag is renewed at random by triggers on every change
/// (by this process, another or by hand), so a kept book is good exactly while the database
/// shows its tag, and never for another database.
static BOOK: Mutex<Option<Arc<RuleBook>>> = Mutex::new(None);

fn revision(conn: &mut DbConn) -> Result<String, StoreError> {
    Ok(crate::native!(conn, |c| rr::rule_revision
        .find(1)
        .select(rr::tag)
        .first(c))?)
}

/// The rule set and calendar as `conn` sees them: one keyed read while they stay unchanged,
/// where reading them costs three queries and a JSON parse per deadline.
pub fn book(conn: &mut DbConn) -> Result<Arc<RuleBook>, StoreError> {
    let tag = revision(conn)?;
    let kept = BOOK.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(book) = kept.filter(|b| b.tag == tag) {
        return Ok(book);
    }
    let book = Arc::new(RuleBook {
        versions: versions(conn)?,
        calendar: whole_calendar(conn)?,
        tag,
    });
    // On PostgreSQL each statement sees the latest commit: keep the book only if no change
    // came between reading the tag and reading the book.
    if revision(conn)? == book.tag {
        *BOOK.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&book));
    }
    Ok(book)
}

/// The version in force on `on`.
pub fn in_force(conn: &mut DbConn, on: NaiveDate) -> Result<StoredVersion, StoreError> {
    book(conn)?.in_force(on).cloned()
}

/// Stores a new version (the caller has validated it); returns its number.
pub fn create(
    conn: &mut DbConn,
    effective_from: NaiveDate,
    values: &RuleValues,
    by: Option<i64>,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let last: Option<i64> = rv::rule_versions.select(diesel::dsl::max(rv::version)).first(conn)?;
    let version = last.unwrap_or(0) + 1;
    let json = serde_json::to_string(values).map_err(|e| StoreError::Other(e.to_string()))?;
    diesel::insert_into(rv::rule_versions)
        .values((
            rv::version.eq(version),
            rv::effective_from.eq(effective_from),
            rv::rule_values.eq(json),
            rv::created_by.eq(by),
            rv::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Every listed day of every year with a schedule.
fn whole_calendar(conn: &mut DbConn) -> Result<Calendar, StoreError> {
    let days: Vec<(NaiveDate, DayKind)> = cd::calendar_days.select((cd::day, cd::kind)).load(conn)?;
    let years: Vec<i32> = cy::calendar_years.select(cy::year).load(conn)?;
    Ok(Calendar {
        days: days.into_iter().collect(),
        loaded_years: years.into_iter().collect(),
    })
}

/// A year's listed days; `None` when no schedule was loaded for it.
pub fn year(conn: &mut DbConn, year: i32) -> Result<Option<Vec<(NaiveDate, DayKind)>>, StoreError> {
    let loaded: Option<i32> = cy::calendar_years.find(year).select(cy::year).first(conn).optional()?;
    if loaded.is_none() {
        return Ok(None);
    }
    Ok(Some(
        cd::calendar_days
            .filter(cd::year.eq(year))
            .order(cd::day.asc())
            .select((cd::day, cd::kind))
            .load(conn)?,
    ))
}

/// Replaces a year's schedule (the caller has validated it).
pub fn replace_year(
    conn: &mut DbConn,
    year: i32,
    holidays: &[NaiveDate],
    workdays: &[NaiveDate],
    by: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(cd::calendar_days.filter(cd::year.eq(year))).execute(conn)?;
    diesel::delete(cy::calendar_years.filter(cy::year.eq(year))).execute(conn)?;
    diesel::insert_into(cy::calendar_years)
        .values((cy::year.eq(year), cy::updated_by.eq(by), cy::updated_at.eq(now)))
        .execute(conn)?;
    // One row at a time: batch inserts do not pass through the multi-backend connection.
    let listed = holidays
        .iter()
        .map(|d| (d, DayKind::Holiday))
        .chain(workdays.iter().map(|d| (d, DayKind::MakeUpWorkday)));
    for (day, kind) in listed {
        diesel::insert_into(cd::calendar_days)
            .values((cd::day.eq(*day), cd::year.eq(year), cd::kind.eq(kind)))
            .execute(conn)?;
    }
    Ok(())
}

/// What a fresh database needs: the shipped rule set as version 1, and the State Council's
/// schedule of each shipped year not loaded yet.
pub fn ensure_defaults(conn: &mut DbConn) -> Result<(), StoreError> {
    let actor = Actor::System("defaults");
    let now = crate::db::now();
    let any: Option<i64> = rv::rule_versions.select(rv::version).first(conn).optional()?;
    if any.is_none() {
        let values = RuleValues::default();
        let v = create(conn, ruleset::first_effective_from(), &values, None, now)?;
        audit::append(conn, &actor, "rules.create", "rule_version", v, &values)?;
    }
    for y in [2026] {
        if let Some((holidays, workdays)) = calendar::shipped_schedule(y) {
            if year(conn, y)?.is_none() {
                replace_year(conn, y, &holidays, &workdays, None, now)?;
                audit::append(
                    conn,
                    &actor,
                    "calendar.replace",
                    "calendar_year",
                    y,
                    &(holidays, workdays),
                )?;
            }
        }
    }
    Ok(())
}

/// Counts `n` working days after `from` on the stored calendar.
pub fn due_date(conn: &mut DbConn, from: NaiveDate, n: u32) -> Result<calendar::DueDate, StoreError> {
    Ok(book(conn)?.due_date(from, n))
}

//! Storage of enforcement acts, their officers, filing and review outcomes.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{ActKind, ActStatus, CounterpartType, PenaltyProcedure, ReviewKind, ReviewOutcome};
use crate::auth::rules::Visibility;
use crate::db::schema::act_officers::dsl as o;
use crate::db::schema::act_reviews::dsl as r;
use crate::db::schema::acts::dsl as a;
use crate::db::schema::people;
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::rules::store::{self as rules_store, Deadline};

/// An enforcement act as stored.
#[derive(Clone, Debug, Queryable)]
pub struct Act {
    pub id: i64,
    pub kind: ActKind,
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub department_id: i64,
    pub counterpart_name: String,
    pub counterpart_type: CounterpartType,
    pub legal_basis: String,
    pub decision_text: String,
    pub decision_date: NaiveDate,
    pub major: bool,
    pub filed_on: Option<NaiveDate>,
    pub status: ActStatus,
    pub revoked_reason: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
    pub disclosure_due_on: NaiveDate,
    pub disclosure_rule_version: i64,
    pub disclosed_on: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The decision changed on this day after it was published (PUB-5), until a new version
    /// of its decision is published.
    pub disclosure_outdated_since: Option<NaiveDate>,
}

macro_rules! act_columns {
    () => {
        (
            a::id,
            a::kind,
            a::penalty_procedure,
            a::department_id,
            a::counterpart_name,
            a::counterpart_type,
            a::legal_basis,
            a::decision_text,
            a::decision_date,
            a::major,
            a::filed_on,
            a::status,
            a::revoked_reason,
            a::revoked_at,
            a::disclosure_due_on,
            a::disclosure_rule_version,
            a::disclosed_on,
            a::created_by,
            a::created_at,
            a::updated_at,
            a::disclosure_outdated_since,
        )
    };
}

/// The fields of an act that its recorder states.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ActFields {
    pub kind: ActKind,
    pub penalty_procedure: Option<PenaltyProcedure>,
    pub department_id: i64,
    pub counterpart_name: String,
    pub counterpart_type: CounterpartType,
    pub legal_basis: String,
    pub decision_text: String,
    pub decision_date: NaiveDate,
    pub major: bool,
    pub officers: Vec<i64>,
}

/// The publication deadline of a decision (PUB-6): the rule version in force on the decision
/// date, counted on the working-day calendar.
pub fn disclosure_deadline(conn: &mut DbConn, kind: ActKind, decided: NaiveDate) -> Result<Deadline, StoreError> {
    rules_store::book(conn)?.deadline(decided, |v| v.disclosure_deadline_working_days.for_kind(kind))
}

/// Stores a new act with its officers; gives it back as stored, with its deadline's
/// `years_without_schedule`.
pub fn create(conn: &mut DbConn, f: &ActFields, by: i64, now: NaiveDateTime) -> Result<(Act, Vec<i32>), StoreError> {
    let Deadline {
        due_on: due,
        rule_version: version,
        years_without_schedule,
    } = disclosure_deadline(conn, f.kind, f.decision_date)?;
    let insert = diesel::insert_into(a::acts)
        .values((
            a::kind.eq(f.kind),
            a::penalty_procedure.eq(f.penalty_procedure),
            a::department_id.eq(f.department_id),
            a::counterpart_name.eq(&f.counterpart_name),
            a::counterpart_type.eq(f.counterpart_type),
            a::legal_basis.eq(&f.legal_basis),
            a::decision_text.eq(&f.decision_text),
            a::decision_date.eq(f.decision_date),
            a::major.eq(f.major),
            a::status.eq(ActStatus::Active),
            a::disclosure_due_on.eq(due),
            a::disclosure_rule_version.eq(version),
            a::created_by.eq(by),
            a::created_at.eq(now),
            a::updated_at.eq(now),
        ))
        .returning(a::id);
    let id = crate::native!(conn, |c| insert.get_result(c))?;
    add_officers(conn, id, &f.officers)?;
    // What was stored, without reading it back: parsing the row's dates and times back cost
    // more than the rest of the insert (`now` has the precision both backends keep).
    let act = Act {
        id,
        kind: f.kind,
        penalty_procedure: f.penalty_procedure,
        department_id: f.department_id,
        counterpart_name: f.counterpart_name.clone(),
        counterpart_type: f.counterpart_type,
        legal_basis: f.legal_basis.clone(),
        decision_text: f.decision_text.clone(),
        decision_date: f.decision_date,
        major: f.major,
        filed_on: None,
        status: ActStatus::Active,
        revoked_reason: None,
        revoked_at: None,
        disclosure_due_on: due,
        disclosure_rule_version: version,
        disclosed_on: None,
        created_by: Some(by),
        created_at: now,
        updated_at: now,
        disclosure_outdated_since: None,
    };
    Ok((act, years_without_schedule))
}

fn add_officers(conn: &mut DbConn, act_id: i64, officers: &[i64]) -> Result<(), StoreError> {
    for person in officers {
        let row = (o::act_id.eq(act_id), o::person_id.eq(person));
        crate::native!(conn, |c| diesel::insert_into(o::act_officers).values(row).execute(c))?;
    }
    Ok(())
}

/// Rewrites the stated fields (kind and department stay) and recomputes the deadline.
pub fn update(conn: &mut DbConn, id: i64, f: &ActFields, now: NaiveDateTime) -> Result<(), StoreError> {
    let Deadline {
        due_on: due,
        rule_version: version,
        ..
    } = disclosure_deadline(conn, f.kind, f.decision_date)?;
    crate::db::update(
        a::acts,
        (
            a::penalty_procedure.eq(f.penalty_procedure),
            a::counterpart_name.eq(&f.counterpart_name),
            a::counterpart_type.eq(f.counterpart_type),
            a::legal_basis.eq(&f.legal_basis),
            a::decision_text.eq(&f.decision_text),
            a::decision_date.eq(f.decision_date),
            a::major.eq(f.major),
            a::disclosure_due_on.eq(due),
            a::disclosure_rule_version.eq(version),
            a::updated_at.eq(now),
        ),
        a::id.eq(id),
    )
    .execute(conn)?;
    diesel::delete(o::act_officers.filter(o::act_id.eq(id))).execute(conn)?;
    add_officers(conn, id, &f.officers)
}

pub fn get(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Act, StoreError> {
    let act: Act = crate::native!(conn, |c| a::acts.select(act_columns!()).find(id).first(c))?;
    crate::db::visible_row(vis, act.department_id, act)
}

/// Filters of the act list.
#[derive(Debug, Default)]
pub struct Filter {
    pub kind: Option<ActKind>,
    pub department_id: Option<i64>,
    pub status: Option<ActStatus>,
    pub officer_id: Option<i64>,
    pub decided_from: Option<NaiveDate>,
    pub decided_to: Option<NaiveDate>,
    /// Active, unpublished and past due on this day (PUB-6).
    pub overdue_on: Option<NaiveDate>,
    /// Whether the published decision is out of date with the act (PUB-5).
    pub disclosure_outdated: Option<bool>,
}

// The officer filter's own `act_officers`, apart from the one the officers query joins.
diesel::alias!(crate::db::schema::act_officers as by_officer: ByOfficer);

/// Restricts a boxed query over `acts` (alone or joined) to the acts `vis` admits that match
/// `f`: the page and its officers are read through the same conditions.
macro_rules! matching {
    ($query:expr, $vis:expr, $f:expr) => {{
        let f: &Filter = $f;
        let mut q = crate::visible!($query, $vis, a::department_id);
        crate::filter_if_some!(q, f.kind => a::kind.eq);
        crate::filter_if_some!(q, f.department_id => a::department_id.eq);
        crate::filter_if_some!(q, f.status => a::status.eq);
        if let Some(v) = f.officer_id {
            let by = by_officer;
            q = q.filter(a::id.eq_any(by.filter(by.field(o::person_id).eq(v)).select(by.field(o::act_id))));
        }
        crate::filter_if_some!(q, f.decided_from => a::decision_date.ge);
        crate::filter_if_some!(q, f.decided_to => a::decision_date.le);
        if let Some(day) = f.overdue_on {
            q = q
                .filter(a::status.eq(ActStatus::Active))
                .filter(a::disclosed_on.is_null())
                .filter(a::disclosure_due_on.lt(day));
        }
        match f.disclosure_outdated {
            Some(true) => q = q.filter(a::disclosure_outdated_since.is_not_null()),
            Some(false) => q = q.filter(a::disclosure_outdated_since.is_null()),
            None => {}
        }
        q
    }};
}

pub fn list(conn: &mut DbConn, vis: Visibility, f: &Filter, page: PageRequest) -> Result<Vec<Act>, StoreError> {
    let mut q = matching!(
        a::acts
            .select(act_columns!())
            .order(a::id.asc())
            .limit(page.fetch())
            .into_boxed(),
        vis,
        f
    );
    crate::filter_if_some!(q, page.after => a::id.gt);
    Ok(q.load(conn)?)
}

/// The officers of a page of [`list`] whose ids run from `first` to `last`: the matching acts
/// between the two are exactly the page, so this is one statement of fixed text (cached
/// prepared) where an `IN` list of the page's ids would be parsed anew for every page.
pub fn page_officers(
    conn: &mut DbConn,
    vis: Visibility,
    f: &Filter,
    first: i64,
    last: i64,
) -> Result<BTreeMap<i64, Vec<(i64, String)>>, StoreError> {
    let q = o::act_officers
        .inner_join(a::acts)
        .inner_join(people::table)
        .filter(a::id.between(first, last))
        .order((o::act_id.asc(), o::person_id.asc()))
        .select((o::act_id, o::person_id, people::name))
        .into_boxed();
    let rows: Vec<(i64, i64, String)> = matching!(q, vis, f).load(conn)?;
    Ok(by_act(rows))
}

fn by_act(rows: Vec<(i64, i64, String)>) -> BTreeMap<i64, Vec<(i64, String)>> {
    let mut map: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (act, person, name) in rows {
        map.entry(act).or_default().push((person, name));
    }
    map
}

/// One act's officers (person, name), by person.
pub fn officers(conn: &mut DbConn, act_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let q = o::act_officers
        .inner_join(people::table)
        .filter(o::act_id.eq(act_id))
        .order(o::person_id.asc())
        .select((o::person_id, people::name));
    Ok(crate::native!(conn, |c| q.load(c))?)
}

/// Revokes an act (by its own register, a SUP-7 measure or a review outcome), tells the feed,
/// and takes its published decision down with the reason (a revoked decision is no longer
/// public).
pub fn revoke(conn: &mut DbConn, id: i64, reason: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        a::acts,
        (
            a::status.eq(ActStatus::Revoked),
            a::revoked_reason.eq(reason),
            a::revoked_at.eq(now),
            a::updated_at.eq(now),
            // Its publication comes down with it: no public text is left to bring up to date.
            a::disclosure_outdated_since.eq(None::<NaiveDate>),
        ),
        a::id.eq(id),
    )
    .execute(conn)?;
    crate::events::emit(
        conn,
        crate::events::EventType::ActRevoked,
        id,
        &serde_json::json!({"act_id": id, "reason": reason}),
    )?;
    crate::publicity::store::take_down_for_revoked_act(conn, id, reason, now)
}

pub fn file(conn: &mut DbConn, id: i64, filed_on: NaiveDate, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(a::acts, (a::filed_on.eq(filed_on), a::updated_at.eq(now)), a::id.eq(id)).execute(conn)?;
    Ok(())
}

diesel::define_sql_function!(
    #[sql_name = "COALESCE"]
    fn first_date(x: diesel::sql_types::Nullable<diesel::sql_types::Date>, y: diesel::sql_types::Date) -> diesel::sql_types::Nullable<diesel::sql_types::Date>
);

/// Records a publication of the act's decision: the first meets PUB-6, and any brings the
/// public text up to date with the act (PUB-5).
pub fn mark_disclosed(conn: &mut DbConn, id: i64, on: NaiveDate) -> Result<(), StoreError> {
    let disclosed = crate::db::update(
        a::acts,
        (
            a::disclosed_on.eq(first_date(a::disclosed_on, on)),
            a::disclosure_outdated_since.eq(None::<NaiveDate>),
        ),
        a::id.eq(id),
    );
    crate::native!(conn, |c| disclosed.execute(c))?;
    Ok(())
}

/// Records that the published decision of the act no longer says what the act does, from `on`
/// (kept when it already was).
pub fn mark_outdated(conn: &mut DbConn, id: i64, on: NaiveDate) -> Result<(), StoreError> {
    crate::db::update(
        a::acts,
        a::disclosure_outdated_since.eq(on),
        a::id
            .eq(id)
            .and(a::disclosed_on.is_not_null())
            .and(a::disclosure_outdated_since.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// A reconsideration or litigation outcome (EVAL-4(6)).
#[derive(Clone, Debug, Queryable)]
pub struct Review {
    pub id: i64,
    pub kind: ReviewKind,
    pub outcome: ReviewOutcome,
    pub decided_on: NaiveDate,
    pub note: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: NaiveDateTime,
}

pub struct NewReview {
    pub kind: ReviewKind,
    pub outcome: ReviewOutcome,
    pub decided_on: NaiveDate,
    pub note: String,
}

pub fn add_review(
    conn: &mut DbConn,
    act_id: i64,
    rv: &NewReview,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(r::act_reviews)
        .values((
            r::act_id.eq(act_id),
            r::kind.eq(rv.kind),
            r::outcome.eq(rv.outcome),
            r::decided_on.eq(rv.decided_on),
            r::note.eq(&rv.note),
            r::recorded_by.eq(by),
            r::recorded_at.eq(now),
        ))
        .returning(r::id)
        .get_result(conn)?)
}

pub fn reviews(conn: &mut DbConn, act_id: i64) -> Result<Vec<Review>, StoreError> {
    Ok(r::act_reviews
        .filter(r::act_id.eq(act_id))
        .order(r::id.asc())
        .select((
            r::id,
            r::kind,
            r::outcome,
            r::decided_on,
            r::note,
            r::recorded_by,
            r::recorded_at,
        ))
        .load(conn)?)
}

/// Recomputes the publication deadlines of acts decided from `from` (to `to`), after the
/// calendar or the rule set changed. Loads the rules and the calendar once.
pub fn recompute_disclosure_due(
    conn: &mut DbConn,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<usize, StoreError> {
    let mut q = a::acts
        .select((
            a::id,
            a::kind,
            a::decision_date,
            a::disclosure_due_on,
            a::disclosure_rule_version,
        ))
        .into_boxed();
    q = q.filter(a::decision_date.ge(from));
    crate::filter_if_some!(q, to => a::decision_date.le);
    let rows: Vec<(i64, ActKind, NaiveDate, NaiveDate, i64)> = q.load(conn)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let book = rules_store::book(conn)?;
    let mut changed = 0;
    for (id, kind, decided, old_due, old_version) in rows {
        let Ok(d) = book.deadline(decided, |v| v.disclosure_deadline_working_days.for_kind(kind)) else {
            continue;
        };
        if d.due_on != old_due || d.rule_version != old_version {
            crate::db::update(
                a::acts,
                (
                    a::disclosure_due_on.eq(d.due_on),
                    a::disclosure_rule_version.eq(d.rule_version),
                ),
                a::id.eq(id),
            )
            .execute(conn)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The ids of the acts matching `f`, in order (the population of a spot check's sample).
/// Acts of some departments, acts named one by one, and acts some officers enforced: an
/// inspection's scope. Empty: every act.
#[derive(Debug, Default)]
pub struct Within {
    pub departments: Vec<i64>,
    pub officers: Vec<i64>,
    pub acts: Vec<i64>,
}

/// The ids of the acts matching `f` within `within`, in id order.
pub fn ids(conn: &mut DbConn, f: &Filter, within: &Within) -> Result<Vec<i64>, StoreError> {
    let mut q = a::acts.select(a::id).order(a::id.asc()).into_boxed();
    crate::filter_if_some!(q, f.kind => a::kind.eq);
    crate::filter_if_some!(q, f.department_id => a::department_id.eq);
    crate::filter_if_some!(q, f.decided_from => a::decision_date.ge);
    crate::filter_if_some!(q, f.decided_to => a::decision_date.le);
    let everything = within.departments.is_empty() && within.officers.is_empty() && within.acts.is_empty();
    if !everything {
        let by_them = o::act_officers
            .filter(o::person_id.eq_any(within.officers.clone()))
            .select(o::act_id);
        q = q.filter(
            a::department_id
                .eq_any(within.departments.clone())
                .or(a::id.eq_any(within.acts.clone()))
                .or(a::id.eq_any(by_them)),
        );
    }
    Ok(q.load(conn)?)
}

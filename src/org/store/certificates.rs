//! Enforcement certificates and their status history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::rules::Visibility;
use crate::db::schema::certificate_status_changes::dsl as h;
use crate::db::schema::certificates::dsl as c;
use crate::db::schema::{departments, people};
use crate::db::{DbConn, StoreError};
use crate::http::pagination::PageRequest;
use crate::org::rules::{CauseKind, CertificateStatus, EffectiveStatus, HeldCertificate};

/// A certificate with its holder's name and department.
#[derive(Clone, Debug, Queryable)]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub department_id: i64,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub status: CertificateStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One recorded status change.
#[derive(Clone, Debug, Queryable)]
pub struct StatusChange {
    pub id: i64,
    pub from_status: Option<CertificateStatus>,
    pub to_status: CertificateStatus,
    pub reason: String,
    pub cause_kind: CauseKind,
    pub cause_ref: Option<i64>,
    pub changed_by: Option<i64>,
    pub changed_at: NaiveDateTime,
}

macro_rules! certificate_query {
    () => {
        c::certificates
            .inner_join(people::table)
            .select((
                c::id,
                c::number,
                c::holder_id,
                people::name,
                people::department_id,
                c::issued_on,
                c::expires_on,
                c::status,
                c::created_at,
                c::updated_at,
            ))
            .into_boxed()
    };
}

#[derive(Default)]
pub struct Filter {
    pub holder_id: Option<i64>,
    pub department_id: Option<i64>,
    pub status: Option<EffectiveStatus>,
    /// Not expired or revoked, and the last valid day is at most this many days away.
    pub expiring_within_days: Option<i64>,
}

pub fn list(
    conn: &mut DbConn,
    vis: Visibility,
    f: &Filter,
    today: NaiveDate,
    page: PageRequest,
) -> Result<Vec<Certificate>, StoreError> {
    let mut q = certificate_query!().order(c::id.asc()).limit(page.fetch());
    q = crate::visible!(q, vis, people::department_id);
    crate::filter_if_some!(q, f.holder_id => c::holder_id.eq);
    crate::filter_if_some!(q, f.department_id => people::department_id.eq);
    q = match f.status {
        None => q,
        Some(EffectiveStatus::Revoked) => q.filter(c::status.eq(CertificateStatus::Revoked)),
        Some(EffectiveStatus::Expired) => q
            .filter(c::status.ne(CertificateStatus::Revoked))
            .filter(c::expires_on.lt(today)),
        Some(EffectiveStatus::Valid) => q
            .filter(c::status.eq(CertificateStatus::Valid))
            .filter(c::issued_on.le(today))
            .filter(c::expires_on.ge(today)),
        Some(EffectiveStatus::NotYetValid) => q
            .filter(c::status.eq(CertificateStatus::Valid))
            .filter(c::issued_on.gt(today)),
        Some(EffectiveStatus::Suspended) => q
            .filter(c::status.eq(CertificateStatus::Suspended))
            .filter(c::expires_on.ge(today)),
    };
    if let Some(days) = f.expiring_within_days {
        let until = today + chrono::Days::new(days.unsigned_abs());
        q = q
            .filter(c::status.ne(CertificateStatus::Revoked))
            .filter(c::expires_on.ge(today))
            .filter(c::expires_on.le(until));
    }
    crate::filter_if_some!(q, page.after => c::id.gt);
    Ok(q.load(conn)?)
}

pub fn get_visible(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Certificate, StoreError> {
    let q = certificate_query!().filter(c::id.eq(id));
    Ok(crate::visible!(q, vis, people::department_id).first(conn)?)
}

pub fn history(conn: &mut DbConn, certificate_id: i64) -> Result<Vec<StatusChange>, StoreError> {
    Ok(h::certificate_status_changes
        .filter(h::certificate_id.eq(certificate_id))
        .order(h::id.asc())
        .select((
            h::id,
            h::from_status,
            h::to_status,
            h::reason,
            h::cause_kind,
            h::cause_ref,
            h::changed_by,
            h::changed_at,
        ))
        .load(conn)?)
}

/// What the public certificate check shows: holder, department, status, valid until.
pub struct PublicView {
    pub number: String,
    pub holder_name: String,
    pub department_name: String,
    pub status: CertificateStatus,
    /// From `issued_on` to `expires_on`, both days included.
    pub valid: std::ops::RangeInclusive<NaiveDate>,
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The number of the certificate whose number is `number` but for letter case, if any: a
/// number differing from another only in case would pass for it at the public check.
pub fn number_like(conn: &mut DbConn, number: &str) -> Result<Option<String>, StoreError> {
    Ok(c::certificates
        .filter(lower(c::number).eq(number.to_ascii_lowercase()))
        .select(c::number)
        .first(conn)
        .optional()?)
}

/// The public view of the certificate numbered `number`, read in any letter case.
pub fn by_number(conn: &mut DbConn, number: &str) -> Result<PublicView, StoreError> {
    match exactly_numbered(conn, number) {
        Err(StoreError::NotFound) => match number_like(conn, number)? {
            Some(n) => exactly_numbered(conn, &n),
            None => Err(StoreError::NotFound),
        },
        found => found,
    }
}

fn exactly_numbered(conn: &mut DbConn, number: &str) -> Result<PublicView, StoreError> {
    let (number, holder_name, department_name, status, issued_on, expires_on) = c::certificates
        .inner_join(people::table.inner_join(departments::table))
        .filter(c::number.eq(number))
        .select((
            c::number,
            people::name,
            departments::name,
            c::status,
            c::issued_on,
            c::expires_on,
        ))
        .first(conn)?;
    Ok(PublicView {
        number,
        holder_name,
        department_name,
        status,
        valid: issued_on..=expires_on,
    })
}

pub struct NewCertificate {
    pub number: String,
    pub holder_id: i64,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// A status change as recorded, with its cause.
pub struct Change<'a> {
    pub to: CertificateStatus,
    pub reason: &'a str,
    pub cause_kind: CauseKind,
    pub cause_ref: Option<i64>,
    pub by: Option<i64>,
}

fn record(
    conn: &mut DbConn,
    id: i64,
    from: Option<CertificateStatus>,
    ch: &Change,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(h::certificate_status_changes)
        .values((
            h::certificate_id.eq(id),
            h::from_status.eq(from),
            h::to_status.eq(ch.to),
            h::reason.eq(ch.reason),
            h::cause_kind.eq(ch.cause_kind),
            h::cause_ref.eq(ch.cause_ref),
            h::changed_by.eq(ch.by),
            h::changed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Issues a certificate as valid, with the issue as the first history entry.
pub fn create(conn: &mut DbConn, new: &NewCertificate, by: Option<i64>, now: NaiveDateTime) -> Result<i64, StoreError> {
    let id: i64 = diesel::insert_into(c::certificates)
        .values((
            c::number.eq(&new.number),
            c::holder_id.eq(new.holder_id),
            c::issued_on.eq(new.issued_on),
            c::expires_on.eq(new.expires_on),
            c::status.eq(CertificateStatus::Valid),
            c::created_at.eq(now),
            c::updated_at.eq(now),
        ))
        .returning(c::id)
        .get_result(conn)?;
    let issued = Change {
        to: CertificateStatus::Valid,
        reason: "certificate issued",
        cause_kind: CauseKind::Manual,
        cause_ref: None,
        by,
    };
    record(conn, id, None, &issued, now)?;
    Ok(id)
}

/// Records a status change already allowed by `rules::transition`.
pub fn change_status(
    conn: &mut DbConn,
    id: i64,
    from: CertificateStatus,
    ch: &Change,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    apply(conn, id, from, ch, now, now)
}

/// Records a status change that takes effect from the start of `day` (China time), though
/// recorded `now`: a decision dated in the past bars its holder from that day on. Never before
/// the certificate's last change (the issue aside: a card recorded after the decision was
/// valid from its `issued_on`), so that its changes stay in order.
pub fn change_status_from(
    conn: &mut DbConn,
    id: i64,
    from: CertificateStatus,
    ch: &Change,
    day: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let last: Option<NaiveDateTime> = h::certificate_status_changes
        .filter(h::certificate_id.eq(id))
        .filter(h::from_status.is_not_null())
        .select(diesel::dsl::max(h::changed_at))
        .first(conn)?;
    let start = crate::db::end_of_day(day.pred_opt().unwrap_or(day));
    let at = last.map_or(start, |l| l.max(start)).min(now);
    apply(conn, id, from, ch, at, now)
}

fn apply(
    conn: &mut DbConn,
    id: i64,
    from: CertificateStatus,
    ch: &Change,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    crate::db::update(
        c::certificates,
        (c::status.eq(ch.to), c::updated_at.eq(now)),
        c::id.eq(id),
    )
    .execute(conn)?;
    record(conn, id, Some(from), ch, at)?;
    crate::events::emit(
        conn,
        crate::events::EventType::CertificateStatusChanged,
        id,
        &serde_json::json!({"certificate_id": id, "from": from, "to": ch.to, "reason": ch.reason,
            "cause_kind": ch.cause_kind, "cause_id": ch.cause_ref}),
    )?;
    Ok(())
}

/// A certificate of a holder as it stood at the end of a day.
pub struct HeldOn {
    pub holder: i64,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub status: CertificateStatus,
    /// Whether that status keeps the holder off enforcement altogether
    /// ([`crate::org::rules::bars_holder`]).
    pub bars_holder: bool,
}

/// Every certificate of the given holders, with the status it had at the end of `day` (China
/// time), whether or not its validity period covers that day.
pub fn of_holders_on(conn: &mut DbConn, holders: &[i64], day: NaiveDate) -> Result<Vec<HeldOn>, StoreError> {
    // One statement per holder: an `IN` list is a statement of its own for every length,
    // parsed anew each time; an act names a few officers.
    let mut held = Vec::new();
    for holder in holders {
        let theirs = c::certificates.filter(c::holder_id.eq(holder)).select((
            c::id,
            c::issued_on,
            c::expires_on,
            c::status,
            c::updated_at,
        ));
        let rows: Vec<(i64, NaiveDate, NaiveDate, CertificateStatus, NaiveDateTime)> =
            crate::native!(conn, |db| theirs.load(db))?;
        for (id, issued_on, expires_on, status, updated_at) in rows {
            // A certificate not touched since the day ended has the status it had then.
            let changed_since = updated_at >= crate::db::end_of_day(day);
            let status = match changed_since {
                true => status_at_end_of(conn, id, day, status)?,
                false => status,
            };
            // Only a revocation asks which cause made it (rare: one more read then).
            let cause = match status {
                CertificateStatus::Revoked => cause_at_end_of(conn, id, day)?,
                _ => None,
            };
            held.push(HeldOn {
                holder: *holder,
                issued_on,
                expires_on,
                status,
                bars_holder: crate::org::rules::bars_holder(status, cause),
            });
        }
    }
    Ok(held)
}

/// The status a certificate had at the end of `day`: the one its first later change moved it
/// from, else the one it has now.
fn status_at_end_of(
    conn: &mut DbConn,
    id: i64,
    day: NaiveDate,
    now: CertificateStatus,
) -> Result<CertificateStatus, StoreError> {
    // The issue entry says nothing here (the card was valid from `issued_on`), and a change
    // dated back to its decision's day may precede it.
    let later = h::certificate_status_changes
        .filter(h::certificate_id.eq(id))
        .filter(h::from_status.is_not_null())
        .filter(h::changed_at.ge(crate::db::end_of_day(day)))
        .order((h::changed_at.asc(), h::id.asc()))
        .select((h::from_status, h::to_status))
        .first::<(Option<CertificateStatus>, CertificateStatus)>(conn)
        .optional()?;
    Ok(later.map_or(now, |(from, to)| from.unwrap_or(to)))
}

/// The cause of the last change a certificate had by the end of `day`.
fn cause_at_end_of(conn: &mut DbConn, id: i64, day: NaiveDate) -> Result<Option<CauseKind>, StoreError> {
    Ok(h::certificate_status_changes
        .filter(h::certificate_id.eq(id))
        .filter(h::changed_at.lt(crate::db::end_of_day(day)))
        .order((h::changed_at.desc(), h::id.desc()))
        .select(h::cause_kind)
        .first(conn)
        .optional()?)
}

/// A holder's certificates: (id, recorded status, last valid day).
pub fn held_by(conn: &mut DbConn, holder: i64) -> Result<Vec<HeldCertificate>, StoreError> {
    let held: Vec<(i64, CertificateStatus, NaiveDate)> = c::certificates
        .filter(c::holder_id.eq(holder))
        .order(c::id.asc())
        .select((c::id, c::status, c::expires_on))
        .load(conn)?;
    // The cause of each card's latest change: the one that put it in its present status.
    let changes: Vec<(i64, CauseKind)> = h::certificate_status_changes
        .filter(h::certificate_id.eq_any(held.iter().map(|(id, ..)| *id).collect::<Vec<_>>()))
        .order(h::id.asc())
        .select((h::certificate_id, h::cause_kind))
        .load(conn)?;
    Ok(held
        .into_iter()
        .map(|(id, status, expires_on)| HeldCertificate {
            id,
            status,
            expires_on,
            cause: changes.iter().rev().find(|(c, _)| *c == id).map(|(_, k)| *k),
        })
        .collect())
}

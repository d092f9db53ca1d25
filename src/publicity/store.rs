//! Storage of disclosure items, their versions, attachments and take-downs.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{AttachmentPurpose, ContentType, LicensingDetails, TakeDownReason, VersionStatus};
use crate::acts::rules::ActKind;
use crate::auth::rules::Visibility;
use crate::db::schema::attachments::dsl as at;
use crate::db::schema::disclosure_takedowns::dsl as td;
use crate::db::schema::disclosure_versions::dsl as v;
use crate::db::schema::disclosures::dsl as d;
use crate::db::schema::version_attachments::dsl as va;
use crate::db::{DbConn, StoreError};
use crate::events::EventType;
use crate::http::pagination::PageRequest;

/// A disclosure item (公示事项): what stays the same across its versions.
#[derive(Clone, Debug, Queryable)]
pub struct Item {
    pub id: i64,
    pub department_id: i64,
    pub category: ActKind,
    pub content_type: ContentType,
    pub act_id: Option<i64>,
    /// The version the public sees, if any.
    pub public_version_id: Option<i64>,
    pub published_on: Option<NaiveDate>,
    /// The last public day of a decision (retention), if limited.
    pub public_until: Option<NaiveDate>,
    pub taken_down_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

macro_rules! item_columns {
    () => {
        (
            d::id,
            d::department_id,
            d::category,
            d::content_type,
            d::act_id,
            d::public_version_id,
            d::published_on,
            d::public_until,
            d::taken_down_at,
            d::created_by,
            d::created_at,
            d::updated_at,
        )
    };
}

/// One version's content and state.
#[derive(Clone, Debug, Queryable)]
pub struct Version {
    pub id: i64,
    pub disclosure_id: i64,
    pub number: i64,
    pub status: VersionStatus,
    pub title: String,
    pub body: String,
    pub licensing: Option<String>,
    pub return_comment: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub published_by: Option<i64>,
}

impl Version {
    pub fn licensing(&self) -> Option<LicensingDetails> {
        self.licensing.as_deref().and_then(|j| serde_json::from_str(j).ok())
    }
}

macro_rules! version_columns {
    () => {
        (
            v::id,
            v::disclosure_id,
            v::number,
            v::status,
            v::title,
            v::body,
            v::licensing,
            v::return_comment,
            v::withdraw_reason,
            v::created_by,
            v::created_at,
            v::updated_at,
            v::published_at,
            v::published_by,
        )
    };
}

/// The editable content of a version.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub licensing: Option<LicensingDetails>,
}

fn licensing_json(c: &Content) -> Option<String> {
    c.licensing.as_ref().and_then(|l| serde_json::to_string(l).ok())
}

pub struct NewItem {
    pub department_id: i64,
    pub category: ActKind,
    pub content_type: ContentType,
    pub act_id: Option<i64>,
}

/// Creates an item with its first version, a draft.
pub fn create(
    conn: &mut DbConn,
    item: &NewItem,
    content: &Content,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let id: i64 = diesel::insert_into(d::disclosures)
        .values((
            d::department_id.eq(item.department_id),
            d::category.eq(item.category),
            d::content_type.eq(item.content_type),
            d::act_id.eq(item.act_id),
            d::created_by.eq(by),
            d::created_at.eq(now),
            d::updated_at.eq(now),
        ))
        .returning(d::id)
        .get_result(conn)?;
    insert_version(conn, id, 1, content, by, now)?;
    Ok(id)
}

fn insert_version(
    conn: &mut DbConn,
    item: i64,
    number: i64,
    c: &Content,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(v::disclosure_versions)
        .values((
            v::disclosure_id.eq(item),
            v::number.eq(number),
            v::status.eq(VersionStatus::Draft),
            v::title.eq(&c.title),
            v::body.eq(&c.body),
            v::licensing.eq(licensing_json(c)),
            v::created_by.eq(by),
            v::created_at.eq(now),
            v::updated_at.eq(now),
        ))
        .returning(v::id)
        .get_result(conn)?)
}

pub fn item(conn: &mut DbConn, id: i64, vis: Visibility) -> Result<Item, StoreError> {
    let item: Item = crate::native!(conn, |c| d::disclosures.select(item_columns!()).find(id).first(c))?;
    crate::db::visible_row(vis, item.department_id, item)
}

/// Moves the last public day of a published decision (its retention counted again).
pub fn set_public_until(conn: &mut DbConn, id: i64, until: NaiveDate) -> Result<(), StoreError> {
    crate::db::update(d::disclosures, d::public_until.eq(until), d::id.eq(id)).execute(conn)?;
    Ok(())
}

pub fn item_of_act(conn: &mut DbConn, act_id: i64) -> Result<Option<Item>, StoreError> {
    Ok(d::disclosures
        .select(item_columns!())
        .filter(d::act_id.eq(act_id))
        .first(conn)
        .optional()?)
}

/// Every version of an item, oldest first.
pub fn versions(conn: &mut DbConn, item: i64) -> Result<Vec<Version>, StoreError> {
    Ok(v::disclosure_versions
        .select(version_columns!())
        .filter(v::disclosure_id.eq(item))
        .order(v::number.asc())
        .load(conn)?)
}

pub fn latest(conn: &mut DbConn, item: i64) -> Result<Version, StoreError> {
    let q = v::disclosure_versions
        .select(version_columns!())
        .filter(v::disclosure_id.eq(item))
        .order(v::number.desc());
    Ok(crate::native!(conn, |c| q.first(c))?)
}

pub fn version(conn: &mut DbConn, id: i64) -> Result<Version, StoreError> {
    Ok(crate::native!(conn, |c| v::disclosure_versions
        .select(version_columns!())
        .find(id)
        .first(c))?)
}

pub fn rewrite(conn: &mut DbConn, version: i64, c: &Content, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(
        v::disclosure_versions,
        (
            v::title.eq(&c.title),
            v::body.eq(&c.body),
            v::licensing.eq(licensing_json(c)),
            v::updated_at.eq(now),
        ),
        v::id.eq(version),
    )
    .execute(conn)?;
    Ok(())
}

/// A new draft version after `previous`, keeping its attachments.
pub fn new_version(
    conn: &mut DbConn,
    previous: &Version,
    c: &Content,
    by: i64,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let id = insert_version(conn, previous.disclosure_id, previous.number + 1, c, by, now)?;
    for (attachment, purpose) in attachment_links(conn, previous.id)? {
        link(conn, id, attachment, purpose)?;
    }
    touch(conn, previous.disclosure_id, now).map(|_| id)
}

fn touch(conn: &mut DbConn, item: i64, now: NaiveDateTime) -> Result<(), StoreError> {
    crate::db::update(d::disclosures, d::updated_at.eq(now), d::id.eq(item)).execute(conn)?;
    Ok(())
}

/// Sets a version's status, with the office's comment or reason when it has one.
pub fn set_status(
    conn: &mut DbConn,
    version: &Version,
    status: VersionStatus,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let (table, target) = (v::disclosure_versions, v::id.eq(version.id));
    match status {
        VersionStatus::Draft => {
            let changes = (v::status.eq(status), v::return_comment.eq(note), v::updated_at.eq(now));
            crate::db::update(table, changes, target).execute(conn)?
        }
        VersionStatus::Withdrawn => {
            let changes = (v::status.eq(status), v::withdraw_reason.eq(note), v::updated_at.eq(now));
            crate::db::update(table, changes, target).execute(conn)?
        }
        _ => crate::db::update(table, (v::status.eq(status), v::updated_at.eq(now)), target).execute(conn)?,
    };
    touch(conn, version.disclosure_id, now)
}

/// Publishes `version`: the previous public version is superseded, the item points the public
/// at this one. `public_until` is the retention end of a first-published decision.
pub fn publish(
    conn: &mut DbConn,
    item: &Item,
    version: &Version,
    by: i64,
    today: NaiveDate,
    public_until: Option<NaiveDate>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    if let Some(previous) = item.public_version_id {
        let superseded = crate::db::update(
            v::disclosure_versions,
            (v::status.eq(VersionStatus::Superseded), v::updated_at.eq(now)),
            v::id.eq(previous),
        );
        crate::native!(conn, |c| superseded.execute(c))?;
    }
    let published = crate::db::update(
        v::disclosure_versions,
        (
            v::status.eq(VersionStatus::Published),
            v::published_at.eq(now),
            v::published_by.eq(by),
            v::updated_at.eq(now),
        ),
        v::id.eq(version.id),
    );
    crate::native!(conn, |c| published.execute(c))?;
    let public = crate::db::update(
        d::disclosures,
        (
            d::public_version_id.eq(version.id),
            d::public_title.eq(&version.title),
            d::published_on.eq(item.published_on.unwrap_or(today)),
            d::public_until.eq(item.public_until.or(public_until)),
            d::updated_at.eq(now),
        ),
        d::id.eq(item.id),
    );
    crate::native!(conn, |c| public.execute(c))?;
    taken_off_or_put_up(conn, EventType::DisclosurePublished, item, version.id, &version.title)
}

/// Tells the feed a disclosure went public or left the public lists.
fn taken_off_or_put_up(
    conn: &mut DbConn,
    t: EventType,
    item: &Item,
    version: i64,
    what: &str,
) -> Result<(), StoreError> {
    let payload = serde_json::json!({"disclosure_id": item.id, "version_id": version, "act_id": item.act_id,
        "category": item.category, "note": what});
    crate::events::emit(conn, t, item.id, &payload)?;
    Ok(())
}

/// Withdraws the public version: nothing of the item is public any more.
pub fn withdraw(
    conn: &mut DbConn,
    item: &Item,
    version: &Version,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    set_status(conn, version, VersionStatus::Withdrawn, Some(reason), now)?;
    crate::db::update(
        d::disclosures,
        (d::public_version_id.eq(None::<i64>), d::public_title.eq(None::<String>)),
        d::id.eq(item.id),
    )
    .execute(conn)?;
    taken_off_or_put_up(conn, EventType::DisclosureTakenDown, item, version.id, reason)
}

fn take_down(
    conn: &mut DbConn,
    item: &Item,
    kind: TakeDownReason,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let Some(version) = item.public_version_id else {
        return Ok(());
    };
    if item.taken_down_at.is_some() {
        return Ok(());
    }
    diesel::insert_into(td::disclosure_takedowns)
        .values((
            td::disclosure_id.eq(item.id),
            td::version_id.eq(version),
            td::reason_kind.eq(kind),
            td::reason.eq(reason),
            td::taken_down_at.eq(now),
        ))
        .execute(conn)?;
    crate::db::update(
        d::disclosures,
        (d::taken_down_at.eq(now), d::updated_at.eq(now)),
        d::id.eq(item.id),
    )
    .execute(conn)?;
    taken_off_or_put_up(conn, EventType::DisclosureTakenDown, item, version, reason)
}

/// A revoked act's published decision leaves the public lists at once.
pub fn take_down_for_revoked_act(
    conn: &mut DbConn,
    act_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    match item_of_act(conn, act_id)? {
        Some(item) => take_down(
            conn,
            &item,
            TakeDownReason::ActRevoked,
            &format!("the act was revoked: {reason}"),
            now,
        ),
        None => Ok(()),
    }
}

/// Records the take-down of every published decision whose retention ended before `today`.
pub fn sweep_retention(conn: &mut DbConn, today: NaiveDate, now: NaiveDateTime) -> Result<usize, StoreError> {
    let due: Vec<Item> = d::disclosures
        .select(item_columns!())
        .filter(d::public_version_id.is_not_null())
        .filter(d::taken_down_at.is_null())
        .filter(d::public_until.lt(today))
        .load(conn)?;
    for item in &due {
        let until = item.public_until.map(|u| u.to_string()).unwrap_or_default();
        take_down(
            conn,
            item,
            TakeDownReason::RetentionEnded,
            &format!("the retention period ended on {until}"),
            now,
        )?;
    }
    Ok(due.len())
}

/// A recorded take-down.
#[derive(Clone, Debug, Queryable)]
pub struct TakeDown {
    pub version_id: i64,
    pub reason_kind: TakeDownReason,
    pub reason: String,
    pub taken_down_at: NaiveDateTime,
}

pub fn takedowns(conn: &mut DbConn, item: i64) -> Result<Vec<TakeDown>, StoreError> {
    let q = td::disclosure_takedowns
        .filter(td::disclosure_id.eq(item))
        .order(td::id.asc())
        .select((td::version_id, td::reason_kind, td::reason, td::taken_down_at));
    Ok(crate::native!(conn, |c| q.load(c))?)
}

/// Filters of the internal list.
#[derive(Debug, Default)]
pub struct Filter {
    pub category: Option<ActKind>,
    pub content_type: Option<ContentType>,
    pub department_id: Option<i64>,
    pub act_id: Option<i64>,
}

/// Items as the caller may see them, newest first.
pub fn list(conn: &mut DbConn, vis: Visibility, f: &Filter, page: PageRequest) -> Result<Vec<Item>, StoreError> {
    let mut q = d::disclosures
        .select(item_columns!())
        .order(d::id.desc())
        .limit(page.fetch())
        .into_boxed();
    q = crate::visible!(q, vis, d::department_id);
    crate::filter_if_some!(q, f.category => d::category.eq);
    crate::filter_if_some!(q, f.content_type => d::content_type.eq);
    crate::filter_if_some!(q, f.department_id => d::department_id.eq);
    crate::filter_if_some!(q, f.act_id => d::act_id.eq);
    crate::filter_if_some!(q, page.after => d::id.lt);
    Ok(q.load(conn)?)
}

/// Filters of the public list.
#[derive(Debug, Default)]
pub struct PublicFilter {
    pub category: Option<ActKind>,
    pub content_type: Option<ContentType>,
    pub department_id: Option<i64>,
    /// Words in the title or text.
    pub text: Option<String>,
}

/// A published item as the public list shows it.
#[derive(Clone, Debug, Queryable)]
pub struct PublicRow {
    pub id: i64,
    pub department_id: i64,
    pub category: ActKind,
    pub content_type: ContentType,
    pub act_id: Option<i64>,
    pub published_on: Option<NaiveDate>,
    pub version: i64,
    pub title: String,
    pub published_at: Option<NaiveDateTime>,
}

/// Whether an item is public on `today`: it has a public version, was not taken down, and its
/// retention (if any) has not ended. The lists filter on this without waiting for the sweep.
macro_rules! public_now {
    ($query:expr, $today:expr) => {
        $query
            .filter(d::public_version_id.is_not_null())
            .filter(d::taken_down_at.is_null())
            .filter(d::public_until.is_null().or(d::public_until.ge($today)))
    };
}

pub fn public_list(
    conn: &mut DbConn,
    f: &PublicFilter,
    today: NaiveDate,
    page: PageRequest,
) -> Result<Vec<PublicRow>, StoreError> {
    let mut q = public_now!(
        d::disclosures.inner_join(v::disclosure_versions.on(v::id.nullable().eq(d::public_version_id))),
        today
    )
    .select((
        d::id,
        d::department_id,
        d::category,
        d::content_type,
        d::act_id,
        d::published_on,
        v::number,
        v::title,
        v::published_at,
    ))
    .order(d::id.desc())
    .limit(page.fetch())
    .into_boxed();
    crate::filter_if_some!(q, f.category => d::category.eq);
    crate::filter_if_some!(q, f.content_type => d::content_type.eq);
    crate::filter_if_some!(q, f.department_id => d::department_id.eq);
    if let Some(text) = &f.text {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        q = q.filter(
            v::title
                .like(pattern.clone())
                .escape('\\')
                .or(v::body.like(pattern).escape('\\')),
        );
    }
    crate::filter_if_some!(q, page.after => d::id.lt);
    Ok(q.load(conn)?)
}

/// The item if it is public on `today`, with its published history (public and superseded
/// versions), oldest first.
pub fn public_item(conn: &mut DbConn, id: i64, today: NaiveDate) -> Result<(Item, Vec<Version>), StoreError> {
    let item: Item = public_now!(d::disclosures.select(item_columns!()).filter(d::id.eq(id)), today).first(conn)?;
    let history = v::disclosure_versions
        .select(version_columns!())
        .filter(v::disclosure_id.eq(id))
        .filter(v::status.eq_any([VersionStatus::Published, VersionStatus::Superseded]))
        .order(v::number.asc())
        .load(conn)?;
    Ok((item, history))
}

/// An attachment's description (without its bytes).
#[derive(Clone, Debug, Queryable)]
pub struct AttachmentMeta {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: NaiveDateTime,
}

pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

pub fn add_attachment(conn: &mut DbConn, a: &NewAttachment, by: i64, now: NaiveDateTime) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(at::attachments)
        .values((
            at::filename.eq(&a.filename),
            at::content_type.eq(&a.content_type),
            at::size.eq(a.data.len() as i64),
            at::sha256.eq(&a.sha256),
            at::data.eq(&a.data),
            at::uploaded_by.eq(by),
            at::uploaded_at.eq(now),
        ))
        .returning(at::id)
        .get_result(conn)?)
}

pub fn link(conn: &mut DbConn, version: i64, attachment: i64, purpose: AttachmentPurpose) -> Result<(), StoreError> {
    diesel::insert_into(va::version_attachments)
        .values((
            va::version_id.eq(version),
            va::attachment_id.eq(attachment),
            va::purpose.eq(purpose),
        ))
        .execute(conn)?;
    Ok(())
}

fn attachment_links(conn: &mut DbConn, version: i64) -> Result<Vec<(i64, AttachmentPurpose)>, StoreError> {
    Ok(va::version_attachments
        .filter(va::version_id.eq(version))
        .select((va::attachment_id, va::purpose))
        .load(conn)?)
}

/// The attachments of a version, with their purpose.
pub fn attachments_of(conn: &mut DbConn, version: i64) -> Result<Vec<(AttachmentMeta, AttachmentPurpose)>, StoreError> {
    let q = va::version_attachments
        .inner_join(at::attachments)
        .filter(va::version_id.eq(version))
        .order(at::id.asc())
        .select((
            (
                at::id,
                at::filename,
                at::content_type,
                at::size,
                at::sha256,
                at::uploaded_at,
            ),
            va::purpose,
        ));
    Ok(crate::native!(conn, |c| q.load(c))?)
}

/// An attachment's bytes and description.
pub fn attachment(conn: &mut DbConn, id: i64) -> Result<(AttachmentMeta, Vec<u8>), StoreError> {
    let (meta, data) = at::attachments
        .filter(at::id.eq(id))
        .select((
            (
                at::id,
                at::filename,
                at::content_type,
                at::size,
                at::sha256,
                at::uploaded_at,
            ),
            at::data,
        ))
        .first(conn)?;
    Ok((meta, data))
}

/// The items an attachment belongs to (through any of their versions).
pub fn items_of_attachment(conn: &mut DbConn, id: i64) -> Result<Vec<Item>, StoreError> {
    let item_ids = va::version_attachments
        .inner_join(v::disclosure_versions)
        .filter(va::attachment_id.eq(id))
        .select(v::disclosure_id);
    Ok(d::disclosures
        .select(item_columns!())
        .filter(d::id.eq_any(item_ids))
        .load(conn)?)
}

/// Whether the attachment belongs to a published or superseded version of an item that is
/// public today.
pub fn attachment_is_public(conn: &mut DbConn, id: i64, today: NaiveDate) -> Result<bool, StoreError> {
    let n: i64 = public_now!(
        va::version_attachments.inner_join(v::disclosure_versions.inner_join(d::disclosures)),
        today
    )
    .filter(va::attachment_id.eq(id))
    .filter(v::status.eq_any([VersionStatus::Published, VersionStatus::Superseded]))
    .count()
    .get_result(conn)?;
    Ok(n > 0)
}

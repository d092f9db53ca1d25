//! Publicity rules: the decision-publication deadline (PUB-6) and its status.

use chrono::NaiveDate;

use crate::rules::{ArticleRef, Regime};

/// 涉及行政许可的 … 应当依法公示 (what must be published).
pub const PUB_4: ArticleRef = ArticleRef::article(Regime::Pub, 4);
/// 公示的内容应随时调整并及时更新 (changes supersede).
pub const PUB_5: ArticleRef = ArticleRef::article(Regime::Pub, 5);
/// 应当公示而未按照规定予以公示的，按责任追究制度的规定追究执法责任 (the duty and its deadline).
pub const PUB_6: ArticleRef = ArticleRef::article(Regime::Pub, 6);

crate::text_enum! {
    /// Where a decision stands against its publication deadline.
    pub enum DeadlineStatus {
        /// Not yet published, and the due day has not passed.
        Pending = "pending",
        Published = "published",
        /// Not published, and the due day has passed (overdue from the next calendar day); also
        /// a decision revoked only after that day: the omission had already happened.
        Overdue = "overdue",
        /// The decision was revoked by its due day, before it was published: nothing was left
        /// to publish.
        Lapsed = "lapsed",
    }
}

/// The status on `today` of a decision due on `due_on`, published on `published_on` if at all,
/// and revoked on `revoked_on` if at all.
pub fn deadline_status(
    due_on: NaiveDate,
    published_on: Option<NaiveDate>,
    revoked_on: Option<NaiveDate>,
    today: NaiveDate,
) -> DeadlineStatus {
    match (published_on, revoked_on) {
        (Some(_), _) => DeadlineStatus::Published,
        _ if deadline_missed(due_on, None, revoked_on, today) => DeadlineStatus::Overdue,
        (None, Some(_)) => DeadlineStatus::Lapsed,
        (None, None) => DeadlineStatus::Pending,
    }
}

/// Whether the duty to publish by `due_on` was missed: the decision was published, revoked, or
/// is still unpublished `today`, after its due day (PUB-6). A late publication does not undo it.
pub fn deadline_missed(
    due_on: NaiveDate,
    published_on: Option<NaiveDate>,
    revoked_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    published_on.or(revoked_on).unwrap_or(today) > due_on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_day_itself_is_still_pending() {
        let due: NaiveDate = "2027-01-07".parse().unwrap();
        let next: NaiveDate = "2027-01-08".parse().unwrap();
        assert_eq!(deadline_status(due, None, None, due), DeadlineStatus::Pending);
        assert_eq!(deadline_status(due, None, None, next), DeadlineStatus::Overdue);
        assert_eq!(deadline_status(due, Some(next), None, next), DeadlineStatus::Published);
        assert_eq!(deadline_status(due, None, Some(due), next), DeadlineStatus::Lapsed);
        assert_eq!(deadline_status(due, None, Some(next), next), DeadlineStatus::Overdue);
        assert_eq!(
            deadline_status(due, Some(due), Some(next), next),
            DeadlineStatus::Published
        );
    }

    #[test]
    fn a_duty_is_missed_from_the_day_after_the_due_day() {
        let due: NaiveDate = "2027-01-07".parse().unwrap();
        let next: NaiveDate = "2027-01-08".parse().unwrap();
        assert!(!deadline_missed(due, None, None, due));
        assert!(deadline_missed(due, None, None, next));
        assert!(deadline_missed(due, Some(next), None, next));
        assert!(!deadline_missed(due, Some(due), None, next));
        assert!(!deadline_missed(due, None, Some(due), next));
        assert!(deadline_missed(due, None, Some(next), next));
    }
}

crate::text_enum! {
    /// What a disclosure item publishes (PUB-3, PUB-4).
    pub enum ContentType {
        /// 职责范围
        Duties = "duties",
        /// 执法依据 / 法定依据
        Basis = "basis",
        /// 法定标准
        Standard = "standard",
        /// 执法流程
        Procedure = "procedure",
        /// 执法决定 — links the act it publishes.
        Decision = "decision",
        /// 监督途径
        SupervisionChannel = "supervision_channel",
        /// 举报电话
        Hotline = "hotline",
        /// 机构设置、办公电话、办公地点
        OfficeInfo = "office_info",
    }
}

crate::text_enum! {
    /// The life of one version of a disclosure item.
    pub enum VersionStatus {
        Draft = "draft",
        /// Awaiting the supervisory office's review.
        Submitted = "submitted",
        Published = "published",
        /// Replaced by a later published version (PUB-5); still shown in the public history.
        Superseded = "superseded",
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    /// What an attachment is for.
    pub enum AttachmentPurpose {
        /// 申请书示范文本 — required on a licensing item (PUB-4).
        SampleApplicationForm = "sample_application_form",
        Other = "other",
    }
}

crate::text_enum! {
    /// Why a published item left the public lists.
    pub enum TakeDownReason {
        /// The retention period of a published decision ended.
        RetentionEnded = "retention_ended",
        /// The act whose decision it published was revoked.
        ActRevoked = "act_revoked",
    }
}

/// A step in a version's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Submit,
    Publish,
    /// Back to draft with the office's comment.
    Return,
    Withdraw,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Return => "return",
            Self::Withdraw => "withdraw",
        }
    }
}

/// A step the current status does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a disclosure whose latest version is {current}", step.name())]
pub struct StepRefused {
    pub step: Step,
    pub current: VersionStatus,
}

/// The one transition function of a version: draft → submitted → published → superseded |
/// withdrawn, and submitted → draft when returned. The office, which reviews, may also publish
/// a draft at once (its own items, or a staff draft it reviewed without the round trip).
pub fn step(current: VersionStatus, step: Step) -> Result<VersionStatus, StepRefused> {
    use VersionStatus::*;
    match (current, step) {
        (Draft, Step::Submit) => Ok(Submitted),
        (Draft | Submitted, Step::Publish) => Ok(Published),
        (Submitted, Step::Return) => Ok(Draft),
        (Published, Step::Withdraw) => Ok(Withdrawn),
        _ => Err(StepRefused { step, current }),
    }
}

/// How an edit applies to the latest version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// A draft is edited where it is.
    InPlace,
    /// A published or withdrawn version stays as it was; the edit becomes a new draft version
    /// which, once published, supersedes it (PUB-5).
    NewVersion,
}

pub fn edit(current: VersionStatus) -> Result<Edit, VersionStatus> {
    match current {
        VersionStatus::Draft => Ok(Edit::InPlace),
        VersionStatus::Published | VersionStatus::Withdrawn | VersionStatus::Superseded => Ok(Edit::NewVersion),
        VersionStatus::Submitted => Err(current),
    }
}

/// What a licensing item must publish (PUB-4, last paragraph): 许可的事项、依据、条件、数量、
/// 程序、期限以及需要提交的全部材料的目录和申请书示范文本.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicensingDetails {
    /// 事项
    pub matter: Option<String>,
    /// 依据
    pub basis: Option<String>,
    /// 条件
    pub conditions: Option<String>,
    /// 数量
    pub quantity: Option<String>,
    /// 程序
    pub procedure: Option<String>,
    /// 期限
    pub time_limit: Option<String>,
    /// 需要提交的全部材料的目录
    pub required_materials: Option<Vec<String>>,
}

impl LicensingDetails {
    /// These fields over `base`: an edit names the fields it changes, the rest stay.
    pub fn over(self, base: Option<Self>) -> Self {
        let base = base.unwrap_or_default();
        Self {
            matter: self.matter.or(base.matter),
            basis: self.basis.or(base.basis),
            conditions: self.conditions.or(base.conditions),
            quantity: self.quantity.or(base.quantity),
            procedure: self.procedure.or(base.procedure),
            time_limit: self.time_limit.or(base.time_limit),
            required_materials: self.required_materials.or(base.required_materials),
        }
    }
}

/// Whether an item of this category and content type is a licensing item that PUB-4 fills in.
pub fn is_licensing_item(category: crate::acts::rules::ActKind, content: ContentType) -> bool {
    category == crate::acts::rules::ActKind::Licensing && content != ContentType::Decision
}

/// The fields a licensing item still lacks before it can be published, in PUB-4's order.
pub fn licensing_missing(d: Option<&LicensingDetails>, has_sample_form: bool) -> Vec<&'static str> {
    let empty = LicensingDetails::default();
    let d = d.unwrap_or(&empty);
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let mut missing = Vec::new();
    for (field, value) in [
        ("licensing.matter", &d.matter),
        ("licensing.basis", &d.basis),
        ("licensing.conditions", &d.conditions),
        ("licensing.quantity", &d.quantity),
        ("licensing.procedure", &d.procedure),
        ("licensing.time_limit", &d.time_limit),
    ] {
        if blank(value) {
            missing.push(field);
        }
    }
    let materials = d.required_materials.as_deref().unwrap_or_default();
    if materials.is_empty() || materials.iter().any(|m| m.trim().is_empty()) {
        missing.push("licensing.required_materials");
    }
    if !has_sample_form {
        missing.push("attachments.sample_application_form");
    }
    missing
}

/// The last public day of a decision published on `published_on` that is kept `years` years.
pub fn public_until(published_on: NaiveDate, years: u32) -> NaiveDate {
    published_on
        .checked_add_months(chrono::Months::new(12 * years))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Office documents of the current format (Office Open XML): a zip container, whose first
/// bytes do not say which application's document it holds. (type, file extension).
const OOXML: &[(&str, &str)] = &[
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
];

/// Office documents of the older binary format (an OLE compound file), likewise.
const OLE: &[(&str, &str)] = &[
    ("application/msword", "doc"),
    ("application/vnd.ms-excel", "xls"),
    ("application/vnd.ms-powerpoint", "ppt"),
];

/// The stored type of an attachment: PDF, PNG, JPEG or an Office document, recognised by its
/// first bytes (the declared type is not trusted). For an Office container the declared type
/// or else the file name's extension says which document it is, if it names one of that
/// container; an older binary file naming none is taken for a Word document. Refused: any
/// other file, and a current-format Office file that names no application.
pub fn attachment_type(bytes: &[u8], declared: Option<&str>, filename: &str) -> Result<&'static str, &'static str> {
    const SINGLE: &[(&[u8], &str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
    ];
    if let Some((_, kind)) = SINGLE.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Ok(kind);
    }
    let family = if bytes.starts_with(b"PK\x03\x04") {
        OOXML
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        OLE
    } else {
        return Err("attachments must be PDF, Office documents, PNG or JPEG files");
    };
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let named = family
        .iter()
        .find(|(kind, _)| declared == Some(*kind))
        .or_else(|| family.iter().find(|(_, ext)| extension.as_deref() == Some(*ext)))
        .map(|(kind, _)| *kind);
    match (named, family == OLE) {
        (Some(kind), _) => Ok(kind),
        (None, true) => Ok(OLE[0].0),
        (None, false) => {
            Err("an Office document (.docx, .xlsx, .pptx) must be declared with its type or named with its extension")
        }
    }
}

/// Largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[test]
    fn each_step_is_allowed_only_from_where_the_lifecycle_allows() {
        use VersionStatus::*;
        for from in VersionStatus::ALL {
            for s in [Step::Submit, Step::Publish, Step::Return, Step::Withdraw] {
                let expected = match (from, s) {
                    (Draft, Step::Submit) => Some(Submitted),
                    (Draft | Submitted, Step::Publish) => Some(Published),
                    (Submitted, Step::Return) => Some(Draft),
                    (Published, Step::Withdraw) => Some(Withdrawn),
                    _ => None,
                };
                assert_eq!(step(*from, s).ok(), expected, "{from} {s:?}");
            }
        }
        assert_eq!(
            step(Published, Step::Publish).unwrap_err().to_string(),
            "cannot publish a disclosure whose latest version is published"
        );
    }

    #[test]
    fn a_licensing_item_lists_everything_it_lacks() {
        assert_eq!(licensing_missing(None, false).len(), 8);
        let full = LicensingDetails {
            matter: Some("危险化学品经营许可".into()),
            basis: Some("《危险化学品安全管理条例》".into()),
            conditions: Some("…".into()),
            quantity: Some("不限".into()),
            procedure: Some("受理—审查—决定".into()),
            time_limit: Some("20个工作日".into()),
            required_materials: Some(vec!["申请书".into()]),
        };
        assert!(licensing_missing(Some(&full), true).is_empty());
        assert_eq!(
            licensing_missing(Some(&full), false),
            ["attachments.sample_application_form"]
        );
        let blank_quantity = LicensingDetails {
            quantity: Some("  ".into()),
            required_materials: Some(vec![]),
            ..full
        };
        assert_eq!(
            licensing_missing(Some(&blank_quantity), true),
            ["licensing.quantity", "licensing.required_materials"]
        );
    }

    #[test]
    fn retention_ends_the_day_before_the_anniversary() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(public_until(d("2026-01-10"), 5), d("2031-01-09"));
        assert_eq!(public_until(d("2024-02-29"), 2), d("2026-02-27"));
    }

    #[test]
    fn attachments_are_recognised_by_content() {
        let kind = |bytes: &[u8], declared, name| attachment_type(bytes, declared, name);
        assert_eq!(kind(b"%PDF-1.7 ...", Some("image/png"), "a.png"), Ok("application/pdf"));
        assert_eq!(kind(b"\x89PNG\r\n\x1a\n....", None, "a"), Ok("image/png"));
        assert!(kind(b"MZ\x90\x00 an executable", Some("application/pdf"), "a.pdf").is_err());
        assert!(kind(b"", None, "a.pdf").is_err());
    }

    #[test]
    fn office_documents_are_named_by_their_declared_type_or_extension() {
        let (zip, ole) = (
            b"PK\x03\x04...".as_slice(),
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1...".as_slice(),
        );
        let kind = |bytes: &[u8], declared, name| attachment_type(bytes, declared, name);
        assert_eq!(kind(zip, Some(OOXML[1].0), "report"), Ok(OOXML[1].0));
        assert_eq!(kind(zip, Some("application/octet-stream"), "表.XLSX"), Ok(OOXML[1].0));
        assert_eq!(kind(zip, None, "slides.pptx"), Ok(OOXML[2].0));
        // A zip that names no Office application is refused, not stored under a made-up type.
        assert!(kind(zip, Some("application/zip"), "archive.zip").is_err());
        // A declared type of the other container does not count.
        assert_eq!(kind(ole, Some(OOXML[0].0), "old.xls"), Ok("application/vnd.ms-excel"));
        assert_eq!(kind(ole, None, "scan"), Ok("application/msword"));
    }
}

//! TRN rules: session forms and content (TRN-4, TRN-5), hours with one decimal, the yearly
//! minimum (TRN-6), the exam pass mark and what follows absence or failure (TRN-7).

use chrono::{Datelike, NaiveDate};

use crate::rules::{ArticleRef, Regime};

pub const TRN_5: ArticleRef = ArticleRef::article(Regime::Trn, 5);
pub const TRN_6: ArticleRef = ArticleRef::article(Regime::Trn, 6);
pub const TRN_7: ArticleRef = ArticleRef::article(Regime::Trn, 7);
pub const TRN_8: ArticleRef = ArticleRef::article(Regime::Trn, 8);

crate::text_enum! {
    /// How training is given (TRN-4).
    pub enum Form {
        /// 集中培训
        Centralized = "centralized",
        /// 法律讲座
        Lecture = "lecture",
        /// 案例分析会
        CaseAnalysis = "case_analysis",
        /// 法制办组织的业务培训
        LegalOfficeCourse = "legal_office_course",
        /// 自学
        SelfStudy = "self_study",
    }
}

crate::text_enum! {
    /// What training covers (TRN-5 (1)–(4)).
    pub enum ContentArea {
        /// 各执法岗位涉及的专业法律、法规、规章
        ProfessionalLaw = "professional_law",
        /// 行政执法工作程序
        Procedure = "procedure",
        /// 行政执法文书的制作、使用
        Documents = "documents",
        /// 相关法律、法规及案例
        RelatedLawAndCases = "related_law_and_cases",
    }
}

crate::text_enum! {
    pub enum Attendance {
        Present = "present",
        /// Without excuse: TRN-7 applies.
        Absent = "absent",
        /// With excuse: a make-up session is owed (补训).
        Excused = "excused",
    }
}

crate::text_enum! {
    pub enum SelfStudyStatus {
        Claimed = "claimed",
        /// Only confirmed hours count.
        Confirmed = "confirmed",
        Rejected = "rejected",
    }
}

crate::text_enum! {
    /// An exam absence.
    pub enum ExamAbsence {
        /// 因故: a make-up exam is owed (补考).
        Excused = "excused",
        /// Without excuse: TRN-7 applies as to a failure.
        Unexcused = "unexcused",
    }
}

crate::text_enum! {
    /// What follows from attendance and exams.
    pub enum ConsequenceKind {
        /// 责令离岗培训 (TRN-7).
        OffPostTraining = "off_post_training",
        /// 建议区法制办收回其行政执法证件 (TRN-7).
        CertificateWithdrawalRecommendation = "certificate_withdrawal_recommendation",
        /// 补训.
        MakeUpTraining = "make_up_training",
        /// 补考.
        MakeUpExam = "make_up_exam",
    }
}

crate::text_enum! {
    /// What caused a consequence, or fulfilled it.
    pub enum Cause {
        Session = "session",
        Exam = "exam",
        /// An accountability decision (ACC-6(1): 责令离岗培训).
        AccountabilityCase = "accountability_case",
        /// A certificate withdrawn by the legal office: fulfils a TRN-7 recommendation.
        Certificate = "certificate",
    }
}

impl Cause {
    /// The article a consequence of this cause rests on: a missed session or failed exam
    /// (TRN-7), or an accountability decision's 责令离岗培训 (ACC-6(1)).
    pub fn basis(self) -> ArticleRef {
        match self {
            Self::Session | Self::Exam | Self::Certificate => TRN_7,
            Self::AccountabilityCase => ArticleRef::item(Regime::Acc, 6, 1),
        }
    }
}

crate::text_enum! {
    /// The result of a note check (笔记检查, TRN-8).
    pub enum NoteResult {
        Good = "good",
        Adequate = "adequate",
        Poor = "poor",
    }
}

/// The most hours one record may carry. A session is recorded once with its date even when it
/// runs for days (a week's centralised course, a 30-hour legal-office course, TRN-4), so the
/// bound only catches typing errors.
pub const MOST_HOURS: f64 = 500.0;

/// Hours in tenths: one decimal, more than 0 and at most `MOST_HOURS`.
pub fn tenths(hours: f64) -> Result<i64, &'static str> {
    if !hours.is_finite() || hours <= 0.0 || hours > MOST_HOURS {
        return Err("must be more than 0 and at most 500");
    }
    let t = (hours * 10.0).round();
    if (t - hours * 10.0).abs() > 1e-6 {
        return Err("must have at most one decimal");
    }
    Ok(t as i64)
}

/// Tenths as hours for output.
pub fn hours(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

/// The day whose rules govern a year's figures: the year's last day once it is over,
/// otherwise today (so a change of the required hours takes effect from its date), but not
/// before the year begins.
pub fn rules_day(year: i32, today: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    today.clamp(first, last)
}

/// How far short of `required` hours `done` tenths are, in tenths (0 when compliant).
pub fn short_by(done: i64, required_hours: u32) -> i64 {
    (i64::from(required_hours) * 10 - done).max(0)
}

/// What an exam result or an attendance brings (TRN-7): (consequences, owed make-up).
pub fn consequences_of_absence(excused: bool) -> &'static [ConsequenceKind] {
    if excused {
        &[]
    } else {
        &[
            ConsequenceKind::OffPostTraining,
            ConsequenceKind::CertificateWithdrawalRecommendation,
        ]
    }
}

/// The deadline of a year's plan (年初有计划: end of January) and summary (年终有总结: end of
/// the next January).
pub fn plan_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 31).unwrap_or(NaiveDate::MAX)
}

pub fn summary_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, 1, 31).unwrap_or(NaiveDate::MAX)
}

/// Whether a plan or summary first filed on `filed_on` missed its due day (TRN-6).
pub fn filed_late(filed_on: NaiveDate, due_on: NaiveDate) -> bool {
    filed_on > due_on
}

/// Whether `year`'s summary (年终有总结) may be filed on `today`: it sums up a year, so not
/// before the year has begun; during the year it may be drafted and replaced.
pub fn summary_may_be_filed(year: i32, today: NaiveDate) -> bool {
    today.year() >= year
}

/// The year a date belongs to.
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_have_one_decimal_and_an_upper_bound() {
        assert_eq!(tenths(2.5), Ok(25));
        assert_eq!(tenths(0.1), Ok(1));
        assert_eq!(tenths(24.0), Ok(240));
        assert_eq!(tenths(30.0), Ok(300), "a multi-day course in one record");
        assert_eq!(tenths(500.0), Ok(5000));
        assert!(tenths(0.0).is_err());
        assert!(tenths(-1.0).is_err());
        assert!(tenths(500.1).is_err());
        assert!(tenths(1.25).is_err());
        assert!(tenths(f64::NAN).is_err());
    }

    #[test]
    fn the_yearly_minimum_boundary() {
        assert_eq!(short_by(299, 30), 1);
        assert_eq!(short_by(300, 30), 0);
        assert_eq!(short_by(450, 30), 0);
    }

    #[test]
    fn the_rules_of_a_year() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(rules_day(2026, d("2026-07-01")), d("2026-07-01"));
        assert_eq!(rules_day(2025, d("2026-07-01")), d("2025-12-31"));
        assert_eq!(rules_day(2027, d("2026-07-01")), d("2027-01-01"));
        assert_eq!(plan_due(2027), d("2027-01-31"));
        assert_eq!(summary_due(2026), d("2027-01-31"));
    }

    #[test]
    fn a_summary_waits_for_its_year_to_begin() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(!summary_may_be_filed(2027, d("2026-12-31")));
        assert!(summary_may_be_filed(2027, d("2027-01-01")));
        assert!(summary_may_be_filed(2026, d("2027-01-31")));
    }

    #[test]
    fn a_document_filed_on_its_due_day_is_in_time() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(!filed_late(d("2027-01-31"), plan_due(2027)));
        assert!(filed_late(d("2027-02-01"), plan_due(2027)));
    }
}

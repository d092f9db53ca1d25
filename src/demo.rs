//! `serve --demo`: a fictional bureau, seeded once into an empty database, so a newcomer can
//! sign in as each role and click through Swagger UI at once.

use chrono::Days;

use crate::audit::{self, Actor};
use crate::auth::Role;
use crate::db::{Db, DbConn};
use crate::http::AppError;
use crate::org::api::users::{create_account, prepare_account};
use crate::org::rules::{CauseKind, CertificateStatus, Position};
use crate::org::store::{certificates, departments, people};

/// A demo account: its username, password and role.
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub person: &'static str,
}

/// The demo accounts; their passwords are public, so never seed them into a real bureau.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "leader",
        password: "leader-demo-2026",
        role: Role::Leadership,
        person: "张建国",
    },
    DemoAccount {
        username: "office",
        password: "office-demo-2026",
        role: Role::SupervisoryOffice,
        person: "陈静",
    },
    DemoAccount {
        username: "staff",
        password: "staff-demo-2026",
        role: Role::Staff,
        person: "王伟",
    },
];

const DEPARTMENTS: &[(&str, &str)] = &[("综合处", "ZHC"), ("监管处", "JGC"), ("职业健康监管中心", "ZYJK")];

/// (name, position, department index)
const PEOPLE: &[(&str, Position, usize)] = &[
    ("张建国", Position::Director, 0),
    ("李明", Position::DeputyDirector, 0),
    ("刘芳", Position::DeputyDirector, 0),
    ("陈静", Position::DepartmentHead, 0),
    ("赵强", Position::DepartmentHead, 1),
    ("孙丽", Position::DepartmentHead, 2),
    ("王伟", Position::Officer, 1),
    ("周杰", Position::Officer, 1),
    ("吴敏", Position::Officer, 2),
    ("郑浩", Position::Officer, 0),
];

/// Sample acts and disclosures: a published hotline, a penalty decision published on time,
/// an older decision left unpublished (so the overdue list has an entry), a licensing draft.
fn seed_register(conn: &mut DbConn, actor: &Actor, depts: &[i64], people: &[i64], by: i64) -> Result<(), AppError> {
    use crate::acts::rules::{ActKind, CounterpartType, PenaltyProcedure};
    use crate::acts::store::{self as acts, ActFields};
    use crate::publicity::rules::{ContentType, LicensingDetails};
    use crate::publicity::store::{self as publicity, Content, NewItem};
    let (today, now) = (crate::db::today(), crate::db::now());
    let act = |kind, procedure, officer: usize, days_ago: u64, text: &str| ActFields {
        kind,
        penalty_procedure: procedure,
        department_id: depts[1],
        counterpart_name: "大连某化工有限公司".into(),
        counterpart_type: CounterpartType::LegalPerson,
        legal_basis: "《中华人民共和国安全生产法》".into(),
        decision_text: text.into(),
        decision_date: today - Days::new(days_ago),
        major: false,
        officers: vec![people[officer]],
    };
    let on_time = act(
        ActKind::Penalty,
        Some(PenaltyProcedure::FiledCase),
        6,
        3,
        "罚款人民币三万元",
    );
    let late = act(ActKind::Inspection, None, 6, 60, "责令限期整改");
    let mut ids = Vec::new();
    for fields in [&on_time, &late] {
        let id = acts::create(conn, fields, by, now)?.0.id;
        audit::append(conn, actor, "act.create", "act", id, fields)?;
        ids.push(id);
    }
    let publish = |conn: &mut DbConn, item: NewItem, content: Content| -> Result<i64, AppError> {
        let id = publicity::create(conn, &item, &content, by, now)?;
        let entry = publicity::item(conn, id, crate::auth::rules::Visibility::All)?;
        let version = publicity::latest(conn, id)?;
        let until = item.act_id.map(|_| crate::publicity::rules::public_until(today, 5));
        publicity::publish(conn, &entry, &version, by, today, until, now)?;
        if let Some(act) = item.act_id {
            acts::mark_disclosed(conn, act, today)?;
        }
        audit::append(conn, actor, "disclosure.publish", "disclosure", id, &content)?;
        Ok(id)
    };
    let text = |title: &str, body: &str| Content {
        title: title.into(),
        body: body.into(),
        licensing: None,
    };
    publish(
        conn,
        NewItem {
            department_id: depts[0],
            category: ActKind::Other,
            content_type: ContentType::Hotline,
            act_id: None,
        },
        text("安全生产举报电话", "举报电话：0411-12350（演示数据）"),
    )?;
    publish(
        conn,
        NewItem {
            department_id: depts[1],
            category: ActKind::Penalty,
            content_type: ContentType::Decision,
            act_id: Some(ids[0]),
        },
        text("行政处罚决定公示", "对大连某化工有限公司罚款人民币三万元（演示数据）"),
    )?;
    let draft = Content {
        title: "危险化学品经营许可办事指南".into(),
        body: "草稿（演示数据）".into(),
        licensing: Some(LicensingDetails {
            matter: Some("危险化学品经营许可".into()),
            ..Default::default()
        }),
    };
    let item = NewItem {
        department_id: depts[1],
        category: ActKind::Licensing,
        content_type: ContentType::Procedure,
        act_id: None,
    };
    let id = publicity::create(conn, &item, &draft, by, now)?;
    audit::append(conn, actor, "disclosure.create", "disclosure", id, &draft)?;
    seed_evaluation(conn, actor, depts[1], ids[0], by)
}

/// One deduction on this year's score sheet (EVAL-5(3), a filed-case penalty: 3 points) and a
/// leadership meeting.
fn seed_evaluation(conn: &mut DbConn, actor: &Actor, department: i64, act: i64, by: i64) -> Result<(), AppError> {
    use crate::acts::rules::PenaltyProcedure;
    use crate::evaluation::rules::{EvidenceKind, ProblemType};
    use crate::evaluation::store::{self as eval, NewDeduction};
    use chrono::Datelike;
    let (today, now) = (crate::db::today(), crate::db::now());
    let version = crate::rules::store::in_force(conn, today)?.rule;
    let new = NewDeduction {
        year: today.year(),
        department_id: department,
        problem_type: ProblemType::InsufficientEvidence,
        evidence_kind: EvidenceKind::Act,
        evidence_id: act,
        penalty_procedure: Some(PenaltyProcedure::FiledCase),
        points: version.values.score_sheet.penalty_filed_case_deduction,
        rule_version: version.version,
        found_on: today,
        note: "询问笔录缺当事人签字（演示数据）".into(),
    };
    let id = eval::create(conn, &new, by, now)?.id;
    audit::append(
        conn,
        actor,
        "evaluation.deduct",
        "eval_deduction",
        id,
        &serde_json::json!({"act": act}),
    )?;
    let m = eval::add_meeting(
        conn,
        today,
        "执法工作领导小组月度例会",
        "检查各处室执法案卷（演示数据）",
        by,
        now,
    )?;
    audit::append(
        conn,
        actor,
        "evaluation.meeting",
        "eval_meeting",
        m,
        &serde_json::json!({"held_on": today}),
    )?;
    Ok(())
}

/// Whether the database already holds an organisation (then nothing is seeded).
fn is_empty(conn: &mut DbConn) -> Result<bool, AppError> {
    use diesel::prelude::*;
    let n: i64 = crate::db::schema::departments::table.count().get_result(conn)?;
    Ok(n == 0)
}

/// Seeds the demo bureau into an empty database; returns false when it was not empty.
pub fn seed(db: &Db) -> Result<bool, AppError> {
    // Hash outside the transaction: argon2 is slow and SQLite has one writer.
    let accounts = ACCOUNTS
        .iter()
        .map(|a| prepare_account(a.username, a.password, a.role, Some(0)).map(|u| (a, u)))
        .collect::<Result<Vec<_>, _>>()?;
    db.write_blocking(|conn| {
        if !is_empty(conn)? {
            return Ok(false);
        }
        let actor = Actor::System("demo-seed");
        let now = crate::db::now();
        let today = crate::db::today();
        let mut dept_ids = Vec::new();
        for (name, code) in DEPARTMENTS {
            let d = departments::create(
                conn,
                &departments::NewDepartment {
                    name: (*name).into(),
                    code: (*code).into(),
                    active: true,
                },
                now,
            )?;
            audit::append(conn, &actor, "department.create", "department", d.id, &d)?;
            dept_ids.push(d.id);
        }
        let mut person_ids = Vec::new();
        for (i, (name, position, dept)) in PEOPLE.iter().enumerate() {
            let new = people::NewPerson {
                name: (*name).into(),
                position: *position,
                department_id: dept_ids[*dept],
                active: true,
            };
            let p = people::create(conn, &new, now)?;
            audit::append(conn, &actor, "person.create", "person", p.id, &p)?;
            person_ids.push(p.id);
            // Everyone but the director and deputies holds a certificate; the first officer's
            // expires within 30 days, the second's is suspended.
            if i >= 3 {
                let expires_on = match i {
                    6 => today + Days::new(20),
                    _ => today + Days::new(900 + 30 * i as u64),
                };
                let new = certificates::NewCertificate {
                    number: format!("LN-GX-2025-{:04}", i + 1),
                    holder_id: p.id,
                    issued_on: today - Days::new(200),
                    expires_on,
                };
                let id = certificates::create(conn, &new, None, now)?;
                audit::append(
                    conn,
                    &actor,
                    "certificate.create",
                    "certificate",
                    id,
                    &serde_json::json!({"number": new.number, "holder_id": p.id}),
                )?;
                if i == 7 {
                    let change = certificates::Change {
                        to: CertificateStatus::Suspended,
                        reason: "demo: suspended pending review of a case file",
                        cause_kind: CauseKind::Manual,
                        cause_ref: None,
                        by: None,
                    };
                    certificates::change_status(conn, id, CertificateStatus::Valid, &change, now)?;
                    audit::append(
                        conn,
                        &actor,
                        "certificate.status",
                        "certificate",
                        id,
                        &serde_json::json!({"to": "suspended"}),
                    )?;
                }
            }
        }
        let mut office_user = 0;
        for (account, mut new) in accounts {
            let index = PEOPLE.iter().position(|(n, _, _)| *n == account.person).unwrap_or(0);
            new.person_id = Some(person_ids[index]);
            let user = create_account(conn, &actor, new)?;
            if account.role == Role::SupervisoryOffice {
                office_user = user.id;
            }
        }
        seed_register(conn, &actor, &dept_ids, &person_ids, office_user)?;
        Ok(true)
    })
}

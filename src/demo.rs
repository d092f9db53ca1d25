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
        for (account, mut new) in accounts {
            let index = PEOPLE.iter().position(|(n, _, _)| *n == account.person).unwrap_or(0);
            new.person_id = Some(person_ids[index]);
            create_account(conn, &actor, new)?;
        }
        Ok(true)
    })
}

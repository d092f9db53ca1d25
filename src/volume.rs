//! `seed-volume`: realistic volumes for load benchmarks — enforcement acts with their
//! officers and deadlines, and published disclosures — written in large SQL batches.

use chrono::{Days, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::acts::rules::ActKind;
use crate::audit::{self, Actor};
use crate::db::schema::{acts, departments, people};
use crate::db::{Db, DbConn};
use crate::http::AppError;
use crate::rules::{calendar, ruleset, store as rules_store};

const BATCH: usize = 500;

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn run_batches(conn: &mut DbConn, head: &str, rows: impl Iterator<Item = String>) -> Result<(), AppError> {
    let rows: Vec<String> = rows.collect();
    for chunk in rows.chunks(BATCH) {
        conn.batch_execute(&format!("{head} VALUES {}", chunk.join(",")))?;
    }
    Ok(())
}

/// Adds `acts` acts over the last five years and `disclosures` published items (half of them
/// decisions of those acts) to a database that already holds a bureau (`serve --demo` seeds one).
pub fn seed(db: &Db, acts_n: usize, disclosures_n: usize) -> Result<(), AppError> {
    db.write_blocking(|conn| {
        let depts: Vec<i64> = departments::table.select(departments::id).order(departments::id).load(conn)?;
        let officers: Vec<i64> = people::table.select(people::id).order(people::id).load(conn)?;
        if depts.is_empty() || officers.is_empty() {
            return Err(AppError::BadRequest("seed a bureau first (serve --demo)".into()));
        }
        let today = crate::db::today();
        let start = today - Days::new(5 * 365);
        let versions: Vec<ruleset::RuleVersion> = rules_store::versions(conn)?.into_iter().map(|v| v.rule).collect();
        let cal = rules_store::calendar(conn, start, today + Days::new(400))?;
        let first_act: i64 = acts::table.select(diesel::dsl::max(acts::id)).first::<Option<i64>>(conn)?.unwrap_or(0) + 1;
        let now = crate::db::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
        let act_rows = (0..acts_n).map(|i| {
            let kind = ActKind::ALL[i % ActKind::ALL.len()];
            let decided = start + Days::new((i * 5 * 365 / acts_n.max(1)) as u64);
            let rules = ruleset::in_force(&versions, decided).unwrap_or(&versions[0]);
            let n = rules.values.disclosure_deadline_working_days.for_kind(kind);
            let due = calendar::add_working_days(&cal, decided, n).due_on;
            let procedure = if kind == ActKind::Penalty { quote(if i % 2 == 0 { "on_the_spot" } else { "filed_case" }) } else { "NULL".into() };
            format!(
                "({}, {procedure}, {}, {}, {}, {}, {}, {}, FALSE, 'active', {}, {}, {now}, {now})",
                quote(kind.as_str()),
                depts[i % depts.len()],
                quote(&format!("相对人{i}")),
                quote(if i % 3 == 0 { "natural_person" } else { "legal_person" }),
                quote("《安全生产法》"),
                quote(&format!("决定书第{i}号")),
                quote(&decided.to_string()),
                quote(&due.to_string()),
                rules.version,
                now = quote(&now),
            )
        });
        run_batches(
            conn,
            "INSERT INTO acts (kind, penalty_procedure, department_id, counterpart_name, counterpart_type, legal_basis, \
             decision_text, decision_date, major, status, disclosure_due_on, disclosure_rule_version, created_at, updated_at)",
            act_rows,
        )?;
        conn.batch_execute(&format!(
            "INSERT INTO act_officers (act_id, person_id) SELECT id, {} FROM acts WHERE id >= {first_act}",
            officers[officers.len() - 1]
        ))?;
        let first_item: i64 = crate::db::schema::disclosures::table
            .select(diesel::dsl::max(crate::db::schema::disclosures::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0)
            + 1;
        let item_rows = (0..disclosures_n).map(|i| {
            let published: NaiveDate = start + Days::new((i * 5 * 365 / disclosures_n.max(1)) as u64);
            let decision = i % 2 == 0 && i / 2 < acts_n;
            let (category, content, act, until) = if decision {
                let kind = ActKind::ALL[(i / 2) % ActKind::ALL.len()];
                let until = crate::publicity::rules::public_until(published, 5);
                (kind.as_str(), "decision", (first_act + (i / 2) as i64).to_string(), quote(&until.to_string()))
            } else {
                (ActKind::ALL[i % ActKind::ALL.len()].as_str(), "procedure", "NULL".into(), "NULL".into())
            };
            format!(
                "({}, {}, {}, {act}, {}, {}, {until}, {now}, {now})",
                depts[i % depts.len()],
                quote(category),
                quote(content),
                quote(&format!("公示事项{i}")),
                quote(&published.to_string()),
                now = quote(&now),
            )
        });
        run_batches(
            conn,
            "INSERT INTO disclosures (department_id, category, content_type, act_id, public_title, published_on, public_until, created_at, updated_at)",
            item_rows,
        )?;
        conn.batch_execute(&format!(
            "INSERT INTO disclosure_versions (disclosure_id, number, status, title, body, created_at, updated_at, published_at) \
             SELECT id, 1, 'published', public_title, '公示内容：' || public_title, created_at, created_at, created_at \
             FROM disclosures WHERE id >= {first_item}; \
             UPDATE disclosures SET public_version_id = (SELECT v.id FROM disclosure_versions v WHERE v.disclosure_id = disclosures.id) \
             WHERE id >= {first_item}; \
             UPDATE acts SET disclosed_on = (SELECT d.published_on FROM disclosures d WHERE d.act_id = acts.id) \
             WHERE id >= {first_act} AND id IN (SELECT act_id FROM disclosures WHERE act_id IS NOT NULL);"
        ))?;
        // Fresh planner statistics, as after any bulk load.
        conn.batch_execute("ANALYZE")?;
        let counts = serde_json::json!({"acts": acts_n, "disclosures": disclosures_n});
        audit::append(conn, &Actor::System("seed-volume"), "volume.seed", "bureau", 0, &counts)?;
        Ok(())
    })
}

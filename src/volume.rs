//! `seed-volume`: realistic volumes for load benchmarks — enforcement acts with their
//! officers and deadlines, and published disclosures — written in large SQL batches.

use chrono::{Days, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::acts::rules::ActKind;
use crate::audit::{self, Actor};
use crate::db::schema::{departments, people};
use crate::db::{Db, DbConn};
use crate::http::AppError;
use crate::rules::store as rules_store;

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
        let today = crate::db::today();
        let start = today - Days::new(5 * 365);
        let depts = bureau(conn)?;
        date_back(conn, start)?;
        let officers: Vec<i64> = people::table.select(people::id).order(people::id).load(conn)?;
        if officers.is_empty() {
            return Err(no_bureau());
        }
        let book = rules_store::book(conn)?;
        let first_act = next_id(conn, "acts")?;
        let now = now_literal();
        let act_rows = (0..acts_n).map(|i| {
            let kind = ActKind::ALL[i % ActKind::ALL.len()];
            let decided = start + Days::new((i * 5 * 365 / acts_n.max(1)) as u64);
            let rules = &book.in_force(decided).unwrap_or(&book.versions[0]).rule;
            let n = rules.values.disclosure_deadline_working_days.for_kind(kind);
            let due = book.due_date(decided, n).due_on;
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
        let first_item = next_id(conn, "disclosures")?;
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
        seed_registers(conn, &depts, start, today, &now)?;
        // Fresh planner statistics, as after any bulk load.
        conn.batch_execute("ANALYZE")?;
        let counts = serde_json::json!({"acts": acts_n, "disclosures": disclosures_n, "people": PEOPLE,
            "years": 5, "findings_per_inspection": FINDINGS_PER_INSPECTION});
        audit::append(conn, &Actor::System("seed-volume"), "volume.seed", "bureau", 0, &counts)?;
        Ok(())
    })
}

/// Adds `n` disclosures submitted for review and not yet published (the publication writes of
/// the write benchmark); returns the first and last of their ids.
pub fn seed_submitted(db: &Db, n: usize) -> Result<(i64, i64), AppError> {
    db.write_blocking(|conn| {
        let dept = bureau(conn)?[0];
        let first = next_id(conn, "disclosures")?;
        let now = quote(&now_literal());
        let rows = (0..n).map(|_| format!("({dept}, 'penalty', 'procedure', {now}, {now})"));
        run_batches(
            conn,
            "INSERT INTO disclosures (department_id, category, content_type, created_at, updated_at)",
            rows,
        )?;
        conn.batch_execute(&format!(
            "INSERT INTO disclosure_versions (disclosure_id, number, status, title, body, created_at, updated_at) \
             SELECT id, 1, 'submitted', '待审公示', '公示内容', created_at, created_at FROM disclosures WHERE id >= {first};"
        ))?;
        let last = next_id(conn, "disclosures")? - 1;
        // The statistics of `seed` predate these rows: left stale, they showed SQLite's planner
        // a partial index of public items that covered every item, and it scanned instead.
        conn.batch_execute("ANALYZE")?;
        audit::append(conn, &Actor::System("seed-volume"), "volume.seed_submitted", "bureau", 0, &serde_json::json!({"submitted": n}))?;
        Ok((first, last))
    })
}

/// Dates the bureau's departments back to `start`, as the five years of registers added to
/// them need: a department set up later is not on an earlier year's score sheet.
fn date_back(conn: &mut DbConn, start: NaiveDate) -> Result<(), AppError> {
    let founded = start.and_time(chrono::NaiveTime::MIN);
    diesel::update(departments::table.filter(departments::created_at.gt(founded)))
        .set(departments::created_at.eq(founded))
        .execute(conn)?;
    Ok(())
}

/// The bureau's departments, in order: the volumes are added to a bureau, never seed one.
fn bureau(conn: &mut DbConn) -> Result<Vec<i64>, AppError> {
    let depts: Vec<i64> = departments::table
        .select(departments::id)
        .order(departments::id)
        .load(conn)?;
    if depts.is_empty() {
        return Err(no_bureau());
    }
    Ok(depts)
}

fn no_bureau() -> AppError {
    AppError::BadRequest("seed a bureau first (serve --demo)".into())
}

/// Now, as the timestamp text the batches insert.
fn now_literal() -> String {
    crate::db::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// People added beside the demo bureau's.
const PEOPLE: usize = 200;
const FINDINGS_PER_INSPECTION: usize = 25;

/// Five years of the other registers: 200 officers, a monthly training session each attended,
/// four concluded inspections a year with their findings, a score-sheet deduction resting on
/// each finding, and accountability cases proposed from some of the findings.
fn seed_registers(
    conn: &mut DbConn,
    depts: &[i64],
    start: NaiveDate,
    today: NaiveDate,
    now: &str,
) -> Result<(), AppError> {
    let now = quote(now);
    let first_person = next_id(conn, "people")?;
    let people = (0..PEOPLE).map(|i| {
        format!(
            "({}, 'officer', {}, TRUE, {now}, {now})",
            quote(&format!("执法人员{i}")),
            depts[i % depts.len()]
        )
    });
    run_batches(
        conn,
        "INSERT INTO people (name, position, department_id, active, created_at, updated_at)",
        people,
    )?;
    let months = (0..60u64)
        .map(|m| start + Days::new(m * 365 / 12))
        .filter(|d| *d <= today);
    let first_session = next_id(conn, "training_sessions")?;
    let sessions = months.map(|d| {
        format!(
            "({}, 'centralized', '[\"related_law_and_cases\"]', {}, 30, {now}, {now})",
            quote(&format!("月度法制学习 {d}")),
            quote(&d.to_string())
        )
    });
    run_batches(
        conn,
        "INSERT INTO training_sessions (title, form, content_areas, held_on, hours_tenths, created_at, updated_at)",
        sessions,
    )?;
    conn.batch_execute(&format!(
        "INSERT INTO session_participants (session_id, person_id, attendance) \
         SELECT s.id, p.id, CASE WHEN (s.id + p.id) % 25 = 0 THEN 'absent' ELSE 'present' END \
         FROM training_sessions s, people p WHERE s.id >= {first_session} AND p.id >= {first_person}"
    ))?;
    let first_inspection = next_id(conn, "inspections")?;
    let quarters = (0..20u64)
        .map(|q| start + Days::new(q * 365 / 4))
        .filter(|d| *d < today);
    let inspections = quarters.map(|d| {
        let kind = if chrono::Datelike::month(&d) <= 6 {
            "regular"
        } else {
            "ad_hoc"
        };
        let (from, to) = (quote(&d.to_string()), quote(&(d + Days::new(10)).to_string()));
        format!(
            "({}, {}, {from}, {to}, 'concluded', {now}, {now}, '检查结论', {now}, {now})",
            quote(kind),
            quote(&format!("执法检查 {d}"))
        )
    });
    run_batches(
        conn,
        "INSERT INTO inspections (kind, title, period_from, period_to, status, started_at, concluded_at, conclusion, created_at, updated_at)",
        inspections,
    )?;
    let first_finding = next_id(conn, "findings")?;
    conn.batch_execute(&format!(
        "INSERT INTO findings (inspection_id, checklist_item, description, department_id, found_on, created_at) \
         SELECT i.id, 1 + (n.k % 9), '检查发现的问题', {depts_case}, i.period_to, {now} \
         FROM inspections i, ({numbers}) n WHERE i.id >= {first_inspection}",
        depts_case = case_of("n.k", depts),
        numbers = (0..FINDINGS_PER_INSPECTION)
            .map(|k| format!("SELECT {k} AS k"))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
    ))?;
    // A case proposed from every twelfth finding (about eight a year), every other one under
    // investigation, the finding's department answering.
    let first_case = next_id(conn, "acc_cases")?;
    conn.batch_execute(&format!(
        "INSERT INTO acc_cases (status, source_kind, source_id, fault_types, act_ids, facts, fault_on, created_at, updated_at) \
         SELECT CASE WHEN (f.id - {first_finding}) % 24 = 0 THEN 'investigating' ELSE 'proposed' END, 'finding', f.id, \
         '[1]', '[]', '检查发现：执法过错', f.found_on, {now}, {now} \
         FROM findings f WHERE f.id >= {first_finding} AND (f.id - {first_finding}) % 12 = 0; \
         INSERT INTO acc_respondents (case_id, kind, target_id, department_id) \
         SELECT c.id, 'department', f.department_id, f.department_id \
         FROM acc_cases c JOIN findings f ON f.id = c.source_id WHERE c.id >= {first_case};"
    ))?;
    let year = |col: &str| match conn {
        DbConn::Sqlite(_) => format!("CAST(strftime('%Y', {col}) AS INTEGER)"),
        DbConn::Postgres(_) => format!("CAST(EXTRACT(YEAR FROM {col}) AS INTEGER)"),
    };
    let found_year = year("f.found_on");
    conn.batch_execute(&format!(
        "INSERT INTO eval_deductions (year, department_id, section, problem_type, evidence_kind, evidence_id, \
         penalty_procedure, points, rule_version, found_on, note, created_at) \
         SELECT {found_year}, f.department_id, 'penalty', 'other_penalty_defect', 'finding', f.id, 'filed_case', 3, 1, \
         f.found_on, '', {now} FROM findings f WHERE f.id >= {first_finding}"
    ))?;
    Ok(())
}

/// A SQL CASE that spreads `k` over the departments.
fn case_of(k: &str, depts: &[i64]) -> String {
    let arms: Vec<String> = depts
        .iter()
        .enumerate()
        .map(|(i, d)| format!("WHEN {i} THEN {d}"))
        .collect();
    format!("CASE {k} % {} {} END", depts.len(), arms.join(" "))
}

/// The id the next row of `table` will get at the least (bulk loads count from it).
fn next_id(conn: &mut DbConn, table: &str) -> Result<i64, AppError> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        id: Option<i64>,
    }
    let m: Max = diesel::sql_query(format!("SELECT MAX(id) AS id FROM {table}")).get_result(conn)?;
    Ok(m.id.unwrap_or(0) + 1)
}

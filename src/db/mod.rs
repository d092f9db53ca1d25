//! Storage: one connection type over SQLite and PostgreSQL, the pool, migrations, and the
//! two ways handlers touch the database (`Db::read`, `Db::write`), both off the async workers.

pub mod enums;
pub mod schema;
pub mod statistics;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::connection::TransactionManager;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use thread_local::ThreadLocal;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One database connection, whichever backend the URL chose.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend named by a database URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL scheme.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite://") {
            Ok(Self::Sqlite)
        } else {
            Err("must start with sqlite:// or postgres://".into())
        }
    }
}

/// What can go wrong in the storage layer.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing record: {0}")]
    Unique(String),
    #[error("refers to a record that does not exist: {0}")]
    ForeignKey(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Unique(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                Self::ForeignKey(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            // SQLite's lock still held by another connection when the busy timeout ran out: the
            // database is busy, not broken (503, retry later), never a 500.
            DieselError::DatabaseError(_, info) if info.message() == "database is locked" => {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Other(other.to_string()),
        }
    }
}

/// Turns on what SQLite needs for a server: WAL, foreign keys and a busy timeout, the timeout
/// first: a connection opened while the writer commits otherwise met `database is locked` at
/// once on the journal-mode pragma (seen as 500s on the first requests of a write load). Temporary
/// storage in memory keeps the statement journals of group commit's savepoints (each write of a
/// group copies the pages it first touches there) off a spill file: profiled, that file's
/// writes were an eighth of the writer's time.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The pool plus what makes writes safe on each backend.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<DbConn>>,
    backend: Backend,
    /// Write transactions this process committed (`http::pages`).
    commits: Arc<AtomicU64>,
    sqlite: Option<Arc<SqliteSide>>,
}

/// What a SQLite database gets besides the pool.
struct SqliteSide {
    path: String,
    /// The one connection that writes. SQLite has one writer at a time; taking turns here
    /// means a writer never meets `database is locked` from another of our writers (a deferred
    /// transaction upgrading its lock fails at once, without waiting for the busy timeout).
    /// And a connection keeps its page cache only while no other connection writes: the
    /// writer's stays warm, where a pooled writer re-read every page it touched.
    writer: Arc<Mutex<Option<DbConn>>>,
    /// Where the API's writes queue for the writer thread (`Db::write`).
    jobs: mpsc::SyncSender<Job>,
    /// A connection of its own for each thread that calls `read_here`.
    readers: ThreadLocal<RefCell<DbConn>>,
}

/// A write waiting its turn: it runs its work on the writer and gives back what answers its
/// caller once the fate of the transaction it ran in is known.
type Job = Box<dyn FnOnce(&mut DbConn) -> Answer + Send>;
type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// The most writes one transaction takes, so that a flood still commits as it goes.
const MOST_IN_ONE_COMMIT: usize = 256;
/// The most writes waiting for the writer; past it a write is refused at once (503) rather
/// than queued without bound behind a flood (about half a second of act records).
pub const WAITING_AT_MOST: usize = 4096;

/// Locks the write connection.
fn lock_writer(writer: &Mutex<Option<DbConn>>) -> MutexGuard<'_, Option<DbConn>> {
    writer.lock().unwrap_or_else(|poisoned| {
        // A writer panicked, maybe inside a transaction: drop its connection (rolling that
        // back) rather than write on inside it.
        writer.clear_poison();
        let mut conn = poisoned.into_inner();
        *conn = None;
        conn
    })
}

/// Runs `f` in one transaction on the write connection, opening it when missing.
fn transaction_on<T, E>(
    path: &str,
    writer: &mut Option<DbConn>,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError> + From<DieselError>,
{
    let conn = match &mut *writer {
        Some(conn) => conn,
        empty => empty.insert(open_sqlite(path)?),
    };
    let out = immediate_transaction(conn, f);
    if out.is_err() && <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn) {
        *writer = None;
    }
    out
}

/// `f` in a transaction that holds SQLite's write lock from its start (`BEGIN IMMEDIATE`). A
/// deferred `BEGIN` reads first and takes the lock at its first write; a reader that briefly
/// holds the log's write lock just then (SQLite does while it re-reads a log header it saw
/// changing) made that write fail at once with `database is locked`, the busy timeout not
/// applying to a transaction that already reads: seen as 500s on a whole group under load.
fn immediate_transaction<T, E>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
where
    E: From<DieselError>,
{
    type Manager = <DbConn as Connection>::TransactionManager;
    match conn {
        DbConn::Sqlite(c) => diesel::connection::AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(_) => Manager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// The thread that commits the API's writes on SQLite, in groups (group commit): the writes
/// that queued while it was busy run together, each in a savepoint of one transaction (an
/// error rolls back that write alone), and commit once. A commit writes every page it changed
/// to the log; consecutive writes change the same pages (the last leaf of each table and
/// index), so a group writes them once. Each caller is answered after the commit; if it
/// fails, every write of the group gets its error. A caller waits on its answer alone, with
/// no thread of its own blocked: one wake-up to queue, one to answer.
struct WriterThread {
    path: String,
    writer: Arc<Mutex<Option<DbConn>>>,
    jobs: mpsc::Receiver<Job>,
}

impl WriterThread {
    /// Commits groups until every `Db` of this database is gone.
    fn run(self) {
        let mut waiting = VecDeque::new();
        loop {
            if waiting.is_empty() {
                match self.jobs.recv() {
                    Ok(first) => waiting.push_back(first),
                    Err(_) => return,
                }
            }
            let room = MOST_IN_ONE_COMMIT.saturating_sub(waiting.len());
            waiting.extend(self.jobs.try_iter().take(room));
            self.commit(&mut waiting);
        }
    }

    /// Runs the waiting writes in one transaction and answers those that ran. A write whose
    /// failure ended the transaction (SQLite rolls it all back on some errors: disk full, I/O)
    /// leaves the rest waiting for the next one: run after it, outside any transaction, each
    /// would have committed on its own while its caller was told it failed.
    fn commit(&self, waiting: &mut VecDeque<Job>) {
        let mut writer = lock_writer(&self.writer);
        let mut answers = Vec::with_capacity(waiting.len());
        let committed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            transaction_on(&self.path, &mut writer, |conn| {
                while let Some(job) = waiting.pop_front() {
                    answers.push(job(conn));
                    if !in_transaction(conn) {
                        break;
                    }
                }
                Ok::<_, StoreError>(())
            })
        }));
        match committed {
            Ok(committed) => answers.into_iter().for_each(|answer| answer(committed.clone())),
            // A write panicked inside the transaction: drop the connection, rolling the group
            // back; its callers, unanswered, learn that their writes failed.
            Err(_) => *writer = None,
        }
    }
}

/// Whether `conn` is still inside a transaction (or its transaction manager failed, so that
/// nothing more runs on it).
fn in_transaction(conn: &mut DbConn) -> bool {
    // diesel calls a connection with an open transaction "broken" for a pool.
    <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
}

impl SqliteSide {
    fn open(path: String) -> Arc<Self> {
        let writer = Arc::new(Mutex::new(None));
        let (jobs, queued) = mpsc::sync_channel(WAITING_AT_MOST);
        let thread = WriterThread {
            path: path.clone(),
            writer: Arc::clone(&writer),
            jobs: queued,
        };
        // Without its thread the database takes no writes; `Db::write` says so (503).
        let _ = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || thread.run());
        Arc::new(Self {
            path,
            writer,
            jobs,
            readers: ThreadLocal::new(),
        })
    }

    fn write<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + From<DieselError>,
    {
        transaction_on(&self.path, &mut lock_writer(&self.writer), work)
    }

    /// Queues `work` for the writer thread and waits for its answer.
    async fn write_grouped<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + From<DieselError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // Inside the group's transaction this is a savepoint.
            let out = conn.transaction(work);
            Box::new(move |group: Result<(), StoreError>| {
                let _ = tx.send(group.map_err(E::from).and(out));
            })
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(_)) => {
                return Err(StoreError::Unavailable(format!("{WAITING_AT_MOST} writes are already waiting")).into())
            }
            Err(mpsc::TrySendError::Disconnected(_)) => {
                return Err(StoreError::Unavailable("the SQLite writer has stopped".into()).into())
            }
        }
        rx.await
            .unwrap_or_else(|_| Err(StoreError::Other("the write failed and was rolled back".into()).into()))
    }
}

/// A pooled connection.
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

impl Db {
    /// Opens the pool (creating the SQLite file and its folder when missing).
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let backend = Backend::from_url(url).map_err(StoreError::Other)?;
        let url = match backend {
            Backend::Sqlite => sqlite_path(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(3))
            // r2d2 checks a connection with `SELECT 1` on every checkout, a statement SQLite
            // parses anew each time (a local file has no server to lose); PostgreSQL keeps the
            // check, so connections that died with the server are replaced, not handed out.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_customizer(Box::new(SqlitePragmas))
            .build_unchecked(ConnectionManager::<DbConn>::new(url.clone()));
        Ok(Self {
            pool,
            backend,
            commits: Arc::default(),
            sqlite: (backend == Backend::Sqlite).then(|| SqliteSide::open(url)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool's size and idle connections, for `/metrics`.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (self.pool.max_size(), s.connections, s.idle_connections)
    }

    /// A connection for blocking code (CLI, migrations, tests).
    pub fn conn(&self) -> Result<PooledConn, StoreError> {
        self.pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Applies every pending migration of this backend, then the shipped defaults (rule set,
    /// holiday schedule) that a fresh database needs.
    pub fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        conn.run_pending_migrations(migrations_of(&conn))
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))?;
        let conn: &mut DbConn = &mut conn;
        conn.transaction(crate::rules::store::ensure_defaults)
    }

    /// Reverts the last `steps` applied migrations, newest first, and names them: an
    /// operator's way back from an upgrade. Stops at the first that fails, and says which.
    pub fn revert(&self, steps: usize) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn()?;
        let mut reverted = Vec::new();
        for _ in 0..steps {
            let conn: &mut DbConn = &mut conn;
            if conn
                .applied_migrations()
                .map_err(|e| StoreError::Other(e.to_string()))?
                .is_empty()
            {
                break;
            }
            let name = conn
                .revert_last_migration(migrations_of(conn))
                .map_err(|e| StoreError::Other(format!("reverting failed after {} step(s): {e}", reverted.len())))?;
            reverted.push(name.to_string());
        }
        Ok(reverted)
    }

    /// Runs read-only work on the blocking pool.
    pub async fn read<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let db = self.clone();
        run_blocking(move || {
            let mut conn = db.conn()?;
            work(&mut conn)
        })
        .await
    }

    /// Reads a few rows by key where the caller runs. On SQLite that is a function call on the
    /// thread's own connection: a lookup costs microseconds, less than the hand-off to a
    /// blocking thread and back that `read` pays (two thread wake-ups; a WAL reader never
    /// waits for a writer). On PostgreSQL every read is a network round trip: it is `read`.
    pub async fn read_here<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let Some(sqlite) = &self.sqlite else {
            return self.read(work).await;
        };
        let conn = sqlite
            .readers
            .get_or_try(|| open_sqlite(&sqlite.path).map(RefCell::new))?;
        work(&mut conn.borrow_mut())
    }

    /// Runs `work` in one transaction (on SQLite a savepoint of its group's, see
    /// `WriterThread`; on PostgreSQL on the blocking pool): all of its writes (and their audit
    /// entries) commit together or not at all, and the answer comes after the commit. Inside a
    /// request with an `Idempotency-Key`, the same transaction marks the key applied.
    pub async fn write<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + From<DieselError> + Send + 'static,
    {
        let out = self.write_uncounted(work).await;
        self.counted(out)
    }

    /// As `write`, without counting the commit in `commits`: for the webhook worker's own
    /// bookkeeping (leases, attempts), which no page kept in memory shows. Counted, a delivery
    /// round every second moved the version of every kept page on, and each was computed again.
    pub async fn write_uncounted<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + From<DieselError> + Send + 'static,
    {
        let key = IDEMPOTENT_REQUEST.try_with(Clone::clone).ok();
        let work = move |conn: &mut DbConn| {
            let out = work(conn)?;
            if let Some((owner, key)) = &key {
                crate::http::idempotency::mark_applied(conn, owner, key)?;
            }
            Ok(out)
        };
        match &self.sqlite {
            Some(sqlite) => sqlite.write_grouped(work).await,
            None => {
                let db = self.clone();
                run_blocking(move || db.transaction(work)).await
            }
        }
    }

    /// The same as `write`, for code that is already off the async workers.
    pub fn write_blocking<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + From<DieselError>,
    {
        let out = self.transaction(work);
        self.counted(out)
    }

    /// One transaction where the caller runs: on SQLite's write connection, else pooled.
    fn transaction<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + From<DieselError>,
    {
        match &self.sqlite {
            Some(sqlite) => sqlite.write(work),
            None => {
                let mut pooled = self.conn()?;
                let conn: &mut DbConn = &mut pooled;
                conn.transaction(work)
            }
        }
    }

    /// Counts a committed write before its caller learns of it.
    fn counted<T, E>(&self, out: Result<T, E>) -> Result<T, E> {
        if out.is_ok() {
            self.commits.fetch_add(1, Ordering::SeqCst);
        }
        out
    }

    /// How many write transactions this process has committed: counted after each commit, so
    /// a read that starts after reading this sees at least those writes.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }
}

/// Runs blocking work (diesel, argon2) on the blocking pool, never on an async worker.
pub async fn run_blocking<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    match actix_web::web::block(work).await {
        Ok(result) => result,
        Err(_) => Err(StoreError::Other("blocking task was cancelled".into()).into()),
    }
}

/// The migrations of the backend `conn` talks to.
fn migrations_of(conn: &DbConn) -> EmbeddedMigrations {
    match conn {
        DbConn::Sqlite(_) => SQLITE_MIGRATIONS,
        DbConn::Postgres(_) => POSTGRES_MIGRATIONS,
    }
}

/// A SQLite connection outside the pool, set up as the pool's are.
fn open_sqlite(path: &str) -> Result<DbConn, StoreError> {
    let mut conn =
        DbConn::Sqlite(SqliteConnection::establish(path).map_err(|e| StoreError::Unavailable(e.to_string()))?);
    SqlitePragmas
        .on_acquire(&mut conn)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(conn)
}

/// `sqlite://./data/x.db` → `./data/x.db`, creating the folder.
fn sqlite_path(url: &str) -> Result<String, StoreError> {
    let path = url.trim_start_matches("sqlite://");
    if path.is_empty() {
        return Err(StoreError::Other("SQLite URL names no file".into()));
    }
    if path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
    }
    Ok(path.to_owned())
}

/// The current UTC time at the precision both backends store (microseconds), so that what is
/// hashed or compared before a write equals what is read back after it.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(now)
}

/// China's time (UTC+8, no daylight saving): legal dates are Asia/Shanghai dates.
fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Today in China.
pub fn today() -> chrono::NaiveDate {
    china_date(chrono::Utc::now().naive_utc())
}

/// The China day of a stored UTC timestamp.
pub fn china_date(t: chrono::NaiveDateTime) -> chrono::NaiveDate {
    t.and_utc().with_timezone(&china()).date_naive()
}

/// When `day` ends in China, as the UTC time stored timestamps are written in.
pub fn end_of_day(day: chrono::NaiveDate) -> chrono::NaiveDateTime {
    let midnight = day.succ_opt().unwrap_or(day).and_time(chrono::NaiveTime::MIN);
    midnight - chrono::TimeDelta::seconds(i64::from(china().local_minus_utc()))
}

/// Serialises a stored UTC timestamp as RFC 3339 with `Z`.
pub fn utc<S: serde::Serializer>(t: &chrono::NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    // Not `format("…")`: that parses its format string on every call, a tenth of a list's CPU.
    s.serialize_str(&t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

tokio::task_local! {
    /// The `Idempotency-Key` (owner, key) of the request being handled, if it has one.
    pub static IDEMPOTENT_REQUEST: (String, String);
}

/// Inside a write transaction: waits until no other transaction that called this is open.
/// SQLite writers are already one at a time (the writer mutex); on PostgreSQL a
/// transaction-scoped advisory lock does it. Sequences taken after this (the audit chain,
/// the event feed) are committed in their order.
pub fn one_writer_at_a_time(conn: &mut DbConn) -> Result<(), StoreError> {
    use diesel::RunQueryDsl;
    if let DbConn::Postgres(c) = conn {
        // Built from the DSL, not `sql_query`, so that it is prepared once and not parsed by
        // the server on every write.
        diesel::select(pg_advisory_xact_lock(WRITER_LOCK)).execute(c)?;
    }
    Ok(())
}

/// The key of the advisory lock of `one_writer_at_a_time`.
const WRITER_LOCK: i64 = 7242025;

diesel::define_sql_function! {
    /// PostgreSQL's transaction-scoped advisory lock. It returns `void`: declared a nullable
    /// boolean only so that a statement can be built around it (its value is never read).
    fn pg_advisory_xact_lock(key: diesel::sql_types::BigInt) -> diesel::sql_types::Nullable<diesel::sql_types::Bool>;
}

/// [`utc`] for an optional timestamp (`null` when absent).
pub fn utc_opt<S: serde::Serializer>(t: &Option<chrono::NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => utc(t, s),
        None => s.serialize_none(),
    }
}

/// Runs a diesel statement on the connection's own backend rather than through `DbConn`:
/// `native!(conn, |c| table.find(id).first(c))`.
///
/// The multi-backend connection renders a statement's SQL text anew on every execution
/// (its `SerializedQuery` does so while collecting the bind values, even when the prepared
/// statement is cached): profiles of recording an act and of adding a deduction put a fifth
/// of the single writer's time there. The body is compiled once per backend; it is for the
/// statements that every request or write runs.
#[macro_export]
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

/// A statement whose SQL never varies, known to the statement cache by the type `K`, which no
/// other statement may use. diesel finds a statement with an `ON CONFLICT` clause by its SQL
/// text, built anew on each call only to be looked up: for the audit append, on every write, a
/// tenth of the SQLite writer's time on deductions.
pub struct Named<K, Q>(Q, std::marker::PhantomData<K>);

/// `query` known to the statement cache as `K` (see `Named`).
pub fn named<K: 'static, Q>(query: Q) -> Named<K, Q> {
    Named(query, std::marker::PhantomData)
}

impl<K, Q, DB> diesel::query_builder::QueryFragment<DB> for Named<K, Q>
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: diesel::query_builder::AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        self.0.walk_ast(pass)
    }
}

impl<K: 'static, Q> diesel::query_builder::QueryId for Named<K, Q> {
    type QueryId = K;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<K, Q, Conn> diesel::RunQueryDsl<Conn> for Named<K, Q> {}

/// `UPDATE table SET changes WHERE filter`, prepared once per connection and then reused.
/// diesel's own UPDATE is prepared anew on every call (a changeset of `Option`s may render
/// different SQL each time, and its statement cache never forgets); this one renders the same
/// SQL for the same changes, which the cache keys by that text. Profiled, preparing
/// publishing's updates anew was a tenth of the SQLite writer's time. Changes that may all be
/// absent (a changeset of `Option`s) keep diesel's UPDATE, which refuses an empty SET.
pub fn update<T, V, W>(table: T, changes: V, filter: W) -> FixedUpdate<T::FromClause, V::Changeset, W>
where
    T: diesel::Table,
    V: diesel::AsChangeset<Target = T>,
    W: diesel::AppearsOnTable<T> + diesel::Expression<SqlType = diesel::sql_types::Bool>,
{
    FixedUpdate {
        table: table.from_clause(),
        changes: changes.as_changeset(),
        filter,
    }
}

/// See `update`.
#[derive(Debug, Clone, Copy)]
pub struct FixedUpdate<F, C, W> {
    table: F,
    changes: C,
    filter: W,
}

impl<F, C, W, DB> diesel::query_builder::QueryFragment<DB> for FixedUpdate<F, C, W>
where
    DB: diesel::backend::Backend,
    F: diesel::query_builder::QueryFragment<DB>,
    C: diesel::query_builder::QueryFragment<DB>,
    W: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        out.push_sql("UPDATE ");
        self.table.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.changes.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())
    }
}

impl<F, C, W> diesel::query_builder::QueryId for FixedUpdate<F, C, W> {
    type QueryId = ();
    // Keyed in the statement cache by its SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<F, C, W, Conn> diesel::RunQueryDsl<Conn> for FixedUpdate<F, C, W> {}

/// A row read by its key, if `vis` admits its department (else `NotFound`, as for a row that
/// does not exist). Single reads check visibility here rather than with `visible!`: a boxed
/// query is built and parsed anew on every call, a keyed one is prepared once.
pub fn visible_row<T>(vis: crate::auth::rules::Visibility, department_id: i64, row: T) -> Result<T, StoreError> {
    vis.admits(department_id).then_some(row).ok_or(StoreError::NotFound)
}

/// Restricts a boxed query to what a `Visibility` admits, by its department column.
#[macro_export]
macro_rules! visible {
    ($query:expr, $visibility:expr, $department_column:expr) => {
        match $visibility {
            $crate::auth::rules::Visibility::All => $query,
            $crate::auth::rules::Visibility::Department(d) => $query.filter($department_column.eq(d)),
            // No department: a filter no row satisfies.
            $crate::auth::rules::Visibility::Nothing => $query.filter($department_column.eq(-1_i64)),
        }
    };
}

/// Narrows a boxed query by an optional value: `filter_if_some!(q, f.kind => acts::kind.eq)`
/// adds `.filter(acts::kind.eq(v))` when `f.kind` is `Some(v)`.
#[macro_export]
macro_rules! filter_if_some {
    ($query:ident, $value:expr => $column:ident :: $($path:ident)::+ . $op:ident) => {
        if let Some(v) = $value {
            $query = $query.filter($column::$($path)::+.$op(v));
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_china_day_ends_at_16_utc() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let end = chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
            .unwrap()
            .and_hms_opt(16, 0, 0)
            .unwrap();
        assert_eq!(super::end_of_day(day), end);
        assert_eq!(super::china_date(end - chrono::TimeDelta::microseconds(1)), day);
        assert_eq!(super::china_date(end), day.succ_opt().unwrap());
    }

    #[test]
    fn a_lock_held_past_the_busy_timeout_is_unavailable_not_an_internal_error() {
        use diesel::result::{DatabaseErrorKind, Error};
        let busy = Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new("database is locked".to_owned()));
        assert!(matches!(
            super::StoreError::from(busy),
            super::StoreError::Unavailable(_)
        ));
        let other = Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new("disk I/O error".to_owned()));
        assert!(matches!(super::StoreError::from(other), super::StoreError::Other(_)));
    }
}

//! The `safeguards` command: serve, migrate, create-user, openapi.

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};
use safeguards::audit::Actor;
use safeguards::auth::Role;
use safeguards::config::{Config, LogFormat, SecretSource};
use safeguards::db::Db;
use safeguards::{app, demo, AppState};

/// Under load glibc's malloc took a fifth of the CPU (many small, short-lived allocations
/// freed on other threads than their own); mimalloc's per-thread heaps take most of it away.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "safeguards",
    version,
    about = "The five safeguard regimes of administrative law enforcement, as a REST/JSON service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrates the database first).
    Serve {
        /// Seed a fictional bureau into an empty database, generate a JWT secret if none is set,
        /// and print the demo accounts.
        #[arg(long)]
        demo: bool,
        /// Listen address (overrides SAFEGUARDS_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Answer `POST /bench/insert` (a single-row INSERT, no audit): the write baseline of
        /// `bench/load.sh`. Not for production.
        #[arg(long)]
        bench_baseline: bool,
    },
    /// Apply pending database migrations.
    Migrate {
        /// Instead, revert the last N applied migrations (newest first), e.g. after a failed
        /// upgrade. Their data is lost.
        #[arg(long, value_name = "N")]
        revert: Option<usize>,
    },
    /// Create an account. The password is read from SAFEGUARDS_PASSWORD or standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        person_id: Option<i64>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Add benchmark volumes (acts and published disclosures) to a database holding a bureau.
    SeedVolume {
        #[arg(long, default_value_t = 200_000)]
        acts: usize,
        #[arg(long, default_value_t = 100_000)]
        disclosures: usize,
        /// Disclosures submitted for review, unpublished (for the write benchmark).
        #[arg(long, default_value_t = 0)]
        submitted: usize,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// A failure of the command: configuration problems exit 2, everything else 1.
enum Failure {
    Config(String),
    Runtime(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Openapi => print_openapi(),
        Command::Migrate { revert: None } => load(SecretSource::GenerateIfMissing).and_then(|c| {
            init_logging(c.log_format);
            open_db(&c).map(|_| eprintln!("migrations applied"))
        }),
        Command::Migrate { revert: Some(steps) } => load(SecretSource::GenerateIfMissing).and_then(|c| {
            init_logging(c.log_format);
            revert(&c, steps)
        }),
        Command::CreateUser {
            username,
            role,
            person_id,
        } => load(SecretSource::GenerateIfMissing).and_then(|c| create_user(&c, &username, role, person_id)),
        Command::SeedVolume {
            acts,
            disclosures,
            submitted,
        } => load(SecretSource::GenerateIfMissing).and_then(|c| {
            let db = open_db(&c)?;
            demo::seed(&db).map_err(|e| Failure::Runtime(e.to_string()))?;
            safeguards::volume::seed(&db, acts, disclosures).map_err(|e| Failure::Runtime(e.to_string()))?;
            eprintln!("seeded {acts} acts and {disclosures} published disclosures");
            if submitted > 0 {
                let (first, last) =
                    safeguards::volume::seed_submitted(&db, submitted).map_err(|e| Failure::Runtime(e.to_string()))?;
                eprintln!("submitted disclosures {first}..={last}");
            }
            Ok(())
        }),
        Command::Serve {
            demo,
            bind,
            bench_baseline,
        } => {
            let source = if demo {
                SecretSource::GenerateIfMissing
            } else {
                SecretSource::Environment
            };
            load(source).and_then(|c| serve(c, demo, bind, bench_baseline))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(m)) => {
            eprintln!("{m}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(m)) => {
            eprintln!("error: {m}");
            ExitCode::FAILURE
        }
    }
}

fn load(source: SecretSource) -> Result<Config, Failure> {
    Config::from_lookup(|k| std::env::var(k).ok(), source)
        .map(|(config, generated)| {
            if generated {
                eprintln!(
                    "SAFEGUARDS_JWT_SECRET is not set: generated a random one for this process (tokens end with it)"
                );
            }
            config
        })
        .map_err(|e| Failure::Config(e.to_string()))
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

fn open_db(c: &Config) -> Result<Db, Failure> {
    let db = Db::connect(&c.database_url, c.pool_size).map_err(|e| Failure::Runtime(e.to_string()))?;
    db.migrate().map_err(|e| Failure::Runtime(e.to_string()))?;
    Ok(db)
}

fn revert(c: &Config, steps: usize) -> Result<(), Failure> {
    let db = Db::connect(&c.database_url, c.pool_size).map_err(|e| Failure::Runtime(e.to_string()))?;
    let reverted = db.revert(steps).map_err(|e| Failure::Runtime(e.to_string()))?;
    for name in &reverted {
        eprintln!("reverted {name}");
    }
    eprintln!("{} migration(s) reverted", reverted.len());
    Ok(())
}

fn print_openapi() -> Result<(), Failure> {
    let json = safeguards::openapi_document()
        .to_pretty_json()
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    println!("{json}");
    Ok(())
}

fn read_password() -> Result<String, Failure> {
    if let Ok(p) = std::env::var("SAFEGUARDS_PASSWORD") {
        return Ok(p);
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Failure::Runtime(format!("cannot read the password: {e}")))?;
    Ok(input.trim_end_matches(['\n', '\r']).to_owned())
}

fn create_user(c: &Config, username: &str, role: Role, person_id: Option<i64>) -> Result<(), Failure> {
    let password = read_password()?;
    let new = safeguards::org::api::users::prepare_account(username, &password, role, person_id)
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    let db = open_db(c)?;
    let user = db
        .write_blocking(|conn| safeguards::org::api::users::create_account(conn, &Actor::System("cli"), new))
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    println!("created user {} (id {}, role {})", user.username, user.id, user.role);
    Ok(())
}

fn serve(mut c: Config, demo_mode: bool, bind: Option<SocketAddr>, bench_baseline: bool) -> Result<(), Failure> {
    init_logging(c.log_format);
    if let Some(b) = bind {
        c.bind = b;
    }
    let db = open_db(&c)?;
    if demo_mode {
        let seeded = demo::seed(&db).map_err(|e| Failure::Runtime(format!("demo seed failed: {e}")))?;
        print_demo(&c, seeded);
    }
    let mut state = AppState::new(db, &c.jwt_secret).map_err(Failure::Runtime)?;
    state.document_prefix = c.document_prefix.clone();
    state.webhooks.destinations = safeguards::webhooks::rules::Destinations::within(c.webhook_networks.clone());
    state.bench_baseline = bench_baseline;
    let state = web::Data::new(state);
    let bind = c.bind;
    actix_web::rt::System::new()
        .block_on(async move {
            actix_web::rt::spawn(safeguards::webhooks::worker::run(state.clone()));
            actix_web::rt::spawn(safeguards::db::statistics::run(state.db.clone()));
            // Slow clients hold a connection, never a worker (actix is async); headers must
            // arrive within 10 s and idle keep-alive connections close after 30 s.
            let server = HttpServer::new(move || app(state.clone()))
                .client_request_timeout(std::time::Duration::from_secs(10))
                .client_disconnect_timeout(std::time::Duration::from_secs(5))
                .keep_alive(std::time::Duration::from_secs(30))
                .shutdown_timeout(30)
                .bind(bind)?;
            tracing::info!(%bind, "listening; Swagger UI at http://{bind}/docs/");
            server.run().await
        })
        .map_err(|e| Failure::Runtime(e.to_string()))
}

fn print_demo(c: &Config, seeded: bool) {
    if seeded {
        println!(
            "Seeded the demo bureau (综合处, 监管处, 职业健康监管中心) into {}",
            c.database_url
        );
    } else {
        println!(
            "The database already holds a bureau; nothing was seeded ({})",
            c.database_url
        );
    }
    println!("Demo accounts (fictional; never use these passwords for real):");
    for a in demo::ACCOUNTS {
        println!(
            "  {:<20} username {:<8} password {}",
            a.role.as_str(),
            a.username,
            a.password
        );
    }
    println!("Swagger UI: http://{}/docs/", c.bind);
}

//! The `safeguards` command: configuration errors, `openapi`, `migrate`, `create-user`.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_safeguards"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SAFEGUARDS_") {
            c.env_remove(k);
        }
    }
    c
}

fn temp_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("safeguards-cli-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}/nested/db.sqlite", dir.display());
    (dir, url)
}

#[test]
fn a_bad_setting_exits_2_with_one_line_naming_the_variable() {
    for (var, value) in [
        ("SAFEGUARDS_LOG", "xml"),
        ("SAFEGUARDS_BIND", "nowhere"),
        ("SAFEGUARDS_DATABASE_URL", "mysql://x"),
    ] {
        let out = bin()
            .arg("serve")
            .env("SAFEGUARDS_JWT_SECRET", "0123456789abcdef0123456789abcdef")
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(var), "{stderr}");
    }
    let out = bin().arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SAFEGUARDS_JWT_SECRET"));
}

#[test]
fn openapi_prints_the_committed_document() {
    let out = bin().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn create_user_reads_the_password_from_stdin_never_argv() {
    let (dir, url) = temp_db();
    let out = bin()
        .arg("migrate")
        .env("SAFEGUARDS_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut child = bin()
        .args(["create-user", "--username", "chief", "--role", "leadership"])
        .env("SAFEGUARDS_DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-long-cli-password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user chief"));

    // A short password is refused, from the environment as well.
    let out = bin()
        .args(["create-user", "--username", "other", "--role", "leadership"])
        .env("SAFEGUARDS_DATABASE_URL", &url)
        .env("SAFEGUARDS_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    // There is no --password flag.
    let out = bin()
        .args(["create-user", "--username", "x", "--role", "staff", "--password", "p"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn migrate_revert_undoes_the_newest_migrations_and_migrate_reapplies_them() {
    let (dir, url) = temp_db();
    let run = |args: &[&str]| {
        let out = bin().args(args).env("SAFEGUARDS_DATABASE_URL", &url).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    run(&["migrate"]);
    let said = run(&["migrate", "--revert", "2"]);
    assert!(said.contains("2 migration(s) reverted"), "{said}");
    assert_eq!(said.matches("reverted 2026").count(), 2, "{said}");
    assert!(run(&["migrate"]).contains("migrations applied"));
    let out = bin().args(["migrate", "--revert", "x"]).output().unwrap();
    assert!(!out.status.success(), "a step count is a number");
    let _ = std::fs::remove_dir_all(dir);
}

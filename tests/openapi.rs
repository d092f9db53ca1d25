//! The committed `openapi/openapi.json` is what the code generates; and the document states,
//! for every operation, who may call it and every error it can answer.

use std::path::Path;

fn generated() -> serde_json::Value {
    serde_json::to_value(safeguards::openapi_document()).unwrap()
}

#[test]
fn committed_openapi_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let current = safeguards::openapi_document().to_pretty_json().unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test openapi` (or `cargo run -- openapi > openapi/openapi.json`) and commit it"
    );
}

#[test]
fn every_operation_is_documented_with_roles_and_errors() {
    let doc = generated();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15);
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(op["summary"].is_string(), "{name} has no summary");
            let responses = op["responses"].as_object().unwrap();
            let public = path.starts_with("/api/v1/public/")
                || path.starts_with("/health/")
                || path.starts_with("/api/v1/auth/login")
                || path.starts_with("/api/v1/auth/refresh")
                || path.starts_with("/api/v1/auth/token");
            let roles = op["security"][0]["bearer"].as_array();
            if public {
                assert!(roles.is_none(), "{name} is public but declares security");
            } else {
                let roles = roles.unwrap_or_else(|| panic!("{name} declares no roles"));
                assert!(!roles.is_empty(), "{name} lists no roles");
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{name} lacks 401/403"
                );
            }
            if op.get("requestBody").is_some() {
                for code in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(code), "{name} lacks {code}");
                }
            }
            if method == "patch" {
                assert!(
                    responses.contains_key("412") && responses.contains_key("428"),
                    "{name} lacks 412/428"
                );
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// utoipa names a component schema after its type (or its `#[schema(as = ...)]`) and keeps
/// one of two types that share a name, silently: the other's operations then document the
/// wrong body (a served document's receipt request once showed a petition's receipt). Every
/// type that derives `ToSchema` must have a name of its own.
#[test]
fn every_schema_has_a_name_of_its_own() {
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut clashes = Vec::new();
    for file in rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut deriving = false;
        let mut renamed: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                (deriving, renamed) = (true, None);
            } else if let Some(rest) = line.strip_prefix("#[schema(as = ").filter(|_| deriving) {
                renamed = Some(rest.trim_end_matches(")]").to_owned());
            } else if let Some(name) = type_name(line).filter(|_| deriving) {
                let name = renamed.take().unwrap_or(name);
                let place = format!("{}:{}", file.display(), n + 1);
                if let Some(first) = seen.insert(name.clone(), place.clone()) {
                    clashes.push(format!("{name}: {first} and {place}"));
                }
                deriving = false;
            }
        }
    }
    assert!(seen.len() > 100, "only {} schemas found", seen.len());
    assert!(clashes.is_empty(), "schemas sharing a name: {clashes:#?}");
}

fn type_name(line: &str) -> Option<String> {
    let line = line.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
    let rest = line.strip_prefix("struct ").or_else(|| line.strip_prefix("enum "))?;
    let name = rest.split(|c: char| !c.is_alphanumeric() && c != '_').next()?;
    Some(name.to_owned())
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

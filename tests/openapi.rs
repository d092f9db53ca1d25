//! The committed `openapi/openapi.json` is what the code generates; and the document states,
//! for every operation, who may call it and every error it can answer.

use std::path::Path;

fn generated() -> serde_json::Value {
    serde_json::to_value(safeguards::openapi_document()).unwrap()
}

/// Every operation of the document: its path, method and description.
fn operations(doc: &serde_json::Value) -> impl Iterator<Item = (&String, &String, &serde_json::Value)> {
    doc["paths"].as_object().unwrap().iter().flat_map(|(path, item)| {
        item.as_object()
            .unwrap()
            .iter()
            .map(move |(method, op)| (path, method, op))
    })
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
    assert!(doc["paths"].as_object().unwrap().len() >= 15);
    for (path, method, op) in operations(&doc) {
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
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// OpenAPI wants every operationId unique: code generators name client methods after it and
/// links find their operation by it (a shared `publish` once sent schemathesis's stateful
/// links from a disclosure to the evaluation year's publication).
#[test]
fn every_operation_has_an_id_of_its_own() {
    let doc = generated();
    let mut seen = std::collections::HashMap::new();
    for (path, method, op) in operations(&doc) {
        let name = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no operationId"));
        if let Some(first) = seen.insert(id.to_owned(), name.clone()) {
            panic!("{first} and {name} share the operationId {id}");
        }
    }
    assert!(seen.len() > 150, "only {} operations", seen.len());
    assert_eq!(seen["disclosures_publish"], "post /api/v1/disclosures/{id}/publish");
    assert_eq!(
        seen["login"], "post /api/v1/auth/login",
        "unique names stay as they are"
    );
}

/// Lists and creations link to the operations on one member, by its `id`: every link names an
/// operation of the document (by `operationId`, spelt so) whose path takes that `id`.
#[test]
fn links_lead_to_operations_on_a_member() {
    let doc = generated();
    let paths_by_id: std::collections::HashMap<_, _> = operations(&doc)
        .map(|(path, _, op)| (op["operationId"].as_str().unwrap(), path))
        .collect();
    let mut links = 0;
    for (path, method, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                let target = link["operationId"].as_str().unwrap_or_else(|| panic!("{name}: {link}"));
                let target_path = &paths_by_id[target];
                assert!(
                    target_path.starts_with(&format!("{path}/{{id}}")),
                    "{method} {path} {status} → {target}"
                );
                let source = if method == "get" {
                    "$response.body#/items/0/id"
                } else {
                    "$response.body#/id"
                };
                assert_eq!(link["parameters"], serde_json::json!({"id": source}));
                links += 1;
            }
        }
    }
    assert!(links > 100, "only {links} links");
    let acts = &doc["paths"]["/api/v1/acts"]["post"]["responses"]["201"]["links"];
    assert_eq!(acts["acts_revoke"]["operationId"], "acts_revoke");
}

/// utoipa names a component schema after its type (or its `#[schema(as = ...)]`) and keeps
/// one of two types that share a name, silently: the other's operations then document the
/// wrong body (a served document's receipt request once showed a petition's receipt). Every
/// type that derives `ToSchema` must have a name of its own. The sources are parsed (`syn`),
/// so attributes over several lines, or in nested modules, count as well.
#[test]
fn every_schema_has_a_name_of_its_own() {
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut clashes = Vec::new();
    for file in rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut schemas = Schemas::default();
        syn::visit::visit_file(&mut schemas, &parsed);
        for (name, ty) in schemas.0 {
            let place = format!("{} ({ty})", file.display());
            if let Some(first) = seen.insert(name.clone(), place.clone()) {
                clashes.push(format!("{name}: {first} and {place}"));
            }
        }
    }
    assert!(seen.len() > 100, "only {} schemas found", seen.len());
    assert!(clashes.is_empty(), "schemas sharing a name: {clashes:#?}");
}

/// (schema name, type name) of every struct and enum that derives `ToSchema`.
#[derive(Default)]
struct Schemas(Vec<(String, String)>);

impl Schemas {
    fn item(&mut self, attrs: &[syn::Attribute], ident: &syn::Ident) {
        if attrs.iter().any(derives_to_schema) {
            let name = attrs.iter().find_map(renamed).unwrap_or_else(|| ident.to_string());
            self.0.push((name, ident.to_string()));
        }
    }
}

impl<'a> syn::visit::Visit<'a> for Schemas {
    fn visit_item_struct(&mut self, item: &'a syn::ItemStruct) {
        self.item(&item.attrs, &item.ident);
    }
    fn visit_item_enum(&mut self, item: &'a syn::ItemEnum) {
        self.item(&item.attrs, &item.ident);
    }
}

fn derives_to_schema(attr: &syn::Attribute) -> bool {
    let paths = syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
    attr.path().is_ident("derive")
        && attr.parse_args_with(paths).is_ok_and(|derived| {
            derived
                .iter()
                .any(|p| p.segments.last().is_some_and(|s| s.ident == "ToSchema"))
        })
}

/// The name of `#[schema(as = path::Name)]`: utoipa joins the path with dots.
fn renamed(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("schema") {
        return None;
    }
    let mut name = None;
    // `as` is a keyword: only the nested-meta parser takes it as a key. The other keys' values
    // (`example = json!(...)`, `bound(...)`, flags) are stepped over.
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("as") {
            let path: syn::Path = meta.value()?.parse()?;
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            name = Some(segments.join("."));
        } else if meta.input.peek(syn::Token![=]) {
            meta.value()?.parse::<syn::Expr>()?;
        } else if meta.input.peek(syn::token::Paren) {
            meta.input.step(|cursor| {
                cursor
                    .token_tree()
                    .map(|(_, rest)| ((), rest))
                    .ok_or_else(|| cursor.error("()"))
            })?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("a #[schema(...)] attribute this test cannot read: {e}"));
    name
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

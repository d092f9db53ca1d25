//! The OpenAPI document: generated from the handlers' annotations, then completed with the
//! error responses every operation shares, so the document lists every status a client can get.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::Required;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::Modify;

use super::error::{FieldError, Problem, PROBLEM_JSON};
use actix_web::http::Method;

use super::access::{self, Access};
use crate::integration::rules::Scope;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "safeguards",
        description = "The five safeguard regimes of administrative law enforcement of a district \
work-safety bureau (高新区安监局行政执法五项保障制度): publicity (PUB), supervision and inspection (SUP), \
study and training (TRN), fault accountability (ACC) and evaluation and assessment (EVAL), with the \
register of enforcement acts and petitions.\n\n\
**Authentication.** `POST /api/v1/auth/login` returns a Bearer access token (15 minutes) and a \
single-use refresh token. Each operation's `security` lists the roles allowed to call it \
(`leadership`, `supervisory_office`, `staff`); other roles get 403, no or a bad token 401.\n\n\
**Errors** are `application/problem+json` (RFC 9457) with a stable `code`, and `basis` (article \
references such as `ACC-13`) when a rule of the regulations refused the request.\n\n\
**Lists** are paged with `?limit=&after=`; pass the `next` of a page as `after` for the next one.\n\n\
**Updates** (`PATCH`) require `If-Match` with the resource's current `ETag` (428 without, 412 when stale).\n\n\
**Computed results** carry `basis`: the articles they applied.",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Sign in, refresh, sign out"),
        (name = "organisation", description = "Departments, people and accounts"),
        (name = "certificates", description = "Enforcement certificates (行政执法证件) and their status history"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "petitions", description = "Petitions and reports (信访、举报)"),
        (name = "evaluation", description = "Evaluation and assessment (EVAL): the score sheet, the annual procedure, awards"),
        (name = "integration", description = "Service accounts of other systems: client credentials and scopes"),
        (name = "public", description = "No token needed"),
        (name = "operations", description = "Health"),
    ),
)]
pub struct ApiDoc;

/// Adds the bearer scheme and the error responses that follow from an operation's shape.
pub struct CommonResponses;

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

fn complete(path: &str, method: &str, op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if secured {
        add(op, "401", "No token, or an invalid, expired or revoked token");
        add(op, "403", "The caller's role may not call this operation");
    }
    if op.request_body.is_some() {
        add(op, "400", "Malformed JSON, wrong types or unknown fields");
        add(op, "413", "The body is larger than the limit");
        add(op, "415", "The body is not application/json");
        add(op, "422", "Validation or a rule refused the request");
    }
    if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) || path.contains('{') {
        add(op, "400", "A path or query parameter is malformed");
    }
    let has_query = op
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
    if has_query {
        add(
            op,
            "422",
            "A query value is readable but out of range (e.g. a day outside the year)",
        );
    }
    if path.contains('{') {
        add(op, "404", "No such record, or not visible to the caller");
    }
    if method == "patch" {
        add(op, "412", "If-Match does not match the current ETag");
        add(op, "428", "If-Match is required");
    }
    if path.starts_with("/api/") {
        add(op, "503", "The database is unavailable");
    }
    if method == "post" && path.starts_with("/api/v1/") && !path.starts_with("/api/v1/auth/") {
        take_idempotency_key(op);
    }
}

/// Lists (`{items, next}` answers, and the four XLSX lists) also answer CSV, some XLSX
/// (`http::export`).
fn offer_exports(path: &str, op: &mut Operation) {
    let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
        return;
    };
    let is_page = ok
        .content
        .get("application/json")
        .is_some_and(|c| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.contains("/Page_")));
    let xlsx = super::export::offers_xlsx(path);
    if !is_page && !xlsx {
        return;
    }
    let text = ContentBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    ok.content.insert("text/csv".into(), text.clone());
    let mut formats = vec!["json", "csv"];
    if xlsx {
        ok.content.insert(super::export::XLSX.into(), text);
        formats.push("xlsx");
    }
    let query = |name: &str, description: String, values: &[&str]| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(values.to_vec())),
            ))
            .build()
    };
    let params = op.parameters.get_or_insert_with(Vec::new);
    params.push(query(
        "format",
        format!(
            "Export the whole list as {} (or send `Accept: text/csv`); pages of up to {} rows continue at `Link: rel=\"next\"`.",
            formats.join(", "),
            super::export::EXPORT_PAGE
        ),
        &formats,
    ));
    params.push(query(
        "lang",
        "Column headers of an export in English (`en`) or Chinese (`zh`).".into(),
        &["en", "zh"],
    ));
    add(op, "406", "XLSX is not offered for this list");
}

/// Every POST takes `Idempotency-Key` (`http::idempotency`).
fn take_idempotency_key(op: &mut Operation) {
    let param = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Up to 255 visible ASCII characters. The first successful response is kept for 24 hours \
             and replayed (header `Idempotent-Replayed: true`) for the same key and body.",
        ))
        .schema(Some(
            ObjectBuilder::new().schema_type(Type::String).max_length(Some(255)),
        ))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(param);
    add(op, "400", "A path, query or header parameter is malformed");
    add(op, "409", "The state does not allow this, or the first request with this Idempotency-Key is still running or was interrupted");
    add(
        op,
        "422",
        "Validation or a rule refused the request, or the Idempotency-Key was used with another request",
    );
}

/// Service accounts get a token with their client credentials (OAuth 2 client credentials).
fn client_credentials() -> SecurityScheme {
    let scopes = Scope::ALL.iter().map(|s| (s.as_str(), s.as_str()));
    SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(
        "/api/v1/auth/token",
        Scopes::from_iter(scopes),
    ))]))
}

/// The operation's `security`, written from the access table the extractor enforces: its
/// roles under `bearer`, and, where a scope opens it, the alternative `client` requirement.
fn secure(path: &str, method: &str, op: &mut Operation) {
    let method: Method = method.to_uppercase().parse().expect("an HTTP method");
    let Some(Access::People(roles)) = access::of(&method, path) else {
        return;
    };
    let mut security = vec![SecurityRequirement::new("bearer", roles.iter().map(|r| r.as_str()))];
    if let Some(scope) = access::scope(&method, path) {
        security.push(SecurityRequirement::new("client", [scope.as_str()]));
    }
    op.security = Some(security);
}

impl Modify for CommonResponses {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme("client", client_credentials());
        for (path, method, op) in operations(api) {
            secure(path, method, op);
            complete(path, method, op);
            if method == "get" {
                offer_exports(path, op);
            }
        }
        unique_operation_ids(api);
        link_members(api);
    }
}

/// Links for clients that follow them (and schemathesis's stateful phase): from a collection's
/// list (`GET /X`: its first item) and from a creation (`POST /X`: what it created) to every
/// operation on one member (`/X/{id}`, `/X/{id}/...`), by the member's `id`.
fn link_members(api: &mut OpenApi) {
    let members: Vec<(String, String)> = operations(api)
        .filter_map(|(path, _, op)| Some((path.to_owned(), op.operation_id.clone()?)))
        .collect();
    for (path, method, op) in operations(api) {
        let (status, pointer) = match method {
            "get" => ("200", "$response.body#/items/0/id"),
            "post" => ("201", "$response.body#/id"),
            _ => continue,
        };
        let member = format!("{path}/{{id}}");
        let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) else {
            continue;
        };
        for (_, id) in members
            .iter()
            .filter(|(p, _)| *p == member || p.starts_with(&format!("{member}/")))
        {
            // utoipa 5.5 writes a link's `operationId` as `operation_id` (its `Link` is not
            // renamed to camel case), which no OpenAPI reader knows; through the extension map
            // the field keeps its name.
            let link = LinkBuilder::new()
                .parameter("id", pointer)
                .extensions(Some([("operationId", id.as_str())].into_iter().collect()))
                .build();
            response.links.insert(id.clone(), link.into());
        }
    }
}

/// Every operation of the document with its path and method.
fn operations(api: &mut OpenApi) -> impl Iterator<Item = (&str, &'static str, &mut Operation)> {
    api.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ]
        .into_iter()
        .filter_map(move |(method, op)| op.as_mut().map(|op| (path.as_str(), method, op)))
    })
}

/// utoipa names an operation after its handler, and handlers of different resources share
/// names (`create`, `get`, `publish`); an operationId must be unique in the document (code
/// generators and clients following links find operations by it). A shared name is qualified
/// by its path's words: `POST /api/v1/disclosures/{id}/publish` → `disclosures_publish`,
/// `GET /api/v1/acts/{id}` → `acts_get`, `POST /api/v1/findings/{id}/evidence`
/// (`add_evidence`) → `findings_add_evidence`.
fn unique_operation_ids(api: &mut OpenApi) {
    let mut uses = std::collections::HashMap::<String, usize>::new();
    for (_, _, op) in operations(api) {
        if let Some(id) = &op.operation_id {
            *uses.entry(id.clone()).or_default() += 1;
        }
    }
    for (path, _, op) in operations(api) {
        if let Some(id) = op.operation_id.as_mut().filter(|id| uses[id.as_str()] > 1) {
            *id = qualified(path, id);
        }
    }
}

fn qualified(path: &str, name: &str) -> String {
    let mut words: Vec<&str> = path
        .trim_start_matches("/api/v1/")
        .split('/')
        .filter(|w| !w.starts_with('{'))
        .collect();
    // `POST /findings/{id}/evidence` named `add_evidence` says "evidence" once.
    if words
        .last()
        .is_some_and(|w| name == *w || name.ends_with(&format!("_{w}")))
    {
        words.pop();
    }
    words.push(name);
    words.join("_").replace('-', "_")
}

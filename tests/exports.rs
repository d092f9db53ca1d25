//! Exports: CSV of any list (query or Accept), Chinese headers, pages continuing at the Link
//! address, XLSX of the four named lists, parsed back.

mod common;

use std::io::Read;

use actix_web::test::TestRequest;
use common::TestApp;
use safeguards::auth::Role;

fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).expect("a byte-order mark")).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn header(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn any_list_exports_as_csv_page_by_page() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    for i in 0..5 {
        app.post(
            "/api/v1/departments",
            t,
            &serde_json::json!({"name": format!("处{i}"), "code": format!("D{i}")}),
        )
        .await
        .ok(201);
    }
    let json = app.get("/api/v1/departments?limit=200", t).await;
    let all = json.ok(200)["items"].as_array().unwrap().len();
    let r = app.get("/api/v1/departments?format=csv", t).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let bytes = r.text.as_bytes().to_vec();
    let cols = header(&bytes);
    assert_eq!(cols[0], "id");
    let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let (name, code) = (at("name"), at("code"));
    let rows = parse_csv(&bytes);
    assert_eq!(rows.len(), all);
    assert!(rows.iter().any(|row| row[name] == "处3" && row[code] == "D3"));

    let zh = app.get("/api/v1/departments?format=csv&lang=zh", t).await;
    let zh_cols = header(zh.text.as_bytes());
    assert!(
        zh_cols[0] == "编号" && zh_cols.contains(&"名称".to_owned()),
        "{zh_cols:?}"
    );
    let accept = app
        .send(
            TestRequest::get()
                .uri("/api/v1/departments?limit=2")
                .insert_header(("authorization", format!("Bearer {}", office.token)))
                .insert_header(("accept", "text/csv")),
        )
        .await;
    assert_eq!(parse_csv(accept.text.as_bytes()).len(), 2);
    // Following the Link pages (of the same size) gives every row once.
    let (mut got, mut link) = (parse_csv(accept.text.as_bytes()), accept.header("link"));
    while let Some(l) = link {
        let next = l.trim_start_matches('<').split('>').next().unwrap().to_owned();
        assert!(
            next.contains("format=csv") && next.contains("after=") && next.contains("limit=2"),
            "{next}"
        );
        let page = app.get(&next, t).await;
        got.extend(parse_csv(page.text.as_bytes()));
        link = page.header("link");
    }
    assert_eq!(got, rows);
    app.get("/api/v1/departments?format=pdf", t).await.problem(400);
    app.get("/api/v1/departments?format=xlsx", t).await.problem(406);
    app.get("/api/v1/departments?format=csv", None).await.problem(401);
}

#[actix_web::test]
async fn the_named_lists_export_as_xlsx_with_chinese_headers() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let year = chrono::Datelike::year(&safeguards::db::today());
    let r = app
        .get(
            &format!("/api/v1/evaluation/years/{year}/scores?format=xlsx&lang=zh"),
            Some(&office.token),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.header("content-type").unwrap().contains("spreadsheetml"));
    // The raw bytes (the helper's text is lossy for binary bodies).
    let raw = raw_body(
        &app,
        &format!("/api/v1/evaluation/years/{year}/scores?format=xlsx&lang=zh"),
        &office.token,
    )
    .await;
    assert!(raw.starts_with(b"PK"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(raw)).expect("an XLSX is a zip");
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains("总分") && strings.contains("等级"), "Chinese headers");
    assert!(strings.contains("excellent"), "the grades");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains("<v>100</v>"), "totals are numbers");
    let csv = app
        .get(
            &format!("/api/v1/evaluation/years/{year}/scores?format=csv"),
            Some(&office.token),
        )
        .await;
    let cols = header(csv.text.as_bytes());
    assert!(cols.contains(&"total".to_owned()) && cols.contains(&"sections.2.score".to_owned()));
    let m = app.get("/api/v1/measures?format=xlsx", Some(&office.token)).await;
    assert!(m.header("content-type").unwrap().contains("spreadsheetml"));
}

async fn raw_body(app: &TestApp, uri: &str, token: &str) -> Vec<u8> {
    let req = TestRequest::get()
        .uri(uri)
        .insert_header(("authorization", format!("Bearer {token}")))
        .to_request();
    let svc = actix_web::test::init_service(safeguards::app(app.state.clone())).await;
    let res = actix_web::test::call_service(&svc, req).await;
    actix_web::test::read_body(res).await.to_vec()
}

#[actix_web::test]
async fn json_is_asked_for_by_name_csv_cells_never_run_as_formulas_and_queries_hold_no_controls() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    for (name, code) in [("=HYPERLINK(\"http://x\")", "F1"), ("-2+3", "F2"), ("@SUM(1)", "F3")] {
        app.post(
            "/api/v1/departments",
            t,
            &serde_json::json!({"name": name, "code": code}),
        )
        .await
        .ok(201);
    }
    let json = app.get("/api/v1/departments?format=json&lang=zh&limit=2", t).await;
    assert_eq!(json.ok(200)["items"].as_array().unwrap().len(), 2, "{}", json.text);
    let bytes = raw_body(&app, "/api/v1/departments?format=csv", &office.token).await;
    let column = header(&bytes).iter().position(|c| c == "name").unwrap();
    let rows = parse_csv(&bytes);
    let names: Vec<&str> = rows.iter().map(|r| r[column].as_str()).collect();
    for risky in ["'=HYPERLINK(\"http://x\")", "'-2+3", "'@SUM(1)"] {
        assert!(names.contains(&risky), "{risky} in {names:?}");
    }
    let r = app.get("/api/v1/public/disclosures?q=a%00b", None).await;
    assert_eq!(r.problem(400), "bad_request");
}

#[actix_web::test]
async fn every_list_of_the_demo_bureau_has_chinese_headers_on_lang_zh() {
    let app = TestApp::new().await;
    assert!(safeguards::demo::seed(&app.db).unwrap(), "an empty database is seeded");
    let office = app.account(Role::SupervisoryOffice).await;
    let t = Some(office.token.as_str());
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let mut checked = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        if ops.get("get").is_none() || path.contains('{') {
            continue;
        }
        let year = if path.ends_with("/hours") { "&year=2026" } else { "" };
        let r = app.get(&format!("{path}?format=csv&lang=zh{year}"), t).await;
        if r.status.as_u16() != 200 || r.text.lines().nth(1).is_none() {
            continue;
        }
        let english: Vec<String> = header(r.text.as_bytes()).into_iter().filter(|c| c.is_ascii()).collect();
        assert!(english.is_empty(), "{path}: {english:?}");
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} lists had rows to check");
}

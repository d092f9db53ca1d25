//! ACC calculators through the API (cases and their workflow are not built yet).

mod common;

use common::TestApp;
use safeguards::auth::Role;
use safeguards::org::rules::Position;
use serde_json::json;

#[actix_web::test]
async fn the_allocation_calculator_applies_acc_5() {
    let app = TestApp::new().await;
    let office = app.account(Role::SupervisoryOffice).await;
    let d = office.department_id;
    let director = app.person("局长", Position::Director, d);
    let deputy = app.person("副局长", Position::DeputyDirector, d);
    let officer = app.person("科员", Position::Officer, d);
    let t = Some(office.token.as_str());
    let r = app
        .post(
            "/api/v1/accountability/allocation",
            t,
            &json!({"how": {"mode": "collective", "principal": director, "participants": [deputy, officer], "dissenters": [deputy]}}),
        )
        .await;
    let shares: Vec<(i64, String)> = r.ok(200)["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["person_id"].as_i64().unwrap(),
                a["share"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            (director, "primary".into()),
            (deputy, "none".into()),
            (officer, "secondary".into())
        ]
    );
    assert_eq!(r.body["basis"], json!(["ACC-5(4)"]));
    let r = app
        .post(
            "/api/v1/accountability/allocation",
            t,
            &json!({"how": {"mode": "approved_on_false_facts", "staff": [officer], "approvers": [deputy]}}),
        )
        .await;
    assert_eq!(
        r.ok(200)["allocations"][0],
        json!({"person_id": officer, "share": "primary", "basis": "ACC-5(2)"})
    );
    let r = app
        .post(
            "/api/v1/accountability/allocation",
            t,
            &json!({"how": {"mode": "direct", "staff": []}}),
        )
        .await;
    assert_eq!(r.problem(422), "allocation_invalid");
    app.post(
        "/api/v1/accountability/allocation",
        t,
        &json!({"how": {"mode": "direct", "staff": [999999]}}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/accountability/allocation",
        t,
        &json!({"how": {"mode": "vote", "staff": [officer]}}),
    )
    .await
    .problem(400);
    let staff = app.account(Role::Staff).await;
    app.post(
        "/api/v1/accountability/allocation",
        Some(&staff.token),
        &json!({"how": {"mode": "direct", "staff": [officer]}}),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn the_sanction_matrix_is_published_with_its_articles() {
    let app = TestApp::new().await;
    let leader = app.account(Role::Leadership).await;
    let r = app.get("/api/v1/accountability/sanctions", Some(&leader.token)).await;
    let body = r.ok(200);
    assert_eq!(body["persons"][0]["severity"], "minor");
    assert_eq!(body["persons"][0]["basis"], "ACC-6(1)");
    assert_eq!(body["persons"][2]["sanctions"], json!(["transfer_to_judicial_organs"]));
    assert_eq!(
        body["departments"],
        json!(["order_correction", "circulated_criticism", "loss_of_award_eligibility"])
    );
}

//! Exports: every list answers `text/csv` (`?format=csv` or `Accept: text/csv`), and the
//! evaluation scores, training hours, overdue disclosures and measures also XLSX
//! (`?format=xlsx`), with Chinese column headers on `?lang=zh`.
//!
//! An export is the list itself, one row per item, nested fields flattened to dotted columns.
//! A page holds up to [`EXPORT_PAGE`] rows; a longer list continues at the `Link: rel="next"`
//! address (also in `X-Next-Cursor`), so no export holds more than one page in memory.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value};

use super::AppError;

/// The most rows one export page holds (lists answer at most 200 as JSON).
pub const EXPORT_PAGE: i64 = 10_000;

tokio::task_local! {
    static EXPORTING: bool;
}

/// Whether the request being handled is an export (lists then take pages of up to [`EXPORT_PAGE`]).
pub fn exporting() -> bool {
    EXPORTING.try_with(|e| *e).unwrap_or(false)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Lists that also export as XLSX (route patterns).
const XLSX_LISTS: [&str; 4] = [
    "/api/v1/evaluation/years/{year}/scores",
    "/api/v1/training/hours",
    "/api/v1/publicity/overdue",
    "/api/v1/measures",
];

/// Whether the list at this route pattern exports as XLSX.
pub fn offers_xlsx(pattern: &str) -> bool {
    XLSX_LISTS.contains(&pattern)
}

/// What was asked for: the format (`None`: JSON), Chinese headers, and the query without
/// `format` and `lang` (`None` when it had neither).
type Wanted = (Option<Format>, bool, Option<String>);

fn wanted(req: &ServiceRequest) -> Result<Wanted, AppError> {
    let mut format = None;
    let mut zh = false;
    let mut rest = Vec::new();
    let mut stripped = false;
    for pair in req.query_string().split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=').unwrap_or((pair, "")) {
            ("format", "csv") => format = Some(Format::Csv),
            ("format", "xlsx") => format = Some(Format::Xlsx),
            ("format", "json") => format = None,
            ("format", other) => {
                return Err(AppError::BadRequest(format!(
                    "format must be json, csv or xlsx, not `{other}`"
                )))
            }
            ("lang", "zh") => zh = true,
            ("lang", "en") => zh = false,
            ("lang", other) => return Err(AppError::BadRequest(format!("lang must be en or zh, not `{other}`"))),
            _ => {
                rest.push(pair);
                continue;
            }
        }
        stripped = true;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = format.or_else(|| {
        if accept.contains("text/csv") {
            Some(Format::Csv)
        } else if accept.contains(XLSX) {
            Some(Format::Xlsx)
        } else {
            None
        }
    });
    Ok((format, zh, stripped.then(|| rest.join("&"))))
}

/// Points the request at `query` (the list's own parameters).
fn set_query(req: &mut ServiceRequest, query: &str) {
    let path = req.path().to_owned();
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(u) = uri.parse::<Uri>() {
        req.head_mut().uri = u;
    }
}

/// Flattens an item into dotted columns: objects by key, arrays of objects by index, arrays of
/// plain values joined with "; ".
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| flatten(&key(k), v, out)),
        Value::Array(a) if a.iter().any(Value::is_object) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(&key(&i.to_string()), v, out)),
        Value::Array(a) => out.push((prefix.to_owned(), a.iter().map(plain).collect::<Vec<_>>().join("; "))),
        other => out.push((prefix.to_owned(), plain(other))),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of a list answer: its `items`, or else its first array of objects.
fn rows(body: &Map<String, Value>) -> Vec<Value> {
    let list = body.get("items").or_else(|| {
        body.values()
            .find(|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_object)))
    });
    list.and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The table: columns in first-seen order (the JSON map sorts keys; `id` leads), then each
/// row's cells.
fn table(items: &[Value]) -> (Vec<String>, Vec<Vec<String>>) {
    let flat: Vec<Vec<(String, String)>> = items
        .iter()
        .map(|i| {
            let mut out = Vec::new();
            flatten("", i, &mut out);
            out
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for (k, _) in flat.iter().flatten() {
        if !columns.contains(k) {
            columns.push(k.clone());
        }
    }
    if let Some(at) = columns.iter().position(|c| c == "id") {
        let id = columns.remove(at);
        columns.insert(0, id);
    }
    let cells = flat
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| {
                    row.iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    (columns, cells)
}

/// Chinese headers for the common fields; a dotted column translates part by part.
fn zh(column: &str) -> String {
    // A word that means another thing inside its parent: an act's filing is 'required', not
    // the training hours.
    if column == "filing.required" {
        return "备案.是否须备案".to_owned();
    }
    column.split('.').map(zh_word).collect::<Vec<_>>().join(".")
}

fn zh_word(w: &str) -> String {
    let t = match w {
        "id" => "编号",
        "name" | "department_name" => "名称",
        "department_id" => "处室编号",
        "person_id" => "人员编号",
        "kind" => "类别",
        "status" => "状态",
        "title" => "标题",
        "year" => "年度",
        "total" => "总分",
        "grade" => "等级",
        "outcome" => "奖惩",
        "section" => "考核项目",
        "cap" => "满分",
        "score" => "得分",
        "deducted" => "扣分",
        "points" => "分值",
        "basis" => "依据",
        "warnings" => "提示",
        "counterpart_name" | "counterpart" => "管理相对人",
        "decision_date" => "决定日期",
        "decision_text" => "决定内容",
        "legal_basis" => "法律依据",
        "penalty_procedure" => "处罚程序",
        "disclosure" => "公示",
        "due_on" | "disclosure_due_on" => "公示期限",
        "overdue" => "逾期",
        "deadline" => "期限",
        "action" => "处理措施",
        "item" => "条款",
        "finding_id" => "问题编号",
        "hours" | "hours_total" => "学时",
        "required" | "hours_required" => "应修学时",
        "met" => "是否达标",
        "created_at" => "创建时间",
        "updated_at" => "更新时间",
        "rule_version" => "规则版本",
        "major" => "重大执法决定",
        "filing" => "备案",
        "filed_on" => "备案日期",
        "officers" => "执法人员",
        "created_by" => "创建人",
        "act_id" => "执法行为编号",
        "act_ids" => "执法行为编号",
        "category" => "公开类别",
        "content_type" => "内容类型",
        "attachments" => "附件",
        "body" => "正文",
        "licensing" => "行政许可",
        "number" => "序号",
        "published_at" => "发布时间",
        "published_by" => "发布人",
        "return_comment" => "退回意见",
        "withdraw_reason" => "撤回理由",
        "public_until" => "公示截止日",
        "published_on" => "公示日期",
        "version" => "版本",
        "visible" => "是否公开",
        "takedowns" => "撤下记录",
        "latest" => "最新版本",
        "public" => "公开状态",
        "filename" => "文件名",
        "purpose" => "用途",
        "size" => "大小",
        "conditions" => "许可条件",
        "matter" => "许可事项",
        "procedure" => "程序",
        "quantity" => "数量",
        "required_materials" => "申请材料",
        "time_limit" => "办理时限",
        "reason" => "理由",
        "reason_kind" => "理由类别",
        "taken_down_at" => "撤下时间",
        "version_id" => "版本编号",
        "active" => "在职",
        "position" => "职务",
        "expires_on" => "有效期至",
        "holder_id" => "持证人编号",
        "holder_name" => "持证人",
        "issued_on" => "发证日期",
        "recorded_status" => "登记状态",
        "anonymous" => "匿名",
        "assigned_on" => "交办日期",
        "channel" => "渠道",
        "contact" => "联系方式",
        "content" => "内容",
        "escalated" => "越级上访",
        "mishandled" => "处理不当",
        "received_on" => "收件日期",
        "replied_on" => "答复日期",
        "reply" => "答复",
        "reply_due_on" => "答复期限",
        "lapsed_department_id" => "逾期时承办部门",
        "escalated_department_id" => "越级上访时承办部门",
        "subject" => "事由",
        "appeal" => "申诉",
        "by_person" => "申诉人",
        "grounds" => "申诉理由",
        "recorded_by_office" => "办公室代录",
        "appeal_deadline" => "申诉期限",
        "appeal_outcome" => "申诉结果",
        "decided_on" => "决定日期",
        "decision" => "处理决定",
        "effects" => "执行情况",
        "training_order_id" => "离岗培训编号",
        "certificate_id" => "证件编号",
        "from" => "原状态",
        "to" => "新状态",
        "request" => "决定事项",
        "departments" => "处室",
        "persons" => "人员",
        "sanctions" => "处分",
        "severity" => "情节",
        "text" => "文本",
        "evidence" => "证据",
        "facts" => "事实",
        "fault_on" => "过错日期",
        "fault_types" => "过错类型",
        "allocation" => "责任划分",
        "share" => "责任",
        "circumstances" => "情节认定",
        "aggravating" => "从重情节",
        "mitigating" => "从轻情节",
        "exempting" => "免责情节",
        "detected" => "自动认定",
        "opinion" => "初步意见",
        "served_on" => "送达日期",
        "sections" => "考核项目",
        "deductions" => "扣分记录",
        "deduction_id" => "扣分编号",
        "href" => "链接",
        "found_on" => "发现日期",
        "problem_type" => "问题类型",
        "content_areas" => "培训内容",
        "form" => "形式",
        "held_on" => "举办日期",
        "description" => "问题描述",
        "checklist_item" => "检查内容",
        "inspection_id" => "检查编号",
        "officer_id" => "执法人员编号",
        "period_from" => "起始日期",
        "period_to" => "截止日期",
        "conclusion" => "结论",
        "inspectors" => "检查人员",
        "scope" => "检查范围",
        "note" => "备注",
        "code" => "代码",
        "source" => "来源",
        "respondents" => "被追究人",
        "tracking_code" => "查询码",
        "department" => "处室",
        "revoked_reason" => "撤销理由",
        "imposed" => "附加处理",
        "penalties" => "处分",
        "actor" => "操作人",
        "at" => "时间",
        "change" => "变更内容",
        "change_digest" => "变更摘要",
        "entity" => "对象",
        "entity_id" => "对象编号",
        "hash" => "哈希值",
        "prev_hash" => "前一哈希值",
        "seq" => "序号",
        "withdrawal_reason" => "撤回理由",
        "withdrawn" => "已撤回",
        "withdrawn_on" => "撤回日期",
        "occurred_at" => "发生时间",
        "type" => "类型",
        "payload" => "内容",
        "compliant" => "是否达标",
        "self_study_hours" => "自学学时",
        "session_hours" => "培训学时",
        "short_by" => "差额学时",
        "role" => "角色",
        "username" => "用户名",
        "user_id" => "用户编号",
        "effective_from" => "生效日期",
        "articles" => "条款",
        "values" => "规则值",
        "cause_id" => "原因编号",
        "cause_kind" => "原因类别",
        "disclosure_id" => "公示编号",
        "act" => "执法行为",
        "counterpart_type" => "相对人类型",
        // The rule set's numbers (`/rules/versions`, audit entries of rule changes).
        "appeal_window_days" => "申诉期限天数",
        "certificate_expiry_warning_days" => "证件到期提示天数",
        "disclosure_deadline_working_days" => "公示期限工作日",
        "coercive" => "行政强制",
        "confirmation" => "行政确认",
        "inspection" => "行政检查",
        "levy" => "行政征收",
        "other" => "其他",
        "penalty" => "行政处罚",
        "exam_pass_mark" => "考试及格分",
        "grade_thresholds" => "等级分数线",
        "average" => "一般",
        "excellent" => "优秀",
        "good" => "良好",
        "petition_reply_working_days" => "信访答复期限工作日",
        "regular_inspections_per_year" => "每年定期检查次数",
        "retention" => "公示保留期",
        "default_years" => "一般年限",
        "natural_person_years" => "自然人年限",
        "score_sheet" => "评分表",
        "abstract_acts_cap" => "抽象行政行为满分",
        "abstract_acts_deduction" => "抽象行政行为每处扣分",
        "licensing_cap" => "许可行为满分",
        "licensing_deduction" => "许可行为每处扣分",
        "penalty_cap" => "处罚行为满分",
        "penalty_filed_case_deduction" => "一般程序处罚每处扣分",
        "penalty_on_the_spot_deduction" => "简易程序处罚每处扣分",
        "petitions_cap" => "信访申诉满分",
        "petitions_deduction" => "信访申诉每件扣分",
        "training_hours_per_year" => "年度培训学时",
        other => other,
    };
    t.to_owned()
}

/// A cell a spreadsheet will not run as a formula: text beginning with `= + - @`, tab or CR
/// gets a leading `'` (numbers such as `-2` stay numbers).
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
    if risky {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn csv_bytes(columns: &[String], cells: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    // A byte-order mark, so that spreadsheet programs read the Chinese text as UTF-8.
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let fail = |e: csv::Error| AppError::Internal(format!("CSV: {e}"));
    w.write_record(columns).map_err(fail)?;
    for row in cells {
        for cell in row {
            w.write_field(inert(cell).as_bytes()).map_err(fail)?;
        }
        // An empty record ends the row of fields just written.
        w.write_record(None::<&[u8]>).map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(format!("CSV: {e}")))
}

fn xlsx_bytes(columns: &[String], cells: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("XLSX: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in (0u16..).zip(columns) {
        sheet.write_string(0, c, name).map_err(fail)?;
    }
    for (r, row) in (1u32..).zip(cells) {
        for (c, v) in (0u16..).zip(row) {
            match v.parse::<f64>() {
                Ok(n) if !v.is_empty() && v.len() < 16 => sheet.write_number(r, c, n).map_err(fail)?,
                _ => sheet.write_string(r, c, v).map_err(fail)?,
            };
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// The list answer turned into the export, with where to continue.
fn convert(
    body: &[u8],
    format: Format,
    zh_headers: bool,
    next_url: impl Fn(&str) -> String,
) -> Result<HttpResponse, AppError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| AppError::Internal(format!("list answer: {e}")))?;
    let obj = value.as_object().cloned().unwrap_or_default();
    let (mut columns, cells) = table(&rows(&obj));
    if zh_headers {
        columns = columns.iter().map(|c| zh(c)).collect();
    }
    let (bytes, mime, ext) = match format {
        Format::Csv => (csv_bytes(&columns, &cells)?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (xlsx_bytes(&columns, &cells)?, XLSX, "xlsx"),
    };
    let mut res = HttpResponse::Ok();
    res.content_type(mime).insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"export.{ext}\""),
    ));
    if let Some(next) = obj.get("next").and_then(Value::as_str) {
        res.insert_header((header::LINK, format!("<{}>; rel=\"next\"", next_url(next))));
        res.insert_header(("x-next-cursor", next.to_owned()));
    }
    Ok(res.body(bytes))
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let applies = req.method() == Method::GET && req.path().starts_with("/api/v1/");
    let wanted = if applies { wanted(&req) } else { Ok((None, false, None)) };
    let (format, zh_headers, query) = match wanted {
        Ok(w) => w,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    if let Some(q) = &query {
        set_query(&mut req, q);
    }
    let Some(format) = format else {
        // JSON, as without `format`: the list never sees the export's parameters.
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let path = req.path().to_owned();
    let query = query.unwrap_or_else(|| req.query_string().to_owned());
    let res = EXPORTING.scope(true, next.call(req)).await?;
    let pattern = res.request().match_pattern().unwrap_or_default();
    if format == Format::Xlsx && !offers_xlsx(&pattern) {
        let e = AppError::NotAcceptable(
            "XLSX is offered for scores, training hours, overdue disclosures and measures; ask for CSV".into(),
        );
        return Ok(res.into_response(e.error_response()));
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == HeaderValue::from_static("application/json"));
    if !res.status().is_success() || !is_json {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let body = to_bytes(res.into_body())
        .await
        .map_err(|_| AppError::Internal("the list answer could not be read".into()))?;
    let lang = if zh_headers { "&lang=zh" } else { "" };
    let fmt = if format == Format::Csv { "csv" } else { "xlsx" };
    let base = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("after="))
        .collect::<Vec<_>>()
        .join("&");
    let next_url = |cursor: &str| {
        let sep = if base.is_empty() { "" } else { "&" };
        format!("{path}?{base}{sep}after={cursor}&format={fmt}{lang}")
    };
    let out = convert(&body, format, zh_headers, next_url).unwrap_or_else(|e| e.error_response());
    Ok(ServiceResponse::new(req, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_read_a_word_in_its_parent() {
        assert_eq!(zh("filing.required"), "备案.是否须备案");
        assert_eq!(zh("filing.filed_on"), "备案.备案日期");
        assert_eq!(zh("required"), "应修学时");
        assert_eq!(zh("officers.0.name"), "执法人员.0.名称");
        assert_eq!(zh("reply_due_on"), "答复期限");
        assert_eq!(
            zh("decision.request.persons.0.sanctions"),
            "处理决定.决定事项.人员.0.处分"
        );
    }

    #[test]
    fn cells_that_would_run_as_formulas_are_made_text() {
        assert_eq!(inert("=1+1"), "'=1+1");
        assert_eq!(inert("@SUM(1)"), "'@SUM(1)");
        assert_eq!(inert("-2"), "-2");
        assert_eq!(inert("某公司"), "某公司");
    }

    #[test]
    fn nested_items_flatten_to_columns_in_first_seen_order() {
        let items = vec![
            serde_json::json!({"id": 1, "name": "综合处", "tags": ["a", "b"], "disclosure": {"due_on": "2026-12-01"}}),
            serde_json::json!({"id": 2, "extra": true, "sections": [{"score": 18}, {"score": 30}]}),
        ];
        let (cols, cells) = table(&items);
        assert_eq!(
            cols,
            [
                "id",
                "disclosure.due_on",
                "name",
                "tags",
                "extra",
                "sections.0.score",
                "sections.1.score"
            ]
        );
        assert_eq!(cells[0], ["1", "2026-12-01", "综合处", "a; b", "", "", ""]);
        assert_eq!(cells[1][5], "18");
        assert_eq!(zh("disclosure.due_on"), "公示.公示期限");
        let csv = csv_bytes(&cols, &cells).unwrap();
        assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    }
}

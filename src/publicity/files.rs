//! Uploaded files (attachments of disclosures, evidence of findings): read from a multipart
//! form, recognised by their content, limited in size, stored in the database with SHA-256.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::HttpResponse;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::rules::{self, MAX_ATTACHMENT_BYTES};
use super::store::{AttachmentMeta, NewAttachment};
use crate::http::validate::Check;
use crate::http::AppError;

/// A file upload form: `file` (PDF, Office document, PNG or JPEG; at most 10 MiB) and, where
/// an endpoint reads one, `purpose`. Documents the multipart body in the OpenAPI description.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the form; `read` takes the fields from the stream
pub struct FileUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Only on `POST /disclosures/{id}/attachments`: `other` (default) or `sample_application_form`.
    purpose: Option<super::rules::AttachmentPurpose>,
}

/// A checked upload: the file, and the form's other (text) fields.
pub struct Upload {
    pub file: NewAttachment,
    pub fields: BTreeMap<String, String>,
}

fn malformed(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("invalid multipart body: {e}"))
}

/// Reads a form with a `file` field and the text fields named in `allowed`.
pub async fn read(mut form: Multipart, allowed: &[&str]) -> Result<Upload, AppError> {
    let (mut file, mut fields) = (None, BTreeMap::new());
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" && !allowed.contains(&name.as_str()) {
            return Err(AppError::BadRequest(format!("unknown form field `{name}`")));
        }
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename().map(str::to_owned));
        let declared = field.content_type().map(|m| m.essence_str().to_owned());
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            if data.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                return Err(AppError::PayloadTooLarge(format!(
                    "an attachment may be at most {MAX_ATTACHMENT_BYTES} bytes"
                )));
            }
            data.extend_from_slice(&chunk);
        }
        if name == "file" {
            file = Some((filename.unwrap_or_else(|| "attachment".into()), declared, data));
        } else {
            fields.insert(name, String::from_utf8_lossy(&data).trim().to_owned());
        }
    }
    let (filename, declared, data) = file.ok_or_else(|| AppError::field("file", "a file is required"))?;
    let content_type = rules::attachment_type(&data, declared.as_deref(), &filename)
        .map_err(|m| AppError::UnsupportedMediaType(m.into()))?
        .to_owned();
    let mut check = Check::default();
    let filename = check.text("file", &filename.replace(['/', '\\'], "_"), 255);
    check.finish()?;
    let sha256 = hex::encode(Sha256::digest(&data));
    Ok(Upload {
        file: NewAttachment {
            filename,
            content_type,
            sha256,
            data,
        },
        fields,
    })
}

/// RFC 6266 `Content-Disposition` with the UTF-8 name percent-encoded.
fn disposition(filename: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || ".-_".contains(c);
    let ascii: String = filename.chars().map(|c| if safe(c) { c } else { '_' }).collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if safe(b as char) && b.is_ascii() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The file as a download.
pub fn response(meta: AttachmentMeta, data: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(meta.content_type)
        .insert_header(("Content-Disposition", disposition(&meta.filename)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("ETag", format!("\"{}\"", meta.sha256)))
        .body(data)
}

//! Material uploads (申请材料上传): a file is accepted by what it is (PDF, JPEG, PNG, OFD judged
//! by content), within a size limit; its SHA-256 is recorded and identical content is stored
//! once. Only the uploader and staff of the uploader's region may read it.

use crate::policy::in_region_scope;
use crate::{App, AppError, Principal, RequestMeta};
use serde_json::json;
use sha2::{Digest, Sha256};
use shenpi_domain::case::file::{FileKind, sniff};
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::MaterialFile;

/// The largest material file accepted, in bytes.
pub const MAX_MATERIAL_BYTES: usize = 20 * 1024 * 1024;

fn kind_name(k: FileKind) -> &'static str {
    match k {
        FileKind::Pdf => "pdf",
        FileKind::Jpeg => "jpeg",
        FileKind::Png => "png",
        FileKind::Ofd => "ofd",
    }
}

impl App {
    /// Stores an uploaded material file.
    pub async fn upload_material(
        &self,
        p: &Principal,
        name: &str,
        bytes: &[u8],
        meta: &RequestMeta,
    ) -> Result<MaterialFile, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(AppError::invalid_text(
                "name",
                "MATERIAL_NAME_INVALID",
                "请给出 1–200 字的文件名",
                "Give a file name of 1–200 characters",
            ));
        }
        if bytes.is_empty() {
            return Err(AppError::rule(ErrorCode::MATERIAL_EMPTY, json!({})));
        }
        if bytes.len() > MAX_MATERIAL_BYTES {
            return Err(AppError::rule(
                ErrorCode::PAYLOAD_TOO_LARGE,
                json!({"max_bytes": MAX_MATERIAL_BYTES}),
            ));
        }
        let Some(kind) = sniff(bytes) else {
            return Err(AppError::rule(
                ErrorCode::MATERIAL_TYPE_UNSUPPORTED,
                json!({"accepted": ["pdf", "jpeg", "png", "ofd"]}),
            ));
        };
        let sha256 = hex::encode(Sha256::digest(bytes));
        let blob_key = self.store.blobs().put(bytes).await?;
        let file = MaterialFile {
            id: shenpi_store::new_id(),
            owner_id: p.user.id.clone(),
            region_code: p.user.region_code.clone(),
            name: name.to_string(),
            kind: kind_name(kind).to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256,
            blob_key,
            created_at: self.clock.now(),
        };
        let mut tx = self.store.begin().await?;
        tx.insert_material_file(&file).await?;
        tx.append_audit(meta.audit(
            file.created_at,
            &file.region_code,
            Some(&p.user),
            "material.upload",
            ("material", &file.id),
            "success",
            json!({"kind": file.kind, "size": file.size, "sha256": file.sha256}),
        ))
        .await?;
        tx.commit().await?;
        Ok(file)
    }

    /// A material file's record, for its owner or staff of its region.
    pub async fn material(&self, p: &Principal, id: &str) -> Result<MaterialFile, AppError> {
        let f = {
            let mut tx = self.store.read().await?;
            tx.material_file(id).await?
        };
        let not_found = || AppError::NotFound("material".into());
        let f = f.ok_or_else(not_found)?;
        let staff = !p.user.roles.iter().any(|r| r.is_applicant());
        if f.owner_id == p.user.id || (staff && in_region_scope(p, &f.region_code)) {
            Ok(f)
        } else {
            // Someone else's file is reported as missing, so ids cannot be probed.
            Err(not_found())
        }
    }

    /// A material file's bytes.
    pub async fn material_content(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<(MaterialFile, Vec<u8>), AppError> {
        let f = self.material(p, id).await?;
        let bytes = self.store.blobs().get(&f.blob_key).await?;
        Ok((f, bytes))
    }
}

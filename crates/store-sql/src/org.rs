//! Regions, departments and service windows.

use crate::rows::{RowExt, db_err};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::{Department, Region, ServiceWindow};
use shenpi_store::repo::OrgRepo;

#[async_trait]
impl OrgRepo for SqlTx {
    async fn upsert_region(&mut self, r: &Region) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO regions (code, name, parent) VALUES ($1, $2, $3) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent",
        )
        .bind(&r.code)
        .bind(&r.name)
        .bind(&r.parent)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_regions(&mut self) -> Result<Vec<Region>, StoreError> {
        let rows = crate::db::query("SELECT code, name, parent FROM regions ORDER BY code")
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(Region {
                    code: r.text("code")?,
                    name: r.text("name")?,
                    parent: r.opt_text("parent")?,
                })
            })
            .collect()
    }

    async fn upsert_department(&mut self, d: &Department) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO departments (id, region_code, name_zh, name_en) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (id) DO UPDATE SET region_code = excluded.region_code, \
             name_zh = excluded.name_zh, name_en = excluded.name_en",
        )
        .bind(&d.id)
        .bind(&d.region_code)
        .bind(&d.name_zh)
        .bind(&d.name_en)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_departments(
        &mut self,
        region: Option<&str>,
    ) -> Result<Vec<Department>, StoreError> {
        let rows = crate::db::query(
            "SELECT id, region_code, name_zh, name_en FROM departments \
             WHERE ($1 IS NULL OR region_code = $1) ORDER BY id",
        )
        .bind(region)
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(dept_from).collect()
    }

    async fn department(&mut self, id: &str) -> Result<Option<Department>, StoreError> {
        let row = crate::db::query(
            "SELECT id, region_code, name_zh, name_en FROM departments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(dept_from).transpose()
    }

    async fn upsert_window(&mut self, w: &ServiceWindow) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO service_windows (id, region_code, department_id, number, name) \
             VALUES ($1,$2,$3,$4,$5) ON CONFLICT (id) DO UPDATE SET \
             region_code = excluded.region_code, department_id = excluded.department_id, \
             number = excluded.number, name = excluded.name",
        )
        .bind(&w.id)
        .bind(&w.region_code)
        .bind(&w.department_id)
        .bind(&w.number)
        .bind(&w.name)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_windows(
        &mut self,
        region: Option<&str>,
    ) -> Result<Vec<ServiceWindow>, StoreError> {
        let rows = crate::db::query(
            "SELECT id, region_code, department_id, number, name FROM service_windows \
             WHERE ($1 IS NULL OR region_code = $1) ORDER BY region_code, number",
        )
        .bind(region)
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(ServiceWindow {
                    id: r.text("id")?,
                    region_code: r.text("region_code")?,
                    department_id: r.text("department_id")?,
                    number: r.text("number")?,
                    name: r.text("name")?,
                })
            })
            .collect()
    }
}

fn dept_from(r: &crate::db::Row) -> Result<Department, StoreError> {
    Ok(Department {
        id: r.text("id")?,
        region_code: r.text("region_code")?,
        name_zh: r.text("name_zh")?,
        name_en: r.text("name_en")?,
    })
}

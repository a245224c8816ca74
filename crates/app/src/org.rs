//! Organisation use cases: regions, departments, windows.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal};
use shenpi_store::model::{Department, Region, ServiceWindow};

impl App {
    /// Every region the platform serves (public information).
    pub async fn regions(&self) -> Result<Vec<Region>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_regions().await?)
    }

    /// Departments, optionally of one region (public information).
    pub async fn departments(&self, region: Option<&str>) -> Result<Vec<Department>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_departments(region).await?)
    }

    /// Service windows of a region the caller may see.
    pub async fn windows(
        &self,
        p: &Principal,
        region: &str,
    ) -> Result<Vec<ServiceWindow>, AppError> {
        authorize(p, Action::StaffRead, Some(region))?;
        let mut tx = self.store.read().await?;
        Ok(tx.list_windows(Some(region)).await?)
    }
}

//! Existing enterprise names for the duplicate-name check (企业名称查重), in one place.
//!
//! The enterprise registry (市场主体登记信息, a shared data source) is being added to the
//! platform separately; until it is wired here, this reads a small list of fictional registered
//! names. Replacing [`App::registered_names`]'s body with a registry query (records whose name
//! contains the trade name) is the only change the duplicate check needs.

use crate::{App, AppError};

/// Fictional registered names used until the enterprise registry is connected.
const DEMO_REGISTERED: [&str; 8] = [
    "青岛海川信息技术有限公司",
    "青岛市山海贸易有限公司",
    "青岛示例科技有限公司",
    "崂山区云帆餐饮管理有限公司",
    "海川（市北区）物流有限公司",
    "青岛蓝湾建设工程有限公司",
    "黄岛区金沙滩旅游服务中心（普通合伙）",
    "李沧区百福日用百货店",
];

impl App {
    /// Registered enterprise names that contain `trade` (at most 50).
    pub async fn registered_names(&self, trade: &str) -> Result<Vec<String>, AppError> {
        let trade = trade.trim();
        if trade.chars().count() < 2 {
            return Ok(vec![]);
        }
        Ok(DEMO_REGISTERED
            .iter()
            .filter(|n| n.contains(trade))
            .take(50)
            .map(|n| (*n).to_string())
            .collect())
    }
}

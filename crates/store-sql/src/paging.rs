//! Lists a page at a time (分页): one page of a filtered, ordered query, with the count of
//! every row the filter meets, the shape every paged list of the store shares.

use crate::db::{Arg, Row};
use crate::rows::{RowExt, db_err, page_bounds};
use crate::tx::SqlTx;
use shenpi_store::StoreError;
use shenpi_store::model::Page;

/// `SELECT {cols} FROM {from} WHERE {filter} ORDER BY {order}`, paged. The filter's
/// parameters are `$1…$n`; the page's limit and offset follow them.
pub(crate) struct PagedSelect<'a> {
    pub cols: &'a str,
    pub from: &'a str,
    pub filter: &'a str,
    pub order: &'a str,
}

impl SqlTx {
    /// Page `page` (from 1; clamped as [`page_bounds`] does) of `q` with `args` bound to the
    /// filter, each row read by `row`, and the total of rows the filter meets.
    pub(crate) async fn page_where<T>(
        &mut self,
        q: PagedSelect<'_>,
        args: &[Arg],
        (page, per_page): (i64, i64),
        row: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let (page, per_page, offset) = page_bounds(page, per_page);
        let PagedSelect {
            cols,
            from,
            filter,
            order,
        } = q;
        let mut count =
            crate::db::query(format!("SELECT COUNT(*) AS n FROM {from} WHERE {filter}"));
        for a in args {
            count = count.bind(a.clone());
        }
        let total = count
            .fetch_one(&mut self.tx)
            .await
            .map_err(db_err)?
            .int("n")?;
        let (limit, offset_at) = (args.len() + 1, args.len() + 2);
        let mut select = crate::db::query(format!(
            "SELECT {cols} FROM {from} WHERE {filter} ORDER BY {order} \
             LIMIT ${limit} OFFSET ${offset_at}"
        ));
        for a in args {
            select = select.bind(a.clone());
        }
        let rows = select
            .bind(per_page)
            .bind(offset)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(Page {
            items: rows.iter().map(row).collect::<Result<_, _>>()?,
            total,
            page,
            per_page,
        })
    }
}

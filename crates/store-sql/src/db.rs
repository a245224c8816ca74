//! One statement on either engine: a SQL text with numbered `$1` placeholders and its bound
//! values, run on an open transaction ([`OpenTx`]).
//!
//! PostgreSQL runs it through sqlx. SQLite runs it in place, on the calling thread, through
//! rusqlite: a statement on a cached prepared statement takes microseconds, while a round trip
//! to a driver's worker thread costs two thread wake-ups, which on a 2-vCPU virtual machine
//! were most of a case's CPU time (see docs/BENCHMARKS.md, fifth session). Only the flush of a
//! committed batch waits for the disk, and that runs on a thread of its own ([`crate::group`]).

use crate::tx::OpenTx;
use rusqlite::types::{Value, ValueRef};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use std::borrow::Cow;
use std::sync::Arc;

/// A statement longer than this is prepared afresh (a multi-row insert of a batch) rather
/// than kept in the connection's statement cache.
const CACHE_MAX_LEN: usize = 4_000;

/// A driver error of either engine.
#[derive(Debug)]
pub enum DbError {
    Sqlx(sqlx::Error),
    Lite(rusqlite::Error),
    /// `fetch_one` found no row.
    NoRow,
    /// The transaction was used after it ended.
    Closed,
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        DbError::Sqlx(e)
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Lite(e)
    }
}

/// One bound value: text or a 64-bit integer, each possibly NULL (the only column types the
/// repositories bind; files are kept outside these statements).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput::Borrowed;
        Ok(match self {
            Arg::Text(Some(s)) => Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::Int(Some(i)) => Borrowed(ValueRef::Integer(*i)),
            Arg::Text(None) | Arg::Int(None) => Borrowed(ValueRef::Null),
        })
    }
}

/// A statement being built.
pub struct Query {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
}

/// Starts a statement.
pub fn query(sql: impl Into<Cow<'static, str>>) -> Query {
    Query {
        sql: sql.into(),
        args: Vec::new(),
    }
}

/// What an `execute` did.
pub struct Done(u64);

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// A row of either engine; read it through [`crate::rows::RowExt`].
pub enum Row {
    Any(AnyRow),
    Lite(LiteRow),
}

/// A SQLite row, copied out of the statement.
pub struct LiteRow {
    pub(crate) columns: Arc<[String]>,
    pub(crate) values: Vec<Value>,
}

impl LiteRow {
    pub(crate) fn get(&self, col: &str) -> Option<&Value> {
        self.columns
            .iter()
            .position(|c| c == col)
            .and_then(|i| self.values.get(i))
    }
}

impl Query {
    /// Binds the next placeholder.
    pub fn bind(mut self, v: impl Into<Arg>) -> Self {
        self.args.push(v.into());
        self
    }

    fn sqlx(self) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.sql));
        for a in self.args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
            };
        }
        q
    }

    /// Runs a statement that returns no rows.
    pub async fn execute(self, tx: &mut OpenTx) -> Result<Done, DbError> {
        match tx.conn()? {
            Conn::Sqlx(c) => Ok(Done(self.sqlx().execute(c).await?.rows_affected())),
            Conn::Lite(c) => Ok(Done(lite_execute(c, &self.sql, &self.args)?)),
        }
    }

    /// Runs a query; all its rows.
    pub async fn fetch_all(self, tx: &mut OpenTx) -> Result<Vec<Row>, DbError> {
        match tx.conn()? {
            Conn::Sqlx(c) => Ok(self
                .sqlx()
                .fetch_all(c)
                .await?
                .into_iter()
                .map(Row::Any)
                .collect()),
            Conn::Lite(c) => lite_query(c, &self.sql, &self.args, usize::MAX),
        }
    }

    /// Runs a query; its first row, if any.
    pub async fn fetch_optional(self, tx: &mut OpenTx) -> Result<Option<Row>, DbError> {
        match tx.conn()? {
            Conn::Sqlx(c) => Ok(self.sqlx().fetch_optional(c).await?.map(Row::Any)),
            Conn::Lite(c) => Ok(lite_query(c, &self.sql, &self.args, 1)?.pop()),
        }
    }

    /// Runs a query that must return a row.
    pub async fn fetch_one(self, tx: &mut OpenTx) -> Result<Row, DbError> {
        self.fetch_optional(tx).await?.ok_or(DbError::NoRow)
    }
}

/// The condition "in `region`, if one is given" on the placeholder `param` (bound to the
/// region): with a region the column is compared alone, so that an index that starts with
/// `region_code` serves the query; behind `$n IS NULL OR region_code = $n` SQLite's planner
/// uses none and reads the whole table.
pub(crate) fn in_region(param: &str, region: Option<&str>) -> String {
    match region {
        Some(_) => format!("region_code = {param}"),
        None => format!("CAST({param} AS TEXT) IS NULL"),
    }
}

/// The connection under an open transaction.
pub(crate) enum Conn<'a> {
    Sqlx(&'a mut sqlx::AnyConnection),
    /// `&mut`, so that the future holding it is `Send` (a connection is not `Sync`).
    Lite(&'a mut rusqlite::Connection),
}

/// Prepares `sql` (from the cache when short), binds `args` to its placeholders and hands the
/// statement to `f`. `$n` (and `?n`) take the n-th value, a bare `?` the value at its
/// position, as sqlx does.
fn with_statement<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Arg],
    f: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    fn bind(stmt: &mut rusqlite::Statement<'_>, args: &[Arg]) -> rusqlite::Result<()> {
        for i in 1..=stmt.parameter_count() {
            let n = stmt
                .parameter_name(i)
                .and_then(|name| name.get(1..))
                .and_then(|digits| digits.parse::<usize>().ok())
                .unwrap_or(i);
            let arg = args
                .get(n.wrapping_sub(1))
                .ok_or(rusqlite::Error::InvalidParameterCount(n, args.len()))?;
            stmt.raw_bind_parameter(i, arg)?;
        }
        Ok(())
    }
    if sql.len() <= CACHE_MAX_LEN {
        let mut stmt = conn.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        f(&mut stmt)
    } else {
        let mut stmt = conn.prepare(sql)?;
        bind(&mut stmt, args)?;
        f(&mut stmt)
    }
}

fn lite_execute(conn: &rusqlite::Connection, sql: &str, args: &[Arg]) -> Result<u64, DbError> {
    let n = with_statement(conn, sql, args, |stmt| {
        let mut rows = stmt.raw_query();
        while rows.next()?.is_some() {}
        Ok(())
    })
    .map(|()| conn.changes())?;
    Ok(n)
}

fn lite_query(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Arg],
    limit: usize,
) -> Result<Vec<Row>, DbError> {
    let rows = with_statement(conn, sql, args, |stmt| {
        let columns: Arc<[String]> = stmt.column_names().into_iter().map(String::from).collect();
        let width = columns.len();
        let mut out = Vec::new();
        let mut rows = stmt.raw_query();
        while out.len() < limit {
            let Some(r) = rows.next()? else { break };
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(r.get::<_, Value>(i)?);
            }
            out.push(Row::Lite(LiteRow {
                columns: columns.clone(),
                values,
            }));
        }
        Ok(out)
    })?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::in_region;

    /// What SQLite's planner does with a to-do list query, one detail line a step.
    fn plan(conn: &rusqlite::Connection, condition: &str) -> String {
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE status = 'open' \
             AND candidate_role = ?1 AND {condition} ORDER BY created_at"
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map(["reviewer", "370202"], |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_region_condition_lets_the_index_serve_and_no_region_matches_all() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tasks (id TEXT PRIMARY KEY, region_code TEXT, candidate_role TEXT, \
             status TEXT, created_at TEXT);
             CREATE INDEX tasks_open ON tasks(region_code, candidate_role, status);
             INSERT INTO tasks VALUES ('a', '370202', 'reviewer', 'open', '1'), \
             ('b', '370203', 'reviewer', 'open', '2');",
        )
        .unwrap();
        let with = plan(&conn, &in_region("?2", Some("370202")));
        assert!(with.contains("USING INDEX tasks_open"), "{with}");
        // The form it replaces reads the whole table.
        let old = plan(&conn, "(?2 IS NULL OR region_code = ?2)");
        assert!(old.contains("SCAN tasks"), "{old}");
        let count = |condition: &str, region: Option<&str>| -> i64 {
            conn.query_row(
                &format!("SELECT COUNT(*) FROM tasks WHERE {condition}"),
                [region],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(count(&in_region("?1", Some("370202")), Some("370202")), 1);
        assert_eq!(count(&in_region("?1", None), None), 2);
    }
}

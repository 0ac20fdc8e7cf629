//! A small builder for hand-written SQL with positional binds, for the list queries whose
//! filters vary per request (diesel's `BoxedSqlQuery` under the hood).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types;
use uuid::Uuid;

/// One bound value.
#[derive(Debug, Clone)]
pub enum Bind {
    /// `text`
    Text(String),
    /// `boolean`
    Bool(bool),
    /// `bigint`
    BigInt(i64),
    /// `uuid`
    Uuid(Uuid),
    /// `timestamptz`
    Timestamptz(DateTime<Utc>),
    /// `bigint[]`
    BigIntArray(Vec<i64>),
    /// `uuid[]`
    UuidArray(Vec<Uuid>),
    /// `text[]`
    TextArray(Vec<String>),
}

/// SQL text and its binds; [`Sql::bind`] writes the `$n` placeholder.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// SQL whose first binds are `binds` (`$1`, `$2`, …), referenced with [`Sql::placeholder`].
    pub fn with_binds(binds: Vec<Bind>) -> Self {
        Self {
            text: String::new(),
            binds,
        }
    }

    /// Appends literal SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        let n = self.binds.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    /// Binds `value` without writing its placeholder; returns its index for
    /// [`Sql::placeholder`] or for text built by the caller.
    pub fn add_bind(&mut self, value: Bind) -> usize {
        self.binds.push(value);
        self.binds.len()
    }

    /// Appends the placeholder of an already bound value again (binds may be reused).
    pub fn placeholder(&mut self, index: usize) -> &mut Self {
        self.text.push('$');
        self.text.push_str(&index.to_string());
        self
    }

    /// How many values are bound (the index of the last placeholder).
    pub fn bound(&self) -> usize {
        self.binds.len()
    }

    /// The SQL text.
    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The diesel query.
    pub fn into_query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut query = diesel::sql_query(self.text).into_boxed::<Pg>();
        for bind in self.binds {
            query = match bind {
                Bind::Text(v) => query.bind::<sql_types::Text, _>(v),
                Bind::Bool(v) => query.bind::<sql_types::Bool, _>(v),
                Bind::BigInt(v) => query.bind::<sql_types::BigInt, _>(v),
                Bind::Uuid(v) => query.bind::<sql_types::Uuid, _>(v),
                Bind::Timestamptz(v) => query.bind::<sql_types::Timestamptz, _>(v),
                Bind::BigIntArray(v) => query.bind::<sql_types::Array<sql_types::BigInt>, _>(v),
                Bind::UuidArray(v) => query.bind::<sql_types::Array<sql_types::Uuid>, _>(v),
                Bind::TextArray(v) => query.bind::<sql_types::Array<sql_types::Text>, _>(v),
            };
        }
        query
    }
}

/// "`alias` is a current grant at `$now`": not revoked, not expired — the SQL form of the
/// domain's `team::is_current` (spec 03 §4.1), written once for every statement.
pub fn current_grant(alias: &str, now: usize) -> String {
    format!(
        "{alias}.is_active AND ({alias}.expiration_time IS NULL OR {alias}.expiration_time > ${now})"
    )
}

/// `AND <expr> = value` (`exact`) or `AND <expr> ILIKE %value%`, when the filter is given.
/// A value holding NUL matches nothing: PostgreSQL text cannot hold one, and binding it
/// would fail the statement.
pub fn text_filter(sql: &mut Sql, expr: &str, value: &Option<String>, exact: bool) {
    if let Some(value) = value {
        if value.contains('\0') {
            sql.push(" AND FALSE");
        } else if exact {
            sql.push(&format!(" AND {expr} = "))
                .bind(Bind::Text(value.clone()));
        } else {
            sql.push(&format!(" AND {expr} ILIKE "))
                .bind(Bind::Text(contains_pattern(value)));
        }
    }
}

/// `%value%` for `ILIKE`, with `%`, `_` and `\` escaped (spec 01 §4.3).
pub fn contains_pattern(value: &str) -> String {
    let mut pattern = String::with_capacity(value.len() + 2);
    pattern.push('%');
    for ch in value.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let mut sql = Sql::default();
        sql.push("a = ")
            .bind(Bind::Text("x".into()))
            .push(" AND b = ")
            .bind(Bind::Bool(true))
            .push(" OR a = ")
            .placeholder(1);
        assert_eq!(sql.text(), "a = $1 AND b = $2 OR a = $1");
        assert_eq!(sql.bound(), 2);
    }

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}

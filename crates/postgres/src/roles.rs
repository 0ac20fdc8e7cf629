//! `PgRoleRepository`: roles and the number of their current grants.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Bool, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use tenancy_domain::role::{Role, ScopeType};
use tenancy_ports::error::RepoError;
use tenancy_ports::paging::Page;
use tenancy_ports::roles::{RoleOrderKey, RoleQuery, RoleRepository};
use uuid::Uuid;

use crate::db::{map_err, Database};
use crate::sql::{contains_pattern, Bind, Sql};

/// Roles stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgRoleRepository {
    db: Database,
}

impl PgRoleRepository {
    /// The repository over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Debug, QueryableByName)]
struct RoleRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    description: String,
    #[diesel(sql_type = Text)]
    content_type: String,
    #[diesel(sql_type = Bool)]
    is_system_role: bool,
    #[diesel(sql_type = Bool)]
    is_active: bool,
    #[diesel(sql_type = Array<Text>)]
    permissions: Vec<String>,
    #[diesel(sql_type = BigInt)]
    users_count: i64,
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

impl TryFrom<RoleRow> for (Role, i64) {
    type Error = RepoError;

    fn try_from(r: RoleRow) -> Result<Self, RepoError> {
        let scope = ScopeType::from_name(&r.content_type).ok_or_else(|| {
            RepoError::Internal(format!("unknown content_type {}", r.content_type))
        })?;
        let mut permissions = r.permissions;
        permissions.sort();
        Ok((
            Role {
                id: r.id,
                uuid: r.uuid,
                name: r.name,
                description: r.description,
                scope,
                is_system_role: r.is_system_role,
                is_active: r.is_active,
                permissions,
            },
            r.users_count,
        ))
    }
}

/// Columns of a role; `$1` is the request time (current grants: not revoked, not expired).
const ROLE_COLUMNS: &str = "r.id, r.uuid, r.name, r.description, r.content_type, r.is_system_role, \
     r.is_active, r.permissions, (SELECT count(*) FROM grants g WHERE g.role_id = r.id AND g.is_active \
     AND (g.expiration_time IS NULL OR g.expiration_time > $1)) AS users_count";

fn filters(sql: &mut Sql, q: &RoleQuery) {
    sql.push(" WHERE TRUE");
    let texts = [&q.name, &q.description, &q.query];
    if texts
        .iter()
        .any(|t| t.as_ref().is_some_and(|v| v.contains('\0')))
    {
        // PostgreSQL text cannot hold NUL: such a filter matches nothing.
        sql.push(" AND FALSE");
        return;
    }
    if let Some(name) = &q.name {
        sql.push(" AND r.name ILIKE ")
            .bind(Bind::Text(contains_pattern(name)));
    }
    if let Some(description) = &q.description {
        sql.push(" AND r.description ILIKE ")
            .bind(Bind::Text(contains_pattern(description)));
    }
    if let Some(text) = &q.query {
        let n = sql.bound() + 1;
        sql.push(" AND (r.name ILIKE ")
            .bind(Bind::Text(contains_pattern(text)))
            .push(" OR r.description ILIKE ")
            .placeholder(n)
            .push(")");
    }
    if let Some(active) = q.is_active {
        sql.push(" AND r.is_active = ").bind(Bind::Bool(active));
    }
    if let Some(system) = q.is_system_role {
        sql.push(" AND r.is_system_role = ")
            .bind(Bind::Bool(system));
    }
    if let Some(scope) = q.content_type {
        sql.push(" AND r.content_type = ")
            .bind(Bind::Text(scope.as_str().to_owned()));
    }
}

fn order_by(sql: &mut Sql, q: &RoleQuery) {
    let mut terms = Vec::new();
    for term in &q.order {
        let dir = if term.descending { " DESC" } else { "" };
        match term.key {
            RoleOrderKey::Name => {
                terms.push(format!("lower(r.name){dir}"));
                terms.push(format!("r.name COLLATE \"C\"{dir}"));
            }
            RoleOrderKey::IsActive => terms.push(format!("r.is_active{dir}")),
            RoleOrderKey::UsersCount => terms.push(format!("users_count{dir}")),
            RoleOrderKey::Scope => terms.push(format!("r.content_type{dir}")),
            // System roles first when ascending.
            RoleOrderKey::Origin => terms.push(format!(
                "r.is_system_role{}",
                if term.descending { "" } else { " DESC" }
            )),
        }
    }
    terms.push("lower(r.name)".into());
    terms.push("r.name COLLATE \"C\"".into());
    terms.push("r.id".into());
    sql.push(" ORDER BY ").push(&terms.join(", "));
}

#[async_trait]
impl RoleRepository for PgRoleRepository {
    async fn list(&self, query: &RoleQuery) -> Result<Page<(Role, i64)>, RepoError> {
        let mut conn = self.db.conn().await?;
        let mut count = Sql::with_binds(vec![Bind::Timestamptz(query.now)]);
        count.push("SELECT count(*) AS count FROM roles r");
        filters(&mut count, query);
        // `$1` must be used for PostgreSQL to type it.
        count.push(" AND $1::timestamptz IS NOT NULL");
        let total: CountRow = count
            .into_query()
            .get_result(&mut conn)
            .await
            .map_err(map_err)?;
        let total = u64::try_from(total.count).unwrap_or(0);
        let (number, window) = query.page.window(total);
        let Some((offset, limit)) = window else {
            return Ok(Page::empty(total, number));
        };
        let mut sql = Sql::with_binds(vec![Bind::Timestamptz(query.now)]);
        sql.push(&format!("SELECT {ROLE_COLUMNS} FROM roles r"));
        filters(&mut sql, query);
        order_by(&mut sql, query);
        sql.push(" LIMIT ")
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset));
        let rows: Vec<RoleRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
            total,
            number,
        })
    }

    async fn find(&self, uuid: Uuid, now: DateTime<Utc>) -> Result<(Role, i64), RepoError> {
        let mut conn = self.db.conn().await?;
        let mut sql = Sql::with_binds(vec![Bind::Timestamptz(now)]);
        sql.push(&format!(
            "SELECT {ROLE_COLUMNS} FROM roles r WHERE r.uuid = "
        ))
        .bind(Bind::Uuid(uuid));
        let row: Option<RoleRow> =
            diesel::OptionalExtension::optional(sql.into_query().get_result(&mut conn).await)
                .map_err(map_err)?;
        row.ok_or(RepoError::NotFound)?.try_into()
    }
}

//! `PgRoleRepository`: roles and the number of their current grants.
//!
//! Every write is one transaction. Updates and deletes lock the role row `FOR UPDATE`
//! first — a grant insert takes `FOR KEY SHARE` on the row it references, so the two
//! exclude each other — and count the current grants in a later statement, which in READ
//! COMMITTED sees every grant committed before the lock was granted.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tenancy_domain::error::DomainError;
use tenancy_domain::role::{name_taken, NewRole, Role, ScopeType};
use tenancy_ports::error::RepoError;
use tenancy_ports::paging::Page;
use tenancy_ports::roles::{
    RoleDeleteCheck, RoleOrderKey, RoleQuery, RoleRepository, RoleUpdateCheck,
};
use uuid::Uuid;

use crate::db::{map_err, Database, TxError};
use crate::schema::{grants, roles};
use crate::sql::{contains_pattern, Bind, Sql};

/// The unique constraint on role names (`name text NOT NULL UNIQUE`).
const NAME_CONSTRAINT: &str = "roles_name_key";

/// A taken name is a field-map answer, not a conflict: `Name should be unique.`.
fn name_conflict(e: RepoError) -> RepoError {
    match e {
        RepoError::Conflict { constraint } if constraint == NAME_CONSTRAINT => {
            RepoError::Domain(DomainError::Invalid(name_taken()))
        }
        other => other,
    }
}

/// The role `id` with its current grants at `now`, read inside the caller's transaction.
async fn load(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(Role, i64), TxError> {
    let mut sql = Sql::with_binds(vec![Bind::Timestamptz(now)]);
    sql.push(&format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.id = "))
        .bind(Bind::BigInt(id));
    let row: Option<RoleRow> = sql.into_query().get_result(conn).await.optional()?;
    row.ok_or(TxError::Repo(RepoError::NotFound))?
        .try_into()
        .map_err(TxError::Repo)
}

/// The role a team request names — by UUID only when it is one, else by exact name —
/// read inside the caller's transaction (spec 03 §5.0).
pub(crate) async fn find_by_ref(
    conn: &mut AsyncPgConnection,
    role: &tenancy_ports::team::RoleRef,
    now: DateTime<Utc>,
) -> Result<Option<Role>, TxError> {
    let mut sql = Sql::with_binds(vec![Bind::Timestamptz(now)]);
    sql.push(&format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE "));
    match role {
        tenancy_ports::team::RoleRef::Uuid(uuid) => sql.push("r.uuid = ").bind(Bind::Uuid(*uuid)),
        tenancy_ports::team::RoleRef::Name(name) if name.contains('\0') => return Ok(None),
        tenancy_ports::team::RoleRef::Name(name) => {
            sql.push("r.name = ").bind(Bind::Text(name.clone()))
        }
    };
    let row: Option<RoleRow> = sql.into_query().get_result(conn).await.optional()?;
    row.map(|r| <(Role, i64)>::try_from(r).map(|(role, _)| role))
        .transpose()
        .map_err(TxError::Repo)
}

/// Locks the role row `id` until the transaction ends, then reads it with its current
/// grants (two statements, so the count sees grants committed while the lock was awaited).
async fn lock(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(Role, i64), TxError> {
    roles::table
        .find(id)
        .select(roles::id)
        .for_update()
        .first::<i64>(conn)
        .await
        .optional()?
        .ok_or(TxError::Repo(RepoError::NotFound))?;
    load(conn, id, now).await
}

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

    async fn create(&self, role: NewRole) -> Result<Role, RepoError> {
        let mut conn = self.db.conn().await?;
        let uuid = Uuid::new_v4();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let id: i64 = diesel::insert_into(roles::table)
                .values((
                    roles::uuid.eq(uuid),
                    roles::name.eq(role.name),
                    roles::description.eq(role.description),
                    roles::content_type.eq(role.scope.as_str()),
                    roles::is_system_role.eq(false),
                    roles::is_active.eq(role.is_active),
                    roles::permissions.eq(role.permissions),
                ))
                .returning(roles::id)
                .get_result(conn)
                .await?;
            // A new role has no grants: the time only types the count.
            Ok(load(conn, id, Utc::now()).await?.0)
        })
        .await
        .map_err(|e| name_conflict(e.into()))
    }

    async fn update_with(
        &self,
        id: i64,
        update: RoleUpdateCheck,
        now: DateTime<Utc>,
    ) -> Result<(Role, i64), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let (role, current_grants) = lock(conn, id, now).await?;
            let next = update(&role, current_grants).map_err(|e| TxError::Repo(e.into()))?;
            diesel::update(roles::table.find(id))
                .set((
                    roles::name.eq(next.name),
                    roles::description.eq(next.description),
                    roles::content_type.eq(next.scope.as_str()),
                    roles::is_active.eq(next.is_active),
                    roles::permissions.eq(next.permissions),
                ))
                .execute(conn)
                .await?;
            load(conn, id, now).await
        })
        .await
        .map_err(|e| name_conflict(e.into()))
    }

    async fn delete_with(
        &self,
        id: i64,
        check: RoleDeleteCheck,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let (role, current_grants) = lock(conn, id, now).await?;
            check(&role, current_grants).map_err(|e| TxError::Repo(e.into()))?;
            // Only revoked and expired rows are left (the check saw no current grant, and
            // the lock keeps new ones out); they go with the role.
            diesel::delete(grants::table.filter(grants::role_id.eq(id)))
                .execute(conn)
                .await?;
            diesel::delete(roles::table.find(id)).execute(conn).await?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn set_active(&self, uuid: Uuid, active: bool) -> Result<Role, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let id: i64 = diesel::update(roles::table.filter(roles::uuid.eq(uuid)))
                .set(roles::is_active.eq(active))
                .returning(roles::id)
                .get_result(conn)
                .await
                .optional()?
                .ok_or(TxError::Repo(RepoError::NotFound))?;
            Ok(load(conn, id, Utc::now()).await?.0)
        })
        .await
        .map_err(RepoError::from)
    }
}

//! `PgTeamRepository`: grants on customers and projects (spec 03 §4, §5).
//!
//! Every statement takes the viewer as its first three binds — `$1` user id, `$2` the
//! sees-everything flag, `$3` the request time — and decides "current" and "visible" in
//! SQL at that time, so an expired grant gives nothing from the instant it expires.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tenancy_domain::policy::{Grants, Permission};
use tenancy_domain::role::ScopeType;
use tenancy_domain::team::{Grantee, TeamAction, UserRestrictions, REASON_EXPIRED, REASON_MANUAL};
use tenancy_domain::user::Actor;
use tenancy_ports::error::RepoError;
use tenancy_ports::paging::Page;
use tenancy_ports::team::{
    ChangeContext, CurrentGrant, GrantOrderKey, GrantQuery, GrantView, Member, MemberProject,
    MemberQuery, RoleRef, ScopeRef, TargetUser, TeamChange, TeamCheck, TeamRepository, TeamScope,
};
use uuid::Uuid;

use crate::db::{map_err, Database, TxError};
use crate::projects::active_project;
use crate::sql::{contains_pattern, text_filter, Bind, Sql};

/// Grants stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgTeamRepository {
    db: Database,
}

impl PgTeamRepository {
    /// The repository over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// `alias` is a current grant at `$3` (spec 03 §4.1).
fn current(alias: &str) -> String {
    crate::sql::current_grant(alias, 3)
}

/// The permissions of the viewer's current grants on the customer (`column` = `customer_id`)
/// or project (`project_id`) with id `scope_id`.
fn viewer_permissions(column: &str, scope_id: &str) -> String {
    format!(
        "COALESCE((SELECT array_agg(DISTINCT perm) FROM grants vg JOIN roles vr ON vr.id = vg.role_id, \
         unnest(vr.permissions) perm WHERE vg.{column} = {scope_id} AND vg.user_id = $1 AND {}), '{{}}')",
        current("vg")
    )
}

fn viewer_grant_exists(column: &str, scope_id: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM grants vg WHERE vg.{column} = {scope_id} AND vg.user_id = $1 AND {})",
        current("vg")
    )
}

/// The scope row, visible to the viewer (spec 02 §6.0, 06 §4.2); `$4` is its UUID.
fn scope_sql(scope: ScopeRef, lock: bool) -> String {
    let common = "c.id AS customer_id, (NOT c.blocked AND NOT c.archived) AS available, \
                  c.user_email_patterns, c.user_affiliations, c.user_identity_sources";
    match scope {
        ScopeRef::Customer(_) => format!(
            "SELECT c.id, {common}, {} AS on_customer, '{{}}'::text[] AS on_project \
             FROM customers c WHERE c.uuid = $4 AND ($2 OR {} OR EXISTS (SELECT 1 FROM projects p \
             JOIN grants vg ON vg.project_id = p.id WHERE p.customer_id = c.id AND {active} \
             AND vg.user_id = $1 AND {})){}",
            viewer_permissions("customer_id", "c.id"),
            viewer_grant_exists("customer_id", "c.id"),
            current("vg"),
            if lock { " FOR SHARE OF c" } else { "" },
            active = active_project("p"),
        ),
        // A lock on the project row also holds off its soft deletion (spec 03 §8).
        ScopeRef::Project(_) => format!(
            "SELECT p.id, {common}, {} AS on_customer, {} AS on_project \
             FROM projects p JOIN customers c ON c.id = p.customer_id \
             WHERE p.uuid = $4 AND {active} AND ($2 OR {} OR {}){}",
            viewer_permissions("customer_id", "c.id"),
            viewer_permissions("project_id", "p.id"),
            viewer_grant_exists("project_id", "p.id"),
            viewer_grant_exists("customer_id", "c.id"),
            if lock { " FOR SHARE OF p" } else { "" },
            active = active_project("p"),
        ),
    }
}

#[derive(Debug, QueryableByName)]
struct ScopeRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = Bool)]
    available: bool,
    #[diesel(sql_type = Array<Text>)]
    user_email_patterns: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    user_affiliations: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    user_identity_sources: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    on_customer: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    on_project: Vec<String>,
}

fn grants_of(names: &[String]) -> Grants {
    Grants::new(
        names
            .iter()
            .filter_map(|n| Permission::from_name(n))
            .collect(),
    )
}

impl ScopeRow {
    fn into_scope(self, kind: ScopeType) -> TeamScope {
        TeamScope {
            kind,
            id: self.id,
            customer_id: self.customer_id,
            customer_available: self.available,
            restrictions: UserRestrictions {
                email_patterns: self.user_email_patterns,
                affiliations: self.user_affiliations,
                identity_sources: self.user_identity_sources,
            },
            on_customer: grants_of(&self.on_customer),
            on_project: grants_of(&self.on_project),
        }
    }
}

fn viewer_binds(viewer: &Actor, now: DateTime<Utc>) -> Vec<Bind> {
    vec![
        Bind::BigInt(viewer.user_id()),
        Bind::Bool(viewer.sees_everything()),
        Bind::Timestamptz(now),
    ]
}

async fn load_scope(
    conn: &mut AsyncPgConnection,
    viewer: &Actor,
    scope: ScopeRef,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<Option<TeamScope>, diesel::result::Error> {
    let mut binds = viewer_binds(viewer, now);
    binds.push(Bind::Uuid(scope.uuid()));
    let mut sql = Sql::with_binds(binds);
    sql.push(&scope_sql(scope, lock));
    let row: Option<ScopeRow> = sql.into_query().get_result(conn).await.optional()?;
    Ok(row.map(|r| r.into_scope(scope.kind())))
}

#[derive(Debug, QueryableByName)]
struct UserRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = Bool)]
    is_active: bool,
    #[diesel(sql_type = Text)]
    email: String,
}

#[derive(Debug, QueryableByName)]
struct GrantIdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expiration_time: Option<DateTime<Utc>>,
}

#[derive(Debug, QueryableByName)]
struct ExpiryRow {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expiration_time: Option<DateTime<Utc>>,
}

fn scope_column(kind: ScopeType) -> &'static str {
    match kind {
        ScopeType::Customer => "customer_id",
        ScopeType::Project => "project_id",
    }
}

/// The change of [`TeamRepository::change`] inside its transaction.
async fn change_in(
    conn: &mut AsyncPgConnection,
    viewer: &Actor,
    change: &TeamChange,
    check: TeamCheck,
) -> Result<Option<DateTime<Utc>>, TxError> {
    let now = change.now;
    let scope = load_scope(conn, viewer, change.scope, now, true)
        .await?
        .ok_or(TxError::Repo(RepoError::NotFound))?;
    let role = match &change.role {
        Some(r) => crate::roles::find_by_ref(conn, r, now).await?,
        None => None,
    };
    let user: Option<UserRow> = match change.user {
        Some(uuid) => {
            diesel::sql_query("SELECT id, uuid, is_active, email FROM users WHERE uuid = $1")
                .bind::<diesel::sql_types::Uuid, _>(uuid)
                .get_result(conn)
                .await
                .optional()?
        }
        None => None,
    };
    let column = scope_column(scope.kind);
    let current_grant = match (&role, &user) {
        (Some(role), Some(user)) => {
            // The row lock orders this change after any other on the same grant
            // (revoke racing update, spec 03 §8); the condition is re-checked on wake-up.
            let row: Option<GrantIdRow> = diesel::sql_query(format!(
                "SELECT id, expiration_time FROM grants WHERE user_id = $1 AND role_id = $2 \
                 AND {column} = $3 AND is_active AND (expiration_time IS NULL OR expiration_time > $4) \
                 FOR UPDATE"
            ))
            .bind::<BigInt, _>(user.id)
            .bind::<BigInt, _>(role.id)
            .bind::<BigInt, _>(scope.id)
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .await
            .optional()?;
            row.map(|g| CurrentGrant {
                id: g.id,
                expiration_time: g.expiration_time,
            })
        }
        _ => None,
    };
    let ctx = ChangeContext {
        scope,
        role,
        user: user.map(|u| TargetUser {
            id: u.id,
            uuid: u.uuid,
            grantee: Grantee {
                is_active: u.is_active,
                email: u.email,
                affiliations: Vec::new(),
                identity_source: String::new(),
            },
        }),
        current: current_grant,
    };
    check(&ctx).map_err(|e| TxError::Repo(RepoError::Refused(Box::new(e))))?;
    let (Some(role), Some(user)) = (&ctx.role, &ctx.user) else {
        return Err(TxError::Repo(RepoError::Internal(
            "team change approved without role or user".into(),
        )));
    };
    match change.action {
        TeamAction::Add => {
            // Close the triple's expired rows first, so the unique index over not-revoked
            // rows admits the new grant (spec 03 §4.3).
            diesel::sql_query(format!(
                "UPDATE grants SET is_active = false, revoked_at = expiration_time, revoke_reason = $5 \
                 WHERE user_id = $1 AND role_id = $2 AND {column} = $3 AND is_active \
                 AND expiration_time <= $4"
            ))
            .bind::<BigInt, _>(user.id)
            .bind::<BigInt, _>(role.id)
            .bind::<BigInt, _>(ctx.scope.id)
            .bind::<Timestamptz, _>(now)
            .bind::<Text, _>(REASON_EXPIRED)
            .execute(conn)
            .await?;
            let row: ExpiryRow = diesel::sql_query(format!(
                "INSERT INTO grants (uuid, user_id, role_id, {column}, created, created_by, expiration_time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING expiration_time"
            ))
            .bind::<diesel::sql_types::Uuid, _>(Uuid::new_v4())
            .bind::<BigInt, _>(user.id)
            .bind::<BigInt, _>(role.id)
            .bind::<BigInt, _>(ctx.scope.id)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(viewer.user_id())
            .bind::<Nullable<Timestamptz>, _>(change.expiration_time)
            .get_result(conn)
            .await?;
            Ok(row.expiration_time)
        }
        TeamAction::Update => {
            let Some(grant) = ctx.current else {
                return Err(TxError::Repo(RepoError::Internal(
                    "update without a grant".into(),
                )));
            };
            let row: ExpiryRow = diesel::sql_query(
                "UPDATE grants SET expiration_time = $2 WHERE id = $1 RETURNING expiration_time",
            )
            .bind::<BigInt, _>(grant.id)
            .bind::<Nullable<Timestamptz>, _>(change.expiration_time)
            .get_result(conn)
            .await?;
            Ok(row.expiration_time)
        }
        TeamAction::Revoke => {
            if let Some(grant) = ctx.current {
                diesel::sql_query(
                    "UPDATE grants SET is_active = false, revoked_at = $2, revoked_by = $3, \
                     revoke_reason = $4 WHERE id = $1",
                )
                .bind::<BigInt, _>(grant.id)
                .bind::<Timestamptz, _>(now)
                .bind::<BigInt, _>(viewer.user_id())
                .bind::<Text, _>(REASON_MANUAL)
                .execute(conn)
                .await?;
            }
            Ok(None)
        }
    }
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(Debug, QueryableByName)]
struct GrantRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = Timestamptz)]
    created: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expiration_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    role_name: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    role_uuid: Uuid,
    #[diesel(sql_type = Text)]
    user_email: String,
    #[diesel(sql_type = Text)]
    user_full_name: String,
    #[diesel(sql_type = Text)]
    user_username: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_uuid: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    created_by_full_name: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    created_by_uuid: Option<Uuid>,
}

const FULL_NAME: &str = "trim(u.first_name || ' ' || u.last_name)";

fn has_nul(values: &[&Option<String>]) -> bool {
    values
        .iter()
        .any(|v| v.as_ref().is_some_and(|s| s.contains('\0')))
}

/// Accent-insensitive icontains on the full name (Waldur folds accents).
fn folded_full_name(sql: &mut Sql, value: &Option<String>) {
    if let Some(v) = value {
        sql.push(&format!(" AND unaccent({FULL_NAME}) ILIKE unaccent("))
            .bind(Bind::Text(contains_pattern(v)))
            .push(")");
    }
}

fn grant_filters(sql: &mut Sql, scope: &TeamScope, q: &GrantQuery) {
    sql.push(&format!(
        " FROM grants g JOIN roles r ON r.id = g.role_id JOIN users u ON u.id = g.user_id \
         LEFT JOIN users cb ON cb.id = g.created_by WHERE g.{} = ",
        scope_column(scope.kind)
    ))
    .bind(Bind::BigInt(scope.id))
    .push(&format!(" AND {} AND u.is_active", current("g")));
    let texts = [
        &q.username,
        &q.full_name,
        &q.native_name,
        &q.user_slug,
        &q.search_string,
    ];
    if q.nothing || has_nul(&texts) {
        sql.push(" AND FALSE");
        return;
    }
    if let Some(user) = q.user {
        sql.push(" AND u.uuid = ").bind(Bind::Uuid(user));
    }
    text_filter(sql, "u.username", &q.username, true);
    folded_full_name(sql, &q.full_name);
    text_filter(sql, "u.native_name", &q.native_name, false);
    text_filter(sql, "u.slug", &q.user_slug, false);
    if let Some(text) = &q.search_string {
        let n = sql.bound() + 1;
        sql.push(" AND (u.first_name ILIKE ")
            .bind(Bind::Text(contains_pattern(text)));
        for column in ["u.last_name", "u.email", "u.username"] {
            sql.push(&format!(" OR {column} ILIKE ")).placeholder(n);
        }
        sql.push(")");
    }
    if !q.roles.is_empty() {
        let (uuids, names): (Vec<_>, Vec<_>) =
            q.roles.iter().partition(|r| matches!(r, RoleRef::Uuid(_)));
        let uuids = uuids
            .into_iter()
            .filter_map(|r| match r {
                RoleRef::Uuid(u) => Some(*u),
                RoleRef::Name(_) => None,
            })
            .collect();
        let names = names
            .into_iter()
            .filter_map(|r| match r {
                RoleRef::Name(n) if !n.contains('\0') => Some(n.clone()),
                _ => None,
            })
            .collect();
        sql.push(" AND (r.uuid = ANY(")
            .bind(Bind::UuidArray(uuids))
            .push(") OR r.name = ANY(")
            .bind(Bind::TextArray(names))
            .push("))");
    }
}

fn grant_order(sql: &mut Sql, q: &GrantQuery) {
    let mut terms = Vec::new();
    for term in &q.order {
        let dir = if term.descending { " DESC" } else { "" };
        let text = |expr: &str| {
            vec![
                format!("lower({expr}){dir}"),
                format!("{expr} COLLATE \"C\"{dir}"),
            ]
        };
        match term.key {
            GrantOrderKey::Username => terms.extend(text("u.username")),
            GrantOrderKey::FullName => {
                terms.extend(text("u.first_name"));
                terms.extend(text("u.last_name"));
            }
            GrantOrderKey::NativeName => terms.extend(text("u.native_name")),
            GrantOrderKey::Email => terms.extend(text("u.email")),
            GrantOrderKey::ExpirationTime => terms.push(format!(
                "g.expiration_time{dir}{}",
                if term.descending {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                }
            )),
            GrantOrderKey::Created => terms.push(format!("g.created{dir}")),
            GrantOrderKey::Role => terms.extend(text("r.name")),
        }
    }
    terms.push("g.created".into());
    terms.push("g.id".into());
    sql.push(" ORDER BY ").push(&terms.join(", "));
}

#[derive(Debug, QueryableByName)]
struct MemberRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    full_name: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Nullable<Text>)]
    role_name: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    role_expiration_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Array<diesel::sql_types::Uuid>)]
    project_uuids: Vec<Uuid>,
    #[diesel(sql_type = Array<Text>)]
    project_names: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    project_roles: Vec<String>,
    #[diesel(sql_type = Array<Nullable<Timestamptz>>)]
    project_expirations: Vec<Option<DateTime<Utc>>>,
}

/// The members of customer `$4` (spec 03 §5.2): active users with an effective grant on it
/// or on one of its active projects.
fn member_filters(sql: &mut Sql, q: &MemberQuery) {
    sql.push(&format!(
        " FROM users u WHERE u.is_active AND u.id IN (SELECT g.user_id FROM grants g \
         LEFT JOIN projects p ON p.id = g.project_id WHERE (g.customer_id = $4 \
         OR (p.customer_id = $4 AND {})) AND {})",
        active_project("p"),
        current("g")
    ));
    let texts = [
        &q.username,
        &q.full_name,
        &q.user_keyword,
        &q.email,
        &q.native_name,
        &q.organization,
        &q.job_title,
        &q.phone_number,
        &q.description,
        &q.civil_number,
        &q.registration_method,
    ];
    // Users here have no civil number and register by `default` (spec 06 §1.2).
    let impossible = q.is_active == Some(false)
        || q.civil_number.is_some()
        || q.registration_method
            .as_deref()
            .is_some_and(|m| m != "default");
    if impossible || has_nul(&texts) {
        sql.push(" AND FALSE");
        return;
    }
    text_filter(sql, "u.username", &q.username, true);
    folded_full_name(sql, &q.full_name);
    if let Some(keyword) = &q.user_keyword {
        let n = sql.bound() + 1;
        sql.push(&format!(" AND (unaccent({FULL_NAME}) ILIKE unaccent("))
            .bind(Bind::Text(contains_pattern(keyword)))
            .push(") OR u.email ILIKE ")
            .placeholder(n)
            .push(" OR u.username ILIKE ")
            .placeholder(n)
            .push(")");
    }
    text_filter(sql, "u.email", &q.email, false);
    text_filter(sql, "u.native_name", &q.native_name, false);
    text_filter(sql, "u.organization", &q.organization, false);
    text_filter(sql, "u.job_title", &q.job_title, false);
    text_filter(sql, "u.phone_number", &q.phone_number, true);
    text_filter(sql, "u.description", &q.description, true);
    for (column, value) in [
        ("u.date_joined", q.date_joined),
        ("u.modified", q.modified),
        ("u.agreement_date", q.agreement_date),
    ] {
        if let Some(t) = value {
            sql.push(&format!(" AND {column} >= "))
                .bind(Bind::Timestamptz(t));
        }
    }
    let mut role_sets = Vec::new();
    if !q.organization_role.is_empty() {
        role_sets.push(("g.customer_id = $4", q.organization_role.clone()));
    }
    let active_projects = format!(
        "g.project_id IN (SELECT p.id FROM projects p WHERE p.customer_id = $4 AND {})",
        active_project("p")
    );
    if !q.project_role.is_empty() {
        role_sets.push((active_projects.as_str(), q.project_role.clone()));
    }
    if !role_sets.is_empty() {
        sql.push(" AND (FALSE");
        for (scope, names) in role_sets {
            sql.push(&format!(
                " OR EXISTS (SELECT 1 FROM grants g JOIN roles r ON r.id = g.role_id WHERE g.user_id = u.id \
                 AND {scope} AND {} AND r.name = ANY(",
                current("g")
            ))
            .bind(Bind::TextArray(names.into_iter().filter(|n| !n.contains('\0')).collect()))
            .push("))");
        }
        sql.push(")");
    }
}

#[async_trait]
impl TeamRepository for PgTeamRepository {
    async fn find_scope(
        &self,
        viewer: &Actor,
        scope: ScopeRef,
        now: DateTime<Utc>,
    ) -> Result<TeamScope, RepoError> {
        let mut conn = self.db.conn().await?;
        load_scope(&mut conn, viewer, scope, now, false)
            .await
            .map_err(map_err)?
            .ok_or(RepoError::NotFound)
    }

    async fn list_grants(
        &self,
        scope: &TeamScope,
        query: &GrantQuery,
    ) -> Result<Page<GrantView>, RepoError> {
        let mut conn = self.db.conn().await?;
        // `$1` and `$2` are unused placeholders of the viewer convention; `$3` is the time.
        let binds = || {
            vec![
                Bind::BigInt(0),
                Bind::Bool(false),
                Bind::Timestamptz(query.now),
            ]
        };
        let mut count = Sql::with_binds(binds());
        count.push("SELECT count(*) AS count");
        grant_filters(&mut count, scope, query);
        count.push(" AND $1::bigint IS NOT NULL AND $2::boolean IS NOT NULL");
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
        let mut sql = Sql::with_binds(binds());
        sql.push(&format!(
            "SELECT g.uuid, g.created, g.expiration_time, r.name AS role_name, r.uuid AS role_uuid, \
             u.email AS user_email, {FULL_NAME} AS user_full_name, u.username AS user_username, \
             u.uuid AS user_uuid, trim(cb.first_name || ' ' || cb.last_name) AS created_by_full_name, \
             cb.uuid AS created_by_uuid"
        ));
        grant_filters(&mut sql, scope, query);
        sql.push(" AND $1::bigint IS NOT NULL AND $2::boolean IS NOT NULL");
        grant_order(&mut sql, query);
        sql.push(" LIMIT ")
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset));
        let rows: Vec<GrantRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| GrantView {
                    uuid: r.uuid,
                    created: r.created,
                    expiration_time: r.expiration_time,
                    role_name: r.role_name,
                    role_uuid: r.role_uuid,
                    user_email: r.user_email,
                    user_full_name: r.user_full_name,
                    user_username: r.user_username,
                    user_uuid: r.user_uuid,
                    created_by: r
                        .created_by_uuid
                        .map(|u| (r.created_by_full_name.unwrap_or_default(), u)),
                })
                .collect(),
            total,
            number,
        })
    }

    async fn list_members(
        &self,
        customer_id: i64,
        query: &MemberQuery,
    ) -> Result<Page<Member>, RepoError> {
        let mut conn = self.db.conn().await?;
        let binds = || {
            vec![
                Bind::BigInt(0),
                Bind::Bool(false),
                Bind::Timestamptz(query.now),
                Bind::BigInt(customer_id),
            ]
        };
        let guard = " AND $1::bigint IS NOT NULL AND $2::boolean IS NOT NULL";
        let mut count = Sql::with_binds(binds());
        count.push("SELECT count(*) AS count");
        member_filters(&mut count, query);
        count.push(guard);
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
        let order = match query.concatenated_name_descending {
            Some(desc) => {
                let dir = if desc { " DESC" } else { "" };
                format!(
                    "lower(u.first_name || u.last_name || u.username){dir}, \
                     (u.first_name || u.last_name || u.username) COLLATE \"C\"{dir}, u.id"
                )
            }
            None => "u.username COLLATE \"C\", u.id".to_owned(),
        };
        // The page's users first, then their customer role and project grants: one
        // statement, the lateral parts computed only for the page's rows.
        let mut sql = Sql::with_binds(binds());
        sql.push(&format!(
            "SELECT m.uuid, m.username, m.full_name, m.email, cr.role_name, \
             cr.expiration_time AS role_expiration_time, \
             COALESCE(pg.uuids, '{{}}') AS project_uuids, COALESCE(pg.names, '{{}}') AS project_names, \
             COALESCE(pg.roles, '{{}}') AS project_roles, \
             COALESCE(pg.expirations, '{{}}') AS project_expirations \
             FROM (SELECT u.id, u.uuid, u.username, {FULL_NAME} AS full_name, u.email, \
             row_number() OVER (ORDER BY {order}) AS position"
        ));
        member_filters(&mut sql, query);
        sql.push(guard);
        sql.push(&format!(" ORDER BY {order} LIMIT "))
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset));
        sql.push(&format!(
            ") m LEFT JOIN LATERAL (SELECT r.name AS role_name, g.expiration_time FROM grants g \
             JOIN roles r ON r.id = g.role_id WHERE g.user_id = m.id AND g.customer_id = $4 AND {} \
             ORDER BY g.created, g.id LIMIT 1) cr ON TRUE \
             LEFT JOIN LATERAL (SELECT array_agg(p.uuid ORDER BY p.name, g.created, g.id) AS uuids, \
             array_agg(p.name ORDER BY p.name, g.created, g.id) AS names, \
             array_agg(r.name ORDER BY p.name, g.created, g.id) AS roles, \
             array_agg(g.expiration_time ORDER BY p.name, g.created, g.id) AS expirations \
             FROM grants g JOIN projects p ON p.id = g.project_id JOIN roles r ON r.id = g.role_id \
             WHERE g.user_id = m.id AND p.customer_id = $4 AND {} AND {}) pg ON TRUE \
             ORDER BY m.position",
            current("g"),
            active_project("p"),
            current("g")
        ));
        let rows: Vec<MemberRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        let items = rows
            .into_iter()
            .map(|r| {
                let projects = r
                    .project_uuids
                    .into_iter()
                    .zip(r.project_names)
                    .zip(r.project_roles)
                    .zip(r.project_expirations)
                    .map(
                        |(((uuid, name), role_name), expiration_time)| MemberProject {
                            uuid,
                            name,
                            role_name,
                            expiration_time,
                        },
                    )
                    .collect();
                Member {
                    uuid: r.uuid,
                    username: r.username,
                    full_name: r.full_name,
                    email: r.email,
                    customer_role: r.role_name.map(|n| (n, r.role_expiration_time)),
                    projects,
                }
            })
            .collect();
        Ok(Page {
            items,
            total,
            number,
        })
    }

    async fn change(
        &self,
        viewer: &Actor,
        change: &TeamChange,
        check: TeamCheck,
    ) -> Result<Option<DateTime<Utc>>, RepoError> {
        let mut conn = self.db.conn().await?;
        let viewer = viewer.clone();
        let change = change.clone();
        let expiry = conn
            .transaction::<_, TxError, _>(async move |conn| {
                change_in(conn, &viewer, &change, check).await
            })
            .await?;
        Ok(expiry)
    }
}

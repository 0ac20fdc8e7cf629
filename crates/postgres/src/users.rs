//! `PgUserRepository`: users, API tokens and login failures in PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, RunQueryDsl};
use tenancy_domain::user::{Actor, NewUser, TokenUse, User};
use tenancy_domain::validate::slug::{generated_slug, next_slug_number, slug_base};
use tenancy_ports::error::RepoError;
use tenancy_ports::paging::Page;
use tenancy_ports::users::{Credentials, TokenRecord, UserPermission, UserQuery, UserRepository};
use uuid::Uuid;

use crate::db::{map_err, Database, TxError};
use crate::schema::{auth_tokens, login_failures, users};
use crate::sql::{contains_pattern, text_filter, Bind, Sql};

/// Users stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgUserRepository {
    db: Database,
}

impl PgUserRepository {
    /// The repository over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    uuid: Uuid,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    native_name: String,
    job_title: String,
    organization: String,
    phone_number: String,
    description: String,
    slug: String,
    is_staff: bool,
    is_support: bool,
    is_active: bool,
    notifications_enabled: bool,
    preferred_language: String,
    token_lifetime: Option<i32>,
    date_joined: DateTime<Utc>,
    agreement_date: Option<DateTime<Utc>>,
    password_hash: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
struct NewUserRow {
    uuid: Uuid,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    native_name: String,
    job_title: String,
    organization: String,
    phone_number: String,
    description: String,
    slug: String,
    is_staff: bool,
    is_support: bool,
    is_active: bool,
    notifications_enabled: bool,
    preferred_language: String,
    token_lifetime: Option<i32>,
    date_joined: DateTime<Utc>,
    agreement_date: Option<DateTime<Utc>>,
    password_hash: Option<String>,
    modified: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            uuid: r.uuid,
            username: r.username,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            native_name: r.native_name,
            job_title: r.job_title,
            organization: r.organization,
            phone_number: r.phone_number,
            description: r.description,
            slug: r.slug,
            is_staff: r.is_staff,
            is_support: r.is_support,
            is_active: r.is_active,
            notifications_enabled: r.notifications_enabled,
            preferred_language: r.preferred_language,
            token_lifetime: r.token_lifetime,
            date_joined: r.date_joined,
            agreement_date: r.agreement_date,
            has_usable_password: r.password_hash.is_some(),
        }
    }
}

#[derive(Debug, QueryableByName)]
struct PermissionRow {
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_uuid: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    user_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    user_slug: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    user_username: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    user_email: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    created: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    expiration_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    created_by_full_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    created_by_username: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    role_name: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    role_uuid: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    role_description: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    on_customer: bool,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    scope_uuid: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    scope_name: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    customer_uuid: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    customer_name: String,
}

/// The effective grants of `$1` users at `$2` (spec 03 §4.1): current, held by an active
/// user, on a customer or an active project.
const PERMISSIONS_SQL: &str = "SELECT g.user_id, g.uuid, u.uuid AS user_uuid, \
    trim(u.first_name || ' ' || u.last_name) AS user_name, u.slug AS user_slug, \
    u.username AS user_username, u.email AS user_email, g.created, g.expiration_time, \
    trim(cb.first_name || ' ' || cb.last_name) AS created_by_full_name, cb.username AS created_by_username, \
    r.name AS role_name, r.uuid AS role_uuid, r.description AS role_description, \
    g.customer_id IS NOT NULL AS on_customer, COALESCE(c.uuid, p.uuid) AS scope_uuid, \
    COALESCE(c.name, p.name) AS scope_name, COALESCE(c.uuid, pc.uuid) AS customer_uuid, \
    COALESCE(c.name, pc.name) AS customer_name \
    FROM grants g JOIN users u ON u.id = g.user_id JOIN roles r ON r.id = g.role_id \
    LEFT JOIN users cb ON cb.id = g.created_by LEFT JOIN customers c ON c.id = g.customer_id \
    LEFT JOIN projects p ON p.id = g.project_id LEFT JOIN customers pc ON pc.id = p.customer_id \
    WHERE g.user_id = ANY($1) AND g.is_active AND (g.expiration_time IS NULL OR g.expiration_time > $2) \
    AND u.is_active AND (p.id IS NULL OR {active}) ORDER BY g.created, g.id";

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Visibility of spec 06 §1.4 as a condition on `u`; `$1` viewer id, `$2` sees-all,
/// `$3` now.
fn visible(sql: &mut Sql) {
    const CURRENT: &str = "is_active AND (expiration_time IS NULL OR expiration_time > $3)";
    // Active projects by the one definition (spec 06 §4.1).
    let ap = crate::projects::active_project("p");
    let avp = crate::projects::active_project("vp");
    sql.push(&format!(
        "($2 OR u.id = $1 OR (u.is_active AND NOT u.is_staff AND EXISTS (\
         SELECT 1 FROM grants g LEFT JOIN projects p ON p.id = g.project_id \
         WHERE g.user_id = u.id AND g.{CURRENT} AND (p.id IS NULL OR {ap}) AND (\
           (g.customer_id IS NOT NULL AND (\
              EXISTS (SELECT 1 FROM grants vg WHERE vg.customer_id = g.customer_id AND vg.user_id = $1 AND vg.{CURRENT}) \
              OR EXISTS (SELECT 1 FROM grants vg JOIN projects vp ON vp.id = vg.project_id \
                         WHERE vp.customer_id = g.customer_id AND {avp} AND vg.user_id = $1 AND vg.{CURRENT}))) \
           OR (g.project_id IS NOT NULL AND (\
              EXISTS (SELECT 1 FROM grants vg WHERE vg.project_id = p.id AND vg.user_id = $1 AND vg.{CURRENT}) \
              OR EXISTS (SELECT 1 FROM grants vg WHERE vg.customer_id = p.customer_id AND vg.user_id = $1 AND vg.{CURRENT})))))))"
    ));
}

fn viewer_sql(viewer: &Actor, now: DateTime<Utc>) -> Sql {
    Sql::with_binds(vec![
        Bind::BigInt(viewer.user_id()),
        Bind::Bool(viewer.sees_everything()),
        Bind::Timestamptz(now),
    ])
}

fn filters(sql: &mut Sql, query: &UserQuery) {
    sql.push(" WHERE ");
    visible(sql);
    let f = &query.filters;
    // PostgreSQL text cannot hold NUL (binding one fails the statement): such a filter
    // matches nothing instead of answering 500.
    let texts = [
        &f.username,
        &f.email,
        &f.full_name,
        &f.query,
        &f.user_keyword,
        &f.native_name,
        &f.organization,
        &f.job_title,
        &f.phone_number,
        &f.description,
        &f.civil_number,
        &f.registration_method,
    ];
    // Users here have no civil number and register by `default` (spec 06 §1.2).
    let impossible = f.civil_number.is_some()
        || f.registration_method
            .as_deref()
            .is_some_and(|m| m != "default")
        || f.username_list.as_ref().is_some_and(Vec::is_empty);
    if impossible
        || texts
            .iter()
            .any(|v| v.as_ref().is_some_and(|t| t.contains('\0')))
    {
        sql.push(" AND FALSE");
        return;
    }
    text_filter(sql, "u.username", &f.username, true);
    text_filter(sql, "u.email", &f.email, false);
    if let Some(name) = &f.full_name {
        sql.push(" AND unaccent(trim(u.first_name || ' ' || u.last_name)) ILIKE unaccent(")
            .bind(Bind::Text(contains_pattern(name)))
            .push(")");
    }
    if let Some(names) = &f.username_list {
        sql.push(" AND u.username = ANY(")
            .bind(Bind::TextArray(names.clone()))
            .push(")");
    }
    if let Some(keyword) = &f.user_keyword {
        let n = sql.bound() + 1;
        sql.push(" AND (unaccent(trim(u.first_name || ' ' || u.last_name)) ILIKE unaccent(")
            .bind(Bind::Text(contains_pattern(keyword)))
            .push(") OR u.email ILIKE ")
            .placeholder(n)
            .push(" OR u.username ILIKE ")
            .placeholder(n)
            .push(")");
    }
    text_filter(sql, "u.native_name", &f.native_name, false);
    text_filter(sql, "u.organization", &f.organization, false);
    text_filter(sql, "u.job_title", &f.job_title, false);
    text_filter(sql, "u.phone_number", &f.phone_number, true);
    text_filter(sql, "u.description", &f.description, true);
    for (column, value) in [
        ("date_joined", f.date_joined),
        ("modified", f.modified),
        ("agreement_date", f.agreement_date),
    ] {
        if let Some(t) = value {
            sql.push(&format!(" AND u.{column} >= "))
                .bind(Bind::Timestamptz(t));
        }
    }
    let current_g = crate::sql::current_grant("g", 3);
    let active = crate::projects::active_project("p");
    if let Some(customer) = f.customer_uuid {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM grants g LEFT JOIN projects p ON p.id = g.project_id \
             JOIN customers c ON c.id = COALESCE(g.customer_id, p.customer_id) \
             WHERE g.user_id = u.id AND {current_g} AND (g.customer_id IS NOT NULL OR {active}) AND c.uuid = "
        ))
        .bind(Bind::Uuid(customer))
        .push(")");
    }
    if let Some(project) = f.project_uuid {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM grants g JOIN projects p ON p.id = g.project_id \
             WHERE g.user_id = u.id AND {current_g} AND {active} AND p.uuid = "
        ))
        .bind(Bind::Uuid(project))
        .push(")");
    }
    if !f.organization_roles.is_empty() || !f.project_roles.is_empty() {
        let names: Vec<String> = f
            .organization_roles
            .iter()
            .chain(&f.project_roles)
            .filter(|n| !n.contains('\0'))
            .cloned()
            .collect();
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM grants g JOIN roles r ON r.id = g.role_id \
             LEFT JOIN projects p ON p.id = g.project_id WHERE g.user_id = u.id AND {current_g} \
             AND (p.id IS NULL OR {active}) AND r.name = ANY("
        ))
        .bind(Bind::TextArray(names))
        .push("))");
    }
    if let Some(q) = &f.query {
        let n = sql.bound() + 1;
        sql.push(" AND (u.first_name ILIKE ")
            .bind(Bind::Text(contains_pattern(q)));
        for column in ["last_name", "username", "email"] {
            sql.push(&format!(" OR u.{column} ILIKE ")).placeholder(n);
        }
        // Two words or more: also first name ~ the first, or last name ~ the second.
        let words: Vec<&str> = q.split_whitespace().collect();
        if let [first, second, ..] = words.as_slice() {
            sql.push(" OR u.first_name ILIKE ")
                .bind(Bind::Text(contains_pattern(first)))
                .push(" OR u.last_name ILIKE ")
                .bind(Bind::Text(contains_pattern(second)));
        }
        sql.push(")");
    }
    for (column, value) in [
        ("is_active", f.is_active),
        ("is_staff", f.is_staff),
        ("is_support", f.is_support),
    ] {
        if let Some(v) = value {
            sql.push(&format!(" AND u.{column} = ")).bind(Bind::Bool(v));
        }
    }
}

fn order_by(sql: &mut Sql, query: &UserQuery) {
    use tenancy_ports::users::UserOrderKey as K;
    let mut terms = Vec::new();
    for term in &query.order {
        let dir = if term.descending { " DESC" } else { "" };
        let text = |column: &str| {
            [
                format!("lower(u.{column}){dir}"),
                format!("u.{column} COLLATE \"C\"{dir}"),
            ]
        };
        match term.key {
            K::FullName => {
                terms.extend(text("first_name"));
                terms.extend(text("last_name"));
            }
            K::NativeName => terms.extend(text("native_name")),
            K::Email => terms.extend(text("email")),
            K::PhoneNumber => terms.extend(text("phone_number")),
            K::Description => terms.extend(text("description")),
            K::Organization => terms.extend(text("organization")),
            K::JobTitle => terms.extend(text("job_title")),
            K::Username => terms.push(format!("u.username COLLATE \"C\"{dir}")),
            K::IsActive => terms.push(format!("u.is_active{dir}")),
            // Every user registers by `default`.
            K::RegistrationMethod => {}
            K::IsStaff => terms.push(format!("u.is_staff{dir}")),
            K::IsSupport => terms.push(format!("u.is_support{dir}")),
        }
    }
    terms.push("u.username COLLATE \"C\"".into());
    terms.push("u.id".into());
    sql.push(" ORDER BY ").push(&terms.join(", "));
}

async fn next_user_slug(
    conn: &mut diesel_async::AsyncPgConnection,
    username: &str,
) -> Result<String, TxError> {
    let base = slug_base(username, "user");
    let pattern = format!(
        "{}%",
        base.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // Creates that generate from the same base queue here for the rest of their
    // transaction, so each sees the numbers the previous ones committed (spec 02 §5.2).
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(format!("user-slug:{base}"))
        .execute(conn)
        .await?;
    let existing: Vec<String> = users::table
        .filter(users::slug.like(pattern))
        .select(users::slug)
        .load(conn)
        .await?;
    Ok(generated_slug(
        &base,
        next_slug_number(&base, existing.iter().map(String::as_str)),
    ))
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn create(
        &self,
        user: NewUser,
        password_hash: Option<String>,
        token: Option<[u8; 32]>,
        now: DateTime<Utc>,
    ) -> Result<User, RepoError> {
        let mut conn = self.db.conn().await?;
        for _ in 0..8 {
            let user = user.clone();
            let password_hash = password_hash.clone();
            let result = conn
                .transaction::<_, TxError, _>(async move |conn| {
                    let slug = next_user_slug(conn, &user.username).await?;
                    let row = NewUserRow {
                        uuid: Uuid::new_v4(),
                        username: user.username,
                        email: user.email,
                        first_name: user.first_name,
                        last_name: user.last_name,
                        native_name: user.native_name,
                        job_title: user.job_title,
                        organization: user.organization,
                        phone_number: user.phone_number,
                        description: user.description,
                        slug,
                        is_staff: user.is_staff,
                        is_support: user.is_support,
                        is_active: user.is_active,
                        notifications_enabled: user.notifications_enabled,
                        preferred_language: user.preferred_language,
                        token_lifetime: user.token_lifetime,
                        date_joined: now,
                        agreement_date: user.agree_with_policy.then_some(now),
                        password_hash,
                        modified: now,
                    };
                    let stored: UserRow = diesel::insert_into(users::table)
                        .values(&row)
                        .returning(UserRow::as_returning())
                        .get_result(conn)
                        .await?;
                    if let Some(digest) = token {
                        diesel::insert_into(auth_tokens::table)
                            .values((
                                auth_tokens::digest.eq(digest.to_vec()),
                                auth_tokens::user_id.eq(stored.id),
                                auth_tokens::created.eq(now),
                                auth_tokens::last_used.eq(now),
                            ))
                            .execute(conn)
                            .await?;
                    }
                    Ok(stored)
                })
                .await
                .map_err(RepoError::from);
            match result {
                // A concurrent create took the generated slug: number again.
                Err(RepoError::Conflict { constraint }) if constraint == "users_slug_key" => {
                    continue
                }
                other => return other.map(User::from),
            }
        }
        Err(RepoError::Conflict {
            constraint: "users_slug_key".into(),
        })
    }

    async fn count(&self) -> Result<u64, RepoError> {
        let mut conn = self.db.conn().await?;
        let n: i64 = users::table
            .count()
            .get_result(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn find_by_id(&self, id: i64) -> Result<User, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: UserRow = users::table
            .find(id)
            .select(UserRow::as_select())
            .get_result(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(row.into())
    }

    async fn find_visible(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        now: DateTime<Utc>,
    ) -> Result<User, RepoError> {
        let mut conn = self.db.conn().await?;
        let mut sql = viewer_sql(viewer, now);
        sql.push("SELECT u.* FROM users u WHERE u.uuid = ")
            .bind(Bind::Uuid(uuid))
            .push(" AND ");
        visible(&mut sql);
        let row: UserRow = sql
            .into_query()
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(map_err)?
            .ok_or(RepoError::NotFound)?;
        Ok(row.into())
    }

    async fn list(&self, viewer: &Actor, query: &UserQuery) -> Result<Page<User>, RepoError> {
        let mut conn = self.db.conn().await?;
        let mut count = viewer_sql(viewer, query.now);
        count.push("SELECT count(*) AS count FROM users u");
        filters(&mut count, query);
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
        let mut sql = viewer_sql(viewer, query.now);
        sql.push("SELECT u.* FROM users u");
        filters(&mut sql, query);
        order_by(&mut sql, query);
        sql.push(" LIMIT ")
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset));
        let rows: Vec<UserRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        Ok(Page {
            items: rows.into_iter().map(User::from).collect(),
            total,
            number,
        })
    }

    async fn permissions_of(
        &self,
        user_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<UserPermission>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<PermissionRow> = diesel::sql_query(
            PERMISSIONS_SQL.replace("{active}", &crate::projects::active_project("p")),
        )
        .bind::<diesel::sql_types::Array<BigInt>, _>(user_ids)
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .load(&mut conn)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| UserPermission {
                user_id: r.user_id,
                uuid: r.uuid,
                user_uuid: r.user_uuid,
                user_name: r.user_name,
                user_slug: r.user_slug,
                user_username: r.user_username,
                user_email: r.user_email,
                created: r.created,
                expiration_time: r.expiration_time,
                created_by: r
                    .created_by_username
                    .map(|u| (r.created_by_full_name.unwrap_or_default(), u)),
                role_name: r.role_name,
                role_uuid: r.role_uuid,
                role_description: r.role_description,
                scope_type: if r.on_customer {
                    tenancy_domain::role::ScopeType::Customer
                } else {
                    tenancy_domain::role::ScopeType::Project
                },
                scope_uuid: r.scope_uuid,
                scope_name: r.scope_name,
                customer_uuid: r.customer_uuid,
                customer_name: r.customer_name,
            })
            .collect())
    }

    async fn find_token(&self, digest: [u8; 32]) -> Result<Option<TokenRecord>, RepoError> {
        let mut conn = self.db.conn().await?;
        let found: Option<((i64, DateTime<Utc>), UserRow)> = auth_tokens::table
            .inner_join(users::table)
            .filter(auth_tokens::digest.eq(digest.to_vec()))
            .select((
                (auth_tokens::id, auth_tokens::last_used),
                UserRow::as_select(),
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(map_err)?;
        Ok(found.map(|((id, last_used), row)| {
            let lifetime = row.token_lifetime;
            TokenRecord {
                id,
                user: row.into(),
                usage: TokenUse {
                    last_used,
                    lifetime_seconds: lifetime,
                },
            }
        }))
    }

    async fn touch_token(&self, token_id: i64, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::update(auth_tokens::table.find(token_id))
            .set(auth_tokens::last_used.eq(now))
            .execute(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn add_token(
        &self,
        user_id: i64,
        digest: [u8; 32],
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(auth_tokens::table)
            .values((
                auth_tokens::digest.eq(digest.to_vec()),
                auth_tokens::user_id.eq(user_id),
                auth_tokens::created.eq(now),
                auth_tokens::last_used.eq(now),
            ))
            .execute(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_token(&self, digest: [u8; 32]) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::delete(auth_tokens::table.filter(auth_tokens::digest.eq(digest.to_vec())))
            .execute(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<UserRow> = users::table
            .filter(users::username.eq(username))
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(map_err)?;
        Ok(row.map(|r| {
            let password_hash = r.password_hash.clone();
            Credentials {
                user: r.into(),
                password_hash,
            }
        }))
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        let n = diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(password_hash),
                users::modified.eq(now),
            ))
            .execute(&mut conn)
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn login_failures(
        &self,
        username: &str,
        client: &str,
    ) -> Result<Option<(i32, DateTime<Utc>)>, RepoError> {
        let mut conn = self.db.conn().await?;
        login_failures::table
            .find((username, client))
            .select((login_failures::failures, login_failures::last_failure))
            .first(&mut conn)
            .await
            .optional()
            .map_err(map_err)
    }

    async fn record_login_failure(
        &self,
        username: &str,
        client: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<i32, RepoError> {
        #[derive(QueryableByName)]
        struct Failures {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            failures: i32,
        }
        let mut conn = self.db.conn().await?;
        let row: Failures = diesel::sql_query(
            "INSERT INTO login_failures (username, client_address, failures, last_failure) \
             VALUES ($1, $2, 1, $3) \
             ON CONFLICT (username, client_address) DO UPDATE SET \
               failures = CASE WHEN login_failures.last_failure > $4 \
                               THEN login_failures.failures + 1 ELSE 1 END, \
               last_failure = EXCLUDED.last_failure \
             RETURNING failures",
        )
        .bind::<diesel::sql_types::Text, _>(username)
        .bind::<diesel::sql_types::Text, _>(client)
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .bind::<diesel::sql_types::Timestamptz, _>(now - window)
        .get_result(&mut conn)
        .await
        .map_err(map_err)?;
        Ok(row.failures)
    }

    async fn reset_login_failures(&self, username: &str, client: &str) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::delete(login_failures::table.find((username, client)))
            .execute(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

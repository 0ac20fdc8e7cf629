//! `PgProjectRepository`: projects in PostgreSQL.
//!
//! Visibility (spec 06 §4.2) and every list filter (§4.7) are SQL conditions; a list page
//! is two statements whatever the page size — the count, and the page joined with its
//! customer. Writes are one transaction each: creation holds a shared lock on the customer
//! row (customer deletion takes an exclusive one), updates and soft deletion lock the
//! customer (shared) and then the project row, in that order.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use tenancy_domain::policy::{Grants, Permission};
use tenancy_domain::project::{
    default_project_slug, default_slug_base, first_free_slug, templated_project_slug, Project,
    ProjectFields, ProjectKind, ACTIVE_IS_REMOVED,
};
use tenancy_domain::user::Actor;
use tenancy_domain::validate::uuid::parse_uuid;
use tenancy_ports::customers::OrderTerm;
use tenancy_ports::error::RepoError;
use tenancy_ports::paging::Page;
use tenancy_ports::projects::{
    ProjectCreateCheck, ProjectCustomer, ProjectDeleteCheck, ProjectFilters, ProjectGrants,
    ProjectOrderKey, ProjectQuery, ProjectRepository, ProjectUpdate, ProjectView, UserFilter,
};
use uuid::Uuid;

use crate::customers::{current, viewer_sql, visible, ViewerBinds};
use crate::db::{map_err, Database, TxError};
use crate::schema::{customers, grants, projects, roles};
use crate::sql::{contains_pattern, text_filter, Bind, Sql};

/// The revocation reason of grants on a soft-deleted project (spec 03 §4.5).
pub const REVOKE_REASON: &str = "Project has been deleted";

/// "Project `alias` is active" in SQL — the one definition of spec 06 §4.1,
/// [`tenancy_domain::project::is_active_project`], spelled from
/// [`ACTIVE_IS_REMOVED`]. Every query that counts or shows active projects uses this.
pub(crate) fn active_project(alias: &str) -> String {
    format!("{alias}.is_removed = {ACTIVE_IS_REMOVED}")
}

/// Projects stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgProjectRepository {
    db: Database,
}

impl PgProjectRepository {
    /// The repository over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// A `projects` row as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = projects)]
#[diesel(treat_none_as_null = true)]
struct ProjectRow {
    #[diesel(skip_insertion)]
    id: i64,
    uuid: Uuid,
    customer_id: i64,
    name: String,
    slug: String,
    description: String,
    backend_id: String,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    end_date_requested_by: Option<i64>,
    end_date_updated_at: Option<DateTime<Utc>>,
    kind: String,
    staff_notes: String,
    grace_period_days: Option<i64>,
    is_removed: bool,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Project {
            id: r.id,
            uuid: r.uuid,
            customer_id: r.customer_id,
            created: r.created,
            modified: r.modified,
            is_removed: r.is_removed,
            fields: ProjectFields {
                name: r.name,
                slug: r.slug,
                description: r.description,
                backend_id: r.backend_id,
                start_date: r.start_date,
                end_date: r.end_date,
                end_date_requested_by: r.end_date_requested_by,
                end_date_updated_at: r.end_date_updated_at,
                kind: ProjectKind::from_name(&r.kind).unwrap_or_default(),
                staff_notes: r.staff_notes,
                grace_period_days: r.grace_period_days,
            },
        }
    }
}

fn to_row(p: &Project, fields: ProjectFields, now: DateTime<Utc>) -> ProjectRow {
    ProjectRow {
        id: p.id,
        uuid: p.uuid,
        customer_id: p.customer_id,
        name: fields.name,
        slug: fields.slug,
        description: fields.description,
        backend_id: fields.backend_id,
        start_date: fields.start_date,
        end_date: fields.end_date,
        end_date_requested_by: fields.end_date_requested_by,
        end_date_updated_at: fields.end_date_updated_at,
        kind: fields.kind.name().to_owned(),
        staff_notes: fields.staff_notes,
        grace_period_days: fields.grace_period_days,
        is_removed: p.is_removed,
        created: p.created,
        modified: now,
    }
}

/// The customer columns of a project row, aliased `customer_*`.
#[derive(Debug, QueryableByName)]
struct CustomerColumns {
    #[diesel(sql_type = BigInt)]
    customer_pk: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    customer_uuid: Uuid,
    #[diesel(sql_type = Text)]
    customer_name: String,
    #[diesel(sql_type = Text)]
    customer_slug: String,
    #[diesel(sql_type = Text)]
    customer_native_name: String,
    #[diesel(sql_type = Text)]
    customer_abbreviation: String,
    #[diesel(sql_type = Bool)]
    customer_display_billing_info_in_projects: bool,
    #[diesel(sql_type = Nullable<BigInt>)]
    customer_grace_period_days: Option<i64>,
    #[diesel(sql_type = Bool)]
    customer_blocked: bool,
    #[diesel(sql_type = Bool)]
    customer_archived: bool,
}

const CUSTOMER_COLUMNS: &str = "c.id AS customer_pk, c.uuid AS customer_uuid, \
    c.name AS customer_name, c.slug AS customer_slug, c.native_name AS customer_native_name, \
    c.abbreviation AS customer_abbreviation, \
    c.display_billing_info_in_projects AS customer_display_billing_info_in_projects, \
    c.grace_period_days AS customer_grace_period_days, c.blocked AS customer_blocked, \
    c.archived AS customer_archived";

impl From<CustomerColumns> for ProjectCustomer {
    fn from(c: CustomerColumns) -> Self {
        ProjectCustomer {
            id: c.customer_pk,
            uuid: c.customer_uuid,
            name: c.customer_name,
            slug: c.customer_slug,
            native_name: c.customer_native_name,
            abbreviation: c.customer_abbreviation,
            display_billing_info_in_projects: c.customer_display_billing_info_in_projects,
            grace_period_days: c.customer_grace_period_days,
            blocked: c.customer_blocked,
            archived: c.customer_archived,
        }
    }
}

/// The customer row as the write transactions lock it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = customers)]
struct LockedCustomer {
    id: i64,
    uuid: Uuid,
    name: String,
    slug: String,
    native_name: String,
    abbreviation: String,
    display_billing_info_in_projects: bool,
    grace_period_days: Option<i64>,
    blocked: bool,
    archived: bool,
    project_slug_template: Option<String>,
}

impl LockedCustomer {
    fn summary(&self) -> ProjectCustomer {
        ProjectCustomer {
            id: self.id,
            uuid: self.uuid,
            name: self.name.clone(),
            slug: self.slug.clone(),
            native_name: self.native_name.clone(),
            abbreviation: self.abbreviation.clone(),
            display_billing_info_in_projects: self.display_billing_info_in_projects,
            grace_period_days: self.grace_period_days,
            blocked: self.blocked,
            archived: self.archived,
        }
    }
}

/// A page row: the project, its customer and the `end_date_requested_by` user's uuid.
#[derive(Debug, QueryableByName)]
struct ViewRow {
    #[diesel(embed)]
    project: ProjectRow,
    #[diesel(embed)]
    customer: CustomerColumns,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    end_date_requested_by_uuid: Option<Uuid>,
}

impl From<ViewRow> for ProjectView {
    fn from(r: ViewRow) -> Self {
        ProjectView {
            project: r.project.into(),
            customer: r.customer.into(),
            end_date_requested_by: r.end_date_requested_by_uuid,
            // FIXME(spec 05 §5.4): count the project's resources in state OK or Updating
            // once resources are stored.
            resources_count: 0,
        }
    }
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

const FROM: &str = " FROM projects p JOIN customers c ON c.id = p.customer_id";

fn select_view(sql: &mut Sql) {
    sql.push("SELECT p.*, ")
        .push(CUSTOMER_COLUMNS)
        .push(", (SELECT u.uuid FROM users u WHERE u.id = p.end_date_requested_by) AS end_date_requested_by_uuid")
        .push(FROM);
}

/// Visibility of spec 06 §4.2 as a condition on `p`: staff and support see every project,
/// others those with a current grant of theirs on the project or on its customer (the
/// viewer is active: deactivated users cannot authenticate). Soft-deleted projects only
/// with `include_terminated`.
fn visible_project(sql: &mut Sql, v: &ViewerBinds, include_terminated: bool) {
    sql.push("(");
    if !include_terminated {
        sql.push(&active_project("p")).push(" AND ");
    }
    sql.push("(").placeholder(v.sees_all);
    sql.push(" OR EXISTS (SELECT 1 FROM grants vg WHERE vg.project_id = p.id AND vg.user_id = ")
        .placeholder(v.user_id)
        .push(" AND ");
    current(sql, "vg", v);
    sql.push(") OR EXISTS (SELECT 1 FROM grants vg WHERE vg.customer_id = p.customer_id AND vg.user_id = ")
        .placeholder(v.user_id)
        .push(" AND ");
    current(sql, "vg", v);
    sql.push(")))");
}

/// The viewer holds a current grant `mg` (role `mr`) that satisfies `condition`.
fn viewer_role(sql: &mut Sql, v: &ViewerBinds, condition: &str) {
    sql.push(" AND EXISTS (SELECT 1 FROM grants mg JOIN roles mr ON mr.id = mg.role_id WHERE mg.user_id = ")
        .placeholder(v.user_id)
        .push(" AND ");
    current(sql, "mg", v);
    sql.push(" AND (").push(condition).push("))");
}

fn user_filter(sql: &mut Sql, filter: Option<UserFilter>, condition: impl Fn(&mut Sql, Uuid)) {
    match filter {
        None => {}
        Some(UserFilter::Nothing) => {
            sql.push(" AND FALSE");
        }
        Some(UserFilter::User(uuid)) => condition(sql, uuid),
    }
}

fn date_filter(sql: &mut Sql, column: &str, op: &str, value: Option<DateTime<Utc>>) {
    if let Some(value) = value {
        sql.push(&format!(" AND {column} {op} "))
            .bind(Bind::Timestamptz(value));
    }
}

fn filters(sql: &mut Sql, f: &ProjectFilters, v: &ViewerBinds) {
    sql.push(" WHERE ");
    visible_project(sql, v, f.include_terminated);
    if !f.customer.is_empty() {
        sql.push(" AND c.uuid = ANY(")
            .bind(Bind::UuidArray(f.customer.clone()))
            .push(")");
    }
    text_filter(sql, "p.name", &f.name, false);
    text_filter(sql, "p.name", &f.name_exact, true);
    text_filter(sql, "p.slug", &f.slug, true);
    text_filter(sql, "p.description", &f.description, false);
    text_filter(sql, "p.backend_id", &f.backend_id, true);
    match &f.query {
        Some(query) if query.contains('\0') => {
            sql.push(" AND FALSE");
        }
        Some(query) => {
            sql.push(" AND (p.name ILIKE ");
            let pattern = sql.bound() + 1;
            sql.bind(Bind::Text(contains_pattern(query)))
                .push(" OR p.slug ILIKE ")
                .placeholder(pattern);
            if let Some(uuid) = parse_uuid(query) {
                sql.push(" OR p.uuid = ").bind(Bind::Uuid(uuid));
            }
            sql.push(")");
        }
        None => {}
    }
    text_filter(sql, "c.name", &f.customer_name, false);
    text_filter(sql, "c.native_name", &f.customer_native_name, false);
    text_filter(sql, "c.abbreviation", &f.customer_abbreviation, false);
    if f.can_manage {
        viewer_role(
            sql,
            v,
            "(mg.customer_id = p.customer_id AND mr.name = 'CUSTOMER.OWNER') \
             OR (mg.project_id = p.id AND mr.name = 'PROJECT.MANAGER')",
        );
    }
    if f.can_admin {
        viewer_role(sql, v, "mg.project_id = p.id AND mr.name = 'PROJECT.ADMIN'");
    }
    if !f.current_user_has_role.is_empty() {
        let names: Vec<String> = f
            .current_user_has_role
            .iter()
            .filter(|n| !n.contains('\0'))
            .cloned()
            .collect();
        let uuids: Vec<Uuid> = f
            .current_user_has_role
            .iter()
            .filter_map(|n| parse_uuid(n))
            .collect();
        let names = sql.add_bind(Bind::TextArray(names));
        let uuids = sql.add_bind(Bind::UuidArray(uuids));
        viewer_role(
            sql,
            v,
            &format!(
                "mg.project_id = p.id AND (mr.name = ANY(${names}) OR mr.uuid = ANY(${uuids}))"
            ),
        );
    }
    user_filter(sql, f.user_uuid, |sql, uuid| {
        sql.push(" AND EXISTS (SELECT 1 FROM users fu WHERE fu.uuid = ")
            .bind(Bind::Uuid(uuid))
            .push(" AND fu.is_active AND (fu.is_staff OR fu.is_support OR EXISTS (SELECT 1 FROM grants fg WHERE fg.user_id = fu.id AND (fg.project_id = p.id OR fg.customer_id = p.customer_id) AND ");
        current(sql, "fg", v);
        sql.push(")))");
    });
    user_filter(sql, f.user_uuid_with_active_role, |sql, uuid| {
        sql.push(" AND EXISTS (SELECT 1 FROM grants fg JOIN users fu ON fu.id = fg.user_id WHERE fu.uuid = ")
            .bind(Bind::Uuid(uuid))
            .push(" AND fu.is_active AND fg.project_id = p.id AND ");
        current(sql, "fg", v);
        sql.push(")");
    });
    if let Some(removed) = f.is_removed {
        sql.push(" AND p.is_removed = ").bind(Bind::Bool(removed));
    }
    if f.conceal_finished_projects {
        sql.push(" AND (p.end_date IS NULL OR p.end_date >= (")
            .placeholder(v.now)
            .push(" AT TIME ZONE 'UTC')::date)");
    }
    date_filter(sql, "p.created", ">=", f.created);
    date_filter(sql, "p.modified", ">=", f.modified);
    date_filter(sql, "p.created", "<=", f.created_before);
    date_filter(sql, "p.modified", "<=", f.modified_before);
    if let Some(running) = f.accounting_is_running {
        sql.push(if running {
            " AND c.accounting_start_date <= "
        } else {
            " AND c.accounting_start_date > "
        })
        .placeholder(v.now);
    }
}

fn order_by(sql: &mut Sql, order: &[OrderTerm<ProjectOrderKey>]) {
    let default = [OrderTerm {
        key: ProjectOrderKey::Name,
        descending: false,
    }];
    // `estimated_cost` orders nothing; with no other key the default order applies.
    let effective: Vec<OrderTerm<ProjectOrderKey>> = order
        .iter()
        .copied()
        .filter(|t| t.key != ProjectOrderKey::EstimatedCost)
        .collect();
    let order = if effective.is_empty() {
        &default[..]
    } else {
        &effective[..]
    };
    let mut terms: Vec<String> = Vec::new();
    for term in order {
        let dir = if term.descending { " DESC" } else { "" };
        let text = match term.key {
            ProjectOrderKey::Name => Some("p.name"),
            ProjectOrderKey::CustomerName => Some("c.name"),
            ProjectOrderKey::CustomerNativeName => Some("c.native_name"),
            ProjectOrderKey::CustomerAbbreviation => Some("c.abbreviation"),
            ProjectOrderKey::Created => {
                terms.push(format!("p.created{dir}"));
                None
            }
            ProjectOrderKey::EndDate => {
                terms.push(format!("p.end_date{dir}"));
                None
            }
            ProjectOrderKey::StartDate => {
                terms.push(format!("p.start_date{dir}"));
                None
            }
            // No billing: accepted, orders nothing (spec 06 §4.7).
            ProjectOrderKey::EstimatedCost => None,
        };
        if let Some(column) = text {
            // Case-insensitive first, then byte-wise exact (spec 01 §7.4).
            terms.push(format!("lower({column}){dir}"));
            terms.push(format!("{column} COLLATE \"C\"{dir}"));
        }
    }
    terms.push("p.id".into());
    sql.push(" ORDER BY ").push(&terms.join(", "));
}

/// The permissions the current grants of `user_id` carry on one scope.
async fn permissions(
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: i64,
    customer_id: Option<i64>,
    project_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Grants, RepoError> {
    let mut query = grants::table
        .inner_join(roles::table)
        .filter(grants::user_id.eq(user_id))
        .filter(grants::is_active.eq(true))
        .filter(
            grants::expiration_time
                .is_null()
                .or(grants::expiration_time.gt(now)),
        )
        .select(roles::permissions)
        .into_boxed();
    if let Some(id) = customer_id {
        query = query.filter(grants::customer_id.eq(id));
    }
    if let Some(id) = project_id {
        query = query.filter(grants::project_id.eq(id));
    }
    let names: Vec<Vec<String>> = query.load(conn).await.map_err(map_err)?;
    Ok(Grants::new(
        names
            .iter()
            .flatten()
            .filter_map(|n| Permission::from_name(n))
            .collect(),
    ))
}

async fn lock_customer(
    conn: &mut diesel_async::AsyncPgConnection,
    id: i64,
) -> Result<LockedCustomer, TxError> {
    customers::table
        .find(id)
        .select(LockedCustomer::as_select())
        .for_share()
        .get_result(conn)
        .await
        .optional()?
        .ok_or(TxError::Repo(RepoError::NotFound))
}

/// Locks the customer of project `id` (shared), then the project (`FOR UPDATE`), in the
/// order customer deletion takes them; a soft-deleted project is not found.
async fn lock_active_project(
    conn: &mut diesel_async::AsyncPgConnection,
    id: i64,
) -> Result<(Project, LockedCustomer), TxError> {
    let not_found = || TxError::Repo(RepoError::NotFound);
    // `customer_id` never changes, so reading it before the locks is safe.
    let customer_id: i64 = projects::table
        .find(id)
        .select(projects::customer_id)
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(not_found)?;
    let customer = lock_customer(conn, customer_id).await?;
    let row: ProjectRow = projects::table
        .find(id)
        .select(ProjectRow::as_select())
        .for_update()
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(not_found)?;
    let project = Project::from(row);
    if !project.is_active() {
        return Err(not_found());
    }
    Ok((project, customer))
}

/// The slug of a new project without one (spec 06 §4.5), inside the create transaction.
async fn next_project_slug(
    conn: &mut diesel_async::AsyncPgConnection,
    customer: &LockedCustomer,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, TxError> {
    // Creates in the same customer queue here for the rest of their transaction, so each
    // sees the projects the previous ones committed (the counter and the taken slugs).
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<Text, _>(format!("project-slug:{}", customer.id))
        .execute(conn)
        .await?;
    // Every project of the customer, soft-deleted ones included: its slug stays taken and
    // it counts for `counter`.
    let taken: HashSet<String> = projects::table
        .filter(projects::customer_id.eq(customer.id))
        .select(projects::slug)
        .load::<String>(conn)
        .await?
        .into_iter()
        .collect();
    let counted = u64::try_from(taken.len()).unwrap_or(u64::MAX);
    if let Some(slug) = templated_project_slug(
        customer.project_slug_template.as_deref(),
        &customer.slug,
        name,
        now,
        counted,
    ) {
        return Ok(first_free_slug(&slug, &taken));
    }
    let base = default_slug_base(name);
    let pattern = format!(
        "{}%",
        base.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // Waldur's rule numbers over the slugs of all projects.
    let existing: Vec<String> = projects::table
        .filter(projects::slug.like(pattern))
        .select(projects::slug)
        .load(conn)
        .await?;
    let slug = default_project_slug(name, existing.iter().map(String::as_str));
    Ok(first_free_slug(&slug, &taken))
}

impl PgProjectRepository {
    async fn count(
        &self,
        conn: &mut crate::db::Conn,
        viewer: &Actor,
        query: &ProjectQuery,
    ) -> Result<u64, RepoError> {
        let (mut sql, v) = viewer_sql(viewer, query.now);
        sql.push("SELECT count(*) AS count").push(FROM);
        filters(&mut sql, &query.filters, &v);
        let row: CountRow = sql.into_query().get_result(conn).await.map_err(map_err)?;
        Ok(u64::try_from(row.count).unwrap_or(0))
    }
}

#[async_trait]
impl ProjectRepository for PgProjectRepository {
    async fn list(
        &self,
        viewer: &Actor,
        query: &ProjectQuery,
    ) -> Result<Page<ProjectView>, RepoError> {
        let mut conn = self.db.conn().await?;
        let total = self.count(&mut conn, viewer, query).await?;
        let (number, window) = query.page.window(total);
        let Some((offset, limit)) = window else {
            return Ok(Page::empty(total, number));
        };
        let (mut sql, v) = viewer_sql(viewer, query.now);
        select_view(&mut sql);
        filters(&mut sql, &query.filters, &v);
        order_by(&mut sql, &query.order);
        sql.push(" LIMIT ")
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset));
        let rows: Vec<ViewRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        Ok(Page {
            items: rows.into_iter().map(ProjectView::from).collect(),
            total,
            number,
        })
    }

    async fn find_visible(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        include_terminated: bool,
        now: DateTime<Utc>,
    ) -> Result<(ProjectView, ProjectGrants), RepoError> {
        let mut conn = self.db.conn().await?;
        let (mut sql, v) = viewer_sql(viewer, now);
        select_view(&mut sql);
        sql.push(" WHERE p.uuid = ")
            .bind(Bind::Uuid(uuid))
            .push(" AND ");
        visible_project(&mut sql, &v, include_terminated);
        let row: ViewRow = sql
            .into_query()
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(map_err)?
            .ok_or(RepoError::NotFound)?;
        let view = ProjectView::from(row);
        let project = permissions(
            &mut conn,
            viewer.user_id(),
            None,
            Some(view.project.id),
            now,
        )
        .await?;
        let customer = permissions(
            &mut conn,
            viewer.user_id(),
            Some(view.customer.id),
            None,
            now,
        )
        .await?;
        Ok((view, ProjectGrants { project, customer }))
    }

    async fn find_customer(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(ProjectCustomer, Grants), RepoError> {
        let mut conn = self.db.conn().await?;
        let (mut sql, v) = viewer_sql(viewer, now);
        sql.push("SELECT ")
            .push(CUSTOMER_COLUMNS)
            .push(" FROM customers c WHERE c.uuid = ")
            .bind(Bind::Uuid(uuid))
            .push(" AND ");
        visible(&mut sql, &v);
        let row: CustomerColumns = sql
            .into_query()
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(map_err)?
            .ok_or(RepoError::NotFound)?;
        let customer = ProjectCustomer::from(row);
        let grants = permissions(&mut conn, viewer.user_id(), Some(customer.id), None, now).await?;
        Ok((customer, grants))
    }

    async fn create(
        &self,
        customer_id: i64,
        fields: ProjectFields,
        check: ProjectCreateCheck,
        now: DateTime<Utc>,
    ) -> Result<Project, RepoError> {
        let mut conn = self.db.conn().await?;
        let stored: ProjectRow = conn
            .transaction::<_, TxError, _>(async move |conn| {
                let customer = lock_customer(conn, customer_id).await?;
                check(&customer.summary()).map_err(|e| TxError::Repo(RepoError::Domain(e)))?;
                let mut fields = fields;
                if fields.slug.is_empty() {
                    fields.slug = next_project_slug(conn, &customer, &fields.name, now).await?;
                }
                let new = Project {
                    id: 0,
                    uuid: Uuid::new_v4(),
                    customer_id,
                    created: now,
                    modified: now,
                    is_removed: false,
                    fields: ProjectFields::new(String::new()),
                };
                let row = to_row(&new, fields, now);
                let stored: ProjectRow = diesel::insert_into(projects::table)
                    .values(&row)
                    .returning(ProjectRow::as_returning())
                    .get_result(conn)
                    .await?;
                Ok(stored)
            })
            .await?;
        Ok(stored.into())
    }

    async fn update_with(
        &self,
        id: i64,
        update: ProjectUpdate,
        now: DateTime<Utc>,
    ) -> Result<Project, RepoError> {
        let mut conn = self.db.conn().await?;
        let stored: ProjectRow = conn
            .transaction::<_, TxError, _>(async move |conn| {
                let (project, customer) = lock_active_project(conn, id).await?;
                let fields = update(&project, &customer.summary())
                    .map_err(|e| TxError::Repo(RepoError::Domain(e)))?;
                let row = to_row(&project, fields, now);
                let stored: ProjectRow = diesel::update(projects::table.find(id))
                    .set(&row)
                    .returning(ProjectRow::as_returning())
                    .get_result(conn)
                    .await?;
                Ok(stored)
            })
            .await?;
        Ok(stored.into())
    }

    async fn soft_delete(
        &self,
        id: i64,
        by_user_id: i64,
        check: ProjectDeleteCheck,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let (project, customer) = lock_active_project(conn, id).await?;
            check(&project, &customer.summary())
                .map_err(|e| TxError::Repo(RepoError::Domain(e)))?;
            diesel::update(projects::table.find(id))
                .set((
                    projects::is_removed.eq(!ACTIVE_IS_REMOVED),
                    projects::modified.eq(now),
                ))
                .execute(conn)
                .await?;
            // Every current grant on the project is revoked with it (spec 03 §4.5).
            diesel::update(
                grants::table
                    .filter(grants::project_id.eq(id))
                    .filter(grants::is_active.eq(true))
                    .filter(
                        grants::expiration_time
                            .is_null()
                            .or(grants::expiration_time.gt(now)),
                    ),
            )
            .set((
                grants::is_active.eq(false),
                grants::revoked_at.eq(Some(now)),
                grants::revoked_by.eq(Some(by_user_id)),
                grants::revoke_reason.eq(REVOKE_REASON),
            ))
            .execute(conn)
            .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

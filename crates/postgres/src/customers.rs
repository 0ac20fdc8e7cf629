//! `PgCustomerRepository`: customers in PostgreSQL.
//!
//! The list page is two statements whatever the page size — the count and the page with
//! its viewer-dependent counts as correlated subqueries — never a query per row.

use std::str::FromStr;

use async_trait::async_trait;
use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, RunQueryDsl};
use tenancy_domain::customer::{Customer, CustomerFields};
use tenancy_domain::policy::{Grants, Permission};
use tenancy_domain::project::ACTIVE_IS_REMOVED;
use tenancy_domain::user::Actor;
use tenancy_domain::validate::decimal::format_fixed_decimal;
use tenancy_domain::validate::slug::{generated_slug, next_slug_number, slug_base};
use tenancy_ports::customers::{
    CustomerDeleteCheck, CustomerFilters, CustomerOrderKey, CustomerQuery, CustomerRepository,
    CustomerUpdate, CustomerView,
};
use tenancy_ports::error::RepoError;
use tenancy_ports::paging::Page;
use uuid::Uuid;

use crate::db::{map_err, Database, TxError};
use crate::org_groups::groups_of_customers;
use crate::projects::active_project;
use crate::schema::{customers, grants, projects, roles};
use crate::sql::{contains_pattern, text_filter, Bind, Sql};

/// Customers stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgCustomerRepository {
    db: Database,
}

impl PgCustomerRepository {
    /// The repository over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// A `customers` row as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = customers)]
#[diesel(treat_none_as_null = true)]
struct CustomerRow {
    #[diesel(skip_insertion)]
    id: i64,
    uuid: Uuid,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
    name: String,
    slug: String,
    backend_id: String,
    blocked: bool,
    archived: bool,
    display_billing_info_in_projects: bool,
    default_tax_percent: BigDecimal,
    accounting_start_date: DateTime<Utc>,
    sponsor_number: Option<i64>,
    max_service_accounts: Option<i32>,
    project_metadata_checklist: Option<Uuid>,
    grace_period_days: Option<i64>,
    user_email_patterns: Vec<String>,
    user_affiliations: Vec<String>,
    user_identity_sources: Vec<String>,
    native_name: String,
    abbreviation: String,
    description: String,
    contact_details: String,
    agreement_number: String,
    email: String,
    phone_number: String,
    access_subnets: String,
    registration_code: String,
    homepage: String,
    domain: String,
    vat_code: String,
    postal: String,
    address: String,
    bank_name: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    bank_account: String,
    country: String,
    notification_emails: String,
    city: String,
    state: String,
    parish: String,
    street: String,
    house_nr: String,
    apartment_nr: String,
    household: String,
    project_slug_template: Option<String>,
}

/// A page row: the customer and its counts for the viewer.
#[derive(Debug, QueryableByName)]
struct CustomerViewRow {
    #[diesel(embed)]
    customer: CustomerRow,
    #[diesel(sql_type = BigInt)]
    projects_count: i64,
    #[diesel(sql_type = BigInt)]
    users_count: i64,
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

impl TryFrom<CustomerRow> for Customer {
    type Error = RepoError;

    fn try_from(r: CustomerRow) -> Result<Self, RepoError> {
        let hundredths = (&r.default_tax_percent * BigDecimal::from(100))
            .to_i64()
            .ok_or_else(|| RepoError::Internal("default_tax_percent out of range".into()))?;
        Ok(Customer {
            id: r.id,
            uuid: r.uuid,
            created: r.created,
            fields: CustomerFields {
                name: r.name,
                slug: r.slug,
                backend_id: r.backend_id,
                blocked: r.blocked,
                archived: r.archived,
                display_billing_info_in_projects: r.display_billing_info_in_projects,
                default_tax_percent: hundredths,
                accounting_start_date: r.accounting_start_date,
                sponsor_number: r.sponsor_number,
                max_service_accounts: r.max_service_accounts.map(i64::from),
                project_metadata_checklist: r.project_metadata_checklist,
                grace_period_days: r.grace_period_days,
                user_email_patterns: r.user_email_patterns,
                user_affiliations: r.user_affiliations,
                user_identity_sources: r.user_identity_sources,
                native_name: r.native_name,
                abbreviation: r.abbreviation,
                description: r.description,
                contact_details: r.contact_details,
                agreement_number: r.agreement_number,
                email: r.email,
                phone_number: r.phone_number,
                access_subnets: r.access_subnets,
                registration_code: r.registration_code,
                homepage: r.homepage,
                domain: r.domain,
                vat_code: r.vat_code,
                postal: r.postal,
                address: r.address,
                bank_name: r.bank_name,
                latitude: r.latitude,
                longitude: r.longitude,
                bank_account: r.bank_account,
                country: r.country,
                notification_emails: r.notification_emails,
                city: r.city,
                state: r.state,
                parish: r.parish,
                street: r.street,
                house_nr: r.house_nr,
                apartment_nr: r.apartment_nr,
                household: r.household,
                project_slug_template: r.project_slug_template,
            },
        })
    }
}

fn to_row(
    id: i64,
    uuid: Uuid,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    f: CustomerFields,
) -> Result<CustomerRow, RepoError> {
    let tax = BigDecimal::from_str(&format_fixed_decimal(f.default_tax_percent, 2))
        .map_err(|e| RepoError::Internal(e.to_string()))?;
    let max_service_accounts = f
        .max_service_accounts
        .map(i32::try_from)
        .transpose()
        .map_err(|e| RepoError::Internal(e.to_string()))?;
    Ok(CustomerRow {
        id,
        uuid,
        created,
        modified: now,
        name: f.name,
        slug: f.slug,
        backend_id: f.backend_id,
        blocked: f.blocked,
        archived: f.archived,
        display_billing_info_in_projects: f.display_billing_info_in_projects,
        default_tax_percent: tax,
        accounting_start_date: f.accounting_start_date,
        sponsor_number: f.sponsor_number,
        max_service_accounts,
        project_metadata_checklist: f.project_metadata_checklist,
        grace_period_days: f.grace_period_days,
        user_email_patterns: f.user_email_patterns,
        user_affiliations: f.user_affiliations,
        user_identity_sources: f.user_identity_sources,
        native_name: f.native_name,
        abbreviation: f.abbreviation,
        description: f.description,
        contact_details: f.contact_details,
        agreement_number: f.agreement_number,
        email: f.email,
        phone_number: f.phone_number,
        access_subnets: f.access_subnets,
        registration_code: f.registration_code,
        homepage: f.homepage,
        domain: f.domain,
        vat_code: f.vat_code,
        postal: f.postal,
        address: f.address,
        bank_name: f.bank_name,
        latitude: f.latitude,
        longitude: f.longitude,
        bank_account: f.bank_account,
        country: f.country,
        notification_emails: f.notification_emails,
        city: f.city,
        state: f.state,
        parish: f.parish,
        street: f.street,
        house_nr: f.house_nr,
        apartment_nr: f.apartment_nr,
        household: f.household,
        project_slug_template: f.project_slug_template,
    })
}

/// The bind indexes shared by every fragment of one list statement.
pub(crate) struct ViewerBinds {
    pub(crate) user_id: usize,
    pub(crate) sees_all: usize,
    pub(crate) now: usize,
}

/// A statement whose first three binds are the viewer: `$1` user id, `$2` sees-all flag,
/// `$3` the request time. Every fragment references them by index; every statement uses
/// all three (visibility does), so PostgreSQL can infer their types.
pub(crate) fn viewer_sql(viewer: &Actor, now: DateTime<Utc>) -> (Sql, ViewerBinds) {
    let sql = Sql::with_binds(vec![
        Bind::BigInt(viewer.user_id()),
        Bind::Bool(viewer.sees_everything()),
        Bind::Timestamptz(now),
    ]);
    (
        sql,
        ViewerBinds {
            user_id: 1,
            sees_all: 2,
            now: 3,
        },
    )
}

/// `g` is a current grant at `$now`: not revoked, not expired (spec 03 §4.1).
pub(crate) fn current(sql: &mut Sql, alias: &str, v: &ViewerBinds) {
    sql.push(&crate::sql::current_grant(alias, v.now));
}

/// The viewer holds a current grant of any role on customer `c` (the viewer is active:
/// deactivated users cannot authenticate).
fn viewer_customer_grant(sql: &mut Sql, v: &ViewerBinds) {
    sql.push("EXISTS (SELECT 1 FROM grants vg WHERE vg.customer_id = c.id AND vg.user_id = ")
        .placeholder(v.user_id)
        .push(" AND ");
    current(sql, "vg", v);
    sql.push(")");
}

/// The viewer holds a current grant on active project `p`.
fn viewer_project_grant(sql: &mut Sql, v: &ViewerBinds) {
    sql.push("EXISTS (SELECT 1 FROM grants vg WHERE vg.project_id = p.id AND vg.user_id = ")
        .placeholder(v.user_id)
        .push(" AND ");
    current(sql, "vg", v);
    sql.push(")");
}

/// Visibility of spec 02 §6.0 as a condition on `c`.
pub(crate) fn visible(sql: &mut Sql, v: &ViewerBinds) {
    sql.push("(").placeholder(v.sees_all).push(" OR ");
    viewer_customer_grant(sql, v);
    sql.push(&format!(
        " OR EXISTS (SELECT 1 FROM projects p WHERE p.customer_id = c.id AND {} AND ",
        active_project("p")
    ));
    viewer_project_grant(sql, v);
    sql.push("))");
}

/// Full view of the customer's counts: staff, support or any customer grant (spec 02 §3.2).
fn full_view(sql: &mut Sql, v: &ViewerBinds) {
    sql.push("(").placeholder(v.sees_all).push(" OR ");
    viewer_customer_grant(sql, v);
    sql.push(")");
}

fn counts(sql: &mut Sql, v: &ViewerBinds) {
    sql.push(&format!(
        ", (SELECT count(*) FROM projects p WHERE p.customer_id = c.id AND {} AND (",
        active_project("p")
    ));
    full_view(sql, v);
    sql.push(" OR ");
    viewer_project_grant(sql, v);
    sql.push(")) AS projects_count");
    sql.push(", (SELECT count(DISTINCT x.user_id) FROM (SELECT g.user_id FROM grants g WHERE g.customer_id = c.id AND ");
    full_view(sql, v);
    sql.push(" AND ");
    current(sql, "g", v);
    sql.push(&format!(" UNION ALL SELECT g.user_id FROM grants g JOIN projects p ON p.id = g.project_id WHERE p.customer_id = c.id AND {} AND ", active_project("p")));
    current(sql, "g", v);
    sql.push(" AND (");
    full_view(sql, v);
    sql.push(" OR ");
    viewer_project_grant(sql, v);
    sql.push(")) x JOIN users u ON u.id = x.user_id WHERE u.is_active) AS users_count");
}

fn filters(sql: &mut Sql, f: &CustomerFilters, v: &ViewerBinds) {
    sql.push(" WHERE ");
    visible(sql, v);
    text_filter(sql, "c.name", &f.name, false);
    text_filter(sql, "c.name", &f.name_exact, true);
    text_filter(sql, "c.native_name", &f.native_name, false);
    text_filter(sql, "c.abbreviation", &f.abbreviation, false);
    text_filter(sql, "c.contact_details", &f.contact_details, false);
    text_filter(sql, "c.registration_code", &f.registration_code, true);
    text_filter(sql, "c.agreement_number", &f.agreement_number, true);
    text_filter(sql, "c.backend_id", &f.backend_id, true);
    text_filter(sql, "c.slug", &f.slug, true);
    if let Some(archived) = f.archived {
        sql.push(" AND c.archived = ").bind(Bind::Bool(archived));
    }
    match &f.query {
        // As in `text_filter`: nothing stored contains NUL (and a UUID never does).
        Some(query) if query.contains('\0') => {
            sql.push(" AND FALSE");
        }
        Some(query) => {
            sql.push(" AND (");
            let pattern = sql.bound() + 1;
            sql.push("c.name ILIKE ")
                .bind(Bind::Text(contains_pattern(query)));
            for column in ["native_name", "abbreviation", "domain", "registration_code"] {
                sql.push(&format!(" OR c.{column} ILIKE "))
                    .placeholder(pattern);
            }
            // Waldur quirk kept: agreement_number matches case-sensitively (spec 02 §6.1).
            sql.push(" OR c.agreement_number LIKE ")
                .placeholder(pattern);
            if let Some(uuid) = tenancy_domain::validate::uuid::parse_uuid(query) {
                sql.push(" OR c.uuid = ").bind(Bind::Uuid(uuid));
            }
            sql.push(")");
        }
        None => {}
    }
    if let Some(running) = f.accounting_is_running {
        sql.push(if running {
            " AND c.accounting_start_date <= "
        } else {
            " AND c.accounting_start_date > "
        })
        .placeholder(v.now);
    }
    // The usage model of spec 05 §5.4 (resources, offerings, providers) is not stored yet:
    // until it is, no customer has resources and none is a provider or call manager.
    // FIXME(05 §5.4): replace these constants by conditions on the resource tables.
    if !f.organization_group_uuid.is_empty() {
        // Direct members only: a parent group's uuid does not match its children's members.
        sql.push(" AND EXISTS (SELECT 1 FROM customer_organization_groups m JOIN organization_groups g ON g.id = m.organization_group_id WHERE m.customer_id = c.id AND g.uuid = ANY(")
            .bind(Bind::UuidArray(f.organization_group_uuid.clone()))
            .push("))");
    }
    if let Some(name) = &f.organization_group_name {
        if name.contains('\0') {
            sql.push(" AND FALSE");
        } else {
            sql.push(" AND EXISTS (SELECT 1 FROM customer_organization_groups m JOIN organization_groups g ON g.id = m.organization_group_id WHERE m.customer_id = c.id AND g.name ILIKE ")
                .bind(Bind::Text(contains_pattern(name)))
                .push(")");
        }
    }
    grant_filters(sql, f, v);
    if f.has_resources == Some(true)
        || f.service_provider_uuid.is_some()
        || f.is_service_provider
        || f.is_call_managing_organization
    {
        sql.push(" AND FALSE");
    }
}

/// A customer grant of the viewer on `c`, current at the request time, with role `vr`
/// and the extra condition `condition` on it.
fn viewer_customer_role(sql: &mut Sql, v: &ViewerBinds) {
    sql.push(" AND EXISTS (SELECT 1 FROM grants vg JOIN roles vr ON vr.id = vg.role_id WHERE vg.customer_id = c.id AND vg.user_id = ")
        .placeholder(v.user_id)
        .push(" AND ");
    current(sql, "vg", v);
    sql.push(" AND ");
}

/// The filters that read grants (spec 02 §6.1).
fn grant_filters(sql: &mut Sql, f: &CustomerFilters, v: &ViewerBinds) {
    if f.owned_by_current_user {
        viewer_customer_role(sql, v);
        sql.push("vr.name = 'CUSTOMER.OWNER')");
    }
    if f.current_user_has_project_create_permission {
        viewer_customer_role(sql, v);
        sql.push("'PROJECT.CREATE' = ANY(vr.permissions))");
    }
    if !f.current_user_has_role.is_empty() {
        let (uuids, names): (Vec<Uuid>, Vec<String>) = f.current_user_has_role.iter().fold(
            (Vec::new(), Vec::new()),
            |(mut uuids, mut names), value| {
                match tenancy_domain::validate::uuid::parse_uuid(value) {
                    Some(uuid) => uuids.push(uuid),
                    None if !value.contains('\0') => names.push(value.clone()),
                    None => {}
                }
                (uuids, names)
            },
        );
        viewer_customer_role(sql, v);
        sql.push("(vr.name = ANY(")
            .bind(Bind::TextArray(names))
            .push(") OR vr.uuid = ANY(")
            .bind(Bind::UuidArray(uuids))
            .push(")))");
    }
    match f.user_uuid {
        None => {}
        Some(None) => {
            sql.push(" AND FALSE");
        }
        // Customers that user can see by the rules of §6.0 (effective grants need an
        // active user).
        Some(Some(uuid)) => {
            sql.push(" AND EXISTS (SELECT 1 FROM users fu WHERE fu.uuid = ")
                .bind(Bind::Uuid(uuid))
                .push(" AND (fu.is_staff OR fu.is_support OR (fu.is_active AND (EXISTS (SELECT 1 FROM grants fg WHERE fg.customer_id = c.id AND fg.user_id = fu.id AND ");
            current(sql, "fg", v);
            sql.push(") OR EXISTS (SELECT 1 FROM grants fg JOIN projects fp ON fp.id = fg.project_id WHERE fp.customer_id = c.id AND ")
                .push(&crate::projects::active_project("fp"))
                .push(" AND fg.user_id = fu.id AND ");
            current(sql, "fg", v);
            sql.push(")))))");
        }
    }
}

fn order_by(sql: &mut Sql, query: &CustomerQuery) {
    sql.push(" ORDER BY ");
    let mut terms: Vec<String> = Vec::new();
    let order = if query.order.is_empty() {
        vec![tenancy_ports::customers::OrderTerm {
            key: CustomerOrderKey::Name,
            descending: false,
        }]
    } else {
        query.order.clone()
    };
    for term in order {
        let dir = if term.descending { " DESC" } else { "" };
        let text_column = match term.key {
            CustomerOrderKey::Abbreviation => Some("abbreviation"),
            CustomerOrderKey::AgreementNumber => Some("agreement_number"),
            CustomerOrderKey::ContactDetails => Some("contact_details"),
            CustomerOrderKey::Description => Some("description"),
            CustomerOrderKey::Name => Some("name"),
            CustomerOrderKey::NativeName => Some("native_name"),
            CustomerOrderKey::RegistrationCode => Some("registration_code"),
            CustomerOrderKey::Created => {
                terms.push(format!("c.created{dir}"));
                None
            }
            CustomerOrderKey::AccountingStartDate => {
                terms.push(format!("c.accounting_start_date{dir}"));
                None
            }
        };
        if let Some(column) = text_column {
            // Case-insensitive first, then byte-wise exact: deterministic whatever the
            // database collation (spec 01 §7.4).
            terms.push(format!("lower(c.{column}){dir}"));
            terms.push(format!("c.{column} COLLATE \"C\"{dir}"));
        }
    }
    terms.push("c.id".into());
    sql.push(&terms.join(", "));
}

/// Page rows → views, with every customer's groups loaded in one more statement.
async fn views_from(
    conn: &mut diesel_async::AsyncPgConnection,
    rows: Vec<CustomerViewRow>,
) -> Result<Vec<CustomerView>, RepoError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.customer.id).collect();
    let mut groups = groups_of_customers(conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            Ok(CustomerView {
                organization_groups: groups.remove(&row.customer.id).unwrap_or_default(),
                projects_count: row.projects_count,
                users_count: row.users_count,
                customer: row.customer.try_into()?,
            })
        })
        .collect()
}

impl PgCustomerRepository {
    async fn count(
        &self,
        conn: &mut crate::db::Conn,
        viewer: &Actor,
        query: &CustomerQuery,
    ) -> Result<u64, RepoError> {
        let (mut sql, v) = viewer_sql(viewer, query.now);
        sql.push("SELECT count(*) AS count FROM customers c");
        filters(&mut sql, &query.filters, &v);
        let row: CountRow = sql.into_query().get_result(conn).await.map_err(map_err)?;
        Ok(u64::try_from(row.count).unwrap_or(0))
    }
}

#[async_trait]
impl CustomerRepository for PgCustomerRepository {
    async fn list(
        &self,
        viewer: &Actor,
        query: &CustomerQuery,
    ) -> Result<Page<CustomerView>, RepoError> {
        let mut conn = self.db.conn().await?;
        let total = self.count(&mut conn, viewer, query).await?;
        let (number, window) = query.page.window(total);
        let Some((offset, limit)) = window else {
            return Ok(Page::empty(total, number));
        };
        let (mut sql, v) = viewer_sql(viewer, query.now);
        sql.push("SELECT c.*");
        counts(&mut sql, &v);
        sql.push(" FROM (SELECT c.* FROM customers c");
        filters(&mut sql, &query.filters, &v);
        order_by(&mut sql, query);
        sql.push(" LIMIT ")
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset))
            .push(") c");
        order_by(&mut sql, query);
        let rows: Vec<CustomerViewRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        let items = views_from(&mut conn, rows).await?;
        Ok(Page {
            items,
            total,
            number,
        })
    }

    async fn find_visible(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(CustomerView, Grants), RepoError> {
        let mut conn = self.db.conn().await?;
        let (mut sql, v) = viewer_sql(viewer, now);
        sql.push("SELECT c.*");
        counts(&mut sql, &v);
        sql.push(" FROM customers c");
        sql.push(" WHERE c.uuid = ")
            .bind(Bind::Uuid(uuid))
            .push(" AND ");
        visible(&mut sql, &v);
        let row: CustomerViewRow = sql
            .into_query()
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(map_err)?
            .ok_or(RepoError::NotFound)?;
        let view = views_from(&mut conn, vec![row])
            .await?
            .pop()
            .ok_or(RepoError::NotFound)?;
        let grants = viewer_grants(&mut conn, view.customer.id, viewer, now)
            .await
            .map_err(map_err)?;
        Ok((view, grants))
    }

    async fn create(
        &self,
        fields: CustomerFields,
        now: DateTime<Utc>,
    ) -> Result<Customer, RepoError> {
        let mut conn = self.db.conn().await?;
        // A generated slug can lose a race with a concurrent create: retry with the next
        // number (spec 02 §5.2); a given slug that is taken is the client's conflict.
        for _ in 0..8 {
            let mut fields = fields.clone();
            let generated = fields.slug.is_empty();
            let uuid = Uuid::new_v4();
            let result = conn
                .transaction::<_, TxError, _>(async move |conn| {
                    if generated {
                        fields.slug = next_customer_slug(conn, &fields.name).await?;
                    }
                    let row = to_row(0, uuid, now, now, fields).map_err(TxError::Repo)?;
                    let stored: CustomerRow = diesel::insert_into(customers::table)
                        .values(&row)
                        .returning(CustomerRow::as_returning())
                        .get_result(conn)
                        .await?;
                    Ok(stored)
                })
                .await
                .map_err(RepoError::from);
            match result {
                Err(RepoError::Conflict { constraint })
                    if generated && constraint.contains("slug") =>
                {
                    continue
                }
                other => return other?.try_into(),
            }
        }
        Err(RepoError::Conflict {
            constraint: "customers_slug_key".into(),
        })
    }

    async fn update_with(
        &self,
        id: i64,
        viewer: &Actor,
        now: DateTime<Utc>,
        update: CustomerUpdate,
    ) -> Result<Customer, RepoError> {
        let mut conn = self.db.conn().await?;
        let viewer = viewer.clone();
        let stored: CustomerRow = conn
            .transaction::<_, TxError, _>(async move |conn| {
                let row: CustomerRow = customers::table
                    .find(id)
                    .select(CustomerRow::as_select())
                    .for_update()
                    .get_result(conn)
                    .await
                    .optional()?
                    .ok_or(TxError::Repo(RepoError::NotFound))?;
                let customer = Customer::try_from(row).map_err(TxError::Repo)?;
                let grants = viewer_grants(conn, id, &viewer, now).await?;
                let mut fields = update(&customer, &grants).map_err(TxError::Repo)?;
                if fields.slug.is_empty() {
                    fields.slug = next_customer_slug(conn, &fields.name).await?;
                }
                let row = to_row(id, customer.uuid, customer.created, Utc::now(), fields)
                    .map_err(TxError::Repo)?;
                let stored: CustomerRow = diesel::update(customers::table.find(id))
                    .set(&row)
                    .returning(CustomerRow::as_returning())
                    .get_result(conn)
                    .await?;
                Ok(stored)
            })
            .await?;
        stored.try_into()
    }

    async fn delete_with(&self, id: i64, check: CustomerDeleteCheck) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            let row: CustomerRow = customers::table
                .find(id)
                .select(CustomerRow::as_select())
                .for_update()
                .get_result(conn)
                .await
                .optional()?
                .ok_or(TxError::Repo(RepoError::NotFound))?;
            let customer = Customer::try_from(row).map_err(TxError::Repo)?;
            let active: i64 = projects::table
                .filter(projects::customer_id.eq(id))
                // Active projects by the one definition (spec 06 §4.1).
                .filter(projects::is_removed.eq(ACTIVE_IS_REMOVED))
                .count()
                .get_result(conn)
                .await?;
            check(&customer, active).map_err(|e| TxError::Repo(RepoError::Domain(e)))?;
            // Grants and soft-deleted projects go with the customer (ON DELETE CASCADE).
            diesel::delete(customers::table.find(id))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

/// What the viewer's current customer grants on customer `id` carry at `now` (spec 03
/// §4.2); read inside the caller's transaction when it guards a write.
async fn viewer_grants(
    conn: &mut diesel_async::AsyncPgConnection,
    id: i64,
    viewer: &Actor,
    now: DateTime<Utc>,
) -> Result<Grants, diesel::result::Error> {
    let names: Vec<Vec<String>> = grants::table
        .inner_join(roles::table)
        .filter(grants::customer_id.eq(id))
        .filter(grants::user_id.eq(viewer.user_id()))
        .filter(grants::is_active.eq(true))
        .filter(
            grants::expiration_time
                .is_null()
                .or(grants::expiration_time.gt(now)),
        )
        .select(roles::permissions)
        .load(conn)
        .await?;
    Ok(Grants::new(
        names
            .iter()
            .flatten()
            .filter_map(|n| Permission::from_name(n))
            .collect(),
    ))
}

/// The next generated slug for `name` (spec 02 §5.1), read inside the caller's transaction.
async fn next_customer_slug(
    conn: &mut diesel_async::AsyncPgConnection,
    name: &str,
) -> Result<String, TxError> {
    let base = slug_base(name, "customer");
    let pattern = format!(
        "{}%",
        base.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // Creates that generate from the same base queue here for the rest of their
    // transaction, so each sees the numbers the previous ones committed (spec 02 §5.2).
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(format!("customer-slug:{base}"))
        .execute(conn)
        .await?;
    let existing: Vec<String> = customers::table
        .filter(customers::slug.like(pattern))
        .select(customers::slug)
        .load(conn)
        .await?;
    let number = next_slug_number(&base, existing.iter().map(String::as_str));
    Ok(generated_slug(&base, number))
}

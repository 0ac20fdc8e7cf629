//! `PgOrgGroupRepository`: the organization-group forest in PostgreSQL.
//!
//! Parents and counts are read with joins and correlated subqueries (never a query per
//! row); ancestor chains with a recursive CTE. Every tree move and delete takes one
//! transaction-level advisory lock, so two concurrent moves cannot build a cycle between
//! them (spec 04 §4.2): the second re-reads the chain after the first committed.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tenancy_domain::error::{DomainError, ValidationErrors};
use tenancy_domain::org_group::{check_parent, GroupChanges, OrganizationGroup, ParentGroup};
use tenancy_ports::error::RepoError;
use tenancy_ports::org_groups::{
    unknown_group_link, GroupOrderKey, GroupQuery, OrgGroupRepository,
};
use tenancy_ports::paging::Page;
use uuid::Uuid;

use crate::db::{map_err, Database, TxError};
use crate::schema::{customer_organization_groups, customers, organization_groups};
use crate::sql::{contains_pattern, Bind, Sql};

/// Any constant shared by every tree mutation (`hashtext('organization-group-tree')`).
const TREE_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('organization-group-tree'))";

/// The columns of a group's representation; `g` is the group, `p` its parent.
const GROUP_COLUMNS: &str = "g.id, g.uuid, g.name, p.uuid AS parent_uuid, p.name AS parent_name, \
     (SELECT count(*) FROM customer_organization_groups m WHERE m.organization_group_id = g.id) AS customers_count";

/// Organization groups stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgOrgGroupRepository {
    db: Database,
}

impl PgOrgGroupRepository {
    /// The repository over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Debug, QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    parent_uuid: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    parent_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    customers_count: i64,
}

impl From<GroupRow> for OrganizationGroup {
    fn from(r: GroupRow) -> Self {
        OrganizationGroup {
            id: r.id,
            uuid: r.uuid,
            name: r.name,
            parent: match (r.parent_uuid, r.parent_name) {
                (Some(uuid), Some(name)) => Some(ParentGroup { uuid, name }),
                _ => None,
            },
            customers_count: r.customers_count,
        }
    }
}

#[derive(Debug, QueryableByName)]
struct MemberRow {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(embed)]
    group: GroupRow,
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

fn invalid_parent(error: tenancy_domain::error::FieldError) -> RepoError {
    RepoError::Domain(DomainError::Invalid(ValidationErrors::single(
        "parent", error,
    )))
}

/// The groups of each of `customer_ids`, ordered by name: one statement for a whole page.
pub(crate) async fn groups_of_customers(
    conn: &mut AsyncPgConnection,
    customer_ids: &[i64],
) -> Result<HashMap<i64, Vec<OrganizationGroup>>, RepoError> {
    let mut by_customer: HashMap<i64, Vec<OrganizationGroup>> = HashMap::new();
    if customer_ids.is_empty() {
        return Ok(by_customer);
    }
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT m.customer_id, {GROUP_COLUMNS} FROM customer_organization_groups m \
         JOIN organization_groups g ON g.id = m.organization_group_id \
         LEFT JOIN organization_groups p ON p.id = g.parent_id WHERE m.customer_id = ANY("
    ))
    .bind(Bind::BigIntArray(customer_ids.to_vec()))
    .push(") ORDER BY lower(g.name), g.name COLLATE \"C\", g.id");
    let rows: Vec<MemberRow> = sql.into_query().load(conn).await.map_err(map_err)?;
    for row in rows {
        by_customer
            .entry(row.customer_id)
            .or_default()
            .push(row.group.into());
    }
    Ok(by_customer)
}

async fn find_in(conn: &mut AsyncPgConnection, uuid: Uuid) -> Result<OrganizationGroup, TxError> {
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT {GROUP_COLUMNS} FROM organization_groups g \
         LEFT JOIN organization_groups p ON p.id = g.parent_id WHERE g.uuid = "
    ))
    .bind(Bind::Uuid(uuid));
    let row: Option<GroupRow> = sql.into_query().get_result(conn).await.optional()?;
    row.map(OrganizationGroup::from)
        .ok_or(TxError::Repo(RepoError::NotFound))
}

/// The id of the group `uuid`, locked `FOR KEY SHARE` until the transaction ends: a
/// concurrent delete waits for the rows that reference it (and then cascades them), or has
/// already removed it and this reads nothing, never a foreign-key failure.
async fn id_of(conn: &mut AsyncPgConnection, uuid: Uuid) -> Result<Option<i64>, TxError> {
    Ok(organization_groups::table
        .filter(organization_groups::uuid.eq(uuid))
        .select(organization_groups::id)
        .for_key_share()
        .first(conn)
        .await
        .optional()?)
}

fn filters(sql: &mut Sql, query: &GroupQuery) {
    sql.push(" WHERE TRUE");
    if let Some(name) = &query.name {
        if name.contains('\0') {
            sql.push(" AND FALSE");
        } else {
            sql.push(" AND g.name ILIKE ")
                .bind(Bind::Text(contains_pattern(name)));
        }
    }
    if let Some(name) = &query.name_exact {
        if name.contains('\0') {
            sql.push(" AND FALSE");
        } else {
            sql.push(" AND g.name = ").bind(Bind::Text(name.clone()));
        }
    }
    if let Some(parent) = query.parent {
        sql.push(" AND p.uuid = ").bind(Bind::Uuid(parent));
    }
}

fn order_by(sql: &mut Sql, query: &GroupQuery) {
    let mut terms = Vec::new();
    let default = [tenancy_ports::customers::OrderTerm {
        key: GroupOrderKey::Name,
        descending: false,
    }];
    let order = if query.order.is_empty() {
        &default[..]
    } else {
        &query.order[..]
    };
    for term in order {
        let dir = if term.descending { " DESC" } else { "" };
        match term.key {
            GroupOrderKey::Name => {
                terms.push(format!("lower(g.name){dir}"));
                terms.push(format!("g.name COLLATE \"C\"{dir}"));
            }
            GroupOrderKey::CustomersCount => terms.push(format!("customers_count{dir}")),
        }
    }
    terms.push("g.id".into());
    sql.push(" ORDER BY ").push(&terms.join(", "));
}

#[async_trait]
impl OrgGroupRepository for PgOrgGroupRepository {
    async fn list(&self, query: &GroupQuery) -> Result<Page<OrganizationGroup>, RepoError> {
        let mut conn = self.db.conn().await?;
        let mut count = Sql::default();
        count.push("SELECT count(*) AS count FROM organization_groups g LEFT JOIN organization_groups p ON p.id = g.parent_id");
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
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT {GROUP_COLUMNS} FROM organization_groups g LEFT JOIN organization_groups p ON p.id = g.parent_id"
        ));
        filters(&mut sql, query);
        order_by(&mut sql, query);
        sql.push(" LIMIT ")
            .bind(Bind::BigInt(limit))
            .push(" OFFSET ")
            .bind(Bind::BigInt(offset));
        let rows: Vec<GroupRow> = sql.into_query().load(&mut conn).await.map_err(map_err)?;
        Ok(Page {
            items: rows.into_iter().map(OrganizationGroup::from).collect(),
            total,
            number,
        })
    }

    async fn find(&self, uuid: Uuid) -> Result<OrganizationGroup, RepoError> {
        let mut conn = self.db.conn().await?;
        Ok(find_in(&mut conn, uuid).await?)
    }

    async fn missing(&self, uuids: &[Uuid]) -> Result<Vec<Uuid>, RepoError> {
        let mut conn = self.db.conn().await?;
        let found: Vec<Uuid> = organization_groups::table
            .filter(organization_groups::uuid.eq_any(uuids))
            .select(organization_groups::uuid)
            .load(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(uuids
            .iter()
            .filter(|u| !found.contains(u))
            .copied()
            .collect())
    }

    async fn customer_exists(&self, customer: Uuid) -> Result<bool, RepoError> {
        let mut conn = self.db.conn().await?;
        let found: Option<i64> = customers::table
            .filter(customers::uuid.eq(customer))
            .select(customers::id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(map_err)?;
        Ok(found.is_some())
    }

    async fn create(
        &self,
        name: String,
        parent: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<OrganizationGroup, RepoError> {
        let mut conn = self.db.conn().await?;
        let uuid = Uuid::new_v4();
        Ok(conn
            .transaction::<_, TxError, _>(async move |conn| {
                let parent_id = match parent {
                    Some(p) => Some(
                        id_of(conn, p)
                            .await?
                            .ok_or_else(|| TxError::Repo(invalid_parent(unknown_group_link())))?,
                    ),
                    None => None,
                };
                diesel::insert_into(organization_groups::table)
                    .values((
                        organization_groups::uuid.eq(uuid),
                        organization_groups::name.eq(name),
                        organization_groups::parent_id.eq(parent_id),
                        organization_groups::created.eq(now),
                        organization_groups::modified.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                find_in(conn, uuid).await
            })
            .await?)
    }

    async fn update(
        &self,
        uuid: Uuid,
        changes: GroupChanges,
        now: DateTime<Utc>,
    ) -> Result<OrganizationGroup, RepoError> {
        let mut conn = self.db.conn().await?;
        Ok(conn
            .transaction::<_, TxError, _>(async move |conn| {
                if changes.parent.is_some() {
                    diesel::sql_query(TREE_LOCK).execute(conn).await?;
                }
                let id: i64 = organization_groups::table
                    .filter(organization_groups::uuid.eq(uuid))
                    .select(organization_groups::id)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?
                    .ok_or(TxError::Repo(RepoError::NotFound))?;
                if let Some(name) = changes.name {
                    diesel::update(organization_groups::table.find(id))
                        .set(organization_groups::name.eq(name))
                        .execute(conn)
                        .await?;
                }
                match changes.parent {
                    None => {}
                    Some(None) => {
                        diesel::update(organization_groups::table.find(id))
                            .set(organization_groups::parent_id.eq(None::<i64>))
                            .execute(conn)
                            .await?;
                    }
                    Some(Some(parent)) => {
                        let parent_id = id_of(conn, parent).await?.ok_or_else(|| {
                            TxError::Repo(invalid_parent(unknown_group_link()))
                        })?;
                        // The chain is read under the tree lock, so no concurrent move can
                        // change it before this transaction commits.
                        let ancestors: Vec<Uuid> = diesel::sql_query(
                            "WITH RECURSIVE up(id, uuid, parent_id) AS ( \
                               SELECT g.id, g.uuid, g.parent_id FROM organization_groups g \
                                 WHERE g.id = (SELECT parent_id FROM organization_groups WHERE id = $1) \
                               UNION ALL \
                               SELECT g.id, g.uuid, g.parent_id FROM organization_groups g JOIN up ON g.id = up.parent_id) \
                             SELECT uuid FROM up",
                        )
                        .bind::<BigInt, _>(parent_id)
                        .load::<UuidRow>(conn)
                        .await?
                        .into_iter()
                        .map(|r| r.uuid)
                        .collect();
                        check_parent(uuid, parent, &ancestors)
                            .map_err(|e| TxError::Repo(invalid_parent(e)))?;
                        diesel::update(organization_groups::table.find(id))
                            .set(organization_groups::parent_id.eq(Some(parent_id)))
                            .execute(conn)
                            .await?;
                    }
                }
                diesel::update(organization_groups::table.find(id))
                    .set(organization_groups::modified.eq(now))
                    .execute(conn)
                    .await?;
                find_in(conn, uuid).await
            })
            .await?)
    }

    async fn delete(&self, uuid: Uuid) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            // Serialised with moves, so a move never re-parents under a group being deleted.
            diesel::sql_query(TREE_LOCK).execute(conn).await?;
            let deleted = diesel::delete(
                organization_groups::table.filter(organization_groups::uuid.eq(uuid)),
            )
            .execute(conn)
            .await?;
            if deleted == 0 {
                return Err(TxError::Repo(RepoError::NotFound));
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn set_customer_groups(
        &self,
        customer: Uuid,
        groups: Vec<Uuid>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            // Concurrent replaces of one customer's set queue on its row.
            let customer_id: i64 = customers::table
                .filter(customers::uuid.eq(customer))
                .select(customers::id)
                .for_update()
                .first(conn)
                .await
                .optional()?
                .ok_or(TxError::Repo(RepoError::NotFound))?;
            // Locked like `id_of`: a group deleted meanwhile is reported, not a 500.
            let found: Vec<(Uuid, i64)> = organization_groups::table
                .filter(organization_groups::uuid.eq_any(&groups))
                .select((organization_groups::uuid, organization_groups::id))
                .for_key_share()
                .load(conn)
                .await?;
            let mut errors = ValidationErrors::new();
            let mut ids = Vec::with_capacity(groups.len());
            for (index, group) in groups.iter().enumerate() {
                match found.iter().find(|(u, _)| u == group) {
                    Some((_, id)) => ids.push(*id),
                    None => errors.add_item("organization_groups", index, unknown_group_link()),
                }
            }
            if !errors.is_empty() {
                return Err(TxError::Repo(RepoError::Domain(DomainError::Invalid(
                    errors,
                ))));
            }
            diesel::delete(
                customer_organization_groups::table
                    .filter(customer_organization_groups::customer_id.eq(customer_id)),
            )
            .execute(conn)
            .await?;
            let rows: Vec<_> = ids
                .iter()
                .map(|id| {
                    (
                        customer_organization_groups::customer_id.eq(customer_id),
                        customer_organization_groups::organization_group_id.eq(*id),
                    )
                })
                .collect();
            diesel::insert_into(customer_organization_groups::table)
                .values(rows)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

#[derive(Debug, QueryableByName)]
struct UuidRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
}

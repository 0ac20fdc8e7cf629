//! Port contract suites (feature `testing`): every documented behaviour of a port, run by
//! each adapter's tests against a fresh instance from a factory (atuin's `db_story`).
//!
//! The suites panic on failure, like any test.
#![expect(clippy::unwrap_used, reason = "test support")]

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tenancy_domain::customer::{Customer, CustomerFields};
use tenancy_domain::error::DomainError;
use tenancy_domain::user::{Actor, NewUser, TokenKey};

use crate::customers::{
    CustomerFilters, CustomerOrderKey, CustomerQuery, CustomerRepository, OrderTerm,
};
use crate::error::RepoError;
use crate::paging::{PageNumber, PageRequest};
use crate::users::UserRepository;

/// Fresh, empty repositories and whatever keeps their storage alive.
pub struct Repositories {
    /// Customers.
    pub customers: Arc<dyn CustomerRepository>,
    /// Users.
    pub users: Arc<dyn UserRepository>,
    /// Grants.
    pub team: Arc<dyn crate::team::TeamRepository>,
    /// Dropped after the suite step (e.g. a test database).
    pub guard: Box<dyn Any + Send>,
}

/// Builds fresh repositories for one suite step.
pub type Factory =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Repositories> + Send>> + Send + Sync>;

fn staff() -> Actor {
    Actor::new(i64::MAX, uuid::Uuid::nil(), true, false)
}

fn nobody() -> Actor {
    Actor::new(i64::MAX - 1, uuid::Uuid::nil(), false, false)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn named(name: &str) -> CustomerFields {
    CustomerFields::new(name.to_owned(), now())
}

fn query(
    filters: CustomerFilters,
    order: Vec<OrderTerm<CustomerOrderKey>>,
    page: u64,
    size: u64,
) -> CustomerQuery {
    CustomerQuery {
        filters,
        order,
        page: PageRequest {
            number: PageNumber::Number(page),
            size,
        },
        now: now(),
    }
}

/// Runs every customer-port contract step, each on fresh repositories.
pub async fn customer_repository_contract(factory: Factory) {
    create_then_find(factory().await).await;
    generated_slugs_are_numbered_and_race_free(factory().await).await;
    a_given_slug_that_is_taken_is_a_conflict(factory().await).await;
    invisible_customers_are_not_found(factory().await).await;
    update_with_applies_the_closure_or_changes_nothing(factory().await).await;
    concurrent_updates_of_different_fields_both_take_effect(factory().await).await;
    delete_with_refusal_keeps_the_customer(factory().await).await;
    list_pages_orders_and_filters(factory().await).await;
}

/// Runs every user-port contract step, each on fresh repositories.
pub async fn user_repository_contract(factory: Factory) {
    users_tokens_and_duplicates(factory().await).await;
    login_failures_count_and_reset(factory().await).await;
}

async fn create_then_find(r: Repositories) {
    let mut fields = named("Capture Org");
    fields.email = "capture@example.org".into();
    fields.user_email_patterns = vec![".*@example.org".into()];
    fields.default_tax_percent = 1250;
    fields.latitude = Some(58.38);
    let created = r.customers.create(fields, now()).await.unwrap();
    assert_eq!(created.fields.slug, "capture--1");
    let (view, grants) = r
        .customers
        .find_visible(&staff(), created.uuid, now())
        .await
        .unwrap();
    assert_eq!(view.customer, created);
    assert_eq!(view.projects_count, 0);
    assert_eq!(view.users_count, 0);
    assert_eq!(grants, tenancy_domain::policy::Grants::default());
}

async fn generated_slugs_are_numbered_and_race_free(r: Repositories) {
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let repo = r.customers.clone();
            tokio::spawn(async move { repo.create(named("Alpha Alpha Center"), now()).await })
        })
        .collect();
    let mut slugs = Vec::new();
    for task in tasks {
        slugs.push(task.await.unwrap().unwrap().fields.slug);
    }
    slugs.sort_by_key(|s| s.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=16).map(|n| format!("alpha-al-{n}")).collect();
    assert_eq!(slugs, expected);
}

async fn a_given_slug_that_is_taken_is_a_conflict(r: Repositories) {
    let mut first = named("One");
    first.slug = "taken".into();
    r.customers.create(first, now()).await.unwrap();
    let mut second = named("Two");
    second.slug = "taken".into();
    match r.customers.create(second, now()).await {
        Err(RepoError::Conflict { constraint }) => {
            assert!(constraint.contains("slug"), "{constraint}")
        }
        other => panic!("expected a slug conflict, got {other:?}"),
    }
}

async fn invisible_customers_are_not_found(r: Repositories) {
    let created = r.customers.create(named("Hidden"), now()).await.unwrap();
    assert!(matches!(
        r.customers
            .find_visible(&nobody(), created.uuid, now())
            .await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        r.customers
            .find_visible(&staff(), uuid::Uuid::new_v4(), now())
            .await,
        Err(RepoError::NotFound)
    ));
    let page = r
        .customers
        .list(&nobody(), &query(CustomerFilters::default(), vec![], 1, 10))
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (0, 0));
}

async fn update_with_applies_the_closure_or_changes_nothing(r: Repositories) {
    let created = r.customers.create(named("Before"), now()).await.unwrap();
    let updated = r
        .customers
        .update_with(
            created.id,
            &staff(),
            now(),
            Box::new(|c: &Customer, _: &tenancy_domain::policy::Grants| {
                let mut f = c.fields.clone();
                f.name = "After".into();
                Ok(f)
            }),
        )
        .await
        .unwrap();
    assert_eq!(updated.fields.name, "After");
    assert_eq!(
        updated.fields.slug, created.fields.slug,
        "slugs never change on rename"
    );
    let refused = r
        .customers
        .update_with(
            created.id,
            &staff(),
            now(),
            Box::new(|_: &Customer, _: &tenancy_domain::policy::Grants| {
                Err(DomainError::Unavailable("no".into()).into())
            }),
        )
        .await;
    assert!(matches!(refused, Err(RepoError::Domain(_))));
    let emptied = r
        .customers
        .update_with(
            created.id,
            &staff(),
            now(),
            Box::new(|c: &Customer, _: &tenancy_domain::policy::Grants| {
                let mut f = c.fields.clone();
                f.slug = String::new();
                Ok(f)
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        emptied.fields.slug, "after-1",
        "an emptied slug is regenerated from the name"
    );
    assert!(matches!(
        r.customers
            .update_with(
                -1,
                &staff(),
                now(),
                Box::new(|c: &Customer, _: &tenancy_domain::policy::Grants| Ok(c.fields.clone()))
            )
            .await,
        Err(RepoError::NotFound)
    ));
}

async fn concurrent_updates_of_different_fields_both_take_effect(r: Repositories) {
    let created = r.customers.create(named("Racy"), now()).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let repo = r.customers.clone();
        tasks.push(tokio::spawn(async move {
            repo.update_with(
                created.id,
                &staff(),
                now(),
                Box::new(move |c: &Customer, _: &tenancy_domain::policy::Grants| {
                    let mut f = c.fields.clone();
                    // Each writer appends its own marker: a lost update drops one.
                    f.description = format!("{}[{i}]", f.description);
                    Ok(f)
                }),
            )
            .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let (view, _) = r
        .customers
        .find_visible(&staff(), created.uuid, now())
        .await
        .unwrap();
    for i in 0..32 {
        assert!(
            view.customer.fields.description.contains(&format!("[{i}]")),
            "lost update {i}"
        );
    }
}

async fn delete_with_refusal_keeps_the_customer(r: Repositories) {
    let created = r.customers.create(named("Doomed"), now()).await.unwrap();
    let refused = r
        .customers
        .delete_with(
            created.id,
            Box::new(|_: &Customer, active| {
                assert_eq!(active, 0);
                Err(DomainError::Conflict("no".into()))
            }),
        )
        .await;
    assert!(matches!(
        refused,
        Err(RepoError::Domain(DomainError::Conflict(_)))
    ));
    assert!(r
        .customers
        .find_visible(&staff(), created.uuid, now())
        .await
        .is_ok());
    r.customers
        .delete_with(created.id, Box::new(|_: &Customer, _| Ok(())))
        .await
        .unwrap();
    assert!(matches!(
        r.customers
            .find_visible(&staff(), created.uuid, now())
            .await,
        Err(RepoError::NotFound)
    ));
}

async fn list_pages_orders_and_filters(r: Repositories) {
    for name in ["beta", "Alpha", "gamma", "alpha", "100%_sure", "Delta"] {
        r.customers.create(named(name), now()).await.unwrap();
    }
    let page = r
        .customers
        .list(&staff(), &query(CustomerFilters::default(), vec![], 1, 4))
        .await
        .unwrap();
    assert_eq!(page.total, 6);
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|v| v.customer.fields.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["100%_sure", "Alpha", "alpha", "beta"],
        "case-insensitive, then byte-wise"
    );
    let second = r
        .customers
        .list(&staff(), &query(CustomerFilters::default(), vec![], 2, 4))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 2);
    let beyond = r
        .customers
        .list(&staff(), &query(CustomerFilters::default(), vec![], 9, 4))
        .await
        .unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 6);
    let descending = r
        .customers
        .list(
            &staff(),
            &query(
                CustomerFilters::default(),
                vec![OrderTerm {
                    key: CustomerOrderKey::Name,
                    descending: true,
                }],
                1,
                1,
            ),
        )
        .await
        .unwrap();
    assert_eq!(descending.items[0].customer.fields.name, "gamma");
    let literal = r
        .customers
        .list(
            &staff(),
            &query(
                CustomerFilters {
                    name: Some("%_".into()),
                    ..Default::default()
                },
                vec![],
                1,
                10,
            ),
        )
        .await
        .unwrap();
    assert_eq!(literal.total, 1, "% and _ match literally");
    let last = r
        .customers
        .list(
            &staff(),
            &CustomerQuery {
                page: PageRequest {
                    number: PageNumber::Last,
                    size: 4,
                },
                ..query(CustomerFilters::default(), vec![], 1, 4)
            },
        )
        .await
        .unwrap();
    assert_eq!((last.number, last.items.len()), (2, 2));
}

async fn users_tokens_and_duplicates(r: Repositories) {
    let key = TokenKey::from_random_bytes([7; 20]);
    let t0 = now();
    let user = r
        .users
        .create(
            NewUser::named("alice", Some(3600)),
            Some("hash".into()),
            Some(key.digest()),
            t0,
        )
        .await
        .unwrap();
    assert_eq!(user.slug, "alice-1");
    assert!(user.has_usable_password);
    let found = r.users.find_token(key.digest()).await.unwrap().unwrap();
    assert_eq!(found.user.id, user.id);
    assert_eq!(found.usage.lifetime_seconds, Some(3600));
    let later = t0 + Duration::minutes(5);
    r.users.touch_token(found.id, later).await.unwrap();
    let touched = r.users.find_token(key.digest()).await.unwrap().unwrap();
    assert_eq!(touched.usage.last_used.timestamp(), later.timestamp());
    assert!(r.users.find_token([0; 32]).await.unwrap().is_none());
    match r
        .users
        .create(NewUser::named("alice", None), None, None, t0)
        .await
    {
        Err(RepoError::Conflict { constraint }) => assert!(constraint.contains("username")),
        other => panic!("expected a username conflict, got {other:?}"),
    }
    r.users.delete_token(key.digest()).await.unwrap();
    assert!(r.users.find_token(key.digest()).await.unwrap().is_none());
    assert_eq!(r.users.count().await.unwrap(), 1);
    let creds = r.users.credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.password_hash.as_deref(), Some("hash"));
    r.users
        .set_password(user.id, "other".into(), t0)
        .await
        .unwrap();
    let creds = r.users.credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.password_hash.as_deref(), Some("other"));
}

async fn login_failures_count_and_reset(r: Repositories) {
    let t = now();
    let window = Duration::minutes(10);
    assert_eq!(
        r.users.login_failures("bob", "127.0.0.1").await.unwrap(),
        None
    );
    for expected in 1..=3 {
        let count = r
            .users
            .record_login_failure("bob", "127.0.0.1", t, window)
            .await
            .unwrap();
        assert_eq!(count, expected);
    }
    assert_eq!(
        r.users.login_failures("bob", "10.0.0.1").await.unwrap(),
        None,
        "per address"
    );
    let later = t + Duration::minutes(11);
    assert_eq!(
        r.users
            .record_login_failure("bob", "127.0.0.1", later, window)
            .await
            .unwrap(),
        1,
        "failures older than the window are forgotten"
    );
    r.users
        .reset_login_failures("bob", "127.0.0.1")
        .await
        .unwrap();
    assert_eq!(
        r.users.login_failures("bob", "127.0.0.1").await.unwrap(),
        None
    );
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let users = r.users.clone();
            tokio::spawn(async move { users.record_login_failure("eve", "::1", t, window).await })
        })
        .collect();
    let mut counts = Vec::new();
    for racer in racers {
        counts.push(racer.await.unwrap().unwrap());
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=16).collect::<Vec<_>>(),
        "every parallel attempt is counted once"
    );
}

/// Runs every team-port contract step, each on fresh repositories.
pub async fn team_repository_contract(factory: Factory) {
    grants_are_added_listed_and_unique(factory().await).await;
    a_refusing_check_writes_nothing(factory().await).await;
    expiry_is_evaluated_at_the_request_time(factory().await).await;
    revocation_is_idempotent_and_keeps_the_row(factory().await).await;
}

struct TeamWorld {
    r: Repositories,
    staff: Actor,
    customer: uuid::Uuid,
    target: uuid::Uuid,
}

async fn team_world(r: Repositories) -> TeamWorld {
    let mut admin = NewUser::named("contract-staff", None);
    admin.is_staff = true;
    let admin = r.users.create(admin, None, None, now()).await.unwrap();
    let target = r
        .users
        .create(NewUser::named("contract-target", None), None, None, now())
        .await
        .unwrap();
    let customer = r.customers.create(named("Team"), now()).await.unwrap();
    TeamWorld {
        staff: Actor::new(admin.id, admin.uuid, true, false),
        customer: customer.uuid,
        target: target.uuid,
        r,
    }
}

fn team_change(
    w: &TeamWorld,
    action: tenancy_domain::team::TeamAction,
    expiration_time: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> crate::team::TeamChange {
    crate::team::TeamChange {
        scope: crate::team::ScopeRef::Customer(w.customer),
        action,
        role: Some(crate::team::RoleRef::Name("CUSTOMER.OWNER".into())),
        user: Some(w.target),
        expiration_time,
        now: at,
    }
}

fn approve() -> crate::team::TeamCheck {
    Box::new(|_| Ok(()))
}

async fn grants_at(w: &TeamWorld, at: DateTime<Utc>) -> u64 {
    let scope =
        w.r.team
            .find_scope(&w.staff, crate::team::ScopeRef::Customer(w.customer), at)
            .await
            .unwrap();
    let query = crate::team::GrantQuery {
        user: None,
        nothing: false,
        username: None,
        full_name: None,
        native_name: None,
        user_slug: None,
        roles: Vec::new(),
        search_string: None,
        order: Vec::new(),
        page: PageRequest {
            number: PageNumber::Number(1),
            size: 10,
        },
        now: at,
    };
    w.r.team.list_grants(&scope, &query).await.unwrap().total
}

async fn grants_are_added_listed_and_unique(r: Repositories) {
    use tenancy_domain::team::TeamAction;
    let w = team_world(r).await;
    let t = now();
    let expiry =
        w.r.team
            .change(
                &w.staff,
                &team_change(&w, TeamAction::Add, None, t),
                approve(),
            )
            .await
            .unwrap();
    assert_eq!(expiry, None);
    assert_eq!(grants_at(&w, t).await, 1);
    // The check sees the current grant; approving a second add anyway hits the database's
    // one-current-grant rule.
    let seen = Arc::new(std::sync::Mutex::new(None));
    let saw = seen.clone();
    let second =
        w.r.team
            .change(
                &w.staff,
                &team_change(&w, TeamAction::Add, None, t),
                Box::new(move |ctx| {
                    *saw.lock().unwrap() = Some(ctx.current.is_some());
                    Ok(())
                }),
            )
            .await;
    assert_eq!(*seen.lock().unwrap(), Some(true));
    assert!(
        matches!(&second, Err(RepoError::Conflict { constraint }) if constraint.starts_with("grants_one_current")),
        "{second:?}"
    );
    assert_eq!(grants_at(&w, t).await, 1);
    // Invisible scopes are not found, whoever asks.
    let hidden =
        w.r.team
            .change(
                &nobody(),
                &team_change(&w, TeamAction::Add, None, t),
                approve(),
            )
            .await;
    assert!(matches!(hidden, Err(RepoError::NotFound)), "{hidden:?}");
}

async fn a_refusing_check_writes_nothing(r: Repositories) {
    use tenancy_domain::team::TeamAction;
    let w = team_world(r).await;
    let t = now();
    let refused =
        w.r.team
            .change(
                &w.staff,
                &team_change(&w, TeamAction::Add, None, t),
                Box::new(|_| Err(crate::error::UseCaseError::Denied)),
            )
            .await;
    assert!(matches!(refused, Err(RepoError::Refused(_))), "{refused:?}");
    assert_eq!(grants_at(&w, t).await, 0);
}

async fn expiry_is_evaluated_at_the_request_time(r: Repositories) {
    use tenancy_domain::team::TeamAction;
    let w = team_world(r).await;
    let t0 = now();
    let expiry = t0 + Duration::seconds(10);
    w.r.team
        .change(
            &w.staff,
            &team_change(&w, TeamAction::Add, Some(expiry), t0),
            approve(),
        )
        .await
        .unwrap();
    assert_eq!(grants_at(&w, t0).await, 1);
    assert_eq!(
        grants_at(&w, expiry).await,
        0,
        "gone at the instant it expires"
    );
    // After expiry the triple has no current grant: the check sees none, and a new add
    // succeeds (the expired row is closed in the same transaction).
    let later = expiry + Duration::seconds(1);
    let seen = Arc::new(std::sync::Mutex::new(None));
    let saw = seen.clone();
    w.r.team
        .change(
            &w.staff,
            &team_change(&w, TeamAction::Add, None, later),
            Box::new(move |ctx| {
                *saw.lock().unwrap() = Some(ctx.current.is_some());
                Ok(())
            }),
        )
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(false));
    assert_eq!(grants_at(&w, later).await, 1);
}

async fn revocation_is_idempotent_and_keeps_the_row(r: Repositories) {
    use tenancy_domain::team::TeamAction;
    let w = team_world(r).await;
    let t = now();
    w.r.team
        .change(
            &w.staff,
            &team_change(&w, TeamAction::Add, None, t),
            approve(),
        )
        .await
        .unwrap();
    let extended = t + Duration::days(30);
    let after =
        w.r.team
            .change(
                &w.staff,
                &team_change(&w, TeamAction::Update, Some(extended), t),
                approve(),
            )
            .await
            .unwrap();
    assert_eq!(
        after.map(|e| e.timestamp_micros()),
        Some(extended.timestamp_micros())
    );
    for _ in 0..2 {
        let revoked =
            w.r.team
                .change(
                    &w.staff,
                    &team_change(&w, TeamAction::Revoke, None, t),
                    approve(),
                )
                .await
                .unwrap();
        assert_eq!(revoked, None);
        assert_eq!(grants_at(&w, t).await, 0);
    }
}

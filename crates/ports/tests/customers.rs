//! Use-case orchestration with mocks: who reaches which port, and with what.

use std::sync::Arc;

use chrono::Utc;
use tenancy_domain::customer::{Customer, CustomerChanges, CustomerFields};
use tenancy_domain::error::ValidationErrors;
use tenancy_domain::policy::{Grants, Permission};
use tenancy_domain::user::Actor;
use tenancy_ports::customers::{CustomerView, Customers, MockCustomerRepository};
use tenancy_ports::error::UseCaseError;
use tenancy_ports::org_groups::{MockOrgGroupRepository, OrgGroups};
use tenancy_ports::users::MockUserRepository;
use uuid::Uuid;

fn actor(staff: bool, support: bool) -> Actor {
    Actor::new(7, Uuid::new_v4(), staff, support)
}

fn view() -> CustomerView {
    CustomerView {
        customer: Customer {
            id: 1,
            uuid: Uuid::new_v4(),
            created: Utc::now(),
            fields: CustomerFields::new("Org".into(), Utc::now()),
        },
        projects_count: 0,
        users_count: 0,
        organization_groups: Vec::new(),
    }
}

fn use_cases(repo: MockCustomerRepository) -> Customers {
    Customers::new(
        Arc::new(repo),
        Arc::new(MockUserRepository::new()),
        OrgGroups::new(Arc::new(MockOrgGroupRepository::new())),
    )
}

#[tokio::test]
async fn non_staff_create_is_denied_before_any_port_or_validation() {
    // No expectations: any port call would panic.
    let customers = use_cases(MockCustomerRepository::new());
    for caller in [actor(false, false), actor(false, true)] {
        let result = customers
            .create(&caller, CustomerChanges::default(), ValidationErrors::new())
            .await;
        assert!(matches!(result, Err(UseCaseError::Denied)), "{result:?}");
    }
}

#[tokio::test]
async fn update_without_permission_is_denied_and_never_writes() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_find_visible()
        .returning(|_, _, _| Ok((view(), Grants::default())));
    repo.expect_update_with().never();
    let changes = CustomerChanges {
        name: Some("New".into()),
        ..Default::default()
    };
    let result = use_cases(repo)
        .update(
            &actor(false, true),
            Uuid::new_v4(),
            changes,
            ValidationErrors::new(),
            false,
        )
        .await;
    assert!(matches!(result, Err(UseCaseError::Denied)));
}

#[tokio::test]
async fn invalid_fields_are_reported_before_the_write() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_find_visible()
        .returning(|_, _, _| Ok((view(), Grants::default())));
    repo.expect_update_with().never();
    let changes = CustomerChanges {
        email: Some("nope".into()),
        ..Default::default()
    };
    let result = use_cases(repo)
        .update(
            &actor(true, false),
            Uuid::new_v4(),
            changes,
            ValidationErrors::new(),
            false,
        )
        .await;
    let Err(UseCaseError::Invalid(errors)) = result else {
        panic!("expected a field error");
    };
    assert!(errors.has("email"));
}

#[tokio::test]
async fn owner_changes_to_staff_only_fields_are_dropped_before_the_port() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_find_visible()
        .returning(|_, _, _| Ok((view(), Grants::new(vec![Permission::CustomerUpdate]))));
    repo.expect_update_with()
        .once()
        .returning(|_, _, _, update| {
            let mut stored = view().customer;
            stored.fields =
                update(&stored, &Grants::new(vec![Permission::CustomerUpdate])).unwrap();
            assert!(!stored.fields.blocked, "staff-only field must not change");
            assert_eq!(stored.fields.name, "Renamed");
            Ok(stored)
        });
    let changes = CustomerChanges {
        name: Some("Renamed".into()),
        blocked: Some(true),
        ..Default::default()
    };
    use_cases(repo)
        .update(
            &actor(false, false),
            Uuid::new_v4(),
            changes,
            ValidationErrors::new(),
            false,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_by_non_staff_is_denied_after_the_lookup() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_find_visible()
        .returning(|_, _, _| Ok((view(), Grants::new(vec![Permission::CustomerUpdate]))));
    repo.expect_delete_with().never();
    let result = use_cases(repo)
        .delete(&actor(false, false), Uuid::new_v4())
        .await;
    assert!(matches!(result, Err(UseCaseError::Denied)));
}

#[tokio::test]
async fn a_permission_revoked_before_the_row_lock_denies_the_update() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_find_visible()
        .returning(|_, _, _| Ok((view(), Grants::new(vec![Permission::CustomerUpdate]))));
    // Inside the transaction the owner's grant is gone: the closure sees no permissions.
    repo.expect_update_with()
        .once()
        .returning(|_, _, _, update| {
            let stored = view().customer;
            update(&stored, &Grants::default())?;
            panic!("the update must be refused");
        });
    let changes = CustomerChanges {
        name: Some("Renamed".into()),
        ..Default::default()
    };
    let result = use_cases(repo)
        .update(
            &actor(false, false),
            Uuid::new_v4(),
            changes,
            ValidationErrors::new(),
            false,
        )
        .await;
    assert!(matches!(result, Err(UseCaseError::Denied)), "{result:?}");
}

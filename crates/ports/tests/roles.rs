//! Role use cases with mocks: staff-only writes decided before any port call, and the
//! rules handed to the adapter's transaction.

use std::sync::Arc;

use tenancy_domain::error::ValidationErrors;
use tenancy_domain::role::{Role, RoleChanges, ScopeType};
use tenancy_domain::user::Actor;
use tenancy_ports::error::UseCaseError;
use tenancy_ports::roles::{MockRoleRepository, Roles};
use uuid::Uuid;

fn actor(staff: bool, support: bool) -> Actor {
    Actor::new(7, Uuid::new_v4(), staff, support)
}

fn role(system: bool) -> Role {
    Role {
        id: 3,
        uuid: Uuid::from_u128(3),
        name: "Auditor".into(),
        description: String::new(),
        scope: ScopeType::Customer,
        is_system_role: system,
        is_active: true,
        permissions: Vec::new(),
    }
}

#[tokio::test]
async fn non_staff_writes_are_denied_before_any_port_call() {
    // No expectations: any port call would panic.
    let roles = Roles::new(Arc::new(MockRoleRepository::new()));
    for caller in [actor(false, false), actor(false, true)] {
        let denied = |r: Result<(), UseCaseError>| assert!(matches!(r, Err(UseCaseError::Denied)));
        denied(
            roles
                .create(&caller, RoleChanges::default(), ValidationErrors::new())
                .await
                .map(|_| ()),
        );
        for uuid in [None, Some(Uuid::new_v4())] {
            denied(
                roles
                    .update(
                        &caller,
                        uuid,
                        RoleChanges::default(),
                        ValidationErrors::new(),
                    )
                    .await
                    .map(|_| ()),
            );
            denied(
                roles
                    .partial_update(
                        &caller,
                        uuid,
                        RoleChanges::default(),
                        ValidationErrors::new(),
                    )
                    .await
                    .map(|_| ()),
            );
            denied(roles.delete(&caller, uuid).await);
            denied(roles.enable(&caller, uuid).await.map(|_| ()));
            denied(roles.disable(&caller, uuid).await.map(|_| ()));
        }
    }
}

#[tokio::test]
async fn a_malformed_uuid_is_a_404_for_staff_without_a_lookup() {
    let roles = Roles::new(Arc::new(MockRoleRepository::new()));
    let result = roles.delete(&actor(true, false), None).await;
    assert!(matches!(result, Err(UseCaseError::NotFound("Role"))));
}

#[tokio::test]
async fn invalid_bodies_never_reach_the_write() {
    let mut repo = MockRoleRepository::new();
    repo.expect_find().returning(|_, _| Ok((role(false), 0)));
    repo.expect_update_with().never();
    repo.expect_create().never();
    let roles = Roles::new(Arc::new(repo));
    let staff = actor(true, false);
    let result = roles
        .update(
            &staff,
            Some(Uuid::from_u128(3)),
            RoleChanges::default(),
            ValidationErrors::new(),
        )
        .await;
    assert!(
        matches!(result, Err(UseCaseError::Invalid(_))),
        "{result:?}"
    );
    let result = roles
        .create(&staff, RoleChanges::default(), ValidationErrors::new())
        .await;
    assert!(
        matches!(result, Err(UseCaseError::Invalid(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_update_rule_runs_on_the_locked_row_with_its_grant_count() {
    let mut repo = MockRoleRepository::new();
    repo.expect_find().returning(|_, _| Ok((role(false), 0)));
    // The adapter reports a grant that appeared after the lookup: the rule sees it.
    repo.expect_update_with()
        .returning(|_, check, _| Ok((check(&role(false), 1)?, 1)));
    let roles = Roles::new(Arc::new(repo));
    let changes = RoleChanges {
        name: Some("Auditor".into()),
        permissions: Some(Vec::new()),
        content_type: Some("project".into()),
        ..RoleChanges::default()
    };
    let result = roles
        .update(
            &actor(true, false),
            Some(Uuid::from_u128(3)),
            changes,
            ValidationErrors::new(),
        )
        .await;
    let Err(UseCaseError::Invalid(errors)) = result else {
        panic!("expected a field error, got {result:?}")
    };
    assert!(errors.has("content_type"));
}

#[tokio::test]
async fn delete_refusals_are_state_rules() {
    let mut repo = MockRoleRepository::new();
    repo.expect_find().returning(|_, _| Ok((role(true), 0)));
    repo.expect_delete_with()
        .returning(|_, check, _| Ok(check(&role(true), 0)?));
    let roles = Roles::new(Arc::new(repo));
    let result = roles
        .delete(&actor(true, false), Some(Uuid::from_u128(3)))
        .await;
    assert!(
        matches!(&result, Err(UseCaseError::StateRule(m)) if m == "Destroying of system role is not available."),
        "{result:?}"
    );
}

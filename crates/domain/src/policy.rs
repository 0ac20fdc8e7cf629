//! Who may do what: pure decisions from the actor and the permissions their effective
//! grants carry on the object (spec 03 §2, §4.2).

use crate::user::Actor;

/// A permission string a role may carry (spec 03 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Update the customer.
    CustomerUpdate,
    /// Update the customer's contact details.
    CustomerContactUpdate,
    /// List the people of the customer.
    CustomerListUsers,
    /// Grant customer roles.
    CustomerCreatePermission,
    /// Change customer grants.
    CustomerUpdatePermission,
    /// Revoke customer grants.
    CustomerDeletePermission,
    /// Create projects in the customer.
    ProjectCreate,
    /// Update projects.
    ProjectUpdate,
    /// Delete projects, set end dates.
    ProjectDelete,
    /// List projects (compliance).
    ProjectList,
    /// Grant project roles.
    ProjectCreatePermission,
    /// Change project grants.
    ProjectUpdatePermission,
    /// Revoke project grants.
    ProjectDeletePermission,
}

impl Permission {
    /// Every permission this service acts on.
    pub const ALL: [Permission; 13] = [
        Permission::CustomerUpdate,
        Permission::CustomerContactUpdate,
        Permission::CustomerListUsers,
        Permission::CustomerCreatePermission,
        Permission::CustomerUpdatePermission,
        Permission::CustomerDeletePermission,
        Permission::ProjectCreate,
        Permission::ProjectUpdate,
        Permission::ProjectDelete,
        Permission::ProjectList,
        Permission::ProjectCreatePermission,
        Permission::ProjectUpdatePermission,
        Permission::ProjectDeletePermission,
    ];

    /// Waldur's name of the permission, e.g. `CUSTOMER.UPDATE`.
    pub fn name(self) -> &'static str {
        match self {
            Permission::CustomerUpdate => "CUSTOMER.UPDATE",
            Permission::CustomerContactUpdate => "CUSTOMER.CONTACT_UPDATE",
            Permission::CustomerListUsers => "CUSTOMER.LIST_USERS",
            Permission::CustomerCreatePermission => "CUSTOMER.CREATE_PERMISSION",
            Permission::CustomerUpdatePermission => "CUSTOMER.UPDATE_PERMISSION",
            Permission::CustomerDeletePermission => "CUSTOMER.DELETE_PERMISSION",
            Permission::ProjectCreate => "PROJECT.CREATE",
            Permission::ProjectUpdate => "PROJECT.UPDATE",
            Permission::ProjectDelete => "PROJECT.DELETE",
            Permission::ProjectList => "PROJECT.LIST",
            Permission::ProjectCreatePermission => "PROJECT.CREATE_PERMISSION",
            Permission::ProjectUpdatePermission => "PROJECT.UPDATE_PERMISSION",
            Permission::ProjectDeletePermission => "PROJECT.DELETE_PERMISSION",
        }
    }

    /// The permission named `name`, if this service acts on it.
    pub fn from_name(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What the actor's effective grants carry on one object (computed by the adapter at the
/// moment of the request, so expired grants are already excluded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    permissions: Vec<Permission>,
}

impl Grants {
    /// The permissions carried by the actor's effective grants on the object.
    pub fn new(permissions: Vec<Permission>) -> Self {
        Self { permissions }
    }

    /// Whether some effective grant carries `permission`.
    pub fn carries(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// `has(P, X)` of spec 03 §2: staff always; support gets nothing from the flag.
pub fn has(actor: &Actor, grants: &Grants, permission: Permission) -> bool {
    actor.is_staff() || grants.carries(permission)
}

/// Creating customers is staff-only (spec 02 §6.3).
pub fn can_create_customer(actor: &Actor) -> bool {
    actor.is_staff()
}

/// `PUT`/`PATCH` a customer: staff or `has(CUSTOMER.UPDATE)` (spec 02 §6.4).
pub fn can_update_customer(actor: &Actor, grants: &Grants) -> bool {
    has(actor, grants, Permission::CustomerUpdate)
}

/// Deleting customers is staff-only (spec 02 §6.5).
pub fn can_delete_customer(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Staff-only customer fields are writable only by staff (spec 02 §2.4).
pub fn may_write_staff_only_fields(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Creating, changing and deleting organization groups and memberships is staff-only
/// (spec 04 §5, §7.1).
pub fn can_manage_organization_groups(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Creating, changing, enabling, disabling and deleting roles is staff-only (spec 03 §7).
pub fn can_manage_roles(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Creating users, deleting them and changing passwords are staff-only (spec 06 §1.5).
pub fn can_manage_users(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Creating a project in a customer: staff or `has(PROJECT.CREATE, customer)` (spec 03 §2,
/// 06 §4.3).
pub fn can_create_project(actor: &Actor, customer: &Grants) -> bool {
    has(actor, customer, Permission::ProjectCreate)
}

/// Updating a project: staff or `has(PROJECT.UPDATE)` on the project **or** its customer
/// (spec 03 §2, 06 §4.4).
pub fn can_update_project(actor: &Actor, project: &Grants, customer: &Grants) -> bool {
    has(actor, project, Permission::ProjectUpdate)
        || has(actor, customer, Permission::ProjectUpdate)
}

/// Soft-deleting a project: staff or `has(PROJECT.DELETE, customer)` (spec 06 §4.6).
pub fn can_delete_project(actor: &Actor, customer: &Grants) -> bool {
    has(actor, customer, Permission::ProjectDelete)
}

/// Setting or changing a project's `end_date` to a non-null value: staff or
/// `has(PROJECT.DELETE, customer)` (spec 06 §4.3: "Setting this field requires
/// DELETE_PROJECT permission").
pub fn may_set_end_date(actor: &Actor, customer: &Grants) -> bool {
    has(actor, customer, Permission::ProjectDelete)
}

/// The staff-only project fields (`slug`, `staff_notes`, `grace_period_days`).
pub fn may_write_project_staff_fields(actor: &Actor) -> bool {
    actor.is_staff()
}

/// `staff_notes` is shown to staff and support only (spec 06 §4.9).
pub fn may_read_staff_notes(actor: &Actor) -> bool {
    actor.sees_everything()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn actor(staff: bool, support: bool) -> Actor {
        Actor::new(1, Uuid::nil(), staff, support)
    }

    #[test]
    fn staff_pass_every_check_support_none() {
        let none = Grants::default();
        assert!(can_update_customer(&actor(true, false), &none));
        assert!(!can_update_customer(&actor(false, true), &none));
        assert!(!can_create_customer(&actor(false, true)));
        assert!(can_create_customer(&actor(true, false)));
    }

    #[test]
    fn owners_update_through_their_grant() {
        let owner = Grants::new(vec![Permission::CustomerUpdate]);
        assert!(can_update_customer(&actor(false, false), &owner));
        assert!(!can_delete_customer(&actor(false, false)));
    }

    #[test]
    fn project_rights_follow_the_role_table() {
        let user = actor(false, false);
        let owner = Grants::new(vec![
            Permission::ProjectCreate,
            Permission::ProjectUpdate,
            Permission::ProjectDelete,
        ]);
        let manager = Grants::new(vec![Permission::ProjectList, Permission::ProjectUpdate]);
        let admin = Grants::new(vec![Permission::ProjectList]);
        let none = Grants::default();
        assert!(can_create_project(&user, &owner));
        assert!(!can_create_project(&user, &none));
        assert!(can_update_project(&user, &none, &owner));
        assert!(can_update_project(&user, &manager, &none));
        assert!(!can_update_project(&user, &admin, &none));
        assert!(can_delete_project(&user, &owner));
        assert!(!can_delete_project(&user, &manager));
        assert!(may_set_end_date(&user, &owner));
        assert!(!may_set_end_date(&user, &manager));
        let support = actor(false, true);
        assert!(!can_create_project(&support, &none));
        assert!(!can_update_project(&support, &none, &none));
        assert!(may_read_staff_notes(&support));
        assert!(!may_write_project_staff_fields(&support));
        let staff = actor(true, false);
        assert!(can_create_project(&staff, &none) && can_delete_project(&staff, &none));
        assert!(may_set_end_date(&staff, &none) && may_write_project_staff_fields(&staff));
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_name(p.name()), Some(p));
        }
        assert_eq!(Permission::from_name("OFFERING.UPDATE"), None);
    }
}

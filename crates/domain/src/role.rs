//! Roles: named permission sets for one scope type (spec 03 §1.1, §3), and the rules of
//! the role writes of `/api/roles/` (spec 03 §7.3–§7.7).
//!
//! The rules that depend on stored state (system roles, roles in use) take that state as
//! arguments — the role as locked by the adapter and its current-grant count read in the
//! same transaction — so they are plain functions, testable without a database.

use uuid::Uuid;

use crate::error::{DomainError, FieldError, ValidationErrors, NON_FIELD_ERRORS};

/// Longest role name.
pub const NAME_MAX: usize = 150;

/// Longest role description.
pub const DESCRIPTION_MAX: usize = 2000;

/// Every permission name a custom role may carry: the values of the Python SDK's
/// `ValueEnum`, copied from `waldur_api_client/models/value_enum.py` of the installed
/// `waldur-api-client` 8.1.3 (`target/sdk-venv`), sorted by byte value so membership is a
/// binary search. Only the permissions of spec 03 §2 have an effect here; the others are
/// accepted and inert. (That SDK release has 142 values; spec 03 §2 counts 136 in its
/// 2026-08 snapshot.)
pub const PERMISSION_NAMES: &[&str] = &[
    "ACCESS_SUBNET.CREATE",
    "ACCESS_SUBNET.DELETE",
    "ACCESS_SUBNET.UPDATE",
    "CALL.APPROVE_AND_REJECT_PROPOSALS",
    "CALL.CLOSE_ROUNDS",
    "CALL.CREATE",
    "CALL.CREATE_PERMISSION",
    "CALL.DELETE_PERMISSION",
    "CALL.LIST",
    "CALL.UPDATE",
    "CALL.UPDATE_PERMISSION",
    "CUSTOMER.CONTACT_UPDATE",
    "CUSTOMER.CREATE_PERMISSION",
    "CUSTOMER.DELETE_PERMISSION",
    "CUSTOMER.LIST_PERMISSION_REVIEWS",
    "CUSTOMER.LIST_USERS",
    "CUSTOMER.UPDATE",
    "CUSTOMER.UPDATE_PERMISSION",
    "CUSTOMER.VIEW_TEAM",
    "INVITATION.LIST",
    "LEXIS_LINK.CREATE",
    "LEXIS_LINK.DELETE",
    "MATRIX_ROOM.CREATE",
    "OFFERING.ACCEPT_CALL_REQUEST",
    "OFFERING.ADD_ENDPOINT",
    "OFFERING.ARCHIVE",
    "OFFERING.ARCHIVE_PLAN",
    "OFFERING.CREATE",
    "OFFERING.CREATE_PERMISSION",
    "OFFERING.CREATE_PLAN",
    "OFFERING.CREATE_SCREENSHOT",
    "OFFERING.CREATE_USER",
    "OFFERING.DELETE",
    "OFFERING.DELETE_ENDPOINT",
    "OFFERING.DELETE_PERMISSION",
    "OFFERING.DELETE_SCREENSHOT",
    "OFFERING.DELETE_USER",
    "OFFERING.DRY_RUN_SCRIPT",
    "OFFERING.MANAGE_BACKEND_RESOURCES",
    "OFFERING.MANAGE_CAMPAIGN",
    "OFFERING.MANAGE_USER_GROUP",
    "OFFERING.MANAGE_USER_ROLE",
    "OFFERING.PAUSE",
    "OFFERING.UNPAUSE",
    "OFFERING.UPDATE",
    "OFFERING.UPDATE_ATTRIBUTES",
    "OFFERING.UPDATE_COMPONENTS",
    "OFFERING.UPDATE_DESCRIPTION",
    "OFFERING.UPDATE_INTEGRATION",
    "OFFERING.UPDATE_LOCATION",
    "OFFERING.UPDATE_OPTIONS",
    "OFFERING.UPDATE_PERMISSION",
    "OFFERING.UPDATE_PLAN",
    "OFFERING.UPDATE_SCREENSHOT",
    "OFFERING.UPDATE_THUMBNAIL",
    "OFFERING.UPDATE_USER",
    "OFFERINGUSER.UPDATE_RESTRICTION",
    "OFFERING_ACCESS_SUBNET.CREATE",
    "OFFERING_ACCESS_SUBNET.DELETE",
    "OFFERING_ACCESS_SUBNET.UPDATE",
    "OPENSTACK_INSTANCE.CONSOLE_ACCESS",
    "OPENSTACK_INSTANCE.MANAGE",
    "OPENSTACK_INSTANCE.MANAGE_POWER",
    "OPENSTACK_ROUTER.MANAGE_GATEWAY",
    "ORDER.APPROVE",
    "ORDER.APPROVE_PRIVATE",
    "ORDER.CANCEL",
    "ORDER.CREATE",
    "ORDER.DESTROY",
    "ORDER.LIST",
    "ORDER.REJECT",
    "ORDER.SET_CONSUMER_INFO",
    "POSIX_ID_POOL.MANAGE",
    "PROJECT.COURSE_ACCOUNT_MANAGE",
    "PROJECT.CREATE",
    "PROJECT.CREATE_PERMISSION",
    "PROJECT.DELETE",
    "PROJECT.DELETE_PERMISSION",
    "PROJECT.LIST",
    "PROJECT.REVIEW_MEMBERSHIP",
    "PROJECT.SET_SLUG",
    "PROJECT.UPDATE",
    "PROJECT.UPDATE_METADATA",
    "PROJECT.UPDATE_PERMISSION",
    "PROJECT.VIEW_TEAM",
    "PROPOSAL.DELETE_PERMISSION",
    "PROPOSAL.LIST",
    "PROPOSAL.MANAGE",
    "PROPOSAL.MANAGE_REVIEW",
    "PROPOSAL.UPDATE",
    "PROPOSAL.UPDATE_PERMISSION",
    "RESOURCE.ACCEPT_BOOKING_REQUEST",
    "RESOURCE.CONSUMPTION_LIMITATION",
    "RESOURCE.CREATE_PERMISSION",
    "RESOURCE.CREATE_ROBOT_ACCOUNT",
    "RESOURCE.DELETE_PERMISSION",
    "RESOURCE.DELETE_ROBOT_ACCOUNT",
    "RESOURCE.LIST",
    "RESOURCE.LIST_IMPORTABLE",
    "RESOURCE.MANAGE_API_KEY",
    "RESOURCE.MANAGE_USERS",
    "RESOURCE.REJECT_BOOKING_REQUEST",
    "RESOURCE.SET_BACKEND_ID",
    "RESOURCE.SET_BACKEND_METADATA",
    "RESOURCE.SET_END_DATE",
    "RESOURCE.SET_LIMITS",
    "RESOURCE.SET_PLAN",
    "RESOURCE.SET_SLUG",
    "RESOURCE.SET_STATE",
    "RESOURCE.SET_USAGE",
    "RESOURCE.SUBMIT_REPORT",
    "RESOURCE.TERMINATE",
    "RESOURCE.UPDATE",
    "RESOURCE.UPDATE_OPTIONS",
    "RESOURCE.UPDATE_PERMISSION",
    "RESOURCE.UPDATE_ROBOT_ACCOUNT",
    "RESOURCE_PROJECT.CREATE_PERMISSION",
    "RESOURCE_PROJECT.DELETE_PERMISSION",
    "RESOURCE_PROJECT.UPDATE_PERMISSION",
    "ROUND.LIST",
    "SERVICE_ACCOUNT.MANAGE",
    "SERVICE_PROVIDER.GENERATE_API_SECRET_CODE",
    "SERVICE_PROVIDER.GET_API_SECRET_CODE",
    "SERVICE_PROVIDER.GET_REVENUE",
    "SERVICE_PROVIDER.GET_ROBOT_ACCOUNT_CUSTOMERS",
    "SERVICE_PROVIDER.GET_ROBOT_ACCOUNT_PROJECTS",
    "SERVICE_PROVIDER.GET_STATISTICS",
    "SERVICE_PROVIDER.LIST_COURSE_ACCOUNTS",
    "SERVICE_PROVIDER.LIST_CUSTOMERS",
    "SERVICE_PROVIDER.LIST_CUSTOMER_PROJECTS",
    "SERVICE_PROVIDER.LIST_KEYS",
    "SERVICE_PROVIDER.LIST_PROJECTS",
    "SERVICE_PROVIDER.LIST_PROJECT_PERMISSIONS",
    "SERVICE_PROVIDER.LIST_SERVICE_ACCOUNTS",
    "SERVICE_PROVIDER.LIST_USERS",
    "SERVICE_PROVIDER.LIST_USER_CUSTOMERS",
    "SERVICE_PROVIDER.MANAGE_MAINTENANCE_ANNOUNCEMENT",
    "SERVICE_PROVIDER.OPENSTACK_IMAGE_MANAGEMENT",
    "SERVICE_PROVIDER.REGISTER",
    "SERVICE_PROVIDER.SET_OFFERINGS_USERNAME",
    "STAFF.ACCESS",
    "SUPPORT.ACCESS",
];

/// Whether `name` is one of [`PERMISSION_NAMES`].
pub fn is_known_permission(name: &str) -> bool {
    PERMISSION_NAMES.binary_search(&name).is_ok()
}

/// The kind of object a role is granted on (wire name `content_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeType {
    /// A customer (organization).
    Customer,
    /// A project.
    Project,
}

impl ScopeType {
    /// Waldur's name: `customer` or `project`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeType::Customer => "customer",
            ScopeType::Project => "project",
        }
    }

    /// The scope type named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "customer" => Some(ScopeType::Customer),
            "project" => Some(ScopeType::Project),
            _ => None,
        }
    }
}

/// A stored role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Internal id.
    pub id: i64,
    /// Public id (differs between installations: clients look roles up by name).
    pub uuid: Uuid,
    /// Unique name, e.g. `CUSTOMER.OWNER`.
    pub name: String,
    /// Human label.
    pub description: String,
    /// What the role can be granted on.
    pub scope: ScopeType,
    /// One of the six seeded roles.
    pub is_system_role: bool,
    /// Inactive roles admit no new grants; existing ones keep working.
    pub is_active: bool,
    /// Permission names, sorted ascending.
    pub permissions: Vec<String>,
}

/// The field order of the role serializer (spec 03 §7.3), for error maps.
pub const FIELD_ORDER: &[&str] = &[
    "name",
    "permissions",
    "content_type",
    "description",
    "is_active",
];

/// The keys a `PATCH` may change (`PatchedRoleDetailsRequest` has no `permissions` and no
/// `content_type`).
pub const PATCH_FIELDS: &[&str] = &["name", "description", "is_active"];

/// Which write a body is for: it decides which keys are required and which are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleWrite {
    /// `POST`: `name`, `permissions` and `content_type` required.
    Create,
    /// `PUT`: the same keys required; absent optional keys keep their stored values.
    Replace,
    /// `PATCH`: nothing required; only `name`, `description` and `is_active` are read.
    Partial,
}

/// A role body as read from the wire (`None` = key absent, or its value had a type error
/// the wire layer already reported). Strings arrive trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[expect(
    missing_docs,
    reason = "each field is the request key of the same name (spec 03 §7.3)"
)]
pub struct RoleChanges {
    pub name: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub content_type: Option<String>,
    pub description: Option<String>,
    pub is_active: Option<bool>,
}

/// Validated changes to a stored role: `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New scope type.
    pub scope: Option<ScopeType>,
    /// New active flag.
    pub is_active: Option<bool>,
    /// New permission set, sorted and without duplicates.
    pub permissions: Option<Vec<String>>,
}

/// A validated new custom role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRole {
    /// Unique name.
    pub name: String,
    /// Human label (`""` when not given).
    pub description: String,
    /// What the role can be granted on.
    pub scope: ScopeType,
    /// `true` unless the body said otherwise.
    pub is_active: bool,
    /// Permission names, sorted and without duplicates.
    pub permissions: Vec<String>,
}

/// `{"non_field_errors": ["Name should be unique."]}`: another role has the name.
pub fn name_taken() -> ValidationErrors {
    ValidationErrors::single(NON_FIELD_ERRORS, FieldError::new("Name should be unique."))
}

/// The permission set of a body: sorted, duplicates collapsed; the unknown names, in the
/// order first sent, make the error `Invalid permissions <a>,<b>`.
fn permission_set(names: &[String]) -> Result<Vec<String>, FieldError> {
    let mut unknown: Vec<&str> = Vec::new();
    for name in names {
        if !is_known_permission(name) && !unknown.contains(&name.as_str()) {
            unknown.push(name);
        }
    }
    if !unknown.is_empty() {
        return Err(FieldError::new(format!(
            "Invalid permissions {}",
            unknown.join(",")
        )));
    }
    let mut set = names.to_vec();
    set.sort();
    set.dedup();
    Ok(set)
}

impl RoleChanges {
    /// Applies spec 03 §7.3 to the keys `write` reads and merges the wire's `type_errors`:
    /// every failing field at once, in [`FIELD_ORDER`]. A field with a type error gets no
    /// further message (so a `null` name is not also "required").
    ///
    /// # Errors
    /// Every failing field.
    pub fn validate(
        self,
        write: RoleWrite,
        type_errors: ValidationErrors,
    ) -> Result<RoleUpdate, ValidationErrors> {
        let mut errors = type_errors;
        if write == RoleWrite::Partial {
            errors.retain(|field| PATCH_FIELDS.contains(&field));
        }
        let required = write != RoleWrite::Partial;
        let mut rules = ValidationErrors::new();
        let missing = |rules: &mut ValidationErrors, field: &str| {
            if required {
                rules.add(field, FieldError::required());
            }
        };
        match &self.name {
            None => missing(&mut rules, "name"),
            Some(name) if name.is_empty() => rules.add("name", FieldError::blank()),
            Some(name) if name.chars().count() > NAME_MAX => {
                rules.add("name", FieldError::too_long(NAME_MAX));
            }
            Some(_) => {}
        }
        let mut update = RoleUpdate {
            name: self.name,
            description: self.description,
            scope: None,
            is_active: self.is_active,
            permissions: None,
        };
        if write != RoleWrite::Partial {
            match &self.permissions {
                None => missing(&mut rules, "permissions"),
                Some(names) => {
                    update.permissions = rules.check("permissions", permission_set(names))
                }
            }
            match self.content_type.as_deref() {
                None => missing(&mut rules, "content_type"),
                Some(name) => {
                    update.scope = rules.check(
                        "content_type",
                        ScopeType::from_name(name)
                            .ok_or_else(|| FieldError::new("Invalid content type.")),
                    );
                }
            }
        }
        if update
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > DESCRIPTION_MAX)
        {
            rules.add("description", FieldError::too_long(DESCRIPTION_MAX));
        }
        rules.retain(|field| !errors.has(field));
        errors.merge(rules);
        errors.sort_by_field_order(FIELD_ORDER);
        errors.into_result(update)
    }

    /// Validates a `POST` body into a new custom role (`description` defaults to `""`,
    /// `is_active` to `true`).
    ///
    /// # Errors
    /// Every failing field.
    pub fn validate_create(
        self,
        type_errors: ValidationErrors,
    ) -> Result<NewRole, ValidationErrors> {
        let update = self.validate(RoleWrite::Create, type_errors)?;
        match (update.name, update.scope, update.permissions) {
            (Some(name), Some(scope), Some(permissions)) => Ok(NewRole {
                name,
                description: update.description.unwrap_or_default(),
                scope,
                is_active: update.is_active.unwrap_or(true),
                permissions,
            }),
            // `validate` reports a missing required key, so this is unreachable.
            _ => Err(ValidationErrors::single(
                NON_FIELD_ERRORS,
                FieldError::required(),
            )),
        }
    }
}

impl RoleUpdate {
    /// `role` with the changes applied (permissions stay sorted).
    pub fn apply_to(&self, role: &Role) -> Role {
        let mut out = role.clone();
        if let Some(name) = &self.name {
            out.name.clone_from(name);
        }
        if let Some(description) = &self.description {
            out.description.clone_from(description);
        }
        if let Some(scope) = self.scope {
            out.scope = scope;
        }
        if let Some(active) = self.is_active {
            out.is_active = active;
        }
        if let Some(permissions) = &self.permissions {
            out.permissions.clone_from(permissions);
        }
        out
    }
}

/// Whether `update` may be applied to `role`, which has `current_grants` current grants
/// (spec 03 §7.4). A scope change is a field error on `content_type`; renaming a system
/// role is an object-level rule, reported only when the fields passed (DRF order).
///
/// # Errors
/// `{"content_type": [...]}` for a scope change of a system role or of a role in use;
/// `{"non_field_errors": ["Changing name for system role is not possible."]}`.
pub fn check_update(
    role: &Role,
    update: &RoleUpdate,
    current_grants: i64,
) -> Result<(), ValidationErrors> {
    if update.scope.is_some_and(|scope| scope != role.scope) {
        let message = if role.is_system_role {
            "Changing scope of a system role is not possible."
        } else if current_grants > 0 {
            "Changing scope of a role that is in use is not possible."
        } else {
            ""
        };
        if !message.is_empty() {
            return Err(ValidationErrors::single(
                "content_type",
                FieldError::new(message),
            ));
        }
    }
    if role.is_system_role && update.name.as_ref().is_some_and(|name| *name != role.name) {
        return Err(ValidationErrors::single(
            NON_FIELD_ERRORS,
            FieldError::new("Changing name for system role is not possible."),
        ));
    }
    Ok(())
}

/// Whether `role`, which has `current_grants` current grants, may be deleted (spec 03
/// §7.7). Its revoked and expired grant rows go with it.
///
/// # Errors
/// A state rule (400 bare list): `Destroying of system role is not available.` or
/// `Role is still used.`.
pub fn check_delete(role: &Role, current_grants: i64) -> Result<(), DomainError> {
    if role.is_system_role {
        return Err(DomainError::Unavailable(
            "Destroying of system role is not available.".into(),
        ));
    }
    if current_grants > 0 {
        return Err(DomainError::Unavailable("Role is still used.".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_round_trip() {
        for scope in [ScopeType::Customer, ScopeType::Project] {
            assert_eq!(ScopeType::from_name(scope.as_str()), Some(scope));
        }
        assert_eq!(ScopeType::from_name("offering"), None);
    }

    fn messages(errors: &ValidationErrors) -> Vec<(String, Vec<String>)> {
        errors
            .entries()
            .iter()
            .map(|(field, m)| match m {
                crate::error::FieldMessages::List(list) => (field.clone(), list.clone()),
                crate::error::FieldMessages::Items(_) => (field.clone(), vec!["<items>".into()]),
            })
            .collect()
    }

    fn role(system: bool) -> Role {
        Role {
            id: 1,
            uuid: Uuid::from_u128(1),
            name: "CUSTOMER.OWNER".into(),
            description: "Organization owner".into(),
            scope: ScopeType::Customer,
            is_system_role: system,
            is_active: true,
            permissions: vec!["CUSTOMER.UPDATE".into()],
        }
    }

    fn full_body() -> RoleChanges {
        RoleChanges {
            name: Some("Auditor".into()),
            permissions: Some(vec![
                "PROJECT.LIST".into(),
                "CUSTOMER.UPDATE".into(),
                "PROJECT.LIST".into(),
            ]),
            content_type: Some("customer".into()),
            description: None,
            is_active: None,
        }
    }

    #[test]
    fn the_permission_list_is_the_sdk_value_enum_sorted() {
        assert_eq!(PERMISSION_NAMES.len(), 142);
        assert!(PERMISSION_NAMES.windows(2).all(|w| w[0] < w[1]));
        for p in crate::policy::Permission::ALL {
            assert!(is_known_permission(p.name()), "{}", p.name());
        }
        assert!(is_known_permission("CUSTOMER.LIST_PERMISSION_REVIEWS"));
        assert!(!is_known_permission("customer.update"));
        assert!(!is_known_permission("CUSTOMER.FLY"));
    }

    #[test]
    fn create_defaults_and_collapses_duplicate_permissions() {
        let new = full_body()
            .validate_create(ValidationErrors::new())
            .unwrap();
        assert_eq!(new.name, "Auditor");
        assert_eq!(new.description, "");
        assert!(new.is_active);
        assert_eq!(new.scope, ScopeType::Customer);
        assert_eq!(new.permissions, ["CUSTOMER.UPDATE", "PROJECT.LIST"]);
    }

    #[test]
    fn create_requires_name_permissions_and_content_type_all_at_once() {
        let errors = RoleChanges::default()
            .validate_create(ValidationErrors::new())
            .unwrap_err();
        let required = vec!["This field is required.".to_owned()];
        assert_eq!(
            messages(&errors),
            [
                ("name".to_owned(), required.clone()),
                ("permissions".to_owned(), required.clone()),
                ("content_type".to_owned(), required),
            ]
        );
    }

    #[test]
    fn every_bad_field_is_reported_with_waldurs_texts() {
        let body = RoleChanges {
            name: Some("x".repeat(151)),
            permissions: Some(vec![
                "CUSTOMER.FLY".into(),
                "PROJECT.LIST".into(),
                "SWIM".into(),
                "CUSTOMER.FLY".into(),
            ]),
            content_type: Some("offering".into()),
            description: Some("d".repeat(2001)),
            is_active: Some(false),
        };
        let errors = body.validate_create(ValidationErrors::new()).unwrap_err();
        assert_eq!(
            messages(&errors),
            [
                (
                    "name".to_owned(),
                    vec!["Ensure this field has no more than 150 characters.".to_owned()]
                ),
                (
                    "permissions".to_owned(),
                    vec!["Invalid permissions CUSTOMER.FLY,SWIM".to_owned()]
                ),
                (
                    "content_type".to_owned(),
                    vec!["Invalid content type.".to_owned()]
                ),
                (
                    "description".to_owned(),
                    vec!["Ensure this field has no more than 2000 characters.".to_owned()]
                ),
            ]
        );
        let blank = RoleChanges {
            name: Some(String::new()),
            ..full_body()
        };
        assert!(blank.validate_create(ValidationErrors::new()).is_err());
        let limits = RoleChanges {
            name: Some("n".repeat(150)),
            description: Some("d".repeat(2000)),
            permissions: Some(Vec::new()),
            ..full_body()
        };
        assert!(limits.validate_create(ValidationErrors::new()).is_ok());
    }

    #[test]
    fn a_type_error_is_the_only_message_of_its_field() {
        let type_errors = ValidationErrors::single("name", FieldError::null());
        let errors = RoleChanges {
            name: None,
            ..full_body()
        }
        .validate_create(type_errors)
        .unwrap_err();
        assert_eq!(
            messages(&errors),
            [(
                "name".to_owned(),
                vec!["This field may not be null.".to_owned()]
            )]
        );
    }

    #[test]
    fn patch_reads_only_name_description_and_active_flag() {
        let body = RoleChanges {
            name: None,
            permissions: Some(vec!["BAD".into()]),
            content_type: Some("offering".into()),
            description: Some("New".into()),
            is_active: Some(false),
        };
        let type_errors = ValidationErrors::single("permissions", FieldError::null());
        let update = body.validate(RoleWrite::Partial, type_errors).unwrap();
        assert_eq!(
            update,
            RoleUpdate {
                description: Some("New".into()),
                is_active: Some(false),
                ..RoleUpdate::default()
            }
        );
        assert!(RoleChanges::default()
            .validate(RoleWrite::Replace, ValidationErrors::new())
            .is_err());
    }

    #[test]
    fn apply_keeps_what_the_update_leaves_out() {
        let update = RoleUpdate {
            description: Some("Changed".into()),
            permissions: Some(vec![]),
            ..RoleUpdate::default()
        };
        let changed = update.apply_to(&role(true));
        assert_eq!(changed.name, "CUSTOMER.OWNER");
        assert_eq!(changed.description, "Changed");
        assert!(changed.permissions.is_empty());
        assert!(changed.is_active);
    }

    #[test]
    fn system_roles_keep_their_name_and_scope() {
        let rename = RoleUpdate {
            name: Some("BOSS".into()),
            ..RoleUpdate::default()
        };
        assert_eq!(
            messages(&check_update(&role(true), &rename, 0).unwrap_err()),
            [(
                NON_FIELD_ERRORS.to_owned(),
                vec!["Changing name for system role is not possible.".to_owned()]
            )]
        );
        let rescope = RoleUpdate {
            name: Some("BOSS".into()),
            scope: Some(ScopeType::Project),
            ..RoleUpdate::default()
        };
        assert_eq!(
            messages(&check_update(&role(true), &rescope, 0).unwrap_err()),
            [(
                "content_type".to_owned(),
                vec!["Changing scope of a system role is not possible.".to_owned()]
            )],
            "the field error wins over the object-level rule"
        );
        let same = RoleUpdate {
            name: Some("CUSTOMER.OWNER".into()),
            scope: Some(ScopeType::Customer),
            permissions: Some(vec!["CUSTOMER.CREATE_PERMISSION".into()]),
            is_active: Some(false),
            description: Some("x".into()),
        };
        assert!(check_update(&role(true), &same, 5).is_ok());
    }

    #[test]
    fn custom_roles_in_use_keep_their_scope_but_may_be_renamed() {
        let rescope = RoleUpdate {
            scope: Some(ScopeType::Project),
            ..RoleUpdate::default()
        };
        assert_eq!(
            messages(&check_update(&role(false), &rescope, 1).unwrap_err()),
            [(
                "content_type".to_owned(),
                vec!["Changing scope of a role that is in use is not possible.".to_owned()]
            )]
        );
        assert!(check_update(&role(false), &rescope, 0).is_ok());
        let rename = RoleUpdate {
            name: Some("Other".into()),
            ..RoleUpdate::default()
        };
        assert!(check_update(&role(false), &rename, 3).is_ok());
    }

    #[test]
    fn delete_refuses_system_roles_and_roles_in_use() {
        assert_eq!(
            check_delete(&role(true), 0),
            Err(DomainError::Unavailable(
                "Destroying of system role is not available.".into()
            ))
        );
        assert_eq!(
            check_delete(&role(false), 2),
            Err(DomainError::Unavailable("Role is still used.".into()))
        );
        assert_eq!(check_delete(&role(false), 0), Ok(()));
    }
}

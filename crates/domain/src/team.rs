//! Grants and the rules of the team endpoints (spec 03 §4, §5): when a grant counts, who
//! may change a team, and the object-level rules of `add_user` / `update_user`, as pure
//! functions of data the adapter read inside the write's transaction.

use chrono::{DateTime, Utc};

use crate::error::FieldError;
use crate::policy::{has, Grants, Permission};
use crate::role::{Role, ScopeType};
use crate::user::Actor;
use crate::validate::patterns::EmailPatterns;

/// `revoke_reason` of a grant revoked through `delete_user` (spec 03 §4.5).
pub const REASON_MANUAL: &str = "Manual user removal via delete_user API endpoint";
/// `revoke_reason` of a grant closed because it had expired (spec 03 §1.2).
pub const REASON_EXPIRED: &str = "expired";
/// `revoke_reason` of the grants of a soft-deleted project (spec 03 §4.5).
pub const REASON_PROJECT_DELETED: &str = "Project has been deleted";

/// `400 non_field_errors` texts of the team endpoints (Waldur's wording).
pub mod messages {
    /// §5.0: the scope's customer is blocked or archived.
    pub const CUSTOMER_UNAVAILABLE: &str = "Customer is not available.";
    /// §5.3 rule 1.
    pub const DEACTIVATED_TARGET: &str = "Only staff users can assign roles to deactivated users.";
    /// §5.3 rule 2 (also the answer to a lost race on the unique index).
    pub const DUPLICATE: &str = "User has already the same role in this scope.";
    /// §5.3 rule 3.
    pub const WRONG_SCOPE: &str = "Role is not valid for this scope.";
    /// §5.3 rule 4.
    pub const INACTIVE_ROLE: &str = "Role is not active.";
    /// §5.3 rule 5.
    pub const RESTRICTIONS: &str =
        "User email, affiliation, or identity source does not match the customer restrictions.";
    /// §5.4: `update_user` without a current grant.
    pub const NO_SUCH_GRANT: &str = "User does not have this role in this scope.";
    /// §5.7: a project-level manager changing their own project roles.
    pub const OWN_ROLE: &str = "User can not manage own role.";
    /// §5.0 field error: no role with that UUID or name.
    pub const ROLE_NOT_FOUND: &str = "Role is not found.";
    /// §5.0 field error: no such user.
    pub const USER_NOT_FOUND: &str = "User is not found.";
    /// §5.0 field error: expiry not in the future.
    pub const EXPIRY_PAST: &str = "Expiration time should be greater than current time.";
}

/// "Current grant" of spec 03 §4.1: not revoked and not yet expired at `now`. An expiry
/// equal to `now` has been reached, so the grant gives nothing from that instant.
///
/// ```
/// use chrono::{Duration, Utc};
/// use tenancy_domain::team::is_current;
/// let now = Utc::now();
/// assert!(is_current(true, None, now));
/// assert!(is_current(true, Some(now + Duration::seconds(1)), now));
/// assert!(!is_current(true, Some(now), now));
/// assert!(!is_current(false, None, now));
/// ```
pub fn is_current(
    is_active: bool,
    expiration_time: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    is_active && expiration_time.is_none_or(|t| now < t)
}

/// A requested expiry must lie after the request time (spec 03 §5.0); `None` = permanent.
///
/// # Errors
/// `Expiration time should be greater than current time.`
pub fn check_expiration(
    expiration_time: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    match expiration_time {
        Some(t) if t <= now => Err(FieldError::new(messages::EXPIRY_PAST)),
        _ => Ok(()),
    }
}

/// What a team change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAction {
    /// `add_user`
    Add,
    /// `update_user`
    Update,
    /// `delete_user`
    Revoke,
}

impl TeamAction {
    /// The permission that gates the action on a scope of type `scope` (spec 03 §2).
    pub fn permission(self, scope: ScopeType) -> Permission {
        match (scope, self) {
            (ScopeType::Customer, TeamAction::Add) => Permission::CustomerCreatePermission,
            (ScopeType::Customer, TeamAction::Update) => Permission::CustomerUpdatePermission,
            (ScopeType::Customer, TeamAction::Revoke) => Permission::CustomerDeletePermission,
            (ScopeType::Project, TeamAction::Add) => Permission::ProjectCreatePermission,
            (ScopeType::Project, TeamAction::Update) => Permission::ProjectUpdatePermission,
            (ScopeType::Project, TeamAction::Revoke) => Permission::ProjectDeletePermission,
        }
    }
}

/// Where a caller's right to change a team comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAuthority {
    /// Staff, or the permission held on the customer (for projects: on the project's
    /// customer): may change any grant of the scope, their own included.
    Full,
    /// The permission held only through a grant on the project itself: may change the
    /// grants of others, not their own (spec 03 §5.7).
    ProjectOnly,
}

/// Who may change the team of a scope (spec 03 §5.3–§5.5, §5.7, §6).
///
/// `on_customer` are the permissions the caller's effective grants carry on the scope's
/// customer (for a customer scope: the scope itself); `on_project` those on the project
/// (empty for a customer scope). Support users get nothing.
pub fn team_authority(
    actor: &Actor,
    scope: ScopeType,
    action: TeamAction,
    on_customer: &Grants,
    on_project: &Grants,
) -> Option<TeamAuthority> {
    let permission = action.permission(scope);
    if has(actor, on_customer, permission) {
        Some(TeamAuthority::Full)
    } else if scope == ScopeType::Project && on_project.carries(permission) {
        Some(TeamAuthority::ProjectOnly)
    } else {
        None
    }
}

/// The target of a grant, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grantee {
    /// Whether the user account is active.
    pub is_active: bool,
    /// The e-mail address (may be empty).
    pub email: String,
    /// The user's affiliations (none for users created here).
    pub affiliations: Vec<String>,
    /// The user's identity source (empty for users created here).
    pub identity_source: String,
}

/// A customer's restrictions on who may be granted roles (spec 03 §5.6).
#[derive(Debug, Clone, Default)]
pub struct UserRestrictions {
    /// `user_email_patterns`, matched at the start of the address.
    pub email_patterns: Vec<String>,
    /// `user_affiliations`
    pub affiliations: Vec<String>,
    /// `user_identity_sources`
    pub identity_sources: Vec<String>,
}

impl UserRestrictions {
    /// Whether `user` qualifies: no restrictions at all, or any one of them is met.
    /// Stored patterns were validated on write; one that no longer compiles matches
    /// nothing.
    pub fn admit(&self, user: &Grantee) -> bool {
        if self.email_patterns.is_empty()
            && self.affiliations.is_empty()
            && self.identity_sources.is_empty()
        {
            return true;
        }
        let email_ok = !self.email_patterns.is_empty()
            && EmailPatterns::parse(&self.email_patterns).is_ok_and(|p| p.matches_any(&user.email));
        email_ok
            || user
                .affiliations
                .iter()
                .any(|a| self.affiliations.contains(a))
            || (!user.identity_source.is_empty()
                && self.identity_sources.contains(&user.identity_source))
    }
}

/// The object-level rules of `add_user`, in Waldur's order (spec 03 §5.3); the first one
/// that fails is the answer.
///
/// # Errors
/// The `non_field_errors` message of the failing rule.
pub fn check_add(
    actor: &Actor,
    user: &Grantee,
    role: &Role,
    scope: ScopeType,
    has_current_grant: bool,
    restrictions: &UserRestrictions,
) -> Result<(), &'static str> {
    if !user.is_active && !actor.is_staff() {
        return Err(messages::DEACTIVATED_TARGET);
    }
    if has_current_grant {
        return Err(messages::DUPLICATE);
    }
    if role.scope != scope {
        return Err(messages::WRONG_SCOPE);
    }
    if !role.is_active {
        return Err(messages::INACTIVE_ROLE);
    }
    if !restrictions.admit(user) {
        return Err(messages::RESTRICTIONS);
    }
    Ok(())
}

/// A caller whose authority comes only from a project grant cannot change their own
/// project roles (spec 03 §5.7).
///
/// # Errors
/// `User can not manage own role.`
pub fn check_own_grant(
    authority: TeamAuthority,
    target_is_caller: bool,
) -> Result<(), &'static str> {
    if authority == TeamAuthority::ProjectOnly && target_is_caller {
        Err(messages::OWN_ROLE)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use uuid::Uuid;

    fn actor(staff: bool) -> Actor {
        Actor::new(7, Uuid::nil(), staff, false)
    }

    fn support() -> Actor {
        Actor::new(7, Uuid::nil(), false, true)
    }

    fn role(scope: ScopeType, active: bool) -> Role {
        Role {
            id: 1,
            uuid: Uuid::nil(),
            name: "CUSTOMER.OWNER".into(),
            description: String::new(),
            scope,
            is_system_role: true,
            is_active: active,
            permissions: vec![],
        }
    }

    fn grantee(active: bool, email: &str) -> Grantee {
        Grantee {
            is_active: active,
            email: email.into(),
            affiliations: vec![],
            identity_source: String::new(),
        }
    }

    #[test]
    fn an_expiry_in_the_past_or_now_is_refused() {
        let now = Utc::now();
        assert!(check_expiration(None, now).is_ok());
        assert!(check_expiration(Some(now + Duration::seconds(1)), now).is_ok());
        let err = check_expiration(Some(now), now).unwrap_err();
        assert_eq!(err.message(), messages::EXPIRY_PAST);
        assert!(check_expiration(Some(now - Duration::days(1)), now).is_err());
    }

    #[test]
    fn grants_stop_counting_the_instant_they_expire() {
        let now = Utc::now();
        let expiry = now + Duration::seconds(1);
        assert!(is_current(true, Some(expiry), now));
        assert!(!is_current(true, Some(expiry), expiry));
        assert!(!is_current(
            true,
            Some(expiry),
            expiry + Duration::milliseconds(1)
        ));
    }

    #[test]
    fn customer_teams_are_staff_only_by_default() {
        let owner = Grants::new(vec![
            Permission::CustomerUpdate,
            Permission::ProjectCreatePermission,
        ]);
        let none = Grants::default();
        for action in [TeamAction::Add, TeamAction::Update, TeamAction::Revoke] {
            assert_eq!(
                team_authority(&actor(true), ScopeType::Customer, action, &none, &none),
                Some(TeamAuthority::Full)
            );
            assert_eq!(
                team_authority(&actor(false), ScopeType::Customer, action, &owner, &none),
                None
            );
            assert_eq!(
                team_authority(&support(), ScopeType::Customer, action, &none, &none),
                None
            );
        }
        let empowered = Grants::new(vec![Permission::CustomerCreatePermission]);
        assert_eq!(
            team_authority(
                &actor(false),
                ScopeType::Customer,
                TeamAction::Add,
                &empowered,
                &none
            ),
            Some(TeamAuthority::Full)
        );
        assert_eq!(
            team_authority(
                &actor(false),
                ScopeType::Customer,
                TeamAction::Revoke,
                &empowered,
                &none
            ),
            None
        );
    }

    #[test]
    fn project_teams_owners_fully_project_managers_for_others_only() {
        let owner = Grants::new(vec![
            Permission::ProjectCreatePermission,
            Permission::ProjectUpdatePermission,
            Permission::ProjectDeletePermission,
        ]);
        let none = Grants::default();
        let a = actor(false);
        assert_eq!(
            team_authority(&a, ScopeType::Project, TeamAction::Add, &owner, &none),
            Some(TeamAuthority::Full)
        );
        assert_eq!(
            team_authority(&a, ScopeType::Project, TeamAction::Revoke, &none, &owner),
            Some(TeamAuthority::ProjectOnly)
        );
        let admin = Grants::new(vec![Permission::ProjectList]);
        assert_eq!(
            team_authority(&a, ScopeType::Project, TeamAction::Add, &none, &admin),
            None
        );
        assert_eq!(
            check_own_grant(TeamAuthority::ProjectOnly, true),
            Err(messages::OWN_ROLE)
        );
        assert!(check_own_grant(TeamAuthority::ProjectOnly, false).is_ok());
        assert!(check_own_grant(TeamAuthority::Full, true).is_ok());
    }

    #[test]
    fn add_rules_apply_in_waldurs_order() {
        let none = UserRestrictions::default();
        let customer_role = role(ScopeType::Customer, true);
        let inactive = grantee(false, "a@example.com");
        // Rule 1 wins over the duplicate.
        assert_eq!(
            check_add(
                &actor(false),
                &inactive,
                &customer_role,
                ScopeType::Customer,
                true,
                &none
            ),
            Err(messages::DEACTIVATED_TARGET)
        );
        // Staff may grant to deactivated users.
        assert!(check_add(
            &actor(true),
            &inactive,
            &customer_role,
            ScopeType::Customer,
            false,
            &none
        )
        .is_ok());
        let user = grantee(true, "a@example.com");
        assert_eq!(
            check_add(
                &actor(true),
                &user,
                &customer_role,
                ScopeType::Project,
                true,
                &none
            ),
            Err(messages::DUPLICATE)
        );
        assert_eq!(
            check_add(
                &actor(true),
                &user,
                &customer_role,
                ScopeType::Project,
                false,
                &none
            ),
            Err(messages::WRONG_SCOPE)
        );
        let disabled = role(ScopeType::Customer, false);
        assert_eq!(
            check_add(
                &actor(true),
                &user,
                &disabled,
                ScopeType::Customer,
                false,
                &none
            ),
            Err(messages::INACTIVE_ROLE)
        );
        let only_corp = UserRestrictions {
            email_patterns: vec![r".*@corp\.example$".into()],
            ..UserRestrictions::default()
        };
        assert_eq!(
            check_add(
                &actor(true),
                &user,
                &customer_role,
                ScopeType::Customer,
                false,
                &only_corp
            ),
            Err(messages::RESTRICTIONS)
        );
        let corp = grantee(true, "b@corp.example");
        assert!(check_add(
            &actor(true),
            &corp,
            &customer_role,
            ScopeType::Customer,
            false,
            &only_corp
        )
        .is_ok());
    }

    #[test]
    fn restrictions_admit_on_any_matching_criterion() {
        let r = UserRestrictions {
            email_patterns: vec!["alice".into()],
            affiliations: vec!["staff@uni".into()],
            identity_sources: vec!["eduGAIN".into()],
        };
        assert!(
            r.admit(&grantee(true, "alice@example.com")),
            "match is anchored at the start only"
        );
        assert!(!r.admit(&grantee(true, "bob.alice@example.com")));
        let mut affiliated = grantee(true, "bob@example.com");
        affiliated.affiliations = vec!["staff@uni".into()];
        assert!(r.admit(&affiliated));
        let mut federated = grantee(true, "bob@example.com");
        federated.identity_source = "eduGAIN".into();
        assert!(r.admit(&federated));
        assert!(UserRestrictions::default().admit(&grantee(true, "")));
    }
}

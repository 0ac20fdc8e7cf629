//! Roles: named permission sets for one scope type (spec 03 §1.1, §3).

use uuid::Uuid;

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
}

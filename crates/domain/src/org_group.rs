//! Organization groups: a forest of named nodes that customers belong to (spec 04).
//!
//! The tree rules are pure functions over the ancestor chain the adapter reads inside its
//! transaction, so cycles are refused without a database in the unit tests.

use uuid::Uuid;

use crate::error::{FieldError, ValidationErrors};

/// Longest group name.
pub const NAME_MAX: usize = 150;

/// A group's parent, as shown in the group's representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentGroup {
    /// The parent's public id.
    pub uuid: Uuid,
    /// The parent's current name (computed on read, so renames show at once).
    pub name: String,
}

/// A stored group with its computed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationGroup {
    /// Internal id.
    pub id: i64,
    /// Public id.
    pub uuid: Uuid,
    /// Display name (not unique).
    pub name: String,
    /// `None` for a root.
    pub parent: Option<ParentGroup>,
    /// Customers directly attached (descendants' customers are not counted).
    pub customers_count: i64,
}

/// Requested changes to a group. `parent`: `None` = keep, `Some(None)` = make it a root,
/// `Some(Some(uuid))` = move under that group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupChanges {
    /// New name (already trimmed by the wire layer).
    pub name: Option<String>,
    /// New parent.
    pub parent: Option<Option<Uuid>>,
}

/// The field order of the group serializer, for error maps collected in several passes.
pub const FIELD_ORDER: &[&str] = &["name", "parent"];

impl GroupChanges {
    /// Field rules of spec 04 §2.3; `name_required` for `POST` and `PUT`.
    ///
    /// # Errors
    /// Every failing field.
    pub fn validate(&self, name_required: bool) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        match &self.name {
            None if name_required => errors.add("name", FieldError::required()),
            Some(name) if name.is_empty() => errors.add("name", FieldError::blank()),
            Some(name) if name.chars().count() > NAME_MAX => {
                errors.add("name", FieldError::too_long(NAME_MAX));
            }
            Some(name) if name.chars().all(char::is_whitespace) => errors.add(
                "name",
                FieldError::new("Ensure that name has at least one non-whitespace character."),
            ),
            _ => {}
        }
        errors.into_result(())
    }
}

/// Whether `group` may be moved under `parent`, given `parent_ancestors`: the uuids from
/// `parent`'s own parent up to its root (spec 04 §4.2).
///
/// # Errors
/// A field error for `parent` when the move would make `group` its own ancestor.
pub fn check_parent(
    group: Uuid,
    parent: Uuid,
    parent_ancestors: &[Uuid],
) -> Result<(), FieldError> {
    if group == parent {
        return Err(FieldError::new(
            "Organization group cannot be parent of itself.",
        ));
    }
    if parent_ancestors.contains(&group) {
        return Err(FieldError::new(
            "Organization group cannot be a child of its own descendant.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
    }

    #[test]
    fn a_group_cannot_be_its_own_parent() {
        let g = Uuid::from_u128(1);
        assert_eq!(
            check_parent(g, g, &[]).unwrap_err().message(),
            "Organization group cannot be parent of itself."
        );
    }

    #[test]
    fn a_group_cannot_move_under_any_descendant_however_deep() {
        // Chain root = ids[0] → ids[1] → … → ids[99]; move the root under the deepest node.
        let chain = ids(100);
        let deepest = chain[99];
        let ancestors_of_deepest: Vec<Uuid> = chain[..99].iter().rev().copied().collect();
        let error = check_parent(chain[0], deepest, &ancestors_of_deepest).unwrap_err();
        assert_eq!(
            error.message(),
            "Organization group cannot be a child of its own descendant."
        );
        // A middle node may not move under its grandchild either.
        let ancestors_of_52: Vec<Uuid> = chain[..52].iter().rev().copied().collect();
        assert!(check_parent(chain[50], chain[52], &ancestors_of_52).is_err());
    }

    #[test]
    fn reparenting_to_a_sibling_or_unrelated_branch_is_allowed() {
        let chain = ids(4);
        // chain[2] and chain[3] are both children of chain[1].
        assert!(check_parent(chain[2], chain[3], &[chain[1], chain[0]]).is_ok());
        let other_root = Uuid::from_u128(99);
        assert!(check_parent(chain[1], other_root, &[]).is_ok());
    }

    #[test]
    fn names_are_required_non_blank_and_short() {
        assert!(GroupChanges::default()
            .validate(true)
            .unwrap_err()
            .has("name"));
        assert!(GroupChanges::default().validate(false).is_ok());
        let long = GroupChanges {
            name: Some("x".repeat(151)),
            parent: None,
        };
        assert!(long.validate(false).is_err());
        let blank = GroupChanges {
            name: Some(String::new()),
            parent: None,
        };
        assert!(blank.validate(true).is_err());
    }
}

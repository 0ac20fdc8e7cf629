//! Python's `str.format` template syntax, as `string.Formatter().parse` reads it: the
//! checks behind `project_slug_template` (02 §2.2) need Python's exact error reasons.

use std::mem;

/// What Python's `Formatter().parse` yields, reduced to what the checks need.
pub(super) enum Item {
    /// Text outside fields, with `{{`/`}}` already unescaped.
    Literal(String),
    /// A replacement field; `plain` is false when the field has a conversion (`!r`) or a
    /// format spec (`:x`).
    Field { name: String, plain: bool },
}

/// Python's `MarkupIterator` / `parse_field` (Objects/stringlib/unicode_format.h), with its
/// error messages.
pub(super) fn parse_format_string(text: &str) -> Result<Vec<Item>, &'static str> {
    let chars: Vec<char> = text.chars().collect();
    let mut items = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '{' && c != '}' {
            literal.push(c);
            continue;
        }
        let next = chars.get(i).copied();
        if next == Some(c) {
            literal.push(c);
            i += 1;
            continue;
        }
        if c == '}' {
            return Err("Single '}' encountered in format string");
        }
        if next.is_none() {
            return Err("Single '{' encountered in format string");
        }
        if !literal.is_empty() {
            items.push(Item::Literal(mem::take(&mut literal)));
        }
        let (name, plain, end) = parse_field(&chars, i)?;
        items.push(Item::Field { name, plain });
        i = end;
    }
    if !literal.is_empty() {
        items.push(Item::Literal(literal));
    }
    Ok(items)
}

/// Parses one field starting after its `{`; returns its name, whether it is plain, and
/// the index after its closing `}`.
fn parse_field(chars: &[char], start: usize) -> Result<(String, bool, usize), &'static str> {
    let mut i = start;
    let mut last = None;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        last = Some(c);
        match c {
            '{' => return Err("unexpected '{' in field name"),
            '[' => {
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
            }
            '}' | ':' | '!' => break,
            _ => {}
        }
    }
    let name: String = chars[start..i.saturating_sub(1).max(start)]
        .iter()
        .collect();
    match last {
        Some('}') => Ok((name, true, i)),
        Some(c @ ('!' | ':')) => {
            if c == '!' {
                if i >= chars.len() {
                    return Err("end of string while looking for conversion specifier");
                }
                i += 1; // the conversion character
                if i < chars.len() {
                    let after = chars[i];
                    i += 1;
                    if after == '}' {
                        return Ok((name, false, i));
                    }
                    if after != ':' {
                        return Err("expected ':' after conversion specifier");
                    }
                }
            }
            let mut depth = 1;
            while i < chars.len() {
                let c = chars[i];
                i += 1;
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok((name, false, i));
                        }
                    }
                    _ => {}
                }
            }
            Err("unmatched '{' in format spec")
        }
        _ => Err("expected '}' before end of string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<(String, bool)> {
        parse_format_string(text)
            .unwrap()
            .into_iter()
            .filter_map(|item| match item {
                Item::Field { name, plain } => Some((name, plain)),
                Item::Literal(_) => None,
            })
            .collect()
    }

    #[test]
    fn splits_literals_and_fields() {
        let items = parse_format_string("a{{b}}{x}-{y:03}{z!r}").unwrap();
        let literals: Vec<String> = items
            .iter()
            .filter_map(|item| match item {
                Item::Literal(text) => Some(text.clone()),
                Item::Field { .. } => None,
            })
            .collect();
        assert_eq!(literals, ["a{b}", "-"]);
        assert_eq!(
            fields("a{{b}}{x}-{y:03}{z!r}"),
            [
                ("x".to_owned(), true),
                ("y".to_owned(), false),
                ("z".to_owned(), false)
            ]
        );
    }

    #[test]
    fn field_names_as_python_reads_them() {
        assert_eq!(fields("{}"), [(String::new(), true)]);
        assert_eq!(fields("{a[}]}"), [("a[}]".to_owned(), true)]);
        assert_eq!(fields("{a.b}"), [("a.b".to_owned(), true)]);
        assert_eq!(fields("{a:{b}}"), [("a".to_owned(), false)]);
        assert_eq!(fields("{a!}:}"), [("a".to_owned(), false)]);
        assert!(fields("plain text").is_empty());
    }
}

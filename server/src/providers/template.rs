//! `{{placeholder}}` templates: statements and name patterns that operators
//! write. Rendering is one pass, so a value that itself contains `{{…}}` is
//! never expanded again.

/// Every placeholder in `text` must be one of `allowed`.
pub fn check(text: &str, allowed: &[&str]) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| "has a {{ without a closing }}.".to_string())?;
        let name = after[..end].trim();
        if !allowed.contains(&name) {
            let shown: String = name.chars().take(32).collect();
            let list: Vec<String> = allowed.iter().map(|a| format!("{{{{{a}}}}}")).collect();
            return Err(format!("uses {{{{{shown}}}}}; the placeholders are: {}.", list.join(", ")));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// Replaces each placeholder by `value(name)`; unknown ones become empty.
pub fn render(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(&value(after[..end].trim()).unwrap_or_default());
                rest = &after[end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_and_renders_once() {
        assert!(check("CREATE ROLE {{name}} PASSWORD {{ password }};", &["name", "password"]).is_ok());
        assert!(check("{{name}} {{drop}}", &["name"]).unwrap_err().contains("{{drop}}"));
        assert!(check("{{name", &["name"]).is_err());
        let v = |n: &str| (n == "name").then(|| "\"{{password}}\"".to_string());
        assert_eq!(render("a {{name}} b {{password}}", v), "a \"{{password}}\" b ");
    }
}

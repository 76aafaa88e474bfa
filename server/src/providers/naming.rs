//! Generated usernames: lower case ASCII letters, digits and `_`, starting with
//! a letter, at most 32 characters, ending in enough randomness to be unique —
//! valid in every service we lease from (PostgreSQL truncates at 63 bytes and
//! reserves `pg_`; MySQL 8 allows 32; IAM allows `[\w+=,.@-]`).
use rand::Rng;

use super::{template, FieldKind, FieldSpec};

pub const MAX_LEN: usize = 32;
const RANDOM_LEN: usize = 10;
pub const DEFAULT_TEMPLATE: &str = "lh_{{secret}}_{{random}}";
pub const PLACEHOLDERS: &[&str] = &["secret", "lease", "random", "unix_time"];

/// The `username_template` field every provider offers.
pub const USERNAME_TEMPLATE: FieldSpec = FieldSpec {
    id: "username_template",
    label: "Username template",
    kind: FieldKind::Template(PLACEHOLDERS),
    required: false,
    default: None,
    help: "Placeholders: {{secret}}, {{lease}}, {{unix_time}}, {{random}}. Default lh_{{secret}}_{{random}}.",
};

/// Names a generated username may be built from.
pub struct NameParts<'a> {
    pub secret: &'a str,
    pub lease: &'a str,
    pub unix_time: i64,
}

/// Renders `template` (default [`DEFAULT_TEMPLATE`]); a template without
/// `{{random}}` gets it appended, so names never collide.
pub fn generate(template: Option<&str>, parts: &NameParts) -> String {
    let template = template.unwrap_or(DEFAULT_TEMPLATE);
    let (before, after) = template.split_once("{{random}}").unwrap_or((template, ""));
    let fill = |t: &str| {
        sanitize(&template::render(t, |p| match p {
            "secret" => Some(short(parts.secret)),
            "lease" => Some(short(parts.lease)),
            "unix_time" => Some(parts.unix_time.to_string()),
            _ => None,
        }))
    };
    let (mut head, mut tail) = (fill(before), fill(after));
    if !head.starts_with(|c: char| c.is_ascii_lowercase()) || head.starts_with("pg_") {
        head = format!("lh_{head}");
    }
    tail.truncate(MAX_LEN / 4);
    head.truncate(MAX_LEN - RANDOM_LEN - tail.len());
    format!("{head}{}{tail}", random())
}

/// The first 8 name-safe characters of a human name.
fn short(s: &str) -> String {
    sanitize(s).trim_matches('_').chars().take(8).collect()
}

/// Lower case; anything outside `[a-z0-9_]` becomes `_`, runs of `_` collapse.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out
}

fn random() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::thread_rng();
    (0..RANDOM_LEN).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        name.len() <= MAX_LEN
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !name.starts_with("pg_")
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    #[test]
    fn names_are_short_safe_and_unique() {
        let parts =
            NameParts { secret: "Prod DB \"main\"; DROP ROLE x;--", lease: "ci ☃ run", unix_time: 1_700_000_000 };
        for t in [
            None,
            Some("{{lease}}-{{secret}}-{{random}}"),
            Some("pg_{{secret}}"),
            Some("9{{unix_time}}_{{random}}"),
            Some("`'\"/\\{{random}}x"),
            Some(&"very_long_prefix_".repeat(20)),
        ] {
            let (a, b) = (generate(t, &parts), generate(t, &parts));
            assert!(valid(&a), "{t:?} gave {a:?}");
            assert_ne!(a, b);
        }
        assert!(generate(None, &parts).starts_with("lh_prod_db_"));
    }
}

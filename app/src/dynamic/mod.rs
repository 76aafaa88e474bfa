//! The console's dynamic-secret islands: the New Secret menu and the
//! create/configure form, Generate, the leases table with its dialogs, and
//! deletion. Each island calls the server functions of `crate::api`; the
//! pages around them render on the server.
mod delete;
mod generate;
mod leases;
mod modal;
mod secret_form;

pub use delete::DeleteSecret;
pub use generate::GenerateLease;
pub use leases::LeasesTable;
pub use secret_form::{ConfigureSecret, NewSecretMenu};

/// Milliseconds since the Unix epoch, from the clock of whoever renders.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Parses the API's `YYYY-MM-DDTHH:MM:SSZ` into epoch milliseconds.
pub fn epoch_ms(rfc3339: &str) -> Option<i64> {
    let b = rfc3339.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| rfc3339.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, min, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + min) * 60_000 + s * 1000)
}

/// A span of seconds as people say it: `45 s`, `15 min`, `1 h 30 min`, `2 d 4 h`.
pub fn human_secs(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m, r) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let ((big, big_unit), (small, small_unit)) = match (d, h, m) {
        (0, 0, 0) => return format!("{r} s"),
        (0, 0, _) => ((m, "min"), (r, "s")),
        (0, _, _) => ((h, "h"), (m, "min")),
        _ => ((d, "d"), (h, "h")),
    };
    if small == 0 {
        format!("{big} {big_unit}")
    } else {
        format!("{big} {big_unit} {small} {small_unit}")
    }
}

/// A countdown: `1 d 02:03:04`, `02:03:04`, `03:04`; `0:00` once due.
pub fn countdown(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    let (d, h, m, r) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h) {
        (0, 0) => format!("{m}:{r:02}"),
        (0, _) => format!("{h}:{m:02}:{r:02}"),
        _ => format!("{d} d {h:02}:{m:02}:{r:02}"),
    }
}

/// Credentials as `.env` lines; values with anything but safe characters are
/// double-quoted with `\` and `"` escaped.
pub fn dotenv(credentials: &std::collections::BTreeMap<String, String>) -> String {
    credentials
        .iter()
        .map(|(k, v)| {
            let safe = !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "_-.:/+@%,".contains(c));
            if safe {
                format!("{k}={v}\n")
            } else {
                format!("{k}=\"{}\"\n", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
            }
        })
        .collect()
}

/// Writes to the clipboard; the promise is left to settle on its own.
pub fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// Parses a number of seconds typed into a field.
pub fn parse_secs(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_api_times() {
        assert_eq!(epoch_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_ms("2023-11-14T22:13:20Z"), Some(1_700_000_000_000));
        assert_eq!(epoch_ms("2024-02-29T00:00:01Z"), Some(1_709_164_801_000));
        assert_eq!(epoch_ms("2024-02-29 00:00:01"), None);
        assert_eq!(epoch_ms("garbage"), None);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_secs(45), "45 s");
        assert_eq!(human_secs(900), "15 min");
        assert_eq!(human_secs(3600), "1 h");
        assert_eq!(human_secs(5400), "1 h 30 min");
        assert_eq!(human_secs(86_400 * 2 + 3600 * 4), "2 d 4 h");
        assert_eq!(countdown(0), "0:00");
        assert_eq!(countdown(61_000), "1:01");
        assert_eq!(countdown(3_661_000), "1:01:01");
        assert_eq!(countdown(90_061_000), "1 d 01:01:01");
    }

    #[test]
    fn dotenv_quotes_what_needs_it() {
        let creds = [("A".to_string(), "abc123".to_string()), ("B".to_string(), "p\"a s\\s".to_string())].into();
        assert_eq!(dotenv(&creds), "A=abc123\nB=\"p\\\"a s\\\\s\"\n");
    }
}

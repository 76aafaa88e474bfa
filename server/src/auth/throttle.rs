//! Log-in throttling: after too many failures for one e-mail (or from one
//! address) within a window, further attempts are refused with 429 until the
//! window passes. Kept in memory, per process: a replica set multiplies the
//! budget by its size, which still bounds guessing to a few attempts a minute.
use std::collections::HashMap;
use std::sync::Mutex;

const WINDOW_MS: i64 = 15 * 60 * 1000;
const PER_ACCOUNT: u32 = 5;
const PER_ADDRESS: u32 = 50;
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl Throttle {
    fn keys(email: &str, ip: Option<&str>) -> [(String, u32); 2] {
        [(format!("e:{email}"), PER_ACCOUNT), (format!("i:{}", ip.unwrap_or("?")), PER_ADDRESS)]
    }

    /// Whether an attempt may go ahead now.
    pub fn allowed(&self, email: &str, ip: Option<&str>, now: i64) -> bool {
        let Ok(map) = self.failures.lock() else { return true };
        Self::keys(email, ip).iter().all(|(k, limit)| match map.get(k) {
            Some((n, start)) if now - start < WINDOW_MS => n < limit,
            _ => true,
        })
    }

    pub fn failed(&self, email: &str, ip: Option<&str>, now: i64) {
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() > MAX_ENTRIES {
            map.retain(|_, (_, start)| now - *start < WINDOW_MS);
        }
        for (k, _) in Self::keys(email, ip) {
            let e = map.entry(k).or_insert((0, now));
            if now - e.1 >= WINDOW_MS {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    pub fn succeeded(&self, email: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("e:{email}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_the_window() {
        let t = Throttle::default();
        for _ in 0..PER_ACCOUNT {
            assert!(t.allowed("a@x.io", Some("1.2.3.4"), 0));
            t.failed("a@x.io", Some("1.2.3.4"), 0);
        }
        assert!(!t.allowed("a@x.io", Some("9.9.9.9"), 1000));
        assert!(t.allowed("b@x.io", Some("1.2.3.4"), 1000), "other accounts unaffected");
        assert!(t.allowed("a@x.io", Some("1.2.3.4"), WINDOW_MS), "window passed");
    }

    #[test]
    fn success_clears_the_account_count() {
        let t = Throttle::default();
        for _ in 0..PER_ACCOUNT {
            t.failed("a@x.io", None, 0);
        }
        t.succeeded("a@x.io");
        assert!(t.allowed("a@x.io", None, 1));
    }
}

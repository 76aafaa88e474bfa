//! The lease state machine of `shared/LEASES.md`: every decision as a pure
//! function of the state and `now`, so tests need no clock and no sleeping.
//! Times are Unix milliseconds; TTLs are whole seconds.
use app::error::AppError;

pub const CREATING: &str = "creating";
pub const ACTIVE: &str = "active";
pub const REVOKING: &str = "revoking";
pub const REVOKED: &str = "revoked";
pub const EXPIRED: &str = "expired";
pub const FAILED: &str = "failed";
/// States that still hold, or may hold, a credential at the provider.
pub const UNFINISHED: [&str; 3] = [CREATING, ACTIVE, REVOKING];
/// States counted against the per-secret quota and shown as "active leases".
pub const LIVE: [&str; 2] = [CREATING, ACTIVE];

/// A worker that claims a revocation holds it this long; if its process dies,
/// another picks the lease up afterwards. Longer than a whole worker pass can
/// take (see `worker::BATCH`), so a live holder never loses its claim.
pub const CLAIM_MS: i64 = 90_000;
/// A `creating` row older than this was interrupted: its process died between
/// writing the intent and finishing. The sweeper cleans it up at the provider.
pub const STALE_CREATING_MS: i64 = 120_000;
const BACKOFF_BASE_MS: i64 = 1_000;
const BACKOFF_CAP_MS: i64 = 300_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Manual,
    Expired,
    SecretDeleted,
    AppDeleted,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Manual => "manual",
            Reason::Expired => "expired",
            Reason::SecretDeleted => "secret_deleted",
            Reason::AppDeleted => "app_deleted",
        }
    }

    /// Automatic expiry ends in `expired`; everything else in `revoked`.
    pub fn terminal_status(reason: Option<&str>) -> &'static str {
        if reason == Some(Reason::Expired.as_str()) {
            EXPIRED
        } else {
            REVOKED
        }
    }
}

pub fn is_terminal(status: &str) -> bool {
    !UNFINISHED.contains(&status)
}

/// `1 ≤ default_ttl ≤ max_ttl ≤ instance_max`, with messages that name the bound.
pub fn check_ttls(default_ttl: i64, max_ttl: i64, instance_max: i64) -> Result<(), AppError> {
    if default_ttl < 1 || max_ttl < 1 {
        return Err(AppError::bad_request("default_ttl and max_ttl must be at least 1 second."));
    }
    if max_ttl > instance_max {
        return Err(AppError::bad_request(format!(
            "max_ttl ({max_ttl} s) is above this instance's maximum of {instance_max} seconds."
        )));
    }
    if default_ttl > max_ttl {
        return Err(AppError::bad_request(format!(
            "default_ttl ({default_ttl} s) must not exceed max_ttl ({max_ttl} s)."
        )));
    }
    Ok(())
}

/// The TTL of a new lease: `default_ttl` unless asked; `1 ≤ ttl ≤ max_ttl`.
pub fn lease_ttl(requested: Option<i64>, default_ttl: i64, max_ttl: i64) -> Result<i64, AppError> {
    let ttl = requested.unwrap_or(default_ttl);
    if !(1..=max_ttl).contains(&ttl) {
        return Err(AppError::bad_request(format!("ttl must be from 1 to the Max TTL of {max_ttl} seconds.")));
    }
    Ok(ttl)
}

/// Seconds a lease can still be extended by: `max_expires_at − expires_at`
/// while active, else 0.
pub fn available_ttl(status: &str, expires_at: i64, max_expires_at: i64) -> i64 {
    if status == ACTIVE {
        ((max_expires_at - expires_at) / 1000).max(0)
    } else {
        0
    }
}

/// The new `expires_at` of a renewal by `ttl` seconds, or why it is refused.
pub fn renewal(status: &str, expires_at: i64, max_expires_at: i64, ttl: i64, now: i64) -> Result<i64, AppError> {
    if status != ACTIVE || expires_at <= now {
        let state = if status == ACTIVE { EXPIRED } else { status };
        return Err(AppError::conflict(format!("Only an active lease can be renewed; this one is {state}.")));
    }
    let available = available_ttl(status, expires_at, max_expires_at);
    if available == 0 {
        return Err(AppError::new(400, "ttl_exceeds_available", "This lease cannot be renewed any further."));
    }
    if ttl < 1 {
        return Err(AppError::bad_request("ttl must be at least 1 second."));
    }
    if ttl > available {
        return Err(AppError::new(
            400,
            "ttl_exceeds_available",
            format!("The available TTL is {available} seconds; {ttl} is more than that."),
        ));
    }
    Ok(expires_at + ttl * 1000)
}

/// Delay before retry number `attempt` (1-based) of a failed revocation:
/// 1 s, 2 s, 4 s … capped at 5 min, then ±20 % jitter (`jitter` in [0, 1))
/// so replicas that failed together do not retry together.
pub fn backoff_ms(attempt: i32, jitter: f64) -> i64 {
    let exp = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(20);
    let base = (BACKOFF_BASE_MS << exp).min(BACKOFF_CAP_MS);
    #[allow(clippy::cast_possible_truncation)]
    let spread = (base as f64 * 0.4 * (jitter.clamp(0.0, 1.0) - 0.5)) as i64;
    base + spread
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn ttl_bounds_name_the_bound() {
        assert!(check_ttls(60, 3600, 86_400).is_ok());
        assert!(check_ttls(3600, 3600, 3600).is_ok());
        assert!(check_ttls(0, 10, 100).unwrap_err().message.contains("at least 1"));
        assert!(check_ttls(20, 10, 100).unwrap_err().message.contains("must not exceed max_ttl (10 s)"));
        assert!(check_ttls(1, 101, 100).unwrap_err().message.contains("maximum of 100 seconds"));
        assert_eq!(lease_ttl(None, 60, 100).unwrap(), 60);
        assert_eq!(lease_ttl(Some(100), 60, 100).unwrap(), 100);
        assert!(lease_ttl(Some(101), 60, 100).unwrap_err().message.contains("Max TTL of 100"));
        assert!(lease_ttl(Some(0), 60, 100).is_err());
        assert!(lease_ttl(Some(-5), 60, 100).is_err());
    }

    #[test]
    fn renewal_extends_up_to_the_snapshot() {
        let (exp, max, now) = (H, 3 * H, H / 2);
        assert_eq!(available_ttl(ACTIVE, exp, max), 7200);
        assert_eq!(renewal(ACTIVE, exp, max, 3600, now).unwrap(), 2 * H);
        assert_eq!(renewal(ACTIVE, exp, max, 7200, now).unwrap(), max);
        let over = renewal(ACTIVE, exp, max, 7201, now).unwrap_err();
        assert_eq!((over.status, over.code.as_str()), (400, "ttl_exceeds_available"));
        assert!(over.message.contains("available TTL is 7200 seconds"));
        let spent = renewal(ACTIVE, max, max, 1, now).unwrap_err();
        assert!(spent.message.contains("cannot be renewed any further"));
        assert!(renewal(ACTIVE, exp, max, 0, now).is_err());
        assert_eq!(renewal(ACTIVE, exp, max, 10, exp).unwrap_err().status, 409, "due is expired");
        for s in [CREATING, REVOKING, REVOKED, EXPIRED, FAILED] {
            assert_eq!(renewal(s, exp, max, 10, now).unwrap_err().status, 409);
            assert_eq!(available_ttl(s, exp, max), 0);
        }
    }

    #[test]
    fn states_and_reasons() {
        assert!(is_terminal(REVOKED) && is_terminal(EXPIRED) && is_terminal(FAILED));
        assert!(!is_terminal(REVOKING) && !is_terminal(CREATING) && !is_terminal(ACTIVE));
        assert_eq!(Reason::terminal_status(Some("expired")), EXPIRED);
        assert_eq!(Reason::terminal_status(Some("manual")), REVOKED);
        assert_eq!(Reason::terminal_status(Some("secret_deleted")), REVOKED);
    }

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        assert_eq!(backoff_ms(1, 0.5), 1_000);
        assert_eq!(backoff_ms(2, 0.5), 2_000);
        assert_eq!(backoff_ms(4, 0.5), 8_000);
        assert_eq!(backoff_ms(30, 0.5), 300_000);
        assert_eq!(backoff_ms(1, 0.0), 800);
        assert_eq!(backoff_ms(1, 0.999), 1_199);
        assert_eq!(backoff_ms(i32::MAX, 1.0), 360_000);
    }
}

//! Wire types shared by the server, the REST API and the browser.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::AppError;

mod dynamic;
pub use dynamic::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub instance_admin: bool,
}

/// Defines a lower-case string enum with parsing that names the allowed values.
macro_rules! word_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = AppError;
            fn from_str(s: &str) -> Result<Self, AppError> {
                match s { $($text => Ok($name::$variant),)+
                    _ => Err(AppError::bad_request(format!(
                        concat!($what, " must be one of: {}."),
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}

word_enum!(Plan, "plan", { Free => "free", Pro => "pro", Enterprise => "enterprise" });
word_enum!(Role, "role", { Owner => "owner", Admin => "admin", Developer => "developer", Viewer => "viewer" });

impl Role {
    /// Owners and admins manage members, apps, SSE and dynamic secrets.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Everyone but viewers issues leases and renews or revokes their own.
    pub fn can_lease(self) -> bool {
        self != Role::Viewer
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgDto {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    /// The caller's role; `None` for instance admins looking at an org they are not in.
    pub role: Option<Role>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDto {
    pub user: UserDto,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentDto {
    pub id: String,
    pub name: String,
    pub slug: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDto {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub sse_enabled: bool,
    pub environments: Vec<EnvironmentDto>,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDto {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDto {
    pub token: String,
    pub expires_at: String,
    pub user: UserDto,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_bad_words_name_the_choices() {
        for p in Plan::ALL {
            assert_eq!(p.as_str().parse::<Plan>(), Ok(*p));
        }
        let err = "platinum".parse::<Plan>().unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(err.message, "plan must be one of: free, pro, enterprise.");
        assert!("Owner".parse::<Role>().is_err());
        assert!(Role::Admin.can_manage() && !Role::Developer.can_manage());
    }
}

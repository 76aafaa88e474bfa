//! Table models (see migrations/). Times are Unix milliseconds.
#![allow(clippy::upper_case_acronyms)]

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod users {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub email: String,
        pub name: String,
        pub password_hash: String,
        pub instance_admin: bool,
        pub created_at: i64,
    }
    no_relations!();
}

pub mod sessions {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub user_id: String,
        pub token_hash: String,
        pub created_at: i64,
        pub expires_at: i64,
    }
    no_relations!();
}

pub mod orgs {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "orgs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub name: String,
        pub plan: String,
        pub created_at: i64,
    }
    no_relations!();
}

pub mod memberships {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "memberships")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: String,
        pub role: String,
        pub created_at: i64,
    }
    no_relations!();
}

pub mod apps {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "apps")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub org_id: String,
        pub name: String,
        /// The app's data key wrapped by the master key; `None` while SSE is off.
        pub wrapped_key: Option<Vec<u8>>,
        pub created_at: i64,
        /// Set when the app is deleted; the row goes once its leases are all terminal.
        pub deleted_at: Option<i64>,
    }
    no_relations!();
}

pub mod environments {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "environments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub app_id: String,
        pub name: String,
        pub slug: String,
        pub position: i32,
    }
    no_relations!();
}

pub mod audit_events {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: String,
        pub at: i64,
        pub actor_id: Option<String>,
        pub actor_name: String,
        pub action: String,
        pub target: String,
        pub detail: String,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
    }
    no_relations!();
}

pub mod dynamic_secrets {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dynamic_secrets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub app_id: String,
        pub environment_id: String,
        pub name: String,
        pub description: String,
        pub provider: String,
        /// The provider config as JSON, sealed with the app key (context: the secret's id).
        pub config_sealed: Vec<u8>,
        pub default_ttl: i64,
        pub max_ttl: i64,
        /// JSON object: provider output id -> environment key name.
        pub outputs: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub deleted_at: Option<i64>,
    }
    no_relations!();
}

pub mod leases {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "leases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub dynamic_secret_id: String,
        pub app_id: String,
        pub environment_id: String,
        pub name: String,
        pub status: String,
        /// What revocation needs (e.g. the username), sealed with the app key (context: the lease's id).
        pub handle_sealed: Vec<u8>,
        pub owner_kind: String,
        pub owner_id: String,
        pub owner_name: String,
        pub created_at: i64,
        pub expires_at: i64,
        pub max_expires_at: i64,
        pub revoked_at: Option<i64>,
        pub revoke_reason: Option<String>,
        pub attempts: i32,
        /// For `creating` and `revoking` rows: when the worker may next act on it.
        pub next_attempt_at: Option<i64>,
        pub last_error: Option<String>,
    }
    no_relations!();
}

pub mod lease_events {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "lease_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub lease_id: String,
        pub kind: String,
        pub at: i64,
        pub actor: String,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        /// JSON object with the event's particulars.
        pub detail: String,
    }
    no_relations!();
}

pub mod service_tokens {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub app_id: String,
        pub environment_id: String,
        pub name: String,
        pub token_hash: String,
        pub created_by: String,
        pub created_at: i64,
        pub expires_at: Option<i64>,
    }
    no_relations!();
}

//! Dynamic secrets: a provider config in one environment, from which leases
//! are issued. Managers configure them; every member reads them.
use std::collections::BTreeMap;
use std::time::Duration;

use app::dto::{DynamicSecretDto, DynamicSecretInput, Plan, ProviderDto, Role};
use app::error::AppError;
use app::ports::Caller;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use super::{new_id, parse_id, require_manager, Services};
use crate::clock::rfc3339;
use crate::crypto::AppKey;
use crate::db::entities::{apps, dynamic_secrets, environments, leases, orgs};
use crate::domain::Name;
use crate::error::{Result, ServerError};
use crate::lifecycle::{self, Reason};
use crate::providers::{check_change, check_config, Provider, ProviderConfig, ProviderError};

/// Bound on every provider call, so a hung service never hangs a request.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);
const DEFAULT_TTL: i64 = 3600;
const DEFAULT_MAX_TTL: i64 = 86_400;
const MAX_DESCRIPTION: usize = 1000;
const MAX_KEY: usize = 64;

/// A dynamic secret with everything the gates need.
pub(crate) struct SecretScope {
    pub secret: dynamic_secrets::Model,
    pub app: apps::Model,
    pub org: orgs::Model,
    /// The caller's role; `None` for a service token.
    pub role: Option<Role>,
}

pub(crate) fn require_enterprise(org: &orgs::Model) -> Result<()> {
    if org.plan.parse::<Plan>()? == Plan::Enterprise {
        Ok(())
    } else {
        Err(AppError::requires_enterprise().into())
    }
}

/// Runs a provider call under [`PROVIDER_TIMEOUT`].
pub(crate) async fn bounded<T>(
    call: impl std::future::Future<Output = Result<T, ProviderError>>,
) -> Result<T, ProviderError> {
    tokio::time::timeout(PROVIDER_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| Err(ProviderError::unreachable("The provider did not answer within 15 seconds.")))
}

fn sealing_context(secret_id: &str) -> String {
    format!("dynamic_secret:{secret_id}")
}

/// An environment key name: `^[A-Z_][A-Z0-9_]*$`, at most 64 characters.
fn check_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY
        && key.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        let shown: String = key.chars().take(MAX_KEY).collect();
        Err(AppError::bad_request(format!(
            "The key name {shown:?} is not valid: use A-Z, 0-9 and _, not starting with a digit, at most {MAX_KEY} characters."
        ))
        .into())
    }
}

impl Services {
    pub fn providers(&self) -> Vec<ProviderDto> {
        self.providers.describe()
    }

    /// An environment of a live app in an org the caller belongs to.
    pub(crate) async fn env_for(
        &self,
        c: &Caller,
        env_id: &str,
    ) -> Result<(environments::Model, apps::Model, orgs::Model, Role)> {
        let id = parse_id(env_id, "environment")?;
        let nf = || AppError::not_found("environment");
        let env = environments::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(nf)?;
        let app = apps::Entity::find_by_id(env.app_id.clone())
            .filter(apps::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or_else(nf)?;
        let (org, role) = self.org_for(c, &app.org_id).await.map_err(|_| nf())?;
        Ok((env, app, org, role))
    }

    /// A live dynamic secret, if the caller may see it.
    pub(crate) async fn secret_for(&self, c: &Caller, id: &str) -> Result<SecretScope> {
        let id = parse_id(id, "dynamic secret")?;
        let nf = || AppError::not_found("dynamic secret");
        let secret = dynamic_secrets::Entity::find_by_id(id)
            .filter(dynamic_secrets::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or_else(nf)?;
        let (_, app, org, role) = self.env_for(c, &secret.environment_id).await.map_err(|_| nf())?;
        Ok(SecretScope { secret, app, org, role: Some(role) })
    }

    pub(crate) fn open_config(&self, key: &AppKey, s: &dynamic_secrets::Model) -> Result<ProviderConfig> {
        let bytes = key.open(&s.config_sealed, &sealing_context(&s.id))?;
        ProviderConfig::from_json(&bytes).ok_or_else(|| ServerError::Internal(format!("config of {} is corrupt", s.id)))
    }

    async fn secret_dto(&self, key: &AppKey, s: &dynamic_secrets::Model) -> Result<DynamicSecretDto> {
        let provider = self.providers.get(&s.provider)?;
        let config = self.open_config(key, s)?;
        let active = leases::Entity::find()
            .filter(leases::Column::DynamicSecretId.eq(&s.id))
            .filter(leases::Column::Status.is_in(lifecycle::LIVE))
            .count(&self.db)
            .await?;
        Ok(DynamicSecretDto {
            id: s.id.clone(),
            environment_id: s.environment_id.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            provider: s.provider.clone(),
            config: config.public_view(provider.fields()),
            default_ttl: s.default_ttl,
            max_ttl: s.max_ttl,
            outputs: serde_json::from_str(&s.outputs).unwrap_or_default(),
            active_leases: active,
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
        })
    }

    pub async fn list_dynamic_secrets(&self, c: &Caller, env_id: &str) -> Result<Vec<DynamicSecretDto>> {
        let (env, app, _, _) = self.env_for(c, env_id).await?;
        let rows = dynamic_secrets::Entity::find()
            .filter(dynamic_secrets::Column::EnvironmentId.eq(&env.id))
            .filter(dynamic_secrets::Column::DeletedAt.is_null())
            .order_by_asc(dynamic_secrets::Column::Name)
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let key = self.app_key(&app).await?;
        let mut out = Vec::with_capacity(rows.len());
        for s in &rows {
            out.push(self.secret_dto(&key, s).await?);
        }
        Ok(out)
    }

    pub async fn get_dynamic_secret(&self, c: &Caller, id: &str) -> Result<DynamicSecretDto> {
        let scope = self.secret_for(c, id).await?;
        let key = self.app_key(&scope.app).await?;
        self.secret_dto(&key, &scope.secret).await
    }

    pub async fn create_dynamic_secret(
        &self,
        c: &Caller,
        env_id: &str,
        input: DynamicSecretInput,
        now: i64,
    ) -> Result<DynamicSecretDto> {
        let (env, app, org, role) = self.env_for(c, env_id).await?;
        require_manager(role)?;
        require_enterprise(&org)?;
        let key = self.app_key(&app).await?;
        let provider = self.providers.get(input.provider.as_deref().unwrap_or_default())?;
        let name = Name::parse(input.name.as_deref().unwrap_or_default(), "secret name")?;
        let description = check_description(input.description.as_deref().unwrap_or_default())?;
        let (default_ttl, max_ttl) =
            (input.default_ttl.unwrap_or(DEFAULT_TTL), input.max_ttl.unwrap_or(DEFAULT_MAX_TTL));
        lifecycle::check_ttls(default_ttl, max_ttl, self.max_ttl_secs)?;
        let raw = input.config.ok_or_else(|| AppError::bad_request("config is required."))?;
        let config = check_config(provider.fields(), &raw, None)?;
        provider.check(&config).map_err(AppError::bad_request)?;
        let outputs = check_outputs(provider.as_ref(), input.outputs.as_ref(), None)?;
        self.check_unique_in_env(&env.id, None, name.as_str(), &outputs).await?;
        verify(provider.as_ref(), &config).await?;

        let id = new_id();
        let tx = self.db.begin().await?;
        let row = dynamic_secrets::ActiveModel {
            id: Set(id.clone()),
            app_id: Set(app.id.clone()),
            environment_id: Set(env.id.clone()),
            name: Set(name.as_str().to_string()),
            description: Set(description),
            provider: Set(provider.kind().to_string()),
            config_sealed: Set(key.seal(&config.to_json(), &sealing_context(&id))),
            default_ttl: Set(default_ttl),
            max_ttl: Set(max_ttl),
            outputs: Set(serde_json::to_string(&outputs).unwrap_or_default()),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
        .insert(&tx)
        .await?;
        self.hold_app_key(&tx, &app).await?;
        let detail = format!("{} in {} / {}; id {id}", provider.name(), app.name, env.name);
        self.audit(&tx, c, &org.id, "dynamic_secret.created", &row.name, &detail).await?;
        tx.commit().await?;
        self.secret_dto(&key, &row).await
    }

    pub async fn update_dynamic_secret(
        &self,
        c: &Caller,
        id: &str,
        input: DynamicSecretInput,
        now: i64,
    ) -> Result<DynamicSecretDto> {
        let SecretScope { secret, app, org, role } = self.secret_for(c, id).await?;
        require_manager(role.unwrap_or(Role::Viewer))?;
        require_enterprise(&org)?;
        let key = self.app_key(&app).await?;
        let provider = self.providers.get(&secret.provider)?;
        if input.provider.as_deref().is_some_and(|p| p != secret.provider) {
            return Err(AppError::bad_request("The provider of a dynamic secret cannot be changed.").into());
        }
        let name = match &input.name {
            Some(n) => Name::parse(n, "secret name")?.as_str().to_string(),
            None => secret.name.clone(),
        };
        let description = match &input.description {
            Some(d) => check_description(d)?,
            None => secret.description.clone(),
        };
        let default_ttl = input.default_ttl.unwrap_or(secret.default_ttl);
        let max_ttl = input.max_ttl.unwrap_or(secret.max_ttl);
        lifecycle::check_ttls(default_ttl, max_ttl, self.max_ttl_secs)?;
        let current: BTreeMap<String, String> = serde_json::from_str(&secret.outputs).unwrap_or_default();
        let outputs = check_outputs(provider.as_ref(), input.outputs.as_ref(), Some(&current))?;
        self.check_unique_in_env(&secret.environment_id, Some(&secret.id), &name, &outputs).await?;
        let old_config = self.open_config(&key, &secret)?;
        let config = match &input.config {
            Some(raw) => {
                let config = check_config(provider.fields(), raw, Some(&old_config))?;
                provider.check(&config).map_err(AppError::bad_request)?;
                if check_change(provider.fields(), &old_config, &config, raw)? {
                    let unfinished = leases::Entity::find()
                        .filter(leases::Column::DynamicSecretId.eq(&secret.id))
                        .filter(leases::Column::Status.is_in(lifecycle::UNFINISHED))
                        .count(&self.db)
                        .await?;
                    if unfinished > 0 {
                        return Err(AppError::conflict(format!(
                            "This dynamic secret has {unfinished} unfinished lease(s), which must be revoked where \
                             they were made: revoke them before moving it, or create a new dynamic secret."
                        ))
                        .into());
                    }
                }
                verify(provider.as_ref(), &config).await?;
                config
            }
            None => old_config,
        };

        let mut changed: Vec<&str> = vec![];
        for (field, differs) in [
            ("name", name != secret.name),
            ("description", description != secret.description),
            ("config", input.config.is_some()),
            ("default_ttl", default_ttl != secret.default_ttl),
            ("max_ttl", max_ttl != secret.max_ttl),
            ("outputs", outputs != current),
        ] {
            if differs {
                changed.push(field);
            }
        }
        let tx = self.db.begin().await?;
        let (org_id, secret_id) = (org.id.clone(), secret.id.clone());
        let mut row = secret.into_active_model();
        row.name = Set(name);
        row.description = Set(description);
        row.config_sealed = Set(key.seal(&config.to_json(), &sealing_context(&secret_id)));
        row.default_ttl = Set(default_ttl);
        row.max_ttl = Set(max_ttl);
        row.outputs = Set(serde_json::to_string(&outputs).unwrap_or_default());
        row.updated_at = Set(now);
        let row = row.update(&tx).await?;
        let detail = format!(
            "changed: {}; id {}",
            if changed.is_empty() { "nothing".into() } else { changed.join(", ") },
            row.id
        );
        self.audit(&tx, c, &org_id, "dynamic_secret.updated", &row.name, &detail).await?;
        tx.commit().await?;
        self.secret_dto(&key, &row).await
    }

    /// Without `revoke_leases`, refused (409) while leases are active. With it,
    /// every active lease goes to `revoking`; the worker revokes them, and the
    /// row (with the root credentials revocation needs) stays until they are done.
    pub async fn delete_dynamic_secret(&self, c: &Caller, id: &str, revoke_leases: bool, now: i64) -> Result<()> {
        let SecretScope { secret, org, role, .. } = self.secret_for(c, id).await?;
        require_manager(role.unwrap_or(Role::Viewer))?;
        let active = leases::Entity::find()
            .filter(leases::Column::DynamicSecretId.eq(&secret.id))
            .filter(leases::Column::Status.is_in(lifecycle::LIVE))
            .count(&self.db)
            .await?;
        if active > 0 && !revoke_leases {
            return Err(AppError::new(
                409,
                "active_leases",
                format!(
                    "This dynamic secret has {active} active lease(s). Revoke them to delete it (revoke_leases=true)."
                ),
            )
            .into());
        }
        let tx = self.db.begin().await?;
        dynamic_secrets::Entity::update_many()
            .col_expr(dynamic_secrets::Column::DeletedAt, Expr::value(now))
            .filter(dynamic_secrets::Column::Id.eq(&secret.id))
            .exec(&tx)
            .await?;
        let detail = format!("id {}; {active} active lease(s) revoked", secret.id);
        self.audit(&tx, c, &org.id, "dynamic_secret.deleted", &secret.name, &detail).await?;
        tx.commit().await?;
        let actor = super::principal::Principal::User(c.clone()).actor();
        self.request_revocations(leases::Column::DynamicSecretId, &secret.id, Reason::SecretDeleted, &actor, now)
            .await?;
        Ok(())
    }

    /// A name and key names no other live dynamic secret of the environment uses.
    async fn check_unique_in_env(
        &self,
        env_id: &str,
        except: Option<&str>,
        name: &str,
        outputs: &BTreeMap<String, String>,
    ) -> Result<()> {
        let others = dynamic_secrets::Entity::find()
            .filter(dynamic_secrets::Column::EnvironmentId.eq(env_id))
            .filter(dynamic_secrets::Column::DeletedAt.is_null())
            .all(&self.db)
            .await?;
        for other in others.iter().filter(|o| Some(o.id.as_str()) != except) {
            if other.name == name {
                return Err(AppError::conflict(format!("A dynamic secret named {name:?} already exists here.")).into());
            }
            let theirs: BTreeMap<String, String> = serde_json::from_str(&other.outputs).unwrap_or_default();
            if let Some(key) = outputs.values().find(|k| theirs.values().any(|t| t == *k)) {
                return Err(AppError::conflict(format!(
                    "The key {key} is already used by the dynamic secret {:?} in this environment.",
                    other.name
                ))
                .into());
            }
        }
        Ok(())
    }
}

fn check_description(d: &str) -> Result<String> {
    let d = d.trim();
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(
            AppError::bad_request(format!("The description may have at most {MAX_DESCRIPTION} characters.")).into()
        );
    }
    if d.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::bad_request("The description cannot contain control characters.").into());
    }
    Ok(d.to_string())
}

/// Every provider output mapped to a distinct, valid key name: the given map
/// over the current one (or the provider's defaults).
fn check_outputs(
    provider: &dyn Provider,
    given: Option<&BTreeMap<String, String>>,
    current: Option<&BTreeMap<String, String>>,
) -> Result<BTreeMap<String, String>> {
    let mut out: BTreeMap<String, String> = match current {
        Some(c) => c.clone(),
        None => provider.outputs().iter().map(|o| (o.id.to_string(), o.default_key.to_string())).collect(),
    };
    for (id, key) in given.into_iter().flatten() {
        if !provider.outputs().iter().any(|o| o.id == id) {
            let ids: Vec<&str> = provider.outputs().iter().map(|o| o.id).collect();
            let shown: String = id.chars().take(MAX_KEY).collect();
            return Err(AppError::bad_request(format!(
                "outputs has no {shown:?}; the outputs are: {}.",
                ids.join(", ")
            ))
            .into());
        }
        check_key(key)?;
        out.insert(id.clone(), key.clone());
    }
    let mut keys: Vec<&String> = out.values().collect();
    keys.sort();
    if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
        return Err(AppError::bad_request(format!("The key {} is used for two outputs.", w[0])).into());
    }
    Ok(out)
}

/// The provider's answer to a config, as a 422 the caller can act on.
async fn verify(provider: &dyn Provider, config: &ProviderConfig) -> Result<()> {
    bounded(provider.verify(config)).await.map_err(|e| {
        AppError::new(422, "provider_rejected", format!("The connection check failed: {}", e.message)).into()
    })
}

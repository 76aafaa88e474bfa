//! A dynamic secret: its card in an environment's list, and its own page
//! with the leases table.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::app::AppHead;
use super::param;
use crate::api::{load_secret, SecretPage};
use crate::components::Loaded;
use crate::dto::{AppDto, DynamicSecretDto, EnvironmentDto, Plan, ProviderDto, Role};
use crate::dynamic::{human_secs, ConfigureSecret, DeleteSecret, GenerateLease, LeasesTable};

/// What the caller may do with the secrets of a page (the server checks again).
#[derive(Clone, Copy)]
pub struct SecretView {
    pub role: Role,
    pub enterprise: bool,
    pub sse: bool,
}

impl SecretView {
    fn can_generate(self) -> bool {
        self.role.can_lease() && self.enterprise && self.sse
    }
    fn can_configure(self) -> bool {
        self.role.can_manage() && self.enterprise && self.sse
    }
}

fn secret_href(app: &AppDto, s: &DynamicSecretDto) -> String {
    format!("/apps/{}/secrets/{}", app.id, s.id)
}

/// Generate, Configure and Delete, as the caller's role allows.
#[component]
fn SecretActions(
    secret: DynamicSecretDto,
    provider: Option<ProviderDto>,
    view_of: SecretView,
    back: String,
) -> impl IntoView {
    let s = secret;
    view! {
        {view_of.can_generate().then(|| view! {
            <GenerateLease secret_id=s.id.clone() secret_name=s.name.clone() default_ttl=s.default_ttl max_ttl=s.max_ttl/>
        })}
        {provider.filter(|_| view_of.can_configure()).map(|p| view! { <ConfigureSecret secret=s.clone() provider=p/> })}
        {view_of.role.can_manage().then(|| view! {
            <DeleteSecret secret_id=s.id.clone() name=s.name.clone() keys=s.outputs.values().cloned().collect()
                active_leases=s.active_leases back=back.clone()/>
        })}
    }
}

/// Provider, keys, TTLs and lease count of a secret.
#[component]
fn SecretFacts(secret: DynamicSecretDto, provider_name: String) -> impl IntoView {
    view! {
        <div class="keys" role="group" aria-label="Keys">
            {secret.outputs.values().map(|k| view! { <code class="key-chip">{k.clone()}</code> }).collect_view()}
        </div>
        <dl class="inline-facts">
            <div><dt>"Provider"</dt><dd>{provider_name}</dd></div>
            <div><dt>"Default TTL"</dt><dd>{human_secs(secret.default_ttl)}</dd></div>
            <div><dt>"Max TTL"</dt><dd>{human_secs(secret.max_ttl)}</dd></div>
            <div><dt>"Active leases"</dt><dd>{secret.active_leases}</dd></div>
        </dl>
    }
}

#[component]
pub fn SecretCard(
    app: AppDto,
    env: EnvironmentDto,
    secret: DynamicSecretDto,
    provider: Option<ProviderDto>,
    view_of: SecretView,
) -> impl IntoView {
    let provider_name = provider.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| secret.provider.clone());
    let href = secret_href(&app, &secret);
    let back = format!("/apps/{}?env={}", app.id, env.slug);
    view! {
        <li class="card secret" aria-label=format!("Dynamic secret {}", secret.name)>
            <div class="secret-head">
                <a class="secret-name" href=href.clone()>{secret.name.clone()}</a>
                <span class="badge dynamic">"Dynamic"</span>
            </div>
            {(!secret.description.is_empty()).then(|| view! { <p class="muted">{secret.description.clone()}</p> })}
            <SecretFacts secret=secret.clone() provider_name/>
            <div class="secret-actions">
                <SecretActions secret=secret.clone() provider view_of back/>
                <a class="button small" href=href aria-label=format!("Leases of {}", secret.name)>"Leases"</a>
            </div>
        </li>
    }
}

#[component]
pub fn SecretLeasesPage() -> impl IntoView {
    let (app_id, secret_id) = (param("app_id"), param("secret_id"));
    let query = use_query_map();
    let all = Memo::new(move |_| query.read().get("status").as_deref() == Some("all"));
    let page = Resource::new(move || (app_id.get(), secret_id.get(), all.get()), |(a, s, all)| load_secret(a, s, all));
    view! {
        <Loaded res=page render=move |p: SecretPage| {
            let role = p.org.role.unwrap_or(Role::Viewer);
            let enterprise = p.org.plan == Plan::Enterprise;
            let view_of = SecretView { role, enterprise, sse: p.app.sse_enabled };
            let env_href = format!("/apps/{}?env={}", p.app.id, p.env.slug);
            let here = secret_href(&p.app, &p.secret);
            let s = p.secret.clone();
            let filters = [("Active", here.clone(), !p.all), ("All, including past", format!("{here}?status=all"), p.all)];
            view! {
                <Title text=format!("{} · {}", p.secret.name, p.app.name)/>
                <AppHead org=p.org.clone() app=p.app.clone() current=p.env.slug.clone()/>
                <p><a href=env_href.clone()>{format!("← All secrets in {}", p.env.name)}</a></p>
                <section class="card secret-detail" aria-labelledby="secret-title">
                    <div class="secret-head">
                        <h2 id="secret-title">{s.name.clone()}</h2>
                        <span class="badge dynamic">"Dynamic"</span>
                    </div>
                    {(!s.description.is_empty()).then(|| view! { <p class="muted">{s.description.clone()}</p> })}
                    <SecretFacts secret=s.clone() provider_name=p.provider.name.clone()/>
                    <div class="secret-actions">
                        <SecretActions secret=s.clone() provider=Some(p.provider.clone()) view_of back=env_href/>
                    </div>
                </section>
                <section aria-labelledby="leases-title">
                    <div class="section-head">
                        <h2 id="leases-title">"Leases"</h2>
                        <nav class="filter" aria-label="Which leases">
                            {filters.into_iter().map(|(label, href, cur)| view! {
                                <a href=href aria-current=cur.then_some("page")>{label}</a>
                            }).collect_view()}
                        </nav>
                    </div>
                    {if p.leases.is_empty() {
                        let what = if p.all { "No leases yet." } else { "No active leases." };
                        view! { <p class="empty">{what}</p> }.into_any()
                    } else {
                        view! {
                            <LeasesTable leases=p.leases.clone() me=p.me.clone() manage=role.can_manage()
                                can_lease=role.can_lease() enterprise/>
                        }.into_any()
                    }}
                </section>
            }
        }/>
    }
}

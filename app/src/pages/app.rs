//! An app: its environments with their secrets, and its settings (server-side encryption, deletion).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::param;
use super::secret::{SecretCard, SecretView};
use crate::api::{load_app, load_env, AppPage, EnvPage};
use crate::components::{Loaded, UpgradeNotice};
use crate::dto::{AppDto, OrgDto, Plan, Role};
use crate::dynamic::NewSecretMenu;
use crate::islands::{DeleteAppForm, SseSwitch};

/// Breadcrumbs and tabs shared by the app's pages; `current` is an environment slug or "settings".
#[component]
pub(super) fn AppHead(org: OrgDto, app: AppDto, current: String) -> impl IntoView {
    let tabs = app
        .environments
        .iter()
        .map(|e| (e.slug.clone(), e.name.clone(), format!("/apps/{}?env={}", app.id, e.slug)))
        .chain([("settings".to_string(), "Settings".to_string(), format!("/apps/{}/settings", app.id))]);
    view! {
        <nav class="crumbs" aria-label="Breadcrumbs">
            <a href=format!("/orgs/{}", org.id)>{org.name.clone()}</a>
            " / "
            <span>{app.name.clone()}</span>
        </nav>
        <div class="org-head">
            <h1>{app.name.clone()}</h1>
            {if app.sse_enabled {
                view! { <span class="badge ok">"SSE on"</span> }.into_any()
            } else {
                view! { <span class="badge off">"SSE off"</span> }.into_any()
            }}
            <span class="mono muted">{app.id.clone()}</span>
        </div>
        <nav class="tabs" aria-label="App sections">
            {tabs.map(|(slug, name, href)| {
                let cur = (slug == current).then_some("page");
                view! { <a href=href aria-current=cur>{name}</a> }
            }).collect_view()}
        </nav>
    }
}

#[component]
pub fn AppOverviewPage() -> impl IntoView {
    let app_id = param("app_id");
    let query = use_query_map();
    let env = Memo::new(move |_| query.read().get("env").unwrap_or_else(|| "development".into()));
    let page = Resource::new(move || (app_id.get(), env.get()), |(app, env)| load_env(app, env));
    view! {
        <Loaded res=page render=move |p: EnvPage| {
            let role = p.org.role.unwrap_or(Role::Viewer);
            let enterprise = p.org.plan == Plan::Enterprise;
            let settings = format!("/apps/{}/settings", p.app.id);
            let env_name = p.env.name.clone();
            let view_of = SecretView { role, enterprise, sse: p.app.sse_enabled };
            view! {
                <Title text=format!("{} · {}", p.app.name, env_name)/>
                <AppHead org=p.org.clone() app=p.app.clone() current=p.env.slug.clone()/>
                <section aria-label=format!("Secrets in {env_name}")>
                    <div class="section-head">
                        <h2>"Secrets"</h2>
                        {role.can_manage().then(|| view! {
                            <NewSecretMenu env_id=p.env.id.clone() providers=p.providers.clone() enterprise
                                sse=p.app.sse_enabled settings_href=settings.clone()/>
                        })}
                    </div>
                    {(!enterprise).then(|| view! { <UpgradeNotice plan=p.org.plan/> })}
                    {(!p.app.sse_enabled).then(|| view! {
                        <div class="notice" role="note">
                            "Dynamic secrets need server-side encryption. Enable it in the app's "
                            <a href=settings.clone()>"Settings"</a>"."
                        </div>
                    })}
                    {if p.secrets.is_empty() {
                        view! { <p class="empty">{format!("No secrets in {env_name} yet.")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="secret-list">
                                {p.secrets.iter().map(|s| {
                                    let provider = p.providers.iter().find(|x| x.kind == s.provider).cloned();
                                    view! { <SecretCard app=p.app.clone() env=p.env.clone() secret=s.clone() provider view_of/> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
        }/>
    }
}

#[component]
pub fn AppSettingsPage() -> impl IntoView {
    let app_id = param("app_id");
    let page = Resource::new(move || app_id.get(), load_app);
    view! {
        <Loaded res=page render=move |p: AppPage| {
            let manage = p.org.role.is_some_and(|r| r.can_manage());
            let on = p.app.sse_enabled;
            let (app_id, app_name) = (p.app.id.clone(), p.app.name.clone());
            view! {
                <Title text=format!("Settings of {}", p.app.name)/>
                <AppHead org=p.org.clone() app=p.app.clone() current="settings".to_string()/>
                <section class="card" aria-labelledby="sse-title">
                    <h2 id="sse-title">"Server-side encryption"</h2>
                    <p class="hint">
                        "Encrypts this app's secret material with its own data key, wrapped by the instance master key. "
                        "Dynamic secrets require it. It cannot be switched off while anything depends on it."
                    </p>
                    <SseSwitch app_id=p.app.id.clone() on=on manage=manage/>
                    {(!manage).then(|| view! { <p class="hint">"Only owners and admins can change this."</p> })}
                </section>
                {manage.then(|| view! {
                    <section class="card danger-zone" aria-labelledby="delete-title">
                        <h2 id="delete-title">"Delete this app"</h2>
                        <p>
                            "Deletes " <strong>{app_name.clone()}</strong>
                            ", its environments development, staging and production, and everything in them. "
                            "This cannot be undone."
                        </p>
                        <DeleteAppForm app_id=app_id.clone() app_name=app_name.clone()/>
                    </section>
                })}
            }
        }/>
    }
}

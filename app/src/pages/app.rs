//! An app: its environments, and its settings (server-side encryption, deletion).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::param;
use crate::api::{load_app, AppPage};
use crate::components::{Loaded, UpgradeNotice};
use crate::dto::{AppDto, OrgDto, Plan};
use crate::islands::{DeleteAppForm, SseSwitch};

/// Breadcrumbs and tabs shared by the app's pages; `current` is an environment slug or "settings".
#[component]
fn AppHead(org: OrgDto, app: AppDto, current: String) -> impl IntoView {
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
    let page = Resource::new(move || app_id.get(), load_app);
    view! {
        <Loaded res=page render=move |p: AppPage| {
            let env_slug = env.get();
            let env_name = p.app.environments.iter().find(|e| e.slug == env_slug).map(|e| e.name.clone());
            let settings = format!("/apps/{}/settings", p.app.id);
            view! {
                <Title text=p.app.name.clone()/>
                <AppHead org=p.org.clone() app=p.app.clone() current=env_slug/>
                {match env_name {
                    None => view! { <p class="form-error" role="alert">"This app has no such environment."</p> }.into_any(),
                    Some(name) => view! {
                        <section aria-label=format!("Secrets in {name}")>
                            <h2>"Secrets"</h2>
                            {(p.org.plan != Plan::Enterprise).then(|| view! { <UpgradeNotice plan=p.org.plan/> })}
                            {(!p.app.sse_enabled).then(|| view! {
                                <div class="notice" role="note">
                                    "Dynamic secrets need server-side encryption. Enable it in the app's "
                                    <a href=settings.clone()>"Settings"</a>"."
                                </div>
                            })}
                            <p class="empty">{format!("No secrets in {name} yet.")}</p>
                        </section>
                    }.into_any(),
                }}
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

//! Pieces every page uses: the signed-in layout, loaders, notices, tabs.
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

use crate::api::{load_shell, Shell};
use crate::dto::{OrgDto, Plan};
use crate::error::AppError;

/// The signed-in frame: header with the org switcher, then the page.
#[component]
pub fn Layout() -> impl IntoView {
    let shell = Resource::new(|| (), |_| load_shell());
    provide_context(shell);
    view! {
        <Loaded res=shell render=move |s: Shell| {
            let admin = s.user.instance_admin;
            view! {
                <header class="topbar">
                    <a class="brand" href="/">"Leasehold"</a>
                    <OrgSwitcher orgs=s.orgs.clone()/>
                    <nav class="topnav" aria-label="Account">
                        <Show when=move || admin>
                            <a href="/admin">"Instance admin"</a>
                        </Show>
                        <span class="who" title=s.user.email.clone()>{s.user.name.clone()}</span>
                        <crate::islands::LogoutButton/>
                    </nav>
                </header>
            }
        }/>
        <main class="page">
            <Outlet/>
        </main>
    }
}

/// A disclosure listing the caller's orgs; plain links, so it works before hydration.
#[component]
fn OrgSwitcher(orgs: Vec<OrgDto>) -> impl IntoView {
    view! {
        <details class="switcher">
            <summary aria-label="Switch organisation">"Organisations"</summary>
            <ul>
                {orgs
                    .into_iter()
                    .map(|o| {
                        view! {
                            <li>
                                <a href=format!("/orgs/{}", o.id)>{o.name}</a>
                                <PlanBadge plan=o.plan/>
                            </li>
                        }
                    })
                    .collect_view()}
                <li>
                    <a href="/">"All organisations…"</a>
                </li>
            </ul>
        </details>
    }
}

/// Renders a page's data once loaded; sends signed-out callers to the log-in page.
#[component]
pub fn Loaded<T, V, F>(res: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {
                let render = render.clone();
                move || {
                    let render = render.clone();
                    Suspend::new(async move {
                        match res.await {
                            Ok(data) => render(data).into_any(),
                            Err(e) => view! { <ErrorView err=e/> }.into_any(),
                        }
                    })
                }
            }
        </Transition>
    }
}

/// Gives a server-rendered page the HTTP status of what it shows.
pub fn set_http_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(code)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
    {
        resp.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn ErrorView(err: AppError) -> impl IntoView {
    if err.status == 401 {
        return view! { <Redirect path="/login"/> }.into_any();
    }
    set_http_status(err.status);
    let title = match err.status {
        404 => "Not found",
        403 => "Not allowed",
        _ => "Something went wrong",
    };
    view! {
        <section class="error-page" role="alert">
            <h1>{title}</h1>
            <p>{err.message}</p>
            <p>
                <a href="/">"Back to your organisations"</a>
            </p>
        </section>
    }
    .into_any()
}

/// The outcome of the last submission of a form: its error, in words.
#[component]
pub fn FormError<T>(#[prop(into)] value: Signal<Option<Result<T, AppError>>>) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    move || {
        value.with(|v| match v {
            Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.message.clone()}</p> }),
            _ => None,
        })
    }
}

#[component]
pub fn PlanBadge(plan: Plan) -> impl IntoView {
    view! { <span class=format!("badge plan-{plan}")>{plan.as_str()}</span> }
}

/// Shown where an Enterprise-only feature would be.
#[component]
pub fn UpgradeNotice(plan: Plan) -> impl IntoView {
    view! {
        <div class="notice upgrade" role="note">
            <strong>"Dynamic secrets require the Enterprise plan."</strong>
            " This organisation is on the "
            {plan.as_str()}
            " plan; an instance administrator can upgrade it."
        </div>
    }
}

/// The org's section tabs.
#[component]
pub fn OrgTabs(org: OrgDto, current: &'static str) -> impl IntoView {
    let base = format!("/orgs/{}", org.id);
    let manager = org.role.is_some_and(|r| r.can_manage());
    let mut tabs = vec![("apps", "Apps", base.clone()), ("members", "Members", format!("{base}/members"))];
    if manager {
        tabs.push(("audit", "Audit log", format!("{base}/audit")));
    }
    view! {
        <div class="org-head">
            <h1>{org.name.clone()}</h1>
            <PlanBadge plan=org.plan/>
            {org.role.map(|r| view! { <span class="badge role">{r.as_str()}</span> })}
        </div>
        <nav class="tabs" aria-label="Organisation">
            {tabs
                .into_iter()
                .map(|(id, label, href)| {
                    let cur = (id == current).then_some("page");
                    view! { <a href=href aria-current=cur>{label}</a> }
                })
                .collect_view()}
        </nav>
    }
}

/// An RFC 3339 time as people read it in a table: `2026-11-26 14:40:39` (UTC).
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.replace('T', " ").trim_end_matches('Z').to_string()
}

/// A `<time>` element showing [`short_time`], with the exact value for machines.
#[component]
pub fn Time(at: String) -> impl IntoView {
    view! { <time class="nowrap" datetime=at.clone() title=format!("{at} (UTC)")>{short_time(&at)}</time> }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_time_drops_the_t_and_z() {
        assert_eq!(super::short_time("2026-11-26T14:40:39Z"), "2026-11-26 14:40:39");
    }
}

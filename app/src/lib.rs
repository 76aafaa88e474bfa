//! The Leasehold console: shared types, the UI, and the server functions it calls.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod dto;
mod dynamic;
pub mod error;
mod islands;
mod pages;
#[cfg(feature = "ssr")]
pub mod ports;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use components::Layout;
use pages::*;

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="data:,"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The document title. leptos_meta writes the server-side `<title>` without
/// escaping, so a name like `</title><script>…` would inject markup: escape it
/// there. In the browser the title is set through the DOM and needs none.
fn page_title(t: String) -> String {
    let t = if t.is_empty() { "Leasehold".to_string() } else { format!("{t} · Leasehold") };
    #[cfg(feature = "ssr")]
    let t = t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    t
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/leasehold.css"/>
        <Title formatter=page_title/>
        <islands::HydrationMarker/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/orgs/:org_id") view=OrgAppsPage ssr=SsrMode::Async/>
                    <Route path=path!("/orgs/:org_id/members") view=MembersPage ssr=SsrMode::Async/>
                    <Route path=path!("/orgs/:org_id/audit") view=AuditLogPage ssr=SsrMode::Async/>
                    <Route path=path!("/apps/:app_id") view=AppOverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/apps/:app_id/settings") view=AppSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/apps/:app_id/secrets/:secret_id") view=SecretLeasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

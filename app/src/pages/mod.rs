//! One module per screen.
mod admin;
mod app;
mod audit;
mod auth;
mod home;
mod members;
mod org;
mod secret;

pub use admin::AdminPage;
pub use app::{AppOverviewPage, AppSettingsPage};
pub use audit::AuditLogPage;
pub use auth::{LoginPage, SignupPage};
pub use home::HomePage;
pub use members::MembersPage;
pub use org::OrgAppsPage;
pub use secret::SecretLeasesPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A route parameter as a reactive string ("" when absent).
pub(crate) fn param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

#[component]
pub fn NotFound() -> impl IntoView {
    crate::components::set_http_status(404);
    view! {
        <main class="page">
            <section class="error-page" role="alert">
                <h1>"Not found"</h1>
                <p>"There is nothing at this address."</p>
                <p>
                    <a href="/">"Back to your organisations"</a>
                </p>
            </section>
        </main>
    }
}

//! The caller's organisations, and creating one.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::Shell;
use crate::components::{Loaded, PlanBadge};
use crate::error::AppError;
use crate::islands::CreateOrgForm;

#[component]
pub fn HomePage() -> impl IntoView {
    let shell = expect_context::<Resource<Result<Shell, AppError>>>();
    view! {
        <Title text="Organisations"/>
        <h1>"Organisations"</h1>
        <Loaded res=shell render=move |s: Shell| {
            if s.orgs.is_empty() {
                view! { <p class="empty">"You are not a member of any organisation yet. Create one below."</p> }.into_any()
            } else {
                view! {
                    <table class="grid" aria-label="Organisations">
                        <thead><tr><th>"Name"</th><th>"Plan"</th><th>"Your role"</th></tr></thead>
                        <tbody>
                            {s.orgs.into_iter().map(|o| view! {
                                <tr>
                                    <td><a href=format!("/orgs/{}", o.id)>{o.name}</a></td>
                                    <td><PlanBadge plan=o.plan/></td>
                                    <td>{o.role.map(|r| r.as_str()).unwrap_or("—")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        }/>
        <CreateOrgForm/>
    }
}

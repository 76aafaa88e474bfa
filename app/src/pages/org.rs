//! An organisation's apps.
use leptos::prelude::*;
use leptos_meta::Title;

use super::param;
use crate::api::{load_org, OrgPage};
use crate::components::{Loaded, OrgTabs, Time, UpgradeNotice};
use crate::dto::Plan;
use crate::islands::CreateAppForm;

#[component]
pub fn OrgAppsPage() -> impl IntoView {
    let org_id = param("org_id");
    let page = Resource::new(move || org_id.get(), load_org);
    view! {
        <Loaded res=page render=move |p: OrgPage| {
            let manage = p.org.role.is_some_and(|r| r.can_manage());
            let org_id = p.org.id.clone();
            view! {
                <Title text=p.org.name.clone()/>
                <OrgTabs org=p.org.clone() current="apps"/>
                {(p.org.plan != Plan::Enterprise).then(|| view! { <UpgradeNotice plan=p.org.plan/> })}
                {if p.apps.is_empty() {
                    view! { <p class="empty">"No apps yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="grid" aria-label="Apps">
                            <thead><tr><th>"App"</th><th>"Server-side encryption"</th><th>"Environments"</th><th>"Created (UTC)"</th><th>"ID"</th></tr></thead>
                            <tbody>
                                {p.apps.into_iter().map(|a| view! {
                                    <tr>
                                        <td><a href=format!("/apps/{}", a.id)>{a.name}</a></td>
                                        <td>{if a.sse_enabled {
                                            view! { <span class="badge ok">"Enabled"</span> }.into_any()
                                        } else {
                                            view! { <span class="badge off">"Disabled"</span> }.into_any()
                                        }}</td>
                                        <td>{a.environments.iter().map(|e| e.name.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        <td><Time at=a.created_at.clone()/></td>
                                        <td class="mono">{a.id}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                {manage.then(|| view! {
                    <CreateAppForm org_id=org_id.clone()/>
                })}
            }
        }/>
    }
}

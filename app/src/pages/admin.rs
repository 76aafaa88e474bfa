//! Instance administration: every organisation and its plan.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::load_admin;
use crate::components::{Loaded, PlanBadge};
use crate::dto::OrgDto;
use crate::islands::PlanForm;

#[component]
pub fn AdminPage() -> impl IntoView {
    let orgs = Resource::new(|| (), |_| load_admin());
    view! {
        <Title text="Instance admin"/>
        <h1>"Instance administration"</h1>
        <p class="hint">"Plans decide which features an organisation has. Dynamic secrets need Enterprise."</p>
        <Loaded res=orgs render={move |orgs: Vec<OrgDto>| view! {
            <table class="grid" aria-label="All organisations">
                <thead><tr><th>"Organisation"</th><th>"Plan"</th><th>"Change plan"</th><th>"ID"</th></tr></thead>
                <tbody>
                    {orgs.into_iter().map(|o| view! {
                        <tr>
                            <td><a href=format!("/orgs/{}", o.id)>{o.name.clone()}</a></td>
                            <td><PlanBadge plan=o.plan/></td>
                            <td>
                                <PlanForm org_id=o.id.clone() org_name=o.name.clone() plan=o.plan/>
                            </td>
                            <td class="mono">{o.id.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        } }/>
    }
}

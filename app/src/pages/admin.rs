//! Instance administration: every organisation and its plan.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{load_admin, SetPlan};
use crate::components::{bump_shell, FormError, Loaded, PlanBadge};
use crate::dto::{OrgDto, Plan};

#[component]
pub fn AdminPage() -> impl IntoView {
    let set_plan = ServerAction::<SetPlan>::new();
    let orgs = Resource::new(move || set_plan.version().get(), |_| load_admin());
    Effect::new(move |_| {
        if set_plan.version().get() > 0 {
            bump_shell();
        }
    });
    view! {
        <Title text="Instance admin"/>
        <h1>"Instance administration"</h1>
        <p class="hint">"Plans decide which features an organisation has. Dynamic secrets need Enterprise."</p>
        <FormError value=set_plan.value()/>
        <Loaded res=orgs render={move |orgs: Vec<OrgDto>| view! {
            <table class="grid" aria-label="All organisations">
                <thead><tr><th>"Organisation"</th><th>"Plan"</th><th>"Change plan"</th><th>"ID"</th></tr></thead>
                <tbody>
                    {orgs.into_iter().map(|o| { let form_id = o.id.clone(); let label = format!("Plan of {}", o.name); view! {
                        <tr>
                            <td><a href=format!("/orgs/{}", o.id)>{o.name.clone()}</a></td>
                            <td><PlanBadge plan=o.plan/></td>
                            <td>
                                <ActionForm action=set_plan attr:class="inline">
                                    <input type="hidden" name="org_id" value=form_id/>
                                    <select name="plan" aria-label=label>
                                        {Plan::ALL.iter().map(|p| view! {
                                            <option value=p.as_str() selected=*p == o.plan>{p.as_str()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="small">"Set plan"</button>
                                </ActionForm>
                            </td>
                            <td class="mono">{o.id.clone()}</td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        } }/>
    }
}

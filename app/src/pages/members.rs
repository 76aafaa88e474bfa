//! Members of an organisation and their roles.
use leptos::prelude::*;
use leptos_meta::Title;

use super::param;
use crate::api::{load_members, MembersPage as Data};
use crate::components::{Loaded, OrgTabs};
use crate::islands::{AddMemberForm, MemberControls};

#[component]
pub fn MembersPage() -> impl IntoView {
    let org_id = param("org_id");
    let page = Resource::new(move || org_id.get(), load_members);
    view! {
        <Loaded res=page render=move |p: Data| {
            let manage = p.org.role.is_some_and(|r| r.can_manage());
            let org_id = p.org.id.clone();
            view! {
                <Title text=format!("Members of {}", p.org.name)/>
                <OrgTabs org=p.org.clone() current="members"/>
                <table class="grid" aria-label="Members">
                    <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th></tr></thead>
                    <tbody>
                        {p.members.into_iter().map(|m| view! {
                            <tr>
                                <td>{m.user.name.clone()}</td>
                                <td class="mono">{m.user.email.clone()}</td>
                                <td>{if manage {
                                    view! {
                                        <MemberControls org_id=org_id.clone() user_id=m.user.id.clone()
                                            email=m.user.email.clone() role=m.role/>
                                    }.into_any()
                                } else {
                                    view! { <span class="badge role">{m.role.as_str()}</span> }.into_any()
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {manage.then(|| view! { <AddMemberForm org_id=org_id.clone()/> })}
            }
        }/>
    }
}

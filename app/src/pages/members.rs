//! Members of an organisation and their roles.
use leptos::prelude::*;
use leptos_meta::Title;

use super::param;
use crate::api::{load_members, AddMember, ChangeRole, MembersPage as Data, RemoveMember};
use crate::components::{FormError, Loaded, OrgTabs};
use crate::dto::Role;

#[component]
fn RoleSelect(selected: Role, label: String) -> impl IntoView {
    view! {
        <select name="role" aria-label=label>
            {Role::ALL.iter().map(|r| view! {
                <option value=r.as_str() selected=*r == selected>{r.as_str()}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let org_id = param("org_id");
    let add = ServerAction::<AddMember>::new();
    let change = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let page = Resource::new(
        move || (org_id.get(), add.version().get(), change.version().get(), remove.version().get()),
        |(id, ..)| load_members(id),
    );
    view! {
        <Loaded res=page render=move |p: Data| {
            let manage = p.org.role.is_some_and(|r| r.can_manage());
            let org_id = p.org.id.clone();
            view! {
                <Title text=format!("Members of {}", p.org.name)/>
                <OrgTabs org=p.org.clone() current="members"/>
                <FormError value=change.value()/>
                <FormError value=remove.value()/>
                <table class="grid" aria-label="Members">
                    <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                    <tbody>
                        {p.members.into_iter().map(|m| {
                            let org_id = org_id.clone();
                            let who = m.user.email.clone();
                            let (org2, uid2, who2) = (org_id.clone(), m.user.id.clone(), who.clone());
                            view! {
                                <tr>
                                    <td>{m.user.name.clone()}</td>
                                    <td class="mono">{m.user.email.clone()}</td>
                                    <td>{if manage {
                                        view! {
                                            <ActionForm action=change attr:class="inline">
                                                <input type="hidden" name="org_id" value=org_id.clone()/>
                                                <input type="hidden" name="user_id" value=m.user.id.clone()/>
                                                <RoleSelect selected=m.role label=format!("Role of {who}")/>
                                                <button type="submit" class="small">"Change role"</button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! { <span class="badge role">{m.role.as_str()}</span> }.into_any()
                                    }}</td>
                                    <td>{manage.then(|| view! {
                                        <ActionForm action=remove attr:class="inline">
                                            <input type="hidden" name="org_id" value=org2/>
                                            <input type="hidden" name="user_id" value=uid2/>
                                            <button type="submit" class="small danger" aria-label=format!("Remove {who2}")>"Remove"</button>
                                        </ActionForm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {manage.then(|| view! {
                    <ActionForm action=add attr:class="card inline-form" attr:aria-label="Add member">
                        <h2>"Add a member"</h2>
                        <p class="hint">"They need an account on this instance first."</p>
                        <input type="hidden" name="org_id" value=org_id.clone()/>
                        <label>"E-mail" <input type="email" name="email" required maxlength="254"/></label>
                        <label>"Role" <RoleSelect selected=Role::Developer label="Role".to_string()/></label>
                        <button type="submit" class="primary" disabled=move || add.pending().get()>"Add member"</button>
                        <FormError value=add.value()/>
                    </ActionForm>
                })}
            }
        }/>
    }
}

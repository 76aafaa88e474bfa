//! The organisation's audit log, newest first, a page at a time.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::param;
use crate::api::{load_audit, AuditPage};
use crate::components::{Loaded, OrgTabs, Time};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let org_id = param("org_id");
    let query = use_query_map();
    let before = Memo::new(move |_| query.read().get("before").and_then(|b| b.parse::<i64>().ok()));
    let page = Resource::new(move || (org_id.get(), before.get()), |(id, b)| load_audit(id, b));
    view! {
        <Loaded res=page render=move |p: AuditPage| {
            let older = p.next_before.map(|b| format!("/orgs/{}/audit?before={b}", p.org.id));
            view! {
                <Title text=format!("Audit log of {}", p.org.name)/>
                <OrgTabs org=p.org.clone() current="audit"/>
                {if p.events.is_empty() {
                    view! { <p class="empty">"Nothing has happened yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="grid audit" aria-label="Audit log">
                            <thead><tr><th>"Time (UTC)"</th><th>"Actor"</th><th>"Action"</th><th>"Target"</th><th>"Detail"</th><th>"IP"</th><th>"User agent"</th></tr></thead>
                            <tbody>
                                {p.events.into_iter().map(|e| view! {
                                    <tr>
                                        <td class="mono"><Time at=e.at.clone()/></td>
                                        <td>{e.actor}</td>
                                        <td><code>{e.action}</code></td>
                                        <td>{e.target}</td>
                                        <td>{e.detail}</td>
                                        <td class="mono">{e.ip.unwrap_or_default()}</td>
                                        <td class="ua" title=e.user_agent.clone().unwrap_or_default()>{e.user_agent.clone().unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                {older.map(|href| view! { <p><a href=href>"Older events →"</a></p> })}
            }
        }/>
    }
}

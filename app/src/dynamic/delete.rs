//! Deleting a dynamic secret: with active leases, the person must choose to
//! revoke them all first.
use leptos::prelude::*;

use super::modal::Modal;
use crate::api::delete_dynamic_secret;
use crate::components::FormError;

#[island]
pub fn DeleteSecret(
    secret_id: String,
    name: String,
    keys: Vec<String>,
    active_leases: u64,
    back: String,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let revoke_all = RwSignal::new(false);
    let delete = Action::new(move |revoke: &bool| delete_dynamic_secret(secret_id.clone(), *revoke));
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href(&back);
        }
    });
    let blocked = move || (active_leases > 0 && !revoke_all.get()) || delete.pending().get();
    let title = format!("Delete {name}");
    view! {
        <button type="button" class="small danger" aria-label=format!("Delete {name}") on:click=move |_| {
            revoke_all.set(false);
            delete.value().set(None);
            open.set(true);
        }>
            "Delete"
        </button>
        <Modal open title>
            <p>
                "Deletes the dynamic secret " <strong>{name.clone()}</strong> " and its keys "
                {keys.iter().map(|k| view! { <code class="key-chip">{k.clone()}</code> " " }).collect_view()}
                "from this environment. Programs using these keys can no longer lease credentials."
            </p>
            {(active_leases > 0).then(|| view! {
                <div class="notice" role="note">
                    {format!("It has {active_leases} active lease(s). Their credentials are revoked at the provider before the secret is removed.")}
                </div>
                <div class="switch-row">
                    <button type="button" role="switch" class="switch" aria-checked=move || revoke_all.get().to_string()
                        aria-label="Revoke all active leases" on:click=move |_| revoke_all.update(|v| *v = !*v)>
                        <span class="knob"></span>
                    </button>
                    <span aria-hidden="true">"Revoke all active leases"</span>
                </div>
            })}
            <FormError value=delete.value()/>
            <div class="actions">
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="danger" disabled=blocked
                    on:click=move |_| { delete.dispatch(revoke_all.get_untracked()); }>"Delete Dynamic Secret"</button>
            </div>
        </Modal>
    }
}

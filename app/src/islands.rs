//! The interactive parts of the console. The app runs in Leptos "islands"
//! mode: pages render on the server and only these components are compiled
//! to WebAssembly and hydrated. Each is a form whose submission goes through
//! a server function; on success the page reloads to show the server's view.
use leptos::prelude::*;

use crate::api::{
    AddMember, ChangeRole, CreateApp, CreateOrg, DeleteApp, Login, Logout, RemoveMember, SetPlan, SetSse, Signup,
};
use crate::components::FormError;
use crate::dto::{Plan, Role};
use crate::error::AppError;

/// Marks the page hydrated: browser tests wait for it before clicking.
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Reloads the page once `value` holds a success: the server renders the new state.
fn reload_on_success<T: Send + Sync + 'static>(value: impl Get<Value = Option<Result<T, AppError>>> + 'static) {
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            let _ = window().location().reload();
        }
    });
}

#[island]
pub fn LoginForm() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    view! {
        <ActionForm action=login attr:class="card form" attr:aria-label="Log in">
            <h2>"Log in"</h2>
            <label>"E-mail" <input type="email" name="email" required autocomplete="username"/></label>
            <label>"Password" <input type="password" name="password" required autocomplete="current-password"/></label>
            <FormError value=login.value()/>
            <button type="submit" class="primary" disabled=move || login.pending().get()>"Log in"</button>
            <p class="muted">"No account yet? " <a href="/signup">"Sign up"</a></p>
        </ActionForm>
    }
}

#[island]
pub fn SignupForm() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    view! {
        <ActionForm action=signup attr:class="card form" attr:aria-label="Sign up">
            <h2>"Create your account"</h2>
            <label>"Name" <input name="name" required maxlength="100" autocomplete="name"/></label>
            <label>"E-mail" <input type="email" name="email" required maxlength="254" autocomplete="email"/></label>
            <label>
                "Password"
                <input type="password" name="password" required minlength="12" maxlength="1024"
                    autocomplete="new-password" aria-describedby="pw-hint"/>
            </label>
            <p id="pw-hint" class="hint">"At least 12 characters."</p>
            <FormError value=signup.value()/>
            <button type="submit" class="primary" disabled=move || signup.pending().get()>"Sign up"</button>
            <p class="muted">"Already have an account? " <a href="/login">"Log in"</a></p>
        </ActionForm>
    }
}

#[island]
pub fn LogoutButton() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=logout attr:class="inline">
            <button type="submit" class="link">"Log out"</button>
        </ActionForm>
    }
}

#[island]
pub fn CreateOrgForm() -> impl IntoView {
    let create = ServerAction::<CreateOrg>::new();
    view! {
        <ActionForm action=create attr:class="card inline-form" attr:aria-label="Create organisation">
            <h2>"New organisation"</h2>
            <label>"Organisation name" <input name="name" required maxlength="100"/></label>
            <button type="submit" class="primary" disabled=move || create.pending().get()>"Create organisation"</button>
            <FormError value=create.value()/>
        </ActionForm>
    }
}

#[island]
pub fn CreateAppForm(org_id: String) -> impl IntoView {
    let create = ServerAction::<CreateApp>::new();
    reload_on_success(create.value());
    view! {
        <ActionForm action=create attr:class="card inline-form" attr:aria-label="Create app">
            <h2>"New app"</h2>
            <input type="hidden" name="org_id" value=org_id/>
            <label>"App name" <input name="name" required maxlength="100"/></label>
            <button type="submit" class="primary" disabled=move || create.pending().get()>"Create app"</button>
            <p class="hint">"Comes with the environments development, staging and production."</p>
            <FormError value=create.value()/>
        </ActionForm>
    }
}

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

#[island]
pub fn AddMemberForm(org_id: String) -> impl IntoView {
    let add = ServerAction::<AddMember>::new();
    reload_on_success(add.value());
    view! {
        <ActionForm action=add attr:class="card inline-form" attr:aria-label="Add member">
            <h2>"Add a member"</h2>
            <p class="hint">"They need an account on this instance first."</p>
            <input type="hidden" name="org_id" value=org_id/>
            <label>"E-mail" <input type="email" name="email" required maxlength="254"/></label>
            <label>"Role" <RoleSelect selected=Role::Developer label="Role".to_string()/></label>
            <button type="submit" class="primary" disabled=move || add.pending().get()>"Add member"</button>
            <FormError value=add.value()/>
        </ActionForm>
    }
}

/// Role change and removal for one member row.
#[island]
pub fn MemberControls(org_id: String, user_id: String, email: String, role: Role) -> impl IntoView {
    let change = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    reload_on_success(change.value());
    reload_on_success(remove.value());
    let (org2, user2) = (org_id.clone(), user_id.clone());
    let (role_label, remove_label) = (format!("Role of {email}"), format!("Remove {email}"));
    view! {
        <div class="member-controls">
            <ActionForm action=change attr:class="inline">
                <input type="hidden" name="org_id" value=org_id/>
                <input type="hidden" name="user_id" value=user_id/>
                <RoleSelect selected=role label=role_label/>
                <button type="submit" class="small">"Change role"</button>
            </ActionForm>
            <ActionForm action=remove attr:class="inline">
                <input type="hidden" name="org_id" value=org2/>
                <input type="hidden" name="user_id" value=user2/>
                <button type="submit" class="small danger" aria-label=remove_label>"Remove"</button>
            </ActionForm>
            <FormError value=change.value()/>
            <FormError value=remove.value()/>
        </div>
    }
}

#[island]
pub fn PlanForm(org_id: String, org_name: String, plan: Plan) -> impl IntoView {
    let set_plan = ServerAction::<SetPlan>::new();
    reload_on_success(set_plan.value());
    view! {
        <ActionForm action=set_plan attr:class="inline">
            <input type="hidden" name="org_id" value=org_id/>
            <select name="plan" aria-label=format!("Plan of {org_name}")>
                {Plan::ALL.iter().map(|p| view! {
                    <option value=p.as_str() selected=*p == plan>{p.as_str()}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="small">"Set plan"</button>
            <FormError value=set_plan.value()/>
        </ActionForm>
    }
}

/// The SSE switch; disabled for members who may not change it.
#[island]
pub fn SseSwitch(app_id: String, on: bool, manage: bool) -> impl IntoView {
    let sse = ServerAction::<SetSse>::new();
    reload_on_success(sse.value());
    view! {
        <ActionForm action=sse attr:class="switch-row">
            <input type="hidden" name="app_id" value=app_id/>
            <input type="hidden" name="enabled" value=(!on).to_string()/>
            <button type="submit" role="switch" class="switch" aria-checked=on.to_string()
                aria-label="Server-side encryption" disabled=move || !manage || sse.pending().get()>
                <span class="knob"></span>
            </button>
            <span>{if on { "Enabled" } else { "Disabled" }}</span>
        </ActionForm>
        <FormError value=sse.value()/>
    }
}

/// Deletion, enabled once the app's name is typed.
#[island]
pub fn DeleteAppForm(app_id: String, app_name: String) -> impl IntoView {
    let delete = ServerAction::<DeleteApp>::new();
    let typed = RwSignal::new(String::new());
    let label = format!("Type {app_name} to confirm");
    view! {
        <ActionForm action=delete attr:class="form">
            <input type="hidden" name="app_id" value=app_id/>
            <label>
                {label}
                <input autocomplete="off" on:input=move |ev| typed.set(event_target_value(&ev)) prop:value=typed/>
            </label>
            <button type="submit" class="danger" disabled=move || typed.get() != app_name || delete.pending().get()>
                "Delete app"
            </button>
            <FormError value=delete.value()/>
        </ActionForm>
    }
}

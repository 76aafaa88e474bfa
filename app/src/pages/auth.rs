//! Log-in and sign-up. Plain forms: they work before (and without) hydration.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{Login, Signup};
use crate::components::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    view! {
        <Title text="Log in"/>
        <main class="auth">
            <h1 class="brand-big">"Leasehold"</h1>
            <ActionForm action=login attr:class="card form" attr:aria-label="Log in">
                <h2>"Log in"</h2>
                <label>
                    "E-mail" <input type="email" name="email" required autocomplete="username"/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" required autocomplete="current-password"/>
                </label>
                <FormError value=login.value()/>
                <button type="submit" class="primary" disabled=move || login.pending().get()>
                    "Log in"
                </button>
                <p class="muted">"No account yet? " <a href="/signup">"Sign up"</a></p>
            </ActionForm>
        </main>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    view! {
        <Title text="Sign up"/>
        <main class="auth">
            <h1 class="brand-big">"Leasehold"</h1>
            <ActionForm action=signup attr:class="card form" attr:aria-label="Sign up">
                <h2>"Create your account"</h2>
                <label>"Name" <input name="name" required maxlength="100" autocomplete="name"/></label>
                <label>
                    "E-mail" <input type="email" name="email" required maxlength="254" autocomplete="email"/>
                </label>
                <label>
                    "Password"
                    <input
                        type="password"
                        name="password"
                        required
                        minlength="12"
                        maxlength="1024"
                        autocomplete="new-password"
                        aria-describedby="pw-hint"
                    />
                </label>
                <p id="pw-hint" class="hint">"At least 12 characters."</p>
                <FormError value=signup.value()/>
                <button type="submit" class="primary" disabled=move || signup.pending().get()>
                    "Sign up"
                </button>
                <p class="muted">"Already have an account? " <a href="/login">"Log in"</a></p>
            </ActionForm>
        </main>
    }
}

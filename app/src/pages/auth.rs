//! Log-in and sign-up.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::islands::{LoginForm, SignupForm};

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Log in"/>
        <main class="auth">
            <h1 class="brand-big">"Leasehold"</h1>
            <LoginForm/>
        </main>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    view! {
        <Title text="Sign up"/>
        <main class="auth">
            <h1 class="brand-big">"Leasehold"</h1>
            <SignupForm/>
        </main>
    }
}

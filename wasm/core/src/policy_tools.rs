//! The policy module as the core sees it: loaded once, on first use, through the loader the
//! entry passed to `__setup` (a dynamic `import()` or `require` of `tailscale-wasm/policy`), and
//! called through its `__` exports. The core never links the policy code, so an app that does
//! not read a policy never downloads it; what reads one (`update`, `evaluatePostures`, `access`,
//! `validate` of text) runs there, and sends its requests through this client's methods.

use crate::devices::DevicesApi;
use crate::policy::PolicyApi;
use crate::request::{spawn, Session};
use crate::users::UsersApi;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use tailscale_wasm_shared::args::set;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static LOADER: RefCell<JsValue> = const { RefCell::new(JsValue::UNDEFINED) };
}

pub fn set_loader(loader: Function) {
    LOADER.with(|l| *l.borrow_mut() = loader.into());
}

/// The policy module's exports. The entry's loader caches the module, so each call is cheap.
async fn load() -> Result<JsValue, JsValue> {
    // Without an entry's `__setup` (the raw glue imported) this is undefined, and the call throws.
    let loader: Function = LOADER.with(|l| l.borrow().clone()).unchecked_into();
    JsFuture::from(Promise::resolve(&loader.call0(&JsValue::UNDEFINED)?)).await
}

/// Calls the policy module's `name(requests, a, b)`, where `requests` holds this client's
/// `policy`, `devices` and `users` methods and its `tailnet`: fresh objects over the same
/// session (same credentials, concurrency cap and retries), so nothing refers back to the client.
pub fn run(session: &Rc<Session>, name: &'static str, a: JsValue, b: JsValue) -> Promise {
    let session = session.clone();
    spawn(Box::pin(async move {
        let tools = load().await?;
        let requests = Object::new();
        set(&requests, "tailnet", session.config.tailnet.as_str().into());
        set(&requests, "policy", PolicyApi::new(session.clone()).into());
        set(
            &requests,
            "devices",
            DevicesApi::new(session.clone()).into(),
        );
        set(&requests, "users", UsersApi::new(session).into());
        let f: Function = Reflect::get(&tools, &name.into())?.unchecked_into();
        let done = f.call3(&tools, &requests, &a, &b)?;
        JsFuture::from(Promise::resolve(&done)).await
    }))
}

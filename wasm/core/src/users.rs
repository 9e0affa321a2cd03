//! `client.users`: who is in the tailnet, with their roles (read-only).

use crate::request::Session;
use js_sys::Promise;
use std::rc::Rc;
use tailscale_api::users;
use wasm_bindgen::prelude::*;

/// `client.users`: the tailnet's users, their roles and types.
#[wasm_bindgen]
pub struct UsersApi {
    session: Rc<Session>,
}

impl UsersApi {
    pub fn new(session: Rc<Session>) -> UsersApi {
        UsersApi { session }
    }
}

#[wasm_bindgen]
impl UsersApi {
    /// Lists users: GET /api/v2/tailnet/{tailnet}/users, with `?type=` (`member`, `shared`,
    /// `all`; the API's default is `member`) and `?role=` only when given. Resolves to `User[]`.
    #[wasm_bindgen(unchecked_return_type = "Promise<User[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListUsersOptions")] options: JsValue,
    ) -> Promise {
        self.session.list(users::list, &options)
    }

    /// Gets one user: GET /api/v2/users/{userId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(|_, id| users::get(id), user_id, &options)
    }
}

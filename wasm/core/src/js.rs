//! Small JS primitives: timers, abort wiring, promise races and random bytes.

use js_sys::{Function, Promise, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    // Globals present in browsers, workers and Node alike (not on `window`).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

#[wasm_bindgen]
extern "C" {
    /// Web Crypto: `globalThis.crypto`, or Node's `webcrypto` (Node 18 has no global one).
    type Crypto;
    #[wasm_bindgen(method, catch, js_name = getRandomValues)]
    fn get_random_values(this: &Crypto, array: &Uint8Array) -> Result<JsValue, JsValue>;
}

thread_local! {
    static CRYPTO: RefCell<Option<Crypto>> = const { RefCell::new(None) };
}

/// The Web Crypto object random states come from, from the entry's `__setup`.
pub fn set_crypto(crypto: JsValue) {
    CRYPTO.with(|c| *c.borrow_mut() = Some(crypto.unchecked_into()));
}

/// `n` bytes from Web Crypto's `getRandomValues`.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, JsValue> {
    let array = Uint8Array::new_with_length(n as u32);
    CRYPTO.with(|c| match c.borrow().as_ref() {
        Some(crypto) => crypto.get_random_values(&array).map(drop),
        None => {
            Err(js_sys::Error::new("Web Crypto (crypto.getRandomValues) is not available").into())
        }
    })?;
    Ok(array.to_vec())
}

pub fn now_ms() -> u64 {
    // Date.now() is a whole, non-negative number of ms that fits u64; `as` saturates anyway.
    js_sys::Date::now() as u64
}

/// A timer that is cleared when dropped, so a finished call leaves nothing scheduled.
pub struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn new(ms: u64, callback: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms as f64);
        Timer {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// An `abort` listener that is removed when dropped, so long-lived signals do not collect them.
pub struct AbortListener {
    signal: AbortSignal,
    callback: Closure<dyn FnMut()>,
}

impl AbortListener {
    pub fn new(signal: &AbortSignal, callback: impl FnMut() + 'static) -> AbortListener {
        let callback = Closure::<dyn FnMut()>::new(callback);
        // Adding a listener cannot fail for a real AbortSignal; if it did, the call would
        // simply not be abortable, which is no worse than ignoring the signal.
        let _ = signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        AbortListener {
            signal: signal.clone(),
            callback,
        }
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.callback.as_ref().unchecked_ref());
    }
}

/// Awaits `promise`, or rejects with the signal's reason as soon as it aborts.
pub async fn abortable(promise: Promise, signal: Option<&AbortSignal>) -> Result<JsValue, JsValue> {
    let Some(signal) = signal else {
        return JsFuture::from(promise).await;
    };
    if signal.aborted() {
        return Err(signal.reason());
    }
    let mut reject_slot: Option<Function> = None;
    let aborted = Promise::new(&mut |_, reject| reject_slot = Some(reject));
    let listener = reject_slot.map(|reject| {
        let s = signal.clone();
        AbortListener::new(signal, move || {
            let _ = reject.call1(&JsValue::UNDEFINED, &s.reason());
        })
    });
    let race = Promise::race(&js_sys::Array::of2(&promise, &aborted));
    let result = JsFuture::from(race).await;
    drop(listener);
    result
}

/// Waits `ms`, or stops early with the signal's reason.
pub async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<(), JsValue> {
    let mut timer = None;
    let done = Promise::new(&mut |resolve, _| {
        timer = Some(Timer::new(ms, move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }));
    });
    let result = abortable(done, signal).await;
    drop(timer);
    result.map(drop)
}

/// A DOMException named `AbortError`, as `AbortSignal.abort()` gives when no reason is set.
pub fn abort_error(message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("AbortError");
    error.into()
}

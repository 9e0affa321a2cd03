//! The concurrency cap: at most `max` requests from one client are in flight at once; the
//! rest wait in arrival order.

use super::js::abortable;
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

#[derive(Clone, Copy, PartialEq)]
enum Turn {
    Waiting,
    /// A releasing permit passed its slot to this waiter.
    Handed,
    /// The waiter gave up (aborted); a released slot skips it.
    Gone,
}

struct Waiter {
    wake: Function,
    turn: Rc<Cell<Turn>>,
}

pub struct Limiter {
    max: u32,
    in_use: Cell<u32>,
    /// Arrival order. A Vec: taking from the front shifts the rest, cheap even for a thousand
    /// waiters, and a deque would add its code to the wasm.
    queue: RefCell<Vec<Waiter>>,
}

/// A slot; dropping it hands the slot to the next waiter or frees it.
pub struct Permit {
    limiter: Rc<Limiter>,
}

impl Limiter {
    pub fn new(max: u32) -> Rc<Limiter> {
        Rc::new(Limiter {
            max: max.max(1),
            in_use: Cell::new(0),
            queue: RefCell::new(Vec::new()),
        })
    }

    pub async fn acquire(self: &Rc<Self>, signal: Option<&AbortSignal>) -> Result<Permit, JsValue> {
        if self.in_use.get() < self.max {
            self.in_use.set(self.in_use.get() + 1);
            return Ok(Permit {
                limiter: self.clone(),
            });
        }
        let turn_state = Rc::new(Cell::new(Turn::Waiting));
        let mut wake = None;
        let turn = Promise::new(&mut |resolve, _| wake = Some(resolve));
        if let Some(wake) = wake {
            self.queue.borrow_mut().push(Waiter {
                wake,
                turn: turn_state.clone(),
            });
        }
        match abortable(turn, signal).await {
            // The releasing permit passed its slot on to us without freeing it.
            Ok(_) => Ok(Permit {
                limiter: self.clone(),
            }),
            Err(reason) => {
                // The abort may win the race after a slot was already handed to us: pass it on.
                if turn_state.get() == Turn::Handed {
                    self.release();
                }
                turn_state.set(Turn::Gone);
                Err(reason)
            }
        }
    }

    fn release(&self) {
        loop {
            let next = {
                let mut queue = self.queue.borrow_mut();
                (!queue.is_empty()).then(|| queue.remove(0))
            };
            match next {
                Some(w) if w.turn.get() == Turn::Gone => continue,
                Some(w) => {
                    w.turn.set(Turn::Handed);
                    let _ = w.wake.call0(&JsValue::UNDEFINED);
                    return;
                }
                None => {
                    self.in_use.set(self.in_use.get().saturating_sub(1));
                    return;
                }
            }
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.release();
    }
}

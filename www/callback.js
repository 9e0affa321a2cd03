// The OAuth redirect lands here, in the consent window. The demo page that opened the window
// holds the flow and its state in memory, so the callback URL goes back to it over a
// same-origin BroadcastChannel, which needs no window.opener (a consent screen on another
// origin may sever it). Nothing is stored; the code leaves the address bar and the window
// closes.
const channel = new BroadcastChannel("tailscale-wasm-consent");
channel.postMessage(location.href);
channel.close();
history.replaceState(null, "", location.pathname);
document.getElementById("callback-status").textContent = "Done: the demo page has the answer. You can close this window.";
window.close();

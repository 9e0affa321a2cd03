"use client";
// The package's validator in the browser: the message shows as the user types, before anything
// is sent.
import { useState } from "react";
import { validateTag } from "tailscale-wasm";

export default function TagField() {
  const [message, setMessage] = useState("");
  return (
    <label>
      Tag <input id="tag" onChange={(e) => setMessage(validateTag(e.target.value)[0]?.message ?? "")} />
      <span id="tag-error">{message}</span>
    </label>
  );
}

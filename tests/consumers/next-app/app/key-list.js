"use client";
// Lists keys through this app's own route handler: the browser never holds the credential.
import { useEffect, useState } from "react";

export default function KeyList() {
  const [keys, setKeys] = useState(null);
  useEffect(() => {
    fetch("/api/keys").then((r) => r.json()).then((body) => setKeys(body.keys));
  }, []);
  if (!keys) return <p id="keys-status">Loading keys…</p>;
  return (
    <ul id="keys">
      {keys.map((k) => (
        <li key={k.id}>{k.description || k.id}</li>
      ))}
    </ul>
  );
}

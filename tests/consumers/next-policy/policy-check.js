"use client";
// PolicyDocument.check() in the browser, loaded on first use.
import { useState } from "react";

export default function PolicyCheck() {
  const [issues, setIssues] = useState([]);
  async function check(text) {
    const { PolicyDocument } = await import("tailscale-wasm/policy");
    try {
      setIssues(PolicyDocument.parse(text).check().map((i) => `${i.field}: ${i.message}`));
    } catch (err) {
      setIssues([err.message]);
    }
  }
  return (
    <>
      <textarea id="policy" onChange={(e) => check(e.target.value)} />
      <ul id="issues">{issues.map((m) => <li key={m}>{m}</li>)}</ul>
    </>
  );
}

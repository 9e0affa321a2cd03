// Collects every string the tests can observe (error messages, stacks, util.inspect of errors
// and clients, JSON.stringify, console output) so that the leak test can search it for
// credentials afterwards.
import util from "node:util";

export const observed = [];

export function recordStrings(value) {
  observed.push(util.inspect(value, { depth: 10, showHidden: true }), String(value));
  try {
    observed.push(JSON.stringify(value) ?? "");
  } catch {}
  if (value instanceof Error) {
    observed.push(value.message, value.stack ?? "", util.inspect(value.cause, { depth: 10 }));
    for (const key of Object.keys(value)) observed.push(util.inspect(value[key], { depth: 10 }));
  }
}

// Everything written to the console while the tests run.
for (const level of ["log", "info", "warn", "error", "debug"]) {
  const original = console[level];
  console[level] = (...args) => {
    observed.push(util.format(...args));
    original.apply(console, args);
  };
}

/** Fails if any of `secrets` appears in anything observed so far. */
export function findLeaks(secrets) {
  const text = observed.join("\n");
  return secrets.filter((s) => s && s.length >= 8 && text.includes(s));
}

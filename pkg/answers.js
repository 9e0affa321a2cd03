// Long answers of the policy wasm, built here from a compact form it writes (wasm/policy/src/
// answers.rs holds the layout): objects made in JS cost far less than made one field at a time
// across the boundary. `numbers` is a Uint32Array; `text` holds every string back to back, and
// each string's length is the next number. A list of failed conditions that sources share is
// sent once (`2 * length`, then its strings; `2 * i + 1` for the i-th list sent before), and
// made into fresh objects for each source.

const VERDICTS = ["accept", "drop", "indeterminate"];
const SECTIONS = ["grants", "acls", "default"];

/**
 * `whoCanReach`'s answer: `Reacher[]`. Each object is made whole, in one literal. `names` is the
 * model's list of each device's `nodeId` and name, filled here from an answer that carries them
 * (a flag, the device count, then the strings: the first, or any after one cut short); later
 * answers only index it.
 */
export function __reachers(numbers, text, names) {
  let at = 0;
  let pos = 0;
  const sent = [];
  const string = () => text.slice(pos, (pos += numbers[at++]));
  if (numbers[at++]) {
    names.length = 0;
    for (let n = numbers[at++] * 2; n > 0; n--) names.push(string());
  }
  const failed = () => {
    const n = numbers[at++];
    let strings = sent[n >>> 1];
    if ((n & 1) === 0) {
      strings = [];
      for (let f = n >>> 1; f > 0; f--) strings.push(string(), string(), string());
      sent.push(strings);
    }
    const list = [];
    for (let f = 0; f < strings.length; f += 3) list.push({ posture: strings[f], condition: strings[f + 1], reason: strings[f + 2] });
    return list;
  };
  const rules = (n) => {
    const list = [];
    for (; n > 0; n--) list.push({ section: SECTIONS[numbers[at++]], index: numbers[at++], line: numbers[at++] });
    return list;
  };
  const blockedBy = (n) => {
    const list = [];
    for (; n > 0; n--) {
      const section = SECTIONS[numbers[at++]];
      const index = numbers[at++];
      const line = numbers[at++];
      list.push({ section, index, line, failed: failed() });
    }
    return list;
  };
  const out = [];
  for (let count = numbers[at++]; count > 0; count--) {
    const d = numbers[at++] * 2;
    const device = { nodeId: names[d], name: names[d + 1] };
    const verdict = VERDICTS[numbers[at++]];
    const admitted = rules(numbers[at++]);
    const blocked = numbers[at++];
    const stopped = blocked > 0 ? blockedBy(blocked) : null;
    const reason = numbers[at++] ? string() : null;
    // Members absent rather than empty, as the contract writes them.
    if (stopped && reason !== null) out.push({ device, verdict, rules: admitted, blockedBy: stopped, reason });
    else if (stopped) out.push({ device, verdict, rules: admitted, blockedBy: stopped });
    else if (reason !== null) out.push({ device, verdict, rules: admitted, reason });
    else out.push({ device, verdict, rules: admitted });
  }
  return out;
}

// The policy tools' entry (`tailscale-wasm/policy`) under `strict`, and the client's methods that
// use them: the documented import path, and one set of error classes for both entries.
import { expectTypeOf } from "expect-type";
import { TailscaleClient, TailscaleValidationError, type PolicyUpdate, type PostureReport, type PolicyCheck, type PolicyPreview } from "tailscale-wasm";
import { PolicyDocument, parsePostureCondition, evaluatePosture, TailscaleValidationError as PolicyValidationError, type PostureCondition, type PostureEvaluation } from "tailscale-wasm/policy";
import * as root from "tailscale-wasm";

expectTypeOf(PolicyValidationError).toEqualTypeOf(TailscaleValidationError);

async function main(client: TailscaleClient): Promise<void> {
  const doc: PolicyDocument = PolicyDocument.parse("{}");
  doc.setPosture("posture:ok", ["custom:ok == true"]);
  // A pointer is RFC 6901 text or the names along the way.
  expectTypeOf(doc.get).parameter(0).toEqualTypeOf<string | string[]>();
  doc.set(["postures", "posture:a/b"], ["custom:ok == true"]);
  doc.append("/tests", { src: "a@example.com", accept: ["tag:prod:22"] });
  const removed: boolean = doc.remove(["postures", "posture:a/b"]);
  // @ts-expect-error a pointer is not a number
  doc.remove(42);
  const text: string = doc.toString();
  const condition: PostureCondition = parsePostureCondition("node:os == 'linux'");
  const verdict: PostureEvaluation = evaluatePosture(["node:os == 'linux'"], { "node:os": "linux" });
  const updated: PolicyUpdate = await client.policy.update((d) => d.setPosture("posture:ok", ["custom:ok == true"]));
  const report: PostureReport = await client.policy.evaluatePostures({ text });
  const check: PolicyCheck = await client.policy.validate(doc);
  const preview: PolicyPreview = await client.policy.preview(text, { type: "user", previewFor: "a@example.com" });
  const postures: string[] | null | undefined = preview.matches[0]?.postures;
  const unparsed: string | undefined = report.postures[0]?.error;
  void [condition, verdict, updated, report, check, postures, unparsed, removed];
  // @ts-expect-error the policy tools are no longer exports of the package root
  void root.PolicyDocument;
}
void main;

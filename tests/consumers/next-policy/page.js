// A page that checks a policy file as you type, added to the Next.js row's app for its second
// build: the policy tools are a dynamic import in the client component, so they load on the
// first keystroke, not with the page.
import PolicyCheck from "./policy-check.js";

export default function Page() {
  return (
    <main>
      <h1>Policy check</h1>
      <PolicyCheck />
    </main>
  );
}

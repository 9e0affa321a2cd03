// A server page with a client component: the validator runs in the browser as the user types,
// and the keys come from a route handler that holds the credential on the server.
import TagField from "./tag-field.js";
import KeyList from "./key-list.js";

export default function Page() {
  return (
    <main>
      <h1>Auth keys</h1>
      <TagField />
      <KeyList />
    </main>
  );
}

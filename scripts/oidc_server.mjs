// A certified OpenID provider (npm oidc-provider) on 127.0.0.1 for the code exchange and refresh
// tests: one public native client with clawboot's client id, PKCE S256 required, refresh tokens
// that rotate, OpenAI's endpoint paths. Prints `READY <port>`; stops when stdin closes.
// usage: node oidc_server.mjs NODE_MODULES_DIR
import { createRequire } from "node:module";
import http from "node:http";

const require = createRequire(process.argv[2] + "/");
const { default: Provider } = await import(require.resolve("oidc-provider"));

const server = http.createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = server.address().port;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
    token_endpoint_auth_method: "none",
    application_type: "native",
    redirect_uris: ["http://localhost:1455/auth/callback"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  }],
  routes: { authorization: "/oauth/authorize", token: "/oauth/token" },
  features: { devInteractions: { enabled: true } },
  scopes: ["openid", "profile", "email", "offline_access"],
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
});
provider.proxy = false;
provider.on("grant.error", (ctx, err) => console.error("grant.error:", err.error_description, err.error_detail || ""));
server.on("request", provider.callback());
console.log(`READY ${port}`);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));

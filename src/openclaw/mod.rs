//! What clawboot knows about OpenClaw itself: releases, the config they accept, the plugins
//! they need and where they keep credentials.

/// A shell script with `oc`: the openclaw CLI on PATH, else the image's entry point.
macro_rules! openclaw_script {
    ($body:literal) => {
        concat!(
            "set -eu\n",
            // OpenClaw's words in clawboot's messages, without colour codes.
            "export NO_COLOR=1 FORCE_COLOR=0\n",
            "oc() { if command -v openclaw >/dev/null 2>&1; then openclaw \"$@\"; else node /app/openclaw.mjs \"$@\"; fi; }\n",
            // The folder of the openclaw package, for scripts that use its plugin SDK.
            "oc_package() { p=$(command -v openclaw 2>/dev/null) && dirname \"$(readlink -f \"$p\")\" || echo /app; }\n",
            // $scratch: a config with only the agents of STATE/openclaw.json (`agents.list`, or
            // `agents.entries` where a release keys them; or nothing),
            // in a folder of its own: OpenClaw chmods a config's folder (a root-owned /tmp
            // refuses) and leaves .bak files beside it; the folder goes at exit.
            "with_scratch_config() {\n",
            "  scratch_dir=$(mktemp -d \"${TMPDIR:-/tmp}/clawboot.XXXXXX\")\n",
            "  scratch=\"$scratch_dir/openclaw.json\"\n",
            "  trap 'rm -rf \"$scratch_dir\"' EXIT\n",
            "  node -e 'const fs=require(\"fs\");let c={};try{c=JSON.parse(fs.readFileSync(process.argv[1],\"utf8\"))}catch{};fs.writeFileSync(process.argv[2],JSON.stringify(c.agents&&(c.agents.list||c.agents.entries)?{agents:{list:c.agents.list,entries:c.agents.entries}}:{}))' \"$1/openclaw.json\" \"$scratch\"\n",
            "}\n",
            // The config `openclaw models auth` runs with on the state dir $1: in the gateway's
            // own container (its token in the environment) the CLI reaches the live gateway,
            // which refuses a CLI on another config path ("No credentials or configuration were
            // written"): there it is the gateway's config, elsewhere the scratch one.
            "auth_config() { if [ -n \"${OPENCLAW_GATEWAY_TOKEN:-}\" ] && [ -f \"$1/openclaw.json\" ]; then echo \"$1/openclaw.json\"; else echo \"$scratch\"; fi; }\n",
            $body
        )
    };
}

pub mod config;
pub mod credentials;
pub mod legacy;
pub mod pairing;
pub mod plugins;
pub mod release;
pub mod schema;
pub mod store;

/// The first JSON object OpenClaw printed (a banner or a warning may come before it).
pub fn first_json(printed: &str) -> anyhow::Result<serde_json::Value> {
    let start = printed
        .find('{')
        .ok_or_else(|| anyhow::anyhow!("openclaw printed no JSON"))?;
    serde_json::Deserializer::from_str(&printed[start..])
        .into_iter::<serde_json::Value>()
        .next()
        .ok_or_else(|| anyhow::anyhow!("openclaw printed no JSON"))?
        .map_err(|e| anyhow::anyhow!("openclaw printed JSON that does not parse: {e}"))
}

//! What clawboot knows about OpenClaw itself: releases, the config they accept, the plugins
//! they need and where they keep credentials.

/// A shell script with `oc`: the openclaw CLI on PATH, else the image's entry point.
macro_rules! openclaw_script {
    ($body:literal) => {
        concat!(
            "set -eu\n",
            "oc() { if command -v openclaw >/dev/null 2>&1; then openclaw \"$@\"; else node /app/openclaw.mjs \"$@\"; fi; }\n",
            // $scratch: a config with only the agent list of STATE/openclaw.json (or nothing).
            "with_scratch_config() {\n",
            "  scratch=$(mktemp \"${TMPDIR:-/tmp}/clawboot-config.XXXXXX\")\n",
            "  trap 'rm -f \"$scratch\"' EXIT\n",
            "  node -e 'const fs=require(\"fs\");let c={};try{c=JSON.parse(fs.readFileSync(process.argv[1],\"utf8\"))}catch{};fs.writeFileSync(process.argv[2],JSON.stringify(c.agents&&c.agents.list?{agents:{list:c.agents.list}}:{}))' \"$1/openclaw.json\" \"$scratch\"\n",
            "}\n",
            $body
        )
    };
}

pub mod config;
pub mod credentials;
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
